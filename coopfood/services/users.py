"""Users, passwords and the two modes: a laptop with no login, or accounts with roles.

A new co-op runs in single-user mode: whoever opens the base is its local
administrator (`LOCAL_ADMIN`). A co-op whose points share a base switches to
multi-user mode once an administrator account with a password exists: from
then on the window asks to log in and the command line needs `--user`, and
each person acts with the role of its account (coopfood.services.access).

Passwords are kept as a slow salted hash (scrypt, with its parameters, so that
they can be raised later without locking anyone out), compared in constant
time. After `FREE_ATTEMPTS` failures in a row an account waits before the
next try, 30 seconds at first, twice as long after each further failure. Every
change of a user or of the mode is in the audit trail; a password never is.
"""

from __future__ import annotations

import base64
import datetime as dt
import enum
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from coopfood.i18n import _, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import DistributionPoint, Producer, Setting, User, UserPoint
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
    audit,
)
from coopfood.services import validation as check
from coopfood.services.access import USER_ADMINS, require
from coopfood.services.cycles import checked_points

#: The setting holding the mode ("single" when absent).
MODE_SETTING = "users.mode"
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 200
#: Failures in a row allowed before an account has to wait.
FREE_ATTEMPTS = 5
FIRST_WAIT = dt.timedelta(seconds=30)
#: The wait stops doubling there: an attacker's guesses must not lock a volunteer out for days.
LONGEST_WAIT = dt.timedelta(hours=1)
LOGIN_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")

#: scrypt's cost: 2**15 × 8 × 128 bytes = 32 MiB and some 0.1 s per try on a laptop.
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_MAXMEM = 128 * 1024 * 1024


class Mode(enum.StrEnum):
    SINGLE = "single"
    MULTI = "multi"

    @property
    def label(self) -> str:
        return {Mode.SINGLE: _("Poste unique, sans identification"),
                Mode.MULTI: _("Plusieurs utilisateurs, avec mot de passe")}[self]


class LoginRefused(ServiceError):
    """A login that failed; `wait` is how long the account must wait before the next try."""

    def __init__(self, message: str, *, wait: dt.timedelta | None = None) -> None:
        super().__init__(message)
        self.wait = wait


@dataclass(frozen=True, kw_only=True)
class UserInput:
    """What an administrator types for an account; checked by `create_user`/`update_user`."""

    login: str
    display_name: str
    role: Role
    #: The points a coordinator looks after (ignored for the other roles).
    point_ids: Sequence[int] = ()
    #: The producer a producer's account is (ignored for the other roles).
    producer_id: int | None = None


@dataclass(frozen=True)
class UserRow:
    id: int
    login: str
    display_name: str
    #: 'marie' — 'Marie Durand', for lists and choices.
    name: str
    role: Role
    point_ids: tuple[int, ...]
    points: tuple[str, ...]
    producer_id: int | None
    producer: str
    active: bool
    failed_logins: int
    locked_until: dt.datetime | None
    last_login_at: dt.datetime | None


# --- the mode --------------------------------------------------------------------------------


def mode_in(session: Session) -> Mode:
    value = session.scalar(select(Setting.value).where(Setting.key == MODE_SETTING))
    return Mode.MULTI if value == Mode.MULTI.value else Mode.SINGLE


def get_mode(*, db: Database) -> Mode:
    """The base's mode; anyone may ask, before logging in (the window and the CLI must)."""
    with db.reading() as session:
        return mode_in(session)


def set_mode(*, db: Database, actor: Actor, mode: Mode) -> Mode:
    """Switch mode. Multi-user needs an active administrator account with a password first,
    or nobody could log in to administer the base."""
    require(actor, USER_ADMINS, _("changer le mode d'utilisation"))
    with db.transaction() as session:
        before = mode_in(session)
        if mode is before:
            return mode
        if mode is Mode.MULTI and not _active_admins(session):
            raise ValidationError(
                _("Créez d'abord un compte administrateur avec un mot de passe : sans lui, "
                  "personne ne pourrait plus se connecter pour gérer la base."), field="mode")
        row = session.get(Setting, MODE_SETTING)
        if row is None:
            session.add(Setting(key=MODE_SETTING, value=mode.value))
        else:
            row.value = mode.value
        audit.record(session, actor=actor, entity="settings", entity_id=None, action="mode",
                     summary=_("Mode d'utilisation : {before} → {after}").format(
                         before=before.label, after=mode.label),
                     before={"mode": before}, after={"mode": mode})
        return mode


def _active_admins(session: Session, *, besides: int | None = None) -> list[int]:
    query = select(User.id).where(User.role == Role.ADMIN, User.active.is_(True))
    if besides is not None:
        query = query.where(User.id != besides)
    return list(session.scalars(query))


