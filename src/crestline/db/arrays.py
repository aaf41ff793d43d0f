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
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Date, Integer, cast, func, literal
from sqlalchemy.sql import ColumnElement, Select

CHUNK = 200_000
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
    else:  # SQLite keeps ISO text: julianday + 0.5 truncates to the day it falls on
        days = cast(func.julianday(column) + 0.5, Integer) - _JULIAN_EPOCH
    return func.coalesce(days, NULL)


def day_of(day: dt.date) -> int:
    """A date as :func:`day_number` counts it."""
    return (day - EPOCH).days


def read_ints(conn: Connection, stmt: Select[*tuple[Any, ...]]) -> list[Ints]:
    """The columns of ``stmt`` (all integers, NULLs given a value with ``coalesce``) as arrays."""
    width = len(stmt.selected_columns)
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    sql = str(compiled)
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
