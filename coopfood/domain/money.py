"""Exact money and quantities.

Money is a `Decimal` rounded half-up to the cent in one place, `round_cents`;
quantities are `Decimal` with at most three decimals (grams of a kilogram).
A float never takes part: `to_decimal` refuses one.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MILLI = Decimal("0.001")
ZERO = Decimal("0.00")

MONEY_SCALE = 2
QUANTITY_SCALE = 3


class AmountError(ValueError):
    """A value that is not an exact amount or quantity (the message is French)."""


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Turn an int, a Decimal or a French or English decimal string into a Decimal.

    Accepts "12,50", "1 234,50" (with plain, no-break or narrow no-break spaces),
    "12.5" and "-3". A float is refused: it is never exact.
    """
    if isinstance(value, bool):
        raise AmountError(f"« {value} » n'est pas un nombre")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        text = text.replace("€", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise AmountError(f"« {value} » n'est pas un nombre") from None
    else:
        raise AmountError(f"« {value!r} » n'est pas un nombre exact")
    if not result.is_finite():
        raise AmountError(f"« {value} » n'est pas un nombre")
    return result


def round_cents(value: Decimal) -> Decimal:
    """Round an amount half-up to the cent: the one rounding rule for money."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round_quantity(value: Decimal) -> Decimal:
    """Round a quantity half-up to three decimals."""
    return value.quantize(MILLI, rounding=ROUND_HALF_UP)


def decimals_of(value: Decimal) -> int:
    """How many decimals a Decimal carries once trailing zeros are dropped."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def money(value: Decimal | int | str) -> Decimal:
    """An exact amount in euros; more than two decimals is an error, not a rounding."""
    amount = to_decimal(value)
    if decimals_of(amount) > MONEY_SCALE:
        raise AmountError(f"« {value} » a plus de deux décimales")
    return amount.quantize(CENT)


def quantity(value: Decimal | int | str) -> Decimal:
    """An exact quantity; more than three decimals is an error, not a rounding."""
    amount = to_decimal(value)
    if decimals_of(amount) > QUANTITY_SCALE:
        raise AmountError(f"« {value} » a plus de trois décimales")
    return amount.quantize(MILLI)


def line_total(unit_price: Decimal, qty: Decimal) -> Decimal:
    """The amount of an order or invoice line: price × quantity, rounded to the cent."""
    return round_cents(unit_price * qty)
