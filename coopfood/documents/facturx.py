"""Factur-X: the EN 16931 CII XML of an invoice, checked and embedded in its PDF.

The XML carries what the PDF prints — the same lines, the same totals, VAT
once per rate — so that an accountant's software reads the invoice without
retyping it. Document types (UNTDID 1001): 380 invoice, 389 self-billed
invoice (the co-op, buyer, issues it under the producer's mandate), 381
credit note. VAT categories: S (standard rate) under the normal regime, E
(exempt, with the co-op's wording of art. 293 B) under the franchise, O (not
subject to VAT) for a farmer under the flat-rate scheme, who charges none.

Towards PDF/A-3: the fonts are embedded (DejaVu subsets), every colour is
DeviceRGB with an sRGB output intent (`add_output_intent`, the ICC profile
shipped in resources/icc), and the factur-x library writes the XMP metadata
(PDF/A-3 B, Factur-X extension schema) and the /AF relationship of the XML.
"""

from __future__ import annotations

import io
import os
import tempfile
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lxml import etree

from coopfood.domain.enums import Unit
from coopfood.domain.invoicing import InvoiceKind
from coopfood.domain.vat import VatRegime

if TYPE_CHECKING:
    from coopfood.documents.invoice import InvoiceData, Party

ICC_PROFILE = Path(__file__).resolve().parents[2] / "resources" / "icc" / "sRGB.icc"
OUTPUT_CONDITION = "sRGB IEC61966-2.1"

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NAMESPACES = {"rsm": RSM, "ram": RAM, "qdt": QDT, "udt": UDT}
EN16931 = "urn:cen.eu:en16931:2017"

#: UN/ECE recommendation 20 unit codes; units with none are counted as pieces.
UNIT_CODES: dict[Unit, str] = {
    Unit.KG: "KGM",
    Unit.G: "GRM",
    Unit.LITRE: "LTR",
    Unit.DOZEN: "DZN",
}
PIECE = "H87"
#: UNTDID 4461: SEPA credit transfer.
SEPA_CREDIT_TRANSFER = "58"


class FacturXError(RuntimeError):
    """The XML does not pass the Factur-X XSD (a bug of ours, never the user's)."""


# --- the XML -----------------------------------------------------------------------------------


def _el(parent: Any, tag: str, text: str | None = None, **attributes: str) -> Any:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NAMESPACES[prefix]}}}{name}", attributes)
    if text is not None:
        element.text = text
    return element


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _quantity(value: Decimal) -> str:
    return f"{value:.3f}"


def _date(parent: Any, tag: str, day: Any, prefix: str = "udt") -> None:
    _el(_el(parent, tag), f"{prefix}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _category(regime: VatRegime) -> str:
    return {VatRegime.NORMAL: "S", VatRegime.FRANCHISE: "E",
            VatRegime.FLAT_RATE_FARMER: "O"}[regime]


def _party(parent: Any, tag: str, party: Party, *, vat_number: bool) -> None:
    element = _el(parent, tag)
    _el(element, "ram:Name", party.name)
    siren = party.siren or (party.siret[:9] if party.siret else None)
    if siren:
        # 0002: the SIRENE register (ISO 6523), the French legal registration number.
        _el(_el(element, "ram:SpecifiedLegalOrganization"), "ram:ID", siren, schemeID="0002")
    address = _el(element, "ram:PostalTradeAddress")
    if party.postal_code:
        _el(address, "ram:PostcodeCode", party.postal_code)
    if party.address:
        _el(address, "ram:LineOne", party.address)
    if party.city:
        _el(address, "ram:CityName", party.city)
    _el(address, "ram:CountryID", "FR")
    if vat_number and party.vat_number:
        _el(_el(element, "ram:SpecifiedTaxRegistration"), "ram:ID", party.vat_number,
            schemeID="VA")


def _tax(parent: Any, data: InvoiceData, rate: Decimal, *, calculated: Decimal | None = None,
         base: Decimal | None = None) -> None:
    """An ApplicableTradeTax: of a line (no amounts) or of the breakdown (amounts)."""
    category = _category(data.vat_regime)
    tax = _el(parent, "ram:ApplicableTradeTax")
    if calculated is not None:
        _el(tax, "ram:CalculatedAmount", _amount(calculated))
    _el(tax, "ram:TypeCode", "VAT")
    if base is not None and category != "S" and data.exemption_reason:
        _el(tax, "ram:ExemptionReason", data.exemption_reason)
    if base is not None:
        _el(tax, "ram:BasisAmount", _amount(base))
    _el(tax, "ram:CategoryCode", category)
    if category != "O":  # EN 16931 BR-O-5, BR-O-9: no rate where VAT does not apply
        _el(tax, "ram:RateApplicablePercent", _amount(rate))


def invoice_xml(data: InvoiceData) -> bytes:
    """The Factur-X (EN 16931 profile) CII XML of an issued invoice or credit note."""
    assert data.number is not None
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NAMESPACES)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", EN16931)
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", data.number)
    _el(document, "ram:TypeCode", data.type_code)
    _date(document, "ram:IssueDateTime", data.issue_date)
    for mention in (*data.issuer_mentions, *data.mentions):
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", mention.text)
        _el(note, "ram:SubjectCode", mention.subject)
    if data.reason:
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", data.reason)
        _el(note, "ram:SubjectCode", "ACD")  # reason for a credit note

    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    for line in data.lines:
        item = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(line.position))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.designation)
        agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
        _el(_el(agreement, "ram:NetPriceProductTradePrice"), "ram:ChargeAmount",
            _amount(line.unit_price_ht))
        _el(_el(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity",
            _quantity(line.quantity), unitCode=UNIT_CODES.get(line.unit, PIECE))
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, data, line.vat_rate)
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _date(period, "ram:StartDateTime", line.delivery_date)
        _date(period, "ram:EndDateTime", line.delivery_date)
        _el(_el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation"),
            "ram:LineTotalAmount", _amount(line.total_ht))

    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    # Under "not subject to VAT" (O) no VAT number may be given (BR-O-2).
    with_numbers = data.vat_regime is not VatRegime.FLAT_RATE_FARMER
    _party(agreement, "ram:SellerTradeParty", data.seller, vat_number=with_numbers)
    _party(agreement, "ram:BuyerTradeParty", data.buyer,
           vat_number=with_numbers and data.buyer.business)
    delivery = _el(trade, "ram:ApplicableHeaderTradeDelivery")
    if data.delivery_dates:
        _date(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime",
              max(data.delivery_dates))

    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    if data.seller.iban and data.kind is InvoiceKind.INVOICE:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        _el(_el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID",
            data.seller.iban)
    totals = data.totals
    if data.charges_vat:
        for part in totals.breakdown:
            _tax(settlement, data, part.rate, calculated=part.vat, base=part.base)
    else:
        _tax(settlement, data, Decimal("0.00"), calculated=Decimal("0.00"),
             base=totals.total_ht)
    period = _el(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "ram:StartDateTime", data.period_start)
    _date(period, "ram:EndDateTime", data.period_end)
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    _date(terms, "ram:DueDateDateTime", data.due_date)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(sum((line.total_ht for line in data.lines),
                                                      Decimal("0.00"))))
    _el(summation, "ram:TaxBasisTotalAmount", _amount(totals.total_ht))
    _el(summation, "ram:TaxTotalAmount", _amount(totals.total_vat), currencyID="EUR")
    _el(summation, "ram:GrandTotalAmount", _amount(totals.total_ttc))
    _el(summation, "ram:DuePayableAmount", _amount(totals.amount_due))
    if data.corrected_number and data.corrected_date:
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", data.corrected_number)
        _date(reference, "ram:FormattedIssueDateTime", data.corrected_date, prefix="qdt")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                pretty_print=True))


