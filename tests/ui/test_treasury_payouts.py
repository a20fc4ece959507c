"""Trésorerie › « Paiements producteurs »: tick, pay by SEPA file, cancel, export the journal."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.banking.sepa import read_transfer_file
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import BankLine, BankMatch, BankStatement
from coopfood.services import LOCAL_ADMIN, invoicing, payouts
from tests.services.invoicing_support import (
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)
from tests.ui.drive import Answers, click, play_dialogs, wait_idle
from ui.views.context import PageContext
from ui.views.treasury_payouts import JournalDialog, PayableModel, PayoutsTab

#: October's invoices are overdue on this day, November's are not yet due.
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def db(demo_db_copy: Database) -> Database:
    producers = [producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True),
                 producer_id(demo_db_copy, regime=VatRegime.FRANCHISE, mandate=False)]
    for month, issued in (("2026-10", dt.date(2026, 10, 31)),
                          ("2026-11", dt.date(2026, 11, 30))):
        invoicing.issue_invoices(db=demo_db_copy, actor=LOCAL_ADMIN,
                                 period=invoicing.month_period(month), producer_ids=producers,
                                 issue_date=issued, processes=1)
    return demo_db_copy


@pytest.fixture
def tab(qtbot: QtBot, db: Database) -> PayoutsTab:
    widget = PayoutsTab(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1200, 720)
    widget.show()
    return widget


def _tick(tab: PayoutsTab, row: int) -> None:
    index = tab.model.index(row, PayableModel.CHECK)
    assert tab.model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)


def test_invoices_to_pay_with_the_overdue_ones_highlighted(
        tab: PayoutsTab, qtmodeltester: object) -> None:
    qtmodeltester.check(tab.model)  # type: ignore[attr-defined]
    model = tab.model
    assert model.rowCount() == 4
    overdue = [model.data(model.index(r, PayableModel.DUE), Qt.ItemDataRole.BackgroundRole)
               is not None for r in range(4)]
    assert overdue == [True, True, False, False]  # October's first, highlighted
    assert model.data(model.index(0, PayableModel.DUE), Qt.ItemDataRole.ToolTipRole).startswith(
        "Échue depuis le ")
    assert tab.summary.text() == "4 factures à payer — 2 échues"
    assert not tab.pay_button.isEnabled()
    assert tab.execution.date().toPython() == dt.date(2026, 12, 2)  # next business day
    click(tab.check_overdue_button)
    assert len(model.checked) == 2 and tab.pay_button.isEnabled()
    assert "cochées : 2, " in tab.summary.text()


def test_generate_the_transfer_file_with_a_part_payment(
        tab: PayoutsTab, answers: Answers, tmp_path: Path, db: Database) -> None:
    first, second = tab.model.rows[0], tab.model.rows[1]
    _tick(tab, 0)
    # Typing an amount ticks the invoice and pays that much of it.
    assert tab.model.setData(tab.model.index(1, PayableModel.AMOUNT), "10,00")
    assert tab.model.data(tab.model.index(1, PayableModel.AMOUNT)) == "10,00\u00a0€"
    answers.save_file = tmp_path / "virements.xml"
    click(tab.pay_button)
    wait_idle()
    assert answers.errors == [] and len(answers.asked) == 1
    assert answers.asked[0].startswith("Payer 2 factures (")
    assert tab.status.text().startswith("2 virements, ")
    assert tab.status.text().endswith(str(answers.save_file))
    read = read_transfer_file(answers.save_file.read_bytes())
    assert [(t.end_to_end_id, t.amount) for t in read.transfers] == [
        (first.number, first.remaining), (second.number, 10)]
    numbers = [row.number for row in tab.model.rows]
    assert first.number not in numbers and second.number in numbers
    left = next(r for r in tab.model.rows if r.number == second.number)
    assert left.remaining == second.remaining - 10
    assert tab.model.checked == set()
    assert tab.batches.rowCount() == 1
    assert tab.batches.cell_text(0, 5) == "Émis"


def test_a_mistyped_amount_is_named(tab: PayoutsTab, answers: Answers,
                                    tmp_path: Path) -> None:
    tab.model.setData(tab.model.index(0, PayableModel.AMOUNT), "douze")
    answers.save_file = tmp_path / "v.xml"
    click(tab.pay_button)
    wait_idle()
    assert len(answers.errors) == 1 and "n'est pas un nombre" in answers.errors[0]
    assert answers.errors[0].startswith(tab.model.rows[0].number)
    assert not answers.save_file.exists()


def test_cancel_a_batch_not_sent(tab: PayoutsTab, answers: Answers, db: Database) -> None:
    payouts.pay_invoices(db=db, actor=LOCAL_ADMIN, today=TODAY,
                         items=[payouts.PayoutItem(tab.model.rows[0].number)])
    tab.refresh()
    assert tab.model.rowCount() == 3
    assert not tab.cancel_button.isEnabled()  # nothing selected
    tab.batch_table.selectRow(0)
    assert tab.cancel_button.isEnabled()
    click(tab.cancel_button)
    wait_idle()
    assert answers.asked and "n'a pas été déposé à la banque" in answers.asked[0]
    assert tab.model.rowCount() == 4
    assert tab.batches.cell_text(0, 5) == "Annulé"
    assert tab.status.text().startswith("Lot COOPFOOD-")
    tab.batch_table.selectRow(0)
    assert not tab.cancel_button.isEnabled() and tab.save_again_button.isEnabled()


def test_a_batch_matched_to_the_bank_cannot_be_cancelled(tab: PayoutsTab, db: Database) -> None:
    result = payouts.pay_invoices(db=db, actor=LOCAL_ADMIN, today=TODAY,
                                  items=[payouts.PayoutItem(tab.model.rows[0].number)])
    moment = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    with db.transaction() as session:
        statement = BankStatement(account="FR76", format="csv", source="r.csv", lines_read=1,
                                  lines_new=1, imported_at=moment, imported_by="test")
        session.add(statement)
        session.flush()
        line = BankLine(statement_id=statement.id, account="FR76", fingerprint="b" * 32,
                        booking_date=dt.date(2026, 12, 2), amount=-result.total, label="VIR")
        session.add(line)
        session.flush()
        session.add(BankMatch(bank_line_id=line.id, payout_batch_id=result.batch_id,
                              amount=-result.total, matched_at=moment, matched_by="test"))
    tab.refresh()
    tab.batch_table.selectRow(0)
    assert tab.batches.cell_text(0, 5) == "Débité (rapproché)"
    assert not tab.cancel_button.isEnabled()
    assert "exécuté" in tab.cancel_button.toolTip()


def test_save_a_batch_file_again(tab: PayoutsTab, answers: Answers, db: Database,
                                 tmp_path: Path) -> None:
    result = payouts.pay_invoices(db=db, actor=LOCAL_ADMIN, today=TODAY,
                                  items=[payouts.PayoutItem(tab.model.rows[0].number)])
    tab.refresh()
    tab.batch_table.selectRow(0)
    answers.save_file = tmp_path / "copie.xml"
    click(tab.save_again_button)
    assert answers.save_file.read_bytes() == result.xml
    assert "à l'identique" in tab.status.text()


def test_export_the_journal_of_a_month(tab: PayoutsTab, answers: Answers, qtbot: QtBot,
                                       monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    def choose(dialog: QDialog) -> None:
        assert isinstance(dialog, JournalDialog)
        assert dialog.month_combo.currentText() == "novembre 2026"  # the month just ended
        dialog.accept()

    play_dialogs(monkeypatch, qtbot, choose)
    answers.save_file = tmp_path / "journal.xlsx"
    click(tab.journal_button)
    wait_idle()
    assert answers.save_file.exists()
    assert tab.status.text().startswith("Journal novembre 2026 : ")

    def by_year(dialog: QDialog) -> None:
        assert isinstance(dialog, JournalDialog)
        dialog.by_year.setChecked(True)
        assert dialog.year.isEnabled() and not dialog.month_combo.isEnabled()
        dialog.accept()

    play_dialogs(monkeypatch, qtbot, by_year)
    answers.save_file = tmp_path / "journal-2026.csv"
    click(tab.journal_button)
    wait_idle()
    assert answers.save_file.read_bytes().startswith(b"\xef\xbb\xbfDate;")
    assert tab.status.text().startswith("Journal année 2026 : ")
