"""The relevé de compte drawn from plain data: the balance in words, labels as typed, pages."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.documents.statement import (
    StatementData,
    StatementLine,
    balance_sentence,
    balance_text,
    draw_statement,
    epc_payment,
    period_text,
)
from tests.documents.support import PRINTED_AT, pages_text, plain

IBAN = "FR7630006000011234567890189"
D = Decimal


def statement(lines: list[StatementLine], *, opening: str = "0.00",
              date_from: dt.date | None = None, iban: str | None = IBAN) -> StatementData:
    closing = lines[-1].balance if lines else D(opening)
    return StatementData(
        coop_name="AMAP « Les Paniers » & Co", coop_lines=("Association loi 1901",
                                                          "12 rue Neuve", "26340 Saillans"),
        coop_iban=iban, coop_bic="AGRIFRPPXXX", household="DUPONT Marie",
        co_member="Paul Martin", address_lines=("3 rue des Lilas", "26340 Saillans"),
        payment_reference="ADH-0042", point_name="Halle <b>aux</b> grains",
        date_from=date_from, date_to=dt.date(2026, 11, 30), opening_balance=D(opening),
        lines=tuple(lines), closing_balance=closing,
        epc=epc_payment(name="AMAP « Les Paniers » & Co", iban=iban, bic="AGRIFRPPXXX",
                        amount=closing, reference="ADH-0042"),
        printed_at=PRINTED_AT)


def test_the_balance_said_the_way_a_volunteer_says_it() -> None:
    assert plain(balance_sentence(D("42.10"))) == "Vous devez 42,10 €"
    assert plain(balance_sentence(D("-3.00"))) == "Votre compte est créditeur de 3,00 €"
    assert balance_sentence(D("0.00")) == "Votre compte est à jour"
    assert [plain(balance_text(D(v))) for v in ("1234.5", "-3", "0")] == [
        "1 234,50 € dû", "3,00 € crédit", "0,00 €"]
    assert period_text(None, dt.date(2026, 11, 30)) == "Mouvements jusqu'au 30 novembre 2026"
    assert period_text(dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == (
        "Du 1 novembre 2026 au 30 novembre 2026")


def test_the_qr_code_only_when_a_bank_could_read_it() -> None:
    assert epc_payment(name="AMAP", iban=None, bic=None, amount=D("5"), reference="A") is None
    assert epc_payment(name="AMAP", iban=IBAN, bic=None, amount=D("0"), reference="A") is None
    assert epc_payment(name="AMAP", iban=IBAN, bic=None, amount=D("-2"), reference="A") is None
    assert epc_payment(name="AMAP", iban="FR76", bic=None, amount=D("5"), reference="A") is None
    long_name = epc_payment(name="Association " * 10, iban="fr76 3000 6000 0112 3456 7890 189",
                            bic=None, amount=D("5"), reference="ADH-0001")
    assert long_name is not None and len(long_name.name) <= 70
    assert long_name.iban == IBAN and long_name.fields()[4] == ""  # no BIC: allowed in SEPA
    version = long_name.qr_code().version
    assert long_name.fields()[7] == "EUR5" and isinstance(version, int) and version <= 13


def test_movements_and_how_to_pay(tmp_path: Path) -> None:
    lines = [
        StatementLine(dt.date(2026, 11, 5), "Commande du 05/11/2026 — Halle", D("23.40"), None,
                      D("23.40")),
        StatementLine(dt.date(2026, 11, 12), "Chèque n° 1234567 (La Nef) — contrat « Panier "
                      "légumes — petit », novembre 2026 — une remarque très longue qui ne tient "
                      "pas sur deux lignes du relevé et finit donc par des points de suspension",
                      None, D("20.00"), D("3.40")),
        StatementLine(dt.date(2026, 11, 19), "Correction : sac <b>oublié</b> & rendu", D("38.70"),
                      None, D("42.10")),
    ]
    path = tmp_path / "releve.pdf"
    stats = draw_statement(statement(lines, opening="0.00", date_from=dt.date(2026, 11, 1)),
                           path)
    [text] = pages_text(path)
    assert stats.pages == 1
    assert "Relevé de compte" in text and "Du 1 novembre 2026 au 30 novembre 2026" in text
    assert "AMAP « Les Paniers » & Co" in text and "DUPONT Marie" in text
    assert "Paul Martin" in text and "3 rue des Lilas" in text
    assert "Référence de paiement : ADH-0042" in text
    assert "Point de distribution : Halle <b>aux</b> grains" in text
    assert "Solde au 31/10/2026 0,00 €" in text
    assert "05/11/2026 Commande du 05/11/2026 — Halle 23,40 € 23,40 € dû" in text
    assert "Correction : sac <b>oublié</b> & rendu 38,70 € 42,10 € dû" in text
    assert "…" in text  # the long label cut after two lines
    assert "Total de la période 62,10 € 20,00 € 42,10 € dû" in text
    assert "Vous devez 42,10 €" in text and "au 30 novembre 2026" in text
    assert "IBAN : FR76 3000 6000 0112 3456 7890 189" in text and "BIC : AGRIFRPPXXX" in text
    assert "Scannez avec l'application" in text
    assert "Page 1 / 1" in text and "Imprimé le 26 novembre 2026 à 09:30" in text


def test_no_movement_and_no_iban(tmp_path: Path) -> None:
    path = tmp_path / "vide.pdf"
    draw_statement(statement([], opening="12.00", date_from=dt.date(2026, 11, 1), iban=None),
                   path)
    [text] = pages_text(path)
    assert "Aucun mouvement sur la période." in text
    assert "Vous devez 12,00 €" in text and "IBAN" not in text and "Scannez" not in text
    assert "par chèque à l'ordre de AMAP « Les Paniers » & Co" in text


@pytest.mark.parametrize("count", [40, 150])
def test_a_long_history_carries_its_balance_from_page_to_page(tmp_path: Path,
                                                             count: int) -> None:
    lines = []
    balance = D("0.00")
    for n in range(count):
        amount = D("7.25") if n % 2 == 0 else D("-5.00")
        balance += amount
        lines.append(StatementLine(dt.date(2026, 1, 1) + dt.timedelta(days=n),
                                   f"Mouvement n° {n + 1}", amount if amount > 0 else None,
                                   -amount if amount < 0 else None, balance))
    path = tmp_path / "long.pdf"
    stats = draw_statement(statement(lines), path)
    pages = pages_text(path)
    assert stats.pages == len(pages) >= (2 if count == 40 else 4)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in text
        if number > 1:
            assert "Relevé de compte — DUPONT Marie — ADH-0042" in text
    shown = [f"Mouvement n° {n + 1} " for n in range(count)]
    everything = "\n".join(pages)
    assert all(label in everything for label in shown)
    for before, after in itertools.pairwise(pages):
        if "À reporter" not in before:
            continue  # the closing block alone on the last page
        carried = before.split("À reporter")[1].split("\n")[0].strip()
        assert f"Report {carried}" in after
    assert f"Vous devez {plain(balance_text(balance)).removesuffix(' dû')}" in everything
