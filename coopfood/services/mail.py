"""Sending documents by e-mail through the co-op's own SMTP server.

Settings. The server (host, port, security, login) and the sender are kept in
the `setting` table, shared by every computer of the co-op; the password never
is: it goes to the system keyring (`keyring`) where one is usable. Where none
is (a Linux without Secret Service), the window asks for it at sending time and
keeps it in memory, and the command line reads COOPFOOD_SMTP_PASSWORD or asks.

Plan, then send. `plan_mail` writes the documents of one kind — the very PDFs
of the printing services (pickup lists, sign-in sheets, statements) or the
households' order-form workbooks — into a folder, and says who receives what
(recipient, subject, attached files) and who is skipped and why (no address, a
bad one, nothing to send, already sent). `send_mail` sends what is still to
send over one SMTP connection, with progress and cancel, and logs every message
sent or failed (`MailMessage`) with the server's reason.

Never twice. A message's `dedup_key` is made of its kind, its distribution, its
recipient and a digest of its attachments' content — the text of a PDF without
its « Imprimé le … » line, the parts of a workbook without their timestamps —
so that a document drawn again with the same content gives the same key. A key
already logged as sent is skipped: a retry sends only what failed or was not
sent.

Transactions. Sending is not one transaction, unlike other services: a sent
e-mail cannot be rolled back, so each message's log row is committed as soon as
the server has answered, and a crash half-way leaves a log true to what left.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import importlib.util
import ipaddress
import logging
import re
import smtplib
import socket
import ssl
import time
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.domain.treasury import MailStatus
from coopfood.i18n import _, format_date, format_money, ngettext, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    DistributionPoint,
    MailMessage,
    Member,
    Producer,
    Setting,
    Shift,
    household_name,
)
from coopfood.services import (
    Actor,
    Cancelled,
    NotFound,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    audit,
    no_progress,
)
from coopfood.services import validation as check
from coopfood.services.access import require

log = logging.getLogger(__name__)

#: Where the window and the command line find the password in the keyring.
KEYRING_SERVICE = "coopfood-smtp"
#: The environment variable the command line reads the password from.
PASSWORD_VARIABLE = "COOPFOOD_SMTP_PASSWORD"
#: Seconds to wait for the server before giving up (connecting, or any answer).
SMTP_TIMEOUT = 30.0
#: The role of the permanence whose holders receive their point's sign-in sheet;
#: matched without case nor accents, « Coordinatrice » and « Coordination » too.
COORDINATOR_ROLE = "Coordinateur"
_COORDINATOR_PREFIX = "coordinat"

HOST_KEY = "mail.smtp.host"
PORT_KEY = "mail.smtp.port"
SECURITY_KEY = "mail.smtp.security"
LOGIN_KEY = "mail.smtp.login"
SENDER_KEY = "mail.sender.address"
SENDER_NAME_KEY = "mail.sender.name"


def point_recipients_key(point_id: int) -> str:
    """The setting that holds a point's own addresses for its sign-in sheet."""
    return f"mail.point.{point_id}.recipients"


#: Who changes the server: those who keep the co-op's settings.
SETTINGS_EDITORS = frozenset({Role.ADMIN, Role.TREASURER})
#: Who reads the settings and the log of sent messages.
MAIL_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})


def now() -> dt.datetime:
    """The moment a message is logged (a test may fix it)."""
    return dt.datetime.now(dt.UTC)


# --- the vocabularies --------------------------------------------------------------------------


class MailKind(enum.StrEnum):
    PICKUP = "pickup"
    SHEETS = "sheets"
    STATEMENTS = "statements"
    ORDER_FORMS = "order-forms"

    @property
    def label(self) -> str:
        return {
            MailKind.PICKUP: _("Listes de préparation, aux producteurs"),
            MailKind.SHEETS: _("Feuilles d'émargement, aux coordinateurs"),
            MailKind.STATEMENTS: _("Relevés de compte, aux foyers"),
            MailKind.ORDER_FORMS: _("Bons de commande, aux foyers"),
        }[self]

    @property
    def short_label(self) -> str:
        return {
            MailKind.PICKUP: _("Liste de préparation"),
            MailKind.SHEETS: _("Feuille d'émargement"),
            MailKind.STATEMENTS: _("Relevé de compte"),
            MailKind.ORDER_FORMS: _("Bon de commande"),
        }[self]

    @property
    def needs_cycle(self) -> bool:
        return self is not MailKind.STATEMENTS

    @property
    def senders(self) -> frozenset[Role]:
        """Who may send this kind: the people whose job the documents are."""
        return {
            MailKind.PICKUP: frozenset({Role.ADMIN, Role.COORDINATOR}),
            MailKind.SHEETS: frozenset({Role.ADMIN, Role.COORDINATOR}),
            # A coordinator's are those of its points' households (write_statements).
            MailKind.STATEMENTS: frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR}),
            MailKind.ORDER_FORMS: frozenset({Role.ADMIN, Role.COORDINATOR}),
        }[self]


def mail_kind(value: MailKind | str) -> MailKind:
    try:
        return MailKind(value)
    except ValueError:
        raise ValidationError(
            _("Envoi « {kind} » inconnu : pickup, sheets, statements ou order-forms.").format(
                kind=value), field="kind") from None


class Security(enum.StrEnum):
    #: TLS from the first byte (« SMTPS », port 465).
    TLS = "tls"
    #: A plain connection made secure by STARTTLS (submission, port 587).
    STARTTLS = "starttls"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            Security.TLS: _("TLS direct (port 465)"),
            Security.STARTTLS: _("STARTTLS (port 587)"),
            Security.NONE: _("Aucune (serveur du réseau local seulement)"),
        }[self]

    @property
    def short_label(self) -> str:
        return {Security.TLS: _("TLS direct"), Security.STARTTLS: "STARTTLS",
                Security.NONE: _("sans chiffrement")}[self]

    @property
    def default_port(self) -> int:
        return {Security.TLS: 465, Security.STARTTLS: 587, Security.NONE: 25}[self]


class PlanStatus(enum.StrEnum):
    TO_SEND = "to_send"
    ALREADY_SENT = "already_sent"
    NO_ADDRESS = "no_address"
    BAD_ADDRESS = "bad_address"
    NOTHING = "nothing"

    @property
    def label(self) -> str:
        return {
            PlanStatus.TO_SEND: _("à envoyer"),
            PlanStatus.ALREADY_SENT: _("déjà envoyé"),
            PlanStatus.NO_ADDRESS: _("pas d'adresse"),
            PlanStatus.BAD_ADDRESS: _("adresse invalide"),
            PlanStatus.NOTHING: _("rien à envoyer"),
        }[self]


