"""Settings, read once by the command line and the web app and passed down as plain values.

Order of precedence: explicit arguments, then ``CRESTLINE_*`` environment variables, then defaults.
:data:`SETTINGS` is the one table of settings; it drives ``crestline settings`` and the docs.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path

DEFAULT_DB = "crestline.db"


@dataclass(frozen=True)
class SettingDoc:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[SettingDoc, ...] = (
    SettingDoc(
        "database_url",
        "CRESTLINE_DATABASE_URL",
        DEFAULT_DB,
        "Database: a SQLite file path or a URL (sqlite:///path, postgresql+psycopg://user@host/db).",
    ),
    SettingDoc(
        "data_dir",
        "CRESTLINE_DATA_DIR",
        ".",
        "Folder for files Crestline writes beside the database (import error reports, exports).",
    ),
    SettingDoc("host", "CRESTLINE_HOST", "127.0.0.1", "Address the web app listens on."),
    SettingDoc("port", "CRESTLINE_PORT", "8000", "Port the web app listens on."),
    SettingDoc("page_size", "CRESTLINE_PAGE_SIZE", "50", "Rows a page in web listings."),
    SettingDoc(
        "max_upload_mb",
        "CRESTLINE_MAX_UPLOAD_MB",
        "500",
        "Largest file (or zip) the web app's Import page takes, in MB; a larger one is refused "
        "as it arrives (413). Other requests may carry 1 MB at the most.",
    ),
    SettingDoc(
        "graph_dir",
        "CRESTLINE_GRAPH_DIR",
        "",
        "Folder for the relationship graph's shared snapshot, which every web worker and command "
        "maps instead of reading its own copy (default: a private folder per database in the "
        "system's temporary folder).",
    ),
)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DB
    data_dir: Path = Path()
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = 50
    max_upload_mb: int = 500
    graph_dir: str = ""  # "": the default folder for the database


def load_settings(
    overrides: Mapping[str, object | None] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """The settings: ``overrides`` (non-None values) win over the environment, then defaults."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for doc in SETTINGS:
        raw: object | None = (overrides or {}).get(doc.name)
        if raw is None:
            raw = env.get(doc.env) or doc.default
        values[doc.name] = raw
    types = {f.name: f.type for f in fields(Settings)}
    out: dict[str, object] = {}
    for name, raw in values.items():
        kind = types[name]
        if kind == "int":
            try:
                out[name] = int(str(raw))
            except ValueError:
                from crestline.errors import BadInputError

                raise BadInputError(f"setting {name}: {raw!r} is not a whole number") from None
        elif kind == "Path":
            out[name] = Path(str(raw))
        else:
            out[name] = str(raw)
    return Settings(**out)  # type: ignore[arg-type]
