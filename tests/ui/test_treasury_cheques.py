"""Trésorerie › Chèques, driven like a user: the register in its colours, the expiry warnings,
a cheque typed in, received, deposited with its slip, handed over, rejected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.domain.treasury import ChequeStatus
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, Role, ledger
from coopfood.services import cheques as service
from coopfood.services.cheques import ChequeInput, ChequeRow
from coopfood.services.lists import list_members
from tests.documents.support import pages_text
from tests.services.test_cheques import Treasury, treasury_co_op
from tests.ui.conftest import TODAY
from tests.ui.drive import (
    Answers,
    check_model,
    click,
    play_dialogs,
    type_into,
    type_into_combo,
    wait_idle,
)
from ui.dialogs.cheque import ChequeDialog, HandOverDialog, VoidDialog
from ui.dialogs.member import member_choice_text
from ui.views import treasury_cheques
from ui.views.context import PageContext
from ui.views.treasury_cheques import STATUS_BACKGROUNDS, ChequesTab


@pytest.fixture
def co_op(db: Database) -> Treasury:
    return treasury_co_op(db)


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files the tab asked the system to open."""
    paths: list[Path] = []
    monkeypatch.setattr(treasury_cheques, "open_path", paths.append)
    return paths


def make_tab(qtbot: QtBot, db: Database, actor: Actor = LOCAL_ADMIN) -> ChequesTab:
    tab = ChequesTab(PageContext(db=db, actor=actor, today=lambda: TODAY))
    qtbot.addWidget(tab)
    tab.resize(1250, 720)
    tab.show()
    return tab


def add(db: Database, member: int, amount: str, number: str, *, received: bool = True,
        producer: int | None = None, contract: int | None = None, month: str = "2026-12",
        issue: dt.date | None = None) -> ChequeRow:
    return service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount=amount, number=number, bank="LCL", member_id=member, producer_id=producer,
        contract_id=contract, planned_month=month, issue_date=issue),
        received_on=TODAY if received else None)


def select(tab: ChequesTab, *numbers: str) -> None:
    tab.table.clearSelection()
    selection = tab.table.selectionModel()
    for row in range(tab.proxy.rowCount()):
        if tab.proxy.row_at(row).number in numbers:
            selection.select(tab.proxy.index(row, 0), selection.SelectionFlag.Select
                             | selection.SelectionFlag.Rows)
    assert len(tab.selected_rows()) == len(numbers)


def balance(db: Database, member: int) -> Decimal:
    return ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member).closing_balance


def test_the_register_in_colours_with_its_warnings(
        qtbot: QtBot, db: Database, co_op: Treasury, qtmodeltester: object) -> None:
    add(db, co_op.anna, "45", "1", issue=dt.date(2025, 11, 30))  # expires 08/12/2026
    add(db, co_op.bruno, "12,50", "2", received=False)
    rejected = add(db, co_op.bruno, "7,20", "3")
    service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[rejected.id])
    service.move_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=rejected.id,
                        to=ChequeStatus.REJECTED, reason="sans provision")
    tab = make_tab(qtbot, db)
    check_model(qtmodeltester, tab.model)  # type: ignore[arg-type]
    assert tab.count_label.text() == "3 chèques"
    assert tab.warnings.isVisible()
    assert tab.warnings.text() == (
        "1 chèque en main expire dans moins de 30 jours ou a expiré :\n"
        "• Chèque n° 1 de ÉLUARD Anna & <b>Zoé</b> (45,00\u00a0€) : expire le 8 décembre 2026, "
        "dans 12 jours — remettez-le en banque.")
    texts = {tab.model.cell_text(r, 0): tab.model.row(r) for r in range(tab.model.rowCount())}
    assert texts["3"].status is ChequeStatus.REJECTED
    row_of_3 = next(r for r in range(tab.model.rowCount()) if tab.model.cell_text(r, 0) == "3")
    background = tab.model.index(row_of_3, 0).data(Qt.ItemDataRole.BackgroundRole)
    assert background.color() == STATUS_BACKGROUNDS[ChequeStatus.REJECTED]
    assert tab.model.cell_text(row_of_3, 1) == "ROUX Bruno"
    assert tab.model.cell_text(row_of_3, 5) == "Rejeté"
    assert tab.model.cell_text(row_of_3, 7) == "REM-2026-0001"
    # Filters: the state, then the payee.
    tab.status_filter.setCurrentIndex(tab.status_filter.findText("À remettre (reçus)"))
    assert [r.number for r in tab.visible_rows()] == ["1"]
    tab.status_filter.setCurrentIndex(0)
    tab.payee_filter.setCurrentIndex(1)  # the co-op
    assert tab.model.rowCount() == 3
    type_into(tab.search, "roux")
    assert sorted(r.number for r in tab.visible_rows()) == ["2", "3"]
    assert tab.count_label.text() == "2 sur 3 chèques"


