"""Distributions (cycles): their points and offer, and the states they go through.

draft → open → closed → distributed → invoiced, following `CYCLE_TRANSITIONS`:

- open: needs a point and something to hand out (an offered product or a due
  subscription basket); writes the due subscription lines.
- closed: orders no longer change. Case packs are applied: under the COMPLETE
  rule the co-op takes the units completing the last case; under CUT only
  full cases are ordered and the orders are cut by the cycle's shortfall rule.
  Every line gets its `quantity_allocated`; each product cut or completed is
  summed up in the audit trail.
- reopen (closed → open): needs a reason, is recorded, clears the allocations;
  refused once delivered quantities have been keyed.
- distributed: every line with no delivered quantity takes its allocated one,
  except variable-weight lines, left to be weighed and keyed.
- invoiced: set by the invoicing service (`mark_invoiced`), not here.

A coordinator acts on a distribution only when it coordinates all its points.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.allocation import (
    OrderToShare,
    case_pack_status,
    cases_to_order,
    share_shortfall,
)
from coopfood.domain.enums import (
    CYCLE_TRANSITIONS,
    CaseRule,
    CycleState,
    LineSource,
    ShortfallRule,
    Unit,
)
from coopfood.i18n import N_, _, format_date, format_datetime, format_number, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
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
from coopfood.services import (
    Actor,
    NotFound,
    Role,
    ServiceError,
    StaleData,
    ValidationError,
    audit,
    ledger,
)
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.audit import AuditRow
from coopfood.services.orders import (
    ORDER_READERS,
    ORDER_TAKERS,
    alphabetical_key,
    cycle_label,
    cycle_point_ids,
    find_cycle,
    offered_products,
    quantity_text,
)
from coopfood.services.products import price_on
from coopfood.services.subscriptions import LineSync, count_due, sync_subscription_lines

ZERO_QTY = Decimal("0.000")
EDITABLE_STATES = frozenset({CycleState.DRAFT, CycleState.OPEN})


@dataclass(frozen=True)
class PointRef:
    id: int
    name: str


@dataclass(frozen=True)
class OfferRow:
    """A product offered in a distribution, and where its orders stand."""

    product_id: int
    product: str
    producer_id: int
    producer: str
    unit: Unit
    member_price: Decimal | None
    variable_weight: bool
    cap: Decimal | None
    #: Ordered in the whole distribution (all points).
    ordered: Decimal
    #: Left under the cap (None: no cap).
    remaining: Decimal | None
    case_pack: Decimal | None
    case_rule: CaseRule
    #: Units missing to complete the started case (None: not sold by the case).
    case_missing: Decimal | None
    #: « 4 manquent pour compléter le colis de 12 », « 2 colis complets », or "".
    case_status: str


@dataclass(frozen=True)
class CycleDetail:
    id: int
    version: int
    name: str
    #: « Distribution n° 8 du jeudi 3 décembre 2026 »
    label: str
    date: dt.date
    order_deadline: dt.datetime | None
    state: CycleState
    shortfall_rule: ShortfallRule
    points: tuple[PointRef, ...]
    offers: tuple[OfferRow, ...]
    order_count: int
    #: Subscription baskets in the orders (halves count as halves).
    subscription_baskets: Decimal


@dataclass(frozen=True)
class TransitionResult:
    cycle_id: int
    from_state: CycleState
    to_state: CycleState
    #: One French line: « Distribution n° 8 du jeudi 3 décembre 2026 : ouverte, 142 paniers
    #: d'abonnement générés »
    summary: str
    #: At opening: the subscription lines written.
    subscriptions: LineSync | None = None
    #: At closing: products cut to full cases, and products whose last case the co-op completes.
    cut_products: int = 0
    completed_products: int = 0
    #: At distribution: lines given their allocated quantity, and lines left to weigh.
    lines_delivered: int = 0
    lines_to_weigh: int = 0


@dataclass(frozen=True)
class CopyResult:
    source_cycle_id: int
    source_date: dt.date
    #: Names of the products added, and of those left out with the reason.
    added: tuple[str, ...]
    skipped: tuple[str, ...]


@dataclass(frozen=True)
class ShortfallLine:
    line_id: int
    order_id: int
    member_id: int
    member: str
    point_id: int
    point: str
    row_number: int | None
    ordered: Decimal
    allocated: Decimal
    ordered_at: dt.datetime


@dataclass(frozen=True)
class ShortfallProduct:
    """A product whose members do not all get what they ordered, with the detail."""

    product_id: int
    product: str
    producer: str
    unit: Unit
    case_pack: Decimal | None
    case_rule: CaseRule
    rule: ShortfallRule
    ordered: Decimal
    #: What is ordered from the producer (whole cases); None when not sold by the case.
    to_order: Decimal | None
    allocated: Decimal
    #: Ordered but not ordered from the producer and given anyway (rule NONE).
    shortage: Decimal
    #: True while the distribution is open: what closing now would do.
    forecast: bool
    #: « Colis de 6 : 27 commandées, 24 livrées, réparties au prorata »
    summary: str
    lines: tuple[ShortfallLine, ...]


# --- reading --------------------------------------------------------------------------------


def _case_status(total: Decimal, pack: Decimal | None) -> tuple[Decimal | None, str]:
    if pack is None:
        return None, ""
    status = case_pack_status(total, pack)
    if not status.complete:
        return status.missing, ngettext(
            "{n} manque pour compléter le colis de {pack}",
            "{n} manquent pour compléter le colis de {pack}",
            1 if status.missing < 2 else 2).format(
                n=format_number(status.missing), pack=format_number(pack))
    if status.full_cases:
        return status.missing, ngettext("{n} colis complet", "{n} colis complets",
                                        status.full_cases).format(n=status.full_cases)
    return status.missing, ""


def _offers(session: Session, cycle: Cycle) -> tuple[OfferRow, ...]:
    totals = _product_totals(session, cycle.id)
    rows = []
    for p in offered_products(session, cycle):
        ordered = totals.get(p.product_id, ZERO_QTY)
        missing, status = _case_status(ordered, p.case_pack)
        rows.append(OfferRow(
            product_id=p.product_id, product=p.name, producer_id=p.producer_id,
            producer=p.producer, unit=p.unit, member_price=p.member_price,
            variable_weight=p.variable_weight, cap=p.cap, ordered=ordered,
            remaining=None if p.cap is None else p.cap - ordered, case_pack=p.case_pack,
            case_rule=p.case_rule, case_missing=missing, case_status=status))
    return tuple(rows)


def _product_totals(session: Session, cycle_id: int) -> dict[int, Decimal]:
    return {
        product_id: qty for product_id, qty in session.execute(
            select(OrderLine.product_id, func.sum(OrderLine.quantity_ordered))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, OrderLine.product_id.is_not(None))
            .group_by(OrderLine.product_id))
        if product_id is not None and qty is not None
    }


def _detail(session: Session, cycle: Cycle) -> CycleDetail:
    points = tuple(PointRef(id=point_id, name=name) for point_id, name in session.execute(
        select(DistributionPoint.id, DistributionPoint.name)
        .join(CyclePoint, CyclePoint.point_id == DistributionPoint.id)
        .where(CyclePoint.cycle_id == cycle.id)
        .order_by(DistributionPoint.name)))
    orders = session.scalar(select(func.count(Order.id)).where(Order.cycle_id == cycle.id)) or 0
    baskets = session.scalar(
        select(func.sum(OrderLine.quantity_ordered))
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.cycle_id == cycle.id, OrderLine.source == LineSource.SUBSCRIPTION))
    return CycleDetail(
        id=cycle.id, version=cycle.version, name=cycle.name, label=cycle_label(cycle),
        date=cycle.distribution_date, order_deadline=cycle.order_deadline, state=cycle.state,
        shortfall_rule=cycle.shortfall_rule, points=points, offers=_offers(session, cycle),
        order_count=orders, subscription_baskets=baskets if baskets is not None else ZERO_QTY,
    )


def get_cycle(*, db: Database, actor: Actor, cycle_id: int) -> CycleDetail:
    """A distribution with its points and its offer (ordered, remaining, case status)."""
    require(actor, ORDER_READERS, _("consulter les distributions"))
    with db.reading() as session:
        return _detail(session, find_cycle(session, cycle_id))


# --- creating and changing ------------------------------------------------------------------


def _require_all_points(actor: Actor, point_ids: Sequence[int]) -> None:
    """A coordinator manages a distribution only if it coordinates all its points."""
    for point_id in point_ids:
        require_point(actor, point_id, _("gérer une distribution qui passe aussi par d'autres "
                                         "points que les siens"))


def _require_editable(cycle: Cycle, what: str) -> None:
    if cycle.state not in EDITABLE_STATES:
        raise ValidationError(
            _("La {cycle} est {state} : {what}.").format(
                cycle=cycle_label(cycle).lower(), state=cycle.state.label.lower(), what=what),
            field="state")


def checked_points(session: Session, point_ids: Sequence[int]) -> list[int]:
    """The points named, each once and in order; an unknown or archived one is refused."""
    unique = sorted(set(point_ids))
    for point_id in unique:
        point = session.get(DistributionPoint, point_id)
        if point is None:
            raise ValidationError(
                _("Point de distribution n° {id} introuvable.").format(id=point_id),
                field="point_ids")
        if point.archived_at is not None:
            raise ValidationError(
                _("Le point de distribution « {name} » est archivé : choisissez-en un "
                  "autre.").format(name=point.name), field="point_ids")
    return unique


def _checked_fields(date: dt.date, order_deadline: dt.datetime | None,
                    name: str) -> tuple[dt.datetime | None, str]:
    """The deadline (a naive one is the computer's local time) and the name, checked."""
    if order_deadline is not None and order_deadline.tzinfo is None:
        order_deadline = order_deadline.astimezone()
    if order_deadline is not None and order_deadline.date() > date:
        raise ValidationError(
            _("La date limite de commande ({deadline}) tombe après la distribution "
              "({date}).").format(deadline=format_datetime(order_deadline),
                                  date=format_date(date, style="short")),
            field="order_deadline")
    return order_deadline, check.text(name, field="name", label=_("Le nom de la distribution"),
                                      required=False)


def create_cycle(
    *, db: Database, actor: Actor, date: dt.date, point_ids: Sequence[int],
    order_deadline: dt.datetime | None = None, name: str = "",
    shortfall_rule: ShortfallRule = ShortfallRule.PRO_RATA,
) -> CycleDetail:
    """A new distribution, in draft: its date, points, order deadline and shortfall rule."""
    require(actor, ORDER_TAKERS, _("créer une distribution"))
    _require_all_points(actor, point_ids)
    order_deadline, cleaned = _checked_fields(date, order_deadline, name)
    with db.transaction() as session:
        points = checked_points(session, point_ids)
        cycle = Cycle(name=cleaned, distribution_date=date, order_deadline=order_deadline,
                      state=CycleState.DRAFT, shortfall_rule=shortfall_rule)
        session.add(cycle)
        session.flush()
        session.add_all(CyclePoint(cycle_id=cycle.id, point_id=p) for p in points)
        session.flush()
        audit.record(session, actor=actor, entity="cycle", entity_id=cycle.id, action="create",
                     summary=_("Création de la {cycle}").format(cycle=cycle_label(cycle).lower()),
                     after={"date": date, "points": points}, cycle_id=cycle.id)
        return _detail(session, cycle)


def update_cycle(
    *, db: Database, actor: Actor, cycle_id: int, date: dt.date, point_ids: Sequence[int],
    order_deadline: dt.datetime | None = None, name: str = "",
    shortfall_rule: ShortfallRule = ShortfallRule.PRO_RATA,
    expected_version: int | None = None,
) -> CycleDetail:
    """Change a draft or open distribution; a point with orders cannot be taken off it.

    While it is open its subscription lines follow the new date and points.
    """
    require(actor, ORDER_TAKERS, _("modifier une distribution"))
    order_deadline, cleaned = _checked_fields(date, order_deadline, name)
    try:
        with db.transaction() as session:
            cycle = find_cycle(session, cycle_id, lock="update")
            if expected_version is not None and cycle.version != expected_version:
                raise StaleData(_("Cette distribution"))
            current = cycle_point_ids(session, cycle_id)
            _require_all_points(actor, current)
            _require_all_points(actor, point_ids)
            _require_editable(cycle, _("elle ne peut plus être modifiée"))
            points = checked_points(session, point_ids)
            for point_id in set(current) - set(points):
                _refuse_point_with_orders(session, cycle, point_id)
            session.execute(delete(CyclePoint).where(
                CyclePoint.cycle_id == cycle_id, CyclePoint.point_id.not_in(points)))
            session.add_all(CyclePoint(cycle_id=cycle_id, point_id=p)
                            for p in points if p not in current)
            before = {"date": cycle.distribution_date, "points": current,
                      "shortfall_rule": cycle.shortfall_rule}
            cycle.name = cleaned
            cycle.distribution_date = date
            cycle.order_deadline = order_deadline
            cycle.shortfall_rule = shortfall_rule
            session.flush()
            if cycle.state is CycleState.OPEN:
                sync_subscription_lines(session, cycle)
            audit.record(session, actor=actor, entity="cycle", entity_id=cycle.id,
                         action="update",
                         summary=_("Modification de la {cycle}").format(
                             cycle=cycle_label(cycle).lower()),
                         before=before, after={"date": date, "points": points,
                                               "shortfall_rule": shortfall_rule},
                         cycle_id=cycle.id)
            return _detail(session, cycle)
    except StaleDataError:
        raise StaleData(_("Cette distribution")) from None


def _refuse_point_with_orders(session: Session, cycle: Cycle, point_id: int) -> None:
    count = session.scalar(select(func.count(Order.id)).where(
        Order.cycle_id == cycle.id, Order.point_id == point_id)) or 0
    if count:
        point = session.get(DistributionPoint, point_id)
        raise ValidationError(
            ngettext("Le point « {point} » a déjà {n} commande dans cette distribution : il ne "
                     "peut pas en être retiré.",
                     "Le point « {point} » a déjà {n} commandes dans cette distribution : il ne "
                     "peut pas en être retiré.", count).format(
                point=point.name if point is not None else point_id, n=count),
            field="point_ids")


def _editable_cycle(session: Session, actor: Actor, cycle_id: int, what: str) -> Cycle:
    cycle = find_cycle(session, cycle_id, lock="update")
    _require_all_points(actor, cycle_point_ids(session, cycle_id))
    _require_editable(cycle, what)
    return cycle


def set_offer(*, db: Database, actor: Actor, cycle_id: int, product_id: int,
              cap: Decimal | int | str | None = None) -> OfferRow:
    """Offer a product in a distribution (or change its cap; None: no cap)."""
    require(actor, ORDER_TAKERS, _("modifier l'offre d'une distribution"))
    checked_cap = None
    if cap is not None and str(cap).strip():
        checked_cap = check.positive_quantity(cap, field="cap", label=_("Le plafond"))
    with db.transaction() as session:
        cycle = _editable_cycle(session, actor, cycle_id, _("son offre ne change plus"))
        product = session.get(Product, product_id)
        if product is None:
            raise NotFound(_("Produit n° {id} introuvable.").format(id=product_id))
        offer = session.scalars(select(CycleOffer).where(
            CycleOffer.cycle_id == cycle_id, CycleOffer.product_id == product_id)
            .with_for_update()).first()
        if offer is None:
            _require_offerable(session, product, cycle.distribution_date)
            offer = CycleOffer(cycle_id=cycle_id, product_id=product_id)
            session.add(offer)
        ordered = _product_totals(session, cycle_id).get(product_id, ZERO_QTY)
        if checked_cap is not None and checked_cap < ordered:
            raise ValidationError(
                _("Le plafond de {name} ne peut pas être inférieur à ce qui est déjà commandé "
                  "({ordered}).").format(name=product.name,
                                         ordered=quantity_text(ordered, product.unit)),
                field="cap")
        offer.cap = checked_cap
        session.flush()
        return next(row for row in _offers(session, cycle) if row.product_id == product_id)


def _offer_problem(session: Session, product: Product, day: dt.date) -> str | None:
    if product.archived_at is not None or not product.active:
        return _("« {name} » est archivé ou inactif").format(name=product.name)
    if price_on(session, product_id=product.id, day=day) is None:
        return _("« {name} » n'a pas de prix au {date}").format(
            name=product.name, date=format_date(day))
    return None


def _require_offerable(session: Session, product: Product, day: dt.date) -> None:
    problem = _offer_problem(session, product, day)
    if problem is not None:
        raise ValidationError(
            _("{problem} : il ne peut pas être proposé.").format(problem=problem),
            field="product_id")


def remove_offer(*, db: Database, actor: Actor, cycle_id: int, product_id: int) -> None:
    """Take a product off a distribution's offer; refused while it has orders."""
    require(actor, ORDER_TAKERS, _("modifier l'offre d'une distribution"))
    with db.transaction() as session:
        _editable_cycle(session, actor, cycle_id, _("son offre ne change plus"))
        offer = session.scalars(select(CycleOffer).where(
            CycleOffer.cycle_id == cycle_id, CycleOffer.product_id == product_id)).first()
        if offer is None:
            return
        lines = session.scalar(
            select(func.count(OrderLine.id)).join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, OrderLine.product_id == product_id)) or 0
        if lines:
            product = session.get(Product, product_id)
            raise ValidationError(
                ngettext("« {name} » a déjà {n} commande : remettez-la à 0 avant de le retirer "
                         "de l'offre.",
                         "« {name} » a déjà {n} commandes : remettez-les à 0 avant de le retirer "
                         "de l'offre.", lines).format(
                    name=product.name if product is not None else product_id, n=lines),
                field="product_id")
        session.delete(offer)


