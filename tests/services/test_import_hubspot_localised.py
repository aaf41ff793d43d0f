"""HubSpot exports with German, Spanish and French headers import like English ones."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from crestline.db.database import Database
from crestline.db.models import Account, Opportunity, Person
from crestline.ingest.hubspot import stage
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.imports.import_hubspot import import_hubspot

DATA = Path(__file__).resolve().parent.parent / "data" / "real-shaped"

# (read, inserted, rejected) of every folder: the shapes of tests/data/hubspot (a nameless company,
# a contact with neither name nor email, a deal at an unknown company are rejected)
COUNTS = {"Company": (3, 2, 1), "Contact": (5, 4, 1), "Deal": (4, 3, 1), "ContactRole": (4, 4, 0)}
# folder → (company names, {contact last name: company name or None},
#           {deal name: (amount in minor units or None, close date, closed, won)})
EXPECTED = {
    "hubspot-de": (
        {"Bergstahl Werke GmbH", "Kaltenbach Energie AG"},
        {
            "Lindqvist": "Bergstahl Werke GmbH",
            "Brandt": "Bergstahl Werke GmbH",
            "Voss": None,
            "Hartmann": None,
        },
        {
            "Bergstahl – Flottenanalyse": (18_500_000, date(2025, 9, 30), True, True),
            "Bergstahl – Erweiterung": (6_000_000, date(2026, 12, 20), False, False),
            "Verlorene Sache": (None, date(2024, 12, 1), True, False),
        },
    ),
    "hubspot-es": (
        {"Naviera del Cantábrico S.A.", "Olivares del Sur S.L."},
        {
            "Ferrer Ibáñez": "Naviera del Cantábrico S.A.",
            "Garrido": "Naviera del Cantábrico S.A.",
            "Robles": None,
            "Quintana": None,
        },
        {
            "Naviera – Analítica de flota": (18_500_000, date(2025, 9, 30), True, True),
            "Naviera – Ampliación": (6_000_000, date(2026, 12, 20), False, False),
            "Causa perdida": (None, date(2024, 12, 1), True, False),
        },
    ),
    "hubspot-fr": (
        {"Verrerie des Vosges SAS", "Cidrerie du Bocage"},
        {
            "Delaunay": "Verrerie des Vosges SAS",
            "Marchand": "Verrerie des Vosges SAS",
            "Fournier": None,
            "Lemaire": None,
        },
        {
            "Verrerie – Analyse de flotte": (18_500_000, date(2025, 9, 30), True, True),
            "Verrerie – Extension": (6_000_000, date(2026, 12, 20), False, False),
            "Cause perdue": (None, date(2024, 12, 1), True, False),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_localised_hubspot_exports(database: Database, tmp_path: Path, name: str) -> None:
    folder = tmp_path / name  # a copy: the errors file is written beside the input
    shutil.copytree(DATA / name, folder)
    companies, contacts, deals = EXPECTED[name]
    summary = import_hubspot(database, LOCAL_ADMIN, folder)
    got = {k: (c.read, c.inserted, c.rejected) for k, c in summary.objects.items()}
    assert got == COUNTS
    with database.reader() as s:
        accounts = {a.id: a.name for a in s.scalars(select(Account))}
        assert set(accounts.values()) == companies
        people = {p.last_name: accounts.get(p.account_id) for p in s.scalars(select(Person))}
        assert people == contacts
        opportunities = {
            o.name: (o.amount_minor, o.close_date, o.is_closed, o.is_won)
            for o in s.scalars(select(Opportunity))
        }
        assert opportunities == deals
    again = import_hubspot(database, LOCAL_ADMIN, folder)
    assert all(c.inserted == 0 and c.updated == 0 for c in again.objects.values())


@pytest.mark.parametrize(
    ("raw", "closed", "won"),
    [
        ("Abgeschlossen und gewonnen", True, True),
        ("Cerrado ganado", True, True),
        ("Conclue gagnée", True, True),
        ("Conclue gagnee", True, True),
        ("Abgeschlossen und verloren", True, False),
        ("Cerrado perdido", True, False),
        ("Conclue perdue", True, False),
        ("Closed won", True, True),
        ("Closed lost", True, False),
        ("Vertrag gesendet", False, False),
        ("Contrato enviado", False, False),
        ("Contrat envoyé", False, False),
    ],
)
def test_localised_deal_stages_close_and_win_like_english(
    raw: str, closed: bool, won: bool
) -> None:
    assert stage(raw)[1:] == (closed, won)
