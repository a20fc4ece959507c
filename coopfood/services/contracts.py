"""AMAP season contracts: a household × a basket type × a season × a frequency.

A contract may be shared by two households (alternating weeks or half each
week) and is often paid by a set of cheques, each cashed in a given month of
the season.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.enums import Frequency, ShareMode
from coopfood.i18n import _, format_date
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Contract,
    DistributionPoint,
    LedgerEntry,
    Member,
    OrderLine,
    Producer,
)
from coopfood.services import (
    Actor,
    NotFound,
    Referenced,
    Role,
    StaleData,
    ValidationError,
)
from coopfood.services import validation as check
from coopfood.services.access import MEMBER_EDITORS, require, require_point

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, kw_only=True)
class ContractInput:
    """What a user types for a contract; checked and normalised by `save_contract`."""

    member_id: int
    basket_type_id: int
    point_id: int
    season_start: dt.date
    season_end: dt.date
    frequency: Frequency
    #: What the member pays per basket, VAT included.
    price_per_basket: Decimal | str
    allowed_absences: int = 0
    #: The second household of a shared basket; `share_mode` says how it is shared.
    co_member_id: int | None = None
    share_mode: ShareMode | None = None
    cheque_count: int = 0
    #: The month each cheque is cashed in, "YYYY-MM", one per cheque.
    cheque_months: Sequence[str] = ()
    #: Fortnightly only: 0 delivers in week A (from the season's first distribution),
    #: 1 in week B (from the second).
    fortnight_offset: int = 0


@dataclass(frozen=True)
class ContractDetail:
    id: int
    version: int
    member_id: int
    member: str
    basket_type_id: int
    basket_type: str
    producer: str
    point_id: int
    point: str
    season_start: dt.date
    season_end: dt.date
    frequency: Frequency
    allowed_absences: int
    price_per_basket: Decimal
    co_member_id: int | None
    co_member: str
    share_mode: ShareMode | None
    cheque_count: int
    cheque_months: tuple[str, ...]
    fortnight_offset: int
    archived: bool


@dataclass(frozen=True)
class ContractRow:
    id: int
    member_id: int
    member: str
    co_member: str
    basket_type_id: int
    basket_type: str
    producer: str
    point: str
    season_start: dt.date
    season_end: dt.date
    frequency: Frequency
    frequency_label: str
    price_per_basket: Decimal
    archived: bool


def _detail(c: Contract) -> ContractDetail:
    return ContractDetail(
        id=c.id, version=c.version, member_id=c.member_id, member=c.member.display_name,
        basket_type_id=c.basket_type_id, basket_type=c.basket_type.name,
        producer=c.basket_type.producer.name, point_id=c.point_id, point=c.point.name,
        season_start=c.season_start, season_end=c.season_end, frequency=c.frequency,
        allowed_absences=c.allowed_absences, price_per_basket=c.price_per_basket,
        co_member_id=c.co_member_id,
        co_member=c.co_member.display_name if c.co_member is not None else "",
        share_mode=c.share_mode, cheque_count=c.cheque_count,
        cheque_months=tuple(c.cheque_months), fortnight_offset=c.fortnight_offset,
        archived=c.archived_at is not None,
    )


def _count(value: int, *, field: str, message: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(message.format(value=value), field=field)
    return value


def _month_label(day: dt.date) -> str:
    return format_date(day, style="MMMM yyyy")


def _cheque_months(months: Sequence[str], count: int, start: dt.date,
                   end: dt.date) -> list[str]:
    """The cashing months, checked against the season and the number of cheques, in order."""
    first, last = start.replace(day=1), end.replace(day=1)
    checked = []
    for month in months:
        cleaned = month.strip()
        match = _MONTH.fullmatch(cleaned)
        if match is None or not 1 <= int(match[2]) <= 12:
            raise ValidationError(
                _("Mois d'encaissement « {value} » invalide : écrivez-le AAAA-MM "
                  "(par exemple 2026-04).").format(value=month), field="cheque_months")
        day = dt.date(int(match[1]), int(match[2]), 1)
        if not first <= day <= last:
            raise ValidationError(
                _("Le chèque de {month} tombe hors de la saison du contrat ({start} – "
                  "{end}).").format(month=_month_label(day), start=_month_label(first),
                                    end=_month_label(last)), field="cheque_months")
        checked.append(cleaned)
    if len(checked) != count:
        raise ValidationError(
            _("{count} chèque(s) annoncé(s) mais {months} mois d'encaissement indiqué(s) : "
              "il faut un mois par chèque.").format(count=count, months=len(checked)),
            field="cheque_months")
    return sorted(checked)


def checked_contract(data: ContractInput) -> dict[str, object]:
    """The columns of a contract from what was typed, or a ValidationError naming the field.

    The cheque months come back sorted. The households, basket type and point
    are checked against the database by `save_contract`.
    """
    check.dates_in_order(data.season_start, data.season_end, field="season_end",
                         start_label=_("le début de la saison"),
                         end_label=_("la fin de la saison"))
    if data.co_member_id is not None and data.co_member_id == data.member_id:
        raise ValidationError(
            _("Le co-adhérent d'un panier partagé doit être un autre foyer que le titulaire."),
            field="co_member_id")
    if data.co_member_id is not None and data.share_mode is None:
        raise ValidationError(
            _("Panier partagé : choisissez comment il est partagé (en alternance ou chaque "
              "semaine)."), field="share_mode")
    if data.co_member_id is None and data.share_mode is not None:
        raise ValidationError(
            _("Un mode de partage n'a de sens qu'avec un co-adhérent : choisissez le foyer qui "
              "partage le panier, ou retirez le mode de partage."), field="share_mode")
    cheque_count = _count(data.cheque_count, field="cheque_count", message=_(
        "Le nombre de chèques ne peut pas être négatif (« {value} »)."))
    return {
        "member_id": data.member_id,
        "basket_type_id": data.basket_type_id,
        "point_id": data.point_id,
        "season_start": data.season_start,
        "season_end": data.season_end,
        "frequency": data.frequency,
        "allowed_absences": _count(data.allowed_absences, field="allowed_absences", message=_(
            "Le nombre d'absences autorisées ne peut pas être négatif (« {value} »).")),
        "price_per_basket": check.price(data.price_per_basket, field="price_per_basket",
                                        label=_("Le prix du panier")),
        "co_member_id": data.co_member_id,
        "share_mode": data.share_mode,
        "cheque_count": cheque_count,
        "cheque_months": _cheque_months(data.cheque_months, cheque_count, data.season_start,
                                        data.season_end),
        "fortnight_offset": _fortnight_offset(data),
    }


def _fortnight_offset(data: ContractInput) -> int:
    if data.fortnight_offset not in (0, 1):
        raise ValidationError(_("La semaine de livraison est A ou B."), field="fortnight_offset")
    if data.frequency is not Frequency.FORTNIGHTLY:
        return 0
    return data.fortnight_offset


def _find(session: Session, contract_id: int) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(_("Contrat n° {id} introuvable.").format(id=contract_id))
    return contract


_Reference = TypeVar("_Reference", Member, BasketType, DistributionPoint)


def _usable(session: Session, model: type[_Reference], row_id: int, *, field: str,
            missing: str, archived: str) -> _Reference:
    row = session.get(model, row_id)
    if row is None:
        raise ValidationError(missing.format(id=row_id), field=field)
    if row.archived_at is not None:
        name = row.display_name if isinstance(row, Member) else row.name
        raise ValidationError(archived.format(name=name), field=field)
    return row


def _check_references(session: Session, data: ContractInput, before: Contract | None) -> None:
    """Households, basket type and point exist; newly chosen ones are not archived."""
    def changed(column: str) -> bool:
        return before is None or getattr(before, column) != getattr(data, column)

    if changed("member_id"):
        _usable(session, Member, data.member_id, field="member_id",
                missing=_("Adhérent n° {id} introuvable."),
                archived=_("Le foyer {name} est archivé : il ne peut pas souscrire de contrat."))
    if data.co_member_id is not None and changed("co_member_id"):
        _usable(session, Member, data.co_member_id, field="co_member_id",
                missing=_("Adhérent n° {id} introuvable."),
                archived=_("Le foyer {name} est archivé : il ne peut pas partager de panier."))
    if changed("basket_type_id"):
        _usable(session, BasketType, data.basket_type_id, field="basket_type_id",
                missing=_("Type de panier n° {id} introuvable."),
                archived=_("Le panier « {name} » est archivé : choisissez-en un autre."))
    if changed("point_id"):
        _usable(session, DistributionPoint, data.point_id, field="point_id",
                missing=_("Point de distribution n° {id} introuvable."),
                archived=_("Le point de distribution « {name} » est archivé : choisissez-en "
                           "un autre."))


def get_contract(*, db: Database, actor: Actor, contract_id: int) -> ContractDetail:
    require(actor, MEMBER_EDITORS, _("consulter les contrats"))
    with db.reading() as session:
        contract = _find(session, contract_id)
        require_point(actor, contract.point_id, _("consulter ce contrat"))
        return _detail(contract)


def save_contract(
    *, db: Database, actor: Actor, data: ContractInput, contract_id: int | None = None,
    expected_version: int | None = None,
) -> ContractDetail:
    """Create a contract (no id) or update one; an update made on stale data is refused."""
    require(actor, MEMBER_EDITORS, _("modifier les contrats"))
    values = checked_contract(data)
    require_point(actor, data.point_id, _("gérer les contrats de ce point de distribution"))
    try:
        with db.transaction() as session:
            if contract_id is None:
                _check_references(session, data, None)
                contract = Contract(**values)
                session.add(contract)
            else:
                contract = _find(session, contract_id)
                require_point(actor, contract.point_id, _("modifier ce contrat"))
                if expected_version is not None and contract.version != expected_version:
                    raise StaleData(_("Ce contrat"))
                _check_references(session, data, contract)
                for key, value in values.items():
                    setattr(contract, key, value)
            session.flush()
            session.refresh(contract)
            return _detail(contract)
    except StaleDataError:
        raise StaleData(_("Ce contrat")) from None


def archive_contract(*, db: Database, actor: Actor, contract_id: int,
                     archived: bool = True) -> None:
    """Archive (or bring back) a contract: it leaves the lists, its history stays."""
    require(actor, MEMBER_EDITORS, _("archiver un contrat"))
    with db.transaction() as session:
        contract = _find(session, contract_id)
        require_point(actor, contract.point_id, _("archiver ce contrat"))
        contract.archived_at = dt.datetime.now(dt.UTC) if archived else None


def delete_contract(*, db: Database, actor: Actor, contract_id: int) -> None:
    """Delete a contract entered by mistake; refused once baskets were ordered under it."""
    require(actor, MEMBER_EDITORS, _("supprimer un contrat"))
    with db.transaction() as session:
        contract = _find(session, contract_id)
        require_point(actor, contract.point_id, _("supprimer ce contrat"))
        lines = session.scalar(select(func.count(OrderLine.id))
                               .where(OrderLine.contract_id == contract_id)) or 0
        if lines:
            raise Referenced(
                _("Impossible de supprimer ce contrat de {name} : {lines} ligne(s) de commande y "
                  "font référence. Archivez-le plutôt : il disparaîtra des listes sans perdre son "
                  "historique.").format(name=contract.member.display_name, lines=lines))
        posted = session.scalar(select(func.count(LedgerEntry.id))
                                .where(LedgerEntry.contract_id == contract_id)) or 0
        if posted:
            raise Referenced(
                _("Impossible de supprimer ce contrat de {name} : ses échéances sont au grand "
                  "livre. Archivez-le plutôt, et passez une correction sur son compte s'il "
                  "n'est pas dû.").format(name=contract.member.display_name))
        session.delete(contract)


def list_contracts(*, db: Database, actor: Actor, member_id: int | None = None,
                   include_archived: bool = False) -> list[ContractRow]:
    """Contracts, newest season first; with `member_id`, those it holds or shares.

    A coordinator sees the contracts of its points; a producer those of its baskets.
    """
    co_member = aliased(Member)
    query = (
        select(Contract, Member, co_member, BasketType.name, Producer.name,
               DistributionPoint.name)
        .join(Member, Member.id == Contract.member_id)
        .outerjoin(co_member, co_member.id == Contract.co_member_id)
        .join(BasketType, BasketType.id == Contract.basket_type_id)
        .join(Producer, Producer.id == BasketType.producer_id)
        .join(DistributionPoint, DistributionPoint.id == Contract.point_id)
        .order_by(Contract.season_start.desc(), Member.last_name, Member.first_name, Contract.id)
    )
    if actor.role is Role.COORDINATOR:
        query = query.where(Contract.point_id.in_(actor.point_ids))
    elif actor.role is Role.PRODUCER:
        query = query.where(BasketType.producer_id == actor.producer_id)
    if member_id is not None:
        query = query.where(or_(Contract.member_id == member_id,
                                Contract.co_member_id == member_id))
    if not include_archived:
        query = query.where(Contract.archived_at.is_(None))
    with db.reading() as session:
        return [
            ContractRow(
                id=c.id, member_id=c.member_id, member=m.display_name,
                co_member=co.display_name if co is not None else "",
                basket_type_id=c.basket_type_id, basket_type=basket, producer=producer,
                point=point, season_start=c.season_start, season_end=c.season_end,
                frequency=c.frequency, frequency_label=c.frequency.label,
                price_per_basket=c.price_per_basket, archived=c.archived_at is not None,
            )
            for c, m, co, basket, producer, point in session.execute(query)
        ]