def test_a_cheque_typed_in_and_received_pays(qtbot: QtBot, db: Database, co_op: Treasury,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    tab = make_tab(qtbot, db)
    anna = next(m for m in list_members(db=db, actor=LOCAL_ADMIN) if m.id == co_op.anna)
    before = balance(db, co_op.anna)
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ChequeDialog)
        type_into_combo(dialog.member, member_choice_text(anna))
        type_into(dialog.amount, "45,5")
        type_into(dialog.number, "7654321")
        type_into(dialog.bank, "Crédit Agricole")
        dialog.month.set_value("2026-12")
        click(dialog.ok_button)
        wait_idle()
        seen["errors"] = dialog.shown_errors()  # the amount has one decimal: fine
        if dialog.isVisible():
            click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    click(tab.new_button)
    wait_idle()
    assert seen["errors"] == {}
    [row] = tab.model.rows()
    assert (row.number, row.amount, row.status, row.drawer) == (
        "7654321", Decimal("45.50"), ChequeStatus.RECEIVED, "ÉLUARD Anna & <b>Zoé</b>")
    assert tab.selected_rows() == [row]
    assert balance(db, co_op.anna) == before - Decimal("45.50")
    assert tab.status.text() == "Chèque n° 7654321 de ÉLUARD Anna & <b>Zoé</b> enregistré : " \
                                "45,50\u00a0€, reçu."


def test_a_contract_cheque_made_out_to_the_producer(qtbot: QtBot, db: Database, co_op: Treasury,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tab = make_tab(qtbot, db)
    anna = next(m for m in list_members(db=db, actor=LOCAL_ADMIN) if m.id == co_op.anna)

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ChequeDialog)
        assert not dialog.contract.isEnabled()  # no household yet, no contract
        type_into_combo(dialog.member, member_choice_text(anna))
        assert dialog.contract.isEnabled()
        dialog.contract.set_value(co_op.contract)  # its producer becomes the payee
        assert dialog.payee.value() == co_op.farm
        type_into(dialog.amount, "109,72")
        dialog.received.setChecked(False)
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    click(tab.new_button)
    wait_idle()
    [row] = tab.model.rows()
    assert (row.status, row.payee, row.contract) == (
        ChequeStatus.PROMISED, "Ferme des Combes & <Fils>", "Panier légumes — petit")
    assert tab.selected_rows() == [row] and tab.receive_button.isEnabled()
    assert not tab.deposit_button.isEnabled()


def test_receive_then_deposit_with_its_slip(qtbot: QtBot, db: Database, co_op: Treasury,
                                            answers: Answers, opened: list[Path],
                                            tmp_path: Path) -> None:
    add(db, co_op.anna, "12,34", "1", received=False)
    add(db, co_op.bruno, "0,66", "2")
    add(db, co_op.anna, "30", "3", producer=co_op.dairy)
    tab = make_tab(qtbot, db)
    select(tab, "1")
    assert tab.receive_button.isEnabled() and not tab.deposit_button.isEnabled()
    click(tab.receive_button)
    wait_idle()
    assert tab.selected_rows()[0].status is ChequeStatus.RECEIVED
    select(tab, "1", "3")
    assert not tab.deposit_button.isEnabled()  # the dairy's cheque goes to the dairy
    select(tab, "1", "2")
    assert tab.selection_label.text() == "Sélection : 2 chèques, 13,00\u00a0€"
    answers.save_file = tmp_path / "REM-2026-0001.pdf"
    click(tab.deposit_button)
    wait_idle()
    assert answers.asked[0].startswith("Faire le bordereau de remise en banque de 2 chèques, "
                                       "13,00\u00a0€ au total ?")
    assert tab.last_remittance is not None
    assert tab.last_remittance.row.number == "REM-2026-0001"
    assert {r.status for r in tab.selected_rows()} == {ChequeStatus.DEPOSITED}
    assert opened == [tmp_path / "REM-2026-0001.pdf"]
    assert "Total : 2 chèques 13,00 €" in pages_text(opened[0])[0]
    assert "Bordereau REM-2026-0001 enregistré dans" in tab.status.text()


def test_a_deposit_is_refused_without_the_co_ops_iban(qtbot: QtBot, db: Database,
                                                      answers: Answers) -> None:
    co_op = treasury_co_op(db, iban=None)
    add(db, co_op.anna, "5", "1")
    tab = make_tab(qtbot, db)
    select(tab, "1")
    click(tab.deposit_button)
    wait_idle()
    assert answers.errors[0].startswith("La coopérative n'a pas d'IBAN : saisissez-le dans "
                                        "Fichier → Paramètres de la coopérative…")
    assert tab.selected_rows()[0].status is ChequeStatus.RECEIVED