def copy_offer_from_previous(*, db: Database, actor: Actor, cycle_id: int) -> CopyResult:
    """Add the offer and caps of the latest earlier distribution sharing a point.

    Products already offered are left as they are; archived or inactive products
    and those with no price on the new date are left out, and named.
    """
    require(actor, ORDER_TAKERS, _("modifier l'offre d'une distribution"))
    with db.transaction() as session:
        cycle = _editable_cycle(session, actor, cycle_id, _("son offre ne change plus"))
        points = cycle_point_ids(session, cycle_id)
        if not points:
            raise ValidationError(
                _("Choisissez d'abord les points de la distribution : l'offre copiée est celle "
                  "de la précédente distribution à ces points."), field="point_ids")
        source = session.scalars(
            select(Cycle).join(CyclePoint, CyclePoint.cycle_id == Cycle.id)
            .where(CyclePoint.point_id.in_(points), Cycle.id != cycle_id,
                   Cycle.distribution_date < cycle.distribution_date)
            .order_by(Cycle.distribution_date.desc(), Cycle.id.desc()).limit(1)).first()
        if source is None:
            raise ServiceError(
                _("Aucune distribution avant le {date} à ces points : il n'y a pas d'offre à "
                  "copier.").format(date=format_date(cycle.distribution_date)))
        present = set(session.scalars(select(CycleOffer.product_id)
                                      .where(CycleOffer.cycle_id == cycle_id)))
        added: list[str] = []
        skipped: list[str] = []
        for offer, product in session.execute(
            select(CycleOffer, Product).join(Product, Product.id == CycleOffer.product_id)
            .where(CycleOffer.cycle_id == source.id).order_by(Product.name)):
            if product.id in present:
                continue
            problem = _offer_problem(session, product, cycle.distribution_date)
            if problem is not None:
                skipped.append(problem)
                continue
            session.add(CycleOffer(cycle_id=cycle_id, product_id=product.id, cap=offer.cap))
            added.append(product.name)
        session.flush()
        return CopyResult(source_cycle_id=source.id, source_date=source.distribution_date,
                          added=tuple(added), skipped=tuple(skipped))


