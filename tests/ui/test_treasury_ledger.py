"""Trésorerie › Grand livre: the entries of a period, a payment, a correction, a
cancellation and the catching up — typed like a treasurer would."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, ledger
from tests.ui.conftest import TODAY
from tests.ui.drive import check_model, click, play_dialogs, type_into, type_into_combo, wait_idle
from ui.dialogs.payment import AdjustmentDialog, PaymentDialog, ReversalDialog
from ui.display import fold
from ui.views.context import PageContext
from ui.views.treasury_ledger import LedgerTab


@pytest.fixture
def tab(qtbot: QtBot, demo_db_copy: Database) -> LedgerTab:
    widget = LedgerTab(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def select(tab: LedgerTab, entry_id: int) -> None:
    for number in range(tab.proxy.rowCount()):
        if tab.proxy.row_at(number).id == entry_id:
            tab.table.selectRow(number)
            return
    raise AssertionError(f"écriture {entry_id} absente")


def test_the_entries_of_the_month_filtered(tab: LedgerTab, demo_db_copy: Database,
                                           qtmodeltester: object) -> None:
    check_model(qtmodeltester, tab.proxy)  # type: ignore[arg-type]
    listed = ledger.list_entries(db=demo_db_copy, actor=LOCAL_ADMIN,
                                 date_from=TODAY.replace(day=1), date_to=TODAY)
    assert tab.proxy.rowCount() == len(listed) > 100
    assert tab.totals.text().startswith(f"{len(listed)} écritures — au débit : ")
    tab.kind_combo.setCurrentIndex(tab.kind_combo.findText("Règlement"))
    assert {row.kind for row in tab.visible_rows()} == {EntryKind.PAYMENT}
    tab.means_combo.setCurrentIndex(tab.means_combo.findText("Carte"))
    assert tab.visible_rows() and {row.means for row in tab.visible_rows()} == {
        PaymentMeans.CARD}
    type_into(tab.search, "zzz introuvable")
    assert tab.proxy.rowCount() == 0 and tab.totals.text().startswith("0 écriture")
    tab.search.clear()
    tab.kind_combo.setCurrentIndex(0)
    tab.means_combo.setCurrentIndex(0)
    order = next(row for row in tab.visible_rows() if row.kind is EntryKind.ORDER)
    select(tab, order.id)
    assert not tab.reverse_button.isEnabled()  # an amount due follows its source


def test_a_payment_typed_then_cancelled(qtbot: QtBot, tab: LedgerTab, demo_db_copy: Database,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    household = tab.households()[0]

    def pay(dialog: QDialog) -> None:
        assert isinstance(dialog, PaymentDialog)
        click(dialog.ok_button)  # nobody chosen
        wait_idle(qtbot)
        assert dialog.shown_errors() == {
            "member_id": "Choisissez le foyer qui paie dans la liste."}
        type_into_combo(dialog.household, household.text)
        type_into(dialog.amount, "12,505")
        dialog.means.set_value(PaymentMeans.CHEQUE)
        type_into(dialog.reference, "1234567")
        click(dialog.ok_button)  # the service refuses a third decimal, under the field
        wait_idle(qtbot)
        assert "a plus de deux décimales" in dialog.shown_errors()["amount"]
        type_into(dialog.amount, "12,50")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, pay)
    click(tab.pay_button)
    wait_idle(qtbot)
    paid = tab.selected_row()
    assert paid is not None and (paid.kind, paid.amount, paid.means, paid.reference) == (
        EntryKind.PAYMENT, Decimal("-12.50"), PaymentMeans.CHEQUE, "1234567")
    assert paid.member_id == household.member_id
    assert fold(tab.status.text()) == fold(
        f"Règlement de 12,50 € enregistré pour {paid.account_name}.")
    assert tab.reverse_button.isEnabled()

    def cancel(dialog: QDialog) -> None:
        assert isinstance(dialog, ReversalDialog)
        click(dialog.ok_button)
        wait_idle(qtbot)
        assert dialog.shown_errors() == {"reason": "Dites pourquoi vous annulez cette écriture."}
        type_into(dialog.reason, "chèque rejeté")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, cancel)
    click(tab.reverse_button)
    wait_idle(qtbot)
    reversed_row = next(row for row in tab.model.rows() if row.id == paid.id)
    assert reversed_row.reversed_by_id is not None
    cell = tab.model.cell_text(tab.model.rows().index(reversed_row), 8)
    assert cell == f"annulée (n° {reversed_row.reversed_by_id})"
    assert tab.status.text() == "« Règlement (Chèque) » est annulée."
    assert not tab.reverse_button.isEnabled()


def test_a_correction_on_a_producer_needs_its_reason(qtbot: QtBot, tab: LedgerTab,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    producer = tab.producers()[0]

    def correct(dialog: QDialog) -> None:
        assert isinstance(dialog, AdjustmentDialog)
        dialog.of_producer.setChecked(True)
        type_into_combo(dialog.account, producer.text)
        type_into(dialog.amount, "-1,50")
        click(dialog.ok_button)
        wait_idle(qtbot)
        assert "Dites pourquoi" in dialog.shown_errors()["label"]
        type_into(dialog.reason, "Caisse consignée perdue")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, correct)
    click(tab.adjust_button)
    wait_idle(qtbot)
    row = tab.selected_row()
    assert row is not None and (row.producer_id, row.amount, row.label) == (
        producer.producer_id, Decimal("-1.50"), "Correction : Caisse consignée perdue")
    assert fold(tab.status.text()) == fold(
        f"Correction de -1,50 € passée sur le compte de {producer.text}.")


def test_catching_up_the_ledger(qtbot: QtBot, tab: LedgerTab) -> None:
    click(tab.sync_button)
    wait_idle(qtbot)
    assert tab.last_sync is not None and tab.last_sync.entries == 0
    assert tab.status.text() == "Le grand livre était à jour."
    assert tab.sync_button.isEnabled()
