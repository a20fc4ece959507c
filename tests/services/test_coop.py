"""The co-op's identity: one row, normalised identifiers, legal wording kept in settings."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError
from coopfood.services.coop import DEFAULT_LEGAL_TEXTS, CoopInput, get_coop, save_coop
from tests.services.test_producers import IBAN, siren_for, siret_for, vat_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def test_no_coop_until_one_is_entered(db: Database) -> None:
    assert get_coop(db=db, actor=LOCAL_ADMIN) is None


def test_identity_comes_back_normalised_with_default_legal_texts(db: Database) -> None:
    siren = siren_for("73282932")
    siret = siret_for(siren)
    saved = save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(
        name="AMAP & Co <Les Paniers> 🥕", siret=f"{siret[:9]} {siret[9:]}",
        vat_number=vat_for(siren), rna="w 123456789", iban="fr76 3000 6000 0112 3456 7890 189",
        bic="agrifrpp882", phone="0612345678", fee_percent="2,5", logo_png=PNG))
    coop = get_coop(db=db, actor=LOCAL_ADMIN)
    assert coop == saved
    assert coop.name == "AMAP & Co <Les Paniers> 🥕"
    assert coop.siret == siret
    assert coop.siren == siren  # taken from the SIRET
    assert coop.rna == "W123456789"
    assert coop.iban == IBAN
    assert coop.phone == "06 12 34 56 78"
    assert coop.fee_percent == Decimal("2.50")
    assert coop.payment_terms_days == 30
    assert coop.logo_png == PNG
    assert dict(coop.legal_texts) == dict(DEFAULT_LEGAL_TEXTS)
    assert coop.legal_text("autofacturation", coop="AMAP", producteur="GAEC",
                           date="1 janvier 2026") == (
        "Autofacturation — facture établie par AMAP au nom et pour le compte de GAEC, en vertu "
        "du mandat du 1 janvier 2026")


def test_there_is_one_coop_row(db: Database) -> None:
    first = save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP du Val"))
    second = save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP du Val Vert"))
    assert second.id == first.id
    detail = get_coop(db=db, actor=LOCAL_ADMIN)
    assert detail is not None and detail.name == "AMAP du Val Vert"


def test_siret_of_another_company_than_the_siren_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError) as error:
        save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(
            name="AMAP", siren=siren_for("55210055"), siret=siret_for(siren_for("73282932"))))
    assert error.value.field == "siret"
    assert "ne correspond pas au SIREN" in str(error.value)


@pytest.mark.parametrize("logo, message", [
    (b"GIF89a" + b"\x00" * 10, "PNG ou JPEG"),
    (PNG + b"\x00" * (1024 * 1024), "1 Mo au plus"),
])
def test_a_logo_must_be_a_small_png_or_jpeg(db: Database, logo: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP", logo_png=logo))
    assert error.value.field == "logo_png"
    assert save_coop(db=db, actor=LOCAL_ADMIN,
                     data=CoopInput(name="AMAP", logo_png=JPEG)).logo_png == JPEG


@pytest.mark.parametrize("fee, message", [
    ("2,555", "plus de deux décimales"),
    ("101", "entre 0 et 100 %"),
    ("-1", "entre 0 et 100 %"),
    ("deux", "n'est pas un nombre"),
])
def test_fee_percent_is_a_rate_with_two_decimals(db: Database, fee: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP", fee_percent=fee))
    assert error.value.field == "fee_percent"
    assert "participation aux frais" in str(error.value)


@pytest.mark.parametrize("days", [0, 61])
def test_payment_terms_from_1_to_60_days(db: Database, days: int) -> None:
    with pytest.raises(ValidationError, match="de 1 à 60 jours") as error:
        save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP", payment_terms_days=days))
    assert error.value.field == "payment_terms_days"
    assert save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(
        name="AMAP", payment_terms_days=45)).payment_terms_days == 45


def test_legal_texts_are_changed_one_by_one_and_an_emptied_one_returns(db: Database) -> None:
    texts = {"franchise": "TVA non applicable, art. 293 B du CGI (CIBS L. 2023)",
             "late_penalty": "  "}
    coop = save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP", legal_texts=texts))
    assert coop.legal_texts["franchise"] == texts["franchise"]
    assert coop.legal_texts["late_penalty"] == DEFAULT_LEGAL_TEXTS["late_penalty"]
    assert coop.legal_texts["recovery_indemnity"] == DEFAULT_LEGAL_TEXTS["recovery_indemnity"]


@pytest.mark.parametrize("texts, message", [
    ({"mention": "x"}, "Texte légal « mention » inconnu"),
    ({"autofacturation": "Par {coop} pour {producer}"}, r"champ inconnu \{producer\}"),
    ({"franchise": "TVA {non} applicable"}, "aucun champ à remplacer"),
    ({"autofacturation": "Mandat du {date"}, "accolade isolée"),
])
def test_legal_texts_that_could_not_be_printed_are_refused(
        db: Database, texts: dict[str, str], message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP", legal_texts=texts))
    # The field names the text at fault, so the window shows the message under it.
    [key] = texts
    expected = "legal_texts" if key == "mention" else f"legal_texts.{key}"
    assert error.value.field == expected


def test_a_coordinator_cannot_change_the_coop(db: Database) -> None:
    coordinator = Actor(name="Léa", role=Role.COORDINATOR, point_ids=frozenset({1}))
    with pytest.raises(PermissionDenied, match="Léa n'a pas le droit de modifier la fiche"):
        save_coop(db=db, actor=coordinator, data=CoopInput(name="AMAP"))
    treasurer = Actor(name="Paul", role=Role.TREASURER)
    assert save_coop(db=db, actor=treasurer, data=CoopInput(name="AMAP")).name == "AMAP"


def test_a_base_is_empty_until_something_is_entered(db: Database) -> None:
    from coopfood.services.coop import database_is_empty

    assert database_is_empty(db=db)
    save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP du Lavoir"))
    assert not database_is_empty(db=db)
