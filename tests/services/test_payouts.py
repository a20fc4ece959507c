"""Paying producers' invoices by SEPA transfer: settled invoices, balances, refusals, cancels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from coopfood.banking.sepa import read_transfer_file
from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    BankMatch,
    BankStatement,
    Coop,
    LedgerEntry,
    PayoutBatch,
    Producer,
)
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
    invoicing,
    ledger,
    payouts,
)
from coopfood.services.payouts import BatchStatus, PayoutItem
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)

D = Decimal
#: The treasurer pays on the Tuesday after the invoices were issued.
TODAY = dt.date(2026, 12, 1)
NEXT_DAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def fixed_payout_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payouts, "now", lambda: dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def issued(demo_db_copy: Database) -> list[invoicing.InvoiceRow]:
    """November's invoices of two producers the co-op buys from."""
    producers = [producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True),
                 producer_id(demo_db_copy, regime=VatRegime.FRANCHISE, mandate=False)]
    report = invoicing.issue_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=producers, issue_date=ISSUE_DAY, processes=1)
    assert len(report.invoices) == 2
    return list(report.invoices)


def _balance(db: Database, producer: int, day: dt.date = NEXT_DAY) -> Decimal:
    rows = ledger.producer_balances(db=db, actor=LOCAL_ADMIN, as_of=day)
    return next(r.balance for r in rows if r.producer_id == producer)


def _pay(db: Database, *items: PayoutItem, path: Path | None = None) -> payouts.PayoutResult:
    return payouts.pay_invoices(db=db, actor=LOCAL_ADMIN, items=items, path=path, today=TODAY)


def _numbers(db: Database) -> list[str]:
    return [r.number for r in payouts.payable_invoices(db=db, actor=LOCAL_ADMIN)]


def test_paid_invoices_are_settled_and_the_producers_balance_moves(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow], tmp_path: Path) -> None:
    db = demo_db_copy
    first, second = issued
    assert set(_numbers(db)) == {first.number, second.number}
    assert _balance(db, first.producer_id) == -first.total_ttc

    out = tmp_path / "virements.xml"
    result = _pay(db, PayoutItem(first.number), PayoutItem(second.number), path=out)

    assert result.count == 2 and result.total == first.total_ttc + second.total_ttc
    assert result.execution_date == NEXT_DAY  # the next business day by default
    assert result.summary.startswith("2 virements, ")
    assert _numbers(db) == []
    assert _balance(db, first.producer_id) == 0 and _balance(db, second.producer_id) == 0
    due = {d.number: d for d in ledger.invoices_due(db=db, actor=LOCAL_ADMIN, unpaid_only=False)}
    assert due[first.number].settled and due[first.number].paid == first.total_ttc

    # The file on disk is the batch's, and says what the bank will do.
    assert out.read_bytes() == result.xml
    read = read_transfer_file(out.read_bytes())
    assert read.message_id == result.message_id == "COOPFOOD-20261201-090000-0001"
    assert [(t.end_to_end_id, t.amount) for t in read.transfers] == [
        (first.number, first.total_ttc), (second.number, second.total_ttc)]
    with db.reading() as session:
        producer = session.get(Producer, first.producer_id)
        assert producer is not None
        assert read.transfers[0].creditor_iban == producer.iban
        coop = session.scalars(select(Coop)).one()
        assert read.debtor_iban == coop.iban
        batch = session.scalars(select(PayoutBatch)).one()
        assert (batch.transfer_count, batch.total, batch.xml) == (2, result.total, result.xml)
        entries = session.scalars(select(LedgerEntry).where(
            LedgerEntry.kind == EntryKind.PAYOUT)).all()
        assert {(e.invoice_id, e.means, e.payout_batch_id, e.entry_date) for e in entries} == {
            (first.id, PaymentMeans.TRANSFER, batch.id, NEXT_DAY),
            (second.id, PaymentMeans.TRANSFER, batch.id, NEXT_DAY)}

    [row] = payouts.list_payout_batches(db=db, actor=LOCAL_ADMIN)
    assert row.status == BatchStatus.SENT and row.cancellable
    assert set(row.invoices) == {first.number, second.number}


