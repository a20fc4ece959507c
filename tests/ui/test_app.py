"""Start-up: the application is set up in French and `run_gui` runs the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTimer
from PySide6.QtWidgets import QApplication

from coopfood.persistence.db import Database
from ui.app import application, run_gui
from ui.main_window import MainWindow

QT_TRANSLATIONS = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def test_application_is_named_and_styled(qapp: QApplication) -> None:
    app = application()
    assert app is qapp
    assert app.applicationName() == "coopfood"
    assert app.organizationName() == "coopfood"
    assert app.style().name().lower() == "fusion"
    assert app.font().pointSizeF() >= 10
    assert not app.windowIcon().isNull()


@pytest.mark.skipif(not (QT_TRANSLATIONS / "qtbase_fr.qm").exists(),
                    reason="Qt's French translations are not installed")
def test_qt_own_buttons_are_french(qapp: QApplication) -> None:
    application()
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Annuler"


def test_run_gui_shows_the_main_window_and_returns_the_exit_status(
    qapp: QApplication, demo_db: Database
) -> None:
    seen: list[MainWindow] = []

    def close_when_shown() -> None:
        seen.extend(w for w in QApplication.topLevelWidgets()
                    if isinstance(w, MainWindow) and w.isVisible())
        for window in seen:
            window.close()
        qapp.quit()

    QTimer.singleShot(0, close_when_shown)
    assert run_gui(demo_db) == 0
    [window] = seen
    assert window.width() == 1200 and window.height() == 800
