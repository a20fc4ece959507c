"""Producer invoices and credit notes: drafts for a period, issued, reprinted, corrected.

A period's invoices are computed from the delivered lines of distributed
cycles (delivered quantity above zero, household present) that no invoice
has taken yet: one invoice per producer when the co-op buys (group purchase),
one per household when the households buy (AMAP direct sale). Lines of the
same item, price and delivery day are grouped into one invoice line. Drafts
are never stored: `preview_invoices` recomputes them every time, and
`issue_invoices` issues them.

Numbers. A producer who gave the co-op a billing mandate (autofacturation)
has its own series (its invoice prefix: « GAECDUPRE-2026-0001 »); without a
mandate the co-op cannot issue in the producer's name, and its documents are
numbered in the co-op's own series (« COOP-2026-0001 ») and say so. A number
is taken inside the transaction that issues the invoice, from a counter row
per series and year locked until the end of that transaction (SELECT … FOR
UPDATE on PostgreSQL; SQLite runs one writer at a time): a failure or a
cancel half-way rolls the numbers back with the invoices, and two people
issuing at once wait for each other rather than share or skip a number.

Once issued, nothing changes: the PDF drawn that day (with its Factur-X XML)
is stored and every reprint returns those bytes; triggers refuse any update
or deletion. Corrections are credit notes (avoirs) in the same series, citing
the corrected invoice's number and date, for some lines or quantities or the
whole, never more than what remains invoiced.
"""

from __future__ import annotations

import calendar
import datetime as dt
import multiprocessing
import os
import re
import time
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coopfood.documents import invoice as invoice_document
from coopfood.documents.invoice import (
    TYPE_CREDIT_NOTE,
    TYPE_INVOICE,
    TYPE_SELF_BILLED,
    InvoiceData,
    InvoiceLineData,
    Mention,
    Party,
    RenderedInvoice,
)
from coopfood.domain.enums import CycleState, InvoiceBuyer, Unit
from coopfood.domain.invoicing import (
    NO_VAT,
    InvoiceKind,
    Totals,
    closing_vat,
    invoice_number,
    invoice_totals,
    line_amount,
)
from coopfood.domain.money import AmountError, quantity
from coopfood.domain.vat import VatRegime, charges_vat
from coopfood.i18n import N_, _, format_date, format_number, ngettext, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Coop,
    Cycle,
    Invoice,
    InvoiceCounter,
    InvoicedOrderLine,
    InvoiceLine,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    household_name,
)
from coopfood.persistence.sql import cents_to_money, raw, sum_cents
from coopfood.services import (
    Actor,
    NotFound,
    PermissionDenied,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    audit,
    ledger,
    no_progress,
)
from coopfood.services.access import require
from coopfood.services.coop import DEFAULT_LEGAL_TEXTS
from coopfood.services.cycles import mark_invoiced

#: Who issues invoices and credit notes.
INVOICE_ISSUERS = frozenset({Role.ADMIN, Role.TREASURER})
#: Who reads them (a producer account: its own only).
INVOICE_READERS = frozenset({Role.ADMIN, Role.TREASURER, Role.PRODUCER})
#: The co-op's own series, for producers who gave no billing mandate.
COOP_SERIES = "COOP"
#: Perishable food: payment due at most 30 days after delivery (Code de commerce L441-11).
PERISHABLE_MAX_DAYS = 30
#: Below this many invoices, worker processes cost more to start than they save.
PARALLEL_MIN_INVOICES = 150
#: Invoices drawn, then written to the base, at a time (bounds the memory of a big run).
CHUNK = 400
REASON_MAX_LENGTH = 500
ZERO = Decimal("0.00")


