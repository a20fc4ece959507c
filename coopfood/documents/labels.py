"""Étiquettes: one label per household basket, on A4 sheets of sticky labels.

The layout (columns, rows, margins, label size) is a `LabelLayout`; the
default is the common A4 3 × 8 sheet of 70 × 37 mm labels. A label shows
the household, the point, the date, the items and « n / total », n counting
the point's labels; a household whose items do not fit gets a second label
marked « suite ».
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm

from coopfood.documents.common import (
    BOLD,
    CONDENSED,
    CONDENSED_BOLD,
    PORTRAIT,
    Sheet,
    Stamp,
    Stats,
    fit,
    printable,
    quantity_text,
    wrap,
)
from coopfood.documents.distribution import Distribution, Household, Point
from coopfood.i18n import _, format_date
from coopfood.services import ValidationError


@dataclass(frozen=True)
class LabelLayout:
    """A sheet of labels, in millimetres."""

    columns: int = 3
    rows: int = 8
    label_width: float = 70.0
    label_height: float = 37.0
    top_margin: float = 0.5
    left_margin: float = 0.0
    #: Gaps between two labels side by side / one above the other.
    column_gap: float = 0.0
    row_gap: float = 0.0
    #: White space kept inside each label (printers do not print to the edge).
    padding: float = 4.0
    #: Draw each label's outline (for checking a layout on plain paper).
    outline: bool = False

    def check(self) -> None:
        page_w, page_h = (v / mm for v in PORTRAIT)
        used_w = (self.left_margin + self.columns * self.label_width
                  + (self.columns - 1) * self.column_gap)
        used_h = (self.top_margin + self.rows * self.label_height
                  + (self.rows - 1) * self.row_gap)
        if self.columns < 1 or self.rows < 1:
            raise ValidationError(_("Une planche d'étiquettes a au moins une colonne et une "
                                    "rangée."), field="label_layout")
        if self.label_width < 30 or self.label_height < 20:
            raise ValidationError(_("Les étiquettes doivent mesurer au moins 30 × 20 mm."),
                                  field="label_layout")
        if used_w > page_w + 0.01 or used_h > page_h + 0.01:
            raise ValidationError(
                _("Les étiquettes débordent de la feuille A4 ({w:.0f} × {h:.0f} mm pour "
                  "210 × 297 mm).").format(w=used_w, h=used_h), field="label_layout")

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


DEFAULT_LAYOUT = LabelLayout()


@dataclass(frozen=True)
class LabelSheet:
    coop_name: str
    date: dt.date
    point: Point
    households: tuple[Household, ...]


def label_sheet(distribution: Distribution, point_id: int) -> LabelSheet:
    return LabelSheet(
        coop_name=distribution.coop_name, date=distribution.date,
        point=distribution.point(point_id),
        households=tuple(h for h in distribution.households.get(point_id, ())
                         if any(item.quantity > 0 for item in h.items)))


@dataclass(frozen=True)
class _Label:
    household: Household
    name_lines: tuple[str, ...]
    items: tuple[str, ...]
    continued: bool


NAME_SIZE = 9.5
ITEM_SIZE = 7.2
INFO_SIZE = 7.0


def _labels(data: LabelSheet, layout: LabelLayout) -> list[_Label]:
    inner_w = (layout.label_width - 2 * layout.padding) * mm
    inner_h = (layout.label_height - 2 * layout.padding) * mm
    labels: list[_Label] = []
    for household in data.households:
        name_lines = wrap(printable(household.name), BOLD, NAME_SIZE, inner_w - 14 * mm, 2)
        head = len(name_lines) * NAME_SIZE * 1.15 + INFO_SIZE * 1.65
        per_label = max(1, int((inner_h - head) // (ITEM_SIZE * 1.2)))
        items = [fit(f"{quantity_text(item.quantity, item.unit)}  {printable(item.name)}",
                     CONDENSED, ITEM_SIZE, inner_w)
                 for item in household.items if item.quantity > 0]
        for start in range(0, len(items), per_label):
            labels.append(_Label(household, name_lines, tuple(items[start:start + per_label]),
                                 start > 0))
    return labels


def draw_labels(data: LabelSheet, target: str | Path | BinaryIO, stamp: Stamp,
                layout: LabelLayout = DEFAULT_LAYOUT) -> Stats:
    layout.check()
    labels = _labels(data, layout)
    pages = max(1, -(-len(labels) // layout.per_page))
    _page_w, page_h = PORTRAIT
    # The footer goes in the sheet's bottom margin, or on the bottom labels' white edge.
    bottom_margin = page_h / mm - layout.top_margin - layout.rows * layout.label_height - (
        layout.rows - 1) * layout.row_gap
    footer_y = max(bottom_margin / 2 - 1, 1.5) * mm
    sheet = Sheet(target, title=_("Étiquettes — {point}").format(point=data.point.name),
                  stamp=stamp, total_pages=pages, pagesize=PORTRAIT, footer_y=footer_y)
    info = fit("{point} · {date}".format(point=printable(data.point.name),
                                          date=format_date(data.date, style="short")),
               CONDENSED, INFO_SIZE, (layout.label_width - 2 * layout.padding) * mm)
    total = len(labels)
    if not labels:
        sheet.new_page()
        sheet.text(20 * mm, page_h - 30 * mm, _("Aucune commande à ce point pour cette "
                                                 "distribution."), BOLD, 11)
    for number, label in enumerate(labels):
        slot = number % layout.per_page
        if slot == 0:
            sheet.new_page()
        row, column = divmod(slot, layout.columns)
        x = (layout.left_margin + column * (layout.label_width + layout.column_gap)) * mm
        y_top = page_h - (layout.top_margin + row * (layout.label_height + layout.row_gap)) * mm
        if layout.outline:
            sheet.canvas.setStrokeColorRGB(0.7, 0.7, 0.7)
            sheet.box(x, y_top - layout.label_height * mm, layout.label_width * mm,
                      layout.label_height * mm, 0.3)
            sheet.canvas.setStrokeColorRGB(0, 0, 0)
        inner_x = x + layout.padding * mm
        inner_right = x + (layout.label_width - layout.padding) * mm
        y = y_top - layout.padding * mm - NAME_SIZE * 0.85
        sheet.right(inner_right, y, f"{number + 1} / {total}",
                    CONDENSED_BOLD, 8)
        for line in label.name_lines:
            sheet.text(inner_x, y, line, BOLD, NAME_SIZE)
            y -= NAME_SIZE * 1.15
        y -= 0.2 * mm
        number_text = (f"N° {label.household.row_number} · "
                       if label.household.row_number is not None else "")
        suffix = " · " + _("suite") if label.continued else ""
        sheet.text(inner_x, y, fit(number_text + info + suffix, CONDENSED, INFO_SIZE,
                                   inner_right - inner_x), CONDENSED, INFO_SIZE)
        sheet.hline(inner_x, inner_right, y - INFO_SIZE * 0.4, 0.3)
        y -= INFO_SIZE * 1.65
        for item in label.items:
            sheet.text(inner_x, y, item, CONDENSED, ITEM_SIZE)
            y -= ITEM_SIZE * 1.2
        sheet.stats.rows += 1
    return sheet.save()
