"""Pickup lists, product × household grids and labels, read back and checked against SQL."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from coopfood.documents.grid import choose_layout
from coopfood.documents.labels import LabelLayout
from coopfood.i18n import format_money, format_number
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, ValidationError
from coopfood.services.printing import PrintReport, print_documents
from tests.documents.support import (
    PRINTED_AT,
    awkward_co_op,
    household_amounts,
    pages_text,
    plain,
    product_sums,
)
from tests.documents.test_sheets import demo_cycles, point_ids


@pytest.fixture(scope="module")
def demo_week(demo_db: Database, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[int, PrintReport]:
    cycle_id, _open = demo_cycles(demo_db)
    report = print_documents(db=demo_db, actor=LOCAL_ADMIN, cycle_id=cycle_id,
                             kinds=["pickup", "grid", "labels"],
                             out_dir=tmp_path_factory.mktemp("week"), printed_at=PRINTED_AT,
                             processes=1)
    return cycle_id, report


def producers_with_orders(db: Database, cycle_id: int) -> dict[int, str]:
    with db.engine.connect() as conn:
        return {pid: name for pid, name in conn.execute(text(
            "SELECT DISTINCT pr.id, pr.name FROM order_line l "
            "JOIN member_order o ON o.id = l.order_id "
            "LEFT JOIN product p ON p.id = l.product_id "
            "LEFT JOIN basket_type b ON b.id = l.basket_type_id "
            "JOIN producer pr ON pr.id = COALESCE(p.producer_id, b.producer_id) "
            "WHERE o.cycle_id = :c AND COALESCE(l.quantity_allocated, l.quantity_ordered) > 0"),
            {"c": cycle_id})}


def test_one_pickup_list_per_producer_with_totals_matching_the_database(
        demo_db: Database, demo_week: tuple[int, PrintReport]) -> None:
    cycle_id, report = demo_week
    lists = [f for f in report.files if f.kind == "pickup"]
    producers = producers_with_orders(demo_db, cycle_id)
    assert len(lists) == len(producers) > 5
    for producer_id, name in producers.items():
        printed = next(f for f in lists if f.title.endswith(name))
        pages = pages_text(printed.path)
        assert name in pages[0]
        totals = "\n".join(pages).split("Totaux par produit", 1)[1].split(
            "Par point de distribution", 1)[0]
        for product, (quantity, _amount, households) in product_sums(
                demo_db, cycle_id, producer_id=producer_id).items():
            if quantity == 0:
                continue
            line = next(line for line in totals.split("\n") if line.startswith(product))
            assert re.search(rf" {households} {re.escape(format_number(quantity))}\b",
                             plain(line)), line


def test_pickup_list_details_each_household_and_marks_estimates(
        demo_db: Database, demo_week: tuple[int, PrintReport]) -> None:
    _cycle, report = demo_week
    for printed in (f for f in report.files if f.kind == "pickup"):
        joined = "\n".join(pages_text(printed.path))
        assert "Par foyer" in joined
        if " kg estimé" in joined:
            return
    pytest.fail("aucune liste ne marque un poids estimé")


def test_grid_totals_both_ways_match_the_database(
        demo_db: Database, demo_week: tuple[int, PrintReport]) -> None:
    cycle_id, report = demo_week
    grids = [f for f in report.files if f.kind == "grid"]
    assert len(grids) == 3
    for point_id in point_ids(demo_db, cycle_id):
        with demo_db.engine.connect() as conn:
            point = conn.execute(text("SELECT name FROM distribution_point WHERE id = :p"),
                                 {"p": point_id}).scalar_one()
        printed = next(f for f in grids if f.title.endswith(point))
        joined = plain("\n".join(pages_text(printed.path)))
        amounts = household_amounts(demo_db, cycle_id, point_id)
        grand = sum(a for _l, _f, a, _n in amounts.values())
        assert plain(format_money(grand)) in joined
        for _last, _first, amount, _lines in amounts.values():
            assert plain(format_money(amount)) in joined
        assert "Grille produits × adhérents" in joined


def test_grid_layout_takes_the_fewest_pages() -> None:
    wide = choose_layout(rows_products=20, columns_households=300)
    assert wide.transposed  # 300 households fit better as rows
    tall = choose_layout(rows_products=300, columns_households=20)
    assert not tall.transposed
    square = choose_layout(rows_products=10, columns_households=10)
    assert square.pages == 1


def test_labels_count_households_and_number_n_of_total(
        demo_db: Database, demo_week: tuple[int, PrintReport]) -> None:
    _cycle_id, report = demo_week
    labels = [f for f in report.files if f.kind == "labels"]
    assert len(labels) == 3
    for printed in labels:
        joined = "\n".join(pages_text(printed.path))
        total = printed.rows
        assert f"1 / {total}" in joined and f"{total} / {total}" in joined
        assert printed.pages == -(-total // 24)
        assert "26/11/2026" in joined


def test_label_layout_is_configurable_and_checked(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=30)
    layout = LabelLayout(columns=2, rows=5, label_width=99, label_height=57, top_margin=5,
                         left_margin=6, column_gap=0, row_gap=0)
    report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["labels"],
                             point_ids=[ids["big"]], out_dir=tmp_path, label_layout=layout,
                             printed_at=PRINTED_AT, processes=1)
    [printed] = report.files
    assert printed.rows == 30 and printed.pages == 3
    with pytest.raises(ValidationError, match="débordent"):
        print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["labels"],
                        out_dir=tmp_path, label_layout=LabelLayout(columns=4),
                        printed_at=PRINTED_AT)


def test_forty_items_run_onto_continuation_labels(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=1)
    report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["labels"],
                             point_ids=[ids["small"]], out_dir=tmp_path, printed_at=PRINTED_AT)
    joined = "\n".join(pages_text(report.files[0].path))
    for n in range(40):
        assert f"Légume n° {n:02d}" in joined
    assert "suite" in joined
    assert f"{format_number(Decimal('40.5'))} kg" in plain(joined)
