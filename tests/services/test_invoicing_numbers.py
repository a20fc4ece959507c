"""Invoice numbers: taken in the issuing transaction, gapless, never shared — also when the
drawing fails half-way, when the user cancels, and when two people issue at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from coopfood.documents import invoice as invoice_document
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database, connect
from coopfood.persistence.models import Invoice, InvoiceCounter, InvoicedOrderLine
from coopfood.services import LOCAL_ADMIN, Cancelled, invoicing
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)


def _stored(db: Database) -> tuple[int, int, list[tuple[str, int, int]]]:
    with db.reading() as session:
        invoices = session.scalar(select(func.count()).select_from(Invoice)) or 0
        links = session.scalar(select(func.count()).select_from(InvoicedOrderLine)) or 0
        counters = [(c.series, c.year, c.last_number)
                    for c in session.scalars(select(InvoiceCounter))]
    return invoices, links, counters


def _numbers_by_series(db: Database) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    with db.reading() as session:
        for series, sequence in session.execute(select(Invoice.series, Invoice.sequence)):
            found.setdefault(series, []).append(sequence)
    return found


def _gapless(db: Database) -> None:
    with db.reading() as session:
        last = {c.series: c.last_number for c in session.scalars(select(InvoiceCounter))}
    for series, numbers in _numbers_by_series(db).items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), series
        assert last[series] == len(numbers)


def _producers(db: Database) -> list[int]:
    """Producers of the co-op's series (no mandate) and of their own series."""
    return [producer_id(db, regime=VatRegime.NORMAL, mandate=False),
            producer_id(db, regime=VatRegime.FRANCHISE, mandate=False),
            producer_id(db, regime=VatRegime.NORMAL, mandate=True),
            producer_id(db, regime=VatRegime.FRANCHISE, mandate=True),
            producer_id(db, regime=VatRegime.FLAT_RATE_FARMER, mandate=True)]


def test_a_failure_half_way_issues_nothing_and_uses_no_number(
        demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_db_copy
    before = _stored(db)
    drawn = []
    real = invoice_document.draw_invoice

    def failing(data: Any, **kwargs: Any) -> bytes:
        drawn.append(data.number)
        if len(drawn) == 3:
            raise OSError("disque plein")
        return real(data, **kwargs)

    monkeypatch.setattr(invoice_document, "draw_invoice", failing)
    with pytest.raises(OSError, match="disque plein"):
        invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                 producer_ids=_producers(db), issue_date=ISSUE_DAY, processes=1)
    assert len(drawn) == 3 and drawn[2] is not None
    assert _stored(db) == before
    monkeypatch.setattr(invoice_document, "draw_invoice", real)
    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=_producers(db), issue_date=ISSUE_DAY,
                                      processes=1)
    assert [r.number for r in report.invoices][2] == drawn[2]  # the same number, reused
    _gapless(db)


def test_a_cancel_half_way_issues_nothing(demo_db_copy: Database) -> None:
    db = demo_db_copy
    before = _stored(db)
    seen: list[int] = []

    def progress(done: int, total: int, what: str) -> None:
        seen.append(done)
        if what.startswith("Facture"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                 issue_date=ISSUE_DAY, processes=1, progress=progress)
    assert _stored(db) == before


def _run_together(jobs: list[Callable[[], Any]]) -> list[Any]:
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = jobs[index]()
        except Exception as error:  # reported below, in the test's thread
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_people_issuing_at_once_never_share_nor_skip_a_number(
        demo_db_copy: Database) -> None:
    url = demo_db_copy.url
    producers = _producers(demo_db_copy)
    # Each issuer has its own Database (its own connections), as two computers would.
    first, second, third = connect(url), connect(url), connect(url)
    try:
        results = _run_together([
            lambda: invoicing.issue_invoices(db=first, actor=LOCAL_ADMIN, period=NOVEMBER,
                                             producer_ids=producers[0::2],
                                             issue_date=ISSUE_DAY, processes=1),
            lambda: invoicing.issue_invoices(db=second, actor=LOCAL_ADMIN, period=NOVEMBER,
                                             producer_ids=producers[1::2],
                                             issue_date=ISSUE_DAY, processes=1),
            # The same period again, at the same moment: it must invoice nothing twice.
            lambda: invoicing.issue_invoices(db=third, actor=LOCAL_ADMIN, period=NOVEMBER,
                                             producer_ids=producers, issue_date=ISSUE_DAY,
                                             processes=1),
        ])
    finally:
        for database in (first, second, third):
            database.dispose()
    for result in results:
        assert isinstance(result, invoicing.IssueReport), result
    issued = [r.number for result in results for r in result.invoices]
    assert len(issued) == len(set(issued))
    _gapless(demo_db_copy)
    assert "COOP" in _numbers_by_series(demo_db_copy)
    again = invoicing.preview_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                       producer_ids=producers)
    assert again.drafts == ()
