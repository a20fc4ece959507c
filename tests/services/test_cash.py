"""The cash box of a distribution: the float, what the ledger says came in, the count and its
difference kept as counted; a closed box stays closed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopfood.domain.enums import CycleState
from coopfood.domain.treasury import CashCurrency, EntryKind, PaymentMeans
from coopfood.persistence.db import Database
from coopfood.persistence.models import AuditEntry, Cycle, CyclePoint
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError, ledger
from coopfood.services import cash as service
from tests.services.test_cheques import Treasury, treasury_co_op

DAY = dt.date(2026, 11, 26)


@dataclass(frozen=True)
class Distribution:
    co_op: Treasury
    cycle: int
    earlier: int


@pytest.fixture
def distribution(db: Database) -> Distribution:
    co_op = treasury_co_op(db)
    with db.transaction() as session:
        ids = []
        for day in (DAY, DAY - dt.timedelta(days=7)):
            cycle = Cycle(distribution_date=day, state=CycleState.DISTRIBUTED)
            session.add(cycle)
            session.flush()
            session.add_all([CyclePoint(cycle_id=cycle.id, point_id=co_op.point),
                             CyclePoint(cycle_id=cycle.id, point_id=co_op.other_point)])
            ids.append(cycle.id)
    return Distribution(co_op=co_op, cycle=ids[0], earlier=ids[1])


def pay(db: Database, member_id: int, amount: str, means: PaymentMeans, cycle_id: int,
        point_id: int) -> int:
    return ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=member_id, amount=amount,
                                 means=means, entry_date=DAY, cycle_id=cycle_id,
                                 point_id=point_id).id


def test_the_expected_amount_and_the_difference_on_a_worked_example(
        db: Database, distribution: Distribution) -> None:
    co_op, cycle = distribution.co_op, distribution.cycle
    box = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op.point,
                                opening_float="50,00")
    assert (box.opening_float, box.expected, box.closed, box.counted, box.difference) == (
        Decimal("50.00"), Decimal("50.00"), False, None, None)
    # What the box counts: cash at this distribution and point…
    pay(db, co_op.anna, "12,50", PaymentMeans.CASH, cycle, co_op.point)
    pay(db, co_op.anna, "20,00", PaymentMeans.CASH, cycle, co_op.point)
    mistaken = pay(db, co_op.anna, "3,00", PaymentMeans.CASH, cycle, co_op.point)
    ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=mistaken, reason="saisi deux fois")
    with db.transaction() as session:  # cash given back at the distribution
        ledger.post(session, LOCAL_ADMIN, kind=EntryKind.REFUND, amount=Decimal("2.00"),
                    label="Remboursement", entry_date=DAY, member_id=co_op.anna,
                    means=PaymentMeans.CASH, cycle_id=cycle, point_id=co_op.point)
    # …and not a cheque, the local currency, another point or another distribution.
    pay(db, co_op.anna, "7,30", PaymentMeans.CHEQUE, cycle, co_op.point)
    pay(db, co_op.anna, "5,00", PaymentMeans.LOCAL_CURRENCY, cycle, co_op.point)
    pay(db, co_op.bruno, "9,00", PaymentMeans.CASH, cycle, co_op.other_point)
    pay(db, co_op.anna, "4,00", PaymentMeans.CASH, distribution.earlier, co_op.point)

    box = service.get_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id)
    assert (box.received, box.payment_count, box.paid_out) == (
        Decimal("35.50"), 3, Decimal("5.00"))
    # 50,00 + 12,50 + 20,00 + 3,00 − 3,00 − 2,00
    assert box.expected == Decimal("80.50")

    closed = service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="79,00",
                                    note="pièce de 2 € introuvable & <rien>")
    assert (closed.expected, closed.counted, closed.difference) == (
        Decimal("80.50"), Decimal("79.00"), Decimal("-1.50"))
    assert closed.difference_text == "il manque 1,50\u00a0€"
    assert closed.note == "pièce de 2 € introuvable & <rien>"
    assert closed.closed and closed.closed_by == LOCAL_ADMIN.name
    # A payment keyed after the count does not change what was kept.
    pay(db, co_op.anna, "1,00", PaymentMeans.CASH, cycle, co_op.point)
    again = service.get_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id)
    assert (again.expected, again.difference) == (Decimal("80.50"), Decimal("-1.50"))
    with db.reading() as session:
        summary = session.scalars(select(AuditEntry.summary).where(
            AuditEntry.entity == "cash_session", AuditEntry.action == "close")).one()
    assert summary == ("Caisse espèces (euros) fermée — Nord, 26/11/2026 : attendu "
                       "80,50\u00a0€, compté 79,00\u00a0€, il manque 1,50\u00a0€ (pièce de 2 € "
                       "introuvable & <rien>)")


def test_the_local_currency_has_its_own_box(db: Database, distribution: Distribution) -> None:
    co_op, cycle = distribution.co_op, distribution.cycle
    euros = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle,
                                  point_id=co_op.point, opening_float="30")
    local = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle,
                                  point_id=co_op.point, opening_float="0",
                                  currency=CashCurrency.LOCAL)
    pay(db, co_op.anna, "5,00", PaymentMeans.LOCAL_CURRENCY, cycle, co_op.point)
    pay(db, co_op.anna, "6,00", PaymentMeans.CASH, cycle, co_op.point)
    closed = service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=local.id, counted="6")
    assert (closed.expected, closed.difference, closed.difference_text) == (
        Decimal("5.00"), Decimal("1.00"), "1,00\u00a0€ en trop")
    rows = service.list_cash_boxes(db=db, actor=LOCAL_ADMIN, cycle_id=cycle)
    assert [(r.id, r.currency) for r in rows] == [(euros.id, CashCurrency.EURO),
                                                   (local.id, CashCurrency.LOCAL)]
    assert service.boxes_of(rows, cycle, co_op.point)[CashCurrency.EURO].expected == \
        Decimal("36.00")
    exact = service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=euros.id, counted="36,00")
    assert (exact.difference, exact.difference_text) == (Decimal("0.00"), "juste")
    assert service.total_difference(service.list_cash_boxes(db=db, actor=LOCAL_ADMIN),
                                    CashCurrency.LOCAL) == Decimal("1.00")


def test_a_closed_box_stays_closed(db: Database, distribution: Distribution) -> None:
    co_op, cycle = distribution.co_op, distribution.cycle
    box = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op.point,
                                opening_float="20")
    with pytest.raises(ValidationError) as error:
        service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op.point,
                              opening_float="20")
    assert str(error.value) == ("La caisse espèces (euros) de « Nord » pour la distribution du "
                                "26 novembre 2026 est déjà ouverte.")
    moved = service.change_float(db=db, actor=LOCAL_ADMIN, box_id=box.id, opening_float="25")
    assert moved.expected == Decimal("25.00")
    service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="25")
    with pytest.raises(ValidationError) as error:
        service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op.point,
                              opening_float="20")
    assert "a été fermée le" in str(error.value) and "elle ne se rouvre pas" in str(error.value)
    with pytest.raises(ValidationError, match="ne se modifie plus"):
        service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="30")
    with pytest.raises(ValidationError, match="ne se modifie plus"):
        service.change_float(db=db, actor=LOCAL_ADMIN, box_id=box.id, opening_float="0")
    assert service.get_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id).counted == \
        Decimal("25.00")


def test_what_is_typed_is_checked(db: Database, distribution: Distribution) -> None:
    co_op, cycle = distribution.co_op, distribution.cycle
    for amount in ("-5", "1,234", "beaucoup"):
        with pytest.raises(ValidationError) as error:
            service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle,
                                  point_id=co_op.point, opening_float=amount)
        assert error.value.field == "opening_float"
    with db.transaction() as session:
        lone = Cycle(distribution_date=DAY, state=CycleState.OPEN)
        session.add(lone)
        session.flush()
        session.add(CyclePoint(cycle_id=lone.id, point_id=co_op.other_point))
        lone_id = lone.id
    with pytest.raises(ValidationError) as error:
        service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=lone_id, point_id=co_op.point,
                              opening_float="0")
    assert "n'a pas lieu à « Nord »" in str(error.value)
    box = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op.point,
                                opening_float="0")
    with pytest.raises(ValidationError) as error:
        service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="-1")
    assert error.value.field == "counted"


def test_a_coordinator_keeps_the_boxes_of_its_points(db: Database,
                                                     distribution: Distribution) -> None:
    co_op, cycle = distribution.co_op, distribution.cycle
    north = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                  point_ids=frozenset({co_op.point}))
    mine = service.open_cash_box(db=db, actor=north, cycle_id=cycle, point_id=co_op.point,
                                 opening_float="10")
    with pytest.raises(PermissionDenied):
        service.open_cash_box(db=db, actor=north, cycle_id=cycle, point_id=co_op.other_point,
                              opening_float="10")
    other = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=cycle,
                                  point_id=co_op.other_point, opening_float="10")
    assert [r.id for r in service.list_cash_boxes(db=db, actor=north)] == [mine.id]
    with pytest.raises(PermissionDenied):
        service.close_cash_box(db=db, actor=north, box_id=other.id, counted="10")
