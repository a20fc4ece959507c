"""Households (adhérents): create, edit, pair for shared baskets, yearly fees, archive.

A coordinator sees and edits only the households of its own points. Every new
household gets a payment reference ("ADH-0042") that is never reused: bank
lines are matched on it, years later.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.i18n import N_, _, format_money
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    AuditEntry,
    Cheque,
    Contract,
    DistributionPoint,
    LedgerEntry,
    Member,
    MembershipFee,
    Order,
    Setting,
    Shift,
)
from coopfood.services import (
    Actor,
    NotFound,
    Referenced,
    Role,
    StaleData,
    ValidationError,
    audit,
    ledger,
)
from coopfood.services import validation as check
from coopfood.services.access import MEMBER_EDITORS, require, require_point

REFERENCE_PREFIX = "ADH-"
#: The setting keeping the highest reference number ever given.
REFERENCE_SETTING = "member.last_reference_number"
#: Attempts at taking the next payment reference when another writer took it first.
_REFERENCE_ATTEMPTS = 3


@dataclass(frozen=True, kw_only=True)
class MemberInput:
    """What a user types for a household; checked and normalised by `save_member`."""

    last_name: str
    first_name: str = ""
    co_member_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    point_id: int | None = None
    #: The household sharing baskets with this one; the pairing is made both ways.
    partner_id: int | None = None
    print_phone: bool = False
    print_email: bool = False
    joined_on: dt.date | None = None


@dataclass(frozen=True)
class MemberDetail:
    id: int
    version: int
    last_name: str
    first_name: str
    #: 'DUPONT Marie', as printed everywhere.
    name: str
    co_member_name: str
    email: str | None
    phone: str
    address: str
    postal_code: str
    city: str
    point_id: int | None
    point: str
    partner_id: int | None
    partner: str
    payment_reference: str
    print_phone: bool
    print_email: bool
    joined_on: dt.date | None
    archived: bool


@dataclass(frozen=True)
class FeeRow:
    year: int
    amount: Decimal
    paid_on: dt.date | None


def _detail(m: Member) -> MemberDetail:
    return MemberDetail(
        id=m.id, version=m.version, last_name=m.last_name, first_name=m.first_name,
        name=m.display_name, co_member_name=m.co_member_name, email=m.email, phone=m.phone,
        address=m.address, postal_code=m.postal_code, city=m.city, point_id=m.point_id,
        point=m.point.name if m.point is not None else "", partner_id=m.partner_id,
        partner=m.partner.display_name if m.partner is not None else "",
        payment_reference=m.payment_reference, print_phone=m.print_phone,
        print_email=m.print_email, joined_on=m.joined_on, archived=m.archived_at is not None,
    )


#: A household's data kept in the audit trail when it changes, with its French name.
AUDITED_FIELDS: dict[str, str] = {
    "last_name": N_("nom"),
    "first_name": N_("prénom"),
    "co_member_name": N_("second adulte"),
    "email": N_("e-mail"),
    "phone": N_("téléphone"),
    "address": N_("adresse"),
    "postal_code": N_("code postal"),
    "city": N_("ville"),
    "point_id": N_("point de distribution"),
    "partner_id": N_("binôme"),
    "print_phone": N_("téléphone imprimé"),
    "print_email": N_("e-mail imprimé"),
    "joined_on": N_("date d'adhésion"),
}


def audited_values(member: Member) -> dict[str, object]:
    return {key: getattr(member, key) for key in AUDITED_FIELDS}


def created_entry(actor: Actor, member: Member) -> dict[str, object]:
    """The audit entry of a household's creation (an import writes them all at once)."""
    return audit.entry_values(
        actor=actor, entity="member", entity_id=member.id, action="create",
        summary=_("{name} : foyer créé ({reference})").format(
            name=member.display_name, reference=member.payment_reference),
        after=audited_values(member), member_id=member.id, point_id=member.point_id)


def record_member_change(session: Session, actor: Actor, member: Member,
                         before: dict[str, object] | None) -> None:
    """Keep a household's creation, or the fields an update changed, before and after."""
    after = audited_values(member)
    if before is None:
        session.add(AuditEntry(**created_entry(actor, member)))
        return
    changed = [key for key in AUDITED_FIELDS if before[key] != after[key]]
    if not changed:
        return
    audit.record(session, actor=actor, entity="member", entity_id=member.id, action="update",
                 summary=_("{name} : {fields} modifié(s)").format(
                     name=member.display_name,
                     fields=", ".join(_(AUDITED_FIELDS[key]) for key in changed)),
                 before={key: before[key] for key in changed},
                 after={key: after[key] for key in changed},
                 member_id=member.id, point_id=member.point_id)


