"""A small bounded memo: results kept by the fingerprint of what they came from.

It needs no invalidation: each key holds the fingerprint of the inputs a result was computed from
(an account's stored ``input_hash``, the database's data stamp and whatever else the result
reads), so when the data changes the key changes, the old entry is never asked for again and
falls out when the memo is full.

Each process keeps its own entries. A memo made with a ``shared`` name also keeps them, as bytes,
on a :class:`Shelf` that the processes of one server share once :func:`share_in` names its folder
(the web app does, beside the relationship graph's snapshot): a page one worker made, the other
finds instead of making it again.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

V = TypeVar("V")
_SHARED: dict[str, Memo[object]] = {}  # memos by the name of their shelf


class Memo(Generic[V]):
    """Least recently used entries go first once there are more than ``max_items``, or once the
    entries' ``size`` (bytes, people … whatever bounds memory) adds up to more than
    ``max_size``; safe to share between the threads of one process."""

    def __init__(
        self,
        *,
        max_items: int,
        max_size: int | None = None,
        size: Callable[[V], int] | None = None,
        shared: str | None = None,
        encode: Callable[[V], bytes] | None = None,
        decode: Callable[[bytes], V] | None = None,
    ) -> None:
        """``shared``: the name of this memo's shelf (see :func:`share_in`); its values are
        written with ``encode`` and read back with ``decode`` (bytes as they are by default)."""
        self.max_items = max_items
        self.max_size = max_size
        self._size = size or (lambda _value: 0)
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0
        self.shelf: Shelf | None = None
        self._encode: Callable[[V], bytes] = encode or _as_bytes
        self._decode: Callable[[bytes], V] = decode or _as_is
        if shared is not None:
            if shared in _SHARED:
                raise ValueError(f"two memos share the shelf {shared!r}")
            _SHARED[shared] = self  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[0]
        shelf = self.shelf
        data = shelf.get(key) if shelf is not None else None
        if data is not None:
            try:
                value = self._decode(data)
            except (ValueError, KeyError, TypeError):  # another version's file: made again
                value = None
            if value is not None:
                self._keep(key, value)
                with self._lock:
                    self.hits += 1
                return value
        with self._lock:
            self.misses += 1
        return None

    def put(self, key: Hashable, value: V) -> V:
        """Keep ``value`` here, and on the shelf when there is one."""
        shelf = self.shelf
        if shelf is not None:
            shelf.put(key, self._encode(value))
        return self._keep(key, value)

    def _keep(self, key: Hashable, value: V) -> V:
        size = self._size(value)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._entries[key] = (value, size)
            self._total += size
            while len(self._entries) > self.max_items or (
                self.max_size is not None and self._total > self.max_size and self._entries
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``make()`` kept (two threads may both make it)."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self, *, shelf: bool = False) -> None:
        """Forget this process's entries; the shelf's stay for the other processes, unless
        ``shelf`` (then they go too)."""
        with self._lock:
            self._entries.clear()
            self._total = 0
        if shelf and self.shelf is not None:
            self.shelf.clear()


def _as_bytes(value: Any) -> bytes:
    if not isinstance(value, bytes):
        raise TypeError("a shared memo keeps bytes unless it is given encode and decode")
    return value


def _as_is(data: bytes) -> Any:
    return data


def share_in(folder: Path | None) -> None:
    """Keep every shared memo's values in ``folder`` (one sub-folder per memo), or, with None,
    in this process only."""
    for name, memo in _SHARED.items():
        memo.shelf = None if folder is None else Shelf(folder / name)


class Shelf:
    """Values (bytes) kept in files in one folder, shared by the processes of a server: what
    one worker made, another finds instead of making it again.

    A value is written to a temporary file and renamed into place, so a reader never sees half of
    one; a file that cannot be read is a miss. The folder is bounded: once its files add up to
    more than ``max_bytes``, the oldest go until it is under three quarters of that. Its files
    hold bytes only (pages, drawings): nothing is unpickled or run from them."""

    SUFFIX = ".v"

    def __init__(self, folder: Path, *, max_bytes: int = 256 << 20) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._written = 0
        self._lock = threading.Lock()

    def _file(self, key: Hashable) -> Path:
        return self.folder / (key_digest(key) + self.SUFFIX)

    def get(self, key: Hashable) -> bytes | None:
        try:
            return self._file(key).read_bytes()
        except OSError:
            return None

    def put(self, key: Hashable, value: bytes) -> None:
        target = self._file(key)
        try:
            with tempfile.NamedTemporaryFile(dir=self.folder, suffix=".tmp", delete=False) as out:
                out.write(value)
            os.replace(out.name, target)
        except OSError:  # a full disk or a folder removed: the value is simply not shared
            with contextlib.suppress(OSError):
                os.unlink(out.name)
            return
        with self._lock:
            self._written += len(value)
            due = self._written > self.max_bytes // 8
            if due:
                self._written = 0
        if due:
            self.prune()

    def clear(self) -> None:
        """Remove every value."""
        for entry in os.scandir(self.folder):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)

    def prune(self) -> None:
        """Remove the oldest files while the folder holds more than ``max_bytes``, down to three
        quarters of it, and temporary files left by a process that died."""
        files = []
        now = time.time()
        for entry in os.scandir(self.folder):
            with contextlib.suppress(OSError):
                info = entry.stat()
                if entry.name.endswith(".tmp"):
                    if now - info.st_mtime > 600:
                        os.unlink(entry.path)
                    continue
                files.append((info.st_mtime, info.st_size, entry.path))
        total = sum(size for _, size, _ in files)
        if total <= self.max_bytes:
            return
        for _, size, path in sorted(files):
            with contextlib.suppress(OSError):
                os.unlink(path)
            total -= size
            if total <= self.max_bytes * 3 // 4:
                break


def key_digest(key: Hashable) -> str:
    """A name for ``key`` that every process gives it: sets are sorted, tuples, lists and
    dataclasses are written field by field, everything else as ``repr`` writes it (numbers,
    strings, dates)."""
    return hashlib.sha256(_canonical(key).encode()).hexdigest()[:40]


def _canonical(value: object) -> str:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (getattr(value, f.name) for f in dataclasses.fields(value))
        return type(value).__name__ + _canonical(tuple(fields))
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(_canonical(v) for v in value)) + "}"
    if isinstance(value, (tuple, list)):
        return "(" + ",".join(_canonical(v) for v in value) + ")"
    return repr(value)
