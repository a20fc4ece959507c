"""Schema migrations and opening a database at the current schema.

Before an existing SQLite file is migrated, a copy is taken beside it. A
database whose schema is newer than this program knows is refused, never
touched.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from coopfood.persistence.db import Database, connect, data_dir, sqlite_path

MIGRATIONS_DIR = Path(__file__).parent


class SchemaError(RuntimeError):
    """The database cannot be opened at this program's schema (message in French)."""


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite_file(path: Path, *, reason: str) -> Path:
    """A consistent copy of a SQLite file (online backup API) in the backups folder."""
    folder = data_dir() / "sauvegardes"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{reason}-{stamp}.sqlite"
    source = sqlite3.connect(path)
    try:
        dest = sqlite3.connect(target)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    target.chmod(0o600)
    return target


def upgrade(db: Database) -> bool:
    """Bring the schema to this program's head; return whether anything was done."""
    head = head_revision()
    current = current_revision(db)
    if current == head:
        return False
    script = ScriptDirectory.from_config(alembic_config())
    if current is not None:
        try:
            script.get_revision(current)
        except Exception:
            raise SchemaError(
                "Cette base de données a été créée par une version plus récente de coopfood "
                f"(schéma {current}). Mettez coopfood à jour pour l'ouvrir ; "
                "elle n'a pas été modifiée."
            ) from None
    path = sqlite_path(db.url)
    if current is not None and path is not None and path.stat().st_size > 0:
        backup_sqlite_file(path, reason=f"avant-migration-{current}")
    if not db.is_sqlite:
        with db.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "head")
        return True
    with db.engine.connect() as connection:
        # SQLite rebuilds a table to alter it (batch mode); with foreign keys on, dropping
        # the old copy would cascade or fail. The pragma only takes effect outside a
        # transaction, so it is set on the raw connection before the migration begins,
        # and the links are checked before the migration commits.
        raw = connection.connection.driver_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection), "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise SchemaError(_broken_links_message(broken))
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
    return True


def _broken_links_message(rows: Sequence[object]) -> str:
    return (f"La mise à jour du schéma laisserait {len(rows)} lien(s) cassé(s) entre les "
            "tables : elle a été annulée, la base est intacte.")


def open_database(url: str) -> Database:
    """Open (creating if need be) the database at `url`, migrated to the current schema."""
    db = connect(url)
    try:
        upgrade(db)
    except Exception:
        db.dispose()
        raise
    return db
