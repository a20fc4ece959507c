"""Importing producers: SIRET, VAT number and IBAN checked as in the window; matched by SIRET."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from coopfood.domain.vat import VatRegime
from coopfood.imports import ImportReport, import_file
from coopfood.persistence.db import Database
from coopfood.persistence.models import Producer
from coopfood.services import LOCAL_ADMIN
from tests.imports.support import (
    BAD_IBAN,
    IBAN,
    add_producer,
    dump,
    siret_for,
    vat_for,
    write_csv,
    write_xlsx,
)

SIRET = siret_for("73282932")
OTHER_SIRET = siret_for("55210055")
HEADER = ["Raison sociale", "SIRET", "N° TVA", "Régime TVA", "IBAN", "Mandat autofacturation"]


def _import(db: Database, path: Path, **options: object) -> ImportReport:
    return import_file(db=db, actor=LOCAL_ADMIN, kind="producers", path=path, **options)  # type: ignore[arg-type]


def _producers(db: Database) -> list[Producer]:
    with db.reading() as session:
        return list(session.scalars(select(Producer).order_by(Producer.id)))


def test_producers_are_created_checked_and_normalised(db: Database, tmp_path: Path) -> None:
    spaced = f"{SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}"
    path = write_csv(
        tmp_path / "p.csv",
        [
            HEADER,
            ["GAEC du Pré Vert", spaced, vat_for(SIRET), "normal", IBAN.lower(), "01/02/2026"],
            ["Rucher des Combes", "", "", "Franchise en base", "", "2026-03-04"],
        ],
        encoding="cp1252",
    )
    report = _import(db, path)
    assert (report.created, report.rejected) == (2, 0), report.errors
    gaec, rucher = _producers(db)
    assert (gaec.siret, gaec.vat_regime, gaec.iban) == (SIRET, VatRegime.NORMAL, IBAN)
    assert gaec.billing_mandate_date == dt.date(2026, 2, 1)
    assert gaec.invoice_prefix == "GAECDUPRE"
    assert (rucher.vat_regime, rucher.billing_mandate_date) == (
        VatRegime.FRANCHISE,
        dt.date(2026, 3, 4),
    )


BAD_ROWS = [
    pytest.param(
        ["Ferme", SIRET[:-1] + str((int(SIRET[-1]) + 1) % 10), "", "franchise", "", ""],
        "SIRET",
        "SIRET « {bad} » invalide : la clé de contrôle ne correspond pas "
        "(vérifiez une faute de frappe).",
        id="bad SIRET",
    ),
    pytest.param(
        ["Ferme", "", "", "franchise", BAD_IBAN, ""],
        "IBAN",
        "IBAN « {bad} » invalide : la clé de contrôle ne correspond pas (vérifiez une "
        "faute de frappe).",
        id="bad IBAN",
    ),
    pytest.param(
        ["Ferme", "", "", "au réel", "", ""],
        "Régime TVA",
        "Régime de TVA « au réel » inconnu : normal, franchise ou forfait.",
        id="unknown VAT regime",
    ),
    pytest.param(
        ["Ferme", "", "", "", "", ""],
        "Régime TVA",
        "Le régime de TVA d'un nouveau producteur est obligatoire : normal, franchise ou forfait.",
        id="no VAT regime",
    ),
    pytest.param(
        ["Ferme", SIRET, "", "normal", "", ""],
        "N° TVA",
        "Un producteur au régime normal de TVA doit avoir un numéro de TVA intracommunautaire.",
        id="normal regime without VAT number",
    ),
    pytest.param(
        ["Ferme", "", "", "forfait", "", "le 3 mars"],
        "Mandat autofacturation",
        "Date « le 3 mars » invalide : écrivez-la JJ/MM/AAAA (par exemple 31/01/2026).",
        id="bad date",
    ),
    pytest.param(
        ["Rucher", OTHER_SIRET, "", "franchise", "", ""],
        "SIRET",
        "Ce producteur figure déjà ligne 2 du fichier.",
        id="same SIRET twice",
    ),
]


@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_told_and_nothing_is_written(
    db: Database, tmp_path: Path, bad: list[str], column: str, message: str
) -> None:
    add_producer(db, "Déjà là")
    before = dump(db)
    path = write_csv(
        tmp_path / "p.csv", [HEADER, ["Maraîchage", OTHER_SIRET, "", "franchise", "", ""], bad]
    )
    report = _import(db, path)
    value = bad[1] if column == "SIRET" else bad[4]
    assert [str(e) for e in report.errors] == [
        f"ligne 3, colonne « {column} » : {message.format(bad=value)}"
    ]
    assert not report.written
    assert dump(db) == before


def test_the_same_file_twice_changes_nothing(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            HEADER,
            ["GAEC du Pré Vert", SIRET, vat_for(SIRET), "normal", IBAN, "01/02/2026"],
            ["Rucher", "", "", "franchise", "", ""],
        ],
    )
    assert _import(db, path).created == 2
    before = dump(db)
    again = _import(db, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert dump(db) == before


def test_producers_are_matched_by_siret_else_by_name(db: Database, tmp_path: Path) -> None:
    by_siret = add_producer(db, "Ancien nom", siret=SIRET)
    by_name = add_producer(db, "Rucher des Combes")
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["nom", "siret", "ville"],
            ["GAEC du Pré Vert", SIRET, "Crest"],
            ["RUCHER DES COMBES", OTHER_SIRET, "Die"],
        ],
    )
    report = _import(db, path)
    assert (report.created, report.updated) == (0, 2), report.errors
    producers = {p.id: p for p in _producers(db)}
    assert (producers[by_siret].name, producers[by_siret].city) == ("GAEC du Pré Vert", "Crest")
    assert producers[by_siret].invoice_prefix == "ANCIENNOM"  # an invoice series keeps its name
    assert producers[by_name].siret == OTHER_SIRET


def test_invoice_prefixes_are_made_unique(db: Database, tmp_path: Path) -> None:
    add_producer(db, "GAEC du Pré Vert")
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["raison sociale", "régime tva"],
            ["GAEC du Pré Vert bis", "franchise"],
            ["GAEC du Prés", "franchise"],
        ],
    )
    assert _import(db, path).created == 2
    assert [p.invoice_prefix for p in _producers(db)] == ["GAECDUPRE", "GAECDUPRE2", "GAECDUPRE3"]


def test_a_workbook_with_a_siret_typed_as_a_number(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            ["Raison sociale", "SIRET", "Régime", "Mandat", "Code postal"],
            ["Ferme & <b>Fils</b> 🐄", int(SIRET), "forfait", dt.datetime(2026, 1, 5), 7000],
        ],
    )
    report = _import(db, path)
    assert report.created == 1, report.errors
    (producer,) = _producers(db)
    assert (producer.name, producer.siret, producer.postal_code) == (
        "Ferme & <b>Fils</b> 🐄",
        SIRET,
        "07000",
    )
    assert producer.billing_mandate_date == dt.date(2026, 1, 5)
