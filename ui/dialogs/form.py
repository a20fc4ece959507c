"""What every editing dialog shares: fields with their error line, saving off the GUI
thread, and `ask()`.

A dialog subclass lays its fields out with `add_field(form, key, label,
widget)` — `key` is the name a service's `ValidationError.field` uses — and
builds the service's input in `collect()`. On « Enregistrer » the input goes
to `save` (a service call) through the background queue; the dialog closes
once it succeeds. A `ValidationError` shows in red under the field it names,
the field outlined; any other refusal shows in a message box.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _
from coopfood.services import ValidationError
from ui.dialogs import messages
from ui.dialogs.fields import changed_signal_of
from ui.worker import run_task

I = TypeVar("I")  # noqa: E741 — the input dataclass a dialog collects

ERROR_COLOUR = "#b00020"

STYLE = f"""
QLabel#fieldError, QLabel#formError {{ color: {ERROR_COLOUR}; }}
QLabel#fieldHint {{ color: palette(placeholder-text); }}
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"],
QDateEdit[invalid="true"], QTimeEdit[invalid="true"], QSpinBox[invalid="true"],
QTableView[invalid="true"], QFrame[invalid="true"] {{
    border: 2px solid {ERROR_COLOUR}; border-radius: 3px; padding: 1px;
}}
"""


def run_modal(dialog: QDialog) -> int:
    """Show a dialog and wait for the user's answer. Tests replace this function to
    type into the dialog instead of a user."""
    return dialog.exec()


def new_form() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    return form


class FormDialog(QDialog, Generic[I]):
    """A dialog that collects an `I` and saves it with `save` (see the module docstring)."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        save: Callable[[I], object] | None,
        ok_text: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self._save = save
        self._busy = False
        #: The input that was saved (or accepted, for a dialog without `save`).
        self.input: I | None = None
        #: What `save` returned (the service's detail of the saved record).
        self.saved: object | None = None
        self.fields: dict[str, QWidget] = {}
        self._errors: dict[str, QLabel] = {}
        self._hints: dict[str, QLabel] = {}
        #: Service field names that are shown at another field's place.
        self.field_aliases: dict[str, str] = {}

        self.body = QVBoxLayout()
        self.form_error = QLabel()
        self.form_error.setObjectName("formError")
        self.form_error.setWordWrap(True)
        self.form_error.setTextFormat(Qt.TextFormat.PlainText)
        self.form_error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(ok_text or (_("Enregistrer") if save is not None else _("OK")))
        self.cancel_button: QPushButton = self.buttons.button(
            QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText(_("Annuler"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(self.body, 1)
        outer.addWidget(self.form_error)
        outer.addWidget(self.buttons)

    # --- building ----------------------------------------------------------------------

    def add_field(self, form: QFormLayout, key: str, label: str, widget: QWidget, *,
                  hint: str = "", target: QWidget | None = None) -> QWidget:
        """A row of `form`: the label, the widget, its hint and its (hidden) error line.

        `target` is the input inside `widget` to outline (when `widget` is a row of
        several), and the one the label leads to.
        """
        cell = QWidget()
        column = QVBoxLayout(cell)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            hint_label = QLabel(hint)
            hint_label.setObjectName("fieldHint")
            hint_label.setWordWrap(True)
            column.addWidget(hint_label)
            self._hints[key] = hint_label
        column.addWidget(self.error_slot(key, target or widget))
        caption = QLabel(label)
        caption.setBuddy(target or widget)
        form.addRow(caption, cell)
        return widget

    def error_slot(self, key: str, widget: QWidget) -> QLabel:
        """The red line where `key`'s errors show; `widget` is what gets outlined."""
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.hide()
        self.fields[key] = widget
        self._errors[key] = error
        connect = changed_signal_of(widget)
        if connect is not None:
            connect(lambda *_args, key=key: self.clear_error(key))
        return error

    # --- errors ------------------------------------------------------------------------

    def field_key(self, field: str | None) -> str | None:
        """The field of this dialog where a service's error about `field` shows."""
        if field is None:
            return None
        for name in (field, re.sub(r"\[.*$", "", field)):
            name = self.field_aliases.get(name, name)
            if name in self._errors:
                return name
        return None

    def error_label(self, key: str) -> QLabel:
        return self._errors[key]

    def hint_label(self, key: str) -> QLabel:
        return self._hints[key]

    def show_error(self, error: ValidationError) -> None:
        key = self.field_key(error.field)
        if key is None:
            self.form_error.setText(str(error))
            self.form_error.show()
            self._grow_to_fit()
            return
        label = self._errors[key]
        label.setText(str(error))
        label.show()
        widget = self.fields[key]
        self._set_invalid(widget, True)
        widget.setAccessibleDescription(str(error))
        self._reveal(widget)
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        self._grow_to_fit()

    def clear_error(self, key: str) -> None:
        label = self._errors.get(key)
        if label is None or label.isHidden():
            return
        label.hide()
        label.clear()
        self._set_invalid(self.fields[key], False)
        self.fields[key].setAccessibleDescription("")

    def clear_errors(self) -> None:
        for key in self._errors:
            self.clear_error(key)
        self.form_error.hide()
        self.form_error.clear()

    def shown_errors(self) -> dict[str, str]:
        """The error lines showing, by field (what a user sees in red)."""
        shown = {key: label.text() for key, label in self._errors.items()
                 if not label.isHidden()}
        if not self.form_error.isHidden():
            shown[""] = self.form_error.text()
        return shown

    def _grow_to_fit(self) -> None:
        """Make room for an error line rather than squeeze the rows over each other."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() \
            else layout.sizeHint().height()
        needed = max(needed, self.sizeHint().height())
        if needed > self.height():
            self.resize(self.width(), needed)

    @staticmethod
    def _set_invalid(widget: QWidget, invalid: bool) -> None:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        widget.update()

    def _reveal(self, widget: QWidget) -> None:
        """Bring the tab holding `widget` to the front."""
        parent = widget.parentWidget()
        while parent is not None and parent is not self:
            if isinstance(parent, QTabWidget):
                for index in range(parent.count()):
                    page = parent.widget(index)
                    if page is not None and (page is widget or page.isAncestorOf(widget)):
                        parent.setCurrentIndex(index)
            parent = parent.parentWidget()

    # --- saving ------------------------------------------------------------------------

    def collect(self) -> I:
        """The service's input from the fields; may raise ValidationError naming a field."""
        raise TypeError(f"{type(self).__name__} must define collect()")  # pragma: no cover

    def submit(self) -> None:
        """« Enregistrer »: collect, then save off the GUI thread; close on success."""
        if self._busy:
            return
        self.clear_errors()
        try:
            data = self.collect()
        except ValidationError as error:
            self.show_error(error)
            return
        if self._save is None:
            self.input = data
            self.accept()
            return
        save = self._save
        self._set_busy(True)
        run_task(self, lambda _progress: save(data),
                 on_success=lambda result: self._saved(data, result),
                 on_failure=self._failed,
                 title=self.windowTitle(), label=_("Enregistrement…"), cancellable=False)

    def _saved(self, data: I, result: object) -> None:
        self._set_busy(False)
        self.input = data
        self.saved = result
        self.accept()

    def _failed(self, error: Exception) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationError):
            self.show_error(error)
        else:
            messages.show_failure(self, error)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    @property
    def busy(self) -> bool:
        return self._busy

    def reject(self) -> None:
        if not self._busy:  # a save under way finishes first: its answer must be shown
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._busy:
            event.ignore()
        else:
            super().closeEvent(event)

    def ask(self) -> I | None:
        """Show the dialog; the input the user saved, or None if they gave up."""
        self.input = None
        self.saved = None
        return self.input if run_modal(self) == QDialog.DialogCode.Accepted else None
