"""Producteurs and Produits, from `list_producers` and `list_products`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _
from coopfood.services.lists import ProducerRow, ProductRow, list_producers, list_products
from coopfood.services.producers import archive_producer, delete_producer
from coopfood.services.products import archive_product, delete_product
from ui.dialogs.producer import ask_producer
from ui.dialogs.product import ask_product
from ui.display import MISSING, counted, date_text, money_text, number_text, percent_text, yes_no
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, saved_id


def siret_text(siret: str | None) -> str:
    """'123 456 789 00012': SIREN by threes, then the establishment number."""
    if not siret:
        return MISSING
    if len(siret) != 14 or not siret.isdigit():
        return siret
    return f"{siret[0:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


def producer_columns() -> list[Column[ProducerRow]]:
    return [
        Column(_("Raison sociale"), lambda r: r.name, elide=True),
        Column(_("Forme"), lambda r: r.legal_form, elide=True),
        Column(_("SIRET"), lambda r: siret_text(r.siret)),
        Column(_("Régime de TVA"), lambda r: r.vat_regime.label),
        Column(_("Ville"), lambda r: r.city, elide=True),
        Column(_("Produits"), lambda r: number_text(r.product_count),
               sort_key=lambda r: r.product_count, align=Align.RIGHT),
        Column(_("Autofacturation"),
               lambda r: date_text(r.billing_mandate_date, style="short"),
               sort_key=lambda r: r.billing_mandate_date,
               header_tooltip=_("Date du mandat d'autofacturation, par lequel la "
                                "coopérative établit les factures au nom du producteur")),
    ]


def producer_actions(context: PageContext) -> ListActions[ProducerRow]:
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_producer(parent, context)),
        edit=lambda parent, row: saved_id(ask_producer(parent, context, row.id)),
        archive=lambda row, archived: archive_producer(db=db, actor=actor, producer_id=row.id,
                                                       archived=archived),
        delete=lambda row: delete_producer(db=db, actor=actor, producer_id=row.id),
        describe=lambda row: row.name,
        is_archived=lambda row: row.archived,
        load_all=lambda: list_producers(db=db, actor=actor, include_archived=True),
        import_kind="producers",
        export_kind="producers",
    )


def build_producers_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Producteurs"),
        sort_column=0,
        columns=producer_columns(),
        load=lambda: list_producers(db=context.db, actor=context.actor),
        count=lambda n: counted("{n} producteur", "{n} producteurs", n),
        actions=producer_actions(context),
        context=context,
    )


def product_columns() -> list[Column[ProductRow]]:
    return [
        Column(_("Produit"), lambda r: r.name, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Unité"), lambda r: r.unit.label),
        Column(_("Prix HT"), lambda r: money_text(r.price_ht), sort_key=lambda r: r.price_ht,
               align=Align.RIGHT),
        Column(_("TVA"), lambda r: percent_text(r.vat_rate), sort_key=lambda r: r.vat_rate,
               align=Align.RIGHT),
        Column(_("Poids variable"), lambda r: yes_no(r.variable_weight),
               header_tooltip=_("Vendu au kilo, pesé à la livraison")),
        Column(_("Colisage"), lambda r: number_text(r.case_pack) if r.case_pack else "",
               sort_key=lambda r: r.case_pack, align=Align.RIGHT),
        Column(_("Catégorie"), lambda r: r.category, elide=True),
        Column(_("Label"), lambda r: r.label, elide=True),
    ]


class ProductRows:
    """The products, and which are archived: `ProductRow` does not say it, so the
    list with the archives is compared with the list without."""

    def __init__(self, context: PageContext) -> None:
        self._context = context
        self.archived_ids: frozenset[int] = frozenset()

    def current(self) -> Sequence[ProductRow]:
        return list_products(db=self._context.db, actor=self._context.actor,
                             on=self._context.today())

    def with_archives(self) -> Sequence[ProductRow]:
        every = list_products(db=self._context.db, actor=self._context.actor,
                              on=self._context.today(), include_archived=True)
        live = {row.id for row in self.current()}
        self.archived_ids = frozenset(row.id for row in every if row.id not in live)
        return every

    def is_archived(self, row: ProductRow) -> bool:
        return row.id in self.archived_ids


def product_actions(context: PageContext, rows: ProductRows) -> ListActions[ProductRow]:
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_product(parent, context)),
        edit=lambda parent, row: saved_id(ask_product(parent, context, row.id)),
        archive=lambda row, archived: archive_product(db=db, actor=actor, product_id=row.id,
                                                      archived=archived),
        delete=lambda row: delete_product(db=db, actor=actor, product_id=row.id),
        describe=lambda row: f"{row.name} ({row.producer})",
        is_archived=rows.is_archived,
        load_all=rows.with_archives,
        import_kind="products",
        export_kind="products",
    )


def build_products_page(context: PageContext) -> QWidget:
    rows = ProductRows(context)
    return ListPage(
        title=_("Produits"),
        columns=product_columns(),
        load=rows.current,
        count=lambda n: counted("{n} produit", "{n} produits", n),
        actions=product_actions(context, rows),
        context=context,
    )
