"""Bon de commande: the blank order form of a distribution point, to fill in by hand.

The co-op, the distribution date, the point and the order deadline head the
form; then a line for the household's name and payment reference, the
products offered grouped by producer with their unit and member price, and
an empty box per product for the quantity (and one for the amount); a total
box, a name and a signature close it. A product weighed at delivery is
marked « ≈ »: its price is per kg and its amount follows the weight handed
over.

`gather_order_forms` reads what every point's forms print (the PDF here and
the workbooks of `coopfood.order_form_xlsx`) in one session; the prices are
those of the order grid (`coopfood.services.orders.offered_products`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

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
    money_text,
    printable,
    time_slot,
    width,
    wrap,
)
from coopfood.documents.distribution import Point
from coopfood.documents.layout import Draw, Pager, draw_pages
from coopfood.domain.enums import CycleState, Unit
from coopfood.i18n import _, format_date, sort_key
from coopfood.persistence.models import (
    Coop,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    household_name,
)
from coopfood.services.orders import alphabetical_key, find_cycle, offered_products

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT

#: Marks a product weighed at delivery (priced per kg, amount on the weight handed over).
WEIGHED = "≈"

# Columns, as x positions.
X_NAME = LEFT + 2 * mm
NAME_ROOM = 96 * mm
X_UNIT = LEFT + 101 * mm
UNIT_ROOM = 20 * mm
X_PRICE_RIGHT = LEFT + 141 * mm
X_QTY = LEFT + 144 * mm
QTY_W = 20 * mm
X_AMOUNT = LEFT + 167 * mm
AMOUNT_W = RIGHT - X_AMOUNT

NAME_SIZE = 9
NAME_LINE = 4 * mm
ROW_MIN = 7.5 * mm
PRODUCER_H = 7 * mm
HEADINGS_H = 6 * mm
CLOSING_H = 36 * mm


# --- what a form prints ---------------------------------------------------------------------


@dataclass(frozen=True)
class FormProduct:
    """A product offered, as the form prints it."""

    product_id: int
    name: str
    unit: Unit
    #: What a member pays per unit on the distribution date (per kg when weighed).
    member_price: Decimal
    variable_weight: bool


@dataclass(frozen=True)
class ProducerOffer:
    producer_id: int
    producer: str
    products: tuple[FormProduct, ...]


@dataclass(frozen=True)
class FormHousehold:
    """A household of the point, for the workbooks made for each one."""

    member_id: int
    name: str
    co_member: str
    #: Its payment reference (printed on statements, matched on bank lines).
    reference: str


@dataclass(frozen=True)
class PointForm:
    """Everything one point's order forms print."""

    coop_name: str
    cycle_id: int
    date: dt.date
    #: Orders are taken until then (None: no deadline set).
    deadline: dt.datetime | None
    point: Point
    offer: tuple[ProducerOffer, ...]
    #: The point's households (not archived) and anyone with an order there, alphabetical.
    households: tuple[FormHousehold, ...]

    @property
    def products(self) -> tuple[FormProduct, ...]:
        return tuple(p for group in self.offer for p in group.products)


@dataclass(frozen=True)
class OrderForms:
    cycle_id: int
    date: dt.date
    state: CycleState
    points: tuple[PointForm, ...]
    #: Offered products without a price on the distribution date: left off the forms.
    unpriced: tuple[str, ...]


