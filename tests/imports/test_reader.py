"""Reading the files co-ops really have: any encoding, any separator, workbooks, broken files."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.imports.columns import known_headers
from coopfood.imports.reader import (
    ImportFileError,
    float_to_decimal,
    normalize_header,
    read_table,
    sniff_separator,
)
from tests.imports.support import write_csv, write_xlsx


def test_utf8_with_a_bom_gives_clean_headers_and_accents(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["nom", "ville"], ["Hélène", "Besançon"]], bom=True)
    table = read_table(path)
    assert table.headers == ("nom", "ville")
    assert table.rows[0].cells == ("Hélène", "Besançon")
    assert table.rows[0].line == 2


def test_windows_1252_from_excel_is_read_with_its_accents(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [["Prénom", "Ville"], ["Hélène", "Besançon – œuf"]], encoding="cp1252"
    )
    table = read_table(path)
    assert table.headers == ("Prénom", "Ville")
    assert table.rows[0].cells == ("Hélène", "Besançon – œuf")


@pytest.mark.parametrize("separator", [";", "\t", ","])
def test_the_separator_is_detected(tmp_path: Path, separator: str) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [["produit", "prix ht"], ["Miel", "1 234,50"], ["Œufs", "12,5"]],
        separator=separator,
    )
    table = read_table(path)
    assert table.headers == ("produit", "prix ht")
    assert [r.cells for r in table.rows] == [("Miel", "1 234,50"), ("Œufs", "12,5")]


def test_a_decimal_comma_does_not_fool_the_separator_detection() -> None:
    assert sniff_separator("nom;prix\nMiel;12,50\nPain;3,10\n") == ";"
    assert sniff_separator('nom,prix\nMiel,"12,50"\nPain,"3,10"\n') == ","


def test_empty_lines_are_skipped_and_line_numbers_kept(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [["nom"], ["A"], [""], [" "], ["B"]])
    table = read_table(path)
    assert [(r.line, r.cells[0]) for r in table.rows] == [(2, "A"), (5, "B")]


def test_a_cell_on_two_lines_keeps_the_next_line_numbers_right(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [["nom", "adresse"], ["A", "1 rue\nBât. B"], ["B", "2 rue"]]
    )
    table = read_table(path)
    assert [(r.line, r.cells[1]) for r in table.rows] == [(2, "1 rue\nBât. B"), (4, "2 rue")]


def test_a_title_above_the_header_is_skipped(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [["Liste des adhérents 2026"], [""], ["Nom", "E-mail"], ["Durand", "d@example.org"]],
    )
    table = read_table(path, known_headers=known_headers("members"))
    assert table.header_line == 3
    assert table.headers == ("Nom", "E-mail")
    assert [r.line for r in table.rows] == [4]


def test_bytes_that_are_neither_utf8_nor_windows_1252_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "adhérents.csv"
    path.write_bytes(b"nom\nDurand\n\x81\xff")
    with pytest.raises(
        ImportFileError, match=re.escape("Encodage illisible dans « adhérents.csv »")
    ):
        read_table(path)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(ImportFileError, match=re.escape("photo.csv")):
        read_table(path)


def test_an_old_xls_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "vieux.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(ImportFileError, match=r"Excel 97-2003.*\.xlsx ou \.csv"):
        read_table(path)


def test_a_truncated_workbook_is_refused_naming_it(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", [["nom"], *[[f"N{i}"] for i in range(200)]])
    cut = tmp_path / "coupé.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ImportFileError, match=re.escape("« coupé.xlsx »")):
        read_table(cut)


def test_a_missing_or_empty_file_is_told(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match="introuvable"):
        read_table(tmp_path / "absent.csv")
    (tmp_path / "vide.csv").write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    with pytest.raises(ImportFileError, match=re.escape("« vide.csv » est vide")):
        read_table(tmp_path / "vide.csv")


def test_a_workbook_gives_exact_numbers_dates_and_literal_text(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["produit", "prix", "colis", "date", "nom"],
            [None, None, None, None, None],
            ["Miel", 2.1 * 1.2, 12, dt.datetime(2026, 3, 1), "=1+1"],
            ["Pain", 12.5, 0.1 + 0.2, dt.date(2026, 3, 2), "  Hélène  "],
        ],
    )
    table = read_table(path)
    assert [r.line for r in table.rows] == [3, 4]
    first, second = (r.cells for r in table.rows)
    assert first == ("Miel", Decimal("2.52"), 12, dt.date(2026, 3, 1), "=1+1")
    assert second == ("Pain", Decimal("12.5"), Decimal("0.3"), dt.date(2026, 3, 2), "Hélène")
    assert not any(isinstance(c, float) for r in table.rows for c in r.cells)


def test_a_float_becomes_the_decimal_a_spreadsheet_shows() -> None:
    assert float_to_decimal(2.1 * 1.2) == Decimal("2.52")
    assert float_to_decimal(12.0) == Decimal("12")
    assert float_to_decimal(1234.5) == Decimal("1234.5")


@pytest.mark.parametrize(
    ("header", "normal"),
    [
        ("N° de TVA", "ndetva"),
        (" E-mail ", "email"),
        ("Code Postal", "codepostal"),
        ("TÉLÉPHONE", "telephone"),
        ("Co-adhérent(e)", "coadherente"),
    ],
)
def test_headers_are_compared_without_case_accents_spaces_or_punctuation(
    header: str, normal: str
) -> None:
    assert normalize_header(header) == normal
