"""Paramètres de la coopérative: the dialog's entry point, and the dashboard's line that
names the co-op and opens its settings (a co-op starting from nothing begins there)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QBoxLayout, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from coopfood.i18n import _
from coopfood.services.coop import CoopDetail, CoopInput, get_coop, save_coop
from coopfood.services.lists import list_members, list_points, list_producers, list_products
from ui.dialogs.coop import CoopDialog
from ui.display import counted, number_text
from ui.views.context import PageContext
from ui.views.dashboard import DashboardPage
from ui.views.list_page import data_generation


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
        layout = QHBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.button)
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

    def edit(self) -> None:
        saved = ask_coop_settings(self, self._context)
        if saved is not None:
            self.show_coop(saved)
            self.coop_saved.emit(saved)


class CoopDashboardPage(DashboardPage):
    """The dashboard, with the co-op's line on top; its figures follow what the other
    pages write (a newcomer adding producers sees them counted)."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._figures_context = context
        self._generation = data_generation()
        self.coop_banner = CoopBanner(context)
        # Lined up with the page's content, which sits inside a scroll area's margins.
        holder = QWidget(self)
        holder_layout = QHBoxLayout(holder)
        holder_layout.setContentsMargins(9, 9, 9, 0)
        holder_layout.addWidget(self.coop_banner)
        layout = self.layout()
        if isinstance(layout, QBoxLayout):
            layout.insertWidget(0, holder)


    def showEvent(self, event: QShowEvent) -> None:
        if self._generation != data_generation():
            self._generation = data_generation()
            self.refresh_figures()
        super().showEvent(event)

    def refresh_figures(self) -> None:
        db, actor = self._figures_context.db, self._figures_context.actor
        figures = {
            "members": (len(list_members(db=db, actor=actor)), "adhérent", "adhérents"),
            "producers": (len(list_producers(db=db, actor=actor)), "producteur", "producteurs"),
            "products": (len(list_products(db=db, actor=actor)), "produit", "produits"),
            "points": (len(list_points(db=db, actor=actor)), "point de distribution",
                       "points de distribution"),
        }
        for key, (count, singular, plural) in figures.items():
            tile = self.tiles.get(key)
            if tile is not None:
                tile.value.setText(number_text(count))
                tile.caption.setText(counted(singular, plural, count))
                tile.setAccessibleName(f"{tile.value.text()} {tile.caption.text()}")


def build_dashboard_page(context: PageContext) -> QWidget:
    return CoopDashboardPage(context)
