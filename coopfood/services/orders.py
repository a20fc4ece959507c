"""Orders: the grid of a distribution (households × products) and what it writes.

`load_grid` reads everything a point's grid shows in a handful of queries;
`set_quantity` writes one cell and returns what changed (the cell, the
household's total, the product's total and what is left under its cap) so a
view refreshes one row and one column. `set_quantity_in` applies the same rules
inside a caller's transaction (an import of orders writes a whole file in one).

Caps are per distribution (across all its points) and are never exceeded by
concurrent writers: on PostgreSQL the offer's row is locked before the total
is summed; on SQLite writers already run one at a time (IMMEDIATE
transactions).

The helpers below the grid (`find_cycle`, `ensure_order`, `snapshot_price`…)
are shared with the cycle, subscription and delivery services.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.allocation import case_pack_status
from coopfood.domain.enums import CaseRule, CycleState, LineSource, Unit
from coopfood.domain.vat import member_price_for
from coopfood.i18n import _, format_date, format_number, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CycleOffer,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, line_amount_cents, raw, sum_cents
from coopfood.services import Actor, NotFound, Role, StaleData, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.products import price_on, prices_in_force

#: Who may take orders (and run distributions); a coordinator only at its points.
ORDER_TAKERS = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Who may read orders and distributions.
ORDER_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})

ZERO_QTY = Decimal("0.000")
NO_VAT = Decimal("0.00")


class CapReached(ValidationError):
    """An order that would take a product over its cap; `remaining` is what is left."""

    def __init__(self, message: str, *, remaining: Decimal) -> None:
        super().__init__(message, field="quantity")
        self.remaining = remaining


# --- what the grid shows ------------------------------------------------------------------


@dataclass(frozen=True)
class GridMember:
    """A row of the grid: a household of the point, with its order if it has one."""

    member_id: int
    name: str
    co_member_name: str
    order_id: int | None
    order_version: int | None
    row_number: int | None
    absent: bool


@dataclass(frozen=True)
class GridProduct:
    """A column of the grid: an offered product."""

    product_id: int
    name: str
    producer_id: int
    producer: str
    unit: Unit
    #: What a member pays per unit on the distribution date (None: no price yet).
    member_price: Decimal | None
    variable_weight: bool
    cap: Decimal | None
    case_pack: Decimal | None
    case_rule: CaseRule


@dataclass(frozen=True)
class GridData:
    cycle_id: int
    point_id: int
    distribution_date: dt.date
    state: CycleState
    #: Whether cells may be changed (the distribution is open).
    editable: bool
    #: Households in alphabetical order (accents and case do not count).
    members: tuple[GridMember, ...]
    #: Offered products by producer, then name.
    products: tuple[GridProduct, ...]
    #: (member id, product id) → quantity ordered; cells left empty are absent.
    quantities: Mapping[tuple[int, int], Decimal]
    #: Product id → quantity ordered at this point.
    point_totals: Mapping[int, Decimal]
    #: Product id → quantity ordered in the whole distribution (all points: caps count it).
    product_totals: Mapping[int, Decimal]
    #: Member id → amount of its order (every line, baskets included), at snapshot prices.
    member_totals: Mapping[int, Decimal]

    def remaining(self, product_id: int) -> Decimal | None:
        """What is left under the product's cap (None: no cap)."""
        product = next(p for p in self.products if p.product_id == product_id)
        if product.cap is None:
            return None
        return product.cap - self.product_totals.get(product_id, ZERO_QTY)


@dataclass(frozen=True)
class CellResult:
    """What one cell's change changed: refresh this row and this column."""

    cycle_id: int
    member_id: int
    product_id: int
    quantity: Decimal
    #: None when the household has no order (it set 0 on an empty cell).
    order_id: int | None
    order_version: int | None
    row_number: int | None
    #: The household's order amount, every line included.
    member_total: Decimal
    #: The product's total in the whole distribution.
    product_total: Decimal
    #: What is left under the cap (None: no cap).
    remaining: Decimal | None
    #: Units missing to complete the started case (None: not sold by the case).
    case_missing: Decimal | None
    #: False when the quantity was already that one (nothing written).
    changed: bool


# --- helpers shared with the other distribution services -----------------------------------


def alphabetical_key(last_name: str, first_name: str, member_id: int) -> tuple[str, str, int]:
    """French alphabetical order of households: accents and case do not count."""
    return sort_key(last_name), sort_key(first_name), member_id


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def cycle_label(cycle: Cycle) -> str:
    """« Distribution n° 8 du jeudi 3 décembre 2026 »"""
    return _("Distribution n° {id} du {date}").format(
        id=cycle.id, date=format_date(cycle.distribution_date, style="full"))