# --- states ---------------------------------------------------------------------------------


_HAPPENED = N_("elle a déjà eu lieu, corrigez plutôt les quantités livrées")
_TRANSITION_HINTS: dict[tuple[CycleState, CycleState], str] = {
    (CycleState.DRAFT, CycleState.CLOSED): N_("ouvrez-la d'abord"),
    (CycleState.DRAFT, CycleState.DISTRIBUTED): N_("ouvrez-la puis clôturez-la d'abord"),
    (CycleState.OPEN, CycleState.DISTRIBUTED): N_("clôturez-la d'abord"),
    (CycleState.DISTRIBUTED, CycleState.OPEN): _HAPPENED,
    (CycleState.DISTRIBUTED, CycleState.CLOSED): _HAPPENED,
    (CycleState.INVOICED, CycleState.OPEN): N_("elle est facturée, corrigez par un avoir"),
    (CycleState.INVOICED, CycleState.CLOSED): N_("elle est facturée, corrigez par un avoir"),
}

_DONE = {
    CycleState.DRAFT: N_("repassée en brouillon"),
    CycleState.OPEN: N_("ouverte"),
    CycleState.CLOSED: N_("clôturée"),
    CycleState.DISTRIBUTED: N_("distribuée"),
    CycleState.INVOICED: N_("facturée"),
}


