"""Trésorerie › Paiements producteurs: pay invoices by SEPA transfer, and the journal.

The upper table lists the producers' invoices with something left to pay,
overdue ones highlighted; the treasurer ticks those to pay (and may type a
smaller amount to pay part of one), then « Générer le virement SEPA… » writes
the pain.001 file to upload to the bank — through the very service of
`python main.py pay producers`. The lower table is the history of the files
made: a file can be saved again, or cancelled while no bank line is matched
to it. « Exporter le journal… » writes the accountant's journal of a month
or a year, in CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.banking.sepa import next_business_day
from coopfood.domain.money import AmountError, money
from coopfood.i18n import _, ngettext
from coopfood.services import ServiceError, journal, payouts
from coopfood.services.payouts import PayableInvoice, PayoutBatchRow, PayoutItem, PayoutResult
from coopfood.services.value_sharing import Period
from ui.dialogs import form, messages
from ui.display import counted, date_text, money_text, number_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task

Index = QModelIndex | QPersistentModelIndex

#: A soft red behind an overdue invoice, readable in light and high-contrast themes alike.
OVERDUE_BACKGROUND = QColor(255, 224, 224)
OVERDUE_FOREGROUND = QColor(120, 0, 0)


class PayableModel(QAbstractTableModel):
    """The invoices to pay: a box to tick, and the amount to pay now (editable)."""

    CHECK, PRODUCER, NUMBER, DATE, DUE, TOTAL, PAID, REMAINING, AMOUNT = range(9)

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.today = today
        self.rows: list[PayableInvoice] = []
        self.checked: set[int] = set()
        #: Amounts typed for a part payment, by invoice id (the text as typed).
        self.amounts: dict[int, str] = {}

    def headers(self) -> tuple[str, ...]:
        return ("", _("Producteur"), _("Numéro"), _("Date"), _("Échéance"), _("Total"),
                _("Déjà payé"), _("Reste à payer"), _("À payer"))

    def set_rows(self, rows: list[PayableInvoice]) -> None:
        self.beginResetModel()
        self.rows = rows
        ids = {row.invoice_id for row in rows}
        self.checked &= ids
        self.amounts = {key: text for key, text in self.amounts.items() if key in ids}
        self.endResetModel()

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 9

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 9:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers()[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == self.CHECK:
                return _("Cochez les factures à payer")
            if section == self.AMOUNT:
                return _("Tapez un montant plus petit pour ne payer qu'une partie de la "
                         "facture ; vide : tout ce qui reste.")
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        overdue = row.overdue(self.today)
        if role == Qt.ItemDataRole.CheckStateRole and column == self.CHECK:
            return (Qt.CheckState.Checked if row.invoice_id in self.checked
                    else Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.BackgroundRole and overdue:
            return QBrush(OVERDUE_BACKGROUND)
        if role == Qt.ItemDataRole.ForegroundRole and overdue:
            return QBrush(OVERDUE_FOREGROUND)
        if role == Qt.ItemDataRole.FontRole and overdue and column == self.DUE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Align.RIGHT if column >= self.TOTAL else Align.LEFT).value
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.iban is None:
                return _("{producer} n'a pas d'IBAN : saisissez-le dans sa fiche (Producteurs) "
                         "pour le payer par virement.").format(producer=row.producer_name)
            if overdue:
                return _("Échue depuis le {date}").format(date=date_text(row.due_date))
            return None
        if role == Qt.ItemDataRole.EditRole and column == self.AMOUNT:
            return self.amounts.get(row.invoice_id, "")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == self.CHECK:
            return ""
        if column == self.PRODUCER:
            return (row.producer_name if row.iban is not None
                    else _("{producer} (sans IBAN)").format(producer=row.producer_name))
        if column == self.NUMBER:
            return row.number
        if column == self.DATE:
            return date_text(row.issue_date, style="short")
        if column == self.DUE:
            return date_text(row.due_date, style="short")
        if column == self.TOTAL:
            return money_text(row.total)
        if column == self.PAID:
            return money_text(row.paid + row.credited) if row.paid or row.credited else ""
        if column == self.REMAINING:
            return money_text(row.remaining)
        if row.invoice_id not in self.checked:
            return ""
        typed = self.amounts.get(row.invoice_id)
        if not typed:
            return money_text(row.remaining)
        try:
            return money_text(money(typed))
        except AmountError:
            return typed  # shown as typed; « Générer » names the mistake

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemNeverHasChildren)
        if index.column() == self.CHECK:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        if index.column() == self.AMOUNT:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        row = self.rows[index.row()]
        if index.column() == self.CHECK and role == Qt.ItemDataRole.CheckStateRole:
            self.set_checked(row.invoice_id, Qt.CheckState(value) == Qt.CheckState.Checked)
            return True
        if index.column() == self.AMOUNT and role == Qt.ItemDataRole.EditRole:
            text = str(value).strip()
            if text:
                self.amounts[row.invoice_id] = text
                self.checked.add(row.invoice_id)  # typing an amount means paying it
            else:
                self.amounts.pop(row.invoice_id, None)
            self._row_changed(index.row())
            return True
        return False

    # --- what is ticked ---------------------------------------------------------------------

    def _row_changed(self, number: int) -> None:
        self.dataChanged.emit(self.index(number, 0), self.index(number, 8))

    def set_checked(self, invoice_id: int, checked: bool) -> None:
        if checked:
            self.checked.add(invoice_id)
        else:
            self.checked.discard(invoice_id)
        for number, row in enumerate(self.rows):
            if row.invoice_id == invoice_id:
                self._row_changed(number)

    def check_overdue(self) -> None:
        for row in self.rows:
            if row.overdue(self.today) and row.iban is not None:
                self.checked.add(row.invoice_id)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, 8))

    def items(self) -> list[PayoutItem]:
        """The ticked invoices with their amount, or a ValueError naming the one at fault."""
        result = []
        for row in self.rows:
            if row.invoice_id not in self.checked:
                continue
            typed = self.amounts.get(row.invoice_id)
            amount: Decimal | None = None
            if typed:
                try:
                    amount = money(typed)
                except AmountError as error:
                    raise ValueError(_("{number} : {error}.").format(number=row.number,
                                                                     error=error)) from None
            result.append(PayoutItem(row.number, amount))
        return result

    def checked_total(self) -> Decimal:
        total = Decimal("0.00")
        for row in self.rows:
            if row.invoice_id in self.checked:
                try:
                    typed = self.amounts.get(row.invoice_id)
                    total += money(typed) if typed else row.remaining
                except AmountError:
                    pass
        return total


def batch_columns() -> list[Column[PayoutBatchRow]]:
    return [
        Column(_("Lot"), lambda b: b.message_id),
        Column(_("Fait le"), lambda b: date_text(b.created_at.astimezone().date(),
                                                 style="short"),
               sort_key=lambda b: b.created_at.timestamp()),
        Column(_("Exécution"), lambda b: date_text(b.execution_date, style="short"),
               sort_key=lambda b: b.execution_date),
        Column(_("Virements"), lambda b: number_text(b.count), sort_key=lambda b: b.count,
               align=Align.RIGHT),
        Column(_("Total"), lambda b: money_text(b.total), sort_key=lambda b: b.total,
               align=Align.RIGHT),
        Column(_("Statut"), lambda b: b.status_label),
        Column(_("Producteurs"), lambda b: ", ".join(b.producers), elide=True,
               tooltip=lambda b: "\n".join(b.invoices)),
        Column(_("Par"), lambda b: b.created_by, elide=True),
    ]


def _months(today: dt.date, count: int = 24) -> list[Period]:
    """The last months, this one first."""
    result = []
    year, month = today.year, today.month
    for _n in range(count):
        result.append(Period.month(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return result


class JournalDialog(QDialog):
    """« Exporter le journal » : a month or a year."""

    def __init__(self, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Exporter le journal comptable"))
        self.setMinimumWidth(480)
        self.by_month = QRadioButton(_("Mois :"))
        self.by_month.setChecked(True)
        self.month_combo = QComboBox()
        self.month_combo.setAccessibleName(_("Mois du journal"))
        months = _months(today)
        # The month just ended first: it is the one usually closed.
        for period in months[1:] + months[:1]:
            self.month_combo.addItem(period.label, period)
        self.by_year = QRadioButton(_("Année :"))
        self.year = QSpinBox()
        self.year.setRange(2000, 2999)
        self.year.setValue(today.year)
        self.year.setAccessibleName(_("Année du journal"))
        self.year.setEnabled(False)
        self.by_year.toggled.connect(self.year.setEnabled)
        self.by_year.toggled.connect(lambda on: self.month_combo.setEnabled(not on))
        choice = QFormLayout()
        month_row = QHBoxLayout()
        month_row.addWidget(self.by_month)
        month_row.addWidget(self.month_combo, 1)
        year_row = QHBoxLayout()
        year_row.addWidget(self.by_year)
        year_row.addWidget(self.year, 1)
        choice.addRow(month_row)
        choice.addRow(year_row)
        buttons = QDialogButtonBox()
        ok = buttons.addButton(_("Choisir le fichier…"), QDialogButtonBox.ButtonRole.AcceptRole)
        ok.clicked.connect(self.accept)
        cancel = buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_(
            "Le journal en partie double de la période, pour le comptable : les commandes, "
            "contrats, cotisations, règlements, factures et paiements des producteurs, les "
            "remises de chèques. En CSV (point-virgule, virgule décimale) ou en XLSX.")))
        layout.addLayout(choice)
        layout.addWidget(buttons)

    def period(self) -> Period:
        if self.by_year.isChecked():
            return Period.year(self.year.value())
        period = self.month_combo.currentData()
        assert isinstance(period, Period)
        return period

    def ask(self) -> Period | None:
        if form.run_modal(self) != QDialog.DialogCode.Accepted:
            return None
        return self.period()


class PayoutsTab(QWidget):
    """« Paiements producteurs »."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.last_result: PayoutResult | None = None

        self.pay_button = QPushButton(_("Générer le virement SEPA…"))
        self.pay_button.clicked.connect(self.generate)
        self.check_overdue_button = QPushButton(_("Cocher les factures échues"))
        self.check_overdue_button.clicked.connect(self._check_overdue)
        self.journal_button = QPushButton(_("Exporter le journal…"))
        self.journal_button.clicked.connect(self.export_journal)
        self.execution = QDateEdit()
        self.execution.setCalendarPopup(True)
        self.execution.setDisplayFormat("dd/MM/yyyy")
        self.execution.setAccessibleName(_("Date d'exécution demandée"))
        self.execution.setToolTip(_("Le jour où la banque exécute les virements (par défaut "
                                    "le prochain jour ouvré)."))
        self._reset_execution_date()
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.pay_button)
        toolbar.addWidget(QLabel(_("Exécution le :")))
        toolbar.addWidget(self.execution)
        toolbar.addWidget(self.check_overdue_button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.journal_button)

        self.note = note_label(_(
            "Cochez les factures à payer (un montant plus petit paie une partie de la facture), "
            "puis générez le fichier de virements à déposer sur le site de la banque : les "
            "factures sont alors enregistrées comme payées. Les factures échues sont en "
            "rouge."))
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = PayableModel(context.today(), self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Factures à payer"))
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        # A few dozen invoices at most: every column may follow its contents as ticks change.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(PayableModel.PRODUCER, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.model.dataChanged.connect(lambda *_a: self._show_summary())
        self.model.modelReset.connect(self._show_summary)

        self.history_title = QLabel(_("Fichiers de virements déjà faits"))
        font = self.history_title.font()
        font.setBold(True)
        self.history_title.setFont(font)
        self.save_again_button = QPushButton(_("Enregistrer le fichier…"))
        self.save_again_button.clicked.connect(self.save_again)
        self.cancel_button = QPushButton(_("Annuler ce lot"))
        self.cancel_button.clicked.connect(self.cancel_batch)
        history_bar = QHBoxLayout()
        history_bar.addWidget(self.history_title)
        history_bar.addStretch(1)
        history_bar.addWidget(self.save_again_button)
        history_bar.addWidget(self.cancel_button)
        columns = batch_columns()
        self.batches: RowTableModel[PayoutBatchRow] = RowTableModel(columns, self)
        self.batch_proxy = SearchProxyModel(self)
        self.batch_proxy.setSourceModel(self.batches)
        self.batch_table = make_table_view(self.batch_proxy, self)
        self.batch_table.setAccessibleName(_("Fichiers de virements"))
        self.batch_fitter = ColumnFitter(self.batch_table, columns)
        self.batch_table.selectionModel().selectionChanged.connect(self._update_actions)

        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addWidget(self.table, 1)
        upper_layout.addWidget(self.summary)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(history_bar)
        lower_layout.addWidget(self.batch_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(toolbar)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.refresh()

    # --- loading ----------------------------------------------------------------------------

    def _reset_execution_date(self) -> None:
        today = self._context.today()
        day = next_business_day(today)
        self.execution.setMinimumDate(QDate(today.year, today.month, today.day))
        self.execution.setDate(QDate(day.year, day.month, day.day))

    def refresh(self) -> None:
        """Reload both tables (the host calls it when the tab is shown)."""
        db, actor = self._context.db, self._context.actor
        try:
            rows = payouts.payable_invoices(db=db, actor=actor)
            batches = payouts.list_payout_batches(db=db, actor=actor)
        except ServiceError as error:
            self.status.setText(str(error))
            rows, batches = [], []
        self.model.today = self._context.today()
        self.model.set_rows(rows)
        self.batches.set_rows(batches)
        self._update_actions()

    def _show_summary(self) -> None:
        count = len(self.model.checked)
        total = len(self.model.rows)
        overdue = sum(1 for row in self.model.rows if row.overdue(self.model.today))
        if not total:
            text = _("Aucune facture à payer.")
        else:
            text = counted("{n} facture à payer", "{n} factures à payer", total)
            if overdue:
                text += " — " + counted("{n} échue", "{n} échues", overdue)
            if count:
                text += " — " + _("cochées : {n}, {total}").format(
                    n=number_text(count), total=money_text(self.model.checked_total()))
        self.summary.setText(text)
        self.pay_button.setEnabled(count > 0)

    def selected_batch(self) -> PayoutBatchRow | None:
        rows = self.batch_table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.batch_proxy.row_at(rows[0].row())
        return row if isinstance(row, PayoutBatchRow) else None

    def _update_actions(self, *_args: Any) -> None:
        batch = self.selected_batch()
        self.save_again_button.setEnabled(batch is not None)
        self.cancel_button.setEnabled(batch is not None and batch.cancellable)
        if batch is not None and batch.matched:
            self.cancel_button.setToolTip(_("Ce lot est rapproché d'un débit du relevé : la "
                                            "banque l'a exécuté."))
        else:
            self.cancel_button.setToolTip("")

    def _check_overdue(self) -> None:
        self.model.check_overdue()

    # --- paying ------------------------------------------------------------------------------

    def generate(self) -> None:
        try:
            items = self.model.items()
        except ValueError as error:
            messages.show_error(self, str(error))
            return
        if not items:
            messages.show_error(self, _("Cochez au moins une facture à payer."))
            return
        execution = self.execution.date().toPython()
        assert isinstance(execution, dt.date)
        path = messages.choose_save_file(
            self, title=_("Enregistrer le fichier de virements SEPA"),
            suggested=f"virements-{execution.isoformat()}.xml",
            filters=_("Virements SEPA (*.xml)"))
        if path is None:
            return
        total = self.model.checked_total()
        if not messages.confirm(
                self, title=_("Générer le virement SEPA"),
                text=ngettext(
                    "Payer {n} facture ({total}) par virement le {date} ? Elle sera enregistrée "
                    "comme payée ; déposez ensuite le fichier sur le site de la banque.",
                    "Payer {n} factures ({total}) par virement le {date} ? Elles seront "
                    "enregistrées comme payées ; déposez ensuite le fichier sur le site de la "
                    "banque.", len(items)).format(
                    n=number_text(len(items)), total=money_text(total),
                    date=date_text(execution)),
                action=_("Générer")):
            return
        db, actor, today = self._context.db, self._context.actor, self._context.today()
        self.pay_button.setEnabled(False)
        self.status.setText(_("Préparation des virements…"))
        self.operation = run_task(
            self, lambda progress: payouts.pay_invoices(
                db=db, actor=actor, items=items, execution_date=execution, path=path,
                today=today, progress=progress),
            on_success=self._paid, on_failure=self._failed,
            title=_("Virements aux producteurs"), label=_("Préparation des virements…"))

    def _paid(self, result: PayoutResult) -> None:
        self.last_result = result
        self.model.checked.clear()
        self.model.amounts.clear()
        self.refresh()
        self.status.setText(result.summary)

    def _failed(self, error: Exception) -> None:
        self.status.setText(messages.error_text(error))
        self._show_summary()
        messages.show_failure(self, error)

    # --- the history -------------------------------------------------------------------------

    def save_again(self) -> None:
        batch = self.selected_batch()
        if batch is None:
            return
        path = messages.choose_save_file(
            self, title=_("Enregistrer le fichier du lot {id}").format(id=batch.message_id),
            suggested=f"{batch.message_id}.xml", filters=_("Virements SEPA (*.xml)"))
        if path is None:
            return
        try:
            written = payouts.save_payout_file(db=self._context.db, actor=self._context.actor,
                                               batch_id=batch.id, path=path)
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        self.status.setText(_("Fichier du lot {id} enregistré dans {file} (le fichier fait le "
                              "{date}, à l'identique).").format(
            id=batch.message_id, file=written,
            date=date_text(batch.created_at.astimezone().date())))

    def cancel_batch(self) -> None:
        batch = self.selected_batch()
        if batch is None or not batch.cancellable:
            return
        if not messages.confirm(
                self, title=_("Annuler ce lot"),
                text=_("Annuler le lot {id} ({total}) ? Ne le faites que si le fichier n'a pas "
                       "été déposé à la banque, ou si la banque l'a refusé : ses factures "
                       "redeviennent à payer. Le lot reste dans l'historique.").format(
                    id=batch.message_id, total=money_text(batch.total)),
                action=_("Annuler le lot")):
            return
        db, actor, today = self._context.db, self._context.actor, self._context.today()
        self.operation = run_task(
            self, lambda _progress: payouts.cancel_payout_batch(
                db=db, actor=actor, batch_id=batch.id, today=today),
            on_success=self._cancelled, title=_("Annuler ce lot"), cancellable=False)

    def _cancelled(self, report: payouts.CancelReport) -> None:
        self.refresh()
        self.status.setText(report.summary)

    # --- the journal -------------------------------------------------------------------------

    def export_journal(self) -> None:
        dialog = JournalDialog(self._context.today(), self)
        period = dialog.ask()
        dialog.deleteLater()
        if period is None:
            return
        path = messages.choose_save_file(
            self, title=_("Exporter le journal — {period}").format(period=period.label),
            suggested=f"journal-{period.code}.xlsx",
            filters=_("Classeur Excel (*.xlsx);;CSV (*.csv)"))
        if path is None:
            return
        db, actor = self._context.db, self._context.actor
        self.operation = run_task(
            self, lambda _progress: journal.export_journal(db=db, actor=actor, period=period,
                                                           path=path),
            on_success=lambda written: self.status.setText(written.summary),
            title=_("Exporter le journal"), cancellable=False)
