"""Importing HubSpot exports (CSV and Excel, label headers) on both backends."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Account, ContactRole, Opportunity, Person
from crestline.errors import BadInputError
from crestline.ingest.hubspot import buying_roles, stage
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_hubspot import import_hubspot
from crestline.services.imports.import_sellers import import_sellers

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    folder = tmp_path / "hubspot"
    shutil.copytree(DATA / "hubspot", folder)
    return folder


def test_hubspot_exports(database: Database, exports: Path, tmp_path: Path) -> None:
    team = tmp_path / "team.csv"
    team.write_text(
        "name,email,title\nAna Ruiz,ana.ruiz@northbeam.io,Account Executive\n", encoding="utf-8"
    )
    import_sellers(database, LOCAL_ADMIN, team)
    summary = import_hubspot(database, LOCAL_ADMIN, exports)
    got = {k: (c.read, c.inserted, c.rejected) for k, c in summary.objects.items()}
    assert got == {
        "Company": (3, 2, 1),
        "Contact": (5, 4, 1),
        "Deal": (4, 3, 1),
        "ContactRole": (4, 4, 0),
    }
    with database.reader() as s:
        fjord = s.scalars(select(Account).where(Account.domain == "fjordline-logistics.no")).one()
        assert (fjord.country, fjord.employees, fjord.owner_id is not None) == ("NO", 2300, True)
        won = s.scalars(select(Opportunity).where(Opportunity.name.like("%Fleet%"))).one()
        assert (won.stage, won.is_closed, won.is_won, won.amount_minor) == (
            "Closed Won",
            True,
            True,
            18_500_000,
        )
        assert won.account_id == fjord.id and str(won.created_on) == "2025-03-01"
        roles = {
            (name, role)
            for name, role in s.execute(
                select(Person.full_name, ContactRole.role)
                .join(ContactRole, ContactRole.person_id == Person.id)
                .where(ContactRole.opportunity_id == won.id)
            )
        }
        assert roles == {("Ingrid Halvorsen", "Economic Buyer"), ("Lars Berg", "Decision Maker")}
        mette = s.scalars(select(Person).where(Person.last_name == "Dahl")).one()
        assert mette.account_id is None and mette.title == "IT Architect, Platforms"
    again = import_hubspot(database, LOCAL_ADMIN, exports)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.objects.values())


def test_a_folder_without_hubspot_exports(database: Database, tmp_path: Path) -> None:
    (tmp_path / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(BadInputError, match="no HubSpot exports"):
        import_hubspot(database, LOCAL_ADMIN, tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("closedwon", ("Closed Won", True, True)),
        ("Closed lost", ("Closed Lost", True, False)),
        ("qualifiedtobuy", ("Qualified To Buy", False, False)),
        ("Negotiation", ("Negotiation", False, False)),
        ("Closed - Won", ("Closed Won", True, True)),
    ],
)
def test_deal_stages(raw: str, expected: tuple[str, bool, bool]) -> None:
    assert stage(raw) == expected


def test_buying_roles() -> None:
    assert buying_roles("DECISION_MAKER;INFLUENCER") == ("Decision Maker", "Influencer")
    assert buying_roles("budget holder") == ("Economic Buyer",)


def test_the_download_zip_or_one_file_is_read_as_the_export(
    database: Database, tmp_path: Path
) -> None:
    """HubSpot's export download is a zip; a user may also give just the contacts file."""
    archive = tmp_path / "hubspot-crm-exports-all-companies-2026-11-30.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted((DATA / "hubspot").iterdir()):
            zf.write(path, path.name)
    summary = import_hubspot(database, LOCAL_ADMIN, archive)
    assert {"Company", "Contact", "Deal"} <= set(summary.objects)
    assert summary.objects["Company"].inserted > 0
    contacts = tmp_path / "contacts.csv"  # a copy: the errors file is written beside it
    shutil.copy(DATA / "hubspot" / "contacts.csv", contacts)
    one = import_hubspot(database, LOCAL_ADMIN, contacts, dry_run=True)
    assert set(one.objects) == {"Contact"}
    assert one.objects["Contact"].read == summary.objects["Contact"].read
