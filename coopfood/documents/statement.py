"""Relevé de compte: a household's movements over a period, its balance, and how to pay.

Everything printed comes in `StatementData`, gathered by
`coopfood.services.statements` from the ledger (`ledger.statement_in`): the
co-op as it presents itself, the household with its payment reference, the
balance before the period, one line per entry with the balance after it,
and the closing balance said the way a volunteer says it (« Vous devez
42,10 € »). A household that owes money reads how to pay: the co-op's IBAN
and BIC, the reference to write on the transfer, and an EPC QR code (the
European Payments Council's « SCT » code, which a banking app reads to fill
the transfer in) for the amount due.

A long history runs over several pages; each page but the last ends with the
balance « à reporter », and the next one starts with it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import segno
import segno.helpers
from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    FOOTER_HEIGHT,
    LIGHT,
    LIGHTER,
    MARGIN,
    PORTRAIT,
    REGULAR,
    Sheet,
    Stamp,
    Stats,
    fit,
    money_text,
    printable,
    width,
    wrap,
)
from coopfood.documents.layout import Draw, Pager, draw_pages
from coopfood.domain.money import ZERO
from coopfood.i18n import _, format_date

PAGE_W, PAGE_H = PORTRAIT
LEFT = MARGIN
RIGHT = PAGE_W - MARGIN
TOP = PAGE_H - MARGIN
BOTTOM = MARGIN + FOOTER_HEIGHT

TEXT = 8.5
SMALL = 7.5
LINE_H = 3.8 * mm
ROW_PAD = 1.3 * mm
HEADINGS_H = 6 * mm
#: The « report » / « à reporter » rows that carry the balance from page to page.
CARRY_H = LINE_H + 2 * ROW_PAD
GAP = 4 * mm
#: A label may take two lines; past that it ends in "…" (the ledger keeps it whole).
LABEL_LINES = 2
#: The EPC QR code's side: 3 cm reads well from a phone held above the sheet.
QR_SIDE = 30 * mm
#: The EPC standard's limits: the beneficiary's name and the remittance text.
EPC_NAME_MAX = 70
EPC_TEXT_MAX = 140


@dataclass(frozen=True)
class EpcPayment:
    """What the EPC QR code asks the household's bank to transfer."""

    name: str
    iban: str
    bic: str | None
    amount: Decimal
    #: The remittance information (the household's payment reference).
    text: str

    def fields(self) -> list[str]:
        """The lines the QR code holds, as the EPC069-12 standard orders them (the
        third, the character set, is the encoding segno chooses)."""
        amount = f"EUR{self.amount:.2f}".rstrip("0").rstrip(".")
        return ["BCD", "002", "", "SCT", self.bic or "", self.name, self.iban, amount, "", "",
                self.text]

    def qr_code(self) -> segno.QRCode:
        return segno.helpers.make_epc_qr(self.name, self.iban, self.amount, text=self.text,
                                         bic=self.bic or None)


def epc_payment(*, name: str, iban: str | None, bic: str | None, amount: Decimal,
                reference: str) -> EpcPayment | None:
    """The QR code's payment, or None when there is nothing a bank could read: no IBAN,
    nothing due, or a value the standard refuses (the text instructions remain)."""
    if not iban or amount <= 0:
        return None
    payment = EpcPayment(name=" ".join(name.split())[:EPC_NAME_MAX].strip(),
                         iban="".join(iban.split()).upper(),
                         bic=("".join(bic.split()).upper() or None) if bic else None,
                         amount=amount, text=(reference.strip() or name)[:EPC_TEXT_MAX])
    try:
        payment.qr_code()
    except ValueError:
        return None
    return payment


@dataclass(frozen=True)
class StatementLine:
    day: dt.date
    label: str
    #: What the household was charged (an order, an instalment, a fee…).
    debit: Decimal | None
    #: What it paid (or was paid back a correction in its favour).
    credit: Decimal | None
    #: The balance after the line: > 0 it still owes.
    balance: Decimal


