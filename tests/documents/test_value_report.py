"""Partage de la valeur, the PDF for the general assembly: the sentence, the chart, the tables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pypdf import PdfReader

from coopfood.documents.common import money_text
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.value_sharing import parse_period, value_sharing, write_value_report
from tests.documents.support import PRINTED_AT, pages_text, plain


def test_the_report_prints_the_sentence_the_chart_and_both_tables(
        demo_db: Database, tmp_path: Path) -> None:
    period = parse_period("2026-11")
    written = write_value_report(db=demo_db, actor=LOCAL_ADMIN, period=period,
                                 path=tmp_path / "valeur.pdf", printed_at=PRINTED_AT)
    sharing = value_sharing(db=demo_db, actor=LOCAL_ADMIN, period=period)
    pages = pages_text(written.path)
    assert len(pages) == written.pages
    first = pages[0]
    assert "Partage de la valeur" in first and "Novembre 2026" in first
    assert plain(sharing.sentence).replace(" ", "") in first.replace("\n", "").replace(" ", "")
    assert "Toute la coopérative" in first  # the chart's first bar, and the table's total
    assert "Producteurs (prix HT)" in first and "Coopérative (frais de fonctionnement)" in first
    text = "\n".join(pages)
    total = sharing.total
    assert ("Toute la coopérative " + " ".join(plain(money_text(v)) for v in (
        total.paid, total.producer, total.vat, total.fee))) in text
    for producer in sharing.producers:
        assert plain(producer.name) in text
    for product in sharing.products:
        assert plain(product.name) in text
    assert "Comment lire ces chiffres" in pages[-1]
    assert "5 % du prix TTC" in text
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in page
    for pdf_page in PdfReader(written.path).pages:
        fonts: Any = pdf_page["/Resources"]["/Font"]  # type: ignore[index]
        for font in fonts.values():
            name = str(font.get_object()["/BaseFont"])
            assert name.partition("+")[2].startswith("DejaVuSans"), name


def test_a_period_with_nothing_delivered(demo_db: Database, tmp_path: Path) -> None:
    written = write_value_report(db=demo_db, actor=LOCAL_ADMIN, period=parse_period("2025"),
                                 path=tmp_path / "vide.pdf", printed_at=PRINTED_AT)
    [page] = pages_text(written.path)
    assert "Aucun achat livré sur la période." in page
