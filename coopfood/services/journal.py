"""The accountant's journal of a period: the ledger and the bank in French double entry.

Each ledger entry becomes one piece of two or more lines whose debits equal
its credits to the cent; so does each cheque deposit, each bank line set aside
with a reason, and each cash box counted with a difference. The journal of a
period holds what is dated in it, whatever day it was recorded.

What goes where (accounts in `ACCOUNTS` below):

| what                                   | debit                        | credit            |
|----------------------------------------|------------------------------|-------------------|
| a household's delivered order          | 411 household                | 707 sales         |
| an AMAP contract instalment            | 411 household                | 467 producers     |
| a membership fee                       | 411 household                | 756 fees          |
| a household's payment                  | 512 / 5112 / 530 / 531 / 471 | 411 household     |
| a cheque made out to a producer        | 467 producers                | 411 household     |
| money paid back to a household         | 411 household                | 512 / 530 / …     |
| a producer's invoice                   | 607 purchases                | 401 producer      |
| a producer's credit note               | 401 producer                 | 607 purchases     |
| a payment to a producer                | 401 producer                 | 512 / 530 / …     |
| a correction by hand (+ / −)           | the account / 658            | 758 / the account |
| a cancellation                         | the exact mirror of the entry it cancels      |
| a cheque deposit (bordereau)           | 512 bank                     | 5112 cheques      |
| a bank line set aside (fees…)          | 471 to sort out / 512        | 512 / 471         |
| a cash box short (or over)             | 658 / 530                    | 530 / 758         |

A cheque a household hands in waits on 5112 until its deposit slip; a cheque the
co-op writes (to a producer, or back to a household) is booked on 512 at once.

VAT: most co-ops (associations, AMAP) are not VAT-registered and keep their
books with VAT included: then there is no VAT line at all, 707 and 607 take the
amounts with VAT. A co-op with a VAT number on its file is taken as
VAT-registered: a producer's invoice books its VAT on 445660 (exactly, from
the invoice), and a household's order books its VAT on 445710, rate by rate,
from the household's delivered lines of that distribution (a later correction
of an order is shared out in the proportions of what is delivered by then).

A payment whose means was not recorded (a fee marked paid, say) goes to 471,
to be sorted out by the accountant rather than guessed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.domain.money import ZERO, round_cents
from coopfood.domain.treasury import CashCurrency, EntryKind, PaymentMeans, RemittanceKind
from coopfood.exports import EXTENSIONS, csv_text, looks_like_formula, write_atomically
from coopfood.i18n import N_, _, format_money
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    CashSession,
    Cheque,
    ChequeRemittance,
    Coop,
    Cycle,
    DistributionPoint,
    Invoice,
    LedgerEntry,
    Member,
    Order,
    OrderLine,
    Producer,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, line_amount_cents, sum_cents
from coopfood.services import Actor, ServiceError
from coopfood.services.access import require
from coopfood.services.ledger import TREASURERS
from coopfood.services.value_sharing import Period

# The chart of accounts: numbers and labels follow the Plan comptable général and the
# plan comptable des associations (règlement ANC n° 2018-06). Change them here to match
# the co-op's own chart: nothing else in the code names an account.
ACCOUNTS: dict[str, tuple[str, str]] = {
    #: Households (adhérents), one sub-account each: 411 + its payment reference.
    "members": ("411", N_("Adhérents")),
    #: Producers (fournisseurs), one sub-account each: 401 + its invoice prefix.
    "producers": ("401", N_("Fournisseurs — producteurs")),
    "sales": ("707", N_("Ventes de marchandises")),
    "collected": ("467", N_("Sommes encaissées pour le compte des producteurs")),
    "fees": ("756", N_("Cotisations")),
    "purchases": ("607", N_("Achats de marchandises")),
    "vat_collected": ("445710", N_("TVA collectée")),
    "vat_deductible": ("445660", N_("TVA déductible sur biens et services")),
    "bank": ("512", N_("Banque")),
    "cheques": ("5112", N_("Chèques à encaisser")),
    "cash": ("530", N_("Caisse")),
    "local_currency": ("531", N_("Caisse monnaie locale")),
    "suspense": ("471", N_("Opérations à classer")),
    "other_income": ("758", N_("Produits divers de gestion courante")),
    "other_expense": ("658", N_("Charges diverses de gestion courante")),
}

#: Journal codes and what each holds.
JOURNALS: dict[str, str] = {
    "VT": N_("Ventes et cotisations"),
    "AC": N_("Achats"),
    "BQ": N_("Banque"),
    "CA": N_("Caisse"),
    "OD": N_("Opérations diverses"),
}

#: The treasury account each means of payment moves.
MEANS_ACCOUNTS: dict[PaymentMeans | None, str] = {
    PaymentMeans.TRANSFER: "bank",
    PaymentMeans.CARD: "bank",
    PaymentMeans.DIRECT_DEBIT: "bank",
    PaymentMeans.CHEQUE: "cheques",
    PaymentMeans.CASH: "cash",
    PaymentMeans.LOCAL_CURRENCY: "local_currency",
    None: "suspense",
}

#: The journal an entry goes to when its counterpart is a treasury account.
_TREASURY_JOURNALS = {"bank": "BQ", "cheques": "BQ", "cash": "CA", "local_currency": "CA"}

HEADERS = (N_("Date"), N_("Journal"), N_("Pièce"), N_("Compte"), N_("Libellé du compte"),
           N_("Libellé"), N_("Débit"), N_("Crédit"))


@dataclass(frozen=True)
class JournalLine:
    date: dt.date
    journal: str
    piece: str
    account: str
    account_label: str
    label: str
    debit: Decimal
    credit: Decimal


@dataclass(frozen=True)
class Journal:
    period: Period
    vat_registered: bool
    lines: tuple[JournalLine, ...]

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def pieces(self) -> int:
        return len({line.piece for line in self.lines})

    def unbalanced_pieces(self) -> list[str]:
        """Pieces whose debits and credits differ (none, unless a bug)."""
        sums: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            sums[line.piece] += line.debit - line.credit
        return sorted(piece for piece, total in sums.items() if total)


@dataclass(frozen=True)
class JournalExport:
    path: Path
    journal: Journal

    @property
    def summary(self) -> str:
        return _("Journal {period} : {lines} lignes, {pieces} pièces, {debit} au débit et "
                 "au crédit — {file}").format(
            period=self.journal.period.label, lines=len(self.journal.lines),
            pieces=self.journal.pieces, debit=format_money(self.journal.total_debit),
            file=self.path)


# --- the accounts ---------------------------------------------------------------------------


def _account(key: str) -> tuple[str, str]:
    number, label = ACCOUNTS[key]
    return number, _(label)


_NOT_ACCOUNT_CHARACTER = re.compile(r"[^0-9A-Z]")


def _sub_account(key: str, code: str) -> str:
    """« 411 » + « AD0042 »: the auxiliary account of a household or a producer."""
    return ACCOUNTS[key][0] + _NOT_ACCOUNT_CHARACTER.sub("", code.upper())


@dataclass
class _Piece:
    """The lines of one piece, each amount signed: > 0 a debit, < 0 a credit."""

    date: dt.date
    journal: str
    piece: str
    label: str
    amounts: list[tuple[str, str, Decimal, str]] = field(default_factory=list)

    def add(self, account: tuple[str, str], amount: Decimal, label: str | None = None) -> None:
        if amount:
            self.amounts.append((account[0], account[1], amount, label or self.label))

    def lines(self) -> list[JournalLine]:
        return [JournalLine(date=self.date, journal=self.journal, piece=self.piece,
                            account=number, account_label=account_label, label=label,
                            debit=amount if amount > 0 else ZERO,
                            credit=-amount if amount < 0 else ZERO)
                for number, account_label, amount, label in self.amounts]


class _Builder:
    """Turns the entries of a period into pieces; knows the names and the VAT mixes."""

    def __init__(self, session: Session, vat_registered: bool) -> None:
        self.session = session
        self.vat_registered = vat_registered
        self.members: dict[int, tuple[str, str]] = {}
        self.producers: dict[int, tuple[str, str]] = {}
        self.invoices: dict[int, Invoice] = {}
        self.cheque_producers: dict[int, int | None] = {}
        self._mixes: dict[tuple[int, int], dict[Decimal, Decimal]] = {}

    def load(self, entries: Sequence[LedgerEntry]) -> None:
        session = self.session
        member_ids = {e.member_id for e in entries if e.member_id is not None}
        producer_ids = {e.producer_id for e in entries if e.producer_id is not None}
        invoice_ids = {e.invoice_id for e in entries if e.invoice_id is not None}
        cheque_ids = {e.cheque_id for e in entries if e.cheque_id is not None}
        for chunk in _chunks(member_ids):
            for mid, last, first, reference in session.execute(
                    select(Member.id, Member.last_name, Member.first_name,
                           Member.payment_reference).where(Member.id.in_(chunk))):
                self.members[mid] = (_sub_account("members", reference or str(mid)),
                                     household_name(last, first))
        for chunk in _chunks(cheque_ids):
            for cheque_id, producer_id in session.execute(
                    select(Cheque.id, Cheque.producer_id).where(Cheque.id.in_(chunk))):
                self.cheque_producers[cheque_id] = producer_id
        producer_ids |= {p for p in self.cheque_producers.values() if p is not None}
        for chunk in _chunks(producer_ids):
            for pid, name, prefix in session.execute(
                    select(Producer.id, Producer.name, Producer.invoice_prefix)
                    .where(Producer.id.in_(chunk))):
                self.producers[pid] = (_sub_account("producers", prefix or str(pid)), name)
        if self.vat_registered:
            for chunk in _chunks(invoice_ids):
                self.invoices.update((i.id, i) for i in session.scalars(
                    select(Invoice).where(Invoice.id.in_(chunk))))

    # --- one entry ------------------------------------------------------------------------

    def piece(self, entry: LedgerEntry, original: LedgerEntry | None) -> _Piece:
        if entry.kind is EntryKind.REVERSAL and original is not None:
            mirrored = self.piece(original, None)
            piece = _Piece(date=entry.entry_date, journal=mirrored.journal,
                           piece=_piece_number(entry), label=self._label(entry))
            for number, account_label, amount, _label in mirrored.amounts:
                piece.add((number, account_label), -amount)
            return piece
        own, name = self._own_account(entry)
        counterparts = self._counterparts(entry)
        journal = self._journal(entry, counterparts)
        piece = _Piece(date=entry.entry_date, journal=journal, piece=_piece_number(entry),
                       label=self._label(entry))
        # The household's or the producer's account moves by the entry's own amount (the
        # ledger's sign is the co-op's: > 0 owed to it, a debit); the counterparts balance it.
        piece.add((own, name), entry.amount)
        for account, amount in counterparts:
            piece.add(account, -amount)
        return piece

    def _label(self, entry: LedgerEntry) -> str:
        name = (self.members.get(entry.member_id or 0, ("", ""))[1] if entry.member_id
                else self.producers.get(entry.producer_id or 0, ("", ""))[1])
        return f"{name} — {entry.label}" if name else entry.label

    def _own_account(self, entry: LedgerEntry) -> tuple[str, str]:
        if entry.member_id is not None:
            return self.members.get(entry.member_id, (ACCOUNTS["members"][0], ""))
        return self.producers.get(entry.producer_id or 0, (ACCOUNTS["producers"][0], ""))

    def _journal(self, entry: LedgerEntry,
                 counterparts: Sequence[tuple[tuple[str, str], Decimal]]) -> str:
        kind = entry.kind
        if kind in (EntryKind.ORDER, EntryKind.CONTRACT, EntryKind.FEE):
            return "VT"
        if kind in (EntryKind.INVOICE, EntryKind.CREDIT_NOTE):
            return "AC"
        if kind in (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.PAYOUT):
            numbers = {account[0] for account, _amount in counterparts}
            for key, journal in _TREASURY_JOURNALS.items():
                if ACCOUNTS[key][0] in numbers:
                    return journal
        return "OD"

    def _counterparts(self, entry: LedgerEntry) -> list[tuple[tuple[str, str], Decimal]]:
        """The accounts that balance the entry, each with its part of `entry.amount`."""
        amount = entry.amount
        kind = entry.kind
        if kind is EntryKind.ORDER:
            return self._sales(entry)
        if kind is EntryKind.CONTRACT:
            return [(_account("collected"), amount)]
        if kind is EntryKind.FEE:
            return [(_account("fees"), amount)]
        if kind in (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.PAYOUT):
            producer = self.cheque_producers.get(entry.cheque_id or 0)
            if kind is EntryKind.PAYMENT and producer is not None:
                # A cheque made out to the producer never reaches the co-op's bank.
                return [(_account("collected"), amount)]
            key = MEANS_ACCOUNTS.get(entry.means, "suspense")
            if key == "cheques" and kind is not EntryKind.PAYMENT:
                key = "bank"  # a cheque the co-op writes is taken from its bank account
            return [(_account(key), amount)]
        if kind in (EntryKind.INVOICE, EntryKind.CREDIT_NOTE):
            return self._purchases(entry)
        # A correction by hand (or a cancellation whose entry is missing).
        return [(_account("other_income" if amount > 0 else "other_expense"), amount)]

    def _purchases(self, entry: LedgerEntry) -> list[tuple[tuple[str, str], Decimal]]:
        invoice = self.invoices.get(entry.invoice_id or 0)
        if invoice is None or not invoice.total_vat or invoice.total_ttc != abs(entry.amount):
            return [(_account("purchases"), entry.amount)]
        sign = 1 if entry.amount > 0 else -1
        return [(_account("purchases"), sign * invoice.total_ht),
                (_account("vat_deductible"), sign * invoice.total_vat)]

    def _sales(self, entry: LedgerEntry) -> list[tuple[tuple[str, str], Decimal]]:
        sales = _account("sales")
        if not self.vat_registered or entry.cycle_id is None or entry.member_id is None:
            return [(sales, entry.amount)]
        mix = self._mix(entry.cycle_id, entry.member_id)
        weight = sum(mix.values(), ZERO)
        if not weight:
            return [(sales, entry.amount)]
        result: list[tuple[tuple[str, str], Decimal]] = []
        left = entry.amount
        rates = sorted(mix)
        for index, rate in enumerate(rates):
            share = (left if index == len(rates) - 1
                     else round_cents(entry.amount * mix[rate] / weight))
            left -= share
            vat = round_cents(share * rate / (100 + rate))
            rate_text = _("TVA {rate} %").format(rate=_rate_text(rate))
            result.append(((sales[0], f"{sales[1]} — {rate_text}"), share - vat))
            vat_account = _account("vat_collected")
            result.append(((vat_account[0], f"{vat_account[1]} — {rate_text}"), vat))
        return result

    def _mix(self, cycle_id: int, member_id: int) -> dict[Decimal, Decimal]:
        """The household's delivered à-la-carte amounts of a distribution, by VAT rate."""
        key = (cycle_id, member_id)
        if key not in self._mixes:
            self._mixes[key] = {rate: cents_to_money(cents) for rate, cents in self.session.execute(
                select(OrderLine.vat_rate,
                       sum_cents(line_amount_cents(OrderLine.member_unit_price,
                                                   OrderLine.quantity_delivered)))
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.cycle_id == cycle_id, Order.member_id == member_id,
                       OrderLine.contract_id.is_(None),
                       OrderLine.quantity_delivered.is_not(None))
                .group_by(OrderLine.vat_rate))}
        return self._mixes[key]


