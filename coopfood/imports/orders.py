"""Importing the orders of a distribution from a spreadsheet or a form export.

Two layouts, told apart by the headers:

- wide: one line per household, one column per offered product, the quantities in
  the cells (an empty cell changes nothing, 0 removes the product from the order);
- long: one line per product ordered: the household, « produit » (and, to tell
  apart products of the same name, « producteur »), « quantité ».

A household is found by its e-mail, else by its name (« DUPONT Marie » or « Marie
Dupont » in one column, or « nom » and « prénom »); an optional « point » column
says where a household without an order yet collects it. A product is named as in
the catalogue, case, accents, spaces and punctuation aside; « Produit (Producteur) »
or « Produit — unité » tell apart products of the same name, and a form's grid
question (« Commande [Produit] ») works too. A form export's other columns
(« Horodateur »…) are ignored with a warning; but a column of quantities whose
header names no offered product is refused where it holds a quantity, never
skipped silently.

A filled coopfood order form (`coopfood.order_form_xlsx`) is read as one of these
layouts whose lines and columns name households and products by id; a form of
another distribution is refused, and a folder of forms imports at once.

Each line is checked against what the base holds and the lines above it (caps count
both, in the order of the file); the changes then go through `set_quantity_in`,
the very rules of the order grid, in the import's single transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState, Unit
from coopfood.i18n import _, format_date
from coopfood.imports import ImportReport, import_file, values
from coopfood.imports.columns import HeaderMatch, ImportKind
from coopfood.imports.engine import UNCHANGED, Change, Importer, Outcome, Row, RowError, RowRejected
from coopfood.imports.reader import Cell, ImportFileError, Table, normalize_header, normalize_name
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
)
from coopfood.services import (
    Actor,
    PermissionDenied,
    ProgressCallback,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services import validation as check
from coopfood.services.access import require_point
from coopfood.services.members import name_key
from coopfood.services.orders import (
    ZERO_QTY,
    GridProduct,
    cap_reached,
    cycle_label,
    cycle_point_ids,
    ensure_orders,
    find_cycle,
    offered_products,
    require_orders_open,
    set_quantity_in,
)

if TYPE_CHECKING:
    from coopfood.order_form_xlsx import OrderFormTag

__all__ = ["OrderImporter", "import_orders"]

T = TypeVar("T")

#: The columns that name the household, in the order they are tried.
_WHO = ("email", "household", "last_name")
#: A cell that may be a quantity: what a column of a product holds (not a phone, a date…).
_QUANTITY_LIKE = re.compile(r"[+-]?\d{1,4}(?:[.,]\d+)?")
#: Words of a header that is information about the order, never a product.
# fmt: off
_NOT_PRODUCTS = frozenset({
    "total", "montant", "prix", "somme", "payer", "paiement", "reglement", "date", "heure",
    "horodateur", "horodatage", "timestamp", "telephone", "tel", "portable", "age", "annee",
    "code", "postal", "cp", "numero", "commentaire", "commentaires", "remarque", "remarques",
    # What form tools add (Framaforms/Drupal webform, LimeSurvey…): ids, drafts, IP addresses.
    "id", "sid", "uid", "nid", "serial", "ip", "soumission", "submission", "submitted",
    "brouillon", "draft", "statut", "status",
})
# fmt: on
_QUALIFIER = re.compile(r"\s*\([^()]*\)|\s+[—–-]\s+.*$|\s*:\s+.*$")
_GRID_QUESTION = re.compile(r".*\[([^\]]+)\]\s*")


def import_orders(
    *,
    db: Database,
    actor: Actor,
    cycle_id: int,
    path: Path | str,
    dry_run: bool = False,
    keep_valid: bool = False,
    progress: ProgressCallback = no_progress,
) -> ImportReport:
    """Import the orders of distribution `cycle_id` from a CSV or XLSX file (module doc).

    The report counts the lines of the file: a line that adds products only to a
    household's order is « created », one that changes or removes a product it had is
    « updated ».
    """
    return import_file(
        db=db,
        actor=actor,
        kind="orders",
        path=path,
        dry_run=dry_run,
        keep_valid=keep_valid,
        progress=progress,
        cycle_id=cycle_id,
    )


# --- finding products by the names people give them ---------------------------------------


def product_key(text: str) -> str:
    """'Œufs plein air (boîte de 6)' → 'oeufspleinairboitede6': case, accents, spaces and
    punctuation aside (the ligature œ, which no accent stripping undoes, is spelt out)."""
    spelt = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    return normalize_header(spelt)


def _bare(text: str) -> str:
    """A name without what usually qualifies it: '(…)', ' — unité', ' : prix'."""
    return _QUALIFIER.sub("", text).strip()


def _qualifiers(text: str) -> list[str]:
    return [q.strip(" ()—–-:") for q in _QUALIFIER.findall(text)]


class _Index(Generic[T]):
    """Products by every name they may be given: name, name + producer, name + unit.

    Exact names come first; a product's name without its own qualifier ('Ail' for
    'Ail (tête)') is tried only when no exact name matches.
    """

    def __init__(self, producers: Iterable[str]) -> None:
        self.exact: dict[str, list[T]] = {}
        self.loose: dict[str, list[T]] = {}
        self.producers = frozenset(product_key(p) for p in producers)

    def add(self, name: str, producer: str, unit: Unit, item: T) -> None:
        units = ("", unit.label, unit.value, unit.label + "s")
        for qualifier in ("", producer):
            for unit_name in units:
                for key in {name + qualifier + unit_name, name + unit_name + qualifier}:
                    _add(self.exact, product_key(key), item)
        bare = _bare(name)
        if bare and bare != name:
            _add(self.loose, product_key(bare), item)
            _add(self.loose, product_key(bare + producer), item)

    def find(self, text: str) -> list[T]:
        """The products `text` may name; several when it is ambiguous, none when unknown."""
        candidates = [text]
        grid = _GRID_QUESTION.fullmatch(text)
        if grid:
            candidates.append(grid.group(1).strip())
        for candidate in list(candidates):
            bare = _bare(candidate)
            # 'Tomates (Ferme des Combes)' names a producer: never read it as any 'Tomates'.
            names_producer = any(product_key(q) in self.producers for q in _qualifiers(candidate))
            if bare and bare != candidate and not names_producer:
                candidates.append(bare)
        for table in (self.exact, self.loose):
            for candidate in candidates:
                found = table.get(product_key(candidate))
                if found:
                    return found
        return []


def _add(table: dict[str, list[T]], key: str, item: T) -> None:
    if not key:
        return
    items = table.setdefault(key, [])
    if item not in items:
        items.append(item)


def _is_product_like(header: str, cells: Sequence[Cell]) -> bool:
    """Whether an unknown column looks like a product's (mostly quantities), not like
    information a form asks for (a date, a phone number, a comment, a total)."""
    if set(normalize_name(header).split()) & _NOT_PRODUCTS:
        return False
    filled = [c for c in cells if c is not None and not (isinstance(c, str) and not c.strip())]
    if not filled:
        return False
    quantities = sum(
        1
        for c in filled
        if (isinstance(c, int | Decimal) and not isinstance(c, bool))
        or (isinstance(c, str) and _QUANTITY_LIKE.fullmatch(c.strip()))
    )
    return quantities * 2 >= len(filled)


# --- what a line of the file is ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _ProductColumn:
    """A product's column in the wide layout; `problem` refuses every quantity in it."""

    position: int
    header: str
    product: GridProduct | None
    problem: str | None