def test_a_partial_payment_leaves_the_rest_to_pay(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    invoice = issued[0]
    result = _pay(db, PayoutItem(invoice.number, "100,00"))
    assert result.paid[0].amount == D("100.00")
    assert result.paid[0].remaining == invoice.total_ttc - D("100.00")
    assert read_transfer_file(result.xml).transfers[0].remittance.endswith(
        "(paiement partiel)")
    [left] = [r for r in payouts.payable_invoices(db=db, actor=LOCAL_ADMIN)
              if r.number == invoice.number]
    assert (left.paid, left.remaining) == (D("100.00"), invoice.total_ttc - D("100.00"))
    assert _balance(db, invoice.producer_id) == -(invoice.total_ttc - D("100.00"))

    with pytest.raises(ValidationError, match="dépasse ce qui reste à payer") as error:
        _pay(db, PayoutItem(invoice.number, invoice.total_ttc))
    assert error.value.field == "amount"

    _pay(db, PayoutItem(invoice.number))  # the rest
    assert invoice.number not in _numbers(db)
    assert _balance(db, invoice.producer_id) == 0


def test_an_invoice_is_never_paid_twice(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow], tmp_path: Path) -> None:
    db = demo_db_copy
    number = issued[0].number
    with pytest.raises(ValidationError, match=f"La facture {number} est choisie deux fois"):
        _pay(db, PayoutItem(number), PayoutItem(number.lower()))
    _pay(db, PayoutItem(number))
    folder = tmp_path / "virements"
    folder.mkdir()
    with pytest.raises(ValidationError, match=f"La facture {number} .* est déjà réglée"):
        _pay(db, PayoutItem(number), path=folder / "encore.xml")
    assert list(folder.iterdir()) == []  # no file, not even a half-written one
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PayoutBatch)) == 1


def test_a_producer_without_iban_is_refused_by_name(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow], tmp_path: Path) -> None:
    db = demo_db_copy
    invoice = issued[1]
    with db.transaction() as session:
        session.execute(update(Producer).where(Producer.id == invoice.producer_id)
                        .values(iban=None))
        name = session.get(Producer, invoice.producer_id).name  # type: ignore[union-attr]
    out = tmp_path / "v.xml"
    with pytest.raises(ValidationError) as error:
        _pay(db, PayoutItem(issued[0].number), PayoutItem(invoice.number), path=out)
    assert f"Le producteur « {name} » n'a pas d'IBAN" in str(error.value)
    assert "dans sa fiche (Producteurs" in str(error.value)
    assert not out.exists()
    assert set(_numbers(db)) == {issued[0].number, invoice.number}  # nothing paid
    row = next(r for r in payouts.payable_invoices(db=db, actor=LOCAL_ADMIN)
               if r.number == invoice.number)
    assert row.iban is None


