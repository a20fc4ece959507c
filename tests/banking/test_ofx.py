"""OFX statements: the 1.0.2 SGML French banks export, its broken variants, and OFX 2 XML."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.banking.statements import StatementError, read_statement
from tests.banking.conftest import OFX, SampleReader

D = Decimal


def write(tmp_path: Path, text: str, *, encoding: str = "cp1252", name: str = "r.ofx") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def ofx_text(sample: SampleReader) -> str:
    return sample.text(OFX, "cp1252")


def test_the_sample_is_read_whole(sample: SampleReader) -> None:
    statement = read_statement(sample.path(OFX))
    assert statement.format == "OFX"
    assert statement.account == "04012345678"
    assert statement.currency == "EUR"
    assert (statement.period_start, statement.period_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert statement.opening_balance is None  # OFX has none
    assert statement.closing_balance == D("4812.37")  # LEDGERBAL
    assert [
        (ln.booking_date, ln.amount, ln.label, ln.bank_id, ln.source_line)
        for ln in statement.lines
    ] == [
        (dt.date(2026, 11, 30), D("64.00"),
         "VIR MME LEFEBVRE CAMILLE PANIERS NOVEMBRE REF ADH-0007", "2026113000001", 34),
        (dt.date(2026, 11, 28), D("1254.50"), "REMISE DE CHEQUES 3446335", "2026112800001", 42),
        (dt.date(2026, 11, 27), D("-812.40"), "VIR GAEC DU PRE VERT FACTURE GAECDUPRE-2026-0011",
         "2026112700001", 49),
        (dt.date(2026, 11, 3), D("-7.50"), "FRAIS BANCAIRES", "2026110300001", 57),
    ]
    assert all(
        ln.value_date is None and ln.counterparty_name is None and ln.reference is None
        for ln in statement.lines
    )


def test_the_fingerprint_is_the_fitid_whatever_the_label_says(
    sample: SampleReader, tmp_path: Path
) -> None:
    original = read_statement(sample.path(OFX))
    relabelled = read_statement(
        write(tmp_path, ofx_text(sample).replace("<NAME>FRAIS BANCAIRES", "<NAME>FRAIS"))
    )
    assert [ln.fingerprint for ln in relabelled.lines] == [ln.fingerprint for ln in original.lines]


def test_a_fitid_the_bank_repeats_still_gives_two_lines(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = ofx_text(sample).replace("<FITID>2026110300001", "<FITID>2026112700001")
    lines = read_statement(write(tmp_path, text)).lines
    assert lines[2].bank_id == lines[3].bank_id
    assert len({ln.fingerprint for ln in lines}) == 4


def test_accents_are_read_whether_the_file_is_windows_1252_or_utf8(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = ofx_text(sample).replace(
        "<NAME>VIR GAEC DU PRE VERT", "<NAME>VIR GAEC DU PRÉ VERT – Œufs"
    )
    as_declared = read_statement(write(tmp_path, text, name="a.ofx"))
    # CHARSET:1252 in the header, but the bytes are UTF-8: still read right.
    mislabelled = read_statement(write(tmp_path, text, encoding="utf-8", name="b.ofx"))
    assert as_declared.lines[2].label == "VIR GAEC DU PRÉ VERT – Œufs FACTURE GAECDUPRE-2026-0011"
    assert mislabelled.lines[2].label == as_declared.lines[2].label


def test_what_french_banks_really_write_is_accepted(sample: SampleReader, tmp_path: Path) -> None:
    text = (
        ofx_text(sample)
        # A decimal comma (allowed by OFX), a time and zone at midnight Paris time.
        .replace("<TRNAMT>64.00", "<TRNAMT>64,00")
        .replace("<DTPOSTED>20261130", "<DTPOSTED>20261130000000.000[+1:CET]")
        # A NAME over the 32 characters of the specification, a tag it does not know.
        .replace("<NAME>VIR GAEC DU PRE VERT",
                 "<NAME>VIR GAEC DU PRE VERT POUR FACTURE DE NOVEMBRE 2026 LEGUMES")
        .replace("<FITID>2026112800001", "<FITID>2026112800001\n<CHECKNUM>3446335\n<XBANKTAG>1")
        .replace("<DTPOSTED>20261103", "<DTPOSTED>20261103\n<DTAVAIL>20261104")
        .replace("<MEMO>PANIERS NOVEMBRE", "<MEMO>PANIERS &amp; ŒUFS NOVEMBRE")
        .replace("\n", "\r\n")
    )
    lines = read_statement(write(tmp_path, "\r\n\r\n" + text)).lines
    assert lines[0].amount == D("64.00")
    assert lines[0].booking_date == dt.date(2026, 11, 30)  # not moved to the 29th by UTC
    assert lines[0].label == "VIR MME LEFEBVRE CAMILLE PANIERS & ŒUFS NOVEMBRE REF ADH-0007"
    assert lines[1].reference == "3446335"
    assert lines[2].label == (
        "VIR GAEC DU PRE VERT POUR FACTURE DE NOVEMBRE 2026 LEGUMES FACTURE GAECDUPRE-2026-0011"
    )
    assert lines[3].value_date == dt.date(2026, 11, 4)


def test_cut_before_the_end_of_an_operation(sample: SampleReader, tmp_path: Path) -> None:
    text = ofx_text(sample)
    cut = text[: text.index("<NAME>VIR GAEC")]
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, cut))
    assert str(caught.value) == (
        "« r.ofx », ligne 49 : l'opération commencée ici n'est pas terminée (pas de "
        "</STMTTRN>) : le fichier est tronqué, téléchargez-le de nouveau."
    )


def test_cut_after_the_operations_is_refused_too(sample: SampleReader, tmp_path: Path) -> None:
    text = ofx_text(sample)
    cut = text[: text.index("</STMTRS>")]
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, cut))
    assert str(caught.value) == (
        "« r.ofx » : le fichier est tronqué (la balise de fin </OFX> manque) : "
        "téléchargez-le de nouveau."
    )


def test_cut_inside_the_header(sample: SampleReader, tmp_path: Path) -> None:
    with pytest.raises(StatementError, match="sans balise <OFX>"):
        read_statement(write(tmp_path, ofx_text(sample)[:60]))


def test_a_non_numeric_amount_names_its_line(sample: SampleReader, tmp_path: Path) -> None:
    text = ofx_text(sample).replace("<TRNAMT>-812.40", "<TRNAMT>-812.4O")
    text = text.replace("<DTPOSTED>20261103", "<DTPOSTED>2026113")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert caught.value.problems == (
        "ligne 52 : montant illisible (TRNAMT) : « -812.4O » n'est pas un nombre",
        "ligne 59 : date « 2026113 » illisible (DTPOSTED)",
    )


def test_a_statement_against_the_specification_is_refused(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = ofx_text(sample).replace("<CURDEF>EUR\n", "")
    with pytest.raises(StatementError, match=r"n'est pas conforme à la norme .*curdef"):
        read_statement(write(tmp_path, text))


def test_two_accounts_in_one_file_are_refused(sample: SampleReader, tmp_path: Path) -> None:
    text = ofx_text(sample)
    start, end = text.index("<STMTTRNRS>"), text.index("</STMTTRNRS>") + len("</STMTTRNRS>")
    block = text[start:end]
    doubled = text[:end] + "\n" + block.replace("04012345678", "04099999999") + text[end:]
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, doubled))
    assert str(caught.value) == (
        "« r.ofx » : le fichier contient 2 relevés (comptes 04012345678, 04099999999) : "
        "téléchargez un fichier par compte."
    )


def test_an_ofx_2_xml_file(tmp_path: Path) -> None:
    text = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX><BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID>
<STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
<STMTRS><CURDEF>EUR</CURDEF>
<BANKACCTFROM><BANKID>30004</BANKID><ACCTID>00012345678</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE>
</BANKACCTFROM>
<BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
<STMTTRN><TRNTYPE>CREDIT</TRNTYPE><DTPOSTED>20261129120000</DTPOSTED><TRNAMT>72.00</TRNAMT>
<FITID>A1</FITID><NAME>VIR SEPA MME GARNIER</NAME><MEMO>ADH-0102 Décembre</MEMO></STMTTRN>
</BANKTRANLIST>
<LEDGERBAL><BALAMT>3901.22</BALAMT><DTASOF>20261130</DTASOF></LEDGERBAL>
</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>
"""
    statement = read_statement(write(tmp_path, text, encoding="utf-8", name="r2.ofx"))
    assert statement.format == "OFX"
    assert statement.account == "00012345678"
    assert [(ln.booking_date, ln.amount, ln.label) for ln in statement.lines] == [
        (dt.date(2026, 11, 29), D("72.00"), "VIR SEPA MME GARNIER ADH-0102 Décembre")
    ]
    assert statement.closing_balance == D("3901.22")


def test_an_empty_list_of_operations_is_an_empty_statement(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = ofx_text(sample)
    start, end = text.index("<STMTTRN>"), text.rindex("</STMTTRN>") + len("</STMTTRN>")
    statement = read_statement(write(tmp_path, text[:start] + text[end:]))
    assert statement.lines == ()
    assert statement.closing_balance == D("4812.37")


def test_an_end_tag_closing_the_wrong_aggregate_is_refused(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = ofx_text(sample).replace("</LEDGERBAL>", "</AVAILBAL>")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert str(caught.value) == (
        "« r.ofx », ligne 68 : OFX mal formé (balise </AVAILBAL> à la place de </LEDGERBAL>)."
    )
