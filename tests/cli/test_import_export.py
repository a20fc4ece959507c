"""`python main.py import …` and `export …`: a French report, an exit status scripts can trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from main import entry
from tests.imports.support import add_point, dump, siret_for, write_csv

MEMBERS = [
    ["Nom", "Prénom", "Courriel", "Point"],
    ["Lefèvre", "Hélène", "helene@example.org", "Salle des fêtes"],
    ["Durand", "Zoé", "zoe@example.org", "salle des fetes"],
]


@pytest.fixture
def members_file(db: Database, tmp_path: Path) -> Path:
    add_point(db, "Salle des fêtes")
    return write_csv(tmp_path / "adhérents.csv", MEMBERS, encoding="cp1252")


def test_import_reports_in_french_and_exits_0(
    db_url: str, members_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert entry(["--db", db_url, "import", "members", str(members_file)]) == 0
    assert capsys.readouterr().out.splitlines() == ["2 créés, 0 mis à jour, 0 inchangé, 0 rejeté"]
    assert entry(["--db", db_url, "import", "members", str(members_file)]) == 0
    assert capsys.readouterr().out.splitlines() == ["0 créé, 0 mis à jour, 2 inchangés, 0 rejeté"]


def test_a_rejected_row_is_told_nothing_is_written_and_the_exit_status_says_so(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = siret_for("73282932")
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    path = write_csv(
        tmp_path / "producteurs.csv",
        [
            ["raison sociale", "siret", "régime tva", "colonne perso"],
            ["Rucher des Combes", good, "franchise", "x"],
            ["GAEC du Pré Vert", bad, "forfait", ""],
        ],
    )
    before = dump(db)
    assert entry(["--db", db_url, "import", "producers", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "1 créé, 0 mis à jour, 0 inchangé, 1 rejeté",
        f"ligne 3, colonne « siret » : SIRET « {bad} » invalide : la clé de contrôle ne "
        "correspond pas (vérifiez une faute de frappe).",
        "Avertissement — ligne 1, colonne « colonne perso » : colonne inconnue, ignorée.",
        "Rien n'a été enregistré : corrigez les lignes rejetées, ou relancez avec --keep-valid "
        "pour enregistrer les lignes valides.",
    ]
    assert dump(db) == before

    assert entry(["--db", db_url, "import", "producers", str(path), "--keep-valid"]) == 1
    out = capsys.readouterr().out
    assert "Les lignes valides ont été enregistrées, pas les lignes rejetées." in out
    assert dump(db) != before


def test_a_dry_run_writes_nothing(
    db: Database, db_url: str, members_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dump(db)
    assert entry(["--db", db_url, "import", "members", str(members_file), "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 créés, 0 mis à jour, 0 inchangé, 0 rejeté",
        "Simulation (--dry-run) : rien n'a été enregistré.",
    ]
    assert dump(db) == before


def test_a_file_without_a_required_column_is_one_french_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "liste.csv", [["Prénom"], ["Hélène"]])
    assert entry(["--db", db_url, "import", "members", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        "Erreur : « liste.csv » : colonne obligatoire absente : « nom » "
        "(colonnes lues : « Prénom »)."
    )


def test_export_then_import_again_changes_nothing(
    db_url: str, members_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert entry(["--db", db_url, "import", "members", str(members_file)]) == 0
    capsys.readouterr()
    for name in ("export.csv", "export.xlsx"):
        out = tmp_path / name
        assert entry(["--db", db_url, "export", "members", "--out", str(out)]) == 0
        assert capsys.readouterr().out == f"2 lignes écrites dans {out}.\n"
        assert entry(["--db", db_url, "import", "members", str(out)]) == 0
        assert capsys.readouterr().out.splitlines() == [
            "0 créé, 0 mis à jour, 2 inchangés, 0 rejeté"
        ]


def test_export_to_an_unknown_format_is_refused_in_french(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert entry(["--db", db_url, "export", "products", "--out", str(tmp_path / "p.ods")]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "Erreur : Format de fichier « .ods » non pris en charge pour « p.ods » : choisissez un "
        "nom en .csv ou en .xlsx."
    )


def test_export_needs_its_out_file(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        entry(["--db", db_url, "export", "members"])
    assert exit_info.value.code == 2
    assert "arguments obligatoires manquants : --out" in capsys.readouterr().err