class Outcome(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"
    #: Not for sending (no address, already sent…): nothing was tried.
    SKIPPED = "skipped"
    #: Was to be sent, but the run stopped first (cancelled, connection lost).
    NOT_SENT = "not_sent"

    @property
    def label(self) -> str:
        return {Outcome.SENT: _("Envoyé"), Outcome.FAILED: _("Échec"),
                Outcome.SKIPPED: _("Ignoré"), Outcome.NOT_SENT: _("Non envoyé")}[self]


class PasswordNeeded(ServiceError):
    """The server wants a password that is nowhere to be found: ask the user."""

    def __init__(self, settings: MailSettings) -> None:
        super().__init__(_(
            "Le mot de passe du compte « {login} » sur {host} n'est pas enregistré : "
            "saisissez-le.").format(login=settings.login, host=settings.host))
        self.account = settings.account


class AuthenticationRefused(ServiceError):
    """The server refused the login and password."""


# --- the settings ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MailSettings:
    host: str = ""
    port: int = Security.STARTTLS.default_port
    security: Security = Security.STARTTLS
    #: Empty: the server takes messages without identification (a local relay).
    login: str = ""
    sender: str = ""
    #: The name the messages come from; empty: the co-op's name.
    sender_name: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.host and self.sender)

    @property
    def account(self) -> str:
        """The account's name in the keyring: « login@host »."""
        return f"{self.login}@{self.host}"

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True, kw_only=True)
class MailSettingsInput:
    """What a user types for the server; checked by `check_mail_settings`."""

    host: str
    port: int | str
    security: Security | str = Security.STARTTLS
    login: str = ""
    sender: str
    sender_name: str = ""
    #: None keeps the stored password; "" forgets it.
    password: str | None = None
    #: Per point id, the point's own addresses for its sign-in sheet (separated by commas,
    #: semicolons or spaces); None leaves them as they are.
    point_recipients: Mapping[int, str] | None = None


class PasswordPlace(enum.StrEnum):
    #: In the system keyring, found again at the next start.
    KEYRING = "keyring"
    #: No keyring usable: not kept anywhere (the window keeps it for its session).
    NOT_KEPT = "not_kept"
    UNCHANGED = "unchanged"
    FORGOTTEN = "forgotten"


@dataclass(frozen=True)
class SavedMailSettings:
    settings: MailSettings
    password: PasswordPlace
    point_recipients: Mapping[int, tuple[str, ...]]


_HOST_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def _check_host(value: str) -> str:
    host = value.strip().rstrip(".")
    if not host:
        raise ValidationError(_("Le serveur d'envoi est obligatoire : par exemple "
                                "smtp.exemple.fr."), field="host")
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    labels = host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ValidationError(
            _("Serveur « {host} » invalide : un nom comme smtp.exemple.fr ou une adresse IP, "
              "sans espace, « / » ni « : » (le port se donne à part).").format(host=value.strip()),
            field="host")
    return host.lower()


