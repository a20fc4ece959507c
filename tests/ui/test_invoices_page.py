"""The « Factures » section: prepare a period, preview its drafts, issue, reprint, credit,
export — driven like a user, through the same services as the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, invoicing
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    pdf_text,
    producer_id,
)
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, check_model, click, play_dialogs, type_into, wait_idle
from ui.main_window import MainWindow
from ui.views.context import PageContext
from ui.views.invoices import CreditNoteDialog, InvoicesPage, PrepareDialog


@pytest.fixture
def page(qtbot: QtBot, demo_db_copy: Database) -> InvoicesPage:
    widget = InvoicesPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1100, 700)
    widget.show()
    return widget


def test_the_window_has_a_factures_section_after_documents(window: MainWindow) -> None:
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels.index("Factures") == labels.index("Documents") + 1
    assert labels[labels.index("Factures") + 1] == "Trésorerie"
    window.show_section("invoices")
    assert isinstance(window.page("invoices"), InvoicesPage)


def test_prepare_preview_and_issue_a_month(
        qtbot: QtBot, page: InvoicesPage, demo_db_copy: Database, answers: Answers,
        monkeypatch: pytest.MonkeyPatch, qtmodeltester: object) -> None:
    assert page.model.rowCount() == 0 and page.count_label.text() == "Aucune facture émise"
    chosen = [producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True),
              producer_id(demo_db_copy, regime=VatRegime.FRANCHISE, mandate=False)]

    def prepare(dialog: QDialog) -> None:
        assert isinstance(dialog, PrepareDialog)
        assert dialog.month_combo.currentText() == "octobre 2026"  # the month just ended
        dialog.month_combo.setCurrentIndex(dialog.month_combo.findText("novembre 2026"))
        dialog.all_producers.setChecked(False)
        for i in range(dialog.producer_list.count()):
            item = dialog.producer_list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole)
                               in chosen else Qt.CheckState.Unchecked)
        click(dialog.preview_button)
        wait_idle(qtbot)
        assert dialog.model.rowCount() == 2
        check_model(qtmodeltester, dialog.proxy)  # type: ignore[arg-type]
        assert "2 factures à émettre pour novembre 2026" in dialog.summary.text()
        assert dialog.pdf.page_count >= 1 and 0 in dialog.pdf.rendered_pages()
        assert dialog.issue_button.isEnabled()
        click(dialog.issue_button)
        wait_idle(qtbot)

    play_dialogs(monkeypatch, qtbot, prepare)
    click(page.prepare_button)
    assert answers.asked and "Émettre 2 factures pour novembre 2026" in answers.asked[0]
    assert page.model.rowCount() == 2
    check_model(qtmodeltester, page.proxy)  # type: ignore[arg-type]
    assert page.status.text().startswith("2 factures émises pour novembre 2026")
    assert {row.producer_id for row in page.model.rows()} == set(chosen)
    assert page.model.cell_text(0, 5) == "Émise"
    assert page.selected_row() is not None and page.reprint_button.isEnabled()


def _issue(db: Database) -> invoicing.InvoiceRow:
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True)
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer],
                                     issue_date=ISSUE_DAY).invoices
    return row


def test_reprint_writes_the_issued_document(
        qtbot: QtBot, demo_db_copy: Database, answers: Answers, tmp_path: Path) -> None:
    row = _issue(demo_db_copy)
    page = InvoicesPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.table.selectRow(0)
    answers.save_file = tmp_path / "copie.pdf"
    click(page.reprint_button)
    assert answers.save_file.read_bytes() == invoicing.invoice_pdf(
        db=demo_db_copy, actor=LOCAL_ADMIN, invoice_id=row.id)
    assert row.number in page.status.text()


def test_a_credit_note_for_one_line(
        qtbot: QtBot, demo_db_copy: Database, answers: Answers,
        monkeypatch: pytest.MonkeyPatch, qtmodeltester: object) -> None:
    row = _issue(demo_db_copy)
    page = InvoicesPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN,
                                    today=lambda: dt.date(2026, 12, 1)))
    qtbot.addWidget(page)
    page.table.selectRow(0)
    assert page.credit_button.isEnabled()

    def credit(dialog: QDialog) -> None:
        assert isinstance(dialog, CreditNoteDialog)
        check_model(qtmodeltester, dialog.model)  # type: ignore[arg-type]
        dialog.whole.setChecked(False)
        assert dialog.table.isEnabled()
        dialog.model.setData(dialog.model.index(0, 7), "1,5 kg")
        type_into(dialog.reason, "Abîmé")
        dialog._check()
        assert "Ligne 1" in dialog.error.text()  # « kg » is no number
        dialog.model.setData(dialog.model.index(0, 7), "0,5")
        dialog._check()

    monkeypatch.setattr(invoicing, "now", lambda: dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC))
    play_dialogs(monkeypatch, qtbot, credit)
    click(page.credit_button)
    wait_idle(qtbot)
    assert page.model.rowCount() == 2
    credit_row = page.selected_row()
    assert credit_row is not None and credit_row.corrected_number == row.number
    assert f"sur la facture {row.number}" in page.status.text()
    text = pdf_text(invoicing.invoice_pdf(db=demo_db_copy, actor=LOCAL_ADMIN,
                                          invoice_id=credit_row.id))
    assert "Motif : Abîmé" in text


def test_export_the_list(qtbot: QtBot, demo_db_copy: Database, answers: Answers,
                         tmp_path: Path) -> None:
    row = _issue(demo_db_copy)
    page = InvoicesPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    answers.save_file = tmp_path / "factures.csv"
    click(page.export_button)
    lines = answers.save_file.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("Numéro;Type;Date;Producteur;Client")
    assert lines[1].startswith(f"{row.number};Facture;30/11/2026;")
    assert "1 ligne écrite" in page.status.text()
    answers.save_file = tmp_path / "factures.xlsx"
    click(page.export_button)
    from openpyxl import load_workbook

    sheet = load_workbook(answers.save_file).active
    assert sheet is not None and sheet["A2"].value == row.number
