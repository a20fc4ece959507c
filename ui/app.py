"""Starting the window: the QApplication, Qt's own French strings, the main window.

`run_gui(db)` is what `python main.py` calls once the database is open.
Only what the first screen needs is imported here; the sections import
their own modules when they are first shown.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from coopfood.persistence.db import APP_NAME, Database
from coopfood.services import LOCAL_ADMIN, Actor

ORGANISATION = "coopfood"
ORGANISATION_DOMAIN = "coopfood.fr"
#: The smallest point size the window uses, whatever the desktop's default.
MIN_POINT_SIZE = 10
ICON = Path(__file__).resolve().parent.parent / "resources" / "coopfood.svg"


def application() -> QApplication:
    """The running QApplication, created and set up on first call."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANISATION)
    app.setOrganizationDomain(ORGANISATION_DOMAIN)
    app.setStyle("Fusion")
    if ICON.exists():
        app.setWindowIcon(QIcon(str(ICON)))
    font = app.font()
    if 0 < font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
        app.setFont(font)
    QLocale.setDefault(QLocale(QLocale.Language.French, QLocale.Country.France))
    install_qt_translations(app)
    return app


def install_qt_translations(app: QApplication) -> bool:
    """Qt's own dialogs and buttons in French (« Annuler », « Fermer »), when Qt ships them."""
    if app.property("coopfood_qt_translator_installed"):
        return True
    translator = QTranslator(app)  # owned by the application, so it lives as long
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.French), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    app.setProperty("coopfood_qt_translator_installed", True)
    return True


def run_gui(db: Database, actor: Actor = LOCAL_ADMIN) -> int:
    """Show the main window on an open, migrated database; return the exit status."""
    app = application()
    from ui.main_window import MainWindow

    window = MainWindow(db, actor)
    window.show()
    return app.exec()


def start(url: str | None) -> int:
    """Open the database for the window (a demo co-op on the very first start) and show it.

    Started from a desktop launcher there is no console: a database that cannot
    be opened is told in a message box, in French.
    """
    from coopfood import cli
    from coopfood.services import ServiceError

    try:
        db = cli.open_db_for_window(url)
    except (cli.CliError, ServiceError) as error:
        from PySide6.QtWidgets import QMessageBox

        application()
        QMessageBox.critical(None, "coopfood", str(error))
        sys.stderr.write(f"Erreur : {error}\n")
        return 1
    # The day's copy of a large base takes seconds: take it beside the window, not
    # before it; a plain (non-daemon) thread, so quitting waits for a whole copy.
    threading.Thread(target=cli.take_daily_backup, args=(db,), name="sauvegarde du jour").start()
    try:
        return run_gui(db)
    finally:
        db.dispose()
