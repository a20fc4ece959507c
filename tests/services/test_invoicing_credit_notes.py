"""Issued invoices never change; corrections are credit notes that cite them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from coopfood.domain.invoicing import InvoiceKind, line_amount, vat_on
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Invoice,
    InvoicedOrderLine,
    InvoiceLine,
    Order,
    OrderLine,
)
from coopfood.services import LOCAL_ADMIN, ValidationError, invoicing
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    pdf_text,
    producer_id,
)

D = Decimal
LATER = dt.date(2026, 12, 2)


@pytest.fixture
def issued(demo_db_copy: Database) -> invoicing.InvoiceRow:
    producer = producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True)
    [row] = invoicing.issue_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer], issue_date=ISSUE_DAY).invoices
    return row


def test_the_database_refuses_to_change_or_delete_what_is_issued(
        demo_db_copy: Database, issued: invoicing.InvoiceRow) -> None:
    db = demo_db_copy
    attempts = [
        update(Invoice).where(Invoice.id == issued.id).values(total_ht=D("0.00")),
        update(Invoice).where(Invoice.id == issued.id).values(reason="retouchée"),
        delete(Invoice).where(Invoice.id == issued.id),
        update(InvoiceLine).where(InvoiceLine.invoice_id == issued.id).values(
            quantity=D("99.000")),
        delete(InvoiceLine).where(InvoiceLine.invoice_id == issued.id),
        delete(InvoicedOrderLine),
    ]
    for statement in attempts:
        with pytest.raises(DBAPIError, match="ne se modifie ni ne se supprime"), \
                db.transaction() as session:
            session.execute(statement)
    with db.reading() as session:
        line_id = session.scalars(select(InvoicedOrderLine.order_line_id)).first()
        order_id = session.scalar(select(OrderLine.order_id).where(OrderLine.id == line_id))
    # What the invoice was made from is frozen too: delivered quantity, price, presence.
    for statement in (
        update(OrderLine).where(OrderLine.id == line_id).values(quantity_delivered=D("9")),
        update(OrderLine).where(OrderLine.id == line_id).values(unit_price_ht=D("0.01")),
        update(Order).where(Order.id == order_id).values(absent=True),
    ):
        with pytest.raises(DBAPIError, match="déjà facturée"), db.transaction() as session:
            session.execute(statement)
    with db.transaction() as session:  # what was not invoiced still changes freely
        session.execute(update(OrderLine).where(OrderLine.id == line_id).values(
            quantity_ordered=D("3.000")))
    assert invoicing.list_invoices(db=db, actor=LOCAL_ADMIN)[0].total_ht == issued.total_ht


def test_a_partial_credit_note_cites_the_invoice_in_the_same_series(
        demo_db_copy: Database, issued: invoicing.InvoiceRow) -> None:
    db = demo_db_copy
    detail = invoicing.get_invoice(db=db, actor=LOCAL_ADMIN, number=issued.number)
    first = detail.lines[0]
    half = (first.quantity / 2).quantize(D("0.001"))
    result = invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                         reason="Produit abîmé <à reprendre> & remboursé",
                                         lines={first.position: half}, issue_date=LATER)
    credit = result.row
    series, year, sequence = issued.number.rsplit("-", 2)
    assert credit.number == f"{series}-{year}-{int(sequence) + 1:04d}"
    assert (credit.kind, credit.status, credit.corrected_number) == (
        InvoiceKind.CREDIT_NOTE, "credit_note", issued.number)
    text = pdf_text(result.pdf)
    assert "AVOIR" in text
    assert f"Avoir sur la facture n° {issued.number} du 30 novembre 2026" in text
    assert "Motif : Produit abîmé <à reprendre> & remboursé" in text
    from facturx import get_facturx_xml_from_pdf
    from lxml import etree

    _name, xml = get_facturx_xml_from_pdf(result.pdf)
    root = etree.fromstring(xml)
    ns = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
          "ram": "urn:un:unece:uncefact:data:standard:"
                 "ReusableAggregateBusinessInformationEntity:100"}
    assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=ns) == "381"
    assert root.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
                         namespaces=ns) == issued.number
    [row] = [r for r in invoicing.list_invoices(db=db, actor=LOCAL_ADMIN) if r.id == issued.id]
    assert row.status == "partly_credited" and row.credited == credit.total_ttc


def test_no_more_can_be_credited_than_was_invoiced(
        demo_db_copy: Database, issued: invoicing.InvoiceRow) -> None:
    db = demo_db_copy
    detail = invoicing.get_invoice(db=db, actor=LOCAL_ADMIN, number=issued.number)
    line = detail.lines[0]
    with pytest.raises(ValidationError, match=r"impossible de créditer .* il ne reste que"):
        invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                    reason="Erreur", lines={line.position: line.quantity + 1},
                                    issue_date=LATER)
    with pytest.raises(ValidationError, match="n'a pas de ligne n° 999"):
        invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                    reason="Erreur", lines={999: "1"}, issue_date=LATER)
    with pytest.raises(ValidationError, match="motif"):
        invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                    reason="  ", issue_date=LATER)
    # Credited in two parts, a line adds up exactly to what it was invoiced.
    thirds = (line.quantity / 3).quantize(D("0.001"))
    invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                reason="Une partie", lines={line.position: thirds},
                                issue_date=LATER)
    whole = invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                        reason="Le reste", issue_date=LATER)
    [row] = [r for r in invoicing.list_invoices(db=db, actor=LOCAL_ADMIN) if r.id == issued.id]
    assert row.status == "credited"
    with db.reading() as session:
        credited_ht = sum(session.scalars(select(Invoice.total_ht).where(
            Invoice.corrected_invoice_id == issued.id)), D("0.00"))
    assert credited_ht == issued.total_ht
    assert whole.row.total_ht < issued.total_ht
    with pytest.raises(ValidationError, match="déjà entièrement annulée"):
        invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                    reason="Encore", issue_date=LATER)
    with pytest.raises(ValidationError, match="un avoir corrige une facture"):
        invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=whole.row.number,
                                    reason="Encore", issue_date=LATER)


def test_credit_notes_made_in_parts_add_up_to_the_invoice_to_the_cent(
        demo_db_copy: Database, issued: invoicing.InvoiceRow) -> None:
    """VAT is computed per note on its own base; the note that credits the last of a rate
    takes what remains of the invoice's VAT, so the parts never leave a cent behind."""
    db = demo_db_copy
    detail = invoicing.get_invoice(db=db, actor=LOCAL_ADMIN, number=issued.number)
    # A first part whose VAT, rounded on its own, leaves a cent the rest would not catch:
    # VAT(part) + VAT(rest of the rate) ≠ VAT(whole rate) when each is rounded apart.
    rate_base: dict[Decimal, Decimal] = {}
    for line in detail.lines:
        rate_base[line.vat_rate] = rate_base.get(line.vat_rate, D(0)) + line.total_ht
    first_part = next(
        {line.position: D(q)}
        for line in detail.lines
        for q in range(1, int(line.quantity))
        if vat_on(line_amount(D(q), line.unit_price_ht), line.vat_rate)
        + vat_on(rate_base[line.vat_rate] - line_amount(D(q), line.unit_price_ht),
                 line.vat_rate)
        != vat_on(rate_base[line.vat_rate], line.vat_rate)
    )
    one = invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                      reason="Produits abîmés", lines=first_part,
                                      issue_date=LATER).row
    rest = invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=issued.number,
                                       reason="Reste de la livraison", issue_date=LATER).row
    assert one.total_ht + rest.total_ht == issued.total_ht
    assert one.total_vat + rest.total_vat == issued.total_vat
    assert one.total_ttc + rest.total_ttc == issued.total_ttc
    [after] = [r for r in invoicing.list_invoices(db=db, actor=LOCAL_ADMIN)
               if r.number == issued.number]
    assert after.credited == issued.total_ttc
