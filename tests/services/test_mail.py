"""Sending documents by e-mail, against a real SMTP server started here on loopback.

The server is aiosmtpd, on a free port of 127.0.0.1; what it receives is parsed
back with the `email` package. The keyring is an in-memory one (never the
computer's own): every test here, and those that import these fixtures, runs
with it.

The helpers and fixtures below are shared by tests/cli/test_send_cli.py and
tests/ui/test_send_mail_dialog.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import ipaddress
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import keyring
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError
from sqlalchemy import delete, select, update

from coopfood.domain.enums import CycleState
from coopfood.domain.treasury import MailStatus, PaymentMeans
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    MailMessage,
    Member,
    Order,
    OrderLine,
    Producer,
    Setting,
    Shift,
)
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    Cancelled,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
    mail,
    printing,
)
from coopfood.services.cycles import transition
from coopfood.services.ledger import record_adjustment, record_payment
from coopfood.services.mail import (
    AuthenticationRefused,
    MailKind,
    MailPlan,
    MailSettingsInput,
    Outcome,
    PasswordNeeded,
    PasswordPlace,
    PlanStatus,
    Security,
    content_digest,
    get_mail_settings,
    mail_log,
    plan_mail,
    save_mail_settings,
    send_mail,
    try_connection,
)
from tests.documents.support import plain
from tests.services.test_cycles import Shop, build_shop, open_cycle, order
from tests.services.test_producers import new_producer

# --- an in-memory keyring -------------------------------------------------------------------


class MemoryKeyring(KeyringBackend):
    """Keeps passwords in a dict, for the length of a test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.passwords.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Never the computer's own keyring."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A headless Linux without Secret Service: keyring's « fail » backend."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


# --- a real SMTP server on loopback ----------------------------------------------------------


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def attachments(self) -> dict[str, bytes]:
        return {part.get_filename() or "": part.get_payload(decode=True)
                for part in self.message.iter_attachments()}

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content()).replace("\r\n", "\n")


@dataclass
class Inbox:
    """The server's handler: keeps what it accepts; refuses, fails or drops on demand."""

    messages: list[Received] = field(default_factory=list)
    #: Address (lower case) → the reply to its RCPT, e.g. "550 5.1.1 Destinataire inconnu".
    refuse: dict[str, str] = field(default_factory=dict)
    #: After this many accepted messages, every MAIL gets its connection closed.
    drop_after: int | None = None
    #: After this many accepted messages, every MAIL gets this reply (e.g. "421 …").
    mail_reply_after: tuple[int, str] | None = None
    connections: int = 0

    def to(self, address: str) -> list[Received]:
        return [r for r in self.messages if address in r.recipients]

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if self.drop_after is not None and len(self.messages) >= self.drop_after:
            assert server.transport is not None
            server.transport.close()
            return "421 4.4.2 Connexion coupée"
        if self.mail_reply_after is not None and len(self.messages) >= self.mail_reply_after[0]:
            return self.mail_reply_after[1]
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content
        assert isinstance(content, bytes)
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos),
                                      parsed))
        return "250 2.0.0 Message accepté"


class LoopbackController(Controller):
    """aiosmtpd's controller on a port the system chooses (port 0), then told."""

    def _create_server(self) -> Any:
        return self._bind()

    async def _bind(self) -> asyncio.AbstractServer:
        server = await self.loop.create_server(self._factory_invoker, host=self.hostname,
                                               port=0, ssl=self.ssl_context)
        self.port = server.sockets[0].getsockname()[1]
        return server


@dataclass
class SmtpServer:
    host: str
    port: int
    inbox: Inbox
    controller: LoopbackController
    users: dict[str, str]


def start_server(*, users: dict[str, str] | None = None, **options: Any) -> SmtpServer:
    inbox = Inbox()
    accounts = dict(users or {})

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and accounts.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False)

    if accounts:
        options.setdefault("authenticator", authenticate)
        options.setdefault("auth_require_tls", False)
    controller = LoopbackController(inbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    return SmtpServer("127.0.0.1", controller.port, inbox, controller, accounts)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    """A server with one account, « coop » / « s3cret! »."""
    server = start_server(users={"coop": "s3cret!"})
    yield server
    server.controller.stop()


def configure(db: Database, server: SmtpServer, *, password: str | None = "s3cret!",
              security: Security = Security.NONE, login: str = "coop",
              point_recipients: dict[int, str] | None = None) -> None:
    save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host=server.host, port=server.port, security=security, login=login,
        sender="envoi@trois-rivieres.fr", sender_name="", password=password,
        point_recipients=point_recipients))


