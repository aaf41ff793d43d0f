"""Running the real ``crestline`` entry point in-process and capturing what it prints."""

from __future__ import annotations

from dataclasses import dataclass

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
