"""Turning a spreadsheet cell into what an input field takes, or a French reason why not.

These only undo the spreadsheet's ways (a postal code typed as a number loses
its leading zero, a date may be a date or text, "oui" is a truth value); the
business rules stay in the services' `checked_*` functions, shared with the
window.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from coopfood.domain.enums import Unit
from coopfood.domain.money import AmountError, to_decimal
from coopfood.domain.vat import VatRegime
from coopfood.i18n import _
from coopfood.imports.reader import Cell, normalize_header

#: What a CSV export puts before a text a spreadsheet would take for a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class CellError(ValueError):
    """A cell that cannot mean what its column asks; `str(error)` is French."""


def text(cell: Cell) -> str:
    """A cell as text, exactly as the user sees it (numbers without exponent, dates d/m/Y)."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return _("oui") if cell else _("non")
    if isinstance(cell, Decimal):
        return _plain(cell)
    if isinstance(cell, dt.datetime):
        return cell.strftime("%d/%m/%Y %H:%M")
    if isinstance(cell, dt.date):
        return cell.strftime("%d/%m/%Y")
    value = str(cell).strip()
    # The exporter writes '=… for a text that starts like a formula; read it back as it was.
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


def _plain(number: Decimal) -> str:
    """12.50 → '12.5', 7.3282932000074E+13 → '73282932000074'."""
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def digits_text(cell: Cell, *, length: int) -> str:
    """A code of `length` digits a spreadsheet may have stored as a number (leading 0 lost)."""
    if isinstance(cell, int | Decimal) and not isinstance(cell, bool):
        as_text = _plain(Decimal(cell))
        if as_text.isdigit() and len(as_text) < length:
            return as_text.zfill(length)
        return as_text
    return text(cell)


def phone_text(cell: Cell) -> str:
    """A phone number; 612345678 (a spreadsheet dropped the 0) reads as 0612345678."""
    if isinstance(cell, int | Decimal) and not isinstance(cell, bool):
        as_text = _plain(Decimal(cell))
        if as_text.isdigit() and len(as_text) == 9:
            return "0" + as_text
        return as_text
    return text(cell)


def number(cell: Cell) -> Decimal | str | None:
    """A number for a service to check: a Decimal from a workbook, the text from a CSV."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        raise CellError(_("« {value} » n'est pas un nombre.").format(value=text(cell)))
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    if isinstance(cell, dt.date):
        raise CellError(_("« {value} » est une date, pas un nombre.").format(value=text(cell)))
    value = text(cell).replace("%", "").strip()
    return value or None


def decimal(cell: Cell) -> Decimal | None:
    """A number read here (not by a service), with a French reason when it is not one."""
    value = number(cell)
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return to_decimal(value)
    except AmountError as error:
        raise CellError(f"{error}.") from None


_TRUE = frozenset({"oui", "o", "yes", "y", "vrai", "true", "1", "x"})
_FALSE = frozenset({"non", "n", "no", "faux", "false", "0"})


def boolean(cell: Cell) -> bool | None:
    """oui/non, vrai/faux, 1/0, x; None for an empty cell."""
    if cell is None:
        return None
    if isinstance(cell, bool):
        return cell
    key = normalize_header(text(cell))
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_("« {value} » : répondez par oui ou non.").format(value=text(cell)))


_DATE_PATTERNS = (
    (re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2})"), ("d", "m", "yy")),
)


def date(cell: Cell) -> dt.date | None:
    """A date: a workbook date, or text as 31/12/2026, 31.12.2026, 31/12/26 or 2026-12-31."""
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    value = text(cell)
    if not value:
        return None
    for pattern, order in _DATE_PATTERNS:
        match = pattern.fullmatch(value.split(" ")[0] if " " in value else value)
        if match is None:
            continue
        parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
        year = parts.get("y") or 2000 + parts["yy"]
        try:
            return dt.date(year, parts["m"], parts["d"])
        except ValueError:
            break
    raise CellError(
        _("Date « {value} » invalide : écrivez-la JJ/MM/AAAA (par exemple 31/01/2026).").format(
            value=value
        )
    )


#: Years before this one are taken for a typing mistake.
FIRST_YEAR = 1950


def years(cell: Cell, *, this_year: int) -> tuple[int, ...]:
    """The years a fee was paid: '2026', 2026, '2025, 2026', '2025 / 2026'."""
    if cell is None:
        return ()
    if isinstance(cell, int | Decimal) and not isinstance(cell, bool):
        found = [_plain(Decimal(cell))]
    elif isinstance(cell, dt.date):
        found = [str(cell.year)]
    else:
        value = text(cell)
        found = [part for part in re.split(r"[\s,;/+]+", value) if part]
        if found and all(normalize_header(part) in _FALSE for part in found):
            return ()
    result: list[int] = []
    for part in found:
        if not (part.isdigit() and FIRST_YEAR <= int(part) <= this_year + 1):
            raise CellError(
                _(
                    "Année d'adhésion « {value} » invalide : une année comme {year}, ou "
                    "plusieurs séparées par des virgules."
                ).format(value=text(cell), year=this_year)
            )
        if int(part) not in result:
            result.append(int(part))
    return tuple(sorted(result))


def vat_regime(cell: Cell) -> VatRegime | None:
    """normal / réel, franchise (293 B), forfait (agricole); None for an empty cell."""
    key = normalize_header(text(cell))
    if not key:
        return None
    for regime in VatRegime:
        if key in (normalize_header(regime.value), normalize_header(regime.label)):
            return regime
    if "franchise" in key or "293b" in key:
        return VatRegime.FRANCHISE
    if "forfait" in key or key == "rfa":
        return VatRegime.FLAT_RATE_FARMER
    if key.startswith(("normal", "reel", "regimenormal", "regimereel")):
        return VatRegime.NORMAL
    raise CellError(
        _("Régime de TVA « {value} » inconnu : normal, franchise ou forfait.").format(
            value=text(cell)
        )
    )


_UNIT_NAMES: dict[str, Unit] = {
    **{normalize_header(u.value): u for u in Unit},
    **{normalize_header(u.label): u for u in Unit},
    "pc": Unit.PIECE,
    "pce": Unit.PIECE,
    "u": Unit.PIECE,
    "unite": Unit.PIECE,
    "kilo": Unit.KG,
    "kilogramme": Unit.KG,
    "gramme": Unit.G,
    "gr": Unit.G,
    "l": Unit.LITRE,
    "lt": Unit.LITRE,
    "dz": Unit.DOZEN,
    "btl": Unit.BOTTLE,
}


def unit(cell: Cell) -> Unit | None:
    """A unit by its French name, singular or plural: 'pièce', 'kg', 'bottes', 'L'…"""
    key = normalize_header(text(cell))
    if not key:
        return None
    found = _UNIT_NAMES.get(key) or _UNIT_NAMES.get(key.removesuffix("s"))
    if found is None:
        raise CellError(
            _("Unité « {value} » inconnue : {known}.").format(
                value=text(cell), known=", ".join(u.label for u in Unit)
            )
        )
    return found