def now() -> dt.datetime:
    """The moment of issue (a test may fix it)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """« novembre 2026 » for a whole month, else « du 03/11/2026 au 17/11/2026 »."""
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        if (self.start.day == 1 and self.end == self.start.replace(day=last)):
            return format_date(self.start, style="MMMM y")
        return _("du {start} au {end}").format(start=format_date(self.start, style="short"),
                                               end=format_date(self.end, style="short"))


def month_period(text: str) -> Period:
    """The month « AAAA-MM » as a period, or a French ValidationError."""
    match = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValidationError(
            _("Période « {text} » invalide : attendu un mois AAAA-MM, par exemple "
              "2026-11.").format(text=text), field="period")
    year, month = int(match.group(1)), int(match.group(2))
    return Period(dt.date(year, month, 1),
                  dt.date(year, month, calendar.monthrange(year, month)[1]))


def date_period(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise ValidationError(
            _("La période est inversée : le {end} précède le {start}.").format(
                start=format_date(start, style="short"), end=format_date(end, style="short")),
            field="period")
    return Period(start, end)


# --- what the window and the command line get -------------------------------------------------


class InvoiceStatus:
    ISSUED = "issued"
    PARTLY_CREDITED = "partly_credited"
    CREDITED = "credited"
    CREDIT_NOTE = "credit_note"

    LABELS: Mapping[str, str] = {
        ISSUED: N_("Émise"),
        PARTLY_CREDITED: N_("Avoir partiel"),
        CREDITED: N_("Annulée par avoir"),
        CREDIT_NOTE: N_("Avoir"),
    }


def status_label(status: str) -> str:
    return _(InvoiceStatus.LABELS[status])


@dataclass(frozen=True)
class InvoiceRow:
    id: int
    #: « GAECDUPRE-2026-0001 — GAEC du Pré Vert »
    name: str
    number: str
    kind: InvoiceKind
    #: issued, partly_credited, credited (invoices) or credit_note.
    status: str
    producer_id: int
    producer: str
    buyer: str
    member_id: int | None
    period_start: dt.date
    period_end: dt.date
    date: dt.date
    due_date: dt.date
    total_ht: Decimal
    total_vat: Decimal
    total_ttc: Decimal
    #: What is to be paid (the total with VAT); a credit note's amount is to deduct.
    total: Decimal
    self_billed: bool
    #: For a credit note: the invoice it corrects.
    corrected_number: str | None
    #: For an invoice: what credit notes took off it, with VAT.
    credited: Decimal

    @property
    def status_label(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True)
class Draft:
    """An invoice not issued yet: what it would be if issued now (nothing is stored)."""

    producer_id: int
    producer: str
    member_id: int | None
    buyer: str
    series: str
    data: InvoiceData
    #: The order lines it invoices.
    order_line_ids: tuple[int, ...]
    #: For each invoice line (by position), the order lines grouped in it.
    line_sources: tuple[tuple[int, ...], ...]
    cycle_ids: tuple[int, ...]

    @property
    def total_ht(self) -> Decimal:
        return self.data.totals.total_ht

    @property
    def total_vat(self) -> Decimal:
        return self.data.totals.total_vat

    @property
    def total_ttc(self) -> Decimal:
        return self.data.totals.total_ttc


@dataclass(frozen=True)
class InvoicePreview:
    period: Period
    drafts: tuple[Draft, ...]
    #: What the period holds that cannot be invoiced yet (weights not keyed…).
    warnings: tuple[str, ...]

    @property
    def total_ttc(self) -> Decimal:
        return sum((d.total_ttc for d in self.drafts), ZERO)


@dataclass(frozen=True)
class IssueReport:
    period: Period
    invoices: tuple[InvoiceRow, ...]
    warnings: tuple[str, ...]
    #: Distributions now wholly invoiced (state « Facturée »).
    cycles_invoiced: tuple[int, ...]
    seconds: float

    @property
    def nothing_new(self) -> bool:
        return not self.invoices

    @property
    def summary(self) -> str:
        if not self.invoices:
            return _("Rien de nouveau à facturer pour {period} : toutes les livraisons de la "
                     "période sont déjà facturées.").format(period=self.period.label)
        total = sum((row.total_ttc for row in self.invoices), ZERO)
        from coopfood.i18n import format_money

        return ngettext("{n} facture émise pour {period} ({first}), {total} au total.",
                        "{n} factures émises pour {period} ({first} à {last}), {total} au "
                        "total.", len(self.invoices)).format(
            n=len(self.invoices), period=self.period.label, first=self.invoices[0].number,
            last=self.invoices[-1].number, total=format_money(total))


@dataclass(frozen=True)
class InvoiceLineRow:
    id: int
    position: int
    designation: str
    quantity: Decimal
    unit: Unit
    unit_price_ht: Decimal
    vat_rate: Decimal
    total_ht: Decimal
    delivery_date: dt.date
    #: What credit notes already took of this line.
    credited_quantity: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.credited_quantity


@dataclass(frozen=True)
class InvoiceDetail:
    row: InvoiceRow
    lines: tuple[InvoiceLineRow, ...]
    reason: str


# --- access ------------------------------------------------------------------------------------


def _require_reader(actor: Actor) -> None:
    require(actor, INVOICE_READERS, _("consulter les factures"))


def _require_issuer(actor: Actor, what: str) -> None:
    require(actor, INVOICE_ISSUERS, what)


def _own(actor: Actor, invoice: Invoice) -> None:
    if actor.role is Role.PRODUCER and invoice.producer_id != actor.producer_id:
        raise PermissionDenied(_("{who} ne peut consulter que ses propres factures.").format(
            who=actor.name))


# --- gathering the drafts -----------------------------------------------------------------------


def _producer_of() -> Any:
    return func.coalesce(Product.producer_id, BasketType.producer_id)


def _to_invoice(period: Period) -> Any:
    """Delivered lines of distributed cycles in the period that no invoice took yet."""
    return (
        select(OrderLine.id, OrderLine.quantity_delivered, OrderLine.unit_price_ht,
               OrderLine.vat_rate, OrderLine.product_id, OrderLine.basket_type_id,
               Order.member_id, Cycle.id.label("cycle_id"), Cycle.distribution_date,
               _producer_of().label("producer_id"))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cycle, Cycle.id == Order.cycle_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
        .where(Cycle.state.in_((CycleState.DISTRIBUTED, CycleState.INVOICED)),
               Cycle.distribution_date.between(period.start, period.end),
               Order.absent.is_(False),
               OrderLine.quantity_delivered > Decimal(0),
               ~exists().where(InvoicedOrderLine.order_line_id == OrderLine.id))
    )


def _warnings(session: Session, period: Period, producer_ids: Collection[int] | None
              ) -> list[str]:
    """Lines of the period left out: not weighed yet, or of a distribution not done."""
    query = (
        select(Cycle.distribution_date, Cycle.state, func.count(OrderLine.id))
        .join(Order, Order.cycle_id == Cycle.id)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
        .where(Cycle.distribution_date.between(period.start, period.end),
               Order.absent.is_(False),
               or_(Cycle.state.in_((CycleState.OPEN, CycleState.CLOSED)),
                   (Cycle.state == CycleState.DISTRIBUTED)
                   & OrderLine.quantity_delivered.is_(None)))
        .group_by(Cycle.distribution_date, Cycle.state)
        .order_by(Cycle.distribution_date)
    )
    if producer_ids is not None:
        query = query.where(_producer_of().in_(producer_ids))
    warnings = []
    for day, state, count in session.execute(query):
        if state is CycleState.DISTRIBUTED:
            warnings.append(ngettext(
                "Distribution du {date} : {n} ligne à peser n'a pas de poids livré ; elle "
                "sera facturée une fois pesée.",
                "Distribution du {date} : {n} lignes à peser n'ont pas de poids livré ; elles "
                "seront facturées une fois pesées.", count).format(
                date=format_date(day), n=count))
        else:
            warnings.append(_("Distribution du {date} : elle n'est pas encore marquée "
                              "« distribuée », ses livraisons ne sont pas facturées.").format(
                date=format_date(day)))
    return warnings


def _party_of_producer(p: Producer) -> Party:
    return Party(name=p.name, legal_form=p.legal_form, address=p.address,
                 postal_code=p.postal_code, city=p.city,
                 siren=p.siret[:9] if p.siret else None, siret=p.siret,
                 vat_number=p.vat_number, iban=p.iban, bic=p.bic, business=True)


def _party_of_coop(c: Coop) -> Party:
    return Party(name=c.name, legal_form=c.legal_form, address=c.address,
                 postal_code=c.postal_code, city=c.city, siren=c.siren, siret=c.siret,
                 vat_number=c.vat_number, iban=c.iban, bic=c.bic, business=True)


def _party_of_member(m: Member) -> Party:
    return Party(name=household_name(m.last_name, m.first_name), address=m.address,
                 postal_code=m.postal_code, city=m.city, business=False)


def series_of(producer: Producer) -> str:
    """A self-billing producer's prefix; the co-op's series for the others."""
    return producer.invoice_prefix if producer.billing_mandate_date is not None else COOP_SERIES


def _legal(settings: Coop, key: str, **values: str) -> str:
    texts = {**DEFAULT_LEGAL_TEXTS, **(settings.legal_texts or {})}
    return texts[key].format(**values)


def _exemption(coop: Coop, regime: VatRegime) -> str | None:
    if regime is VatRegime.FRANCHISE:
        return _legal(coop, "franchise")
    if regime is VatRegime.FLAT_RATE_FARMER:
        return _legal(coop, "flat_rate_farmer")
    return None


def _issuer_mentions(coop: Coop, producer: Producer) -> tuple[Mention, ...]:
    if producer.billing_mandate_date is not None:
        return (Mention(_legal(coop, "autofacturation", coop=coop.name,
                               producteur=producer.name,
                               date=format_date(producer.billing_mandate_date))),)
    return (Mention(_("Document établi par {coop} pour {producteur}, qui n'a pas donné de "
                      "mandat de facturation : il est numéroté dans la série de la "
                      "coopérative.").format(coop=coop.name, producteur=producer.name)),)


def _mentions(coop: Coop, producer: Producer, buyer: Party, due: dt.date, days: int
              ) -> tuple[Mention, ...]:
    mentions = []
    exemption = _exemption(coop, producer.vat_regime)
    if exemption:
        mentions.append(Mention(exemption))
    mentions.append(Mention(_("Échéance : {date} ({days} jours après la dernière livraison ; "
                              "denrées périssables : 30 jours au plus).").format(
        date=format_date(due), days=days), "AAI"))
    if producer.iban:
        bank = f"IBAN {producer.iban}" + (f" — BIC {producer.bic}" if producer.bic else "")
        mentions.append(Mention(_("Règlement par virement au vendeur : {bank}.").format(
            bank=bank), "AAI"))
    if buyer.business:
        mentions.append(Mention(_legal(coop, "late_penalty"), "PMD"))
        mentions.append(Mention(_legal(coop, "recovery_indemnity"), "PMT"))
    return tuple(mentions)


def _basket_designation(name: str, day: dt.date) -> str:
    return _("{basket} — semaine {week}").format(basket=name, week=day.isocalendar()[1])


@dataclass
class _Group:
    designation: str
    unit: Unit
    unit_price: Decimal
    rate: Decimal
    day: dt.date
    quantity: Decimal
    sources: list[int]


def _drafts(session: Session, coop: Coop, period: Period, producer_ids: Collection[int] | None,
            issue_date: dt.date) -> list[Draft]:
    query = _to_invoice(period)
    if producer_ids is not None:
        query = query.where(_producer_of().in_(producer_ids))
    rows = session.execute(query).all()
    if not rows:
        return []
    producers = {p.id: p for p in session.scalars(
        select(Producer).where(Producer.id.in_({r.producer_id for r in rows})))}
    products = {p.id: p for p in session.scalars(
        select(Product).where(Product.id.in_({r.product_id for r in rows if r.product_id})))}
    baskets = {b.id: b for b in session.scalars(select(BasketType).where(
        BasketType.id.in_({r.basket_type_id for r in rows if r.basket_type_id})))}
    household_ids = {r.member_id for r in rows
                     if producers[r.producer_id].invoice_buyer is InvoiceBuyer.HOUSEHOLD}
    members = {m.id: m for m in session.scalars(
        select(Member).where(Member.id.in_(household_ids)))} if household_ids else {}

    invoices: dict[tuple[int, int | None], dict[tuple[Any, ...], _Group]] = defaultdict(dict)
    cycles: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    for row in rows:
        producer = producers[row.producer_id]
        buyer = row.member_id if producer.invoice_buyer is InvoiceBuyer.HOUSEHOLD else None
        rate = row.vat_rate if charges_vat(producer.vat_regime) else NO_VAT
        day = row.distribution_date
        if row.product_id is not None:
            product = products[row.product_id]
            key: tuple[Any, ...] = ("p", product.id, row.unit_price_ht, rate, day)
            designation, unit = product.name, product.unit
        else:
            basket = baskets[row.basket_type_id]
            key = ("b", basket.id, row.unit_price_ht, rate, day)
            designation, unit = _basket_designation(basket.name, day), Unit.BASKET
        groups = invoices[(producer.id, buyer)]
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(designation, unit, row.unit_price_ht, rate, day,
                                         Decimal("0.000"), [])
        group.quantity += row.quantity_delivered
        group.sources.append(row.id)
        cycles[(producer.id, buyer)].add(row.cycle_id)

    coop_party = _party_of_coop(coop)
    days = min(coop.payment_terms_days, PERISHABLE_MAX_DAYS)
    drafts = []
    for (producer_id, member_id), groups in invoices.items():
        producer = producers[producer_id]
        ordered = sorted(groups.values(), key=lambda g: (g.day, sort_key(g.designation),
                                                         g.unit_price))
        lines = tuple(
            InvoiceLineData(position=n, designation=g.designation, quantity=g.quantity,
                            unit=g.unit, unit_price_ht=g.unit_price, vat_rate=g.rate,
                            total_ht=line_amount(g.quantity, g.unit_price), delivery_date=g.day)
            for n, g in enumerate(ordered, start=1))
        totals = invoice_totals(((line.total_ht, line.vat_rate) for line in lines),
                                charges_vat=charges_vat(producer.vat_regime))
        delivery_dates = tuple(sorted({g.day for g in ordered}))
        buyer = coop_party if member_id is None else _party_of_member(members[member_id])
        due = max(issue_date, delivery_dates[-1] + dt.timedelta(days=days))
        self_billed = producer.billing_mandate_date is not None
        data = InvoiceData(
            kind=InvoiceKind.INVOICE, number=None,
            type_code=TYPE_SELF_BILLED if self_billed and member_id is None else TYPE_INVOICE,
            issue_date=issue_date, due_date=due, period_start=period.start,
            period_end=period.end, delivery_dates=delivery_dates,
            seller=_party_of_producer(producer), buyer=buyer, coop_name=coop.name,
            self_billed=self_billed, mandate_date=producer.billing_mandate_date,
            vat_regime=producer.vat_regime, lines=lines,
            totals=totals, issuer_mentions=_issuer_mentions(coop, producer),
            mentions=_mentions(coop, producer, buyer, due, days),
            exemption_reason=_exemption(coop, producer.vat_regime),
            printed_at=now().astimezone().replace(tzinfo=None))
        drafts.append(Draft(
            producer_id=producer_id, producer=producer.name, member_id=member_id,
            buyer=buyer.name, series=series_of(producer), data=data,
            order_line_ids=tuple(i for g in ordered for i in g.sources),
            line_sources=tuple(tuple(g.sources) for g in ordered),
            cycle_ids=tuple(sorted(cycles[(producer_id, member_id)]))))
    drafts.sort(key=lambda d: (d.series, sort_key(d.producer), sort_key(d.buyer)))
    return drafts


def _the_coop(session: Session) -> Coop:
    coop = session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()
    if coop is None:
        raise ServiceError(_("Saisissez d'abord la fiche de la coopérative (nom, adresse, "
                             "SIRET) : elle figure sur chaque facture."))
    return coop


def _check_producers(session: Session, producer_ids: Collection[int] | None) -> None:
    if producer_ids is None:
        return
    known = set(session.scalars(select(Producer.id).where(Producer.id.in_(producer_ids))))
    for producer_id in sorted(set(producer_ids) - known):
        raise ValidationError(_("Producteur n° {id} introuvable.").format(id=producer_id),
                              field="producer_ids")


def preview_invoices(*, db: Database, actor: Actor, period: Period,
                     producer_ids: Collection[int] | None = None,
                     issue_date: dt.date | None = None) -> InvoicePreview:
    """The invoices issuing the period now would make (nothing is stored)."""
    _require_issuer(actor, _("préparer les factures"))
    with db.reading() as session:
        coop = _the_coop(session)
        _check_producers(session, producer_ids)
        day = issue_date or dt.date.today()
        drafts = _drafts(session, coop, period, producer_ids, day)
        warnings = _warnings(session, period, producer_ids) + _incomplete_identities(drafts)
    return InvoicePreview(period=period, drafts=tuple(drafts), warnings=tuple(warnings))


def _incomplete_identities(drafts: Sequence[Draft]) -> list[str]:
    """What a French invoice must show and a seller's or the co-op's record lacks."""
    warnings = []
    seen: set[str] = set()
    for draft in drafts:
        parties = [draft.data.seller] + ([draft.data.buyer] if draft.data.buyer.business else [])
        for party in parties:
            if party.name in seen:
                continue
            seen.add(party.name)
            missing = [label for label, value in ((_("de SIRET"), party.siret or party.siren),
                                                  (_("d'adresse"), party.address))
                       if not value]
            if missing:
                warnings.append(_("« {name} » n'a pas {missing} : ses factures seront "
                                  "incomplètes (complétez sa fiche avant d'émettre).").format(
                    name=party.name, missing=_(" ni ").join(missing)))
    return warnings


def draft_pdf(draft: Draft) -> bytes:
    """A draft drawn as it would be issued, watermarked « BROUILLON — ne vaut pas facture »."""
    return invoice_document.draw_invoice(draft.data, draft=True)


# --- numbers ---------------------------------------------------------------------------------


def _lock_counter(session: Session, series: str, year: int) -> InvoiceCounter:
    """The counter of a series and a year, created if need be, locked until commit."""
    values = {"series": series, "year": year, "last_number": 0}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(InvoiceCounter).values(**values)
                        .on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(InvoiceCounter).values(**values).on_conflict_do_nothing())
    return session.scalars(
        select(InvoiceCounter).where(InvoiceCounter.series == series,
                                     InvoiceCounter.year == year)
        .with_for_update().execution_options(populate_existing=True)).one()


def _check_chronology(session: Session, series: str, year: int, day: dt.date) -> None:
    last = session.scalar(select(func.max(Invoice.issue_date)).where(
        Invoice.series == series, Invoice.year == year))
    if last is not None and day < last:
        raise ValidationError(
            _("La série {series} a déjà une facture du {last} : une facture suivante ne peut "
              "pas être datée du {day} (les numéros suivent l'ordre des dates).").format(
                series=series, last=format_date(last), day=format_date(day)),
            field="issue_date")


def _candidate_series(session: Session, coop: Coop, period: Period,
                      producer_ids: Collection[int] | None) -> list[str]:
    query = select(Producer).where(Producer.id.in_(
        select(_producer_of()).select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id).join(Cycle, Cycle.id == Order.cycle_id)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
        .where(Cycle.distribution_date.between(period.start, period.end),
               OrderLine.quantity_delivered > Decimal(0))))
    if producer_ids is not None:
        query = query.where(Producer.id.in_(producer_ids))
    series = set()
    for producer in session.scalars(query):
        if producer.billing_mandate_date is not None and producer.invoice_prefix == COOP_SERIES:
            raise ValidationError(
                _("Le préfixe de facturation {prefix} de « {name} » est celui de la série de "
                  "la coopérative : donnez-lui un autre préfixe avant de facturer.").format(
                    prefix=COOP_SERIES, name=producer.name), field="invoice_prefix")
        series.add(series_of(producer))
    return sorted(series)


# --- drawing -----------------------------------------------------------------------------------


def _workers(asked: int | None, count: int) -> int:
    if asked is not None:
        return max(1, min(asked, count))
    if count < PARALLEL_MIN_INVOICES:
        return 1
    return max(1, min(os.cpu_count() or 1, count))


def _render_here(datas: Sequence[InvoiceData]) -> Iterator[RenderedInvoice]:
    for data in datas:
        yield invoice_document.render_invoice(data)


class _Renderer:
    """Draws invoices here, or in worker processes for a big run (drawing is pure Python)."""

    def __init__(self, workers: int) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1:
            # "spawn": the window calls this from a worker thread, and forking a process
            # that runs threads (Qt's among them) is unsafe.
            self.pool = ProcessPoolExecutor(max_workers=workers,
                                            mp_context=multiprocessing.get_context("spawn"))

    def render(self, datas: Sequence[InvoiceData]) -> Iterable[RenderedInvoice]:
        if self.pool is None:
            return _render_here(datas)
        return self.pool.map(invoice_document.render_invoice, datas, chunksize=8)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


# --- issuing -----------------------------------------------------------------------------------


def _snapshot(data: InvoiceData) -> dict[str, Any]:
    return {
        "seller": data.seller.as_json(),
        "buyer": data.buyer.as_json(),
        "coop_name": data.coop_name,
        "issuer_mentions": [[m.text, m.subject] for m in data.issuer_mentions],
        "mentions": [[m.text, m.subject] for m in data.mentions],
        "exemption_reason": data.exemption_reason,
        "delivery_dates": [d.isoformat() for d in data.delivery_dates],
    }


def _store(session: Session, datas: Sequence[InvoiceData], rendered: Sequence[RenderedInvoice],
           *, producer_ids: Sequence[int], member_ids: Sequence[int | None],
           series: Sequence[str], sequences: Sequence[int], issued_at: dt.datetime,
           actor: Actor, sources: Sequence[tuple[tuple[int, ...], ...]] | None = None,
           corrected: Sequence[tuple[int | None, tuple[int, ...]]] | None = None,
           corrected_invoice_id: int | None = None) -> list[int]:
    """Insert issued invoices with their lines (and what each line invoiced)."""
    rows = []
    for index, (data, document) in enumerate(zip(datas, rendered, strict=True)):
        assert data.number is not None
        rows.append({
            "kind": data.kind, "number": data.number, "series": series[index],
            "year": data.issue_date.year, "sequence": sequences[index],
            "type_code": data.type_code, "producer_id": producer_ids[index],
            "buyer": InvoiceBuyer.COOP if member_ids[index] is None else InvoiceBuyer.HOUSEHOLD,
            "member_id": member_ids[index], "period_start": data.period_start,
            "period_end": data.period_end, "issue_date": data.issue_date,
            "first_delivery": min(data.delivery_dates), "last_delivery": max(data.delivery_dates),
            "due_date": data.due_date, "self_billed": data.self_billed,
            "mandate_date": data.mandate_date, "vat_regime": data.vat_regime,
            "corrected_invoice_id": corrected_invoice_id, "reason": data.reason,
            "total_ht": data.totals.total_ht, "total_vat": data.totals.total_vat,
            "total_ttc": data.totals.total_ttc, "parties": _snapshot(data),
            "pdf": document.pdf, "facturx_xml": document.xml, "issued_at": issued_at,
            "issued_by": actor.name,
        })
    ids = list(session.scalars(insert(Invoice).returning(Invoice.id,
                                                         sort_by_parameter_order=True), rows))
    line_rows = []
    for invoice_id, data, in zip(ids, datas, strict=True):
        for line in data.lines:
            line_rows.append({
                "invoice_id": invoice_id, "position": line.position,
                "designation": line.designation, "quantity": line.quantity, "unit": line.unit,
                "unit_price_ht": line.unit_price_ht, "vat_rate": line.vat_rate,
                "total_ht": line.total_ht, "delivery_date": line.delivery_date,
                "corrected_line_id": None,
            })
    if corrected is not None:
        for row, (corrected_line_id, _sources) in zip(line_rows, corrected, strict=True):
            row["corrected_line_id"] = corrected_line_id
    line_ids = list(session.scalars(insert(InvoiceLine).returning(
        InvoiceLine.id, sort_by_parameter_order=True), line_rows))
    if sources is not None:
        links: list[dict[str, int]] = []
        position = 0
        for invoice_sources in sources:
            for order_lines in invoice_sources:
                line_id = line_ids[position]
                links.extend({"order_line_id": o, "invoice_line_id": line_id}
                             for o in order_lines)
                position += 1
        session.execute(insert(InvoicedOrderLine), links)
    # What the co-op owes a producer goes on the producer's account as it is issued.
    for invoice_id, member_id in zip(ids, member_ids, strict=True):
        if member_id is None:
            ledger.sync_invoice(session, actor, invoice_id)
    return ids


def issue_invoices(*, db: Database, actor: Actor, period: Period,
                   producer_ids: Collection[int] | None = None,
                   issue_date: dt.date | None = None, processes: int | None = None,
                   progress: ProgressCallback = no_progress) -> IssueReport:
    """Issue the period's invoices: numbered, drawn with their Factur-X XML, stored.

    All in one transaction: a failure or a cancel (`Cancelled` raised by
    `progress`) leaves nothing issued and no number used. Issuing a period
    again issues only what was delivered and not invoiced since.
    """
    _require_issuer(actor, _("émettre les factures"))
    started = time.perf_counter()
    moment = now()
    day = issue_date or moment.astimezone().date()
    printed_at = moment.astimezone().replace(tzinfo=None)
    progress(0, 1, _("Lecture des livraisons…"))
    try:
        with db.transaction() as session:
            coop = _the_coop(session)
            _check_producers(session, producer_ids)
            counters = {}
            for series in _candidate_series(session, coop, period, producer_ids):
                counters[series] = _lock_counter(session, series, day.year)
            # The lines are read once the counters are locked: an issuer that waited for
            # another sees what that one invoiced.
            drafts = _drafts(session, coop, period, producer_ids, day)
            warnings = tuple(_warnings(session, period, producer_ids))
            if not drafts:
                return IssueReport(period, (), warnings, (), time.perf_counter() - started)
            last_delivery = max(d for draft in drafts for d in draft.data.delivery_dates)
            if day < last_delivery:
                raise ValidationError(
                    _("La date d'émission ({day}) précède la dernière livraison facturée "
                      "({delivery}).").format(day=format_date(day),
                                              delivery=format_date(last_delivery)),
                    field="issue_date")
            for series in counters:
                _check_chronology(session, series, day.year, day)
            numbered: list[tuple[Draft, int, InvoiceData]] = []
            for draft in drafts:
                counter = counters.get(draft.series)
                if counter is None:  # a mandate given since the series were locked
                    counter = counters[draft.series] = _lock_counter(session, draft.series,
                                                                     day.year)
                counter.last_number += 1
                number = invoice_number(draft.series, day.year, counter.last_number)
                numbered.append((draft, counter.last_number,
                                 replace(draft.data, number=number, printed_at=printed_at)))
            ids = _draw_and_store(session, numbered, processes, moment, actor, progress)
            session.flush()
            cycles_done = _close_cycles(session, actor, {c for d in drafts for c in d.cycle_ids})
            audit.record(session, actor=actor, entity="invoice", entity_id=ids[0],
                         action="issue", summary=_("{n} facture(s) émise(s) pour {period} : "
                                                   "{first} … {last}").format(
                n=len(ids), period=period.label, first=numbered[0][2].number,
                last=numbered[-1][2].number))
            rows = _rows(session, select(Invoice.id).where(Invoice.id.in_(ids)))
    except IntegrityError as error:
        if "invoiced_order_line" in str(error.orig) or "uq_invoice" in str(error.orig):
            raise ServiceError(_("Ces livraisons viennent d'être facturées par quelqu'un "
                                 "d'autre : rien n'a été émis, recommencez.")) from None
        raise
    progress(1, 1, _("Terminé"))
    order = {invoice_id: n for n, invoice_id in enumerate(ids)}
    return IssueReport(period, tuple(sorted(rows, key=lambda r: order[r.id])), warnings,
                       tuple(sorted(cycles_done)), round(time.perf_counter() - started, 3))


def _draw_and_store(session: Session, numbered: list[tuple[Draft, int, InvoiceData]],
                    processes: int | None, moment: dt.datetime, actor: Actor,
                    progress: ProgressCallback) -> list[int]:
    renderer = _Renderer(_workers(processes, len(numbered)))
    ids: list[int] = []
    try:
        for start in range(0, len(numbered), CHUNK):
            chunk = numbered[start:start + CHUNK]
            rendered: list[RenderedInvoice] = []
            for document in renderer.render([data for _d, _s, data in chunk]):
                rendered.append(document)
                done = start + len(rendered)
                if done % 10 == 0 or done == len(numbered):
                    progress(done, len(numbered),
                             _("Facture {number}").format(number=chunk[len(rendered) - 1][2]
                                                          .number))
            ids.extend(_store(
                session, [data for _d, _s, data in chunk], rendered,
                producer_ids=[d.producer_id for d, _s, _data in chunk],
                member_ids=[d.member_id for d, _s, _data in chunk],
                series=[d.series for d, _s, _data in chunk],
                sequences=[s for _d, s, _data in chunk], issued_at=moment, actor=actor,
                sources=[d.line_sources for d, _s, _data in chunk]))
    finally:
        renderer.close()
    return ids


def _close_cycles(session: Session, actor: Actor, cycle_ids: set[int]) -> list[int]:
    """Mark « Facturée » the distributions whose delivered lines are all invoiced now."""
    done = []
    for cycle_id in sorted(cycle_ids):
        state = session.scalar(select(Cycle.state).where(Cycle.id == cycle_id))
        if state is not CycleState.DISTRIBUTED:
            continue
        left = session.scalar(
            select(func.count(OrderLine.id))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, Order.absent.is_(False),
                   or_(OrderLine.quantity_delivered > Decimal(0),
                       OrderLine.quantity_delivered.is_(None)),
                   ~exists().where(InvoicedOrderLine.order_line_id == OrderLine.id)))
        if not left:
            mark_invoiced(session, actor=actor, cycle_id=cycle_id)
            done.append(cycle_id)
    return done


# --- credit notes ----------------------------------------------------------------------------


def _data_of(invoice: Invoice, lines: Sequence[InvoiceLineData]) -> InvoiceData:
    """An issued invoice as data again (from what was kept on the day of issue)."""
    parties = invoice.parties
    totals = invoice_totals(((line.total_ht, line.vat_rate) for line in lines),
                            charges_vat=charges_vat(invoice.vat_regime))
    return InvoiceData(
        kind=invoice.kind, number=invoice.number, type_code=invoice.type_code,
        issue_date=invoice.issue_date, due_date=invoice.due_date,
        period_start=invoice.period_start, period_end=invoice.period_end,
        delivery_dates=tuple(dt.date.fromisoformat(d) for d in parties["delivery_dates"]),
        seller=Party.from_json(parties["seller"]), buyer=Party.from_json(parties["buyer"]),
        coop_name=parties["coop_name"], self_billed=invoice.self_billed,
        mandate_date=invoice.mandate_date,
        vat_regime=invoice.vat_regime, lines=tuple(lines), totals=totals,
        issuer_mentions=tuple(Mention(t, s) for t, s in parties["issuer_mentions"]),
        mentions=tuple(Mention(t, s) for t, s in parties["mentions"]),
        exemption_reason=parties.get("exemption_reason"), reason=invoice.reason)


def _credited(session: Session, line_ids: Collection[int]) -> dict[int, tuple[Decimal, Decimal]]:
    """For lines of an invoice: (quantity, amount) credit notes already took."""
    found: dict[int, tuple[Decimal, Decimal]] = {}
    for line in session.scalars(select(InvoiceLine).where(
            InvoiceLine.corrected_line_id.in_(line_ids))):
        assert line.corrected_line_id is not None
        qty, amount = found.get(line.corrected_line_id, (Decimal("0.000"), ZERO))
        found[line.corrected_line_id] = (qty + line.quantity, amount + line.total_ht)
    return found


def _find_invoice(session: Session, number: str) -> Invoice:
    invoice = session.scalars(select(Invoice).where(Invoice.number == number.strip())).first()
    if invoice is None:
        raise NotFound(_("Facture n° {number} introuvable.").format(number=number))
    return invoice


def _credit_quantities(lines: Mapping[int, Decimal | str] | None) -> dict[int, Decimal] | None:
    if lines is None:
        return None
    wanted: dict[int, Decimal] = {}
    for position, value in lines.items():
        try:
            qty = quantity(value)
        except AmountError as error:
            raise ValidationError(_("Ligne {n} : {error}.").format(n=position, error=error),
                                  field="lines") from None
        if qty <= 0:
            raise ValidationError(_("Ligne {n} : la quantité à créditer doit être supérieure "
                                    "à zéro.").format(n=position), field="lines")
        wanted[position] = qty
    if not wanted:
        raise ValidationError(_("Choisissez au moins une ligne à créditer."), field="lines")
    return wanted


@dataclass(frozen=True)
class CreditNoteResult:
    row: InvoiceRow
    pdf: bytes


def issue_credit_note(*, db: Database, actor: Actor, number: str, reason: str,
                      lines: Mapping[int, Decimal | str] | None = None,
                      issue_date: dt.date | None = None) -> CreditNoteResult:
    """A credit note (avoir) on the invoice `number`: the whole of what remains invoiced,
    or `lines` {line number on the invoice: quantity to credit}."""
    _require_issuer(actor, _("établir un avoir"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Donnez le motif de l'avoir : il est imprimé et gardé."),
                              field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(_("Le motif est trop long ({n} caractères, {max} au plus).")
                              .format(n=len(reason), max=REASON_MAX_LENGTH), field="reason")
    wanted = _credit_quantities(lines)
    moment = now()
    day = issue_date or moment.astimezone().date()
    with db.transaction() as session:
        original = _find_invoice(session, number)
        if original.kind is not InvoiceKind.INVOICE:
            raise ValidationError(_("{number} est un avoir : un avoir corrige une facture, "
                                    "pas un autre avoir.").format(number=original.number),
                                  field="number")
        counter = _lock_counter(session, original.series, day.year)
        if day < original.issue_date:
            raise ValidationError(_("Un avoir ne peut pas être daté d'avant la facture qu'il "
                                    "corrige ({date}).").format(
                date=format_date(original.issue_date)), field="issue_date")
        _check_chronology(session, original.series, day.year, day)
        by_position = {line.position: line for line in original.lines}
        credited = _credited(session, [line.id for line in original.lines])
        chosen: list[tuple[InvoiceLine, Decimal]] = []
        if wanted is None:
            for line in original.lines:
                left = line.quantity - credited.get(line.id, (Decimal(0), ZERO))[0]
                if left > 0:
                    chosen.append((line, left))
            if not chosen:
                raise ValidationError(_("La facture {number} est déjà entièrement annulée par "
                                        "avoir.").format(number=original.number), field="lines")
        else:
            for position, qty in sorted(wanted.items()):
                found = by_position.get(position)
                if found is None:
                    raise ValidationError(ngettext(
                        "La facture {number} n'a pas de ligne n° {n} (elle a {count} ligne).",
                        "La facture {number} n'a pas de ligne n° {n} (elle a {count} lignes).",
                        len(by_position)).format(number=original.number, n=position,
                                                 count=len(by_position)), field="lines")
                line = found
                already = credited.get(line.id, (Decimal("0.000"), ZERO))[0]
                left = line.quantity - already
                if qty > left:
                    raise ValidationError(_(
                        "Ligne {n} ({designation}) : impossible de créditer {qty}, il ne reste "
                        "que {left} de facturé sur {invoiced} (déjà crédité : {already})."
                    ).format(n=position, designation=line.designation,
                             qty=format_number(qty), left=format_number(left),
                             invoiced=format_number(line.quantity),
                             already=format_number(already)), field="lines")
                chosen.append((line, qty))
        credit_lines = []
        for n, (line, qty) in enumerate(chosen, start=1):
            done_qty, done_amount = credited.get(line.id, (Decimal("0.000"), ZERO))
            # The last part credited takes what remains, so the credits add up to the line.
            amount = (line.total_ht - done_amount if qty == line.quantity - done_qty
                      else line_amount(qty, line.unit_price_ht))
            credit_lines.append(InvoiceLineData(
                position=n, designation=line.designation, quantity=qty, unit=line.unit,
                unit_price_ht=line.unit_price_ht, vat_rate=line.vat_rate, total_ht=amount,
                delivery_date=line.delivery_date))
        totals = invoice_totals(((c.total_ht, c.vat_rate) for c in credit_lines),
                                charges_vat=charges_vat(original.vat_regime))
        totals = _last_credit_vat(session, original, chosen, credited, totals)
        base = _data_of(original, [])
        counter.last_number += 1
        credit_number = invoice_number(original.series, day.year, counter.last_number)
        regime_mention = tuple(m for m in base.mentions if m.text == base.exemption_reason)
        data = replace(
            base, kind=InvoiceKind.CREDIT_NOTE, number=credit_number,
            type_code=TYPE_CREDIT_NOTE, issue_date=day, due_date=day, lines=tuple(credit_lines),
            totals=totals,
            delivery_dates=tuple(sorted({c.delivery_date for c in credit_lines})),
            mentions=regime_mention, corrected_number=original.number,
            corrected_date=original.issue_date, reason=reason,
            printed_at=moment.astimezone().replace(tzinfo=None))
        document = invoice_document.render_invoice(data)
        [credit_id] = _store(
            session, [data], [document], producer_ids=[original.producer_id],
            member_ids=[original.member_id], series=[original.series],
            sequences=[counter.last_number], issued_at=moment, actor=actor,
            corrected=[(line.id, ()) for line, _qty in chosen],
            corrected_invoice_id=original.id)
        audit.record(session, actor=actor, entity="invoice", entity_id=credit_id,
                     action="credit_note", summary=_("Avoir {credit} sur la facture {number} : "
                                                     "{reason}").format(
            credit=credit_number, number=original.number, reason=reason))
        [row] = _rows(session, select(Invoice.id).where(Invoice.id == credit_id))
    return CreditNoteResult(row=row, pdf=document.pdf)


def _last_credit_vat(session: Session, original: Invoice,
                     chosen: Sequence[tuple[InvoiceLine, Decimal]],
                     credited: Mapping[int, tuple[Decimal, Decimal]], totals: Totals) -> Totals:
    """Where this credit note credits the last of the invoice's lines at a rate, its VAT at
    that rate is the invoice's VAT there less the VAT of the earlier credit notes."""
    if not totals.breakdown:
        return totals
    now_credited = {line.id: qty for line, qty in chosen}
    closed = {
        rate for rate in {line.vat_rate for line, _qty in chosen}
        if all(line.quantity == credited.get(line.id, (Decimal(0), ZERO))[0]
               + now_credited.get(line.id, Decimal(0))
               for line in original.lines if line.vat_rate == rate)
    }
    if not closed:
        return totals
    invoiced = {b.rate: b.vat for b in _totals_of(original.lines, original).breakdown}
    earlier: dict[Decimal, Decimal] = {}
    for note in session.scalars(select(Invoice).where(
            Invoice.corrected_invoice_id == original.id)):
        for b in _totals_of(note.lines, original).breakdown:
            earlier[b.rate] = earlier.get(b.rate, ZERO) + b.vat
    remaining = {rate: invoiced.get(rate, ZERO) - earlier.get(rate, ZERO) for rate in closed}
    return closing_vat(totals, remaining_vat=remaining, closed_rates=closed)


