"""What every printed document shares: the font, the A4 page with its footer, text helpers.

Documents are drawn with plain canvas calls on a layout computed first (so the
page count "n / N" is known before the first page is drawn): Platypus costs
several times the drawing itself on a week's documents. DejaVu Sans is
registered once per process and embedded as a TrueType subset: Babel's French
formats use U+202F, which the PDF base-14 fonts draw as a black box.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from coopfood.domain.enums import Unit
from coopfood.i18n import _, format_date, format_money, format_number

FONT_DIR = Path(__file__).resolve().parents[2] / "resources" / "fonts"

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CONDENSED = "DejaVuSansCondensed"
CONDENSED_BOLD = "DejaVuSansCondensed-Bold"
_FONT_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CONDENSED: "DejaVuSansCondensed.ttf",
    CONDENSED_BOLD: "DejaVuSansCondensed-Bold.ttf",
}

PORTRAIT = A4
LANDSCAPE = landscape(A4)
MARGIN = 12 * mm
FOOTER_HEIGHT = 9 * mm

GREY = (0.45, 0.45, 0.45)
LIGHT = (0.92, 0.92, 0.92)
LIGHTER = (0.965, 0.965, 0.965)
BLACK = (0.0, 0.0, 0.0)

#: Printed for a character the font has no glyph for (most emoji): visible, never a crash.
REPLACEMENT = "\ufffd"
ELLIPSIS = "…"

_registered = False
_glyphs: frozenset[int] = frozenset()


def register_fonts() -> None:
    """Register the DejaVu faces with ReportLab, once per process."""
    global _registered, _glyphs
    if _registered:
        return
    for name, file in _FONT_FILES.items():
        font = TTFont(name, str(FONT_DIR / file))
        pdfmetrics.registerFont(font)
        if name == REGULAR:
            _glyphs = frozenset(font.face.charToGlyph)
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD)
    pdfmetrics.registerFontFamily(CONDENSED, normal=CONDENSED, bold=CONDENSED_BOLD)
    _registered = True


# --- text ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def printable(text: str) -> str:
    """User text as the font can draw it, literally: `&` and `<b>` stay as typed.

    Line breaks and tabs become spaces; invisible format characters (emoji
    joiners, variation selectors) are dropped; a character DejaVu Sans has no
    glyph for (most emoji) becomes U+FFFD, which it has.
    """
    if text.isascii() and text.isprintable():
        return text
    register_fonts()
    out = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\r\n\t\v\f":
            out.append(" ")
            continue
        category = unicodedata.category(char)
        if category == "Cf" or "\ufe00" <= char <= "\ufe0f":
            continue
        if category == "Cc" or ord(char) not in _glyphs:
            out.append(REPLACEMENT)
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=262144)
def width(text: str, font: str, size: float) -> float:
    register_fonts()
    return float(pdfmetrics.stringWidth(text, font, size))


@lru_cache(maxsize=65536)
def fit(text: str, font: str, size: float, room: float) -> str:
    """The text cut with an ellipsis to fit in `room` points (already printable)."""
    if width(text, font, size) <= room:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if width(text[:middle].rstrip() + ELLIPSIS, font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + ELLIPSIS


@lru_cache(maxsize=65536)
def wrap(text: str, font: str, size: float, room: float, max_lines: int = 0) -> tuple[str, ...]:
    """Lines of at most `room` points, broken between words (inside a word too long
    for a line); with `max_lines`, the last line kept ends with an ellipsis."""
    if width(text, font, size) <= room:
        return (text,)
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if width(candidate, font, size) <= room:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while width(current, font, size) > room:
            cut = _longest_prefix(current, font, size, room)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    if max_lines and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = fit(kept[-1] + " " + lines[max_lines], font, size, room)
        if not kept[-1].endswith(ELLIPSIS):
            kept[-1] = fit(kept[-1] + ELLIPSIS * 40, font, size, room)
        return tuple(kept)
    return tuple(lines) or ("",)


def _longest_prefix(word: str, font: str, size: float, room: float) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if width(word[:middle], font, size) <= room:
            low = middle
        else:
            high = middle - 1
    return low


# --- French values --------------------------------------------------------------------------

#: Units written as words take a plural « s »; symbols (kg, g) do not.
_WORD_UNITS = frozenset({Unit.PIECE, Unit.BUNCH, Unit.LITRE, Unit.DOZEN, Unit.TRAY, Unit.JAR,
                         Unit.BOTTLE, Unit.BASKET})


def money_text(amount: Decimal) -> str:
    """« 1 234,50 € », with Babel's narrow no-break space (drawn by DejaVu)."""
    return format_money(amount)


@lru_cache(maxsize=4096)
def quantity_text(quantity: Decimal, unit: Unit) -> str:
    """« 1,5 kg », « 2 pièces », « 1 botte »."""
    label = unit.label
    if unit in _WORD_UNITS and quantity >= 2:
        label += "s"
    return f"{format_number(quantity)}\u00a0{label}"


def number_text(quantity: Decimal) -> str:
    return format_number(quantity)


