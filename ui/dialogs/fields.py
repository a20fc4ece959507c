"""The input widgets the dialogs are made of, set up the French way.

Amounts are typed as text and handed to the services as text ("12,50"): the
services parse them exactly (`Decimal`), so no amount ever passes through a
float, as a spin box would make it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Generic, TypeVar

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, QSignalBlocker, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLineEdit,
    QSizePolicy,
    QTimeEdit,
    QToolButton,
    QWidget,
)

from coopfood.domain.vat import VAT_RATES
from coopfood.i18n import _, format_number
from ui.display import for_screen, percent_text

V = TypeVar("V")

FRENCH = QLocale(QLocale.Language.French, QLocale.Country.France)
DATE_FORMAT = "dd/MM/yyyy"


def to_qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def decimal_input_text(value: Decimal | None) -> str:
    """A stored amount as a user types it: '12,50', '0,5' (no thousands separator)."""
    if value is None:
        return ""
    return format_number(value).replace("\u202f", "").replace("\u00a0", "")


def money_input_text(value: Decimal | None) -> str:
    """An amount with its two decimals, as typed: '12,50'."""
    if value is None:
        return ""
    return format_number(value, decimals=2).replace("\u202f", "").replace("\u00a0", "")


def line_edit(text: str | None = "", *, placeholder: str = "", max_length: int = 0,
              width_chars: int = 0) -> QLineEdit:
    edit = QLineEdit(text or "")
    if placeholder:
        edit.setPlaceholderText(placeholder)
    if max_length:
        edit.setMaxLength(max_length)
    if width_chars:
        edit.setMaximumWidth(edit.fontMetrics().averageCharWidth() * width_chars + 24)
    return edit


def date_edit(day: dt.date) -> QDateEdit:
    """A date typed as 26/11/2026 or picked from a French calendar."""
    edit = QDateEdit(to_qdate(day))
    edit.setLocale(FRENCH)
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.calendarWidget().setLocale(FRENCH)
    edit.calendarWidget().setFirstDayOfWeek(Qt.DayOfWeek.Monday)
    edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00/00/00000") + 40)
    return edit


def time_edit(value: dt.time) -> QTimeEdit:
    edit = QTimeEdit(QTime(value.hour, value.minute))
    edit.setLocale(FRENCH)
    edit.setDisplayFormat("HH:mm")
    edit.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    return edit


class OptionalDateEdit(QWidget):
    """A date that may be absent: the edit shows `none_text` (« pas de mandat »)
    until a date is chosen, and a button takes the date away again."""

    changed = Signal()

    #: The value standing for "no date": the edit's minimum, shown as `none_text`.
    NONE = dt.date(2000, 1, 1)

    def __init__(self, day: dt.date | None, *, none_text: str, default: dt.date,
                 clear_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._default = default
        self.edit = date_edit(day or self.NONE)
        self.edit.setMinimumDate(to_qdate(self.NONE))
        self.edit.setSpecialValueText(none_text)
        self.edit.setAccessibleName(none_text)
        self.clear_button = QToolButton()
        self.clear_button.setText(clear_text or none_text)
        self.clear_button.setToolTip(_("Effacer la date"))
        self.clear_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.clear_button)
        layout.addStretch(1)
        self.edit.setMinimumWidth(max(
            self.edit.minimumWidth(),
            self.edit.fontMetrics().horizontalAdvance(none_text) + 48))
        self.setFocusProxy(self.edit)
        self.edit.dateChanged.connect(self._on_changed)
        self.edit.calendarWidget().installEventFilter(self)
        self._on_changed()

    def date(self) -> dt.date | None:
        day = from_qdate(self.edit.date())
        return None if day == self.NONE else day

    def set_date(self, day: dt.date | None) -> None:
        self.edit.setDate(to_qdate(day or self.NONE))

    def clear(self) -> None:
        self.set_date(None)

    def _on_changed(self) -> None:
        self.clear_button.setEnabled(self.date() is not None)
        self.changed.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # The calendar opened on "no date" shows the default's month, not January 2000.
        if event.type() == QEvent.Type.Show and self.date() is None:
            self.edit.calendarWidget().setCurrentPage(self._default.year, self._default.month)
        return False


class ValueCombo(QComboBox, Generic[V]):
    """A combo box whose items each stand for a value (an id, an enum, a rate)."""

    def __init__(self, items: Iterable[tuple[str, V]] = (), *, current: V | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: list[V] = []
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)
        self.set_items(items, current=current)

    def set_items(self, items: Iterable[tuple[str, V]], *, current: V | None = None) -> None:
        with QSignalBlocker(self):
            self.clear()
            self._values = []
            for text, value in items:
                self.addItem(text)
                self._values.append(value)
        self.set_value(current)

    def values(self) -> Sequence[V]:
        return self._values

    def value(self) -> V | None:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def set_value(self, value: V | None) -> None:
        index = next((i for i, v in enumerate(self._values) if v == value), 0)
        if self._values:
            self.setCurrentIndex(index)


class SearchCombo(ValueCombo[V]):
    """A long list to choose from by typing part of a name (« dup » finds « DUPRÉ Élodie »).

    `value_changed` tells of a new choice whether it was picked or typed out in full.
    """

    value_changed = Signal()

    def __init__(self, items: Iterable[tuple[str, V]] = (), *, current: V | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(items, current=current, parent=parent)
        self._last: object = self.value()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(24)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._last = self.value()
        self.currentIndexChanged.connect(self._check_value)
        self.editTextChanged.connect(self._check_value)

    def _check_value(self, *_args: object) -> None:
        value = self.value()
        if value != self._last:
            self._last = value
            self.value_changed.emit()

    def value(self) -> V | None:
        """The value whose name is typed; None when the text names no item."""
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        return self._values[index] if index >= 0 else None

    def typed_unknown(self) -> bool:
        """Some text was typed that is no item's name."""
        return bool(self.currentText().strip()) and self.findText(
            self.currentText().strip(), Qt.MatchFlag.MatchFixedString) < 0


def vat_rate_combo(current: Decimal | None) -> ValueCombo[Decimal]:
    """The three French rates, « 5,5 % », « 10 % », « 20 % »."""
    combo: ValueCombo[Decimal] = ValueCombo(
        ((for_screen(percent_text(rate)), rate) for rate in VAT_RATES),
        current=current if current is not None else VAT_RATES[0])
    combo.setMinimumContentsLength(6)
    return combo


def changed_signal_of(widget: QWidget) -> Callable[[Callable[..., None]], object] | None:
    """How to hear that the user changed `widget`, to take its error message away."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QPlainTextEdit

    if isinstance(widget, OptionalDateEdit):
        return widget.changed.connect
    if isinstance(widget, QComboBox):
        if widget.isEditable():
            return widget.editTextChanged.connect
        return widget.currentIndexChanged.connect
    if isinstance(widget, QLineEdit):
        return widget.textEdited.connect
    if isinstance(widget, QPlainTextEdit):
        return widget.textChanged.connect
    if isinstance(widget, QDateEdit):
        return widget.dateChanged.connect
    if isinstance(widget, QAbstractSpinBox):
        return widget.editingFinished.connect
    if isinstance(widget, QAbstractButton):
        return widget.toggled.connect
    return None
