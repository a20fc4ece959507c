"""Bordereaux de chèques: the deposit slip for the bank and the hand-over slip for a producer.

Both are a heading, a table of cheques (one line each, cut to fit, never
wrapped: a bank counts lines), the count and the total, and a box to sign.
The table may run over several pages: its column headings repeat, and the
count, total and signature come after its last line. The total printed is
the remittance's own, kept when it was made; it is the sum of the lines
(the service checks it), so a cashier adding up the slip finds it to the cent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    FOOTER_HEIGHT,
    LIGHTER,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    Stats,
    fit,
    money_text,
    printable,
    width,
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
from coopfood.i18n import _, format_date, ngettext

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN + 1 * mm
RIGHT = PAGE_W - MARGIN - 1 * mm
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT
GAP = 2 * mm
SIGNATURE_H = 30 * mm


@dataclass(frozen=True)
class SlipCheque:
    """A line of a slip, as the cheque reads (`month` is "YYYY-MM" or empty)."""

    number: str
    bank: str
    drawer: str
    household: str
    contract: str
    month: str
    amount: Decimal


@dataclass(frozen=True)
class DepositSlip:
    """Bordereau de remise de chèques à la banque."""

    number: str
    date: dt.date
    #: The account holder: the co-op, with its address lines.
    holder: str
    holder_address: tuple[str, ...]
    iban: str
    bic: str
    cheques: tuple[SlipCheque, ...]
    #: As stored with the remittance.
    total: Decimal


@dataclass(frozen=True)
class HandoverSlip:
    """The cheques of a month handed over to the producer they are made out to."""

    number: str
    date: dt.date
    coop_name: str
    producer: str
    month: str
    cheques: tuple[SlipCheque, ...]
    total: Decimal


def iban_text(iban: str) -> str:
    """« FR76 3000 6000 0112 3456 7890 189 »: in groups of four, as on a RIB."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def month_text(month: str, *, style: str = "MMMM yyyy") -> str:
    """« mars 2027 » for "2027-03"; any other text as it is."""
    try:
        year, number = (int(part) for part in month.split("-"))
        return format_date(dt.date(year, number, 1), style=style)
    except ValueError:
        return month


def _columns(with_month: bool) -> Columns:
    # Widths in mm, each followed by a 2 mm gap; the amount column ends at RIGHT.
    specs: list[tuple[str, float, bool]] = [
        (_("N°"), 6, True),
        (_("Chèque n°"), 17, False),
        # A deposit's cheques are the co-op's, seldom a contract's: room goes to the bank.
        (_("Banque"), 28 if with_month else 24, False),
        (_("Tireur"), 30, False),
        (_("Foyer"), 30, False),
        (_("Contrat"), 18 if with_month else 39, False),
    ]
    if with_month:
        specs.append((_("Mois"), 15, False))
    specs.append((_("Montant"), 0, True))
    columns = []
    x = LEFT + 1 * mm
    for title, size, right_aligned in specs[:-1]:
        columns.append(Column(title, x, size * mm, right_aligned))
        x += size * mm + GAP
    columns.append(Column(specs[-1][0], x, RIGHT - 1 * mm - x, True))
    return Columns(columns)


def _cells(index: int, cheque: SlipCheque, with_month: bool) -> tuple[str, ...]:
    cells = [str(index), printable(cheque.number), printable(cheque.bank),
             printable(cheque.drawer), printable(cheque.household), printable(cheque.contract)]
    if with_month:
        cells.append(month_text(cheque.month, style="MMM yyyy") if cheque.month else "")
    cells.append(money_text(cheque.amount))
    return tuple(cells)


def _count_text(count: int) -> str:
    return ngettext("{n} chèque", "{n} chèques", count).format(n=count)


#: Lines that go over to the next page with the total and the signature, rather than
#: leave the signature alone on a page.
KEEP_WITH_TOTAL = 3


