"""The main window, driven like a user would: every section shows the real data."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QToolTip
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import CycleState
from coopfood.persistence.db import Database, describe_url
from coopfood.services import LOCAL_ADMIN
from coopfood.services.contracts import list_contracts
from coopfood.services.coop import get_coop
from coopfood.services.lists import (
    list_basket_types,
    list_cycles,
    list_members,
    list_points,
    list_producers,
    list_products,
)
from tests.ui.conftest import TODAY
from tests.ui.drive import wait_idle
from ui.display import date_text, fold, number_text
from ui.main_window import SECTIONS, MainWindow
from ui.views.cycles import OrdersSection
from ui.views.dashboard import DashboardPage, split_open_cycles
from ui.views.documents import DocumentsPage
from ui.views.invoices import InvoicesPage
from ui.views.list_page import ListPage
from ui.views.shifts import ShiftsPage
from ui.views.value_sharing import ValueSharingPage

NAV_LABELS = [
    "Tableau de bord", "Distributions", "Commandes", "Permanences", "Adhérents", "Producteurs",
    "Produits", "Paniers", "Contrats", "Points de distribution", "Documents", "Factures",
    "Trésorerie", "Partage de la valeur", "Historique",
]


def click_section(qtbot: QtBot, window: MainWindow, label: str) -> None:
    [item] = window.nav.findItems(label, Qt.MatchFlag.MatchExactly)
    rect = window.nav.visualItemRect(item)
    QTest.mouseClick(window.nav.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())


def list_page(window: MainWindow) -> ListPage[Any]:
    page = window.stack.currentWidget()
    assert isinstance(page, ListPage)
    return page


def test_navigation_lists_the_sections_in_french_in_order(window: MainWindow) -> None:
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == NAV_LABELS
    assert window.current_section() == "dashboard"
    # Only the first page is built when the window opens.
    assert window.built_sections() == ["dashboard"]


def test_title_and_status_bar_name_the_co_op_and_the_database(
    window: MainWindow, demo_db: Database
) -> None:
    coop = get_coop(db=demo_db, actor=LOCAL_ADMIN)
    assert coop is not None
    name = coop.name
    assert window.windowTitle() == f"coopfood — {name}"
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert f"Base : {describe_url(demo_db.url)}" in texts
    assert name in texts
    path = describe_url(demo_db.url)
    assert path.endswith(".sqlite") or "://" in path


def test_walking_through_every_section_shows_the_real_rows(
    qtbot: QtBot, window: MainWindow, demo_db: Database
) -> None:
    db, actor = demo_db, LOCAL_ADMIN
    members = list_members(db=db, actor=actor)
    cycles = list_cycles(db=db, actor=actor)
    producers = list_producers(db=db, actor=actor)
    products = list_products(db=db, actor=actor)
    points = list_points(db=db, actor=actor)
    baskets = list_basket_types(db=db, actor=actor)
    contracts = list_contracts(db=db, actor=actor)
    expected = {
        "Distributions": (len(cycles), date_text(cycles[0].date)),
        "Adhérents": (len(members), min(members, key=lambda m: fold(m.name)).name),
        "Producteurs": (len(producers), min(producers, key=lambda p: fold(p.name)).name),
        "Produits": (len(products), products[0].name),
        "Paniers": (len(baskets), baskets[0].name),
        "Contrats": (len(contracts), contracts[0].member),
        "Points de distribution": (len(points), min(points, key=lambda p: fold(p.name)).name),
    }
    assert all(count > 0 for count, _ in expected.values())

    for section, label in zip(SECTIONS, NAV_LABELS, strict=True):
        click_section(qtbot, window, label)
        assert window.current_section() == section.key
        if label == "Tableau de bord":
            assert isinstance(window.stack.currentWidget(), DashboardPage)
            continue
        if label == "Commandes":  # the order grid, tested in test_order_grid.py
            assert isinstance(window.stack.currentWidget(), OrdersSection)
            continue
        if label == "Documents":  # the printing page, tested in test_documents_page.py
            assert isinstance(window.stack.currentWidget(), DocumentsPage)
            continue
        if label in ("Permanences", "Partage de la valeur"):  # tested in test_shifts_page.py
            assert isinstance(window.stack.currentWidget(), ShiftsPage | ValueSharingPage)
            continue
        if label == "Factures":  # tested in test_invoices_page.py
            assert isinstance(window.stack.currentWidget(), InvoicesPage)
            continue
        if label == "Trésorerie":  # its tabs are tested in test_treasury_*.py
            from ui.views.treasury import TreasuryPage

            page = window.stack.currentWidget()
            assert isinstance(page, TreasuryPage)
            assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == [
                "Soldes", "Grand livre", "Chèques", "Caisse", "Banque",
                "Paiements producteurs"]
            continue
        if label == "Historique":  # tested in test_audit_view.py
            from ui.views.audit import AuditPage

            assert isinstance(window.stack.currentWidget(), AuditPage)
            continue
        page = list_page(window)
        count, first = expected[label]
        assert page.title.text() == label
        assert page.table.model().rowCount() == count
        assert page.table.model().index(0, 0).data() == first
        assert page.count_label.text().startswith(number_text(count) + " ")
        assert page.search.placeholderText() == "Rechercher…"
    assert window.built_sections() == [s.key for s in SECTIONS]


def test_counts_read_in_french(qtbot: QtBot, window: MainWindow, demo_db: Database) -> None:
    window.show_section("members")
    page = list_page(window)
    total = len(list_members(db=demo_db, actor=LOCAL_ADMIN))
    assert page.count_label.text() == f"{number_text(total)} adhérents"
    window.show_section("points")
    total = len(list_points(db=demo_db, actor=LOCAL_ADMIN))
    assert list_page(window).count_label.text() == f"{number_text(total)} points de distribution"


def test_typing_a_name_without_accents_filters_the_members(
    qtbot: QtBot, window: MainWindow, demo_db: Database
) -> None:
    members = list_members(db=demo_db, actor=LOCAL_ADMIN)
    accented = [m for m in members if fold(m.name) != m.name.lower()]
    assert accented, "the co-op should have a name with an accent"
    target = accented[0]
    typed = fold(target.name)  # "DUPRÉ Élodie" typed as "dupre elodie"
    click_section(qtbot, window, "Adhérents")
    page = list_page(window)

    QTest.keyClicks(page.search, typed)

    shown = page.visible_rows()
    assert 0 < len(shown) < len(members)
    assert target in shown
    assert all(all(word in fold(" ".join((m.name, m.co_member_name, m.point, m.email or "",
                                            m.phone, m.city, m.payment_reference,
                                            ", ".join(map(str, m.fee_years)))))
                   for word in typed.split()) for m in shown)
    assert page.count_label.text() == (
        f"{number_text(len(shown))} sur {number_text(len(members))} adhérents")

    QTest.keyClick(page.search, Qt.Key.Key_Return)
    assert page.table.hasFocus()
    assert page.table.selectionModel().selectedRows()[0].row() == 0

    page.search.clear()
    assert page.table.model().rowCount() == len(members)


def test_dashboard_shows_the_real_figures(
    qtbot: QtBot, window: MainWindow, demo_db: Database
) -> None:
    db, actor = demo_db, LOCAL_ADMIN
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardPage)
    wait_idle()  # the figures are read on the background queue
    assert page.tiles["members"].value.text() == number_text(len(list_members(db=db, actor=actor)))
    assert page.tiles["members"].caption.text() == "adhérents"
    assert page.tiles["producers"].value.text() == number_text(
        len(list_producers(db=db, actor=actor)))
    assert page.tiles["products"].value.text() == number_text(
        len(list_products(db=db, actor=actor)))
    assert page.tiles["points"].value.text() == number_text(len(list_points(db=db, actor=actor)))

    open_cycles = split_open_cycles(list_cycles(db=db, actor=actor), TODAY)
    upcoming = page.upcoming.model.rows()
    assert [c.id for c in upcoming] == [c.id for c in open_cycles.upcoming]
    assert all(c.state is CycleState.OPEN and c.date >= TODAY for c in upcoming)
    assert [c.id for c in page.to_close.model.rows()] == [c.id for c in open_cycles.to_close]
    assert all(c.date < TODAY for c in page.to_close.model.rows())
    assert page.upcoming.table.isVisibleTo(page) == bool(upcoming)
    assert page.upcoming.empty.isVisibleTo(page) == (not upcoming)


def test_dashboard_lists_next_and_overdue_distributions(
    qtbot: QtBot, small_co_op_db: Database
) -> None:
    window = MainWindow(small_co_op_db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(window)
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardPage)
    wait_idle()  # the figures are read on the background queue
    # The coming distributions, the draft one of next fortnight too.
    upcoming, draft = page.upcoming.model.rows()
    [overdue] = page.to_close.model.rows()
    assert (upcoming.date - TODAY).days == 7
    assert (draft.date - TODAY).days == 14 and draft.state is CycleState.DRAFT
    assert (overdue.date - TODAY).days == -1
    assert page.upcoming.model.cell_text(0, 1) == "Croix-Rousse, Écully"
    assert page.upcoming.model.cell_text(0, 4) == "56,97\u00a0€"  # 3 × 18,99 €


def test_a_dashboard_figure_opens_its_list(qtbot: QtBot, window: MainWindow) -> None:
    page = window.stack.currentWidget()
    assert isinstance(page, DashboardPage)
    tile = page.tiles["members"]
    QTest.mouseClick(tile, Qt.MouseButton.LeftButton)
    assert window.current_section() == "members"
    assert window.nav.currentItem().text() == "Adhérents"
    window.show_section("dashboard")
    QTest.keyClick(page.tiles["producers"], Qt.Key.Key_Space)
    assert window.current_section() == "producers"


def test_menus_are_french_and_quit_closes_the_window(qtbot: QtBot, window: MainWindow) -> None:
    menus = [action.text() for action in window.menuBar().actions()]
    assert menus == ["&Fichier", "Affic&hage", "&Aide"]
    assert window.quit_action.text() == "&Quitter"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    window.quit_action.trigger()
    assert not window.isVisible()


def test_about_box_tells_what_coopfood_is(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "about",
                        lambda parent, title, text: shown.append((title, text)))
    window.about_action.trigger()
    [(title, text)] = shown
    assert title == "À propos de coopfood"
    assert "coopératives alimentaires" in text


def test_member_table_fits_the_window_and_cut_texts_show_whole_in_a_tooltip(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.show_section("members")
    table = list_page(window).table
    header = table.horizontalHeader()
    assert table.horizontalScrollBar().maximum() == 0
    for section in range(header.count()):
        text = table.model().headerData(section, Qt.Orientation.Horizontal)
        assert header.sectionSize(section) > header.fontMetrics().horizontalAdvance(text)

    email = 3
    widths = {row: table.fontMetrics().horizontalAdvance(table.model().index(row, email).data())
              for row in range(table.model().rowCount())}
    cut = next((row for row, width in widths.items() if width > header.sectionSize(email)), None)
    if cut is None:
        pytest.skip("every e-mail address fits its column on this screen")
    index = table.model().index(cut, email)
    table.scrollTo(index)
    centre = table.visualRect(index).center()
    event = QHelpEvent(QEvent.Type.ToolTip, centre, table.viewport().mapToGlobal(centre))
    QApplication.sendEvent(table.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible)
    assert QToolTip.text() == index.data()


def test_a_coordinator_is_not_offered_the_administrators_file_menu(
    qtbot: QtBot, demo_db: Database
) -> None:
    from coopfood.services import Actor, Role

    coordinator = Actor(name="Marie", role=Role.COORDINATOR, point_ids=frozenset({1}))
    main = MainWindow(demo_db, coordinator, today=lambda: TODAY)
    qtbot.addWidget(main)
    assert not main.restore_action.isVisible()
    assert not main.daily_copies_action.isVisible()
    assert not main.coop_settings_action.isVisible()
    assert not main.users_action.isVisible()
    assert main.quit_action.isVisible()