def gather_order_forms(session: Session, *, cycle_id: int,
                       point_ids: Collection[int] | None = None) -> OrderForms:
    """The forms of a distribution's points (or of `point_ids` among them), in four queries."""
    cycle = find_cycle(session, cycle_id)
    coop_name = session.scalar(select(Coop.name).order_by(Coop.id).limit(1)) or ""
    query = (
        select(DistributionPoint.id, DistributionPoint.name, DistributionPoint.address,
               DistributionPoint.postal_code, DistributionPoint.city,
               DistributionPoint.start_time, DistributionPoint.end_time)
        .join(CyclePoint, CyclePoint.point_id == DistributionPoint.id)
        .where(CyclePoint.cycle_id == cycle_id)
    )
    if point_ids is not None:
        query = query.where(DistributionPoint.id.in_(list(point_ids)))
    points = sorted((Point(*row) for row in session.execute(query)),
                    key=lambda p: sort_key(p.name))

    offer: dict[int, list[FormProduct]] = {}
    names: dict[int, str] = {}
    unpriced: list[str] = []
    for product in offered_products(session, cycle):  # by producer, then name
        if product.member_price is None:
            unpriced.append(product.name)
            continue
        names[product.producer_id] = product.producer
        offer.setdefault(product.producer_id, []).append(FormProduct(
            product.product_id, product.name, product.unit, product.member_price,
            product.variable_weight))
    grouped = tuple(ProducerOffer(pid, names[pid], tuple(items)) for pid, items in offer.items())

    wanted = [p.id for p in points]
    households: dict[int, list[tuple[tuple[str, str, int], FormHousehold]]] = {
        p: [] for p in wanted}
    for member_id, last, first, co_member, reference, home, order_point in session.execute(
        select(Member.id, Member.last_name, Member.first_name, Member.co_member_name,
               Member.payment_reference, Member.point_id, Order.point_id)
        .outerjoin(Order, and_(Order.member_id == Member.id, Order.cycle_id == cycle_id))
        .where(or_(Order.point_id.in_(wanted),
                   and_(Order.id.is_(None), Member.point_id.in_(wanted),
                        Member.archived_at.is_(None))))
    ):
        point_id = order_point if order_point is not None else home
        households[point_id].append((
            alphabetical_key(last, first, member_id),
            FormHousehold(member_id, household_name(last, first), co_member or "", reference)))

    return OrderForms(
        cycle_id=cycle.id, date=cycle.distribution_date, state=cycle.state,
        points=tuple(
            PointForm(coop_name=coop_name, cycle_id=cycle.id, date=cycle.distribution_date,
                      deadline=cycle.order_deadline, point=point, offer=grouped,
                      households=tuple(h for _k, h in sorted(households[point.id],
                                                             key=lambda r: r[0])))
            for point in points),
        unpriced=tuple(unpriced),
    )


# --- the texts both formats share -----------------------------------------------------------


def deadline_text(deadline: dt.datetime | None) -> str:
    """« À rendre avant le mardi 3 mars 2026 à 19:00 », in the computer's local time."""
    if deadline is None:
        return _("Date limite de commande : non fixée")
    local = deadline.astimezone() if deadline.tzinfo is not None else deadline
    return _("À rendre avant le {date} à {time}").format(
        date=format_date(local.date(), style="full"), time=f"{local:%H:%M}")


def point_text(point: Point) -> str:
    """« Nord — 17:00–19:30 — 1 place du Marché, 26400 Crest »"""
    address = ", ".join(t for t in (point.address, f"{point.postal_code} {point.city}".strip())
                        if t)
    parts = [point.name, time_slot(point.start_time, point.end_time)]
    if address:
        parts.append(address)
    return " — ".join(parts)


def unit_text(product: FormProduct) -> str:
    return f"{product.unit.label} {WEIGHED}" if product.variable_weight else product.unit.label


# --- drawing --------------------------------------------------------------------------------


def _name_lines(product: FormProduct) -> tuple[str, ...]:
    return wrap(printable(product.name), REGULAR, NAME_SIZE, NAME_ROOM, max_lines=2)


def _row_height(product: FormProduct) -> float:
    return float(max(ROW_MIN, len(_name_lines(product)) * NAME_LINE + 3.5 * mm))


def _draw_headings(sheet: Sheet, top: float) -> None:
    sheet.fill(LEFT, top - HEADINGS_H, RIGHT - LEFT, HEADINGS_H, LIGHT)
    y = top - HEADINGS_H + 2 * mm
    size = 7.5
    sheet.text(X_NAME, y, _("Produit"), BOLD, size)
    sheet.text(X_UNIT, y, _("Unité"), BOLD, size)
    sheet.right(X_PRICE_RIGHT, y, _("Prix unit."), BOLD, size)
    sheet.centre(X_QTY + QTY_W / 2, y, _("Quantité"), BOLD, size)
    sheet.centre(X_AMOUNT + AMOUNT_W / 2, y, _("Montant"), BOLD, size)


