"""Matching bank lines with what the co-op expects: pure rules and scores, no database.

The service (coopfood.services.bank) gathers the facts — households with
their payment references and balances, deposit slips not yet seen on the
bank, transfer batches to producers, producers' invoices still to pay,
payments by transfer keyed in by hand — and hands them here with the bank
lines. Two things come back:

* `automatic_matches`: the lines that explain themselves beyond doubt, one
  decision per line, each fact used once:

  - a credit naming exactly one household's payment reference (« ADH-0007 »
    found as « adh 7 », « ADH0007 », « Adh-007 ») is that household's payment
    (or the transfer already keyed in for it, same amount, a few days apart);
  - a credit equal to a deposit slip's total, booked 0 to 15 days after it;
  - a debit equal to a transfer batch's total, or to one transfer of a batch
    whose producer the line names (IBAN or name);
  - a debit naming an unpaid invoice's number and not paying more than
    remains on it, or naming its producer with the exact amount that remains
    on the one unpaid invoice of that amount;

* `suggestions`: for a line left to the treasurer, ranked candidates with a
  score out of 100 and the French reasons for it (« référence ADH-0012 »,
  « montant = solde dû », « nom proche : DUPONT Marie »).

Texts are compared with accents, case, punctuation and spacing ignored.
Amounts follow the bank line's sign: a credit > 0, a debit < 0; the facts'
amounts (balances aside) are positive.
"""

from __future__ import annotations

import datetime as dt
import difflib
import enum
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from coopfood.banking.statements import normalise_label
from coopfood.i18n import _, format_date, format_money

#: How long after a deposit slip its credit may reach the account (bank and post delays).
REMITTANCE_DAYS = 15
#: A transfer batch is executed on its date; the bank may book it a little before or after.
BATCH_DAYS_BEFORE = 3
BATCH_DAYS_AFTER = 15
#: A transfer keyed in by hand and the bank's credit for it: a few days apart at most.
ENTRY_DAYS_BEFORE = 30
ENTRY_DAYS_AFTER = 5
#: How far back a household's order is "recent" for a suggestion by amount.
RECENT_ORDER_DAYS = 60
#: Name similarity (0–1) from which a household or producer is suggested by name.
NAME_THRESHOLD = 0.6

ZERO = Decimal("0.00")


class TargetKind(enum.StrEnum):
    """What a bank line may be matched with."""

    #: A household's payment (or refund), made by the match.
    HOUSEHOLD = "household"
    #: A payment by transfer already in the ledger, keyed in by hand.
    ENTRY = "entry"
    #: A deposit slip of cheques (bordereau de remise).
    REMITTANCE = "remittance"
    #: A batch of transfers to producers (SEPA file), or one of its transfers.
    PAYOUT_BATCH = "payout_batch"
    #: A producer's invoice, paid by the match.
    INVOICE = "invoice"

    @property
    def label(self) -> str:
        return {
            TargetKind.HOUSEHOLD: _("Foyer"),
            TargetKind.ENTRY: _("Règlement déjà saisi"),
            TargetKind.REMITTANCE: _("Remise de chèques"),
            TargetKind.PAYOUT_BATCH: _("Virements aux producteurs"),
            TargetKind.INVOICE: _("Facture producteur"),
        }[self]


# --- the facts ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineFacts:
    line_id: int
    booking_date: dt.date
    #: The line's signed amount, and what is still to explain of it (same sign).
    amount: Decimal
    remaining: Decimal
    label: str
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    reference: str | None = None

    @property
    def text(self) -> str:
        """Everything the line says, to look references and names up in."""
        return " ".join(t for t in (self.label, self.reference, self.counterparty_name) if t)


@dataclass(frozen=True, slots=True)
class Household:
    member_id: int
    #: 'DUPONT Marie'
    name: str
    last_name: str
    first_name: str
    reference: str
    co_member_name: str = ""
    #: What it owes (> 0) or is owed (< 0) today.
    balance: Decimal = ZERO
    #: Recent amounts due: (date, amount, what: « commande »…) of its orders, contract
    #: instalments and fees.
    dues: tuple[tuple[dt.date, Decimal, str], ...] = ()


@dataclass(frozen=True, slots=True)
class TransferPayment:
    """A household's payment by transfer already in the ledger, not yet seen on the bank."""

    entry_id: int
    member_id: int
    amount: Decimal
    entry_date: dt.date


