"""Importing orders from a spreadsheet or a form export: every bad cell told, caps kept,
nothing half-done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from coopfood.domain.enums import CycleState, Unit
from coopfood.imports import ImportFileError, ImportReport, import_file
from coopfood.imports.orders import OrderImporter, import_orders
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    CycleOffer,
    Member,
    Order,
    OrderLine,
    Product,
    household_name,
)
from coopfood.services import LOCAL_ADMIN, Actor, Role, ServiceError
from coopfood.services.cycles import create_cycle, set_offer, transition
from coopfood.services.members import MemberInput, archive_member, save_member
from coopfood.services.orders import load_grid, set_quantity
from tests.conftest import backend
from tests.imports.support import dump, write_csv, write_xlsx
from tests.services.test_cycles import THURSDAY, Shop, build_shop, open_cycle
from tests.services.test_products import new_product

# --- a small co-op: Nord (DUPONT Marie, ÉLUARD Anna, BERNARD Luc), Sud (ROUX Bruno) -------


@dataclass(frozen=True)
class Coop:
    shop: Shop
    cycle_id: int
    #: Households with an e-mail: LEFÈVRE Hélène (Nord), MARTIN Paul (Nord), MARTIN Julie (Sud).
    helene: int
    paul: int
    julie: int
    #: In the catalogue, not offered.
    miel: int


def _member(db: Database, last: str, first: str, point: int, email: str = "") -> int:
    data = MemberInput(last_name=last, first_name=first, point_id=point, email=email)
    return save_member(db=db, actor=LOCAL_ADMIN, data=data).id


@pytest.fixture
def coop(db: Database) -> Coop:
    shop = build_shop(db)
    return Coop(
        shop=shop,
        # Œufs capped at 10 dozen for the whole distribution.
        cycle_id=open_cycle(db, shop, caps={shop.oeufs: "10"}),
        helene=_member(db, "Lefèvre", "Hélène", shop.nord, "helene@example.org"),
        paul=_member(db, "Martin", "Paul", shop.nord, "paul.martin@example.org"),
        julie=_member(db, "Martin", "Julie", shop.sud, "julie.martin@example.org"),
        miel=new_product(db, shop.ferme, "Miel", unit=Unit.JAR, price_ht="6,00"),
    )


def _import(db: Database, path: Path, cycle_id: int, **options: Any) -> ImportReport:
    actor = options.pop("actor", LOCAL_ADMIN)
    return import_file(db=db, actor=actor, kind="orders", path=path, cycle_id=cycle_id, **options)


def _ordered(db: Database, cycle_id: int) -> dict[tuple[str, str], Decimal]:
    """(household, product) → quantity ordered, à-la-carte lines of the distribution."""
    with db.reading() as session:
        rows = session.execute(
            select(Member.last_name, Member.first_name, Product.name, OrderLine.quantity_ordered)
            .join(Order, Order.member_id == Member.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Order.cycle_id == cycle_id)
        ).all()
    return {(household_name(last, first), name): qty for last, first, name, qty in rows}


def _counts(report: ImportReport) -> tuple[int, int, int, int]:
    return report.created, report.updated, report.unchanged, report.rejected


def _errors(report: ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


def _csv(tmp_path: Path, lines: Sequence[Sequence[str]], name: str = "commandes.csv") -> Path:
    return write_csv(tmp_path / name, lines)


WIDE = ["Courriel", "Nom", "Prénom", "Œufs", "Tomme", "Jus de pomme", "Yaourt"]


# --- the two layouts ------------------------------------------------------------------------


def test_a_wide_file_orders_by_email_and_by_name_and_a_second_import_changes_nothing(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        [
            WIDE,
            ["helene@example.org", "", "", "2", "0,350", "", "6"],
            ["", "Dupont", "Marie", "1", "", "3", ""],
            ["", "ROUX", "bruno", "", "1,5", "", ""],
        ],
    )
    report = _import(db, path, coop.cycle_id)
    assert _counts(report) == (3, 0, 0, 0)
    assert report.written and report.complete and not report.errors and not report.warnings
    assert _ordered(db, coop.cycle_id) == {
        ("LEFÈVRE Hélène", "Œufs"): Decimal("2.000"),
        ("LEFÈVRE Hélène", "Tomme"): Decimal("0.350"),
        ("LEFÈVRE Hélène", "Yaourt"): Decimal("6.000"),
        ("DUPONT Marie", "Œufs"): Decimal("1.000"),
        ("DUPONT Marie", "Jus de pomme"): Decimal("3.000"),
        ("ROUX Bruno", "Tomme"): Decimal("1.500"),
    }
    before = dump(db)
    again = _import(db, path, coop.cycle_id)
    assert _counts(again) == (0, 0, 3, 0)
    assert again.written and dump(db) == before


def test_the_lines_are_priced_and_numbered_like_the_grid(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    shop = coop.shop
    set_quantity(
        db=db,
        actor=LOCAL_ADMIN,
        cycle_id=coop.cycle_id,
        member_id=shop.luc,
        product_id=shop.oeufs,
        quantity="1",
    )
    path = _csv(
        tmp_path,
        [WIDE, ["", "Éluard", "Anna", "2", "", "", ""], ["", "Dupont", "Marie", "1", "", "", ""]],
    )
    _import(db, path, coop.cycle_id)
    grid = load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=coop.cycle_id, point_id=shop.nord)
    numbers = {m.name: m.row_number for m in grid.members if m.row_number is not None}
    # BERNARD Luc ordered first; the file's new orders follow, in alphabetical order.
    assert numbers == {"BERNARD Luc": 1, "DUPONT Marie": 2, "ÉLUARD Anna": 3}
    # 3,60 € HT, no VAT (franchise), 5 % fee: 3,78 € a dozen.
    assert grid.member_totals[shop.anna] == Decimal("7.56")
    assert grid.product_totals[shop.oeufs] == Decimal("4.000")


def test_a_long_file_orders_one_product_a_line(db: Database, coop: Coop, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            ["Adhérent", "Produit", "Producteur", "Quantité"],
            ["paul.martin@example.org", "oeufs", "", "2"],
            ["paul.martin@example.org", "JUS DE POMME", "Cave du Diois", "6"],
            ["DUPONT Marie", "Tomme", "", "0,5"],
            ["Anna Éluard", "Yaourt", "", "12"],
        ],
    )
    report = _import(db, path, coop.cycle_id)
    assert _counts(report) == (4, 0, 0, 0) and not report.errors
    assert _ordered(db, coop.cycle_id) == {
        ("MARTIN Paul", "Œufs"): Decimal("2.000"),
        ("MARTIN Paul", "Jus de pomme"): Decimal("6.000"),
        ("DUPONT Marie", "Tomme"): Decimal("0.500"),
        ("ÉLUARD Anna", "Yaourt"): Decimal("12.000"),
    }
    assert _counts(_import(db, path, coop.cycle_id)) == (0, 0, 4, 0)


def test_workbooks_in_both_layouts(db: Database, coop: Coop, tmp_path: Path) -> None:
    wide = write_xlsx(
        tmp_path / "grille.xlsx",
        [
            ["Commandes du 5 mars"],
            ["Email", "Œufs", "Tomme", "Yaourt"],
            ["helene@example.org", 2, 0.35, None],
            ["paul.martin@example.org", None, 2.1 * 1.2, 12],
        ],
    )
    report = _import(db, wide, coop.cycle_id)
    assert _counts(report) == (2, 0, 0, 0) and not report.errors
    long = write_xlsx(
        tmp_path / "lignes.xlsx",
        [
            ["Nom", "Prénom", "Produit", "Qté"],
            ["Lefèvre", "Hélène", "Œufs", 3],
            ["Roux", "Bruno", "Yaourt", 4],
        ],
    )
    report = _import(db, long, coop.cycle_id)
    assert _counts(report) == (1, 1, 0, 0) and not report.errors
    assert _ordered(db, coop.cycle_id) == {
        ("LEFÈVRE Hélène", "Œufs"): Decimal("3.000"),
        ("LEFÈVRE Hélène", "Tomme"): Decimal("0.350"),
        # A spreadsheet's 2,52 (=2,1*1,2) stays 2,52, not 2,5199999999999996.
        ("MARTIN Paul", "Tomme"): Decimal("2.520"),
        ("MARTIN Paul", "Yaourt"): Decimal("12.000"),
        ("ROUX Bruno", "Yaourt"): Decimal("4.000"),
    }


def test_a_changed_quantity_updates_zero_removes_and_an_empty_cell_keeps(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    first = _csv(
        tmp_path,
        [WIDE, ["helene@example.org", "", "", "2", "0,350", "", "6"]],
        "a.csv",
    )
    _import(db, first, coop.cycle_id)
    second = _csv(
        tmp_path,
        [WIDE, ["helene@example.org", "", "", "3", "0", "", ""]],
        "b.csv",
    )
    report = _import(db, second, coop.cycle_id)
    assert _counts(report) == (0, 1, 0, 0)
    assert _ordered(db, coop.cycle_id) == {
        ("LEFÈVRE Hélène", "Œufs"): Decimal("3.000"),
        ("LEFÈVRE Hélène", "Yaourt"): Decimal("6.000"),
    }


def test_a_form_export_imports_its_timestamp_and_comment_ignored_with_a_warning(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    """As Google Forms writes it: a timestamp, the e-mail, grid questions, a comment."""
    path = write_csv(
        tmp_path / "Commandes (réponses).csv",
        [
            [
                "Horodateur",
                "Adresse e-mail",
                "Nom et prénom",
                "Commande [Œufs (Ferme des Combes)]",
                "Commande [Tomme — kg]",
                "Commande [Jus de pomme]",
                "Commentaire",
            ],
            ["2026/03/01 10:02:13", "helene@example.org", "Hélène Lefèvre", "2", "", "6", "Merci"],
            ["2026/03/01 18:40:55", "", "Bernard Luc", "", "0,4", "", ""],
        ],
        separator=",",
        bom=True,
        newline="\n",
    )
    report = _import(db, path, coop.cycle_id)
    assert _counts(report) == (2, 0, 0, 0)
    assert [str(w) for w in report.warnings] == [
        "ligne 1, colonne « Horodateur » : colonne inconnue, ignorée.",
        "ligne 1, colonne « Commentaire » : colonne inconnue, ignorée.",
    ]
    assert _ordered(db, coop.cycle_id) == {
        ("LEFÈVRE Hélène", "Œufs"): Decimal("2.000"),
        ("LEFÈVRE Hélène", "Jus de pomme"): Decimal("6.000"),
        ("BERNARD Luc", "Tomme"): Decimal("0.400"),
    }


@pytest.mark.parametrize(
    "header",
    ["oeufs", "ŒUFS", "Œufs (Ferme des Combes)", "Œufs — douzaine", "Œufs - 3,78 €", "Œufs :"],
)
def test_a_product_column_is_named_as_people_name_it(
    db: Database, coop: Coop, tmp_path: Path, header: str
) -> None:
    path = _csv(tmp_path, [["email", header], ["helene@example.org", "1"]])
    report = _import(db, path, coop.cycle_id)
    assert not report.errors and not report.warnings
    assert _ordered(db, coop.cycle_id) == {("LEFÈVRE Hélène", "Œufs"): Decimal("1.000")}


def test_products_of_the_same_name_are_told_apart_by_producer(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    other = new_product(db, coop.shop.cave, "Œufs", unit=Unit.DOZEN, price_ht="4,00")
    set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=coop.cycle_id, product_id=other)
    path = _csv(
        tmp_path,
        [
            ["email", "Œufs", "Œufs (Cave du Diois)"],
            ["helene@example.org", "1", ""],
            ["paul.martin@example.org", "", "2"],
        ],
    )
    report = _import(db, path, coop.cycle_id)
    assert _errors(report) == [
        "ligne 2, colonne « Œufs » : « Œufs » peut désigner plusieurs produits de cette "
        "distribution (« Œufs (Cave du Diois) », « Œufs (Ferme des Combes) ») : écrivez le "
        "producteur entre parenthèses, par exemple « Œufs (Cave du Diois) »."
    ]
    assert _counts(report) == (1, 0, 0, 1) and not report.written
    long = _csv(
        tmp_path,
        [
            ["email", "produit", "producteur", "quantité"],
            ["helene@example.org", "Œufs", "Ferme des Combes", "1"],
            ["paul.martin@example.org", "Œufs", "", "2"],
        ],
        "lignes.csv",
    )
    report = _import(db, long, coop.cycle_id)
    assert _errors(report) == [
        "ligne 3, colonne « produit » : « Œufs » peut désigner plusieurs produits de cette "
        "distribution (« Œufs (Cave du Diois) », « Œufs (Ferme des Combes) ») : indiquez le "
        "producteur dans une colonne « producteur »."
    ]


def test_a_point_column_places_a_new_order_and_must_agree_with_an_existing_one(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    shop = coop.shop
    set_quantity(
        db=db,
        actor=LOCAL_ADMIN,
        cycle_id=coop.cycle_id,
        member_id=shop.marie,
        product_id=shop.yaourt,
        quantity="4",
    )
    path = _csv(
        tmp_path,
        [
            ["Nom", "Prénom", "Point de retrait", "Œufs"],
            ["Éluard", "Anna", "sud", "1"],
            ["Dupont", "Marie", "Sud", "1"],
            ["Bernard", "Luc", "Gare", "1"],
        ],
    )
    report = _import(db, path, coop.cycle_id, keep_valid=True)
    assert _errors(report) == [
        "ligne 3, colonne « Point de retrait » : DUPONT Marie a déjà une commande au point "
        "« Nord » dans cette distribution.",
        "ligne 4, colonne « Point de retrait » : Point de distribution « Gare » inconnu ; "
        "points de cette distribution : « Nord », « Sud ».",
    ]
    with db.reading() as session:
        point = session.scalar(
            select(Order.point_id).where(
                Order.cycle_id == coop.cycle_id, Order.member_id == shop.anna
            )
        )
    assert point == shop.sud


# --- what is refused, by line and column ---------------------------------------------------


def test_every_bad_cell_is_told_by_line_and_column_and_nothing_is_written(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        [
            ["Courriel", "Nom", "Prénom", "Œufs", "Tomme", "Miel", "Tomates"],
            ["helene@example.org", "", "", "2", "", "", ""],
            ["inconnu@example.org", "", "", "1", "", "", ""],
            ["", "Durand", "Zoé", "1", "", "", ""],
            ["", "Dupont", "Marie", "-2", "12,5O", "", ""],
            ["", "Roux", "Bruno", "1,2345", "", "1", ""],
            ["", "Bernard", "Luc", "", "", "", "3"],
            ["HELENE@example.org", "", "", "1", "", "", ""],
        ],
    )
    before = dump(db)
    report = _import(db, path, coop.cycle_id)
    assert _errors(report) == [
        "ligne 3, colonne « Courriel » : Foyer inconnu : aucun adhérent n'a l'adresse e-mail "
        "« inconnu@example.org ».",
        "ligne 4, colonne « Nom » : Foyer inconnu : aucun adhérent ne s'appelle « Durand Zoé ».",
        "ligne 5, colonne « Œufs » : La quantité ne peut pas être négative (« -2 »).",
        "ligne 5, colonne « Tomme » : La quantité : « 12,5O » n'est pas un nombre.",
        "ligne 6, colonne « Œufs » : La quantité : « 1,2345 » a plus de trois décimales.",
        "ligne 6, colonne « Miel » : Le produit « Miel » n'est pas proposé dans cette "
        "distribution.",
        "ligne 7, colonne « Tomates » : Le produit « Tomates » n'est pas proposé dans cette "
        "distribution : aucun produit ne porte ce nom.",
        "ligne 8, colonne « Courriel » : Le foyer LEFÈVRE Hélène figure déjà ligne 2 du "
        "fichier : une seule ligne par foyer.",
    ]
    assert _counts(report) == (1, 0, 0, 6)
    assert not report.written and dump(db) == before


def test_a_name_that_fits_several_households_is_refused(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    _member(db, "Dupont", "Marie", coop.shop.sud)  # a namesake at Sud
    path = _csv(
        tmp_path,
        [
            ["Foyer", "Œufs"],
            ["MARTIN", "1"],
            ["DUPONT Marie", "1"],
            ["Martin Julie", "1"],
        ],
    )
    report = _import(db, path, coop.cycle_id)
    assert _errors(report) == [
        "ligne 2, colonne « Foyer » : Plusieurs foyers répondent au nom « MARTIN » (MARTIN Paul, "
        "MARTIN Julie) : identifiez le foyer par son adresse e-mail.",
        "ligne 3, colonne « Foyer » : Plusieurs foyers répondent au nom « DUPONT Marie » (DUPONT "
        "Marie, DUPONT Marie) : identifiez le foyer par son adresse e-mail.",
    ]
    assert _counts(report) == (1, 0, 0, 2)


def test_a_point_column_tells_namesakes_apart(db: Database, coop: Coop, tmp_path: Path) -> None:
    namesake = _member(db, "Dupont", "Marie", coop.shop.sud)
    path = _csv(tmp_path, [["Nom", "Prénom", "Point", "Yaourt"], ["Dupont", "Marie", "Sud", "2"]])
    assert not _import(db, path, coop.cycle_id).errors
    with db.reading() as session:
        who = session.scalar(select(Order.member_id).where(Order.cycle_id == coop.cycle_id))
    assert who == namesake


def test_an_unknown_email_falls_back_on_the_name_with_a_warning(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(tmp_path, [WIDE, ["h.lefevre@autre.example", "Lefèvre", "Hélène", "1", "", "", ""]])
    report = _import(db, path, coop.cycle_id)
    assert not report.errors
    assert [str(w) for w in report.warnings] == [
        "ligne 2, colonne « Courriel » : adresse e-mail « h.lefevre@autre.example » inconnue : "
        "foyer reconnu par son nom, LEFÈVRE Hélène."
    ]


def test_an_archived_household_is_refused(db: Database, coop: Coop, tmp_path: Path) -> None:
    archive_member(db=db, actor=LOCAL_ADMIN, member_id=coop.helene)
    path = _csv(tmp_path, [["email", "Œufs"], ["helene@example.org", "1"]])
    assert _errors(_import(db, path, coop.cycle_id)) == [
        "ligne 2, colonne « email » : Le foyer LEFÈVRE Hélène est archivé : réactivez-le pour "
        "importer sa commande."
    ]


def test_a_coordinator_imports_only_the_households_of_its_points(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    nord = Actor(name="Claire", role=Role.COORDINATOR, point_ids=frozenset({coop.shop.nord}))
    path = _csv(
        tmp_path,
        [
            ["email", "Nom", "Prénom", "Œufs"],
            ["paul.martin@example.org", "", "", "1"],
            ["julie.martin@example.org", "", "", "1"],
            # A household of another point that orders nothing is not this import's business.
            ["", "Roux", "Bruno", ""],
        ],
    )
    report = _import(db, path, coop.cycle_id, actor=nord)
    assert _errors(report) == [
        "ligne 3, colonne « email » : MARTIN Julie est rattaché au point « Sud » : Claire "
        "coordonne d'autres points de distribution et ne peut pas saisir ses commandes."
    ]
    assert _counts(report) == (1, 0, 1, 1)


def test_the_long_layout_refuses_a_product_twice_for_a_household(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        [
            ["email", "produit", "quantité"],
            ["helene@example.org", "Œufs", "1"],
            ["helene@example.org", "Tomme", "0,5"],
            ["helene@example.org", "oeufs", "2"],
            ["helene@example.org", "Yaourt", ""],
            ["helene@example.org", "Tomates", "2"],
        ],
    )
    report = _import(db, path, coop.cycle_id)
    assert _errors(report) == [
        "ligne 4, colonne « produit » : LEFÈVRE Hélène commande déjà « Œufs » ligne 2 du fichier.",
        "ligne 5, colonne « quantité » : La quantité est vide : écrivez 0 pour retirer ce "
        "produit de la commande.",
        "ligne 6, colonne « produit » : Le produit « Tomates » n'est pas proposé dans cette "
        "distribution : aucun produit ne porte ce nom.",
    ]
    assert _counts(report) == (2, 0, 0, 3)


def test_a_misspelt_product_column_is_refused_with_a_suggestion(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(tmp_path, [["email", "Yaourts"], ["helene@example.org", "4"]])
    assert _errors(_import(db, path, coop.cycle_id)) == [
        "ligne 2, colonne « Yaourts » : Le produit « Yaourts » n'est pas proposé "
        "dans cette distribution : aucun produit ne porte ce nom. Vouliez-vous dire « Yaourt » ?"
    ]


# --- caps ---------------------------------------------------------------------------------------


def test_a_cap_counts_the_base_and_the_lines_above_and_is_never_exceeded(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    shop = coop.shop
    set_quantity(
        db=db,
        actor=LOCAL_ADMIN,
        cycle_id=coop.cycle_id,
        member_id=shop.bruno,
        product_id=shop.oeufs,
        quantity="4",
    )
    path = _csv(
        tmp_path,
        [
            ["email", "Nom", "Prénom", "Œufs"],
            ["helene@example.org", "", "", "3"],
            ["", "Dupont", "Marie", "4"],
            ["paul.martin@example.org", "", "", "3"],
            # ROUX Bruno gives 2 of his 4 back: what follows may take them.
            ["", "Roux", "Bruno", "2"],
            ["julie.martin@example.org", "", "", "1"],
        ],
    )
    report = _import(db, path, coop.cycle_id, keep_valid=True)
    assert _errors(report) == [
        "ligne 3, colonne « Œufs » : Plafond atteint pour Œufs : il reste 3 douzaines. Ce reste "
        "compte les commandes déjà enregistrées et les lignes précédentes du fichier.",
    ]
    assert _counts(report) == (3, 1, 0, 1)
    grid = load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=coop.cycle_id, point_id=shop.nord)
    assert grid.product_totals[shop.oeufs] == Decimal("9.000")  # 3 + 3 + 2 + 1 ≤ 10
    assert grid.remaining(shop.oeufs) == Decimal("1.000")


def test_a_cap_the_checks_missed_is_still_kept_when_writing(
    db: Database, coop: Coop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `set_quantity_in` refuses (another writer took the last dozens meanwhile) cancels
    the whole import."""
    monkeypatch.setattr(OrderImporter, "_check_cap", lambda self, row, cell, errors: None)
    path = _csv(
        tmp_path,
        [["email", "Œufs"], ["helene@example.org", "6"], ["paul.martin@example.org", "6"]],
    )
    before = dump(db)
    with pytest.raises(ServiceError) as error:
        _import(db, path, coop.cycle_id)
    assert str(error.value) == (
        "Import de « commandes.csv » annulé, rien n'a été enregistré : ligne 3, colonne « Œufs » "
        ": Plafond atteint pour Œufs : il reste 4 douzaines. Relancez l'import pour voir ce qui "
        "reste possible."
    )
    assert dump(db) == before


