"""Playing the user in the window tests: typing into dialogs, answering questions.

A modal dialog would block a test, so `play_dialogs` replaces
`ui.dialogs.form.run_modal` (the one function every `ask()` goes through) by
a function that shows the dialog and hands it to the next "player" — a
function that types and clicks like a user. `Answers` stands in for the
message boxes and file choosers of `ui.dialogs.messages`; a question nobody
answered fails the test instead of waiting for ever.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QDialog, QWidget
from pytestqt.qtbot import QtBot

from ui import worker
from ui.dialogs import form, messages

if TYPE_CHECKING:
    from pytestqt.modeltest import ModelTester

Player = Callable[[QDialog], None]


def type_into(widget: QWidget, text: str, *, clear: bool = True) -> None:
    """Type like a user: focus the field, select what it holds, then the keys."""
    widget.setFocus()
    if clear:
        QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClick(widget, Qt.Key.Key_Delete)
    for character in text:
        if ord(character) < 0x80:
            QTest.keyClicks(widget, character)
        else:  # QTest knows the keys of ASCII only: an « é » or an emoji comes as typed text
            QTest.sendKeyEvent(QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, character,
                               Qt.KeyboardModifier.NoModifier)


def type_into_combo(combo: QComboBox, text: str) -> None:
    """Type into an editable combo box (a searchable list): part of a name, or all of it."""
    edit = combo.lineEdit()
    assert edit is not None, "la liste ne se tape pas"
    type_into(edit, text)


def click(button: QAbstractButton) -> None:
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_until(condition: Callable[[], object], timeout_ms: int = 10_000) -> None:
    """Process events until `condition()` holds.

    Not `qtbot.waitUntil`: once a test has run `app.exec()` and closed its last
    window (test_app.py), Qt's deferred quit leaves every later `QEventLoop.exec()`
    returning at once, so a wait built on an event loop would never deliver the
    background queue's results. `processEvents` is not affected.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"toujours faux après {timeout_ms} ms : {condition}")
        QApplication.processEvents()
        time.sleep(0.002)


def wait_idle(qtbot: QtBot | None = None) -> None:
    """Until the background queue has reported everything it was given."""
    wait_until(lambda: not worker.busy(), timeout_ms=20_000)


def play_dialogs(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, *players: Player) -> list[QDialog]:
    """The next dialogs shown are each handed to the next player; returns them, as opened."""
    queue = list(players)
    opened: list[QDialog] = []

    def run_modal(dialog: QDialog) -> int:
        assert queue, f"un dialogue inattendu s'est ouvert : {dialog.windowTitle()}"
        opened.append(dialog)
        qtbot.addWidget(dialog)
        dialog.show()
        queue.pop(0)(dialog)
        wait_idle(qtbot)
        if dialog.isVisible():
            dialog.reject()
        return dialog.result()

    monkeypatch.setattr(form, "run_modal", run_modal)
    return opened


@dataclass
class Answers:
    """What the user answers to the window's questions, and what the window told them."""

    confirm: bool = True
    archive_instead: bool = True
    open_file: Path | None = None
    save_file: Path | None = None
    asked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    infos: list[str] = field(default_factory=list)


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[Answers]:
    """Stands in for every message box and file chooser of `ui.dialogs.messages`."""
    given = Answers()

    def confirm(parent: QWidget | None, *, title: str, text: str, action: str) -> bool:
        given.asked.append(text)
        return given.confirm

    def offer_archive(parent: QWidget | None, reason: str) -> bool:
        given.asked.append(reason)
        return given.archive_instead

    def show_error(parent: QWidget | None, text: str, *, title: str = "") -> None:
        given.errors.append(text)

    def show_info(parent: QWidget | None, text: str, *, title: str = "") -> None:
        given.infos.append(text)

    def choose_open_file(parent: QWidget | None, *, title: str, filters: str) -> Path | None:
        return given.open_file

    def choose_save_file(parent: QWidget | None, *, title: str, suggested: str,
                         filters: str) -> Path | None:
        return given.save_file

    for name, function in (("confirm", confirm), ("offer_archive", offer_archive),
                           ("show_error", show_error), ("show_info", show_info),
                           ("choose_open_file", choose_open_file),
                           ("choose_save_file", choose_save_file)):
        monkeypatch.setattr(messages, name, function)
    yield given


@pytest.fixture(autouse=True)
def idle_worker(qapp: object) -> Iterator[None]:
    """No test leaves work running on the background queue for the next one."""
    yield
    assert worker.wait_until_idle(20_000), "du travail est resté en cours après le test"


def check_model(tester: ModelTester, model: QAbstractItemModel) -> None:
    """`qtmodeltester.check`, in Python (whose messages say what is wrong), typed."""
    check: Callable[..., None] = tester.check
    check(model, force_py=True)