@dataclass(frozen=True, slots=True)
class Remittance:
    remittance_id: int
    number: str
    remittance_date: dt.date
    total: Decimal
    cheque_count: int = 0


@dataclass(frozen=True, slots=True)
class BatchTransfer:
    producer_id: int
    producer_name: str
    iban: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Batch:
    batch_id: int
    message_id: str
    execution_date: dt.date
    total: Decimal
    #: What the bank has not shown yet of the batch.
    open: Decimal
    transfers: tuple[BatchTransfer, ...] = ()


@dataclass(frozen=True, slots=True)
class Invoice:
    invoice_id: int
    number: str
    producer_id: int
    producer_name: str
    producer_iban: str | None
    remaining: Decimal
    due_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Proposal:
    """A match for a line: decided (automatic) or suggested (with its score)."""

    line_id: int
    kind: TargetKind
    target_id: int
    #: The part of the line it explains, signed like the line.
    amount: Decimal
    #: 0–100.
    score: int
    #: French, shortest first: « référence ADH-0012 », « montant = solde dû ».
    reasons: tuple[str, ...]
    #: What it is, for a list: « DUPONT Marie (ADH-0012) », « Remise REM-2026-0003 ».
    title: str
    #: For a household matched by the transfer already keyed in: that entry.
    entry_id: int | None = None

    @property
    def reason_text(self) -> str:
        return ", ".join(self.reasons)


# --- texts ---------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    """'Mme Lefèbvre-Dupont' → ['MME', 'LEFEBVRE', 'DUPONT']."""
    return normalise_label(text).split()


def compact(text: str) -> str:
    """'GAECDUPRE-2026-0011' → 'GAECDUPRE20260011': every separator dropped."""
    return normalise_label(text).replace(" ", "")


_REFERENCE_SHAPE = re.compile(r"([A-Z]+) ?0*(\d+)")


def reference_key(reference: str) -> tuple[str, int] | None:
    """('ADH', 7) for 'ADH-0007', 'adh 7', 'ADH0007'; None for a reference of another shape."""
    match = _REFERENCE_SHAPE.fullmatch(normalise_label(reference))
    if match is None:
        return None
    return match[1], int(match[2])


class ReferenceIndex:
    """Finds households' payment references in a bank line's text."""

    def __init__(self, references: Iterable[tuple[int, str]]) -> None:
        self._by_key: dict[tuple[str, int], int] = {}
        self._others: dict[str, int] = {}
        for member_id, reference in references:
            key = reference_key(reference)
            if key is not None:
                self._by_key[key] = member_id
            elif normalise_label(reference):
                self._others[normalise_label(reference)] = member_id
        prefixes = sorted({prefix for prefix, _number in self._by_key}, key=len, reverse=True)
        # 'ADH 7', 'ADH-0007', 'ADH0007', 'REF:ADH 7' (a letter before the prefix is
        # another word: 'MADH 7' is not a reference).
        alternatives = "|".join(map(re.escape, prefixes))
        self._pattern = (re.compile(rf"(?<![A-Z])({alternatives}) ?0*(\d{{1,9}})(?!\d)")
                         if prefixes else None)

    def find(self, text: str) -> dict[int, str]:
        """The households whose references the text holds: member id → the reference read."""
        found: dict[int, str] = {}
        normal = normalise_label(text)
        if self._pattern is not None:
            for match in self._pattern.finditer(normal):
                member_id = self._by_key.get((match[1], int(match[2])))
                if member_id is not None:
                    found.setdefault(member_id, match[0])
        if self._others:
            padded = f" {normal} "
            for reference, member_id in self._others.items():
                if f" {reference} " in padded:
                    found.setdefault(member_id, reference)
        return found


#: Words of bank labels that are never a name.
_NOISE = frozenset((
    "VIR", "VIREMENT", "VIREMENTS", "SEPA", "RECU", "RECUS", "EMIS", "EN", "VOTRE", "FAVEUR",
    "DE", "DU", "DES", "LA", "LE", "LES", "ET", "OU", "M", "MR", "MME", "MLLE", "MM", "MMES",
    "MONSIEUR", "MADAME", "REF", "REFERENCE", "FACT", "FACTURE", "PANIER", "PANIERS",
    "COMMANDE", "COTISATION", "INST", "INSTANTANE", "WEB", "CB", "CARTE", "PRLV",
    "PRELEVEMENT", "REMISE", "CHEQUE", "CHEQUES", "NOTPROVIDED"))


