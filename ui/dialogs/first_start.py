"""The first-start assistant: create the co-op and its first distribution point, or
discover coopfood with the demonstration co-op.

It is shown on an empty database (a new default base, or an empty one given with
`--db`); everything it writes goes through the services.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.services import Actor, ProgressCallback, ValidationError
from coopfood.services.coop import CoopDetail, CoopInput, checked_coop, save_coop
from coopfood.services.demo import DemoSize, build_demo
from coopfood.services.points import PointDetail, PointInput, checked_point, save_point
from ui.dialogs import messages
from ui.dialogs.coop import LOGO_FILTERS
from ui.dialogs.fields import ValueCombo, line_edit, time_edit
from ui.dialogs.form import FormDialog, new_form
from ui.display import weekday_name
from ui.worker import run_task

#: The point's fields carry this prefix in the dialog: the co-op has fields of the same name.
POINT = "point_"


@dataclass(frozen=True)
class NewCoop:
    coop: CoopInput
    point: PointInput


@dataclass(frozen=True)
class CreatedCoop:
    coop: CoopDetail
    point: PointDetail


def create_coop(*, db: Database, actor: Actor, data: NewCoop) -> CreatedCoop:
    """Save the co-op, then its first point; both are checked before either is written."""
    checked_coop(data.coop)
    try:
        checked_point(data.point)
    except ValidationError as error:
        raise ValidationError(str(error), field=POINT + (error.field or "name")) from None
    coop = save_coop(db=db, actor=actor, data=data.coop)
    try:
        point = save_point(db=db, actor=actor, data=data.point)
    except ValidationError as error:
        raise ValidationError(str(error), field=POINT + (error.field or "name")) from None
    return CreatedCoop(coop=coop, point=point)


class FirstStartDialog(FormDialog[NewCoop]):
    def __init__(self, parent: QWidget | None, *, db: Database, actor: Actor) -> None:
        super().__init__(
            parent, title=_("Bienvenue dans coopfood"),
            save=lambda data: create_coop(db=db, actor=actor, data=data),
            ok_text=_("Créer ma coopérative"))
        self._db = db
        self._actor = actor
        self.logo: bytes | None = None
        #: True once the demonstration co-op is installed.
        self.demo_installed = False

        intro = QLabel(_(
            "<p><b>Bienvenue !</b> Cette base est vide.</p>"
            "<p>Créez votre coopérative (vous pourrez tout compléter plus tard dans "
            "« Fichier → Paramètres de la coopérative »), ou découvrez coopfood avec "
            "une coopérative de démonstration déjà remplie.</p>"))
        intro.setWordWrap(True)
        self.body.addWidget(intro)

        coop_box = QGroupBox(_("Votre coopérative"))
        form = new_form()
        self.name = line_edit("", max_length=200)
        self.name.setPlaceholderText(_("par exemple : AMAP des Coteaux"))
        self.add_field(form, "name", _("Nom"), self.name)
        self.address = line_edit("", max_length=300)
        self.add_field(form, "address", _("Adresse"), self.address)
        self.postal_code = line_edit("", width_chars=8)
        self.add_field(form, "postal_code", _("Code postal"), self.postal_code)
        self.city = line_edit("")
        self.add_field(form, "city", _("Ville"), self.city)
        self.siret = line_edit("", width_chars=18)
        self.add_field(form, "siret", _("SIRET"), self.siret,
                       hint=_("Facultatif : 14 chiffres, imprimés sur les factures."))
        logo_row = QWidget()
        row = QHBoxLayout(logo_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.logo_label = QLabel(_("Aucun logo (facultatif)"))
        self.choose_logo_button = QPushButton(_("Choisir une image…"))
        self.choose_logo_button.clicked.connect(self.choose_logo)
        row.addWidget(self.logo_label, 1)
        row.addWidget(self.choose_logo_button)
        self.add_field(form, "logo", _("Logo"), logo_row, target=self.choose_logo_button)
        self.field_aliases = {"logo_png": "logo", POINT + "start_time": POINT + "end_time"}
        coop_box.setLayout(form)
        self.body.addWidget(coop_box)

        point_box = QGroupBox(_("Premier point de distribution"))
        form = new_form()
        self.point_name = line_edit("", max_length=200)
        self.point_name.setPlaceholderText(_("par exemple : Salle des fêtes"))
        self.add_field(form, POINT + "name", _("Nom du point"), self.point_name)
        self.weekday: ValueCombo[int] = ValueCombo(
            ((weekday_name(day), day) for day in range(7)), current=3)
        self.weekday.setMinimumContentsLength(10)
        self.add_field(form, POINT + "weekday", _("Jour de distribution"), self.weekday)
        self.start_time = time_edit(dt.time(18))
        self.end_time = time_edit(dt.time(19, 30))
        slot = QWidget()
        row = QHBoxLayout(slot)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel(_("de")))
        row.addWidget(self.start_time)
        row.addWidget(QLabel(_("à")))
        row.addWidget(self.end_time)
        row.addStretch(1)
        self.add_field(form, POINT + "end_time", _("Horaire"), slot, target=self.end_time)
        point_box.setLayout(form)
        self.body.addWidget(point_box)

        self.demo_button = self.buttons.addButton(
            _("Découvrir avec la coopérative de démonstration"),
            QDialogButtonBox.ButtonRole.ActionRole)
        self.demo_button.clicked.connect(self.choose_demo)
        self.cancel_button.setText(_("Quitter"))
        self.ok_button.setDefault(True)
        self.resize(640, self.sizeHint().height())

    def choose_logo(self) -> None:
        path = messages.choose_open_file(self, title=_("Choisir le logo de la coopérative"),
                                         filters=_(LOGO_FILTERS))
        if path is not None:
            self.load_logo(path)

    def load_logo(self, path: Path) -> None:
        self.clear_error("logo")
        try:
            self.logo = path.read_bytes()
        except OSError as error:
            self.show_error(ValidationError(messages.error_text(error), field="logo_png"))
            return
        self.logo_label.setText(path.name)

    def collect(self) -> NewCoop:
        start, end = self.start_time.time(), self.end_time.time()
        return NewCoop(
            coop=CoopInput(name=self.name.text(), address=self.address.text(),
                           postal_code=self.postal_code.text(), city=self.city.text(),
                           siret=self.siret.text(), logo_png=self.logo),
            point=PointInput(name=self.point_name.text(), weekday=self.weekday.value() or 0,
                             start_time=dt.time(start.hour(), start.minute()),
                             end_time=dt.time(end.hour(), end.minute()),
                             city=self.city.text()),
        )

    def choose_demo(self) -> None:
        """« Découvrir avec la coopérative de démonstration »: the small demo, built off
        the GUI thread."""
        if self._busy:
            return
        self.clear_errors()
        self._set_busy(True)
        self.demo_button.setEnabled(False)
        db, actor = self._db, self._actor

        def work(progress: ProgressCallback) -> object:
            return build_demo(db=db, actor=actor, size=DemoSize.SMALL, seed=1, progress=progress)

        def installed(_summary: object) -> None:
            self._set_busy(False)
            self.demo_installed = True
            self.accept()

        def failed(error: Exception) -> None:
            self.demo_button.setEnabled(True)
            self._failed(error)

        run_task(self, work, on_success=installed, on_failure=failed, title=self.windowTitle(),
                 label=_("Installation de la coopérative de démonstration…"))


def ask_first_start(parent: QWidget | None, *, db: Database, actor: Actor) -> bool:
    """Show the assistant on an empty base; True once the base holds a co-op."""
    dialog = FirstStartDialog(parent, db=db, actor=actor)
    dialog.ask()
    return dialog.demo_installed or dialog.saved is not None
