"""Trésorerie › Soldes: every household's balance (or every producer's), its statement.

The households' list shows what each was charged, what it paid and what is
left, searchable, by point, with only the open balances if asked, and a totals
line for what is shown. A double-click opens the household's statement (its
movements with the balance after each) with « Imprimer le relevé… »;
« Relevés PDF… » writes the statements of the selected households, or of all
those with a movement or a balance, into a folder, off the GUI thread — the
very service of `python main.py print statement`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.documents.statement import balance_sentence
from coopfood.i18n import _
from coopfood.services import Role, ServiceError
from coopfood.services.ledger import (
    TREASURERS,
    AccountStatement,
    BalanceRow,
    Movement,
    account_statement,
    format_balance,
    member_balances,
    producer_balances,
)
from coopfood.services.lists import list_points
from coopfood.services.statements import (
    WrittenStatement,
    statement_pdf,
    summary,
    write_statements,
)
from ui.dialogs import form, messages
from ui.dialogs.fields import OptionalDateEdit, date_edit, from_qdate
from ui.display import counted, date_text, for_screen, money_text
from ui.table_model import ROW_ROLE, Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task

Index = QModelIndex | QPersistentModelIndex
ZERO = Decimal("0.00")


def choose_folder(parent: QWidget | None, *, title: str) -> Path | None:
    """A folder to write into, or None if the user gave up (tests replace this)."""
    name = QFileDialog.getExistingDirectory(parent, title)
    return Path(name) if name else None


def household_columns() -> list[Column[BalanceRow]]:
    return [
        Column(_("Foyer"), lambda r: r.name, elide=True),
        Column(_("Référence"), lambda r: r.reference),
        Column(_("Point"), lambda r: r.point_name, elide=True),
        Column(_("Dû"), lambda r: money_text(r.due), sort_key=lambda r: r.due,
               align=Align.RIGHT, header_tooltip=_("Commandes, contrats et cotisations")),
        Column(_("Payé"), lambda r: money_text(r.paid), sort_key=lambda r: r.paid,
               align=Align.RIGHT),
        Column(_("Solde"), lambda r: money_text(r.balance), sort_key=lambda r: r.balance,
               align=Align.RIGHT, header_tooltip=_(
                   "Positif : ce que le foyer doit encore ; négatif : son avance")),
        Column(_("État"), lambda r: for_screen(format_balance(r.balance)),
               sort_key=lambda r: r.balance),
        Column(_("Dernier règlement"), lambda r: date_text(r.last_payment, style="short"),
               sort_key=lambda r: r.last_payment),
    ]


def _producer_state(balance: Decimal) -> str:
    if balance < 0:
        return for_screen(_("à payer {amount}").format(amount=money_text(-balance)))
    if balance > 0:
        return for_screen(_("trop payé {amount}").format(amount=money_text(balance)))
    return _("à jour")


def producer_columns() -> list[Column[BalanceRow]]:
    return [
        Column(_("Producteur"), lambda r: r.name, elide=True),
        Column(_("Série"), lambda r: r.reference),
        Column(_("Facturé"), lambda r: money_text(r.due), sort_key=lambda r: r.due,
               align=Align.RIGHT, header_tooltip=_("Factures moins avoirs")),
        Column(_("Payé"), lambda r: money_text(r.paid), sort_key=lambda r: r.paid,
               align=Align.RIGHT),
        Column(_("Solde"), lambda r: money_text(r.balance), sort_key=lambda r: r.balance,
               align=Align.RIGHT, header_tooltip=_(
                   "Négatif : ce que la coopérative doit encore au producteur")),
        Column(_("État"), lambda r: _producer_state(r.balance), sort_key=lambda r: r.balance),
        Column(_("Dernier paiement"), lambda r: date_text(r.last_payment, style="short"),
               sort_key=lambda r: r.last_payment),
    ]


def movement_columns() -> list[Column[Movement]]:
    return [
        Column(_("Date"), lambda m: date_text(m.entry.entry_date, style="short"),
               sort_key=lambda m: m.entry.entry_date),
        Column(_("Libellé"), lambda m: m.entry.label, elide=True),
        Column(_("Débit"), lambda m: money_text(m.entry.amount) if m.entry.amount > 0 else "",
               sort_key=lambda m: max(m.entry.amount, ZERO), align=Align.RIGHT),
        Column(_("Crédit"), lambda m: money_text(-m.entry.amount) if m.entry.amount < 0
               else "", sort_key=lambda m: max(-m.entry.amount, ZERO), align=Align.RIGHT),
        Column(_("Solde"), lambda m: money_text(m.balance), sort_key=lambda m: m.balance,
               align=Align.RIGHT),
    ]


class BalanceFilter(SearchProxyModel):
    """The search, plus « seulement les soldes non nuls »."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.only_open = False

    def set_only_open(self, only: bool) -> None:
        if only == self.only_open:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 and later
            self.beginFilterChange()
            self.only_open = only
            self.endFilterChange(SearchProxyModel.Direction.Rows)
        else:
            self.only_open = only
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        if self.only_open:
            row = self.sourceModel().index(source_row, 0).data(ROW_ROLE)
            if isinstance(row, BalanceRow) and not row.balance:
                return False
        return super().filterAcceptsRow(source_row, source_parent)


