"""A table model over a list of frozen rows, and the proxy that searches and sorts it.

A page describes its table as a list of `Column`s (header, text of a cell, sort
key, alignment, tooltip) and hands the rows a list service returned to
`RowTableModel.set_rows`. Cell texts, sort keys and one folded search text per
row are computed once there, so painting, sorting and searching 2,000 members
never format a value again.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from ui.display import fold

R = TypeVar("R")

#: What a column may give to order its rows; None sorts after every value.
SortKey = str | int | float | Decimal | dt.date | None

#: The role under which a cell gives its sort key (a number, or folded text).
SORT_ROLE = Qt.ItemDataRole.UserRole
#: The role under which any cell of a row gives the row object itself.
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class Align(enum.Enum):
    LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    #: Numbers and money, so that units and cents line up.
    RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column of a table: its (already translated) header and how a row fills it."""

    header: str
    text: Callable[[R], str]
    #: Orders the column by value (money, dates, counts) rather than by its text.
    sort_key: Callable[[R], SortKey] | None = None
    align: Align = Align.LEFT
    tooltip: Callable[[R], str] | None = None
    header_tooltip: str = ""
    #: May be narrowed (its texts end in "…") so that the table fits the window;
    #: never for numbers, money or dates, which must read whole.
    elide: bool = False


def _qt_sort_key(key: SortKey) -> str | float | None:
    """A key Qt compares natively: numbers as doubles, text folded.

    Qt compares two variants by the type of the left one, so a column must
    give one type throughout: every number (counts, cents, days) becomes a
    double. The double only orders rows; it is never shown nor added.
    """
    if key is None:
        return None
    if isinstance(key, str):
        return fold(key)
    if isinstance(key, dt.datetime):
        return key.timestamp()
    if isinstance(key, dt.date):
        return float(key.toordinal())
    return float(key)


class RowTableModel(QAbstractTableModel, Generic[R]):
    """Read-only rows of one type shown through a list of columns."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[R] = []
        self._texts: list[tuple[str, ...]] = []
        self._keys: list[tuple[str | float | None, ...]] = []
        self._search: list[str] = []

    # --- the rows ------------------------------------------------------------------

    def set_rows(self, rows: Iterable[R]) -> None:
        """Show these rows instead of the current ones."""
        self.beginResetModel()
        self._rows = list(rows)
        self._texts = [tuple(c.text(row) for c in self._columns) for row in self._rows]
        self._keys = [
            tuple(
                _qt_sort_key(c.sort_key(row)) if c.sort_key is not None else fold(text)
                for c, text in zip(self._columns, texts, strict=True)
            )
            for row, texts in zip(self._rows, self._texts, strict=True)
        ]
        # A line break between cells keeps a search word from matching across two cells.
        self._search = [fold("\n".join(texts)) for texts in self._texts]
        self.endResetModel()

    def rows(self) -> Sequence[R]:
        return self._rows

    def row(self, number: int) -> R:
        return self._rows[number]

    def columns(self) -> Sequence[Column[R]]:
        return self._columns

    def cell_text(self, row: int, column: int) -> str:
        return self._texts[row][column]

    def search_text(self, row: int) -> str:
        """The row's cells, folded (lower case, no accents), for `SearchProxyModel`."""
        return self._search[row]

    # --- QAbstractTableModel -------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[row][column]
        if role == SORT_ROLE:
            return self._keys[row][column]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._columns[column].align.value
        if role == Qt.ItemDataRole.ToolTipRole:
            tooltip = self._columns[column].tooltip
            return tooltip(self._rows[row]) if tooltip is not None else None
        if role == ROW_ROLE:
            return self._rows[row]
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return super().headerData(section, orientation, role)
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.header
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.align.value
        if role == Qt.ItemDataRole.ToolTipRole and column.header_tooltip:
            return column.header_tooltip
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemNeverHasChildren)


class WordFilter(QSortFilterProxyModel):
    """Keeps the rows whose search text holds every word typed, case and accents ignored.

    Subclasses say what a row's search text is (`row_search_text`); None keeps the row.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: tuple[str, ...] = ()

    def row_search_text(self, source_row: int) -> str | None:
        return None

    def search(self) -> tuple[str, ...]:
        return self._words

    def set_search(self, text: str) -> None:
        words = tuple(fold(text).split())
        if words == self._words:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if not self._words:
            return True
        haystack = self.row_search_text(source_row)
        return haystack is None or all(word in haystack for word in self._words)


class SearchProxyModel(WordFilter):
    """Sorts by the sort role and keeps the rows that contain every word searched.

    Case and accents are ignored ("epicerie" finds "Épicerie"); each word may
    be in any column ("dupont lyon").
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows_model: RowTableModel[Any] | None = None
        self.setSortRole(SORT_ROLE)

    def setSourceModel(self, model: Any) -> None:
        self._rows_model = model if isinstance(model, RowTableModel) else None
        super().setSourceModel(model)

    def row_search_text(self, source_row: int) -> str | None:
        return None if self._rows_model is None else self._rows_model.search_text(source_row)

    def row_at(self, proxy_row: int) -> Any:
        """The row object shown at this line of the view."""
        return self.index(proxy_row, 0).data(ROW_ROLE)
