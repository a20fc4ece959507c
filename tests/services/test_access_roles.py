"""Who may do what, called as each role: the services refuse what the role may not do.

On the demo co-op (points 1, 2, 3; producers 2 « EARL Les Vergers de la Dombes » and
3 « GAEC Chèvrerie des Monts d'Or » sell through the co-op), as the administrator,
the coordinator of point A, the treasurer and producer X; the rules themselves are
written in coopfood.services.access.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from coopfood.domain.enums import Unit
from coopfood.domain.treasury import PaymentMeans
from coopfood.persistence.db import Database
from coopfood.persistence.models import Member, Order, OrderLine, Product
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    audit,
    delivery,
    invoicing,
    ledger,
    lists,
    members,
    orders,
    printing,
    privacy,
    producers,
    products,
    users,
)
from coopfood.services.points import PointInput, get_point, save_point
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
)

POINT_A, POINT_B = 1, 2
PRODUCER_X, PRODUCER_Y = 2, 3
OPEN_CYCLE, PAST_CYCLE = 8, 7

ADMIN = LOCAL_ADMIN
COORDINATOR_A = Actor(name="Marie", role=Role.COORDINATOR, user_id=2,
                      point_ids=frozenset({POINT_A}))
TREASURER = Actor(name="Paul", role=Role.TREASURER, user_id=3)
PRODUCER = Actor(name="Vergers de la Dombes", role=Role.PRODUCER, user_id=4,
                 producer_id=PRODUCER_X)


def refused(call: Callable[[], Any], message: str | None = None) -> str:
    with pytest.raises(PermissionDenied, match=message) as error:
        call()
    return str(error.value)


def household_of(db: Database, point_id: int) -> int:
    with db.reading() as session:
        found = session.scalars(select(Member.id).where(
            Member.point_id == point_id, Member.archived_at.is_(None)).order_by(Member.id)).first()
    assert found is not None
    return found


def order_of(db: Database, cycle_id: int, point_id: int) -> tuple[int, int]:
    """An order of the cycle at the point, and one of its lines."""
    with db.reading() as session:
        row = session.execute(
            select(Order.id, OrderLine.id).join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.cycle_id == cycle_id, Order.point_id == point_id,
                   OrderLine.product_id.is_not(None)).order_by(Order.id)).first()
    assert row is not None
    return row[0], row[1]


def test_a_coordinator_sees_and_changes_only_its_points_households(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    mine, theirs = household_of(db, POINT_A), household_of(db, POINT_B)

    listed = lists.list_members(db=db, actor=COORDINATOR_A)
    assert listed and {row.point_id for row in listed} == {POINT_A}
    assert lists.list_members(db=db, actor=COORDINATOR_A, point_id=POINT_B) == []
    assert len(lists.list_members(db=db, actor=ADMIN)) > len(listed)
    assert members.get_member(db=db, actor=COORDINATOR_A, member_id=mine).point_id == POINT_A
    assert refused(lambda: members.get_member(db=db, actor=COORDINATOR_A, member_id=theirs)) == (
        "Marie coordonne d'autres points de distribution et ne peut pas consulter ce foyer.")

    detail = members.get_member(db=db, actor=ADMIN, member_id=theirs)
    data = members.MemberInput(last_name=detail.last_name, first_name=detail.first_name,
                               email=detail.email or "", phone="06 12 34 56 78",
                               point_id=POINT_B)
    refused(lambda: members.save_member(db=db, actor=COORDINATOR_A, member_id=theirs, data=data),
            "inscrire un foyer à ce point")
    # Moving it to one's own point is changing it too.
    moved = dataclasses.replace(data, point_id=POINT_A)
    refused(lambda: members.save_member(db=db, actor=COORDINATOR_A, member_id=theirs,
                                        data=moved), "modifier ce foyer")
    refused(lambda: members.archive_member(db=db, actor=COORDINATOR_A, member_id=theirs))
    refused(lambda: members.record_fee(db=db, actor=COORDINATOR_A, member_id=theirs,
                                       year=2026, amount="10"))
    assert detail.email and members.find_member_by_email(
        db=db, actor=COORDINATOR_A, email=detail.email) is None
    assert members.get_member(db=db, actor=ADMIN, member_id=theirs).phone == detail.phone

    # Its own households it keeps, and the change is in the trail it may read.
    own = members.get_member(db=db, actor=ADMIN, member_id=mine)
    members.save_member(db=db, actor=COORDINATOR_A, member_id=mine, data=members.MemberInput(
        last_name=own.last_name, first_name=own.first_name, email=own.email or "",
        phone="06 11 22 33 44", point_id=POINT_A))
    trail = audit.search(db=db, actor=COORDINATOR_A)
    assert trail and {row.point_id for row in trail} == {POINT_A}

    # Its points' accounts only.
    balances = ledger.member_balances(db=db, actor=COORDINATOR_A)
    assert {b.point_name for b in balances} == {lists.list_points(
        db=db, actor=COORDINATOR_A)[0].name}
    refused(lambda: ledger.record_payment(
        db=db, actor=COORDINATOR_A, member_id=theirs, amount="12", means=PaymentMeans.CASH,
        entry_date=dt.date(2026, 11, 26)))
    refused(lambda: ledger.account_statement(db=db, actor=COORDINATOR_A, member_id=theirs))
    refused(lambda: privacy.export_household(db=db, actor=COORDINATOR_A, member_id=theirs,
                                             out_dir=Path("/nonexistent")))


def test_a_coordinator_cannot_open_another_points_orders_sheets_nor_deliveries(
        demo_db: Database, tmp_path: Path) -> None:
    db = demo_db
    grid = orders.load_grid(db=db, actor=COORDINATOR_A, cycle_id=OPEN_CYCLE, point_id=POINT_A)
    assert grid.members
    refused(lambda: orders.load_grid(db=db, actor=COORDINATOR_A, cycle_id=OPEN_CYCLE,
                                     point_id=POINT_B),
            "consulter les commandes de ce point")
    theirs = household_of(db, POINT_B)
    product_id = grid.products[0].product_id
    refused(lambda: orders.set_quantity(db=db, actor=COORDINATOR_A, cycle_id=OPEN_CYCLE,
                                        member_id=theirs, product_id=product_id, quantity="1"),
            "saisir les commandes de ce point")
    order_id, line_id = order_of(db, PAST_CYCLE, POINT_B)
    refused(lambda: delivery.get_delivery(db=db, actor=COORDINATOR_A, order_id=order_id))
    refused(lambda: delivery.set_delivered(db=db, actor=COORDINATOR_A, line_id=line_id,
                                           quantity="1"))
    refused(lambda: printing.print_documents(
        db=db, actor=COORDINATOR_A, cycle_id=OPEN_CYCLE, kinds=["sheets"],
        point_ids=[POINT_B], out_dir=tmp_path / "b"), "imprimer les documents de ce point")
    assert not (tmp_path / "b").exists()
    report = printing.print_documents(db=db, actor=COORDINATOR_A, cycle_id=OPEN_CYCLE,
                                      kinds=["sheets"], out_dir=tmp_path / "a", processes=1)
    assert len(report.files) == 1  # its own point's sheet, the others not even asked
    cycles = lists.list_cycles(db=db, actor=COORDINATOR_A)
    assert cycles and all(c.point_ids == (POINT_A,) for c in cycles)


def test_a_coordinator_issues_no_invoice_records_no_refund_and_reads_no_ledger(
        demo_db: Database) -> None:
    db = demo_db
    mine = household_of(db, POINT_A)
    refused(lambda: invoicing.issue_invoices(db=db, actor=COORDINATOR_A, period=NOVEMBER),
            "Marie n'a pas le droit d'émettre les factures")
    refused(lambda: invoicing.list_invoices(db=db, actor=COORDINATOR_A))
    refused(lambda: ledger.record_refund(db=db, actor=COORDINATOR_A, member_id=mine,
                                         amount="5", means=PaymentMeans.CASH,
                                         entry_date=dt.date(2026, 11, 26)),
            "rembourser un foyer")
    refused(lambda: ledger.list_entries(db=db, actor=COORDINATOR_A))
    refused(lambda: ledger.producer_balances(db=db, actor=COORDINATOR_A))
    refused(lambda: users.list_users(db=db, actor=COORDINATOR_A))
    refused(lambda: privacy.anonymise_household(db=db, actor=COORDINATOR_A, member_id=mine),
            "anonymiser un foyer")


def test_the_treasurer_keeps_the_money_not_the_catalogue_nor_the_orders(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    anyone = household_of(db, POINT_B)
    assert len(lists.list_members(db=db, actor=TREASURER)) == len(
        lists.list_members(db=db, actor=ADMIN))
    assert members.get_member(db=db, actor=TREASURER, member_id=anyone).id == anyone
    ledger.record_refund(db=db, actor=TREASURER, member_id=anyone, amount="5",
                         means=PaymentMeans.TRANSFER, entry_date=dt.date(2026, 11, 26))
    report = invoicing.issue_invoices(db=db, actor=TREASURER, period=NOVEMBER,
                                      issue_date=ISSUE_DAY, producer_ids=[PRODUCER_X],
                                      processes=1)
    assert report.invoices

    # The producers' billing identity is the treasurer's to keep…
    farm = producers.get_producer(db=db, actor=TREASURER, producer_id=PRODUCER_X)
    data = producers.ProducerInput(
        name=farm.name, vat_regime=farm.vat_regime, legal_form=farm.legal_form,
        siret=farm.siret or "", vat_number=farm.vat_number or "",
        iban="FR7630006000011234567890189", bic=farm.bic or "", address=farm.address,
        postal_code=farm.postal_code, city=farm.city, email=farm.email, phone=farm.phone,
        contact_name=farm.contact_name, billing_mandate_date=farm.billing_mandate_date,
        invoice_buyer=farm.invoice_buyer, invoice_prefix=farm.invoice_prefix)
    producers.save_producer(db=db, actor=TREASURER, producer_id=PRODUCER_X, data=data,
                            expected_version=farm.version)
    # …what is sold, at which price, where, is not.
    with db.reading() as session:
        product_id = session.scalars(select(Product.id).order_by(Product.id)).first()
    assert product_id is not None
    refused(lambda: products.set_price(db=db, actor=TREASURER, product_id=product_id,
                                       price_ht="9.99", valid_from=dt.date(2026, 12, 1)),
            "Paul n'a pas le droit de modifier les prix")
    refused(lambda: products.save_product(db=db, actor=TREASURER, data=products.ProductInput(
        producer_id=PRODUCER_X, name="Poires", unit=Unit.KG, vat_rate="5.5", price_ht="3")))
    point = get_point(db=db, actor=TREASURER, point_id=POINT_A)
    refused(lambda: save_point(db=db, actor=TREASURER, point_id=POINT_A, data=PointInput(
        name="Ailleurs", weekday=point.weekday, start_time=point.start_time,
        end_time=point.end_time)))
    # Orders and deliveries are the coordinators' (the treasurer reads them).
    assert orders.load_grid(db=db, actor=TREASURER, cycle_id=OPEN_CYCLE, point_id=POINT_B)
    grid = orders.load_grid(db=db, actor=ADMIN, cycle_id=OPEN_CYCLE, point_id=POINT_B)
    refused(lambda: orders.set_quantity(db=db, actor=TREASURER, cycle_id=OPEN_CYCLE,
                                        member_id=anyone,
                                        product_id=grid.products[0].product_id, quantity="1"))
    _order, line_id = order_of(db, PAST_CYCLE, POINT_B)
    refused(lambda: delivery.set_delivered(db=db, actor=TREASURER, line_id=line_id,
                                           quantity="1"))
    refused(lambda: privacy.anonymise_household(db=db, actor=TREASURER, member_id=anyone))
    refused(lambda: users.set_mode(db=db, actor=TREASURER, mode=users.Mode.MULTI))


def test_a_producer_reads_its_own_invoices_pickup_lists_and_account_only(
        demo_db_copy: Database, tmp_path: Path) -> None:
    db = demo_db_copy
    invoicing.issue_invoices(db=db, actor=ADMIN, period=NOVEMBER, issue_date=ISSUE_DAY,
                             producer_ids=[PRODUCER_X, PRODUCER_Y], processes=1)
    ledger.sync_ledger(db=db, actor=ADMIN, today=dt.date(2026, 11, 30))
    everything = invoicing.list_invoices(db=db, actor=ADMIN)
    theirs = [row for row in everything if row.producer_id == PRODUCER_Y]
    assert theirs and any(row.producer_id == PRODUCER_X for row in everything)

    own = invoicing.list_invoices(db=db, actor=PRODUCER)
    assert own and {row.producer_id for row in own} == {PRODUCER_X}
    assert invoicing.list_invoices(db=db, actor=PRODUCER, producer_id=PRODUCER_Y) == []
    assert invoicing.invoice_pdf(db=db, actor=PRODUCER, invoice_id=own[0].id).startswith(b"%PDF")
    refused(lambda: invoicing.invoice_pdf(db=db, actor=PRODUCER, invoice_id=theirs[0].id),
            "ne peut consulter que ses propres factures")
    refused(lambda: invoicing.get_invoice(db=db, actor=PRODUCER, number=theirs[0].number))
    refused(lambda: invoicing.export_invoice_list(db=db, actor=PRODUCER, rows=theirs,
                                                  path=tmp_path / "f.csv"))
    assert invoicing.export_invoice_list(db=db, actor=PRODUCER, path=tmp_path / "own.csv") == \
        len(own)

    statement = ledger.account_statement(db=db, actor=PRODUCER, producer_id=PRODUCER_X,
                                         date_to=dt.date(2026, 12, 31))
    assert statement.movements and statement.closing_balance < 0  # the co-op owes it
    refused(lambda: ledger.account_statement(db=db, actor=PRODUCER, producer_id=PRODUCER_Y))
    refused(lambda: ledger.producer_balances(db=db, actor=PRODUCER))

    report = printing.print_documents(db=db, actor=PRODUCER, cycle_id=OPEN_CYCLE,
                                      kinds=["pickup"], out_dir=tmp_path / "x", processes=1)
    assert len(report.files) == 1
    refused(lambda: printing.print_documents(db=db, actor=PRODUCER, cycle_id=OPEN_CYCLE,
                                             kinds=["pickup"], producer_ids=[PRODUCER_Y],
                                             out_dir=tmp_path / "y"))
    refused(lambda: printing.print_documents(db=db, actor=PRODUCER, cycle_id=OPEN_CYCLE,
                                             kinds=["sheets"], out_dir=tmp_path / "s"))

    # Read only: no household, no order, no catalogue change, no trail.
    assert lists.list_members(db=db, actor=PRODUCER) == []
    assert {p.id for p in lists.list_producers(db=db, actor=PRODUCER)} == {PRODUCER_X}
    assert {p.producer_id for p in lists.list_products(db=db, actor=PRODUCER)} == {PRODUCER_X}
    anyone = household_of(db, POINT_A)
    refused(lambda: members.get_member(db=db, actor=PRODUCER, member_id=anyone))
    refused(lambda: orders.load_grid(db=db, actor=PRODUCER, cycle_id=OPEN_CYCLE,
                                     point_id=POINT_A))
    refused(lambda: ledger.record_payment(db=db, actor=PRODUCER, member_id=anyone,
                                          amount="1", means=PaymentMeans.CASH,
                                          entry_date=dt.date(2026, 11, 26)))
    refused(lambda: products.set_price(db=db, actor=PRODUCER, product_id=1, price_ht="1",
                                       valid_from=dt.date(2026, 12, 1)))
    refused(lambda: audit.search(db=db, actor=PRODUCER))


def test_the_administrator_may_do_all_of_it(demo_db_copy: Database) -> None:
    db = demo_db_copy
    anyone = household_of(db, POINT_B)
    assert members.get_member(db=db, actor=ADMIN, member_id=anyone)
    assert orders.load_grid(db=db, actor=ADMIN, cycle_id=OPEN_CYCLE, point_id=POINT_B)
    ledger.record_payment(db=db, actor=ADMIN, member_id=anyone, amount=Decimal("12.50"),
                          means=PaymentMeans.CASH, entry_date=dt.date(2026, 11, 26))
    assert ledger.list_entries(db=db, actor=ADMIN)
    assert users.list_users(db=db, actor=ADMIN) == []
    assert privacy.anonymise_household(db=db, actor=ADMIN, member_id=anyone).member_id == anyone
