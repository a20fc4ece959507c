"""The SEPA credit transfer file (pain.001.001.03): what the bank reads in it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources

import pytest
from lxml import etree

from coopfood.banking.sepa import (
    CreditTransfer,
    Debtor,
    SepaError,
    build_transfer_file,
    invoice_remittance,
    invoices_remittance,
    is_business_day,
    message_id,
    next_business_day,
    read_transfer_file,
)

D = Decimal
MOMENT = dt.datetime(2026, 12, 1, 8, 30, tzinfo=dt.UTC)
DEBTOR = Debtor(name="AMAP Les Paniers du Plateau", iban="FR7642559100007650657286180",
                bic="CCOPFRPPXXX")
BREWERY = CreditTransfer(
    end_to_end_id="BRASSERIEPLATEAU-2026-0001", amount=D("405.08"),
    creditor_name="Brasserie du Plateau", creditor_iban="FR7630002007219169086025810",
    creditor_bic="CRLYFRPPXXX", remittance="Facture BRASSERIEPLATEAU-2026-0001 du 30/11/2026")
ORCHARD = CreditTransfer(
    end_to_end_id="COOP-2026-0002", amount=D("0.05"),
    creditor_name="Vergers & <Fils> Chèvrerie", creditor_iban="FR7630004008193208621897405",
    creditor_bic=None, remittance="Facture COOP-2026-0002 du 30/11/2026")


def _file(*transfers: CreditTransfer, execution: dt.date = dt.date(2026, 12, 2)) -> bytes:
    return build_transfer_file(debtor=DEBTOR, transfers=transfers or (BREWERY, ORCHARD),
                               execution_date=execution,
                               message_id=message_id(MOMENT, 7), created_at=MOMENT)


def _official_schema() -> etree.XMLSchema:
    source = resources.files("sepaxml").joinpath("schemas", "pain.001.001.03.xsd")
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path)))


def test_the_file_validates_against_the_pain_001_001_03_schema() -> None:
    xml = _file()
    document = etree.fromstring(xml)
    schema = _official_schema()
    assert schema.validate(document), schema.error_log
    assert document.tag == "{urn:iso:std:iso:20022:tech:xsd:pain.001.001.03}Document"
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_amounts_ibans_and_end_to_end_ids_read_back() -> None:
    read = read_transfer_file(_file())
    assert read.message_id == "COOPFOOD-20261201-083000-0007"
    assert read.execution_date == dt.date(2026, 12, 2)
    assert (read.debtor_name, read.debtor_iban) == (DEBTOR.name, DEBTOR.iban)
    assert read.count == 2 and read.control_sum == D("405.13")
    brewery, orchard = read.transfers
    assert (brewery.end_to_end_id, brewery.amount, brewery.creditor_iban,
            brewery.creditor_bic) == ("BRASSERIEPLATEAU-2026-0001", D("405.08"),
                                      "FR7630002007219169086025810", "CRLYFRPPXXX")
    assert brewery.remittance == "Facture BRASSERIEPLATEAU-2026-0001 du 30/11/2026"
    # IBAN only: the BIC is optional within SEPA and written only when known.
    assert (orchard.end_to_end_id, orchard.amount, orchard.creditor_bic) == (
        "COOP-2026-0002", D("0.05"), None)


def test_a_name_with_ampersand_and_angle_brackets_is_escaped_and_reads_as_typed() -> None:
    xml = _file()
    assert b"Vergers &amp; &lt;Fils&gt; Chevrerie" in xml
    assert b"<Fils>" not in xml
    # Accents are written in the Latin letters banks read.
    assert read_transfer_file(xml).transfers[1].creditor_name == "Vergers & <Fils> Chevrerie"


def test_one_debit_for_the_whole_file() -> None:
    root = etree.fromstring(_file())
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    blocks = root.findall("p:CstmrCdtTrfInitn/p:PmtInf", ns)
    assert len(blocks) == 1
    assert blocks[0].findtext("p:BtchBookg", namespaces=ns) == "true"
    assert blocks[0].findtext("p:PmtTpInf/p:SvcLvl/p:Cd", namespaces=ns) == "SEPA"
    assert blocks[0].findtext("p:DbtrAgt/p:FinInstnId/p:BIC", namespaces=ns) == "CCOPFRPPXXX"


def test_the_same_input_gives_the_same_file() -> None:
    assert _file() == _file()


@pytest.mark.parametrize(("transfer", "message"), [
    (CreditTransfer("A-1", D("0"), "X", "FR7630004008193208621897405", None, "t"),
     "Montant invalide"),
    (CreditTransfer("A-1", D("1.001"), "X", "FR7630004008193208621897405", None, "t"),
     "Montant invalide"),
    (CreditTransfer("A" * 36, D("1"), "X", "FR7630004008193208621897405", None, "t"),
     "35 caractères"),
    (CreditTransfer("/A-1", D("1"), "X", "FR7630004008193208621897405", None, "t"),
     "35 caractères"),
    (CreditTransfer("A-1", D("1"), "🍅🥕", "FR7630004008193208621897405", None, "t"),
     "caractères latins"),
])
def test_a_transfer_the_bank_would_refuse_is_refused_in_french(
        transfer: CreditTransfer, message: str) -> None:
    with pytest.raises(SepaError, match=message):
        _file(transfer)


def test_two_transfers_with_one_reference_are_refused() -> None:
    with pytest.raises(SepaError, match="deux virements"):
        _file(BREWERY, BREWERY)


def test_an_invalid_iban_fails_the_schema_check_in_french() -> None:
    wrong = CreditTransfer("A-1", D("1"), "X", "not an iban", None, "t")
    with pytest.raises(SepaError, match=r"schéma pain\.001\.001\.03"):
        _file(wrong)


def test_remittance_texts_stay_within_140_characters() -> None:
    assert invoice_remittance("COOP-2026-0004", dt.date(2026, 11, 30), partial=True) == (
        "Facture COOP-2026-0004 du 30/11/2026 (paiement partiel)")
    numbers = [f"GAECDUPRE-2026-{n:04d}" for n in range(1, 12)]
    text = invoices_remittance(numbers)
    assert len(text) <= 140 and text.startswith("Factures GAECDUPRE-2026-0001, ")
    assert text.endswith("...")
    assert invoices_remittance(numbers[:2]) == (
        "Factures GAECDUPRE-2026-0001, GAECDUPRE-2026-0002")


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2026, 12, 1), dt.date(2026, 12, 2)),    # Tuesday → Wednesday
    (dt.date(2026, 11, 27), dt.date(2026, 11, 30)),  # Friday → Monday
    (dt.date(2026, 12, 24), dt.date(2026, 12, 28)),  # Christmas, 26th, Sunday
    (dt.date(2026, 12, 31), dt.date(2027, 1, 4)),    # New Year's Day, weekend
    (dt.date(2027, 3, 25), dt.date(2027, 3, 30)),    # Good Friday, Easter Monday 2027
    (dt.date(2027, 4, 30), dt.date(2027, 5, 3)),     # 1 May on a Saturday
])
def test_the_default_execution_date_is_the_next_business_day(
        day: dt.date, expected: dt.date) -> None:
    assert next_business_day(day) == expected
    assert is_business_day(expected)
