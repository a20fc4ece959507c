"""The cheque register: from the promise to the bank, and the slips that move cheques on.

A cheque is recorded when a household gives it (or promises it, for an AMAP
contract's schedule), made out to the co-op or to a producer. Its status
moves along `CHEQUE_TRANSITIONS`: promised → received → handed over to its
producer or deposited at the bank → cashed; rejected (unpaid) or returned
to the household on the way.

The ledger follows. A received cheque made out to the co-op, or to a
producer for a contract (whose instalments are on the household's account),
is the household's payment: it is posted the day the cheque is received,
with the cheque's number as reference. A cheque rejected or returned after
that has its payment cancelled by an opposite entry; a received cheque whose
amount or household is corrected has its payment cancelled and posted anew.
A cheque made out to a producer outside a contract is between the household
and the producer: it is kept in the register only.

Remittances. A deposit slip (bordereau de remise) takes received cheques
made out to the co-op to the bank; a hand-over gives a producer the received
cheques of a month made out to it. Each is numbered in its own gapless
yearly series (« REM-2026-0001 » for the bank, « RP-2026-0001 » for the
producers), the number taken in the transaction that makes the slip, and is
kept as made: a mistake is put right by moving a cheque to rejected or
returned, never by editing the slip. A deposit keeps the co-op's IBAN of
that day; the bank matching finds the slip's total on the statement.

A French cheque can be paid for one year and eight days after its issue
date (Code monétaire et financier, L131-32 and L131-59): `expiry_warnings`
lists those not yet deposited nor handed over that expire within 30 days.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Select, exists, func, or_, select, text
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from coopfood.documents.common import Stamp
from coopfood.documents.slips import (
    DepositSlip,
    HandoverSlip,
    SlipCheque,
    draw_deposit_slip,
    draw_handover_slip,
)
from coopfood.domain.money import ZERO
from coopfood.domain.treasury import (
    CHEQUE_TRANSITIONS,
    ChequeStatus,
    EntryKind,
    PaymentMeans,
    RemittanceKind,
)
from coopfood.i18n import _, format_date, format_money, ngettext, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Cheque,
    ChequeRemittance,
    Contract,
    Coop,
    DistributionPoint,
    LedgerEntry,
    Member,
    Producer,
    household_name,
)
from coopfood.services import (
    Actor,
    NotFound,
    Role,
    StaleData,
    ValidationError,
    audit,
    ledger,
)
from coopfood.services import validation as check
from coopfood.services.access import require, require_point
from coopfood.services.ledger import PAYMENT_TAKERS, TREASURERS

#: Who records a household's cheque, corrects it while it is in hand, receives it.
CHEQUE_KEEPERS = PAYMENT_TAKERS
#: Who takes cheques to the bank or to a producer, and records them cashed or rejected.
CHEQUE_REMITTERS = TREASURERS

#: Statuses in which the co-op holds (or held) the money: the household has paid.
PAID_STATUSES = frozenset({ChequeStatus.RECEIVED, ChequeStatus.HANDED_OVER,
                           ChequeStatus.DEPOSITED, ChequeStatus.CASHED})
#: Statuses in which the cheque may still be corrected.
EDITABLE_STATUSES = frozenset({ChequeStatus.PROMISED, ChequeStatus.RECEIVED})
#: Statuses of a cheque still to be taken to the bank or to its producer.
IN_HAND_STATUSES = frozenset({ChequeStatus.PROMISED, ChequeStatus.RECEIVED})
#: Statuses of a cheque that no longer stands for a payment.
VOID_STATUSES = frozenset({ChequeStatus.REJECTED, ChequeStatus.RETURNED})

DEPOSIT_SERIES = "REM"
HANDOVER_SERIES = "RP"
#: How long a French cheque may be presented: one year and eight days after its date.
VALIDITY_DAYS_AFTER_A_YEAR = 8
#: Cheques expiring within this many days are listed as warnings.
EXPIRY_WARNING_DAYS = 30
#: Serialises the numbering of slips on PostgreSQL (SQLite writes one at a time anyway).
_NUMBERING_LOCK = 0x636F_6F70_5245_4D  # "coopREM"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
NUMBER_MAX = 20
BANK_MAX = 100
DRAWER_MAX = 200
NOTE_MAX = 300


def today() -> dt.date:
    """The day cheques are received or remitted when none is given (a test may fix it)."""
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- what the window and the command line get -------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChequeInput:
    """What a user types for a cheque; checked by `record_cheque` and `update_cheque`."""

    amount: Decimal | str
    number: str = ""
    bank: str = ""
    #: Who signed it; empty: the household's name.
    drawer: str = ""
    member_id: int | None = None
    contract_id: int | None = None
    #: The producer it is made out to; None: made out to the co-op.
    producer_id: int | None = None
    issue_date: dt.date | None = None
    #: The month it is to be cashed in, « AAAA-MM », or empty.
    planned_month: str = ""
    note: str = ""


@dataclass(frozen=True)
class ChequeRow:
    id: int
    version: int
    number: str
    bank: str
    drawer: str
    amount: Decimal
    member_id: int | None
    #: The household's name, « DUPONT Marie », or empty.
    member: str
    contract_id: int | None
    #: The contract's basket type, « Panier légumes — petit », or empty.
    contract: str
    producer_id: int | None
    #: Whom it is made out to: the producer's name, or the co-op's.
    payee: str
    issue_date: dt.date | None
    planned_month: str | None
    status: ChequeStatus
    status_date: dt.date | None
    remittance_id: int | None
    remittance_number: str
    note: str

    @property
    def name(self) -> str:
        return _("Chèque n° {number}").format(number=self.number) if self.number else \
            _("Chèque sans numéro")

    @property
    def status_label(self) -> str:
        return self.status.label

    @property
    def made_out_to_coop(self) -> bool:
        return self.producer_id is None

    @property
    def expires_on(self) -> dt.date | None:
        return None if self.issue_date is None else expiry_date(self.issue_date)

    @property
    def month_label(self) -> str:
        return month_label(self.planned_month) if self.planned_month else ""


@dataclass(frozen=True)
class ExpiryWarning:
    cheque: ChequeRow
    expires_on: dt.date
    #: Days left until it expires (< 0: expired that many days ago).
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def message(self) -> str:
        who = self.cheque.member or self.cheque.drawer
        what = _("{cheque} de {who} ({amount})").format(
            cheque=self.cheque.name, who=who, amount=format_money(self.cheque.amount))
        where = (_("remettez-le en banque") if self.cheque.made_out_to_coop
                 else _("remettez-le à {producer}").format(producer=self.cheque.payee))
        if self.expired:
            return _("{what} : expiré depuis le {date} — il ne sera plus payé ; rendez-le "
                     "au foyer et demandez-en un autre.").format(
                what=what, date=format_date(self.expires_on))
        if self.days_left == 0:
            return _("{what} : expire aujourd'hui — {where}.").format(what=what, where=where)
        return ngettext("{what} : expire le {date}, dans {n} jour — {where}.",
                        "{what} : expire le {date}, dans {n} jours — {where}.",
                        self.days_left).format(what=what, date=format_date(self.expires_on),
                                               n=self.days_left, where=where)


@dataclass(frozen=True)
class RemittanceRow:
    id: int
    kind: RemittanceKind
    number: str
    date: dt.date
    producer_id: int | None
    producer: str
    month: str | None
    cheque_count: int
    total: Decimal
    iban: str | None
    created_by: str

    @property
    def name(self) -> str:
        return f"{self.number} — {self.kind.label}"

    @property
    def summary(self) -> str:
        count = ngettext("{n} chèque", "{n} chèques", self.cheque_count).format(
            n=self.cheque_count)
        if self.kind is RemittanceKind.DEPOSIT:
            return _("Bordereau {number} du {date} : {count}, {total}, à déposer à la "
                     "banque.").format(number=self.number, date=format_date(self.date),
                                       count=count, total=format_money(self.total))
        return _("Remise {number} à {producer} des chèques de {month} : {count}, "
                 "{total}.").format(number=self.number, producer=self.producer,
                                    month=month_label(self.month or ""), count=count,
                                    total=format_money(self.total))


@dataclass(frozen=True)
class RemittanceDetail:
    row: RemittanceRow
    cheques: tuple[ChequeRow, ...]
    #: For a hand-over: the cheques of that producer and month still only promised.
    still_promised: tuple[ChequeRow, ...] = ()


# --- small rules ------------------------------------------------------------------------------


def expiry_date(issue_date: dt.date) -> dt.date:
    """The last day a cheque dated `issue_date` can be paid: a year and eight days later
    (a cheque of 29 February counts its year to 28 February)."""
    year = issue_date.year + 1
    day = min(issue_date.day, calendar.monthrange(year, issue_date.month)[1])
    return issue_date.replace(year=year, day=day) + dt.timedelta(days=VALIDITY_DAYS_AFTER_A_YEAR)


def month_label(month: str) -> str:
    """« mars 2027 » for "2027-03"."""
    match = _MONTH.fullmatch(month or "")
    if match is None:
        return month
    return format_date(dt.date(int(match[1]), int(match[2]), 1), style="MMMM yyyy")


def checked_month(text_value: str | None, *, field: str = "planned_month",
                  required: bool = False) -> str | None:
    """« AAAA-MM » normalised ("2027-3" → "2027-03"), or a French ValidationError."""
    cleaned = (text_value or "").strip()
    if not cleaned:
        if required:
            raise ValidationError(_("Indiquez le mois, AAAA-MM (par exemple 2027-03)."),
                                  field=field)
        return None
    match = _MONTH.fullmatch(cleaned)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValidationError(
            _("Mois « {value} » invalide : écrivez-le AAAA-MM (par exemple 2027-03).").format(
                value=text_value), field=field)
    return f"{int(match[1]):04d}-{int(match[2]):02d}"


def _checked(data: ChequeInput) -> dict[str, object]:
    amount = check.price(data.amount, field="amount", label=_("Le montant"))
    values: dict[str, object] = {"amount": amount}
    for key, limit, label in (("number", NUMBER_MAX, _("Le numéro du chèque")),
                              ("bank", BANK_MAX, _("La banque")),
                              ("drawer", DRAWER_MAX, _("Le tireur")),
                              ("note", NOTE_MAX, _("La note"))):
        value = " ".join(str(getattr(data, key) or "").split())
        if len(value) > limit:
            raise ValidationError(_("{label} dépasse {n} caractères.").format(
                label=label, n=limit), field=key)
        values[key] = value
    values["planned_month"] = checked_month(data.planned_month)
    values["issue_date"] = data.issue_date
    values["member_id"] = data.member_id
    values["contract_id"] = data.contract_id
    values["producer_id"] = data.producer_id
    return values


def posts_payment(cheque: Cheque) -> bool:
    """Whether the cheque, once received, is the household's payment on its account."""
    return cheque.member_id is not None and (cheque.producer_id is None
                                             or cheque.contract_id is not None)


