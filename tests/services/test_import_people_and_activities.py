"""Importing our sellers from a CSV, and activities from calendars and CSVs, on both backends."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Activity, ActivityPerson, Person, Seller
from crestline.errors import BadInputError
from crestline.ingest.names import split_name
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_activities import import_activities
from crestline.services.imports.import_salesforce import import_salesforce
from crestline.services.imports.import_sellers import import_sellers

DATA = Path(__file__).resolve().parent.parent / "data"
TODAY = dt.date(2026, 11, 1)


def test_sellers_with_their_managers(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "sellers.csv"
    shutil.copy(DATA / "sellers" / "sellers.csv", path)
    summary = import_sellers(database, LOCAL_ADMIN, path)
    c = summary.objects["Seller"]
    assert (c.read, c.inserted, c.rejected) == (10, 8, 1)
    warnings = "\n".join(summary.warnings)
    assert "'wizard' is not a role" in warnings and "ghost@northbeam.io not found" in warnings
    with database.reader() as s:
        by_email = {x.email: x for x in s.scalars(select(Seller))}
    jose = by_email["jose.nunez@northbeam.io"]
    assert (jose.first_name, jose.last_name, jose.role) == ("José", "Núñez García", "rvp")
    assert by_email["daniel.okafor@northbeam.io"].full_name == "Daniel Okafor"  # "Okafor, Daniel"
    assert jose.manager_id == by_email["daniel.okafor@northbeam.io"].id
    assert by_email["ivy.chen@northbeam.io"].role == "account_executive"  # from the title
    assert by_email["leo.marchetti@northbeam.io"].manager_id is None
    again = import_sellers(database, LOCAL_ADMIN, path)
    assert again.objects["Seller"].unchanged == 8 and again.objects["Seller"].updated == 0


def test_a_seller_known_from_salesforce_is_updated_not_duplicated(
    database: Database, tmp_path: Path
) -> None:
    sf = tmp_path / "sf"
    shutil.copytree(DATA / "salesforce" / "quirks", sf)
    import_salesforce(database, LOCAL_ADMIN, sf)
    path = tmp_path / "team.csv"
    path.write_text(
        "name,email,title,manager_email,role,territory\n"
        "Jürgen Weiß,JURGEN.WEISS@northbeam.io,Strategic Account Executive,,ae,DACH\n",
        encoding="utf-8",
    )
    summary = import_sellers(database, LOCAL_ADMIN, path)
    assert summary.objects["Seller"].updated == 1 and summary.objects["Seller"].inserted == 0
    with database.reader() as s:
        jurgen = s.scalars(select(Seller).where(Seller.email == "jurgen.weiss@northbeam.io")).one()
        assert (jurgen.territory, jurgen.source) == ("DACH", "salesforce")


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Dr. Anna-Lena von der Heide", "Anna-Lena", "von der Heide"),
        ("José Núñez García", "José", "Núñez García"),
        ("Okafor, Daniel", "Daniel", "Okafor"),
        ("Wile E. Coyote", "Wile E.", "Coyote"),
    ],
)
def test_split_name(full: str, first: str, last: str) -> None:
    assert split_name(full) == (first, last)


def test_calendar_export(crm: Database, tmp_path: Path) -> None:
    path = tmp_path / "cal.ics"
    shutil.copy(DATA / "calendar" / "outlook-export.ics", path)
    summary = import_activities(crm, LOCAL_ADMIN, path, today=TODAY)
    assert (summary.objects["Event"].read, summary.objects["Event"].inserted) == (6, 5)
    assert summary.objects["Person"].inserted == 1  # Clara, new at Nordstern by her domain
    assert "cal.ics: 1 cancelled occurrence(s) skipped (STATUS:CANCELLED)" in summary.warnings
    assert "cal.ics: 1 occurrence(s) removed by EXDATE skipped" in summary.warnings
    assert "1 event(s) with nobody from an account skipped (internal)" in summary.warnings
    with crm.reader() as s:
        meetings = {
            (a.subject, a.occurred_at, a.duration_minutes)
            for a in s.scalars(select(Activity).where(Activity.source == "calendar"))
        }
        assert ("Nordstern – Quartalsgespräch", dt.datetime(2026, 3, 3, 9, 0), 60) in meetings
        assert ("Côte Verte offsite", dt.datetime(2026, 4, 15), 1440) in meetings
        weekly = sorted(m[1].day for m in meetings if m[0] == "Acme weekly sync")
        assert weekly == [7, 21, 28]  # four weekly occurrences, one excluded
        elodie = s.scalars(select(Person).where(Person.last_name == "Roussel")).one()
        assert elodie.email == "elodie.roussel@coteverte.fr"  # matched by name, email learnt
        quarterly = s.scalars(
            select(Activity).where(Activity.subject == "Nordstern – Quartalsgespräch")
        ).one()
        names = set(
            s.scalars(
                select(Person.full_name)
                .join(ActivityPerson, ActivityPerson.person_id == Person.id)
                .where(ActivityPerson.activity_id == quarterly.id)
            )
        )
        assert names == {"Anna Schmidt", "Clara Neumann"}
        jurgen = s.scalars(select(Seller).where(Seller.email == "jurgen.weiss@northbeam.io")).one()
        assert quarterly.seller_id == jurgen.id
    again = import_activities(crm, LOCAL_ADMIN, path, today=TODAY)
    assert again.objects["Event"].unchanged == 5 and again.objects["Event"].inserted == 0


def test_csv_of_activities(crm: Database, tmp_path: Path) -> None:
    path = tmp_path / "activities.csv"
    shutil.copy(DATA / "calendar" / "activities.csv", path)
    summary = import_activities(crm, LOCAL_ADMIN, path, today=TODAY)
    c = summary.objects["Activity"]
    assert (c.read, c.inserted, c.rejected) == (4, 2, 2)
    assert summary.errors_file is not None
    with crm.reader() as s:
        kinds = sorted(s.scalars(select(Activity.kind).where(Activity.source == "csv")))
        assert kinds == ["call", "email"]


def test_unusable_activity_files(crm: Database, tmp_path: Path) -> None:
    bogus = tmp_path / "calendar.ics"
    bogus.write_text("this is not a calendar", encoding="utf-8")
    with pytest.raises(BadInputError, match="not an iCalendar file"):
        import_activities(crm, LOCAL_ADMIN, bogus, today=TODAY)
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"not an \.ics calendar or a \.csv"):
        import_activities(crm, LOCAL_ADMIN, text, today=TODAY)
