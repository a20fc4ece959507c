"""Calendars (iCalendar, RFC 5545) that any calendar application opens.

Two calendars are made:

- a household's: each distribution at its point (time slot and address),
  and each permanence it holds — one event, « Permanence … et distribution »,
  when it is on duty at its own point, rather than two at the same hour;
- a point's: each distribution there, with its permanences in the
  description (who holds each place, or « à pourvoir »).

Times are local times of the distribution points, written with
TZID=Europe/Paris and the zone's VTIMEZONE (the EU rule: summer time from
the last Sunday of March to the last Sunday of October), so a calendar
shows 17:00 on either side of the change of time. Each event's UID is
stable (the same distribution gives the same UID in every export, so a
calendar importing a newer file updates its events instead of doubling
them); text is escaped by the icalendar library (`,`, `;`, `\\`, line
breaks) and folded at 75 octets, in UTF-8.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.i18n import _, format_date
from coopfood.persistence.db import Database
from coopfood.persistence.models import Coop, DistributionPoint, Member, Shift, household_name
from coopfood.services import Actor, NotFound, ServiceError
from coopfood.services.access import require, require_point
from coopfood.services.shifts import SHIFT_READERS, PointShifts, gather_point_shifts

TZID = "Europe/Paris"
PARIS = ZoneInfo(TZID)
PRODID = "-//coopfood//Distributions et permanences//FR"


@dataclass(frozen=True)
class CalendarEvent:
    """One event, in plain data: local start and end times at the point."""

    uid: str
    summary: str
    start: dt.datetime
    end: dt.datetime
    location: str = ""
    description: str = ""
    categories: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class CalendarFile:
    #: « AMAP des Coteaux — DUPONT Marie »
    name: str
    content: bytes
    events: int
    path: Path | None = None


# --- building the file ------------------------------------------------------------------------


def paris_timezone() -> Timezone:
    """The VTIMEZONE of Europe/Paris, by the EU rule in force since 1996."""
    zone = Timezone()
    zone.add("tzid", TZID)
    daylight = TimezoneDaylight()
    daylight.add("tzname", "CEST")
    daylight.add("dtstart", dt.datetime(1970, 3, 29, 2, 0))
    daylight.add("tzoffsetfrom", dt.timedelta(hours=1))
    daylight.add("tzoffsetto", dt.timedelta(hours=2))
    daylight.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1su"})
    standard = TimezoneStandard()
    standard.add("tzname", "CET")
    standard.add("dtstart", dt.datetime(1970, 10, 25, 3, 0))
    standard.add("tzoffsetfrom", dt.timedelta(hours=2))
    standard.add("tzoffsetto", dt.timedelta(hours=1))
    standard.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1su"})
    zone.add_component(daylight)
    zone.add_component(standard)
    return zone


def build_calendar(name: str, events: Sequence[CalendarEvent], *,
                   stamp: dt.datetime | None = None) -> bytes:
    """The .ics file of these events (local Paris times), as UTF-8 bytes with CRLF lines."""
    moment = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(paris_timezone())
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", moment)
        event.add("dtstart", item.start.replace(tzinfo=PARIS))
        event.add("dtend", item.end.replace(tzinfo=PARIS))
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.categories:
            event.add("categories", list(item.categories))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    return bytes(calendar.to_ical())


# --- the events of a household and of a point --------------------------------------------------


def _coop_key(coop_id: int, coop_name: str) -> str:
    """A short part of every UID naming the co-op: two co-ops' events never share one."""
    digest = hashlib.sha1(f"{coop_id}:{coop_name}".encode()).hexdigest()[:10]
    return f"{coop_id}-{digest}"


def _times(entry: PointShifts) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(entry.date, entry.start_time)
    end = dt.datetime.combine(entry.date, entry.end_time)
    if end <= start:  # a slot typed past midnight, or with no end: one hour, never negative
        end = start + dt.timedelta(hours=1)
    return start, end


def _slot_text(entry: PointShifts) -> str:
    return f"{entry.start_time:%H:%M}–{entry.end_time:%H:%M}"


def _shifts_text(entry: PointShifts) -> str:
    if not entry.slots:
        return _("Permanences : aucune place prévue.")
    lines = [_("Permanences :")]
    for role, slots in entry.by_role():
        names = ", ".join(s.member_name if s.member_name else _("à pourvoir") for s in slots)
        lines.append(f"– {role} : {names}")
    return "\n".join(lines)


def _distribution_event(entry: PointShifts, uid: str, coop_name: str,
                        description: str) -> CalendarEvent:
    start, end = _times(entry)
    return CalendarEvent(
        uid=uid, summary=_("Distribution — {point}").format(point=entry.point), start=start,
        end=end, location=entry.full_address or entry.point, description=description,
        categories=(_("Distribution"),))


def _coop(session: Session) -> tuple[int, str]:
    row = session.execute(select(Coop.id, Coop.name).order_by(Coop.id).limit(1)).first()
    return (row[0], row[1]) if row is not None else (0, "")


