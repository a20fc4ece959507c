"""The ledger: every amount due and every payment, by household and by producer.

Balances are never stored: they are the sum of an account's entries (see
coopfood.domain.treasury for the sign). Entries are never edited nor deleted
(the base's triggers refuse it too); a mistake is put right by a new entry:
a correction (`record_adjustment`) or the cancellation of a payment
(`reverse_entry`).

Amounts due follow their source. `sync_ledger` compares what each source
says is due with what the ledger already holds and posts the difference:

* a distribution that took place: per household, its delivered à-la-carte
  lines at the member's price (subscription baskets are paid by contract);
* an AMAP contract: its planned deliveries × the basket price, in one
  instalment per cheque month;
* a yearly membership fee (and its payment, when the fee says it was paid);
* a producer's invoice or credit note to the co-op, on the producer's account.

So a delivered quantity keyed again, a contract changed or a credit note
issued shows on the statement as a new line dated the day it was made,
never as a rewritten one. Services that change a source call the matching
`sync_*` in their own transaction; `sync_ledger` catches up on everything
(after an import, on a base made before the ledger existed).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from typing import Any, Protocol, cast

from sqlalchemy import ColumnElement, Select, Table, and_, case, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from coopfood.domain.enums import CycleState, Frequency, InvoiceBuyer
from coopfood.domain.invoicing import InvoiceKind
from coopfood.domain.money import ZERO, round_cents
from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.i18n import _, current_locale, format_date, format_money, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Contract,
    Cycle,
    DistributionPoint,
    Invoice,
    LedgerEntry,
    Member,
    MembershipFee,
    Order,
    OrderLine,
    Producer,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, line_amount_cents, raw, sum_cents
from coopfood.services import Actor, NotFound, Role, ValidationError, audit
from coopfood.services import validation as check
from coopfood.services.access import require, require_point

#: Who keeps the books: every entry, every account.
TREASURERS = frozenset({Role.ADMIN, Role.TREASURER})
#: Who may take a household's payment at a distribution (cash, cheque, card…).
PAYMENT_TAKERS = frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR})
#: Entries that follow a source and are put right through it, never by hand.
DERIVED_KINDS = frozenset({EntryKind.ORDER, EntryKind.CONTRACT, EntryKind.FEE,
                           EntryKind.INVOICE, EntryKind.CREDIT_NOTE})
#: Entries a household's payments settle (used by the matching and the statements).
MEMBER_PAYMENT_KINDS = frozenset({EntryKind.PAYMENT})


@dataclass(frozen=True)
class EntryRow:
    id: int
    entry_date: dt.date
    kind: EntryKind
    member_id: int | None
    producer_id: int | None
    #: The household's or the producer's name.
    account_name: str
    amount: Decimal
    label: str
    means: PaymentMeans | None
    reference: str
    cycle_id: int | None
    invoice_id: int | None
    cheque_id: int | None
    reverses_id: int | None
    #: Set when a later entry cancels this one.
    reversed_by_id: int | None
    created_by: str
    #: The membership fee a fee or its payment follows.
    fee_id: int | None = None

    @property
    def follows_source(self) -> bool:
        """Put right through its source (a delivery, a contract, a fee, an invoice), never
        cancelled by hand."""
        return self.kind in DERIVED_KINDS or (self.kind is EntryKind.PAYMENT
                                              and self.fee_id is not None)


@dataclass(frozen=True)
class Movement:
    """A line of an account's statement, with the balance after it."""

    entry: EntryRow
    balance: Decimal