def test_hand_over_a_month_then_reject_one(qtbot: QtBot, db: Database, co_op: Treasury,
                                           answers: Answers, opened: list[Path],
                                           monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    add(db, co_op.anna, "109,72", "1", producer=co_op.farm, contract=co_op.contract,
        month="2026-05")
    add(db, co_op.anna, "109,72", "2", producer=co_op.farm, contract=co_op.contract,
        month="2026-06", received=False)
    tab = make_tab(qtbot, db)
    before = balance(db, co_op.anna)
    seen: dict[str, object] = {}

    def choose(dialog: QDialog) -> None:
        assert isinstance(dialog, HandOverDialog)
        # It opens on the earliest month with cheques in hand.
        seen["opened_on"] = (dialog.producer.currentText(), dialog.month.currentText())
        seen["preview"] = dialog.preview.text()
        dialog.month.set_value("2026-06")
        seen["june"] = (dialog.preview.text(), dialog.ok_button.isEnabled())
        dialog.month.set_value("2026-05")
        click(dialog.ok_button)

    def reject(dialog: QDialog) -> None:
        assert isinstance(dialog, VoidDialog)
        assert dialog.rejected_button.isEnabled() and not dialog.returned_button.isEnabled()
        click(dialog.ok_button)
        seen["no_reason"] = dialog.shown_errors()
        type_into(dialog.reason, "sans provision")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, choose, reject)
    answers.save_file = tmp_path / "RP.pdf"
    answers.confirm = False  # not opened
    click(tab.handover_button)
    wait_idle()
    assert seen["opened_on"] == ("Ferme des Combes & <Fils>", "mai 2026")
    assert seen["preview"] == "1 chèque reçu à remettre, 109,72\u00a0€ au total."
    assert seen["june"] == ("Aucun chèque reçu pour ce producteur et ce mois. (1 chèque "
                            "seulement promis ne sera pas remis.)", False)
    assert tab.last_remittance is not None and tab.last_remittance.row.number == "RP-2026-0001"
    assert opened == [] and (tmp_path / "RP.pdf").exists()
    [handed] = tab.selected_rows()
    assert handed.status is ChequeStatus.HANDED_OVER and handed.remittance_number == \
        "RP-2026-0001"
    assert tab.void_button.isEnabled() and tab.cashed_button.isEnabled()
    click(tab.void_button)
    wait_idle()
    assert seen["no_reason"] == {"reason": "Dites pourquoi : le motif est gardé et imprimé sur "
                                           "le relevé du foyer."}
    [rejected] = tab.selected_rows()
    assert rejected.status is ChequeStatus.REJECTED and rejected.note == \
        "Rejeté : sans provision"
    assert balance(db, co_op.anna) == before + Decimal("109.72")


def test_a_coordinator_keeps_the_register_not_the_slips(qtbot: QtBot, db: Database,
                                                        co_op: Treasury) -> None:
    add(db, co_op.anna, "5", "1")
    add(db, co_op.bruno, "6", "2")
    north = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                  point_ids=frozenset({co_op.point}))
    tab = make_tab(qtbot, db, north)
    assert [r.number for r in tab.model.rows()] == ["1"]
    assert tab.new_button.isVisible()
    assert not tab.deposit_button.isVisible() and not tab.handover_button.isVisible()
    assert not tab.void_button.isVisible()


def test_the_tab_as_it_looks(qtbot: QtBot, db: Database, co_op: Treasury,
                             tmp_path: Path) -> None:
    add(db, co_op.anna, "45", "1234567", issue=dt.date(2025, 11, 30))
    add(db, co_op.bruno, "12,50", "1234568", received=False)
    tab = make_tab(qtbot, db)
    qtbot.waitExposed(tab)
    tab.grab().save(str(tmp_path / "cheques.png"))
    header = tab.table.horizontalHeader()
    for column in range(tab.model.columnCount()):
        assert header.sectionSize(column) > 30, column


def test_every_text_of_the_tab_is_in_the_catalogue(qtbot: QtBot, db: Database,
                                                   co_op: Treasury) -> None:
    from tests.ui.test_i18n_catalogue import (
        Catalogue,
        _database_texts,
        _msgids,
        untranslatable,
    )

    # (A name holding « <b> » would read as rich text to the catalogue's check.)
    add(db, co_op.bruno, "45", "1", issue=dt.date(2025, 11, 30))
    tab = make_tab(qtbot, db)
    select(tab, "1")
    catalogue = Catalogue(_msgids(), _database_texts(db))
    assert untranslatable(tab, catalogue) == []
