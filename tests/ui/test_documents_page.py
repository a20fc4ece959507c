"""The Documents section: choose, preview inside the window, save, print — the same files
as the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, printing
from coopfood.services.printing import DocumentKind
from main import entry
from tests.documents.support import awkward_co_op
from ui.main_window import MainWindow
from ui.views.context import PageContext
from ui.views.documents import DocumentsPage
from ui.worker import wait_until_idle

FIXED = dt.datetime(2026, 11, 26, 9, 30)


@pytest.fixture
def page(qtbot: QtBot, db: Database, monkeypatch: pytest.MonkeyPatch) -> DocumentsPage:
    awkward_co_op(db, big_point_households=30)
    monkeypatch.setattr(printing, "now", lambda: FIXED)
    widget = DocumentsPage(PageContext(db=db, actor=LOCAL_ADMIN))
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    return widget


def _finish(qtbot: QtBot) -> None:
    assert wait_until_idle()
    qtbot.wait(10)


def test_the_window_section_is_this_page(window: MainWindow) -> None:
    window.show_section("documents")
    page = window.page("documents")
    assert isinstance(page, DocumentsPage)
    assert page.cycle_combo.count() == 8  # the demo's distributions, newest first
    assert page.cycle_combo.itemText(0).startswith("jeudi 3 décembre 2026")


def test_preview_renders_pages_inside_the_window(qtbot: QtBot, page: DocumentsPage) -> None:
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(DocumentKind.SHEETS.value))
    qtbot.mouseClick(page.preview_button, Qt.MouseButton.LeftButton)
    _finish(qtbot)
    assert page.last_report is not None and len(page.last_report.files) == 2
    assert page.file_combo.count() == 2 and page.file_combo.isVisible()
    assert page.preview_view.page_count == page.last_report.files[0].pages
    assert 0 in page.preview_view.rendered_pages()
    assert "2 fichiers" in page.status.text()


def test_chosen_points_only(qtbot: QtBot, page: DocumentsPage) -> None:
    page.all_points.setChecked(False)
    boxes = page.point_boxes()
    assert len(boxes) == 2 and all(box.isEnabled() for box in boxes.values())
    first, second = boxes.values()
    second.setChecked(False)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(DocumentKind.GRID.value))
    page.preview()
    _finish(qtbot)
    assert page.last_report is not None
    assert [f.title for f in page.last_report.files] == [f"Grille produits × adhérents — "
                                                         f"{first.text()}"]


def test_save_writes_the_same_files_as_the_command_line(
        qtbot: QtBot, page: DocumentsPage, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(DocumentKind.LABELS.value))
    monkeypatch.setattr(page, "ask_folder", lambda: tmp_path / "window")
    page.save()
    _finish(qtbot)
    assert "enregistrés dans" in page.status.text()
    cycle_id = page.current_cycle().id  # type: ignore[union-attr]
    assert entry(["--db", db.url, "print", "labels", "--cycle", str(cycle_id),
                  "--out", str(tmp_path / "cli")]) == 0
    window_files = {p.name: p.read_bytes() for p in (tmp_path / "window").iterdir()}
    cli_files = {p.name: p.read_bytes() for p in (tmp_path / "cli").iterdir()}
    assert window_files == cli_files and len(window_files) == 2


def test_print_sends_every_page_to_the_printer(
        qtbot: QtBot, page: DocumentsPage, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
    monkeypatch.setattr(page, "ask_printer", lambda: printer)
    page.kind_combo.setCurrentIndex(page.kind_combo.findData(DocumentKind.PICKUP.value))
    page.print_documents()
    _finish(qtbot)
    assert page.last_report is not None
    pages = page.last_report.pages
    assert page.status.text() == f"{pages} pages envoyées à l'imprimante."
    assert (tmp_path / "imprime.pdf").stat().st_size > 1000


def test_no_point_checked_is_refused(qtbot: QtBot, page: DocumentsPage,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    from ui.dialogs import messages

    monkeypatch.setattr(messages, "show_error", lambda _p, text, **_k: shown.append(text))
    page.all_points.setChecked(False)
    for box in page.point_boxes().values():
        box.setChecked(False)
    page.preview()
    assert shown == ["Cochez au moins un point de distribution."]
