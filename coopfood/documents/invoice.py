"""Facture producteur and avoir: the PDF, drawn from plain data gathered by the service.

Everything printed comes in `InvoiceData`: the parties as they were on the
day of issue, the lines at their snapshot price, the totals (VAT once per rate,
see `coopfood.domain.invoicing`) and the legal mentions, worded by the
co-op's settings. What the producer's VAT regime allows decides what is shown:
VAT per rate and the seller's VAT number under the normal regime, no VAT at
all under the franchise or the flat-rate farmer scheme.

`render_invoice` makes the issued document: the PDF with its Factur-X XML
embedded (`coopfood.documents.facturx`). A draft is drawn by `draw_invoice`
with `draft=True`: watermarked « BROUILLON — ne vaut pas facture », no
number, no XML.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    FOOTER_HEIGHT,
    GREY,
    LIGHT,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    fit,
    money_text,
    printable,
    quantity_text,
    width,
    wrap,
)
from coopfood.documents.layout import Draw, Pager, draw_pages
from coopfood.domain.enums import Unit
from coopfood.domain.invoicing import InvoiceKind, Totals
from coopfood.domain.vat import VatRegime, charges_vat
from coopfood.i18n import _, format_date, format_number

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT
MIDDLE = LEFT + (RIGHT - LEFT) * 0.52

WATERMARK = "BROUILLON — ne vaut pas facture"
TYPE_INVOICE = "380"
TYPE_CREDIT_NOTE = "381"
TYPE_SELF_BILLED = "389"


@dataclass(frozen=True)
class Party:
    """A seller or a buyer as printed (and kept with the invoice)."""

    name: str
    legal_form: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    iban: str | None = None
    bic: str | None = None
    #: A household buying for itself is no business: no late-penalty mentions.
    business: bool = True

    def as_json(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in self.__dataclass_fields__}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Party:
        def text(key: str) -> str:
            return str(data.get(key) or "")

        def optional(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(name=text("name"), legal_form=text("legal_form"), address=text("address"),
                   postal_code=text("postal_code"), city=text("city"), siren=optional("siren"),
                   siret=optional("siret"), vat_number=optional("vat_number"),
                   iban=optional("iban"), bic=optional("bic"),
                   business=bool(data.get("business", True)))


@dataclass(frozen=True)
class InvoiceLineData:
    position: int
    designation: str
    quantity: Decimal
    unit: Unit
    unit_price_ht: Decimal
    #: The rate applied (0 when the producer charges no VAT).
    vat_rate: Decimal
    total_ht: Decimal
    delivery_date: dt.date


@dataclass(frozen=True)
class Mention:
    """A legal or payment mention: its text, and its UNTDID 4451 subject in the XML."""

    text: str
    subject: str = "REG"


@dataclass(frozen=True)
class InvoiceData:
    kind: InvoiceKind
    #: None for a draft.
    number: str | None
    type_code: str
    issue_date: dt.date
    due_date: dt.date
    period_start: dt.date
    period_end: dt.date
    delivery_dates: tuple[dt.date, ...]
    seller: Party
    buyer: Party
    #: The co-op: it issues the document (its name in every footer).
    coop_name: str
    self_billed: bool
    vat_regime: VatRegime
    lines: tuple[InvoiceLineData, ...]
    totals: Totals
    #: Printed under the parties (who issues the document, on whose behalf).
    issuer_mentions: tuple[Mention, ...] = ()
    #: Printed after the totals: VAT regime, payment terms, penalties.
    mentions: tuple[Mention, ...] = ()
    #: Why VAT is not charged (franchise, flat-rate farmer), for the XML.
    exemption_reason: str | None = None
    #: The billing mandate a self-billed invoice is issued under.
    mandate_date: dt.date | None = None
    corrected_number: str | None = None
    corrected_date: dt.date | None = None
    reason: str = ""
    printed_at: dt.datetime = field(default_factory=lambda: dt.datetime(2000, 1, 1))

    @property
    def charges_vat(self) -> bool:
        return charges_vat(self.vat_regime)

    @property
    def title(self) -> str:
        return self.kind.label

    def with_number(self, number: str, printed_at: dt.datetime) -> InvoiceData:
        return replace(self, number=number, printed_at=printed_at)


# --- drawing -----------------------------------------------------------------------------------

SMALL = 7.5
TEXT = 8.5
LINE_H = 3.8 * mm
ROW_PAD = 1.2 * mm
HEADINGS_H = 6 * mm
GAP = 3 * mm


@dataclass(frozen=True)
class _Col:
    title: str
    x: float
    w: float
    right: bool = True


def _columns(with_vat: bool) -> list[_Col]:
    """The table's columns; without VAT the designation takes the rate's room."""
    widths = [("n", 8 * mm, False), ("designation", 0.0, False), ("date", 19 * mm, False),
              ("qty", 25 * mm, True), ("price", 22 * mm, True)]
    if with_vat:
        widths.append(("vat", 13 * mm, True))
    widths.append(("total", 24 * mm, True))
    fixed = sum(w for _k, w, _r in widths) + (len(widths) - 1) * 2 * mm
    titles = {
        "n": _("N°"), "designation": _("Désignation"), "date": _("Livré le"),
        "qty": _("Quantité"), "price": _("PU HT") if with_vat else _("Prix unitaire"),
        "vat": _("TVA"), "total": _("Total HT") if with_vat else _("Montant"),
    }
    columns = []
    x = LEFT
    for key, w, right in widths:
        room = w or (RIGHT - LEFT - fixed)
        columns.append(_Col(titles[key], x, room, right))
        x += room + 2 * mm
    return columns


def rate_text(rate: Decimal) -> str:
    """« 5,5 % »"""
    return f"{format_number(rate)}\u00a0%"


def _party_lines(party: Party, *, show_vat_number: bool) -> list[tuple[str, str]]:
    """(font, text) lines of a party block, the name first."""
    lines = [(BOLD, printable(party.name))]
    if party.legal_form:
        lines.append((REGULAR, printable(party.legal_form)))
    if party.address:
        lines.append((REGULAR, printable(party.address)))
    town = " ".join(p for p in (party.postal_code, party.city) if p)
    if town:
        lines.append((REGULAR, printable(town)))
    if party.siret:
        lines.append((REGULAR, _("SIRET : {siret}").format(siret=party.siret)))
    elif party.siren:
        lines.append((REGULAR, _("SIREN : {siren}").format(siren=party.siren)))
    if show_vat_number and party.vat_number:
        lines.append((REGULAR, _("N° TVA intracommunautaire : {number}").format(
            number=party.vat_number)))
    return lines


def _wrapped(texts: Sequence[str], font: str, size: float, room: float) -> list[str]:
    out: list[str] = []
    for text in texts:
        out.extend(wrap(printable(text), font, size, room))
    return out


def _heading_lines(data: InvoiceData, draft: bool) -> list[tuple[str, float, str]]:
    """(font, size, text) of the title block at the top right."""
    title = data.title.upper()
    if draft:
        title = _("{title} (brouillon)").format(title=title)
    lines = [(BOLD, 16.0, title)]
    number = data.number or _("sans numéro (non émise)")
    lines.append((BOLD, 10.5, _("N° {number}").format(number=number)))
    lines.append((REGULAR, 9.0, _("Date d'émission : {date}").format(
        date=format_date(data.issue_date))))
    if data.kind is InvoiceKind.INVOICE:
        lines.append((REGULAR, 9.0, _("Période : du {start} au {end}").format(
            start=format_date(data.period_start, style="short"),
            end=format_date(data.period_end, style="short"))))
    if data.kind is InvoiceKind.INVOICE:
        lines.append((REGULAR, 9.0, _("Échéance : {date}").format(
            date=format_date(data.due_date))))
    return lines


def _parties_block(data: InvoiceData, draft: bool) -> tuple[float, Draw]:
    seller = _party_lines(data.seller, show_vat_number=data.charges_vat)
    buyer = _party_lines(data.buyer, show_vat_number=data.buyer.business and data.charges_vat)
    heading = _heading_lines(data, draft)
    room = RIGHT - LEFT
    issuer = _wrapped([m.text for m in data.issuer_mentions], REGULAR, TEXT, room)
    correction: list[str] = []
    if data.kind is InvoiceKind.CREDIT_NOTE and data.corrected_number:
        assert data.corrected_date is not None
        correction = _wrapped([_("Avoir sur la facture n° {number} du {date}").format(
            number=data.corrected_number, date=format_date(data.corrected_date))],
            BOLD, 9.5, room)
        if data.reason:
            correction += _wrapped([_("Motif : {reason}").format(reason=data.reason)],
                                   REGULAR, 9.5, room)
    line = 4.2 * mm
    seller_h = 4 * mm + len(seller) * line
    heading_h = sum(size * 0.45 * mm for _f, size, _t in heading) + len(heading) * 1.6 * mm
    top_h = max(seller_h, heading_h) + GAP
    buyer_h = 4 * mm + len(buyer) * line
    height = (top_h + buyer_h + GAP + len(issuer) * LINE_H + len(correction) * 4.6 * mm
              + GAP)

    def draw(sheet: Sheet, y: float) -> None:
        # The seller, top left; the title block, top right.
        sheet.grey(True)
        sheet.text(LEFT, y - 3 * mm, _("Vendeur"), REGULAR, SMALL)
        sheet.grey(False)
        yy = y - 3 * mm
        for font, text in seller:
            yy -= line
            sheet.text(LEFT, yy, fit(text, font, 9, MIDDLE - LEFT - 4 * mm), font,
                       10 if font == BOLD else 9)
        yy = y
        for font, size, text in heading:
            yy -= size * 0.45 * mm + 1.6 * mm
            sheet.right(RIGHT, yy, fit(printable(text), font, size, RIGHT - MIDDLE), font, size)
        # The buyer, in a box on the right.
        by = y - top_h
        sheet.canvas.setStrokeColorRGB(*GREY)
        sheet.box(MIDDLE, by - buyer_h, RIGHT - MIDDLE, buyer_h, 0.5)
        sheet.canvas.setStrokeColorRGB(0, 0, 0)
        sheet.grey(True)
        label = _("Facturé à") if data.kind is InvoiceKind.INVOICE else _("Client")
        sheet.text(MIDDLE + 2 * mm, by - 3.5 * mm, label, REGULAR, SMALL)
        sheet.grey(False)
        yy = by - 3.5 * mm
        for font, text in buyer:
            yy -= line
            sheet.text(MIDDLE + 2 * mm, yy, fit(text, font, 9, RIGHT - MIDDLE - 4 * mm), font,
                       10 if font == BOLD else 9)
        yy = by - buyer_h - GAP
        for text in issuer:
            yy -= LINE_H
            sheet.text(LEFT, yy, text, REGULAR, TEXT)
        for index, text in enumerate(correction):
            yy -= 4.6 * mm
            sheet.text(LEFT, yy, text, BOLD if index == 0 else REGULAR, 9.5)

    return height, draw


def _draw_headings(columns: list[_Col]) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        sheet.fill(LEFT - 1 * mm, y - HEADINGS_H, RIGHT - LEFT + 2 * mm, HEADINGS_H, LIGHT)
        for column in columns:
            title = fit(column.title, BOLD, SMALL, column.w)
            if column.right:
                sheet.right(column.x + column.w, y - HEADINGS_H + 2 * mm, title, BOLD, SMALL)
            else:
                sheet.text(column.x, y - HEADINGS_H + 2 * mm, title, BOLD, SMALL)
    return draw


def _line_row(line: InvoiceLineData, columns: list[_Col], with_vat: bool
              ) -> tuple[float, Draw]:
    designation = wrap(printable(line.designation), REGULAR, TEXT, columns[1].w, 3)
    cells = [str(line.position), "", format_date(line.delivery_date, style="short"),
             quantity_text(line.quantity, line.unit), money_text(line.unit_price_ht)]
    if with_vat:
        cells.append(rate_text(line.vat_rate))
    cells.append(money_text(line.total_ht))
    height = len(designation) * LINE_H + ROW_PAD

    def draw(sheet: Sheet, y: float) -> None:
        base = y - LINE_H + 0.6 * mm
        for column, cell in zip(columns, cells, strict=True):
            if not cell:
                continue
            text = fit(cell, REGULAR, TEXT, column.w)
            if column.right:
                sheet.right(column.x + column.w, base, text, REGULAR, TEXT)
            else:
                sheet.text(column.x, base, text, REGULAR, TEXT)
        for index, text in enumerate(designation):
            sheet.text(columns[1].x, base - index * LINE_H, text, REGULAR, TEXT)
        sheet.canvas.setStrokeColorRGB(*GREY)
        sheet.hline(LEFT - 1 * mm, RIGHT + 1 * mm, y - height, 0.15)
        sheet.canvas.setStrokeColorRGB(0, 0, 0)

    return height, draw


def total_rows(data: InvoiceData) -> list[tuple[str, Decimal, bool]]:
    """(label, amount, bold) of the totals block, as printed."""
    totals = data.totals
    due = (_("Montant de l'avoir") if data.kind is InvoiceKind.CREDIT_NOTE
           else _("Net à payer"))
    if not data.charges_vat:
        return [(_("Total"), totals.total_ht, False), (due, totals.amount_due, True)]
    rows = [(_("Total HT"), totals.total_ht, False)]
    for part in totals.breakdown:
        rows.append((_("TVA {rate} sur {base}").format(
            rate=rate_text(part.rate), base=money_text(part.base)), part.vat, False))
    rows.append((_("Total TVA"), totals.total_vat, False))
    rows.append((_("Total TTC"), totals.total_ttc, False))
    rows.append((due, totals.amount_due, True))
    return rows


def _totals_block(data: InvoiceData) -> tuple[float, Draw]:
    rows = total_rows(data)
    row_h = 5 * mm
    height = GAP + len(rows) * row_h + 2 * mm
    left = RIGHT - 82 * mm

    def draw(sheet: Sheet, y: float) -> None:
        yy = y - GAP
        for label, amount, bold in rows:
            font = BOLD if bold else REGULAR
            size = 10 if bold else 9
            if bold:
                sheet.fill(left - 1 * mm, yy - row_h + 0.5 * mm, RIGHT - left + 2 * mm,
                           row_h, LIGHT)
            sheet.text(left, yy - row_h + 1.8 * mm, fit(label, font, size, 52 * mm), font, size)
            sheet.right(RIGHT, yy - row_h + 1.8 * mm, money_text(amount), font, size)
            yy -= row_h

    return height, draw


def _paragraph(texts: list[str], size: float = TEXT) -> tuple[float, Draw]:
    height = len(texts) * (size * 0.45 * mm) + 1.5 * mm

    def draw(sheet: Sheet, y: float) -> None:
        yy = y
        for text in texts:
            yy -= size * 0.45 * mm
            sheet.text(LEFT, yy, text, REGULAR, size)

    return height, draw


def _watermark(sheet: Sheet) -> None:
    c = sheet.canvas
    c.saveState()
    c.setFillColorRGB(0.8, 0.8, 0.8)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(40)
    size = 30.0
    c.setFont(BOLD, size)
    c.drawCentredString(0, 0, WATERMARK)
    c.restoreState()


def _with_watermark(header: Draw | None) -> Draw:
    def draw(sheet: Sheet, y: float) -> None:
        _watermark(sheet)
        if header is not None:
            header(sheet, y)
    return draw


def draw_invoice(data: InvoiceData, *, draft: bool = False) -> bytes:
    """The PDF of an invoice or a credit note (a draft has a watermark and no number)."""
    with_vat = data.charges_vat
    columns = _columns(with_vat)
    pager = Pager(top=TOP, bottom=BOTTOM)
    parties_h, parties = _parties_block(data, draft)
    pager.new_page()
    pager.place(parties_h, parties, 0)
    headings = _draw_headings(columns)
    pager.place(HEADINGS_H, headings, 0)
    number = data.number or _("brouillon")
    continued = _("{title} n° {number} (suite)").format(title=data.title, number=number)

    def continuation(sheet: Sheet, y: float) -> None:
        sheet.text(LEFT, TOP - 4 * mm, printable(continued), BOLD, 9)
        headings(sheet, TOP - 7 * mm)

    pager.set_header(continuation, 7 * mm + HEADINGS_H)
    for line in data.lines:
        height, draw = _line_row(line, columns, with_vat)
        pager.place(height, draw)
    pager.set_header(lambda sheet, y: sheet.text(LEFT, TOP - 4 * mm, printable(continued),
                                                 BOLD, 9), 7 * mm)
    height, draw = _totals_block(data)
    pager.place(height, draw, 0)
    pager.skip(GAP)
    for mention in data.mentions:
        height, draw = _paragraph(_wrapped([mention.text], REGULAR, TEXT, RIGHT - LEFT))
        pager.place(height, draw, 0)
    if draft:
        for page in pager.pages:
            page.header = _with_watermark(page.header)
    buffer = io.BytesIO()
    title = f"{data.title} {data.number}" if data.number else f"{data.title} ({WATERMARK})"
    sheet = Sheet(buffer, title=title, stamp=Stamp(data.coop_name, data.printed_at),
                  total_pages=len(pager.pages))
    if not draft:
        from coopfood.documents.facturx import add_output_intent

        add_output_intent(sheet.canvas)
    draw_pages(sheet, pager.pages)
    sheet.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class RenderedInvoice:
    pdf: bytes
    xml: bytes


def render_invoice(data: InvoiceData) -> RenderedInvoice:
    """The issued document: the PDF drawn, with its Factur-X XML checked and embedded."""
    from coopfood.documents import facturx

    assert data.number is not None, "an issued invoice has a number"
    pdf = draw_invoice(data)
    xml = facturx.invoice_xml(data)
    facturx.check_xml(xml)
    return RenderedInvoice(pdf=facturx.embed_xml(pdf, xml, data), xml=xml)


def text_width(text: str, size: float = TEXT) -> float:
    return width(text, REGULAR, size)
