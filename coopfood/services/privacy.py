"""Members' data rights (RGPD): see everything held on a household, erase it, find the
households long gone.

`export_household` writes all the base holds on a household — identity and
contacts, fees, contracts, orders with their lines, account entries, cheques,
invoices it received, shifts, absences and the audit trail about it — as one
JSON file and a zip of CSV files (right of access, art. 15, and portability,
art. 20).

`anonymise_household` erases a household's personal data (right to erasure,
art. 17) and keeps its accounts whole: its orders, ledger entries and invoices
stay as they are, so every invoice, statement and balance keeps its amounts.
Its name becomes « Foyer anonymisé n° 42 », its contacts are blanked, its
payment reference stays (bank lines already matched on it keep their sense).
Not erased, because the law requires them kept as they are (accounting
records, ten years, art. L123-22 of the Code de commerce): issued invoices
(the buyer's identity is part of the legal document), the cheque register
(the drawer's name as written on the cheque) and bank statement lines. The
audit trail keeps who did what and when, without the household's data: its
name is replaced in the entries about it, and the values before and after of
its personal data are removed.

`inactive_households` lists the households with no order, account entry,
contract nor fee for a number of years: candidates for clean-up.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from coopfood.i18n import N_, _, format_date
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    AuditEntry,
    BasketType,
    Cheque,
    Contract,
    ContractSkip,
    Coop,
    Cycle,
    DistributionPoint,
    Invoice,
    LedgerEntry,
    MailMessage,
    Member,
    MembershipFee,
    Order,
    OrderLine,
    Producer,
    Product,
    Shift,
)
from coopfood.persistence.sql import cents_to_money, raw, sum_cents
from coopfood.services import (
    Actor,
    NotFound,
    StaleData,
    ValidationError,
    audit,
)
from coopfood.services.access import (
    ERASERS,
    MEMBER_EDITORS,
    require,
    require_point,
    visible_points,
)
from coopfood.services.members import AUDITED_FIELDS

#: The name an erased household keeps: its number only.
ANONYMOUS_NAME = N_("Foyer anonymisé n° {id}")


@dataclass(frozen=True)
class HouseholdExport:
    json_path: Path
    csv_zip_path: Path
    #: Section → number of records (« commandes » → 12).
    counts: Mapping[str, int]


@dataclass(frozen=True)
class AnonymisedHousehold:
    member_id: int
    #: « FOYER ANONYMISÉ N° 42 », as lists and documents show it now.
    name: str
    payment_reference: str
    anonymised_at: dt.datetime
    #: Audit entries whose household data was removed.
    audit_entries_cleaned: int


@dataclass(frozen=True)
class InactiveHousehold:
    id: int
    name: str
    point: str
    payment_reference: str
    #: The last order, account entry, contract, fee or joining; None: never anything.
    last_activity: dt.date | None
    balance: Decimal
    archived: bool


def anonymous_name(member_id: int) -> str:
    return _(ANONYMOUS_NAME).format(id=member_id)


def _find(session: Session, actor: Actor, member_id: int, what: str) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Adhérent n° {id} introuvable.").format(id=member_id))
    require_point(actor, member.point_id, what)
    return member


# --- what is held on a household --------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON keeps it exactly: amounts and dates as text, enums as their value."""
    if isinstance(value, enum.Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


#: The sections of an export: JSON key, CSV file, and its French title.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("foyer", "foyer.csv"),
    ("cotisations", "cotisations.csv"),
    ("contrats", "contrats.csv"),
    ("absences", "absences.csv"),
    ("commandes", "commandes.csv"),
    ("ecritures", "compte.csv"),
    ("cheques", "cheques.csv"),
    ("factures", "factures.csv"),
    ("permanences", "permanences.csv"),
    ("historique", "historique.csv"),
)


