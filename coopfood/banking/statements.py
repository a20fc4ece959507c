"""Bank statements as banks hand them out, read into one shape.

`read_statement(path)` tells the format by content, never by the file's name:
OFX (1.x SGML or 2.x XML), ISO 20022 camt.053, or a CSV export recognised by
its header line — one of the built-in French layouts or a `ColumnMapping` the
user saved. It returns a whole `ParsedStatement` or raises a `StatementError`
(a French `ServiceError` naming the file and, where it can, the line): nothing
is ever half-read. This module knows no database; storing, matching and
screens build on what it returns.

Fingerprints
------------
Importing a statement that overlaps one already imported must never duplicate
a line, so every `BankLine` carries a `fingerprint` (32 hex digits of a
SHA-256), computed by `finish_lines`:

* when the bank gives its own unique id for the operation (OFX ``FITID``,
  camt.053 ``AcctSvcrRef``), the fingerprint is made of the kind of id, the
  account and that id, whatever the label or the dates say;
* otherwise it is made of the account, the booking date, the amount, the
  label normalised (accents, case, punctuation and spacing ignored) and an
  occurrence counter: two identical 5,00 € fees on the same day are two lines
  (#1 and #2), and an overlapping export that holds both gives them the same
  two fingerprints. An id the bank repeats inside one file gets such a
  counter too.

camt.053 ``NtryRef`` is kept as `bank_id` but is only unique within one
statement, so it never makes a fingerprint. Fingerprints are meant to be
stored per bank account.

The same operation read from two formats (a CSV export and an OFX file) does
not in general get the same fingerprint: a CSV has no bank id, labels differ
from format to format, and so may the account's identifier (IBAN in camt.053,
account number in OFX). Even when a bank's FITID equals its AcctSvcrRef, the
two are kept apart on purpose: two id schemes that happened to collide would
silently drop a real operation, whereas a duplicate is visible (and the
matching sees two lines of the same date and amount). Fingerprints
deduplicate re-imports of one format; recognising one operation across
formats is the matching's job.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from coopfood.i18n import N_, _, format_money
from coopfood.services import ServiceError

if TYPE_CHECKING:
    from coopfood.banking.csv_formats import ColumnMapping

#: How many problems a `StatementError` message lists before it says "and N more".
SHOWN_PROBLEMS = 15


@dataclass(frozen=True, slots=True)
class BankLine:
    """One operation of a statement; `amount` is signed: a credit > 0, a debit < 0."""

    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    #: The bank's text on one line: multi-line labels joined, whitespace collapsed.
    label: str
    counterparty_name: str | None
    counterparty_iban: str | None
    #: What the payer wrote or the bank keeps as reference: EndToEndId, remittance text…
    reference: str | None
    #: The bank's own id of the operation (FITID, AcctSvcrRef, NtryRef) when given.
    bank_id: str | None
    #: Identifies the operation across overlapping imports (see the module's docstring).
    fingerprint: str
    #: The line of the file where the operation starts (for messages), when known.
    source_line: int | None = None


@dataclass(frozen=True)
class ParsedStatement:
    """A whole statement read from one file; lines keep the file's order."""

    #: The file's name, for messages.
    source: str
    #: What was read: "OFX", "camt.053.001.02", "CSV Crédit Agricole"…
    format: str
    #: IBAN or account number when the file says it.
    account: str | None
    currency: str
    period_start: dt.date | None
    period_end: dt.date | None
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    lines: tuple[BankLine, ...]

    @property
    def total(self) -> Decimal:
        """The sum of the lines' amounts (credits minus debits)."""
        return sum((line.amount for line in self.lines), Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class LineDraft:
    """A line as a parser reads it, before `finish_lines` gives it its fingerprint."""

    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    label: str
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    reference: str | None = None
    bank_id: str | None = None
    #: What `bank_id` is when it identifies the operation for good: "FITID", "AcctSvcrRef".
    unique_id_kind: str | None = None
    source_line: int | None = None


class StatementError(ServiceError):
    """A statement that cannot be read; `str(error)` is French and names the file.

    `problems` holds every line-level problem found (the message shows the first
    ones); `line` is the line at fault when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str,
        line: int | None = None,
        problems: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.problems = tuple(problems)


def statement_error(file: str, reason: str, *, line: int | None = None) -> StatementError:
    """« releve.csv », ligne 12 : reason — the one shape of a single-problem message."""
    if line is None:
        message = _("« {file} » : {reason}").format(file=file, reason=reason)
    else:
        message = _("« {file} », ligne {line} : {reason}").format(
            file=file, line=line, reason=reason
        )
    return StatementError(message, file=file, line=line)


def problems_error(file: str, problems: Sequence[str]) -> StatementError:
    """All the bad lines of a file at once: nothing is read when one of them is bad."""
    shown = list(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        shown.append(_("… et {count} autres.").format(count=len(problems) - SHOWN_PROBLEMS))
    if len(problems) == 1:
        head = _("« {file} » : une ligne est illisible, rien n'a été lu :")
    else:
        head = _("« {file} » : {count} lignes sont illisibles, rien n'a été lu :")
    message = head.format(file=file, count=len(problems)) + "\n" + "\n".join(
        f"– {problem}" for problem in shown
    )
    return StatementError(message, file=file, problems=problems)


def line_problem(line: int | None, reason: str, *, column: str | None = None) -> str:
    """'ligne 12, colonne « Montant » : reason'."""
    if line is None:
        return reason
    if column is None:
        return _("ligne {line} : {reason}").format(line=line, reason=reason)
    return _("ligne {line}, colonne « {column} » : {reason}").format(
        line=line, column=column, reason=reason
    )


def money_text(amount: Decimal) -> str:
    """An amount as a French reader expects it in a message: '1 254,50 €'."""
    return format_money(amount)


# --- text -----------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Every run of whitespace (line breaks, no-break spaces…) made one space; ends trimmed."""
    return " ".join(text.split())


def join_label(parts: Iterable[str | None]) -> str:
    """Parts of a label joined by a space, skipping empty ones and ones already said."""
    label = ""
    said = " "
    for part in parts:
        text = clean_text(part or "")
        key = normalise_label(text)
        if not key or f" {key} " in said:
            continue
        label = f"{label} {text}" if label else text
        said = f"{said} {key} "
    return label


def normalise_label(text: str) -> str:
    """'Virement  reçu – Mme Lefèbvre' → 'VIREMENT RECU MME LEFEBVRE' (for fingerprints)."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_ALNUM.sub(" ", text.upper()).split())


_NOT_ALNUM = re.compile(r"[^0-9A-Z]+")


_C1_CONTROLS = re.compile("[\x80-\x9f]")


def decode_text(data: bytes, *, file: str, legacy: str = "cp1252") -> str:
    """The text of a file whose declared or assumed encoding may be wrong.

    A BOM decides; else bytes that are valid UTF-8 are UTF-8 (a Windows-1252 or
    Latin-9 text with accents is practically never valid UTF-8); else `legacy`
    (Windows-1252 when `legacy` is a UTF encoding). A Latin-1/Latin-9 reading that
    yields C1 control characters is really Windows-1252 (its quotes and euro sign).
    Bytes no candidate can read are an error naming the line.
    """
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise _undecodable(data, error, file) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        raise statement_error(
            file, _("ce n'est pas un fichier texte (octets nuls) : est-ce bien un relevé ?")
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        encoding = codecs.lookup(legacy).name
    except LookupError:
        encoding = "cp1252"
    if encoding.startswith("utf"):
        encoding = "cp1252"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise _undecodable(data, error, file) from None
    if encoding != "cp1252" and _C1_CONTROLS.search(text):
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise _undecodable(data, error, file) from None
    return text


def _undecodable(data: bytes, error: UnicodeDecodeError, file: str) -> StatementError:
    line = data.count(b"\n", 0, error.start) + 1
    return statement_error(
        file,
        _(
            "octet {byte} illisible : le fichier n'est ni en UTF-8 ni en Windows-1252 "
            "(fichier abîmé ?)."
        ).format(byte=f"0x{data[error.start]:02X}"),
        line=line,
    )


# --- fingerprints -------------------------------------------------------------------------------


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def finish_lines(account: str | None, drafts: Iterable[LineDraft]) -> tuple[BankLine, ...]:
    """The drafts with their fingerprints, in the same order (rules in the module docstring)."""
    owner = account or ""
    seen: dict[tuple[str, ...], int] = {}
    lines = []
    for draft in drafts:
        if draft.bank_id and draft.unique_id_kind:
            key: tuple[str, ...] = (draft.unique_id_kind, owner, draft.bank_id)
        else:
            key = (
                "line",
                owner,
                draft.booking_date.isoformat(),
                str(draft.amount),
                normalise_label(draft.label),
            )
        occurrence = seen[key] = seen.get(key, 0) + 1
        if key[0] == "line" or occurrence > 1:
            key = (*key, str(occurrence))
        lines.append(
            BankLine(
                booking_date=draft.booking_date,
                value_date=draft.value_date,
                amount=draft.amount,
                label=draft.label,
                counterparty_name=draft.counterparty_name,
                counterparty_iban=draft.counterparty_iban,
                reference=draft.reference,
                bank_id=draft.bank_id,
                fingerprint=_digest(*key),
                source_line=draft.source_line,
            )
        )
    return tuple(lines)


# --- the door -------------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def read_statement(
    path: Path | str, *, mapping: ColumnMapping | Sequence[ColumnMapping] | None = None
) -> ParsedStatement:
    """Read the statement in `path`, whatever its format (told by content).

    `mapping` is a user's column mapping, or the saved ones: a CSV is tried
    against them (by their header line) before the built-in bank layouts. It
    plays no part for an OFX or camt.053 file.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise statement_error(path.name, _("fichier introuvable ({path}).").format(
            path=path)) from None
    except IsADirectoryError:
        raise statement_error(path.name, _("c'est un dossier, pas un fichier.")) from None
    except OSError as error:
        raise statement_error(
            path.name, _("lecture impossible ({reason}).").format(reason=error.strerror or error)
        ) from None
    return parse_statement(data, name=path.name, mapping=mapping)


def parse_statement(
    data: bytes,
    *,
    name: str,
    mapping: ColumnMapping | Sequence[ColumnMapping] | None = None,
) -> ParsedStatement:
    """`read_statement` on bytes already read; `name` is the file's name for messages."""
    # The parsers are imported here: they import this module, and the window starts
    # faster without ofxtools and lxml.
    head = data.lstrip(codecs.BOM_UTF8 + b" \t\r\n")[:4096]
    if not head.strip():
        raise statement_error(name, _("le fichier est vide."))
    kind = detect_format(head)
    if kind == "ofx":
        from coopfood.banking.ofx import parse_ofx

        return parse_ofx(data, name=name)
    if kind == "camt":
        from coopfood.banking.camt import parse_camt

        return parse_camt(data, name=name)
    if kind == "csv":
        from coopfood.banking.csv_formats import parse_csv

        if mapping is None:
            mappings: tuple[ColumnMapping, ...] = ()
        elif isinstance(mapping, Sequence):
            mappings = tuple(mapping)
        else:
            mappings = (mapping,)
        return parse_csv(data, name=name, mappings=mappings)
    raise statement_error(name, _(_UNREADABLE_KINDS[kind]))


_UNREADABLE_KINDS = {
    "pdf": N_(
        "c'est un relevé PDF, que coopfood ne lit pas : téléchargez sur le site de la "
        "banque le relevé au format CSV, OFX ou CAMT.053."
    ),
    "workbook": N_(
        "c'est un classeur Excel ou une archive, pas un relevé : téléchargez sur le "
        "site de la banque le relevé au format CSV, OFX ou CAMT.053."
    ),
    "xml": N_(
        "format de relevé non reconnu : ce fichier XML n'est ni un relevé CAMT.053 "
        "(ISO 20022) ni un fichier OFX."
    ),
}


def detect_format(head: bytes) -> str:
    """'ofx', 'camt', 'csv', or what it is when unreadable: 'pdf', 'workbook', 'xml'."""
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((_ZIP_MAGIC, _OLE2_MAGIC)):
        return "workbook"
    text = head.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    if re.match(r"\s*OFXHEADER\s*:", text) or "<OFX>" in text or re.search(r"<\?OFX\b", text):
        return "ofx"
    if text.lstrip().startswith("<"):
        if "urn:iso:std:iso:20022:tech:xsd:camt." in text:
            return "camt"
        return "xml"
    if data_is_binary(head):
        return "workbook"
    return "csv"


def data_is_binary(head: bytes) -> bool:
    """Bytes that no text file holds (besides UTF-16, which has a BOM)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def parse_date_prefix(text: str) -> dt.date:
    """The calendar date a bank wrote, from 'YYYYMMDD…' or 'YYYY-MM-DD…' (time and zone dropped).

    Never shifted by a time-zone conversion: 20261130000000[+1:CET] is the 30th.
    Raises ValueError when there is no valid date.
    """
    match = re.match(r"\s*(\d{4})-?(\d{2})-?(\d{2})", text)
    if match is None:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))
