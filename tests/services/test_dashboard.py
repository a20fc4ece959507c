"""Tableau de bord: the figures of a worked co-op, to the cent, and what each role sees."""

from __future__ import annotations

import datetime as dt
import itertools
import time
from decimal import Decimal

import pytest

from coopfood.domain.enums import CycleState, LineSource, Unit
from coopfood.domain.treasury import ChequeStatus, EntryKind, PaymentMeans
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankLine,
    BankMatch,
    BankStatement,
    BasketType,
    Cheque,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
)
from coopfood.services import LOCAL_ADMIN, Actor, Role
from coopfood.services.dashboard import Dashboard, cheque_expiry, dashboard
from coopfood.services.ledger import member_balances, post

TODAY = dt.date(2026, 11, 26)  # a Thursday
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
UTC = dt.UTC


def _line(order: Order, *, product: Product | None = None, basket: BasketType | None = None,
          ordered: str, delivered: str | None, price: str) -> OrderLine:
    return OrderLine(order_id=order.id, product_id=product.id if product else None,
                     basket_type_id=basket.id if basket else None,
                     source=LineSource.A_LA_CARTE if product else LineSource.SUBSCRIPTION,
                     quantity_ordered=Decimal(ordered),
                     quantity_delivered=None if delivered is None else Decimal(delivered),
                     unit_price_ht=Decimal(price), vat_rate=Decimal("5.50"),
                     member_unit_price=Decimal(price))


