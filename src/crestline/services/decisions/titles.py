"""Classifying job titles: the engine with the package lexicon, extended by a user's file."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from pathlib import Path

from crestline.engines.titles import Lexicon, TitleClass, TitleClassifier
from crestline.errors import BadInputError
from crestline.services.collector import collector_paused


@lru_cache(maxsize=4)
def classifier(extra: Path | None = None) -> TitleClassifier:
    """The classifier with the package lexicon, plus ``extra`` (a TOML file of the same shape)."""
    base = tomllib.loads(
        resources.files("crestline.engines").joinpath("lexicon/titles.toml").read_text("utf-8")
    )
    added = None
    if extra is not None:
        try:
            added = tomllib.loads(extra.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BadInputError(f"{extra}: cannot read the lexicon ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise BadInputError(f"{extra}: not a TOML lexicon ({exc})") from None
    return TitleClassifier(Lexicon.from_mapping(base, added))


def classify_titles(titles: Iterable[str], *, lexicon: Path | None = None) -> list[TitleClass]:
    """Classify many titles; the cyclic garbage collector is paused meanwhile, as during an
    import (the classifier's memo builds many long-lived objects without cycles)."""
    engine = classifier(lexicon) if lexicon is not None else classifier()  # one cached instance
    with collector_paused():
        return [engine.classify(t) for t in titles]
