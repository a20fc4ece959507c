"""Type de panier (producer, name, price, VAT) and « Composition de la semaine »: what a
basket holds in a given week, one editable line per item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from coopfood.domain.enums import Unit
from coopfood.domain.money import AmountError, money
from coopfood.domain.vat import VAT_RATES, price_with_vat
from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.baskets import (
    BasketItem,
    BasketItemInput,
    BasketTypeDetail,
    BasketTypeInput,
    composition,
    get_basket_type,
    save_basket_type,
    set_composition,
    week_of,
)
from coopfood.services.lists import ProducerRow, list_producers
from ui.dialogs import messages
from ui.dialogs.fields import (
    SearchCombo,
    ValueCombo,
    date_edit,
    decimal_input_text,
    from_qdate,
    line_edit,
    money_input_text,
    to_qdate,
    vat_rate_combo,
)
from ui.dialogs.form import FormDialog, new_form
from ui.display import date_text, money_text
from ui.views.context import PageContext

Index = QModelIndex | QPersistentModelIndex


class BasketTypeDialog(FormDialog[BasketTypeInput]):
    def __init__(self, parent: QWidget | None, *, basket: BasketTypeDetail | None,
                 producers: Sequence[ProducerRow],
                 save: Callable[[BasketTypeInput], object] | None,
                 edit_composition: Callable[[QWidget], object] | None = None) -> None:
        title = (_("Type de panier — {name}").format(name=basket.name) if basket
                 else _("Nouveau type de panier"))
        super().__init__(parent, title=title, save=save)
        b = basket
        self.field_aliases = {"producer_id": "producer"}
        form = new_form()
        self.producer: SearchCombo[int] = SearchCombo(
            ((row.name, row.id) for row in producers
             if not row.archived or (b is not None and row.id == b.producer_id)),
            current=b.producer_id if b else None)
        if b is None:
            self.producer.setCurrentIndex(-1)
        self.add_field(form, "producer", _("Producteur"), self.producer)
        self.name = line_edit(b.name if b else "", max_length=200,
                              placeholder=_("Panier légumes — petit"))
        self.add_field(form, "name", _("Nom"), self.name)
        self.price = line_edit(money_input_text(b.price_ht) if b else "", width_chars=10)
        price_row = QWidget()
        price_layout = QHBoxLayout(price_row)
        price_layout.setContentsMargins(0, 0, 0, 0)
        price_layout.addWidget(self.price)
        price_layout.addWidget(QLabel(_("€ HT")))
        price_layout.addStretch(1)
        self.add_field(form, "price_ht", _("Prix du panier"), price_row, target=self.price,
                       hint=_("Les contrats gardent le prix qui y est inscrit."))
        self.vat_rate = vat_rate_combo(b.vat_rate if b else VAT_RATES[0])
        self.add_field(form, "vat_rate", _("Taux de TVA"), self.vat_rate)
        self.price_ttc = QLabel()
        form.addRow(_("Prix TTC"), self.price_ttc)
        self.body.addLayout(form)
        self.composition_button = QPushButton(_("Composition de la semaine…"))
        self.composition_button.setEnabled(edit_composition is not None)
        if edit_composition is None:
            self.composition_button.setToolTip(
                _("Enregistrez d'abord le type de panier pour saisir son contenu."))
        else:
            self.composition_button.clicked.connect(lambda: edit_composition(self))
        self.body.addWidget(self.composition_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.price.textChanged.connect(self._show_ttc)
        self.vat_rate.currentIndexChanged.connect(self._show_ttc)
        self._show_ttc()
        self.resize(560, self.sizeHint().height())

    def _show_ttc(self) -> None:
        try:
            price = money(self.price.text()) if self.price.text().strip() else None
        except AmountError:
            price = None
        rate = self.vat_rate.value() or VAT_RATES[0]
        self.price_ttc.setText(money_text(price_with_vat(price, rate)) if price is not None
                               and price >= 0 else "—")

    def collect(self) -> BasketTypeInput:
        producer_id = self.producer.value()
        if producer_id is None:
            raise ValidationError(_("Choisissez le producteur dans la liste."),
                                  field="producer_id")
        return BasketTypeInput(producer_id=producer_id, name=self.name.text(),
                               price_ht=self.price.text(),
                               vat_rate=self.vat_rate.value() or VAT_RATES[0])


# --- composition ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDraft:
    """A line of the composition as typed: the quantity stays text until it is saved."""

    label: str = ""
    quantity: str = ""
    unit: Unit | None = None


@dataclass(frozen=True)
class CompositionInput:
    week_start: dt.date
    items: tuple[BasketItemInput, ...]


class CompositionModel(QAbstractTableModel):
    """The lines of a week's basket, edited in place: label, quantity, unit."""

    LABEL, QUANTITY, UNIT = range(3)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[ItemDraft] = []
        self._headers = (_("Libellé"), _("Quantité"), _("Unité"))
        self.changed = False

    def items(self) -> list[ItemDraft]:
        return list(self._items)

    def set_items(self, items: Sequence[ItemDraft]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()
        self.changed = False

    def add_item(self, item: ItemDraft | None = None, row: int | None = None) -> int:
        row = len(self._items) if row is None else row
        self.beginInsertRows(QModelIndex(), row, row)
        self._items.insert(row, item or ItemDraft())
        self.endInsertRows()
        self.changed = True
        return row

    def remove_item(self, row: int) -> None:
        if not 0 <= row < len(self._items):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._items[row]
        self.endRemoveRows()
        self.changed = True

    def unit_at(self, row: int) -> Unit | None:
        return self._items[row].unit

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        return 0 if parent.isValid() else len(self._items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        item = self._items[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == self.LABEL:
                return item.label
            if column == self.QUANTITY:
                return item.quantity
            return item.unit.label if item.unit is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and column == self.QUANTITY:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        return None

    def setData(self, index: Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        item = self._items[index.row()]
        column = index.column()
        if column == self.LABEL:
            item = replace(item, label=str(value or ""))
        elif column == self.QUANTITY:
            item = replace(item, quantity=str(value or "").strip())
        elif isinstance(value, Unit) or value is None:
            item = replace(item, unit=value)
        else:
            return False
        self._items[index.row()] = item
        self.changed = True
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole,
                                             Qt.ItemDataRole.EditRole])
        return True

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemNeverHasChildren)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._headers)):
            return self._headers[section]
        return super().headerData(section, orientation, role)


