"""`python main.py print sheets|pickup|grid|labels --cycle ID [--point ID] --out DIR`."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from main import entry
from tests.documents.support import awkward_co_op


@pytest.fixture
def co_op(db: Database) -> dict[str, int]:
    return awkward_co_op(db, big_point_households=10)


def test_one_pdf_per_point_and_the_list_of_files(
        db_url: str, co_op: dict[str, int], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "docs"
    assert entry(["--db", db_url, "print", "sheets", "--cycle", str(co_op["cycle"]),
                  "--out", str(out)]) == 0
    captured = capsys.readouterr()
    files = sorted(out.iterdir())
    assert [f.name for f in files] == ["emargement-2026-12-03-grand-point.pdf",
                                       "emargement-2026-12-03-salle-jean-lucie.pdf"]
    assert captured.out.splitlines()[0].startswith("2 fichiers écrits (")
    assert {Path(line) for line in captured.out.splitlines()[1:]} == set(files)
    assert "100 % Terminé" in captured.err


def test_one_pickup_list_per_producer_and_point_filter(
        db_url: str, co_op: dict[str, int], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", db_url, "print", "pickup", "--cycle", str(co_op["cycle"]),
                  "--out", str(tmp_path / "pickup")]) == 0
    assert sorted(f.name for f in (tmp_path / "pickup").iterdir()) == [
        "preparation-2026-12-03-autre-producteur.pdf",
        "preparation-2026-12-03-ferme-du-pre-fils.pdf"]
    assert entry(["--db", db_url, "print", "grid", "--cycle", str(co_op["cycle"]),
                  "--point", str(co_op["big"]), "--out", str(tmp_path / "grid")]) == 0
    assert [f.name for f in (tmp_path / "grid").iterdir()] == [
        "grille-2026-12-03-grand-point.pdf"]


def test_errors_are_one_french_line(db_url: str, co_op: dict[str, int], tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", db_url, "print", "labels", "--cycle", "999",
                  "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == "Erreur : La distribution n° 999 n'existe pas."
    with pytest.raises(SystemExit) as exit_:
        entry(["--db", db_url, "print", "invoices", "--cycle", "1", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "choix invalide" in capsys.readouterr().err
