"""Invoice arithmetic: line amounts, VAT once per rate on the summed base (BR-CO-17)."""

from __future__ import annotations

from decimal import Decimal

from coopfood.domain.invoicing import (
    invoice_number,
    invoice_totals,
    line_amount,
    vat_on,
)

D = Decimal


def test_three_lines_of_1_15_at_5_5_percent_give_0_19_of_vat() -> None:
    lines = [(line_amount(D("1.000"), D("1.15")), D("5.50"))] * 3
    totals = invoice_totals(lines, charges_vat=True)
    assert totals.total_ht == D("3.45")
    [breakdown] = totals.breakdown
    assert (breakdown.rate, breakdown.base, breakdown.vat) == (D("5.50"), D("3.45"), D("0.19"))
    assert totals.total_vat == D("0.19")  # line by line it would be 3 × 0.06 = 0.18
    assert totals.total_ttc == totals.amount_due == D("3.64")


def test_a_line_amount_is_rounded_half_up_to_the_cent() -> None:
    assert line_amount(D("1.235"), D("18.90")) == D("23.34")  # 23.3415
    assert line_amount(D("3.000"), D("0.335")) == D("1.01")  # 1.005 → 1.01
    assert vat_on(D("0.10"), D("5.50")) == D("0.01")  # 0.0055 → 0.01


def test_one_breakdown_per_rate_in_increasing_order() -> None:
    totals = invoice_totals([(D("10.00"), D("20.00")), (D("5.00"), D("5.50")),
                             (D("2.50"), D("5.50"))], charges_vat=True)
    assert [(b.rate, b.base, b.vat) for b in totals.breakdown] == [
        (D("5.50"), D("7.50"), D("0.41")), (D("20.00"), D("10.00"), D("2.00"))]
    assert (totals.total_ht, totals.total_vat, totals.total_ttc) == (
        D("17.50"), D("2.41"), D("19.91"))


def test_without_vat_the_total_is_the_sum_of_the_lines() -> None:
    totals = invoice_totals([(D("10.00"), D("0.00")), (D("2.35"), D("0.00"))],
                            charges_vat=False)
    assert (totals.total_ht, totals.breakdown, totals.total_vat, totals.total_ttc) == (
        D("12.35"), (), D("0.00"), D("12.35"))


def test_numbers_carry_series_year_and_four_digits() -> None:
    assert invoice_number("GAECDUPRE", 2026, 1) == "GAECDUPRE-2026-0001"
    assert invoice_number("COOP", 2026, 12345) == "COOP-2026-12345"


def test_the_last_credit_note_of_a_rate_takes_the_vat_that_remains() -> None:
    from coopfood.domain.invoicing import closing_vat

    # An invoice line of 2 × 1,15 € at 5,5 %: 2,30 € + 0,13 € of VAT = 2,43 €.
    invoice = invoice_totals([(Decimal("2.30"), Decimal("5.50"))], charges_vat=True)
    assert invoice.total_vat == Decimal("0.13")
    # Credited one unit at a time: each part alone would carry 0,06 € (1,21 €).
    first = invoice_totals([(Decimal("1.15"), Decimal("5.50"))], charges_vat=True)
    last = closing_vat(first, remaining_vat={Decimal("5.50"): invoice.total_vat - first.total_vat},
                       closed_rates=[Decimal("5.50")])
    assert (first.total_ttc, last.total_ttc) == (Decimal("1.21"), Decimal("1.22"))
    assert first.total_ttc + last.total_ttc == invoice.total_ttc
