"""Documents: print a distribution's sign-in sheets, pickup lists, grids and labels.

The page collects the choice (distribution, points, document) and calls
`print_documents` off the GUI thread — the very function of `python main.py
print` — into a temporary folder for « Aperçu » and « Imprimer… », into the
chosen folder for « Enregistrer… ». The preview renders the PDF pages inside
the window (pypdfium2); printing sends those pages to a Qt printer. « Bons de
commande » writes the distribution's order forms to fill in (a PDF per point, or
workbooks per household) into a chosen folder, with `write_order_forms`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _, ngettext
from coopfood.services import ServiceError
from coopfood.services.lists import CycleRow, list_cycles
from coopfood.services.order_forms import FormFormat, OrderFormReport, write_order_forms
from coopfood.services.printing import DocumentKind, PrintReport, print_documents
from ui.dialogs import messages
from ui.display import date_text
from ui.pdf_preview import PdfPreview, print_pdfs
from ui.views.context import PageContext
from ui.views.list_page import note_label, title_label
from ui.worker import Operation, run_task


def build_documents_page(context: PageContext) -> QWidget:
    return DocumentsPage(context)


def cycle_text(row: CycleRow) -> str:
    return _("{date} — {state}").format(date=date_text(row.date, style="full"),
                                        state=row.state.label)


class DocumentsPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._cycles: list[CycleRow] = []
        self._point_boxes: dict[int, QCheckBox] = {}
        self._scratch = Path(tempfile.mkdtemp(prefix="coopfood-apercu-"))
        self.destroyed.connect(lambda *_a, folder=self._scratch: shutil.rmtree(
            folder, ignore_errors=True))
        #: The files the last « Aperçu » made, shown in the preview.
        self.preview_files: list[Path] = []
        self.last_report: PrintReport | None = None
        self.operation: Operation | None = None

        self.cycle_combo = QComboBox()
        self.cycle_combo.setAccessibleName(_("Distribution"))
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Document"))
        for kind in DocumentKind:
            self.kind_combo.addItem(kind.label, kind.value)
        self.all_points = QCheckBox(_("Tous les points"))
        self.all_points.setChecked(True)
        self.all_points.toggled.connect(self._on_all_points)
        self._points_row = QHBoxLayout()
        self._points_row.addWidget(self.all_points)
        self._points_row.addStretch(1)

        self.preview_button = QPushButton(_("Aperçu"))
        self.print_button = QPushButton(_("Imprimer…"))
        self.save_button = QPushButton(_("Enregistrer…"))
        self.preview_button.clicked.connect(self.preview)
        self.print_button.clicked.connect(self.print_documents)
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        for button in (self.preview_button, self.print_button, self.save_button):
            buttons.addWidget(button)
        self.mail_button = QPushButton(_("Envoyer par e-mail…"))
        self.mail_button.setToolTip(_("Envoyer les listes de préparation aux producteurs, les "
                                      "feuilles d'émargement aux coordinateurs, les bons de "
                                      "commande ou les relevés aux foyers"))
        self.mail_button.clicked.connect(self.send_by_mail)
        buttons.addWidget(self.mail_button)
        buttons.addStretch(1)

        self.forms_pdf_button = QPushButton(_("PDF à imprimer…"))
        self.forms_pdf_button.setToolTip(_("Un bon de commande vierge par point, à imprimer et "
                                           "à remplir à la main"))
        self.forms_xlsx_button = QPushButton(_("Classeurs à remplir (XLSX)…"))
        self.forms_xlsx_button.setToolTip(_(
            "Un classeur par foyer (et un par point) où seules les quantités se remplissent ; "
            "remplis, ils s'importent depuis la page Commandes"))
        self.forms_pdf_button.clicked.connect(lambda: self.save_order_forms(FormFormat.PDF))
        self.forms_xlsx_button.clicked.connect(lambda: self.save_order_forms(FormFormat.XLSX))
        forms_row = QHBoxLayout()
        forms_row.addWidget(self.forms_pdf_button)
        forms_row.addWidget(self.forms_xlsx_button)
        forms_row.addStretch(1)
        self.last_forms: OrderFormReport | None = None

        self.file_combo = QComboBox()
        self.file_combo.setAccessibleName(_("Fichier affiché"))
        self.file_combo.currentIndexChanged.connect(self._show_file)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # names may hold "<"
        self.status.setWordWrap(True)
        self.preview_view = PdfPreview()

        form = QFormLayout()
        form.addRow(_("Distribution :"), self.cycle_combo)
        form.addRow(_("Points :"), self._points_row)
        form.addRow(_("Document :"), self.kind_combo)
        form.addRow(_("Bons de commande :"), forms_row)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Documents")))
        layout.addWidget(note_label(_(
            "Les documents du jour de distribution, en PDF : un fichier par point de "
            "distribution, ou par producteur pour les listes de préparation.")))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.file_combo)
        layout.addWidget(self.preview_view, 1)
        self.file_combo.hide()

        self.cycle_combo.currentIndexChanged.connect(self._on_cycle)
        self.reload()

    # --- the choice -----------------------------------------------------------------------

    def reload(self) -> None:
        try:
            self._cycles = list_cycles(db=self._context.db, actor=self._context.actor)
        except ServiceError as error:
            self.status.setText(str(error))
            self._cycles = []
        self.cycle_combo.blockSignals(True)
        self.cycle_combo.clear()
        for row in self._cycles:
            self.cycle_combo.addItem(cycle_text(row), row.id)
        self.cycle_combo.blockSignals(False)
        self._on_cycle()
        enabled = bool(self._cycles)
        for button in (self.preview_button, self.print_button, self.save_button,
                       self.forms_pdf_button, self.forms_xlsx_button):
            button.setEnabled(enabled)
        if not enabled:
            self.status.setText(_("Aucune distribution : créez-en une pour imprimer ses "
                                  "documents."))

    def _on_cycle(self, *_args: object) -> None:
        for box in self._point_boxes.values():
            self._points_row.removeWidget(box)
            box.deleteLater()
        self._point_boxes = {}
        row = self.current_cycle()
        if row is None:
            return
        for position, (point_id, name) in enumerate(zip(row.point_ids, row.points,
                                                        strict=True)):
            box = QCheckBox(name)
            box.setChecked(True)
            box.setEnabled(not self.all_points.isChecked())
            self._points_row.insertWidget(position + 1, box)
            self._point_boxes[point_id] = box

    def _on_all_points(self, checked: bool) -> None:
        for box in self._point_boxes.values():
            box.setEnabled(not checked)
            if checked:
                box.setChecked(True)

    def current_cycle(self) -> CycleRow | None:
        index = self.cycle_combo.currentIndex()
        return self._cycles[index] if 0 <= index < len(self._cycles) else None

    def point_boxes(self) -> dict[int, QCheckBox]:
        return dict(self._point_boxes)

    def chosen_points(self) -> list[int] | None:
        """None: every point of the distribution (« Tous les points »)."""
        if self.all_points.isChecked():
            return None
        return [pid for pid, box in self._point_boxes.items() if box.isChecked()]

    def chosen_kind(self) -> DocumentKind:
        return DocumentKind(self.kind_combo.currentData())

    # --- asking the user (replaced in tests) ---------------------------------------------

    def ask_folder(self) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self, _("Enregistrer les documents dans…"))
        return Path(folder) if folder else None

    def ask_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Imprimer les documents"))
        return printer if dialog.exec() == QPrintDialog.DialogCode.Accepted else None

    # --- the actions ------------------------------------------------------------------------

    def preview(self) -> None:
        self._run(self._fresh_scratch("apercu"), self._show_preview)

    def save(self) -> None:
        folder = self.ask_folder()
        if folder is None:
            return
        self._run(folder, self._saved)

    def print_documents(self) -> None:
        self._run(self._fresh_scratch("impression"), self._print)

    def _run(self, folder: Path, on_success: Callable[[PrintReport], None]) -> None:
        """Print the chosen documents into `folder` off the GUI thread, then `on_success`."""
        row = self.current_cycle()
        if row is None:
            return
        if self.chosen_points() == []:
            messages.show_error(self, _("Cochez au moins un point de distribution."))
            return
        db, actor, kind, points = (self._context.db, self._context.actor, self.chosen_kind(),
                                   self.chosen_points())
        self.status.setText(_("Préparation des documents…"))
        self.operation = run_task(
            self,
            lambda progress: print_documents(db=db, actor=actor, cycle_id=row.id, kinds=[kind],
                                             point_ids=points, out_dir=folder,
                                             progress=progress),
            on_success=on_success,
            on_failure=self._failed,
            title=kind.label,
            label=_("Préparation des documents…"),
        )

    def save_order_forms(self, format: FormFormat) -> None:
        """The order forms of the chosen distribution and points, into a chosen folder."""
        row = self.current_cycle()
        if row is None:
            return
        if self.chosen_points() == []:
            messages.show_error(self, _("Cochez au moins un point de distribution."))
            return
        folder = self.ask_folder()
        if folder is None:
            return
        db, actor, points = self._context.db, self._context.actor, self.chosen_points()
        self.status.setText(_("Préparation des bons de commande…"))
        self.operation = run_task(
            self,
            lambda progress: write_order_forms(db=db, actor=actor, cycle_id=row.id,
                                               point_ids=points, out_dir=folder, format=format,
                                               progress=progress),
            on_success=lambda report: self._forms_saved(report, folder),
            on_failure=self._failed,
            title=_("Bons de commande"),
            label=_("Préparation des bons de commande…"),
        )

    def _forms_saved(self, report: OrderFormReport, folder: Path) -> None:
        self.last_forms = report
        lines = [ngettext("{n} bon de commande enregistré dans {folder}",
                          "{n} bons de commande enregistrés dans {folder}",
                          len(report.files)).format(n=len(report.files), folder=folder)]
        lines.extend(report.warnings)
        self.status.setText("\n".join(lines))

    def send_by_mail(self) -> None:
        """« Envoyer par e-mail… »: the dialog, on the distribution and document chosen."""
        from coopfood.services.mail import MailKind
        from ui.dialogs.send_mail import show_send_mail

        row = self.current_cycle()
        kind = MailKind.SHEETS if self.chosen_kind() is DocumentKind.SHEETS else MailKind.PICKUP
        show_send_mail(self, self._context, kind=kind, cycle_id=row.id if row else None)

    def _fresh_scratch(self, name: str) -> Path:
        """An emptied folder of the page's own temporary folder."""
        if name == "apercu":
            self.preview_view.clear()  # it holds the previous file open
        folder = self._scratch / name
        shutil.rmtree(folder, ignore_errors=True)
        return folder

    def _failed(self, error: Exception) -> None:
        self.status.setText(messages.error_text(error))
        messages.show_failure(self, error)

    def _summary(self, report: PrintReport) -> str:
        return ngettext("{n} fichier, {pages} pages", "{n} fichiers, {pages} pages",
                        len(report.files)).format(n=len(report.files), pages=report.pages)

    def _show_preview(self, report: PrintReport) -> None:
        self.last_report = report
        self.preview_files = [f.path for f in report.files]
        self.file_combo.blockSignals(True)
        self.file_combo.clear()
        for printed in report.files:
            self.file_combo.addItem(_("{title} ({pages} p.)").format(
                title=printed.title, pages=printed.pages), str(printed.path))
        self.file_combo.blockSignals(False)
        self.file_combo.setVisible(len(report.files) > 1)
        self.status.setText(self._summary(report))
        self._show_file()

    def _show_file(self, *_args: object) -> None:
        path = self.file_combo.currentData()
        if path:
            self.preview_view.show_pdf(Path(path))

    def _saved(self, report: PrintReport) -> None:
        self.last_report = report
        folder = report.files[0].path.parent if report.files else Path()
        self.status.setText(_("{summary} enregistrés dans {folder}").format(
            summary=self._summary(report), folder=folder))

    def _print(self, report: PrintReport) -> None:
        self.last_report = report
        printer = self.ask_printer()
        if printer is None:
            self.status.setText(_("Impression abandonnée."))
            return
        sent = print_pdfs(printer, [f.path for f in report.files])
        self.status.setText(ngettext("{n} page envoyée à l'imprimante.",
                                     "{n} pages envoyées à l'imprimante.", sent).format(n=sent))
