"""The invoice PDF: every mention its VAT regime asks for (and none it forbids), the
Factur-X XML inside it, valid and agreeing with the printed totals, as far as PDF/A-3 goes."""

from __future__ import annotations

import io
import re
from decimal import Decimal

from facturx import get_facturx_xml_from_pdf, xml_check_xsd
from lxml import etree
from pypdf import PdfReader

from coopfood.documents.invoice import total_rows
from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.vat import VatRegime
from coopfood.i18n import format_money
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, invoicing
from coopfood.services.coop import DEFAULT_LEGAL_TEXTS, CoopInput, get_coop, save_coop
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    SPACES,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    pdf_text,
    producer_id,
)

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
LATE = DEFAULT_LEGAL_TEXTS["late_penalty"]
INDEMNITY = DEFAULT_LEGAL_TEXTS["recovery_indemnity"]


def _issue(db: Database, producer: int) -> tuple[invoicing.InvoiceRow, bytes, str]:
    [row] = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                     producer_ids=[producer], issue_date=ISSUE_DAY).invoices
    pdf = invoicing.invoice_pdf(db=db, actor=LOCAL_ADMIN, invoice_id=row.id)
    return row, pdf, " ".join(pdf_text(pdf).split())


def _money(amount: Decimal) -> str:
    return format_money(amount).translate(SPACES)


def test_normal_regime_shows_vat_per_rate_and_the_sellers_vat_number(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    producer = producer_id(db, regime=VatRegime.NORMAL, mandate=True)
    row, _pdf, text = _issue(db, producer)
    from coopfood.services.producers import get_producer

    seller = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer)
    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    assert coop is not None and seller.billing_mandate_date is not None
    assert "FACTURE" in text and f"N° {row.number}" in text
    assert "Date d'émission : 30 novembre 2026" in text
    assert "Période : du 01/11/2026 au 30/11/2026" in text
    assert f"N° TVA intracommunautaire : {seller.vat_number}" in text
    assert f"SIRET : {seller.siret}" in text and f"SIRET : {coop.siret}" in text
    assert re.search(r"TVA 5,5 % sur [\d ]+,\d\d €", text)
    for label in ("Total HT", "Total TVA", "Total TTC", "Net à payer"):
        assert label in text
    assert f"Net à payer {_money(row.total_ttc)}" in text
    assert "Autofacturation" in text and "mandat du" in text
    assert " ".join(coop.legal_text("autofacturation", coop=coop.name, producteur=seller.name,
                                    date="X").split("X")[0].split()) in text
    assert LATE in text and INDEMNITY in text  # the co-op buys: between businesses
    assert "Échéance :" in text
    assert DEFAULT_LEGAL_TEXTS["franchise"] not in text


def test_franchise_says_293_b_and_shows_no_vat(demo_db_copy: Database) -> None:
    row, _pdf, text = _issue(demo_db_copy, producer_id(demo_db_copy, regime=VatRegime.FRANCHISE,
                                                       mandate=True))
    assert "TVA non applicable, art. 293 B du CGI" in text
    for forbidden in ("Total TVA", "TTC", "TVA 5,5", " 5,5 %", " 20 %", "N° TVA intra"):
        assert forbidden not in text
    assert f"Net à payer {_money(row.total_ttc)}" in text


def test_flat_rate_farmer_shows_no_vat_and_its_legal_text(demo_db_copy: Database) -> None:
    _row, _pdf, text = _issue(demo_db_copy, producer_id(
        demo_db_copy, regime=VatRegime.FLAT_RATE_FARMER, mandate=True))
    assert DEFAULT_LEGAL_TEXTS["flat_rate_farmer"] in text
    for forbidden in ("Total TVA", "TTC", " 5,5 %", " 10 %", "293 B"):
        assert forbidden not in text


def test_without_a_mandate_the_coops_series_and_no_autofacturation(
        demo_db_copy: Database) -> None:
    row, _pdf, text = _issue(demo_db_copy, producer_id(demo_db_copy, regime=VatRegime.NORMAL,
                                                       mandate=False))
    assert row.number == "COOP-2026-0001"
    assert "Autofacturation" not in text
    assert "n'a pas donné de mandat de facturation" in text


def test_the_wording_comes_from_the_coops_settings(demo_db_copy: Database) -> None:
    db = demo_db_copy
    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    assert coop is not None
    save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(
        name=coop.name, legal_form=coop.legal_form, address=coop.address,
        postal_code=coop.postal_code, city=coop.city, siret=coop.siret or "",
        legal_texts={"franchise": "TVA non applicable, art. 293 B du CGI (nouvel article CIBS)"},
        payment_terms_days=coop.payment_terms_days))
    _row, _pdf, text = _issue(db, producer_id(db, regime=VatRegime.FRANCHISE, mandate=True))
    assert "(nouvel article CIBS)" in text