def _table(pager: Pager, cheques: Sequence[SlipCheque], columns: Columns, with_month: bool,
           total: Decimal, tail_height: float) -> None:
    """The lines, then the total line; the headings repeat on every page of the table.
    `tail_height` is what follows the total (the signature), kept with the last lines."""
    def headings(sheet: Sheet, top: float) -> None:
        columns.draw_headings(sheet, top)

    pager.place(HEADINGS_HEIGHT, headings, 0)
    total_h = ROW_HEIGHT + 1 * mm
    for index, cheque in enumerate(cheques, start=1):
        cells = _cells(index, cheque, with_month)
        left = len(cheques) - index + 1
        tail = left * ROW_HEIGHT + total_h + tail_height
        if not pager.fits(ROW_HEIGHT) or (left == KEEP_WITH_TOTAL and index > 1
                                          and not pager.fits(tail)):
            pager.new_page()
            pager.place(HEADINGS_HEIGHT, headings, 0)

        def row(sheet: Sheet, top: float, cells: tuple[str, ...] = cells) -> None:
            columns.draw_row(sheet, top, cells)
        pager.place(ROW_HEIGHT, row)
    if not cheques:
        pager.place(ROW_HEIGHT, lambda sheet, top: sheet.text(
            LEFT + 2 * mm, top - ROW_HEIGHT + 1.4 * mm, _("Aucun chèque."), REGULAR, 8.5), 0)
    total_cells = [""] * len(columns.columns)
    total_cells[1] = _("Total : {count}").format(count=_count_text(len(cheques)))
    total_cells[-1] = money_text(total)

    def total_row(sheet: Sheet, top: float) -> None:
        sheet.fill(columns.left, top - ROW_HEIGHT - 0.6 * mm, columns.right - columns.left,
                   ROW_HEIGHT + 0.6 * mm, LIGHTER)
        sheet.hline(columns.left, columns.right, top, 0.8)
        # The total's label spans the empty columns after the cheque number.
        label = fit(total_cells[1], BOLD, 8.5, columns.columns[-1].x - columns.columns[1].x)
        sheet.text(columns.columns[1].x, top - ROW_HEIGHT + 1.2 * mm, label, BOLD, 8.5)
        last = columns.columns[-1]
        sheet.right(last.x + last.width, top - ROW_HEIGHT + 1.2 * mm, total_cells[-1], BOLD,
                    8.5)
    if not pager.fits(total_h):
        pager.new_page()
        pager.place(HEADINGS_HEIGHT, headings, 0)
    pager.place(total_h, total_row, 0)


def _key_values(sheet: Sheet, x: float, y: float, pairs: Sequence[tuple[str, str]],
                room: float, size: float = 9.5) -> None:
    """« Label : value » lines, the labels in bold, the values cut to fit."""
    label_w = max(width(label, BOLD, size) for label, _value in pairs) + 2 * mm
    for label, value in pairs:
        sheet.text(x, y, label, BOLD, size)
        sheet.text(x + label_w, y, fit(value, REGULAR, size, room - label_w), REGULAR, size)
        y -= 5 * mm


def _signature_height(intro: tuple[str, ...]) -> float:
    return float(GAP * 2 + len(intro) * 4.6 * mm + SIGNATURE_H)


def _signature_block(pager: Pager, title: str, lines: Sequence[str],
                     intro: tuple[str, ...] = ()) -> None:
    """A sentence or two (wrapped), then a box to sign with its captions."""
    height = _signature_height(intro)

    def draw(sheet: Sheet, top: float) -> None:
        y = top - GAP * 2
        for line in intro:
            y -= 3.4 * mm
            sheet.text(LEFT, y, line, REGULAR, 9)
            y -= 1.2 * mm
        box_w = 90 * mm
        box_x = RIGHT - box_w
        box_top = y - 2 * mm
        sheet.box(box_x, box_top - (SIGNATURE_H - 4 * mm), box_w, SIGNATURE_H - 4 * mm, 0.8)
        sheet.text(box_x + 2 * mm, box_top - 4.5 * mm, title, BOLD, 9)
        line_y = box_top - 10 * mm
        for caption in lines:
            sheet.text(box_x + 2 * mm, line_y, caption, REGULAR, 8.5)
            line_y -= 6 * mm

    if not pager.fits(height):
        pager.new_page()
    pager.place(height, draw, 0)


def _pages_with_heading(heading: Draw, heading_h: float, small: Draw) -> Pager:
    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(heading, heading_h)
    pager.new_page()
    pager.set_header(small, 9 * mm)
    return pager


def _small_heading(text: str) -> Draw:
    def draw(sheet: Sheet, _y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, fit(text, BOLD, 10, RIGHT - LEFT), BOLD, 10)
    return draw


