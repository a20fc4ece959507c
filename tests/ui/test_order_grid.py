"""The order grid, typed into like a coordinator does: quantities, totals, caps, undo."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import CycleState
from coopfood.domain.money import line_total
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.orders import GridData, GridProduct, load_grid, quantity_text
from tests.imports.support import write_csv
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, check_model, click, play_dialogs, wait_idle, wait_until
from ui.dialogs.import_dialog import ImportDialog
from ui.display import money_text, number_text
from ui.grid_model import (
    AMOUNT_COLUMN,
    CASE_ROW,
    FIRST_PRODUCT_COLUMN,
    NAME_COLUMN,
    REMAINING_ROW,
    SUMMARY_ROWS,
    TOTAL_ROW,
    GridModel,
    parse_quantity,
)
from ui.views.context import PageContext
from ui.views.orders import OrderGridPage

OPEN_CYCLE = 8  # the demo's open distribution
PAST_CYCLE = 7  # distributed the week before


@pytest.fixture
def page(qtbot: QtBot, demo_db_copy: Database) -> OrderGridPage:
    grid_page = OrderGridPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN,
                                          today=lambda: TODAY))
    qtbot.addWidget(grid_page)
    grid_page.resize(1280, 800)
    grid_page.show()
    qtbot.waitExposed(grid_page)
    wait_idle(qtbot)
    return grid_page


def stored(db: Database, page: OrderGridPage) -> GridData:
    grid = page.model.grid()
    assert grid is not None
    return load_grid(db=db, actor=LOCAL_ADMIN, cycle_id=grid.cycle_id, point_id=grid.point_id)


def plain_product(page: OrderGridPage, *, unit: str | None = None) -> GridProduct:
    """An offered product with no cap, no case pack and a fixed weight."""
    return next(p for p in page.model.products()
                if p.cap is None and p.case_pack is None and not p.variable_weight
                and p.member_price is not None and (unit is None or p.unit.value == unit))


def empty_member(page: OrderGridPage, product: GridProduct) -> int:
    """A household with an order that has none of `product` yet."""
    return next(m.member_id for m in page.model.members()
                if m.order_id is not None
                and not page.model.quantity(m.member_id, product.product_id))


def go_to(page: OrderGridPage, member_id: int, product_id: int) -> None:
    # A window another test left open may hold the focus: the page's window is brought to
    # the front first, as the user's click would.
    page.window().raise_()
    page.window().activateWindow()
    page.view.setFocus()
    page.view.setCurrentIndex(page.cell_index(member_id, product_id))


def type_quantity(qtbot: QtBot, page: OrderGridPage, text: str,
                  key: Qt.Key = Qt.Key.Key_Return) -> None:
    """Type over the current cell as a user does: the first key opens the editor, the
    others go to it; then Enter (or Tab)."""
    qtbot.keyClick(page.view, text[0])
    qtbot.waitUntil(lambda: isinstance(QApplication.focusWidget(), QLineEdit), timeout=2000)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit), "typing a digit over a cell opens its editor"
    if text[1:]:
        qtbot.keyClicks(editor, text[1:])
    qtbot.keyClick(editor, key)


def shown(page: OrderGridPage, member_id: int, product_id: int) -> str:
    text = page.cell_index(member_id, product_id).data()
    assert isinstance(text, str)
    return text


def test_typed_quantities_update_the_totals_and_the_database(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database
) -> None:
    grid = page.model.grid()
    assert grid is not None and grid.cycle_id == OPEN_CYCLE and grid.editable
    product = plain_product(page)
    member_id = empty_member(page, product)
    before = stored(demo_db_copy, page)
    assert product.member_price is not None
    go_to(page, member_id, product.product_id)
    resets: list[None] = []
    changed: list[tuple[QModelIndex, QModelIndex]] = []
    page.model.modelReset.connect(lambda: resets.append(None))
    page.model.dataChanged.connect(lambda top, bottom, _roles: changed.append((top, bottom)))

    type_quantity(qtbot, page, "2")
    wait_idle(qtbot)

    after = stored(demo_db_copy, page)
    assert after.quantities[(member_id, product.product_id)] == Decimal("2.000")
    expected_total = before.member_totals[member_id] + line_total(product.member_price,
                                                                   Decimal(2))
    assert after.member_totals[member_id] == expected_total
    row = page.model.row_of(member_id)
    column = page.model.column_of(product.product_id)
    assert shown(page, member_id, product.product_id) == "2"
    assert page.model.index(row, AMOUNT_COLUMN).data() == money_text(expected_total)
    assert page.model.index(TOTAL_ROW, column).data() == number_text(
        after.point_totals[product.product_id])
    assert page.model.index(TOTAL_ROW, AMOUNT_COLUMN).data() == money_text(
        sum(after.member_totals.values(), Decimal("0.00")))
    # Only the cell, its row's number-name-amount, the product's summary and the grand total.
    assert not resets
    touched = {(r, c) for top, bottom in changed
               for r in range(top.row(), bottom.row() + 1)
               for c in range(top.column(), bottom.column() + 1)}
    assert touched <= {(row, column), (row, 0), (row, NAME_COLUMN), (row, AMOUNT_COLUMN),
                       (TOTAL_ROW, column), (REMAINING_ROW, column), (CASE_ROW, column),
                       (TOTAL_ROW, AMOUNT_COLUMN)}
    # Enter went down to the next household, same product.
    current = page.proxy.mapToSource(page.view.currentIndex())
    assert (current.row(), current.column()) == (row + 1, column)
    assert "2 " in page.message.text() and money_text(expected_total) in page.message.text()


def test_a_quantity_typed_the_french_way_and_tab_moves_right(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database
) -> None:
    product = plain_product(page, unit="kg")
    member_id = empty_member(page, product)
    go_to(page, member_id, product.product_id)

    type_quantity(qtbot, page, "1,5", Qt.Key.Key_Tab)
    wait_idle(qtbot)

    assert stored(demo_db_copy, page).quantities[(member_id, product.product_id)] == \
        Decimal("1.500")
    assert shown(page, member_id, product.product_id) == "1,5"
    current = page.proxy.mapToSource(page.view.currentIndex())
    assert (current.row(), current.column()) == (page.model.row_of(member_id),
                                                 page.model.column_of(product.product_id) + 1)


def test_a_cap_that_would_be_exceeded_is_refused_with_what_is_left(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database, answers: Answers
) -> None:
    product = next(p for p in page.model.products() if p.cap is not None)
    left = page.model.remaining(product.product_id)
    assert left is not None and left > 0
    member_id = empty_member(page, product)
    before = stored(demo_db_copy, page)
    go_to(page, member_id, product.product_id)

    type_quantity(qtbot, page, number_text(left + 2))
    wait_idle(qtbot)

    assert page.message.refused
    assert f"il reste {quantity_text(left, product.unit)}" in page.message.text()
    assert shown(page, member_id, product.product_id) == ""  # the cell kept its value
    after = stored(demo_db_copy, page)
    assert (member_id, product.product_id) not in after.quantities
    assert after.product_totals == before.product_totals
    assert not answers.errors  # a line under the grid, not a message box
    # What is left is still accepted.
    go_to(page, member_id, product.product_id)
    type_quantity(qtbot, page, number_text(left))
    wait_idle(qtbot)
    assert stored(demo_db_copy, page).quantities[(member_id, product.product_id)] == left
    assert page.model.index(REMAINING_ROW, page.model.column_of(product.product_id)).data() \
        == "0"


def test_ctrl_z_undoes_the_last_change_and_ctrl_y_redoes_it(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database
) -> None:
    product = plain_product(page)
    member_id = empty_member(page, product)
    before = stored(demo_db_copy, page)
    go_to(page, member_id, product.product_id)
    type_quantity(qtbot, page, "3")
    wait_idle(qtbot)
    assert stored(demo_db_copy, page).quantities[(member_id, product.product_id)] == 3

    qtbot.keyClick(page.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot)

    after = stored(demo_db_copy, page)
    assert (member_id, product.product_id) not in after.quantities
    assert after.member_totals[member_id] == before.member_totals[member_id]
    assert shown(page, member_id, product.product_id) == ""
    assert page.model.index(page.model.row_of(member_id), AMOUNT_COLUMN).data() == \
        money_text(before.member_totals[member_id])

    qtbot.keyClick(page.view, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot)
    assert stored(demo_db_copy, page).quantities[(member_id, product.product_id)] == 3
    assert shown(page, member_id, product.product_id) == "3"


def test_delete_clears_a_cell(qtbot: QtBot, page: OrderGridPage,
                              demo_db_copy: Database) -> None:
    grid = page.model.grid()
    assert grid is not None
    (member_id, product_id), _quantity = next(iter(grid.quantities.items()))
    go_to(page, member_id, product_id)

    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    wait_idle(qtbot)

    assert (member_id, product_id) not in stored(demo_db_copy, page).quantities
    assert shown(page, member_id, product_id) == ""


def test_variable_weight_cells_show_an_estimate_in_italics(page: OrderGridPage) -> None:
    grid = page.model.grid()
    assert grid is not None
    weighed = {p.product_id for p in grid.products if p.variable_weight}
    (member_id, product_id), quantity = next(
        (key, qty) for key, qty in grid.quantities.items() if key[1] in weighed)
    index = page.cell_index(member_id, product_id)
    assert index.data() == "~" + number_text(quantity)
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert "estimation" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_a_grid_whose_distribution_is_not_open_is_read_only(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database
) -> None:
    page.chooser.choose(PAST_CYCLE)
    wait_idle(qtbot)
    grid = page.model.grid()
    assert grid is not None and grid.cycle_id == PAST_CYCLE
    assert grid.state is CycleState.DISTRIBUTED and not grid.editable
    assert page.banner.isVisible()
    assert page.banner.text().startswith("Lecture seule")
    assert "Saisie des livraisons" in page.banner.text()
    (member_id, product_id), quantity = next(iter(grid.quantities.items()))
    index = page.cell_index(member_id, product_id)
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    go_to(page, member_id, product_id)

    qtbot.keyClick(page.view, "9")
    qtbot.keyClick(page.view, Qt.Key.Key_Delete)
    wait_idle(qtbot)

    assert page.view.state() != QAbstractItemView.State.EditingState
    assert stored(demo_db_copy, page).quantities[(member_id, product_id)] == quantity
    assert index.data() in (number_text(quantity), "~" + number_text(quantity))


def test_the_search_box_keeps_the_households_named_and_the_totals(
    qtbot: QtBot, page: OrderGridPage
) -> None:
    members = page.model.members()
    target = members[len(members) // 2]
    qtbot.keyClicks(page.search, target.name.split()[0].lower())

    names = [page.proxy.index(row, NAME_COLUMN).data()
             for row in range(SUMMARY_ROWS, page.proxy.rowCount())]
    assert target.name in names
    assert 0 < len(names) < len(members)
    assert page.proxy.index(TOTAL_ROW, NAME_COLUMN).data() == "Total du point"
    assert page.count_label.text().endswith(f"sur {len(members)} foyers")

    qtbot.keyClick(page.search, Qt.Key.Key_Return)
    assert page.view.hasFocus()
    assert page.proxy.mapToSource(page.view.currentIndex()).row() >= SUMMARY_ROWS


def test_the_household_columns_stay_while_the_products_scroll(
    qtbot: QtBot, page: OrderGridPage
) -> None:
    view = page.view
    last = page.proxy.columnCount() - 1
    view.setFocus()
    view.setCurrentIndex(page.proxy.index(SUMMARY_ROWS, last))
    assert view.horizontalScrollBar().value() > 0
    assert view.frozen.isVisible()
    frozen = view.frozen.model()
    assert frozen.columnCount() == FIRST_PRODUCT_COLUMN
    assert frozen.rowCount() == page.proxy.rowCount()
    assert frozen.index(SUMMARY_ROWS, NAME_COLUMN).data() == page.model.members()[0].name
    # The household being typed for is highlighted among the names.
    assert [i.row() for i in view.frozen.selectionModel().selectedRows()] == [SUMMARY_ROWS]
    # Tab from the last product goes to the first product of the next household,
    # brought out from under the frozen columns.
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    current = view.currentIndex()
    assert (current.row(), current.column()) == (SUMMARY_ROWS + 1, FIRST_PRODUCT_COLUMN)
    assert view.visualRect(current).left() >= view.frozen_width()
    assert [i.row() for i in view.frozen.selectionModel().selectedRows()] == [SUMMARY_ROWS + 1]
    # A click on a name goes to that household's row, in the same product.
    name = frozen.index(SUMMARY_ROWS + 4, NAME_COLUMN)
    qtbot.mouseClick(view.frozen.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.frozen.visualRect(name).center())
    current = view.currentIndex()
    assert (current.row(), current.column()) == (SUMMARY_ROWS + 4, FIRST_PRODUCT_COLUMN)


def test_the_grid_model_passes_the_model_tester(qtmodeltester: ModelTester,
                                                page: OrderGridPage) -> None:
    check_model(qtmodeltester, page.model)
    check_model(qtmodeltester, page.proxy)


def test_the_model_alone_reads_the_grid_of_a_point(qtmodeltester: ModelTester,
                                                   demo_db: Database) -> None:
    data = load_grid(db=demo_db, actor=LOCAL_ADMIN, cycle_id=OPEN_CYCLE, point_id=1)
    model = GridModel()
    model.set_grid(data)
    assert model.rowCount() == SUMMARY_ROWS + len(data.members)
    assert model.columnCount() == FIRST_PRODUCT_COLUMN + len(data.products)
    first = data.products[0]
    header = model.headerData(FIRST_PRODUCT_COLUMN, Qt.Orientation.Horizontal)
    assert first.unit.label in header.splitlines()[-1]
    assert money_text(first.member_price) in header
    check_model(qtmodeltester, model)
    model.set_grid(None)
    assert model.rowCount() == 0


@pytest.mark.parametrize(("typed", "value"), [("2", "2"), ("1,5", "1.5"), ("0.250", "0.25"),
                                              ("", "0"), (" 3 ", "3")])
def test_quantities_are_read_the_french_way(typed: str, value: str) -> None:
    assert parse_quantity(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["abc", "-1", "1,2345"])
def test_what_is_not_a_quantity_is_refused_in_french(typed: str) -> None:
    with pytest.raises(ValueError, match="quantité"):
        parse_quantity(typed)


def test_a_form_export_is_imported_into_the_grid_after_a_preview(
    qtbot: QtBot, page: OrderGridPage, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
    answers: Answers, tmp_path: Path,
) -> None:
    grid = page.model.grid()
    assert grid is not None
    product = plain_product(page)
    household = next(m for m in grid.members
                     if (m.member_id, product.product_id) not in grid.quantities)
    last, first = household.name.split(" ", 1)
    answers.open_file = write_csv(tmp_path / "formulaire.csv", [
        ["Horodateur", "Nom", "Prénom", product.name],
        ["26/11/2026 18:02", last.capitalize(), first, "2"],
    ])
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportDialog)
        wait_until(lambda: dialog.preview is not None)
        seen["preview"] = dialog.status.text()
        click(dialog.import_button)
        wait_until(lambda: dialog.report is not None)
        click(dialog.close_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.import_action.trigger()
    wait_idle(qtbot)
    assert seen["preview"] == "1 à créer, 0 à mettre à jour, 0 inchangé, 0 rejeté"
    assert stored(demo_db_copy, page).quantities[(household.member_id, product.product_id)] == 2
    shown = page.model.grid()
    assert shown is not None and shown.quantities[(household.member_id, product.product_id)] == 2
