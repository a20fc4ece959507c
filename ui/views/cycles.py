"""Distributions and Commandes.

« Distributions » lists the cycles (`list_cycles`) with what a coordinator does
to them: create or change one, move it through its states (open the orders,
close, mark distributed, reopen with a reason), and, for the one selected, its
offer (caps editable, case packs), the subscription baskets due (absence,
postponement), the week's basket contents, the shortfall report and the
history.

« Commandes » is the order grid (`ui.views.orders`) and the keying of what was
delivered (`ui.views.delivery`), one tab each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.i18n import _, format_datetime
from coopfood.services.audit import AuditRow
from coopfood.services.baskets import BasketItem
from coopfood.services.cycles import (
    EDITABLE_STATES,
    CopyResult,
    CycleDetail,
    OfferRow,
    ShortfallLine,
    ShortfallProduct,
    TransitionResult,
    copy_offer_from_previous,
    get_cycle,
    list_cycle_history,
    remove_offer,
    set_offer,
    shortfall_report,
    transition,
)
from coopfood.services.lists import CycleRow, list_cycles
from coopfood.services.subscriptions import (
    BasketWeek,
    DueBasket,
    SkipRow,
    basket_composition_for,
    declare_absence,
    due_baskets,
    postpone_basket,
)
from ui.dialogs import messages
from ui.dialogs.fields import ValueCombo
from ui.display import MISSING, counted, date_text, for_screen, money_text, number_text
from ui.grid_model import input_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import (
    ListActions,
    ListPage,
    fit_columns,
    make_table_view,
    saved_id,
    title_label,
)
from ui.views.orders import MessageLine, QuantityEditor
from ui.worker import run_task

Index = QModelIndex | QPersistentModelIndex


def count_cycles(n: int) -> str:
    return counted("{n} distribution", "{n} distributions", n)


def points_text(row: CycleRow) -> str:
    return ", ".join(row.points) or MISSING


def deadline_text(row: CycleRow) -> str:
    if row.order_deadline is None:
        return MISSING
    return for_screen(format_datetime(row.order_deadline))


def date_column() -> Column[CycleRow]:
    return Column(_("Date"), lambda r: date_text(r.date), sort_key=lambda r: r.date,
                  tooltip=lambda r: " — ".join(t for t in (date_text(r.date, style="full"), r.name)
                                                if t))


def orders_column() -> Column[CycleRow]:
    return Column(_("Commandes"), lambda r: number_text(r.order_count),
                  sort_key=lambda r: r.order_count, align=Align.RIGHT)


def amount_column() -> Column[CycleRow]:
    return Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
                  align=Align.RIGHT,
                  header_tooltip=_("Ce que paient les adhérents : quantités livrées si elles "
                                   "sont saisies, commandées sinon"))


def state_column() -> Column[CycleRow]:
    return Column(_("État"), lambda r: r.state.label)


def points_column() -> Column[CycleRow]:
    return Column(_("Points de distribution"), points_text, elide=True)


def deadline_column() -> Column[CycleRow]:
    return Column(_("Fin des commandes"), deadline_text, sort_key=lambda r: r.order_deadline)


def _load(context: PageContext) -> list[CycleRow]:
    return list_cycles(db=context.db, actor=context.actor)


# --- small tables of the detail panel ----------------------------------------------------------


class Refit(QObject):
    """Fits a small table's columns to its rows and its width whenever either changes
    (a splitter moved, a tab shown): a detail table is laid out long after it is built."""

    def __init__(self, table: QTableView, model: RowTableModel[Any]) -> None:
        super().__init__(table)
        self._table = table
        self._model = model
        table.installEventFilter(self)
        model.modelReset.connect(self.fit)

    def fit(self) -> None:
        if self._model.rowCount() and self._table.isVisible():
            fit_columns(self._table, self._model.columns())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Resize):
            self.fit()
        return False


def small_table(model: RowTableModel[Any], parent: QWidget | None = None) -> QTableView:
    """A read-only table over `model`, through a proxy that keeps the service's order."""
    proxy = SearchProxyModel(parent)
    proxy.setSourceModel(model)
    table = make_table_view(proxy, parent)
    Refit(table, model)
    return table


