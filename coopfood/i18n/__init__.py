"""Translation and formatting: gettext for text, Babel for numbers, money and dates.

Message ids are the French texts, so the application is French even when no
catalogue is compiled; other languages come from catalogues under `locale/`.
"""

from __future__ import annotations

import datetime as dt
import gettext as _gettext
import unicodedata
from decimal import Decimal
from pathlib import Path

from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.numbers import format_currency, format_decimal

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "coopfood"

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_locale = "fr_FR"


def set_language(language: str) -> None:
    """Switch the language of every later message ('fr' is the source language)."""
    global _translation, _locale
    _locale = {"fr": "fr_FR", "en": "en_GB"}.get(language, language)
    if language.startswith("fr"):
        _translation = _gettext.NullTranslations()
    else:
        _translation = _gettext.translation(
            DOMAIN, localedir=LOCALE_DIR, languages=[language], fallback=True
        )


def current_locale() -> str:
    return _locale


def _(message: str) -> str:
    """Translate a message (its id is the French text)."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Singular or plural by the language's rule: French says « 0 adhérent », « 1,5 kg »."""
    if isinstance(_translation, _gettext.GNUTranslations):
        return _translation.ngettext(singular, plural, n)
    return singular if abs(n) < 2 else plural


def weekday_name(weekday: int, *, locale: str | None = None) -> str:
    """'lundi' for 0 … 'dimanche' for 6, as `datetime.date.weekday()` counts."""
    monday = dt.date(2024, 1, 1)
    return _babel_format_date(monday + dt.timedelta(days=weekday), format="EEEE",
                              locale=locale or _locale)


def sort_key(text: str) -> str:
    """A key that sorts text as a French reader expects: « Élodie » beside « Eric »,
    « Œufs » among the O, case ignored — the same on SQLite and PostgreSQL."""
    decomposed = unicodedata.normalize("NFKD", text.replace("œ", "oe").replace("Œ", "Oe")
                                       .replace("æ", "ae").replace("Æ", "Ae"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def N_(message: str) -> str:
    """Mark a message for extraction without translating it yet."""
    return message


def format_money(amount: Decimal, *, locale: str | None = None) -> str:
    """'1 234,50 €' in French (with Babel's narrow no-break space)."""
    return format_currency(amount, "EUR", locale=locale or _locale)


def format_number(value: Decimal, *, decimals: int | None = None, locale: str | None = None) -> str:
    """A quantity: '2,5' or '1 200'; trailing zeros dropped unless `decimals` is given."""
    if decimals is None:
        value = value.normalize() if value == value.to_integral() else value
        text = format_decimal(value, format="#,##0.###", locale=locale or _locale)
    else:
        pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
        text = format_decimal(value, format=pattern, locale=locale or _locale)
    return text


def format_date(value: dt.date, *, style: str = "long", locale: str | None = None) -> str:
    """A French date: 'jeudi 3 décembre 2026' (full), '3 décembre 2026' (long), '03/12/2026'."""
    if style == "short":
        return _babel_format_date(value, format="dd/MM/yyyy", locale=locale or _locale)
    return _babel_format_date(value, format=style, locale=locale or _locale)


def format_datetime(value: dt.datetime, *, locale: str | None = None) -> str:
    """'03/12/2026 18:00' in the computer's local time (moments are stored in UTC)."""
    if value.tzinfo is not None:
        value = value.astimezone()
    return _babel_format_datetime(value, format="dd/MM/yyyy HH:mm", locale=locale or _locale)
