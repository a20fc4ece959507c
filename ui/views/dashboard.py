"""Tableau de bord: what needs doing soon, and how the co-op is doing, at a glance.

Cards at the top — the next distribution, what is to close, what households owe,
the cheques of the month, the bank lines to match — each opening the section
concerned; then sales per producer and per week and the households' participation,
drawn by `ui.charts`; then the coming distributions and the places to fill.

Everything comes from one read (`coopfood.services.dashboard`), run on the
background queue when the page is built and each time it is shown again: the
window never waits for it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeyEvent, QMouseEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.i18n import _, format_date
from coopfood.services import PermissionDenied, ServiceError
from coopfood.services.dashboard import (
    SALES_WEEKS,
    BankFigures,
    ChequeFigures,
    Dashboard,
    DistributionFigures,
    ProducerSales,
    UnpaidBalances,
    WeekParticipation,
    WeekSales,
    dashboard,
)
from coopfood.services.lists import CycleRow
from coopfood.services.shifts import Gap
from ui.charts import Datum, HorizontalBarChart, PercentLineChart, WeeklyColumnChart
from ui.display import (
    MISSING,
    NBSP,
    counted,
    date_text,
    for_screen,
    money_text,
    number_text,
)
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label, title_label
from ui.worker import run_task

#: Bars drawn in « Ventes par producteur »; the others are added up in one last bar.
TOP_PRODUCERS = 10
#: Rows a table of the dashboard shows before it scrolls.
TABLE_ROWS = 8


@dataclass(frozen=True)
class OpenCycles:
    #: Open distributions still to come, soonest first.
    upcoming: list[CycleRow]
    #: Open distributions whose date has passed: their orders should be closed.
    to_close: list[CycleRow]


def split_open_cycles(rows: Sequence[CycleRow], today: dt.date) -> OpenCycles:
    open_rows = sorted((r for r in rows if r.state is CycleState.OPEN), key=lambda r: r.date)
    return OpenCycles(
        upcoming=[r for r in open_rows if r.date >= today],
        to_close=[r for r in open_rows if r.date < today],
    )


@dataclass(frozen=True)
class Loaded:
    """What the background read brings back."""

    figures: Dashboard
    #: None for a role that does not see the volunteers' places.
    gaps: list[Gap] | None


def load(context: PageContext) -> Loaded:
    """The dashboard's data (runs on the background queue: no widget here)."""
    from coopfood.services.shifts import gaps

    today = context.today()
    figures = dashboard(db=context.db, actor=context.actor, today=today)
    places: list[Gap] | None
    try:
        places = gaps(db=context.db, actor=context.actor, today=today, weeks=4)
    except PermissionDenied:  # a producer's account: the places are the co-op's business
        places = None
    return Loaded(figures=figures, gaps=places)


# --- the clickable tiles ------------------------------------------------------------------


