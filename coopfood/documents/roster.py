"""Planning des permanences: who is on duty at each distribution and point of a period.

One block per distribution and point, never split across pages: the date,
the point and its time slot, then one row per role with a cell per place —
the household that holds it, or « À POURVOIR » in a shaded, boxed cell that
reads at a glance (and survives a black-and-white photocopy).
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    FOOTER_HEIGHT,
    LIGHT,
    LIGHTER,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    Stats,
    fit,
    printable,
    time_slot,
    width,
    wrap,
)
from coopfood.documents.layout import Draw, Pager, draw_pages
from coopfood.i18n import _, format_date, ngettext
from coopfood.services.shifts import DONE_STATES, PointShifts, Roster, Slot

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT

ROLE_W = 36 * mm
PLACES_PER_LINE = 3
PLACE_W = (RIGHT - LEFT - ROLE_W) / PLACES_PER_LINE
HEAD_H = 7 * mm
LINE_H = 6.5 * mm
GAP = 3.5 * mm
SIZE = 9
#: Printed in every place nobody took.
OPEN_PLACE = "À POURVOIR"


def _lines_of(slots: tuple[Slot, ...]) -> int:
    return max(1, -(-len(slots) // PLACES_PER_LINE))


def _block_height(entry: PointShifts) -> float:
    rows = sum(_lines_of(slots) for _role, slots in entry.by_role()) if entry.slots else 1
    return float(HEAD_H + rows * LINE_H + GAP)


def _heading(entry: PointShifts) -> str:
    return "{date}, {slot} — {point}".format(
        date=format_date(entry.date, style="full"), point=printable(entry.point),
        slot=time_slot(entry.start_time, entry.end_time))


def _status(entry: PointShifts) -> tuple[str, bool]:
    """The block's right-hand note, and whether it asks for help (bold)."""
    past = entry.state in DONE_STATES
    if not entry.open_count:
        return (_("a eu lieu") if past else _("complet")), False
    if past:
        return ngettext("a eu lieu — {n} place restée vide", "a eu lieu — {n} places restées "
                        "vides", entry.open_count).format(n=entry.open_count), False
    return ngettext("{n} place à pourvoir", "{n} places à pourvoir",
                    entry.open_count).format(n=entry.open_count), True


def _draw_place(sheet: Sheet, x: float, y: float, slot: Slot, past: bool) -> None:
    """A place's cell, its top edge at y; a place nobody took at a distribution that took
    place reads « vide », in grey: there is nothing left to fill."""
    inner = PLACE_W - 2 * mm
    if slot.member_name is None and past:
        sheet.grey(True)
        sheet.text(x + 1.5 * mm, y - LINE_H + 2.3 * mm, _("(vide)"), REGULAR, SIZE)
        sheet.grey(False)
    elif slot.member_name is None:
        sheet.fill(x + 0.5 * mm, y - LINE_H + 0.8 * mm, PLACE_W - 1 * mm, LINE_H - 1.6 * mm,
                   LIGHT)
        sheet.box(x + 0.5 * mm, y - LINE_H + 0.8 * mm, PLACE_W - 1 * mm, LINE_H - 1.6 * mm,
                  1.2)
        sheet.centre(x + PLACE_W / 2, y - LINE_H + 2.3 * mm, OPEN_PLACE, BOLD, SIZE)
    else:
        sheet.text(x + 1.5 * mm, y - LINE_H + 2.3 * mm,
                   fit(printable(slot.member_name), REGULAR, SIZE, inner), REGULAR, SIZE)


def _entry_drawer(entry: PointShifts) -> Draw:
    def draw(sheet: Sheet, top: float) -> None:
        height = _block_height(entry) - GAP
        sheet.fill(LEFT, top - HEAD_H, RIGHT - LEFT, HEAD_H, LIGHTER)
        status, urgent = _status(entry) if entry.slots else ("", False)
        status_font = BOLD if urgent else REGULAR
        room = RIGHT - LEFT - 3 * mm - (width(status, status_font, 8.5) + 4 * mm if status
                                         else 0)
        sheet.text(LEFT + 1.5 * mm, top - HEAD_H + 2.3 * mm,
                   fit(_heading(entry), BOLD, 10, room), BOLD, 10)
        if status:
            sheet.right(RIGHT - 1.5 * mm, top - HEAD_H + 2.3 * mm, status, status_font, 8.5)
        sheet.box(LEFT, top - height, RIGHT - LEFT, height, 0.6)
        y = top - HEAD_H
        if not entry.slots:
            sheet.text(LEFT + 1.5 * mm, y - LINE_H + 2.3 * mm,
                       _("Aucune permanence prévue pour cette distribution."), REGULAR, SIZE)
            return
        for index, (role, slots) in enumerate(entry.by_role()):
            if index:
                sheet.hline(LEFT, RIGHT, y, 0.2)
            sheet.text(LEFT + 1.5 * mm, y - LINE_H + 2.3 * mm,
                       fit(printable(role), BOLD, SIZE, ROLE_W - 3 * mm), BOLD, SIZE)
            for position, slot in enumerate(slots):
                line, column = divmod(position, PLACES_PER_LINE)
                _draw_place(sheet, LEFT + ROLE_W + column * PLACE_W, y - line * LINE_H, slot,
                            entry.state in DONE_STATES)
            y -= _lines_of(slots) * LINE_H
    return draw


def draw_roster(data: Roster, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    title = _("Planning des permanences")
    period = _("du {start} au {end}").format(start=format_date(data.date_from),
                                              end=format_date(data.date_to))
    places = sum(len(e.slots) for e in data.entries)
    summary = (ngettext("{n} distribution", "{n} distributions",
                        len({e.cycle_id for e in data.entries})).format(
                            n=len({e.cycle_id for e in data.entries}))
               + " — " + ngettext("{n} place", "{n} places", places).format(n=places)
               + " — " + ngettext("{n} à pourvoir", "{n} à pourvoir", data.open_count).format(
                   n=data.open_count))
    coop = wrap(printable(data.coop_name), BOLD, 11, RIGHT - LEFT) if data.coop_name else ()
    intro_h = 10 * mm + len(coop) * 5 * mm + 11 * mm

    def draw_intro(sheet: Sheet, _y: float) -> None:
        y = TOP - 6 * mm
        sheet.text(LEFT, y, title, BOLD, 16)
        for line in coop:
            y -= 5 * mm
            sheet.text(LEFT, y, line, BOLD, 11)
        y -= 5.5 * mm
        sheet.text(LEFT, y, period[:1].upper() + period[1:], REGULAR, 10)
        y -= 4.5 * mm
        sheet.text(LEFT, y, summary, REGULAR, 9)

    def draw_small_header(sheet: Sheet, _y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, fit(f"{title} — {period}", BOLD, 10, RIGHT - LEFT),
                   BOLD, 10)

    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(draw_intro, intro_h)
    pager.new_page()
    pager.set_header(draw_small_header, 8 * mm)
    if not data.entries:
        pager.place(LINE_H, lambda sheet, y: sheet.text(
            LEFT, y - 5 * mm, _("Aucune distribution sur cette période."), REGULAR, 10), 0)
    for entry in data.entries:
        pager.place(_block_height(entry), _entry_drawer(entry))

    sheet = Sheet(target, title=f"{title} — {period}", stamp=stamp,
                  total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()
