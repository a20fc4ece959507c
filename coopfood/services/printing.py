"""Printing a distribution's documents into a folder: the window and the command line share it.

`print_documents` checks who asks, gathers the distribution once (a handful
of queries), then draws one PDF per point — or per producer for the pickup
lists — with progress and cancel. A week of a large co-op draws on every
core: the data is gathered here, and each document is drawn by a worker
process from plain dataclasses (drawing is pure Python, so threads would not
help). Files are written under a temporary name and renamed when complete;
when the work is cancelled or fails, the files of this run are removed.
"""

from __future__ import annotations

import datetime as dt
import enum
import multiprocessing
import os
import time
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coopfood.documents.common import Stamp, Stats, slug
from coopfood.documents.distribution import Distribution, gather_distribution
from coopfood.documents.grid import draw_grid, product_grid
from coopfood.documents.labels import DEFAULT_LAYOUT, LabelLayout, draw_labels, label_sheet
from coopfood.documents.pickup import draw_pickup_list, pickup_list, producers_of
from coopfood.documents.sheets import draw_sign_in_sheet, sign_in_sheet
from coopfood.i18n import _, format_date
from coopfood.persistence.db import Database
from coopfood.services import (
    Actor,
    Cancelled,
    NotFound,
    PermissionDenied,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services.access import require_point

#: Below this many order lines to draw, starting worker processes costs more than it saves.
PARALLEL_MIN_LINES = 4000
#: How often the progress callback is called while waiting (so a cancel is seen quickly).
POLL_SECONDS = 0.2


def now() -> dt.datetime:
    """The printing date in the footer: the computer's local time (a test may fix it)."""
    return dt.datetime.now().replace(microsecond=0)


class DocumentKind(enum.StrEnum):
    SHEETS = "sheets"
    PICKUP = "pickup"
    GRID = "grid"
    LABELS = "labels"

    @property
    def label(self) -> str:
        return {
            DocumentKind.SHEETS: _("Feuilles d'émargement"),
            DocumentKind.PICKUP: _("Listes de préparation producteur"),
            DocumentKind.GRID: _("Grilles produits × adhérents"),
            DocumentKind.LABELS: _("Étiquettes"),
        }[self]

    @property
    def single(self) -> str:
        return {
            DocumentKind.SHEETS: _("Feuille d'émargement"),
            DocumentKind.PICKUP: _("Liste de préparation"),
            DocumentKind.GRID: _("Grille produits × adhérents"),
            DocumentKind.LABELS: _("Étiquettes"),
        }[self]

    @property
    def file_prefix(self) -> str:
        return {
            DocumentKind.SHEETS: "emargement",
            DocumentKind.PICKUP: "preparation",
            DocumentKind.GRID: "grille",
            DocumentKind.LABELS: "etiquettes",
        }[self]


@dataclass(frozen=True)
class PrintedFile:
    kind: DocumentKind
    path: Path
    #: « Feuille d'émargement — Biocoop du Plateau »
    title: str
    pages: int
    #: Table rows (households, items, grid rows, labels) drawn.
    rows: int
    #: Strings drawn on each page (what the benchmark's bare canvas draws as much of).
    strings_per_page: tuple[int, ...]


@dataclass(frozen=True)
class PrintReport:
    files: tuple[PrintedFile, ...]
    seconds: float
    processes: int

    @property
    def pages(self) -> int:
        return sum(f.pages for f in self.files)


@dataclass(frozen=True)
class _Job:
    kind: DocumentKind
    title: str
    path: Path
    data: Any
    stamp: Stamp
    layout: LabelLayout
    #: Order lines drawn: the job's weight, largest first.
    weight: int


def _draw(job: _Job) -> Stats:
    """Draw one document into `<path>.part` (runs in a worker process, or here)."""
    part = _part(job.path)
    drawers: dict[DocumentKind, Callable[[], Stats]] = {
        DocumentKind.SHEETS: lambda: draw_sign_in_sheet(job.data, part, job.stamp),
        DocumentKind.PICKUP: lambda: draw_pickup_list(job.data, part, job.stamp),
        DocumentKind.GRID: lambda: draw_grid(job.data, part, job.stamp),
        DocumentKind.LABELS: lambda: draw_labels(job.data, part, job.stamp, job.layout),
    }
    return drawers[job.kind]()


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def _kinds(kinds: Sequence[DocumentKind | str]) -> list[DocumentKind]:
    result = []
    for kind in kinds:
        try:
            result.append(DocumentKind(kind))
        except ValueError:
            raise ValidationError(
                _("Document « {kind} » inconnu : sheets, pickup, grid ou labels.").format(
                    kind=kind), field="kind") from None
    return list(dict.fromkeys(result))


def _check_access(actor: Actor, kinds: list[DocumentKind], point_ids: list[int] | None,
                  producer_ids: list[int] | None) -> tuple[list[int] | None, list[int] | None]:
    """The points and producers the actor may print, or PermissionDenied."""
    if actor.role is Role.PRODUCER:
        if kinds != [DocumentKind.PICKUP]:
            raise PermissionDenied(_("{who} ne peut imprimer que sa propre liste de "
                                     "préparation.").format(who=actor.name))
        if actor.producer_id is None or any(p != actor.producer_id for p in producer_ids or ()):
            raise PermissionDenied(_("{who} ne peut pas imprimer la liste de préparation "
                                     "d'un autre producteur.").format(who=actor.name))
        return point_ids, [actor.producer_id]
    if actor.role is Role.COORDINATOR:
        if point_ids is None:
            return sorted(actor.point_ids), producer_ids
        for point_id in point_ids:
            require_point(actor, point_id, _("imprimer les documents de ce point"))
    return point_ids, producer_ids


def _file_names(prefix: str, date: dt.date, named: list[tuple[int, str]]) -> dict[int, str]:
    names: dict[int, str] = {}
    used: set[str] = set()
    for id_, name in named:
        part = slug(name) or str(id_)
        if part in used:
            part = f"{part}-{id_}"
        used.add(part)
        names[id_] = f"{prefix}-{date.isoformat()}-{part}.pdf"
    return names


def _jobs(distribution: Distribution, kinds: list[DocumentKind], out_dir: Path,
          producer_ids: list[int] | None, stamp: Stamp, layout: LabelLayout) -> list[_Job]:
    jobs = []
    points = [(p.id, p.name) for p in distribution.points]
    lines = {p: sum(len(h.items) for h in distribution.households.get(p, ()))
             for p, _n in points}
    for kind in kinds:
        if kind is DocumentKind.PICKUP:
            wanted = producers_of(distribution) if producer_ids is None else producer_ids
            for producer_id in wanted:
                if producer_id not in distribution.producers:
                    raise NotFound(_("Le producteur n° {id} n'existe pas.").format(
                        id=producer_id))
            named = [(p, distribution.producers[p]) for p in wanted]
            files = _file_names(kind.file_prefix, distribution.date, named)
            for producer_id, name in named:
                data = pickup_list(distribution, producer_id)
                weight = sum(len(items) for p in data.points for _r, _n, items in p.households)
                jobs.append(_Job(kind, f"{kind.single} — {name}", out_dir / files[producer_id],
                                 data, stamp, layout, weight))
            continue
        files = _file_names(kind.file_prefix, distribution.date, points)
        shape: dict[DocumentKind, Callable[[Distribution, int], Any]] = {
            DocumentKind.SHEETS: sign_in_sheet,
            DocumentKind.GRID: product_grid,
            DocumentKind.LABELS: label_sheet,
        }
        for point_id, name in points:
            jobs.append(_Job(kind, f"{kind.single} — {name}", out_dir / files[point_id],
                             shape[kind](distribution, point_id), stamp, layout,
                             lines[point_id]))
    return jobs


def print_documents(
    *,
    db: Database,
    actor: Actor,
    cycle_id: int,
    kinds: Sequence[DocumentKind | str],
    out_dir: Path,
    point_ids: Collection[int] | None = None,
    producer_ids: Collection[int] | None = None,
    label_layout: LabelLayout = DEFAULT_LAYOUT,
    printed_at: dt.datetime | None = None,
    processes: int | None = None,
    progress: ProgressCallback = no_progress,
) -> PrintReport:
    """Write the documents of a distribution into `out_dir`, one PDF per point (per
    producer for pickup lists); `point_ids` None means every point of the distribution.

    `processes` None draws on every core when the work is large enough; 1
    draws here. Raising `Cancelled` from `progress` stops and removes the files
    of this run.
    """
    started = time.perf_counter()
    wanted_kinds = _kinds(kinds)
    if not wanted_kinds:
        raise ValidationError(_("Choisissez au moins un document."), field="kind")
    label_layout.check()
    points, producers = _check_access(
        actor, wanted_kinds, None if point_ids is None else sorted(set(point_ids)),
        None if producer_ids is None else sorted(set(producer_ids)))
    progress(0, 1, _("Lecture de la distribution…"))
    with db.reading() as session:
        distribution = gather_distribution(session, cycle_id=cycle_id, point_ids=points)
    if points is not None:
        missing = set(points) - {p.id for p in distribution.points}
        if missing:
            raise ValidationError(
                _("Le point de distribution n° {id} ne fait pas partie de la distribution "
                  "du {date}.").format(id=min(missing), date=format_date(distribution.date)),
                field="point_ids")
    if not distribution.points:
        raise ValidationError(_("Aucun point de distribution à imprimer."), field="point_ids")
    stamp = Stamp(distribution.coop_name, printed_at or now())
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error)) from error
    jobs = _jobs(distribution, wanted_kinds, out_dir, producers, stamp, label_layout)
    if not jobs:
        raise ValidationError(_("Rien à imprimer : aucun producteur n'a de commande pour "
                                "cette distribution."), field="kind")
    workers = _processes(processes, jobs)
    written: list[Path] = []
    try:
        if workers == 1:
            results = _draw_here(jobs, written, progress)
        else:
            results = _draw_in_processes(jobs, workers, written, progress)
    except BaseException:
        for path in written:
            for leftover in (path, _part(path)):
                leftover.unlink(missing_ok=True)
        raise
    progress(len(jobs), len(jobs), _("Terminé"))
    files = tuple(
        PrintedFile(job.kind, job.path, job.title, stats.pages, stats.rows,
                    tuple(stats.strings or ()))
        for job, stats in zip(jobs, results, strict=True))
    return PrintReport(files, round(time.perf_counter() - started, 3), workers)


