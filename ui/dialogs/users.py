"""« Fichier → Utilisateurs… » (administrators): the mode and the accounts.

The mode: a laptop with no login (« poste unique »), or accounts with
passwords and roles (« multi-utilisateur ») — switching to it needs an
administrator account first, which the dialog offers to create. The
accounts: create, edit (role, points of a coordinator, producer of a
producer account), set a new password, deactivate. Everything goes through
coopfood.services.users, which keeps it in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _, format_datetime
from coopfood.services import Role, ValidationError, users
from coopfood.services.lists import list_points, list_producers
from coopfood.services.users import Mode, UserInput, UserRow
from ui.dialogs import form, messages
from ui.dialogs.fields import ValueCombo, line_edit
from ui.dialogs.form import FormDialog, new_form
from ui.display import MISSING, for_screen
from ui.table_model import Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import run_task


def _password_field() -> QLineEdit:
    edit = QLineEdit()
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(users.PASSWORD_MAX_LENGTH)
    return edit


def _same_passwords(first: QLineEdit, second: QLineEdit) -> str:
    password = first.text()
    users.check_password(password)
    if second.text() != password:
        raise ValidationError(_("Les deux mots de passe diffèrent : tapez le même deux fois."),
                              field="confirm")
    return password


@dataclass(frozen=True)
class AccountInput:
    data: UserInput
    #: For a new account only.
    password: str = ""


class UserDialog(FormDialog[AccountInput]):
    """A new account (with its first password) or an account's login, name and role."""

    def __init__(self, parent: QWidget | None, *, user: UserRow | None,
                 points: Sequence[tuple[str, int]], producers: Sequence[tuple[str, int]],
                 save: Callable[[AccountInput], object] | None) -> None:
        title = (_("Utilisateur — {login}").format(login=user.login) if user
                 else _("Nouvel utilisateur"))
        super().__init__(parent, title=title, save=save)
        self._new = user is None
        u = user
        layout = new_form()
        self.login = line_edit(u.login if u else "", max_length=60,
                               placeholder=_("par exemple marie.durand"))
        self.add_field(layout, "login", _("Identifiant"), self.login)
        self.display_name = line_edit(u.display_name if u else "", max_length=200)
        self.add_field(layout, "display_name", _("Nom affiché"), self.display_name,
                       hint=_("Il figure dans le journal des modifications."))
        self.role: ValueCombo[Role] = ValueCombo(((role.label, role) for role in Role),
                                                 current=u.role if u else Role.COORDINATOR)
        self.add_field(layout, "role", _("Rôle"), self.role, hint=_(
            "Coordinateur : les foyers, commandes et feuilles de ses points. Trésorier : "
            "l'argent, les factures, la banque. Producteur : ses propres listes, factures et "
            "paiements, en lecture."))
        self.points = QListWidget()
        self.points.setAccessibleName(_("Points de distribution"))
        chosen = set(u.point_ids) if u else set()
        for name, point_id in points:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, point_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if point_id in chosen
                               else Qt.CheckState.Unchecked)
            self.points.addItem(item)
        self.points.setMaximumHeight(110)
        self.add_field(layout, "point_ids", _("Points coordonnés"), self.points)
        self.producer: ValueCombo[int | None] = ValueCombo(
            [(MISSING, None), *producers], current=u.producer_id if u else None)
        self.add_field(layout, "producer_id", _("Producteur"), self.producer)
        self.password = _password_field()
        self.confirm = _password_field()
        if user is None:
            self.add_field(layout, "password", _("Mot de passe"), self.password, hint=_(
                "Au moins {n} caractères ; la personne pourra le changer.").format(
                    n=users.PASSWORD_MIN_LENGTH))
            self.add_field(layout, "confirm", _("Le même, à nouveau"), self.confirm)
        self.body.addLayout(layout)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.resize(560, self.sizeHint().height())

    def _role_changed(self, *_args: object) -> None:
        role = self.role.value()
        self.points.setEnabled(role is Role.COORDINATOR)
        self.producer.setEnabled(role is Role.PRODUCER)

    def chosen_points(self) -> list[int]:
        return [int(self.points.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.points.count())
                if self.points.item(i).checkState() == Qt.CheckState.Checked]

    def collect(self) -> AccountInput:
        role = self.role.value() or Role.COORDINATOR
        data = UserInput(login=self.login.text(), display_name=self.display_name.text(),
                         role=role, point_ids=self.chosen_points(),
                         producer_id=self.producer.value())
        if self._new:
            return AccountInput(data, _same_passwords(self.password, self.confirm))
        return AccountInput(data)


