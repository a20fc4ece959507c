"""Turning values into the text a screen shows, through `coopfood.i18n`.

Formatting itself (Babel, fr_FR) lives in the core; this module only adapts it
to the screen: the font's glyphs, empty values, counts with a noun.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from coopfood.i18n import _, current_locale, format_date, format_money, format_number, ngettext

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
#: Shown in a cell for a value that is not there (no price, no date).
MISSING = "—"

_narrow_nbsp_drawable: bool | None = None


def _font_has_narrow_nbsp() -> bool:
    global _narrow_nbsp_drawable
    if _narrow_nbsp_drawable is None:
        app = QApplication.instance()
        if not isinstance(app, QApplication):
            return True  # no font yet: decide once a QApplication exists
        _narrow_nbsp_drawable = QFontMetrics(app.font()).inFontUcs4(ord(NARROW_NBSP))
    return _narrow_nbsp_drawable


def for_screen(text: str) -> str:
    """Babel's French formats separate thousands with U+202F; a font without that
    glyph would draw a box, so fall back to the ordinary no-break space."""
    if NARROW_NBSP in text and not _font_has_narrow_nbsp():
        return text.replace(NARROW_NBSP, NBSP)
    return text


def money_text(amount: Decimal | None) -> str:
    """'1 234,50 €', or a dash when there is no amount."""
    return MISSING if amount is None else for_screen(format_money(amount))


def number_text(value: Decimal | int | None) -> str:
    if value is None:
        return MISSING
    return for_screen(format_number(Decimal(value)))


def percent_text(rate: Decimal) -> str:
    """A VAT rate in percent: '5,5 %' (French puts a no-break space before %)."""
    return for_screen(format_number(rate)) + NBSP + "%"


def date_text(value: dt.date | None, *, style: str = "long") -> str:
    return MISSING if value is None else for_screen(format_date(value, style=style))


def weekday_name(weekday: int) -> str:
    """'lundi' … 'dimanche' for 0 … 6 (Monday first, as `date.weekday()`)."""
    monday = dt.date(2024, 1, 1)  # a Monday
    return format_date(monday + dt.timedelta(days=weekday), style="EEEE")


def time_range_text(start: dt.time, end: dt.time) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def yes_no(flag: bool) -> str:
    return _("Oui") if flag else _("Non")


def counted(singular: str, plural: str, count: int) -> str:
    """'1 adhérent', '150 adhérents': the two messages carry a `{n}` placeholder.

    French, the source language, puts 0 and 1 in the singular, but gettext
    without a catalogue applies the English rule; French gets its own rule
    here, other languages their catalogue's. (Extract with keyword `counted:1,2`.)
    """
    n = (1 if count <= 1 else 2) if current_locale().startswith("fr") else count
    return ngettext(singular, plural, n).format(n=number_text(count))


#: Ligatures that Unicode does not decompose but a French reader types apart.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae"})


def fold(text: str) -> str:
    """Text for searching and sorting: case and accents ignored ('Épicerie' → 'epicerie',
    'Œufs' → 'oeufs'); no-break spaces become plain spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LIGATURES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))
