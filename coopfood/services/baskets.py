"""AMAP basket types and their weekly composition (contenu du panier)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.enums import Unit
from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketContent,
    BasketType,
    Contract,
    OrderLine,
    Producer,
)
from coopfood.services import Actor, NotFound, Referenced, StaleData, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import CATALOGUE_EDITORS, require
from coopfood.services.producers import usable_producer


@dataclass(frozen=True, kw_only=True)
class BasketTypeInput:
    """What a user types for a basket type; checked and normalised by `save_basket_type`."""

    producer_id: int
    name: str
    price_ht: Decimal | str
    vat_rate: Decimal | str


@dataclass(frozen=True)
class BasketTypeDetail:
    id: int
    version: int
    producer_id: int
    producer: str
    name: str
    price_ht: Decimal
    vat_rate: Decimal
    archived: bool


@dataclass(frozen=True, kw_only=True)
class BasketItemInput:
    """One line of a week's basket: '1 kg de carottes', or just 'une botte de radis'."""

    label: str
    quantity: Decimal | str | None = None
    unit: Unit | None = None


@dataclass(frozen=True)
class BasketItem:
    position: int
    label: str
    quantity: Decimal | None
    unit: Unit | None


def week_of(day: dt.date) -> dt.date:
    """The Monday of the week `day` is in: compositions are kept per week."""
    return day - dt.timedelta(days=day.weekday())


def _detail(b: BasketType) -> BasketTypeDetail:
    return BasketTypeDetail(
        id=b.id, version=b.version, producer_id=b.producer_id, producer=b.producer.name,
        name=b.name, price_ht=b.price_ht, vat_rate=b.vat_rate, archived=b.archived_at is not None,
    )


def checked_basket_type(data: BasketTypeInput) -> dict[str, object]:
    """The columns of a basket type from what was typed, or a ValidationError naming the field."""
    return {
        "producer_id": data.producer_id,
        "name": check.text(data.name, field="name", label=_("Le nom du panier")),
        "price_ht": check.price(data.price_ht, field="price_ht", label=_("Le prix HT")),
        "vat_rate": check.vat_rate(data.vat_rate),
    }


def _find(session: Session, basket_type_id: int) -> BasketType:
    basket = session.get(BasketType, basket_type_id)
    if basket is None:
        raise NotFound(_("Type de panier n° {id} introuvable.").format(id=basket_type_id))
    return basket


def _ensure_unique_name(session: Session, producer: Producer, name: str,
                        basket_type_id: int | None) -> None:
    other = session.scalar(select(BasketType.name).where(
        BasketType.producer_id == producer.id, func.lower(BasketType.name) == name.lower(),
        BasketType.id != (basket_type_id or 0)))
    if other is not None:
        raise ValidationError(
            _("Le producteur « {producer} » a déjà un panier nommé « {name} ».").format(
                producer=producer.name, name=other), field="name")


def get_basket_type(*, db: Database, actor: Actor, basket_type_id: int) -> BasketTypeDetail:
    with db.reading() as session:
        return _detail(_find(session, basket_type_id))


def save_basket_type(
    *, db: Database, actor: Actor, data: BasketTypeInput, basket_type_id: int | None = None,
    expected_version: int | None = None,
) -> BasketTypeDetail:
    """Create a basket type (no id) or update one; an update made on stale data is refused.

    Contracts and past order lines keep their own price: changing this one
    changes neither.
    """
    require(actor, CATALOGUE_EDITORS, _("modifier les types de panier"))
    values = checked_basket_type(data)
    try:
        with db.transaction() as session:
            if basket_type_id is None:
                producer = usable_producer(session, data.producer_id, adding=_("des paniers"))
                basket = BasketType()
            else:
                basket = _find(session, basket_type_id)
                if expected_version is not None and basket.version != expected_version:
                    raise StaleData(_("Ce type de panier"))
                if data.producer_id != basket.producer_id:
                    if _used(session, basket.id):
                        raise ValidationError(
                            _("« {name} » a déjà des contrats ou des commandes : il ne peut "
                              "plus changer de producteur.").format(name=basket.name),
                            field="producer_id")
                    producer = usable_producer(session, data.producer_id, adding=_("des paniers"))
                else:
                    producer = basket.producer
            _ensure_unique_name(session, producer, str(values["name"]), basket_type_id)
            for key, value in values.items():
                setattr(basket, key, value)
            session.add(basket)
            session.flush()
            session.refresh(basket)
            return _detail(basket)
    except StaleDataError:
        raise StaleData(_("Ce type de panier")) from None