@dataclass(frozen=True)
class StatementData:
    coop_name: str
    #: Lines under the co-op's name: legal form, address, contact, SIRET…
    coop_lines: tuple[str, ...]
    coop_iban: str | None
    coop_bic: str | None
    household: str
    co_member: str
    #: The household's address, a line each.
    address_lines: tuple[str, ...]
    payment_reference: str
    point_name: str
    date_from: dt.date | None
    date_to: dt.date
    opening_balance: Decimal
    lines: tuple[StatementLine, ...]
    closing_balance: Decimal
    epc: EpcPayment | None
    printed_at: dt.datetime

    @property
    def total_debit(self) -> Decimal:
        return sum((line.debit or ZERO for line in self.lines), ZERO)

    @property
    def total_credit(self) -> Decimal:
        return sum((line.credit or ZERO for line in self.lines), ZERO)


def balance_sentence(balance: Decimal) -> str:
    """« Vous devez 42,10 € », « Votre compte est créditeur de 3,00 € », « Votre compte
    est à jour »: the closing balance as a household reads it."""
    if balance > 0:
        return _("Vous devez {amount}").format(amount=money_text(balance))
    if balance < 0:
        return _("Votre compte est créditeur de {amount}").format(amount=money_text(-balance))
    return _("Votre compte est à jour")


def balance_text(balance: Decimal) -> str:
    """The balance column: « 42,10 € dû », « 3,00 € crédit », « 0,00 € »."""
    if balance > 0:
        return _("{amount} dû").format(amount=money_text(balance))
    if balance < 0:
        return _("{amount} crédit").format(amount=money_text(-balance))
    return money_text(ZERO)


def period_text(date_from: dt.date | None, date_to: dt.date) -> str:
    if date_from is None:
        return _("Mouvements jusqu'au {end}").format(end=format_date(date_to))
    return _("Du {start} au {end}").format(start=format_date(date_from),
                                           end=format_date(date_to))


# --- drawing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Col:
    title: str
    x: float
    w: float
    right: bool


def _columns() -> list[_Col]:
    specs = [(_("Date"), 19 * mm, False), (_("Libellé"), 0.0, False),
             (_("Débit"), 22 * mm, True), (_("Crédit"), 22 * mm, True),
             (_("Solde"), 30 * mm, True)]
    gap = 2 * mm
    fixed = sum(w for _t, w, _r in specs) + gap * (len(specs) - 1) + 2 * mm
    x = LEFT + 1 * mm
    columns = []
    for title, w, right in specs:
        room = w or (RIGHT - LEFT - fixed)
        columns.append(_Col(title, x, room, right))
        x += room + gap
    return columns


COLUMNS = _columns()
LABEL_W = COLUMNS[1].w


def _cell(sheet: Sheet, column: _Col, y: float, text: str, font: str = REGULAR,
          size: float = TEXT) -> None:
    text = fit(text, font, size, column.w)
    if column.right:
        sheet.right(column.x + column.w, y, text, font, size)
    else:
        sheet.text(column.x, y, text, font, size)


def _draw_headings(sheet: Sheet, top: float) -> None:
    sheet.fill(LEFT, top - HEADINGS_H, RIGHT - LEFT, HEADINGS_H, LIGHT)
    y = top - HEADINGS_H + 2 * mm
    for column in COLUMNS:
        _cell(sheet, column, y, column.title, BOLD, SMALL)


def _label_lines(label: str) -> tuple[str, ...]:
    return wrap(printable(label), REGULAR, TEXT, LABEL_W, LABEL_LINES)


def _row_height(line: StatementLine) -> float:
    return float(len(_label_lines(line.label)) * LINE_H + 2 * ROW_PAD)


def _line_drawer(line: StatementLine) -> Draw:
    def draw(sheet: Sheet, top: float) -> None:
        y = top - ROW_PAD - LINE_H + 1.1 * mm
        _cell(sheet, COLUMNS[0], y, format_date(line.day, style="short"))
        for index, text in enumerate(_label_lines(line.label)):
            sheet.text(COLUMNS[1].x, y - index * LINE_H, text, REGULAR, TEXT)
        if line.debit is not None:
            _cell(sheet, COLUMNS[2], y, money_text(line.debit))
        if line.credit is not None:
            _cell(sheet, COLUMNS[3], y, money_text(line.credit))
        _cell(sheet, COLUMNS[4], y, balance_text(line.balance))
        sheet.hline(LEFT, RIGHT, top - _row_height(line), 0.15)
    return draw


