"""Printing results: a Rich table on a terminal, JSON or CSV for programs.

Rich is imported where it draws, so that building the command line (``--help``) does not load it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from enum import StrEnum
from typing import Any


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class TableOrJson(StrEnum):
    """For what has no rows to write as CSV (one account, one person's paths): ``--format csv``
    is refused rather than quietly printed as a table."""

    table = "table"
    json = "json"


def plain(value: Any) -> Any:
    """Dataclasses to dicts, recursively, for JSON."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(plain(value), ensure_ascii=False, indent=2, default=str) + "\n")


def print_rows(
    rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: Format, *, title: str = ""
) -> None:
    if fmt is Format.json:
        print_json(list(rows))
    elif fmt is Format.csv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title or None, title_justify="left")
        for col in columns:
            table.add_column(col.replace("_", " "), overflow="fold")
        for row in rows:
            table.add_row(*("" if row.get(c) is None else str(row.get(c)) for c in columns))
        Console().print(table)


def progress_bar(label: str) -> tuple[Callable[[int, int], None], Callable[[], None]]:
    """A progress callback drawing a bar on a terminal (stderr), silent in a pipe."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return (lambda done, total: None), (lambda: None)
    bar = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None)
    bar.start()

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return update, bar.stop


def progress_counter(label: str) -> tuple[Callable[[str, int], None], Callable[[], None]]:
    """A running count per stage (``Contact: 120,000 rows``) on a terminal, silent in a pipe."""
    from rich.console import Console
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:
        return (lambda stage, done: None), (lambda: None)
    bar = Progress(
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )
    task = bar.add_task(label, total=None)
    bar.start()

    def update(stage: str, done: int) -> None:
        bar.update(task, description=f"{label}: {stage}", completed=done)

    return update, bar.stop


@contextmanager
def working(label: str) -> Iterator[None]:
    """A spinner with ``label`` on a terminal while something long runs; silent in a pipe."""
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    with console.status(label):
        yield
