"""The ledger: what distributions, contracts, fees and invoices make due, payments and
corrections as new entries, balances that are the sum of the entries — worked examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError

from coopfood.domain.enums import CycleState, Frequency
from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cycle, LedgerEntry, OrderLine
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    invoicing,
    ledger,
)
from coopfood.services.contracts import ContractInput, save_contract
from coopfood.services.cycles import transition
from coopfood.services.delivery import set_delivered
from coopfood.services.members import record_fee
from tests.services.invoicing_support import (
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
    producer_id,
)
from tests.services.test_baskets import new_basket
from tests.services.test_cycles import THURSDAY, Shop, build_shop, open_cycle, order

TREASURER = Actor(name="Claire", role=Role.TREASURER)
DAY = dt.date(2026, 11, 26)


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def distributed(db: Database, shop: Shop) -> int:
    """Eggs (3,78 € to members) at the distribution of 5 March 2026: Marie 2, Luc 1 at
    Nord, Bruno 3 at Sud; Anna ordered tomme, to weigh."""
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.oeufs, "2")
    order(db, cycle_id, shop.luc, shop.oeufs, "1")
    order(db, cycle_id, shop.bruno, shop.oeufs, "3")
    order(db, cycle_id, shop.anna, shop.tomme, "0.5")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.DISTRIBUTED)
    return cycle_id


def balance(db: Database, member_id: int, day: dt.date | None = None) -> Decimal:
    return ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                                    date_to=day or DAY).closing_balance


def entries(db: Database, **where: object) -> list[LedgerEntry]:
    with db.reading() as s:
        query = select(LedgerEntry).order_by(LedgerEntry.id)
        for key, value in where.items():
            query = query.where(getattr(LedgerEntry, key) == value)
        found = list(s.scalars(query))
        s.expunge_all()
        return found


def line_of(db: Database, cycle_id: int, member_id: int) -> int:
    from coopfood.persistence.models import Order

    with db.reading() as s:
        found = s.scalar(select(OrderLine.id).join(Order, Order.id == OrderLine.order_id)
                         .where(Order.cycle_id == cycle_id, Order.member_id == member_id))
    assert found is not None
    return found


# --- distributions ----------------------------------------------------------------------------


def test_a_distribution_puts_what_each_household_took_on_its_account(
        db: Database, shop: Shop, distributed: int) -> None:
    # 2 × 3,78 ; 1 × 3,78 ; 3 × 3,78 — Anna's tomme waits to be weighed.
    assert (balance(db, shop.marie), balance(db, shop.luc), balance(db, shop.bruno),
            balance(db, shop.anna)) == (Decimal("7.56"), Decimal("3.78"), Decimal("11.34"),
                                        Decimal("0.00"))
    statement = ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=shop.bruno,
                                         date_to=DAY)
    [movement] = statement.movements
    assert movement.entry.label == "Commande du 05/03/2026 — Sud"
    assert (movement.entry.entry_date, movement.entry.kind) == (THURSDAY, EntryKind.ORDER)
    # Weighed later: the amount joins the account as of the day it is keyed.
    set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_of(db, distributed, shop.anna),
                  quantity="0,52")
    # 18,90 €/kg × 0,52 kg = 9,828 → 9,83 €
    assert balance(db, shop.anna) == Decimal("9.83")


def test_a_delivered_quantity_keyed_again_is_a_dated_correction(
        db: Database, shop: Shop, distributed: int) -> None:
    before = entries(db, member_id=shop.marie)
    set_delivered(db=db, actor=LOCAL_ADMIN, line_id=line_of(db, distributed, shop.marie),
                  quantity="1")
    after = entries(db, member_id=shop.marie)
    assert [(e.id, e.amount, e.label) for e in after[:1]] == [
        (before[0].id, Decimal("7.56"), "Commande du 05/03/2026 — Nord")]  # left as it was
    correction = after[1]
    assert (correction.kind, correction.amount, correction.label) == (
        EntryKind.ORDER, Decimal("-3.78"), "Correction — Commande du 05/03/2026 — Nord")
    assert correction.entry_date == max(THURSDAY, dt.date.today())
    assert balance(db, shop.marie, max(THURSDAY, dt.date.today())) == Decimal("3.78")


def test_syncing_twice_adds_nothing(db: Database, shop: Shop, distributed: int) -> None:
    first = ledger.sync_ledger(db=db, actor=TREASURER, today=DAY)
    second = ledger.sync_ledger(db=db, actor=TREASURER, today=DAY)
    assert (first.entries, second.entries) == (0, 0)  # the distribution posted it already
    assert second.summary == "Le grand livre était à jour."


def test_syncing_catches_up_on_a_base_made_before_the_ledger(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.oeufs, "2")
    order(db, cycle_id, shop.bruno, shop.oeufs, "3")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    with db.transaction() as s:  # distributed by an older version: nothing posted
        s.execute(update(OrderLine).values(quantity_delivered=OrderLine.quantity_allocated))
        s.execute(update(Cycle).where(Cycle.id == cycle_id)
                  .values(state=CycleState.DISTRIBUTED))
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=shop.luc, year=2026, amount="10")
    caught_up = ledger.sync_ledger(db=db, actor=TREASURER, today=DAY)
    assert (caught_up.entries, caught_up.total) == (2, Decimal("18.90"))
    assert caught_up.summary == "2 écriture(s) passée(s) au grand livre."
    assert balance(db, shop.bruno) == Decimal("11.34")
    assert ledger.sync_ledger(db=db, actor=TREASURER, today=DAY).entries == 0


# --- contracts --------------------------------------------------------------------------------


def _contract(db: Database, shop: Shop, *, frequency: Frequency, months: list[str],
              offset: int = 0) -> int:
    basket = new_basket(db, shop.ferme)
    return save_contract(db=db, actor=LOCAL_ADMIN, data=ContractInput(
        member_id=shop.anna, basket_type_id=basket, point_id=shop.nord,
        season_start=dt.date(2026, 4, 2), season_end=dt.date(2026, 9, 24),
        frequency=frequency, price_per_basket="12,67", cheque_count=len(months),
        cheque_months=months, fortnight_offset=offset)).id


def test_weekly_instalments_add_up_to_the_baskets_to_the_cent(db: Database, shop: Shop) -> None:
    contract_id = _contract(db, shop, frequency=Frequency.WEEKLY,
                            months=["2026-04", "2026-06", "2026-08"])
    assert ledger.sync_ledger(db=db, actor=TREASURER, today=DAY).entries == 3
    rows = entries(db, contract_id=contract_id)
    # 26 Thursdays from 2 April to 24 September × 12,67 € = 329,42 € in three cheques.
    assert [(e.reference, e.entry_date, e.amount) for e in rows] == [
        ("2026-04", dt.date(2026, 4, 2), Decimal("109.81")),
        ("2026-06", dt.date(2026, 6, 1), Decimal("109.81")),
        ("2026-08", dt.date(2026, 8, 1), Decimal("109.80")),
    ]
    assert sum(e.amount for e in rows) == Decimal("12.67") * 26
    assert rows[0].label == "Contrat « Panier légumes — petit », échéance : avril 2026"


@pytest.mark.parametrize("offset", [0, 1])
def test_fortnightly_instalments_add_up_to_the_baskets_to_the_cent(
        db: Database, shop: Shop, offset: int) -> None:
    months = [f"2026-{m:02d}" for m in range(4, 10)]
    contract_id = _contract(db, shop, frequency=Frequency.FORTNIGHTLY, months=months,
                            offset=offset)
    ledger.sync_ledger(db=db, actor=TREASURER, today=DAY)
    amounts = [e.amount for e in entries(db, contract_id=contract_id)]
    # 13 baskets of the 26 weeks, week A or week B: 164,71 € in six, the odd cent first.
    assert amounts == [Decimal("27.46")] + [Decimal("27.45")] * 5
    assert sum(amounts) == Decimal("12.67") * 13


# --- fees and invoices ------------------------------------------------------------------------


def test_a_paid_fee_posts_what_is_due_and_its_payment(db: Database, shop: Shop) -> None:
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=shop.luc, year=2026, amount="15",
               paid_on=dt.date(2026, 2, 3))
    rows = entries(db, member_id=shop.luc)
    assert [(e.kind, e.amount, e.entry_date, e.label) for e in rows] == [
        (EntryKind.FEE, Decimal("15.00"), dt.date(2026, 2, 3), "Cotisation 2026"),
        (EntryKind.PAYMENT, Decimal("-15.00"), dt.date(2026, 2, 3),
         "Règlement — Cotisation 2026"),
    ]
    assert balance(db, shop.luc) == 0
    with pytest.raises(ValidationError, match="suit la cotisation : marquez-la non payée"):
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=rows[1].id, reason="non")
    # Marked unpaid after all: the payment is cancelled by an opposite entry, never edited.
    record_fee(db=db, actor=LOCAL_ADMIN, member_id=shop.luc, year=2026, amount="15",
               replace=True)
    rows = entries(db, member_id=shop.luc)
    assert rows[-1].kind is EntryKind.REVERSAL and rows[-1].reverses_id == rows[1].id
    assert balance(db, shop.luc, max(DAY, dt.date.today())) == Decimal("15.00")
    assert ledger.sync_ledger(db=db, actor=TREASURER, today=DAY).entries == 0


def test_an_invoice_to_the_co_op_and_its_credit_note_land_on_the_producer(
        demo_db_copy: Database) -> None:
    producer = producer_id(demo_db_copy, regime=VatRegime.NORMAL, mandate=True)
    report = invoicing.issue_invoices(db=demo_db_copy, actor=LOCAL_ADMIN, period=NOVEMBER,
                                      producer_ids=[producer])
    [invoice] = report.invoices
    rows = entries(demo_db_copy, producer_id=producer)
    assert [(e.kind, e.amount, e.label) for e in rows] == [
        (EntryKind.INVOICE, -invoice.total_ttc, f"Facture {invoice.number}")]
    credit = invoicing.issue_credit_note(db=demo_db_copy, actor=LOCAL_ADMIN,
                                         number=invoice.number, reason="Pommes abîmées",
                                         lines={1: "0.5"})
    rows = entries(demo_db_copy, producer_id=producer)
    assert (rows[-1].kind, rows[-1].amount) == (EntryKind.CREDIT_NOTE, credit.row.total)
    [row] = [r for r in ledger.producer_balances(db=demo_db_copy, actor=LOCAL_ADMIN,
                                                 as_of=dt.date(2026, 12, 31))
             if r.producer_id == producer]
    assert row.balance == credit.row.total - invoice.total_ttc < 0  # what the co-op owes
    [due] = ledger.invoices_due(db=demo_db_copy, actor=LOCAL_ADMIN, producer_id=producer)
    assert due.remaining == invoice.total_ttc - credit.row.total
    assert ledger.sync_ledger(db=demo_db_copy, actor=TREASURER).entries == 0


# --- payments and corrections -----------------------------------------------------------------


def test_payment_refund_and_correction(db: Database, shop: Shop, distributed: int) -> None:
    paid = ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=shop.bruno, amount="20",
                                 means=PaymentMeans.CHEQUE, entry_date=dt.date(2026, 3, 5),
                                 reference="1234567")
    assert (paid.amount, paid.label, paid.reference) == (
        Decimal("-20.00"), "Règlement (Chèque)", "1234567")
    assert balance(db, shop.bruno) == Decimal("-8.66")  # 11,34 due, 20,00 paid
    assert ledger.format_balance(Decimal("-8.66")) == "crédit de 8,66\u00a0€"
    refund = ledger.record_refund(db=db, actor=LOCAL_ADMIN, member_id=shop.bruno,
                                  amount="8,66", means=PaymentMeans.CASH,
                                  entry_date=dt.date(2026, 3, 12))
    assert (refund.kind, refund.amount) == (EntryKind.REFUND, Decimal("8.66"))
    assert balance(db, shop.bruno) == 0
    with pytest.raises(ValidationError, match="Dites pourquoi") as error:
        ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="-2", label="  ",
                                 entry_date=DAY, member_id=shop.bruno)
    assert error.value.field == "label"
    adjusted = ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="-2",
                                        label="œufs cassés", entry_date=DAY,
                                        member_id=shop.bruno)
    assert (adjusted.amount, adjusted.label) == (Decimal("-2.00"), "Correction : œufs cassés")
    assert balance(db, shop.bruno) == Decimal("-2.00")
    with pytest.raises(ValidationError, match="0,00 € ne change rien"):
        ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="0", label="rien",
                                 entry_date=DAY, member_id=shop.bruno)
    with pytest.raises(ValidationError, match="Le montant"):
        ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=shop.bruno, amount="0",
                              means=PaymentMeans.CASH, entry_date=DAY)


def test_a_payment_is_reversed_once_and_an_order_never(db: Database, shop: Shop,
                                                       distributed: int) -> None:
    paid = ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=shop.marie,
                                 amount="7,56", means=PaymentMeans.TRANSFER,
                                 entry_date=dt.date(2026, 3, 9), reference="ADH-0001")
    assert balance(db, shop.marie) == 0
    with pytest.raises(ValidationError, match="Dites pourquoi"):
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=paid.id, reason=" ")
    # Dated the day it is made, and never before the payment it cancels.
    reversal = ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=paid.id,
                                    reason="virement rejeté", entry_date=dt.date(2026, 3, 1))
    assert (reversal.kind, reversal.amount, reversal.reverses_id, reversal.entry_date) == (
        EntryKind.REVERSAL, Decimal("7.56"), paid.id, dt.date(2026, 3, 9))
    assert reversal.label == "Annulation : Règlement (Virement) (virement rejeté)"
    assert balance(db, shop.marie) == Decimal("7.56")
    with pytest.raises(ValidationError, match="est déjà annulée"):
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=paid.id, reason="encore")
    with pytest.raises(ValidationError, match="ne s'annule pas"):
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=reversal.id, reason="oups")
    [order_entry] = entries(db, member_id=shop.marie, kind=EntryKind.ORDER)
    with pytest.raises(ValidationError) as refused:
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=order_entry.id, reason="non")
    assert str(refused.value) == (
        "« Commande du 05/03/2026 — Nord » suit sa source : corrigez la livraison, le "
        "contrat, la cotisation ou établissez un avoir, le grand livre suivra.")
    with pytest.raises(NotFound, match="Écriture n° 999 introuvable"):
        ledger.reverse_entry(db=db, actor=LOCAL_ADMIN, entry_id=999, reason="non")
    listed = ledger.list_entries(db=db, actor=LOCAL_ADMIN, means=[PaymentMeans.TRANSFER])
    assert [(row.id, row.reversed_by_id) for row in listed] == [
        (paid.id, reversal.id), (reversal.id, None)]


def test_the_balance_is_the_sum_of_the_entries(db: Database, shop: Shop,
                                               distributed: int) -> None:
    ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=shop.luc, amount="10",
                          means=PaymentMeans.CASH, entry_date=THURSDAY)
    ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="1,25", label="sac oublié",
                             entry_date=THURSDAY, member_id=shop.luc)
    rows = {row.member_id: row for row in ledger.member_balances(db=db, actor=LOCAL_ADMIN,
                                                                  as_of=DAY)}
    with db.reading() as s:
        sums = {member_id: count for member_id, count in s.execute(
            select(LedgerEntry.member_id, func.count()).group_by(LedgerEntry.member_id))}
    for member_id, row in rows.items():
        amounts = [e.amount for e in entries(db, member_id=member_id)]
        assert len(amounts) == sums.get(member_id, 0)
        assert row.balance == sum(amounts, Decimal("0.00"))
        assert row.due - row.paid == row.balance
    assert rows[shop.luc].balance == Decimal("3.78") - 10 + Decimal("1.25")
    assert rows[shop.luc].last_payment == THURSDAY
    # By name the French way; only the open balances when asked, of one point when asked.
    names = [row.name for row in ledger.member_balances(db=db, actor=LOCAL_ADMIN, as_of=DAY)]
    assert names == ["BERNARD Luc", "DUPONT Marie", "ÉLUARD Anna", "ROUX Bruno"]
    assert [row.name for row in ledger.member_balances(
        db=db, actor=LOCAL_ADMIN, as_of=DAY, only_open=True, point_id=shop.nord)] == [
        "BERNARD Luc", "DUPONT Marie"]


def test_the_base_refuses_to_change_or_delete_an_entry(db: Database, shop: Shop,
                                                       distributed: int) -> None:
    [entry] = entries(db, member_id=shop.marie)
    with pytest.raises(DBAPIError), db.transaction() as s:
        s.execute(update(LedgerEntry).where(LedgerEntry.id == entry.id)
                  .values(label="réécrit"))
    with pytest.raises(DBAPIError), db.transaction() as s:
        s.execute(delete(LedgerEntry).where(LedgerEntry.id == entry.id))
    assert [(e.id, e.label) for e in entries(db, member_id=shop.marie)] == [
        (entry.id, "Commande du 05/03/2026 — Nord")]


# --- who may -----------------------------------------------------------------------------------


def test_a_coordinator_takes_payments_at_its_own_points_only(db: Database, shop: Shop,
                                                             distributed: int) -> None:
    sud = Actor(name="Coordinatrice Sud", role=Role.COORDINATOR, point_ids=frozenset({shop.sud}))
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        ledger.record_payment(db=db, actor=sud, member_id=shop.marie, amount="7,56",
                              means=PaymentMeans.CASH, entry_date=THURSDAY)
    taken = ledger.record_payment(db=db, actor=sud, member_id=shop.bruno, amount="11,34",
                                  means=PaymentMeans.CASH, entry_date=THURSDAY)
    assert taken.created_by == "Coordinatrice Sud"
    assert [row.name for row in ledger.member_balances(db=db, actor=sud, as_of=DAY)] == [
        "ROUX Bruno"]
    with pytest.raises(PermissionDenied):
        ledger.reverse_entry(db=db, actor=sud, entry_id=taken.id, reason="erreur")
    with pytest.raises(PermissionDenied):
        ledger.sync_ledger(db=db, actor=sud)
    with pytest.raises(PermissionDenied):
        ledger.record_adjustment(db=db, actor=sud, amount="1", label="x", entry_date=DAY,
                                 member_id=shop.bruno)