def test_the_co_op_needs_its_iban_and_is_told_where_to_set_it(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    with db.transaction() as session:
        session.execute(update(Coop).values(iban=None))
    with pytest.raises(ServiceError, match=r"L'IBAN de la coopérative manque.*Fichier › "
                                            r"Paramètres de la coopérative"):
        _pay(db, PayoutItem(issued[0].number))


def test_a_missing_co_op_bic_is_found_from_its_iban(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    with db.transaction() as session:
        session.execute(update(Coop).values(bic=None))
    result = _pay(db, PayoutItem(issued[0].number))
    assert b"<BIC>CCOPFRPP" in result.xml


def test_refusals_before_anything_is_written(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    with pytest.raises(ValidationError, match="au moins une facture"):
        _pay(db)
    with pytest.raises(NotFound, match="Facture INCONNUE-2026-0001 introuvable"):
        _pay(db, PayoutItem("INCONNUE-2026-0001"))
    with pytest.raises(ValidationError, match="doit être positif"):
        _pay(db, PayoutItem(issued[0].number, "0"))
    with pytest.raises(ValidationError, match="est passée"):
        payouts.pay_invoices(db=db, actor=LOCAL_ADMIN, items=[PayoutItem(issued[0].number)],
                             execution_date=dt.date(2026, 11, 30), today=TODAY)
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied, match="payer les producteurs"):
        payouts.pay_invoices(db=db, actor=coordinator, items=[PayoutItem(issued[0].number)])
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(PayoutBatch)) == 0


def test_cancelling_a_batch_not_sent_makes_its_invoices_to_pay_again(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    first, second = issued
    result = _pay(db, PayoutItem(first.number), PayoutItem(second.number, "10"))
    report = payouts.cancel_payout_batch(db=db, actor=LOCAL_ADMIN, batch_id=result.batch_id,
                                         today=TODAY)
    assert report.reversed == 2 and report.total == first.total_ttc + D("10.00")
    assert set(_numbers(db)) == {first.number, second.number}
    assert _balance(db, first.producer_id) == -first.total_ttc
    assert _balance(db, second.producer_id) == -second.total_ttc
    [row] = payouts.list_payout_batches(db=db, actor=LOCAL_ADMIN)
    assert row.status == BatchStatus.CANCELLED and not row.cancellable
    assert row.status_label == "Annulé"
    with db.reading() as session:  # the batch stays, as made
        assert session.get(PayoutBatch, result.batch_id).xml == result.xml  # type: ignore[union-attr]
        reversals = session.scalars(select(LedgerEntry).where(
            LedgerEntry.kind == EntryKind.REVERSAL)).all()
        # Dated the payment's day, never before it.
        assert {r.entry_date for r in reversals} == {NEXT_DAY}
    with pytest.raises(ValidationError, match="déjà annulé"):
        payouts.cancel_payout_batch(db=db, actor=LOCAL_ADMIN, batch_id=result.batch_id)
    # Paid again, in a new batch.
    again = _pay(db, PayoutItem(first.number))
    assert again.message_id.endswith("-0002")


def test_a_batch_matched_to_the_bank_is_never_cancelled(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    db = demo_db_copy
    result = _pay(db, PayoutItem(issued[0].number))
    moment = dt.datetime(2026, 12, 3, tzinfo=dt.UTC)
    with db.transaction() as session:
        statement = BankStatement(account="FR7642559100007650657286180", format="csv",
                                  source="releve.csv", lines_read=1, lines_new=1,
                                  imported_at=moment, imported_by="test")
        session.add(statement)
        session.flush()
        line = BankLine(statement_id=statement.id, account=statement.account,
                        fingerprint="f" * 32, booking_date=NEXT_DAY, amount=-result.total,
                        label="VIR SEPA EMIS")
        session.add(line)
        session.flush()
        session.add(BankMatch(bank_line_id=line.id, payout_batch_id=result.batch_id,
                              amount=-result.total, matched_at=moment, matched_by="test"))
    [row] = payouts.list_payout_batches(db=db, actor=LOCAL_ADMIN)
    assert row.matched and not row.cancellable and row.status_label == "Débité (rapproché)"
    with pytest.raises(ValidationError, match="rapproché d'un débit du relevé"):
        payouts.cancel_payout_batch(db=db, actor=LOCAL_ADMIN, batch_id=result.batch_id)
    assert _numbers(db) == [issued[1].number]


def test_a_batch_file_is_saved_again_as_made(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow], tmp_path: Path) -> None:
    db = demo_db_copy
    result = _pay(db, PayoutItem(issued[0].number))
    path = payouts.save_payout_file(db=db, actor=LOCAL_ADMIN, batch_id=result.batch_id,
                                    path=tmp_path / "copie.xml")
    assert path.read_bytes() == result.xml
    with pytest.raises(NotFound):
        payouts.save_payout_file(db=db, actor=LOCAL_ADMIN, batch_id=999, path=path)


def test_invoices_due_by_a_day(demo_db_copy: Database,
                               issued: list[invoicing.InvoiceRow]) -> None:
    due_date = payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN)[0].due_date
    assert payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN,
                                    due_by=due_date - dt.timedelta(days=1)) == []
    assert len(payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN,
                                        due_by=due_date)) == 2


def test_two_treasurers_paying_one_invoice_at_once_pay_it_once(
        demo_db_copy: Database, issued: list[invoicing.InvoiceRow]) -> None:
    import threading

    db = demo_db_copy
    number = issued[0].number
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def pay() -> None:
        start.wait()
        try:
            _pay(db, PayoutItem(number))
            outcomes.append("payé")
        except ValidationError as error:
            outcomes.append(str(error))

    threads = [threading.Thread(target=pay) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes)[1] == "payé" and "déjà réglée" in sorted(outcomes)[0]
    assert _balance(db, issued[0].producer_id) == 0
