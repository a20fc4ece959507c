"""Money and quantities are exact and rounded half-up in one place."""

from decimal import Decimal

import pytest

from coopfood.domain.money import (
    AmountError,
    line_total,
    money,
    quantity,
    round_cents,
    to_decimal,
)
from coopfood.domain.vat import member_price, price_with_vat


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12,50", Decimal("12.50")),
        ("1 234,50", Decimal("1234.50")),
        ("1\u202f234,50", Decimal("1234.50")),
        ("1\u00a0620,00", Decimal("1620.00")),
        ("12.5", Decimal("12.5")),
        ("-3", Decimal("-3")),
        ("4,20 €", Decimal("4.20")),
    ],
)
def test_french_and_english_numbers_are_read_exactly(text: str, expected: Decimal) -> None:
    assert to_decimal(text) == expected


@pytest.mark.parametrize("bad", ["12,5O", "", "abc", "1,2,3", "NaN", "inf"])
def test_garbage_is_refused_with_a_french_message(bad: str) -> None:
    with pytest.raises(AmountError, match="n'est pas un nombre"):
        to_decimal(bad)


def test_a_float_is_never_accepted() -> None:
    with pytest.raises(AmountError):
        to_decimal(0.1)  # type: ignore[arg-type]


def test_money_refuses_fractions_of_a_cent_instead_of_rounding() -> None:
    assert money("3,10") == Decimal("3.10")
    with pytest.raises(AmountError, match="deux décimales"):
        money("3.105")


def test_quantity_keeps_grams() -> None:
    assert quantity("1,235") == Decimal("1.235")
    with pytest.raises(AmountError, match="trois décimales"):
        quantity("1.2345")


def test_rounding_is_half_up_to_the_cent() -> None:
    assert round_cents(Decimal("0.185")) == Decimal("0.19")
    assert round_cents(Decimal("0.184")) == Decimal("0.18")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_line_total_of_a_weighed_item() -> None:
    # 1.235 kg of cheese at 18.90 €/kg = 23.3415 € → 23.34 €
    assert line_total(Decimal("18.90"), Decimal("1.235")) == Decimal("23.34")


def test_member_price_adds_vat_then_the_coop_fee() -> None:
    assert price_with_vat(Decimal("2.00"), Decimal("5.50")) == Decimal("2.11")
    # 2.11 € TTC + 5 % fee (0.1055 → 0.11) = 2.22 €
    assert member_price(Decimal("2.00"), Decimal("5.50"), Decimal("5.00")) == Decimal("2.22")
