"""Importing products: matched by producer and name; checked by `checked_product`.

A price that differs from the one in force today starts today (the history
keeps the old one). A price with VAT ("prix ttc") is turned into the
producer's price without VAT, rounded half-up to the cent; when no price
without VAT gives back exactly the price with VAT, a warning says so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coopfood.domain.money import round_cents
from coopfood.domain.vat import price_with_vat
from coopfood.i18n import _, format_date, format_money, format_number
from coopfood.imports import values
from coopfood.imports.columns import Kind
from coopfood.imports.engine import UNCHANGED, Change, Importer, Outcome, Row, filled
from coopfood.imports.producers import changes_of
from coopfood.imports.reader import normalize_name
from coopfood.persistence.models import OrderLine, Producer, Product, ProductPrice
from coopfood.services import ValidationError
from coopfood.services import validation as check
from coopfood.services.products import (
    ProductInput,
    checked_product,
    record_price,
    refuse_change_once_ordered,
)

_TEXT_COLUMNS = ("name", "category", "label")


def _product_key(name: str) -> str:
    """Products are told apart by name regardless of case (as `save_product` does)."""
    return " ".join(name.casefold().split())


def _input_of(p: Product) -> ProductInput:
    return ProductInput(
        producer_id=p.producer_id,
        name=p.name,
        unit=p.unit,
        vat_rate=p.vat_rate,
        variable_weight=p.variable_weight,
        case_pack=p.case_pack,
        case_rule=p.case_rule,
        category=p.category,
        label=p.label,
        active=p.active,
    )


class ProductImporter(Importer):
    kind: ClassVar[Kind] = "products"

    def preload(self) -> None:
        self.producers_by_name: dict[str, list[Producer]] = {}
        self.producers_by_siret: dict[str, Producer] = {}
        for producer in self.session.scalars(select(Producer).order_by(Producer.id)):
            self.producers_by_name.setdefault(normalize_name(producer.name), []).append(producer)
            if producer.siret:
                self.producers_by_siret[producer.siret] = producer
        self.products: dict[tuple[int, str], Product] = {
            (p.producer_id, _product_key(p.name)): p for p in self.session.scalars(select(Product))
        }
        latest = (
            select(ProductPrice.product_id, func.max(ProductPrice.valid_from).label("day"))
            .where(ProductPrice.valid_from <= self.today)
            .group_by(ProductPrice.product_id)
            .subquery()
        )
        self.prices: dict[int, Decimal] = {}
        self.priced_today: set[int] = set()
        for product_id, day, price in self.session.execute(
            select(ProductPrice.product_id, ProductPrice.valid_from, ProductPrice.price_ht).join(
                latest,
                (latest.c.product_id == ProductPrice.product_id)
                & (latest.c.day == ProductPrice.valid_from),
            )
        ):
            self.prices[product_id] = price
            if day == self.today:
                self.priced_today.add(product_id)
        self.seen: dict[tuple[int, str], int] = {}

    def plan(self, row: Row) -> Change:
        overrides: dict[str, Any] = {}
        for key in _TEXT_COLUMNS:
            if row.has(key):
                overrides[key] = row.read(key, values.text)
        producer_name = row.read("producer", values.text) or ""
        unit = row.read("unit", values.unit) if row.has("unit") else None
        vat_rate = row.read("vat_rate", values.number) if row.has("vat_rate") else None
        price_ht = row.read("price_ht", values.number) if row.has("price_ht") else None
        price_ttc = row.read("price_ttc", values.number) if row.has("price_ttc") else None
        for key in ("variable_weight", "active"):
            flag = row.read(key, values.boolean) if row.has(key) else None
            if flag is not None:
                overrides[key] = flag
        if row.has("case_pack"):
            overrides["case_pack"] = row.read("case_pack", values.number)
        row.check_cells()

        producer = self._producer(row, producer_name)
        name_key = _product_key(overrides.get("name") or "")
        existing = self.products.get((producer.id, name_key))
        if name_key:
            if (producer.id, name_key) in self.seen:
                raise row.reject(
                    "name",
                    _("Ce produit figure déjà ligne {line} du fichier.").format(
                        line=self.seen[(producer.id, name_key)]
                    ),
                )
            self.seen[(producer.id, name_key)] = row.line

        if existing is not None:
            base = _input_of(existing)
        else:
            if producer.archived_at is not None:
                raise row.reject(
                    "producer",
                    _(
                        "Le producteur « {name} » est archivé : réactivez-le avant de lui "
                        "ajouter des produits."
                    ).format(name=producer.name),
                )
            if unit is None:
                raise row.reject("unit", _("L'unité d'un nouveau produit est obligatoire."))
            if vat_rate is None:
                raise row.reject(
                    "vat_rate",
                    _("Le taux de TVA d'un nouveau produit est obligatoire : 5,5, 10 ou 20."),
                )
            base = ProductInput(producer_id=producer.id, name="", unit=unit, vat_rate=vat_rate)
        if unit is not None:
            overrides["unit"] = unit
        if vat_rate is not None:
            overrides["vat_rate"] = vat_rate
        price_column = "price_ht"
        if price_ht is not None:
            overrides["price_ht"] = price_ht
        elif price_ttc is not None:
            price_column = "price_ttc"
            rate = overrides.get("vat_rate", base.vat_rate)
            overrides["price_ht"] = self._price_from_ttc(row, price_ttc, rate)
        elif existing is None:
            raise row.reject(
                "price_ht" if row.has("price_ht") else "price_ttc",
                _("Le prix d'un nouveau produit est obligatoire."),
            )
        overrides["price_from"] = self.today
        data = dataclasses.replace(base, **filled(overrides, existing=existing is not None))
        with self.validating(
            row,
            existing=existing is not None,
            fields={"price_ht": price_column, "producer_id": "producer"},
        ):
            checked = checked_product(data)
            if existing is not None:
                refuse_change_once_ordered(self.session, existing, checked)
        price = checked.pop("price_ht")
        checked.pop("price_from")
        assert price is None or isinstance(price, Decimal)

        if existing is None:
            assert price is not None
            return Change(Outcome.CREATED, self._create(checked, price))
        changed = changes_of(existing, checked)
        new_price = price if price is not None and price != self.prices.get(existing.id) else None
        if new_price is not None and existing.id in self.priced_today:
            self._refuse_second_price_today(row, price_column, existing)
        if existing.archived_at is not None:
            self.warn(
                row,
                None,
                _("« {name} » est archivé : il reste archivé.").format(name=existing.name),
            )
        if not changed and new_price is None:
            return UNCHANGED
        return Change(Outcome.UPDATED, self._update(existing, changed, new_price))

    def _producer(self, row: Row, name: str) -> Producer:
        digits = re.sub(r"\s", "", name)
        found = self.producers_by_siret.get(digits) if digits.isdigit() else None
        if found is not None:
            return found
        candidates = self.producers_by_name.get(normalize_name(name), [])
        if not name:
            raise row.reject("producer", _("Le producteur est obligatoire."))
        if not candidates:
            raise row.reject(
                "producer",
                _(
                    "Producteur « {name} » inconnu : importez ou créez-le d'abord, ou corrigez son "
                    "nom."
                ).format(name=name),
            )
        active = [p for p in candidates if p.archived_at is None] or candidates
        if len(active) > 1:
            raise row.reject(
                "producer",
                _(
                    "Plusieurs producteurs s'appellent « {name} » : écrivez plutôt leur SIRET dans "
                    "cette colonne."
                ).format(name=name),
            )
        return active[0]

    def _price_from_ttc(
        self, row: Row, price_ttc: Decimal | str, rate_value: Decimal | str
    ) -> Decimal:
        """The price without VAT whose price with VAT is `price_ttc`, to the cent."""
        try:
            rate = check.vat_rate(rate_value)
            ttc = check.price(price_ttc, field="price_ttc", label=_("Le prix TTC"))
        except ValidationError as error:
            raise row.reject(error.field, str(error)) from None
        ht = round_cents(ttc * Decimal(100) / (Decimal(100) + rate))
        if price_with_vat(ht, rate) != ttc:
            self.warn(
                row,
                "price_ttc",
                _(
                    "aucun prix HT ne donne exactement {ttc} TTC à {rate} % : prix HT retenu "
                    "{ht}, soit {back} TTC."
                ).format(
                    ttc=format_money(ttc),
                    rate=format_number(rate),
                    ht=format_money(ht),
                    back=format_money(price_with_vat(ht, rate)),
                ),
            )
        return ht

    def _refuse_second_price_today(self, row: Row, column: str, product: Product) -> None:
        ordered = (
            self.session.scalar(
                select(func.count(OrderLine.id)).where(OrderLine.product_id == product.id)
            )
            or 0
        )
        if ordered:
            raise row.reject(
                column,
                _(
                    "« {name} » a déjà un prix à partir du {date} et a déjà été commandé : ce prix "
                    "ne peut plus être remplacé aujourd'hui."
                ).format(name=product.name, date=format_date(self.today)),
            )

    def _create(self, checked: dict[str, Any], price: Decimal) -> Callable[[Session], None]:
        today = self.today

        def apply(session: Session) -> None:
            product = Product(**checked)
            product.prices.append(ProductPrice(valid_from=today, price_ht=price))
            session.add(product)

        return apply

    def _update(
        self, product: Product, changed: dict[str, Any], price: Decimal | None
    ) -> Callable[[Session], None]:
        today = self.today

        def apply(session: Session) -> None:
            for key, value in changed.items():
                setattr(product, key, value)
            if price is not None:
                record_price(session, product, price, today)

        return apply
