"""A page that lists rows from a list service: title, toolbar, search box, count and table.

The toolbar (« Nouveau… », « Modifier… », « Archiver », « Supprimer »,
« Importer… », « Exporter… », « Afficher les archives ») is described by a
`ListActions`: each entry is a function of the page's module that opens a
dialog or calls a service. The page runs the writes through the background
queue (`ui.worker`), asks before deleting, offers to archive what may not be
deleted, and reloads its rows afterwards with the saved row selected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QHelpEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import N_, _
from coopfood.services import (
    Referenced,
    ServiceError,
)
from ui.comfort import apply_user_column_widths
from ui.dialogs import messages
from ui.display import counted, number_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.worker import run_task

if TYPE_CHECKING:
    from coopfood.exports import ExportSummary
    from coopfood.imports import Kind

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
    header = table.horizontalHeader()
    # Off while the widths are set, so that turning it back on stretches the last column
    # to the width the table has now.
    header.setStretchLastSection(False)
    table.resizeColumnsToContents()
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
    apply_user_column_widths(table)  # the widths the user dragged columns to win


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
        if self.done or not self._table.isVisible():
            return
        if self._table.model().rowCount() == 0:
            # No rows yet: at least every header reads whole (fitted again with rows).
            self._table.horizontalHeader().resizeSections(
                QHeaderView.ResizeMode.ResizeToContents)
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


_data_generation = 0


def data_changed() -> None:
    """Something was written: every list page reloads its rows when it is next shown
    (a producer renamed here shows renamed on the products page)."""
    global _data_generation
    _data_generation += 1


def data_generation() -> int:
    """How many writes the window has made: a page compares it with the one it showed."""
    return _data_generation


def saved_id(saved: Any | None) -> int | None:
    """The id of what a dialog saved (a service's detail), None when nothing was."""
    return None if saved is None else int(saved.id)


def _never_archived(row: Any) -> bool:
    return False


def _row_id(row: Any) -> int:
    return int(row.id)


@dataclass(frozen=True)
class RowAction(Generic[R]):
    """A page's own action on the selected row (« Composition de la semaine… »)."""

    label: str
    #: Opens its dialog over the page; True when something was saved.
    run: Callable[[QWidget, R], bool]
    #: Whether an archived row can be acted on.
    on_archived: bool = False


@dataclass(frozen=True)
class ListActions(Generic[R]):
    """What the toolbar of a list page can do; a missing entry hides its button.

    `new` and `edit` open their dialog over the page and return the id of the
    saved record (None when the user gave up). `archive`, `delete` call a
    service: the page runs them off the GUI thread.
    """

    new: Callable[[QWidget], int | None] | None = None
    edit: Callable[[QWidget, R], int | None] | None = None
    #: « Modifier… » by default; a page may say better what opening a row is for.
    edit_label: str = ""
    archive: Callable[[R, bool], None] | None = None
    delete: Callable[[R], None] | None = None
    #: The row's name in the questions (« Supprimer « Ferme du Pré » ? »).
    describe: Callable[[R], str] = str
    is_archived: Callable[[R], bool] = _never_archived
    #: The rows archived ones included, for « Afficher les archives ».
    load_all: Callable[[], Sequence[R]] | None = None
    import_kind: Kind | None = None
    export_kind: Kind | None = None
    extra: Sequence[RowAction[R]] = ()


#: Titles of the import and export dialogs, and the name an export is suggested.
TRANSFER_TEXTS: dict[Kind, tuple[str, str, str]] = {
    "members": (N_("Importer des adhérents"), N_("Exporter les adhérents"), N_("adherents")),
    "producers": (N_("Importer des producteurs"), N_("Exporter les producteurs"),
                  N_("producteurs")),
    "products": (N_("Importer des produits"), N_("Exporter les produits"), N_("produits")),
}
IMPORT_FILTERS = N_("Tableaux CSV ou Excel (*.csv *.xlsx);;CSV (*.csv);;Excel (*.xlsx)")
EXPORT_FILTERS = N_("Classeur Excel (*.xlsx);;CSV, séparateur point-virgule (*.csv)")

ARCHIVED_COLOUR = QColor("#7a7a7a")


class ListModel(RowTableModel[R]):
    """The rows of a list page; archived rows read grey and italic."""

    def __init__(self, columns: Sequence[Column[R]], parent: QObject | None = None) -> None:
        super().__init__(columns, parent)
        self.is_archived: Callable[[R], bool] = _never_archived

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.ForegroundRole,
                                        Qt.ItemDataRole.FontRole):
            if not self.is_archived(self.row(index.row())):
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return ARCHIVED_COLOUR
            font = QFont()
            font.setItalic(True)
            return font
        if (index.isValid() and role == Qt.ItemDataRole.ToolTipRole
                and self.is_archived(self.row(index.row()))):
            tip = super().data(index, role)
            return _("Archivé") + (f" — {tip}" if tip else "")
        return super().data(index, role)


