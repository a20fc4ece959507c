"""`python main.py bank import FILE` and `bank unmatched`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, bank
from main import entry
from tests.banking.conftest import BANQUE_POSTALE, CREDIT_AGRICOLE, SampleReader
from tests.services.test_bank import deposit_slip, make_co_op, owe, sample_reader


@pytest.fixture
def statements() -> SampleReader:
    return sample_reader()


def test_import_prints_the_counts_and_the_matches(
        db: Database, statements: SampleReader, capsys: pytest.CaptureFixture[str]) -> None:
    co_op = make_co_op(db)
    owe(db, co_op.members["lefebvre"], "64.00")
    deposit_slip(db, "REM-2026-0007", dt.date(2026, 11, 20), ["1254.50"])
    path = statements.path(CREDIT_AGRICOLE)
    assert entry(["--db", db.url, "bank", "import", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Relevé « credit-agricole-2026-11.csv » (CSV Crédit Agricole, compte 00012345678) :",
        "8 lignes lues, 8 nouvelles, 0 déjà connue, 0 rejetée",
        "3 rapprochées automatiquement ; 5 lignes à traiter en tout.",
    ]
    assert entry(["--db", db.url, "bank", "import", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [
        "8 lignes lues, 0 nouvelle, 8 déjà connues, 0 rejetée",
        "0 rapprochée automatiquement ; 5 lignes à traiter en tout.",
    ]

    assert entry(["--db", db.url, "bank", "unmatched", "--from", "2026-11-01",
                  "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Lignes du relevé à rapprocher (5, 320,45\xa0€) :"
    assert out[1] == "03/11/2026\t-7,50\xa0€\tFRAIS BANCAIRES COTISATION OFFRE ASSOCIATION"
    assert out[6] == "Attendu en banque, sans ligne du relevé (0, 0,00\xa0€) :"


def test_a_refused_file_says_why_and_stores_nothing(
        db: Database, statements: SampleReader, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    make_co_op(db)
    path = tmp_path / "bp.csv"
    path.write_bytes(statements.bytes(BANQUE_POSTALE).replace(b";58,50", b";58,5O"))
    assert entry(["--db", db.url, "bank", "import", str(path)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "0 ligne lue, 0 nouvelle, 0 déjà connue, 1 rejetée",
        "« bp.csv » : une ligne est illisible, rien n'a été lu :",
        "– ligne 8, colonne « Montant(EUROS) » : « 58,5O » n'est pas un montant",
        "Rien n'a été enregistré.",
    ]
    assert bank.list_lines(db=db, actor=LOCAL_ADMIN) == []

    other = tmp_path / "autre.csv"
    other.write_text("Jour;Opération;Somme\n30/11/2026;VIR;64,00\n", encoding="utf-8")
    assert entry(["--db", db.url, "bank", "import", str(other)]) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Définissez une correspondance de colonnes (fenêtre, Trésorerie › Banque), puis "
        "relancez avec --mapping NOM.")
    assert entry(["--db", db.url, "bank", "import", str(other), "--mapping", "Inconnue"]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : Correspondance de colonnes « Inconnue » introuvable (enregistrées : aucune).")


def test_the_account_is_given_when_the_file_does_not_say(
        db: Database, statements: SampleReader, capsys: pytest.CaptureFixture[str]) -> None:
    make_co_op(db, iban=None)
    path = statements.path("credit-mutuel-2026-11.csv")
    assert entry(["--db", db.url, "bank", "import", str(path)]) == 1
    assert "indiquez le compte (son IBAN)" in capsys.readouterr().err
    assert entry(["--db", db.url, "bank", "import", str(path), "--account",
                  "FR76 3000 6000 0112 3456 7890 189"]) == 0
    assert "compte FR7630006000011234567890189" in capsys.readouterr().out


def test_help_is_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        entry(["bank", "import", "--help"])
    text = capsys.readouterr().out
    assert "utilisation :" in text and "--mapping NOM" in text
    assert "la correspondance de colonnes enregistrée" in text
    with pytest.raises(SystemExit):
        entry(["bank"])
    assert "arguments obligatoires manquants" in capsys.readouterr().err
