"""Saisie des livraisons: what each household really took, keyed back after the distribution.

Type the row number printed on the sign-in sheet and Enter: the household's
lines appear and the first « Livré » cell is ready for typing. Type the weight
or the quantity, Enter: the next line; after the last one, back to the row
number. « Absent » marks the household absent (nothing delivered), « Produit
manquant pour tous… » a product that did not come. Amounts are recomputed by
the service at the price of each line; every change is listed below with who
made it, when, before and after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QIntValidator, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.i18n import N_, _, format_datetime
from coopfood.services.audit import AuditRow
from coopfood.services.delivery import (
    DELIVERY_STATES,
    DeliveryLine,
    HouseholdDelivery,
    find_by_row_number,
    get_delivery,
    list_changes,
    mark_absent,
    set_delivered,
)
from coopfood.services.lists import CycleRow
from ui.display import MISSING, for_screen, money_text, number_text
from ui.grid_model import input_text, parse_quantity
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import make_table_view
from ui.views.orders import CycleChooser, MessageLine, QuantityEditor
from ui.worker import run_task

Index = QModelIndex | QPersistentModelIndex

NAME, UNIT, ORDERED, ALLOCATED, DELIVERED, PRICE, AMOUNT = range(7)
TO_WEIGH_COLOUR = QColor("#9a4d00")


def keying_first(rows: Sequence[CycleRow]) -> list[CycleRow]:
    """The distributions whose deliveries are keyed (closed, distributed) first, newest
    first, then the others."""
    keyed = [r for r in rows if r.state in DELIVERY_STATES]
    return keyed + [r for r in rows if r.state not in DELIVERY_STATES]


def _quantity(value: Decimal | None) -> str:
    return MISSING if value is None else number_text(value)


class DeliveryLinesModel(QAbstractTableModel):
    """A household's lines; the « Livré » column is typed into."""

    #: (line id, quantity or None to clear): the user typed a delivered quantity.
    delivered_edited = Signal(int, object)
    #: A French message: what was typed is not a quantity.
    edit_refused = Signal(str)

    HEADERS = (N_("Produit"), N_("Unité"), N_("Commandé"), N_("Attribué"), N_("Livré"),
               N_("Prix unitaire"), N_("Montant"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: tuple[DeliveryLine, ...] = ()
        self._pending: dict[int, Decimal | None] = {}
        self.editable = False
        self._italic = QFont()
        self._italic.setItalic(True)

    def set_household(self, household: HouseholdDelivery | None, *, editable: bool) -> None:
        """Show a household's lines: in place when they are the same lines (an editor
        open on one of them stays open), anew otherwise."""
        lines = household.lines if household is not None else ()
        same = [line.line_id for line in lines] == [line.line_id for line in self._lines]
        self.editable = editable
        if same and lines:
            self._lines = lines
            for line in lines:
                if line.line_id in self._pending and \
                        self._pending[line.line_id] == line.quantity_delivered:
                    del self._pending[line.line_id]
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(lines) - 1, len(self.HEADERS) - 1))
            return
        self.beginResetModel()
        self._lines = lines
        self._pending = {}
        self.endResetModel()

    def lines(self) -> tuple[DeliveryLine, ...]:
        return self._lines

    def drop_pending(self, line_id: int) -> None:
        if self._pending.pop(line_id, Ellipsis) is not Ellipsis:
            row = next(i for i, line in enumerate(self._lines) if line.line_id == line_id)
            self.dataChanged.emit(self.index(row, DELIVERED), self.index(row, DELIVERED))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return _(self.HEADERS[section])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if section in (NAME, UNIT)
                    else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ToolTipRole and section == DELIVERED:
            return _("Quantité ou poids réellement livré : tapez-le puis Entrée")
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemNeverHasChildren)
        if self.editable and index.column() == DELIVERED:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _delivered(self, line: DeliveryLine) -> Decimal | None:
        if line.line_id in self._pending:
            return self._pending[line.line_id]
        return line.quantity_delivered

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self._lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, column)
        if role == Qt.ItemDataRole.EditRole:
            return input_text(self._delivered(line)) if column == DELIVERED else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (Qt.AlignmentFlag.AlignLeft if column in (NAME, UNIT)
                    else Qt.AlignmentFlag.AlignRight) | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.ForegroundRole and column == DELIVERED:
            if line.line_id in self._pending:
                return QColor("#8a8a8a")
            return TO_WEIGH_COLOUR if line.to_weigh else None
        if role == Qt.ItemDataRole.FontRole and column == DELIVERED and line.to_weigh:
            return self._italic
        if role == Qt.ItemDataRole.ToolTipRole:
            if line.to_weigh:
                return _("{name} : poids variable, à peser").format(name=line.name)
            return None
        return None

    def _text(self, line: DeliveryLine, column: int) -> str:
        if column == NAME:
            return line.name
        if column == UNIT:
            return line.unit.label
        if column == ORDERED:
            return _quantity(line.quantity_ordered)
        if column == ALLOCATED:
            return _quantity(line.quantity_allocated)
        if column == DELIVERED:
            value = self._delivered(line)
            if value is None:
                return _("à peser") if line.variable_weight else MISSING
            return number_text(value)
        if column == PRICE:
            return money_text(line.member_unit_price)
        return money_text(line.amount)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or \
                index.column() != DELIVERED or not self.editable:
            return False
        line = self._lines[index.row()]
        text = str(value or "").strip()
        try:
            new = None if not text else parse_quantity(text)
        except ValueError as error:
            self.edit_refused.emit(str(error))
            return False
        if new == self._delivered(line):
            return False
        self._pending[line.line_id] = new
        self.dataChanged.emit(index, index)
        self.delivered_edited.emit(line.line_id, new)
        return True


