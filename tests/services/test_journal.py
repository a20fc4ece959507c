"""The accountant's journal of a worked month: every piece balanced, the whole to the cent."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from coopfood.domain.enums import CycleState
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import CashCurrency, PaymentMeans, RemittanceKind
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    BankStatement,
    CashSession,
    Cheque,
    ChequeRemittance,
    Coop,
    Cycle,
    CyclePoint,
    LedgerEntry,
    Member,
    Producer,
)
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    ServiceError,
    invoicing,
    journal,
    ledger,
    payouts,
)
from coopfood.services.journal import Journal, JournalLine
from coopfood.services.payouts import PayoutItem
from coopfood.services.value_sharing import Period, parse_period
from tests.conftest import DEMO_AS_OF
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)

D = Decimal
MONTH = parse_period("2026-11")
FORMULA_NAME = '=HYPERLINK("http://x")'


@pytest.fixture
def worked(demo_db_copy: Database) -> dict[str, object]:
    """November on the demo: distributions, contracts and fees posted, two producers'
    invoices, payments by every means, a refund, corrections, a cancellation, a transfer
    to a producer, a cheque deposit, bank fees set aside and two cash boxes counted."""
    db = demo_db_copy
    ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=dt.date(*DEMO_AS_OF))
    producers = [producer_id(db, regime=VatRegime.NORMAL, mandate=True),
                 producer_id(db, regime=VatRegime.FRANCHISE, mandate=False)]
    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=producers, issue_date=ISSUE_DAY, processes=1)
    with db.reading() as session:
        member = session.scalars(select(Member.id).join(
            LedgerEntry, LedgerEntry.member_id == Member.id).where(
            LedgerEntry.kind == "order").order_by(Member.id)).first()
        assert member is not None
    day = dt.date(2026, 11, 20)
    payments = {}
    for means, amount in ((PaymentMeans.CASH, "10.00"), (PaymentMeans.CHEQUE, "20.00"),
                          (PaymentMeans.TRANSFER, "30.00"),
                          (PaymentMeans.LOCAL_CURRENCY, "5.00"), (PaymentMeans.CARD, "7.50")):
        payments[means] = ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=member,
                                                amount=amount, means=means, entry_date=day)
    ledger.record_refund(db=db, actor=LOCAL_ADMIN, member_id=member, amount="2.00",
                         means=PaymentMeans.CASH, entry_date=day)
    ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="3.00", label="Sac oublié",
                             entry_date=day, member_id=member)
    ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="-4.00", label="Geste",
                             entry_date=day, member_id=member)
    ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="-1.50", label="Caisse perdue",
                             entry_date=day, producer_id=producers[0])
    reversal = ledger.reverse_entry(db=db, actor=LOCAL_ADMIN,
                                    entry_id=payments[PaymentMeans.CASH].id,
                                    reason="saisi deux fois", entry_date=dt.date(2026, 11, 28))
    moment = dt.datetime(2026, 11, 27, 18, tzinfo=dt.UTC)
    with db.transaction() as session:
        cheque = Cheque(number="1234567", amount=D("15.00"), member_id=member,
                        producer_id=producers[1], drawer="Payeur")
        session.add(cheque)
        session.flush()
        to_producer = ledger.record_payment_in(session, LOCAL_ADMIN, member_id=member,
                                               amount=D("15.00"), means=PaymentMeans.CHEQUE,
                                               entry_date=day, cheque_id=cheque.id)
        session.add(ChequeRemittance(kind=RemittanceKind.DEPOSIT, number="REM-2026-9001",
                                     remittance_date=dt.date(2026, 11, 27), cheque_count=1,
                                     total=D("20.00"), created_at=moment, created_by="test"))
        statement = BankStatement(account="FR7642559100007650657286180", format="csv",
                                  source="releve.csv", lines_read=1, lines_new=1,
                                  imported_at=moment, imported_by="test")
        session.add(statement)
        session.flush()
        session.add(BankLine(statement_id=statement.id, account=statement.account,
                             fingerprint="a" * 32, booking_date=dt.date(2026, 11, 16),
                             amount=D("-4.20"), label="FRAIS TENUE DE COMPTE",
                             ignored_reason="Frais bancaires"))
        cycle, point = session.execute(
            select(Cycle.id, CyclePoint.point_id).join(CyclePoint).where(
                Cycle.state == CycleState.DISTRIBUTED,
                Cycle.distribution_date.between(MONTH.date_from, MONTH.date_to))
            .order_by(Cycle.distribution_date)).first()  # type: ignore[misc]
        session.add(CashSession(cycle_id=cycle, point_id=point, currency=CashCurrency.EURO,
                                opening_float=D("50.00"), expected=D("80.00"),
                                counted=D("78.70"), difference=D("-1.30")))
        session.add(CashSession(cycle_id=cycle, point_id=point, currency=CashCurrency.LOCAL,
                                opening_float=D("0.00"), expected=D("5.00"),
                                counted=D("5.50"), difference=D("0.50")))
        session.execute(update(Member).where(Member.id == member).values(
            last_name=FORMULA_NAME))
        payout_entry = to_producer.id
    by_cheque = ledger.record_payout(db=db, actor=LOCAL_ADMIN, producer_id=producers[0],
                                     amount="25.00", means=PaymentMeans.CHEQUE,
                                     entry_date=day, reference="CHQ 0000042")
    paid = payouts.pay_invoices(db=db, actor=LOCAL_ADMIN,
                                items=[PayoutItem(report.invoices[1].number)],
                                execution_date=dt.date(2026, 11, 30),
                                today=dt.date(2026, 11, 30))
    return {"db": db, "member": member, "invoices": report.invoices, "producers": producers,
            "payments": payments, "reversal": reversal, "to_producer": payout_entry,
            "payout": paid, "by_cheque": by_cheque}


def _pieces(lines: tuple[JournalLine, ...]) -> dict[str, list[JournalLine]]:
    pieces: dict[str, list[JournalLine]] = defaultdict(list)
    for line in lines:
        pieces[line.piece].append(line)
    return pieces


def _accounts(lines: list[JournalLine]) -> dict[str, tuple[Decimal, Decimal]]:
    """Account (411 and 401 sub-accounts by their general account) → (debit, credit)."""
    result: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        key = line.account[:3] if line.account[:3] in ("411", "401") else line.account
        debit, credit = result.get(key, (ZERO, ZERO))
        result[key] = (debit + line.debit, credit + line.credit)
    return result


def _check_balanced(built: Journal) -> None:
    assert built.lines
    assert built.total_debit == built.total_credit
    for piece, lines in _pieces(built.lines).items():
        assert sum(x.debit for x in lines) == sum(x.credit for x in lines), piece
        assert len({x.date for x in lines}) == 1 and len({x.journal for x in lines}) == 1
    for line in built.lines:
        assert (line.debit > 0) != (line.credit > 0), line  # one side, never zero
        assert line.debit == line.debit.quantize(D("0.01"))
        assert line.credit == line.credit.quantize(D("0.01"))


def test_a_worked_month_balances_to_the_cent_piece_by_piece(worked: dict[str, object]) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    built = journal.build_journal(db=db, actor=LOCAL_ADMIN, period=MONTH)
    _check_balanced(built)
    assert not built.vat_registered and built.unbalanced_pieces() == []
    accounts = {line.account[:3] if line.account.startswith(("411", "401")) else line.account
                for line in built.lines}
    assert {"411", "707", "467", "756", "512", "5112", "530", "531", "471", "607", "401",
            "658", "758"} <= accounts
    assert {line.journal for line in built.lines} == {"VT", "AC", "BQ", "CA", "OD"}
    assert not any(line.account.startswith("4457") or line.account.startswith("4456")
                   for line in built.lines)  # not VAT-registered: no VAT line

    # The households' accounts move in the journal as they do in the ledger.
    with db.reading() as session:
        ledger_members = session.scalar(select(func.sum(LedgerEntry.amount)).where(
            LedgerEntry.member_id.is_not(None),
            LedgerEntry.entry_date.between(MONTH.date_from, MONTH.date_to)))
        invoice = worked["invoices"][0]  # type: ignore[index]
        prefix = session.scalar(select(Producer.invoice_prefix).where(
            Producer.id == invoice.producer_id))
    members = _accounts(list(built.lines))["411"]
    assert members[0] - members[1] == ledger_members

    pieces = _pieces(built.lines)
    assert _accounts(pieces[invoice.number]) == {"607": (invoice.total_ttc, ZERO),
                                                 "401": (ZERO, invoice.total_ttc)}
    assert f"401{prefix}" in {x.account for x in pieces[invoice.number]}
    payout = worked["payout"]
    assert isinstance(payout, payouts.PayoutResult)
    [payout_piece] = [lines for lines in pieces.values()
                      if any("Paiement de la facture" in x.label for x in lines)]
    assert _accounts(payout_piece) == {"401": (payout.total, ZERO), "512": (ZERO, payout.total)}
    assert payout_piece[0].journal == "BQ" and payout_piece[0].date == dt.date(2026, 11, 30)

    by_cheque = worked["by_cheque"]
    assert isinstance(by_cheque, ledger.EntryRow)
    assert _accounts(pieces[f"GL{by_cheque.id:06d}"]) == {"401": (D("25.00"), ZERO),
                                                          "512": (ZERO, D("25.00"))}
    payments = worked["payments"]
    assert isinstance(payments, dict)
    for means, account in ((PaymentMeans.CASH, "530"), (PaymentMeans.CHEQUE, "5112"),
                           (PaymentMeans.TRANSFER, "512"), (PaymentMeans.CARD, "512"),
                           (PaymentMeans.LOCAL_CURRENCY, "531")):
        entry = payments[means]
        assert _accounts(pieces[f"GL{entry.id:06d}"]) == {
            account: (-entry.amount, ZERO), "411": (ZERO, -entry.amount)}
    # A cheque made out to a producer goes to it, never to the co-op's bank.
    assert _accounts(pieces[f"GL{worked['to_producer']:06d}"]) == {
        "467": (D("15.00"), ZERO), "411": (ZERO, D("15.00"))}
    # A cancellation is the mirror of the entry it cancels.
    reversal = worked["reversal"]
    assert isinstance(reversal, ledger.EntryRow)
    assert _accounts(pieces[f"GL{reversal.id:06d}"]) == {
        "530": (ZERO, D("10.00")), "411": (D("10.00"), ZERO)}
    assert pieces[f"GL{reversal.id:06d}"][0].journal == "CA"
    # The bank and the cash box.
    assert _accounts(pieces["REM-2026-9001"]) == {"512": (D("20.00"), ZERO),
                                                  "5112": (ZERO, D("20.00"))}
    [fees] = [lines for lines in pieces.values() if "Frais bancaires" in lines[0].label]
    assert _accounts(fees) == {"471": (D("4.20"), ZERO), "512": (ZERO, D("4.20"))}
    [short, over] = [lines for lines in pieces.values()
                     if lines[0].label.startswith("Écart de caisse")]
    assert _accounts(short) == {"658": (D("1.30"), ZERO), "530": (ZERO, D("1.30"))}
    assert _accounts(over) == {"531": (D("0.50"), ZERO), "758": (ZERO, D("0.50"))}
    # Pieces come in date order.
    assert [line.date for line in built.lines] == sorted(line.date for line in built.lines)


def test_a_vat_registered_co_op_books_vat_rate_by_rate(worked: dict[str, object]) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    with db.transaction() as session:
        session.execute(update(Coop).values(vat_number="FR40303265045"))
    built = journal.build_journal(db=db, actor=LOCAL_ADMIN, period=MONTH)
    _check_balanced(built)
    assert built.vat_registered
    invoices = worked["invoices"]
    assert isinstance(invoices, tuple)
    invoice = next(i for i in invoices if i.total_vat > 0)  # the producer charges VAT
    assert _accounts(_pieces(built.lines)[invoice.number]) == {
        "607": (invoice.total_ht, ZERO), "445660": (invoice.total_vat, ZERO),
        "401": (ZERO, invoice.total_ttc)}
    collected = [line for line in built.lines if line.account == "445710"]
    assert collected and all("TVA 5,5 %" in x.account_label or "TVA 10 %" in x.account_label
                             or "TVA 20 %" in x.account_label for x in collected)
    # An order of 10,55 € at 5,5 % is 10,00 € of sales and 0,55 € of VAT.
    for piece in _pieces(built.lines).values():
        sales = {x.account_label: x.credit for x in piece if x.account == "707"}
        vat = {x.account_label.split(" — ")[-1]: x.credit for x in piece
               if x.account == "445710"}
        for label, amount in sales.items():
            rate = D(label.split("TVA ")[-1].rstrip(" %").replace(",", "."))
            ttc = amount + vat[label.split(" — ")[-1]]
            assert abs(ttc * rate / (100 + rate) - vat[label.split(" — ")[-1]]) <= D("0.005")


def test_csv_reads_back_in_a_french_spreadsheet(worked: dict[str, object],
                                                tmp_path: Path) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    written = journal.export_journal(db=db, actor=LOCAL_ADMIN, period=MONTH,
                                     path=tmp_path / "journal.csv")
    raw = written.path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Journal", "Pièce", "Compte", "Libellé du compte", "Libellé",
                       "Débit", "Crédit"]
    assert len(rows) == len(written.journal.lines) + 1
    debit = sum(D(row[6].replace(",", ".")) for row in rows[1:])
    credit = sum(D(row[7].replace(",", ".")) for row in rows[1:])
    assert debit == credit == written.journal.total_debit
    assert all("," in row[6] and "." not in row[6] for row in rows[1:])
    assert rows[1][0] == "01/11/2026"
    # A household named like a formula is shown, never run.
    named = [row for row in rows if FORMULA_NAME.upper()[1:] in row[5]]
    assert named and all(row[5].startswith("'=") and row[4].startswith("'=") for row in named
                         if row[3].startswith("411"))
    assert "Journal novembre 2026" in written.summary


def test_xlsx_has_numbers_with_two_decimals_and_a_totals_row(worked: dict[str, object],
                                                             tmp_path: Path) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    written = journal.export_journal(db=db, actor=LOCAL_ADMIN, period=MONTH,
                                     path=tmp_path / "journal.xlsx")
    sheet = load_workbook(written.path).active
    assert sheet is not None
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["Date", "Journal", "Pièce", "Compte",
                                          "Libellé du compte", "Libellé", "Débit", "Crédit"]
    lines = rows[1:-1]
    assert len(lines) == len(written.journal.lines)
    assert isinstance(lines[0][0].value, dt.datetime) and lines[0][0].number_format == \
        "DD/MM/YYYY"
    for row in lines:
        assert isinstance(row[6].value, int | float) and isinstance(row[7].value, int | float)
        assert row[6].number_format == row[7].number_format == "#,##0.00"
    total = rows[-1]
    assert total[5].value == "Total"
    expected = float(written.journal.total_debit)
    assert total[6].value == pytest.approx(expected) and total[7].value == pytest.approx(expected)
    assert sum(D(str(r[6].value)) for r in lines) == written.journal.total_debit
    formula_cells = [row[5] for row in lines if str(row[5].value).startswith("=")]
    assert formula_cells and all(c.data_type == "s" and c.quotePrefix for c in formula_cells)


def test_a_year_and_an_empty_month(worked: dict[str, object]) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    year = journal.build_journal(db=db, actor=LOCAL_ADMIN, period=Period.year(2026))
    _check_balanced(year)
    month = journal.build_journal(db=db, actor=LOCAL_ADMIN, period=MONTH)
    assert len(year.lines) > len(month.lines)
    empty = journal.build_journal(db=db, actor=LOCAL_ADMIN, period=parse_period("2020-01"))
    assert empty.lines == () and empty.total_debit == empty.total_credit == 0


def test_refusals(worked: dict[str, object], tmp_path: Path) -> None:
    db = worked["db"]
    assert isinstance(db, Database)
    with pytest.raises(ServiceError, match=r"choisissez un nom en \.csv ou en \.xlsx"):
        journal.export_journal(db=db, actor=LOCAL_ADMIN, period=MONTH,
                               path=tmp_path / "journal.pdf")
    with pytest.raises(PermissionDenied, match="journal comptable"):
        journal.build_journal(db=db, actor=Actor(name="Coordinatrice", role=Role.COORDINATOR),
                              period=MONTH)