def transition(*, db: Database, actor: Actor, cycle_id: int, to_state: CycleState,
               reason: str | None = None) -> TransitionResult:
    """Move a distribution to another state, with what that state implies (module doc)."""
    require(actor, ORDER_TAKERS, _("changer l'état d'une distribution"))
    try:
        with db.transaction() as session:
            cycle = find_cycle(session, cycle_id, lock="update")
            _require_all_points(actor, cycle_point_ids(session, cycle_id))
            before = cycle.state
            _check_transition(cycle, to_state)
            label = cycle_label(cycle)
            if before is CycleState.CLOSED and to_state is CycleState.OPEN:
                result = _reopen(session, actor, cycle, reason)
            elif to_state is CycleState.OPEN:
                result = _open(session, cycle)
            elif to_state is CycleState.CLOSED:
                result = _close(session, actor, cycle)
            elif to_state is CycleState.DISTRIBUTED:
                result = _distribute(session, cycle)
            else:
                result = TransitionResult(cycle_id=cycle.id, from_state=before,
                                          to_state=to_state, summary="")
            cycle.state = to_state
            session.flush()
            if to_state is CycleState.DISTRIBUTED:
                # What each household owes for it goes on its account.
                ledger.sync_cycle(session, actor, cycle.id)
            summary = f"{label} : {_(_DONE[to_state]) if not result.summary else result.summary}"
            if before is not CycleState.CLOSED or to_state is not CycleState.OPEN:
                audit.record(session, actor=actor, entity="cycle", entity_id=cycle.id,
                             action=to_state.value, summary=summary,
                             before={"state": before}, after={"state": to_state},
                             cycle_id=cycle.id)
            return TransitionResult(
                cycle_id=cycle.id, from_state=before, to_state=to_state, summary=summary,
                subscriptions=result.subscriptions, cut_products=result.cut_products,
                completed_products=result.completed_products,
                lines_delivered=result.lines_delivered, lines_to_weigh=result.lines_to_weigh)
    except StaleDataError:
        raise StaleData(_("Cette distribution")) from None


