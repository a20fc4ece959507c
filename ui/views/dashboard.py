"""Tableau de bord: the co-op at a glance, all figures from the list services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.i18n import _
from coopfood.services.lists import (
    CycleRow,
    list_cycles,
    list_members,
    list_points,
    list_producers,
    list_products,
)
from ui.display import counted, date_text, number_text
from ui.table_model import Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.cycles import amount_column, date_column, deadline_text, orders_column, points_column
from ui.views.list_page import ColumnFitter, make_table_view, note_label, title_label


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


class FigureTile(QFrame):
    """A big number over what it counts; a click opens the section listing them."""

    clicked = Signal()

    def __init__(
        self, value: str, caption: str, tooltip: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"{value} {caption}")
        self.setToolTip(tooltip)
        self.value = QLabel(value)
        font = self.value.font()
        font.setPointSizeF(font.pointSizeF() * 2.2)
        font.setBold(True)
        self.value.setFont(font)
        self.caption = QLabel(caption)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)

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


class CycleTable(QWidget):
    """A short table of distributions, or a sentence when there are none."""

    def __init__(self, rows: list[CycleRow], columns: Sequence[Column[CycleRow]], empty: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: RowTableModel[CycleRow] = RowTableModel(columns, self)
        self.model.set_rows(rows)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table: QTableView = make_table_view(self.proxy, self)
        self.empty = note_label(empty)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addWidget(self.empty)
        self.empty.setVisible(not rows)
        self.table.setVisible(bool(rows))
        if rows:
            self.column_fitter = ColumnFitter(self.table, columns)
            header = self.table.horizontalHeader().height()
            row_height = self.table.verticalHeader().defaultSectionSize()
            shown = min(len(rows), 8)
            self.table.setFixedHeight(header + shown * row_height + 2 * self.table.frameWidth())


class DashboardPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        db, actor = context.db, context.actor
        today = context.today()
        counts = {
            "members": len(list_members(db=db, actor=actor)),
            "producers": len(list_producers(db=db, actor=actor)),
            "products": len(list_products(db=db, actor=actor)),
            "points": len(list_points(db=db, actor=actor)),
        }
        cycles = split_open_cycles(list_cycles(db=db, actor=actor, state=CycleState.OPEN), today)

        captions = {
            "members": counted("adhérent", "adhérents", counts["members"]),
            "producers": counted("producteur", "producteurs", counts["producers"]),
            "products": counted("produit", "produits", counts["products"]),
            "points": counted("point de distribution", "points de distribution",
                              counts["points"]),
        }
        self.tiles: dict[str, FigureTile] = {}
        tiles = QGridLayout()
        for column, key in enumerate(counts):
            tile = FigureTile(number_text(counts[key]), captions[key],
                              _("Cliquer pour voir la liste"))
            tile.clicked.connect(lambda key=key: context.navigate(key))
            tiles.addWidget(tile, 0, column)
            self.tiles[key] = tile

        deadline = Column(_("Fin des commandes"), deadline_text,
                          sort_key=lambda r: r.order_deadline)
        self.upcoming = CycleTable(
            cycles.upcoming,
            [date_column(), points_column(), deadline, orders_column(), amount_column()],
            _("Aucune distribution ouverte à venir."),
        )
        self.to_close = CycleTable(
            cycles.to_close,
            [date_column(), points_column(), orders_column(), amount_column()],
            _("Aucune distribution à clôturer."),
        )
        upcoming_box = QGroupBox(_("Prochaines distributions ouvertes"))
        QVBoxLayout(upcoming_box).addWidget(self.upcoming)
        shifts_box = self._shifts_box(context, today)
        close_box = QGroupBox(_("Distributions à clôturer"))
        close_layout = QVBoxLayout(close_box)
        close_layout.addWidget(note_label(
            _("Distributions encore ouvertes aux commandes alors que leur date est passée.")))
        close_layout.addWidget(self.to_close)

        content = QWidget()
        layout = QVBoxLayout(content)
        layout.addWidget(title_label(_("Tableau de bord")))
        layout.addWidget(note_label(_("Aujourd'hui : {date}").format(
            date=date_text(today, style="full"))))
        layout.addLayout(tiles)
        layout.addWidget(upcoming_box)
        layout.addWidget(shifts_box)
        layout.addWidget(close_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)


    def _shifts_box(self, context: PageContext, today: dt.date) -> QGroupBox:
        """« Permanences à pourvoir »: the roles still to fill in the coming four weeks."""
        from coopfood.services import ServiceError
        from coopfood.services.shifts import Gap, gaps

        try:
            rows = gaps(db=context.db, actor=context.actor, today=today, weeks=4)
        except ServiceError:
            rows = []
        columns: list[Column[Gap]] = [
            Column(_("Date"), lambda g: date_text(g.date, style="full"),
                   sort_key=lambda g: g.date),
            Column(_("Point"), lambda g: g.point, elide=True),
            Column(_("À pourvoir"), lambda g: g.text),
        ]
        self.shift_gaps: list[Gap] = rows
        model: RowTableModel[Gap] = RowTableModel(columns, self)
        model.set_rows(rows)
        proxy = SearchProxyModel(self)
        proxy.setSourceModel(model)
        self.gaps_table = make_table_view(proxy, self)
        self.gaps_table.doubleClicked.connect(lambda _index: context.navigate("shifts"))
        self.gaps_fitter = ColumnFitter(self.gaps_table, columns)
        header = self.gaps_table.horizontalHeader().height()
        row_height = self.gaps_table.verticalHeader().defaultSectionSize()
        self.gaps_table.setFixedHeight(header + min(len(rows), 8) * row_height
                                       + 2 * self.gaps_table.frameWidth())
        self.gaps_table.setVisible(bool(rows))
        box = QGroupBox(_("Permanences à pourvoir"))
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(note_label(
            _("Rôles encore sans volontaire aux distributions des quatre prochaines "
              "semaines (double-clic : ouvrir les permanences).") if rows else
            _("Toutes les permanences des quatre prochaines semaines sont pourvues.")))
        box_layout.addWidget(self.gaps_table)
        return box


def build_dashboard_page(context: PageContext) -> QWidget:
    return DashboardPage(context)