def refit(table: QTableView, model: RowTableModel[Any]) -> None:
    """Fit the columns to the rows just shown."""
    if model.rowCount() and table.isVisible():
        fit_columns(table, model.columns())


class OfferModel(RowTableModel[OfferRow]):
    """The offer; the cap column is typed into while the distribution may change."""

    CAP = 4

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(offer_columns(), parent)
        self.editable = False
        self.cap_edited: Callable[[OfferRow, str], None] | None = None

    def flags(self, index: Index) -> Qt.ItemFlag:
        flags = super().flags(index)
        if self.editable and index.isValid() and index.column() == self.CAP:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.EditRole and index.isValid():
            return input_text(self.row(index.row()).cap) if index.column() == self.CAP else None
        return super().data(index, role)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != self.CAP:
            return False
        row = self.row(index.row())
        text = str(value or "").strip()
        if text == input_text(row.cap):
            return False
        if self.cap_edited is not None:
            self.cap_edited(row, text)
        return True


def case_text(row: OfferRow) -> str:
    if row.case_pack is None:
        return ""
    return row.case_status or _("colis de {pack}").format(pack=number_text(row.case_pack))


def offer_columns() -> list[Column[OfferRow]]:
    return [
        Column(_("Produit"), lambda r: r.product, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Unité"), lambda r: r.unit.label),
        Column(_("Prix adhérent"), lambda r: money_text(r.member_price),
               sort_key=lambda r: r.member_price, align=Align.RIGHT),
        Column(_("Plafond"), lambda r: number_text(r.cap) if r.cap is not None else "",
               sort_key=lambda r: r.cap, align=Align.RIGHT,
               header_tooltip=_("Quantité maximale pour toute la distribution ; vide : pas de "
                                "plafond. Double-clic ou tapez un nombre pour le changer.")),
        Column(_("Commandé"), lambda r: number_text(r.ordered), sort_key=lambda r: r.ordered,
               align=Align.RIGHT),
        Column(_("Reste"), lambda r: number_text(r.remaining) if r.remaining is not None
               else "", sort_key=lambda r: r.remaining, align=Align.RIGHT),
        Column(_("Colis"), case_text, elide=True, tooltip=lambda r: " — ".join(
            t for t in (case_text(r), r.case_rule.label) if t) if r.case_pack is not None
            else ""),
    ]


def due_columns(points: Callable[[int], str]) -> list[Column[DueBasket]]:
    return [
        Column(_("Foyer"), lambda r: r.member, elide=True),
        Column(_("Panier"), lambda r: r.basket_type, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Point"), lambda r: points(r.point_id), elide=True),
        Column(_("Quantité"), lambda r: number_text(r.quantity), sort_key=lambda r: r.quantity,
               align=Align.RIGHT),
        Column(_("Partagé avec"), lambda r: r.shared_with, elide=True),
        Column(_("Reporté du"), lambda r: ", ".join(date_text(d, style="short")
                                                   for d in r.postponed_from)),
    ]


def item_text(item: BasketItem) -> str:
    """« Carottes (1 kg) », « Radis (1 botte) », or just « Salade »."""
    amount = " ".join(t for t in (number_text(item.quantity) if item.quantity is not None
                                  else "", item.unit.label if item.unit is not None else "")
                      if t)
    return f"{item.label} ({amount})" if amount else item.label


def composition_text(week: BasketWeek) -> str:
    if not week.items:
        return _("contenu de la semaine pas encore saisi")
    return ", ".join(item_text(item) for item in week.items)


def composition_columns() -> list[Column[BasketWeek]]:
    return [
        Column(_("Panier"), lambda r: r.name, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Nombre"), lambda r: number_text(r.baskets), sort_key=lambda r: r.baskets,
               align=Align.RIGHT),
        Column(_("Contenu de la semaine"), composition_text, elide=True),
    ]


def shortfall_columns() -> list[Column[ShortfallProduct]]:
    return [
        Column(_("Produit"), lambda r: r.product, elide=True),
        Column(_("Producteur"), lambda r: r.producer, elide=True),
        Column(_("Commandé"), lambda r: number_text(r.ordered), align=Align.RIGHT),
        Column(_("Commandé au producteur"), lambda r: number_text(r.to_order)
               if r.to_order is not None else MISSING, align=Align.RIGHT),
        Column(_("Réparti"), lambda r: number_text(r.allocated), align=Align.RIGHT),
        Column(_("Résumé"), lambda r: r.summary, elide=True),
    ]


def shortfall_line_columns() -> list[Column[ShortfallLine]]:
    return [
        Column(_("Foyer"), lambda r: r.member, elide=True),
        Column(_("Point"), lambda r: r.point, elide=True),
        Column(_("N°"), lambda r: str(r.row_number) if r.row_number else "",
               sort_key=lambda r: r.row_number, align=Align.RIGHT),
        Column(_("Commandé"), lambda r: number_text(r.ordered), align=Align.RIGHT),
        Column(_("Attribué"), lambda r: number_text(r.allocated), align=Align.RIGHT),
        Column(_("Commandé le"), lambda r: for_screen(format_datetime(r.ordered_at)),
               sort_key=lambda r: r.ordered_at),
    ]


def history_columns() -> list[Column[AuditRow]]:
    return [
        Column(_("Quand"), lambda r: for_screen(format_datetime(r.at)), sort_key=lambda r: r.at),
        Column(_("Par"), lambda r: r.actor_name),
        Column(_("Ce qui s'est passé"), lambda r: r.summary, elide=True),
    ]


def _button(text: str, slot: Callable[[], None], tooltip: str = "") -> QPushButton:
    button = QPushButton(text)
    if tooltip:
        button.setToolTip(tooltip)
    button.clicked.connect(slot)
    return button


# --- the detail of the selected distribution ---------------------------------------------------


class CycleDetailPanel(QWidget):
    """The selected distribution: its offer, baskets, shortfalls and history, a tab each.

    Only the tab shown is read from the database; the others when they are shown.
    `changed` is called after a write, so the page can refresh its list.
    """

    OFFER, BASKETS, SHORTFALLS, HISTORY = range(4)

    def __init__(self, context: PageContext, changed: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._changed = changed
        self.cycle: CycleDetail | None = None
        self._cycle_id: int | None = None
        self._stale: set[int] = set()

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.message = MessageLine()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._offer_tab(), _("Offre"))
        self.tabs.addTab(self._baskets_tab(), _("Paniers d'abonnement"))
        self.tabs.addTab(self._shortfall_tab(), _("Répartitions"))
        self.tabs.addTab(self._history_tab(), _("Historique"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.facts)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        self.tabs.currentChanged.connect(self._load_tab)
        self.show_cycle(None)

    # --- tabs ----------------------------------------------------------------------------------

    def _offer_tab(self) -> QWidget:
        tab = QWidget()
        self.add_products_button = _button(_("Ajouter des produits…"), self.add_products)
        self.remove_button = _button(_("Retirer de l'offre"), self.remove_selected,
                                     _("Seulement un produit que personne n'a commandé"))
        self.copy_button = _button(
            _("Reprendre l'offre de la semaine précédente"), self.copy_previous,
            _("Ajoute les produits et plafonds de la précédente distribution à ces points"))
        bar = QHBoxLayout()
        for button in (self.add_products_button, self.remove_button, self.copy_button):
            bar.addWidget(button)
        bar.addStretch(1)
        self.offer_count = QLabel()
        bar.addWidget(self.offer_count)
        self.offer_model = OfferModel(self)
        self.offer_model.cap_edited = self.set_cap
        self.offer_table = small_table(self.offer_model, self)
        self.offer_table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                         | QAbstractItemView.EditTrigger.EditKeyPressed
                                         | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.offer_table.setAccessibleName(_("Offre de la distribution"))
        # "10", "2,5"; Enter writes at once, as in the order grid.
        self.offer_table.setItemDelegateForColumn(OfferModel.CAP,
                                                  QuantityEditor(self.offer_table))
        layout = QVBoxLayout(tab)
        layout.addLayout(bar)
        layout.addWidget(self.offer_table, 1)
        return tab

    def _baskets_tab(self) -> QWidget:
        tab = QWidget()
        self.due_model: RowTableModel[DueBasket] = RowTableModel(
            due_columns(self._point_name), self)
        self.due_table = small_table(self.due_model, self)
        self.due_table.setAccessibleName(_("Paniers dus"))
        self.absence_button = _button(_("Absence (joker)"), self.declare_absence,
                                      _("Le foyer ne prendra pas ce panier : il utilise un de "
                                        "ses jokers"))
        self.postpone_target: ValueCombo[int] = ValueCombo()
        self.postpone_target.setMinimumContentsLength(24)
        self.postpone_target.setPlaceholderText(_("aucune distribution plus tard à ce point"))
        self.postpone_button = _button(_("Reporter"), self.postpone,
                                       _("Le panier est donné à la distribution choisie, en "
                                         "plus de celui qui y est prévu"))
        self.due_count = QLabel()
        bar = QHBoxLayout()
        bar.addWidget(self.absence_button)
        bar.addSpacing(12)
        bar.addWidget(QLabel(_("Reporter au :")))
        bar.addWidget(self.postpone_target)
        bar.addWidget(self.postpone_button)
        bar.addStretch(1)
        bar.addWidget(self.due_count)
        self.composition_model: RowTableModel[BasketWeek] = RowTableModel(
            composition_columns(), self)
        self.composition_table = small_table(self.composition_model, self)
        self.composition_table.setAccessibleName(_("Contenu des paniers de la semaine"))
        splitter = QSplitter(Qt.Orientation.Vertical)
        upper = QWidget()
        upper_layout = QVBoxLayout(upper)
        upper_layout.setContentsMargins(0, 0, 0, 0)
        upper_layout.addLayout(bar)
        upper_layout.addWidget(self.due_table, 1)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(QLabel(_("Contenu des paniers de la semaine")))
        lower_layout.addWidget(self.composition_table, 1)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(tab)
        layout.addWidget(splitter)
        self.due_table.selectionModel().selectionChanged.connect(self._update_basket_actions)
        return tab

    def _shortfall_tab(self) -> QWidget:
        tab = QWidget()
        self.shortfall_note = QLabel()
        self.shortfall_note.setWordWrap(True)
        self.shortfall_model: RowTableModel[ShortfallProduct] = RowTableModel(
            shortfall_columns(), self)
        self.shortfall_table = small_table(self.shortfall_model, self)
        self.shortfall_table.setAccessibleName(_("Produits répartis"))
        self.shortfall_lines_model: RowTableModel[ShortfallLine] = RowTableModel(
            shortfall_line_columns(), self)
        self.shortfall_lines = small_table(self.shortfall_lines_model, self)
        self.shortfall_lines.setAccessibleName(_("Qui reçoit quoi"))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.shortfall_table)
        splitter.addWidget(self.shortfall_lines)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.shortfall_note)
        layout.addWidget(splitter, 1)
        self.shortfall_table.selectionModel().selectionChanged.connect(self._show_shortfall_lines)
        return tab

    def _history_tab(self) -> QWidget:
        tab = QWidget()
        self.history_model: RowTableModel[AuditRow] = RowTableModel(history_columns(), self)
        self.history_table = small_table(self.history_model, self)
        self.history_table.setAccessibleName(_("Historique de la distribution"))
        self.history_empty = QLabel(_("Rien n'a encore été enregistré pour cette distribution "
                                      "(créations, changements d'état, réouvertures, colis)."))
        self.history_empty.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addWidget(self.history_empty)
        layout.addWidget(self.history_table)
        return tab

    # --- showing -------------------------------------------------------------------------------

    def show_cycle(self, cycle_id: int | None) -> None:
        """Show this distribution (None: none chosen), reading it again."""
        self._cycle_id = cycle_id
        self._stale = {self.OFFER, self.BASKETS, self.SHORTFALLS, self.HISTORY}
        if cycle_id is None:
            self.cycle = None
            self.heading.setText(_("Choisissez une distribution dans la liste."))
            self.facts.setText("")
            for model in (self.offer_model, self.due_model, self.composition_model,
                          self.shortfall_model, self.shortfall_lines_model, self.history_model):
                model.set_rows([])
            self.tabs.setEnabled(False)
            self._update_actions()
            return
        self.tabs.setEnabled(True)
        self.cycle = get_cycle(db=self._context.db, actor=self._context.actor,
                               cycle_id=cycle_id)
        self._show_heading(self.cycle)
        self._load_tab(self.tabs.currentIndex())

    def refresh(self) -> None:
        self.show_cycle(self._cycle_id)

    def _show_heading(self, cycle: CycleDetail) -> None:
        heading = f"{cycle.label} — {cycle.state.label}"
        # A name that only repeats the date (« Distribution du jeudi 3 décembre ») adds nothing.
        if cycle.name and not cycle.name.endswith(date_text(cycle.date, style="full")):
            heading = f"{cycle.name} · {heading}"
        self.heading.setText(heading)
        deadline = (for_screen(format_datetime(cycle.order_deadline))
                    if cycle.order_deadline else _("pas de date limite"))
        self.facts.setText(" · ".join((
            _("Points : {points}").format(points=", ".join(p.name for p in cycle.points)
                                          or MISSING),
            _("Fin des commandes : {deadline}").format(deadline=deadline),
            _("Répartition des manques : {rule}").format(rule=cycle.shortfall_rule.label),
            counted("{n} commande", "{n} commandes", cycle.order_count),
            _("{n} paniers d'abonnement").format(n=number_text(cycle.subscription_baskets)),
        )))

    def _load_tab(self, tab: int) -> None:
        if self._cycle_id is None or self.cycle is None or tab not in self._stale:
            return
        self._stale.discard(tab)
        db, actor, cycle_id = self._context.db, self._context.actor, self._cycle_id
        if tab == self.OFFER:
            self._show_offer(self.cycle)
        elif tab == self.BASKETS:
            self.due_model.set_rows(due_baskets(db=db, actor=actor, cycle_id=cycle_id))
            self.composition_model.set_rows(
                basket_composition_for(db=db, actor=actor, cycle_id=cycle_id))
            self.due_count.setText(counted("{n} panier dû", "{n} paniers dus",
                                           self.due_model.rowCount()))
            self._fill_postpone_targets()
            refit(self.due_table, self.due_model)
            refit(self.composition_table, self.composition_model)
        elif tab == self.SHORTFALLS:
            report = shortfall_report(db=db, actor=actor, cycle_id=cycle_id)
            self.shortfall_model.set_rows(report)
            self.shortfall_lines_model.set_rows([])
            self.shortfall_note.setText(self._shortfall_note(self.cycle, report))
            if report:
                self.shortfall_table.selectRow(0)
            refit(self.shortfall_table, self.shortfall_model)
        else:
            self.history_model.set_rows(list_cycle_history(db=db, actor=actor,
                                                           cycle_id=cycle_id))
            self.history_empty.setVisible(self.history_model.rowCount() == 0)
            refit(self.history_table, self.history_model)
        self._update_actions()

    def _show_offer(self, cycle: CycleDetail) -> None:
        self.offer_model.editable = cycle.state in EDITABLE_STATES
        self.offer_model.set_rows(cycle.offers)
        self.offer_count.setText(counted("{n} produit proposé", "{n} produits proposés",
                                         len(cycle.offers)))
        refit(self.offer_table, self.offer_model)

    @staticmethod
    def _shortfall_note(cycle: CycleDetail, report: Sequence[ShortfallProduct]) -> str:
        rule = cycle.shortfall_rule.label.lower()
        if cycle.state in EDITABLE_STATES:
            head = _("Prévision : ce que la clôture ferait maintenant (règle : {rule}).").format(
                rule=rule)
        else:
            head = _("Répartition faite à la clôture (règle : {rule}).").format(rule=rule)
        if not report:
            return head + " " + _("Aucun manque : chaque foyer reçoit ce qu'il a commandé.")
        return head + " " + counted("{n} produit concerné ; choisissez-le pour voir qui "
                                    "reçoit quoi.",
                                    "{n} produits concernés ; choisissez-en un pour voir qui "
                                    "reçoit quoi.", len(report))

    def _show_shortfall_lines(self, *_args: Any) -> None:
        rows = self.shortfall_table.selectionModel().selectedRows()
        if not rows:
            self.shortfall_lines_model.set_rows([])
            return
        proxy = self.shortfall_table.model()
        assert isinstance(proxy, SearchProxyModel)
        product: ShortfallProduct = proxy.row_at(rows[0].row())
        self.shortfall_lines_model.set_rows(product.lines)
        refit(self.shortfall_lines, self.shortfall_lines_model)

    def _point_name(self, point_id: int) -> str:
        if self.cycle is not None:
            for point in self.cycle.points:
                if point.id == point_id:
                    return point.name
        return str(point_id)

    def _editable(self) -> bool:
        return self.cycle is not None and self.cycle.state in EDITABLE_STATES

    def _update_actions(self) -> None:
        editable = self._editable()
        for button in (self.add_products_button, self.remove_button, self.copy_button):
            button.setEnabled(editable)
        self._update_basket_actions()

    def _update_basket_actions(self, *_args: Any) -> None:
        chosen = self.selected_basket() is not None and self._editable()
        self.absence_button.setEnabled(chosen)
        self._fill_postpone_targets()
        self.postpone_button.setEnabled(chosen and self.postpone_target.count() > 0)
        self.postpone_target.setEnabled(chosen)

    def selected_basket(self) -> DueBasket | None:
        rows = self.due_table.selectionModel().selectedRows()
        if not rows:
            return None
        proxy = self.due_table.model()
        assert isinstance(proxy, SearchProxyModel)
        basket: DueBasket = proxy.row_at(rows[0].row())
        return basket

    def _fill_postpone_targets(self) -> None:
        """Later distributions of the basket's point that still take baskets."""
        cycle, basket = self.cycle, self.selected_basket()
        if cycle is None or basket is None:
            self.postpone_target.set_items([])
            return
        later = sorted((row for row in list_cycles(db=self._context.db,
                                                   actor=self._context.actor)
                        if row.date > cycle.date and row.state in EDITABLE_STATES
                        and basket.point_id in row.point_ids), key=lambda row: row.date)
        self.postpone_target.set_items(
            (date_text(row.date, style="full"), row.id) for row in later)

    # --- writing -------------------------------------------------------------------------------

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """A write off the GUI thread; a refusal shows in the message line."""
        run_task(self, lambda _progress: work(), on_success=done,
                 on_failure=self.message.failure, progress_delay_ms=None, cancellable=False)

    def _written(self, text: str) -> None:
        self.message.say(text)
        self._changed()

    def add_products(self) -> None:
        cycle = self.cycle
        if cycle is None:
            return
        from ui.dialogs.cycle_offer import ask_products

        result = ask_products(self, self._context, cycle_id=cycle.id, date=cycle.date,
                              offered={o.product_id for o in cycle.offers})
        if result is not None:
            if result.refused:
                self.message.refuse(result.summary())
                self._changed()
            else:
                self._written(result.summary())

    def selected_offer(self) -> OfferRow | None:
        rows = self.offer_table.selectionModel().selectedRows()
        if not rows:
            return None
        proxy = self.offer_table.model()
        assert isinstance(proxy, SearchProxyModel)
        offer: OfferRow = proxy.row_at(rows[0].row())
        return offer

    def remove_selected(self) -> None:
        offer, cycle = self.selected_offer(), self.cycle
        if offer is None or cycle is None:
            self.message.refuse(_("Choisissez d'abord le produit à retirer dans l'offre."))
            return
        db, actor = self._context.db, self._context.actor
        self._run(lambda: remove_offer(db=db, actor=actor, cycle_id=cycle.id,
                                       product_id=offer.product_id),
                  lambda _none: self._written(_("« {name} » est retiré de l'offre.").format(
                      name=offer.product)))

    def copy_previous(self) -> None:
        cycle = self.cycle
        if cycle is None:
            return
        db, actor = self._context.db, self._context.actor
        self._run(lambda: copy_offer_from_previous(db=db, actor=actor, cycle_id=cycle.id),
                  lambda result: self._written(self._copy_summary(result)))

    @staticmethod
    def _copy_summary(result: CopyResult) -> str:
        text = _("Offre du {date} reprise : {added}.").format(
            date=date_text(result.source_date, style="full"),
            added=counted("{n} produit ajouté", "{n} produits ajoutés", len(result.added)))
        if result.skipped:
            text += " " + _("Laissés de côté : {names}.").format(names=" ; ".join(result.skipped))
        return text

    def set_cap(self, offer: OfferRow, text: str) -> None:
        cycle = self.cycle
        if cycle is None:
            return
        db, actor = self._context.db, self._context.actor
        cap = text or None

        def done(row: OfferRow) -> None:
            self._written(_("{name} : plafond {cap}.").format(
                name=row.product, cap=number_text(row.cap) if row.cap is not None
                else _("retiré")))

        self._run(lambda: set_offer(db=db, actor=actor, cycle_id=cycle.id,
                                    product_id=offer.product_id, cap=cap), done)

    def declare_absence(self) -> None:
        basket, cycle = self.selected_basket(), self.cycle
        if basket is None or cycle is None:
            return
        db, actor = self._context.db, self._context.actor

        def done(_skip: SkipRow) -> None:
            self._written(_("Absence enregistrée : {member} ne prendra pas « {basket} » le "
                            "{date}.").format(member=basket.member, basket=basket.basket_type,
                                              date=date_text(cycle.date, style="full")))

        self._run(lambda: declare_absence(db=db, actor=actor, contract_id=basket.contract_id,
                                          cycle_id=cycle.id, member_id=basket.member_id), done)

    def postpone(self) -> None:
        basket, cycle, target = self.selected_basket(), self.cycle, self.postpone_target.value()
        if basket is None or cycle is None or target is None:
            return
        db, actor = self._context.db, self._context.actor

        def done(skip: SkipRow) -> None:
            day = skip.postponed_to_date
            self._written(_("Panier « {basket} » de {member} reporté au {date}.").format(
                basket=basket.basket_type, member=basket.member,
                date=date_text(day, style="full") if day else MISSING))

        self._run(lambda: postpone_basket(db=db, actor=actor, contract_id=basket.contract_id,
                                          cycle_id=cycle.id, to_cycle_id=target,
                                          member_id=basket.member_id), done)


# --- the page ---------------------------------------------------------------------------------


class DistributionsPage(ListPage[CycleRow]):
    """The distributions, what can be done to them, and the one selected in detail."""

    #: False while ListPage builds itself (and loads the rows a first time).
    _ready = False

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(
            title=_("Distributions"),
            columns=[date_column(), points_column(), state_column(), deadline_column(),
                     orders_column(), amount_column()],
            load=lambda: _load(context),
            count=count_cycles,
            actions=ListActions(
                new=lambda parent: saved_id(self._ask_new(parent)),
                edit=lambda parent, row: self._edit(parent, row),
                describe=lambda row: row.name,
            ),
            context=context,
            parent=parent,
        )
        self.context = context
        self.new_action.setText(_("Nouvelle distribution…"))
        self.new_action.setIconText(_("Nouvelle distribution…"))
        self.new_action.setToolTip(_("Nouvelle distribution (Ctrl+N)"))

        self.open_button = _button(_("Ouvrir les commandes"),
                                   lambda: self.change_state(CycleState.OPEN),
                                   _("Les adhérents peuvent commander ; les paniers "
                                     "d'abonnement sont générés"))
        self.close_button = _button(_("Clôturer"), lambda: self.change_state(CycleState.CLOSED),
                                    _("Les commandes ne changent plus ; les colis sont "
                                      "complétés ou coupés"))
        self.distribute_button = _button(
            _("Marquer distribuée"), lambda: self.change_state(CycleState.DISTRIBUTED),
            _("La distribution a eu lieu : les quantités livrées se saisissent ensuite"))
        self.reopen_button = _button(_("Rouvrir…"), self.reopen,
                                     _("Rouvrir une distribution clôturée (un motif est "
                                       "demandé)"))
        self.state_buttons = {CycleState.DRAFT: self.open_button,
                              CycleState.OPEN: self.close_button,
                              CycleState.CLOSED: self.distribute_button}
        states = QHBoxLayout()
        states.addWidget(QLabel(_("État :")))
        for button in (self.open_button, self.close_button, self.distribute_button,
                       self.reopen_button):
            states.addWidget(button)
        states.addStretch(1)
        self.message = MessageLine()
        self.detail = CycleDetailPanel(context, changed=self._detail_changed)

        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.removeWidget(self.table)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        position = layout.indexOf(self.toolbar) + 1 if self.toolbar is not None else 1
        layout.insertLayout(position, states)
        layout.insertWidget(position + 1, self.message)
        layout.addWidget(splitter, 1)
        self._split_once = False
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._ready = True
        if not self.table.selectionModel().selectedRows() and self.proxy.rowCount():
            self.table.selectRow(0)
        self._on_selection()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._split_once:  # the list gets two fifths of the height, the detail the rest
            self._split_once = True
            total = max(self.splitter.height(), 500)
            self.splitter.setSizes([total * 2 // 5, total - total * 2 // 5])

    # --- selection -----------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        super().reload(select_id)
        if self._ready:
            self._on_selection()

    def _on_selection(self, *_args: Any) -> None:
        row = self.selected_row()
        self.detail.show_cycle(row.id if row is not None else None)
        self._update_state_buttons(row)

    def _update_state_buttons(self, row: CycleRow | None) -> None:
        state = row.state if row is not None else None
        for from_state, button in self.state_buttons.items():
            button.setEnabled(state is from_state)
        self.reopen_button.setEnabled(state is CycleState.CLOSED)

    def _detail_changed(self) -> None:
        row = self.selected_row()
        self.reload(select_id=row.id if row is not None else None)

    # --- actions -------------------------------------------------------------------------------

    def _ask_new(self, parent: QWidget) -> CycleDetail | None:
        from ui.dialogs.cycle_form import ask_cycle

        saved = ask_cycle(parent, self.context)
        if saved is not None:
            self.message.say(_("{cycle} créée (brouillon) : ajoutez des produits à son offre "
                               "ou reprenez celle de la semaine précédente, puis ouvrez les "
                               "commandes.").format(cycle=saved.label))
        return saved

    def _edit(self, parent: QWidget, row: CycleRow) -> int | None:
        if row.state not in EDITABLE_STATES:
            self.message.refuse(_("La distribution du {date} est {state} : elle ne se modifie "
                                  "plus.").format(date=date_text(row.date, style="full"),
                                                  state=row.state.label.lower()))
            return None
        from ui.dialogs.cycle_form import ask_cycle

        saved = ask_cycle(parent, self.context, row.id)
        if saved is not None:
            self.message.say(_("{cycle} enregistrée.").format(cycle=saved.label))
        return saved_id(saved)

    def change_state(self, to_state: CycleState) -> None:
        """Ask the service to move the selected distribution to `to_state`; say what it did
        or why it refused."""
        row = self.selected_row()
        if row is None:
            return
        if to_state is CycleState.DISTRIBUTED and not messages.confirm(
                self, title=_("Marquer distribuée"), action=_("Marquer distribuée"),
                text=_("La distribution du {date} a eu lieu ? Les quantités prévues deviennent "
                       "les quantités livrées (sauf les produits à peser) et elle ne pourra "
                       "plus être rouverte.").format(date=date_text(row.date, style="full"))):
            return
        db, actor = self.context.db, self.context.actor
        run_task(self, lambda _progress: transition(db=db, actor=actor, cycle_id=row.id,
                                                    to_state=to_state),
                 on_success=lambda result: self._transitioned(row.id, result),
                 on_failure=self.message.failure, progress_delay_ms=None, cancellable=False)

    def _transitioned(self, cycle_id: int, result: TransitionResult) -> None:
        self.message.say(result.summary)
        self.reload(select_id=cycle_id)
        if result.to_state is CycleState.CLOSED:
            self.detail.tabs.setCurrentIndex(CycleDetailPanel.SHORTFALLS)

    def reopen(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        from ui.dialogs.cycle_form import ask_reopen

        label = self.detail.cycle.label if self.detail.cycle is not None else row.name
        result = ask_reopen(self, self.context, cycle_id=row.id, label=label)
        if result is not None:
            self.message.say(f"{label} : {result.summary}")
            self.reload(select_id=row.id)


def build_distributions_page(context: PageContext) -> QWidget:
    return DistributionsPage(context)


class OrdersSection(QWidget):
    """« Commandes »: the order grid, and the keying of what was delivered."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from ui.views.delivery import DeliveryPage
        from ui.views.orders import OrderGridPage

        self.title = title_label(_("Commandes"))
        self.grid = OrderGridPage(context)
        self.delivery = DeliveryPage(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.grid, _("Grille de commande"))
        self.tabs.addTab(self.delivery, _("Saisie des livraisons"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)


def build_orders_page(context: PageContext) -> QWidget:
    return OrdersSection(context)


