"""Exporting the lists (producers, products, members) to CSV or XLSX.

The columns carry the French names the importer reads, so an export
re-imports as it is. Member text can hold anything: a cell that a
spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) is written so that it shows as text — after a `'` in CSV,
as a text cell marked "quote prefix" in XLSX.

A CSV is UTF-8 with a BOM (Excel then reads the accents right), `;`-separated,
with decimal commas; an XLSX has its numbers as numbers and its dates as dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coopfood.i18n import N_, _
from coopfood.imports.columns import COLUMNS, KINDS, Column, Kind
from coopfood.imports.values import FORMULA_TRIGGERS
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    DistributionPoint,
    Member,
    MembershipFee,
    Producer,
    Product,
)
from coopfood.services import Actor, Role, ServiceError
from coopfood.services.access import MEMBER_EDITORS, require
from coopfood.services.products import prices_in_force

#: A cell as gathered, before it is written in one format or the other.
Value = str | Decimal | int | bool | dt.date | None

EXTENSIONS = (".csv", ".xlsx")
#: Columns of money, shown with two decimals.
MONEY_COLUMNS = frozenset({"price_ht", "price_ttc", "fee_amount"})
MAX_COLUMN_WIDTH = 60


@dataclass(frozen=True)
class ExportSummary:
    kind: Kind
    path: Path
    rows: int


def export_list(*, db: Database, actor: Actor, kind: Kind, path: Path | str) -> ExportSummary:
    """Write the list `kind` to `path`, CSV or XLSX by its extension; nothing half-written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if kind not in KINDS:
        raise ServiceError(
            _("Type de liste « {kind} » inconnu : {kinds}.").format(
                kind=kind, kinds=", ".join(KINDS)
            )
        )
    if suffix not in EXTENSIONS:
        raise ServiceError(
            _(
                "Format de fichier « {suffix} » non pris en charge pour « {file} » : choisissez "
                "un nom en .csv ou en .xlsx."
            ).format(suffix=path.suffix or _("sans extension"), file=path.name)
        )
    columns = [c for c in COLUMNS[kind] if c.key in _EXPORTED[kind]]
    rows = _gather(db, actor, kind)
    content = _csv_bytes(columns, rows) if suffix == ".csv" else _xlsx_bytes(kind, columns, rows)
    _write_atomically(path, content)
    return ExportSummary(kind=kind, path=path, rows=len(rows))


#: The columns each export writes (the importer also reads a few others).
_EXPORTED: dict[Kind, tuple[str, ...]] = {
    "members": (
        "last_name",
        "first_name",
        "co_member_name",
        "email",
        "phone",
        "address",
        "postal_code",
        "city",
        "point",
        "fee_years",
        "joined_on",
        "print_phone",
        "print_email",
        "payment_reference",
    ),
    "producers": (
        "name",
        "legal_form",
        "siret",
        "vat_number",
        "vat_regime",
        "iban",
        "bic",
        "address",
        "postal_code",
        "city",
        "email",
        "phone",
        "contact_name",
        "billing_mandate_date",
        "invoice_prefix",
    ),
    "products": (
        "producer",
        "name",
        "unit",
        "price_ht",
        "vat_rate",
        "variable_weight",
        "case_pack",
        "category",
        "label",
        "active",
    ),
}


# --- gathering ----------------------------------------------------------------------------------


def _gather(db: Database, actor: Actor, kind: Kind) -> list[dict[str, Value]]:
    if kind == "members":
        return _members(db, actor)
    if kind == "producers":
        return _producers(db, actor)
    return _products(db, actor)