def _rate_text(rate: Decimal) -> str:
    return format(rate.normalize(), "f").replace(".", ",")


def _piece_number(entry: LedgerEntry) -> str:
    """The invoice's own number for an invoice or a credit note, else the ledger's entry."""
    if entry.kind in (EntryKind.INVOICE, EntryKind.CREDIT_NOTE) and entry.reference:
        return entry.reference
    return f"GL{entry.id:06d}"


def _chunks(ids: Iterable[int], size: int = 500) -> Iterable[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start:start + size]


# --- the bank and the cash box ------------------------------------------------------------------


def _deposits(session: Session, period: Period) -> list[_Piece]:
    pieces = []
    for remittance in session.scalars(select(ChequeRemittance).where(
            ChequeRemittance.kind == RemittanceKind.DEPOSIT,
            ChequeRemittance.remittance_date.between(period.date_from, period.date_to))
            .order_by(ChequeRemittance.remittance_date, ChequeRemittance.id)):
        piece = _Piece(date=remittance.remittance_date, journal="BQ", piece=remittance.number,
                       label=_("Remise de chèques {number} ({n} chèques)").format(
                           number=remittance.number, n=remittance.cheque_count))
        piece.add(_account("bank"), remittance.total)
        piece.add(_account("cheques"), -remittance.total)
        pieces.append(piece)
    return pieces


