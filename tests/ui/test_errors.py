"""An unexpected exception in the window: told in French, logged, and the window goes on."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.ui.drive import click
from ui import errors
from ui.dialogs import messages


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_opens_the_dialog_and_is_logged(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def show_unexpected_error(parent: QWidget | None, details: str) -> None:
        shown.append(details)

    monkeypatch.setattr(messages, "show_unexpected_error", show_unexpected_error)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    errors.install()

    def broken_slot() -> None:
        raise ZeroDivisionError("division par zéro dans un calcul")

    button = QPushButton("Calculer")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    button.show()
    click(button)

    [details] = shown
    assert "Traceback" in details and "broken_slot" in details
    log = errors.log_path().read_text(encoding="utf-8")
    assert "Erreur inattendue" in log
    assert "ZeroDivisionError: division par zéro dans un calcul" in log
    assert button.isVisible()  # the window goes on