def _cheque_label(cheque: Cheque) -> str:
    return _("Chèque n° {number}").format(number=cheque.number) if cheque.number else \
        _("Chèque sans numéro")


# --- reading ----------------------------------------------------------------------------------


def _coop_name(session: Session) -> str:
    name = session.scalar(select(Coop.name).order_by(Coop.id).limit(1))
    return name or _("La coopérative")


#: A cheque with its household's names, basket type, producer and slip number.
#: (Outer joins: the names may be None, whatever the typing says.)
ChequeQuery = Select[Cheque, str, str, str, str, str]


def _query() -> ChequeQuery:
    return (select(Cheque, Member.last_name, Member.first_name, BasketType.name, Producer.name,
                   ChequeRemittance.number)
            .outerjoin(Member, Member.id == Cheque.member_id)
            .outerjoin(Contract, Contract.id == Cheque.contract_id)
            .outerjoin(BasketType, BasketType.id == Contract.basket_type_id)
            .outerjoin(Producer, Producer.id == Cheque.producer_id)
            .outerjoin(ChequeRemittance, ChequeRemittance.id == Cheque.remittance_id))


def _rows(session: Session, query: ChequeQuery) -> list[ChequeRow]:
    coop = _coop_name(session)
    return [ChequeRow(
        id=c.id, version=c.version, number=c.number, bank=c.bank, drawer=c.drawer,
        amount=c.amount, member_id=c.member_id,
        member=household_name(last, first or "") if last is not None else "",
        contract_id=c.contract_id, contract=basket or "", producer_id=c.producer_id,
        payee=producer if c.producer_id is not None and producer is not None else coop,
        issue_date=c.issue_date, planned_month=c.planned_month, status=c.status,
        status_date=c.status_date, remittance_id=c.remittance_id,
        remittance_number=remittance or "", note=c.note)
        for c, last, first, basket, producer, remittance in session.execute(query)]


