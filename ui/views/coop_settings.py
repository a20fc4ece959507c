"""Paramètres de la coopérative: the dialog's entry point, and the dashboard's line that
names the co-op and opens its settings (a co-op starting from nothing begins there)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from coopfood.i18n import _
from coopfood.services.coop import CoopDetail, CoopInput, get_coop, save_coop
from ui.dialogs.coop import CoopDialog
from ui.views.context import PageContext
from ui.views.dashboard import DashboardPage


def ask_coop_settings(parent: QWidget | None, context: PageContext) -> CoopDetail | None:
    """Enter or change the co-op's record in its dialog; the saved record, or None."""
    db, actor = context.db, context.actor

    def save(data: CoopInput) -> CoopDetail:
        return save_coop(db=db, actor=actor, data=data)

    dialog = CoopDialog(parent, coop=get_coop(db=db, actor=actor), save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, CoopDetail) else None


class CoopBanner(QFrame):
    """« AMAP des Coteaux — Paramètres de la coopérative… », or an invitation to enter it."""

    coop_saved = Signal(object)

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setObjectName("coopBanner")
        self.setStyleSheet("QFrame#coopBanner { border: 1px solid palette(mid); "
                           "border-radius: 4px; background: palette(base); }")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.button = QPushButton(_("Paramètres de la coopérative…"))
        self.button.clicked.connect(self.edit)
        self.mail_button = QPushButton(_("Envoi des e-mails…"))
        self.mail_button.setToolTip(_("Le serveur par lequel partent les documents envoyés "
                                      "par e-mail"))
        self.mail_button.clicked.connect(self.edit_mail)
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.mail_button)
        self.show_coop(get_coop(db=context.db, actor=context.actor))

    def show_coop(self, coop: CoopDetail | None) -> None:
        if coop is None:
            self.text.setText(_("Aucune coopérative n'est encore enregistrée : commencez par "
                                "saisir son nom, son adresse et ses numéros."))
            self.button.setText(_("Saisir la fiche de la coopérative…"))
        else:
            place = ", ".join(part for part in (coop.legal_form, coop.city) if part)
            self.text.setText(f"{coop.name} — {place}" if place else coop.name)
            self.button.setText(_("Paramètres de la coopérative…"))

    def edit_mail(self) -> None:
        from ui.dialogs.mail_settings import open_mail_settings

        open_mail_settings(self, self._context)

    def edit(self) -> None:
        saved = ask_coop_settings(self, self._context)
        if saved is not None:
            self.show_coop(saved)
            self.coop_saved.emit(saved)


class CoopDashboardPage(DashboardPage):
    """The dashboard, with the co-op's line on top; its figures are read again each time
    it is shown (a newcomer adding producers sees them counted)."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.coop_banner = CoopBanner(context)
        # Lined up with the page's content, which sits inside a scroll area's margins.
        holder = QWidget(self)
        holder_layout = QHBoxLayout(holder)
        holder_layout.setContentsMargins(9, 9, 9, 0)
        holder_layout.addWidget(self.coop_banner)
        layout = self.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, holder)

    def refresh_figures(self) -> None:
        """Read the figures again (on the background queue, as each time the page shows)."""
        self.refresh()


def build_dashboard_page(context: PageContext) -> QWidget:
    return CoopDashboardPage(context)
