"""Shared fixtures: a fresh migrated database per test, on SQLite or PostgreSQL.

The suite runs on SQLite by default; with COOPFOOD_TEST_PG_URL set (as
`.ci/run` does) the very same tests run on PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coopfood.persistence.db import Database, connect
from coopfood.persistence.migrations import open_database
from coopfood.persistence.models import Base

PG_URL = os.environ.get("COOPFOOD_TEST_PG_URL", "")

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never touch the user's real data directory (database, backups, logs, settings)."""
    folder = tmp_path_factory.mktemp("coopfood-data")
    old = os.environ.get("COOPFOOD_DATA_DIR")
    os.environ["COOPFOOD_DATA_DIR"] = str(folder)
    yield
    if old is None:
        os.environ.pop("COOPFOOD_DATA_DIR", None)
    else:
        os.environ["COOPFOOD_DATA_DIR"] = old


def backend() -> str:
    return "postgresql" if PG_URL else "sqlite"


def _pg_database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


#: Databases this test run made on the server, dropped when it ends.
_CREATED_PG_DATABASES: set[str] = set()


def recreate_pg_database(name: str) -> str:
    """A new, empty PostgreSQL database for this run (named after `name` and the process,
    so that two test runs on one server never share one); returns its URL."""
    unique = f"{name}_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{unique}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{unique}"'))
    admin.dispose()
    _CREATED_PG_DATABASES.add(unique)
    return _pg_database_url(unique)


@pytest.fixture(scope="session", autouse=True)
def _drop_pg_databases() -> Iterator[None]:
    yield
    if not PG_URL or not _CREATED_PG_DATABASES:
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in sorted(_CREATED_PG_DATABASES):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def _template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated to head once per session: a file to copy, or a PG database."""
    if PG_URL:
        url = recreate_pg_database("coopfood_tests")
        open_database(url).dispose()
        return url
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    open_database(f"sqlite:///{path}").dispose()
    return str(path)


@pytest.fixture
def db_url(_template: str, tmp_path: Path) -> str:
    """The URL of an empty database at the current schema, for this test alone."""
    if PG_URL:
        engine = create_engine(_template)
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        engine.dispose()
        return _template
    path = tmp_path / "coopfood.sqlite"
    shutil.copyfile(_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = connect(db_url)
    yield database
    database.dispose()


# --- the demonstration co-op (coopfood.services.demo) -----------------------------------

#: The day the shared demo is anchored on: its open distribution is the next Thursday.
DEMO_AS_OF = (2026, 11, 26)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The small demo (seed 1, as of 26 November 2026), built once per session: read only."""
    import datetime as dt

    from coopfood.services import LOCAL_ADMIN
    from coopfood.services.demo import DemoSize, build_demo

    if PG_URL:
        url = recreate_pg_database("coopfood_demo")
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    database = open_database(url)
    build_demo(db=database, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1,
               as_of=dt.date(*DEMO_AS_OF))
    yield database
    database.dispose()


@pytest.fixture
def demo_db_copy(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A copy of the small demo that a test may change."""
    import datetime as dt
    import sqlite3
    from contextlib import closing

    from coopfood.persistence.db import sqlite_path
    from coopfood.services import LOCAL_ADMIN
    from coopfood.services.demo import DemoSize, build_demo

    if PG_URL:
        url = request.getfixturevalue("db_url")
        database = connect(url)
        build_demo(db=database, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1,
                   as_of=dt.date(*DEMO_AS_OF))
    else:
        source: Database = request.getfixturevalue("demo_db")
        path = tmp_path / "demo-copy.sqlite"
        # The online backup API copies what is still in the WAL too.
        with closing(sqlite3.connect(str(sqlite_path(source.url)))) as src, \
                closing(sqlite3.connect(path)) as dest:
            src.backup(dest)
        database = connect(f"sqlite:///{path}")
    yield database
    database.dispose()
