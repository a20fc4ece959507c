"""Commandes: the order grid of one distribution and one point, made for the keyboard.

Households are rows, offered products are columns. Typing a number over a
cell starts editing it; Enter writes it and goes down, Tab goes right (Maj+Tab
left), Suppr clears the cell, Ctrl+Z undoes the last change (Ctrl+Y redoes
it). "1,5" and "1.5" are both read as one and a half.

Each change is written by `set_quantity` on the background queue
(`ui.worker`), so writes keep their order and the window never waits on the
database; the `CellResult` refreshes the cell, the household's amount and
the product's totals only. A change over a product's cap is refused: the cell
keeps its value and the line under the grid says what is left.

The number, name and amount columns stay put while the products scroll
(`GridView` lays a second view over them, as Qt's « frozen column » example).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QFontMetrics,
    QKeyEvent,
    QKeySequence,
    QRegularExpressionValidator,
    QResizeEvent,
    QShowEvent,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.i18n import _, ngettext
from coopfood.services import ServiceError, StaleData
from coopfood.services.lists import CycleRow, list_cycles
from coopfood.services.orders import (
    CapReached,
    CellResult,
    GridData,
    load_grid,
    quantity_text,
    set_quantity,
)
from ui.dialogs.fields import ValueCombo
from ui.dialogs.messages import error_text
from ui.display import counted, date_text, money_text, number_text
from ui.grid_model import (
    FIRST_PRODUCT_COLUMN,
    NUMBER_COLUMN,
    SUMMARY_ROWS,
    CellEdit,
    GridModel,
    HouseholdFilter,
)
from ui.views.context import PageContext
from ui.worker import run_task

Index = QModelIndex | QPersistentModelIndex

#: Width of a product's column, in average characters: its name wraps on two lines.
PRODUCT_CHARS = 15
NAME_CHARS = 25
ERROR_STYLE = "color: #b00020;"
BANNER_STYLE = ("QLabel { background: #fff4d6; border: 1px solid #e0c36a; border-radius: 3px; "
                "padding: 6px; }")
READ_ONLY_STYLE = "QTableView { background: #f4f4f4; }"


# --- small widgets the distribution pages share -----------------------------------------------


class MessageLine(QLabel):
    """One line telling what the last action did, or why it was refused (in red)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.refused = False
        self.hide()

    def say(self, text: str) -> None:
        self.refused = False
        self.setStyleSheet("")
        self.setText(text)
        self.setVisible(bool(text))

    def refuse(self, text: str) -> None:
        self.refused = True
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)
        self.setVisible(bool(text))

    def failure(self, error: BaseException) -> None:
        self.refuse(error_text(error))


def cycle_choice_text(row: CycleRow) -> str:
    """« jeudi 3 décembre 2026 — Ouverte »"""
    return f"{date_text(row.date, style='full')} — {row.state.label}"


def open_first(rows: Sequence[CycleRow]) -> list[CycleRow]:
    """Open distributions first (the nearest first), then the others, newest first."""
    opened = sorted((r for r in rows if r.state is CycleState.OPEN), key=lambda r: r.date)
    return opened + [r for r in rows if r.state is not CycleState.OPEN]


