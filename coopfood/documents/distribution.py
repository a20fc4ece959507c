"""Gathering a distribution's data for its documents: a handful of queries, no ORM objects.

`gather_distribution` reads everything the four distribution-day documents
need (points, households, lines, volunteers, basket compositions) in one
session with seven queries, whatever the number of households; each document
module then shapes it (`sign_in_sheet`, `pickup_list`, …) and draws it.
Quantities follow the distribution's state: what is to be handed over is the
allocated quantity once the cycle is closed, the ordered one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.documents.common import quantity_text
from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.money import line_total
from coopfood.i18n import _, format_number, sort_key
from coopfood.persistence.models import (
    BasketContent,
    BasketType,
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    Shift,
    household_name,
)
from coopfood.services import NotFound


@dataclass(frozen=True)
class Item:
    """One line of a household's order, as it is printed."""

    #: ("p", product id) or ("b", basket type id): what the per-product totals group by.
    key: tuple[str, int]
    name: str
    producer_id: int
    unit: Unit
    #: Priced per kg and weighed at delivery: the quantity is an estimate.
    variable_weight: bool
    #: What is to be handed over: allocated at closing, else ordered.
    quantity: Decimal
    #: Keyed back after the distribution; None until then.
    delivered: Decimal | None
    #: What the member pays per unit (snapshot on the line).
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        """What the member pays for the line: the delivered quantity once keyed back."""
        return line_total(self.unit_price,
                          self.delivered if self.delivered is not None else self.quantity)

    @property
    def estimated(self) -> bool:
        return self.variable_weight and self.delivered is None


@dataclass(frozen=True)
class Household:
    order_id: int
    member_id: int
    #: The number printed on the sign-in sheet and keyed back after distribution.
    row_number: int | None
    name: str
    co_member: str
    #: Only when the member allowed it to be printed; else "".
    phone: str
    email: str
    absent: bool
    items: tuple[Item, ...]

    @property
    def amount(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))

    @property
    def estimated(self) -> bool:
        return any(item.estimated for item in self.items)


@dataclass(frozen=True)
class Point:
    id: int
    name: str
    address: str
    postal_code: str
    city: str
    start_time: dt.time
    end_time: dt.time


@dataclass(frozen=True)
class Volunteer:
    role: str
    #: None: nobody took the shift yet.
    name: str | None


@dataclass(frozen=True)
class BasketWeek:
    """A basket type's composition for the week of the distribution."""

    basket_type_id: int
    name: str
    producer_id: int
    items: tuple[str, ...]


@dataclass(frozen=True)
class Distribution:
    coop_name: str
    cycle_id: int
    cycle_name: str
    date: dt.date
    state: CycleState
    points: tuple[Point, ...]
    #: Per point id, the households in alphabetical order.
    households: dict[int, tuple[Household, ...]]
    volunteers: dict[int, tuple[Volunteer, ...]]
    baskets: dict[int, BasketWeek]
    producers: dict[int, str]

    def point(self, point_id: int) -> Point:
        return next(p for p in self.points if p.id == point_id)


def _week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _content_label(label: str, quantity: Decimal | None, unit: Unit | None) -> str:
    if quantity is None:
        return label
    if unit is None:
        return f"{label} × {format_number(quantity)}"
    return f"{label} {quantity_text(quantity, unit)}"