class UnitDelegate(QStyledItemDelegate):
    """The unit of a line is chosen in a list (or none: « une botte de radis » says it)."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem,
                     index: Index) -> QWidget:
        combo: ValueCombo[Unit | None] = ValueCombo(
            [("—", None), *((unit.label, unit) for unit in Unit)], parent=parent)
        combo.setMinimumContentsLength(8)
        return combo

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        model = index.model()
        if isinstance(editor, ValueCombo) and isinstance(model, CompositionModel):
            editor.set_value(model.unit_at(index.row()))

    def setModelData(self, editor: QWidget, model: object, index: Index) -> None:
        if isinstance(editor, ValueCombo) and isinstance(model, CompositionModel):
            model.setData(index, editor.value())


def drafts(items: Sequence[BasketItem]) -> list[ItemDraft]:
    return [ItemDraft(label=item.label, quantity=decimal_input_text(item.quantity),
                      unit=item.unit) for item in items]


class CompositionDialog(FormDialog[CompositionInput]):
    """What a basket type holds in one week; another week is loaded when the date changes."""

    def __init__(self, parent: QWidget | None, *, basket: str, week: dt.date,
                 load: Callable[[dt.date], list[BasketItem]],
                 save: Callable[[CompositionInput], object] | None) -> None:
        super().__init__(parent, title=_("Composition de la semaine — {basket}").format(
            basket=basket), save=save)
        self._load = load
        self._week = week_of(week)

        form = new_form()
        self.week = date_edit(self._week)
        self.week_label = QLabel()
        week_row = QWidget()
        week_layout = QHBoxLayout(week_row)
        week_layout.setContentsMargins(0, 0, 0, 0)
        week_layout.addWidget(self.week)
        week_layout.addWidget(self.week_label, 1)
        self.add_field(form, "week_start", _("Semaine du"), week_row, target=self.week)
        self.body.addLayout(form)

        self.model = CompositionModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(CompositionModel.UNIT, UnitDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(CompositionModel.LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CompositionModel.QUANTITY, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(CompositionModel.UNIT, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(CompositionModel.QUANTITY, 110)
        header.resizeSection(CompositionModel.UNIT, 150)
        self.table.setAccessibleName(_("Contenu du panier"))
        self.body.addWidget(self.table, 1)
        self.body.addWidget(self.error_slot("items", self.table))

        self.add_button = QPushButton(_("Ajouter une ligne"))
        self.remove_button = QPushButton(_("Supprimer la ligne"))
        self.copy_button = QPushButton(_("Reprendre la semaine précédente"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.copy_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)
        self.add_button.clicked.connect(self.add_line)
        self.remove_button.clicked.connect(self.remove_line)
        self.copy_button.clicked.connect(self.copy_previous_week)
        self.week.dateChanged.connect(self._on_week_changed)
        self.model.dataChanged.connect(lambda *_a: self.clear_error("items"))
        self.model.rowsRemoved.connect(lambda *_a: self.clear_error("items"))

        self._show_week()
        self.resize(640, 520)

    def _show_week(self) -> None:
        self.week_label.setText(_("du lundi {monday} au dimanche {sunday}").format(
            monday=date_text(self._week),
            sunday=date_text(self._week + dt.timedelta(days=6))))
        self.model.set_items(drafts(self._load(self._week)))

    def _on_week_changed(self) -> None:
        week = week_of(from_qdate(self.week.date()))
        if week == self._week:
            return
        if self.model.changed and not messages.confirm(
                self, title=_("Changer de semaine"), action=_("Abandonner les changements"),
                text=_("Le contenu de la semaine du {date} n'est pas enregistré : "
                       "l'abandonner ?").format(date=date_text(self._week))):
            with QSignalBlocker(self.week):
                self.week.setDate(to_qdate(self._week))
            return
        self._week = week
        self.clear_errors()
        self._show_week()

    def add_line(self) -> None:
        current = self.table.currentIndex()
        row = self.model.add_item(row=current.row() + 1 if current.isValid() else None)
        index = self.model.index(row, CompositionModel.LABEL)
        self.table.setCurrentIndex(index)
        self.table.edit(index)

    def remove_line(self) -> None:
        current = self.table.currentIndex()
        if current.isValid():
            self.model.remove_item(current.row())

    def copy_previous_week(self) -> None:
        previous = self._load(self._week - dt.timedelta(days=7))
        if not previous:
            messages.show_info(self, _("La semaine précédente n'a pas de contenu saisi."),
                               title=_("Reprendre la semaine précédente"))
            return
        for item in drafts(previous):
            self.model.add_item(item)

    def show_error(self, error: ValidationError) -> None:
        super().show_error(error)
        field = error.field or ""
        if field.startswith("items["):
            row = int(field[len("items["):field.index("]")])
            column = (CompositionModel.QUANTITY if field.endswith(".quantity")
                      else CompositionModel.LABEL)
            self.table.setCurrentIndex(self.model.index(row, column))

    def collect(self) -> CompositionInput:
        self.table.setCurrentIndex(QModelIndex())  # commits a cell being typed in
        items = tuple(
            BasketItemInput(label=item.label, quantity=item.quantity or None, unit=item.unit)
            for item in self.model.items()
            if item.label.strip() or item.quantity.strip())
        return CompositionInput(week_start=self._week, items=items)


def ask_basket_type(parent: QWidget | None, context: PageContext,
                    basket_type_id: int | None = None) -> BasketTypeDetail | None:
    """Create (no id) or edit a basket type in its dialog; the saved one, or None."""
    db, actor = context.db, context.actor
    basket = (get_basket_type(db=db, actor=actor, basket_type_id=basket_type_id)
              if basket_type_id else None)

    def save(data: BasketTypeInput) -> BasketTypeDetail:
        return save_basket_type(db=db, actor=actor, data=data, basket_type_id=basket_type_id,
                     expected_version=basket.version if basket else None)

    def edit_composition(over: QWidget) -> object:
        assert basket is not None
        return ask_composition(over, context, basket.id, basket.name)

    dialog = BasketTypeDialog(
        parent, basket=basket,
        producers=list_producers(db=db, actor=actor, include_archived=basket is not None),
        save=save, edit_composition=edit_composition if basket is not None else None)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, BasketTypeDetail) else None


def ask_composition(parent: QWidget | None, context: PageContext, basket_type_id: int,
                    name: str, week: dt.date | None = None) -> bool:
    """Edit a basket type's composition, this week's first; True when one was saved."""
    db, actor = context.db, context.actor

    def load(monday: dt.date) -> list[BasketItem]:
        return composition(db=db, actor=actor, basket_type_id=basket_type_id, week_start=monday)

    def save(data: CompositionInput) -> list[BasketItem]:
        return set_composition(db=db, actor=actor, basket_type_id=basket_type_id,
                               week_start=data.week_start, items=data.items)

    dialog = CompositionDialog(parent, basket=name, week=week or context.today(), load=load,
                               save=save)
    return dialog.ask() is not None