def household_data(session: Session, member: Member) -> dict[str, Any]:
    """Everything held on `member`, section by section, each a list of flat records (orders
    carry their lines); French keys, as the household reads them."""
    mid = member.id
    point = session.get(DistributionPoint, member.point_id) if member.point_id else None
    partner = session.get(Member, member.partner_id) if member.partner_id else None
    identity = {
        "numero": mid, "nom": member.last_name, "prenom": member.first_name,
        "second_adulte": member.co_member_name, "email": member.email or "",
        "telephone": member.phone, "adresse": member.address,
        "code_postal": member.postal_code, "ville": member.city,
        "point_de_distribution": point.name if point else "",
        "binome": partner.display_name if partner else "",
        "reference_de_paiement": member.payment_reference,
        "telephone_imprime": member.print_phone, "email_imprime": member.print_email,
        "adhesion": member.joined_on, "cree_le": member.created_at,
        "modifie_le": member.updated_at, "archive_le": member.archived_at,
        "anonymise_le": member.anonymised_at,
    }
    fees = [{"annee": f.year, "montant": f.amount, "paye_le": f.paid_on}
            for f in session.scalars(select(MembershipFee).where(MembershipFee.member_id == mid)
                                     .order_by(MembershipFee.year))]
    contracts = []
    for c, basket, producer, point_name in session.execute(
            select(Contract, BasketType.name, Producer.name, DistributionPoint.name)
            .join(BasketType, BasketType.id == Contract.basket_type_id)
            .join(Producer, Producer.id == BasketType.producer_id)
            .join(DistributionPoint, DistributionPoint.id == Contract.point_id)
            .where(or_(Contract.member_id == mid, Contract.co_member_id == mid))
            .order_by(Contract.season_start, Contract.id)):
        contracts.append({
            "contrat": c.id, "panier": basket, "producteur": producer,
            "point_de_distribution": point_name, "debut": c.season_start, "fin": c.season_end,
            "frequence": c.frequency.label, "prix_par_panier": c.price_per_basket,
            "absences_permises": c.allowed_absences,
            "role": _("titulaire") if c.member_id == mid else _("partage le panier"),
            "cheques": c.cheque_count, "mois_des_cheques": ", ".join(c.cheque_months),
            "archive": c.archived_at is not None})
    later = aliased(Cycle)
    skips = [{"contrat": s.contract_id, "distribution": day, "reporte_au": to_day}
             for s, day, to_day in session.execute(
                 select(ContractSkip, Cycle.distribution_date, later.distribution_date)
                 .join(Cycle, Cycle.id == ContractSkip.cycle_id)
                 .outerjoin(later, later.id == ContractSkip.postponed_to_cycle_id)
                 .where(ContractSkip.member_id == mid)
                 .order_by(Cycle.distribution_date))]
    orders = []
    for order, day, point_name in session.execute(
            select(Order, Cycle.distribution_date, DistributionPoint.name)
            .join(Cycle, Cycle.id == Order.cycle_id)
            .join(DistributionPoint, DistributionPoint.id == Order.point_id)
            .where(Order.member_id == mid).order_by(Cycle.distribution_date, Order.id)):
        lines = []
        for line, product, basket in session.execute(
                select(OrderLine, Product.name, BasketType.name)
                .outerjoin(Product, Product.id == OrderLine.product_id)
                .outerjoin(BasketType, BasketType.id == OrderLine.basket_type_id)
                .where(OrderLine.order_id == order.id).order_by(OrderLine.id)):
            lines.append({
                "article": product or basket or "", "commande": line.quantity_ordered,
                "attribue": line.quantity_allocated, "livre": line.quantity_delivered,
                "prix_unitaire": line.member_unit_price,
                "prix_producteur_ht": line.unit_price_ht, "tva": line.vat_rate})
        orders.append({"commande": order.id, "distribution": day,
                       "point_de_distribution": point_name, "numero_de_ligne": order.row_number,
                       "absent": order.absent, "lignes": lines})
    entries = [{"ecriture": e.id, "date": e.entry_date, "type": e.kind.label,
                "libelle": e.label, "montant": e.amount,
                "moyen": e.means.label if e.means else "", "reference": e.reference}
               for e in session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == mid)
                                        .order_by(LedgerEntry.entry_date, LedgerEntry.id))]
    cheques = [{"cheque": c.id, "numero": c.number, "banque": c.bank, "tireur": c.drawer,
                "montant": c.amount, "date": c.issue_date, "mois_d_encaissement": c.planned_month,
                "etat": c.status.label, "note": c.note}
               for c in session.scalars(select(Cheque).where(Cheque.member_id == mid)
                                        .order_by(Cheque.id))]
    invoices = [{"numero": i.number, "type": i.kind.label, "date": i.issue_date,
                 "producteur": producer, "total_ht": i.total_ht, "tva": i.total_vat,
                 "total_ttc": i.total_ttc}
                for i, producer in session.execute(
                    select(Invoice, Producer.name)
                    .join(Producer, Producer.id == Invoice.producer_id)
                    .where(Invoice.member_id == mid).order_by(Invoice.issue_date, Invoice.id))]
    shifts = [{"distribution": day, "point_de_distribution": point_name, "role": s.role}
              for s, day, point_name in session.execute(
                  select(Shift, Cycle.distribution_date, DistributionPoint.name)
                  .join(Cycle, Cycle.id == Shift.cycle_id)
                  .join(DistributionPoint, DistributionPoint.id == Shift.point_id)
                  .where(Shift.member_id == mid).order_by(Cycle.distribution_date))]
    history = [{"le": row.at, "par": row.actor_name, "type": row.entity_label,
                "action": row.action, "resume": row.summary,
                "avant": json.dumps(row.before, ensure_ascii=False) if row.before else "",
                "apres": json.dumps(row.after, ensure_ascii=False) if row.after else ""}
               for row in reversed(audit.entries(session, member_id=mid, limit=None))]
    return {"foyer": [identity], "cotisations": fees, "contrats": contracts,
            "absences": skips, "commandes": orders, "ecritures": entries, "cheques": cheques,
            "factures": invoices, "permanences": shifts, "historique": history}


