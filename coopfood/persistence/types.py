"""Column types that keep money and quantities exact on every backend.

SQLite stores NUMERIC as a float, so a Decimal is stored as a scaled integer
(cents for money, thousandths for quantities) and comes back as the same
Decimal. A value with more decimals than the column holds is refused rather
than silently rounded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal stored as an integer number of 10**-scale units."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int) -> None:
        super().__init__()
        self.scale = scale
        self._factor = Decimal(10) ** scale
        self._exponent = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Decimal | int) or isinstance(value, bool):
            raise TypeError(f"exact value expected, got {type(value).__name__}")
        scaled = Decimal(value) * self._factor
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than {self.scale} decimals")
        return int(scaled)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / self._factor).quantize(self._exponent)

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        bound = self.process_bind_param(value, dialect)
        return "NULL" if bound is None else str(bound)

    def copy(self, **kw: Any) -> ScaledDecimal:
        return ScaledDecimal(self.scale)

    def __repr__(self) -> str:
        return f"ScaledDecimal({self.scale})"


def Money() -> ScaledDecimal:
    """Euros, stored in integer cents."""
    return ScaledDecimal(2)


def Quantity() -> ScaledDecimal:
    """A quantity, stored in integer thousandths (grams of a kilogram)."""
    return ScaledDecimal(3)


def Percent() -> ScaledDecimal:
    """A rate in percent with two decimals (5.50 % of VAT), stored in hundredths."""
    return ScaledDecimal(2)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in time, stored in UTC and always read back as an aware datetime.

    PostgreSQL keeps the time zone, SQLite keeps none: without this, the same
    column would come back aware from one and naive from the other.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            raise TypeError(f"datetime expected, got {type(value).__name__}")
        if value.tzinfo is None:
            raise ValueError("a naive datetime is ambiguous: give it a time zone")
        converted = value.astimezone(dt.UTC)
        return converted.replace(tzinfo=None) if dialect.name == "sqlite" else converted

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)