def _set_aside_bank_lines(session: Session, period: Period) -> list[_Piece]:
    pieces = []
    for line in session.scalars(select(BankLine).where(
            BankLine.ignored_reason.is_not(None),
            BankLine.booking_date.between(period.date_from, period.date_to))
            .order_by(BankLine.booking_date, BankLine.id)):
        piece = _Piece(date=line.booking_date, journal="BQ", piece=f"BQ{line.id:06d}",
                       label=f"{line.label} — {line.ignored_reason}")
        piece.add(_account("bank"), line.amount)
        piece.add(_account("suspense"), -line.amount)
        pieces.append(piece)
    return pieces


def _cash_differences(session: Session, period: Period) -> list[_Piece]:
    pieces = []
    for box, day, point in session.execute(
            select(CashSession, Cycle.distribution_date, DistributionPoint.name)
            .join(Cycle, Cycle.id == CashSession.cycle_id)
            .join(DistributionPoint, DistributionPoint.id == CashSession.point_id)
            .where(CashSession.difference.is_not(None), CashSession.difference != 0,
                   Cycle.distribution_date.between(period.date_from, period.date_to))
            .order_by(Cycle.distribution_date, CashSession.id)):
        difference = box.difference or ZERO
        account = "local_currency" if box.currency is CashCurrency.LOCAL else "cash"
        piece = _Piece(date=day, journal="CA", piece=f"CA{box.id:06d}",
                       label=_("Écart de caisse — {point}").format(point=point))
        piece.add(_account(account), difference)
        piece.add(_account("other_income" if difference > 0 else "other_expense"), -difference)
        pieces.append(piece)
    return pieces


