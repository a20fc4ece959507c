"""Producers: create, edit, archive; delete only what nothing refers to."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.vat import VatRegime
from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.persistence.models import BasketType, Producer, Product
from coopfood.services import Actor, NotFound, Referenced, StaleData, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import PRODUCER_EDITORS, require


@dataclass(frozen=True)
class ProducerInput:
    """What a user types for a producer; checked and normalised by `save_producer`."""

    name: str
    vat_regime: VatRegime
    legal_form: str = ""
    siret: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    contact_name: str = ""
    billing_mandate_date: dt.date | None = None
    invoice_buyer: InvoiceBuyer = InvoiceBuyer.COOP
    invoice_prefix: str = ""


@dataclass(frozen=True)
class ProducerDetail:
    id: int
    version: int
    name: str
    vat_regime: VatRegime
    legal_form: str
    siret: str | None
    vat_number: str | None
    iban: str | None
    bic: str | None
    address: str
    postal_code: str
    city: str
    email: str
    phone: str
    contact_name: str
    billing_mandate_date: dt.date | None
    invoice_buyer: InvoiceBuyer
    invoice_prefix: str
    archived: bool


def _detail(p: Producer) -> ProducerDetail:
    return ProducerDetail(
        id=p.id, version=p.version, name=p.name, vat_regime=p.vat_regime,
        legal_form=p.legal_form, siret=p.siret, vat_number=p.vat_number, iban=p.iban,
        bic=p.bic, address=p.address, postal_code=p.postal_code, city=p.city, email=p.email,
        phone=p.phone, contact_name=p.contact_name,
        billing_mandate_date=p.billing_mandate_date, invoice_buyer=p.invoice_buyer,
        invoice_prefix=p.invoice_prefix, archived=p.archived_at is not None,
    )


def suggest_invoice_prefix(name: str) -> str:
    """'GAEC du Pré Vert' → 'GAECDUPRE': capitals of the name, accents dropped, 9 at most."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    letters = re.sub(r"[^A-Z0-9]", "", ascii_name.upper())
    return letters[:9] or "PROD"


def checked_producer(data: ProducerInput) -> dict[str, object]:
    """The columns of a producer from what was typed, or a ValidationError naming the field."""
    name = check.text(data.name, field="name", label=_("La raison sociale"))
    siret = check.siret(data.siret)
    vat_number = check.vat_number(data.vat_number, siren_number=siret[:9] if siret else None)
    if data.vat_regime is VatRegime.NORMAL and vat_number is None and siret is not None:
        raise ValidationError(
            _("Un producteur au régime normal de TVA doit avoir un numéro de TVA "
              "intracommunautaire."), field="vat_number")
    prefix = data.invoice_prefix.strip().upper() or suggest_invoice_prefix(name)
    if not re.fullmatch(r"[A-Z0-9]{2,20}", prefix):
        raise ValidationError(
            _("Le préfixe de facturation « {prefix} » doit faire 2 à 20 lettres capitales ou "
              "chiffres.").format(prefix=data.invoice_prefix), field="invoice_prefix")
    return {
        "name": name,
        "vat_regime": data.vat_regime,
        "legal_form": check.text(data.legal_form, field="legal_form", label=_("La forme juridique"),
                                 required=False, max_length=60),
        "siret": siret,
        "vat_number": vat_number,
        "iban": check.iban(data.iban),
        "bic": check.bic(data.bic),
        "address": check.text(data.address, field="address", label=_("L'adresse"),
                              required=False, max_length=300),
        "postal_code": check.postal_code(data.postal_code),
        "city": check.text(data.city, field="city", label=_("La ville"), required=False,
                           max_length=100),
        "email": check.email(data.email) or "",
        "phone": check.phone(data.phone),
        "contact_name": check.text(data.contact_name, field="contact_name",
                                   label=_("Le contact"), required=False),
        "billing_mandate_date": data.billing_mandate_date,
        "invoice_buyer": data.invoice_buyer,
        "invoice_prefix": prefix,
    }


def _ensure_unique(session: Session, values: dict[str, object], producer_id: int | None) -> None:
    for column, message in (
        (Producer.siret, _("Un autre producteur a déjà le SIRET {value}.")),
        (Producer.invoice_prefix, _("Le préfixe de facturation {value} est déjà pris par un "
                                    "autre producteur.")),
    ):
        value = values[column.key]
        if value is None:
            continue
        other = session.scalar(select(Producer.id).where(column == value, Producer.id != (
            producer_id or 0)))
        if other is not None:
            raise ValidationError(message.format(value=value), field=column.key)


def usable_producer(session: Session, producer_id: int, *, adding: str) -> Producer:
    """The producer a new product or basket is added to: it must exist and be active."""
    producer = session.get(Producer, producer_id)
    if producer is None:
        raise ValidationError(
            _("Producteur n° {id} introuvable.").format(id=producer_id), field="producer_id")
    if producer.archived_at is not None:
        raise ValidationError(
            _("Le producteur « {name} » est archivé : réactivez-le avant de lui ajouter "
              "{what}.").format(name=producer.name, what=adding), field="producer_id")
    return producer


def get_producer(*, db: Database, actor: Actor, producer_id: int) -> ProducerDetail:
    with db.reading() as session:
        producer = session.get(Producer, producer_id)
        if producer is None:
            raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
        return _detail(producer)


def save_producer(
    *, db: Database, actor: Actor, data: ProducerInput, producer_id: int | None = None,
    expected_version: int | None = None,
) -> ProducerDetail:
    """Create a producer (no id) or update one; an update made on stale data is refused."""
    require(actor, PRODUCER_EDITORS, _("modifier les producteurs"))
    values = checked_producer(data)
    try:
        with db.transaction() as session:
            _ensure_unique(session, values, producer_id)
            if producer_id is None:
                producer = Producer(**values)
                session.add(producer)
            else:
                found = session.get(Producer, producer_id)
                if found is None:
                    raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
                producer = found
                if expected_version is not None and producer.version != expected_version:
                    raise StaleData(_("Ce producteur"))
                for key, value in values.items():
                    setattr(producer, key, value)
            session.flush()
            return _detail(producer)
    except StaleDataError:
        raise StaleData(_("Ce producteur")) from None


def archive_producer(*, db: Database, actor: Actor, producer_id: int,
                     archived: bool = True) -> None:
    """Archive (or bring back) a producer: it leaves the lists, its history stays."""
    require(actor, PRODUCER_EDITORS, _("archiver un producteur"))
    with db.transaction() as session:
        producer = session.get(Producer, producer_id)
        if producer is None:
            raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
        producer.archived_at = dt.datetime.now(dt.UTC) if archived else None


def delete_producer(*, db: Database, actor: Actor, producer_id: int) -> None:
    """Delete a producer entered by mistake; refused once anything refers to it."""
    require(actor, PRODUCER_EDITORS, _("supprimer un producteur"))
    with db.transaction() as session:
        producer = session.get(Producer, producer_id)
        if producer is None:
            raise NotFound(_("Producteur n° {id} introuvable.").format(id=producer_id))
        products = session.scalar(select(func.count(Product.id))
                                  .where(Product.producer_id == producer_id)) or 0
        baskets = session.scalar(select(func.count(BasketType.id))
                                 .where(BasketType.producer_id == producer_id)) or 0
        if products or baskets:
            raise Referenced(
                _("Impossible de supprimer « {name} » : {products} produit(s) et {baskets} "
                  "type(s) de panier y font référence. Archivez-le plutôt : il disparaîtra des "
                  "listes sans perdre son historique.").format(
                    name=producer.name, products=products, baskets=baskets))
        session.delete(producer)
