"""Partage de la valeur: where each euro paid by the members went, over a period.

A period chooser (a month, a year, a season or any two dates), the sentence
« Sur 100 € payés : … », a stacked bar per producer drawn with QPainter
(QtCharts is not in PySide6-Essentials), and the tables per producer and
per product. « Imprimer le rapport… » writes the PDF for the general
assembly and « Exporter… » a CSV or XLSX file, through the service the
command line uses (`python main.py report value`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.documents.common import quantity_text
from coopfood.i18n import _, format_number
from coopfood.services.value_sharing import (
    Period,
    ProducerShare,
    ProductShare,
    Split,
    ValueSharing,
    WrittenReport,
    value_sharing,
    write_value_report,
)
from ui.dialogs import messages
from ui.display import counted, for_screen, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label, title_label
from ui.worker import run_task

#: Producers, VAT, the co-op: the colours of the printed report.
SHARE_COLOURS = (QColor(69, 140, 84), QColor(158, 173, 204), QColor(237, 158, 51))


def build_value_page(context: PageContext) -> QWidget:
    return ValueSharingPage(context)


def share_names() -> tuple[str, str, str]:
    return _("Producteurs (prix HT)"), _("TVA"), _("Coopérative")


def percent_text(value: Decimal) -> str:
    return for_screen(format_number(value, decimals=1)) + "\u00a0%"


# --- the chart ----------------------------------------------------------------------------------


class ShareBars(QWidget):
    """Stacked horizontal bars: each 100 % of what was paid, split in three colours."""

    BAR = 18
    GAP = 7
    LEGEND = 26

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bars: list[tuple[str, Split, bool]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(_("Graphique du partage de la valeur"))

    def set_bars(self, bars: Sequence[tuple[str, Split, bool]]) -> None:
        self.bars = list(bars)
        self.setMinimumHeight(self.sizeHint().height())
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, self.LEGEND + len(self.bars) * (self.BAR + self.GAP) + 4)

    def label_width(self) -> int:
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(label) for label, _s, _t in self.bars),
                     default=0)
        return min(widest + 16, max(140, self.width() // 3))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        x = 0
        for colour, name in zip(SHARE_COLOURS, share_names(), strict=True):
            painter.fillRect(x, 6, 14, 12, colour)
            painter.setPen(self.palette().text().color())
            painter.drawText(x + 19, 6 + metrics.ascent() - 1, name)
            x += 19 + metrics.horizontalAdvance(name) + 18
        label_w = self.label_width()
        bar_w = max(40, self.width() - label_w - 4)
        y = self.LEGEND
        bold = QFont(self.font())
        bold.setBold(True)
        for label, split, total in self.bars:
            painter.setFont(bold if total else self.font())
            painter.setPen(self.palette().text().color())
            painter.drawText(QRectF(0, y, label_w - 8, self.BAR),
                             int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                             metrics.elidedText(label, Qt.TextElideMode.ElideRight,
                                                label_w - 8))
            left = float(label_w)
            for colour, share in zip(SHARE_COLOURS, split.per_hundred(), strict=True):
                if share <= 0:
                    continue
                width = bar_w * float(share) / 100
                rect = QRectF(left, y, width, self.BAR)
                painter.fillRect(rect, colour)
                text = percent_text(share)
                if metrics.horizontalAdvance(text) + 6 < width:
                    painter.setPen(QColor(20, 20, 20))
                    painter.setFont(self.font())
                    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)
                left += width
            y += self.BAR + self.GAP
        painter.end()


# --- the tables ---------------------------------------------------------------------------------


def _money_columns(split_of: Any) -> list[Column[Any]]:
    def money(field: str, header: str, tooltip: str = "") -> Column[Any]:
        return Column(header, lambda r: money_text(getattr(split_of(r), field)),
                      sort_key=lambda r: getattr(split_of(r), field), align=Align.RIGHT,
                      header_tooltip=tooltip)

    def share(index: int, header: str) -> Column[Any]:
        return Column(header, lambda r: percent_text(split_of(r).per_hundred()[index]),
                      sort_key=lambda r: split_of(r).per_hundred()[index], align=Align.RIGHT)

    return [
        money("paid", _("Payé"), _("Ce que les adhérents ont payé")),
        money("producer", _("Producteurs HT")),
        money("vat", _("TVA")),
        money("fee", _("Coopérative"), _("Frais de fonctionnement de la coopérative")),
        share(0, _("% prod.")),
        share(1, _("% TVA")),
        share(2, _("% coop.")),
    ]


class _BoldLastRow(RowTableModel[Any]):
    """The whole co-op's row, last, reads bold."""

    total_row: object | None = None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.FontRole and index.isValid()
                and self.row(index.row()) is self.total_row):
            font = QFont()
            font.setBold(True)
            return font
        return super().data(index, role)


