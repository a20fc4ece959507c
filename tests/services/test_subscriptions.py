"""AMAP subscriptions over a season: weekly, fortnightly, shared baskets, jokers, postponements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopfood.domain.enums import CycleState, Frequency, LineSource, ShareMode, Unit
from coopfood.persistence.db import Database
from coopfood.persistence.models import Order, OrderLine
from coopfood.services import LOCAL_ADMIN, ServiceError, ValidationError
from coopfood.services.baskets import BasketItemInput, set_composition
from coopfood.services.contracts import ContractInput, save_contract
from coopfood.services.cycles import create_cycle, transition
from coopfood.services.subscriptions import (
    basket_composition_for,
    cancel_skip,
    declare_absence,
    due_baskets,
    generate_subscription_lines,
    list_skips,
    postpone_basket,
)
from tests.services.test_baskets import new_basket
from tests.services.test_cycles import member
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer

SEASON_START, SEASON_END = dt.date(2026, 4, 1), dt.date(2026, 9, 30)
#: Eight Thursdays from 2 April 2026.
DATES = [dt.date(2026, 4, 2) + dt.timedelta(weeks=i) for i in range(8)]
ONE, HALF = Decimal("1.000"), Decimal("0.500")


@dataclass(frozen=True)
class Amap:
    nord: int
    sud: int
    basket: int
    anna: int
    luc: int
    marie: int
    paul: int
    jeanne: int
    hugo: int
    weekly: int
    fortnightly: int
    alternate: int
    both: int
    #: The eight distributions at Nord, in order (drafts).
    cycles: list[int]


def contract(db: Database, s_nord: int, basket: int, member_id: int, *,
             frequency: Frequency = Frequency.WEEKLY, absences: int = 2,
             co_member_id: int | None = None, share_mode: ShareMode | None = None) -> int:
    return save_contract(db=db, actor=LOCAL_ADMIN, data=ContractInput(
        member_id=member_id, basket_type_id=basket, point_id=s_nord,
        season_start=SEASON_START, season_end=SEASON_END, frequency=frequency,
        price_per_basket="13,00", allowed_absences=absences, co_member_id=co_member_id,
        share_mode=share_mode)).id


@pytest.fixture
def amap(db: Database) -> Amap:
    nord, sud = new_point(db, "Nord"), new_point(db, "Sud")
    basket = new_basket(db, new_producer(db, "Ferme des Combes"))
    anna = member(db, "Éluard", "Anna", nord)
    luc = member(db, "Bernard", "Luc", nord)
    marie = member(db, "Dupont", "Marie", nord)
    paul = member(db, "Moreau", "Paul", nord)
    jeanne = member(db, "Petit", "Jeanne", nord)
    hugo = member(db, "Lefèvre", "Hugo", nord)
    # Distributions that must not count: before the season at Nord, and at another point.
    create_cycle(db=db, actor=LOCAL_ADMIN, date=dt.date(2026, 3, 26), point_ids=[nord])
    create_cycle(db=db, actor=LOCAL_ADMIN, date=dt.date(2026, 4, 3), point_ids=[sud])
    cycles = [create_cycle(db=db, actor=LOCAL_ADMIN, date=day, point_ids=[nord]).id
              for day in DATES]
    return Amap(
        nord=nord, sud=sud, basket=basket, anna=anna, luc=luc, marie=marie, paul=paul,
        jeanne=jeanne, hugo=hugo,
        weekly=contract(db, nord, basket, anna, absences=2),
        fortnightly=contract(db, nord, basket, luc, frequency=Frequency.FORTNIGHTLY,
                             absences=1),
        alternate=contract(db, nord, basket, marie, co_member_id=paul,
                           share_mode=ShareMode.ALTERNATE),
        both=contract(db, nord, basket, jeanne, co_member_id=hugo, share_mode=ShareMode.BOTH,
                      absences=1),
        cycles=cycles,
    )


def open_(db: Database, cycle_id: int) -> None:
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.OPEN)


def baskets(db: Database, cycle_id: int) -> dict[tuple[int, int], Decimal]:
    """(contract, household) → baskets on the distribution's order lines."""
    with db.reading() as s:
        rows = s.execute(
            select(OrderLine.contract_id, Order.member_id, OrderLine.quantity_ordered)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, OrderLine.source == LineSource.SUBSCRIPTION)
        ).all()
    result: dict[tuple[int, int], Decimal] = {}
    for contract_id, member_id, qty in rows:
        assert contract_id is not None
        assert (contract_id, member_id) not in result, "a basket line twice"
        result[(contract_id, member_id)] = qty
    return result


def test_a_season_of_weekly_fortnightly_and_shared_baskets(db: Database, amap: Amap) -> None:
    for cycle_id in amap.cycles:
        open_(db, cycle_id)
    for week, cycle_id in enumerate(amap.cycles):
        expected = {(amap.weekly, amap.anna): ONE,
                    (amap.alternate, amap.marie if week % 2 == 0 else amap.paul): ONE,
                    (amap.both, amap.jeanne): HALF, (amap.both, amap.hugo): HALF}
        if week % 2 == 0:  # the 1st, 3rd, 5th and 7th distribution of the season
            expected[(amap.fortnightly, amap.luc)] = ONE
        assert baskets(db, cycle_id) == expected, f"semaine {week + 1}"


