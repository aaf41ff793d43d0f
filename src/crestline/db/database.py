"""Opening a database: SQLite file or PostgreSQL URL, checked, migrated, with one session factory.

Nothing is created at import time: :func:`open_database` is called by the interfaces with the
URL from the settings.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from crestline.errors import BadInputError, UnavailableError

SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_CACHE_KIB = 262_144  # page cache of a bulk writer (an import): its indexes stay in memory
SQLITE_READ_CACHE_KIB = 4_096  # page cache of every other connection (the file is in the OS's
# page cache anyway: a large cache per pooled connection only multiplies a server's memory)
POOL_SIZE = 12  # connections kept per process: the web app's threads (a request may hold two)
POOL_OVERFLOW = 8  # opened beyond those in a burst, closed after it
BUSY_MS = 10_000  # how long a SQLite connection waits for another process's write to finish


def resolve_url(db: str) -> str:
    """A ``--db`` value is a URL (has ``://``) or a path to a SQLite file."""
    if "://" in db:
        if db.startswith("postgresql://"):
            return "postgresql+psycopg://" + db.removeprefix("postgresql://")
        if db.startswith("postgres://"):
            return "postgresql+psycopg://" + db.removeprefix("postgres://")
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def display_url(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def check_sqlite_file(path: Path, *, create: bool) -> None:
    """Refuse, before anything is written, a file that is not SQLite or a folder we cannot write."""
    if path.is_dir():
        raise BadInputError(f"{path}: is a folder, not a database file")
    if path.exists():
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
        if head and head != SQLITE_MAGIC:
            raise BadInputError(f"{path}: not a database (not a SQLite file)")
        if not os.access(path, os.W_OK):
            raise BadInputError(f"{path}: the database file is not writable")
        folder = path.parent
    else:
        folder = path.parent
        if not folder.exists():
            raise BadInputError(f"{path}: the folder {folder} does not exist")
        if not create:
            raise BadInputError(f"{path}: no such database (run `crestline init` first)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BadInputError(f"{path}: the folder {folder} is not writable")


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute(f"PRAGMA busy_timeout={BUSY_MS}")
    cur.execute(f"PRAGMA cache_size=-{SQLITE_READ_CACHE_KIB}")
    cur.close()


def make_engine(url: str) -> Engine:
    """An engine for ``url`` that has answered once; errors name the database."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise BadInputError(f"--db {url!r}: neither a file path nor a database URL") from None
    backend = parsed.get_backend_name()
    try:
        if backend == "sqlite":
            engine = create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)
            event.listen(engine, "connect", _sqlite_pragmas)
        elif backend == "postgresql":
            engine = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=POOL_SIZE,
                max_overflow=POOL_OVERFLOW,
                connect_args={"connect_timeout": 5},
            )
        else:
            raise BadInputError(
                f"--db {display_url(url)}: unsupported database (use a SQLite path or a "
                "postgresql+psycopg:// URL)"
            )
    except NoSuchModuleError:
        raise BadInputError(f"--db {display_url(url)}: unsupported database driver") from None
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if backend == "sqlite":
            raise BadInputError(f"{parsed.database}: cannot open the database: {first}") from None
        raise UnavailableError(f"cannot reach the database {display_url(url)}: {first}") from None
    return engine


@dataclass
class Database:
    """An open, migrated database and its session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that writes: committed when the block ends, rolled back on any
        error. On SQLite it takes the write lock first (``BEGIN IMMEDIATE``, waiting for another
        writer up to :data:`BUSY_MS`), so it never fails half-way because another process wrote
        after it read."""
        with _busy_is_unavailable(), self.sessions() as session, session.begin():
            _lock_for_writing(session.connection())
            yield session

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """A connection in a writing transaction (bulk work: imports, the demo world), taken as
        :meth:`transaction` takes it."""
        with _busy_is_unavailable(), self.engine.begin() as conn:
            _lock_for_writing(conn)
            bulk = conn.dialect.name == "sqlite"
            if bulk:
                conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
            try:
                yield conn
            finally:
                if bulk:  # back to an ordinary connection's share for whoever takes it next
                    with contextlib.suppress(DBAPIError):
                        conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_READ_CACHE_KIB}")

    @contextmanager
    def reader(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def _lock_for_writing(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def _busy_is_unavailable() -> Iterator[None]:
    """SQLite's "database is locked" after waiting its turn: another process held the write
    lock for longer (a large import) — a message to try again, not an internal error."""
    try:
        yield
    except OperationalError as exc:
        if "database is locked" not in str(exc.orig):
            raise
        raise UnavailableError(
            f"the database is busy with another write (an import?) for more than "
            f"{BUSY_MS // 1000} s; try again in a moment"
        ) from None


def open_database(db: str, *, create: bool = True, migrate: bool = True) -> Database:
    """Open ``db`` (path or URL), check it is usable and bring its schema up to date.

    A SQLite file that does not exist yet is created only when ``create`` is true.
    """
    from crestline.db.migrate import upgrade

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        check_sqlite_file(path, create=create)
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Database(url=url, engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))
