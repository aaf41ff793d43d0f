"""The relationship graph shared by the processes of one machine: a snapshot of its arrays on
disk that every worker of the web app maps into memory, instead of each reading and holding a
copy.

A snapshot is a folder of NumPy files (the graph's compressed sparse rows: ``indptr``,
``indices``, ``strengths`` and the search's ``weights``) and a ``meta.json`` (what the graph
needs besides, and where the database stood when it was read). It is named after the database's
data stamp and the day it was read for, so a worker that sees the same stamp maps the same
files: the pages are the kernel's page cache, shared by every process that maps them. One
process at a time reads or updates the graph (a lock on the folder); the others wait, then map
what it wrote. A snapshot is written to a temporary folder and renamed into place, so nobody
maps half of one; the newest few are kept (a worker may still map an older one: its files stay
readable until it lets them go).

The folder holds only arrays and JSON — nothing that runs when loaded — and is made private to
its user (mode 0700); a folder someone else owns or can write is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crestline.db.database import resolve_url
from crestline.engines.csr_paths import CsrGraph
from crestline.engines.relationships import StrengthModel
from crestline.errors import BadInputError
from crestline.services.paths.relationship_graph import RelationshipGraph

ARRAYS = ("indptr", "indices", "strengths", "weights")
KEEP = 2  # snapshots kept: the newest, and the one before (a worker may still be moving off)
STALE_TEMP = 3600.0  # seconds: a temporary folder this old was left by a process that died
FORMAT = 1


def default_folder(database_url: str) -> Path:
    """Where a database's snapshots go when the settings name no folder: one folder per
    database (a path or URL, as ``--db`` takes it) in this user's private corner of the system's
    temporary folder."""
    digest = hashlib.sha256(resolve_url(database_url).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"crestline-{os.geteuid()}" / f"graph-{digest}"


def store_for(graph_dir: str, database_url: str) -> GraphStore:
    """The store the settings name (``graph_dir``), else the database's default folder."""
    return GraphStore(Path(graph_dir) if graph_dir else default_folder(database_url))


def stamp_key(stamp: Iterable[Iterable[object]], as_of: dt.date) -> str:
    """The name of the snapshot of the graph read as of ``as_of`` when the data stamp (rows of
    values) was ``stamp``: the same in every process."""
    values = [[None if v is None else str(v) for v in row] for row in stamp]
    text = json.dumps([values, as_of.isoformat()])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Snapshot:
    """A graph mapped from disk and what was recorded with it (``extra``: the caller's own, such
    as where the database stood when the graph was read)."""

    key: str
    graph: RelationshipGraph
    extra: Mapping[str, Any]


def _private_folder(folder: Path) -> None:
    """Make ``folder`` (and its parent, when that is the per-user corner) private to this user,
    refusing one that someone else could write."""
    for place in (folder.parent, folder):
        if place == folder.parent and not place.name.startswith("crestline-"):
            continue
        try:
            place.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise BadInputError(
                f"{place}: cannot keep the graph's snapshot ({exc.strerror})"
            ) from None
        info = place.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            raise BadInputError(
                f"{place}: not a folder of this user's; the graph is not kept there"
            )
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise BadInputError(f"{place}: others may write here; the graph is not kept")


class GraphStore:
    """Snapshots of the relationship graph in one folder (see the module's documentation)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private_folder(folder)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Only one process at a time reads, updates or writes the graph; the others wait."""
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # on its own file: SQLite's locks are not touched
            yield
        finally:
            os.close(fd)  # closing lets the lock go

    def load(self, key: str) -> Snapshot | None:
        """The snapshot ``key``, mapped; None when there is none (or it cannot be read)."""
        folder = self.folder / f"g-{key}"
        try:
            meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                return None
            arrays = {  # plain arrays over the mapped files (a memmap's every slice is a memmap
                # too, and making those costs more than the search itself)
                name: np.asarray(np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False))
                for name in ARRAYS
            }
        except (OSError, ValueError):
            return None
        graph = CsrGraph(
            arrays["indptr"],
            arrays["indices"],
            arrays["strengths"],
            meta["hop_penalty"],
            arrays["weights"],
        )
        rg = RelationshipGraph(
            graph,
            meta["offset"],
            dt.date.fromisoformat(meta["as_of"]),
            StrengthModel(**meta["model"]),
            meta["sellers"],
            meta["stats"],
            meta["seconds"],
        )
        return Snapshot(key, rg, meta["extra"])

    def newest(self, as_of: dt.date) -> Snapshot | None:
        """The newest snapshot read as of ``as_of`` (to update rather than read everything)."""
        for folder in self._snapshots():
            try:
                meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("as_of") == as_of.isoformat():
                found = self.load(folder.name.removeprefix("g-"))
                if found is not None:
                    return found
        return None

    def save(self, key: str, rg: RelationshipGraph, extra: Mapping[str, Any]) -> Snapshot:
        """Write ``rg`` as snapshot ``key`` and return it mapped (so this process, too, shares
        the pages rather than holding its own copy). Call it holding :meth:`locked`."""
        final = self.folder / f"g-{key}"
        if not final.exists():
            temp = Path(tempfile.mkdtemp(prefix="tmp-", dir=self.folder))
            try:
                g = rg.graph
                for name, array in (
                    ("indptr", g.indptr),
                    ("indices", g.indices),
                    ("strengths", g.strengths),
                    ("weights", g.weights),
                ):
                    np.save(temp / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
                meta = {
                    "format": FORMAT,
                    "key": key,
                    "as_of": rg.as_of.isoformat(),
                    "offset": rg.offset,
                    "sellers": rg.sellers,
                    "hop_penalty": g.hop_penalty,
                    "model": {**asdict(rg.model), "base": dict(rg.model.base)},
                    "stats": rg.stats,
                    "seconds": rg.seconds,
                    "extra": dict(extra),
                    "written_at": time.time(),
                }
                (temp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
                temp.rename(final)
            except BaseException:
                shutil.rmtree(temp, ignore_errors=True)
                raise
        self._tidy(keep=final)
        found = self.load(key)
        if found is None:
            raise BadInputError(f"{final}: the graph's snapshot was written but cannot be read")
        return found

    def _snapshots(self) -> list[Path]:
        """The snapshots, newest first."""
        found = [p for p in self.folder.glob("g-*") if (p / "meta.json").exists()]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def _tidy(self, *, keep: Path) -> None:
        for old in [p for p in self._snapshots() if p != keep][KEEP - 1 :]:
            shutil.rmtree(old, ignore_errors=True)  # a process mapping it keeps its pages
        now = time.time()
        for temp in self.folder.glob("tmp-*"):
            with contextlib.suppress(OSError):
                if now - temp.stat().st_mtime > STALE_TEMP:
                    shutil.rmtree(temp, ignore_errors=True)
