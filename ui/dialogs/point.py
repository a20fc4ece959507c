"""Point de distribution: name, address, weekday and time slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from coopfood.i18n import _
from coopfood.services.points import PointDetail, PointInput, get_point, save_point
from ui.dialogs.fields import ValueCombo, line_edit, time_edit
from ui.dialogs.form import FormDialog, new_form
from ui.display import weekday_name
from ui.views.context import PageContext


class PointDialog(FormDialog[PointInput]):
    def __init__(self, parent: QWidget | None, *, point: PointDetail | None,
                 save: Callable[[PointInput], object] | None) -> None:
        title = (_("Point de distribution — {name}").format(name=point.name) if point
                 else _("Nouveau point de distribution"))
        super().__init__(parent, title=title, save=save)
        p = point
        form = new_form()
        self.name = line_edit(p.name if p else "", max_length=200)
        self.add_field(form, "name", _("Nom"), self.name)
        self.address = line_edit(p.address if p else "", max_length=300)
        self.add_field(form, "address", _("Adresse"), self.address)
        self.postal_code = line_edit(p.postal_code if p else "", width_chars=8)
        self.add_field(form, "postal_code", _("Code postal"), self.postal_code)
        self.city = line_edit(p.city if p else "")
        self.add_field(form, "city", _("Ville"), self.city)
        self.weekday: ValueCombo[int] = ValueCombo(
            ((weekday_name(day), day) for day in range(7)), current=p.weekday if p else 3)
        self.weekday.setMinimumContentsLength(10)
        self.add_field(form, "weekday", _("Jour de distribution"), self.weekday)
        self.start_time = time_edit(p.start_time if p else dt.time(18))
        self.end_time = time_edit(p.end_time if p else dt.time(19, 30))
        slot = QWidget()
        row = QHBoxLayout(slot)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(_("de")))
        row.addWidget(self.start_time)
        row.addWidget(QLabel(_("à")))
        row.addWidget(self.end_time)
        row.addStretch(1)
        self.add_field(form, "end_time", _("Horaire"), slot, target=self.end_time)
        self.field_aliases = {"start_time": "end_time"}
        self.body.addLayout(form)
        self.resize(520, self.sizeHint().height())

    def collect(self) -> PointInput:
        start, end = self.start_time.time(), self.end_time.time()
        return PointInput(
            name=self.name.text(),
            weekday=self.weekday.value() or 0,
            start_time=dt.time(start.hour(), start.minute()),
            end_time=dt.time(end.hour(), end.minute()),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
        )


def ask_point(parent: QWidget | None, context: PageContext,
              point_id: int | None = None) -> PointDetail | None:
    """Create (no id) or edit a distribution point; the saved point, or None."""
    db, actor = context.db, context.actor
    point = get_point(db=db, actor=actor, point_id=point_id) if point_id else None

    def save(data: PointInput) -> PointDetail:
        return save_point(db=db, actor=actor, data=data, point_id=point_id,
                          expected_version=point.version if point else None)

    dialog = PointDialog(parent, point=point, save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, PointDetail) else None
