"""Distribution: its date, points, order deadline, name and shortfall rule; and the reason
asked before reopening a closed one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QWidget,
)

from coopfood.domain.enums import CycleState, ShortfallRule
from coopfood.i18n import _
from coopfood.services.cycles import (
    CycleDetail,
    TransitionResult,
    create_cycle,
    get_cycle,
    transition,
    update_cycle,
)
from coopfood.services.lists import PointRow, list_cycles, list_points
from ui.dialogs.fields import (
    OptionalDateEdit,
    ValueCombo,
    date_edit,
    from_qdate,
    line_edit,
    time_edit,
)
from ui.dialogs.form import FormDialog, new_form
from ui.views.context import PageContext

#: The order deadline a new distribution suggests: two days before, at 20:00.
DEADLINE_DAYS_BEFORE = 2
DEADLINE_TIME = dt.time(20, 0)
POINT_COLUMNS = 2


@dataclass(frozen=True)
class CycleInput:
    date: dt.date
    point_ids: tuple[int, ...]
    #: In the computer's local time (the service stores it in UTC); None: no deadline.
    order_deadline: dt.datetime | None
    name: str
    shortfall_rule: ShortfallRule


def shortfall_rule_items() -> list[tuple[str, ShortfallRule]]:
    """The rules with their French labels, as a combo lists them."""
    return [(rule.label, rule) for rule in ShortfallRule]


class CycleDialog(FormDialog[CycleInput]):
    def __init__(self, parent: QWidget | None, *, cycle: CycleDetail | None,
                 points: Sequence[PointRow], default_date: dt.date,
                 save: Callable[[CycleInput], object] | None) -> None:
        title = (_("Distribution — {label}").format(label=cycle.label) if cycle
                 else _("Nouvelle distribution"))
        super().__init__(parent, title=title, save=save)
        c = cycle
        form = new_form()
        self.date = date_edit(c.date if c else default_date)
        self.add_field(form, "date", _("Date de distribution"), self.date)

        self.points_box = QFrame()
        grid = QGridLayout(self.points_box)
        grid.setContentsMargins(0, 0, 0, 0)
        chosen = {p.id for p in c.points} if c else {p.id for p in points}
        self.point_checks: dict[int, QCheckBox] = {}
        for number, point in enumerate(points):
            check = QCheckBox(point.name)
            check.setChecked(point.id in chosen)
            grid.addWidget(check, number // POINT_COLUMNS, number % POINT_COLUMNS)
            self.point_checks[point.id] = check
        if not points:
            grid.addWidget(QLabel(_("Aucun point de distribution : créez-en un d'abord.")))
        self.add_field(form, "point_ids", _("Points de distribution"), self.points_box,
                       target=next(iter(self.point_checks.values()), self.points_box))

        deadline = c.order_deadline.astimezone() if c and c.order_deadline else None
        suggested = (c.date if c else default_date) - dt.timedelta(days=DEADLINE_DAYS_BEFORE)
        self.deadline_date = OptionalDateEdit(
            deadline.date() if deadline else (None if c else suggested),
            none_text=_("pas de date limite"), default=suggested, clear_text=_("Aucune"))
        moment = deadline.time() if deadline else DEADLINE_TIME
        self.deadline_time = time_edit(dt.time(moment.hour, moment.minute))
        deadline_row = QWidget()
        row = QHBoxLayout(deadline_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.deadline_date)
        row.addWidget(QLabel(_("à")))
        row.addWidget(self.deadline_time)
        row.addStretch(1)
        self.add_field(form, "order_deadline", _("Fin des commandes"), deadline_row,
                       target=self.deadline_date)

        self.name = line_edit(c.name if c else "", max_length=200,
                              placeholder=_("Facultatif : « Distribution de Noël »"))
        self.add_field(form, "name", _("Nom"), self.name)
        self.shortfall_rule: ValueCombo[ShortfallRule] = ValueCombo(
            shortfall_rule_items(), current=c.shortfall_rule if c else ShortfallRule.PRO_RATA)
        self.shortfall_rule.setMinimumContentsLength(20)
        self.add_field(
            form, "shortfall_rule", _("Répartition des manques"), self.shortfall_rule,
            hint=_("Quand des colis sont coupés et qu'il y a moins d'unités que de commandes : "
                   "au prorata de chaque commande, par ordre d'arrivée des commandes, ou sans "
                   "répartition (chacun garde sa commande et le manque est signalé)."))
        self.body.addLayout(form)
        self.resize(600, self.sizeHint().height())

    def collect(self) -> CycleInput:
        day = from_qdate(self.date.date())
        deadline_day = self.deadline_date.date()
        deadline = None
        if deadline_day is not None:
            moment: QTime = self.deadline_time.time()
            deadline = dt.datetime.combine(deadline_day, dt.time(moment.hour(), moment.minute()))
        return CycleInput(
            date=day,
            point_ids=tuple(pid for pid, check in self.point_checks.items() if check.isChecked()),
            order_deadline=deadline,
            name=self.name.text(),
            shortfall_rule=self.shortfall_rule.value() or ShortfallRule.PRO_RATA,
        )


def next_distribution_date(context: PageContext) -> dt.date:
    """A week after the latest distribution (or after today, when it is past)."""
    cycles = list_cycles(db=context.db, actor=context.actor)
    latest = max((c.date for c in cycles), default=context.today())
    return max(latest, context.today()) + dt.timedelta(days=7)


def ask_cycle(parent: QWidget | None, context: PageContext,
              cycle_id: int | None = None) -> CycleDetail | None:
    """Create (no id) or change a distribution; the saved distribution, or None."""
    db, actor = context.db, context.actor
    cycle = get_cycle(db=db, actor=actor, cycle_id=cycle_id) if cycle_id else None
    points = list_points(db=db, actor=actor)
    if cycle is not None:  # a point archived since still shows, to be kept or taken off
        known = {p.id for p in points}
        on_cycle = {p.id for p in cycle.points}
        points = points + [p for p in list_points(db=db, actor=actor, include_archived=True)
                           if p.id in on_cycle and p.id not in known]

    def save(data: CycleInput) -> CycleDetail:
        if cycle is None:
            return create_cycle(db=db, actor=actor, date=data.date, point_ids=data.point_ids,
                                order_deadline=data.order_deadline, name=data.name,
                                shortfall_rule=data.shortfall_rule)
        return update_cycle(db=db, actor=actor, cycle_id=cycle.id, date=data.date,
                            point_ids=data.point_ids, order_deadline=data.order_deadline,
                            name=data.name, shortfall_rule=data.shortfall_rule,
                            expected_version=cycle.version)

    default = next_distribution_date(context) if cycle is None else cycle.date
    dialog = CycleDialog(parent, cycle=cycle, points=points, default_date=default, save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, CycleDetail) else None


class ReopenDialog(FormDialog[str]):
    """The reason for reopening a closed distribution (kept in its history)."""

    def __init__(self, parent: QWidget | None, *, label: str,
                 save: Callable[[str], object] | None) -> None:
        super().__init__(parent, title=_("Rouvrir la distribution"), save=save,
                         ok_text=_("Rouvrir"))
        explanation = QLabel(_("La {cycle} est clôturée. La rouvrir permet de changer les "
                               "commandes ; les répartitions faites à la clôture sont "
                               "effacées et refaites à la prochaine clôture.").format(
            cycle=label.lower()))
        explanation.setWordWrap(True)
        self.body.addWidget(explanation)
        form = new_form()
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(_("Par exemple : commande oubliée de la famille "
                                         "Martin"))
        self.reason.setTabChangesFocus(True)
        self.reason.setMaximumHeight(self.fontMetrics().height() * 5)
        self.add_field(form, "reason", _("Motif"), self.reason,
                       hint=_("Gardé dans l'historique de la distribution."))
        self.body.addLayout(form)
        self.resize(520, self.sizeHint().height())

    def collect(self) -> str:
        return self.reason.toPlainText()


def ask_reopen(parent: QWidget | None, context: PageContext, *, cycle_id: int,
               label: str) -> TransitionResult | None:
    """Ask why, then reopen; what the service did, or None if the user gave up."""
    db, actor = context.db, context.actor

    def save(reason: str) -> TransitionResult:
        return transition(db=db, actor=actor, cycle_id=cycle_id, to_state=CycleState.OPEN,
                          reason=reason)

    dialog = ReopenDialog(parent, label=label, save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, TransitionResult) else None
