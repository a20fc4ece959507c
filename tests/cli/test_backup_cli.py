"""`backup --out FILE` and `restore FILE` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from coopfood.persistence.models import Setting
from main import entry
from tests.conftest import backend


def test_backup_then_restore_from_the_command_line(
    db: Database, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.transaction() as session:
        session.add(Setting(key="témoin", value="avant"))
    target = tmp_path / ("copie.sqlite" if backend() == "sqlite" else "copie.dump")
    assert entry(["--db", db_url, "backup", "--out", str(target)]) == 0
    assert "Sauvegarde écrite" in capsys.readouterr().out
    with db.transaction() as session:
        session.get(Setting, "témoin").value = "après"  # type: ignore[union-attr]
    db.dispose()

    assert entry(["--db", db_url, "restore", str(target)]) == 0
    assert "Sauvegarde restaurée" in capsys.readouterr().out
    with db.reading() as session:
        assert session.get(Setting, "témoin").value == "avant"  # type: ignore[union-attr]


def test_restoring_something_else_fails_in_one_french_line(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("pas une base")
    assert entry(["--db", db_url, "restore", str(notes)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : « notes.txt » n'est pas une sauvegarde coopfood (ni une base SQLite, "
        "ni un export pg_dump).")