# --- a co-op with something to send -----------------------------------------------------------


@dataclass(frozen=True)
class Mailing:
    shop: Shop
    cycle: int
    #: A producer with nothing to bring to this distribution.
    rucher: int


COOP_NAME = "AMAP des Trois Rivières"


def build_mailing(db: Database) -> Mailing:
    """Nord: DUPONT Marie (coordinator, 2 dozen eggs), ÉLUARD Anna (tomme, « Caisse »),
    BERNARD Luc (no order); Sud: ROUX Bruno (juice, no address). Ferme des Combes has an
    address, Cave du Diois none; Rucher du Vercors has nothing to bring."""
    shop = build_shop(db)
    cycle = open_cycle(db, shop)
    order(db, cycle, shop.marie, shop.oeufs, "2")
    order(db, cycle, shop.anna, shop.tomme, "1,2")
    order(db, cycle, shop.bruno, shop.jus, "6")
    rucher = new_producer(db, "Rucher du Vercors", invoice_prefix="RUCHER")
    with db.transaction() as s:
        for member_id, address in ((shop.marie, "marie@exemple.fr"),
                                   (shop.anna, "anna@exemple.fr"),
                                   (shop.luc, "luc@exemple.fr")):
            s.execute(update(Member).where(Member.id == member_id).values(email=address))
        for producer_id, address in ((shop.ferme, "contact@ferme-des-combes.fr"),
                                     (rucher, "miel@rucher.fr")):
            s.execute(update(Producer).where(Producer.id == producer_id).values(email=address))
        s.add(Shift(cycle_id=cycle, point_id=shop.nord, role="Coordinateur",
                    member_id=shop.marie))
        s.add(Shift(cycle_id=cycle, point_id=shop.nord, role="Caisse", member_id=shop.anna))
    return Mailing(shop, cycle, rucher)


@pytest.fixture
def mailing(db: Database) -> Mailing:
    return build_mailing(db)


def plan(db: Database, kind: MailKind, cycle: int | None, folder: Path,
         actor: Actor = LOCAL_ADMIN) -> MailPlan:
    return plan_mail(db=db, actor=actor, kind=kind, cycle_id=cycle, out_dir=folder)


def by_name(mail_plan: MailPlan) -> dict[str, tuple[PlanStatus, str]]:
    return {m.name + (f" <{m.recipient}>" if m.recipient else ""): (m.status, m.status_text)
            for m in mail_plan.messages}


def logged(db: Database) -> list[MailMessage]:
    with db.reading() as s:
        rows = list(s.scalars(select(MailMessage).order_by(MailMessage.id)))
        s.expunge_all()
    return rows


# --- settings ------------------------------------------------------------------------------


def test_settings_are_checked_in_french(db: Database) -> None:
    def attempt(**changes: Any) -> ValidationError:
        data: dict[str, Any] = {"host": "smtp.exemple.fr", "port": "587",
                                "security": "starttls", "login": "coop",
                                "sender": "envoi@exemple.fr", **changes}
        with pytest.raises(ValidationError) as error:
            save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(**data))
        return error.value

    bad_host = attempt(host="smtp exemple.fr")
    assert bad_host.field == "host"
    assert str(bad_host).startswith("Serveur « smtp exemple.fr » invalide : un nom comme")
    assert attempt(host="").field == "host"
    port = attempt(port="70000")
    assert (port.field, str(port)) == ("port", "Port « 70000 » hors limites : un nombre entre "
                                               "1 et 65535 (587 pour STARTTLS, 465 pour TLS "
                                               "direct).")
    assert attempt(port="vingt-cinq").field == "port"
    sender = attempt(sender="envoi@@exemple")
    assert (sender.field, str(sender)) == ("sender", "Adresse e-mail « envoi@@exemple » "
                                                     "invalide.")
    assert attempt(security="ssl").field == "security"
    point = attempt(point_recipients={1: "nord@exemple.fr, pas-une-adresse"})
    assert (point.field, str(point)) == ("point.1", "Adresse e-mail « pas-une-adresse » "
                                                    "invalide.")
    assert not get_mail_settings(db=db, actor=LOCAL_ADMIN).configured


