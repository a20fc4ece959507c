"""AMAP subscriptions: which baskets are due at a distribution, absences and postponements.

The rules:

- A contract's basket is due at the distributions of its point within its
  season (season_start ≤ date ≤ season_end): at every one of them for a weekly
  contract; for a fortnightly one at every other one, from the first
  distribution of the season at that point (week A: the 1st, 3rd, 5th…) or from
  the second (week B, `Contract.fortnight_offset` = 1: the 2nd, 4th…). The
  distributions of a point are its cycles, whatever their state; when two
  cycles share a point and a date, the one created first carries the baskets.
- A shared basket (a co-member on the contract) goes, in ALTERNATE mode, to
  the contract's member at its first due date, then to the co-member, and so
  on; in BOTH mode each household takes half a basket every time.
- An absence (a joker) removes a household's basket from a date; each
  household has the contract's allowed number of absences (a shared basket:
  that number per household); beyond, it is refused.
- A postponement moves a household's basket from a date to a later
  distribution of the same point within the season: no basket on the first
  date, one more on the later one (on the same order line: a quantity of 2
  baskets, or 1 for a half basket moved onto a half basket). It uses no joker.

`generate_subscription_lines` writes the due baskets as order lines, priced by
the contract; it is idempotent and keeps the lines in step with absences and
postponements while the distribution is open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from coopfood.domain.enums import CycleState, Frequency, LineSource, ShareMode
from coopfood.i18n import _, format_date, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketContent,
    BasketType,
    Contract,
    ContractSkip,
    Cycle,
    CyclePoint,
    Member,
    Order,
    OrderLine,
    household_name,
)
from coopfood.services import Actor, NotFound, Role, ServiceError, ValidationError
from coopfood.services.access import MEMBER_EDITORS, require, require_point
from coopfood.services.baskets import BasketItem, week_of
from coopfood.services.orders import (
    ORDER_READERS,
    ORDER_TAKERS,
    alphabetical_key,
    cycle_label,
    cycle_point_ids,
    ensure_orders,
    find_cycle,
)

ONE = Decimal("1.000")
HALF = Decimal("0.500")
ZERO_QTY = Decimal("0.000")

#: The states in which baskets may still be skipped or moved, and lines generated.
EDITABLE_STATES = frozenset({CycleState.DRAFT, CycleState.OPEN})

#: Per point: its distribution dates in order, each with the cycle carrying its baskets.
Calendar = dict[int, list[tuple[dt.date, int]]]


@dataclass(frozen=True)
class DueBasket:
    """A basket a household collects at a distribution."""

    contract_id: int
    member_id: int
    member: str
    basket_type_id: int
    basket_type: str
    producer: str
    point_id: int
    #: 1 basket, ½ for a basket shared every week, more when baskets were moved here.
    quantity: Decimal
    #: The other household of a shared basket, if any.
    shared_with: str
    #: The dates of the baskets postponed to this distribution.
    postponed_from: tuple[dt.date, ...]


@dataclass(frozen=True)
class LineSync:
    """What `generate_subscription_lines` changed."""

    cycle_id: int
    added: int
    updated: int
    removed: int
    #: Subscription lines of the distribution once in step.
    baskets: int


@dataclass(frozen=True)
class SkipRow:
    contract_id: int
    member_id: int
    member: str
    cycle_id: int
    date: dt.date
    #: None: an absence (a joker); else the distribution the basket moved to.
    postponed_to_cycle_id: int | None
    postponed_to_date: dt.date | None


@dataclass(frozen=True)
class ContractSkips:
    """A contract's absences and postponements, and the jokers left per household."""

    contract_id: int
    allowed_absences: int
    skips: tuple[SkipRow, ...]
    #: Household id → absences left.
    jokers_left: dict[int, int]


@dataclass(frozen=True)
class BasketWeek:
    """What a basket type holds in the week of a distribution, and how many go out."""

    basket_type_id: int
    name: str
    producer: str
    week_start: dt.date
    items: tuple[BasketItem, ...]
    #: Baskets due at the distribution (halves count as halves).
    baskets: Decimal


@dataclass(frozen=True)
class _Due:
    contract: Contract
    member_id: int
    quantity: Decimal
    postponed_from: tuple[int, ...]


# --- the calendar of due baskets ------------------------------------------------------------


