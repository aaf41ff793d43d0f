"""The command line starts fast: building it and printing help load neither the storage stack nor
the numerical one nor the web app; commands import what they use when they run.

What is imported is checked, not how long it takes (speed is measured by benchmarks, not by timed
tests), each time in a fresh interpreter, since this test session has long loaded everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("sqlalchemy", "alembic", "numpy", "scipy", "polars", "fastapi", "uvicorn")

# Imports the command line, runs it with ARGV (none: only the import), prints what got loaded.
PROBE = """
import json, sys
import crestline.cli.main
argv, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
sys.argv[0] = "crestline"  # the program name help shows
code = None
if argv is not None:
    try:
        crestline.cli.main.main(argv)
    except SystemExit as exc:
        code = exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules} & heavy)
sys.stderr.write(json.dumps({"code": code, "heavy": loaded}) + "\\n")
"""


def probe(argv: list[str] | None, cwd: Path) -> tuple[dict[str, Any], str]:
    """Run the command line in a fresh interpreter in ``cwd``, without ``CRESTLINE_*`` settings:
    its exit code and the heavy modules it loaded, and what it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRESTLINE_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stderr.splitlines()[-1]), done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        None,
        ["--help"],
        ["--version"],
        ["accounts", "--help"],
        ["account", "show", "--help"],
        ["orgchart", "--help"],
        ["person", "assess", "--help"],
        ["paths", "--help"],
        ["import", "salesforce", "--help"],
        ["demo", "--help"],
        ["titles", "classify", "--help"],
    ],
    ids=lambda argv: "import" if argv is None else " ".join(argv),
)
def test_help_loads_no_heavy_module_and_opens_no_database(
    argv: list[str] | None, tmp_path: Path
) -> None:
    report, out = probe(argv, tmp_path)  # tmp_path: where the default crestline.db would go
    assert report["heavy"] == []
    assert report["code"] == (None if argv is None else 0)
    if argv is not None and argv != ["--version"]:
        assert "Usage: crestline" in out
    assert list(tmp_path.iterdir()) == []  # no database opened, no file written


def test_a_command_still_loads_what_it_uses(tmp_path: Path) -> None:
    """The probe sees heavy imports: a real command loads the storage stack, and works."""
    report, out = probe(["--db", str(tmp_path / "team.db"), "init", "--format", "json"], tmp_path)
    assert report["code"] == 0
    assert {"sqlalchemy", "alembic"} <= set(report["heavy"])
    assert json.loads(out)["accounts"] == 0
