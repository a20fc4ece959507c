"""Case packs and shortfalls on worked examples: who gets what, to the unit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coopfood.domain.allocation import (
    case_pack_status,
    cases_to_order,
    default_step,
    share_shortfall,
)
from coopfood.domain.enums import CaseRule, ShortfallRule

D = Decimal
T0 = dt.datetime(2026, 11, 20, 18, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# --- case packs ------------------------------------------------------------------------------


def test_eight_eggs_of_a_case_of_twelve_miss_four() -> None:
    status = case_pack_status(D(20), D(12))
    assert (status.full_cases, status.missing, status.complete) == (1, D(4), False)


@pytest.mark.parametrize("total, full, missing", [
    (D(0), 0, D(0)), (D(12), 1, D(0)), (D(24), 2, D(0)), (D(1), 0, D(11)), (D(25), 2, D(11))])
def test_case_status_at_the_edges(total: Decimal, full: int, missing: Decimal) -> None:
    status = case_pack_status(total, D(12))
    assert (status.full_cases, status.missing) == (full, missing)


def test_a_case_by_weight_counts_in_kilograms() -> None:
    assert case_pack_status(D("7.500"), D("5")).missing == D("2.500")


def test_complete_rounds_up_and_cut_rounds_down() -> None:
    # 27 bottles in cases of 6: the co-op completes a 5th case (3 bottles for itself),
    # or orders 4 cases and cuts 3 bottles from the members' orders.
    assert cases_to_order(D(27), D(6), CaseRule.COMPLETE) == 5
    assert cases_to_order(D(27), D(6), CaseRule.CUT) == 4
    assert cases_to_order(D(24), D(6), CaseRule.COMPLETE) == 4
    assert cases_to_order(D(24), D(6), CaseRule.CUT) == 4
    assert cases_to_order(D(0), D(6), CaseRule.COMPLETE) == 0


def test_a_case_pack_must_be_positive() -> None:
    with pytest.raises(ValueError):
        case_pack_status(D(3), D(0))


# --- sharing a shortfall ---------------------------------------------------------------------


ORDERS = [(1, D(5), at(0)), (2, D(3), at(10)), (3, D(2), at(20))]


def test_pro_rata_five_three_two_cut_to_six() -> None:
    # Exact shares 3, 1.8 and 1.2: rounded down 3, 1, 1 (5 given); the sixth unit goes
    # to the largest remainder, 0.8 (the member who ordered 3).
    assert share_shortfall(ORDERS, D(6), ShortfallRule.PRO_RATA) == {1: 3, 2: 2, 3: 1}


def test_pro_rata_equal_remainders_go_to_the_earliest_order() -> None:
    # 3 × 1 unit ordered, 2 available: exact 2/3 each, all rounded down to 0;
    # the two leftover units go to the two earliest orders.
    orders = [(7, D(1), at(30)), (8, D(1), at(5)), (9, D(1), at(10))]
    assert share_shortfall(orders, D(2), ShortfallRule.PRO_RATA) == {7: 0, 8: 1, 9: 1}


def test_pro_rata_same_time_goes_by_line_number() -> None:
    orders = [(12, D(1), at(0)), (11, D(1), at(0))]
    assert share_shortfall(orders, D(1), ShortfallRule.PRO_RATA) == {11: 1, 12: 0}


def test_pro_rata_by_weight_is_counted_in_grams() -> None:
    # 3 kg of cheese for 1.5 + 1.5 + 1 kg ordered: 1.125, 1.125, 0.750.
    orders = [(1, D("1.500"), at(0)), (2, D("1.500"), at(1)), (3, D("1.000"), at(2))]
    shares = share_shortfall(orders, D("3.000"), ShortfallRule.PRO_RATA)
    assert shares == {1: D("1.125"), 2: D("1.125"), 3: D("0.750")}
    assert sum(shares.values()) == D("3.000")


def test_pro_rata_weights_with_a_gram_left_over() -> None:
    # 1 kg for three orders of 1 kg: 0.333 each, the last gram to the earliest.
    orders = [(1, D(1), at(2)), (2, D(1), at(1)), (3, D(1), at(3))]
    shares = share_shortfall(orders, D("1.000"), ShortfallRule.PRO_RATA, step=D("0.001"))
    assert shares == {1: D("0.333"), 2: D("0.334"), 3: D("0.333")}


def test_order_of_arrival_serves_the_earliest_first() -> None:
    # Ordered in this order: 5 (first), 3, then 2; 6 available: 5, 1, 0.
    assert share_shortfall(ORDERS, D(6), ShortfallRule.ORDER_OF_ARRIVAL) == {1: 5, 2: 1, 3: 0}


def test_order_of_arrival_follows_the_time_not_the_list() -> None:
    orders = [(1, D(5), at(20)), (2, D(3), at(0)), (3, D(2), at(10))]
    assert share_shortfall(orders, D(6), ShortfallRule.ORDER_OF_ARRIVAL) == {2: 3, 3: 2, 1: 1}


def test_none_cuts_nobody() -> None:
    assert share_shortfall(ORDERS, D(6), ShortfallRule.NONE) == {1: 5, 2: 3, 3: 2}


@pytest.mark.parametrize("rule", list(ShortfallRule))
def test_enough_for_everyone_changes_nothing(rule: ShortfallRule) -> None:
    assert share_shortfall(ORDERS, D(10), rule) == {1: 5, 2: 3, 3: 2}
    assert share_shortfall(ORDERS, D(12), rule) == {1: 5, 2: 3, 3: 2}


@pytest.mark.parametrize("rule", [ShortfallRule.PRO_RATA, ShortfallRule.ORDER_OF_ARRIVAL])
@pytest.mark.parametrize("available", range(0, 11))
def test_the_shares_sum_exactly_to_what_is_available(rule: ShortfallRule,
                                                    available: int) -> None:
    shares = share_shortfall(ORDERS, D(available), rule)
    assert sum(shares.values()) == D(available)
    assert all(0 <= shares[line] <= qty for line, qty, _at in ORDERS)


def test_pro_rata_on_many_orders_never_gives_more_than_ordered() -> None:
    orders = [(i, D(1 + i % 4), at(i)) for i in range(1, 40)]
    total = sum(qty for _i, qty, _at in orders)
    for available in range(0, int(total) + 1):
        shares = share_shortfall(orders, D(available), ShortfallRule.PRO_RATA)
        assert sum(shares.values()) == available
        assert all(shares[i] <= qty for i, qty, _at in orders)


def test_nothing_available_gives_nothing() -> None:
    assert share_shortfall(ORDERS, D(0), ShortfallRule.PRO_RATA) == {1: 0, 2: 0, 3: 0}


def test_default_step_is_the_unit_unless_there_are_decimals() -> None:
    assert default_step([D(3), D("2.000")]) == D(1)
    assert default_step([D(3), D("0.5")]) == D("0.001")


def test_a_negative_availability_is_a_bug() -> None:
    with pytest.raises(ValueError):
        share_shortfall(ORDERS, D(-1), ShortfallRule.PRO_RATA)
