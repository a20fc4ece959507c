"""Schema migrations and opening a database at the current schema.

Before an existing SQLite file is migrated, a copy is taken beside it. A
database whose schema is newer than this program knows is refused, never
touched.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, inspect, text

from coopfood.persistence.db import Database, connect, data_dir, sqlite_path

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent
_REVISION = re.compile(r"^revision = ['\"]([^'\"]+)['\"]", re.MULTILINE)
_DOWN = re.compile(r"^down_revision = ['\"]([^'\"]+)['\"]", re.MULTILINE)


class SchemaError(RuntimeError):
    """The database cannot be opened at this program's schema (message in French)."""


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _revisions() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the scripts' text:
    opening an up-to-date base (every start) need not import Alembic (≈ 0.1 s)."""
    chain: dict[str, str | None] = {}
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is not None:
            chain[revision[1]] = down[1] if down is not None else None
    return chain


def head_revision() -> str:
    chain = _revisions()
    heads = set(chain) - {down for down in chain.values() if down is not None}
    assert len(heads) == 1, heads
    return heads.pop()


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


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
    from alembic import command

    if current is not None and current not in _revisions():
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