def _processes(asked: int | None, jobs: list[_Job]) -> int:
    if asked is not None:
        return max(1, min(asked, len(jobs)))
    if len(jobs) < 2 or sum(job.weight for job in jobs) < PARALLEL_MIN_LINES:
        return 1
    return max(1, min(os.cpu_count() or 1, len(jobs)))


def _finish(job: _Job, written: list[Path]) -> None:
    os.replace(_part(job.path), job.path)


def _draw_here(jobs: list[_Job], written: list[Path],
               progress: ProgressCallback) -> list[Stats]:
    results = []
    for done, job in enumerate(jobs):
        progress(done, len(jobs), job.title)
        written.append(job.path)
        results.append(_draw(job))
        _finish(job, written)
    return results


def _draw_in_processes(jobs: list[_Job], workers: int, written: list[Path],
                       progress: ProgressCallback) -> list[Stats]:
    # "spawn": the window calls this from a worker thread, and forking a process
    # that runs threads (Qt's among them) is unsafe.
    context = multiprocessing.get_context("spawn")
    results: dict[int, Stats] = {}
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i].weight)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: dict[Future[Stats], int] = {}
        try:
            for index in order:
                written.append(jobs[index].path)
                pending[pool.submit(_draw, jobs[index])] = index
            last = _("Préparation des documents…")
            while pending:
                progress(len(results), len(jobs), last)
                done, _running = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    index = pending.pop(future)
                    results[index] = future.result()
                    _finish(jobs[index], written)
                    last = jobs[index].title
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return [results[i] for i in range(len(jobs))]


__all__ = [
    "Cancelled",
    "DocumentKind",
    "PrintReport",
    "PrintedFile",
    "print_documents",
]