# --- passwords -------------------------------------------------------------------------------


def check_password(password: str, *, field: str = "password") -> str:
    """A new password long enough, or a French message saying what is missing."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError(
            _("Le mot de passe doit compter au moins {n} caractères (il en a {count}) : une "
              "phrase de quelques mots est facile à retenir et difficile à deviner.").format(
                n=PASSWORD_MIN_LENGTH, count=len(password)), field=field)
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError(
            _("Le mot de passe est trop long ({n} caractères au plus).").format(
                n=PASSWORD_MAX_LENGTH), field=field)
    if not password.strip():
        raise ValidationError(_("Le mot de passe ne peut pas n'être fait que d'espaces."),
                              field=field)
    return password


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """« scrypt$N$r$p$salt$hash »: the parameters travel with the hash."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                            p=SCRYPT_P, maxmem=_SCRYPT_MAXMEM, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    """Whether `password` gives `stored`, compared in constant time."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt),
                                n=int(n), r=int(r), p=int(p), maxmem=_SCRYPT_MAXMEM,
                                dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


#: Compared against when the login is unknown, so that the answer takes as long.
_DUMMY_HASH = ""


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if not _DUMMY_HASH:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# --- logging in ------------------------------------------------------------------------------


def now() -> dt.datetime:
    """The moment of a login (a test may move it on)."""
    return dt.datetime.now(dt.UTC)


def wait_text(wait: dt.timedelta) -> str:
    """« 30 secondes », « 2 minutes », « 1 heure »."""
    seconds = max(1, int(wait.total_seconds() + 0.999))
    if seconds < 120:
        return ngettext("{n} seconde", "{n} secondes", seconds).format(n=seconds)
    minutes = (seconds + 59) // 60
    if minutes < 120:
        return ngettext("{n} minute", "{n} minutes", minutes).format(n=minutes)
    hours = (minutes + 59) // 60
    return ngettext("{n} heure", "{n} heures", hours).format(n=hours)


def lock_for(failures: int) -> dt.timedelta | None:
    """How long an account waits after `failures` failed logins in a row."""
    if failures < FREE_ATTEMPTS:
        return None
    wait: dt.timedelta = FIRST_WAIT * 2 ** min(failures - FREE_ATTEMPTS, 20)
    return min(wait, LONGEST_WAIT)


def _normal_login(login: str) -> str:
    return login.strip().lower()


def actor_of(session: Session, user: User) -> Actor:
    """The actor a user acts as: its role, and a coordinator's points."""
    points = frozenset(session.scalars(
        select(UserPoint.point_id).where(UserPoint.user_id == user.id)))
    return Actor(name=user.display_name, role=user.role, user_id=user.id,
                 point_ids=points if user.role is Role.COORDINATOR else frozenset(),
                 producer_id=user.producer_id if user.role is Role.PRODUCER else None)


def authenticate(*, db: Database, login: str, password: str) -> Actor:
    """The actor of the account whose password this is, or `LoginRefused` in French.

    Each failure counts; from the `FREE_ATTEMPTS`-th in a row the account waits
    (30 s, then twice as long each time) and a try during the wait is refused
    before the password is even looked at. A success clears the count.
    """
    wanted = _normal_login(login)
    moment = now()
    refusal: LoginRefused | None = None
    with db.transaction() as session:
        user = session.scalars(select(User).where(func.lower(User.login) == wanted)).first()
        if user is None:
            password_matches(password, _dummy_hash())
            refusal = LoginRefused(_("Identifiant ou mot de passe incorrect."))
        elif user.locked_until is not None and user.locked_until > moment:
            left = user.locked_until - moment
            refusal = LoginRefused(
                _("Trop d'essais manqués pour ce compte : réessayez dans {wait}.").format(
                    wait=wait_text(left)), wait=left)
        elif not password_matches(password, user.password_hash):
            user.failed_logins += 1
            wait = lock_for(user.failed_logins)
            if wait is None:
                refusal = LoginRefused(_("Identifiant ou mot de passe incorrect."))
            else:
                user.locked_until = moment + wait
                refusal = LoginRefused(
                    _("Identifiant ou mot de passe incorrect. Après {n} essais manqués, "
                      "attendez {wait} avant de réessayer.").format(
                        n=user.failed_logins, wait=wait_text(wait)), wait=wait)
        elif not user.active:
            refusal = LoginRefused(
                _("Le compte « {login} » est désactivé : demandez à un administrateur de la "
                  "coopérative de le réactiver.").format(login=user.login))
        else:
            user.failed_logins = 0
            user.locked_until = None
            user.last_login_at = moment
            return actor_of(session, user)
    raise refusal


