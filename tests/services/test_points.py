"""Distribution points: time slots in order, unique names, deletion only of unused points."""

from __future__ import annotations

import datetime as dt

import pytest

from coopfood.persistence.db import Database
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    ServiceError,
    StaleData,
    ValidationError,
)
from coopfood.services.members import MemberInput, save_member
from coopfood.services.points import (
    PointInput,
    archive_point,
    delete_point,
    get_point,
    save_point,
)


def point_input(name: str = "Salle des fêtes", *, weekday: int = 3,
                start: dt.time = dt.time(18), end: dt.time = dt.time(19, 30)) -> PointInput:
    return PointInput(name=name, weekday=weekday, start_time=start, end_time=end,
                      address="2 place de l'Église", postal_code="26 340", city="Saillans")


def new_point(db: Database, name: str = "Salle des fêtes") -> int:
    return save_point(db=db, actor=LOCAL_ADMIN, data=point_input(name)).id


def test_a_point_comes_back_as_typed(db: Database) -> None:
    point = get_point(db=db, actor=LOCAL_ADMIN, point_id=new_point(db))
    assert (point.name, point.postal_code, point.weekday_label) == (
        "Salle des fêtes", "26340", "jeudi")
    assert (point.start_time, point.end_time) == (dt.time(18), dt.time(19, 30))


def test_the_slot_must_end_after_it_starts(db: Database) -> None:
    with pytest.raises(ValidationError) as error:
        save_point(db=db, actor=LOCAL_ADMIN,
                   data=point_input(start=dt.time(19), end=dt.time(18, 30)))
    assert error.value.field == "end_time"
    assert str(error.value) == "L'heure de fin (18:30) doit suivre l'heure de début (19:00)."


def test_weekday_is_monday_to_sunday(db: Database) -> None:
    with pytest.raises(ValidationError, match=r"de 0 \(lundi\) à 6 \(dimanche\)") as error:
        save_point(db=db, actor=LOCAL_ADMIN, data=point_input(weekday=7))
    assert error.value.field == "weekday"


def test_two_points_cannot_share_a_name(db: Database) -> None:
    new_point(db, "La Halle")
    with pytest.raises(ValidationError, match="s'appelle déjà « La Halle »") as error:
        new_point(db, "la halle")
    assert error.value.field == "name"


def test_names_are_stored_literally_up_to_200_characters(db: Database) -> None:
    tricky = "Café & <i>Bar</i> 🧺"
    assert get_point(db=db, actor=LOCAL_ADMIN, point_id=new_point(db, tricky)).name == tricky
    long = "P" * 200
    assert get_point(db=db, actor=LOCAL_ADMIN, point_id=new_point(db, long)).name == long
    with pytest.raises(ValidationError, match=r"trop long \(201 caractères, 200 au plus\)"):
        new_point(db, long + "!")


def test_an_update_on_stale_data_is_refused(db: Database) -> None:
    point_id = new_point(db)
    version = get_point(db=db, actor=LOCAL_ADMIN, point_id=point_id).version
    save_point(db=db, actor=LOCAL_ADMIN, data=point_input("Mairie"), point_id=point_id,
               expected_version=version)
    with pytest.raises(StaleData, match="Ce point de distribution a été modifié"):
        save_point(db=db, actor=LOCAL_ADMIN, data=point_input("École"), point_id=point_id,
                   expected_version=version)


def test_deletion_refused_while_members_use_it_archive_instead(db: Database) -> None:
    point_id = new_point(db)
    save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Roux", point_id=point_id))
    with pytest.raises(ServiceError) as error:
        delete_point(db=db, actor=LOCAL_ADMIN, point_id=point_id)
    assert "1 adhérent(s)" in str(error.value)
    assert "Archivez-le" in str(error.value)
    archive_point(db=db, actor=LOCAL_ADMIN, point_id=point_id)
    assert get_point(db=db, actor=LOCAL_ADMIN, point_id=point_id).archived


def test_an_unused_point_can_be_deleted(db: Database) -> None:
    point_id = new_point(db)
    delete_point(db=db, actor=LOCAL_ADMIN, point_id=point_id)
    with pytest.raises(ServiceError, match="introuvable"):
        get_point(db=db, actor=LOCAL_ADMIN, point_id=point_id)


def test_a_coordinator_edits_only_its_own_points(db: Database) -> None:
    mine, other = new_point(db, "Nord"), new_point(db, "Sud")
    coordinator = Actor(name="Léa", role=Role.COORDINATOR, point_ids=frozenset({mine}))
    save_point(db=db, actor=coordinator, data=point_input("Nord"), point_id=mine)
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        save_point(db=db, actor=coordinator, data=point_input("Sud-Est"), point_id=other)
