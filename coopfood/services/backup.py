"""Backups and restores that never leave a half-copied database behind.

SQLite is copied with its online backup API (a consistent snapshot even
while the window writes); PostgreSQL with pg_dump's custom format. A restore
first checks the copy (integrity, schema, co-op), then keeps a safety copy
of what it replaces, and only then replaces it.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from coopfood.i18n import _
from coopfood.persistence.db import Database, data_dir, sqlite_path
from coopfood.persistence.migrations import alembic_config, open_database
from coopfood.persistence.models import Setting
from coopfood.services import (
    Actor,
    Cancelled,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services.access import require

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
KEEP_SETTING = "backup.keep"
DEFAULT_KEEP = 10
MAX_KEEP = 365
AUTO_PREFIX = "auto-"
BACKUP_ROLES = frozenset({Role.ADMIN, Role.TREASURER})
RESTORE_ROLES = frozenset({Role.ADMIN})


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    kind: str  # "sqlite" or "pg_dump"
    schema_revision: str | None
    coop_name: str | None


def backups_dir() -> Path:
    folder = data_dir() / "sauvegardes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _libpq_url(url: str) -> str:
    """pg_dump speaks libpq URLs: no '+psycopg' driver suffix."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise ServiceError(
            _("L'outil PostgreSQL « {tool} » est introuvable : installez les outils clients de "
              "PostgreSQL (Debian : apt-get install postgresql-client) pour sauvegarder ou "
              "restaurer une base PostgreSQL.").format(tool=name))
    return found


def _sqlite_copy(source: sqlite3.Connection, target: Path, progress: ProgressCallback) -> None:
    """Copy a live SQLite base into `target` page by page, reporting and cancellable."""
    dest = sqlite3.connect(target)

    def report(status: int, remaining: int, total: int) -> None:
        progress(total - remaining, total, _("Copie de la base"))

    try:
        source.backup(dest, pages=256, progress=report)
        # The copy inherits WAL mode; a backup is one self-contained file instead.
        dest.execute("PRAGMA journal_mode=DELETE")
    finally:
        dest.close()


def backup(*, db: Database, actor: Actor, target: Path,
           progress: ProgressCallback = no_progress) -> BackupInfo:
    """Write a consistent copy of the open database to `target` (replaced only when done)."""
    require(actor, BACKUP_ROLES, _("sauvegarder la base"))
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".coopfood-", suffix=".part", dir=target.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        path = sqlite_path(db.url)
        if path is not None:
            temp.unlink()
            source = sqlite3.connect(path)
            try:
                _sqlite_copy(source, temp, progress)
            finally:
                source.close()
        elif db.engine.dialect.name == "postgresql":
            progress(0, 1, _("Export PostgreSQL (pg_dump)"))
            _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                  f"--file={temp}", _libpq_url(db.url)])
            progress(1, 1, _("Export PostgreSQL (pg_dump)"))
        else:
            raise ServiceError(_("Sauvegarde impossible : seules les bases SQLite et "
                                 "PostgreSQL sont prises en charge."))
        temp.chmod(0o600)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return inspect_backup(target)


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ServiceError(_("{tool} a échoué : {detail}").format(
            tool=Path(command[0]).name, detail=detail[-1] if detail else result.returncode))


def inspect_backup(path: Path) -> BackupInfo:
    """Check that a file is a coopfood backup this program can restore, and describe it."""
    if not path.is_file():
        raise ServiceError(_("Le fichier de sauvegarde « {path} » n'existe pas.").format(
            path=path))
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return _inspect_sqlite(path)
    if head.startswith(PG_DUMP_MAGIC):
        _run([_pg_tool("pg_restore"), "--list", str(path)])
        return BackupInfo(path=path, size=path.stat().st_size, kind="pg_dump",
                          schema_revision=None, coop_name=None)
    raise ServiceError(_("« {name} » n'est pas une sauvegarde coopfood (ni une base SQLite, ni "
                         "un export pg_dump).").format(name=path.name))


