"""Contrats: the AMAP season contracts, from `list_contracts`."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _
from coopfood.services.contracts import (
    ContractRow,
    archive_contract,
    delete_contract,
    list_contracts,
)
from ui.dialogs.contract import ask_contract
from ui.display import counted, date_text, money_text
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, saved_id


def season_text(row: ContractRow) -> str:
    """« oct. 2026 – mars 2027 »: the exact days are in the cell's tooltip."""
    return f"{date_text(row.season_start, style='MMM yyyy')} – " \
           f"{date_text(row.season_end, style='MMM yyyy')}"


def contract_columns() -> list[Column[ContractRow]]:
    return [
        Column(_("Adhérent"), lambda r: r.member, elide=True),
        Column(_("Co-adhérent"), lambda r: r.co_member, elide=True),
        Column(_("Panier"), lambda r: r.basket_type, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Point"), lambda r: r.point, elide=True,
               header_tooltip=_("Point de distribution")),
        Column(_("Saison"), season_text, sort_key=lambda r: r.season_start,
               tooltip=lambda r: _("du {start} au {end}").format(
                   start=date_text(r.season_start), end=date_text(r.season_end))),
        Column(_("Fréquence"), lambda r: r.frequency_label),
        Column(_("Prix du panier"), lambda r: money_text(r.price_per_basket),
               sort_key=lambda r: r.price_per_basket, align=Align.RIGHT),
    ]


def contract_actions(context: PageContext) -> ListActions[ContractRow]:
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_contract(parent, context)),
        edit=lambda parent, row: saved_id(ask_contract(parent, context, row.id)),
        archive=lambda row, archived: archive_contract(db=db, actor=actor, contract_id=row.id,
                                                       archived=archived),
        delete=lambda row: delete_contract(db=db, actor=actor, contract_id=row.id),
        describe=lambda row: _("contrat {basket} de {member}").format(
            basket=row.basket_type, member=row.member),
        is_archived=lambda row: row.archived,
        load_all=lambda: list_contracts(db=db, actor=actor, include_archived=True),
    )


def build_contracts_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Contrats"),
        columns=contract_columns(),
        load=lambda: list_contracts(db=context.db, actor=context.actor),
        count=lambda n: counted("{n} contrat", "{n} contrats", n),
        actions=contract_actions(context),
        context=context,
    )
