"""Households from the window: edited in their dialog, fees recorded, archived when a delete
is refused."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import MemberRow, list_members
from coopfood.services.members import fees_of, get_member
from tests.imports.support import dump
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_idle
from ui.dialogs.member import FeeDialog, MemberDialog
from ui.main_window import MainWindow
from ui.views.list_page import ListPage


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def members_page(window: MainWindow) -> ListPage[MemberRow]:
    window.show_section("members")
    page = window.page("members")
    assert isinstance(page, ListPage)
    return page


def test_a_member_edited_in_its_dialog_shows_in_the_list(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = members_page(window)
    target = page.visible_rows()[5]

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, MemberDialog)
        assert dialog.windowTitle() == f"Adhérent — {target.name}"
        assert dialog.print_phone.text() == "Imprimer le téléphone sur les feuilles"
        type_into(dialog.phone, "0478123456")
        type_into(dialog.co_member_name, "Zoé <Martin> & fils 🍞")
        dialog.print_phone.setChecked(True)
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.table.setFocus()
    assert page.select(target.id)
    QTest.keyClick(page.table, Qt.Key.Key_Return)  # Enter opens the selected household

    row = page.selected_row()
    assert row is not None and row.id == target.id
    assert (row.phone, row.co_member_name) == ("04 78 12 34 56", "Zoé <Martin> & fils 🍞")
    shown = page.table.currentIndex().row()
    assert page.table.model().index(shown, 1).data() == "Zoé <Martin> & fils 🍞"
    assert page.table.model().index(shown, 4).data() == "04 78 12 34 56"
    assert get_member(db=demo_db_copy, actor=LOCAL_ADMIN, member_id=target.id).print_phone


def test_a_bad_email_is_shown_next_to_its_field(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = members_page(window)
    state = dump(demo_db_copy)
    shown: dict[str, str] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, MemberDialog)
        type_into(dialog.last_name, "Nouveau")
        type_into(dialog.email, "pas-une-adresse@")
        click(dialog.ok_button)
        wait_idle()
        shown.update(dialog.shown_errors())
        dialog.reject()

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()
    assert shown == {"email": "Adresse e-mail « pas-une-adresse@ » invalide."}
    assert dump(demo_db_copy) == state


def test_a_fee_is_recorded_from_the_member_dialog(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = members_page(window)
    target = next(row for row in page.visible_rows() if 2026 in row.fee_years)
    years: list[list[str]] = []

    def fee_of_a_year_already_paid(dialog: QDialog) -> None:
        assert isinstance(dialog, FeeDialog)
        dialog.year.setValue(2026)
        type_into(dialog.amount, "12,50")
        click(dialog.ok_button)
        wait_idle()
        assert dialog.isVisible()
        assert dialog.shown_errors()["year"].startswith(
            f"La cotisation 2026 de {target.name} est déjà enregistrée")
        dialog.year.setValue(2027)
        click(dialog.ok_button)

    def member(dialog: QDialog) -> None:
        assert isinstance(dialog, MemberDialog)
        assert dialog.record_fee_button.text() == "Enregistrer une cotisation…"
        click(dialog.record_fee_button)
        model = dialog.fee_model
        years.append([model.cell_text(r, 0) for r in range(model.rowCount())])
        assert model.cell_text(0, 1) == "12,50\u00a0€"
        dialog.reject()

    play_dialogs(monkeypatch, qtbot, member, fee_of_a_year_already_paid)
    page.edit_row(target)

    assert years[0][0] == "2027"
    fees = fees_of(db=demo_db_copy, actor=LOCAL_ADMIN, member_id=target.id)
    assert [(f.year, f.amount) for f in fees if f.year == 2027] == [(2027, Decimal("12.50"))]
    # The list says it too, though the household's dialog was closed with « Annuler ».
    assert 2027 in next(r for r in list_members(db=demo_db_copy, actor=LOCAL_ADMIN)
                        if r.id == target.id).fee_years
    row = page.selected_row()
    assert row is not None and row.id == target.id and 2027 in row.fee_years


def test_a_member_with_orders_is_archived_instead_of_deleted(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, answers: Answers
) -> None:
    page = members_page(window)
    target = page.visible_rows()[0]
    page.select(target.id)
    page.delete_action.trigger()
    wait_idle()

    [_question, reason] = answers.asked
    assert reason.startswith(f"{target.name} a ")
    assert "archivez-le plutôt que de le supprimer" in reason
    assert target.id not in {row.id for row in page.model.rows()}
    assert get_member(db=demo_db_copy, actor=LOCAL_ADMIN, member_id=target.id).archived
    page.show_archived.setChecked(True)
    assert page.select(target.id)
    assert page.archive_action.text() == "Désarchiver"
