"""The database keeps money exact, refuses broken links and stale edits."""

from __future__ import annotations

import datetime as dt
import stat
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.enums import Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database, connect, sqlite_path
from coopfood.persistence.models import Producer, Product, ProductPrice
from tests.conftest import backend


def _producer(session, name: str = "GAEC du Pré Vert") -> Producer:  # type: ignore[no-untyped-def]
    producer = Producer(name=name, vat_regime=VatRegime.NORMAL, invoice_prefix=name[:8].upper())
    session.add(producer)
    session.flush()
    return producer


def test_ten_thousand_prices_sum_to_the_exact_cent(db: Database) -> None:
    # 0.10 € ten thousand times: a float store would drift; the sum must be 1 000.00 €.
    with db.transaction() as session:
        producer = _producer(session)
        product = Product(
            producer_id=producer.id, name="Radis", unit=Unit.BUNCH, vat_rate=Decimal("5.50")
        )
        session.add(product)
        session.flush()
        start = dt.date(2000, 1, 1)
        session.add_all(
            ProductPrice(
                product_id=product.id,
                valid_from=start + dt.timedelta(days=i),
                price_ht=Decimal("0.10"),
            )
            for i in range(10_000)
        )
    with db.reading() as session:
        prices = session.scalars(select(ProductPrice.price_ht)).all()
    assert sum(prices, Decimal(0)) == Decimal("1000.00")
    assert all(isinstance(p, Decimal) and p == Decimal("0.10") for p in prices)


def test_a_value_more_precise_than_the_column_is_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="more than 2 decimals"), db.transaction() as session:
        producer = _producer(session)
        product = Product(
            producer_id=producer.id, name="Miel", unit=Unit.JAR, vat_rate=Decimal("5.5")
        )
        session.add(product)
        session.flush()
        session.add(
            ProductPrice(
                product_id=product.id, valid_from=dt.date(2026, 1, 1), price_ht=Decimal("7.125")
            )
        )
        session.flush()


def test_a_float_never_reaches_the_database(db: Database) -> None:
    with pytest.raises(StatementError, match="exact value expected"), db.transaction() as session:
        producer = _producer(session)
        session.add(Product(producer_id=producer.id, name="Miel", unit=Unit.JAR, vat_rate=5.5))  # type: ignore[arg-type]
        session.flush()


def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(
            Product(producer_id=999, name="Orphelin", unit=Unit.KG, vat_rate=Decimal("5.50"))
        )
        session.flush()
    with db.reading() as session:
        assert session.scalar(select(func.count(Product.id))) == 0


def test_an_edit_made_on_stale_data_is_refused(db: Database) -> None:
    with db.transaction() as session:
        producer_id = _producer(session).id
    with db.reading() as session:
        stale = session.get(Producer, producer_id)
    assert stale is not None
    with db.transaction() as session:
        fresh = session.get(Producer, producer_id)
        assert fresh is not None
        fresh.city = "Die"
    with pytest.raises(StaleDataError), db.transaction() as session:
        stale = session.merge(stale, load=False)
        stale.city = "Crest"
        session.flush()
    with db.reading() as session:
        assert session.get(Producer, producer_id).city == "Die"  # type: ignore[union-attr]


@pytest.mark.skipif(backend() != "sqlite", reason="SQLite file settings")
def test_sqlite_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'neuve.sqlite'}"
    database = connect(url)
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    database.dispose()
    path = sqlite_path(url)
    assert path is not None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
