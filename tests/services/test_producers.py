"""Producers as a user sees them: normalised identifiers, French refusals, safe deletion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    ServiceError,
    StaleData,
    ValidationError,
)
from coopfood.services import validation as check
from coopfood.services.producers import (
    ProducerInput,
    archive_producer,
    delete_producer,
    get_producer,
    save_producer,
)

#: A name a member could type: markup characters, an emoji, accents.
TRICKY = "Pain & <b>Levain</b> 🍞 — Fermé"
IBAN = "FR7630006000011234567890189"


def siren_for(first8: str) -> str:
    return first8 + check.luhn_digit(first8)


def siret_for(siren: str, nic4: str = "0001") -> str:
    return siren + nic4 + check.luhn_digit(siren + nic4)


def vat_for(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def new_producer(db: Database, name: str = "GAEC du Pré Vert", *,
                 vat_regime: VatRegime = VatRegime.FRANCHISE, siret: str = "",
                 vat_number: str = "", invoice_prefix: str = "") -> int:
    data = ProducerInput(name=name, vat_regime=vat_regime, siret=siret, vat_number=vat_number,
                         invoice_prefix=invoice_prefix)
    return save_producer(db=db, actor=LOCAL_ADMIN, data=data).id


def test_identifiers_come_back_normalised(db: Database) -> None:
    siren = siren_for("73282932")
    siret = siret_for(siren)
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    saved = save_producer(db=db, actor=LOCAL_ADMIN, data=ProducerInput(
        name="  Ferme des Combes ", vat_regime=VatRegime.NORMAL, siret=spaced,
        vat_number=vat_for(siren).lower(), iban="fr76 3000 6000 0112 3456 7890 189",
        bic="agri fr pp 882", phone="+33 6 12 34 56 78", email="Ferme@Example.ORG",
        postal_code="26 340"))
    again = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=saved.id)
    assert again.name == "Ferme des Combes"
    assert again.siret == siret
    assert again.vat_number == vat_for(siren)
    assert again.iban == IBAN
    assert again.bic == "AGRIFRPP882"
    assert again.phone == "06 12 34 56 78"
    assert again.email == "Ferme@example.org"
    assert again.postal_code == "26340"
    assert again.invoice_prefix == "FERMEDESC"


def test_a_mistyped_siret_is_refused_in_french(db: Database) -> None:
    siret = siret_for(siren_for("73282932"))
    wrong = siret[:-1] + str((int(siret[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as error:
        new_producer(db, siret=wrong)
    assert error.value.field == "siret"
    assert "clé de contrôle" in str(error.value)


def test_a_vat_number_of_another_company_is_refused(db: Database) -> None:
    siret = siret_for(siren_for("73282932"))
    other = vat_for(siren_for("55210055"))
    with pytest.raises(ValidationError) as error:
        new_producer(db, vat_regime=VatRegime.NORMAL, siret=siret, vat_number=other)
    assert error.value.field == "vat_number"
    assert "ne correspond pas au SIREN" in str(error.value)


def test_normal_regime_needs_a_vat_number(db: Database) -> None:
    with pytest.raises(ValidationError) as error:
        new_producer(db, vat_regime=VatRegime.NORMAL, siret=siret_for(siren_for("73282932")))
    assert error.value.field == "vat_number"
    assert "numéro de TVA" in str(error.value)


def test_same_siret_twice_is_refused(db: Database) -> None:
    siret = siret_for(siren_for("73282932"))
    new_producer(db, siret=siret)
    with pytest.raises(ValidationError, match=f"déjà le SIRET {siret}"):
        new_producer(db, name="Autre", siret=siret)


def test_names_are_stored_literally_up_to_200_characters(db: Database) -> None:
    pid = new_producer(db, name=TRICKY, invoice_prefix="PAIN")
    assert get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid).name == TRICKY
    long = "é" * 200
    pid = new_producer(db, name=long, invoice_prefix="LONG")
    assert get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid).name == long
    with pytest.raises(ValidationError, match="trop long"):
        new_producer(db, name=long + "x", invoice_prefix="LONGER")


def test_an_update_on_stale_data_is_refused(db: Database) -> None:
    pid = new_producer(db)
    first = get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid)
    save_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid, expected_version=first.version,
                  data=ProducerInput(name="Renommé", vat_regime=VatRegime.FRANCHISE))
    with pytest.raises(StaleData, match="modifié par quelqu'un d'autre"):
        save_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid, expected_version=first.version,
                      data=ProducerInput(name="Autre nom", vat_regime=VatRegime.FRANCHISE))
    assert get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid).name == "Renommé"


def test_deletion_refused_once_products_exist_archive_instead(db: Database) -> None:
    from coopfood.domain.enums import Unit
    from coopfood.services.products import ProductInput, save_product

    pid = new_producer(db)
    save_product(db=db, actor=LOCAL_ADMIN, data=ProductInput(
        producer_id=pid, name="Carottes", unit=Unit.KG, vat_rate="5,5", price_ht="2,40",
        price_from=dt.date(2026, 1, 1)))
    with pytest.raises(ServiceError) as error:
        delete_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid)
    assert "1 produit(s)" in str(error.value)
    assert "Archivez-le" in str(error.value)
    archive_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid)
    assert get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid).archived


def test_an_unused_producer_can_be_deleted(db: Database) -> None:
    from coopfood.services import NotFound

    pid = new_producer(db)
    delete_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid)
    with pytest.raises(NotFound, match="introuvable"):
        get_producer(db=db, actor=LOCAL_ADMIN, producer_id=pid)


def test_a_producer_account_cannot_edit_producers(db: Database) -> None:
    producer = Actor(name="Ferme", role=Role.PRODUCER, producer_id=1)
    with pytest.raises(PermissionDenied, match="n'a pas le droit"):
        save_producer(db=db, actor=producer,
                      data=ProducerInput(name="X", vat_regime=VatRegime.FRANCHISE))


def test_money_never_enters_as_a_float() -> None:
    with pytest.raises(ValidationError, match="n'est pas un nombre"):
        check.price("12,5O")
    assert check.price("12,50") == Decimal("12.50")