def quantity_text(qty: Decimal, unit: Unit) -> str:
    """« 4 douzaines », « 1 botte », « 1,235 kg »: a quantity with its unit, in French."""
    label = unit.label
    if unit not in (Unit.KG, Unit.G) and qty >= 2:  # French: « 1,5 douzaine »
        label += "s"
    return f"{format_number(qty)} {label}"


def find_cycle(session: Session, cycle_id: int, *, lock: str | None = None) -> Cycle:
    """The cycle, optionally locked on PostgreSQL: "share" for order writers, "update" for
    a change of state (which then waits for the writers in progress)."""
    query = select(Cycle).where(Cycle.id == cycle_id)
    if lock == "share":
        query = query.with_for_update(read=True)
    elif lock == "update":
        query = query.with_for_update()
    cycle = session.scalars(query.execution_options(populate_existing=True)).first()
    if cycle is None:
        raise NotFound(_("Distribution n° {id} introuvable.").format(id=cycle_id))
    return cycle


def cycle_point_ids(session: Session, cycle_id: int) -> list[int]:
    return list(session.scalars(select(CyclePoint.point_id)
                                .where(CyclePoint.cycle_id == cycle_id)
                                .order_by(CyclePoint.point_id)))


def require_orders_open(cycle: Cycle) -> None:
    """Orders change only while the distribution is open."""
    if cycle.state is CycleState.OPEN:
        return
    if cycle.state is CycleState.DRAFT:
        raise ValidationError(
            _("La distribution n'est pas encore ouverte aux commandes : ouvrez-la d'abord."),
            field="state")
    if cycle.state is CycleState.CLOSED:
        raise ValidationError(
            _("La distribution est clôturée : rouvrez-la pour modifier les commandes."),
            field="state")
    raise ValidationError(
        _("La distribution a eu lieu ({state}) : les commandes ne changent plus ; corrigez "
          "les quantités livrées.").format(state=cycle.state.label.lower()), field="state")


def coop_fee(session: Session) -> Decimal:
    fee = session.scalar(select(Coop.fee_percent).order_by(Coop.id).limit(1))
    return fee if fee is not None else NO_VAT


def paid_price(price_ht: Decimal, product: Product, producer: Producer, fee: Decimal) -> Decimal:
    """What a member pays per unit: VAT only when the producer charges it, plus the fee."""
    return member_price_for(price_ht, product.vat_rate, producer.vat_regime, fee)


def snapshot_price(session: Session, product: Product, day: dt.date) -> tuple[Decimal, Decimal]:
    """(price HT, member price) in force on the distribution day, for a new order line."""
    price = price_on(session, product_id=product.id, day=day)
    if price is None:
        raise ValidationError(
            _("« {name} » n'a pas de prix au {date} : donnez-lui un prix avant de le "
              "commander.").format(name=product.name, date=format_date(day)), field="product_id")
    return price, paid_price(price, product, product.producer, coop_fee(session))


def ensure_order(session: Session, *, cycle: Cycle, member_id: int, point_id: int) -> Order:
    """The household's order in the cycle, made (with the next row number) if it has none."""
    return ensure_orders(session, cycle=cycle, points_by_member={member_id: point_id})[member_id]


def ensure_orders(session: Session, *, cycle: Cycle,
                  points_by_member: Mapping[int, int]) -> dict[int, Order]:
    """The orders of these households in the cycle; those missing are made at the given point.

    New orders take the next row numbers of their point, in alphabetical order
    of the households. On PostgreSQL, writers creating orders at a point take
    turns (its row is locked) so that two never take the same number.
    """
    if not points_by_member:
        return {}
    query = select(Order).where(Order.cycle_id == cycle.id,
                                Order.member_id.in_(list(points_by_member)))
    orders = {order.member_id: order for order in session.scalars(query)}
    missing = [m for m in points_by_member if m not in orders]
    if not missing:
        return orders
    points = sorted({points_by_member[m] for m in missing})
    if is_postgresql(session):
        session.execute(select(DistributionPoint.id).where(DistributionPoint.id.in_(points))
                        .order_by(DistributionPoint.id).with_for_update(key_share=True))
        orders = {order.member_id: order for order in session.scalars(
            query.execution_options(populate_existing=True))}
        missing = [m for m in points_by_member if m not in orders]
    last: dict[int, int] = {
        point_id: number or 0 for point_id, number in session.execute(
            select(Order.point_id, func.max(Order.row_number))
            .where(Order.cycle_id == cycle.id, Order.point_id.in_(points))
            .group_by(Order.point_id))}
    names = session.execute(select(Member.id, Member.last_name, Member.first_name)
                            .where(Member.id.in_(missing))).all()
    created = []
    for member_id, _last, _first in sorted(
            names, key=lambda r: alphabetical_key(r[1], r[2], r[0])):
        point_id = points_by_member[member_id]
        last[point_id] = last.get(point_id, 0) + 1
        order = Order(cycle_id=cycle.id, member_id=member_id, point_id=point_id,
                      row_number=last[point_id], absent=False)
        orders[member_id] = order
        created.append(order)
    session.add_all(created)
    session.flush()
    return orders


