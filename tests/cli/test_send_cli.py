"""`python main.py send KIND --cycle ID [--dry-run]` and `mail settings|test|log`, against a
real SMTP server on loopback (tests/services/test_mail.py)."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import pytest

from coopfood.persistence.db import Database
from main import entry
from tests.services.test_mail import (  # noqa: F401 — fixtures: never the computer's keyring
    Mailing,
    MemoryKeyring,
    SmtpServer,
    build_mailing,
    memory_keyring,
    no_keyring,
    start_server,
    without_statements,
)

PASSWORD = "COOPFOOD_SMTP_PASSWORD"


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    started = start_server(users={"coop": "s3cret!"})
    yield started
    started.controller.stop()


@pytest.fixture
def co_op(db: Database) -> Mailing:
    return build_mailing(db)


def _settings(db: Database, server: SmtpServer, *extra: str) -> list[str]:
    return ["--db", db.url, "mail", "settings", "--host", server.host, "--port",
            str(server.port), "--security", "none", "--login", "coop", "--sender",
            "envoi@trois-rivieres.fr", *extra]


def test_settings_test_dry_run_send_and_log(
        db: Database, co_op: Mailing, server: SmtpServer,
        capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    url, cycle = db.url, str(co_op.cycle)
    assert entry(["--db", url, "mail", "settings"]) == 0
    assert capsys.readouterr().out.startswith("Aucun serveur d'envoi réglé")

    monkeypatch.setenv(PASSWORD, "s3cret!")
    assert entry(_settings(db, server, "--store-password",
                           "--point", f"{co_op.shop.nord}:nord@trois-rivieres.fr")) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [f"Réglage enregistré : 127.0.0.1:{server.port} (sans chiffrement), "
                   f"expéditeur envoi@trois-rivieres.fr.",
                   "Mot de passe gardé dans le trousseau du système."]
    backend = keyring.get_keyring()
    assert isinstance(backend, MemoryKeyring)
    assert list(backend.passwords.values()) == ["s3cret!"]
    monkeypatch.delenv(PASSWORD)  # from now on, the keyring's

    assert entry(["--db", url, "mail", "settings"]) == 0
    shown = capsys.readouterr().out
    assert f"Serveur : 127.0.0.1:{server.port} (sans chiffrement)" in shown
    assert f"Point n° {co_op.shop.nord} : nord@trois-rivieres.fr" in shown

    assert entry(["--db", url, "mail", "test"]) == 0
    assert capsys.readouterr().out == (f"Connexion réussie à 127.0.0.1:{server.port} "
                                       f"(sans chiffrement), identifiant « coop » accepté.\n")

    assert entry(["--db", url, "send", "pickup", "--cycle", cycle, "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "Listes de préparation — distribution du jeudi 5 mars 2026",
        "Ignoré — Cave du Diois : pas d'adresse e-mail",
        "À envoyer — Ferme des Combes <contact@ferme-des-combes.fr>",
        "    Objet : AMAP des Trois Rivières — Liste de préparation, distribution du jeudi "
        "5 mars 2026",
        "    Pièces jointes : preparation-2026-03-05-ferme-des-combes.pdf",
        "Ignoré — Rucher du Vercors : rien à préparer pour cette distribution",
        "1 message à envoyer, 1 sans adresse, 1 sans rien à envoyer",
        "Simulation (--dry-run) : rien n'a été envoyé.",
    ]
    assert server.inbox.messages == []

    assert entry(["--db", url, "send", "pickup", "--cycle", cycle]) == 0
    captured = capsys.readouterr()
    assert "Envoyé — Ferme des Combes <contact@ferme-des-combes.fr>" in captured.out
    assert captured.out.splitlines()[-1] == "1 envoyé, 2 ignorés, 0 échec, 0 non envoyé"
    assert "Terminé" in captured.err  # the progress, on standard error
    [received] = server.inbox.messages
    assert list(received.attachments) == ["preparation-2026-03-05-ferme-des-combes.pdf"]

    assert entry(["--db", url, "send", "pickup", "--cycle", cycle]) == 0
    again = capsys.readouterr().out
    assert "Ignoré — Ferme des Combes <contact@ferme-des-combes.fr> : déjà envoyé le " in again
    assert len(server.inbox.messages) == 1

    assert entry(["--db", url, "mail", "log", "--cycle", cycle]) == 0
    [row] = capsys.readouterr().out.splitlines()
    fields = row.split("\t")
    assert fields[1:4] == ["Liste de préparation", "Envoyé", "contact@ferme-des-combes.fr"]
    assert fields[5] == "preparation-2026-03-05-ferme-des-combes.pdf"


def test_a_failure_is_told_with_the_servers_reason_and_exit_1(
        db: Database, co_op: Mailing, server: SmtpServer,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD, "s3cret!")
    assert entry(_settings(db, server)) == 0
    server.inbox.refuse["anna@exemple.fr"] = "550 5.1.1 Boîte inconnue"
    assert entry(["--db", db.url, "send", "order-forms", "--cycle", str(co_op.cycle)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert "Échec — ÉLUARD Anna <anna@exemple.fr> : destinataire refusé par le serveur (550 " \
           "5.1.1 Boîte inconnue)" in out
    assert "Ignoré — ROUX Bruno : pas d'adresse e-mail" in out
    assert out[-1] == "2 envoyés, 1 ignoré, 1 échec, 0 non envoyé"

    server.inbox.refuse.clear()
    assert entry(["--db", db.url, "send", "order-forms", "--cycle", str(co_op.cycle)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "1 envoyé, 3 ignorés, 0 échec, " \
                                                       "0 non envoyé"
    assert len(server.inbox.messages) == 3


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_password_comes_from_the_environment(
        db: Database, co_op: Mailing, server: SmtpServer,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PASSWORD, "s3cret!")
    assert entry(_settings(db, server, "--store-password")) == 1
    assert "Aucun trousseau système utilisable" in capsys.readouterr().out
    monkeypatch.delenv(PASSWORD)
    assert entry(["--db", db.url, "send", "pickup", "--cycle", str(co_op.cycle)]) == 1
    assert capsys.readouterr().err.strip() == (  # asked before any document is drawn
        "Erreur : Mot de passe du compte coop@127.0.0.1 introuvable : donnez-le par la "
        "variable COOPFOOD_SMTP_PASSWORD.")
    assert server.inbox.connections == 0
    monkeypatch.setenv(PASSWORD, "s3cret!")
    assert entry(["--db", db.url, "send", "pickup", "--cycle", str(co_op.cycle)]) == 0
    assert len(server.inbox.messages) == 1


def test_bad_settings_and_arguments_are_told_in_french(
        db: Database, co_op: Mailing, server: SmtpServer,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    url = db.url

    def error(*args: str) -> str:
        assert entry(["--db", url, *args]) != 0
        return capsys.readouterr().err.strip().splitlines()[-1]

    assert error("mail", "settings", "--host", "smtp exemple.fr", "--sender", "a@exemple.fr") \
        .startswith("Erreur : Serveur « smtp exemple.fr » invalide")
    assert error("mail", "settings", "--host", "smtp.exemple.fr", "--port", "70000",
                 "--sender", "a@exemple.fr").startswith("Erreur : Port « 70000 » hors limites")
    assert error("mail", "settings", "--host", "smtp.exemple.fr", "--sender", "a@") == \
        "Erreur : Adresse e-mail « a@ » invalide."
    assert error("send", "pickup") == ("Erreur : Indiquez la distribution : --cycle ID (les "
                                       "numéros sont donnés par « list cycles »).")
    assert error("send", "statements", "--cycle", "1").startswith(
        "Erreur : Les relevés couvrent une période")
    with pytest.raises(SystemExit):
        entry(["--db", url, "send", "factures", "--cycle", "1"])
    assert "choix invalide : 'factures'" in capsys.readouterr().err
    assert error("send", "pickup", "--cycle", str(co_op.cycle)).startswith(
        "Erreur : L'envoi des e-mails n'est pas réglé")
    without_statements(monkeypatch)
    assert "relevés pas encore disponibles" in error("send", "statements", "--dry-run")


def test_changing_the_security_takes_its_usual_port(
        db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", db.url, "mail", "settings", "--host", "smtp.exemple.fr",
                  "--sender", "envoi@exemple.fr"]) == 0
    assert "smtp.exemple.fr:587 (STARTTLS)" in capsys.readouterr().out
    assert entry(["--db", db.url, "mail", "settings", "--security", "tls"]) == 0
    assert "smtp.exemple.fr:465 (TLS direct)" in capsys.readouterr().out
    assert entry(["--db", db.url, "mail", "settings", "--port", "2525"]) == 0
    assert "smtp.exemple.fr:2525 (TLS direct)" in capsys.readouterr().out