def _totals_of(lines: Iterable[InvoiceLine], invoice: Invoice) -> Totals:
    return invoice_totals(((line.total_ht, line.vat_rate) for line in lines),
                          charges_vat=charges_vat(invoice.vat_regime))


# --- reading ---------------------------------------------------------------------------------


def _rows(session: Session, ids_query: Any) -> list[InvoiceRow]:
    query = (select(Invoice.id, Invoice.number, Invoice.kind, Invoice.producer_id,
                    Producer.name, Invoice.parties, Invoice.member_id, Invoice.period_start,
                    Invoice.period_end, Invoice.issue_date, Invoice.due_date, Invoice.total_ht,
                    Invoice.total_vat, Invoice.total_ttc, Invoice.self_billed,
                    Invoice.corrected_invoice_id)
             .join(Producer, Producer.id == Invoice.producer_id)
             .where(Invoice.id.in_(ids_query))
             .order_by(Invoice.issue_date.desc(), Invoice.series, Invoice.sequence.desc()))
    rows = session.execute(query).all()
    ids = [r.id for r in rows]
    credits: dict[int, tuple[Decimal, Decimal]] = {}
    numbers: dict[int, str] = {}
    if ids:
        for corrected_id, ttc, ht in session.execute(
                select(Invoice.corrected_invoice_id, sum_cents(raw(Invoice.total_ttc)),
                       sum_cents(raw(Invoice.total_ht)))
                .where(Invoice.corrected_invoice_id.in_(ids))
                .group_by(Invoice.corrected_invoice_id)):
            if corrected_id is not None:
                credits[corrected_id] = (cents_to_money(ttc), cents_to_money(ht))
        corrected_ids = {r.corrected_invoice_id for r in rows if r.corrected_invoice_id}
        if corrected_ids:
            numbers = {invoice_id: number for invoice_id, number in session.execute(
                select(Invoice.id, Invoice.number).where(Invoice.id.in_(corrected_ids)))}
    result = []
    for r in rows:
        credited_ttc, credited_ht = credits.get(r.id, (ZERO, ZERO))
        if r.kind is InvoiceKind.CREDIT_NOTE:
            status = InvoiceStatus.CREDIT_NOTE
        elif credited_ht >= r.total_ht and credited_ht > 0:
            status = InvoiceStatus.CREDITED
        elif credited_ht > 0:
            status = InvoiceStatus.PARTLY_CREDITED
        else:
            status = InvoiceStatus.ISSUED
        result.append(InvoiceRow(
            id=r.id, name=f"{r.number} — {r.name}", number=r.number, kind=r.kind,
            status=status, producer_id=r.producer_id, producer=r.name,
            buyer=r.parties["buyer"]["name"], member_id=r.member_id,
            period_start=r.period_start, period_end=r.period_end, date=r.issue_date,
            due_date=r.due_date, total_ht=r.total_ht, total_vat=r.total_vat,
            total_ttc=r.total_ttc, total=r.total_ttc, self_billed=r.self_billed,
            corrected_number=(numbers.get(r.corrected_invoice_id)
                              if r.corrected_invoice_id is not None else None),
            credited=credited_ttc))
    return result


