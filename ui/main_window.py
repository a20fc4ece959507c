"""The main window: a navigation list on the left, the chosen section on the right.

A section's page is built (and its module imported) the first time it is shown,
so opening the window costs one page, not fourteen. The « Fichier » menu opens
the co-op's settings and imports or exports a list through its page.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

import coopfood
from coopfood.i18n import N_, _
from coopfood.persistence.db import Database, describe_url
from coopfood.services import Actor, Role
from coopfood.services.coop import CoopDetail, get_coop
from ui import comfort, worker
from ui.dialogs import messages
from ui.views.context import PageContext, may_see
from ui.views.coop_settings import CoopDashboardPage
from ui.views.list_page import ListPage

if TYPE_CHECKING:
    from coopfood.imports import Kind

DEFAULT_SIZE = QSize(1200, 800)
#: On closing, how long work under way is given to end before the window says to wait.
CLOSE_GRACE_MS = 2000

#: The lists the « Fichier » menu imports and exports: (section, menu entry).
TRANSFERS: tuple[tuple[Kind, str, str], ...] = (
    ("members", "members", N_("&Adhérents…")),
    ("producers", "producers", N_("&Producteurs…")),
    ("products", "products", N_("P&roduits…")),
)


@dataclass(frozen=True)
class Section:
    key: str
    #: Marked for translation, translated when the window is built.
    label: str
    #: "module:function" building the page from a PageContext.
    factory: str


SECTIONS: tuple[Section, ...] = (
    Section("dashboard", N_("Tableau de bord"), "ui.views.coop_settings:build_dashboard_page"),
    Section("distributions", N_("Distributions"), "ui.views.cycles:build_distributions_page"),
    Section("orders", N_("Commandes"), "ui.views.cycles:build_orders_page"),
    Section("shifts", N_("Permanences"), "ui.views.shifts:build_shifts_page"),
    Section("members", N_("Adhérents"), "ui.views.members:build_members_page"),
    Section("producers", N_("Producteurs"), "ui.views.catalogue:build_producers_page"),
    Section("products", N_("Produits"), "ui.views.catalogue:build_products_page"),
    Section("baskets", N_("Paniers"), "ui.views.baskets:build_baskets_page"),
    Section("contracts", N_("Contrats"), "ui.views.contracts:build_contracts_page"),
    Section("points", N_("Points de distribution"), "ui.views.points:build_points_page"),
    Section("documents", N_("Documents"), "ui.views.documents:build_documents_page"),
    Section("invoices", N_("Factures"), "ui.views.invoices:build_invoices_page"),
    Section("treasury", N_("Trésorerie"), "ui.views.treasury:build_treasury_page"),
    Section("value", N_("Partage de la valeur"), "ui.views.value_sharing:build_value_page"),
    Section("audit", N_("Historique"), "ui.views.audit:build_audit_page"),
)

#: Each section's icon (Material Design Icons, drawn by qtawesome in the text's colour,
#: so that the high-contrast option recolours them too).
SECTION_ICONS: dict[str, str] = {
    "dashboard": "mdi6.view-dashboard", "distributions": "mdi6.calendar-check",
    "orders": "mdi6.cart", "shifts": "mdi6.account-clock", "members": "mdi6.account-group",
    "producers": "mdi6.tractor", "products": "mdi6.carrot", "baskets": "mdi6.basket",
    "contracts": "mdi6.file-sign", "points": "mdi6.map-marker", "documents": "mdi6.printer",
    "invoices": "mdi6.receipt-text", "treasury": "mdi6.cash-multiple",
    "value": "mdi6.chart-pie", "audit": "mdi6.history",
}


def section_icon(key: str, color: QColor) -> QIcon:
    """The section's icon, or none for a section without one (never an error)."""
    name = SECTION_ICONS.get(key)
    if name is None:
        return QIcon()
    import qtawesome  # type: ignore[import-untyped]

    icon: QIcon = qtawesome.icon(name, color=color)
    return icon