def test_the_password_goes_to_the_keyring_never_to_the_database(
        db: Database, memory_keyring: MemoryKeyring) -> None:
    saved = save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host="SMTP.Exemple.fr", port=587, login="coop", sender="Envoi@Exemple.fr",
        password="s3cret!"))
    assert saved.password is PasswordPlace.KEYRING
    assert saved.settings.host == "smtp.exemple.fr"
    assert memory_keyring.passwords == {("coopfood-smtp", "coop@smtp.exemple.fr"): "s3cret!"}
    with db.reading() as s:
        stored = {key: value for key, value in s.execute(select(Setting.key, Setting.value))}
    assert "s3cret!" not in " ".join(stored.values())
    assert stored["mail.smtp.host"] == "smtp.exemple.fr" and stored["mail.smtp.port"] == "587"

    # Saving again without a password keeps it; another login forgets the old one.
    save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host="smtp.exemple.fr", port=587, login="coop", sender="envoi@exemple.fr"))
    assert memory_keyring.passwords == {("coopfood-smtp", "coop@smtp.exemple.fr"): "s3cret!"}
    save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host="smtp.exemple.fr", port=587, login="tresorier", sender="envoi@exemple.fr"))
    assert memory_keyring.passwords == {}


def test_only_those_who_keep_the_settings_change_the_server(db: Database) -> None:
    coordinator = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied, match="n'a pas le droit de régler l'envoi"):
        save_mail_settings(db=db, actor=coordinator, data=MailSettingsInput(
            host="smtp.exemple.fr", port=587, sender="envoi@exemple.fr"))


# --- the connection test -----------------------------------------------------------------------


def test_connection_test_logs_in_and_sends_nothing(db: Database,
                                                   smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    report = try_connection(db=db, actor=LOCAL_ADMIN)
    assert report.text == (f"Connexion réussie à 127.0.0.1:{smtp_server.port} (sans "
                           f"chiffrement), identifiant « coop » accepté.")
    assert smtp_server.inbox.connections == 1 and smtp_server.inbox.messages == []

    wrong = get_mail_settings(db=db, actor=LOCAL_ADMIN)
    with pytest.raises(AuthenticationRefused, match="identifiant ou mot de passe refusé par le "
                                                    "serveur \\(535"):
        try_connection(db=db, actor=LOCAL_ADMIN, settings=wrong, password="faux")


def test_connection_refused_is_told_with_the_port(db: Database) -> None:
    gone = start_server()
    gone.controller.stop()  # its port is free again: nobody listens there
    configure(db, gone)
    with pytest.raises(ServiceError) as error:
        try_connection(db=db, actor=LOCAL_ADMIN)
    assert str(error.value) == (f"Connexion à 127.0.0.1:{gone.port} impossible : connexion "
                                f"refusée par 127.0.0.1:{gone.port} : vérifiez le port.")


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its key, its certificate)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
    key_path, cert_path = folder / "cle.pem", folder / "certificat.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


@pytest.mark.parametrize("security", [Security.STARTTLS, Security.TLS])
def test_encrypted_connections(db: Database, tmp_path: Path, mailing: Mailing,
                               monkeypatch: pytest.MonkeyPatch, security: Security) -> None:
    key, certificate = _certificate(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(certificate, key)
    options: dict[str, Any] = (
        {"tls_context": server_context, "require_starttls": True}
        if security is Security.STARTTLS else {"ssl_context": server_context})
    server = start_server(users={"coop": "s3cret!"}, **options)
    try:
        configure(db, server, security=security)
        # Unknown to the system: the certificate is refused, in French.
        with pytest.raises(ServiceError, match="le certificat du serveur n'est pas reconnu"):
            try_connection(db=db, actor=LOCAL_ADMIN)
        monkeypatch.setattr(mail, "_ssl_context",
                            lambda: ssl.create_default_context(cafile=str(certificate)))
        label = "STARTTLS" if security is Security.STARTTLS else "TLS direct"
        assert f"({label}), identifiant « coop » accepté" in try_connection(
            db=db, actor=LOCAL_ADMIN).text
        report = send_mail(db=db, actor=LOCAL_ADMIN,
                           plan=plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "envoi"))
        assert report.sent == 1 and len(server.inbox.messages) == 1
    finally:
        server.controller.stop()


