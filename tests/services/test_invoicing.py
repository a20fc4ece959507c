"""Issuing a period's invoices from what was delivered: drafts, numbers, amounts, once only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from coopfood.domain.enums import CycleState, InvoiceBuyer
from coopfood.domain.invoicing import InvoiceKind, line_amount
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    Invoice,
    InvoicedOrderLine,
    InvoiceLine,
    Order,
    OrderLine,
)
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError, invoicing
from coopfood.services.producers import get_producer, save_producer
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    pdf_text,
    producer_id,
)

D = Decimal


def _delivered_lines(db: Database, period: invoicing.Period) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT COUNT(*) FROM order_line l JOIN member_order o ON o.id = l.order_id "
            "JOIN cycle c ON c.id = o.cycle_id WHERE c.state IN ('distributed', 'invoiced') "
            "AND c.distribution_date BETWEEN :start AND :end AND NOT o.absent "
            "AND l.quantity_delivered > 0"), {"start": period.start, "end": period.end}).scalar())


def test_a_month_is_invoiced_once_and_only_once(demo_db_copy: Database) -> None:
    db = demo_db_copy
    preview = invoicing.preview_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                         issue_date=ISSUE_DAY)
    assert preview.drafts and all(d.data.number is None for d in preview.drafts)
    # One invoice per producer buying through the co-op, one per household for direct sale.
    assert len({d.producer_id for d in preview.drafts if d.member_id is None}) == len(
        [d for d in preview.drafts if d.member_id is None])
    assert any(d.member_id is not None for d in preview.drafts)
    delivered = _delivered_lines(db, NOVEMBER)
    assert sum(len(d.order_line_ids) for d in preview.drafts) == delivered

    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      issue_date=ISSUE_DAY, processes=1)
    assert len(report.invoices) == len(preview.drafts)
    assert sum(r.total_ttc for r in report.invoices) == preview.total_ttc
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(InvoicedOrderLine)) == delivered
        states = set(session.scalars(select(Cycle.state).where(
            Cycle.distribution_date.between(NOVEMBER.start, NOVEMBER.end))))
    assert states == {CycleState.INVOICED}
    assert sorted(report.cycles_invoiced)

    # Numbers run from 1 without a gap in each series: each self-billing producer's own,
    # and the co-op's for producers who gave no mandate.
    by_series: dict[str, list[int]] = {}
    for row in report.invoices:
        series, year, sequence = row.number.rsplit("-", 2)
        assert year == "2026"
        by_series.setdefault(series, []).append(int(sequence))
    assert "COOP" in by_series
    for numbers in by_series.values():
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
    self_billing = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer_id(
        db, regime=VatRegime.NORMAL, mandate=True))
    assert self_billing.invoice_prefix in by_series

    again = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     issue_date=ISSUE_DAY, processes=1)
    assert again.nothing_new and again.invoices == ()
    assert again.summary.startswith("Rien de nouveau à facturer pour novembre 2026")
    assert invoicing.preview_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER).drafts == ()


def test_lines_are_grouped_at_the_snapshot_price(demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True)
    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=[producer], issue_date=ISSUE_DAY)
    [row] = report.invoices
    with db.reading() as session:
        invoice = session.get(Invoice, row.id)
        assert invoice is not None
        for line in invoice.lines:
            sources = session.scalars(select(OrderLine).join(
                InvoicedOrderLine, InvoicedOrderLine.order_line_id == OrderLine.id).where(
                InvoicedOrderLine.invoice_line_id == line.id)).all()
            assert sources
            assert line.quantity == sum((s.quantity_delivered or D(0) for s in sources), D(0))
            assert {s.unit_price_ht for s in sources} == {line.unit_price_ht}
            assert line.total_ht == line_amount(line.quantity, line.unit_price_ht)
        assert invoice.total_ht == sum((line.total_ht for line in invoice.lines), D("0.00"))
        assert invoice.total_ttc == invoice.total_ht + invoice.total_vat
        assert invoice.type_code == "389"  # self-billed, the co-op buying


def test_the_vat_of_a_producer_that_charges_none_is_not_invoiced(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.FRANCHISE, mandate=True)
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer], issue_date=ISSUE_DAY).invoices
    assert row.total_vat == D("0.00") and row.total_ttc == row.total_ht > 0
    with db.reading() as session:
        rates = set(session.scalars(select(InvoiceLine.vat_rate).where(
            InvoiceLine.invoice_id == row.id)))
    assert rates == {D("0.00")}  # the order lines hold the product's rate all the same


def test_direct_sale_invoices_each_household(demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True,
                           buyer=InvoiceBuyer.HOUSEHOLD)
    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=[producer], issue_date=ISSUE_DAY)
    assert len(report.invoices) > 1
    assert all(r.member_id is not None for r in report.invoices)
    assert len({r.member_id for r in report.invoices}) == len(report.invoices)
    text_ = pdf_text(invoicing.invoice_pdf(db=db, actor=LOCAL_ADMIN,
                                           invoice_id=report.invoices[0].id))
    assert report.invoices[0].buyer in text_
    # A household is no business: no late-penalty mentions.
    assert "40 €" not in text_ and "pénalités" not in text_
    with db.reading() as session:
        type_code = session.scalar(select(Invoice.type_code).where(
            Invoice.id == report.invoices[0].id))
    assert type_code == "380"  # the co-op issues for the producer; the buyer does not


def test_absent_households_and_undelivered_lines_are_not_invoiced(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    with db.transaction() as session:
        order = session.scalars(select(Order).join(Cycle, Cycle.id == Order.cycle_id).where(
            Cycle.distribution_date == dt.date(2026, 11, 26), Order.absent.is_(False))).first()
        assert order is not None
        order.absent = True
        absent_lines = set(session.scalars(select(OrderLine.id).where(
            OrderLine.order_id == order.id)))
    preview = invoicing.preview_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER)
    invoiced = {i for d in preview.drafts for i in d.order_line_ids}
    assert invoiced and not invoiced & absent_lines


def test_lines_still_to_weigh_wait_and_are_said(demo_db_copy: Database) -> None:
    db = demo_db_copy
    with db.transaction() as session:
        line = session.scalars(select(OrderLine).join(Order).join(Cycle).where(
            Cycle.distribution_date == dt.date(2026, 11, 26),
            OrderLine.quantity_delivered > D(0))).first()
        assert line is not None
        line.quantity_delivered = None
        waiting = line.id
    report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      issue_date=ISSUE_DAY, processes=1)
    assert any("26 novembre 2026" in w and "à peser" in w for w in report.warnings)
    with db.reading() as session:
        assert session.get(InvoicedOrderLine, waiting) is None
        state = session.scalar(select(Cycle.state).where(
            Cycle.distribution_date == dt.date(2026, 11, 26)))
    assert state is CycleState.DISTRIBUTED  # not all of it is invoiced yet
    with db.transaction() as session:
        found = session.get(OrderLine, waiting)
        assert found is not None
        found.quantity_delivered = D("1.250")
    later = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     issue_date=ISSUE_DAY, processes=1)
    assert len(later.invoices) == 1 and later.cycles_invoiced


def test_a_reprint_is_the_issued_document_whatever_changed_since(
        demo_db_copy: Database, tmp_path: object) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True)
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer], issue_date=ISSUE_DAY).invoices
    first = invoicing.invoice_pdf(db=db, actor=LOCAL_ADMIN, invoice_id=row.id)
    detail = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer)
    from coopfood.services.producers import ProducerInput

    save_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer, data=ProducerInput(
        name="Nouveau nom & Cie", vat_regime=detail.vat_regime, siret=detail.siret or "",
        vat_number=detail.vat_number or "", invoice_prefix=detail.invoice_prefix,
        billing_mandate_date=detail.billing_mandate_date))
    again = invoicing.invoice_pdf(db=db, actor=LOCAL_ADMIN, invoice_id=row.id)
    assert again == first
    assert detail.name in pdf_text(again) and "Nouveau nom" not in pdf_text(again)


def test_an_issue_date_before_the_last_of_its_series_is_refused(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=False)
    invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=invoicing.month_period(
        "2026-10"), producer_ids=[producer], issue_date=dt.date(2026, 11, 30))
    other = producer_id(db, regime=VatRegime.FRANCHISE, mandate=False)  # same COOP series
    with pytest.raises(ValidationError, match="déjà une facture du 30 novembre 2026"):
        invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=invoicing.month_period(
            "2026-10"), producer_ids=[other], issue_date=dt.date(2026, 11, 29))
    with pytest.raises(ValidationError, match="précède la dernière livraison"):
        invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                 producer_ids=[other], issue_date=dt.date(2026, 11, 30)
                                 - dt.timedelta(days=10))


def test_periods_read_in_french() -> None:
    assert NOVEMBER.label == "novembre 2026"
    assert invoicing.date_period(dt.date(2026, 11, 3), dt.date(2026, 11, 17)).label == (
        "du 03/11/2026 au 17/11/2026")
    with pytest.raises(ValidationError, match="attendu un mois AAAA-MM"):
        invoicing.month_period("novembre")
    with pytest.raises(ValidationError, match="inversée"):
        invoicing.date_period(dt.date(2026, 11, 3), dt.date(2026, 11, 1))


def test_only_the_treasurer_and_the_administrator_issue(demo_db_copy: Database) -> None:
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied, match="émettre les factures"):
        invoicing.issue_invoices(db=demo_db_copy, actor=coordinator, period=NOVEMBER)
    treasurer = Actor(name="Trésorière", role=Role.TREASURER)
    producer = producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True)
    report = invoicing.issue_invoices(db=demo_db_copy, actor=treasurer, period=NOVEMBER,
                                      producer_ids=[producer], issue_date=ISSUE_DAY)
    own = Actor(name="Producteur", role=Role.PRODUCER, producer_id=producer)
    assert [r.id for r in invoicing.list_invoices(db=demo_db_copy, actor=own)] == [
        r.id for r in report.invoices]
    stranger = Actor(name="Autre", role=Role.PRODUCER, producer_id=producer + 1)
    assert invoicing.list_invoices(db=demo_db_copy, actor=stranger) == []
    with pytest.raises(PermissionDenied):
        invoicing.invoice_pdf(db=demo_db_copy, actor=stranger,
                              invoice_id=report.invoices[0].id)


def test_the_list_says_what_each_invoice_is(demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True)
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer], issue_date=ISSUE_DAY).invoices
    assert (row.kind, row.status, row.status_label) == (InvoiceKind.INVOICE, "issued", "Émise")
    assert row.name == f"{row.number} — {row.producer}"
    assert (row.date, row.period_start, row.period_end) == (
        ISSUE_DAY, NOVEMBER.start, NOVEMBER.end)
    assert row.due_date <= dt.date(2026, 11, 26) + dt.timedelta(days=30)


def test_the_preview_says_what_a_sellers_record_lacks(demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.FRANCHISE, mandate=True)
    from coopfood.persistence.models import Producer

    with db.transaction() as session:
        found = session.get(Producer, producer)
        assert found is not None
        found.siret, found.address = None, ""
        name = found.name
    preview = invoicing.preview_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                         producer_ids=[producer])
    assert preview.warnings == (
        f"« {name} » n'a pas de SIRET ni d'adresse : ses factures seront incomplètes "
        "(complétez sa fiche avant d'émettre).",)



def test_a_delivered_quantity_already_invoiced_is_refused_in_french(
    demo_db_copy: Database,
) -> None:
    """Once invoiced, a delivered quantity is corrected by a credit note, and the keying
    screen says so (the database trigger would refuse it too, less kindly)."""
    from coopfood.persistence.models import Producer
    from coopfood.services.delivery import mark_absent, set_delivered

    db = demo_db_copy
    with db.reading() as session:
        producer = session.scalars(select(Producer.id).where(
            Producer.invoice_buyer == InvoiceBuyer.COOP).order_by(Producer.id)).first()
    assert producer is not None
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     issue_date=ISSUE_DAY, processes=1,
                                     producer_ids=[producer]).invoices
    with db.reading() as session:
        line_id, order_id = session.execute(
            select(InvoicedOrderLine.order_line_id, OrderLine.order_id)
            .join(OrderLine, OrderLine.id == InvoicedOrderLine.order_line_id)
            .join(InvoiceLine, InvoiceLine.id == InvoicedOrderLine.invoice_line_id)
            .where(InvoiceLine.invoice_id == row.id).limit(1)).one()
    expected = (f"Déjà facturé (facture {row.number}) : la quantité livrée ne change plus ; "
                "corrigez par un avoir.")
    with pytest.raises(ValidationError) as refused:
        set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_id, quantity="0,5")
    assert str(refused.value) == expected
    with pytest.raises(ValidationError) as refused:
        mark_absent(db=db, actor=LOCAL_ADMIN, order_id=order_id)
    assert str(refused.value) == expected
