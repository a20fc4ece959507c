"""Saisie des livraisons: weights keyed back by row number, absences, missing products."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot

from coopfood.domain.money import line_total
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.delivery import HouseholdDelivery, find_by_row_number, get_delivery
from tests.ui.conftest import TODAY
from tests.ui.drive import click, play_dialogs, type_into_combo, wait_idle
from ui.dialogs.cycle_missing import MissingProductDialog
from ui.display import money_text
from ui.views.context import PageContext
from ui.views.delivery import DELIVERED, DeliveryPage

DISTRIBUTED_CYCLE = 7
OPEN_CYCLE = 8


@pytest.fixture
def page(qtbot: QtBot, demo_db_copy: Database) -> DeliveryPage:
    delivery = DeliveryPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN,
                                        today=lambda: TODAY))
    qtbot.addWidget(delivery)
    delivery.resize(1280, 800)
    delivery.show()
    qtbot.waitExposed(delivery)
    wait_idle(qtbot)
    return delivery


def household_with_a_weighed_line(db: Database, page: DeliveryPage) -> HouseholdDelivery:
    point_id = page.chooser.point_id()
    assert point_id is not None
    for number in range(1, 200):
        household = find_by_row_number(db=db, actor=LOCAL_ADMIN, cycle_id=DISTRIBUTED_CYCLE,
                                       point_id=point_id, row_number=number)
        if household.lines[-1].variable_weight and len(household.lines) > 1:
            return household
    raise AssertionError("the demo should have a household whose last line is weighed")


def key_row_number(qtbot: QtBot, page: DeliveryPage, number: int) -> None:
    page.row_number.setFocus()
    page.row_number.selectAll()
    qtbot.keyClicks(page.row_number, str(number))
    qtbot.keyClick(page.row_number, Qt.Key.Key_Return)
    wait_idle(qtbot)


def test_a_weight_keyed_by_row_number_changes_the_amount_to_the_cent(
    qtbot: QtBot, page: DeliveryPage, demo_db_copy: Database
) -> None:
    assert page.chooser.cycle.value() == DISTRIBUTED_CYCLE
    household = household_with_a_weighed_line(demo_db_copy, page)
    assert household.row_number is not None
    key_row_number(qtbot, page, household.row_number)

    assert page.household_label.text().startswith(
        f"N° {household.row_number} — {household.name}")
    assert page.lines_model.rowCount() == len(household.lines)
    assert page.total_label.text() == f"Montant : {money_text(household.total)}"
    # The first line's « Livré » is open for typing.
    assert page.lines.currentIndex().row() == 0
    assert page.lines.currentIndex().column() == DELIVERED
    # Enter leaves a line as it is and goes to the next one, down to the weighed one.
    for _line in household.lines[:-1]:
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    assert page.lines.currentIndex().row() == len(household.lines) - 1
    editor.selectAll()
    qtbot.keyClicks(editor, "1,235")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_idle(qtbot)

    weighed = household.lines[-1]
    expected = sum((line.amount for line in household.lines[:-1]), Decimal("0.00")) + \
        line_total(weighed.member_unit_price, Decimal("1.235"))
    saved = get_delivery(db=demo_db_copy, actor=LOCAL_ADMIN, order_id=household.order_id)
    assert saved.lines[-1].quantity_delivered == Decimal("1.235")
    assert saved.total == expected
    assert page.total_label.text() == f"Montant : {money_text(expected)}"
    assert page.lines_model.index(len(household.lines) - 1, DELIVERED).data() == "1,235"
    # After the last line, back to the row number for the next household.
    assert page.row_number.hasFocus()
    # The change is listed: who, when, before, after.
    assert page.changes_model.rowCount() == 1
    assert page.changes_model.cell_text(0, 1) == LOCAL_ADMIN.name
    assert page.changes_model.cell_text(0, 2).startswith(f"{household.name} — {weighed.name}")
    assert page.changes_model.cell_text(0, 2).endswith("→ 1,235 kg")
    assert page.changes_model.cell_text(0, 4) == "1,235"


def test_an_unknown_row_number_is_told_and_the_number_is_ready_again(
    qtbot: QtBot, page: DeliveryPage
) -> None:
    key_row_number(qtbot, page, 9999)
    assert page.message.refused
    assert page.message.text().startswith("Aucun foyer n'a le numéro 9999")
    assert page.lines_model.rowCount() == 0
    assert page.row_number.hasFocus()


def test_a_household_marked_absent_takes_nothing(
    qtbot: QtBot, page: DeliveryPage, demo_db_copy: Database
) -> None:
    household = household_with_a_weighed_line(demo_db_copy, page)
    assert household.row_number is not None
    key_row_number(qtbot, page, household.row_number)

    click(page.absent_button)
    wait_idle(qtbot)

    saved = get_delivery(db=demo_db_copy, actor=LOCAL_ADMIN, order_id=household.order_id)
    assert saved.absent and saved.total == Decimal("0.00")
    assert page.household_label.text().endswith("— absent")
    assert page.total_label.text() == f"Montant : {money_text(Decimal('0.00'))}"
    assert page.absent_button.text() == "Présent finalement"
    assert "absent, rien n'est livré" in page.changes_model.cell_text(0, 2)
    assert (page.changes_model.cell_text(0, 3), page.changes_model.cell_text(0, 4)) == (
        "présent", "absent")


def test_a_product_missing_for_everyone(
    qtbot: QtBot, page: DeliveryPage, demo_db_copy: Database,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    household = household_with_a_weighed_line(demo_db_copy, page)
    assert household.row_number is not None
    key_row_number(qtbot, page, household.row_number)
    product = household.lines[-1].name

    def choose(dialog: QDialog) -> None:
        assert isinstance(dialog, MissingProductDialog)
        type_into_combo(dialog.product, next(dialog.product.itemText(i)
                                             for i in range(dialog.product.count())
                                             if dialog.product.itemText(i).startswith(
                                                 product + " — ")))
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, choose)
    click(page.missing_button)
    wait_idle(qtbot)

    assert page.message.text().startswith(f"{product} : rien de livré, ")
    saved = get_delivery(db=demo_db_copy, actor=LOCAL_ADMIN, order_id=household.order_id)
    assert saved.lines[-1].quantity_delivered == 0
    assert page.lines_model.index(len(household.lines) - 1, DELIVERED).data() == "0"
    assert any("(produit manquant)" in page.changes_model.cell_text(row, 2)
               for row in range(page.changes_model.rowCount()))


def test_nothing_is_keyed_while_the_distribution_is_open(
    qtbot: QtBot, page: DeliveryPage
) -> None:
    page.chooser.choose(OPEN_CYCLE)
    wait_idle(qtbot)
    assert page.message.text() == ("Les quantités livrées se saisissent une fois la "
                                   "distribution clôturée.")
    key_row_number(qtbot, page, 1)
    assert page.lines_model.rowCount() > 0
    assert not page.lines_model.flags(page.lines_model.index(0, DELIVERED)) \
        & Qt.ItemFlag.ItemIsEditable
    assert not page.absent_button.isEnabled()
    assert not page.missing_button.isEnabled()
