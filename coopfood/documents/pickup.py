"""Liste de préparation producteur: what one producer brings to a distribution.

Totals per product first (what to load in the van), then per point, then per
household at each point (name and quantity). A product weighed at delivery
shows the ordered weight marked « estimé ».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

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
    printable,
    quantity_text,
    time_slot,
    wrap,
)
from coopfood.documents.distribution import BasketWeek, Distribution, Item, Point
from coopfood.documents.layout import (
    HEADINGS_HEIGHT,
    ROW_HEIGHT,
    Column,
    Columns,
    Draw,
    Pager,
    draw_pages,
)
from coopfood.i18n import _, format_date, ngettext, sort_key

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT


@dataclass(frozen=True)
class PickupLine:
    """A household's quantity of one product."""

    row_number: int | None
    household: str
    item: Item


@dataclass(frozen=True)
class PickupPoint:
    point: Point
    #: Per household (alphabetical), its items from this producer.
    households: tuple[tuple[int | None, str, tuple[Item, ...]], ...]


@dataclass(frozen=True)
class PickupList:
    coop_name: str
    date: dt.date
    producer_id: int
    producer: str
    baskets: tuple[BasketWeek, ...]
    points: tuple[PickupPoint, ...]


def producers_of(distribution: Distribution) -> list[int]:
    """The producers with something to bring, alphabetical."""
    ids = {item.producer_id for households in distribution.households.values()
           for h in households for item in h.items if item.quantity > 0}
    return sorted(ids, key=lambda p: sort_key(distribution.producers.get(p, "")))


def pickup_list(distribution: Distribution, producer_id: int) -> PickupList:
    points = []
    basket_ids: set[int] = set()
    for point in distribution.points:
        rows = []
        for household in distribution.households.get(point.id, ()):
            items = tuple(item for item in household.items
                          if item.producer_id == producer_id and item.quantity > 0)
            if items:
                rows.append((household.row_number, household.name, items))
                basket_ids.update(i.key[1] for i in items if i.key[0] == "b")
        if rows:
            points.append(PickupPoint(point, tuple(rows)))
    return PickupList(
        coop_name=distribution.coop_name, date=distribution.date, producer_id=producer_id,
        producer=distribution.producers.get(producer_id, ""),
        baskets=tuple(distribution.baskets[b] for b in sorted(basket_ids)
                      if b in distribution.baskets),
        points=tuple(points),
    )


@dataclass
class _Total:
    item: Item
    quantity: Decimal
    households: int


def _totals(groups: list[tuple[int | None, str, tuple[Item, ...]]]) -> list[_Total]:
    sums: dict[tuple[str, int], _Total] = {}
    for _number, _name, items in groups:
        for item in items:
            total = sums.get(item.key)
            if total is None:
                sums[item.key] = _Total(item, item.quantity, 1)
            else:
                total.quantity += item.quantity
                total.households += 1
    return sorted(sums.values(), key=lambda t: (t.item.key[0] != "b", sort_key(t.item.name),
                                                t.item.key))


def _qty(item: Item, quantity: Decimal) -> str:
    text = quantity_text(quantity, item.unit)
    return _("{quantity} estimé").format(quantity=text) if item.variable_weight else text


def _households(n: int) -> str:
    return ngettext("{n} foyer", "{n} foyers", n).format(n=n)


def _product_columns() -> Columns:
    return Columns([
    Column(_("Produit"), LEFT + 1 * mm, 110 * mm),
    Column(_("Foyers"), LEFT + 112 * mm, 20 * mm, True),
    Column(_("Quantité"), LEFT + 134 * mm, RIGHT - LEFT - 135 * mm, True),
    ])


def _household_columns() -> Columns:
    return Columns([
    Column(_("N°"), LEFT + 1 * mm, 9 * mm, True),
    Column(_("Foyer"), LEFT + 13 * mm, 75 * mm),
    Column(_("Produit"), LEFT + 90 * mm, 58 * mm),
    Column(_("Quantité"), LEFT + 149 * mm, RIGHT - LEFT - 150 * mm, True),
    ])