def acting_user(*, db: Database, login: str | None, password: str | None) -> Actor:
    """Who acts on this base: the local administrator in single-user mode; in multi-user
    mode, the account `login` once its password is checked."""
    if get_mode(db=db) is Mode.SINGLE:
        return LOCAL_ADMIN
    if not login:
        raise LoginRefused(_("Cette base est en mode multi-utilisateur : identifiez-vous "
                             "(--user IDENTIFIANT)."))
    return authenticate(db=db, login=login, password=password or "")


# --- accounts --------------------------------------------------------------------------------


def _row(session: Session, user: User) -> UserRow:
    points = session.execute(
        select(DistributionPoint.id, DistributionPoint.name)
        .join(UserPoint, UserPoint.point_id == DistributionPoint.id)
        .where(UserPoint.user_id == user.id).order_by(DistributionPoint.name)).all()
    producer = session.get(Producer, user.producer_id) if user.producer_id else None
    return UserRow(
        id=user.id, login=user.login, display_name=user.display_name,
        name=f"{user.login} — {user.display_name}", role=user.role,
        point_ids=tuple(pid for pid, _name in points),
        points=tuple(name for _pid, name in points),
        producer_id=user.producer_id, producer=producer.name if producer else "",
        active=user.active, failed_logins=user.failed_logins, locked_until=user.locked_until,
        last_login_at=user.last_login_at)