def household_calendar(*, db: Database, actor: Actor, member_id: int,
                       date_from: dt.date | None = None, date_to: dt.date | None = None,
                       stamp: dt.datetime | None = None) -> CalendarFile:
    """A household's calendar: the distributions at its point and the permanences it holds."""
    require(actor, SHIFT_READERS, _("exporter un calendrier"))
    with db.reading() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("Le foyer n° {id} n'existe pas.").format(id=member_id))
        require_point(actor, member.point_id, _("exporter le calendrier de ce foyer"))
        name = household_name(member.last_name, member.first_name)
        coop_id, coop_name = _coop(session)
        point_entries = (gather_point_shifts(session, date_from=date_from, date_to=date_to,
                                             point_ids=[member.point_id])
                         if member.point_id is not None else [])
        held = list(session.execute(
            select(Shift.cycle_id, Shift.point_id).where(Shift.member_id == member_id)))
        shift_entries = gather_point_shifts(session, [(c, p) for c, p in held],
                                            date_from=date_from, date_to=date_to)
    key = _coop_key(coop_id, coop_name)
    events: list[CalendarEvent] = []
    covered: set[tuple[int, int]] = set()
    for entry in point_entries:
        mine = [s.role for s in entry.slots if s.member_id == member_id]
        text = _("{coop} : retrait des commandes à « {point} », {slot}.").format(
            coop=coop_name, point=entry.point, slot=_slot_text(entry))
        event = _distribution_event(
            entry, f"distribution-{entry.cycle_id}-{entry.point_id}-foyer-{member_id}-{key}"
                   "@coopfood", coop_name, text)
        if mine:
            # One event, not two at the same hour: the distribution where it is on duty.
            covered.add((entry.cycle_id, entry.point_id))
            event = replace(
                event,
                summary=_("Permanence « {role} » et distribution — {point}").format(
                    role=mine[0], point=entry.point),
                description=text + "\n" + _("Vous tenez la permanence « {role} ».").format(
                    role=mine[0]) + "\n" + _shifts_text(entry),
                categories=(_("Distribution"), _("Permanence")))
        events.append(event)
    for entry in shift_entries:
        if (entry.cycle_id, entry.point_id) in covered:
            continue
        start, end = _times(entry)
        for slot in entry.slots:
            if slot.member_id != member_id:
                continue
            events.append(CalendarEvent(
                uid=f"permanence-{slot.shift_id}-foyer-{member_id}-{key}@coopfood",
                summary=_("Permanence « {role} » — {point}").format(role=slot.role,
                                                                  point=entry.point),
                start=start, end=end, location=entry.full_address or entry.point,
                description=_("{coop} : permanence « {role} » à la distribution du {date}, "
                              "{slot}.").format(coop=coop_name, role=slot.role,
                                               date=format_date(entry.date, style="full"),
                                               slot=_slot_text(entry)) + "\n"
                + _shifts_text(entry),
                categories=(_("Permanence"),)))
    events.sort(key=lambda e: (e.start, e.uid))
    title = f"{coop_name} — {name}" if coop_name else name
    return CalendarFile(name=title, content=build_calendar(title, events, stamp=stamp),
                        events=len(events))


def point_calendar(*, db: Database, actor: Actor, point_id: int,
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   stamp: dt.datetime | None = None) -> CalendarFile:
    """A point's calendar: its distributions, each with its permanences in the description."""
    require(actor, SHIFT_READERS, _("exporter un calendrier"))
    require_point(actor, point_id, _("exporter le calendrier de ce point"))
    with db.reading() as session:
        point = session.get(DistributionPoint, point_id)
        if point is None:
            raise NotFound(_("Le point de distribution n° {id} n'existe pas.").format(
                id=point_id))
        point_name = point.name
        coop_id, coop_name = _coop(session)
        entries = gather_point_shifts(session, date_from=date_from, date_to=date_to,
                                      point_ids=[point_id])
    key = _coop_key(coop_id, coop_name)
    events = [
        _distribution_event(
            entry, f"distribution-{entry.cycle_id}-{entry.point_id}-{key}@coopfood", coop_name,
            _("{coop} : distribution à « {point} », {slot}.").format(
                coop=coop_name, point=entry.point, slot=_slot_text(entry)) + "\n"
            + _shifts_text(entry))
        for entry in entries
    ]
    title = f"{coop_name} — {point_name}" if coop_name else point_name
    return CalendarFile(name=title, content=build_calendar(title, events, stamp=stamp),
                        events=len(events))


def export_calendar(*, db: Database, actor: Actor, path: Path | str,
                    member_id: int | None = None, point_id: int | None = None,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    stamp: dt.datetime | None = None) -> CalendarFile:
    """Write a household's (`member_id`) or a point's (`point_id`) calendar to `path`."""
    from coopfood.exports import _write_atomically

    if (member_id is None) == (point_id is None):
        raise ServiceError(_("Choisissez soit un foyer, soit un point de distribution."))
    path = Path(path)
    if member_id is not None:
        made = household_calendar(db=db, actor=actor, member_id=member_id,
                                  date_from=date_from, date_to=date_to, stamp=stamp)
    else:
        assert point_id is not None
        made = point_calendar(db=db, actor=actor, point_id=point_id, date_from=date_from,
                              date_to=date_to, stamp=stamp)
    if not path.parent.exists():
        raise ServiceError(_("Le dossier « {folder} » n'existe pas.").format(folder=path.parent))
    _write_atomically(path, made.content)
    return CalendarFile(name=made.name, content=made.content, events=made.events, path=path)


__all__ = [
    "CalendarEvent",
    "CalendarFile",
    "build_calendar",
    "export_calendar",
    "household_calendar",
    "paris_timezone",
    "point_calendar",
]
