"""The blank order form (PDF): the offer by producer with member prices, boxes to fill in,
the household's line and a signature; user text printed as typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.documents.order_form import deadline_text
from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime
from coopfood.i18n import format_money
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CycleOffer,
    CyclePoint,
    DistributionPoint,
    Member,
    Producer,
    Product,
    ProductPrice,
)
from coopfood.services import LOCAL_ADMIN
from coopfood.services.order_forms import OrderFormReport, write_order_forms
from tests.documents.support import LONG_NAME, PRINTED_AT, pages_text, plain

DEADLINE = dt.datetime(2026, 12, 1, 18, 0, tzinfo=dt.UTC)
#: Products at « Ferme <du> Pré & Fils »: enough for the form to run over pages.
VEGETABLES = 44


def awkward_offer(db: Database) -> dict[str, int]:
    """A distribution offering 46 products of two producers, names with markup and emoji,
    a 200-character product name, and one product without a price."""
    with db.transaction() as s:
        s.add(Coop(name="AMAP <Les Amis> & Co 🌻", fee_percent=Decimal("0.00")))
        point = DistributionPoint(name="Salle « Jean & Lucie »", address="1 rue <Haute>",
                                  postal_code="26400", city="Crest", weekday=3,
                                  start_time=dt.time(18), end_time=dt.time(19, 30))
        other_point = DistributionPoint(name="Grand point", city="Die", weekday=3,
                                        start_time=dt.time(17), end_time=dt.time(20))
        farm = Producer(name="Ferme <du> Pré & Fils", vat_regime=VatRegime.FLAT_RATE_FARMER,
                        invoice_prefix="PRE")
        bakery = Producer(name="Autre producteur", vat_regime=VatRegime.FLAT_RATE_FARMER,
                          invoice_prefix="AUT")
        s.add_all([point, other_point, farm, bakery])
        s.flush()
        products = [Product(producer_id=farm.id, name=f"Légume n° {n:02d}", unit=Unit.KG,
                            vat_rate=Decimal("5.50"), variable_weight=n % 3 == 0)
                    for n in range(VEGETABLES)]
        products.append(Product(producer_id=farm.id, name=LONG_NAME, unit=Unit.BUNCH,
                                vat_rate=Decimal("5.50")))
        products.append(Product(producer_id=bakery.id, name="Pain <complet> & graines 🍞",
                                unit=Unit.PIECE, vat_rate=Decimal("5.50")))
        unpriced = Product(producer_id=bakery.id, name="Brioche sans prix", unit=Unit.PIECE,
                           vat_rate=Decimal("5.50"))
        s.add_all([*products, unpriced])
        s.flush()
        for index, product in enumerate(products):
            s.add(ProductPrice(product_id=product.id, valid_from=dt.date(2026, 1, 1),
                               price_ht=Decimal("2.00") + index))
        cycle = Cycle(distribution_date=dt.date(2026, 12, 3), state=CycleState.OPEN,
                      order_deadline=DEADLINE)
        s.add(cycle)
        s.flush()
        s.add_all([CyclePoint(cycle_id=cycle.id, point_id=point.id),
                   CyclePoint(cycle_id=cycle.id, point_id=other_point.id)])
        s.add_all([CycleOffer(cycle_id=cycle.id, product_id=p.id)
                   for p in [*products, unpriced]])
        s.add(Member(last_name="<b>Gras</b> & Cie", first_name="Amélie", payment_reference="A1",
                     point_id=point.id))
        return {"cycle": cycle.id, "point": point.id, "other": other_point.id}


@pytest.fixture
def printed(db: Database, tmp_path: Path) -> tuple[dict[str, int], OrderFormReport]:
    ids = awkward_offer(db)
    report = write_order_forms(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"],
                               out_dir=tmp_path / "bons", printed_at=PRINTED_AT)
    return ids, report


def _text(report: OrderFormReport, point: str) -> list[str]:
    return pages_text(next(f.path for f in report.files if f.title.endswith(point)))


def test_one_pdf_per_point_named_after_it(
        printed: tuple[dict[str, int], OrderFormReport]) -> None:
    ids, report = printed
    assert [(f.path.name, f.title, f.point_id, f.member_id) for f in report.files] == [
        ("bon-de-commande-2026-12-03-grand-point.pdf", "Bon de commande — Grand point",
         ids["other"], None),
        ("bon-de-commande-2026-12-03-salle-jean-lucie.pdf",
         "Bon de commande — Salle « Jean & Lucie »", ids["point"], None),
    ]
    assert report.warnings == ("« Brioche sans prix » n'a pas de prix au 3 décembre 2026 : il "
                               "ne figure pas sur les bons de commande.",)


def test_the_head_names_the_co_op_the_distribution_the_point_and_the_deadline(
        printed: tuple[dict[str, int], OrderFormReport]) -> None:
    _ids, report = printed
    first = _text(report, "Lucie »")[0].splitlines()
    assert first[:6] == [
        "Bon de commande",
        "AMAP <Les Amis> & Co \ufffd",  # the emoji DejaVu lacks: visible, never a crash
        "Distribution du jeudi 3 décembre 2026",
        "Salle « Jean & Lucie » — 18:00–19:30 — 1 rue <Haute>, 26400 Crest",
        plain(deadline_text(DEADLINE)),
        "Foyer (nom, prénom) : Référence :",
    ]
    assert first[5 + 1] == "Téléphone ou e-mail :"
    assert deadline_text(DEADLINE).startswith("À rendre avant le ")
    assert "Produit Unité Prix unit. Quantité Montant" in first


def test_every_priced_product_is_offered_by_producer_with_its_member_price(
        printed: tuple[dict[str, int], OrderFormReport]) -> None:
    _ids, report = printed
    pages = _text(report, "Lucie »")
    assert len(pages) >= 2
    lines = [line for page in pages for line in page.splitlines()]
    producers = [i for i, line in enumerate(lines) if line.startswith(("Autre producteur",
                                                                       "Ferme <du> Pré & Fils"))]
    # Producers in alphabetical order; the second page repeats the producer it goes on with.
    assert [lines[i] for i in producers] == ["Autre producteur", "Ferme <du> Pré & Fils",
                                             "Ferme <du> Pré & Fils (suite)"]
    bread = plain(format_money(Decimal("2.00") + VEGETABLES + 1))
    assert lines[producers[0] + 1] == f"Pain <complet> & graines \ufffd pièce {bread}"
    for n in range(VEGETABLES):
        price = plain(format_money(Decimal("2.00") + n))
        unit = "kg ≈" if n % 3 == 0 else "kg"
        assert f"Légume n° {n:02d} {unit} {price}" in lines
    assert not any("Brioche" in line for line in lines)
    assert any(line.startswith("Longuenom Longuenom") for line in lines)


def test_every_page_has_its_number_and_the_last_the_total_and_signature(
        printed: tuple[dict[str, int], OrderFormReport]) -> None:
    _ids, report = printed
    pages = _text(report, "Lucie »")
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} / {len(pages)}" in page
        assert "Imprimé le 26 novembre 2026 à 09:30" in page
    assert "Bon de commande — Salle « Jean & Lucie » — jeudi 3 décembre 2026" in pages[1]
    last = pages[-1].splitlines()
    assert "Total" in last
    assert "Nom : Signature :" in last and "Date :" in last