def test_a_plain_server_without_starttls_is_told(db: Database, smtp_server: SmtpServer) -> None:
    configure(db, smtp_server, security=Security.STARTTLS)
    with pytest.raises(ServiceError, match="le serveur ne propose pas STARTTLS ; choisissez"):
        try_connection(db=db, actor=LOCAL_ADMIN)


# --- pickup lists ----------------------------------------------------------------------------


def test_pickup_lists_go_to_each_producer(db: Database, tmp_path: Path, mailing: Mailing,
                                         smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    pickup = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "envoi")
    assert by_name(pickup) == {
        "Cave du Diois": (PlanStatus.NO_ADDRESS, "pas d'adresse e-mail"),
        "Ferme des Combes <contact@ferme-des-combes.fr>": (PlanStatus.TO_SEND, "à envoyer"),
        "Rucher du Vercors": (PlanStatus.NOTHING, "rien à préparer pour cette distribution"),
    }
    assert pickup.summary == ("1 message à envoyer, 1 sans adresse, 1 sans rien à envoyer")
    ferme = pickup.to_send[0]
    assert ferme.subject == (f"{COOP_NAME} — Liste de préparation, distribution du jeudi "
                             f"5 mars 2026")
    assert ferme.attachment_names == ("preparation-2026-03-05-ferme-des-combes.pdf",)

    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup)
    assert (report.sent, report.failed, report.count(Outcome.SKIPPED)) == (1, 0, 2)
    assert report.summary == "1 envoyé, 2 ignorés, 0 échec, 0 non envoyé"
    [received] = smtp_server.inbox.messages
    assert received.recipients == ["contact@ferme-des-combes.fr"]
    assert received.sender == "envoi@trois-rivieres.fr"
    message = received.message
    assert message["Subject"] == ferme.subject
    assert message["To"] == "Ferme des Combes <contact@ferme-des-combes.fr>"
    assert message["From"] == f"{COOP_NAME} <envoi@trois-rivieres.fr>"
    assert "Voici la liste de préparation de Ferme des Combes pour la distribution du jeudi " \
           "5 mars 2026" in received.body
    assert received.body.rstrip().endswith(COOP_NAME)
    attached = received.attachments
    assert list(attached) == ["preparation-2026-03-05-ferme-des-combes.pdf"]
    assert attached[ferme.attachments[0].name] == ferme.attachments[0].path.read_bytes()
    assert attached[ferme.attachments[0].name].startswith(b"%PDF")

    [row] = logged(db)
    assert (row.kind, row.cycle_id, row.recipient, row.status, row.error, row.sent_by) == (
        "pickup", mailing.cycle, "contact@ferme-des-combes.fr", MailStatus.SENT, "",
        LOCAL_ADMIN.name)
    assert row.subject == ferme.subject and row.attachments == list(ferme.attachment_names)
    assert row.dedup_key == ferme.dedup_key and row.dedup_key.startswith(f"pickup:{mailing.cycle}:")


def test_names_with_markup_and_emoji_arrive_as_typed(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    coop, farm = "AMAP <Les Amis> & Co 🌻", "Ferme <du> Pré, & Fils \"bio\""
    with db.transaction() as s:
        s.execute(update(Coop).values(name=coop, email="bureau@amis.fr"))
        s.execute(update(Producer).where(Producer.id == mailing.shop.ferme).values(name=farm))
    configure(db, smtp_server)
    report = send_mail(db=db, actor=LOCAL_ADMIN,
                       plan=plan(db, MailKind.PICKUP, mailing.cycle, tmp_path))
    assert report.sent == 1
    message = smtp_server.inbox.messages[0].message
    assert message["From"].addresses[0].display_name == coop
    assert message["To"].addresses[0].display_name == farm
    assert message["Reply-To"].addresses[0].addr_spec == "bureau@amis.fr"
    assert message["Subject"] == (f"{coop} — Liste de préparation, distribution du jeudi "
                                  f"5 mars 2026")
    assert f"Voici la liste de préparation de {farm} pour" in smtp_server.inbox.messages[0].body


def test_a_retry_sends_nothing_twice(db: Database, tmp_path: Path, mailing: Mailing,
                                     smtp_server: SmtpServer,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    configure(db, smtp_server)
    send_mail(db=db, actor=LOCAL_ADMIN, plan=plan(db, MailKind.PICKUP, mailing.cycle,
                                                  tmp_path / "1"))
    # Printed again an hour later: the footer differs, the content does not.
    monkeypatch.setattr(printing, "now", lambda: dt.datetime(2030, 1, 1, 23, 59))
    again = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "2")
    ferme = next(m for m in again.messages if m.name == "Ferme des Combes")
    assert ferme.status is PlanStatus.ALREADY_SENT
    assert ferme.status_text.startswith("déjà envoyé le ")
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=again)
    assert report.sent == 0 and len(smtp_server.inbox.messages) == 1
    assert smtp_server.inbox.connections == 1  # nothing to send: no connection at all

    # A new order changes the list: it is a new message.
    order(db, mailing.cycle, mailing.shop.luc, mailing.shop.oeufs, "1")
    changed = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "3")
    assert next(m for m in changed.messages if m.name == "Ferme des Combes").status \
        is PlanStatus.TO_SEND


