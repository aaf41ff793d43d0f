"""The JSON API against generated requests (schemathesis, from the OpenAPI schema): whatever a
program sends — ids past 2^63, dates of year 1, huge offsets, wrong types — no answer is a
server error, and every refusal has the one error shape. Bounded for CI: a fixed number of
examples per operation and kind of data, derandomized."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from crestline.config import load_settings
from crestline.web.app import create_app

EXAMPLES = 20  # per operation and kind of data (valid, invalid)
ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:crestline").decode()}


@pytest.fixture(scope="module")
def fuzzed_app(
    tmp_path_factory: pytest.TempPathFactory, small_sqlite_world: Path
) -> Iterator[FastAPI]:
    db = tmp_path_factory.mktemp("fuzz") / "crestline.db"  # a copy: the fuzzing writes
    db.write_bytes(small_sqlite_world.read_bytes())
    app = create_app(load_settings({"database_url": str(db)}))
    with TestClient(app):  # started (the database opened) for the whole module
        yield app


@pytest.mark.parametrize(
    "mode", [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
def test_no_request_is_a_server_error(
    fuzzed_app: FastAPI, mode: schemathesis.GenerationMode
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzed_app)
    failures: list[str] = []
    skipped: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10  # the API's routes, read from its schema

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers=ADMIN)
            what = f"{case.method} {case.path} {case.path_parameters} {case.query} {case.body!r}"[
                :300
            ]
            if response.status_code >= 500:
                failures.append(f"{what}: {response.status_code} {response.text[:200]}")
            elif response.status_code >= 400 and response.status_code != 405:
                error = response.json().get("error") or {}
                if not (error.get("kind") and error.get("message")):
                    failures.append(f"{what}: {response.status_code} not in the error shape")

        try:
            call()
        except Unsatisfiable:  # nothing invalid to send (an operation without parameters)
            assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
            skipped.append(operation.label)
    assert failures == [], "\n".join(failures[:20])
    assert len(skipped) < len(operations) / 2, skipped
