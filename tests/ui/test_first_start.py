"""The first start: the assistant creates the co-op and its first point, or installs the demo;
later starts open the last database used."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database, connect
from coopfood.services import LOCAL_ADMIN
from coopfood.services.coop import get_coop
from coopfood.services.lists import list_members, list_points
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_idle, wait_until
from ui import settings
from ui.app import database_to_open, remember_database, welcome_if_empty
from ui.dialogs.first_start import FirstStartDialog


def test_the_assistant_creates_the_coop_and_its_first_point(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    def volunteer(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstStartDialog)
        type_into(dialog.name, "AMAP des Coteaux")
        type_into(dialog.address, "3 rue des Vignes")
        type_into(dialog.postal_code, "69340")
        type_into(dialog.city, "Francheville")
        type_into(dialog.siret, "12345678901234")
        type_into(dialog.point_name, "Salle des fêtes")
        click(dialog.ok_button)
        wait_idle()
        assert "SIRET" in dialog.shown_errors()["siret"]  # told next to the field
        assert dialog.isVisible()
        type_into(dialog.siret, "73282932000074")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, volunteer)
    assert welcome_if_empty(db)
    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    assert coop is not None and coop.name == "AMAP des Coteaux"
    assert coop.siret == "73282932000074"
    [point] = list_points(db=db, actor=LOCAL_ADMIN)
    assert point.name == "Salle des fêtes" and point.weekday == 3
    # The base is no longer empty: the next start goes straight to the window.
    assert welcome_if_empty(db)


def test_the_assistant_installs_the_demo(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    def curious(dialog: QDialog) -> None:
        assert isinstance(dialog, FirstStartDialog)
        click(dialog.demo_button)
        wait_until(lambda: not dialog.isVisible(), timeout_ms=60_000)

    play_dialogs(monkeypatch, qtbot, curious)
    assert welcome_if_empty(db)
    assert len(list_members(db=db, actor=LOCAL_ADMIN)) == 150


def test_quitting_the_assistant_leaves_the_base_empty(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, db: Database
) -> None:
    play_dialogs(monkeypatch, qtbot, lambda dialog: dialog.reject())
    assert not welcome_if_empty(db)
    assert get_coop(db=db, actor=LOCAL_ADMIN) is None


def test_later_starts_open_the_last_database(tmp_path: Path, answers: Answers) -> None:
    url = f"sqlite:///{tmp_path / 'amap.sqlite'}"
    db = connect(url)
    try:
        remember_database(db)
    finally:
        db.dispose()
    Path(tmp_path / "amap.sqlite").touch()
    assert database_to_open(None) == url
    assert database_to_open("sqlite:///autre.sqlite") == "sqlite:///autre.sqlite"  # --db wins
    Path(tmp_path / "amap.sqlite").unlink()
    assert database_to_open(None) is None  # the default base
    [told] = answers.infos
    assert "introuvable" in told and "amap.sqlite" in told
    settings.write(settings.LAST_DATABASE, "")
