"""Grille produits × adhérents: one point's orders as a table, spread over as many pages as needed.

Products are rows and households columns, or the reverse, on portrait or
landscape pages: whichever of the four needs fewer pages. Headings are
wrapped, never rotated; the row names repeat on every page, and so do the
column headings. The last column totals each row, the last row each column:
a product's quantity, a household's amount in euros.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    CONDENSED,
    CONDENSED_BOLD,
    FOOTER_HEIGHT,
    GREY,
    LANDSCAPE,
    LIGHT,
    LIGHTER,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    Stats,
    fit,
    money_text,
    number_text,
    printable,
    wrap,
)
from coopfood.documents.distribution import Distribution, Point
from coopfood.i18n import _, format_date, sort_key

LABEL_W = 52 * mm
CELL_W = 13 * mm
ROW_H = 4.3 * mm
HEAD_LINES = 4
HEAD_LINE = 2.7 * mm
HEAD_H = HEAD_LINES * HEAD_LINE + 2 * mm
TITLE_H = 10 * mm
CELL_SIZE = 7.0
HEAD_SIZE = 6.3


@dataclass(frozen=True)
class GridProduct:
    name: str
    unit: str
    estimated: bool
    #: Two producers may sell a product of the same name: the producer tells them apart.
    producer: str


@dataclass(frozen=True)
class GridHousehold:
    row_number: int | None
    name: str


@dataclass(frozen=True)
class Grid:
    coop_name: str
    date: dt.date
    point: Point
    products: tuple[GridProduct, ...]
    households: tuple[GridHousehold, ...]
    #: (product index, household index) → quantity.
    cells: dict[tuple[int, int], Decimal]
    product_totals: tuple[Decimal, ...]
    household_amounts: tuple[Decimal, ...]


def product_grid(distribution: Distribution, point_id: int) -> Grid:
    households = [h for h in distribution.households.get(point_id, ())
                  if any(i.quantity > 0 for i in h.items)]
    producers = distribution.producers
    seen: dict[tuple[str, int], tuple[tuple[int, str, str, tuple[str, int]], GridProduct]] = {}
    for household in households:
        for item in household.items:
            if item.quantity > 0 and item.key not in seen:
                producer = producers.get(item.producer_id, "")
                seen[item.key] = ((0 if item.key[0] == "b" else 1, sort_key(producer),
                                   sort_key(item.name), item.key),
                                  GridProduct(item.name, item.unit.label, item.variable_weight,
                                              producer))
    ordered = sorted(seen.items(), key=lambda kv: kv[1][0])
    index = {key: i for i, (key, _v) in enumerate(ordered)}
    cells: dict[tuple[int, int], Decimal] = {}
    totals = [Decimal(0)] * len(ordered)
    for column, household in enumerate(households):
        for item in household.items:
            if item.quantity > 0:
                row = index[item.key]
                cells[row, column] = cells.get((row, column), Decimal(0)) + item.quantity
                totals[row] += item.quantity
    return Grid(
        coop_name=distribution.coop_name, date=distribution.date,
        point=distribution.point(point_id),
        products=tuple(product for _k, (_s, product) in ordered),
        households=tuple(GridHousehold(h.row_number, h.name) for h in households),
        cells=cells, product_totals=tuple(totals),
        household_amounts=tuple(h.amount for h in households),
    )


@dataclass(frozen=True)
class GridLayout:
    pagesize: tuple[float, float]
    #: True: households are rows and products columns.
    transposed: bool
    rows_per_page: int
    columns_per_page: int
    pages: int


def _fit_count(room: float, size: float) -> int:
    return max(1, int((room + 0.01) // size))


def choose_layout(rows_products: int, columns_households: int) -> GridLayout:
    """Of portrait/landscape × products as rows/as columns, the one with fewest pages.

    The totals are one more row and one more column.
    """
    best: GridLayout | None = None
    for pagesize in (PORTRAIT, LANDSCAPE):
        page_w, page_h = pagesize
        per_row = _fit_count(page_h - 2 * MARGIN - FOOTER_HEIGHT - TITLE_H - HEAD_H, ROW_H)
        per_column = _fit_count(page_w - 2 * MARGIN - LABEL_W, CELL_W)
        for transposed in (False, True):
            rows, columns = ((columns_households, rows_products) if transposed
                             else (rows_products, columns_households))
            pages = math.ceil((rows + 1) / per_row) * math.ceil((columns + 1) / per_column)
            layout = GridLayout(pagesize, transposed, per_row, per_column, pages)
            if best is None or pages < best.pages:
                best = layout
    assert best is not None
    return best


def draw_grid(data: Grid, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    layout = choose_layout(len(data.products), len(data.households))
    page_w, page_h = layout.pagesize
    left, top = MARGIN, page_h - MARGIN

    product_labels = [fit(printable(p.name) + " ({unit}{estimated}) · {producer}".format(
        unit=p.unit, estimated=", " + _("estimé") if p.estimated else "",
        producer=printable(p.producer)), CONDENSED, CELL_SIZE, LABEL_W - 2 * mm)
        for p in data.products]
    household_labels = [fit((f"{h.row_number} · " if h.row_number is not None
                             else "") + printable(h.name), CONDENSED, CELL_SIZE, LABEL_W - 2 * mm)
                        for h in data.households]
    head_room = CELL_W - 1.2 * mm
    product_heads = [(*wrap(printable(p.name), CONDENSED, HEAD_SIZE, head_room, 2),
                      *wrap(p.unit + (" ≈" if p.estimated else "") + " · " + printable(p.producer),
                            CONDENSED, HEAD_SIZE, head_room, HEAD_LINES - 2))
                     for p in data.products]
    household_heads = [
        ((_("N° {n}").format(n=h.row_number),) if h.row_number is not None else ())
        + wrap(printable(h.name), CONDENSED, HEAD_SIZE, CELL_W - 1.2 * mm,
               HEAD_LINES - (1 if h.row_number is not None else 0))
        for h in data.households]
    amounts = [money_text(a) for a in data.household_amounts]
    totals = [number_text(q) for q in data.product_totals]
    grand = money_text(sum(data.household_amounts, Decimal("0.00")))
    cells = {key: number_text(value) for key, value in data.cells.items()}

    if layout.transposed:
        row_labels, column_heads = household_labels, product_heads
        row_totals, column_totals = amounts, totals
        row_noun, column_noun = _("Adhérents"), _("Produits")
    else:
        row_labels, column_heads = product_labels, household_heads
        row_totals, column_totals = totals, amounts
        row_noun, column_noun = _("Produits"), _("Adhérents")
    n_rows, n_columns = len(row_labels), len(column_heads)
    total_label = _("Total")

    def cell(row: int, column: int) -> str | None:
        key = (column, row) if layout.transposed else (row, column)
        return cells.get(key)

    row_bands = [range(s, min(s + layout.rows_per_page, n_rows + 1))
                 for s in range(0, n_rows + 1, layout.rows_per_page)]
    column_bands = [range(s, min(s + layout.columns_per_page, n_columns + 1))
                    for s in range(0, n_columns + 1, layout.columns_per_page)]
    title = fit("{title} — {point} — {date}".format(
        title=_("Grille produits × adhérents"), point=printable(data.point.name),
        date=format_date(data.date, style="full")), BOLD, 10, page_w - 2 * MARGIN)

    sheet = Sheet(target, title=_("Grille produits × adhérents — {point}").format(
        point=data.point.name), stamp=stamp, total_pages=len(row_bands) * len(column_bands),
        pagesize=layout.pagesize)
    c = sheet.canvas
    for columns in column_bands:
        for rows in row_bands:
            sheet.new_page()
            sheet.text(left, top - 4 * mm, title, BOLD, 10)
            sheet.grey(True)
            where = (f"{row_noun} {rows.start + 1}–{min(rows.stop, n_rows)} / {n_rows} · "
                     f"{column_noun} {columns.start + 1}–{min(columns.stop, n_columns)} / "
                     f"{n_columns}")
            sheet.text(left, top - 7.8 * mm, where, REGULAR, 7)
            sheet.grey(False)
            grid_top = top - TITLE_H
            body_top = grid_top - HEAD_H
            x0 = left + LABEL_W
            right = x0 + len(columns) * CELL_W
            bottom = body_top - len(rows) * ROW_H
            # Headings band and zebra rows.
            sheet.fill(left, body_top, right - left, HEAD_H, LIGHT)
            for i in range(1, len(rows), 2):
                sheet.fill(left, body_top - (i + 1) * ROW_H, right - left, ROW_H, LIGHTER)
            for j, column in enumerate(columns):
                x = x0 + j * CELL_W + 0.6 * mm
                if column == n_columns:
                    sheet.text(x, body_top + 1.5 * mm, total_label, CONDENSED_BOLD, HEAD_SIZE)
                    continue
                head = column_heads[column]
                y = grid_top - HEAD_LINE
                for line in head:
                    sheet.text(x, y, line, CONDENSED, HEAD_SIZE)
                    y -= HEAD_LINE
            for i, row in enumerate(rows):
                y = body_top - (i + 1) * ROW_H + 1.3 * mm
                is_total_row = row == n_rows
                if is_total_row:
                    sheet.text(left + 1 * mm, y, total_label, CONDENSED_BOLD, CELL_SIZE)
                else:
                    sheet.text(left + 1 * mm, y, row_labels[row], CONDENSED, CELL_SIZE)
                for j, column in enumerate(columns):
                    x_right = x0 + (j + 1) * CELL_W - 0.8 * mm
                    if is_total_row:
                        text = grand if column == n_columns else column_totals[column]
                        sheet.right(x_right, y, fit(text, CONDENSED_BOLD, 6.3, CELL_W - 1 * mm),
                                    CONDENSED_BOLD, 6.3)
                    elif column == n_columns:
                        sheet.right(x_right, y, fit(row_totals[row], CONDENSED_BOLD, 6.3,
                                                    CELL_W - 1 * mm), CONDENSED_BOLD, 6.3)
                    else:
                        value = cell(row, column)
                        if value is not None:
                            sheet.right(x_right, y, value, CONDENSED, CELL_SIZE)
            # The grid's rules.
            c.setStrokeColorRGB(*GREY)
            c.setLineWidth(0.25)
            path = c.beginPath()
            for i in range(len(rows) + 1):
                y = body_top - i * ROW_H
                path.moveTo(left, y)
                path.lineTo(right, y)
            path.moveTo(left, grid_top)
            path.lineTo(right, grid_top)
            for j in range(len(columns) + 1):
                x = x0 + j * CELL_W
                path.moveTo(x, grid_top)
                path.lineTo(x, bottom)
            path.moveTo(left, grid_top)
            path.lineTo(left, bottom)
            c.drawPath(path, stroke=1, fill=0)
            c.setStrokeColorRGB(0, 0, 0)
            if columns.stop == n_columns + 1:
                sheet.vline(right - CELL_W, grid_top, bottom, 0.9)
            if rows.stop == n_rows + 1:
                sheet.hline(left, right, bottom + ROW_H, 0.9)
            sheet.stats.rows += len(rows)
    return sheet.save()