class _Clickable(QFrame):
    """A framed tile that opens a section on a click, Entrée or Espace."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Drawn from the palette, so that the frame shows in high contrast too (a styled
        # panel's shading vanishes on black), with the keyboard focus marked.
        self.setObjectName("dashboardTile")
        self.setStyleSheet(
            "QFrame#dashboardTile { border: 1px solid palette(mid); border-radius: 4px; "
            "background: palette(base); } "
            "QFrame#dashboardTile:focus { border: 2px solid palette(highlight); }")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        inside = self.rect().contains(event.position().toPoint())
        if event.button() == Qt.MouseButton.LeftButton and inside:
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)


def _scaled_font_label(text: str, factor: float) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(True)
    label.setFont(font)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def _chart_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.setObjectName("chartTitle")
    return label


class FigureTile(_Clickable):
    """A number over what it counts; a click opens the section listing them."""

    def __init__(
        self, value: str, caption: str, tooltip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"{value} {caption}")
        self.setToolTip(tooltip)
        self.value = _scaled_font_label(value, 1.6)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

    def show_figure(self, value: str, caption: str) -> None:
        self.value.setText(value)
        self.caption.setText(caption)
        self.setAccessibleName(f"{value} {caption}")


class SummaryCard(_Clickable):
    """« Soldes impayés — 1 234,50 € — 12 foyers doivent de l'argent… »: a title, a big
    value, a few lines of detail; a click opens the section where it is dealt with."""

    def __init__(self, title: str, section: str, tooltip: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section = section
        self.setToolTip(tooltip)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.title = QLabel(title)
        self.title.setWordWrap(True)
        self.value = _scaled_font_label(MISSING, 1.8)
        self.value.setWordWrap(True)
        self._details = QVBoxLayout()
        self._details.setSpacing(2)
        self.detail_labels: list[QLabel] = []
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addLayout(self._details)
        layout.addStretch(1)
        self.setAccessibleName(title)

    def show_figures(self, value: str, details: Sequence[str]) -> None:
        self.value.setText(value)
        for label in self.detail_labels:
            self._details.removeWidget(label)
            label.deleteLater()
        self.detail_labels = []
        for text in details:
            label = QLabel(text)
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)  # names may hold « < » or « & »
            self._details.addWidget(label)
            self.detail_labels.append(label)
        self.setAccessibleName(f"{self.title.text()} : {value}")
        self.setAccessibleDescription(" ; ".join(details))

    def details(self) -> list[str]:
        return [label.text() for label in self.detail_labels]


class CardGrid(QWidget):
    """The cards in as many columns as the width allows (fewer with larger text), so
    that a figure is never cut."""

    def __init__(self, cards: Sequence[QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cards = list(cards)
        for card in self._cards:
            # A card without a parent counts as hidden until shown: adopt them first.
            card.setParent(self)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._columns = 0
        self.reflow()

    def card_width(self) -> int:
        # Wide enough for « 123 456,78 € » in the cards' large figures.
        return QFontMetrics(self.font()).horizontalAdvance("0") * 30

    def columns_for(self, width: int) -> int:
        """As many columns as fit, then as few as keep the same number of rows: five
        cards go 3 + 2 rather than 4 + 1."""
        shown = len([c for c in self._cards if not c.isHidden()]) or 1
        spacing = max(self._grid.horizontalSpacing(), 0)
        fitting = max(1, min(shown, (width + spacing) // (self.card_width() + spacing)))
        rows = math.ceil(shown / fitting)
        return math.ceil(shown / rows)

    def reflow(self) -> None:
        columns = self.columns_for(self.width() if self.width() > 0 else 1000)
        shown = [c for c in self._cards if not c.isHidden()]
        for card in self._cards:
            self._grid.removeWidget(card)
        for index, card in enumerate(shown):
            self._grid.addWidget(card, index // columns, index % columns)
        for column in range(max(self._columns, columns)):
            self._grid.setColumnStretch(column, 1 if column < columns else 0)
        self._columns = columns

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.columns_for(event.size().width()) != self._columns:
            self.reflow()


class DistributionTable(QWidget):
    """A short table of distributions, or a sentence when there are none."""

    def __init__(self, columns: Sequence[Column[DistributionFigures]], empty: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowTableModel[DistributionFigures] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table: QTableView = make_table_view(self.proxy, self)
        self.column_fitter = ColumnFitter(self.table, columns)
        self.empty = note_label(empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self.set_rows(())

    def set_rows(self, rows: Sequence[DistributionFigures]) -> None:
        self.model.set_rows(rows)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        header = self.table.horizontalHeader().sizeHint().height()
        row_height = self.table.verticalHeader().defaultSectionSize()
        self.table.setFixedHeight(header + min(len(rows), TABLE_ROWS) * row_height
                                  + 2 * self.table.frameWidth())


# --- texts --------------------------------------------------------------------------------


def day_text(day: dt.date) -> str:
    """« jeudi 3 décembre »."""
    return for_screen(format_date(day, style="EEEE d MMMM"))


def week_label(week: dt.date) -> str:
    """Under a column: « 7 sept. »."""
    return for_screen(format_date(week, style="d MMM"))


def week_text(week: dt.date) -> str:
    return _("Semaine du {date}").format(date=date_text(week))


def deadline_of(row: DistributionFigures) -> str:
    if row.order_deadline is None:
        return MISSING
    local = row.order_deadline.astimezone()
    return for_screen(_("{day} à {time}").format(day=day_text(local.date()),
                                                 time=f"{local:%H:%M}"))


def points_of(row: DistributionFigures) -> str:
    return ", ".join(row.points) if row.points else MISSING


def distribution_columns(*, with_deadline: bool) -> list[Column[DistributionFigures]]:
    columns: list[Column[DistributionFigures]] = [
        Column(_("Date"), lambda r: date_text(r.date), sort_key=lambda r: r.date,
               tooltip=lambda r: " — ".join(t for t in (date_text(r.date, style="full"), r.name)
                                           if t)),
        Column(_("Points de distribution"), points_of, elide=True),
    ]
    if with_deadline:
        columns.append(Column(_("Fin des commandes"), deadline_of,
                              sort_key=lambda r: r.order_deadline.timestamp()
                              if r.order_deadline is not None else None))
    columns += [
        Column(_("Commandes"), lambda r: number_text(r.order_count),
               sort_key=lambda r: r.order_count, align=Align.RIGHT),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT,
               header_tooltip=_("Ce que paient les adhérents : quantités livrées si elles sont "
                                "saisies, réparties à la clôture sinon, commandées avant")),
    ]
    if with_deadline:
        columns.append(Column(_("État"), lambda r: r.state.label))
    return columns


def next_distribution_card(rows: Sequence[DistributionFigures]) -> tuple[str, list[str]]:
    if not rows:
        return _("Aucune"), [_("Aucune distribution n'est prévue : créez la prochaine "
                               "dans « Distributions ».")]
    row = rows[0]
    details = [
        " · ".join((row.state.label,
                    counted("{n} commande", "{n} commandes", row.order_count),
                    money_text(row.amount))),
    ]
    if len(row.points) == 1:
        details.append(row.points[0])
    elif row.points:
        details.append(counted("{n} point de distribution", "{n} points de distribution",
                               len(row.points)))
    if row.order_deadline is not None and row.state is CycleState.OPEN:
        details.append(_("Fin des commandes : {when}").format(when=deadline_of(row)))
    return day_text(row.date), details


def to_close_card(figures: Dashboard) -> tuple[str, list[str]]:
    details = []
    if figures.to_close:
        details.append(_("Commandes encore ouvertes, date limite passée (la plus ancienne : "
                         "{date})").format(date=date_text(figures.to_close[0].date)))
    else:
        details.append(_("Aucune distribution à clôturer."))
    if figures.to_distribute:
        details.append(counted("{n} distribution passée à marquer distribuée",
                               "{n} distributions passées à marquer distribuées",
                               len(figures.to_distribute)))
    if figures.to_invoice:
        details.append(counted("{n} distribution à facturer", "{n} distributions à facturer",
                               len(figures.to_invoice)))
        details.append(_("La plus ancienne : {date}").format(
            date=date_text(figures.to_invoice[0].date)))
    return number_text(len(figures.to_close)), details


def balances_card(balances: UnpaidBalances) -> tuple[str, list[str]]:
    if not balances.households:
        return money_text(balances.total), [_("Aucun foyer ne doit d'argent.")]
    details = [counted("{n} foyer doit de l'argent", "{n} foyers doivent de l'argent",
                       balances.households)]
    details += [f"{debtor.name} — {money_text(debtor.balance)}" for debtor in balances.largest]
    return money_text(balances.total), details


def month_text(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return for_screen(format_date(dt.date(year, number, 1), style="MMMM yyyy"))


def cheques_card(cheques: ChequeFigures) -> tuple[str, list[str]]:
    details = [_("{amount} à encaisser en {month}").format(
        amount=money_text(cheques.to_cash_total), month=month_text(cheques.month))]
    if cheques.expiring:
        details.append(counted("{n} chèque perd sa validité dans les 30 jours",
                               "{n} chèques perdent leur validité dans les 30 jours",
                               len(cheques.expiring)))
        first = cheques.expiring[0]
        details.append(_("Le plus proche : {drawer} — {amount}, valable jusqu'au {date}").format(
            drawer=first.drawer or first.number or MISSING, amount=money_text(first.amount),
            date=date_text(first.expires_on)))
    if cheques.expired:
        details.append(counted("{n} chèque reçu est périmé (plus d'un an et 8 jours)",
                               "{n} chèques reçus sont périmés (plus d'un an et 8 jours)",
                               cheques.expired))
    return number_text(cheques.to_cash), details


def bank_card(bank: BankFigures) -> tuple[str, list[str]]:
    if not bank.lines:
        return number_text(0), [_("Toutes les lignes importées sont rapprochées.")]
    details = [
        _("Entrées : {credits} · Sorties : {debits}").format(
            credits=money_text(bank.credits), debits=money_text(bank.debits)),
    ]
    if bank.oldest is not None:
        details.append(_("La plus ancienne : {date}").format(date=date_text(bank.oldest)))
    return number_text(bank.lines), details


def top_producers(rows: Sequence[ProducerSales]) -> tuple[list[ProducerSales], str]:
    """The producers drawn (the largest sales), and a sentence for the others: their sum
    drawn as a bar would dwarf every other bar."""
    if len(rows) <= TOP_PRODUCERS + 1:
        return list(rows), ""
    rest = rows[TOP_PRODUCERS:]
    total = sum((r.amount for r in rest), Decimal(0))
    others = counted("Et {n} autre producteur", "Et {n} autres producteurs", len(rest))
    return list(rows[:TOP_PRODUCERS]), _("{others} : {amount} en tout").format(
        others=others, amount=money_text(total))


def producer_data(rows: Sequence[ProducerSales]) -> list[Datum]:
    return [Datum(label=r.name, value=r.amount, value_text=money_text(r.amount),
                  tooltip=_("{name} : {amount}").format(name=r.name,
                                                         amount=money_text(r.amount)))
            for r in rows]


def week_sales_data(rows: Sequence[WeekSales]) -> list[Datum]:
    return [Datum(label=week_label(r.week), value=r.amount, value_text=money_text(r.amount),
                  tooltip=_("{week} : {amount}").format(week=week_text(r.week),
                                                        amount=money_text(r.amount)))
            for r in rows]


def percent_text(value: Decimal) -> str:
    return number_text(value) + NBSP + "%"


def participation_data(rows: Sequence[WeekParticipation]) -> list[Datum]:
    return [Datum(label=week_label(r.week), value=r.percent, value_text=percent_text(r.percent),
                  tooltip=_("{week} : {percent} des foyers ont commandé ({ordering} sur "
                            "{active})").format(week=week_text(r.week),
                                                percent=percent_text(r.percent),
                                                ordering=number_text(r.ordering),
                                                active=number_text(r.active)))
            for r in rows]


# --- the page -----------------------------------------------------------------------------


class DashboardPage(QWidget):
    #: The figures arrived and are shown.
    loaded = Signal()

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.figures: Dashboard | None = None
        self.loading = False
        self._built = False

        self.status = note_label(_("Lecture des chiffres…"))
        self.cards = self._cards(context.navigate)
        self.card_grid = CardGrid(list(self.cards.values()))
        self.tiles = self._tiles(context.navigate)

        self.producer_chart = HorizontalBarChart(
            _("Ventes par producteur"), _("Pas encore de ventes"))
        self.week_chart = WeeklyColumnChart(_("Ventes par semaine"), _("Pas encore de ventes"))
        self.participation_chart = PercentLineChart(
            _("Participation des foyers"), _("Pas encore de distribution"))

        self.upcoming = DistributionTable(distribution_columns(with_deadline=True),
                                          _("Aucune distribution n'est prévue."))
        self.to_close = DistributionTable(distribution_columns(with_deadline=False),
                                          _("Aucune distribution à clôturer."))

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(title_label(_("Tableau de bord")))
        self.today_label = note_label(self._today_text(context.today()))
        layout.addWidget(self.today_label)
        layout.addWidget(self.status)
        layout.addWidget(self.card_grid)
        tiles = QHBoxLayout()
        for tile in self.tiles.values():
            tiles.addWidget(tile)
        layout.addLayout(tiles)
        layout.addWidget(self._charts())
        upcoming_box = QGroupBox(_("Prochaines distributions"))
        QVBoxLayout(upcoming_box).addWidget(self.upcoming)
        layout.addWidget(upcoming_box)
        close_box = QGroupBox(_("Distributions à clôturer"))
        close_layout = QVBoxLayout(close_box)
        close_layout.addWidget(note_label(
            _("Distributions encore ouvertes aux commandes alors que leur date limite est "
              "passée.")))
        close_layout.addWidget(self.to_close)
        layout.addWidget(close_box)
        layout.addWidget(self._shifts_box(context))
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.refresh()
        self._built = True

    # --- building ------------------------------------------------------------------------

    @staticmethod
    def _today_text(day: dt.date) -> str:
        return _("Aujourd'hui : {date}").format(date=date_text(day, style="full"))

    def _cards(self, navigate: Callable[[str], None]) -> dict[str, SummaryCard]:
        specs = (
            ("next", _("Prochaine distribution"), "distributions",
             _("Ouvrir les distributions")),
            ("close", _("À clôturer"), "distributions", _("Ouvrir les distributions")),
            ("balances", _("Soldes impayés"), "treasury", _("Ouvrir la trésorerie")),
            ("cheques", _("Chèques à encaisser ce mois-ci"), "treasury",
             _("Ouvrir la trésorerie")),
            ("bank", _("Lignes bancaires à rapprocher"), "treasury", _("Ouvrir la trésorerie")),
        )
        cards = {}
        for key, title, section, tooltip in specs:
            card = SummaryCard(title, section, tooltip)
            card.clicked.connect(lambda section=section: navigate(section))
            cards[key] = card
        return cards

    def _tiles(self, navigate: Callable[[str], None]) -> dict[str, FigureTile]:
        tiles = {}
        for key in ("members", "producers", "products", "points"):
            tile = FigureTile(MISSING, "", _("Cliquer pour voir la liste"))
            tile.clicked.connect(lambda key=key: navigate(key))
            tiles[key] = tile
        return tiles

    def _charts(self) -> QWidget:
        box = QGroupBox(_("Les {n} dernières semaines").format(n=SALES_WEEKS))
        layout = QVBoxLayout(box)
        layout.addWidget(note_label(_("Ventes : quantités livrées au prix payé par les "
                                      "adhérents, paniers compris, aux distributions passées.")))
        layout.addWidget(_chart_title(_("Ventes par producteur")))
        layout.addWidget(self.producer_chart)
        self.other_producers = note_label("")
        self.other_producers.setVisible(False)
        layout.addWidget(self.other_producers)
        row = QHBoxLayout()
        self.participation_title = _chart_title(_("Part des foyers qui ont commandé"))
        for title, chart in ((_chart_title(_("Ventes par semaine")), self.week_chart),
                             (self.participation_title, self.participation_chart)):
            column = QVBoxLayout()
            column.addWidget(title)
            column.addWidget(chart)
            column.addStretch(1)
            row.addLayout(column, 1)
        layout.addLayout(row)
        return box

    def _shifts_box(self, context: PageContext) -> QGroupBox:
        """« Permanences à pourvoir »: the roles still to fill in the coming four weeks."""
        columns: list[Column[Gap]] = [
            Column(_("Date"), lambda g: date_text(g.date, style="full"),
                   sort_key=lambda g: g.date),
            Column(_("Point"), lambda g: g.point, elide=True),
            Column(_("À pourvoir"), lambda g: g.text),
        ]
        self.shift_gaps: list[Gap] = []
        self.gaps_model: RowTableModel[Gap] = RowTableModel(columns, self)
        proxy = SearchProxyModel(self)
        proxy.setSourceModel(self.gaps_model)
        self.gaps_table = make_table_view(proxy, self)
        self.gaps_table.doubleClicked.connect(lambda _index: context.navigate("shifts"))
        self.gaps_fitter = ColumnFitter(self.gaps_table, columns)
        self.gaps_table.setVisible(False)
        self.gaps_note = note_label("")
        box = self.shifts_box = QGroupBox(_("Permanences à pourvoir"))
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(self.gaps_note)
        box_layout.addWidget(self.gaps_table)
        return box

    # --- loading -------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._built:  # the page's first show comes while its first read runs
            self.refresh()

    def refresh(self) -> None:
        """Read the figures again, on the background queue; shown when they arrive."""
        if self.loading:
            return
        self.loading = True
        context = self._context
        run_task(self, lambda _progress: load(context), on_success=self.show_loaded,
                 on_failure=self._failed, progress_delay_ms=None, cancellable=False)

    def _failed(self, error: Exception) -> None:
        self.loading = False
        self.status.setText(_("Le tableau de bord n'a pas pu être lu : {error}").format(
            error=str(error) if isinstance(error, ServiceError) else type(error).__name__))
        self.status.setVisible(True)

    def show_loaded(self, result: Loaded) -> None:
        self.loading = False
        self.figures = figures = result.figures
        self.status.setVisible(False)
        self.today_label.setText(self._today_text(figures.today))  # a window left open overnight
        self._show_cards(figures)
        counts = figures.counts
        for key, count, caption in (
                ("members", counts.members, counted("adhérent", "adhérents", counts.members)),
                ("producers", counts.producers,
                 counted("producteur", "producteurs", counts.producers)),
                ("products", counts.products, counted("produit", "produits", counts.products)),
                ("points", counts.points,
                 counted("point de distribution", "points de distribution", counts.points))):
            self.tiles[key].show_figure(number_text(count), caption)
        # A producer's account sees no household: neither their number nor their orders.
        households = figures.participation is not None
        self.tiles["members"].setVisible(households)
        shown, others = top_producers(figures.sales_by_producer)
        self.producer_chart.set_data(producer_data(shown))
        self.other_producers.setText(others)
        self.other_producers.setVisible(bool(others))
        self.week_chart.set_data(week_sales_data(figures.sales_by_week))
        self.participation_chart.set_data(participation_data(figures.participation or ()))
        self.participation_title.setVisible(households)
        self.participation_chart.setVisible(households)
        self.upcoming.set_rows(figures.next_distributions)
        self.to_close.set_rows(figures.to_close)
        self._show_gaps(result.gaps)
        self.loaded.emit()

    def _show_cards(self, figures: Dashboard) -> None:
        self.cards["next"].show_figures(*next_distribution_card(figures.next_distributions))
        self.cards["close"].show_figures(*to_close_card(figures))
        # A role that may not see some money has no card for it (not an empty one).
        self.cards["balances"].setHidden(figures.balances is None)
        if figures.balances is not None:
            self.cards["balances"].show_figures(*balances_card(figures.balances))
        self.cards["cheques"].setHidden(figures.cheques is None)
        if figures.cheques is not None:
            self.cards["cheques"].show_figures(*cheques_card(figures.cheques))
        self.cards["bank"].setHidden(figures.bank is None)
        if figures.bank is not None:
            self.cards["bank"].show_figures(*bank_card(figures.bank))
        self.card_grid.reflow()

    def _show_gaps(self, places: list[Gap] | None) -> None:
        self.shifts_box.setVisible(places is not None)
        rows = places or []
        self.shift_gaps = rows
        self.gaps_model.set_rows(rows)
        header = self.gaps_table.horizontalHeader().sizeHint().height()
        row_height = self.gaps_table.verticalHeader().defaultSectionSize()
        self.gaps_table.setFixedHeight(header + min(len(rows), TABLE_ROWS) * row_height
                                       + 2 * self.gaps_table.frameWidth())
        self.gaps_table.setVisible(bool(rows))
        self.gaps_note.setText(
            _("Rôles encore sans volontaire aux distributions des quatre prochaines "
              "semaines (double-clic : ouvrir les permanences).") if rows else
            _("Toutes les permanences des quatre prochaines semaines sont pourvues."))

    def sizeHint(self) -> QSize:
        return QSize(900, 700)


def build_dashboard_page(context: PageContext) -> QWidget:
    return DashboardPage(context)
