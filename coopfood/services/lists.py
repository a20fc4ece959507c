"""The lists the window and the command line show: one frozen row per record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime
from coopfood.i18n import sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Contract,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    MembershipFee,
    Order,
    OrderLine,
    Producer,
    Product,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, line_amount_cents, sum_cents
from coopfood.services import Actor, Role
from coopfood.services.products import prices_in_force


@dataclass(frozen=True)
class ProducerRow:
    id: int
    name: str
    legal_form: str
    siret: str | None
    vat_regime: VatRegime
    city: str
    email: str
    phone: str
    billing_mandate_date: dt.date | None
    product_count: int
    archived: bool


@dataclass(frozen=True)
class ProductRow:
    id: int
    name: str
    producer_id: int
    producer: str
    unit: Unit
    price_ht: Decimal | None
    vat_rate: Decimal
    variable_weight: bool
    case_pack: Decimal | None
    category: str
    label: str
    active: bool
    archived: bool


@dataclass(frozen=True)
class PointRow:
    id: int
    name: str
    address: str
    city: str
    weekday: int
    start_time: dt.time
    end_time: dt.time
    member_count: int
    archived: bool


@dataclass(frozen=True)
class MemberRow:
    id: int
    name: str
    co_member_name: str
    email: str | None
    phone: str
    city: str
    point_id: int | None
    point: str
    partner: str
    payment_reference: str
    fee_years: tuple[int, ...]
    archived: bool


@dataclass(frozen=True)
class CycleRow:
    id: int
    name: str
    date: dt.date
    points: tuple[str, ...]
    point_ids: tuple[int, ...]
    state: CycleState
    order_deadline: dt.datetime | None
    order_count: int
    amount: Decimal


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_producers(
    *, db: Database, actor: Actor, search: str = "", include_archived: bool = False
) -> list[ProducerRow]:
    product_count = (
        select(func.count(Product.id))
        .where(Product.producer_id == Producer.id)
        .correlate(Producer)
        .scalar_subquery()
    )
    query = select(Producer, product_count).order_by(Producer.name)
    if actor.role is Role.PRODUCER:
        query = query.where(Producer.id == actor.producer_id)
    if not include_archived:
        query = query.where(Producer.archived_at.is_(None))
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                Producer.name.ilike(pattern, escape="\\"),
                Producer.city.ilike(pattern, escape="\\"),
                Producer.siret.ilike(pattern, escape="\\"),
            )
        )
    with db.reading() as session:
        rows = [
            ProducerRow(
                id=p.id,
                name=p.name,
                legal_form=p.legal_form,
                siret=p.siret,
                vat_regime=p.vat_regime,
                city=p.city,
                email=p.email,
                phone=p.phone,
                billing_mandate_date=p.billing_mandate_date,
                product_count=count,
                archived=p.archived_at is not None,
            )
            for p, count in session.execute(query)
        ]
    return sorted(rows, key=lambda row: sort_key(row.name))


def list_products(
    *,
    db: Database,
    actor: Actor,
    search: str = "",
    producer_id: int | None = None,
    on: dt.date | None = None,
    include_archived: bool = False,
) -> list[ProductRow]:
    """Products with the price in force on `on` (today by default)."""
    day = on or dt.date.today()
    price = prices_in_force(day)
    query = (
        select(Product, Producer.name, price.c.price_ht)
        .join(Producer, Product.producer_id == Producer.id)
        .outerjoin(price, price.c.product_id == Product.id)
        .order_by(Producer.name, Product.name)
    )
    if actor.role is Role.PRODUCER:
        query = query.where(Product.producer_id == actor.producer_id)
    if producer_id is not None:
        query = query.where(Product.producer_id == producer_id)
    if not include_archived:
        query = query.where(Product.archived_at.is_(None))
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                Product.name.ilike(pattern, escape="\\"),
                Producer.name.ilike(pattern, escape="\\"),
                Product.category.ilike(pattern, escape="\\"),
            )
        )
    with db.reading() as session:
        rows = [
            ProductRow(
                id=p.id,
                name=p.name,
                producer_id=p.producer_id,
                producer=producer_name,
                unit=p.unit,
                price_ht=price,
                vat_rate=p.vat_rate,
                variable_weight=p.variable_weight,
                case_pack=p.case_pack,
                category=p.category,
                label=p.label,
                active=p.active,
                archived=p.archived_at is not None,
            )
            for p, producer_name, price in session.execute(query)
        ]
    return sorted(rows, key=lambda row: (sort_key(row.producer), sort_key(row.name)))


def list_points(
    *, db: Database, actor: Actor, include_archived: bool = False
) -> list[PointRow]:
    member_count = (
        select(func.count(Member.id))
        .where(Member.point_id == DistributionPoint.id, Member.archived_at.is_(None))
        .correlate(DistributionPoint)
        .scalar_subquery()
    )
    query = select(DistributionPoint, member_count).order_by(DistributionPoint.name)
    if not include_archived:
        query = query.where(DistributionPoint.archived_at.is_(None))
    if actor.role is Role.COORDINATOR:
        query = query.where(DistributionPoint.id.in_(actor.point_ids))
    with db.reading() as session:
        rows = [
            PointRow(
                id=p.id,
                name=p.name,
                address=p.address,
                city=p.city,
                weekday=p.weekday,
                start_time=p.start_time,
                end_time=p.end_time,
                member_count=count,
                archived=p.archived_at is not None,
            )
            for p, count in session.execute(query)
        ]
    return sorted(rows, key=lambda row: sort_key(row.name))


def list_members(
    *,
    db: Database,
    actor: Actor,
    search: str = "",
    point_id: int | None = None,
    include_archived: bool = False,
) -> list[MemberRow]:
    partner = select(Member.last_name, Member.first_name, Member.id).subquery("partner")
    query = (
        select(Member, DistributionPoint.name, partner.c.last_name, partner.c.first_name)
        .outerjoin(DistributionPoint, Member.point_id == DistributionPoint.id)
        .outerjoin(partner, partner.c.id == Member.partner_id)
        .order_by(Member.last_name, Member.first_name, Member.id)
    )
    if actor.role is Role.COORDINATOR:
        query = query.where(Member.point_id.in_(actor.point_ids))
    elif actor.role is Role.PRODUCER:
        return []
    if point_id is not None:
        query = query.where(Member.point_id == point_id)
    if not include_archived:
        query = query.where(Member.archived_at.is_(None))
    if search:
        pattern = _like(search)
        query = query.where(
            or_(
                Member.last_name.ilike(pattern, escape="\\"),
                Member.first_name.ilike(pattern, escape="\\"),
                Member.email.ilike(pattern, escape="\\"),
                Member.payment_reference.ilike(pattern, escape="\\"),
            )
        )
    with db.reading() as session:
        rows = session.execute(query).all()
        fees: dict[int, list[int]] = {}
        for member_id, year in session.execute(
            select(MembershipFee.member_id, MembershipFee.year).order_by(MembershipFee.year)
        ):
            fees.setdefault(member_id, []).append(year)
    return [
        MemberRow(
            id=m.id,
            name=household_name(m.last_name, m.first_name),
            co_member_name=m.co_member_name,
            email=m.email,
            phone=m.phone,
            city=m.city,
            point_id=m.point_id,
            point=point_name or "",
            partner=household_name(p_last, p_first) if p_last is not None else "",
            payment_reference=m.payment_reference,
            fee_years=tuple(fees.get(m.id, ())),
            archived=m.archived_at is not None,
        )
        for m, point_name, p_last, p_first in sorted(
            rows, key=lambda r: (sort_key(r[0].last_name), sort_key(r[0].first_name), r[0].id))
    ]


def list_cycles(*, db: Database, actor: Actor, state: CycleState | None = None) -> list[CycleRow]:
    """Distributions, newest first, with their order count and amount due.

    The amount is what members pay: delivered quantities where keyed back,
    ordered ones otherwise, each line rounded to the cent.
    """
    qty = func.coalesce(OrderLine.quantity_delivered, OrderLine.quantity_ordered)
    amount = sum_cents(line_amount_cents(OrderLine.member_unit_price, qty))
    totals = (
        select(
            Order.cycle_id,
            func.count(func.distinct(Order.id)).label("orders"),
            amount.label("cents"),
        )
        .join(OrderLine, OrderLine.order_id == Order.id)
        .group_by(Order.cycle_id)
    )
    query = select(Cycle).order_by(Cycle.distribution_date.desc(), Cycle.id.desc())
    if state is not None:
        query = query.where(Cycle.state == state)
        # Only those cycles' lines: the dashboard asks for the open ones at start-up, and a
        # large co-op's history holds a million lines it has no need to add up.
        totals = totals.where(Order.cycle_id.in_(select(Cycle.id).where(Cycle.state == state)))
    visible_points: frozenset[int] | None = None
    if actor.role is Role.COORDINATOR:
        visible_points = actor.point_ids
        totals = totals.where(Order.point_id.in_(visible_points))
    with db.reading() as session:
        cycles = session.scalars(query).all()
        sums = {cycle_id: (orders, cents) for cycle_id, orders, cents in session.execute(totals)}
        points: dict[int, list[tuple[int, str]]] = {}
        for cycle_id, point_id, name in session.execute(
            select(CyclePoint.cycle_id, DistributionPoint.id, DistributionPoint.name)
            .join(DistributionPoint, DistributionPoint.id == CyclePoint.point_id)
            .order_by(DistributionPoint.name)
        ):
            if visible_points is None or point_id in visible_points:
                points.setdefault(cycle_id, []).append((point_id, name))
    result = []
    for c in cycles:
        if visible_points is not None and c.id not in points:
            continue
        orders, cents = sums.get(c.id, (0, 0))
        result.append(
            CycleRow(
                id=c.id,
                name=c.name,
                date=c.distribution_date,
                points=tuple(name for _, name in points.get(c.id, ())),
                point_ids=tuple(pid for pid, _ in points.get(c.id, ())),
                state=c.state,
                order_deadline=c.order_deadline,
                order_count=int(orders),
                amount=cents_to_money(cents),
            )
        )
    return result


@dataclass(frozen=True)
class BasketTypeRow:
    id: int
    name: str
    producer_id: int
    producer: str
    price_ht: Decimal
    vat_rate: Decimal
    #: Contracts not archived that subscribe to it.
    contract_count: int
    archived: bool


def list_basket_types(*, db: Database, actor: Actor,
                      include_archived: bool = False) -> list[BasketTypeRow]:
    """Basket types by producer then name; a producer account sees only its own."""
    contracts = (
        select(func.count(Contract.id))
        .where(Contract.basket_type_id == BasketType.id, Contract.archived_at.is_(None))
        .correlate(BasketType)
        .scalar_subquery()
    )
    query = select(BasketType, Producer.name, contracts).join(
        Producer, Producer.id == BasketType.producer_id)
    if actor.role is Role.PRODUCER:
        query = query.where(BasketType.producer_id == actor.producer_id)
    if not include_archived:
        query = query.where(BasketType.archived_at.is_(None))
    with db.reading() as session:
        rows = [
            BasketTypeRow(
                id=b.id, name=b.name, producer_id=b.producer_id, producer=producer,
                price_ht=b.price_ht, vat_rate=b.vat_rate, contract_count=count,
                archived=b.archived_at is not None,
            )
            for b, producer, count in session.execute(query)
        ]
    return sorted(rows, key=lambda r: (sort_key(r.producer), sort_key(r.name)))
