"""Logging in, in multi-user mode: who opens the window acts with its account's role.

`actor_for_window(db)` gives the local administrator on a single-user base,
and asks for a login and password on a multi-user one (None: the user gave
up, the window does not open). The password is checked off the GUI thread
(scrypt takes a tenth of a second); a refusal — a wrong password, an account
that must wait after failures — shows under the password, in French.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, ValidationError
from coopfood.services.coop import get_coop
from coopfood.services.users import LoginRefused, Mode, authenticate, get_mode
from ui import settings as preferences
from ui.dialogs.fields import line_edit
from ui.dialogs.form import FormDialog, new_form

#: The last login typed on this computer, offered at the next start.
LAST_LOGIN = "users/last_login"


@dataclass(frozen=True)
class Credentials:
    login: str
    password: str


class LoginDialog(FormDialog[Credentials]):
    def __init__(self, parent: QWidget | None, *, db: Database, coop_name: str = "") -> None:
        super().__init__(parent, title=_("coopfood — connexion"), save=self._authenticate,
                         ok_text=_("Se connecter"))
        self._db = db
        self.cancel_button.setText(_("Quitter"))
        heading = QLabel(coop_name or "coopfood")
        heading.setTextFormat(Qt.TextFormat.PlainText)  # a co-op's name may hold "<"
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        intro = QLabel(_("Identifiez-vous avec le compte que l'administrateur de la "
                         "coopérative vous a créé."))
        intro.setWordWrap(True)
        self.body.addWidget(heading)
        self.body.addWidget(intro)
        form = new_form()
        last = preferences.settings().value(LAST_LOGIN, "")
        self.login = line_edit(last if isinstance(last, str) else "", max_length=60)
        self.login.setAccessibleName(_("Identifiant"))
        self.add_field(form, "login", _("Identifiant"), self.login)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Mot de passe"))
        self.add_field(form, "password", _("Mot de passe"), self.password)
        self.body.addLayout(form)
        self.resize(440, self.sizeHint().height())
        (self.password if self.login.text() else self.login).setFocus()

    def collect(self) -> Credentials:
        if not self.login.text().strip():
            raise ValidationError(_("Tapez votre identifiant."), field="login")
        if not self.password.text():
            raise ValidationError(_("Tapez votre mot de passe."), field="password")
        return Credentials(self.login.text().strip(), self.password.text())

    def _authenticate(self, credentials: Credentials) -> Actor:
        try:
            return authenticate(db=self._db, login=credentials.login,
                                password=credentials.password)
        except LoginRefused as refused:
            # Under the password, where the user looks: not in a box over the dialog.
            raise ValidationError(str(refused), field="password") from None

    @property
    def actor(self) -> Actor | None:
        """Who logged in, once the password is checked."""
        return self.saved if isinstance(self.saved, Actor) else None

    def show_error(self, error: ValidationError) -> None:
        super().show_error(error)
        if error.field == "password":
            self.password.selectAll()


def actor_for_window(db: Database, parent: QWidget | None = None) -> Actor | None:
    """Who uses the window: the local administrator, or the user who logged in (None when
    the user gave up)."""
    if get_mode(db=db) is Mode.SINGLE:
        return LOCAL_ADMIN
    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    dialog = LoginDialog(parent, db=db, coop_name=coop.name if coop is not None else "")
    if dialog.ask() is None or dialog.actor is None:
        return None
    preferences.write(LAST_LOGIN, dialog.login.text().strip().lower())
    return dialog.actor