def time_slot(start: dt.time, end: dt.time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def printed_on(moment: dt.datetime) -> str:
    """« Imprimé le 26 novembre 2026 à 10:05 »"""
    return _("Imprimé le {date} à {time}").format(
        date=format_date(moment.date()), time=f"{moment:%H:%M}")


def slug(text: str, limit: int = 40) -> str:
    """A file-name part: ASCII, lower case, words joined by hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe"))
    ascii_text = "".join(c for c in decomposed if c.isascii())
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_text).split()
    return "-".join(words)[:limit].strip("-")


# --- the page -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stamp:
    """What every page carries in its footer."""

    coop_name: str
    printed_at: dt.datetime


@dataclass
class Stats:
    """What a drawn document holds: the benchmark's bare canvas draws as much."""

    pages: int = 0
    rows: int = 0
    #: Strings drawn, page by page.
    strings: list[int] | None = None


class Sheet:
    """A PDF being drawn: the canvas, the page size, the footer, drawing counters.

    Pages are started with `new_page()`; `finish(total)` is not needed: the
    total page count is given up front, as layouts are computed before drawing.
    """

    def __init__(self, target: str | Path | BinaryIO, *, title: str, stamp: Stamp,
                 total_pages: int, pagesize: tuple[float, float] = PORTRAIT,
                 footer_y: float | None = None) -> None:
        register_fonts()
        self.canvas = Canvas(target if not isinstance(target, Path) else str(target),
                             pagesize=pagesize, invariant=1, pageCompression=1,
                             # Else ReportLab names Helvetica on every page: no base-14 font.
                             initialFontName=REGULAR, initialFontSize=9)
        self.canvas.setTitle(printable(title))
        self.canvas.setAuthor(printable(stamp.coop_name))
        self.canvas.setCreator("coopfood")
        self.canvas.setSubject(title)
        self.width, self.height = pagesize
        self.stamp = stamp
        self.total_pages = max(total_pages, 1)
        self.page_number = 0
        self.stats = Stats(strings=[])
        self._strings = 0
        #: Baseline of the footer; a label sheet puts it in its bottom margin, without rule.
        self._footer_y = MARGIN - 4 * mm if footer_y is None else footer_y
        self._footer_rule = footer_y is None
        self._footer_left = fit(printable(stamp.coop_name), REGULAR, 7, self.width / 2.6)
        self._footer_centre = printed_on(stamp.printed_at)

    # -- pages

    def new_page(self) -> None:
        if self.page_number:
            self._end_page()
        self.page_number += 1
        self._strings = 0
        self._draw_footer()

    def _end_page(self) -> None:
        assert self.stats.strings is not None
        self.stats.strings.append(self._strings)
        self.canvas.showPage()

    def save(self) -> Stats:
        if self.page_number:
            self._end_page()
        self.canvas.save()
        self.stats.pages = self.page_number
        return self.stats

    def _draw_footer(self) -> None:
        c = self.canvas
        y = self._footer_y
        if self._footer_rule:
            c.setStrokeColorRGB(*GREY)
            c.setLineWidth(0.4)
            c.line(MARGIN, y + 3.2 * mm, self.width - MARGIN, y + 3.2 * mm)
        c.setFillColorRGB(*GREY)
        c.setFont(REGULAR, 7 if self._footer_rule else 6)
        c.drawString(MARGIN, y, self._footer_left)
        c.drawCentredString(self.width / 2, y, self._footer_centre)
        c.drawRightString(self.width - MARGIN, y, _("Page {n} / {total}").format(
            n=self.page_number, total=self.total_pages))
        c.setFillColorRGB(*BLACK)
        c.setStrokeColorRGB(*BLACK)
        self._strings += 3

    # -- drawing (text is printable already: see `printable`)

    def text(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 9) -> None:
        c = self.canvas
        c.setFont(font, size)
        c.drawString(x, y, text)
        self._strings += 1

    def right(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 9) -> None:
        c = self.canvas
        c.setFont(font, size)
        c.drawString(x - width(text, font, size), y, text)
        self._strings += 1

    def centre(self, x: float, y: float, text: str, font: str = REGULAR, size: float = 9) -> None:
        c = self.canvas
        c.setFont(font, size)
        c.drawString(x - width(text, font, size) / 2, y, text)
        self._strings += 1

    def grey(self, on: bool) -> None:
        self.canvas.setFillColorRGB(*(GREY if on else BLACK))

    def fill(self, x: float, y: float, w: float, h: float, colour: tuple[float, float, float]
             ) -> None:
        c = self.canvas
        c.setFillColorRGB(*colour)
        c.rect(x, y, w, h, stroke=0, fill=1)
        c.setFillColorRGB(*BLACK)

    def box(self, x: float, y: float, w: float, h: float, line: float = 0.6) -> None:
        c = self.canvas
        c.setLineWidth(line)
        c.rect(x, y, w, h, stroke=1, fill=0)

    def hline(self, x1: float, x2: float, y: float, line: float = 0.3) -> None:
        c = self.canvas
        c.setLineWidth(line)
        c.line(x1, y, x2, y)

    def vline(self, x: float, y1: float, y2: float, line: float = 0.3) -> None:
        c = self.canvas
        c.setLineWidth(line)
        c.line(x, y1, x, y2)