def _row(session: Session, cheque_id: int) -> ChequeRow:
    return _rows(session, _query().where(Cheque.id == cheque_id))[0]


def _visible(query: ChequeQuery, actor: Actor) -> ChequeQuery:
    """A coordinator sees the cheques of its points' households only."""
    if actor.role is Role.COORDINATOR:
        return query.where(Member.point_id.in_(actor.point_ids))
    return query


def get_cheque(*, db: Database, actor: Actor, cheque_id: int) -> ChequeRow:
    require(actor, CHEQUE_KEEPERS, _("consulter le registre des chèques"))
    with db.reading() as session:
        cheque = _find(session, cheque_id)
        _require_cheque_point(session, actor, cheque, _("consulter ce chèque"))
        return _row(session, cheque_id)


def list_cheques(*, db: Database, actor: Actor,
                 status: ChequeStatus | Collection[ChequeStatus] | None = None,
                 month: str | None = None, member_id: int | None = None,
                 producer_id: int | None = None, contract_id: int | None = None,
                 made_out_to_coop: bool | None = None) -> list[ChequeRow]:
    """The register, by month to cash in, then household: filtered by every filter given."""
    require(actor, CHEQUE_KEEPERS, _("consulter le registre des chèques"))
    query = _visible(_query(), actor)
    if status is not None:
        statuses = [status] if isinstance(status, ChequeStatus) else list(status)
        query = query.where(Cheque.status.in_(statuses))
    if month:
        query = query.where(Cheque.planned_month == checked_month(month, field="month"))
    if member_id is not None:
        query = query.where(Cheque.member_id == member_id)
    if producer_id is not None:
        query = query.where(Cheque.producer_id == producer_id)
    if contract_id is not None:
        query = query.where(Cheque.contract_id == contract_id)
    if made_out_to_coop is not None:
        query = query.where(Cheque.producer_id.is_(None) if made_out_to_coop
                            else Cheque.producer_id.is_not(None))
    with db.reading() as session:
        rows = _rows(session, query)
    # Sorted here: SQL would put « Éluard » after « Roux ».
    return sorted(rows, key=lambda r: (r.planned_month or "9999-99", sort_key(r.member),
                                       r.number, r.id))


def expiry_warnings(*, db: Database, actor: Actor, on: dt.date | None = None,
                    within_days: int = EXPIRY_WARNING_DAYS) -> list[ExpiryWarning]:
    """Cheques not yet deposited nor handed over that expire within `within_days` days,
    and those already expired; the most urgent first."""
    day = on or today()
    warnings = []
    for row in list_cheques(db=db, actor=actor, status=IN_HAND_STATUSES):
        if row.issue_date is None:
            continue
        expires = expiry_date(row.issue_date)
        left = (expires - day).days
        if left <= within_days:
            warnings.append(ExpiryWarning(cheque=row, expires_on=expires, days_left=left))
    return sorted(warnings, key=lambda w: (w.days_left, w.cheque.member, w.cheque.id))


# --- recording and correcting -----------------------------------------------------------------


def _find(session: Session, cheque_id: int, *, lock: bool = False) -> Cheque:
    query = select(Cheque).where(Cheque.id == cheque_id)
    if lock:
        query = query.with_for_update()
    cheque = session.scalars(query).first()
    if cheque is None:
        raise NotFound(_("Chèque n° {id} du registre introuvable.").format(id=cheque_id))
    return cheque


def _require_cheque_point(session: Session, actor: Actor, cheque: Cheque, what: str) -> None:
    if actor.role is not Role.COORDINATOR:
        return
    point = (session.scalar(select(Member.point_id).where(Member.id == cheque.member_id))
             if cheque.member_id is not None else None)
    require_point(actor, point, what)