@pytest.mark.skipif(backend() != "postgresql", reason="SQLite runs one writer at a time")
def test_a_cap_taken_by_another_writer_during_the_import_cancels_it(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    """The lines are checked, then someone orders in the grid, then the import writes."""
    path = _csv(tmp_path, [["email", "Œufs"], ["helene@example.org", "6"]])

    def meanwhile(done: int, total: int, what: str) -> None:
        if what == "Enregistrement…" and done == 0:
            set_quantity(
                db=db,
                actor=LOCAL_ADMIN,
                cycle_id=coop.cycle_id,
                member_id=coop.shop.bruno,
                product_id=coop.shop.oeufs,
                quantity="5",
            )

    with pytest.raises(ServiceError, match="il reste 5 douzaines"):
        _import(db, path, coop.cycle_id, progress=meanwhile)
    assert _ordered(db, coop.cycle_id) == {("ROUX Bruno", "Œufs"): Decimal("5.000")}


# --- the file as a whole ----------------------------------------------------------------------


def test_a_dry_run_tells_everything_and_writes_nothing(
    db: Database, coop: Coop, tmp_path: Path
) -> None:
    path = _csv(tmp_path, [WIDE, ["helene@example.org", "", "", "2", "", "", ""]])
    before = dump(db)
    report = _import(db, path, coop.cycle_id, dry_run=True)
    assert _counts(report) == (1, 0, 0, 0) and report.dry_run and not report.written
    assert dump(db) == before


@pytest.mark.parametrize(
    "state, message",
    [
        (
            CycleState.CLOSED,
            "La distribution n° {id} du jeudi 5 mars 2026 est clôturée : rouvrez-la pour y "
            "importer des commandes.",
        ),
        (
            CycleState.DISTRIBUTED,
            "La distribution n° {id} du jeudi 5 mars 2026 a eu lieu (distribuée) : ses "
            "commandes ne changent plus, aucune n'a été importée.",
        ),
    ],
)
def test_a_distribution_that_is_not_open_refuses_the_file(
    db: Database, coop: Coop, tmp_path: Path, state: CycleState, message: str
) -> None:
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=coop.cycle_id, to_state=CycleState.CLOSED)
    if state is CycleState.DISTRIBUTED:
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=coop.cycle_id, to_state=state)
    path = _csv(tmp_path, [["email", "Œufs"], ["helene@example.org", "2"]])
    before = dump(db)
    for dry_run in (True, False):
        with pytest.raises(ImportFileError) as error:
            _import(db, path, coop.cycle_id, dry_run=dry_run)
        assert str(error.value) == message.format(id=coop.cycle_id)
    assert dump(db) == before


