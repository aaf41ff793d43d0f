"""The real-shaped corpus (tests/data/real-shaped/, issue #12) imported end to end on SQLite and
PostgreSQL: what is stored, what is warned, and the same warnings on a second run."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Account, Activity, Connection, Opportunity, Person, Seller
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_linkedin import import_linkedin
from crestline.services.imports.import_salesforce import import_salesforce

CORPUS = Path(__file__).resolve().parents[1] / "data" / "real-shaped"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy: imports write their errors file beside their input."""
    folder = tmp_path / "real-shaped"
    shutil.copytree(CORPUS, folder)
    return folder


def test_a_workbench_export_with_system_users_empty_booleans_and_open_tasks(
    database: Database, corpus: Path
) -> None:
    export = corpus / "salesforce-workbench"
    first = import_salesforce(database, LOCAL_ADMIN, export)
    again = import_salesforce(database, LOCAL_ADMIN, export)
    read = {k: c.read for k, c in first.objects.items()}
    assert read == {"User": 5, "Account": 2, "Contact": 3, "Opportunity": 4, "Task": 3}
    assert first.rejected == 0 and again.rejected == 0
    assert all(c.unchanged == c.read for c in again.objects.values())
    assert first.warnings == again.warnings  # the same on every run
    assert first.warnings == [
        "User.csv, row 3, field Email: noreply@00ddn000000wbch.example is also user "
        "005Dn00000Ww001AAA's: kept there, left empty here",
        "User.csv, row 4, field Email: noreply@00ddn000000wbch.example is also user "
        "005Dn00000Ww001AAA's: kept there, left empty here",
        "Task.csv: 1 task(s) without ActivityDate (open, no due date) dated by their CreatedDate",
    ]
    with database.reader() as session:
        revenue = dict(session.execute(select(Account.name, Account.annual_revenue_minor)).all())
        deals = {
            name: (closed, won, amount)
            for name, closed, won, amount in session.execute(
                select(
                    Opportunity.name,
                    Opportunity.is_closed,
                    Opportunity.is_won,
                    Opportunity.amount_minor,
                )
            )
        }
        tasks = dict(session.execute(select(Activity.subject, Activity.occurred_at)).all())
        managers = dict(session.execute(select(Person.full_name, Person.reports_to_id)).all())
        sellers = dict(session.execute(select(Seller.full_name, Seller.email)).all())
    # E-notation, as Data Loader writes AnnualRevenue and Amount (1.39E8 was stored as 1.40)
    assert revenue == {
        "Keystone Mutual Insurance": 139_000_000_00,
        "Bellweather Grid Services": 4_200_000_000_00,
    }
    # empty IsClosed / IsWon: unknown, told by the stage ("1"/"0" where written)
    assert deals == {
        "Keystone - Claims Analytics": (True, True, 375_000_00),
        "Keystone - Renewal 2027": (False, False, 120_000_00),
        "Bellweather - Outage Forecasting": (True, False, 2_100_000_00),
        "Bellweather - Field Ops Pilot": (False, False, None),
    }
    assert tasks["Send renewal proposal"] == dt.datetime(2026, 10, 2, 8, 15)  # its CreatedDate
    assert managers["Dana Whitfield"] is None  # 000000000000000AAA is no one, not a reference
    assert sellers["Automated Process"] == "noreply@00ddn000000wbch.example"
    assert sellers["Platform Integration User"] is None and sellers["Data.com Clean"] is None


def test_data_loader_european_and_stray_byte_exports(database: Database, corpus: Path) -> None:
    loader = import_salesforce(database, LOCAL_ADMIN, corpus / "salesforce-data-loader")
    # the null id is no reference: only the owners this export lacks (no User.csv) are missing
    missing = [w for w in loader.warnings if "not found" in w]
    assert missing and all("005Dn00000Bb001AAA not found" in w for w in missing)
    european = import_salesforce(database, LOCAL_ADMIN, corpus / "salesforce-european")
    stray = import_salesforce(database, LOCAL_ADMIN, corpus / "salesforce-stray-byte")
    assert stray.objects["Account"].rejected == 0
    assert any("not valid UTF-8" in w for w in stray.warnings)
    with database.reader() as session:
        revenue = dict(session.execute(select(Account.name, Account.annual_revenue_minor)).all())
        closes = dict(session.execute(select(Opportunity.name, Opportunity.close_date)).all())
    assert revenue["Harborview Health System"] == 139_000_000_00
    assert revenue["Álvaro Logística S.A."] == 139_000_000_00
    assert revenue["Nordstern Bank AG"] == 1_234_567_89  # 1.234.567,89 in a semicolon file
    assert "Café Lumière SARL" in revenue  # the Windows-1252 line, repaired
    assert closes["Kernbankensystem"] == dt.date(2024, 3, 5)  # day first, as the file's locale
    assert european.rejected == 0


def test_linkedin_resaved_by_us_excel_reads_month_first(database: Database, corpus: Path) -> None:
    import_salesforce(database, LOCAL_ADMIN, corpus / "salesforce-data-loader")
    with database.transaction() as session:
        session.add(Seller(full_name="Ana Souza", email="ana.souza@ourco.example"))
    summary = import_linkedin(
        database,
        LOCAL_ADMIN,
        corpus / "Connections-us-resaved.csv",
        seller="ana.souza@ourco.example",
    )
    assert summary.rejected == 0
    with database.reader() as session:
        seen = dict(
            session.execute(
                select(Person.full_name, Connection.first_seen).join(
                    Connection, Connection.person_id == Person.id
                )
            ).all()
        )
    assert seen["Dana Whitfield"] == dt.date(2024, 5, 3)  # was 5 March, read day first


def test_an_object_resaved_by_excel_as_unicode_text_is_read(
    database: Database, tmp_path: Path
) -> None:
    """Excel's "Unicode Text" is UTF-16, tab-separated, named .txt: a user re-saves Account.csv
    so and puts it back in the folder."""
    folder = tmp_path / "export"
    folder.mkdir()
    text = (
        "Id\tName\tBillingCountry\tAnnualRevenue\r\n"
        "001Dn00000Ux001AAA\tFjordlys Energi AS\tNorwegen\t1,5E+08\r\n"
        "001Dn00000Ux002AAA\tŁódź Logistyka Sp. z o.o.\tPolska\t\r\n"
    )
    (folder / "Account.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    summary = import_salesforce(database, LOCAL_ADMIN, folder)
    assert summary.objects["Account"].inserted == 2 and summary.rejected == 0
    assert summary.warnings == []
    with database.reader() as session:
        stored = {
            name: (country, revenue)
            for name, country, revenue in session.execute(
                select(Account.name, Account.country, Account.annual_revenue_minor)
            )
        }
    assert stored == {
        "Fjordlys Energi AS": ("NO", 150_000_000_00),
        "Łódź Logistyka Sp. z o.o.": ("PL", None),
    }