def _check_references(session: Session, actor: Actor, values: dict[str, object]) -> None:
    """The household, contract and producer exist and agree with each other; a contract's
    cheque without a household is its household's, without a drawer the household's."""
    contract: Contract | None = None
    contract_id = values["contract_id"]
    if contract_id is not None:
        assert isinstance(contract_id, int)
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise ValidationError(_("Contrat n° {id} introuvable.").format(id=contract_id),
                                  field="contract_id")
        if values["member_id"] is None:
            values["member_id"] = contract.member_id
    member: Member | None = None
    member_id = values["member_id"]
    if member_id is not None:
        assert isinstance(member_id, int)
        member = session.get(Member, member_id)
        if member is None:
            raise ValidationError(_("Foyer n° {id} introuvable.").format(id=member_id),
                                  field="member_id")
        require_point(actor, member.point_id, _("enregistrer un chèque de ce foyer"))
    elif actor.role is Role.COORDINATOR:
        raise ValidationError(_("Indiquez le foyer qui donne ce chèque."), field="member_id")
    producer_id = values["producer_id"]
    if producer_id is not None:
        assert isinstance(producer_id, int)
        if session.get(Producer, producer_id) is None:
            raise ValidationError(_("Producteur n° {id} introuvable.").format(id=producer_id),
                                  field="producer_id")
    if contract is not None:
        if member is not None and member.id not in (contract.member_id, contract.co_member_id):
            raise ValidationError(
                _("Ce contrat n'est pas celui de {member} : choisissez un de ses contrats, "
                  "ou aucun.").format(member=member.display_name), field="contract_id")
        basket_producer = session.scalar(select(BasketType.producer_id).where(
            BasketType.id == contract.basket_type_id))
        if producer_id is not None and producer_id != basket_producer:
            raise ValidationError(
                _("Ce contrat est celui d'un autre producteur : un chèque de contrat est à "
                  "l'ordre du producteur du panier, ou de la coopérative."),
                field="producer_id")
    if not values["drawer"] and member is not None:
        values["drawer"] = member.display_name[:DRAWER_MAX]


def _check_duplicate(session: Session, values: dict[str, object],
                     cheque_id: int | None) -> None:
    number = values["number"]
    if not number:
        return
    query = select(Cheque.id).where(
        Cheque.number == number, func.lower(Cheque.bank) == str(values["bank"]).lower(),
        Cheque.status.not_in(list(VOID_STATUSES)))
    query = query.where(Cheque.member_id == values["member_id"]) if values["member_id"] \
        is not None else query.where(Cheque.member_id.is_(None))
    if cheque_id is not None:
        query = query.where(Cheque.id != cheque_id)
    if session.scalar(query.limit(1)) is not None:
        raise ValidationError(
            _("Le chèque n° {number} de ce foyer est déjà au registre : ne l'enregistrez pas "
              "deux fois.").format(number=number), field="number")


def _require_number(cheque: Cheque) -> None:
    if not cheque.number:
        raise ValidationError(
            _("Indiquez le numéro du chèque (les 7 chiffres en bas à gauche) : il est imprimé "
              "sur le bordereau et sert de référence au règlement."), field="number")


def _snapshot(cheque: Cheque) -> dict[str, object]:
    return {"number": cheque.number, "bank": cheque.bank, "drawer": cheque.drawer,
            "amount": cheque.amount, "member_id": cheque.member_id,
            "contract_id": cheque.contract_id, "producer_id": cheque.producer_id,
            "issue_date": cheque.issue_date, "planned_month": cheque.planned_month,
            "status": cheque.status, "note": cheque.note}


def _member_point(session: Session, member_id: int | None) -> int | None:
    if member_id is None:
        return None
    return session.scalar(select(Member.point_id).where(Member.id == member_id))


def _who(session: Session, cheque: Cheque) -> str:
    if cheque.member_id is not None:
        member = session.get(Member, cheque.member_id)
        if member is not None:
            return member.display_name
    return cheque.drawer


def _audit(session: Session, actor: Actor, cheque: Cheque, action: str, summary: str,
           before: dict[str, object] | None) -> None:
    audit.record(session, actor=actor, entity="cheque", entity_id=cheque.id, action=action,
                 summary=summary, before=before, after=_snapshot(cheque),
                 member_id=cheque.member_id, point_id=_member_point(session, cheque.member_id))


def record_cheque(*, db: Database, actor: Actor, data: ChequeInput,
                  received_on: dt.date | None = None) -> ChequeRow:
    """Put a cheque in the register: promised, or received on `received_on` (then the
    household's payment is posted, see the module's docstring)."""
    require(actor, CHEQUE_KEEPERS, _("enregistrer un chèque"))
    values = _checked(data)
    with db.transaction() as session:
        _check_references(session, actor, values)
        _check_duplicate(session, values, None)
        cheque = Cheque(**values, status=ChequeStatus.PROMISED)
        session.add(cheque)
        session.flush()
        if received_on is not None:
            _require_number(cheque)
            cheque.status = ChequeStatus.RECEIVED
            cheque.status_date = received_on
            session.flush()
            _sync_payment(session, actor, cheque, day=received_on, reason="")
        _audit(session, actor, cheque, "create", _(
            "{cheque} de {who} : {amount}, {status}").format(
            cheque=_cheque_label(cheque), who=_who(session, cheque),
            amount=format_money(cheque.amount), status=cheque.status.label.lower()), None)
        return _row(session, cheque.id)


