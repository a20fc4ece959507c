"""The bank account: statements imported, their lines matched with the ledger.

Importing (`import_statement`) reads a file the bank gave (CSV of Crédit
Agricole, Crédit Mutuel/CIC, La Banque Postale or of a layout the user saved
as a `ColumnMapping`, OFX, camt.053), and stores the statement and those of
its lines not seen before, in one transaction: a line already imported (same
account, same fingerprint) is counted, never stored twice, so overlapping
exports can be imported in any order. A file that cannot be read whole is
refused whole, with the parser's French messages. The lines are then matched
automatically (coopfood.banking.matching), in the same transaction.

Matching a line explains its amount, in whole or in part, by:

* a household's payment (or refund) by transfer, which the match posts to
  the ledger; an overpayment simply leaves the household in credit;
* a payment by transfer already keyed in the ledger;
* a deposit slip of cheques, whose cheques are then cashed;
* a batch of transfers to producers (SEPA file), or one of its transfers;
* a producer's invoice, whose payment the match posts to the ledger.

A line is « rapprochée automatiquement » (every match automatic),
« confirmée » (the treasurer made or confirmed its matches), « à traiter »
(not or not wholly explained) or « ignorée » (bank fees…, with why).
Undoing a match deletes it and cancels the ledger entry it made, by a
reversal: the ledger is never rewritten. Every change is audited.

A match that posted its own entry carries that entry's moment of creation
as its own (`matched_at`): that is how undoing tells an entry the match made
(cancelled with it) from one keyed in by hand beforehand (left alone).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import enum
import functools
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Select, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coopfood.banking import matching
from coopfood.banking.csv_formats import DELIMITERS, ColumnMapping, find_layout
from coopfood.banking.matching import Facts, LineFacts, Proposal, TargetKind
from coopfood.banking.statements import (
    ParsedStatement,
    StatementError,
    clean_text,
    decode_text,
    detect_format,
    read_statement,
)
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import (
    CHEQUE_TRANSITIONS,
    ChequeStatus,
    EntryKind,
    PaymentMeans,
    RemittanceKind,
)
from coopfood.i18n import _, current_locale, format_date, format_money, ngettext, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    BankMatch,
    BankStatement,
    Cheque,
    ChequeRemittance,
    Coop,
    Invoice,
    LedgerEntry,
    Member,
    PayoutBatch,
    Producer,
    Setting,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, raw, sum_cents
from coopfood.services import (
    Actor,
    NotFound,
    ProgressCallback,
    ServiceError,
    ValidationError,
    audit,
    ledger,
    no_progress,
)
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.ledger import TREASURERS

#: The saved CSV column mappings: a JSON list of `ColumnMapping.to_dict()`.
MAPPINGS_SETTING = "bank.csv_mappings"
#: How long a bank label is kept as the reference of the entry a match posts.
SHORT_LABEL = 80
#: Rows at a time in an IN (…) list.
CHUNK = 500


class LineState(enum.StrEnum):
    AUTOMATIC = "automatic"
    CONFIRMED = "confirmed"
    TO_DO = "to_do"
    IGNORED = "ignored"

    @property
    def label(self) -> str:
        return {
            LineState.AUTOMATIC: _("Rapprochée automatiquement"),
            LineState.CONFIRMED: _("Confirmée"),
            LineState.TO_DO: _("À traiter"),
            LineState.IGNORED: _("Ignorée"),
        }[self]


# --- what the services return ---------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What importing one file did; `error` is set (and nothing stored) when it was refused."""

    source: str
    format: str
    account: str
    statement_id: int | None
    lines_read: int
    lines_new: int
    lines_known: int
    #: Lines of the file that could not be read (the whole file is then refused).
    rejected: int
    #: The parser's French message, and each bad line's, when the file was refused.
    error: str = ""
    problems: tuple[str, ...] = ()
    #: A CSV file whose layout no mapping knows: the user may define one.
    unknown_layout: bool = False
    #: New lines matched automatically.
    matched: int = 0
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    @property
    def refused(self) -> bool:
        return bool(self.error)

    @property
    def counts(self) -> str:
        """« 8 lignes lues, 6 nouvelles, 2 déjà connues, 0 rejetée »"""
        return ", ".join((
            ngettext("{n} ligne lue", "{n} lignes lues", self.lines_read).format(
                n=self.lines_read),
            ngettext("{n} nouvelle", "{n} nouvelles", self.lines_new).format(n=self.lines_new),
            ngettext("{n} déjà connue", "{n} déjà connues", self.lines_known).format(
                n=self.lines_known),
            ngettext("{n} rejetée", "{n} rejetées", self.rejected).format(n=self.rejected),
        ))

    @property
    def summary(self) -> str:
        if self.refused:
            return _("Relevé refusé, rien n'a été enregistré : {error}").format(error=self.error)
        return _("{counts} ; {matched}.").format(
            counts=self.counts,
            matched=ngettext("{n} rapprochée automatiquement",
                             "{n} rapprochées automatiquement", self.matched).format(
                n=self.matched))


@dataclass(frozen=True)
class MatchRow:
    id: int
    line_id: int
    kind: TargetKind
    target_id: int
    #: « DUPONT Marie (ADH-0007) », « Remise REM-2026-0003 du 20/11/2026 »…
    title: str
    #: Signed like the bank line.
    amount: Decimal
    automatic: bool
    matched_at: dt.datetime
    matched_by: str
    entry_id: int | None


@dataclass(frozen=True)
class BankLineRow:
    id: int
    statement_id: int
    account: str
    booking_date: dt.date
    value_date: dt.date | None
    #: Signed: a credit > 0, a debit < 0.
    amount: Decimal
    label: str
    counterparty_name: str | None
    counterparty_iban: str | None
    reference: str | None
    ignored_reason: str | None
    #: What the matches explain, signed like the line.
    matched: Decimal
    state: LineState
    #: What it is matched with, for a list.
    targets: str

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.matched

    @property
    def partly_matched(self) -> bool:
        return self.state is LineState.TO_DO and bool(self.matched)

    @property
    def state_text(self) -> str:
        if self.partly_matched:
            return _("À traiter (reste {amount})").format(amount=format_money(self.remaining))
        return self.state.label


@dataclass(frozen=True)
class LineDetail:
    line: BankLineRow
    matches: tuple[MatchRow, ...]


@dataclass(frozen=True)
class AutoMatchReport:
    lines: int
    matched: int

    @property
    def summary(self) -> str:
        if not self.lines:
            return _("Aucune ligne à rapprocher.")
        return ngettext("{matched} ligne rapprochée automatiquement sur {n} à traiter.",
                        "{matched} lignes rapprochées automatiquement sur {n} à traiter.",
                        self.matched).format(matched=self.matched, n=self.lines)


@dataclass(frozen=True)
class Target:
    """Something a line may be matched with by hand, for a list to choose from."""

    kind: TargetKind
    target_id: int
    title: str
    #: « doit 12,50 € », « reste 812,40 € »…
    detail: str
    #: What a match with it would explain, signed like the line.
    amount: Decimal


@dataclass(frozen=True)
class ExpectedRow:
    """Something the ledger says should show on the bank but no line explains yet."""

    kind: TargetKind
    target_id: int
    day: dt.date
    #: « Règlement par virement », « Remise de chèques »…
    nature: str
    name: str
    label: str
    #: As the bank would show it: > 0 money in, < 0 money out.
    amount: Decimal


@dataclass(frozen=True)
class Unmatched:
    lines: tuple[BankLineRow, ...]
    expected: tuple[ExpectedRow, ...]

    @property
    def lines_total(self) -> Decimal:
        return sum((line.remaining for line in self.lines), ZERO)

    @property
    def expected_total(self) -> Decimal:
        return sum((row.amount for row in self.expected), ZERO)


@dataclass(frozen=True)
class CsvSample:
    """The first rows of a CSV file as cells, for the user to map its columns."""

    rows: tuple[tuple[str, ...], ...]
    delimiter: str
    encoding: str
    #: The row (0-based) that looks like the header line, if one does.
    header_row: int | None


# --- saved column mappings ------------------------------------------------------------------------


def _read_mappings(session: Session) -> list[ColumnMapping]:
    text = session.scalar(select(Setting.value).where(Setting.key == MAPPINGS_SETTING))
    if not text:
        return []
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    mappings = []
    for item in data if isinstance(data, list) else []:
        try:
            mappings.append(ColumnMapping.from_dict(item))
        except (ValidationError, AttributeError, TypeError):
            continue  # a mapping saved by a newer version: skipped, never fatal
    return mappings