def _members(db: Database, actor: Actor) -> list[dict[str, Value]]:
    require(actor, MEMBER_EDITORS, _("exporter les adhérents"))
    query = (
        select(Member, DistributionPoint.name)
        .outerjoin(DistributionPoint, Member.point_id == DistributionPoint.id)
        .where(Member.archived_at.is_(None))
        .order_by(Member.last_name, Member.first_name, Member.id)
    )
    if actor.role is Role.COORDINATOR:
        query = query.where(Member.point_id.in_(actor.point_ids))
    with db.reading() as session:
        years: dict[int, list[int]] = {}
        for member_id, year in session.execute(
            select(MembershipFee.member_id, MembershipFee.year).order_by(MembershipFee.year)
        ):
            years.setdefault(member_id, []).append(year)
        return [
            {
                "last_name": m.last_name,
                "first_name": m.first_name,
                "co_member_name": m.co_member_name,
                "email": m.email,
                "phone": m.phone,
                "address": m.address,
                "postal_code": m.postal_code,
                "city": m.city,
                "point": point or "",
                "fee_years": _years(years.get(m.id, [])),
                "joined_on": m.joined_on,
                "print_phone": m.print_phone,
                "print_email": m.print_email,
                "payment_reference": m.payment_reference,
            }
            for m, point in session.execute(query)
        ]


def _years(years: Sequence[int]) -> Value:
    if not years:
        return None
    if len(years) == 1:
        return years[0]
    return ", ".join(str(y) for y in years)


def _producers(db: Database, actor: Actor) -> list[dict[str, Value]]:
    query = select(Producer).where(Producer.archived_at.is_(None)).order_by(Producer.name)
    if actor.role is Role.PRODUCER:
        query = query.where(Producer.id == actor.producer_id)
    with db.reading() as session:
        return [
            {
                "name": p.name,
                "legal_form": p.legal_form,
                "siret": p.siret,
                "vat_number": p.vat_number,
                "vat_regime": p.vat_regime.label,
                "iban": p.iban,
                "bic": p.bic,
                "address": p.address,
                "postal_code": p.postal_code,
                "city": p.city,
                "email": p.email,
                "phone": p.phone,
                "contact_name": p.contact_name,
                "billing_mandate_date": p.billing_mandate_date,
                "invoice_prefix": p.invoice_prefix,
            }
            for p in session.scalars(query)
        ]


def _products(db: Database, actor: Actor) -> list[dict[str, Value]]:
    today = dt.date.today()
    price = prices_in_force(today)
    query = (
        select(Product, Producer.name, price.c.price_ht)
        .join(Producer, Product.producer_id == Producer.id)
        .outerjoin(price, price.c.product_id == Product.id)
        .where(Product.archived_at.is_(None))
        .order_by(Producer.name, Product.name)
    )
    if actor.role is Role.PRODUCER:
        query = query.where(Product.producer_id == actor.producer_id)
    with db.reading() as session:
        return [
            {
                "producer": producer,
                "name": p.name,
                "unit": p.unit.label,
                "price_ht": price,
                "vat_rate": _plain_decimal(p.vat_rate),
                "variable_weight": p.variable_weight,
                "case_pack": _plain_decimal(p.case_pack) if p.case_pack is not None else None,
                "category": p.category,
                "label": p.label,
                "active": p.active,
            }
            for p, producer, price in session.execute(query)
        ]


def _plain_decimal(value: Decimal) -> Decimal | int:
    """5.50 → 5.5, 12.000 → 12: what a person writes."""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


