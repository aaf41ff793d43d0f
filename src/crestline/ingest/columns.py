"""Declarative column maps: which headers feed which field, how the cell is parsed.

An importer describes each source object as an :class:`ObjectSpec`; :func:`read_records` turns a
:class:`~crestline.ingest.tabular.Table` into :class:`~crestline.ingest.records.Record` objects and
:class:`~crestline.ingest.records.Problem` rows, with no knowledge of any database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from crestline.errors import BadInputError
from crestline.ingest import values
from crestline.ingest.records import Problem, Record
from crestline.ingest.tabular import Row, Table, normalise_header

Parser = Callable[[str], Any]
NumberParser = Callable[[str, bool | None], Any]  # the value, and whether it has a decimal comma
# The first rows of a file, whose values decide each date column's day or month order and each
# number column's decimal mark (held in memory while they are read).
DATE_SAMPLE = 20_000


@dataclass(frozen=True)
class Column:
    name: str
    headers: tuple[str, ...]
    parse: Parser | None = None  # None keeps the trimmed text
    required: bool = False
    ref: bool = False  # the value is the key of another record
    lenient: bool = False  # a bad value is dropped with a warning instead of rejecting the row
    date: bool = False  # a date, read in the column's day or month order (values.date_order)
    datetime: bool = False  # a date and time, read the same way
    number: NumberParser | None = None  # a number, read with the column's decimal mark

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(normalise_header(h) for h in self.headers)


@dataclass(frozen=True)
class ObjectSpec:
    kind: str
    key_headers: tuple[str, ...]
    columns: tuple[Column, ...]
    key_parse: Parser | None = None
    key_optional: bool = False  # without a key column, a row's key is a digest of its cells
    derive: Callable[[dict[str, Any], set[str]], None] | None = None
    extra_checks: tuple[Callable[[Record], Problem | None], ...] = field(default=())
    nulls: frozenset[str] = frozenset()  # values a reference column writes for "no record"

    @property
    def key_keys(self) -> tuple[str, ...]:
        return tuple(normalise_header(h) for h in self.key_headers)

    def present(self, table: Table) -> list[Column]:
        return [c for c in self.columns if table.has(*c.keys)]

    def missing_required(self, table: Table) -> list[Column]:
        return [c for c in self.columns if c.required and not table.has(*c.keys)]


PLAIN, DATE, DATETIME, NUMBER = 0, 1, 2, 3


def _kind(column: Column) -> int:
    if column.date:
        return DATE
    if column.datetime:
        return DATETIME
    if column.number is not None:
        return NUMBER
    return PLAIN


@dataclass
class ReadStats:
    read: int = 0
    duplicates: int = 0


def read_records(
    table: Table,
    spec: ObjectSpec,
    *,
    on_problem: Callable[[Problem], None],
    stats: ReadStats,
) -> Iterator[Record]:
    """Records of ``table`` as ``spec`` describes them; problems go to ``on_problem``.

    Exact duplicate rows are skipped (one warning for all); a second row with a key already seen
    and other values is rejected.
    """
    file = table.path.name
    header = tuple(table.header)
    key_keys = spec.key_keys
    keyless = not table.has(*key_keys)
    if keyless and not spec.key_optional:
        raise BadInputError(f"{table.path}: no {spec.key_headers[0]!r} column (the record id)")
    for col in spec.missing_required(table):
        raise BadInputError(f"{table.path}: no {col.headers[0]!r} column (required)")
    columns = spec.present(table)
    plan = [(c, c.keys) for c in columns]  # header lookups, computed once
    where = {k: i for i, k in reversed(list(enumerate(table.keys)))}
    positions = [(c, next(where[k] for k in c.keys if k in where)) for c in columns]
    key_at = next((where[k] for k in spec.key_keys if k in where), -1)
    steps = [  # one tuple a column, unpacked in the row loop
        (c.name, at, c.parse, c.ref, _kind(c), c.required, c.lenient) for c, at in positions
    ]
    names = {c.name for c in columns}
    number_parsers: dict[str, NumberParser] = {
        c.name: c.number for c in columns if c.number is not None
    }
    original = dict(zip(table.keys, table.header, strict=False))
    labels = {c.name: original[next(h for h in c.keys if h in original)] for c in columns}
    key_label = next((original[h] for h in spec.key_keys if h in original), "")
    rows = table.rows()
    head = list(islice(rows, DATE_SAMPLE))
    samples = {  # the first rows' values of the columns whose format the column decides
        c.name: [r.get(*keys) or "" for r in head]
        for c, keys in plan
        if c.date or c.datetime or c.number is not None
    }
    decimal_comma: dict[str, bool | None] = {}
    for c in columns:
        if c.number is not None:
            told = values.number_format(samples[c.name])
            decimal_comma[c.name] = told if told is not None else table.european
    european = table.european or any(decimal_comma.values()) or None
    dayfirst: dict[str, bool] = {}
    notes: list[Problem] = []
    for c in columns:
        if c.date or c.datetime:
            order = values.date_order(samples[c.name], dayfirst_hint=european)
            dayfirst[c.name] = order.dayfirst
            if order.guessed:
                row_no = head[order.example_at].number
                notes.append(
                    Problem(file, row_no, labels[c.name], order.note(), "warning", (), header)
                )
    del samples
    nulls = spec.nulls
    seen: dict[str, tuple[int, int]] = {}  # key -> (first row, fingerprint of its cells)

    def problem(row: Row, fld: str | None, message: str, severity: str = "error") -> Problem:
        return Problem(file, row.number, fld, message, severity, tuple(row.cells), header)

    def all_rows() -> Iterator[Row]:
        yield from head
        yield from rows
        note = table.repair_note()
        if note is not None:
            on_problem(Problem(file, 0, None, note, "warning", (), header))

    for note in notes:
        on_problem(note)

    for row in all_rows():
        stats.read += 1
        if keyless:
            raw_key = (
                "row:"
                + hashlib.blake2b("\x1f".join(row.cells).encode(), digest_size=12).hexdigest()
            )
        else:
            raw_key = (row.cells[key_at] if key_at < len(row.cells) else "").strip()
        if not raw_key:
            on_problem(problem(row, key_label, "empty record id"))
            continue
        try:
            key = spec.key_parse(raw_key) if spec.key_parse else raw_key
        except ValueError as exc:
            on_problem(problem(row, key_label, str(exc)))
            continue
        cells = hash(tuple(row.cells))
        if key in seen:
            first_row, first_cells = seen[key]
            if first_cells == cells:
                stats.duplicates += 1
            else:
                on_problem(
                    problem(
                        row,
                        key_label,
                        f"id {raw_key} appears again with other values (first at row {first_row})",
                    )
                )
            continue
        seen[key] = (row.number, cells)
        fields: dict[str, Any] = {}
        refs: dict[str, Any] = {}
        record = Record(spec.kind, key, fields, refs, file, row, header, labels)
        rejected = False
        cells_now = row.cells
        width = len(cells_now)
        for name, at, parse, is_ref, kind, required, lenient in steps:
            target = refs if is_ref else fields
            raw = cells_now[at] if at < width else ""
            if not raw or raw.isspace() or (is_ref and nulls and raw.strip() in nulls):
                if required:
                    on_problem(problem(row, labels[name], "required value is empty"))
                    rejected = True
                    break
                target[name] = None
                continue
            try:
                if kind == DATE:
                    target[name] = values.parse_date(raw, dayfirst=dayfirst[name])
                elif kind == DATETIME:
                    target[name] = values.parse_datetime(raw, dayfirst=dayfirst[name])
                elif kind == NUMBER:
                    target[name] = number_parsers[name](raw, decimal_comma[name])
                elif parse is not None:
                    target[name] = parse(raw)
                else:
                    text = raw.strip()
                    if "  " in text or "\n" in text or "\r" in text or "\t" in text:
                        text = " ".join(text.split())
                    target[name] = text
            except ValueError as exc:
                if lenient and not required:
                    on_problem(problem(row, labels[name], f"{exc}; left empty", "warning"))
                    target[name] = None
                    continue
                on_problem(problem(row, labels[name], str(exc)))
                rejected = True
                break
        if rejected:
            continue
        if spec.derive is not None:
            spec.derive(record.fields, names)
        if spec.extra_checks:
            bad = next((p for check in spec.extra_checks if (p := check(record)) is not None), None)
            if bad is not None:
                on_problem(bad)
                if bad.severity == "error":
                    continue
        yield record
