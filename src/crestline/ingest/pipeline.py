"""Reading a big file in a second process while the first one writes.

Parsing and validating rows is pure Python and costs as much as writing them; on a machine with
two or more cores, :func:`read_records_beside` forks a reader process that parses the table and
hands batches of records over a bounded queue, so parsing and writing overlap. Records arrive in
file order, with their fingerprints already taken; problems arrive before the batch they belong to.
The reader stops by itself when the process that started it is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator
from typing import Any

from crestline.errors import BadInputError
from crestline.ingest.columns import ObjectSpec, ReadStats, read_records
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import Row, Table

BATCH = 5_000
DEPTH = 6  # batches in flight
BIG_FILE = 32 << 20  # files smaller than this are read in-process


def _put(q: Any, item: object, parent: int) -> None:
    while True:
        try:
            q.put(item, timeout=1.0)
            return
        except queue.Full:
            if os.getppid() != parent:  # the writer is gone: stop
                os._exit(0)


def _produce(table: Table, spec: ObjectSpec, q: Any, parent: int, batch_size: int) -> None:
    problems: list[Problem] = []
    stats = ReadStats()
    batch: list[Record] = []
    try:
        for record in read_records(table, spec, on_problem=problems.append, stats=stats):
            record.fingerprint = record.digest()
            if record.row is not None:  # the cells stay, for the errors file
                record.row = Row(record.row.number, record.row.cells, {})
            record.header = ()
            record.labels = {}
            batch.append(record)
            if len(batch) >= batch_size:
                _put(q, ("batch", problems, batch), parent)
                problems, batch = [], []
        _put(q, ("batch", problems, batch), parent)
        _put(q, ("done", stats.read, stats.duplicates), parent)
    except BadInputError as exc:
        _put(q, ("error", exc.message), parent)


def read_records_beside(
    table: Table,
    spec: ObjectSpec,
    *,
    on_problem: Callable[[Problem], None],
    stats: ReadStats,
    force: bool = False,
) -> Iterator[Record]:
    """Like :func:`read_records`, parsing in a forked reader process for big files."""
    big = force or table.path.stat().st_size >= BIG_FILE
    if (
        not big
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield from read_records(table, spec, on_problem=on_problem, stats=stats)
        return
    context = multiprocessing.get_context("fork")
    q = context.Queue(maxsize=DEPTH)
    labels: dict[str, str] = {}
    original = dict(zip(table.keys, table.header, strict=False))
    for column in spec.present(table):
        labels[column.name] = original[next(k for k in column.keys if k in original)]
    header = tuple(table.header)
    reader = context.Process(
        target=_produce, args=(table, spec, q, os.getpid(), BATCH), daemon=True
    )
    reader.start()
    table.close()  # the reader has its own copy of the file
    try:
        while True:
            item = q.get()
            if item[0] == "batch":
                for problem in item[1]:
                    on_problem(problem)
                for record in item[2]:
                    record.labels = labels
                    record.header = header
                    yield record
            elif item[0] == "done":
                stats.read += item[1]
                stats.duplicates += item[2]
                break
            else:
                raise BadInputError(item[1])
    finally:
        reader.join(timeout=5)
        if reader.is_alive():
            reader.kill()