def test_a_draft_distribution_refuses_the_file(db: Database, coop: Coop, tmp_path: Path) -> None:
    draft = create_cycle(
        db=db, actor=LOCAL_ADMIN, date=THURSDAY + dt.timedelta(days=7), point_ids=[coop.shop.nord]
    )
    path = _csv(tmp_path, [["email", "Œufs"], ["helene@example.org", "2"]])
    with pytest.raises(ImportFileError, match="n'est pas encore ouverte aux commandes"):
        _import(db, path, draft.id)


@pytest.mark.parametrize(
    "lines, message",
    [
        (
            [["email", "Horodateur"], ["helene@example.org", "2026/03/01 10:02:13"]],
            "« commandes.csv » : aucune colonne ne désigne un produit de la distribution n° {id} "
            "du jeudi 5 mars 2026 (ni de colonnes « produit » et « quantité ») ; colonnes lues : "
            "« email », « Horodateur ».",
        ),
        (
            [["email", "produit"], ["helene@example.org", "Œufs"]],
            "« commandes.csv » : une ligne par produit commandé demande les colonnes « produit » "
            "et « quantité » ; « quantité » est absente.",
        ),
        (
            [["Œufs", "Tomme"], ["1", "2"]],
            "« commandes.csv » : colonne obligatoire absente : « email » ou « nom » ou « foyer ».",
        ),
        (
            [["email", "Œufs", "oeufs"], ["helene@example.org", "1", "2"]],
            "« commandes.csv » : les colonnes « Œufs » et « oeufs » désignent le même produit ; "
            "gardez-en une seule.",
        ),
    ],
)
def test_a_file_the_import_cannot_read_is_refused_as_a_whole(
    db: Database, coop: Coop, tmp_path: Path, lines: list[list[str]], message: str
) -> None:
    with pytest.raises(ImportFileError) as error:
        _import(db, _csv(tmp_path, lines), coop.cycle_id)
    assert str(error.value) == message.format(id=coop.cycle_id)