def _calendar(session: Session, point_ids: Iterable[int]) -> Calendar:
    calendar: Calendar = {}
    for point_id, day, cycle_id in session.execute(
        select(CyclePoint.point_id, Cycle.distribution_date, Cycle.id)
        .join(Cycle, Cycle.id == CyclePoint.cycle_id)
        .where(CyclePoint.point_id.in_(list(point_ids)))
        .order_by(CyclePoint.point_id, Cycle.distribution_date, Cycle.id)
    ):
        dates = calendar.setdefault(point_id, [])
        if dates and dates[-1][0] == day:
            continue  # the cycle created first carries the baskets of that day
        dates.append((day, cycle_id))
    return calendar


def regular_shares(contract: Contract, dates: Sequence[tuple[dt.date, int]],
                   cycle_id: int) -> dict[int, Decimal]:
    """Household id → baskets due under the contract at a cycle, before any skip.

    `dates` is the calendar of the contract's point.
    """
    season = [cid for day, cid in dates if contract.season_start <= day <= contract.season_end]
    if cycle_id not in season:
        return {}
    turn = season.index(cycle_id)
    if contract.frequency is Frequency.FORTNIGHTLY:
        # Week A (offset 0) delivers from the season's first distribution, week B from
        # the second: co-ops split fortnightly baskets so each week's load is even.
        turn -= contract.fortnight_offset
        if turn < 0 or turn % 2:
            return {}
        turn //= 2
    if contract.co_member_id is None:
        return {contract.member_id: ONE}
    if contract.share_mode is ShareMode.BOTH:
        return {contract.member_id: HALF, contract.co_member_id: HALF}
    return {contract.member_id if turn % 2 == 0 else contract.co_member_id: ONE}


def _due(session: Session, cycle: Cycle, contract_ids: Iterable[int] | None = None) -> list[_Due]:
    points = cycle_point_ids(session, cycle.id)
    if not points:
        return []
    day = cycle.distribution_date
    moved_here = select(ContractSkip.contract_id).where(
        ContractSkip.postponed_to_cycle_id == cycle.id)
    query = (
        select(Contract)
        .options(selectinload(Contract.basket_type).selectinload(BasketType.producer))
        .where(Contract.point_id.in_(points), Contract.archived_at.is_(None),
               or_(and_(Contract.season_start <= day, Contract.season_end >= day),
                   Contract.id.in_(moved_here)))
        .order_by(Contract.id)
    )
    if contract_ids is not None:
        query = query.where(Contract.id.in_(list(contract_ids)))
    contracts = session.scalars(query).all()
    if not contracts:
        return []
    away: dict[int, set[int]] = defaultdict(set)
    moved: dict[int, list[ContractSkip]] = defaultdict(list)
    for skip in session.scalars(select(ContractSkip).where(or_(
            ContractSkip.cycle_id == cycle.id, ContractSkip.postponed_to_cycle_id == cycle.id))):
        if skip.cycle_id == cycle.id:
            away[skip.contract_id].add(skip.member_id)
        else:
            moved[skip.contract_id].append(skip)
    calendar = _calendar(session, {c.point_id for c in contracts})
    due: list[_Due] = []
    for contract in contracts:
        dates = calendar.get(contract.point_id, [])
        shares = regular_shares(contract, dates, cycle.id)
        for member_id in away.get(contract.id, ()):
            shares.pop(member_id, None)
        sources: dict[int, list[int]] = defaultdict(list)
        for skip in moved.get(contract.id, ()):
            share = regular_shares(contract, dates, skip.cycle_id).get(skip.member_id)
            if share is None:
                continue  # the basket was not due there (the contract changed since)
            shares[skip.member_id] = shares.get(skip.member_id, ZERO_QTY) + share
            sources[skip.member_id].append(skip.cycle_id)
        due.extend(_Due(contract=contract, member_id=member_id, quantity=qty,
                        postponed_from=tuple(sources.get(member_id, ())))
                   for member_id, qty in shares.items() if qty > 0)
    return due


