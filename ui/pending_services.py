"""Reads the window needs that `coopfood.services` does not offer yet.

STOPGAP, to move into the core as it stands: the core has no list of basket
types (`coopfood.services.baskets` saves, archives and reads one basket type
by id, but nothing lists them), and the « Paniers » page and the contract
dialog need one. The function below is written as a list service of
`coopfood.services.lists` is (one read-only session, a frozen row per record,
French sort), so that moving it is a cut and paste and an import to change.
Nothing else in `ui/` builds a query.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from coopfood.i18n import sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import BasketType, Contract, Producer
from coopfood.services import Actor, Role


@dataclass(frozen=True)
class BasketTypeRow:
    id: int
    name: str
    producer_id: int
    producer: str
    price_ht: Decimal
    vat_rate: Decimal
    #: Contracts not archived that subscribe to it.
    contract_count: int
    archived: bool


def list_basket_types(*, db: Database, actor: Actor,
                      include_archived: bool = False) -> list[BasketTypeRow]:
    """Basket types by producer then name; a producer account sees only its own."""
    contracts = (
        select(func.count(Contract.id))
        .where(Contract.basket_type_id == BasketType.id, Contract.archived_at.is_(None))
        .correlate(BasketType)
        .scalar_subquery()
    )
    query = select(BasketType, Producer.name, contracts).join(
        Producer, Producer.id == BasketType.producer_id)
    if actor.role is Role.PRODUCER:
        query = query.where(BasketType.producer_id == actor.producer_id)
    if not include_archived:
        query = query.where(BasketType.archived_at.is_(None))
    with db.reading() as session:
        rows = [
            BasketTypeRow(
                id=b.id, name=b.name, producer_id=b.producer_id, producer=producer,
                price_ht=b.price_ht, vat_rate=b.vat_rate, contract_count=count,
                archived=b.archived_at is not None,
            )
            for b, producer, count in session.execute(query)
        ]
    return sorted(rows, key=lambda r: (sort_key(r.producer), sort_key(r.name)))
