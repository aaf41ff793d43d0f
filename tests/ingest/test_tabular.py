"""The CSV layer: whatever a spreadsheet or a CRM writes, we read back the same cells."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crestline.errors import BadInputError
from crestline.ingest import values
from crestline.ingest.tabular import open_table
from tests.fuzzing import examples

cell = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00")
    | st.sampled_from([",", '"', "\n", " ", "é", "ß", "€"]),
    max_size=20,
)
cp1252_cell = st.text(alphabet="abcXYZ 019,\"'\néèüßÄ€-", max_size=15)


def _write(path: Path, rows: list[list[str]], *, encoding: str, newline: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=15),
    encoding=st.sampled_from(["utf-8", "utf-8-sig"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_utf8_round_trip(
    tmp_path: Path, rows: list[list[str]], encoding: str, newline: str
) -> None:
    path = tmp_path / "t.csv"
    _write(path, [["Id", "Name", "Title"], *rows], encoding=encoding, newline=newline)
    table = open_table(path)
    assert table.keys == ["id", "name", "title"]
    read = [r.cells for r in table.rows()]
    expected = [r for r in rows if any(c.strip() for c in r)]
    assert read == expected


@settings(max_examples=examples(80), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cp1252_cell, min_size=2, max_size=2), min_size=1, max_size=10))
def test_windows_1252_round_trip(tmp_path: Path, rows: list[list[str]]) -> None:
    path = tmp_path / "t.csv"
    rows = [*rows, ["Müller", "€ 5"]]  # a byte that is not UTF-8 makes the file Windows-1252
    _write(path, [["First Name", "Last Name"], *rows], encoding="cp1252", newline="\r\n")
    table = open_table(path)
    assert table.encoding == "cp1252"
    assert [r.cells for r in table.rows()] == [r for r in rows if any(c.strip() for c in r)]


def test_row_numbers_count_records_not_lines(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('Id,Title\n1,"two\nlines"\n\n2,x\n', encoding="utf-8")
    assert [(r.number, r.cells[0]) for r in open_table(path).rows()] == [(2, "1"), (4, "2")]


def test_header_after_a_preamble(tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    path.write_text(
        'Notes:\n"When exporting, some emails are missing, see https://x"\n\n'
        "First Name,Last Name,URL\nMax,Muster,https://www.linkedin.com/in/max\n",
        encoding="utf-8",
    )
    table = open_table(path, is_header=lambda keys: keys[:1] == ["first name"])
    assert table.header_row == 4 and [r.number for r in table.rows()] == [5]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "no recognisable header"), (b"Notes:\nnothing here\n", "no recognisable header")],
)
def test_unusable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(BadInputError, match=message):
        open_table(path, is_header=lambda keys: keys[:1] == ["first name"])
    with pytest.raises(BadInputError, match="no such file"):
        open_table(tmp_path / "missing.csv")


@pytest.mark.parametrize(
    ("raw", "minor"),
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("1.234,50", 123450),
        ("$ 1,234", 123400),
        ("EUR 1 234,5", 123450),
        ("1.234.567", 123456700),
        ("-20", -2000),
    ],
)
def test_amounts(raw: str, minor: int) -> None:
    assert values.to_minor(values.parse_decimal(raw)) == minor


@pytest.mark.parametrize(
    ("raw", "dayfirst", "iso"),
    [
        ("2024-03-05", False, "2024-03-05"),
        ("2024-03-05T23:30:00.000Z", False, "2024-03-05"),
        ("05 Mar 2024", False, "2024-03-05"),
        ("5 März 2024", False, "2024-03-05"),
        ("3/5/2024", False, "2024-03-05"),
        ("5/3/2024", True, "2024-03-05"),
        ("05.03.2024", False, "2024-03-05"),
        ("25/12/2024", False, "2024-12-25"),
        ("Mar 5, 2024", False, "2024-03-05"),
    ],
)
def test_dates(raw: str, dayfirst: bool, iso: str) -> None:
    assert values.parse_date(raw, dayfirst=dayfirst).isoformat() == iso


def test_datetimes_become_naive_utc() -> None:
    assert values.parse_datetime("2026-08-20T14:00:00+0200").isoformat() == "2026-08-20T12:00:00"
    assert values.parse_datetime("2026-08-20T14:00:00.000Z").isoformat() == "2026-08-20T14:00:00"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.com/en/", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("www.nordstern-bank.de", "nordstern-bank.de"),
    ],
)
def test_domains(raw: str, expected: str) -> None:
    assert values.domain_of(raw) == expected


def test_countries_and_booleans() -> None:
    assert [values.country_code(c) for c in ("Germany", "USA", "de", "Deutschland", "U.K.")] == [
        "DE",
        "US",
        "DE",
        "DE",
        "GB",
    ]
    assert [values.parse_bool(b) for b in ("TRUE", "true", "1", "false", "0", "FALSE")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(ValueError, match="not true or false"):
        values.parse_bool("maybe")
