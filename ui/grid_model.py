"""The order grid's model: the households of a point as rows, the offered products as columns.

It holds what `load_grid` returned — ids, and a dict of quantities keyed by
(household, product) — so `data()` is a few dict look-ups whatever the size
of the grid; the text of a quantity is formatted once per distinct value.

The first rows sum the grid up per product (ordered at the point, left under
the cap, missing to complete the case); the first columns name the household
(row number on the sign-in sheet, name) and give its order's amount.

An edit does not write anything here: `setData` checks the number typed, shows
it as pending and asks for it with `edit_requested`; the page calls
`set_quantity` and hands its `CellResult` to `apply`, which refreshes that
cell, the household's amount and the product's totals — nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from coopfood.domain.allocation import case_pack_status
from coopfood.domain.money import AmountError, quantity
from coopfood.i18n import N_, _, ngettext
from coopfood.services.orders import CellResult, GridData, GridMember, GridProduct, quantity_text
from ui.display import fold, money_text, number_text
from ui.table_model import WordFilter

Index = QModelIndex | QPersistentModelIndex

#: Rows above the households: ordered at the point, left under the cap, missing for the case.
TOTAL_ROW, REMAINING_ROW, CASE_ROW = 0, 1, 2
SUMMARY_ROWS = 3
#: Columns before the products: row number, household, amount of its order.
NUMBER_COLUMN, NAME_COLUMN, AMOUNT_COLUMN = 0, 1, 2
FIRST_PRODUCT_COLUMN = 3

#: Any cell of a household's row gives its id; any cell of a product's column gives its id.
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 10
PRODUCT_ID_ROLE = Qt.ItemDataRole.UserRole + 11
#: A product cell's quantity (a Decimal, pending or stored; None when empty).
QUANTITY_ROLE = Qt.ItemDataRole.UserRole + 12

ZERO = Decimal("0.000")
NO_MONEY = Decimal("0.00")
#: Variable-weight products take an estimate, weighed at the distribution.
ESTIMATE_MARK = "~"

#: What the summary rows say in the household column.
SUMMARY_LABELS = {
    TOTAL_ROW: N_("Total du point"),
    REMAINING_ROW: N_("Reste sous plafond"),
    CASE_ROW: N_("Manque au colis"),
}

SUMMARY_BACKGROUND = QColor("#efeadb")
PENDING_COLOUR = QColor("#8a8a8a")
READ_ONLY_COLOUR = QColor("#6d6d6d")
ALERT_COLOUR = QColor("#9a4d00")

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


@dataclass(frozen=True)
class CellEdit:
    """A quantity the user typed, to be written by `set_quantity`."""

    member_id: int
    product_id: int
    old: Decimal
    new: Decimal


def parse_quantity(text: str) -> Decimal:
    """A quantity typed the French way ("1,5") or not ("1.5"); empty is 0.

    Raises ValueError with a French message when the text is not a quantity.
    """
    cleaned = text.strip()
    if not cleaned:
        return ZERO
    try:
        value = quantity(cleaned)
    except AmountError:
        raise ValueError(_("« {text} » n'est pas une quantité : tapez par exemple 2 ou "
                           "1,5.").format(text=cleaned)) from None
    if value < 0:
        raise ValueError(_("Une quantité ne peut pas être négative (« {text} »).").format(
            text=cleaned))
    return value


def input_text(value: Decimal | None) -> str:
    """A quantity as a user types it: '1,5' (no thousands separator)."""
    if value is None or value == 0:
        return ""
    return number_text(value).replace("\u202f", "").replace("\u00a0", "")


def _plain_wrap(name: str) -> tuple[str, str]:
    """Two lines of at most about 16 characters (the view measures in pixels instead)."""
    words = name.split()
    first = ""
    while words and len(first) + len(words[0]) < 17:
        first = f"{first} {words.pop(0)}".strip()
    if not first and words:
        first = words.pop(0)
    return first, " ".join(words)


class GridModel(QAbstractTableModel):
    """See the module docstring."""

    #: A CellEdit: the user typed a new quantity (the cell shows it as pending).
    edit_requested = Signal(object)
    #: A French message: what was typed is not a quantity, or the grid is read-only.
    edit_refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: Splits a product's name on two header lines; the view sets one that measures.
        self.wrap_header: Callable[[str], tuple[str, str]] = _plain_wrap
        self._data: GridData | None = None
        self._members: tuple[GridMember, ...] = ()
        self._products: tuple[GridProduct, ...] = ()
        self._row_of: dict[int, int] = {}
        self._column_of: dict[int, int] = {}
        self._quantities: dict[tuple[int, int], Decimal] = {}
        self._pending: dict[tuple[int, int], Decimal] = {}
        self._member_totals: dict[int, Decimal] = {}
        self._point_totals: dict[int, Decimal] = {}
        self._product_totals: dict[int, Decimal] = {}
        self._row_numbers: dict[int, int | None] = {}
        self._versions: dict[int, int | None] = {}
        self._grand_total = NO_MONEY
        self._editable = False
        self._search: list[str] = []
        self._headers: list[str] = []
        self._texts: dict[Decimal, str] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)

    # --- loading ---------------------------------------------------------------------------

    def set_grid(self, data: GridData | None) -> None:
        """Show this grid (None: an empty grid)."""
        self.beginResetModel()
        self._data = data
        self._members = data.members if data is not None else ()
        self._products = data.products if data is not None else ()
        self._row_of = {m.member_id: SUMMARY_ROWS + i for i, m in enumerate(self._members)}
        self._column_of = {p.product_id: FIRST_PRODUCT_COLUMN + i
                           for i, p in enumerate(self._products)}
        self._quantities = dict(data.quantities) if data is not None else {}
        self._pending = {}
        self._member_totals = dict(data.member_totals) if data is not None else {}
        self._point_totals = dict(data.point_totals) if data is not None else {}
        self._product_totals = dict(data.product_totals) if data is not None else {}
        self._row_numbers = {m.member_id: m.row_number for m in self._members}
        self._versions = {m.member_id: m.order_version for m in self._members}
        self._grand_total = sum(self._member_totals.values(), NO_MONEY)
        self._editable = data is not None and data.editable
        self._search = [fold(" ".join((m.name, m.co_member_name,
                                       str(m.row_number or ""))))
                        for m in self._members]
        self._headers = [self._header_text(p) for p in self._products]
        self.endResetModel()

    def _header_text(self, product: GridProduct) -> str:
        first, second = self.wrap_header(product.name)
        price = money_text(product.member_price)
        unit = product.unit.label
        # Three lines everywhere, the name closest to its unit: headers line up.
        lines = ("", first, f"{unit} · {price}") if not second else (
            first, second, f"{unit} · {price}")
        return "\n".join(lines)

    def grid(self) -> GridData | None:
        return self._data

    @property
    def editable(self) -> bool:
        return self._editable

    def members(self) -> tuple[GridMember, ...]:
        return self._members

    def products(self) -> tuple[GridProduct, ...]:
        return self._products

    def member_at(self, row: int) -> GridMember | None:
        index = row - SUMMARY_ROWS
        return self._members[index] if 0 <= index < len(self._members) else None

    def product_at(self, column: int) -> GridProduct | None:
        index = column - FIRST_PRODUCT_COLUMN
        return self._products[index] if 0 <= index < len(self._products) else None

    def row_of(self, member_id: int) -> int:
        return self._row_of[member_id]

    def column_of(self, product_id: int) -> int:
        return self._column_of[product_id]

    def cell(self, member_id: int, product_id: int) -> QModelIndex:
        return self.index(self._row_of[member_id], self._column_of[product_id])

    def quantity(self, member_id: int, product_id: int) -> Decimal:
        """What the cell shows: the quantity being written, else the one stored."""
        key = (member_id, product_id)
        value = self._pending.get(key, self._quantities.get(key))
        return value if value is not None else ZERO

    def stored_quantity(self, member_id: int, product_id: int) -> Decimal:
        return self._quantities.get((member_id, product_id), ZERO)

    def member_total(self, member_id: int) -> Decimal:
        return self._member_totals.get(member_id, NO_MONEY)

    def point_total(self, product_id: int) -> Decimal:
        return self._point_totals.get(product_id, ZERO)

    def product_total(self, product_id: int) -> Decimal:
        """Ordered in the whole distribution (all its points): what the cap counts."""
        return self._product_totals.get(product_id, ZERO)

    def remaining(self, product_id: int) -> Decimal | None:
        product = self._products[self._column_of[product_id] - FIRST_PRODUCT_COLUMN]
        if product.cap is None:
            return None
        return product.cap - self.product_total(product_id)

    def case_missing(self, product_id: int) -> Decimal | None:
        product = self._products[self._column_of[product_id] - FIRST_PRODUCT_COLUMN]
        if product.case_pack is None:
            return None
        return case_pack_status(self.product_total(product_id), product.case_pack).missing

    def order_version(self, member_id: int) -> int | None:
        return self._versions.get(member_id)

    def search_text(self, source_row: int) -> str:
        """A household's row, folded, for the search box ("" for the summary rows)."""
        index = source_row - SUMMARY_ROWS
        return self._search[index] if 0 <= index < len(self._search) else ""

    def is_pending(self, member_id: int, product_id: int) -> bool:
        return (member_id, product_id) in self._pending

    # --- edits -----------------------------------------------------------------------------

    def request(self, member_id: int, product_id: int, new: Decimal) -> CellEdit | None:
        """Show `new` in the cell until it is written; the edit, None when nothing changes."""
        old = self.quantity(member_id, product_id)
        if new == old:
            return None
        self._pending[(member_id, product_id)] = new
        index = self.cell(member_id, product_id)
        self.dataChanged.emit(index, index)
        return CellEdit(member_id=member_id, product_id=product_id, old=old, new=new)

    def drop_pending(self, member_id: int, product_id: int, value: Decimal) -> None:
        """A write of `value` failed: the cell shows what is stored again."""
        key = (member_id, product_id)
        if self._pending.get(key) == value:
            del self._pending[key]
            index = self.cell(member_id, product_id)
            self.dataChanged.emit(index, index)

    def apply(self, result: CellResult) -> None:
        """What `set_quantity` wrote: refresh the cell, the household's row, the product's
        totals and the grand total (dataChanged on those cells only)."""
        if self._data is None or result.cycle_id != self._data.cycle_id:
            return
        member_id, product_id = result.member_id, result.product_id
        row = self._row_of.get(member_id)
        column = self._column_of.get(product_id)
        if row is None or column is None:
            return
        key = (member_id, product_id)
        if self._pending.get(key) == result.quantity:
            del self._pending[key]
        old = self._quantities.get(key, ZERO)
        if result.quantity:
            self._quantities[key] = result.quantity
        else:
            self._quantities.pop(key, None)
        self._point_totals[product_id] = self.point_total(product_id) + result.quantity - old
        self._product_totals[product_id] = result.product_total
        previous = self.member_total(member_id)
        self._member_totals[member_id] = result.member_total
        self._grand_total += result.member_total - previous
        if result.order_id is not None:
            self._row_numbers[member_id] = result.row_number
            self._versions[member_id] = result.order_version
        cell = self.index(row, column)
        self.dataChanged.emit(cell, cell)
        self.dataChanged.emit(self.index(row, NUMBER_COLUMN), self.index(row, AMOUNT_COLUMN))
        self.dataChanged.emit(self.index(TOTAL_ROW, column), self.index(CASE_ROW, column))
        grand = self.index(TOTAL_ROW, AMOUNT_COLUMN)
        self.dataChanged.emit(grand, grand)

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's own default)
        if parent.isValid() or self._data is None:
            return 0
        return SUMMARY_ROWS + len(self._members)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._data is None:
            return 0
        return FIRST_PRODUCT_COLUMN + len(self._products)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemNeverHasChildren)
        if (self._editable and index.row() >= SUMMARY_ROWS
                and index.column() >= FIRST_PRODUCT_COLUMN):
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def _text(self, value: Decimal) -> str:
        text = self._texts.get(value)
        if text is None:
            text = self._texts[value] = number_text(value)
        return text

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if row < SUMMARY_ROWS:
            return self._summary_data(row, column, role)
        member = self._members[row - SUMMARY_ROWS]
        if column >= FIRST_PRODUCT_COLUMN:
            return self._cell_data(member, self._products[column - FIRST_PRODUCT_COLUMN], role)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NUMBER_COLUMN:
                number = self._row_numbers.get(member.member_id)
                return "" if number is None else str(number)
            if column == NAME_COLUMN:
                return member.name
            return money_text(self.member_total(member.member_id))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column == NAME_COLUMN else RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._member_tooltip(member, column)
        if role == Qt.ItemDataRole.ForegroundRole and member.absent:
            return READ_ONLY_COLOUR
        if role == MEMBER_ID_ROLE:
            return member.member_id
        return None

    def _cell_data(self, member: GridMember, product: GridProduct, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.quantity(member.member_id, product.product_id)
            if not value:
                return ""
            text = self._text(value)
            return ESTIMATE_MARK + text if product.variable_weight else text
        if role == Qt.ItemDataRole.EditRole:
            return input_text(self.quantity(member.member_id, product.product_id))
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return RIGHT
        if role == Qt.ItemDataRole.FontRole:
            return self._italic if product.variable_weight else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if self.is_pending(member.member_id, product.product_id):
                return PENDING_COLOUR
            return None if self._editable else READ_ONLY_COLOUR
        if role == Qt.ItemDataRole.ToolTipRole:
            value = self.quantity(member.member_id, product.product_id)
            text = _("{member} — {product} : {quantity}").format(
                member=member.name, product=product.name,
                quantity=quantity_text(value, product.unit) if value else _("rien"))
            if product.variable_weight and value:
                text += " " + _("(estimation, pesé à la distribution)")
            return text
        if role == MEMBER_ID_ROLE:
            return member.member_id
        if role == PRODUCT_ID_ROLE:
            return product.product_id
        if role == QUANTITY_ROLE:
            value = self.quantity(member.member_id, product.product_id)
            return value if value else None
        return None

    def _member_tooltip(self, member: GridMember, column: int) -> str:
        parts = [member.name]
        if member.co_member_name:
            parts.append(_("avec {name}").format(name=member.co_member_name))
        if member.absent:
            parts.append(_("absent"))
        if column == AMOUNT_COLUMN:
            parts.append(_("montant de la commande, paniers d'abonnement compris"))
        elif self._row_numbers.get(member.member_id) is None:
            parts.append(_("pas encore de commande : le numéro de ligne vient avec la "
                           "première quantité"))
        return " — ".join(parts)

    def _summary_data(self, row: int, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.BackgroundRole:
            return SUMMARY_BACKGROUND
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return LEFT if column == NAME_COLUMN else RIGHT
        product = self.product_at(column)
        if role == PRODUCT_ID_ROLE:
            return None if product is None else product.product_id
        if role == Qt.ItemDataRole.ForegroundRole:
            if product is not None and row == REMAINING_ROW:
                left = self.remaining(product.product_id)
                return ALERT_COLOUR if left is not None and left <= 0 else None
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == NAME_COLUMN:
                return _(SUMMARY_LABELS[row])
            if column == AMOUNT_COLUMN:
                return money_text(self._grand_total) if row == TOTAL_ROW else ""
            if product is None:
                return ""
            return self._summary_text(row, product)
        if role == Qt.ItemDataRole.ToolTipRole:
            if product is None:
                return (_("Montant de toutes les commandes du point")
                        if row == TOTAL_ROW and column == AMOUNT_COLUMN else None)
            return self._summary_tooltip(row, product)
        return None

    def _summary_text(self, row: int, product: GridProduct) -> str:
        if row == TOTAL_ROW:
            total = self.point_total(product.product_id)
            return self._text(total) if total else ""
        if row == REMAINING_ROW:
            left = self.remaining(product.product_id)
            return "" if left is None else self._text(left)
        missing = self.case_missing(product.product_id)
        return self._text(missing) if missing else ""

    def _summary_tooltip(self, row: int, product: GridProduct) -> str:
        pid = product.product_id
        if row == TOTAL_ROW:
            return _("{product} : {point} à ce point, {all} dans toute la distribution").format(
                product=product.name, point=quantity_text(self.point_total(pid), product.unit),
                all=quantity_text(self.product_total(pid), product.unit))
        if row == REMAINING_ROW:
            if product.cap is None:
                return _("{product} : pas de plafond").format(product=product.name)
            left = self.remaining(pid) or ZERO
            return _("{product} : plafond de {cap} pour toute la distribution, il reste "
                     "{left}").format(product=product.name,
                                      cap=quantity_text(product.cap, product.unit),
                                      left=quantity_text(max(left, ZERO), product.unit))
        if product.case_pack is None:
            return _("{product} : pas vendu au colis").format(product=product.name)
        missing = self.case_missing(pid) or ZERO
        if not missing:
            return _("{product} : colis de {pack}, aucun colis entamé").format(
                product=product.name, pack=number_text(product.case_pack))
        return ngettext("{n} manque pour compléter le colis de {pack}",
                        "{n} manquent pour compléter le colis de {pack}",
                        1 if missing < 2 else 2).format(
            n=number_text(missing), pack=number_text(product.case_pack))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        product = self.product_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if product is not None:
                return self._headers[section - FIRST_PRODUCT_COLUMN]
            return {NUMBER_COLUMN: _("N°"), NAME_COLUMN: _("Foyer"),
                    AMOUNT_COLUMN: _("Total")}.get(section)
        if role == Qt.ItemDataRole.FontRole:
            return self._italic if product is not None and product.variable_weight else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section == NAME_COLUMN:
                return Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
            return Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom
        if role == Qt.ItemDataRole.ToolTipRole:
            if product is None:
                return (_("Numéro de ligne sur la feuille d'émargement")
                        if section == NUMBER_COLUMN else None)
            return self._product_tooltip(product)
        if role == PRODUCT_ID_ROLE:
            return None if product is None else product.product_id
        return None

    def _product_tooltip(self, product: GridProduct) -> str:
        lines = [product.name, product.producer,
                 _("{price} le {unit}").format(price=money_text(product.member_price),
                                               unit=product.unit.label)]
        if product.variable_weight:
            lines.append(_("Poids variable : la quantité saisie est une estimation, le poids "
                           "réel est saisi après la distribution."))
        if product.cap is not None:
            lines.append(_("Plafond : {cap} pour toute la distribution").format(
                cap=quantity_text(product.cap, product.unit)))
        if product.case_pack is not None:
            lines.append(_("Colis de {pack} ({rule})").format(
                pack=number_text(product.case_pack), rule=product.case_rule.label.lower()))
        return "\n".join(lines)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid():
            return False
        member = self.member_at(index.row())
        product = self.product_at(index.column())
        if member is None or product is None:
            return False
        if not self._editable:
            self.edit_refused.emit(_("Cette grille est en lecture seule."))
            return False
        try:
            new = value if isinstance(value, Decimal) else parse_quantity(str(value or ""))
        except ValueError as error:
            self.edit_refused.emit(str(error))
            return False
        edit = self.request(member.member_id, product.product_id, new)
        if edit is None:
            return False
        self.edit_requested.emit(edit)
        return True


class HouseholdFilter(WordFilter):
    """Keeps the households whose name (or co-member, or row number) holds every word typed;
    the summary rows always stay. Rows keep the service's alphabetical order."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._grid: GridModel | None = None
        self.setDynamicSortFilter(False)

    def setSourceModel(self, model: Any) -> None:
        self._grid = model if isinstance(model, GridModel) else None
        super().setSourceModel(model)

    def row_search_text(self, source_row: int) -> str | None:
        if self._grid is None or source_row < SUMMARY_ROWS:
            return None
        return self._grid.search_text(source_row)

    def households_shown(self) -> int:
        return max(0, self.rowCount() - SUMMARY_ROWS) if self.rowCount() else 0