def _carry_drawer(label: str, balance: Decimal, *, shaded: bool = True) -> Draw:
    """A row with a label and a balance only: « Solde au … », « Report », « À reporter »."""
    def draw(sheet: Sheet, top: float) -> None:
        if shaded:
            sheet.fill(LEFT, top - CARRY_H, RIGHT - LEFT, CARRY_H, LIGHTER)
        y = top - ROW_PAD - LINE_H + 1.1 * mm
        sheet.text(COLUMNS[1].x, y, fit(label, BOLD, TEXT, LABEL_W), BOLD, TEXT)
        _cell(sheet, COLUMNS[4], y, balance_text(balance), BOLD)
        sheet.hline(LEFT, RIGHT, top - CARRY_H, 0.3)
    return draw


def _totals_drawer(data: StatementData) -> Draw:
    def draw(sheet: Sheet, top: float) -> None:
        y = top - ROW_PAD - LINE_H + 1.1 * mm
        sheet.text(COLUMNS[1].x, y, _("Total de la période"), BOLD, TEXT)
        _cell(sheet, COLUMNS[2], y, money_text(data.total_debit), BOLD)
        _cell(sheet, COLUMNS[3], y, money_text(data.total_credit), BOLD)
        _cell(sheet, COLUMNS[4], y, balance_text(data.closing_balance), BOLD)
        sheet.hline(LEFT, RIGHT, top, 0.6)
        sheet.hline(LEFT, RIGHT, top - CARRY_H, 0.6)
    return draw


def _intro(data: StatementData) -> tuple[float, Draw]:
    """The first page's head: the co-op on the left, the title and the household right."""
    half = (RIGHT - LEFT) / 2 - 4 * mm
    coop_name = wrap(printable(data.coop_name), BOLD, 12, half, 2)
    coop_lines = [line for text in data.coop_lines
                  for line in wrap(printable(text), REGULAR, SMALL, half, 2)]
    box_x = LEFT + (RIGHT - LEFT) / 2 + 4 * mm
    box_w = RIGHT - box_x
    inner = box_w - 6 * mm
    who = [*wrap(printable(data.household), BOLD, 10, inner, 2)]
    if data.co_member:
        who += wrap(printable(data.co_member), REGULAR, TEXT, inner, 1)
    address = [line for text in data.address_lines
               for line in wrap(printable(text), REGULAR, TEXT, inner, 2)]
    box_h = 5 * mm + len(who) * 4.6 * mm + len(address) * LINE_H + 3 * mm
    left_h = len(coop_name) * 5 * mm + len(coop_lines) * 3.4 * mm
    title_h = 21 * mm
    height = max(left_h, title_h + box_h) + 2 * mm
    reference = [(_("Référence de paiement :"), printable(data.payment_reference))]
    if data.point_name:
        reference.append((_("Point de distribution :"), printable(data.point_name)))
    reference_h = len(reference) * 4.8 * mm + 3 * mm
    total_h = height + reference_h + 2 * mm

    def draw(sheet: Sheet, _y: float) -> None:
        y = TOP - 5 * mm
        for line in coop_name:
            sheet.text(LEFT, y, line, BOLD, 12)
            y -= 5 * mm
        sheet.grey(True)
        for line in coop_lines:
            sheet.text(LEFT, y + 1 * mm, line, REGULAR, SMALL)
            y -= 3.4 * mm
        sheet.grey(False)
        y = TOP - 6 * mm
        sheet.text(box_x, y, _("Relevé de compte"), BOLD, 16)
        y -= 6 * mm
        sheet.text(box_x, y, fit(period_text(data.date_from, data.date_to), REGULAR, 9,
                                 box_w), REGULAR, 9)
        y -= 4.5 * mm
        sheet.grey(True)
        sheet.text(box_x, y, _("Arrêté le {date}").format(date=format_date(data.date_to)),
                   REGULAR, SMALL)
        sheet.grey(False)
        top = TOP - title_h
        sheet.box(box_x, top - box_h, box_w, box_h, 0.6)
        y = top - 6 * mm
        for index, line in enumerate(who):
            sheet.text(box_x + 3 * mm, y, line, BOLD if index < len(who) - (
                1 if data.co_member else 0) else REGULAR, 10 if index == 0 else TEXT)
            y -= 4.6 * mm
        for line in address:
            sheet.text(box_x + 3 * mm, y, line, REGULAR, TEXT)
            y -= LINE_H
        y = TOP - height - 4 * mm
        label_w = float(max(width(label, REGULAR, 9) for label, _v in reference) + 2 * mm)
        for label, value in reference:
            sheet.text(LEFT, y, label, REGULAR, 9)
            sheet.text(LEFT + label_w, y, fit(value, BOLD, 10, RIGHT - LEFT - label_w), BOLD,
                       10)
            y -= 4.8 * mm

    return total_h, draw


