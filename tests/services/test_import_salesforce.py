"""Importing Salesforce exports on SQLite and PostgreSQL: quirks, idempotency, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crestline.db.database import Database
from crestline.db.models import (
    Account,
    Activity,
    ActivityPerson,
    ContactRole,
    ImportRun,
    Opportunity,
    Person,
    Seller,
)
from crestline.errors import BadInputError
from crestline.ingest.sfid import to18
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.exports import export_salesforce
from crestline.services.imports.import_salesforce import import_salesforce

QUIRKS = Path(__file__).resolve().parent.parent / "data" / "salesforce" / "quirks"


def counts(summary: object) -> dict[str, tuple[int, int, int, int, int]]:
    return {
        kind: (c.read, c.inserted, c.updated, c.unchanged, c.rejected)
        for kind, c in summary.objects.items()  # type: ignore[attr-defined]
    }


def total(db: Database, model: type) -> int:
    with db.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def quirks(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(QUIRKS, folder)
    return folder


def test_quirky_export(database: Database, quirks: Path) -> None:
    summary = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert counts(summary) == {
        "User": (4, 4, 0, 0, 0),
        "Account": (5, 3, 0, 0, 1),
        "Contact": (8, 7, 0, 0, 1),
        "Opportunity": (4, 3, 0, 0, 1),
        "OpportunityContactRole": (4, 3, 0, 0, 1),
        "Task": (3, 2, 0, 0, 1),
        "Event": (2, 2, 0, 0, 0),
    }
    warnings = "\n".join(summary.warnings)
    for expected in (
        "1 exact duplicate row(s) skipped",
        "field ManagerId: reporting cycle",
        "field ReportsToId: reporting cycle",
        "field NUMBEROFEMPLOYEES: 'about 300' is not a whole number; left empty",
        "field Email: 'lena.vogel(at)nordstern-bank.de' is not an email address",
        "custom role 'Champion' kept",
        "is not a contact (leads are not imported)",
    ):
        assert expected in warnings, expected
    with database.reader() as s:
        acme = s.scalars(select(Account).where(Account.name == "Acme, Inc.")).one()
        bank = s.scalars(select(Account).where(Account.domain == "nordstern-bank.de")).one()
        assert acme.parent_id == bank.id  # a 15-character ParentId finds its record
        assert (bank.country, bank.annual_revenue_minor, bank.employees) == (
            "DE",
            125_000_000_000,
            5400,
        )
        renee = s.scalars(select(Seller).where(Seller.email == "renee.muller@northbeam.io")).one()
        assert renee.full_name == "Renée Müller" and renee.role == "cro"  # Windows-1252 decoded
        jurgen = s.scalars(select(Seller).where(Seller.last_name == "Weiß")).one()
        assert jurgen.active is False and jurgen.manager_id == renee.id
        max_ = s.scalars(select(Person).where(Person.last_name == "Mustermann")).one()
        anna = s.scalars(select(Person).where(Person.last_name == "Schmidt")).one()
        assert max_.first_name == "Max" and max_.title == "Leiter IT Infrastruktur"
        assert max_.reports_to_id == anna.id and max_.account_id == bank.id
        pat = s.scalars(select(Person).where(Person.last_name == "Freelance")).one()
        assert pat.account_id is None  # no AccountId: kept, outside any account
        lena = s.scalars(select(Person).where(Person.last_name == "Vogel")).one()
        tom = s.scalars(select(Person).where(Person.last_name == "Becker")).one()
        assert lena.email is None and None in (lena.reports_to_id, tom.reports_to_id)
        renewal = s.scalars(select(Opportunity).where(Opportunity.name == "Acme — Renewal")).one()
        assert renewal.amount_minor == 123_456_700 and renewal.is_closed is False
        assert renewal.created_on == dt.date(2026, 8, 1)
        pilot = s.scalars(select(Opportunity).where(Opportunity.name.like("Côte Verte%"))).one()
        assert (pilot.is_closed, pilot.is_won, pilot.amount_minor) == (True, False, None)
        roles = sorted(s.scalars(select(ContactRole.role)))
        assert roles == ["Champion", "Decision Maker", "Economic Buyer"]
        workshop = s.scalars(select(Activity).where(Activity.subject == "Workshop, on site")).one()
        assert workshop.occurred_at == dt.datetime(2026, 8, 20, 12, 0)  # +02:00 → UTC
        assert workshop.duration_minutes == 150 and workshop.kind == "meeting"
        call = s.scalars(select(Activity).where(Activity.kind == "call")).one()
        assert call.opportunity_id is not None and call.account_id == bank.id
        attendees = s.scalars(
            select(ActivityPerson.person_id).where(ActivityPerson.activity_id == call.id)
        ).all()
        assert attendees == [anna.id]
        assert s.scalar(select(func.count()).select_from(ImportRun)) == 1


def test_errors_file_names_file_row_field_and_keeps_the_columns(
    database: Database, quirks: Path
) -> None:
    summary = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert summary.errors_file == str(quirks / "crestline-errors.csv")
    with open(summary.errors_file, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["severity"] == "error"]
    found = {(r["file"], r["row"], r["field"]) for r in rows}
    assert found == {
        ("Account.csv", "6", "NAME"),
        ("Contact.csv", "7", "AccountId"),
        ("Opportunity.csv", "4", "AccountId"),
        ("OpportunityContactRole.csv", "5", "ContactId"),
        ("Task.csv", "4", "ActivityDate"),
    }
    ghost = next(r for r in rows if r["file"] == "Contact.csv")
    assert ghost["LastName"] == "Writer" and "not found" in ghost["message"]


def test_reimport_changes_nothing_and_a_changed_row_updates(
    database: Database, quirks: Path
) -> None:
    import_salesforce(database, LOCAL_ADMIN, quirks)
    again = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.objects.values())
    assert counts(again)["Contact"] == (8, 0, 0, 7, 1)
    contacts = quirks / "Contact.csv"
    contacts.write_text(
        contacts.read_text(encoding="utf-8").replace("Head of Controlling", "Group Controller"),
        encoding="utf-8",
    )
    changed = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert counts(changed)["Contact"] == (8, 0, 1, 6, 1)
    with database.reader() as s:
        assert (
            s.scalar(select(Person.title).where(Person.last_name == "Becker")) == "Group Controller"
        )


def test_dry_run_counts_like_a_real_run_and_writes_nothing(
    database: Database, quirks: Path
) -> None:
    dry = import_salesforce(database, LOCAL_ADMIN, quirks, dry_run=True)
    assert dry.dry_run and total(database, Person) == 0 and total(database, ImportRun) == 0
    real = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert counts(dry) == counts(real)


def test_strict_writes_nothing_when_a_row_is_rejected(database: Database, quirks: Path) -> None:
    with pytest.raises(BadInputError, match=r"5 row\(s\) rejected, nothing written"):
        import_salesforce(database, LOCAL_ADMIN, quirks, strict=True)
    assert total(database, Account) == 0 and total(database, Seller) == 0
    assert (quirks / "crestline-errors.csv").exists()


def test_unusable_input(database: Database, tmp_path: Path) -> None:
    with pytest.raises(BadInputError, match="no such file or folder"):
        import_salesforce(database, LOCAL_ADMIN, tmp_path / "nope")
    with pytest.raises(BadInputError, match="no Salesforce object files"):
        import_salesforce(database, LOCAL_ADMIN, tmp_path)
    (tmp_path / "Contact.csv").write_text("Name,Phone\nx,1\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"Contact\.csv: no recognisable header"):
        import_salesforce(database, LOCAL_ADMIN, tmp_path)
    assert total(database, Person) == 0


def test_15_character_references_find_18_character_records(
    database: Database, tmp_path: Path
) -> None:
    acc18 = to18("0015J00000Zz9Aa")
    (tmp_path / "Account.csv").write_text(f"Id,Name\n{acc18},Globex\n", encoding="utf-8")
    (tmp_path / "Contact.csv").write_text(
        "Id,AccountId,LastName\n0035J00000Yy8Bb,0015J00000Zz9Aa,Simpson\n", encoding="utf-8"
    )
    import_salesforce(database, LOCAL_ADMIN, tmp_path)
    with database.reader() as s:
        person = s.scalars(select(Person)).one()
        assert person.external_id == to18("0035J00000Yy8Bb")
        assert s.get(Account, person.account_id).name == "Globex"  # type: ignore[union-attr]


def test_demo_world_round_trips_through_a_salesforce_export(
    small_world: Database, database: Database, tmp_path: Path
) -> None:
    files = export_salesforce(small_world, LOCAL_ADMIN, tmp_path / "sf").files
    summary = import_salesforce(database, LOCAL_ADMIN, tmp_path / "sf")
    assert summary.rejected == 0
    for kind, file in (
        ("Account", "Account.csv"),
        ("Contact", "Contact.csv"),
        ("Opportunity", "Opportunity.csv"),
        ("User", "User.csv"),
    ):
        assert summary.objects[kind].inserted == files[file]
    with small_world.reader() as a, database.reader() as b:

        def lines(s: object) -> set[tuple[str, str | None]]:
            rows = s.execute(  # type: ignore[attr-defined]
                select(Person.full_name, Person.reports_to_id, Person.id)
            ).all()
            names = {pid: name for name, _, pid in rows}
            return {(name, names.get(boss)) for name, boss, _ in rows}

        assert lines(a) == lines(b)
        won = select(func.count()).where(Opportunity.is_won.is_(True))
        assert a.scalar(won) == b.scalar(won)


def test_system_users_sharing_one_email_are_kept_once_with_a_warning(
    database: Database, tmp_path: Path
) -> None:
    """Every real org has several ``noreply@`` system users: the first keeps the address, the
    others are kept without it — the same warning on every run, and no crash."""
    folder = tmp_path / "users"
    folder.mkdir()
    (folder / "User.csv").write_text(
        "Id,FirstName,LastName,Email,Title,ManagerId,IsActive\n"
        "0055J00000Xy0NRQAB,Automated,Process,noreply@00d5j000000abc.example,,,1\n"
        "0055J00000Xy0N2QAB,Platform,Integration,NoReply@00d5j000000abc.example,,,1\n"
        "0055J00000Xy0N3QAB,Chatter,Expert,noreply@00d5j000000abc.example,,,\n"
        "0055J00000Xy001QAB,Renee,Muller,renee.muller@northbeam.io,CRO,,1\n",
        encoding="utf-8",
    )
    runs = [import_salesforce(database, LOCAL_ADMIN, folder) for _ in range(2)]
    for summary in runs:
        assert summary.objects["User"].read == 4 and summary.objects["User"].rejected == 0
        shared = [w for w in summary.warnings if "is also user 0055J00000Xy0NRQAB" in w]
        assert [w.split(",")[1].strip() for w in shared] == ["row 3", "row 4"]
    assert runs[0].warnings == runs[1].warnings
    with database.reader() as session:
        emails = dict(session.execute(select(Seller.full_name, Seller.email)).all())
    assert emails == {
        "Automated Process": "noreply@00d5j000000abc.example",
        "Platform Integration": None,
        "Chatter Expert": None,
        "Renee Muller": "renee.muller@northbeam.io",
    }


def test_a_zip_or_a_single_csv_is_read_as_the_export(
    database: Database, quirks: Path, tmp_path: Path
) -> None:
    """The weekly export comes as a zip; a report comes as one CSV named anything: the object
    is told by the ids in its Id column."""
    archive = tmp_path / "WE_00D5J000000abcd_1.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(quirks.iterdir()):
            zf.write(path, f"export/{path.name}")
    from_zip = import_salesforce(database, LOCAL_ADMIN, archive, dry_run=True)
    from_folder = import_salesforce(database, LOCAL_ADMIN, quirks, dry_run=True)
    assert counts(from_zip) == counts(from_folder) and counts(from_zip)["Account"][0] > 0
    assert (tmp_path / "WE_00D5J000000abcd_1.errors.csv").exists()  # beside the zip

    report = tmp_path / "report1690000000123.csv"
    report.write_bytes((quirks / "Account.csv").read_bytes())
    one = import_salesforce(database, LOCAL_ADMIN, report)
    assert set(one.objects) == {"Account"} and one.objects["Account"].inserted > 0
    with database.reader() as session:
        assert session.scalar(select(Account.name).where(Account.name == "Nordstern Bank AG"))

    unknown = tmp_path / "leads.csv"
    unknown.write_text("Id,LastName\n00Q5J000001AbCdUAK,Ng\n", encoding="utf-8")
    with pytest.raises(BadInputError, match=r"leads\.csv, row 2, field Id: '00Q5J000001AbCdUAK'"):
        import_salesforce(database, LOCAL_ADMIN, unknown)
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.7")
    with pytest.raises(BadInputError, match="give the export's folder, its zip"):
        import_salesforce(database, LOCAL_ADMIN, notes)


def test_warnings_are_counted_by_kind_and_all_written_to_the_errors_file(
    database: Database, tmp_path: Path
) -> None:
    """A real org's 2,280 warnings of one kind: the summary counts them with a few examples, the
    errors file holds every one, and a second run says the same."""
    folder = tmp_path / "users"
    folder.mkdir()
    rows = [
        f"0055J00000Zz{n:03d}AAA,System,User {n},noreply@00d5j000000abc.example,,,1"
        for n in range(250)
    ]
    (folder / "User.csv").write_text(
        "Id,FirstName,LastName,Email,Title,ManagerId,IsActive\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    runs = [import_salesforce(database, LOCAL_ADMIN, folder) for _ in range(2)]
    first, again = runs
    assert first.warning_count == again.warning_count == 249
    assert len(first.warnings) == 201 and first.warnings[-1].startswith("… and 49 more warnings")
    assert [(k.kind, k.count, len(k.examples)) for k in first.warning_kinds] == [
        ("User.csv, field Email: … is also user …'s: kept there, left empty here", 249, 3)
    ]
    assert first.warning_kinds == again.warning_kinds and first.warnings == again.warnings
    with open(folder / "crestline-errors.csv", encoding="utf-8", newline="") as fh:
        written = list(csv.DictReader(fh))
    assert len(written) == 249 and {r["severity"] for r in written} == {"warning"}
    assert written[0]["row"] == "3" and written[0]["field"] == "Email"


def test_the_same_warnings_on_every_run(database: Database, quirks: Path) -> None:
    first = import_salesforce(database, LOCAL_ADMIN, quirks)
    again = import_salesforce(database, LOCAL_ADMIN, quirks)
    assert first.warnings and first.warnings == again.warnings
