"""Reading the CSV exports users bring, with the quirks real exports have.

- the encoding decided per file: UTF-8 with or without a byte order mark; UTF-16 with or without
  one (Excel's "Unicode Text"); a file in a legacy encoding (Windows-1252, or what
  charset-normalizer finds for the bytes that are not UTF-8) read in that encoding; a UTF-8 file
  with a few stray legacy bytes read as UTF-8 line by line, the bad lines repaired in the legacy
  encoding and their rows named in :attr:`Table.repaired_rows`;
- LF or CRLF, quoted fields holding new lines or commas;
- a preamble before the header (LinkedIn's ``Notes:``): the header is found by a predicate;
- commas, semicolons (Excel's CSV in European locales), tabs or pipes: the delimiter that splits
  the first lines most evenly is taken; a semicolon says the file was written in a European
  locale (:attr:`Table.european`: day-first dates, decimal commas);
- header names matched case-insensitively, with surrounding spaces and BOMs ignored.

A :class:`Row` knows its spreadsheet row number (the header is row 1 when it is the first line) so
that every problem can name the file, the row and the field.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from crestline.errors import BadInputError

CHUNK = 1 << 20
SNIFF_BYTES = 64 << 10
DETECT_BYTES = 256 << 10  # of the lines that are not UTF-8, what charset-normalizer reads
DELIMITERS = ",;\t|"
csv.field_size_limit(1 << 26)

ENCODING_NAMES = {
    "cp1252": "Windows-1252",
    "cp1250": "Windows-1250",
    "cp1251": "Windows-1251",
    "latin_1": "ISO-8859-1",
    "mac_roman": "Mac Roman",
}


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


@dataclass(frozen=True)
class Encoding:
    """How a file's bytes become text.

    ``name`` is the codec for the whole file; for a UTF-8 file with stray legacy bytes it is
    ``utf-8`` and ``fallback`` is the codec the lines that are not UTF-8 are read in."""

    name: str
    fallback: str | None = None

    @property
    def label(self) -> str:
        return self.name if self.fallback is None else f"utf-8+{self.fallback}"


def _utf16(head: bytes) -> str | None:
    """UTF-16 without a byte order mark: text of mostly ASCII has a zero byte in every pair."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    pairs = len(sample) // 2
    odd_zeros = sample[1::2].count(0)
    even_zeros = sample[0::2].count(0)
    if odd_zeros > 0.4 * pairs and even_zeros < 0.05 * pairs:
        return "utf-16-le"
    if even_zeros > 0.4 * pairs and odd_zeros < 0.05 * pairs:
        return "utf-16-be"
    return None


def _latin(text: str) -> bool:
    return all("LATIN" in unicodedata.name(c, "") for c in text if c.isalpha() and ord(c) > 127)


def _legacy(sample: bytes) -> str:
    """The legacy encoding of bytes that are not UTF-8.

    Windows-1252 (what Excel and Salesforce write in the West) when it reads them as text in the
    Latin script: charset-normalizer cannot tell it from other code pages on a few accented
    letters. Otherwise charset-normalizer's guess (Windows-1251 for Cyrillic, Shift JIS …)."""
    from charset_normalizer import from_bytes

    try:
        text: str | None = sample.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is not None and _latin(text):
        letters = [c for c in text if c.isalpha()]
        if sum(1 for c in letters if ord(c) > 127) <= 0.5 * len(letters):
            return "cp1252"  # mostly plain letters, a few accented ones
    matches = list(from_bytes(sample))
    if not matches:
        return "cp1252" if text is not None else "latin_1"
    best = min(matches, key=lambda m: m.chaos)
    if text is not None:
        sure = [m for m in matches if m.chaos <= best.chaos]
        if best.chaos > 0.05 or any("cp1252" in m.could_be_from_charset for m in sure):
            return "cp1252"  # charset-normalizer is unsure, or finds Windows-1252 as good
        if _latin(str(best)):
            return "cp1252"  # it reads Latin letters too (Mac Roman …): Windows-1252 is likelier
    return str(best.encoding)


def _all_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> Encoding:
    """The encoding of ``path``, decided from its bytes (see the module's docstring)."""
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        bom = "utf-8-sig"
    elif (wide := _utf16(head)) is not None:
        return Encoding(wide)
    else:
        bom = "utf-8-sig"
    if _all_utf8(path):
        return Encoding(bom)  # the common case, checked in large chunks
    bad = bytearray()
    utf8_lines = bad_lines = 0  # lines beyond ASCII that are, and are not, UTF-8
    with path.open("rb") as fh:
        for line in fh:
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
                utf8_lines += 1
            except UnicodeDecodeError:
                bad_lines += 1
                if len(bad) < DETECT_BYTES:
                    bad += line
    if not bad_lines:
        return Encoding(bom)
    legacy = _legacy(bytes(bad))
    if utf8_lines > bad_lines or head.startswith(codecs.BOM_UTF8):
        return Encoding("utf-8", legacy)  # a UTF-8 file with stray bytes on a few lines
    return Encoding(legacy)  # a legacy file (some of whose lines may happen to be UTF-8)