def update_cheque(*, db: Database, actor: Actor, cheque_id: int, data: ChequeInput,
                  expected_version: int | None = None) -> ChequeRow:
    """Correct a cheque still promised or received; a received cheque's payment follows."""
    require(actor, CHEQUE_KEEPERS, _("modifier un chèque"))
    values = _checked(data)
    try:
        with db.transaction() as session:
            cheque = _find(session, cheque_id, lock=True)
            _require_cheque_point(session, actor, cheque, _("modifier ce chèque"))
            if expected_version is not None and cheque.version != expected_version:
                raise StaleData(_("Ce chèque"))
            if cheque.status not in EDITABLE_STATUSES:
                raise ValidationError(_(
                    "{cheque} est « {status} » : il ne se modifie plus. S'il y a une erreur, "
                    "passez-le à « Rejeté » ou « Rendu » et enregistrez le bon.").format(
                    cheque=_cheque_label(cheque), status=cheque.status.label))
            _check_references(session, actor, values)
            _check_duplicate(session, values, cheque_id)
            before = _snapshot(cheque)
            for key, value in values.items():
                setattr(cheque, key, value)
            if cheque.status is ChequeStatus.RECEIVED:
                _require_number(cheque)
            session.flush()
            _sync_payment(session, actor, cheque, day=today(), reason=_("chèque corrigé"))
            changed = [key for key, value in _snapshot(cheque).items() if before[key] != value]
            _audit(session, actor, cheque, "update", _("{cheque} de {who} corrigé ({fields})")
                   .format(cheque=_cheque_label(cheque), who=_who(session, cheque),
                           fields=", ".join(changed) or _("rien")), before)
            return _row(session, cheque.id)
    except StaleDataError:
        raise StaleData(_("Ce chèque")) from None


def receive_cheque(*, db: Database, actor: Actor, cheque_id: int,
                   on: dt.date | None = None) -> ChequeRow:
    """A promised cheque is in hand: the household's payment is posted that day."""
    require(actor, CHEQUE_KEEPERS, _("recevoir un chèque"))
    day = on or today()
    with db.transaction() as session:
        cheque = _find(session, cheque_id, lock=True)
        _require_cheque_point(session, actor, cheque, _("recevoir ce chèque"))
        _check_move(cheque, ChequeStatus.RECEIVED)
        _require_number(cheque)
        before = _snapshot(cheque)
        cheque.status = ChequeStatus.RECEIVED
        cheque.status_date = day
        session.flush()
        _sync_payment(session, actor, cheque, day=day, reason="")
        _audit(session, actor, cheque, "receive", _("{cheque} de {who} reçu le {date}").format(
            cheque=_cheque_label(cheque), who=_who(session, cheque),
            date=format_date(day, style="short")), before)
        return _row(session, cheque.id)


def move_cheque(*, db: Database, actor: Actor, cheque_id: int, to: ChequeStatus,
                reason: str = "", on: dt.date | None = None) -> ChequeRow:
    """Move a cheque on: received, cashed, rejected (unpaid) or returned to the household.

    A rejection or a return says why, and cancels the household's payment.
    A deposit or a hand-over goes through its slip (`deposit_cheques`,
    `hand_over_cheques`), which numbers it.
    """
    if to is ChequeStatus.RECEIVED:
        return receive_cheque(db=db, actor=actor, cheque_id=cheque_id, on=on)
    require(actor, CHEQUE_REMITTERS, _("changer l'état d'un chèque"))
    if to is ChequeStatus.DEPOSITED:
        raise ValidationError(_("Un chèque se dépose en banque avec un bordereau de remise : "
                                "choisissez « Remettre en banque »."), field="status")
    if to is ChequeStatus.HANDED_OVER:
        raise ValidationError(_("Les chèques d'un producteur lui sont remis par mois, avec "
                                "un bordereau : choisissez « Remettre au producteur »."),
                              field="status")
    why = " ".join(reason.split())
    if to in VOID_STATUSES and not why:
        raise ValidationError(
            _("Dites pourquoi le chèque est rejeté : le motif est gardé et imprimé sur le "
              "relevé du foyer.") if to is ChequeStatus.REJECTED else
            _("Dites pourquoi le chèque est rendu : le motif est gardé et imprimé sur le "
              "relevé du foyer."), field="reason")
    day = on or today()
    with db.transaction() as session:
        cheque = _find(session, cheque_id, lock=True)
        _check_move(cheque, to)
        before = _snapshot(cheque)
        was = cheque.status
        cheque.status = to
        cheque.status_date = day
        if why:
            cheque.note = (f"{cheque.note} — {to.label} : {why}" if cheque.note
                           else f"{to.label} : {why}")[:NOTE_MAX]
        session.flush()
        _sync_payment(session, actor, cheque, day=day,
                      reason=_("chèque {status} : {reason}").format(
                          status=to.label.lower(), reason=why))
        summary = _("{cheque} de {who} : {before} → {after}").format(
            cheque=_cheque_label(cheque), who=_who(session, cheque), before=was.label,
            after=to.label)
        if why:
            summary += f" ({why})"
        _audit(session, actor, cheque, "status", summary, before)
        return _row(session, cheque.id)


def _check_move(cheque: Cheque, to: ChequeStatus) -> None:
    if to in CHEQUE_TRANSITIONS[cheque.status]:
        return
    allowed = sorted(CHEQUE_TRANSITIONS[cheque.status], key=list(ChequeStatus).index)
    if not allowed:
        raise ValidationError(_(
            "{cheque} est « {status} » : c'est son dernier état, il ne change plus.").format(
            cheque=_cheque_label(cheque), status=cheque.status.label), field="status")
    raise ValidationError(_(
        "{cheque} est « {status} » : il ne peut pas passer à « {to} » (possible : "
        "{allowed}).").format(cheque=_cheque_label(cheque), status=cheque.status.label,
                             to=to.label, allowed=", ".join(f"« {s.label} »" for s in allowed)),
        field="status")