def _page_factory(path: str) -> Callable[[PageContext], QWidget]:
    module_name, function = path.split(":")
    factory: Callable[[PageContext], QWidget] = getattr(
        importlib.import_module(module_name), function
    )
    return factory


class MainWindow(QMainWindow):
    def __init__(
        self,
        db: Database,
        actor: Actor,
        *,
        today: Callable[[], dt.date] = dt.date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self._db = db
        self._context = PageContext(db=db, actor=actor, navigate=self.show_section, today=today)
        self._pages: dict[str, QWidget] = {}
        coop = get_coop(db=db, actor=actor)
        self._coop_name = coop.name if coop is not None else None

        self.setWindowTitle(
            _("coopfood — {coop}").format(coop=self._coop_name)
            if self._coop_name else "coopfood"
        )
        self.resize(DEFAULT_SIZE)

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName(_("Sections"))
        font = self.nav.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.nav.setFont(font)
        self.nav.setStyleSheet("QListWidget#navigation::item { padding: 5px 8px; }")
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for section in SECTIONS:
            item = QListWidgetItem(_(section.label))
            item.setIcon(section_icon(section.key, self.palette().color(QPalette.ColorRole.Text)))
            item.setData(Qt.ItemDataRole.UserRole, section.key)
            self.nav.addItem(item)
            item.setHidden(not may_see(actor, section.key))  # the services refuse it anyway
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(self.nav.sizeHintForColumn(0) + 2 * self.nav.frameWidth() + 16)

        self.stack = QStackedWidget()
        # One empty placeholder per section, replaced by the page on its first visit.
        self._placeholders: dict[str, QWidget] = {}
        for section in SECTIONS:
            placeholder = QWidget()
            self._placeholders[section.key] = placeholder
            self.stack.addWidget(placeholder)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self.comfort = comfort.decorate(self)
        self.comfort.view_menu.addSeparator()
        self._build_language_menu(self.comfort.view_menu.addMenu(_("&Langue")))

        self.nav.currentRowChanged.connect(self._on_nav_row)
        self.nav.setCurrentRow(next(i for i, s in enumerate(SECTIONS) if may_see(actor, s.key)))

    # --- sections ---------------------------------------------------------------------

    def show_section(self, key: str) -> None:
        """Show a section by its key ("members"…), building its page if need be."""
        row = next(i for i, s in enumerate(SECTIONS) if s.key == key)
        if self.nav.currentRow() != row:
            self.nav.setCurrentRow(row)  # comes back through _on_nav_row
        else:
            self._on_nav_row(row)

    def built_sections(self) -> list[str]:
        """The sections whose page exists, in navigation order."""
        return [s.key for s in SECTIONS if s.key in self._pages]

    def current_section(self) -> str:
        return SECTIONS[self.stack.currentIndex()].key

    def page(self, key: str) -> QWidget:
        """The page of a section, built now if it was not yet."""
        if key not in self._pages:
            section = next(s for s in SECTIONS if s.key == key)
            page = _page_factory(section.factory)(self._context)
            placeholder = self._placeholders.pop(key)
            index = self.stack.indexOf(placeholder)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._pages[key] = page
            self._on_page_built(key, page)
        return self._pages[key]

    def _on_page_built(self, key: str, page: QWidget) -> None:
        if isinstance(page, CoopDashboardPage):
            page.coop_banner.coop_saved.connect(self._show_coop)
        comfort.restore_page_layout(key, page)

    def _on_nav_row(self, row: int) -> None:
        if row < 0:
            return
        key = SECTIONS[row].key
        self.stack.setCurrentWidget(self.page(key))

    # --- menus and status bar ---------------------------------------------------------

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu(_("&Fichier"))
        self.coop_settings_action = QAction(_("Paramètres de la &coopérative…"), self)
        self.coop_settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.coop_settings_action.triggered.connect(self.edit_coop_settings)
        file_menu.addAction(self.coop_settings_action)
        file_menu.addSeparator()
        import_menu = file_menu.addMenu(_("&Importer"))
        export_menu = file_menu.addMenu(_("&Exporter"))
        self.import_actions: dict[str, QAction] = {}
        self.export_actions: dict[str, QAction] = {}
        for kind, section, label in TRANSFERS:
            action = import_menu.addAction(_(label))
            action.triggered.connect(lambda _checked=False, s=section: self.import_list(s))
            self.import_actions[kind] = action
            action = export_menu.addAction(_(label))
            action.triggered.connect(lambda _checked=False, s=section: self.export_list(s))
            self.export_actions[kind] = action
        file_menu.addSeparator()
        self.backup_action = QAction(_("&Sauvegarder la base…"), self)
        self.backup_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.backup_action.triggered.connect(self.save_backup)
        file_menu.addAction(self.backup_action)
        self.restore_action = QAction(_("&Restaurer une sauvegarde…"), self)
        self.restore_action.triggered.connect(self.restore_backup)
        file_menu.addAction(self.restore_action)
        self.daily_copies_action = QAction(_("Sauvegardes &automatiques…"), self)
        self.daily_copies_action.triggered.connect(self.set_daily_copies)
        file_menu.addAction(self.daily_copies_action)
        # What a role may not do is not offered (the services refuse it anyway): a
        # producer's account reads; the base's copies are the administrator's.
        role = self.actor.role
        self.coop_settings_action.setVisible(role in (Role.ADMIN, Role.TREASURER))
        import_menu.menuAction().setVisible(role is not Role.PRODUCER)
        export_menu.menuAction().setVisible(role is not Role.PRODUCER)
        self.backup_action.setVisible(role in (Role.ADMIN, Role.TREASURER))
        self.restore_action.setVisible(role is Role.ADMIN)
        self.daily_copies_action.setVisible(role is Role.ADMIN)
        self.users_action = QAction(_("&Utilisateurs…"), self)
        self.users_action.triggered.connect(self.manage_users)
        self.users_action.setVisible(self.actor.role is Role.ADMIN)
        file_menu.addAction(self.users_action)
        file_menu.addSeparator()
        self.quit_action = QAction(_("&Quitter"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        help_menu = menu_bar.addMenu(_("&Aide"))
        self.about_action = QAction(_("À &propos de coopfood"), self)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.triggered.connect(self.show_about)
        help_menu.addAction(self.about_action)
        about_qt = QAction(_("À propos de &Qt"), self)
        about_qt.setMenuRole(QAction.MenuRole.AboutQtRole)
        about_qt.triggered.connect(lambda: QMessageBox.aboutQt(self, _("À propos de Qt")))
        help_menu.addAction(about_qt)

    def _build_language_menu(self, menu: QMenu) -> None:
        """« Affichage → Langue »: Français or English, on this computer, from the next start."""
        from ui.app import LANGUAGES, saved_language

        group = QActionGroup(self)
        chosen = saved_language()
        self.language_actions: dict[str, QAction] = {}
        for language, name in LANGUAGES.items():
            action = menu.addAction(name)  # each language named in itself
            action.setCheckable(True)
            action.setChecked(language == chosen)
            group.addAction(action)
            action.triggered.connect(lambda _checked=False, lang=language:
                                     self.choose_language(lang))
            self.language_actions[language] = action

    def choose_language(self, language: str) -> None:
        """Remember the language; the window's texts change at the next start."""
        from ui.app import save_language

        save_language(language)
        messages.show_info(self, _("La langue choisie s'appliquera au prochain démarrage "
                                   "de coopfood."), title=_("Langue"))

    def _build_status_bar(self) -> None:
        self.database_label = QLabel(
            _("Base : {database}").format(database=describe_url(self._db.url))
        )
        self.database_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.coop_label = QLabel(
            self._coop_name or _("Aucune coopérative n'est encore enregistrée dans cette base.")
        )
        self.coop_label.setTextFormat(Qt.TextFormat.PlainText)  # names may hold "<"
        status = self.statusBar()
        status.addWidget(self.database_label, 1)
        if self.actor.user_id is not None:
            self.user_label = QLabel(_("Connecté : {name} ({role})").format(
                name=self.actor.name, role=self.actor.role.label))
            self.user_label.setTextFormat(Qt.TextFormat.PlainText)
            status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.coop_label)

    # --- the co-op, imports and exports ---------------------------------------------------

    def edit_coop_settings(self) -> None:
        """« Fichier → Paramètres de la coopérative… »."""
        from ui.views.coop_settings import ask_coop_settings

        saved = ask_coop_settings(self, self._context)
        if saved is not None:
            self._show_coop(saved)
            dashboard = self._pages.get("dashboard")
            if isinstance(dashboard, CoopDashboardPage):
                dashboard.coop_banner.show_coop(saved)

    def _show_coop(self, coop: CoopDetail) -> None:
        self._coop_name = coop.name
        self.setWindowTitle(_("coopfood — {coop}").format(coop=coop.name))
        self.coop_label.setText(coop.name)

    def _list_page(self, section: str) -> ListPage[Any] | None:
        self.show_section(section)
        page = self.page(section)
        return page if isinstance(page, ListPage) else None

    def import_list(self, section: str) -> None:
        """« Fichier → Importer → … »: the section's page imports, and shows the result."""
        page = self._list_page(section)
        if page is not None:
            page.import_rows()

    def export_list(self, section: str) -> None:
        page = self._list_page(section)
        if page is not None:
            page.export_rows()

    def save_backup(self) -> None:
        """« Fichier → Sauvegarder la base… »."""
        from ui.backup_actions import save_backup

        save_backup(self, db=self.db, actor=self.actor)

    def restore_backup(self) -> None:
        """« Fichier → Restaurer une sauvegarde… »: every page is rebuilt afterwards."""
        from ui.backup_actions import restore_backup

        restore_backup(self, db=self.db, actor=self.actor, on_restored=self.reload_all)

    def manage_users(self) -> None:
        """« Fichier → Utilisateurs… »: the mode and the accounts (administrators only)."""
        from ui.dialogs.users import UsersDialog

        UsersDialog(self, self._context).ask()

    def set_daily_copies(self) -> None:
        """« Fichier → Sauvegardes automatiques… »."""
        from ui.backup_actions import set_daily_copies

        set_daily_copies(self, db=self.db, actor=self.actor)

    def reload_all(self) -> None:
        """Forget every page (they show data that changed under them) and show the
        current section anew, with the co-op's name as the restored base has it."""
        current = self.current_section()
        for key, page in list(self._pages.items()):
            placeholder = QWidget()
            index = self.stack.indexOf(page)
            self.stack.insertWidget(index, placeholder)
            self.stack.removeWidget(page)
            page.deleteLater()
            self._placeholders[key] = placeholder
        self._pages.clear()
        coop = get_coop(db=self.db, actor=self.actor)
        if coop is not None:
            self._show_coop(coop)
        self.show_section(current)

    def about_text(self) -> str:
        return _(
            "<p><b>coopfood {version}</b></p>"
            "<p>Gestion de coopératives alimentaires en circuit court : AMAP, "
            "groupements d'achat, épiceries coopératives.</p>"
            "<p>Producteurs, distributions, commandes des adhérents, documents "
            "et trésorerie, sur une base de données locale, sans serveur.</p>"
            "<p>Logiciel libre sous licence GPL version 3 ou ultérieure.</p>"
        ).format(version=coopfood.__version__)

    def show_about(self) -> None:
        QMessageBox.about(self, _("À propos de coopfood"), self.about_text())

    def closeEvent(self, event: QCloseEvent) -> None:
        if worker.busy():
            # A read under way (the dashboard's figures) ends in a moment: let it.
            worker.wait_until_idle(CLOSE_GRACE_MS)
        if worker.busy():
            # A write under way finishes (or is cancelled) first: it is never cut short.
            messages.show_info(self, _("Un enregistrement est en cours : attendez qu'il se "
                                       "termine avant de quitter coopfood."))
            event.ignore()
            return
        comfort.save_layout(self, self._pages)
        event.accept()