def _check_transition(cycle: Cycle, to_state: CycleState) -> None:
    before = cycle.state
    label = cycle_label(cycle)
    if to_state is before:
        raise ServiceError(_("La {cycle} est déjà {state}.").format(
            cycle=label.lower(), state=before.label.lower()))
    if to_state is CycleState.INVOICED and before is CycleState.DISTRIBUTED:
        raise ServiceError(
            _("La {cycle} passe à l'état « facturée » quand ses factures sont émises : "
              "passez par la facturation.").format(cycle=label.lower()))
    if to_state not in CYCLE_TRANSITIONS[before]:
        hint = _TRANSITION_HINTS.get((before, to_state))
        message = _("La {cycle} est « {before} » : elle ne peut pas passer à « {after} »").format(
            cycle=label.lower(), before=before.label, after=to_state.label)
        raise ServiceError(message + (f" : {_(hint)}." if hint else "."))


def _open(session: Session, cycle: Cycle) -> TransitionResult:
    label = cycle_label(cycle)
    if not cycle_point_ids(session, cycle.id):
        raise ServiceError(
            _("Impossible d'ouvrir la {cycle} : elle ne passe par aucun point de "
              "distribution.").format(cycle=label.lower()))
    offers = session.scalar(select(func.count(CycleOffer.id))
                            .where(CycleOffer.cycle_id == cycle.id)) or 0
    if not offers and not count_due(session, cycle):
        raise ServiceError(
            _("Impossible d'ouvrir la {cycle} : aucun produit n'est proposé et aucun panier "
              "d'abonnement n'est dû ce jour-là. Ajoutez des produits à l'offre.").format(
                cycle=label.lower()))
    sync = sync_subscription_lines(session, cycle)
    summary = ngettext("ouverte, {n} panier d'abonnement généré",
                       "ouverte, {n} paniers d'abonnement générés", sync.added).format(
        n=format_number(Decimal(sync.added)))
    return TransitionResult(cycle_id=cycle.id, from_state=cycle.state,
                            to_state=CycleState.OPEN, summary=summary, subscriptions=sync)


