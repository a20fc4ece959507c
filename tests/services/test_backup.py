"""A backup brings back exactly what was saved; a bad file never replaces anything."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, text

from coopfood.persistence.db import Database
from coopfood.persistence.models import Member, Setting
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ServiceError
from coopfood.services.backup import (
    backup,
    backups_dir,
    daily_backup,
    inspect_backup,
    restore,
)
from tests.conftest import backend


def _snapshot(db: Database) -> list[tuple[object, ...]]:
    with db.reading() as session:
        return [tuple(row) for row in session.execute(
            select(Member.id, Member.last_name, Member.first_name, Member.email,
                   Member.payment_reference).order_by(Member.id))]


def test_a_restore_brings_back_exactly_what_was_saved(
    demo_db_copy: Database, tmp_path: Path
) -> None:
    saved = _snapshot(demo_db_copy)
    suffix = ".sqlite" if backend() == "sqlite" else ".dump"
    info = backup(db=demo_db_copy, actor=LOCAL_ADMIN, target=tmp_path / f"copie{suffix}")
    assert info.size > 0
    with demo_db_copy.transaction() as session:
        session.execute(text("UPDATE member SET last_name = 'Effacé'"))
    assert _snapshot(demo_db_copy) != saved

    restore(db=demo_db_copy, actor=LOCAL_ADMIN, source=info.path)
    assert _snapshot(demo_db_copy) == saved


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite files")
def test_the_backup_of_a_sqlite_base_is_checked_and_private(
    demo_db_copy: Database, tmp_path: Path
) -> None:
    info = backup(db=demo_db_copy, actor=LOCAL_ADMIN, target=tmp_path / "copie.sqlite")
    assert info.kind == "sqlite"
    assert info.coop_name == "AMAP Les Paniers du Plateau"
    assert info.path.stat().st_mode & 0o777 == 0o600
    assert inspect_backup(info.path) == info


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Ceci est une liste de courses", "n'est pas une sauvegarde coopfood"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "illisible"),
    ],
)
def test_a_file_that_is_not_a_backup_is_refused_and_nothing_replaced(
    db: Database, tmp_path: Path, content: bytes, message: str
) -> None:
    with db.transaction() as session:
        session.add(Setting(key="témoin", value="intact"))
    bad = tmp_path / "mauvais.sqlite"
    bad.write_bytes(content)
    with pytest.raises(ServiceError, match=message):
        restore(db=db, actor=LOCAL_ADMIN, source=bad)
    with db.reading() as session:
        assert session.get(Setting, "témoin").value == "intact"  # type: ignore[union-attr]


def test_a_truncated_backup_is_refused(demo_db_copy: Database, tmp_path: Path) -> None:
    suffix = ".sqlite" if backend() == "sqlite" else ".dump"
    info = backup(db=demo_db_copy, actor=LOCAL_ADMIN, target=tmp_path / f"copie{suffix}")
    data = info.path.read_bytes()
    truncated = tmp_path / f"tronquee{suffix}"
    truncated.write_bytes(data[: len(data) // 3])
    before = _snapshot(demo_db_copy)
    with pytest.raises(ServiceError):
        restore(db=demo_db_copy, actor=LOCAL_ADMIN, source=truncated)
    assert _snapshot(demo_db_copy) == before


def test_only_an_administrator_restores(db: Database, tmp_path: Path) -> None:
    treasurer = Actor(name="Trésorière", role=Role.TREASURER)
    with pytest.raises(PermissionDenied, match="restaurer une sauvegarde"):
        restore(db=db, actor=treasurer, source=tmp_path / "x.sqlite")


@pytest.mark.skipif(backend() != "sqlite", reason="daily copies are for a laptop's file")
def test_one_backup_a_day_and_only_the_last_ones_are_kept(db: Database) -> None:
    with db.transaction() as session:
        session.add(Setting(key="backup.keep", value="3"))
    start = dt.date(2026, 11, 1)
    made = [daily_backup(db=db, actor=LOCAL_ADMIN, today=start + dt.timedelta(days=i))
            for i in range(5)]
    assert all(path is not None for path in made)
    assert daily_backup(db=db, actor=LOCAL_ADMIN, today=start + dt.timedelta(days=4)) is None
    kept = sorted(p.name for p in backups_dir().glob("auto-coopfood-*.sqlite"))
    assert kept == [f"auto-coopfood-2026-11-0{d}.sqlite" for d in (3, 4, 5)]


def test_the_number_of_copies_kept_is_checked(db: Database) -> None:
    from coopfood.services import ValidationError
    from coopfood.services.backup import keep_count, set_keep_count

    set_keep_count(db=db, actor=LOCAL_ADMIN, count=3)
    assert keep_count(db=db) == 3
    with pytest.raises(ValidationError, match="de 1 à 365"):
        set_keep_count(db=db, actor=LOCAL_ADMIN, count=0)