def _name_words(name: str) -> list[str]:
    return [w for w in words(name) if len(w) >= 2 and w not in _NOISE]


def name_similarity(text_words: set[str], name: str) -> float:
    """How much of `name` the line's words hold, 0 to 1: each word of the name found
    exactly counts whole, a near spelling (LEFEVRE / LEFEBVRE) counts its likeness."""
    wanted = _name_words(name)
    if not wanted:
        return 0.0
    total = 0.0
    for word in wanted:
        if word in text_words:
            total += 1.0
        elif len(word) >= 4:
            best = max((difflib.SequenceMatcher(None, word, other).ratio()
                        for other in text_words
                        # A misspelt name keeps its first letter and about its length.
                        if other[0] == word[0] and abs(len(other) - len(word)) <= 2),
                       default=0.0)
            if best >= 0.8:
                total += best
    return total / len(wanted)


def household_similarity(text_words: set[str], household: Household) -> float:
    """The household's last name must be there; its first name (or the co-member's) adds."""
    last = name_similarity(text_words, household.last_name)
    if last < NAME_THRESHOLD:
        return 0.0
    first = max(name_similarity(text_words, household.first_name),
                name_similarity(text_words, household.co_member_name)
                if household.co_member_name else 0.0)
    return min(1.0, 0.7 * last + 0.3 * first)


def short_date(day: dt.date) -> str:
    return format_date(day, style="short")


# --- the facts, indexed --------------------------------------------------------------------------


@dataclass
class Facts:
    """Everything a line may be matched with; the indexes are built on first use."""

    households: Sequence[Household] = ()
    transfers: Sequence[TransferPayment] = ()
    remittances: Sequence[Remittance] = ()
    batches: Sequence[Batch] = ()
    invoices: Sequence[Invoice] = ()

    @cached_property
    def references(self) -> ReferenceIndex:
        return ReferenceIndex((h.member_id, h.reference) for h in self.households)

    @cached_property
    def household_by_id(self) -> dict[int, Household]:
        return {h.member_id: h for h in self.households}

    @cached_property
    def transfers_by_member(self) -> dict[int, list[TransferPayment]]:
        index: dict[int, list[TransferPayment]] = defaultdict(list)
        for payment in sorted(self.transfers, key=lambda p: (p.entry_date, p.entry_id)):
            index[payment.member_id].append(payment)
        return index

    @cached_property
    def invoice_numbers(self) -> dict[str, Invoice]:
        return {compact(invoice.number): invoice for invoice in self.invoices}

    @cached_property
    def invoices_by_producer(self) -> dict[int, list[Invoice]]:
        index: dict[int, list[Invoice]] = defaultdict(list)
        for invoice in self.invoices:
            index[invoice.producer_id].append(invoice)
        return index

    @cached_property
    def producers(self) -> dict[int, tuple[str, str | None]]:
        """Producer id → (name, IBAN), from the invoices and the batches."""
        known: dict[int, tuple[str, str | None]] = {}
        for invoice in self.invoices:
            known[invoice.producer_id] = (invoice.producer_name, invoice.producer_iban)
        for batch in self.batches:
            for transfer in batch.transfers:
                known.setdefault(transfer.producer_id, (transfer.producer_name, transfer.iban))
        return known

    def named_invoices(self, text: str) -> list[Invoice]:
        """The invoices whose number the text holds, separators ignored: 'F GAECDUPRE 2026 0011'."""
        squeezed = compact(text)
        found = []
        for number, invoice in self.invoice_numbers.items():
            start = squeezed.find(number)
            # A number followed by another digit is a longer number: not this one.
            while start >= 0:
                end = start + len(number)
                if end == len(squeezed) or not squeezed[end].isdigit():
                    found.append(invoice)
                    break
                start = squeezed.find(number, start + 1)
        return found

    def producer_named(self, line: LineFacts, producer_id: int) -> str | None:
        """Why the line names this producer (its IBAN, its name), or None."""
        name, iban = self.producers.get(producer_id, ("", None))
        if iban and line.counterparty_iban and compact(iban) == compact(line.counterparty_iban):
            return _("IBAN de {name}").format(name=name)
        if name and name_similarity(set(words(line.text)), name) >= 0.99:
            return _("nom : {name}").format(name=name)
        return None


# --- automatic matching ---------------------------------------------------------------------------


def _household_title(household: Household) -> str:
    return f"{household.name} ({household.reference})"