def list_invoices(*, db: Database, actor: Actor, producer_id: int | None = None,
                  year: int | None = None, search: str = "") -> list[InvoiceRow]:
    """Invoices and credit notes, newest first; a producer account sees its own only."""
    _require_reader(actor)
    ids = select(Invoice.id)
    if actor.role is Role.PRODUCER:
        ids = ids.where(Invoice.producer_id == actor.producer_id)
    if producer_id is not None:
        ids = ids.where(Invoice.producer_id == producer_id)
    if year is not None:
        ids = ids.where(Invoice.issue_date.between(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    with db.reading() as session:
        rows = _rows(session, ids)
    if search.strip():
        words = [sort_key(w) for w in search.split()]
        rows = [r for r in rows
                if all(w in sort_key(f"{r.number} {r.producer} {r.buyer}") for w in words)]
    return rows


def invoice_years(*, db: Database, actor: Actor) -> list[int]:
    """The years invoices were issued in, newest first."""
    _require_reader(actor)
    with db.reading() as session:
        query = select(Invoice.year).distinct()
        if actor.role is Role.PRODUCER:
            query = query.where(Invoice.producer_id == actor.producer_id)
        return sorted(session.scalars(query), reverse=True)


def get_invoice(*, db: Database, actor: Actor, number: str) -> InvoiceDetail:
    """An invoice with its lines and what credit notes already took of each."""
    _require_reader(actor)
    with db.reading() as session:
        invoice = _find_invoice(session, number)
        _own(actor, invoice)
        credited = _credited(session, [line.id for line in invoice.lines])
        lines = tuple(InvoiceLineRow(
            id=line.id, position=line.position, designation=line.designation,
            quantity=line.quantity, unit=line.unit, unit_price_ht=line.unit_price_ht,
            vat_rate=line.vat_rate, total_ht=line.total_ht, delivery_date=line.delivery_date,
            credited_quantity=credited.get(line.id, (Decimal("0.000"), ZERO))[0])
            for line in invoice.lines)
        [row] = _rows(session, select(Invoice.id).where(Invoice.id == invoice.id))
        return InvoiceDetail(row=row, lines=lines, reason=invoice.reason)


def invoice_pdf(*, db: Database, actor: Actor, invoice_id: int) -> bytes:
    """The PDF as issued: a reprint is the very same document, byte for byte."""
    _require_reader(actor)
    with db.reading() as session:
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound(_("Facture n° {id} introuvable.").format(id=invoice_id))
        _own(actor, invoice)
        return bytes(invoice.pdf)


def write_invoice_pdfs(*, db: Database, actor: Actor, invoice_ids: Iterable[int],
                       out_dir: Path) -> list[Path]:
    """Write the issued PDFs into `out_dir` as « NUMÉRO.pdf »."""
    _require_reader(actor)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error)) from error
    paths = []
    wanted = list(invoice_ids)
    with db.reading() as session:
        for start in range(0, len(wanted), 500):
            for invoice in session.scalars(select(Invoice).where(
                    Invoice.id.in_(wanted[start:start + 500])).order_by(Invoice.number)):
                _own(actor, invoice)
                path = out_dir / f"{invoice.number}.pdf"
                try:
                    path.write_bytes(invoice.pdf)
                except OSError as error:
                    raise ServiceError(_("Impossible d'écrire « {file} » : {reason}").format(
                        file=path, reason=error.strerror or error)) from error
                paths.append(path)
    return paths