def _csv_table(section: str, records: Sequence[Mapping[str, Any]]) -> bytes:
    from coopfood.exports import table_csv

    if section == "commandes":
        flat = [{**{k: v for k, v in order.items() if k != "lignes"}, **line}
                for order in records for line in order["lignes"] or [{}]]
        records = flat
    headers: list[str] = []
    for record in records:
        headers.extend(key for key in record if key not in headers)
    return table_csv(headers, [[record.get(key) for key in headers] for record in records])


def export_household(*, db: Database, actor: Actor, member_id: int, out_dir: Path,
                     today: dt.date | None = None) -> HouseholdExport:
    """Write everything held on a household into `out_dir`: « foyer-ADH-0042-2026-11-26.json »
    and a zip of CSV files beside it. The export is kept in the audit trail."""
    from coopfood.exports import write_atomically

    require(actor, MEMBER_EDITORS, _("exporter les données d'un foyer"))
    day = today or dt.date.today()
    with db.transaction() as session:
        member = _find(session, actor, member_id, _("exporter les données de ce foyer"))
        data = household_data(session, member)
        coop = session.scalars(select(Coop.name).order_by(Coop.id)).first()
        audit.record(session, actor=actor, entity="member", entity_id=member.id,
                     action="export", summary=_("{name} : données du foyer exportées").format(
                         name=member.display_name),
                     member_id=member.id, point_id=member.point_id)
        reference = member.payment_reference
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValidationError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error), field="out_dir") from error
    stem = f"foyer-{reference}-{day.isoformat()}"
    document = {"cooperative": coop or "", "exporte_le": dt.datetime.now(dt.UTC),
                "exporte_par": actor.name, **data}
    json_path = out_dir / f"{stem}.json"
    write_atomically(json_path, json.dumps(_plain(document), ensure_ascii=False,
                                           indent=2).encode("utf-8"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for section, file_name in SECTIONS:
            archive.writestr(file_name, _csv_table(section, data[section]))
    zip_path = out_dir / f"{stem}-csv.zip"
    write_atomically(zip_path, buffer.getvalue())
    return HouseholdExport(json_path=json_path, csv_zip_path=zip_path,
                           counts={section: len(data[section]) for section, _f in SECTIONS})


# --- erasure ----------------------------------------------------------------------------------

#: The personal fields of a household and what they become once erased.
_ERASED: dict[str, object] = {
    "first_name": "", "co_member_name": "", "email": None, "phone": "", "address": "",
    "postal_code": "", "city": "", "print_phone": False, "print_email": False,
}
#: Values of the audit trail that are personal data (a household's, before and after).
_PERSONAL_KEYS = frozenset(AUDITED_FIELDS) - {"point_id", "partner_id", "joined_on"}


def _without_personal(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {key: (None if key in _PERSONAL_KEYS else value) for key, value in values.items()}


def anonymise_household(*, db: Database, actor: Actor, member_id: int,
                        expected_version: int | None = None) -> AnonymisedHousehold:
    """Erase a household's personal data for good; its accounts stay whole (see the module's
    docstring). A household's balance need not be zero: it stays, under its new name."""
    require(actor, ERASERS, _("anonymiser un foyer"))
    try:
        with db.transaction() as session:
            return _anonymise(session, actor, member_id, expected_version)
    except StaleDataError:
        raise StaleData(_("Ce foyer")) from None


def _anonymise(session: Session, actor: Actor, member_id: int,
               expected_version: int | None) -> AnonymisedHousehold:
    member = _find(session, actor, member_id, _("anonymiser ce foyer"))
    if expected_version is not None and member.version != expected_version:
        raise StaleData(_("Ce foyer"))
    if member.anonymised_at is not None:
        raise ValidationError(_("Ce foyer a déjà été anonymisé le {date}.").format(
            date=format_date(member.anonymised_at.date())))
    old_name = member.display_name
    email = member.email
    name = anonymous_name(member.id)
    moment = dt.datetime.now(dt.UTC)
    for former in session.scalars(select(Member).where(
            or_(Member.partner_id == member.id, Member.id == member.partner_id))):
        former.partner_id = None
    member.partner_id = None
    member.last_name = name
    for key, value in _ERASED.items():
        setattr(member, key, value)
    member.anonymised_at = moment
    if member.archived_at is None:
        member.archived_at = moment
    shown = member.display_name
    cleaned = 0
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.member_id == member.id)):
        summary = entry.summary.replace(old_name, shown) if old_name else entry.summary
        before, after = entry.before, entry.after
        if entry.entity == "member":
            before, after = _without_personal(before), _without_personal(after)
        if (summary, before, after) != (entry.summary, entry.before, entry.after):
            entry.summary, entry.before, entry.after = summary, before, after
            cleaned += 1
    if email:
        session.execute(update(MailMessage)
                        .where(func.lower(MailMessage.recipient).contains(email.lower(),
                                                                            autoescape=True))
                        .values(recipient=name))
    session.flush()
    audit.record(session, actor=actor, entity="member", entity_id=member.id,
                 action="anonymise",
                 summary=_("{name} : données personnelles effacées à la demande du foyer "
                           "(RGPD) ; ses comptes sont conservés").format(name=shown),
                 member_id=member.id, point_id=member.point_id)
    return AnonymisedHousehold(member_id=member.id, name=shown,
                               payment_reference=member.payment_reference,
                               anonymised_at=moment, audit_entries_cleaned=cleaned)


# --- households long gone ---------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def inactive_households(*, db: Database, actor: Actor, years: int,
                        today: dt.date | None = None) -> list[InactiveHousehold]:
    """Households with nothing — no order, account entry, contract, fee nor joining — in the
    last `years` years, longest gone first; those already anonymised are left out."""
    require(actor, MEMBER_EDITORS, _("consulter les adhérents"))
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= 50:
        raise ValidationError(_("Indiquez un nombre d'années entre 1 et 50."), field="years")
    cutoff = _years_before(today or dt.date.today(), years)
    last: dict[int, dt.date] = {}

    def note(rows: Any) -> None:
        for member_id, day in rows:
            if member_id is not None and day is not None:
                if isinstance(day, dt.datetime):
                    day = day.date()
                elif isinstance(day, int):
                    day = dt.date(day, 12, 31)
                if member_id not in last or day > last[member_id]:
                    last[member_id] = day

    query = (select(Member, DistributionPoint.name)
             .outerjoin(DistributionPoint, DistributionPoint.id == Member.point_id)
             .where(Member.anonymised_at.is_(None)))
    points = visible_points(actor)
    if points is not None:
        query = query.where(Member.point_id.in_(points))
    with db.reading() as session:
        members = session.execute(query).all()
        note(session.execute(select(Order.member_id, func.max(Cycle.distribution_date))
                             .join(Cycle, Cycle.id == Order.cycle_id).group_by(Order.member_id)))
        note(session.execute(select(LedgerEntry.member_id, func.max(LedgerEntry.entry_date))
                             .where(LedgerEntry.member_id.is_not(None))
                             .group_by(LedgerEntry.member_id)))
        for column in (Contract.member_id, Contract.co_member_id):
            note(session.execute(select(column, func.max(Contract.season_end))
                                 .group_by(column)))
        note(session.execute(select(MembershipFee.member_id, func.max(MembershipFee.year))
                             .group_by(MembershipFee.member_id)))
        note((m.id, m.joined_on) for m, _p in members)
        note((m.id, m.created_at) for m, _p in members)
        gone = [(m, point) for m, point in members
                if m.id not in last or last[m.id] < cutoff]
        balances = {member_id: cents_to_money(cents) for member_id, cents in session.execute(
            select(LedgerEntry.member_id, sum_cents(raw(LedgerEntry.amount)))
            .where(LedgerEntry.member_id.is_not(None)).group_by(LedgerEntry.member_id))}
    rows = [InactiveHousehold(
        id=m.id, name=m.display_name, point=point or "", payment_reference=m.payment_reference,
        last_activity=last.get(m.id), balance=balances.get(m.id, Decimal("0.00")),
        archived=m.archived_at is not None) for m, point in gone]
    return sorted(rows, key=lambda r: (r.last_activity or dt.date.min, r.id))
