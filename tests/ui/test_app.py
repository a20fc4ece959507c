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


def test_a_database_that_cannot_be_opened_is_told_in_a_message_box(
    qapp: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from ui.app import start

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: told.append(text))
    (tmp_path / "fichier").write_text("pas un dossier")
    assert start(f"sqlite:///{tmp_path / 'fichier' / 'base.sqlite'}") == 1
    assert told and told[0].startswith("Impossible de créer ou d'ouvrir le fichier de la base")


def test_qt_calls_do_not_leak_references_to_none(qapp: object) -> None:
    """PySide6 6.12.0 on Python 3.11 dropped a reference to None at every call returning
    nothing, and the window aborted after some 37,000 calls (pyproject pins it out)."""
    import sys

    from PySide6.QtWidgets import QLabel

    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("Panier")
    assert sys.getrefcount(None) >= before - 10
