"""The demonstration co-op's treasury: who paid what, how, and the bank's side of it.

`build_treasury` runs at the end of the demo's build, in its transaction. It
brings the ledger up to date with the demo's distributions, contracts and
fees (`ledger.sync_all`), then pays most of it the way households pay:

* by transfer a few days after each distribution, or once a month for the
  month past, most with their reference (ADH-…) in the transfer's text;
* by a cheque to the co-op each month, deposited at the bank by slip;
* in cash, by card or in local currency at the distribution;
* AMAP contracts by their cheques to the producer, one per cheque month:
  handed over to the producer for the months past, received for this one,
  promised for the months to come.

The co-op keeps its treasury in coopfood for the last four months: what was
due before is settled by one « reprise » payment per household, as a treasurer
carries balances over from the old ledger (a year of history in detail would
add a hundred thousand rows to the large demo for nothing a user looks at).
A few households stopped paying for the last distributions and owe money;
one paid too much in cash and is in credit. The transfers of the month of the
last distribution are not in the ledger: they are on the bank statement that
`write_demo_bank_statement` writes, for the treasurer to import and reconcile
(the bank import posts the payments it matches).

Nothing here draws from the demo's random generator: each choice is a hash of
the co-op's SIREN (which the seed draws) and of what it is about (a household,
a distribution). The same demo always gets the same treasury, and the bank
statement of a month is recomputed from the database alone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import hashlib
import io
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState, InvoiceBuyer
from coopfood.domain.money import ZERO, line_total
from coopfood.domain.treasury import ChequeStatus, EntryKind, PaymentMeans, RemittanceKind
from coopfood.i18n import _, format_money
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Cheque,
    ChequeRemittance,
    Contract,
    Coop,
    Cycle,
    LedgerEntry,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
)
from coopfood.persistence.sql import cents_to_money, raw, sum_cents
from coopfood.services import Actor, Role, ServiceError, ValidationError
from coopfood.services.access import require
from coopfood.services.ledger import TREASURERS, bulk_insert, entry_values, post_many, sync_all

#: Who keeps the demo's books (the entries and slips name who made them).
TREASURER = Actor(name="Claire Rousset (trésorière)", role=Role.TREASURER)

#: Months of treasury kept in detail, the last distribution's included.
TREASURY_MONTHS = 4
#: Transfers that carry the household's reference (the others give only a name).
WITH_REFERENCE = 0.8
#: Households that stopped paying a few weeks ago, and for how long.
LATE_SHARE = 0.04
LATE_DAYS = 21
#: Days between a cheque given at a distribution and its deposit at the bank, and
#: between a deposit and its credit on the account.
DEPOSIT_DAYS = 5
CREDIT_DAYS = 2

#: The banks households write their cheques on.
CHEQUE_BANKS = ("Crédit Agricole", "Crédit Mutuel", "Banque Populaire", "Caisse d'Épargne",
                "La Banque Postale", "Société Générale", "BNP Paribas", "LCL", "CIC",
                "Crédit Coopératif", "La Nef")
#: Someone who is no member, whose transfer the treasurer has to find out about.
STRANGERS = (("GERVAIS", "Quentin"), ("OUEDRAOGO", "Aminata"), ("VASSEUR", "Thibault"),
             ("KERVELLA", "Maëlys"), ("ABOULKER", "Samuel"))


class Habit(enum.Enum):
    """How a household pays its orders."""

    TRANSFER = "transfer"
    TRANSFER_MONTHLY = "transfer_monthly"
    CHEQUE_MONTHLY = "cheque_monthly"
    CASH = "cash"
    CARD = "card"
    LOCAL = "local"


#: (habit, share of households), adding up to 1.
_HABITS = ((Habit.TRANSFER, 0.22), (Habit.TRANSFER_MONTHLY, 0.22), (Habit.CHEQUE_MONTHLY, 0.14),
           (Habit.CASH, 0.24), (Habit.CARD, 0.12), (Habit.LOCAL, 0.06))
_MEANS = {Habit.CASH: PaymentMeans.CASH, Habit.CARD: PaymentMeans.CARD,
          Habit.LOCAL: PaymentMeans.LOCAL_CURRENCY}


def roll(salt: str, *parts: object) -> float:
    """A number in [0, 1) that only depends on what it is about: the demo's dice."""
    digest = hashlib.blake2b(":".join((salt, *map(str, parts))).encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big") / 2**64


@lru_cache(maxsize=65536)
def habit_of(salt: str, member_id: int) -> Habit:
    value = roll(salt, "habit", member_id)
    for habit, share in _HABITS:
        if value < share:
            return habit
        value -= share
    return Habit.CASH


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return _month_end(day) + dt.timedelta(days=1)


# --- what the database says -----------------------------------------------------------------


@dataclass(frozen=True)
class _Household:
    id: int
    last_name: str
    first_name: str
    co_member: str
    reference: str
    point_id: int | None

    @property
    def display(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()


@dataclass(frozen=True)
class _Due:
    member_id: int
    cycle_id: int
    point_id: int | None
    day: dt.date
    amount: Decimal


@dataclass(frozen=True)
class _Facts:
    salt: str
    coop_name: str
    coop_iban: str | None
    households: dict[int, _Household]
    #: What each household owes for each distribution, oldest first.
    dues: list[_Due]
    #: The last distribution that took place; its month's transfers await the bank.
    last_day: dt.date | None

    @property
    def cutoff(self) -> dt.date | None:
        return _month_start(self.last_day) if self.last_day is not None else None


def treasury_start(last_day: dt.date) -> dt.date:
    """The day the co-op started keeping its treasury in coopfood: the first of the month
    three months before its last distribution. What was due before is settled by one
    « reprise » payment per household, as a treasurer carries over from the old ledger."""
    start = _month_start(last_day)
    for _month in range(TREASURY_MONTHS - 1):
        start = _month_start(start - dt.timedelta(days=1))
    return start


def _facts(session: Session) -> _Facts:
    coop = session.scalar(select(Coop).order_by(Coop.id).limit(1))
    if coop is None:
        raise ServiceError(_("La base ne contient pas de coopérative de démonstration."))
    households = {
        row.id: _Household(row.id, row.last_name, row.first_name, row.co_member_name,
                           row.payment_reference, row.point_id)
        for row in session.execute(select(
            Member.id, Member.last_name, Member.first_name, Member.co_member_name,
            Member.payment_reference, Member.point_id))}
    days: dict[int, dt.date] = {cycle_id: day for cycle_id, day in session.execute(
        select(Cycle.id, Cycle.distribution_date).where(
            Cycle.state.in_((CycleState.DISTRIBUTED, CycleState.INVOICED))))}
    dues = []
    for member_id, cycle_id, point_id, cents in session.execute(
            select(LedgerEntry.member_id, LedgerEntry.cycle_id, func.max(LedgerEntry.point_id),
                   sum_cents(raw(LedgerEntry.amount)))
            .where(LedgerEntry.kind == EntryKind.ORDER)
            .group_by(LedgerEntry.member_id, LedgerEntry.cycle_id)):
        if member_id is None or cycle_id is None or cycle_id not in days:
            continue
        dues.append(_Due(member_id, cycle_id, point_id, days[cycle_id], cents_to_money(cents)))
    dues.sort(key=lambda d: (d.day, d.member_id))
    last_day = max(days.values()) if days else None
    start = treasury_start(last_day) if last_day is not None else None
    return _Facts(salt=coop.siren or coop.name, coop_name=coop.name, coop_iban=coop.iban,
                  households=households,
                  dues=[d for d in dues if d.amount > 0 and start is not None and d.day >= start],
                  last_day=last_day)


def _late(facts: _Facts, due: _Due) -> bool:
    """A household that stopped paying: its last distributions are unpaid."""
    assert facts.last_day is not None
    return (due.day > facts.last_day - dt.timedelta(days=LATE_DAYS)
            and _stopped_paying(facts.salt, due.member_id))


@lru_cache(maxsize=65536)
def _stopped_paying(salt: str, member_id: int) -> bool:
    return roll(salt, "late", member_id) < LATE_SHARE


# --- transfers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdTransfer:
    member_id: int
    day: dt.date
    amount: Decimal
    #: The distributions it pays.
    cycle_ids: tuple[int, ...]
    #: The household's reference is in the transfer's text (else only its name).
    with_reference: bool
    #: What the household typed: « PANIERS REF ADH-0007 », « COMMANDE DU 12/11 »…
    text: str
    #: Who the bank names: the household, or its second adult.
    payer: str


def _transfer_text(facts: _Facts, household: _Household, day: dt.date, key: str) -> tuple[
        bool, str]:
    with_reference = roll(facts.salt, "ref", household.id, key) < WITH_REFERENCE
    if with_reference:
        reference = household.reference
        style = roll(facts.salt, "style", household.id)
        if style < 0.15:
            reference = reference.replace("-", " ")
        elif style < 0.25:
            reference = reference.replace("-", "")
        words = ("PANIERS", "COMMANDE", "AMAP", "REGLEMENT", "")
        word = words[int(roll(facts.salt, "word", household.id) * len(words))]
        return True, f"{word} {reference}".strip()
    if roll(facts.salt, "blank", household.id, key) < 0.3:
        return False, ""
    return False, _("COMMANDE DU {day}").format(day=day.strftime("%d/%m"))


def _payer(facts: _Facts, household: _Household, key: str) -> str:
    if household.co_member and roll(facts.salt, "payer", household.id, key) < 0.3:
        return household.co_member
    return f"{household.first_name} {household.last_name}"


def household_transfers(facts: _Facts) -> list[HouseholdTransfer]:
    """Every transfer the households made, the pending ones included, by date."""
    result = []
    monthly: dict[tuple[int, dt.date], list[_Due]] = defaultdict(list)
    for due in facts.dues:
        household = facts.households.get(due.member_id)
        habit = habit_of(facts.salt, due.member_id)
        if household is None or habit not in (Habit.TRANSFER, Habit.TRANSFER_MONTHLY) \
                or _late(facts, due):
            continue
        if habit is Habit.TRANSFER_MONTHLY:
            monthly[due.member_id, _month_start(due.day)].append(due)
            continue
        day = due.day + dt.timedelta(days=1 + int(roll(facts.salt, "delay", due.member_id,
                                                      due.cycle_id) * 6))
        with_reference, typed = _transfer_text(facts, household, due.day, f"c{due.cycle_id}")
        result.append(HouseholdTransfer(due.member_id, day, due.amount, (due.cycle_id,),
                                        with_reference, typed,
                                        _payer(facts, household, f"c{due.cycle_id}")))
    for (member_id, month), dues in monthly.items():
        household = facts.households[member_id]
        day = _next_month(month) + dt.timedelta(days=1 + int(roll(
            facts.salt, "monthly", member_id, month) * 7))
        with_reference, typed = _transfer_text(facts, household, dues[-1].day, f"m{month}")
        if typed.startswith(_("COMMANDE DU")):
            typed = _("COMMANDES {month}").format(month=month.strftime("%m/%Y"))
        result.append(HouseholdTransfer(member_id, day, sum((d.amount for d in dues), ZERO),
                                        tuple(d.cycle_id for d in dues), with_reference, typed,
                                        _payer(facts, household, f"m{month}")))
    result.sort(key=lambda t: (t.day, t.member_id))
    return result


# --- the build --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TreasuryTally:
    entries_synced: int
    payments: int
    cheques: int
    remittances: int
    #: Transfers left for the bank statement's import.
    pending_transfers: int


class _Writer:
    """The rows of the treasury, ids chosen here (payments name their cheque)."""

    def __init__(self, session: Session, facts: _Facts, as_of: dt.date) -> None:
        self.session = session
        self.facts = facts
        self.as_of = as_of
        self.moment = dt.datetime.combine(as_of, dt.time(20, 0), tzinfo=dt.UTC)
        self.entries: list[dict[str, Any]] = []
        self.cheques: list[dict[str, Any]] = []
        self.cheque_rows: dict[int, dict[str, Any]] = {}
        self.remittances: list[dict[str, Any]] = []
        self.cheque_id = (session.scalar(select(func.max(Cheque.id))) or 0)
        self.remittance_id = (session.scalar(select(func.max(ChequeRemittance.id))) or 0)
        self.chequebooks: dict[int, int] = {}

    # -- rows

    def payment(self, *, member_id: int, amount: Decimal, means: PaymentMeans | None,
                day: dt.date, label: str, reference: str = "", cycle_id: int | None = None,
                point_id: int | None = None, cheque_id: int | None = None) -> None:
        self.entries.append(entry_values(
            TREASURER, kind=EntryKind.PAYMENT, amount=-amount, label=label, entry_date=day,
            member_id=member_id, means=means, reference=reference, cycle_id=cycle_id,
            point_id=point_id, cheque_id=cheque_id, created_at=self.moment))

    def cheque(self, *, household: _Household, amount: Decimal, day: dt.date,
               status: ChequeStatus, status_date: dt.date | None,
               producer_id: int | None = None, contract_id: int | None = None,
               planned_month: str | None = None) -> tuple[int, str, str]:
        """A cheque from the household's chequebook: (id, number, bank)."""
        self.cheque_id += 1
        if household.id not in self.chequebooks:
            self.chequebooks[household.id] = 1_000_000 + int(
                roll(self.facts.salt, "chequebook", household.id) * 8_000_000)
        self.chequebooks[household.id] += 1
        number = f"{self.chequebooks[household.id]:07d}"
        bank = CHEQUE_BANKS[int(roll(self.facts.salt, "bank", household.id)
                                * len(CHEQUE_BANKS))]
        stamp = dt.datetime.combine(status_date or day, dt.time(19, 30), tzinfo=dt.UTC)
        self.cheques.append(row := {
            "id": self.cheque_id, "number": number, "bank": bank,
            "drawer": f"{household.first_name} {household.last_name}", "amount": amount,
            "member_id": household.id, "contract_id": contract_id, "producer_id": producer_id,
            "issue_date": day, "planned_month": planned_month, "status": status,
            "status_date": status_date, "remittance_id": None, "note": "", "version": 1,
            "created_at": stamp, "updated_at": stamp,
        })
        self.cheque_rows[self.cheque_id] = row
        return self.cheque_id, number, bank

    def remittance(self, *, kind: RemittanceKind, day: dt.date, cheque_ids: Sequence[int],
                   producer_id: int | None = None, month: str | None = None) -> int:
        self.remittance_id += 1
        rows = [self.cheque_rows[cid] for cid in cheque_ids]
        for row in rows:
            row["remittance_id"] = self.remittance_id
        self.remittances.append({
            "id": self.remittance_id, "kind": kind, "number": "", "remittance_date": day,
            "producer_id": producer_id, "month": month, "cheque_count": len(rows),
            "total": sum((row["amount"] for row in rows), ZERO),
            "iban": self.facts.coop_iban if kind is RemittanceKind.DEPOSIT else None,
            "created_at": dt.datetime.combine(day, dt.time(18, 0), tzinfo=dt.UTC),
            "created_by": TREASURER.name,
        })
        return self.remittance_id

    # -- writing

    def number_remittances(self) -> None:
        """Gapless yearly series in date order, as `coopfood.services.cheques` numbers them."""
        counters: dict[tuple[str, int], int] = defaultdict(int)
        for row in sorted(self.remittances, key=lambda r: (r["remittance_date"], r["id"])):
            series = "REM" if row["kind"] is RemittanceKind.DEPOSIT else "RP"
            year = row["remittance_date"].year
            counters[series, year] += 1
            row["number"] = f"{series}-{year:04d}-{counters[series, year]:04d}"

    def write(self) -> None:
        self.number_remittances()
        bulk_insert(self.session, cast(Table, ChequeRemittance.__table__), self.remittances)
        bulk_insert(self.session, cast(Table, Cheque.__table__), self.cheques)
        post_many(self.session, self.entries)
        if self.session.get_bind().dialect.name == "postgresql":
            for name in ("cheque", "cheque_remittance"):
                self.session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE(MAX(id), 0) + 1, false) FROM {name}"))


def _paid_at_distribution(writer: _Writer, facts: _Facts) -> int:
    """Cash, card and local currency at the distribution; one household pays cash too much."""
    assert facts.last_day is not None
    spenders = [d for d in facts.dues
                if d.day == facts.last_day and habit_of(facts.salt, d.member_id) is Habit.CASH
                and not _late(facts, d)]
    generous = min(spenders, key=lambda d: roll(facts.salt, "credit", d.member_id),
                   default=None)
    count = 0
    for due in facts.dues:
        habit = habit_of(facts.salt, due.member_id)
        means = _MEANS.get(habit)
        if means is None or _late(facts, due):
            continue
        amount = due.amount
        if due is generous:
            # « Gardez la monnaie sur mon compte » : the next ten euros.
            tens = (amount / 10).to_integral_value(rounding=ROUND_CEILING) * 10
            amount = tens if tens > amount else amount + 10
        writer.payment(member_id=due.member_id, amount=amount, means=means, day=due.day,
                       label=_("Règlement ({means})").format(means=means.label),
                       cycle_id=due.cycle_id, point_id=due.point_id)
        count += 1
    return count


def _transfers_in_ledger(writer: _Writer, facts: _Facts) -> tuple[int, int]:
    """The transfers the treasurer has already found on the bank; (posted, pending)."""
    assert facts.cutoff is not None
    posted = pending = 0
    for transfer in household_transfers(facts):
        if transfer.day >= facts.cutoff:
            pending += 1
            continue
        household = facts.households[transfer.member_id]
        writer.payment(member_id=transfer.member_id, amount=transfer.amount,
                       means=PaymentMeans.TRANSFER, day=transfer.day,
                       label=_("Virement — {text}").format(text=transfer.text) if transfer.text
                       else _("Règlement ({means})").format(means=PaymentMeans.TRANSFER.label),
                       reference=household.reference if transfer.with_reference else "",
                       point_id=household.point_id,
                       cycle_id=transfer.cycle_ids[0] if len(transfer.cycle_ids) == 1 else None)
        posted += 1
    return posted, pending


def _cheques_to_the_coop(writer: _Writer, facts: _Facts) -> int:
    """A cheque a month for the month's orders, given at its last distribution and
    deposited at the bank the Tuesday after, by slip."""
    by_month: dict[tuple[int, dt.date], list[_Due]] = defaultdict(list)
    for due in facts.dues:
        if habit_of(facts.salt, due.member_id) is Habit.CHEQUE_MONTHLY and not _late(facts, due):
            by_month[due.member_id, _month_start(due.day)].append(due)
    deposits: dict[dt.date, list[int]] = defaultdict(list)
    assert facts.cutoff is not None
    for (member_id, _month), dues in sorted(by_month.items(), key=lambda item: (
            item[1][-1].day, item[0][0])):
        household = facts.households[member_id]
        day = dues[-1].day
        amount = sum((d.amount for d in dues), ZERO)
        deposit = day + dt.timedelta(days=DEPOSIT_DAYS)
        deposited = deposit <= writer.as_of
        status = (ChequeStatus.RECEIVED if not deposited else
                  ChequeStatus.CASHED if deposit + dt.timedelta(days=CREDIT_DAYS) < facts.cutoff
                  else ChequeStatus.DEPOSITED)
        cheque_id, number, bank = writer.cheque(
            household=household, amount=amount, day=day, status=status,
            status_date=deposit if deposited else day)
        writer.payment(member_id=member_id, amount=amount, means=PaymentMeans.CHEQUE, day=day,
                       label=_("Chèque n° {number} ({bank})").format(number=number, bank=bank),
                       reference=number, cycle_id=dues[-1].cycle_id,
                       point_id=dues[-1].point_id, cheque_id=cheque_id)
        if deposited:
            deposits[deposit].append(cheque_id)
    for day, cheque_ids in sorted(deposits.items()):
        writer.remittance(kind=RemittanceKind.DEPOSIT, day=day, cheque_ids=cheque_ids)
    return sum(len(d) for d in by_month.values())


def _contract_cheques(writer: _Writer, facts: _Facts) -> int:
    """One cheque per instalment, made out to the basket's producer."""
    session = writer.session
    contracts = {cid: (producer_id, basket) for cid, producer_id, basket in session.execute(
        select(Contract.id, BasketType.producer_id, BasketType.name)
        .join(BasketType, BasketType.id == Contract.basket_type_id))}
    distribution_days = sorted({d.day for d in facts.dues})
    this_month = writer.as_of.strftime("%Y-%m")
    assert facts.last_day is not None
    start = treasury_start(facts.last_day)
    handovers: dict[tuple[int, str], tuple[dt.date, list[int]]] = {}
    count = 0
    for contract_id, member_id, month, amount, day in session.execute(
            select(LedgerEntry.contract_id, LedgerEntry.member_id, LedgerEntry.reference,
                   LedgerEntry.amount, LedgerEntry.entry_date)
            .where(LedgerEntry.kind == EntryKind.CONTRACT)
            .order_by(LedgerEntry.entry_date, LedgerEntry.id)):
        if contract_id is None or member_id is None or amount <= 0 or day < start:
            continue  # (before the treasury's start: carried over)
        producer_id, basket = contracts[contract_id]
        household = facts.households[member_id]
        # Handed over to the producer at the month's first distribution.
        handover = next((d for d in distribution_days if d >= day), day)
        if month > this_month:
            status, status_date = ChequeStatus.PROMISED, None
        elif month == this_month:
            status, status_date = ChequeStatus.RECEIVED, day
        else:
            status, status_date = ChequeStatus.HANDED_OVER, handover
        cheque_id, number, bank = writer.cheque(
            household=household, amount=amount, day=day, status=status,
            status_date=status_date, producer_id=producer_id, contract_id=contract_id,
            planned_month=month)
        count += 1
        if status is ChequeStatus.PROMISED:
            continue
        writer.payment(member_id=member_id, amount=amount, means=PaymentMeans.CHEQUE, day=day,
                       label=_("Chèque n° {number} ({bank}) — contrat « {basket} »").format(
                           number=number, bank=bank, basket=basket),
                       reference=number, point_id=household.point_id, cheque_id=cheque_id)
        if status is ChequeStatus.HANDED_OVER:
            key = (producer_id, month)
            handovers.setdefault(key, (handover, []))[1].append(cheque_id)
    for (producer_id, month), (day, cheque_ids) in sorted(
            handovers.items(), key=lambda item: (item[1][0], item[0])):
        writer.remittance(kind=RemittanceKind.HANDOVER, day=day, cheque_ids=cheque_ids,
                          producer_id=producer_id, month=month)
    return count


def _carried_over(writer: _Writer, start: dt.date) -> None:
    """What each household owed before the treasury's start, settled by one payment."""
    before = writer.session.execute(
        select(LedgerEntry.member_id, sum_cents(raw(LedgerEntry.amount)))
        .where(LedgerEntry.member_id.is_not(None), LedgerEntry.entry_date < start)
        .group_by(LedgerEntry.member_id).order_by(LedgerEntry.member_id))
    day = start - dt.timedelta(days=1)
    label = _("Reprise : règlements antérieurs au {date}").format(
        date=start.strftime("%d/%m/%Y"))
    for member_id, cents in before:
        owed = cents_to_money(cents)
        if member_id is not None and owed > 0:
            writer.payment(member_id=member_id, amount=owed, means=None, day=day, label=label,
                           reference=_("REPRISE"))


def build_treasury(session: Session, *, as_of: dt.date) -> TreasuryTally:
    """Sync the demo's ledger and pay it as its households would (the module's doc), in the
    caller's transaction."""
    synced = sync_all(session, TREASURER, today=as_of)
    facts = _facts(session)
    if facts.last_day is None:
        return TreasuryTally(synced.entries, 0, 0, 0, 0)
    writer = _Writer(session, facts, as_of)
    _carried_over(writer, treasury_start(facts.last_day))
    payments = _paid_at_distribution(writer, facts)
    posted, pending = _transfers_in_ledger(writer, facts)
    payments += posted + _cheques_to_the_coop(writer, facts)
    _contract_cheques(writer, facts)
    writer.write()
    return TreasuryTally(entries_synced=synced.entries,
                         payments=len(writer.entries), cheques=len(writer.cheques),
                         remittances=len(writer.remittances), pending_transfers=pending)


# --- the bank statement of a month ----------------------------------------------------------


class BankFormat(enum.StrEnum):
    CSV = "csv"
    OFX = "ofx"
    CAMT = "camt"

    @property
    def suffix(self) -> str:
        return {BankFormat.CSV: ".csv", BankFormat.OFX: ".ofx", BankFormat.CAMT: ".xml"}[self]


@dataclass(frozen=True)
class BankOperation:
    day: dt.date
    #: Signed: a credit > 0, a debit < 0.
    amount: Decimal
    #: The label's lines, as the bank prints them.
    lines: tuple[str, ...]
    #: Who paid or was paid, and the text of the transfer.
    counterparty: str = ""
    counterparty_iban: str | None = None
    remittance_text: str = ""
    #: "transfer", "cheques", "fees".
    nature: str = "transfer"


@dataclass(frozen=True)
class DemoBankStatement:
    month: dt.date
    account: str
    iban: str | None
    holder: str
    opening_balance: Decimal
    operations: tuple[BankOperation, ...]

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + sum((op.amount for op in self.operations), ZERO)

    @property
    def period_end(self) -> dt.date:
        return _month_end(self.month)


@dataclass(frozen=True)
class WrittenBankStatement:
    path: Path
    statement: DemoBankStatement
    #: How many household transfers are not in the ledger yet (the import matches them).
    pending_transfers: int

    @property
    def summary(self) -> str:
        return _("Relevé bancaire de démonstration de {month} : {n} opérations, solde final "
                 "{balance} ; {pending} virements de foyers pas encore au grand livre.").format(
            month=self.statement.month.strftime("%m/%Y"), n=len(self.statement.operations),
            balance=format_money(self.statement.closing_balance),
            pending=self.pending_transfers)


def _parse_month(text_value: str) -> dt.date:
    try:
        year, month = (int(part) for part in text_value.strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise ValidationError(_("« {value} » n'est pas un mois AAAA-MM (par exemple "
                                "2026-11).").format(value=text_value), field="month") from None


def _upper(text_value: str) -> str:
    """How a French bank prints a name: capitals without accents."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text_value.replace("œ", "oe").replace("Œ", "OE"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def _producer_payment(session: Session, month: dt.date) -> BankOperation | None:
    """The co-op pays its biggest producer for the month before: an invoice of that
    producer still to pay if there is one, else what was delivered."""
    day = min(month + dt.timedelta(days=9), _month_end(month))
    invoice = session.execute(
        select(LedgerEntry.reference, LedgerEntry.amount, Producer.name, Producer.iban)
        .join(Producer, Producer.id == LedgerEntry.producer_id)
        .where(LedgerEntry.kind == EntryKind.INVOICE, LedgerEntry.entry_date < day)
        .order_by(LedgerEntry.entry_date.desc(), LedgerEntry.id.desc()).limit(1)).first()
    if invoice is not None:
        number, amount, name, iban = invoice
        return BankOperation(day, amount, ("VIREMENT EMIS", f"WEB {_upper(name)}",
                                           f"FACTURE {number}"),
                             name, iban, f"FACTURE {number}")
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    rows = session.execute(
        select(Producer.id, Producer.name, Producer.iban, OrderLine.unit_price_ht,
               OrderLine.vat_rate, OrderLine.quantity_delivered)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cycle, Cycle.id == Order.cycle_id)
        .join(Product, Product.id == OrderLine.product_id, isouter=True)
        .join(BasketType, BasketType.id == OrderLine.basket_type_id, isouter=True)
        .join(Producer, Producer.id == func.coalesce(Product.producer_id,
                                                     BasketType.producer_id))
        .where(Cycle.distribution_date >= previous, Cycle.distribution_date < month,
               OrderLine.quantity_delivered.is_not(None),
               Producer.invoice_buyer == InvoiceBuyer.COOP)).all()
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    names: dict[int, tuple[str, str | None]] = {}
    for producer_id, name, iban, price, rate, qty in rows:
        if qty is None:
            continue
        totals[producer_id] += line_total(price * (100 + rate) / 100, qty)
        names[producer_id] = (name, iban)
    if not totals:
        return None
    producer_id = max(totals, key=lambda p: (totals[p], -p))
    name, iban = names[producer_id]
    label = _("PANIERS {month}").format(month=previous.strftime("%m/%Y"))
    return BankOperation(day, -totals[producer_id], ("VIREMENT EMIS", f"WEB {_upper(name)}",
                                                      label), name, iban, label)


def demo_bank_statement(session: Session, month: dt.date) -> tuple[DemoBankStatement, int]:
    """The operations of the co-op's account in `month`, and how many household transfers
    among them are not in the ledger yet."""
    facts = _facts(session)
    start, end = month, _month_end(month)
    operations: list[BankOperation] = []
    pending = 0
    for transfer in household_transfers(facts):
        if not start <= transfer.day <= end:
            continue
        if facts.cutoff is not None and transfer.day >= facts.cutoff:
            pending += 1
        payer = _upper(transfer.payer)
        if roll(facts.salt, "title", transfer.member_id) < 0.5:
            payer = f"M. OU MME {payer}"
        operations.append(BankOperation(
            transfer.day, transfer.amount,
            ("VIREMENT EN VOTRE FAVEUR", payer, *(
                (transfer.text,) if transfer.text else ())),
            transfer.payer, None, transfer.text))
    for number, day, total in session.execute(
            select(ChequeRemittance.number, ChequeRemittance.remittance_date,
                   ChequeRemittance.total)
            .where(ChequeRemittance.kind == RemittanceKind.DEPOSIT)):
        booked = day + dt.timedelta(days=CREDIT_DAYS)
        if start <= booked <= end:
            slip = number.rsplit("-", 1)[-1]
            operations.append(BankOperation(booked, total, (f"{slip}", "REMISE DE CHEQUE",
                                                            number),
                                            remittance_text=number, nature="cheques"))
    producer = _producer_payment(session, month)
    if producer is not None:
        operations.append(producer)
    members = {_upper(h.last_name) for h in facts.households.values()}
    last, first = next(((last, first) for last, first in STRANGERS if last not in members),
                       STRANGERS[0])
    gift = Decimal(20 + 5 * int(roll(facts.salt, "gift", start) * 5)).quantize(Decimal("0.01"))
    operations.append(BankOperation(
        min(start + dt.timedelta(days=16), end), gift,
        ("VIREMENT EN VOTRE FAVEUR", f"M {_upper(last)} {_upper(first)}",
         "SOUTIEN ASSOCIATION"), f"{first} {last}", None, "SOUTIEN ASSOCIATION"))
    operations.append(BankOperation(min(start + dt.timedelta(days=2), end), Decimal("-4.50"),
                                    ("FRAIS TENUE DE COMPTE",), nature="fees"))
    operations.append(BankOperation(end, Decimal("-2.90"),
                                    ("COTISATION OFFRE ASSOCIATION",), nature="fees"))
    operations.sort(key=lambda op: (op.day, -op.amount, op.lines))
    iban = facts.coop_iban
    account = iban[14:25] if iban and iban.startswith("FR") and len(iban) == 27 else (
        iban or "00012345678")
    opening = Decimal(2500 + int(roll(facts.salt, "opening", start) * 250_000) / 100).quantize(
        Decimal("0.01"))
    return DemoBankStatement(month=start, account=account, iban=iban,
                             holder=_upper(facts.coop_name), opening_balance=opening,
                             operations=tuple(operations)), pending


def _french_amount(amount: Decimal) -> str:
    """« 1 254,50 »: a space between thousands, a comma, no sign."""
    whole, cents = f"{abs(amount):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return " ".join(groups) + "," + cents


def _csv(statement: DemoBankStatement) -> bytes:
    """The Crédit Agricole export: a header block, then Date;Libellé;Débit Euros;Crédit
    Euros; with labels over several quoted lines, newest first, Windows-1252, CRLF."""
    end = statement.period_end
    rows = [
        f"Téléchargement du {(end + dt.timedelta(days=2)).strftime('%d/%m/%Y')};",
        "",
        " ",
        statement.holder,
        f"Compte Courant Association n° {statement.account};",
        f"Solde au {end.strftime('%d/%m/%Y')} {_french_amount(statement.closing_balance)} €"
        if statement.closing_balance >= 0 else
        f"Solde au {end.strftime('%d/%m/%Y')} -{_french_amount(statement.closing_balance)} €",
        "",
        f"Liste des opérations du compte entre le {statement.month.strftime('%d/%m/%Y')} et "
        f"le {end.strftime('%d/%m/%Y')};",
        "",
        "Date;Libellé;Débit Euros;Crédit Euros;",
    ]
    for op in sorted(statement.operations, key=lambda o: o.day, reverse=True):
        label = "\r\n".join(line.replace('"', "'") for line in op.lines)
        debit = _french_amount(op.amount) if op.amount < 0 else ""
        credit = _french_amount(op.amount) if op.amount > 0 else ""
        rows.append(f'{op.day.strftime("%d/%m/%Y")};"{label}\r\n";{debit};{credit};')
    return ("\r\n".join(rows) + "\r\n").encode("cp1252", errors="replace")


def _fitid(op: BankOperation, index: int) -> str:
    return f"{op.day.strftime('%Y%m%d')}{index:05d}"


def _ofx(statement: DemoBankStatement) -> bytes:
    def clean(value: str) -> str:
        return _upper(value).replace("<", " ").replace(">", " ").replace("&", "ET")

    end = statement.period_end
    served = (end + dt.timedelta(days=1)).strftime("%Y%m%d") + "080000"
    out = io.StringIO()
    out.write("OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\n"
              "ENCODING:USASCII\r\nCHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\n"
              "NEWFILEUID:NONE\r\n\r\n")
    iban = statement.iban or ""
    bank_id, branch = (iban[4:9], iban[9:14]) if len(iban) == 27 else ("00000", "00000")
    out.write(f"<OFX>\r\n<SIGNONMSGSRSV1>\r\n<SONRS>\r\n<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
              f"\r\n<DTSERVER>{served}\r\n<LANGUAGE>FRA\r\n</SONRS>\r\n</SIGNONMSGSRSV1>\r\n"
              f"<BANKMSGSRSV1>\r\n<STMTTRNRS>\r\n<TRNUID>{served}\r\n"
              f"<STATUS><CODE>0<SEVERITY>INFO</STATUS>\r\n<STMTRS>\r\n<CURDEF>EUR\r\n"
              f"<BANKACCTFROM>\r\n<BANKID>{bank_id}\r\n<BRANCHID>{branch}\r\n"
              f"<ACCTID>{statement.account}\r\n<ACCTTYPE>CHECKING\r\n</BANKACCTFROM>\r\n"
              f"<BANKTRANLIST>\r\n<DTSTART>{statement.month.strftime('%Y%m%d')}\r\n"
              f"<DTEND>{end.strftime('%Y%m%d')}\r\n")
    for index, op in enumerate(statement.operations, start=1):
        name = clean(" ".join(op.lines[1:2]) if op.nature == "transfer" and len(op.lines) > 1
                     else op.lines[0] if op.nature == "fees" else " ".join(op.lines[:2]))
        memo = clean(op.remittance_text)
        out.write(f"<STMTTRN>\r\n<TRNTYPE>{'CREDIT' if op.amount > 0 else 'DEBIT'}\r\n"
                  f"<DTPOSTED>{op.day.strftime('%Y%m%d')}\r\n<TRNAMT>{op.amount:.2f}\r\n"
                  f"<FITID>{_fitid(op, index)}\r\n<NAME>{name[:32]}\r\n")
        if memo:
            out.write(f"<MEMO>{memo}\r\n")
        out.write("</STMTTRN>\r\n")
    out.write(f"</BANKTRANLIST>\r\n<LEDGERBAL>\r\n<BALAMT>{statement.closing_balance:.2f}\r\n"
              f"<DTASOF>{end.strftime('%Y%m%d')}\r\n</LEDGERBAL>\r\n</STMTRS>\r\n"
              "</STMTTRNRS>\r\n</BANKMSGSRSV1>\r\n</OFX>\r\n")
    return out.getvalue().encode("cp1252", errors="replace")


def _camt(statement: DemoBankStatement) -> bytes:
    end = statement.period_end
    created = (end + dt.timedelta(days=1)).isoformat() + "T06:00:00+01:00"

    def balance(code: str, amount: Decimal, day: dt.date) -> str:
        indicator = "CRDT" if amount >= 0 else "DBIT"
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                f"<Amt Ccy=\"EUR\">{abs(amount):.2f}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>"
                f"<Dt><Dt>{day.isoformat()}</Dt></Dt></Bal>")

    entries = []
    for index, op in enumerate(statement.operations, start=1):
        credit = op.amount > 0
        family = ({"transfer": "RCDT", "cheques": "RCHQ"}.get(op.nature, "MDOP") if credit
                  else {"transfer": "ICDT"}.get(op.nature, "MDOP"))
        details = ""
        if op.nature == "transfer":
            party = "Dbtr" if credit else "Cdtr"
            account = (f"<{party}Acct><Id><IBAN>{op.counterparty_iban}</IBAN></Id>"
                       f"</{party}Acct>" if op.counterparty_iban else "")
            details = (f"<NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
                       f"<RltdPties><{party}><Nm>{escape(op.counterparty)}</Nm></{party}>"
                       f"{account}</RltdPties>"
                       + (f"<RmtInf><Ustrd>{escape(op.remittance_text)}</Ustrd></RmtInf>"
                          if op.remittance_text else "")
                       + "</TxDtls></NtryDtls>")
        entries.append(
            f"<Ntry><NtryRef>N{index}</NtryRef><Amt Ccy=\"EUR\">{abs(op.amount):.2f}</Amt>"
            f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
            f"<BookgDt><Dt>{op.day.isoformat()}</Dt></BookgDt>"
            f"<ValDt><Dt>{op.day.isoformat()}</Dt></ValDt>"
            f"<AcctSvcrRef>{_fitid(op, index)}</AcctSvcrRef>"
            f"<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>{family}</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
            f"</Fmly></Domn></BkTxCd>{details}"
            f"<AddtlNtryInf>{escape(' '.join(op.lines))}</AddtlNtryInf></Ntry>")
    account = (f"<IBAN>{statement.iban}</IBAN>" if statement.iban
               else f"<Othr><Id>{statement.account}</Id></Othr>")
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>STMT-{end.strftime('%Y%m%d')}-0001</MsgId>"
        f"<CreDtTm>{created}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{end.strftime('%Y%m%d')}-{statement.account}</Id>"
        f"<CreDtTm>{created}</CreDtTm>"
        f"<FrToDt><FrDtTm>{statement.month.isoformat()}T00:00:00+01:00</FrDtTm>"
        f"<ToDtTm>{end.isoformat()}T23:59:59+01:00</ToDtTm></FrToDt>"
        f"<Acct><Id>{account}</Id><Ccy>EUR</Ccy><Ownr><Nm>{escape(statement.holder)}</Nm>"
        f"</Ownr></Acct>"
        + balance("OPBD", statement.opening_balance, statement.month)
        + balance("CLBD", statement.closing_balance, end)
        + "".join(entries) + "</Stmt></BkToCstmrStmt></Document>\n")
    return xml.encode("utf-8")


def write_demo_bank_statement(*, db: Database, actor: Actor, month: str, path: Path,
                              format: BankFormat = BankFormat.CSV) -> WrittenBankStatement:
    """Write the demo co-op's bank statement of `month` ("YYYY-MM") to `path`."""
    require(actor, TREASURERS, _("écrire un relevé bancaire de démonstration"))
    start = _parse_month(month)
    with db.reading() as session:
        statement, pending = demo_bank_statement(session, start)
    content = {BankFormat.CSV: _csv, BankFormat.OFX: _ofx, BankFormat.CAMT: _camt}[format](
        statement)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:
        raise ServiceError(_("Impossible d'écrire « {file} » : {reason}").format(
            file=path, reason=error.strerror or error)) from error
    return WrittenBankStatement(path=path, statement=statement, pending_transfers=pending)


__all__ = [
    "TREASURER",
    "BankFormat",
    "BankOperation",
    "DemoBankStatement",
    "Habit",
    "HouseholdTransfer",
    "TreasuryTally",
    "WrittenBankStatement",
    "build_treasury",
    "demo_bank_statement",
    "habit_of",
    "household_transfers",
    "roll",
    "write_demo_bank_statement",
]
