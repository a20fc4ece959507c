"""`python main.py pay producers …` and `export journal --period …`."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from coopfood.banking.sepa import read_transfer_file
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, invoicing, payouts
from main import entry
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)


@pytest.fixture
def numbers(demo_db_copy: Database) -> list[str]:
    producers = [producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True),
                 producer_id(demo_db_copy, regime=VatRegime.FRANCHISE, mandate=False)]
    report = invoicing.issue_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=producers, issue_date=ISSUE_DAY, processes=1)
    return [row.number for row in report.invoices]


def test_pay_chosen_invoices_one_in_part(demo_db_copy: Database, numbers: list[str],
                                         tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "virements.xml"
    date = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert entry(["--db", demo_db_copy.url, "pay", "producers", "--invoices",
                  numbers[0], f"{numbers[1]}:12,34", "--out", str(out), "--date", date]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith(f"{numbers[0]}\t")
    assert printed[1].split("\t")[0] == numbers[1] and printed[1].endswith("12,34\u00a0€")
    assert printed[2].startswith("2 virements, ")
    assert printed[2].endswith(f"Fichier : {out}")
    read = read_transfer_file(out.read_bytes())
    assert [t.end_to_end_id for t in read.transfers] == numbers
    assert read.execution_date.isoformat() == date
    left = payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN)
    assert [row.number for row in left] == [numbers[1]]

    # Paid already: refused, one French line, exit status 1, no file.
    again = tmp_path / "encore.xml"
    assert entry(["--db", demo_db_copy.url, "pay", "producers", "--invoices", numbers[0],
                  "--out", str(again)]) == 1
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert error.startswith(f"Erreur : La facture {numbers[0]} (") and "déjà réglée" in error
    assert not again.exists()


def test_pay_all_due(demo_db_copy: Database, numbers: list[str], tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    due = payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN)[0].due_date
    before = (due - dt.timedelta(days=1)).isoformat()
    if dt.date.fromisoformat(before) >= dt.date.today():
        assert entry(["--db", demo_db_copy.url, "pay", "producers", "--all-due", "--out",
                      str(tmp_path / "rien.xml"), "--date", before]) == 0
        assert capsys.readouterr().out.startswith("Aucune facture échue au ")
        assert not (tmp_path / "rien.xml").exists()
    out = tmp_path / "echues.xml"
    day = max(due, dt.date.today()).isoformat()
    assert entry(["--db", demo_db_copy.url, "pay", "producers", "--all-due", "--out", str(out),
                  "--date", day]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 virements, ")
    assert len(read_transfer_file(out.read_bytes()).transfers) == 2
    assert payouts.payable_invoices(db=demo_db_copy, actor=LOCAL_ADMIN) == []


@pytest.mark.parametrize("chosen", [[], ["--all-due", "--invoices", "COOP-2026-0001"]])
def test_pay_needs_invoices_or_all_due(chosen: list[str], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["pay", "producers", "--out", str(tmp_path / "x.xml"), *chosen]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : Indiquez les factures à payer : --invoices NUMÉRO… ou --all-due (l'un ou "
        "l'autre).")


def test_export_the_journal_of_a_month(demo_db_copy: Database, numbers: list[str],
                                       tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "journal.csv"
    assert entry(["--db", demo_db_copy.url, "export", "journal", "--period", "2026-11",
                  "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    written = out.read_bytes()
    assert written.startswith(b"\xef\xbb\xbfDate;Journal;")
    # What the command says is what the file holds: one row per journal line.
    rows = list(csv.reader(io.StringIO(written.decode("utf-8-sig")), delimiter=";"))[1:]
    pieces = {row[2] for row in rows}
    assert line.startswith(f"Journal novembre 2026 : {len(rows)} lignes, {len(pieces)} pièces, ")
    assert "au débit et au crédit" in line
    assert line.endswith(str(out))
    assert entry(["--db", demo_db_copy.url, "export", "journal", "--out", str(out)]) == 1
    assert "Indiquez la période du journal" in capsys.readouterr().err
    assert entry(["--db", demo_db_copy.url, "export", "journal", "--period", "novembre",
                  "--out", str(out)]) == 1
    assert "Période « novembre » invalide" in capsys.readouterr().err
    assert entry(["--db", demo_db_copy.url, "export", "members", "--period", "2026-11",
                  "--out", str(tmp_path / "m.csv")]) == 1
    assert "--period ne sert qu'au journal" in capsys.readouterr().err
