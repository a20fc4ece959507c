"""Distribution points from the window."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import PointRow, list_points
from tests.ui.conftest import TODAY
from tests.ui.drive import click, play_dialogs, type_into, wait_idle
from ui.dialogs.point import PointDialog
from ui.main_window import MainWindow
from ui.views.list_page import ListPage


def test_a_point_whose_slot_ends_before_it_starts_is_refused_at_the_time(
    qtbot: QtBot, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show_section("points")
    page = window.page("points")
    assert isinstance(page, ListPage)
    shown: list[dict[str, str]] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, PointDialog)
        assert [dialog.weekday.itemText(i) for i in range(7)] == [
            "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        type_into(dialog.name, "Gymnase Jean-Moulin")
        type_into(dialog.city, "Écully")
        dialog.weekday.set_value(4)
        dialog.start_time.setTime(QTime(18, 0))
        dialog.end_time.setTime(QTime(17, 0))
        click(dialog.ok_button)
        wait_idle()
        shown.append(dialog.shown_errors())
        dialog.end_time.setTime(QTime(19, 45))
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()

    assert shown == [{"end_time": "L'heure de fin (17:00) doit suivre l'heure de début "
                                  "(18:00)."}]
    row: PointRow | None = page.selected_row()
    assert row is not None
    assert (row.name, row.city, row.weekday, row.end_time) == (
        "Gymnase Jean-Moulin", "Écully", 4, dt.time(19, 45))
    shown_row = page.table.currentIndex().row()
    assert page.table.model().index(shown_row, 3).data() == "vendredi"
    assert page.table.model().index(shown_row, 4).data() == "18:00–19:45"
    assert len(list_points(db=demo_db_copy, actor=LOCAL_ADMIN)) == page.model.rowCount()
    # No « Afficher les archives »: the points' list service has no archives to show.
    assert page.show_archived.parent() is None or not page.show_archived.isVisibleTo(page)