def order_total(session: Session, order_id: int) -> Decimal:
    """What the household pays for its order: delivered, else allocated, else ordered."""
    qty = func.coalesce(OrderLine.quantity_delivered, OrderLine.quantity_allocated,
                        OrderLine.quantity_ordered)
    cents = session.scalar(select(sum_cents(line_amount_cents(OrderLine.member_unit_price, qty)))
                           .where(OrderLine.order_id == order_id))
    return cents_to_money(cents)


def product_total(session: Session, cycle_id: int, product_id: int) -> Decimal:
    """The quantity of a product ordered in the whole distribution."""
    return _decimal_sum(session.scalar(
        select(func.sum(OrderLine.quantity_ordered))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.cycle_id == cycle_id, OrderLine.product_id == product_id)))


@functools.lru_cache(maxsize=4096)
def _from_thousandths(value: int) -> Decimal:
    return Decimal(value).scaleb(-3)


def _decimal_sum(value: object) -> Decimal:
    """A SUM over a ScaledDecimal column (None when there is no row)."""
    if value is None:
        return ZERO_QTY
    assert isinstance(value, Decimal | int)
    return Decimal(value).quantize(Decimal("0.001"))


# --- the grid -------------------------------------------------------------------------------


def load_grid(*, db: Database, actor: Actor, cycle_id: int, point_id: int) -> GridData:
    """Everything the order grid of one point shows, in six queries whatever its size."""
    require(actor, ORDER_READERS, _("consulter les commandes"))
    require_point(actor, point_id, _("consulter les commandes de ce point de distribution"))
    with db.reading() as session:
        cycle = find_cycle(session, cycle_id)
        if point_id not in cycle_point_ids(session, cycle_id):
            raise ValidationError(
                _("Le point de distribution n° {point} ne fait pas partie de la {cycle}.").format(
                    point=point_id, cycle=cycle_label(cycle).lower()), field="point_id")
        members = _grid_members(session, cycle_id, point_id)
        products = offered_products(session, cycle)
        quantities: dict[tuple[int, int], Decimal] = {}
        point_totals: dict[int, Decimal] = {}
        # The cells come as stored (integer thousandths): a grid holds few distinct values,
        # each turned into a Decimal once.
        for member_id, product_id, thousandths in session.connection().execute(
            select(Order.member_id, OrderLine.product_id,
                   raw(func.sum(raw(OrderLine.quantity_ordered))))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, Order.point_id == point_id,
                   OrderLine.product_id.is_not(None))
            .group_by(Order.member_id, OrderLine.product_id)
        ):
            if product_id is None:
                continue
            value = _from_thousandths(int(thousandths))
            quantities[(member_id, product_id)] = value
            point_totals[product_id] = point_totals.get(product_id, ZERO_QTY) + value
        product_totals = {
            product_id: _decimal_sum(qty) for product_id, qty in session.execute(
                select(OrderLine.product_id, func.sum(OrderLine.quantity_ordered))
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.cycle_id == cycle_id, OrderLine.product_id.is_not(None))
                .group_by(OrderLine.product_id))
            if product_id is not None
        }
        qty_due = func.coalesce(OrderLine.quantity_delivered, OrderLine.quantity_allocated,
                                OrderLine.quantity_ordered)
        member_totals = {
            member_id: cents_to_money(cents) for member_id, cents in session.execute(
                select(Order.member_id,
                       sum_cents(line_amount_cents(OrderLine.member_unit_price, qty_due)))
                .join(OrderLine, OrderLine.order_id == Order.id)
                .where(Order.cycle_id == cycle_id, Order.point_id == point_id)
                .group_by(Order.member_id))
        }
    return GridData(
        cycle_id=cycle_id, point_id=point_id, distribution_date=cycle.distribution_date,
        state=cycle.state, editable=cycle.state is CycleState.OPEN, members=members,
        products=products, quantities=quantities, point_totals=point_totals,
        product_totals=product_totals, member_totals=member_totals,
    )