def _worked_co_op(db: Database) -> dict[str, int]:
    """Two points, two producers, four households, seven distributions around TODAY,
    a ledger, cheques and a bank statement — every figure below is worked out by hand."""
    ids: dict[str, int] = {}
    with db.transaction() as s:
        north = DistributionPoint(name="Nord", weekday=3, start_time=dt.time(17),
                                  end_time=dt.time(19))
        south = DistributionPoint(name="Sud", weekday=3, start_time=dt.time(18),
                                  end_time=dt.time(20))
        dairy = Producer(name="Fromagerie des Combes", vat_regime=VatRegime.NORMAL,
                         invoice_prefix="COMBES")
        farm = Producer(name="Ferme de l'Étang", vat_regime=VatRegime.FLAT_RATE_FARMER,
                        invoice_prefix="ETANG")
        s.add_all([north, south, dairy, farm])
        s.flush()
        cheese = Product(producer_id=dairy.id, name="Tomme", unit=Unit.KG,
                         vat_rate=Decimal("5.50"), variable_weight=True)
        eggs = Product(producer_id=farm.id, name="Œufs", unit=Unit.DOZEN,
                       vat_rate=Decimal("5.50"))
        basket = BasketType(producer_id=farm.id, name="Panier légumes", price_ht=Decimal("12"),
                            vat_rate=Decimal("5.50"))
        s.add_all([cheese, eggs, basket])
        anna = Member(last_name="Éluard", first_name="Anna", point_id=north.id,
                      payment_reference="ADH-1", joined_on=dt.date(2025, 1, 10))
        bruno = Member(last_name="Roux", first_name="Bruno", point_id=south.id,
                       payment_reference="ADH-2")
        chloe = Member(last_name="Martin", first_name="Chloé", point_id=north.id,
                       payment_reference="ADH-3", joined_on=dt.date(2026, 10, 1))
        # Left the co-op in September: not counted among the active households since.
        denis = Member(last_name="Petit", first_name="Denis", point_id=south.id,
                       payment_reference="ADH-4",
                       archived_at=dt.datetime(2026, 9, 1, 8, 0, tzinfo=UTC))
        # Joins after the weeks charted: never counted.
        emma = Member(last_name="Blanc", first_name="Emma", point_id=north.id,
                      payment_reference="ADH-5", joined_on=dt.date(2026, 11, 25))
        s.add_all([anna, bruno, chloe, denis, emma])
        s.flush()

        def cycle(day: dt.date, state: CycleState, deadline: dt.datetime | None = None,
                  points: tuple[DistributionPoint, ...] = (north, south)) -> Cycle:
            c = Cycle(name=f"Distribution du {day:%d/%m}", distribution_date=day, state=state,
                      order_deadline=deadline)
            s.add(c)
            s.flush()
            s.add_all([CyclePoint(cycle_id=c.id, point_id=p.id) for p in points])
            return c

        def order(c: Cycle, member: Member) -> Order:
            o = Order(cycle_id=c.id, member_id=member.id, point_id=member.point_id)
            s.add(o)
            s.flush()
            return o

        old = cycle(dt.date(2026, 6, 4), CycleState.DISTRIBUTED)  # before the charts' weeks
        s.add(_line(order(old, anna), product=eggs, ordered="1", delivered="1", price="3.50"))

        invoiced = cycle(dt.date(2026, 11, 12), CycleState.INVOICED)
        s.add(_line(order(invoiced, anna), product=eggs, ordered="1", delivered="1",
                    price="3.50"))

        last = cycle(dt.date(2026, 11, 19), CycleState.DISTRIBUTED)
        o = order(last, anna)
        # Three lines of 1.15 € each (10 € × 0.115 kg): 0.005 € of rounding would show.
        for _ in range(3):
            s.add(_line(o, product=cheese, ordered="0.1", delivered="0.115", price="10.00"))
        s.add(_line(o, product=eggs, ordered="2", delivered="2", price="3.50"))
        # Ordered but not keyed back: not a sale.
        s.add(_line(o, product=eggs, ordered="5", delivered=None, price="3.50"))
        o = order(last, bruno)
        s.add(_line(o, basket=basket, ordered="1", delivered="1", price="12.00"))
        s.add(_line(o, product=cheese, ordered="0.5", delivered="0.500", price="20.00"))
        order(last, chloe)  # an order left empty: Chloé did not order

        closed = cycle(dt.date(2026, 11, 20), CycleState.CLOSED, points=(north,))
        s.add(_line(order(closed, anna), product=eggs, ordered="1", delivered=None,
                    price="3.50"))

        late = cycle(dt.date(2026, 11, 27), CycleState.OPEN,
                     deadline=dt.datetime(2026, 11, 24, 19, 0, tzinfo=UTC), points=(south,))
        s.add(_line(order(late, bruno), product=eggs, ordered="2", delivered=None,
                    price="3.50"))

        coming = cycle(dt.date(2026, 12, 3), CycleState.OPEN,
                       deadline=dt.datetime(2026, 12, 1, 19, 0, tzinfo=UTC))
        s.add(_line(order(coming, anna), product=eggs, ordered="3", delivered=None,
                    price="3.50"))
        o = order(coming, bruno)
        line = _line(o, product=cheese, ordered="0.4", delivered=None, price="20.00")
        line.quantity_allocated = Decimal("0.350")  # shared out at closing: 7.00 €
        s.add(line)
        draft = cycle(dt.date(2026, 12, 10), CycleState.DRAFT)

        # The ledger: Anna owes 20 €, Chloé 5.55 €, Bruno is settled, Denis in credit.
        for member, kind, amount, day in (
                (anna, EntryKind.ORDER, "30.00", dt.date(2026, 11, 19)),
                (anna, EntryKind.PAYMENT, "-10.00", dt.date(2026, 11, 20)),
                (anna, EntryKind.CONTRACT, "100.00", dt.date(2026, 12, 1)),  # not due yet
                (bruno, EntryKind.ORDER, "15.00", dt.date(2026, 11, 19)),
                (bruno, EntryKind.PAYMENT, "-15.00", dt.date(2026, 11, 19)),
                (chloe, EntryKind.FEE, "5.55", dt.date(2026, 10, 1)),
                (denis, EntryKind.PAYMENT, "-3.00", dt.date(2026, 8, 1))):
            post(s, LOCAL_ADMIN, kind=kind, amount=Decimal(amount), label="Écriture",
                 entry_date=day, member_id=member.id,
                 means=PaymentMeans.CHEQUE if kind is EntryKind.PAYMENT else None)

        numbers = itertools.count(1234567)

        def cheque(member: Member, amount: str, status: ChequeStatus, month: str,
                   issued: dt.date | None = dt.date(2026, 9, 1)) -> Cheque:
            c = Cheque(number=str(next(numbers)), drawer=member.display_name,
                       amount=Decimal(amount), member_id=member.id, planned_month=month,
                       status=status, issue_date=issued)
            s.add(c)
            return c

        cheque(anna, "40.00", ChequeStatus.RECEIVED, "2026-11")
        cheque(anna, "35.50", ChequeStatus.RECEIVED, "2026-11")
        cheque(anna, "99.00", ChequeStatus.PROMISED, "2026-11")
        cheque(anna, "77.00", ChequeStatus.DEPOSITED, "2026-11")
        cheque(bruno, "25.00", ChequeStatus.RECEIVED, "2026-11")
        cheque(bruno, "30.00", ChequeStatus.RECEIVED, "2026-12")
        # Dated a year ago: valid until 28 November (soon), 18 November (past), 8 January.
        soon = cheque(anna, "48.00", ChequeStatus.RECEIVED, "2026-12", dt.date(2025, 11, 20))
        cheque(bruno, "20.00", ChequeStatus.RECEIVED, "2026-10", dt.date(2025, 11, 10))
        cheque(bruno, "21.00", ChequeStatus.RECEIVED, "2027-01", dt.date(2025, 12, 31))
        cheque(bruno, "22.00", ChequeStatus.HANDED_OVER, "2026-10", dt.date(2025, 11, 1))

        statement = BankStatement(account="FR76", format="csv", source="releve.csv",
                                  lines_read=4, lines_new=4, imported_at=NOW,
                                  imported_by="Trésorière")
        s.add(statement)
        s.flush()
        lines = [BankLine(statement_id=statement.id, account="FR76", fingerprint=f"f{n}",
                          booking_date=dt.date(2026, 11, day), amount=Decimal(amount),
                          label=label, ignored_reason=ignored)
                 for n, (day, amount, label, ignored) in enumerate((
                     (5, "120.50", "VIR ELUARD", None), (3, "-35.20", "PRLV ASSURANCE", None),
                     (2, "58.00", "VIR ROUX", None), (1, "-8.40", "FRAIS", "frais bancaires")))]
        s.add_all(lines)
        s.flush()
        paid = post(s, LOCAL_ADMIN, kind=EntryKind.PAYMENT, amount=Decimal("-58.00"),
                    label="Virement", entry_date=dt.date(2026, 11, 2), member_id=bruno.id)
        s.add(BankMatch(bank_line_id=lines[2].id, entry_id=paid.id, amount=Decimal("58.00"),
                        matched_at=NOW, matched_by="Trésorière"))
        s.flush()
        ids.update(north=north.id, south=south.id, dairy=dairy.id, farm=farm.id,
                   anna=anna.id, bruno=bruno.id, chloe=chloe.id, invoiced=invoiced.id,
                   last=last.id, closed=closed.id, late=late.id, coming=coming.id,
                   draft=draft.id, old=old.id, soon=soon.id)
    return ids