def test_the_factur_x_xml_inside_is_valid_and_agrees_with_the_print(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    for regime, code in ((VatRegime.NORMAL, "S"), (VatRegime.FRANCHISE, "E"),
                         (VatRegime.FLAT_RATE_FARMER, "O")):
        row, pdf, text = _issue(db, producer_id(db, regime=regime, mandate=True))
        name, xml = get_facturx_xml_from_pdf(pdf, check_xsd=False)
        assert name == "factur-x.xml"
        assert xml_check_xsd(xml, flavor="factur-x", level="en16931")
        root = etree.fromstring(xml)

        def amount(path: str, root: etree._Element = root) -> Decimal:
            return Decimal(root.findtext(path, namespaces=NS) or "nan")

        summation = ".//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"
        assert root.findtext("rsm:ExchangedDocument/ram:ID", namespaces=NS) == row.number
        assert root.findtext("rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "389"
        assert amount(summation + "ram:TaxBasisTotalAmount") == row.total_ht
        assert amount(summation + "ram:TaxTotalAmount") == row.total_vat
        assert amount(summation + "ram:GrandTotalAmount") == row.total_ttc
        assert amount(summation + "ram:DuePayableAmount") == row.total_ttc
        lines = root.findall(".//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
        assert sum((amount(".//ram:LineTotalAmount", line) for line in lines), Decimal(0)) == (
            row.total_ht)
        breakdown = root.findall(
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/"
            "ram:ApplicableTradeTax", namespaces=NS)
        assert {t.findtext("ram:CategoryCode", namespaces=NS) for t in breakdown} == {code}
        # Every printed total is in the XML, to the cent.
        for _label, printed, _bold in _printed_totals(db, row):
            assert _money(printed) in text
        if regime is VatRegime.NORMAL:
            for tax in breakdown:
                vat = amount("ram:CalculatedAmount", tax)
                base = amount("ram:BasisAmount", tax)
                assert f"sur {_money(base)} {_money(vat)}" in text


def _printed_totals(db: Database, row: invoicing.InvoiceRow) -> list[tuple[str, Decimal, bool]]:
    preview_like = invoicing.get_invoice(db=db, actor=LOCAL_ADMIN, number=row.number)
    from coopfood.domain.invoicing import invoice_totals

    charges = preview_like.row.total_vat > 0
    totals = invoice_totals(((line.total_ht, line.vat_rate) for line in preview_like.lines),
                            charges_vat=charges)
    assert (totals.total_ht, totals.total_vat, totals.total_ttc) == (
        row.total_ht, row.total_vat, row.total_ttc)

    class _Data:  # what total_rows reads
        pass

    data: object = _Data()
    from coopfood.domain.invoicing import InvoiceKind

    data.totals = totals  # type: ignore[attr-defined]
    data.charges_vat = charges  # type: ignore[attr-defined]
    data.kind = InvoiceKind.INVOICE  # type: ignore[attr-defined]
    return total_rows(data)  # type: ignore[arg-type]


def test_as_far_as_pdf_a_3_goes(demo_db_copy: Database) -> None:
    _row, pdf, _text = _issue(demo_db_copy, producer_id(demo_db_copy, regime=VatRegime.NORMAL,
                                                        mandate=True))
    assert pdf.startswith(b"%PDF-1.") and pdf.count(b"%PDF-") == 1 and pdf.count(b"%%EOF") == 1
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    [intent] = root["/OutputIntents"]
    assert intent["/S"] == "/GTS_PDFA1" and intent["/DestOutputProfile"]["/N"] == 3
    assert reader.trailer.get("/ID")
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp and "Factur-X" in xmp
    assert root["/AF"][0].get_object()["/AFRelationship"] == "/Data"
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.add(font["/BaseFont"])
            assert "/FontFile2" in font["/FontDescriptor"]  # embedded
    assert fonts and all("DejaVu" in str(name) for name in fonts)


def test_a_draft_is_watermarked_and_carries_no_xml(demo_db_copy: Database) -> None:
    preview = invoicing.preview_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                         issue_date=ISSUE_DAY)
    draft = next(d for d in preview.drafts if d.member_id is None)
    pdf = invoicing.draft_pdf(draft)
    text = " ".join(pdf_text(pdf).split())
    assert "sans numéro" in text and "Imprimé le 30 novembre 2026" in text
    # The watermark is drawn slanted: pypdf reads it where pdfplumber keeps upright text only.
    slanted = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "BROUILLON — ne vaut pas facture" in slanted
    assert get_facturx_xml_from_pdf(pdf, check_xsd=False) == (False, False)


def test_member_text_prints_literally(demo_db_copy: Database) -> None:
    db = demo_db_copy
    household = producer_id(db, regime=VatRegime.NORMAL, mandate=True,
                            buyer=InvoiceBuyer.HOUSEHOLD)
    preview = invoicing.preview_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER,
                                         producer_ids=[household])
    from dataclasses import replace

    draft = preview.drafts[0]
    odd = replace(draft.data, buyer=replace(draft.data.buyer, name="<b>Dupont</b> & Fils 🍅"))
    text = pdf_text(invoicing.draft_pdf(replace(draft, data=odd)))
    assert "<b>Dupont</b> & Fils" in text
