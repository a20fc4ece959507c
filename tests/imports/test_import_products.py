"""Importing products: prices exact to the cent, never overwritten, checked as in the window."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from coopfood.domain.enums import Unit
from coopfood.imports import ImportFileError, ImportReport, import_file
from coopfood.persistence.db import Database
from coopfood.persistence.models import Product, ProductPrice
from coopfood.services import LOCAL_ADMIN
from tests.imports.support import add_producer, dump, write_csv, write_xlsx

HEADER = [
    "Producteur",
    "Produit",
    "Unité",
    "Prix HT",
    "TVA",
    "Poids variable",
    "Colisage",
    "Catégorie",
    "Label",
]
TODAY = dt.date(2026, 3, 15)


def _import(db: Database, path: Path, *, today: dt.date = TODAY, **options: object) -> ImportReport:
    return import_file(db=db, actor=LOCAL_ADMIN, kind="products", path=path, today=today, **options)  # type: ignore[arg-type]


def _prices(db: Database) -> list[tuple[str, dt.date, Decimal]]:
    with db.reading() as session:
        return [
            (name, day, price)
            for name, day, price in session.execute(
                select(Product.name, ProductPrice.valid_from, ProductPrice.price_ht)
                .join(ProductPrice, ProductPrice.product_id == Product.id)
                .order_by(Product.name, ProductPrice.valid_from)
            )
        ]


@pytest.fixture
def producer(db: Database) -> int:
    return add_producer(db, "GAEC du Pré Vert")


def test_products_are_created_with_their_first_price(
    db: Database, producer: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            HEADER,
            ["gaec du pre vert", "Carottes", "kg", "2,40", "5,5", "non", "", "Légumes", "AB"],
            ["GAEC du Pré Vert", "Œufs", "douzaine", "1\u202f234,50", "5.5 %", "", "12", "", ""],
            ["GAEC du Pré Vert", "Miel", "pot", "1\u00a0000", "5,5", "", "", "", ""],
            ["GAEC du Pré Vert", "Pain", "pièce", "1 000,5", "5,5", "", "", "", ""],
            ["GAEC du Pré Vert", "Poulet", "kg", "9.8", "0,055", "oui", "", "Viande", ""],
        ],
        separator=",",
    )
    report = _import(db, path)
    assert (report.created, report.rejected) == (5, 0), report.errors
    with db.reading() as session:
        products = {p.name: p for p in session.scalars(select(Product))}
    assert products["Carottes"].unit is Unit.KG and products["Carottes"].label == "AB"
    assert products["Œufs"].case_pack == Decimal("12.000")
    assert products["Poulet"].variable_weight and products["Poulet"].vat_rate == Decimal("5.50")
    assert {name: (day, price) for name, day, price in _prices(db)} == {
        "Carottes": (TODAY, Decimal("2.40")),
        "Œufs": (TODAY, Decimal("1234.50")),
        "Miel": (TODAY, Decimal("1000.00")),
        "Pain": (TODAY, Decimal("1000.50")),
        "Poulet": (TODAY, Decimal("9.80")),
    }


BAD_ROWS = [
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "pot", "-3,50", "5,5"],
        "Prix HT",
        "Le prix HT doit être positif (« -3,50 »).",
        id="negative price",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "pot", "12,5O", "5,5"],
        "Prix HT",
        "Le prix HT : « 12,5O » n'est pas un nombre.",
        id="letter O in a price",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "pot", "2,555", "5,5"],
        "Prix HT",
        "Le prix HT : « 2,555 » a plus de deux décimales.",
        id="three decimals",
    ),
    pytest.param(
        ["Ferme inconnue", "Miel", "pot", "2,50", "5,5"],
        "Producteur",
        "Producteur « Ferme inconnue » inconnu : importez ou créez-le d'abord, ou "
        "corrigez son nom.",
        id="unknown producer",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "pot", "2,50", "7"],
        "TVA",
        "Taux de TVA « 7 » non autorisé : 5,5 %, 10 %, 20 %.",
        id="bad VAT rate",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "", "2,50", "5,5"],
        "Unité",
        "L'unité d'un nouveau produit est obligatoire.",
        id="no unit",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "Miel", "pot", "", "5,5"],
        "Prix HT",
        "Le prix d'un nouveau produit est obligatoire.",
        id="no price",
    ),
    pytest.param(
        ["GAEC du Pré Vert", "carottes", "kg", "2,50", "5,5"],
        "Produit",
        "Ce produit figure déjà ligne 2 du fichier.",
        id="same product twice",
    ),
]


@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_told_and_nothing_is_written(
    db: Database, producer: int, tmp_path: Path, bad: list[str], column: str, message: str
) -> None:
    before = dump(db)
    path = write_csv(
        tmp_path / "p.csv", [HEADER[:5], ["GAEC du Pré Vert", "Carottes", "kg", "2,40", "5,5"], bad]
    )
    report = _import(db, path)
    assert [str(e) for e in report.errors] == [f"ligne 3, colonne « {column} » : {message}"]
    assert not report.written
    assert dump(db) == before


def test_variable_weight_needs_the_kilo_as_in_the_window(
    db: Database, producer: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [HEADER[:6], ["GAEC du Pré Vert", "Fromage", "pièce", "4", "5,5", "oui"]],
    )
    (error,) = _import(db, path).errors
    assert (error.line, error.column) == (2, "Unité")
    assert "vendu au kilo" in error.message


def test_a_price_with_vat_becomes_the_price_without_vat_to_the_cent(
    db: Database, producer: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["producteur", "produit", "unité", "prix TTC", "taux"],
            ["GAEC du Pré Vert", "Carottes", "kg", "2,53", "5,5"],
            ["GAEC du Pré Vert", "Navets", "kg", "2,40", "5,5"],
            ["GAEC du Pré Vert", "Vin", "bouteille", "12", "20"],
        ],
    )
    report = _import(db, path)
    assert report.created == 3, report.errors
    assert [p for _, _, p in _prices(db)] == [Decimal("2.40"), Decimal("2.27"), Decimal("10.00")]
    # No price without VAT gives exactly 2,40 € with 5,5 % of VAT: the user is told.
    assert [str(w) for w in report.warnings] == [
        "ligne 3, colonne « prix TTC » : aucun prix HT ne donne exactement 2,40\u00a0€ TTC à "
        "5,5 % : prix HT retenu 2,27\u00a0€, soit 2,39\u00a0€ TTC."
    ]


def test_a_negative_price_with_vat_is_told_on_its_column(
    db: Database, producer: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["producteur", "produit", "unité", "prix TTC", "taux"],
            ["GAEC du Pré Vert", "Carottes", "kg", "-2,53", "5,5"],
        ],
    )
    assert [str(e) for e in _import(db, path).errors] == [
        "ligne 2, colonne « prix TTC » : Le prix TTC doit être positif (« -2,53 »)."
    ]


def test_a_new_price_starts_today_and_the_old_one_stays(
    db: Database, producer: int, tmp_path: Path
) -> None:
    first = write_csv(
        tmp_path / "a.csv", [HEADER[:5], ["GAEC du Pré Vert", "Carottes", "kg", "2,40", "5,5"]]
    )
    _import(db, first, today=dt.date(2026, 1, 10))
    second = write_csv(
        tmp_path / "b.csv", [HEADER[:5], ["GAEC du Pré Vert", "Carottes", "kg", "2,60", "5,5"]]
    )
    report = _import(db, second)
    assert report.updated == 1
    assert _prices(db) == [
        ("Carottes", dt.date(2026, 1, 10), Decimal("2.40")),
        ("Carottes", TODAY, Decimal("2.60")),
    ]
    before = dump(db)
    again = _import(db, second)
    assert (again.updated, again.unchanged) == (0, 1)
    assert dump(db) == before


def test_a_file_without_a_price_column_is_refused(
    db: Database, producer: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [["producteur", "produit", "prix"], ["GAEC du Pré Vert", "Carottes", "2"]],
    )
    with pytest.raises(ImportFileError, match="« prix ht » ou « prix ttc »"):
        _import(db, path)


def test_a_workbook_of_products(db: Database, producer: int, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            HEADER,
            ["GAEC du Pré Vert", "=Carottes", "kg", 2.4, 5.5, False, 10, "Légumes", None],
            ["GAEC du Pré Vert", "Jus", "litre", 3, 0.055, None, 0.75 * 8, None, "AB"],
        ],
    )
    report = _import(db, path)
    assert report.created == 2, report.errors
    assert _prices(db) == [("=Carottes", TODAY, Decimal("2.40")), ("Jus", TODAY, Decimal("3.00"))]
