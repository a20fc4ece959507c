"""AMAP contracts from the window: one cashing month ticked per cheque, a shared basket."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import Frequency, ShareMode
from coopfood.domain.vat import price_with_vat
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.contracts import ContractRow, get_contract
from coopfood.services.lists import list_basket_types, list_members
from tests.imports.support import dump
from tests.ui.conftest import TODAY
from tests.ui.drive import click, play_dialogs, type_into_combo, wait_idle
from ui.dialogs.contract import ContractDialog, default_season, months_between
from ui.dialogs.fields import money_input_text, to_qdate
from ui.dialogs.member import member_choice_text
from ui.main_window import MainWindow
from ui.views.list_page import ListPage


@pytest.fixture
def window(qtbot: QtBot, demo_db_copy: Database) -> Iterator[MainWindow]:
    main = MainWindow(demo_db_copy, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    yield main


def test_season_months_and_the_default_season() -> None:
    assert [f"{m:%Y-%m}" for m in months_between(dt.date(2026, 10, 15), dt.date(2027, 1, 3))] == [
        "2026-10", "2026-11", "2026-12", "2027-01"]
    assert default_season(dt.date(2026, 11, 26)) == (dt.date(2026, 12, 1), dt.date(2027, 5, 31))


def test_a_shared_contract_paid_by_three_cheques(
    qtbot: QtBot, window: MainWindow, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.show_section("contracts")
    page = window.page("contracts")
    assert isinstance(page, ListPage)
    holder, partner = list_members(db=demo_db_copy, actor=LOCAL_ADMIN)[10:12]
    basket = list_basket_types(db=demo_db_copy, actor=LOCAL_ADMIN)[0]
    state = dump(demo_db_copy)
    seen: dict[str, object] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ContractDialog)
        type_into_combo(dialog.member, member_choice_text(holder))
        seen["point"] = dialog.point.value()  # the household's own point comes first
        dialog.basket_type.set_value(basket.id)
        seen["price"] = dialog.price.text()  # the basket's price with VAT
        dialog.season_start.setDate(to_qdate(dt.date(2027, 1, 1)))
        dialog.season_end.setDate(to_qdate(dt.date(2027, 6, 30)))
        dialog.frequency.set_value(Frequency.FORTNIGHTLY)
        dialog.allowed_absences.setValue(2)
        type_into_combo(dialog.co_member, member_choice_text(partner))
        seen["share"] = (dialog.share_mode.isEnabled(), dialog.share_mode.value())
        dialog.cheque_count.setValue(3)
        seen["months"] = list(dialog.month_boxes)
        dialog.month_boxes["2027-01"].setChecked(True)
        dialog.month_boxes["2027-03"].setChecked(True)
        seen["status"] = dialog.months_status.text()
        click(dialog.ok_button)
        wait_idle()
        seen["errors"] = dialog.shown_errors()
        seen["unchanged"] = dump(demo_db_copy) == state
        dialog.month_boxes["2027-05"].setChecked(True)
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.new_action.trigger()

    assert seen["point"] == holder.point_id
    assert seen["price"] == money_input_text(price_with_vat(basket.price_ht, basket.vat_rate))
    assert seen["share"] == (True, ShareMode.ALTERNATE)
    assert seen["months"] == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"]
    assert seen["status"] == "3 chèques, 2 mois cochés : cochez un mois par chèque."
    assert seen["errors"] == {"cheque_months": "3 chèque(s) annoncé(s) mais 2 mois "
                                               "d'encaissement indiqué(s) : il faut un mois "
                                               "par chèque."}
    assert seen["unchanged"] is True

    row: ContractRow | None = page.selected_row()
    assert row is not None
    assert (row.member, row.co_member, row.basket_type) == (holder.name, partner.name,
                                                            basket.name)
    contract = get_contract(db=demo_db_copy, actor=LOCAL_ADMIN, contract_id=row.id)
    assert contract.cheque_months == ("2027-01", "2027-03", "2027-05")
    assert (contract.frequency, contract.allowed_absences, contract.share_mode) == (
        Frequency.FORTNIGHTLY, 2, ShareMode.ALTERNATE)