def test_the_digest_ignores_the_printing_moment(db: Database, tmp_path: Path,
                                                mailing: Mailing,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    first = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "1").to_send[0].attachments[0]
    monkeypatch.setattr(printing, "now", lambda: dt.datetime(2031, 7, 14, 8, 5))
    second = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path / "2").to_send[0].attachments[0]
    assert first.path.read_bytes() != second.path.read_bytes()
    assert first.digest == second.digest == content_digest(second.path)


# --- sign-in sheets -----------------------------------------------------------------------------


def test_sheets_go_to_the_coordinators_and_the_points_addresses(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    shop = mailing.shop
    configure(db, smtp_server, point_recipients={shop.nord: "nord@trois-rivieres.fr; "
                                                            "marie@exemple.fr"})
    sheets = plan(db, MailKind.SHEETS, mailing.cycle, tmp_path / "envoi")
    assert by_name(sheets) == {
        "DUPONT Marie <marie@exemple.fr>": (PlanStatus.TO_SEND, "à envoyer"),
        "Nord <nord@trois-rivieres.fr>": (PlanStatus.TO_SEND, "à envoyer"),
        "Sud": (PlanStatus.NO_ADDRESS, "personne à qui l'envoyer : aucun « Coordinateur » "
                                       "inscrit aux permanences de ce point, et aucune adresse "
                                       "enregistrée pour lui"),
    }
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=sheets)
    assert report.sent == 2
    inbox = smtp_server.inbox
    assert inbox.to("anna@exemple.fr") == []  # « Caisse » is not a coordinator
    [marie] = inbox.to("marie@exemple.fr")
    assert marie.message["Subject"] == (f"{COOP_NAME} — Feuille d'émargement « Nord », "
                                        f"distribution du jeudi 5 mars 2026")
    assert marie.body.startswith("Bonjour DUPONT Marie,\n\nVoici la feuille d'émargement du "
                                 "point « Nord »")
    assert list(marie.attachments) == ["emargement-2026-03-05-nord.pdf"]
    [point] = inbox.to("nord@trois-rivieres.fr")
    assert point.body.startswith("Bonjour,\n\n")
    assert point.attachments == marie.attachments


def test_a_point_without_orders_has_nothing_to_send(db: Database, tmp_path: Path,
                                                   mailing: Mailing) -> None:
    with db.transaction() as s:
        orders = select(Order.id).where(Order.member_id == mailing.shop.bruno)
        s.execute(delete(OrderLine).where(OrderLine.order_id.in_(orders)))
        s.execute(delete(Order).where(Order.member_id == mailing.shop.bruno))
    sheets = plan(db, MailKind.SHEETS, mailing.cycle, tmp_path)
    assert by_name(sheets)["Sud"] == (PlanStatus.NOTHING, "aucune commande à ce point")
    assert not (tmp_path / "emargement-2026-03-05-sud.pdf").exists()


# --- failures half-way, and the retry ---------------------------------------------------------


