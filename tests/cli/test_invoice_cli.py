"""`python main.py invoice issue|credit-note …` and `list invoices --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from main import entry
from tests.services.invoicing_support import (
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    pdf_text,
    producer_id,
)


def test_issue_a_month_then_nothing_new(demo_db_copy: Database, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    url = demo_db_copy.url
    producers = [producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True),
                 producer_id(demo_db_copy, regime=VatRegime.FRANCHISE, mandate=False)]
    out = tmp_path / "factures"
    args = ["--db", url, "invoice", "issue", "--period", "2026-11", "--out", str(out)]
    for producer in producers:
        args += ["--producer", str(producer)]
    assert entry(args) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].startswith("2 factures émises pour novembre 2026 (")
    files = sorted(out.iterdir())
    assert len(files) == 2 and {Path(line) for line in lines[1:]} == set(files)
    assert "COOP-2026-0001.pdf" in [f.name for f in files]
    assert "Facture" in pdf_text(files[0].read_bytes()) or "FACTURE" in pdf_text(
        files[0].read_bytes())

    assert entry(args) == 0
    again = capsys.readouterr().out
    assert again.startswith("Rien de nouveau à facturer pour novembre 2026")

    assert entry(["--db", url, "list", "invoices", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 2
    first = listed[0]
    assert {"id", "name", "number", "producer", "date", "total", "status"} <= set(first)
    assert first["date"] == "2026-11-30" and first["status"] == "issued"
    assert first["name"] == f"{first['number']} — {first['producer']}"
    assert entry(["--db", url, "list", "invoices"]) == 0
    assert "Émise" in capsys.readouterr().out


def test_credit_note_for_some_lines(demo_db_copy: Database, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    url = demo_db_copy.url
    producer = producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True)
    assert entry(["--db", url, "invoice", "issue", "--period", "2026-11", "--producer",
                  str(producer), "--out", str(tmp_path)]) == 0
    number = Path(capsys.readouterr().out.splitlines()[1]).stem
    assert entry(["--db", url, "invoice", "credit-note", number, "--reason", "Pommes abîmées",
                  "--line", "1:0,5", "--out", str(tmp_path / "avoirs")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"Avoir {number[:-4]}") and f"sur la facture {number}" in out[0]
    text = pdf_text(Path(out[1]).read_bytes())
    assert f"Avoir sur la facture n° {number}" in text and "Motif : Pommes abîmées" in text

    assert entry(["--db", url, "invoice", "credit-note", number, "--reason", "Trop",
                  "--line", "1:99999", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Erreur : Ligne 1 (")
    assert "il ne reste que" in err[0]
    assert entry(["--db", url, "invoice", "credit-note", "NULLE-2026-0001", "--reason", "x",
                  "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == "Erreur : Facture n° NULLE-2026-0001 introuvable."


def test_bad_arguments_are_told_in_french(demo_db_copy: Database, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    url = demo_db_copy.url
    assert entry(["--db", url, "invoice", "issue", "--period", "novembre", "--out",
                  str(tmp_path)]) == 1
    assert "attendu un mois AAAA-MM" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        entry(["--db", url, "invoice", "credit-note", "X", "--reason", "r", "--line", "trois",
               "--out", str(tmp_path)])
    assert "attendu N°LIGNE:QUANTITÉ" in capsys.readouterr().err
