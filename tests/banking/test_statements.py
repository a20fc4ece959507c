"""The door to every format: detection by content, the common shape, fingerprints, bad files."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.banking import ParsedStatement, StatementError, read_statement
from coopfood.banking.statements import (
    LineDraft,
    clean_text,
    decode_text,
    finish_lines,
    join_label,
    normalise_label,
)
from tests.banking.conftest import (
    BANQUE_POSTALE,
    CAMT,
    CREDIT_AGRICOLE,
    CREDIT_MUTUEL,
    OFX,
    SampleReader,
)

D = Decimal
SAMPLES = {
    CREDIT_AGRICOLE: ("CSV Crédit Agricole", 8),
    CREDIT_MUTUEL: ("CSV Crédit Mutuel / CIC", 4),
    BANQUE_POSTALE: ("CSV La Banque Postale", 5),
    OFX: ("OFX", 4),
    CAMT: ("camt.053.001.02", 4),
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_sample_is_told_by_its_content_not_its_name(
    sample: SampleReader, tmp_path: Path, name: str
) -> None:
    renamed = tmp_path / "releve.txt"
    renamed.write_bytes(sample.bytes(name))
    statement = read_statement(renamed)
    assert (statement.format, len(statement.lines)) == SAMPLES[name]
    assert statement.source == "releve.txt"


@pytest.mark.parametrize("name", list(SAMPLES))
def test_fingerprints_are_stable_and_distinct(sample: SampleReader, name: str) -> None:
    first = read_statement(sample.path(name))
    second = read_statement(str(sample.path(name)))
    assert first == second
    fingerprints = [line.fingerprint for line in first.lines]
    assert len(set(fingerprints)) == len(fingerprints)
    assert all(len(fp) == 32 and int(fp, 16) >= 0 for fp in fingerprints)


def test_the_same_month_in_ofx_and_camt_agrees_on_dates_and_amounts(
    sample: SampleReader,
) -> None:
    ofx, camt = read_statement(sample.path(OFX)), read_statement(sample.path(CAMT))
    assert [(ln.booking_date, ln.amount) for ln in ofx.lines] == [
        (ln.booking_date, ln.amount) for ln in camt.lines
    ]
    assert [ln.bank_id for ln in ofx.lines] == [ln.bank_id for ln in camt.lines]
    # Kept apart on purpose: a FITID and an AcctSvcrRef are two id schemes (see the docstring).
    assert not {ln.fingerprint for ln in ofx.lines} & {ln.fingerprint for ln in camt.lines}
    # The references the matching will look for are there in every format.
    assert "ADH-0007" in ofx.lines[0].label and "ADH-0007" in (camt.lines[0].reference or "")
    assert "GAECDUPRE-2026-0011" in ofx.lines[2].label
    assert camt.lines[2].reference == "GAECDUPRE-2026-0011"


# --- what is not a statement ----------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n", codecs.BOM_UTF8, codecs.BOM_UTF8 + b"\n"])
def test_an_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "vide.csv"
    path.write_bytes(content)
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(caught.value) == "« vide.csv » : le fichier est vide."
    assert caught.value.file == "vide.csv"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n...", "« f » : c'est un relevé PDF, que coopfood ne lit pas : téléchargez "
         "sur le site de la banque le relevé au format CSV, OFX ou CAMT.053."),
        (b"PK\x03\x04\x14\x00", "« f » : c'est un classeur Excel ou une archive, pas un relevé : "
         "téléchargez sur le site de la banque le relevé au format CSV, OFX ou CAMT.053."),
        (b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
         b"</Document>",
         "« f » : format de relevé non reconnu : ce fichier XML n'est ni un relevé CAMT.053 "
         "(ISO 20022) ni un fichier OFX."),
        (b"Bonjour,\nvoici le relev\xe9.\n",
         "Format de relevé non reconnu : « f » n'est ni un fichier OFX ou CAMT.053, ni un export "
         "CSV dont la ligne d'en-tête est connue (Crédit Mutuel / CIC, Crédit Agricole, La "
         "Banque Postale) ; définissez une correspondance de colonnes."),
    ],
)
def test_what_is_not_a_statement_says_what_to_do(
    tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "f"
    path.write_bytes(content)
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(caught.value) == message


def test_a_missing_file_or_a_folder(tmp_path: Path) -> None:
    with pytest.raises(StatementError, match=r"« absent\.csv » : fichier introuvable"):
        read_statement(tmp_path / "absent.csv")
    with pytest.raises(StatementError, match="c'est un dossier, pas un fichier"):
        read_statement(tmp_path)


def test_a_utf16_export_is_read(sample: SampleReader, tmp_path: Path) -> None:
    path = tmp_path / "bp-utf16.csv"
    path.write_bytes(sample.text(BANQUE_POSTALE, "cp1252").encode("utf-16"))
    statement = read_statement(path)
    assert statement.format == "CSV La Banque Postale"
    assert statement.lines == read_statement(sample.path(BANQUE_POSTALE)).lines


# --- fingerprints ---------------------------------------------------------------------------------


def draft(label: str, amount: str = "-5.00", day: int = 15, **more: str) -> LineDraft:
    return LineDraft(
        booking_date=dt.date(2026, 11, day), value_date=None, amount=D(amount), label=label,
        bank_id=more.get("bank_id"), unique_id_kind=more.get("kind"),
    )


def test_identical_lines_of_one_day_are_numbered_not_merged() -> None:
    lines = finish_lines("ACC", [draft("FRAIS"), draft("FRAIS"), draft("FRAIS", day=16)])
    assert len({line.fingerprint for line in lines}) == 3
    # The label is compared normalised: spacing, case and accents do not matter…
    again = finish_lines("ACC", [draft("frais "), draft("Frais"), draft("FRAIS", day=16)])
    assert [ln.fingerprint for ln in again] == [ln.fingerprint for ln in lines]
    # …the account, the date, the amount and the words do.
    assert finish_lines("OTHER", [draft("FRAIS")])[0].fingerprint != lines[0].fingerprint
    assert finish_lines("ACC", [draft("FRAIS", "-5.01")])[0].fingerprint != lines[0].fingerprint
    assert finish_lines("ACC", [draft("FRAIS CB")])[0].fingerprint != lines[0].fingerprint


def test_a_bank_id_makes_the_fingerprint_whatever_else_changes() -> None:
    first = finish_lines("ACC", [draft("VIR", bank_id="X1", kind="FITID")])[0]
    relabelled = finish_lines("ACC", [draft("VIR DE MME X", "-6.00", 16, bank_id="X1",
                                            kind="FITID")])[0]
    assert first.fingerprint == relabelled.fingerprint
    # NtryRef (no kind: unique only within its statement) does not count as one.
    by_entry_ref = finish_lines("ACC", [draft("VIR", bank_id="X1")])[0]
    assert by_entry_ref.fingerprint != first.fingerprint
    other_entry_ref = finish_lines("ACC", [draft("VIR", bank_id="N9")])[0]
    assert by_entry_ref.fingerprint == other_entry_ref.fingerprint
    other_scheme = finish_lines("ACC", [draft("VIR", bank_id="X1", kind="AcctSvcrRef")])[0]
    assert other_scheme.fingerprint != first.fingerprint


# --- text helpers ---------------------------------------------------------------------------------


def test_labels_are_joined_and_collapsed() -> None:
    assert clean_text("  VIREMENT  \r\n MME\u00a0X\u202fY\t ") == "VIREMENT MME X Y"
    assert join_label(["VIR MME LEFEBVRE", None, "", "mme lefebvre", "ADH-0007"]) == (
        "VIR MME LEFEBVRE ADH-0007"
    )
    assert join_label(["CARTE", "CARTES"]) == "CARTE CARTES"
    assert normalise_label("Virement  reçu – Mme Lefèbvre, réf. ADH-0007") == (
        "VIREMENT RECU MME LEFEBVRE REF ADH 0007"
    )


def test_decoding_detects_what_the_declaration_gets_wrong() -> None:
    text = "Libellé ; œuf ; 5 €"
    assert decode_text(text.encode("utf-8"), file="f", legacy="cp1252") == text
    assert decode_text(text.encode("cp1252"), file="f", legacy="utf-8") == text
    assert decode_text(text.encode("iso-8859-15"), file="f", legacy="iso-8859-15") == text
    assert decode_text(codecs.BOM_UTF8 + text.encode("utf-8"), file="f") == text
    with pytest.raises(StatementError, match="octets nuls"):
        decode_text(b"a\x00b", file="f")


def test_a_statement_adds_its_lines() -> None:
    statement = ParsedStatement(
        source="f", format="OFX", account=None, currency="EUR", period_start=None,
        period_end=None, opening_balance=None, closing_balance=None,
        lines=finish_lines(None, [draft("A", "10.00"), draft("B", "-2.50")]),
    )
    assert statement.total == D("7.50")