def _check_port(value: int | str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        port = None
    if port is None or not 1 <= port <= 65535:
        raise ValidationError(
            _("Port « {port} » hors limites : un nombre entre 1 et 65535 (587 pour STARTTLS, "
              "465 pour TLS direct).").format(port=str(value).strip()), field="port")
    return port


def _check_security(value: Security | str) -> Security:
    try:
        return Security(value)
    except ValueError:
        raise ValidationError(
            _("Sécurité « {value} » inconnue : tls (TLS direct), starttls ou none.").format(
                value=value), field="security") from None


def check_mail_settings(data: MailSettingsInput) -> MailSettings:
    """The settings typed, checked and normalised; ValidationError names the field at fault."""
    host = _check_host(data.host)
    port = _check_port(data.port)
    security = _check_security(data.security)
    login = check.text(data.login, field="login", label=_("L'identifiant"), required=False)
    sender = check.email(data.sender, field="sender", required=True)
    assert sender is not None
    sender_name = check.text(data.sender_name, field="sender_name",
                             label=_("Le nom de l'expéditeur"), required=False)
    if any(c in sender_name for c in "\r\n"):
        raise ValidationError(_("Le nom de l'expéditeur tient sur une ligne."),
                              field="sender_name")
    return MailSettings(host, port, security, login, sender, sender_name)


def split_addresses(text: str, *, field: str) -> tuple[str, ...]:
    """« a@x.fr, b@y.fr » → each address checked and normalised, duplicates dropped."""
    found: dict[str, str] = {}
    for part in re.split(r"[,;\s]+", text or ""):
        if part:
            address = check.email(part, field=field, required=True)
            assert address is not None
            found.setdefault(address.lower(), address)
    return tuple(found.values())


def _write_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        if value:
            session.add(Setting(key=key, value=value))
    elif value:
        row.value = value
    else:
        session.delete(row)


def _read_settings(session: Session) -> MailSettings:
    stored = {key: value for key, value in session.execute(
        select(Setting.key, Setting.value).where(Setting.key.like("mail.%")))}
    try:
        security = Security(stored.get(SECURITY_KEY, Security.STARTTLS.value))
    except ValueError:
        security = Security.STARTTLS
    try:
        port = int(stored.get(PORT_KEY, ""))
    except ValueError:
        port = security.default_port
    return MailSettings(host=stored.get(HOST_KEY, ""), port=port, security=security,
                        login=stored.get(LOGIN_KEY, ""), sender=stored.get(SENDER_KEY, ""),
                        sender_name=stored.get(SENDER_NAME_KEY, ""))


def _read_point_recipients(session: Session) -> dict[int, tuple[str, ...]]:
    result: dict[int, tuple[str, ...]] = {}
    rows = session.execute(select(Setting.key, Setting.value)
                           .where(Setting.key.like("mail.point.%.recipients")))
    for key, value in rows:
        middle = key[len("mail.point."):-len(".recipients")]
        if middle.isdigit():
            result[int(middle)] = tuple(a for a in re.split(r"[,;\s]+", value) if a)
    return result


def get_mail_settings(*, db: Database, actor: Actor) -> MailSettings:
    """The server and the sender; `configured` False while none was set."""
    require(actor, MAIL_READERS, _("consulter le réglage de l'envoi des e-mails"))
    with db.reading() as session:
        return _read_settings(session)


def ready_settings(*, db: Database, actor: Actor) -> MailSettings:
    """The settings to send with; ValidationError while the server is not set."""
    settings = get_mail_settings(db=db, actor=actor)
    if not settings.configured:
        raise _not_configured()
    return settings


def _not_configured() -> ValidationError:
    return ValidationError(_(
        "L'envoi des e-mails n'est pas réglé : indiquez le serveur et l'adresse d'expédition "
        "(Paramètres de la coopérative › Envoi des e-mails, ou « mail settings »)."),
        field="host")


def point_recipients(*, db: Database, actor: Actor) -> dict[int, tuple[str, ...]]:
    """Per point id, the point's own addresses that receive its sign-in sheet."""
    require(actor, MAIL_READERS, _("consulter le réglage de l'envoi des e-mails"))
    with db.reading() as session:
        return _read_point_recipients(session)


def save_mail_settings(*, db: Database, actor: Actor,
                       data: MailSettingsInput) -> SavedMailSettings:
    """Check and keep the server's settings; the password goes to the keyring, never to
    the database (`password` of the result says where it went)."""
    require(actor, SETTINGS_EDITORS, _("régler l'envoi des e-mails"))
    settings = check_mail_settings(data)
    recipients: dict[int, tuple[str, ...]] = {}
    for point_id, text in (data.point_recipients or {}).items():
        recipients[point_id] = split_addresses(text, field=f"point.{point_id}")
    with db.transaction() as session:
        before = _read_settings(session)
        for point_id in recipients:
            if session.get(DistributionPoint, point_id) is None:
                raise NotFound(_("Le point de distribution n° {id} n'existe pas.").format(
                    id=point_id))
        for key, value in ((HOST_KEY, settings.host), (PORT_KEY, str(settings.port)),
                           (SECURITY_KEY, settings.security.value),
                           (LOGIN_KEY, settings.login), (SENDER_KEY, settings.sender),
                           (SENDER_NAME_KEY, settings.sender_name)):
            _write_setting(session, key, value)
        for point_id, addresses in recipients.items():
            _write_setting(session, point_recipients_key(point_id), ", ".join(addresses))
        if before != settings:
            audit.record(
                session, actor=actor, entity="setting", entity_id=None, action="update",
                summary=_("Envoi des e-mails : {server} ({security}), expéditeur {sender}").format(
                    server=settings.server, security=settings.security.short_label,
                    sender=settings.sender),
                before=_settings_dict(before), after=_settings_dict(settings))
        stored_recipients = _read_point_recipients(session)
    place = PasswordPlace.UNCHANGED
    if data.password == "" or (before.account != settings.account and before.login):
        forget_password(before)
    if data.password == "":
        forget_password(settings)
        place = PasswordPlace.FORGOTTEN
    elif data.password is not None and settings.login:
        place = (PasswordPlace.KEYRING if store_password(settings, data.password)
                 else PasswordPlace.NOT_KEPT)
    return SavedMailSettings(settings, place, stored_recipients)


def _settings_dict(settings: MailSettings) -> dict[str, object]:
    return {"host": settings.host, "port": settings.port, "security": settings.security.value,
            "login": settings.login, "sender": settings.sender,
            "sender_name": settings.sender_name}


# --- the password in the keyring ---------------------------------------------------------------


def keyring_usable() -> bool:
    """Whether a real keyring backend is there (not keyring's « fail » nor « null » one)."""
    try:
        import keyring
        from keyring.backends import fail, null

        backend = keyring.get_keyring()
    except Exception:  # a broken keyring install must not stop the co-op's work
        log.warning("trousseau système inutilisable", exc_info=True)
        return False
    if isinstance(backend, fail.Keyring | null.Keyring):
        return False
    try:
        return float(backend.priority) > 0
    except Exception:
        return False


def stored_password(settings: MailSettings) -> str | None:
    """The account's password in the keyring; None when there is none or no keyring."""
    if not settings.login or not keyring_usable():
        return None
    import keyring

    try:
        return keyring.get_password(KEYRING_SERVICE, settings.account)
    except Exception:  # locked, D-Bus gone…: the user types it instead
        log.warning("lecture du trousseau impossible", exc_info=True)
        return None


def store_password(settings: MailSettings, password: str) -> bool:
    """Keep the password in the keyring; False when no keyring takes it."""
    if not keyring_usable():
        return False
    import keyring

    try:
        keyring.set_password(KEYRING_SERVICE, settings.account, password)
    except Exception:
        log.warning("écriture dans le trousseau impossible", exc_info=True)
        return False
    return True


def forget_password(settings: MailSettings) -> None:
    if not settings.login or not keyring_usable():
        return
    import keyring
    from keyring.errors import PasswordDeleteError

    try:
        keyring.delete_password(KEYRING_SERVICE, settings.account)
    except PasswordDeleteError:
        pass
    except Exception:
        log.warning("effacement dans le trousseau impossible", exc_info=True)


def password_missing(settings: MailSettings) -> bool:
    """Whether sending will have to ask for the password (a login, nothing in the keyring)."""
    return bool(settings.login) and stored_password(settings) is None


def _password(settings: MailSettings, given: str | None) -> str | None:
    if not settings.login:
        return None
    if given:
        return given
    found = stored_password(settings)
    if found:
        return found
    raise PasswordNeeded(settings)


# --- the connection ----------------------------------------------------------------------------


def _ssl_context() -> ssl.SSLContext:
    """The certificates the system trusts (a test adds its own authority)."""
    return ssl.create_default_context()


def _helo_name() -> str:
    # Not smtplib's default (socket.getfqdn()), which can wait seconds on a broken DNS.
    name = socket.gethostname()
    return name if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", name or "") else "localhost"


def _server_text(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}".strip()


def _network_reason(error: BaseException, settings: MailSettings) -> str:
    """A French sentence for a failure to reach or talk to the server."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        return _("identifiant ou mot de passe refusé par le serveur ({reply}).").format(
            reply=_server_text(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return _("le serveur ne propose pas ce qui est demandé ({what}).").format(what=error)
    if isinstance(error, smtplib.SMTPResponseException):
        return _("le serveur a répondu « {reply} ».").format(
            reply=_server_text(error.smtp_code, error.smtp_error))
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return _("le serveur a coupé la connexion.")
    if isinstance(error, socket.gaierror):
        return _("serveur « {host} » introuvable : vérifiez son nom et la connexion à "
                 "Internet.").format(host=settings.host)
    if isinstance(error, ConnectionRefusedError):
        return _("connexion refusée par {server} : vérifiez le port.").format(
            server=settings.server)
    if isinstance(error, TimeoutError | socket.timeout):
        return _("{server} ne répond pas (au bout de {seconds} s) : vérifiez le serveur, le port "
                 "et la sécurité.").format(server=settings.server, seconds=int(SMTP_TIMEOUT))
    if isinstance(error, ssl.SSLCertVerificationError):
        return _("le certificat du serveur n'est pas reconnu ({reason}).").format(
            reason=error.verify_message or error.reason)
    if isinstance(error, ssl.SSLError):
        return _("la connexion chiffrée a échoué ({reason}) : vérifiez la sécurité choisie "
                 "(TLS direct sur le port 465, STARTTLS sur le port 587).").format(
            reason=error.reason or error)
    if isinstance(error, OSError):
        return _("erreur réseau : {reason}.").format(reason=error.strerror or error)
    return str(error)


def _connect(settings: MailSettings, password: str | None) -> smtplib.SMTP:
    """An open, secured and logged-in connection, or a French ServiceError."""
    context = _ssl_context()
    smtp: smtplib.SMTP | None = None
    try:
        if settings.security is Security.TLS:
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, local_hostname=_helo_name(),
                                    timeout=SMTP_TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, local_hostname=_helo_name(),
                                timeout=SMTP_TIMEOUT)
        smtp.ehlo()
        if settings.security is Security.STARTTLS:
            if not smtp.has_extn("starttls"):
                raise ServiceError(_(
                    "Connexion à {server} impossible : le serveur ne propose pas STARTTLS ; "
                    "choisissez TLS direct (port 465) ou une autre sécurité.").format(
                    server=settings.server))
            smtp.starttls(context=context)
            smtp.ehlo()
        if settings.login:
            if not smtp.has_extn("auth"):
                raise ServiceError(_(
                    "Connexion à {server} : le serveur ne demande pas d'identification (sans "
                    "chiffrement, il peut la cacher) ; videz l'identifiant ou choisissez une "
                    "connexion chiffrée.").format(server=settings.server))
            smtp.login(settings.login, password or "")
    except BaseException as error:
        if smtp is not None:
            _close(smtp)
        if isinstance(error, ServiceError):
            raise
        if isinstance(error, smtplib.SMTPAuthenticationError):
            raise AuthenticationRefused(_("Connexion à {server} : {reason}").format(
                server=settings.server, reason=_network_reason(error, settings))) from error
        if isinstance(error, smtplib.SMTPException | OSError):
            raise ServiceError(_("Connexion à {server} impossible : {reason}").format(
                server=settings.server, reason=_network_reason(error, settings))) from error
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


@dataclass(frozen=True)
class ConnectionReport:
    settings: MailSettings
    seconds: float

    @property
    def text(self) -> str:
        """« Connexion réussie à smtp.exemple.fr:587 (STARTTLS), identifiant « x » accepté. »"""
        if self.settings.login:
            return _("Connexion réussie à {server} ({security}), identifiant « {login} » "
                     "accepté.").format(server=self.settings.server,
                                        security=self.settings.security.short_label,
                                        login=self.settings.login)
        return _("Connexion réussie à {server} ({security}), sans identification.").format(
            server=self.settings.server, security=self.settings.security.short_label)


def try_connection(*, db: Database, actor: Actor, settings: MailSettings | None = None,
                   password: str | None = None) -> ConnectionReport:
    """« Tester la connexion »: connect, secure, log in and leave, sending nothing.

    `settings` None tries the stored ones; the window gives what is typed, not saved yet."""
    require(actor, MAIL_READERS, _("tester l'envoi des e-mails"))
    if settings is None:
        settings = get_mail_settings(db=db, actor=actor)
    if not settings.host:
        raise ValidationError(_("Le serveur d'envoi n'est pas réglé : indiquez au moins le "
                                "serveur et l'adresse d'expédition."), field="host")
    started = time.perf_counter()
    smtp = _connect(settings, _password(settings, password))
    try:
        smtp.noop()
    except (smtplib.SMTPException, OSError) as error:
        raise ServiceError(_("Connexion à {server} : {reason}").format(
            server=settings.server, reason=_network_reason(error, settings))) from error
    finally:
        _close(smtp)
    return ConnectionReport(settings, round(time.perf_counter() - started, 3))


# --- what the plan and the sending return ------------------------------------------------------


@dataclass(frozen=True)
class Attachment:
    name: str
    path: Path
    #: Of the content that matters (see the module's docstring), not of the bytes.
    digest: str
    size: int


@dataclass(frozen=True)
class PlannedMessage:
    kind: MailKind
    cycle_id: int | None
    #: Who it is for, as the co-op names them: a producer, a household, a point.
    name: str
    #: The address, normalised; "" when there is none.
    recipient: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...]
    dedup_key: str
    status: PlanStatus
    #: Why it is not to be sent, in French; "" when it is.
    reason: str = ""
    #: When a message of the same key was sent.
    sent_at: dt.datetime | None = None

    @property
    def attachment_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.attachments)

    @property
    def status_text(self) -> str:
        """« à envoyer », « déjà envoyé le 26/11/2026 à 10:05 », « pas d'adresse : … »"""
        if self.status is PlanStatus.TO_SEND:
            return self.status.label
        return self.reason or self.status.label


@dataclass(frozen=True)
class MailPlan:
    kind: MailKind
    cycle_id: int | None
    #: « Listes de préparation — distribution du jeudi 3 décembre 2026 »
    title: str
    #: Where the attached documents were written (the caller removes it).
    folder: Path
    messages: tuple[PlannedMessage, ...]

    def count(self, status: PlanStatus) -> int:
        return sum(1 for m in self.messages if m.status is status)

    @property
    def to_send(self) -> tuple[PlannedMessage, ...]:
        return tuple(m for m in self.messages if m.status is PlanStatus.TO_SEND)

    @property
    def summary(self) -> str:
        """« 3 à envoyer, 1 déjà envoyé, 2 sans adresse »"""
        parts = [ngettext("{n} message à envoyer", "{n} messages à envoyer",
                          self.count(PlanStatus.TO_SEND)).format(
            n=self.count(PlanStatus.TO_SEND))]
        for status, singular, plural in (
            (PlanStatus.ALREADY_SENT, "{n} déjà envoyé", "{n} déjà envoyés"),
            (PlanStatus.NO_ADDRESS, "{n} sans adresse", "{n} sans adresse"),
            (PlanStatus.BAD_ADDRESS, "{n} adresse invalide", "{n} adresses invalides"),
            (PlanStatus.NOTHING, "{n} sans rien à envoyer", "{n} sans rien à envoyer"),
        ):
            n = self.count(status)
            if n:
                parts.append(ngettext(singular, plural, n).format(n=n))
        return ", ".join(parts)


@dataclass(frozen=True)
class SendResult:
    message: PlannedMessage
    outcome: Outcome
    #: The server's reason for a failure, or why nothing was tried, in French.
    reason: str = ""

    @property
    def text(self) -> str:
        """« Envoyé », « Échec : 550 5.1.1 Destinataire inconnu »"""
        return f"{self.outcome.label} : {self.reason}" if self.reason else self.outcome.label


@dataclass(frozen=True)
class SendReport:
    kind: MailKind
    cycle_id: int | None
    results: tuple[SendResult, ...]
    cancelled: bool
    #: Why the run stopped before the end (the connection lost twice…); "" otherwise.
    stopped: str
    seconds: float

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def sent(self) -> int:
        return self.count(Outcome.SENT)

    @property
    def failed(self) -> int:
        return self.count(Outcome.FAILED)

    @property
    def complete(self) -> bool:
        """Everything that was to be sent left."""
        return not (self.failed or self.count(Outcome.NOT_SENT))

    @property
    def summary(self) -> str:
        """« 12 envoyés, 3 ignorés, 1 échec, 0 non envoyé »"""
        sent, skipped = self.sent, self.count(Outcome.SKIPPED)
        failed, not_sent = self.failed, self.count(Outcome.NOT_SENT)
        text = ", ".join((
            ngettext("{n} envoyé", "{n} envoyés", sent).format(n=sent),
            ngettext("{n} ignoré", "{n} ignorés", skipped).format(n=skipped),
            ngettext("{n} échec", "{n} échecs", failed).format(n=failed),
            ngettext("{n} non envoyé", "{n} non envoyés", not_sent).format(n=not_sent),
        ))
        if self.cancelled:
            text = _("Envoi annulé : {summary}").format(summary=text)
        elif self.stopped:
            text = _("Envoi interrompu ({why}) : {summary}").format(why=self.stopped,
                                                                    summary=text)
        return text


# --- building the plan -------------------------------------------------------------------------


@dataclass
class _Draft:
    """A message before its key and status are known."""

    name: str
    address: str | None
    subject: str
    body: str
    paths: list[Path] = field(default_factory=list)
    #: Set for a message with nothing to send, with why.
    nothing: str = ""
    no_address: str = ""


@dataclass(frozen=True)
class _Coop:
    name: str
    email: str


def _the_coop(session: Session) -> _Coop:
    row = session.execute(select(Coop.name, Coop.email).order_by(Coop.id).limit(1)).first()
    return _Coop(row[0], row[1] or "") if row is not None else _Coop("", "")


def _signature(coop: _Coop) -> str:
    if coop.email:
        return _("Bien cordialement,\n{coop}\n{email}").format(coop=coop.name, email=coop.email)
    return _("Bien cordialement,\n{coop}").format(coop=coop.name)


def _cycle_words(date: dt.date) -> str:
    """« distribution du jeudi 3 décembre 2026 »"""
    return _("distribution du {date}").format(date=format_date(date, style="full"))


def _cycle_date(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(_("La distribution n° {id} n'existe pas.").format(id=cycle_id))
    return cycle


def _own_points(actor: Actor) -> list[int] | None:
    return sorted(actor.point_ids) if actor.role is Role.COORDINATOR else None


def _pickup_drafts(db: Database, actor: Actor, cycle_id: int, out_dir: Path,
                   progress: ProgressCallback) -> tuple[str, list[_Draft]]:
    from coopfood.documents.distribution import gather_distribution
    from coopfood.documents.pickup import producers_of
    from coopfood.services.printing import DocumentKind, print_documents

    with db.reading() as session:
        coop = _the_coop(session)
        distribution = gather_distribution(session, cycle_id=cycle_id,
                                           point_ids=_own_points(actor))
        producers = session.execute(
            select(Producer.id, Producer.name, Producer.email, Producer.archived_at)).all()
    wanted = producers_of(distribution)
    when = _cycle_words(distribution.date)
    files: dict[int, Path] = {}
    if wanted:
        report = print_documents(db=db, actor=actor, cycle_id=cycle_id,
                                 kinds=[DocumentKind.PICKUP], producer_ids=wanted,
                                 out_dir=out_dir, progress=progress)
        # One file per producer, in the order of their ids (print_documents sorts them).
        for producer_id, printed in zip(sorted(wanted), report.files, strict=True):
            expected = f"{DocumentKind.PICKUP.single} — {distribution.producers[producer_id]}"
            if printed.title != expected:
                raise RuntimeError(f"pickup list mismatch: {printed.title!r} != {expected!r}")
            files[producer_id] = printed.path
    emails = {pid: email for pid, _name, email, _archived in producers}
    drafts: list[_Draft] = []
    for producer_id in wanted:
        name = distribution.producers[producer_id]
        drafts.append(_Draft(
            name=name, address=emails.get(producer_id, ""),
            subject=_("{coop} — Liste de préparation, {when}").format(coop=coop.name,
                                                                      when=when),
            body=_("Bonjour,\n\nVoici la liste de préparation de {producer} pour la {when} : "
                   "les totaux par produit, puis le détail par point de distribution et par "
                   "foyer.\n\n{signature}\n").format(producer=name, when=when,
                                                     signature=_signature(coop)),
            paths=[files[producer_id]]))
    idle = sorted(((pid, name) for pid, name, _email, archived in producers
                   if pid not in files and archived is None),
                  key=lambda p: sort_key(p[1]))
    for _pid, name in idle:
        drafts.append(_Draft(name=name, address=None, subject="", body="",
                             nothing=_("rien à préparer pour cette distribution")))
    title = _("Listes de préparation — {when}").format(when=when)
    return title, drafts


def _is_coordinator_role(role: str) -> bool:
    return sort_key(role).strip().startswith(_COORDINATOR_PREFIX)


def _sheet_drafts(db: Database, actor: Actor, cycle_id: int, out_dir: Path,
                  progress: ProgressCallback) -> tuple[str, list[_Draft]]:
    from coopfood.documents.distribution import gather_distribution
    from coopfood.services.printing import DocumentKind, print_documents

    with db.reading() as session:
        coop = _the_coop(session)
        distribution = gather_distribution(session, cycle_id=cycle_id,
                                           point_ids=_own_points(actor))
        shifts = session.execute(
            select(Shift.point_id, Shift.role, Member.id, Member.last_name, Member.first_name,
                   Member.email)
            .join(Member, Member.id == Shift.member_id)
            .where(Shift.cycle_id == cycle_id).order_by(Shift.id)).all()
        extra = _read_point_recipients(session)
    when = _cycle_words(distribution.date)
    coordinators: dict[int, dict[int, tuple[str, str | None]]] = {}
    for point_id, role, member_id, last, first, email in shifts:
        if _is_coordinator_role(role):
            coordinators.setdefault(point_id, {})[member_id] = (household_name(last, first),
                                                                email)
    with_orders = [p.id for p in distribution.points if distribution.households.get(p.id)]
    files: dict[str, Path] = {}
    if with_orders:
        report = print_documents(db=db, actor=actor, cycle_id=cycle_id,
                                 kinds=[DocumentKind.SHEETS], point_ids=with_orders,
                                 out_dir=out_dir, progress=progress)
        files = {printed.title: printed.path for printed in report.files}
    drafts: list[_Draft] = []
    for point in distribution.points:
        subject = _("{coop} — Feuille d'émargement « {point} », {when}").format(
            coop=coop.name, point=point.name, when=when)
        if point.id not in with_orders:
            drafts.append(_Draft(name=point.name, address=None, subject=subject, body="",
                                 nothing=_("aucune commande à ce point")))
            continue
        path = files[f"{DocumentKind.SHEETS.single} — {point.name}"]
        people = sorted(coordinators.get(point.id, {}).values(), key=lambda p: sort_key(p[0]))
        addresses = [(name, email) for name, email in people]
        addresses += [(point.name, address) for address in extra.get(point.id, ())]
        if not addresses:
            drafts.append(_Draft(
                name=point.name, address=None, subject=subject, body="", paths=[path],
                no_address=_("personne à qui l'envoyer : aucun « {role} » inscrit aux "
                             "permanences de ce point, et aucune adresse enregistrée pour "
                             "lui").format(role=COORDINATOR_ROLE)))
            continue
        seen: set[str] = set()
        for name, email in addresses:
            if email and email.lower() in seen:
                continue
            seen.add((email or "").lower())
            hello = (_("Bonjour {name},").format(name=name) if name != point.name
                     else _("Bonjour,"))
            drafts.append(_Draft(
                name=name, address=email or "", subject=subject, paths=[path],
                body=_("{hello}\n\nVoici la feuille d'émargement du point « {point} » pour la "
                       "{when}, à imprimer pour le jour de la distribution.\n\n"
                       "{signature}\n").format(hello=hello, point=point.name, when=when,
                                               signature=_signature(coop))))
    return _("Feuilles d'émargement — {when}").format(when=when), drafts


def _order_form_drafts(db: Database, actor: Actor, cycle_id: int, out_dir: Path,
                       progress: ProgressCallback) -> tuple[str, list[_Draft]]:
    from coopfood.services.order_forms import FormFormat, write_order_forms

    report = write_order_forms(db=db, actor=actor, cycle_id=cycle_id, out_dir=out_dir,
                               format=FormFormat.XLSX, progress=progress)
    household_files = [f for f in report.files if f.member_id is not None]
    with db.reading() as session:
        coop = _the_coop(session)
        cycle = _cycle_date(session, cycle_id)
        date, deadline = cycle.distribution_date, cycle.order_deadline
        members = {row[0]: row[1:] for row in session.execute(
            select(Member.id, Member.last_name, Member.first_name, Member.email)
            .where(Member.id.in_([f.member_id for f in household_files])))}
        points = {pid: name for pid, name in session.execute(
            select(DistributionPoint.id, DistributionPoint.name))}
    when = _cycle_words(date)
    if deadline is not None:
        local = deadline.astimezone()
        until = _("Renvoyez-le rempli avant le {date} à {time}.").format(
            date=format_date(local.date(), style="full"), time=f"{local:%H:%M}")
    else:
        until = _("Renvoyez-le rempli avant la clôture des commandes.")
    drafts = []
    for form in household_files:
        assert form.member_id is not None
        last, first, email = members[form.member_id]
        name = household_name(last, first)
        drafts.append(_Draft(
            name=name, address=email or "",
            subject=_("{coop} — Bon de commande, {when}").format(coop=coop.name, when=when),
            body=_("Bonjour {name},\n\nVoici votre bon de commande pour la {when} au point "
                   "« {point} » : indiquez les quantités voulues dans le classeur joint. "
                   "{until}\n\n{signature}\n").format(
                name=name, when=when, point=points.get(form.point_id, ""), until=until,
                signature=_signature(coop)),
            paths=[form.path]))
    drafts.sort(key=lambda d: sort_key(d.name))
    return _("Bons de commande — {when}").format(when=when), drafts


def statements_available() -> bool:
    """Whether the statements' writer is part of this version (it came separately)."""
    try:
        return importlib.util.find_spec("coopfood.services.statements") is not None
    except (ImportError, ValueError):
        return False


def _statement_drafts(db: Database, actor: Actor, date_from: dt.date | None,
                      date_to: dt.date | None, member_ids: Collection[int] | None,
                      out_dir: Path, progress: ProgressCallback) -> tuple[str, list[_Draft]]:
    try:
        from coopfood.services.statements import write_statements
    except ImportError:
        raise ServiceError(_("Envoi des relevés impossible : relevés pas encore disponibles "
                             "dans cette version de coopfood.")) from None
    written = write_statements(db=db, actor=actor,
                               member_ids=None if member_ids is None else list(member_ids),
                               date_from=date_from, date_to=date_to, out_dir=out_dir,
                               progress=progress)
    with db.reading() as session:
        coop = _the_coop(session)
        emails = {member_id: email for member_id, email in session.execute(
            select(Member.id, Member.email)
            .where(Member.id.in_([w.member_id for w in written])))}
    if date_from and date_to:
        period = _("du {start} au {end}").format(start=format_date(date_from),
                                                 end=format_date(date_to))
    elif date_from:
        period = _("depuis le {start}").format(start=format_date(date_from))
    elif date_to:
        period = _("jusqu'au {end}").format(end=format_date(date_to))
    else:
        period = ""
    subject = (_("{coop} — Votre relevé de compte {period}").format(coop=coop.name,
                                                                     period=period)
               if period else _("{coop} — Votre relevé de compte").format(coop=coop.name))
    drafts = []
    for statement in written:
        balance = statement.balance
        if balance > 0:
            standing = _("Votre solde : {amount} à régler.").format(amount=format_money(balance))
        elif balance < 0:
            standing = _("Votre solde : {amount} en votre faveur.").format(
                amount=format_money(-balance))
        else:
            standing = _("Votre compte est à jour.")
        drafts.append(_Draft(
            name=statement.name, address=emails.get(statement.member_id) or "",
            subject=subject,
            body=_("Bonjour {name},\n\nVoici votre relevé de compte auprès de {coop}. "
                   "{standing}\n\n{signature}\n").format(name=statement.name, coop=coop.name,
                                                         standing=standing,
                                                         signature=_signature(coop)),
            paths=[Path(statement.path)]))
    drafts.sort(key=lambda d: sort_key(d.name))
    title = (_("Relevés de compte {period}").format(period=period) if period
             else _("Relevés de compte"))
    return title, drafts


# --- digests and keys ------------------------------------------------------------------------


def _printed_on_pattern() -> re.Pattern[str]:
    """The « Imprimé le 26 novembre 2026 à 10:05 » of every page, in the current language."""
    marker_date, marker_time = "\x00DATE\x00", "\x00TIME\x00"
    template = re.escape(printed_on_template(marker_date, marker_time))
    return re.compile(template.replace(re.escape(marker_date), r".{1,40}?")
                      .replace(re.escape(marker_time), r"\d{1,2}:\d{2}"))


def printed_on_template(date: str, time_text: str) -> str:
    """`printed_on` with its date and time given as text."""
    return _("Imprimé le {date} à {time}").format(date=date, time=time_text)


def _pdf_text(path: Path) -> bytes | None:
    try:
        import pypdfium2  # type: ignore[import-untyped]

        document = pypdfium2.PdfDocument(str(path))
    except Exception:  # not a PDF pdfium reads: its bytes will do
        return None
    try:
        pages = []
        for page in document:
            text_page = page.get_textpage()
            pages.append(text_page.get_text_range())
            text_page.close()
            page.close()
    finally:
        document.close()
    text = _printed_on_pattern().sub("", "\f".join(pages))
    return text.encode("utf-8")


def _xlsx_parts(path: Path) -> bytes | None:
    try:
        with zipfile.ZipFile(path) as archive:
            digest = hashlib.sha256()
            for name in sorted(archive.namelist()):
                # The workbook's creation and modification moments: not content.
                if name == "docProps/core.xml":
                    continue
                digest.update(name.encode() + b"\0" + archive.read(name) + b"\0")
            return digest.digest()
    except (zipfile.BadZipFile, OSError):
        return None


def content_digest(path: Path) -> str:
    """A digest of what a document says, not of when it was drawn."""
    suffix = path.suffix.lower()
    content = None
    if suffix == ".pdf":
        content = _pdf_text(path)
    elif suffix == ".xlsx":
        content = _xlsx_parts(path)
    if content is None:
        content = path.read_bytes()
    return hashlib.sha256(content).hexdigest()


def dedup_key(kind: MailKind, cycle_id: int | None, recipient: str,
              digests: Iterable[str]) -> str:
    """« pickup:12:3f9a… »: kind, distribution, and a digest of the recipient and files."""
    digest = hashlib.sha256("\n".join([recipient.lower(), *digests]).encode()).hexdigest()
    return f"{kind.value}:{cycle_id if cycle_id is not None else '-'}:{digest[:48]}"


def _sent_text(moment: dt.datetime) -> str:
    local = moment.astimezone()
    return _("déjà envoyé le {date} à {time}").format(date=format_date(local.date(),
                                                                      style="short"),
                                                      time=f"{local:%H:%M}")


def _sent_keys(session: Session, keys: Collection[str]) -> dict[str, dt.datetime]:
    """Of these keys, those logged as sent, with the last moment they were."""
    found: dict[str, dt.datetime] = {}
    wanted = list(keys)
    for start in range(0, len(wanted), 500):
        rows = session.execute(select(MailMessage.dedup_key, MailMessage.at).where(
            MailMessage.dedup_key.in_(wanted[start:start + 500]),
            MailMessage.status == MailStatus.SENT))
        for key, at in rows:
            if key not in found or at > found[key]:
                found[key] = at
    return found


def plan_mail(
    *,
    db: Database,
    actor: Actor,
    kind: MailKind | str,
    out_dir: Path,
    cycle_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    member_ids: Collection[int] | None = None,
    progress: ProgressCallback = no_progress,
) -> MailPlan:
    """Write the documents of `kind` into `out_dir` and say who would receive what.

    Pickup lists, sign-in sheets and order forms are those of distribution
    `cycle_id`; statements those of the period `date_from`–`date_to`
    (optional). Nothing is sent, nothing is written to the database.
    """
    chosen = mail_kind(kind)
    require(actor, chosen.senders, _("envoyer ces documents par e-mail"))
    if chosen.needs_cycle and cycle_id is None:
        raise ValidationError(_("Choisissez la distribution dont envoyer les documents."),
                              field="cycle_id")
    if date_from is not None and date_to is not None:
        check.dates_in_order(date_from, date_to, field="date_to")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error)) from error
    if chosen is MailKind.PICKUP:
        assert cycle_id is not None
        title, drafts = _pickup_drafts(db, actor, cycle_id, out_dir, progress)
    elif chosen is MailKind.SHEETS:
        assert cycle_id is not None
        title, drafts = _sheet_drafts(db, actor, cycle_id, out_dir, progress)
    elif chosen is MailKind.ORDER_FORMS:
        assert cycle_id is not None
        title, drafts = _order_form_drafts(db, actor, cycle_id, out_dir, progress)
    else:
        title, drafts = _statement_drafts(db, actor, date_from, date_to, member_ids, out_dir,
                                          progress)
    messages = _settle(chosen, None if chosen is MailKind.STATEMENTS else cycle_id, drafts,
                       db, progress)
    return MailPlan(chosen, None if chosen is MailKind.STATEMENTS else cycle_id, title,
                    out_dir, messages)


