"""The order grid's service: cells, price snapshots, caps (even under concurrent writers)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, insert, select, text

from coopfood.domain.enums import CycleState
from coopfood.i18n import sort_key
from coopfood.persistence.db import Database, connect
from coopfood.persistence.models import Cycle, Member, Order, OrderLine
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    StaleData,
    ValidationError,
)
from coopfood.services.cycles import transition
from coopfood.services.orders import CapReached, load_grid, set_quantity
from coopfood.services.products import set_price
from tests.services.test_cycles import THURSDAY, Shop, build_shop, open_cycle, order


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def cell(db: Database, cycle_id: int, member_id: int, product_id: int, qty: str,
         **kwargs: Any) -> Any:
    return set_quantity(db=db, actor=kwargs.pop("actor", LOCAL_ADMIN), cycle_id=cycle_id,
                        member_id=member_id, product_id=product_id, quantity=qty, **kwargs)


def test_a_first_quantity_makes_the_order_with_its_row_number(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    first = cell(db, cycle_id, shop.marie, shop.oeufs, "2")
    second = cell(db, cycle_id, shop.anna, shop.oeufs, "1")
    elsewhere = cell(db, cycle_id, shop.bruno, shop.oeufs, "1")
    assert (first.row_number, second.row_number, elsewhere.row_number) == (1, 2, 1)
    assert first.changed and first.quantity == Decimal("2.000")
    assert elsewhere.product_total == Decimal("4.000")
    again = cell(db, cycle_id, shop.marie, shop.tomme, "0.35")
    assert (again.order_id, again.row_number) == (first.order_id, 1)
    # 2 × 3,78 + 0,35 kg × 18,90 = 7,56 + 6,615 → 6,62 (each line to the cent) = 14,18.
    assert again.member_total == Decimal("14.18")


def test_the_price_in_force_on_the_distribution_day_is_snapshotted(db: Database,
                                                                  shop: Shop) -> None:
    set_price(db=db, actor=LOCAL_ADMIN, product_id=shop.jus, price_ht="3,50",
              valid_from=THURSDAY + dt.timedelta(days=1))
    cycle_id = open_cycle(db, shop)
    cell(db, cycle_id, shop.marie, shop.jus, "2")
    set_price(db=db, actor=LOCAL_ADMIN, product_id=shop.jus, price_ht="2,90",
              valid_from=THURSDAY)
    cell(db, cycle_id, shop.marie, shop.jus, "3")
    with db.reading() as s:
        line = s.scalars(select(OrderLine).where(OrderLine.product_id == shop.jus)).one()
    # 3,20 HT on 5 March; VAT 5,5 % (the producer charges VAT); 5 % fee; the snapshot stays.
    assert (line.unit_price_ht, line.vat_rate, line.member_unit_price) == (
        Decimal("3.20"), Decimal("5.50"), Decimal("3.55"))
    assert line.quantity_ordered == Decimal("3.000")


def test_zero_removes_the_cell_and_the_same_quantity_writes_nothing(db: Database,
                                                                   shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    made = cell(db, cycle_id, shop.marie, shop.oeufs, "2")
    same = cell(db, cycle_id, shop.marie, shop.oeufs, "2,000")
    assert not same.changed and same.order_version == made.order_version
    gone = cell(db, cycle_id, shop.marie, shop.oeufs, "0")
    assert (gone.quantity, gone.member_total, gone.product_total) == (0, 0, 0)
    nothing = cell(db, cycle_id, shop.luc, shop.oeufs, "0")
    assert (nothing.order_id, nothing.changed) == (None, False)


@pytest.mark.parametrize("typed, message", [
    ("-1", "La quantité ne peut pas être négative"),
    ("1,2345", "a plus de trois décimales"),
    ("deux", "n'est pas un nombre"),
])
def test_a_wrong_quantity_is_refused_in_french(db: Database, shop: Shop, typed: str,
                                               message: str) -> None:
    cycle_id = open_cycle(db, shop)
    with pytest.raises(ValidationError, match=message) as error:
        cell(db, cycle_id, shop.marie, shop.oeufs, typed)
    assert error.value.field == "quantity"


def test_a_variable_weight_takes_an_estimate(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    assert cell(db, cycle_id, shop.marie, shop.tomme, "1,250").quantity == Decimal("1.250")


def test_a_cap_is_refused_with_what_remains(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, caps={shop.oeufs: "10"})
    cell(db, cycle_id, shop.bruno, shop.oeufs, "6")
    result = cell(db, cycle_id, shop.marie, shop.oeufs, "2")
    assert result.remaining == Decimal("2.000")
    with pytest.raises(CapReached) as error:
        cell(db, cycle_id, shop.anna, shop.oeufs, "3")
    assert str(error.value) == "Plafond atteint pour Œufs : il reste 2 douzaines."
    assert error.value.remaining == Decimal("2.000")
    with pytest.raises(CapReached) as raised:
        cell(db, cycle_id, shop.marie, shop.oeufs, "5")
    assert str(raised.value) == ("Plafond atteint pour Œufs : il reste 2 douzaines. Ce foyer "
                                 "en a déjà 2 : 4 douzaines au plus.")
    assert cell(db, cycle_id, shop.marie, shop.oeufs, "4").remaining == 0
    assert cell(db, cycle_id, shop.marie, shop.oeufs, "1").remaining == Decimal("3.000")


def test_an_order_changed_meanwhile_is_refused(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    seen = cell(db, cycle_id, shop.marie, shop.oeufs, "1")
    cell(db, cycle_id, shop.marie, shop.tomme, "0.5", expected_order_version=seen.order_version)
    with pytest.raises(StaleData, match="Le bon de commande de DUPONT Marie a été modifié par"):
        cell(db, cycle_id, shop.marie, shop.oeufs, "3", expected_order_version=seen.order_version)


def test_only_offered_products_while_open(db: Database, shop: Shop) -> None:
    draft_cycle = open_cycle(db, shop, day=THURSDAY + dt.timedelta(days=7))
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=draft_cycle, to_state=CycleState.DRAFT)
    with pytest.raises(ValidationError, match="pas encore ouverte"):
        cell(db, draft_cycle, shop.marie, shop.oeufs, "1")
    cycle_id = open_cycle(db, shop)
    from tests.services.test_products import new_product

    miel = new_product(db, shop.ferme, "Miel")
    with pytest.raises(ValidationError, match="« Miel » n'est pas proposé"):
        cell(db, cycle_id, shop.marie, miel, "1")
    nomad = save_nomad(db)
    with pytest.raises(ValidationError, match="n'est rattaché à aucun point"):
        cell(db, cycle_id, nomad, shop.oeufs, "1")


def save_nomad(db: Database) -> int:
    from coopfood.services.members import MemberInput, save_member

    return save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Nomade")).id


def test_a_coordinator_of_nord_cannot_order_at_sud(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    nord = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                 point_ids=frozenset({shop.nord}))
    assert cell(db, cycle_id, shop.marie, shop.oeufs, "1", actor=nord).quantity == 1
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        cell(db, cycle_id, shop.bruno, shop.oeufs, "1", actor=nord)
    with pytest.raises(PermissionDenied):
        load_grid(db=db, actor=nord, cycle_id=cycle_id, point_id=shop.sud)
    assert [m.name for m in load_grid(db=db, actor=nord, cycle_id=cycle_id,
                                      point_id=shop.nord).members] == [
        "BERNARD Luc", "DUPONT Marie", "ÉLUARD Anna"]


def test_the_grid_of_a_point(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, caps={shop.oeufs: "12"})
    order(db, cycle_id, shop.marie, shop.oeufs, "2")
    order(db, cycle_id, shop.anna, shop.oeufs, "1")
    order(db, cycle_id, shop.bruno, shop.oeufs, "5")
    order(db, cycle_id, shop.marie, shop.tomme, "0.5")
    grid = load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, point_id=shop.nord)
    assert grid.editable
    assert [(m.name, m.row_number) for m in grid.members] == [
        ("BERNARD Luc", None), ("DUPONT Marie", 1), ("ÉLUARD Anna", 2)]
    assert [p.name for p in grid.products] == ["Jus de pomme", "Œufs", "Tomme", "Yaourt"]
    assert grid.quantities == {(shop.marie, shop.oeufs): 2, (shop.anna, shop.oeufs): 1,
                               (shop.marie, shop.tomme): Decimal("0.5")}
    assert grid.point_totals[shop.oeufs] == 3
    assert grid.product_totals[shop.oeufs] == 8  # caps count every point
    assert grid.remaining(shop.oeufs) == 4
    assert grid.member_totals == {shop.marie: Decimal("17.01"), shop.anna: Decimal("3.78")}


# --- caps under concurrent writers --------------------------------------------------------------


def test_four_writers_never_exceed_a_cap(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, caps={shop.oeufs: "25"})
    with db.transaction() as s:
        households = list(s.scalars(insert(Member).returning(Member.id), [
            {"last_name": f"Foyer {i:02d}", "point_id": shop.nord if i % 2 else shop.sud,
             "payment_reference": f"C-{i:03d}"} for i in range(40)]))
    barrier = threading.Barrier(4)

    def writer(chunk: list[int]) -> list[Decimal]:
        own = connect(db.url)  # its own engine and connections, like another computer
        accepted = []
        try:
            barrier.wait()
            for member_id in chunk:
                try:
                    result = cell(own, cycle_id, member_id, shop.oeufs, "2")
                    accepted.append(result.quantity)
                except CapReached:
                    pass
        finally:
            own.dispose()
        return accepted

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(writer, [households[i::4] for i in range(4)]))
    grid = load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, point_id=shop.nord)
    total = grid.product_totals[shop.oeufs]
    assert total <= 25
    assert total == sum((q for accepted in results for q in accepted), Decimal(0)) == 24
    with db.reading() as s:
        numbers = s.execute(select(Order.point_id, Order.row_number)
                            .where(Order.cycle_id == cycle_id)).all()
    assert len(numbers) == len(set(numbers)) == 12  # orders made concurrently: no number twice


# --- the demo: the grid against SQL -----------------------------------------------------------


@contextmanager
def counting_queries(db: Database) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_the_demo_grid_matches_the_database(demo_db: Database) -> None:
    with demo_db.reading() as s:
        cycle_id = s.scalar(select(Cycle.id).where(Cycle.state == CycleState.OPEN))
        assert cycle_id is not None
        ordered_here = set(s.scalars(select(Order.member_id).where(
            Order.cycle_id == cycle_id, Order.point_id == 1)))
        expected = sorted(
            ((m.id, m.last_name, m.first_name) for m in s.scalars(select(Member))
             if m.id in ordered_here or (m.point_id == 1 and m.archived_at is None)),
            key=lambda r: (sort_key(r[1]), sort_key(r[2]), r[0]))
        # Straight SQL on the stored integers (thousandths of a unit).
        sums = {product: Decimal(total) / 1000 for product, total in s.execute(text(
            "SELECT l.product_id, SUM(l.quantity_ordered) FROM order_line l "
            "JOIN member_order o ON o.id = l.order_id WHERE o.cycle_id = :c "
            "AND l.product_id IS NOT NULL GROUP BY l.product_id"), {"c": cycle_id}).all()}
        cells = s.execute(text(
            "SELECT COUNT(DISTINCT o.member_id || '-' || l.product_id) FROM order_line l "
            "JOIN member_order o ON o.id = l.order_id WHERE o.cycle_id = :c "
            "AND o.point_id = 1 AND l.product_id IS NOT NULL"), {"c": cycle_id}).scalar()
    with counting_queries(demo_db) as statements:
        grid = load_grid(db=demo_db, actor=LOCAL_ADMIN, cycle_id=cycle_id, point_id=1)
    selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8  # whatever the size of the grid: no query per row or cell
    assert [m.member_id for m in grid.members] == [r[0] for r in expected]
    assert len(grid.members) > 30
    assert grid.product_totals == sums
    assert len(grid.quantities) == cells
    assert sum(grid.quantities.values()) == sum(grid.point_totals.values())
    assert {m.member_id for m in grid.members if m.order_id is not None} == ordered_here
