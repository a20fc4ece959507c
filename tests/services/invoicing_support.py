"""Shared by the invoicing tests: the demo's producers by kind, PDF text, a fixed moment."""

from __future__ import annotations

import datetime as dt
import io

import pdfplumber
import pytest
from sqlalchemy import select

from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import Producer
from coopfood.services import invoicing

#: The demo's distributions of November 2026 are all distributed (the demo is as of the 26th).
NOVEMBER = invoicing.month_period("2026-11")
ISSUE_DAY = dt.date(2026, 11, 30)
MOMENT = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


@pytest.fixture(autouse=True)
def fixed_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(invoicing, "now", lambda: MOMENT)


def producer_id(db: Database, *, regime: VatRegime, mandate: bool,
                buyer: InvoiceBuyer = InvoiceBuyer.COOP) -> int:
    """A demo producer of this kind (the demo has every kind)."""
    with db.reading() as session:
        query = select(Producer.id).where(
            Producer.vat_regime == regime, Producer.invoice_buyer == buyer,
            Producer.billing_mandate_date.is_not(None) if mandate
            else Producer.billing_mandate_date.is_(None)).order_by(Producer.id)
        found = session.scalars(query).first()
    assert found is not None, (regime, mandate, buyer)
    return found


def pdf_text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join((page.extract_text() or "") for page in document.pages).translate(
            SPACES)
