"""How strong a relationship is, from its evidence: a documented, configurable model.

Each piece of evidence between two people (or one of our people and one of theirs) says how they
know each other — a LinkedIn connection, meetings, calls, emails, a role on a deal, a former
employer in common, the same org chart — since when, when last, and how often. One piece is worth

    base(source) × recency × frequency

- **base**: what that kind of tie is worth on its own (:attr:`StrengthModel.base`);
- **recency**: 0.5 ** (days since the last contact / half-life), never below ``floor`` — a tie
  does not vanish, it cools; sources without a date (a LinkedIn connection, an org chart) count
  as fresh;
- **frequency**: 1 − e^(−count / saturation), so the tenth meeting adds less than the second;
  a source that happens once (a LinkedIn connection) counts fully at count 1;
- **reciprocity**: a conversation both sides started (meetings and calls, or emails both ways)
  adds ``reciprocity_bonus`` to that piece.

Pieces combine like independent chances that the tie holds: 1 − Π(1 − pᵢ), capped at ``cap`` so
no tie is certain. The result is in (0, 1]; every piece keeps its evidence in words. Pure.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

SOURCES = (
    "linkedin",
    "meeting",
    "call",
    "email",
    "event",
    "crm_role",
    "alumni",
    "manager",
    "peer",
)
ONCE = frozenset({"linkedin", "alumni", "manager", "peer", "crm_role"})  # not counted by number


@dataclass(frozen=True)
class Evidence:
    """One way two people know each other."""

    source: str  # one of SOURCES
    since: dt.date | None = None
    last: dt.date | None = None
    count: int = 1
    both_ways: bool = False  # both sides started contact (reciprocity)
    confidence: float = 1.0  # how sure the tie is there at all (an inferred reporting line)
    detail: str | None = None  # what else to say: the company, the manager, how it was inferred


@dataclass(frozen=True)
class StrengthModel:
    base: Mapping[str, float] = field(
        default_factory=lambda: {
            "linkedin": 0.25,
            "meeting": 0.55,
            "call": 0.45,
            "email": 0.3,
            "event": 0.15,
            "crm_role": 0.35,
            "alumni": 0.2,
            "manager": 0.7,  # one reports to the other
            "peer": 0.45,  # the same manager
        }
    )
    half_life_days: float = 180.0
    floor: float = 0.25
    saturation: float = 3.0
    reciprocity_bonus: float = 0.1
    cap: float = 0.95

    def piece(self, evidence: Evidence, as_of: dt.date) -> float:
        base = self.base.get(evidence.source, 0.1)
        recency = 1.0
        if evidence.last is not None:
            age = max(0, (as_of - evidence.last).days)
            recency = max(self.floor, 0.5 ** (age / self.half_life_days))
        if evidence.source in ONCE:
            frequency = 1.0
        else:
            frequency = 1.0 - math.exp(-max(evidence.count, 1) / self.saturation)
        value = base * recency * frequency * evidence.confidence
        if evidence.both_ways:
            value += self.reciprocity_bonus
        return min(self.cap, value)

    def strength(self, evidence: Iterable[Evidence], as_of: dt.date) -> float:
        """The combined strength in (0, cap]; an empty list is the weakest tie there is."""
        miss = 1.0
        for e in evidence:
            miss *= 1.0 - self.piece(e, as_of)
        return max(1e-6, min(self.cap, 1.0 - miss))


def describe(evidence: Evidence, as_of: dt.date) -> str:
    """Evidence in words: "met 4 times, last 12 days ago, since 2023"."""
    words = {
        "linkedin": "connected on LinkedIn",
        "meeting": "met",
        "call": "spoke by phone",
        "email": "emailed",
        "event": "at the same event",
        "crm_role": "on a deal together",
        "alumni": "worked at the same company",
        "manager": "reporting line",
        "peer": "same manager",
    }
    text = words.get(evidence.source, evidence.source)
    if evidence.detail:
        text += f" ({evidence.detail})"
    if evidence.source not in ONCE and evidence.count > 1:
        text += f" {evidence.count} times"
    if evidence.last is not None and evidence.source not in ONCE:
        text += f", last {max(0, (as_of - evidence.last).days)} days ago"
    if evidence.since is not None:
        text += f", since {evidence.since.year}"
    if evidence.both_ways:
        text += ", both ways"
    return text


def piece_array(
    model: StrengthModel,
    source: str,
    *,
    age_days: npt.NDArray[np.float64] | None = None,
    counts: npt.NDArray[np.int64] | None = None,
    both_ways: npt.NDArray[np.bool_] | None = None,
    size: int = 0,
) -> npt.NDArray[np.float64]:
    """:meth:`StrengthModel.piece` for many pieces of one source at once (NaN age: no date)."""
    n = next((len(x) for x in (age_days, counts, both_ways) if x is not None), size)
    value = np.full(n, model.base.get(source, 0.1))
    if age_days is not None:
        recency = np.maximum(model.floor, 0.5 ** (np.maximum(age_days, 0.0) / model.half_life_days))
        value *= np.where(np.isnan(age_days), 1.0, recency)
    if counts is not None and source not in ONCE:
        value *= 1.0 - np.exp(-np.maximum(counts, 1) / model.saturation)
    if both_ways is not None:
        value += model.reciprocity_bonus * both_ways
    out: npt.NDArray[np.float64] = np.minimum(model.cap, value)
    return out
