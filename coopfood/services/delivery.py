"""After the distribution: what each household really took, keyed back fast.

The coordinator types the row number printed on the sign-in sheet, then the
weight or quantity of each line (`find_by_row_number`, `set_delivered`);
marks a household absent (`mark_absent`) or a product missing for everyone
(`mark_product_missing`). Quantities are keyed once the distribution is
closed (right away) or distributed; amounts are recomputed from the delivered
quantities at the price snapshotted on each line, to the cent.

At `distribute`, every line with no delivered quantity takes its allocated
one, except variable-weight lines, left to be weighed (see `cycles`). Every
change keyed here is kept in the audit trail with who, when, before and after
(`list_changes`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.money import line_total
from coopfood.i18n import _, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    DistributionPoint,
    Invoice,
    InvoicedOrderLine,
    InvoiceLine,
    Order,
    OrderLine,
    Product,
)
from coopfood.services import Actor, NotFound, Role, ValidationError, audit, ledger
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.audit import AuditRow
from coopfood.services.orders import (
    ORDER_READERS,
    ORDER_TAKERS,
    cycle_label,
    cycle_point_ids,
    find_cycle,
    quantity_text,
)

#: The states in which delivered quantities are keyed.
DELIVERY_STATES = frozenset({CycleState.CLOSED, CycleState.DISTRIBUTED})
ZERO_QTY = Decimal("0.000")


@dataclass(frozen=True)
class DeliveryLine:
    line_id: int
    product_id: int | None
    basket_type_id: int | None
    name: str
    unit: Unit
    variable_weight: bool
    quantity_ordered: Decimal
    quantity_allocated: Decimal | None
    #: None until keyed (or given by default at distribution).
    quantity_delivered: Decimal | None
    member_unit_price: Decimal
    #: Delivered quantity × snapshot price, else allocated, else ordered; to the cent.
    amount: Decimal

    @property
    def to_weigh(self) -> bool:
        return self.variable_weight and self.quantity_delivered is None


@dataclass(frozen=True)
class HouseholdDelivery:
    """A household's order as keyed back: its lines and what it comes to."""

    order_id: int
    order_version: int
    cycle_id: int
    member_id: int
    name: str
    co_member_name: str
    point_id: int
    row_number: int | None
    absent: bool
    lines: tuple[DeliveryLine, ...]
    total: Decimal


@dataclass(frozen=True)
class MissingResult:
    product_id: int
    lines: int
    households: int


def _quantity_due(line: OrderLine) -> Decimal:
    if line.quantity_delivered is not None:
        return line.quantity_delivered
    if line.quantity_allocated is not None:
        return line.quantity_allocated
    return line.quantity_ordered


def _line_name(line: OrderLine) -> tuple[str, Unit, bool]:
    if line.product is not None:
        return line.product.name, line.product.unit, line.product.variable_weight
    assert line.basket_type is not None
    return line.basket_type.name, Unit.BASKET, False


def _household(session: Session, order: Order) -> HouseholdDelivery:
    lines = session.scalars(
        select(OrderLine)
        .options(selectinload(OrderLine.product), selectinload(OrderLine.basket_type))
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.basket_type_id.is_(None), OrderLine.id)).all()
    rows = []
    for line in lines:
        name, unit, weighed = _line_name(line)
        rows.append(DeliveryLine(
            line_id=line.id, product_id=line.product_id, basket_type_id=line.basket_type_id,
            name=name, unit=unit, variable_weight=weighed,
            quantity_ordered=line.quantity_ordered,
            quantity_allocated=line.quantity_allocated,
            quantity_delivered=line.quantity_delivered,
            member_unit_price=line.member_unit_price,
            amount=line_total(line.member_unit_price, _quantity_due(line))))
    member = order.member
    return HouseholdDelivery(
        order_id=order.id, order_version=order.version, cycle_id=order.cycle_id,
        member_id=order.member_id, name=member.display_name,
        co_member_name=member.co_member_name, point_id=order.point_id,
        row_number=order.row_number, absent=order.absent, lines=tuple(rows),
        total=sum((row.amount for row in rows), Decimal("0.00")))


def _find_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(_("Commande n° {id} introuvable.").format(id=order_id))
    return order


def _require_keying(cycle: Cycle) -> None:
    if cycle.state in DELIVERY_STATES:
        return
    if cycle.state is CycleState.INVOICED:
        raise ValidationError(
            _("La {cycle} est facturée : les quantités livrées ne changent plus, corrigez par "
              "un avoir.").format(cycle=cycle_label(cycle).lower()), field="quantity")
    raise ValidationError(
        _("La {cycle} est {state} : les quantités livrées se saisissent une fois la "
          "distribution clôturée.").format(cycle=cycle_label(cycle).lower(),
                                           state=cycle.state.label.lower()),
        field="quantity")


