"""The iCalendar reader on exports shaped like Outlook's, Google Calendar's and Apple's."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from crestline.errors import BadInputError
from crestline.ingest.calendar import Meeting, read_ics, resolve_zone
from crestline.ingest.records import Problem
from tests.fuzzing import examples

DATA = Path(__file__).resolve().parent.parent / "data"
CALENDARS = DATA / "real-shaped" / "calendar"
SINCE = dt.date(2021, 6, 1)
UNTIL = dt.date(2025, 1, 1)


def read(path: Path) -> tuple[list[Meeting], list[Problem]]:
    problems: list[Problem] = []
    meetings = list(read_ics(path, since=SINCE, until=UNTIL, problems=problems))
    return meetings, problems


def calendar_file(folder: Path, name: str, *events: str) -> Path:
    """A calendar of the given VEVENT bodies (their lines joined by CRLF), as Apple writes it."""
    head = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.4//EN\r\n"
    body = "".join(f"BEGIN:VEVENT\r\n{e}\r\nEND:VEVENT\r\n" for e in events)
    path = folder / name
    path.write_text(f"{head}{body}END:VCALENDAR\r\n", encoding="utf-8")
    return path


def starts(meetings: list[Meeting]) -> dict[str, list[dt.datetime]]:
    found: dict[str, list[dt.datetime]] = {}
    for m in meetings:
        found.setdefault(m.subject or "", []).append(m.start)
    return {k: sorted(v) for k, v in found.items()}


@pytest.mark.parametrize(
    ("tzid", "utc_offset_in_march"),
    [
        ("America/New_York", -5),
        ("Eastern Standard Time", -5),
        ("W. Europe Standard Time", 1),
        ("(UTC-05:00) Eastern Time (US & Canada)", -5),
        ('"(UTC-05:00) Eastern Time (US & Canada)"', -5),
        ("(GMT-05:00) Eastern Time (US & Canada)", -5),
        ("(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", 1),
        ("(UTC+01:00) Brussels, Copenhagen, Madrid, Paris", 1),
        ("(UTC+00:00) Dublin, Edinburgh, Lisbon, London", 0),
        ("(UTC+05:30) Chennai, Kolkata, Mumbai, New Delhi", 5.5),
        ("(UTC+10:00) Canberra, Melbourne, Sydney", 11),
        ("(UTC+01:00) W. Europe Standard Time", 1),
    ],
)
def test_time_zone_names(tzid: str, utc_offset_in_march: float) -> None:
    zone = resolve_zone(tzid)
    assert zone.note == ""
    offset = zone.tz.utcoffset(dt.datetime(2024, 3, 1, 12))
    assert offset == dt.timedelta(hours=utc_offset_in_march)


def test_every_listed_display_name_is_a_windows_zone_known_to_cldr() -> None:
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    from crestline.ingest.calendar import DISPLAY_NAMES

    assert set(DISPLAY_NAMES.values()) <= set(WINDOWS_TO_OLSON)


def test_unknown_time_zones_are_said() -> None:
    assert "taken as UTC" in resolve_zone("Mars Standard Time").note
    fixed = resolve_zone("(UTC+03:30) Somewhere Nobody Lists")
    assert fixed.tz.utcoffset(None) == dt.timedelta(hours=3, minutes=30)
    assert "taken as UTC+03:30 all year" in fixed.note


def test_outlook_time_zones_become_utc() -> None:
    meetings, problems = read(CALENDARS / "outlook-zones.ics")
    found = starts(meetings)
    # 09:00 in New York on 12 March 2024 (daylight saving began on the 10th) is 13:00 UTC
    assert found["Acme discovery (display-name zone, no VTIMEZONE)"] == [
        dt.datetime(2024, 3, 12, 13)
    ]
    assert found["Acme review (summer time)"] == [dt.datetime(2024, 8, 8, 13)]
    assert found["Nordstern Abstimmung (display-name zone with VTIMEZONE)"] == [
        dt.datetime(2024, 6, 5, 12)
    ]
    assert found["Acme follow-up (Windows zone name)"] == [dt.datetime(2024, 4, 10, 14)]
    assert found["Nordstern weekly (winter, Windows zone name)"] == [
        dt.datetime(2024, 1, 15, 8),
        dt.datetime(2024, 1, 29, 8),
    ]
    assert found["Acme lunch (IANA name)"] == [dt.datetime(2024, 7, 1, 16, 30)]
    assert found["Display name nobody lists"] == [dt.datetime(2024, 9, 3, 5, 30)]
    assert found["Zone nobody knows"] == [dt.datetime(2024, 9, 2, 9)]
    warnings = [p for p in problems if p.severity == "warning" and p.row > 0]
    assert [(p.file, p.row, p.field) for p in warnings] == [
        ("outlook-zones.ics", 7, "DTSTART"),
        ("outlook-zones.ics", 8, "DTSTART"),
    ]
    assert "unknown time zone 'Mars Standard Time': its times are taken as UTC" in (
        warnings[0].message
    )
    assert "event 'outlook-unknown-zone-0007'" in warnings[0].message
    assert re.search(r"line \d+", warnings[0].message)


def test_each_file_is_read_with_its_own_vtimezone() -> None:
    """Outlook names a zone of its own "Customized Time Zone"; two files may mean two zones."""
    first, _ = read(CALENDARS / "outlook-custom-zone-a.ics")
    second, _ = read(CALENDARS / "outlook-custom-zone-b.ics")
    assert [m.start for m in first] == [dt.datetime(2024, 5, 20, 7)]  # 09:00 at +02:00
    assert [m.start for m in second] == [dt.datetime(2024, 5, 20, 16)]  # 09:00 at -07:00


def test_what_is_skipped_is_counted() -> None:
    meetings, problems = read(CALENDARS / "apple-export.ics")
    file_warnings = [p.line() for p in problems if p.row == 0]
    assert file_warnings == [
        "apple-export.ics: 2 event(s) outside the import window"
        " (before 2021-06-01 or from 2025-01-01 on) skipped",
        "apple-export.ics: 1 cancelled occurrence(s) skipped (STATUS:CANCELLED)",
        "apple-export.ics: 2 occurrence(s) removed by EXDATE skipped",
    ]
    standup = starts(meetings)["Globex standup"]
    # five daily from 6 May 09:30 in Los Angeles, two EXDATE lines, two RDATE lines
    assert [d.day for d in standup] == [6, 9, 10, 13, 14]
    assert all(d.hour == 16 and d.minute == 30 for d in standup)


def test_one_event_without_a_start_is_rejected_alone() -> None:
    meetings, problems = read(CALENDARS / "apple-export.ics")
    errors = [p for p in problems if p.severity == "error"]
    assert [(p.row, p.field) for p in errors] == [(5, "DTSTART")]
    assert errors[0].message.startswith("no start time (event 'A1B2C3D4-0005")
    assert errors[0].cells == ("Globex workshop (no start)", "A1B2C3D4-0005-4E5F-8A9B-0C1D2E3F4A5B")
    assert "Globex standup" in starts(meetings)


def test_repeated_single_lines_are_read_not_a_traceback() -> None:
    """Two DTSTART lines gave "'list' object has no attribute 'dt'" from the expansion."""
    meetings, problems = read(CALENDARS / "apple-export.ics")
    assert starts(meetings)["Globex demo (two starts)"] == [dt.datetime(2024, 6, 12, 16)]
    demo = [p for p in problems if p.row == 6]
    assert [(p.field, p.severity) for p in demo] == [("DTSTART", "warning")]
    assert "2 DTSTART lines; the first is taken" in demo[0].message
    assert not any("attribute" in p.message for p in problems)


def test_two_dtend_lines_do_not_reach_the_user_as_a_python_error(tmp_path: Path) -> None:
    path = calendar_file(
        tmp_path,
        "twice.ics",
        "UID:twice\r\nSUMMARY:Twice\r\nDTSTART:20240301T090000Z\r\n"
        "DTEND:20240301T100000Z\r\nDTEND:20240301T110000Z",
    )
    meetings, problems = read(path)  # was: "cannot expand the recurring events ('list' object …)"
    assert [(m.start, m.minutes) for m in meetings] == [(dt.datetime(2024, 3, 1, 9), 60)]
    assert [(p.row, p.field, p.severity) for p in problems] == [(1, "DTEND", "warning")]


def test_google_birthdays_with_a_dated_rdate_in_utc() -> None:
    meetings, problems = read(CALENDARS / "google-birthdays.ics")
    found = starts(meetings)
    assert found["Happy birthday!"] == [dt.datetime(y, 12, 10) for y in (2021, 2022, 2023, 2024)]
    assert found["Contact One's birthday"] == [dt.datetime(y, 3, 4) for y in (2022, 2023, 2024)]
    assert problems == []


def test_several_calendars_in_one_file() -> None:
    meetings, problems = read(CALENDARS / "concatenated.ics")
    assert starts(meetings) == {
        "Initech intro": [dt.datetime(2024, 4, 15, 8)],
        "Initech follow-up": [dt.datetime(2024, 4, 16, 12)],  # 14:00 in Paris, summer
    }
    assert [m.number for m in meetings] == [1, 2]
    assert problems == []


def test_a_broken_recurrence_is_one_rejected_event(tmp_path: Path) -> None:
    path = calendar_file(
        tmp_path,
        "broken.ics",
        "UID:bad-rule\r\nSUMMARY:Bad rule\r\nDTSTART:20240301T090000Z\r\nRRULE:FREQ=SOMETIMES",
        "UID:bad-exdate\r\nSUMMARY:Bad exdate\r\nDTSTART:20240302T090000Z\r\n"
        "RRULE:FREQ=DAILY;COUNT=2\r\nEXDATE:garbage",
        "UID:good\r\nSUMMARY:Good\r\nDTSTART:20240303T090000Z",
    )
    meetings, problems = read(path)
    assert starts(meetings) == {
        "Bad exdate": [dt.datetime(2024, 3, 2, 9), dt.datetime(2024, 3, 3, 9)],
        "Good": [dt.datetime(2024, 3, 3, 9)],
    }
    assert [(p.row, p.field, p.severity) for p in problems] == [
        (1, "RRULE", "error"),
        (2, "EXDATE", "warning"),
    ]


def test_an_unreadable_vtimezone_block_refuses_nothing() -> None:
    """icalendar refuses a whole file for one VTIMEZONE it cannot read."""
    meetings, problems = read(CALENDARS / "outlook-broken-vtimezone.ics")
    assert starts(meetings)["Nordstern Abstimmung (display-name zone with VTIMEZONE)"] == [
        dt.datetime(2024, 6, 5, 12)  # 14:00 in Berlin, by the zone's display name
    ]
    assert len(meetings) == 9
    assert problems[0].line() == (
        "outlook-broken-vtimezone.ics, field VTIMEZONE: the VTIMEZONE block of '(UTC+01:00)"
        " Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna' (line 11) cannot be read: its times"
        " are read by the zone's name"
    )


def test_a_vtimezone_with_two_tzids_is_no_traceback(tmp_path: Path) -> None:
    """Found by the fuzz test: icalendar's parser raised AttributeError ('list' object has no
    attribute 'strip'), which reached the user as a traceback."""
    text = (CALENDARS / "outlook-zones.ics").read_text(encoding="utf-8")
    twice = text.replace("TZID:(UTC+01:00)", "TZID:Extra\r\nTZID:(UTC+01:00)", 1)
    path = tmp_path / "two-tzids.ics"
    path.write_text(twice, encoding="utf-8", newline="")
    meetings, problems = read(path)
    assert len(meetings) == 9
    assert problems[0].field == "VTIMEZONE"


def test_a_file_cut_short_gives_what_it_holds() -> None:
    meetings, problems = read(CALENDARS / "outlook-cut-short.ics")
    assert [m.start for m in meetings] == [
        dt.datetime(2024, 3, 12, 13),
        dt.datetime(2024, 6, 5, 12),
        dt.datetime(2024, 4, 10, 14),
    ]
    assert [p.line() for p in problems] == [
        "outlook-cut-short.ics: the file ends inside VCALENDAR › VEVENT (cut short?):"
        " what it holds is read"
    ]


def test_a_rule_that_recurs_every_hour_is_cut_with_a_warning(tmp_path: Path) -> None:
    path = calendar_file(
        tmp_path,
        "hourly.ics",
        "UID:hourly\r\nSUMMARY:Hourly\r\nDTSTART:20210701T000000Z\r\nRRULE:FREQ=HOURLY",
    )
    meetings, problems = read(path)  # was: every hour for three and a half years, 30,000 rows
    assert 4000 < len(meetings) <= 5000
    assert [p.line() for p in problems] == [
        "hourly.ics: 1 event(s) recur more than 5,000 times in the window: only about their"
        " first 5,000 occurrences are read"
    ]


def test_not_a_calendar(tmp_path: Path) -> None:
    path = tmp_path / "x.ics"
    path.write_text("this is not a calendar", encoding="utf-8")
    with pytest.raises(BadInputError, match="not an iCalendar file"):
        read(path)


# -- fuzzing: whatever the file, events and problems or one clean error, never a traceback -------

SEEDS = [
    *(p.read_text(encoding="utf-8") for p in sorted(CALENDARS.glob("*.ics"))),
    (DATA / "calendar" / "outlook-export.ics").read_text(encoding="utf-8"),
]
TZIDS = [
    "Eastern Standard Time",
    '"(UTC-05:00) Eastern Time (US & Canada)"',
    "(UTC+14:00) Kiritimati Island",
    "Europe/Berlin",
    "Mars/Olympus",
    "",
    '"',
    "../../etc/passwd",
    "Customized Time Zone",
    "America/Los_Angeles",
    "(UTC+99:99) Nowhere",
]
FUZZ_EXAMPLES = examples(200)


@st.composite
def mutated_calendars(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(["drop", "garble", "tzid", "duplicate", "swap", "truncate", "value"])
        )
        line = lines[i]
        if action == "drop":
            del lines[i]
        elif action == "duplicate":
            lines.insert(i, line)
        elif action == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif action == "truncate":
            lines = lines[:i]
        elif action == "tzid":
            tzid = draw(st.sampled_from(TZIDS))
            if "TZID" in line:
                lines[i] = re.sub(r"TZID=(\"[^\"]*\"|[^:;]*)", f"TZID={tzid}", line)
            else:
                lines[i] = re.sub(r"^(DTSTART|DTEND|EXDATE|RDATE)", rf"\1;TZID={tzid}", line)
        elif action == "value":
            head = line.split(":", 1)[0]
            value = draw(
                st.sampled_from(
                    [
                        "20240312T090000",
                        "20131210Z",
                        "2024031",
                        "",
                        "20240230",
                        "PT1H",
                        "X",
                        "FREQ=MINUTELY",
                        "FREQ=DAILY;BYHOUR=1,2;BYMINUTE=1,2,3",
                        "FREQ=WEEKLY;UNTIL=2024",
                        "FREQ=MONTHLY;COUNT=-1;BYDAY=9XX",
                        "CANCELLED",
                    ]
                )
                | st.text(max_size=20)
            )
            lines[i] = f"{head}:{value}"
        else:
            cut = draw(st.integers(0, len(line)))
            lines[i] = line[:cut] + draw(st.text(max_size=8)) + line[cut:]
    return "\r\n".join(lines) + "\r\n"


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=mutated_calendars())
def test_fuzzed_calendars_give_events_and_problems_or_a_clean_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzzed.ics"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            meetings, problems = read(path)
        except BadInputError as exc:
            event("refused: a clean BadInputError")
            assert "Traceback" not in str(exc)
            assert "object has no attribute" not in str(exc)
            return
    event("read: " + ("with problems" if problems else "clean"))
    event(
        "rejected events: " + ("some" if any(p.severity == "error" for p in problems) else "none")
    )
    for m in meetings:
        assert isinstance(m.start, dt.datetime) and m.start.tzinfo is None
    for p in problems:
        assert p.severity in ("error", "warning")
        assert "object has no attribute" not in p.message
        assert "object is not" not in p.message