def sniff_delimiter(sample: str, candidates: str = DELIMITERS) -> str:
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


class _Lines:
    """A file's text line by line, for the CSV reader: UTF-8 first, each line that is not
    UTF-8 in the fallback encoding; the numbers of those lines (from 1) are kept."""

    def __init__(self, handle: IO[bytes], fallback: str) -> None:
        self.handle = handle
        self.fallback = fallback
        self.repaired: list[int] = []
        self.number = 0
        self.first = True

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.number += 1
            line = raw
            if self.first:
                self.first = False
                line = raw.removeprefix(codecs.BOM_UTF8)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                self.repaired.append(self.number)
                yield line.decode(self.fallback, errors="replace")

    def close(self) -> None:
        self.handle.close()


def _sample(path: Path, encoding: Encoding) -> str:
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if encoding.name.startswith("utf-16"):
        head = head[: len(head) - len(head) % 2]
    text = head.decode(encoding.name, errors="ignore")
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
    delimiter: str = ","
    fallback: str | None = None  # the encoding of the lines that were not UTF-8
    repaired_rows: list[int] = field(default_factory=list)  # rows with such a line
    _lines: _Lines | None = None
    _line_num: Callable[[], int] | None = None

    def close(self) -> None:
        self._handle.close()

    def has(self, *names: str) -> bool:
        return any(n in self.keys for n in names)

    @property
    def european(self) -> bool | None:
        """The locale the file's separator says: True for semicolons (day-first dates and
        decimal commas, as Excel writes CSV in Europe), None when it does not tell."""
        return True if self.delimiter == ";" else None

    def repair_note(self) -> str | None:
        """The warning for the rows read in the fallback encoding, once the rows are read."""
        if not self.repaired_rows:
            return None
        rows = self.repaired_rows
        shown = ", ".join(str(r) for r in rows[:20])
        more = f" and {len(rows) - 20:,} more" if len(rows) > 20 else ""
        name = ENCODING_NAMES.get(self.fallback or "", self.fallback)
        word = "row" if len(rows) == 1 else "rows"
        return (
            f"{word} {shown}{more} not valid UTF-8 (stray bytes of another encoding): "
            f"read as {name}; check their accented letters"
        )

    def rows(self) -> Iterator[Row]:
        """Data rows; blank lines are skipped, short rows padded, long rows kept whole."""
        number = self.header_row
        index: dict[str, int] = {}
        for at, key in enumerate(self.keys):
            index.setdefault(key, at)  # a repeated header: the first one counts
        lines, line_num = self._lines, self._line_num
        bad = lines.repaired if lines is not None else []
        seen = len(bad)  # the lines repaired before the first data row are counted already
        try:
            for cells in self._reader:
                number += 1
                if len(bad) > seen and line_num is not None:
                    upto = line_num()
                    while seen < len(bad) and bad[seen] <= upto:
                        seen += 1
                        if not self.repaired_rows or self.repaired_rows[-1] != number:
                            self.repaired_rows.append(number)
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
    delimiters: str = DELIMITERS,
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
    lines: _Lines | None = None
    handle: Closable
    try:
        encoding = detect_encoding(path)
        delimiter = delimiters
        if len(delimiters) > 1:
            delimiter = sniff_delimiter(_sample(path, encoding), delimiters)
        if encoding.fallback is not None:
            lines = _Lines(path.open("rb"), encoding.fallback)
            handle = lines
            source: Any = iter(lines)
        else:
            text = path.open("r", encoding=encoding.name, errors="replace", newline="")
            handle, source = text, text
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    except LookupError:
        raise BadInputError(f"{path}: unknown text encoding") from None
    reader = csv.reader(source, delimiter=delimiter)
    row_number = 0
    try:
        for cells in reader:
            row_number += 1
            if not cells or all(not c.strip() for c in cells):
                continue
            keys = [normalise_header(c) for c in cells]
            if is_header is None or is_header(keys):
                table = Table(
                    path,
                    cells,
                    keys,
                    encoding.label,
                    row_number,
                    reader,
                    handle,
                    delimiter=delimiter,
                    fallback=encoding.fallback,
                    _lines=lines,
                    _line_num=lambda: reader.line_num,
                )
                if lines is not None and lines.repaired:
                    table.repaired_rows.append(row_number)  # the header (or the preamble)
                return table
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
            return Table(path, cells, keys, "xlsx", number, rows, _Workbook(book), delimiter="")
        if number >= search_rows:
            break
    book.close()
    raise BadInputError(f"{path}: no recognisable header row")
