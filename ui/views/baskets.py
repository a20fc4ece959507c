"""Paniers: the AMAP basket types, their price and their weekly composition."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.domain.vat import price_with_vat
from coopfood.i18n import _
from coopfood.services.baskets import archive_basket_type, delete_basket_type
from coopfood.services.lists import BasketTypeRow, list_basket_types
from ui.dialogs.basket import ask_basket_type, ask_composition
from ui.display import counted, money_text, number_text, percent_text
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, RowAction, saved_id


def basket_columns() -> list[Column[BasketTypeRow]]:
    return [
        Column(_("Type de panier"), lambda r: r.name, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Prix HT"), lambda r: money_text(r.price_ht), sort_key=lambda r: r.price_ht,
               align=Align.RIGHT),
        Column(_("TVA"), lambda r: percent_text(r.vat_rate), sort_key=lambda r: r.vat_rate,
               align=Align.RIGHT),
        Column(_("Prix TTC"), lambda r: money_text(price_with_vat(r.price_ht, r.vat_rate)),
               sort_key=lambda r: r.price_ht, align=Align.RIGHT),
        Column(_("Contrats"), lambda r: number_text(r.contract_count),
               sort_key=lambda r: r.contract_count, align=Align.RIGHT,
               header_tooltip=_("Contrats en cours pour ce panier")),
    ]


def basket_actions(context: PageContext) -> ListActions[BasketTypeRow]:
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_basket_type(parent, context)),
        edit=lambda parent, row: saved_id(ask_basket_type(parent, context, row.id)),
        archive=lambda row, archived: archive_basket_type(
            db=db, actor=actor, basket_type_id=row.id, archived=archived),
        delete=lambda row: delete_basket_type(db=db, actor=actor, basket_type_id=row.id),
        describe=lambda row: row.name,
        is_archived=lambda row: row.archived,
        load_all=lambda: list_basket_types(db=db, actor=actor, include_archived=True),
        extra=(RowAction(_("Composition de la semaine…"),
                         lambda parent, row: ask_composition(parent, context, row.id,
                                                             row.name)),),
    )


def build_baskets_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Paniers"),
        note=_("Les types de panier des contrats AMAP ; leur contenu se saisit semaine par "
               "semaine et s'imprime sur les feuilles de distribution."),
        columns=basket_columns(),
        load=lambda: list_basket_types(db=context.db, actor=context.actor),
        count=lambda n: counted("{n} type de panier", "{n} types de panier", n),
        actions=basket_actions(context),
        context=context,
    )
