"""Paging: blocks of known height placed on pages before anything is drawn.

A document lays out its content as blocks (a household, a table row, a
heading) whose height is computed from their wrapped text; `Pager` places
them top to bottom, never splitting a block, and starts a new page when one
does not fit. The pages are then drawn knowing their total count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from reportlab.lib.units import mm

from coopfood.documents.common import BOLD, LIGHT, REGULAR, Sheet, fit

#: Draws a block whose top edge is at y (PDF points, from the bottom of the page).
Draw = Callable[[Sheet, float], None]


@dataclass
class Page:
    #: What every page repeats at its top (title, column headings), drawn first.
    header: Draw | None
    blocks: list[tuple[float, Draw]] = field(default_factory=list)
    rows: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Pager:
    """Places blocks on pages between `top` and `bottom`; a header repeats on every page."""

    def __init__(self, *, top: float, bottom: float) -> None:
        self.top = top
        self.bottom = bottom
        self.pages: list[Page] = []
        self.y = bottom  # no page yet: the first block opens one
        self.header: Draw | None = None
        self.header_height = 0.0

    def set_header(self, draw: Draw | None, height: float) -> None:
        """The header of the pages started from now on."""
        self.header = draw
        self.header_height = height

    def new_page(self) -> None:
        self.pages.append(Page(self.header))
        self.y = self.top - self.header_height

    def room(self) -> float:
        return self.y - self.bottom if self.pages else 0.0

    def fits(self, height: float) -> bool:
        return bool(self.pages) and height <= self.y - self.bottom + 0.01

    def place(self, height: float, draw: Draw, rows: int = 1) -> None:
        """Place a block, on a new page if it does not fit in what is left of this one."""
        if not self.fits(height):
            self.new_page()
        self.pages[-1].blocks.append((self.y, draw))
        self.pages[-1].rows += rows
        self.y -= height

    def skip(self, height: float) -> None:
        self.y -= height

    @property
    def full_height(self) -> float:
        """The room of an empty page below its header."""
        return self.top - self.header_height - self.bottom


def draw_pages(sheet: Sheet, pages: list[Page]) -> None:
    for page in pages:
        sheet.new_page()
        if page.header is not None:
            page.header(sheet, 0.0)
        for y, draw in page.blocks:
            draw(sheet, y)
        sheet.stats.rows += page.rows


ROW_HEIGHT = 4.6 * mm
HEADINGS_HEIGHT = 6 * mm


@dataclass(frozen=True)
class Column:
    title: str
    #: Left edge, and the room the cell's text is cut to.
    x: float
    width: float
    right_aligned: bool = False


class Columns:
    """A table's columns: draws the headings row and one-line rows cut to fit."""

    def __init__(self, columns: list[Column], size: float = 8.5) -> None:
        self.columns = columns
        self.size = size
        self.left = columns[0].x - 1 * mm
        self.right = columns[-1].x + columns[-1].width + 1 * mm

    def draw_headings(self, sheet: Sheet, top: float) -> None:
        sheet.fill(self.left, top - HEADINGS_HEIGHT, self.right - self.left, HEADINGS_HEIGHT,
                   LIGHT)
        y = top - HEADINGS_HEIGHT + 2 * mm
        for column in self.columns:
            title = fit(column.title, BOLD, 7.5, column.width)
            if column.right_aligned:
                sheet.right(column.x + column.width, y, title, BOLD, 7.5)
            else:
                sheet.text(column.x, y, title, BOLD, 7.5)

    def draw_row(self, sheet: Sheet, top: float, cells: tuple[str, ...], *,
                 bold: bool = False, rule: bool = True) -> None:
        y = top - ROW_HEIGHT + 1.4 * mm
        font = BOLD if bold else REGULAR
        for column, cell in zip(self.columns, cells, strict=True):
            if not cell:
                continue
            text = fit(cell, font, self.size, column.width)
            if column.right_aligned:
                sheet.right(column.x + column.width, y, text, font, self.size)
            else:
                sheet.text(column.x, y, text, font, self.size)
        if rule:
            sheet.hline(self.left, self.right, top - ROW_HEIGHT, 0.15)
