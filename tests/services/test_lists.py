"""The lists the window shows: exact amounts, prices in force, what each role sees."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from coopfood.domain.enums import CycleState, LineSource, Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    ProductPrice,
)
from coopfood.services import LOCAL_ADMIN, Actor, Role
from coopfood.services.lists import (
    list_cycles,
    list_members,
    list_points,
    list_producers,
    list_products,
)


def _co_op(db: Database) -> dict[str, int]:
    with db.transaction() as s:
        north = DistributionPoint(name="Nord", weekday=3, start_time=dt.time(17),
                                  end_time=dt.time(19))
        south = DistributionPoint(name="Sud", weekday=4, start_time=dt.time(18),
                                  end_time=dt.time(20))
        producer = Producer(name="Fromagerie des Combes", vat_regime=VatRegime.NORMAL,
                            invoice_prefix="COMBES", city="Saillans")
        s.add_all([north, south, producer])
        s.flush()
        cheese = Product(producer_id=producer.id, name="Tomme", unit=Unit.KG,
                         vat_rate=Decimal("5.50"), variable_weight=True, category="Fromages")
        s.add(cheese)
        s.flush()
        s.add_all([
            ProductPrice(product_id=cheese.id, valid_from=dt.date(2026, 1, 1),
                         price_ht=Decimal("18.00")),
            ProductPrice(product_id=cheese.id, valid_from=dt.date(2026, 12, 1),
                         price_ht=Decimal("19.50")),
        ])
        anna = Member(last_name="Éluard", first_name="Anna", point_id=north.id,
                      payment_reference="ADH-0001")
        bruno = Member(last_name="Roux", first_name="Bruno", point_id=south.id,
                       payment_reference="ADH-0002")
        s.add_all([anna, bruno])
        cycle = Cycle(distribution_date=dt.date(2026, 11, 19), state=CycleState.DISTRIBUTED)
        s.add(cycle)
        s.flush()
        s.add_all([CyclePoint(cycle_id=cycle.id, point_id=north.id),
                   CyclePoint(cycle_id=cycle.id, point_id=south.id)])
        for member, point in ((anna, north), (bruno, south)):
            order = Order(cycle_id=cycle.id, member_id=member.id, point_id=point.id)
            s.add(order)
            s.flush()
            # Three lines of 1.15 € each: 0.005 € of rounding would show on a float.
            for delivered in ("0.115", "0.115", "0.115"):
                s.add(OrderLine(order_id=order.id, product_id=cheese.id,
                                source=LineSource.A_LA_CARTE, quantity_ordered=Decimal("0.1"),
                                quantity_delivered=Decimal(delivered),
                                unit_price_ht=Decimal("10.00"), vat_rate=Decimal("5.50"),
                                member_unit_price=Decimal("10.00")))
        return {"north": north.id, "south": south.id, "cheese": cheese.id}


def test_cycle_amount_is_the_sum_of_lines_each_rounded_half_up(db: Database) -> None:
    _co_op(db)
    [cycle] = list_cycles(db=db, actor=LOCAL_ADMIN)
    # each line: 10.00 € × 0.115 kg = 1.15 €; six lines = 6.90 €
    assert cycle.amount == Decimal("6.90")
    assert cycle.order_count == 2
    assert cycle.points == ("Nord", "Sud")


def test_product_list_shows_the_price_in_force_on_the_day(db: Database) -> None:
    ids = _co_op(db)
    [before] = list_products(db=db, actor=LOCAL_ADMIN, on=dt.date(2026, 11, 30))
    [after] = list_products(db=db, actor=LOCAL_ADMIN, on=dt.date(2026, 12, 1))
    assert before.id == after.id == ids["cheese"]
    assert (before.price_ht, after.price_ht) == (Decimal("18.00"), Decimal("19.50"))


def test_search_ignores_case_and_finds_by_producer(db: Database) -> None:
    _co_op(db)
    assert [p.name for p in list_products(db=db, actor=LOCAL_ADMIN, search="combes")] == ["Tomme"]
    assert list_producers(db=db, actor=LOCAL_ADMIN, search="100%_") == []
    assert [m.name for m in list_members(db=db, actor=LOCAL_ADMIN, search="roux")] == [
        "ROUX Bruno"]


def test_a_coordinator_sees_only_the_households_and_orders_of_its_point(db: Database) -> None:
    ids = _co_op(db)
    coordinator = Actor(name="Coord Nord", role=Role.COORDINATOR,
                        point_ids=frozenset({ids["north"]}))
    assert [m.name for m in list_members(db=db, actor=coordinator)] == ["ÉLUARD Anna"]
    assert [p.name for p in list_points(db=db, actor=coordinator)] == ["Nord"]
    [cycle] = list_cycles(db=db, actor=coordinator)
    assert (cycle.points, cycle.order_count, cycle.amount) == (("Nord",), 1, Decimal("3.45"))


def test_a_state_filter_keeps_each_cycle_s_own_totals(demo_db: Database) -> None:
    every = {c.id: (c.order_count, c.amount) for c in list_cycles(db=demo_db, actor=LOCAL_ADMIN)}
    [open_cycle] = list_cycles(db=demo_db, actor=LOCAL_ADMIN, state=CycleState.OPEN)
    assert open_cycle.order_count > 0
    assert (open_cycle.order_count, open_cycle.amount) == every[open_cycle.id]
