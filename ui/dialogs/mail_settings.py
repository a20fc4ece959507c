"""Envoi des e-mails: the co-op's SMTP server, the sender, each point's own addresses for its
sign-in sheet, and « Tester la connexion ».

The password goes to the system keyring, never to the database. Where no
keyring is usable, a password typed here or at sending time is kept in this
module's memory until coopfood closes (`remember_password`), and asked again
at the next start.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _
from coopfood.services import ServiceError, ValidationError
from coopfood.services.lists import PointRow, list_points
from coopfood.services.mail import (
    AuthenticationRefused,
    ConnectionReport,
    MailSettings,
    MailSettingsInput,
    PasswordNeeded,
    PasswordPlace,
    SavedMailSettings,
    Security,
    check_mail_settings,
    get_mail_settings,
    keyring_usable,
    point_recipients,
    save_mail_settings,
    try_connection,
)
from ui.dialogs import messages
from ui.dialogs.fields import ValueCombo, line_edit
from ui.dialogs.form import ERROR_COLOUR, FormDialog, new_form, run_modal
from ui.views.context import PageContext
from ui.worker import Operation, run_task

OK_COLOUR = "#1b6e20"

# --- the password of this session ----------------------------------------------------------

#: Passwords typed while no keyring keeps them, by account (« login@host »): gone at exit.
_session_passwords: dict[str, str] = {}


def remembered_password(account: str) -> str | None:
    return _session_passwords.get(account)


def remember_password(account: str, password: str) -> None:
    _session_passwords[account] = password


def forget_remembered_password(account: str) -> None:
    _session_passwords.pop(account, None)


def ask_password(parent: QWidget | None, account: str, *, retry: bool = False) -> str | None:
    """The password of `account`, typed without echo; None if the user gave up. Tests
    replace this function."""
    text = _("Mot de passe du compte {account} :").format(account=account)
    if retry:
        text = _("Mot de passe refusé par le serveur. {text}").format(text=text)
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(_("Envoi des e-mails"))
    dialog.setLabelText(text)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setOkButtonText(_("OK"))
    dialog.setCancelButtonText(_("Annuler"))
    if run_modal(dialog) != QInputDialog.DialogCode.Accepted or not dialog.textValue():
        return None
    return dialog.textValue()


# --- the dialog ---------------------------------------------------------------------------


def password_note(usable: bool) -> str:
    if usable:
        return _("Gardé dans le trousseau du système, jamais dans la base. Laissez vide pour "
                 "garder celui qui est enregistré.")
    return _("Aucun trousseau système ici : le mot de passe n'est pas enregistré. Saisi, il "
             "est gardé en mémoire jusqu'à la fermeture de coopfood, et redemandé ensuite.")


class MailSettingsDialog(FormDialog[MailSettingsInput]):
    """The server's settings; `save` keeps them (see `open_mail_settings`)."""

    def __init__(self, parent: QWidget | None, *, settings: MailSettings,
                 recipients: Mapping[int, Sequence[str]], points: Sequence[PointRow],
                 coop_name: str, save: Callable[[MailSettingsInput], object] | None,
                 test: Callable[[MailSettings, str | None], ConnectionReport] | None = None,
                 keyring_ok: bool = True) -> None:
        super().__init__(parent, title=_("Envoi des e-mails"), save=save)
        self._test = test
        self._known = settings
        self.test_operation: Operation | None = None

        server_box = QGroupBox(_("Serveur d'envoi (SMTP)"))
        form = new_form()
        self.host = line_edit(settings.host, placeholder=_("smtp.exemple.fr"), max_length=253)
        self.add_field(form, "host", _("Serveur"), self.host,
                       hint=_("Celui que donne votre fournisseur de messagerie ou "
                              "d'hébergement."))
        self.security: ValueCombo[Security] = ValueCombo(
            ((s.label, s) for s in Security), current=settings.security)
        self.security.setMinimumContentsLength(28)
        self.add_field(form, "security", _("Sécurité"), self.security)
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(settings.port)
        self.port.setAccessibleName(_("Port"))
        self.port.setMaximumWidth(self.port.fontMetrics().horizontalAdvance("000000") + 48)
        self.add_field(form, "port", _("Port"), self.port)
        self._last_security = settings.security
        self.security.currentIndexChanged.connect(self._security_changed)
        self.login = line_edit(settings.login, max_length=200)
        self.add_field(form, "login", _("Identifiant"), self.login,
                       hint=_("Souvent l'adresse e-mail du compte ; vide si le serveur "
                              "n'en demande pas."))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(_("Mot de passe"))
        self.add_field(form, "password", _("Mot de passe"), self.password,
                       hint=password_note(keyring_ok))
        server_box.setLayout(form)

        sender_box = QGroupBox(_("Expéditeur"))
        sender_form = new_form()
        self.sender_address = line_edit(settings.sender, placeholder=_("contact@exemple.fr"),
                                max_length=200)
        self.add_field(sender_form, "sender", _("Adresse"), self.sender_address,
                       hint=_("L'adresse d'où partent les messages : celle du compte, le "
                              "plus souvent."))
        self.sender_name = line_edit(settings.sender_name, placeholder=coop_name,
                                     max_length=200)
        self.add_field(sender_form, "sender_name", _("Nom"), self.sender_name,
                       hint=_("Vide : le nom de la coopérative."))
        sender_box.setLayout(sender_form)

        points_box = QGroupBox(_("Feuilles d'émargement : adresses des points"))
        points_layout = QVBoxLayout(points_box)
        explanation = QLabel(_("Chaque feuille part aux foyers inscrits à la permanence "
                               "« Coordinateur » de son point, et aux adresses données ici "
                               "(séparées par des virgules)."))
        explanation.setWordWrap(True)
        points_layout.addWidget(explanation)
        points_form = new_form()
        self.point_fields: dict[int, QLineEdit] = {}
        for point in points:
            edit = line_edit(", ".join(recipients.get(point.id, ())),
                             placeholder=_("coordination@exemple.fr"))
            self.add_field(points_form, f"point.{point.id}", point.name, edit)
            self.point_fields[point.id] = edit
        if not points:
            points_layout.addWidget(QLabel(_("Aucun point de distribution.")))
        points_layout.addLayout(points_form)

        self.test_button = QPushButton(_("Tester la connexion"))
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.PlainText)
        self.test_result.setObjectName("testResult")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignTop)
        test_row.addWidget(self.test_result, 1)

        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(server_box)
        column.addLayout(test_row)
        column.addWidget(sender_box)
        column.addWidget(points_box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        self.body.addWidget(scroll)
        self.resize(720, 720)

    def _security_changed(self, *_args: object) -> None:
        chosen = self.security.value()
        if chosen is None:
            return
        # The usual port goes with the security, unless the user typed another one.
        if self.port.value() == self._last_security.default_port:
            self.port.setValue(chosen.default_port)
        self._last_security = chosen

    def collect(self) -> MailSettingsInput:
        return MailSettingsInput(
            host=self.host.text(), port=self.port.value(),
            security=self.security.value() or Security.STARTTLS, login=self.login.text().strip(),
            sender=self.sender_address.text(), sender_name=self.sender_name.text(),
            password=self.password.text() or None,
            point_recipients={pid: edit.text() for pid, edit in self.point_fields.items()})

    # --- « Tester la connexion » --------------------------------------------------------

    def test_connection(self) -> None:
        """Try the settings as typed (not saved yet), off the GUI thread."""
        if self._test is None or self.test_operation is not None:
            return
        self.clear_errors()
        try:
            data = self.collect()
            settings = check_mail_settings(data)
        except ValidationError as error:
            self.show_error(error)
            return
        password = data.password or remembered_password(settings.account)
        test = self._test
        self.test_button.setEnabled(False)
        self._show_test(_("Connexion à {server}…").format(server=settings.server), None)
        self.test_operation = run_task(
            self, lambda _progress: test(settings, password),
            on_success=self._tested, on_failure=self._test_failed,
            title=_("Tester la connexion"), label=_("Connexion au serveur…"),
            cancellable=False)

    def _tested(self, report: ConnectionReport) -> None:
        self.test_operation = None
        self.test_button.setEnabled(True)
        self._show_test(report.text, True)

    def _test_failed(self, error: Exception) -> None:
        self.test_operation = None
        self.test_button.setEnabled(True)
        if isinstance(error, PasswordNeeded):
            self._show_test(_("Saisissez le mot de passe pour tester la connexion."), False)
            self.password.setFocus()
        elif isinstance(error, ValidationError) and self.field_key(error.field):
            self._show_test("", None)
            self.show_error(error)
        else:
            self._show_test(messages.error_text(error), False)

    def _show_test(self, text: str, ok: bool | None) -> None:
        colour = "" if ok is None else (OK_COLOUR if ok else ERROR_COLOUR)
        self.test_result.setStyleSheet(f"color: {colour};" if colour else "")
        self.test_result.setText(text)


def open_mail_settings(parent: QWidget | None, context: PageContext) -> SavedMailSettings | None:
    """Show the server's settings and keep them; what was saved, or None."""
    db, actor = context.db, context.actor
    from coopfood.services.coop import get_coop

    try:
        settings = get_mail_settings(db=db, actor=actor)
        recipients = point_recipients(db=db, actor=actor)
        points = list_points(db=db, actor=actor)
        coop = get_coop(db=db, actor=actor)
    except ServiceError as error:
        messages.show_error(parent, str(error))
        return None

    def save(data: MailSettingsInput) -> SavedMailSettings:
        saved = save_mail_settings(db=db, actor=actor, data=data)
        if data.password and saved.password is PasswordPlace.NOT_KEPT:
            remember_password(saved.settings.account, data.password)
        return saved

    def test(settings: MailSettings, password: str | None) -> ConnectionReport:
        try:
            return try_connection(db=db, actor=actor, settings=settings, password=password)
        except AuthenticationRefused:
            forget_remembered_password(settings.account)
            raise

    dialog = MailSettingsDialog(parent, settings=settings, recipients=recipients,
                                points=points, coop_name=coop.name if coop else "",
                                save=save, test=test, keyring_ok=keyring_usable())
    dialog.ask()
    return dialog.saved if isinstance(dialog.saved, SavedMailSettings) else None