def _inspect_sqlite(path: Path) -> BackupInfo:
    uri = f"file:{path}?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            if con.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise ServiceError(_("La sauvegarde « {name} » est endommagée (contrôle "
                                     "d'intégrité en échec) : elle n'a pas été restaurée.")
                                   .format(name=path.name))
            tables = {row[0] for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "coop"} <= tables:
                raise ServiceError(_("« {name} » est une base SQLite, mais pas une base "
                                     "coopfood.").format(name=path.name))
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            coop = con.execute("SELECT name FROM coop ORDER BY id LIMIT 1").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as error:
        raise ServiceError(_("La sauvegarde « {name} » est illisible : {reason}.").format(
            name=path.name, reason=error)) from None
    revision_id = revision[0] if revision else None
    if revision_id is not None:
        try:
            from alembic.script import ScriptDirectory

            ScriptDirectory.from_config(alembic_config()).get_revision(revision_id)
        except Exception:
            raise ServiceError(_("La sauvegarde « {name} » vient d'une version plus récente de "
                                 "coopfood : mettez coopfood à jour pour la restaurer.")
                               .format(name=path.name)) from None
    return BackupInfo(path=path, size=path.stat().st_size, kind="sqlite",
                      schema_revision=revision_id, coop_name=coop[0] if coop else None)


def restore(*, db: Database, actor: Actor, source: Path,
            progress: ProgressCallback = no_progress) -> BackupInfo:
    """Replace the open database by a backup, after checking it and keeping a safety copy.

    The caller must not hold the database open elsewhere (the window closes its
    lists first); the database is migrated to this program's schema afterwards.
    """
    require(actor, RESTORE_ROLES, _("restaurer une sauvegarde"))
    info = inspect_backup(source.expanduser().resolve())
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = sqlite_path(db.url)
    if path is not None:
        if info.kind != "sqlite":
            raise ServiceError(_("Cette sauvegarde vient d'une base PostgreSQL : elle ne peut "
                                 "pas remplacer une base SQLite."))
        backup(db=db, actor=actor, target=backups_dir() / f"avant-restauration-{stamp}.sqlite")
        db.dispose()
        source_con = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
        target_con = sqlite3.connect(path)
        try:
            # The backup API replaces the target in one step under its write lock.
            source_con.backup(target_con, pages=256,
                              progress=lambda s, rem, tot: progress(tot - rem, tot,
                                                                    _("Restauration")))
        finally:
            source_con.close()
            target_con.close()
    elif db.engine.dialect.name == "postgresql":
        if info.kind != "pg_dump":
            raise ServiceError(_("Cette sauvegarde vient d'une base SQLite : elle ne peut pas "
                                 "remplacer une base PostgreSQL."))
        backup(db=db, actor=actor, target=backups_dir() / f"avant-restauration-{stamp}.dump")
        db.dispose()
        progress(0, 1, _("Restauration PostgreSQL (pg_restore)"))
        _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--no-privileges", "--single-transaction", f"--dbname={_libpq_url(db.url)}",
              str(info.path)])
        progress(1, 1, _("Restauration PostgreSQL (pg_restore)"))
    else:
        raise ServiceError(_("Restauration impossible : seules les bases SQLite et PostgreSQL "
                             "sont prises en charge."))
    open_database(db.url).dispose()
    return info


def keep_count(*, db: Database) -> int:
    with db.reading() as session:
        value = session.scalar(select(Setting.value).where(Setting.key == KEEP_SETTING))
    try:
        return max(1, int(value)) if value is not None else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def set_keep_count(*, db: Database, actor: Actor, count: int) -> int:
    """How many daily copies to keep (1 to 365); older ones go at the next day's copy."""
    require(actor, RESTORE_ROLES, _("régler les sauvegardes"))
    if not 1 <= count <= MAX_KEEP:
        raise ValidationError(
            _("Le nombre de sauvegardes à garder va de 1 à {max} (« {count} »).").format(
                max=MAX_KEEP, count=count), field="keep")
    with db.transaction() as session:
        setting = session.get(Setting, KEEP_SETTING)
        if setting is None:
            session.add(Setting(key=KEEP_SETTING, value=str(count)))
        else:
            setting.value = str(count)
    return count


def daily_backup(*, db: Database, actor: Actor, today: dt.date | None = None) -> Path | None:
    """The backup of the day of use, taken once a day; older ones beyond the setting go.

    Only for a SQLite file on this computer: a shared PostgreSQL database is
    backed up by its server's own schedule, not by each laptop.
    """
    path = sqlite_path(db.url)
    if path is None or actor.role not in BACKUP_ROLES:
        return None
    day = (today or dt.date.today()).isoformat()
    folder = backups_dir()
    prefix = f"{AUTO_PREFIX}{path.stem}-"
    target = folder / f"{prefix}{day}.sqlite"
    made = None
    if not target.exists():
        try:
            backup(db=db, actor=actor, target=target)
        except Cancelled:
            return None
        made = target
    autos = sorted(folder.glob(f"{prefix}*.sqlite"))
    for old in autos[: max(0, len(autos) - keep_count(db=db))]:
        old.unlink(missing_ok=True)
    return made