# --- the journal --------------------------------------------------------------------------------


def build_journal(*, db: Database, actor: Actor, period: Period) -> Journal:
    """Every piece dated in the period, by date, journal and piece."""
    require(actor, TREASURERS, _("établir le journal comptable"))
    with db.reading() as session:
        coop = session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()
        vat_registered = bool(coop is not None and (coop.vat_number or "").strip())
        entries = session.scalars(select(LedgerEntry).where(
            LedgerEntry.entry_date.between(period.date_from, period.date_to))
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)).all()
        originals: dict[int, LedgerEntry] = {}
        for chunk in _chunks({e.reverses_id for e in entries if e.reverses_id is not None}):
            originals.update((e.id, e) for e in session.scalars(
                select(LedgerEntry).where(LedgerEntry.id.in_(chunk))))
        builder = _Builder(session, vat_registered)
        builder.load([*entries, *originals.values()])
        pieces = [builder.piece(e, originals.get(e.reverses_id or 0)) for e in entries]
        pieces += _deposits(session, period)
        pieces += _set_aside_bank_lines(session, period)
        pieces += _cash_differences(session, period)
    pieces.sort(key=lambda p: (p.date, p.journal, p.piece))
    lines = tuple(line for piece in pieces for line in piece.lines())
    journal = Journal(period=period, vat_registered=vat_registered, lines=lines)
    unbalanced = journal.unbalanced_pieces()
    if unbalanced:  # a bug of ours: never hand an accountant an unbalanced journal
        raise ServiceError(_("Le journal n'est pas équilibré (pièces {pieces}) : rien n'a été "
                             "écrit. Signalez-le.").format(pieces=", ".join(unbalanced[:5])))
    return journal


