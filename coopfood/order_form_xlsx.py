"""Order forms as workbooks: written for households to fill in, recognised by the orders import.

Two kinds of workbook, both for one distribution point:

- a household's form: its name and payment reference, then one line per
  product offered (producer, product, unit, price) with a quantity cell and an
  amount computed by a formula, and a total;
- the point's shared form: one line per household, one column per product.

Only the quantity cells are unlocked, the sheet is protected and a data
validation refuses a negative or non-numeric quantity (the import checks them
again: a file may be filled in by a program). A hidden sheet, « coopfood »,
identifies the form: distribution, point, households and products by id, and
every other cell of the form with its expected content; a digest of that
sheet tells whether it was changed.

`read_order_form` is called by `coopfood.imports.reader.read_table` for every
workbook: it gives back an ordinary `Table` of the orders import (one line per
product for a household's form, one line per household for a point's) whose
`form` says which household and product each line and column stands for. A
form whose content was changed outside the quantity cells is refused here,
with the cell that changed; a form of another distribution is refused by the
import (`coopfood.imports.orders`), which knows the distribution imported into.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from coopfood.exports import looks_like_formula
from coopfood.i18n import _, format_date
from coopfood.imports.reader import Cell, ImportFileError, SourceRow, Table, xlsx_cell

if TYPE_CHECKING:
    # Imported when a form is written: reading any workbook does not load ReportLab.
    from coopfood.documents.order_form import FormHousehold, PointForm

#: The hidden sheet that identifies a form (its name is no user text: never translated).
FORM_SHEET = "coopfood"
MARKER = "coopfood:bon-de-commande"
VERSION = "1"

#: The columns of the table a form is read as: the orders import knows them by these
#: French names (`coopfood.imports.columns.ORDER_COLUMNS`), whatever the window's language.
HOUSEHOLD_COLUMN = "Foyer"
PRODUCT_COLUMN = "Produit"
QUANTITY_COLUMN = "Quantité"

FormLayout = Literal["household", "point"]

MONEY_FORMAT = '#,##0.00\\ "€"'
QUANTITY_FILL = "FFF6D5"
HEADING_FILL = "E6E6E6"
#: At most this many changed cells are named in a refusal.
NAMED_CHANGES = 3


@dataclass(frozen=True)
class OrderFormTag:
    """What a coopfood order form says of itself, read from its hidden sheet (untouched)."""

    layout: FormLayout
    cycle_id: int
    date: dt.date
    point_id: int
    point_name: str
    #: Line of the sheet → household (on a household's form, each of its product lines).
    members: Mapping[int, int]
    #: On a household's form, line → product; on a point's, position in the table → product.
    products: Mapping[int, int]

    @property
    def cycle_label(self) -> str:
        """« Distribution n° 8 du jeudi 5 mars 2026 », even if it was deleted since."""
        return _("Distribution n° {id} du {date}").format(
            id=self.cycle_id, date=format_date(self.date, style="full"))

    def member_at(self, line: int) -> int | None:
        return self.members.get(line)

    def product_at(self, line: int, position: int) -> int | None:
        return self.products.get(line if self.layout == "household" else position)


# --- the content of a cell, as compared ----------------------------------------------------


def _plain(number: Decimal) -> str:
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def canonical(value: object) -> str:
    """A cell's content as a form compares it: what the spreadsheet shows, types aside."""
    cell = xlsx_cell(value)
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, int | Decimal):
        return _plain(Decimal(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def _digest(rows: list[list[str]]) -> str:
    text = json.dumps([MARKER, VERSION, rows], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- writing -------------------------------------------------------------------------------


class _Form:
    """A workbook being written: the visible sheet, and what its hidden sheet records."""

    def __init__(self, title: str, layout: FormLayout, form: PointForm) -> None:
        from openpyxl import Workbook

        self.workbook = Workbook()
        sheet = self.workbook.active
        assert sheet is not None
        sheet.title = title
        self.sheet: Any = sheet
        self.hidden: list[list[str]] = [
            ["disposition", layout],
            ["distribution", str(form.cycle_id), form.date.isoformat()],
            ["point", str(form.point.id), form.point.name],
            ["feuille", title],
        ]
        self.cells: list[list[str]] = []
        self.formulas: list[list[str]] = []

    def text(self, ref: str, text: str, role: str, *, bold: bool = False,
             size: float | None = None, wrap: bool = False) -> None:
        """A text cell the form checks on return; never taken for a formula."""
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        from openpyxl.styles import Alignment, Font

        cell = self.sheet[ref]
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        cell.value = text
        cell.data_type = "s"  # openpyxl would make '=…' a formula and '#N/A' an error
        if looks_like_formula(text):
            cell.quotePrefix = True
        if bold or size:
            cell.font = Font(bold=bold, size=size)
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        self.cells.append(["cellule", ref, canonical(text), role])

    def price(self, ref: str, amount: Decimal, role: str) -> None:
        cell = self.sheet[ref]
        cell.value = amount
        cell.number_format = MONEY_FORMAT
        self.cells.append(["cellule", ref, canonical(amount), role])

    def formula(self, ref: str, formula: str, *, bold: bool = False) -> None:
        from openpyxl.styles import Font

        cell = self.sheet[ref]
        cell.value = formula
        cell.number_format = MONEY_FORMAT
        if bold:
            cell.font = Font(bold=True)
        self.formulas.append(["formule", ref])

    def quantity(self, ref: str) -> None:
        """An empty cell the household fills in: the only unlocked ones."""
        from openpyxl.styles import Border, PatternFill, Protection, Side

        cell = self.sheet[ref]
        cell.protection = Protection(locked=False)
        cell.fill = PatternFill("solid", fgColor=QUANTITY_FILL)
        side = Side(style="thin", color="999999")
        cell.border = Border(left=side, right=side, top=side, bottom=side)

    def heading(self, ref: str, text: str, role: str) -> None:
        from openpyxl.styles import Alignment, PatternFill

        self.text(ref, text, role, bold=True)
        self.sheet[ref].fill = PatternFill("solid", fgColor=HEADING_FILL)
        self.sheet[ref].alignment = Alignment(wrap_text=True, vertical="center")

    def validate(self, ranges: str) -> None:
        """Refuse, as the user types, a quantity that is not a number, or is negative."""
        from openpyxl.worksheet.datavalidation import DataValidation

        validation = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
            showErrorMessage=True, errorStyle="stop",
            errorTitle=_("Quantité refusée")[:32],
            error=_("Écrivez un nombre positif ou nul : la quantité voulue (0 retire le "
                    "produit de la commande)."),
            showInputMessage=False)
        validation.add(ranges)
        self.sheet.add_data_validation(validation)

    def widths(self, widths: Mapping[str, float]) -> None:
        for column, value in widths.items():
            self.sheet.column_dimensions[column].width = value

    def spread(self, row: int, last_column: str, height: float) -> None:
        """A long text of column A spread over the form's width, wrapped, on a taller row."""
        from openpyxl.styles import Alignment

        self.sheet.merge_cells(f"A{row}:{last_column}{row}")
        self.sheet[f"A{row}"].alignment = Alignment(wrap_text=True, vertical="top")
        self.sheet.row_dimensions[row].height = height

    def header(self, form: PointForm, title: str) -> int:
        """The rows every form starts with; returns the next free row."""
        from coopfood.documents.order_form import deadline_text, point_text
        self.text("A1", title, _("titre"), bold=True, size=14)
        row = 2
        if form.coop_name:
            self.text("A2", form.coop_name, _("coopérative"), bold=True)
            row = 3
        self.text(f"A{row}", _("Distribution du {date}").format(
            date=format_date(form.date, style="full")), _("distribution"), bold=True)
        self.text(f"A{row + 1}", point_text(form.point), _("point de distribution"))
        self.text(f"A{row + 2}", deadline_text(form.deadline), _("date limite"), bold=True)
        return row + 3

    def save(self, header_line: int) -> bytes:
        from openpyxl.workbook.protection import WorkbookProtection

        sheet = self.sheet
        sheet.protection.sheet = True
        # Widening a column or a row stays possible: it changes no content.
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # Stored as they read back (a spreadsheet trims cells), so the digest reads the same.
        rows = [_trimmed([canonical(ILLEGAL_CHARACTERS_RE.sub("", v)) for v in values])
                for values in ([MARKER, VERSION], *self.hidden, ["en-tête", str(header_line)],
                               *self.cells, *self.formulas)]
        rows.append(["empreinte", _digest(rows)])
        hidden = self.workbook.create_sheet(FORM_SHEET)
        for number, values in enumerate(rows, start=1):
            for column, value in enumerate(values, start=1):
                cell = hidden.cell(row=number, column=column, value=value)
                cell.data_type = "s"
        hidden.sheet_state = "veryHidden"
        hidden.protection.sheet = True
        # Sheets can be neither shown, renamed, moved nor deleted.
        self.workbook.security = WorkbookProtection(lockStructure=True)
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def product_title(name: str, producer: str) -> str:
    """How a product is named in a form's messages: « Œufs (Ferme des Combes) »."""
    return f"{name} ({producer})"


def household_workbook(form: PointForm, household: FormHousehold) -> bytes:
    """A household's order form: one line per product offered, its quantity to fill in."""
    from openpyxl.utils import get_column_letter

    from coopfood.documents.order_form import unit_text

    book = _Form(_("Bon de commande"), "household", form)
    row = book.header(form, _("Bon de commande"))
    book.text(f"A{row}", _("Foyer :"), _("foyer"), bold=True)
    book.text(f"B{row}", household.name, _("foyer"), bold=True)
    if household.co_member:
        book.text(f"C{row}", _("avec {name}").format(name=household.co_member), _("foyer"))
    book.text(f"A{row + 1}", _("Référence de paiement :"), _("référence"))
    book.text(f"B{row + 1}", household.reference, _("référence"))
    note = _("Écrivez la quantité voulue dans les cases colorées de la colonne « Quantité » ; "
             "laissez vide ce que vous ne commandez pas.")
    if any(p.variable_weight for p in form.products):
        note += " " + _("≈ : produit pesé à la distribution, prix au kg ; le montant suit le "
                        "poids remis.")
    book.text(f"A{row + 2}", note, _("consigne"))
    book.spread(row + 2, "F", 30)
    head = row + 4
    titles = (_("Producteur"), _("Produit"), _("Unité"), _("Prix unitaire"), _("Quantité"),
              _("Montant"))
    for column, title in enumerate(titles, start=1):
        book.heading(f"{get_column_letter(column)}{head}", title, _("en-tête"))
    book.hidden.append(["foyer", "", str(household.member_id), household.name])
    book.hidden.append(["quantités", "E"])
    line = head + 1
    for group in form.offer:
        for product in group.products:
            book.text(f"A{line}", group.producer, _("producteur"))
            book.text(f"B{line}", product.name, _("produit"))
            book.text(f"C{line}", unit_text(product), _("unité"))
            book.price(f"D{line}", product.member_price, _("prix unitaire"))
            book.quantity(f"E{line}")
            book.formula(f"F{line}", f"=IF(ISNUMBER(E{line}),ROUND(E{line}*D{line},2),0)")
            book.hidden.append(["produit", str(line), str(product.product_id),
                                product_title(product.name, group.producer)])
            line += 1
    last = line - 1
    book.text(f"E{line}", _("Total"), _("total"), bold=True)
    book.formula(f"F{line}", f"=SUM(F{head + 1}:F{max(last, head + 1)})", bold=True)
    if last > head:
        book.validate(f"E{head + 1}:E{last}")
    book.widths({"A": 28, "B": 42, "C": 14, "D": 14, "E": 12, "F": 14})
    book.sheet.freeze_panes = f"A{head + 1}"
    book.sheet.print_title_rows = f"{head}:{head}"
    book.sheet.print_area = f"A1:F{line}"
    _fit_to_width(book.sheet, landscape=False)
    return book.save(head)


def point_workbook(form: PointForm) -> bytes:
    """A point's shared form: one line per household, one column per product."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from coopfood.documents.order_form import unit_text

    book = _Form(_("Commandes"), "point", form)
    row = book.header(form, _("Bon de commande — {point}").format(point=form.point.name))
    book.text(f"A{row}", _("Écrivez les quantités voulues dans les cases colorées, une ligne "
                           "par foyer ; laissez vide ce qu'un foyer ne commande pas."),
              _("consigne"))
    top = row + 2
    amount = get_column_letter(3 + len(form.products))
    book.spread(row, amount, 30)
    labels = (_("Producteur"), _("Produit"), _("Unité"), _("Prix unitaire"))
    for offset, label in enumerate(labels):
        book.text(f"A{top + offset}", label, _("en-tête"), bold=True)
    head = top + len(labels)
    book.heading(f"A{head}", _("Foyer"), _("en-tête"))
    book.heading(f"B{head}", _("Référence"), _("en-tête"))
    products = form.products
    first_line, last_line = head + 1, head + len(form.households)
    column = 3
    for group in form.offer:
        for product in group.products:
            letter = get_column_letter(column)
            book.text(f"{letter}{top}", group.producer, _("producteur"), wrap=True)
            book.text(f"{letter}{top + 1}", product.name, _("produit"), bold=True, wrap=True)
            book.text(f"{letter}{top + 2}", unit_text(product), _("unité"))
            book.price(f"{letter}{top + 3}", product.member_price, _("prix unitaire"))
            book.heading(f"{letter}{head}", _("Qté"), _("en-tête"))
            book.hidden.append(["produit", letter, str(product.product_id),
                                product_title(product.name, group.producer)])
            column += 1
    first = get_column_letter(3)
    last = get_column_letter(max(column - 1, 3))
    book.heading(f"{amount}{head}", _("Montant"), _("en-tête"))
    prices = f"${first}${top + 3}:${last}${top + 3}"
    for line, household in enumerate(form.households, start=first_line):
        book.text(f"A{line}", household.name, _("foyer"))
        book.text(f"B{line}", household.reference, _("référence"))
        for position in range(len(products)):
            book.quantity(f"{get_column_letter(3 + position)}{line}")
        book.formula(f"{amount}{line}",
                     f"=SUMPRODUCT(ROUND({prices}*{first}{line}:{last}{line},2))")
        book.hidden.append(["foyer", str(line), str(household.member_id), household.name])
    total = last_line + 1
    book.text(f"A{total}", _("Total"), _("total"), bold=True)
    if form.households:
        for position in range(len(products)):
            letter = get_column_letter(3 + position)
            book.formula(f"{letter}{total}", f"=SUM({letter}{first_line}:{letter}{last_line})",
                         bold=True)
            book.sheet[f"{letter}{total}"].number_format = "General"
        book.formula(f"{amount}{total}", f"=SUM({amount}{first_line}:{amount}{last_line})",
                     bold=True)
        if products:
            book.validate(f"{first}{first_line}:{last}{last_line}")
    book.widths({"A": 30, "B": 14, amount: 14})
    for position in range(len(products)):
        book.sheet.column_dimensions[get_column_letter(3 + position)].width = 15
    book.sheet.row_dimensions[top].height = 30
    book.sheet.row_dimensions[top + 1].height = 45
    for ref in (f"A{top + offset}" for offset in range(len(labels))):
        book.sheet[ref].alignment = Alignment(vertical="top")
    book.sheet.freeze_panes = f"C{first_line}"
    book.sheet.print_title_rows = f"{top}:{head}"
    book.sheet.print_area = f"A1:{amount}{total}"
    _fit_to_width(book.sheet, landscape=True)
    return book.save(head)


def _fit_to_width(sheet: Any, *, landscape: bool) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


# --- reading back ----------------------------------------------------------------------------


def _names_form_sheet(data: bytes) -> bool:
    """Whether a workbook has a sheet named like a form's hidden one (cheap: no parsing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            workbook = archive.read("xl/workbook.xml")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        return False
    return f'name="{FORM_SHEET}"'.encode() in workbook


def read_order_form(data: bytes, path: Path) -> Table | None:
    """The orders of a filled coopfood order form, as a table of the orders import; None for
    any other workbook. A form changed outside its quantity cells raises `ImportFileError`."""
    if not _names_form_sheet(data):
        return None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        return None  # the ordinary reader tells what is wrong with the file
    try:
        if FORM_SHEET not in workbook.sheetnames:
            return None
        rows = [[canonical(v) for v in values]
                for values in workbook[FORM_SHEET].iter_rows(values_only=True)]
        rows = [_trimmed(r) for r in rows]
        if not rows or rows[0][:1] != [MARKER]:
            return None
        return _Reading(path.name, rows, workbook).table()
    finally:
        workbook.close()


def _trimmed(values: list[str]) -> list[str]:
    while values and values[-1] == "":
        values.pop()
    return values


class _Reading:
    """A form read back: its hidden sheet checked, then its visible sheet against it."""

    def __init__(self, file: str, rows: list[list[str]], workbook: Any) -> None:
        self.file = file
        self.rows = rows
        self.workbook = workbook

    def refuse(self, reason: str) -> ImportFileError:
        return ImportFileError(_("« {file} » : {reason}").format(file=self.file, reason=reason))

    def unreadable(self) -> ImportFileError:
        return self.refuse(_("l'identification cachée de ce bon de commande est illisible ou a "
                             "été modifiée ; il est refusé. Préparez un bon neuf pour ce foyer "
                             "ou ce point."))

    def table(self) -> Table:
        rows = self.rows
        if len(rows[0]) < 2 or rows[0][1] != VERSION:
            raise self.refuse(_("ce bon de commande vient d'une autre version de coopfood "
                                "({version}) ; préparez un bon neuf avec celle-ci.").format(
                version=rows[0][1] if len(rows[0]) > 1 else "?"))
        if rows[-1][:1] != ["empreinte"] or len(rows[-1]) < 2:
            raise self.unreadable()
        body = rows[:-1]
        if _digest(body) != rows[-1][1]:
            raise self.unreadable()
        try:
            return self._table(body[1:])
        except (ValueError, IndexError, KeyError):
            raise self.unreadable() from None

    def _table(self, body: list[list[str]]) -> Table:
        single = {r[0]: r[1:] for r in body if r[0] not in ("cellule", "formule", "foyer",
                                                             "produit")}
        stored = single["disposition"][0]
        if stored not in ("household", "point"):
            raise ValueError(stored)
        layout: FormLayout = "household" if stored == "household" else "point"
        cycle_id, date = int(single["distribution"][0]), dt.date.fromisoformat(
            single["distribution"][1])
        point_id, point_name = int(single["point"][0]), single["point"][1]
        title = single["feuille"][0]
        header_line = int(single["en-tête"][0])
        if title not in self.workbook.sheetnames:
            raise self.refuse(_("la feuille « {sheet} » de ce bon de commande a disparu ; il "
                                "est refusé.").format(sheet=title))
        sheet = self.workbook[title]
        households = [(r[1], int(r[2]), r[3]) for r in body if r[0] == "foyer"]
        products = [(r[1], int(r[2]), r[3]) for r in body if r[0] == "produit"]
        expected = {r[1]: (r[2] if len(r) > 2 else "", r[3] if len(r) > 3 else "")
                    for r in body if r[0] == "cellule"}
        formulas = {r[1] for r in body if r[0] == "formule"}
        if layout == "household":
            quantity_column = single["quantités"][0]
            quantities = {f"{quantity_column}{line}" for line, _id, _name in products}
        else:
            quantities = {f"{letter}{line}" for line, _m, _n in households
                          for letter, _p, _t in products}
        self._check(sheet, expected, quantities | formulas)

        values: dict[str, Cell] = {ref: xlsx_cell(sheet[ref].value) for ref in quantities}
        if layout == "household":
            ((_line, member_id, name),) = households
            source = [SourceRow(int(line), (name, shown, values[f"{quantity_column}{line}"]))
                      for line, _id, shown in products
                      if values[f"{quantity_column}{line}"] is not None]
            tag = OrderFormTag(layout, cycle_id, date, point_id, point_name,
                               members={int(line): member_id for line, _i, _t in products},
                               products={int(line): pid for line, pid, _t in products})
            headers: tuple[str, ...] = (HOUSEHOLD_COLUMN, PRODUCT_COLUMN, QUANTITY_COLUMN)
        else:
            source = []
            for line, _member, name in households:
                cells = tuple(values[f"{letter}{line}"] for letter, _p, _t in products)
                if any(c is not None for c in cells):
                    source.append(SourceRow(int(line), (name, *cells)))
            tag = OrderFormTag(layout, cycle_id, date, point_id, point_name,
                               members={int(line): member for line, member, _n in households},
                               products={position: pid for position, (_l, pid, _t)
                                         in enumerate(products, start=1)})
            headers = (HOUSEHOLD_COLUMN, *(t for _l, _p, t in products))
        return Table(name=self.file, header_line=header_line, headers=headers,
                     rows=tuple(source), form=tag)

    def _check(self, sheet: Any, expected: dict[str, tuple[str, str]], free: set[str]) -> None:
        """Refuse a form whose cells, quantities and formulas aside, are not as written."""
        changes: list[str] = []
        for ref, (text, role) in expected.items():
            found = canonical(sheet[ref].value)
            if found != text:
                changes.append(_("la cellule {cell} ({role}) indique « {found} » au lieu de "
                                 "« {expected} »").format(cell=ref, role=role, found=found,
                                                         expected=text))
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is None or cell.coordinate in expected or cell.coordinate in free:
                    continue
                found = canonical(cell.value)
                if found:
                    changes.append(_("la cellule {cell} a été remplie (« {found} »)").format(
                        cell=cell.coordinate, found=found))
        if not changes:
            return
        named = "; ".join(changes[:NAMED_CHANGES])
        if len(changes) > NAMED_CHANGES:
            named += " " + _("(et {n} autres cellules)").format(n=len(changes) - NAMED_CHANGES)
        raise self.refuse(_(
            "ce bon de commande a été modifié en dehors des cases de quantité : {changes}. Il "
            "est refusé : seules les quantités se remplissent. Préparez un bon neuf (ou saisissez "
            "la commande dans la grille).").format(changes=named))

