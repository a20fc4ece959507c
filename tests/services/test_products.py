"""Products: prices versioned by date, past order lines untouched, French refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopfood.domain.enums import LineSource, Unit
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    CycleOffer,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
)
from coopfood.services import LOCAL_ADMIN, NotFound, ServiceError, StaleData, ValidationError
from coopfood.services.producers import archive_producer
from coopfood.services.products import (
    PriceRow,
    ProductInput,
    archive_product,
    delete_product,
    get_product,
    price_history,
    price_on,
    save_product,
    set_price,
)
from tests.services.test_producers import new_producer

JAN = dt.date(2026, 1, 1)
JUNE = dt.date(2026, 6, 1)


def product_input(producer_id: int, name: str = "Carottes", **changes: object) -> ProductInput:
    values: dict[str, object] = {
        "producer_id": producer_id, "name": name, "unit": Unit.KG, "vat_rate": "5,5",
        "price_ht": "2,40", "price_from": JAN}
    values.update(changes)
    return ProductInput(**values)  # type: ignore[arg-type]


def new_product(db: Database, producer_id: int, name: str = "Carottes", **changes: object) -> int:
    return save_product(db=db, actor=LOCAL_ADMIN,
                        data=product_input(producer_id, name, **changes)).id


def add_order_line(db: Database, product_id: int, price: Decimal, day: dt.date) -> int:
    """An order line as the order service makes it: with a snapshot of the price."""
    with db.transaction() as s:
        point = DistributionPoint(name=f"Point {day}", weekday=day.weekday(),
                                  start_time=dt.time(18), end_time=dt.time(19))
        member = Member(last_name="Roux", payment_reference=f"T-{day}")
        cycle = Cycle(distribution_date=day)
        s.add_all([point, member, cycle])
        s.flush()
        order = Order(cycle_id=cycle.id, member_id=member.id, point_id=point.id)
        s.add(order)
        s.flush()
        line = OrderLine(order_id=order.id, product_id=product_id, source=LineSource.A_LA_CARTE,
                         quantity_ordered=Decimal("2"), unit_price_ht=price,
                         vat_rate=Decimal("5.50"), member_unit_price=price)
        s.add(line)
        s.flush()
        return line.id


def test_a_new_product_has_its_first_price(db: Database) -> None:
    product = save_product(db=db, actor=LOCAL_ADMIN, data=product_input(
        new_producer(db), case_pack="10", category="Légumes", label="AB"))
    assert (product.price_ht, product.vat_rate, product.case_pack) == (
        Decimal("2.40"), Decimal("5.50"), Decimal("10.000"))
    assert product.producer == "GAEC du Pré Vert"
    assert price_history(db=db, actor=LOCAL_ADMIN, product_id=product.id) == [
        PriceRow(JAN, Decimal("2.40"))]


def test_a_new_price_starts_on_its_date_and_leaves_old_lines_alone(db: Database) -> None:
    producer_id = new_producer(db)
    product_id = new_product(db, producer_id)
    line_id = add_order_line(db, product_id, Decimal("2.40"), dt.date(2026, 3, 5))
    save_product(db=db, actor=LOCAL_ADMIN, product_id=product_id,
                 data=product_input(producer_id, price_ht="2,60", price_from=JUNE))
    assert price_history(db=db, actor=LOCAL_ADMIN, product_id=product_id) == [
        PriceRow(JAN, Decimal("2.40")), PriceRow(JUNE, Decimal("2.60"))]
    assert price_on(db, product_id=product_id, day=dt.date(2026, 5, 31)) == Decimal("2.40")
    assert price_on(db, product_id=product_id, day=JUNE) == Decimal("2.60")
    assert price_on(db, product_id=product_id, day=dt.date(2025, 12, 31)) is None
    with db.reading() as session:
        line = session.get(OrderLine, line_id)
        assert line is not None and line.unit_price_ht == Decimal("2.40")
        assert price_on(session, product_id=product_id, day=JUNE) == Decimal("2.60")


def test_the_same_price_again_adds_no_row(db: Database) -> None:
    product_id = new_product(db, new_producer(db))
    assert set_price(db=db, actor=LOCAL_ADMIN, product_id=product_id, price_ht="2.4",
                     valid_from=JUNE) == PriceRow(JAN, Decimal("2.40"))
    assert len(price_history(db=db, actor=LOCAL_ADMIN, product_id=product_id)) == 1


def test_a_price_of_the_same_day_is_replaced_only_before_any_order(db: Database) -> None:
    product_id = new_product(db, new_producer(db))
    set_price(db=db, actor=LOCAL_ADMIN, product_id=product_id, price_ht="2,50", valid_from=JAN)
    assert price_history(db=db, actor=LOCAL_ADMIN, product_id=product_id) == [
        PriceRow(JAN, Decimal("2.50"))]
    add_order_line(db, product_id, Decimal("2.50"), dt.date(2026, 2, 5))
    with pytest.raises(ValidationError) as error:
        set_price(db=db, actor=LOCAL_ADMIN, product_id=product_id, price_ht="2,70",
                  valid_from=JAN)
    assert error.value.field == "price_from"
    assert "a déjà été commandé" in str(error.value)
    assert "1 janvier 2026" in str(error.value)


@pytest.mark.parametrize("price, message", [
    ("-3", "Le prix HT doit être positif"),
    ("0", "Le prix HT doit être positif"),
    ("12,5O", "« 12,5O » n'est pas un nombre"),
    ("2,405", "plus de deux décimales"),
])
def test_a_wrong_price_is_refused(db: Database, price: str, message: str) -> None:
    producer_id = new_producer(db)
    with pytest.raises(ValidationError, match=message) as error:
        new_product(db, producer_id, price_ht=price)
    assert error.value.field == "price_ht"


def test_a_new_product_needs_a_price(db: Database) -> None:
    with pytest.raises(ValidationError, match="prix HT est obligatoire") as error:
        new_product(db, new_producer(db), price_ht=None)
    assert error.value.field == "price_ht"


@pytest.mark.parametrize("changes, field, message", [
    ({"vat_rate": "7"}, "vat_rate", "Taux de TVA « 7 » non autorisé"),
    ({"case_pack": "0"}, "case_pack", "La taille du colis doit être supérieure à zéro"),
    ({"case_pack": "-2"}, "case_pack", "La taille du colis ne peut pas être négative"),
    ({"unit": Unit.PIECE, "variable_weight": True}, "unit", "vendu au kilo"),
])
def test_wrong_product_fields_are_refused(db: Database, changes: dict[str, object], field: str,
                                          message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        save_product(db=db, actor=LOCAL_ADMIN,
                     data=product_input(new_producer(db), "Carottes", **changes))
    assert error.value.field == field


def test_a_producer_cannot_have_two_products_of_the_same_name(db: Database) -> None:
    producer_id = new_producer(db)
    new_product(db, producer_id, "Carottes")
    with pytest.raises(ValidationError) as error:
        new_product(db, producer_id, "carottes")
    assert error.value.field == "name"
    assert str(error.value) == (
        "Le producteur « GAEC du Pré Vert » a déjà un produit nommé « Carottes ».")
    new_product(db, new_producer(db, "Ferme Voisine", invoice_prefix="VOISINE"), "Carottes")


def test_an_archived_producer_gets_no_new_product(db: Database) -> None:
    producer_id = new_producer(db)
    archive_producer(db=db, actor=LOCAL_ADMIN, producer_id=producer_id)
    with pytest.raises(ValidationError, match="est archivé") as error:
        new_product(db, producer_id)
    assert error.value.field == "producer_id"
    with pytest.raises(ValidationError, match="introuvable"):
        new_product(db, 999)


def test_names_are_stored_literally_up_to_200_characters(db: Database) -> None:
    producer_id = new_producer(db)
    for name in ("Œufs & <b>frais</b> 🥚", "x" * 200):
        product_id = new_product(db, producer_id, name)
        assert get_product(db=db, actor=LOCAL_ADMIN, product_id=product_id).name == name
    with pytest.raises(ValidationError, match="201 caractères") as error:
        new_product(db, producer_id, "y" * 201)
    assert error.value.field == "name"


def test_an_update_on_stale_data_is_refused(db: Database) -> None:
    producer_id = new_producer(db)
    product = save_product(db=db, actor=LOCAL_ADMIN, data=product_input(producer_id))
    save_product(db=db, actor=LOCAL_ADMIN, product_id=product.id,
                 expected_version=product.version, data=product_input(producer_id, "Navets"))
    with pytest.raises(StaleData, match="Ce produit a été modifié par quelqu'un d'autre"):
        save_product(db=db, actor=LOCAL_ADMIN, product_id=product.id,
                     expected_version=product.version, data=product_input(producer_id, "Radis"))
    assert get_product(db=db, actor=LOCAL_ADMIN, product_id=product.id).name == "Navets"


def test_an_ordered_product_keeps_its_unit(db: Database) -> None:
    producer_id = new_producer(db)
    product_id = new_product(db, producer_id)
    add_order_line(db, product_id, Decimal("2.40"), dt.date(2026, 2, 5))
    with pytest.raises(ValidationError, match="ne peut plus changer d'unité") as error:
        save_product(db=db, actor=LOCAL_ADMIN, product_id=product_id,
                     data=product_input(producer_id, unit=Unit.BUNCH, price_ht=None))
    assert error.value.field == "unit"


def test_deletion_refused_once_ordered_or_offered_archive_instead(db: Database) -> None:
    product_id = new_product(db, new_producer(db))
    add_order_line(db, product_id, Decimal("2.40"), dt.date(2026, 2, 5))
    with db.transaction() as s:
        cycle_id = s.scalars(select(Cycle.id)).one()
        s.add(CycleOffer(cycle_id=cycle_id, product_id=product_id))
    with pytest.raises(ServiceError) as error:
        delete_product(db=db, actor=LOCAL_ADMIN, product_id=product_id)
    assert "1 ligne(s) de commande et 1 offre(s) de distribution" in str(error.value)
    assert "Archivez-le" in str(error.value)
    archive_product(db=db, actor=LOCAL_ADMIN, product_id=product_id)
    assert get_product(db=db, actor=LOCAL_ADMIN, product_id=product_id).archived


def test_an_unused_product_is_deleted_with_its_prices(db: Database) -> None:
    product_id = new_product(db, new_producer(db))
    set_price(db=db, actor=LOCAL_ADMIN, product_id=product_id, price_ht="3", valid_from=JUNE)
    delete_product(db=db, actor=LOCAL_ADMIN, product_id=product_id)
    with pytest.raises(NotFound, match=r"Produit n° .* introuvable"):
        price_history(db=db, actor=LOCAL_ADMIN, product_id=product_id)