class PasswordDialog(FormDialog[str]):
    """A new password for an account, typed twice."""

    def __init__(self, parent: QWidget | None, *, login: str,
                 save: Callable[[str], object] | None) -> None:
        super().__init__(parent, title=_("Nouveau mot de passe — {login}").format(login=login),
                         save=save)
        layout = new_form()
        self.password = _password_field()
        self.add_field(layout, "password", _("Nouveau mot de passe"), self.password,
                       hint=_("Au moins {n} caractères : une phrase de quelques mots est "
                              "facile à retenir.").format(n=users.PASSWORD_MIN_LENGTH))
        self.confirm = _password_field()
        self.add_field(layout, "confirm", _("Le même, à nouveau"), self.confirm)
        self.body.addLayout(layout)
        self.resize(460, self.sizeHint().height())

    def collect(self) -> str:
        return _same_passwords(self.password, self.confirm)


def _state(row: UserRow, now: dt.datetime) -> str:
    if not row.active:
        return _("Désactivé")
    if row.locked_until is not None and row.locked_until > now:
        return _("En attente (essais manqués)")
    return _("Actif")


def user_columns(now: Callable[[], dt.datetime]) -> list[Column[UserRow]]:
    return [
        Column(_("Identifiant"), lambda r: r.login),
        Column(_("Nom affiché"), lambda r: r.display_name, elide=True),
        Column(_("Rôle"), lambda r: r.role.label),
        Column(_("Points ou producteur"), lambda r: ", ".join(r.points) or r.producer,
               elide=True),
        Column(_("État"), lambda r: _state(r, now())),
        Column(_("Dernière connexion"), lambda r: (for_screen(format_datetime(r.last_login_at))
                                                   if r.last_login_at else MISSING),
               sort_key=lambda r: r.last_login_at),
    ]