def _refuse_invoiced(session: Session, line_ids: Sequence[int]) -> None:
    """Delivered quantities already on an issued invoice never change: a credit note does."""
    if not line_ids:
        return
    number = session.scalar(
        select(Invoice.number)
        .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
        .join(InvoicedOrderLine, InvoicedOrderLine.invoice_line_id == InvoiceLine.id)
        .where(InvoicedOrderLine.order_line_id.in_(list(line_ids)))
        .limit(1))
    if number is not None:
        raise ValidationError(
            _("Déjà facturé (facture {number}) : la quantité livrée ne change plus ; "
              "corrigez par un avoir.").format(number=number), field="quantity")


def _text(qty: Decimal | None, unit: Unit) -> str:
    return "—" if qty is None else quantity_text(qty, unit)


def _change(session: Session, actor: Actor, order: Order, line: OrderLine,
            qty: Decimal | None, note: str = "") -> bool:
    """Set a line's delivered quantity and keep the trace; False when it was already so."""
    before = line.quantity_delivered
    if before == qty:
        return False
    line.quantity_delivered = qty
    name, unit, _weighed = _line_name(line)
    summary = _("{member} — {item} : {before} → {after}").format(
        member=order.member.display_name, item=name, before=_text(before, unit),
        after=_text(qty, unit))
    audit.record(session, actor=actor, entity="order_line", entity_id=line.id,
                 action="deliver", summary=summary + (f" ({note})" if note else ""),
                 before={"quantity_delivered": before}, after={"quantity_delivered": qty},
                 cycle_id=order.cycle_id, member_id=order.member_id,
                 point_id=order.point_id)
    return True


def get_delivery(*, db: Database, actor: Actor, order_id: int) -> HouseholdDelivery:
    """A household's order with its delivered quantities and amount."""
    require(actor, ORDER_READERS, _("consulter les livraisons"))
    with db.reading() as session:
        order = _find_order(session, order_id)
        require_point(actor, order.point_id, _("consulter les livraisons de ce point"))
        return _household(session, order)


def find_by_row_number(*, db: Database, actor: Actor, cycle_id: int, point_id: int,
                       row_number: int) -> HouseholdDelivery:
    """The household printed on row `row_number` of the point's sign-in sheet."""
    require(actor, ORDER_READERS, _("consulter les livraisons"))
    require_point(actor, point_id, _("consulter les livraisons de ce point"))
    with db.reading() as session:
        cycle = find_cycle(session, cycle_id)
        order = session.scalars(select(Order).where(
            Order.cycle_id == cycle_id, Order.point_id == point_id,
            Order.row_number == row_number)).first()
        if order is None:
            point = session.get(DistributionPoint, point_id)
            raise NotFound(
                _("Aucun foyer n'a le numéro {n} au point « {point} » dans la {cycle}.").format(
                    n=row_number, point=point.name if point is not None else point_id,
                    cycle=cycle_label(cycle).lower()))
        return _household(session, order)


def set_delivered(*, db: Database, actor: Actor, line_id: int,
                  quantity: Decimal | int | str | None) -> HouseholdDelivery:
    """Key what was really delivered on a line (the weight of a variable-weight item).

    None clears a keyed quantity. Returns the household, its amount recomputed.
    """
    require(actor, ORDER_TAKERS, _("saisir les quantités livrées"))
    qty = None if quantity is None or not str(quantity).strip() else check.positive_quantity(
        quantity, field="quantity", label=_("La quantité livrée"))
    with db.transaction() as session:
        line = session.get(OrderLine, line_id)
        if line is None:
            raise NotFound(_("Ligne de commande n° {id} introuvable.").format(id=line_id))
        order = line.order
        require_point(actor, order.point_id, _("saisir les livraisons de ce point"))
        _require_keying(find_cycle(session, order.cycle_id, lock="share"))
        if line.quantity_delivered != qty:
            _refuse_invoiced(session, [line.id])
        _change(session, actor, order, line, qty)
        session.flush()
        ledger.sync_cycle(session, actor, order.cycle_id)
        return _household(session, order)


