"""Paying producers' invoices by SEPA transfer, and the history of the files made.

`pay_invoices` takes invoices the co-op owes (their number, and an amount when
only part is paid now), makes the pain.001.001.03 file the treasurer uploads
to the co-op's bank, and — in the same transaction — keeps the file as a
`PayoutBatch` and posts one PAYOUT entry per invoice on the producer's
account: the invoice then shows as paid (or as partly paid) and the
producer's balance moves. The entries are dated the requested execution day,
the day the money leaves the account.

A file that was not sent after all (or that the bank refused) is cancelled by
`cancel_payout_batch`: each of its entries is cancelled by its exact opposite,
and the batch stays in the history, marked cancelled. A batch the bank
matching has already tied to a debit of the statement was executed and is
never cancelled.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coopfood.banking.sepa import (
    CreditTransfer,
    Debtor,
    SepaError,
    build_transfer_file,
    invoice_remittance,
    message_id,
    next_business_day,
)
from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.invoicing import InvoiceKind
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import EntryKind, PaymentMeans
from coopfood.i18n import N_, _, format_date, format_money, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BankMatch,
    Coop,
    Invoice,
    LedgerEntry,
    PayoutBatch,
    Producer,
)
from coopfood.services import (
    Actor,
    NotFound,
    ProgressCallback,
    ServiceError,
    ValidationError,
    audit,
    ledger,
    no_progress,
)
from coopfood.services import validation as check
from coopfood.services.access import require
from coopfood.services.ledger import TREASURERS, InvoiceDue

#: Where the treasurer puts right what a transfer file needs (named in the refusals).
COOP_SETTINGS = N_("Fichier › Paramètres de la coopérative…")


def now() -> dt.datetime:
    """The moment a file is made (a test may fix it)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# --- what the window and the command line get -----------------------------------------------


@dataclass(frozen=True)
class PayableInvoice:
    """A producer's invoice to the co-op with something left to pay."""

    invoice_id: int
    number: str
    producer_id: int
    producer_name: str
    issue_date: dt.date
    due_date: dt.date
    total: Decimal
    #: Credit notes on it, and what was already paid (positive amounts).
    credited: Decimal
    paid: Decimal
    remaining: Decimal
    #: The producer's IBAN, None when it has none yet (it cannot be paid by transfer).
    iban: str | None

    def overdue(self, today: dt.date) -> bool:
        return self.due_date < today


@dataclass(frozen=True)
class PayoutItem:
    """An invoice to pay, by its number; `amount` None pays all that remains."""

    number: str
    amount: Decimal | str | None = None


@dataclass(frozen=True)
class PaidInvoice:
    invoice_id: int
    number: str
    producer_id: int
    producer_name: str
    iban: str
    amount: Decimal
    #: What remains to pay on the invoice after this transfer.
    remaining: Decimal
    entry_id: int


@dataclass(frozen=True)
class PayoutResult:
    batch_id: int
    message_id: str
    execution_date: dt.date
    paid: tuple[PaidInvoice, ...]
    total: Decimal
    xml: bytes
    #: The file written, when one was asked for.
    path: Path | None

    @property
    def count(self) -> int:
        return len(self.paid)

    @property
    def summary(self) -> str:
        text = ngettext("{n} virement de {total} au total, exécution demandée le {date}.",
                        "{n} virements, {total} au total, exécution demandée le {date}.",
                        self.count).format(n=self.count, total=format_money(self.total),
                                           date=format_date(self.execution_date))
        if self.path is not None:
            text += " " + _("Fichier : {file}").format(file=self.path)
        return text


class BatchStatus:
    SENT = "sent"
    MATCHED = "matched"
    CANCELLED = "cancelled"
    PARTLY_CANCELLED = "partly_cancelled"


@dataclass(frozen=True)
class PayoutBatchRow:
    id: int
    message_id: str
    created_at: dt.datetime
    created_by: str
    execution_date: dt.date
    count: int
    total: Decimal
    #: The invoices it pays, by number.
    invoices: tuple[str, ...]
    producers: tuple[str, ...]
    #: How many of its payments were cancelled since.
    cancelled_count: int
    #: A bank line was matched to it: the bank executed it.
    matched: bool

    @property
    def status(self) -> str:
        if self.matched:
            return BatchStatus.MATCHED
        if self.cancelled_count and self.cancelled_count >= self.count:
            return BatchStatus.CANCELLED
        if self.cancelled_count:
            return BatchStatus.PARTLY_CANCELLED
        return BatchStatus.SENT

    @property
    def status_label(self) -> str:
        return {
            BatchStatus.SENT: _("Émis"),
            BatchStatus.MATCHED: _("Débité (rapproché)"),
            BatchStatus.CANCELLED: _("Annulé"),
            BatchStatus.PARTLY_CANCELLED: _("Annulé en partie"),
        }[self.status]

    @property
    def cancellable(self) -> bool:
        return self.status in (BatchStatus.SENT, BatchStatus.PARTLY_CANCELLED)


