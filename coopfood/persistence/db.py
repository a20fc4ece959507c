"""Opening a database: URL, engine, pragmas, session factory.

SQLite is the default, one file in the user's data directory, with WAL, a
busy timeout and foreign keys on every connection. Any SQLAlchemy URL can be
given instead (PostgreSQL for a co-op whose points share one database).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

APP_NAME = "coopfood"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def data_dir() -> Path:
    """The user's data directory for coopfood (created on demand)."""
    override = os.environ.get("COOPFOOD_DATA_DIR")
    path = Path(override) if override else Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_database_path() -> Path:
    return data_dir() / "coopfood.sqlite"


def default_url() -> str:
    return f"sqlite:///{default_database_path()}"


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for another backend or an in-memory base."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def describe_url(url: str) -> str:
    """The URL without its password, for the status bar and messages."""
    parsed = make_url(url)
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    return parsed.render_as_string(hide_password=True)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # The foreign keys pragma is per connection and off by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    # pysqlite's own transaction handling is turned off (isolation_level=None) so
    # that we say how each transaction begins: a writer takes the write lock up
    # front (IMMEDIATE) and so queues behind another writer for the busy timeout,
    # instead of failing half-way when it upgrades a read lock; readers stay
    # DEFERRED and never wait for a writer in WAL mode.
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def create_file_if_missing(path: Path) -> None:
    """Create a new SQLite file readable by its owner only (members' data lives there)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the pragmas every SQLite connection needs."""
    path = sqlite_path(url)
    if path is not None:
        create_file_if_missing(path)
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        )
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
        return engine
    if make_url(url).get_backend_name() == "sqlite":
        return create_engine(url, connect_args={"isolation_level": None})
    return create_engine(url, pool_pre_ping=True)


@dataclass(frozen=True)
class Database:
    """An open database: its URL, engine and session factory."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    read_sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work that writes: committed on success, rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A unit of work that only reads (never waits for a writer on SQLite)."""
        with self.read_sessions.begin() as session:
            yield session

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def dispose(self) -> None:
        self.engine.dispose()


def connect(url: str) -> Database:
    """Open the database at `url` as it is (no migration; see `migrations.open_database`)."""
    engine = make_engine(url)
    writer = engine.execution_options(sqlite_begin="IMMEDIATE")
    return Database(
        url=url,
        engine=engine,
        sessions=sessionmaker(writer, expire_on_commit=False),
        read_sessions=sessionmaker(engine, expire_on_commit=False),
    )


def sqlite_integrity_ok(path: Path) -> bool:
    """Whether a SQLite file passes its integrity check."""
    con = sqlite3.connect(path)
    try:
        return bool(con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    finally:
        con.close()