def gather_distribution(session: Session, *, cycle_id: int,
                        point_ids: Collection[int] | None = None) -> Distribution:
    """Everything the distribution-day documents print, for the cycle and (some of) its points."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(_("La distribution n° {id} n'existe pas.").format(id=cycle_id))
    coop_name = session.scalar(select(Coop.name).order_by(Coop.id).limit(1)) or ""

    point_query = (
        select(DistributionPoint.id, DistributionPoint.name, DistributionPoint.address,
               DistributionPoint.postal_code, DistributionPoint.city,
               DistributionPoint.start_time, DistributionPoint.end_time)
        .join(CyclePoint, CyclePoint.point_id == DistributionPoint.id)
        .where(CyclePoint.cycle_id == cycle_id)
    )
    if point_ids is not None:
        point_query = point_query.where(DistributionPoint.id.in_(list(point_ids)))
    points = sorted((Point(*row) for row in session.execute(point_query)),
                    key=lambda p: sort_key(p.name))
    wanted = [p.id for p in points]

    producers = {pid: name for pid, name in session.execute(select(Producer.id, Producer.name))}

    order_rows = session.execute(
        select(Order.id, Order.point_id, Order.row_number, Order.absent, Member.id,
               Member.last_name, Member.first_name, Member.co_member_name, Member.phone,
               Member.print_phone, Member.email, Member.print_email)
        .join(Member, Member.id == Order.member_id)
        .where(Order.cycle_id == cycle_id, Order.point_id.in_(wanted))
    ).all()

    line_rows = session.execute(
        select(OrderLine.order_id, OrderLine.product_id, OrderLine.basket_type_id,
               OrderLine.quantity_ordered, OrderLine.quantity_allocated,
               OrderLine.quantity_delivered, OrderLine.member_unit_price,
               Product.name, Product.unit, Product.variable_weight, Product.producer_id,
               BasketType.name, BasketType.producer_id)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
        .where(Order.cycle_id == cycle_id, Order.point_id.in_(wanted))
    ).all()

    items: dict[int, list[Item]] = {}
    for (order_id, product_id, basket_id, ordered, allocated, delivered, price, product,
         unit, variable, product_producer, basket, basket_producer) in line_rows:
        if product_id is not None:
            item = Item(("p", product_id), product, product_producer, unit, bool(variable),
                        allocated if allocated is not None else ordered, delivered, price)
        else:
            assert basket_id is not None
            item = Item(("b", basket_id), basket, basket_producer, Unit.BASKET, False,
                        allocated if allocated is not None else ordered, delivered, price)
        items.setdefault(order_id, []).append(item)

    def item_order(item: Item) -> tuple[int, str, str]:
        return (0 if item.key[0] == "b" else 1, sort_key(producers.get(item.producer_id, "")),
                sort_key(item.name))

    households: dict[int, list[tuple[tuple[str, str, int], Household]]] = {p: [] for p in wanted}
    for (order_id, point_id, row_number, absent, member_id, last, first, co_member, phone,
         print_phone, email, print_email) in order_rows:
        household = Household(
            order_id=order_id, member_id=member_id, row_number=row_number,
            name=household_name(last, first), co_member=co_member or "",
            phone=phone if print_phone and phone else "",
            email=email if print_email and email else "",
            absent=bool(absent),
            items=tuple(sorted(items.get(order_id, ()), key=item_order)),
        )
        households[point_id].append(((sort_key(last), sort_key(first), member_id), household))

    volunteers: dict[int, list[Volunteer]] = {p: [] for p in wanted}
    for point_id, role, last, first in session.execute(
        select(Shift.point_id, Shift.role, Member.last_name, Member.first_name)
        .outerjoin(Member, Member.id == Shift.member_id)
        .where(Shift.cycle_id == cycle_id, Shift.point_id.in_(wanted))
        .order_by(Shift.id)
    ):
        name = household_name(last, first) if last is not None else None
        volunteers[point_id].append(Volunteer(role, name))

    contents: dict[int, list[str]] = {}
    basket_rows = session.execute(
        select(BasketType.id, BasketType.name, BasketType.producer_id, BasketContent.label,
               BasketContent.quantity, BasketContent.unit)
        .join(BasketContent, BasketContent.basket_type_id == BasketType.id)
        .where(BasketContent.week_start == _week_start(cycle.distribution_date))
        .order_by(BasketType.id, BasketContent.position)
    ).all()
    baskets: dict[int, BasketWeek] = {}
    for basket_id, name, producer_id, label, quantity, content_unit in basket_rows:
        contents.setdefault(basket_id, []).append(_content_label(label, quantity, content_unit))
        baskets[basket_id] = BasketWeek(basket_id, name, producer_id, ())
    baskets = {bid: BasketWeek(b.basket_type_id, b.name, b.producer_id, tuple(contents[bid]))
               for bid, b in baskets.items()}

    return Distribution(
        coop_name=coop_name, cycle_id=cycle.id, cycle_name=cycle.name,
        date=cycle.distribution_date, state=cycle.state, points=tuple(points),
        households={p: tuple(h for _k, h in sorted(rows, key=lambda r: r[0]))
                    for p, rows in households.items()},
        volunteers={p: tuple(v) for p, v in volunteers.items()},
        baskets=baskets, producers=producers,
    )
