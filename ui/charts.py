"""Small charts drawn with QPainter: horizontal bars, columns over weeks, a line in percent.

QtCharts is not in PySide6-Essentials and a plotting library would weigh more than
the whole window, so these draw themselves, with the widget's font and palette: the
« Texte plus grand » and « Contraste élevé » options apply to them as to any label.

A chart takes a list of `Datum` — a short label for the axis, the value, the text
printed for it and the sentence its tooltip shows — and draws them; with no data,
or only zeros, it shows its empty text (« Pas encore de ventes »). Long names are
elided, never drawn over their neighbours; axis labels are thinned out until they
fit. The accessible description reads every value, for whoever cannot hover.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from babel.numbers import format_compact_currency
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from coopfood.i18n import current_locale, format_number
from ui.display import NBSP, for_screen


@dataclass(frozen=True)
class Datum:
    #: The name at the left of a bar, or under a column.
    label: str
    #: None: no value there (a week without distribution breaks the line).
    value: Decimal | None
    #: The value as printed: « 1 234,50 € », « 98,7 % ».
    value_text: str
    #: What hovering shows: the full name or date, with the exact value.
    tooltip: str


def money_axis_text(value: Decimal) -> str:
    """An axis graduation, short: « 0 € », « 2,5 k€ », « 150 k€ »."""
    return for_screen(format_compact_currency(value, "EUR", locale=current_locale(),
                                              fraction_digits=1))


def percent_axis_text(value: Decimal) -> str:
    return for_screen(format_number(value, decimals=0)) + NBSP + "%"


def nice_step(largest: Decimal, ticks: int = 4) -> Decimal:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) giving about `ticks` graduations up to `largest`."""
    if largest <= 0:
        return Decimal(1)
    raw = largest / ticks
    exponent = Decimal(10) ** math.floor(math.log10(float(raw)))
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if raw <= factor * exponent:
            return factor * exponent
    return 10 * exponent


def graduations(largest: Decimal, ticks: int = 4) -> list[Decimal]:
    """0, step, 2 × step… up to the first graduation at or above `largest`."""
    step = nice_step(largest, ticks)
    values = [Decimal(0)]
    while values[-1] < largest:
        values.append(values[-1] + step)
    return values


class Chart(QWidget):
    """What every chart shares: data, empty text, tooltips, colours from the palette."""

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.empty_text = empty_text
        self._data: tuple[Datum, ...] = ()
        self.setAccessibleName(title)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._describe()

    # --- data --------------------------------------------------------------------------

    def set_data(self, data: Sequence[Datum]) -> None:
        self._data = tuple(data)
        self._describe()
        self.updateGeometry()
        self.update()

    def data(self) -> tuple[Datum, ...]:
        return self._data

    @property
    def is_empty(self) -> bool:
        return not any(d.value for d in self._data)

    def _describe(self) -> None:
        if self.is_empty:
            self.setAccessibleDescription(self.empty_text)
        else:
            self.setAccessibleDescription(" ; ".join(d.tooltip for d in self._data))

    # --- geometry, shared --------------------------------------------------------------

    def metrics(self) -> QFontMetrics:
        return QFontMetrics(self.font())

    def padding(self) -> int:
        return max(4, self.metrics().height() // 3)

    def regions(self) -> list[tuple[QRectF, str]]:
        """Where each datum is drawn, with its tooltip (the charts compute it)."""
        return []

    def tooltip_at(self, position: QPoint | QPointF) -> str | None:
        point = QPointF(position)
        for rect, text in self.regions():
            if rect.contains(point):
                return text
        return None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = None if self.is_empty else self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.PaletteChange,
                            QEvent.Type.ApplicationFontChange):
            self.updateGeometry()
            self.update()
        super().changeEvent(event)

    # --- colours -----------------------------------------------------------------------

    def ink(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.WindowText)

    def fill(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Highlight)

    def grid(self) -> QColor:
        color = QColor(self.ink())
        color.setAlphaF(0.25)
        return color

    # --- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setFont(self.font())
        if self.is_empty:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                             self.empty_text)
        else:
            self.draw(painter)
        painter.end()

    def draw(self, painter: QPainter) -> None:
        """Each kind of chart draws its data (bars, columns, a line): the subclasses."""
        raise NotImplementedError(type(self).__name__)


