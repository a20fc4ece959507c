"""Tableau de bord: the co-op at a glance, in one read.

`dashboard` gathers what needs doing soon — the next distributions with their
orders, distributions to close, to mark distributed or to invoice, what
households owe, the cheques to cash this month and those about to expire, the
bank lines still to match — and the series the charts draw: sales per producer
and per week, and the share of households that ordered each week.

Every figure is an aggregate computed by the database (a large co-op holds a
million order lines; none of them travels to Python). Each role sees its own
share: a coordinator the distributions, households and money of its points
only, and no bank account; a producer the orders and sales of its own products,
and no household's money.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import ChequeStatus
from coopfood.i18n import _, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    BankMatch,
    BasketType,
    Cheque,
    Cycle,
    CyclePoint,
    DistributionPoint,
    LedgerEntry,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, line_amount_cents, raw, sum_cents
from coopfood.services import Actor, Role
from coopfood.services.access import require

#: Everyone who signs in has a dashboard; what it shows depends on the role.
DASHBOARD_READERS = frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR, Role.PRODUCER})
#: Who sees households' balances and cheques (a coordinator: of its points).
MEMBER_MONEY_READERS = frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR})
#: Who sees the co-op's bank account.
BANK_READERS = frozenset({Role.ADMIN, Role.TREASURER})

#: How many coming distributions the dashboard lists.
NEXT_DISTRIBUTIONS = 5
#: How many of the largest debts it names.
LARGEST_DEBTS = 5
#: Weeks the sales charts cover (both read the same order lines, in one pass).
SALES_WEEKS = 12
#: Weeks the participation chart covers.
PARTICIPATION_WEEKS = 12
#: A French cheque may be cashed for one year and eight days after its date.
CHEQUE_VALIDITY_EXTRA_DAYS = 8
#: Cheques expiring within this many days are flagged.
CHEQUE_EXPIRY_WARNING_DAYS = 30

DONE_STATES = (CycleState.DISTRIBUTED, CycleState.INVOICED)
COMING_STATES = (CycleState.DRAFT, CycleState.OPEN, CycleState.CLOSED)


@dataclass(frozen=True)
class DistributionFigures:
    """A distribution with what was ordered for it (at the actor's points, of its products)."""

    #: The cycle's id.
    id: int
    name: str
    date: dt.date
    points: tuple[str, ...]
    state: CycleState
    order_deadline: dt.datetime | None
    order_count: int
    #: What households pay: delivered quantities where keyed back, else allocated at
    #: closing, else ordered; at the member's price, each line rounded to the cent.
    amount: Decimal


@dataclass(frozen=True)
class Debtor:
    member_id: int
    name: str
    point: str
    balance: Decimal


@dataclass(frozen=True)
class UnpaidBalances:
    #: Households whose balance today is > 0, and what they owe together.
    households: int
    total: Decimal
    #: The largest debts, largest first.
    largest: tuple[Debtor, ...]


@dataclass(frozen=True)
class ChequeToWatch:
    cheque_id: int
    number: str
    drawer: str
    amount: Decimal
    issue_date: dt.date
    #: The last day it may be cashed: its date + 1 year + 8 days.
    expires_on: dt.date


@dataclass(frozen=True)
class ChequeFigures:
    #: "YYYY-MM": the month these figures are for.
    month: str
    #: Cheques received, planned to be cashed this month.
    to_cash: int
    to_cash_total: Decimal
    #: Received cheques, neither deposited nor handed over, expiring within 30 days
    #: (soonest first)…
    expiring: tuple[ChequeToWatch, ...]
    #: …and those already past their validity.
    expired: int


@dataclass(frozen=True)
class BankFigures:
    """Bank lines neither matched nor set aside by the treasurer."""

    lines: int
    #: Money in (credits) and out (debits, as a positive amount) among them.
    credits: Decimal
    debits: Decimal
    oldest: dt.date | None


@dataclass(frozen=True)
class ProducerSales:
    producer_id: int
    name: str
    amount: Decimal


@dataclass(frozen=True)
class WeekSales:
    #: The Monday of the week.
    week: dt.date
    amount: Decimal


@dataclass(frozen=True)
class WeekParticipation:
    week: dt.date
    #: Households with an order at a distribution of that week…
    ordering: int
    #: …among the households that were members then.
    active: int

    @property
    def percent(self) -> Decimal:
        if not self.active:
            return ZERO
        return (Decimal(100 * self.ordering) / self.active).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Counts:
    """What the actor may list: households, producers, products, points."""

    members: int
    producers: int
    products: int
    points: int


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    counts: Counts
    #: The coming distributions (not yet distributed), soonest first.
    next_distributions: tuple[DistributionFigures, ...]
    #: Open distributions whose order deadline (or date) has passed: to close.
    to_close: tuple[DistributionFigures, ...]
    #: Closed distributions whose day has passed: to mark distributed.
    to_distribute: tuple[DistributionFigures, ...]
    #: Distributions that took place and are not yet invoiced, oldest first.
    to_invoice: tuple[DistributionFigures, ...]
    #: None where the role may not see it.
    balances: UnpaidBalances | None
    cheques: ChequeFigures | None
    bank: BankFigures | None
    #: Over the last `SALES_WEEKS` weeks, largest first.
    sales_by_producer: tuple[ProducerSales, ...]
    #: Every week from the first with a distribution in the period to this one.
    sales_by_week: tuple[WeekSales, ...]
    #: The weeks that had a distribution; None where the role may not see households.
    participation: tuple[WeekParticipation, ...] | None

    @property
    def has_sales(self) -> bool:
        return any(row.amount for row in self.sales_by_week)


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def cheque_expiry(issue_date: dt.date) -> dt.date:
    """The last day a French cheque may be cashed: one year and eight days after its date
    (a cheque of 29 February runs to 28 February of the next year, plus eight days)."""
    try:
        year_later = issue_date.replace(year=issue_date.year + 1)
    except ValueError:
        year_later = issue_date.replace(year=issue_date.year + 1, day=28)
    return year_later + dt.timedelta(days=CHEQUE_VALIDITY_EXTRA_DAYS)


def dashboard(*, db: Database, actor: Actor, today: dt.date | None = None,
              now: dt.datetime | None = None) -> Dashboard:
    """Everything the « Tableau de bord » shows, as the actor may see it, on `today`.

    `now` decides which order deadlines have passed: the present moment by default
    (the start of `today` when only a past or future day is given).
    """
    require(actor, DASHBOARD_READERS, _("consulter le tableau de bord"))
    day = today or dt.date.today()
    if now is None:
        now = (dt.datetime.now(dt.UTC) if day == dt.date.today()
               else dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC))
    with db.reading() as session:
        scope = _Scope(actor)
        coming, to_close, to_distribute, to_invoice = _distributions(session, scope, day, now)
        sales_by_producer, sales_by_week = _sales(session, scope, day)
        return Dashboard(
            today=day,
            counts=_counts(session, scope),
            next_distributions=coming,
            to_close=to_close,
            to_distribute=to_distribute,
            to_invoice=to_invoice,
            balances=(_balances(session, scope, day)
                      if actor.role in MEMBER_MONEY_READERS else None),
            cheques=_cheques(session, scope, day) if actor.role in MEMBER_MONEY_READERS else None,
            bank=_bank(session) if actor.role in BANK_READERS else None,
            sales_by_producer=sales_by_producer,
            sales_by_week=sales_by_week,
            participation=(_participation(session, scope, day)
                           if actor.role is not Role.PRODUCER else None),
        )


