"""The cash box of a distribution at a point: opened with a float, counted at the end.

One box per distribution, point and currency: euros, and apart from them the
local currency (monnaie locale) when the co-op takes one. What should be in
a box is its float plus the cash payments the ledger holds for that
distribution and point (entries with that means, `cycle_id` and `point_id`),
less the cash paid back and the payments cancelled since: the ledger is the
one record of money taken, the box only counts it.

Closing keeps what was expected, what was counted and the difference
(counted − expected) as they were that day, with a note. A difference is
shown, never hidden nor put right here: a closed box does not reopen, and a
real loss or gain goes to the ledger as a correction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import CashCurrency, EntryKind, PaymentMeans
from coopfood.i18n import _, format_date, format_datetime, format_money
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    CashSession,
    Cycle,
    CyclePoint,
    DistributionPoint,
    LedgerEntry,
)
from coopfood.persistence.sql import cents_to_money, raw, sum_cents
from coopfood.services import Actor, NotFound, Role, ValidationError, audit
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.ledger import PAYMENT_TAKERS

#: Who opens, counts and closes a cash box: those who take payments at a distribution.
CASH_KEEPERS = PAYMENT_TAKERS
#: The payment means each box counts.
MEANS = {CashCurrency.EURO: PaymentMeans.CASH,
         CashCurrency.LOCAL: PaymentMeans.LOCAL_CURRENCY}
#: Entries that move cash in or out of the box (a reversal cancels one of the others).
CASH_KINDS = (EntryKind.PAYMENT, EntryKind.REFUND, EntryKind.REVERSAL)
NOTE_MAX = 300


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class CashBoxRow:
    id: int
    cycle_id: int
    cycle_date: dt.date
    cycle_name: str
    point_id: int
    point: str
    currency: CashCurrency
    opening_float: Decimal
    #: Payments taken in this currency (as a positive amount) and how many.
    received: Decimal
    payment_count: int
    #: Cash paid back and payments cancelled since (a positive amount goes out).
    paid_out: Decimal
    #: Float + received − paid out: as of now while open, as kept when closed.
    expected: Decimal
    counted: Decimal | None
    #: counted − expected (< 0: missing money).
    difference: Decimal | None
    note: str
    closed_at: dt.datetime | None
    closed_by: str

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def name(self) -> str:
        return _("Caisse {currency} — {point}, {date}").format(
            currency=self.currency.label.lower(), point=self.point,
            date=format_date(self.cycle_date, style="short"))

    @property
    def status_label(self) -> str:
        if self.closed_at is None:
            return _("Ouverte")
        return _("Fermée le {moment} par {who}").format(
            moment=format_datetime(self.closed_at), who=self.closed_by)

    @property
    def difference_text(self) -> str:
        """« juste », « il manque 2,50 € », « 1,00 € en trop », or empty while open."""
        if self.difference is None:
            return ""
        if self.difference == 0:
            return _("juste")
        if self.difference < 0:
            return _("il manque {amount}").format(amount=format_money(-self.difference))
        return _("{amount} en trop").format(amount=format_money(self.difference))


# --- reading ---------------------------------------------------------------------------------


def _flows(session: Session, box: CashSession) -> tuple[Decimal, int, Decimal]:
    """(received, number of payments, paid out) for the box's distribution, point, means."""
    amount = raw(LedgerEntry.amount)
    received, count, net = session.execute(
        select(sum_cents(case((LedgerEntry.kind == EntryKind.PAYMENT, -amount), else_=0)),
               func.count(case((LedgerEntry.kind == EntryKind.PAYMENT, LedgerEntry.id))),
               sum_cents(-amount))
        .where(LedgerEntry.cycle_id == box.cycle_id, LedgerEntry.point_id == box.point_id,
               LedgerEntry.means == MEANS[box.currency], LedgerEntry.kind.in_(CASH_KINDS),
               LedgerEntry.member_id.is_not(None))).one()
    taken = cents_to_money(received)
    return taken, int(count or 0), taken - cents_to_money(net)


