"""Trésorerie › Grand livre: the entries of a period, and the treasurer's hand on them.

The list shows every entry of the period — what was due, paid, corrected or
cancelled, on whose account, how — filtered by kind and by means of payment,
searchable. « Enregistrer un règlement » takes a household's payment,
« Correction… » adds or takes an amount from an account with its reason,
« Annuler l'écriture… » cancels a payment or a correction by its opposite (an
amount due follows its source and is put right there), « Mettre à jour le
grand livre » posts what distributions, contracts, fees and invoices made due
since. Nothing is ever edited nor deleted: every change is a new entry.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.i18n import _
from coopfood.services import ServiceError, ledger
from coopfood.services.ledger import EntryRow, SyncReport
from coopfood.services.lists import list_members, list_producers
from ui.dialogs import messages
from ui.dialogs.fields import date_edit, from_qdate
from ui.dialogs.member import member_choice_text
from ui.dialogs.payment import (
    Account,
    AdjustmentDialog,
    AdjustmentInput,
    PaymentDialog,
    PaymentInput,
    ReversalDialog,
    ReversalInput,
)
from ui.display import counted, date_text, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task

ZERO = Decimal("0.00")


def _state(row: EntryRow) -> str:
    if row.reversed_by_id is not None:
        return _("annulée (n° {id})").format(id=row.reversed_by_id)
    if row.reverses_id is not None:
        return _("annule le n° {id}").format(id=row.reverses_id)
    return ""


def entry_columns() -> list[Column[EntryRow]]:
    return [
        Column(_("N°"), lambda r: str(r.id), sort_key=lambda r: r.id, align=Align.RIGHT),
        Column(_("Date"), lambda r: date_text(r.entry_date, style="short"),
               sort_key=lambda r: r.entry_date),
        Column(_("Compte"), lambda r: r.account_name, elide=True),
        Column(_("Nature"), lambda r: r.kind.label),
        Column(_("Libellé"), lambda r: r.label, elide=True, tooltip=lambda r: r.label),
        Column(_("Moyen"), lambda r: r.means.label if r.means is not None else ""),
        Column(_("Référence"), lambda r: r.reference),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT, header_tooltip=_(
                   "Positif : dû à la coopérative ; négatif : payé ou dû par elle")),
        Column(_("État"), _state),
        Column(_("Saisie par"), lambda r: r.created_by, elide=True),
    ]


class LedgerTab(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.last_sync: SyncReport | None = None

        self.note = note_label(_(
            "Chaque somme due et chaque règlement, par foyer et par producteur. Une écriture "
            "ne se modifie ni ne s'efface : une erreur se corrige par une nouvelle écriture."))
        self.pay_button = QPushButton(_("Enregistrer un règlement…"))
        self.adjust_button = QPushButton(_("Correction…"))
        self.reverse_button = QPushButton(_("Annuler l'écriture…"))
        self.sync_button = QPushButton(_("Mettre à jour le grand livre"))
        self.sync_button.setToolTip(_("Passe ce que les distributions, les contrats, les "
                                      "cotisations et les factures ont rendu dû depuis."))
        self.pay_button.clicked.connect(self.record_payment)
        self.adjust_button.clicked.connect(self.record_adjustment)
        self.reverse_button.clicked.connect(self.reverse_selected)
        self.sync_button.clicked.connect(self.sync)
        toolbar = QHBoxLayout()
        for button in (self.pay_button, self.adjust_button, self.reverse_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        toolbar.addWidget(self.sync_button)

        today = context.today()
        self.date_from = date_edit(today.replace(day=1))
        self.date_to = date_edit(today)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName(_("Nature des écritures"))
        self.kind_combo.addItem(_("Toutes natures"), None)
        for kind in EntryKind:
            self.kind_combo.addItem(kind.label, kind)
        self.means_combo = QComboBox()
        self.means_combo.setAccessibleName(_("Moyen de paiement"))
        self.means_combo.addItem(_("Tous moyens"), None)
        for means in PaymentMeans:
            self.means_combo.addItem(means.label, means)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("Du")))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel(_("au")))
        filters.addWidget(self.date_to)
        filters.addWidget(self.kind_combo)
        filters.addWidget(self.means_combo)
        filters.addWidget(self.search, 1)

        columns = entry_columns()
        self.model: RowTableModel[EntryRow] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        for combo in (self.kind_combo, self.means_combo):
            combo.currentIndexChanged.connect(lambda *_a: self.refresh())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda *_a: self.refresh())
        self.search.textChanged.connect(self._on_search)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.totals)
        self.refresh()

    # --- the entries ------------------------------------------------------------------------

    def refresh(self, select_id: int | None = None) -> None:
        """Read the period's entries again (the host calls it when the tab is shown)."""
        kind = self.kind_combo.currentData()
        means = self.means_combo.currentData()
        try:
            rows = ledger.list_entries(
                db=self._context.db, actor=self._context.actor,
                date_from=from_qdate(self.date_from.date()),
                date_to=from_qdate(self.date_to.date()),
                kinds=[kind] if kind is not None else None,
                means=[means] if means is not None else None)
        except ServiceError as error:
            self.status.setText(str(error))
            rows = []
        self.model.set_rows(rows)
        if select_id is not None:
            for number in range(self.proxy.rowCount()):
                if self.proxy.row_at(number).id == select_id:
                    self.table.selectRow(number)
                    break
        self._show_totals()
        self._update_actions()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_totals()

    def visible_rows(self) -> list[EntryRow]:
        return [self.proxy.row_at(i) for i in range(self.proxy.rowCount())]

    def _show_totals(self) -> None:
        rows = self.visible_rows()
        due = sum((r.amount for r in rows if r.amount > 0), ZERO)
        paid = -sum((r.amount for r in rows if r.amount < 0), ZERO)
        self.totals.setText(_("{n} — au débit : {due} — au crédit : {paid}").format(
            n=counted("{n} écriture", "{n} écritures", len(rows)), due=money_text(due),
            paid=money_text(paid)))

    def selected_row(self) -> EntryRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.proxy.row_at(rows[0].row())
        return row if isinstance(row, EntryRow) else None

    def _update_actions(self, *_args: Any) -> None:
        row = self.selected_row()
        self.reverse_button.setEnabled(
            row is not None and not row.follows_source
            and row.kind is not EntryKind.REVERSAL and row.reversed_by_id is None)

    # --- the accounts to choose from ----------------------------------------------------------

    def households(self) -> list[Account]:
        return [Account(row.id, None, member_choice_text(row))
                for row in list_members(db=self._context.db, actor=self._context.actor)]

    def producers(self) -> list[Account]:
        return [Account(None, row.id, row.name)
                for row in list_producers(db=self._context.db, actor=self._context.actor)]

    # --- the actions ----------------------------------------------------------------------------

    def record_payment(self) -> None:
        db, actor = self._context.db, self._context.actor

        def save(data: PaymentInput) -> EntryRow:
            return ledger.record_payment(db=db, actor=actor, member_id=data.member_id,
                                         amount=data.amount, means=data.means,
                                         entry_date=data.entry_date, reference=data.reference)

        dialog = PaymentDialog(self, households=self.households(),
                               today=self._context.today(), save=save)
        self.payment_dialog = dialog
        if dialog.ask() is not None and isinstance(dialog.saved, EntryRow):
            self._done(dialog.saved, _("Règlement de {amount} enregistré pour {name}.").format(
                amount=money_text(-dialog.saved.amount), name=dialog.saved.account_name))
        dialog.deleteLater()

    def record_adjustment(self) -> None:
        db, actor = self._context.db, self._context.actor

        def save(data: AdjustmentInput) -> EntryRow:
            return ledger.record_adjustment(db=db, actor=actor, amount=data.amount,
                                            label=data.label, entry_date=data.entry_date,
                                            member_id=data.member_id,
                                            producer_id=data.producer_id)

        dialog = AdjustmentDialog(self, households=self.households(),
                                  producers=self.producers(), today=self._context.today(),
                                  save=save)
        self.adjustment_dialog = dialog
        if dialog.ask() is not None and isinstance(dialog.saved, EntryRow):
            self._done(dialog.saved, _("Correction de {amount} passée sur le compte de "
                                       "{name}.").format(amount=money_text(dialog.saved.amount),
                                                         name=dialog.saved.account_name))
        dialog.deleteLater()

    def reverse_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        db, actor = self._context.db, self._context.actor

        def save(data: ReversalInput) -> EntryRow:
            return ledger.reverse_entry(db=db, actor=actor, entry_id=data.entry_id,
                                        reason=data.reason, entry_date=data.entry_date)

        dialog = ReversalDialog(self, entry=row, today=self._context.today(), save=save)
        self.reversal_dialog = dialog
        if dialog.ask() is not None and isinstance(dialog.saved, EntryRow):
            self._done(dialog.saved, _("« {label} » est annulée.").format(label=row.label))
        dialog.deleteLater()

    def _done(self, entry: EntryRow, message: str) -> None:
        start, end = from_qdate(self.date_from.date()), from_qdate(self.date_to.date())
        if not start <= entry.entry_date <= end:
            message += " " + _("(écriture du {date}, hors de la période affichée)").format(
                date=date_text(entry.entry_date, style="short"))
        self.refresh(select_id=entry.id)
        self.status.setText(message)

    def sync(self) -> None:
        db, actor = self._context.db, self._context.actor
        today = self._context.today()
        self.sync_button.setEnabled(False)
        self.status.setText(_("Mise à jour du grand livre…"))
        self.operation = run_task(
            self, lambda _progress: ledger.sync_ledger(db=db, actor=actor, today=today),
            on_success=self._synced, on_failure=self._failed,
            title=_("Grand livre"), label=_("Mise à jour du grand livre…"), cancellable=False)

    def _synced(self, report: SyncReport) -> None:
        self.last_sync = report
        self.sync_button.setEnabled(True)
        self.refresh()
        self.status.setText(report.summary)

    def _failed(self, error: Exception) -> None:
        self.sync_button.setEnabled(True)
        self.status.setText(messages.error_text(error))
        messages.show_failure(self, error)


__all__ = ["LedgerTab", "entry_columns"]
