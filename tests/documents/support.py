"""Reading printed PDFs back, and a co-op of awkward households to print."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pdfplumber
from sqlalchemy import text

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    Shift,
)

PRINTED_AT = dt.datetime(2026, 11, 26, 9, 30)
SPACES = str.maketrans({"\u202f": " ", "\u00a0": " "})


def pages_text(path: Path) -> list[str]:
    """The text of each page, no-break spaces made plain."""
    with pdfplumber.open(path) as pdf:
        return [(page.extract_text() or "").translate(SPACES) for page in pdf.pages]


def plain(value: str) -> str:
    return value.translate(SPACES)


def cents(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def household_amounts(db: Database, cycle_id: int, point_id: int
                      ) -> dict[int, tuple[str, str, Decimal, int]]:
    """Per order: (last name, first name, amount due, line count), straight from SQL.

    Amounts are price (cents) × quantity (thousandths) rounded half-up per line:
    delivered once keyed back, else allocated, else ordered.
    """
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT o.row_number, m.last_name, m.first_name, "
            " SUM((l.member_unit_price * COALESCE(l.quantity_delivered, l.quantity_allocated, "
            "      l.quantity_ordered) + 500) / 1000), COUNT(l.id) "
            "FROM member_order o JOIN member m ON m.id = o.member_id "
            "JOIN order_line l ON l.order_id = o.id "
            "WHERE o.cycle_id = :cycle AND o.point_id = :point "
            "GROUP BY o.id, o.row_number, m.last_name, m.first_name"),
            {"cycle": cycle_id, "point": point_id}).all()
    return {row[0]: (row[1], row[2], cents(row[3]), row[4]) for row in rows}


def product_sums(db: Database, cycle_id: int, point_id: int | None = None,
                 producer_id: int | None = None) -> dict[str, tuple[Decimal, Decimal, int]]:
    """Per product or basket name: (quantity to hand over, amount, households)."""
    where = "o.cycle_id = :cycle"
    if point_id is not None:
        where += " AND o.point_id = :point"
    if producer_id is not None:
        where += " AND COALESCE(p.producer_id, b.producer_id) = :producer"
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT COALESCE(p.name, b.name), "
            " SUM(COALESCE(l.quantity_allocated, l.quantity_ordered)), "
            " SUM((l.member_unit_price * COALESCE(l.quantity_delivered, l.quantity_allocated, "
            "      l.quantity_ordered) + 500) / 1000), COUNT(DISTINCT o.id) "
            "FROM order_line l JOIN member_order o ON o.id = l.order_id "
            "LEFT JOIN product p ON p.id = l.product_id "
            "LEFT JOIN basket_type b ON b.id = l.basket_type_id "
            f"WHERE {where} "
            "GROUP BY COALESCE(l.product_id, -l.basket_type_id), COALESCE(p.name, b.name)"),
            {"cycle": cycle_id, "point": point_id, "producer": producer_id}).all()
    return {row[0]: ((Decimal(row[1]) / 1000), cents(row[2]), row[3]) for row in rows}


LONG_NAME = " ".join(["Longuenom"] * 20)[:200]
MARKUP_NAME = "<b>Gras</b> & Cie"
EMOJI_NAME = "Zoé 🥕🍅"


def awkward_co_op(db: Database, *, big_point_households: int = 300) -> dict[str, int]:
    """A co-op with a 40-line household named with 200 characters, names with markup
    and emoji, and a point of `big_point_households` households."""
    with db.transaction() as s:
        s.add(Coop(name="AMAP <Les Amis> & Co 🌻"))
        small = DistributionPoint(name="Salle « Jean & Lucie »", city="Crest", weekday=3,
                                  start_time=dt.time(18), end_time=dt.time(19, 30))
        big = DistributionPoint(name="Grand point", city="Die", weekday=3,
                                start_time=dt.time(17), end_time=dt.time(20))
        farm = Producer(name="Ferme <du> Pré & Fils", vat_regime=VatRegime.FLAT_RATE_FARMER,
                        invoice_prefix="PRE")
        other = Producer(name="Autre producteur", vat_regime=VatRegime.FLAT_RATE_FARMER,
                         invoice_prefix="AUT")
        s.add_all([small, big, farm, other])
        s.flush()
        products = [Product(producer_id=farm.id, name=f"Légume n° {n:02d}", unit=Unit.KG,
                            vat_rate=Decimal("5.50"), variable_weight=n % 3 == 0)
                    for n in range(40)]
        products.append(Product(producer_id=other.id, name="Pain <complet> & graines",
                                unit=Unit.PIECE, vat_rate=Decimal("5.50")))
        s.add_all(products)
        cycle = Cycle(distribution_date=dt.date(2026, 12, 3), state=CycleState.CLOSED)
        s.add(cycle)
        s.flush()
        s.add_all([CyclePoint(cycle_id=cycle.id, point_id=small.id),
                   CyclePoint(cycle_id=cycle.id, point_id=big.id)])
        people = [
            Member(last_name=LONG_NAME, first_name="", payment_reference="A1",
                   co_member_name="Jean-Édouard de La Tour d'Auvergne", point_id=small.id,
                   phone="06 12 34 56 78", print_phone=True),
            Member(last_name=MARKUP_NAME, first_name="Amélie", payment_reference="A2",
                   point_id=small.id, phone="06 98 76 54 32", print_phone=False),
            Member(last_name="Émoji", first_name=EMOJI_NAME, payment_reference="A3",
                   point_id=small.id),
        ]
        people += [Member(last_name=f"Foyer{n:03d}", first_name="Camille",
                          payment_reference=f"B{n}", point_id=big.id)
                   for n in range(big_point_households)]
        s.add_all(people)
        s.flush()
        s.add(Shift(cycle_id=cycle.id, point_id=small.id, role="Caisse",
                    member_id=people[1].id))
        s.add(Shift(cycle_id=cycle.id, point_id=small.id, role="Accueil", member_id=None))
        for number, member in enumerate(people):
            order = Order(cycle_id=cycle.id, member_id=member.id, point_id=member.point_id,
                          row_number=number + 1 if number < 3 else number - 2)
            s.add(order)
            s.flush()
            chosen = products[:40] if number == 0 else [products[number % 40], products[40]]
            for index, product in enumerate(chosen):
                s.add(OrderLine(order_id=order.id, product_id=product.id,
                                quantity_ordered=Decimal("1.500") + index,
                                quantity_allocated=Decimal("1.500") + index,
                                unit_price_ht=Decimal("2.00"), vat_rate=Decimal("5.50"),
                                member_unit_price=Decimal("2.11") + index))
        return {"cycle": cycle.id, "small": small.id, "big": big.id, "farm": farm.id,
                "other": other.id}
