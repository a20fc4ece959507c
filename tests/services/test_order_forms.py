"""Order forms that go out as workbooks and come back filled in, through the orders import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from coopfood.domain.enums import CycleState, Unit
from coopfood.imports import ImportFileError, ImportReport, import_file
from coopfood.order_form_xlsx import FORM_SHEET
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cycle
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError
from coopfood.services.cycles import create_cycle, set_offer, transition
from coopfood.services.members import MemberInput, save_member
from coopfood.services.order_forms import FormFormat, OrderFormReport, write_order_forms
from tests.imports.support import dump
from tests.imports.test_import_orders import _ordered
from tests.services.test_cycles import THURSDAY, Shop, build_shop, open_cycle, order
from tests.services.test_products import new_product

# --- a co-op: Nord (BERNARD Luc, DUPONT Marie, ÉLUARD Anna), Sud (ROUX Bruno) ----------------


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def cycle_id(db: Database, shop: Shop) -> int:
    return open_cycle(db, shop)


def _forms(db: Database, cycle_id: int, out: Path, **options: Any) -> OrderFormReport:
    return write_order_forms(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, out_dir=out,
                             format=FormFormat.XLSX, **options)


def _form_of(report: OrderFormReport, name: str) -> Path:
    return next(f.path for f in report.files if f.title == f"Bon de commande — {name}")


def _shared(report: OrderFormReport, point: str) -> Path:
    return next(f.path for f in report.files if f.title == f"Commandes — {point}")


def _import(db: Database, path: Path, cycle_id: int, **options: Any) -> ImportReport:
    return import_file(db=db, actor=LOCAL_ADMIN, kind="orders", path=path, cycle_id=cycle_id,
                       **options)


def fill(path: Path, quantities: dict[str, object]) -> None:
    """Fill a household's form as a member does: a number in the quantity cell of each
    product, and nothing else touched."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    head = next(r for r in range(1, 30) if sheet[f"E{r}"].value == "Quantité")
    lines = {sheet[f"B{r}"].value: r for r in range(head + 1, sheet.max_row + 1)}
    for product, quantity in quantities.items():
        cell = sheet[f"E{lines[product]}"]
        assert cell.protection.locked is False  # the only cells a member may write in
        cell.value = quantity
    workbook.save(path)


def fill_shared(path: Path, quantities: dict[tuple[str, str], object]) -> None:
    """Fill a point's shared form: (household, product) → quantity."""
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    head = next(r for r in range(1, 30) if sheet[f"A{r}"].value == "Foyer")
    columns = {sheet.cell(row=head - 3, column=c).value: c
               for c in range(3, sheet.max_column + 1)}
    rows = {sheet[f"A{r}"].value: r for r in range(head + 1, sheet.max_row + 1)}
    for (household, product), quantity in quantities.items():
        sheet.cell(row=rows[household], column=columns[product]).value = quantity
    workbook.save(path)


def edit(path: Path, ref: str, value: object, sheet: str | None = None) -> None:
    """What a member must not do: change a cell outside the quantities."""
    workbook = load_workbook(path)
    target = workbook[sheet] if sheet else workbook.worksheets[0]
    target[ref] = value
    workbook.save(path)


# --- what goes out ---------------------------------------------------------------------------


