"""Paramètres de la coopérative, from the menu and from the dashboard: identity, bank
details checked where they are typed, a logo, the legal texts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QPushButton
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.coop import DEFAULT_LEGAL_TEXTS, get_coop
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_idle
from ui.dialogs.coop import CoopDialog
from ui.main_window import MainWindow
from ui.views.coop_settings import CoopDashboardPage

IBAN = "FR76 3000 6000 0112 3456 7890 189"
BAD_IBAN = "FR76 3000 6000 0112 3456 7890 188"


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def logo_file(tmp_path: Path) -> Path:
    image = QImage(120, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("#2e7d32"))
    path = tmp_path / "logo.png"
    assert image.save(str(path))  # PNG, by its suffix
    return path


def test_settings_are_saved_from_the_menu_with_a_logo(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers, tmp_path: Path,
) -> None:
    answers.open_file = logo_file(tmp_path)
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, CoopDialog)
        assert dialog.windowTitle() == "Paramètres de la coopérative"
        assert [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())] == [
            "Identité", "Numéros et banque", "Facturation", "Mentions légales"]
        type_into(dialog.name, "AMAP des Coteaux d'Écully")
        click(dialog.choose_logo_button)
        seen["preview"] = not dialog.logo_preview.pixmap().isNull()
        type_into(dialog.iban, BAD_IBAN)
        dialog.tabs.setCurrentIndex(0)
        click(dialog.ok_button)
        wait_idle()
        # The IBAN's tab comes to the front, its message under it.
        seen["tab"] = dialog.tabs.tabText(dialog.tabs.currentIndex())
        seen["errors"] = dialog.shown_errors()
        type_into(dialog.iban, IBAN)
        type_into(dialog.fee_percent, "2,5")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    window.coop_settings_action.trigger()

    assert window.coop_settings_action.text() == "Paramètres de la &coopérative…"
    assert seen["preview"] is True
    assert seen["tab"] == "Numéros et banque"
    assert seen["errors"] == {"iban": f"IBAN « {BAD_IBAN} » invalide : la clé de contrôle ne "
                                      "correspond pas (vérifiez une faute de frappe)."}
    coop = get_coop(db=demo_db_copy, actor=LOCAL_ADMIN)
    assert coop is not None
    assert coop.name == "AMAP des Coteaux d'Écully"
    assert coop.iban == IBAN.replace(" ", "")
    assert str(coop.fee_percent) == "2.50"
    assert coop.logo_png == answers.open_file.read_bytes()
    assert window.windowTitle() == "coopfood — AMAP des Coteaux d'Écully"
    assert window.coop_label.text() == "AMAP des Coteaux d'Écully"
    dashboard = window.page("dashboard")
    assert isinstance(dashboard, CoopDashboardPage)
    assert dashboard.coop_banner.text.text().startswith("AMAP des Coteaux d'Écully — ")


def test_a_legal_text_is_reset_and_a_bad_one_is_shown_under_itself(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[dict[str, str]] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, CoopDialog)
        franchise = dialog.legal_edits["franchise"]
        franchise.setPlainText("TVA non applicable, art. 293 B du CGI (ancien)")
        dialog.legal_edits["autofacturation"].setPlainText("Facture établie par {cooperative}")
        click(dialog.ok_button)
        wait_idle()
        shown.append(dialog.shown_errors())
        assert dialog.tabs.tabText(dialog.tabs.currentIndex()) == "Mentions légales"
        reset = dialog.findChild(QPushButton, "reset_autofacturation")
        assert reset is not None and reset.text() == "Rétablir le texte par défaut"
        click(reset)
        assert dialog.legal_edits["autofacturation"].toPlainText() == (
            DEFAULT_LEGAL_TEXTS["autofacturation"])
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    window.coop_settings_action.trigger()

    [errors] = shown
    assert list(errors) == ["legal_texts.autofacturation"]
    assert errors["legal_texts.autofacturation"].startswith(
        "Le texte « autofacturation » contient un champ inconnu {cooperative}")
    coop = get_coop(db=demo_db_copy, actor=LOCAL_ADMIN)
    assert coop is not None
    assert coop.legal_texts["franchise"] == "TVA non applicable, art. 293 B du CGI (ancien)"
    assert coop.legal_texts["autofacturation"] == DEFAULT_LEGAL_TEXTS["autofacturation"]


def test_a_new_database_invites_to_enter_the_co_op_from_the_dashboard(
    qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = MainWindow(db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    dashboard = window.page("dashboard")
    assert isinstance(dashboard, CoopDashboardPage)
    banner = dashboard.coop_banner
    assert banner.button.text() == "Saisir la fiche de la coopérative…"
    assert window.windowTitle() == "coopfood"

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, CoopDialog)
        click(dialog.ok_button)  # no name yet
        wait_idle()
        assert dialog.shown_errors() == {
            "name": "Le nom de la coopérative est obligatoire."}
        type_into(dialog.name, "Épicerie coopérative du Vieux-Lyon")
        type_into(dialog.siret, "732 829 320 00074")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    banner.button.click()

    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    assert coop is not None and coop.siren == "732829320"
    assert banner.button.text() == "Paramètres de la coopérative…"
    assert window.windowTitle() == "coopfood — Épicerie coopérative du Vieux-Lyon"
    assert banner.text.textFormat() == Qt.TextFormat.PlainText  # a name may hold « < »
