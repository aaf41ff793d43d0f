"""The memo and its shelf: what one process keeps, another reads instead of making it again."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crestline.services.memo import Memo, Shelf, key_digest


@dataclass(frozen=True)
class Filters:
    names: frozenset[str]
    k: int


def test_a_key_has_one_name_in_every_process(tmp_path: Path) -> None:
    key = ("account", 7, Filters(frozenset({"b", "a", "c"}), 3), frozenset({3, 1, 2}))
    key = (*key, dt.date(2026, 12, 2), None)
    script = (
        "import datetime as dt, sys\n"
        "from dataclasses import dataclass\n"
        "from crestline.services.memo import key_digest\n"
        "@dataclass(frozen=True)\n"
        "class Filters:\n"
        "    names: frozenset\n"
        "    k: int\n"
        "key = ('account', 7, Filters(frozenset({'c', 'a', 'b'}), 3), frozenset({2, 3, 1}),"
        " dt.date(2026, 12, 2), None)\n"
        "print(key_digest(key))\n"
    )
    # another process, with other string hashes (so sets are ordered otherwise)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert other.stdout.strip() == key_digest(key)
    assert key_digest(key) != key_digest((*key[:-1], 1))


def test_a_shared_memo_reads_what_another_made(tmp_path: Path) -> None:
    made: list[str] = []
    first = Memo[bytes](max_items=10)
    second = Memo[bytes](max_items=10)
    first.shelf = second.shelf = Shelf(tmp_path / "panels")

    def make() -> bytes:
        made.append("x")
        return b"<p>panel</p>"

    assert first.get_or_make(("a", 1), make) == b"<p>panel</p>"
    assert second.get_or_make(("a", 1), make) == b"<p>panel</p>"  # from the shelf
    assert made == ["x"]
    assert second.get_or_make(("a", 2), make) and made == ["x", "x"]  # another key: made


def test_values_are_encoded_and_a_bad_file_is_a_miss(tmp_path: Path) -> None:
    def encode(value: tuple[int, str]) -> bytes:
        return f"{value[0]}|{value[1]}".encode()

    def decode(data: bytes) -> tuple[int, str]:
        number, text = data.decode().split("|")
        return int(number), text

    shelf = Shelf(tmp_path / "drawings")
    writer = Memo[tuple[int, str]](max_items=4, encode=encode, decode=decode)
    reader = Memo[tuple[int, str]](max_items=4, encode=encode, decode=decode)
    writer.shelf = reader.shelf = shelf
    writer.put("k", (3, "svg"))
    assert reader.get("k") == (3, "svg")
    (file,) = (tmp_path / "drawings").iterdir()
    file.write_bytes(b"not a drawing")  # another version's, or damaged
    reader.clear()
    assert reader.get("k") is None
    assert reader.misses == 1


def test_a_shared_memo_of_objects_needs_an_encoder(tmp_path: Path) -> None:
    memo = Memo[list[int]](max_items=4)
    memo.shelf = Shelf(tmp_path / "lists")
    with pytest.raises(TypeError):
        memo.put("k", [1, 2])


def test_the_shelf_is_bounded_oldest_first(tmp_path: Path) -> None:
    shelf = Shelf(tmp_path / "pages", max_bytes=10_000)
    for number in range(30):
        shelf.put(("page", number), bytes(1_000))
        stamp = 1_000_000 + number  # written one second apart
        os.utime(tmp_path / "pages" / (key_digest(("page", number)) + Shelf.SUFFIX), (stamp, stamp))
    shelf.prune()
    kept = sorted(p.stat().st_size for p in (tmp_path / "pages").iterdir())
    assert sum(kept) <= 10_000
    assert shelf.get(("page", 29)) is not None  # the newest stay
    assert shelf.get(("page", 0)) is None  # the oldest went


def test_clearing_the_shelf_forgets_for_every_process(tmp_path: Path) -> None:
    memo = Memo[bytes](max_items=4)
    memo.shelf = Shelf(tmp_path / "panels")
    memo.put("k", b"v")
    memo.clear()
    assert memo.get("k") == b"v"  # this process forgot; the shelf kept it
    memo.clear(shelf=True)
    assert memo.get("k") is None
