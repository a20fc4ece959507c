"""Adhérents and Trésorerie: the households, from `list_members`."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _
from coopfood.services.lists import MemberRow, list_members
from coopfood.services.members import archive_member, delete_member
from ui.dialogs.member import ask_member
from ui.display import MISSING, counted
from ui.table_model import Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, saved_id


def count_members(n: int) -> str:
    return counted("{n} adhérent", "{n} adhérents", n)


def fee_years_text(row: MemberRow) -> str:
    return ", ".join(str(year) for year in row.fee_years) or MISSING


def _last_fee_year(row: MemberRow) -> int | None:
    return row.fee_years[-1] if row.fee_years else None


def member_columns() -> list[Column[MemberRow]]:
    return [
        Column(_("Nom"), lambda r: r.name),
        Column(_("Co-adhérent"), lambda r: r.co_member_name, elide=True),
        Column(_("Point de distribution"), lambda r: r.point, elide=True),
        Column(_("E-mail"), lambda r: r.email or "", elide=True),
        Column(_("Téléphone"), lambda r: r.phone),
        Column(_("Ville"), lambda r: r.city, elide=True),
        Column(_("Référence"), lambda r: r.payment_reference,
               header_tooltip=_("Référence de paiement, à rappeler sur les virements")),
        Column(_("Cotisations"), fee_years_text, sort_key=_last_fee_year,
               header_tooltip=_("Années de cotisation payées")),
    ]


def member_actions(context: PageContext) -> ListActions[MemberRow]:
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_member(parent, context)),
        edit=lambda parent, row: saved_id(ask_member(parent, context, row.id)),
        archive=lambda row, archived: archive_member(db=db, actor=actor, member_id=row.id,
                                                     archived=archived),
        delete=lambda row: delete_member(db=db, actor=actor, member_id=row.id),
        describe=lambda row: row.name,
        is_archived=lambda row: row.archived,
        load_all=lambda: list_members(db=db, actor=actor, include_archived=True),
        import_kind="members",
        export_kind="members",
    )


def build_members_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Adhérents"),
        sort_column=0,
        columns=member_columns(),
        load=lambda: list_members(db=context.db, actor=context.actor),
        count=count_members,
        actions=member_actions(context),
        context=context,
    )


def treasury_columns() -> list[Column[MemberRow]]:
    return [
        Column(_("Adhérent"), lambda r: r.name),
        Column(_("Référence de paiement"), lambda r: r.payment_reference),
        Column(_("Cotisations payées"), fee_years_text, sort_key=_last_fee_year),
        Column(_("Point de distribution"), lambda r: r.point, elide=True),
        Column(_("E-mail"), lambda r: r.email or "", elide=True),
    ]


def build_treasury_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Trésorerie"),
        sort_column=0,
        note=_(
            "La référence de paiement de chaque foyer figure sur ses relevés ; "
            "elle permet de reconnaître ses virements sur le relevé bancaire."
        ),
        columns=treasury_columns(),
        load=lambda: list_members(db=context.db, actor=context.actor),
        count=count_members,
        # A household's fees are recorded in its record: « Modifier… » opens it.
        actions=ListActions(edit=lambda parent, row: saved_id(
            ask_member(parent, context, row.id)), edit_label=_("Cotisations…")),
        context=context,
    )
