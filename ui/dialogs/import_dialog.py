"""Importing a list: a preview first (a dry run), then the import the user chose.

The dry run says what the file would do — « 148 à créer, 2 à mettre à jour,
0 inchangé, 3 rejetés » — and lists every rejected row (line, column,
reason) and every warning. « Importer » is offered only when no row is
rejected; « Importer les lignes valides » only when some are. Both runs go
through the background queue with a progress dialog and « Annuler ».
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _
from coopfood.imports import ImportReport, RowError, import_file
from coopfood.imports.columns import ImportKind
from coopfood.services import Cancelled
from ui.dialogs import form, messages
from ui.display import MISSING, counted, number_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label, title_label
from ui.worker import Operation, run_task

#: Up to this many rows, a table of reasons wraps its long texts.
WRAPPED_ROWS_MAX = 300


def row_error_columns() -> list[Column[RowError]]:
    return [
        Column(_("Ligne"), lambda r: number_text(r.line) if r.line is not None else MISSING,
               sort_key=lambda r: r.line, align=Align.RIGHT),
        Column(_("Colonne"), lambda r: r.column or MISSING, elide=True),
        Column(_("Motif"), lambda r: r.message, tooltip=lambda r: r.message),
    ]


def preview_text(report: ImportReport) -> str:
    """« 148 à créer, 2 à mettre à jour, 0 inchangé, 3 rejetés »."""
    return ", ".join((
        _("{n} à créer").format(n=number_text(report.created)),
        _("{n} à mettre à jour").format(n=number_text(report.updated)),
        counted("{n} inchangé", "{n} inchangés", report.unchanged),
        counted("{n} rejeté", "{n} rejetés", report.rejected),
    ))


def result_text(report: ImportReport) -> str:
    """« Import terminé : 148 créés, 2 mis à jour, 0 inchangé. »"""
    done = ", ".join((
        counted("{n} créé", "{n} créés", report.created),
        counted("{n} mis à jour", "{n} mis à jour", report.updated),
        counted("{n} inchangé", "{n} inchangés", report.unchanged),
    ))
    text = _("Import terminé : {done}.").format(done=done)
    if report.rejected:
        text += " " + counted("{n} ligne rejetée n'a pas été importée.",
                              "{n} lignes rejetées n'ont pas été importées.", report.rejected)
    return text


class ErrorTable(QGroupBox):
    """Rows of a report (rejected rows, or warnings) in a table."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        columns = row_error_columns()
        self.model: RowTableModel[RowError] = RowTableModel(columns, self)
        proxy = SearchProxyModel(self)
        proxy.setSourceModel(self.model)
        self.table: QTableView = make_table_view(proxy, self)
        self.fitter = ColumnFitter(self.table, columns)
        QVBoxLayout(self).addWidget(self.table)

    def set_rows(self, rows: tuple[RowError, ...]) -> None:
        # A reason reads whole, on several lines, unless there are too many rows to
        # measure them all (a 10,000-line file wrong throughout): then its tooltip has it.
        wrap = len(rows) <= WRAPPED_ROWS_MAX
        self.table.setWordWrap(wrap)
        self.table.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents if wrap else QHeaderView.ResizeMode.Fixed)
        self.model.set_rows(rows)
        self.setVisible(bool(rows))


