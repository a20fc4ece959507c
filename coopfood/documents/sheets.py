"""Feuille d'émargement: the sign-in sheet of one distribution point.

One block per household, alphabetical, never split across pages: the row
number keyed back after the distribution, the name and co-member, the phone
only if the member allowed it, each item with quantity, unit price and total,
an empty box for the weight of what is weighed at delivery, the amount due,
a balance box to fill by hand (there is no ledger yet), a paid box and a
signature box. The totals per product close the document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    CONDENSED,
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
    money_text,
    printable,
    quantity_text,
    time_slot,
    width,
    wrap,
)
from coopfood.documents.distribution import BasketWeek, Distribution, Household, Item, Point
from coopfood.documents.layout import Draw, Pager, draw_pages
from coopfood.i18n import _, format_date

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT

# Columns, as x positions from the left margin.
X_NUMBER = LEFT
X_ITEM = LEFT + 13 * mm
X_QTY_RIGHT = LEFT + 123 * mm
X_PRICE_RIGHT = LEFT + 142 * mm
X_DELIVERED = LEFT + 145 * mm
DELIVERED_W = 19 * mm
X_TOTAL_RIGHT = RIGHT
ITEM_ROOM = X_QTY_RIGHT - 22 * mm - X_ITEM

ITEM_SIZE = 8.5
LINE = 3.9 * mm
ROW_PAD = 1.1 * mm
NAME_SIZE = 10
NAME_LINE = 4.4 * mm
FOOT_H = 11.5 * mm
GAP = 2.5 * mm
HEADINGS_H = 6 * mm
ESTIMATE = "≈\u00a0"


@dataclass(frozen=True)
class SignInSheet:
    """What one point's sheet prints (shaped from a `Distribution`)."""

    coop_name: str
    date: dt.date
    point: Point
    volunteers: tuple[tuple[str, str | None], ...]
    baskets: tuple[BasketWeek, ...]
    households: tuple[Household, ...]
    producers: dict[int, str]


def sign_in_sheet(distribution: Distribution, point_id: int) -> SignInSheet:
    households = distribution.households.get(point_id, ())
    basket_ids = sorted({item.key[1] for h in households for item in h.items
                         if item.key[0] == "b"})
    return SignInSheet(
        coop_name=distribution.coop_name,
        date=distribution.date,
        point=distribution.point(point_id),
        volunteers=tuple((v.role, v.name) for v in distribution.volunteers.get(point_id, ())),
        baskets=tuple(distribution.baskets[b] for b in basket_ids if b in distribution.baskets),
        households=households,
        producers=distribution.producers,
    )


@dataclass(frozen=True)
class ProductTotal:
    name: str
    producer: str
    quantity: Decimal
    item: Item
    amount: Decimal
    households: int


def product_totals(households: tuple[Household, ...], producers: dict[int, str]
                   ) -> list[ProductTotal]:
    """Per product (or basket), the quantity to hand over and what members pay for it."""
    from coopfood.i18n import sort_key

    sums: dict[tuple[str, int], ProductTotal] = {}
    for household in households:
        for item in household.items:
            entry = sums.get(item.key)
            sums[item.key] = ProductTotal(
                item.name, producers.get(item.producer_id, ""), item.quantity, item, item.amount,
                1) if entry is None else replace(
                entry, quantity=entry.quantity + item.quantity, amount=entry.amount + item.amount,
                households=entry.households + 1)
    totals = list(sums.values())
    totals.sort(key=lambda t: (sort_key(t.producer), sort_key(t.name), t.item.key))
    return totals


# --- measuring ----------------------------------------------------------------------------


def _qty(item: Item) -> str:
    text = quantity_text(item.quantity, item.unit)
    return ESTIMATE + text if item.estimated else text


def _item_lines(item: Item) -> tuple[str, ...]:
    return wrap(printable(item.name), REGULAR, ITEM_SIZE, ITEM_ROOM)


