"""Meetings from iCalendar exports (Google Calendar, Outlook, Apple) and from a CSV of activities.

A file may hold several ``VCALENDAR`` blocks (concatenated exports): all are read. Each event is
checked alone before its recurrence is expanded, so one broken event is one rejected row, never a
refused file. Recurring events (RRULE, RDATE, EXDATE, moved occurrences) are expanded within a
window, with the recurring-ical-events package.

Times become UTC. A ``TZID`` is, in this order: a ``VTIMEZONE`` block of the same calendar with
that TZID (its rules are used), an IANA name (``Europe/Berlin``), a Windows name
(``W. Europe Standard Time``, through icalendar's copy of CLDR's windowsZones table) or an Outlook
display name (``(UTC-05:00) Eastern Time (US & Canada)``: the Windows zone whose display name it
is). A display name not known here is taken at the fixed offset it states, with a warning; any
other unknown zone is taken as UTC, with a warning. Floating times are taken as UTC, all-day
events start at midnight.

What is not imported is counted in a warning: events outside the window, cancelled occurrences
(``STATUS:CANCELLED``), occurrences removed by ``EXDATE``.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import recurring_ical_events
from icalendar.prop import vBroken, vDDDLists, vDDDTypes
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from crestline.errors import BadInputError
from crestline.ingest import values
from crestline.ingest.columns import Column, ObjectSpec
from crestline.ingest.records import Problem


@dataclass(frozen=True)
class Meeting:
    key: str
    number: int  # the event's position in the file (its "row"): the nth VEVENT
    kind: str
    start: dt.datetime  # naive UTC
    minutes: int | None
    subject: str | None
    organizer: str | None
    attendees: tuple[tuple[str, str | None], ...]  # (email, name)
    cells: tuple[str, ...] = field(default=())


HEADER = ("SUMMARY", "UID")
MAX_OCCURRENCES = 5000  # per event: more than daily over the whole window

# Outlook writes a Windows zone's display name as the TZID. No installed package carries these
# names (CLDR's windowsZones has the zone ids only), so the common ones are listed here, by the
# text after the "(UTC±hh:mm) " prefix, with the Windows zone id they name.
DISPLAY_NAMES = {
    "international date line west": "Dateline Standard Time",
    "coordinated universal time-11": "UTC-11",
    "hawaii": "Hawaiian Standard Time",
    "alaska": "Alaskan Standard Time",
    "pacific time (us & canada)": "Pacific Standard Time",
    "baja california": "Pacific Standard Time (Mexico)",
    "arizona": "US Mountain Standard Time",
    "mountain time (us & canada)": "Mountain Standard Time",
    "central time (us & canada)": "Central Standard Time",
    "central america": "Central America Standard Time",
    "guadalajara, mexico city, monterrey": "Central Standard Time (Mexico)",
    "saskatchewan": "Canada Central Standard Time",
    "eastern time (us & canada)": "Eastern Standard Time",
    "bogota, lima, quito, rio branco": "SA Pacific Standard Time",
    "indiana (east)": "US Eastern Standard Time",
    "atlantic time (canada)": "Atlantic Standard Time",
    "caracas": "Venezuela Standard Time",
    "santiago": "Pacific SA Standard Time",
    "newfoundland": "Newfoundland Standard Time",
    "brasilia": "E. South America Standard Time",
    "city of buenos aires": "Argentina Standard Time",
    "coordinated universal time": "UTC",
    "dublin, edinburgh, lisbon, london": "GMT Standard Time",
    "greenwich mean time : dublin, edinburgh, lisbon, london": "GMT Standard Time",
    "monrovia, reykjavik": "Greenwich Standard Time",
    "amsterdam, berlin, bern, rome, stockholm, vienna": "W. Europe Standard Time",
    "belgrade, bratislava, budapest, ljubljana, prague": "Central Europe Standard Time",
    "brussels, copenhagen, madrid, paris": "Romance Standard Time",
    "sarajevo, skopje, warsaw, zagreb": "Central European Standard Time",
    "west central africa": "W. Central Africa Standard Time",
    "athens, bucharest": "GTB Standard Time",
    "helsinki, kyiv, riga, sofia, tallinn, vilnius": "FLE Standard Time",
    "helsinki, kiev, riga, sofia, tallinn, vilnius": "FLE Standard Time",
    "jerusalem": "Israel Standard Time",
    "cairo": "Egypt Standard Time",
    "harare, pretoria": "South Africa Standard Time",
    "istanbul": "Turkey Standard Time",
    "moscow, st. petersburg": "Russian Standard Time",
    "moscow, st. petersburg, volgograd": "Russian Standard Time",
    "kuwait, riyadh": "Arab Standard Time",
    "nairobi": "E. Africa Standard Time",
    "abu dhabi, muscat": "Arabian Standard Time",
    "islamabad, karachi": "Pakistan Standard Time",
    "chennai, kolkata, mumbai, new delhi": "India Standard Time",
    "bangkok, hanoi, jakarta": "SE Asia Standard Time",
    "beijing, chongqing, hong kong, urumqi": "China Standard Time",
    "kuala lumpur, singapore": "Singapore Standard Time",
    "perth": "W. Australia Standard Time",
    "taipei": "Taipei Standard Time",
    "osaka, sapporo, tokyo": "Tokyo Standard Time",
    "seoul": "Korea Standard Time",
    "adelaide": "Cen. Australia Standard Time",
    "brisbane": "E. Australia Standard Time",
    "canberra, melbourne, sydney": "AUS Eastern Standard Time",
    "auckland, wellington": "New Zealand Standard Time",
}
_DISPLAY = re.compile(r"^\((?:UTC|GMT)(?:([+-])(\d{1,2}):?(\d{2}))?\)\s*(.*)$", re.IGNORECASE)
_DATE_Z = re.compile(r"^(\d{8})Z$")
_TIMED = ("DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE")
_SINGLE = ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID", "STATUS", "SUMMARY", "UID")


@dataclass(frozen=True)
class Zone:
    """What a TZID resolved to; ``note`` says why it is a guess (a warning), empty when sure."""

    tz: dt.tzinfo
    note: str = ""


def _iana(name: str) -> dt.tzinfo | None:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def resolve_zone(tzid: str) -> Zone:
    """A TZID written without a VTIMEZONE block: IANA, Windows or Outlook display name."""
    name = " ".join(tzid.strip().strip('"').strip("/").split())
    known = _iana(name) or _iana(WINDOWS_TO_OLSON.get(name, ""))
    if known is not None:
        return Zone(known)
    match = _DISPLAY.match(name)
    description = (match.group(4) if match else name).strip().lower()
    windows = DISPLAY_NAMES.get(description)
    if windows is None and match:  # "(UTC+01:00) W. Europe Standard Time"
        windows = next((w for w in WINDOWS_TO_OLSON if w.lower() == description), None)
    if windows is not None:
        known = _iana(WINDOWS_TO_OLSON.get(windows, ""))
        if known is not None:
            return Zone(known)
    if match:
        sign, hours, minutes = match.group(1), match.group(2), match.group(3)
        offset = dt.timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
        if offset < dt.timedelta(hours=15):
            offset = -offset if sign == "-" else offset
            label = f"UTC{sign}{int(hours):02d}:{minutes}" if sign else "UTC"
            return Zone(
                dt.timezone(offset),
                f"unknown time zone {tzid!r}: taken as {label} all year (no daylight saving)",
            )
    return Zone(dt.UTC, f"unknown time zone {tzid!r}: its times are taken as UTC")


_PER_DAY = {"SECONDLY": 86400.0, "MINUTELY": 1440.0, "HOURLY": 24.0}
_BY = (("BYSECOND", "MINUTELY"), ("BYMINUTE", "HOURLY"), ("BYHOUR", "DAILY"))
_COARSER = ("SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _per_day(rules: Any) -> float:
    """An upper bound of the occurrences a day that recurrence rules give (0 without rules)."""
    total = 0.0
    for rule in rules if isinstance(rules, list) else [rules]:
        if not isinstance(rule, dict):
            continue
        freq = str((rule.get("FREQ") or ["DAILY"])[0]).upper()
        try:
            interval = max(1, int((rule.get("INTERVAL") or [1])[0]))
        except (TypeError, ValueError):
            interval = 1
        rate = _PER_DAY.get(freq, 1.0) / interval
        for by, coarsest in _BY:  # BYHOUR=… on a daily (or coarser) rule multiplies it
            if rule.get(by) and freq in _COARSER[_COARSER.index(coarsest) :]:
                rate *= len(rule[by])
        total += rate
    return total


def _address(value: Any) -> tuple[str, str | None] | None:
    text = str(value)
    if text.lower().startswith("mailto:"):
        text = text[7:]
    try:
        email = values.normalise_email(text)
    except ValueError:
        return None
    params = getattr(value, "params", {}) or {}
    name = params.get("CN")
    return email, str(name).strip('"') if name else None


def _utc(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    return dt.datetime.combine(value, dt.time())


def event_key(uid: str, start: dt.datetime) -> str:
    digest = hashlib.blake2b(f"{uid}|{start.isoformat()}".encode(), digest_size=12).hexdigest()
    return f"ics:{digest}"


class _Rejected(Exception):
    """An event that cannot be read: its field and the reason, for a row problem."""

    def __init__(self, field_name: str | None, message: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.message = message


@dataclass
class _Event:
    component: icalendar.cal.Component
    number: int
    line: int | None
    uid: str
    summary: str

    @property
    def cells(self) -> tuple[str, ...]:
        return (self.summary, self.uid)

    def where(self) -> str:
        parts = [f"event {self.uid!r}" if self.uid else "event without UID"]
        if self.line:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass
class _Reader:
    path: Path
    since: dt.date
    until: dt.date
    problems: list[Problem]
    outside: int = 0
    cancelled: int = 0
    excluded: int = 0
    duplicates: int = 0
    capped: int = 0

    def problem(self, event: _Event, field_name: str | None, message: str, severity: str) -> None:
        self.problems.append(
            Problem(
                self.path.name,
                event.number,
                field_name,
                f"{message} ({event.where()})",
                severity,
                event.cells,
                HEADER,
            )
        )

    def warn_file(self, message: str) -> None:
        self.problems.append(Problem(self.path.name, 0, None, message, "warning"))

    # -- one event, checked and repaired before expansion ------------------------------------

    def clean(self, event: _Event, zones: dict[str, icalendar.Timezone]) -> None:
        c = event.component
        for name in _SINGLE:
            value = c.get(name)
            if isinstance(value, list):
                self.problem(
                    event, name, f"{len(value)} {name} lines; the first is taken", "warning"
                )
                del c[name]
                c.add(name, value[0], encode=False)
        start = c.get("DTSTART")
        if start is None:
            raise _Rejected("DTSTART", "no start time")
        if isinstance(start, vBroken) or not isinstance(start, vDDDTypes):
            raise _Rejected("DTSTART", f"not a date or a time: {str(start)[:40]!r}")
        if isinstance(c.get("RECURRENCE-ID"), vBroken):
            raise _Rejected("RECURRENCE-ID", "not a date or a time")
        for name in ("RRULE", "EXRULE"):
            rules = c.get(name)
            for rule in rules if isinstance(rules, list) else [rules]:
                if isinstance(rule, vBroken):
                    raise _Rejected(name, f"not a recurrence rule: {str(rule)[:60]!r}")
        for name in ("DTEND", "DURATION"):
            if name in c and isinstance(c[name], vBroken):
                self.problem(
                    event, name, f"not readable ({str(c[name])[:40]!r}); ignored", "warning"
                )
                del c[name]
        for name in ("RDATE", "EXDATE"):
            self.clean_dates(event, name)
        self.localise(event, zones)

    def clean_dates(self, event: _Event, name: str) -> None:
        """RDATE/EXDATE lines (one or several): a date written with a Z (Google's birthdays:
        ``RDATE:20131210Z``) is read as that date; an unreadable line is ignored, with a
        warning."""
        c = event.component
        raw = c.get(name)
        if raw is None:
            return
        kept: list[Any] = []
        for item in raw if isinstance(raw, list) else [raw]:
            if not isinstance(item, vBroken):
                kept.append(item)
                continue
            parts = [p.strip() for p in str(item).split(",") if p.strip()]
            days = [_DATE_Z.match(p) for p in parts]
            if parts and all(days):
                dates = [dt.datetime.strptime(m.group(1), "%Y%m%d").date() for m in days if m]
                try:
                    kept.append(vDDDLists(dates))
                    continue
                except (ValueError, TypeError):
                    pass
            self.problem(event, name, f"not readable ({str(item)[:40]!r}); ignored", "warning")
        del c[name]
        for item in kept:
            c.add(name, item, encode=False)

    def localise(self, event: _Event, zones: dict[str, icalendar.Timezone]) -> None:
        """Give every time with a TZID its zone, whatever icalendar made of it: the calendar's
        own VTIMEZONE first, then the name."""
        c = event.component
        warned: set[str] = set()
        for name in _TIMED:
            raw = c.get(name)
            for prop in raw if isinstance(raw, list) else [raw]:
                params = getattr(prop, "params", None)
                tzid = params.get("TZID") if params else None
                if not tzid:
                    continue
                zone = self.zone(str(tzid), zones)
                if zone.note and zone.note not in warned:
                    warned.add(zone.note)
                    self.problem(event, name, zone.note, "warning")
                items = prop.dts if isinstance(prop, vDDDLists) else [prop]
                for item in items:
                    value = getattr(item, "dt", None)
                    if isinstance(value, dt.datetime):
                        item.dt = value.replace(tzinfo=zone.tz)

    def zone(self, tzid: str, zones: dict[str, icalendar.Timezone]) -> Zone:
        component = zones.get(tzid)
        if component is not None:
            try:
                return Zone(component.to_tz(lookup_tzid=False))
            except Exception:  # a broken VTIMEZONE: the name may still say where it is
                zone = resolve_zone(tzid)
                note = f"the VTIMEZONE block of {tzid!r} cannot be read"
                return Zone(zone.tz, f"{note}; {zone.note or 'the zone of that name is used'}")
        return resolve_zone(tzid)

    # -- one series: a recurring event with its moved occurrences, or a single event ---------

    def expand(self, group: list[_Event]) -> list[tuple[_Event, icalendar.cal.Component]]:
        master = next((e for e in group if "RECURRENCE-ID" not in e.component), group[0])
        calendar = icalendar.Calendar()
        for e in group:
            calendar.add_component(e.component)
        try:
            occurrences = self.occurrences(calendar, master)
        except Exception:  # the library raises many kinds for broken rules and values
            raise _Rejected(
                "RRULE" if "RRULE" in master.component else "DTSTART",
                "its times or recurrence (RRULE, RDATE, EXDATE) cannot be read together",
            ) from None
        excluded = 0
        if "EXDATE" in master.component:
            excluded = self.count_excluded(group, master, len(occurrences))
            self.excluded += excluded
        if not occurrences:
            self.outside += 0 if excluded else 1
            return []
        kept = []
        for occurrence in occurrences:
            if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
                self.cancelled += 1
            else:
                kept.append((master, occurrence))
        return kept

    def occurrences(
        self, calendar: icalendar.Calendar, master: _Event, *, count_capped: bool = True
    ) -> list[icalendar.cal.Component]:
        """The occurrences in the window. A rule that recurs every minute would give millions:
        its window is cut to about MAX_OCCURRENCES occurrences from its start, with a warning."""
        until = self.until
        per_day = _per_day(master.component.get("RRULE"))
        if per_day * (self.until - self.since).days > MAX_OCCURRENCES:
            prop = master.component.get("DTSTART")
            start = prop.dt if isinstance(prop, vDDDTypes) else None
            first = self.since
            if isinstance(start, dt.datetime):
                first = max(first, start.date())
            elif isinstance(start, dt.date):
                first = max(first, start)
            until = min(self.until, first + dt.timedelta(days=max(1, MAX_OCCURRENCES / per_day)))
            if until < self.until and count_capped:
                self.capped += 1
        return list(recurring_ical_events.of(calendar).between(self.since, until))

    def count_excluded(self, group: list[_Event], master: _Event, found: int) -> int:
        calendar = icalendar.Calendar()
        for e in group:
            component = e.component
            if e is master:
                component = copy.copy(component)
                del component["EXDATE"]
            calendar.add_component(component)
        try:
            every = self.occurrences(calendar, master, count_capped=False)
        except Exception:
            return 0
        return max(0, len(every) - found)

    def meeting(self, event: _Event, occurrence: icalendar.cal.Component) -> Meeting:
        start_prop = occurrence.get("DTSTART")
        start_raw = start_prop.dt if isinstance(start_prop, vDDDTypes) else None
        if not isinstance(start_raw, dt.date):
            raise ValueError("no start time")
        start = _utc(start_raw)
        minutes = None
        end = occurrence.get("DTEND")
        duration = occurrence.get("DURATION")
        if isinstance(end, vDDDTypes) and isinstance(end.dt, dt.date):
            minutes = int((_utc(end.dt) - start).total_seconds() // 60)
        elif isinstance(duration, vDDDTypes) and isinstance(duration.dt, dt.timedelta):
            minutes = int(duration.dt.total_seconds() // 60)
        attendees_raw = occurrence.get("ATTENDEE") or []
        if not isinstance(attendees_raw, list):
            attendees_raw = [attendees_raw]
        attendees = tuple(a for a in (_address(x) for x in attendees_raw) if a)
        organizer_raw = occurrence.get("ORGANIZER")
        if isinstance(organizer_raw, list):
            organizer_raw = organizer_raw[0] if organizer_raw else None
        organizer = _address(organizer_raw) if organizer_raw else None
        summary = str(occurrence.get("SUMMARY", "")).strip() or None
        uid = event.uid or f"{self.path.name}#{event.number}"
        return Meeting(
            key=event_key(uid, start),
            number=event.number,
            kind="meeting",
            start=start,
            minutes=minutes if minutes is None or minutes >= 0 else None,
            subject=summary,
            organizer=organizer[0] if organizer else None,
            attendees=attendees,
            cells=event.cells,
        )

    def finish(self) -> None:
        if self.outside:
            self.warn_file(
                f"{self.outside} event(s) outside the import window (before {self.since}"
                f" or from {self.until} on) skipped"
            )
        if self.cancelled:
            self.warn_file(f"{self.cancelled} cancelled occurrence(s) skipped (STATUS:CANCELLED)")
        if self.excluded:
            self.warn_file(f"{self.excluded} occurrence(s) removed by EXDATE skipped")
        if self.capped:
            self.warn_file(
                f"{self.capped} event(s) recur more than {MAX_OCCURRENCES:,} times in the window:"
                f" only about their first {MAX_OCCURRENCES:,} occurrences are read"
            )
        if self.duplicates:
            self.warn_file(
                f"{self.duplicates} occurrence(s) found twice (same UID and start) read once"
            )


def _from_ical(data: str | bytes) -> list[icalendar.cal.Component]:
    return [
        c
        for c in icalendar.Calendar.from_ical(data, multiple=True)
        if isinstance(c, icalendar.cal.Component)
    ]


def _blocks(lines: list[str], name: str) -> Iterator[tuple[int, int]]:
    """(first, last) line indexes of each BEGIN:name … END:name block."""
    begin = None
    for i, line in enumerate(lines):
        tag = line.strip().upper()
        if tag == f"BEGIN:{name}":
            begin = i
        elif tag == f"END:{name}" and begin is not None:
            yield begin, i
            begin = None


def _without_broken_zones(path: Path, lines: list[str], warn: list[Problem]) -> list[str]:
    """Icalendar refuses a whole file for one unreadable VTIMEZONE block: drop such blocks (their
    TZIDs are then read by name), with a warning."""
    kept, start = [], 0
    for first, last in _blocks(lines, "VTIMEZONE"):
        block = lines[first : last + 1]
        try:
            zone = icalendar.Timezone.from_ical("\r\n".join(block))
            if isinstance(zone, icalendar.Timezone):
                zone.to_tz(lookup_tzid=False)
                continue
            tzid = "?"
        except Exception:  # any failure of that block: it is left out
            tzid = next(
                (x[5:].strip().replace("\\,", ",") for x in block if x.upper().startswith("TZID:")),
                "?",
            )
        warn.append(
            Problem(
                path.name,
                0,
                "VTIMEZONE",
                f"the VTIMEZONE block of {tzid!r} (line {first + 1}) cannot be read:"
                " its times are read by the zone's name",
                "warning",
            )
        )
        kept += lines[start:first]
        start = last + 1
    return kept + lines[start:]


def _closed(path: Path, lines: list[str], warn: list[Problem]) -> list[str]:
    """A file cut short (no END:VCALENDAR): the components left open are closed, with a
    warning, so that what it holds is read."""
    stack: list[str] = []
    for line in lines:
        tag = line.strip().upper()
        if tag.startswith("BEGIN:"):
            stack.append(tag[6:])
        elif tag.startswith("END:") and stack and stack[-1] == tag[4:]:
            stack.pop()
    if stack:
        warn.append(
            Problem(
                path.name,
                0,
                None,
                f"the file ends inside {' › '.join(stack)} (cut short?): what it holds is read",
                "warning",
            )
        )
    return lines + [f"END:{name}" for name in reversed(stack)]


def _parse(path: Path, problems: list[Problem]) -> tuple[list[icalendar.cal.Component], list[int]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    text = raw.decode("utf-8", errors="replace")
    lines = text.splitlines()
    repairs: list[Problem] = []
    found: list[icalendar.cal.Component] = []
    reason = ""
    for attempt in ("as it is", "without broken VTIMEZONE blocks", "closed"):
        if attempt == "without broken VTIMEZONE blocks":
            lines = _without_broken_zones(path, lines, repairs)
        elif attempt == "closed":
            lines = _closed(path, lines, repairs)
        try:
            found = _from_ical(raw if attempt == "as it is" else "\r\n".join(lines) + "\r\n")
        except ValueError as exc:
            reason = str(exc).splitlines()[0][:120] if str(exc) else "unreadable"
            continue
        except Exception:  # icalendar's parser fails in several ways on garbage
            reason = "unreadable"
            continue
        if found:
            break
        reason = "no BEGIN:VCALENDAR … END:VCALENDAR"
    if not found:
        raise BadInputError(f"{path}: not an iCalendar file ({reason})")
    if attempt != "as it is":
        problems.extend(repairs)
    events = [  # the lines as written: a repair adds or drops none before an event
        n
        for n, line in enumerate(text.splitlines(), start=1)
        if line.strip().upper() == "BEGIN:VEVENT"
    ]
    return found, events


def read_ics(
    path: Path, *, since: dt.date, until: dt.date, problems: list[Problem]
) -> Iterator[Meeting]:
    """The meetings of every calendar in the file, occurrence by occurrence, within
    [since, until); rejected events and warnings go to ``problems``."""
    calendars, lines = _parse(path, problems)
    reader = _Reader(path, since, until, problems)
    events: list[_Event] = []
    groups: dict[tuple[int, str], list[_Event]] = {}
    for index, calendar in enumerate(calendars):
        zones = {
            str(z.get("TZID")): z
            for z in calendar.walk("VTIMEZONE")
            if isinstance(z, icalendar.Timezone) and isinstance(z.get("TZID"), str)
        }
        for component in calendar.walk("VEVENT"):
            uid_raw = component.get("UID", "")
            uid = str(uid_raw[0] if isinstance(uid_raw, list) and uid_raw else uid_raw).strip()
            summary_raw = component.get("SUMMARY", "")
            if isinstance(summary_raw, list):
                summary_raw = summary_raw[0] if summary_raw else ""
            number = len(events) + 1
            event = _Event(
                component,
                number,
                lines[number - 1] if number <= len(lines) else None,
                uid,
                str(summary_raw).strip(),
            )
            events.append(event)
            try:
                reader.clean(event, zones)
            except _Rejected as rejected:
                reader.problem(event, rejected.field_name, rejected.message, "error")
                continue
            groups.setdefault((index, uid or f"#{number}"), []).append(event)
    seen: set[str] = set()
    meetings: list[Meeting] = []
    for group in groups.values():
        try:
            occurrences = reader.expand(group)
        except _Rejected as rejected:
            reader.problem(group[0], rejected.field_name, rejected.message, "error")
            continue
        for event, occurrence in occurrences:
            try:
                meeting = reader.meeting(event, occurrence)
            except (KeyError, AttributeError, TypeError, ValueError, OverflowError):
                reader.problem(event, "DTSTART", "an occurrence's times cannot be read", "error")
                continue
            if meeting.key in seen:
                reader.duplicates += 1
                continue
            seen.add(meeting.key)
            meetings.append(meeting)
    reader.finish()
    return iter(meetings)


def kind(value: str) -> str:
    v = value.strip().lower()
    aliases = {
        "meeting": "meeting",
        "event": "event",
        "call": "call",
        "phone": "call",
        "email": "email",
        "e-mail": "email",
        "mail": "email",
        "task": "task",
    }
    if v not in aliases:
        raise ValueError(f"{value!r} is not a kind of activity (meeting, call, email, event)")
    return aliases[v]


def email_list(value: str) -> tuple[str, ...]:
    return tuple(
        values.normalise_email(part) for part in re.split(r"[;,\s]+", value) if part.strip()
    )


ACTIVITY = ObjectSpec(
    kind="Activity",
    key_headers=("id", "external_id", "activity id"),
    key_optional=True,
    columns=(
        Column("kind", ("kind", "type"), kind, required=True),
        Column(  # read in the column's day or month order, as every importer's dates
            "when", ("when", "date", "occurred_at", "start"), datetime=True, required=True
        ),
        Column(
            "minutes", ("duration_minutes", "duration", "minutes"), values.parse_int, lenient=True
        ),
        Column("subject", ("subject", "title")),
        Column(
            "seller",
            ("seller_email", "seller", "owner_email"),
            values.normalise_email,
            lenient=True,
        ),
        Column("attendees", ("attendee_emails", "attendees", "contacts"), email_list),
    ),
)