def automatic_matches(lines: Iterable[LineFacts], facts: Facts) -> list[Proposal]:
    """The matches that need no one's judgement (rules in the module's docstring).

    Lines are taken in date order; a deposit slip, a batch transfer, a keyed-in
    payment or what remains on an invoice explains one line only.
    """
    used_remittances: set[int] = set()
    used_entries: set[int] = set()
    used_transfers: set[tuple[int, int]] = set()
    batch_open = {batch.batch_id: batch.open for batch in facts.batches}
    invoice_left = {invoice.invoice_id: invoice.remaining for invoice in facts.invoices}
    decided: list[Proposal] = []
    for line in sorted(lines, key=lambda item: (item.booking_date, item.line_id)):
        if line.remaining > 0:
            proposal = (_by_reference(line, facts, used_entries)
                        or _by_remittance(line, facts, used_remittances))
        elif line.remaining < 0:
            proposal = (_by_batch(line, facts, batch_open, used_transfers)
                        or _by_invoice(line, facts, invoice_left))
        else:
            proposal = None
        if proposal is not None:
            decided.append(proposal)
    return decided


def _by_reference(line: LineFacts, facts: Facts, used_entries: set[int]) -> Proposal | None:
    found = facts.references.find(line.text)
    if len(found) != 1:
        return None  # none, or two households named: the treasurer shares it out
    (member_id, _read), = found.items()
    household = facts.household_by_id[member_id]
    reason = _("référence {reference}").format(reference=household.reference)
    for payment in facts.transfers_by_member.get(member_id, ()):
        days = (line.booking_date - payment.entry_date).days
        if (payment.entry_id not in used_entries and payment.amount == line.remaining
                and -ENTRY_DAYS_AFTER <= days <= ENTRY_DAYS_BEFORE):
            used_entries.add(payment.entry_id)
            return Proposal(
                line.line_id, TargetKind.ENTRY, payment.entry_id, line.remaining, 100,
                (reason, _("virement saisi le {date}").format(
                    date=short_date(payment.entry_date))),
                _household_title(household), entry_id=payment.entry_id)
    return Proposal(line.line_id, TargetKind.HOUSEHOLD, member_id, line.remaining, 100,
                    (reason,), _household_title(household))


def _remittance_title(remittance: Remittance) -> str:
    return _("Remise {number} du {date}").format(number=remittance.number,
                                                date=short_date(remittance.remittance_date))


def _by_remittance(line: LineFacts, facts: Facts, used: set[int]) -> Proposal | None:
    candidates = [
        r for r in facts.remittances
        if r.remittance_id not in used and r.total == line.remaining
        and 0 <= (line.booking_date - r.remittance_date).days <= REMITTANCE_DAYS]
    if not candidates:
        return None
    remittance = min(candidates, key=lambda r: (line.booking_date - r.remittance_date,
                                                r.remittance_id))
    used.add(remittance.remittance_id)
    return Proposal(line.line_id, TargetKind.REMITTANCE, remittance.remittance_id,
                    line.remaining, 100,
                    (_("montant = remise {number}").format(number=remittance.number),),
                    _remittance_title(remittance))


def _batch_title(batch: Batch) -> str:
    return _("Virements du {date} ({id})").format(date=short_date(batch.execution_date),
                                                 id=batch.message_id)


def _by_batch(line: LineFacts, facts: Facts, batch_open: dict[int, Decimal],
              used_transfers: set[tuple[int, int]]) -> Proposal | None:
    paid = -line.remaining
    near = sorted(
        (b for b in facts.batches
         if -BATCH_DAYS_BEFORE <= (line.booking_date - b.execution_date).days <= BATCH_DAYS_AFTER),
        key=lambda b: (abs((line.booking_date - b.execution_date).days), b.batch_id))
    for batch in near:
        if batch_open[batch.batch_id] == paid and batch.total == paid:
            batch_open[batch.batch_id] = ZERO
            return Proposal(line.line_id, TargetKind.PAYOUT_BATCH, batch.batch_id,
                            line.remaining, 100,
                            (_("montant = total des virements"),), _batch_title(batch))
    for batch in near:
        for index, transfer in enumerate(batch.transfers):
            if ((batch.batch_id, index) in used_transfers or transfer.amount != paid
                    or batch_open[batch.batch_id] < paid):
                continue
            named = facts.producer_named(line, transfer.producer_id)
            if named is None:
                continue
            used_transfers.add((batch.batch_id, index))
            batch_open[batch.batch_id] -= paid
            return Proposal(line.line_id, TargetKind.PAYOUT_BATCH, batch.batch_id,
                            line.remaining, 100,
                            (_("montant = virement à {name}").format(
                                name=transfer.producer_name), named), _batch_title(batch))
    return None