def test_orders_need_their_distribution(db: Database, coop: Coop, tmp_path: Path) -> None:
    path = _csv(tmp_path, [["email", "Œufs"], ["helene@example.org", "2"]])
    with pytest.raises(ServiceError, match="indiquez leur distribution"):
        import_file(db=db, actor=LOCAL_ADMIN, kind="orders", path=path)
    with pytest.raises(ServiceError, match="Distribution n° 999 introuvable"):
        _import(db, path, 999)
    treasurer = Actor(name="Trésorière", role=Role.TREASURER)
    with pytest.raises(ServiceError, match="importer des commandes"):
        _import(db, path, coop.cycle_id, actor=treasurer)


# --- on the demo co-op ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoOffer:
    cycle_id: int
    #: Households of the distribution's points with an e-mail and no order yet: (email, name).
    households: list[tuple[str, str]]
    #: Offered products without a cap, and one with a cap: (name, what is left).
    products: list[str]
    capped: tuple[str, Decimal]


def _demo_offer(db: Database) -> DemoOffer:
    with db.reading() as session:
        cycle = session.scalars(select(Cycle).order_by(Cycle.distribution_date.desc())).first()
        assert cycle is not None and cycle.state is CycleState.OPEN
        ordering = select(Order.member_id).where(Order.cycle_id == cycle.id)
        members = session.scalars(
            select(Member)
            .where(Member.email.is_not(None), Member.id.not_in(ordering))
            .order_by(Member.id)
        ).all()
        offers = session.execute(
            select(Product.name, CycleOffer.cap)
            .join(CycleOffer, CycleOffer.product_id == Product.id)
            .where(CycleOffer.cycle_id == cycle.id, Product.variable_weight.is_(False))
            .order_by(Product.id)
        ).all()
        cycle_id = cycle.id
    grid = load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, point_id=1)
    capped = next(
        (p.name, p.cap - grid.product_totals.get(p.product_id, Decimal(0)))
        for p in grid.products
        if p.cap is not None and p.cap - grid.product_totals.get(p.product_id, Decimal(0)) >= 1
    )
    return DemoOffer(
        cycle_id=cycle_id,
        households=[(m.email or "", m.display_name) for m in members[:3]],
        products=[name for name, cap in offers if cap is None][:4],
        capped=capped,
    )


