"""Comfort: sizes remembered, the shortcut list, larger text and high contrast."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QSplitter, QWidget
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from tests.ui.conftest import TODAY
from ui import comfort, settings
from ui.dialogs import messages
from ui.main_window import MainWindow


def _window(qtbot: QtBot, db: Database) -> MainWindow:
    main = MainWindow(db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    return main


def test_window_size_splitters_and_columns_are_remembered(
    qtbot: QtBot, demo_db: Database
) -> None:
    first = _window(qtbot, demo_db)
    first.resize(900, 560)
    first.show_section("distributions")
    [splitter, *_] = first.page("distributions").findChildren(QSplitter)
    total = sum(splitter.sizes())
    splitter.setSizes([total // 4, total - total // 4])
    chosen = splitter.sizes()
    first.show_section("members")
    members_table = comfort._tables(first.page("members"))[0][1]
    members_table.setProperty("coopfood_user_widths", '{"0": 333}')
    first.close()

    second = _window(qtbot, demo_db)
    # Not the first start's 1200 × 800 (the offscreen screen is 800 pixels wide).
    assert second.height() == 560 and second.width() < 1200
    second.show_section("distributions")
    [splitter, *_] = second.page("distributions").findChildren(QSplitter)
    assert splitter.sizes() == chosen
    second.show_section("members")
    table = comfort._tables(second.page("members"))[0][1]
    assert table.horizontalHeader().sectionSize(0) == 333


def test_the_shortcut_list_names_the_menus_and_the_pages_keys(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[list[tuple[str, str]]] = []
    monkeypatch.setattr(messages, "show_shortcuts",
                        lambda parent, rows: shown.append(rows))
    window.comfort.shortcuts_action.trigger()
    [rows] = shown
    keys = {key: what for key, what in rows}
    assert keys["Ctrl+Q"] == "Fichier → Quitter"
    assert "recherche" in keys["Ctrl+F"]
    assert "Ctrl+Z" in keys and "Ctrl+N" in keys


def test_larger_text_and_high_contrast_apply_and_are_remembered(
    qtbot: QtBot, window: MainWindow
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.font().pointSizeF()
    nav_before = window.nav.font().pointSizeF()
    window.comfort.larger_text_action.trigger()
    try:
        assert app.font().pointSizeF() == pytest.approx(before * 1.25)
        assert window.nav.font().pointSizeF() == pytest.approx(nav_before * 1.25)
        assert settings.read_bool(settings.LARGER_TEXT)
    finally:
        window.comfort.larger_text_action.trigger()
    assert app.font().pointSizeF() == pytest.approx(before)
    assert window.nav.font().pointSizeF() == pytest.approx(nav_before)
    assert not settings.read_bool(settings.LARGER_TEXT)

    window.comfort.high_contrast_action.trigger()
    try:
        assert app.palette().color(QPalette.ColorRole.Window).name() == "#000000"
        assert app.palette().color(QPalette.ColorRole.WindowText).name() == "#ffffff"
        assert settings.read_bool(settings.HIGH_CONTRAST)
    finally:
        window.comfort.high_contrast_action.trigger()
    assert app.palette().color(QPalette.ColorRole.Window).name() != "#000000"


def test_main_actions_have_icons_and_controls_have_names(window: MainWindow) -> None:
    assert window.nav.accessibleName() == "Sections"
    stack: QWidget = window.stack
    assert stack.accessibleName()
    assert not window.quit_action.icon().isNull()
    assert not window.backup_action.icon().isNull()
