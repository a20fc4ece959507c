"""Trésorerie › Soldes: the households' balances, a household's statement, statements in PDF."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, Role, ledger
from tests.services.invoicing_support import pdf_text
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, check_model, click, play_dialogs, type_into, wait_idle
from ui.display import fold
from ui.views import treasury_balances
from ui.views.context import PageContext
from ui.views.treasury_balances import StatementDialog, StatementsDialog, TreasuryBalancesTab


def make_tab(qtbot: QtBot, db: Database, actor: Actor = LOCAL_ADMIN) -> TreasuryBalancesTab:
    tab = TreasuryBalancesTab(PageContext(db=db, actor=actor, today=lambda: TODAY))
    qtbot.addWidget(tab)
    tab.resize(1200, 700)
    tab.show()
    return tab


@pytest.fixture
def tab(qtbot: QtBot, demo_db: Database) -> TreasuryBalancesTab:
    return make_tab(qtbot, demo_db)


def test_every_household_with_a_totals_line(tab: TreasuryBalancesTab, demo_db: Database,
                                            qtmodeltester: object) -> None:
    check_model(qtmodeltester, tab.household_proxy)  # type: ignore[arg-type]
    rows = ledger.member_balances(db=demo_db, actor=LOCAL_ADMIN, as_of=TODAY)
    assert tab.household_proxy.rowCount() == len(rows) == 150
    owed = sum((r.balance for r in rows if r.balance > 0), Decimal(0))
    assert fold(tab.totals.text()).startswith(fold(
        f"150 foyers — à recevoir : {owed:,.2f} €".replace(",", " ").replace(".", ",")))
    headers = [tab.household_model.headerData(i, Qt.Orientation.Horizontal) for i in range(
        tab.household_model.columnCount())]
    assert headers[:6] == ["Foyer", "Référence", "Point", "Dû", "Payé", "Solde"]

    tab.only_open.setChecked(True)
    shown = tab.visible_rows()
    assert shown and all(row.balance for row in shown)
    assert len(shown) == sum(1 for r in rows if r.balance)
    assert tab.totals.text().startswith(f"{len(shown)} foyers")

    type_into(tab.search, "adh-0001")
    assert [row.reference for row in tab.visible_rows()] == ["ADH-0001"]
    tab.search.clear()
    tab.only_open.setChecked(False)
    tab.point_combo.setCurrentIndex(1)
    point = tab.point_combo.currentText()
    assert {row.point_name for row in tab.visible_rows()} == {point}
    assert tab.household_proxy.rowCount() < 150


def test_a_double_click_shows_the_statement_and_prints_it(
        qtbot: QtBot, tab: TreasuryBalancesTab, answers: Answers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    type_into(tab.search, "ADH-0001")
    row = tab.visible_rows()[0]
    answers.save_file = tmp_path / "releve.pdf"

    def read(dialog: QDialog) -> None:
        assert isinstance(dialog, StatementDialog)
        assert dialog.windowTitle() == f"Relevé de compte — {row.name}"
        assert dialog.statement is not None
        assert dialog.model.rowCount() == len(dialog.statement.movements) > 3
        assert dialog.statement.closing_balance == row.balance
        amount = f"{row.balance:.2f}".replace(".", ",")
        assert fold(dialog.closing.text()) == fold(f"Vous devez {amount} € au 26 novembre 2026")
        click(dialog.print_button)
        assert "Relevé enregistré dans" in dialog.status.text()

    play_dialogs(monkeypatch, qtbot, read)
    index = tab.household_proxy.index(0, 0)
    tab.household_table.doubleClicked.emit(index)
    text = pdf_text(answers.save_file.read_bytes())
    assert row.name in text and "Vous devez" in text and row.reference in text


def test_statements_in_pdf_for_the_selected_households(
        qtbot: QtBot, tab: TreasuryBalancesTab, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    selection = tab.household_table.selectionModel()
    for number in (0, 2):
        selection.select(tab.household_proxy.index(number, 0),
                         QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    chosen = {row.member_id for row in tab.selected_rows()}
    folder = tmp_path / "relevés"
    monkeypatch.setattr(treasury_balances, "choose_folder", lambda parent, title: folder)

    def choose(dialog: QDialog) -> None:
        assert isinstance(dialog, StatementsDialog)
        assert dialog.selected_only.isChecked() and "2 foyers" in dialog.selected_only.text()
        click(dialog.ok)  # no folder yet: told so
        assert dialog.error.text() == "Choisissez le dossier où écrire les relevés."
        dialog._browse()
        assert dialog.folder.text() == str(folder)
        click(dialog.ok)

    play_dialogs(monkeypatch, qtbot, choose)
    click(tab.statements_button)
    wait_idle(qtbot)
    assert {w.member_id for w in tab.written} == chosen
    assert len(list(folder.iterdir())) == 2
    assert tab.status.text().startswith("2 relevés écrits") and str(folder) in tab.status.text()


def test_producers_balances_and_a_coordinators_view(qtbot: QtBot, tab: TreasuryBalancesTab,
                                                    demo_db: Database,
                                                    qtmodeltester: object) -> None:
    tab.producers_button.setChecked(True)
    assert tab.stack.currentIndex() == 1 and not tab.statements_button.isEnabled()
    assert tab.producer_proxy.rowCount() == 12
    check_model(qtmodeltester, tab.producer_proxy)  # type: ignore[arg-type]
    assert tab.totals.text().startswith("12 producteurs — la coopérative leur doit ")
    assert not tab.grab().isNull()  # drawn without error

    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR, point_ids=frozenset({1}))
    theirs = make_tab(qtbot, demo_db, coordinator)
    assert not theirs.producers_button.isVisible()
    points = {row.point_name for row in theirs.visible_rows()}
    assert len(points) == 1 and theirs.household_proxy.rowCount() < 150
    assert theirs.point_combo.count() == 2  # « Tous les points » and its own