@dataclass(frozen=True)
class CancelReport:
    batch_id: int
    message_id: str
    reversed: int
    total: Decimal

    @property
    def summary(self) -> str:
        return ngettext("Lot {id} annulé : {n} paiement annulé ({total}), la facture est de "
                        "nouveau à payer.",
                        "Lot {id} annulé : {n} paiements annulés ({total}), les factures sont "
                        "de nouveau à payer.", self.reversed).format(
            id=self.message_id, n=self.reversed, total=format_money(self.total))


# --- invoices to pay -------------------------------------------------------------------------


def _payable(session: Session, rows: Sequence[InvoiceDue]) -> list[PayableInvoice]:
    ibans = dict(session.execute(select(Producer.id, Producer.iban).where(
        Producer.id.in_({r.producer_id for r in rows}))).all()) if rows else {}
    return [PayableInvoice(
        invoice_id=r.invoice_id, number=r.number, producer_id=r.producer_id,
        producer_name=r.producer_name, issue_date=r.issue_date, due_date=r.due_date,
        total=r.total, credited=r.credited, paid=r.paid, remaining=r.remaining,
        iban=ibans.get(r.producer_id) or None) for r in rows]


def payable_invoices(*, db: Database, actor: Actor,
                     due_by: dt.date | None = None) -> list[PayableInvoice]:
    """The invoices with something left to pay, oldest due first; with `due_by`, only
    those due on or before that day."""
    require(actor, TREASURERS, _("consulter les factures à payer"))
    with db.reading() as session:
        rows = ledger.invoices_due_in(session)
        if due_by is not None:
            rows = [r for r in rows if r.due_date <= due_by]
        rows.sort(key=lambda r: (r.due_date, r.producer_name, r.number))
        return _payable(session, rows)


# --- paying ------------------------------------------------------------------------------------


def _debtor(session: Session) -> Debtor:
    coop = session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()
    if coop is None or not coop.name.strip():
        raise ServiceError(_("La fiche de la coopérative n'est pas saisie : donnez son nom, "
                             "son IBAN et son BIC dans {where}, puis recommencez.").format(
            where=_(COOP_SETTINGS)))
    if not coop.iban:
        raise ServiceError(_("L'IBAN de la coopérative manque : c'est le compte d'où partent "
                             "les virements. Saisissez-le dans {where}, puis recommencez.")
                           .format(where=_(COOP_SETTINGS)))
    try:
        iban = check.iban(coop.iban, required=True)
    except ValidationError as error:
        raise ServiceError(_("{error} Corrigez l'IBAN de la coopérative dans {where}.").format(
            error=error, where=_(COOP_SETTINGS))) from None
    assert iban is not None
    bic = coop.bic or _bic_of(iban)
    if not bic:
        raise ServiceError(_("Le BIC de la banque de la coopérative manque et ne se déduit "
                             "pas de son IBAN : saisissez-le dans {where}, puis "
                             "recommencez.").format(where=_(COOP_SETTINGS)))
    return Debtor(name=coop.name, iban=iban, bic=bic)


def _bic_of(iban: str) -> str | None:
    """The BIC of a French bank, from the bank code in its IBAN (schwifty's registry)."""
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        bic = IBAN(iban).bic
    except SchwiftyException:
        return None
    return str(bic.compact) if bic is not None else None


def _wanted(items: Sequence[PayoutItem]) -> list[tuple[str, Decimal | None]]:
    """The numbers asked for with their amount, refusing one asked twice."""
    if not items:
        raise ValidationError(_("Choisissez au moins une facture à payer."), field="invoices")
    wanted: list[tuple[str, Decimal | None]] = []
    seen: set[str] = set()
    for item in items:
        number = item.number.strip().upper()
        if number in seen:
            raise ValidationError(_("La facture {number} est choisie deux fois : un virement "
                                    "la paie une seule fois.").format(number=number),
                                  field="invoices")
        seen.add(number)
        amount = None
        if item.amount is not None and str(item.amount).strip():
            amount = ledger.checked_amount(item.amount, label=_("Le montant à payer pour {n}")
                                           .format(n=number))
        wanted.append((number, amount))
    return wanted


