"""Producers from the window: typed into their dialog, checked by the service, archived
rather than deleted once something refers to them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import ProducerRow, list_producers
from tests.imports.support import dump, siret_for
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_idle
from ui.dialogs.producer import ProducerDialog
from ui.main_window import MainWindow
from ui.views.list_page import ListPage

SIRET = siret_for("81234567")
#: The same SIRET with its last digit mistyped: the check digit no longer matches.
BAD_SIRET = SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10)


def spaced(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    """The main window on a copy of the demo, which the test may change."""
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def producers_page(window: MainWindow) -> ListPage[ProducerRow]:
    window.show_section("producers")
    page = window.page("producers")
    assert isinstance(page, ListPage)
    return page


def test_a_bad_siret_is_shown_next_to_its_field_and_a_good_one_saves_the_producer(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers,
) -> None:
    page = producers_page(window)
    before = len(page.model.rows())
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProducerDialog)
        assert dialog.windowTitle() == "Nouveau producteur"
        assert dialog.ok_button.text() == "Enregistrer"
        assert dialog.cancel_button.text() == "Annuler"
        type_into(dialog.name, "Ferme des Quatre Saisons & fils")
        type_into(dialog.siret, spaced(BAD_SIRET))
        type_into(dialog.city, "Vaugneray")
        type_into(dialog.iban, "FR76 3000 6000 0112 3456 7890 189")
        state = dump(demo_db_copy)
        click(dialog.ok_button)
        wait_idle()

        # The dialog stays open, the message sits under the SIRET, which is outlined.
        assert dialog.isVisible()
        error = dialog.error_label("siret")
        assert error.isVisibleTo(dialog)
        seen["error"] = error.text()
        assert dialog.fields["siret"].property("invalid") is True
        assert dialog.shown_errors().keys() == {"siret"}
        assert dump(demo_db_copy) == state  # nothing was saved

        type_into(dialog.siret, spaced(SIRET))
        assert not error.isVisibleTo(dialog)  # the message goes as the field is corrected
        assert dialog.fields["siret"].property("invalid") is False
        click(dialog.ok_button)
        wait_idle()
        assert dialog.result() == QDialog.DialogCode.Accepted

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()

    assert seen["error"] == (
        f"SIRET « {spaced(BAD_SIRET)} » invalide : la clé de contrôle ne correspond pas "
        "(vérifiez une faute de frappe).")
    assert len(page.model.rows()) == before + 1
    selected = page.selected_row()
    assert selected is not None
    assert (selected.name, selected.siret, selected.city) == (
        "Ferme des Quatre Saisons & fils", SIRET, "Vaugneray")
    assert page.table.model().index(page.table.currentIndex().row(), 0).data() == (
        "Ferme des Quatre Saisons & fils")
    assert any(p.siret == SIRET for p in list_producers(db=demo_db_copy, actor=LOCAL_ADMIN))
    assert answers.errors == []


def test_a_producer_with_products_is_archived_instead_of_deleted(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, answers: Answers
) -> None:
    page = producers_page(window)
    target = next(row for row in page.visible_rows() if row.product_count)
    assert page.select(target.id)
    assert page.delete_action.text() == "Supprimer"

    page.delete_action.trigger()
    wait_idle()

    question, reason = answers.asked
    assert question.startswith(f"Supprimer « {target.name} » ?")
    assert reason.startswith(f"Impossible de supprimer « {target.name} » : "
                             f"{target.product_count} produit(s)")
    assert "Archivez-le plutôt" in reason
    # « Archiver à la place »: the producer leaves the list, and comes back with the archives.
    assert target.id not in {row.id for row in page.model.rows()}
    page.show_archived.setChecked(True)
    assert page.select(target.id)
    row = page.table.currentIndex().row()
    assert page.table.model().index(row, 0).data(Qt.ItemDataRole.FontRole).italic()
    assert page.archive_action.text() == "Désarchiver"

    page.archive_action.trigger()
    wait_idle()
    page.show_archived.setChecked(False)
    assert target.id in {row.id for row in page.model.rows()}


def test_a_refused_delete_changes_nothing_when_archiving_is_declined(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, answers: Answers
) -> None:
    answers.archive_instead = False
    page = producers_page(window)
    target = next(row for row in page.visible_rows() if row.product_count)
    page.select(target.id)
    state = dump(demo_db_copy)
    page.delete_action.trigger()
    wait_idle()
    assert len(answers.asked) == 2
    assert dump(demo_db_copy) == state
    assert page.selected_row() == target


def test_a_producer_nothing_refers_to_is_deleted_after_confirmation(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers,
) -> None:
    page = producers_page(window)

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProducerDialog)
        type_into(dialog.name, "Saisi par erreur")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()
    created = page.selected_row()
    assert created is not None and created.name == "Saisi par erreur"

    answers.confirm = False
    page.delete_action.trigger()
    wait_idle()
    assert created in page.model.rows()

    answers.confirm = True
    page.delete_action.trigger()
    wait_idle()
    assert created.id not in {row.id for row in page.model.rows()}
    assert len(answers.asked) == 2  # the two confirmations, no archive offered


def test_the_toolbar_reads_in_french_and_follows_the_selection(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = producers_page(window)
    assert page.toolbar is not None
    texts = [action.iconText() for action in page.toolbar.actions() if action.iconText()]
    assert texts[:6] == ["Nouveau…", "Modifier…", "Archiver", "Supprimer", "Importer…",
                         "Exporter…"]
    assert page.new_action.shortcut().toString() == "Ctrl+N"
    assert page.show_archived.text() == "Afficher les archives"
    page.table.clearSelection()
    assert not page.edit_action.isEnabled() and not page.delete_action.isEnabled()
    page.table.selectRow(0)
    assert page.edit_action.isEnabled() and page.delete_action.isEnabled()


def test_enter_on_a_row_opens_its_dialog(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtTest import QTest

    page = producers_page(window)
    opened = play_dialogs(monkeypatch, qtbot, lambda dialog: dialog.reject())
    page.table.setFocus()
    page.table.selectRow(1)
    QTest.keyClick(page.table, Qt.Key.Key_Return)
    [dialog] = opened
    assert isinstance(dialog, ProducerDialog)
    row = page.selected_row()
    assert row is not None
    name_edit = dialog.name
    assert isinstance(name_edit, QLineEdit) and name_edit.text() == row.name


def test_the_dashboard_counts_a_producer_added_meanwhile(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.views.coop_settings import CoopDashboardPage

    dashboard = window.page("dashboard")
    assert isinstance(dashboard, CoopDashboardPage)
    wait_idle()  # the figures are read on the background queue
    before = dashboard.tiles["producers"].value.text()

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProducerDialog)
        type_into(dialog.name, "Miellerie des Monts du Lyonnais")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    producers_page(window).new_action.trigger()
    window.show_section("dashboard")
    wait_idle()
    assert int(dashboard.tiles["producers"].value.text()) == int(before) + 1