def test_a_refused_recipient_is_logged_and_the_retry_sends_only_it(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    inbox = smtp_server.inbox
    inbox.refuse["anna@exemple.fr"] = "550 5.1.1 Boîte inconnue"
    inbox.refuse["luc@exemple.fr"] = "451 4.3.0 Réessayez plus tard"
    forms = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path / "1")
    assert [(m.name, m.status) for m in forms.messages] == [
        ("BERNARD Luc", PlanStatus.TO_SEND), ("DUPONT Marie", PlanStatus.TO_SEND),
        ("ÉLUARD Anna", PlanStatus.TO_SEND), ("ROUX Bruno", PlanStatus.NO_ADDRESS)]
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=forms)
    assert (report.sent, report.failed) == (1, 2) and not report.cancelled
    reasons = {r.message.name: r.text for r in report.results}
    assert reasons["ÉLUARD Anna"] == ("Échec : destinataire refusé par le serveur (550 5.1.1 "
                                      "Boîte inconnue)")
    assert reasons["BERNARD Luc"].startswith("Échec : destinataire refusé par le serveur (451")
    assert inbox.connections == 1  # one connection for the whole run
    [marie] = inbox.messages
    assert marie.recipients == ["marie@exemple.fr"]
    assert list(marie.attachments) == ["bon-de-commande-2026-03-05-dupont-marie.xlsx"]
    assert marie.attachments["bon-de-commande-2026-03-05-dupont-marie.xlsx"].startswith(b"PK")
    rows = {row.recipient: row for row in logged(db)}
    assert rows["anna@exemple.fr"].status is MailStatus.FAILED
    assert "550 5.1.1 Boîte inconnue" in rows["anna@exemple.fr"].error
    assert rows["marie@exemple.fr"].status is MailStatus.SENT

    inbox.refuse.clear()
    retry = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path / "2")
    assert [m.name for m in retry.to_send] == ["BERNARD Luc", "ÉLUARD Anna"]
    assert retry.count(PlanStatus.ALREADY_SENT) == 1
    assert send_mail(db=db, actor=LOCAL_ADMIN, plan=retry).sent == 2
    assert sorted(r.recipients[0] for r in inbox.messages) == [
        "anna@exemple.fr", "luc@exemple.fr", "marie@exemple.fr"]


def _four_households(db: Database, mailing: Mailing) -> None:
    with db.transaction() as s:
        s.execute(update(Member).where(Member.id == mailing.shop.bruno)
                  .values(email="bruno@exemple.fr"))


def test_a_server_that_drops_half_way_stops_cleanly_and_the_retry_finishes(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    _four_households(db, mailing)
    configure(db, smtp_server)
    inbox = smtp_server.inbox
    inbox.drop_after = 1
    forms = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path / "1")
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=forms)
    outcomes = [(r.message.name, r.outcome) for r in report.results]
    assert outcomes == [("BERNARD Luc", Outcome.SENT), ("DUPONT Marie", Outcome.FAILED),
                        ("ÉLUARD Anna", Outcome.FAILED), ("ROUX Bruno", Outcome.NOT_SENT)]
    assert report.stopped == "le serveur a coupé la connexion deux fois de suite"
    assert report.summary.startswith("Envoi interrompu (le serveur a coupé la connexion deux "
                                     "fois de suite) : 1 envoyé")
    assert "le serveur a coupé la connexion" in report.results[1].reason
    assert [row.status for row in logged(db)] == [MailStatus.SENT, MailStatus.FAILED,
                                                  MailStatus.FAILED]

    inbox.drop_after = None
    retry = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path / "2")
    assert [m.name for m in retry.to_send] == ["DUPONT Marie", "ÉLUARD Anna", "ROUX Bruno"]
    assert send_mail(db=db, actor=LOCAL_ADMIN, plan=retry).complete
    assert sorted(r.recipients[0] for r in inbox.messages) == [
        "anna@exemple.fr", "bruno@exemple.fr", "luc@exemple.fr", "marie@exemple.fr"]


def test_a_server_closing_with_421_is_met_by_a_new_connection(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    inbox = smtp_server.inbox
    inbox.mail_reply_after = (1, "421 4.7.0 Trop de messages sur cette connexion")
    forms = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path)

    def lift_the_limit(done: int, total: int, what: str) -> None:
        if done == 2:
            inbox.mail_reply_after = None

    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=forms, progress=lift_the_limit)
    assert [r.outcome for r in report.results] == [Outcome.SENT, Outcome.FAILED, Outcome.SENT,
                                                   Outcome.SKIPPED]
    assert "421 4.7.0 Trop de messages" in report.results[1].reason
    assert inbox.connections == 2 and not report.stopped


