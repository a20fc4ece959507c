"""Feuille d'émargement: every household, its items and amount due, and the totals per
product, read back from the PDF and checked against the database to the cent."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from coopfood.i18n import format_money, format_number
from coopfood.persistence.db import Database
from coopfood.persistence.models import household_name
from coopfood.services import LOCAL_ADMIN
from coopfood.services.printing import PrintReport, print_documents
from tests.documents.support import (
    EMOJI_NAME,
    LONG_NAME,
    MARKUP_NAME,
    PRINTED_AT,
    awkward_co_op,
    household_amounts,
    pages_text,
    plain,
    product_sums,
)


def demo_cycles(db: Database) -> tuple[int, int]:
    """The last distributed distribution and the open one of the demo."""
    with db.engine.connect() as conn:
        distributed = conn.execute(text(
            "SELECT id FROM cycle WHERE state = 'distributed' "
            "ORDER BY distribution_date DESC LIMIT 1")).scalar_one()
        open_ = conn.execute(text("SELECT id FROM cycle WHERE state = 'open'")).scalar_one()
    return distributed, open_


def point_ids(db: Database, cycle_id: int) -> list[int]:
    with db.engine.connect() as conn:
        return list(conn.execute(text("SELECT point_id FROM cycle_point WHERE cycle_id = :c "
                                      "ORDER BY point_id"), {"c": cycle_id}).scalars())


def read_blocks(pages: list[str], expected: dict[int, tuple[str, str, object, int]]
                ) -> dict[int, tuple[int, int, str]]:
    """Per row number: (page of its name, page of its amount due, amount due text)."""
    names = {row: household_name(last, first) for row, (last, first, _a, _n) in
             expected.items()}
    found: dict[int, tuple[int, int, str]] = {}
    current: tuple[int, int] | None = None
    for page_no, page in enumerate(pages):
        lines = page.split("\n")
        for index, line in enumerate(lines):
            if line.startswith("Totaux par produit"):
                return found
            match = re.match(r"^(\d+) (.*)$", line)
            if match and int(match[1]) in names and match[2].startswith(
                    names[int(match[1])][:30]):
                current = (int(match[1]), page_no)
            elif line.startswith("Montant dû") and current is not None:
                row, head_page = current
                found[row] = (head_page, page_no, lines[index + 1].strip())
                current = None
    return found


@pytest.fixture(scope="module")
def demo_sheets(demo_db: Database, tmp_path_factory: pytest.TempPathFactory
                ) -> tuple[int, PrintReport]:
    cycle_id, _open = demo_cycles(demo_db)
    report = print_documents(db=demo_db, actor=LOCAL_ADMIN, cycle_id=cycle_id, kinds=["sheets"],
                             out_dir=tmp_path_factory.mktemp("sheets"), printed_at=PRINTED_AT,
                             processes=1)
    return cycle_id, report


def test_one_sheet_per_point(demo_db: Database, demo_sheets: tuple[int, PrintReport]) -> None:
    cycle_id, report = demo_sheets
    assert len(report.files) == len(point_ids(demo_db, cycle_id)) == 3
    assert all(f.path.name.startswith("emargement-2026-11-26-") for f in report.files)


def test_every_household_and_its_amount_due_match_the_database(
        demo_db: Database, demo_sheets: tuple[int, PrintReport]) -> None:
    cycle_id, report = demo_sheets
    points = dict(zip(sorted(point_ids(demo_db, cycle_id)), point_ids(demo_db, cycle_id),
                      strict=True))
    checked = 0
    for printed in report.files:
        pages = pages_text(printed.path)
        point_id = next(p for p in points if _point_name(demo_db, p) in pages[0])
        expected = household_amounts(demo_db, cycle_id, point_id)
        blocks = read_blocks(pages, expected)
        assert set(blocks) == set(expected)
        for row, (_last, _first, amount, _lines) in expected.items():
            head_page, amount_page, printed_amount = blocks[row]
            assert head_page == amount_page, f"le foyer n° {row} est coupé entre deux pages"
            assert printed_amount == plain(format_money(amount))
            checked += 1
    assert checked > 100


def _point_name(db: Database, point_id: int) -> str:
    with db.engine.connect() as conn:
        name: str = conn.execute(text("SELECT name FROM distribution_point WHERE id = :p"),
                                 {"p": point_id}).scalar_one()
        return name


def test_totals_per_product_match_the_database(
        demo_db: Database, demo_sheets: tuple[int, PrintReport]) -> None:
    cycle_id, report = demo_sheets
    for point_id in point_ids(demo_db, cycle_id):
        printed = next(f for f in report.files
                       if _point_name(demo_db, point_id) in pages_text(f.path)[0])
        pages = pages_text(printed.path)
        totals = "\n".join(pages).split("Totaux par produit", 1)[1]
        sums = product_sums(demo_db, cycle_id, point_id)
        for name, (_qty, amount, households) in sums.items():
            line = next(line for line in totals.split("\n") if line.startswith(name))
            assert line.endswith(f" {plain(format_money(amount))}"), line
            assert f" {households} " in line
        grand = sum(a for _q, a, _h in sums.values())
        assert f"Total à encaisser ({len(household_amounts(demo_db, cycle_id, point_id))} " \
               f"foyers) {plain(format_money(grand))}" in totals


def test_open_distribution_marks_estimated_weights(demo_db: Database, tmp_path: Path) -> None:
    _done, cycle_id = demo_cycles(demo_db)
    report = print_documents(db=demo_db, actor=LOCAL_ADMIN, cycle_id=cycle_id, kinds=["sheets"],
                             out_dir=tmp_path, printed_at=PRINTED_AT, processes=1)
    text_ = "\n".join(pages_text(report.files[0].path))
    assert "Montant dû (estimé)" in text_
    assert re.search(r"≈ \d+(,\d+)? kg", text_)
    assert "jeudi 3 décembre 2026" in text_


@pytest.fixture
def awkward(db: Database, tmp_path: Path) -> tuple[Database, dict[str, int], PrintReport]:
    ids = awkward_co_op(db)
    report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["sheets"],
                             out_dir=tmp_path, printed_at=PRINTED_AT, processes=1)
    return db, ids, report


def _file_of(report: PrintReport, name_part: str) -> Path:
    return next(f.path for f in report.files if name_part in f.path.name)


def test_user_text_prints_literally(
        awkward: tuple[Database, dict[str, int], PrintReport]) -> None:
    _db, _ids, report = awkward
    pages = pages_text(_file_of(report, "jean-lucie"))
    joined = "\n".join(pages)
    flat = " ".join(joined.replace(" 06 12 34 56 78", "").split())
    assert "AMAP <Les Amis> & Co" in pages[0]
    assert "Salle « Jean & Lucie »" in pages[0]
    assert f"{MARKUP_NAME.upper()} Amélie" in joined  # never read as markup
    assert "Ferme <du> Pré & Fils" in joined
    assert "Pain <complet> & graines" in joined
    # DejaVu has no carrot or tomato: a replacement character, never a crash nor a gap.
    assert f"ÉMOJI {EMOJI_NAME[:4]}\ufffd\ufffd" in joined
    assert LONG_NAME.upper() in flat  # 200 characters, wrapped over lines, all there
    assert "avec Jean-Édouard de La Tour d'Auvergne" in flat


def test_forty_line_household_is_complete_and_phone_only_when_allowed(
        awkward: tuple[Database, dict[str, int], PrintReport]) -> None:
    db, ids, report = awkward
    pages = pages_text(_file_of(report, "jean-lucie"))
    joined = "\n".join(pages)
    expected = household_amounts(db, ids["cycle"], ids["small"])
    _last, _first, amount, lines = expected[1]
    assert lines == 40
    for n in range(40):
        assert f"Légume n° {n:02d}" in joined
    assert plain(format_money(amount)) in joined
    assert "06 12 34 56 78" in joined  # allowed
    assert "06 98 76 54 32" not in joined  # not allowed
    assert "Caisse : <B>GRAS</B> & CIE Amélie ; Accueil : à pourvoir" in " ".join(
        pages[0].split("\n"))
    assert "Qté / poids livré" in pages[0]
    assert f"≈ {format_number(Decimal('1.5'))} kg" in joined


def test_three_hundred_households_never_split_and_pages_are_numbered(
        awkward: tuple[Database, dict[str, int], PrintReport]) -> None:
    db, ids, report = awkward
    printed = next(f for f in report.files if "grand-point" in f.path.name)
    pages = pages_text(printed.path)
    expected = household_amounts(db, ids["cycle"], ids["big"])
    assert len(expected) == 300
    blocks = read_blocks(pages, expected)
    assert set(blocks) == set(expected)
    for row, (_l, _f, amount, _n) in expected.items():
        head_page, amount_page, printed_amount = blocks[row]
        assert head_page == amount_page, f"le foyer n° {row} est coupé entre deux pages"
        assert printed_amount == plain(format_money(amount))
    assert printed.pages == len(pages) > 10
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.split("\n") if line.strip()]
        assert lines[-1].endswith(f"Page {number} / {len(pages)}")
        assert "Imprimé le 26 novembre 2026 à 09:30" in lines[-1]
        assert len(lines) > 3, f"la page {number} est vide"
