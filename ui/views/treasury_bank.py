"""Trésorerie › Banque: importing statements and matching their lines with the ledger.

« Importer un relevé… » reads a file the bank gave (CSV, OFX, CAMT.053) off the
GUI thread, with progress, and shows what it did: lines read, new, already
known, rejected, matched automatically. A CSV of a bank coopfood does not know
opens the dialog that maps its columns, saved for the next statements.

The reconciliation screen lists the lines of a period with their state, « n
lignes à traiter » above them. Selecting a line shows what it is matched with
(to confirm or undo) and, while something is left to explain, the ranked
suggestions — one click makes the match — or a household, an invoice, a
deposit slip… chosen by typing part of its name, for all or part of the
amount. A line that needs no match (bank fees) is ignored with its reason.
« Non rapprochés » lists what is left on both sides: lines no match explains,
and what the ledger says went through the bank but no line shows.
Everything goes through coopfood.services.bank, the services of
`python main.py bank`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.banking.matching import Proposal, TargetKind
from coopfood.i18n import N_, _
from coopfood.services import ServiceError, ValidationError, bank
from coopfood.services.bank import (
    BankLineRow,
    ExpectedRow,
    ImportReport,
    LineDetail,
    LineState,
    MatchRow,
    Target,
)
from ui.dialogs import form, messages
from ui.dialogs.bank_mapping import ask_mapping
from ui.dialogs.fields import SearchCombo, ValueCombo, date_edit, from_qdate, money_input_text
from ui.display import counted, date_text, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, fit_columns, make_table_view, note_label
from ui.worker import Operation, run_task

#: The state filter: None is every line.
STATE_FILTERS: tuple[tuple[str, frozenset[LineState] | None], ...] = (
    (N_("Toutes les lignes"), None),
    (N_("À traiter"), frozenset({LineState.TO_DO})),
    (N_("Rapprochées automatiquement"), frozenset({LineState.AUTOMATIC})),
    (N_("Confirmées"), frozenset({LineState.CONFIRMED})),
    (N_("Ignorées"), frozenset({LineState.IGNORED})),
)

#: What a line may be matched with by hand, in the order offered.
HAND_KINDS = (TargetKind.HOUSEHOLD, TargetKind.INVOICE, TargetKind.REMITTANCE,
              TargetKind.PAYOUT_BATCH, TargetKind.ENTRY)

#: Reasons offered to ignore a line (any other may be typed).
IGNORE_REASONS = (N_("Frais bancaires"), N_("Virement entre comptes de la coopérative"),
                  N_("Assurance de l'association"), N_("Versement d'espèces de la caisse"),
                  N_("Paiements par carte"))


def line_columns() -> list[Column[BankLineRow]]:
    return [
        Column(_("Date"), lambda r: date_text(r.booking_date, style="short"),
               sort_key=lambda r: r.booking_date),
        Column(_("Libellé"), lambda r: r.label, elide=True,
               tooltip=lambda r: "\n".join(t for t in (r.label, r.counterparty_name,
                                                       r.reference) if t)),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT),
        Column(_("État"), lambda r: r.state_text, sort_key=lambda r: r.state.value),
        Column(_("Rapprochée avec"), lambda r: r.targets, elide=True,
               tooltip=lambda r: r.targets),
    ]


def match_columns() -> list[Column[MatchRow]]:
    return [
        Column(_("Avec"), lambda m: m.title, elide=True, tooltip=lambda m: m.title),
        Column(_("Montant"), lambda m: money_text(m.amount), sort_key=lambda m: m.amount,
               align=Align.RIGHT),
        Column(_("Comment"), lambda m: _("automatiquement") if m.automatic
               else _("par {who}").format(who=m.matched_by)),
    ]


def suggestion_columns() -> list[Column[Proposal]]:
    return [
        Column(_("Proposition"), lambda p: p.title, elide=True,
               tooltip=lambda p: f"{p.kind.label} : {p.title}"),
        Column(_("Score"), lambda p: str(p.score), sort_key=lambda p: p.score,
               align=Align.RIGHT),
        Column(_("Pourquoi"), lambda p: p.reason_text, elide=True,
               tooltip=lambda p: "\n".join(p.reasons)),
        Column(_("Montant"), lambda p: money_text(p.amount), sort_key=lambda p: p.amount,
               align=Align.RIGHT),
    ]


def left_line_columns() -> list[Column[BankLineRow]]:
    return [
        Column(_("Date"), lambda r: date_text(r.booking_date, style="short"),
               sort_key=lambda r: r.booking_date),
        Column(_("Libellé"), lambda r: r.label, elide=True, tooltip=lambda r: r.label),
        Column(_("Reste"), lambda r: money_text(r.remaining), sort_key=lambda r: r.remaining,
               align=Align.RIGHT),
    ]


def expected_columns() -> list[Column[ExpectedRow]]:
    return [
        Column(_("Date"), lambda r: date_text(r.day, style="short"), sort_key=lambda r: r.day),
        Column(_("Nature"), lambda r: r.nature),
        Column(_("Qui"), lambda r: r.name, elide=True),
        Column(_("Libellé"), lambda r: r.label, elide=True, tooltip=lambda r: r.label),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT),
    ]


def _table(columns: list[Column[Any]], parent: QWidget) -> tuple[
        RowTableModel[Any], SearchProxyModel, Any, ColumnFitter]:
    model: RowTableModel[Any] = RowTableModel(columns, parent)
    proxy = SearchProxyModel(parent)
    proxy.setSourceModel(model)
    table = make_table_view(proxy, parent)
    return model, proxy, table, ColumnFitter(table, columns)


def report_text(report: ImportReport) -> str:
    """What an import did, for the message shown after it."""
    if report.refused:
        return report.error
    text = [_("Relevé « {file} » ({format}), compte {account}.").format(
        file=report.source, format=report.format, account=report.account),
        report.counts + "."]
    text.append(counted("{n} ligne rapprochée automatiquement.",
                        "{n} lignes rapprochées automatiquement.", report.matched))
    return "\n".join(text)


class IgnoreDialog(QDialog):
    """Why a line needs no match: chosen among the usual reasons, or typed."""

    def __init__(self, line: BankLineRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Ignorer une ligne du relevé"))
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems([_(reason) for reason in IGNORE_REASONS])
        self.reason.setCurrentText("")
        self.reason.setMinimumContentsLength(36)
        self.reason.setAccessibleName(_("Motif"))
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {form.ERROR_COLOUR};")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton(_("Ignorer"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.clicked.connect(self._check)
        buttons.addButton(_("Annuler"), QDialogButtonBox.ButtonRole.RejectRole).clicked.connect(
            self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(_("Ligne du {date}, {amount} : {label}\nElle ne sera plus "
                                      "comptée parmi les lignes à traiter.").format(
            date=date_text(line.booking_date, style="short"), amount=money_text(line.amount),
            label=line.label)))
        fields = QFormLayout()
        fields.addRow(_("Motif :"), self.reason)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _check(self) -> None:
        if not self.reason.currentText().strip():
            self.error.setText(_("Dites pourquoi cette ligne n'a pas à être rapprochée."))
            return
        self.accept()

    def ask(self) -> str | None:
        if form.run_modal(self) != QDialog.DialogCode.Accepted:
            return None
        return self.reason.currentText().strip()


class BankTab(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.last_report: ImportReport | None = None
        self.detail: LineDetail | None = None
        self.targets: list[Target] = []
        self._targets_cache: dict[tuple[TargetKind, bool], list[Target]] = {}
        self._fitted = False

        self.import_button = QPushButton(_("Importer un relevé…"))
        self.import_button.clicked.connect(self.import_statement)
        self.auto_button = QPushButton(_("Rapprocher automatiquement"))
        self.auto_button.setToolTip(_("Cherche de nouveau, parmi les lignes à traiter, celles "
                                      "qu'une référence, une remise de chèques, des virements "
                                      "ou une facture expliquent d'elles-mêmes."))
        self.auto_button.clicked.connect(self.auto_match)
        toolbar = QHBoxLayout()
        for button in (self.import_button, self.auto_button):
            toolbar.addWidget(button)
        toolbar.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        today = context.today()
        first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        self.date_from = date_edit(first)
        self.date_to = date_edit(today)
        self.state_filter: ValueCombo[frozenset[LineState] | None] = ValueCombo(
            [(_(label), states) for label, states in STATE_FILTERS])
        self.state_filter.setAccessibleName(_("État des lignes"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        self.to_do_label = QLabel()
        self.to_do_label.setObjectName("bankToDo")
        font = self.to_do_label.font()
        font.setBold(True)
        self.to_do_label.setFont(font)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_("Du")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(_("au")))
        bar.addWidget(self.date_to)
        bar.addWidget(self.state_filter)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.to_do_label)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda *_a: self.refresh())
        self.state_filter.currentIndexChanged.connect(lambda *_a: self.refresh())

        self.inner = QTabWidget()
        self.inner.addTab(self._reconciliation_page(), _("Rapprochement"))
        self.inner.addTab(self._unmatched_page(), _("Non rapprochés"))
        self.inner.currentChanged.connect(lambda *_a: self._load_unmatched())

        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.status)
        layout.addLayout(bar)
        layout.addWidget(self.inner, 1)
        self.search.textChanged.connect(self.lines_proxy.set_search)
        self.refresh()

    # --- building ----------------------------------------------------------------------------

    def _reconciliation_page(self) -> QWidget:
        page = QWidget()
        (self.lines_model, self.lines_proxy, self.lines_table,
         self.lines_fitter) = _table(line_columns(), page)
        self.lines_table.setAccessibleName(_("Lignes du relevé"))
        self.lines_table.selectionModel().currentRowChanged.connect(self._line_chosen)

        # Below the lines, the chosen line: what explains it and what might (left), and
        # matching by hand or ignoring it (right).
        detail = QWidget()
        halves = QHBoxLayout(detail)
        halves.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout()
        halves.addLayout(column, 3)
        self.line_label = QLabel(_("Choisissez une ligne du relevé."))
        self.line_label.setWordWrap(True)
        self.line_label.setTextFormat(Qt.TextFormat.PlainText)
        self.line_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        column.addWidget(self.line_label)

        matches_box = QGroupBox(_("Rapprochée avec"))
        box = QVBoxLayout(matches_box)
        (self.matches_model, self.matches_proxy, self.matches_table,
         self.matches_fitter) = _table(match_columns(), matches_box)
        self.matches_table.setMaximumHeight(110)
        self.confirm_button = QPushButton(_("Confirmer"))
        self.confirm_button.setToolTip(_("Vous avez vérifié le rapprochement automatique."))
        self.confirm_button.clicked.connect(self.confirm_matches)
        self.undo_button = QPushButton(_("Défaire…"))
        self.undo_button.clicked.connect(self.undo_match)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        box.addWidget(self.matches_table)
        box.addLayout(buttons)
        column.addWidget(matches_box)

        suggestions_box = QGroupBox(_("Suggestions"))
        box = QVBoxLayout(suggestions_box)
        (self.suggestions_model, self.suggestions_proxy, self.suggestions_table,
         self.suggestions_fitter) = _table(suggestion_columns(), suggestions_box)
        self.suggestions_table.activated.connect(lambda _index: self.confirm_suggestion())
        self.suggest_button = QPushButton(_("Rapprocher avec la suggestion"))
        self.suggest_button.clicked.connect(self.confirm_suggestion)
        box.addWidget(self.suggestions_table, 1)
        box.addWidget(self.suggest_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(suggestions_box, 1)

        column = QVBoxLayout()
        halves.addLayout(column, 2)
        hand_box = QGroupBox(_("À la main"))
        hand = QFormLayout(hand_box)
        self.kind_combo: ValueCombo[TargetKind] = ValueCombo(
            [(kind.label, kind) for kind in HAND_KINDS])
        self.kind_combo.setAccessibleName(_("Rapprocher avec"))
        self.kind_combo.currentIndexChanged.connect(lambda *_a: self._load_targets())
        self.target_combo: SearchCombo[int] = SearchCombo()
        self.target_combo.setAccessibleName(_("Choix"))
        self.target_combo.value_changed.connect(self._target_chosen)
        self.amount_edit = QLineEdit()
        self.amount_edit.setAccessibleName(_("Montant"))
        self.amount_edit.setMaximumWidth(self.amount_edit.fontMetrics().averageCharWidth() * 14)
        self.hand_error = QLabel()
        self.hand_error.setStyleSheet(f"color: {form.ERROR_COLOUR};")
        self.hand_error.setWordWrap(True)
        self.hand_error.setTextFormat(Qt.TextFormat.PlainText)
        self.hand_button = QPushButton(_("Rapprocher"))
        self.hand_button.clicked.connect(self.match_by_hand)
        amount_row = QHBoxLayout()
        amount_row.addWidget(self.amount_edit)
        amount_row.addWidget(QLabel(_("€")))
        amount_row.addStretch(1)
        amount_row.addWidget(self.hand_button)
        hand.addRow(_("Avec :"), self.kind_combo)
        hand.addRow(_("Qui / quoi :"), self.target_combo)
        hand.addRow(_("Montant :"), amount_row)
        hand.addRow(note_label(_("Un montant plus petit que la ligne en laisse le reste à "
                                 "rapprocher (une ligne pour deux foyers) ; un règlement "
                                 "plus grand que ce que doit le foyer le laisse en crédit.")))
        hand.addRow(self.hand_error)
        column.addWidget(hand_box)

        ignore_box = QGroupBox(_("Rien à rapprocher"))
        row = QHBoxLayout(ignore_box)
        self.ignore_button = QPushButton(_("Ignorer…"))
        self.ignore_button.setToolTip(_("Une ligne qui n'a rien à rapprocher : frais "
                                        "bancaires, virement interne…"))
        self.ignore_button.clicked.connect(self.ignore_line)
        self.unignore_button = QPushButton(_("Ne plus ignorer"))
        self.unignore_button.clicked.connect(self.unignore_line)
        row.addWidget(self.ignore_button)
        row.addWidget(self.unignore_button)
        row.addStretch(1)
        column.addWidget(ignore_box)
        column.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.lines_table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([330, 420])
        self.splitter = splitter
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        return page

    def _unmatched_page(self) -> QWidget:
        page = QWidget()
        (self.left_model, self.left_proxy, self.left_table,
         self.left_fitter) = _table(left_line_columns(), page)
        (self.expected_model, self.expected_proxy, self.expected_table,
         self.expected_fitter) = _table(expected_columns(), page)
        self.left_label = QLabel()
        self.expected_label = QLabel()
        for label in (self.left_label, self.expected_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setWordWrap(True)
        bank_side = QWidget()
        column = QVBoxLayout(bank_side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.left_label)
        column.addWidget(self.left_table, 1)
        ledger_side = QWidget()
        column = QVBoxLayout(ledger_side)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.expected_label)
        column.addWidget(self.expected_table, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(bank_side)
        splitter.addWidget(ledger_side)
        splitter.setSizes([500, 600])
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(note_label(_(
            "À gauche, les lignes du relevé qu'aucun rapprochement n'explique (ni ignorées) ; "
            "à droite, ce que le grand livre dit passé par la banque — règlements et "
            "paiements par virement, remises de chèques, virements aux producteurs — sans "
            "ligne de relevé qui le montre.")))
        layout.addWidget(splitter, 1)
        return page

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted:
            # The tables are first fitted before the tab is laid out: once more at its size.
            QTimer.singleShot(0, self._fit_tables)

    def _fit_tables(self) -> None:
        if self._fitted or not self.lines_table.isVisible():
            return
        if self.lines_model.rowCount():
            fit_columns(self.lines_table, line_columns())
            self._fitted = True

    # --- reading -----------------------------------------------------------------------------

    def period(self) -> tuple[dt.date, dt.date]:
        return from_qdate(self.date_from.date()), from_qdate(self.date_to.date())

    def refresh(self, select_id: int | None = None) -> None:
        """Reload the lines of the period (the host calls it when the tab is shown)."""
        if select_id is None and self.detail is not None:
            select_id = self.detail.line.id
        self._targets_cache.clear()
        start, end = self.period()
        db, actor = self._context.db, self._context.actor
        try:
            rows = bank.list_lines(db=db, actor=actor, date_from=start, date_to=end,
                                   states=self.state_filter.value())
            to_do = bank.count_to_do(db=db, actor=actor, date_from=start, date_to=end)
        except ServiceError as error:
            self.status.setText(str(error))
            rows, to_do = [], 0
        self.lines_model.set_rows(rows)
        if rows and not self._fitted and self.isVisible():
            QTimer.singleShot(0, self._fit_tables)
        self.to_do_label.setText(counted("{n} ligne à traiter", "{n} lignes à traiter", to_do)
                                 if to_do else _("Aucune ligne à traiter"))
        self.detail = None
        selected = False
        if select_id is not None:
            for row in range(self.lines_proxy.rowCount()):
                if self.lines_proxy.row_at(row).id == select_id:
                    self.lines_table.selectRow(row)
                    selected = True
                    break
        if not selected:
            self._show_line(None)
        if self.inner.currentIndex() == 1:
            self._load_unmatched()

    def visible_lines(self) -> list[BankLineRow]:
        return [self.lines_proxy.row_at(i) for i in range(self.lines_proxy.rowCount())]

    def select_line(self, line_id: int) -> None:
        for row in range(self.lines_proxy.rowCount()):
            if self.lines_proxy.row_at(row).id == line_id:
                self.lines_table.selectRow(row)
                return
        raise LookupError(line_id)

    def _line_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.lines_proxy.row_at(current.row()) if current.isValid() else None
        self._show_line(row.id if isinstance(row, BankLineRow) else None)

    def _show_line(self, line_id: int | None) -> None:
        db, actor = self._context.db, self._context.actor
        self.detail = None
        suggestions: list[Proposal] = []
        if line_id is not None:
            try:
                self.detail = bank.line_detail(db=db, actor=actor, line_id=line_id)
                suggestions = bank.suggestions(db=db, actor=actor, line_id=line_id)
            except ServiceError as error:
                self.status.setText(str(error))
        detail = self.detail
        self.matches_model.set_rows(detail.matches if detail else [])
        self.suggestions_model.set_rows(suggestions)
        if suggestions:
            self.suggestions_table.selectRow(0)
        self.hand_error.clear()
        if detail is None:
            self.line_label.setText(_("Choisissez une ligne du relevé."))
        else:
            line = detail.line
            parts = [_("{date} — {amount} — {state}").format(
                date=date_text(line.booking_date), amount=money_text(line.amount),
                state=line.state_text), line.label]
            if line.counterparty_name:
                parts.append(_("Contrepartie : {name}").format(name=line.counterparty_name))
            if line.counterparty_iban:
                parts.append(_("IBAN : {iban}").format(iban=line.counterparty_iban))
            if line.reference:
                parts.append(_("Référence : {reference}").format(reference=line.reference))
            if line.ignored_reason:
                parts.append(_("Ignorée : {reason}").format(reason=line.ignored_reason))
            self.line_label.setText("\n".join(parts))
        self._load_targets()
        self._update_actions()

    def _update_actions(self) -> None:
        detail = self.detail
        open_line = (detail is not None and detail.line.state is LineState.TO_DO)
        self.confirm_button.setEnabled(detail is not None and any(
            m.automatic for m in detail.matches))
        self.undo_button.setEnabled(detail is not None and bool(detail.matches))
        self.suggest_button.setEnabled(open_line and self.suggestions_model.rowCount() > 0)
        for widget in (self.kind_combo, self.target_combo, self.amount_edit, self.hand_button):
            widget.setEnabled(open_line)
        self.ignore_button.setEnabled(detail is not None and not detail.matches
                                      and detail.line.state is not LineState.IGNORED)
        self.unignore_button.setEnabled(detail is not None
                                        and detail.line.state is LineState.IGNORED)

    def _load_targets(self) -> None:
        detail = self.detail
        kind = self.kind_combo.value()
        self.targets = []
        if detail is not None and detail.line.state is LineState.TO_DO and kind is not None:
            # The households are the same for every line (their balances of today): read
            # once per refresh, not at each line chosen (2,000 of them in a large co-op).
            key = (kind, detail.line.amount > 0)
            cached = self._targets_cache.get(key) if kind is TargetKind.HOUSEHOLD else None
            try:
                self.targets = cached if cached is not None else bank.match_targets(
                    db=self._context.db, actor=self._context.actor, line_id=detail.line.id,
                    kind=kind)
            except ServiceError as error:
                self.hand_error.setText(str(error))
            if kind is TargetKind.HOUSEHOLD:
                self._targets_cache[key] = self.targets
        self.target_combo.set_items(
            [(f"{t.title} — {t.detail}" if t.detail else t.title, t.target_id)
             for t in self.targets])
        self.target_combo.setCurrentIndex(-1)
        self.target_combo.setEditText("")
        remaining = abs(detail.line.remaining) if detail is not None else None
        self.amount_edit.setText(money_input_text(remaining) if remaining else "")
        self.amount_edit.setEnabled(kind in (TargetKind.HOUSEHOLD, TargetKind.INVOICE,
                                             TargetKind.PAYOUT_BATCH)
                                    and detail is not None
                                    and detail.line.state is LineState.TO_DO)

    def chosen_target(self) -> Target | None:
        value = self.target_combo.value()
        return next((t for t in self.targets if t.target_id == value), None)

    def _target_chosen(self) -> None:
        target = self.chosen_target()
        if target is not None and self.detail is not None:
            left = abs(self.detail.line.remaining)
            amount = left if target.kind is TargetKind.HOUSEHOLD else min(abs(target.amount),
                                                                           left)
            self.amount_edit.setText(money_input_text(amount))
        self.hand_error.clear()

    def _load_unmatched(self) -> None:
        if self.inner.currentIndex() != 1:
            return
        start, end = self.period()
        try:
            left = bank.unmatched(db=self._context.db, actor=self._context.actor,
                                  date_from=start, date_to=end)
        except ServiceError as error:
            self.status.setText(str(error))
            return
        self.left_model.set_rows(left.lines)
        self.expected_model.set_rows(left.expected)
        self.left_label.setText(_("Relevé : {count}, {total} à expliquer").format(
            count=counted("{n} ligne", "{n} lignes", len(left.lines)),
            total=money_text(left.lines_total)))
        self.expected_label.setText(_("Grand livre : {count}, {total} attendus en banque")
                                    .format(count=counted("{n} opération", "{n} opérations",
                                                          len(left.expected)),
                                            total=money_text(left.expected_total)))

    # --- importing ---------------------------------------------------------------------------

    def import_statement(self) -> None:
        path = messages.choose_open_file(
            self, title=_("Importer un relevé bancaire"),
            filters=_("Relevés bancaires (*.csv *.ofx *.xml *.txt);;Tous les fichiers (*)"))
        if path is not None:
            self.import_file(path)

    def import_file(self, path: Path, mapping: str | None = None) -> None:
        db, actor = self._context.db, self._context.actor
        self.import_button.setEnabled(False)
        self.status.setText(_("Import de « {file} »…").format(file=path.name))
        self.operation = run_task(
            self, lambda progress: bank.import_statement(db=db, actor=actor, path=path,
                                                         mapping=mapping, progress=progress),
            on_success=lambda report: self._imported(path, report),
            on_failure=self._failed, title=_("Import du relevé"),
            label=_("Lecture du relevé…"))

    def _imported(self, path: Path, report: ImportReport) -> None:
        self.import_button.setEnabled(True)
        self.last_report = report
        self.status.setText(report.summary)
        if report.refused:
            if report.unknown_layout and messages.confirm(
                    self, title=_("Relevé non reconnu"),
                    text=_("{error}\n\nDéfinir maintenant comment lire les relevés de cette "
                           "banque ?").format(error=report.error),
                    action=_("Définir les colonnes…")):
                mapping = ask_mapping(self._context.db, self._context.actor, path, self)
                if mapping is not None:
                    self.import_file(path, mapping.name)
                return
            messages.show_error(self, report.error, title=_("Relevé refusé"))
            return
        messages.show_info(self, report_text(report), title=_("Relevé importé"))
        self.refresh()

    def _failed(self, error: Exception) -> None:
        self.import_button.setEnabled(True)
        self.status.setText(messages.error_text(error))
        messages.show_failure(self, error)

    def auto_match(self) -> None:
        start, end = self.period()
        db, actor = self._context.db, self._context.actor
        self.operation = run_task(
            self, lambda progress: bank.auto_match(db=db, actor=actor, date_from=start,
                                                   date_to=end, progress=progress),
            on_success=self._auto_matched, title=_("Rapprochement automatique"))

    def _auto_matched(self, report: bank.AutoMatchReport) -> None:
        self.status.setText(report.summary)
        self.refresh()

    # --- matching ----------------------------------------------------------------------------

    def _write(self, work: Any, done: str) -> None:
        """Run a change of the current line off the GUI thread, then show the line again."""
        detail = self.detail
        if detail is None:
            return
        line_id = detail.line.id

        def succeeded(result: LineDetail) -> None:
            self.status.setText(done)
            self.refresh(select_id=line_id)

        def failed(error: Exception) -> None:
            if isinstance(error, ValidationError):
                self.hand_error.setText(str(error))
            messages.show_failure(self, error)

        self.operation = run_task(self, lambda _progress: work(), on_success=succeeded,
                                  on_failure=failed, title=_("Rapprochement"),
                                  cancellable=False)

    def selected_suggestion(self) -> Proposal | None:
        rows = self.suggestions_table.selectionModel().selectedRows()
        if not rows:
            return None
        row = self.suggestions_proxy.row_at(rows[0].row())
        return row if isinstance(row, Proposal) else None

    def confirm_suggestion(self) -> None:
        proposal = self.selected_suggestion()
        if proposal is None or self.detail is None:
            return
        db, actor = self._context.db, self._context.actor
        self._write(lambda: bank.confirm_suggestion(db=db, actor=actor, suggestion=proposal),
                    _("Ligne rapprochée avec {title}.").format(title=proposal.title))

    def match_by_hand(self) -> None:
        detail = self.detail
        kind = self.kind_combo.value()
        target = self.chosen_target()
        if detail is None or kind is None:
            return
        if target is None:
            self.hand_error.setText(_("Choisissez dans la liste avec quoi rapprocher la "
                                      "ligne (tapez une partie du nom)."))
            return
        amount = self.amount_edit.text().strip() or None
        db, actor, line_id = self._context.db, self._context.actor, detail.line.id

        def work() -> LineDetail:
            if kind is TargetKind.HOUSEHOLD:
                return bank.match_household(db=db, actor=actor, line_id=line_id,
                                            member_id=target.target_id, amount=amount)
            if kind is TargetKind.INVOICE:
                return bank.match_invoice(db=db, actor=actor, line_id=line_id,
                                          invoice_id=target.target_id, amount=amount)
            if kind is TargetKind.PAYOUT_BATCH:
                return bank.match_payout_batch(db=db, actor=actor, line_id=line_id,
                                               batch_id=target.target_id, amount=amount)
            if kind is TargetKind.REMITTANCE:
                return bank.match_remittance(db=db, actor=actor, line_id=line_id,
                                             remittance_id=target.target_id)
            return bank.match_entry(db=db, actor=actor, line_id=line_id,
                                    entry_id=target.target_id)

        self._write(work, _("Ligne rapprochée avec {title}.").format(title=target.title))

    def selected_match(self) -> MatchRow | None:
        rows = self.matches_table.selectionModel().selectedRows()
        if rows:
            row = self.matches_proxy.row_at(rows[0].row())
            return row if isinstance(row, MatchRow) else None
        matches = self.detail.matches if self.detail is not None else ()
        return matches[0] if len(matches) == 1 else None

    def undo_match(self) -> None:
        match = self.selected_match()
        if match is None:
            messages.show_info(self, _("Choisissez le rapprochement à défaire."))
            return
        made = match.kind in (TargetKind.HOUSEHOLD, TargetKind.INVOICE)
        consequence = (_("Le règlement qu'il a enregistré sera annulé par une écriture "
                         "d'annulation.") if made else
                       _("Les chèques de la remise reviendront « déposés en banque ».")
                       if match.kind is TargetKind.REMITTANCE else
                       _("Le grand livre ne change pas."))
        if not messages.confirm(self, title=_("Défaire un rapprochement"),
                                text=_("Défaire le rapprochement avec {title} ({amount}) ? "
                                       "{consequence}").format(
                                    title=match.title, amount=money_text(match.amount),
                                    consequence=consequence),
                                action=_("Défaire")):
            return
        db, actor = self._context.db, self._context.actor
        self._write(lambda: bank.undo_match(db=db, actor=actor, match_id=match.id),
                    _("Rapprochement avec {title} défait.").format(title=match.title))

    def confirm_matches(self) -> None:
        detail = self.detail
        if detail is None:
            return
        db, actor, line_id = self._context.db, self._context.actor, detail.line.id
        self._write(lambda: bank.confirm_matches(db=db, actor=actor, line_id=line_id),
                    _("Rapprochement confirmé."))

    def ignore_line(self) -> None:
        detail = self.detail
        if detail is None:
            return
        dialog = IgnoreDialog(detail.line, self)
        reason = dialog.ask()
        dialog.deleteLater()
        if reason is None:
            return
        db, actor, line_id = self._context.db, self._context.actor, detail.line.id
        self._write(lambda: bank.ignore_line(db=db, actor=actor, line_id=line_id,
                                             reason=reason),
                    _("Ligne ignorée : {reason}.").format(reason=reason))

    def unignore_line(self) -> None:
        detail = self.detail
        if detail is None:
            return
        db, actor, line_id = self._context.db, self._context.actor, detail.line.id
        self._write(lambda: bank.unignore_line(db=db, actor=actor, line_id=line_id),
                    _("La ligne est de nouveau à traiter."))