def _invoice_title(invoice: Invoice) -> str:
    return _("Facture {number} — {producer}").format(number=invoice.number,
                                                    producer=invoice.producer_name)


def _by_invoice(line: LineFacts, facts: Facts, left: dict[int, Decimal]) -> Proposal | None:
    paid = -line.remaining
    named = [i for i in facts.named_invoices(line.text) if left[i.invoice_id] > 0]
    if len(named) == 1:
        invoice = named[0]
        if paid <= left[invoice.invoice_id]:
            left[invoice.invoice_id] -= paid
            return Proposal(line.line_id, TargetKind.INVOICE, invoice.invoice_id,
                            line.remaining, 100,
                            (_("facture {number}").format(number=invoice.number),),
                            _invoice_title(invoice))
        return None
    if named:
        return None
    exact = [
        (invoice, why) for invoice in facts.invoices
        if left[invoice.invoice_id] == paid
        and (why := facts.producer_named(line, invoice.producer_id)) is not None]
    if len(exact) == 1:
        invoice, why = exact[0]
        left[invoice.invoice_id] = ZERO
        return Proposal(line.line_id, TargetKind.INVOICE, invoice.invoice_id, line.remaining,
                        100, (why, _("montant = reste à payer")), _invoice_title(invoice))
    return None


# --- suggestions ----------------------------------------------------------------------------------


def suggestions(line: LineFacts, facts: Facts, *, limit: int = 8) -> list[Proposal]:
    """Ranked candidates for one line, best first (ties: by title)."""
    if not line.remaining:
        return []
    found: list[Proposal] = []
    if line.remaining > 0:
        found += _household_suggestions(line, facts)
        found += _entry_suggestions(line, facts)
        found += _remittance_suggestions(line, facts)
    else:
        found += _invoice_suggestions(line, facts)
        found += _batch_suggestions(line, facts)
        found += _household_suggestions(line, facts)  # a refund by transfer
    found.sort(key=lambda p: (-p.score, p.title, p.target_id))
    return found[:limit]


def _date_bonus(line: LineFacts, day: dt.date, span: int, points: int) -> int:
    """Up to `points` for a date close to the line's, none beyond `span` days."""
    days = abs((line.booking_date - day).days)
    return max(0, round(points * (span - days) / span)) if days < span else 0


def _household_suggestions(line: LineFacts, facts: Facts) -> list[Proposal]:
    scores: dict[int, int] = defaultdict(int)
    reasons: dict[int, list[str]] = defaultdict(list)
    amount = abs(line.remaining)
    for member_id in facts.references.find(line.text):
        household = facts.household_by_id[member_id]
        scores[member_id] += 90
        reasons[member_id].append(_("référence {reference}").format(
            reference=household.reference))
    text_words = set(words(line.text))
    for household in facts.households:
        member_id = household.member_id
        if line.remaining > 0 and household.balance > 0 and household.balance == amount:
            scores[member_id] += 40
            reasons[member_id].append(_("montant = solde dû"))
        elif line.remaining < 0 and household.balance < 0 and -household.balance == amount:
            scores[member_id] += 40
            reasons[member_id].append(_("montant = crédit du foyer"))
        if line.remaining > 0:
            recent = [(day, what) for day, due, what in household.dues
                      if due == amount
                      and -7 <= (line.booking_date - day).days <= RECENT_ORDER_DAYS]
            if recent:
                day, what = min(recent, key=lambda d: abs((line.booking_date - d[0]).days))
                scores[member_id] += 30 + _date_bonus(line, day, RECENT_ORDER_DAYS, 15)
                reasons[member_id].append(_("montant = {what} du {date}").format(
                    what=what, date=short_date(day)))
        if text_words:
            similarity = household_similarity(text_words, household)
            if similarity >= NAME_THRESHOLD:
                scores[member_id] += round(50 * similarity)
                reasons[member_id].append(_("nom proche : {name}").format(name=household.name))
    return [Proposal(line.line_id, TargetKind.HOUSEHOLD, member_id, line.remaining,
                     min(100, score), tuple(reasons[member_id]),
                     _household_title(facts.household_by_id[member_id]))
            for member_id, score in scores.items() if score > 0]