@dataclass(frozen=True)
class AccountStatement:
    member_id: int | None
    producer_id: int | None
    name: str
    date_from: dt.date | None
    date_to: dt.date
    opening_balance: Decimal
    movements: tuple[Movement, ...]
    closing_balance: Decimal

    @property
    def total_due(self) -> Decimal:
        return sum((m.entry.amount for m in self.movements if m.entry.amount > 0), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return -sum((m.entry.amount for m in self.movements if m.entry.amount < 0), ZERO)


@dataclass(frozen=True)
class BalanceRow:
    member_id: int | None
    producer_id: int | None
    name: str
    #: The household's payment reference, or the producer's invoice prefix.
    reference: str
    point_name: str
    #: What was due (> 0 entries) and paid (< 0 entries, as a positive amount).
    due: Decimal
    paid: Decimal
    #: due − paid: > 0 the household still owes; for a producer < 0 the co-op owes.
    balance: Decimal
    last_payment: dt.date | None


@dataclass(frozen=True)
class SyncReport:
    entries: int
    total: Decimal

    @property
    def summary(self) -> str:
        if not self.entries:
            return _("Le grand livre était à jour.")
        return _("{n} écriture(s) passée(s) au grand livre.").format(n=self.entries)


# --- posting ----------------------------------------------------------------------------------


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def post(session: Session, actor: Actor, *, kind: EntryKind, amount: Decimal, label: str,
         entry_date: dt.date, member_id: int | None = None, producer_id: int | None = None,
         means: PaymentMeans | None = None, reference: str = "", cycle_id: int | None = None,
         point_id: int | None = None, contract_id: int | None = None,
         invoice_id: int | None = None, fee_id: int | None = None,
         cheque_id: int | None = None, payout_batch_id: int | None = None,
         reverses_id: int | None = None) -> LedgerEntry:
    """Add one entry in the caller's transaction (the amount rounded to the cent)."""
    entry = LedgerEntry(**entry_values(
        actor, kind=kind, amount=amount, label=label, entry_date=entry_date,
        member_id=member_id, producer_id=producer_id, means=means, reference=reference,
        cycle_id=cycle_id, point_id=point_id, contract_id=contract_id, invoice_id=invoice_id,
        fee_id=fee_id, cheque_id=cheque_id, payout_batch_id=payout_batch_id,
        reverses_id=reverses_id, created_at=now()))
    session.add(entry)
    session.flush()
    return entry


def entry_values(actor: Actor, *, kind: EntryKind, amount: Decimal, label: str,
                 entry_date: dt.date, created_at: dt.datetime, member_id: int | None = None,
                 producer_id: int | None = None, means: PaymentMeans | None = None,
                 reference: str = "", cycle_id: int | None = None,
                 point_id: int | None = None, contract_id: int | None = None,
                 invoice_id: int | None = None, fee_id: int | None = None,
                 cheque_id: int | None = None, payout_batch_id: int | None = None,
                 reverses_id: int | None = None) -> dict[str, Any]:
    """The columns of an entry, every one of them (a bulk insert wants the same keys): for
    code that writes many entries at once with `post_many`."""
    return {
        "kind": kind, "amount": round_cents(amount), "label": label[:300],
        "entry_date": entry_date, "member_id": member_id, "producer_id": producer_id,
        "means": means, "reference": reference[:80], "cycle_id": cycle_id,
        "point_id": point_id, "contract_id": contract_id, "invoice_id": invoice_id,
        "fee_id": fee_id, "cheque_id": cheque_id, "payout_batch_id": payout_batch_id,
        "reverses_id": reverses_id, "created_at": created_at, "created_by": actor.name,
    }


def post_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Add entries made by `entry_values` in one statement (catching up on a whole base
    posts a hundred thousand of them: one flush each would take minutes)."""
    return bulk_insert(session, cast(Table, LedgerEntry.__table__), rows)


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert rows that all name the same columns, in one `executemany`.

    Each value goes through its column type's own conversion (cents, enums, dates),
    as with `session.execute(insert(table), rows)`, without the bookkeeping that
    SQLAlchemy does row by row, which costs more than the database's own work on a
    hundred thousand rows.
    """
    if not rows:
        return 0
    session.flush()
    connection = session.connection()
    dialect = connection.dialect
    keys = list(rows[0])
    compiled = insert(table).compile(dialect=dialect, column_keys=keys)
    names = list(compiled.positiontup or ()) if compiled.positional else keys
    # Only some columns convert (amounts, enums, dates, moments); their values repeat a
    # lot (a distribution's date, the moment of the catch-up): each is converted once.
    converters: list[tuple[int, Callable[[Any], Any], dict[Any, Any]]] = []
    for position, name in enumerate(names):
        process = compiled.binds[name].type.bind_processor(dialect)
        if process is not None:
            converters.append((position, process, {}))
    values_of = itemgetter(*names)
    converted: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(values_of(row)) if len(names) > 1 else [row[names[0]]]
        for position, convert, seen in converters:
            value = values[position]
            if value is None:
                continue
            try:
                values[position] = seen[value]
            except KeyError:
                values[position] = seen[value] = convert(value)
            except TypeError:  # a value that is no key (a JSON list): converted each time
                values[position] = convert(value)
        converted.append(tuple(values))
    if dialect.name == "postgresql" and dialect.driver == "psycopg":
        # COPY: an executemany of a hundred thousand rows costs PostgreSQL seconds of
        # round trips and statement work that COPY does not.
        quote = dialect.identifier_preparer
        columns = ", ".join(quote.quote(name) for name in names)
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            with cursor.copy(f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
                             ) as copy:
                for copied in converted:
                    # psycopg adapts JSON itself on an INSERT (no bind processor), not
                    # in COPY: the trail's before/after go as JSON text.
                    copy.write_row(tuple(json.dumps(value) if isinstance(value, dict | list)
                                         else value for value in copied))
        finally:
            cursor.close()
    else:
        params: list[Any] = (list(converted) if compiled.positional else
                             [dict(zip(names, one, strict=True)) for one in converted])
        connection.exec_driver_sql(compiled.string, params)
    return len(rows)


def _correction_date(source_date: dt.date, today: dt.date) -> dt.date:
    """A correction is dated the day it is made, never before its source."""
    return max(source_date, today)


def _raw_amount() -> ColumnElement[int]:
    return raw(LedgerEntry.amount)


# --- distributions -------------------------------------------------------------------------


def _cycle_label(cycle: Cycle, point_name: str) -> str:
    return _order_label(cycle.distribution_date, point_name, current_locale())


# Formatting a date a hundred thousand times costs seconds: the labels are kept, per
# language (the window may switch it).
@lru_cache(maxsize=4096)
def _order_label(day: dt.date, point_name: str, _language: str) -> str:
    return _("Commande du {date} — {point}").format(date=format_date(day, style="short"),
                                                    point=point_name)


def _instalment_label(basket: str, month: str) -> str:
    return _cached_instalment_label(basket, month, current_locale())


@lru_cache(maxsize=4096)
def _cached_instalment_label(basket: str, month: str, _language: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return _("Contrat « {basket} », échéance : {month}").format(
        basket=basket, month=format_date(dt.date(year, number, 1), style="MMMM yyyy"))


def _cycles_due(session: Session, cycle_ids: Sequence[int] | None
                ) -> dict[int, dict[int, tuple[int, Decimal]]]:
    """Per distribution that took place, per household: (point, delivered à la carte)."""
    amount = sum_cents(line_amount_cents(OrderLine.member_unit_price,
                                         OrderLine.quantity_delivered))
    lines = and_(OrderLine.contract_id.is_(None), OrderLine.quantity_delivered.is_not(None))
    query: Select[int, int, int, int]
    if cycle_ids is not None:
        query = (select(Order.cycle_id, Order.member_id, Order.point_id, amount)
                 .join(OrderLine, OrderLine.order_id == Order.id)
                 .where(Order.cycle_id.in_(list(cycle_ids)), lines)
                 .group_by(Order.cycle_id, Order.member_id, Order.point_id))
    elif session.get_bind().dialect.name == "sqlite":
        # Every distribution (a million lines in a large co-op's year): grouping the join
        # by household sorts them all; SQLite sums each order's lines through its index.
        query = select(Order.cycle_id, Order.member_id, Order.point_id, (
            select(amount).where(OrderLine.order_id == Order.id, lines).scalar_subquery()))
    else:
        # PostgreSQL may plan that subquery as a walk of every line per order: the lines
        # are summed per order in one pass first, then named.
        per_order = (select(OrderLine.order_id.label("order_id"), amount.label("cents"))
                     .where(lines).group_by(OrderLine.order_id).subquery())
        query = (select(Order.cycle_id, Order.member_id, Order.point_id, per_order.c.cents)
                 .join(per_order, per_order.c.order_id == Order.id))
    due: dict[int, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for cycle_id, member_id, point_id, cents in session.execute(query):
        if cents is not None:  # (an order with no delivered line à la carte owes nothing)
            due[cycle_id][member_id] = (point_id, cents_to_money(cents))
    return due


def _cycles_posted(session: Session, cycle_ids: Sequence[int] | None
                   ) -> dict[int, dict[int, tuple[int | None, Decimal]]]:
    """Per distribution, per household: (point, amount) of the order entries posted."""
    query = (select(LedgerEntry.cycle_id, LedgerEntry.member_id, func.max(LedgerEntry.point_id),
                    sum_cents(_raw_amount()))
             .where(LedgerEntry.kind == EntryKind.ORDER, LedgerEntry.cycle_id.is_not(None),
                    LedgerEntry.member_id.is_not(None))
             .group_by(LedgerEntry.cycle_id, LedgerEntry.member_id))
    if cycle_ids is not None:
        query = query.where(LedgerEntry.cycle_id.in_(list(cycle_ids)))
    posted: dict[int, dict[int, tuple[int | None, Decimal]]] = defaultdict(dict)
    for cycle_id, member_id, point_id, cents in session.execute(query):
        if cycle_id is not None and member_id is not None:  # (the query keeps no other)
            posted[cycle_id][member_id] = (point_id, cents_to_money(cents))
    return posted


def _cycle_rows(actor: Actor, cycle: Cycle, due: dict[int, tuple[int, Decimal]],
                posted: dict[int, tuple[int | None, Decimal]], points: dict[int, str],
                day: dt.date, moment: dt.datetime) -> list[dict[str, Any]]:
    rows = []
    for member_id in sorted(set(due) | set(posted)):
        point_id: int | None = None
        amount = ZERO
        if member_id in due:
            point_id, amount = due[member_id]
        before_point, before = posted.get(member_id, (None, ZERO))
        difference = amount - before
        if not difference:
            continue
        if point_id is None:
            point_id = before_point
        label = _cycle_label(cycle, points.get(point_id, "") if point_id is not None else "")
        first = member_id not in posted
        rows.append(entry_values(
            actor, kind=EntryKind.ORDER, amount=difference,
            label=label if first else _("Correction — {label}").format(label=label),
            entry_date=(cycle.distribution_date if first
                        else _correction_date(cycle.distribution_date, day)),
            member_id=member_id, cycle_id=cycle.id, point_id=point_id, created_at=moment))
    return rows


def _point_names(session: Session) -> dict[int, str]:
    return {pid: name for pid, name in session.execute(
        select(DistributionPoint.id, DistributionPoint.name))}


def sync_cycle(session: Session, actor: Actor, cycle_id: int, *,
               today: dt.date | None = None) -> int:
    """Post what each household owes for a distribution that took place, or the change
    since it was last posted. Returns the number of entries added."""
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or cycle.state not in (CycleState.DISTRIBUTED, CycleState.INVOICED):
        return 0
    session.flush()
    rows = _cycle_rows(actor, cycle, _cycles_due(session, [cycle_id]).get(cycle_id, {}),
                       _cycles_posted(session, [cycle_id]).get(cycle_id, {}),
                       _point_names(session), today or dt.date.today(), now())
    return post_many(session, rows)


# --- contracts -----------------------------------------------------------------------------


class ContractTerms(Protocol):
    """What a contract's schedule depends on: a `Contract`, or its columns read at once."""

    @property
    def id(self) -> int: ...
    @property
    def member_id(self) -> int: ...
    @property
    def point_id(self) -> int: ...
    @property
    def season_start(self) -> dt.date: ...
    @property
    def season_end(self) -> dt.date: ...
    @property
    def frequency(self) -> Frequency: ...
    @property
    def fortnight_offset(self) -> int: ...
    @property
    def price_per_basket(self) -> Decimal: ...
    @property
    def cheque_months(self) -> list[str]: ...
    @property
    def archived_at(self) -> dt.datetime | None: ...


@dataclass(frozen=True)
class _Terms:
    id: int
    member_id: int
    point_id: int
    season_start: dt.date
    season_end: dt.date
    frequency: Frequency
    fortnight_offset: int
    price_per_basket: Decimal
    cheque_months: list[str]
    archived_at: dt.datetime | None


def planned_deliveries(contract: ContractTerms, weekday: int) -> int:
    """How many baskets the contract plans: the point's distribution days in the season,
    every week or every other week (from its week A or B), as the paper contract says."""
    first = contract.season_start + dt.timedelta(days=(weekday - contract.season_start.weekday())
                                                 % 7)
    days = 0 if first > contract.season_end else (contract.season_end - first).days // 7 + 1
    if contract.frequency is Frequency.FORTNIGHTLY:
        days = max(0, days - contract.fortnight_offset)
        return (days + 1) // 2
    return days


def contract_instalments(contract: ContractTerms, weekday: int
                         ) -> list[tuple[str, dt.date, Decimal]]:
    """(month "YYYY-MM", date due, amount) of each instalment; they add up to the total."""
    total = round_cents(contract.price_per_basket * planned_deliveries(contract, weekday))
    # A month named twice is one instalment: two would be merged on the account and the
    # cent spread over them lost.
    months = sorted(set(contract.cheque_months)) or [contract.season_start.strftime("%Y-%m")]
    count = len(months)
    cents = int(total * 100)
    base, extra = divmod(cents, count)
    result = []
    for index, month in enumerate(months):
        year, number = (int(part) for part in month.split("-"))
        amount = Decimal(base + (1 if index < extra else 0)) / 100
        result.append((month, max(dt.date(year, number, 1), contract.season_start),
                       round_cents(amount)))
    return result


def _contract_rows(actor: Actor, contract: ContractTerms, basket: str, weekday: int,
                   posted: dict[str, Decimal], has_entries: bool, day: dt.date,
                   moment: dt.datetime) -> list[dict[str, Any]]:
    wanted = ({} if contract.archived_at is not None and not has_entries
              else {month: (when, amount)
                    for month, when, amount in contract_instalments(contract, weekday)})
    rows = []
    for month in sorted(set(wanted) | set(posted)):
        when, amount = wanted.get(month, (day, ZERO))
        difference = amount - posted.get(month, ZERO)
        if not difference:
            continue
        label = _instalment_label(basket, month)
        first = month not in posted
        rows.append(entry_values(
            actor, kind=EntryKind.CONTRACT, amount=difference,
            label=label if first else _("Correction — {label}").format(label=label),
            entry_date=when if first else _correction_date(when, day),
            member_id=contract.member_id, contract_id=contract.id,
            point_id=contract.point_id, reference=month, created_at=moment))
    return rows


def _contracts_posted(session: Session, contract_ids: Sequence[int] | None
                      ) -> tuple[dict[int, dict[str, Decimal]], set[int]]:
    """Per contract, its instalments posted by month; and the contracts with any entry."""
    query = (select(LedgerEntry.contract_id, LedgerEntry.kind, LedgerEntry.reference,
                    sum_cents(_raw_amount()))
             .where(LedgerEntry.contract_id.is_not(None))
             .group_by(LedgerEntry.contract_id, LedgerEntry.kind, LedgerEntry.reference))
    if contract_ids is not None:
        query = query.where(LedgerEntry.contract_id.in_(list(contract_ids)))
    posted: dict[int, dict[str, Decimal]] = defaultdict(dict)
    touched: set[int] = set()
    for contract_id, kind, reference, cents in session.execute(query):
        if contract_id is None:
            continue
        touched.add(contract_id)
        if kind is EntryKind.CONTRACT:
            posted[contract_id][reference] = cents_to_money(cents)
    return posted, touched


def _contracts(session: Session, contract_ids: Sequence[int] | None
               ) -> list[tuple[ContractTerms, str, int]]:
    # The columns, not the ORM objects: the whole base's contracts load several times faster.
    query = (select(Contract.id, Contract.member_id, Contract.point_id, Contract.season_start,
                    Contract.season_end, Contract.frequency, Contract.fortnight_offset,
                    Contract.price_per_basket, Contract.cheque_months, Contract.archived_at,
                    BasketType.name, DistributionPoint.weekday)
             .join(BasketType, BasketType.id == Contract.basket_type_id)
             .join(DistributionPoint, DistributionPoint.id == Contract.point_id, isouter=True)
             .order_by(Contract.id))
    if contract_ids is not None:
        query = query.where(Contract.id.in_(list(contract_ids)))
    return [(_Terms(*row[:10]), row[10], row[11] or 0) for row in session.execute(query)]


def sync_contract(session: Session, actor: Actor, contract_id: int, *,
                  today: dt.date | None = None) -> int:
    """Post a contract's instalments on its household's account, or their change."""
    session.flush()
    found = _contracts(session, [contract_id])
    if not found:
        return 0
    contract, basket, weekday = found[0]
    posted, touched = _contracts_posted(session, [contract_id])
    return post_many(session, _contract_rows(
        actor, contract, basket, weekday, posted.get(contract_id, {}), contract_id in touched,
        today or dt.date.today(), now()))


# --- membership fees -----------------------------------------------------------------------


@dataclass(frozen=True)
class _FeeEntry:
    id: int
    kind: EntryKind
    amount: Decimal
    reversed: bool


def _fee_entries(session: Session, fee_ids: Sequence[int] | None
                 ) -> dict[int, list[_FeeEntry]]:
    reversal = aliased(LedgerEntry)
    query = (select(LedgerEntry.fee_id, LedgerEntry.id, LedgerEntry.kind, LedgerEntry.amount,
                    exists().where(reversal.reverses_id == LedgerEntry.id))
             .where(LedgerEntry.fee_id.is_not(None)).order_by(LedgerEntry.id))
    if fee_ids is not None:
        query = query.where(LedgerEntry.fee_id.in_(list(fee_ids)))
    entries: dict[int, list[_FeeEntry]] = defaultdict(list)
    for fee_id, entry_id, kind, amount, was_reversed in session.execute(query):
        if fee_id is not None:
            entries[fee_id].append(_FeeEntry(entry_id, kind, amount, bool(was_reversed)))
    return entries


def _fee_rows(actor: Actor, fee: MembershipFee, entries: Sequence[_FeeEntry], day: dt.date,
              moment: dt.datetime) -> tuple[list[dict[str, Any]], list[int]]:
    """The entries to add for a fee, and the payments of it to cancel (a fee marked
    unpaid again: its payment is reversed, never posted as a payment of the opposite)."""
    rows = []
    due_posted = sum((e.amount for e in entries if e.kind is EntryKind.FEE), ZERO)
    label = _("Cotisation {year}").format(year=fee.year)
    when = fee.paid_on or min(max(dt.date(fee.year, 1, 1), day), dt.date(fee.year, 12, 31))
    if fee.amount != due_posted:
        first = not any(e.kind is EntryKind.FEE for e in entries)
        rows.append(entry_values(
            actor, kind=EntryKind.FEE, amount=fee.amount - due_posted,
            label=label if first else _("Correction — {label}").format(label=label),
            entry_date=when if first else _correction_date(when, day),
            member_id=fee.member_id, fee_id=fee.id, created_at=moment))
    live = [e for e in entries if e.kind is EntryKind.PAYMENT and not e.reversed]
    paid_posted = -sum((e.amount for e in live), ZERO)
    paid = fee.amount if fee.paid_on is not None else ZERO
    cancelled: list[int] = []
    if paid < paid_posted:
        cancelled = [e.id for e in live]
        paid_posted = ZERO
    if paid > paid_posted:
        rows.append(entry_values(
            actor, kind=EntryKind.PAYMENT, amount=-(paid - paid_posted),
            label=_("Règlement — {label}").format(label=label),
            entry_date=fee.paid_on or day, member_id=fee.member_id, fee_id=fee.id,
            created_at=moment))
    return rows, cancelled


def _apply_fee(session: Session, actor: Actor, fee: MembershipFee,
               entries: Sequence[_FeeEntry], day: dt.date, moment: dt.datetime) -> int:
    rows, cancelled = _fee_rows(actor, fee, entries, day, moment)
    for entry_id in cancelled:
        _cancel_fee_payment(session, actor, entry_id, fee, day)
    return post_many(session, rows) + len(cancelled)


def _cancel_fee_payment(session: Session, actor: Actor, entry_id: int, fee: MembershipFee,
                        day: dt.date) -> None:
    entry = session.get(LedgerEntry, entry_id)
    assert entry is not None
    _post_reversal(session, actor, entry, entry_date=day,
                   reason=_("cotisation {year} marquée non payée").format(year=fee.year))


def sync_fee(session: Session, actor: Actor, fee_id: int, *,
             today: dt.date | None = None) -> int:
    """Post a membership fee (and the payment its `paid_on` records), or their change."""
    session.flush()
    fee = session.get(MembershipFee, fee_id)
    if fee is None:
        return 0
    return _apply_fee(session, actor, fee, _fee_entries(session, [fee_id]).get(fee_id, []),
                      today or dt.date.today(), now())


def sync_fees(session: Session, actor: Actor, member_ids: Sequence[int], *,
              today: dt.date | None = None) -> int:
    """`sync_fee` for every fee of these households, in a few statements (an import of
    thousands of households must not pay a round trip per fee)."""
    session.flush()
    day, moment = today or dt.date.today(), now()
    rows: list[dict[str, Any]] = []
    added = 0
    for start in range(0, len(member_ids), 500):
        fees = session.scalars(select(MembershipFee).where(
            MembershipFee.member_id.in_(list(member_ids[start:start + 500])))
            .order_by(MembershipFee.id)).all()
        entries = _fee_entries(session, [fee.id for fee in fees])
        for fee in fees:
            fee_rows, to_cancel = _fee_rows(actor, fee, entries.get(fee.id, []), day, moment)
            rows += fee_rows
            for entry_id in to_cancel:
                _cancel_fee_payment(session, actor, entry_id, fee, day)
                added += 1
    return added + post_many(session, rows)


# --- producers' invoices -------------------------------------------------------------------

#: The entries that put an invoice or a credit note itself on the producer's account (a
#: payment of the invoice names it too).
_INVOICE_KINDS = (EntryKind.INVOICE, EntryKind.CREDIT_NOTE)


def sync_invoice(session: Session, actor: Actor, invoice_id: int) -> int:
    """Post a producer's invoice (or credit note) to the co-op on the producer's account.

    Invoices to households (direct sale) are between the producer and the household:
    the household's delivered order is already on its account.
    """
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.buyer is not InvoiceBuyer.COOP:
        return 0
    if session.scalar(select(func.count()).select_from(LedgerEntry)
                      .where(LedgerEntry.invoice_id == invoice_id,
                             LedgerEntry.kind.in_(_INVOICE_KINDS))):
        return 0  # an issued invoice never changes: posted once
    credit = invoice.kind is InvoiceKind.CREDIT_NOTE
    post(session, actor, kind=EntryKind.CREDIT_NOTE if credit else EntryKind.INVOICE,
         amount=invoice.total_ttc if credit else -invoice.total_ttc,
         label=(_("Avoir {number}") if credit else _("Facture {number}")).format(
             number=invoice.number),
         entry_date=invoice.issue_date, producer_id=invoice.producer_id,
         invoice_id=invoice_id, reference=invoice.number)
    return 1


# --- catching up ------------------------------------------------------------------------------


def sync_all(session: Session, actor: Actor, *, today: dt.date | None = None) -> SyncReport:
    """Bring the whole ledger up to date with its sources, in the caller's transaction.

    The same entries as `sync_cycle`, `sync_contract`, `sync_fee` and `sync_invoice`
    source by source, gathered in a few queries and written in one statement.
    """
    day = today or dt.date.today()
    moment = now()
    session.flush()
    rows: list[dict[str, Any]] = []
    cycles = session.scalars(select(Cycle).where(
        Cycle.state.in_((CycleState.DISTRIBUTED, CycleState.INVOICED)))
        .order_by(Cycle.distribution_date, Cycle.id)).all()
    if cycles:
        due, posted = _cycles_due(session, None), _cycles_posted(session, None)
        points = _point_names(session)
        for cycle in cycles:
            rows += _cycle_rows(actor, cycle, due.get(cycle.id, {}), posted.get(cycle.id, {}),
                                points, day, moment)
    contract_posted, touched = _contracts_posted(session, None)
    for contract, basket, weekday in _contracts(session, None):
        rows += _contract_rows(actor, contract, basket, weekday,
                               contract_posted.get(contract.id, {}), contract.id in touched,
                               day, moment)
    fee_entries = _fee_entries(session, None)
    cancelled = 0
    for fee in session.scalars(select(MembershipFee).order_by(MembershipFee.id)):
        fee_rows, to_cancel = _fee_rows(actor, fee, fee_entries.get(fee.id, []), day, moment)
        rows += fee_rows
        for entry_id in to_cancel:
            _cancel_fee_payment(session, actor, entry_id, fee, day)
            cancelled += 1
    added = post_many(session, rows) + cancelled
    total = sum((row["amount"] for row in rows), ZERO)
    posted_invoices = select(LedgerEntry.invoice_id).where(
        LedgerEntry.invoice_id.is_not(None), LedgerEntry.kind.in_(_INVOICE_KINDS))
    for invoice_id in session.scalars(select(Invoice.id).where(
            Invoice.buyer == InvoiceBuyer.COOP, Invoice.id.not_in(posted_invoices))
            .order_by(Invoice.id)):
        added += sync_invoice(session, actor, invoice_id)
    return SyncReport(entries=added, total=total)


def sync_ledger(*, db: Database, actor: Actor, today: dt.date | None = None) -> SyncReport:
    """Catch the ledger up with distributions, contracts, fees and invoices."""
    require(actor, TREASURERS, _("mettre à jour le grand livre"))
    with db.transaction() as session:
        return sync_all(session, actor, today=today)


# --- payments and corrections ---------------------------------------------------------------


def _member(session: Session, actor: Actor, member_id: int, what: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Foyer n° {id} introuvable.").format(id=member_id))
    require_point(actor, member.point_id, what)
    return member


def _producer(session: Session, producer_id: int) -> Producer:
    producer = session.get(Producer, producer_id)
    if producer is None:
        raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
    return producer


def checked_amount(amount: Decimal | str, *, field: str = "amount",
                   label: str | None = None) -> Decimal:
    """A positive amount to the cent, or a French message naming what is wrong."""
    return check.price(amount, field=field, label=label or _("Le montant"))


def record_payment(*, db: Database, actor: Actor, member_id: int, amount: Decimal | str,
                   means: PaymentMeans, entry_date: dt.date, reference: str = "",
                   label: str = "", cycle_id: int | None = None,
                   point_id: int | None = None) -> EntryRow:
    """A household paid the co-op (at a distribution, by transfer…)."""
    require(actor, PAYMENT_TAKERS, _("enregistrer un règlement"))
    value = checked_amount(amount)
    with db.transaction() as session:
        entry = record_payment_in(session, actor, member_id=member_id, amount=value,
                                  means=means, entry_date=entry_date, reference=reference,
                                  label=label, cycle_id=cycle_id, point_id=point_id)
        return _row(session, entry)


def record_payment_in(session: Session, actor: Actor, *, member_id: int, amount: Decimal,
                      means: PaymentMeans, entry_date: dt.date, reference: str = "",
                      label: str = "", cycle_id: int | None = None,
                      point_id: int | None = None, cheque_id: int | None = None) -> LedgerEntry:
    """`record_payment` in the caller's transaction (the bank matching, the cheques)."""
    member = _member(session, actor, member_id, _("enregistrer un règlement de ce foyer"))
    entry = post(session, actor, kind=EntryKind.PAYMENT, amount=-amount,
                 label=label or _("Règlement ({means})").format(means=means.label),
                 entry_date=entry_date, member_id=member_id, means=means,
                 reference=reference, cycle_id=cycle_id,
                 point_id=point_id if point_id is not None else member.point_id,
                 cheque_id=cheque_id)
    audit.record(session, actor=actor, entity="payment", entity_id=entry.id, action="create",
                 summary=_("{member} : règlement de {amount} ({means})").format(
                     member=member.display_name, amount=format_money(amount),
                     means=means.label),
                 after={"amount": amount, "means": means, "date": entry_date,
                        "reference": reference},
                 cycle_id=cycle_id, member_id=member_id, point_id=entry.point_id)
    return entry


def record_refund(*, db: Database, actor: Actor, member_id: int, amount: Decimal | str,
                  means: PaymentMeans, entry_date: dt.date, reference: str = "") -> EntryRow:
    """The co-op paid money back to a household (an overpayment, a cancelled order)."""
    require(actor, TREASURERS, _("rembourser un foyer"))
    value = checked_amount(amount)
    with db.transaction() as session:
        member = _member(session, actor, member_id, _("rembourser ce foyer"))
        entry = post(session, actor, kind=EntryKind.REFUND, amount=value,
                     label=_("Remboursement ({means})").format(means=means.label),
                     entry_date=entry_date, member_id=member_id, means=means,
                     reference=reference, point_id=member.point_id)
        audit.record(session, actor=actor, entity="payment", entity_id=entry.id,
                     action="refund", summary=_("{member} : remboursement de {amount}").format(
                         member=member.display_name, amount=format_money(value)),
                     after={"amount": value, "means": means, "date": entry_date},
                     member_id=member_id, point_id=member.point_id)
        return _row(session, entry)


def record_payout_in(session: Session, actor: Actor, *, producer_id: int, amount: Decimal,
                     means: PaymentMeans, entry_date: dt.date, reference: str = "",
                     invoice_id: int | None = None,
                     payout_batch_id: int | None = None) -> LedgerEntry:
    """The co-op paid a producer (in the caller's transaction)."""
    producer = _producer(session, producer_id)
    entry = post(session, actor, kind=EntryKind.PAYOUT, amount=amount,
                 label=(_("Paiement de la facture {number}").format(number=reference)
                        if invoice_id is not None and reference else
                        _("Paiement au producteur ({means})").format(means=means.label)),
                 entry_date=entry_date, producer_id=producer_id, means=means,
                 reference=reference, invoice_id=invoice_id, payout_batch_id=payout_batch_id)
    audit.record(session, actor=actor, entity="payment", entity_id=entry.id, action="payout",
                 summary=_("{producer} : paiement de {amount} ({means})").format(
                     producer=producer.name, amount=format_money(amount), means=means.label),
                 after={"amount": amount, "means": means, "date": entry_date,
                        "reference": reference})
    return entry


def record_payout(*, db: Database, actor: Actor, producer_id: int, amount: Decimal | str,
                  means: PaymentMeans, entry_date: dt.date, reference: str = "",
                  invoice_id: int | None = None) -> EntryRow:
    """The co-op paid a producer (by cheque, transfer…) outside a SEPA file."""
    require(actor, TREASURERS, _("payer un producteur"))
    value = checked_amount(amount)
    with db.transaction() as session:
        if invoice_id is not None:
            invoice = session.get(Invoice, invoice_id)
            if invoice is None or invoice.producer_id != producer_id:
                raise ValidationError(_("Cette facture n'est pas celle de ce producteur."),
                                      field="invoice_id")
            reference = reference or invoice.number
        entry = record_payout_in(session, actor, producer_id=producer_id, amount=value,
                                 means=means, entry_date=entry_date, reference=reference,
                                 invoice_id=invoice_id)
        return _row(session, entry)


def record_adjustment(*, db: Database, actor: Actor, amount: Decimal | str, label: str,
                      entry_date: dt.date, member_id: int | None = None,
                      producer_id: int | None = None) -> EntryRow:
    """A correction by hand, with its reason: > 0 adds to what the account owes the co-op."""
    require(actor, TREASURERS, _("passer une correction"))
    value = check.signed_money(amount, field="amount", label=_("Le montant"))
    if not value:
        raise ValidationError(_("Une correction de 0,00 € ne change rien."), field="amount")
    reason = label.strip()
    if not reason:
        raise ValidationError(_("Dites pourquoi vous passez cette correction : elle sera "
                                "imprimée sur le relevé."), field="label")
    if (member_id is None) == (producer_id is None):
        raise ValidationError(_("Une correction porte sur un foyer ou sur un producteur."))
    with db.transaction() as session:
        if member_id is not None:
            name = _member(session, actor, member_id, _("corriger ce compte")).display_name
        else:
            assert producer_id is not None
            name = _producer(session, producer_id).name
        entry = post(session, actor, kind=EntryKind.ADJUSTMENT, amount=value,
                     label=_("Correction : {reason}").format(reason=reason),
                     entry_date=entry_date, member_id=member_id, producer_id=producer_id)
        audit.record(session, actor=actor, entity="ledger", entity_id=entry.id,
                     action="adjust", summary=_("{name} : correction de {amount} ({reason})")
                     .format(name=name, amount=format_money(value), reason=reason),
                     after={"amount": value, "label": reason}, member_id=member_id)
        return _row(session, entry)


def reverse_entry(*, db: Database, actor: Actor, entry_id: int, reason: str,
                  entry_date: dt.date | None = None) -> EntryRow:
    """Cancel a payment, a refund, a payout or a correction by its exact opposite.

    Amounts due follow their source (a delivery, a contract, an invoice): they are
    put right there, not here.
    """
    require(actor, TREASURERS, _("annuler une écriture"))
    why = reason.strip()
    if not why:
        raise ValidationError(_("Dites pourquoi vous annulez cette écriture."), field="reason")
    with db.transaction() as session:
        return _row(session, reverse_in(session, actor, entry_id=entry_id, reason=why,
                                        entry_date=entry_date))


def reverse_in(session: Session, actor: Actor, *, entry_id: int, reason: str,
               entry_date: dt.date | None = None) -> LedgerEntry:
    entry = session.get(LedgerEntry, entry_id)
    if entry is None:
        raise NotFound(_("Écriture n° {id} introuvable.").format(id=entry_id))
    if entry.kind in DERIVED_KINDS:
        raise ValidationError(_(
            "« {label} » suit sa source : corrigez la livraison, le contrat, la cotisation "
            "ou établissez un avoir, le grand livre suivra.").format(label=entry.label))
    if entry.kind is EntryKind.PAYMENT and entry.fee_id is not None:
        # The fee says it is paid: cancelled here, the next catch-up would post it again.
        raise ValidationError(_(
            "« {label} » suit la cotisation : marquez-la non payée dans la fiche du foyer, le "
            "grand livre suivra.").format(label=entry.label))
    return _post_reversal(session, actor, entry, reason=reason, entry_date=entry_date)


def _post_reversal(session: Session, actor: Actor, entry: LedgerEntry, *, reason: str,
                   entry_date: dt.date | None) -> LedgerEntry:
    if entry.kind is EntryKind.REVERSAL:
        raise ValidationError(_("Une annulation ne s'annule pas : passez une correction."))
    if session.scalar(select(LedgerEntry.id).where(LedgerEntry.reverses_id == entry.id)):
        raise ValidationError(_("« {label} » est déjà annulée.").format(label=entry.label))
    # Never dated before what it cancels: the statement would show the balance wrong
    # between the two days. It names the same sources, so that what follows a fee, a
    # contract or a transfer batch sees the cancellation too.
    when = max(entry_date or dt.date.today(), entry.entry_date)
    reversal = post(session, actor, kind=EntryKind.REVERSAL, amount=-entry.amount,
                    label=_("Annulation : {label} ({reason})").format(label=entry.label,
                                                                     reason=reason),
                    entry_date=when, member_id=entry.member_id,
                    producer_id=entry.producer_id, means=entry.means,
                    reference=entry.reference, cycle_id=entry.cycle_id,
                    point_id=entry.point_id, contract_id=entry.contract_id,
                    invoice_id=entry.invoice_id, fee_id=entry.fee_id,
                    cheque_id=entry.cheque_id, payout_batch_id=entry.payout_batch_id,
                    reverses_id=entry.id)
    audit.record(session, actor=actor, entity="ledger", entity_id=entry.id, action="reverse",
                 summary=_("Annulation de « {label} » ({amount}) : {reason}").format(
                     label=entry.label, amount=format_money(entry.amount), reason=reason),
                 before={"amount": entry.amount}, after={"amount": ZERO},
                 member_id=entry.member_id, point_id=entry.point_id)
    return reversal


# --- reading -----------------------------------------------------------------------------------


def _names(session: Session, entries: Iterable[LedgerEntry]) -> dict[tuple[str, int], str]:
    entries = list(entries)
    member_ids = {e.member_id for e in entries if e.member_id is not None}
    producer_ids = {e.producer_id for e in entries if e.producer_id is not None}
    names: dict[tuple[str, int], str] = {}
    if member_ids:
        for mid, last, first in session.execute(
                select(Member.id, Member.last_name, Member.first_name)
                .where(Member.id.in_(member_ids))):
            names["m", mid] = household_name(last, first)
    if producer_ids:
        for pid, name in session.execute(select(Producer.id, Producer.name)
                                         .where(Producer.id.in_(producer_ids))):
            names["p", pid] = name
    return names


def _rows(session: Session, entries: Sequence[LedgerEntry]) -> list[EntryRow]:
    names = _names(session, entries)
    ids = [e.id for e in entries]
    reversed_by: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        reversed_by.update({
            reverses: rid for rid, reverses in session.execute(
                select(LedgerEntry.id, LedgerEntry.reverses_id)
                .where(LedgerEntry.reverses_id.in_(ids[start:start + 500])))
            if reverses is not None})
    return [EntryRow(
        id=e.id, entry_date=e.entry_date, kind=e.kind, member_id=e.member_id,
        producer_id=e.producer_id,
        account_name=(names.get(("m", e.member_id), "") if e.member_id is not None
                      else names.get(("p", e.producer_id or 0), "")),
        amount=e.amount, label=e.label, means=e.means, reference=e.reference,
        cycle_id=e.cycle_id, invoice_id=e.invoice_id, cheque_id=e.cheque_id,
        reverses_id=e.reverses_id, reversed_by_id=reversed_by.get(e.id),
        created_by=e.created_by, fee_id=e.fee_id) for e in entries]


def _row(session: Session, entry: LedgerEntry) -> EntryRow:
    return _rows(session, [entry])[0]


def account_statement(*, db: Database, actor: Actor, member_id: int | None = None,
                      producer_id: int | None = None, date_from: dt.date | None = None,
                      date_to: dt.date | None = None) -> AccountStatement:
    """An account's movements over a period, with the balance before, after each, and at
    the end. A household may be read by those who keep its point; a producer's account
    by the treasurer, or by the producer itself."""
    if (member_id is None) == (producer_id is None):
        raise ValidationError(_("Un relevé porte sur un foyer ou sur un producteur."))
    end = date_to or dt.date.today()
    if date_from is not None and date_from > end:
        raise ValidationError(_("La période du relevé commence le {start}, après sa fin le "
                                "{end} : corrigez les dates.").format(
            start=format_date(date_from), end=format_date(end)), field="date_from")
    with db.reading() as session:
        return statement_in(session, actor, member_id=member_id, producer_id=producer_id,
                            date_from=date_from, date_to=end)


def statement_in(session: Session, actor: Actor, *, member_id: int | None,
                 producer_id: int | None, date_from: dt.date | None,
                 date_to: dt.date) -> AccountStatement:
    if member_id is not None:
        require(actor, PAYMENT_TAKERS, _("consulter le compte d'un foyer"))
        name = _member(session, actor, member_id, _("consulter le compte de ce foyer")).display_name
        account = LedgerEntry.member_id == member_id
    else:
        assert producer_id is not None
        if not (actor.role in TREASURERS
                or (actor.role is Role.PRODUCER and actor.producer_id == producer_id)):
            require(actor, TREASURERS, _("consulter le compte d'un producteur"))
        name = _producer(session, producer_id).name
        account = LedgerEntry.producer_id == producer_id
    opening = ZERO
    if date_from is not None:
        opening = cents_to_money(session.scalar(
            select(sum_cents(_raw_amount())).where(account, LedgerEntry.entry_date < date_from)))
    query = select(LedgerEntry).where(account, LedgerEntry.entry_date <= date_to)
    if date_from is not None:
        query = query.where(LedgerEntry.entry_date >= date_from)
    entries = session.scalars(query.order_by(LedgerEntry.entry_date, LedgerEntry.id)).all()
    balance = opening
    movements = []
    for row in _rows(session, entries):
        balance += row.amount
        movements.append(Movement(entry=row, balance=balance))
    return AccountStatement(member_id=member_id, producer_id=producer_id, name=name,
                            date_from=date_from, date_to=date_to, opening_balance=opening,
                            movements=tuple(movements), closing_balance=balance)


def member_balances(*, db: Database, actor: Actor, as_of: dt.date | None = None,
                    point_id: int | None = None, only_open: bool = False) -> list[BalanceRow]:
    """Every household's balance on a day (today by default), by name."""
    require(actor, PAYMENT_TAKERS, _("consulter les soldes des foyers"))
    day = as_of or dt.date.today()
    query = (select(Member.id, Member.last_name, Member.first_name, Member.payment_reference,
                    DistributionPoint.name,
                    sum_cents(_raw_amount()),
                    func.coalesce(func.sum(case((_raw_amount() > 0, _raw_amount()),
                                                     else_=0)), 0),
                    func.max(case((LedgerEntry.kind == EntryKind.PAYMENT,
                                        LedgerEntry.entry_date), else_=None)))
             .join(LedgerEntry, and_(LedgerEntry.member_id == Member.id,
                                     LedgerEntry.entry_date <= day), isouter=True)
             .join(DistributionPoint, DistributionPoint.id == Member.point_id, isouter=True)
             .group_by(Member.id, Member.last_name, Member.first_name,
                       Member.payment_reference, DistributionPoint.name)
             .order_by(Member.last_name, Member.first_name, Member.id))
    if point_id is not None:
        query = query.where(Member.point_id == point_id)
    if actor.role is Role.COORDINATOR:
        query = query.where(Member.point_id.in_(actor.point_ids))
    with db.reading() as session:
        rows = []
        for mid, last, first, reference, point, total, due, last_payment in session.execute(
                query):
            balance, owed = cents_to_money(total), cents_to_money(due)
            if only_open and not balance:
                continue
            rows.append(BalanceRow(
                member_id=mid, producer_id=None, name=household_name(last, first),
                reference=reference, point_name=point or "", due=owed,
                paid=owed - balance, balance=balance, last_payment=last_payment))
        # By name as a French reader sorts (« ÉTIENNE » among the E, not after Z).
        rows.sort(key=lambda row: (sort_key(row.name), row.member_id or 0))
        return rows


def producer_balances(*, db: Database, actor: Actor,
                      as_of: dt.date | None = None) -> list[BalanceRow]:
    """Every producer's balance on a day: < 0 is what the co-op still owes it."""
    require(actor, TREASURERS, _("consulter les soldes des producteurs"))
    day = as_of or dt.date.today()
    query = (select(Producer.id, Producer.name, Producer.invoice_prefix,
                    sum_cents(_raw_amount()),
                    func.coalesce(func.sum(case((_raw_amount() < 0, _raw_amount()),
                                                     else_=0)), 0),
                    func.max(case((LedgerEntry.kind == EntryKind.PAYOUT,
                                        LedgerEntry.entry_date), else_=None)))
             .join(LedgerEntry, and_(LedgerEntry.producer_id == Producer.id,
                                     LedgerEntry.entry_date <= day), isouter=True)
             .group_by(Producer.id, Producer.name, Producer.invoice_prefix)
             .order_by(Producer.name, Producer.id))
    with db.reading() as session:
        rows = []
        for pid, name, prefix, total, invoiced, last_payment in session.execute(query):
            balance, owed = cents_to_money(total), -cents_to_money(invoiced)
            rows.append(BalanceRow(
                member_id=None, producer_id=pid, name=name, reference=prefix, point_name="",
                due=owed, paid=owed + balance, balance=balance, last_payment=last_payment))
        return rows


@dataclass(frozen=True)
class InvoiceDue:
    """A producer's invoice to the co-op and what remains to pay on it."""

    invoice_id: int
    number: str
    producer_id: int
    producer_name: str
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    #: Credit notes on it and payments made against it.
    credited: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.total - self.credited - self.paid

    @property
    def settled(self) -> bool:
        return self.remaining <= 0


def invoices_due(*, db: Database, actor: Actor, producer_id: int | None = None,
                 unpaid_only: bool = True) -> list[InvoiceDue]:
    """The co-op's invoices from producers with what is paid and what remains."""
    require(actor, TREASURERS, _("consulter les factures à payer"))
    with db.reading() as session:
        return invoices_due_in(session, producer_id=producer_id, unpaid_only=unpaid_only)


def invoices_due_in(session: Session, *, producer_id: int | None = None,
                    unpaid_only: bool = True,
                    invoice_ids: Sequence[int] | None = None) -> list[InvoiceDue]:
    query = (select(Invoice, Producer.name).join(Producer, Producer.id == Invoice.producer_id)
             .where(Invoice.kind == InvoiceKind.INVOICE, Invoice.buyer == InvoiceBuyer.COOP))
    if producer_id is not None:
        query = query.where(Invoice.producer_id == producer_id)
    if invoice_ids is not None:
        query = query.where(Invoice.id.in_(list(invoice_ids)))
    invoices = session.execute(query.order_by(Invoice.issue_date, Invoice.number)).all()
    ids = [invoice.id for invoice, _name in invoices]
    credited: dict[int, Decimal] = defaultdict(lambda: ZERO)
    paid: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for corrected, total in session.execute(
                select(Invoice.corrected_invoice_id, Invoice.total_ttc)
                .where(Invoice.corrected_invoice_id.in_(chunk))):
            if corrected is not None:
                credited[corrected] += total
        for invoice_id, amount in session.execute(
                select(LedgerEntry.invoice_id, LedgerEntry.amount)
                .where(LedgerEntry.invoice_id.in_(chunk),
                       LedgerEntry.kind.in_((EntryKind.PAYOUT, EntryKind.REVERSAL)))):
            if invoice_id is not None:
                paid[invoice_id] += amount
    result = []
    for invoice, name in invoices:
        row = InvoiceDue(invoice_id=invoice.id, number=invoice.number,
                         producer_id=invoice.producer_id, producer_name=name,
                         issue_date=invoice.issue_date, due_date=invoice.due_date,
                         total=invoice.total_ttc, credited=credited[invoice.id],
                         paid=paid[invoice.id])
        if unpaid_only and row.settled:
            continue
        result.append(row)
    return result


def list_entries(*, db: Database, actor: Actor, date_from: dt.date | None = None,
                 date_to: dt.date | None = None, kinds: Sequence[EntryKind] | None = None,
                 limit: int | None = None, means: Sequence[PaymentMeans] | None = None,
                 member_id: int | None = None,
                 producer_id: int | None = None) -> list[EntryRow]:
    """The ledger's entries over a period, in date order (the journal's source); `kinds`,
    `means` and an account narrow it."""
    require(actor, TREASURERS, _("consulter le grand livre"))
    query = select(LedgerEntry)
    if means:
        query = query.where(LedgerEntry.means.in_(list(means)))
    if member_id is not None:
        query = query.where(LedgerEntry.member_id == member_id)
    if producer_id is not None:
        query = query.where(LedgerEntry.producer_id == producer_id)
    if date_from is not None:
        query = query.where(LedgerEntry.entry_date >= date_from)
    if date_to is not None:
        query = query.where(LedgerEntry.entry_date <= date_to)
    if kinds:
        query = query.where(LedgerEntry.kind.in_(list(kinds)))
    query = query.order_by(LedgerEntry.entry_date, LedgerEntry.id)
    if limit is not None:
        query = query.limit(limit)
    with db.reading() as session:
        return _rows(session, session.scalars(query).all())


def format_balance(balance: Decimal) -> str:
    """« doit 12,50 € », « à rembourser 3,00 € », « à jour » — for a household."""
    if balance > 0:
        return _("doit {amount}").format(amount=format_money(balance))
    if balance < 0:
        return _("crédit de {amount}").format(amount=format_money(-balance))
    return _("à jour")
