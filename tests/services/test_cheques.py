"""The cheque register: its status machine, the household's account that follows it, the
deposit and hand-over slips with their gapless numbers, the expiry warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopfood.domain.enums import Frequency
from coopfood.domain.treasury import ChequeStatus, EntryKind, PaymentMeans, RemittanceKind
from coopfood.persistence.db import Database
from coopfood.persistence.models import AuditEntry, Coop, LedgerEntry
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    StaleData,
    ValidationError,
    ledger,
)
from coopfood.services import cheques as service
from coopfood.services.cheques import ChequeInput
from coopfood.services.contracts import ContractInput, save_contract
from coopfood.services.members import MemberInput, save_member
from tests.services.test_baskets import new_basket
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer

IBAN = "FR7630006000011234567890189"
DAY = dt.date(2026, 11, 26)


@dataclass(frozen=True)
class Treasury:
    anna: int
    bruno: int
    point: int
    other_point: int
    farm: int
    dairy: int
    contract: int


def treasury_co_op(db: Database, *, iban: str | None = IBAN) -> Treasury:
    """A co-op with an IBAN, two points, two households (one with a name that needs care),
    two producers and an AMAP contract paid by 3 cheques to the farm."""
    with db.transaction() as session:
        session.add(Coop(name="AMAP des Coteaux & <Amis>", iban=iban, bic="AGRIFRPP",
                         address="2 place de l'Église", postal_code="26340", city="Saillans"))
    point = new_point(db, "Nord")
    other = new_point(db, "Sud")
    anna = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Éluard", first_name="Anna & <b>Zoé</b>", point_id=point)).id
    bruno = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Roux", first_name="Bruno", point_id=other)).id
    farm = new_producer(db, "Ferme des Combes & <Fils>", invoice_prefix="COMBES")
    dairy = new_producer(db, "Fromagerie Gay", invoice_prefix="GAY")
    basket = new_basket(db, farm)
    contract = save_contract(db=db, actor=LOCAL_ADMIN, data=ContractInput(
        member_id=anna, basket_type_id=basket, point_id=point,
        season_start=dt.date(2026, 4, 2), season_end=dt.date(2026, 9, 24),
        frequency=Frequency.WEEKLY, allowed_absences=0, price_per_basket="12,66",
        cheque_count=3, cheque_months=["2026-04", "2026-05", "2026-06"])).id
    return Treasury(anna=anna, bruno=bruno, point=point, other_point=other, farm=farm,
                    dairy=dairy, contract=contract)


@pytest.fixture
def co_op(db: Database) -> Treasury:
    return treasury_co_op(db)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "today", lambda: DAY)


def balance(db: Database, member_id: int) -> Decimal:
    return ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                                    date_to=dt.date(2030, 1, 1)).closing_balance


def cheque(db: Database, member_id: int | None, amount: str = "45,00", *, number: str = "1234567",
           producer_id: int | None = None, contract_id: int | None = None,
           received_on: dt.date | None = DAY, issue_date: dt.date | None = dt.date(2026, 11, 20),
           month: str = "", bank: str = "Crédit Agricole") -> service.ChequeRow:
    return service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount=amount, number=number, bank=bank, member_id=member_id, producer_id=producer_id,
        contract_id=contract_id, issue_date=issue_date, planned_month=month),
        received_on=received_on)


def move(db: Database, cheque_id: int, to: ChequeStatus, reason: str = "") -> service.ChequeRow:
    return service.move_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=cheque_id, to=to,
                               reason=reason)


# --- the status machine ----------------------------------------------------------------------


def test_a_cheque_moves_along_its_states_and_no_further(db: Database, co_op: Treasury) -> None:
    promised = cheque(db, co_op.anna, received_on=None)
    assert promised.status is ChequeStatus.PROMISED and promised.status_date is None
    assert promised.drawer == "ÉLUARD Anna & <b>Zoé</b>"  # the household's, when left empty
    with pytest.raises(ValidationError) as error:
        move(db, promised.id, ChequeStatus.CASHED)
    assert str(error.value) == ("Chèque n° 1234567 est « Promis » : il ne peut pas passer à "
                                "« Encaissé » (possible : « Reçu », « Rendu »).")
    received = move(db, promised.id, ChequeStatus.RECEIVED)
    assert (received.status, received.status_date) == (ChequeStatus.RECEIVED, DAY)
    with pytest.raises(ValidationError, match="bordereau de remise"):
        move(db, promised.id, ChequeStatus.DEPOSITED)
    slip = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[promised.id])
    assert service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=promised.id).status is \
        ChequeStatus.DEPOSITED
    assert move(db, promised.id, ChequeStatus.CASHED).status is ChequeStatus.CASHED
    rejected = move(db, promised.id, ChequeStatus.REJECTED, "sans provision")
    assert rejected.note == "Rejeté : sans provision"
    assert rejected.remittance_number == slip.row.number  # the slip keeps it
    returned = move(db, promised.id, ChequeStatus.RETURNED, "rendu au foyer")
    with pytest.raises(ValidationError) as error:
        move(db, returned.id, ChequeStatus.RECEIVED)
    assert "« Rendu » : c'est son dernier état, il ne change plus" in str(error.value)


def test_a_rejection_says_why(db: Database, co_op: Treasury) -> None:
    received = cheque(db, co_op.anna)
    with pytest.raises(ValidationError) as error:
        move(db, received.id, ChequeStatus.RETURNED, "   ")
    assert error.value.field == "reason" and "pourquoi le chèque est rendu" in str(error.value)


def test_a_cheque_is_received_with_its_number(db: Database, co_op: Treasury) -> None:
    promised = cheque(db, co_op.anna, number="", received_on=None)
    with pytest.raises(ValidationError) as error:
        move(db, promised.id, ChequeStatus.RECEIVED)
    assert error.value.field == "number" and "numéro du chèque" in str(error.value)


# --- the household's account ----------------------------------------------------------------------


def test_receiving_pays_and_a_rejection_cancels_the_payment(db: Database, co_op: Treasury) -> None:
    before = balance(db, co_op.anna)
    promised = cheque(db, co_op.anna, "45,10", received_on=None)
    assert balance(db, co_op.anna) == before  # a promise pays nothing
    move(db, promised.id, ChequeStatus.RECEIVED)
    assert balance(db, co_op.anna) == before - Decimal("45.10")
    statement = ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=co_op.anna)
    payment = statement.movements[-1].entry
    assert (payment.kind, payment.means, payment.reference, payment.cheque_id,
            payment.entry_date) == (EntryKind.PAYMENT, PaymentMeans.CHEQUE, "1234567",
                                    promised.id, DAY)
    assert payment.label == "Chèque n° 1234567 (Crédit Agricole)"

    service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[promised.id])
    assert balance(db, co_op.anna) == before - Decimal("45.10")  # deposited: still paid
    move(db, promised.id, ChequeStatus.REJECTED, "sans provision")
    assert balance(db, co_op.anna) == before  # the household owes it again
    last = ledger.account_statement(db=db, actor=LOCAL_ADMIN,
                                    member_id=co_op.anna).movements[-1].entry
    assert last.kind is EntryKind.REVERSAL and "sans provision" in last.label
    move(db, promised.id, ChequeStatus.RETURNED, "rendu à Anna")
    assert balance(db, co_op.anna) == before  # not cancelled twice


def test_a_contract_cheque_to_the_producer_pays_but_not_an_other_one(
        db: Database, co_op: Treasury) -> None:
    before = balance(db, co_op.anna)
    cheque(db, co_op.anna, "37,98", producer_id=co_op.farm, contract_id=co_op.contract,
           month="2026-05")
    assert balance(db, co_op.anna) == before - Decimal("37.98")
    statement = ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=co_op.anna)
    assert statement.movements[-1].entry.label == (
        "Chèque n° 1234567 (Crédit Agricole) — contrat « Panier légumes — petit », mai 2026")
    # Between the household and the producer: in the register only.
    cheque(db, co_op.anna, "10,00", number="7654321", producer_id=co_op.dairy)
    assert balance(db, co_op.anna) == before - Decimal("37.98")


def test_a_received_cheque_corrected_is_paid_anew(db: Database, co_op: Treasury) -> None:
    before = balance(db, co_op.anna)
    received = cheque(db, co_op.anna, "45,00")
    corrected = service.update_cheque(
        db=db, actor=LOCAL_ADMIN, cheque_id=received.id, expected_version=received.version,
        data=ChequeInput(amount="54,00", number="1234567", bank="Crédit Agricole",
                         member_id=co_op.anna))
    assert corrected.amount == Decimal("54.00")
    assert balance(db, co_op.anna) == before - Decimal("54.00")
    # Only the bank's name changed: the payment stays as it is.
    with db.reading() as session:
        entries = session.scalar(select(LedgerEntry.id).where(
            LedgerEntry.cheque_id == received.id).order_by(LedgerEntry.id.desc()))
    service.update_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=received.id, data=ChequeInput(
        amount="54,00", number="1234567", bank="LCL", member_id=co_op.anna))
    with db.reading() as session:
        assert session.scalar(select(LedgerEntry.id).where(
            LedgerEntry.cheque_id == received.id).order_by(LedgerEntry.id.desc())) == entries
    with pytest.raises(StaleData):
        service.update_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=received.id,
                              expected_version=received.version, data=ChequeInput(amount="1"))
    # Given to another household: the payment moves with it.
    bruno_before = balance(db, co_op.bruno)
    service.update_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=received.id, data=ChequeInput(
        amount="54,00", number="1234567", bank="LCL", member_id=co_op.bruno))
    assert balance(db, co_op.anna) == before
    assert balance(db, co_op.bruno) == bruno_before - Decimal("54.00")


def test_a_deposited_cheque_is_not_edited(db: Database, co_op: Treasury) -> None:
    received = cheque(db, co_op.anna)
    service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[received.id])
    with pytest.raises(ValidationError) as error:
        service.update_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=received.id,
                              data=ChequeInput(amount="1", member_id=co_op.anna))
    assert "« Déposé en banque » : il ne se modifie plus" in str(error.value)


def test_what_is_typed_is_checked(db: Database, co_op: Treasury) -> None:
    for data, field in ((ChequeInput(amount="0", member_id=co_op.anna), "amount"),
                        (ChequeInput(amount="12,345", member_id=co_op.anna), "amount"),
                        (ChequeInput(amount="5", member_id=co_op.anna, planned_month="2026-13"),
                         "planned_month"),
                        (ChequeInput(amount="5", member_id=co_op.bruno,
                                     contract_id=co_op.contract), "contract_id"),
                        (ChequeInput(amount="5", member_id=co_op.anna, contract_id=co_op.contract,
                                     producer_id=co_op.dairy), "producer_id")):
        with pytest.raises(ValidationError) as error:
            service.record_cheque(db=db, actor=LOCAL_ADMIN, data=data)
        assert error.value.field == field, data
    cheque(db, co_op.anna)
    with pytest.raises(ValidationError) as error:
        cheque(db, co_op.anna)
    assert "déjà au registre" in str(error.value)


def test_every_change_is_in_the_audit_trail(db: Database, co_op: Treasury) -> None:
    received = cheque(db, co_op.anna)
    move(db, received.id, ChequeStatus.RETURNED, "erreur de montant")
    with db.reading() as session:
        summaries = list(session.scalars(select(AuditEntry.summary).where(
            AuditEntry.entity == "cheque", AuditEntry.entity_id == received.id)
            .order_by(AuditEntry.id)))
    assert summaries == [
        "Chèque n° 1234567 de ÉLUARD Anna & <b>Zoé</b> : 45,00\u00a0€, reçu",
        "Chèque n° 1234567 de ÉLUARD Anna & <b>Zoé</b> : Reçu → Rendu (erreur de montant)"]


def test_who_may_do_what(db: Database, co_op: Treasury) -> None:
    north = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                  point_ids=frozenset({co_op.point}))
    mine = service.record_cheque(db=db, actor=north, data=ChequeInput(
        amount="20", number="1", member_id=co_op.anna), received_on=DAY)
    with pytest.raises(PermissionDenied):
        service.record_cheque(db=db, actor=north, data=ChequeInput(
            amount="20", number="2", member_id=co_op.bruno))
    cheque(db, co_op.bruno, number="3")
    assert [r.id for r in service.list_cheques(db=db, actor=north)] == [mine.id]
    with pytest.raises(PermissionDenied):
        service.deposit_cheques(db=db, actor=north, cheque_ids=[mine.id])
    with pytest.raises(PermissionDenied):
        service.move_cheque(db=db, actor=north, cheque_id=mine.id, to=ChequeStatus.REJECTED,
                            reason="x")


# --- the register ------------------------------------------------------------------------------


def test_the_register_filters(db: Database, co_op: Treasury) -> None:
    coop_one = cheque(db, co_op.anna, number="1", month="2026-12")
    farm_one = cheque(db, co_op.anna, number="2", producer_id=co_op.farm,
                      contract_id=co_op.contract, month="2026-05")
    bruno_one = cheque(db, co_op.bruno, number="3", received_on=None, month="2026-12")

    def ids(**filters: object) -> list[int]:
        return [r.id for r in service.list_cheques(db=db, actor=LOCAL_ADMIN,
                                                   **filters)]  # type: ignore[arg-type]

    assert ids() == [farm_one.id, coop_one.id, bruno_one.id]  # by month, then household
    assert ids(status=ChequeStatus.PROMISED) == [bruno_one.id]
    assert ids(month="2026-12") == [coop_one.id, bruno_one.id]
    assert ids(member_id=co_op.bruno) == [bruno_one.id]
    assert ids(producer_id=co_op.farm) == [farm_one.id]
    assert ids(contract_id=co_op.contract) == [farm_one.id]
    assert ids(made_out_to_coop=True) == [coop_one.id, bruno_one.id]
    row = service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=farm_one.id)
    assert (row.payee, row.contract, row.month_label) == (
        "Ferme des Combes & <Fils>", "Panier légumes — petit", "mai 2026")
    assert service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=coop_one.id).payee == \
        "AMAP des Coteaux & <Amis>"
    assert service.cheque_months(db=db, actor=LOCAL_ADMIN) == ["2026-12", "2026-05"]
    with pytest.raises(ValidationError):
        ids(month="décembre")


# --- expiry --------------------------------------------------------------------------------------


def test_a_cheque_is_valid_one_year_and_eight_days() -> None:
    assert service.expiry_date(dt.date(2025, 11, 20)) == dt.date(2026, 11, 28)
    assert service.expiry_date(dt.date(2024, 2, 29)) == dt.date(2025, 3, 8)
    assert service.expiry_date(dt.date(2025, 12, 28)) == dt.date(2027, 1, 5)


def test_expiry_warnings_within_thirty_days_and_the_expired(db: Database, co_op: Treasury) -> None:
    soon = cheque(db, co_op.anna, number="1", issue_date=dt.date(2025, 11, 20))  # → 28/11/2026
    later = cheque(db, co_op.anna, number="2", issue_date=dt.date(2025, 12, 20))  # → 28/12/2026
    expired = cheque(db, co_op.bruno, number="3", received_on=None, producer_id=co_op.farm,
                     issue_date=dt.date(2025, 10, 1))  # → 09/10/2026
    deposited = cheque(db, co_op.anna, number="4", issue_date=dt.date(2025, 11, 21))
    service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[deposited.id])
    cheque(db, co_op.anna, number="5", issue_date=None)

    def warned(on: dt.date) -> list[tuple[int, int]]:
        return [(w.cheque.id, w.days_left) for w in service.expiry_warnings(
            db=db, actor=LOCAL_ADMIN, on=on)]

    # The one of 20/12/2025 expires in 32 days: not yet.
    assert warned(dt.date(2026, 11, 26)) == [(expired.id, -48), (soon.id, 2)]
    assert warned(dt.date(2026, 11, 28)) == [(expired.id, -50), (soon.id, 0), (later.id, 30)]
    assert warned(dt.date(2026, 9, 8)) == []  # 31 days before 09/10/2026
    assert warned(dt.date(2026, 9, 9)) == [(expired.id, 30)]
    messages = [w.message for w in service.expiry_warnings(db=db, actor=LOCAL_ADMIN,
                                                           on=dt.date(2026, 11, 26))]
    assert messages[0] == ("Chèque n° 3 de ROUX Bruno (45,00\u00a0€) : expiré depuis le "
                           "9 octobre 2026 — il ne sera plus payé ; rendez-le au foyer et "
                           "demandez-en un autre.")
    assert messages[1] == ("Chèque n° 1 de ÉLUARD Anna & <b>Zoé</b> (45,00\u00a0€) : expire "
                           "le 28 novembre 2026, dans 2 jours — remettez-le en banque.")
    with pytest.raises(ValidationError) as error:
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[soon.id],
                                on=dt.date(2026, 11, 29))
    assert "a expiré le 28 novembre 2026" in str(error.value)


# --- deposit slips -------------------------------------------------------------------------------


def test_a_deposit_slip_adds_up_to_the_cent_and_numbers_run_gapless(
        db: Database, co_op: Treasury) -> None:
    amounts = ["12,34", "0,01", "33,33", "1 234,56", "99,99"]
    rows = [cheque(db, co_op.anna if i % 2 else co_op.bruno, amount, number=f"{1000 + i}")
            for i, amount in enumerate(amounts)]
    first = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[r.id for r in rows[:3]])
    assert first.row.number == "REM-2026-0001"
    assert (first.row.kind, first.row.date, first.row.cheque_count) == (
        RemittanceKind.DEPOSIT, DAY, 3)
    assert first.row.total == Decimal("45.68") == sum(c.amount for c in first.cheques)
    assert first.row.iban == IBAN
    assert {c.status for c in first.cheques} == {ChequeStatus.DEPOSITED}
    second = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[rows[3].id])
    assert second.row.number == "REM-2026-0002" and second.row.total == Decimal("1234.56")
    with pytest.raises(ValidationError) as error:
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[rows[4].id],
                                on=dt.date(2026, 11, 25))
    assert "les numéros suivent l'ordre des dates" in str(error.value)
    third = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[rows[4].id],
                                    on=dt.date(2027, 1, 4))
    assert third.row.number == "REM-2027-0001"
    # The slip keeps the IBAN of the day it was made.
    with db.transaction() as session:
        coop = session.scalars(select(Coop)).one()
        coop.iban = "FR1420041010050500013M02606"
    assert service.get_remittance(db=db, actor=LOCAL_ADMIN,
                                  remittance_id=first.row.id).row.iban == IBAN
    assert [r.number for r in service.list_remittances(db=db, actor=LOCAL_ADMIN)] == [
        "REM-2027-0001", "REM-2026-0002", "REM-2026-0001"]


def test_a_refused_deposit_leaves_no_number_behind(db: Database, co_op: Treasury) -> None:
    good = cheque(db, co_op.anna, number="1")
    promised = cheque(db, co_op.anna, number="2", received_on=None)
    farm = cheque(db, co_op.anna, number="3", producer_id=co_op.farm)
    with pytest.raises(ValidationError) as error:
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[good.id, promised.id])
    assert str(error.value) == ("Chèque n° 2 de ÉLUARD Anna & <b>Zoé</b> est « Promis » : seul "
                                "un chèque reçu se remet en banque.")
    with pytest.raises(ValidationError) as error:
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[farm.id])
    assert "à l'ordre de Ferme des Combes & <Fils> : il se remet au producteur" in str(error.value)
    with pytest.raises(NotFound):
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[good.id, 999])
    with pytest.raises(ValidationError):
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[])
    assert service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=good.id).status is \
        ChequeStatus.RECEIVED
    assert service.deposit_cheques(db=db, actor=LOCAL_ADMIN,
                                   cheque_ids=[good.id]).row.number == "REM-2026-0001"


def test_no_deposit_without_the_co_ops_iban(db: Database) -> None:
    co_op = treasury_co_op(db, iban=None)
    received = cheque(db, co_op.anna)
    with pytest.raises(ValidationError) as error:
        service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[received.id])
    assert str(error.value).startswith(
        "La coopérative n'a pas d'IBAN : saisissez-le dans Fichier → Paramètres de la "
        "coopérative…, onglet « Numéros et banque »")
    assert service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=received.id).status is \
        ChequeStatus.RECEIVED


# --- hand-overs and contracts ------------------------------------------------------------------


def test_an_amap_contract_gets_its_promised_cheques(db: Database, co_op: Treasury) -> None:
    created = service.create_contract_cheques(db=db, actor=LOCAL_ADMIN, contract_id=co_op.contract,
                                              bank="LCL", first_number="0001230",
                                              issue_date=dt.date(2026, 3, 28))
    assert [(c.planned_month, c.number, c.status, c.producer_id) for c in created] == [
        ("2026-04", "0001230", ChequeStatus.PROMISED, co_op.farm),
        ("2026-05", "0001231", ChequeStatus.PROMISED, co_op.farm),
        ("2026-06", "0001232", ChequeStatus.PROMISED, co_op.farm)]
    # 26 Thursdays × 12,66 € = 329,16 €, in three instalments that add up to it.
    assert [c.amount for c in created] == [Decimal("109.72")] * 3
    assert sum(c.amount for c in created) == Decimal("329.16")
    with pytest.raises(ValidationError, match="déjà au registre"):
        service.create_contract_cheques(db=db, actor=LOCAL_ADMIN, contract_id=co_op.contract)
    move(db, created[1].id, ChequeStatus.RETURNED, "contrat modifié")
    again = service.create_contract_cheques(db=db, actor=LOCAL_ADMIN, contract_id=co_op.contract)
    assert [c.planned_month for c in again] == ["2026-05"]


def test_a_months_cheques_are_handed_over_to_their_producer(
        db: Database, co_op: Treasury) -> None:
    created = service.create_contract_cheques(db=db, actor=LOCAL_ADMIN,
                                              contract_id=co_op.contract, first_number="100")
    may = cheque(db, co_op.anna, "12,01", number="900", producer_id=co_op.farm, month="2026-05",
                 contract_id=co_op.contract)
    other = cheque(db, co_op.anna, number="901", producer_id=co_op.dairy, month="2026-05")
    with pytest.raises(ValidationError) as error:
        service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm,
                                  month="2026-04")
    assert str(error.value) == ("Aucun chèque reçu à l'ordre de Ferme des Combes & <Fils> pour "
                                "avril 2026 : rien à remettre.")
    move(db, created[1].id, ChequeStatus.RECEIVED)
    handed = service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm,
                                       month="2026-5")
    assert handed.row.number == "RP-2026-0001" and handed.row.kind is RemittanceKind.HANDOVER
    assert (handed.row.producer, handed.row.month, handed.row.iban) == (
        "Ferme des Combes & <Fils>", "2026-05", None)
    assert sorted(c.id for c in handed.cheques) == sorted([created[1].id, may.id])
    assert handed.row.total == Decimal("121.73") == sum(c.amount for c in handed.cheques)
    assert {c.status for c in handed.cheques} == {ChequeStatus.HANDED_OVER}
    assert handed.still_promised == ()
    assert service.get_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=other.id).status is \
        ChequeStatus.RECEIVED
    move(db, created[2].id, ChequeStatus.RECEIVED)
    june = service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm,
                                     month="2026-06")
    assert june.row.number == "RP-2026-0002"
    assert "Remise RP-2026-0002 à Ferme des Combes & <Fils> des chèques de juin 2026" in \
        june.row.summary
    # A deposit slip's series is its own.
    first_deposit = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=[cheque(
        db, co_op.anna, number="555").id])
    assert first_deposit.row.number == "REM-2026-0001"


def test_hand_over_lists_the_cheques_still_promised(db: Database, co_op: Treasury) -> None:
    received = cheque(db, co_op.anna, number="1", producer_id=co_op.farm, month="2026-05",
                      contract_id=co_op.contract)
    promised = cheque(db, co_op.bruno, number="2", producer_id=co_op.farm, month="2026-05",
                      received_on=None)
    handed = service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm,
                                       month="2026-05")
    assert [c.id for c in handed.cheques] == [received.id]
    assert [c.id for c in handed.still_promised] == [promised.id]


def test_a_handed_over_cheque_bounces_back_on_the_account(db: Database, co_op: Treasury) -> None:
    before = balance(db, co_op.anna)
    received = cheque(db, co_op.anna, "109,72", producer_id=co_op.farm, month="2026-05",
                      contract_id=co_op.contract)
    service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm, month="2026-05")
    assert balance(db, co_op.anna) == before - Decimal("109.72")
    move(db, received.id, ChequeStatus.REJECTED, "sans provision")
    assert balance(db, co_op.anna) == before


def test_a_row_reads_as_a_user_would(db: Database, co_op: Treasury) -> None:
    row = cheque(db, co_op.anna, month="2026-12")
    assert replace(row, version=0).name == "Chèque n° 1234567"
    assert row.expires_on == dt.date(2027, 11, 28)
    assert row.month_label == "décembre 2026"
    assert row.status_label == "Reçu"
