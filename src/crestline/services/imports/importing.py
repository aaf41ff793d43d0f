"""What every import shares: one transaction, counts, problems, the errors file, the summary.

An import runs inside :func:`run_import`: everything is written in one transaction, which a
dry run or a strict import with rejected rows rolls back; rejected rows and every warning go to
one errors CSV (the file, row and field, the severity, the reason, and a rejected row's original
columns); the summary has the shape documented in docs/importing.md, with the warnings counted by
kind and the first examples of each.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from crestline.db.bulk import bulk_insert, bulk_update, reserve_ids, source_keys
from crestline.db.database import Database
from crestline.db.models import Base, ImportRun
from crestline.errors import BadInputError
from crestline.ingest.records import Problem, Record, RowAt
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import require_admin
from crestline.services.collector import collector_paused
from crestline.services.decisions.insights import refresh_insights

MAX_WARNINGS = 200  # lines in the summary; the errors file has all of them
EXAMPLES = 3  # examples of each kind of warning in the summary
Progress = Callable[[str, int], None]

# What makes two warnings the same kind once the particulars are taken out: quoted values,
# e-mail addresses, ids, numbers and dates.
_PARTICULARS = re.compile(
    r"'[^']*'|\"[^\"]*\"|\S+@\S+|\b(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{15,18}\b|\d[\d,.:/-]*"
)


def warning_kind(problem: Problem | None, line: str) -> str:
    """The kind a warning counts under: where (file, field) and what, without the values."""
    if problem is not None:
        where = f"{problem.file}, field {problem.field}" if problem.field else problem.file
        return f"{where}: {_PARTICULARS.sub('…', problem.message)}"
    return _PARTICULARS.sub("…", line)


@dataclass
class ObjectCounts:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class WarningKind:
    kind: str
    count: int
    examples: list[str]


@dataclass
class ImportSummary:
    source: str
    dry_run: bool
    objects: dict[str, ObjectCounts] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    errors_file: str | None = None
    matches: dict[str, int] | None = None
    insights: dict[str, Any] | None = None  # accounts whose decision-maker insights changed
    warning_kinds: list[WarningKind] = field(default_factory=list)
    warning_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source": self.source,
            "dry_run": self.dry_run,
            "objects": {k: asdict(v) for k, v in self.objects.items()},
            "warnings": self.warnings,
            "warning_count": self.warning_count,
            "warning_kinds": [asdict(k) for k in self.warning_kinds],
            "errors_file": self.errors_file,
        }
        if self.matches is not None:
            out["matches"] = self.matches
        if self.insights is not None:
            out["insights"] = self.insights
        return out

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.objects.values())


class Problems:
    """Collects rejected rows and warnings: every one of them for the errors file; the first
    :data:`MAX_WARNINGS` lines, and every kind counted with its first examples, for the summary."""

    def __init__(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        self.kinds: Counter[str] = Counter()
        self.examples: dict[str, list[str]] = {}

    @property
    def warning_count(self) -> int:
        return len(self.warnings)

    def add(self, problem: Problem, kind: str) -> None:
        if problem.severity == "error":
            self.errors.append(problem)
            self.summary.objects.setdefault(kind, ObjectCounts()).rejected += 1
        else:
            self._warn(problem, problem.line())

    def reject(self, record: Record, field_name: str | None, message: str) -> None:
        self.add(record.problem(field_name, message), record.kind)

    def warn(self, line: str) -> None:
        """A warning about the whole file or import (no row): its line as the summary shows it."""
        self._warn(None, line)

    def _warn(self, problem: Problem | None, line: str) -> None:
        kept = problem or Problem(file="", row=0, field=None, message=line, severity="warning")
        self.warnings.append(replace(kept, cells=(), header=()))  # the line, not the row
        kind = warning_kind(problem, line)
        self.kinds[kind] += 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES:
            shown.append(line)
        if len(self.summary.warnings) < MAX_WARNINGS:
            self.summary.warnings.append(line)

    def finish(self) -> None:
        extra = self.warning_count - len(self.summary.warnings)
        if extra > 0:
            self.summary.warnings.append(
                f"… and {extra:,} more warnings (all of them in the errors file)"
            )
        self.summary.warning_count = self.warning_count
        self.summary.warning_kinds = [
            WarningKind(kind, count, self.examples[kind])
            for kind, count in sorted(self.kinds.items(), key=lambda kc: (-kc[1], kc[0]))
        ]


class _DryRun(Exception):
    """Raised inside the transaction of a dry run so that everything is rolled back."""


@dataclass
class ImportContext:
    conn: Connection
    source: str
    summary: ImportSummary
    problems: Problems
    progress: Progress | None = None

    def counts(self, kind: str) -> ObjectCounts:
        return self.summary.objects.setdefault(kind, ObjectCounts())

    def table(self, name: str) -> Table:
        return Base.metadata.tables[name]


@contextmanager
def run_import(
    database: Database,
    actor: Actor,
    *,
    source: str,
    location: Path,
    dry_run: bool,
    strict: bool,
    errors_path: Path,
    progress: Progress | None = None,
) -> Iterator[ImportContext]:
    """The frame of an import: one transaction, rolled back for a dry run or a strict failure."""
    require_admin(actor, "import data")
    with collector_paused():
        yield from _run_import(
            database,
            actor,
            source=source,
            location=location,
            dry_run=dry_run,
            strict=strict,
            errors_path=errors_path,
            progress=progress,
        )


def _run_import(
    database: Database,
    actor: Actor,
    *,
    source: str,
    location: Path,
    dry_run: bool,
    strict: bool,
    errors_path: Path,
    progress: Progress | None,
) -> Iterator[ImportContext]:
    summary = ImportSummary(source=source, dry_run=dry_run)
    problems = Problems(summary)
    started = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with database.write_connection() as conn:
            ctx = ImportContext(conn, source, summary, problems, progress)
            yield ctx
            problems.finish()
            if strict and summary.rejected:
                raise BadInputError(
                    f"{summary.rejected} row(s) rejected, nothing written (--strict); first: "
                    f"{problems.errors[0].line()}"
                    + (f"; all in {errors_path}" if _write_errors(problems, errors_path) else "")
                )
            if dry_run:
                raise _DryRun()
            summary.insights = refresh_insights(conn).as_dict()
            conn.execute(
                insert(ImportRun).values(
                    source=source,
                    location=str(location),
                    started_at=started,
                    finished_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                    actor=actor.login,
                    summary=summary.as_dict(),
                )
            )
    except _DryRun:
        pass
    if _write_errors(problems, errors_path):
        summary.errors_file = str(errors_path)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_cell(value: object) -> object:
    """A cell a spreadsheet will not run: text that starts like a formula (``=HYPERLINK(…)``,
    ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, which
    spreadsheets show as text and hide. Numbers stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _write_errors(problems: Problems, path: Path) -> bool:
    """The rejected rows, then every warning: file, row, field, severity, message, then the
    union of the rejected rows' original columns (cells that start like a formula made inert:
    the file is opened in spreadsheets). Written when there is anything to say."""
    if not problems.errors and not problems.warnings:
        return False
    columns: list[str] = []
    for p in problems.errors:
        for name in p.header:
            if name not in columns:
                columns.append(name)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["file", "row", "field", "severity", "message", *columns])
            for p in [*problems.errors, *problems.warnings]:
                cells = dict(zip(p.header, p.cells, strict=False))
                row = [
                    p.file,
                    p.row or "",
                    p.field or "",
                    p.severity,
                    p.message,
                    *(cells.get(c, "") for c in columns),
                ]
                writer.writerow([inert_cell(v) for v in row])
    except OSError as exc:
        raise BadInputError(f"{path}: cannot write the errors file ({exc.strerror})") from None
    return True