def _sync_payment(session: Session, actor: Actor, cheque: Cheque, *, day: dt.date,
                  reason: str) -> None:
    """Make the ledger hold the payment this cheque stands for, and nothing else: cancel
    a payment it no longer stands for (or for another amount or household), post the
    one it stands for if it is not there."""
    reversal = aliased(LedgerEntry)
    live = session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.cheque_id == cheque.id, LedgerEntry.kind == EntryKind.PAYMENT,
            ~exists().where(reversal.reverses_id == LedgerEntry.id))
        .order_by(LedgerEntry.id)).all()
    wanted = cheque.status in PAID_STATUSES and posts_payment(cheque)
    kept = False
    for entry in live:
        if wanted and not kept and entry.member_id == cheque.member_id \
                and entry.amount == -cheque.amount:
            kept = True
            continue
        ledger.reverse_in(session, actor, entry_id=entry.id,
                          reason=reason or _("chèque corrigé"), entry_date=day)
    if wanted and not kept:
        assert cheque.member_id is not None
        ledger.record_payment_in(
            session, actor, member_id=cheque.member_id, amount=cheque.amount,
            means=PaymentMeans.CHEQUE, entry_date=day, reference=cheque.number,
            label=_payment_label(session, cheque), cheque_id=cheque.id)


def _payment_label(session: Session, cheque: Cheque) -> str:
    label = _cheque_label(cheque)
    if cheque.bank:
        label += f" ({cheque.bank})"
    if cheque.contract_id is not None:
        basket = session.scalar(select(BasketType.name).join(
            Contract, Contract.basket_type_id == BasketType.id).where(
            Contract.id == cheque.contract_id))
        label += _(" — contrat « {basket} »").format(basket=basket or "")
        if cheque.planned_month:
            label += f", {month_label(cheque.planned_month)}"
    return label


# --- an AMAP contract's cheques ---------------------------------------------------------------


def create_contract_cheques(*, db: Database, actor: Actor, contract_id: int,
                            issue_date: dt.date | None = None, bank: str = "",
                            first_number: str = "") -> list[ChequeRow]:
    """The promised cheques of a contract: one per cheque month, for that month's
    instalment, made out to the basket's producer. Months that already have a cheque
    (not rejected nor returned) are left alone. With `first_number`, the cheques are
    numbered from it on, as a chequebook runs."""
    require(actor, CHEQUE_KEEPERS, _("enregistrer les chèques d'un contrat"))
    bank_name = " ".join(bank.split())[:BANK_MAX]
    start = first_number.strip()
    if start and not start.isdigit():
        raise ValidationError(_("Le premier numéro de chèque « {value} » doit être fait de "
                                "chiffres.").format(value=first_number), field="first_number")
    with db.transaction() as session:
        contract = session.get(Contract, contract_id)
        if contract is None:
            raise NotFound(_("Contrat n° {id} introuvable.").format(id=contract_id))
        require_point(actor, contract.point_id, _("enregistrer les chèques de ce contrat"))
        if contract.cheque_count <= 0:
            raise ValidationError(_(
                "Ce contrat ne prévoit pas de chèques : indiquez leur nombre et leurs mois "
                "d'encaissement dans le contrat."), field="cheque_count")
        weekday = session.scalar(select(DistributionPoint.weekday).where(
            DistributionPoint.id == contract.point_id)) or 0
        producer_id = session.scalar(select(BasketType.producer_id).where(
            BasketType.id == contract.basket_type_id))
        taken = set(session.scalars(select(Cheque.planned_month).where(
            Cheque.contract_id == contract_id, Cheque.status.not_in(list(VOID_STATUSES)))))
        member = session.get(Member, contract.member_id)
        drawer = member.display_name[:DRAWER_MAX] if member is not None else ""
        created: list[int] = []
        for index, (month, _due, amount) in enumerate(
                ledger.contract_instalments(contract, weekday)):
            if month in taken or amount <= 0:
                continue
            number = str(int(start) + index).zfill(len(start)) if start else ""
            cheque = Cheque(number=number[:NUMBER_MAX], bank=bank_name, drawer=drawer,
                            amount=amount, member_id=contract.member_id,
                            contract_id=contract_id, producer_id=producer_id,
                            issue_date=issue_date, planned_month=month,
                            status=ChequeStatus.PROMISED, note="")
            session.add(cheque)
            session.flush()
            _audit(session, actor, cheque, "create", _(
                "{cheque} de {who} : {amount}, promis pour {month}").format(
                cheque=_cheque_label(cheque), who=drawer, amount=format_money(amount),
                month=month_label(month)), None)
            created.append(cheque.id)
        if not created:
            raise ValidationError(_("Les chèques de ce contrat sont déjà au registre, un par "
                                    "mois d'encaissement."), field="contract_id")
        return _rows(session, _query().where(Cheque.id.in_(created)).order_by(
            Cheque.planned_month, Cheque.id))


# --- slips ------------------------------------------------------------------------------------


