"""What the screen shows for values: French formats, and a font without U+202F."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QApplication

from ui import display
from ui.display import counted, money_text, percent_text, time_range_text, weekday_name
from ui.views.catalogue import siret_text


def test_money_keeps_babel_narrow_spaces_when_the_font_has_them(qapp: QApplication) -> None:
    assert money_text(Decimal("1234.5")) == "1\u202f234,50\u00a0€"
    assert money_text(None) == "—"


def test_money_falls_back_to_no_break_spaces_when_the_font_lacks_u202f(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display, "_narrow_nbsp_drawable", False)
    assert money_text(Decimal("1234.5")) == "1\u00a0234,50\u00a0€"


def test_rates_days_and_times_read_in_french() -> None:
    assert percent_text(Decimal("5.50")) == "5,5\u00a0%"
    assert percent_text(Decimal("20.00")) == "20\u00a0%"
    assert [weekday_name(d) for d in range(7)] == [
        "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    assert time_range_text(dt.time(17), dt.time(19, 30)) == "17:00–19:30"
    assert siret_text("73282932000074") == "732 829 320 00074"


@pytest.mark.parametrize(("count", "text"), [
    (0, "0 adhérent"), (1, "1 adhérent"), (2, "2 adhérents"), (2000, "2\u202f000 adhérents"),
])
def test_counts_follow_the_french_plural_rule(qapp: QApplication, count: int, text: str) -> None:
    assert counted("{n} adhérent", "{n} adhérents", count) == text
