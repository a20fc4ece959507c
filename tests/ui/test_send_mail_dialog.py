"""« Envoyer par e-mail… » and « Envoi des e-mails »: the preview table, sending through the
service to a real SMTP server on loopback, the password asked when no keyring keeps it, the
log; the settings dialog and its « Tester la connexion »."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.mail import (
    MailKind,
    MailSettingsInput,
    Security,
    get_mail_settings,
    point_recipients,
    save_mail_settings,
)
from tests.services.test_mail import (  # noqa: F401 — fixtures: never the computer's keyring
    Mailing,
    MemoryKeyring,
    SmtpServer,
    build_mailing,
    memory_keyring,
    no_keyring,
    start_server,
)
from tests.ui.drive import Answers, check_model, click, play_dialogs, type_into, wait_idle
from ui.dialogs import mail_settings
from ui.dialogs.mail_settings import MailSettingsDialog
from ui.dialogs.send_mail import SendMailDialog
from ui.views.context import PageContext
from ui.views.coop_settings import CoopBanner
from ui.views.documents import DocumentsPage


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    started = start_server(users={"coop": "s3cret!"})
    yield started
    started.controller.stop()


@pytest.fixture
def co_op(db: Database) -> Mailing:
    return build_mailing(db)


def _configure(db: Database, server: SmtpServer, password: str | None = "s3cret!") -> None:
    save_mail_settings(db=db, actor=LOCAL_ADMIN, data=MailSettingsInput(
        host=server.host, port=server.port, security=Security.NONE, login="coop",
        sender="envoi@trois-rivieres.fr", password=password))


def _dialog(qtbot: QtBot, db: Database, co_op: Mailing,
            kind: MailKind = MailKind.PICKUP) -> SendMailDialog:
    dialog = SendMailDialog(None, PageContext(db=db, actor=LOCAL_ADMIN), kind=kind,
                            cycle_id=co_op.cycle)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _rows(dialog: SendMailDialog) -> list[tuple[str, ...]]:
    model = dialog.preview_model
    return [tuple(model.cell_text(r, c) for c in range(model.columnCount()))
            for r in range(model.rowCount())]


def test_the_preview_table_is_filled(qtbot: QtBot, db: Database, co_op: Mailing,
                                     qtmodeltester: object) -> None:
    dialog = _dialog(qtbot, db, co_op)
    assert not dialog.send_button.isEnabled()
    click(dialog.preview_button)
    wait_idle()
    assert _rows(dialog) == [
        ("Cave du Diois", "—", "Pas d'adresse e-mail", "AMAP des Trois Rivières — Liste de "
         "préparation, distribution du jeudi 5 mars 2026",
         "preparation-2026-03-05-cave-du-diois.pdf"),
        ("Ferme des Combes", "contact@ferme-des-combes.fr", "À envoyer", "AMAP des Trois "
         "Rivières — Liste de préparation, distribution du jeudi 5 mars 2026",
         "preparation-2026-03-05-ferme-des-combes.pdf"),
        ("Rucher du Vercors", "—", "Rien à préparer pour cette distribution", "—", "—"),
    ]
    assert dialog.status.text() == ("Listes de préparation — distribution du jeudi 5 mars "
                                    "2026 : 1 message à envoyer, 1 sans adresse, 1 sans rien "
                                    "à envoyer")
    assert dialog.send_button.isEnabled()
    check_model(qtmodeltester, dialog.preview_model)  # type: ignore[arg-type]

    # Another choice: the preview no longer stands.
    dialog.kind_combo.set_value(MailKind.SHEETS)
    assert dialog.preview_model.rowCount() == 0 and not dialog.send_button.isEnabled()
    dialog.kind_combo.set_value(MailKind.STATEMENTS)
    assert dialog.period_row.isVisible() and not dialog.cycle_combo.isVisible()


def test_sending_calls_the_service_and_shows_each_outcome(
        qtbot: QtBot, db: Database, co_op: Mailing, server: SmtpServer,
        answers: Answers) -> None:
    _configure(db, server)
    server.inbox.refuse["anna@exemple.fr"] = "550 5.1.1 Boîte inconnue"
    dialog = _dialog(qtbot, db, co_op, MailKind.ORDER_FORMS)
    click(dialog.preview_button)
    wait_idle()
    click(dialog.send_button)
    wait_idle()
    assert answers.asked == [f"Envoyer 3 messages par 127.0.0.1:{server.port} ?"]
    assert [r[0] for r in _rows(dialog)] == ["BERNARD Luc", "DUPONT Marie", "ÉLUARD Anna",
                                             "ROUX Bruno"]
    assert [r[2] for r in _rows(dialog)] == [
        "Envoyé", "Envoyé", "Échec : destinataire refusé par le serveur (550 5.1.1 Boîte "
        "inconnue)", "Ignoré : pas d'adresse e-mail"]
    assert dialog.status.text() == ("2 envoyés, 1 ignoré, 1 échec, 0 non envoyé\n"
                                    "ÉLUARD Anna <anna@exemple.fr> : destinataire refusé par le "
                                    "serveur (550 5.1.1 Boîte inconnue)")
    assert len(server.inbox.messages) == 2 and not dialog.send_button.isEnabled()
    assert dialog.report is not None and dialog.report.failed == 1

    dialog.tabs.setCurrentIndex(1)
    assert dialog.log_model.rowCount() == 3
    assert dialog.log_count.text() == "2 messages envoyés, 1 en échec"

    # The retry: only what failed.
    server.inbox.refuse.clear()
    dialog.tabs.setCurrentIndex(0)
    click(dialog.preview_button)
    wait_idle()
    assert [r[2] for r in _rows(dialog)].count("À envoyer") == 1
    assert sum(r[2].startswith("Déjà envoyé le ") for r in _rows(dialog)) == 2
    click(dialog.send_button)
    wait_idle()
    assert sorted(m.recipients[0] for m in server.inbox.messages) == [
        "anna@exemple.fr", "luc@exemple.fr", "marie@exemple.fr"]


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_password_is_asked_once_per_session(
        qtbot: QtBot, db: Database, co_op: Mailing, server: SmtpServer, answers: Answers,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(db, server, password=None)
    asked: list[tuple[str, bool]] = []

    def type_password(parent: object, account: str, *, retry: bool = False) -> str:
        asked.append((account, retry))
        return "faux" if len(asked) == 1 else "s3cret!"

    monkeypatch.setattr(mail_settings, "ask_password", type_password)
    monkeypatch.setattr("ui.dialogs.send_mail.ask_password", type_password)
    monkeypatch.setattr(mail_settings, "_session_passwords", {})
    dialog = _dialog(qtbot, db, co_op)
    click(dialog.preview_button)
    wait_idle()
    click(dialog.send_button)
    wait_idle()
    # Asked, refused by the server, asked again: then sent.
    assert asked == [("coop@127.0.0.1", False), ("coop@127.0.0.1", True)]
    assert len(server.inbox.messages) == 1
    assert mail_settings.remembered_password("coop@127.0.0.1") == "s3cret!"

    dialog.kind_combo.set_value(MailKind.SHEETS)
    click(dialog.preview_button)
    wait_idle()
    click(dialog.send_button)
    wait_idle()
    assert len(asked) == 2  # remembered for the session
    assert server.inbox.to("marie@exemple.fr")


def test_the_documents_page_opens_it_on_its_distribution(
        qtbot: QtBot, db: Database, co_op: Mailing, monkeypatch: pytest.MonkeyPatch) -> None:
    page = DocumentsPage(PageContext(db=db, actor=LOCAL_ADMIN))
    qtbot.addWidget(page)
    page.show()
    seen: list[tuple[MailKind | None, int | None]] = []

    def look(dialog: object) -> None:
        assert isinstance(dialog, SendMailDialog)
        seen.append((dialog.kind_combo.value(), dialog.cycle_combo.value()))

    play_dialogs(monkeypatch, qtbot, look)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData("sheets"))
    click(page.mail_button)
    assert seen == [(MailKind.SHEETS, co_op.cycle)]


@pytest.fixture
def banner(qtbot: QtBot, db: Database) -> Iterator[CoopBanner]:
    """The dashboard's line of the co-op, alive until the dialogs it opened are closed."""
    widget = CoopBanner(PageContext(db=db, actor=LOCAL_ADMIN))
    qtbot.addWidget(widget)
    yield widget


