"""A database made at each earlier schema revision, with data in it, upgrades to head intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, select, text

from coopfood.persistence.db import connect
from coopfood.persistence.migrations import alembic_config, head_revision, open_database
from coopfood.persistence.models import (
    AuditEntry,
    Contract,
    Coop,
    Invoice,
    InvoiceCounter,
    InvoicedOrderLine,
    OrderLine,
    Producer,
    ProductPrice,
)
from tests.conftest import PG_URL, recreate_pg_database


def _data_at_0001(conn: Connection) -> None:
    """Rows as a user of schema 0001 had them (raw SQL: the models have moved on)."""
    conn.execute(text(
        "INSERT INTO coop (id, name, legal_form, address, postal_code, city, email, phone, "
        "fee_percent, legal_texts, payment_terms_days) VALUES (1, 'AMAP du Lavoir & Cie', "
        "'Association loi 1901', '', '', '', '', '', 500, '{}', 30)"))
    conn.execute(text(
        "INSERT INTO producer (id, version, name, legal_form, vat_regime, address, postal_code, "
        "city, email, phone, contact_name, invoice_prefix, invoice_buyer) VALUES (1, 1, "
        "'GAEC du Pré Vert', 'GAEC', 'normal', '', '', '', '', '', '', 'GAECDUPRE', 'coop')"))
    conn.execute(text(
        "INSERT INTO product (id, version, producer_id, name, unit, vat_rate, variable_weight, "
        "case_rule, category, label, active) VALUES (1, 1, 1, 'Tomme', 'kg', 550, TRUE, "
        "'complete', 'Fromages', 'AB', TRUE)"))
    conn.execute(text("INSERT INTO product_price (id, product_id, valid_from, price_ht) "
                      "VALUES (1, 1, '2026-01-01', 1890)"))
    conn.execute(text(
        "INSERT INTO distribution_point (id, version, name, address, postal_code, city, "
        "weekday, start_time, end_time) VALUES (1, 1, 'Halle', '', '', '', 3, '17:00:00', "
        "'19:00:00')"))
    conn.execute(text(
        "INSERT INTO member (id, version, last_name, first_name, co_member_name, phone, "
        "address, postal_code, city, point_id, payment_reference, print_phone, print_email) "
        "VALUES (1, 1, 'Éluard', 'Anna', '', '', '', '', '', 1, 'ADH-0001', FALSE, FALSE)"))
    conn.execute(text(
        "INSERT INTO basket_type (id, version, producer_id, name, price_ht, vat_rate) "
        "VALUES (1, 1, 1, 'Panier légumes — petit', 1137, 550)"))
    conn.execute(text(
        "INSERT INTO contract (id, version, member_id, basket_type_id, point_id, season_start, "
        "season_end, frequency, allowed_absences, price_per_basket, cheque_count, "
        "cheque_months) VALUES (1, 1, 1, 1, 1, '2026-10-01', '2027-03-31', 'fortnightly', 3, "
        "1200, 2, '[\"2026-10\", \"2027-01\"]')"))
    conn.execute(text("INSERT INTO cycle (id, version, name, distribution_date, state, "
                      "shortfall_rule) VALUES (1, 1, '', '2026-11-19', 'distributed', "
                      "'pro_rata')"))
    conn.execute(text("INSERT INTO member_order (id, version, cycle_id, member_id, point_id, "
                      "row_number, absent) VALUES (1, 1, 1, 1, 1, 1, FALSE)"))
    conn.execute(text(
        "INSERT INTO order_line (id, order_id, product_id, source, quantity_ordered, "
        "quantity_delivered, unit_price_ht, vat_rate, member_unit_price) VALUES "
        "(1, 1, 1, 'a_la_carte', 1200, 1235, 1890, 550, 2094)"))
    conn.execute(text(
        "INSERT INTO order_line (id, order_id, basket_type_id, contract_id, source, "
        "quantity_ordered, unit_price_ht, vat_rate, member_unit_price) VALUES "
        "(2, 1, 1, 1, 'subscription', 1000, 1137, 550, 1200)"))


def _data_at_0003(conn: Connection) -> None:
    """Schema 0003 (before invoices): the rows of 0001, and what 0002 and 0003 added."""
    _data_at_0001(conn)
    conn.execute(text("UPDATE order_line SET quantity_allocated = 1200 WHERE id = 1"))
    conn.execute(text(
        "INSERT INTO audit_entry (id, at, actor_name, entity, entity_id, action, summary, "
        "cycle_id, member_id, point_id) VALUES (1, '2026-11-20 09:00:00', 'Trésorière', "
        "'order_line', 1, 'deliver', 'Tomme : 1,2 kg → 1,235 kg', 1, 1, 1)"))


#: For each earlier revision, how to put data in a database at that revision.
DATA_AT: dict[str, Callable[[Connection], None]] = {"0001": _data_at_0001, "0003": _data_at_0003}


@pytest.mark.parametrize("revision", sorted(DATA_AT))
def test_upgrade_from_an_earlier_revision_keeps_the_data(revision: str, tmp_path: Path) -> None:
    assert revision != head_revision()
    url = (recreate_pg_database("coopfood_upgrade") if PG_URL
           else f"sqlite:///{tmp_path / 'old.sqlite'}")
    old = connect(url)
    with old.engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
    with old.engine.begin() as conn:
        DATA_AT[revision](conn)
    old.dispose()

    upgraded = open_database(url)
    with upgraded.reading() as session:
        coop = session.get(Coop, 1)
        assert coop is not None
        assert (coop.name, coop.fee_percent, coop.version) == (
            "AMAP du Lavoir & Cie", Decimal("5.00"), 1)
        assert session.get(Producer, 1).name == "GAEC du Pré Vert"  # type: ignore[union-attr]
        price = session.get(ProductPrice, 1)
        assert price is not None
        assert (price.valid_from, price.price_ht) == (dt.date(2026, 1, 1), Decimal("18.90"))
        line = session.get(OrderLine, 1)
        assert line is not None
        assert (line.quantity_ordered, line.quantity_delivered, line.member_unit_price) == (
            Decimal("1.200"), Decimal("1.235"), Decimal("20.94"))
        # The contract table was rebuilt (a new CHECK): its rows and the lines that
        # refer to them are still there, and contracts deliver in week A by default.
        contract = session.get(Contract, 1)
        assert contract is not None
        assert (contract.cheque_months, contract.fortnight_offset) == (["2026-10", "2027-01"], 0)
        basket_line = session.get(OrderLine, 2)
        assert basket_line is not None and basket_line.contract_id == 1
        if revision >= "0003":
            assert line.quantity_allocated == Decimal("1.200")
            entry = session.get(AuditEntry, 1)
            assert entry is not None and (entry.point_id, entry.summary) == (
                1, "Tomme : 1,2 kg → 1,235 kg")
        # The invoice tables come empty, and the delivered lines are still to invoice.
        assert session.scalars(select(Invoice)).all() == []
        assert session.scalars(select(InvoicedOrderLine)).all() == []
    # An order line of the old base is invoiced, and from then on keeps its quantity.
    with upgraded.transaction() as session:
        session.add(InvoiceCounter(series="GAECDUPRE", year=2026, last_number=0))
    upgraded.dispose()
