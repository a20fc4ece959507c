"""« Ajouter des produits… » to a distribution's offer: products found by typing, several
chosen at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass

from PySide6.QtWidgets import QAbstractItemView, QLabel, QLineEdit, QWidget

from coopfood.i18n import _
from coopfood.services import ServiceError, ValidationError
from coopfood.services.cycles import set_offer
from coopfood.services.lists import ProductRow, list_products
from ui.dialogs.form import FormDialog
from ui.display import counted, money_text, number_text
from ui.table_model import Align, Column, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, ListModel, make_table_view


@dataclass(frozen=True)
class OfferAdded:
    """What adding products did: the names added, and the French refusals."""

    added: tuple[str, ...]
    refused: tuple[str, ...]

    def summary(self) -> str:
        text = counted("{n} produit ajouté à l'offre.", "{n} produits ajoutés à l'offre.",
                       len(self.added))
        if self.refused:
            text += " " + _("Refusés : {reasons}").format(reasons=" ; ".join(self.refused))
        return text


def product_columns() -> list[Column[ProductRow]]:
    return [
        Column(_("Produit"), lambda r: r.name, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Catégorie"), lambda r: r.category),
        Column(_("Unité"), lambda r: r.unit.label),
        Column(_("Prix HT"), lambda r: money_text(r.price_ht), sort_key=lambda r: r.price_ht,
               align=Align.RIGHT),
        Column(_("Colis"), lambda r: number_text(r.case_pack) if r.case_pack else "",
               align=Align.RIGHT),
    ]


class AddProductsDialog(FormDialog[tuple[int, ...]]):
    def __init__(self, parent: QWidget | None, *, products: list[ProductRow],
                 save: Callable[[tuple[int, ...]], object] | None) -> None:
        super().__init__(parent, title=_("Ajouter des produits à l'offre"), save=save,
                         ok_text=_("Ajouter"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher un produit, un producteur, une "
                                         "catégorie…"))
        self.search.setClearButtonEnabled(True)
        self.model: ListModel[ProductRow] = ListModel(product_columns(), self)
        self.model.set_rows(products)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        hint = QLabel(_("Choisissez un ou plusieurs produits (Ctrl+clic, Maj+clic). Ne sont "
                        "listés que les produits actifs qui ne sont pas déjà proposés."))
        hint.setWordWrap(True)
        hint.setObjectName("fieldHint")
        self.body.addWidget(self.search)
        self.body.addWidget(hint)
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.error_slot("product_ids", self.table))
        self.search.textChanged.connect(self.proxy.set_search)
        self.resize(820, 560)
        ColumnFitter(self.table, product_columns())  # once shown, at the width it has

    def chosen(self) -> tuple[int, ...]:
        rows = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return tuple(self.proxy.row_at(row).id for row in rows)

    def select_products(self, product_ids: Collection[int]) -> None:
        """Choose these products (for tests, as a user's Ctrl+clicks)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row in range(self.proxy.rowCount()):
            if self.proxy.row_at(row).id in product_ids:
                selection.select(self.proxy.index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def collect(self) -> tuple[int, ...]:
        chosen = self.chosen()
        if not chosen:
            raise ValidationError(_("Choisissez au moins un produit dans la liste."),
                                  field="product_ids")
        return chosen


def ask_products(parent: QWidget | None, context: PageContext, *, cycle_id: int,
                 date: dt.date, offered: Collection[int]) -> OfferAdded | None:
    """Choose products to offer in a distribution and add them; None if the user gave up."""
    db, actor = context.db, context.actor
    products = [p for p in list_products(db=db, actor=actor, on=date)
                if p.active and p.id not in offered]
    names = {p.id: p.name for p in products}

    def save(product_ids: tuple[int, ...]) -> OfferAdded:
        added: list[str] = []
        refused: list[str] = []
        for product_id in product_ids:  # one transaction each: a refusal keeps the others
            try:
                set_offer(db=db, actor=actor, cycle_id=cycle_id, product_id=product_id)
            except ServiceError as error:
                refused.append(str(error))
            else:
                added.append(names.get(product_id, str(product_id)))
        return OfferAdded(added=tuple(added), refused=tuple(refused))

    dialog = AddProductsDialog(parent, products=products, save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, OfferAdded) else None
