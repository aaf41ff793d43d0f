"""Exports as users really bring them (issue #12): the files in tests/data/real-shaped.

Each test reads a file through the shared readers (ingest.tabular, ingest.values, ingest.columns)
and the importer's own column map, as the import services do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crestline.errors import BadInputError
from crestline.ingest import hubspot, salesforce, sfid, values
from crestline.ingest.columns import ObjectSpec, ReadStats, read_records
from crestline.ingest.events import open_attendees, read_attendees
from crestline.ingest.linkedin import open_connections, read_connections
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import open_table
from tests.fuzzing import examples

DATA = Path(__file__).parents[1] / "data" / "real-shaped"


def _read(path: Path, spec: ObjectSpec) -> tuple[dict[str, Record], list[Problem]]:
    problems: list[Problem] = []
    records = read_records(open_table(path), spec, on_problem=problems.append, stats=ReadStats())
    return {r.key: r for r in records}, problems


def _lines(problems: list[Problem]) -> list[str]:
    return [p.line() for p in problems]


# 1. Encodings and separators


def test_utf8_export_with_one_stray_windows_1252_byte() -> None:
    """Old: the whole file fell back to Windows-1252 and failed on Á (C3 81), ď, ō, 🚀 …"""
    records, problems = _read(DATA / "salesforce-stray-byte" / "Account.csv", salesforce.ACCOUNT)
    names = [r.fields["name"] for r in records.values()]
    assert names == [
        "Álvaro Logística S.A.",
        "Nový Dvůr Energie s.r.o.",
        "Ōsaka Precision KK",
        "Café Lumière SARL",  # the one line that was not UTF-8, repaired
        "Đurđević d.o.o. 🚀",
        "Sŝ Rocket Labs 👍",
    ]
    repaired = [p for p in problems if "not valid UTF-8" in p.message]
    assert [p.line() for p in repaired] == [
        "Account.csv: row 5 not valid UTF-8 (stray bytes of another encoding): read as "
        "Windows-1252; check their accented letters"
    ]
    assert repaired[0].severity == "warning"


def test_the_repaired_rows_are_spreadsheet_rows(tmp_path: Path) -> None:
    """A quoted value over two lines: the row, not the line, is named."""
    path = tmp_path / "Contact.csv"
    path.write_bytes(
        b'Id,LastName,Title\n1,"N\xc3\xba\xc3\xb1ez","Head of\nOperations"\n'
        b"2,Ferr\xe9,CFO\n3,\xc3\x98ster,CTO\n"
    )
    table = open_table(path)
    rows = [(r.number, r.cells[1]) for r in table.rows()]
    assert rows == [(2, "Núñez"), (3, "Ferré"), (4, "Øster")]
    assert table.repaired_rows == [3]
    assert table.encoding == "utf-8+cp1252"


@pytest.mark.parametrize("name", ["attendees-unicode-text.txt", "attendees-utf16-no-bom.txt"])
def test_excel_unicode_text_utf16_tab_separated(name: str) -> None:
    """Old: 'no recognisable header row'."""
    table = open_attendees(DATA / name)
    assert table.delimiter == "\t"
    problems: list[Problem] = []
    attendees = list(read_attendees(table, on_problem=problems.append, stats=ReadStats()))
    assert [(a.first_name, a.last_name, a.company) for a in attendees] == [
        ("Anna", "Schmidt", "Nordstern Bank"),
        ("Renée", "Müller", "Northbeam Systems"),
        ("Ōta", "Kenji", "Ōsaka Precision KK"),
    ]
    assert {a.starts_on for a in attendees} == {dt.date(2026, 10, 14)}
    assert problems == []


def test_cyrillic_windows_1251_is_not_read_as_1252(tmp_path: Path) -> None:
    path = tmp_path / "sellers.csv"
    path.write_bytes(
        "name,email,title\r\nИван Петров,ivan.petrov@example.ru,Директор по продажам\r\n"
        "Мария Иванова,maria.ivanova@example.ru,Менеджер\r\n".encode("cp1251")
    )
    table = open_table(path)
    assert table.encoding == "cp1251"
    assert [r.cells[0] for r in table.rows()] == ["Иван Петров", "Мария Иванова"]


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("Id;Name;Amount\n1;Acme;1.234,50\n2;Beta;99\n", ";"),
        ("Id\tName\tAmount\n1\tAcme, Inc.\t1234.50\n", "\t"),
        ("Id|Name|Amount\n1|Acme, Inc.|1234.50\n2|Beta|7\n", "|"),
        ('Id,Name,Amount\n1,"Acme; Beta",1234.50\n', ","),
    ],
)
def test_separators_are_sniffed_for_every_import(tmp_path: Path, text: str, delimiter: str) -> None:
    path = tmp_path / "Account.csv"
    path.write_text(text, encoding="utf-8")
    table = open_table(path)  # as the Salesforce, HubSpot and sellers imports open files
    assert table.delimiter == delimiter
    assert table.keys == ["id", "name", "amount"]


# 2. Dates, one reader for every importer


def _connections(name: str) -> tuple[list[dt.date | None], list[Problem]]:
    problems: list[Problem] = []
    found = list(read_connections(open_connections(DATA / name), problems))
    return [c.connected_on for c in found], problems


def test_linkedin_resaved_in_a_us_locale_is_month_first() -> None:
    """Old: read day first whatever the column said: 5/3/2024 became 5 March, 5/30 dropped."""
    dates, problems = _connections("Connections-us-resaved.csv")
    assert dates == [dt.date(2024, 5, 3), dt.date(2024, 5, 30), dt.date(2023, 12, 1)]
    assert problems == []  # 5/30/2024 told the order: nothing was guessed


def test_linkedin_dates_with_times_and_a_guessed_order_say_so() -> None:
    """Old: '1/8/18, 6:14 PM' was no date: both dropped."""
    dates, problems = _connections("Connections-with-times.csv")
    assert dates == [dt.date(2018, 1, 8), dt.date(2019, 3, 4)]
    assert _lines(problems) == [
        "Connections-with-times.csv, row 5, field Connected On: dates such as '1/8/18, 6:14 PM' "
        "could be day or month first and no value in the column tells; read month first (as "
        "US-style exports write them)"
    ]


def test_linkedin_spreadsheet_date_forms() -> None:
    """Old: 23-Apr-23 and the Excel serial 45292 were dropped with a warning."""
    dates, problems = _connections("Connections-spreadsheet-dates.csv")
    assert dates == [dt.date(2023, 4, 23), dt.date(2024, 1, 1), dt.date(2023, 4, 23)]
    assert problems == []


def test_european_report_reads_ambiguous_dates_day_first_and_says_so() -> None:
    """Semicolons and decimal commas: 05/03/2024 is 5 March; old: 3 May, silently."""
    records, problems = _read(
        DATA / "salesforce-european" / "Opportunity.csv", salesforce.OPPORTUNITY
    )
    first, second = records.values()
    assert first.fields["close_date"] == dt.date(2024, 3, 5)
    assert first.fields["created_on"] == dt.date(2024, 1, 2)
    assert second.fields["close_date"] == dt.date(2024, 4, 11)
    assert first.fields["amount_minor"] == 25_000_000
    assert second.fields["amount_minor"] == 1_250_050
    lines = _lines(problems)
    assert len(lines) == 2 and all("read day first (the file's locale" in ln for ln in lines)
    assert lines[0].startswith(
        "Opportunity.csv, row 2, field CloseDate: dates such as '05/03/2024'"
    )


def test_hubspot_deals_through_the_same_reader() -> None:
    """Pipes; d-Mon-yy and Excel serial close dates; a date-time with AM/PM; E-notation."""
    records, problems = _read(DATA / "hubspot-deals-pipe.csv", hubspot.DEAL)
    renewal, expansion = records["9001"].fields, records["9002"].fields
    assert renewal["close_date"] == dt.date(2023, 4, 23)
    assert expansion["close_date"] == dt.date(2024, 1, 1)
    assert renewal["created"] == dt.datetime(2018, 1, 8, 18, 14)
    assert expansion["created"] == dt.datetime(2023, 12, 4, 9, 30)
    assert renewal["amount_minor"] == 15_000_000
    assert expansion["amount_minor"] == 1_200_000
    assert [p.field for p in problems] == ["Create Date"]  # 1/8/18 alone: month first, guessed


@pytest.mark.parametrize(
    ("column", "order"),
    [
        (["5/3/2024", "5/30/2024"], False),  # a second part above 12: month first
        (["5/3/2024", "30/5/2024"], True),  # a first part above 12: day first
        (["2024-05-03", "23 Apr 2023"], False),  # nothing numeric: nothing to decide
    ],
)
def test_date_order_per_column(column: list[str], order: bool) -> None:
    decided = values.date_order(column)
    assert decided.dayfirst is order and not decided.guessed


def test_ambiguous_column_follows_the_locale_hint() -> None:
    assert values.date_order(["5/3/2024"], dayfirst_hint=True).dayfirst is True
    us = values.date_order(["5/3/2024"])
    assert us.dayfirst is False and us.guessed and "month first" in us.note()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-03T14:22:11.000+0000", dt.datetime(2024, 5, 3, 14, 22, 11)),
        ("1/8/18, 6:14 PM", dt.datetime(2018, 1, 8, 18, 14)),
        ("1/8/18 12:05 AM", dt.datetime(2018, 1, 8, 0, 5)),
        ("5/3/2024 14:22", dt.datetime(2024, 5, 3, 14, 22)),
        ("03.05.2024 14:22:05", dt.datetime(2024, 5, 3, 14, 22, 5)),
        ("May 3, 2024 2:30 PM", dt.datetime(2024, 5, 3, 14, 30)),
        ("23-Apr-23 09:15", dt.datetime(2023, 4, 23, 9, 15)),
        ("45292.75", dt.datetime(2024, 1, 1, 18, 0)),
        ("2024/05/03 10:00 +02:00", dt.datetime(2024, 5, 3, 8, 0)),
    ],
)
def test_date_times(raw: str, expected: dt.datetime) -> None:
    assert values.parse_datetime(raw) == expected


@pytest.mark.parametrize("raw", ["31/02/2024", "13/13/2024", "1/8/18, 25:14", "Smarch 3, 2024"])
def test_impossible_dates_are_errors(raw: str) -> None:
    with pytest.raises(ValueError, match="is not a date"):
        values.parse_datetime(raw)


# 3. Numbers


def test_data_loader_e_notation_and_unreadable_numbers() -> None:
    """Old: AnnualRevenue 1.39E8 was stored as 1.40, and 'about 3 million' as 3.00."""
    records, problems = _read(DATA / "salesforce-data-loader" / "Account.csv", salesforce.ACCOUNT)
    rows = {
        k: (r.fields["annual_revenue_minor"], r.fields["employees"]) for k, r in records.items()
    }
    assert rows == {
        "001Dn00000Aa101AAA": (13_900_000_000, 4200),
        "001Dn00000Aa102AAA": (2_500_000_000, None),
        "001Dn00000Aa103AAA": (4_500_000_000, 310),
        "001Dn00000Aa104AAA": (125_000_050, 85),
        "001Dn00000Aa105AAA": (None, 1200),
    }
    assert _lines(problems) == [
        "Account.csv, row 6, field ANNUALREVENUE: 'about 3 million' is not an amount; left empty"
    ]


def test_stray_byte_file_numbers_too() -> None:
    records, _ = _read(DATA / "salesforce-stray-byte" / "Account.csv", salesforce.ACCOUNT)
    revenue = [r.fields["annual_revenue_minor"] for r in records.values()]
    assert revenue == [13_900_000_000, 2_500_000_000, 4_500_000_000, 125_000_050, 120_000_000, None]


def test_european_thousands_and_decimal_commas() -> None:
    """Old: NumberOfEmployees '1.200' became 1 (not 1200), silently."""
    records, problems = _read(DATA / "salesforce-european" / "Account.csv", salesforce.ACCOUNT)
    rows = [(r.fields["annual_revenue_minor"], r.fields["employees"]) for r in records.values()]
    assert rows == [(123_456_789, 1200), (95_000_000, 85), (250, 12)]
    assert [r.fields["name"] for r in records.values()][1] == "Müller & Söhne GmbH"
    assert problems == []


@pytest.mark.parametrize(
    ("raw", "decimal_comma", "expected"),
    [
        ("1.39E8", None, "139000000"),
        ("1,39E+08", True, "139000000"),
        ("2.5e-1", None, "0.25"),
        ("1.234", True, "1234"),
        ("1.234", False, "1.234"),
        ("1,234", True, "1.234"),
        ("1,234", None, "1234"),
        ("(1,234.50)", None, "-1234.50"),
        ("CHF 1'234.50", None, "1234.50"),
    ],
)
def test_numbers(raw: str, decimal_comma: bool | None, expected: str) -> None:
    assert values.parse_decimal(raw, decimal_comma) == values.parse_decimal(expected)


@pytest.mark.parametrize("raw", ["about 300", "1,23,4", "12.5.6,7", "1.2.3", "--5", "E8"])
def test_unreadable_numbers_are_errors(raw: str) -> None:
    with pytest.raises(ValueError, match="is not an amount"):
        values.parse_decimal(raw)


def test_whole_numbers_are_whole() -> None:
    assert values.parse_int("1.2E3") == 1200
    assert values.parse_int("1.200", True) == 1200
    with pytest.raises(ValueError, match="not a whole number"):
        values.parse_int("12.5")


# 4. Salesforce's null id


def test_salesforce_null_id_is_an_empty_reference() -> None:
    """Old: 000000000000000AAA was a reference to a record nobody has (a 'not found' warning
    for every such row at import)."""
    accounts, problems = _read(DATA / "salesforce-data-loader" / "Account.csv", salesforce.ACCOUNT)
    assert [a.refs["parent"] for a in accounts.values()][:3] == [None, None, "001Dn00000Aa102AAA"]
    assert accounts["001Dn00000Aa102AAA"].refs["owner"] is None  # 15 zeros
    contacts, problems = _read(DATA / "salesforce-data-loader" / "Contact.csv", salesforce.CONTACT)
    refs = [(c.refs["account"], c.refs["reports_to"]) for c in contacts.values()]
    assert refs == [
        ("001Dn00000Aa101AAA", None),
        ("001Dn00000Aa101AAA", "003Dn00000Cc101AAA"),
        (None, None),  # a contact outside any account
    ]
    assert problems == []
    assert sfid.is_null("000000000000000AAA") and not sfid.is_null("001Dn00000Aa101AAA")


def test_a_required_reference_to_the_null_id_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "Opportunity.csv"
    path.write_text(
        "Id,AccountId,Name,StageName\n006Dn00000Ce001AAA,000000000000000AAA,Deal,Prospecting\n",
        encoding="utf-8",
    )
    records, problems = _read(path, salesforce.OPPORTUNITY)
    assert records == {}
    assert _lines(problems) == ["Opportunity.csv, row 2, field AccountId: required value is empty"]


# Whatever the bytes, a one-line error or rows: never a traceback


@settings(max_examples=examples(150), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.lists(st.text(alphabet='aZ09 ,;"\nÁďōĐéü€🚀👍', max_size=8), min_size=3, max_size=3),
        min_size=1,
        max_size=8,
    ),
    stray=st.integers(min_value=0, max_value=7),
)
def test_one_row_in_windows_1252_among_utf8_rows(
    tmp_path: Path, rows: list[list[str]], stray: int
) -> None:
    """Only the row that is not UTF-8 is read otherwise; every other row keeps its text."""
    path = tmp_path / "Account.csv"
    legacy = ["Café", "Ärzte GmbH", "€ 5"]
    body = [["Id", "Name", "Note"], *rows]
    body.insert(1 + min(stray, len(rows)), legacy)
    parts = []
    for r in body:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(r)
        parts.append(buffer.getvalue().encode("cp1252" if r is legacy else "utf-8"))
    # a file that is mostly UTF-8: enough UTF-8 lines beyond ASCII to tell
    parts.append("9,Ōsaka Precision KK,Ð\r\n8,Đurđević,🚀\r\n".encode())
    path.write_bytes(b"".join(parts))
    table = open_table(path, delimiters=",")
    read = [r.cells for r in table.rows()]
    expected = [r for r in body[1:] if any(c.strip() for c in r)]
    expected += [["9", "Ōsaka Precision KK", "Ð"], ["8", "Đurđević", "🚀"]]
    assert read == expected
    assert len(table.repaired_rows) == 1
    numbered = [r for r in open_table(path, delimiters=",").rows() if r.cells == legacy]
    assert table.repaired_rows == [numbered[0].number]


@settings(max_examples=examples(200), suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300))
def test_any_bytes_are_rows_or_a_one_line_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"Id,AccountId,Name,StageName,Amount,CloseDate\r\n" + content)
    try:
        _read(path, salesforce.OPPORTUNITY)
    except BadInputError as exc:
        assert "\n" not in str(exc)


def test_activities_csv_dates_are_read_in_the_columns_order(tmp_path: Path) -> None:
    """The activities CSV goes through the same per-column date reader as every importer: a
    day-first column (13/03/2024 tells) is read day first, not rejected as month 13."""
    from crestline.ingest.calendar import ACTIVITY

    path = tmp_path / "activities.csv"
    path.write_text(
        "kind,date,subject,seller_email,attendee_emails\n"
        "meeting,05/03/2024 10:00,Kickoff,ana@ourco.example,dana@harborview.example\n"
        "call,13/03/2024 16:30,Follow-up,ana@ourco.example,dana@harborview.example\n",
        encoding="utf-8",
    )
    records, problems = _read(path, ACTIVITY)
    assert [r.fields["when"] for r in records.values()] == [
        dt.datetime(2024, 3, 5, 10, 0),
        dt.datetime(2024, 3, 13, 16, 30),
    ]
    assert not [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("Norwegen", "NO"),  # German
        ("Allemagne", "DE"),  # French
        ("Países Bajos", "NL"),  # Spanish
        ("Paises Bajos", "NL"),  # … without its accent
        ("Regno Unito", "GB"),  # Italian
        ("Zwitserland", "CH"),  # Dutch
        ("Estados Unidos", "US"),  # Spanish and Portuguese
        ("Niemcy", "DE"),  # Polish
        ("Germany", "DE"),
        ("de", "DE"),
    ],
)
def test_country_names_in_the_languages_exports_are_written_in(written: str, code: str) -> None:
    assert values.country_code(written) == code


def test_an_unknown_country_is_still_refused() -> None:
    with pytest.raises(ValueError, match="is not a country Crestline knows"):
        values.country_code("Atlantis")
