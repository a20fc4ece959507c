"""The audit trail: who changed what, when, with the values before and after.

`record` writes an entry inside the caller's transaction, so the change and
its trace are committed (or rolled back) together. Entries are never edited.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from coopfood.i18n import N_, _
from coopfood.persistence.db import Database
from coopfood.persistence.models import AuditEntry
from coopfood.services import Actor, Role, ValidationError
from coopfood.services.access import require

#: Where the co-op's days begin and end (a period "until the 3rd" ends at midnight there).
PARIS = ZoneInfo("Europe/Paris")
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
    point_id: int | None = None

    @property
    def entity_label(self) -> str:
        return entity_label(self.entity)


#: The kinds of record the trail names, in French (the window's filter lists them).
ENTITY_LABELS: dict[str, str] = {
    "member": N_("Foyer"),
    "fee": N_("Cotisation"),
    "order": N_("Commande"),
    "order_line": N_("Ligne de commande"),
    "cycle": N_("Distribution"),
    "product": N_("Produit"),
    "payment": N_("Règlement"),
    "ledger": N_("Écriture"),
    "invoice": N_("Facture"),
    "user": N_("Utilisateur"),
    "settings": N_("Réglages"),
    "setting": N_("Réglages"),
    "shift": N_("Permanence"),
    "cheque": N_("Chèque"),
    "cheque_remittance": N_("Remise de chèques"),
    "cash_session": N_("Caisse"),
    "bank_statement": N_("Relevé bancaire"),
    "bank_line": N_("Ligne bancaire"),
    "bank_mapping": N_("Format de relevé"),
    "payout_batch": N_("Virement aux producteurs"),
}


def entity_label(entity: str) -> str:
    """« Foyer », « Règlement »…; a kind the list does not know reads as stored."""
    label = ENTITY_LABELS.get(entity)
    return _(label) if label is not None else entity


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
    session.add(AuditEntry(**entry_values(
        actor=actor, entity=entity, entity_id=entity_id, action=action, summary=summary,
        before=before, after=after, cycle_id=cycle_id, member_id=member_id,
        point_id=point_id)))


def entry_values(
    *, actor: Actor, entity: str, entity_id: int | None, action: str, summary: str,
    before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
    cycle_id: int | None = None, member_id: int | None = None, point_id: int | None = None,
) -> dict[str, Any]:
    """The columns of an entry, for `record` and for `record_many`."""
    return {
        "at": dt.datetime.now(dt.UTC), "actor_name": actor.name,
        "actor_user_id": actor.user_id, "entity": entity, "entity_id": entity_id,
        "action": action, "summary": summary,
        "before": None if before is None else _jsonable(before),
        "after": None if after is None else _jsonable(after),
        "cycle_id": cycle_id, "member_id": member_id, "point_id": point_id,
    }


def record_many(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Add entries made by `entry_values` in one statement (an import of thousands of
    households keeps one entry each without a round trip each)."""
    from coopfood.services.ledger import bulk_insert

    return bulk_insert(session, cast(Table, AuditEntry.__table__), rows)


def _row(entry: AuditEntry) -> AuditRow:
    return AuditRow(
        id=entry.id, at=entry.at, actor_name=entry.actor_name, entity=entry.entity,
        entity_id=entry.entity_id, action=entry.action, summary=entry.summary,
        before=entry.before, after=entry.after, cycle_id=entry.cycle_id,
        member_id=entry.member_id, point_id=entry.point_id,
    )


def entries(
    session: Session, *, entities: tuple[str, ...] | None = None, entity_id: int | None = None,
    cycle_id: int | None = None, member_id: int | None = None, text: str | None = None,
    point_ids: frozenset[int] | None = None, limit: int | None = 500,
    date_from: dt.date | None = None, date_to: dt.date | None = None, who: str | None = None,
) -> list[AuditRow]:
    """Entries matching every filter given, newest first (in the caller's session).

    With `point_ids`, only entries of those points (and none of another point or of
    no point: what is not tied to a point is not a coordinator's business). The
    period runs from the start of `date_from` to the end of `date_to`, Paris time;
    `who` is part of the name of whoever acted.
    """
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if limit is not None:
        query = query.limit(limit)
    if date_from is not None:
        query = query.where(AuditEntry.at >= _day_start(date_from))
    if date_to is not None:
        query = query.where(AuditEntry.at < _day_start(date_to + dt.timedelta(days=1)))
    if who and who.strip():
        query = query.where(AuditEntry.actor_name.ilike(_like(who), escape="\\"))
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
        query = query.where(AuditEntry.summary.ilike(_like(text), escape="\\"))
    return [_row(entry) for entry in session.scalars(query)]


def _like(text: str) -> str:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight in Paris, where the co-op's days begin and end."""
    return dt.datetime.combine(day, dt.time(), tzinfo=PARIS)


def search(
    *, db: Database, actor: Actor, entity: str | None = None, cycle_id: int | None = None,
    member_id: int | None = None, text: str | None = None, limit: int | None = 500,
    date_from: dt.date | None = None, date_to: dt.date | None = None, who: str | None = None,
) -> list[AuditRow]:
    """The trail, newest first, filtered by period, who acted, kind of record, distribution,
    household and words; a coordinator sees only its points' entries."""
    require(actor, AUDIT_READERS, _("consulter l'historique des modifications"))
    if date_from is not None and date_to is not None and date_to < date_from:
        raise ValidationError(_("La fin de la période est avant son début."), field="date_to")
    with db.reading() as session:
        return entries(session, entities=None if entity is None else (entity,),
                       cycle_id=cycle_id, member_id=member_id, text=text, limit=limit,
                       point_ids=actor.point_ids if actor.role is Role.COORDINATOR else None,
                       date_from=date_from, date_to=date_to, who=who)


#: The columns of an exported trail.
EXPORT_HEADERS = (N_("Date et heure"), N_("Qui"), N_("Type"), N_("N°"), N_("Action"),
                  N_("Résumé"), N_("Avant"), N_("Après"), N_("Distribution"), N_("Foyer"))


def _json_text(value: Mapping[str, Any] | None) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def export_rows(rows: Sequence[AuditRow], path: Path) -> int:
    """Write entries to a CSV or XLSX file (by its extension); returns how many."""
    from coopfood.exports import table_csv, table_xlsx, write_atomically

    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationError(_("Choisissez un nom de fichier en .csv ou en .xlsx (« {file} »).")
                              .format(file=path.name), field="path")
    headers = [_(header) for header in EXPORT_HEADERS]
    table = [[row.at, row.actor_name, row.entity_label, row.entity_id, row.action, row.summary,
              _json_text(row.before), _json_text(row.after), row.cycle_id, row.member_id]
             for row in rows]
    content = (table_csv(headers, table) if suffix == ".csv"
               else table_xlsx(_("Journal des modifications"), headers, table))
    write_atomically(path, content)
    return len(table)


def export_trail(
    *, db: Database, actor: Actor, path: Path, entity: str | None = None,
    member_id: int | None = None, text: str | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, who: str | None = None,
) -> int:
    """The entries `search` finds with these filters, all of them, to a CSV or XLSX file."""
    rows = search(db=db, actor=actor, entity=entity, member_id=member_id, text=text,
                  limit=None, date_from=date_from, date_to=date_to, who=who)
    return export_rows(rows, path)
