"""Points de distribution, from `list_points`."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _
from coopfood.services.lists import PointRow, list_points
from coopfood.services.points import archive_point, delete_point
from ui.dialogs.point import ask_point
from ui.display import counted, number_text, time_range_text, weekday_name
from ui.table_model import Align, Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, saved_id


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


def point_actions(context: PageContext) -> ListActions[PointRow]:
    # No « Afficher les archives » here: `list_points` lists only the points in use,
    # so an archived point cannot be shown again (nor brought back) from the window.
    db, actor = context.db, context.actor
    return ListActions(
        new=lambda parent: saved_id(ask_point(parent, context)),
        edit=lambda parent, row: saved_id(ask_point(parent, context, row.id)),
        archive=lambda row, archived: archive_point(db=db, actor=actor, point_id=row.id,
                                                    archived=archived),
        delete=lambda row: delete_point(db=db, actor=actor, point_id=row.id),
        describe=lambda row: row.name,
    )


def build_points_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Points de distribution"),
        sort_column=0,
        columns=point_columns(),
        load=lambda: list_points(db=context.db, actor=context.actor),
        count=lambda n: counted("{n} point de distribution", "{n} points de distribution", n),
        actions=point_actions(context),
        context=context,
    )