def _title(sheet: Sheet, title: str, number: str, date_line: str) -> float:
    """Title left, the slip's number boxed right; returns the y below them."""
    y = TOP - 7 * mm
    number_text = _("N° {number}").format(number=printable(number))
    number_w = width(number_text, BOLD, 12) + 6 * mm
    sheet.text(LEFT, y, fit(title, BOLD, 16, RIGHT - LEFT - number_w - 4 * mm), BOLD, 16)
    sheet.box(RIGHT - number_w, y - 2.5 * mm, number_w, 8 * mm, 0.8)
    sheet.right(RIGHT - 3 * mm, y, number_text, BOLD, 12)
    y -= 7 * mm
    sheet.text(LEFT, y, date_line, REGULAR, 10)
    return float(y - 4 * mm)


def draw_deposit_slip(slip: DepositSlip, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    title = _("Bordereau de remise de chèques")
    holder = printable(slip.holder)
    address = tuple(printable(line) for line in slip.holder_address if line.strip())
    room = RIGHT - LEFT - 6 * mm
    pairs = [(_("Titulaire du compte :"), holder)]
    pairs += [("", line) for line in address]
    pairs += [(_("IBAN :"), iban_text(slip.iban))]
    if slip.bic:
        pairs.append((_("BIC :"), slip.bic))
    box_h = len(pairs) * 5 * mm + 4 * mm
    heading_h = 22 * mm + box_h + 4 * mm
    date_line = _("Date de remise : {date}").format(date=format_date(slip.date))

    def heading(sheet: Sheet, _y: float) -> None:
        y = _title(sheet, title, slip.number, date_line)
        sheet.box(LEFT, y - box_h, RIGHT - LEFT, box_h, 0.6)
        _key_values(sheet, LEFT + 3 * mm, y - 5.5 * mm, pairs, room)

    pager = _pages_with_heading(heading, heading_h, _small_heading(
        _("{title} n° {number} du {date} (suite)").format(
            title=title, number=printable(slip.number),
            date=format_date(slip.date, style="short"))))
    intro = (_("Nombre de chèques : {count} — Montant total : {total}").format(
        count=len(slip.cheques), total=money_text(slip.total)),)
    _table(pager, slip.cheques, _columns(True), True, slip.total, _signature_height(intro))
    _signature_block(pager, _("Signature du déposant"),
                     [_("Nom :"), _("Date :"), _("Signature :")], intro)
    sheet = Sheet(target, title=f"{title} {slip.number}", stamp=stamp,
                  total_pages=len(pager.pages))
    draw_pages(sheet, pager.pages)
    return sheet.save()


def draw_handover_slip(slip: HandoverSlip, target: str | Path | BinaryIO,
                       stamp: Stamp) -> Stats:
    title = _("Remise de chèques au producteur")
    month = month_text(slip.month)
    producer = printable(slip.producer)
    pairs = [(_("Producteur :"), producer), (_("Chèques du mois :"), month),
             (_("Remis par :"), printable(slip.coop_name))]
    box_h = len(pairs) * 5 * mm + 4 * mm
    heading_h = 22 * mm + box_h + 4 * mm
    date_line = _("Date de remise : {date}").format(date=format_date(slip.date))

    def heading(sheet: Sheet, _y: float) -> None:
        y = _title(sheet, title, slip.number, date_line)
        sheet.box(LEFT, y - box_h, RIGHT - LEFT, box_h, 0.6)
        _key_values(sheet, LEFT + 3 * mm, y - 5.5 * mm, pairs, RIGHT - LEFT - 6 * mm)

    pager = _pages_with_heading(heading, heading_h, _small_heading(
        _("{title} n° {number} — {producer}, {month} (suite)").format(
            title=title, number=printable(slip.number), producer=producer, month=month)))
    sentence = ngettext(
        "Je reconnais avoir reçu le chèque ci-dessus, d'un montant de {total}, à l'ordre de "
        "{producer}.",
        "Je reconnais avoir reçu les {n} chèques ci-dessus, d'un montant total de {total}, à "
        "l'ordre de {producer}.", len(slip.cheques)).format(
        n=len(slip.cheques), total=money_text(slip.total), producer=producer)
    intro = wrap(sentence, REGULAR, 9, RIGHT - LEFT)
    _table(pager, slip.cheques, _columns(False), False, slip.total, _signature_height(intro))
    _signature_block(pager, _("Reçu par"), [_("Nom :"), _("Date :"), _("Signature :")], intro)
    sheet = Sheet(target, title=f"{title} {slip.number}", stamp=stamp,
                  total_pages=len(pager.pages))
    draw_pages(sheet, pager.pages)
    return sheet.save()