def default_errors_path(location: Path) -> Path:
    if location.is_dir():
        return location / "crestline-errors.csv"
    return location.with_name(location.stem + ".errors.csv")


@dataclass
class Upserted:
    """Ids of the records an upsert touched, by key, and which of them are new or changed."""

    ids: dict[str, int] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)


def upsert(
    ctx: ImportContext,
    table_name: str,
    kind: str,
    records: Sequence[Record],
    rows: Sequence[dict[str, Any]],
    existing: dict[str, tuple[int, str | None]],
    reserved: dict[str, int] | None = None,
) -> Upserted:
    """Insert new records, update changed ones, count unchanged ones (by the source row's digest).

    ``rows`` are the column values of each record (only the columns its file gave); the source,
    external id and digest are added here. ``existing`` is updated with what was written.
    ``reserved`` holds ids given out beforehand by :func:`reserve_for` (rows may refer to them).
    """
    table = ctx.table(table_name)
    counts = ctx.counts(kind)
    out = Upserted()
    new: list[tuple[Record, dict[str, Any], str]] = []
    changed: list[tuple[Record, dict[str, Any], str, int]] = []
    for record, row in zip(records, rows, strict=True):
        digest = record.digest()
        found = existing.get(record.key)
        if found is None:
            new.append((record, row, digest))
        elif found[1] != digest:
            changed.append((record, row, digest, found[0]))
        else:
            counts.unchanged += 1
            out.ids[record.key] = found[0]
    # as the storage layer writes times (naive UTC): a string costs no adapter call per row
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if new:
        first = 0 if reserved is not None else reserve_ids(ctx.conn, table, len(new))
        groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for offset, (record, row, digest) in enumerate(new):
            rid = reserved[record.key] if reserved is not None else first + offset
            groups.setdefault(tuple(row), []).append(
                (rid, ctx.source, record.key, digest, now, *row.values())
            )
            out.ids[record.key] = rid
            out.changed.add(record.key)
            existing[record.key] = (rid, digest)
        for names, values in groups.items():  # rows of one file mostly share their columns
            given = ["id", "source", "external_id", "source_hash", "updated_at", *names]
            defaults = _scalar_defaults(table, given)
            extra = tuple(defaults.values())
            bulk_insert(ctx.conn, table, [*given, *defaults], [(*v, *extra) for v in values])
        counts.inserted += len(new)
    if changed:
        updates: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        for record, row, digest, rid in changed:
            updates.setdefault(tuple(row), []).append((digest, now, *row.values(), rid))
            out.ids[record.key] = rid
            out.changed.add(record.key)
            existing[record.key] = (rid, digest)
        for names, values in updates.items():
            bulk_update(ctx.conn, table, ["source_hash", "updated_at", *names], values)
        counts.updated += len(changed)
    return out