def _entry_suggestions(line: LineFacts, facts: Facts) -> list[Proposal]:
    found = []
    named = facts.references.find(line.text)
    for payment in facts.transfers:
        days = (line.booking_date - payment.entry_date).days
        if payment.amount != line.remaining or not -ENTRY_DAYS_AFTER <= days <= ENTRY_DAYS_BEFORE:
            continue
        household = facts.household_by_id.get(payment.member_id)
        title = _household_title(household) if household else str(payment.member_id)
        reasons = [_("virement saisi le {date}, même montant").format(
            date=short_date(payment.entry_date))]
        score = 50 + _date_bonus(line, payment.entry_date, ENTRY_DAYS_BEFORE, 20)
        if payment.member_id in named and household is not None:
            score += 30
            reasons.insert(0, _("référence {reference}").format(reference=household.reference))
        found.append(Proposal(line.line_id, TargetKind.ENTRY, payment.entry_id, line.remaining,
                              min(100, score), tuple(reasons), title,
                              entry_id=payment.entry_id))
    return found


def _remittance_suggestions(line: LineFacts, facts: Facts) -> list[Proposal]:
    found = []
    squeezed = compact(line.text)
    for remittance in facts.remittances:
        reasons = []
        score = 0
        if compact(remittance.number) in squeezed:
            score += 60
            reasons.append(_("remise {number} citée").format(number=remittance.number))
        days = (line.booking_date - remittance.remittance_date).days
        if remittance.total == line.remaining and -3 <= days <= 45:
            score += 50 + _date_bonus(line, remittance.remittance_date, 45, 20)
            reasons.append(_("montant = remise {number}").format(number=remittance.number))
        if score:
            found.append(Proposal(line.line_id, TargetKind.REMITTANCE, remittance.remittance_id,
                                  min(line.remaining, remittance.total), min(100, score),
                                  tuple(reasons), _remittance_title(remittance)))
    return found


def _invoice_suggestions(line: LineFacts, facts: Facts) -> list[Proposal]:
    paid = -line.remaining
    scores: dict[int, int] = defaultdict(int)
    reasons: dict[int, list[str]] = defaultdict(list)
    by_id = {invoice.invoice_id: invoice for invoice in facts.invoices}
    for invoice in facts.named_invoices(line.text):
        scores[invoice.invoice_id] += 80
        reasons[invoice.invoice_id].append(_("facture {number}").format(number=invoice.number))
    named_producers: dict[int, str] = {}
    for producer_id in facts.invoices_by_producer:
        why = facts.producer_named(line, producer_id)
        if why is not None:
            named_producers[producer_id] = why
    for invoice in facts.invoices:
        if invoice.remaining == paid:
            scores[invoice.invoice_id] += 40
            reasons[invoice.invoice_id].append(_("montant = reste à payer"))
        why = named_producers.get(invoice.producer_id)
        if why is not None:
            scores[invoice.invoice_id] += 35
            reasons[invoice.invoice_id].append(why)
    return [Proposal(line.line_id, TargetKind.INVOICE, invoice_id,
                     -min(paid, by_id[invoice_id].remaining), min(100, score),
                     tuple(reasons[invoice_id]), _invoice_title(by_id[invoice_id]))
            for invoice_id, score in scores.items() if score >= 35]


def _batch_suggestions(line: LineFacts, facts: Facts) -> list[Proposal]:
    paid = -line.remaining
    found = []
    for batch in facts.batches:
        if batch.open <= 0:
            continue
        reasons = []
        score = 0
        if batch.open == paid:
            score = 60
            reasons.append(_("montant = virements restant à voir ({amount})").format(
                amount=format_money(batch.open)))
        else:
            for transfer in batch.transfers:
                if transfer.amount == paid and paid <= batch.open:
                    score = 45
                    reasons.append(_("montant = virement à {name}").format(
                        name=transfer.producer_name))
                    named = facts.producer_named(line, transfer.producer_id)
                    if named:
                        score += 30
                        reasons.append(named)
                    break
        if score:
            score += _date_bonus(line, batch.execution_date, 30, 15)
            found.append(Proposal(line.line_id, TargetKind.PAYOUT_BATCH, batch.batch_id,
                                  line.remaining, min(100, score), tuple(reasons),
                                  _batch_title(batch)))
    return found
