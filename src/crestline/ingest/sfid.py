"""Salesforce record IDs: 15-character (case-sensitive) and 18-character (case-safe) forms.

The three extra characters of an 18-character ID encode, five characters at a time, which of the
first fifteen are upper case; the first fifteen characters of an 18-character ID are the
15-character ID.
"""

from __future__ import annotations

_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
# Salesforce's "no record": what exports write in an empty lookup (Data Loader, reports, some
# integrations) — a reference to nothing, not to a record that is missing.
NULL_IDS = frozenset({"000000000000000", "000000000000000AAA", "000000000000000aaa"})


def is_null(record_id: str) -> bool:
    """Whether ``record_id`` is Salesforce's null id (15 or 18 characters)."""
    return record_id.strip() in NULL_IDS


_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def to18(id15: str) -> str:
    """The case-safe 18-character form of a 15-character ID; an 18-character ID is kept."""
    if len(id15) == 18:
        return id15
    if len(id15) != 15:
        raise ValueError(f"a Salesforce ID has 15 or 18 characters, not {len(id15)}: {id15!r}")
    suffix = ""
    for block in range(3):
        bits = 0
        for pos, char in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << pos
        suffix += _SUFFIX[bits]
    return id15 + suffix


def to15(record_id: str) -> str:
    return record_id[:15]


def make_id(prefix: str, number: int, pod: str = "Dn") -> str:
    """A realistic 18-character ID: key prefix (``001`` Account …), pod, base-62 counter."""
    digits = ""
    n = number
    while True:
        n, r = divmod(n, 62)
        digits = _BASE62[r] + digits
        if n == 0:
            break
    body = prefix + pod + digits.rjust(10, "0")
    return to18(body)
