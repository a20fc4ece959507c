"""Users: the two modes, accounts and roles, passwords, slowing down wrong guesses."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import AuditEntry, DistributionPoint, Producer, User
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError, users
from coopfood.services.users import LoginRefused, Mode, UserInput

PASSWORD = "une phrase de passe"


@pytest.fixture
def points(db: Database) -> tuple[int, int]:
    with db.transaction() as session:
        north = DistributionPoint(name="Croix-Rousse", weekday=3, start_time=dt.time(17),
                                  end_time=dt.time(19))
        south = DistributionPoint(name="Écully", weekday=4, start_time=dt.time(18),
                                  end_time=dt.time(20))
        session.add_all([north, south])
        session.flush()
        return north.id, south.id


def _admin(db: Database) -> users.UserRow:
    return users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="Claire", display_name="Claire Admin", role=Role.ADMIN))


def test_a_new_base_is_single_user_and_multi_user_needs_an_administrator_first(
        db: Database) -> None:
    assert users.get_mode(db=db) is Mode.SINGLE
    assert users.acting_user(db=db, login=None, password=None) == LOCAL_ADMIN
    with pytest.raises(ValidationError, match="Créez d'abord un compte administrateur"):
        users.set_mode(db=db, actor=LOCAL_ADMIN, mode=Mode.MULTI)
    admin = _admin(db)
    assert admin.login == "claire"  # logins are kept in small letters
    users.set_mode(db=db, actor=LOCAL_ADMIN, mode=Mode.MULTI)
    assert users.get_mode(db=db) is Mode.MULTI
    with pytest.raises(LoginRefused, match="--user"):
        users.acting_user(db=db, login=None, password=None)
    actor = users.acting_user(db=db, login="CLAIRE", password=PASSWORD)
    assert (actor.role, actor.user_id, actor.name) == (Role.ADMIN, admin.id, "Claire Admin")
    # Only an administrator switches back.
    coordinator = Actor(name="Marie", role=Role.COORDINATOR, user_id=99)
    with pytest.raises(PermissionDenied, match="Marie n'a pas le droit de changer le mode"):
        users.set_mode(db=db, actor=coordinator, mode=Mode.SINGLE)
    users.set_mode(db=db, actor=actor, mode=Mode.SINGLE)
    assert users.get_mode(db=db) is Mode.SINGLE


def test_the_password_is_stored_as_a_salted_slow_hash_never_as_typed(db: Database) -> None:
    admin = _admin(db)
    other = users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="paul", display_name="Paul", role=Role.TREASURER))
    with db.reading() as session:
        hashes = [session.get(User, admin.id).password_hash,  # type: ignore[union-attr]
                  session.get(User, other.id).password_hash]  # type: ignore[union-attr]
        trail = session.scalars(select(AuditEntry).where(AuditEntry.entity == "user")).all()
    assert all(h.startswith("scrypt$32768$8$1$") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # the same password, two salts
    assert [e.action for e in trail] == ["create", "create"]
    assert all(PASSWORD not in str(e.before) + str(e.after) + e.summary for e in trail)
    assert users.password_matches(PASSWORD, hashes[0])
    assert not users.password_matches(PASSWORD + "!", hashes[0])
    assert not users.password_matches(PASSWORD, "md5$abc")


def test_a_short_password_is_refused_in_french(db: Database) -> None:
    with pytest.raises(ValidationError, match="au moins 10 caractères") as refused:
        users.create_user(db=db, actor=LOCAL_ADMIN, password="court", data=UserInput(
            login="zoe", display_name="Zoé", role=Role.ADMIN))
    assert refused.value.field == "password"


def test_accounts_are_checked_login_role_points_producer(db: Database,
                                                         points: tuple[int, int]) -> None:
    _admin(db)
    cases = [
        (UserInput(login="é t", display_name="X", role=Role.ADMIN), "login", "ne convient pas"),
        (UserInput(login="claire", display_name="X", role=Role.ADMIN), "login",
         "déjà celui de Claire Admin"),
        (UserInput(login="marie", display_name=" ", role=Role.ADMIN), "display_name",
         "obligatoire"),
        (UserInput(login="marie", display_name="Marie", role=Role.COORDINATOR), "point_ids",
         "au moins un point"),
        (UserInput(login="marie", display_name="Marie", role=Role.COORDINATOR,
                   point_ids=[9999]), "point_ids", "introuvable"),
        (UserInput(login="ferme", display_name="Ferme", role=Role.PRODUCER), "producer_id",
         "Choisissez le producteur"),
    ]
    for data, field, message in cases:
        with pytest.raises(ValidationError, match=message) as refused:
            users.create_user(db=db, actor=LOCAL_ADMIN, data=data, password=PASSWORD)
        assert refused.value.field == field, data
    marie = users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="marie", display_name="Marie", role=Role.COORDINATOR, point_ids=[points[0]]))
    assert marie.points == ("Croix-Rousse",)
    actor = users.authenticate(db=db, login="marie", password=PASSWORD)
    assert actor.point_ids == frozenset({points[0]}) and actor.role is Role.COORDINATOR
    # A second point given: the next login acts for both.
    users.update_user(db=db, actor=LOCAL_ADMIN, user_id=marie.id, data=UserInput(
        login="marie", display_name="Marie Durand", role=Role.COORDINATOR,
        point_ids=list(points)))
    assert users.authenticate(db=db, login="marie", password=PASSWORD).point_ids == set(points)
    with db.reading() as session:
        update = session.scalars(select(AuditEntry).where(
            AuditEntry.entity == "user", AuditEntry.action == "update")).one()
    assert update.before == {"display_name": "Marie", "point_ids": [points[0]]}
    assert update.after == {"display_name": "Marie Durand", "point_ids": sorted(points)}


def test_a_producer_account_acts_as_its_producer(db: Database) -> None:
    with db.transaction() as session:
        farm = Producer(name="Ferme du Pré", invoice_prefix="PRE", vat_regime=VatRegime.NORMAL)
        session.add(farm)
        session.flush()
        farm_id = farm.id
    users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="pre", display_name="Ferme du Pré", role=Role.PRODUCER, producer_id=farm_id,
        point_ids=[1]))
    actor = users.authenticate(db=db, login="pre", password=PASSWORD)
    assert (actor.role, actor.producer_id, actor.point_ids) == (Role.PRODUCER, farm_id,
                                                                frozenset())


def test_failed_logins_make_the_account_wait_longer_and_longer(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _admin(db)
    clock = [dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)]
    monkeypatch.setattr(users, "now", lambda: clock[0])
    for _attempt in range(4):
        with pytest.raises(LoginRefused, match=r"^Identifiant ou mot de passe incorrect\.$"):
            users.authenticate(db=db, login="claire", password="mauvais mot de passe")
    with pytest.raises(LoginRefused, match="attendez 30 secondes") as fifth:
        users.authenticate(db=db, login="claire", password="mauvais mot de passe")
    assert fifth.value.wait == dt.timedelta(seconds=30)
    # Even the right password waits: a guess during the wait is not even tried.
    clock[0] += dt.timedelta(seconds=10)
    with pytest.raises(LoginRefused, match="réessayez dans 20 secondes"):
        users.authenticate(db=db, login="claire", password=PASSWORD)
    clock[0] += dt.timedelta(seconds=21)
    with pytest.raises(LoginRefused, match="attendez 60 secondes"):
        users.authenticate(db=db, login="claire", password="encore faux !")
    clock[0] += dt.timedelta(seconds=61)
    with pytest.raises(LoginRefused, match="attendez 2 minutes"):
        users.authenticate(db=db, login="claire", password="toujours faux")
    clock[0] += dt.timedelta(minutes=2, seconds=1)
    actor = users.authenticate(db=db, login="claire", password=PASSWORD)
    assert actor.role is Role.ADMIN
    with db.reading() as session:
        user = session.scalars(select(User)).one()
        assert (user.failed_logins, user.locked_until) == (0, None)
        assert user.last_login_at == clock[0]
    assert users.lock_for(40) == dt.timedelta(hours=1)  # the wait stops doubling at an hour


def test_an_unknown_login_reads_like_a_wrong_password(db: Database) -> None:
    _admin(db)
    with pytest.raises(LoginRefused, match=r"^Identifiant ou mot de passe incorrect\.$"):
        users.authenticate(db=db, login="personne", password=PASSWORD)


def test_a_deactivated_account_cannot_log_in_and_the_last_administrator_stays(
        db: Database, points: tuple[int, int]) -> None:
    admin = _admin(db)
    marie = users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="marie", display_name="Marie", role=Role.COORDINATOR, point_ids=[points[0]]))
    users.set_mode(db=db, actor=LOCAL_ADMIN, mode=Mode.MULTI)
    claire = users.authenticate(db=db, login="claire", password=PASSWORD)
    users.set_active(db=db, actor=claire, user_id=marie.id, active=False)
    with pytest.raises(LoginRefused, match="« marie » est désactivé"):
        users.authenticate(db=db, login="marie", password=PASSWORD)
    with pytest.raises(ValidationError, match="votre propre compte"):
        users.set_active(db=db, actor=claire, user_id=admin.id, active=False)
    with pytest.raises(ValidationError, match="seul administrateur actif"):
        users.update_user(db=db, actor=claire, user_id=admin.id, data=UserInput(
            login="claire", display_name="Claire", role=Role.TREASURER))
    users.set_active(db=db, actor=claire, user_id=marie.id, active=True)
    assert users.authenticate(db=db, login="marie", password=PASSWORD).name == "Marie"
    # Only an administrator manages accounts.
    coordinator = users.authenticate(db=db, login="marie", password=PASSWORD)
    with pytest.raises(PermissionDenied, match="Marie n'a pas le droit de consulter les "
                                               "utilisateurs"):
        users.list_users(db=db, actor=coordinator)
    with pytest.raises(PermissionDenied):
        users.create_user(db=db, actor=coordinator, password=PASSWORD, data=UserInput(
            login="x1", display_name="X", role=Role.ADMIN))


def test_passwords_are_changed_by_their_owner_or_reset_by_an_administrator(
        db: Database, points: tuple[int, int]) -> None:
    _admin(db)
    marie = users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="marie", display_name="Marie", role=Role.COORDINATOR, point_ids=[points[0]]))
    me = users.authenticate(db=db, login="marie", password=PASSWORD)
    with pytest.raises(PermissionDenied, match="mot de passe actuel n'est pas le bon"):
        users.set_password(db=db, actor=me, user_id=marie.id, password="nouvelle phrase",
                           current_password="pas le bon")
    users.set_password(db=db, actor=me, user_id=marie.id, password="nouvelle phrase",
                       current_password=PASSWORD)
    users.authenticate(db=db, login="marie", password="nouvelle phrase")
    # An administrator resets a forgotten one, which also ends a wait.
    for _attempt in range(5):
        with pytest.raises(LoginRefused):
            users.authenticate(db=db, login="marie", password="oublié, oublié")
    users.set_password(db=db, actor=LOCAL_ADMIN, user_id=marie.id, password="remise à zéro")
    assert users.authenticate(db=db, login="marie", password="remise à zéro").name == "Marie"
    other = users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="paul", display_name="Paul", role=Role.TREASURER))
    with pytest.raises(PermissionDenied):
        users.set_password(db=db, actor=me, user_id=other.id, password="je prends sa place")
    with db.reading() as session:
        trail = session.scalars(select(AuditEntry).where(AuditEntry.action == "password")).all()
    assert len(trail) == 2
    assert all(e.before is None and e.after is None for e in trail)


def test_wait_text_is_french() -> None:
    assert users.wait_text(dt.timedelta(seconds=1)) == "1 seconde"
    assert users.wait_text(dt.timedelta(seconds=90)) == "90 secondes"
    assert users.wait_text(dt.timedelta(minutes=16)) == "16 minutes"
    assert users.wait_text(dt.timedelta(hours=1)) == "60 minutes"
    assert users.wait_text(dt.timedelta(hours=3)) == "3 heures"