def name_key(last_name: str, first_name: str = "") -> str:
    """A household's name for matching: no case, no accents, hyphens and spaces alike.

    'Éluard-Lévy  Anne' and 'ELUARD LEVY anne' give the same key.
    """
    text = unicodedata.normalize("NFKD", f"{last_name} {first_name}")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.split(r"[\s\-'’.]+", text)).strip()


def checked_member(data: MemberInput) -> dict[str, object]:
    """The columns of a household from what was typed, or a ValidationError naming the field.

    The pairing (`partner_id`) is checked against the database by `save_member`.
    """
    return {
        "last_name": check.text(data.last_name, field="last_name", label=_("Le nom")),
        "first_name": check.text(data.first_name, field="first_name", label=_("Le prénom"),
                                 required=False),
        "co_member_name": check.text(data.co_member_name, field="co_member_name",
                                     label=_("Le second adulte du foyer"), required=False),
        "email": check.email(data.email),
        "phone": check.phone(data.phone),
        "address": check.text(data.address, field="address", label=_("L'adresse"),
                              required=False, max_length=300),
        "postal_code": check.postal_code(data.postal_code),
        "city": check.text(data.city, field="city", label=_("La ville"), required=False,
                           max_length=100),
        "point_id": data.point_id,
        "print_phone": data.print_phone,
        "print_email": data.print_email,
        "joined_on": data.joined_on,
    }


