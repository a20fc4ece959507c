"""What every document shares: embedded DejaVu subsets, « n / N », French formats,
user text printed literally and wrapped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from coopfood.documents.common import REGULAR, printable, width, wrap
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.printing import DocumentKind, PrintReport, print_documents
from tests.documents.support import PRINTED_AT, awkward_co_op, pages_text


@pytest.fixture
def every_document(db: Database, tmp_path: Path) -> PrintReport:
    ids = awkward_co_op(db, big_point_households=40)
    return print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"],
                           kinds=list(DocumentKind), out_dir=tmp_path, printed_at=PRINTED_AT,
                           processes=1)


def _fonts(path: Path) -> set[tuple[str, str, bool]]:
    """(base font, subtype, has an embedded TrueType file) of every font used."""
    found = set()
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found.add((str(font["/BaseFont"]), str(font["/Subtype"]), embedded))
    return found


def test_fonts_are_embedded_dejavu_subsets_never_base_14(every_document: PrintReport) -> None:
    for printed in every_document.files:
        fonts = _fonts(printed.path)
        assert fonts
        for base, subtype, embedded in fonts:
            assert subtype == "/TrueType" and embedded, (printed.path.name, base)
            prefix, _plus, name = base.lstrip("/").partition("+")
            assert len(prefix) == 6 and name.startswith("DejaVuSans"), base


def test_every_page_has_content_and_its_number(every_document: PrintReport) -> None:
    for printed in every_document.files:
        pages = pages_text(printed.path)
        assert len(pages) == printed.pages
        for number, page in enumerate(pages, start=1):
            lines = [line for line in page.split("\n") if line.strip()]
            assert f"Page {number} / {len(pages)}" in lines[-1], printed.path.name
            assert "AMAP <Les Amis> & Co \ufffd" in lines[-1]
            assert "Imprimé le 26 novembre 2026 à 09:30" in lines[-1]
            assert len(lines) >= 3, f"{printed.path.name} : page {number} vide"


def test_pages_are_a4(every_document: PrintReport) -> None:
    for printed in every_document.files:
        for page in PdfReader(printed.path).pages:
            size = sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height))))
            assert size == [595, 842]


def test_printable_keeps_markup_and_replaces_missing_glyphs() -> None:
    assert printable("<b>Dupont</b> & fils") == "<b>Dupont</b> & fils"
    assert printable("Zoé 🥕") == "Zoé \ufffd"
    assert printable("ligne\nsuivante\tici") == "ligne suivante ici"
    assert printable("❤️") == "❤"  # the variation selector is dropped, the heart kept
    assert printable("1\u202f234,50\u00a0€") == "1\u202f234,50\u00a0€"


def test_wrap_keeps_every_word_within_the_width() -> None:
    name = "Marie-Christine " * 12 + "Anticonstitutionnellementissimementerie" * 2
    lines = wrap(name.strip(), REGULAR, 10, 150)
    assert all(width(line, REGULAR, 10) <= 150 for line in lines)
    assert "".join(lines).replace(" ", "") == name.replace(" ", "")


def test_same_choice_same_bytes(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=5)
    outputs = []
    for run in ("a", "b"):
        report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"],
                                 kinds=["sheets"], out_dir=tmp_path / run, printed_at=PRINTED_AT)
        outputs.append({f.path.name: f.path.read_bytes() for f in report.files})
    assert outputs[0] == outputs[1]
    assert all(io.BytesIO(content).read(5) == b"%PDF-" for content in outputs[0].values())