def _payment_lines(data: StatementData) -> list[tuple[str, str]]:
    """(label, value) rows of « how to pay », for a household that owes."""
    rows = []
    if data.coop_iban:
        rows.append((_("Virement à :"), printable(data.coop_name)))
        rows.append((_("IBAN :"), _spaced_iban(data.coop_iban)))
        if data.coop_bic:
            rows.append((_("BIC :"), data.coop_bic))
        rows.append((_("Libellé du virement :"), printable(data.payment_reference)))
    return rows


def _spaced_iban(iban: str) -> str:
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i:i + 4] for i in range(0, len(compact), 4))


def _closing(data: StatementData) -> tuple[float, Draw]:
    """The balance in words, and how to pay when something is due."""
    sentence = balance_sentence(data.closing_balance)
    owes = data.closing_balance > 0
    text_w = RIGHT - LEFT - (QR_SIDE + 8 * mm if data.epc is not None else 0)
    notes: list[str] = []
    if owes:
        if data.coop_iban:
            notes += wrap(_("Merci de régler par virement en indiquant votre référence {ref} "
                            "dans le libellé : elle nous dit que le virement est le vôtre. "
                            "Vous pouvez aussi régler par chèque à l'ordre de {coop} ou à la "
                            "distribution.").format(ref=printable(data.payment_reference),
                                                    coop=printable(data.coop_name)),
                          REGULAR, TEXT, text_w - 6 * mm)
        else:
            notes += wrap(_("Merci de régler par chèque à l'ordre de {coop}, ou à la "
                            "distribution, en rappelant votre référence {ref}.").format(
                coop=printable(data.coop_name), ref=printable(data.payment_reference)),
                REGULAR, TEXT, text_w - 6 * mm)
    elif data.closing_balance < 0:
        notes += wrap(_("Cette avance sera déduite de vos prochaines commandes."), REGULAR,
                      TEXT, text_w - 6 * mm)
    else:
        notes += wrap(_("Merci !"), REGULAR, TEXT, text_w - 6 * mm)
    payment = _payment_lines(data) if owes else []
    label_w = (max(width(label, REGULAR, TEXT) for label, _v in payment) + 2 * mm
               if payment else 0.0)
    # The sentence and its date (17.5 mm), the notes, the payment rows, a margin.
    text_h = 20 * mm + len(notes) * LINE_H + (len(payment) * 4.4 * mm + 1.5 * mm
                                               if payment else 0)
    qr_h = QR_SIDE + 9 * mm if data.epc is not None else 0
    height = max(text_h, qr_h) + 4 * mm
    qr = data.epc.qr_code() if data.epc is not None else None

    def draw(sheet: Sheet, top: float) -> None:
        top -= GAP
        box_h = height - 4 * mm
        sheet.fill(LEFT, top - box_h, RIGHT - LEFT, box_h, LIGHTER)
        sheet.box(LEFT, top - box_h, RIGHT - LEFT, box_h, 0.8 if owes else 0.5)
        y = top - 8 * mm
        sheet.text(LEFT + 3 * mm, y, fit(sentence, BOLD, 14, text_w - 6 * mm), BOLD, 14)
        y -= 2.5 * mm
        sheet.grey(True)
        sheet.text(LEFT + 3 * mm, y - 2.5 * mm, _("au {date}").format(
            date=format_date(data.date_to)), REGULAR, SMALL)
        sheet.grey(False)
        y -= 7 * mm
        for line in notes:
            sheet.text(LEFT + 3 * mm, y, line, REGULAR, TEXT)
            y -= LINE_H
        y -= 1.5 * mm
        for label, value in payment:
            sheet.text(LEFT + 3 * mm, y, label, REGULAR, TEXT)
            sheet.text(LEFT + 3 * mm + label_w, y,
                       fit(value, BOLD, TEXT, text_w - label_w - 6 * mm), BOLD, TEXT)
            y -= 4.4 * mm
        if qr is not None:
            x = RIGHT - 3 * mm - QR_SIDE
            _draw_qr(sheet, qr, x, top - 3 * mm, QR_SIDE)
            sheet.grey(True)
            for index, caption in enumerate((_("Scannez avec l'application"),
                                             _("de votre banque"))):
                sheet.centre(x + QR_SIDE / 2, top - 3 * mm - QR_SIDE - 3 * mm - index * 3 * mm,
                             caption, REGULAR, 6.5)
            sheet.grey(False)

    return height, draw