def draw_pickup_list(data: PickupList, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    producer = printable(data.producer)
    date = format_date(data.date, style="full")
    room = RIGHT - LEFT
    intro: list[tuple[str, str, float]] = [(line, BOLD, 13) for line in
                                           wrap(producer, BOLD, 13, room)]
    intro.append((_("Distribution du {date}").format(date=date), BOLD, 10))
    for p in data.points:
        text = f"{printable(p.point.name)} — {time_slot(p.point.start_time, p.point.end_time)}"
        intro.append((fit(text, REGULAR, 9, room), REGULAR, 9))
    if any(item.variable_weight for p in data.points for _n, _h, items in p.households
           for item in items):
        intro.append((_("« estimé » : produit pesé à la livraison ; la quantité commandée est "
                        "une estimation."), REGULAR, 8))
    intro_h = 9 * mm + sum(size * 1.3 for _t, _f, size in intro) + 3 * mm

    def draw_intro(sheet: Sheet, _y: float) -> None:
        y = TOP - 6 * mm
        sheet.text(LEFT, y, _("Liste de préparation"), BOLD, 16)
        y -= 3 * mm
        for text, font, size in intro:
            y -= size * 1.3
            sheet.text(LEFT, y, text, font, size)

    title = fit("{title} — {producer} — {date}".format(
        title=_("Liste de préparation"), producer=producer, date=date), BOLD, 10, room)

    def header_with(columns: Columns | None) -> tuple[Draw, float]:
        def draw(sheet: Sheet, _y: float) -> None:
            sheet.text(LEFT, TOP - 4 * mm, title, BOLD, 10)
            if columns is not None:
                columns.draw_headings(sheet, TOP - 6.5 * mm)
        return draw, 7.5 * mm + (HEADINGS_HEIGHT if columns is not None else 0)

    product_columns, household_columns = _product_columns(), _household_columns()
    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(draw_intro, intro_h)
    pager.new_page()

    def section(heading: str, columns: Columns, first_rows: float) -> None:
        height = 9 * mm + HEADINGS_HEIGHT
        if not pager.fits(height + first_rows):
            pager.set_header(*header_with(None))
            pager.new_page()

        def draw(sheet: Sheet, y: float) -> None:
            sheet.text(LEFT, y - 6.5 * mm, heading, BOLD, 12)
            columns.draw_headings(sheet, y - 9 * mm)
        pager.place(height, draw, 0)
        pager.set_header(*header_with(columns))

    def sub_heading(text: str, columns: Columns, rows_after: int) -> None:
        height = 6.5 * mm
        if not pager.fits(height + rows_after * ROW_HEIGHT):
            pager.new_page()

        def draw(sheet: Sheet, y: float) -> None:
            sheet.text(LEFT + 1 * mm, y - 4.8 * mm, text, BOLD, 9.5)
            sheet.hline(LEFT, RIGHT, y - height + 0.3 * mm, 0.6)
        pager.place(height, draw, 0)

    def row(columns: Columns, cells: tuple[str, ...], bold: bool = False) -> None:
        pager.place(ROW_HEIGHT, _row_drawer(columns, cells, bold))

    everyone = [g for p in data.points for g in p.households]
    section(_("Totaux par produit"), product_columns, 3 * ROW_HEIGHT)
    for total in _totals(everyone):
        row(product_columns, (printable(total.item.name), str(total.households),
                              _qty(total.item, total.quantity)))
    if not everyone:
        row(product_columns, (_("Rien à préparer pour cette distribution."), "", ""))
    for basket in data.baskets:
        lines = wrap("{name} : {items}".format(
            name=printable(basket.name), items=", ".join(printable(i) for i in basket.items)),
            REGULAR, 8, room)
        height = 1.5 * mm + len(lines) * 3.6 * mm

        def draw_basket(sheet: Sheet, y: float, lines: tuple[str, ...] = lines) -> None:
            for index, line in enumerate(lines):
                sheet.text(LEFT + 1 * mm, y - 4 * mm - index * 3.6 * mm, line, REGULAR, 8)
        pager.place(height, draw_basket, 0)

    if len(data.points) > 1:
        section(_("Par point de distribution"), product_columns, 6 * mm + 2 * ROW_HEIGHT)
        for p in data.points:
            totals = _totals(list(p.households))
            sub_heading(_point_heading(p), product_columns, min(len(totals), 3))
            for total in totals:
                row(product_columns, (printable(total.item.name), str(total.households),
                                      _qty(total.item, total.quantity)))

    if everyone:
        section(_("Par foyer"), household_columns, 6 * mm + 2 * ROW_HEIGHT)
    for p in data.points:
        sub_heading(_point_heading(p), household_columns, 1)
        for number, name, items in p.households:
            cells = [(str(number) if number is not None else "", printable(name),
                      printable(item.name), _qty(item, item.quantity)) if i == 0 else
                     ("", "", printable(item.name), _qty(item, item.quantity))
                     for i, item in enumerate(items)]
            # A household's lines stay together on one page.
            pager.place(len(cells) * ROW_HEIGHT, _rows_drawer(household_columns, cells),
                        len(cells))

    sheet = Sheet(target, title=_("Liste de préparation — {producer}").format(
        producer=data.producer), stamp=stamp, total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()


def _point_heading(p: PickupPoint) -> str:
    slot = time_slot(p.point.start_time, p.point.end_time)
    return f"{printable(p.point.name)} — {slot} — {_households(len(p.households))}"


def _row_drawer(columns: Columns, cells: tuple[str, ...], bold: bool
                ) -> Callable[[Sheet, float], None]:
    def draw(sheet: Sheet, y: float) -> None:
        columns.draw_row(sheet, y, cells, bold=bold)
    return draw


def _rows_drawer(columns: Columns, rows: Sequence[tuple[str, ...]]
                 ) -> Callable[[Sheet, float], None]:
    def draw(sheet: Sheet, y: float) -> None:
        for index, cells in enumerate(rows):
            columns.draw_row(sheet, y - index * ROW_HEIGHT, cells,
                             rule=index == len(rows) - 1)
    return draw
