"""Bulk reads: a large result of integer columns straight into NumPy arrays.

The counterpart of ``bulk.py``: millions of rows through the driver's cursor, in chunks, without
SQLAlchemy rows or a Python list of the whole result in between. SQLite reads from its ordinary
cursor; PostgreSQL from a server-side cursor, so the server streams and the client never holds
the whole result. Both run inside the caller's transaction.

Dates go in as whole day numbers (:func:`day_number`), so a column of dates is an integer column
too; NULL reads as :data:`NULL` (give it with ``coalesce``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Connection, Date, Integer, cast, func, literal
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, Select

CHUNK = 200_000
IDS_AT_ONCE = 900  # ids in one IN (…): within every database's limit on parameters
BUSY_MS = 10_000
ARROW_BATCH = 262_144  # rows per Arrow batch (the driver's default, 1,024, fragments memory)
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
    """Reads a SQLite file through a connection of its own (Arrow's driver) — so from another
    thread too, while the caller's connection does other work."""

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

    Read apart (:func:`apart`) through Arrow's SQLite driver (ADBC) when that sees the same data,
    which fills columns in compiled code — several times faster than rows through Python.
    Otherwise the transaction's own cursor reads, in chunks.
    """
    width = len(stmt.selected_columns)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    reader = conn if isinstance(conn, ApartReader) else apart(conn)
    if reader is not None:
        params = [_sqlite_value(compiled.params[name]) for name in compiled.positiontup or []]
        return _read_arrow(reader.path, sql, params, width)
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


def _read_arrow(path: str, sql: str, params: list[Any], width: int) -> list[Ints]:
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow

    uri = f"file:{quote(path)}?mode=ro"
    with adbc.connect(uri) as connection, connection.cursor() as cursor:
        # wait, as the app's own connections do, rather than fail while another connection
        # (another reader of this build, a writer) holds a lock for a moment
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        # large batches: fewer, larger buffers, which go back to the system when freed
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(ARROW_BATCH)})
        cursor.execute(sql, params or None)
        table = cursor.fetch_arrow_table()
    if table.num_rows == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(width)]
    columns = []
    for _ in range(width):  # a column at a time, each let go once copied (memory)
        first = table.column(0).to_numpy(zero_copy_only=False)
        columns.append(np.asarray(first, dtype=np.int64))
        table = table.drop_columns([table.column_names[0]])
    pyarrow.default_memory_pool().release_unused()  # hand Arrow's buffers back now
    return columns


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