def _settle(kind: MailKind, cycle_id: int | None, drafts: list[_Draft], db: Database,
            progress: ProgressCallback) -> tuple[PlannedMessage, ...]:
    """Digest the files, make the keys, and tell what is to send and what is not."""
    digests: dict[Path, Attachment] = {}
    paths = list(dict.fromkeys(p for d in drafts for p in d.paths))
    for done, path in enumerate(paths):
        progress(done, len(paths), _("Empreinte de {file}").format(file=path.name))
        digests[path] = Attachment(path.name, path, content_digest(path), path.stat().st_size)
    shaped: list[tuple[_Draft, str, str, PlanStatus, str]] = []
    for draft in drafts:
        attachments = [digests[p] for p in draft.paths]
        status, reason, address = PlanStatus.TO_SEND, "", (draft.address or "").strip()
        if draft.nothing:
            status, reason = PlanStatus.NOTHING, draft.nothing
        elif draft.no_address:
            status, reason = PlanStatus.NO_ADDRESS, draft.no_address
        elif not address:
            status, reason = PlanStatus.NO_ADDRESS, _("pas d'adresse e-mail")
        else:
            try:
                address = check.email(address, field="recipient", required=True) or ""
            except ValidationError:
                status = PlanStatus.BAD_ADDRESS
                reason = _("adresse « {address} » invalide : corrigez la fiche de {name}").format(
                    address=address, name=draft.name)
        key = dedup_key(kind, cycle_id, address, (a.digest for a in attachments)) \
            if status is PlanStatus.TO_SEND else ""
        shaped.append((draft, address, key, status, reason))
    with db.reading() as session:
        sent = _sent_keys(session, {key for _d, _a, key, _s, _r in shaped if key})
    messages = []
    for draft, address, key, status, reason in shaped:
        sent_at = sent.get(key) if key else None
        if sent_at is not None:
            status, reason = PlanStatus.ALREADY_SENT, _sent_text(sent_at)
        messages.append(PlannedMessage(
            kind=kind, cycle_id=cycle_id, name=draft.name, recipient=address,
            subject=draft.subject, body=draft.body,
            attachments=tuple(digests[p] for p in draft.paths), dedup_key=key,
            status=status, reason=reason, sent_at=sent_at))
    return tuple(messages)


