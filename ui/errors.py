"""Unexpected errors: written to the log file, told in French, and the window goes on.

`install(app)` routes `sys.excepthook` (which PySide6 also calls for an exception
raised inside a slot) to `report`: the traceback goes to `data_dir()/coopfood.log`
(a rotating file) and the dialog of `messages.show_unexpected_error` offers to copy
it. The services write in one transaction each, so a failure leaves nothing half
written: the user can carry on.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QApplication, QWidget

from coopfood.persistence.db import data_dir

LOG_NAME = "coopfood.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 3

log = logging.getLogger("coopfood")


def log_path() -> Path:
    return data_dir() / LOG_NAME


def setup_logging() -> Path:
    """Send warnings and errors of every module (the background queue's failures, the
    daily copy's…) to the rotating log file, once per file."""
    path = log_path()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, RotatingFileHandler) and Path(handler.baseFilename) == path:
            return path
    handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS,
                                  encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def details(kind: type[BaseException], error: BaseException,
            tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(kind, error, tb))


def report(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    """The hook: log the traceback, then show it to the user over the active window."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, tb)
        return
    setup_logging()
    log.error("Erreur inattendue", exc_info=(kind, error, tb))
    from ui.dialogs import messages

    app = QApplication.instance()
    parent: QWidget | None = None
    if isinstance(app, QApplication):
        parent = app.activeWindow()
    try:
        messages.show_unexpected_error(parent, details(kind, error, tb))
    except Exception:  # the report must never raise in its turn
        log.exception("Le message d'erreur n'a pas pu être affiché")


def install() -> None:
    setup_logging()
    sys.excepthook = report
