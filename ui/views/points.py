"""Points de distribution, from `list_points`."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _
from coopfood.services.lists import PointRow, list_points
from ui.display import counted, number_text, time_range_text, weekday_name
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListPage


def point_columns() -> list[Column[PointRow]]:
    return [
        Column(_("Nom"), lambda r: r.name),
        Column(_("Adresse"), lambda r: r.address, elide=True),
        Column(_("Ville"), lambda r: r.city),
        Column(_("Jour"), lambda r: weekday_name(r.weekday), sort_key=lambda r: r.weekday),
        Column(_("Horaire"), lambda r: time_range_text(r.start_time, r.end_time),
               sort_key=lambda r: r.start_time.hour * 60 + r.start_time.minute),
        Column(_("Adhérents"), lambda r: number_text(r.member_count),
               sort_key=lambda r: r.member_count, align=Align.RIGHT),
    ]


def build_points_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Points de distribution"),
        sort_column=0,
        columns=point_columns(),
        load=lambda: list_points(db=context.db, actor=context.actor),
        count=lambda n: counted("{n} point de distribution", "{n} points de distribution", n),
    )