def test_lines_are_priced_by_the_contract_and_never_duplicated(db: Database,
                                                               amap: Amap) -> None:
    with pytest.raises(ValidationError, match="générés à son ouverture"):
        generate_subscription_lines(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[0])
    open_(db, amap.cycles[0])
    again = generate_subscription_lines(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[0])
    assert (again.added, again.updated, again.removed, again.baskets) == (0, 0, 0, 5)
    with db.reading() as s:
        line = s.scalars(select(OrderLine).where(OrderLine.contract_id == amap.both)).first()
        rows = {o.member_id: o.row_number for o in s.scalars(
            select(Order).where(Order.cycle_id == amap.cycles[0]))}
    assert line is not None
    assert (line.basket_type_id, line.unit_price_ht, line.vat_rate, line.member_unit_price,
            line.quantity_ordered) == (amap.basket, Decimal("12.00"), Decimal("5.50"),
                                       Decimal("13.00"), HALF)
    # Orders made at opening are numbered in alphabetical order.
    assert rows == {amap.luc: 1, amap.marie: 2, amap.anna: 3, amap.hugo: 4, amap.jeanne: 5}


def test_the_due_baskets_of_a_draft(db: Database, amap: Amap) -> None:
    due = due_baskets(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[1])
    assert [(d.member, d.quantity, d.shared_with) for d in due] == [
        ("ÉLUARD Anna", ONE, ""), ("LEFÈVRE Hugo", HALF, "PETIT Jeanne"),
        ("MOREAU Paul", ONE, "DUPONT Marie"), ("PETIT Jeanne", HALF, "LEFÈVRE Hugo")]


def test_jokers_up_to_the_allowed_number_then_refused(db: Database, amap: Amap) -> None:
    for week in (1, 2):
        declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[week])
    with pytest.raises(ServiceError) as error:
        declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[3])
    assert str(error.value) == (
        "Plus de joker : le contrat « Panier légumes — petit » de ÉLUARD Anna autorise "
        "2 absences, toutes utilisées (09/04, 16/04).")
    open_(db, amap.cycles[1])
    assert (amap.weekly, amap.anna) not in baskets(db, amap.cycles[1])
    assert list_skips(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly).jokers_left == {
        amap.anna: 0}


def test_a_newly_absent_household_loses_its_line_while_open(db: Database, amap: Amap) -> None:
    open_(db, amap.cycles[0])
    declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly, cycle_id=amap.cycles[0])
    assert (amap.weekly, amap.anna) not in baskets(db, amap.cycles[0])
    cancel_skip(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly, cycle_id=amap.cycles[0])
    assert baskets(db, amap.cycles[0])[(amap.weekly, amap.anna)] == ONE
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[0], to_state=CycleState.CLOSED)
    with pytest.raises(ValidationError, match="est clôturée : les absences ne s'y déclarent"):
        declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[0])


def test_a_shared_basket_has_jokers_per_household(db: Database, amap: Amap) -> None:
    open_(db, amap.cycles[0])
    declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.both, cycle_id=amap.cycles[0])
    declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.both, cycle_id=amap.cycles[0],
                    member_id=amap.hugo)
    assert not [key for key in baskets(db, amap.cycles[0]) if key[0] == amap.both]
    with pytest.raises(ServiceError) as error:
        declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.both,
                        cycle_id=amap.cycles[1], member_id=amap.hugo)
    assert str(error.value) == (
        "Plus de joker : le contrat « Panier légumes — petit » de PETIT Jeanne autorise "
        "1 absence par foyer, déjà utilisée par LEFÈVRE Hugo (02/04).")
    # Alternating: on the 2nd distribution the basket is Paul's, not Marie's.
    with pytest.raises(ValidationError, match="n'est pas prévu pour DUPONT Marie le jeudi 9"):
        declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.alternate,
                        cycle_id=amap.cycles[1])
    declare_absence(db=db, actor=LOCAL_ADMIN, contract_id=amap.alternate,
                    cycle_id=amap.cycles[1], member_id=amap.paul)


