"""Basket types and their weekly composition."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from coopfood.domain.enums import Frequency, Unit
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, ServiceError, StaleData, ValidationError
from coopfood.services.baskets import (
    BasketItem,
    BasketItemInput,
    BasketTypeInput,
    archive_basket_type,
    composition,
    delete_basket_type,
    get_basket_type,
    save_basket_type,
    set_composition,
)
from coopfood.services.contracts import ContractInput, save_contract
from coopfood.services.members import MemberInput, save_member
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer

MONDAY = dt.date(2026, 4, 6)
THURSDAY = dt.date(2026, 4, 9)


def new_basket(db: Database, producer_id: int, name: str = "Panier légumes — petit",
               price: str = "12") -> int:
    return save_basket_type(db=db, actor=LOCAL_ADMIN, data=BasketTypeInput(
        producer_id=producer_id, name=name, price_ht=price, vat_rate="5.5")).id


def test_a_basket_type_comes_back_as_typed(db: Database) -> None:
    basket = get_basket_type(db=db, actor=LOCAL_ADMIN,
                             basket_type_id=new_basket(db, new_producer(db), price="12,50"))
    assert (basket.name, basket.producer, basket.price_ht, basket.vat_rate) == (
        "Panier légumes — petit", "GAEC du Pré Vert", Decimal("12.50"), Decimal("5.50"))


@pytest.mark.parametrize("price, message", [
    ("-12", "Le prix HT doit être positif"), ("12,5O", "n'est pas un nombre")])
def test_a_wrong_price_is_refused(db: Database, price: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        new_basket(db, new_producer(db), price=price)
    assert error.value.field == "price_ht"


def test_names_unique_per_producer_and_stored_literally(db: Database) -> None:
    producer_id = new_producer(db)
    tricky = "Panier <b>fruits</b> & œufs 🍎"
    basket_id = new_basket(db, producer_id, tricky)
    assert get_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id).name == tricky
    with pytest.raises(ValidationError, match="a déjà un panier nommé") as error:
        new_basket(db, producer_id, tricky.upper())
    assert error.value.field == "name"
    new_basket(db, producer_id, "p" * 200)
    with pytest.raises(ValidationError, match="201 caractères"):
        new_basket(db, producer_id, "p" * 201)


def test_an_update_on_stale_data_is_refused(db: Database) -> None:
    producer_id = new_producer(db)
    basket = get_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=new_basket(db, producer_id))
    data = BasketTypeInput(producer_id=producer_id, name="Grand", price_ht="20", vat_rate="5,5")
    save_basket_type(db=db, actor=LOCAL_ADMIN, data=data, basket_type_id=basket.id,
                     expected_version=basket.version)
    with pytest.raises(StaleData, match="Ce type de panier a été modifié"):
        save_basket_type(db=db, actor=LOCAL_ADMIN, data=data, basket_type_id=basket.id,
                         expected_version=basket.version)


def test_the_composition_is_kept_per_week_and_replaced_whole(db: Database) -> None:
    basket_id = new_basket(db, new_producer(db))
    set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=THURSDAY,
                    items=[BasketItemInput(label="Carottes", quantity="1,5", unit=Unit.KG),
                           BasketItemInput(label="Une botte de radis & <persil>")])
    assert composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id,
                       week_start=MONDAY) == [
        BasketItem(1, "Carottes", Decimal("1.500"), Unit.KG),
        BasketItem(2, "Une botte de radis & <persil>", None, None)]
    assert composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id,
                       week_start=MONDAY + dt.timedelta(days=7)) == []
    set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id,
                    week_start=MONDAY + dt.timedelta(days=6),
                    items=[BasketItemInput(label="Courge", quantity="1", unit=Unit.PIECE)])
    assert [item.label for item in composition(
        db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=MONDAY)] == ["Courge"]


def test_a_composition_line_needs_a_label_and_a_positive_quantity(db: Database) -> None:
    basket_id = new_basket(db, new_producer(db))
    with pytest.raises(ValidationError, match="La quantité de la ligne 2 \\(Poireaux\\)") as error:
        set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=MONDAY,
                        items=[BasketItemInput(label="Carottes"),
                               BasketItemInput(label="Poireaux", quantity="0")])
    assert error.value.field == "items[1].quantity"
    with pytest.raises(ValidationError, match="Le libellé de la ligne 1 est obligatoire"):
        set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=MONDAY,
                        items=[BasketItemInput(label=" ")])


def test_deletion_refused_once_a_contract_exists_archive_instead(db: Database) -> None:
    basket_id = new_basket(db, new_producer(db))
    point_id = new_point(db)
    member = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Roux"))
    save_contract(db=db, actor=LOCAL_ADMIN, data=ContractInput(
        member_id=member.id, basket_type_id=basket_id, point_id=point_id,
        season_start=MONDAY, season_end=MONDAY + dt.timedelta(days=180),
        frequency=Frequency.WEEKLY, price_per_basket="12.66"))
    with pytest.raises(ServiceError) as error:
        delete_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id)
    assert "1 contrat(s) et 0 ligne(s) de commande" in str(error.value)
    archive_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id)
    assert get_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id).archived


def test_an_unused_basket_type_is_deleted_with_its_compositions(db: Database) -> None:
    basket_id = new_basket(db, new_producer(db))
    set_composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=MONDAY,
                    items=[BasketItemInput(label="Carottes")])
    delete_basket_type(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id)
    with pytest.raises(ServiceError, match=r"Type de panier n° .* introuvable"):
        composition(db=db, actor=LOCAL_ADMIN, basket_type_id=basket_id, week_start=MONDAY)