def mark_absent(*, db: Database, actor: Actor, order_id: int,
                absent: bool = True) -> HouseholdDelivery:
    """A household did not come: nothing delivered on any line (what it ordered stays).

    `absent=False` undoes it: the lines take back their allocated quantity once
    the distribution is marked distributed (variable weights: to weigh again).
    """
    require(actor, ORDER_TAKERS, _("saisir les absences"))
    with db.transaction() as session:
        order = _find_order(session, order_id)
        require_point(actor, order.point_id, _("saisir les livraisons de ce point"))
        cycle = find_cycle(session, order.cycle_id, lock="share")
        _require_keying(cycle)
        if order.absent == absent:
            return _household(session, order)
        lines = session.scalars(
            select(OrderLine)
            .options(selectinload(OrderLine.product), selectinload(OrderLine.basket_type))
            .where(OrderLine.order_id == order.id).order_by(OrderLine.id)).all()
        _refuse_invoiced(session, [line.id for line in lines])
        before = {str(line.id): line.quantity_delivered for line in lines}
        for line in lines:
            _name, _unit, weighed = _line_name(line)
            if absent:
                line.quantity_delivered = ZERO_QTY
            elif cycle.state is CycleState.DISTRIBUTED and not weighed:
                line.quantity_delivered = (line.quantity_allocated
                                           if line.quantity_allocated is not None
                                           else line.quantity_ordered)
            else:
                line.quantity_delivered = None
        order.absent = absent
        order.updated_at = dt.datetime.now(dt.UTC)
        name = order.member.display_name
        summary = (ngettext("{member} : absent, rien n'est livré ({n} ligne)",
                            "{member} : absent, rien n'est livré ({n} lignes)", len(lines))
                   if absent else
                   ngettext("{member} : finalement présent, livraison rétablie ({n} ligne)",
                            "{member} : finalement présent, livraison rétablie ({n} lignes)",
                            len(lines))).format(member=name, n=len(lines))
        audit.record(session, actor=actor, entity="order", entity_id=order.id,
                     action="absent" if absent else "present", summary=summary,
                     before={"absent": not absent, "quantity_delivered": before},
                     after={"absent": absent, "quantity_delivered": {
                         str(line.id): line.quantity_delivered for line in lines}},
                     cycle_id=order.cycle_id, member_id=order.member_id,
                 point_id=order.point_id)
        session.flush()
        ledger.sync_cycle(session, actor, order.cycle_id)
        return _household(session, order)


def mark_product_missing(*, db: Database, actor: Actor, cycle_id: int, product_id: int,
                         point_id: int | None = None) -> MissingResult:
    """A product did not come: nothing delivered to anyone (at `point_id`, or everywhere)."""
    require(actor, ORDER_TAKERS, _("saisir un produit manquant"))
    with db.transaction() as session:
        cycle = find_cycle(session, cycle_id, lock="share")
        points = [point_id] if point_id is not None else cycle_point_ids(session, cycle_id)
        for point in points:
            require_point(actor, point, _("saisir les livraisons d'autres points"))
        _require_keying(cycle)
        product = session.get(Product, product_id)
        if product is None:
            raise NotFound(_("Produit n° {id} introuvable.").format(id=product_id))
        query = (select(OrderLine, Order)
                 .join(Order, Order.id == OrderLine.order_id)
                 .options(selectinload(Order.member))
                 .where(Order.cycle_id == cycle_id, OrderLine.product_id == product_id)
                 .order_by(OrderLine.id))
        if point_id is not None:
            query = query.where(Order.point_id == point_id)
        changed = 0
        households: set[int] = set()
        found = session.execute(query).all()
        _refuse_invoiced(session, [line.id for line, _order in found
                                   if line.quantity_delivered != ZERO_QTY])
        for line, order in found:
            if _change(session, actor, order, line, ZERO_QTY, _("produit manquant")):
                changed += 1
                households.add(order.member_id)
        session.flush()
        ledger.sync_cycle(session, actor, cycle_id)
        return MissingResult(product_id=product_id, lines=changed, households=len(households))


def list_changes(*, db: Database, actor: Actor, cycle_id: int, point_id: int | None = None,
                 limit: int = 500) -> list[AuditRow]:
    """The deliveries keyed back for a distribution (at one point, if given), newest first,
    with before and after; a coordinator sees only its own points' changes."""
    require(actor, ORDER_READERS, _("consulter l'historique des livraisons"))
    if point_id is not None:
        require_point(actor, point_id, _("consulter les livraisons de ce point"))
    points = (frozenset({point_id}) if point_id is not None
              else actor.point_ids if actor.role is Role.COORDINATOR else None)
    with db.reading() as session:
        find_cycle(session, cycle_id)
        return audit.entries(session, entities=("order_line", "order"), cycle_id=cycle_id,
                             point_ids=points, limit=limit)