def _name_lines(household: Household) -> tuple[str, ...]:
    name = printable(household.name)
    if household.absent:
        name += " " + _("(absent)")
    return wrap(name, BOLD, NAME_SIZE, X_PRICE_RIGHT - X_ITEM)


def _co_lines(household: Household) -> tuple[str, ...]:
    if not household.co_member:
        return ()
    return wrap(_("avec {name}").format(name=printable(household.co_member)), REGULAR,
                ITEM_SIZE, X_PRICE_RIGHT - X_ITEM)


def _head_height(household: Household) -> float:
    lines = len(_name_lines(household)) * NAME_LINE + len(_co_lines(household)) * LINE
    contact = (1 if household.phone else 0) + (1 if household.email else 0)
    return float(max(lines, contact * LINE, NAME_LINE) + 2 * ROW_PAD)


def _item_height(item: Item) -> float:
    return float(len(_item_lines(item)) * LINE + ROW_PAD)


# --- drawing --------------------------------------------------------------------------------


def _draw_headings(sheet: Sheet, top: float) -> None:
    sheet.fill(LEFT, top - HEADINGS_H, RIGHT - LEFT, HEADINGS_H, LIGHT)
    y = top - HEADINGS_H + 2 * mm
    size = 7.5
    sheet.text(X_NUMBER + 1 * mm, y, _("N°"), BOLD, size)
    sheet.text(X_ITEM, y, _("Foyer / article"), BOLD, size)
    sheet.right(X_QTY_RIGHT, y, _("Quantité"), BOLD, size)
    sheet.right(X_PRICE_RIGHT, y, _("Prix unit."), BOLD, size)
    sheet.centre(X_DELIVERED + DELIVERED_W / 2, y, _("Qté / poids livré"), BOLD, 6.5)
    sheet.right(X_TOTAL_RIGHT - 1 * mm, y, _("Total"), BOLD, size)


def _draw_head(sheet: Sheet, top: float, household: Household, continued: bool) -> None:
    height = _head_height(household)
    sheet.fill(LEFT, top - height, RIGHT - LEFT, height, LIGHTER)
    sheet.hline(LEFT, RIGHT, top, 0.8)
    y = top - ROW_PAD - 3.4 * mm
    number = str(household.row_number) if household.row_number is not None else "—"
    sheet.text(X_NUMBER + 1 * mm, y - 0.3 * mm, number, BOLD, 12)
    lines = _name_lines(household)
    for index, line in enumerate(lines):
        if continued and index == len(lines) - 1:
            line = fit(line + " " + _("(suite)"), BOLD, NAME_SIZE, X_PRICE_RIGHT - X_ITEM)
        sheet.text(X_ITEM, y - index * NAME_LINE, line, BOLD, NAME_SIZE)
    y_co = y - len(lines) * NAME_LINE + 0.5 * mm
    for index, line in enumerate(_co_lines(household)):
        sheet.text(X_ITEM, y_co - index * LINE, line, REGULAR, ITEM_SIZE)
    y_contact = y
    room = RIGHT - X_PRICE_RIGHT - 2 * mm
    for contact in (household.phone, household.email):
        if contact:
            sheet.right(RIGHT - 1 * mm, y_contact, fit(printable(contact), REGULAR, ITEM_SIZE,
                                                        room), REGULAR, ITEM_SIZE)
            y_contact -= LINE