def _uses(session: Session, basket_type_id: int) -> tuple[int, int]:
    contracts = session.scalar(select(func.count(Contract.id))
                               .where(Contract.basket_type_id == basket_type_id)) or 0
    lines = session.scalar(select(func.count(OrderLine.id))
                           .where(OrderLine.basket_type_id == basket_type_id)) or 0
    return contracts, lines


def _used(session: Session, basket_type_id: int) -> bool:
    return any(_uses(session, basket_type_id))


def archive_basket_type(*, db: Database, actor: Actor, basket_type_id: int,
                        archived: bool = True) -> None:
    """Archive (or bring back) a basket type: it leaves the lists, its history stays."""
    require(actor, CATALOGUE_EDITORS, _("archiver un type de panier"))
    with db.transaction() as session:
        _find(session, basket_type_id).archived_at = (
            dt.datetime.now(dt.UTC) if archived else None)


def delete_basket_type(*, db: Database, actor: Actor, basket_type_id: int) -> None:
    """Delete a basket type entered by mistake (with its compositions); refused once used."""
    require(actor, CATALOGUE_EDITORS, _("supprimer un type de panier"))
    with db.transaction() as session:
        basket = _find(session, basket_type_id)
        contracts, lines = _uses(session, basket_type_id)
        if contracts or lines:
            raise Referenced(
                _("Impossible de supprimer « {name} » : {contracts} contrat(s) et {lines} "
                  "ligne(s) de commande y font référence. Archivez-le plutôt : il disparaîtra "
                  "des listes sans perdre son historique.").format(
                    name=basket.name, contracts=contracts, lines=lines))
        session.execute(delete(BasketContent)
                        .where(BasketContent.basket_type_id == basket_type_id))
        session.delete(basket)


def _checked_items(items: Sequence[BasketItemInput]) -> list[BasketItem]:
    checked = []
    for position, item in enumerate(items, start=1):
        field = f"items[{position - 1}]"
        label = check.text(item.label, field=f"{field}.label",
                           label=_("Le libellé de la ligne {n}").format(n=position))
        quantity = None
        if item.quantity is not None and str(item.quantity).strip():
            quantity = check.positive_quantity(
                item.quantity, field=f"{field}.quantity",
                label=_("La quantité de la ligne {n} ({label})").format(n=position, label=label),
                allow_zero=False)
        checked.append(BasketItem(position=position, label=label, quantity=quantity,
                                  unit=item.unit))
    return checked


def set_composition(*, db: Database, actor: Actor, basket_type_id: int, week_start: dt.date,
                    items: Sequence[BasketItemInput]) -> list[BasketItem]:
    """Replace what a basket holds in the week of `week_start` (any day of that week).

    An empty list clears the week's composition.
    """
    require(actor, CATALOGUE_EDITORS, _("modifier le contenu des paniers"))
    checked = _checked_items(items)
    monday = week_of(week_start)
    with db.transaction() as session:
        _find(session, basket_type_id)
        session.execute(delete(BasketContent).where(
            BasketContent.basket_type_id == basket_type_id, BasketContent.week_start == monday))
        session.add_all(
            BasketContent(basket_type_id=basket_type_id, week_start=monday,
                          position=item.position, label=item.label, quantity=item.quantity,
                          unit=item.unit)
            for item in checked)
    return checked


def composition(*, db: Database, actor: Actor, basket_type_id: int,
                week_start: dt.date) -> list[BasketItem]:
    """What a basket holds in the week of `week_start` (any day of that week), in order."""
    monday = week_of(week_start)
    with db.reading() as session:
        _find(session, basket_type_id)
        return [
            BasketItem(position=c.position, label=c.label, quantity=c.quantity, unit=c.unit)
            for c in session.scalars(select(BasketContent).where(
                BasketContent.basket_type_id == basket_type_id,
                BasketContent.week_start == monday).order_by(BasketContent.position))
        ]
