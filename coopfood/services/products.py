"""Products and their prices: a price is never overwritten, a new one starts on a date.

An order line keeps a snapshot of the price it was made with, so a new price
never changes a past sheet or invoice; the price history says which price was
in force on any day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql import Subquery

from coopfood.domain.enums import CaseRule, Unit
from coopfood.i18n import _, format_date
from coopfood.persistence.db import Database
from coopfood.persistence.models import CycleOffer, OrderLine, Producer, Product, ProductPrice
from coopfood.services import Actor, NotFound, Referenced, StaleData, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import CATALOGUE_EDITORS, require
from coopfood.services.producers import usable_producer


@dataclass(frozen=True, kw_only=True)
class ProductInput:
    """What a user types for a product; checked and normalised by `save_product`.

    `price_ht` is required for a new product; on an update, None keeps the
    prices as they are, and a price that differs from the one in force on
    `price_from` (today when None) starts on that date.
    """

    producer_id: int
    name: str
    unit: Unit
    vat_rate: Decimal | str
    price_ht: Decimal | str | None = None
    price_from: dt.date | None = None
    variable_weight: bool = False
    case_pack: Decimal | str | None = None
    case_rule: CaseRule = CaseRule.COMPLETE
    category: str = ""
    label: str = ""
    active: bool = True


@dataclass(frozen=True)
class PriceRow:
    valid_from: dt.date
    price_ht: Decimal


@dataclass(frozen=True)
class ProductDetail:
    id: int
    version: int
    producer_id: int
    producer: str
    name: str
    unit: Unit
    vat_rate: Decimal
    #: The price in force today (None when the first price starts later).
    price_ht: Decimal | None
    variable_weight: bool
    case_pack: Decimal | None
    case_rule: CaseRule
    category: str
    label: str
    active: bool
    archived: bool


def _detail(session: Session, p: Product) -> ProductDetail:
    return ProductDetail(
        id=p.id, version=p.version, producer_id=p.producer_id, producer=p.producer.name,
        name=p.name, unit=p.unit, vat_rate=p.vat_rate,
        price_ht=_price_on(session, p.id, dt.date.today()), variable_weight=p.variable_weight,
        case_pack=p.case_pack, case_rule=p.case_rule, category=p.category, label=p.label,
        active=p.active, archived=p.archived_at is not None,
    )


def checked_product(data: ProductInput) -> dict[str, object]:
    """The columns of a product (and `price_ht`, `price_from`) from what was typed.

    Raises a ValidationError naming the field at fault.
    """
    name = check.text(data.name, field="name", label=_("Le nom du produit"))
    if data.variable_weight and data.unit is not Unit.KG:
        raise ValidationError(
            _("Un produit à poids variable est pesé à la livraison et vendu au kilo : "
              "choisissez l'unité kg (et non « {unit} »).").format(unit=data.unit.label),
            field="unit")
    case_pack = None
    if data.case_pack is not None and str(data.case_pack).strip():
        case_pack = check.positive_quantity(data.case_pack, field="case_pack",
                                            label=_("La taille du colis"), allow_zero=False)
    price = None
    if data.price_ht is not None and str(data.price_ht).strip():
        price = check.price(data.price_ht, field="price_ht", label=_("Le prix HT"))
    return {
        "producer_id": data.producer_id,
        "name": name,
        "unit": data.unit,
        "vat_rate": check.vat_rate(data.vat_rate),
        "variable_weight": data.variable_weight,
        "case_pack": case_pack,
        "case_rule": data.case_rule,
        "category": check.text(data.category, field="category", label=_("La catégorie"),
                               required=False, max_length=100),
        "label": check.text(data.label, field="label", label=_("Le label"), required=False,
                            max_length=100),
        "active": data.active,
        "price_ht": price,
        "price_from": data.price_from or dt.date.today(),
    }


def prices_in_force(day: dt.date) -> Subquery:
    """A subquery (product_id, price_ht) of each product's price in force on `day`.

    Join it to Product with an outer join: a product with no price yet gets None.
    """
    latest = (
        select(ProductPrice.product_id, func.max(ProductPrice.valid_from).label("valid_from"))
        .where(ProductPrice.valid_from <= day)
        .group_by(ProductPrice.product_id)
        .subquery()
    )
    return (
        select(ProductPrice.product_id, ProductPrice.price_ht)
        .join(latest, and_(latest.c.product_id == ProductPrice.product_id,
                           latest.c.valid_from == ProductPrice.valid_from))
        .subquery("price_in_force")
    )


def _find(session: Session, product_id: int) -> Product:
    product = session.get(Product, product_id)
    if product is None:
        raise NotFound(_("Produit n° {id} introuvable.").format(id=product_id))
    return product


def _ensure_unique_name(session: Session, producer: Producer, name: str,
                        product_id: int | None) -> None:
    other = session.scalar(select(Product.name).where(
        Product.producer_id == producer.id, func.lower(Product.name) == name.lower(),
        Product.id != (product_id or 0)))
    if other is not None:
        raise ValidationError(
            _("Le producteur « {producer} » a déjà un produit nommé « {name} ».").format(
                producer=producer.name, name=other), field="name")


def _line_count(session: Session, product_id: int) -> int:
    return session.scalar(select(func.count(OrderLine.id))
                          .where(OrderLine.product_id == product_id)) or 0


def _price_on(session: Session, product_id: int, day: dt.date) -> Decimal | None:
    return session.scalar(
        select(ProductPrice.price_ht)
        .where(ProductPrice.product_id == product_id, ProductPrice.valid_from <= day)
        .order_by(ProductPrice.valid_from.desc())
        .limit(1))


def price_on(source: Session | Database, /, *, product_id: int, day: dt.date) -> Decimal | None:
    """The producer's price HT in force on `day`, or None if no price had started yet.

    Pass the caller's session to read inside its transaction (an order taking
    its price snapshot), or the database for a read of its own.
    """
    if isinstance(source, Session):
        return _price_on(source, product_id, day)
    with source.reading() as session:
        return _price_on(session, product_id, day)


def record_price(session: Session, product: Product, price: Decimal,
                  valid_from: dt.date) -> PriceRow:
    """Start `price` on `valid_from`, unless it is already the price in force that day."""
    in_force = session.execute(
        select(ProductPrice.valid_from, ProductPrice.price_ht)
        .where(ProductPrice.product_id == product.id, ProductPrice.valid_from <= valid_from)
        .order_by(ProductPrice.valid_from.desc())
        .limit(1)).first()
    if in_force is not None and in_force.price_ht == price:
        return PriceRow(valid_from=in_force.valid_from, price_ht=price)
    same_day = session.scalar(select(ProductPrice).where(
        ProductPrice.product_id == product.id, ProductPrice.valid_from == valid_from))
    if same_day is None:
        session.add(ProductPrice(product_id=product.id, valid_from=valid_from, price_ht=price))
    elif _line_count(session, product.id) == 0:
        same_day.price_ht = price
    else:
        raise ValidationError(
            _("« {name} » a déjà un prix à partir du {date} et a déjà été commandé : ce prix "
              "ne peut plus être remplacé. Faites partir le nouveau prix d'une autre "
              "date.").format(name=product.name, date=format_date(valid_from)),
            field="price_from")
    return PriceRow(valid_from=valid_from, price_ht=price)


def get_product(*, db: Database, actor: Actor, product_id: int) -> ProductDetail:
    with db.reading() as session:
        return _detail(session, _find(session, product_id))


def save_product(
    *, db: Database, actor: Actor, data: ProductInput, product_id: int | None = None,
    expected_version: int | None = None,
) -> ProductDetail:
    """Create a product with its first price (no id) or update one.

    An update made on stale data is refused. A new price starts on
    `data.price_from`; the earlier prices stay in the history.
    """
    require(actor, CATALOGUE_EDITORS, _("modifier les produits"))
    values = checked_product(data)
    price = values.pop("price_ht")
    price_from = values.pop("price_from")
    assert price is None or isinstance(price, Decimal)
    assert isinstance(price_from, dt.date)
    if product_id is None and price is None:
        raise ValidationError(_("Le prix HT est obligatoire pour un nouveau produit."),
                              field="price_ht")
    try:
        with db.transaction() as session:
            if product_id is None:
                producer = usable_producer(session, data.producer_id, adding=_("des produits"))
                _ensure_unique_name(session, producer, str(values["name"]), None)
                product = Product(**values)
                session.add(product)
                session.flush()
            else:
                product = _find(session, product_id)
                if expected_version is not None and product.version != expected_version:
                    raise StaleData(_("Ce produit"))
                if data.producer_id != product.producer_id:
                    producer = usable_producer(session, data.producer_id, adding=_("des produits"))
                else:
                    producer = product.producer
                refuse_change_once_ordered(session, product, values)
                _ensure_unique_name(session, producer, str(values["name"]), product_id)
                for key, value in values.items():
                    setattr(product, key, value)
                session.flush()
            if price is not None:
                record_price(session, product, price, price_from)
            session.flush()
            session.refresh(product)
            return _detail(session, product)
    except StaleDataError:
        raise StaleData(_("Ce produit")) from None


def refuse_change_once_ordered(session: Session, product: Product,
                                values: dict[str, object]) -> None:
    """Past orders count in this product's unit and bill its producer: both stay."""
    changes = [(key, label) for key, label in (("producer_id", _("de producteur")),
                                               ("unit", _("d'unité")))
               if values[key] != getattr(product, key)]
    if changes and _line_count(session, product.id):
        key, label = changes[0]
        raise ValidationError(
            _("« {name} » a déjà été commandé : il ne peut plus changer {what}. Créez un "
              "nouveau produit et archivez celui-ci.").format(name=product.name, what=label),
            field=key)


