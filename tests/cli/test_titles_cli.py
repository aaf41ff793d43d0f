"""``crestline titles classify``: arguments or stdin, one answer a line, in order."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from tests.cli.helpers import run


def test_tsv_from_stdin_keeps_every_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("SVP Sales EMEA\n\n???\nLeiterin Einkauf\n"))
    result = run(capsys, "titles", "classify")
    assert result.code == 0
    lines = result.out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["SVP Sales EMEA", "evp", "sales"],
        ["", "unknown", "unknown"],
        ["???", "unknown", "unknown"],
        ["Leiterin Einkauf", "director", "procurement"],
    ]
    assert all(len(line.split("\t")) == 4 for line in lines)


def test_json_explains(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(capsys, "titles", "classify", "Deputy CFO", "--format", "json")
    answer = json.loads(result.out)[0]
    assert (answer["seniority"], answer["function"]) == ("evp", "finance")
    assert any(rule.startswith("deputy:") for rule in answer["rules"])


def test_a_user_lexicon_extends_the_package_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lexicon = tmp_path / "mine.toml"
    lexicon.write_text('[functions]\nsales = ["rainmaker"]\n', encoding="utf-8")
    before = run(capsys, "titles", "classify", "Chief Rainmaker Officer").out.split("\t")
    after = run(
        capsys, "titles", "classify", "Chief Rainmaker Officer", "--lexicon", str(lexicon)
    ).out.split("\t")
    assert before[1:3] == ["c_suite", "general_management"]  # a chief of nothing known
    assert after[1:3] == ["c_suite", "sales"]
    bad = tmp_path / "bad.toml"
    bad.write_text("[functions\n", encoding="utf-8")
    broken = run(capsys, "titles", "classify", "CEO", "--lexicon", str(bad))
    assert broken.code == 2 and "not a TOML lexicon" in broken.err
