"""Importing the lists co-ops keep in spreadsheets: producers, products, members, and the
orders of a distribution (`coopfood.imports.orders`).

`import_file` reads a CSV or XLSX file, checks every row with the same
`checked_*` functions as the window, and writes everything in one
transaction — or nothing, if any row is rejected (unless the user keeps the
valid rows), on a dry run, on an error or on a cancel. Importing the same
file again changes nothing: rows are matched to what the base holds. Orders
may also come from a folder: every .xlsx in it (filled order forms, say), all
in one import.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from coopfood.i18n import N_, _
from coopfood.imports.columns import (
    IMPORT_KINDS,
    KINDS,
    HeaderMatch,
    ImportKind,
    Kind,
    known_headers,
    match_headers,
)
from coopfood.imports.engine import Importer, Outcome, Plans, Row, RowError, RowRejected
from coopfood.imports.reader import ImportFileError, SourceRow, read_table
from coopfood.persistence.db import Database
from coopfood.services import Actor, ProgressCallback, ServiceError, no_progress
from coopfood.services.access import (
    CATALOGUE_EDITORS,
    MEMBER_EDITORS,
    PRODUCER_EDITORS,
    require,
)
from coopfood.services.orders import ORDER_TAKERS

__all__ = [
    "IMPORT_KINDS",
    "KINDS",
    "ImportFileError",
    "ImportKind",
    "ImportReport",
    "Kind",
    "RowError",
    "import_file",
]

#: How often (in rows) progress is told: often enough for a bar, cheap enough for 10,000 rows.
PROGRESS_EVERY = 100


@dataclass(frozen=True)
class ImportReport:
    """What an import did, or would do on a dry run or with rejected rows."""

    kind: ImportKind
    file: str
    created: int
    updated: int
    unchanged: int
    rejected: int
    #: Every rejected row's reasons, in French, by line and column.
    errors: tuple[RowError, ...]
    #: What was noticed without stopping anything (ignored columns, rounded prices…).
    warnings: tuple[RowError, ...]
    #: The valid rows were saved (False on a dry run, or when rows were rejected and
    #: the valid ones were not kept).
    written: bool
    dry_run: bool

    @property
    def complete(self) -> bool:
        """Every row of the file was (or, on a dry run, would be) imported."""
        return self.rejected == 0


def _importer(
    kind: ImportKind, session: Session, actor: Actor, today: dt.date, cycle_id: int | None
) -> Importer:
    if kind == "orders":
        from coopfood.imports.orders import OrderImporter

        assert cycle_id is not None
        return OrderImporter(session=session, actor=actor, today=today, cycle_id=cycle_id)
    if kind == "producers":
        from coopfood.imports.producers import ProducerImporter

        return ProducerImporter(session=session, actor=actor, today=today)
    if kind == "products":
        from coopfood.imports.products import ProductImporter

        return ProductImporter(session=session, actor=actor, today=today)
    from coopfood.imports.members import MemberImporter

    return MemberImporter(session=session, actor=actor, today=today)


_WHAT = {
    "producers": (PRODUCER_EDITORS, N_("importer des producteurs")),
    "products": (CATALOGUE_EDITORS, N_("importer des produits")),
    "members": (MEMBER_EDITORS, N_("importer des adhérents")),
    "orders": (ORDER_TAKERS, N_("importer des commandes")),
}


def import_file(
    *,
    db: Database,
    actor: Actor,
    kind: ImportKind,
    path: Path | str,
    dry_run: bool = False,
    keep_valid: bool = False,
    progress: ProgressCallback = no_progress,
    today: dt.date | None = None,
    cycle_id: int | None = None,
) -> ImportReport:
    """Import a list, or the orders of distribution `cycle_id`, from a CSV or XLSX file (or,
    for orders, from every .xlsx of a folder); see the module's docstring.

    A file that cannot be read, or lacks a required column, raises an
    `ImportFileError` (a `ServiceError`) naming the file. `Cancelled` raised by
    `progress` stops the import with nothing written.
    """
    if kind not in IMPORT_KINDS:
        raise ServiceError(
            _("Type de liste « {kind} » inconnu : {kinds}.").format(
                kind=kind, kinds=", ".join(IMPORT_KINDS)
            )
        )
    if kind == "orders" and cycle_id is None:
        raise ServiceError(_("Pour importer des commandes, indiquez leur distribution."))
    roles, what = _WHAT[kind]
    require(actor, roles, _(what))
    path = Path(path)
    folder = kind == "orders" and path.is_dir()
    files = _folder_files(path) if folder else [path]
    tables = []
    for number, file in enumerate(files):
        progress(number, len(files), _("Lecture de {file}…").format(file=file.name))
        table = read_table(file, known_headers=known_headers(kind))
        tables.append((table, match_headers(kind, table.headers, table.name)))
    name = path.name if folder else tables[0][0].name
    scope: AbstractContextManager[Session] = db.reading() if dry_run else db.transaction()
    try:
        with scope as session:
            importer = _importer(kind, session, actor, today or dt.date.today(), cycle_id)
            importer.preload()
            warnings: list[RowError] = []
            plans = Plans()
            for table, match in tables:
                told = len(importer.warnings)
                ignored = [
                    RowError(table.header_line, header, _("colonne inconnue, ignorée."))
                    for header in importer.claim_columns(table, match)
                ]
                found = _plan(importer, kind, table.rows, match, progress)
                noticed = ignored + importer.warnings[told:]
                if folder:  # say which file of the folder each line is in
                    found.errors = _in_file(found.errors, table.name)
                    noticed = _in_file(noticed, table.name)
                plans.changes.extend(found.changes)
                plans.errors.extend(found.errors)
                plans.rejected += found.rejected
                warnings.extend(noticed)
            write = not dry_run and (not plans.errors or keep_valid)
            if write:
                _write(session, importer, plans, progress)
    except IntegrityError as error:
        # The checks above make this rare (someone else saving the same record meanwhile).
        raise ServiceError(
            _(
                "Import de « {file} » annulé, rien n'a été enregistré : la base a refusé une "
                "ligne ({reason})."
            ).format(file=name, reason=error.orig)
        ) from None
    except StaleDataError:
        raise ServiceError(
            _(
                "Import de « {file} » annulé, rien n'a été enregistré : une fiche a été modifiée "
                "par quelqu'un d'autre pendant l'import. Relancez-le."
            ).format(file=name)
        ) from None
    return ImportReport(
        kind=kind,
        file=name,
        created=plans.count(Outcome.CREATED),
        updated=plans.count(Outcome.UPDATED),
        unchanged=plans.count(Outcome.UNCHANGED),
        rejected=plans.rejected,
        errors=tuple(plans.errors),
        warnings=tuple(warnings),
        written=write,
        dry_run=dry_run,
    )


def _folder_files(folder: Path) -> list[Path]:
    """The workbooks of a folder, by name (not the lock files a spreadsheet leaves open)."""
    files = sorted(
        (
            p
            for p in folder.iterdir()
            if p.suffix.lower() == ".xlsx" and not p.name.startswith(("~$", ".")) and p.is_file()
        ),
        key=lambda p: p.name.casefold(),
    )
    if not files:
        raise ImportFileError(
            _("Le dossier « {folder} » ne contient aucun classeur .xlsx à importer.").format(
                folder=folder
            )
        )
    return files


def _in_file(errors: list[RowError], file: str) -> list[RowError]:
    return [
        RowError(e.line, e.column, _("{file} — {message}").format(file=file, message=e.message))
        for e in errors
    ]


def _plan(
    importer: Importer,
    kind: ImportKind,
    rows: tuple[SourceRow, ...],
    match: HeaderMatch,
    progress: ProgressCallback,
) -> Plans:
    plans = Plans()
    total = len(rows)
    for done, source in enumerate(rows):
        if done % PROGRESS_EVERY == 0:
            progress(done, total, _("Vérification des lignes…"))
        try:
            plans.changes.append(importer.plan(Row(kind, source, match)))
        except RowRejected as rejected:
            plans.errors.extend(rejected.errors)
            plans.rejected += 1
    progress(total, total, _("Vérification des lignes…"))
    return plans


def _write(session: Session, importer: Importer, plans: Plans, progress: ProgressCallback) -> None:
    changes = [c for c in plans.changes if c.outcome is not Outcome.UNCHANGED]
    for done, change in enumerate(changes):
        if done % PROGRESS_EVERY == 0:
            progress(done, len(changes), _("Enregistrement…"))
        change.apply(session)
    importer.finish(session)
    session.flush()
    progress(len(changes), len(changes), _("Enregistrement…"))
