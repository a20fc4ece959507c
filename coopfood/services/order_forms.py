"""Order forms that go out and come back: the window and the command line share this.

`write_order_forms` reads a distribution's offer and households once (one
reading transaction), then writes into a folder, with progress and cancel:

- as PDF, one blank form per point, to print and fill in by hand;
- as XLSX, for each point a folder of workbooks, one per household (its name,
  its payment reference, the products offered; only the quantities to fill
  in), and the point's shared workbook, one line per household.

A filled workbook — or a folder of them — comes back through the orders
import (`coopfood.imports.import_file(kind="orders", …)`), which recognises
the form by its hidden identification sheet (`coopfood.order_form_xlsx`).

Files are written under a temporary name and renamed when complete; when the
work is cancelled or fails, the files and folders of this run are removed.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from coopfood.documents.common import Stamp, slug
from coopfood.documents.order_form import (
    FormHousehold,
    OrderForms,
    PointForm,
    draw_order_form,
    gather_order_forms,
)
from coopfood.domain.enums import CycleState
from coopfood.i18n import _, format_date
from coopfood.order_form_xlsx import household_workbook, point_workbook
from coopfood.persistence.db import Database
from coopfood.services import (
    Actor,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services.access import require, require_point
from coopfood.services.orders import ORDER_TAKERS

#: Distributions whose orders still change: a form of any other would not be taken.
FORM_STATES = frozenset({CycleState.DRAFT, CycleState.OPEN})


def now() -> dt.datetime:
    """The printing date in the PDF footer: the computer's local time (a test may fix it)."""
    return dt.datetime.now().replace(microsecond=0)