def test_the_settings_dialog_checks_tests_and_saves(
        qtbot: QtBot, db: Database, co_op: Mailing, server: SmtpServer, banner: CoopBanner,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert banner.mail_button.text() == "Envoi des e-mails…"

    def fill(dialog: object) -> None:
        assert isinstance(dialog, MailSettingsDialog)
        dialog.resize(720, 900)
        type_into(dialog.host, "smtp exemple")
        type_into(dialog.sender_address, "envoi@trois-rivieres.fr")
        click(dialog.ok_button)
        wait_idle()
        assert dialog.shown_errors()["host"].startswith("Serveur « smtp exemple » invalide")
        type_into(dialog.host, server.host)
        dialog.security.set_value(Security.TLS)
        assert dialog.port.value() == 465  # the usual port follows the security
        dialog.security.set_value(Security.NONE)
        dialog.port.setValue(server.port)
        type_into(dialog.login, "coop")
        type_into(dialog.password, "s3cret!")
        type_into(dialog.point_fields[co_op.shop.nord], "nord@trois-rivieres.fr")
        click(dialog.test_button)
        wait_idle()
        assert dialog.test_result.text() == (f"Connexion réussie à 127.0.0.1:{server.port} "
                                             f"(sans chiffrement), identifiant « coop » "
                                             f"accepté.")
        dialog.grab().save("/tmp/mail_settings_dialog.png")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, fill)
    click(banner.mail_button)
    wait_idle()
    settings = get_mail_settings(db=db, actor=LOCAL_ADMIN)
    assert (settings.host, settings.port, settings.login) == ("127.0.0.1", server.port, "coop")
    assert point_recipients(db=db, actor=LOCAL_ADMIN) == {
        co_op.shop.nord: ("nord@trois-rivieres.fr",)}
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    assert list(backend.passwords.values()) == ["s3cret!"]
