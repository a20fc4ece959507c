"""Products from the window: the member price shown as it is typed, a new price from a day
that past order lines never see."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import OrderLine
from coopfood.services import LOCAL_ADMIN
from coopfood.services.coop import get_coop
from coopfood.services.lists import ProductRow, list_producers
from coopfood.services.products import price_history
from tests.imports.support import dump
from tests.ui.conftest import TODAY
from tests.ui.drive import click, play_dialogs, type_into, type_into_combo, wait_idle
from ui.dialogs.fields import to_qdate
from ui.dialogs.product import PriceDialog, ProductDialog
from ui.main_window import MainWindow
from ui.views.list_page import ListPage


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def products_page(window: MainWindow) -> ListPage[ProductRow]:
    window.show_section("products")
    page = window.page("products")
    assert isinstance(page, ListPage)
    return page


def _ordered(db: Database) -> tuple[int, list[tuple[int, Decimal, Decimal]]]:
    """The product ordered most often, and the price snapshots of its lines."""
    with db.reading() as session:
        product_id = session.scalar(
            select(OrderLine.product_id).where(OrderLine.product_id.is_not(None))
            .group_by(OrderLine.product_id).order_by(func.count().desc()).limit(1))
        assert product_id is not None
        lines = session.execute(
            select(OrderLine.id, OrderLine.unit_price_ht, OrderLine.member_unit_price)
            .where(OrderLine.product_id == product_id).order_by(OrderLine.id)).all()
        return product_id, [(line_id, price, paid) for line_id, price, paid in lines]


def test_a_new_price_joins_the_history_and_past_lines_keep_theirs(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = products_page(window)
    product_id, lines_before = _ordered(demo_db_copy)
    assert lines_before
    start = TODAY + dt.timedelta(days=10)
    history_texts: list[list[str]] = []

    def new_price(dialog: QDialog) -> None:
        assert isinstance(dialog, PriceDialog)
        type_into(dialog.price, "9,99")
        dialog.valid_from.setDate(to_qdate(start))
        click(dialog.ok_button)

    def product(dialog: QDialog) -> None:
        assert isinstance(dialog, ProductDialog)
        assert dialog.new_price_button.text() == "Nouveau prix à partir du…"
        rows_before = dialog.history_model.rowCount()
        click(dialog.new_price_button)
        model = dialog.history_model
        assert model.rowCount() == rows_before + 1
        history_texts.extend([model.cell_text(r, c) for c in range(4)]
                             for r in range(model.rowCount()))
        dialog.reject()

    play_dialogs(monkeypatch, qtbot, product, new_price)
    page.select(product_id)
    page.edit_action.trigger()

    # Newest first: the new price, still to come, then the one in force.
    assert history_texts[0][:2] == ["6 décembre 2026", "9,99\u00a0€"]
    assert history_texts[0][3] == "à venir"
    assert "en vigueur" in [row[3] for row in history_texts[1:]]
    assert [p.price_ht for p in price_history(
        db=demo_db_copy, actor=LOCAL_ADMIN, product_id=product_id)
        if p.valid_from == start] == [Decimal("9.99")]
    _same, lines_after = _ordered(demo_db_copy)
    assert lines_after == lines_before  # the order lines keep their snapshot


def test_the_member_price_is_shown_as_the_price_is_typed(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    coop = get_coop(db=demo_db_copy, actor=LOCAL_ADMIN)
    assert coop is not None and coop.fee_percent == Decimal("5.00")
    taxed = next(p for p in list_producers(db=demo_db_copy, actor=LOCAL_ADMIN)
                 if p.vat_regime is VatRegime.NORMAL)
    farmer = next(p for p in list_producers(db=demo_db_copy, actor=LOCAL_ADMIN)
                  if p.vat_regime is VatRegime.FLAT_RATE_FARMER)
    texts: list[str] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProductDialog)
        texts.append(dialog.member_price.text())
        type_into_combo(dialog.producer, taxed.name)
        type_into(dialog.price, "2,00")
        texts.append(dialog.member_price.text())
        dialog.vat_rate.set_value(Decimal("20.00"))
        texts.append(dialog.member_price.text())
        type_into_combo(dialog.producer, farmer.name)
        texts.append(dialog.member_price.text())
        type_into(dialog.price, "2,5O")
        texts.append(dialog.member_price.text())
        dialog.reject()

    play_dialogs(monkeypatch, qtbot, user)
    products_page(window).new_action.trigger()
    assert texts == [
        "Prix adhérent : —",
        "Prix adhérent : 2,22\u00a0€ (2,11\u00a0€ TTC + 0,11\u00a0€ de participation à 5\u00a0%)",
        "Prix adhérent : 2,52\u00a0€ (2,40\u00a0€ TTC + 0,12\u00a0€ de participation à 5\u00a0%)",
        "Prix adhérent : 2,10\u00a0€ (2,00\u00a0€ sans TVA + 0,10\u00a0€ de participation à "
        "5\u00a0%)",
        "Prix adhérent : —",
    ]


def test_a_bad_price_is_shown_next_to_it_and_nothing_is_saved(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = products_page(window)
    producer = list_producers(db=demo_db_copy, actor=LOCAL_ADMIN)[0]
    state = dump(demo_db_copy)
    shown: list[dict[str, str]] = []

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProductDialog)
        click(dialog.ok_button)  # nothing typed: the producer is asked for first
        wait_idle()
        shown.append(dialog.shown_errors())
        type_into_combo(dialog.producer, producer.name)
        type_into(dialog.name, "Confiture de coings")
        type_into(dialog.price, "12,5O")
        click(dialog.ok_button)
        wait_idle()
        shown.append(dialog.shown_errors())
        type_into(dialog.price, "4,20")
        click(dialog.ok_button)
        wait_idle()

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()

    assert shown[0] == {"producer": "Choisissez le producteur dans la liste."}
    assert shown[1] == {"price_ht": "Le prix HT : « 12,5O » n'est pas un nombre."}
    assert dump(demo_db_copy) != state
    saved = page.selected_row()
    assert saved is not None
    assert (saved.name, saved.producer, saved.price_ht) == (
        "Confiture de coings", producer.name, Decimal("4.20"))


def test_archived_products_show_with_the_archives_only(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database
) -> None:
    page = products_page(window)
    target = page.visible_rows()[3]
    page.select(target.id)
    page.archive_action.trigger()
    wait_idle()
    assert target.id not in {row.id for row in page.model.rows()}
    page.show_archived.setChecked(True)
    assert page.select(target.id)
    assert page.archive_action.text() == "Désarchiver"
    page.select(page.visible_rows()[0].id)
    assert page.archive_action.text() == "Archiver"


def test_a_producer_renamed_shows_renamed_on_the_products_page(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.dialogs.producer import ProducerDialog

    products = products_page(window)
    first = products.visible_rows()[0]
    window.show_section("producers")
    producers = window.page("producers")
    assert isinstance(producers, ListPage)

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ProducerDialog)
        type_into(dialog.name, "Brasserie du Plateau (renommée)")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    producers.select(first.producer_id)
    producers.edit_action.trigger()
    window.show_section("products")
    assert {row.producer for row in products.model.rows()
            if row.producer_id == first.producer_id} == {"Brasserie du Plateau (renommée)"}
