"""The matching rules and scores, on plain facts: coopfood.banking.matching."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coopfood.banking.matching import (
    Batch,
    BatchTransfer,
    Facts,
    Household,
    Invoice,
    LineFacts,
    ReferenceIndex,
    Remittance,
    TargetKind,
    TransferPayment,
    automatic_matches,
    name_similarity,
    reference_key,
    suggestions,
    words,
)

D = Decimal
DAY = dt.date(2026, 11, 30)


def line(line_id: int, amount: str, label: str, *, day: dt.date = DAY,
         remaining: str | None = None, name: str | None = None,
         iban: str | None = None) -> LineFacts:
    return LineFacts(line_id=line_id, booking_date=day, amount=D(amount),
                     remaining=D(remaining if remaining is not None else amount), label=label,
                     counterparty_name=name, counterparty_iban=iban)


def household(member_id: int, last: str, first: str, reference: str, *, balance: str = "0.00",
              dues: tuple[tuple[dt.date, Decimal, str], ...] = ()) -> Household:
    return Household(member_id=member_id, name=f"{last.upper()} {first}", last_name=last,
                     first_name=first, reference=reference, balance=D(balance), dues=dues)


HOUSEHOLDS = (
    household(7, "Lefebvre", "Camille", "ADH-0007", balance="64.00"),
    household(12, "Dupont", "Marie", "ADH-0012", balance="37.85",
              dues=((dt.date(2026, 11, 26), D("37.85"), "commande"),)),
    household(13, "Martin-Nguyen", "Zoé", "ADH-0013"),
    household(70, "Lefèvre", "Noël", "ADH-0070"),
)


@pytest.mark.parametrize(("reference", "key"), [
    ("ADH-0007", ("ADH", 7)), ("adh 7", ("ADH", 7)), ("ADH0007", ("ADH", 7)),
    ("Adh-007", ("ADH", 7)), ("ADH0000", ("ADH", 0)), ("DUPONT", None), ("", None),
])
def test_a_reference_is_read_whatever_its_spacing_and_case(
        reference: str, key: tuple[str, int] | None) -> None:
    assert reference_key(reference) == key


@pytest.mark.parametrize(("text", "found"), [
    ("VIREMENT MME LEFEBVRE PANIERS NOVEMBRE REF ADH-0007", {7: "ADH 0007"}),
    ("vir adh 7 merci", {7: "ADH 7"}),
    ("REF:ADH0007", {7: "ADH0007"}),
    ("ADH-0007 et adh-12", {7: "ADH 0007", 12: "ADH 12"}),
    ("CHADH 7", {}),  # another word ending in ADH
    ("ADH-00070", {70: "ADH 00070"}),
    ("ADH 71", {}),  # nobody has 71
    ("PAIEMENT 2026-11 LEFEBVRE", {}),
])
def test_references_are_found_in_a_label(text: str, found: dict[int, str]) -> None:
    index = ReferenceIndex([(7, "ADH-0007"), (12, "ADH-0012"), (70, "ADH-0070")])
    assert index.find(text) == found


def test_a_reference_of_another_shape_is_found_as_a_whole_word() -> None:
    index = ReferenceIndex([(3, "FOYER-DUPONT")])
    assert index.find("VIR foyer dupont") == {3: "FOYER DUPONT"}
    assert index.find("VIR FOYERDUPONT") == {}


def test_name_similarity_ignores_accents_case_and_bank_words() -> None:
    text = set(words("VIR SEPA MME LEFEBVRE CAMILLE"))
    assert name_similarity(text, "Lefebvre") == 1.0
    assert 0.8 < name_similarity(text, "Lefèvre") < 1.0  # a near spelling counts its likeness
    assert name_similarity(text, "Dupont") == 0.0
    assert name_similarity(set(words("M OU MME MARTIN-NGUYEN")), "Martin-Nguyen") == 1.0


# --- automatic matches ----------------------------------------------------------------------------


def test_a_credit_naming_one_household_is_its_payment_whatever_the_amount() -> None:
    facts = Facts(households=HOUSEHOLDS)
    decided = automatic_matches([line(1, "64.00", "VIR LEFEBVRE REF ADH-0007"),
                                 line(2, "10.00", "VIR adh 12 et adh 13"),
                                 line(3, "99.99", "virement adh 12")], facts)
    assert [(p.line_id, p.kind, p.target_id, p.amount, p.reasons) for p in decided] == [
        (1, TargetKind.HOUSEHOLD, 7, D("64.00"), ("référence ADH-0007",)),
        (3, TargetKind.HOUSEHOLD, 12, D("99.99"), ("référence ADH-0012",)),
    ]


def test_a_transfer_keyed_in_by_hand_is_preferred_to_a_new_payment() -> None:
    facts = Facts(households=HOUSEHOLDS, transfers=[
        TransferPayment(entry_id=501, member_id=7, amount=D("64.00"),
                        entry_date=dt.date(2026, 11, 27)),
        TransferPayment(entry_id=502, member_id=7, amount=D("64.00"),
                        entry_date=dt.date(2026, 9, 1))])  # too old
    decided = automatic_matches([line(1, "64.00", "ADH-0007"), line(2, "64.00", "ADH-0007")],
                                facts)
    assert [(p.kind, p.target_id, p.entry_id) for p in decided] == [
        (TargetKind.ENTRY, 501, 501), (TargetKind.HOUSEHOLD, 7, None)]


def test_a_deposit_slip_is_matched_by_its_total_within_fifteen_days() -> None:
    slips = [Remittance(1, "REM-1", dt.date(2026, 11, 10), D("192.00")),
             Remittance(2, "REM-2", dt.date(2026, 11, 20), D("192.00")),
             Remittance(3, "REM-3", dt.date(2026, 11, 1), D("310.00"))]
    decided = automatic_matches([
        line(1, "192.00", "REMISE DE 4 CHEQUES", day=dt.date(2026, 11, 26)),
        line(2, "192.00", "REMISE DE 4 CHEQUES", day=dt.date(2026, 11, 27)),
        line(3, "192.00", "REMISE DE 4 CHEQUES", day=dt.date(2026, 11, 28)),
        line(4, "310.00", "REMISE", day=dt.date(2026, 11, 20)),  # 19 days: too late
        line(5, "192.00", "REMISE", day=dt.date(2026, 11, 19)),  # before REM-2: REM-1
    ], Facts(remittances=slips))
    assert [(p.line_id, p.target_id) for p in decided] == [(5, 1), (1, 2)]


def test_a_debit_is_a_transfer_batch_or_one_of_its_transfers() -> None:
    batch = Batch(9, "COOP-1", dt.date(2026, 11, 25), D("957.60"), D("957.60"), (
        BatchTransfer(1, "GAEC du Pré Vert", "FR7630006000011234567890189", D("812.40")),
        BatchTransfer(2, "EARL Les Ruchers", None, D("145.20"))))
    whole = automatic_matches([line(1, "-957.60", "SEPA COOP-1", day=dt.date(2026, 11, 26))],
                              Facts(batches=[batch]))
    assert [(p.kind, p.target_id, p.amount) for p in whole] == [
        (TargetKind.PAYOUT_BATCH, 9, D("-957.60"))]
    parts = automatic_matches([
        line(1, "-812.40", "VIR EMIS", day=dt.date(2026, 11, 26),
             iban="FR76 3000 6000 0112 3456 7890 189"),
        line(2, "-145.20", "VIR EARL LES RUCHERS", day=dt.date(2026, 11, 26)),
        line(3, "-145.20", "VIR EARL LES RUCHERS", day=dt.date(2026, 11, 27)),  # used already
        line(4, "-145.20", "VIR QUELQU'UN", day=dt.date(2026, 11, 27)),
    ], Facts(batches=[batch]))
    assert [(p.line_id, p.reasons) for p in parts] == [
        (1, ("montant = virement à GAEC du Pré Vert", "IBAN de GAEC du Pré Vert")),
        (2, ("montant = virement à EARL Les Ruchers", "nom : EARL Les Ruchers"))]


def test_a_debit_naming_an_invoice_pays_it() -> None:
    invoices = [Invoice(1, "GAECDUPRE-2026-0011", 5, "GAEC du Pré Vert", None, D("812.40")),
                Invoice(2, "GAECDUPRE-2026-0012", 5, "GAEC du Pré Vert", None, D("100.00")),
                Invoice(3, "EARLRUCH-2026-0004", 6, "EARL Les Ruchers", None, D("145.20")),
                Invoice(4, "EARLRUCH-2026-0005", 6, "EARL Les Ruchers", None, D("145.20"))]
    decided = automatic_matches([
        line(1, "-812.40", "VIR F GAECDUPRE 2026 0011"),  # separators ignored
        line(2, "-50.00", "FACT GAECDUPRE-2026-0012 ACOMPTE"),  # part of it
        line(3, "-150.00", "FACT GAECDUPRE-2026-0012"),  # more than the 50,00 left
        line(4, "-145.20", "VIR EARL LES RUCHERS"),  # two invoices of that amount: unsure
        line(5, "-9.99", "FACT GAECDUPRE-2026-00111"),  # another number
    ], Facts(invoices=invoices))
    assert [(p.line_id, p.target_id, p.amount) for p in decided] == [
        (1, 1, D("-812.40")), (2, 2, D("-50.00"))]
    decided = automatic_matches([line(1, "-100.00", "VIR GAEC DU PRE VERT")],
                                Facts(invoices=invoices))
    assert [(p.target_id, p.reasons) for p in decided] == [
        (2, ("nom : GAEC du Pré Vert", "montant = reste à payer"))]


# --- suggestions ----------------------------------------------------------------------------------


def test_suggestions_for_a_credit_are_ranked_with_their_reasons() -> None:
    facts = Facts(households=HOUSEHOLDS)
    ranked = suggestions(line(1, "37.85", "VIR MME DUPONT MARIE", day=dt.date(2026, 11, 28)),
                         facts)
    assert [(p.title, p.score, p.reasons) for p in ranked] == [
        ("DUPONT Marie (ADH-0012)", 100,
         ("montant = solde dû", "montant = commande du 26/11/2026", "nom proche : DUPONT Marie")),
    ]
    # The amount and a near spelling outweigh the exact name of another household.
    ranked = suggestions(line(2, "64.00", "VIREMENT DE M LEFEVRE"), facts)
    assert [(p.title, p.reasons) for p in ranked] == [
        ("LEFEBVRE Camille (ADH-0007)", ("montant = solde dû", "nom proche : LEFEBVRE Camille")),
        ("LEFÈVRE Noël (ADH-0070)", ("nom proche : LEFÈVRE Noël",)),
    ]
    assert ranked[0].score > ranked[1].score


def test_suggestions_name_a_deposit_slip_and_a_keyed_in_transfer() -> None:
    facts = Facts(households=HOUSEHOLDS,
                  remittances=[Remittance(4, "REM-2026-0004", dt.date(2026, 11, 2), D("310.00"))],
                  transfers=[TransferPayment(80, 13, D("310.00"), dt.date(2026, 11, 28))])
    ranked = suggestions(line(1, "310.00", "REMISE CHEQUES 0001877"), facts)
    assert [(p.kind, p.target_id) for p in ranked] == [
        (TargetKind.ENTRY, 80), (TargetKind.REMITTANCE, 4)]
    assert ranked[1].reasons == ("montant = remise REM-2026-0004",)


def test_suggestions_for_a_debit_are_invoices_and_batches() -> None:
    invoices = [Invoice(1, "GAECDUPRE-2026-0011", 5, "GAEC du Pré Vert",
                        "FR7630006000011234567890189", D("812.40")),
                Invoice(2, "TROISCHENES-2026-0009", 6, "Ferme des Trois Chênes", None,
                        D("530.80"))]
    batch = Batch(9, "COOP-1", dt.date(2026, 11, 25), D("2000.00"), D("530.80"))
    ranked = suggestions(line(1, "-530.80", "VIR SEPA FERME DES TROIS CHENES"),
                         Facts(invoices=invoices, batches=[batch]))
    assert [(p.kind, p.target_id, p.amount, p.reasons) for p in ranked] == [
        (TargetKind.INVOICE, 2, D("-530.80"),
         ("montant = reste à payer", "nom : Ferme des Trois Chênes")),
        (TargetKind.PAYOUT_BATCH, 9, D("-530.80"),
         ("montant = virements restant à voir (530,80\xa0€)",)),
    ]
    # Naming an invoice for more than is left on it: suggested for what is left.
    ranked = suggestions(line(2, "-900.00", "GAECDUPRE-2026-0011"), Facts(invoices=invoices))
    assert [(p.target_id, p.amount, p.score) for p in ranked] == [(1, D("-812.40"), 80)]


def test_a_line_wholly_matched_has_no_suggestion() -> None:
    assert suggestions(line(1, "64.00", "ADH-0007", remaining="0.00"),
                       Facts(households=HOUSEHOLDS)) == []