def check_xml(xml: bytes) -> None:
    """Refuse an XML that the factur-x library's XSD check (EN 16931 profile) rejects."""
    from facturx import xml_check_xsd  # type: ignore[import-untyped]

    try:
        xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as error:
        raise FacturXError(str(error)) from error


# --- the PDF -------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def icc_profile() -> bytes:
    return ICC_PROFILE.read_bytes()


def add_output_intent(canvas: Any) -> None:
    """Give a ReportLab canvas the sRGB output intent PDF/A asks of DeviceRGB colours.

    ReportLab has no API for it: its catalog writes only the entries it knows,
    so OutputIntents is added to the list this catalog writes.
    """
    from reportlab.pdfbase.pdfdoc import (
        PDFArray,
        PDFCatalog,
        PDFDictionary,
        PDFName,
        PDFStream,
        PDFString,
    )

    document = canvas._doc
    profile = PDFStream(PDFDictionary({"N": 3}), content=icc_profile())
    intent = PDFDictionary({
        "Type": PDFName("OutputIntent"),
        "S": PDFName("GTS_PDFA1"),
        "OutputConditionIdentifier": PDFString(OUTPUT_CONDITION),
        "Info": PDFString(OUTPUT_CONDITION),
        "DestOutputProfile": document.Reference(profile),
    })
    catalog = document.Catalog
    catalog.OutputIntents = PDFArray([intent])
    catalog.__NoDefault__ = [*PDFCatalog.__NoDefault__, "OutputIntents"]


def embed_xml(pdf: bytes, xml: bytes, data: InvoiceData) -> bytes:
    """The PDF with its Factur-X XML attached, and the XMP metadata of PDF/A-3 B.

    Not `generate_from_binary`: it writes the new PDF over the old one from
    where its reader stopped, leaving the old bytes in front (a file twice as
    big with two headers); writing to a file of its own avoids it.
    """
    from facturx import generate_from_file

    title = f"{data.title} {data.number}"
    metadata = {
        "author": data.seller.name,
        "title": title,
        "subject": f"{title} — {data.seller.name} → {data.buyer.name}",
        "keywords": "Factur-X",
    }
    descriptor, name = tempfile.mkstemp(prefix="coopfood-facture-", suffix=".pdf")
    os.close(descriptor)
    try:
        generate_from_file(io.BytesIO(pdf), xml, flavor="factur-x", level="en16931",
                           check_xsd=False, pdf_metadata=metadata, lang="fr-FR",
                           output_pdf_file=name)
        return Path(name).read_bytes()
    finally:
        Path(name).unlink(missing_ok=True)