class HorizontalBarChart(Chart):
    """Names at the left, one bar each, the amount printed at the end of the bar."""

    #: The names' column takes at most this share of the width (longer names are elided).
    LABEL_SHARE = 0.38

    def row_height(self) -> int:
        return self.metrics().height() + self.padding() * 2

    def axis_height(self) -> int:
        return self.metrics().height() + self.padding() * 2

    def sizeHint(self) -> QSize:
        rows = max(len(self._data), 1) if not self.is_empty else 3
        return QSize(480, rows * self.row_height() + self.axis_height() + self.padding() * 2)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def _layout(self) -> tuple[QRectF, int, list[Decimal], Decimal]:
        """The bars' area, the names' column width, the graduations and the scale's top."""
        fm = self.metrics()
        pad = self.padding()
        width = self.width()
        names = max((fm.horizontalAdvance(d.label) for d in self._data), default=0)
        label_width = min(names, int(width * self.LABEL_SHARE))
        values = max((fm.horizontalAdvance(d.value_text) for d in self._data), default=0)
        largest = max((d.value for d in self._data if d.value is not None), default=Decimal(0))
        ticks = graduations(largest)
        top = ticks[-1] if ticks[-1] > 0 else Decimal(1)
        left = pad + label_width + pad
        right = width - pad - values - pad
        area = QRectF(left, pad, max(right - left, 1), len(self._data) * self.row_height())
        return area, label_width, ticks, top

    def bar_rects(self) -> list[QRectF]:
        area, _label_width, _ticks, top = self._layout()
        rows = []
        height = self.row_height()
        thickness = self.metrics().height() * 0.9
        for index, datum in enumerate(self._data):
            value = datum.value or Decimal(0)
            length = area.width() * float(value / top)
            y = area.top() + index * height + (height - thickness) / 2
            rows.append(QRectF(area.left(), y, max(length, 1.0), thickness))
        return rows

    def regions(self) -> list[tuple[QRectF, str]]:
        height = self.row_height()
        pad = self.padding()
        return [(QRectF(0, pad + index * height, self.width(), height), datum.tooltip)
                for index, datum in enumerate(self._data)]

    def elided_labels(self) -> list[str]:
        _area, label_width, _ticks, _top = self._layout()
        fm = self.metrics()
        return [fm.elidedText(d.label, Qt.TextElideMode.ElideRight, label_width)
                for d in self._data]

    def draw(self, painter: QPainter) -> None:
        fm = self.metrics()
        pad = self.padding()
        area, label_width, ticks, top = self._layout()
        height = self.row_height()
        # The scale: a vertical line per graduation, its value under the bars, thinned out
        # until the values do not touch.
        axis_y = area.bottom() + pad
        positions = [area.left() + area.width() * float(t / top) for t in ticks]
        texts = [money_axis_text(t) for t in ticks]
        every = _thinning(positions, [fm.horizontalAdvance(t) for t in texts], pad * 2)
        painter.setPen(QPen(self.grid(), 1))
        for x in positions:
            painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
        painter.setPen(self.ink())
        for index, (x, text) in enumerate(zip(positions, texts, strict=True)):
            if index % every:
                continue
            w = fm.horizontalAdvance(text)
            x_text = min(max(x - w / 2, area.left() - pad), self.width() - w - pad)
            painter.drawText(QRectF(x_text, axis_y, w + 1, fm.height()),
                             Qt.AlignmentFlag.AlignCenter, text)
        painter.drawLine(QPointF(area.left(), area.top()), QPointF(area.left(), area.bottom()))
        labels = self.elided_labels()
        for index, (datum, bar) in enumerate(zip(self._data, self.bar_rects(), strict=True)):
            row = QRectF(pad, area.top() + index * height, label_width, height)
            painter.setPen(self.ink())
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             labels[index])
            painter.fillRect(bar, self.fill())
            value_box = QRectF(bar.right() + pad, row.top(), self.width(), height)
            painter.drawText(value_box, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             datum.value_text)