class ImportDialog(QDialog):
    """Preview, then import, `path` as a list of `kind` (or as the orders of distribution
    `cycle_id`); `ask()` returns the import's report."""

    def __init__(self, parent: QWidget | None, context: PageContext, *, kind: ImportKind,
                 path: Path, title: str = "", cycle_id: int | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._kind = kind
        self._cycle_id = cycle_id
        self._path = path
        self._title = title or _("Importer")
        self.preview: ImportReport | None = None
        self.report: ImportReport | None = None
        self.operation: Operation | None = None
        self.setWindowTitle(self._title)

        self.heading = title_label(self._title)
        self.file_label = note_label(_("Fichier : {file}").format(file=str(path)))
        self.status = QLabel(_("Lecture du fichier…"))
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        self.explanation = note_label("")
        self.explanation.hide()
        self.error = QLabel()
        self.error.setObjectName("importError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.rejected_rows = ErrorTable(_("Lignes rejetées"))
        self.rejected_rows.hide()
        self.warning_rows = ErrorTable(_("Avertissements"))
        self.warning_rows.hide()

        self.buttons = QDialogButtonBox()
        self.import_button = QPushButton(_("Importer"))
        self.import_valid_button = QPushButton(_("Importer les lignes valides"))
        self.close_button = QPushButton(_("Annuler"))
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.import_valid_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(False)
        self.import_valid_button.hide()
        self.import_button.clicked.connect(lambda: self.start_import(keep_valid=False))
        self.import_valid_button.clicked.connect(lambda: self.start_import(keep_valid=True))
        self.close_button.clicked.connect(self._close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.file_label)
        layout.addWidget(self.status)
        layout.addWidget(self.explanation)
        layout.addWidget(self.error)
        layout.addWidget(self.rejected_rows, 2)
        layout.addWidget(self.warning_rows, 1)
        layout.addStretch(0)
        layout.addWidget(self.buttons)
        self.resize(860, 560)

    # --- the two runs ----------------------------------------------------------------------

    def start_preview(self) -> None:
        """The dry run: what the file would do, nothing written."""
        if self.operation is not None or self.preview is not None:
            return
        db, actor, kind, path = self._context.db, self._context.actor, self._kind, self._path
        today, cycle_id = self._context.today(), self._cycle_id
        self.operation = run_task(
            self,
            lambda progress: import_file(db=db, actor=actor, kind=kind, path=path, dry_run=True,
                                         progress=progress, today=today, cycle_id=cycle_id),
            on_success=self._show_preview, on_failure=self._failed,
            title=self._title, label=_("Vérification du fichier…"))

    def start_import(self, *, keep_valid: bool) -> None:
        if self.operation is not None or self.preview is None:
            return
        db, actor, kind, path = self._context.db, self._context.actor, self._kind, self._path
        today, cycle_id = self._context.today(), self._cycle_id
        self.import_button.setEnabled(False)
        self.import_valid_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.status.setText(_("Import en cours…"))
        self.operation = run_task(
            self,
            lambda progress: import_file(db=db, actor=actor, kind=kind, path=path,
                                         keep_valid=keep_valid, progress=progress, today=today,
                                         cycle_id=cycle_id),
            on_success=self._show_result, on_failure=self._failed,
            title=self._title, label=_("Import en cours…"))

    def _show_preview(self, report: ImportReport) -> None:
        self.operation = None
        self.preview = report
        self.status.setText(preview_text(report))
        self.rejected_rows.set_rows(report.errors)
        self.warning_rows.set_rows(report.warnings)
        changes = report.created + report.updated
        self.import_button.setEnabled(report.rejected == 0 and changes > 0)
        self.import_button.setDefault(self.import_button.isEnabled())
        self.import_valid_button.setVisible(report.rejected > 0)
        self.import_valid_button.setEnabled(report.rejected > 0 and changes > 0)
        if report.rejected:
            explanation = _("Rien ne sera importé tant qu'une ligne est rejetée : corrigez le "
                            "fichier et recommencez, ou importez seulement les lignes valides.")
        elif not changes:
            explanation = _("Ce fichier ne change rien à la base : tout y est déjà.")
        else:
            explanation = _("Rien n'a encore été enregistré : « Importer » enregistre ces "
                            "changements.")
        self.explanation.setText(explanation)
        self.explanation.show()

    def _show_result(self, report: ImportReport) -> None:
        self.operation = None
        self.report = report
        self.status.setText(result_text(report))
        self.explanation.hide()
        self.import_button.hide()
        self.import_valid_button.hide()
        self.close_button.setText(_("Fermer"))
        self.close_button.setEnabled(True)
        self.rejected_rows.set_rows(report.errors)
        self.warning_rows.set_rows(report.warnings)

    def _failed(self, error: Exception) -> None:
        self.operation = None
        self.close_button.setEnabled(True)
        self.close_button.setText(_("Fermer"))
        self.import_button.setEnabled(False)
        self.import_valid_button.setEnabled(False)
        if isinstance(error, Cancelled):
            self.status.setText(_("Import annulé : rien n'a été enregistré."))
            return
        self.status.setText(_("Le fichier n'a pas pu être importé ; rien n'a été enregistré."))
        self.error.setText(messages.error_text(error))
        self.error.show()

    # --- closing -------------------------------------------------------------------------

    def _close(self) -> None:
        if self.report is not None:
            self.accept()
        else:
            self.reject()

    def reject(self) -> None:
        if self.operation is not None:
            self.operation.cancel()  # closes once the work has stopped
            return
        super().reject()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self, self.start_preview)

    def ask(self) -> ImportReport | None:
        """Preview, let the user choose; the report of the import made, or None."""
        form.run_modal(self)
        return self.report
