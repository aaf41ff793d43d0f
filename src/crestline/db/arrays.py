"""Bulk reads: a large result of integer columns straight into NumPy arrays.

The counterpart of ``bulk.py``: millions of rows through the driver's cursor, in chunks, without
SQLAlchemy rows or a Python list of the whole result in between. SQLite reads from its ordinary
cursor; PostgreSQL from a server-side cursor, so the server streams and the client never holds
the whole result. Both run inside the caller's transaction.

Dates go in as whole day numbers (:func:`day_number`), so a column of dates is an integer column
too; NULL reads as :data:`NULL` (give it with ``coalesce``).

One SQLite library per process: the fast columnar read (Arrow's SQLite driver, ADBC, which
carries a SQLite build of its own) runs only in child processes (``apart_child.py``), never in
the process that holds the application's connections. POSIX file locks belong to a process, and
SQLite releases them all when any connection of a build closes the file: a second build in the
same process would drop every lock Python's ``sqlite3`` holds (a writer could then reset the
journal under a live reader, or another process delete it).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import itertools
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Connection, Date, Integer, cast, func, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, Select

from crestline.errors import UnavailableError

CHUNK = 200_000
IDS_AT_ONCE = 900  # ids in one IN (…): within every database's limit on parameters
APART_PROCESSES = 2  # the graph reads two streams at once (meetings beside the rest)
NULL = -(2**40)  # what a NULL day or id reads as (through coalesce)
EPOCH = dt.date(2000, 1, 1)
_JULIAN_EPOCH = 2_451_545  # the Julian day number of EPOCH at noon (SQLite's julianday + 0.5)

Ints = npt.NDArray[np.int64]


def day_number(conn: Connection | ApartReader, column: Any) -> ColumnElement[int]:
    """A date or timestamp column as whole days since 2000-01-01 (the day it falls on), NULL
    as :data:`NULL`."""
    days: ColumnElement[Any]
    if conn.dialect.name == "postgresql":
        days = cast(column, Date) - cast(literal(EPOCH.isoformat()), Date)
    else:  # SQLite keeps ISO text: the date's Julian day (its first ten characters: cheaper
        # to parse than the whole timestamp), + 0.5 to count whole days
        days = cast(func.julianday(func.substr(column, 1, 10)) + 0.5, Integer) - _JULIAN_EPOCH
    return func.coalesce(cast(days, BigInteger), literal(NULL, BigInteger))


def day_of(day: dt.date) -> int:
    """A date as :func:`day_number` counts it."""
    return (day - EPOCH).days


@dataclass(frozen=True)
class ApartReader:
    """Reads a SQLite file through a connection of its own (Arrow's driver, in a child process:
    :class:`ApartChild`) — so from another thread too, while the caller's connection does other
    work."""

    path: str
    dialect: Dialect


def apart(conn: Connection) -> ApartReader | None:
    """A reader apart from ``conn`` when it sees the same data: a SQLite file, nothing written
    in this transaction (what is committed is then all there is)."""
    if conn.dialect.name != "sqlite":
        return None
    path = conn.engine.url.database
    dbapi = conn.connection.dbapi_connection
    if not path or path == ":memory:" or getattr(dbapi, "in_transaction", True):
        return None
    return ApartReader(path, conn.dialect)


def read_ints(conn: Connection | ApartReader, stmt: Select[*tuple[Any, ...]]) -> list[Ints]:
    """The columns of ``stmt`` (all integers, NULLs given a value with ``coalesce``) as arrays.

    Read apart (:func:`apart`) through Arrow's SQLite driver (ADBC), in a child process, when
    that sees the same data: it fills columns in compiled code — several times faster than rows
    through Python — and the arrays come back pickled. Otherwise the transaction's own cursor
    reads, in chunks.
    """
    width = len(stmt.selected_columns)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    reader = conn if isinstance(conn, ApartReader) else apart(conn)
    if reader is not None:
        params = [_sqlite_value(compiled.params[name]) for name in compiled.positiontup or []]
        return _read_apart(reader.path, sql, params, width)
    assert isinstance(conn, Connection)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    if conn.dialect.name == "postgresql":
        cursor: Any = dbapi.cursor(name="crestline_read_ints")  # server-side: streamed
        cursor.itersize = CHUNK
        cursor.execute(sql, compiled.params)
    else:
        positions = compiled.positiontup or []
        cursor = dbapi.cursor()
        cursor.execute(sql, [compiled.params[name] for name in positions])
    parts: list[Ints] = []
    try:
        while rows := cursor.fetchmany(CHUNK):
            flat = np.fromiter(
                itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows) * width
            )
            parts.append(flat.reshape(-1, width))
    finally:
        cursor.close()
    table = np.concatenate(parts) if parts else np.zeros((0, width), dtype=np.int64)
    return [np.ascontiguousarray(table[:, i]) for i in range(width)]


def _sqlite_value(value: Any) -> Any:
    """A parameter as SQLite stores it (SQLAlchemy's text forms of dates and times)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


class ApartChild:
    """One child process reading apart (``crestline.db.apart_child``), asked one request at a
    time over pipes."""

    def __init__(self) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "crestline.db.apart_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def read(self, path: str, sql: str, params: list[Any], width: int) -> list[Ints]:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        try:
            pickle.dump((path, sql, params, width), stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.flush()
            status, value = pickle.load(stdout)
        except (OSError, EOFError, pickle.UnpicklingError):
            self.close()
            raise UnavailableError(f"{path}: the reading process stopped; try again") from None
        if status != "ok":
            raise UnavailableError(f"{path}: cannot read the database: {value}")
        columns: list[Ints] = value
        return columns

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


_idle: list[ApartChild] = []
_children: list[ApartChild] = []
_children_lock = threading.Lock()
_child_free = threading.Semaphore(APART_PROCESSES)


def _read_apart(path: str, sql: str, params: list[Any], width: int) -> list[Ints]:
    """One read in a child process: an idle one, else a new one (at most
    :data:`APART_PROCESSES`; more readers wait their turn). The children are kept for the life
    of this process (one costs a few tenths of a second to start)."""
    with _child_free:
        with _children_lock:
            while _idle and not _idle[-1].alive:
                _children.remove(_idle.pop())
            if _idle:
                child = _idle.pop()
            else:
                child = ApartChild()
                if not _children:
                    atexit.register(close_apart_children)
                _children.append(child)
        try:
            return child.read(path, sql, params, width)
        finally:
            with _children_lock:
                if child.alive:
                    _idle.append(child)
                elif child in _children:
                    _children.remove(child)


def close_apart_children() -> None:
    """Stop the child readers (new ones start when next needed)."""
    with _children_lock:
        children = list(_children)
        _children.clear()
        _idle.clear()
    for child in children:
        child.close()


def in_chunks(ids: Ints | None) -> Iterator[list[int] | None]:
    """``ids`` a chunk at a time, small enough for ``IN (…)`` (one None: no filter)."""
    if ids is None:
        yield None
        return
    for start in range(0, len(ids), IDS_AT_ONCE):
        yield ids[start : start + IDS_AT_ONCE].tolist()


def read_in_chunks(
    conn: Connection | ApartReader, stmt: Select[*tuple[Any, ...]], column: Any, only: Ints | None
) -> list[Ints]:
    """``stmt``'s integer columns, for the rows whose ``column`` is in ``only`` (all rows when
    None), asked for a chunk of ids at a time."""
    parts = [
        read_ints(conn, stmt if chunk is None else stmt.where(column.in_(chunk)))
        for chunk in in_chunks(only)
    ]
    width = len(stmt.selected_columns)
    if not parts:
        return [np.zeros(0, dtype=np.int64) for _ in range(width)]
    return [np.concatenate([part[i] for part in parts]) for i in range(width)]
