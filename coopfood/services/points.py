"""Distribution points: create, edit, archive; delete only what nothing refers to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.i18n import N_, _
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Contract,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    Shift,
)
from coopfood.services import Actor, NotFound, Referenced, StaleData, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import CATALOGUE_EDITORS, require, require_point

#: French names of the days, 0 = Monday as `datetime.date.weekday()`.
WEEKDAYS = (N_("lundi"), N_("mardi"), N_("mercredi"), N_("jeudi"), N_("vendredi"),
            N_("samedi"), N_("dimanche"))


def weekday_label(weekday: int) -> str:
    return _(WEEKDAYS[weekday])


@dataclass(frozen=True, kw_only=True)
class PointInput:
    """What a user types for a distribution point; checked by `save_point`."""

    name: str
    weekday: int
    start_time: dt.time
    end_time: dt.time
    address: str = ""
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True)
class PointDetail:
    id: int
    version: int
    name: str
    address: str
    postal_code: str
    city: str
    weekday: int
    start_time: dt.time
    end_time: dt.time
    archived: bool

    @property
    def weekday_label(self) -> str:
        return weekday_label(self.weekday)


def _detail(p: DistributionPoint) -> PointDetail:
    return PointDetail(
        id=p.id, version=p.version, name=p.name, address=p.address, postal_code=p.postal_code,
        city=p.city, weekday=p.weekday, start_time=p.start_time, end_time=p.end_time,
        archived=p.archived_at is not None,
    )


def checked_point(data: PointInput) -> dict[str, object]:
    """The columns of a point from what was typed, or a ValidationError naming the field."""
    if isinstance(data.weekday, bool) or not isinstance(data.weekday, int) or not (
            0 <= data.weekday <= 6):
        raise ValidationError(
            _("Le jour de distribution « {value} » est invalide : de 0 (lundi) à 6 "
              "(dimanche).").format(value=data.weekday), field="weekday")
    if data.end_time <= data.start_time:
        raise ValidationError(
            _("L'heure de fin ({end}) doit suivre l'heure de début ({start}).").format(
                end=data.end_time.strftime("%H:%M"), start=data.start_time.strftime("%H:%M")),
            field="end_time")
    return {
        "name": check.text(data.name, field="name", label=_("Le nom du point de distribution")),
        "address": check.text(data.address, field="address", label=_("L'adresse"),
                              required=False, max_length=300),
        "postal_code": check.postal_code(data.postal_code),
        "city": check.text(data.city, field="city", label=_("La ville"), required=False,
                           max_length=100),
        "weekday": data.weekday,
        "start_time": data.start_time,
        "end_time": data.end_time,
    }


def _find(session: Session, point_id: int) -> DistributionPoint:
    point = session.get(DistributionPoint, point_id)
    if point is None:
        raise NotFound(_("Point de distribution n° {id} introuvable.").format(id=point_id))
    return point


def _ensure_unique_name(session: Session, name: str, point_id: int | None) -> None:
    other = session.scalar(select(DistributionPoint.name).where(
        func.lower(DistributionPoint.name) == name.lower(),
        DistributionPoint.id != (point_id or 0)))
    if other is not None:
        raise ValidationError(
            _("Un point de distribution s'appelle déjà « {name} ».").format(name=other),
            field="name")


def get_point(*, db: Database, actor: Actor, point_id: int) -> PointDetail:
    with db.reading() as session:
        return _detail(_find(session, point_id))


def save_point(
    *, db: Database, actor: Actor, data: PointInput, point_id: int | None = None,
    expected_version: int | None = None,
) -> PointDetail:
    """Create a point (no id) or update one; an update made on stale data is refused."""
    require(actor, CATALOGUE_EDITORS, _("modifier les points de distribution"))
    if point_id is not None:
        require_point(actor, point_id, _("modifier ce point de distribution"))
    values = checked_point(data)
    try:
        with db.transaction() as session:
            _ensure_unique_name(session, str(values["name"]), point_id)
            if point_id is None:
                point = DistributionPoint(**values)
                session.add(point)
            else:
                point = _find(session, point_id)
                if expected_version is not None and point.version != expected_version:
                    raise StaleData(_("Ce point de distribution"))
                for key, value in values.items():
                    setattr(point, key, value)
            session.flush()
            return _detail(point)
    except StaleDataError:
        raise StaleData(_("Ce point de distribution")) from None


def archive_point(*, db: Database, actor: Actor, point_id: int, archived: bool = True) -> None:
    """Archive (or bring back) a point: it leaves the lists, its history stays."""
    require(actor, CATALOGUE_EDITORS, _("archiver un point de distribution"))
    require_point(actor, point_id, _("archiver ce point de distribution"))
    with db.transaction() as session:
        _find(session, point_id).archived_at = dt.datetime.now(dt.UTC) if archived else None


def delete_point(*, db: Database, actor: Actor, point_id: int) -> None:
    """Delete a point entered by mistake; refused once anything refers to it."""
    require(actor, CATALOGUE_EDITORS, _("supprimer un point de distribution"))
    require_point(actor, point_id, _("supprimer ce point de distribution"))
    with db.transaction() as session:
        point = _find(session, point_id)
        uses = [
            (session.scalar(select(func.count()).where(column == point_id)) or 0, what)
            for column, what in (
                (Member.point_id, _("adhérent(s)")),
                (CyclePoint.point_id, _("distribution(s)")),
                (Order.point_id, _("commande(s)")),
                (Contract.point_id, _("contrat(s)")),
                (Shift.point_id, _("permanence(s)")),
            )
        ]
        found = [f"{count} {what}" for count, what in uses if count]
        if found:
            raise Referenced(
                _("Impossible de supprimer « {name} » : {uses} y font référence. Archivez-le "
                  "plutôt : il disparaîtra des listes sans perdre son historique.").format(
                    name=point.name, uses=", ".join(found)))
        session.delete(point)
