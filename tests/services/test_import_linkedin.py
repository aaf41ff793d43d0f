"""Importing LinkedIn connections: entity resolution, people outside accounts, idempotency."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crestline.db.database import Database
from crestline.db.models import Account, Connection, Person, Seller
from crestline.engines.matching import AccountRef, CompanyMatcher, company_key, fold
from crestline.errors import NotFoundError
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.exports import export_linkedin, export_salesforce
from crestline.services.imports.import_linkedin import import_linkedin
from crestline.services.imports.import_salesforce import import_salesforce

DATA = Path(__file__).resolve().parent.parent / "data"


def test_connections_are_resolved_to_people(crm: Database, tmp_path: Path) -> None:
    path = tmp_path / "Connections.csv"
    shutil.copy(DATA / "linkedin" / "Connections.csv", path)
    summary = import_linkedin(crm, LOCAL_ADMIN, path, seller="jurgen.weiss@northbeam.io")
    assert summary.matches == {
        "existing_person": 5,
        "new_person_at_account": 1,
        "outside_accounts": 1,
    }
    c = summary.objects["Connection"]
    assert (c.read, c.inserted, c.rejected) == (8, 7, 1)
    with crm.reader() as s:
        seller = s.scalars(select(Seller).where(Seller.last_name == "Weiß")).one()
        rows = s.execute(
            select(
                Person.full_name, Person.account_id, Connection.match_method, Connection.first_seen
            )
            .join(Connection, Connection.person_id == Person.id)
            .where(Connection.seller_id == seller.id)
        ).all()
        by_name = {name: (account, method, since) for name, account, method, since in rows}
        bank = s.scalars(select(Account.id).where(Account.name == "Nordstern Bank AG")).one()
        assert by_name["Anna Schmidt"][:2] == (bank, "name+exact_name")
        assert by_name["Tom Becker"][1] == "email"
        assert by_name["Wile E. Coyote"][1] == "name+exact_name"
        assert by_name["Élodie Roussel"][1] == "name+exact_name"
        assert by_name["Jurgen Weiss"][:2] == (bank, "new+exact_name")
        assert by_name["Priya Raman"][:2] == (None, "new_outside")
        assert str(by_name["Anna Schmidt"][2]) == "2024-03-05"
        anna = s.scalars(select(Person).where(Person.last_name == "Schmidt")).one()
        assert anna.linkedin_url == "https://www.linkedin.com/in/anna-schmidt-4b1a2c"  # enriched
    again = import_linkedin(crm, LOCAL_ADMIN, path, seller="jurgen.weiss@northbeam.io")
    assert again.objects["Connection"].inserted == 0
    assert again.objects["Connection"].unchanged == 7


def test_an_older_export_without_urls_finds_the_same_people(crm: Database, tmp_path: Path) -> None:
    import_linkedin(
        crm,
        LOCAL_ADMIN,
        DATA / "linkedin" / "Connections.csv",
        seller="jurgen.weiss@northbeam.io",
        errors_path=tmp_path / "e.csv",
    )
    other = import_linkedin(
        crm,
        LOCAL_ADMIN,
        DATA / "linkedin" / "Connections-older-format.csv",
        seller="renee.muller@northbeam.io",
    )
    assert other.matches == {
        "existing_person": 1,
        "new_person_at_account": 0,
        "outside_accounts": 1,
    }
    with crm.reader() as s:
        assert s.scalar(select(func.count()).where(Person.last_name == "Raman")) == 1


def test_the_seller_must_exist(crm: Database) -> None:
    with pytest.raises(NotFoundError, match="no such seller"):
        import_linkedin(
            crm, LOCAL_ADMIN, DATA / "linkedin" / "Connections.csv", seller="nobody@northbeam.io"
        )


def test_matching_accuracy_on_the_demo_world(
    small_world: Database, database: Database, tmp_path: Path
) -> None:
    """Export the demo world, import it into an empty CRM, then every seller's LinkedIn file:
    connections at accounts must land on the same people the demo connected."""
    export_salesforce(small_world, LOCAL_ADMIN, tmp_path / "sf")
    import_salesforce(database, LOCAL_ADMIN, tmp_path / "sf")
    export_linkedin(small_world, LOCAL_ADMIN, tmp_path / "li")
    with small_world.reader() as s:
        truth = {
            (email, ext)
            for email, ext in s.execute(
                select(Seller.email, Person.external_id)
                .join(Connection, Connection.seller_id == Seller.id)
                .join(Person, Person.id == Connection.person_id)
                .where(Connection.source == "linkedin")
            )
        }
    for folder in sorted((tmp_path / "li").iterdir()):
        import_linkedin(
            database,
            LOCAL_ADMIN,
            folder / "Connections.csv",
            seller=folder.name,
            errors_path=tmp_path / "errors.csv",
        )
    with database.reader() as s:
        found = {
            (email, ext)
            for email, ext in s.execute(
                select(Seller.email, Person.external_id)
                .join(Connection, Connection.seller_id == Seller.id)
                .join(Person, Person.id == Connection.person_id)
                .where(Person.source == "salesforce")
            )
        }
    right = len(truth & found)
    assert right / len(truth) >= 0.95, (right, len(truth))
    assert len(found - truth) <= 0.02 * len(truth)  # few connections land on the wrong person


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Nordstern Bank", "nordstern bank"),
        ("NORDSTERN BANK AG", "nordstern bank"),
        ("Acme, Inc.", "acme"),
        ("Straßenbau GmbH & Co. KG", "strassenbau"),
    ],
)
def test_company_keys(written: str, expected: str) -> None:
    assert company_key(written) == expected


def test_company_matcher_methods() -> None:
    matcher = CompanyMatcher(
        [
            AccountRef(1, "Nordstern Bank AG", "nordstern-bank.de"),
            AccountRef(2, "Keystone Wireless LLC", "keystonewireless.com"),
            AccountRef(3, "Keystone Studios Inc.", "keystonestudios.com"),
        ]
    )
    assert matcher.match("Nordstern Bank") == matcher.match("nordstern bank ag")
    assert matcher.match("Nordstern Bank").method == "exact_name"  # type: ignore[union-attr]
    assert matcher.match("NB Holding", "nordstern-bank.de").account_id == 1  # type: ignore[union-attr]
    assert matcher.match("Keystone Wirless").account_id == 2  # type: ignore[union-attr]
    assert matcher.match("Keystone") is None  # too short to tell two Keystones apart
    assert matcher.match("Deloitte") is None
    assert fold("Jürgen Weiß") == "jurgen weiss"
