"""« Fichier → Sauvegarder la base… » and « Restaurer une sauvegarde… » from the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import list_members
from tests.conftest import backend
from tests.ui.drive import Answers, wait_idle
from ui.main_window import MainWindow
from ui.views.list_page import ListPage


def test_save_then_restore_from_the_menu_brings_the_households_back(
    qtbot: QtBot, demo_db_copy: Database, answers: Answers, tmp_path: Path
) -> None:
    window = MainWindow(demo_db_copy, LOCAL_ADMIN)
    qtbot.addWidget(window)
    window.show()
    names = [m.name for m in list_members(db=demo_db_copy, actor=LOCAL_ADMIN)]

    answers.save_file = tmp_path / ("copie.sqlite" if backend() == "sqlite" else "copie.dump")
    window.backup_action.trigger()
    wait_idle(qtbot)
    assert answers.save_file.exists()
    assert any("Sauvegarde écrite" in info for info in answers.infos)

    with demo_db_copy.transaction() as session:
        session.execute(text("UPDATE member SET last_name = 'Effacé'"))
    window.show_section("members")

    answers.open_file = answers.save_file
    answers.confirm = True
    window.restore_action.trigger()
    wait_idle(qtbot)
    assert any("remplacer toutes les données actuelles" in q.lower() for q in answers.asked)
    assert [m.name for m in list_members(db=demo_db_copy, actor=LOCAL_ADMIN)] == names
    # The page was rebuilt on the restored data, not left showing the erased names.
    page = window.page("members")
    assert isinstance(page, ListPage)
    model = page.table.model()
    assert model.index(0, 0).data() == names[0]


def test_a_file_that_is_not_a_backup_is_refused_before_anything_is_asked(
    qtbot: QtBot, demo_db_copy: Database, answers: Answers, tmp_path: Path
) -> None:
    window = MainWindow(demo_db_copy, LOCAL_ADMIN)
    qtbot.addWidget(window)
    notes = tmp_path / "notes.sqlite"
    notes.write_text("liste de courses")
    answers.open_file = notes
    window.restore_action.trigger()
    wait_idle(qtbot)
    assert answers.errors == [
        "« notes.sqlite » n'est pas une sauvegarde coopfood (ni une base SQLite, "
        "ni un export pg_dump)."]
    assert answers.asked == []


def test_the_number_of_daily_copies_is_set_from_the_menu(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch, answers: Answers
) -> None:
    from coopfood.services.backup import keep_count
    from ui.dialogs import messages

    window = MainWindow(db, LOCAL_ADMIN)
    qtbot.addWidget(window)
    asked: list[tuple[str, int]] = []

    def ask_number(parent: object, *, title: str, label: str, value: int, minimum: int,
                   maximum: int) -> int:
        asked.append((label, value))
        return 30

    monkeypatch.setattr(messages, "ask_number", ask_number)
    window.daily_copies_action.trigger()
    assert asked[0][1] == 10  # the default, shown before it is changed
    assert "chaque jour d'utilisation" in asked[0][0]
    assert keep_count(db=db) == 30