@pytest.fixture
def worked(db: Database) -> dict[str, int]:
    return _worked_co_op(db)


def _read(db: Database, actor: Actor = LOCAL_ADMIN) -> Dashboard:
    return dashboard(db=db, actor=actor, today=TODAY, now=NOW)


def test_the_next_distributions_with_their_orders_and_amounts(
        db: Database, worked: dict[str, int]) -> None:
    board = _read(db)
    rows = [(r.id, r.state, r.points, r.order_count, r.amount) for r in board.next_distributions]
    assert rows == [
        (worked["late"], CycleState.OPEN, ("Sud",), 1, Decimal("7.00")),
        # 3 × 3.50 € ordered, and 0.35 kg × 20 € allocated at closing (not 0.4 ordered).
        (worked["coming"], CycleState.OPEN, ("Nord", "Sud"), 2, Decimal("17.50")),
        (worked["draft"], CycleState.DRAFT, ("Nord", "Sud"), 0, Decimal("0.00")),
    ]
    assert board.next_distributions[1].order_deadline == dt.datetime(2026, 12, 1, 19, 0,
                                                                     tzinfo=UTC)


def test_what_is_to_close_to_mark_distributed_and_to_invoice(
        db: Database, worked: dict[str, int]) -> None:
    board = _read(db)
    # Its order deadline passed on Tuesday, though the distribution is tomorrow.
    assert [r.id for r in board.to_close] == [worked["late"]]
    assert [(r.id, r.order_count, r.amount) for r in board.to_distribute] == [
        (worked["closed"], 1, Decimal("3.50"))]
    assert [r.id for r in board.to_invoice] == [worked["old"], worked["last"]]
    # Before the deadline, nothing is to close yet.
    monday = dashboard(db=db, actor=LOCAL_ADMIN, today=dt.date(2026, 11, 23))
    assert monday.to_close == ()