def _next_number(session: Session, kind: RemittanceKind, day: dt.date) -> str:
    """The next number of the kind's series for the year of `day`, gapless: slips are never
    deleted, and the number is taken in the transaction that makes the slip."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _NUMBERING_LOCK})
    series = DEPOSIT_SERIES if kind is RemittanceKind.DEPOSIT else HANDOVER_SERIES
    prefix = f"{series}-{day.year:04d}-"
    last_date = session.scalar(select(func.max(ChequeRemittance.remittance_date)).where(
        ChequeRemittance.number.like(f"{prefix}%")))
    if last_date is not None and day < last_date:
        raise ValidationError(_(
            "Le dernier bordereau de la série {series} est du {last} : un suivant ne peut pas "
            "être daté du {day} (les numéros suivent l'ordre des dates).").format(
            series=series, last=format_date(last_date), day=format_date(day)), field="date")
    numbers = session.scalars(select(ChequeRemittance.number).where(
        ChequeRemittance.number.like(f"{prefix}%")))
    last = max((int(n[len(prefix):]) for n in numbers if n[len(prefix):].isdigit()), default=0)
    return f"{prefix}{last + 1:04d}"


def deposit_cheques(*, db: Database, actor: Actor, cheque_ids: Sequence[int],
                    on: dt.date | None = None) -> RemittanceDetail:
    """A deposit slip for these received cheques made out to the co-op, which become
    « Déposé en banque »."""
    require(actor, CHEQUE_REMITTERS, _("remettre des chèques en banque"))
    wanted = list(dict.fromkeys(cheque_ids))
    if not wanted:
        raise ValidationError(_("Choisissez les chèques à remettre en banque."),
                              field="cheque_ids")
    day = on or today()
    with db.transaction() as session:
        coop = session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()
        if coop is None or not (coop.iban or "").strip():
            raise ValidationError(_(
                "La coopérative n'a pas d'IBAN : saisissez-le dans Fichier → Paramètres de la "
                "coopérative…, onglet « Numéros et banque », puis refaites la remise. Il est "
                "imprimé sur le bordereau."), field="iban")
        cheques = session.scalars(select(Cheque).where(Cheque.id.in_(wanted))
                                  .order_by(Cheque.id).with_for_update()).all()
        found = {c.id for c in cheques}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise NotFound(_("Chèque n° {id} du registre introuvable.").format(id=missing[0]))
        for cheque in cheques:
            who = _who(session, cheque)
            if cheque.producer_id is not None:
                producer = session.get(Producer, cheque.producer_id)
                raise ValidationError(_(
                    "{cheque} de {who} est à l'ordre de {producer} : il se remet au "
                    "producteur, pas à la banque de la coopérative.").format(
                    cheque=_cheque_label(cheque), who=who,
                    producer=producer.name if producer else ""), field="cheque_ids")
            if cheque.status is not ChequeStatus.RECEIVED:
                raise ValidationError(_(
                    "{cheque} de {who} est « {status} » : seul un chèque reçu se remet en "
                    "banque.").format(cheque=_cheque_label(cheque), who=who,
                                      status=cheque.status.label), field="cheque_ids")
            _require_number(cheque)
            if cheque.issue_date is not None and expiry_date(cheque.issue_date) < day:
                raise ValidationError(_(
                    "{cheque} de {who} a expiré le {date} (un chèque vaut un an et huit "
                    "jours) : la banque le refusera. Rendez-le au foyer et demandez-en un "
                    "autre.").format(cheque=_cheque_label(cheque), who=who,
                                     date=format_date(expiry_date(cheque.issue_date))),
                    field="cheque_ids")
        remittance = _make_remittance(session, actor, RemittanceKind.DEPOSIT, day, cheques,
                                      iban="".join(str(coop.iban).split()).upper())
        return _detail(session, remittance.id)


def hand_over_cheques(*, db: Database, actor: Actor, producer_id: int, month: str,
                      on: dt.date | None = None) -> RemittanceDetail:
    """Hand a producer its cheques of a month: every received cheque made out to it with
    that month to cash in, which become « Remis au producteur »."""
    require(actor, CHEQUE_REMITTERS, _("remettre des chèques à un producteur"))
    wanted_month = checked_month(month, field="month", required=True)
    day = on or today()
    with db.transaction() as session:
        producer = session.get(Producer, producer_id)
        if producer is None:
            raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
        cheques = session.scalars(select(Cheque).where(
            Cheque.producer_id == producer_id, Cheque.planned_month == wanted_month,
            Cheque.status == ChequeStatus.RECEIVED).order_by(Cheque.id).with_for_update()).all()
        if not cheques:
            raise ValidationError(_(
                "Aucun chèque reçu à l'ordre de {producer} pour {month} : rien à "
                "remettre.").format(producer=producer.name,
                                    month=month_label(wanted_month or "")), field="month")
        for cheque in cheques:
            _require_number(cheque)
        remittance = _make_remittance(session, actor, RemittanceKind.HANDOVER, day, cheques,
                                      producer_id=producer_id, month=wanted_month)
        detail = _detail(session, remittance.id)
        promised = _rows(session, _query().where(
            Cheque.producer_id == producer_id, Cheque.planned_month == wanted_month,
            Cheque.status == ChequeStatus.PROMISED).order_by(Cheque.id))
        return RemittanceDetail(row=detail.row, cheques=detail.cheques,
                                still_promised=tuple(promised))


def _make_remittance(session: Session, actor: Actor, kind: RemittanceKind, day: dt.date,
                     cheques: Sequence[Cheque], *, iban: str | None = None,
                     producer_id: int | None = None,
                     month: str | None = None) -> ChequeRemittance:
    total = sum((c.amount for c in cheques), ZERO)
    remittance = ChequeRemittance(
        kind=kind, number=_next_number(session, kind, day), remittance_date=day,
        producer_id=producer_id, month=month, cheque_count=len(cheques), total=total,
        iban=iban, created_at=now(), created_by=actor.name)
    session.add(remittance)
    session.flush()
    status = (ChequeStatus.DEPOSITED if kind is RemittanceKind.DEPOSIT
              else ChequeStatus.HANDED_OVER)
    for cheque in cheques:
        before = _snapshot(cheque)
        cheque.status = status
        cheque.status_date = day
        cheque.remittance_id = remittance.id
        session.flush()
        _audit(session, actor, cheque, "status", _("{cheque} de {who} : {status} ({number})")
               .format(cheque=_cheque_label(cheque), who=_who(session, cheque),
                       status=status.label, number=remittance.number), before)
    count = ngettext("{n} chèque", "{n} chèques", len(cheques)).format(n=len(cheques))
    audit.record(session, actor=actor, entity="cheque_remittance", entity_id=remittance.id,
                 action=kind.value, summary=_("{kind} {number} : {count}, {total}").format(
                     kind=kind.label, number=remittance.number, count=count,
                     total=format_money(total)),
                 after={"number": remittance.number, "date": day, "total": total,
                        "cheque_ids": [c.id for c in cheques], "iban": iban,
                        "producer_id": producer_id, "month": month})
    return remittance


def _remittance_rows(session: Session, query: Select[ChequeRemittance, str]
                     ) -> list[RemittanceRow]:
    return [RemittanceRow(
        id=r.id, kind=r.kind, number=r.number, date=r.remittance_date,
        producer_id=r.producer_id, producer=producer or "", month=r.month,
        cheque_count=r.cheque_count, total=r.total, iban=r.iban, created_by=r.created_by)
        for r, producer in session.execute(query)]


def _remittance_query() -> Select[ChequeRemittance, str]:
    return (select(ChequeRemittance, Producer.name)
            .outerjoin(Producer, Producer.id == ChequeRemittance.producer_id))


def _detail(session: Session, remittance_id: int) -> RemittanceDetail:
    rows = _remittance_rows(session, _remittance_query().where(
        ChequeRemittance.id == remittance_id))
    if not rows:
        raise NotFound(_("Bordereau n° {id} introuvable.").format(id=remittance_id))
    cheques = sorted(_rows(session, _query().where(Cheque.remittance_id == remittance_id)),
                     key=lambda r: (sort_key(r.member), r.number, r.id))
    return RemittanceDetail(row=rows[0], cheques=tuple(cheques))


def list_remittances(*, db: Database, actor: Actor,
                     kind: RemittanceKind | None = None) -> list[RemittanceRow]:
    """Slips made, newest first."""
    require(actor, CHEQUE_REMITTERS, _("consulter les remises de chèques"))
    query = _remittance_query().order_by(ChequeRemittance.remittance_date.desc(),
                                         ChequeRemittance.id.desc())
    if kind is not None:
        query = query.where(ChequeRemittance.kind == kind)
    with db.reading() as session:
        return _remittance_rows(session, query)


def get_remittance(*, db: Database, actor: Actor, remittance_id: int) -> RemittanceDetail:
    require(actor, CHEQUE_REMITTERS, _("consulter les remises de chèques"))
    with db.reading() as session:
        return _detail(session, remittance_id)


# --- the printed slips ------------------------------------------------------------------------


def _slip_cheque(row: ChequeRow) -> SlipCheque:
    return SlipCheque(number=row.number, bank=row.bank, drawer=row.drawer,
                      household=row.member, contract=row.contract,
                      month=row.planned_month or "", amount=row.amount)


def slip_of(session: Session, remittance_id: int) -> DepositSlip | HandoverSlip:
    """What the slip prints: the remittance as kept, its cheques as they read."""
    detail = _detail(session, remittance_id)
    row = detail.row
    lines = tuple(_slip_cheque(c) for c in detail.cheques)
    coop = session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()
    coop_name = coop.name if coop is not None else _("La coopérative")
    if row.kind is RemittanceKind.DEPOSIT:
        address = () if coop is None else (
            coop.address, " ".join(p for p in (coop.postal_code, coop.city) if p))
        return DepositSlip(number=row.number, date=row.date, holder=coop_name,
                           holder_address=tuple(a for a in address if a),
                           iban=row.iban or "", bic=(coop.bic or "") if coop else "",
                           cheques=lines, total=row.total)
    return HandoverSlip(number=row.number, date=row.date, coop_name=coop_name,
                        producer=row.producer, month=row.month or "", cheques=lines,
                        total=row.total)


def printing_moment() -> dt.datetime:
    """The printing date in the footer: the computer's local time (a test may fix it)."""
    return dt.datetime.now().replace(microsecond=0)