def test_a_bad_address_is_refused_before_connecting(db: Database, tmp_path: Path,
                                                    mailing: Mailing,
                                                    smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    with db.transaction() as s:
        s.execute(update(Producer).where(Producer.id == mailing.shop.ferme)
                  .values(email="contact@@ferme"))
    pickup = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path)
    ferme = next(m for m in pickup.messages if m.name == "Ferme des Combes")
    assert ferme.status is PlanStatus.BAD_ADDRESS
    assert ferme.reason == ("adresse « contact@@ferme » invalide : corrigez la fiche de Ferme "
                            "des Combes")
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup)
    assert report.failed == 1 and report.results[1].message.name == "Ferme des Combes"
    assert smtp_server.inbox.connections == 0
    [row] = logged(db)
    assert row.status is MailStatus.FAILED
    assert row.error == ("refusé avant l'envoi : adresse « contact@@ferme » invalide : corrigez "
                         "la fiche de Ferme des Combes")


def test_cancelling_stops_between_two_messages(db: Database, tmp_path: Path, mailing: Mailing,
                                               smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    forms = plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path)

    def cancel_after_one(done: int, total: int, what: str) -> None:
        if done == 1:
            raise Cancelled()

    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=forms, progress=cancel_after_one)
    assert report.cancelled and report.sent == 1
    assert [r.outcome for r in report.results[:3]] == [Outcome.SENT, Outcome.NOT_SENT,
                                                       Outcome.NOT_SENT]
    assert report.results[1].text == "Non envoyé : envoi annulé"
    assert report.summary.startswith("Envoi annulé : 1 envoyé")
    assert len(smtp_server.inbox.messages) == 1 and len(logged(db)) == 1


# --- the password when no keyring is there ------------------------------------------------


def test_without_a_keyring_the_password_is_asked_at_sending_time(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer,
        no_keyring: None) -> None:
    saved = save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host=smtp_server.host, port=smtp_server.port, security=Security.NONE, login="coop",
        sender="envoi@trois-rivieres.fr", password="s3cret!"))
    assert saved.password is PasswordPlace.NOT_KEPT
    pickup = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path)
    with pytest.raises(PasswordNeeded) as needed:
        send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup)
    assert str(needed.value) == ("Le mot de passe du compte « coop » sur 127.0.0.1 n'est pas "
                                 "enregistré : saisissez-le.")
    assert smtp_server.inbox.connections == 0
    with pytest.raises(AuthenticationRefused):
        send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup, password="faux")
    assert logged(db) == []
    assert send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup, password="s3cret!").sent == 1


def test_a_server_without_login_needs_no_password(db: Database, tmp_path: Path,
                                                  mailing: Mailing) -> None:
    server = start_server()
    try:
        configure(db, server, login="", password=None)
        assert send_mail(db=db, actor=LOCAL_ADMIN,
                         plan=plan(db, MailKind.PICKUP, mailing.cycle, tmp_path)).sent == 1
    finally:
        server.controller.stop()


def test_sending_without_settings_is_refused(db: Database, tmp_path: Path,
                                             mailing: Mailing) -> None:
    pickup = plan(db, MailKind.PICKUP, mailing.cycle, tmp_path)
    with pytest.raises(ValidationError, match="L'envoi des e-mails n'est pas réglé"):
        send_mail(db=db, actor=LOCAL_ADMIN, plan=pickup)


# --- order forms, statements, rights ------------------------------------------------------------


def test_order_forms_only_while_orders_change(db: Database, tmp_path: Path,
                                              mailing: Mailing) -> None:
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=mailing.cycle, to_state=CycleState.CLOSED)
    with pytest.raises(ValidationError, match="ses commandes ne changent plus"):
        plan(db, MailKind.ORDER_FORMS, mailing.cycle, tmp_path)


def without_statements(monkeypatch: pytest.MonkeyPatch) -> None:
    """A version of coopfood whose statements' writer is not there yet."""
    monkeypatch.setitem(sys.modules, "coopfood.services.statements", None)


