"""The word lists the demo world is written with (package data in ``demo/data/*.toml``)."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


@cache
def load(name: str) -> dict[str, Any]:
    with (DATA / f"{name}.toml").open("rb") as fh:
        return tomllib.load(fh)


def names() -> dict[str, Any]:
    return dict(load("names")["languages"])


def industries() -> dict[str, Any]:
    return dict(load("companies")["industries"])


def countries() -> dict[str, Any]:
    return dict(load("companies")["countries"])


def titles() -> dict[str, Any]:
    return load("titles")


def documents() -> dict[str, Any]:
    return load("documents")
