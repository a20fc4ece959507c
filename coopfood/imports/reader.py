"""Reading a table from the files co-ops really keep: CSV of any origin, or XLSX.

A CSV may come from Excel for Windows (Windows-1252, `;`), LibreOffice (UTF-8,
`,` or `;`), a web export (UTF-8 with a BOM, tabs): the encoding and the
separator are detected, never asked. An XLSX is read with openpyxl, first sheet,
cached values of formulas. A float never leaves this module: numbers come out
as `int` or `Decimal`.

Header matching (accents, case, punctuation ignored) lives here too, so that
the importer and the exporter agree on what a column is called.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from coopfood.i18n import _
from coopfood.services import ServiceError

if TYPE_CHECKING:
    from coopfood.order_form_xlsx import OrderFormTag

#: What a cell holds once read: text, an exact number, a truth value or a date.
Cell = str | int | Decimal | bool | dt.date | None

SEPARATORS = (";", "\t", ",")
#: How many non-empty lines may stand above the header (a title, a date…).
HEADER_SEARCH_LINES = 10

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


class ImportFileError(ServiceError):
    """A file that cannot be read as a table at all; the message names the file."""


@dataclass(frozen=True)
class SourceRow:
    """One non-empty line of the file, with its number as the spreadsheet shows it."""

    line: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Table:
    """A file read as a table: the header line, then the data lines."""

    name: str
    header_line: int
    headers: tuple[str, ...]
    rows: tuple[SourceRow, ...]
    #: A coopfood order form says which household and product its lines stand for.
    form: OrderFormTag | None = None


# --- header names -----------------------------------------------------------------------------


def normalize_header(text: str) -> str:
    """'N° de TVA', 'n_tva ', 'N°TVA' → 'ndetva', 'ntva': no accent, case, space or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", without_accents.casefold())


def normalize_name(text: str) -> str:
    """A person's or a place's name for matching: case, accents and extra spaces ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[\s\-'’.]+", " ", without_accents.casefold()).split())


# --- reading ----------------------------------------------------------------------------------


def read_table(path: Path, *, known_headers: frozenset[str] = frozenset()) -> Table:
    """Read `path` (CSV or XLSX, told apart by content, not by name) as a table.

    The header is the first non-empty line, or, when a title stands above it, the
    first of the first lines holding a name from `known_headers` (normalised).
    Empty lines are skipped; every row keeps its line number in the file.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(_("Fichier introuvable : {file}.").format(file=path)) from None
    except IsADirectoryError:
        raise ImportFileError(
            _("« {file} » est un dossier, pas un fichier.").format(file=path)
        ) from None
    except OSError as error:
        raise ImportFileError(
            _("Impossible de lire « {file} » : {reason}.").format(
                file=path, reason=error.strerror or error
            )
        ) from None
    if data.startswith(_OLE2_MAGIC):
        raise ImportFileError(
            _(
                "« {file} » est au format Excel 97-2003 (.xls), que coopfood ne lit pas : "
                "enregistrez-le au format .xlsx ou .csv."
            ).format(file=path.name)
        )
    if data.startswith(_ZIP_MAGIC) or path.suffix.lower() in (".xlsx", ".xlsm"):
        from coopfood.order_form_xlsx import read_order_form

        form = read_order_form(data, path)  # a filled order form of coopfood?
        if form is not None:
            return form
        lines = _xlsx_lines(data, path)
    else:
        lines = _csv_lines(data, path)
    return _as_table(path, lines, known_headers)


def _as_table(
    path: Path, lines: Iterator[tuple[int, tuple[Cell, ...]]], known_headers: frozenset[str]
) -> Table:
    non_empty = ((n, cells) for n, cells in lines if not _is_empty(cells))
    leading: list[tuple[int, tuple[Cell, ...]]] = []
    header: tuple[int, tuple[Cell, ...]] | None = None
    for number, cells in non_empty:
        leading.append((number, cells))
        if known_headers and any(normalize_header(_header_text(c)) in known_headers for c in cells):
            header = (number, cells)
            break
        if len(leading) >= HEADER_SEARCH_LINES:
            break
    if header is None:
        if not leading:
            raise ImportFileError(_("Le fichier « {file} » est vide.").format(file=path.name))
        header = leading[0]
    rows = [SourceRow(n, c) for n, c in leading if n > header[0]]
    rows.extend(SourceRow(n, c) for n, c in non_empty)
    headers = tuple(_header_text(c) for c in header[1])
    return Table(name=path.name, header_line=header[0], headers=headers, rows=tuple(rows))


