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
from typing import Any
from urllib.parse import quote

import numpy as np
import numpy.typing as npt
from sqlalchemy import BigInteger, Connection, Date, Integer, cast, func, literal
from sqlalchemy.sql import ColumnElement, Select

CHUNK = 200_000
IDS_AT_ONCE = 900  # ids in one IN (…): within every database's limit on parameters
ARROW_BATCH = 262_144  # rows per Arrow batch (the driver's default, 1,024, fragments memory)
NULL = -(2**40)  # what a NULL day or id reads as (through coalesce)
EPOCH = dt.date(2000, 1, 1)
_JULIAN_EPOCH = 2_451_545  # the Julian day number of EPOCH at noon (SQLite's julianday + 0.5)

Ints = npt.NDArray[np.int64]


def day_number(conn: Connection, column: Any) -> ColumnElement[int]:
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


def read_ints(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> list[Ints]:
    """The columns of ``stmt`` (all integers, NULLs given a value with ``coalesce``) as arrays.

    A SQLite file with nothing written in this transaction is read through Arrow's SQLite driver
    (ADBC), which fills columns in compiled code — several times faster than rows through
    Python; what it reads is what is committed, which is all there is then. Otherwise the
    transaction's own cursor reads, in chunks.
    """
    width = len(stmt.selected_columns)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    sql = str(compiled)
    path = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    if path and path != ":memory:" and not getattr(dbapi, "in_transaction", True):
        params = [_sqlite_value(compiled.params[name]) for name in compiled.positiontup or []]
        return _read_arrow(path, sql, params, width)
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
        # large batches: fewer, larger buffers, which go back to the system when freed
        cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(ARROW_BATCH)})
        cursor.execute(sql, params or None)
        table = cursor.fetch_arrow_table()
    if table.num_rows == 0:
        return [np.zeros(0, dtype=np.int64) for _ in range(width)]
    columns = [
        np.array(table.column(i).to_numpy(zero_copy_only=False), dtype=np.int64)
        for i in range(width)
    ]
    del table
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
    conn: Connection, stmt: Select[*tuple[Any, ...]], column: Any, only: Ints | None
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
