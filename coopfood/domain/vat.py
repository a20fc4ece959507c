"""French VAT rates and regimes, and the member price derived from a producer's price."""

from __future__ import annotations

import enum
from decimal import Decimal

from coopfood.domain.money import round_cents
from coopfood.i18n import N_, _

#: The rates a product may carry (percent): food, immediate consumption, the rest.
VAT_RATES: tuple[Decimal, ...] = (Decimal("5.50"), Decimal("10.00"), Decimal("20.00"))


class VatRegime(enum.StrEnum):
    """How a producer handles VAT; it decides what an invoice shows."""

    NORMAL = "normal"
    FRANCHISE = "franchise"  # franchise en base, art. 293 B du CGI: no VAT charged
    FLAT_RATE_FARMER = "forfait_agricole"  # remboursement forfaitaire agricole: no VAT shown

    @property
    def label(self) -> str:
        return _(_REGIME_LABELS[self])


_REGIME_LABELS = {
    VatRegime.NORMAL: N_("Régime normal"),
    VatRegime.FRANCHISE: N_("Franchise en base"),
    VatRegime.FLAT_RATE_FARMER: N_("Forfait agricole"),
}


def charges_vat(regime: VatRegime) -> bool:
    """Whether an invoice of a producer under this regime adds VAT to the price."""
    return regime is VatRegime.NORMAL


def price_with_vat(price_ht: Decimal, rate_percent: Decimal) -> Decimal:
    """The price including VAT, rounded half-up to the cent."""
    return round_cents(price_ht * (Decimal(100) + rate_percent) / Decimal(100))


def member_price(price_ht: Decimal, rate_percent: Decimal, fee_percent: Decimal) -> Decimal:
    """What a member pays for one unit: the price with VAT plus the co-op's fee, openly.

    The fee applies to the producer's price including VAT, so the split between
    producer, State and co-op reads directly off the three amounts.
    """
    ttc = price_with_vat(price_ht, rate_percent)
    return ttc + round_cents(ttc * fee_percent / Decimal(100))


def member_price_for(price_ht: Decimal, rate_percent: Decimal, regime: VatRegime,
                     fee_percent: Decimal) -> Decimal:
    """What a member pays for one unit of a producer's product: VAT only when the
    producer charges it (normal regime), then the co-op's fee."""
    applied = rate_percent if charges_vat(regime) else Decimal("0.00")
    return member_price(price_ht, applied, fee_percent)
