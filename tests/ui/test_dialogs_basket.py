"""Basket types and their weekly composition, edited in a table of the window."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import Unit
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.baskets import composition, week_of
from coopfood.services.lists import BasketTypeRow, list_basket_types
from tests.ui.conftest import TODAY
from tests.ui.drive import (
    check_model,
    click,
    play_dialogs,
    type_into,
    type_into_combo,
    wait_idle,
    wait_until,
)
from ui.dialogs.basket import BasketTypeDialog, CompositionDialog, CompositionModel, ItemDraft
from ui.main_window import MainWindow
from ui.views.list_page import ListModel, ListPage


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def baskets_page(window: MainWindow) -> ListPage[BasketTypeRow]:
    window.show_section("baskets")
    page = window.page("baskets")
    assert isinstance(page, ListPage)
    return page


def _type_in_cell(dialog: CompositionDialog, row: int, column: int, text: str) -> None:
    index = dialog.model.index(row, column)
    dialog.table.setCurrentIndex(index)
    dialog.table.edit(index)
    editor = dialog.table.focusWidget()
    assert isinstance(editor, QLineEdit)
    type_into(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def test_a_week_s_composition_is_typed_in_its_table_and_saved(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = baskets_page(window)
    basket = page.visible_rows()[0]
    week = TODAY + dt.timedelta(days=14)
    shown: list[dict[str, str]] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, CompositionDialog)
        assert dialog.windowTitle() == f"Composition de la semaine — {basket.name}"
        dialog.week.setDate(dialog.week.date().addDays(14))
        assert dialog.week_label.text() == (
            "du lundi 7 décembre 2026 au dimanche 13 décembre 2026")
        for _row in range(dialog.model.rowCount()):
            dialog.table.setCurrentIndex(dialog.model.index(0, 0))
            click(dialog.remove_button)
        click(dialog.add_button)
        QTest.keyClick(dialog.table.focusWidget(), Qt.Key.Key_Escape)
        _type_in_cell(dialog, 0, CompositionModel.LABEL, "Carottes nouvelles")
        _type_in_cell(dialog, 0, CompositionModel.QUANTITY, "-1")
        dialog.model.setData(dialog.model.index(0, CompositionModel.UNIT), Unit.KG)
        dialog.table.setCurrentIndex(dialog.model.index(0, 0))
        click(dialog.add_button)
        QTest.keyClick(dialog.table.focusWidget(), Qt.Key.Key_Escape)
        _type_in_cell(dialog, 1, CompositionModel.LABEL, "Une botte de radis & ses fanes")
        click(dialog.ok_button)
        wait_idle()
        shown.append(dialog.shown_errors())
        assert dialog.table.property("invalid") is True
        assert dialog.table.currentIndex().row() == 0
        _type_in_cell(dialog, 0, CompositionModel.QUANTITY, "1,5")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    [composition_action] = page.extra_actions
    assert composition_action.text() == "Composition de la semaine…"
    page.select(basket.id)
    composition_action.trigger()

    assert shown == [{"items": "La quantité de la ligne 1 (Carottes nouvelles) ne peut pas "
                               "être négative (« -1 »)."}]
    items = composition(db=demo_db_copy, actor=LOCAL_ADMIN, basket_type_id=basket.id,
                        week_start=week)
    assert [(i.label, i.quantity, i.unit) for i in items] == [
        ("Carottes nouvelles", Decimal("1.500"), Unit.KG),
        ("Une botte de radis & ses fanes", None, None)]
    assert week_of(week) == dt.date(2026, 12, 7)


def test_a_basket_type_is_created_with_its_price_with_vat_shown(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = baskets_page(window)
    producer = page.visible_rows()[0].producer
    ttc: list[str] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, BasketTypeDialog)
        assert not dialog.composition_button.isEnabled()  # once the basket is saved
        type_into_combo(dialog.producer, producer)
        type_into(dialog.name, "Panier d'hiver")
        type_into(dialog.price, "14,22")
        ttc.append(dialog.price_ttc.text())
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()
    wait_until(lambda: page.selected_row() is not None)
    saved = page.selected_row()
    assert saved is not None
    assert (saved.name, saved.producer, saved.price_ht) == (
        "Panier d'hiver", producer, Decimal("14.22"))
    assert ttc == ["15,00\u00a0€"]
    assert saved in list_basket_types(db=demo_db_copy, actor=LOCAL_ADMIN)


def test_the_new_models_pass_the_model_tester(
    qtmodeltester: ModelTester, demo_db: Database
) -> None:
    model = CompositionModel()
    check_model(qtmodeltester, model)
    model.set_items([ItemDraft("Poireaux", "1", Unit.BUNCH), ItemDraft("Œufs", "", None)])
    model.add_item(ItemDraft("Pommes", "2", Unit.KG), row=1)
    model.remove_item(0)
    check_model(qtmodeltester, model)
    assert model.setData(model.index(0, CompositionModel.QUANTITY), " 2,5 ")
    assert [item.quantity for item in model.items()] == ["2,5", ""]

    from ui.views.baskets import basket_columns

    rows = list_basket_types(db=demo_db, actor=LOCAL_ADMIN, include_archived=True)
    listed: ListModel[BasketTypeRow] = ListModel(basket_columns())
    listed.is_archived = lambda row: row.id == rows[0].id
    listed.set_rows(rows)
    check_model(qtmodeltester, listed)
    assert listed.index(0, 0).data(Qt.ItemDataRole.FontRole).italic()
    assert listed.index(1, 0).data(Qt.ItemDataRole.FontRole) is None
