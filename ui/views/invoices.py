"""Factures: the producer invoices and credit notes issued, and issuing a period's.

The list shows every invoice and credit note (producer, period, number, buyer,
date, status, totals), searchable, by year. « Préparer une période… » opens
the drafts of a month or of dates for the chosen producers — recomputed at
each « Aperçu », each previewable as a watermarked PDF — and « Émettre »
issues them off the GUI thread, with progress and cancel, through the very
service of `python main.py invoice issue`. « Réimprimer / Enregistrer le
PDF… » writes the stored PDF (a reprint is the issued document), « Avoir… »
credits lines or quantities with a reason, « Exporter la liste… » writes
the list to CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.money import AmountError, quantity
from coopfood.i18n import _, ngettext
from coopfood.services import ServiceError, invoicing
from coopfood.services.invoicing import (
    Draft,
    InvoiceDetail,
    InvoicePreview,
    InvoiceRow,
    IssueReport,
    Period,
)
from coopfood.services.lists import list_producers
from coopfood.services.orders import quantity_text
from ui.dialogs import form, messages
from ui.display import counted, date_text, for_screen, money_text, number_text, percent_text
from ui.pdf_preview import PdfPreview
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label, title_label
from ui.worker import Operation, run_task

Index = QModelIndex | QPersistentModelIndex


def build_invoices_page(context: PageContext) -> QWidget:
    return InvoicesPage(context)


def period_text(start: dt.date, end: dt.date) -> str:
    return Period(start, end).label


def invoice_columns() -> list[Column[InvoiceRow]]:
    return [
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Période"), lambda r: period_text(r.period_start, r.period_end),
               sort_key=lambda r: r.period_start),
        Column(_("Numéro"), lambda r: r.number),
        Column(_("Client"), lambda r: r.buyer, elide=True),
        Column(_("Date"), lambda r: date_text(r.date, style="short"), sort_key=lambda r: r.date),
        Column(_("Statut"), lambda r: r.status_label,
               tooltip=lambda r: (_("Avoir sur la facture {number}").format(
                   number=r.corrected_number) if r.corrected_number else "")),
        Column(_("Total HT"), lambda r: money_text(r.total_ht), sort_key=lambda r: r.total_ht,
               align=Align.RIGHT),
        Column(_("TVA"), lambda r: money_text(r.total_vat), sort_key=lambda r: r.total_vat,
               align=Align.RIGHT),
        Column(_("Total TTC"), lambda r: money_text(r.total_ttc),
               sort_key=lambda r: r.total_ttc, align=Align.RIGHT),
    ]


def draft_columns() -> list[Column[Draft]]:
    return [
        Column(_("Producteur"), lambda d: d.producer, elide=True),
        Column(_("Client"), lambda d: d.buyer, elide=True),
        Column(_("Lignes"), lambda d: number_text(len(d.data.lines)),
               sort_key=lambda d: len(d.data.lines), align=Align.RIGHT),
        Column(_("Total HT"), lambda d: money_text(d.total_ht), sort_key=lambda d: d.total_ht,
               align=Align.RIGHT),
        Column(_("TVA"), lambda d: money_text(d.total_vat), sort_key=lambda d: d.total_vat,
               align=Align.RIGHT),
        Column(_("Total TTC"), lambda d: money_text(d.total_ttc),
               sort_key=lambda d: d.total_ttc, align=Align.RIGHT),
    ]


def _months(today: dt.date, count: int = 24) -> list[tuple[str, Period]]:
    """The last months, this one first: (« novembre 2026 », its period)."""
    months = []
    year, month = today.year, today.month
    for _n in range(count):
        period = invoicing.month_period(f"{year}-{month:02d}")
        months.append((period.label, period))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


class PrepareDialog(QDialog):
    """« Préparer une période » : choose, preview the drafts, issue them."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Préparer les factures d'une période"))
        self.resize(1240, 800)
        self._context = context
        self._scratch = Path(tempfile.mkdtemp(prefix="coopfood-factures-"))
        self.destroyed.connect(lambda *_a, folder=self._scratch: shutil.rmtree(
            folder, ignore_errors=True))
        self.preview_result: InvoicePreview | None = None
        self.report: IssueReport | None = None
        self.operation: Operation | None = None

        today = context.today()
        self.by_month = QRadioButton(_("Mois :"))
        self.by_month.setChecked(True)
        self.month_combo = QComboBox()
        self.month_combo.setAccessibleName(_("Mois à facturer"))
        # The month just ended first: it is the one usually invoiced.
        for label, period in _months(today)[1:] + _months(today)[:1]:
            self.month_combo.addItem(label, period)
        self.by_dates = QRadioButton(_("Du"))
        self.start = QDateEdit(QDate(today.year, today.month, 1))
        self.end = QDateEdit(QDate(today.year, today.month, today.day))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        period_row = QHBoxLayout()
        for widget in (self.by_month, self.month_combo, self.by_dates, self.start,
                       QLabel(_("au")), self.end):
            period_row.addWidget(widget)
        period_row.addStretch(1)

        self.all_producers = QCheckBox(_("Tous les producteurs"))
        self.all_producers.setChecked(True)
        self.producer_list = QListWidget()
        self.producer_list.setAccessibleName(_("Producteurs à facturer"))
        self.producer_list.setMaximumHeight(96)
        for producer in list_producers(db=context.db, actor=context.actor):
            item = QListWidgetItem(producer.name)
            item.setData(Qt.ItemDataRole.UserRole, producer.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.producer_list.addItem(item)
        self.producer_list.setEnabled(False)
        self.all_producers.toggled.connect(lambda on: self.producer_list.setEnabled(not on))

        self.preview_button = QPushButton(_("Aperçu"))
        self.preview_button.clicked.connect(self.preview)
        self.summary = QLabel(_("Choisissez la période, puis « Aperçu » : rien n'est émis "
                                "avant « Émettre »."))
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        self.model: RowTableModel[Draft] = RowTableModel(draft_columns(), self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, draft_columns())
        self.table.selectionModel().currentRowChanged.connect(self._show_draft)
        self.pdf = PdfPreview()
        self.pdf.zoom = 0.72
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.pdf)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([720, 480])

        self.buttons = QDialogButtonBox()
        self.issue_button = self.buttons.addButton(_("Émettre"),
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.issue_button.setEnabled(False)
        self.issue_button.clicked.connect(self.issue)
        close = self.buttons.addButton(_("Fermer"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)

        choice = QFormLayout()
        choice.addRow(_("Période :"), period_row)
        producers = QVBoxLayout()
        producers.addWidget(self.all_producers)
        producers.addWidget(self.producer_list)
        choice.addRow(_("Producteurs :"), producers)
        layout = QVBoxLayout(self)
        layout.addLayout(choice)
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.summary, 1)
        layout.addLayout(row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

    def done(self, result: int) -> None:
        self.pdf.clear()  # pdfium keeps the draft's file open until then
        super().done(result)

    # --- the choice --------------------------------------------------------------------------

    def chosen_period(self) -> Period:
        if self.by_month.isChecked():
            period = self.month_combo.currentData()
            assert isinstance(period, Period)
            return period
        start, end = self.start.date().toPython(), self.end.date().toPython()
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        return invoicing.date_period(start, end)

    def chosen_producers(self) -> list[int] | None:
        if self.all_producers.isChecked():
            return None
        return [int(self.producer_list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.producer_list.count())
                if self.producer_list.item(i).checkState() == Qt.CheckState.Checked]

    # --- preview and issue --------------------------------------------------------------------

    def preview(self) -> None:
        try:
            period = self.chosen_period()
        except ServiceError as error:
            messages.show_error(self, str(error))
            return
        producers = self.chosen_producers()
        if producers == []:
            messages.show_error(self, _("Cochez au moins un producteur."))
            return
        db, actor = self._context.db, self._context.actor
        self.summary.setText(_("Calcul des factures…"))
        self.issue_button.setEnabled(False)
        self.operation = run_task(
            self, lambda _progress: invoicing.preview_invoices(
                db=db, actor=actor, period=period, producer_ids=producers),
            on_success=self._show_preview, on_failure=self._failed,
            title=_("Préparer les factures"), cancellable=False)

    def _show_preview(self, preview: InvoicePreview) -> None:
        self.preview_result = preview
        self.model.set_rows(preview.drafts)
        if preview.drafts:
            text = ngettext("{n} facture à émettre pour {period}, {total} TTC.",
                            "{n} factures à émettre pour {period}, {total} TTC au total.",
                            len(preview.drafts)).format(
                n=number_text(len(preview.drafts)), period=preview.period.label,
                total=money_text(preview.total_ttc))
        else:
            text = _("Rien à facturer pour {period} : aucune livraison qui ne soit déjà "
                     "facturée.").format(period=preview.period.label)
        if preview.warnings:
            text += "\n" + "\n".join(preview.warnings)
        self.summary.setText(text)
        self.issue_button.setEnabled(bool(preview.drafts))
        if preview.drafts:
            self.table.selectRow(0)
        else:
            self.pdf.clear()

    def _show_draft(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        draft = self.proxy.row_at(current.row())
        if not isinstance(draft, Draft):
            return
        self.pdf.clear()
        path = self._scratch / f"brouillon-{current.row()}.pdf"
        path.write_bytes(invoicing.draft_pdf(draft))
        self.pdf.show_pdf(path)

    def issue(self) -> None:
        preview = self.preview_result
        if preview is None or not preview.drafts:
            return
        if not messages.confirm(
                self, title=_("Émettre les factures"),
                text=ngettext("Émettre {n} facture pour {period} ? Une facture émise ne se "
                              "modifie plus : une erreur se corrige par un avoir.",
                              "Émettre {n} factures pour {period} ? Une facture émise ne se "
                              "modifie plus : une erreur se corrige par un avoir.",
                              len(preview.drafts)).format(n=number_text(len(preview.drafts)),
                                                          period=preview.period.label),
                action=_("Émettre")):
            return
        db, actor = self._context.db, self._context.actor
        producers = self.chosen_producers()
        period = preview.period
        self.issue_button.setEnabled(False)
        self.summary.setText(_("Émission des factures…"))
        self.operation = run_task(
            self, lambda progress: invoicing.issue_invoices(
                db=db, actor=actor, period=period, producer_ids=producers, progress=progress),
            on_success=self._issued, on_failure=self._failed, title=_("Émission des factures"),
            label=_("Émission des factures…"))

    def _issued(self, report: IssueReport) -> None:
        self.report = report
        self.summary.setText(report.summary)
        self.accept()

    def _failed(self, error: Exception) -> None:
        self.summary.setText(messages.error_text(error))
        self.issue_button.setEnabled(bool(self.preview_result and self.preview_result.drafts))
        messages.show_failure(self, error)


class CreditLinesModel(QAbstractTableModel):
    """The lines of an invoice and the quantity to credit of each (the last column edits)."""

    HEADERS = ("N°", "Désignation", "Livré le", "Facturé", "Déjà crédité", "Prix HT", "TVA",
               "À créditer")

    def __init__(self, detail: InvoiceDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = detail.lines
        self.wanted: dict[int, str] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.HEADERS[section])
        if role == Qt.ItemDataRole.ToolTipRole and section == 7:
            return _("Tapez la quantité à créditer (par exemple 1,5) ; vide : ligne non "
                     "créditée.")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if column in (1, 2)
                    else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        return (
            str(line.position), line.designation, date_text(line.delivery_date, style="short"),
            for_screen(quantity_text(line.quantity, line.unit)),
            number_text(line.credited_quantity), money_text(line.unit_price_ht),
            percent_text(line.vat_rate), self.wanted.get(line.position, ""),
        )[column]

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == 7 and self.lines[index.row()].remaining > 0:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != 7 or role != Qt.ItemDataRole.EditRole:
            return False
        text = str(value).strip()
        position = self.lines[index.row()].position
        if text:
            self.wanted[position] = text
        else:
            self.wanted.pop(position, None)
        self.dataChanged.emit(index, index)
        return True

    def quantities(self) -> dict[int, Decimal]:
        """The quantities typed, or a ValueError naming the line at fault."""
        result = {}
        for position, text in self.wanted.items():
            try:
                result[position] = quantity(text)
            except AmountError as error:
                raise ValueError(_("Ligne {n} : {error}").format(n=position, error=error)) \
                    from None
        return result


class CreditNoteDialog(QDialog):
    """« Avoir… » : the whole invoice, or quantities typed line by line, and the reason."""

    def __init__(self, detail: InvoiceDetail, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail = detail
        self.setWindowTitle(_("Avoir sur la facture {number}").format(number=detail.row.number))
        self.resize(860, 480)
        self.whole = QCheckBox(_("Annuler toute la facture (tout ce qui reste facturé)"))
        self.whole.setChecked(True)
        self.model = CreditLinesModel(detail, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.resizeColumnsToContents()
        self.table.setEnabled(False)
        self.whole.toggled.connect(lambda on: self.table.setEnabled(not on))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(_("Par exemple : produits abîmés à la livraison"))
        self.reason.setMaxLength(invoicing.REASON_MAX_LENGTH)
        self.error = QLabel()
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # names may hold "<"
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox()
        ok = buttons.addButton(_("Établir l'avoir"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.clicked.connect(self._check)
        cancel = buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_(
            "Facture {number} du {date}, {producer} → {buyer}. Un avoir cite la facture, "
            "porte son propre numéro dans la même série, et ne crédite jamais plus que ce qui "
            "reste facturé.").format(number=detail.row.number,
                                     date=date_text(detail.row.date),
                                     producer=detail.row.producer, buyer=detail.row.buyer)))
        layout.addWidget(self.whole)
        self.hint = note_label(_("Décochez pour choisir : tapez la quantité à créditer de "
                                 "chaque ligne dans la colonne « À créditer »."))
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        reason = QFormLayout()
        reason.addRow(_("Motif :"), self.reason)
        layout.addLayout(reason)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def lines(self) -> dict[int, Decimal] | None:
        return None if self.whole.isChecked() else self.model.quantities()

    def _check(self) -> None:
        try:
            lines = self.lines()
        except ValueError as error:
            self.error.setText(str(error))
            return
        if lines == {}:
            self.error.setText(_("Tapez la quantité à créditer d'au moins une ligne, ou "
                                 "cochez « Annuler toute la facture »."))
            return
        if not self.reason.text().strip():
            self.error.setText(_("Donnez le motif de l'avoir : il est imprimé et gardé."))
            self.reason.setFocus()
            return
        self.accept()

    def ask(self) -> tuple[dict[int, Decimal] | None, str] | None:
        if form.run_modal(self) != QDialog.DialogCode.Accepted:
            return None
        return self.lines(), self.reason.text().strip()


class InvoicesPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.last_report: IssueReport | None = None

        self.title = title_label(_("Factures"))
        self.note = note_label(_(
            "Les factures des producteurs pour ce qui a été livré, et les avoirs. Une facture "
            "émise ne se modifie plus : son PDF (avec son Factur-X) est gardé tel quel, et une "
            "erreur se corrige par un avoir."))
        self.prepare_button = QPushButton(_("Préparer une période…"))
        self.reprint_button = QPushButton(_("Réimprimer / Enregistrer le PDF…"))
        self.credit_button = QPushButton(_("Avoir…"))
        self.export_button = QPushButton(_("Exporter la liste…"))
        self.prepare_button.clicked.connect(self.prepare)
        self.reprint_button.clicked.connect(self.save_pdf)
        self.credit_button.clicked.connect(self.credit_note)
        self.export_button.clicked.connect(self.export_list)
        toolbar = QHBoxLayout()
        for button in (self.prepare_button, self.reprint_button, self.credit_button,
                       self.export_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)

        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName(_("Année"))
        self.year_combo.currentIndexChanged.connect(lambda *_a: self.reload())
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.count_label = QLabel()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Année :")))
        bar.addWidget(self.year_combo)
        bar.addWidget(self.search, 1)
        bar.addStretch(0)
        bar.addWidget(self.count_label)

        columns = invoice_columns()
        self.model: RowTableModel[InvoiceRow] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        self.search.textChanged.connect(self._on_search)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.activated.connect(lambda _index: self.save_pdf())

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addLayout(toolbar)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self._load_years()
        self.reload()

    # --- the list ---------------------------------------------------------------------------

    def _load_years(self) -> None:
        years = invoicing.invoice_years(db=self._context.db, actor=self._context.actor)
        this_year = self._context.today().year
        self.year_combo.blockSignals(True)
        self.year_combo.clear()
        self.year_combo.addItem(_("Toutes"), None)
        for year in sorted(set(years) | {this_year}, reverse=True):
            self.year_combo.addItem(str(year), year)
        self.year_combo.setCurrentIndex(0)
        self.year_combo.blockSignals(False)

    def reload(self, select_id: int | None = None) -> None:
        try:
            rows = invoicing.list_invoices(db=self._context.db, actor=self._context.actor,
                                           year=self.year_combo.currentData())
        except ServiceError as error:
            self.status.setText(str(error))
            rows = []
        self.model.set_rows(rows)
        self._show_count()
        if select_id is not None:
            for row in range(self.proxy.rowCount()):
                if self.proxy.row_at(row).id == select_id:
                    self.table.selectRow(row)
                    break
        self._update_actions()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = (counted("{n} facture ou avoir", "{n} factures et avoirs", total) if total
                else _("Aucune facture émise"))
        if shown != total:
            text = _("{shown} sur {text}").format(shown=number_text(shown), text=text)
        self.count_label.setText(text)

    def visible_rows(self) -> list[InvoiceRow]:
        return [self.proxy.row_at(i) for i in range(self.proxy.rowCount())]

    def selected_row(self) -> InvoiceRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.proxy.row_at(rows[0].row())
        return row if isinstance(row, InvoiceRow) else None

    def _update_actions(self, *_args: Any) -> None:
        row = self.selected_row()
        self.reprint_button.setEnabled(row is not None)
        self.credit_button.setEnabled(row is not None and row.kind.value == "invoice"
                                      and row.status != invoicing.InvoiceStatus.CREDITED)

    # --- the actions ------------------------------------------------------------------------

    def prepare(self) -> None:
        dialog = PrepareDialog(self._context, self)
        self.prepare_dialog = dialog
        if form.run_modal(dialog) == QDialog.DialogCode.Accepted and dialog.report:
            self._after_issue(dialog.report)
        dialog.deleteLater()

    def _after_issue(self, report: IssueReport) -> None:
        self.last_report = report
        self._load_years()
        self.reload(select_id=report.invoices[0].id if report.invoices else None)
        self.status.setText(report.summary)

    def save_pdf(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        path = messages.choose_save_file(self, title=_("Enregistrer le PDF de {number}").format(
            number=row.number), suggested=f"{row.number}.pdf", filters=_("PDF (*.pdf)"))
        if path is None:
            return
        try:
            path.write_bytes(invoicing.invoice_pdf(db=self._context.db,
                                                   actor=self._context.actor,
                                                   invoice_id=row.id))
        except (ServiceError, OSError) as error:
            messages.show_failure(self, error)
            return
        self.status.setText(_("{number} enregistrée dans {file} (le document émis, à "
                              "l'identique).").format(number=row.number, file=path))

    def credit_note(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        try:
            detail = invoicing.get_invoice(db=self._context.db, actor=self._context.actor,
                                           number=row.number)
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        dialog = CreditNoteDialog(detail, self)
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        lines, reason = answer
        db, actor = self._context.db, self._context.actor
        self.operation = run_task(
            self, lambda _progress: invoicing.issue_credit_note(
                db=db, actor=actor, number=row.number, reason=reason, lines=lines),
            on_success=self._credited, title=_("Avoir"), cancellable=False)

    def _credited(self, result: invoicing.CreditNoteResult) -> None:
        self.reload(select_id=result.row.id)
        self.status.setText(_("Avoir {number} établi sur la facture {invoice} : {amount}.")
                            .format(number=result.row.number,
                                    invoice=result.row.corrected_number,
                                    amount=money_text(result.row.total)))

    def export_list(self) -> None:
        path = messages.choose_save_file(
            self, title=_("Exporter la liste des factures"), suggested="factures.xlsx",
            filters=_("Classeur Excel (*.xlsx);;CSV (*.csv)"))
        if path is None:
            return
        try:
            count = invoicing.export_invoice_list(db=self._context.db,
                                                  actor=self._context.actor, path=path,
                                                  rows=self.visible_rows())
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        self.status.setText(ngettext("{n} ligne écrite dans {file}.",
                                     "{n} lignes écrites dans {file}.", count).format(
            n=count, file=path))