def _query() -> Select[CashSession, dt.date, str, str]:
    return (select(CashSession, Cycle.distribution_date, Cycle.name, DistributionPoint.name)
            .join(Cycle, Cycle.id == CashSession.cycle_id)
            .join(DistributionPoint, DistributionPoint.id == CashSession.point_id))


def _rows(session: Session, query: Select[CashSession, dt.date, str, str]) -> list[CashBoxRow]:
    rows = []
    for box, day, cycle_name, point in session.execute(query):
        received, count, paid_out = _flows(session, box)
        expected = (box.expected if box.expected is not None
                    else box.opening_float + received - paid_out)
        rows.append(CashBoxRow(
            id=box.id, cycle_id=box.cycle_id, cycle_date=day, cycle_name=cycle_name,
            point_id=box.point_id, point=point, currency=box.currency,
            opening_float=box.opening_float, received=received, payment_count=count,
            paid_out=paid_out, expected=expected, counted=box.counted,
            difference=box.difference, note=box.note, closed_at=box.closed_at,
            closed_by=box.closed_by))
    return rows


def _row(session: Session, box_id: int) -> CashBoxRow:
    return _rows(session, _query().where(CashSession.id == box_id))[0]


def _find(session: Session, box_id: int) -> CashSession:
    box = session.scalars(select(CashSession).where(CashSession.id == box_id)
                          .with_for_update()).first()
    if box is None:
        raise NotFound(_("Caisse n° {id} introuvable.").format(id=box_id))
    return box


def get_cash_box(*, db: Database, actor: Actor, box_id: int) -> CashBoxRow:
    require(actor, CASH_KEEPERS, _("consulter les caisses"))
    with db.reading() as session:
        box = _find(session, box_id)
        require_point(actor, box.point_id, _("consulter cette caisse"))
        return _row(session, box_id)


def list_cash_boxes(*, db: Database, actor: Actor, cycle_id: int | None = None,
                    point_id: int | None = None) -> list[CashBoxRow]:
    """The boxes of a distribution or a point (all by default), newest distribution first."""
    require(actor, CASH_KEEPERS, _("consulter les caisses"))
    query = _query().order_by(Cycle.distribution_date.desc(), DistributionPoint.name,
                              CashSession.currency, CashSession.id)
    if cycle_id is not None:
        query = query.where(CashSession.cycle_id == cycle_id)
    if point_id is not None:
        query = query.where(CashSession.point_id == point_id)
    if actor.role is Role.COORDINATOR:
        query = query.where(CashSession.point_id.in_(actor.point_ids))
    with db.reading() as session:
        return _rows(session, query)


@dataclass(frozen=True)
class DistributionChoice:
    """A distribution a box may be opened for, with its points."""

    cycle_id: int
    date: dt.date
    name: str
    points: tuple[tuple[int, str], ...]

    @property
    def label(self) -> str:
        day = format_date(self.date, style="full")
        return f"{day} — {self.name}" if self.name else day


def distributions(*, db: Database, actor: Actor, limit: int = 80) -> list[DistributionChoice]:
    """The latest distributions (not drafts), newest first, with the points the actor may
    keep a box at; without adding up their orders, which a long history makes slow."""
    require(actor, CASH_KEEPERS, _("consulter les caisses"))
    with db.reading() as session:
        cycles = session.execute(
            select(Cycle.id, Cycle.distribution_date, Cycle.name)
            .where(Cycle.state != CycleState.DRAFT)
            .order_by(Cycle.distribution_date.desc(), Cycle.id.desc()).limit(limit)).all()
        points: dict[int, list[tuple[int, str]]] = {}
        ids = [cycle_id for cycle_id, _day, _name in cycles]
        for cycle_id, point_id, name in session.execute(
                select(CyclePoint.cycle_id, DistributionPoint.id, DistributionPoint.name)
                .join(DistributionPoint, DistributionPoint.id == CyclePoint.point_id)
                .where(CyclePoint.cycle_id.in_(ids)).order_by(DistributionPoint.name)):
            if actor.role is not Role.COORDINATOR or point_id in actor.point_ids:
                points.setdefault(cycle_id, []).append((point_id, name))
    return [DistributionChoice(cycle_id=cycle_id, date=day, name=name,
                               points=tuple(points[cycle_id]))
            for cycle_id, day, name in cycles if points.get(cycle_id)]