class StatementDialog(QDialog):
    """A household's (or a producer's) movements over a period, with the balance after
    each; « Imprimer le relevé… » saves the household's PDF statement."""

    def __init__(self, context: PageContext, row: BalanceRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.row = row
        self.setWindowTitle(_("Relevé de compte — {name}").format(name=row.name))
        self.resize(900, 600)
        today = context.today()
        self.date_from = OptionalDateEdit(None, none_text=_("depuis le début"),
                                          default=today.replace(day=1), clear_text=_("Effacer"))
        self.date_to = date_edit(today)
        show = QPushButton(_("Afficher"))
        show.clicked.connect(self.reload)
        period = QHBoxLayout()
        period.addWidget(QLabel(_("Du")))
        period.addWidget(self.date_from)
        period.addWidget(QLabel(_("au")))
        period.addWidget(self.date_to)
        period.addWidget(show)
        period.addStretch(1)
        heading = QLabel(row.name + (f" — {row.reference}" if row.reference else ""))
        heading.setTextFormat(Qt.TextFormat.PlainText)
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        columns = movement_columns()
        self.model: RowTableModel[Movement] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        self.opening = QLabel()
        self.closing = QLabel()
        self.closing.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.closing.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.closing.setFont(bold)
        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(_("Imprimer le relevé…"),
                                                   QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.save_pdf)
        self.print_button.setVisible(row.member_id is not None)
        close = self.buttons.addButton(_("Fermer"), QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(period)
        layout.addWidget(self.opening)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.closing)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.statement: AccountStatement | None = None
        self.reload()

    def period(self) -> tuple[dt.date | None, dt.date]:
        return self.date_from.date(), from_qdate(self.date_to.date())

    def reload(self) -> None:
        start, end = self.period()
        try:
            statement = account_statement(
                db=self._context.db, actor=self._context.actor, member_id=self.row.member_id,
                producer_id=self.row.producer_id, date_from=start, date_to=end)
        except ServiceError as error:
            self.status.setText(str(error))
            return
        self.statement = statement
        self.status.clear()
        self.model.set_rows(statement.movements)
        self.opening.setText(for_screen(_("Solde au début de la période : {amount}").format(
            amount=money_text(statement.opening_balance))) if start is not None else "")
        self.opening.setVisible(start is not None)
        if self.row.member_id is not None:
            text = balance_sentence(statement.closing_balance)
        else:
            text = _("Solde : {state}").format(state=_producer_state(statement.closing_balance))
        self.closing.setText(for_screen(_("{sentence} au {date}").format(
            sentence=text, date=date_text(end))))
        if self.model.rowCount():
            self.table.scrollToBottom()

    def save_pdf(self) -> None:
        member_id = self.row.member_id
        if member_id is None:
            return
        start, end = self.period()
        suggested = f"releve-{self.row.reference or member_id}-{end.isoformat()}.pdf"
        path = messages.choose_save_file(self, title=_("Enregistrer le relevé de {name}").format(
            name=self.row.name), suggested=suggested, filters=_("PDF (*.pdf)"))
        if path is None:
            return
        try:
            path.write_bytes(statement_pdf(db=self._context.db, actor=self._context.actor,
                                           member_id=member_id, date_from=start, date_to=end))
        except (ServiceError, OSError) as error:
            messages.show_failure(self, error)
            return
        self.status.setText(_("Relevé enregistré dans {file}.").format(file=path))


class StatementsDialog(QDialog):
    """« Relevés PDF… » : whose statements, over which period, into which folder."""

    def __init__(self, selected: int, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Relevés de compte en PDF"))
        self.selected_only = QRadioButton(counted(
            "Le foyer sélectionné", "Les {n} foyers sélectionnés", selected))
        self.everyone = QRadioButton(_("Tous les foyers qui ont un mouvement sur la période "
                                       "ou un solde à sa fin"))
        group = QButtonGroup(self)
        for button in (self.selected_only, self.everyone):
            group.addButton(button)
        self.selected_only.setEnabled(selected > 0)
        (self.selected_only if selected else self.everyone).setChecked(True)
        self.date_from = OptionalDateEdit(today.replace(day=1), none_text=_("depuis le début"),
                                          default=today.replace(day=1), clear_text=_("Effacer"))
        self.date_to = date_edit(today)
        self.folder = QLineEdit()
        self.folder.setPlaceholderText(_("Le dossier où écrire un PDF par foyer"))
        browse = QPushButton(_("Choisir…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder, 1)
        folder_row.addWidget(browse)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        fields = QFormLayout()
        fields.addRow(_("Du"), self.date_from)
        fields.addRow(_("Au"), self.date_to)
        fields.addRow(_("Dossier"), folder_row)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(_("Écrire les relevés"),
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.clicked.connect(self._check)
        cancel = buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.selected_only)
        layout.addWidget(self.everyone)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        folder = choose_folder(self, title=_("Dossier des relevés"))
        if folder is not None:
            self.folder.setText(str(folder))

    def _check(self) -> None:
        if not self.folder.text().strip():
            self.error.setText(_("Choisissez le dossier où écrire les relevés."))
            return
        start, end = self.date_from.date(), from_qdate(self.date_to.date())
        if start is not None and start > end:
            self.error.setText(_("La période commence après sa fin : corrigez les dates."))
            return
        self.accept()

    def ask(self) -> tuple[bool, dt.date | None, dt.date, Path] | None:
        """(selected households only, from, to, folder), or None if the user gave up."""
        if form.run_modal(self) != QDialog.DialogCode.Accepted:
            return None
        return (self.selected_only.isChecked(), self.date_from.date(),
                from_qdate(self.date_to.date()), Path(self.folder.text().strip()))


class TreasuryBalancesTab(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.written: list[WrittenStatement] = []
        self.may_see_producers = context.actor.role in TREASURERS

        self.note = note_label(_(
            "Le solde de chaque foyer au grand livre : ce qui lui a été compté (commandes "
            "livrées, contrats, cotisations), ce qu'il a payé, et ce qui reste. Double-cliquez "
            "sur un foyer pour voir ses mouvements et imprimer son relevé."))
        self.households_button = QRadioButton(_("Foyers"))
        self.producers_button = QRadioButton(_("Producteurs"))
        self.households_button.setChecked(True)
        accounts = QButtonGroup(self)
        for button in (self.households_button, self.producers_button):
            accounts.addButton(button)
        self.producers_button.setVisible(self.may_see_producers)
        self.households_button.setVisible(self.may_see_producers)
        self.producers_button.toggled.connect(self._switch)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher un nom, une référence…"))
        self.search.setClearButtonEnabled(True)
        self.point_combo = QComboBox()
        self.point_combo.setAccessibleName(_("Point de distribution"))
        self.point_combo.addItem(_("Tous les points"), None)
        try:
            for point in list_points(db=context.db, actor=context.actor):
                if context.actor.role is Role.COORDINATOR \
                        and point.id not in context.actor.point_ids:
                    continue  # (its households are not shown anyway)
                self.point_combo.addItem(point.name, point.id)
        except ServiceError:
            pass
        self.only_open = QCheckBox(_("seulement les soldes non nuls"))
        self.statements_button = QPushButton(_("Relevés PDF…"))
        self.statements_button.clicked.connect(self.write_statements)
        self.open_button = QPushButton(_("Voir le relevé"))
        self.open_button.clicked.connect(self.open_selected)
        bar = QHBoxLayout()
        bar.addWidget(self.households_button)
        bar.addWidget(self.producers_button)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.point_combo)
        bar.addWidget(self.only_open)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addWidget(self.statements_button)
        actions.addStretch(1)

        self.household_model: RowTableModel[BalanceRow] = RowTableModel(household_columns(),
                                                                        self)
        self.household_proxy = BalanceFilter(self)
        self.household_proxy.setSourceModel(self.household_model)
        self.household_table = self._table(self.household_proxy, household_columns())
        self.household_table.setSelectionMode(
            QAbstractItemView.SelectionMode.ExtendedSelection)
        self.producer_model: RowTableModel[BalanceRow] = RowTableModel(producer_columns(),
                                                                       self)
        self.producer_proxy = BalanceFilter(self)
        self.producer_proxy.setSourceModel(self.producer_model)
        self.producer_table = self._table(self.producer_proxy, producer_columns())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.household_table)
        self.stack.addWidget(self.producer_table)

        self.totals = QLabel()
        self.totals.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.totals.font()
        bold.setBold(True)
        self.totals.setFont(bold)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.search.textChanged.connect(self._filter)
        self.only_open.toggled.connect(self._filter)
        self.point_combo.currentIndexChanged.connect(lambda *_a: self.refresh())

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(bar)
        layout.addLayout(actions)
        layout.addWidget(self.status)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.totals)
        self.refresh()

    def _table(self, proxy: BalanceFilter, columns: list[Column[BalanceRow]]) -> QTableView:
        table = make_table_view(proxy, self)
        table.setProperty("fitter", ColumnFitter(table, columns))
        table.activated.connect(lambda index, p=proxy: self.open_statement(p.row_at(
            index.row())))
        table.doubleClicked.connect(lambda index, p=proxy: self.open_statement(p.row_at(
            index.row())))
        return table

    # --- the rows -------------------------------------------------------------------------

    @property
    def showing_producers(self) -> bool:
        return self.producers_button.isChecked()

    @property
    def proxy(self) -> BalanceFilter:
        return self.producer_proxy if self.showing_producers else self.household_proxy

    @property
    def table(self) -> QTableView:
        return self.producer_table if self.showing_producers else self.household_table

    def refresh(self) -> None:
        """Read the balances again (the host calls it when the tab comes to the front)."""
        today = self._context.today()
        try:
            if self.showing_producers:
                self.producer_model.set_rows(producer_balances(
                    db=self._context.db, actor=self._context.actor, as_of=today))
            else:
                self.household_model.set_rows(member_balances(
                    db=self._context.db, actor=self._context.actor, as_of=today,
                    point_id=self.point_combo.currentData()))
        except ServiceError as error:
            self.status.setText(str(error))
        self._filter()

    def _switch(self, producers: bool) -> None:
        self.stack.setCurrentIndex(1 if producers else 0)
        self.point_combo.setEnabled(not producers)
        self.statements_button.setEnabled(not producers)
        self.refresh()

    def _filter(self, *_args: Any) -> None:
        for proxy in (self.household_proxy, self.producer_proxy):
            proxy.set_search(self.search.text())
            proxy.set_only_open(self.only_open.isChecked())
        self._show_totals()

    def visible_rows(self) -> list[BalanceRow]:
        proxy = self.proxy
        return [proxy.row_at(i) for i in range(proxy.rowCount())]

    def _show_totals(self) -> None:
        rows = self.visible_rows()
        owed = sum((r.balance for r in rows if r.balance > 0), ZERO)
        ahead = -sum((r.balance for r in rows if r.balance < 0), ZERO)
        if self.showing_producers:
            text = _("{n} — la coopérative leur doit {owed}").format(
                n=counted("{n} producteur", "{n} producteurs", len(rows)),
                owed=money_text(ahead))
        else:
            text = _("{n} — à recevoir : {owed} — avances : {ahead} — solde : {total}").format(
                n=counted("{n} foyer", "{n} foyers", len(rows)), owed=money_text(owed),
                ahead=money_text(ahead), total=money_text(owed - ahead))
        self.totals.setText(text)

    def selected_rows(self) -> list[BalanceRow]:
        proxy = self.proxy
        return [proxy.row_at(index.row())
                for index in self.table.selectionModel().selectedRows()]

    # --- the statements ---------------------------------------------------------------------

    def open_selected(self) -> None:
        rows = self.selected_rows()
        if rows:
            self.open_statement(rows[0])

    def open_statement(self, row: object) -> None:
        if not isinstance(row, BalanceRow):
            return
        dialog = StatementDialog(self._context, row, self)
        self.statement_dialog = dialog
        form.run_modal(dialog)
        dialog.deleteLater()

    def write_statements(self) -> None:
        selected = [row.member_id for row in self.selected_rows() if row.member_id is not None]
        dialog = StatementsDialog(len(selected), self._context.today(), self)
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        only_selected, start, end, folder = answer
        db, actor = self._context.db, self._context.actor
        member_ids = selected if only_selected else None
        point_id = self.point_combo.currentData()
        point_ids = None if member_ids is not None or point_id is None else [point_id]
        self.status.setText(_("Écriture des relevés…"))
        self.operation = run_task(
            self, lambda progress: write_statements(
                db=db, actor=actor, member_ids=member_ids, date_from=start, date_to=end,
                out_dir=folder, point_ids=point_ids, progress=progress),
            on_success=self._written, on_failure=self._failed,
            title=_("Relevés de compte"), label=_("Écriture des relevés…"))

    def _written(self, written: list[WrittenStatement]) -> None:
        self.written = written
        folder = written[0].path.parent if written else ""
        self.status.setText(_("{summary} Dans {folder}.").format(summary=summary(written),
                                                                 folder=folder))

    def _failed(self, error: Exception) -> None:
        self.status.setText(messages.error_text(error))
        messages.show_failure(self, error)


__all__ = ["StatementDialog", "StatementsDialog", "TreasuryBalancesTab", "choose_folder"]
