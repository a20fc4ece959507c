"""The printed slips: a deposit slip for the bank and a month's hand-over to a producer, read
back from their PDF: every cheque, the count, the total to the cent, names as typed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.documents.common import Stamp
from coopfood.documents.slips import (
    DepositSlip,
    HandoverSlip,
    SlipCheque,
    draw_deposit_slip,
    draw_handover_slip,
    iban_text,
)
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services import cheques as service
from coopfood.services.cheques import ChequeInput
from tests.documents.support import PRINTED_AT, pages_text
from tests.services.test_cheques import treasury_co_op

DAY = dt.date(2026, 11, 26)
STAMP = Stamp(coop_name="AMAP des Coteaux & <Amis>", printed_at=PRINTED_AT)


@pytest.fixture(autouse=True)
def fixed_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "printing_moment", lambda: PRINTED_AT)
    monkeypatch.setattr(service, "today", lambda: DAY)


def row_amount(row: str) -> Decimal:
    """The amount « 1 234,56 € » that ends a line of the table (after its month, if any)."""
    match = re.search(r"(\d{1,3}(?: \d{3})*,\d{2}) €$", row.split(" 2026 ")[-1])
    assert match is not None, row
    return Decimal(match[1].replace(" ", "").replace(",", "."))


def test_a_deposit_slip_prints_every_cheque_and_the_exact_total(
        db: Database, tmp_path: Path) -> None:
    co_op = treasury_co_op(db)
    typed = [("12,34", co_op.anna, "Crédit Agricole", ""),
             ("0,01", co_op.bruno, "La Banque Postale", "SCI <Roux> & Fils"),
             ("33,33", co_op.anna, "LCL", "")]
    ids = [service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount=amount, number=f"00{index}1234", bank=bank, drawer=drawer, member_id=member,
        planned_month="2026-12"), received_on=DAY).id
        for index, (amount, member, bank, drawer) in enumerate(typed)]
    slip = service.deposit_cheques(db=db, actor=LOCAL_ADMIN, cheque_ids=ids)
    path = service.write_remittance_pdf_in(db=db, actor=LOCAL_ADMIN,
                                           remittance_id=slip.row.id, out_dir=tmp_path / "out")
    assert path == tmp_path / "out" / "REM-2026-0001.pdf"
    [text] = pages_text(path)
    lines = text.splitlines()
    assert lines[:2] == ["Bordereau de remise de chèques", "N° REM-2026-0001"]
    assert "Date de remise : 26 novembre 2026" in lines
    assert "Titulaire du compte : AMAP des Coteaux & <Amis>" in lines
    assert "IBAN : FR76 3000 6000 0112 3456 7890 189" in lines
    assert "BIC : AGRIFRPP" in lines
    assert "N° Chèque n° Banque Tireur Foyer Contrat Mois Montant" in lines
    # By household, names as typed (cut to their column), the month, the amount.
    assert "1 0001234 Crédit Agricole ÉLUARD Anna &… ÉLUARD Anna &… déc. 2026 12,34 €" in lines
    assert "2 0021234 LCL ÉLUARD Anna &… ÉLUARD Anna &… déc. 2026 33,33 €" in lines
    assert "3 0011234 La Banque Postale SCI <Roux> & Fils ROUX Bruno déc. 2026 0,01 €" in lines
    assert "Total : 3 chèques 45,68 €" in lines
    assert "Nombre de chèques : 3 — Montant total : 45,68 €" in lines
    assert "Signature du déposant" in lines
    assert "Page 1 / 1" in text and "AMAP des Coteaux & <Amis>" in lines[-1]
    rows = [line for line in lines if re.match(r"\d+ \d{7} ", line)]
    assert len(rows) == 3
    row_amounts = [row_amount(row) for row in rows]
    assert sum(row_amounts) == slip.row.total == Decimal("45.68")


def test_a_long_slip_repeats_its_headings_and_ends_with_its_total(tmp_path: Path) -> None:
    cheques = tuple(SlipCheque(number=f"{1000000 + i}", bank="CIC", drawer=f"Foyer {i}",
                               household=f"FOYER {i}", contract="", month="2026-12",
                               amount=Decimal(f"{i}.{i % 100:02d}"))
                    for i in range(1, 121))
    total = sum((c.amount for c in cheques), Decimal("0.00"))
    slip = DepositSlip(number="REM-2026-0007", date=DAY, holder="AMAP", holder_address=(),
                       iban="FR7630006000011234567890189", bic="", cheques=cheques, total=total)
    path = tmp_path / "long.pdf"
    stats = draw_deposit_slip(slip, path, STAMP)
    pages = pages_text(path)
    assert stats.pages == len(pages) == 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / 3" in page
        assert "N° Chèque n° Banque Tireur Foyer Contrat Mois Montant" in page
    assert "(suite)" in pages[1] and "BIC" not in pages[0]
    rows = [line for page in pages for line in page.splitlines()
            if re.match(r"\d+ \d{7} ", line)]
    assert [int(row.split()[0]) for row in rows] == list(range(1, 121))
    assert sum(row_amount(row) for row in rows) == total
    # The last lines go with the total and the signature: never a signature alone.
    assert "Total : 120 chèques" in pages[-1] and "Signature du déposant" in pages[-1]
    assert len([row for row in rows if row in pages[-1]]) >= 3


def test_a_hand_over_slip_for_a_producer(db: Database, tmp_path: Path) -> None:
    co_op = treasury_co_op(db)
    created = service.create_contract_cheques(db=db, actor=LOCAL_ADMIN,
                                              contract_id=co_op.contract, bank="LCL",
                                              first_number="0001230")
    for row in created:
        service.receive_cheque(db=db, actor=LOCAL_ADMIN, cheque_id=row.id)
    handed = service.hand_over_cheques(db=db, actor=LOCAL_ADMIN, producer_id=co_op.farm,
                                       month="2026-05")
    path = service.write_remittance_pdf(db=db, actor=LOCAL_ADMIN, remittance_id=handed.row.id,
                                        path=tmp_path / "remise.pdf")
    [text] = pages_text(path)
    lines = text.splitlines()
    assert lines[:2] == ["Remise de chèques au producteur", "N° RP-2026-0001"]
    assert "Producteur : Ferme des Combes & <Fils>" in lines
    assert "Chèques du mois : mai 2026" in lines
    assert "Remis par : AMAP des Coteaux & <Amis>" in lines
    assert "N° Chèque n° Banque Tireur Foyer Contrat Montant" in lines
    assert "1 0001231 LCL ÉLUARD Anna &… ÉLUARD Anna &… Panier légumes — petit 109,72 €" \
        in lines
    assert "Total : 1 chèque 109,72 €" in lines
    assert "Je reconnais avoir reçu le chèque ci-dessus, d'un montant de 109,72 €, à l'ordre " \
           "de Ferme des Combes & <Fils>." in lines
    assert "Reçu par" in lines


def test_a_hand_over_of_several_cheques_says_so(tmp_path: Path) -> None:
    cheques = tuple(SlipCheque(number=str(n), bank="", drawer="", household="H", contract="C",
                               month="2027-03", amount=Decimal("10.00")) for n in range(2))
    draw_handover_slip(HandoverSlip(number="RP-2027-0001", date=DAY, coop_name="Co-op",
                                    producer="Ferme", month="2027-03", cheques=cheques,
                                    total=Decimal("20.00")), tmp_path / "h.pdf", STAMP)
    [text] = pages_text(tmp_path / "h.pdf")
    assert "Chèques du mois : mars 2027" in text
    assert "Je reconnais avoir reçu les 2 chèques ci-dessus, d'un montant total de 20,00 €" in text


def test_an_iban_reads_in_groups_of_four() -> None:
    assert iban_text("fr76 30006000011234567890189") == "FR76 3000 6000 0112 3456 7890 189"
