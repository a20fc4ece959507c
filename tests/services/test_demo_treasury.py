"""The demo co-op's treasury: a ledger that is up to date and mostly paid, a cheque register,
and a month of bank statement to import that the ledger does not know yet."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

from schwifty import IBAN
from sqlalchemy import func, select

from coopfood.banking.statements import read_statement
from coopfood.domain.treasury import ChequeStatus, EntryKind, PaymentMeans, RemittanceKind
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cheque, ChequeRemittance, Coop, LedgerEntry, Member
from coopfood.services import LOCAL_ADMIN, ledger
from coopfood.services.demo import DemoSize, build_demo
from coopfood.services.demo_treasury import (
    BankFormat,
    demo_bank_statement,
    write_demo_bank_statement,
)

AS_OF = dt.date(2026, 11, 26)
NOVEMBER = dt.date(2026, 11, 1)


def entries(db: Database) -> list[tuple[object, ...]]:
    with db.reading() as s:
        return [tuple(row) for row in s.execute(
            select(LedgerEntry.entry_date, LedgerEntry.kind, LedgerEntry.member_id,
                   LedgerEntry.producer_id, LedgerEntry.amount, LedgerEntry.means,
                   LedgerEntry.reference, LedgerEntry.label).order_by(LedgerEntry.id))]


def test_the_ledger_is_up_to_date_and_built_the_same_every_time(demo_db: Database,
                                                                db: Database) -> None:
    build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1, as_of=AS_OF)
    assert entries(db) == entries(demo_db)
    with db.reading() as s, demo_db.reading() as t:
        cheques = select(Cheque.number, Cheque.amount, Cheque.status).order_by(Cheque.id)
        assert s.execute(cheques).all() == t.execute(cheques).all()
    assert ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=AS_OF).entries == 0


def test_most_households_paid_by_every_means_and_a_few_owe(demo_db: Database) -> None:
    with demo_db.reading() as s:
        means = Counter(s.scalars(select(LedgerEntry.means).where(
            LedgerEntry.kind == EntryKind.PAYMENT, LedgerEntry.means.is_not(None))))
        transfers = s.execute(select(LedgerEntry.reference, LedgerEntry.entry_date).where(
            LedgerEntry.means == PaymentMeans.TRANSFER)).all()
    assert set(means) == {PaymentMeans.CASH, PaymentMeans.CHEQUE, PaymentMeans.TRANSFER,
                          PaymentMeans.CARD, PaymentMeans.LOCAL_CURRENCY}
    assert means[PaymentMeans.LOCAL_CURRENCY] < means[PaymentMeans.CASH]
    with_reference = sum(1 for reference, _day in transfers if reference.startswith("ADH-"))
    assert 0.65 < with_reference / len(transfers) < 0.95
    # November's transfers wait for the bank statement's import.
    assert max(day for _reference, day in transfers) < NOVEMBER
    rows = ledger.member_balances(db=demo_db, actor=LOCAL_ADMIN, as_of=dt.date(2026, 10, 31))
    paid_up = sum(1 for row in rows if row.balance <= 0)
    assert paid_up > len(rows) * 0.6
    now = ledger.member_balances(db=demo_db, actor=LOCAL_ADMIN, as_of=AS_OF)
    assert [row.balance < 0 for row in now].count(True) == 1  # one household in credit
    owing_long = [row for row in now if row.balance > 0 and row.last_payment is not None
                  and row.last_payment < AS_OF - dt.timedelta(days=30)]
    assert 0 < len(owing_long) < len(now) * 0.25


def test_contract_cheques_follow_their_months(demo_db: Database) -> None:
    with demo_db.reading() as s:
        cheques = s.execute(select(Cheque.planned_month, Cheque.status, Cheque.amount,
                                   Cheque.contract_id, Cheque.producer_id, Cheque.remittance_id,
                                   Cheque.number)
                            .where(Cheque.contract_id.is_not(None))).all()
        instalments = {(cid, month): amount for cid, month, amount in s.execute(
            select(LedgerEntry.contract_id, LedgerEntry.reference, LedgerEntry.amount)
            .where(LedgerEntry.kind == EntryKind.CONTRACT))}
        paid = set(s.scalars(select(LedgerEntry.cheque_id).where(
            LedgerEntry.kind == EntryKind.PAYMENT, LedgerEntry.cheque_id.is_not(None))))
        handovers = {r.id: r for r in s.scalars(select(ChequeRemittance).where(
            ChequeRemittance.kind == RemittanceKind.HANDOVER))}
    by_status: dict[ChequeStatus, set[str]] = defaultdict(set)
    for month, status, amount, contract_id, producer_id, remittance_id, number in cheques:
        assert amount == instalments[contract_id, month or ""]
        assert producer_id is not None and len(number) == 7 and number.isdigit()
        by_status[status].add(month or "")
        if status is ChequeStatus.HANDED_OVER:
            assert remittance_id is not None
            assert handovers[remittance_id].producer_id == producer_id
    assert max(by_status[ChequeStatus.HANDED_OVER]) < "2026-11"
    assert by_status[ChequeStatus.RECEIVED] == {"2026-11"}
    assert min(by_status[ChequeStatus.PROMISED]) > "2026-11"
    # Every cheque in hand is its household's payment; a promised one is not yet.
    in_hand = sum(1 for cheque in cheques if cheque[1] is not ChequeStatus.PROMISED)
    assert len(paid) == in_hand + count_coop_cheques(demo_db)
    assert all(r.number.startswith("RP-2026-") for r in handovers.values())


def count_coop_cheques(db: Database) -> int:
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Cheque).where(
            Cheque.contract_id.is_(None))) or 0


def test_cheques_to_the_co_op_are_deposited_by_numbered_slips(demo_db: Database) -> None:
    with demo_db.reading() as s:
        slips = s.scalars(select(ChequeRemittance).where(
            ChequeRemittance.kind == RemittanceKind.DEPOSIT)
            .order_by(ChequeRemittance.remittance_date)).all()
        totals = dict(s.execute(select(Cheque.remittance_id, func.count()).where(
            Cheque.remittance_id.is_not(None)).group_by(Cheque.remittance_id)).all())
        amounts = {rid: sum(amount for (amount,) in s.execute(
            select(Cheque.amount).where(Cheque.remittance_id == rid))) for rid in totals}
        coop = s.scalars(select(Coop)).one()
    assert [slip.number for slip in slips] == [f"REM-2026-{n:04d}" for n in
                                               range(1, len(slips) + 1)]
    for slip in slips:
        assert (slip.cheque_count, slip.total) == (totals[slip.id], amounts[slip.id])
        assert slip.iban == coop.iban and slip.remittance_date <= AS_OF
    assert coop.iban is not None and IBAN(coop.iban).country_code == "FR"
    IBAN(coop.iban).validate()


def test_the_bank_statement_of_november_is_for_the_treasurer_to_reconcile(
        demo_db: Database, tmp_path: Path) -> None:
    written = write_demo_bank_statement(db=demo_db, actor=LOCAL_ADMIN, month="2026-11",
                                        path=tmp_path / "novembre.csv")
    raw = written.path.read_bytes()
    raw.decode("cp1252")  # Windows-1252, as the bank writes it
    assert b"\r\n" in raw and raw.startswith("Téléchargement du 02/12/2026".encode("cp1252"))
    parsed = read_statement(written.path)
    assert parsed.format == "CSV Crédit Agricole"
    assert parsed.closing_balance == written.statement.closing_balance
    assert parsed.total == written.statement.closing_balance - written.statement.opening_balance
    with demo_db.reading() as s:
        names = {unicodedata.normalize("NFKD", last).encode("ascii", "ignore").decode().upper()
                 for last in s.scalars(select(Member.last_name))}
        deposits = {r.number: r.total for r in s.scalars(select(ChequeRemittance).where(
            ChequeRemittance.kind == RemittanceKind.DEPOSIT))}
    household = [line for line in parsed.lines if line.label.startswith(
        "VIREMENT EN VOTRE FAVEUR") and "SOUTIEN" not in line.label]
    assert written.pending_transfers == len(household) > 20
    with_reference = [line for line in household if "ADH" in line.label]
    assert 0.65 < len(with_reference) / len(household) < 0.95
    stranger = [line for line in parsed.lines if "SOUTIEN ASSOCIATION" in line.label]
    assert len(stranger) == 1 and not any(name in stranger[0].label.split() for name in names)
    cheques = [line for line in parsed.lines if "REMISE DE CHEQUE" in line.label]
    assert cheques and all(line.amount == deposits[line.label.split()[-1]] for line in cheques)
    assert [line for line in parsed.lines if line.label.startswith("VIREMENT EMIS")]
    assert {line.label for line in parsed.lines if line.amount in (Decimal("-4.50"),
                                                                   Decimal("-2.90"))} == {
        "FRAIS TENUE DE COMPTE", "COTISATION OFFRE ASSOCIATION"}
    # The same month in another format tells the same operations.
    other = write_demo_bank_statement(db=demo_db, actor=LOCAL_ADMIN, month="2026-11",
                                      path=tmp_path / "novembre.xml", format=BankFormat.CAMT)
    assert read_statement(other.path).total == parsed.total
    with demo_db.reading() as s:
        october, pending = demo_bank_statement(s, dt.date(2026, 10, 1))
    assert pending == 0 and october.operations  # October's transfers are in the ledger


def test_a_longer_history_is_carried_over_before_the_last_four_months(db: Database) -> None:
    build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=2, as_of=AS_OF, weeks=30,
               members=60)
    start = dt.date(2026, 8, 1)
    with db.reading() as s:
        carried = s.execute(select(LedgerEntry.entry_date, LedgerEntry.label).where(
            LedgerEntry.reference == "REPRISE")).all()
        cheque_months = set(s.scalars(select(Cheque.planned_month).where(
            Cheque.contract_id.is_not(None))))
        early = s.scalar(select(func.count()).select_from(LedgerEntry).where(
            LedgerEntry.kind == EntryKind.PAYMENT, LedgerEntry.means.is_not(None),
            LedgerEntry.entry_date < start))
    assert carried and {day for day, _label in carried} == {start - dt.timedelta(days=1)}
    assert {label for _day, label in carried} == {
        "Reprise : règlements antérieurs au 01/08/2026"}
    assert early == 0 and min(month or "" for month in cheque_months) >= "2026-08"
    before = ledger.member_balances(db=db, actor=LOCAL_ADMIN, as_of=start - dt.timedelta(1))
    assert all(row.balance <= 0 for row in before)
    assert ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=AS_OF).entries == 0
