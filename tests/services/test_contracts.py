"""AMAP contracts: shared baskets, cheque schedules, the list a coordinator reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest

from coopfood.domain.enums import Frequency, LineSource, ShareMode
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cycle, Order, OrderLine
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    ServiceError,
    StaleData,
    ValidationError,
)
from coopfood.services.contracts import (
    ContractInput,
    archive_contract,
    delete_contract,
    get_contract,
    list_contracts,
    save_contract,
)
from coopfood.services.members import MemberInput, archive_member, save_member
from tests.services.test_baskets import new_basket
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer

START = dt.date(2026, 4, 2)
END = dt.date(2026, 9, 24)


@dataclass(frozen=True)
class Amap:
    anna: int
    bruno: int
    basket: int
    point: int


@pytest.fixture
def amap(db: Database) -> Amap:
    point = new_point(db, "Nord")
    anna = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Éluard", first_name="Anna & <b>Zoé</b> 🥕", point_id=point))
    bruno = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Roux", first_name="Bruno", point_id=point))
    basket = new_basket(db, new_producer(db, "Ferme des Combes"))
    return Amap(anna=anna.id, bruno=bruno.id, basket=basket, point=point)


def contract(s: Amap, *, co_member_id: int | None = None,
             share_mode: ShareMode | None = None, cheque_count: int = 0,
             cheque_months: Sequence[str] = (), price: str = "12,66",
             absences: int = 2, point_id: int | None = None) -> ContractInput:
    return ContractInput(
        member_id=s.anna, basket_type_id=s.basket, point_id=point_id or s.point,
        season_start=START, season_end=END, frequency=Frequency.WEEKLY, allowed_absences=absences,
        price_per_basket=price, co_member_id=co_member_id, share_mode=share_mode,
        cheque_count=cheque_count, cheque_months=cheque_months)


def test_a_shared_contract_with_its_cheques(db: Database, amap: Amap) -> None:
    saved = save_contract(db=db, actor=LOCAL_ADMIN, data=contract(
        amap, co_member_id=amap.bruno, share_mode=ShareMode.ALTERNATE, cheque_count=3,
        cheque_months=["2026-06", "2026-04", "2026-05"]))
    again = get_contract(db=db, actor=LOCAL_ADMIN, contract_id=saved.id)
    assert again.member == "ÉLUARD Anna & <b>Zoé</b> 🥕"
    assert again.co_member == "ROUX Bruno"
    assert again.price_per_basket == Decimal("12.66")
    assert again.cheque_months == ("2026-04", "2026-05", "2026-06")
    assert (again.basket_type, again.producer, again.point) == (
        "Panier légumes — petit", "Ferme des Combes", "Nord")


@pytest.mark.parametrize("count, months, message", [
    (3, ["2026-04", "2026-05"], "3 chèque(s) annoncé(s) mais 2 mois d'encaissement"),
    (1, ["2026-13"], "Mois d'encaissement « 2026-13 » invalide : écrivez-le AAAA-MM"),
    (1, ["avril"], "Mois d'encaissement « avril » invalide"),
    (1, ["2026-03"], "Le chèque de mars 2026 tombe hors de la saison du contrat "
                     "(avril 2026 – septembre 2026)"),
    (1, ["2026-10"], "hors de la saison"),
])
def test_cheque_months_are_checked(db: Database, amap: Amap, count: int, months: list[str],
                                   message: str) -> None:
    with pytest.raises(ValidationError) as error:
        save_contract(db=db, actor=LOCAL_ADMIN,
                      data=contract(amap, cheque_count=count, cheque_months=months))
    assert message in str(error.value)
    assert error.value.field == "cheque_months"


@pytest.mark.parametrize("changes, field, message", [
    ({"co_member_id": "bruno"}, "share_mode", "choisissez comment il est partagé"),
    ({"share_mode": ShareMode.BOTH}, "share_mode", "qu'avec un co-adhérent"),
    ({"co_member_id": "anna", "share_mode": ShareMode.BOTH}, "co_member_id", "un autre foyer"),
    ({"price": "0"}, "price_per_basket", "Le prix du panier doit être positif"),
    ({"price": "12,5O"}, "price_per_basket", "n'est pas un nombre"),
    ({"price": "12,666"}, "price_per_basket", "plus de deux décimales"),
    ({"absences": -1}, "allowed_absences", "absences autorisées ne peut pas être négatif"),
    ({"cheque_count": -1}, "cheque_count", "chèques ne peut pas être négatif"),
])
def test_wrong_contract_fields_are_refused(db: Database, amap: Amap,
                                           changes: dict[str, object], field: str,
                                           message: str) -> None:
    if isinstance(changes.get("co_member_id"), str):
        changes["co_member_id"] = getattr(amap, str(changes["co_member_id"]))
    with pytest.raises(ValidationError, match=message) as error:
        save_contract(db=db, actor=LOCAL_ADMIN,
                      data=contract(amap, **changes))  # type: ignore[arg-type]
    assert error.value.field == field


def test_the_season_must_end_after_it_starts(db: Database, amap: Amap) -> None:
    data = contract(amap)
    with pytest.raises(ValidationError, match="la fin de la saison") as error:
        save_contract(db=db, actor=LOCAL_ADMIN,
                      data=replace(data, season_start=END, season_end=START))
    assert error.value.field == "season_end"


def test_an_archived_household_takes_no_new_contract(db: Database, amap: Amap) -> None:
    archive_member(db=db, actor=LOCAL_ADMIN, member_id=amap.anna)
    with pytest.raises(ValidationError, match=r"ÉLUARD Anna .* est archivé") as error:
        save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap))
    assert error.value.field == "member_id"


def test_the_list_names_everything_a_coordinator_needs(db: Database, amap: Amap) -> None:
    save_contract(db=db, actor=LOCAL_ADMIN, data=contract(
        amap, co_member_id=amap.bruno, share_mode=ShareMode.BOTH))
    [row] = list_contracts(db=db, actor=LOCAL_ADMIN, member_id=amap.bruno)
    assert (row.member, row.co_member, row.basket_type, row.producer, row.point) == (
        "ÉLUARD Anna & <b>Zoé</b> 🥕", "ROUX Bruno", "Panier légumes — petit",
        "Ferme des Combes", "Nord")
    assert (row.season_start, row.season_end, row.frequency_label, row.price_per_basket) == (
        START, END, "Hebdomadaire", Decimal("12.66"))


def test_a_coordinator_handles_only_the_contracts_of_its_points(db: Database,
                                                                amap: Amap) -> None:
    other = new_point(db, "Sud")
    save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap))
    coordinator = Actor(name="Léa", role=Role.COORDINATOR, point_ids=frozenset({other}))
    assert list_contracts(db=db, actor=coordinator) == []
    with pytest.raises(PermissionDenied, match="Léa coordonne d'autres points"):
        save_contract(db=db, actor=coordinator, data=contract(amap))
    save_contract(db=db, actor=coordinator, data=contract(amap, point_id=other))
    assert len(list_contracts(db=db, actor=coordinator)) == 1


def test_an_update_on_stale_data_is_refused(db: Database, amap: Amap) -> None:
    saved = save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap))
    save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap, absences=4),
                  contract_id=saved.id, expected_version=saved.version)
    with pytest.raises(StaleData, match="Ce contrat a été modifié"):
        save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap, absences=1),
                      contract_id=saved.id, expected_version=saved.version)


def test_deletion_refused_once_baskets_were_ordered_archive_instead(db: Database,
                                                                   amap: Amap) -> None:
    saved = save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap))
    with db.transaction() as s:
        cycle = Cycle(distribution_date=dt.date(2026, 4, 9))
        s.add(cycle)
        s.flush()
        order = Order(cycle_id=cycle.id, member_id=amap.anna, point_id=amap.point)
        s.add(order)
        s.flush()
        s.add(OrderLine(order_id=order.id, basket_type_id=amap.basket, contract_id=saved.id,
                        source=LineSource.SUBSCRIPTION, quantity_ordered=Decimal(1),
                        unit_price_ht=Decimal("12.00"), vat_rate=Decimal("5.50"),
                        member_unit_price=Decimal("12.66")))
    with pytest.raises(ServiceError) as error:
        delete_contract(db=db, actor=LOCAL_ADMIN, contract_id=saved.id)
    assert "1 ligne(s) de commande" in str(error.value)
    assert "Archivez-le" in str(error.value)
    archive_contract(db=db, actor=LOCAL_ADMIN, contract_id=saved.id)
    assert list_contracts(db=db, actor=LOCAL_ADMIN) == []
    assert [r.archived for r in list_contracts(db=db, actor=LOCAL_ADMIN,
                                               include_archived=True)] == [True]


def test_an_unused_contract_can_be_deleted(db: Database, amap: Amap) -> None:
    saved = save_contract(db=db, actor=LOCAL_ADMIN, data=contract(amap))
    delete_contract(db=db, actor=LOCAL_ADMIN, contract_id=saved.id)
    assert list_contracts(db=db, actor=LOCAL_ADMIN, include_archived=True) == []
