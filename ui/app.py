"""Starting the window: the QApplication, Qt's own French strings, the main window.

`run_gui(db)` is what `python main.py` calls once the database is open.
Only what the first screen needs is imported here; the sections import
their own modules when they are first shown.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from coopfood.i18n import N_, current_locale, set_language
from coopfood.persistence.db import APP_NAME, Database
from coopfood.services import LOCAL_ADMIN, Actor
from ui import settings as preferences

ORGANISATION = "coopfood"
ORGANISATION_DOMAIN = "coopfood.fr"
#: The smallest point size the window uses, whatever the desktop's default.
MIN_POINT_SIZE = 10
ICON = Path(__file__).resolve().parent.parent / "resources" / "coopfood.svg"

#: The languages of the window, each named in itself (« Affichage → Langue »).
LANGUAGES: dict[str, str] = {"fr": N_("Français"), "en": N_("English")}
DEFAULT_LANGUAGE = "fr"
#: In this computer's preferences (`ui.settings`), not in the co-op's database.
LANGUAGE_KEY = "display/language"


def saved_language() -> str:
    """The language chosen on this computer ('fr' until one is chosen)."""
    value = preferences.settings().value(LANGUAGE_KEY, DEFAULT_LANGUAGE)
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def save_language(language: str) -> None:
    """Remember the language for the next start (the window's texts are built once)."""
    if language not in LANGUAGES:
        raise ValueError(f"langue inconnue : {language}")
    preferences.write(LANGUAGE_KEY, language)


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
    QLocale.setDefault(QLocale(current_locale()))
    install_qt_translations(app)
    return app


def install_qt_translations(app: QApplication) -> bool:
    """Qt's own dialogs and buttons in the window's language (« Annuler », « Fermer »),
    when Qt ships them (English needs none: it is Qt's own)."""
    if app.property("coopfood_qt_translator_installed"):
        return True
    translator = QTranslator(app)  # owned by the application, so it lives as long
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(current_locale()), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    app.setProperty("coopfood_qt_translator_installed", True)
    return True


def run_gui(db: Database, actor: Actor | None = None) -> int:
    """Show the main window on an open, migrated database; return the exit status.

    With no `actor`, a multi-user base first asks who logs in (giving up quits)."""
    app = application()
    from ui import errors
    from ui.main_window import MainWindow

    errors.install()
    if actor is None:
        from ui.dialogs.login import actor_for_window

        actor = actor_for_window(db)
        if actor is None:
            return 0
    window = MainWindow(db, actor)
    window.show()
    if os.environ.get("COOPFOOD_QUIT_WHEN_SHOWN"):
        # For bench/run.py: the start-up is over once the shown window was painted.
        from PySide6.QtCore import QTimer

        def shown() -> None:
            sys.stdout.write("shown\n")
            sys.stdout.flush()
            app.quit()

        QTimer.singleShot(0, shown)
    return app.exec()


def database_to_open(url: str | None) -> str | None:
    """`--db` wins; then the last database used, if it is still there; else None (the
    default base). A last base that disappeared is told, in French."""
    if url is not None:
        return url
    from ui import settings

    last = settings.last_database_url()
    if last is None:
        return None
    from coopfood.persistence.db import default_url, describe_url, sqlite_path

    if last == default_url():
        return None
    try:
        path = sqlite_path(last)
    except Exception:  # a damaged setting is as good as none
        path = None
    if path is not None and path.exists():
        return last
    if path is None and last.startswith("sqlite"):
        return None
    if path is None:
        return last  # a server base: opening it says whether it is there
    from coopfood.i18n import _
    from ui.dialogs import messages

    application()
    messages.show_info(None, _(
        "La dernière base utilisée ({database}) est introuvable : coopfood ouvre la base "
        "par défaut.").format(database=describe_url(last)))
    return None


def remember_database(db: Database) -> None:
    """The base to open next time (never one whose URL holds a password)."""
    from sqlalchemy.engine import make_url

    from ui import settings

    if make_url(db.url).password is None:
        settings.write(settings.LAST_DATABASE, db.url)


def welcome_if_empty(db: Database, actor: Actor = LOCAL_ADMIN) -> bool:
    """On an empty base, the first-start assistant; False if the user quit it."""
    from coopfood.services.coop import database_is_empty

    if not database_is_empty(db=db):
        return True
    application()
    from ui.dialogs.first_start import ask_first_start

    return ask_first_start(None, db=db, actor=actor)


def start(url: str | None) -> int:
    """Open the database for the window and show it: `--db`, else the last one used,
    else the default; an empty one first gets the first-start assistant.

    Started from a desktop launcher there is no console: a database that cannot
    be opened is told in a message box, in French.
    """
    from coopfood import cli
    from coopfood.services import ServiceError

    set_language(saved_language())  # before any text is built, Qt's own included
    try:
        db = cli.open_db_for_window(database_to_open(url))
    except (cli.CliError, ServiceError) as error:
        from PySide6.QtWidgets import QMessageBox

        application()
        QMessageBox.critical(None, "coopfood", str(error))
        sys.stderr.write(f"Erreur : {error}\n")
        return 1
    if not welcome_if_empty(db):
        db.dispose()
        return 0
    remember_database(db)
    # The day's copy of a large base takes seconds: take it beside the window, not
    # before it; a plain (non-daemon) thread, so quitting waits for a whole copy.
    threading.Thread(target=cli.take_daily_backup, args=(db,), name="sauvegarde du jour").start()
    try:
        return run_gui(db)
    finally:
        db.dispose()
