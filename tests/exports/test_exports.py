"""Exports reopen in a spreadsheet with their accents, run no formula, and re-import unchanged."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from coopfood.domain.enums import Unit
from coopfood.exports import export_list
from coopfood.imports import KINDS, Kind, import_file
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, ServiceError
from coopfood.services.members import MemberInput, record_fee, save_member
from coopfood.services.products import ProductInput, save_product
from tests.imports.support import FORMULA, TRICKY, add_point, add_producer, dump


@pytest.fixture
def coop(db: Database) -> Database:
    point = add_point(db, "Salle des fêtes & <école>")
    hélène = save_member(
        db=db,
        actor=LOCAL_ADMIN,
        data=MemberInput(
            last_name="Lefèvre",
            first_name="Hélène",
            co_member_name=TRICKY,
            email="helene@example.org",
            phone="06 12 34 56 78",
            postal_code="01000",
            city="Besançon",
            point_id=point,
            print_phone=True,
            joined_on=dt.date(2025, 9, 1),
        ),
    )
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=hélène.id, year=2025, amount="15")
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=hélène.id, year=2026, amount="15")
    save_member(
        db=db,
        actor=LOCAL_ADMIN,
        data=MemberInput(
            last_name=FORMULA, first_name="-1", phone="+32 470 12 34 56", address="@home"
        ),
    )
    producer = add_producer(db, "GAEC du Pré Vert")
    save_product(
        db=db,
        actor=LOCAL_ADMIN,
        data=ProductInput(
            producer_id=producer,
            name="Œufs frais",
            unit=Unit.DOZEN,
            vat_rate="5.5",
            price_ht="1234.5",
            case_pack="12",
            label="AB",
        ),
    )
    save_product(
        db=db,
        actor=LOCAL_ADMIN,
        data=ProductInput(
            producer_id=producer,
            name="+ de carottes",
            unit=Unit.KG,
            vat_rate="5.5",
            price_ht="2.4",
            variable_weight=True,
        ),
    )
    return db


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM that makes Excel read UTF-8
    return list(csv.reader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))


def test_members_to_csv(coop: Database, tmp_path: Path) -> None:
    summary = export_list(db=coop, actor=LOCAL_ADMIN, kind="members", path=tmp_path / "m.csv")
    assert summary.rows == 2
    header, *rows = _csv_rows(tmp_path / "m.csv")
    assert header[:4] == ["nom", "prénom", "co-adhérent", "email"]
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    hélène = by_name["Lefèvre"]
    assert (hélène["prénom"], hélène["co-adhérent"], hélène["ville"]) == (
        "Hélène",
        TRICKY,
        "Besançon",
    )
    assert (hélène["code postal"], hélène["adhésion"], hélène["adhérent depuis"]) == (
        "01000",
        "2025, 2026",
        "01/09/2025",
    )
    assert hélène["point de distribution"] == "Salle des fêtes & <école>"
    assert (hélène["téléphone imprimé"], hélène["email imprimé"]) == ("oui", "non")
    # Text a spreadsheet would run as a formula is written after a quote.
    formula = by_name["'" + FORMULA]
    assert (formula["prénom"], formula["téléphone"], formula["adresse"]) == (
        "'-1",
        "'+32 470 12 34 56",
        "'@home",
    )


def test_products_to_csv_with_decimal_commas(coop: Database, tmp_path: Path) -> None:
    export_list(db=coop, actor=LOCAL_ADMIN, kind="products", path=tmp_path / "p.csv")
    header, *rows = _csv_rows(tmp_path / "p.csv")
    assert header == [
        "producteur",
        "produit",
        "unité",
        "prix ht",
        "tva",
        "poids variable",
        "colisage",
        "catégorie",
        "label",
        "actif",
    ]
    assert rows == [
        ["GAEC du Pré Vert", "'+ de carottes", "kg", "2,40", "5,5", "oui", "", "", "", "oui"],
        [
            "GAEC du Pré Vert",
            "Œufs frais",
            "douzaine",
            "1234,50",
            "5,5",
            "non",
            "12",
            "",
            "AB",
            "oui",
        ],
    ]


def test_members_to_xlsx(coop: Database, tmp_path: Path) -> None:
    export_list(db=coop, actor=LOCAL_ADMIN, kind="members", path=tmp_path / "m.xlsx")
    workbook = load_workbook(tmp_path / "m.xlsx")
    sheet = workbook.active
    assert sheet is not None and sheet.title == "Adhérents"
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["nom", "prénom"] and all(c.font.b for c in sheet[1])
    rows = {
        r[0].value: {h: c for h, c in zip(header, r, strict=True)}
        for r in sheet.iter_rows(min_row=2)
    }
    hélène = rows["Lefèvre"]
    assert hélène["co-adhérent"].value == TRICKY
    assert hélène["code postal"].value == "01000" and hélène["code postal"].data_type == "s"
    assert hélène["adhérent depuis"].value == dt.datetime(2025, 9, 1)
    assert hélène["adhérent depuis"].is_date
    # The formula is a text cell marked "quote prefix": shown as text, never run.
    formula = rows[FORMULA]
    assert formula["nom"].data_type == "s" and formula["nom"].quotePrefix
    assert formula["prénom"].value == "-1" and formula["prénom"].quotePrefix
    assert formula["téléphone"].value == "+32 470 12 34 56"
    assert not hélène["prénom"].quotePrefix
    assert sheet.column_dimensions["A"].width >= len(FORMULA)


def test_products_to_xlsx_with_numbers_as_numbers(coop: Database, tmp_path: Path) -> None:
    export_list(db=coop, actor=LOCAL_ADMIN, kind="products", path=tmp_path / "p.xlsx")
    sheet = load_workbook(tmp_path / "p.xlsx").active
    assert sheet is not None
    eggs = [c for c in next(r for r in sheet.iter_rows(min_row=2) if r[1].value == "Œufs frais")]
    price, rate, case = eggs[3], eggs[4], eggs[6]
    assert (price.data_type, price.value, price.number_format) == ("n", 1234.5, "#,##0.00")
    assert (rate.value, case.value) == (5.5, 12)


def test_an_unknown_extension_is_refused_in_french(coop: Database, tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=r"« \.ods » non pris en charge.*\.csv ou en \.xlsx"):
        export_list(db=coop, actor=LOCAL_ADMIN, kind="members", path=tmp_path / "m.ods")
    assert not (tmp_path / "m.ods").exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("extension", [".csv", ".xlsx"])
def test_an_export_re_imports_unchanged(
    coop: Database, tmp_path: Path, kind: Kind, extension: str
) -> None:
    path = tmp_path / f"liste{extension}"
    exported = export_list(db=coop, actor=LOCAL_ADMIN, kind=kind, path=path)
    before = dump(coop)
    report = import_file(db=coop, actor=LOCAL_ADMIN, kind=kind, path=path)
    assert not report.errors and not report.warnings
    assert (report.created, report.updated, report.unchanged) == (0, 0, exported.rows)
    assert dump(coop) == before


@pytest.mark.parametrize("kind", KINDS)
def test_the_demo_co_op_re_imports_unchanged(
    demo_db_copy: Database, tmp_path: Path, kind: Kind
) -> None:
    path = tmp_path / f"{kind}.xlsx"
    exported = export_list(db=demo_db_copy, actor=LOCAL_ADMIN, kind=kind, path=path)
    report = import_file(db=demo_db_copy, actor=LOCAL_ADMIN, kind=kind, path=path)
    assert not report.errors
    assert report.unchanged == exported.rows > 0


def test_a_price_exported_is_the_price_of_today(coop: Database, tmp_path: Path) -> None:
    export_list(db=coop, actor=LOCAL_ADMIN, kind="products", path=tmp_path / "p.csv")
    _, *rows = _csv_rows(tmp_path / "p.csv")
    assert Decimal(rows[0][3].replace(",", ".")) == Decimal("2.40")