def _write_mappings(session: Session, mappings: Sequence[ColumnMapping]) -> None:
    value = json.dumps([m.to_dict() for m in mappings], ensure_ascii=False)
    setting = session.get(Setting, MAPPINGS_SETTING)
    if setting is None:
        session.add(Setting(key=MAPPINGS_SETTING, value=value))
    else:
        setting.value = value


def list_mappings(*, db: Database, actor: Actor) -> list[ColumnMapping]:
    """The CSV layouts the users saved, by name."""
    require(actor, TREASURERS, _("consulter les correspondances de colonnes"))
    with db.reading() as session:
        return sorted(_read_mappings(session), key=lambda m: sort_key(m.name))


def get_mapping(*, db: Database, actor: Actor, name: str) -> ColumnMapping:
    require(actor, TREASURERS, _("consulter les correspondances de colonnes"))
    with db.reading() as session:
        return _named_mapping(session, name)


def _named_mapping(session: Session, name: str) -> ColumnMapping:
    for mapping in _read_mappings(session):
        if sort_key(mapping.name) == sort_key(name.strip()):
            return mapping
    known = ", ".join(m.name for m in _read_mappings(session)) or _("aucune")
    raise NotFound(_("Correspondance de colonnes « {name} » introuvable (enregistrées : "
                     "{known}).").format(name=name, known=known))


def save_mapping(*, db: Database, actor: Actor, mapping: ColumnMapping) -> ColumnMapping:
    """Save a user's CSV layout under its name (replacing one of the same name)."""
    require(actor, TREASURERS, _("enregistrer une correspondance de colonnes"))
    with db.transaction() as session:
        mappings = [m for m in _read_mappings(session)
                    if sort_key(m.name) != sort_key(mapping.name)]
        replaced = len(mappings) != len(_read_mappings(session))
        mappings.append(mapping)
        _write_mappings(session, mappings)
        audit.record(session, actor=actor, entity="bank_mapping", entity_id=None,
                     action="update" if replaced else "create",
                     summary=_("Correspondance de colonnes « {name} » enregistrée").format(
                         name=mapping.name), after=mapping.to_dict())
    return mapping


def delete_mapping(*, db: Database, actor: Actor, name: str) -> None:
    require(actor, TREASURERS, _("supprimer une correspondance de colonnes"))
    with db.transaction() as session:
        found = _named_mapping(session, name)
        _write_mappings(session, [m for m in _read_mappings(session)
                                  if sort_key(m.name) != sort_key(found.name)])
        audit.record(session, actor=actor, entity="bank_mapping", entity_id=None,
                     action="delete",
                     summary=_("Correspondance de colonnes « {name} » supprimée").format(
                         name=found.name), before=found.to_dict())


def sniff_csv(path: Path | str, *, delimiter: str | None = None, encoding: str = "cp1252",
              rows: int = 40) -> CsvSample:
    """The first rows of a CSV file, to define a mapping from: the delimiter guessed
    (the one that splits the most lines alike), the header line guessed (the first
    with a « date » column and two more)."""
    path = Path(path)
    try:
        data = path.read_bytes()[:65536]
    except OSError as error:
        raise ServiceError(_("Lecture de « {file} » impossible ({reason}).").format(
            file=path.name, reason=error.strerror or error)) from None
    try:
        text = decode_text(data, file=path.name, legacy=encoding)
    except StatementError:
        text = data.decode("latin-1")
    used = "utf-8" if _is_utf8(data) else encoding
    lines = text.splitlines()[: rows * 2]
    if delimiter is None:
        def spread(candidate: str) -> tuple[int, int]:
            counts = [line.count(candidate) for line in lines if line.strip()]
            return (max(counts, key=counts.count, default=0), sum(1 for c in counts if c))
        delimiter = max(DELIMITERS, key=spread)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sample: list[tuple[str, ...]] = []
    try:
        for record in reader:
            sample.append(tuple(clean_text(cell) for cell in record))
            if len(sample) >= rows:
                break
    except csv.Error:
        pass  # a truncated sample: the rows read so far are enough to map columns
    def dated(row: tuple[str, ...]) -> bool:
        return any(_DATE_CELL.fullmatch(cell) for cell in row)

    # The header line is the one before the first operation: named cells, then a date.
    header = next((index for index, row in enumerate(sample[:-1])
                   if sum(1 for cell in row if cell) >= 3 and not dated(row)
                   and dated(sample[index + 1])), None)
    return CsvSample(rows=tuple(sample), delimiter=delimiter, encoding=used, header_row=header)


_DATE_CELL = re.compile(r"\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}")


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # A cut in the middle of a character at the sample's end is still UTF-8.
        return error.start >= len(data) - 3
    return True


# --- importing ------------------------------------------------------------------------------------


def _account(session: Session, parsed: ParsedStatement, given: str | None) -> str:
    """The file's account, else the one given, else the co-op's IBAN."""
    if parsed.account and parsed.account.strip():
        return _compact_account(parsed.account)
    if given and given.strip():
        return _given_account(given)
    iban = session.scalar(select(Coop.iban).limit(1))
    if iban:
        return _compact_account(iban)
    raise ValidationError(
        _("« {file} » ne dit pas de quel compte il est le relevé : indiquez le compte "
          "(son IBAN), ou enregistrez l'IBAN de la coopérative dans ses paramètres.").format(
            file=parsed.source), field="account")


def _compact_account(text: str) -> str:
    """An account as a bank wrote it, spaces dropped: what the fingerprints are kept by."""
    return "".join(text.split()).upper()[:40]


def _given_account(text: str) -> str:
    """An account a user typed: an IBAN (checked) or an account number."""
    compact = _compact_account(text)
    if len(compact) > 4 and compact[:2].isalpha() and compact[2:4].isdigit():
        return check.iban(text.strip(), field="account") or compact
    if not compact.isalnum():
        raise ValidationError(_("Compte « {account} » invalide : donnez son IBAN ou son "
                                "numéro.").format(account=text), field="account")
    return compact


def _mappings_for(session: Session,
                  mapping: ColumnMapping | str | None) -> tuple[ColumnMapping, ...]:
    if mapping is None:
        return tuple(_read_mappings(session))
    if isinstance(mapping, str):
        return (_named_mapping(session, mapping),)
    return (mapping,)


def import_statement(*, db: Database, actor: Actor, path: Path | str,
                     mapping: ColumnMapping | str | None = None, account: str | None = None,
                     progress: ProgressCallback | None = None) -> ImportReport:
    """Import a statement file and match its new lines (see the module's docstring).

    `mapping` is a column mapping, or the name of a saved one; by default the
    saved ones are tried before the banks' own layouts. `account` is the
    account the statement is for when the file does not say (else the co-op's
    IBAN).
    """
    require(actor, TREASURERS, _("importer un relevé bancaire"))
    report = progress or no_progress
    path = Path(path)
    with db.reading() as session:
        mappings = _mappings_for(session, mapping)
    report(0, 1, _("Lecture de « {file} »…").format(file=path.name))
    try:
        parsed = read_statement(path, mapping=mappings)
    except StatementError as error:
        return ImportReport(
            source=path.name, format="", account="", statement_id=None, lines_read=0,
            lines_new=0, lines_known=0, rejected=len(error.problems), error=str(error),
            problems=error.problems, unknown_layout=_unknown_layout(path, mappings))
    if parsed.currency != "EUR":
        return ImportReport(
            source=parsed.source, format=parsed.format, account=parsed.account or "",
            statement_id=None, lines_read=len(parsed.lines), lines_new=0, lines_known=0,
            rejected=len(parsed.lines),
            error=_("« {file} » est un relevé en {currency} : coopfood tient les comptes de "
                    "la coopérative en euros.").format(file=parsed.source,
                                                       currency=parsed.currency))
    try:
        return _store(db, actor, parsed, account, report)
    except IntegrityError:
        # Only a line stored meanwhile by another import of the same statement (PostgreSQL
        # lets two imports read at once; SQLite queues them) breaks a constraint here.
        raise ServiceError(_("« {file} » a été importé en même temps par quelqu'un d'autre : "
                             "rien n'a été enregistré ; relancez l'import, il n'ajoutera que "
                             "ce qui manque.").format(file=parsed.source)) from None


