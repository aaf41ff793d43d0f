"""Running the real ``crestline`` entry point in-process and capturing what it prints."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from crestline.cli.main import main


@dataclass
class Result:
    code: int
    out: str
    err: str


def run(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    code = exc.value.code
    return Result(code if isinstance(code, int) else 1, captured.out, captured.err)


def largest_account(capsys: pytest.CaptureFixture[str], db: str) -> dict[str, Any]:
    """The account with the most people, as ``accounts list --format json`` shows it."""
    listed = json.loads(run(capsys, "--db", db, "accounts", "list", "--format", "json").out)
    return dict(max(listed, key=lambda a: a["people"]))
