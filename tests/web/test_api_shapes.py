"""Each /api/v1 shape is written twice — the use case's plain data (``as_dict`` or the dataclass
itself) and the Pydantic schema that documents it — so the two are checked against each other
here, field by field, on the demo world. A field added to one and not the other fails: FastAPI
would otherwise drop it from the answer without a word, or document a field nobody sends."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, get_args, get_origin

import pytest
from pydantic import BaseModel
from sqlalchemy import select

from crestline.db.database import Database, open_database
from crestline.db.models import Account, Opportunity
from crestline.reports.orgchart import to_json
from crestline.services.accounts.accounts import get_account, list_accounts
from crestline.services.accounts.people import person_paths
from crestline.services.auth.auth import LOCAL_ADMIN
from crestline.services.decisions.decision_makers import (
    Assessment,
    InfluenceRecorded,
    RoleRecorded,
    decision_makers,
)
from crestline.services.paths.warm_paths import executive_pairs, warm_paths
from crestline.web import schemas


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The schema inside ``X``, ``X | None`` or ``list[X]``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return value


def differences(model: type[BaseModel], data: Any, where: str = "") -> list[str]:
    """Where ``data`` (dicts, lists, dataclasses) and ``model`` disagree on field names."""
    data = _plain(data)
    if not isinstance(data, dict):
        return [f"{where or model.__name__}: {type(data).__name__}, not an object"]
    fields = {(f.alias or name): f for name, f in model.model_fields.items()}
    out = [f"{where}.{k}: sent but not in {model.__name__}" for k in data.keys() - fields.keys()]
    out += [  # a field with a default may be left out (``note`` only when there is one)
        f"{where}.{k}: in {model.__name__} but not sent"
        for k in fields.keys() - data.keys()
        if fields[k].is_required()
    ]
    for key, field in fields.items():
        inner = _model_of(field.annotation)
        if inner is None or data.get(key) is None:
            continue
        value = data[key]
        many = get_origin(field.annotation) is list or isinstance(value, list)
        for i, item in enumerate(value if many else [value]):
            out += differences(inner, item, f"{where}.{key}[{i}]" if many else f"{where}.{key}")
    return out


@pytest.fixture(scope="module")
def world(small_sqlite_world: Path) -> Any:
    db: Database = open_database(str(small_sqlite_world))
    yield db
    db.close()


def _busiest_account(session: Any) -> int:
    """An account with open deals, so committees, paths and pairs all have something."""
    return int(
        session.scalars(
            select(Account.id)
            .join(Opportunity, Opportunity.account_id == Account.id)
            .where(Opportunity.is_closed.is_(False))
            .group_by(Account.id)
            .order_by(Account.id)
            .limit(1)
        ).one()
    )


def test_the_read_shapes_match_their_schemas(world: Database) -> None:
    with world.reader() as session:
        account = _busiest_account(session)
        dm = decision_makers(session, LOCAL_ADMIN, str(account))
        assert dm.people and dm.opportunities, "the account chosen must exercise every field"
        found = warm_paths(session, LOCAL_ADMIN, str(account))
        assert any(t.paths for t in found)
        pairs = executive_pairs(session, LOCAL_ADMIN, str(account))
        assert pairs
        one = person_paths(session, LOCAL_ADMIN, dm.people[0].id)
        checks: list[tuple[type[BaseModel], Any]] = [
            (schemas.AccountPagePublic, list_accounts(session, LOCAL_ADMIN, limit=5)),
            (
                schemas.AccountDetailPublic,
                get_account(session, LOCAL_ADMIN, str(account)).as_dict(),
            ),
            (schemas.DecisionMakersPublic, dm.as_dict()),
            (schemas.OrgChartPublic, to_json(dm)),
            (schemas.TargetPathsPublic, one.as_dict()),
            *[(schemas.TargetPathsPublic, t.as_dict()) for t in found],
            *[(schemas.ExecutivePairPublic, p.as_dict()) for p in pairs],
        ]
    problems = [p for model, data in checks for p in differences(model, data)]
    assert problems == []


def test_the_write_answers_match_their_schemas() -> None:
    """The corrections' use cases return plain dataclasses, the API's answers field for field."""
    checks: list[tuple[type[BaseModel], Any]] = [
        (
            schemas.AssessmentPublic,
            Assessment(7, "supporter", None, None, "vp", None, 3, "met at the summit", "leader"),
        ),
        (schemas.ContactRolePublic, RoleRecorded(11, 7, "Economic Buyer", "crestline")),
        (schemas.InfluencePublic, InfluenceRecorded(7, 9, "high", None, "seller")),
    ]
    assert [p for model, data in checks for p in differences(model, data)] == []


def test_the_check_catches_a_field_one_side_lacks() -> None:
    """The check itself: a field sent but not documented, and one documented but not sent."""
    sent = {"id": 1, "name": "Halden Freight", "extra": 2}
    assert differences(schemas.AccountRefPublic, sent) == [
        ".extra: sent but not in AccountRefPublic"
    ]
    assert differences(schemas.AccountRefPublic, {"id": 1}) == [
        ".name: in AccountRefPublic but not sent"
    ]
    nested = {"account": {"id": 1}, "as_of": "2026-09-30"}
    assert ".account.name: in AccountRefPublic but not sent" in differences(
        schemas.DecisionMakersPublic, nested
    )
