"""Permanences: the volunteer roles of each distribution, who holds them, who is missing.

A `Shift` row is one place to fill: a role at a distribution and a point
(three rows « Distribution » when three people are needed), with the
household that took it, or none yet. The roles a point needs are set per
distribution and point (`set_roles`), or taken from the co-op's default
template (`apply_default_roles`), kept in the `Setting` table as JSON
(« Installation » 2, « Distribution » 3, « Caisse » 1 until the co-op
changes it). Removing a place that a household took is refused, never done
silently: the household is withdrawn first, by someone who tells them.

A household holds at most one place per distribution and point. A
coordinator plans and fills the places of its own points only, and sees
the participation of the households of its points.

Participation over a season counts the places held at distributions that
took place (distributed or invoiced) against the co-op's expectation
(`Setting` « shifts.expected_per_season », 2 by default); places taken at
distributions still to come are counted apart, as « à venir ».
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState
from coopfood.i18n import _, format_date, ngettext, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Setting,
    Shift,
    household_name,
)
from coopfood.services import (
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
    audit,
)
from coopfood.services.access import require, require_point

#: Who plans and fills places: a coordinator at its own points only.
SHIFT_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Who reads the rosters and the participation.
SHIFT_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})
#: Who changes the co-op's template and expectation.
SETTINGS_EDITORS = frozenset({Role.ADMIN})

ROLES_SETTING = "shifts.default_roles"
EXPECTED_SETTING = "shifts.expected_per_season"
DEFAULT_ROLES: tuple[tuple[str, int], ...] = (
    ("Installation", 2), ("Distribution", 3), ("Caisse", 1))
DEFAULT_EXPECTED = 2
#: More places than this for one role at one point is a typing slip.
MAX_PLACES = 30
ROLE_MAX_LENGTH = 100

#: Distributions that took place: the places held there count as done.
DONE_STATES = frozenset({CycleState.DISTRIBUTED, CycleState.INVOICED})


# --- what the services return ---------------------------------------------------------------


@dataclass(frozen=True)
class RoleNeed:
    """A role and how many people it needs."""

    role: str
    count: int


@dataclass(frozen=True)
class Slot:
    """One place of a role; `member_id` None: « à pourvoir »."""

    shift_id: int
    role: str
    member_id: int | None
    member_name: str | None

    @property
    def filled(self) -> bool:
        return self.member_id is not None


@dataclass(frozen=True)
class PointShifts:
    """The places of one distribution at one point, grouped by role in the order planned."""

    cycle_id: int
    date: dt.date
    state: CycleState
    point_id: int
    point: str
    address: str
    postal_code: str
    city: str
    start_time: dt.time
    end_time: dt.time
    slots: tuple[Slot, ...]

    @property
    def open_count(self) -> int:
        return sum(1 for s in self.slots if not s.filled)

    @property
    def filled_count(self) -> int:
        return sum(1 for s in self.slots if s.filled)

    def roles(self) -> tuple[RoleNeed, ...]:
        """Each role with its number of places, in the order planned."""
        counts: dict[str, int] = {}
        for slot in self.slots:
            counts[slot.role] = counts.get(slot.role, 0) + 1
        return tuple(RoleNeed(role, n) for role, n in counts.items())

    def by_role(self) -> tuple[tuple[str, tuple[Slot, ...]], ...]:
        grouped: dict[str, list[Slot]] = {}
        for slot in self.slots:
            grouped.setdefault(slot.role, []).append(slot)
        return tuple((role, tuple(slots)) for role, slots in grouped.items())

    @property
    def full_address(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.address, place) if p)


@dataclass(frozen=True)
class Roster:
    """The places of every distribution and point of a period, by date then point."""

    coop_name: str
    date_from: dt.date
    date_to: dt.date
    entries: tuple[PointShifts, ...]

    @property
    def open_count(self) -> int:
        """Places still to fill, at distributions that have not taken place yet."""
        return sum(e.open_count for e in self.entries if e.state not in DONE_STATES)


@dataclass(frozen=True)
class Gap:
    """A role not filled at a distribution to come; `role` None: no place planned at all."""

    cycle_id: int
    date: dt.date
    point_id: int
    point: str
    role: str | None
    #: Places still to fill, out of `needed`.
    missing: int
    needed: int

    @property
    def text(self) -> str:
        """« Caisse : 1 place sur 1 », « aucune permanence prévue »."""
        if self.role is None:
            return _("aucune permanence prévue")
        return ngettext("{role} : {n} place sur {needed}", "{role} : {n} places sur {needed}",
                        self.missing).format(role=self.role, n=self.missing, needed=self.needed)


@dataclass(frozen=True)
class ParticipationRow:
    member_id: int
    name: str
    point_id: int | None
    point: str
    #: Places held at distributions of the season that took place.
    done: int
    #: Places taken at distributions of the season still to come.
    upcoming: int
    expected: int

    @property
    def missing(self) -> int:
        """What the household still owes the co-op once its places to come are done."""
        return max(0, self.expected - self.done - self.upcoming)

    @property
    def met(self) -> bool:
        return self.done >= self.expected


@dataclass(frozen=True)
class Participation:
    season_start: dt.date
    season_end: dt.date
    expected: int
    rows: tuple[ParticipationRow, ...]

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.rows if r.met)


# --- settings: the default roles and the expectation -----------------------------------------


def _setting(session: Session, key: str) -> str | None:
    return session.scalar(select(Setting.value).where(Setting.key == key))


def _write_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def _parse_roles(raw: str | None) -> tuple[RoleNeed, ...]:
    """The stored template; a missing or unreadable one is the built-in default."""
    if raw:
        try:
            data = json.loads(raw)
            roles = tuple(RoleNeed(str(item["role"]), int(item["count"])) for item in data)
            if all(r.role.strip() and 0 <= r.count <= MAX_PLACES for r in roles):
                return roles
        except (ValueError, TypeError, KeyError):
            pass
    return tuple(RoleNeed(role, count) for role, count in DEFAULT_ROLES)


def default_roles(*, db: Database, actor: Actor) -> tuple[RoleNeed, ...]:
    """The roles each distribution and point needs unless told otherwise."""
    require(actor, SHIFT_READERS, _("consulter les permanences"))
    with db.reading() as session:
        return _parse_roles(_setting(session, ROLES_SETTING))


def checked_roles(counts: Mapping[str, int] | Sequence[RoleNeed]) -> tuple[RoleNeed, ...]:
    """Role names trimmed and distinct (case and accents aside), counts 0 to MAX_PLACES."""
    items = (list(counts.items()) if isinstance(counts, Mapping)
             else [(r.role, r.count) for r in counts])
    seen: dict[str, str] = {}
    result = []
    for raw_role, count in items:
        role = " ".join(str(raw_role).split())
        if not role:
            raise ValidationError(_("Un rôle doit avoir un nom."), field="role")
        if len(role) > ROLE_MAX_LENGTH:
            raise ValidationError(_("Le nom du rôle « {role}… » est trop long ({max} caractères "
                                    "au plus).").format(role=role[:30], max=ROLE_MAX_LENGTH),
                                  field="role")
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_PLACES:
            raise ValidationError(_("Rôle « {role} » : le nombre de places doit être un nombre "
                                    "entier de 0 à {max}.").format(role=role, max=MAX_PLACES),
                                  field="count")
        key = sort_key(role)
        if key in seen:
            raise ValidationError(_("Le rôle « {role} » est donné deux fois.").format(
                role=role), field="role")
        seen[key] = role
        result.append(RoleNeed(role, count))
    return tuple(result)


def save_default_roles(*, db: Database, actor: Actor,
                       roles: Mapping[str, int] | Sequence[RoleNeed]) -> tuple[RoleNeed, ...]:
    require(actor, SETTINGS_EDITORS, _("changer les rôles des permanences de la coopérative"))
    checked = checked_roles(roles)
    with db.transaction() as session:
        _write_setting(session, ROLES_SETTING, json.dumps(
            [{"role": r.role, "count": r.count} for r in checked], ensure_ascii=False))
    return checked


def _expected(session: Session) -> int:
    raw = _setting(session, EXPECTED_SETTING)
    try:
        value = int(raw) if raw is not None else DEFAULT_EXPECTED
    except ValueError:
        return DEFAULT_EXPECTED
    return value if value >= 0 else DEFAULT_EXPECTED


def expected_per_season(*, db: Database, actor: Actor) -> int:
    """How many places the co-op expects of each household per season."""
    require(actor, SHIFT_READERS, _("consulter les permanences"))
    with db.reading() as session:
        return _expected(session)


def set_expected_per_season(*, db: Database, actor: Actor, count: int) -> int:
    require(actor, SETTINGS_EDITORS, _("changer le nombre de permanences attendues"))
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= 100:
        raise ValidationError(_("Le nombre de permanences attendues par saison doit être un "
                                "nombre entier de 0 à 100."), field="expected")
    with db.transaction() as session:
        _write_setting(session, EXPECTED_SETTING, str(count))
    return count


# --- reading the places ----------------------------------------------------------------------


def _cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(_("La distribution n° {id} n'existe pas.").format(id=cycle_id))
    return cycle


def _cycle_point(session: Session, cycle: Cycle, point_id: int) -> DistributionPoint:
    point = session.get(DistributionPoint, point_id)
    if point is None:
        raise NotFound(_("Le point de distribution n° {id} n'existe pas.").format(id=point_id))
    if session.get(CyclePoint, (cycle.id, point_id)) is None:
        raise ValidationError(
            _("« {point} » ne fait pas partie de la distribution du {date}.").format(
                point=point.name, date=format_date(cycle.distribution_date)), field="point_id")
    return point


def gather_point_shifts(session: Session, pairs: Sequence[tuple[int, int]] | None = None,
                        *, date_from: dt.date | None = None, date_to: dt.date | None = None,
            point_ids: Sequence[int] | None = None) -> list[PointShifts]:
    """The places of the (cycle, point) pairs asked, or of every distribution and point
    in the dates, sorted by date then point name."""
    query = (
        select(Cycle.id, Cycle.distribution_date, Cycle.state, DistributionPoint.id,
               DistributionPoint.name, DistributionPoint.address, DistributionPoint.postal_code,
               DistributionPoint.city, DistributionPoint.start_time, DistributionPoint.end_time)
        .join(CyclePoint, CyclePoint.cycle_id == Cycle.id)
        .join(DistributionPoint, DistributionPoint.id == CyclePoint.point_id)
    )
    if pairs is not None:
        cycle_ids = sorted({c for c, _p in pairs})
        query = query.where(Cycle.id.in_(cycle_ids))
    if date_from is not None:
        query = query.where(Cycle.distribution_date >= date_from)
    if date_to is not None:
        query = query.where(Cycle.distribution_date <= date_to)
    if point_ids is not None:
        query = query.where(DistributionPoint.id.in_(list(point_ids)))
    wanted = set(pairs) if pairs is not None else None
    heads = [row for row in session.execute(query)
             if wanted is None or (row[0], row[3]) in wanted]
    if not heads:
        return []
    cycle_ids = sorted({row[0] for row in heads})
    slots: dict[tuple[int, int], list[tuple[int, str, int | None, str | None]]] = {}
    for shift_id, cycle_id, point_id, role, member_id, last, first in session.execute(
        select(Shift.id, Shift.cycle_id, Shift.point_id, Shift.role, Shift.member_id,
               Member.last_name, Member.first_name)
        .outerjoin(Member, Member.id == Shift.member_id)
        .where(Shift.cycle_id.in_(cycle_ids))
        .order_by(Shift.id)
    ):
        name = household_name(last, first) if last is not None else None
        slots.setdefault((cycle_id, point_id), []).append((shift_id, role, member_id, name))
    entries = []
    for (cycle_id, date, state, point_id, point, address, postal_code, city, start,
         end) in heads:
        entries.append(PointShifts(
            cycle_id=cycle_id, date=date, state=state, point_id=point_id, point=point,
            address=address, postal_code=postal_code, city=city, start_time=start,
            end_time=end, slots=_ordered(slots.get((cycle_id, point_id), []))))
    entries.sort(key=lambda e: (e.date, sort_key(e.point), e.point_id))
    return entries


def _ordered(rows: list[tuple[int, str, int | None, str | None]]) -> tuple[Slot, ...]:
    """Roles in the order they were planned (first place made first); within a role the
    households who took a place, alphabetical, then the places to fill."""
    first_seen: dict[str, int] = {}
    for shift_id, role, _m, _n in rows:
        first_seen.setdefault(role, shift_id)
    return tuple(Slot(shift_id, role, member_id, name) for shift_id, role, member_id, name in
                 sorted(rows, key=lambda r: (first_seen[r[1]], r[2] is None,
                                             sort_key(r[3] or ""), r[0])))


def _one(session: Session, cycle_id: int, point_id: int) -> PointShifts:
    cycle = _cycle(session, cycle_id)
    _cycle_point(session, cycle, point_id)
    [entry] = gather_point_shifts(session, [(cycle_id, point_id)])
    return entry


def point_shifts(*, db: Database, actor: Actor, cycle_id: int, point_id: int) -> PointShifts:
    """The places of a distribution at a point, and who holds them."""
    require(actor, SHIFT_READERS, _("consulter les permanences"))
    require_point(actor, point_id, _("consulter les permanences de ce point"))
    with db.reading() as session:
        return _one(session, cycle_id, point_id)


def roster(*, db: Database, actor: Actor, date_from: dt.date, date_to: dt.date,
           point_id: int | None = None) -> Roster:
    """Every distribution and point between two dates (included) with its places: the
    names of those who hold them, or none (« à pourvoir »). A coordinator gets its points."""
    require(actor, SHIFT_READERS, _("consulter les permanences"))
    if date_to < date_from:
        raise ValidationError(_("La date de fin ({end}) précède la date de début ({start}).")
                              .format(end=format_date(date_to), start=format_date(date_from)),
                              field="date_to")
    points: list[int] | None = None
    if point_id is not None:
        require_point(actor, point_id, _("consulter les permanences de ce point"))
        points = [point_id]
    elif actor.role is Role.COORDINATOR:
        points = sorted(actor.point_ids)
    with db.reading() as session:
        if point_id is not None and session.get(DistributionPoint, point_id) is None:
            raise NotFound(_("Le point de distribution n° {id} n'existe pas.").format(
                id=point_id))
        coop_name = session.scalar(select(Coop.name).order_by(Coop.id).limit(1)) or ""
        entries = gather_point_shifts(session, date_from=date_from, date_to=date_to,
                                      point_ids=points)
    return Roster(coop_name=coop_name, date_from=date_from, date_to=date_to,
                  entries=tuple(entries))


@dataclass(frozen=True)
class PrintedRoster:
    path: Path
    pages: int
    entries: int
    open_places: int


def roster_file_name(date_from: dt.date, date_to: dt.date, point: str | None = None) -> str:
    """« planning-permanences-2026-12-01-2026-12-31[-croix-rousse].pdf »"""
    from coopfood.documents.common import slug

    name = f"planning-permanences-{date_from.isoformat()}-{date_to.isoformat()}"
    if point:
        name += f"-{slug(point)}" if slug(point) else ""
    return f"{name}.pdf"


def write_roster(*, db: Database, actor: Actor, date_from: dt.date, date_to: dt.date,
                 path: Path, point_id: int | None = None,
                 printed_at: dt.datetime | None = None) -> PrintedRoster:
    """Write the roster PDF of a period to `path` (replaced whole, or left as it was)."""
    from coopfood.documents.common import Stamp
    from coopfood.documents.roster import draw_roster
    from coopfood.exports import _write_atomically

    data = roster(db=db, actor=actor, date_from=date_from, date_to=date_to,
                  point_id=point_id)
    if not path.parent.exists():
        raise ServiceError(_("Le dossier « {folder} » n'existe pas.").format(folder=path.parent))
    buffer = io.BytesIO()
    stats = draw_roster(data, buffer, Stamp(
        data.coop_name, printed_at or dt.datetime.now().replace(microsecond=0)))
    _write_atomically(path, buffer.getvalue())
    return PrintedRoster(path=path, pages=stats.pages, entries=len(data.entries),
                         open_places=data.open_count)


def print_roster(*, db: Database, actor: Actor, date_from: dt.date, date_to: dt.date,
                 out_dir: Path, point_id: int | None = None,
                 printed_at: dt.datetime | None = None) -> PrintedRoster:
    """Write the roster PDF of a period into `out_dir`, named by `roster_file_name`."""
    point = None
    if point_id is not None:
        with db.reading() as session:
            found = session.get(DistributionPoint, point_id)
            point = found.name if found is not None else None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error)) from error
    return write_roster(db=db, actor=actor, date_from=date_from, date_to=date_to,
                        path=out_dir / roster_file_name(date_from, date_to, point),
                        point_id=point_id, printed_at=printed_at)


def gaps(*, db: Database, actor: Actor, today: dt.date | None = None,
         weeks: int = 4) -> list[Gap]:
    """The places still to fill at the distributions of the coming weeks (from today,
    for `weeks` weeks), distributions that took place left aside; per role."""
    require(actor, SHIFT_READERS, _("consulter les permanences"))
    start = today or dt.date.today()
    end = start + dt.timedelta(days=7 * weeks - 1)
    points = sorted(actor.point_ids) if actor.role is Role.COORDINATOR else None
    with db.reading() as session:
        entries = gather_point_shifts(session, date_from=start, date_to=end, point_ids=points)
    result = []
    for entry in entries:
        if entry.state in DONE_STATES:
            continue
        if not entry.slots:
            result.append(Gap(entry.cycle_id, entry.date, entry.point_id, entry.point, None,
                              0, 0))
            continue
        for role, slots in entry.by_role():
            missing = sum(1 for s in slots if not s.filled)
            if missing:
                result.append(Gap(entry.cycle_id, entry.date, entry.point_id, entry.point, role,
                                  missing, len(slots)))
    return result


# --- planning the places ---------------------------------------------------------------------


def _lock_places(session: Session, cycle_id: int, point_id: int) -> list[Shift]:
    """The places of a distribution at a point, locked on PostgreSQL so that two people
    filling them at once take turns (on SQLite writers already do)."""
    query = (select(Shift).where(Shift.cycle_id == cycle_id, Shift.point_id == point_id)
             .order_by(Shift.id))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return list(session.scalars(query.execution_options(populate_existing=True)))


def _plan(session: Session, actor: Actor, cycle: Cycle, point: DistributionPoint,
          roles: tuple[RoleNeed, ...], *, only_add: bool) -> int:
    """Make the places match `roles`: add empty places, remove empty ones; never a taken
    one. With `only_add`, roles are only added to (the template applied again)."""
    places = _lock_places(session, cycle.id, point.id)
    current: dict[str, list[Shift]] = {}
    for place in places:
        current.setdefault(place.role, []).append(place)
    wanted = {r.role: r.count for r in roles}
    if not only_add:
        for role in current:
            wanted.setdefault(role, 0)
    changed = 0
    refusals = []
    removals: list[Shift] = []
    for role, count in wanted.items():
        have = current.get(role, [])
        if count > len(have):
            for _n in range(count - len(have)):
                session.add(Shift(cycle_id=cycle.id, point_id=point.id, role=role,
                                  member_id=None))
                changed += 1
        elif count < len(have) and not only_add:
            empty = [p for p in have if p.member_id is None]
            taken = len(have) - len(empty)
            if taken > count:
                refusals.append(ngettext(
                    "« {role} » : {n} foyer y est inscrit, il ne peut y avoir moins de {n} "
                    "place ; désinscrivez-le d'abord.",
                    "« {role} » : {n} foyers y sont inscrits, il ne peut y avoir moins de {n} "
                    "places ; désinscrivez-en d'abord.", taken).format(role=role, n=taken))
                continue
            removals.extend(sorted(empty, key=lambda p: -p.id)[:len(have) - count])
    if refusals:
        raise ValidationError(" ".join(refusals), field="count")
    for place in removals:
        session.delete(place)
        changed += 1
    if changed:
        audit.record(session, actor=actor, entity="shift", entity_id=None, action="plan",
                     summary=_("Permanences du {date} à « {point} » : {roles}").format(
                         date=format_date(cycle.distribution_date), point=point.name,
                         roles=", ".join(f"{r} × {n}" for r, n in wanted.items())),
                     cycle_id=cycle.id, point_id=point.id)
    session.flush()
    return changed


def set_roles(*, db: Database, actor: Actor, cycle_id: int, point_id: int,
              counts: Mapping[str, int] | Sequence[RoleNeed]) -> PointShifts:
    """Set how many places each role has at a distribution and point.

    `counts` is the whole plan: a role it does not name goes down to 0 places.
    Empty places are added or removed; a place a household took is never
    removed: asking for fewer places than households signed up is refused.
    """
    require(actor, SHIFT_EDITORS, _("organiser les permanences"))
    require_point(actor, point_id, _("organiser les permanences de ce point"))
    roles = checked_roles(counts)
    with db.transaction() as session:
        cycle = _cycle(session, cycle_id)
        point = _cycle_point(session, cycle, point_id)
        _plan(session, actor, cycle, point, roles, only_add=False)
        return _one(session, cycle_id, point_id)


def apply_default_roles(*, db: Database, actor: Actor, cycle_id: int,
                        point_ids: Sequence[int] | None = None) -> int:
    """Give each point of a distribution (or those named) the roles of the co-op's
    template, adding the places missing and keeping the rest; the number added."""
    require(actor, SHIFT_EDITORS, _("organiser les permanences"))
    with db.transaction() as session:
        cycle = _cycle(session, cycle_id)
        if point_ids is None:
            wanted = list(session.scalars(select(CyclePoint.point_id)
                                          .where(CyclePoint.cycle_id == cycle_id)
                                          .order_by(CyclePoint.point_id)))
            if actor.role is Role.COORDINATOR:
                wanted = [p for p in wanted if p in actor.point_ids]
        else:
            wanted = sorted(set(point_ids))
        for point_id in wanted:
            require_point(actor, point_id, _("organiser les permanences de ce point"))
        template = _parse_roles(_setting(session, ROLES_SETTING))
        added = 0
        for point_id in wanted:
            point = _cycle_point(session, cycle, point_id)
            added += _plan(session, actor, cycle, point, template, only_add=True)
        return added


# --- filling them ----------------------------------------------------------------------------


def _place(session: Session, shift_id: int) -> Shift:
    place = session.get(Shift, shift_id)
    if place is None:
        raise NotFound(_("Cette place de permanence n'existe plus : rechargez la liste."))
    return place


def sign_up(*, db: Database, actor: Actor, shift_id: int, member_id: int) -> PointShifts:
    """Give a place to a household; one place per household at a distribution and point."""
    require(actor, SHIFT_EDITORS, _("inscrire un foyer à une permanence"))
    with db.transaction() as session:
        first = _place(session, shift_id)
        require_point(actor, first.point_id, _("inscrire un foyer aux permanences de ce point"))
        places = _lock_places(session, first.cycle_id, first.point_id)
        place = next((p for p in places if p.id == shift_id), None)
        if place is None:
            raise NotFound(_("Cette place de permanence n'existe plus : rechargez la liste."))
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("Le foyer n° {id} n'existe pas.").format(id=member_id))
        name = household_name(member.last_name, member.first_name)
        if member.archived_at is not None:
            raise ValidationError(_("{name} est archivé : il ne peut plus prendre de "
                                    "permanence.").format(name=name), field="member_id")
        if actor.role is Role.COORDINATOR and member.point_id not in actor.point_ids:
            raise PermissionDenied(_("{who} ne coordonne pas le point de {name}.").format(
                who=actor.name, name=name))
        if place.member_id == member_id:
            return _one(session, place.cycle_id, place.point_id)
        if place.member_id is not None:
            holder = session.get(Member, place.member_id)
            held_by = household_name(holder.last_name, holder.first_name) if holder else "?"
            raise ValidationError(_("Cette place « {role} » est déjà prise par {name} : "
                                    "choisissez une place à pourvoir.").format(
                                        role=place.role, name=held_by), field="shift_id")
        other = next((p for p in places if p.member_id == member_id), None)
        cycle = _cycle(session, place.cycle_id)
        point = session.get(DistributionPoint, place.point_id)
        point_name = point.name if point is not None else ""
        if other is not None:
            raise ValidationError(
                _("{name} tient déjà une permanence (« {role} ») le {date} à « {point} » : "
                  "un foyer ne prend qu'une place par distribution.").format(
                      name=name, role=other.role, date=format_date(cycle.distribution_date),
                      point=point_name), field="member_id")
        place.member_id = member_id
        audit.record(session, actor=actor, entity="shift", entity_id=place.id,
                     action="sign_up", summary=_("{name} : permanence « {role} » du {date} à "
                                                 "« {point} »").format(
                         name=name, role=place.role, date=format_date(cycle.distribution_date),
                         point=point_name),
                     after={"member_id": member_id}, cycle_id=cycle.id, member_id=member_id,
                     point_id=place.point_id)
        session.flush()
        return _one(session, place.cycle_id, place.point_id)


def withdraw(*, db: Database, actor: Actor, shift_id: int) -> PointShifts:
    """Free a place: the household no longer holds it (the place stays, to fill)."""
    require(actor, SHIFT_EDITORS, _("désinscrire un foyer d'une permanence"))
    with db.transaction() as session:
        first = _place(session, shift_id)
        require_point(actor, first.point_id,
                      _("désinscrire un foyer des permanences de ce point"))
        places = _lock_places(session, first.cycle_id, first.point_id)
        place = next((p for p in places if p.id == shift_id), None)
        if place is None:
            raise NotFound(_("Cette place de permanence n'existe plus : rechargez la liste."))
        if place.member_id is not None:
            member = session.get(Member, place.member_id)
            cycle = _cycle(session, place.cycle_id)
            name = household_name(member.last_name, member.first_name) if member else "?"
            audit.record(session, actor=actor, entity="shift", entity_id=place.id,
                         action="withdraw", summary=_("{name} n'est plus inscrit à la "
                                                      "permanence « {role} » du {date}").format(
                             name=name, role=place.role,
                             date=format_date(cycle.distribution_date)),
                         before={"member_id": place.member_id}, cycle_id=cycle.id,
                         member_id=place.member_id, point_id=place.point_id)
            place.member_id = None
            session.flush()
        return _one(session, place.cycle_id, place.point_id)


# --- participation ---------------------------------------------------------------------------


def participation(*, db: Database, actor: Actor, season_start: dt.date, season_end: dt.date,
                  point_id: int | None = None) -> Participation:
    """Per household, the places held over a season against the co-op's expectation.

    Done: places at distributions of the season that took place (distributed
    or invoiced); to come: places taken at the others. Archived households
    are left out; a coordinator sees the households of its points.
    """
    require(actor, SHIFT_READERS, _("consulter la participation aux permanences"))
    if season_end < season_start:
        raise ValidationError(_("La fin de la saison ({end}) précède son début ({start}).")
                              .format(end=format_date(season_end),
                                      start=format_date(season_start)), field="season_end")
    if point_id is not None:
        require_point(actor, point_id, _("consulter la participation de ce point"))
    with db.reading() as session:
        expected = _expected(session)
        members = (select(Member.id, Member.last_name, Member.first_name, Member.point_id,
                          DistributionPoint.name)
                   .outerjoin(DistributionPoint, DistributionPoint.id == Member.point_id)
                   .where(Member.archived_at.is_(None)))
        if point_id is not None:
            members = members.where(Member.point_id == point_id)
        elif actor.role is Role.COORDINATOR:
            members = members.where(Member.point_id.in_(sorted(actor.point_ids)))
        done_state = Cycle.state.in_(sorted(DONE_STATES))
        counts: dict[tuple[int | None, bool], int] = {
            (member_id, bool(done)): int(n) for member_id, done, n in session.execute(
                select(Shift.member_id, done_state, func.count(Shift.id))
                .join(Cycle, Cycle.id == Shift.cycle_id)
                .where(Shift.member_id.is_not(None),
                       Cycle.distribution_date.between(season_start, season_end))
                .group_by(Shift.member_id, done_state))}
        rows = [
            ParticipationRow(
                member_id=member_id, name=household_name(last, first), point_id=member_point,
                point=point or "", done=counts.get((member_id, True), 0),
                upcoming=counts.get((member_id, False), 0), expected=expected)
            for member_id, last, first, member_point, point in session.execute(members)
        ]
    rows.sort(key=lambda r: (sort_key(r.name), r.member_id))
    return Participation(season_start=season_start, season_end=season_end, expected=expected,
                         rows=tuple(rows))


def season_of(day: dt.date) -> tuple[dt.date, dt.date]:
    """The season a day falls in, as co-ops count it: September to August."""
    start_year = day.year if day.month >= 9 else day.year - 1
    return dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31)


__all__ = [
    "DEFAULT_EXPECTED",
    "DEFAULT_ROLES",
    "Gap",
    "Participation",
    "ParticipationRow",
    "PointShifts",
    "RoleNeed",
    "Roster",
    "Slot",
    "apply_default_roles",
    "default_roles",
    "expected_per_season",
    "gaps",
    "participation",
    "point_shifts",
    "print_roster",
    "roster",
    "roster_file_name",
    "save_default_roles",
    "season_of",
    "set_expected_per_season",
    "set_roles",
    "sign_up",
    "withdraw",
    "write_roster",
]