def _invoices(session: Session, numbers: Sequence[str]) -> dict[str, Invoice]:
    query = select(Invoice).where(func.upper(Invoice.number).in_(list(numbers)))
    if session.get_bind().dialect.name == "postgresql":
        # Two treasurers paying the same invoice at once: the second waits, then sees it paid.
        query = query.with_for_update()
    found = {invoice.number.upper(): invoice for invoice in session.scalars(query)}
    for number in numbers:
        invoice = found.get(number)
        if invoice is None:
            raise NotFound(_("Facture {number} introuvable.").format(number=number))
        if invoice.kind is not InvoiceKind.INVOICE or invoice.buyer is not InvoiceBuyer.COOP:
            raise ValidationError(_("{number} n'est pas une facture d'un producteur à la "
                                    "coopérative : il n'y a rien à lui virer.").format(
                number=invoice.number), field="invoices")
    return found


def _check_ibans(producers: dict[int, Producer]) -> dict[int, str]:
    missing = sorted((p.name for p in producers.values() if not p.iban), key=str.casefold)
    if missing:
        raise ValidationError(ngettext(
            "Le producteur « {names} » n'a pas d'IBAN : saisissez-le dans sa fiche "
            "(Producteurs, « Modifier… », champ IBAN), puis recommencez.",
            "Ces producteurs n'ont pas d'IBAN : {names}. Saisissez-le dans leur fiche "
            "(Producteurs, « Modifier… », champ IBAN), puis recommencez.",
            len(missing)).format(names=missing[0] if len(missing) == 1
                                 else ", ".join(f"« {name} »" for name in missing)),
            field="iban")
    ibans = {}
    for producer in producers.values():
        try:
            iban = check.iban(producer.iban, required=True)
        except ValidationError as error:
            raise ValidationError(_("{producer} : {error} Corrigez-le dans sa fiche "
                                    "(Producteurs, « Modifier… »).").format(
                producer=producer.name, error=error), field="iban") from None
        assert iban is not None
        ibans[producer.id] = iban
    return ibans


