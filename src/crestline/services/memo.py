"""A small bounded memo for one process: results kept by the fingerprint of what they came from.

It needs no invalidation and no sharing between worker processes: each key holds the fingerprint
of the inputs a result was computed from (an account's stored ``input_hash`` and whatever else
the result reads), so when the data changes the key changes, the old entry is never asked for
again and falls out when the memo is full. Each worker fills its own copy once per key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


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
    ) -> None:
        self.max_items = max_items
        self.max_size = max_size
        self._size = size or (lambda _value: 0)
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: Hashable, value: V) -> V:
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

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = 0
