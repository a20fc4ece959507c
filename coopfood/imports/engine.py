"""What every import shares: rows checked one by one, then written all at once, or not at all.

A kind of list (producers, products, members) is an `Importer`: it loads
what the database holds once (no query per row), then plans each row — which
record it matches, what would change — raising `RowRejected` with French
messages naming the line and the column. The engine writes the plans in the
same transaction as the reading, only when no row was rejected (or the user
keeps the valid ones), and never on a dry run.
"""

from __future__ import annotations

import datetime as dt
import enum
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from sqlalchemy.orm import Session

from coopfood.i18n import _
from coopfood.imports.columns import HeaderMatch, ImportKind
from coopfood.imports.reader import Cell, SourceRow, Table
from coopfood.imports.values import CellError
from coopfood.services import Actor, ValidationError

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """A problem on a line of the file (`line` None: the whole file), in French.

    Warnings have the same shape: they are told, they stop nothing.
    """

    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.line is not None and self.column:
            return _("ligne {line}, colonne « {column} » : {message}").format(
                line=self.line, column=self.column, message=self.message
            )
        if self.line is not None:
            return _("ligne {line} : {message}").format(line=self.line, message=self.message)
        if self.column:
            return _("colonne « {column} » : {message}").format(
                column=self.column, message=self.message
            )
        return self.message


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    """What one row does to the database, once the engine decides to write."""

    outcome: Outcome
    apply: Callable[[Session], None]


def _nothing(session: Session) -> None:
    """The change of a row that changes nothing."""


UNCHANGED = Change(Outcome.UNCHANGED, _nothing)


def filled(overrides: dict[str, Any], *, existing: bool) -> dict[str, Any]:
    """The values to apply: on an update, an empty cell keeps what the base holds.

    A spreadsheet's blank cell usually means "not known here", not "erase it": a
    partial list must never wipe phone numbers. Erasing is done in the window.
    """
    if not existing:
        return overrides
    return {key: value for key, value in overrides.items() if value is not None and value != ""}


class RowRejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


class Row:
    """A data line of the file, read by column key rather than by position."""

    def __init__(self, kind: ImportKind, source: SourceRow, match: HeaderMatch) -> None:
        self.kind = kind
        self.line = source.line
        self._cells = source.cells
        self._match = match
        self.errors: list[RowError] = []

    def has(self, key: str) -> bool:
        """Whether the file has this column (an absent column keeps what the base holds)."""
        return key in self._match.positions

    def cell(self, key: str) -> Cell:
        position = self._match.positions.get(key)
        if position is None or position >= len(self._cells):
            return None
        return self._cells[position]

    def at(self, position: int) -> Cell:
        """The cell at a position of the file (a column the kind's table does not know)."""
        return self._cells[position] if position < len(self._cells) else None

    def header(self, key: str) -> str | None:
        return self._match.header(self.kind, key)

    def read(self, key: str, parse: Callable[[Cell], T]) -> T | None:
        """The parsed cell; a bad one is noted (every bad cell of the row is told at once)."""
        try:
            return parse(self.cell(key))
        except CellError as error:
            self.errors.append(RowError(self.line, self.header(key), str(error)))
            # Told in the order of the file's columns, whatever order they were read in.
            order = {h: self._match.positions[k] for k, h in self._match.headers.items()}
            self.errors.sort(key=lambda e: order.get(e.column or "", 0))
            return None

    def error(self, key: str | None, message: str) -> RowError:
        return RowError(self.line, self.header(key) if key else None, message)

    def reject(self, key: str | None, message: str) -> RowRejected:
        """The exception that refuses this row because of `key` (and any bad cell noted)."""
        return RowRejected([*self.errors, self.error(key, message)])

    def check_cells(self) -> None:
        """Refuse the row if a cell could not be read."""
        if self.errors:
            raise RowRejected(list(self.errors))


class Importer(ABC):
    """One kind of list: loads what the base holds, plans each row."""

    kind: ClassVar[ImportKind]

    def __init__(self, *, session: Session, actor: Actor, today: dt.date) -> None:
        self.session = session
        self.actor = actor
        self.today = today
        self.warnings: list[RowError] = []

    @abstractmethod
    def preload(self) -> None:
        """Read once what the rows will be matched against."""

    def claim_columns(self, table: Table, match: HeaderMatch) -> tuple[str, ...]:
        """Take the file's columns this kind reads beyond its known ones (the products of a
        file of orders); returns the headers left ignored. Called after `preload`."""
        return match.ignored

    @abstractmethod
    def plan(self, row: Row) -> Change:
        """What this row would change; raises `RowRejected`."""

    def finish(self, session: Session) -> None:
        """Called once the changes are applied, before they are flushed (counters…)."""
        return None

    def warn(self, row: Row, key: str | None, message: str) -> None:
        self.warnings.append(row.error(key, message))

    @contextmanager
    def validating(
        self, row: Row, *, existing: bool, fields: dict[str, str] | None = None
    ) -> Iterator[None]:
        """Turn a service's ValidationError into a row error on the column the user used.

        `fields` maps the service's field names to column keys where they differ. On
        an update, a field whose column the file lacks came from the base: the
        message says so.
        """
        try:
            yield
        except ValidationError as error:
            key = (fields or {}).get(error.field or "", error.field)
            message = str(error)
            if existing and key is not None and not row.has(key):
                message += " " + _("(valeur déjà enregistrée ; la colonne est absente du fichier)")
            raise row.reject(key, message) from None


@dataclass
class Plans:
    """The outcome of checking every row."""

    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rejected: int = 0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for c in self.changes if c.outcome is outcome)