def _draw_item(sheet: Sheet, top: float, item: Item, producer: str) -> None:
    y = top - LINE + 0.6 * mm
    lines = _item_lines(item)
    for index, line in enumerate(lines):
        sheet.text(X_ITEM, y - index * LINE, line, REGULAR, ITEM_SIZE)
    last = lines[-1]
    room = ITEM_ROOM + 20 * mm - width(last, REGULAR, ITEM_SIZE) - 3 * mm
    if producer and room > 12 * mm:
        sheet.grey(True)
        sheet.text(X_ITEM + width(last, REGULAR, ITEM_SIZE) + 2 * mm,
                   y - (len(lines) - 1) * LINE, fit(producer, CONDENSED, 6.5, room),
                   CONDENSED, 6.5)
        sheet.grey(False)
    sheet.right(X_QTY_RIGHT, y, _qty(item), REGULAR, ITEM_SIZE)
    sheet.right(X_PRICE_RIGHT, y, money_text(item.unit_price), REGULAR, ITEM_SIZE)
    if item.delivered is not None:
        sheet.centre(X_DELIVERED + DELIVERED_W / 2, y, quantity_text(item.delivered, item.unit),
                     REGULAR, ITEM_SIZE)
    elif item.variable_weight:
        sheet.box(X_DELIVERED, top - LINE - 0.2 * mm, DELIVERED_W, LINE - 0.4 * mm, 0.5)
    sheet.right(X_TOTAL_RIGHT - 1 * mm, y, money_text(item.amount), REGULAR, ITEM_SIZE)
    sheet.hline(X_ITEM, RIGHT, top - _item_height(item) + 0.2, 0.15)


def _draw_foot(sheet: Sheet, top: float, household: Household) -> None:
    box_top = top - 1.5 * mm
    box_h = FOOT_H - 3 * mm
    y = box_top - box_h + 2.5 * mm
    label = _("Montant dû (estimé)") if household.estimated else _("Montant dû")
    sheet.text(X_ITEM, top - 4.6 * mm, label, REGULAR, 7.5)
    sheet.text(X_ITEM, y - 0.5 * mm, money_text(household.amount), BOLD, 11)
    x_balance = X_ITEM + 42 * mm
    sheet.text(x_balance, top - 4.6 * mm, _("Solde"), REGULAR, 7.5)
    sheet.box(x_balance + 10 * mm, box_top - box_h, 26 * mm, box_h)
    x_paid = x_balance + 40 * mm
    sheet.text(x_paid, top - 4.6 * mm, _("Payé"), REGULAR, 7.5)
    sheet.box(x_paid + 8 * mm, box_top - 5 * mm, 4.5 * mm, 4.5 * mm)
    x_sign = x_paid + 17 * mm
    sheet.text(x_sign, top - 4.6 * mm, _("Signature"), REGULAR, 7.5)
    sheet.box(x_sign + 15 * mm, box_top - box_h, RIGHT - x_sign - 15 * mm, box_h)


# --- the first page's header ---------------------------------------------------------------


@dataclass(frozen=True)
class _Intro:
    title: str
    lines: tuple[tuple[str, str, float], ...]  # (text, font, size)

    @property
    def height(self) -> float:
        return float(9 * mm + sum(size * 1.3 for _t, _f, size in self.lines) + 2 * mm
                     + HEADINGS_H)


def _intro(data: SignInSheet) -> _Intro:
    room = RIGHT - LEFT
    point = data.point
    lines: list[tuple[str, str, float]] = []
    lines.append((fit(printable(data.coop_name), BOLD, 10, room), BOLD, 10))
    for line in wrap(printable(point.name), BOLD, 12, room):
        lines.append((line, BOLD, 12))
    address = ", ".join(t for t in (point.address, f"{point.postal_code} {point.city}".strip())
                        if t)
    if address:
        lines.append((fit(printable(address), REGULAR, 9, room), REGULAR, 9))
    when = "{date}, {slot}".format(date=format_date(data.date, style="full"),
                                   slot=time_slot(point.start_time, point.end_time))
    lines.append((when, BOLD, 10))
    if data.volunteers:
        shifts = " ; ".join(
            f"{printable(role)} : {printable(name) if name else _('à pourvoir')}"
            for role, name in data.volunteers)
        for line in wrap(_("Permanence — {shifts}").format(shifts=shifts), REGULAR, 8.5, room):
            lines.append((line, REGULAR, 8.5))
    else:
        lines.append((_("Permanence — personne n'est inscrit."), REGULAR, 8.5))
    if data.baskets:
        lines.append((_("Contenu des paniers de la semaine"), BOLD, 8.5))
        for basket in data.baskets:
            producer = data.producers.get(basket.producer_id, "")
            text = "{name} ({producer}) : {items}".format(
                name=printable(basket.name), producer=printable(producer),
                items=", ".join(printable(i) for i in basket.items))
            for line in wrap(text, REGULAR, 8, room):
                lines.append((line, REGULAR, 8))
    if any(item.estimated for h in data.households for item in h.items):
        lines.append((_("≈ : poids estimé, à peser à la distribution ; inscrire le poids livré "
                        "dans la case."), REGULAR, 7.5))
    return _Intro(_("Feuille d'émargement"), tuple(lines))