class LinesView(QTableView):
    """The household's lines: Enter writes the weight and goes to the next line."""

    #: Enter on the last line: back to the row number.
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = QuantityEditor(self)
        self.setItemDelegate(self.editor)
        self.editor.navigate.connect(self._navigate)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAlternatingRowColors(True)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.horizontalHeader().setHighlightSections(False)

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        if model is not None and model.columnCount():
            header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)

    def start(self, row: int = 0) -> None:
        """Put the cursor on a line's « Livré » cell, ready for typing."""
        model = self.model()
        if model is None or model.rowCount() == 0:
            self.finished.emit()
            return
        index = model.index(min(row, model.rowCount() - 1), DELIVERED)
        self.setFocus()
        self.setCurrentIndex(index)
        if model.flags(index) & Qt.ItemFlag.ItemIsEditable:
            self.edit(index)

    def _navigate(self, key: int, shift: bool) -> None:
        row = self.currentIndex().row()
        if shift:
            self.start(max(row - 1, 0))
            return
        model = self.model()
        if model is None or row + 1 >= model.rowCount():
            self.finished.emit()
        else:
            self.start(row + 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.state() != QAbstractItemView.State.EditingState and event.key() in (
                Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._navigate(event.key(), bool(event.modifiers()
                                             & Qt.KeyboardModifier.ShiftModifier))
            return
        super().keyPressEvent(event)


# --- the changes ------------------------------------------------------------------------------


def _change_value(values: Mapping[str, Any] | None) -> str:
    """What a change's « before » or « after » holds, for a cell."""
    if not values:
        return MISSING
    if "absent" in values:
        return _("absent") if values["absent"] else _("présent")
    value = values.get("quantity_delivered")
    if value is None or isinstance(value, dict):
        return MISSING
    try:
        return number_text(Decimal(str(value)))
    except ArithmeticError:
        return str(value)


def change_columns() -> list[Column[AuditRow]]:
    return [
        Column(_("Quand"), lambda r: for_screen(format_datetime(r.at)), sort_key=lambda r: r.at),
        Column(_("Par"), lambda r: r.actor_name),
        Column(_("Modification"), lambda r: r.summary, elide=True),
        Column(_("Avant"), lambda r: _change_value(r.before), align=Align.RIGHT),
        Column(_("Après"), lambda r: _change_value(r.after), align=Align.RIGHT),
    ]


# --- the page ---------------------------------------------------------------------------------


class DeliveryPage(QWidget):
    """« Saisie des livraisons » (see the module docstring)."""

    #: A household was shown (after a row number, or after a change).
    household_shown = Signal()

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.household: HouseholdDelivery | None = None
        self._shown_once = False

        self.chooser = CycleChooser(context, order=keying_first)
        self.row_number = QLineEdit()
        self.row_number.setValidator(QIntValidator(1, 99999, self.row_number))
        self.row_number.setMaximumWidth(self.fontMetrics().horizontalAdvance("000000") + 24)
        self.row_number.setAccessibleName(_("Numéro de ligne sur la feuille d'émargement"))
        number_label = QLabel(_("N° sur la feuille d'é&margement :"))
        number_label.setBuddy(self.row_number)
        self.show_button = QPushButton(_("Afficher"))
        self.absent_button = QPushButton(_("Absent"))
        self.absent_button.setToolTip(_("Le foyer n'est pas venu : rien ne lui est livré"))
        self.missing_button = QPushButton(_("Produit manquant pour tous…"))
        self.missing_button.setToolTip(_("Un produit n'est pas arrivé : rien n'en est livré"))
        self.household_label = QLabel()
        self.household_label.setTextFormat(Qt.TextFormat.PlainText)
        font = self.household_label.font()
        font.setBold(True)
        self.household_label.setFont(font)
        # A long name must not widen the window: it is cut instead.
        self.household_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                           QSizePolicy.Policy.Preferred)
        self.total_label = QLabel()
        self.total_label.setFont(font)
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.message = MessageLine()

        self.lines_model = DeliveryLinesModel(self)
        self.lines = LinesView()
        self.lines.setModel(self.lines_model)
        self.lines.setAccessibleName(_("Lignes de la commande"))

        self.changes_model: RowTableModel[AuditRow] = RowTableModel(change_columns(), self)
        self.changes_proxy = SearchProxyModel(self)
        self.changes_proxy.setSourceModel(self.changes_model)
        self.changes = make_table_view(self.changes_proxy)
        self.changes.setAccessibleName(_("Modifications saisies"))
        header = self.changes.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        top = QHBoxLayout()
        top.addWidget(self.chooser)
        top.addStretch(1)
        keying = QHBoxLayout()
        keying.addWidget(number_label)
        keying.addWidget(self.row_number)
        keying.addWidget(self.show_button)
        keying.addSpacing(16)
        keying.addWidget(self.household_label, 1)
        keying.addWidget(self.absent_button)
        keying.addWidget(self.missing_button)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(keying)
        upper_layout.addWidget(self.lines, 1)
        totals = QHBoxLayout()
        totals.addWidget(self.message, 1)
        totals.addWidget(self.total_label)
        upper_layout.addLayout(totals)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        changes_title = QLabel(_("Modifications saisies après la distribution"))
        changes_title.setFont(font)
        lower_layout.addWidget(changes_title)
        lower_layout.addWidget(self.changes, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

        self.chooser.changed.connect(self._on_choice)
        self.row_number.returnPressed.connect(self.find_household)
        self.show_button.clicked.connect(self.find_household)
        self.absent_button.clicked.connect(self.toggle_absent)
        self.missing_button.clicked.connect(self.product_missing)
        self.lines.finished.connect(self._back_to_row_number)
        self.lines_model.delivered_edited.connect(self._on_delivered)
        self.lines_model.edit_refused.connect(self.message.refuse)
        self._show_household(None)
        self.chooser.refresh()

    # --- choosing ------------------------------------------------------------------------------

    def cycle(self) -> CycleRow | None:
        return self.chooser.current()

    def keyed(self) -> bool:
        """Whether delivered quantities are keyed in the chosen distribution."""
        row = self.cycle()
        return row is not None and row.state in DELIVERY_STATES

    def _on_choice(self, cycle_id: int, point_id: int) -> None:
        self._show_household(None)
        row = self.cycle()
        if row is not None and row.state not in DELIVERY_STATES:
            if row.state is CycleState.INVOICED:
                self.message.say(_("Cette distribution est facturée : les quantités livrées ne "
                                   "changent plus (corrigez par un avoir)."))
            else:
                self.message.say(_("Les quantités livrées se saisissent une fois la "
                                   "distribution clôturée."))
        else:
            self.message.say("")
        self.load_changes()

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._shown_once:
            self.chooser.refresh()
        self._shown_once = True

    # --- a household ---------------------------------------------------------------------------

    def find_household(self) -> None:
        """The household on the row number typed."""
        text = self.row_number.text().strip()
        cycle_id, point_id = self.chooser.cycle.value(), self.chooser.point_id()
        if not text or cycle_id is None or point_id is None:
            return
        number = int(text)
        db, actor = self._context.db, self._context.actor
        run_task(self, lambda _progress: find_by_row_number(
                     db=db, actor=actor, cycle_id=cycle_id, point_id=point_id,
                     row_number=number),
                 on_success=self._found, on_failure=self._not_found,
                 progress_delay_ms=None, cancellable=False)

    def _found(self, household: HouseholdDelivery) -> None:
        self.message.say("")
        self._show_household(household)
        self.lines.start(0)

    def _not_found(self, error: Exception) -> None:
        self._show_household(None)
        self.message.failure(error)
        self._back_to_row_number()

    def _show_household(self, household: HouseholdDelivery | None) -> None:
        self.household = household
        self.lines_model.set_household(household, editable=self.keyed())
        if household is None:
            self.household_label.setText(_("Tapez le numéro de ligne de la feuille "
                                           "d'émargement, puis Entrée."))
            self.total_label.setText("")
        else:
            name = household.name
            if household.co_member_name:
                name += " " + _("(avec {name})").format(name=household.co_member_name)
            text = _("N° {n} — {name}").format(n=household.row_number or MISSING, name=name)
            if household.absent:
                text += " — " + _("absent")
            self.household_label.setText(text)
            self.total_label.setText(_("Montant : {amount}").format(
                amount=money_text(household.total)))
        self.absent_button.setEnabled(household is not None and self.keyed())
        self.absent_button.setText(_("Présent finalement") if household is not None
                                   and household.absent else _("Absent"))
        self.missing_button.setEnabled(self.keyed())
        self.household_shown.emit()

    def _back_to_row_number(self) -> None:
        self.row_number.setFocus()
        self.row_number.selectAll()

    # --- writing -------------------------------------------------------------------------------

    def _on_delivered(self, line_id: int, quantity: Decimal | None) -> None:
        db, actor = self._context.db, self._context.actor
        run_task(self, lambda _progress: set_delivered(db=db, actor=actor, line_id=line_id,
                                                       quantity=quantity),
                 on_success=self._written,
                 on_failure=lambda error: self._refused(line_id, error),
                 progress_delay_ms=None, cancellable=False)

    def _written(self, household: HouseholdDelivery) -> None:
        if self.household is None or household.order_id != self.household.order_id:
            return
        self._show_household(household)
        self.message.say(_("Enregistré : {name}, montant {amount}.").format(
            name=household.name, amount=money_text(household.total)))
        self.load_changes()

    def _refused(self, line_id: int, error: Exception) -> None:
        self.lines_model.drop_pending(line_id)
        self.message.failure(error)

    def toggle_absent(self) -> None:
        household = self.household
        if household is None:
            return
        db, actor = self._context.db, self._context.actor
        absent = not household.absent
        run_task(self, lambda _progress: mark_absent(db=db, actor=actor,
                                                     order_id=household.order_id,
                                                     absent=absent),
                 on_success=self._written, on_failure=self.message.failure,
                 progress_delay_ms=None, cancellable=False)

    def product_missing(self) -> None:
        row = self.cycle()
        point_id = self.chooser.point_id()
        if row is None or point_id is None:
            return
        from ui.dialogs.cycle_missing import ask_missing_product

        point = dict(zip(row.point_ids, row.points, strict=True)).get(point_id, "")
        result = ask_missing_product(self, self._context, cycle_id=row.id, point_id=point_id,
                                     point_name=point)
        if result is None:
            return
        self.message.say(result)
        self.load_changes()
        household = self.household
        if household is not None:  # its lines may have changed: read them again
            db, actor = self._context.db, self._context.actor
            run_task(self, lambda _progress: get_delivery(db=db, actor=actor,
                                                          order_id=household.order_id),
                     on_success=self._show_household, on_failure=self.message.failure,
                     progress_delay_ms=None, cancellable=False)

    # --- changes -------------------------------------------------------------------------------

    def load_changes(self) -> None:
        cycle_id, point_id = self.chooser.cycle.value(), self.chooser.point_id()
        if cycle_id is None:
            self.changes_model.set_rows([])
            return
        db, actor = self._context.db, self._context.actor
        run_task(self, lambda _progress: list_changes(db=db, actor=actor, cycle_id=cycle_id,
                                                      point_id=point_id),
                 on_success=lambda rows: self._show_changes(cycle_id, rows),
                 on_failure=self.message.failure, progress_delay_ms=None, cancellable=False)

    def _show_changes(self, cycle_id: int, rows: list[AuditRow]) -> None:
        if cycle_id == self.chooser.cycle.value():
            self.changes_model.set_rows(rows)
