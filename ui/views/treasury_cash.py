"""Trésorerie › Caisse: the cash box of a distribution at a point, opened, counted, closed.

Choose the distribution and the point; each currency has its box (euros, and
the local currency if the co-op takes one). A box is opened with its float;
while it is open it shows what should be in it — the float plus the cash
payments keyed for that distribution and point, less what was paid back —
and « Compter et fermer » records what was counted. The difference is kept
and shown as it is (in red when money is missing); a closed box does not
reopen. Below, every box counted, with its difference. Everything goes
through coopfood.services.cash.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.money import AmountError, money
from coopfood.domain.treasury import CashCurrency
from coopfood.i18n import _
from coopfood.services import ServiceError
from coopfood.services import cash as service
from coopfood.services.cash import CashBoxRow, DistributionChoice
from ui.dialogs import messages
from ui.dialogs.fields import ValueCombo, line_edit
from ui.display import counted, date_text, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task

Index = QModelIndex | QPersistentModelIndex

MISSING_COLOUR = QColor(160, 0, 0)
EXTRA_COLOUR = QColor(150, 80, 0)
EXACT_COLOUR = QColor(0, 110, 40)
DIFFERENCE_COLUMN = 8


def difference_colour(difference: Any) -> QColor | None:
    if difference is None:
        return None
    if difference < 0:
        return MISSING_COLOUR
    return EXTRA_COLOUR if difference > 0 else EXACT_COLOUR


def box_columns() -> list[Column[CashBoxRow]]:
    return [
        Column(_("Distribution"), lambda r: date_text(r.cycle_date, style="short"),
               sort_key=lambda r: r.cycle_date),
        Column(_("Point"), lambda r: r.point, elide=True),
        Column(_("Caisse"), lambda r: r.currency.label),
        Column(_("Fond"), lambda r: money_text(r.opening_float),
               sort_key=lambda r: r.opening_float, align=Align.RIGHT),
        Column(_("Reçu"), lambda r: money_text(r.received), sort_key=lambda r: r.received,
               align=Align.RIGHT,
               tooltip=lambda r: counted("{n} règlement", "{n} règlements", r.payment_count)),
        Column(_("Rendu"), lambda r: money_text(r.paid_out) if r.paid_out else "",
               sort_key=lambda r: r.paid_out, align=Align.RIGHT),
        Column(_("Attendu"), lambda r: money_text(r.expected), sort_key=lambda r: r.expected,
               align=Align.RIGHT),
        Column(_("Compté"), lambda r: money_text(r.counted) if r.counted is not None else "",
               sort_key=lambda r: r.counted, align=Align.RIGHT),
        Column(_("Écart"), lambda r: r.difference_text if r.closed else _("ouverte"),
               sort_key=lambda r: r.difference, align=Align.RIGHT),
        Column(_("Fermée"), lambda r: r.status_label, elide=True),
        Column(_("Note"), lambda r: r.note, elide=True),
    ]


class BoxTableModel(RowTableModel[CashBoxRow]):
    """The boxes, their difference in red (missing), orange (extra) or green (exact)."""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == DIFFERENCE_COLUMN \
                and role == Qt.ItemDataRole.ForegroundRole:
            colour = difference_colour(self.row(index.row()).difference)
            return QBrush(colour) if colour is not None else None
        return super().data(index, role)


class BoxPanel(QGroupBox):
    """One currency's box at the chosen distribution and point: open it, watch what is
    expected, count it and close it; once closed, what was kept."""

    def __init__(self, tab: CashTab, currency: CashCurrency) -> None:
        super().__init__(currency.label)
        self.tab = tab
        self.currency = currency
        self.box: CashBoxRow | None = None
        self.float_edit = line_edit("", width_chars=10, placeholder="0,00")
        self.float_edit.setAccessibleName(_("Fond de caisse"))
        self.open_button = QPushButton(_("Ouvrir la caisse"))
        self.open_button.clicked.connect(self.open_box)
        self.float_button = QPushButton(_("Corriger le fond"))
        self.float_button.clicked.connect(self.change_float)
        self.breakdown_label = QLabel()
        self.breakdown_label.setTextFormat(Qt.TextFormat.PlainText)
        self.breakdown_label.setWordWrap(True)
        self.expected_label = QLabel()
        self.expected_label.setTextFormat(Qt.TextFormat.PlainText)
        bold = self.expected_label.font()
        bold.setBold(True)
        self.expected_label.setFont(bold)
        self.counted_edit = line_edit("", width_chars=10, placeholder="0,00")
        self.counted_edit.setAccessibleName(_("Montant compté"))
        self.note_edit = line_edit("", max_length=service.NOTE_MAX,
                                   placeholder=_("Par exemple : une pièce de 2 € introuvable"))
        self.note_edit.setAccessibleName(_("Note de la fermeture"))
        self.close_button = QPushButton(_("Compter et fermer"))
        self.close_button.clicked.connect(self.close_box)
        self.result_label = QLabel()
        self.result_label.setTextFormat(Qt.TextFormat.PlainText)
        self.result_label.setWordWrap(True)

        float_row = QHBoxLayout()
        float_row.addWidget(self.float_edit)
        float_row.addWidget(QLabel("€"))
        float_row.addWidget(self.open_button)
        float_row.addWidget(self.float_button)
        float_row.addStretch(1)
        counted_row = QHBoxLayout()
        counted_row.addWidget(self.counted_edit)
        counted_row.addWidget(QLabel("€"))
        counted_row.addStretch(1)
        close_row = QHBoxLayout()
        close_row.addWidget(self.close_button)
        close_row.addStretch(1)
        self.form = QFormLayout(self)
        self.form.addRow(_("Fond de caisse :"), float_row)
        self.form.addRow(self.breakdown_label)
        self.form.addRow(_("Attendu :"), self.expected_label)
        self.form.addRow(_("Compté :"), counted_row)
        self.form.addRow(_("Note :"), self.note_edit)
        self.form.addRow("", close_row)
        self.form.addRow(self.result_label)
        self.show_box(None, available=False)

    def show_box(self, box: CashBoxRow | None, *, available: bool = True) -> None:
        self.box = box
        is_open = box is not None and not box.closed
        closed = box is not None and box.closed
        self.float_edit.setEnabled(available and not closed)
        self.open_button.setVisible(box is None)
        self.open_button.setEnabled(available)
        self.float_button.setVisible(is_open)
        self.counted_edit.setEnabled(is_open)
        self.note_edit.setEnabled(is_open)
        self.close_button.setEnabled(is_open)
        self.result_label.setStyleSheet("")
        if box is None:
            self.float_edit.setText("")
            self.breakdown_label.setText(_("Caisse pas encore ouverte : tapez le fond de "
                                           "caisse (0 s'il n'y en a pas) et ouvrez-la.")
                                         if available else "")
            self.expected_label.setText("")
            self.result_label.setText("")
            return
        self.float_edit.setText(str(box.opening_float).replace(".", ","))
        self.breakdown_label.setText(_(
            "Fond {float} + règlements reçus {received} ({count}) − rendu ou annulé "
            "{paid_out}").format(
            float=money_text(box.opening_float), received=money_text(box.received),
            count=counted("{n} règlement", "{n} règlements", box.payment_count),
            paid_out=money_text(box.paid_out)))
        self.expected_label.setText(money_text(box.expected))
        if closed:
            self.counted_edit.setText(str(box.counted).replace(".", ","))
            self.note_edit.setText(box.note)
            colour = difference_colour(box.difference)
            self.result_label.setText(_("{status}. Compté {counted} pour {expected} attendus : "
                                        "{difference}.").format(
                status=box.status_label, counted=money_text(box.counted),
                expected=money_text(box.expected), difference=box.difference_text))
            if colour is not None:
                self.result_label.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
        else:
            self.counted_edit.setText("")
            self.note_edit.setText("")
            self.result_label.setText(_("Caisse ouverte : comptez-la en fin de distribution."))

    # --- actions ---------------------------------------------------------------------------

    def open_box(self) -> None:
        choice = self.tab.chosen()
        if choice is None:
            return
        cycle, point = choice
        db, actor = self.tab.context.db, self.tab.context.actor
        amount = self.float_edit.text().strip() or "0"
        self.tab.run(lambda _progress: service.open_cash_box(
            db=db, actor=actor, cycle_id=cycle.cycle_id, point_id=point,
            opening_float=amount, currency=self.currency),
            _("Caisse {currency} ouverte avec un fond de {amount}."), self)

    def change_float(self) -> None:
        if self.box is None:
            return
        box_id = self.box.id
        db, actor = self.tab.context.db, self.tab.context.actor
        amount = self.float_edit.text().strip() or "0"
        self.tab.run(lambda _progress: service.change_float(
            db=db, actor=actor, box_id=box_id, opening_float=amount),
            _("Fond de la caisse {currency} corrigé : {amount}."), self)

    def close_box(self) -> None:
        box = self.box
        if box is None or box.closed:
            return
        typed = self.counted_edit.text().strip()
        if not typed:
            messages.show_error(self, _("Tapez le montant compté dans la caisse."))
            self.counted_edit.setFocus()
            return
        try:
            counted_amount = money(typed)
        except AmountError as error:
            messages.show_error(self, _("Le montant compté : {error}.").format(error=error))
            return
        difference = counted_amount - box.expected
        what = (_("la caisse est juste") if not difference else
                _("il manque {amount}").format(amount=money_text(-difference))
                if difference < 0 else
                _("il y a {amount} en trop").format(amount=money_text(difference)))
        if not messages.confirm(
                self, title=_("Fermer la caisse"),
                text=_("Compté {counted} pour {expected} attendus : {what}. Fermer la caisse ? "
                       "Elle ne se rouvre pas, et l'écart est gardé tel quel.").format(
                    counted=money_text(counted_amount), expected=money_text(box.expected),
                    what=what),
                action=_("Fermer la caisse")):
            return
        db, actor, note = self.tab.context.db, self.tab.context.actor, self.note_edit.text()
        self.tab.run(lambda _progress: service.close_cash_box(
            db=db, actor=actor, box_id=box.id, counted=counted_amount, note=note),
            _("Caisse {currency} fermée : {difference}."), self)


class CashTab(QWidget):
    """« Caisse »."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.operation: Operation | None = None
        self.choices: list[DistributionChoice] = []

        self.note = note_label(_(
            "La caisse d'une distribution à un point : ouverte avec son fond, elle attend le "
            "fond plus les règlements en espèces saisis pour cette distribution et ce point. "
            "À la fin, tapez ce que vous avez compté : l'écart est gardé et affiché tel quel, "
            "et la caisse fermée ne se rouvre pas. La monnaie locale a sa propre caisse."))
        self.cycle_combo: ValueCombo[int] = ValueCombo()
        self.cycle_combo.setAccessibleName(_("Distribution"))
        self.cycle_combo.setMinimumContentsLength(44)
        self.point_combo: ValueCombo[int] = ValueCombo()
        self.point_combo.setAccessibleName(_("Point de distribution"))
        self.refresh_button = QPushButton(_("Actualiser"))
        self.refresh_button.setToolTip(_("Relire les règlements saisis depuis."))
        self.refresh_button.clicked.connect(self.refresh)
        choice = QHBoxLayout()
        choice.addWidget(QLabel(_("Distribution :")))
        choice.addWidget(self.cycle_combo)
        choice.addWidget(QLabel(_("Point :")))
        choice.addWidget(self.point_combo)
        choice.addWidget(self.refresh_button)
        choice.addStretch(1)
        self.euros = BoxPanel(self, CashCurrency.EURO)
        self.local = BoxPanel(self, CashCurrency.LOCAL)
        panels = QHBoxLayout()
        panels.addWidget(self.euros, 1)
        panels.addWidget(self.local, 1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        self.history_title = QLabel(_("Caisses des distributions"))
        font = self.history_title.font()
        font.setBold(True)
        self.history_title.setFont(font)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(300)
        self.totals_label = QLabel()
        self.totals_label.setTextFormat(Qt.TextFormat.PlainText)
        history_bar = QHBoxLayout()
        history_bar.addWidget(self.history_title)
        history_bar.addWidget(self.search)
        history_bar.addStretch(1)
        history_bar.addWidget(self.totals_label)
        columns = box_columns()
        self.model = BoxTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.table.setAccessibleName(_("Caisses des distributions"))
        self.column_fitter = ColumnFitter(self.table, columns)
        self.search.textChanged.connect(self.proxy.set_search)
        self.table.activated.connect(self._show_row)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addLayout(choice)
        layout.addLayout(panels)
        layout.addWidget(self.status)
        layout.addLayout(history_bar)
        layout.addWidget(self.table, 1)
        self.cycle_combo.currentIndexChanged.connect(self._cycle_chosen)
        self.point_combo.currentIndexChanged.connect(lambda *_a: self._show_boxes())
        self.refresh()

    # --- what is shown --------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the distributions, the chosen point's boxes and the history."""
        try:
            self.choices = service.distributions(db=self.context.db, actor=self.context.actor)
        except ServiceError as error:
            self.status.setText(str(error))
            return
        current = self.cycle_combo.value()
        if current is None:
            # The latest distribution that has taken place, or else the next one.
            today = self.context.today()
            past = [c for c in self.choices if c.date <= today]
            current = (past[0] if past else self.choices[-1]).cycle_id if self.choices \
                else None
        self.cycle_combo.blockSignals(True)
        self.cycle_combo.set_items([(c.label, c.cycle_id) for c in self.choices],
                                   current=current)
        self.cycle_combo.blockSignals(False)
        self._cycle_chosen()

    def _cycle_chosen(self, *_args: object) -> None:
        choice = self._choice()
        current = self.point_combo.value()
        self.point_combo.blockSignals(True)
        self.point_combo.set_items([(name, pid) for pid, name in choice.points]
                                   if choice else [], current=current)
        self.point_combo.blockSignals(False)
        self._show_boxes()

    def _choice(self) -> DistributionChoice | None:
        wanted = self.cycle_combo.value()
        return next((c for c in self.choices if c.cycle_id == wanted), None)

    def chosen(self) -> tuple[DistributionChoice, int] | None:
        choice, point = self._choice(), self.point_combo.value()
        return (choice, point) if choice is not None and point is not None else None

    def _show_boxes(self) -> None:
        try:
            rows = service.list_cash_boxes(db=self.context.db, actor=self.context.actor)
        except ServiceError as error:
            self.status.setText(str(error))
            rows = []
        self.model.set_rows(rows)
        chosen = self.chosen()
        boxes = service.boxes_of(rows, chosen[0].cycle_id, chosen[1]) if chosen else {}
        for panel in (self.euros, self.local):
            panel.show_box(boxes.get(panel.currency), available=chosen is not None)
        closed = [r for r in rows if r.closed]
        if closed:
            self.totals_label.setText(_("{count} — écart total : {euros} en euros, {local} en "
                                        "monnaie locale").format(
                count=counted("{n} caisse fermée", "{n} caisses fermées", len(closed)),
                euros=money_text(service.total_difference(rows, CashCurrency.EURO)),
                local=money_text(service.total_difference(rows, CashCurrency.LOCAL))))
        else:
            self.totals_label.setText(_("Aucune caisse fermée"))

    def _show_row(self, index: QModelIndex) -> None:
        row = self.proxy.row_at(index.row())
        if isinstance(row, CashBoxRow):
            self.cycle_combo.set_value(row.cycle_id)
            self.point_combo.set_value(row.point_id)
            self._show_boxes()

    # --- work -------------------------------------------------------------------------------

    def run(self, work: Any, done_text: str, panel: BoxPanel) -> None:
        """Run a service off the GUI thread, then show the box it returns."""
        def done(box: CashBoxRow) -> None:
            self._show_boxes()
            self.status.setText(done_text.format(
                currency=box.currency.label.lower(), amount=money_text(box.opening_float),
                difference=box.difference_text))

        self.operation = run_task(self, work, on_success=done, title=panel.title(),
                                  cancellable=False)