def _reopen(session: Session, actor: Actor, cycle: Cycle,
            reason: str | None) -> TransitionResult:
    label = cycle_label(cycle)
    if reason is None or not reason.strip():
        raise ValidationError(
            _("Rouvrir la {cycle} demande un motif (il est gardé dans l'historique).").format(
                cycle=label.lower()), field="reason")
    why = check.text(reason, field="reason", label=_("Le motif"), max_length=500)
    keyed = session.scalar(
        select(func.count(OrderLine.id)).join(Order, Order.id == OrderLine.order_id)
        .where(Order.cycle_id == cycle.id, OrderLine.quantity_delivered.is_not(None))) or 0
    if keyed:
        raise ServiceError(
            ngettext("La {cycle} ne peut plus être rouverte : {n} quantité livrée a déjà été "
                     "saisie.",
                     "La {cycle} ne peut plus être rouverte : {n} quantités livrées ont déjà été "
                     "saisies.", keyed).format(cycle=label.lower(), n=keyed))
    cleared = session.execute(
        update(OrderLine)
        .where(_line_in_cycle(cycle.id),
               OrderLine.quantity_allocated.is_not(None))
        .values(quantity_allocated=None)
        .execution_options(synchronize_session=False))
    summary = _("rouverte (motif : {reason})").format(reason=why)
    audit.record(session, actor=actor, entity="cycle", entity_id=cycle.id, action="reopen",
                 summary=f"{label} : {summary}",
                 before={"state": CycleState.CLOSED},
                 after={"state": CycleState.OPEN, "reason": why,
                        "allocations_cleared": _rowcount(cleared)},
                 cycle_id=cycle.id)
    return TransitionResult(cycle_id=cycle.id, from_state=CycleState.CLOSED,
                            to_state=CycleState.OPEN, summary=summary)


def _rowcount(result: object) -> int:
    count = getattr(result, "rowcount", 0)
    return int(count) if isinstance(count, int) and count >= 0 else 0


def _line_in_cycle(cycle_id: int) -> ColumnElement[bool]:
    """For bulk updates: the order line belongs to the cycle."""
    return OrderLine.order_id.in_(select(Order.id).where(Order.cycle_id == cycle_id))


@dataclass(frozen=True)
class _Plan:
    """What closing does to one product sold by the case."""

    cases: int
    to_order: Decimal
    allocations: dict[int, Decimal]
    ordered: Decimal
    #: Units the co-op takes (COMPLETE) or that are missing (CUT).
    surplus: Decimal
    shortage: Decimal


def _plan(pack: Decimal, rule: CaseRule, shortfall: ShortfallRule,
          lines: Sequence[OrderToShare]) -> _Plan:
    ordered = sum((qty for _line, qty, _at in lines), ZERO_QTY)
    cases = cases_to_order(ordered, pack, rule)
    to_order = cases * pack
    if rule is CaseRule.COMPLETE or to_order >= ordered:
        allocations = {line: qty for line, qty, _at in lines}
    else:
        allocations = share_shortfall(lines, to_order, shortfall)
    return _Plan(cases=cases, to_order=to_order, allocations=allocations, ordered=ordered,
                 surplus=max(to_order - ordered, ZERO_QTY),
                 shortage=max(ordered - to_order, ZERO_QTY))


_RULE_WORDING = {
    ShortfallRule.PRO_RATA: N_("réparties au prorata"),
    ShortfallRule.ORDER_OF_ARRIVAL: N_("réparties par ordre d'arrivée des commandes"),
    ShortfallRule.NONE: N_("non réparties : chacun garde sa commande, il en manque {shortage}"),
}


def _plan_summary(plan: _Plan, pack: Decimal, rule: ShortfallRule) -> str:
    """« Colis de 6 : 27 commandées, 24 livrées, réparties au prorata »"""
    head = _("Colis de {pack} : {ordered} commandées").format(
        pack=format_number(pack), ordered=format_number(plan.ordered))
    if plan.surplus:
        return head + ngettext(
            ", {cases} colis commandé ({to_order}), {surplus} pour la coopérative",
            ", {cases} colis commandés ({to_order}), {surplus} pour la coopérative",
            plan.cases).format(cases=plan.cases, to_order=format_number(plan.to_order),
                               surplus=format_number(plan.surplus))
    if plan.shortage:
        return head + _(", {to_order} livrées, {how}").format(
            to_order=format_number(plan.to_order),
            how=_(_RULE_WORDING[rule]).format(shortage=format_number(plan.shortage)))
    return head


def _case_lines(session: Session, cycle_id: int) -> dict[int, list[OrderToShare]]:
    """Per product sold by the case, its lines in the cycle as (id, ordered, created)."""
    lines: dict[int, list[OrderToShare]] = defaultdict(list)
    for line_id, product_id, qty, created in session.execute(
        select(OrderLine.id, OrderLine.product_id, OrderLine.quantity_ordered,
               OrderLine.created_at)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.cycle_id == cycle_id, Product.case_pack.is_not(None))
        .order_by(OrderLine.id)):
        assert product_id is not None
        lines[product_id].append((line_id, qty, created))
    return lines