# --- sending ----------------------------------------------------------------------------------


_MIME_TYPES = {
    ".pdf": ("application", "pdf"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def _one_line(text: str) -> str:
    """A name or subject as a header holds it: a line break typed in a name would refuse it."""
    return " ".join(text.split())


def _email(settings: MailSettings, coop: _Coop, message: PlannedMessage) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = _one_line(message.subject)
    mail["From"] = Address(display_name=_one_line(settings.sender_name or coop.name),
                           addr_spec=settings.sender)
    mail["To"] = Address(display_name=_one_line(message.name), addr_spec=message.recipient)
    if coop.email and coop.email.lower() != settings.sender.lower():
        mail["Reply-To"] = Address(display_name=_one_line(coop.name), addr_spec=coop.email)
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, subtype = _MIME_TYPES.get(attachment.path.suffix.lower(),
                                            ("application", "octet-stream"))
        mail.add_attachment(attachment.path.read_bytes(), maintype=maintype, subtype=subtype,
                            filename=attachment.name)
    return mail


def _log(db: Database, actor: Actor, message: PlannedMessage, status: MailStatus,
         error: str) -> None:
    """One message's row, committed at once: it went (or not) whatever comes next."""
    with db.transaction() as session:
        session.add(MailMessage(
            kind=message.kind.value, cycle_id=message.cycle_id,
            recipient=message.recipient[:200], subject=message.subject[:300],
            attachments=list(message.attachment_names), dedup_key=message.dedup_key,
            status=status, error=error, at=now(), sent_by=actor.name))


class _Dropped(Exception):
    """The connection is gone (or the server says it closes it)."""


def _send_one(smtp: smtplib.SMTP, settings: MailSettings, mail: EmailMessage,
              message: PlannedMessage) -> str:
    """Hand one message over; "" when accepted, else the server's reason. Raises
    `_Dropped` (with the reason) when the connection is lost, SMTPSenderRefused as is."""
    try:
        smtp.send_message(mail, from_addr=settings.sender, to_addrs=[message.recipient])
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = error.recipients.get(message.recipient,
                                           next(iter(error.recipients.values()), (0, b"")))
        reason = _("destinataire refusé par le serveur ({reply})").format(
            reply=_server_text(code, reply))
        if code == 421:
            raise _Dropped(reason) from error
        return reason
    except smtplib.SMTPSenderRefused as error:
        if error.smtp_code == 421:
            raise _Dropped(_network_reason(error, settings)) from error
        raise
    except smtplib.SMTPResponseException as error:
        reason = _network_reason(error, settings)
        if error.smtp_code == 421:
            raise _Dropped(reason) from error
        return reason
    except smtplib.SMTPServerDisconnected as error:
        raise _Dropped(_network_reason(error, settings)) from error
    except smtplib.SMTPException as error:  # an OSError too: caught before the network's
        return _network_reason(error, settings)
    except OSError as error:
        raise _Dropped(_network_reason(error, settings)) from error
    return ""


def send_mail(
    *,
    db: Database,
    actor: Actor,
    plan: MailPlan,
    password: str | None = None,
    progress: ProgressCallback = no_progress,
) -> SendReport:
    """Send the messages of `plan` still to send, over one connection; log each one.

    A refused recipient or a temporary failure is logged and the run goes on; a
    connection lost is logged against the message it broke, then made again once —
    lost twice in a row, the run stops, and what was left is « non envoyé ». A
    message whose key was sent meanwhile, or with a bad address, never reaches the
    server. Raising `Cancelled` from `progress` stops the run between two messages
    (the report says what left). `password` None looks in the keyring; with no
    password there, `PasswordNeeded`.
    """
    started = time.perf_counter()
    require(actor, plan.kind.senders, _("envoyer ces documents par e-mail"))
    with db.reading() as session:
        settings = _read_settings(session)
        coop = _the_coop(session)
        sent = _sent_keys(session, {m.dedup_key for m in plan.to_send})
    if not settings.configured:
        raise _not_configured()
    results: dict[int, SendResult] = {}
    queue: list[tuple[int, PlannedMessage]] = []
    refused: list[PlannedMessage] = []
    for index, message in enumerate(plan.messages):
        if message.status is PlanStatus.BAD_ADDRESS:
            results[index] = SendResult(message, Outcome.FAILED, message.reason)
            refused.append(message)
        elif message.status is not PlanStatus.TO_SEND:
            results[index] = SendResult(message, Outcome.SKIPPED, message.status_text)
        elif message.dedup_key in sent:
            results[index] = SendResult(message, Outcome.SKIPPED,
                                        _sent_text(sent[message.dedup_key]))
        else:
            queue.append((index, message))
    cancelled, stopped = False, ""
    if queue:
        secret = _password(settings, password)
        progress(0, len(queue), _("Connexion à {server}…").format(server=settings.server))
        smtp: smtplib.SMTP | None = _connect(settings, secret)
        drops = 0
        try:
            for done, (index, message) in enumerate(queue):
                try:
                    progress(done, len(queue), f"{message.name} <{message.recipient}>")
                except Cancelled:
                    cancelled = True
                    break
                if smtp is None:
                    try:
                        smtp = _connect(settings, secret)
                    except ServiceError as error:
                        stopped = str(error)
                        break
                try:
                    composed = _email(settings, coop, message)
                except (ValueError, OSError) as error:  # an attachment gone, a bad header
                    reason = _("message impossible à préparer : {reason}").format(reason=error)
                    results[index] = SendResult(message, Outcome.FAILED, reason)
                    _log(db, actor, message, MailStatus.FAILED, reason)
                    continue
                try:
                    reason = _send_one(smtp, settings, composed, message)
                except _Dropped as error:
                    reason = str(error)
                    _close(smtp)
                    smtp = None
                    drops += 1
                except smtplib.SMTPSenderRefused as error:
                    reason = _("expéditeur {sender} refusé par le serveur ({reply})").format(
                        sender=settings.sender,
                        reply=_server_text(error.smtp_code, error.smtp_error))
                    stopped = reason
                else:
                    drops = 0
                if reason:
                    results[index] = SendResult(message, Outcome.FAILED, reason)
                    _log(db, actor, message, MailStatus.FAILED, reason)
                else:
                    results[index] = SendResult(message, Outcome.SENT)
                    _log(db, actor, message, MailStatus.SENT, "")
                if stopped:
                    break
                if drops >= 2:
                    stopped = _("le serveur a coupé la connexion deux fois de suite")
                    break
        finally:
            if smtp is not None:
                _close(smtp)
        why = _("envoi annulé") if cancelled else _("envoi interrompu : {why}").format(
            why=stopped)
        for index, message in queue:
            if index not in results:
                results[index] = SendResult(message, Outcome.NOT_SENT, why)
        with _suppress_cancel():
            progress(len(queue), len(queue), _("Terminé"))
    # Logged once the run is made, so that asking for the password and trying again
    # does not log them twice.
    for message in refused:
        _log(db, actor, message, MailStatus.FAILED,
             _("refusé avant l'envoi : {reason}").format(reason=message.reason))
    return SendReport(plan.kind, plan.cycle_id,
                      tuple(results[i] for i in range(len(plan.messages))),
                      cancelled, stopped, round(time.perf_counter() - started, 3))


class _suppress_cancel:
    """The last progress report may meet a late « Annuler »: the run is over anyway."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_args: object) -> bool:
        return kind is not None and issubclass(kind, Cancelled)


# --- the log ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoggedMessage:
    id: int
    at: dt.datetime
    kind: str
    cycle_id: int | None
    cycle_date: dt.date | None
    recipient: str
    subject: str
    attachments: tuple[str, ...]
    status: MailStatus
    error: str
    sent_by: str

    @property
    def kind_label(self) -> str:
        try:
            return MailKind(self.kind).short_label
        except ValueError:
            return self.kind


def mail_log(*, db: Database, actor: Actor, cycle_id: int | None = None,
             kind: MailKind | str | None = None, limit: int = 2000) -> tuple[LoggedMessage, ...]:
    """The messages sent or tried, the latest first."""
    require(actor, MAIL_READERS, _("consulter le journal des envois"))
    query = (select(MailMessage, Cycle.distribution_date)
             .outerjoin(Cycle, Cycle.id == MailMessage.cycle_id)
             .order_by(MailMessage.at.desc(), MailMessage.id.desc()).limit(limit))
    if cycle_id is not None:
        query = query.where(MailMessage.cycle_id == cycle_id)
    if kind is not None:
        query = query.where(MailMessage.kind == mail_kind(kind).value)
    with db.reading() as session:
        return tuple(
            LoggedMessage(row.id, row.at, row.kind, row.cycle_id, date, row.recipient,
                          row.subject, tuple(row.attachments or ()), row.status, row.error,
                          row.sent_by)
            for row, date in session.execute(query))


__all__ = [
    "AuthenticationRefused",
    "ConnectionReport",
    "LoggedMessage",
    "MailKind",
    "MailPlan",
    "MailSettings",
    "MailSettingsInput",
    "Outcome",
    "PasswordNeeded",
    "PlanStatus",
    "PlannedMessage",
    "Security",
    "SendReport",
    "SendResult",
    "get_mail_settings",
    "mail_log",
    "plan_mail",
    "point_recipients",
    "save_mail_settings",
    "send_mail",
    "try_connection",
]
