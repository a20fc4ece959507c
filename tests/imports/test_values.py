"""Cells as spreadsheets leave them, and the header names co-ops use."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from coopfood.domain.enums import Unit
from coopfood.domain.vat import VatRegime
from coopfood.imports import values
from coopfood.imports.columns import COLUMNS, KINDS, Kind, match_headers
from coopfood.imports.reader import ImportFileError


def test_text_keeps_what_the_user_sees() -> None:
    assert values.text(Decimal("73282932000074")) == "73282932000074"
    assert values.text(Decimal("12.50")) == "12.5"
    assert values.text(dt.date(2026, 1, 31)) == "31/01/2026"
    assert values.text("  =1+1 ") == "=1+1"
    # The exporter's own protection of a formula-looking text is undone on the way back.
    assert values.text("'=1+1") == "=1+1"
    assert values.text("'-) sourire") == "-) sourire"
    assert values.text("l'Étang") == "l'Étang"


def test_codes_typed_as_numbers_get_their_leading_zero_back() -> None:
    assert values.digits_text(1000, length=5) == "01000"
    assert values.digits_text("26400", length=5) == "26400"
    assert values.phone_text(612345678) == "0612345678"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("oui", True),
        ("Non", False),
        ("X", True),
        ("", None),
        (None, None),
        (True, True),
        ("0", False),
    ],
)
def test_yes_and_no(cell: str | bool | None, expected: bool | None) -> None:
    assert values.boolean(cell) is expected


def test_a_strange_yes_is_refused() -> None:
    with pytest.raises(values.CellError, match="oui ou non"):
        values.boolean("peut-être")


@pytest.mark.parametrize(
    "cell",
    [
        "31/01/2026",
        "31.01.2026",
        "2026-01-31",
        "31/01/26",
        "31-01-2026",
        dt.date(2026, 1, 31),
        dt.datetime(2026, 1, 31, 0, 0),
    ],
)
def test_dates_in_french_or_iso_form(cell: str | dt.date) -> None:
    assert values.date(cell) == dt.date(2026, 1, 31)


@pytest.mark.parametrize("cell", ["31/02/2026", "janvier", "2026/13/01"])
def test_an_impossible_date_is_refused_in_french(cell: str) -> None:
    with pytest.raises(values.CellError, match="JJ/MM/AAAA"):
        values.date(cell)


def test_fee_years() -> None:
    assert values.years("2026", this_year=2026) == (2026,)
    assert values.years(Decimal(2025), this_year=2026) == (2025,)
    assert values.years("2026, 2025 / 2025", this_year=2026) == (2025, 2026)
    assert values.years("non", this_year=2026) == ()
    with pytest.raises(values.CellError, match="Année d'adhésion « 20026 » invalide"):
        values.years("20026", this_year=2026)


@pytest.mark.parametrize(
    ("cell", "regime"),
    [
        ("normal", VatRegime.NORMAL),
        ("Régime normal", VatRegime.NORMAL),
        ("réel", VatRegime.NORMAL),
        ("Franchise en base", VatRegime.FRANCHISE),
        ("293 B", VatRegime.FRANCHISE),
        ("forfait", VatRegime.FLAT_RATE_FARMER),
        ("Forfait agricole", VatRegime.FLAT_RATE_FARMER),
        ("", None),
    ],
)
def test_vat_regimes_by_their_french_names(cell: str, regime: VatRegime | None) -> None:
    assert values.vat_regime(cell) is regime


@pytest.mark.parametrize(
    ("cell", "unit"),
    [
        ("kg", Unit.KG),
        ("Pièce", Unit.PIECE),
        ("pièces", Unit.PIECE),
        ("bottes", Unit.BUNCH),
        ("L", Unit.LITRE),
        ("douzaine", Unit.DOZEN),
        ("Barquettes", Unit.TRAY),
    ],
)
def test_units_by_their_french_names(cell: str, unit: Unit) -> None:
    assert values.unit(cell) is unit


def test_an_unknown_unit_lists_the_known_ones() -> None:
    with pytest.raises(values.CellError, match="Unité « sac » inconnue : pièce, kg"):
        values.unit("sac")


@pytest.mark.parametrize("kind", KINDS)
def test_no_name_means_two_columns_of_the_same_list(kind: Kind) -> None:
    seen: dict[str, str] = {}
    for column in COLUMNS[kind]:
        for name in column.names:
            assert seen.setdefault(name, column.key) == column.key, name


def test_french_names_and_synonyms_are_recognised() -> None:
    match = match_headers(
        "members",
        (
            "NOM",
            "Prénom",
            "Courriel",
            "Tél.",
            "CP",
            "Commune",
            "Lieu",
            "Binôme",
            "Cotisation",
            "Remarques",
        ),
        "m.csv",
    )
    assert set(match.positions) == {
        "last_name",
        "first_name",
        "email",
        "phone",
        "postal_code",
        "city",
        "point",
        "co_member_name",
        "fee_years",
    }
    assert match.headers["email"] == "Courriel"
    assert match.ignored == ("Remarques",)
    producers = match_headers(
        "producers", ("Nom", "N° TVA", "Régime", "Mandat d'autofacturation"), "p.csv"
    )
    assert set(producers.positions) == {"name", "vat_number", "vat_regime", "billing_mandate_date"}
    products = match_headers(
        "products", ("Producteur", "Produit", "Prix TTC", "Taux de TVA"), "p.csv"
    )
    assert set(products.positions) == {"producer", "name", "price_ttc", "vat_rate"}


def test_a_missing_required_column_refuses_the_file() -> None:
    with pytest.raises(
        ImportFileError, match=re.escape("« m.csv » : colonne obligatoire absente : « nom »")
    ):
        match_headers("members", ("prénom", "email"), "m.csv")
    with pytest.raises(ImportFileError, match="« prix ht » ou « prix ttc »"):
        match_headers("products", ("producteur", "produit"), "p.csv")


def test_two_columns_for_the_same_information_are_refused() -> None:
    with pytest.raises(ImportFileError, match="« email » et « courriel »"):
        match_headers("members", ("nom", "email", "courriel"), "m.csv")
