"""Planning des permanences: names or « À POURVOIR », one block per distribution and point."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from coopfood.persistence.db import Database
from coopfood.persistence.models import Member
from coopfood.services import LOCAL_ADMIN
from coopfood.services.shifts import point_shifts, print_roster, set_roles, sign_up
from tests.documents.support import EMOJI_NAME, MARKUP_NAME, PRINTED_AT, awkward_co_op, pages_text


@pytest.fixture
def co_op(db: Database) -> dict[str, int]:
    """The awkward co-op (its distribution of 3 December 2026 is closed, not yet held): at
    « Salle « Jean & Lucie » », Caisse is held by « <b>Gras</b> & Cie », Accueil is open."""
    return awkward_co_op(db, big_point_households=5)


def _fonts(path: Path) -> set[str]:
    found = set()
    for page in PdfReader(path).pages:
        fonts: Any = page["/Resources"]["/Font"]  # type: ignore[index]
        for font in fonts.values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.add(str(font["/BaseFont"]).partition("+")[2])
    return found


def test_unfilled_roles_show_as_a_pourvoir(db: Database, co_op: dict[str, int],
                                            tmp_path: Path) -> None:
    cycle, big = co_op["cycle"], co_op["big"]
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=big,
              counts={"Installation": 2, "Distribution": 3, "Caisse": 1})
    place = point_shifts(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=big).slots[0]
    with db.reading() as session:
        emoji_id = session.scalar(select(Member.id).where(Member.first_name == EMOJI_NAME))
    assert emoji_id is not None
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=place.shift_id, member_id=emoji_id)

    printed = print_roster(db=db, actor=LOCAL_ADMIN, date_from=dt.date(2026, 12, 1),
                           date_to=dt.date(2026, 12, 31), out_dir=tmp_path / "out",
                           printed_at=PRINTED_AT)
    assert printed.path.name == "planning-permanences-2026-12-01-2026-12-31.pdf"
    assert printed.open_places == 6
    [page] = pages_text(printed.path)
    assert "Planning des permanences" in page
    assert "Du 1 décembre 2026 au 31 décembre 2026" in page
    assert "1 distribution — 8 places — 6 à pourvoir" in page
    assert page.count("À POURVOIR") == 6
    assert "jeudi 3 décembre 2026, 17:00–20:00 — Grand point" in page
    assert "5 places à pourvoir" in page
    assert "1 place à pourvoir" in page
    assert "Caisse " + MARKUP_NAME.upper() + " Amélie" in page
    assert "Installation ÉMOJI Zoé \ufffd\ufffd À POURVOIR" in page
    assert "Accueil À POURVOIR" in page
    assert "Page 1 / 1" in page and "Imprimé le 26 novembre 2026 à 09:30" in page
    assert all(name.startswith("DejaVuSans") for name in _fonts(printed.path))


def test_a_period_without_distributions_says_so(db: Database, co_op: dict[str, int],
                                                tmp_path: Path) -> None:
    printed = print_roster(db=db, actor=LOCAL_ADMIN, date_from=dt.date(2027, 1, 1),
                           date_to=dt.date(2027, 1, 31), out_dir=tmp_path,
                           printed_at=PRINTED_AT)
    [page] = pages_text(printed.path)
    assert "Aucune distribution sur cette période." in page
    assert printed.open_places == 0


def test_a_long_roster_spreads_over_numbered_pages(demo_db: Database, tmp_path: Path) -> None:
    printed = print_roster(db=demo_db, actor=LOCAL_ADMIN, date_from=dt.date(2026, 10, 1),
                           date_to=dt.date(2026, 12, 31), out_dir=tmp_path,
                           printed_at=PRINTED_AT)
    pages = pages_text(printed.path)
    assert len(pages) == printed.pages > 1
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in page
    text = "\n".join(pages)
    # 24 blocks: 8 distributions at 3 points, each block whole on one page.
    assert text.count(" — Biocoop du Plateau") == 8
    assert "place restée vide" in text  # past distributions with an empty place
    assert text.count("À POURVOIR") == printed.open_places > 0
