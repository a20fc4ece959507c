"""`python main.py print order-form --cycle ID [--point ID] --out DIR [--xlsx]`, and the forms
coming back through `import orders`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from main import entry
from tests.imports.test_import_orders import _ordered
from tests.services.test_cycles import Shop, build_shop, open_cycle
from tests.services.test_order_forms import fill


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def test_pdf_forms_one_per_point_by_default(
        db_url: str, db: Database, shop: Shop, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cycle_id = open_cycle(db, shop)
    out = tmp_path / "bons"
    assert entry(["--db", db_url, "print", "order-form", "--cycle", str(cycle_id),
                  "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert sorted(f.name for f in out.iterdir()) == ["bon-de-commande-2026-03-05-nord.pdf",
                                                     "bon-de-commande-2026-03-05-sud.pdf"]
    lines = captured.out.splitlines()
    assert lines[0] == "2 bons de commande écrits :"
    assert {Path(line) for line in lines[1:]} == set(out.iterdir())
    assert "100 % Terminé" in captured.err


def test_xlsx_forms_go_out_and_come_back_through_import_orders(
        db_url: str, db: Database, shop: Shop, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    cycle_id = open_cycle(db, shop)
    out = tmp_path / "bons"
    assert entry(["--db", db_url, "print", "order-form", "--cycle", str(cycle_id),
                  "--point", str(shop.nord), "--xlsx", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "4 bons de commande écrits :"
    folder = out / "bons-de-commande-2026-03-05-nord"
    assert sorted(p.name for p in out.iterdir()) == [folder.name,
                                                     "commandes-2026-03-05-nord.xlsx"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "bon-de-commande-2026-03-05-bernard-luc.xlsx",
        "bon-de-commande-2026-03-05-dupont-marie.xlsx",
        "bon-de-commande-2026-03-05-eluard-anna.xlsx",
    ]
    fill(folder / "bon-de-commande-2026-03-05-dupont-marie.xlsx", {"Œufs": 2})
    fill(folder / "bon-de-commande-2026-03-05-bernard-luc.xlsx", {"Yaourt": 6})
    assert entry(["--db", db_url, "import", "orders", "--cycle", str(cycle_id),
                  str(folder)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "2 créés, 0 mis à jour, 0 inchangé, 0 rejeté")  # an empty form orders nothing
    assert _ordered(db, cycle_id) == {("DUPONT Marie", "Œufs"): Decimal("2.000"),
                                      ("BERNARD Luc", "Yaourt"): Decimal("6.000")}


def test_a_form_of_another_distribution_is_one_french_line(
        db_url: str, db: Database, shop: Shop, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    first = open_cycle(db, shop)
    second = open_cycle(db, shop, day=dt.date(2026, 3, 12))
    assert entry(["--db", db_url, "print", "order-form", "--cycle", str(first), "--xlsx",
                  "--out", str(tmp_path)]) == 0
    form = (tmp_path / "bons-de-commande-2026-03-05-sud"
            / "bon-de-commande-2026-03-05-roux-bruno.xlsx")
    fill(form, {"Tomme": 1})
    capsys.readouterr()
    assert entry(["--db", db_url, "import", "orders", "--cycle", str(second), str(form)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"Erreur : « {form.name} » est un bon de commande de la distribution n° {first} du "
        f"jeudi 5 mars 2026, pas de la distribution n° {second} du jeudi 12 mars 2026 dans "
        "laquelle vous importez : importez-le dans sa distribution, ou préparez les bons de "
        "commande de celle-ci.")


def test_xlsx_is_only_for_order_forms(db_url: str, db: Database, shop: Shop, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    cycle_id = open_cycle(db, shop)
    assert entry(["--db", db_url, "print", "sheets", "--cycle", str(cycle_id), "--xlsx",
                  "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : L'option --xlsx ne sert qu'aux bons de commande (order-form).")
    assert entry(["--db", db_url, "print", "order-form", "--out", str(tmp_path)]) == 1
    assert "Indiquez la distribution à imprimer : --cycle ID" in capsys.readouterr().err
