"""Alembic migrations build the schema of the models, and never damage a newer base."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from coopfood.persistence import migrations
from coopfood.persistence.db import connect
from coopfood.persistence.migrations import SchemaError, head_revision, open_database
from coopfood.persistence.models import Base, Coop
from tests.conftest import backend


def test_an_empty_database_migrated_to_head_matches_the_models(db_url: str) -> None:
    database = connect(db_url)
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == head_revision()
    database.dispose()


@pytest.mark.skipif(backend() != "sqlite", reason="file copy")
def test_a_base_made_by_a_newer_version_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite"
    url = f"sqlite:///{path}"
    open_database(url).dispose()
    database = connect(url)
    with database.transaction() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    database.dispose()
    before = path.read_bytes()
    with pytest.raises(SchemaError, match="version plus récente"):
        open_database(url)
    assert path.read_bytes() == before


@pytest.mark.skipif(backend() != "sqlite", reason="file copy")
def test_an_existing_file_is_backed_up_before_it_is_migrated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ancienne.sqlite"
    url = f"sqlite:///{path}"
    database = open_database(url)
    with database.transaction() as session:
        session.add(Coop(name="AMAP du Lavoir"))
    database.dispose()
    # A newer program (head "0002") opens this file: it must copy it before migrating.
    monkeypatch.setattr(migrations, "head_revision", lambda: "0002_next")
    from alembic import command

    monkeypatch.setattr(command, "upgrade", lambda config, rev: None)
    open_database(url).dispose()
    backups = list((migrations.data_dir() / "sauvegardes").glob("ancienne-avant-migration-*"))
    assert len(backups) == 1
    copy = connect(f"sqlite:///{backups[0]}")
    with copy.reading() as session:
        assert session.query(Coop).one().name == "AMAP du Lavoir"
    copy.dispose()


#: The triggers that keep issued invoices unchanged (migration 0004): a later migration
#: that rebuilds their tables must create them again.
IMMUTABILITY_TRIGGERS = {
    "invoice_issued_no_update", "invoice_issued_no_delete", "invoice_line_issued_no_update",
    "invoice_line_issued_no_delete", "invoiced_order_line_no_update",
    "invoiced_order_line_no_delete", "order_line_invoiced_unchanged",
    "member_order_invoiced_not_absent",
}


def test_the_triggers_that_keep_invoices_unchanged_are_there_at_head(db_url: str) -> None:
    database = connect(db_url)
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if backend() == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    with database.engine.connect() as conn:
        names = {row[0] for row in conn.execute(text(query))}
    database.dispose()
    assert names >= IMMUTABILITY_TRIGGERS