def _find(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Adhérent n° {id} introuvable.").format(id=member_id))
    return member


def _visible(actor: Actor, member: Member, what: str) -> Member:
    require_point(actor, member.point_id, what)
    return member


def _check_point(session: Session, point_id: int | None) -> None:
    if point_id is None:
        return
    point = session.get(DistributionPoint, point_id)
    if point is None:
        raise ValidationError(
            _("Point de distribution n° {id} introuvable.").format(id=point_id),
            field="point_id")
    if point.archived_at is not None:
        raise ValidationError(
            _("Le point de distribution « {name} » est archivé : choisissez-en un autre.").format(
                name=point.name), field="point_id")


def _ensure_unique_email(session: Session, email: str | None, member_id: int | None) -> None:
    if email is None:
        return
    other = session.scalars(select(Member).where(
        func.lower(Member.email) == email.lower(), Member.id != (member_id or 0))).first()
    if other is not None:
        raise ValidationError(
            _("L'adresse e-mail {email} est déjà celle du foyer {name} ({reference}{archived})."
              ).format(email=email, name=other.display_name,
                       reference=other.payment_reference,
                       archived=_(", archivé") if other.archived_at is not None else ""),
            field="email")


def next_payment_reference(session: Session) -> str:
    """The number after the highest ever given: a reference is never reused.

    The highest number is kept as a setting, so that deleting the latest
    household (entered by mistake) does not hand its reference out again.
    """
    numbers = [
        int(ref[len(REFERENCE_PREFIX):])
        for ref in session.scalars(select(Member.payment_reference)
                                   .where(Member.payment_reference.like(REFERENCE_PREFIX + "%")))
        if ref[len(REFERENCE_PREFIX):].isdigit()
    ]
    counter = session.get(Setting, REFERENCE_SETTING, with_for_update=True)
    if counter is None:
        counter = Setting(key=REFERENCE_SETTING, value="0")
        session.add(counter)
    number = max([int(counter.value) if counter.value.isdigit() else 0, *numbers]) + 1
    counter.value = str(number)
    return f"{REFERENCE_PREFIX}{number:04d}"


def _partner(session: Session, actor: Actor, partner_id: int | None,
             member_id: int | None) -> Member | None:
    if partner_id is None:
        return None
    if partner_id == member_id:
        raise ValidationError(
            _("Un foyer ne peut pas partager ses paniers avec lui-même : choisissez un autre "
              "foyer."), field="partner_id")
    partner = session.get(Member, partner_id)
    if partner is None:
        raise ValidationError(
            _("Adhérent n° {id} introuvable.").format(id=partner_id), field="partner_id")
    if partner.archived_at is not None:
        raise ValidationError(
            _("Le foyer {name} est archivé : il ne peut pas partager de paniers.").format(
                name=partner.display_name), field="partner_id")
    require_point(actor, partner.point_id, _("associer ce foyer à un autre"))
    return partner


def _pair(session: Session, actor: Actor, member: Member, partner: Member | None) -> None:
    """Make `member` and `partner` each other's partner; undo their former pairings."""
    pair = {member.id} | ({partner.id} if partner is not None else set())
    for former in session.scalars(select(Member).where(
            Member.partner_id.in_(pair), Member.id.not_in(pair))):
        require_point(actor, former.point_id, _("défaire le binôme de ce foyer"))
        former.partner_id = None
    member.partner_id = partner.id if partner is not None else None
    if partner is not None:
        partner.partner_id = member.id


def get_member(*, db: Database, actor: Actor, member_id: int) -> MemberDetail:
    require(actor, MEMBER_EDITORS, _("consulter les adhérents"))
    with db.reading() as session:
        return _detail(_visible(actor, _find(session, member_id), _("consulter ce foyer")))


def save_member(
    *, db: Database, actor: Actor, data: MemberInput, member_id: int | None = None,
    expected_version: int | None = None,
) -> MemberDetail:
    """Create a household (no id) or update one; an update made on stale data is refused.

    A new household gets the next payment reference. Pairing A with B also
    pairs B with A, and undoes A's and B's former pairings.
    """
    require(actor, MEMBER_EDITORS, _("modifier les adhérents"))
    values = checked_member(data)
    require_point(actor, data.point_id, _("inscrire un foyer à ce point de distribution"))
    for attempt in range(1, _REFERENCE_ATTEMPTS + 1):
        try:
            return _save_member(db, actor, data, values, member_id, expected_version)
        except StaleDataError:
            raise StaleData(_("Ce foyer")) from None
        except IntegrityError as error:
            # Two writers took the same next reference at once (PostgreSQL): take another.
            if (member_id is not None or attempt == _REFERENCE_ATTEMPTS
                    or not any(key in str(error.orig)
                               for key in ("payment_reference", "setting"))):
                raise
    raise AssertionError("unreachable")


def _save_member(db: Database, actor: Actor, data: MemberInput, values: dict[str, object],
                 member_id: int | None, expected_version: int | None) -> MemberDetail:
    email = values["email"]
    assert email is None or isinstance(email, str)
    with db.transaction() as session:
        before: dict[str, object] | None = None
        if member_id is None:
            member = Member(**values, payment_reference=next_payment_reference(session))
            _check_point(session, data.point_id)
            pairing_changes = True
        else:
            member = _visible(actor, _find(session, member_id), _("modifier ce foyer"))
            if expected_version is not None and member.version != expected_version:
                raise StaleData(_("Ce foyer"))
            if member.anonymised_at is not None:
                raise ValidationError(
                    _("Les données de ce foyer ont été effacées (RGPD) : il ne se modifie "
                      "plus."))
            before = audited_values(member)
            if member.point_id != data.point_id:
                _check_point(session, data.point_id)
            pairing_changes = member.partner_id != data.partner_id
        _ensure_unique_email(session, email, member_id)
        partner = _partner(session, actor, data.partner_id, member_id) if pairing_changes else None
        for key, value in values.items():
            setattr(member, key, value)
        session.add(member)
        session.flush()
        if pairing_changes:
            _pair(session, actor, member, partner)
            session.flush()
        record_member_change(session, actor, member, before)
        session.flush()
        session.refresh(member)
        return _detail(member)


def archive_member(*, db: Database, actor: Actor, member_id: int, archived: bool = True) -> None:
    """Archive (or bring back) a household: it leaves the lists, its history stays."""
    require(actor, MEMBER_EDITORS, _("archiver un adhérent"))
    with db.transaction() as session:
        member = _visible(actor, _find(session, member_id), _("archiver ce foyer"))
        if (member.archived_at is not None) == archived:
            return
        member.archived_at = dt.datetime.now(dt.UTC) if archived else None
        audit.record(session, actor=actor, entity="member", entity_id=member.id,
                     action="archive" if archived else "unarchive",
                     summary=(_("{name} : foyer archivé") if archived
                              else _("{name} : foyer désarchivé")).format(
                         name=member.display_name),
                     before={"archived": not archived}, after={"archived": archived},
                     member_id=member.id, point_id=member.point_id)


def delete_member(*, db: Database, actor: Actor, member_id: int) -> None:
    """Delete a household entered by mistake; refused once anything refers to it."""
    require(actor, MEMBER_EDITORS, _("supprimer un adhérent"))
    with db.transaction() as session:
        member = _visible(actor, _find(session, member_id), _("supprimer ce foyer"))
        uses = [
            (session.scalar(select(func.count()).where(condition)) or 0, what)
            for condition, what in (
                (Order.member_id == member_id, _("commande(s)")),
                (or_(Contract.member_id == member_id, Contract.co_member_id == member_id),
                 _("contrat(s)")),
                (MembershipFee.member_id == member_id, _("cotisation(s)")),
                (Shift.member_id == member_id, _("permanence(s)")),
                # (a fee's own entries are counted with the fee)
                (and_(LedgerEntry.member_id == member_id, LedgerEntry.fee_id.is_(None)),
                 _("écriture(s) au grand livre")),
                (Cheque.member_id == member_id, _("chèque(s)")),
            )
        ]
        found = [f"{count} {what}" for count, what in uses if count]
        if found:
            raise Referenced(
                _("{name} a {uses} : archivez-le plutôt que de le supprimer ; il disparaîtra des "
                  "listes sans perdre son historique.").format(
                    name=member.display_name, uses=", ".join(found)))
        for former in session.scalars(select(Member).where(Member.partner_id == member_id)):
            former.partner_id = None
        # The name alone: the household's data goes with it, not into the trail.
        audit.record(session, actor=actor, entity="member", entity_id=member.id,
                     action="delete", summary=_("{name} : foyer supprimé ({reference})").format(
                         name=member.display_name, reference=member.payment_reference),
                     member_id=member.id, point_id=member.point_id)
        session.flush()
        session.delete(member)


def record_fee(*, db: Database, actor: Actor, member_id: int, year: int,
               amount: Decimal | str, paid_on: dt.date | None = None,
               replace: bool = False) -> FeeRow:
    """Record a household's membership fee for a year (one per year).

    A second fee for the same year is refused unless `replace` says to correct it.
    """
    require(actor, MEMBER_EDITORS, _("enregistrer les cotisations"))
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
        raise ValidationError(_("Année de cotisation « {year} » invalide.").format(year=year),
                              field="year")
    value = check.price(amount, field="amount", label=_("Le montant de la cotisation"),
                        allow_zero=True)
    with db.transaction() as session:
        member = _visible(actor, _find(session, member_id), _("enregistrer sa cotisation"))
        fee = session.scalar(select(MembershipFee).where(
            MembershipFee.member_id == member_id, MembershipFee.year == year))
        if fee is None:
            fee = MembershipFee(member_id=member_id, year=year)
            session.add(fee)
        elif not replace:
            raise ValidationError(
                _("La cotisation {year} de {name} est déjà enregistrée ({amount}).").format(
                    year=year, name=member.display_name, amount=format_money(fee.amount)),
                field="year")
        before = None if fee.id is None else {"amount": fee.amount, "paid_on": fee.paid_on}
        fee.amount = value
        fee.paid_on = paid_on
        session.flush()
        if before != {"amount": value, "paid_on": paid_on}:
            audit.record(session, actor=actor, entity="fee", entity_id=fee.id,
                         action="create" if before is None else "update",
                         summary=_("{name} : cotisation {year} de {amount}").format(
                             name=member.display_name, year=year, amount=format_money(value)),
                         before=before, after={"amount": value, "paid_on": paid_on},
                         member_id=member.id, point_id=member.point_id)
        ledger.sync_fee(session, actor, fee.id)
        return FeeRow(year=year, amount=value, paid_on=paid_on)


def fees_of(*, db: Database, actor: Actor, member_id: int) -> list[FeeRow]:
    """A household's membership fees, oldest year first."""
    require(actor, MEMBER_EDITORS, _("consulter les cotisations"))
    with db.reading() as session:
        _visible(actor, _find(session, member_id), _("consulter ses cotisations"))
        return [FeeRow(year=f.year, amount=f.amount, paid_on=f.paid_on)
                for f in session.scalars(select(MembershipFee)
                                         .where(MembershipFee.member_id == member_id)
                                         .order_by(MembershipFee.year))]


def find_member_by_email(*, db: Database, actor: Actor, email: str) -> MemberDetail | None:
    """The household with this e-mail address (any case), if the actor may see it."""
    require(actor, MEMBER_EDITORS, _("consulter les adhérents"))
    cleaned = email.strip().lower()
    if not cleaned:
        return None
    query = select(Member).where(func.lower(Member.email) == cleaned)
    if actor.role is Role.COORDINATOR:
        query = query.where(Member.point_id.in_(actor.point_ids))
    with db.reading() as session:
        member = session.scalars(query.order_by(Member.id)).first()
        return None if member is None else _detail(member)


def find_members_by_name(*, db: Database, actor: Actor, last_name: str,
                         first_name: str = "") -> list[MemberDetail]:
    """Households of that name, ignoring case, accents and hyphens (homonyms all come back).

    With no first name, every household of that last name.
    """
    require(actor, MEMBER_EDITORS, _("consulter les adhérents"))
    wanted_last = name_key(last_name)
    wanted = name_key(last_name, first_name)
    query = select(Member.id, Member.last_name, Member.first_name).order_by(Member.id)
    if actor.role is Role.COORDINATOR:
        query = query.where(Member.point_id.in_(actor.point_ids))
    with db.reading() as session:
        ids = [
            member_id for member_id, last, first in session.execute(query)
            if (name_key(last, first) == wanted if first_name.strip()
                else name_key(last) == wanted_last)
        ]
        return [_detail(_find(session, member_id)) for member_id in ids]