class ListPage(QWidget, Generic[R]):
    """Rows of one list service, searchable and sortable, with their toolbar.

    `load` calls the service (it is called again by `reload`); `count` names a
    number of rows: 150 → « 150 adhérents ». Rows keep the service's order
    unless `sort_column` sorts them (by its sort key: accents ignored).
    `actions` fills the toolbar (kept as `list_actions`); `context` gives the
    database to import and export with.
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
        actions: ListActions[R] | None = None,
        context: PageContext | None = None,
        row_id: Callable[[R], int] = _row_id,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._load = load
        self._count = count
        self.list_actions: ListActions[R] = actions or ListActions()
        self._context = context
        self._row_id = row_id
        self._busy = False
        self._generation = -1

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
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # names may hold "<"
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()

        self.model: ListModel[R] = ListModel(columns, self)
        self.model.is_archived = self.list_actions.is_archived
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        if sort_column is not None:
            self.table.sortByColumn(sort_column, Qt.SortOrder.AscendingOrder)

        self.toolbar = self._build_toolbar()
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addStretch(0)
        if self.list_actions.load_all is not None:
            # Beside the search, not at the end of the toolbar: a long toolbar would hide
            # it behind its overflow arrow on a laptop's screen.
            bar.addWidget(self.show_archived)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        if self.toolbar is not None:
            layout.addWidget(self.toolbar)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)

        self.search.textChanged.connect(self._on_search)
        self.search.returnPressed.connect(self._go_to_table)
        self.table.activated.connect(self._on_activated)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.proxy.rowsInserted.connect(self._show_count)
        self.proxy.rowsRemoved.connect(self._show_count)
        self.proxy.modelReset.connect(self._show_count)
        self.proxy.layoutChanged.connect(self._show_count)
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self._focus_search)

        self.reload()

    # --- toolbar -------------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], None], *, shortcut: str = "",
                tooltip: str = "") -> QAction:
        action = QAction(text, self)
        # A tool bar drops the "…" of a text; it says a dialog follows, so it stays.
        action.setIconText(text)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tooltip or shortcut:
            action.setToolTip(tooltip or text)
        action.triggered.connect(slot)
        return action

    def _build_toolbar(self) -> QToolBar | None:
        a = self.list_actions
        self.new_action = self._action(_("Nouveau…"), self.new_row, shortcut="Ctrl+N",
                                       tooltip=_("Nouvelle fiche (Ctrl+N)"))
        self.edit_action = self._action(a.edit_label or _("Modifier…"), self.edit_selected,
                                        tooltip=_("Ouvrir la fiche choisie (Entrée ou "
                                                  "double-clic)"))
        self.archive_action = self._action(_("Archiver"), self.archive_selected,
                                           tooltip=_("Retirer des listes sans rien effacer de "
                                                     "l'historique"))
        self.delete_action = self._action(_("Supprimer"), self.delete_selected,
                                          tooltip=_("Effacer une fiche saisie par erreur"))
        self.import_action = self._action(_("Importer…"), self.import_rows,
                                          tooltip=_("Importer un tableau CSV ou Excel"))
        self.export_action = self._action(_("Exporter…"), self.export_rows,
                                          tooltip=_("Enregistrer la liste en CSV ou Excel"))
        self.extra_actions = [self._action(extra.label, self._extra_runner(extra))
                              for extra in a.extra]
        self.show_archived = QCheckBox(_("Afficher les archives"))
        self.show_archived.toggled.connect(lambda _checked: self.reload())

        groups: list[list[QAction]] = [
            [action for action, wanted in (
                (self.new_action, a.new), (self.edit_action, a.edit),
                (self.archive_action, a.archive), (self.delete_action, a.delete)) if wanted],
            self.extra_actions,
            [action for action, wanted in (
                (self.import_action, a.import_kind), (self.export_action, a.export_kind))
             if wanted],
        ]
        if not any(groups):
            return None
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setIconSize(QSize(1, 1))
        first = True
        for present in groups:
            if not present:
                continue
            if not first:
                toolbar.addSeparator()
            first = False
            for action in present:
                toolbar.addAction(action)
                button = toolbar.widgetForAction(action)
                if isinstance(button, QToolButton):
                    button.setAutoRaise(False)  # drawn as buttons, so that they read as such
        return toolbar

    def selected_row(self) -> R | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: R = self.proxy.row_at(rows[0].row())
        return row

    def _update_actions(self, *_args: Any) -> None:
        row = self.selected_row()
        archived = row is not None and self.list_actions.is_archived(row)
        idle = not self._busy
        self.new_action.setEnabled(idle)
        self.edit_action.setEnabled(idle and row is not None)
        self.archive_action.setEnabled(idle and row is not None)
        label = _("Désarchiver") if archived else _("Archiver")
        self.archive_action.setText(label)
        self.archive_action.setIconText(label)
        self.delete_action.setEnabled(idle and row is not None)
        self.import_action.setEnabled(idle)
        self.export_action.setEnabled(idle)
        for action, extra in zip(self.extra_actions, self.list_actions.extra, strict=True):
            action.setEnabled(idle and row is not None and (extra.on_archived or not archived))

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_actions()

    # --- the actions ---------------------------------------------------------------------

    def new_row(self) -> None:
        if self.list_actions.new is None or self._busy:
            return
        saved = self.list_actions.new(self)
        if saved is not None:
            data_changed()
            self.reload(select_id=saved)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.edit_row(row)

    def edit_row(self, row: R) -> None:
        if self.list_actions.edit is None or self._busy:
            return
        saved = self.list_actions.edit(self, row)
        if saved is not None:
            data_changed()
            self.reload(select_id=saved)

    def archive_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.archive_row(row, not self.list_actions.is_archived(row))

    def archive_row(self, row: R, archived: bool) -> None:
        archive = self.list_actions.archive
        if archive is None or self._busy:
            return
        self._set_busy(True)
        run_task(self, lambda _progress: archive(row, archived),
                 on_success=lambda _result: self._after_write(self._row_id(row)),
                 on_failure=self._write_failed,
                 title=_("Archivage"), label=_("Archivage…"), cancellable=False)

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self.delete_row(row)

    def delete_row(self, row: R) -> None:
        delete = self.list_actions.delete
        if delete is None or self._busy:
            return
        name = self.list_actions.describe(row)
        if not messages.confirm(
                self, title=_("Supprimer"), action=_("Supprimer"),
                text=_("Supprimer « {name} » ? La suppression est définitive ; elle n'est "
                       "possible que pour une fiche à laquelle rien ne fait référence.").format(
                    name=name)):
            return
        self._set_busy(True)
        run_task(self, lambda _progress: delete(row),
                 on_success=lambda _result: self._after_write(None),
                 on_failure=lambda error: self._delete_refused(row, error),
                 title=_("Suppression"), label=_("Suppression…"), cancellable=False)

    def _delete_refused(self, row: R, error: Exception) -> None:
        """A record something refers to is archived, never deleted: offer that instead."""
        self._set_busy(False)
        if (isinstance(error, Referenced) and self.list_actions.archive is not None
                and not self.list_actions.is_archived(row)):
            if messages.offer_archive(self, str(error)):
                self.archive_row(row, True)
            return
        messages.show_failure(self, error)

    def _after_write(self, select_id: int | None) -> None:
        self._set_busy(False)
        data_changed()
        self.reload(select_id=select_id)

    def _write_failed(self, error: Exception) -> None:
        self._set_busy(False)
        messages.show_failure(self, error)
        self.reload()

    def _extra_runner(self, extra: RowAction[R]) -> Callable[[], None]:
        def run() -> None:
            row = self.selected_row()
            if row is not None and not self._busy and extra.run(self, row):
                data_changed()
                self.reload(select_id=self._row_id(row))
        return run

    def import_rows(self) -> None:
        kind = self.list_actions.import_kind
        if kind is None or self._context is None or self._busy:
            return
        title = _(TRANSFER_TEXTS[kind][0])
        path = messages.choose_open_file(self, title=title, filters=_(IMPORT_FILTERS))
        if path is None:
            return
        from ui.dialogs.import_dialog import ImportDialog

        report = ImportDialog(self, self._context, kind=kind, path=path, title=title).ask()
        if report is not None and report.written:
            data_changed()
            self.reload()

    def export_rows(self) -> None:
        kind = self.list_actions.export_kind
        context = self._context
        if kind is None or context is None or self._busy:
            return
        title = _(TRANSFER_TEXTS[kind][1])
        suggested = f"{_(TRANSFER_TEXTS[kind][2])}-{context.today():%Y-%m-%d}.xlsx"
        path = messages.choose_save_file(self, title=title, suggested=suggested,
                                         filters=_(EXPORT_FILTERS))
        if path is None:
            return
        from coopfood.exports import export_list

        self._set_busy(True)

        def exported(summary: ExportSummary) -> None:
            self._set_busy(False)
            messages.show_info(self, _("{rows} dans « {file} ».").format(
                rows=counted("{n} ligne exportée", "{n} lignes exportées", summary.rows),
                file=summary.path.name), title=title)

        run_task(self, lambda _progress: export_list(db=context.db, actor=context.actor,
                                                     kind=kind, path=path),
                 on_success=exported, on_failure=self._write_failed,
                 title=title, label=_("Export en cours…"), cancellable=False)

    # --- rows ----------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Ask the service for the rows again; select `select_id`'s row (else the row that
        was selected, if it is still there)."""
        if select_id is None:
            current = self.selected_row()
            select_id = self._row_id(current) if current is not None else None
        load = self._load
        if self.list_actions.load_all is not None and self.show_archived.isChecked():
            load = self.list_actions.load_all
        try:
            rows = load()
        except ServiceError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            rows = []
        else:
            self.error_label.hide()
        self._generation = _data_generation
        self.model.set_rows(rows)
        self._show_count()
        if select_id is not None:
            self.select(select_id)
        self._update_actions()

    def select(self, row_id: int) -> bool:
        """Select and show the row of this id; a search hiding it is cleared."""
        for attempt in range(2):
            for proxy_row in range(self.proxy.rowCount()):
                if self._row_id(self.proxy.row_at(proxy_row)) == row_id:
                    self.table.selectRow(proxy_row)
                    self.table.scrollTo(self.proxy.index(proxy_row, 0))
                    return True
            if attempt == 0 and self.proxy.search() and any(
                    self._row_id(row) == row_id for row in self.model.rows()):
                self.search.clear()
                continue
            break
        return False

    def showEvent(self, event: QShowEvent) -> None:
        if self._generation != _data_generation:
            self.reload()
        super().showEvent(event)

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
        row = self.proxy.row_at(index.row())
        self.row_activated.emit(row)
        if self.list_actions.edit is not None:
            self.edit_row(row)

    def _go_to_table(self) -> None:
        """Enter in the search box goes to the first row found, for the arrow keys."""
        if self.proxy.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()