def _close(session: Session, actor: Actor, cycle: Cycle) -> TransitionResult:
    session.execute(
        update(OrderLine)
        .where(_line_in_cycle(cycle.id))
        .values(quantity_allocated=OrderLine.quantity_ordered)
        .execution_options(synchronize_session=False))
    by_product = _case_lines(session, cycle.id)
    products = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_(list(by_product))))}
    cut = completed = 0
    changes: list[dict[str, object]] = []
    for product_id, lines in sorted(by_product.items()):
        product = products[product_id]
        assert product.case_pack is not None
        plan = _plan(product.case_pack, product.case_rule, cycle.shortfall_rule, lines)
        if not plan.surplus and not plan.shortage:
            continue
        if plan.surplus:
            completed += 1
        else:
            cut += 1
        changes.extend({"id": line_id, "quantity_allocated": plan.allocations[line_id]}
                       for line_id, qty, _at in lines if plan.allocations[line_id] != qty)
        audit.record(
            session, actor=actor, entity="product", entity_id=product_id, action="allocate",
            summary=f"{product.name} — "
                    f"{_plan_summary(plan, product.case_pack, cycle.shortfall_rule)}",
            before={"ordered": plan.ordered},
            after={"case_pack": product.case_pack, "case_rule": product.case_rule,
                   "cases": plan.cases, "to_order": plan.to_order,
                   "shortfall_rule": cycle.shortfall_rule,
                   "allocated": sum(plan.allocations.values(), ZERO_QTY)},
            cycle_id=cycle.id)
    if changes:
        session.execute(update(OrderLine), changes)
    parts = [_("clôturée")]
    if cut:
        parts.append(ngettext("{n} produit coupé au colis", "{n} produits coupés au colis",
                              cut).format(n=cut))
    if completed:
        parts.append(ngettext("{n} colis complété par la coopérative",
                              "{n} colis complétés par la coopérative",
                              completed).format(n=completed))
    return TransitionResult(cycle_id=cycle.id, from_state=CycleState.OPEN,
                            to_state=CycleState.CLOSED, summary=", ".join(parts),
                            cut_products=cut, completed_products=completed)


def _distribute(session: Session, cycle: Cycle) -> TransitionResult:
    weighed = select(Product.id).where(Product.variable_weight.is_(True))
    filled = session.execute(
        update(OrderLine)
        .where(_line_in_cycle(cycle.id),
               OrderLine.quantity_delivered.is_(None),
               or_(OrderLine.product_id.is_(None), OrderLine.product_id.not_in(weighed)))
        .values(quantity_delivered=func.coalesce(OrderLine.quantity_allocated,
                                                 OrderLine.quantity_ordered))
        .execution_options(synchronize_session=False))
    to_weigh = session.scalar(
        select(func.count(OrderLine.id)).join(Order, Order.id == OrderLine.order_id)
        .where(Order.cycle_id == cycle.id, OrderLine.quantity_delivered.is_(None))) or 0
    delivered = _rowcount(filled)
    summary = ", ".join((
        _("distribuée"),
        ngettext("{n} ligne livrée comme prévu", "{n} lignes livrées comme prévu",
                 delivered).format(n=format_number(Decimal(delivered))),
        ngettext("{n} à peser", "{n} à peser", to_weigh).format(
            n=format_number(Decimal(to_weigh)))))
    return TransitionResult(cycle_id=cycle.id, from_state=CycleState.CLOSED,
                            to_state=CycleState.DISTRIBUTED, summary=summary,
                            lines_delivered=delivered, lines_to_weigh=to_weigh)


def mark_invoiced(session: Session, *, actor: Actor, cycle_id: int) -> None:
    """For the invoicing service, in its transaction: a distributed cycle is now invoiced."""
    cycle = find_cycle(session, cycle_id, lock="update")
    if cycle.state is not CycleState.DISTRIBUTED:
        raise ServiceError(
            _("La {cycle} est « {state} » : seule une distribution qui a eu lieu se "
              "facture.").format(cycle=cycle_label(cycle).lower(), state=cycle.state.label))
    cycle.state = CycleState.INVOICED
    audit.record(session, actor=actor, entity="cycle", entity_id=cycle.id, action="invoiced",
                 summary=f"{cycle_label(cycle)} : {_('facturée')}",
                 before={"state": CycleState.DISTRIBUTED}, after={"state": CycleState.INVOICED},
                 cycle_id=cycle.id)


def list_cycle_history(*, db: Database, actor: Actor, cycle_id: int) -> list[AuditRow]:
    """What happened to a distribution (states, reopenings and why, case packs), newest first."""
    require(actor, ORDER_READERS, _("consulter l'historique d'une distribution"))
    with db.reading() as session:
        find_cycle(session, cycle_id)
        return audit.entries(session, entities=("cycle", "product"), cycle_id=cycle_id)


# --- shortfalls -----------------------------------------------------------------------------


