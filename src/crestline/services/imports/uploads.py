"""Imports from uploaded files: staged in a folder, previewed as a dry run, then confirmed.

An upload (one file, or a zip of exports) is kept under ``<data dir>/uploads/<token>/`` until it
is confirmed or discarded; a zip is unpacked safely (no absolute paths, no ``..``, no more than
:data:`MAX_UNPACKED` bytes, only CSV, Excel and iCalendar files).
"""

from __future__ import annotations

import csv
import logging
import re
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crestline.db.database import Database
from crestline.errors import BadInputError, NotFoundError, TooLargeError
from crestline.services.auth.auth import Actor
from crestline.services.auth.policy import require_admin
from crestline.services.imports.archives import CHUNK, safe_name, salesforce_name, unzip
from crestline.services.imports.import_activities import import_activities
from crestline.services.imports.import_events import import_events
from crestline.services.imports.import_hubspot import import_hubspot
from crestline.services.imports.import_linkedin import import_linkedin
from crestline.services.imports.import_salesforce import import_salesforce
from crestline.services.imports.import_sellers import import_sellers
from crestline.services.imports.importing import ImportSummary

SOURCES = {
    "salesforce": "Salesforce export (zip of Account.csv, Contact.csv … or one object CSV)",
    "hubspot": "HubSpot exports (zip, or one CSV/Excel file)",
    "linkedin": "LinkedIn Connections.csv (needs the seller's email)",
    "sellers": "Our people (CSV: name, email, title, manager_email, role, territory)",
    "activities": "Calendar export (.ics) or a CSV of activities",
    "events": "An event's attendee list (CSV or Excel: event, date, place, name, company, title)",
}
FOLDER_SOURCES = ("salesforce", "hubspot")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Staged:
    token: str
    source: str
    path: Path  # the folder (Salesforce, HubSpot) or the file
    seller: str | None


@dataclass(frozen=True)
class Preview:
    staged: Staged
    summary: ImportSummary
    rejected_header: list[str]
    rejected_rows: list[list[str]]


def stage_upload(
    data_dir: Path,
    actor: Actor,
    *,
    source: str,
    filename: str,
    stream: BinaryIO,
    seller: str | None = None,
    max_bytes: int | None = None,
) -> Staged:
    """Keep an uploaded file (or zip) for an import of ``source``; nothing is imported yet. An
    upload over ``max_bytes`` is refused (and nothing of it kept)."""
    require_admin(actor, "import data")
    if source not in SOURCES:
        raise BadInputError(f"source {source!r}: choose one of {', '.join(SOURCES)}")
    if source == "linkedin" and not (seller or "").strip():
        raise BadInputError("a LinkedIn import needs the seller's email")
    token = secrets.token_urlsafe(18)
    folder = data_dir / "uploads" / token
    try:
        folder.mkdir(parents=True)
    except OSError as exc:  # the folder's path is the server's business, not the uploader's
        log.error("cannot keep an upload in %s: %s", folder, exc)
        raise BadInputError(f"the server cannot keep the upload ({exc.strerror})") from None
    name = safe_name(filename or "upload")
    upload = folder / name
    written = 0
    with upload.open("wb") as fh:
        while block := stream.read(CHUNK):
            written += len(block)
            if max_bytes is not None and written > max_bytes:
                fh.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise TooLargeError(
                    f"{name}: over the upload limit of {max_bytes / (1 << 20):,.0f} MB"
                )
            fh.write(block)
    if upload.stat().st_size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise BadInputError(f"{name}: the uploaded file is empty")
    if name.lower().endswith(".zip"):
        files = folder / "files"
        files.mkdir()
        try:
            if unzip(upload, files) == 0:
                raise BadInputError(f"{name}: no CSV, Excel or iCalendar file inside")
        except BadInputError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        upload.unlink()
        candidates = sorted(files.iterdir())
        path = files if source in FOLDER_SOURCES else candidates[0]
    elif source in FOLDER_SOURCES:
        files = folder / "files"
        files.mkdir()
        path = files
        try:  # one Salesforce CSV, named after its object (by its name or its ids)
            kept = salesforce_name(upload) if source == "salesforce" else name
        except BadInputError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        upload.rename(files / kept)
    else:
        path = upload
    (folder / "source").write_text(f"{source}\n{seller or ''}\n", encoding="utf-8")
    return Staged(token, source, path, seller)


def find_staged(data_dir: Path, token: str) -> Staged:
    folder = data_dir / "uploads" / token
    if not TOKEN.match(token) or not (folder / "source").exists():
        raise NotFoundError("no such upload (it may have been imported or discarded already)")
    source, seller = ([*(folder / "source").read_text(encoding="utf-8").splitlines(), ""])[:2]
    files = folder / "files"
    if files.exists():
        path = files if source in FOLDER_SOURCES else sorted(files.iterdir())[0]
    else:
        path = next(p for p in folder.iterdir() if p.name not in ("source", "errors.csv"))
    return Staged(token, source, path, seller or None)


def run_staged(
    database: Database, actor: Actor, staged: Staged, *, dry_run: bool, errors_path: Path
) -> ImportSummary:
    runners: dict[str, Callable[..., ImportSummary]] = {
        "salesforce": import_salesforce,
        "hubspot": import_hubspot,
        "sellers": import_sellers,
        "activities": import_activities,
        "events": import_events,
    }
    if staged.source == "linkedin":
        return import_linkedin(
            database,
            actor,
            staged.path,
            seller=staged.seller or "",
            dry_run=dry_run,
            errors_path=errors_path,
        )
    return runners[staged.source](
        database, actor, staged.path, dry_run=dry_run, errors_path=errors_path
    )


def preview(
    database: Database, actor: Actor, data_dir: Path, token: str, *, rows: int = 20
) -> Preview:
    """The dry run of a staged upload, with its first rejected rows (the warnings are in the
    summary, counted by kind, and all of them in the errors file)."""
    staged = find_staged(data_dir, token)
    errors = data_dir / "uploads" / token / "errors.csv"
    summary = run_staged(database, actor, staged, dry_run=True, errors_path=errors)
    header: list[str] = []
    first: list[list[str]] = []
    if summary.errors_file:
        with errors.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, [])
            severity = header.index("severity") if "severity" in header else None
            for row in reader:
                if severity is not None and row[severity] != "error":
                    break  # the rejected rows come first, then the warnings
                first.append(row)
                if len(first) >= rows:
                    break
    return Preview(staged, summary, header, first)


def confirm(database: Database, actor: Actor, data_dir: Path, token: str) -> ImportSummary:
    """Import a staged upload for real, then forget it."""
    staged = find_staged(data_dir, token)
    errors = data_dir / "uploads" / token / "errors.csv"
    summary = run_staged(database, actor, staged, dry_run=False, errors_path=errors)
    summary.errors_file = None  # the staging folder goes away with the upload
    discard(data_dir, actor, token)
    return summary


def discard(data_dir: Path, actor: Actor, token: str) -> None:
    require_admin(actor, "import data")
    if TOKEN.match(token):
        shutil.rmtree(data_dir / "uploads" / token, ignore_errors=True)
