"""After the distribution: weights keyed by row number, absences, missing products, the trail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coopfood.domain.enums import CycleState
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, NotFound, PermissionDenied, Role, ValidationError
from coopfood.services.audit import search
from coopfood.services.cycles import mark_invoiced, transition
from coopfood.services.delivery import (
    find_by_row_number,
    get_delivery,
    list_changes,
    mark_absent,
    mark_product_missing,
    set_delivered,
)
from tests.services.test_cycles import Shop, build_shop, open_cycle, order


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def distributed(db: Database, shop: Shop) -> int:
    """A distribution where Marie (row 1 at Nord) ordered eggs and 1,2 kg of tomme."""
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.oeufs, "2")
    order(db, cycle_id, shop.marie, shop.tomme, "1.2")
    order(db, cycle_id, shop.anna, shop.tomme, "0.5")
    order(db, cycle_id, shop.bruno, shop.tomme, "1")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.DISTRIBUTED)
    return cycle_id


def test_a_household_is_found_by_its_row_number(db: Database, shop: Shop,
                                                distributed: int) -> None:
    marie = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                               point_id=shop.nord, row_number=1)
    assert (marie.name, marie.row_number, marie.absent) == ("DUPONT Marie", 1, False)
    lines = {line.name: line for line in marie.lines}
    assert lines["Œufs"].quantity_delivered == Decimal("2.000")  # given at distribution
    assert lines["Tomme"].to_weigh and lines["Tomme"].quantity_delivered is None
    # Until weighed, the estimate counts: 2 × 3,78 + 1,2 × 18,90 = 7,56 + 22,68.
    assert marie.total == Decimal("30.24")
    with pytest.raises(NotFound, match="Aucun foyer n'a le numéro 9 au point « Nord »"):
        find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed, point_id=shop.nord,
                           row_number=9)


def test_delivered_weights_change_amounts_to_the_cent(db: Database, shop: Shop,
                                                      distributed: int) -> None:
    marie = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                               point_id=shop.nord, row_number=1)
    tomme = next(line for line in marie.lines if line.name == "Tomme")
    set_delivered(db=db, actor=LOCAL_ADMIN, line_id=tomme.line_id, quantity="1,2")
    weighed = set_delivered(db=db, actor=LOCAL_ADMIN, line_id=tomme.line_id, quantity="1,235")
    line = next(line for line in weighed.lines if line.name == "Tomme")
    # 18,90 €/kg × 1,235 kg = 23,3415 → 23,34 €; with 7,56 € of eggs: 30,90 €.
    assert (line.quantity_ordered, line.quantity_delivered, line.amount) == (
        Decimal("1.200"), Decimal("1.235"), Decimal("23.34"))
    assert weighed.total == Decimal("30.90")
    # Half a cent is rounded up: 18,90 × 1,25 = 23,625 → 23,63.
    half = set_delivered(db=db, actor=LOCAL_ADMIN, line_id=tomme.line_id, quantity="1.25")
    assert next(x for x in half.lines if x.name == "Tomme").amount == Decimal("23.63")
    changes = list_changes(db=db, actor=LOCAL_ADMIN, cycle_id=distributed)
    assert [c.summary for c in changes] == [
        "DUPONT Marie — Tomme : 1,235 kg → 1,25 kg",
        "DUPONT Marie — Tomme : 1,2 kg → 1,235 kg",
        "DUPONT Marie — Tomme : — → 1,2 kg",
    ]
    assert (changes[1].before, changes[1].after) == ({"quantity_delivered": "1.200"},
                                                     {"quantity_delivered": "1.235"})
    assert changes[0].actor_name == LOCAL_ADMIN.name and changes[0].member_id == shop.marie
    assert search(db=db, actor=LOCAL_ADMIN, text="1,235 kg", member_id=shop.marie)[0].id == \
        changes[0].id


def test_keying_waits_for_the_closing_and_stops_at_invoicing(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.tomme, "1")
    line_id = get_delivery(db=db, actor=LOCAL_ADMIN, order_id=1).lines[0].line_id
    with pytest.raises(ValidationError, match="une fois la distribution clôturée"):
        set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_id, quantity="1.1")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_id,
                         quantity="1.1").total == Decimal("20.79")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.DISTRIBUTED)
    with db.transaction() as session:
        mark_invoiced(session, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    with pytest.raises(ValidationError, match=r"est facturée .* corrigez par un avoir"):
        set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_id, quantity="1")


def test_an_absent_household_takes_nothing_but_keeps_its_order(db: Database, shop: Shop,
                                                               distributed: int) -> None:
    absent = mark_absent(db=db, actor=LOCAL_ADMIN, order_id=1)
    assert absent.absent and absent.total == 0
    assert {(line.quantity_ordered, line.quantity_delivered) for line in absent.lines} == {
        (Decimal("2.000"), Decimal("0.000")), (Decimal("1.200"), Decimal("0.000"))}
    back = mark_absent(db=db, actor=LOCAL_ADMIN, order_id=1, absent=False)
    assert {line.name: line.quantity_delivered for line in back.lines} == {
        "Œufs": Decimal("2.000"), "Tomme": None}
    summaries = [c.summary for c in list_changes(db=db, actor=LOCAL_ADMIN,
                                                 cycle_id=distributed)]
    assert summaries == ["DUPONT Marie : finalement présent, livraison rétablie (2 lignes)",
                         "DUPONT Marie : absent, rien n'est livré (2 lignes)"]


def test_a_missing_product_is_delivered_to_nobody(db: Database, shop: Shop,
                                                  distributed: int) -> None:
    result = mark_product_missing(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                                  product_id=shop.tomme)
    assert (result.lines, result.households) == (3, 3)
    anna = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                              point_id=shop.nord, row_number=2)
    assert [(line.quantity_ordered, line.quantity_delivered, line.amount)
            for line in anna.lines] == [(Decimal("0.500"), Decimal("0.000"), Decimal("0.00"))]
    changes = list_changes(db=db, actor=LOCAL_ADMIN, cycle_id=distributed)
    assert "ROUX Bruno — Tomme : — → 0 kg (produit manquant)" in [c.summary for c in changes]


def test_a_coordinator_keys_back_only_at_its_points(db: Database, shop: Shop,
                                                    distributed: int) -> None:
    nord = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                 point_ids=frozenset({shop.nord}))
    bruno = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                               point_id=shop.sud, row_number=1)
    with pytest.raises(PermissionDenied):
        set_delivered(db=db, actor=nord, line_id=bruno.lines[0].line_id, quantity="0.9")
    with pytest.raises(PermissionDenied):
        find_by_row_number(db=db, actor=nord, cycle_id=distributed, point_id=shop.sud,
                           row_number=1)
    with pytest.raises(PermissionDenied):
        mark_product_missing(db=db, actor=nord, cycle_id=distributed, product_id=shop.tomme)
    only_nord = mark_product_missing(db=db, actor=nord, cycle_id=distributed,
                                     product_id=shop.tomme, point_id=shop.nord)
    assert only_nord.households == 2


def test_the_changes_of_a_point_are_listed_apart_and_only_to_its_coordinators(
    db: Database, shop: Shop, distributed: int
) -> None:
    marie = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                               point_id=shop.nord, row_number=1)
    tomme = next(line for line in marie.lines if line.name == "Tomme")
    set_delivered(db=db, actor=LOCAL_ADMIN, line_id=tomme.line_id, quantity="1,1")
    nord = list_changes(db=db, actor=LOCAL_ADMIN, cycle_id=distributed, point_id=shop.nord)
    assert [c.summary for c in nord] == ["DUPONT Marie — Tomme : — → 1,1 kg"]
    assert list_changes(db=db, actor=LOCAL_ADMIN, cycle_id=distributed,
                        point_id=shop.sud) == []
    sud_coordinator = Actor(name="Coord Sud", role=Role.COORDINATOR,
                            point_ids=frozenset({shop.sud}))
    assert list_changes(db=db, actor=sud_coordinator, cycle_id=distributed) == []
    with pytest.raises(PermissionDenied):
        list_changes(db=db, actor=sud_coordinator, cycle_id=distributed, point_id=shop.nord)