def _draw_intro(intro: _Intro) -> Draw:
    def draw(sheet: Sheet, _y: float) -> None:
        y = TOP - 6 * mm
        sheet.text(LEFT, y, intro.title, BOLD, 16)
        y -= 3 * mm
        for text, font, size in intro.lines:
            y -= size * 1.3
            sheet.text(LEFT, y, text, font, size)
        _draw_headings(sheet, y - 2 * mm)
    return draw


def _continuation_header(data: SignInSheet, headings: Callable[[Sheet, float], None]
                         ) -> tuple[Draw, float]:
    title = fit("{title} — {point} — {date}".format(
        title=_("Feuille d'émargement"), point=printable(data.point.name),
        date=format_date(data.date, style="full")), BOLD, 10, RIGHT - LEFT)

    def draw(sheet: Sheet, _y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, title, BOLD, 10)
        headings(sheet, TOP - 6.5 * mm)
    return draw, 6.5 * mm + HEADINGS_H + 1 * mm


# --- the totals per product -------------------------------------------------------------------

TOTAL_ROW = 4.6 * mm
X_T_PRODUCER = LEFT + 70 * mm
X_T_COUNT_RIGHT = LEFT + 135 * mm
X_T_QTY_RIGHT = LEFT + 160 * mm


def _draw_total_headings(sheet: Sheet, top: float) -> None:
    sheet.fill(LEFT, top - HEADINGS_H, RIGHT - LEFT, HEADINGS_H, LIGHT)
    y = top - HEADINGS_H + 2 * mm
    sheet.text(LEFT + 1 * mm, y, _("Produit"), BOLD, 7.5)
    sheet.text(X_T_PRODUCER, y, _("Producteur"), BOLD, 7.5)
    sheet.right(X_T_COUNT_RIGHT, y, _("Foyers"), BOLD, 7.5)
    sheet.right(X_T_QTY_RIGHT, y, _("Quantité"), BOLD, 7.5)
    sheet.right(RIGHT - 1 * mm, y, _("Montant"), BOLD, 7.5)


def _draw_total_row(sheet: Sheet, top: float, total: ProductTotal) -> None:
    y = top - TOTAL_ROW + 1.4 * mm
    sheet.text(LEFT + 1 * mm, y, fit(printable(total.name), REGULAR, 8.5, 67 * mm),
               REGULAR, 8.5)
    sheet.text(X_T_PRODUCER, y, fit(printable(total.producer), REGULAR, 8.5, 50 * mm),
               REGULAR, 8.5)
    sheet.right(X_T_COUNT_RIGHT, y, str(total.households), REGULAR, 8.5)
    qty = quantity_text(total.quantity, total.item.unit)
    sheet.right(X_T_QTY_RIGHT, y, ESTIMATE + qty if total.item.estimated else qty,
                REGULAR, 8.5)
    sheet.right(RIGHT - 1 * mm, y, money_text(total.amount), REGULAR, 8.5)
    sheet.hline(LEFT, RIGHT, top - TOTAL_ROW, 0.15)


# --- the document -------------------------------------------------------------------------