def export_journal(*, db: Database, actor: Actor, period: Period,
                   path: Path | str) -> JournalExport:
    """Write the journal of a period to CSV or XLSX, by the file's extension."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in EXTENSIONS:
        raise ServiceError(_("Format de fichier « {suffix} » non pris en charge pour « {file} » : "
                             "choisissez un nom en .csv ou en .xlsx.").format(
            suffix=target.suffix or _("sans extension"), file=target.name))
    journal = build_journal(db=db, actor=actor, period=period)
    content = journal_csv(journal) if suffix == ".csv" else journal_xlsx(journal)
    write_atomically(target, content)
    return JournalExport(path=target, journal=journal)


# --- CSV and XLSX -------------------------------------------------------------------------------


def _decimal_comma(amount: Decimal) -> str:
    return f"{amount:.2f}".replace(".", ",")


def journal_csv(journal: Journal) -> bytes:
    """Semicolons, decimal commas, dates as 30/11/2026, UTF-8 with a BOM: what Excel opens
    right on a French computer. Only the lines: no totals row, so it imports as it is."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_(header) for header in HEADERS])
    for line in journal.lines:
        writer.writerow([line.date.strftime("%d/%m/%Y"), line.journal, csv_text(line.piece),
                         line.account, csv_text(line.account_label), csv_text(line.label),
                         _decimal_comma(line.debit), _decimal_comma(line.credit)])
    return buffer.getvalue().encode("utf-8-sig")