def set_price(*, db: Database, actor: Actor, product_id: int, price_ht: Decimal | str,
              valid_from: dt.date) -> PriceRow:
    """Start a new price HT on `valid_from`; the earlier prices stay in the history."""
    require(actor, CATALOGUE_EDITORS, _("modifier les prix"))
    price = check.price(price_ht, field="price_ht", label=_("Le prix HT"))
    with db.transaction() as session:
        return record_price(session, _find(session, product_id), price, valid_from)


def price_history(*, db: Database, actor: Actor, product_id: int) -> list[PriceRow]:
    """Every price of a product, oldest first."""
    with db.reading() as session:
        _find(session, product_id)
        return [PriceRow(valid_from=day, price_ht=price) for day, price in session.execute(
            select(ProductPrice.valid_from, ProductPrice.price_ht)
            .where(ProductPrice.product_id == product_id)
            .order_by(ProductPrice.valid_from))]


def archive_product(*, db: Database, actor: Actor, product_id: int,
                    archived: bool = True) -> None:
    """Archive (or bring back) a product: it leaves the lists, its history stays."""
    require(actor, CATALOGUE_EDITORS, _("archiver un produit"))
    with db.transaction() as session:
        _find(session, product_id).archived_at = dt.datetime.now(dt.UTC) if archived else None


def delete_product(*, db: Database, actor: Actor, product_id: int) -> None:
    """Delete a product entered by mistake (with its prices); refused once it was used."""
    require(actor, CATALOGUE_EDITORS, _("supprimer un produit"))
    with db.transaction() as session:
        product = _find(session, product_id)
        lines = _line_count(session, product_id)
        offers = session.scalar(select(func.count(CycleOffer.id))
                                .where(CycleOffer.product_id == product_id)) or 0
        if lines or offers:
            raise Referenced(
                _("Impossible de supprimer « {name} » : {lines} ligne(s) de commande et "
                  "{offers} offre(s) de distribution y font référence. Archivez-le plutôt : "
                  "il disparaîtra des listes sans perdre son historique.").format(
                    name=product.name, lines=lines, offers=offers))
        for row in session.scalars(select(ProductPrice)
                                   .where(ProductPrice.product_id == product_id)):
            session.delete(row)
        session.flush()
        session.delete(product)