# --- neutralising formulas ----------------------------------------------------------------------


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula (CSV injection)."""
    return text.startswith(FORMULA_TRIGGERS)


def csv_text(text: str) -> str:
    """A text for a CSV cell, shown by a spreadsheet as it is and never run."""
    return "'" + text if looks_like_formula(text) else text


# --- CSV ------------------------------------------------------------------------------------------


def _csv_value(key: str, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal):
        shown = f"{value:.2f}" if key in MONEY_COLUMNS else format(value, "f")
        return shown.replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return csv_text(value)


def _csv_bytes(columns: Sequence[Column], rows: Sequence[dict[str, Value]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow([_csv_value(c.key, row.get(c.key)) for c in columns])
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX -----------------------------------------------------------------------------------------

_SHEET_TITLES: dict[Kind, str] = {
    "members": N_("Adhérents"),
    "producers": N_("Producteurs"),
    "products": N_("Produits"),
}


def _xlsx_bytes(kind: Kind, columns: Sequence[Column], rows: Sequence[dict[str, Value]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _(_SHEET_TITLES[kind])
    bold = Font(bold=True)
    widths = [len(c.header) for c in columns]
    for position, col in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=position)
        _set_text(cell, col.header, ILLEGAL_CHARACTERS_RE)
        cell.font = bold
    for number, row in enumerate(rows, start=2):
        for position, col in enumerate(columns, start=1):
            value = row.get(col.key)
            if value is None:
                continue
            cell = sheet.cell(row=number, column=position)
            shown = _xlsx_value(cell, col.key, value, ILLEGAL_CHARACTERS_RE)
            widths[position - 1] = max(widths[position - 1], len(shown))
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = min(
            width + 2, MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _set_text(cell: Any, text: str, illegal: Any) -> str:
    """A text cell, never taken for a formula, an error code or a number."""
    text = illegal.sub("", text)
    cell.value = text
    cell.data_type = "s"  # openpyxl would make '=…' a formula and '#N/A' an error
    if looks_like_formula(text):
        cell.quotePrefix = True
    return text


def _xlsx_value(cell: Any, key: str, value: Value, illegal: Any) -> str:
    """Write `value` into `cell`; returns the text it shows, for the column's width."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _set_text(cell, _("oui") if value else _("non"), illegal)
    if isinstance(value, Decimal):
        cell.value = value
        if key in MONEY_COLUMNS:
            cell.number_format = "#,##0.00"
            return f"{value:,.2f}"
        return format(value, "f")
    if isinstance(value, int):
        cell.value = value
        return str(value)
    if isinstance(value, dt.date):
        cell.value = value
        cell.number_format = "DD/MM/YYYY"
        return "00/00/0000"
    return _set_text(cell, value, illegal)


# --- writing --------------------------------------------------------------------------------------


def _write_atomically(path: Path, content: bytes) -> None:
    """Write beside `path`, then rename: an existing file is replaced whole or not at all."""
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(prefix=".coopfood-", suffix=path.suffix, dir=directory)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ServiceError(
            _("Impossible d'écrire « {file} » : {reason}.").format(
                file=path, reason=error.strerror or error
            )
        ) from None


# --- any table (the audit trail, a household's data) ----------------------------------------------

#: A cell of `table_csv`/`table_xlsx`: money and quantities are Decimals, moments datetimes.
TableValue = str | int | Decimal | dt.date | dt.datetime | bool | None


def _table_text(value: TableValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone().strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return csv_text(value)


def table_csv(headers: Sequence[str], rows: Sequence[Sequence[TableValue]]) -> bytes:
    """A CSV as the other exports: UTF-8 with BOM, `;`, decimal commas, no formula."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_table_text(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def table_xlsx(title: str, headers: Sequence[str],
               rows: Sequence[Sequence[TableValue]]) -> bytes:
    """One sheet: bold frozen headers, dates as dates, texts never run as formulas."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ILLEGAL_CHARACTERS_RE.sub("", title)[:31]
    widths = [len(header) for header in headers]
    for position, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=position)
        _set_text(cell, header, ILLEGAL_CHARACTERS_RE)
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=2):
        for position, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=position)
            if isinstance(value, bool):
                shown = _set_text(cell, _table_text(value), ILLEGAL_CHARACTERS_RE)
            elif isinstance(value, str):
                shown = _set_text(cell, value, ILLEGAL_CHARACTERS_RE)
            elif isinstance(value, dt.datetime):
                # Excel knows no time zone: the moment as read on this computer's clock.
                cell.value = value.astimezone().replace(tzinfo=None)
                cell.number_format = "DD/MM/YYYY HH:MM:SS"
                shown = "00/00/0000 00:00:00"
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
                shown = "00/00/0000"
            else:
                cell.value = value
                shown = str(value)
            widths[position - 1] = max(widths[position - 1], len(shown))
    for position, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = min(
            width + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` whole or not at all (a French `ServiceError` on failure)."""
    _write_atomically(path, content)
