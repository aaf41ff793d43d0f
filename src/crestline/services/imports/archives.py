"""What a folder import accepts besides a folder: a zip of the export, or one of its files.

Salesforce and HubSpot exports are folders of files. Users have them as the zip Salesforce's
weekly export or HubSpot's download gives, or as a single file (one object, one report). Both
are unpacked or placed in a private temporary folder that the import reads as the export, and
that is removed afterwards. A zip is checked before anything is unpacked (see :func:`unzip`).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from crestline.errors import BadInputError
from crestline.ingest.tabular import open_table

KEPT_SUFFIXES = (".csv", ".xlsx", ".ics", ".txt", ".tsv")
MAX_UNPACKED = 2 << 30  # bytes a zip may unpack to at the most
MAX_RATIO = 100  # … and at most this many times its own size (exports compress 5-20 times)
MAX_ENTRIES = 1_000  # files in a zip
CHUNK = 1 << 20

# The object a Salesforce id belongs to, by its first three characters: a single CSV named
# ``report1234.csv`` is placed in the export under the name of the objects its ids are.
SALESFORCE_PREFIXES = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00K": "OpportunityContactRole",
    "00T": "Task",
    "00U": "Event",
}


def safe_name(name: str) -> str:
    """A file name that cannot leave its folder, whatever the zip or the browser said."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._@+-]", "_", base).lstrip(".")
    if not cleaned:
        raise BadInputError(f"{name!r}: not a usable file name")
    return cleaned


def _over(limit: int) -> str:
    return f"over the limit of {limit / (1 << 20):,.0f} MB for this zip"


def unzip(archive: Path, into: Path) -> int:
    """Unpack the CSV, Excel and iCalendar files of ``archive`` into ``into``, refusing a zip
    that is unsafe or a bomb: a path outside the folder, more than :data:`MAX_ENTRIES` files,
    more than :data:`MAX_UNPACKED` bytes or a :data:`MAX_RATIO` times its own size once
    unpacked, two files of the same name (in different folders: one would hide the other).
    What is unpacked is counted as it is written, not taken from the zip's directory."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if len(members) > MAX_ENTRIES:
                raise BadInputError(
                    f"{archive.name}: {len(members):,} files inside, more than {MAX_ENTRIES:,}"
                )
            limit = min(MAX_UNPACKED, max(archive.stat().st_size, 1 << 20) * MAX_RATIO)
            declared = sum(m.file_size for m in members)
            if declared > limit:
                raise BadInputError(
                    f"{archive.name}: unpacks to {declared:,} bytes, {_over(limit)}"
                )
            chosen: dict[str, str] = {}
            for m in members:
                parts = Path(m.filename.replace("\\", "/")).parts
                if m.filename.startswith("/") or ".." in parts:
                    raise BadInputError(f"{archive.name}: unsafe path {m.filename!r} inside")
                if parts and parts[0] == "__MACOSX":
                    continue
                if Path(m.filename).suffix.lower() not in KEPT_SUFFIXES:
                    continue
                name = safe_name(m.filename)
                if name.lower() in chosen:
                    raise BadInputError(
                        f"{archive.name}: two files named {name} ({chosen[name.lower()]} and "
                        f"{m.filename}): zip one export at a time"
                    )
                chosen[name.lower()] = m.filename
            written = 0
            for m in members:
                name = safe_name(m.filename) if m.filename in chosen.values() else ""
                if not name:
                    continue
                with zf.open(m) as src, (into / name).open("wb") as dst:
                    while block := src.read(CHUNK):
                        written += len(block)
                        if written > limit:  # the directory understated the sizes
                            raise BadInputError(f"{archive.name}: unpacks to more, {_over(limit)}")
                        dst.write(block)
            return len(chosen)
    except zipfile.BadZipFile:
        raise BadInputError(f"{archive.name}: not a readable zip file") from None


def salesforce_name(path: Path) -> str:
    """The name a single Salesforce CSV takes in the export: its own when it names an object
    (``Account.csv``, ``accounts.csv``), else the object of the ids in its ``Id`` column."""
    stem = re.sub(r"[^a-z]", "", path.stem.lower()).removesuffix("s")
    known = {o.lower(): o for o in SALESFORCE_PREFIXES.values()}
    if stem in known:
        return f"{known[stem]}.csv"
    table = open_table(path)
    try:
        at = next((i for i, k in enumerate(table.keys) if k in ("id", "record id")), None)
        if at is None:
            raise BadInputError(f"{path}: no Id column: which Salesforce object is this?")
        for row in table.rows():
            value = row.cells[at].strip() if at < len(row.cells) else ""
            if value:
                kind = SALESFORCE_PREFIXES.get(value[:3])
                if kind is None:
                    raise BadInputError(
                        f"{path}, row {row.number}, field Id: {value!r} is not the id of an "
                        f"object Crestline imports ({', '.join(SALESFORCE_PREFIXES.values())}); "
                        "name the file after its object, e.g. Account.csv"
                    )
                return f"{kind}.csv"
    finally:
        table.close()
    raise BadInputError(f"{path}: no rows with an Id")


@contextmanager
def export_folder(
    location: Path, *, name_of: Callable[[Path], str] = lambda p: p.name
) -> Iterator[Path]:
    """The export at ``location`` as a folder: the folder itself, a zip unpacked, or a single
    file placed alone (under ``name_of(file)``) in a temporary folder removed afterwards."""
    if not location.exists():
        raise BadInputError(f"{location}: no such file or folder")
    if location.is_dir():
        yield location
        return
    with tempfile.TemporaryDirectory(prefix="crestline-export-") as tmp:
        folder = Path(tmp)
        if zipfile.is_zipfile(location):
            if unzip(location, folder) == 0:
                raise BadInputError(f"{location}: no CSV or Excel file inside the zip")
        elif location.suffix.lower() in KEPT_SUFFIXES:
            (folder / safe_name(name_of(location))).symlink_to(location.resolve())
        else:
            raise BadInputError(
                f"{location}: give the export's folder, its zip, or one of its CSV or Excel files"
            )
        yield folder