def _store(db: Database, actor: Actor, parsed: ParsedStatement, account: str | None,
           report: ProgressCallback) -> ImportReport:
    """The statement and its new lines, stored and matched in one transaction."""
    total = len(parsed.lines)
    with db.transaction() as session:
        owner = _account(session, parsed, account)
        known: set[str] = set()
        prints = [line.fingerprint for line in parsed.lines]
        for start in range(0, len(prints), CHUNK):
            known.update(session.scalars(select(BankLine.fingerprint).where(
                BankLine.account == owner, BankLine.fingerprint.in_(prints[start:start + CHUNK]))))
        fresh = [line for line in parsed.lines if line.fingerprint not in known]
        statement = BankStatement(
            account=owner, format=parsed.format[:60], source=parsed.source[:300],
            period_start=parsed.period_start, period_end=parsed.period_end,
            opening_balance=parsed.opening_balance, closing_balance=parsed.closing_balance,
            lines_read=total, lines_new=len(fresh), imported_at=ledger.now(),
            imported_by=actor.name)
        session.add(statement)
        session.flush()
        # Core bulk inserts: a month of a busy co-op is thousands of lines.
        ids: list[int] = []
        rows = [{
            "statement_id": statement.id, "account": owner, "fingerprint": line.fingerprint,
            "booking_date": line.booking_date, "value_date": line.value_date,
            "amount": line.amount, "label": line.label,
            "counterparty_name": _cut(line.counterparty_name, 200),
            "counterparty_iban": _cut(line.counterparty_iban, 34),
            "reference": _cut(line.reference, 300), "bank_id": _cut(line.bank_id, 100),
            "ignored_reason": None} for line in fresh]
        for start in range(0, len(rows), CHUNK):
            ids += session.scalars(insert(BankLine).returning(
                BankLine.id, sort_by_parameter_order=True), rows[start:start + CHUNK])
            report(min(start + CHUNK, len(rows)), total, _("Enregistrement des lignes…"))
        audit.record(session, actor=actor, entity="bank_statement", entity_id=statement.id,
                     action="import",
                     summary=_("Relevé « {file} » ({format}, compte {account}) importé : "
                               "{counts}").format(file=parsed.source, format=parsed.format,
                                                  account=owner, counts=ngettext(
                                                      "{n} ligne nouvelle", "{n} lignes nouvelles",
                                                      len(fresh)).format(n=len(fresh))),
                     after={"lines_read": total, "lines_new": len(fresh)})
        matched = _auto_match_in(session, actor, ids, report)
        return ImportReport(
            source=parsed.source, format=parsed.format, account=owner, statement_id=statement.id,
            lines_read=total, lines_new=len(fresh), lines_known=total - len(fresh), rejected=0,
            matched=matched, period_start=parsed.period_start, period_end=parsed.period_end)


def _cut(text: str | None, length: int) -> str | None:
    return None if text is None else text[:length]


def _unknown_layout(path: Path, mappings: Sequence[ColumnMapping]) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    head = data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:4096]
    return bool(head.strip()) and detect_format(head) == "csv" and find_layout(
        data, mappings) is None


# --- the facts of the matching --------------------------------------------------------------------