def _draw_qr(sheet: Sheet, qr: segno.QRCode, x: float, top: float, side: float) -> None:
    """The code drawn as vector squares (sharp at any zoom, no image to embed), with the
    quiet zone of four modules the standard asks for."""
    matrix = [list(row) for row in qr.matrix_iter(scale=1, border=4)]
    module = side / len(matrix)
    canvas = sheet.canvas
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, top - side, side, side, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            # A run of dark modules is one rectangle, slightly overlapping the next row
            # so that no hairline shows between rows when printed.
            path.rect(x + start * module, top - (r + 1) * module - 0.05,
                      (c - start) * module, module + 0.1)
    canvas.drawPath(path, stroke=0, fill=1)


def draw_statement(data: StatementData, target: str | Path | BinaryIO) -> Stats:
    """Draw the statement as an A4 PDF into `target` (a path or a binary file)."""
    stamp = Stamp(data.coop_name, data.printed_at)
    intro_h, draw_intro = _intro(data)
    name = printable(data.household)

    def draw_title(sheet: Sheet, _y: float) -> None:
        title = _("Relevé de compte — {name} — {reference}").format(
            name=name, reference=printable(data.payment_reference))
        sheet.text(LEFT, TOP - 4 * mm, fit(title, BOLD, 10, RIGHT - LEFT), BOLD, 10)

    def draw_small_header(sheet: Sheet, y: float) -> None:
        draw_title(sheet, y)
        _draw_headings(sheet, TOP - 7 * mm)

    def draw_first_header(sheet: Sheet, y: float) -> None:
        draw_intro(sheet, y)
        _draw_headings(sheet, TOP - intro_h)

    pager = Pager(top=TOP, bottom=BOTTOM)
    pager.set_header(draw_first_header, intro_h + HEADINGS_H)
    pager.new_page()
    pager.set_header(draw_small_header, 7 * mm + HEADINGS_H)
    if data.date_from is not None:  # (from the beginning, the account opens at zero)
        pager.place(CARRY_H, _carry_drawer(_("Solde au {date}").format(
            date=format_date(data.date_from - dt.timedelta(days=1), style="short")),
            data.opening_balance))
    balance = data.opening_balance
    for index, line in enumerate(data.lines):
        height = _row_height(line)
        last = index == len(data.lines) - 1
        # Room is kept under every row but the last for the « à reporter » row.
        if not pager.fits(height + (0 if last else CARRY_H)):
            pager.place(CARRY_H, _carry_drawer(_("À reporter"), balance))
            pager.new_page()
            pager.place(CARRY_H, _carry_drawer(_("Report"), balance))
        pager.place(height, _line_drawer(line))
        balance = line.balance
    if not data.lines:
        pager.place(LINE_H + 2 * ROW_PAD, lambda sheet, top: sheet.text(
            COLUMNS[1].x, top - ROW_PAD - LINE_H + 1.1 * mm,
            _("Aucun mouvement sur la période."), REGULAR, TEXT), 0)
    pager.place(CARRY_H, _totals_drawer(data), 0)
    closing_h, draw_closing = _closing(data)
    if not pager.fits(closing_h):
        # A page of its own: no column headings over a table that has ended.
        pager.set_header(draw_title, 7 * mm)
        pager.new_page()
    pager.place(closing_h, draw_closing, 0)

    sheet = Sheet(target, title=_("Relevé de compte — {name}").format(name=name),
                  stamp=stamp, total_pages=len(pager.pages), pagesize=PORTRAIT)
    draw_pages(sheet, pager.pages)
    return sheet.save()


__all__ = [
    "EpcPayment",
    "StatementData",
    "StatementLine",
    "balance_sentence",
    "balance_text",
    "draw_statement",
    "epc_payment",
    "period_text",
]