# --- opening and closing ------------------------------------------------------------------------


def _amount(value: Decimal | str, *, field: str, label: str) -> Decimal:
    return check.price(value, field=field, label=label, allow_zero=True)


def _context(session: Session, box: CashSession) -> tuple[Cycle, str]:
    cycle = session.get(Cycle, box.cycle_id)
    assert cycle is not None
    point = session.scalar(select(DistributionPoint.name).where(
        DistributionPoint.id == box.point_id)) or ""
    return cycle, point


def _audit_box(session: Session, actor: Actor, box: CashSession, action: str, summary: str,
               before: dict[str, object] | None) -> None:
    audit.record(session, actor=actor, entity="cash_session", entity_id=box.id, action=action,
                 summary=summary, before=before,
                 after={"currency": box.currency, "opening_float": box.opening_float,
                        "expected": box.expected, "counted": box.counted,
                        "difference": box.difference, "note": box.note},
                 cycle_id=box.cycle_id, point_id=box.point_id)


def open_cash_box(*, db: Database, actor: Actor, cycle_id: int, point_id: int,
                  opening_float: Decimal | str,
                  currency: CashCurrency = CashCurrency.EURO) -> CashBoxRow:
    """Open the box of a distribution at a point, with the float put in it."""
    require(actor, CASH_KEEPERS, _("ouvrir une caisse"))
    require_point(actor, point_id, _("ouvrir la caisse de ce point"))
    value = _amount(opening_float, field="opening_float", label=_("Le fond de caisse"))
    try:
        with db.transaction() as session:
            cycle = session.get(Cycle, cycle_id)
            if cycle is None:
                raise NotFound(_("Distribution n° {id} introuvable.").format(id=cycle_id))
            point = session.get(DistributionPoint, point_id)
            if point is None:
                raise NotFound(_("Point de distribution n° {id} introuvable.").format(
                    id=point_id))
            if session.get(CyclePoint, (cycle_id, point_id)) is None:
                raise ValidationError(_(
                    "La distribution du {date} n'a pas lieu à « {point} » : choisissez un de "
                    "ses points.").format(date=format_date(cycle.distribution_date),
                                          point=point.name), field="point_id")
            existing = session.scalars(select(CashSession).where(
                CashSession.cycle_id == cycle_id, CashSession.point_id == point_id,
                CashSession.currency == currency)).first()
            if existing is not None:
                raise ValidationError(_already_open(existing, currency, point.name, cycle),
                                      field="currency")
            box = CashSession(cycle_id=cycle_id, point_id=point_id, currency=currency,
                              opening_float=value, note="", closed_by="")
            session.add(box)
            session.flush()
            _audit_box(session, actor, box, "open", _(
                "Caisse {currency} ouverte — {point}, {date} : fond de {amount}").format(
                currency=currency.label.lower(), point=point.name,
                date=format_date(cycle.distribution_date, style="short"),
                amount=format_money(value)), None)
            return _row(session, box.id)
    except IntegrityError:
        # Someone opened the same box at the same moment: say so as above.
        with db.reading() as session:
            box_id = session.scalar(select(CashSession.id).where(
                CashSession.cycle_id == cycle_id, CashSession.point_id == point_id,
                CashSession.currency == currency))
            if box_id is None:
                raise
            box = _find(session, box_id)
            cycle, point_name = _context(session, box)
            raise ValidationError(_already_open(box, currency, point_name, cycle),
                                  field="currency") from None


