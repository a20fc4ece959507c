"""Trésorerie › Caisse, driven like a user: open the box with its float, watch what is
expected as payments come in, count it, close it; the difference shows, the box stays shut."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import CycleState
from coopfood.domain.treasury import CashCurrency, PaymentMeans
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cycle, CyclePoint
from coopfood.services import LOCAL_ADMIN, ledger
from coopfood.services import cash as service
from tests.services.test_cheques import Treasury, treasury_co_op
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, check_model, click, type_into, wait_idle
from ui.views.context import PageContext
from ui.views.treasury_cash import MISSING_COLOUR, CashTab


@pytest.fixture
def co_op(db: Database) -> tuple[Treasury, int, int]:
    """The co-op, today's distribution and the next one (at both points)."""
    co_op = treasury_co_op(db)
    ids = []
    with db.transaction() as session:
        for days, state in ((0, CycleState.DISTRIBUTED), (7, CycleState.OPEN),
                            (14, CycleState.DRAFT)):
            cycle = Cycle(distribution_date=TODAY + dt.timedelta(days=days), state=state,
                          name="Marché & <hiver>")
            session.add(cycle)
            session.flush()
            session.add_all([CyclePoint(cycle_id=cycle.id, point_id=co_op.point),
                             CyclePoint(cycle_id=cycle.id, point_id=co_op.other_point)])
            ids.append(cycle.id)
    return co_op, ids[0], ids[1]


def make_tab(qtbot: QtBot, db: Database) -> CashTab:
    tab = CashTab(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(tab)
    tab.resize(1250, 720)
    tab.show()
    return tab


def pay(db: Database, member: int, amount: str, cycle: int, point: int,
        means: PaymentMeans = PaymentMeans.CASH) -> None:
    ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=member, amount=amount,
                          means=means, entry_date=TODAY, cycle_id=cycle, point_id=point)


def test_open_count_and_close_a_box(qtbot: QtBot, db: Database,
                                    co_op: tuple[Treasury, int, int], answers: Answers,
                                    qtmodeltester: object) -> None:
    treasury, today_cycle, _next = co_op
    tab = make_tab(qtbot, db)
    # The distributions that are not drafts, today's chosen (it has taken place).
    assert [tab.cycle_combo.itemText(i) for i in range(tab.cycle_combo.count())] == [
        "jeudi 3 décembre 2026 — Marché & <hiver>", "jeudi 26 novembre 2026 — Marché & <hiver>"]
    assert tab.cycle_combo.value() == today_cycle
    assert tab.point_combo.currentText() == "Nord"
    panel = tab.euros
    assert panel.open_button.isVisible() and not panel.close_button.isEnabled()
    type_into(panel.float_edit, "50")
    click(panel.open_button)
    wait_idle()
    assert tab.status.text() == "Caisse espèces (euros) ouverte avec un fond de 50,00\u00a0€."
    assert panel.expected_label.text() == "50,00\u00a0€"
    assert not panel.open_button.isVisible() and panel.close_button.isEnabled()

    pay(db, treasury.anna, "12,50", today_cycle, treasury.point)
    pay(db, treasury.anna, "20", today_cycle, treasury.point)
    pay(db, treasury.anna, "5", today_cycle, treasury.point, PaymentMeans.CHEQUE)
    pay(db, treasury.bruno, "9", today_cycle, treasury.other_point)
    click(tab.refresh_button)
    assert panel.expected_label.text() == "82,50\u00a0€"
    assert panel.breakdown_label.text() == (
        "Fond 50,00\u00a0€ + règlements reçus 32,50\u00a0€ (2 règlements) − rendu ou annulé "
        "0,00\u00a0€")

    type_into(panel.counted_edit, "81")
    type_into(panel.note_edit, "pièce de 2 € & <introuvable>")
    click(panel.close_button)
    wait_idle()
    assert answers.asked[-1] == (
        "Compté 81,00\u00a0€ pour 82,50\u00a0€ attendus : il manque 1,50\u00a0€. Fermer la "
        "caisse ? Elle ne se rouvre pas, et l'écart est gardé tel quel.")
    assert tab.status.text() == "Caisse espèces (euros) fermée : il manque 1,50\u00a0€."
    assert panel.result_label.text().endswith(
        "Compté 81,00\u00a0€ pour 82,50\u00a0€ attendus : il manque 1,50\u00a0€.")
    assert not panel.close_button.isEnabled() and not panel.float_edit.isEnabled()
    assert not panel.open_button.isVisible()
    # The history: the box, its difference in red.
    check_model(qtmodeltester, tab.model)  # type: ignore[arg-type]
    [row] = tab.model.rows()
    assert (row.expected, row.counted, row.difference, row.note) == (
        Decimal("82.50"), Decimal("81.00"), Decimal("-1.50"), "pièce de 2 € & <introuvable>")
    assert tab.model.cell_text(0, 8) == "il manque 1,50\u00a0€"
    colour = tab.model.index(0, 8).data(Qt.ItemDataRole.ForegroundRole).color()
    assert colour == MISSING_COLOUR
    assert tab.totals_label.text() == ("1 caisse fermée — écart total : -1,50\u00a0€ en euros, "
                                       "0,00\u00a0€ en monnaie locale")
    # Another point of the same distribution has its own box, still to open.
    tab.point_combo.set_value(treasury.other_point)
    assert tab.euros.open_button.isVisible()