def reserve_for(
    ctx: ImportContext,
    table_name: str,
    records: Sequence[Record],
    existing: dict[str, tuple[int, str | None]],
) -> dict[str, int]:
    """Ids for the records not stored yet, given out before they are written (see ``upsert``)."""
    new = [r.key for r in records if r.key not in existing]
    first = reserve_ids(ctx.conn, ctx.table(table_name), len(new))
    return {key: first + offset for offset, key in enumerate(new)}


def _scalar_defaults(table: Table, given: Sequence[str]) -> dict[str, Any]:
    """The model's plain default values of the columns a bulk insert does not give."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in given or default is None or not getattr(default, "is_scalar", False):
            continue
        out[column.name] = default.arg  # type: ignore[attr-defined]
    return out


def keys_of(ctx: ImportContext, table_name: str) -> dict[str, tuple[int, str | None]]:
    return source_keys(ctx.conn, ctx.table(table_name), ctx.source)


def break_cycles(
    parent: dict[int, int | None],
    starts: Iterable[int] | None = None,
    prefer: set[int] | frozenset[int] = frozenset(),
) -> list[list[int]]:
    """Find the cycles of a child → parent map and cut each (the last member loses its parent).

    With ``starts``, only the chains above those nodes are walked (a cycle made by new links
    always contains one of them). The link cut is that of the cycle's last member in ``prefer``
    if any, else of its last member. Returns the cycles found, each ending with the member that
    lost its parent; ``parent`` is changed in place.
    """
    state: dict[int, int] = {}  # 1 on the current walk, 2 finished
    cycles: list[list[int]] = []
    for start in list(parent) if starts is None else list(starts):
        if state.get(start):
            continue
        walk: list[int] = []
        node: int | None = start
        while node is not None and not state.get(node):
            state[node] = 1
            walk.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            cycle = walk[walk.index(node) :]
            chosen = [n for n in cycle if n in prefer]
            cut = chosen[-1] if chosen else cycle[-1]
            at = cycle.index(cut)
            cycle = cycle[at + 1 :] + cycle[: at + 1]  # from the cut's parent round to the cut
            cycles.append(cycle)
            parent[cut] = None
        for n in walk:
            state[n] = 2
    return cycles


def link_self(
    ctx: ImportContext,
    table_name: str,
    column: str,
    kind: str,
    ref: str,
    links: dict[str, str | None],
    rows: Mapping[str, Record | RowAt],
    target: dict[str, tuple[int, str | None]],
    starts: Iterable[int] = (),
) -> None:
    """Second pass of a self-reference (manager, reports-to, parent): set ``column`` from
    ``links`` (record key → parent key), dropping links to missing records and breaking cycles
    (among these links and those already stored), each with a warning on the row. Give the
    links of every record read, changed or not: the warnings are then the same on every run,
    and only the links that differ from what is stored are written.

    ``starts`` are the ids of records whose link was written in a first pass to a record this
    import did not write: a cycle may close through them, so their chains are checked too."""
    starts = list(starts)
    if not links and not starts:
        return
    t = ctx.table(table_name)
    parent: dict[int, int | None] = dict(
        ctx.conn.execute(
            select(t.c.id, t.c[column]).where(t.c.source == ctx.source, t.c[column].is_not(None))
        ).all()
    )
    wanted: dict[int, int | None] = {}
    for key, parent_key in links.items():
        child = target[key][0]
        found = target.get(parent_key) if parent_key is not None else None
        if parent_key is not None and found is None:
            ctx.problems.add(
                rows[key].problem(ref, f"{parent_key} not found; link dropped", "warning"), kind
            )
        wanted[child] = found[0] if found is not None else None
    stored = dict(parent)
    parent.update(wanted)
    by_id = {target[k][0]: k for k in links}
    for cycle in break_cycles(parent, [*wanted, *starts], prefer=set(by_id)):
        cut = cycle[-1]
        names = " → ".join(str(by_id.get(i, i)) for i in cycle)
        if cut in by_id:
            ctx.problems.add(
                rows[by_id[cut]].problem(ref, f"reporting cycle {names}; link dropped", "warning"),
                kind,
            )
        else:
            ctx.problems.warn(f"{kind}: reporting cycle {names} (ids); link of {cut} dropped")
        wanted[cut] = None
    # every link is checked on every run (the same warnings each time), written where it changed
    bulk_update(
        ctx.conn, t, [column], [(wanted[c], c) for c in wanted if stored.get(c) != wanted[c]]
    )