def test_a_postponed_basket_moves_without_using_a_joker(db: Database, amap: Amap) -> None:
    open_(db, amap.cycles[0])
    open_(db, amap.cycles[1])
    # Luc's fortnightly basket of 2 April moves to 9 April (not one of his dates).
    moved = postpone_basket(db=db, actor=LOCAL_ADMIN, contract_id=amap.fortnightly,
                            cycle_id=amap.cycles[0], to_cycle_id=amap.cycles[1])
    assert (moved.date, moved.postponed_to_date) == (DATES[0], DATES[1])
    assert (amap.fortnightly, amap.luc) not in baskets(db, amap.cycles[0])
    assert baskets(db, amap.cycles[1])[(amap.fortnightly, amap.luc)] == ONE
    # Anna's basket of 30 April onto 7 May: two baskets that day.
    postpone_basket(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                    cycle_id=amap.cycles[4], to_cycle_id=amap.cycles[5])
    open_(db, amap.cycles[4])
    open_(db, amap.cycles[5])
    assert (amap.weekly, amap.anna) not in baskets(db, amap.cycles[4])
    assert baskets(db, amap.cycles[5])[(amap.weekly, amap.anna)] == Decimal("2.000")
    due = {d.member: d for d in due_baskets(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[5])}
    assert due["ÉLUARD Anna"].postponed_from == (DATES[4],)
    skips = list_skips(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly)
    assert skips.jokers_left == {amap.anna: 2}


def test_a_postponement_goes_later_at_the_same_point_within_the_season(db: Database,
                                                                        amap: Amap) -> None:
    with pytest.raises(ValidationError, match="plus tardive") as earlier:
        postpone_basket(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[3], to_cycle_id=amap.cycles[2])
    assert earlier.value.field == "to_cycle_id"
    sud = create_cycle(db=db, actor=LOCAL_ADMIN, date=dt.date(2026, 5, 1), point_ids=[amap.sud])
    with pytest.raises(ValidationError, match="ne passe pas au point du contrat"):
        postpone_basket(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[3], to_cycle_id=sud.id)
    autumn = create_cycle(db=db, actor=LOCAL_ADMIN, date=dt.date(2026, 10, 1),
                          point_ids=[amap.nord])
    with pytest.raises(ValidationError, match="hors de la saison du contrat"):
        postpone_basket(db=db, actor=LOCAL_ADMIN, contract_id=amap.weekly,
                        cycle_id=amap.cycles[3], to_cycle_id=autumn.id)


def test_the_weeks_composition_is_shown_with_the_basket(db: Database, amap: Amap) -> None:
    set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=amap.basket,
                    week_start=DATES[0] - dt.timedelta(days=3), items=[
                        BasketItemInput(label="Carottes", quantity="1", unit=Unit.KG),
                        BasketItemInput(label="Radis", quantity="1", unit=Unit.BUNCH)])
    [draft] = basket_composition_for(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[0])
    assert draft.baskets == Decimal("4.000")  # 3 whole baskets and 2 halves
    open_(db, amap.cycles[0])
    [week] = basket_composition_for(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[0])
    assert (week.name, week.producer, week.week_start, week.baskets) == (
        "Panier légumes — petit", "Ferme des Combes", dt.date(2026, 3, 30), Decimal("4.000"))
    assert [(i.label, i.quantity, i.unit) for i in week.items] == [
        ("Carottes", Decimal("1.000"), Unit.KG), ("Radis", Decimal("1.000"), Unit.BUNCH)]
    [next_week] = basket_composition_for(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[1])
    assert next_week.items == ()


def test_a_second_distribution_on_the_same_day_carries_no_basket(db: Database,
                                                                  amap: Amap) -> None:
    extra = create_cycle(db=db, actor=LOCAL_ADMIN, date=DATES[0], point_ids=[amap.nord])
    assert due_baskets(db=db, actor=LOCAL_ADMIN, cycle_id=extra.id) == []
    # …and does not shift the fortnightly turns: Luc's baskets stay on the 1st, 3rd… dates.
    assert [d.member for d in due_baskets(db=db, actor=LOCAL_ADMIN, cycle_id=amap.cycles[2])
            if d.contract_id == amap.fortnightly] == ["BERNARD Luc"]


def test_the_demo_follows_the_subscription_rules_to_the_basket(demo_db_copy: Database) -> None:
    """Regenerating the demo's open distribution changes nothing: weeks A and B, shared
    baskets, absences and postponements all agree with the service's rules."""
    from coopfood.services.lists import list_cycles

    [open_cycle] = list_cycles(db=demo_db_copy, actor=LOCAL_ADMIN, state=CycleState.OPEN)
    sync = generate_subscription_lines(db=demo_db_copy, actor=LOCAL_ADMIN,
                                       cycle_id=open_cycle.id)
    assert (sync.added, sync.updated, sync.removed) == (0, 0, 0)
    assert sync.baskets > 50


def test_a_week_b_fortnightly_contract_delivers_from_the_second_distribution(
    db: Database, amap: Amap
) -> None:
    week_b = save_contract(db=db, actor=LOCAL_ADMIN, data=ContractInput(
        member_id=amap.anna, basket_type_id=amap.basket, point_id=amap.nord,
        season_start=SEASON_START, season_end=SEASON_END, frequency=Frequency.FORTNIGHTLY,
        price_per_basket="13,00", fortnight_offset=1)).id
    for cycle_id in amap.cycles:
        open_(db, cycle_id)
    delivered = [week for week, cycle_id in enumerate(amap.cycles)
                 if (week_b, amap.anna) in baskets(db, cycle_id)]
    assert delivered == [1, 3, 5, 7]  # the 2nd, 4th, 6th and 8th distribution
