"""Alembic environment: runs on the connection that coopfood hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from coopfood.persistence.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: recreate tables
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is None:
    from coopfood.persistence.db import default_url, make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or default_url())
    with engine.connect() as conn:
        run_migrations(conn)
else:
    run_migrations(connection)