class _Scope:
    """What part of the co-op the actor sees, as SQL conditions."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.points: list[int] | None = (sorted(actor.point_ids)
                                         if actor.role is Role.COORDINATOR else None)
        self.producer_id: int | None = (actor.producer_id if actor.role is Role.PRODUCER
                                        else None)
        self.is_producer = actor.role is Role.PRODUCER

    def order_lines(self) -> list[ColumnElement[bool]]:
        """Conditions on an Order joined to its OrderLines."""
        conditions: list[ColumnElement[bool]] = []
        if self.points is not None:
            conditions.append(Order.point_id.in_(self.points))
        if self.is_producer:
            conditions.append(or_(
                OrderLine.product_id.in_(
                    select(Product.id).where(Product.producer_id == self.producer_id)),
                OrderLine.basket_type_id.in_(
                    select(BasketType.id).where(BasketType.producer_id == self.producer_id)),
            ))
        return conditions

    def members(self) -> list[ColumnElement[bool]]:
        if self.points is not None:
            return [Member.point_id.in_(self.points)]
        return []

    def cycles(self) -> list[ColumnElement[bool]]:
        """A coordinator sees the distributions held at one of its points."""
        if self.points is None:
            return []
        return [Cycle.id.in_(select(CyclePoint.cycle_id)
                             .where(CyclePoint.point_id.in_(self.points)))]


# --- counts ---------------------------------------------------------------------------------


def _counts(session: Session, scope: _Scope) -> Counts:
    members = (select(func.count()).select_from(Member)
               .where(Member.archived_at.is_(None), *scope.members()))
    producers = select(func.count()).select_from(Producer).where(Producer.archived_at.is_(None))
    products = select(func.count()).select_from(Product).where(Product.archived_at.is_(None))
    points = (select(func.count()).select_from(DistributionPoint)
              .where(DistributionPoint.archived_at.is_(None)))
    if scope.points is not None:
        points = points.where(DistributionPoint.id.in_(scope.points))
    if scope.is_producer:
        producers = producers.where(Producer.id == scope.producer_id)
        products = products.where(Product.producer_id == scope.producer_id)
    return Counts(
        members=0 if scope.is_producer else int(session.scalar(members) or 0),
        producers=int(session.scalar(producers) or 0),
        products=int(session.scalar(products) or 0),
        points=int(session.scalar(points) or 0),
    )


# --- distributions --------------------------------------------------------------------------


def _distributions(session: Session, scope: _Scope, day: dt.date, now: dt.datetime
                   ) -> tuple[tuple[DistributionFigures, ...], ...]:
    visible = scope.cycles()
    coming = session.scalars(
        select(Cycle).where(Cycle.distribution_date >= day, Cycle.state.in_(COMING_STATES),
                            *visible)
        .order_by(Cycle.distribution_date, Cycle.id).limit(NEXT_DISTRIBUTIONS)).all()
    late = or_(Cycle.distribution_date < day,
               and_(Cycle.order_deadline.is_not(None), Cycle.order_deadline <= now))
    to_close = session.scalars(
        select(Cycle).where(Cycle.state == CycleState.OPEN, late, *visible)
        .order_by(Cycle.distribution_date, Cycle.id)).all()
    to_distribute = session.scalars(
        select(Cycle).where(Cycle.state == CycleState.CLOSED, Cycle.distribution_date < day,
                            *visible)
        .order_by(Cycle.distribution_date, Cycle.id)).all()
    to_invoice = session.scalars(
        select(Cycle).where(Cycle.state == CycleState.DISTRIBUTED, *visible)
        .order_by(Cycle.distribution_date, Cycle.id)).all()
    cycles = {c.id: c for group in (coming, to_close, to_distribute, to_invoice) for c in group}
    # Orders and amounts of what is still to come or to close; the distributions to
    # invoice are only counted (a year of them would add up half the history).
    totals = _order_totals(session, scope, [c.id for c in (*coming, *to_close, *to_distribute)])
    points = _point_names(session, scope, list(cycles))

    def figures(group: Sequence[Cycle]) -> tuple[DistributionFigures, ...]:
        rows = []
        for cycle in group:
            orders, amount = totals.get(cycle.id, (0, ZERO))
            rows.append(DistributionFigures(
                id=cycle.id, name=cycle.name, date=cycle.distribution_date,
                points=tuple(points.get(cycle.id, ())), state=cycle.state,
                order_deadline=cycle.order_deadline, order_count=orders, amount=amount))
        return tuple(rows)

    return figures(coming), figures(to_close), figures(to_distribute), figures(to_invoice)


def _order_totals(session: Session, scope: _Scope,
                  cycle_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    if not cycle_ids:
        return {}
    qty = func.coalesce(OrderLine.quantity_delivered, OrderLine.quantity_allocated,
                        OrderLine.quantity_ordered)
    query = (select(Order.cycle_id, func.count(func.distinct(Order.id)),
                    sum_cents(line_amount_cents(OrderLine.member_unit_price, qty)))
             .join(OrderLine, OrderLine.order_id == Order.id)
             .where(Order.cycle_id.in_(cycle_ids), *scope.order_lines())
             .group_by(Order.cycle_id))
    return {cycle_id: (int(orders), cents_to_money(cents))
            for cycle_id, orders, cents in session.execute(query)}


def _point_names(session: Session, scope: _Scope, cycle_ids: list[int]) -> dict[int, list[str]]:
    if not cycle_ids:
        return {}
    query = (select(CyclePoint.cycle_id, DistributionPoint.name)
             .join(DistributionPoint, DistributionPoint.id == CyclePoint.point_id)
             .where(CyclePoint.cycle_id.in_(cycle_ids)))
    if scope.points is not None:
        query = query.where(CyclePoint.point_id.in_(scope.points))
    names: dict[int, list[str]] = defaultdict(list)
    for cycle_id, name in session.execute(query):
        names[cycle_id].append(name)
    return {cycle_id: sorted(found, key=sort_key) for cycle_id, found in names.items()}


# --- households' money, cheques, bank -------------------------------------------------------


def _balances(session: Session, scope: _Scope, day: dt.date) -> UnpaidBalances:
    """Balances as of today (an instalment dated next month is not owed yet)."""
    amount = raw(LedgerEntry.amount)
    per_member = (select(LedgerEntry.member_id.label("member_id"),
                         func.sum(amount).label("cents"))
                  .where(LedgerEntry.member_id.is_not(None), LedgerEntry.entry_date <= day)
                  .group_by(LedgerEntry.member_id))
    if scope.points is not None:
        per_member = per_member.where(LedgerEntry.member_id.in_(
            select(Member.id).where(*scope.members())))
    owing = per_member.having(func.sum(amount) > 0).subquery()
    # One pass: the five largest debts, each row carrying the count and the sum of all.
    largest = session.execute(
        select(owing.c.member_id, owing.c.cents, func.count().over(),
               func.sum(owing.c.cents).over(), Member.last_name, Member.first_name,
               DistributionPoint.name)
        .join(Member, Member.id == owing.c.member_id)
        .outerjoin(DistributionPoint, DistributionPoint.id == Member.point_id)
        .order_by(owing.c.cents.desc(), Member.last_name, Member.id)
        .limit(LARGEST_DEBTS)).all()
    households, cents = (largest[0][2], largest[0][3]) if largest else (0, 0)
    return UnpaidBalances(
        households=int(households), total=cents_to_money(cents),
        largest=tuple(Debtor(member_id=mid, name=household_name(last, first), point=point or "",
                             balance=cents_to_money(balance))
                      for mid, balance, _count, _sum, last, first, point in largest))


def _cheques(session: Session, scope: _Scope, day: dt.date) -> ChequeFigures:
    month = f"{day.year:04d}-{day.month:02d}"
    held = [Cheque.status == ChequeStatus.RECEIVED]
    if scope.points is not None:
        held.append(Cheque.member_id.in_(select(Member.id).where(*scope.members())))
    count, cents = session.execute(
        select(func.count(), sum_cents(raw(Cheque.amount)))
        .where(Cheque.planned_month == month, *held)).one()
    # A cheque dated less than ~10 months ago is far from its end: only the older ones
    # (few) are read, and their exact last day worked out here.
    old_enough = day - dt.timedelta(days=365 + CHEQUE_VALIDITY_EXTRA_DAYS
                                    - CHEQUE_EXPIRY_WARNING_DAYS + 2)
    expiring: list[ChequeToWatch] = []
    expired = 0
    horizon = day + dt.timedelta(days=CHEQUE_EXPIRY_WARNING_DAYS)
    for cid, number, drawer, amount, issued in session.execute(
            select(Cheque.id, Cheque.number, Cheque.drawer, Cheque.amount, Cheque.issue_date)
            .where(Cheque.issue_date.is_not(None), Cheque.issue_date <= old_enough, *held)):
        if issued is None:
            continue
        ends = cheque_expiry(issued)
        if ends < day:
            expired += 1
        elif ends <= horizon:
            expiring.append(ChequeToWatch(cheque_id=cid, number=number, drawer=drawer,
                                          amount=amount, issue_date=issued, expires_on=ends))
    expiring.sort(key=lambda c: (c.expires_on, c.cheque_id))
    return ChequeFigures(month=month, to_cash=int(count), to_cash_total=cents_to_money(cents),
                         expiring=tuple(expiring), expired=expired)


def _bank(session: Session) -> BankFigures:
    amount = raw(BankLine.amount)
    count, credits, debits, oldest = session.execute(
        select(func.count(),
               sum_cents(case((amount > 0, amount), else_=0)),
               sum_cents(case((amount < 0, -amount), else_=0)),
               func.min(BankLine.booking_date))
        .where(BankLine.ignored_reason.is_(None),
               ~exists().where(BankMatch.bank_line_id == BankLine.id))).one()
    return BankFigures(lines=int(count), credits=cents_to_money(credits),
                       debits=cents_to_money(debits), oldest=oldest)


# --- the charts -----------------------------------------------------------------------------


def _weeks_of(session: Session, scope: _Scope, day: dt.date,
              weeks: int) -> tuple[list[dt.date], dict[int, int]]:
    """The Mondays of the period (from the first week with a distribution that took
    place, to this week) and the index of each such distribution's week."""
    first = monday(day) - dt.timedelta(weeks=weeks - 1)
    last = monday(day) + dt.timedelta(days=6)
    cycles = session.execute(
        select(Cycle.id, Cycle.distribution_date)
        .where(Cycle.state.in_(DONE_STATES), Cycle.distribution_date >= first,
               Cycle.distribution_date <= last, *scope.cycles())).all()
    if not cycles:
        return [], {}
    start = monday(min(date for _id, date in cycles))
    mondays = [start + dt.timedelta(weeks=n)
               for n in range((monday(day) - start).days // 7 + 1)]
    return mondays, {cycle_id: (monday(date) - start).days // 7 for cycle_id, date in cycles}


def _sales(session: Session, scope: _Scope, day: dt.date
           ) -> tuple[tuple[ProducerSales, ...], tuple[WeekSales, ...]]:
    """Delivered quantities × the member's price, per producer and per week, read in one
    pass over the period's order lines: the database adds them up by week and producer
    (a product's, or a subscription basket's), a thousand rows at most come back."""
    mondays, week_of = _weeks_of(session, scope, day, SALES_WEEKS)
    if not mondays:
        return (), ()
    week = case(week_of, value=Order.cycle_id)
    producer = func.coalesce(Product.producer_id, BasketType.producer_id)
    query = (select(week, producer,
                    sum_cents(line_amount_cents(OrderLine.member_unit_price,
                                                OrderLine.quantity_delivered)))
             .join(OrderLine, OrderLine.order_id == Order.id)
             .outerjoin(Product, Product.id == OrderLine.product_id)
             .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
             .where(Order.cycle_id.in_(list(week_of)), OrderLine.quantity_delivered.is_not(None))
             .group_by(week, producer))
    if scope.points is not None:
        query = query.where(Order.point_id.in_(scope.points))
    if scope.is_producer:
        query = query.where(producer == scope.producer_id)
    by_week: dict[int, int] = defaultdict(int)
    by_producer: dict[int, int] = defaultdict(int)
    for index, producer_id, cents in session.execute(query):
        by_week[int(index)] += int(cents)
        by_producer[int(producer_id)] += int(cents)
    names: dict[int, str] = {pid: name for pid, name in session.execute(
        select(Producer.id, Producer.name).where(Producer.id.in_(list(by_producer))))}
    producers = sorted(
        (ProducerSales(producer_id=pid, name=names[pid], amount=cents_to_money(cents))
         for pid, cents in by_producer.items() if cents),
        key=lambda row: (-row.amount, sort_key(row.name)))
    weeks = tuple(WeekSales(week=start, amount=cents_to_money(by_week.get(n, 0)))
                  for n, start in enumerate(mondays))
    return tuple(producers), weeks


def _participation(session: Session, scope: _Scope,
                   day: dt.date) -> tuple[WeekParticipation, ...]:
    mondays, week_of = _weeks_of(session, scope, day, PARTICIPATION_WEEKS)
    if not mondays:
        return ()
    week = case(week_of, value=Order.cycle_id)
    has_line = exists().where(OrderLine.order_id == Order.id,
                              or_(OrderLine.quantity_ordered > 0,
                                  OrderLine.quantity_delivered > 0))
    query = (select(week, func.count(func.distinct(Order.member_id)))
             .where(Order.cycle_id.in_(list(week_of)), has_line)
             .group_by(week))
    if scope.points is not None:
        query = query.where(Order.point_id.in_(scope.points))
    ordering = {int(index): int(count) for index, count in session.execute(query)}
    held = sorted(set(week_of.values()))
    # A household counts in a week if it had joined by its end and not left before it began.
    columns = []
    for index in held:
        start = mondays[index]
        end = start + dt.timedelta(days=6)
        began = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
        columns.append(func.coalesce(func.sum(case((and_(
            or_(Member.joined_on.is_(None), Member.joined_on <= end),
            or_(Member.archived_at.is_(None), Member.archived_at >= began)), 1), else_=0)), 0))
    active = session.execute(select(*columns).where(*scope.members())).one()
    return tuple(WeekParticipation(week=mondays[index], ordering=ordering.get(index, 0),
                                   active=int(count))
                 for index, count in zip(held, active, strict=True))
