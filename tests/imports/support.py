"""Helpers for the import and export tests: files written as spreadsheets write them, a dump
of the whole database, a co-op to import into."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import select

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import Base
from coopfood.services import LOCAL_ADMIN
from coopfood.services import validation as check
from coopfood.services.points import PointInput, save_point
from coopfood.services.producers import ProducerInput, save_producer

IBAN = "FR7630006000011234567890189"
#: The same IBAN with one digit mistyped.
BAD_IBAN = "FR7630006000011234567890188"
#: What members really type: markup characters, an emoji, accents.
TRICKY = "Pain & <b>Levain</b> 🍞 — Fermé"
FORMULA = '=HYPERLINK("http://evil.example","clic")'


def siren_for(first8: str) -> str:
    return first8 + check.luhn_digit(first8)


def siret_for(first8: str, nic4: str = "0001") -> str:
    siren = siren_for(first8)
    return siren + nic4 + check.luhn_digit(siren + nic4)


def vat_for(siret: str) -> str:
    siren = siret[:9]
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def write_csv(
    path: Path,
    lines: Sequence[Sequence[str]],
    *,
    separator: str = ";",
    encoding: str = "utf-8",
    bom: bool = False,
    newline: str = "\r\n",
) -> Path:
    """A CSV as a spreadsheet writes it (cells quoted only when they must be)."""

    def cell(value: str) -> str:
        if any(c in value for c in (separator, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    text = newline.join(separator.join(cell(v) for v in line) for line in lines) + newline
    data = text.encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_xlsx(path: Path, lines: Sequence[Sequence[Any]]) -> Path:
    """A workbook whose first sheet holds `lines` (text stays text, even '=…')."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Feuille 1"
    for r, line in enumerate(lines, start=1):
        for c, value in enumerate(line, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    workbook.save(path)
    return path


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: to prove nothing changed."""
    with db.reading() as session:
        return {
            table.name: [
                tuple(row)
                for row in session.execute(select(table).order_by(*table.primary_key.columns))
            ]
            for table in Base.metadata.sorted_tables
        }


def add_point(db: Database, name: str = "Salle des fêtes") -> int:
    return save_point(
        db=db,
        actor=LOCAL_ADMIN,
        data=PointInput(
            name=name, weekday=3, start_time=dt.time(17), end_time=dt.time(19, 30), city="Crest"
        ),
    ).id


def add_producer(
    db: Database,
    name: str = "GAEC du Pré Vert",
    *,
    siret: str = "",
    vat_regime: VatRegime = VatRegime.FRANCHISE,
) -> int:
    return save_producer(
        db=db,
        actor=LOCAL_ADMIN,
        data=ProducerInput(
            name=name,
            vat_regime=vat_regime,
            siret=siret,
            vat_number=vat_for(siret) if siret and vat_regime is VatRegime.NORMAL else "",
        ),
    ).id