def pay_invoices(*, db: Database, actor: Actor, items: Sequence[PayoutItem],
                 execution_date: dt.date | None = None, path: Path | str | None = None,
                 today: dt.date | None = None,
                 progress: ProgressCallback = no_progress) -> PayoutResult:
    """Pay these invoices by one SEPA transfer each: the file, the batch and the entries.

    `execution_date` defaults to the next business day. With `path`, the file is
    written there too — only once the batch is recorded, never a file without one.
    """
    require(actor, TREASURERS, _("payer les producteurs"))
    wanted = _wanted(items)
    day = today or dt.date.today()
    execution = execution_date or next_business_day(day)
    if execution < day:
        raise ValidationError(_("La date d'exécution ({date}) est passée : choisissez "
                                "aujourd'hui ou un jour à venir.").format(
            date=format_date(execution)), field="execution_date")
    target = Path(path) if path is not None else None
    temporary: Path | None = None
    total_steps = len(wanted) + 2
    try:
        with db.transaction() as session:
            progress(0, total_steps, _("Vérification des factures…"))
            debtor = _debtor(session)
            invoices = _invoices(session, [number for number, _amount in wanted])
            dues = {d.invoice_id: d for d in ledger.invoices_due_in(
                session, invoice_ids=[i.id for i in invoices.values()], unpaid_only=False)}
            producers = {p.id: p for p in session.scalars(select(Producer).where(
                Producer.id.in_({i.producer_id for i in invoices.values()})))}
            lines: list[tuple[Invoice, InvoiceDue, Decimal]] = []
            for number, amount in wanted:
                invoice = invoices[number]
                due = dues[invoice.id]
                name = producers[invoice.producer_id].name
                if due.settled:
                    raise ValidationError(_("La facture {number} ({producer}) est déjà réglée : "
                                            "il ne reste rien à payer.").format(
                        number=invoice.number, producer=name), field="invoices")
                pay = due.remaining if amount is None else amount
                if pay > due.remaining:
                    raise ValidationError(_(
                        "Pour la facture {number} ({producer}), {amount} dépasse ce qui reste "
                        "à payer : {remaining}.").format(
                        number=invoice.number, producer=name, amount=format_money(pay),
                        remaining=format_money(due.remaining)), field="amount")
                lines.append((invoice, due, pay))
            ibans = _check_ibans(producers)
            progress(1, total_steps, _("Préparation du fichier de virements…"))
            moment = now()
            sequence = (session.scalar(select(func.count()).select_from(PayoutBatch)) or 0) + 1
            msg_id = message_id(moment, sequence)
            transfers = [CreditTransfer(
                end_to_end_id=invoice.number, amount=pay,
                creditor_name=producers[invoice.producer_id].name,
                creditor_iban=ibans[invoice.producer_id],
                creditor_bic=producers[invoice.producer_id].bic or None,
                remittance=invoice_remittance(invoice.number, invoice.issue_date,
                                              partial=pay < due.remaining))
                for invoice, due, pay in lines]
            xml = build_transfer_file(debtor=debtor, transfers=transfers,
                                      execution_date=execution, message_id=msg_id,
                                      created_at=moment)
            total = sum((pay for _i, _d, pay in lines), ZERO)
            batch = PayoutBatch(message_id=msg_id, execution_date=execution,
                                transfer_count=len(lines), total=total,
                                debtor_iban=debtor.iban, xml=xml, created_at=moment,
                                created_by=actor.name)
            session.add(batch)
            session.flush()
            paid = []
            for step, (invoice, due, pay) in enumerate(lines, start=2):
                progress(step, total_steps, _("Facture {number}").format(number=invoice.number))
                entry = ledger.record_payout_in(
                    session, actor, producer_id=invoice.producer_id, amount=pay,
                    means=PaymentMeans.TRANSFER, entry_date=execution,
                    reference=invoice.number, invoice_id=invoice.id,
                    payout_batch_id=batch.id)
                producer = producers[invoice.producer_id]
                paid.append(PaidInvoice(
                    invoice_id=invoice.id, number=invoice.number, producer_id=producer.id,
                    producer_name=producer.name, iban=ibans[producer.id], amount=pay,
                    remaining=due.remaining - pay, entry_id=entry.id))
            audit.record(session, actor=actor, entity="payout_batch", entity_id=batch.id,
                         action="create", summary=ngettext(
                             "Virement SEPA {id} : {n} facture, {total}, le {date}",
                             "Virements SEPA {id} : {n} factures, {total}, le {date}",
                             len(paid)).format(id=msg_id, n=len(paid),
                                               total=format_money(total),
                                               date=format_date(execution, style="short")),
                         after={"message_id": msg_id, "total": total,
                                "execution_date": execution,
                                "invoices": {p.number: p.amount for p in paid}})
            progress(total_steps - 1, total_steps, _("Enregistrement…"))
            if target is not None:
                temporary = _write_beside(target, xml)
            result = PayoutResult(batch_id=batch.id, message_id=msg_id,
                                  execution_date=execution, paid=tuple(paid), total=total,
                                  xml=xml, path=target)
        if temporary is not None and target is not None:
            _move(temporary, target, msg_id)
            temporary = None
        progress(total_steps, total_steps, _("Terminé"))
        return result
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _write_beside(path: Path, content: bytes) -> Path:
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=".coopfood-", suffix=path.suffix, dir=directory)
        with os.fdopen(fd, "wb") as file:
            file.write(content)
    except OSError as error:
        raise ServiceError(_("Impossible d'écrire « {file} » : {reason}. Rien n'a été "
                             "enregistré.").format(file=path, reason=error.strerror or error)) \
            from None
    return Path(name)


def _move(temporary: Path, path: Path, msg_id: str) -> None:
    try:
        os.replace(temporary, path)
    except OSError as error:
        raise ServiceError(_(
            "Les virements sont enregistrés (lot {id}) mais le fichier n'a pas pu être écrit "
            "dans « {file} » : {reason}. Enregistrez-le depuis l'historique des lots.").format(
            id=msg_id, file=path, reason=error.strerror or error)) from None


# --- the history -------------------------------------------------------------------------------


