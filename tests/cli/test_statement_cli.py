"""`python main.py print statement …`, `balance …` and `demo-statement …`."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.banking.statements import read_statement
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, ledger
from main import entry
from tests.services.invoicing_support import pdf_text

AS_OF = "2026-11-26"


def test_print_the_statements_of_two_households(demo_db: Database, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "relevés"
    assert entry(["--db", demo_db.url, "print", "statement", "--member", "1", "--member", "7",
                  "--to", AS_OF, "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("2 relevés écrits")
    files = sorted(out.iterdir())
    assert {Path(line) for line in lines[1:]} == set(files) and len(files) == 2
    assert [f.name[:24] for f in files] == ["releve-2026-11-26-adh-00"] * 2
    text = pdf_text(files[0].read_bytes())
    assert "Relevé de compte" in text and "ADH-0001" in text


def test_every_household_of_a_period(demo_db: Database, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "print", "statement", "--from", "2026-11-01",
                  "--to", AS_OF, "--point", "2", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) - 1 == len(list(tmp_path.iterdir())) > 10
    balances = ledger.member_balances(db=demo_db, actor=LOCAL_ADMIN, point_id=2)
    assert len(lines) - 1 <= len(balances)


def test_statement_options_are_checked(demo_db: Database, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "print", "statement", "--cycle", "3", "--out",
                  str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : Un relevé de compte couvre une période (--from, --to), pas une "
        "distribution : retirez --cycle.")
    assert entry(["--db", demo_db.url, "print", "sheets", "--cycle", "3", "--member", "1",
                  "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : L'option --member ne sert qu'aux relevés de compte (statement).")
    assert entry(["--db", demo_db.url, "print", "statement", "--member", "99999", "--out",
                  str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "Erreur : Foyer n° 99999 introuvable.")


def test_balances_as_lines_and_as_json(demo_db: Database,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "balance", "--date", AS_OF]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 151 and lines[-1].startswith("Total : 150 foyers, ")
    assert all(len(line.split("\t")) == 9 for line in lines[:-1])
    assert entry(["--db", demo_db.url, "balance", "--date", AS_OF, "--open", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and all(Decimal(row["balance"]) != 0 for row in rows)
    assert {"id", "name", "reference", "point", "due", "paid", "balance",
            "last_payment"} <= set(rows[0])
    first = rows[0]
    assert Decimal(first["due"]) - Decimal(first["paid"]) == Decimal(first["balance"])
    assert entry(["--db", demo_db.url, "balance", "--date", AS_OF, "--point", "1",
                  "--json"]) == 0
    at_point = json.loads(capsys.readouterr().out)
    assert len({row["point"] for row in at_point}) == 1
    assert entry(["--db", demo_db.url, "balance", "--producers"]) == 0
    producers = capsys.readouterr().out.splitlines()
    assert producers[-1].startswith("Total : 12 producteurs, la coopérative leur doit ")
    assert entry(["--db", demo_db.url, "balance", "--producers", "--point", "1"]) == 1
    assert "--point ne sert qu'aux soldes des foyers" in capsys.readouterr().err


@pytest.mark.parametrize(("kind", "suffix", "layout"), [
    ("csv", ".csv", "CSV Crédit Agricole"), ("ofx", ".ofx", "OFX"),
    ("camt", ".xml", "camt.053.001.02")])
def test_the_demo_bank_statement_of_a_month(demo_db: Database, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str], kind: str,
                                            suffix: str, layout: str) -> None:
    path = tmp_path / f"releve{suffix}"
    assert entry(["--db", demo_db.url, "demo-statement", "--month", "2026-11", "--out",
                  str(path), "--format", kind]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Relevé bancaire de démonstration de 11/2026 : ")
    assert lines[1] == str(path)
    parsed = read_statement(path)
    assert parsed.format == layout
    assert (parsed.period_start, parsed.period_end) == (
        parsed.lines[0].booking_date.replace(day=1), parsed.period_end)
    assert all(line.booking_date.month == 11 for line in parsed.lines)
    if parsed.opening_balance is not None:
        assert parsed.opening_balance + parsed.total == parsed.closing_balance


def test_a_bad_month_is_told_in_french(demo_db: Database, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "demo-statement", "--month", "novembre", "--out",
                  str(tmp_path / "x.csv")]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : « novembre » n'est pas un mois AAAA-MM (par exemple 2026-11).")