def _draw_producer(sheet: Sheet, top: float, name: str) -> None:
    sheet.fill(LEFT, top - PRODUCER_H, RIGHT - LEFT, PRODUCER_H, LIGHTER)
    sheet.hline(LEFT, RIGHT, top - PRODUCER_H, 0.6)
    sheet.text(LEFT + 1 * mm, top - PRODUCER_H + 2.3 * mm,
               fit(printable(name), BOLD, 10, RIGHT - LEFT - 2 * mm), BOLD, 10)


def _draw_product(sheet: Sheet, top: float, product: FormProduct) -> None:
    height = _row_height(product)
    lines = _name_lines(product)
    middle = top - height / 2 - 1.1 * mm  # the baseline of a line centred in the row
    first = middle + (len(lines) - 1) * NAME_LINE / 2
    for index, line in enumerate(lines):
        sheet.text(X_NAME, first - index * NAME_LINE, line, REGULAR, NAME_SIZE)
    sheet.text(X_UNIT, middle, fit(unit_text(product), REGULAR, NAME_SIZE, UNIT_ROOM),
               REGULAR, NAME_SIZE)
    sheet.right(X_PRICE_RIGHT, middle, money_text(product.member_price), REGULAR, NAME_SIZE)
    box_h = min(height - 2 * mm, 6 * mm)
    box_y = top - height / 2 - box_h / 2
    sheet.box(X_QTY, box_y, QTY_W, box_h, 0.6)
    sheet.box(X_AMOUNT, box_y, AMOUNT_W, box_h, 0.4)
    sheet.hline(LEFT, RIGHT, top - height, 0.15)


def _intro_lines(data: PointForm) -> list[tuple[str, str, float]]:
    room = RIGHT - LEFT
    lines: list[tuple[str, str, float]] = []
    if data.coop_name:
        lines.extend((line, BOLD, 10) for line in wrap(printable(data.coop_name), BOLD, 10,
                                                         room, max_lines=2))
    lines.append((_("Distribution du {date}").format(
        date=format_date(data.date, style="full")), BOLD, 12))
    lines.extend((line, REGULAR, 9.5) for line in wrap(
        printable(point_text(data.point)), REGULAR, 9.5, room, max_lines=2))
    lines.append((deadline_text(data.deadline), BOLD, 10))
    return lines


def _note_lines(data: PointForm) -> tuple[str, ...]:
    note = _("Inscrivez la quantité voulue dans la case « Quantité » ; laissez vide ce que vous "
             "ne commandez pas.")
    if any(p.variable_weight for p in data.products):
        note += " " + _("{mark} : produit pesé à la distribution, prix au kg ; le montant suit "
                        "le poids remis.").format(mark=WEIGHED)
    return wrap(note, REGULAR, 8, RIGHT - LEFT)


HOUSEHOLD_H = 22 * mm


def _draw_household(sheet: Sheet, top: float) -> None:
    """The household's lines: who orders, their payment reference, how to reach them."""
    y = top - 6 * mm
    label = _("Foyer (nom, prénom) :")
    sheet.text(LEFT, y, label, BOLD, 10)
    start = LEFT + width(label, BOLD, 10) + 2 * mm
    reference = _("Référence :")
    x_reference = LEFT + 122 * mm
    sheet.hline(start, x_reference - 3 * mm, y - 1 * mm, 0.5)
    sheet.text(x_reference, y, reference, REGULAR, 9)
    sheet.hline(x_reference + width(reference, REGULAR, 9) + 2 * mm, RIGHT, y - 1 * mm, 0.5)
    y -= 7.5 * mm
    contact = _("Téléphone ou e-mail :")
    sheet.text(LEFT, y, contact, REGULAR, 9)
    sheet.hline(LEFT + width(contact, REGULAR, 9) + 2 * mm, x_reference - 3 * mm, y - 1 * mm,
                0.5)


