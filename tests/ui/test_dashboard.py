"""The « Tableau de bord » page: its cards and charts show the service's figures, a card
opens its section, an empty co-op shows empty states, and the charts stay readable."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, Role
from coopfood.services.dashboard import dashboard
from tests.ui.conftest import TODAY
from tests.ui.drive import wait_until
from ui import comfort
from ui.charts import Datum, HorizontalBarChart, PercentLineChart, WeeklyColumnChart
from ui.display import counted, money_text, number_text
from ui.main_window import MainWindow
from ui.views.context import PageContext
from ui.views.dashboard import DashboardPage, day_text


def loaded(page: DashboardPage) -> DashboardPage:
    wait_until(lambda: page.figures is not None and not page.loading)
    return page


@pytest.fixture
def navigated() -> list[str]:
    return []


@pytest.fixture
def page(qtbot: QtBot, demo_db: Database, navigated: list[str]) -> Iterator[DashboardPage]:
    context = PageContext(db=demo_db, actor=LOCAL_ADMIN, navigate=navigated.append,
                          today=lambda: TODAY)
    shown = DashboardPage(context)
    qtbot.addWidget(shown)
    shown.resize(1000, 800)
    shown.show()
    qtbot.waitExposed(shown)
    yield loaded(shown)


def test_the_figures_are_read_off_the_window_s_thread(qtbot: QtBot, demo_db: Database) -> None:
    page = DashboardPage(PageContext(db=demo_db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    # Built at once, filled when the background read comes back.
    assert page.loading and page.figures is None
    assert page.status.text() == "Lecture des chiffres…"
    loaded(page)
    assert page.status.isHidden()


def test_the_cards_show_the_demo_s_figures(page: DashboardPage, demo_db: Database) -> None:
    figures = dashboard(db=demo_db, actor=LOCAL_ADMIN, today=TODAY)
    [coming] = figures.next_distributions
    card = page.cards["next"]
    assert card.value.text() == day_text(coming.date)
    assert card.details()[0] == (
        f"Ouverte · {number_text(coming.order_count)} commandes · {money_text(coming.amount)}")
    assert card.details()[1] == "3 points de distribution"
    assert page.cards["close"].value.text() == "0"
    assert page.cards["close"].details()[1] == (
        f"{len(figures.to_invoice)} distributions à facturer")
    balances, cheques, bank = figures.balances, figures.cheques, figures.bank
    assert balances is not None and cheques is not None and bank is not None
    assert page.cards["balances"].value.text() == money_text(balances.total)
    assert page.cards["balances"].details()[0] == (
        counted("{n} foyer doit de l'argent", "{n} foyers doivent de l'argent",
                balances.households) if balances.households
        else "Aucun foyer ne doit d'argent.")
    assert page.cards["balances"].details()[1:] == [
        f"{d.name} — {money_text(d.balance)}" for d in balances.largest]
    assert page.cards["cheques"].value.text() == number_text(cheques.to_cash)
    assert page.cards["cheques"].details()[0] == (
        f"{money_text(cheques.to_cash_total)} à encaisser en novembre 2026")
    assert page.cards["bank"].value.text() == number_text(bank.lines)
    assert page.tiles["members"].value.text() == number_text(figures.counts.members)
    assert page.tiles["members"].caption.text() == "adhérents"
    assert page.tiles["producers"].value.text() == number_text(figures.counts.producers)
    assert [r.id for r in page.upcoming.model.rows()] == [coming.id]
    assert page.upcoming.model.cell_text(0, 4) == money_text(coming.amount)


def test_the_charts_draw_the_demo_s_sales_and_participation(
        page: DashboardPage, demo_db: Database) -> None:
    figures = dashboard(db=demo_db, actor=LOCAL_ADMIN, today=TODAY)
    bars = page.producer_chart.data()
    assert [d.label for d in bars] == [p.name for p in figures.sales_by_producer[:10]]
    top = figures.sales_by_producer[0]
    assert bars[0].value_text == money_text(top.amount)
    others = figures.sales_by_producer[10:]
    rest = money_text(sum((p.amount for p in others), Decimal(0)))
    assert page.other_producers.text() == f"Et {len(others)} autres producteurs : {rest} en tout"
    assert [d.value for d in page.week_chart.data()] == [w.amount for w in figures.sales_by_week]
    assert figures.participation is not None
    assert [d.value for d in page.participation_chart.data()] == [
        p.percent for p in figures.participation]
    for chart in (page.producer_chart, page.week_chart, page.participation_chart):
        assert not chart.is_empty
    assert page.producer_chart.accessibleName() == "Ventes par producteur"
    assert page.producer_chart.accessibleDescription().startswith(
        f"{top.name} : {money_text(top.amount)}")


def test_hovering_a_bar_or_a_week_tells_its_exact_value(page: DashboardPage) -> None:
    chart = page.producer_chart
    first = chart.data()[0]
    assert chart.tooltip_at(chart.bar_rects()[0].center()) == first.tooltip
    assert first.tooltip == f"{first.label} : {first.value_text}"
    week = page.week_chart
    last = week.data()[-1]
    assert last.tooltip.startswith("Semaine du 23 novembre 2026 : ")
    assert week.tooltip_at(week.column_rects()[-1].center()) == last.tooltip
    line = page.participation_chart
    point = line.points()[-1]
    assert point is not None
    assert "des foyers ont commandé" in (line.tooltip_at(point) or "")


def test_a_click_on_a_card_opens_its_section(page: DashboardPage, navigated: list[str]) -> None:
    QTest.mouseClick(page.cards["balances"], Qt.MouseButton.LeftButton)
    QTest.mouseClick(page.cards["bank"], Qt.MouseButton.LeftButton)
    QTest.keyClick(page.cards["cheques"], Qt.Key.Key_Space)
    QTest.mouseClick(page.tiles["producers"], Qt.MouseButton.LeftButton)
    assert navigated == ["treasury", "treasury", "treasury", "producers"]


def test_the_next_distribution_card_opens_the_distributions(
        qtbot: QtBot, demo_db: Database) -> None:
    window = MainWindow(demo_db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    page = window.page("dashboard")
    assert isinstance(page, DashboardPage)
    loaded(page)
    QTest.mouseClick(page.cards["next"], Qt.MouseButton.LeftButton)
    assert window.current_section() == "distributions"
    assert window.nav.currentItem().text() == "Distributions"


def test_the_page_reads_again_when_shown(qtbot: QtBot, demo_db_copy: Database) -> None:
    from coopfood.domain.vat import VatRegime
    from coopfood.persistence.models import Producer

    page = DashboardPage(PageContext(db=demo_db_copy, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    before = int(loaded(page).tiles["producers"].value.text())
    with demo_db_copy.transaction() as session:
        session.add(Producer(name="Miellerie des Monts", vat_regime=VatRegime.FRANCHISE,
                             invoice_prefix="MIEL"))
    page.hide()
    page.show()
    wait_until(lambda: page.tiles["producers"].value.text() == str(before + 1))


def test_an_empty_co_op_shows_empty_charts_and_says_what_to_do(
        qtbot: QtBot, db: Database) -> None:
    page = DashboardPage(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.resize(1000, 800)
    page.show()
    loaded(page)
    assert page.cards["next"].value.text() == "Aucune"
    assert page.cards["next"].details() == [
        "Aucune distribution n'est prévue : créez la prochaine dans « Distributions »."]
    for chart in (page.producer_chart, page.week_chart):
        assert chart.is_empty and chart.empty_text == "Pas encore de ventes"
        assert chart.accessibleDescription() == "Pas encore de ventes"
    assert page.participation_chart.empty_text == "Pas encore de distribution"
    assert page.upcoming.empty.isVisibleTo(page)
    assert not page.other_producers.isVisibleTo(page)
    page.grab()  # the empty state paints without error


def test_a_coordinator_has_no_bank_card(qtbot: QtBot, demo_db: Database) -> None:
    actor = Actor(name="Coordinatrice", role=Role.COORDINATOR, point_ids=frozenset({1}))
    page = DashboardPage(PageContext(db=demo_db, actor=actor, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    loaded(page)
    assert page.cards["bank"].isHidden()
    assert not page.cards["balances"].isHidden()
    [coming] = page.upcoming.model.rows()
    assert len(coming.points) == 1


def test_a_producer_sees_neither_households_nor_their_money(
        qtbot: QtBot, demo_db: Database) -> None:
    actor = Actor(name="Producteur", role=Role.PRODUCER, producer_id=1)
    page = DashboardPage(PageContext(db=demo_db, actor=actor, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    loaded(page)
    for key in ("balances", "cheques", "bank"):
        assert page.cards[key].isHidden()
    assert page.tiles["members"].isHidden()
    assert page.participation_chart.isHidden()
    assert page.shifts_box.isHidden()
    assert len(page.producer_chart.data()) == 1


# --- the charts themselves ---------------------------------------------------------------------


def _weeks(count: int) -> list[Datum]:
    start = dt.date(2026, 6, 1)
    data = []
    for n in range(count):
        week = start + dt.timedelta(weeks=n)
        value = Decimal(1000 + 37 * n)
        data.append(Datum(label=f"{week.day} juin", value=value, value_text=money_text(value),
                          tooltip=f"Semaine du {week:%d/%m} : {money_text(value)}"))
    return data


def _label_rects(chart: WeeklyColumnChart) -> list[QRectF]:
    metrics = chart.metrics()
    rects = []
    for index in chart.shown_labels():
        width = metrics.horizontalAdvance(chart.data()[index].label)
        centre = chart.slots()[index].center().x()
        rects.append(QRectF(centre - width / 2, 0, width, metrics.height()))
    return rects


@pytest.fixture
def larger_text(qapp: QApplication) -> Iterator[None]:
    comfort.set_larger_text(True)
    yield
    comfort.set_larger_text(False)


@pytest.mark.parametrize("larger", [False, True])
def test_week_labels_never_overlap(qtbot: QtBot, request: pytest.FixtureRequest,
                                   larger: bool) -> None:
    if larger:
        request.getfixturevalue("larger_text")
    chart = WeeklyColumnChart("Ventes par semaine", "Pas encore de ventes")
    qtbot.addWidget(chart)
    chart.set_data(_weeks(26))
    chart.resize(420, chart.sizeHint().height())
    chart.show()
    rects = _label_rects(chart)
    assert 1 < len(rects) < 26
    assert all(not a.intersects(b) for a, b in itertools.pairwise(rects))
    # This week's label is always written.
    assert chart.shown_labels()[-1] == 25
    chart.grab()


def test_long_producer_names_are_elided_beside_their_bars(qtbot: QtBot) -> None:
    chart = HorizontalBarChart("Ventes par producteur", "Pas encore de ventes")
    qtbot.addWidget(chart)
    name = "Groupement agricole d'exploitation en commun des Coteaux du Lyonnais & <Monts>"
    chart.set_data([Datum(label=name, value=Decimal("1234.50"), value_text="1 234,50 €",
                          tooltip=f"{name} : 1 234,50 €"),
                    Datum(label="Miel", value=Decimal("12.00"), value_text="12,00 €",
                          tooltip="Miel : 12,00 €")])
    chart.resize(500, chart.sizeHint().height())
    chart.show()
    first, second = chart.elided_labels()
    assert first.endswith("…") and len(first) < len(name)
    assert second == "Miel"
    label_right = chart.metrics().horizontalAdvance(first) + chart.padding()
    assert all(bar.left() > label_right for bar in chart.bar_rects())
    # The amount after the longest bar stays inside the widget.
    longest = chart.bar_rects()[0]
    assert longest.right() + chart.metrics().horizontalAdvance("1 234,50 €") < chart.width()
    # The whole name is in the tooltip.
    assert chart.tooltip_at(QPoint(5, int(longest.center().y()))) == f"{name} : 1 234,50 €"


def test_charts_follow_the_larger_text(qtbot: QtBot, qapp: QApplication) -> None:
    chart = PercentLineChart("Participation des foyers", "Pas encore de distribution")
    qtbot.addWidget(chart)
    plain = chart.sizeHint().height()
    comfort.set_larger_text(True)
    try:
        QApplication.processEvents()
        assert chart.sizeHint().height() > plain * 1.15
    finally:
        comfort.set_larger_text(False)
    chart.set_data([Datum(label="1 juin", value=Decimal("98.5"), value_text="98,5 %",
                          tooltip="Semaine du 1er juin : 98,5 %"),
                    Datum(label="8 juin", value=None, value_text="", tooltip=""),
                    Datum(label="15 juin", value=Decimal("50"), value_text="50 %",
                          tooltip="Semaine du 15 juin : 50 %")])
    chart.resize(400, chart.sizeHint().height())
    points = chart.points()
    assert points[1] is None and points[0] is not None and points[2] is not None
    assert points[0].y() < points[2].y()  # 98,5 % drawn above 50 %
    assert chart.tooltip_at(points[2]) == "Semaine du 15 juin : 50 %"
    chart.grab()
