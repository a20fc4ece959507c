"""CSV exports of French banks, and the column mapping a user saves for any other bank.

A CSV statement is recognised by its header line, looked for among the first
lines (banks put a block of account details above it). Each bank layout is a
`ColumnMapping`: the three built-in ones (Crédit Agricole, Crédit Mutuel/CIC,
La Banque Postale) are nothing but mappings the application ships, plus a
reader of their header block (account number, period, balance). A user's
mapping for another bank is the same object, saved as a dict or JSON.

Rules, the same for every layout:

* the file's encoding is detected (`decode_text`): UTF-8 when the bytes are
  UTF-8, else the mapping's 8-bit encoding;
* a quoted label may span several lines; its lines are joined with one space;
* an amount may carry plain, no-break or narrow no-break spaces between groups
  of three digits ("1 254,50"), a sign, a trailing "€";
* with debit and credit columns, the column tells the direction and any sign
  written in it is ignored (Crédit Agricole writes debits positive, Crédit
  Mutuel negative);
* a running balance column, when the layout has one, must agree with the
  amounts line after line: a break means a hand-edited or incomplete file and
  is an error naming the line (the file is the bank's only proof of its
  figures; it is better to re-export it than to book a wrong amount);
* every bad line is reported at once, and then nothing is read.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import Decimal

from coopfood.banking.statements import (
    LineDraft,
    ParsedStatement,
    StatementError,
    clean_text,
    decode_text,
    finish_lines,
    join_label,
    line_problem,
    money_text,
    problems_error,
    statement_error,
)
from coopfood.domain.money import money
from coopfood.i18n import _
from coopfood.imports.reader import normalize_header
from coopfood.services import ValidationError

#: How many lines of the file are searched for the header line.
HEADER_SEARCH_LINES = 60

MAPPING_VERSION = 1

DELIMITERS = (";", ",", "\t", "|")
DECIMAL_SEPARATORS = (",", ".")


@dataclass(frozen=True)
class ColumnMapping:
    """How to read a bank's CSV export; columns are named as on its header line.

    Column names are compared with accents, case, spaces and punctuation
    ignored ("Débit Euros" = "DEBIT EUROS"). The header line is recognised
    when it holds every name of `header` (in any order, other columns allowed).
    """

    #: What the user calls it: "Société Générale".
    name: str
    #: The header line to look for, as column names.
    header: tuple[str, ...]
    date_column: str
    #: One or several columns whose texts make the label, in this order.
    label_columns: tuple[str, ...]
    #: A signed amount column…
    amount_column: str | None = None
    #: …or a debit and a credit column.
    debit_column: str | None = None
    credit_column: str | None = None
    value_date_column: str | None = None
    #: A running balance after each line, checked when given.
    balance_column: str | None = None
    #: A column giving each line's currency (all lines must agree)…
    currency_column: str | None = None
    #: …else the currency of the whole file.
    currency: str = "EUR"
    #: A `strptime` format: "%d/%m/%Y" reads 30/11/2026.
    date_format: str = "%d/%m/%Y"
    #: "," or "."; the other one may then group thousands.
    decimal_separator: str = ","
    #: The 8-bit encoding assumed when the file is not UTF-8 (UTF-8 is always detected).
    encoding: str = "cp1252"
    delimiter: str = ";"

    def __post_init__(self) -> None:
        object.__setattr__(self, "header", tuple(self.header))
        object.__setattr__(self, "label_columns", tuple(self.label_columns))
        self._validate()

    # --- validation -------------------------------------------------------------------------------

    def _validate(self) -> None:
        if not self.name.strip():
            raise ValidationError(_("Donnez un nom à la correspondance."), field="name")
        header = [normalize_header(c) for c in self.header]
        if not any(header):
            raise ValidationError(
                _("Indiquez les colonnes de la ligne d'en-tête à rechercher."), field="header"
            )
        if len({h for h in header if h}) != len([h for h in header if h]):
            raise ValidationError(
                _("La ligne d'en-tête nomme deux fois la même colonne."), field="header"
            )
        if not self.label_columns:
            raise ValidationError(
                _("Choisissez au moins une colonne de libellé."), field="label_columns"
            )
        has_amount = self.amount_column is not None
        has_split = self.debit_column is not None or self.credit_column is not None
        if has_amount == has_split or (
            has_split and (self.debit_column is None or self.credit_column is None)
        ):
            raise ValidationError(
                _(
                    "Choisissez soit une colonne de montant signé, soit une colonne de débit "
                    "et une colonne de crédit."
                ),
                field="amount_column",
            )
        for field_name, column in self._columns():
            if normalize_header(column) not in header:
                raise ValidationError(
                    _("La colonne « {column} » n'est pas dans la ligne d'en-tête.").format(
                        column=column
                    ),
                    field=field_name,
                )
        try:
            sample = dt.date(2026, 11, 30)
            if dt.datetime.strptime(sample.strftime(self.date_format), self.date_format).date() \
                    != sample:
                raise ValueError(self.date_format)
        except ValueError:
            raise ValidationError(
                _(
                    "Format de date « {format} » invalide : il faut le jour (%d), le mois (%m) "
                    "et l'année (%Y), par exemple %d/%m/%Y."
                ).format(format=self.date_format),
                field="date_format",
            ) from None
        if self.decimal_separator not in DECIMAL_SEPARATORS:
            raise ValidationError(
                _("Le séparateur décimal est la virgule ou le point."), field="decimal_separator"
            )
        if self.delimiter not in DELIMITERS:
            raise ValidationError(
                _("Le séparateur de colonnes est « ; », « , », la tabulation ou « | »."),
                field="delimiter",
            )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise ValidationError(
                _("Encodage « {encoding} » inconnu.").format(encoding=self.encoding),
                field="encoding",
            ) from None
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValidationError(
                _("Devise « {currency} » invalide : trois lettres, comme EUR.").format(
                    currency=self.currency
                ),
                field="currency",
            )

    def _columns(self) -> list[tuple[str, str]]:
        named = [("date_column", self.date_column)]
        named += [("label_columns", c) for c in self.label_columns]
        for field_name in (
            "amount_column",
            "debit_column",
            "credit_column",
            "value_date_column",
            "balance_column",
            "currency_column",
        ):
            column = getattr(self, field_name)
            if column is not None:
                named.append((field_name, column))
        return named

    def matches(self, cells: Sequence[str]) -> bool:
        """Whether `cells` (one line of the file) is this mapping's header line."""
        found = {normalize_header(c) for c in cells}
        return all(normalize_header(c) in found for c in self.header if normalize_header(c))

    # --- saving -----------------------------------------------------------------------------------

    def to_dict(self) -> dict[str, object]:
        """A plain dict (JSON-ready) that `from_dict` reads back."""
        return {
            "version": MAPPING_VERSION,
            "name": self.name,
            "header": list(self.header),
            "date_column": self.date_column,
            "label_columns": list(self.label_columns),
            "amount_column": self.amount_column,
            "debit_column": self.debit_column,
            "credit_column": self.credit_column,
            "value_date_column": self.value_date_column,
            "balance_column": self.balance_column,
            "currency_column": self.currency_column,
            "currency": self.currency,
            "date_format": self.date_format,
            "decimal_separator": self.decimal_separator,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ColumnMapping:
        """A mapping saved by `to_dict`; a French `ValidationError` when it is not one."""
        if data.get("version", MAPPING_VERSION) != MAPPING_VERSION:
            raise ValidationError(
                _("Correspondance de colonnes d'une version inconnue ({version}).").format(
                    version=data.get("version")
                ),
                field="version",
            )
        known = {f.name for f in fields(cls)} | {"version"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValidationError(
                _("Correspondance de colonnes : champ(s) inconnu(s) {fields}.").format(
                    fields=", ".join(unknown)
                ),
                field=unknown[0],
            )

        def text(key: str, default: str | None = None) -> str | None:
            value = data.get(key, default)
            if value is None or isinstance(value, str):
                return value
            raise ValidationError(
                _("Correspondance de colonnes : « {field} » doit être un texte.").format(
                    field=key
                ),
                field=key,
            )

        def required(key: str, default: str | None = None) -> str:
            value = text(key, default)
            if value is None:
                raise ValidationError(
                    _("Correspondance de colonnes : « {field} » manque.").format(field=key),
                    field=key,
                )
            return value

        def texts(key: str) -> tuple[str, ...]:
            value = data.get(key)
            if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                return tuple(str(v) for v in value)
            raise ValidationError(
                _("Correspondance de colonnes : « {field} » doit être une liste de textes.").format(
                    field=key
                ),
                field=key,
            )

        return cls(
            name=required("name"),
            header=texts("header"),
            date_column=required("date_column"),
            label_columns=texts("label_columns"),
            amount_column=text("amount_column"),
            debit_column=text("debit_column"),
            credit_column=text("credit_column"),
            value_date_column=text("value_date_column"),
            balance_column=text("balance_column"),
            currency_column=text("currency_column"),
            currency=required("currency", "EUR"),
            date_format=required("date_format", "%d/%m/%Y"),
            decimal_separator=required("decimal_separator", ","),
            encoding=required("encoding", "cp1252"),
            delimiter=required("delimiter", ";"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str) -> ColumnMapping:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValidationError(
                _("Correspondance de colonnes illisible (JSON invalide : {reason}).").format(
                    reason=error.msg
                )
            ) from None
        if not isinstance(data, dict):
            raise ValidationError(_("Correspondance de colonnes illisible (objet JSON attendu)."))
        return cls.from_dict(data)


# --- the banks coopfood knows -------------------------------------------------------------------

CREDIT_AGRICOLE = ColumnMapping(
    name="Crédit Agricole",
    header=("Date", "Libellé", "Débit Euros", "Crédit Euros"),
    date_column="Date",
    label_columns=("Libellé",),
    debit_column="Débit Euros",
    credit_column="Crédit Euros",
    encoding="cp1252",
)

CREDIT_MUTUEL = ColumnMapping(
    name="Crédit Mutuel / CIC",
    header=("Date", "Date de valeur", "Débit", "Crédit", "Libellé", "Solde"),
    date_column="Date",
    value_date_column="Date de valeur",
    label_columns=("Libellé",),
    debit_column="Débit",
    credit_column="Crédit",
    balance_column="Solde",
    encoding="iso-8859-15",
)

BANQUE_POSTALE = ColumnMapping(
    name="La Banque Postale",
    header=("Date", "Libellé", "Montant(EUROS)"),
    date_column="Date",
    label_columns=("Libellé",),
    amount_column="Montant(EUROS)",
    encoding="cp1252",
)

#: Tried after the user's mappings, the most specific header first.
BUILTIN_LAYOUTS: tuple[ColumnMapping, ...] = (CREDIT_MUTUEL, CREDIT_AGRICOLE, BANQUE_POSTALE)


@dataclass(frozen=True)
class _Preamble:
    account: str | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    closing_balance: Decimal | None = None


def _french_date(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def _credit_agricole_preamble(lines: Sequence[str]) -> _Preamble:
    """'Compte … n° 00012345678', 'Solde au 30/11/2026 4 812,37 €', 'entre le … et le …'."""
    text = "\n".join(lines)
    account = re.search(r"\bn°\s*([0-9A-Z]{5,})", text)
    period = re.search(r"entre le (\d\d/\d\d/\d{4}) et le (\d\d/\d\d/\d{4})", text)
    balance = re.search(r"Solde au (\d\d/\d\d/\d{4})\s+([+-]?\s?\d[\d\s.]*,\d\d)", text)
    start = end = closing = None
    try:
        if period:
            start, end = _french_date(period[1]), _french_date(period[2])
        # "Solde au" is the closing balance only when it is the balance at the period's end.
        if balance and (end is None or _french_date(balance[1]) == end):
            closing = parse_amount(balance[2], ",")
    except ValueError:
        pass
    return _Preamble(account[1] if account else None, start, end, closing)


def _banque_postale_preamble(lines: Sequence[str]) -> _Preamble:
    """'Numéro Compte ;0123456K021', 'Solde (EUROS) ;2 145,10' (on the export's date)."""
    values = {}
    for line in lines:
        key, _sep, value = line.partition(";")
        values[normalize_header(key)] = value.strip().strip(";").strip()
    closing = None
    try:
        if values.get("soldeeuros"):
            closing = parse_amount(values["soldeeuros"], ",")
    except ValueError:
        pass
    return _Preamble(account=values.get("numerocompte") or None, closing_balance=closing)


_PREAMBLE_READERS: tuple[tuple[ColumnMapping, Callable[[Sequence[str]], _Preamble]], ...] = (
    (CREDIT_AGRICOLE, _credit_agricole_preamble),
    (BANQUE_POSTALE, _banque_postale_preamble),
)


# --- values ---------------------------------------------------------------------------------------

_AMOUNT_PATTERNS: dict[str, re.Pattern[str]] = {}


def parse_amount(text: str, decimal_separator: str) -> Decimal:
    """'1 254,50', '-12,00', '+64', '1.254,50 €' → an exact amount; ValueError (French) else.

    Spaces of any kind, or the separator that is not the decimal one, may only
    group digits by three: "12.50" read with a decimal comma is an error, never 1 250.
    """
    pattern = _AMOUNT_PATTERNS.get(decimal_separator)
    if pattern is None:
        thousands = re.escape("." if decimal_separator == "," else ",")
        decimal = re.escape(decimal_separator)
        pattern = _AMOUNT_PATTERNS[decimal_separator] = re.compile(
            rf"(?P<sign>[+-])? ?(?P<units>\d{{1,3}}(?:[ {thousands}]\d{{3}})+|\d+)"
            rf"(?:{decimal}(?P<cents>\d{{1,2}}))?"
        )
    cleaned = re.sub(r"\s*(?:€|EUR|EUROS)$", "", clean_text(text), flags=re.IGNORECASE)
    match = pattern.fullmatch(cleaned)
    if match is None:
        raise ValueError(_("« {text} » n'est pas un montant").format(text=text.strip()))
    units = re.sub(r"\D", "", match["units"])
    return money(f"{match['sign'] or ''}{units}.{match['cents'] or '0'}")


def _human_date_format(date_format: str) -> str:
    return (
        date_format.replace("%d", "JJ").replace("%m", "MM").replace("%Y", "AAAA")
        .replace("%y", "AA")
    )


# --- reading --------------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass(frozen=True, slots=True)
class _Row:
    draft: LineDraft
    balance: Decimal | None
    currency: str | None


class _Columns:
    """Where each column of a mapping sits on the header line that was found."""

    def __init__(self, mapping: ColumnMapping, header: Sequence[str]) -> None:
        positions: dict[str, int] = {}
        for index, cell in enumerate(header):
            positions.setdefault(normalize_header(cell), index)

        def at(column: str | None) -> int | None:
            return None if column is None else positions[normalize_header(column)]

        self.date = positions[normalize_header(mapping.date_column)]
        self.labels = tuple(positions[normalize_header(c)] for c in mapping.label_columns)
        self.amount = at(mapping.amount_column)
        self.debit = at(mapping.debit_column)
        self.credit = at(mapping.credit_column)
        self.value_date = at(mapping.value_date_column)
        self.balance = at(mapping.balance_column)
        self.currency = at(mapping.currency_column)
        # A line must reach the header's last named column: a shorter one is cut.
        self.width = max(i for i, cell in enumerate(header) if cell.strip()) + 1
        self.names = tuple(cell.strip() for cell in header)


def _probe_text(data: bytes) -> str:
    """The file's text, good enough to find a header line (ASCII with accents)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _find_header(text: str, mapping: ColumnMapping) -> tuple[int, list[str]] | None:
    """The header line's number (1-based) and cells, among the first lines."""
    stream = io.StringIO(text, newline="")
    for number in range(1, HEADER_SEARCH_LINES + 1):
        physical = stream.readline()
        if not physical:
            return None
        cells = next(csv.reader([physical], delimiter=mapping.delimiter), [])
        if mapping.matches(cells):
            return number, cells
    return None


def find_layout(
    data: bytes, mappings: Sequence[ColumnMapping] = ()
) -> ColumnMapping | None:
    """The first of `mappings`, then of the built-in layouts, whose header line is in the file."""
    text = _probe_text(data)
    for mapping in (*mappings, *BUILTIN_LAYOUTS):
        if _find_header(text, mapping) is not None:
            return mapping
    return None


def parse_csv(
    data: bytes, *, name: str, mappings: Sequence[ColumnMapping] = ()
) -> ParsedStatement:
    """Read a CSV statement with the first mapping (the user's, then the built-in) that fits."""
    mapping = find_layout(data, mappings)
    if mapping is None:
        raise _unknown_format(name, mappings)
    return read_with_mapping(data, name=name, mapping=mapping)


def _unknown_format(name: str, mappings: Sequence[ColumnMapping]) -> StatementError:
    known = ", ".join(m.name for m in (*mappings, *BUILTIN_LAYOUTS))
    message = _(
        "Format de relevé non reconnu : « {file} » n'est ni un fichier OFX ou CAMT.053, ni un "
        "export CSV dont la ligne d'en-tête est connue ({known}) ; définissez une "
        "correspondance de colonnes."
    ).format(file=name, known=known)
    return StatementError(message, file=name)


def read_with_mapping(data: bytes, *, name: str, mapping: ColumnMapping) -> ParsedStatement:
    """Read a CSV statement with `mapping`; its header line must be in the file."""
    text = decode_text(data, file=name, legacy=mapping.encoding)
    found = _find_header(text, mapping)
    if found is None:
        raise _unknown_format(name, (mapping,))
    header_line, header = found
    columns = _Columns(mapping, header)
    stream = io.StringIO(text, newline="")
    preamble = [stream.readline().rstrip("\r\n") for _n in range(header_line)][:-1]
    reader = csv.reader(stream, delimiter=mapping.delimiter, strict=True)

    rows: list[_Row] = []
    problems: list[str] = []
    dates: dict[str, dt.date] = {}
    start = header_line + 1
    try:
        for record in reader:
            line = start
            start = header_line + reader.line_num + 1
            if not any(cell.strip() for cell in record) or mapping.matches(record):
                continue  # blank, or the header repeated (page by page in some exports)
            try:
                rows.append(_read_row(record, line, mapping, columns, dates))
            except _RowError as error:
                problems.append(line_problem(line, error.reason, column=error.column))
    except csv.Error as error:
        reason = str(error)
        if "unexpected end of data" in reason:
            reason = _(
                "le fichier s'arrête au milieu d'un libellé entre guillemets : il est tronqué, "
                "téléchargez-le de nouveau"
            )
        elif "expected after" in reason:
            reason = _(
                "CSV mal formé : un guillemet fermant est suivi d'autre chose qu'un séparateur "
                "de colonnes"
            )
        else:
            reason = _("CSV mal formé ({reason})").format(reason=reason)
        raise statement_error(name, reason, line=start) from None

    if problems:
        raise problems_error(name, problems)
    currencies = {row.currency for row in rows if row.currency}
    if len(currencies) > 1:
        raise statement_error(
            name,
            _("le relevé mêle plusieurs devises ({currencies}) : importez un compte à la fois.")
            .format(currencies=", ".join(sorted(currencies))),
        )

    opening = closing = None
    if columns.balance is not None:
        opening, closing = _check_running_balance(name, rows, mapping)
    info = _Preamble()
    for layout, read_preamble in _PREAMBLE_READERS:
        if layout is mapping:
            info = read_preamble(preamble)
    account = info.account
    return ParsedStatement(
        source=name,
        format=f"CSV {mapping.name}",
        account=account,
        currency=currencies.pop() if currencies else mapping.currency,
        period_start=info.period_start,
        period_end=info.period_end,
        opening_balance=opening,
        closing_balance=closing if closing is not None else info.closing_balance,
        lines=finish_lines(account, (row.draft for row in rows)),
    )


def _read_row(
    record: list[str],
    line: int,
    mapping: ColumnMapping,
    columns: _Columns,
    dates: dict[str, dt.date],
) -> _Row:
    if len(record) < columns.width:
        raise _RowError(
            None,
            _(
                "ligne incomplète ({found} colonnes au lieu de {expected}) : le fichier est-il "
                "tronqué ?"
            ).format(found=len(record), expected=columns.width),
        )

    def cell(index: int) -> str:
        return record[index].strip()

    def date(index: int) -> dt.date:
        text = cell(index)
        found = dates.get(text)
        if found is None:
            try:
                found = dates[text] = dt.datetime.strptime(text, mapping.date_format).date()
            except ValueError:
                raise _RowError(
                    columns.names[index],
                    _("date « {text} » illisible (attendu : {format})").format(
                        text=text, format=_human_date_format(mapping.date_format)
                    ),
                ) from None
        return found

    def amount(index: int) -> Decimal | None:
        text = cell(index)
        if not text:
            return None
        try:
            return parse_amount(text, mapping.decimal_separator)
        except ValueError as error:
            raise _RowError(columns.names[index], str(error)) from None

    booking_date = date(columns.date)
    value_date = None
    if columns.value_date is not None and cell(columns.value_date):
        value_date = date(columns.value_date)
    if columns.amount is not None:
        signed = amount(columns.amount)
        if signed is None:
            raise _RowError(columns.names[columns.amount], _("le montant manque"))
    else:
        assert columns.debit is not None and columns.credit is not None
        debit, credit = amount(columns.debit), amount(columns.credit)
        if debit and credit:
            raise _RowError(None, _("la ligne a un débit et un crédit à la fois"))
        if debit:
            signed = -abs(debit)
        elif credit is not None:
            signed = abs(credit)
        elif debit is not None:
            signed = debit  # a debit of 0,00
        else:
            raise _RowError(None, _("la ligne n'a ni débit ni crédit"))
    balance = amount(columns.balance) if columns.balance is not None else None
    currency = None
    if columns.currency is not None:
        currency = cell(columns.currency).upper() or None
    label = join_label(record[i] for i in columns.labels)
    return _Row(
        LineDraft(
            booking_date=booking_date,
            value_date=value_date,
            amount=signed,
            label=label,
            source_line=line,
        ),
        balance,
        currency,
    )


def _check_running_balance(
    name: str, rows: Sequence[_Row], mapping: ColumnMapping
) -> tuple[Decimal | None, Decimal | None]:
    """The opening and closing balances from a running balance column, checked line by line.

    Banks list newest first or oldest first: the dates tell which; on a single
    day both orders are tried.
    """
    if not rows:
        return None, None
    first, last = rows[0].draft.booking_date, rows[-1].draft.booking_date
    if first < last:
        orders = [list(rows)]
    elif first > last:
        orders = [list(reversed(rows))]
    else:
        orders = [list(rows), list(reversed(rows))]
    failure: StatementError | None = None
    for chronological in orders:
        try:
            return _follow_balance(name, chronological, mapping)
        except StatementError as error:
            failure = failure or error
    assert failure is not None
    raise failure


def _follow_balance(
    name: str, chronological: Sequence[_Row], mapping: ColumnMapping
) -> tuple[Decimal | None, Decimal | None]:
    opening: Decimal | None = None
    known: Decimal | None = None  # the last balance given, plus the amounts since
    moved = Decimal("0.00")
    for row in chronological:
        moved += row.draft.amount
        if known is not None:
            known += row.draft.amount
        if row.balance is None:
            continue
        if known is None:
            opening = row.balance - moved
        elif row.balance != known:
            raise statement_error(
                name,
                _(
                    "le solde indiqué dans la colonne « {column} », {given}, ne suit pas les "
                    "opérations ({expected} attendu) : le fichier a été modifié ou des lignes "
                    "manquent ; téléchargez-le de nouveau."
                ).format(
                    column=mapping.balance_column,
                    given=money_text(row.balance),
                    expected=money_text(known),
                ),
                line=row.draft.source_line,
            )
        known = row.balance
    return opening, known