def test_statements_wait_for_their_module(db: Database, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    without_statements(monkeypatch)
    assert not mail.statements_available()
    with pytest.raises(ServiceError, match="relevés pas encore disponibles"):
        plan_mail(db=db, actor=LOCAL_ADMIN, kind="statements", out_dir=tmp_path)


def test_statements_go_to_each_household_with_its_balance(
        db: Database, tmp_path: Path, mailing: Mailing, smtp_server: SmtpServer) -> None:
    shop = mailing.shop
    day = dt.date(2026, 3, 5)
    record_adjustment(db=db, actor=LOCAL_ADMIN, member_id=shop.marie, amount="12,50",
                      label="Panier du 5 mars", entry_date=day)
    record_payment(db=db, actor=LOCAL_ADMIN, member_id=shop.anna, amount="20",
                   means=PaymentMeans.CHEQUE, entry_date=day)
    record_adjustment(db=db, actor=LOCAL_ADMIN, member_id=shop.bruno, amount="3",
                      label="Jus", entry_date=day)
    configure(db, smtp_server)
    statements = plan_mail(db=db, actor=LOCAL_ADMIN, kind=MailKind.STATEMENTS,
                           date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31),
                           out_dir=tmp_path / "1")
    assert statements.cycle_id is None
    assert statements.title == "Relevés de compte du 1 mars 2026 au 31 mars 2026"
    assert [(m.name, m.status) for m in statements.messages] == [
        ("DUPONT Marie", PlanStatus.TO_SEND), ("ÉLUARD Anna", PlanStatus.TO_SEND),
        ("ROUX Bruno", PlanStatus.NO_ADDRESS)]
    marie = statements.messages[0]
    assert marie.subject == ("AMAP des Trois Rivières — Votre relevé de compte du 1 mars 2026 "
                             "au 31 mars 2026")
    assert marie.attachment_names[0].startswith("releve-2026-03-31-")
    assert marie.dedup_key.startswith("statements:-:")
    report = send_mail(db=db, actor=LOCAL_ADMIN, plan=statements)
    assert report.sent == 2
    [to_marie] = smtp_server.inbox.to("marie@exemple.fr")
    [to_anna] = smtp_server.inbox.to("anna@exemple.fr")
    assert "Votre solde : 12,50 € à régler." in plain(to_marie.body)
    assert "Votre solde : 20,00 € en votre faveur." in plain(to_anna.body)
    assert list(to_marie.attachments) == list(marie.attachment_names)
    again = plan_mail(db=db, actor=LOCAL_ADMIN, kind=MailKind.STATEMENTS,
                      date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 31),
                      out_dir=tmp_path / "2")
    assert again.count(PlanStatus.ALREADY_SENT) == 2


def test_who_may_send_what(db: Database, tmp_path: Path, mailing: Mailing) -> None:
    treasurer = Actor(name="Trésorière", role=Role.TREASURER)
    with pytest.raises(PermissionDenied, match="Trésorière n'a pas le droit d'envoyer"):
        plan(db, MailKind.PICKUP, mailing.cycle, tmp_path, actor=treasurer)
    coordinator = Actor(name="Coordinatrice Sud", role=Role.COORDINATOR,
                        point_ids=frozenset({mailing.shop.sud}))
    sheets = plan(db, MailKind.SHEETS, mailing.cycle, tmp_path, actor=coordinator)
    assert [m.name for m in sheets.messages] == ["Sud"]
    with pytest.raises(ValidationError, match="Choisissez la distribution"):
        plan(db, MailKind.PICKUP, None, tmp_path)
    with pytest.raises(ValidationError, match="Envoi « factures » inconnu"):
        plan_mail(db=db, actor=LOCAL_ADMIN, kind="factures", cycle_id=mailing.cycle,
                  out_dir=tmp_path)


def test_the_log_lists_the_latest_first(db: Database, tmp_path: Path, mailing: Mailing,
                                        smtp_server: SmtpServer) -> None:
    configure(db, smtp_server)
    smtp_server.inbox.refuse["anna@exemple.fr"] = "550 5.1.1 Boîte inconnue"
    send_mail(db=db, actor=LOCAL_ADMIN, plan=plan(db, MailKind.PICKUP, mailing.cycle,
                                                  tmp_path / "1"))
    send_mail(db=db, actor=LOCAL_ADMIN, plan=plan(db, MailKind.ORDER_FORMS, mailing.cycle,
                                                  tmp_path / "2"))
    rows = mail_log(db=db, actor=LOCAL_ADMIN, cycle_id=mailing.cycle)
    assert len(rows) == 4 and rows[0].at >= rows[-1].at
    assert rows[-1].kind_label == "Liste de préparation"
    assert rows[-1].cycle_date == dt.date(2026, 3, 5)
    failed = [r for r in rows if r.status is MailStatus.FAILED]
    assert [r.recipient for r in failed] == ["anna@exemple.fr"]
    assert mail_log(db=db, actor=LOCAL_ADMIN, kind="pickup")[0].recipient == \
        "contact@ferme-des-combes.fr"
    assert mail_log(db=db, actor=LOCAL_ADMIN, cycle_id=mailing.cycle + 99) == ()
