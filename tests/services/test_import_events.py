"""Importing event attendee lists: who is ours, who is theirs, who is a lead; idempotent; both
backends."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crestline.db.database import Database
from crestline.db.models import Account, Event, EventAttendee, Person, Seller
from crestline.errors import BadInputError
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.exports import export_events, export_salesforce
from crestline.services.imports.import_events import import_events
from crestline.services.imports.import_salesforce import import_salesforce

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def lists(tmp_path: Path) -> Path:
    folder = tmp_path / "lists"
    shutil.copytree(DATA / "events", folder)
    return folder


def attendees(
    db: Database, event: str = "Finance Leaders Summit 2026"
) -> dict[str, tuple[str | None, str | None, str | None, str | None]]:
    """Each attendee of an event (the Frankfurt summit): (their person, our seller, account,
    method)."""
    with db.reader() as s:
        rows = s.execute(
            select(
                EventAttendee.full_name,
                Person.full_name,
                Seller.full_name,
                Account.name,
                EventAttendee.match_method,
            )
            .join(Event, Event.id == EventAttendee.event_id)
            .outerjoin(Person, Person.id == EventAttendee.person_id)
            .outerjoin(Seller, Seller.id == EventAttendee.seller_id)
            .outerjoin(Account, Account.id == EventAttendee.account_id)
            .where(Event.name == event)
        ).all()
    return {
        name: (person, seller, account, method) for name, person, seller, account, method in rows
    }


def test_attendees_are_matched_to_our_people_and_theirs(crm: Database, lists: Path) -> None:
    summary = import_events(crm, LOCAL_ADMIN, lists / "attendees.csv")
    assert summary.matches == {"our_people": 4, "their_people": 6, "unmatched": 2}
    assert vars(summary.objects["Event"]) == {
        "read": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
    }
    a = summary.objects["Attendee"]
    assert (a.read, a.inserted, a.rejected) == (16, 12, 3)
    assert "attendees.csv: 1 exact duplicate row(s) skipped" in summary.warnings
    found = attendees(crm)
    bank = "Nordstern Bank AG"
    assert found["Anna Schmidt"] == ("Anna Schmidt", None, bank, "name+exact_name")  # "Last, First"
    assert found["Lena Vogel"] == ("Lena Vogel", None, bank, "name+exact_name")  # in capitals
    assert found["Tom Becker"] == ("Tom Becker", None, bank, "email")
    assert found["Wile E. Coyote"][0] == "Wile E. Coyote"  # "Acme, Inc." and "Coyote, Wile E."
    assert found["Renée Müller"] == (None, "Renée Müller", None, "name+our_company")
    assert found["José Núñez"][1] == "José Núñez"  # "Northbeam Systems, Inc."
    assert found["Jürgen Weiß"] == (None, "Jürgen Weiß", None, "email")
    # nobody is created from a list: a lead at an account, and one at a company we do not know
    assert found["Hans Gruber"] == (None, None, bank, "company_only+exact_name")
    assert found["Priya Raman"] == (None, None, None, None)
    with crm.reader() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 7
    with (lists / "attendees.errors.csv").open(encoding="utf-8") as fh:
        rejected = [
            (r["row"], r["field"], r["message"])
            for r in csv.DictReader(fh)
            if r["severity"] == "error"
        ]
    assert rejected == [
        ("16", "Event Date", "'31/02/2026' is not a date"),
        ("17", "Event Name", "required value is empty"),
        ("18", "Attendee Name", "no attendee name"),
    ]


def test_importing_again_changes_nothing_and_a_corrected_list_updates(
    crm: Database, lists: Path
) -> None:
    path = lists / "attendees.csv"
    import_events(crm, LOCAL_ADMIN, path)
    again = import_events(crm, LOCAL_ADMIN, path)
    assert (again.objects["Event"].inserted, again.objects["Event"].unchanged) == (0, 2)
    a = again.objects["Attendee"]
    assert (a.inserted, a.updated, a.unchanged) == (0, 0, 12)
    text = path.read_text(encoding="utf-8-sig")
    text = text.replace("Lena Vogel,NORDSTERN BANK AG,CFO,", "Lena Vogel,Nordstern,Group CFO,")
    text = text.replace('"Schmidt, Anna",Nordstern Bank,', "Dr. Anna Schmidt,Nordstern Bank,")
    path.write_text(text, encoding="utf-8-sig")
    corrected = import_events(crm, LOCAL_ADMIN, path)
    c = corrected.objects["Attendee"]
    # the same people however written: "Dr. Anna Schmidt" is unchanged, Lena has a new title
    assert (c.inserted, c.updated, c.unchanged) == (0, 1, 11)
    with crm.reader() as s:
        assert s.scalar(select(func.count()).select_from(EventAttendee)) == 12
        titles = s.execute(
            select(EventAttendee.title, EventAttendee.company).where(
                EventAttendee.full_name == "Lena Vogel"
            )
        ).all()
    assert sorted(titles) == [
        ("Chief Financial Officer", "Nordstern Bank AG"),
        ("Group CFO", "Nordstern"),
    ]


def test_semicolon_and_excel_lists_add_their_events(crm: Database, lists: Path) -> None:
    semi = import_events(crm, LOCAL_ADMIN, lists / "attendees-semicolon.csv")
    assert semi.matches == {"our_people": 1, "their_people": 2, "unmatched": 1}
    excel = import_events(crm, LOCAL_ADMIN, lists / "attendees.xlsx", errors_path=lists / "x.csv")
    assert excel.matches == {"our_people": 1, "their_people": 1, "unmatched": 0}
    assert excel.objects["Attendee"].rejected == 1
    with crm.reader() as s:
        events = dict(s.execute(select(Event.name, Event.source)).all())
        (place,) = s.execute(select(Event.place).where(Event.name == "CIO Roundtable DACH")).one()
    assert events == {"CIO Roundtable DACH": "csv", "Banking Tech Dinner": "xlsx"}
    assert place == "Kongresshaus, Zürich"


def test_a_dry_run_writes_nothing_and_strict_refuses_rejections(crm: Database, lists: Path) -> None:
    path = lists / "attendees.csv"
    dry = import_events(crm, LOCAL_ADMIN, path, dry_run=True)
    assert dry.dry_run and dry.objects["Attendee"].inserted == 12
    assert dry.errors_file == str(lists / "attendees.errors.csv")
    with pytest.raises(BadInputError, match=r"3 row\(s\) rejected, nothing written \(--strict\)"):
        import_events(crm, LOCAL_ADMIN, path, strict=True)
    with crm.reader() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0
        assert s.scalar(select(func.count()).select_from(EventAttendee)) == 0


def test_our_company_as_a_list_writes_it(crm: Database, tmp_path: Path) -> None:
    path = tmp_path / "dinner.csv"
    path.write_text(
        "Event,Date,Name,Company\nPartner Dinner,2026-05-04,Renée Müller,NB Sys\n", "utf-8"
    )
    unknown = import_events(crm, LOCAL_ADMIN, path, dry_run=True)
    assert unknown.matches == {"our_people": 0, "their_people": 0, "unmatched": 1}
    known = import_events(crm, LOCAL_ADMIN, path, our_company="NB Sys GmbH")
    assert known.matches == {"our_people": 1, "their_people": 0, "unmatched": 0}


def test_matching_accuracy_on_the_demo_world(
    small_world: Database, database: Database, tmp_path: Path
) -> None:
    """Export the demo world's CRM and its event lists, import both into an empty database:
    the attendees must land on the people and sellers the demo put on the lists."""
    export_salesforce(small_world, LOCAL_ADMIN, tmp_path / "sf")
    import_salesforce(database, LOCAL_ADMIN, tmp_path / "sf")
    export_events(small_world, LOCAL_ADMIN, tmp_path / "lists")

    def who(db: Database) -> set[tuple[str, str, str]]:
        with db.reader() as s:
            rows = s.execute(
                select(Event.name, Person.external_id, Seller.email)
                .join(EventAttendee, EventAttendee.event_id == Event.id)
                .outerjoin(Person, Person.id == EventAttendee.person_id)
                .outerjoin(Seller, Seller.id == EventAttendee.seller_id)
                .where(
                    (EventAttendee.person_id.is_not(None)) | EventAttendee.seller_id.is_not(None)
                )
            ).all()
        return {(event, person or "", seller or "") for event, person, seller in rows}

    truth = who(small_world)
    summary = import_events(database, LOCAL_ADMIN, tmp_path / "lists" / "events.csv")
    found = who(database)
    assert len(truth) > 100 and summary.objects["Attendee"].rejected == 0
    assert len(truth & found) / len(truth) >= 0.95, (len(truth & found), len(truth))
    assert len(found - truth) <= 0.02 * len(truth)  # few attendees land on the wrong person
    assert summary.matches is not None and summary.matches["unmatched"] > 0  # strangers kept


def test_an_account_named_like_us_is_theirs(crm: Database, tmp_path: Path) -> None:
    """Our company is known by the stem of our email domain ("Northbeam …"), but an account
    whose name starts the same way is a customer: its people are theirs, not colleagues."""
    with crm.transaction() as s:
        account = Account(name="Northbeam Logistics", source="salesforce", external_id="001NL")
        s.add(account)
        s.flush()
        s.add(
            Person(
                first_name="Jane",
                last_name="Roe",
                full_name="Jane Roe",
                title="CFO",
                account_id=account.id,
                source="salesforce",
                external_id="003NL",
            )
        )
    path = tmp_path / "dinner.csv"
    path.write_text(
        "Event,Date,Name,Company,Email\n"
        "Partner Dinner,2026-05-04,Jane Roe,Northbeam Logistics,\n"
        "Partner Dinner,2026-05-04,Max Ray,Northbeam Logistics AG,\n"
        "Partner Dinner,2026-05-04,Renée Müller,Northbeam Systems,\n"
        "Partner Dinner,2026-05-04,Sam Lee,Northbeam Systems,\n"
        "Partner Dinner,2026-05-04,Kim Poe,Northbeam Logistics,kim.poe@northbeam.io\n",
        "utf-8",
    )
    summary = import_events(crm, LOCAL_ADMIN, path)
    assert summary.matches == {"our_people": 1, "their_people": 1, "unmatched": 3}
    found = attendees(crm, "Partner Dinner")
    assert found["Jane Roe"] == ("Jane Roe", None, "Northbeam Logistics", "name+exact_name")
    assert found["Max Ray"] == (None, None, "Northbeam Logistics", "company_only+exact_name")
    assert found["Renée Müller"] == (None, "Renée Müller", None, "name+our_company")
    assert found["Sam Lee"] == (None, None, None, "our_company")  # a colleague we do not know
    assert found["Kim Poe"] == (None, None, None, "our_company")  # our email domain: ours


def test_a_value_too_long_to_keep_rejects_its_row_on_both_backends(
    database: Database, tmp_path: Path
) -> None:
    """PostgreSQL refuses a value longer than its column (SQLite would keep it): the row is
    rejected naming its field, the rest of the list is imported."""
    path = tmp_path / "long.csv"
    path.write_text(
        "Event,Date,Name,Company,Title,Location\n"
        f"Summit,2026-05-04,Ann Bee,{'C' * 201},CFO,Paris\n"
        f"Summit,2026-05-04,Bob Cox,Acme,{'T' * 301},Paris\n"
        f"Summit,2026-05-04,Cy Dunn,Acme,CTO,{'P' * 201}\n"
        f"{'E' * 301},2026-05-04,Di Earl,Acme,CTO,Paris\n"
        "Summit,2026-05-04,Eve Fox,Acme,CEO,Paris\n",
        "utf-8",
    )
    summary = import_events(database, LOCAL_ADMIN, path)
    assert summary.objects["Attendee"].rejected == 4 and summary.objects["Attendee"].inserted == 1
    with (tmp_path / "long.errors.csv").open(encoding="utf-8") as fh:
        rejected = [
            (r["row"], r["field"], r["message"])
            for r in csv.DictReader(fh)
            if r["severity"] == "error"
        ]
    assert rejected == [
        ("2", "Company", "longer than 200 characters"),
        ("3", "Title", "longer than 300 characters"),
        ("4", "Location", "longer than 200 characters"),
        ("5", "Event", "longer than 300 characters"),
    ]
