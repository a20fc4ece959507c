"""CSV exports of French banks, and a user's column mapping for any other bank."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.banking.csv_formats import (
    BANQUE_POSTALE,
    CREDIT_AGRICOLE,
    CREDIT_MUTUEL,
    ColumnMapping,
    parse_amount,
)
from coopfood.banking.statements import ParsedStatement, StatementError, read_statement
from coopfood.services import ValidationError
from tests.banking.conftest import (
    BANQUE_POSTALE as BP_FILE,
)
from tests.banking.conftest import (
    CREDIT_AGRICOLE as CA_FILE,
)
from tests.banking.conftest import (
    CREDIT_MUTUEL as CM_FILE,
)
from tests.banking.conftest import SampleReader

D = Decimal
NNBSP = "\u202f"
NBSP = "\u00a0"


def summary(statement: ParsedStatement) -> list[tuple[dt.date, Decimal, str]]:
    return [(line.booking_date, line.amount, line.label) for line in statement.lines]


#: One Crédit Agricole row: date, label lines, debit, credit.
CaRow = tuple[str, Sequence[str], str, str]


def write_credit_agricole(
    path: Path,
    rows: Sequence[CaRow],
    *,
    period: tuple[str, str] = ("01/11/2026", "30/11/2026"),
    encoding: str = "cp1252",
) -> Path:
    """A Crédit Agricole export as the bank writes it: header block, CRLF, multi-line labels."""
    head = [
        "Téléchargement du 02/12/2026;",
        "",
        " ",
        "ASSOCIATION LES PANIERS DU PLATEAU",
        "Compte Courant Association n° 00012345678;",
        f"Solde au {period[1]} 4 812,37 €",
        "",
        f"Liste des opérations du compte entre le {period[0]} et le {period[1]};",
        "",
        "Date;Libellé;Débit Euros;Crédit Euros;",
    ]
    body = [
        f'{date};"' + "\r\n".join(label) + f'\r\n";{debit};{credit};'
        for date, label, debit, credit in rows
    ]
    path.write_bytes("\r\n".join([*head, *body, ""]).encode(encoding))
    return path


# --- the three banks' samples -------------------------------------------------------------------


def test_credit_agricole_sample(sample: SampleReader) -> None:
    statement = read_statement(sample.path(CA_FILE))
    assert statement.format == "CSV Crédit Agricole"
    assert statement.source == CA_FILE
    assert statement.account == "00012345678"
    assert statement.currency == "EUR"
    assert (statement.period_start, statement.period_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert statement.opening_balance is None
    assert statement.closing_balance == D("4812.37")
    assert summary(statement) == [
        (dt.date(2026, 11, 30), D("64.00"),
         "VIREMENT EN VOTRE FAVEUR MME LEFEBVRE CAMILLE PANIERS NOVEMBRE REF ADH-0007"),
        (dt.date(2026, 11, 28), D("1254.50"), "3446335 REMISE DE CHEQUE"),
        (dt.date(2026, 11, 27), D("-812.40"),
         "VIREMENT EMIS WEB GAEC DU PRE VERT FACTURE GAECDUPRE-2026-0011"),
        (dt.date(2026, 11, 25), D("-46.20"), "PRELEVEMENT Cotisation assurance MAIF 2026"),
        (dt.date(2026, 11, 21), D("37.85"),
         "VIREMENT EN VOTRE FAVEUR M. OU MME MARTIN-NGUYEN COMMANDE 20/11"),
        (dt.date(2026, 11, 14), D("126.30"), "REMISE CARTE CARTE 8004701 001 380797 14/11"),
        (dt.date(2026, 11, 7), D("210.00"), "VERSEMENT ESPECES AGENCE LE PUY"),
        (dt.date(2026, 11, 3), D("-7.50"), "FRAIS BANCAIRES COTISATION OFFRE ASSOCIATION"),
    ]
    assert statement.total == D("826.55")
    # Each line knows where it starts in the file (the header is line 10).
    assert [line.source_line for line in statement.lines] == [11, 18, 21, 28, 34, 41, 47, 51]
    assert all(line.value_date is None and line.bank_id is None for line in statement.lines)


def test_credit_mutuel_sample_checks_its_running_balance(sample: SampleReader) -> None:
    statement = read_statement(sample.path(CM_FILE))
    assert statement.format == "CSV Crédit Mutuel / CIC"
    assert statement.account is None
    assert [(ln.booking_date, ln.value_date, ln.amount, ln.label) for ln in statement.lines] == [
        (dt.date(2026, 11, 29), dt.date(2026, 11, 29), D("72.00"),
         "VIR SEPA MME GARNIER ELODIE ADH-0102 DECEMBRE"),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 27), D("-530.80"),
         "VIR SEPA FERME DES TROIS CHENES F TROISCHENES-2026-0009"),
        (dt.date(2026, 11, 20), dt.date(2026, 11, 20), D("310.00"), "REMISE CHEQUES 0001877"),
        (dt.date(2026, 11, 12), dt.date(2026, 11, 12), D("-12.00"), "FRAIS TENUE DE COMPTE"),
    ]
    # The "Solde" column, newest first: before the 12/11 fee the account held 4 062,02 €.
    assert statement.opening_balance == D("4062.02")
    assert statement.closing_balance == D("3901.22")
    assert statement.opening_balance + statement.total == statement.closing_balance


def test_banque_postale_sample(sample: SampleReader) -> None:
    statement = read_statement(sample.path(BP_FILE))
    assert statement.format == "CSV La Banque Postale"
    assert statement.account == "0123456K021"
    assert statement.closing_balance == D("2145.10")
    assert summary(statement) == [
        (dt.date(2026, 11, 30), D("58.50"), "VIREMENT DE M DUBOIS JEAN REF ADH-0031 PANIERS NOV"),
        (dt.date(2026, 11, 26), D("192.00"), "REMISE DE 4 CHEQUES N° 0004512"),
        (dt.date(2026, 11, 24), D("-145.20"),
         "VIREMENT POUR EARL LES RUCHERS FACT EARLRUCH-2026-0004"),
        (dt.date(2026, 11, 19), D("25.00"), "VIREMENT DE ASSOCIATION AMAP VOISINE"),
        (dt.date(2026, 11, 2), D("-4.90"), "COMMISSION COTISATION FORMULE"),
    ]


# --- encodings ----------------------------------------------------------------------------------


def test_a_utf8_export_is_read_as_utf8_though_the_bank_layout_says_windows_1252(
    sample: SampleReader, tmp_path: Path
) -> None:
    path = tmp_path / "ca-utf8.csv"
    path.write_bytes(sample.text(CA_FILE, "cp1252").encode("utf-8"))
    original = read_statement(sample.path(CA_FILE))
    again = read_statement(path)
    assert again.format == "CSV Crédit Agricole"
    assert summary(again) == summary(original)
    assert [ln.fingerprint for ln in again.lines] == [ln.fingerprint for ln in original.lines]


def test_a_windows_1252_file_under_a_utf8_mapping_is_still_read_right(
    sample: SampleReader, tmp_path: Path
) -> None:
    mapping = ColumnMapping.from_dict(
        {**BANQUE_POSTALE.to_dict(), "name": "BP", "encoding": "utf-8"}
    )
    path = tmp_path / "bp.csv"
    path.write_bytes(
        sample.text(BP_FILE, "cp1252").replace("AMAP VOISINE", "AMAP ÉTÉ – œufs").encode("cp1252")
    )
    statement = read_statement(path, mapping=mapping)
    assert statement.format == "CSV BP"
    assert statement.lines[3].label == "VIREMENT DE ASSOCIATION AMAP ÉTÉ – œufs"
    assert statement.lines[1].label == "REMISE DE 4 CHEQUES N° 0004512"


def test_latin9_euro_sign_and_windows_quotes_are_both_read(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = sample.text(CM_FILE, "iso-8859-15")
    latin9 = tmp_path / "cm-latin9.csv"
    latin9.write_bytes(
        text.replace("FRAIS TENUE DE COMPTE", "FRAIS 12 € ŒUVRE").encode("iso-8859-15")
    )
    assert read_statement(latin9).lines[3].label == "FRAIS 12 € ŒUVRE"
    # The same layout saved by Excel in Windows-1252: its ’ is a control character in Latin-9.
    windows = tmp_path / "cm-1252.csv"
    windows.write_bytes(text.replace("FRAIS TENUE DE COMPTE", "FRAIS D’ÉTÉ").encode("cp1252"))
    assert read_statement(windows).lines[3].label == "FRAIS D’ÉTÉ"


def test_bytes_no_encoding_can_read_are_an_error_naming_the_line(
    sample: SampleReader, tmp_path: Path
) -> None:
    data = sample.bytes(BP_FILE).replace(b"AMAP VOISINE", b"AMAP \x81VOISINE")
    path = tmp_path / "bp.csv"
    path.write_bytes(data)
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(caught.value) == (
        "« bp.csv », ligne 11 : octet 0x81 illisible : le fichier n'est ni en UTF-8 ni en "
        "Windows-1252 (fichier abîmé ?)."
    )
    assert caught.value.line == 11


# --- labels and amounts ---------------------------------------------------------------------------


def test_a_label_spread_over_five_lines_is_one_label(tmp_path: Path) -> None:
    label = ["VIREMENT EN VOTRE FAVEUR   ", "MME LEFEBVRE CAMILLE", "PANIERS NOVEMBRE",
             "  REF ADH-0007", "MERCI"]
    path = write_credit_agricole(
        tmp_path / "ca.csv",
        [("30/11/2026", label, "", "64,00"), ("29/11/2026", ["FRAIS"], "1,00", "")],
    )
    statement = read_statement(path)
    assert summary(statement) == [
        (dt.date(2026, 11, 30), D("64.00"),
         "VIREMENT EN VOTRE FAVEUR MME LEFEBVRE CAMILLE PANIERS NOVEMBRE REF ADH-0007 MERCI"),
        (dt.date(2026, 11, 29), D("-1.00"), "FRAIS"),
    ]
    assert [line.source_line for line in statement.lines] == [11, 17]


@pytest.mark.parametrize("space", [" ", NBSP, NNBSP, "\u2009"])
def test_thousands_may_be_grouped_by_any_kind_of_space(tmp_path: Path, space: str) -> None:
    path = write_credit_agricole(
        tmp_path / "ca.csv",
        [("30/11/2026", ["REMISE CHEQUES"], "", f"1{space}620,00")],
        encoding="utf-8",
    )
    assert read_statement(path).lines[0].amount == D("1620.00")


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1 254,50", ",", "1254.50"),
        (f"1{NNBSP}620,00", ",", "1620.00"),
        (f"-1{NBSP}620,00 €", ",", "-1620.00"),
        ("-12,00", ",", "-12.00"),
        ("+64", ",", "64.00"),
        ("-4,9", ",", "-4.90"),
        ("1.254,50", ",", "1254.50"),
        ("12 345 678,00", ",", "12345678.00"),
        ("1,254.50", ".", "1254.50"),
        ("-46.20", ".", "-46.20"),
        ("0,00", ",", "0.00"),
    ],
)
def test_amounts_as_banks_write_them(text: str, separator: str, expected: str) -> None:
    assert parse_amount(text, separator) == D(expected)


@pytest.mark.parametrize(
    ("text", "separator"),
    [("abc", ","), ("12.50", ","), ("7,", ","), ("1,254", ","), ("1 2 54,50", ","),
     ("12,505", ","), ("", ","), ("12,50", "."), ("1.2.3", ",")],
)
def test_what_is_not_an_amount_is_refused_never_guessed(text: str, separator: str) -> None:
    with pytest.raises(ValueError, match="n'est pas un montant"):
        parse_amount(text, separator)


def test_non_numeric_amounts_are_all_reported_with_line_and_column(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = sample.text(BP_FILE, "cp1252").replace(";58,50", ";58,5O").replace(";-4,90", ";N/A")
    path = tmp_path / "bp.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.problems == (
        "ligne 8, colonne « Montant(EUROS) » : « 58,5O » n'est pas un montant",
        "ligne 12, colonne « Montant(EUROS) » : « N/A » n'est pas un montant",
    )
    assert str(caught.value).startswith(
        "« bp.csv » : 2 lignes sont illisibles, rien n'a été lu :\n"
        "– ligne 8, colonne « Montant(EUROS) » : « 58,5O » n'est pas un montant"
    )


def test_a_bad_date_is_reported_with_the_expected_format(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = sample.text(BP_FILE, "cp1252").replace("19/11/2026", "31/11/2026")
    path = tmp_path / "bp.csv"
    path.write_bytes(text.encode("cp1252"))
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.problems == (
        "ligne 11, colonne « Date » : date « 31/11/2026 » illisible (attendu : JJ/MM/AAAA)",
    )


def test_debit_and_credit_on_one_line_or_neither_are_errors(tmp_path: Path) -> None:
    path = write_credit_agricole(
        tmp_path / "ca.csv",
        [("30/11/2026", ["A"], "1,00", "2,00"), ("29/11/2026", ["B"], "", "")],
    )
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.problems == (
        "ligne 11 : la ligne a un débit et un crédit à la fois",
        "ligne 13 : la ligne n'a ni débit ni crédit",
    )


# --- truncated and broken files -------------------------------------------------------------------


def test_a_file_cut_inside_a_quoted_label_is_refused(sample: SampleReader, tmp_path: Path) -> None:
    data = sample.bytes(CA_FILE)
    cut = data[: data.index(b"WEB GAEC DU PRE VERT")]
    path = tmp_path / "ca.csv"
    path.write_bytes(cut)
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(caught.value) == (
        "« ca.csv », ligne 21 : le fichier s'arrête au milieu d'un libellé entre guillemets : "
        "il est tronqué, téléchargez-le de nouveau"
    )


def test_a_file_cut_inside_its_last_line_is_refused(sample: SampleReader, tmp_path: Path) -> None:
    postale = sample.bytes(BP_FILE)
    path = tmp_path / "bp.csv"
    path.write_bytes(postale[: postale.rindex(b"-4,90")] + b"-4,")
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.problems == (
        "ligne 12, colonne « Montant(EUROS) » : « -4, » n'est pas un montant",
    )
    agricole = sample.bytes(CA_FILE)
    path = tmp_path / "ca.csv"
    path.write_bytes(agricole[: agricole.rindex(b"7,50")] + b"7,")
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.problems == (
        "ligne 51 : ligne incomplète (3 colonnes au lieu de 4) : le fichier est-il tronqué ?",
    )


def test_a_broken_running_balance_is_an_error_naming_the_line(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = sample.text(CM_FILE, "iso-8859-15").replace(";310,00;", ";301,00;")
    path = tmp_path / "cm.csv"
    path.write_bytes(text.encode("iso-8859-15"))
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert caught.value.line == 4
    assert str(caught.value) == (
        "« cm.csv », ligne 4 : le solde indiqué dans la colonne « Solde », 4\u202f360,02\xa0€, "
        "ne suit pas les opérations (4\u202f351,02\xa0€ attendu) : le fichier a été modifié ou "
        "des lignes manquent ; téléchargez-le de nouveau."
    )


def test_a_running_balance_is_followed_oldest_first_too(
    sample: SampleReader, tmp_path: Path
) -> None:
    header, *rows = sample.text(CM_FILE, "iso-8859-15").split("\r\n")[:-1]
    path = tmp_path / "cm.csv"
    path.write_bytes("\r\n".join([header, *reversed(rows), ""]).encode("iso-8859-15"))
    statement = read_statement(path)
    assert statement.opening_balance == D("4062.02")
    assert statement.closing_balance == D("3901.22")
    assert [line.amount for line in statement.lines] == [
        D("-12.00"), D("310.00"), D("-530.80"), D("72.00")]


def test_a_header_repeated_page_after_page_is_skipped(
    sample: SampleReader, tmp_path: Path
) -> None:
    text = sample.text(BP_FILE, "cp1252").replace(
        "19/11/2026;", "\r\nDate;Libellé;Montant(EUROS)\r\n19/11/2026;"
    )
    path = tmp_path / "bp.csv"
    path.write_bytes(text.encode("cp1252"))
    statement = read_statement(path)
    assert summary(statement) == summary(read_statement(sample.path(BP_FILE)))


def test_an_export_with_only_its_header_has_no_lines(tmp_path: Path) -> None:
    statement = read_statement(write_credit_agricole(tmp_path / "ca.csv", []))
    assert statement.lines == ()
    assert statement.closing_balance == D("4812.37")


# --- unknown layouts and the user's mapping -------------------------------------------------------

SOCIETE_GENERALE_LIKE = (
    '="0123456789";Compte courant;\r\n'
    "\r\n"
    "Date de l'opération;Libellé;Détail de l'écriture;Montant de l'opération;Devise\r\n"
    "30/11/2026;VIR RECU    4567;DE: MME LEFEBVRE CAMILLE MOTIF: ADH-0007;64,00;EUR\r\n"
    "28/11/2026;REMISE CHEQUES;BORDEREAU 3446335;1 254,50;EUR\r\n"
    '27/11/2026;VIR EMIS;"POUR: GAEC DU PRÉ VERT\r\nREF: GAECDUPRE-2026-0011";-812,40;EUR\r\n'
    "03/11/2026;FRAIS;FRAIS;-7,50;EUR\r\n"
)


def societe_generale_mapping() -> ColumnMapping:
    return ColumnMapping(
        name="Société Générale",
        header=("Date de l'opération", "Libellé", "Détail de l'écriture",
                "Montant de l'opération", "Devise"),
        date_column="Date de l'opération",
        label_columns=("Libellé", "Détail de l'écriture"),
        amount_column="Montant de l'opération",
        currency_column="Devise",
    )


def test_an_unknown_layout_asks_for_a_column_mapping(tmp_path: Path) -> None:
    path = tmp_path / "sg.csv"
    path.write_bytes(SOCIETE_GENERALE_LIKE.encode("cp1252"))
    with pytest.raises(StatementError) as caught:
        read_statement(path)
    assert str(caught.value) == (
        "Format de relevé non reconnu : « sg.csv » n'est ni un fichier OFX ou CAMT.053, ni un "
        "export CSV dont la ligne d'en-tête est connue (Crédit Mutuel / CIC, Crédit Agricole, "
        "La Banque Postale) ; définissez une correspondance de colonnes."
    )


def test_a_user_mapping_reads_another_bank_and_survives_its_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "sg.csv"
    path.write_bytes(SOCIETE_GENERALE_LIKE.encode("cp1252"))
    mapping = societe_generale_mapping()

    saved = json.loads(json.dumps(mapping.to_dict()))
    assert saved["name"] == "Société Générale"
    assert saved["label_columns"] == ["Libellé", "Détail de l'écriture"]
    restored = ColumnMapping.from_dict(saved)
    assert restored == mapping
    assert ColumnMapping.from_json(mapping.to_json()) == mapping

    statement = read_statement(path, mapping=restored)
    assert statement.format == "CSV Société Générale"
    assert statement.currency == "EUR"
    assert summary(statement) == [
        (dt.date(2026, 11, 30), D("64.00"),
         "VIR RECU 4567 DE: MME LEFEBVRE CAMILLE MOTIF: ADH-0007"),
        (dt.date(2026, 11, 28), D("1254.50"), "REMISE CHEQUES BORDEREAU 3446335"),
        (dt.date(2026, 11, 27), D("-812.40"),
         "VIR EMIS POUR: GAEC DU PRÉ VERT REF: GAECDUPRE-2026-0011"),
        (dt.date(2026, 11, 3), D("-7.50"), "FRAIS"),
    ]
    # Among several saved mappings the one whose header is in the file is used.
    assert read_statement(path, mapping=[CREDIT_MUTUEL, restored]).format == statement.format
    assert [ln.fingerprint for ln in read_statement(path, mapping=[restored]).lines] == [
        ln.fingerprint for ln in statement.lines
    ]


def test_a_user_mapping_with_iso_dates_decimal_point_and_debit_credit(tmp_path: Path) -> None:
    mapping = ColumnMapping(
        name="Banque en ligne",
        header=("Booking date", "Value date", "Text", "Debit", "Credit", "Balance"),
        date_column="Booking date",
        value_date_column="Value date",
        label_columns=("Text",),
        debit_column="Debit",
        credit_column="Credit",
        balance_column="Balance",
        date_format="%Y-%m-%d",
        decimal_separator=".",
        delimiter=",",
        encoding="utf-8",
    )
    path = tmp_path / "online.csv"
    path.write_text(
        "Booking date,Value date,Text,Debit,Credit,Balance\n"
        '2026-11-02,2026-11-03,Virement reçu,,"1,000.00","1,500.00"\n'
        "2026-11-05,,Frais,2.50,,1497.50\n",
        encoding="utf-8",
    )
    statement = read_statement(path, mapping=mapping)
    assert [(ln.booking_date, ln.value_date, ln.amount, ln.label) for ln in statement.lines] == [
        (dt.date(2026, 11, 2), dt.date(2026, 11, 3), D("1000.00"), "Virement reçu"),
        (dt.date(2026, 11, 5), None, D("-2.50"), "Frais"),
    ]
    assert (statement.opening_balance, statement.closing_balance) == (D("500.00"), D("1497.50"))


def test_a_mapping_whose_header_is_not_in_the_file_is_an_unknown_format(
    sample: SampleReader, tmp_path: Path
) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Jour;Texte;Somme\r\n30/11/2026;X;1,00\r\n", encoding="utf-8")
    with pytest.raises(StatementError, match="^Format de relevé non reconnu : « other.csv » .*"
                       r"\(Société Générale, Crédit Mutuel / CIC"):
        read_statement(path, mapping=societe_generale_mapping())
    # A built-in layout is still recognised when the user's mapping does not fit.
    assert read_statement(sample.path(BP_FILE), mapping=societe_generale_mapping()).format == (
        "CSV La Banque Postale"
    )


def test_lines_of_several_currencies_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "sg.csv"
    path.write_bytes(SOCIETE_GENERALE_LIKE.replace("-7,50;EUR", "-7,50;CHF").encode("cp1252"))
    with pytest.raises(StatementError, match="plusieurs devises \\(CHF, EUR\\)"):
        read_statement(path, mapping=societe_generale_mapping())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount_column": "Montant"}, "amount_column",
         "La colonne « Montant » n'est pas dans la ligne d'en-tête."),
        ({"debit_column": "Libellé"}, "amount_column",
         "Choisissez soit une colonne de montant signé, soit une colonne de débit et une "
         "colonne de crédit."),
        ({"date_format": "%d/%m"}, "date_format",
         "Format de date « %d/%m » invalide : il faut le jour (%d), le mois (%m) et l'année "
         "(%Y), par exemple %d/%m/%Y."),
        ({"decimal_separator": ";"}, "decimal_separator",
         "Le séparateur décimal est la virgule ou le point."),
        ({"encoding": "klingon"}, "encoding", "Encodage « klingon » inconnu."),
        ({"label_columns": []}, "label_columns", "Choisissez au moins une colonne de libellé."),
        ({"name": " "}, "name", "Donnez un nom à la correspondance."),
        ({"colour": "bleu"}, "colour",
         "Correspondance de colonnes : champ(s) inconnu(s) colour."),
        ({"header": "Date;Libellé"}, "header",
         "Correspondance de colonnes : « header » doit être une liste de textes."),
        ({"date_column": 3}, "date_column",
         "Correspondance de colonnes : « date_column » doit être un texte."),
        ({"version": 9}, "version", "Correspondance de colonnes d'une version inconnue (9)."),
    ],
)
def test_a_bad_mapping_is_refused_with_the_field_at_fault(
    changes: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        ColumnMapping.from_dict({**societe_generale_mapping().to_dict(), **changes})
    assert str(caught.value) == message
    assert caught.value.field == field


def test_the_built_in_layouts_are_mappings_too() -> None:
    for layout in (CREDIT_AGRICOLE, CREDIT_MUTUEL, BANQUE_POSTALE):
        assert ColumnMapping.from_dict(layout.to_dict()) == layout
    with pytest.raises(ValidationError, match="JSON invalide"):
        ColumnMapping.from_json("{")
    with pytest.raises(ValidationError, match="objet JSON attendu"):
        ColumnMapping.from_json("[]")


# --- re-imports ---------------------------------------------------------------------------------


def test_overlapping_exports_give_their_shared_lines_the_same_fingerprints(
    tmp_path: Path,
) -> None:
    fee = ("15/11/2026", ["FRAIS SUR OPERATION"], "5,00", "")
    transfer = ("20/11/2026", ["VIREMENT EN VOTRE FAVEUR", "MME LEFEBVRE", "REF ADH-0007"], "",
                "64,00")
    early = write_credit_agricole(
        tmp_path / "early.csv",
        [
            transfer,
            fee,
            fee,
            ("10/11/2026", ["REMISE CHEQUE"], "", "1 254,50"),
            ("03/11/2026", ["FRAIS BANCAIRES"], "7,50", ""),
        ],
        period=("01/11/2026", "20/11/2026"),
    )
    late = write_credit_agricole(
        tmp_path / "late.csv",
        [
            ("28/11/2026", ["PRELEVEMENT", "MAIF"], "46,20", ""),
            transfer,
            fee,
            fee,
            ("10/11/2026", ["REMISE CHEQUE"], "", "1 254,50"),
        ],
        period=("10/11/2026", "30/11/2026"),
    )
    first = [line.fingerprint for line in read_statement(early).lines]
    second = [line.fingerprint for line in read_statement(late).lines]
    assert len(set(first)) == 5, "the two identical fees of the 15th are two lines"
    assert first[:4] == second[1:]
    assert second[0] not in first and first[4] not in second
    new = [fp for fp in second if fp not in set(first)]
    assert len(new) == 1


# --- size -----------------------------------------------------------------------------------------


def test_five_thousand_lines_are_read_quickly(tmp_path: Path) -> None:
    start_day = dt.date(2026, 1, 1)
    rows: list[CaRow] = []
    for n in range(5000):
        day = (start_day + dt.timedelta(days=n // 20)).strftime("%d/%m/%Y")
        label = ["VIREMENT EN VOTRE FAVEUR", f"ADHERENT {n % 300}", f"REF ADH-{n % 300:04d}"]
        rows.append((day, label, "", f"{n % 97 + 1} {n % 1000:03d},{n % 100:02d}"))
    path = write_credit_agricole(tmp_path / "big.csv", rows)
    started = time.perf_counter()
    statement = read_statement(path)
    elapsed = time.perf_counter() - started
    print(f"\n5 000-line Crédit Agricole CSV read in {elapsed * 1000:.0f} ms")
    assert len(statement.lines) == 5000
    assert len({line.fingerprint for line in statement.lines}) == 5000
