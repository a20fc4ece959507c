"""Partage de la valeur: the report for the general assembly.

Where each euro paid by the members went over a period: the sentence
« Sur 100 € payés : … », a stacked bar per producer and for the whole co-op
(ReportLab graphics: producers, VAT, the co-op), the table per producer, then
per product, and the notes that say what was counted.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    FOOTER_HEIGHT,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    Stats,
    fit,
    money_text,
    printable,
    quantity_text,
    wrap,
)
from coopfood.documents.layout import (
    HEADINGS_HEIGHT,
    ROW_HEIGHT,
    Column,
    Columns,
    Draw,
    Pager,
    draw_pages,
)
from coopfood.i18n import _, format_number, ngettext
from coopfood.services.value_sharing import Split, ValueSharing

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT

#: Producers, VAT, the co-op: three tones that stay apart in grey too.
SHARE_COLOURS = ((0.27, 0.55, 0.33), (0.62, 0.68, 0.80), (0.93, 0.62, 0.20))
BAR_H = 5.2 * mm
BAR_GAP = 2.2 * mm
LABEL_W = 58 * mm
#: Producers beyond this many are drawn in one bar « autres producteurs ».
MAX_BARS = 14


def share_labels() -> tuple[str, str, str]:
    return _("Producteurs (prix HT)"), _("TVA"), _("Coopérative (frais de fonctionnement)")


def _percent(value: Decimal) -> str:
    return f"{format_number(value, decimals=1)}\u00a0%"


def _bars(data: ValueSharing) -> list[tuple[str, Split, bool]]:
    """(label, split, is the total) for each bar: the co-op first, then the producers."""
    bars = [(_("Toute la coopérative"), data.total, True)]
    producers = sorted(data.producers, key=lambda p: -p.split.paid)
    shown, rest = producers[:MAX_BARS], producers[MAX_BARS:]
    for producer in sorted(shown, key=lambda p: data.producers.index(p)):
        bars.append((producer.name, producer.split, False))
    if rest:
        others = sum((p.split for p in rest), Split())
        bars.append((ngettext("{n} autre producteur", "{n} autres producteurs",
                              len(rest)).format(n=len(rest)), others, False))
    return bars


def bar_chart(data: ValueSharing, width: float) -> Drawing:
    """Stacked horizontal bars, each 100 % of what was paid to a producer (or in all)."""
    bars = _bars(data)
    legend_h = 8 * mm
    height = len(bars) * (BAR_H + BAR_GAP) + legend_h
    # Else the renderer starts from Helvetica, a base-14 font the PDF would name.
    drawing = Drawing(width, height, initialFontName=REGULAR, initialFontSize=8)
    bar_w = width - LABEL_W - 2 * mm
    y = height - legend_h
    # The legend, on top.
    x = 0.0
    for colour, label in zip(SHARE_COLOURS, share_labels(), strict=True):
        drawing.add(Rect(x, y + 3 * mm, 4 * mm, 3 * mm, fillColor=Color(*colour),
                         strokeColor=None))
        drawing.add(String(x + 5.5 * mm, y + 3.6 * mm, label, fontName=REGULAR, fontSize=8))
        x += 5.5 * mm + _text_width(label, 8) + 6 * mm
    for label, split, total in bars:
        y -= BAR_H + BAR_GAP
        font = BOLD if total else REGULAR
        drawing.add(String(0, y + 1.6 * mm, fit(printable(label), font, 8, LABEL_W - 2 * mm),
                           fontName=font, fontSize=8))
        shares = split.per_hundred()
        left = LABEL_W
        for colour, share in zip(SHARE_COLOURS, shares, strict=True):
            if share <= 0:
                continue
            w = bar_w * float(share) / 100
            drawing.add(Rect(left, y, w, BAR_H, fillColor=Color(*colour),
                             strokeColor=Color(1, 1, 1), strokeWidth=0.4))
            text = _percent(share)
            if _text_width(text, 7) + 2 * mm < w:
                drawing.add(String(left + w / 2, y + 1.6 * mm, text, fontName=BOLD,
                                   fontSize=7, textAnchor="middle"))
            left += w
    return drawing


def _text_width(text: str, size: float) -> float:
    from coopfood.documents.common import width

    return width(text, REGULAR, size)


def _producer_columns() -> Columns:
    return Columns([
        Column(_("Producteur"), LEFT + 1 * mm, 58 * mm),
        Column(_("Payé"), LEFT + 60 * mm, 22 * mm, True),
        Column(_("Producteur HT"), LEFT + 83 * mm, 23 * mm, True),
        Column(_("TVA"), LEFT + 107 * mm, 18 * mm, True),
        Column(_("Coopérative"), LEFT + 126 * mm, 20 * mm, True),
        Column(_("Sur 100 € payés*"), LEFT + 147 * mm,
               RIGHT - LEFT - 148 * mm, True),
    ], size=8)


def _product_columns() -> Columns:
    return Columns([
        Column(_("Produit"), LEFT + 1 * mm, 62 * mm),
        Column(_("Livré"), LEFT + 64 * mm, 22 * mm, True),
        Column(_("Payé"), LEFT + 87 * mm, 22 * mm, True),
        Column(_("Producteur HT"), LEFT + 110 * mm, 23 * mm, True),
        Column(_("TVA"), LEFT + 134 * mm, 18 * mm, True),
        Column(_("Coopérative"), LEFT + 153 * mm, RIGHT - LEFT - 154 * mm, True),
    ], size=8)


def _hundred_cell(split: Split) -> str:
    producer, vat, fee = split.per_hundred()
    return " / ".join(format_number(v, decimals=2) for v in (producer, vat, fee))


def _amounts(split: Split) -> tuple[str, str, str, str]:
    return (money_text(split.paid), money_text(split.producer), money_text(split.vat),
            money_text(split.fee))


def draw_value_report(data: ValueSharing, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    title = _("Partage de la valeur")
    period = data.period.label
    room = RIGHT - LEFT
    coop = wrap(printable(data.coop_name), BOLD, 11, room) if data.coop_name else ()
    facts = (ngettext("{n} distribution", "{n} distributions", data.distributions).format(
        n=data.distributions) + " — " + ngettext(
        "{n} ligne livrée", "{n} lignes livrées", data.total.lines).format(n=data.total.lines)
        + " — " + _("payé par les adhérents : {amount}").format(
            amount=money_text(data.total.paid)))
    sentence = wrap(data.sentence, BOLD, 12, room - 8 * mm)
    intro_h = 8 * mm + len(coop) * 5 * mm + 11 * mm + len(sentence) * 6 * mm + 8 * mm

    def draw_intro(sheet: Sheet, _y: float) -> None:
        y = TOP - 6 * mm
        sheet.text(LEFT, y, title, BOLD, 16)
        for line in coop:
            y -= 5 * mm
            sheet.text(LEFT, y, line, BOLD, 11)
        y -= 5.5 * mm
        sheet.text(LEFT, y, period[:1].upper() + period[1:], REGULAR, 10)
        y -= 4.5 * mm
        sheet.text(LEFT, y, facts, REGULAR, 8.5)
        box_h = len(sentence) * 6 * mm + 4 * mm
        y -= 3 * mm
        sheet.fill(LEFT, y - box_h, room, box_h, (0.93, 0.96, 0.93))
        sheet.box(LEFT, y - box_h, room, box_h, 0.6)
        for index, line in enumerate(sentence):
            sheet.text(LEFT + 4 * mm, y - 6 * mm - index * 6 * mm, line, BOLD, 12)

    def draw_small_header(sheet: Sheet, _y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, fit(f"{title} — {period}", BOLD, 10, room), BOLD, 10)

    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(draw_intro, intro_h)
    pager.new_page()
    pager.set_header(draw_small_header, 8 * mm)

    def heading(text: str, after: float) -> None:
        height = 9 * mm
        if not pager.fits(height + after):
            pager.new_page()

        def draw(sheet: Sheet, y: float) -> None:
            sheet.text(LEFT, y - 6.5 * mm, text, BOLD, 12)
        pager.place(height, draw, 0)

    if data.total.paid:
        chart = bar_chart(data, room)
        heading(_("Répartition, producteur par producteur"), chart.height)

        def draw_chart(sheet: Sheet, y: float) -> None:
            renderPDF.draw(chart, sheet.canvas, LEFT, y - chart.height)
        pager.place(chart.height + 3 * mm, draw_chart, 0)

        columns = _producer_columns()
        heading(_("Par producteur"), HEADINGS_HEIGHT + 2 * ROW_HEIGHT)
        pager.place(HEADINGS_HEIGHT, _headings(columns), 0)
        for producer in data.producers:
            pager.place(ROW_HEIGHT, _row(columns, (printable(producer.name),
                                                   *_amounts(producer.split),
                                                   _hundred_cell(producer.split))))
        pager.place(ROW_HEIGHT, _row(columns, (_("Toute la coopérative"),
                                               *_amounts(data.total),
                                               _hundred_cell(data.total)), bold=True))
        star = (_("* Sur 100 € payés : aux producteurs / de TVA / pour la coopérative, "
                  "en euros."),)
        pager.place(5 * mm, _text_lines(star, 7.5), 0)

        columns = _product_columns()
        heading(_("Par produit"), HEADINGS_HEIGHT + 3 * ROW_HEIGHT)
        pager.place(HEADINGS_HEIGHT, _headings(columns), 0)
        producer_id: int | None = None
        for product in data.products:
            if product.producer_id != producer_id:
                producer_id = product.producer_id
                group = [p for p in data.products if p.producer_id == producer_id]
                if not pager.fits(ROW_HEIGHT * min(3, len(group) + 1)):
                    pager.new_page()
                    pager.place(HEADINGS_HEIGHT, _headings(columns), 0)
                pager.place(ROW_HEIGHT, _row(columns, (printable(product.producer), "", "",
                                                       "", "", ""), bold=True), 0)
            if not pager.fits(ROW_HEIGHT):
                pager.new_page()
                pager.place(HEADINGS_HEIGHT, _headings(columns), 0)
            pager.place(ROW_HEIGHT, _row(columns, (
                "   " + printable(product.name), quantity_text(product.quantity, product.unit),
                *_amounts(product.split))))

    notes = data.notes()
    heading(_("Comment lire ces chiffres"), 10 * mm)
    for note in notes:
        lines = wrap(printable(note), REGULAR, 8.5, room)
        pager.place(len(lines) * 4 * mm + 1.5 * mm, _text_lines(lines), 0)

    sheet = Sheet(target, title=f"{title} — {period}", stamp=stamp,
                  total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()


def _headings(columns: Columns) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        columns.draw_headings(sheet, y)
    return draw


def _row(columns: Columns, cells: tuple[str, ...], bold: bool = False) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        columns.draw_row(sheet, y, cells, bold=bold)
    return draw


def _text_lines(lines: Sequence[str], size: float = 8.5) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        for index, line in enumerate(lines):
            sheet.text(LEFT, y - 3.5 * mm - index * 4 * mm, line, REGULAR, size)
    return draw