def draw_sign_in_sheet(data: SignInSheet, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    """Draw the sheet into `target` (a path or a binary stream)."""
    intro = _intro(data)
    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(_draw_intro(intro), intro.height)
    pager.new_page()
    header, header_h = _continuation_header(data, _draw_headings)
    pager.set_header(header, header_h)

    for household in data.households:
        _place_household(pager, household, data.producers)
    if not data.households:
        pager.place(8 * mm, lambda s, y: s.text(LEFT, y - 5 * mm, _(
            "Aucune commande à ce point pour cette distribution."), REGULAR, 10), 0)

    totals = product_totals(data.households, data.producers)
    title = _("Totaux par produit")
    grand_total = sum((h.amount for h in data.households), Decimal("0.00"))

    def section(sheet: Sheet, y: float) -> None:
        sheet.text(LEFT, y - 6 * mm, title, BOLD, 12)
        _draw_total_headings(sheet, y - 8 * mm)

    section_h = 8 * mm + HEADINGS_H
    if not pager.fits(section_h + 3 * TOTAL_ROW + GAP):
        pager.new_page()
    pager.skip(GAP)
    pager.place(section_h, section, 0)
    total_header, _h = _continuation_header(data, _draw_total_headings)
    pager.set_header(total_header, header_h)
    for total in totals:
        pager.place(TOTAL_ROW, _total_drawer(total))

    def grand(sheet: Sheet, y: float) -> None:
        sheet.hline(LEFT, RIGHT, y - 0.5 * mm, 0.8)
        sheet.text(LEFT + 1 * mm, y - 5 * mm, _("Total à encaisser ({n} foyers)").format(
            n=len(data.households)), BOLD, 9.5)
        sheet.right(RIGHT - 1 * mm, y - 5 * mm, money_text(grand_total), BOLD, 9.5)
    pager.place(7 * mm, grand)

    sheet = Sheet(target, title=_("Feuille d'émargement — {point}").format(
        point=data.point.name), stamp=stamp, total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()


def _total_drawer(total: ProductTotal) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        _draw_total_row(sheet, y, total)
    return draw


def _place_household(pager: Pager, household: Household, producers: dict[int, str]) -> None:
    head_h = _head_height(household)
    heights = [_item_height(item) for item in household.items]
    total = head_h + sum(heights) + FOOT_H + GAP
    names = [printable(producers.get(item.producer_id, "")) for item in household.items]

    def draw_all(sheet: Sheet, top: float) -> None:
        _draw_head(sheet, top, household, False)
        y = top - head_h
        for item, height, producer in zip(household.items, heights, names, strict=True):
            _draw_item(sheet, y, item, producer)
            y -= height
        _draw_foot(sheet, y, household)

    rows = len(household.items) + 2
    if total <= pager.full_height:
        pager.place(total, draw_all, rows)
        return
    # Taller than a page: the items run on, under the household's name repeated.
    index = 0
    first = True
    while True:
        if not first or not pager.fits(head_h + heights[0] + FOOT_H if heights else 0):
            pager.new_page()
        room = pager.room() - head_h
        start = index
        used = 0.0
        while index < len(heights) and used + heights[index] <= room - (
                FOOT_H + GAP if index == len(heights) - 1 else 0):
            used += heights[index]
            index += 1
        if index == start and index < len(heights):
            index += 1  # an item taller than a page: never happens, never loop
        chunk = list(range(start, index))
        last = index >= len(heights)

        def draw_part(sheet: Sheet, top: float, chunk: list[int] = chunk, last: bool = last,
                      continued: bool = not first) -> None:
            _draw_head(sheet, top, household, continued)
            y = top - head_h
            for i in chunk:
                _draw_item(sheet, y, household.items[i], names[i])
                y -= heights[i]
            if last:
                _draw_foot(sheet, y, household)

        pager.place(head_h + used + (FOOT_H + GAP if last else 0), draw_part, len(chunk) + 1)
        first = False
        if last:
            return
