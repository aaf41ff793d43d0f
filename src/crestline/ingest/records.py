"""What importers produce: plain records, and problems that name the file, the row and the field."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from crestline.ingest.tabular import Row


@dataclass(frozen=True)
class Problem:
    """A row that was rejected (``error``) or taken with a change (``warning``)."""

    file: str
    row: int
    field: str | None
    message: str
    severity: str = "error"  # error: the row is rejected; warning: it is kept
    cells: tuple[str, ...] = ()
    header: tuple[str, ...] = ()

    def line(self) -> str:
        """``file, row n, field f: message``; a problem of the whole file (row 0) names no row."""
        where = f"{self.file}, row {self.row}" if self.row > 0 else self.file
        if self.field:
            where += f", field {self.field}"
        return f"{where}: {self.message}"


@dataclass
class Record:
    """One source row, parsed: its key, the fields its columns gave, its references by key.

    ``fields`` holds only fields whose column is present in the file: an absent column leaves the
    stored value alone, an empty cell clears it. ``refs`` maps a reference (``account``,
    ``reports_to`` …) to the referenced record's key, or None when the cell is empty.
    """

    kind: str
    key: str
    fields: dict[str, Any]
    refs: dict[str, str | None] = field(default_factory=dict)
    file: str = ""
    row: Row | None = None
    header: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # field or reference -> its header

    def digest(self) -> str:
        """A fingerprint of what the source says, to tell a changed row from an unchanged one:
        the row's cells under their headers when there is a row, else the parsed values."""
        if self.row is not None and self.row.cells:
            text = "\x1f".join(self.header) + "\x1e" + "\x1f".join(self.row.cells)
        else:
            parts = [f"{k}={v!r}" for k, v in sorted(self.fields.items())]
            parts += [f"@{k}={v!r}" for k, v in sorted(self.refs.items())]
            text = "\x1f".join(parts)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def slim(self) -> RowAt:
        """Where this record was read, and nothing else: enough to name its file, row and fields
        in a warning later, in a few dozen bytes (an import may keep millions)."""
        return RowAt(self.file, self.row.number if self.row else 0, self.labels)

    def problem(self, field_name: str | None, message: str, severity: str = "error") -> Problem:
        return Problem(
            file=self.file,
            row=self.row.number if self.row else 0,
            field=self.labels.get(field_name, field_name) if field_name else None,
            message=message,
            severity=severity,
            cells=tuple(self.row.cells) if self.row else (),
            header=self.header,
        )


class RowAt:
    """A record's place in its file, for a problem found after its row is gone."""

    __slots__ = ("file", "labels", "number")

    def __init__(self, file: str, number: int, labels: dict[str, str]) -> None:
        self.file, self.number, self.labels = file, number, labels

    def problem(self, field_name: str | None, message: str, severity: str = "error") -> Problem:
        return Problem(
            file=self.file,
            row=self.number,
            field=self.labels.get(field_name, field_name) if field_name else None,
            message=message,
            severity=severity,
        )
