"""Permanences: planning roles, signing households up, rosters, gaps, participation, calendars."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from coopfood.calendar_export import export_calendar, household_calendar, point_calendar
from coopfood.domain.enums import CycleState
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Shift,
)
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError
from coopfood.services.shifts import (
    DEFAULT_EXPECTED,
    RoleNeed,
    apply_default_roles,
    default_roles,
    expected_per_season,
    gaps,
    participation,
    point_shifts,
    roster,
    save_default_roles,
    season_of,
    set_expected_per_season,
    set_roles,
    sign_up,
    withdraw,
)

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def co_op(db: Database) -> dict[str, int]:
    """Two points (Thursday 17:00–19:00 and Friday), a past and a coming distribution."""
    with db.transaction() as s:
        s.add(Coop(name="AMAP & Cie ; « test »"))
        north = DistributionPoint(name="Croix-Rousse", address="8 place de la Croix-Rousse",
                                  postal_code="69004", city="Lyon", weekday=3,
                                  start_time=dt.time(17), end_time=dt.time(19))
        south = DistributionPoint(name="Écully", city="Écully", weekday=3,
                                  start_time=dt.time(18), end_time=dt.time(20))
        s.add_all([north, south])
        s.flush()
        members = [Member(last_name=last, first_name=first, point_id=point.id,
                          payment_reference=f"R{n}")
                   for n, (last, first, point) in enumerate([
                       ("Dupont", "Marie", north), ("Éluard", "Anna", north),
                       ("Roux", "Bruno", north), ("Martin", "Zoé 🥕", south)])]
        s.add_all(members)
        past = Cycle(distribution_date=dt.date(2026, 10, 22), state=CycleState.DISTRIBUTED)
        coming = Cycle(distribution_date=dt.date(2026, 12, 3), state=CycleState.OPEN)
        s.add_all([past, coming])
        s.flush()
        for cycle in (past, coming):
            s.add_all([CyclePoint(cycle_id=cycle.id, point_id=north.id),
                       CyclePoint(cycle_id=cycle.id, point_id=south.id)])
        return {"north": north.id, "south": south.id, "past": past.id, "coming": coming.id,
                "dupont": members[0].id, "eluard": members[1].id, "roux": members[2].id,
                "martin": members[3].id}


def _slots(db: Database, cycle_id: int, point_id: int, role: str | None = None) -> list[int]:
    entry = point_shifts(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, point_id=point_id)
    return [s.shift_id for s in entry.slots if role is None or s.role == role]


def test_default_template_applies_two_three_one(db: Database, co_op: dict[str, int]) -> None:
    assert default_roles(db=db, actor=LOCAL_ADMIN) == (
        RoleNeed("Installation", 2), RoleNeed("Distribution", 3), RoleNeed("Caisse", 1))
    assert apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"]) == 12
    entry = point_shifts(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"],
                         point_id=co_op["north"])
    assert entry.roles() == (RoleNeed("Installation", 2), RoleNeed("Distribution", 3),
                             RoleNeed("Caisse", 1))
    assert entry.open_count == 6
    # Applying it again adds nothing.
    assert apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"]) == 0


def test_the_co_op_changes_its_template(db: Database, co_op: dict[str, int]) -> None:
    save_default_roles(db=db, actor=LOCAL_ADMIN, roles={"Accueil": 1, "Caisse": 2})
    assert default_roles(db=db, actor=LOCAL_ADMIN) == (RoleNeed("Accueil", 1),
                                                       RoleNeed("Caisse", 2))
    assert apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"],
                               point_ids=[co_op["south"]]) == 3
    with pytest.raises(ValidationError, match="deux fois"):
        save_default_roles(db=db, actor=LOCAL_ADMIN, roles={"Caisse": 1, " caisse ": 2})
    coordinator = Actor("Coord", Role.COORDINATOR, point_ids=frozenset({co_op["north"]}))
    with pytest.raises(PermissionDenied):
        save_default_roles(db=db, actor=coordinator, roles={"Caisse": 1})


def test_set_roles_adds_and_removes_empty_places(db: Database, co_op: dict[str, int]) -> None:
    cycle, point = co_op["coming"], co_op["north"]
    entry = set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
                      counts={"Installation": 2, "Caisse": 1})
    assert entry.roles() == (RoleNeed("Installation", 2), RoleNeed("Caisse", 1))
    entry = set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
                      counts={"Installation": 1, "Caisse": 1, "Distribution": 3})
    assert entry.roles() == (RoleNeed("Installation", 1), RoleNeed("Caisse", 1),
                             RoleNeed("Distribution", 3))
    # A role left out goes down to nothing.
    entry = set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
                      counts={"Caisse": 1})
    assert entry.roles() == (RoleNeed("Caisse", 1),)


def test_a_taken_place_is_never_removed_silently(db: Database, co_op: dict[str, int]) -> None:
    cycle, point = co_op["coming"], co_op["north"]
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
              counts={"Distribution": 3})
    first, second, _third = _slots(db, cycle, point)
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=first, member_id=co_op["dupont"])
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=second, member_id=co_op["eluard"])
    # Down to 2: the empty place goes.
    entry = set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
                      counts={"Distribution": 2})
    assert [s.member_name for s in entry.slots] == ["DUPONT Marie", "ÉLUARD Anna"]
    with pytest.raises(ValidationError) as refused:
        set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point,
                  counts={"Distribution": 1})
    assert str(refused.value) == (
        "« Distribution » : 2 foyers y sont inscrits, il ne peut y avoir moins de 2 places ; "
        "désinscrivez-en d'abord.")
    withdraw(db=db, actor=LOCAL_ADMIN, shift_id=second)
    with pytest.raises(ValidationError, match="1 foyer y est inscrit"):
        set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=point, counts={})
    # Nothing changed by the refusals.
    assert len(_slots(db, cycle, point)) == 2


def test_a_household_takes_one_place_per_distribution_and_point(
        db: Database, co_op: dict[str, int]) -> None:
    cycle, point = co_op["coming"], co_op["north"]
    apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle)
    caisse = _slots(db, cycle, point, "Caisse")[0]
    setup = _slots(db, cycle, point, "Installation")[0]
    entry = sign_up(db=db, actor=LOCAL_ADMIN, shift_id=caisse, member_id=co_op["dupont"])
    assert [(s.role, s.member_name) for s in entry.slots if s.filled] == [
        ("Caisse", "DUPONT Marie")]
    with pytest.raises(ValidationError) as refused:
        sign_up(db=db, actor=LOCAL_ADMIN, shift_id=setup, member_id=co_op["dupont"])
    assert str(refused.value) == (
        "DUPONT Marie tient déjà une permanence (« Caisse ») le 3 décembre 2026 à "
        "« Croix-Rousse » : un foyer ne prend qu'une place par distribution.")
    with pytest.raises(ValidationError, match="déjà prise par DUPONT Marie"):
        sign_up(db=db, actor=LOCAL_ADMIN, shift_id=caisse, member_id=co_op["roux"])
    # Another point of the same distribution, or another distribution, is fine.
    other = _slots(db, cycle, co_op["south"], "Caisse")[0]
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=other, member_id=co_op["dupont"])
    # Withdrawn, the household may take another place.
    entry = withdraw(db=db, actor=LOCAL_ADMIN, shift_id=caisse)
    assert entry.filled_count == 0
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=setup, member_id=co_op["dupont"])


def test_a_coordinator_acts_on_its_own_points_only(db: Database, co_op: dict[str, int]) -> None:
    cycle = co_op["coming"]
    apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle)
    coordinator = Actor("Claire", Role.COORDINATOR, point_ids=frozenset({co_op["north"]}))
    treasurer = Actor("Trésorier", Role.TREASURER)
    south_place = _slots(db, cycle, co_op["south"])[0]
    north_place = _slots(db, cycle, co_op["north"])[0]
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        sign_up(db=db, actor=coordinator, shift_id=south_place, member_id=co_op["martin"])
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        set_roles(db=db, actor=coordinator, cycle_id=cycle, point_id=co_op["south"],
                  counts={"Caisse": 1})
    with pytest.raises(PermissionDenied, match="ne coordonne pas le point de MARTIN"):
        sign_up(db=db, actor=coordinator, shift_id=north_place, member_id=co_op["martin"])
    with pytest.raises(PermissionDenied):
        sign_up(db=db, actor=treasurer, shift_id=north_place, member_id=co_op["dupont"])
    sign_up(db=db, actor=coordinator, shift_id=north_place, member_id=co_op["dupont"])
    # Its roster and gaps show its points only.
    rows = roster(db=db, actor=coordinator, date_from=TODAY, date_to=TODAY.replace(month=12,
                                                                                 day=31))
    assert {e.point_id for e in rows.entries} == {co_op["north"]}
    assert {g.point_id for g in gaps(db=db, actor=coordinator, today=TODAY)} == {co_op["north"]}
    seen = participation(db=db, actor=coordinator, season_start=dt.date(2026, 9, 1),
                         season_end=dt.date(2027, 8, 31))
    assert {r.name for r in seen.rows} == {"DUPONT Marie", "ÉLUARD Anna", "ROUX Bruno"}


def test_roster_lists_names_or_open_places(db: Database, co_op: dict[str, int]) -> None:
    apply_default_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"])
    place = _slots(db, co_op["coming"], co_op["north"], "Caisse")[0]
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=place, member_id=co_op["roux"])
    rows = roster(db=db, actor=LOCAL_ADMIN, date_from=dt.date(2026, 10, 1),
                  date_to=dt.date(2026, 12, 31))
    assert [(e.date, e.point) for e in rows.entries] == [
        (dt.date(2026, 10, 22), "Croix-Rousse"), (dt.date(2026, 10, 22), "Écully"),
        (dt.date(2026, 12, 3), "Croix-Rousse"), (dt.date(2026, 12, 3), "Écully")]
    assert rows.entries[0].slots == ()
    coming = rows.entries[2]
    assert [(role, [s.member_name for s in slots]) for role, slots in coming.by_role()] == [
        ("Installation", [None, None]), ("Distribution", [None, None, None]),
        ("Caisse", ["ROUX Bruno"])]
    assert rows.open_count == 11
    with pytest.raises(ValidationError, match="précède"):
        roster(db=db, actor=LOCAL_ADMIN, date_from=dt.date(2026, 12, 1),
               date_to=dt.date(2026, 11, 1))


def test_gaps_of_the_coming_weeks(db: Database, co_op: dict[str, int]) -> None:
    found = gaps(db=db, actor=LOCAL_ADMIN, today=TODAY)
    assert [(g.point, g.role, g.text) for g in found] == [
        ("Croix-Rousse", None, "aucune permanence prévue"),
        ("Écully", None, "aucune permanence prévue")]
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["north"],
              counts={"Caisse": 1, "Distribution": 2})
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["south"],
              counts={"Caisse": 1})
    place = _slots(db, co_op["coming"], co_op["south"])[0]
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=place, member_id=co_op["martin"])
    found = gaps(db=db, actor=LOCAL_ADMIN, today=TODAY)
    assert [(g.date, g.point, g.text) for g in found] == [
        (dt.date(2026, 12, 3), "Croix-Rousse", "Caisse : 1 place sur 1"),
        (dt.date(2026, 12, 3), "Croix-Rousse", "Distribution : 2 places sur 2")]
    # A week later the distribution is out of a one-week window.
    assert gaps(db=db, actor=LOCAL_ADMIN, today=dt.date(2026, 12, 4), weeks=1) == []


def test_participation_counts_done_and_coming_against_the_expectation(
        db: Database, co_op: dict[str, int]) -> None:
    for cycle in (co_op["past"], co_op["coming"]):
        set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=cycle, point_id=co_op["north"],
                  counts={"Caisse": 1, "Distribution": 1})
    past = _slots(db, co_op["past"], co_op["north"])
    coming = _slots(db, co_op["coming"], co_op["north"])
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=past[0], member_id=co_op["dupont"])
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=coming[0], member_id=co_op["dupont"])
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=past[1], member_id=co_op["eluard"])
    assert expected_per_season(db=db, actor=LOCAL_ADMIN) == DEFAULT_EXPECTED == 2
    season = season_of(TODAY)
    assert season == (dt.date(2026, 9, 1), dt.date(2027, 8, 31))
    result = participation(db=db, actor=LOCAL_ADMIN, season_start=season[0],
                           season_end=season[1])
    rows = {r.name: (r.done, r.upcoming, r.expected, r.missing, r.met) for r in result.rows}
    assert rows == {
        "DUPONT Marie": (1, 1, 2, 0, False),
        "ÉLUARD Anna": (1, 0, 2, 1, False),
        "ROUX Bruno": (0, 0, 2, 2, False),
        "MARTIN Zoé 🥕": (0, 0, 2, 2, False),
    }
    set_expected_per_season(db=db, actor=LOCAL_ADMIN, count=1)
    result = participation(db=db, actor=LOCAL_ADMIN, season_start=season[0],
                           season_end=season[1], point_id=co_op["north"])
    assert result.met_count == 2
    assert [r.name for r in result.rows] == ["DUPONT Marie", "ÉLUARD Anna", "ROUX Bruno"]
    with pytest.raises(ValidationError):
        set_expected_per_season(db=db, actor=LOCAL_ADMIN, count=-1)


def test_the_sign_in_sheet_data_names_the_volunteers(db: Database,
                                                      co_op: dict[str, int]) -> None:
    """The distribution-day documents read the volunteers from the same Shift rows."""
    from coopfood.documents.distribution import gather_distribution

    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["north"],
              counts={"Installation": 1, "Caisse": 1})
    place = _slots(db, co_op["coming"], co_op["north"], "Caisse")[0]
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=place, member_id=co_op["roux"])
    with db.reading() as session:
        distribution = gather_distribution(session, cycle_id=co_op["coming"])
    assert {(v.role, v.name) for v in distribution.volunteers[co_op["north"]]} == {
        ("Installation", None), ("Caisse", "ROUX Bruno")}


# --- calendars ---------------------------------------------------------------------------------


def test_household_calendar_holds_its_distributions_and_its_shifts(
        db: Database, co_op: dict[str, int]) -> None:
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["north"],
              counts={"Caisse": 1})
    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["south"],
              counts={"Accueil": 1})
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=_slots(db, co_op["coming"], co_op["north"])[0],
            member_id=co_op["dupont"])
    sign_up(db=db, actor=LOCAL_ADMIN, shift_id=_slots(db, co_op["coming"], co_op["south"])[0],
            member_id=co_op["roux"])
    made = household_calendar(db=db, actor=LOCAL_ADMIN, member_id=co_op["roux"])
    events = Calendar.from_ical(made.content).walk("VEVENT")
    assert [(str(e["summary"]), e.decoded("dtstart").astimezone(dt.UTC)) for e in events] == [
        ("Distribution — Croix-Rousse", dt.datetime(2026, 10, 22, 15, tzinfo=dt.UTC)),
        ("Distribution — Croix-Rousse", dt.datetime(2026, 12, 3, 16, tzinfo=dt.UTC)),
        ("Permanence « Accueil » — Écully", dt.datetime(2026, 12, 3, 17, tzinfo=dt.UTC)),
    ]
    assert str(events[0]["location"]) == "8 place de la Croix-Rousse, 69004 Lyon"
    # On duty at its own point: one event says both.
    mine = Calendar.from_ical(household_calendar(
        db=db, actor=LOCAL_ADMIN, member_id=co_op["dupont"]).content).walk("VEVENT")
    assert [str(e["summary"]) for e in mine] == [
        "Distribution — Croix-Rousse", "Permanence « Caisse » et distribution — Croix-Rousse"]
    assert made.name == "AMAP & Cie ; « test » — ROUX Bruno"


def test_point_calendar_lists_shifts_and_keeps_uids(db: Database, co_op: dict[str, int],
                                                     tmp_path: object) -> None:
    from pathlib import Path

    set_roles(db=db, actor=LOCAL_ADMIN, cycle_id=co_op["coming"], point_id=co_op["south"],
              counts={"Caisse": 1, "Distribution": 2})
    sign_up(db=db, actor=LOCAL_ADMIN,
            shift_id=_slots(db, co_op["coming"], co_op["south"], "Caisse")[0],
            member_id=co_op["martin"])
    path = Path(str(tmp_path)) / "ecully.ics"
    written = export_calendar(db=db, actor=LOCAL_ADMIN, path=path, point_id=co_op["south"])
    assert written.events == 2
    events = Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert str(events[1]["description"]).splitlines()[1:] == [
        "Permanences :", "– Caisse : MARTIN Zoé 🥕", "– Distribution : à pourvoir, à pourvoir"]
    assert events[1].decoded("dtstart").astimezone(dt.UTC) == dt.datetime(
        2026, 12, 3, 17, tzinfo=dt.UTC)
    again = Calendar.from_ical(point_calendar(db=db, actor=LOCAL_ADMIN,
                                              point_id=co_op["south"]).content)
    assert [str(e["uid"]) for e in again.walk("VEVENT")] == [str(e["uid"]) for e in events]
    coordinator = Actor("Claire", Role.COORDINATOR, point_ids=frozenset({co_op["north"]}))
    with pytest.raises(PermissionDenied):
        point_calendar(db=db, actor=coordinator, point_id=co_op["south"])


def test_demo_point_calendar_across_the_change_of_time(demo_db: Database) -> None:
    """Croix-Rousse opens at 17:30: 15:30 UTC on 22 October, 16:30 UTC on 5 November."""
    with demo_db.reading() as session:
        point_id = session.scalar(select(DistributionPoint.id)
                                  .where(DistributionPoint.start_time == dt.time(17, 30)))
        shifts = session.scalar(select(func.count(Shift.id)))
    assert point_id is not None and shifts
    calendar = Calendar.from_ical(point_calendar(db=demo_db, actor=LOCAL_ADMIN,
                                                 point_id=point_id).content)
    starts = {e.decoded("dtstart").date(): e.decoded("dtstart").astimezone(dt.UTC).time()
              for e in calendar.walk("VEVENT")}
    assert starts[dt.date(2026, 10, 22)] == dt.time(15, 30)
    assert starts[dt.date(2026, 11, 5)] == dt.time(16, 30)