def shortfall_report(*, db: Database, actor: Actor, cycle_id: int) -> list[ShortfallProduct]:
    """Every product whose members do not all get what they ordered, with who gets what.

    Once closed, the allocations written at closing; while open, what closing
    now would do (`forecast`). Products cut under the rule NONE are listed too:
    nobody is cut but the co-op is short.
    """
    require(actor, ORDER_READERS, _("consulter les répartitions"))
    with db.reading() as session:
        cycle = find_cycle(session, cycle_id)
        forecast = cycle.state in EDITABLE_STATES
        rows = session.execute(
            select(OrderLine.id, OrderLine.quantity_ordered, OrderLine.quantity_allocated,
                   OrderLine.created_at, Order.id, Order.row_number, Member.id,
                   Member.last_name, Member.first_name, DistributionPoint.id,
                   DistributionPoint.name, Product, Producer.name)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Member, Member.id == Order.member_id)
            .join(DistributionPoint, DistributionPoint.id == Order.point_id)
            .join(Product, Product.id == OrderLine.product_id)
            .join(Producer, Producer.id == Product.producer_id)
            .where(Order.cycle_id == cycle_id, or_(
                Product.case_pack.is_not(None),
                and_(OrderLine.quantity_allocated.is_not(None),
                     OrderLine.quantity_allocated != OrderLine.quantity_ordered)))
        ).all()
    grouped: dict[int, list[tuple[object, ...]]] = defaultdict(list)
    products: dict[int, tuple[Product, str]] = {}
    for row in rows:
        product = row[11]
        grouped[product.id].append(row)
        products[product.id] = (product, row[12])
    report = []
    for product_id, product_rows in grouped.items():
        product, producer = products[product_id]
        report_row = _shortfall_product(cycle, product, producer, product_rows, forecast)
        if report_row is not None:
            report.append(report_row)
    report.sort(key=lambda r: (r.producer, r.product))
    if actor.role is Role.COORDINATOR:
        # Cases are shared out over every point, so the totals stay whole; the households
        # named are only those of the coordinator's own points.
        report = [replace(r, lines=tuple(line for line in r.lines
                                         if line.point_id in actor.point_ids))
                  for r in report]
    return report


def _shortfall_product(cycle: Cycle, product: Product, producer: str,
                       rows: Sequence[tuple[object, ...]],
                       forecast: bool) -> ShortfallProduct | None:
    shares: list[OrderToShare] = []
    for row in rows:
        line_id, ordered, _allocated, created = row[0], row[1], row[2], row[3]
        assert isinstance(line_id, int) and isinstance(ordered, Decimal)
        assert isinstance(created, dt.datetime)
        shares.append((line_id, ordered, created))
    plan = None
    if product.case_pack is not None:
        plan = _plan(product.case_pack, product.case_rule, cycle.shortfall_rule, shares)
    allocated: dict[int, Decimal] = {}
    for row in rows:
        line_id, ordered, written = row[0], row[1], row[2]
        assert isinstance(line_id, int) and isinstance(ordered, Decimal)
        if forecast or written is None:
            allocated[line_id] = plan.allocations[line_id] if plan is not None else ordered
        else:
            assert isinstance(written, Decimal)
            allocated[line_id] = written
    ordered_total = sum((qty for _line, qty, _at in shares), ZERO_QTY)
    allocated_total = sum(allocated.values(), ZERO_QTY)
    shortage = plan.shortage if plan is not None and cycle.shortfall_rule is ShortfallRule.NONE \
        else ZERO_QTY
    if all(allocated[line] == qty for line, qty, _at in shares) and not shortage:
        return None
    lines = []
    for row in rows:
        (line_id, ordered, _written, created, order_id, row_number, member_id, last, first,
         point_id, point) = row[:11]
        assert isinstance(line_id, int) and isinstance(ordered, Decimal)
        assert isinstance(created, dt.datetime) and isinstance(order_id, int)
        assert isinstance(member_id, int) and isinstance(point_id, int)
        assert isinstance(last, str) and isinstance(first, str) and isinstance(point, str)
        assert row_number is None or isinstance(row_number, int)
        lines.append(ShortfallLine(
            line_id=line_id, order_id=order_id, member_id=member_id,
            member=household_name(last, first), point_id=point_id, point=point,
            row_number=row_number, ordered=ordered, allocated=allocated[line_id],
            ordered_at=created))
    names = {line.member_id: line.member for line in lines}
    lines.sort(key=lambda line: (line.point, alphabetical_key(names[line.member_id], "",
                                                              line.member_id)))
    if plan is not None and product.case_pack is not None:
        summary = _plan_summary(plan, product.case_pack, cycle.shortfall_rule)
    else:
        summary = _("{ordered} commandées, {allocated} réparties").format(
            ordered=format_number(ordered_total), allocated=format_number(allocated_total))
    return ShortfallProduct(
        product_id=product.id, product=product.name, producer=producer, unit=product.unit,
        case_pack=product.case_pack, case_rule=product.case_rule, rule=cycle.shortfall_rule,
        ordered=ordered_total, to_order=None if plan is None else plan.to_order,
        allocated=allocated_total, shortage=shortage, forecast=forecast, summary=summary,
        lines=tuple(lines))