def list_payout_batches(*, db: Database, actor: Actor) -> list[PayoutBatchRow]:
    """Every transfer file made, the latest first."""
    require(actor, TREASURERS, _("consulter les virements aux producteurs"))
    with db.reading() as session:
        batches = session.scalars(select(PayoutBatch).order_by(
            PayoutBatch.created_at.desc(), PayoutBatch.id.desc())).all()
        numbers: dict[int, list[str]] = defaultdict(list)
        producers: dict[int, list[str]] = defaultdict(list)
        cancelled: dict[int, int] = defaultdict(int)
        reversed_ids = select(LedgerEntry.reverses_id).where(
            LedgerEntry.reverses_id.is_not(None))
        for batch_id, reference, name, is_reversed in session.execute(
                select(LedgerEntry.payout_batch_id, LedgerEntry.reference, Producer.name,
                       LedgerEntry.id.in_(reversed_ids))
                .join(Producer, Producer.id == LedgerEntry.producer_id)
                .where(LedgerEntry.payout_batch_id.is_not(None),
                       LedgerEntry.kind == EntryKind.PAYOUT)
                .order_by(LedgerEntry.id)):
            if batch_id is None:
                continue
            numbers[batch_id].append(reference)
            if name not in producers[batch_id]:
                producers[batch_id].append(name)
            if is_reversed:
                cancelled[batch_id] += 1
        matched = set(session.scalars(select(BankMatch.payout_batch_id).where(
            BankMatch.payout_batch_id.is_not(None))))
        return [PayoutBatchRow(
            id=b.id, message_id=b.message_id, created_at=b.created_at,
            created_by=b.created_by, execution_date=b.execution_date,
            count=b.transfer_count, total=b.total, invoices=tuple(numbers[b.id]),
            producers=tuple(producers[b.id]), cancelled_count=cancelled[b.id],
            matched=b.id in matched) for b in batches]


def payout_file(*, db: Database, actor: Actor, batch_id: int) -> tuple[str, bytes]:
    """The message id and the file of a batch, as it was made."""
    require(actor, TREASURERS, _("consulter les virements aux producteurs"))
    with db.reading() as session:
        batch = session.get(PayoutBatch, batch_id)
        if batch is None:
            raise NotFound(_("Lot de virements n° {id} introuvable.").format(id=batch_id))
        return batch.message_id, batch.xml


def save_payout_file(*, db: Database, actor: Actor, batch_id: int, path: Path | str) -> Path:
    """Write a batch's file again (the very file made then)."""
    msg_id, xml = payout_file(db=db, actor=actor, batch_id=batch_id)
    target = Path(path)
    _move(_write_beside(target, xml), target, msg_id)
    return target


def cancel_payout_batch(*, db: Database, actor: Actor, batch_id: int, reason: str = "",
                        today: dt.date | None = None) -> CancelReport:
    """Cancel a file that was not sent (or that the bank refused): its payments are
    cancelled, its invoices are to pay again; the batch stays in the history."""
    require(actor, TREASURERS, _("annuler un lot de virements"))
    day = today or dt.date.today()
    with db.transaction() as session:
        batch = session.get(PayoutBatch, batch_id)
        if batch is None:
            raise NotFound(_("Lot de virements n° {id} introuvable.").format(id=batch_id))
        if session.scalar(select(BankMatch.id).where(BankMatch.payout_batch_id == batch_id)
                          .limit(1)) is not None:
            raise ValidationError(_(
                "Le lot {id} est rapproché d'un débit du relevé bancaire : la banque l'a "
                "exécuté, il ne s'annule plus. Un virement revenu se saisit comme un "
                "remboursement du producteur.").format(id=batch.message_id))
        reversed_ids = select(LedgerEntry.reverses_id).where(
            LedgerEntry.reverses_id.is_not(None))
        entries = session.scalars(select(LedgerEntry).where(
            LedgerEntry.payout_batch_id == batch_id, LedgerEntry.kind == EntryKind.PAYOUT,
            LedgerEntry.id.not_in(reversed_ids)).order_by(LedgerEntry.id)).all()
        if not entries:
            raise ValidationError(_("Le lot {id} est déjà annulé.").format(id=batch.message_id))
        why = reason.strip() or _("lot {id} non transmis à la banque").format(
            id=batch.message_id)
        total = ZERO
        for entry in entries:
            ledger.reverse_in(session, actor, entry_id=entry.id, reason=why,
                              entry_date=max(day, entry.entry_date))
            total += entry.amount
        audit.record(session, actor=actor, entity="payout_batch", entity_id=batch.id,
                     action="cancel", summary=_("Lot de virements {id} annulé ({total}) : "
                                                "{reason}").format(
                         id=batch.message_id, total=format_money(total), reason=why),
                     before={"total": total}, after={"total": ZERO})
        return CancelReport(batch_id=batch.id, message_id=batch.message_id,
                            reversed=len(entries), total=total)


__all__ = [
    "BatchStatus",
    "CancelReport",
    "PaidInvoice",
    "PayableInvoice",
    "PayoutBatchRow",
    "PayoutItem",
    "PayoutResult",
    "SepaError",
    "cancel_payout_batch",
    "list_payout_batches",
    "pay_invoices",
    "payable_invoices",
    "payout_file",
    "save_payout_file",
]
