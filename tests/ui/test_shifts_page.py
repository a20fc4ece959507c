"""The « Permanences » and « Partage de la valeur » pages, driven like a user would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from icalendar import Calendar
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import list_members
from coopfood.services.shifts import point_shifts
from tests.ui.conftest import TODAY
from tests.ui.drive import (
    Answers,
    check_model,
    click,
    play_dialogs,
    type_into_combo,
    wait_idle,
)
from ui.views.context import PageContext
from ui.views.shifts import CalendarDialog, MemberDialog, RolesDialog, ShiftsPage
from ui.views.value_sharing import ValueSharingPage

if TYPE_CHECKING:
    import pytest
    from pytestqt.modeltest import ModelTester

#: The demo's open distribution (3 December 2026) and the point « Biocoop du Plateau ».
OPEN_CYCLE = 8
POINT = 3


def _page(qtbot: QtBot, db: Database) -> ShiftsPage:
    page = ShiftsPage(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    page.chooser.choose(OPEN_CYCLE, POINT)
    return page


def _texts(page: ShiftsPage) -> list[tuple[str, str]]:
    return [(page.model.cell_text(r, 0), page.model.cell_text(r, 1))
            for r in range(page.model.rowCount())]


def _free_household(db: Database) -> tuple[int, str]:
    """A household of the point holding no place at the open distribution."""
    taken = {s.member_id for s in point_shifts(db=db, actor=LOCAL_ADMIN, cycle_id=OPEN_CYCLE,
                                               point_id=POINT).slots}
    row = next(r for r in list_members(db=db, actor=LOCAL_ADMIN, point_id=POINT)
               if r.id not in taken)
    return row.id, row.name


def _ok(dialog: QDialog) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    assert ok is not None
    click(ok)


def test_sign_up_a_household_and_the_table_shows_it(
        qtbot: QtBot, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
        answers: Answers, qtmodeltester: ModelTester) -> None:
    page = _page(qtbot, demo_db_copy)
    before = _texts(page)
    assert ("Installation", "à pourvoir") in before
    check_model(qtmodeltester, page.model)
    # The first place to fill is chosen already: « Inscrire… » is ready.
    assert page.selected_slot() is not None and not page.selected_slot().filled  # type: ignore[union-attr]
    assert page.sign_up_button.isEnabled() and not page.withdraw_button.isEnabled()
    member_id, name = _free_household(demo_db_copy)

    def choose_household(dialog: QDialog) -> None:
        assert isinstance(dialog, MemberDialog)
        type_into_combo(dialog.member, name)
        assert dialog.member.value() == member_id
        _ok(dialog)

    play_dialogs(monkeypatch, qtbot, choose_household)
    assert page.select_open_place("Installation")
    click(page.sign_up_button)
    wait_idle(qtbot)
    assert ("Installation", name) in _texts(page)
    assert page.status.text() == "Foyer inscrit à la permanence « Installation »."
    assert answers.errors == []

    # The same household for another place of the same distribution: refused, in French.
    play_dialogs(monkeypatch, qtbot, choose_household)
    assert page.select_open_place("Caisse")
    click(page.sign_up_button)
    wait_idle(qtbot)
    assert len(answers.errors) == 1
    assert "un foyer ne prend qu'une place par distribution" in answers.errors[0]

    # Withdrawn, the place is to fill again.
    row = next(r for r in range(page.proxy.rowCount())
               if page.proxy.row_at(r).member_id == member_id)
    page.table.selectRow(row)
    assert page.withdraw_button.isEnabled()
    click(page.withdraw_button)
    wait_idle(qtbot)
    assert answers.asked and name in answers.asked[-1]
    assert _texts(page) == before


def test_roles_dialog_adds_a_role(qtbot: QtBot, demo_db_copy: Database,
                                  monkeypatch: pytest.MonkeyPatch, answers: Answers) -> None:
    page = _page(qtbot, demo_db_copy)

    def more_places(dialog: QDialog) -> None:
        assert isinstance(dialog, RolesDialog)
        assert set(dialog.spins) == {"Installation", "Distribution", "Caisse"}
        dialog.spins["Distribution"].setValue(3)
        dialog.new_role.setText("Accueil & café ☕")
        _ok(dialog)

    play_dialogs(monkeypatch, qtbot, more_places)
    click(page.roles_button)
    wait_idle(qtbot)
    roles = [role for role, _holder in _texts(page)]
    assert roles.count("Distribution") == 3
    assert "Accueil & café ☕" in roles
    assert page.summary.text().startswith("4 places à pourvoir sur 6")


def test_print_the_roster_and_export_a_calendar(
        qtbot: QtBot, demo_db: Database, monkeypatch: pytest.MonkeyPatch, answers: Answers,
        tmp_path: Path) -> None:
    page = _page(qtbot, demo_db)
    answers.save_file = tmp_path / "planning.pdf"
    play_dialogs(monkeypatch, qtbot, _ok)
    click(page.print_button)
    wait_idle(qtbot)
    assert page.last_roster is not None
    assert (tmp_path / "planning.pdf").read_bytes().startswith(b"%PDF")
    assert "Planning enregistré" in page.status.text()

    answers.save_file = tmp_path / "biocoop.ics"

    def this_point(dialog: QDialog) -> None:
        assert isinstance(dialog, CalendarDialog)
        assert dialog.for_point.isChecked() and dialog.point.value() == POINT
        _ok(dialog)

    play_dialogs(monkeypatch, qtbot, this_point)
    click(page.calendar_button)
    wait_idle(qtbot)
    events = Calendar.from_ical((tmp_path / "biocoop.ics").read_bytes()).walk("VEVENT")
    assert len(events) == 8
    assert page.status.text() == f"8 événements enregistrés dans {tmp_path / 'biocoop.ics'}."


def test_participation_tab(qtbot: QtBot, demo_db: Database, answers: Answers) -> None:
    page = _page(qtbot, demo_db)
    page.tabs.setCurrentWidget(page.participation_tab)
    tab = page.participation_tab
    assert tab.season.currentText() == "2026–2027"
    assert tab.model.rowCount() == 150
    assert "2 permanences attendues par foyer" in tab.summary.text()
    done = sum(int(tab.model.cell_text(r, 2)) for r in range(tab.model.rowCount()))
    assert done > 0
    tab.only_missing.setCurrentIndex(1)
    assert 0 < tab.model.rowCount() <= 150


def test_value_page_shows_the_split_and_writes_the_report(
        qtbot: QtBot, demo_db: Database, answers: Answers, tmp_path: Path) -> None:
    page = ValueSharingPage(PageContext(db=demo_db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    page.choose_period(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    wait_idle(qtbot)
    assert page.sharing is not None and page.sharing.period.label == "novembre 2026"
    assert page.sentence.text().startswith("Sur 100")
    assert "aux producteurs" in page.sentence.text()
    assert page.producer_model.rowCount() == len(page.sharing.producers) + 1
    assert page.producer_model.cell_text(page.producer_model.rowCount() - 1, 0) == (
        "Toute la coopérative")
    assert page.product_model.rowCount() == len(page.sharing.products)
    assert page.chart.bars[0][0] == "Toute la coopérative"
    assert not page.chart.grab().isNull()
    answers.save_file = tmp_path / "ag.pdf"
    click(page.print_button)
    wait_idle(qtbot)
    assert (tmp_path / "ag.pdf").read_bytes().startswith(b"%PDF")
    assert answers.infos[-1] == f"Rapport enregistré dans {tmp_path / 'ag.pdf'}."
    answers.save_file = tmp_path / "ag.xlsx"
    click(page.export_button)
    wait_idle(qtbot)
    assert (tmp_path / "ag.xlsx").stat().st_size > 0