def due_baskets(*, db: Database, actor: Actor, cycle_id: int) -> list[DueBasket]:
    """The baskets due at a distribution, by point then household in alphabetical order."""
    require(actor, ORDER_READERS, _("consulter les paniers d'une distribution"))
    with db.reading() as session:
        cycle = find_cycle(session, cycle_id)
        due = _due(session, cycle)
        member_ids = {d.contract.member_id for d in due} | {
            d.contract.co_member_id for d in due if d.contract.co_member_id is not None}
        names = {m_id: (last, first) for m_id, last, first in session.execute(
            select(Member.id, Member.last_name, Member.first_name)
            .where(Member.id.in_(member_ids)))}
        dates = dict(session.execute(select(Cycle.id, Cycle.distribution_date).where(
            Cycle.id.in_({c for d in due for c in d.postponed_from}))).all())
    rows = []
    for d in due:
        if actor.role is Role.COORDINATOR and d.contract.point_id not in actor.point_ids:
            continue
        other = (d.contract.co_member_id if d.member_id == d.contract.member_id
                 else d.contract.member_id)
        shared = d.contract.co_member_id is not None and other is not None
        rows.append(DueBasket(
            contract_id=d.contract.id, member_id=d.member_id,
            member=household_name(*names[d.member_id]),
            basket_type_id=d.contract.basket_type_id, basket_type=d.contract.basket_type.name,
            producer=d.contract.basket_type.producer.name, point_id=d.contract.point_id,
            quantity=d.quantity,
            shared_with=household_name(*names[other]) if shared and other in names else "",
            postponed_from=tuple(sorted(dates[c] for c in d.postponed_from)),
        ))
    rows.sort(key=lambda r: (r.point_id, alphabetical_key(*names[r.member_id], r.member_id),
                             r.basket_type, r.contract_id))
    return rows


# --- order lines ------------------------------------------------------------------------------


def sync_subscription_lines(session: Session, cycle: Cycle,
                            contract_ids: Iterable[int] | None = None) -> LineSync:
    """Bring the cycle's basket lines in step with what is due (in the caller's transaction).

    Adds the missing lines (making the households' orders if needed), corrects
    quantities, removes the lines no longer due. Limited to `contract_ids` when given.
    """
    ids = None if contract_ids is None else list(contract_ids)
    wanted = {(d.contract.id, d.member_id): d for d in _due(session, cycle, ids)}
    query = (select(OrderLine, Order.member_id)
             .join(Order, Order.id == OrderLine.order_id)
             .where(Order.cycle_id == cycle.id, OrderLine.contract_id.is_not(None))
             .order_by(OrderLine.id))
    if ids is not None:
        query = query.where(OrderLine.contract_id.in_(ids))
    kept: dict[tuple[int, int], OrderLine] = {}
    added = updated = removed = 0
    for line, member_id in session.execute(query):
        assert line.contract_id is not None
        key = (line.contract_id, member_id)
        if key in kept or key not in wanted:
            session.delete(line)
            removed += 1
            continue
        kept[key] = line
        if line.quantity_ordered != wanted[key].quantity:
            line.quantity_ordered = wanted[key].quantity
            updated += 1
    new = [d for key, d in wanted.items() if key not in kept]
    orders = ensure_orders(session, cycle=cycle, points_by_member={
        d.member_id: d.contract.point_id for d in new})
    now = dt.datetime.now(dt.UTC)
    for d in new:
        basket = d.contract.basket_type
        session.add(OrderLine(
            order_id=orders[d.member_id].id, basket_type_id=basket.id,
            contract_id=d.contract.id, source=LineSource.SUBSCRIPTION,
            quantity_ordered=d.quantity, unit_price_ht=basket.price_ht,
            vat_rate=basket.vat_rate, member_unit_price=d.contract.price_per_basket,
            created_at=now, updated_at=now,
        ))
        added += 1
    session.flush()
    return LineSync(cycle_id=cycle.id, added=added, updated=updated, removed=removed,
                    baskets=len(wanted) if ids is None else len(kept) + added)


def count_due(session: Session, cycle: Cycle) -> int:
    return len(_due(session, cycle))


def generate_subscription_lines(*, db: Database, actor: Actor, cycle_id: int) -> LineSync:
    """Bring an open distribution's basket lines in step with the contracts; idempotent.

    Opening a distribution does it; call it again after contracts change.
    """
    require(actor, ORDER_TAKERS, _("générer les paniers d'abonnement"))
    with db.transaction() as session:
        cycle = find_cycle(session, cycle_id, lock="update")
        _require_points(session, actor, cycle)
        if cycle.state is CycleState.DRAFT:
            raise ValidationError(
                _("La {cycle} est en brouillon : ses paniers d'abonnement sont générés à son "
                  "ouverture.").format(cycle=cycle_label(cycle).lower()), field="cycle_id")
        if cycle.state is not CycleState.OPEN:
            _require_editable(cycle, _("ses paniers ne sont plus regénérés"))
        return sync_subscription_lines(session, cycle)