def _already_open(box: CashSession, currency: CashCurrency, point: str, cycle: Cycle) -> str:
    where = _("La caisse {currency} de « {point} » pour la distribution du {date}").format(
        currency=currency.label.lower(), point=point, date=format_date(cycle.distribution_date))
    if box.closed_at is not None:
        return _("{where} a été fermée le {moment} par {who} : elle ne se rouvre pas. Un écart "
                 "constaté après coup se corrige au grand livre (correction).").format(
            where=where, moment=format_datetime(box.closed_at), who=box.closed_by)
    return _("{where} est déjà ouverte.").format(where=where)


def _open_box(session: Session, box_id: int, what: str) -> CashSession:
    box = _find(session, box_id)
    if box.closed_at is not None:
        cycle, point = _context(session, box)
        raise ValidationError(_(
            "La caisse {currency} de « {point} » du {date} est fermée depuis le {moment} : "
            "elle ne se modifie plus ({what} impossible).").format(
            currency=box.currency.label.lower(), point=point,
            date=format_date(cycle.distribution_date), moment=format_datetime(box.closed_at),
            what=what))
    return box


def change_float(*, db: Database, actor: Actor, box_id: int,
                 opening_float: Decimal | str) -> CashBoxRow:
    """Correct the float of a box still open (mistyped at the opening)."""
    require(actor, CASH_KEEPERS, _("modifier une caisse"))
    value = _amount(opening_float, field="opening_float", label=_("Le fond de caisse"))
    with db.transaction() as session:
        box = _open_box(session, box_id, _("changer le fond"))
        require_point(actor, box.point_id, _("modifier la caisse de ce point"))
        previous = box.opening_float
        box.opening_float = value
        session.flush()
        cycle, point = _context(session, box)
        _audit_box(session, actor, box, "float", _(
            "Caisse {currency} — {point}, {date} : fond corrigé, {before} → {after}").format(
            currency=box.currency.label.lower(), point=point,
            date=format_date(cycle.distribution_date, style="short"),
            before=format_money(previous), after=format_money(value)),
            {"opening_float": previous})
        return _row(session, box.id)


def close_cash_box(*, db: Database, actor: Actor, box_id: int, counted: Decimal | str,
                   note: str = "") -> CashBoxRow:
    """Count the box and close it: expected, counted and their difference are kept."""
    require(actor, CASH_KEEPERS, _("fermer une caisse"))
    value = _amount(counted, field="counted", label=_("Le montant compté"))
    remark = " ".join(note.split())
    if len(remark) > NOTE_MAX:
        raise ValidationError(_("La note dépasse {n} caractères.").format(n=NOTE_MAX),
                              field="note")
    with db.transaction() as session:
        box = _open_box(session, box_id, _("fermeture"))
        require_point(actor, box.point_id, _("fermer la caisse de ce point"))
        received, _count, paid_out = _flows(session, box)
        expected = box.opening_float + received - paid_out
        box.expected = expected
        box.counted = value
        box.difference = value - expected
        box.note = remark
        box.closed_at = now()
        box.closed_by = actor.name[:200]
        session.flush()
        cycle, point = _context(session, box)
        row = _row(session, box.id)
        summary = _("Caisse {currency} fermée — {point}, {date} : attendu {expected}, compté "
                    "{counted}, {difference}").format(
            currency=box.currency.label.lower(), point=point,
            date=format_date(cycle.distribution_date, style="short"),
            expected=format_money(expected), counted=format_money(value),
            difference=row.difference_text)
        if remark:
            summary += f" ({remark})"
        _audit_box(session, actor, box, "close", summary, None)
        return row


def boxes_of(rows: Sequence[CashBoxRow], cycle_id: int, point_id: int) -> dict[CashCurrency,
                                                                              CashBoxRow]:
    """The boxes of one distribution and point among `rows`, by currency."""
    return {r.currency: r for r in rows if r.cycle_id == cycle_id and r.point_id == point_id}


def total_difference(rows: Sequence[CashBoxRow], currency: CashCurrency) -> Decimal:
    """The sum of the differences of the closed boxes of a currency."""
    return sum((r.difference for r in rows
                if r.currency is currency and r.difference is not None), ZERO)
