"""Importing and exporting lists from the window: a preview of every rejected row first,
the import the user chose afterwards; an export written where the user said."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import MemberRow, list_members, list_points
from tests.imports.support import dump, write_csv
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, wait_idle, wait_until
from ui.dialogs.import_dialog import ImportDialog, preview_text, result_text
from ui.main_window import MainWindow
from ui.views.list_page import ListPage

HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Code postal", "Ville", "Point", "Adhésion",
          "Remarque"]


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def members_page(window: MainWindow) -> ListPage[MemberRow]:
    window.show_section("members")
    page = window.page("members")
    assert isinstance(page, ListPage)
    return page


def members_file(db: Database, folder: Path, *, bad: bool) -> Path:
    point = list_points(db=db, actor=LOCAL_ADMIN)[0].name
    lines = [HEADER,
             ["Lefèvre", "Hélène", "helene@exemple.org", "06 12 34 56 78", "69004", "Lyon",
              point, "2026", "vient du marché"],
             ["Nguyễn", "Anh", "anh@exemple.org", "", "69001", "Lyon", point, "", ""]]
    if bad:
        lines += [["Martin", "Zoé", "zoe@exemple", "", "69004", "Lyon", point, "2026", ""],
                  ["Durand", "Léo", "leo@exemple.org", "", "69004", "Lyon", "Gymnase", "", ""]]
    return write_csv(folder / "adherents.csv", lines)


def test_a_bad_file_is_previewed_and_only_its_valid_rows_are_imported_when_chosen(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers, tmp_path: Path,
) -> None:
    page = members_page(window)
    before = len(page.model.rows())
    answers.open_file = members_file(demo_db_copy, tmp_path, bad=True)
    state = dump(demo_db_copy)
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportDialog)
        assert dialog.windowTitle() == "Importer des adhérents"
        wait_until(lambda: dialog.preview is not None)
        seen["status"] = dialog.status.text()
        model = dialog.rejected_rows.model
        seen["headers"] = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
        seen["rejected"] = [[model.cell_text(r, c) for c in range(3)]
                            for r in range(model.rowCount())]
        warnings = dialog.warning_rows.model
        seen["warnings"] = [[warnings.cell_text(r, c) for c in range(3)]
                            for r in range(warnings.rowCount())]
        seen["buttons"] = (dialog.import_button.text(), dialog.import_button.isEnabled(),
                           dialog.import_valid_button.text(),
                           dialog.import_valid_button.isVisibleTo(dialog),
                           dialog.close_button.text())
        seen["untouched"] = dump(demo_db_copy) == state  # a preview writes nothing
        click(dialog.import_valid_button)
        wait_until(lambda: dialog.report is not None)
        seen["result"] = dialog.status.text()
        seen["close"] = dialog.close_button.text()
        click(dialog.close_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.import_action.trigger()

    assert seen["status"] == "2 à créer, 0 à mettre à jour, 0 inchangé, 2 rejetés"
    assert seen["headers"] == ["Ligne", "Colonne", "Motif"]
    rejected = seen["rejected"]
    assert isinstance(rejected, list)
    assert rejected[0] == ["4", "E-mail", "Adresse e-mail « zoe@exemple » invalide."]
    assert rejected[1][:2] == ["5", "Point"]
    assert rejected[1][2].startswith("Point de distribution « Gymnase » inconnu")
    assert len(rejected) == 2
    assert seen["warnings"] == [["1", "Remarque", "colonne inconnue, ignorée."]]
    assert seen["buttons"] == ("Importer", False, "Importer les lignes valides", True, "Annuler")
    assert seen["untouched"] is True
    assert seen["result"] == ("Import terminé : 2 créés, 0 mis à jour, 0 inchangé. "
                              "2 lignes rejetées n'ont pas été importées.")
    assert seen["close"] == "Fermer"
    names = {row.name for row in page.model.rows()}
    assert len(page.model.rows()) == before + 2
    assert {"LEFÈVRE Hélène", "NGUYỄN Anh"} <= names


def test_a_good_file_is_imported_whole(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers, tmp_path: Path,
) -> None:
    answers.open_file = members_file(demo_db_copy, tmp_path, bad=False)
    seen: list[object] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportDialog)
        wait_until(lambda: dialog.preview is not None)
        seen.extend([dialog.status.text(), dialog.import_button.isEnabled(),
                     dialog.import_valid_button.isVisibleTo(dialog),
                     dialog.rejected_rows.isVisibleTo(dialog)])
        click(dialog.import_button)
        wait_until(lambda: dialog.report is not None)
        seen.append(dialog.status.text())
        click(dialog.close_button)

    play_dialogs(monkeypatch, qtbot, user)
    window.import_actions["members"].trigger()  # « Fichier → Importer → Adhérents… »

    assert window.current_section() == "members"
    assert seen == ["2 à créer, 0 à mettre à jour, 0 inchangé, 0 rejeté", True, False, False,
                    "Import terminé : 2 créés, 0 mis à jour, 0 inchangé."]
    assert len(list_members(db=demo_db_copy, actor=LOCAL_ADMIN)) == len(
        members_page(window).model.rows())


def test_a_file_that_cannot_be_read_is_told_in_the_dialog(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers, tmp_path: Path,
) -> None:
    answers.open_file = write_csv(tmp_path / "liste.csv",
                                  [["Prénom", "Email"], ["Hélène", "h@exemple.fr"]])
    seen: list[str] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportDialog)
        wait_until(lambda: dialog.error.isVisibleTo(dialog))
        seen.extend([dialog.status.text(), dialog.error.text(), dialog.close_button.text()])
        assert not dialog.import_button.isEnabled()
        click(dialog.close_button)

    play_dialogs(monkeypatch, qtbot, user)
    members_page(window).import_action.trigger()
    assert seen[0] == "Le fichier n'a pas pu être importé ; rien n'a été enregistré."
    assert "colonne obligatoire absente : « nom »" in seen[1]
    assert seen[2] == "Fermer"


def test_counts_read_in_french() -> None:
    from coopfood.imports import ImportReport

    report = ImportReport(kind="members", file="a.csv", created=148, updated=2, unchanged=0,
                          rejected=3, errors=(), warnings=(), written=False, dry_run=True)
    assert preview_text(report) == "148 à créer, 2 à mettre à jour, 0 inchangé, 3 rejetés"
    assert result_text(report) == ("Import terminé : 148 créés, 2 mis à jour, 0 inchangé. "
                                   "3 lignes rejetées n'ont pas été importées.")


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_an_export_writes_the_list_where_the_user_chose(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, answers: Answers,
    tmp_path: Path, suffix: str,
) -> None:
    page = members_page(window)
    answers.save_file = tmp_path / f"adhérents.{suffix}"
    page.export_action.trigger()
    wait_idle()

    count = len(list_members(db=demo_db_copy, actor=LOCAL_ADMIN))
    assert answers.infos == [f"{count} lignes exportées dans « adhérents.{suffix} »."]
    if suffix == "xlsx":
        sheet = load_workbook(answers.save_file).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
    else:
        with answers.save_file.open(encoding="utf-8-sig", newline="") as handle:
            rows = [tuple(r) for r in csv.reader(handle, delimiter=";")]
    assert rows[0][:2] == ("nom", "prénom")
    assert len(rows) == count + 1


def test_a_refused_export_is_told_in_french(
    qtbot: QtBot, window: MainWindow, answers: Answers, tmp_path: Path
) -> None:
    page = members_page(window)
    answers.save_file = tmp_path / "adherents.ods"
    page.export_action.trigger()
    wait_idle()
    [message] = answers.errors
    assert message.startswith("Format de fichier « .ods » non pris en charge")
    assert page.export_action.isEnabled()