def write_remittance_pdf(*, db: Database, actor: Actor, remittance_id: int,
                         path: Path) -> Path:
    """Draw a slip (deposit or hand-over) into `path`, written whole or not at all."""
    require(actor, CHEQUE_REMITTERS, _("imprimer un bordereau de remise"))
    with db.reading() as session:
        slip = slip_of(session, remittance_id)
        coop_name = _coop_name(session)
    stamp = Stamp(coop_name=coop_name, printed_at=printing_moment())
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".bordereau-", suffix=".pdf", dir=path.parent)
    os.close(handle)
    try:
        if isinstance(slip, DepositSlip):
            draw_deposit_slip(slip, Path(temporary), stamp)
        else:
            draw_handover_slip(slip, Path(temporary), stamp)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_remittance_pdf_in(*, db: Database, actor: Actor, remittance_id: int,
                            out_dir: Path) -> Path:
    """The slip written as « NUMÉRO.pdf » in `out_dir` (created if need be)."""
    with db.reading() as session:
        number = session.scalar(select(ChequeRemittance.number).where(
            ChequeRemittance.id == remittance_id))
    if number is None:
        raise NotFound(_("Bordereau n° {id} introuvable.").format(id=remittance_id))
    return write_remittance_pdf(db=db, actor=actor, remittance_id=remittance_id,
                                path=out_dir / f"{number}.pdf")


# --- filters the window offers ----------------------------------------------------------------


def cheque_months(*, db: Database, actor: Actor) -> list[str]:
    """The months cheques are planned for, newest first (for a filter)."""
    require(actor, CHEQUE_KEEPERS, _("consulter le registre des chèques"))
    with db.reading() as session:
        return [m for m in session.scalars(
            select(Cheque.planned_month).where(Cheque.planned_month.is_not(None))
            .distinct().order_by(Cheque.planned_month.desc())) if m]


def payees(*, db: Database, actor: Actor) -> list[tuple[int, str]]:
    """The producers cheques are made out to, by name (for a filter)."""
    require(actor, CHEQUE_KEEPERS, _("consulter le registre des chèques"))
    with db.reading() as session:
        return [(pid, name) for pid, name in session.execute(
            select(Producer.id, Producer.name).where(
                or_(Producer.id.in_(select(Cheque.producer_id)),
                    Producer.archived_at.is_(None))).order_by(Producer.name))]