def _line_facts(session: Session, line_ids: Sequence[int] | None = None,
                date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> list[LineFacts]:
    """Lines still to explain (not ignored), with what remains of each."""
    matched = (select(BankMatch.bank_line_id, sum_cents(raw(BankMatch.amount)).label("cents"))
               .group_by(BankMatch.bank_line_id).subquery())
    query = (select(BankLine, matched.c.cents)
             .join(matched, matched.c.bank_line_id == BankLine.id, isouter=True)
             .where(BankLine.ignored_reason.is_(None)))
    if date_from is not None:
        query = query.where(BankLine.booking_date >= date_from)
    if date_to is not None:
        query = query.where(BankLine.booking_date <= date_to)
    rows: list[tuple[BankLine, int | None]] = []
    if line_ids is None:
        rows = [(line, cents) for line, cents in session.execute(query)]
    else:
        ids = list(line_ids)
        for start in range(0, len(ids), CHUNK):
            rows += [(line, cents) for line, cents in session.execute(
                query.where(BankLine.id.in_(ids[start:start + CHUNK])))]
    facts = []
    for line, cents in rows:
        remaining = line.amount - cents_to_money(cents)
        if remaining:
            facts.append(LineFacts(
                line_id=line.id, booking_date=line.booking_date, amount=line.amount,
                remaining=remaining, label=line.label, counterparty_name=line.counterparty_name,
                counterparty_iban=line.counterparty_iban, reference=line.reference))
    return facts


def _matched_entry_ids() -> Select[int | None]:
    return select(BankMatch.entry_id).where(BankMatch.entry_id.is_not(None))


def _open_transfers(session: Session, *, payments_only: bool = True,
                    date_from: dt.date | None = None,
                    date_to: dt.date | None = None) -> list[LedgerEntry]:
    """Ledger entries by transfer that no bank line explains yet (nor cancelled)."""
    kinds = ((EntryKind.PAYMENT,) if payments_only
             else (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.PAYOUT))
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    query = select(LedgerEntry).where(
        LedgerEntry.kind.in_(kinds), LedgerEntry.means == PaymentMeans.TRANSFER,
        LedgerEntry.id.not_in(_matched_entry_ids()), LedgerEntry.id.not_in(reversed_ids))
    if not payments_only:
        # A payout of a transfer batch is seen on the bank through its batch.
        query = query.where(LedgerEntry.payout_batch_id.is_(None))
    if date_from is not None:
        query = query.where(LedgerEntry.entry_date >= date_from)
    if date_to is not None:
        query = query.where(LedgerEntry.entry_date <= date_to)
    return list(session.scalars(query.order_by(LedgerEntry.entry_date, LedgerEntry.id)))


def _open_remittances(session: Session) -> list[ChequeRemittance]:
    seen = select(BankMatch.remittance_id).where(BankMatch.remittance_id.is_not(None))
    return list(session.scalars(
        select(ChequeRemittance).where(ChequeRemittance.kind == RemittanceKind.DEPOSIT,
                                       ChequeRemittance.id.not_in(seen))
        .order_by(ChequeRemittance.remittance_date, ChequeRemittance.id)))


def _batches(session: Session, open_only: bool = True) -> list[matching.Batch]:
    seen = dict(session.execute(
        select(BankMatch.payout_batch_id, sum_cents(raw(BankMatch.amount)))
        .where(BankMatch.payout_batch_id.is_not(None)).group_by(BankMatch.payout_batch_id)).all())
    transfers: dict[int, list[matching.BatchTransfer]] = defaultdict(list)
    for batch_id, producer_id, name, iban, cents in session.execute(
            select(LedgerEntry.payout_batch_id, Producer.id, Producer.name, Producer.iban,
                   sum_cents(raw(LedgerEntry.amount)))
            .join(Producer, Producer.id == LedgerEntry.producer_id)
            .where(LedgerEntry.payout_batch_id.is_not(None),
                   LedgerEntry.kind.in_((EntryKind.PAYOUT, EntryKind.REVERSAL)))
            .group_by(LedgerEntry.payout_batch_id, Producer.id, Producer.name, Producer.iban)):
        amount = cents_to_money(cents)
        if batch_id is not None and amount > 0:
            transfers[batch_id].append(matching.BatchTransfer(producer_id, name, iban, amount))
    batches = []
    for batch in session.scalars(select(PayoutBatch).order_by(PayoutBatch.execution_date,
                                                              PayoutBatch.id)):
        left = batch.total + cents_to_money(seen.get(batch.id))  # the matches are < 0
        if open_only and left <= 0:
            continue
        batches.append(matching.Batch(batch.id, batch.message_id, batch.execution_date,
                                      batch.total, left, tuple(transfers.get(batch.id, ()))))
    return batches


def _invoices(session: Session) -> list[matching.Invoice]:
    due = ledger.invoices_due_in(session)
    ibans = dict(session.execute(select(Producer.id, Producer.iban).where(
        Producer.id.in_({row.producer_id for row in due}))).all()) if due else {}
    return [matching.Invoice(row.invoice_id, row.number, row.producer_id, row.producer_name,
                             ibans.get(row.producer_id), row.remaining, row.due_date)
            for row in due]


#: What a household owes, as a suggestion names it: « montant = commande du 19/11/2026 ».
_DUE_KINDS = {
    EntryKind.ORDER: lambda: _("commande"),
    EntryKind.CONTRACT: lambda: _("échéance de contrat"),
    EntryKind.FEE: lambda: _("cotisation"),
}


def _households(session: Session, *, as_of: dt.date | None = None) -> list[matching.Household]:
    """Every household; with `as_of`, its balance that day and its dues of the weeks before."""
    balances: dict[int, Decimal] = {}
    dues: dict[int, list[tuple[dt.date, Decimal, str]]] = defaultdict(list)
    if as_of is not None:
        balances = {member_id: cents_to_money(cents) for member_id, cents in session.execute(
            select(LedgerEntry.member_id, sum_cents(raw(LedgerEntry.amount)))
            .where(LedgerEntry.member_id.is_not(None), LedgerEntry.entry_date <= as_of)
            .group_by(LedgerEntry.member_id)) if member_id is not None}
        since = as_of - dt.timedelta(days=matching.RECENT_ORDER_DAYS)
        for member_id, day, kind, cents in session.execute(
                select(LedgerEntry.member_id, LedgerEntry.entry_date, LedgerEntry.kind,
                       sum_cents(raw(LedgerEntry.amount)))
                .where(LedgerEntry.member_id.is_not(None), LedgerEntry.kind.in_(_DUE_KINDS),
                       LedgerEntry.entry_date.between(since, as_of + dt.timedelta(days=7)))
                .group_by(LedgerEntry.member_id, LedgerEntry.entry_date, LedgerEntry.kind)):
            amount = cents_to_money(cents)
            if member_id is not None and amount > 0:
                dues[member_id].append((day, amount, _DUE_KINDS[kind]()))
    return [matching.Household(
        member_id=mid, name=household_name(last, first), last_name=last, first_name=first,
        reference=reference, co_member_name=co_member or "",
        balance=balances.get(mid, ZERO), dues=tuple(dues.get(mid, ())))
        for mid, last, first, co_member, reference in session.execute(
            select(Member.id, Member.last_name, Member.first_name, Member.co_member_name,
                   Member.payment_reference))]


def _facts(session: Session, lines: Sequence[LineFacts], *,
           as_of: dt.date | None = None) -> Facts:
    if not lines:
        return Facts()
    first = min(line.booking_date for line in lines)
    last = max(line.booking_date for line in lines)
    transfers = [
        matching.TransferPayment(entry.id, entry.member_id, -entry.amount, entry.entry_date)
        for entry in _open_transfers(
            session, date_from=first - dt.timedelta(days=matching.ENTRY_DAYS_BEFORE),
            date_to=last + dt.timedelta(days=matching.ENTRY_DAYS_AFTER))
        if entry.member_id is not None]
    remittances = [matching.Remittance(r.id, r.number, r.remittance_date, r.total,
                                       r.cheque_count) for r in _open_remittances(session)]
    return Facts(households=_households(session, as_of=as_of), transfers=transfers,
                 remittances=remittances, batches=_batches(session),
                 invoices=_invoices(session))


# --- applying a match -----------------------------------------------------------------------------


def _short_label(line: BankLine | LineFacts) -> str:
    """The line's label (and reference), cut to what an entry's reference holds."""
    text = clean_text(" ".join(t for t in (line.label, line.reference) if t))
    return text[:SHORT_LABEL]


def _line_title(line: BankLine) -> str:
    return _("ligne du {date} ({amount})").format(
        date=format_date(line.booking_date, style="short"), amount=format_money(line.amount))


def _remaining(session: Session, line: BankLine) -> Decimal:
    cents = session.scalar(select(sum_cents(raw(BankMatch.amount)))
                           .where(BankMatch.bank_line_id == line.id))
    return line.amount - cents_to_money(cents)


def _magnitude(line: BankLine, left: Decimal, amount: Decimal | str | None,
               limit: Decimal | None = None, limit_what: str = "") -> Decimal:
    """The amount of a match by hand, signed like the line: at most what is left of the
    line (and of the target, `limit`: « ce qui reste à payer de la facture X »), by
    default all of that."""
    if amount is None:
        value = abs(left) if limit is None else min(abs(left), limit)
    else:
        value = ledger.checked_amount(amount)
    if value > abs(left):
        raise ValidationError(
            _("Le rapprochement ({amount}) dépasse ce qui reste à rapprocher de la ligne "
              "({left}).").format(amount=format_money(value), left=format_money(abs(left))),
            field="amount")
    if limit is not None and value > limit:
        raise ValidationError(
            _("Le rapprochement ({amount}) dépasse {what} ({left}).").format(
                amount=format_money(value), what=limit_what, left=format_money(limit)),
            field="amount")
    if not value:
        raise ValidationError(_("Cette ligne est déjà entièrement rapprochée."), field="amount")
    return value if line.amount > 0 else -value


def _get_line(session: Session, line_id: int) -> BankLine:
    line = session.get(BankLine, line_id)
    if line is None:
        raise NotFound(_("Ligne de relevé n° {id} introuvable.").format(id=line_id))
    return line


def _open_line(session: Session, line_id: int) -> tuple[BankLine, Decimal]:
    # Locked: two treasurers matching the same line at once must not explain it twice.
    line = session.get(BankLine, line_id, with_for_update=True)
    if line is None:
        raise NotFound(_("Ligne de relevé n° {id} introuvable.").format(id=line_id))
    if line.ignored_reason is not None:
        raise ValidationError(_("Cette ligne est ignorée ({reason}) : ne l'ignorez plus pour la "
                                "rapprocher.").format(reason=line.ignored_reason))
    left = _remaining(session, line)
    if not left:
        raise ValidationError(_("Cette ligne est déjà entièrement rapprochée : défaites un "
                                "rapprochement pour en changer."))
    return line, left


def _add_match(session: Session, actor: Actor, line: BankLine, *, amount: Decimal,
               automatic: bool, title: str, entry: LedgerEntry | None = None,
               entry_made: bool = False, remittance_id: int | None = None,
               payout_batch_id: int | None = None, audited: bool = True) -> BankMatch:
    match = BankMatch(
        bank_line_id=line.id, entry_id=entry.id if entry is not None else None,
        remittance_id=remittance_id, payout_batch_id=payout_batch_id, amount=amount,
        automatic=automatic,
        # See the module's docstring: the moment says the match made the entry.
        matched_at=entry.created_at if entry is not None and entry_made else ledger.now(),
        matched_by=actor.name)
    session.add(match)
    if audited:
        audit.record(session, actor=actor, entity="bank_line", entity_id=line.id,
                     action="match",
                     summary=_("Banque, {line} : rapprochée avec {target} pour {amount}{how}")
                     .format(line=_line_title(line), target=title, amount=format_money(amount),
                             how=_(" (automatiquement)") if automatic else ""),
                     after={"amount": amount, "automatic": automatic,
                            "entry_id": match.entry_id, "remittance_id": remittance_id,
                            "payout_batch_id": payout_batch_id},
                     member_id=entry.member_id if entry is not None else None)
    return match


def _pay_household(session: Session, actor: Actor, line: BankLine, member_id: int,
                   amount: Decimal, *, automatic: bool, audited: bool = True) -> BankMatch:
    """A credit: the household's payment by transfer; a debit: its refund by transfer."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Foyer n° {id} introuvable.").format(id=member_id))
    short = _short_label(line)
    if amount > 0:
        entry = ledger.record_payment_in(
            session, actor, member_id=member_id, amount=amount, means=PaymentMeans.TRANSFER,
            entry_date=line.booking_date, reference=short,
            label=_("Virement reçu : {label}").format(label=short))
    else:
        entry = ledger.post(session, actor, kind=EntryKind.REFUND, amount=-amount,
                            label=_("Remboursement par virement : {label}").format(label=short),
                            entry_date=line.booking_date, member_id=member_id,
                            means=PaymentMeans.TRANSFER, reference=short,
                            point_id=member.point_id)
        audit.record(session, actor=actor, entity="payment", entity_id=entry.id,
                     action="refund", summary=_("{member} : remboursement de {amount}").format(
                         member=member.display_name, amount=format_money(-amount)),
                     after={"amount": -amount, "means": PaymentMeans.TRANSFER,
                            "date": line.booking_date}, member_id=member_id,
                     point_id=member.point_id)
    title = f"{member.display_name} ({member.payment_reference})"
    return _add_match(session, actor, line, amount=amount, automatic=automatic, title=title,
                      entry=entry, entry_made=True, audited=audited)


def _link_entry(session: Session, actor: Actor, line: BankLine, left: Decimal, entry_id: int,
                *, automatic: bool) -> BankMatch:
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(_("Écriture n° {id} introuvable.").format(id=entry_id))
    if entry.kind not in (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.PAYOUT):
        raise ValidationError(_("« {label} » n'est pas un règlement : seul un règlement se "
                                "rapproche d'une ligne de relevé.").format(label=entry.label))
    if session.scalar(select(BankMatch.id).where(BankMatch.entry_id == entry_id).limit(1)):
        raise ValidationError(_("« {label} » est déjà rapprochée d'une ligne de relevé.")
                              .format(label=entry.label))
    amount = -entry.amount  # as the bank sees it
    if (amount > 0) != (line.amount > 0):
        raise ValidationError(_("« {label} » va dans l'autre sens que la ligne (crédit / "
                                "débit).").format(label=entry.label))
    if abs(amount) > abs(left):
        raise ValidationError(
            _("« {label} » ({amount}) dépasse ce qui reste à rapprocher de la ligne ({left}).")
            .format(label=entry.label, amount=format_money(abs(amount)),
                    left=format_money(abs(left))), field="amount")
    name = _account_name(session, entry)
    return _add_match(session, actor, line, amount=amount, automatic=automatic,
                      title=_("{name} : {label}").format(name=name, label=entry.label),
                      entry=entry)


def _account_name(session: Session, entry: LedgerEntry) -> str:
    if entry.member_id is not None:
        member = session.get(Member, entry.member_id)
        return member.display_name if member is not None else ""
    producer = session.get(Producer, entry.producer_id) if entry.producer_id else None
    return producer.name if producer is not None else ""


def _match_remittance(session: Session, actor: Actor, line: BankLine, left: Decimal,
                      remittance_id: int, *, automatic: bool) -> BankMatch:
    remittance = session.get(ChequeRemittance, remittance_id)
    if remittance is None:
        raise NotFound(_("Remise de chèques n° {id} introuvable.").format(id=remittance_id))
    if remittance.kind is not RemittanceKind.DEPOSIT:
        raise ValidationError(_("La remise {number} a été remise au producteur : elle ne passe "
                                "pas sur le compte de la coopérative.").format(
                                    number=remittance.number))
    if session.scalar(select(BankMatch.id).where(BankMatch.remittance_id == remittance_id)
                      .limit(1)):
        raise ValidationError(_("La remise {number} est déjà rapprochée d'une ligne de relevé.")
                              .format(number=remittance.number))
    if line.amount < 0:
        raise ValidationError(_("Une remise de chèques est un crédit : cette ligne est un "
                                "débit."))
    if remittance.total > left:
        raise ValidationError(
            _("La remise {number} ({total}) dépasse ce qui reste à rapprocher de la ligne "
              "({left}).").format(number=remittance.number,
                                  total=format_money(remittance.total), left=format_money(left)),
            field="amount")
    day = line.booking_date
    for cheque in session.scalars(select(Cheque).where(Cheque.remittance_id == remittance_id)
                                  .order_by(Cheque.id)):
        if ChequeStatus.CASHED not in CHEQUE_TRANSITIONS[cheque.status]:
            continue  # rejected or returned meanwhile: its own story, told by the cheques
        before = cheque.status
        cheque.status, cheque.status_date = ChequeStatus.CASHED, day
        audit.record(session, actor=actor, entity="cheque", entity_id=cheque.id,
                     action="status",
                     summary=_("Chèque n° {number} ({amount}) encaissé : remise {remittance} "
                               "vue sur le relevé du {date}").format(
                         number=cheque.number, amount=format_money(cheque.amount),
                         remittance=remittance.number, date=format_date(day, style="short")),
                     before={"status": before}, after={"status": ChequeStatus.CASHED,
                                                       "date": day},
                     member_id=cheque.member_id)
    title = _("Remise {number} du {date}").format(
        number=remittance.number, date=format_date(remittance.remittance_date, style="short"))
    return _add_match(session, actor, line, amount=remittance.total, automatic=automatic,
                      title=title, remittance_id=remittance_id)


def _batch_left(session: Session, batch: PayoutBatch) -> Decimal:
    seen = session.scalar(select(sum_cents(raw(BankMatch.amount)))
                          .where(BankMatch.payout_batch_id == batch.id))
    return batch.total + cents_to_money(seen)


def _match_batch(session: Session, actor: Actor, line: BankLine, left: Decimal, batch_id: int,
                 amount: Decimal | str | None, *, automatic: bool) -> BankMatch:
    batch = session.get(PayoutBatch, batch_id)
    if batch is None:
        raise NotFound(_("Virements aux producteurs n° {id} introuvables.").format(id=batch_id))
    if line.amount > 0:
        raise ValidationError(_("Des virements aux producteurs sont un débit : cette ligne est "
                                "un crédit."))
    batch_left = _batch_left(session, batch)
    if batch_left <= 0:
        raise ValidationError(_("Les virements {id} sont déjà entièrement rapprochés.").format(
            id=batch.message_id))
    value = _magnitude(line, left, amount, limit=batch_left,
                       limit_what=_("ce qui reste à voir des virements {id}").format(
                           id=batch.message_id))
    title = _("Virements du {date} ({id})").format(
        date=format_date(batch.execution_date, style="short"), id=batch.message_id)
    return _add_match(session, actor, line, amount=value, automatic=automatic, title=title,
                      payout_batch_id=batch_id)


def _pay_invoice(session: Session, actor: Actor, line: BankLine, left: Decimal, invoice_id: int,
                 amount: Decimal | str | None, *, automatic: bool,
                 known: dict[int, ledger.InvoiceDue] | None = None) -> BankMatch:
    """`known`: the invoices due already read (the automatic matching reads them once, and
    keeps them up to date here)."""
    invoice = known.get(invoice_id) if known is not None else None
    if invoice is None:
        due = ledger.invoices_due_in(session, unpaid_only=False, invoice_ids=[invoice_id])
        if not due:
            raise NotFound(_("Facture n° {id} introuvable (ou ce n'est pas une facture d'un "
                             "producteur à la coopérative).").format(id=invoice_id))
        invoice = due[0]
    if line.amount > 0:
        raise ValidationError(_("Le paiement d'une facture est un débit : cette ligne est un "
                                "crédit."))
    if invoice.remaining <= 0:
        raise ValidationError(_("La facture {number} est déjà payée.").format(
            number=invoice.number))
    value = _magnitude(line, left, amount, limit=invoice.remaining,
                       limit_what=_("ce qui reste à payer de la facture {number}").format(
                           number=invoice.number))
    if known is not None:
        known[invoice_id] = dataclasses.replace(invoice, paid=invoice.paid - value)
    entry = ledger.record_payout_in(session, actor, producer_id=invoice.producer_id,
                                    amount=-value, means=PaymentMeans.TRANSFER,
                                    entry_date=line.booking_date, reference=invoice.number,
                                    invoice_id=invoice_id)
    title = _("Facture {number} — {producer}").format(number=invoice.number,
                                                      producer=invoice.producer_name)
    return _add_match(session, actor, line, amount=value, automatic=automatic, title=title,
                      entry=entry, entry_made=True)


def _apply(session: Session, actor: Actor, line: BankLine, proposal: Proposal, *,
           automatic: bool, left: Decimal,
           invoices: dict[int, ledger.InvoiceDue] | None = None) -> BankMatch:
    kind, target = proposal.kind, proposal.target_id
    if kind is TargetKind.HOUSEHOLD:
        return _pay_household(session, actor, line, target,
                              _magnitude(line, left, abs(proposal.amount)), automatic=automatic)
    if kind is TargetKind.ENTRY:
        return _link_entry(session, actor, line, left, proposal.entry_id or target,
                           automatic=automatic)
    if kind is TargetKind.REMITTANCE:
        return _match_remittance(session, actor, line, left, target, automatic=automatic)
    if kind is TargetKind.PAYOUT_BATCH:
        return _match_batch(session, actor, line, left, target, abs(proposal.amount),
                            automatic=automatic)
    return _pay_invoice(session, actor, line, left, target, abs(proposal.amount),
                        automatic=automatic, known=invoices)


def _auto_match_in(session: Session, actor: Actor, line_ids: Sequence[int] | None,
                   progress: ProgressCallback, *, date_from: dt.date | None = None,
                   date_to: dt.date | None = None) -> int:
    """Match what explains itself among these lines (all lines to do: None); the count."""
    lines = _line_facts(session, line_ids, date_from, date_to)
    if not lines:
        return 0
    progress(0, len(lines), _("Rapprochement automatique…"))
    decided = matching.automatic_matches(lines, _facts(session, lines))
    by_id = {fact.line_id: fact for fact in lines}
    payments = [p for p in decided if p.kind is TargetKind.HOUSEHOLD and p.amount > 0]
    _post_payments_in_bulk(session, actor, payments, by_id, progress)
    others = [p for p in decided if not (p.kind is TargetKind.HOUSEHOLD and p.amount > 0)]
    bank_lines = {line.id: line for line in session.scalars(
        select(BankLine).where(BankLine.id.in_([p.line_id for p in others])))} if others else {}
    invoice_ids = [p.target_id for p in others if p.kind is TargetKind.INVOICE]
    invoices = {row.invoice_id: row for row in ledger.invoices_due_in(
        session, unpaid_only=False, invoice_ids=invoice_ids)} if invoice_ids else {}
    for proposal in others:
        _apply(session, actor, bank_lines[proposal.line_id], proposal, automatic=True,
               left=by_id[proposal.line_id].remaining, invoices=invoices)
    if decided:
        audit.record(session, actor=actor, entity="bank_line", entity_id=None,
                     action="auto_match",
                     summary=ngettext("Banque : {n} ligne rapprochée automatiquement",
                                      "Banque : {n} lignes rapprochées automatiquement",
                                      len(decided)).format(n=len(decided)),
                     after={"lines": [[p.line_id, p.kind, p.target_id, p.amount]
                                      for p in decided]})
    session.flush()
    return len(decided)


def _post_payments_in_bulk(session: Session, actor: Actor, payments: Sequence[Proposal],
                           lines: dict[int, LineFacts], progress: ProgressCallback) -> None:
    """Households' payments by transfer, automatic: the very entries and audit records of
    `ledger.record_payment_in`, written in bulk (a month's statement holds thousands;
    one flush each would take the treasurer's minute)."""
    members: dict[int, Member] = {}
    wanted = sorted({p.target_id for p in payments})
    for start in range(0, len(wanted), CHUNK):
        members.update({m.id: m for m in session.scalars(
            select(Member).where(Member.id.in_(wanted[start:start + CHUNK])))})
    moment = ledger.now()
    means = PaymentMeans.TRANSFER
    for start in range(0, len(payments), CHUNK):
        chunk = payments[start:start + CHUNK]
        rows = []
        for proposal in chunk:
            member = members[proposal.target_id]
            require_point(actor, member.point_id, _("enregistrer un règlement de ce foyer"))
            short = _short_label(lines[proposal.line_id])
            rows.append(ledger.entry_values(
                actor, kind=EntryKind.PAYMENT, amount=-proposal.amount,
                label=_("Virement reçu : {label}").format(label=short),
                entry_date=lines[proposal.line_id].booking_date, member_id=member.id,
                means=means, reference=short, point_id=member.point_id, created_at=moment))
        entry_ids = list(session.scalars(insert(LedgerEntry).returning(
            LedgerEntry.id, sort_by_parameter_order=True), rows))
        for proposal, row, entry_id in zip(chunk, rows, entry_ids, strict=True):
            member = members[proposal.target_id]
            audit.record(session, actor=actor, entity="payment", entity_id=entry_id,
                         action="create",
                         summary=_("{member} : règlement de {amount} ({means})").format(
                             member=member.display_name, amount=_money(proposal.amount),
                             means=means.label),
                         after={"amount": proposal.amount, "means": means,
                                "date": row["entry_date"], "reference": row["reference"]},
                         member_id=member.id, point_id=member.point_id)
        # The moment of the entry, as a match that made its entry carries it.
        session.execute(insert(BankMatch), [{
            "bank_line_id": proposal.line_id, "entry_id": entry_id, "remittance_id": None,
            "payout_batch_id": None, "amount": proposal.amount, "automatic": True,
            "matched_at": moment, "matched_by": actor.name}
            for proposal, entry_id in zip(chunk, entry_ids, strict=True)])
        progress(start + len(chunk), len(payments), _("Rapprochement automatique…"))


@functools.lru_cache(maxsize=4096)
def _money_in(amount: Decimal, locale: str) -> str:
    return format_money(amount, locale=locale)


def _money(amount: Decimal) -> str:
    """`format_money`, remembered: Babel takes a quarter of a millisecond per amount."""
    return _money_in(amount, current_locale())


def auto_match(*, db: Database, actor: Actor, date_from: dt.date | None = None,
               date_to: dt.date | None = None,
               progress: ProgressCallback | None = None) -> AutoMatchReport:
    """Run the automatic matching again over the lines still to do (a deposit slip or a
    household's payment keyed in since the import may now explain some)."""
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.transaction() as session:
        lines = len(_line_facts(session, None, date_from, date_to))
        matched = _auto_match_in(session, actor, None, progress or no_progress,
                                 date_from=date_from, date_to=date_to)
        return AutoMatchReport(lines=lines, matched=matched)


# --- reading --------------------------------------------------------------------------------------


def _match_rows(session: Session, matches: Sequence[BankMatch]) -> list[MatchRow]:
    """Each match with what it is matched with, named (few queries for many matches)."""
    entry_ids = [m.entry_id for m in matches if m.entry_id is not None]
    entries: dict[int, LedgerEntry] = {}
    for start in range(0, len(entry_ids), CHUNK):
        entries.update({e.id: e for e in session.scalars(
            select(LedgerEntry).where(LedgerEntry.id.in_(entry_ids[start:start + CHUNK])))})
    member_ids = {e.member_id for e in entries.values() if e.member_id is not None}
    members: dict[int, tuple[str, str]] = {}
    ids = sorted(member_ids)
    for start in range(0, len(ids), CHUNK):
        members.update({mid: (household_name(last, first), reference)
                        for mid, last, first, reference in session.execute(
                            select(Member.id, Member.last_name, Member.first_name,
                                   Member.payment_reference)
                            .where(Member.id.in_(ids[start:start + CHUNK])))})
    producers = dict(session.execute(select(Producer.id, Producer.name)).all()) if any(
        e.producer_id is not None for e in entries.values()) else {}
    invoice_ids = {e.invoice_id for e in entries.values() if e.invoice_id is not None}
    numbers = dict(session.execute(select(Invoice.id, Invoice.number).where(
        Invoice.id.in_(invoice_ids))).all()) if invoice_ids else {}
    remittance_ids = {m.remittance_id for m in matches if m.remittance_id is not None}
    remittances = {r.id: r for r in session.scalars(select(ChequeRemittance).where(
        ChequeRemittance.id.in_(remittance_ids)))} if remittance_ids else {}
    batch_ids = {m.payout_batch_id for m in matches if m.payout_batch_id is not None}
    batches = {b.id: b for b in session.scalars(select(PayoutBatch).where(
        PayoutBatch.id.in_(batch_ids)))} if batch_ids else {}
    rows = []
    for match in matches:
        if match.entry_id is not None:
            entry = entries[match.entry_id]
            if entry.invoice_id is not None:
                kind, target = TargetKind.INVOICE, entry.invoice_id
                title = _("Facture {number} — {producer}").format(
                    number=numbers.get(entry.invoice_id, ""),
                    producer=producers.get(entry.producer_id or 0, ""))
            elif entry.member_id is not None:
                kind, target = TargetKind.HOUSEHOLD, entry.member_id
                name, reference = members.get(entry.member_id, ("", ""))
                title = f"{name} ({reference})"
            else:
                kind, target = TargetKind.ENTRY, entry.id
                title = producers.get(entry.producer_id or 0, "")
            if match.matched_at != entry.created_at:
                kind, target = TargetKind.ENTRY, entry.id
        elif match.remittance_id is not None:
            remittance = remittances[match.remittance_id]
            kind, target = TargetKind.REMITTANCE, remittance.id
            title = _("Remise {number} du {date}").format(
                number=remittance.number,
                date=format_date(remittance.remittance_date, style="short"))
        else:
            assert match.payout_batch_id is not None
            batch = batches[match.payout_batch_id]
            kind, target = TargetKind.PAYOUT_BATCH, batch.id
            title = _("Virements du {date} ({id})").format(
                date=format_date(batch.execution_date, style="short"), id=batch.message_id)
        rows.append(MatchRow(id=match.id, line_id=match.bank_line_id, kind=kind,
                             target_id=target, title=title, amount=match.amount,
                             automatic=match.automatic, matched_at=match.matched_at,
                             matched_by=match.matched_by, entry_id=match.entry_id))
    return rows


def _line_rows(session: Session, lines: Sequence[BankLine]) -> list[BankLineRow]:
    ids = [line.id for line in lines]
    matches: list[BankMatch] = []
    for start in range(0, len(ids), CHUNK):
        matches += session.scalars(select(BankMatch).where(
            BankMatch.bank_line_id.in_(ids[start:start + CHUNK])).order_by(BankMatch.id))
    by_line: dict[int, list[MatchRow]] = defaultdict(list)
    for row in _match_rows(session, matches):
        by_line[row.line_id].append(row)
    rows = []
    for line in lines:
        found = by_line.get(line.id, [])
        matched = sum((m.amount for m in found), ZERO)
        if line.ignored_reason is not None:
            state = LineState.IGNORED
        elif not found or matched != line.amount:
            state = LineState.TO_DO
        elif all(m.automatic for m in found):
            state = LineState.AUTOMATIC
        else:
            state = LineState.CONFIRMED
        targets = "; ".join(m.title for m in found) if found else (line.ignored_reason or "")
        rows.append(BankLineRow(
            id=line.id, statement_id=line.statement_id, account=line.account,
            booking_date=line.booking_date, value_date=line.value_date, amount=line.amount,
            label=line.label, counterparty_name=line.counterparty_name,
            counterparty_iban=line.counterparty_iban, reference=line.reference,
            ignored_reason=line.ignored_reason, matched=matched, state=state, targets=targets))
    return rows


def list_lines(*, db: Database, actor: Actor, date_from: dt.date | None = None,
               date_to: dt.date | None = None,
               states: Iterable[LineState] | None = None) -> list[BankLineRow]:
    """The bank lines of a period (booking date), oldest first, with their state."""
    require(actor, TREASURERS, _("consulter les relevés bancaires"))
    query = select(BankLine)
    if date_from is not None:
        query = query.where(BankLine.booking_date >= date_from)
    if date_to is not None:
        query = query.where(BankLine.booking_date <= date_to)
    wanted = set(states) if states is not None else None
    with db.reading() as session:
        rows = _line_rows(session, session.scalars(
            query.order_by(BankLine.booking_date, BankLine.id)).all())
    return [row for row in rows if wanted is None or row.state in wanted]


def count_to_do(*, db: Database, actor: Actor, date_from: dt.date | None = None,
                date_to: dt.date | None = None) -> int:
    """« n lignes à traiter »: not ignored and not wholly matched."""
    require(actor, TREASURERS, _("consulter les relevés bancaires"))
    with db.reading() as session:
        return len(_line_facts(session, None, date_from, date_to))


def line_detail(*, db: Database, actor: Actor, line_id: int) -> LineDetail:
    require(actor, TREASURERS, _("consulter les relevés bancaires"))
    with db.reading() as session:
        return _detail(session, line_id)


def _detail(session: Session, line_id: int) -> LineDetail:
    line = _get_line(session, line_id)
    matches = session.scalars(select(BankMatch).where(BankMatch.bank_line_id == line_id)
                              .order_by(BankMatch.id)).all()
    return LineDetail(line=_line_rows(session, [line])[0],
                      matches=tuple(_match_rows(session, matches)))


def suggestions(*, db: Database, actor: Actor, line_id: int, limit: int = 8) -> list[Proposal]:
    """Ranked candidates for a line still to do (none for a line done or ignored)."""
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.reading() as session:
        facts = _line_facts(session, [line_id])
        if not facts:
            _get_line(session, line_id)
            return []
        return matching.suggestions(
            facts[0], _facts(session, facts, as_of=facts[0].booking_date), limit=limit)


def match_targets(*, db: Database, actor: Actor, line_id: int,
                  kind: TargetKind) -> list[Target]:
    """What the line may be matched with by hand, of one kind, to choose from."""
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.reading() as session:
        line = _get_line(session, line_id)
        left = _remaining(session, line)
        credit = line.amount > 0
        if kind is TargetKind.HOUSEHOLD:
            # Today's balances: what the treasurer knows the households owe now.
            day = max(line.booking_date, dt.date.today())
            return [Target(kind, h.member_id, f"{h.name} ({h.reference})",
                           ledger.format_balance(h.balance), left)
                    for h in sorted(_households(session, as_of=day),
                                    key=lambda h: (sort_key(h.name), h.member_id))]
        if kind is TargetKind.ENTRY:
            targets = []
            for entry in _open_transfers(session, payments_only=False):
                amount = -entry.amount
                if (amount > 0) != credit:
                    continue
                targets.append(Target(kind, entry.id, _("{name} : {label}").format(
                    name=_account_name(session, entry), label=entry.label),
                    format_date(entry.entry_date, style="short"), amount))
            return targets
        if kind is TargetKind.REMITTANCE:
            return [Target(kind, r.id, _("Remise {number} du {date}").format(
                number=r.number, date=format_date(r.remittance_date, style="short")),
                ngettext("{n} chèque", "{n} chèques", r.cheque_count).format(n=r.cheque_count),
                r.total) for r in _open_remittances(session)] if credit else []
        if kind is TargetKind.PAYOUT_BATCH:
            return [Target(kind, b.batch_id, _("Virements du {date} ({id})").format(
                date=format_date(b.execution_date, style="short"), id=b.message_id),
                _("reste {amount}").format(amount=format_money(b.open)),
                -min(b.open, abs(left))) for b in _batches(session)] if not credit else []
        return [Target(kind, i.invoice_id, _("Facture {number} — {producer}").format(
            number=i.number, producer=i.producer_name),
            _("reste {amount}").format(amount=format_money(i.remaining)),
            -min(i.remaining, abs(left))) for i in _invoices(session)] if not credit else []


# --- matching by hand -----------------------------------------------------------------------------


def _by_hand(db: Database, actor: Actor, line_id: int, proposal_kind: TargetKind,
             target_id: int, amount: Decimal | str | None) -> LineDetail:
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.transaction() as session:
        line, left = _open_line(session, line_id)
        if proposal_kind is TargetKind.HOUSEHOLD:
            _pay_household(session, actor, line, target_id, _magnitude(line, left, amount),
                           automatic=False)
        elif proposal_kind is TargetKind.ENTRY:
            _link_entry(session, actor, line, left, target_id, automatic=False)
        elif proposal_kind is TargetKind.REMITTANCE:
            _match_remittance(session, actor, line, left, target_id, automatic=False)
        elif proposal_kind is TargetKind.PAYOUT_BATCH:
            _match_batch(session, actor, line, left, target_id, amount, automatic=False)
        else:
            _pay_invoice(session, actor, line, left, target_id, amount, automatic=False)
        session.flush()
        return _detail(session, line_id)


def match_household(*, db: Database, actor: Actor, line_id: int, member_id: int,
                    amount: Decimal | str | None = None) -> LineDetail:
    """The line (or `amount` of it) is a household's payment by transfer (a refund for a
    debit): posted to its account. More than it owes leaves it in credit."""
    return _by_hand(db, actor, line_id, TargetKind.HOUSEHOLD, member_id, amount)


def match_entry(*, db: Database, actor: Actor, line_id: int, entry_id: int) -> LineDetail:
    """The line shows a payment by transfer already keyed in the ledger."""
    return _by_hand(db, actor, line_id, TargetKind.ENTRY, entry_id, None)


def match_remittance(*, db: Database, actor: Actor, line_id: int,
                     remittance_id: int) -> LineDetail:
    """The line is a deposit slip's credit: its cheques are cashed."""
    return _by_hand(db, actor, line_id, TargetKind.REMITTANCE, remittance_id, None)


def match_payout_batch(*, db: Database, actor: Actor, line_id: int, batch_id: int,
                       amount: Decimal | str | None = None) -> LineDetail:
    """The line is a batch of transfers to producers, or part of it."""
    return _by_hand(db, actor, line_id, TargetKind.PAYOUT_BATCH, batch_id, amount)


def match_invoice(*, db: Database, actor: Actor, line_id: int, invoice_id: int,
                  amount: Decimal | str | None = None) -> LineDetail:
    """The line pays a producer's invoice (or part of it): the payment is posted."""
    return _by_hand(db, actor, line_id, TargetKind.INVOICE, invoice_id, amount)


def confirm_suggestion(*, db: Database, actor: Actor, suggestion: Proposal) -> LineDetail:
    """Make the match a suggestion proposes."""
    target = (suggestion.entry_id or suggestion.target_id
              if suggestion.kind is TargetKind.ENTRY else suggestion.target_id)
    amount = (abs(suggestion.amount)
              if suggestion.kind in (TargetKind.HOUSEHOLD, TargetKind.PAYOUT_BATCH,
                                     TargetKind.INVOICE) else None)
    return _by_hand(db, actor, suggestion.line_id, suggestion.kind, target, amount)


def confirm_matches(*, db: Database, actor: Actor, line_id: int) -> LineDetail:
    """The treasurer has checked a line's automatic matches: they become confirmed."""
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.transaction() as session:
        line = _get_line(session, line_id)
        changed = 0
        for match in session.scalars(select(BankMatch).where(
                BankMatch.bank_line_id == line_id, BankMatch.automatic.is_(True))):
            match.automatic = False
            changed += 1
        if changed:
            audit.record(session, actor=actor, entity="bank_line", entity_id=line_id,
                         action="confirm",
                         summary=_("Banque, {line} : rapprochement automatique confirmé")
                         .format(line=_line_title(line)))
        session.flush()
        return _detail(session, line_id)


def undo_match(*, db: Database, actor: Actor, match_id: int, reason: str = "",
               today: dt.date | None = None) -> LineDetail:
    """Undo a match: the payment it posted is cancelled (by a reversal entry, dated today),
    the cheques it cashed are back to deposited; a payment keyed in by hand stays."""
    require(actor, TREASURERS, _("défaire un rapprochement bancaire"))
    why = reason.strip() or _("rapprochement bancaire défait")
    day = today or dt.date.today()
    with db.transaction() as session:
        match = session.get(BankMatch, match_id)
        if match is None:
            raise NotFound(_("Rapprochement n° {id} introuvable : il a peut-être déjà été "
                             "défait.").format(id=match_id))
        line = _get_line(session, match.bank_line_id)
        row = _match_rows(session, [match])[0]
        if match.entry_id is not None:
            entry = session.get(LedgerEntry, match.entry_id)
            made_here = entry is not None and entry.created_at == match.matched_at
            cancelled = session.scalar(select(LedgerEntry.id).where(
                LedgerEntry.reverses_id == match.entry_id))
            if entry is not None and made_here and cancelled is None:
                ledger.reverse_in(session, actor, entry_id=entry.id, reason=why,
                                  entry_date=max(entry.entry_date, day))
        if match.remittance_id is not None:
            _uncash(session, actor, match.remittance_id)
        audit.record(session, actor=actor, entity="bank_line", entity_id=line.id,
                     action="undo",
                     summary=_("Banque, {line} : rapprochement avec {target} ({amount}) défait : "
                               "{reason}").format(line=_line_title(line), target=row.title,
                                                  amount=format_money(match.amount),
                                                  reason=why),
                     before={"amount": match.amount,
                             "entry_id": match.entry_id, "remittance_id": match.remittance_id,
                             "payout_batch_id": match.payout_batch_id})
        session.delete(match)
        session.flush()
        return _detail(session, line.id)


def _uncash(session: Session, actor: Actor, remittance_id: int) -> None:
    """The deposit's cheques are no longer shown cashed by the bank: back to deposited."""
    remittance = session.get(ChequeRemittance, remittance_id)
    number = remittance.number if remittance is not None else ""
    for cheque in session.scalars(select(Cheque).where(
            Cheque.remittance_id == remittance_id, Cheque.status == ChequeStatus.CASHED)):
        cheque.status = ChequeStatus.DEPOSITED
        audit.record(session, actor=actor, entity="cheque", entity_id=cheque.id, action="status",
                     summary=_("Chèque n° {number} : de nouveau « déposé en banque » (le "
                               "rapprochement de la remise {remittance} a été défait)").format(
                         number=cheque.number, remittance=number),
                     before={"status": ChequeStatus.CASHED},
                     after={"status": ChequeStatus.DEPOSITED}, member_id=cheque.member_id)


def ignore_line(*, db: Database, actor: Actor, line_id: int, reason: str) -> LineDetail:
    """A line that needs no match (bank fees, a transfer between the co-op's accounts…)."""
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    why = check.text(reason, field="reason", label=_("Le motif"), max_length=300)
    with db.transaction() as session:
        line = _get_line(session, line_id)
        if session.scalar(select(BankMatch.id).where(BankMatch.bank_line_id == line_id)
                          .limit(1)):
            raise ValidationError(_("Cette ligne est rapprochée : défaites d'abord ses "
                                    "rapprochements pour l'ignorer."))
        before = line.ignored_reason
        line.ignored_reason = why
        audit.record(session, actor=actor, entity="bank_line", entity_id=line_id,
                     action="ignore", summary=_("Banque, {line} ignorée : {reason}").format(
                         line=_line_title(line), reason=why),
                     before={"ignored_reason": before}, after={"ignored_reason": why})
        session.flush()
        return _detail(session, line_id)


def unignore_line(*, db: Database, actor: Actor, line_id: int) -> LineDetail:
    require(actor, TREASURERS, _("rapprocher les relevés bancaires"))
    with db.transaction() as session:
        line = _get_line(session, line_id)
        if line.ignored_reason is not None:
            audit.record(session, actor=actor, entity="bank_line", entity_id=line_id,
                         action="unignore",
                         summary=_("Banque, {line} : n'est plus ignorée").format(
                             line=_line_title(line)),
                         before={"ignored_reason": line.ignored_reason},
                         after={"ignored_reason": None})
            line.ignored_reason = None
        session.flush()
        return _detail(session, line_id)


# --- what is left on both sides -------------------------------------------------------------------


def unmatched(*, db: Database, actor: Actor, date_from: dt.date | None = None,
              date_to: dt.date | None = None) -> Unmatched:
    """Bank lines not (wholly) matched nor ignored; and what the ledger says went through
    the bank — payments and payouts by transfer, deposit slips, transfer batches — that no
    line shows yet, over the period."""
    require(actor, TREASURERS, _("consulter les relevés bancaires"))
    with db.reading() as session:
        todo = _line_facts(session, None, date_from, date_to)
        ids = [fact.line_id for fact in todo]
        lines: list[BankLine] = []
        for start in range(0, len(ids), CHUNK):
            lines += session.scalars(select(BankLine).where(
                BankLine.id.in_(ids[start:start + CHUNK])))
        lines.sort(key=lambda line: (line.booking_date, line.id))
        expected: list[ExpectedRow] = []
        entries = _open_transfers(session, payments_only=False, date_from=date_from,
                                  date_to=date_to)
        for entry in entries:
            nature = {EntryKind.PAYMENT: _("Règlement par virement"),
                      EntryKind.REFUND: _("Remboursement par virement"),
                      EntryKind.PAYOUT: _("Paiement au producteur par virement")}[entry.kind]
            expected.append(ExpectedRow(TargetKind.ENTRY, entry.id, entry.entry_date, nature,
                                        _account_name(session, entry), entry.label,
                                        -entry.amount))
        for remittance in _open_remittances(session):
            if _within(remittance.remittance_date, date_from, date_to):
                expected.append(ExpectedRow(
                    TargetKind.REMITTANCE, remittance.id, remittance.remittance_date,
                    _("Remise de chèques"), remittance.number,
                    ngettext("{n} chèque", "{n} chèques", remittance.cheque_count).format(
                        n=remittance.cheque_count), remittance.total))
        for batch in _batches(session):
            if _within(batch.execution_date, date_from, date_to):
                expected.append(ExpectedRow(
                    TargetKind.PAYOUT_BATCH, batch.batch_id, batch.execution_date,
                    _("Virements aux producteurs"), batch.message_id,
                    ngettext("{n} virement", "{n} virements", len(batch.transfers)).format(
                        n=len(batch.transfers)), -batch.open))
        expected.sort(key=lambda row: (row.day, row.kind.value, row.target_id))
        return Unmatched(lines=tuple(_line_rows(session, lines)), expected=tuple(expected))


def _within(day: dt.date, date_from: dt.date | None, date_to: dt.date | None) -> bool:
    return (date_from is None or day >= date_from) and (date_to is None or day <= date_to)
