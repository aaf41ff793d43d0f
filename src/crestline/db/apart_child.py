"""The child process that reads a SQLite file through Arrow's driver (see ``arrays.py``).

Started by :class:`crestline.db.arrays.ApartChild` as ``python -m crestline.db.apart_child``; it
reads requests from its standard input and writes the answers to its standard output, both
pickled: ``(path, sql, params, width)`` in, ``("ok", [array, …])`` or ``("error", message)``
out. It ends when its input closes (the parent stopped or died). It opens the file through
Arrow's SQLite build only — this process has no other SQLite connection whose locks that build
could drop.
"""

from __future__ import annotations

import pickle
import sys
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt

BUSY_MS = 10_000
ARROW_BATCH = 262_144  # rows per Arrow batch (the driver's default, 1,024, fragments memory)

Ints = npt.NDArray[np.int64]


def read_arrow(path: str, sql: str, params: list[Any], width: int) -> list[Ints]:
    """``sql``'s integer columns as arrays, read through Arrow's SQLite driver, read-only."""
    from urllib.parse import quote

    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow

    uri = f"file:{quote(path)}?mode=ro"
    with adbc.connect(uri) as connection, connection.cursor() as cursor:
        # wait, as the app's own connections do, rather than fail while a writer holds a lock
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


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """Answer requests until the input closes."""
    while True:
        try:
            path, sql, params, width = pickle.load(requests)
        except EOFError:
            return
        try:
            answer: tuple[str, object] = ("ok", read_arrow(path, sql, params, width))
        except Exception as exc:  # told to the parent, which raises it there
            answer = ("error", f"{type(exc).__name__}: {exc}")
        pickle.dump(answer, answers, protocol=pickle.HIGHEST_PROTOCOL)
        answers.flush()
        del answer


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
