"""Splitting a full name into first and last names, the way CRMs store them."""

from __future__ import annotations

import re

from nameparser import HumanName

INITIALS = re.compile(r"^(?:[A-Za-z]\.?\s*)+$")


def split_name(full: str) -> tuple[str, str]:
    """``Dr. Anna-Lena von der Heide`` → (``Anna-Lena``, ``von der Heide``);
    ``José Núñez García`` → (``José``, ``Núñez García``); ``Smith, John`` → (``John``, ``Smith``).

    Middle names join the last name (compound surnames); middle initials join the first name.
    """
    name = HumanName(" ".join(full.split()))
    first, middle, last = name.first, name.middle, name.last
    if middle and INITIALS.match(middle):
        first = f"{first} {middle}".strip()
    elif middle:
        last = f"{middle} {last}".strip()
    if not first and not last:
        return "", " ".join(full.split())
    return first, last