def _text_cell(cell: Any, text: str, illegal: Any) -> None:
    """A text cell, never run as a formula nor read as an error code."""
    cell.value = illegal.sub("", text)
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True


def journal_xlsx(journal: Journal) -> bytes:
    """Numbers as numbers with two decimals, dates as dates, a totals row."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Journal {period}").format(period=journal.period.code)[:31]
    bold = Font(bold=True)
    for column, header in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=column)
        _text_cell(cell, _(header), ILLEGAL_CHARACTERS_RE)
        cell.font = bold
    widths = [len(_(header)) for header in HEADERS]
    row = 1
    for row, line in enumerate(journal.lines, start=2):
        date = sheet.cell(row=row, column=1, value=line.date)
        date.number_format = "DD/MM/YYYY"
        texts = (line.journal, line.piece, line.account, line.account_label, line.label)
        for column, text in enumerate(texts, start=2):
            _text_cell(sheet.cell(row=row, column=column), text, ILLEGAL_CHARACTERS_RE)
            widths[column - 1] = max(widths[column - 1], len(text))
        for column, amount in ((7, line.debit), (8, line.credit)):
            cell = sheet.cell(row=row, column=column, value=amount)
            cell.number_format = "#,##0.00"
    total_row = row + 1
    label = sheet.cell(row=total_row, column=6)
    _text_cell(label, _("Total"), ILLEGAL_CHARACTERS_RE)
    label.font = bold
    for column, amount in ((7, journal.total_debit), (8, journal.total_credit)):
        cell = sheet.cell(row=total_row, column=column, value=amount)
        cell.number_format = "#,##0.00"
        cell.font = bold
    widths[0] = max(widths[0], 11)
    widths[6] = widths[7] = max(12, len(f"{journal.total_debit:,.2f}") + 2)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


__all__ = [
    "ACCOUNTS",
    "JOURNALS",
    "Journal",
    "JournalExport",
    "JournalLine",
    "build_journal",
    "export_journal",
    "journal_csv",
    "journal_xlsx",
]