@dataclasses.dataclass(frozen=True)
class _Cell:
    """A quantity the file gives for a product of a household, and what the base holds."""

    product: GridProduct
    column: str | None
    quantity: Decimal
    old: Decimal


class OrderImporter(Importer):
    kind: ClassVar[ImportKind] = "orders"

    def __init__(self, *, session: Session, actor: Actor, today: dt.date, cycle_id: int) -> None:
        super().__init__(session=session, actor=actor, today=today)
        self.cycle_id = cycle_id

    # --- what the base holds ------------------------------------------------------------

    def preload(self) -> None:
        session = self.session
        self.cycle: Cycle = find_cycle(session, self.cycle_id, lock="share")
        try:
            require_orders_open(self.cycle)
        except ValidationError:
            raise ImportFileError(self._not_open_message()) from None
        self.cycle_points = frozenset(cycle_point_ids(session, self.cycle_id))
        self.points: dict[int, DistributionPoint] = {
            p.id: p for p in session.scalars(select(DistributionPoint))
        }
        self.points_by_name = {normalize_name(p.name): p for p in self.points.values()}

        self.offered = offered_products(session, self.cycle)
        self.offered_by_id = {p.product_id: p for p in self.offered}
        producers = list(session.scalars(select(Producer.name)))
        self.products: _Index[GridProduct] = _Index(producers)
        for offer in self.offered:
            self.products.add(offer.name, offer.producer, offer.unit, offer)
        self.catalogue: _Index[str] = _Index(producers)
        for name, producer, unit in session.execute(
            select(Product.name, Producer.name, Product.unit).join(
                Producer, Producer.id == Product.producer_id
            )
        ):
            self.catalogue.add(name, producer, unit, name)

        self.by_email: dict[str, Member] = {}
        self.by_name: dict[str, list[Member]] = {}
        self.by_last_name: dict[str, list[Member]] = {}
        self.members_by_id: dict[int, Member] = {}
        for member in session.scalars(select(Member).order_by(Member.id)):
            self.members_by_id[member.id] = member
            if member.email:
                self.by_email[member.email.strip().lower()] = member
            for key in {
                name_key(member.last_name, member.first_name),
                name_key(member.first_name, member.last_name),
            }:
                self.by_name.setdefault(key, []).append(member)
            self.by_last_name.setdefault(name_key(member.last_name), []).append(member)

        #: Household → point of its order in this distribution (the file's new ones added).
        self.order_points: dict[int, int] = {
            member_id: point_id
            for member_id, point_id in session.execute(
                select(Order.member_id, Order.point_id).where(Order.cycle_id == self.cycle_id)
            )
        }
        #: (household, product) → quantity ordered; product → total of the distribution.
        self.quantities: dict[tuple[int, int], Decimal] = {}
        self.totals: dict[int, Decimal] = {}
        for member_id, product_id, qty in session.execute(
            select(Order.member_id, OrderLine.product_id, func.sum(OrderLine.quantity_ordered))
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.cycle_id == self.cycle_id, OrderLine.product_id.is_not(None))
            .group_by(Order.member_id, OrderLine.product_id)
        ):
            if product_id is None or qty is None:
                continue
            value = Decimal(qty).quantize(Decimal("0.001"))
            self.quantities[(member_id, product_id)] = value
            self.totals[product_id] = self.totals.get(product_id, ZERO_QTY) + value

        self.seen_members: dict[int, int] = {}
        self.seen_cells: dict[tuple[int, int], int] = {}
        #: Orders the file makes: household → point, made together before the first line.
        self.new_orders: dict[int, int] = {}
        self._orders_made = False
        self.file_name = ""
        #: The coopfood order form being read (None: any other file), and for each household
        #: the form its quantities came from (a folder of forms is imported at once).
        self.form: OrderFormTag | None = None
        self.form_files: dict[int, str] = {}

    def _not_open_message(self) -> str:
        cycle = cycle_label(self.cycle).lower()
        if self.cycle.state is CycleState.DRAFT:
            return _(
                "La {cycle} n'est pas encore ouverte aux commandes : ouvrez-la avant d'y "
                "importer des commandes."
            ).format(cycle=cycle)
        if self.cycle.state is CycleState.CLOSED:
            return _("La {cycle} est clôturée : rouvrez-la pour y importer des commandes.").format(
                cycle=cycle
            )
        return _(
            "La {cycle} a eu lieu ({state}) : ses commandes ne changent plus, aucune n'a été "
            "importée."
        ).format(cycle=cycle, state=self.cycle.state.label.lower())

    # --- the columns ----------------------------------------------------------------------

    def claim_columns(self, table: Table, match: HeaderMatch) -> tuple[str, ...]:
        self.file_name = table.name
        self.form = table.form
        if self.form is not None:
            return self._claim_form(table)
        self.order = {header: match.positions[key] for key, header in match.headers.items()}
        self.long = "product" in match.positions or "quantity" in match.positions
        self.columns: list[_ProductColumn] = []
        if self.long:
            for key in ("product", "quantity"):
                if key not in match.positions:
                    raise ImportFileError(
                        _(
                            "« {file} » : une ligne par produit commandé demande les colonnes "
                            "« produit » et « quantité » ; « {column} » est absente."
                        ).format(file=table.name, column=match.header("orders", key))
                    )
            return match.ignored
        known = set(match.positions.values())
        ignored: list[str] = []
        claimed: dict[int, str] = {}
        for position, header in enumerate(table.headers):
            if not header or position in known:
                continue
            column = self._product_column(table, position, header)
            if column is None:
                ignored.append(header)
                continue
            if column.product is not None:
                product_id = column.product.product_id
                if product_id in claimed:
                    raise ImportFileError(
                        _(
                            "« {file} » : les colonnes « {first} » et « {second} » désignent le "
                            "même produit ; gardez-en une seule."
                        ).format(file=table.name, first=claimed[product_id], second=header)
                    )
                claimed[product_id] = header
            self.columns.append(column)
            self.order[header] = position
        if not self.columns:
            raise ImportFileError(
                _(
                    "« {file} » : aucune colonne ne désigne un produit de la {cycle} (ni de "
                    "colonnes « produit » et « quantité ») ; colonnes lues : {read}."
                ).format(
                    file=table.name,
                    cycle=cycle_label(self.cycle).lower(),
                    read=", ".join(f"« {h} »" for h in table.headers if h),
                )
            )
        return tuple(ignored)

    def _claim_form(self, table: Table) -> tuple[str, ...]:
        """A coopfood order form: of this distribution and one of its points; its lines and
        columns name households and products by id (`coopfood.order_form_xlsx`)."""
        form = table.form
        assert form is not None
        if form.cycle_id != self.cycle_id:
            raise ImportFileError(
                _(
                    "« {file} » est un bon de commande de la {form}, pas de la {cycle} dans "
                    "laquelle vous importez : importez-le dans sa distribution, ou préparez les "
                    "bons de commande de celle-ci."
                ).format(
                    file=table.name,
                    form=form.cycle_label.lower(),
                    cycle=cycle_label(self.cycle).lower(),
                )
            )
        if form.point_id not in self.cycle_points:
            raise ImportFileError(
                _(
                    "« {file} » est le bon de commande du point « {point} », qui ne fait plus "
                    "partie de la {cycle}."
                ).format(
                    file=table.name, point=form.point_name, cycle=cycle_label(self.cycle).lower()
                )
            )
        self.order = {header: position for position, header in enumerate(table.headers)}
        self.long = form.layout == "household"
        self.columns = []
        if not self.long:
            for position, header in enumerate(table.headers[1:], start=1):
                found, problem = self._form_product(form.product_at(0, position), header)
                self.columns.append(_ProductColumn(position, header, found, problem))
        return ()

    def _form_product(
        self, product_id: int | None, shown: str
    ) -> tuple[GridProduct | None, str | None]:
        """The offered product a form's line or column stands for, or why there is none."""
        product = None if product_id is None else self.offered_by_id.get(product_id)
        if product is None:
            return None, _(
                "« {name} » n'est plus proposé dans cette distribution : effacez sa quantité."
            ).format(name=shown)
        return product, None

    def _form_household(self, row: Row, errors: list[RowError]) -> tuple[Member | None, str]:
        """The household a form's line stands for (by id); one filled-in form per household."""
        assert self.form is not None
        member_id = self.form.member_at(row.line)
        member = None if member_id is None else self.members_by_id.get(member_id)
        if member is None:
            name = values.text(row.cell("household"))
            message = _("Le foyer {name} de ce bon de commande n'existe plus.")
            errors.append(row.error("household", message.format(name=name)))
            return None, "household"
        if member.archived_at is not None:
            message = _("Le foyer {name} est archivé : réactivez-le pour importer sa commande.")
            errors.append(row.error("household", message.format(name=member.display_name)))
            return None, "household"
        first = self.form_files.setdefault(member.id, self.file_name)
        if first != self.file_name:
            message = _(
                "Les quantités de {name} figurent aussi dans « {file} » : un seul bon rempli "
                "par foyer."
            )
            errors.append(
                row.error("household", message.format(name=member.display_name, file=first))
            )
            return None, "household"
        return member, "household"

    def _product_column(self, table: Table, position: int, header: str) -> _ProductColumn | None:
        """The product a header names; an unknown header is a product's only when its cells
        hold quantities (else it is information of a form, ignored)."""
        found, problem = self._product(header, hint_producer=False)
        if found is None and not self.catalogue.find(header):
            cells = [r.cells[position] if position < len(r.cells) else None for r in table.rows]
            if not _is_product_like(header, cells):
                return None
        return _ProductColumn(position, header, found, problem)

    def _product(self, text: str, *, hint_producer: bool) -> tuple[GridProduct | None, str | None]:
        """The offered product `text` names, or why there is none (French)."""
        found = self.products.find(text)
        if len(found) == 1:
            return found[0], None
        if found:
            names = ", ".join(f"« {p.name} ({p.producer}) »" for p in found)
            hint = (
                _("indiquez le producteur dans une colonne « producteur »")
                if hint_producer
                else _("écrivez le producteur entre parenthèses, par exemple « {example} »").format(
                    example=f"{found[0].name} ({found[0].producer})"
                )
            )
            return None, _(
                "« {name} » peut désigner plusieurs produits de cette distribution ({names}) : "
                "{hint}."
            ).format(name=text, names=names, hint=hint)
        in_catalogue = self.catalogue.find(text)
        if in_catalogue:
            return None, _(
                "Le produit « {name} » n'est pas proposé dans cette distribution."
            ).format(name=in_catalogue[0])
        message = _(
            "Le produit « {name} » n'est pas proposé dans cette distribution : aucun produit ne "
            "porte ce nom."
        ).format(name=text)
        offered = {product_key(p.name): p.name for p in self.offered}
        wanted = product_key(_bare(text) or text)
        close = difflib.get_close_matches(wanted, list(offered), n=1, cutoff=0.75)
        if close:
            message += " " + _("Vouliez-vous dire « {name} » ?").format(name=offered[close[0]])
        return None, message

    # --- a line ---------------------------------------------------------------------------

    def plan(self, row: Row) -> Change:
        errors: list[RowError] = []
        point_id: int | None
        if self.form is not None:
            member, who = self._form_household(row, errors)
            point_id = self.form.point_id
        else:
            point_name = (row.read("point", values.text) or "") if row.has("point") else ""
            member, who = self._household(row, point_name, errors)
            point_id = self._point(row, point_name, errors)
        if self.long:
            cells = self._long_cells(row, member, errors)
        else:
            cells = self._wide_cells(row, member, errors)
        # A line that orders nothing is not checked against the points.
        if member is not None and cells:
            point_id = self._order_point(row, member, who, point_id, errors)
            for cell in cells:
                self._check_cap(row, cell, errors)
        if errors:
            raise self._rejected(row, errors)
        assert member is not None
        return self._change(row, member, point_id, cells)

    def _rejected(self, row: Row, errors: list[RowError]) -> RowRejected:
        everything = [*row.errors, *errors]
        everything.sort(key=lambda e: self.order.get(e.column or "", -1))
        return RowRejected(everything)

    def _household(self, row: Row, point: str, errors: list[RowError]) -> tuple[Member | None, str]:
        """The household of this line (by e-mail, else by name) and the column that named it."""

        def text(key: str) -> str:
            return (row.read(key, values.text) or "").strip() if row.has(key) else ""

        email, household, last, first = (text(k) for k in (*_WHO, "first_name"))
        email_column = "email"
        if "@" in household and not email:  # « adhérent » given by e-mail
            email, household, email_column = household, "", "household"
        name_column = "household" if household else "last_name"
        name = household or f"{last} {first}".strip()
        if email:
            member = self.by_email.get(email.lower())
            if member is not None:
                return self._once(row, member, email_column, errors), email_column
            if not name:
                message = _("Foyer inconnu : aucun adhérent n'a l'adresse e-mail « {email} ».")
                errors.append(row.error(email_column, message.format(email=email)))
                return None, email_column
        if not name:
            column = next(k for k in _WHO if row.has(k))
            message = _("Foyer non indiqué : la ligne ne dit pas pour qui elle est.")
            errors.append(row.error(column, message))
            return None, column
        candidates = self._by_name(name, last, first, single=bool(household) or not first)
        if len(candidates) > 1 and point:
            here = self.points_by_name.get(normalize_name(point))
            candidates = [m for m in candidates if here and m.point_id == here.id] or candidates
        if not candidates:
            if email:
                message = _(
                    "Foyer inconnu : aucun adhérent n'a l'adresse e-mail « {email} » ni ne "
                    "s'appelle « {name} »."
                )
            else:
                message = _("Foyer inconnu : aucun adhérent ne s'appelle « {name} ».")
            column = email_column if email else name_column
            errors.append(row.error(column, message.format(email=email, name=name)))
            return None, name_column
        if len(candidates) > 1:
            message = _(
                "Plusieurs foyers répondent au nom « {name} » ({names}) : identifiez le foyer "
                "par son adresse e-mail."
            )
            names = ", ".join(m.display_name for m in candidates)
            errors.append(row.error(name_column, message.format(name=name, names=names)))
            return None, name_column
        member = candidates[0]
        if email:
            message = _("adresse e-mail « {email} » inconnue : foyer reconnu par son nom, {name}.")
            self.warn(row, email_column, message.format(email=email, name=member.display_name))
        return self._once(row, member, name_column, errors), name_column

    def _by_name(self, name: str, last: str, first: str, *, single: bool) -> list[Member]:
        """Households of that name: « DUPONT Marie », « Marie Dupont » or « Dupont » in one
        column, else « nom » and « prénom »; archived ones only when no other matches."""
        if single:
            key = name_key(name)
            candidates = self.by_name.get(key, []) or self.by_last_name.get(key, [])
        else:
            candidates = [
                m
                for m in self.by_name.get(name_key(last, first), [])
                if name_key(m.last_name) == name_key(last)
            ]
        return [m for m in candidates if m.archived_at is None] or candidates

    def _once(self, row: Row, member: Member, column: str, errors: list[RowError]) -> Member | None:
        """The household, unless it is archived or (one line per household) already seen."""
        if member.archived_at is not None:
            errors.append(
                row.error(
                    column,
                    _(
                        "Le foyer {name} est archivé : réactivez-le pour importer sa commande."
                    ).format(name=member.display_name),
                )
            )
            return None
        if not self.long:
            earlier = self.seen_members.get(member.id)
            if earlier is not None:
                errors.append(
                    row.error(
                        column,
                        _(
                            "Le foyer {name} figure déjà ligne {line} du fichier : une seule "
                            "ligne par foyer."
                        ).format(name=member.display_name, line=earlier),
                    )
                )
                return None
            self.seen_members[member.id] = row.line
        return member

    def _point(self, row: Row, name: str, errors: list[RowError]) -> int | None:
        """The point the line names (None: the household's own), one of the distribution's."""
        if not name:
            return None
        point = self.points_by_name.get(normalize_name(name))
        ours = ", ".join(
            f"« {self.points[p].name} »" for p in sorted(self.cycle_points, key=self._point_key)
        )
        if point is None:
            errors.append(
                row.error(
                    "point",
                    _(
                        "Point de distribution « {name} » inconnu ; points de cette distribution "
                        ": {points}."
                    ).format(name=name, points=ours),
                )
            )
            return None
        if point.id not in self.cycle_points:
            errors.append(
                row.error(
                    "point",
                    _(
                        "Le point « {name} » ne fait pas partie de cette distribution ; ses "
                        "points : {points}."
                    ).format(name=point.name, points=ours),
                )
            )
            return None
        return point.id

    def _point_key(self, point_id: int) -> str:
        return normalize_name(self.points[point_id].name)

    def _quantity(self, cell: Cell) -> Decimal | None:
        """The quantity of a cell (None: empty); raises CellError or ValidationError."""
        value = values.number(cell)
        if value is None:
            return None
        if isinstance(value, Decimal):
            value = values.text(cell).replace(".", ",")  # told back as the user sees it
        return check.positive_quantity(value, field="quantity", label=_("La quantité"))

    def _wide_cells(self, row: Row, member: Member | None, errors: list[RowError]) -> list[_Cell]:
        cells: list[_Cell] = []
        for column in self.columns:
            cell = row.at(column.position)
            try:
                qty = self._quantity(cell)
            except (values.CellError, ValidationError) as error:
                errors.append(RowError(row.line, column.header, column.problem or str(error)))
                continue
            if qty is None:
                continue
            if column.product is None:
                if qty != 0:
                    assert column.problem is not None
                    errors.append(RowError(row.line, column.header, column.problem))
                continue
            self._add_cell(row, member, column.product, column.header, qty, cells, errors)
        return cells

    def _long_cells(self, row: Row, member: Member | None, errors: list[RowError]) -> list[_Cell]:
        name = row.read("product", values.text) or ""
        producer = (row.read("producer", values.text) or "") if row.has("producer") else ""
        product_column, quantity_column = row.header("product"), row.header("quantity")
        qty: Decimal | None = None
        try:
            qty = self._quantity(row.cell("quantity"))
            if qty is None:
                message = _(
                    "La quantité est vide : écrivez 0 pour retirer ce produit de la commande."
                )
                errors.append(RowError(row.line, quantity_column, message))
        except (values.CellError, ValidationError) as error:
            errors.append(RowError(row.line, quantity_column, str(error)))
        if not name:
            errors.append(RowError(row.line, product_column, _("Le produit n'est pas indiqué.")))
            return []
        text = f"{name} ({producer})" if producer else name
        if self.form is not None:
            product, problem = self._form_product(self.form.product_at(row.line, 0), name)
        else:
            product, problem = self._product(text, hint_producer=True)
        if problem is not None:
            errors.append(RowError(row.line, product_column, problem))
        if product is None or member is None:
            return []
        earlier = self.seen_cells.setdefault((member.id, product.product_id), row.line)
        if earlier != row.line:
            message = _("{name} commande déjà « {product} » ligne {line} du fichier.")
            errors.append(
                RowError(
                    row.line,
                    product_column,
                    message.format(name=member.display_name, product=product.name, line=earlier),
                )
            )
            return []
        cells: list[_Cell] = []
        if qty is not None:
            self._add_cell(row, member, product, product_column, qty, cells, errors)
        return cells

    def _add_cell(
        self,
        row: Row,
        member: Member | None,
        product: GridProduct,
        column: str | None,
        qty: Decimal,
        cells: list[_Cell],
        errors: list[RowError],
    ) -> None:
        old = (
            ZERO_QTY
            if member is None
            else self.quantities.get((member.id, product.product_id), ZERO_QTY)
        )
        # A new line takes a snapshot of the price: the product must have one that day.
        if qty > 0 and old == 0 and product.member_price is None:
            errors.append(
                RowError(
                    row.line,
                    column,
                    _(
                        "« {name} » n'a pas de prix au {date} : donnez-lui un prix avant de le "
                        "commander."
                    ).format(name=product.name, date=format_date(self.cycle.distribution_date)),
                )
            )
            return
        cells.append(_Cell(product, column, qty, old))

    def _order_point(
        self, row: Row, member: Member, who: str, given: int | None, errors: list[RowError]
    ) -> int | None:
        """Where the household's order is collected; refused out of the distribution or of
        the coordinator's points (the checks of `set_quantity_in`, told by line)."""
        name = member.display_name
        current = self.order_points.get(member.id)
        point_id = (
            current if current is not None else given if given is not None else member.point_id
        )
        problem: tuple[str, str] | None = None
        if current is not None and given is not None and given != current:
            problem = (
                "point",
                _(
                    "{name} a déjà une commande au point « {point} » dans cette distribution."
                ).format(name=name, point=self.points[current].name),
            )
        elif point_id is None:
            problem = (
                who,
                _(
                    "{name} n'est rattaché à aucun point de distribution : indiquez son point "
                    "de retrait dans une colonne « point »."
                ).format(name=name),
            )
        elif point_id not in self.cycle_points:
            problem = (
                who,
                _(
                    "{name} est rattaché au point « {point} », qui ne fait pas partie de cette "
                    "distribution : indiquez son point de retrait dans une colonne « point »."
                ).format(name=name, point=self.points[point_id].name),
            )
        else:
            try:
                require_point(self.actor, point_id, _("saisir ses commandes"))
            except PermissionDenied as error:
                problem = (
                    "point" if given is not None else who,
                    _("{name} est rattaché au point « {point} » : {reason}").format(
                        name=name, point=self.points[point_id].name, reason=error
                    ),
                )
        if problem is not None:
            errors.append(row.error(*problem))
        return point_id

    def _check_cap(self, row: Row, cell: _Cell, errors: list[RowError]) -> None:
        cap = cell.product.cap
        if cap is None or cell.quantity <= cell.old:
            return
        others = self.totals.get(cell.product.product_id, ZERO_QTY) - cell.old
        if others + cell.quantity > cap:
            refusal = cap_reached(cell.product.name, cell.product.unit, cap, others, cell.old)
            errors.append(
                RowError(
                    row.line,
                    cell.column,
                    f"{refusal} "
                    + _(
                        "Ce reste compte les commandes déjà enregistrées et les lignes "
                        "précédentes du fichier."
                    ),
                )
            )

    # --- what a line changes --------------------------------------------------------------

    def _change(self, row: Row, member: Member, point_id: int | None, cells: list[_Cell]) -> Change:
        changed = [c for c in cells if c.quantity != c.old]
        if not changed:
            return UNCHANGED
        assert point_id is not None
        for cell in changed:
            key = (member.id, cell.product.product_id)
            self.quantities[key] = cell.quantity
            total = self.totals.get(cell.product.product_id, ZERO_QTY)
            self.totals[cell.product.product_id] = total - cell.old + cell.quantity
        if member.id not in self.order_points and any(c.quantity > 0 for c in changed):
            self.order_points[member.id] = point_id
            self.new_orders[member.id] = point_id
        outcome = Outcome.UPDATED if any(c.old > 0 for c in changed) else Outcome.CREATED
        return Change(outcome, self._write(row.line, member.id, point_id, changed))

    def _write(
        self, line: int, member_id: int, point_id: int, cells: list[_Cell]
    ) -> Callable[[Session], None]:
        file_name = self.file_name  # of a folder's files, the one this line is in

        def apply(session: Session) -> None:
            self._make_orders(session)
            for cell in cells:
                try:
                    set_quantity_in(
                        session,
                        actor=self.actor,
                        cycle=self.cycle,
                        member_id=member_id,
                        product_id=cell.product.product_id,
                        quantity=cell.quantity,
                        point_id=point_id,
                    )
                except ServiceError as error:
                    # Checked above, unless someone else ordered meanwhile (caps on PostgreSQL).
                    raise ServiceError(
                        _(
                            "Import de « {file} » annulé, rien n'a été enregistré : {error} "
                            "Relancez l'import pour voir ce qui reste possible."
                        ).format(file=file_name, error=RowError(line, cell.column, str(error)))
                    ) from None

        return apply

    def _make_orders(self, session: Session) -> None:
        """The orders the file makes, all at once: row numbers in alphabetical order."""
        if self._orders_made:
            return
        self._orders_made = True
        ensure_orders(session, cycle=self.cycle, points_by_member=self.new_orders)
