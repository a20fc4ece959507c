"""Every question the window asks and every message box it shows, in French.

Pages and dialogs call these functions (never QMessageBox or QFileDialog
directly), so that a test stands in for the user by replacing one of them
with `monkeypatch.setattr(messages, "confirm", …)`.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from coopfood.i18n import _
from coopfood.services import Cancelled, ServiceError


def error_text(error: BaseException) -> str:
    """What to tell a user about an error: a service's own French sentence, or a plain
    apology for a bug (whose details go to the log, not to the user)."""
    if isinstance(error, ServiceError):
        return str(error)
    if isinstance(error, OSError):
        return _("Le fichier n'a pas pu être lu ou écrit : {reason}").format(
            reason=error.strerror or str(error))
    return _("Une erreur inattendue s'est produite ({kind}) : rien n'a été enregistré. "
             "Le détail est dans le journal de coopfood.").format(kind=type(error).__name__)


def _box(parent: QWidget | None, icon: QMessageBox.Icon, title: str, text: str) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)  # a name may hold "<" or "&"
    return box


def show_error(parent: QWidget | None, text: str, *, title: str = "") -> None:
    box = _box(parent, QMessageBox.Icon.Warning, title or _("Erreur"), text)
    box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def show_info(parent: QWidget | None, text: str, *, title: str = "") -> None:
    box = _box(parent, QMessageBox.Icon.Information, title or _("Information"), text)
    box.addButton(_("OK"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def show_failure(parent: QWidget | None, error: BaseException) -> None:
    """The message for a failed operation: a cancel is told as such, not as an error."""
    if isinstance(error, Cancelled):
        show_info(parent, str(error), title=_("Opération annulée"))
    else:
        show_error(parent, error_text(error))


def confirm(parent: QWidget | None, *, title: str, text: str, action: str) -> bool:
    """Ask before doing something that cannot be undone; `action` labels the button."""
    box = _box(parent, QMessageBox.Icon.Question, title, text)
    yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
    no = box.addButton(_("Annuler"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no)
    box.setEscapeButton(no)
    box.exec()
    return box.clickedButton() is yes


def offer_archive(parent: QWidget | None, reason: str) -> bool:
    """A delete was refused (`reason`, from the service): archive the record instead?"""
    box = _box(parent, QMessageBox.Icon.Information, _("Suppression impossible"), reason)
    archive = box.addButton(_("Archiver à la place"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(_("Annuler"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(archive)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is archive


def choose_open_file(parent: QWidget | None, *, title: str, filters: str) -> Path | None:
    """A file to read, or None if the user gave up."""
    name, _filter = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def choose_save_file(parent: QWidget | None, *, title: str, suggested: str,
                     filters: str) -> Path | None:
    """A file to write, or None if the user gave up (the dialog asks before overwriting)."""
    name, _filter = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    if not name:
        return None
    path = Path(name)
    if not path.suffix:
        # The chosen filter names the format, "… (*.xlsx)": take its extension.
        start = _filter.rfind("*.")
        if start >= 0:
            path = path.with_suffix(_filter[start + 1:].rstrip(")").split()[0])
    return path


def ask_number(parent: QWidget | None, *, title: str, label: str, value: int, minimum: int,
               maximum: int) -> int | None:
    """A whole number typed by the user, or None if they gave up."""
    from PySide6.QtWidgets import QInputDialog

    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(minimum, maximum)
    dialog.setIntValue(value)
    dialog.setOkButtonText(_("Enregistrer"))
    dialog.setCancelButtonText(_("Annuler"))
    return dialog.intValue() if dialog.exec() else None


def show_unexpected_error(parent: QWidget | None, details: str) -> None:
    """A bug: say so in French, reassure, and let the user copy the details for a report."""
    from PySide6.QtGui import QGuiApplication

    from ui.errors import log_path

    box = _box(parent, QMessageBox.Icon.Critical, _("Erreur inattendue"), _(
        "Une erreur inattendue s'est produite. Ce qui était déjà enregistré est intact ; "
        "vous pouvez continuer à travailler.\n\n"
        "Si elle se reproduit, copiez les détails et envoyez-les à la personne qui "
        "s'occupe de coopfood. Ils sont aussi dans le journal : {log}").format(log=log_path()))
    box.setDetailedText(details)
    copy = box.addButton(_("Copier les détails"), QMessageBox.ButtonRole.ActionRole)
    close = box.addButton(_("Fermer"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(close)
    box.setEscapeButton(close)
    # Any button closes a message box: after a copy, show it again until « Fermer ».
    while True:
        box.exec()
        if box.clickedButton() is not copy:
            break
        QGuiApplication.clipboard().setText(details)


def show_shortcuts(parent: QWidget | None, shortcuts: list[tuple[str, str]]) -> None:
    """« Aide → Raccourcis clavier »: every shortcut of the window, in a table."""
    from html import escape

    rows = "".join(f"<tr><td><b>{escape(keys)}</b></td><td>{escape(what)}</td></tr>"
                   for keys, what in shortcuts)
    box = QMessageBox(QMessageBox.Icon.NoIcon, _("Raccourcis clavier"),
                      f"<table cellspacing='0' cellpadding='3'>{rows}</table>",
                      QMessageBox.StandardButton.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.addButton(_("Fermer"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()