def _draw_closing(sheet: Sheet, top: float) -> None:
    """The total box, then the name, the date and the signature."""
    y = top - 2 * mm
    box_h = 6 * mm
    sheet.right(X_AMOUNT - 3 * mm, y - box_h + 1.8 * mm, _("Total"), BOLD, 10)
    sheet.box(X_AMOUNT, y - box_h, AMOUNT_W, box_h, 0.8)
    y -= box_h + 8 * mm
    name = _("Nom :")
    sheet.text(LEFT, y, name, REGULAR, 9.5)
    sheet.hline(LEFT + width(name, REGULAR, 9.5) + 2 * mm, LEFT + 80 * mm, y - 1 * mm, 0.5)
    date = _("Date :")
    sheet.text(LEFT, y - 9 * mm, date, REGULAR, 9.5)
    sheet.hline(LEFT + width(date, REGULAR, 9.5) + 2 * mm, LEFT + 80 * mm, y - 10 * mm, 0.5)
    signature = _("Signature :")
    x_sign = LEFT + 90 * mm
    sheet.text(x_sign, y, signature, REGULAR, 9.5)
    box_x = x_sign + width(signature, REGULAR, 9.5) + 3 * mm
    sheet.box(box_x, y - 16 * mm, RIGHT - box_x, 18 * mm, 0.6)


def draw_order_form(data: PointForm, target: str | Path | BinaryIO, stamp: Stamp) -> Stats:
    """Draw the point's blank order form into `target` (a path or a binary stream)."""
    intro = _intro_lines(data)
    note = _note_lines(data)
    intro_h = (9 * mm + sum(size * 1.3 for _t, _f, size in intro) + HOUSEHOLD_H
               + len(note) * 3.6 * mm + 2 * mm + HEADINGS_H)

    def draw_intro(sheet: Sheet, _y: float) -> None:
        y = TOP - 6 * mm
        sheet.text(LEFT, y, _("Bon de commande"), BOLD, 16)
        y -= 3 * mm
        for text, font, size in intro:
            y -= size * 1.3
            sheet.text(LEFT, y, text, font, size)
        y -= 2 * mm
        _draw_household(sheet, y)
        y -= HOUSEHOLD_H
        for line in note:
            sheet.text(LEFT, y, line, REGULAR, 8)
            y -= 3.6 * mm
        _draw_headings(sheet, y + 1 * mm)

    title = fit("{title} — {point} — {date}".format(
        title=_("Bon de commande"), point=printable(data.point.name),
        date=format_date(data.date, style="full")), BOLD, 10, RIGHT - LEFT)

    def draw_header(sheet: Sheet, _y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, title, BOLD, 10)
        _draw_headings(sheet, TOP - 6.5 * mm)

    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(draw_intro, intro_h)
    pager.new_page()
    pager.set_header(draw_header, 6.5 * mm + HEADINGS_H + 1 * mm)
    for group in data.offer:
        first = _row_height(group.products[0]) if group.products else 0.0
        if not pager.fits(PRODUCER_H + first):
            pager.new_page()
        pager.place(PRODUCER_H, _producer_drawer(group.producer), 0)
        for product in group.products:
            height = _row_height(product)
            if not pager.fits(height):  # the producer's name heads the next page too
                pager.new_page()
                pager.place(PRODUCER_H, _producer_drawer(
                    group.producer + " " + _("(suite)")), 0)
            pager.place(height, _product_drawer(product))
    if not data.offer:
        pager.place(8 * mm, lambda s, y: s.text(LEFT, y - 5 * mm, _(
            "Aucun produit n'est proposé dans cette distribution."), REGULAR, 10), 0)
    pager.place(CLOSING_H, _draw_closing, 0)

    sheet = Sheet(target, title=_("Bon de commande — {point}").format(point=data.point.name),
                  stamp=stamp, total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()


def _producer_drawer(name: str) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        _draw_producer(sheet, y, name)
    return draw


def _product_drawer(product: FormProduct) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        _draw_product(sheet, y, product)
    return draw
