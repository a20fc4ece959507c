"""The .ics files: read back by a real calendar library, across the change of time."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar

from coopfood.calendar_export import CalendarEvent, build_calendar, paris_timezone

STAMP = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
#: Thursdays on either side of the change to winter time (Sunday 25 October 2026).
SUMMER_DAY = dt.date(2026, 10, 22)
WINTER_DAY = dt.date(2026, 11, 5)


def _event(day: dt.date, uid: str, **fields: str) -> CalendarEvent:
    return CalendarEvent(uid=uid, summary=fields.get("summary", "Distribution — Croix-Rousse"),
                         start=dt.datetime.combine(day, dt.time(17, 0)),
                         end=dt.datetime.combine(day, dt.time(19, 30)),
                         location=fields.get("location", ""),
                         description=fields.get("description", ""))


def test_17_00_in_paris_is_15_00_utc_in_summer_time_and_16_00_utc_in_winter_time() -> None:
    data = build_calendar("AMAP", [_event(SUMMER_DAY, "a@coopfood"),
                                   _event(WINTER_DAY, "b@coopfood")], stamp=STAMP)
    summer, winter = Calendar.from_ical(data).walk("VEVENT")
    summer_start = summer.decoded("dtstart")
    winter_start = winter.decoded("dtstart")
    assert summer_start.astimezone(dt.UTC) == dt.datetime(2026, 10, 22, 15, 0, tzinfo=dt.UTC)
    assert winter_start.astimezone(dt.UTC) == dt.datetime(2026, 11, 5, 16, 0, tzinfo=dt.UTC)
    # Both read 17:00 on the wall clock of Paris.
    assert (summer_start.hour, winter_start.hour) == (17, 17)
    assert winter.decoded("dtend").astimezone(dt.UTC).time() == dt.time(18, 30)
    assert summer["dtstart"].params["TZID"] == "Europe/Paris"


def test_the_vtimezone_itself_gives_the_right_offsets() -> None:
    """A calendar that does not know « Europe/Paris » by name reads the VTIMEZONE."""
    data = build_calendar("AMAP", [_event(SUMMER_DAY, "a@coopfood")], stamp=STAMP)
    [zone] = Calendar.from_ical(data).walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Paris"
    tz = paris_timezone().to_tz()
    assert dt.datetime(2026, 10, 22, 17, tzinfo=tz).utcoffset() == dt.timedelta(hours=2)
    assert dt.datetime(2026, 11, 5, 17, tzinfo=tz).utcoffset() == dt.timedelta(hours=1)
    assert dt.datetime(2031, 7, 3, 17, tzinfo=tz).utcoffset() == dt.timedelta(hours=2)


def test_required_properties_stable_uids_and_stamp() -> None:
    first = build_calendar("AMAP", [_event(SUMMER_DAY, "distribution-2-1@coopfood")],
                           stamp=STAMP)
    again = build_calendar("AMAP", [_event(SUMMER_DAY, "distribution-2-1@coopfood")],
                           stamp=STAMP)
    assert first == again
    calendar = Calendar.from_ical(first)
    assert calendar["version"] == "2.0"
    assert "coopfood" in str(calendar["prodid"])
    [event] = calendar.walk("VEVENT")
    assert event["uid"] == "distribution-2-1@coopfood"
    assert event.decoded("dtstamp") == STAMP
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in first.split(b"\r\n"))


def test_text_is_escaped_and_read_back_literally() -> None:
    name = "DUPONT & Fils ; « Zoé » 🥕, \\ chemin"
    description = "Première ligne\nDeuxième ligne, avec ; et \\ et & et 🍅"
    data = build_calendar(name, [_event(WINTER_DAY, "x@coopfood", summary=name,
                                        location="12, rue des Lilas ; 69004 Lyon",
                                        description=description)], stamp=STAMP)
    assert b"DUPONT & Fils \\; \xc2\xab Zo\xc3\xa9 \xc2\xbb" in data.replace(b"\r\n ", b"")
    calendar = Calendar.from_ical(data)
    assert str(calendar["x-wr-calname"]) == name
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == name
    assert str(event["description"]) == description
    assert str(event["location"]) == "12, rue des Lilas ; 69004 Lyon"