def test_the_local_currency_box_and_a_refused_reopening(
        qtbot: QtBot, db: Database, co_op: tuple[Treasury, int, int], answers: Answers) -> None:
    treasury, today_cycle, _next = co_op
    box = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=today_cycle,
                                point_id=treasury.point, opening_float="0",
                                currency=CashCurrency.LOCAL)
    pay(db, treasury.anna, "7", today_cycle, treasury.point, PaymentMeans.LOCAL_CURRENCY)
    service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="7")
    tab = make_tab(qtbot, db)
    assert tab.local.result_label.text().endswith(
        "Compté 7,00\u00a0€ pour 7,00\u00a0€ attendus : juste.")
    assert not tab.local.close_button.isEnabled()
    # Typed amounts are checked before anything is asked.
    type_into(tab.euros.float_edit, "douze")
    click(tab.euros.open_button)
    wait_idle()
    assert answers.errors == [
        "Le fond de caisse : « douze » n'est pas un nombre."]


def test_the_tab_as_it_looks(qtbot: QtBot, db: Database, co_op: tuple[Treasury, int, int],
                             tmp_path: Path) -> None:
    treasury, today_cycle, _next = co_op
    service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=today_cycle,
                          point_id=treasury.point, opening_float="50")
    tab = make_tab(qtbot, db)
    qtbot.waitExposed(tab)
    tab.grab().save(str(tmp_path / "caisse.png"))
    for panel in (tab.euros, tab.local):
        assert panel.width() > 400
        assert panel.close_button.width() >= panel.close_button.sizeHint().width()


def test_every_text_of_the_tab_is_in_the_catalogue(
        qtbot: QtBot, db: Database, co_op: tuple[Treasury, int, int]) -> None:
    from tests.ui.test_i18n_catalogue import (
        Catalogue,
        _database_texts,
        _msgids,
        untranslatable,
    )

    treasury, today_cycle, _next = co_op
    box = service.open_cash_box(db=db, actor=LOCAL_ADMIN, cycle_id=today_cycle,
                                point_id=treasury.point, opening_float="50")
    service.close_cash_box(db=db, actor=LOCAL_ADMIN, box_id=box.id, counted="49", note="x")
    tab = make_tab(qtbot, db)
    catalogue = Catalogue(_msgids(), _database_texts(db))
    assert untranslatable(tab, catalogue) == []
