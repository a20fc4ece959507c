"""French formats come from Babel: what a volunteer reads on screen and paper."""

import datetime as dt
from decimal import Decimal

from coopfood.i18n import format_date, format_money, format_number


def test_amounts_read_the_french_way() -> None:
    assert format_money(Decimal("1234.50")) == "1\u202f234,50\u00a0€"


def test_dates_read_the_french_way() -> None:
    day = dt.date(2026, 12, 3)
    assert format_date(day, style="full") == "jeudi 3 décembre 2026"
    assert format_date(day, style="short") == "03/12/2026"


def test_quantities_drop_useless_zeros() -> None:
    assert format_number(Decimal("2.500")) == "2,5"
    assert format_number(Decimal("12.000")) == "12"
    assert format_number(Decimal("1.235")) == "1,235"