class UsersDialog(QDialog):
    def __init__(self, parent: QWidget | None, context: PageContext) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Utilisateurs"))
        self._context = context
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        self.mode_button = QPushButton()
        self.mode_button.clicked.connect(self.switch_mode)
        columns = user_columns(lambda: dt.datetime.now(dt.UTC))
        self.model: RowTableModel[UserRow] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.table.setAccessibleName(_("Comptes"))
        self.column_fitter = ColumnFitter(self.table, columns)
        self.new_button = QPushButton(_("Nouveau…"))
        self.edit_button = QPushButton(_("Modifier…"))
        self.password_button = QPushButton(_("Mot de passe…"))
        self.active_button = QPushButton(_("Désactiver"))
        self.new_button.clicked.connect(self.new_user)
        self.edit_button.clicked.connect(self.edit_user)
        self.password_button.clicked.connect(self.change_password)
        self.active_button.clicked.connect(self.toggle_active)
        self.table.activated.connect(lambda _index: self.edit_user())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        mode_row = QHBoxLayout()
        mode_row.addWidget(self.mode_label, 1)
        mode_row.addWidget(self.mode_button)
        actions = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.password_button,
                       self.active_button):
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("Fermer"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(mode_row)
        layout.addWidget(note_label(_(
            "En mode multi-utilisateur, chacun se connecte avec son compte et n'agit que selon "
            "son rôle ; un coordinateur ne voit que les foyers de ses points.")))
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)
        self.resize(880, 520)
        self.reload()

    def ask(self) -> None:
        form.run_modal(self)

    # --- what it shows -----------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        db, actor = self._context.db, self._context.actor
        self.mode = users.get_mode(db=db)
        self.mode_label.setText(_("Mode : {mode}.").format(mode=self.mode.label))
        self.mode_button.setText(_("Passer en mode multi-utilisateur…")
                                 if self.mode is Mode.SINGLE
                                 else _("Revenir au poste unique…"))
        self.model.set_rows(users.list_users(db=db, actor=actor))
        if select_id is not None:
            for row in range(self.proxy.rowCount()):
                if self.proxy.row_at(row).id == select_id:
                    self.table.selectRow(row)
        self._update_buttons()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.proxy.row_at(rows[0].row()) if rows else None

    def _update_buttons(self, *_args: object) -> None:
        row = self.selected()
        for button in (self.edit_button, self.password_button, self.active_button):
            button.setEnabled(row is not None)
        self.active_button.setText(_("Réactiver") if row is not None and not row.active
                                   else _("Désactiver"))

    # --- actions -----------------------------------------------------------------------

    def _choices(self) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
        db, actor = self._context.db, self._context.actor
        return ([(p.name, p.id) for p in list_points(db=db, actor=actor)],
                [(p.name, p.id) for p in list_producers(db=db, actor=actor)])

    def new_user(self, *, role: Role | None = None) -> UserRow | None:
        db, actor = self._context.db, self._context.actor
        points, producers = self._choices()

        def save(account: AccountInput) -> UserRow:
            return users.create_user(db=db, actor=actor, data=account.data,
                                     password=account.password)

        dialog = UserDialog(self, user=None, points=points, producers=producers, save=save)
        if role is not None:
            dialog.role.set_value(role)
        dialog.ask()
        saved = dialog.saved if isinstance(dialog.saved, UserRow) else None
        if saved is not None:
            self.reload(select_id=saved.id)
        return saved

    def edit_user(self) -> None:
        row = self.selected()
        if row is None:
            return
        db, actor = self._context.db, self._context.actor
        points, producers = self._choices()

        def save(account: AccountInput) -> UserRow:
            return users.update_user(db=db, actor=actor, user_id=row.id, data=account.data)

        dialog = UserDialog(self, user=row, points=points, producers=producers, save=save)
        dialog.ask()
        if dialog.saved is not None:
            self.reload(select_id=row.id)

    def change_password(self) -> None:
        row = self.selected()
        if row is None:
            return
        db, actor = self._context.db, self._context.actor
        dialog = PasswordDialog(self, login=row.login, save=lambda password: users.set_password(
            db=db, actor=actor, user_id=row.id, password=password))
        if dialog.ask() is not None:
            messages.show_info(self, _("Le mot de passe de « {login} » est changé.").format(
                login=row.login), title=_("Mot de passe"))
            self.reload(select_id=row.id)

    def toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        db, actor = self._context.db, self._context.actor
        run_task(self, lambda _progress: users.set_active(db=db, actor=actor, user_id=row.id,
                                                          active=not row.active),
                 on_success=lambda _result: self.reload(select_id=row.id),
                 title=_("Utilisateurs"), label=_("Enregistrement…"), cancellable=False)

    def switch_mode(self) -> None:
        db, actor = self._context.db, self._context.actor
        if self.mode is Mode.SINGLE:
            if not any(r.role is Role.ADMIN and r.active for r in self.model.rows()):
                if not messages.confirm(self, title=_("Mode multi-utilisateur"), action=_(
                        "Créer un administrateur…"), text=_(
                        "Créez d'abord un compte administrateur avec un mot de passe : sans "
                        "lui, personne ne pourrait plus se connecter pour gérer la base.")):
                    return
                if self.new_user(role=Role.ADMIN) is None:
                    return
            text = _("À partir du prochain démarrage, coopfood demandera un identifiant et un "
                     "mot de passe, et chacun n'agira que selon son rôle. En ligne de "
                     "commande, il faudra --user IDENTIFIANT.")
            target = Mode.MULTI
        else:
            text = _("À partir du prochain démarrage, coopfood ne demandera plus de mot de "
                     "passe : quiconque ouvre la base l'administre. Les comptes sont gardés.")
            target = Mode.SINGLE
        if not messages.confirm(self, title=_("Mode d'utilisation"), text=text,
                                action=_("Changer de mode")):
            return
        run_task(self, lambda _progress: users.set_mode(db=db, actor=actor, mode=target),
                 on_success=lambda _mode: self.reload(), title=_("Mode d'utilisation"),
                 label=_("Enregistrement…"), cancellable=False)
