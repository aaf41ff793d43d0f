"""Reading the CSV exports users bring, with the quirks real exports have.

- UTF-8 with or without a byte order mark; Windows-1252 when the file is not valid UTF-8;
- LF or CRLF, quoted fields holding new lines or commas;
- a preamble before the header (LinkedIn's ``Notes:``): the header is found by a predicate;
- on request, semicolons or tabs instead of commas (Excel's CSV in European locales): the
  delimiter that splits the first lines most evenly is taken;
- header names matched case-insensitively, with surrounding spaces and BOMs ignored.

A :class:`Row` knows its spreadsheet row number (the header is row 1 when it is the first line) so
that every problem can name the file, the row and the field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from crestline.errors import BadInputError

CHUNK = 1 << 20
SNIFF_BYTES = 64 << 10
csv.field_size_limit(1 << 26)


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def detect_encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file decodes as UTF-8, else ``cp1252``."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig"


def sniff_delimiter(sample: str, candidates: str) -> str:
    """The candidate that splits the sample's lines into the same number of cells most often
    (the more cells the better on a tie); the first candidate when none splits anything."""
    best, best_score = candidates[0], (0, 0)
    for delimiter in candidates:
        rows = csv.reader(io.StringIO(sample), delimiter=delimiter)
        try:
            widths = Counter(len(r) for r in rows if len(r) > 1)
        except csv.Error:
            continue
        if widths:
            width, count = widths.most_common(1)[0]
            if (count, width) > best_score:
                best, best_score = delimiter, (count, width)
    return best


def _sample(path: Path, encoding: str) -> str:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    text = head.decode(encoding, errors="ignore")
    if len(head) == SNIFF_BYTES and "\n" in text:
        text = text[: text.rfind("\n")]  # no half line at the end
    return text


class Closable(Protocol):
    def close(self) -> None: ...


@dataclass(frozen=True)
class Row:
    number: int  # the row as a spreadsheet shows it: the header row counts
    cells: list[str]
    index: dict[str, int]  # normalised header -> position, shared by the rows of a table

    def get(self, *names: str) -> str | None:
        """The first present column among ``names`` (normalised); None when none is present.

        A column the row is too short to reach reads as empty."""
        for name in names:
            at = self.index.get(name)
            if at is not None:
                return self.cells[at] if at < len(self.cells) else ""
        return None


@dataclass
class Table:
    path: Path
    header: list[str]
    keys: list[str]
    encoding: str
    header_row: int
    _reader: Iterator[list[str]]
    _handle: Closable

    def close(self) -> None:
        self._handle.close()

    def has(self, *names: str) -> bool:
        return any(n in self.keys for n in names)

    def rows(self) -> Iterator[Row]:
        """Data rows; blank lines are skipped, short rows padded, long rows kept whole."""
        number = self.header_row
        index: dict[str, int] = {}
        for at, key in enumerate(self.keys):
            index.setdefault(key, at)  # a repeated header: the first one counts
        try:
            for cells in self._reader:
                number += 1
                if not cells or (not cells[0].strip() and not "".join(cells).strip()):
                    continue  # a blank line, or one of empty cells
                yield Row(number, cells, index)
        except csv.Error as exc:
            raise BadInputError(f"{self.path}: row {number + 1}: unreadable CSV ({exc})") from None
        finally:
            self._handle.close()


def open_table(
    path: Path,
    *,
    is_header: Callable[[list[str]], bool] | None = None,
    search_rows: int = 50,
    delimiters: str = ",",
) -> Table:
    """Open ``path`` and position it after its header row.

    Without ``is_header`` the first non-blank row is the header; with it, the first of the first
    ``search_rows`` rows for which it is true (a missing header is a one-line error). With more
    than one ``delimiters``, the one the file uses is sniffed from its first lines.
    """
    if not path.exists():
        raise BadInputError(f"{path}: no such file")
    if path.is_dir():
        raise BadInputError(f"{path}: is a folder, not a CSV file")
    if path.suffix.lower() == ".xlsx":
        return _open_xlsx(path, is_header=is_header, search_rows=search_rows)
    try:
        encoding = detect_encoding(path)
        delimiter = delimiters
        if len(delimiters) > 1:
            delimiter = sniff_delimiter(_sample(path, encoding), delimiters)
        handle = path.open("r", encoding=encoding, newline="")
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    reader = csv.reader(handle, delimiter=delimiter)
    row_number = 0
    try:
        for cells in reader:
            row_number += 1
            if not cells or all(not c.strip() for c in cells):
                continue
            keys = [normalise_header(c) for c in cells]
            if is_header is None or is_header(keys):
                return Table(path, cells, keys, encoding, row_number, reader, handle)
            if row_number >= search_rows:
                break
    except csv.Error as exc:
        handle.close()
        raise BadInputError(f"{path}: row {row_number + 1}: unreadable CSV ({exc})") from None
    handle.close()
    raise BadInputError(f"{path}: no recognisable header row")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class _Workbook:
    def __init__(self, book: Any) -> None:
        self.book = book

    def close(self) -> None:
        self.book.close()


def _open_xlsx(
    path: Path, *, is_header: Callable[[list[str]], bool] | None, search_rows: int
) -> Table:
    """The first sheet of an Excel workbook, read as a CSV would be (HubSpot exports both)."""
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise BadInputError(f"{path}: not a readable Excel workbook ({exc})") from None
    sheet = book.worksheets[0]
    rows = ([_cell(v) for v in row] for row in sheet.iter_rows(values_only=True))
    number = 0
    for cells in rows:
        number += 1
        while cells and cells[-1] == "":
            cells.pop()
        if not cells:
            continue
        keys = [normalise_header(c) for c in cells]
        if is_header is None or is_header(keys):
            return Table(path, cells, keys, "xlsx", number, rows, _Workbook(book))
        if number >= search_rows:
            break
    book.close()
    raise BadInputError(f"{path}: no recognisable header row")
