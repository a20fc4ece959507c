"""What a user types is checked by real libraries and refused with a French reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coopfood.services import ValidationError
from coopfood.services import validation as check


def test_valid_identifiers_come_back_in_canonical_form() -> None:
    assert check.siret("732 829 320 00074") == "73282932000074"
    assert check.siren("732 829 320") == "732829320"
    assert check.vat_number("fr 44 732829320", siren_number="732829320") == "FR44732829320"
    assert check.iban("fr76 3000 6000 0112 3456 7890 189") == "FR7630006000011234567890189"
    assert check.bic("agrifrpp") == "AGRIFRPP"
    assert check.rna("w123456789") == "W123456789"
    assert check.phone("0612345678") == "06 12 34 56 78"
    assert check.phone("+33 6 12 34 56 78") == "06 12 34 56 78"
    assert check.email(" Camille@Example.org ") == "Camille@example.org"


def test_la_poste_sirets_follow_their_own_rule() -> None:
    assert check.siret("35600000000048") == "35600000000048"


@pytest.mark.parametrize(
    ("function", "value", "message", "field"),
    [
        (check.siret, "73282932000075", "clé de contrôle", "siret"),
        (check.siret, "7328293200007", "14 chiffres", "siret"),
        (check.iban, "FR7630006000011234567890188", "clé de contrôle", "iban"),
        (check.iban, "FR76300", "longueur incorrecte", "iban"),
        (check.bic, "XX", "BIC « XX » invalide", "bic"),
        (check.email, "camille@", "Adresse e-mail « camille@ » invalide", "email"),
        (check.phone, "12", "téléphone « 12 » invalide", "phone"),
        (check.vat_rate, "7", "5,5 %, 10 %, 20 %", "vat_rate"),
        (check.price, "-3", "doit être positif", "price"),
        (check.price, "12,5O", "« 12,5O » n'est pas un nombre", "price"),
        (check.price, "3,999", "plus de deux décimales", "price"),
        (check.positive_quantity, "-1", "ne peut pas être négative", "quantity"),
        (check.rna, "123", "W suivie de 9 chiffres", "rna"),
    ],
)
def test_bad_input_is_refused_naming_field_and_reason(
    function: object, value: str, message: str, field: str
) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        function(value)  # type: ignore[operator]
    assert error.value.field == field


def test_a_vat_number_must_belong_to_the_siren() -> None:
    with pytest.raises(ValidationError, match="ne correspond pas au SIREN 552100554"):
        check.vat_number("FR44732829320", siren_number="552100554")


def test_vat_rates_read_in_every_usual_way() -> None:
    for typed in ("5,5", "5.5 %", "0,055", Decimal("5.50")):
        assert check.vat_rate(typed) == Decimal("5.50")
    assert check.vat_rate("20") == Decimal("20.00")


def test_text_keeps_markup_and_emoji_but_not_excess_length() -> None:
    name = "Ferme <b>Joie</b> & Cie 🥕"
    assert check.text(name, field="name", label="Le nom") == name
    assert check.text("x" * 200, field="name", label="Le nom") == "x" * 200
    with pytest.raises(ValidationError, match="trop long \\(201 caractères, 200 au plus\\)"):
        check.text("x" * 201, field="name", label="Le nom")
    with pytest.raises(ValidationError, match="Le nom est obligatoire"):
        check.text("   ", field="name", label="Le nom")


def test_dates_in_the_wrong_order_are_refused() -> None:
    with pytest.raises(ValidationError, match="inversées : la fin \\(01/03/2026\\)"):
        check.dates_in_order(dt.date(2026, 4, 1), dt.date(2026, 3, 1))
