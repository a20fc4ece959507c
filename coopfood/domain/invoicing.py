"""Invoice amounts and numbers: the arithmetic of EN 16931, with no database.

A line's amount is its quantity times its unit price excluding VAT, rounded
half-up to the cent. VAT is computed once per rate on the sum of the lines at
that rate (EN 16931 rule BR-CO-17), never line by line: three lines of 1.15 €
at 5.5 % make a base of 3.45 € and 0.19 € of VAT (line by line it would be
3 × 0.06 = 0.18 €).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from coopfood.domain.money import ZERO, line_total, round_cents
from coopfood.i18n import _

#: The zero rate of a producer that charges no VAT (franchise, flat-rate farmer).
NO_VAT = Decimal("0.00")


class InvoiceKind(enum.StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"

    @property
    def label(self) -> str:
        return {InvoiceKind.INVOICE: _("Facture"), InvoiceKind.CREDIT_NOTE: _("Avoir")}[self]


def line_amount(quantity: Decimal, unit_price_ht: Decimal) -> Decimal:
    """The amount excluding VAT of an invoice line, to the cent (half-up)."""
    return line_total(unit_price_ht, quantity)


@dataclass(frozen=True)
class VatBreakdown:
    """The lines at one VAT rate: their summed base and the VAT on it."""

    rate: Decimal
    base: Decimal
    vat: Decimal


@dataclass(frozen=True)
class Totals:
    total_ht: Decimal
    #: One entry per rate, in increasing rate order; empty when no VAT is charged.
    breakdown: tuple[VatBreakdown, ...]
    total_vat: Decimal
    total_ttc: Decimal

    @property
    def amount_due(self) -> Decimal:
        return self.total_ttc


def vat_on(base: Decimal, rate: Decimal) -> Decimal:
    """The VAT on a base at `rate` percent, rounded half-up to the cent."""
    return round_cents(base * rate / Decimal(100))


def invoice_totals(lines: Iterable[tuple[Decimal, Decimal]], *, charges_vat: bool) -> Totals:
    """Totals of lines given as (amount excluding VAT, VAT rate in percent).

    Without VAT (franchise, flat-rate farmer) the total is the sum of the
    lines and there is no breakdown: the invoice shows no VAT at all.
    """
    bases: dict[Decimal, Decimal] = {}
    total_ht = ZERO
    for amount, rate in lines:
        total_ht += amount
        bases[rate] = bases.get(rate, ZERO) + amount
    if not charges_vat:
        return Totals(total_ht=total_ht, breakdown=(), total_vat=ZERO, total_ttc=total_ht)
    breakdown = tuple(VatBreakdown(rate=rate, base=base, vat=vat_on(base, rate))
                      for rate, base in sorted(bases.items()))
    total_vat = sum((b.vat for b in breakdown), ZERO)
    return Totals(total_ht=total_ht, breakdown=breakdown, total_vat=total_vat,
                  total_ttc=total_ht + total_vat)


def closing_vat(totals: Totals, *, remaining_vat: Mapping[Decimal, Decimal],
                closed_rates: Iterable[Decimal]) -> Totals:
    """A credit note's totals where it credits the last of an invoice's lines at a rate:
    the VAT at that rate is what remains of the invoice's VAT, not VAT recomputed on the
    last part, so that the credit notes of an invoice add up to it to the cent."""
    closed = set(closed_rates)
    breakdown = tuple(replace(b, vat=remaining_vat.get(b.rate, b.vat)) if b.rate in closed
                      else b for b in totals.breakdown)
    total_vat = sum((b.vat for b in breakdown), ZERO)
    return replace(totals, breakdown=breakdown, total_vat=total_vat,
                   total_ttc=totals.total_ht + total_vat)


def invoice_number(series: str, year: int, sequence: int) -> str:
    """« GAECDUPRE-2026-0001 »: the series, the year, the number within them."""
    return f"{series}-{year}-{sequence:04d}"