def test_unpaid_balances_count_what_is_due_today(db: Database, worked: dict[str, int]) -> None:
    balances = _read(db).balances
    assert balances is not None
    # Anna 30 − 10 (the instalment of 1 December is not due yet), Chloé 5.55; Bruno is
    # settled, Denis in credit: neither owes.
    assert balances.households == 2
    assert balances.total == Decimal("25.55")
    assert [(d.name, d.point, d.balance) for d in balances.largest] == [
        ("ÉLUARD Anna", "Nord", Decimal("20.00")), ("MARTIN Chloé", "Nord", Decimal("5.55"))]
    # The same as the ledger's own balances.
    owing = [r for r in member_balances(db=db, actor=LOCAL_ADMIN, as_of=TODAY) if r.balance > 0]
    assert sum(r.balance for r in owing) == balances.total


def test_cheques_to_cash_this_month_and_those_about_to_expire(
        db: Database, worked: dict[str, int]) -> None:
    cheques = _read(db).cheques
    assert cheques is not None
    assert cheques.month == "2026-11"
    # Received and planned for November: 40 + 35.50 + 25; the promised, the deposited not.
    assert (cheques.to_cash, cheques.to_cash_total) == (3, Decimal("100.50"))
    assert [(c.cheque_id, c.amount, c.expires_on) for c in cheques.expiring] == [
        (worked["soon"], Decimal("48.00"), dt.date(2026, 11, 28))]
    # Dated 10 November 2025: past its year and eight days; the one handed over is not ours.
    assert cheques.expired == 1


def test_a_cheque_is_valid_a_year_and_eight_days() -> None:
    assert cheque_expiry(dt.date(2025, 11, 20)) == dt.date(2026, 11, 28)
    assert cheque_expiry(dt.date(2024, 2, 29)) == dt.date(2025, 3, 8)


def test_bank_lines_neither_matched_nor_set_aside(db: Database, worked: dict[str, int]) -> None:
    bank = _read(db).bank
    assert bank is not None
    assert (bank.lines, bank.credits, bank.debits, bank.oldest) == (
        2, Decimal("120.50"), Decimal("35.20"), dt.date(2026, 11, 3))


def test_sales_per_producer_and_per_week_are_delivered_quantities_at_member_prices(
        db: Database, worked: dict[str, int]) -> None:
    board = _read(db)
    # Fromagerie: 3 × 1.15 + 0.5 kg × 20 = 13.45; the farm: eggs 2 × 3.50 + 3.50 (the
    # invoiced week) and a basket of 12 = 22.50. June is out of the twelve weeks.
    assert [(p.name, p.amount) for p in board.sales_by_producer] == [
        ("Ferme de l'Étang", Decimal("22.50")), ("Fromagerie des Combes", Decimal("13.45"))]
    assert [(w.week, w.amount) for w in board.sales_by_week] == [
        (dt.date(2026, 11, 9), Decimal("3.50")),
        (dt.date(2026, 11, 16), Decimal("32.45")),
        (dt.date(2026, 11, 23), Decimal("0.00")),
    ]
    assert board.has_sales