def _header_text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _is_empty(cells: tuple[Cell, ...]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


# --- CSV ----------------------------------------------------------------------------------------


def decode_text(data: bytes, path: Path) -> str:
    """UTF-8 (with or without a BOM) when it is valid, else Windows-1252 (Excel on Windows)."""
    if b"\x00" in data:
        raise ImportFileError(
            _("« {file} » n'est pas un fichier texte (CSV) ni un classeur .xlsx lisible.").format(
                file=path.name
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "Encodage illisible dans « {file} » (octet {byte} à la position {position}) : "
                "enregistrez le fichier en CSV UTF-8."
            ).format(file=path.name, byte=f"0x{data[error.start]:02X}", position=error.start)
        ) from None


def sniff_separator(text: str) -> str:
    """The separator of a CSV: the one of `;`, tab, `,` that splits its first lines best."""
    sample = text[: 64 * 1024].splitlines()[:20]
    best, best_score = ";", (0, 0)
    for separator in SEPARATORS:
        counts = [len(r) for r in csv.reader(sample, delimiter=separator) if any(r)]
        if not counts:
            continue
        widest = max(counts)
        # Lines split into the same number of fields as the widest one: a real separator
        # gives every line the same width, a comma inside "1 234,50" does not.
        steady = sum(1 for c in counts if c == widest)
        score = (steady if widest > 1 else 0, widest)
        if score > best_score:
            best, best_score = separator, score
    return best


def _csv_lines(data: bytes, path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    text = decode_text(data, path)
    separator = sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    lines = []
    start = 1
    try:
        for record in reader:
            lines.append((start, tuple(_csv_cell(v) for v in record)))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ImportFileError(
            _("« {file} », ligne {line} : CSV mal formé ({reason}).").format(
                file=path.name, line=start, reason=error
            )
        ) from None
    return iter(lines)


def _csv_cell(value: str) -> Cell:
    value = value.strip()
    return value or None


# --- XLSX ---------------------------------------------------------------------------------------


def _xlsx_lines(data: bytes, path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    # openpyxl is imported here: the window starts faster without it.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise ImportFileError(
            _(
                "« {file} » n'est pas un classeur .xlsx lisible (fichier tronqué ou abîmé ? "
                "{reason}). Ouvrez-le et enregistrez-le de nouveau, ou exportez-le en CSV."
            ).format(file=path.name, reason=type(error).__name__)
        ) from None
    try:
        sheet = workbook.worksheets[0]
        lines = []
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                lines.append((number, tuple(xlsx_cell(v) for v in values)))
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
            raise ImportFileError(
                _(
                    "« {file} » est abîmé après la ligne {line} ({reason}) : ouvrez-le et "
                    "enregistrez-le de nouveau."
                ).format(file=path.name, line=len(lines), reason=type(error).__name__)
            ) from None
    finally:
        workbook.close()
    return iter(lines)


def xlsx_cell(value: object) -> Cell:
    """A cell value from openpyxl, with floats made exact decimals."""
    if value is None or isinstance(value, str | bool | int | Decimal):
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value
    if isinstance(value, float):
        return float_to_decimal(value)
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def float_to_decimal(value: float) -> Decimal:
    """The number a spreadsheet shows for a float: 15 significant digits, as Excel does.

    Excel keeps doubles and shows 15 significant digits: `=2,1*1,2` is stored as
    2.5199999999999996 and shown as 2,52. Reading the shown value keeps the
    user's intent without ever passing a float on.
    """
    result = Decimal(format(value, ".15g"))
    if not result.is_finite():
        raise ValueError(value)
    return result