# --- the list as a spreadsheet -------------------------------------------------------------------

#: (header, value of a row) of the exported list.
EXPORT_COLUMNS: tuple[tuple[str, Callable[[InvoiceRow], str | Decimal | dt.date | None]], ...] = (
    ("Numéro", lambda r: r.number),
    ("Type", lambda r: r.kind.label),
    ("Date", lambda r: r.date),
    ("Producteur", lambda r: r.producer),
    ("Client", lambda r: r.buyer),
    ("Début de période", lambda r: r.period_start),
    ("Fin de période", lambda r: r.period_end),
    ("Échéance", lambda r: r.due_date),
    ("Total HT", lambda r: r.total_ht),
    ("TVA", lambda r: r.total_vat),
    ("Total TTC", lambda r: r.total_ttc),
    ("Statut", lambda r: r.status_label),
    ("Facture corrigée", lambda r: r.corrected_number),
)


def export_invoice_list(*, db: Database, actor: Actor, path: Path,
                        rows: Sequence[InvoiceRow] | None = None) -> int:
    """Write the list (all invoices, or `rows`) to a CSV or XLSX file; returns the rows.

    As the other exports: a CSV is UTF-8 with BOM, `;`-separated, decimal commas; a
    cell a spreadsheet would run as a formula is written as text.
    """
    from coopfood.exports import csv_text, looks_like_formula

    _require_reader(actor)
    if rows is not None and actor.role is Role.PRODUCER and any(
            row.producer_id != actor.producer_id for row in rows):
        raise PermissionDenied(_("{who} ne peut consulter que ses propres factures.").format(
            who=actor.name))
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(_("Choisissez un nom de fichier en .csv ou en .xlsx (« {file} »).")
                              .format(file=path.name), field="path")
    listed = list(rows) if rows is not None else list_invoices(db=db, actor=actor)
    headers = [_(header) for header, _value in EXPORT_COLUMNS]
    table = [[value(row) for _header, value in EXPORT_COLUMNS] for row in listed]
    if suffix == ".csv":
        import csv
        import io

        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerow(headers)
        for cells in table:
            writer.writerow(["" if c is None else f"{c:.2f}".replace(".", ",")
                             if isinstance(c, Decimal) else c.strftime("%d/%m/%Y")
                             if isinstance(c, dt.date) else csv_text(c) for c in cells])
        content = buffer.getvalue().encode("utf-8-sig")
    else:
        content = _xlsx(headers, table, looks_like_formula)
    _write_atomically(path, content)
    return len(table)


def _xlsx(headers: list[str], table: list[list[Any]], formula: Callable[[str], bool]) -> bytes:
    import io

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Factures")
    for position, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=position, value=header)
        cell.font = Font(bold=True)
    for number, cells in enumerate(table, start=2):
        for position, value in enumerate(cells, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=number, column=position)
            if isinstance(value, Decimal):
                cell.value = value
                cell.number_format = "#,##0.00"
            elif isinstance(value, dt.date):
                cell.value = value
                cell.number_format = "DD/MM/YYYY"
            else:
                # A control character pasted into a name would make openpyxl refuse the file.
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", str(value))
                cell.data_type = "s"  # never a formula
                if formula(value):
                    cell.quotePrefix = True
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_atomically(path: Path, content: bytes) -> None:
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=".coopfood-", suffix=path.suffix,
                                                 dir=folder)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except OSError as error:
        raise ServiceError(_("Impossible d'écrire « {file} » : {reason}.").format(
            file=path, reason=error.strerror or error)) from None