def test_one_workbook_per_household_in_a_folder_per_point_and_a_shared_one(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    out = tmp_path / "bons"
    report = _forms(db, cycle_id, out)
    names = sorted(str(f.path.relative_to(out)) for f in report.files)
    assert names == [
        "bons-de-commande-2026-03-05-nord/bon-de-commande-2026-03-05-bernard-luc.xlsx",
        "bons-de-commande-2026-03-05-nord/bon-de-commande-2026-03-05-dupont-marie.xlsx",
        "bons-de-commande-2026-03-05-nord/bon-de-commande-2026-03-05-eluard-anna.xlsx",
        "bons-de-commande-2026-03-05-sud/bon-de-commande-2026-03-05-roux-bruno.xlsx",
        "commandes-2026-03-05-nord.xlsx",
        "commandes-2026-03-05-sud.xlsx",
    ]
    assert sorted(p.name for p in out.rglob("*")) == sorted(
        [*(Path(n).name for n in names), "bons-de-commande-2026-03-05-nord",
         "bons-de-commande-2026-03-05-sud"])  # nothing half-written left behind
    assert report.folders == (out / "bons-de-commande-2026-03-05-nord",
                              out / "bons-de-commande-2026-03-05-sud")


def test_a_household_form_is_prefilled_protected_and_validated(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    workbook = load_workbook(_form_of(report, "DUPONT Marie"))
    sheet = workbook.worksheets[0]
    values = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["Foyer :", "DUPONT Marie"] in values
    assert ["Référence de paiement :", "ADH-0001"] in values
    assert ["Distribution du jeudi 5 mars 2026"] in values
    head = values.index(["Producteur", "Produit", "Unité", "Prix unitaire", "Quantité",
                         "Montant"])
    lines = values[head + 1:head + 5]
    # By producer, then product; the member price of the order grid (fee of 5 % on TTC).
    assert [line[:4] for line in lines] == [
        ["Cave du Diois", "Jus de pomme", "bouteille", 3.55],
        ["Ferme des Combes", "Œufs", "douzaine", 3.78],
        ["Ferme des Combes", "Tomme", "kg ≈", 18.9],
        ["Ferme des Combes", "Yaourt", "pot", 0.84],
    ]
    first = head + 2
    assert sheet[f"F{first}"].value == f"=IF(ISNUMBER(E{first}),ROUND(E{first}*D{first},2),0)"
    assert sheet[f"F{first + 4}"].value == f"=SUM(F{first}:F{first + 3})"
    assert sheet.protection.sheet
    unlocked = {c.coordinate for row in sheet.iter_rows() for c in row
                if c.protection.locked is False}
    assert unlocked == {f"E{first + n}" for n in range(4)}
    (validation,) = sheet.data_validations.dataValidation
    assert (validation.type, validation.operator, validation.formula1) == (
        "decimal", "greaterThanOrEqual", "0")
    assert str(validation.sqref) == f"E{first}:E{first + 3}"
    assert validation.showErrorMessage and "positif" in (validation.error or "")
    assert workbook[FORM_SHEET].sheet_state == "veryHidden"
    assert workbook.security is not None and workbook.security.lockStructure


def test_names_are_written_literally_and_never_run_as_formulas(
        db: Database, shop: Shop, tmp_path: Path) -> None:
    tricky = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name='=HYPERLINK("http://evil.example","clic")', first_name="<b>Zoé</b> & Cie",
        point_id=shop.nord)).id
    cycle_id = open_cycle(db, shop)
    report = _forms(db, cycle_id, tmp_path)
    path = next(f.path for f in report.files if f.member_id == tricky)
    sheet = load_workbook(path).worksheets[0]
    name = next(c for row in sheet.iter_rows() for c in row
                if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert name.value == '=HYPERLINK("HTTP://EVIL.EXAMPLE","CLIC") <b>Zoé</b> & Cie'
    assert name.data_type == "s" and name.quotePrefix
    fill(path, {"Œufs": 1})
    assert _import(db, path, cycle_id).written
    assert _ordered(db, cycle_id) == {
        ('=HYPERLINK("HTTP://EVIL.EXAMPLE","CLIC") <b>Zoé</b> & Cie', "Œufs"): Decimal("1.000")}


# --- what comes back -------------------------------------------------------------------------


def test_a_filled_household_form_imports_its_quantities(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": 2, "Tomme": 0.35, "Yaourt": "6"})
    preview = _import(db, path, cycle_id, dry_run=True)
    assert (preview.created, preview.rejected, preview.written) == (3, 0, False)
    assert preview.errors == () and preview.warnings == ()
    done = _import(db, path, cycle_id)
    assert (done.created, done.written) == (3, True)
    assert _ordered(db, cycle_id) == {
        ("DUPONT Marie", "Œufs"): Decimal("2.000"),
        ("DUPONT Marie", "Tomme"): Decimal("0.350"),
        ("DUPONT Marie", "Yaourt"): Decimal("6.000"),
    }
    again = _import(db, path, cycle_id)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_an_empty_cell_changes_nothing_and_zero_removes_a_product(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    order(db, cycle_id, shop.marie, shop.oeufs, "1")
    order(db, cycle_id, shop.marie, shop.jus, "6")
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Jus de pomme": 0, "Yaourt": 12})
    assert _import(db, path, cycle_id).written
    assert _ordered(db, cycle_id) == {("DUPONT Marie", "Œufs"): Decimal("1.000"),
                                      ("DUPONT Marie", "Yaourt"): Decimal("12.000")}


def test_a_filled_shared_form_imports_every_household(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _shared(report, "Nord")
    fill_shared(path, {("ÉLUARD Anna", "Œufs"): 1, ("ÉLUARD Anna", "Jus de pomme"): 6,
                       ("BERNARD Luc", "Tomme"): Decimal("1.2")})
    done = _import(db, path, cycle_id)
    assert (done.created, done.rejected, done.written) == (2, 0, True)
    assert _ordered(db, cycle_id) == {
        ("ÉLUARD Anna", "Œufs"): Decimal("1.000"),
        ("ÉLUARD Anna", "Jus de pomme"): Decimal("6.000"),
        ("BERNARD Luc", "Tomme"): Decimal("1.200"),
    }


def test_a_folder_of_forms_imports_in_one_go(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path / "envoyes")
    back = tmp_path / "retour"
    back.mkdir()
    for name, quantities in (("DUPONT Marie", {"Œufs": 2}), ("ÉLUARD Anna", {"Yaourt": 4}),
                             ("ROUX Bruno", {"Tomme": 0.5})):
        path = _form_of(report, name)
        fill(path, quantities)
        (back / path.name).write_bytes(path.read_bytes())
    (back / "~$bon-de-commande-verrou.xlsx").write_bytes(b"lock file of an open workbook")
    (back / "notes.txt").write_text("pas un classeur")
    done = _import(db, back, cycle_id)
    assert (done.file, done.created, done.rejected, done.written) == ("retour", 3, 0, True)
    assert _ordered(db, cycle_id) == {
        ("DUPONT Marie", "Œufs"): Decimal("2.000"),
        ("ÉLUARD Anna", "Yaourt"): Decimal("4.000"),
        ("ROUX Bruno", "Tomme"): Decimal("0.500"),
    }


def test_a_folder_is_all_or_nothing_and_names_the_file_of_each_error(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    folder = report.folders[0]  # Nord
    fill(_form_of(report, "DUPONT Marie"), {"Œufs": 2})
    fill(_form_of(report, "ÉLUARD Anna"), {"Yaourt": -4})
    before = dump(db)
    done = _import(db, folder, cycle_id)
    assert (done.created, done.rejected, done.written) == (1, 1, False)
    line = next(r for r in range(1, 20) if load_workbook(
        _form_of(report, "ÉLUARD Anna")).worksheets[0][f"B{r}"].value == "Yaourt")
    assert [str(e) for e in done.errors] == [
        f"ligne {line}, colonne « Quantité » : bon-de-commande-2026-03-05-eluard-anna.xlsx — "
        "La quantité ne peut pas être négative (« -4 »)."]
    assert dump(db) == before
    kept = _import(db, folder, cycle_id, keep_valid=True)
    assert kept.written and _ordered(db, cycle_id) == {("DUPONT Marie", "Œufs"): Decimal("2.000")}


def test_a_household_filled_in_twice_is_refused(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    back = tmp_path / "retour"
    back.mkdir()
    own, shared = _form_of(report, "DUPONT Marie"), _shared(report, "Nord")
    fill(own, {"Œufs": 2})
    fill_shared(shared, {("DUPONT Marie", "Œufs"): 3, ("BERNARD Luc", "Œufs"): 1})
    for path in (own, shared):
        (back / path.name).write_bytes(path.read_bytes())
    done = _import(db, back, cycle_id)
    assert not done.written and done.rejected == 1
    (error,) = done.errors
    assert error.column == "Foyer"
    assert error.message == (
        "commandes-2026-03-05-nord.xlsx — Les quantités de DUPONT Marie figurent aussi dans "
        "« bon-de-commande-2026-03-05-dupont-marie.xlsx » : un seul bon rempli par foyer.")


def test_a_negative_or_non_numeric_quantity_is_rejected_in_french(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": -2, "Tomme": "un peu", "Yaourt": 6})
    before = dump(db)
    done = _import(db, path, cycle_id)
    assert (done.created, done.rejected, done.written) == (1, 2, False)
    sheet = load_workbook(path).worksheets[0]
    lines = {sheet[f"B{r}"].value: r for r in range(1, sheet.max_row + 1)}
    assert [str(e) for e in done.errors] == [
        f"ligne {lines['Œufs']}, colonne « Quantité » : La quantité ne peut pas être négative "
        "(« -2 »).",
        f"ligne {lines['Tomme']}, colonne « Quantité » : La quantité : « un peu » n'est pas un "
        "nombre.",
    ]
    assert dump(db) == before


# --- what is refused -------------------------------------------------------------------------


@pytest.mark.parametrize(("what", "ref", "value", "shown"), [
    ("product", "B{line}", "Œufs bio", "la cellule B{line} (produit) indique « Œufs bio » au "
                                      "lieu de « Œufs »"),
    ("price", "D{line}", 1, "la cellule D{line} (prix unitaire) indique « 1 » au lieu de "
                            "« 3.78 »"),
    ("household", "B{household}", "MARTIN Paul", "la cellule B{household} (foyer) indique "
                                                  "« MARTIN Paul » au lieu de « DUPONT Marie »"),
    ("added line", "B{after}", "Miel", "la cellule B{after} a été remplie (« Miel »)"),
])
def test_a_form_changed_outside_the_quantities_is_refused(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path, what: str, ref: str,
        value: object, shown: str) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": 2})
    sheet = load_workbook(path).worksheets[0]
    lines = {sheet[f"B{r}"].value: r for r in range(1, sheet.max_row + 1)}
    places = {"line": lines["Œufs"], "household": lines["DUPONT Marie"],
              "after": sheet.max_row + 2}
    edit(path, ref.format(**places), value)
    before = dump(db)
    with pytest.raises(ImportFileError) as refused:
        _import(db, path, cycle_id)
    assert str(refused.value) == (
        "« bon-de-commande-2026-03-05-dupont-marie.xlsx » : ce bon de commande a été modifié "
        f"en dehors des cases de quantité : {shown.format(**places)}. Il est refusé : seules "
        "les quantités se remplissent. Préparez un bon neuf (ou saisissez la commande dans la "
        "grille).")
    assert dump(db) == before


def test_a_changed_identification_is_refused(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": 2})
    hidden = load_workbook(path)[FORM_SHEET]
    row = next(r for r in range(1, hidden.max_row + 1) if hidden[f"A{r}"].value == "foyer")
    edit(path, f"C{row}", str(shop.anna), sheet=FORM_SHEET)  # another household's id
    with pytest.raises(ImportFileError, match="l'identification cachée de ce bon de commande "
                                              "est illisible ou a été modifiée"):
        _import(db, path, cycle_id)


def test_a_form_of_another_distribution_is_refused_naming_both(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    report = _forms(db, cycle_id, tmp_path)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": 2})
    other = open_cycle(db, shop, day=THURSDAY + dt.timedelta(days=7))
    with pytest.raises(ImportFileError) as refused:
        _import(db, path, other)
    assert str(refused.value) == (
        "« bon-de-commande-2026-03-05-dupont-marie.xlsx » est un bon de commande de la "
        f"distribution n° {cycle_id} du jeudi 5 mars 2026, pas de la distribution n° {other} "
        "du jeudi 12 mars 2026 dans laquelle vous importez : importez-le dans sa distribution, "
        "ou préparez les bons de commande de celle-ci.")
    assert _ordered(db, other) == {} and _ordered(db, cycle_id) == {}


def test_a_product_withdrawn_since_is_refused_where_it_is_ordered(
        db: Database, shop: Shop, tmp_path: Path) -> None:
    cycle = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.nord])
    for product in (shop.oeufs, shop.jus):
        set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, product_id=product)
    report = _forms(db, cycle.id, tmp_path)  # prepared before the distribution opens
    from coopfood.services.cycles import remove_offer

    remove_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, product_id=shop.jus)
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, to_state=CycleState.OPEN)
    path = _form_of(report, "DUPONT Marie")
    fill(path, {"Œufs": 1, "Jus de pomme": 6})
    done = _import(db, path, cycle.id)
    assert not done.written
    assert [e.message for e in done.errors] == [
        "« Jus de pomme (Cave du Diois) » n'est plus proposé dans cette distribution : effacez "
        "sa quantité."]


# --- what cannot be prepared ----------------------------------------------------------------


def test_a_product_without_a_price_is_left_off_with_a_warning(
        db: Database, shop: Shop, tmp_path: Path) -> None:
    miel = new_product(db, shop.ferme, "Miel", unit=Unit.JAR, price_ht="6,00")
    cycle_id = open_cycle(db, shop)
    set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, product_id=miel)
    from coopfood.persistence.models import ProductPrice

    with db.transaction() as session:
        session.execute(update(ProductPrice).where(ProductPrice.product_id == miel)
                        .values(valid_from=THURSDAY + dt.timedelta(days=30)))
    report = _forms(db, cycle_id, tmp_path)
    assert report.warnings == ("« Miel » n'a pas de prix au 5 mars 2026 : il ne figure pas sur "
                               "les bons de commande.",)
    sheet = load_workbook(_form_of(report, "DUPONT Marie")).worksheets[0]
    assert "Miel" not in {c.value for row in sheet.iter_rows() for c in row}


def test_a_closed_distribution_gets_no_forms(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    with db.transaction() as session:
        session.execute(update(Cycle).where(Cycle.id == cycle_id)
                        .values(state=CycleState.CLOSED))
    with pytest.raises(ValidationError, match="est clôturée : ses commandes ne changent plus"):
        _forms(db, cycle_id, tmp_path)
    assert not tmp_path.joinpath("bons-de-commande-2026-03-05-nord").exists()


def test_a_coordinator_prepares_the_forms_of_its_points_only(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    north = Actor(name="Léa", role=Role.COORDINATOR, point_ids=frozenset({shop.nord}))
    report = write_order_forms(db=db, actor=north, cycle_id=cycle_id, out_dir=tmp_path)
    assert [f.path.name for f in report.files] == ["bon-de-commande-2026-03-05-nord.pdf"]
    with pytest.raises(PermissionDenied, match="Léa coordonne d'autres points"):
        write_order_forms(db=db, actor=north, cycle_id=cycle_id, out_dir=tmp_path,
                          point_ids=[shop.sud])
    treasurer = Actor(name="Sam", role=Role.TREASURER)
    with pytest.raises(PermissionDenied, match="Sam n'a pas le droit de préparer des bons"):
        write_order_forms(db=db, actor=treasurer, cycle_id=cycle_id, out_dir=tmp_path)


def test_a_cancelled_run_leaves_nothing_behind(
        db: Database, shop: Shop, cycle_id: int, tmp_path: Path) -> None:
    from coopfood.services import Cancelled

    def progress(done: int, total: int, what: str) -> None:
        if done == 3:
            raise Cancelled()

    out = tmp_path / "bons"
    with pytest.raises(Cancelled):
        _forms(db, cycle_id, out, progress=progress)
    assert not out.exists()
