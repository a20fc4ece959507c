"""Distributions, Commandes and Documents: the cycles, from `list_cycles`."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _, format_datetime
from coopfood.services.lists import CycleRow, list_cycles
from ui.display import MISSING, counted, date_text, for_screen, money_text, number_text
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListPage


def count_cycles(n: int) -> str:
    return counted("{n} distribution", "{n} distributions", n)


def points_text(row: CycleRow) -> str:
    return ", ".join(row.points) or MISSING


def deadline_text(row: CycleRow) -> str:
    if row.order_deadline is None:
        return MISSING
    return for_screen(format_datetime(row.order_deadline))


def date_column() -> Column[CycleRow]:
    return Column(_("Date"), lambda r: date_text(r.date), sort_key=lambda r: r.date,
                  tooltip=lambda r: " — ".join(t for t in (date_text(r.date, style="full"), r.name)
                                                if t))


def orders_column() -> Column[CycleRow]:
    return Column(_("Commandes"), lambda r: number_text(r.order_count),
                  sort_key=lambda r: r.order_count, align=Align.RIGHT)


def amount_column() -> Column[CycleRow]:
    return Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
                  align=Align.RIGHT,
                  header_tooltip=_("Ce que paient les adhérents : quantités livrées si elles "
                                   "sont saisies, commandées sinon"))


def state_column() -> Column[CycleRow]:
    return Column(_("État"), lambda r: r.state.label)


def points_column() -> Column[CycleRow]:
    return Column(_("Points de distribution"), points_text, elide=True)


def _load(context: PageContext) -> list[CycleRow]:
    return list_cycles(db=context.db, actor=context.actor)


def build_distributions_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Distributions"),
        columns=[date_column(), points_column(), state_column(), orders_column(),
                 amount_column()],
        load=lambda: _load(context),
        count=count_cycles,
    )


def build_orders_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Commandes"),
        note=_("Les commandes des adhérents sont rangées par distribution : voici, pour "
               "chaque distribution, le nombre de commandes et leur montant."),
        columns=[date_column(), state_column(),
                 Column(_("Fin des commandes"), deadline_text,
                        sort_key=lambda r: r.order_deadline),
                 orders_column(), amount_column()],
        load=lambda: _load(context),
        count=count_cycles,
    )


def build_documents_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Documents"),
        note=_("Les documents (feuilles d'émargement, listes de préparation des producteurs, "
               "étiquettes) se préparent pour une distribution et ses points de distribution."),
        columns=[date_column(), points_column(), state_column(), orders_column()],
        load=lambda: _load(context),
        count=count_cycles,
    )