def _grid_members(session: Session, cycle_id: int, point_id: int) -> tuple[GridMember, ...]:
    """The point's households (not archived) and anyone with an order at the point."""
    rows = sorted(session.execute(
        select(Member.id, Member.last_name, Member.first_name, Member.co_member_name,
               Order.id, Order.version, Order.row_number, Order.absent)
        .outerjoin(Order, and_(Order.member_id == Member.id, Order.cycle_id == cycle_id))
        .where(or_(Order.point_id == point_id,
                   and_(Order.id.is_(None), Member.point_id == point_id,
                        Member.archived_at.is_(None))))
    ), key=lambda r: alphabetical_key(r[1], r[2], r[0]))
    return tuple(
        GridMember(member_id=member_id, name=household_name(last, first),
                   co_member_name=co_name, order_id=order_id, order_version=version,
                   row_number=row_number, absent=bool(absent))
        for member_id, last, first, co_name, order_id, version, row_number, absent in rows
    )


def offered_products(session: Session, cycle: Cycle) -> tuple[GridProduct, ...]:
    """The cycle's offer with each product's member price on the distribution date."""
    day = cycle.distribution_date
    prices = prices_in_force(day)
    fee = coop_fee(session)
    rows = sorted(session.execute(
        select(CycleOffer.cap, Product, Producer, prices.c.price_ht)
        .join(Product, Product.id == CycleOffer.product_id)
        .join(Producer, Producer.id == Product.producer_id)
        .outerjoin(prices, prices.c.product_id == Product.id)
        .where(CycleOffer.cycle_id == cycle.id)
    ), key=lambda r: (sort_key(r[2].name), sort_key(r[1].name), r[1].id))
    return tuple(
        GridProduct(
            product_id=product.id, name=product.name, producer_id=producer.id,
            producer=producer.name, unit=product.unit,
            member_price=None if price is None else paid_price(price, product, producer, fee),
            variable_weight=product.variable_weight, cap=cap, case_pack=product.case_pack,
            case_rule=product.case_rule,
        )
        for cap, product, producer, price in rows
    )


# --- one cell -------------------------------------------------------------------------------


def set_quantity(
    *, db: Database, actor: Actor, cycle_id: int, member_id: int, product_id: int,
    quantity: Decimal | int | str, expected_order_version: int | None = None,
) -> CellResult:
    """Set what a household orders of a product (0 removes it); refused over the cap.

    The first line of a product takes a snapshot of its price on the distribution
    date; changing the quantity keeps the snapshot and the line's place in the
    order of arrival. An order made on stale data (`expected_order_version`) is
    refused.
    """
    require(actor, ORDER_TAKERS, _("saisir des commandes"))
    who = _("Le bon de commande de ce foyer")
    try:
        with db.transaction() as session:
            member = session.get(Member, member_id)
            if member is not None:
                who = _("Le bon de commande de {name}").format(name=member.display_name)
            cycle = find_cycle(session, cycle_id, lock="share")
            return set_quantity_in(
                session, actor=actor, cycle=cycle, member_id=member_id, product_id=product_id,
                quantity=quantity, expected_order_version=expected_order_version)
    except StaleDataError:
        raise StaleData(who) from None


