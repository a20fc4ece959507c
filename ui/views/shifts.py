"""Permanences: the roles of a distribution at a point and who holds them; participation.

The « Planning » tab shows one distribution and point at a time (the nearest
to come first): its places, with the households who took them or « à
pourvoir ». « Inscrire… » gives the chosen place to a household picked from
a searchable list; « Désinscrire » frees it; « Rôles… » sets how many places
each role has. « Imprimer le planning… » writes the roster PDF of a period,
« Exporter le calendrier… » a household's or a point's .ics file — the very
services of the command line. The « Participation » tab counts each
household's permanences over a season against the co-op's expectation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.calendar_export import CalendarFile, export_calendar
from coopfood.documents.common import slug
from coopfood.domain.enums import CycleState
from coopfood.i18n import _, ngettext
from coopfood.services import ServiceError
from coopfood.services.lists import CycleRow, list_members, list_points
from coopfood.services.shifts import (
    MAX_PLACES,
    Participation,
    ParticipationRow,
    PointShifts,
    PrintedRoster,
    RoleNeed,
    Slot,
    default_roles,
    participation,
    point_shifts,
    roster_file_name,
    season_of,
    set_roles,
    sign_up,
    withdraw,
    write_roster,
)
from ui.dialogs import form, messages
from ui.dialogs.fields import SearchCombo, ValueCombo
from ui.display import counted, date_text, number_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, data_changed, make_table_view, note_label, title_label
from ui.views.orders import CycleChooser
from ui.worker import run_task

OPEN_COLOUR = QColor("#b00020")


def build_shifts_page(context: PageContext) -> QWidget:
    return ShiftsPage(context)


def coming_first(rows: Sequence[CycleRow], today: dt.date) -> list[CycleRow]:
    """Distributions to come first (the nearest first), then the past ones, newest first."""
    coming = sorted((r for r in rows if r.date >= today
                     and r.state not in (CycleState.DISTRIBUTED, CycleState.INVOICED)),
                    key=lambda r: r.date)
    return coming + sorted((r for r in rows if r not in coming), key=lambda r: r.date,
                           reverse=True)


def holder_text(slot: Slot) -> str:
    return slot.member_name if slot.member_name is not None else _("à pourvoir")


class SlotModel(RowTableModel[Slot]):
    """The places of a distribution at a point; an open place reads red and bold."""

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and not self.row(index.row()).filled and index.column() == 1:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(OPEN_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        return super().data(index, role)


def slot_columns() -> list[Column[Slot]]:
    return [
        Column(_("Rôle"), lambda s: s.role),
        Column(_("Foyer"), holder_text, sort_key=lambda s: (s.member_name or "\uffff")),
    ]


def participation_columns() -> list[Column[ParticipationRow]]:
    return [
        Column(_("Foyer"), lambda r: r.name, elide=True),
        Column(_("Point"), lambda r: r.point, elide=True),
        Column(_("Faites"), lambda r: number_text(r.done), sort_key=lambda r: r.done,
               align=Align.RIGHT, header_tooltip=_("Permanences tenues aux distributions "
                                                   "qui ont eu lieu")),
        Column(_("À venir"), lambda r: number_text(r.upcoming), sort_key=lambda r: r.upcoming,
               align=Align.RIGHT),
        Column(_("Attendues"), lambda r: number_text(r.expected),
               sort_key=lambda r: r.expected, align=Align.RIGHT),
        Column(_("Reste à prendre"), lambda r: number_text(r.missing) if r.missing else "",
               sort_key=lambda r: r.missing, align=Align.RIGHT),
    ]


# --- dialogs ------------------------------------------------------------------------------------


class MemberDialog(QDialog):
    """« Inscrire un foyer » : a household chosen by typing part of its name."""

    def __init__(self, parent: QWidget | None, households: Sequence[tuple[str, int]],
                 *, place: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Inscrire un foyer"))
        self.member: SearchCombo[int] = SearchCombo(households)
        self.member.setAccessibleName(_("Foyer"))
        self.member.setCurrentIndex(-1)
        self.member.setEditText("")
        edit = self.member.lineEdit()
        if edit is not None:
            edit.setPlaceholderText(_("Tapez une partie du nom…"))
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {OPEN_COLOUR.name()};")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Inscrire"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(place))
        row = QFormLayout()
        row.addRow(_("&Foyer :"), self.member)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.resize(460, self.sizeHint().height())

    def _accept(self) -> None:
        if self.member.value() is None:
            self.error.setText(_("Choisissez un foyer de la liste."))
            return
        self.accept()

    def ask(self) -> int | None:
        return self.member.value() if form.run_modal(self) else None


class RolesDialog(QDialog):
    """« Rôles » : how many places each role has at this distribution and point."""

    def __init__(self, parent: QWidget | None, current: Sequence[RoleNeed],
                 template: Sequence[RoleNeed], *, place: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Rôles de la permanence"))
        self._template = tuple(template)
        self.spins: dict[str, QSpinBox] = {}
        self.rows = QFormLayout()
        for need in current:
            self._add_row(need.role, need.count)
        self.new_role = QLineEdit()
        self.new_role.setPlaceholderText(_("Nouveau rôle (par exemple « Accueil »)"))
        self.new_role.setMaxLength(100)
        add = QPushButton(_("Ajouter"))
        add.clicked.connect(self._add_typed)
        self.new_role.returnPressed.connect(self._add_typed)
        self.template_button = QPushButton(_("Reprendre les rôles par défaut"))
        self.template_button.setToolTip(", ".join(f"{r.role} × {r.count}"
                                                  for r in self._template))
        self.template_button.clicked.connect(self._apply_template)
        adding = QHBoxLayout()
        adding.addWidget(self.new_role, 1)
        adding.addWidget(add)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Enregistrer"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note_label(place))
        layout.addWidget(note_label(_("Nombre de places par rôle ; 0 retire le rôle. Une "
                                      "place prise par un foyer n'est jamais retirée.")))
        layout.addLayout(self.rows)
        layout.addLayout(adding)
        layout.addWidget(self.template_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def _add_row(self, role: str, count: int) -> None:
        if role in self.spins:
            self.spins[role].setValue(count)
            return
        spin = QSpinBox()
        spin.setRange(0, MAX_PLACES)
        spin.setValue(count)
        spin.setAccessibleName(role)
        self.spins[role] = spin
        self.rows.addRow(f"{role} :", spin)

    def _add_typed(self) -> None:
        role = " ".join(self.new_role.text().split())
        if role:
            self._add_row(role, max(1, self.spins[role].value() if role in self.spins else 1))
            self.new_role.clear()

    def _apply_template(self) -> None:
        for spin in self.spins.values():
            spin.setValue(0)
        for need in self._template:
            self._add_row(need.role, need.count)

    def _accept(self) -> None:
        # A role typed but not yet added counts: « Enregistrer » must not lose it.
        self._add_typed()
        self.accept()

    def counts(self) -> dict[str, int]:
        return {role: spin.value() for role, spin in self.spins.items()}

    def ask(self) -> dict[str, int] | None:
        return self.counts() if form.run_modal(self) else None


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class RosterDialog(QDialog):
    """« Imprimer le planning » : the period, and one point or all."""

    def __init__(self, parent: QWidget | None, today: dt.date,
                 points: Sequence[tuple[str, int]]) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Imprimer le planning des permanences"))
        self.date_from = QDateEdit(_qdate(today))
        self.date_to = QDateEdit(_qdate(today + dt.timedelta(days=91)))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd/MM/yyyy")
        self.point: ValueCombo[int | None] = ValueCombo(
            [(_("Tous les points"), None), *points], current=None)
        self.point.setAccessibleName(_("Point de distribution"))
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {OPEN_COLOUR.name()};")
        fields = QFormLayout()
        fields.addRow(_("&Du :"), self.date_from)
        fields.addRow(_("&Au :"), self.date_to)
        fields.addRow(_("&Point :"), self.point)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Choisir le fichier…"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _accept(self) -> None:
        if self.date_to.date() < self.date_from.date():
            self.error.setText(_("La date de fin précède la date de début."))
            return
        self.accept()

    def ask(self) -> tuple[dt.date, dt.date, int | None] | None:
        if not form.run_modal(self):
            return None
        return _pydate(self.date_from.date()), _pydate(self.date_to.date()), self.point.value()


class CalendarDialog(QDialog):
    """« Exporter le calendrier » : of a household, or of a point."""

    def __init__(self, parent: QWidget | None, households: Sequence[tuple[str, int]],
                 points: Sequence[tuple[str, int]], current_point: int | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Exporter un calendrier (.ics)"))
        self.for_member = QRadioButton(_("D'un &foyer : ses distributions et ses permanences"))
        self.for_point = QRadioButton(_("D'un &point : ses distributions et leurs "
                                        "permanences"))
        group = QButtonGroup(self)
        group.addButton(self.for_member)
        group.addButton(self.for_point)
        self.for_point.setChecked(True)
        self.member: SearchCombo[int] = SearchCombo(households)
        self.member.setAccessibleName(_("Foyer"))
        self.member.setEditText("")
        self.point: ValueCombo[int] = ValueCombo(points, current=current_point)
        self.point.setAccessibleName(_("Point de distribution"))
        self.member.value_changed.connect(lambda: self.for_member.setChecked(True))
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {OPEN_COLOUR.name()};")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("Choisir le fichier…"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.for_point)
        layout.addWidget(self.point)
        layout.addWidget(self.for_member)
        layout.addWidget(self.member)
        layout.addWidget(note_label(_("Le fichier .ics s'ouvre dans toute application "
                                      "d'agenda (téléphone, Thunderbird, Outlook…).")))
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def _accept(self) -> None:
        if self.for_member.isChecked() and self.member.value() is None:
            self.error.setText(_("Choisissez un foyer de la liste."))
            return
        self.accept()

    def ask(self) -> tuple[str, int] | None:
        """("member", id) or ("point", id)."""
        if not form.run_modal(self):
            return None
        if self.for_member.isChecked():
            member = self.member.value()
            return ("member", member) if member is not None else None
        point = self.point.value()
        return ("point", point) if point is not None else None


# --- the page -----------------------------------------------------------------------------------


class ShiftsPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.entry: PointShifts | None = None
        self.last_roster: PrintedRoster | None = None
        self.last_calendar: CalendarFile | None = None

        self.chooser = CycleChooser(context, order=lambda rows: coming_first(
            rows, context.today()))
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.model = SlotModel(slot_columns(), self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table: QTableView = make_table_view(self.proxy, self)
        self.table.setAccessibleName(_("Places de la permanence"))
        self.table.doubleClicked.connect(lambda _index: self.sign_up_selected())
        self.fitter = ColumnFitter(self.table, slot_columns())

        self.sign_up_button = QPushButton(_("Inscrire…"))
        self.withdraw_button = QPushButton(_("Désinscrire"))
        self.roles_button = QPushButton(_("Rôles…"))
        self.print_button = QPushButton(_("Imprimer le planning…"))
        self.calendar_button = QPushButton(_("Exporter le calendrier…"))
        self.sign_up_button.clicked.connect(self.sign_up_selected)
        self.withdraw_button.clicked.connect(self.withdraw_selected)
        self.roles_button.clicked.connect(self.edit_roles)
        self.print_button.clicked.connect(self.print_roster)
        self.calendar_button.clicked.connect(self.export_calendar)
        actions = QHBoxLayout()
        for button in (self.sign_up_button, self.withdraw_button, self.roles_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.calendar_button)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)

        planning = QWidget()
        planning_layout = QVBoxLayout(planning)
        chooser_row = QHBoxLayout()
        chooser_row.addWidget(self.chooser)
        chooser_row.addStretch(1)
        planning_layout.addLayout(chooser_row)
        planning_layout.addWidget(self.summary)
        planning_layout.addLayout(actions)
        planning_layout.addWidget(self.table, 1)
        planning_layout.addWidget(self.status)

        self.participation_tab = ParticipationTab(context)
        self.tabs = QTabWidget()
        self.tabs.addTab(planning, _("Planning"))
        self.tabs.addTab(self.participation_tab, _("Participation"))
        self.tabs.currentChanged.connect(self._on_tab)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Permanences")))
        layout.addWidget(note_label(_(
            "Les rôles à tenir à chaque distribution et les foyers qui s'y sont inscrits. "
            "Une place « à pourvoir » attend un volontaire.")))
        layout.addWidget(self.tabs, 1)

        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.chooser.changed.connect(self.show_shifts)
        self.chooser.refresh()
        self._update_buttons()

    # --- showing --------------------------------------------------------------------------

    def show_shifts(self, cycle_id: int, point_id: int) -> None:
        try:
            entry = point_shifts(db=self._context.db, actor=self._context.actor,
                                 cycle_id=cycle_id, point_id=point_id)
        except ServiceError as error:
            self.entry = None
            self.model.set_rows([])
            self.summary.setText(str(error))
            self._update_buttons()
            return
        self._show(entry)

    def reload(self) -> None:
        cycle, point = self.chooser.cycle.value(), self.chooser.point_id()
        if cycle is not None and point is not None:
            self.show_shifts(cycle, point)

    def _show(self, entry: PointShifts, select_shift: int | None = None) -> None:
        self.entry = entry
        keep = select_shift if select_shift is not None else self.selected_shift_id()
        self.model.set_rows(entry.slots)
        if not entry.slots:
            self.summary.setText(_("Aucune permanence prévue à ce point pour cette "
                                   "distribution : « Rôles… » pour en prévoir."))
        elif entry.open_count:
            self.summary.setText(_("{open} sur {total} — {slot}").format(
                open=ngettext("{n} place à pourvoir", "{n} places à pourvoir",
                              entry.open_count).format(n=entry.open_count),
                total=number_text(len(entry.slots)),
                slot=f"{entry.start_time:%H:%M}–{entry.end_time:%H:%M}"))
        else:
            self.summary.setText(_("Complet : {n} places tenues — {slot}").format(
                n=number_text(len(entry.slots)),
                slot=f"{entry.start_time:%H:%M}–{entry.end_time:%H:%M}"))
        kept = False
        if keep is not None:
            for row in range(self.proxy.rowCount()):
                slot = self.proxy.row_at(row)
                if isinstance(slot, Slot) and slot.shift_id == keep:
                    self.table.selectRow(row)
                    kept = True
                    break
        # Ready to act: the first place to fill is chosen, else the first place.
        if not kept and not self.select_open_place() and self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def selected_slot(self) -> Slot | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        slot = self.proxy.row_at(rows[0].row())
        return slot if isinstance(slot, Slot) else None

    def selected_shift_id(self) -> int | None:
        slot = self.selected_slot()
        return slot.shift_id if slot is not None else None

    def select_open_place(self, role: str | None = None) -> bool:
        """Select the first place to fill (of `role`); False when there is none."""
        for row in range(self.proxy.rowCount()):
            slot = self.proxy.row_at(row)
            if isinstance(slot, Slot) and not slot.filled and role in (None, slot.role):
                self.table.selectRow(row)
                return True
        return False

    def _update_buttons(self, *_args: object) -> None:
        slot = self.selected_slot()
        self.sign_up_button.setEnabled(slot is not None and not slot.filled)
        self.withdraw_button.setEnabled(slot is not None and slot.filled)
        self.roles_button.setEnabled(self.entry is not None)

    def _place_text(self, slot: Slot | None = None) -> str:
        entry = self.entry
        if entry is None:
            return ""
        text = _("{date} à « {point} »").format(date=date_text(entry.date, style="full"),
                                                point=entry.point)
        return f"« {slot.role} » — {text}" if slot is not None else text

    # --- asking the user (replaced in tests) -------------------------------------------------

    def _households(self) -> list[tuple[str, int]]:
        """The households to choose from: those of the point first, then the others."""
        rows = list_members(db=self._context.db, actor=self._context.actor)
        point = self.entry.point_id if self.entry is not None else None
        ordered = sorted(rows, key=lambda r: r.point_id != point)
        return [(f"{r.name} ({r.point})" if r.point_id != point and r.point else r.name, r.id)
                for r in ordered]

    def ask_member(self, slot: Slot) -> int | None:
        return MemberDialog(self, self._households(), place=self._place_text(slot)).ask()

    def ask_roles(self, entry: PointShifts) -> dict[str, int] | None:
        template = default_roles(db=self._context.db, actor=self._context.actor)
        return RolesDialog(self, entry.roles(), template, place=self._place_text()).ask()

    def _points(self) -> list[tuple[str, int]]:
        return [(p.name, p.id) for p in list_points(db=self._context.db,
                                                    actor=self._context.actor)]

    def ask_roster(self) -> tuple[dt.date, dt.date, int | None] | None:
        return RosterDialog(self, self._context.today(), self._points()).ask()

    def ask_calendar(self) -> tuple[str, int] | None:
        return CalendarDialog(self, self._households(), self._points(),
                              self.chooser.point_id()).ask()

    # --- acting -------------------------------------------------------------------------------

    def _write(self, work: Callable[[], PointShifts], done: str) -> None:
        shift = self.selected_shift_id()

        def succeeded(entry: PointShifts) -> None:
            data_changed()
            self._show(entry, shift)
            self.status.setText(done)

        def failed(error: Exception) -> None:
            self.status.setText(messages.error_text(error))
            messages.show_failure(self, error)
            self.reload()

        run_task(self, lambda _progress: work(), on_success=succeeded, on_failure=failed,
                 cancellable=False)

    def sign_up_selected(self) -> None:
        slot = self.selected_slot()
        if slot is None or slot.filled:
            return
        member_id = self.ask_member(slot)
        if member_id is None:
            return
        db, actor = self._context.db, self._context.actor
        self._write(lambda: sign_up(db=db, actor=actor, shift_id=slot.shift_id,
                                    member_id=member_id),
                    _("Foyer inscrit à la permanence « {role} ».").format(role=slot.role))

    def withdraw_selected(self) -> None:
        slot = self.selected_slot()
        if slot is None or not slot.filled:
            return
        if not messages.confirm(self, title=_("Désinscrire"), action=_("Désinscrire"),
                                text=_("Désinscrire {name} de la permanence « {role} » ? "
                                       "La place redevient à pourvoir.").format(
                                           name=slot.member_name, role=slot.role)):
            return
        db, actor = self._context.db, self._context.actor
        self._write(lambda: withdraw(db=db, actor=actor, shift_id=slot.shift_id),
                    _("{name} n'est plus inscrit à la permanence « {role} ».").format(
                        name=slot.member_name, role=slot.role))

    def edit_roles(self) -> None:
        entry = self.entry
        if entry is None:
            return
        counts = self.ask_roles(entry)
        if counts is None:
            return
        db, actor = self._context.db, self._context.actor
        self._write(lambda: set_roles(db=db, actor=actor, cycle_id=entry.cycle_id,
                                      point_id=entry.point_id, counts=counts),
                    _("Rôles enregistrés."))

    def print_roster(self) -> None:
        chosen = self.ask_roster()
        if chosen is None:
            return
        date_from, date_to, point_id = chosen
        point = next((name for name, pid in self._points() if pid == point_id), None)
        path = messages.choose_save_file(
            self, title=_("Enregistrer le planning"),
            suggested=roster_file_name(date_from, date_to, point),
            filters=_("Document PDF (*.pdf)"))
        if path is None:
            return
        db, actor = self._context.db, self._context.actor

        def written(printed: PrintedRoster) -> None:
            self.last_roster = printed
            self.status.setText(_("Planning enregistré dans {file} ({open}).").format(
                file=printed.path, open=ngettext("{n} place à pourvoir",
                                                 "{n} places à pourvoir",
                                                 printed.open_places).format(
                                                     n=printed.open_places)))

        run_task(self, lambda _progress: write_roster(db=db, actor=actor, date_from=date_from,
                                                      date_to=date_to, path=path,
                                                      point_id=point_id),
                 on_success=written, title=_("Planning des permanences"),
                 label=_("Préparation du planning…"))

    def export_calendar(self) -> None:
        chosen = self.ask_calendar()
        if chosen is None:
            return
        kind, ident = chosen
        names = dict((i, n) for n, i in (self._points() if kind == "point"
                                         else self._households()))
        path = messages.choose_save_file(
            self, title=_("Enregistrer le calendrier"),
            suggested=f"calendrier-{slug(names.get(ident, '')) or ident}.ics",
            filters=_("Calendrier iCalendar (*.ics)"))
        if path is None:
            return
        if path.suffix.lower() != ".ics":
            path = path.with_suffix(".ics")
        db, actor = self._context.db, self._context.actor

        def written(made: CalendarFile) -> None:
            self.last_calendar = made
            self.status.setText(ngettext("{n} événement enregistré dans {file}.",
                                         "{n} événements enregistrés dans {file}.",
                                         made.events).format(n=made.events, file=made.path))

        run_task(self, lambda _progress: export_calendar(
            db=db, actor=actor, path=Path(path),
            member_id=ident if kind == "member" else None,
            point_id=ident if kind == "point" else None),
            on_success=written, title=_("Calendrier"), label=_("Écriture du calendrier…"))

    def _on_tab(self, index: int) -> None:
        if self.tabs.widget(index) is self.participation_tab:
            self.participation_tab.reload()


class ParticipationTab(QWidget):
    """Per household, permanences done over a season against the co-op's expectation."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.result: Participation | None = None
        today = context.today()
        start, _end = season_of(today)
        self.season: ValueCombo[int] = ValueCombo(
            [(f"{year}–{year + 1}", year) for year in range(start.year, start.year - 5, -1)],
            current=start.year)
        self.season.setAccessibleName(_("Saison"))
        self.season.currentIndexChanged.connect(lambda _i: self.reload())
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher un foyer…"))
        self.search.setClearButtonEnabled(True)
        self.only_missing = QComboBox()
        self.only_missing.addItem(_("Tous les foyers"), False)
        self.only_missing.addItem(_("Foyers en retard"), True)
        self.only_missing.currentIndexChanged.connect(lambda _i: self._show())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model: RowTableModel[ParticipationRow] = RowTableModel(participation_columns(),
                                                                    self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self.proxy.set_search)
        self.table = make_table_view(self.proxy, self)
        self.fitter = ColumnFitter(self.table, participation_columns())
        bar = QHBoxLayout()
        season_label = QLabel(_("&Saison :"))
        season_label.setBuddy(self.season)
        bar.addWidget(season_label)
        bar.addWidget(self.season)
        bar.addSpacing(12)
        bar.addWidget(self.only_missing)
        bar.addSpacing(12)
        bar.addWidget(self.search, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def reload(self) -> None:
        year = self.season.value()
        if year is None:
            return
        try:
            self.result = participation(db=self._context.db, actor=self._context.actor,
                                        season_start=dt.date(year, 9, 1),
                                        season_end=dt.date(year + 1, 8, 31))
        except ServiceError as error:
            self.summary.setText(str(error))
            self.result = None
            self.model.set_rows([])
            return
        self._show()

    def _show(self) -> None:
        result = self.result
        if result is None:
            return
        late = bool(self.only_missing.currentData())
        rows = [r for r in result.rows if not late or r.missing]
        self.model.set_rows(rows)
        self.summary.setText(_("Du {start} au {end} — {expected} attendues par foyer. "
                               "{met} sur {total} ont fait les leurs.").format(
            start=date_text(result.season_start), end=date_text(result.season_end),
            expected=counted("{n} permanence", "{n} permanences", result.expected),
            met=number_text(result.met_count), total=counted("{n} foyer", "{n} foyers",
                                                             len(result.rows))))