def _find(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(_("Utilisateur n° {id} introuvable.").format(id=user_id))
    return user


def list_users(*, db: Database, actor: Actor, include_inactive: bool = True) -> list[UserRow]:
    """Every account, by login."""
    require(actor, USER_ADMINS, _("consulter les utilisateurs"))
    with db.reading() as session:
        query = select(User).order_by(User.login)
        if not include_inactive:
            query = query.where(User.active.is_(True))
        return [_row(session, user) for user in session.scalars(query)]


def get_user(*, db: Database, actor: Actor, user_id: int) -> UserRow:
    if actor.user_id != user_id:
        require(actor, USER_ADMINS, _("consulter les utilisateurs"))
    with db.reading() as session:
        return _row(session, _find(session, user_id))


def _checked(session: Session, data: UserInput, user_id: int | None) -> dict[str, object]:
    login = _normal_login(data.login)
    if not LOGIN_PATTERN.match(login):
        raise ValidationError(
            _("L'identifiant « {login} » ne convient pas : de 2 à 60 lettres sans accent, "
              "chiffres, points, tirets ou soulignés, par exemple « marie.durand ».").format(
                login=data.login.strip()), field="login")
    other = session.scalars(select(User).where(func.lower(User.login) == login,
                                               User.id != (user_id or 0))).first()
    if other is not None:
        raise ValidationError(
            _("L'identifiant « {login} » est déjà celui de {name} : choisissez-en un "
              "autre.").format(login=login, name=other.display_name), field="login")
    name = check.text(data.display_name, field="display_name", label=_("Le nom affiché"))
    if not isinstance(data.role, Role):
        raise ValidationError(_("Choisissez le rôle de ce compte."), field="role")
    points: list[int] = []
    producer_id: int | None = None
    if data.role is Role.COORDINATOR:
        if not data.point_ids:
            raise ValidationError(
                _("Un coordinateur s'occupe d'au moins un point de distribution : "
                  "choisissez-le."), field="point_ids")
        points = checked_points(session, data.point_ids)
    if data.role is Role.PRODUCER:
        if data.producer_id is None:
            raise ValidationError(_("Choisissez le producteur dont c'est le compte."),
                                  field="producer_id")
        producer = session.get(Producer, data.producer_id)
        if producer is None:
            raise ValidationError(
                _("Producteur n° {id} introuvable.").format(id=data.producer_id),
                field="producer_id")
        producer_id = producer.id
    return {"login": login, "display_name": name, "role": data.role,
            "producer_id": producer_id, "point_ids": points}


def _snapshot(session: Session, user: User) -> dict[str, object]:
    """What the trail keeps of an account: never its password."""
    return {"login": user.login, "display_name": user.display_name, "role": user.role,
            "producer_id": user.producer_id, "active": user.active,
            "point_ids": sorted(session.scalars(
                select(UserPoint.point_id).where(UserPoint.user_id == user.id)))}


def _set_points(session: Session, user: User, point_ids: Sequence[int]) -> None:
    session.execute(delete(UserPoint).where(UserPoint.user_id == user.id))
    session.add_all(UserPoint(user_id=user.id, point_id=p) for p in point_ids)
    session.flush()


def create_user(*, db: Database, actor: Actor, data: UserInput, password: str) -> UserRow:
    """A new account, with its first password (the person changes it later)."""
    require(actor, USER_ADMINS, _("créer des utilisateurs"))
    check_password(password)
    with db.transaction() as session:
        values = _checked(session, data, None)
        points = values.pop("point_ids")
        assert isinstance(points, list)
        user = User(**values, password_hash=hash_password(password), active=True,
                    failed_logins=0)
        session.add(user)
        session.flush()
        _set_points(session, user, points)
        audit.record(session, actor=actor, entity="user", entity_id=user.id, action="create",
                     summary=_("Compte « {login} » créé ({name}, {role})").format(
                         login=user.login, name=user.display_name, role=user.role.label),
                     after=_snapshot(session, user))
        return _row(session, user)


def _refuse_last_admin(session: Session, user: User, what: str) -> None:
    """The last active administrator of a multi-user base stays one: nobody else could
    manage the users."""
    if (user.role is Role.ADMIN and user.active and mode_in(session) is Mode.MULTI
            and not _active_admins(session, besides=user.id)):
        raise ValidationError(
            _("« {login} » est le seul administrateur actif : il ne peut pas {what}. Créez "
              "d'abord un autre administrateur.").format(login=user.login, what=what),
            field="role")


def update_user(*, db: Database, actor: Actor, user_id: int, data: UserInput) -> UserRow:
    """Change an account's login, name, role, points or producer."""
    require(actor, USER_ADMINS, _("modifier des utilisateurs"))
    with db.transaction() as session:
        user = _find(session, user_id)
        values = _checked(session, data, user_id)
        points = values.pop("point_ids")
        assert isinstance(points, list)
        if values["role"] is not Role.ADMIN:
            _refuse_last_admin(session, user, _("perdre ce rôle"))
        before = _snapshot(session, user)
        for key, value in values.items():
            setattr(user, key, value)
        session.flush()
        _set_points(session, user, points)
        after = _snapshot(session, user)
        if after != before:
            changed = [key for key in after if after[key] != before[key]]
            audit.record(session, actor=actor, entity="user", entity_id=user.id,
                         action="update",
                         summary=_("Compte « {login} » modifié : {fields}").format(
                             login=user.login, fields=", ".join(changed)),
                         before={k: before[k] for k in changed},
                         after={k: after[k] for k in changed})
        return _row(session, user)


def set_active(*, db: Database, actor: Actor, user_id: int, active: bool) -> UserRow:
    """Deactivate an account (it can no longer log in; its traces stay) or bring it back."""
    require(actor, USER_ADMINS, _("désactiver des utilisateurs"))
    with db.transaction() as session:
        user = _find(session, user_id)
        if user.active == active:
            return _row(session, user)
        if not active:
            if actor.user_id == user.id:
                raise ValidationError(_("Vous ne pouvez pas désactiver votre propre compte."),
                                      field="active")
            _refuse_last_admin(session, user, _("être désactivé"))
        user.active = active
        audit.record(session, actor=actor, entity="user", entity_id=user.id,
                     action="activate" if active else "deactivate",
                     summary=(_("Compte « {login} » réactivé") if active
                              else _("Compte « {login} » désactivé")).format(login=user.login),
                     before={"active": not active}, after={"active": active})
        return _row(session, user)


def set_password(*, db: Database, actor: Actor, user_id: int, password: str,
                 current_password: str | None = None) -> None:
    """A new password: an administrator sets anyone's; a user changes its own, giving the
    current one. Setting it also ends a wait after failed logins."""
    check_password(password)
    own = actor.user_id == user_id
    if not own:
        require(actor, USER_ADMINS, _("changer le mot de passe d'un autre utilisateur"))
    with db.transaction() as session:
        user = _find(session, user_id)
        if own and actor.role not in USER_ADMINS and not password_matches(
                current_password or "", user.password_hash):
            raise PermissionDenied(_("Le mot de passe actuel n'est pas le bon : rien n'a été "
                                     "changé."))
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        audit.record(session, actor=actor, entity="user", entity_id=user.id, action="password",
                     summary=_("Mot de passe du compte « {login} » changé").format(
                         login=user.login))


def find_user(*, db: Database, actor: Actor, login: str) -> UserRow:
    """The account of this login (any case), or NotFound."""
    require(actor, USER_ADMINS, _("consulter les utilisateurs"))
    with db.reading() as session:
        user = session.scalars(select(User).where(
            func.lower(User.login) == _normal_login(login))).first()
        if user is None:
            raise NotFound(_("Aucun compte ne porte l'identifiant « {login} ».").format(
                login=login.strip()))
        return _row(session, user)
