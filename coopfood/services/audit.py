"""The audit trail: who changed what, when, with the values before and after.

`record` writes an entry inside the caller's transaction, so the change and
its trace are committed (or rolled back) together. Entries are never edited.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.persistence.models import AuditEntry
from coopfood.services import Actor, Role
from coopfood.services.access import require

#: Who may read the audit trail.
AUDIT_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: dt.datetime
    actor_name: str
    entity: str
    entity_id: int | None
    action: str
    #: A French sentence, e.g. « DUPONT Marie — Tomme : 1,2 kg → 1,235 kg ».
    summary: str
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    cycle_id: int | None
    member_id: int | None


def _jsonable(value: Any) -> Any:
    """A value as JSON keeps it exactly: decimals and dates as text, enums as their value."""
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return value


def record(
    session: Session, *, actor: Actor, entity: str, entity_id: int | None, action: str,
    summary: str, before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None, cycle_id: int | None = None,
    member_id: int | None = None, point_id: int | None = None,
) -> None:
    """Add an entry to the trail, in the caller's transaction."""
    session.add(AuditEntry(
        at=dt.datetime.now(dt.UTC), actor_name=actor.name, actor_user_id=actor.user_id,
        entity=entity, entity_id=entity_id, action=action, summary=summary,
        before=None if before is None else _jsonable(before),
        after=None if after is None else _jsonable(after),
        cycle_id=cycle_id, member_id=member_id, point_id=point_id,
    ))


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        id=entry.id, at=entry.at, actor_name=entry.actor_name, entity=entry.entity,
        entity_id=entry.entity_id, action=entry.action, summary=entry.summary,
        before=entry.before, after=entry.after, cycle_id=entry.cycle_id,
        member_id=entry.member_id,
    )


def entries(
    session: Session, *, entities: tuple[str, ...] | None = None, entity_id: int | None = None,
    cycle_id: int | None = None, member_id: int | None = None, text: str | None = None,
    point_ids: frozenset[int] | None = None, limit: int = 500,
) -> list[AuditRow]:
    """Entries matching every filter given, newest first (in the caller's session).

    With `point_ids`, only entries of those points (and none of another point or of
    no point: what is not tied to a point is not a coordinator's business).
    """
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if entities is not None:
        query = query.where(AuditEntry.entity.in_(entities))
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if cycle_id is not None:
        query = query.where(AuditEntry.cycle_id == cycle_id)
    if member_id is not None:
        query = query.where(AuditEntry.member_id == member_id)
    if point_ids is not None:
        query = query.where(AuditEntry.point_id.in_(point_ids))
    if text and text.strip():
        escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(AuditEntry.summary.ilike(f"%{escaped}%", escape="\\"))
    return [_row(entry) for entry in session.scalars(query)]


def search(
    *, db: Database, actor: Actor, entity: str | None = None, cycle_id: int | None = None,
    member_id: int | None = None, text: str | None = None, limit: int = 500,
) -> list[AuditRow]:
    """The trail, newest first, filtered by kind of record, distribution, household, words."""
    require(actor, AUDIT_READERS, _("consulter l'historique des modifications"))
    with db.reading() as session:
        return entries(session, entities=None if entity is None else (entity,),
                       cycle_id=cycle_id, member_id=member_id, text=text, limit=limit,
                       point_ids=actor.point_ids if actor.role is Role.COORDINATOR else None)
