"""The Distributions page: a distribution created, opened, closed and reopened from the
window; its offer, its baskets (absences, postponements) and its history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from coopfood.domain.enums import CycleState, ShortfallRule
from coopfood.persistence.db import Database
from coopfood.persistence.models import Contract
from coopfood.services import LOCAL_ADMIN
from coopfood.services.cycles import create_cycle, get_cycle, list_cycle_history
from coopfood.services.lists import list_points
from coopfood.services.subscriptions import declare_absence, due_baskets, list_skips
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_idle
from ui.dialogs.cycle_form import CycleDialog, ReopenDialog
from ui.dialogs.cycle_offer import AddProductsDialog
from ui.dialogs.fields import to_qdate
from ui.display import date_text, number_text
from ui.views.context import PageContext
from ui.views.cycles import CycleDetailPanel, DistributionsPage

OPEN_CYCLE = 8
NEW_DATE = dt.date(2026, 12, 10)


@pytest.fixture
def page(qtbot: QtBot, demo_db_copy: Database) -> DistributionsPage:
    distributions = DistributionsPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN,
                                                  today=lambda: TODAY))
    qtbot.addWidget(distributions)
    distributions.resize(1280, 800)
    distributions.show()
    qtbot.waitExposed(distributions)
    return distributions


def select(page: DistributionsPage, cycle_id: int) -> None:
    assert page.select(cycle_id)
    assert page.detail.cycle is not None and page.detail.cycle.id == cycle_id


def test_the_newest_distribution_is_shown_in_detail(page: DistributionsPage,
                                                    demo_db_copy: Database) -> None:
    cycle = get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=OPEN_CYCLE)
    assert page.detail.heading.text() == f"{cycle.label} — Ouverte"
    assert page.detail.offer_model.rowCount() == len(cycle.offers)
    assert page.close_button.isEnabled() and not page.open_button.isEnabled()
    # The case packs read in French, as the service words them.
    started = next(o for o in cycle.offers if o.case_status)
    row = next(i for i, o in enumerate(page.detail.offer_model.rows())
               if o.product_id == started.product_id)
    assert page.detail.offer_model.cell_text(row, 7) == started.case_status
    assert "manque" in started.case_status


def test_a_distribution_is_created_opened_closed_and_reopened_from_the_window(
    qtbot: QtBot, page: DistributionsPage, demo_db_copy: Database, answers: Answers,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    db = demo_db_copy
    points = list_points(db=db, actor=LOCAL_ADMIN)

    def fill(dialog: QDialog) -> None:
        assert isinstance(dialog, CycleDialog)
        assert dialog.windowTitle() == "Nouvelle distribution"
        assert all(check.isChecked() for check in dialog.point_checks.values())
        dialog.date.setDate(to_qdate(NEW_DATE))
        type_into(dialog.name, "Distribution de l'Avent")
        dialog.shortfall_rule.set_value(ShortfallRule.ORDER_OF_ARRIVAL)
        assert [dialog.shortfall_rule.itemText(i) for i in range(3)] == [
            "Au prorata", "Par ordre d'arrivée", "Aucune répartition"]
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, fill)
    page.new_action.trigger()
    wait_idle(qtbot)

    row = page.selected_row()
    assert row is not None and row.date == NEW_DATE and row.state is CycleState.DRAFT
    cycle = get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=row.id)
    assert cycle.name == "Distribution de l'Avent"
    assert cycle.shortfall_rule is ShortfallRule.ORDER_OF_ARRIVAL
    assert {p.id for p in cycle.points} == {p.id for p in points}
    assert cycle.order_deadline is not None  # two days before, suggested
    assert page.open_button.isEnabled() and not page.close_button.isEnabled()
    assert page.detail.offer_model.rowCount() == 0

    click(page.detail.copy_button)
    wait_idle(qtbot)
    cycle = get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=row.id)
    assert cycle.offers
    assert page.detail.offer_model.rowCount() == len(cycle.offers)
    assert page.detail.message.text().startswith("Offre du jeudi 3 décembre 2026 reprise")

    click(page.open_button)
    wait_idle(qtbot)
    cycle = get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=row.id)
    assert cycle.state is CycleState.OPEN
    assert cycle.subscription_baskets > 0
    assert page.message.text().endswith("paniers d'abonnement générés")
    assert page.message.text().startswith(cycle.label)
    assert not page.message.refused
    assert page.detail.heading.text().endswith("— Ouverte")

    click(page.close_button)
    wait_idle(qtbot)
    assert get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=row.id).state is CycleState.CLOSED
    assert "clôturée" in page.message.text()
    assert page.detail.tabs.currentIndex() == CycleDetailPanel.SHORTFALLS
    assert page.detail.shortfall_note.text().startswith("Répartition faite à la clôture")
    assert page.reopen_button.isEnabled() and page.distribute_button.isEnabled()

    def give_reason(dialog: QDialog) -> None:
        assert isinstance(dialog, ReopenDialog)
        click(dialog.ok_button)  # no reason: refused under the field
        wait_idle(qtbot)
        assert "motif" in dialog.shown_errors()["reason"]
        type_into(dialog.reason, "Commande oubliée des Martin")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, give_reason)
    click(page.reopen_button)
    wait_idle(qtbot)
    assert get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=row.id).state is CycleState.OPEN
    assert "rouverte (motif : Commande oubliée des Martin)" in page.message.text()

    page.detail.tabs.setCurrentIndex(CycleDetailPanel.HISTORY)
    summaries = [r.summary for r in page.detail.history_model.rows()]
    assert summaries == [r.summary for r in list_cycle_history(db=db, actor=LOCAL_ADMIN,
                                                                cycle_id=row.id)]
    assert any("rouverte (motif : Commande oubliée des Martin)" in s for s in summaries)
    assert any("ouverte" in s for s in summaries)
    assert not answers.errors


def test_a_refused_state_change_shows_the_service_s_reason(
    qtbot: QtBot, page: DistributionsPage, demo_db_copy: Database
) -> None:
    created = create_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, date=NEW_DATE, point_ids=[])
    page.reload(select_id=created.id)

    click(page.open_button)
    wait_idle(qtbot)

    assert page.message.refused
    assert "ne passe par aucun point de distribution" in page.message.text()
    assert get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN,
                     cycle_id=created.id).state is CycleState.DRAFT


def test_marking_distributed_asks_first(qtbot: QtBot, page: DistributionsPage,
                                        demo_db_copy: Database, answers: Answers) -> None:
    created = create_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, date=NEW_DATE,
                           point_ids=[p.id for p in list_points(db=demo_db_copy,
                                                                actor=LOCAL_ADMIN)])
    page.reload(select_id=created.id)
    click(page.open_button)
    wait_idle(qtbot)
    click(page.close_button)
    wait_idle(qtbot)
    answers.confirm = False
    click(page.distribute_button)
    wait_idle(qtbot)
    assert get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN,
                     cycle_id=created.id).state is CycleState.CLOSED
    answers.confirm = True
    click(page.distribute_button)
    wait_idle(qtbot)
    assert get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN,
                     cycle_id=created.id).state is CycleState.DISTRIBUTED
    assert "distribuée" in page.message.text()
    assert len(answers.asked) == 2


def test_a_cap_is_typed_in_the_offer(qtbot: QtBot, page: DistributionsPage,
                                     demo_db_copy: Database) -> None:
    table = page.detail.offer_table
    model = page.detail.offer_model
    row = next(i for i, o in enumerate(model.rows()) if o.cap is None and o.ordered < 10)
    offer = model.row(row)
    table.setFocus()
    table.setCurrentIndex(table.model().index(row, model.CAP))
    qtbot.keyClick(table, "1")
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "0")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    wait_idle(qtbot)

    saved = next(o for o in get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN,
                                      cycle_id=OPEN_CYCLE).offers
                 if o.product_id == offer.product_id)
    assert saved.cap == Decimal(10)
    shown = next(i for i, o in enumerate(model.rows()) if o.product_id == offer.product_id)
    assert model.cell_text(shown, model.CAP) == "10"
    assert model.cell_text(shown, 6) == number_text(Decimal(10) - saved.ordered)
    assert page.detail.message.text() == f"{offer.product} : plafond 10."


def test_products_are_added_to_the_offer_from_a_searchable_list(
    qtbot: QtBot, page: DistributionsPage, demo_db_copy: Database,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    created = create_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, date=NEW_DATE,
                           point_ids=[p.id for p in list_points(db=demo_db_copy,
                                                                actor=LOCAL_ADMIN)])
    page.reload(select_id=created.id)
    chosen: list[str] = []

    def pick(dialog: QDialog) -> None:
        assert isinstance(dialog, AddProductsDialog)
        click(dialog.ok_button)  # nothing chosen: told so
        wait_idle(qtbot)
        assert dialog.shown_errors() == {
            "product_ids": "Choisissez au moins un produit dans la liste."}
        qtbot.keyClicks(dialog.search, "pomme")
        rows = [dialog.proxy.row_at(i) for i in range(dialog.proxy.rowCount())]
        assert rows and all("pomme" in (r.name + r.producer + r.category).lower()
                            for r in rows)
        dialog.select_products([rows[0].id, rows[1].id])
        chosen.extend([rows[0].name, rows[1].name])
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, pick)
    click(page.detail.add_products_button)
    wait_idle(qtbot)

    offers = get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=created.id).offers
    assert sorted(o.product for o in offers) == sorted(chosen)
    assert page.detail.offer_model.rowCount() == 2
    assert page.detail.message.text() == "2 produits ajoutés à l'offre."

    page.detail.offer_table.selectRow(0)
    click(page.detail.remove_button)
    wait_idle(qtbot)
    assert len(get_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=created.id).offers) == 1


def _weekly_basket(page: DistributionsPage, demo_db_copy: Database) -> int:
    """The row of a due basket of a weekly, unshared contract, selected."""
    page.detail.tabs.setCurrentIndex(CycleDetailPanel.BASKETS)
    rows = page.detail.due_model.rows()
    assert len(rows) == len(due_baskets(db=demo_db_copy, actor=LOCAL_ADMIN,
                                        cycle_id=OPEN_CYCLE))
    row = next(i for i, b in enumerate(rows) if not b.shared_with and b.quantity == 1
               and not b.postponed_from)
    page.detail.due_table.selectRow(row)
    return row


def test_an_absence_beyond_the_jokers_is_refused_in_french(
    qtbot: QtBot, page: DistributionsPage, demo_db_copy: Database
) -> None:
    basket = page.detail.due_model.row(_weekly_basket(page, demo_db_copy))
    with demo_db_copy.transaction() as session:
        session.execute(update(Contract).where(Contract.id == basket.contract_id)
                        .values(allowed_absences=1))
    later = create_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, date=NEW_DATE,
                         point_ids=[basket.point_id])
    declare_absence(db=demo_db_copy, actor=LOCAL_ADMIN, contract_id=basket.contract_id,
                    cycle_id=later.id, member_id=basket.member_id)  # the only joker

    click(page.detail.absence_button)
    wait_idle(qtbot)

    message = page.detail.message
    assert message.refused
    assert message.text().startswith("Plus de joker : le contrat « ")
    assert date_text(NEW_DATE, style="dd/MM") in message.text()
    skips = list_skips(db=demo_db_copy, actor=LOCAL_ADMIN, contract_id=basket.contract_id)
    assert [s.cycle_id for s in skips.skips] == [later.id]


def test_an_absence_takes_the_basket_off_and_a_postponement_moves_it(
    qtbot: QtBot, page: DistributionsPage, demo_db_copy: Database
) -> None:
    later = create_cycle(db=demo_db_copy, actor=LOCAL_ADMIN, date=NEW_DATE,
                         point_ids=[p.id for p in list_points(db=demo_db_copy,
                                                              actor=LOCAL_ADMIN)])
    page.reload(select_id=OPEN_CYCLE)
    row = _weekly_basket(page, demo_db_copy)
    first = page.detail.due_model.row(row)
    count = page.detail.due_model.rowCount()

    click(page.detail.absence_button)
    wait_idle(qtbot)
    assert not page.detail.message.refused, page.detail.message.text()
    assert page.detail.message.text().startswith(f"Absence enregistrée : {first.member}")
    page.detail.tabs.setCurrentIndex(CycleDetailPanel.BASKETS)
    assert page.detail.due_model.rowCount() == count - 1

    row = _weekly_basket(page, demo_db_copy)
    second = page.detail.due_model.row(row)
    assert page.detail.postpone_target.values() == [later.id]
    assert page.detail.postpone_target.currentText() == date_text(NEW_DATE, style="full")
    click(page.detail.postpone_button)
    wait_idle(qtbot)
    assert page.detail.message.text() == (
        f"Panier « {second.basket_type} » de {second.member} reporté au "
        f"{date_text(NEW_DATE, style='full')}.")
    moved = [b for b in due_baskets(db=demo_db_copy, actor=LOCAL_ADMIN, cycle_id=later.id)
             if b.contract_id == second.contract_id and b.member_id == second.member_id]
    assert moved and moved[0].quantity == 2


def test_the_week_s_basket_contents_are_shown(page: DistributionsPage,
                                              demo_db_copy: Database) -> None:
    page.detail.tabs.setCurrentIndex(CycleDetailPanel.BASKETS)
    rows = page.detail.composition_model.rows()
    assert rows
    week = next(r for r in rows if r.items)
    row = rows.index(week)
    assert week.items[0].label in page.detail.composition_model.cell_text(row, 3)
    assert page.detail.composition_model.cell_text(row, 2) == number_text(week.baskets)
