"""Order forms in the window: written from the Documents page, filled in, imported back from a
folder on the Orders page after the import's preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, order_forms
from tests.imports.test_import_orders import _ordered
from tests.services.test_cycles import Shop, build_shop, open_cycle
from tests.services.test_order_forms import fill
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, wait_idle, wait_until
from ui.dialogs.import_dialog import ImportDialog
from ui.views.context import PageContext
from ui.views.documents import DocumentsPage
from ui.views.orders import OrderGridPage

FIXED = dt.datetime(2026, 11, 26, 9, 30)


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


@pytest.fixture
def cycle_id(db: Database, shop: Shop) -> int:
    return open_cycle(db, shop)


@pytest.fixture
def documents(qtbot: QtBot, db: Database, cycle_id: int,
              monkeypatch: pytest.MonkeyPatch) -> DocumentsPage:
    monkeypatch.setattr(order_forms, "now", lambda: FIXED)
    page = DocumentsPage(PageContext(db=db, actor=LOCAL_ADMIN))
    qtbot.addWidget(page)
    page.show()
    return page


def test_the_documents_page_writes_pdf_forms_into_the_chosen_folder(
        qtbot: QtBot, documents: DocumentsPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "ask_folder", lambda: tmp_path / "pdf")
    qtbot.mouseClick(documents.forms_pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == [
        "bon-de-commande-2026-03-05-nord.pdf", "bon-de-commande-2026-03-05-sud.pdf"]
    assert documents.status.text() == (
        f"2 bons de commande enregistrés dans {tmp_path / 'pdf'}")


def test_the_chosen_points_only_and_workbooks_per_household(
        qtbot: QtBot, documents: DocumentsPage, shop: Shop, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    documents.all_points.setChecked(False)
    documents.point_boxes()[shop.sud].setChecked(False)
    monkeypatch.setattr(documents, "ask_folder", lambda: tmp_path / "xlsx")
    qtbot.mouseClick(documents.forms_xlsx_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot)
    report = documents.last_forms
    assert report is not None
    assert [f.title for f in report.files] == [
        "Commandes — Nord", "Bon de commande — BERNARD Luc", "Bon de commande — DUPONT Marie",
        "Bon de commande — ÉLUARD Anna"]
    assert all(f.path.is_file() for f in report.files)
    assert documents.status.text().startswith("4 bons de commande enregistrés dans ")


def test_giving_up_the_folder_writes_nothing(
        qtbot: QtBot, documents: DocumentsPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(documents, "ask_folder", lambda: None)
    documents.forms_pdf_button.click()
    wait_idle(qtbot)
    assert documents.last_forms is None and not list(tmp_path.glob("*.pdf"))


def test_a_folder_of_filled_forms_is_previewed_then_imported_into_the_grid(
        qtbot: QtBot, db: Database, shop: Shop, cycle_id: int, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, answers: Answers) -> None:
    report = order_forms.write_order_forms(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id,
                                           out_dir=tmp_path, format="xlsx")
    folder = report.folders[0]
    fill(folder / "bon-de-commande-2026-03-05-dupont-marie.xlsx", {"Œufs": 2, "Tomme": 0.4})
    fill(folder / "bon-de-commande-2026-03-05-eluard-anna.xlsx", {"Yaourt": 12})

    page = OrderGridPage(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.show()
    wait_until(lambda: page.model.grid() is not None)
    page.chooser.choose(cycle_id, shop.nord)
    wait_idle(qtbot)
    monkeypatch.setattr(page, "ask_forms_folder", lambda: folder)
    seen: dict[str, str] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, ImportDialog)
        wait_until(lambda: dialog.preview is not None)
        seen["preview"] = dialog.status.text()
        seen["title"] = dialog.windowTitle()
        click(dialog.import_button)
        wait_until(lambda: dialog.report is not None)
        click(dialog.close_button)

    play_dialogs(monkeypatch, qtbot, user)
    page.import_forms_action.trigger()
    wait_idle(qtbot)
    assert seen == {"preview": "3 à créer, 0 à mettre à jour, 0 inchangé, 0 rejeté",
                    "title": "Importer des bons de commande"}
    assert _ordered(db, cycle_id) == {
        ("DUPONT Marie", "Œufs"): Decimal("2.000"),
        ("DUPONT Marie", "Tomme"): Decimal("0.400"),
        ("ÉLUARD Anna", "Yaourt"): Decimal("12.000"),
    }
    grid = page.model.grid()
    assert grid is not None and grid.quantities[(shop.marie, shop.oeufs)] == 2
