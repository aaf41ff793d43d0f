"""Reading event attendee lists: comma, semicolon or Excel; names, places and dates as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crestline.errors import BadInputError
from crestline.ingest.columns import ReadStats
from crestline.ingest.events import Attendee, open_attendees, read_attendees
from crestline.ingest.records import Problem
from crestline.ingest.tabular import sniff_delimiter
from tests.fuzzing import examples

DATA = Path(__file__).resolve().parent.parent / "data" / "events"


def read(path: Path) -> tuple[list[Attendee], list[Problem], ReadStats]:
    problems: list[Problem] = []
    stats = ReadStats()
    found = list(read_attendees(open_attendees(path), on_problem=problems.append, stats=stats))
    return found, problems, stats


def test_the_organisers_list_with_its_quirks() -> None:
    found, problems, stats = read(DATA / "attendees.csv")
    assert stats.read == 16 and stats.duplicates == 1  # the preamble is not a row
    assert len(found) == 12
    anna = found[0]
    assert (anna.first_name, anna.last_name, anna.company) == ("Anna", "Schmidt", "Nordstern Bank")
    assert (anna.event, anna.starts_on, anna.ends_on) == (
        "Finance Leaders Summit 2026",
        dt.date(2026, 10, 14),  # 14/10: the column is day first, so 03/03 is 3 March
        dt.date(2026, 10, 15),
    )
    assert anna.record.row is not None and anna.record.row.number == 4
    coyote = next(a for a in found if a.last_name == "Coyote")
    assert (coyote.full_name, coyote.company) == ("Wile E. Coyote", "Acme, Inc.")
    weiss = next(a for a in found if a.last_name == "Weiß")
    assert weiss.email == "jurgen.weiss@northbeam.io"  # lower-cased
    paris = next(a for a in found if a.event == "Retail Innovation Forum")
    assert paris.starts_on == dt.date(2026, 3, 3) and paris.place == "Paris, Palais des Congrès"
    assert [(p.row, p.field, p.message) for p in problems] == [
        (16, "Event Date", "'31/02/2026' is not a date"),
        (17, "Event Name", "required value is empty"),
        (18, "Attendee Name", "no attendee name"),
    ]
    assert all(p.file == "attendees.csv" and p.severity == "error" for p in problems)


def test_a_semicolon_list_in_windows_1252_with_venue_and_city() -> None:
    found, problems, _ = read(DATA / "attendees-semicolon.csv")
    assert not problems
    assert [(a.first_name, a.last_name) for a in found][2] == ("Renée", "Müller")
    assert {a.place for a in found} == {"Kongresshaus, Zürich"}
    assert {a.starts_on for a in found} == {dt.date(2026, 11, 12)}
    assert found[0].company == "Nordstern Bank GmbH" and found[3].email == (
        "klaus.fremd@unbekannt.example"
    )


def test_an_excel_list() -> None:
    found, problems, _ = read(DATA / "attendees.xlsx")
    assert [(a.full_name, a.starts_on) for a in found] == [
        ("Lena Vogel", dt.date(2026, 6, 18)),
        ("José Núñez", dt.date(2026, 6, 18)),
    ]
    assert [(p.row, p.field, p.message) for p in problems] == [
        (4, "Date", "'not a date' is not a date")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Name,Company\nAnna Schmidt,Acme\n", "no header row with an event column"),
        ("Event,Name,Company\nSummit,Anna,Acme\n", "no 'Date' column (required)"),
    ],
)
def test_lists_that_cannot_be_read(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "list.csv"
    path.write_text(text)
    with pytest.raises(BadInputError, match=re.escape(message)):
        read(path)


def test_an_end_before_the_start_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Event,Date,End Date,Name\nSummit,2026-05-04,2026-05-01,Anna Schmidt\n")
    (found,), (problem,), _ = read(path)
    assert found.ends_on is None and problem.severity == "warning"
    assert problem.field == "End Date" and "before it starts" in problem.message


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2;3\n", ";"),
        ('name;company\n"Schmidt, Anna";Acme, Inc.\n"Vogel, Lena";Acme\n', ";"),
        ("a\tb\n1\t2\n", "\t"),
        ("just one column\nand another line\n", ","),
    ],
)
def test_sniffing_the_delimiter(sample: str, expected: str) -> None:
    assert sniff_delimiter(sample, ",;\t") == expected


cell = st.text(alphabet="abcXYZ 019,;\"'éü-", max_size=12)


@settings(max_examples=examples(80), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=4, max_size=4), min_size=2, max_size=12),
    delimiter=st.sampled_from([",", ";"]),
)
def test_any_list_reads_back_the_same_names(
    tmp_path: Path, rows: list[list[str]], delimiter: str
) -> None:
    """Whatever the cells hold, a comma or a semicolon list gives back each row's event and
    company as written (trimmed), or names the row that could not be taken."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(["Event", "Date", "Name", "Company"])
    for event, name, company, _ in rows:
        writer.writerow([f"E{event}", "2026-05-04", f"N{name}", company])
    path = tmp_path / "list.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    found, problems, stats = read(path)
    assert stats.read == len(rows)
    assert len(found) + len(problems) + stats.duplicates == len(rows)
    written = {(f"E{r[0]}".strip(), (r[2].strip() or None)) for r in rows}
    assert {(a.event, a.company) for a in found} <= {
        (" ".join(e.split()), c and " ".join(c.split())) for e, c in written
    }
