"""Bulk writes: many rows through the driver's fastest path, inside the caller's transaction.

SQLite gets ``executemany`` of one prepared INSERT on tuples; PostgreSQL gets ``COPY … FROM STDIN``.
Both run on the caller's SQLAlchemy connection, so they commit or roll back with everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, text

BATCH = 20_000


def _batches(rows: Iterable[Sequence[Any]], size: int) -> Iterable[list[Sequence[Any]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def bulk_insert(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``; returns the count."""
    name = table.name
    quoted = ", ".join(f'"{c}"' for c in columns)
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    count = 0
    if conn.dialect.name == "postgresql":
        cur = dbapi.cursor()
        with cur.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})'
    cur = dbapi.cursor()
    for batch in _batches(rows, BATCH):
        cur.executemany(sql, batch)
        count += len(batch)
    return count


def reset_sequences(conn: Connection, tables: Iterable[Table]) -> None:
    """After inserting explicit ids on PostgreSQL, move each id sequence past the largest id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if "id" not in table.c or not isinstance(table.c.id.type.python_type, type):
            continue
        if table.c.id.type.python_type is not int or not table.c.id.primary_key:
            continue
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
            )
        )


def bulk_update(
    conn: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """``UPDATE table SET columns… WHERE id = ?`` for each row (values in order, the id last),
    through the driver's ``executemany`` (pipelined by psycopg on PostgreSQL)."""
    mark = "%s" if conn.dialect.name == "postgresql" else "?"
    sets = ", ".join(f'"{c}" = {mark}' for c in columns)
    sql = f'UPDATE "{table.name}" SET {sets} WHERE id = {mark}'
    dbapi = conn.connection.dbapi_connection
    assert dbapi is not None
    cur = dbapi.cursor()
    count = 0
    for batch in _batches(rows, BATCH):
        cur.executemany(sql, batch)
        count += len(batch)
    return count


def source_keys(conn: Connection, table: Table, source: str) -> dict[str, tuple[int, str | None]]:
    """``external_id → (id, source_hash)`` of the rows that came from ``source``."""
    rows = conn.execute(
        text(
            f'SELECT external_id, id, source_hash FROM "{table.name}" '
            "WHERE source = :source AND external_id IS NOT NULL"
        ),
        {"source": source},
    )
    return {ext: (rid, digest) for ext, rid, digest in rows}


def reserve_ids(conn: Connection, table: Table, count: int) -> int:
    """The first of ``count`` new ids for ``table``, reserved inside the caller's transaction."""
    if count <= 0:
        return 0
    if conn.dialect.name == "postgresql":
        first = (
            conn.execute(
                text(
                    f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                    "FROM generate_series(1, :n)"
                ),
                {"n": count},
            )
            .scalars()
            .all()
        )
        if first != list(range(first[0], first[0] + count)):
            raise RuntimeError(f"ids of {table.name} were reserved out of order")
        return int(first[0])
    top = conn.execute(text(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"')).scalar_one()
    return int(top) + 1
