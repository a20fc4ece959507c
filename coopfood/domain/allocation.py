"""Case packs and shortfalls: who gets what when the goods come by the case.

Pure functions on exact Decimals, no database. A product sold by the case
(colisage) is ordered from the producer in whole cases: under the COMPLETE
rule the last case is completed and the co-op takes the extra units; under
the CUT rule only full cases are ordered and the members' orders are cut to
what those cases hold, by the cycle's shortfall rule.

Every sharing returns allocations whose sum is exactly what is available (or
exactly what was ordered under ShortfallRule.NONE): nothing is lost or created
by rounding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from coopfood.domain.enums import CaseRule, ShortfallRule
from coopfood.domain.money import MILLI

ZERO = Decimal(0)
UNIT = Decimal(1)

#: One order line to share: (line id, quantity ordered, when it was ordered).
OrderToShare = tuple[int, Decimal, dt.datetime]


@dataclass(frozen=True)
class CasePackStatus:
    """Where the ordered total stands against a product's case size."""

    total: Decimal
    pack: Decimal
    #: Cases filled completely by the orders.
    full_cases: int
    #: Units missing to fill the case that is started (0 when it is full or none started).
    missing: Decimal

    @property
    def complete(self) -> bool:
        return self.missing == ZERO


def _whole_cases(total: Decimal, pack: Decimal, rounding: str) -> int:
    if pack <= ZERO:
        raise ValueError(f"case pack must be positive, got {pack}")
    if total < ZERO:
        raise ValueError(f"total must not be negative, got {total}")
    return int((total / pack).to_integral_value(rounding=rounding))


def case_pack_status(total: Decimal, pack: Decimal) -> CasePackStatus:
    """How many full cases the total fills, and the units missing to the next full case.

    >>> case_pack_status(Decimal(20), Decimal(12)).missing
    Decimal('4')
    """
    full = _whole_cases(total, pack, ROUND_FLOOR)
    started = _whole_cases(total, pack, ROUND_CEILING)
    return CasePackStatus(total=total, pack=pack, full_cases=full,
                          missing=started * pack - total)


def cases_to_order(total: Decimal, pack: Decimal, rule: CaseRule) -> int:
    """The cases to order from the producer: COMPLETE rounds up, CUT rounds down."""
    rounding = ROUND_CEILING if rule is CaseRule.COMPLETE else ROUND_FLOOR
    return _whole_cases(total, pack, rounding)


def default_step(quantities: Sequence[Decimal]) -> Decimal:
    """The unit the shares are counted in: whole units, unless a quantity has decimals."""
    if all(q == q.to_integral_value() for q in quantities):
        return UNIT
    return MILLI


def share_shortfall(
    orders: Sequence[OrderToShare], available: Decimal, rule: ShortfallRule,
    *, step: Decimal | None = None,
) -> dict[int, Decimal]:
    """Share `available` units between orders that together want more.

    - PRO_RATA: each gets its ordered quantity × available / total ordered,
      rounded down to `step` (the unit, or 0.001 for weights); the units left
      by the rounding go one `step` at a time to the largest remainders, a tie
      going to the earliest order (then the smaller line id).
    - ORDER_OF_ARRIVAL: the earliest orders are served in full first; the first
      order that cannot be is cut to what is left; later ones get nothing.
    - NONE: nobody is cut, everyone gets what they ordered (the shortfall is the
      co-op's to record as a shortage).

    When there is enough for everyone, everyone gets what they ordered. The
    result has an entry per line and, except under NONE, sums exactly to
    `available`. `step` defaults to 1 when every quantity (and `available`) is
    whole, else to 0.001.
    """
    if available < ZERO:
        raise ValueError(f"available must not be negative, got {available}")
    if any(qty < ZERO for _line, qty, _at in orders):
        raise ValueError("ordered quantities must not be negative")
    total = sum((qty for _line, qty, _at in orders), ZERO)
    if rule is ShortfallRule.NONE or available >= total:
        return {line: qty for line, qty, _at in orders}
    arrival = sorted(orders, key=lambda order: (order[2], order[0]))
    if rule is ShortfallRule.ORDER_OF_ARRIVAL:
        left = available
        served: dict[int, Decimal] = {}
        for line, qty, _at in arrival:
            served[line] = min(qty, left)
            left -= served[line]
        return served
    unit = step if step is not None else default_step(
        [available, *(qty for _line, qty, _at in orders)])
    if available % unit != ZERO:
        raise ValueError(f"available {available} is not a whole number of {unit}")
    shares: dict[int, Decimal] = {}
    remainders: list[tuple[Decimal, int, int]] = []
    for rank, (line, qty, _at) in enumerate(arrival):
        # Exact integer division: qty × available = whole × (total × unit) + remainder.
        whole, remainder = divmod(qty * available, total * unit)
        shares[line] = whole * unit
        remainders.append((remainder, rank, line))
    left = available - sum(shares.values(), ZERO)
    # Largest remainder first; equal remainders: the earliest order first.
    for _remainder, _rank, line in sorted(remainders, key=lambda r: (-r[0], r[1])):
        if left <= ZERO:
            break
        shares[line] += unit
        left -= unit
    return shares