class _WeeklyChart(Chart):
    """A chart over weeks: a value axis at the left, one slot per week along the bottom."""

    def sizeHint(self) -> QSize:
        return QSize(480, self.metrics().height() * 13)

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.sizeHint().height())

    def scale(self) -> tuple[list[Decimal], Decimal]:
        """The axis's ticks and its top, in the subclass's unit (euros, per cent)."""
        raise NotImplementedError(type(self).__name__)

    def axis_text(self, value: Decimal) -> str:
        """A tick's label in the subclass's unit (« 1 200 € », « 50 % »)."""
        raise NotImplementedError(type(self).__name__)

    def plot_area(self) -> QRectF:
        fm = self.metrics()
        pad = self.padding()
        ticks, _top = self.scale()
        left = pad + max(fm.horizontalAdvance(self.axis_text(t)) for t in ticks) + pad
        # Room above for the top graduation's text, below for the week labels.
        top = pad + fm.height() / 2
        bottom = self.height() - pad - fm.height() - pad
        return QRectF(left, top, max(self.width() - left - pad * 2, 1), max(bottom - top, 1))

    def slots(self) -> list[QRectF]:
        area = self.plot_area()
        count = max(len(self._data), 1)
        width = area.width() / count
        return [QRectF(area.left() + i * width, area.top(), width, area.height())
                for i in range(len(self._data))]

    def regions(self) -> list[tuple[QRectF, str]]:
        return [(slot, datum.tooltip) for slot, datum in zip(self.slots(), self._data,
                                                               strict=True)]

    def y_of(self, value: Decimal) -> float:
        area = self.plot_area()
        _ticks, top = self.scale()
        return area.bottom() - area.height() * float(value / top)

    def shown_labels(self) -> list[int]:
        """The weeks whose label is written under the axis (every n-th, so none touch)."""
        fm = self.metrics()
        slots = self.slots()
        every = _thinning([s.center().x() for s in slots],
                          [fm.horizontalAdvance(d.label) for d in self._data], self.padding() * 2)
        last = len(slots) - 1
        # Counted from the last week, so this week's label is always written.
        return [i for i in range(len(slots)) if (last - i) % every == 0]

    def draw_axes(self, painter: QPainter) -> None:
        fm = self.metrics()
        pad = self.padding()
        area = self.plot_area()
        ticks, _top = self.scale()
        for tick in ticks:
            y = self.y_of(tick)
            painter.setPen(QPen(self.grid(), 1))
            painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            painter.setPen(self.ink())
            painter.drawText(QRectF(pad, y - fm.height() / 2, area.left() - pad * 2, fm.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             self.axis_text(tick))
        painter.setPen(self.ink())
        painter.drawLine(area.bottomLeft(), area.bottomRight())
        slots = self.slots()
        for index in self.shown_labels():
            slot, label = slots[index], self._data[index].label
            w = fm.horizontalAdvance(label)
            x = min(max(slot.center().x() - w / 2, area.left()), self.width() - w - pad)
            painter.drawText(QRectF(x, area.bottom() + pad, w + 1, fm.height()),
                             Qt.AlignmentFlag.AlignCenter, label)


class WeeklyColumnChart(_WeeklyChart):
    """One column per week, in money (sales per week)."""

    def scale(self) -> tuple[list[Decimal], Decimal]:
        largest = max((d.value for d in self._data if d.value is not None), default=Decimal(0))
        ticks = graduations(largest)
        return ticks, ticks[-1] if ticks[-1] > 0 else Decimal(1)

    def axis_text(self, value: Decimal) -> str:
        return money_axis_text(value)

    def column_rects(self) -> list[QRectF]:
        area = self.plot_area()
        rects = []
        for slot, datum in zip(self.slots(), self._data, strict=True):
            width = max(slot.width() * 0.7, 1.0)
            y = self.y_of(datum.value or Decimal(0))
            rects.append(QRectF(slot.center().x() - width / 2, y, width, area.bottom() - y))
        return rects

    def draw(self, painter: QPainter) -> None:
        self.draw_axes(painter)
        for rect in self.column_rects():
            painter.fillRect(rect, self.fill())


class PercentLineChart(_WeeklyChart):
    """A line through each week's percentage, 0 to 100 %."""

    def scale(self) -> tuple[list[Decimal], Decimal]:
        return [Decimal(v) for v in (0, 25, 50, 75, 100)], Decimal(100)

    def axis_text(self, value: Decimal) -> str:
        return percent_axis_text(value)

    def points(self) -> list[QPointF | None]:
        return [None if d.value is None else QPointF(slot.center().x(), self.y_of(d.value))
                for slot, d in zip(self.slots(), self._data, strict=True)]

    def draw(self, painter: QPainter) -> None:
        self.draw_axes(painter)
        radius = max(3.0, self.metrics().height() / 5)
        pen = QPen(self.fill(), max(2.0, radius / 1.5))
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        path = QPainterPath()
        started = False
        points = self.points()
        for point in points:
            if point is None:
                started = False
                continue
            if started:
                path.lineTo(point)
            else:
                path.moveTo(point)
                started = True
        painter.setPen(pen)
        painter.drawPath(path)
        painter.setBrush(self.fill())
        painter.setPen(QPen(self.ink(), 1))
        for point in points:
            if point is not None:
                painter.drawEllipse(point, radius, radius)


def _thinning(centres: Sequence[float], widths: Sequence[int], gap: int) -> int:
    """Write one label in n so that none touches the next: the smallest such n."""
    if len(centres) < 2:
        return 1
    spacing = min(b - a for a, b in itertools.pairwise(centres))
    widest = max(widths) + gap
    if spacing <= 0:
        return len(centres)
    return max(1, math.ceil(widest / spacing))