def producer_columns() -> list[Column[ProducerShare]]:
    return [Column(_("Producteur"), lambda r: r.name, elide=True),
            *_money_columns(lambda r: r.split)]


def product_columns() -> list[Column[ProductShare]]:
    return [Column(_("Produit"), lambda r: r.name, elide=True),
            Column(_("Producteur"), lambda r: r.producer, elide=True),
            Column(_("Livré"), lambda r: for_screen(quantity_text(r.quantity, r.unit)),
                   sort_key=lambda r: r.quantity, align=Align.RIGHT),
            *_money_columns(lambda r: r.split)]


# --- the page -----------------------------------------------------------------------------------


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


def presets(today: dt.date) -> list[tuple[str, Period]]:
    """The periods offered in one click: months, years, seasons (September to August)."""
    this_month = Period.month(today.year, today.month)
    last = this_month.date_from - dt.timedelta(days=1)
    season_year = today.year if today.month >= 9 else today.year - 1
    seasons = [Period.between(dt.date(y, 9, 1), dt.date(y + 1, 8, 31))
               for y in (season_year, season_year - 1)]
    return [
        (_("Ce mois-ci ({label})").format(label=this_month.label), this_month),
        (_("Mois précédent ({label})").format(label=Period.month(last.year, last.month).label),
         Period.month(last.year, last.month)),
        (_("Cette année ({year})").format(year=today.year), Period.year(today.year)),
        (_("Année précédente ({year})").format(year=today.year - 1), Period.year(today.year - 1)),
        (_("Saison {a}–{b}").format(a=season_year, b=season_year + 1), seasons[0]),
        (_("Saison {a}–{b}").format(a=season_year - 1, b=season_year), seasons[1]),
    ]


class ValueSharingPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.sharing: ValueSharing | None = None
        self.last_report: WrittenReport | None = None
        self._presets = presets(context.today())

        self.preset = QComboBox()
        self.preset.setAccessibleName(_("Période"))
        for text, _period in self._presets:
            self.preset.addItem(text)
        self.preset.addItem(_("Autre période"))
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.show_button = QPushButton(_("Afficher"))
        self.print_button = QPushButton(_("Imprimer le rapport…"))
        self.export_button = QPushButton(_("Exporter…"))
        bar = QHBoxLayout()
        period_label = QLabel(_("&Période :"))
        period_label.setBuddy(self.preset)
        bar.addWidget(period_label)
        bar.addWidget(self.preset)
        bar.addSpacing(12)
        bar.addWidget(QLabel(_("du")))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel(_("au")))
        bar.addWidget(self.date_to)
        bar.addWidget(self.show_button)
        bar.addStretch(1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.export_button)

        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextFormat(Qt.TextFormat.PlainText)
        font = self.sentence.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.sentence.setFont(font)
        self.facts = note_label("")
        self.chart = ShareBars()

        self.producer_model = _BoldLastRow(producer_columns(), self)
        self.producer_proxy = SearchProxyModel(self)
        self.producer_proxy.setSourceModel(self.producer_model)
        self.producer_table: QTableView = make_table_view(self.producer_proxy, self)
        self.producer_fitter = ColumnFitter(self.producer_table, producer_columns())
        self.product_model: RowTableModel[ProductShare] = RowTableModel(product_columns(), self)
        self.product_proxy = SearchProxyModel(self)
        self.product_proxy.setSourceModel(self.product_model)
        self.product_table: QTableView = make_table_view(self.product_proxy, self)
        self.product_fitter = ColumnFitter(self.product_table, product_columns())
        self.tables = QTabWidget()
        self.tables.addTab(self.producer_table, _("Par producteur"))
        self.tables.addTab(self.product_table, _("Par produit"))
        self.notes = note_label("")

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Partage de la valeur")))
        layout.addWidget(note_label(_(
            "Ce que les adhérents ont payé, réparti entre le prix des producteurs (hors "
            "taxes), la TVA et les frais de fonctionnement de la coopérative.")))
        layout.addLayout(bar)
        layout.addWidget(self.sentence)
        layout.addWidget(self.facts)
        # The chart grows with the producers: it scrolls, and gives up room to the tables
        # as the user drags the splitter.
        chart_area = QScrollArea()
        chart_area.setWidgetResizable(True)
        chart_area.setFrameShape(QFrame.Shape.NoFrame)
        chart_area.setWidget(self.chart)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(chart_area)
        self.splitter.addWidget(self.tables)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.notes)

        self.preset.currentIndexChanged.connect(self._on_preset)
        self.show_button.clicked.connect(self.refresh)
        self.print_button.clicked.connect(self.print_report)
        self.export_button.clicked.connect(self.export_report)
        self._on_preset(0)

    # --- the period -------------------------------------------------------------------------

    def period(self) -> Period:
        index = self.preset.currentIndex()
        if 0 <= index < len(self._presets):
            return self._presets[index][1]
        start, end = _pydate(self.date_from.date()), _pydate(self.date_to.date())
        if start.day == 1 and end == Period.month(start.year, start.month).date_to:
            return Period.month(start.year, start.month)
        return Period.between(start, end)

    def choose_period(self, date_from: dt.date, date_to: dt.date) -> None:
        """Show the period between two dates (« Autre période »)."""
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(len(self._presets))
        self.preset.blockSignals(False)
        self.date_from.setDate(_qdate(date_from))
        self.date_to.setDate(_qdate(date_to))
        self.refresh()

    def _on_preset(self, index: int) -> None:
        if 0 <= index < len(self._presets):
            period = self._presets[index][1]
            self.date_from.setDate(_qdate(period.date_from))
            self.date_to.setDate(_qdate(period.date_to))
        custom = index >= len(self._presets)
        for widget in (self.date_from, self.date_to, self.show_button):
            widget.setEnabled(custom)
        if not custom:
            self.refresh()

    # --- showing ------------------------------------------------------------------------------

    def refresh(self) -> None:
        try:
            period = self.period()
        except Exception as error:  # a ValidationError: end before start
            messages.show_failure(self, error)
            return
        db, actor = self._context.db, self._context.actor
        self.sentence.setText(_("Calcul en cours…"))
        run_task(self, lambda _progress: value_sharing(db=db, actor=actor, period=period),
                 on_success=self.show_sharing, title=_("Partage de la valeur"),
                 label=_("Calcul du partage de la valeur…"))

    def show_sharing(self, sharing: ValueSharing) -> None:
        self.sharing = sharing
        self.sentence.setText(for_screen(sharing.sentence))
        total = sharing.total
        self.facts.setText(for_screen(_(
            "{period} : {distributions} — payé par les adhérents {paid}, dont {producer} aux "
            "producteurs, {vat} de TVA et {fee} pour la coopérative.").format(
                period=sharing.period.label[:1].upper() + sharing.period.label[1:],
                distributions=counted("{n} distribution", "{n} distributions",
                                      sharing.distributions),
                paid=money_text(total.paid), producer=money_text(total.producer),
                vat=money_text(total.vat), fee=money_text(total.fee))))
        bars: list[tuple[str, Split, bool]] = []
        if total.paid:
            bars.append((_("Toute la coopérative"), total, True))
            bars += [(p.name, p.split, False) for p in sharing.producers]
        self.chart.set_bars(bars)
        # The chart whole when it is short, a third of the room at first when it is long.
        room = max(self.splitter.height(), 300)
        chart = min(self.chart.sizeHint().height() + 4, room * 2 // 5)
        self.splitter.setSizes([chart, room - chart])
        total_row = ProducerShare(0, _("Toute la coopérative"), sharing.producers[0].regime,
                                  total) if sharing.producers else None
        self.producer_model.total_row = total_row
        self.producer_model.set_rows([*sharing.producers, *([total_row] if total_row else [])])
        self.product_model.set_rows(sharing.products)
        self.notes.setText("\n".join(sharing.notes()[1:]))
        has_data = bool(total.paid)
        self.print_button.setEnabled(True)
        self.export_button.setEnabled(has_data)

    # --- printing and exporting ------------------------------------------------------------

    def _write(self, path: Path) -> None:
        db, actor, period = self._context.db, self._context.actor, self.period()

        def written(report: WrittenReport) -> None:
            self.last_report = report
            messages.show_info(self, _("Rapport enregistré dans {file}.").format(
                file=report.path))

        run_task(self, lambda _progress: write_value_report(db=db, actor=actor, period=period,
                                                            path=path),
                 on_success=written, title=_("Partage de la valeur"),
                 label=_("Écriture du rapport…"))

    def print_report(self) -> None:
        """« Imprimer le rapport… »: the PDF for the general assembly."""
        path = messages.choose_save_file(
            self, title=_("Enregistrer le rapport"),
            suggested=f"partage-valeur-{self.period().code}.pdf",
            filters=_("Document PDF (*.pdf)"))
        if path is not None:
            self._write(path)

    def export_report(self) -> None:
        path = messages.choose_save_file(
            self, title=_("Exporter le partage de la valeur"),
            suggested=f"partage-valeur-{self.period().code}.xlsx",
            filters=_("Classeur Excel (*.xlsx);;CSV, séparateur point-virgule (*.csv)"))
        if path is not None:
            self._write(path)