# --- absences and postponements ----------------------------------------------------------------


def _require_points(session: Session, actor: Actor, cycle: Cycle) -> None:
    for point_id in cycle_point_ids(session, cycle.id):
        require_point(actor, point_id, _("gérer une distribution d'autres points"))


def _require_editable(cycle: Cycle, consequence: str) -> None:
    if cycle.state not in EDITABLE_STATES:
        raise ValidationError(
            _("La {cycle} est {state} : {consequence}.").format(
                cycle=cycle_label(cycle).lower(),
                state=cycle.state.label.lower(), consequence=consequence), field="cycle_id")


def _find_contract(session: Session, contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(_("Contrat n° {id} introuvable.").format(id=contract_id))
    return contract


def _contract_name(session: Session, contract: Contract) -> str:
    return _("« {basket} » de {member}").format(
        basket=contract.basket_type.name, member=contract.member.display_name)


def _household(session: Session, contract: Contract, member_id: int | None) -> int:
    chosen = contract.member_id if member_id is None else member_id
    if chosen not in (contract.member_id, contract.co_member_id):
        raise ValidationError(
            _("Ce foyer ne fait pas partie du contrat {contract}.").format(
                contract=_contract_name(session, contract)), field="member_id")
    return chosen


def _calendar_of(session: Session, contract: Contract) -> list[tuple[dt.date, int]]:
    return _calendar(session, [contract.point_id]).get(contract.point_id, [])


def _require_due(session: Session, contract: Contract, member_id: int, cycle: Cycle) -> None:
    if member_id not in regular_shares(contract, _calendar_of(session, contract), cycle.id):
        member = session.get(Member, member_id)
        raise ValidationError(
            _("Le panier « {basket} » n'est pas prévu pour {member} le {date}.").format(
                basket=contract.basket_type.name,
                member=member.display_name if member is not None else member_id,
                date=format_date(cycle.distribution_date, style="full")),
            field="cycle_id")


def _absence_dates(session: Session, contract_id: int, member_id: int,
                   except_cycle: int) -> list[dt.date]:
    return sorted(session.scalars(
        select(Cycle.distribution_date)
        .join(ContractSkip, ContractSkip.cycle_id == Cycle.id)
        .where(ContractSkip.contract_id == contract_id, ContractSkip.member_id == member_id,
               ContractSkip.postponed_to_cycle_id.is_(None),
               ContractSkip.cycle_id != except_cycle)))


def _existing_skip(session: Session, contract_id: int, member_id: int,
                   cycle_id: int) -> ContractSkip | None:
    return session.scalars(select(ContractSkip).where(
        ContractSkip.contract_id == contract_id, ContractSkip.member_id == member_id,
        ContractSkip.cycle_id == cycle_id)).first()


def _resync(session: Session, contract_id: int, cycle_ids: Iterable[int | None]) -> None:
    """Keep the lines of the open distributions concerned in step with the skips."""
    for cycle_id in {c for c in cycle_ids if c is not None}:
        cycle = find_cycle(session, cycle_id, lock="share")
        if cycle.state is CycleState.OPEN:
            sync_subscription_lines(session, cycle, [contract_id])


def _skip_row(session: Session, skip: ContractSkip) -> SkipRow:
    member = session.get(Member, skip.member_id)
    cycle = session.get(Cycle, skip.cycle_id)
    target = (None if skip.postponed_to_cycle_id is None
              else session.get(Cycle, skip.postponed_to_cycle_id))
    assert member is not None and cycle is not None
    return SkipRow(contract_id=skip.contract_id, member_id=skip.member_id,
                   member=member.display_name, cycle_id=skip.cycle_id,
                   date=cycle.distribution_date,
                   postponed_to_cycle_id=skip.postponed_to_cycle_id,
                   postponed_to_date=None if target is None else target.distribution_date)


def declare_absence(*, db: Database, actor: Actor, contract_id: int, cycle_id: int,
                    member_id: int | None = None) -> SkipRow:
    """A household will not take its basket on that date: it uses one of its jokers.

    `member_id` defaults to the contract's member; for a shared basket, name the
    household away. Beyond the allowed number of absences it is refused.
    """
    require(actor, MEMBER_EDITORS, _("déclarer une absence"))
    with db.transaction() as session:
        contract = _find_contract(session, contract_id)
        require_point(actor, contract.point_id, _("gérer les contrats de ce point"))
        household = _household(session, contract, member_id)
        cycle = find_cycle(session, cycle_id)
        _require_editable(cycle, _("les absences ne s'y déclarent plus"))
        skip = _existing_skip(session, contract_id, household, cycle_id)
        if skip is not None and skip.postponed_to_cycle_id is None:
            return _skip_row(session, skip)
        _require_due(session, contract, household, cycle)
        used = _absence_dates(session, contract_id, household, cycle_id)
        if len(used) >= contract.allowed_absences:
            raise ServiceError(_jokers_used_up(session, contract, household, used))
        previous_target = None
        if skip is None:
            skip = ContractSkip(contract_id=contract_id, member_id=household, cycle_id=cycle_id)
            session.add(skip)
        else:
            previous_target, skip.postponed_to_cycle_id = skip.postponed_to_cycle_id, None
        session.flush()
        _resync(session, contract_id, (cycle_id, previous_target))
        return _skip_row(session, skip)


def _jokers_used_up(session: Session, contract: Contract, member_id: int,
                    used: list[dt.date]) -> str:
    name = _contract_name(session, contract)
    if contract.allowed_absences == 0:
        return _("Plus de joker : le contrat {contract} n'autorise aucune absence.").format(
            contract=name)
    allowed = ngettext("{n} absence", "{n} absences", contract.allowed_absences).format(
        n=contract.allowed_absences)
    dates = ", ".join(format_date(day, style="dd/MM") for day in used)
    if contract.co_member_id is None:
        return ngettext(
            "Plus de joker : le contrat {contract} autorise {allowed}, déjà utilisée ({dates}).",
            "Plus de joker : le contrat {contract} autorise {allowed}, toutes utilisées "
            "({dates}).", contract.allowed_absences).format(
                contract=name, allowed=allowed, dates=dates)
    member = session.get(Member, member_id)
    who = member.display_name if member is not None else ""
    return ngettext(
        "Plus de joker : le contrat {contract} autorise {allowed} par foyer, déjà utilisée "
        "par {who} ({dates}).",
        "Plus de joker : le contrat {contract} autorise {allowed} par foyer, toutes utilisées "
        "par {who} ({dates}).", contract.allowed_absences).format(
            contract=name, allowed=allowed, who=who, dates=dates)


def postpone_basket(*, db: Database, actor: Actor, contract_id: int, cycle_id: int,
                    to_cycle_id: int, member_id: int | None = None) -> SkipRow:
    """Move a household's basket to a later distribution of its point, in the season.

    No basket on the first date, one more on the later one; no joker is used.
    """
    require(actor, MEMBER_EDITORS, _("reporter un panier"))
    with db.transaction() as session:
        contract = _find_contract(session, contract_id)
        require_point(actor, contract.point_id, _("gérer les contrats de ce point"))
        household = _household(session, contract, member_id)
        cycle = find_cycle(session, cycle_id)
        _require_editable(cycle, _("le panier ne peut plus être reporté"))
        target = find_cycle(session, to_cycle_id)
        _check_target(session, contract, cycle, target)
        _require_due(session, contract, household, cycle)
        skip = _existing_skip(session, contract_id, household, cycle_id)
        previous_target = None
        if skip is None:
            skip = ContractSkip(contract_id=contract_id, member_id=household, cycle_id=cycle_id,
                                postponed_to_cycle_id=to_cycle_id)
            session.add(skip)
        else:
            previous_target, skip.postponed_to_cycle_id = skip.postponed_to_cycle_id, to_cycle_id
        session.flush()
        _resync(session, contract_id, (cycle_id, to_cycle_id, previous_target))
        return _skip_row(session, skip)


def _check_target(session: Session, contract: Contract, cycle: Cycle, target: Cycle) -> None:
    day = format_date(target.distribution_date, style="full")
    if target.distribution_date <= cycle.distribution_date:
        raise ValidationError(
            _("Un panier se reporte à une date plus tardive : le {day} ne vient pas après le "
              "{first}.").format(day=day, first=format_date(cycle.distribution_date,
                                                            style="full")),
            field="to_cycle_id")
    if not contract.season_start <= target.distribution_date <= contract.season_end:
        raise ValidationError(
            _("Le {day} est hors de la saison du contrat ({start} – {end}).").format(
                day=day, start=format_date(contract.season_start, style="short"),
                end=format_date(contract.season_end, style="short")), field="to_cycle_id")
    if contract.point_id not in cycle_point_ids(session, target.id):
        raise ValidationError(
            _("La distribution du {day} ne passe pas au point du contrat.").format(day=day),
            field="to_cycle_id")
    _require_editable(target, _("aucun panier n'y est plus reporté"))


def cancel_skip(*, db: Database, actor: Actor, contract_id: int, cycle_id: int,
                member_id: int | None = None) -> None:
    """Cancel an absence or a postponement: the basket is back on its date."""
    require(actor, MEMBER_EDITORS, _("annuler une absence"))
    with db.transaction() as session:
        contract = _find_contract(session, contract_id)
        require_point(actor, contract.point_id, _("gérer les contrats de ce point"))
        household = _household(session, contract, member_id)
        cycle = find_cycle(session, cycle_id)
        _require_editable(cycle, _("l'absence ne peut plus être annulée"))
        skip = _existing_skip(session, contract_id, household, cycle_id)
        if skip is None:
            return
        target = skip.postponed_to_cycle_id
        if target is not None:
            _require_editable(find_cycle(session, target),
                              _("le panier reporté ne peut plus en être retiré"))
        session.delete(skip)
        session.flush()
        _resync(session, contract_id, (cycle_id, target))


def list_skips(*, db: Database, actor: Actor, contract_id: int) -> ContractSkips:
    """A contract's absences and postponements, oldest first, and the jokers left."""
    require(actor, MEMBER_EDITORS, _("consulter les absences"))
    with db.reading() as session:
        contract = _find_contract(session, contract_id)
        require_point(actor, contract.point_id, _("consulter les contrats de ce point"))
        rows = [_skip_row(session, skip) for skip in session.scalars(
            select(ContractSkip).where(ContractSkip.contract_id == contract_id))]
    rows.sort(key=lambda r: (r.date, r.member))
    households = [contract.member_id] + (
        [contract.co_member_id] if contract.co_member_id is not None else [])
    left = {
        m: max(0, contract.allowed_absences - sum(
            1 for r in rows if r.member_id == m and r.postponed_to_cycle_id is None))
        for m in households}
    return ContractSkips(contract_id=contract_id, allowed_absences=contract.allowed_absences,
                         skips=tuple(rows), jokers_left=left)


# --- the week's composition ----------------------------------------------------------------


def basket_composition_for(*, db: Database, actor: Actor, cycle_id: int) -> list[BasketWeek]:
    """Per basket type going out at the distribution: the week's items and the count.

    The basket types are those of the subscription lines, or, before they are
    generated (draft), those due.
    """
    require(actor, ORDER_READERS, _("consulter le contenu des paniers"))
    with db.reading() as session:
        cycle = find_cycle(session, cycle_id)
        counts: dict[int, Decimal] = defaultdict(lambda: ZERO_QTY)
        lines = session.execute(
            select(OrderLine.basket_type_id, OrderLine.quantity_ordered)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, OrderLine.basket_type_id.is_not(None))).all()
        if lines:
            for basket_type_id, qty in lines:
                assert basket_type_id is not None
                counts[basket_type_id] += qty
        else:
            for d in _due(session, cycle):
                counts[d.contract.basket_type_id] += d.quantity
        monday = week_of(cycle.distribution_date)
        items: dict[int, list[BasketItem]] = defaultdict(list)
        for content in session.scalars(
            select(BasketContent)
            .where(BasketContent.basket_type_id.in_(list(counts)),
                   BasketContent.week_start == monday)
            .order_by(BasketContent.basket_type_id, BasketContent.position)
        ):
            items[content.basket_type_id].append(BasketItem(
                position=content.position, label=content.label, quantity=content.quantity,
                unit=content.unit))
        baskets = session.scalars(
            select(BasketType).options(selectinload(BasketType.producer))
            .where(BasketType.id.in_(list(counts)))).all()
        result = [
            BasketWeek(basket_type_id=b.id, name=b.name, producer=b.producer.name,
                       week_start=monday, items=tuple(items.get(b.id, ())),
                       baskets=counts[b.id])
            for b in baskets
        ]
    result.sort(key=lambda w: (w.producer, w.name))
    return result
