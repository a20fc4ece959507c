"""`print roster`, `export calendar`, `report value`: files written, one French line on error."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from icalendar import Calendar

from coopfood.persistence.db import Database
from main import entry
from tests.documents.support import pages_text


def test_print_roster_writes_one_pdf(demo_db: Database, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "planning"
    assert entry(["--db", demo_db.url, "print", "roster", "--from", "2026-11-20",
                  "--to", "2026-12-31", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    [pdf] = out.iterdir()
    assert pdf.name == "planning-permanences-2026-11-20-2026-12-31.pdf"
    assert lines[0].startswith("Planning écrit (1 page, ") and "à pourvoir" in lines[0]
    assert lines[1] == str(pdf)
    assert "À POURVOIR" in pages_text(pdf)[0]
    assert entry(["--db", demo_db.url, "print", "roster", "--from", "2026-11-20",
                  "--to", "2026-12-31", "--point", "2", "--out", str(out)]) == 0
    assert len(list(out.iterdir())) == 2


def test_print_roster_errors(demo_db: Database, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "print", "roster", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "Erreur : Indiquez la période du planning : --from AAAA-MM-JJ --to AAAA-MM-JJ.")
    assert entry(["--db", demo_db.url, "print", "roster", "--from", "2026-12-31", "--to",
                  "2026-12-01", "--out", str(tmp_path)]) == 1
    assert "précède" in capsys.readouterr().err
    assert entry(["--db", demo_db.url, "print", "sheets", "--out", str(tmp_path)]) == 1
    assert "--cycle ID" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        entry(["--db", demo_db.url, "print", "roster", "--from", "3 décembre", "--to",
               "2026-12-31", "--out", str(tmp_path)])
    assert exit_.value.code == 2
    assert "n'est pas une date AAAA-MM-JJ" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_export_calendar_of_a_household_and_of_a_point(
        demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    household = tmp_path / "foyer.ics"
    assert entry(["--db", demo_db.url, "export", "calendar", "--member", "13",
                  "--out", str(household)]) == 0
    said = capsys.readouterr().out.strip()
    events = Calendar.from_ical(household.read_bytes()).walk("VEVENT")
    assert said == f"{len(events)} événements écrits dans {household}."
    assert any("Permanence" in str(e["summary"]) for e in events)
    point = tmp_path / "point.ics"
    assert entry(["--db", demo_db.url, "export", "calendar", "--point", "2",
                  "--out", str(point)]) == 0
    events = Calendar.from_ical(point.read_bytes()).walk("VEVENT")
    assert len(events) == 8
    assert {e.decoded("dtstart").astimezone(dt.UTC).time() for e in events} == {
        dt.time(15, 30), dt.time(16, 30)}


def test_export_calendar_errors_and_lists_still_export(
        demo_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "export", "calendar", "--out",
                  str(tmp_path / "x.ics")]) == 1
    assert "--member ID (un foyer) ou --point ID" in capsys.readouterr().err
    assert entry(["--db", demo_db.url, "export", "calendar", "--member", "1", "--point", "1",
                  "--out", str(tmp_path / "x.ics")]) == 1
    capsys.readouterr()
    assert entry(["--db", demo_db.url, "export", "calendar", "--member", "99999",
                  "--out", str(tmp_path / "x.ics")]) == 1
    assert capsys.readouterr().err.strip() == "Erreur : Le foyer n° 99999 n'existe pas."
    assert entry(["--db", demo_db.url, "export", "calendar", "--point", "1",
                  "--out", str(tmp_path / "x.csv")]) == 1
    assert ".ics" in capsys.readouterr().err
    assert not (tmp_path / "x.ics").exists()
    assert entry(["--db", demo_db.url, "export", "members", "--out",
                  str(tmp_path / "m.csv")]) == 0
    assert "150 lignes écrites" in capsys.readouterr().out
    assert entry(["--db", demo_db.url, "export", "members", "--member", "1", "--out",
                  str(tmp_path / "m.csv")]) == 1


@pytest.mark.parametrize("suffix", [".pdf", ".csv", ".xlsx"])
def test_report_value_by_extension(demo_db: Database, tmp_path: Path, suffix: str,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"valeur{suffix}"
    assert entry(["--db", demo_db.url, "report", "value", "--period", "2026-11",
                  "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"Partage de la valeur — novembre 2026 : {out}"
    assert lines[1].startswith("Sur 100\u00a0€ payés : ")
    assert out.stat().st_size > 0


def test_report_value_errors(demo_db: Database, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", demo_db.url, "report", "value", "--period", "novembre",
                  "--out", str(tmp_path / "v.pdf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["Erreur : Période « novembre » invalide : attendu AAAA-MM (un mois, par "
                   "exemple 2026-11) ou AAAA (une année)."]
    assert entry(["--db", demo_db.url, "report", "value", "--period", "2026-11",
                  "--out", str(tmp_path / "v.ods")]) == 1
    assert "choisissez un nom en .pdf, .csv ou .xlsx" in capsys.readouterr().err
    assert entry(["--db", demo_db.url, "report", "value", "--period", "2026-11",
                  "--out", str(tmp_path / "absent" / "v.pdf")]) == 1
    assert "n'existe pas" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