def test_participation_is_households_ordering_among_active_ones(
        db: Database, worked: dict[str, int]) -> None:
    participation = _read(db).participation
    assert participation is not None
    # Active: Anna, Bruno, Chloé (Denis left in September, Emma joined after). Chloé's
    # empty order is no order.
    assert [(p.week, p.ordering, p.active, p.percent) for p in participation] == [
        (dt.date(2026, 11, 9), 1, 3, Decimal("33.3")),
        (dt.date(2026, 11, 16), 2, 3, Decimal("66.7")),
    ]


def test_counts_of_what_the_actor_may_list(db: Database, worked: dict[str, int]) -> None:
    counts = _read(db).counts
    assert (counts.members, counts.producers, counts.products, counts.points) == (4, 2, 2, 2)


def test_a_coordinator_sees_its_points_only_and_no_bank(
        db: Database, worked: dict[str, int]) -> None:
    north = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                  point_ids=frozenset({worked["north"]}))
    board = _read(db, north)
    # The late distribution is at Sud only: not hers.
    assert [(r.id, r.points, r.order_count, r.amount) for r in board.next_distributions] == [
        (worked["coming"], ("Nord",), 1, Decimal("10.50")),
        (worked["draft"], ("Nord",), 0, Decimal("0.00")),
    ]
    assert board.to_close == ()
    assert board.balances is not None
    assert (board.balances.households, board.balances.total) == (2, Decimal("25.55"))
    assert board.cheques is not None
    assert (board.cheques.to_cash, board.cheques.to_cash_total) == (2, Decimal("75.50"))
    assert board.cheques.expired == 0
    assert board.bank is None
    assert [(p.name, p.amount) for p in board.sales_by_producer] == [
        ("Ferme de l'Étang", Decimal("10.50")), ("Fromagerie des Combes", Decimal("3.45"))]
    assert [w.amount for w in board.sales_by_week] == [
        Decimal("3.50"), Decimal("10.45"), Decimal("0.00")]
    assert board.participation is not None
    assert [(p.ordering, p.active) for p in board.participation] == [(1, 2), (1, 2)]
    assert (board.counts.members, board.counts.points) == (3, 1)


def test_a_producer_sees_its_own_sales_and_no_household_money(
        db: Database, worked: dict[str, int]) -> None:
    dairy = Actor(name="Fromagerie", role=Role.PRODUCER, producer_id=worked["dairy"])
    board = _read(db, dairy)
    assert (board.balances, board.cheques, board.bank, board.participation) == (
        None, None, None, None)
    assert [(p.name, p.amount) for p in board.sales_by_producer] == [
        ("Fromagerie des Combes", Decimal("13.45"))]
    coming = next(r for r in board.next_distributions if r.id == worked["coming"])
    assert (coming.order_count, coming.amount) == (1, Decimal("7.00"))
    assert (board.counts.members, board.counts.producers, board.counts.products) == (0, 1, 1)


def test_an_empty_co_op_has_an_empty_dashboard(db: Database) -> None:
    board = _read(db)
    assert board.next_distributions == () and board.to_invoice == ()
    assert board.sales_by_producer == () and board.sales_by_week == ()
    assert board.participation == ()
    assert not board.has_sales
    assert board.balances is not None and board.balances.households == 0


def test_the_demo_reads_fast_and_agrees_with_the_lists(demo_db: Database) -> None:
    from coopfood.services.lists import list_cycles

    started = time.perf_counter()
    board = dashboard(db=demo_db, actor=LOCAL_ADMIN, today=dt.date(2026, 11, 26))
    assert time.perf_counter() - started < 2.0
    [coming] = board.next_distributions
    [listed] = list_cycles(db=demo_db, actor=LOCAL_ADMIN, state=CycleState.OPEN)
    assert (coming.id, coming.order_count, coming.amount) == (
        listed.id, listed.order_count, listed.amount)
    assert len(board.sales_by_week) >= 7 and board.has_sales
    total = sum((w.amount for w in board.sales_by_week), Decimal(0))
    assert total == sum((p.amount for p in board.sales_by_producer), Decimal(0))
