"""Households: references, unique e-mail, shared-basket pairs, fees, a coordinator's reach."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from coopfood.services.members import (
    FeeRow,
    MemberDetail,
    MemberInput,
    archive_member,
    delete_member,
    fees_of,
    find_member_by_email,
    find_members_by_name,
    get_member,
    record_fee,
    save_member,
)
from tests.services.test_points import new_point


def add(db: Database, last_name: str, first_name: str = "", *, actor: Actor = LOCAL_ADMIN,
        **fields: object) -> MemberDetail:
    data = MemberInput(last_name=last_name, first_name=first_name, **fields)  # type: ignore[arg-type]
    return save_member(db=db, actor=actor, data=data)


def edit(db: Database, member: MemberDetail, **changes: object) -> MemberDetail:
    values: dict[str, object] = {
        "last_name": member.last_name, "first_name": member.first_name,
        "email": member.email or "", "point_id": member.point_id,
        "partner_id": member.partner_id}
    values.update(changes)
    return save_member(db=db, actor=LOCAL_ADMIN, member_id=member.id,
                       data=MemberInput(**values))  # type: ignore[arg-type]


def test_a_household_comes_back_normalised_with_a_payment_reference(db: Database) -> None:
    point_id = new_point(db)
    anna = add(db, "Éluard", "Anna", email=" anna@Exemple.FR ", phone="0612345678",
               point_id=point_id, postal_code="26 340", joined_on=dt.date(2026, 3, 1))
    assert anna.name == "ÉLUARD Anna"
    assert anna.email == "anna@exemple.fr"
    assert anna.phone == "06 12 34 56 78"
    assert anna.point == "Salle des fêtes"
    assert anna.payment_reference == "ADH-0001"
    assert add(db, "Roux").payment_reference == "ADH-0002"


def test_a_deleted_reference_is_never_given_again(db: Database) -> None:
    add(db, "Roux")
    mistake = add(db, "Rouxx")
    delete_member(db=db, actor=LOCAL_ADMIN, member_id=mistake.id)
    assert add(db, "Blanc").payment_reference == "ADH-0003"


def test_names_are_stored_literally_up_to_200_characters(db: Database) -> None:
    tricky = add(db, "Dupont & <b>Fils</b>", "Zoé 🌻")
    again = get_member(db=db, actor=LOCAL_ADMIN, member_id=tricky.id)
    assert (again.last_name, again.first_name) == ("Dupont & <b>Fils</b>", "Zoé 🌻")
    assert add(db, "L" * 200).last_name == "L" * 200
    with pytest.raises(ValidationError, match="Le nom est trop long") as error:
        add(db, "L" * 201)
    assert error.value.field == "last_name"


@pytest.mark.parametrize("fields, field, message", [
    ({"email": "anna@"}, "email", "Adresse e-mail « anna@ » invalide"),
    ({"phone": "12"}, "phone", "Numéro de téléphone « 12 » invalide"),
    ({"postal_code": "2634"}, "postal_code", "Code postal « 2634 » invalide"),
])
def test_wrong_contact_details_are_refused(db: Database, fields: dict[str, object], field: str,
                                           message: str) -> None:
    with pytest.raises(ValidationError, match=message) as error:
        save_member(db=db, actor=LOCAL_ADMIN,
                    data=MemberInput(last_name="Roux", **fields))  # type: ignore[arg-type]
    assert error.value.field == field


def test_an_email_belongs_to_one_household(db: Database) -> None:
    add(db, "Dupont", "Marie", email="marie@exemple.fr")
    with pytest.raises(ValidationError) as error:
        add(db, "Martin", "Paul", email="Marie@Exemple.fr")
    assert error.value.field == "email"
    assert "déjà celle du foyer DUPONT Marie (ADH-0001)" in str(error.value)


def test_partners_are_paired_both_ways_and_former_pairs_undone(db: Database) -> None:
    anna, bruno, chloe = add(db, "Éluard", "Anna"), add(db, "Roux", "Bruno"), add(db, "Blanc")
    anna = edit(db, anna, partner_id=bruno.id)
    assert anna.partner == "ROUX Bruno"
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=bruno.id).partner_id == anna.id

    chloe = edit(db, chloe, partner_id=anna.id)  # Anna leaves Bruno for Chloé
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=anna.id).partner_id == chloe.id
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=bruno.id).partner_id is None

    edit(db, get_member(db=db, actor=LOCAL_ADMIN, member_id=anna.id), partner_id=None)
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=chloe.id).partner_id is None


def test_a_household_cannot_be_its_own_partner(db: Database) -> None:
    anna = add(db, "Éluard", "Anna")
    with pytest.raises(ValidationError, match="avec lui-même") as error:
        edit(db, anna, partner_id=anna.id)
    assert error.value.field == "partner_id"


def test_a_coordinator_reaches_only_the_households_of_its_points(db: Database) -> None:
    north, south = new_point(db, "Nord"), new_point(db, "Sud")
    coordinator = Actor(name="Léa", role=Role.COORDINATOR, point_ids=frozenset({north}))
    mine = add(db, "Éluard", actor=coordinator, point_id=north)
    theirs = add(db, "Roux", point_id=south)
    assert get_member(db=db, actor=coordinator, member_id=mine.id).name == "ÉLUARD"
    with pytest.raises(PermissionDenied, match="Léa coordonne d'autres points"):
        get_member(db=db, actor=coordinator, member_id=theirs.id)
    with pytest.raises(PermissionDenied):
        save_member(db=db, actor=coordinator, member_id=theirs.id,
                    data=MemberInput(last_name="Roux", point_id=north))
    with pytest.raises(PermissionDenied):
        add(db, "Blanc", actor=coordinator, point_id=south)
    with pytest.raises(PermissionDenied):
        record_fee(db=db, actor=coordinator, member_id=theirs.id, year=2026, amount="10")
    assert find_member_by_email(db=db, actor=coordinator, email="x@y.fr") is None


def test_an_update_on_stale_data_is_refused(db: Database) -> None:
    roux = add(db, "Roux")
    edit(db, roux, first_name="Bruno")
    with pytest.raises(StaleData, match="Ce foyer a été modifié"):
        save_member(db=db, actor=LOCAL_ADMIN, member_id=roux.id, expected_version=roux.version,
                    data=MemberInput(last_name="Roux", first_name="Bernard"))


def test_one_fee_per_year_unless_corrected(db: Database) -> None:
    roux = add(db, "Roux", "Bruno")
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2026, amount="15",
               paid_on=dt.date(2026, 1, 10))
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2025, amount="0")
    with pytest.raises(ValidationError) as error:
        record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2026, amount="20")
    assert "La cotisation 2026 de ROUX Bruno est déjà enregistrée (15,00\xa0€)" in str(
        error.value)
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2026, amount="20",
               paid_on=dt.date(2026, 1, 12), replace=True)
    assert fees_of(db=db, actor=LOCAL_ADMIN, member_id=roux.id) == [
        FeeRow(2025, Decimal("0.00"), None), FeeRow(2026, Decimal("20.00"), dt.date(2026, 1, 12))]
    with pytest.raises(ValidationError, match="Le montant de la cotisation doit être positif"):
        record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2027, amount="-5")


def test_deletion_refused_once_fees_exist_archive_instead(db: Database) -> None:
    roux = add(db, "Roux", "Bruno")
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=roux.id, year=2026, amount="15")
    with pytest.raises(ServiceError) as error:
        delete_member(db=db, actor=LOCAL_ADMIN, member_id=roux.id)
    assert str(error.value).startswith("ROUX Bruno a 1 cotisation(s) : archivez-le")
    archive_member(db=db, actor=LOCAL_ADMIN, member_id=roux.id)
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=roux.id).archived


def test_deleting_a_partner_undoes_the_pair(db: Database) -> None:
    anna, bruno = add(db, "Éluard", "Anna"), add(db, "Roux", "Bruno")
    edit(db, anna, partner_id=bruno.id)
    delete_member(db=db, actor=LOCAL_ADMIN, member_id=bruno.id)
    assert get_member(db=db, actor=LOCAL_ADMIN, member_id=anna.id).partner_id is None


def test_importers_find_households_by_email_or_name(db: Database) -> None:
    anna = add(db, "Éluard-Lévy", "Anne-Sophie", email="anne@exemple.fr")
    add(db, "Eluard", "Paul")
    assert find_member_by_email(db=db, actor=LOCAL_ADMIN, email=" ANNE@exemple.fr") == anna
    assert find_member_by_email(db=db, actor=LOCAL_ADMIN, email="autre@exemple.fr") is None
    assert [m.id for m in find_members_by_name(
        db=db, actor=LOCAL_ADMIN, last_name="ELUARD LEVY", first_name="anne sophie")] == [anna.id]
    assert len(find_members_by_name(db=db, actor=LOCAL_ADMIN, last_name="éluard")) == 1