def set_quantity_in(
    session: Session, *, actor: Actor, cycle: Cycle, member_id: int, product_id: int,
    quantity: Decimal | int | str, point_id: int | None = None,
    expected_order_version: int | None = None,
) -> CellResult:
    """`set_quantity` within the caller's transaction: an import writes many cells in one.

    `cycle` comes from `find_cycle(session, …, lock="share")`. `point_id` is the point
    where a household with no order yet collects it (by default its own point); a
    household that has an order keeps that order's point, and another one is refused.
    """
    require(actor, ORDER_TAKERS, _("saisir des commandes"))
    qty = check.positive_quantity(quantity, field="quantity", label=_("La quantité"))
    require_orders_open(cycle)
    cycle_id = cycle.id
    offer = session.scalars(
        select(CycleOffer)
        .where(CycleOffer.cycle_id == cycle_id, CycleOffer.product_id == product_id)
        .with_for_update()).first()
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(_("Produit n° {id} introuvable.").format(id=product_id))
    if offer is None:
        raise ValidationError(
            _("« {name} » n'est pas proposé dans cette distribution.").format(
                name=product.name), field="product_id")
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Adhérent n° {id} introuvable.").format(id=member_id))
    order = session.scalars(select(Order).where(
        Order.cycle_id == cycle_id, Order.member_id == member_id)).first()
    if order is not None and point_id is not None and point_id != order.point_id:
        raise ValidationError(
            _("{name} a déjà une commande au point « {point} » dans cette distribution.").format(
                name=member.display_name, point=_point_name(session, order.point_id)),
            field="point_id")
    if order is not None:
        point_id = order.point_id
    elif point_id is None:
        point_id = member.point_id
    _check_point(session, actor, cycle, member, point_id)
    if expected_order_version is not None and (
            order is None or order.version != expected_order_version):
        raise StaleData(_("Le bon de commande de {name}").format(name=member.display_name))
    lines = [] if order is None else list(session.scalars(
        select(OrderLine)
        .where(OrderLine.order_id == order.id, OrderLine.product_id == product_id)
        .order_by(OrderLine.created_at, OrderLine.id)))
    old = sum((line.quantity_ordered for line in lines), ZERO_QTY)
    others = product_total(session, cycle_id, product_id) - old
    if qty != old:
        if offer.cap is not None and qty > old and others + qty > offer.cap:
            raise cap_reached(product.name, product.unit, offer.cap, others, old)
        assert point_id is not None
        order = ensure_order(session, cycle=cycle, member_id=member_id, point_id=point_id)
        _write_cell(session, cycle, order, product, lines, qty)
        order.updated_at = dt.datetime.now(dt.UTC)  # a new version of the order
        session.flush()
    total = others + qty
    if order is None:
        return CellResult(
            cycle_id=cycle_id, member_id=member_id, product_id=product_id,
            quantity=qty, order_id=None, order_version=None, row_number=None,
            member_total=Decimal("0.00"), product_total=total,
            remaining=None if offer.cap is None else offer.cap - total,
            case_missing=_case_missing(product, total), changed=False)
    return CellResult(
        cycle_id=cycle_id, member_id=member_id, product_id=product_id, quantity=qty,
        order_id=order.id, order_version=order.version, row_number=order.row_number,
        member_total=order_total(session, order.id), product_total=total,
        remaining=None if offer.cap is None else offer.cap - total,
        case_missing=_case_missing(product, total), changed=qty != old)


def _point_name(session: Session, point_id: int) -> str:
    point = session.get(DistributionPoint, point_id)
    return point.name if point is not None else str(point_id)


def _check_point(session: Session, actor: Actor, cycle: Cycle, member: Member,
                 point_id: int | None) -> None:
    if point_id is None or point_id not in cycle_point_ids(session, cycle.id):
        raise ValidationError(
            _("{name} n'est rattaché à aucun point de cette distribution : choisissez d'abord "
              "son point de distribution.").format(name=member.display_name),
            field="member_id")
    require_point(actor, point_id, _("saisir les commandes de ce point de distribution"))


def cap_reached(name: str, unit: Unit, cap: Decimal, others: Decimal,
                old: Decimal) -> CapReached:
    """The refusal of an order over a cap: `others` is what the other households ordered,
    `old` what this one had."""
    left = max(cap - others - old, ZERO_QTY)
    message = _("Plafond atteint pour {name} : il reste {left}.").format(
        name=name, left=quantity_text(left, unit))
    if old > 0:
        message += " " + _("Ce foyer en a déjà {old} : {most} au plus.").format(
            old=format_number(old), most=quantity_text(old + left, unit))
    return CapReached(message, remaining=left)


def _write_cell(session: Session, cycle: Cycle, order: Order, product: Product,
                lines: list[OrderLine], qty: Decimal) -> None:
    if qty == 0:
        for line in lines:
            session.delete(line)
        return
    if lines:
        lines[0].quantity_ordered = qty
        for extra in lines[1:]:
            session.delete(extra)
        return
    price_ht, member_unit_price = snapshot_price(session, product, cycle.distribution_date)
    now = dt.datetime.now(dt.UTC)
    session.add(OrderLine(
        order_id=order.id, product_id=product.id, source=LineSource.A_LA_CARTE,
        quantity_ordered=qty, unit_price_ht=price_ht, vat_rate=product.vat_rate,
        member_unit_price=member_unit_price, created_at=now, updated_at=now,
    ))


def _case_missing(product: Product, total: Decimal) -> Decimal | None:
    if product.case_pack is None:
        return None
    return case_pack_status(total, product.case_pack).missing