class CycleChooser(QWidget):
    """« Distribution : [combo]  Point : [combo] »; `changed` gives (cycle id, point id)."""

    changed = Signal(int, int)

    def __init__(self, context: PageContext, *, order: Callable[[Sequence[CycleRow]],
                                                                 list[CycleRow]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._order = order
        self._rows: dict[int, CycleRow] = {}
        self._emitted: tuple[int, int] | None = None
        self.cycle: ValueCombo[int] = ValueCombo()
        # Small minimums, then whatever room the row has: the names show whole on a wide
        # window and the page still fits a laptop's 1,200 pixels.
        self.cycle.setMinimumContentsLength(22)
        self.cycle.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.cycle.setAccessibleName(_("Distribution"))
        self.point: ValueCombo[int] = ValueCombo()
        self.point.setMinimumContentsLength(16)
        self.point.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.point.setAccessibleName(_("Point de distribution"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        cycle_label = QLabel(_("&Distribution :"))
        cycle_label.setBuddy(self.cycle)
        point_label = QLabel(_("&Point :"))
        point_label.setBuddy(self.point)
        layout.addWidget(cycle_label)
        layout.addWidget(self.cycle, 3)
        layout.addSpacing(12)
        layout.addWidget(point_label)
        layout.addWidget(self.point, 2)
        self.cycle.currentIndexChanged.connect(self._on_cycle)
        self.point.currentIndexChanged.connect(self._on_point)

    def refresh(self, *, select: int | None = None) -> None:
        """Read the distributions again, keeping the one chosen (or choosing `select`)."""
        keep = select if select is not None else self.cycle.value()
        point = self.point.value()
        rows = self._order(list_cycles(db=self._context.db, actor=self._context.actor))
        self._rows = {row.id: row for row in rows}
        self.cycle.blockSignals(True)
        self.cycle.set_items(((cycle_choice_text(r), r.id) for r in rows),
                             current=keep if keep in self._rows else None)
        self.cycle.blockSignals(False)
        self._fill_points(point)

    def choose(self, cycle_id: int, point_id: int | None = None) -> None:
        """Choose a distribution (and a point of it); `changed` follows."""
        if cycle_id not in self._rows:
            self.refresh(select=cycle_id)
        self.cycle.blockSignals(True)
        self.cycle.set_value(cycle_id)
        self.cycle.blockSignals(False)
        self._fill_points(point_id)

    def current(self) -> CycleRow | None:
        cycle_id = self.cycle.value()
        return self._rows.get(cycle_id) if cycle_id is not None else None

    def point_id(self) -> int | None:
        return self.point.value()

    def _fill_points(self, keep: int | None) -> None:
        row = self.current()
        points = list(zip(row.points, row.point_ids, strict=True)) if row is not None else []
        self.point.blockSignals(True)
        self.point.set_items(points, current=keep)
        self.point.blockSignals(False)
        self._emit()

    def _on_cycle(self, _index: int) -> None:
        self._fill_points(self.point.value())

    def _on_point(self, _index: int) -> None:
        self._emit()

    def _emit(self) -> None:
        cycle_id, point_id = self.cycle.value(), self.point.value()
        if cycle_id is None or point_id is None or (cycle_id, point_id) == self._emitted:
            return
        self._emitted = (cycle_id, point_id)
        self.changed.emit(cycle_id, point_id)


# --- typing quantities ------------------------------------------------------------------------


class QuantityEditor(QStyledItemDelegate):
    """A line edit that takes "2", "1,5" or "0,750"; Enter and Tab write and move on."""

    #: The key that closed the editor (Return, Tab, Backtab) and whether Shift was held.
    navigate = Signal(int, bool)

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        editor = QLineEdit(parent)
        editor.setFrame(False)
        editor.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        editor.setValidator(QRegularExpressionValidator(
            QRegularExpression(r"\d{0,6}([.,]\d{0,3})?"), editor))
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            editor.setText(str(index.data(Qt.ItemDataRole.EditRole) or ""))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QLineEdit) and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
                # Written and moved at once (Qt's own Enter waits for the next event loop).
                self.commitData.emit(watched)
                self.closeEditor.emit(watched, QStyledItemDelegate.EndEditHint.NoHint)
                shift = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
                self.navigate.emit(int(key), shift)
                return True
        return super().eventFilter(watched, event)


def _words(text: str) -> list[str]:
    """The words of a name, a bracket kept whole: « Cidre brut (75 cl) » never breaks
    inside « (75 cl) »."""
    words: list[str] = []
    depth = 0
    for word in text.split():
        if depth and words:
            words[-1] += "\u00a0" + word
        else:
            words.append(word)
        depth = max(0, depth + word.count("(") - word.count(")"))
    return words


def wrap_to_width(text: str, metrics: QFontMetrics, width: int) -> tuple[str, str]:
    """A product's name on two lines of at most `width` pixels (the rest elided with "…")."""
    words = _words(text)
    first = ""
    while words:
        candidate = f"{first} {words[0]}".strip()
        if first and metrics.horizontalAdvance(candidate) > width:
            break
        first = candidate
        words.pop(0)
    second = " ".join(words)
    if metrics.horizontalAdvance(first) > width:
        first = metrics.elidedText(first, Qt.TextElideMode.ElideRight, width)
    if second:
        second = metrics.elidedText(second, Qt.TextElideMode.ElideRight, width)
    return first, second


class FrozenColumns(QSortFilterProxyModel):
    """The household columns of the grid (row number, name, amount), every row kept."""

    def filterAcceptsColumn(self, source_column: int, source_parent: Index) -> bool:
        return source_column < FIRST_PRODUCT_COLUMN


class GridView(QTableView):
    """The grid: fixed-height rows, products scrolling under three frozen columns."""

    FROZEN = FIRST_PRODUCT_COLUMN

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen = QTableView(self)
        # The frozen view shows the household columns only, through a proxy: hiding 800
        # product columns one by one at every load would cost more than the grid itself.
        self._frozen_columns = FrozenColumns(self)
        self.frozen.setModel(self._frozen_columns)
        # It highlights the row of the cell being typed into, whatever product is in view.
        self.frozen.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.frozen.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.frozen.clicked.connect(self._frozen_clicked)
        self.editor = QuantityEditor(self)
        self.setItemDelegate(self.editor)
        self.editor.navigate.connect(self._navigate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for view in (self, self.frozen):
            view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
            view.setWordWrap(False)
            view.setAlternatingRowColors(True)
            view.verticalHeader().setVisible(False)
            view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
            view.horizontalHeader().setHighlightSections(False)
            view.horizontalHeader().setDefaultAlignment(
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setTabKeyNavigation(True)
        self.frozen.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setStyleSheet("QTableView { border: none; border-right: 1px solid #b8b8b8; }")
        self.frozen.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.viewport().stackUnder(self.frozen)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)
        header_font = self.horizontalHeader().font()
        self._header_metrics = QFontMetrics(header_font)
        self.product_width = self._header_metrics.averageCharWidth() * PRODUCT_CHARS

    # --- model and columns ---------------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            self._frozen_columns.setSourceModel(model)
        if model is not None:
            model.modelReset.connect(self.lay_out_columns)
            model.layoutChanged.connect(self.lay_out_columns)
        self.lay_out_columns()

    def wrap_header(self, name: str) -> tuple[str, str]:
        return wrap_to_width(name, self._header_metrics, self.product_width)

    def lay_out_columns(self) -> None:
        """Fixed widths, set in a handful of calls whatever the number of products (measuring
        300 rows × 800 columns would take seconds): the frozen columns for their usual
        contents, every product as wide as the widest header line."""
        model = self.model()
        if model is None:
            return
        columns = model.columnCount()
        header = self.horizontalHeader()
        metrics = self.fontMetrics()
        widest = max(self.product_width, metrics.horizontalAdvance("~000,000"))
        for column in range(self.FROZEN, columns):
            text = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            widest = max(widest, self._header_metrics.horizontalAdvance(text.rsplit("\n", 1)[-1]))
        header.setDefaultSectionSize(widest + 14)  # resizes every section in one call
        widths = (metrics.horizontalAdvance("0000") + 18,
                  metrics.averageCharWidth() * NAME_CHARS + 16,
                  metrics.horizontalAdvance(money_text(Decimal("9999.99"))) + 18)
        frozen_header = self.frozen.horizontalHeader()
        for column, width in enumerate(widths[:min(self.FROZEN, columns)]):
            header.resizeSection(column, width)
            frozen_header.resizeSection(column, width)
        self.frozen.setVisible(columns > 0)
        self.updateGeometries()
        self._update_frozen_geometry()

    def frozen_width(self) -> int:
        model = self.model()
        if model is None:
            return 0
        return sum(self.columnWidth(c) for c in range(min(self.FROZEN, model.columnCount())))

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        if column < self.FROZEN:
            self.frozen.setColumnWidth(column, new)
            self._update_frozen_geometry()

    def _update_frozen_geometry(self) -> None:
        header_height = self.horizontalHeader().height()
        self.frozen.horizontalHeader().setFixedHeight(header_height)
        self.frozen.setGeometry(self.verticalHeader().width() + self.frameWidth(),
                                self.frameWidth(), self.frozen_width(),
                                self.viewport().height() + header_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_frozen_geometry()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if hasattr(self, "frozen"):
            self._update_frozen_geometry()

    def _frozen_clicked(self, index: QModelIndex) -> None:
        """A click on a household's name: its row, in the product the cursor is on."""
        model = self.model()
        if model is None or model.columnCount() <= self.FROZEN:
            return
        column = max(self.currentIndex().column(), self.FROZEN)
        self.setFocus()
        self.setCurrentIndex(model.index(index.row(), column))

    # --- moving around -------------------------------------------------------------------------

    def moveCursor(self, cursorAction: QAbstractItemView.CursorAction,
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        model = self.model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            return super().moveCursor(cursorAction, modifiers)
        last_row, last_column = model.rowCount() - 1, model.columnCount() - 1
        row, column = current.row(), current.column()
        if cursorAction == QAbstractItemView.CursorAction.MoveNext:
            if column >= last_column:
                row, column = min(row + 1, last_row), self.FROZEN
            else:
                column = max(column + 1, self.FROZEN)
            return model.index(row, column)
        if cursorAction == QAbstractItemView.CursorAction.MovePrevious:
            if column <= self.FROZEN:
                row, column = max(row - 1, 0), last_column
            else:
                column -= 1
            return model.index(row, column)
        index = super().moveCursor(cursorAction, modifiers)
        if index.isValid() and index.column() < self.FROZEN <= last_column:
            index = model.index(index.row(), self.FROZEN)
        return index

    def _navigate(self, key: int, shift: bool) -> None:
        model = self.model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            step = -1 if shift else 1
            row = min(max(current.row() + step, 0), model.rowCount() - 1)
            target = model.index(row, current.column())
        else:
            action = (QAbstractItemView.CursorAction.MovePrevious
                      if key == Qt.Key.Key_Backtab or shift
                      else QAbstractItemView.CursorAction.MoveNext)
            target = self.moveCursor(action, Qt.KeyboardModifier.NoModifier)
        self.setCurrentIndex(target)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._navigate(key, bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
                return
            if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.clear_current()
                return
        super().keyPressEvent(event)

    def clear_current(self) -> None:
        """Suppr: the cell goes back to nothing ordered."""
        index = self.currentIndex()
        model = self.model()
        if model is not None and index.isValid() and index.column() >= self.FROZEN:
            model.setData(index, "", Qt.ItemDataRole.EditRole)

    def currentChanged(self, current: Index, previous: Index) -> None:
        model = self.model()
        if (model is not None and current.isValid() and current.column() < self.FROZEN
                and model.columnCount() > self.FROZEN):
            # A click on a name lands on that household's row in the products.
            column = previous.column() if previous.isValid() and \
                previous.column() >= self.FROZEN else self.FROZEN
            self.setCurrentIndex(model.index(current.row(), column))
            return
        super().currentChanged(current, previous)
        if current.isValid() and current.row() != previous.row():
            self.frozen.selectRow(current.row())

    def scrollTo(self, index: Index,
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
                 ) -> None:
        if not index.isValid():
            return
        bar = self.horizontalScrollBar()
        if index.column() < self.FROZEN:
            kept = bar.value()
            super().scrollTo(index, hint)
            bar.setValue(kept)
            return
        super().scrollTo(index, hint)
        left = self.visualRect(index.model().index(index.row(), index.column())).left()
        hidden = self.frozen_width() - left
        if hidden > 0:  # under the frozen columns: bring it out
            bar.setValue(bar.value() - hidden)


# --- undo -----------------------------------------------------------------------------------


class CellCommand(QUndoCommand):
    """One cell's change, already written when pushed; undo and redo write it again."""

    def __init__(self, page: OrderGridPage, edit: CellEdit, text: str) -> None:
        super().__init__(text)
        self._page = page
        self.edit = edit
        self._written = True

    def redo(self) -> None:
        if self._written:  # pushed after `set_quantity` succeeded
            self._written = False
            return
        self._page.change(self.edit.member_id, self.edit.product_id, self.edit.new)

    def undo(self) -> None:
        self._page.change(self.edit.member_id, self.edit.product_id, self.edit.old)


# --- the page ---------------------------------------------------------------------------------


def read_only_reason(grid: GridData) -> str:
    """Why a grid cannot be changed, and where to go to change that."""
    state = grid.state
    if state is CycleState.DRAFT:
        return _("Lecture seule : cette distribution n'est pas encore ouverte aux commandes. "
                 "Ouvrez-la depuis la page « Distributions » (bouton « Ouvrir les "
                 "commandes »).")
    if state is CycleState.CLOSED:
        return _("Lecture seule : cette distribution est clôturée, les commandes ne changent "
                 "plus. Pour en corriger une, rouvrez-la depuis la page « Distributions » "
                 "(le motif est demandé et gardé dans l'historique).")
    return _("Lecture seule : cette distribution a eu lieu ({state}). Ce qui a réellement été "
             "livré se saisit dans l'onglet « Saisie des livraisons ».").format(
        state=state.label.lower())


class OrderGridPage(QWidget):
    """The grid of a distribution and a point (see the module docstring)."""

    #: A grid has been loaded and shown.
    grid_loaded = Signal()

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._load_token = 0
        self._in_flight: Counter[int] = Counter()
        self._undo_waiting = 0
        self._shown_once = False

        self.chooser = CycleChooser(context, order=open_first)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher un foyer…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(320)
        self.search.setAccessibleName(_("Rechercher un foyer"))
        self.count_label = QLabel()

        self.undo_stack = QUndoStack(self)
        self.undo_action = self._shortcut_action(_("Annuler"), self.undo,
                                                 QKeySequence.StandardKey.Undo)
        self.redo_action = self._shortcut_action(_("Rétablir"), self.redo,
                                                 QKeySequence.StandardKey.Redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")])
        self.reload_action = self._shortcut_action(_("Recharger"), self.reload,
                                                   QKeySequence.StandardKey.Refresh)
        self.import_action = QAction(_("Importer des commandes…"), self)
        self.import_action.triggered.connect(self.import_orders)
        self.import_forms_action = QAction(_("Importer un dossier de bons…"), self)
        self.import_forms_action.setIconText(_("Importer un dossier de bons"))
        self.import_forms_action.triggered.connect(self.import_order_forms)
        buttons = []
        for action, tip in ((self.import_action,
                             _("Importer les commandes d'un tableur ou d'un formulaire (CSV, "
                               "XLSX) dans cette distribution")),
                            (self.import_forms_action,
                             _("Importer d'un coup tous les classeurs d'un dossier : les bons "
                               "de commande remplis par les foyers")),
                            (self.undo_action, _("Annuler la dernière saisie (Ctrl+Z)")),
                            (self.redo_action, _("Rétablir la saisie annulée (Ctrl+Y)")),
                            (self.reload_action, _("Relire la grille dans la base (F5)"))):
            button = QToolButton()
            button.setDefaultAction(action)
            action.setToolTip(tip)
            buttons.append(button)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(BANNER_STYLE)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()

        self.model = GridModel(self)
        self.proxy = HouseholdFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = GridView(self)
        self.view.setAccessibleName(_("Grille des commandes"))
        self.model.wrap_header = self.view.wrap_header
        self.view.setModel(self.proxy)
        self.message = MessageLine()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setObjectName("gridInfo")
        self.info.setStyleSheet("color: palette(placeholder-text);")

        # Two rows: the distribution and point choosers with the five buttons on one row
        # would make the page wider than a laptop's screen.
        imports, edits = buttons[:2], buttons[2:]
        top = QHBoxLayout()
        top.addWidget(self.chooser, 1)
        for button in edits:
            top.addWidget(button)
        second = QHBoxLayout()
        second.addWidget(self.search, 1)
        second.addWidget(self.count_label)
        second.addStretch(1)
        for button in imports:
            second.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(second)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.info)

        self.chooser.changed.connect(self.load)
        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._go_to_grid)
        self.model.edit_requested.connect(self._on_edit)
        self.model.edit_refused.connect(self.message.refuse)
        self.view.selectionModel().currentChanged.connect(self._show_current)
        self.model.dataChanged.connect(self._on_data_changed)
        self.chooser.refresh()

    def _shortcut_action(self, text: str, slot: Callable[[], None],
                         key: QKeySequence.StandardKey) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    # --- loading -------------------------------------------------------------------------------

    def load(self, cycle_id: int, point_id: int) -> None:
        """Read the grid of this distribution and point (off the GUI thread), then show it."""
        self._load_token += 1
        token = self._load_token
        db, actor = self._context.db, self._context.actor
        self.info.setText(_("Chargement de la grille…"))
        run_task(self, lambda _progress: load_grid(db=db, actor=actor, cycle_id=cycle_id,
                                                   point_id=point_id),
                 on_success=lambda data: self._loaded(token, data),
                 on_failure=lambda error: self._load_failed(token, error),
                 title=_("Grille des commandes"), label=_("Chargement de la grille…"),
                 cancellable=False)

    def import_orders(self) -> None:
        """Orders from a spreadsheet or a form export, previewed before anything is written."""
        from ui.dialogs import messages
        from ui.dialogs.import_dialog import ImportDialog

        cycle_id = self.chooser.cycle.value()
        if cycle_id is None:
            return
        path = messages.choose_open_file(
            self, title=_("Importer des commandes"),
            filters=_("Tableaux (*.csv *.xlsx *.txt);;Tous les fichiers (*)"))
        if path is None:
            return
        report = ImportDialog(self, self._context, kind="orders", path=path, cycle_id=cycle_id,
                              title=_("Importer des commandes")).ask()
        if report is not None and report.written:
            self.reload()

    def import_order_forms(self) -> None:
        """Every workbook of a folder (order forms filled in by households), in one import
        previewed first: all of them, or nothing."""
        from ui.dialogs.import_dialog import ImportDialog

        cycle_id = self.chooser.cycle.value()
        if cycle_id is None:
            return
        folder = self.ask_forms_folder()
        if folder is None:
            return
        report = ImportDialog(self, self._context, kind="orders", path=folder,
                              cycle_id=cycle_id, title=_("Importer des bons de commande")).ask()
        if report is not None and report.written:
            self.reload()

    def ask_forms_folder(self) -> Path | None:
        """The folder of filled order forms (replaced in tests)."""
        folder = QFileDialog.getExistingDirectory(self, _("Dossier des bons de commande "
                                                          "remplis"))
        return Path(folder) if folder else None

    def reload(self) -> None:
        cycle_id, point_id = self.chooser.cycle.value(), self.chooser.point_id()
        if cycle_id is not None and point_id is not None:
            self.load(cycle_id, point_id)

    def refresh(self) -> None:
        """The distributions may have changed elsewhere (opened, closed): read them again and
        reload the grid if its distribution changed state."""
        grid = self.model.grid()
        self.chooser.refresh()
        row = self.chooser.current()
        if grid is not None and row is not None and row.id == grid.cycle_id \
                and row.state is not grid.state:
            self.reload()

    def _loaded(self, token: int, data: GridData) -> None:
        if token == self._load_token:  # else another grid was asked for meanwhile
            self.show_grid(data)

    def show_grid(self, data: GridData) -> None:
        """Show a grid `load_grid` read (the undo history starts again)."""
        self.undo_stack.clear()
        self._in_flight.clear()
        self._undo_waiting = 0
        self.model.set_grid(data)
        self.banner.setVisible(not data.editable)
        self.banner.setText("" if data.editable else read_only_reason(data))
        self.view.setStyleSheet("" if data.editable else READ_ONLY_STYLE)
        self.undo_action.setEnabled(data.editable)
        self.redo_action.setEnabled(data.editable)
        self.message.say("")
        self._show_count()
        if data.members and data.products:
            self.view.setCurrentIndex(self.proxy.index(SUMMARY_ROWS, FIRST_PRODUCT_COLUMN))
        else:
            self._show_current(QModelIndex())
        if not data.products:
            self.message.say(_("Aucun produit n'est proposé dans cette distribution : ajoutez-en "
                               "depuis la page « Distributions »."))
        self.grid_loaded.emit()

    def _load_failed(self, token: int, error: Exception) -> None:
        if token != self._load_token:
            return
        self.model.set_grid(None)
        self.info.setText("")
        self.message.failure(error)

    # --- writing -------------------------------------------------------------------------------

    def _on_edit(self, edit: CellEdit) -> None:
        self._write(edit, record=True)

    def change(self, member_id: int, product_id: int, value: Decimal) -> None:
        """Set a cell to `value` and write it (undo and redo come through here)."""
        grid = self.model.grid()
        if grid is None or not grid.editable:
            return
        try:
            edit = self.model.request(member_id, product_id, value)
        except KeyError:
            return  # no longer in this grid
        if edit is not None:
            self._write(edit, record=False)

    def _write(self, edit: CellEdit, *, record: bool) -> None:
        grid = self.model.grid()
        assert grid is not None
        db, actor, cycle_id = self._context.db, self._context.actor, grid.cycle_id
        # The version guards against someone else's change; with our own writes still on
        # the queue it is about to move, so it is only given when none is.
        expected = (None if self._in_flight[edit.member_id]
                    else self.model.order_version(edit.member_id))
        self._in_flight[edit.member_id] += 1
        run_task(self, lambda _progress: set_quantity(
                     db=db, actor=actor, cycle_id=cycle_id, member_id=edit.member_id,
                     product_id=edit.product_id, quantity=edit.new,
                     expected_order_version=expected),
                 on_success=lambda result: self._written(cycle_id, edit, record, result),
                 on_failure=lambda error: self._refused(cycle_id, edit, error),
                 progress_delay_ms=None, cancellable=False)

    def _done_writing(self, member_id: int) -> None:
        self._in_flight[member_id] -= 1
        if self._in_flight[member_id] <= 0:
            del self._in_flight[member_id]
        if not self._in_flight:
            while self._undo_waiting > 0:
                self._undo_waiting -= 1
                self.undo_stack.undo()

    def _written(self, cycle_id: int, edit: CellEdit, record: bool, result: CellResult) -> None:
        grid = self.model.grid()
        if grid is None or grid.cycle_id != cycle_id:
            return
        self.model.apply(result)
        if record and result.changed:
            self.undo_stack.push(CellCommand(self, edit, self._describe(edit)))
        self.message.say(self._result_text(result))
        self._done_writing(edit.member_id)

    def _refused(self, cycle_id: int, edit: CellEdit, error: Exception) -> None:
        grid = self.model.grid()
        if grid is None or grid.cycle_id != cycle_id:
            return
        self.model.drop_pending(edit.member_id, edit.product_id, edit.new)
        if isinstance(error, CapReached):
            self.message.refuse(str(error))
        elif isinstance(error, StaleData):
            self.message.refuse(str(error) + " " + _("(F5 recharge la grille)"))
        elif isinstance(error, ServiceError):
            self.message.refuse(str(error))
        else:
            self.message.failure(error)
        self._done_writing(edit.member_id)

    def undo(self) -> None:
        if not self.model.editable:
            return
        if self._in_flight:
            self._undo_waiting += 1  # the change being written is the one to undo
            return
        if not self.undo_stack.canUndo():
            self.message.say(_("Rien à annuler."))
            return
        self.undo_stack.undo()

    def redo(self) -> None:
        if self.model.editable and self.undo_stack.canRedo():
            self.undo_stack.redo()

    # --- what the lines under the grid say -------------------------------------------------------

    def _names(self, member_id: int, product_id: int) -> tuple[str, str, Any]:
        member = self.model.member_at(self.model.row_of(member_id))
        product = self.model.product_at(self.model.column_of(product_id))
        assert member is not None and product is not None
        return member.name, product.name, product.unit

    def _describe(self, edit: CellEdit) -> str:
        member, product, unit = self._names(edit.member_id, edit.product_id)
        return _("{member} — {product} : {old} → {new}").format(
            member=member, product=product,
            old=quantity_text(edit.old, unit), new=quantity_text(edit.new, unit))

    def _result_text(self, result: CellResult) -> str:
        member, product, unit = self._names(result.member_id, result.product_id)
        text = _("{member} : {product} {quantity}, commande de {total}.").format(
            member=member, product=product, quantity=quantity_text(result.quantity, unit),
            total=money_text(result.member_total))
        if result.remaining is not None:
            text += " " + _("Reste sous le plafond : {left}.").format(
                left=quantity_text(result.remaining, unit))
        return text

    def _show_current(self, current: QModelIndex | None = None, *_args: Any) -> None:
        index = self.view.currentIndex()
        source = self.proxy.mapToSource(index) if index.isValid() else QModelIndex()
        member = self.model.member_at(source.row()) if source.isValid() else None
        product = self.model.product_at(source.column()) if source.isValid() else None
        parts = []
        if member is not None:
            number = source.siblingAtColumn(NUMBER_COLUMN).data()
            parts.append(_("N° {n} — {name} : {total}").format(
                n=number, name=member.name, total=money_text(
                    self.model.member_total(member.member_id))) if number else
                _("{name} : pas encore de commande").format(name=member.name))
        if product is not None:
            pid = product.product_id
            text = _("{product} ({producer}) : {point} à ce point, {all} en tout").format(
                product=product.name, producer=product.producer,
                point=quantity_text(self.model.point_total(pid), product.unit),
                all=quantity_text(self.model.product_total(pid), product.unit))
            left = self.model.remaining(pid)
            if left is not None:
                text += ", " + _("reste {left} sous le plafond").format(
                    left=quantity_text(max(left, Decimal(0)), product.unit))
            missing = self.model.case_missing(pid)
            if missing and product.case_pack is not None:
                text += ", " + ngettext("{n} manque pour compléter le colis de {pack}",
                                        "{n} manquent pour compléter le colis de {pack}",
                                        1 if missing < 2 else 2).format(
                    n=number_text(missing), pack=number_text(product.case_pack))
            parts.append(text)
        self.info.setText(" · ".join(parts))

    def _on_data_changed(self, *_args: Any) -> None:
        self._show_current()

    def _show_count(self) -> None:
        total = len(self.model.members())
        text = counted("{n} foyer", "{n} foyers", total)
        if self.proxy.search():
            text = _("{shown} sur {total}").format(
                shown=number_text(self.proxy.households_shown()), total=text)
        self.count_label.setText(text)

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()

    def _go_to_grid(self) -> None:
        """Enter in the search box goes to the first household found."""
        if self.proxy.households_shown():
            column = max(self.view.currentIndex().column(), FIRST_PRODUCT_COLUMN)
            self.view.setCurrentIndex(self.proxy.index(SUMMARY_ROWS, column))
            self.view.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._shown_once:
            self.refresh()
        self._shown_once = True

    # --- for tests and the benchmark -----------------------------------------------------------

    def cell_index(self, member_id: int, product_id: int) -> QModelIndex:
        """The view's index of a household's cell for a product."""
        return self.proxy.mapFromSource(self.model.cell(member_id, product_id))
