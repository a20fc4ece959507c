"""SQL expressions over the scaled-integer columns, exact on every backend."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, func, type_coerce


def raw(column: Any) -> ColumnElement[int]:
    """A ScaledDecimal column as the integer it is stored as (cents, thousandths)."""
    return type_coerce(column, BigInteger)


def line_amount_cents(unit_price: Any, qty: Any) -> ColumnElement[int]:
    """price (cents) × quantity (thousandths), rounded half-up to the cent, in SQL.

    Both factors are non-negative, so integer division after adding half a
    unit is the half-up rounding of `coopfood.domain.money.line_total`.
    """
    product: ColumnElement[int] = raw(unit_price) * raw(qty) + 500
    # Floor division (SQLAlchemy 2 makes "/" a true division, through a float on SQLite).
    return type_coerce(product // 1000, BigInteger)


def sum_cents(expression: ColumnElement[int]) -> ColumnElement[int]:
    return func.coalesce(func.sum(expression), 0)


def cents_to_money(cents: int | None) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))