class FormFormat(enum.StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"


@dataclass(frozen=True)
class OrderFormFile:
    path: Path
    #: « Bon de commande — Nord », « Bon de commande — DUPONT Marie »
    title: str
    point_id: int
    #: The household of a workbook made for one (None: a point's PDF or shared workbook).
    member_id: int | None
    #: Pages of a PDF (a workbook counts one).
    pages: int


@dataclass(frozen=True)
class OrderFormReport:
    cycle_id: int
    format: FormFormat
    files: tuple[OrderFormFile, ...]
    #: What was left out, in French (a product without a price, a point without households).
    warnings: tuple[str, ...]

    @property
    def folders(self) -> tuple[Path, ...]:
        """The folders of households' workbooks, one per point."""
        return tuple(dict.fromkeys(f.path.parent for f in self.files if f.member_id is not None))


@dataclass(frozen=True)
class _Job:
    title: str
    path: Path
    point: PointForm
    household: FormHousehold | None


def write_order_forms(
    *,
    db: Database,
    actor: Actor,
    cycle_id: int,
    out_dir: Path,
    point_ids: Collection[int] | None = None,
    format: FormFormat | str = FormFormat.PDF,
    printed_at: dt.datetime | None = None,
    progress: ProgressCallback = no_progress,
) -> OrderFormReport:
    """Write the order forms of distribution `cycle_id` into `out_dir` (see the module's
    docstring); `point_ids` None means every point of the distribution (a coordinator's
    own points). Raising `Cancelled` from `progress` stops and removes this run's files."""
    try:
        chosen = FormFormat(format)
    except ValueError:
        raise ValidationError(_("Format « {format} » inconnu : pdf ou xlsx.").format(
            format=format), field="format") from None
    require(actor, ORDER_TAKERS, _("préparer des bons de commande"))
    points = _points(actor, point_ids)
    progress(0, 1, _("Lecture de la distribution…"))
    with db.reading() as session:
        forms = gather_order_forms(session, cycle_id=cycle_id, point_ids=points)
    _check(forms, None if point_ids is None else points)
    warnings = [_("« {name} » n'a pas de prix au {date} : il ne figure pas sur les bons de "
                  "commande.").format(name=name, date=format_date(forms.date))
                for name in forms.unpriced]
    jobs: list[_Job] = []
    for point in forms.points:
        if chosen is FormFormat.PDF:
            jobs.append(_Job(_("Bon de commande — {point}").format(point=point.point.name),
                             out_dir / _point_file(point, "pdf"), point, None))
            continue
        if not point.households:
            warnings.append(_("Le point « {point} » n'a aucun foyer : pas de classeur pour "
                              "lui.").format(point=point.point.name))
            continue
        jobs.append(_Job(_("Commandes — {point}").format(point=point.point.name),
                         out_dir / _point_file(point, "xlsx"), point, None))
        folder = out_dir / _household_folder(point)
        names = _household_files(point)
        jobs.extend(_Job(_("Bon de commande — {name}").format(name=h.name),
                         folder / names[h.member_id], point, h) for h in point.households)
    if not jobs:
        raise ValidationError(_("Aucun bon de commande à préparer : aucun foyer n'est "
                                "rattaché aux points choisis."), field="point_ids")
    return OrderFormReport(cycle_id=cycle_id, format=chosen,
                           files=_write(jobs, out_dir, printed_at or now(), progress),
                           warnings=tuple(warnings))


def _points(actor: Actor, point_ids: Collection[int] | None) -> list[int] | None:
    """The points asked for, checked; a coordinator who names none gets its own."""
    if actor.role is Role.COORDINATOR and point_ids is None:
        return sorted(actor.point_ids)
    if point_ids is None:
        return None
    for point_id in point_ids:
        require_point(actor, point_id, _("préparer les bons de commande de ce point"))
    return sorted(set(point_ids))


def _check(forms: OrderForms, asked: list[int] | None) -> None:
    """Refuse forms no one could use: `asked`, the points the user named."""
    label = _("Distribution n° {id} du {date}").format(
        id=forms.cycle_id, date=format_date(forms.date, style="full")).lower()
    if forms.state not in FORM_STATES:
        raise ValidationError(
            _("La {cycle} est {state} : ses commandes ne changent plus, un bon de commande ne "
              "servirait à rien.").format(cycle=label, state=forms.state.label.lower()),
            field="cycle_id")
    if asked is not None:
        missing = set(asked) - {p.point.id for p in forms.points}
        if missing:
            raise ValidationError(
                _("Le point de distribution n° {id} ne fait pas partie de la {cycle}.").format(
                    id=min(missing), cycle=label), field="point_ids")
    if not forms.points:
        raise ValidationError(_("Aucun point de distribution : la {cycle} n'en a pas.").format(
            cycle=label), field="point_ids")
    if not any(point.offer for point in forms.points):
        raise ValidationError(
            _("Aucun produit à commander dans la {cycle} : proposez-en (avec un prix) avant de "
              "préparer les bons de commande.").format(cycle=label), field="cycle_id")


# --- file names -----------------------------------------------------------------------------


def _point_file(point: PointForm, suffix: str) -> str:
    """« bon-de-commande-2026-03-05-nord.pdf », « commandes-2026-03-05-nord.xlsx »"""
    prefix = "bon-de-commande" if suffix == "pdf" else "commandes"
    part = slug(point.point.name) or str(point.point.id)
    return f"{prefix}-{point.date.isoformat()}-{part}.{suffix}"


def _household_folder(point: PointForm) -> str:
    """« bons-de-commande-2026-03-05-nord »"""
    part = slug(point.point.name) or str(point.point.id)
    return f"bons-de-commande-{point.date.isoformat()}-{part}"


def _household_files(point: PointForm) -> dict[int, str]:
    """« bon-de-commande-2026-03-05-dupont-marie.xlsx », its reference added to tell apart
    two households of the same name."""
    names: dict[int, str] = {}
    used: set[str] = set()
    for household in point.households:
        part = slug(household.name) or str(household.member_id)
        if part in used:
            part = f"{part}-{slug(household.reference) or household.member_id}"
        if part in used:
            part = f"{part}-{household.member_id}"
        used.add(part)
        names[household.member_id] = f"bon-de-commande-{point.date.isoformat()}-{part}.xlsx"
    return names


# --- writing --------------------------------------------------------------------------------


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _write(jobs: list[_Job], out_dir: Path, printed_at: dt.datetime,
           progress: ProgressCallback) -> tuple[OrderFormFile, ...]:
    made: list[Path] = []  # files and folders this run created, removed if it fails
    written: list[OrderFormFile] = []
    try:
        for folder in dict.fromkeys([out_dir, *(job.path.parent for job in jobs)]):
            _make_folder(folder, made)
        for done, job in enumerate(jobs):
            progress(done, len(jobs), job.title)
            made.append(job.path)
            written.append(_write_one(job, printed_at))
        progress(len(jobs), len(jobs), _("Terminé"))
    except BaseException:
        for path in reversed(made):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                _part(path).unlink(missing_ok=True)
                path.unlink(missing_ok=True)
        raise
    return tuple(written)


def _make_folder(folder: Path, made: list[Path]) -> None:
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=folder, reason=error.strerror or error)) from error
    made.append(folder)


def _write_one(job: _Job, printed_at: dt.datetime) -> OrderFormFile:
    part = _part(job.path)
    household_id = None if job.household is None else job.household.member_id
    try:
        if job.path.suffix == ".pdf":
            stats = draw_order_form(job.point, part, Stamp(job.point.coop_name, printed_at))
            pages = stats.pages
        else:
            if job.household is None:
                content = point_workbook(job.point)
            else:
                content = household_workbook(job.point, job.household)
            part.write_bytes(content)
            pages = 1
        os.replace(part, job.path)
    except OSError as error:
        raise ServiceError(_("Impossible d'écrire « {file} » : {reason}.").format(
            file=job.path, reason=error.strerror or error)) from None
    return OrderFormFile(job.path, job.title, job.point.point.id, household_id, pages)


__all__ = [
    "FormFormat",
    "OrderFormFile",
    "OrderFormReport",
    "write_order_forms",
]