def test_a_form_export_on_the_demo_co_op(demo_db_copy: Database, tmp_path: Path) -> None:
    offer = _demo_offer(demo_db_copy)
    (a, _), (b, _), (c, _) = offer.households
    p1, p2, p3, _ = offer.products
    path = write_csv(
        tmp_path / "formulaire.csv",
        [
            ["Horodateur", "Adresse e-mail", p1, p2, p3],
            ["2026/11/30 09:12:40", a, "1", "", "2"],
            ["2026/11/30 12:01:02", b, "", "1,5", ""],
            ["2026/12/01 20:45:00", c.upper(), "3", "1", "1"],
        ],
        separator=",",
    )
    report = import_orders(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=offer.cycle_id, path=path)
    assert _counts(report) == (3, 0, 0, 0) and not report.errors
    assert [str(w) for w in report.warnings] == [
        "ligne 1, colonne « Horodateur » : colonne inconnue, ignorée."
    ]
    before = dump(demo_db_copy)
    again = import_orders(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=offer.cycle_id, path=path)
    assert _counts(again) == (0, 0, 3, 0) and dump(demo_db_copy) == before


def test_a_rejected_file_leaves_the_demo_as_it_was(demo_db_copy: Database, tmp_path: Path) -> None:
    offer = _demo_offer(demo_db_copy)
    (a, name_a), (b, _), _ = offer.households
    capped, left = offer.capped
    path = write_xlsx(
        tmp_path / "commandes.xlsx",
        [
            ["email", offer.products[0], capped],
            [a, 1, float(left)],
            [b, 2, 1],
        ],
    )
    before = dump(demo_db_copy)
    report = import_orders(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=offer.cycle_id, path=path)
    assert _counts(report) == (1, 0, 0, 1) and not report.written
    assert [(e.line, e.column) for e in report.errors] == [(3, capped)]
    assert report.errors[0].message.startswith(f"Plafond atteint pour {capped} : il reste 0 ")
    assert dump(demo_db_copy) == before
    kept = import_orders(
        db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=offer.cycle_id, path=path, keep_valid=True
    )
    assert kept.written and _counts(kept) == (1, 0, 0, 1)
    assert _ordered(demo_db_copy, offer.cycle_id)[(name_a, capped)] == left
