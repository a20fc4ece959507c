"""A page that lists rows from a list service: title, search box, count and table."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QHelpEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _
from coopfood.services import ServiceError
from ui.display import number_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel

R = TypeVar("R")

#: Widest a column gets from "resize to contents" (a long e-mail must not push the rest away).
MAX_COLUMN_WIDTH = 320
#: Narrowest an elidable column gets when the table is too narrow for all columns.
ELIDED_MIN_WIDTH = 110
#: Room a header needs beside its text: margins and the sort arrow.
HEADER_PADDING = 24
#: How many rows "resize to contents" looks at.
RESIZE_SAMPLE_ROWS = 250


def title_label(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    font.setBold(True)
    label.setFont(font)
    label.setObjectName("pageTitle")
    return label


def note_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setObjectName("pageNote")
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def make_table_view(proxy: SearchProxyModel, parent: QWidget | None = None) -> QTableView:
    """A read-only, sortable, row-selecting table with compact fixed-height rows."""
    table = QTableView(parent)
    table.setModel(proxy)
    table.setAlternatingRowColors(True)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setItemDelegate(ElidedTextTooltips(table))
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.verticalHeader().setVisible(False)
    # Fixed row heights spare Qt measuring every row of a long list.
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
    # Column widths are measured on the first rows only: measuring 2,000 rows
    # costs a fifth of a second for a few pixels (longer cells are elided).
    table.horizontalHeader().setResizeContentsPrecision(RESIZE_SAMPLE_ROWS)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    # No sort indicator at first: rows keep the order the service gave them.
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    table.setSortingEnabled(True)
    return table


def fit_columns(table: QTableView, columns: Sequence[Column[Any]]) -> None:
    """Size the columns to their contents and to the width the table has.

    No column is wider than MAX_COLUMN_WIDTH unless the table has room to
    spare; when the table is too narrow, the columns that may be elided give
    up width first (down to ELIDED_MIN_WIDTH), before a horizontal scroll bar.
    The last column takes the remaining width when it holds text; an amount
    stretched across half the window would sit far from the rest of its row.
    """
    table.resizeColumnsToContents()
    header = table.horizontalHeader()
    natural = [header.sectionSize(section) for section in range(header.count())]
    widths = [min(width, MAX_COLUMN_WIDTH) for width in natural]
    spare = (table.maximumViewportSize().width() - table.verticalScrollBar().sizeHint().width()
             - sum(widths))
    if spare >= 0:
        for section, width in enumerate(natural):
            extra = max(0, min(width - widths[section], spare))
            widths[section] += extra
            spare -= extra
    else:
        # A narrowed column still shows its whole header (and the sort arrow).
        floors = {section: max(ELIDED_MIN_WIDTH, header.fontMetrics().horizontalAdvance(
                      column.header) + HEADER_PADDING)
                  for section, column in enumerate(columns) if column.elide}
        level = _narrowing_level({s: (widths[s], floor) for s, floor in floors.items()},
                                 -spare)
        for section, floor in floors.items():
            widths[section] = min(widths[section], max(level, floor))
    for section, width in enumerate(widths):
        header.resizeSection(section, width)
    header.setStretchLastSection(bool(columns) and columns[-1].align is not Align.RIGHT)


def _narrowing_level(columns: dict[int, tuple[int, int]], excess: int) -> int:
    """The width to cut the widest columns down to so that they lose `excess` pixels
    together: the longest texts are shortened first, short ones stay whole.

    `columns` gives each column's (width, narrowest width); the level is the
    widest that saves enough, or 0 when even the narrowest widths do not.
    """
    def saved(level: int) -> int:
        return sum(max(0, width - max(level, floor)) for width, floor in columns.values())

    low, high = 0, max((width for width, _floor in columns.values()), default=0)
    while low < high:  # the largest level that still saves `excess`
        middle = (low + high + 1) // 2
        if saved(middle) >= excess:
            low = middle
        else:
            high = middle - 1
    return low


class ColumnFitter(QObject):
    """Fits a table's columns once, when it is first shown with rows: only then does
    it know the width it has (a page is built before it is laid out)."""

    def __init__(self, table: QTableView, columns: Sequence[Column[Any]]) -> None:
        super().__init__(table)
        self._table = table
        self._columns = columns
        self.done = False
        table.installEventFilter(self)
        table.model().modelReset.connect(self.fit_if_ready)

    def fit_if_ready(self) -> None:
        if self.done or not self._table.isVisible() or self._table.model().rowCount() == 0:
            return
        fit_columns(self._table, self._columns)
        self.done = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and not self.done:
            self.fit_if_ready()
        return False


class ElidedTextTooltips(QStyledItemDelegate):
    """Shows a cell's whole text as its tooltip when the column is too narrow for it."""

    def helpEvent(self, event: QHelpEvent, view: QAbstractItemView,
                  option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex,
                  ) -> bool:
        if (event.type() == QEvent.Type.ToolTip
                and index.data(Qt.ItemDataRole.ToolTipRole) is None):
            text = index.data(Qt.ItemDataRole.DisplayRole)
            # The style draws a cell's text inside a few pixels of margin each side.
            if text and option.fontMetrics.horizontalAdvance(text) > option.rect.width() - 8:
                QToolTip.showText(event.globalPos(), text, view)
                return True
        return super().helpEvent(event, view, option, index)


class ListPage(QWidget, Generic[R]):
    """Rows of one list service, searchable and sortable.

    `load` calls the service (it is called again by `reload`); `count` names a
    number of rows: 150 → « 150 adhérents ». Rows keep the service's order
    unless `sort_column` sorts them (by its sort key: accents ignored).
    """

    #: A row was double-clicked or chosen with Enter.
    row_activated = Signal(object)

    def __init__(
        self,
        *,
        title: str,
        columns: Sequence[Column[R]],
        load: Callable[[], Sequence[R]],
        count: Callable[[int], str],
        note: str = "",
        sort_column: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._count = count

        self.title = title_label(title)
        self.note = note_label(note)
        self.note.setVisible(bool(note))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.search.setAccessibleName(_("Rechercher dans la liste"))
        self.count_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        self.model: RowTableModel[R] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        if sort_column is not None:
            self.table.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addStretch(0)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)

        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._go_to_table)
        self.table.activated.connect(self._on_activated)
        self.proxy.rowsInserted.connect(self._show_count)
        self.proxy.rowsRemoved.connect(self._show_count)
        self.proxy.modelReset.connect(self._show_count)
        self.proxy.layoutChanged.connect(self._show_count)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self._focus_search)

        self.reload()

    def reload(self) -> None:
        """Ask the service for the rows again."""
        try:
            rows = self._load()
        except ServiceError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            rows = []
        else:
            self.error_label.hide()
        self.model.set_rows(rows)
        self._show_count()

    def visible_rows(self) -> list[R]:
        """The rows the table shows, in the order it shows them."""
        return [self.proxy.row_at(i) for i in range(self.proxy.rowCount())]

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()

    def _show_count(self, *_args: Any) -> None:
        total = self.model.rowCount()
        text = self._count(total)
        if self.proxy.search():
            text = _("{shown} sur {total}").format(
                shown=number_text(self.proxy.rowCount()), total=text
            )
        self.count_label.setText(text)

    def _on_activated(self, index: QModelIndex) -> None:
        self.row_activated.emit(self.proxy.row_at(index.row()))

    def _go_to_table(self) -> None:
        """Enter in the search box goes to the first row found, for the arrow keys."""
        if self.proxy.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
