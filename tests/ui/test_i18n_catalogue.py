"""Every text the main window shows comes from the gettext catalogue, or is data.

The window is opened on the demo co-op and every section is shown; then every
visible text is gathered — labels, buttons, menus and their actions, tabs, the
horizontal headers of every table, group box titles, placeholders, the window
title — and each must be

* a message id of the extracted template (coopfood/i18n/locale/coopfood.pot),
  a `{placeholder}` of the id matching any text (« Base : {database} »); or
* data, by one simple rule: a text without a letter (numbers, money, dates in
  figures, « — »), or one where no letter remains once the strings stored in
  the database (names of members, producers, products, points, the co-op…)
  and the names of months and days (and template fields, « {coop} ») are taken
  out of it; or a code in capitals and figures (« W691234567 »).

A text that is neither — someone wrote `QLabel("Hello")` — fails the test, which
proves it on a label added on purpose.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.dates import get_day_names, get_month_names
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QCalendarWidget,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from coopfood.i18n import current_locale
from coopfood.persistence.db import Database, describe_url
from coopfood.persistence.models import Base
from tests.ui.drive import play_dialogs
from tools.i18n import LOCALE_DIR, POT, ROOT, compile_catalogues, extract
from ui.main_window import SECTIONS, MainWindow
from ui.views.list_page import ListPage

LANGUAGES = ("en",)


def _msgids() -> list[str]:
    with POT.open("rb") as file:
        catalog = read_po(file)
    ids: list[str] = []
    for message in catalog:
        if not message.id:
            continue
        ids.extend(message.id if isinstance(message.id, tuple) else (message.id,))
    return ids


def _pattern(msgid: str) -> str:
    """`Base : {database}` → `Base\\ :\\ (.+)`; `{{` and `}}` are literal braces."""
    parts = re.split(r"(\{\{|\}\}|\{[^{}]*\})", msgid)
    out = []
    for part in parts:
        if part in ("{{", "}}"):
            out.append(re.escape(part[0]))
        elif part.startswith("{") and part.endswith("}"):
            out.append("(.+?)")
        else:
            out.append(re.escape(part))
    return "".join(out)


class Catalogue:
    def __init__(self, msgids: Iterable[str], data: Iterable[str]) -> None:
        ids = set(msgids)
        self.exact = ids
        self.patterns = [re.compile(_pattern(i), re.DOTALL) for i in ids if "{" in i]
        # Whole words only, longest first, so « Ferme de l'Étang » goes before « Ferme ».
        names = sorted({d for d in data if re.search(r"[^\W\d_]", d)}, key=len, reverse=True)
        self.data = [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)") for n in names]

    def accepts(self, text: str) -> bool:
        text = text.strip()
        if self._accepts(text):
            return True
        # Several messages put together — in rich text, or joined by « · » then by
        # « : » — are each looked up.
        if re.search(r"</?[a-zA-Z][^>]*>", text):
            text = html.unescape(re.sub(r"<[^>]*>", "\n", text).replace("&nbsp;", " "))
        for joint in ("\n", " · ", " : "):
            pieces = [p for p in text.split(joint) if p.strip()]
            if len(pieces) > 1:
                return all(self.accepts(p) for p in pieces)
        return False

    def _accepts(self, text: str) -> bool:
        if not re.search(r"[^\W\d_]", text):  # no letter: a number, money, a date…
            return True
        if re.fullmatch(r"[A-Z0-9]+…?", text):  # a code, or its example: « W691234567 », « FR… »
            return True
        if text in self.exact:
            return True
        # A message with placeholders, each filled with an accepted text.
        for pattern in self.patterns:
            match = pattern.fullmatch(text)
            if match and all(self._accepts(g.strip()) for g in match.groups() if g.strip()):
                return True
        # The data rule: once the stored names are taken out of the text, no letter
        # remains (« Dupont Marie (12) », « Ferme de l'Étang — Brignais »).
        for name in self.data:
            text = name.sub(" ", text)
        text = re.sub(r"\{\w+\}", " ", text)  # the fields of a document's template: « {coop} »
        return not re.search(r"[^\W\d_]", text)


def _database_texts(db: Database) -> set[str]:
    """Every string stored in the database, of every table; and the names of months and
    days, for dates written out by `coopfood.i18n` (« déc. 2026 »)."""
    texts: set[str] = {describe_url(db.url)}
    for width in ("wide", "abbreviated"):
        texts.update(get_month_names(width, locale=current_locale()).values())
        texts.update(get_day_names(width, locale=current_locale()).values())
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text)]
            if not columns:
                continue
            for row in connection.execute(sa.select(*columns)):
                texts.update(v.strip() for v in row if isinstance(v, str) and v.strip())
    return texts


def _in_calendar(widget: QWidget) -> bool:
    """Qt's own calendar (a date field's popup) names months from Qt's locale data."""
    parent: QWidget | None = widget
    while parent is not None:
        if isinstance(parent, QCalendarWidget):
            return True
        parent = parent.parentWidget()
    return False


def visible_texts(window: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a user can read in the window and its pages."""
    yield "window title", window.windowTitle()
    widgets = window.findChildren(QWidget)
    for widget in widgets:
        if _in_calendar(widget):
            continue
        kind = type(widget).__name__
        if isinstance(widget, QLabel | QAbstractButton):
            yield kind, widget.text()
        elif isinstance(widget, QGroupBox):
            yield kind, widget.title()
        elif isinstance(widget, QMenu):
            yield "menu", widget.title()
            for action in widget.actions():
                if not action.isSeparator():
                    yield "menu action", action.text()
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                yield kind, widget.tabText(index)
        elif isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit | QComboBox):
            yield f"{kind} placeholder", widget.placeholderText()
        elif isinstance(widget, QListWidget) and widget.objectName() == "navigation":
            for row in range(widget.count()):
                yield "navigation", widget.item(row).text()
        if isinstance(widget, QTableView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                header = model.headerData(column, Qt.Orientation.Horizontal,
                                          Qt.ItemDataRole.DisplayRole)
                if isinstance(header, str):
                    yield "table header", header
        if widget.isWindow() and widget is not window:
            yield f"{kind} title", widget.windowTitle()


def untranslatable(window: QWidget, catalogue: Catalogue) -> list[tuple[str, str]]:
    return sorted({(where, text) for where, text in visible_texts(window)
                   if text.strip() and not catalogue.accepts(text)})


@pytest.fixture(autouse=True)
def own_preferences(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window keeps its size on closing: in a folder of this test's own."""
    monkeypatch.setenv("COOPFOOD_DATA_DIR", str(tmp_path))


@pytest.fixture(scope="module")
def catalogue_msgids() -> list[str]:
    return _msgids()


def test_every_visible_text_of_the_window_is_in_the_catalogue(
    window: MainWindow, demo_db: Database, catalogue_msgids: list[str]
) -> None:
    for section in SECTIONS:
        window.show_section(section.key)
    catalogue = Catalogue(catalogue_msgids, _database_texts(demo_db))

    missing = untranslatable(window, catalogue)
    assert not missing, "Textes hors du catalogue :\n" + "\n".join(map(repr, missing))

    # A label someone forgot to mark is caught.
    stray = QLabel("Hello", window.page("members"))
    assert ("QLabel", "Hello") in untranslatable(window, catalogue)
    stray.deleteLater()


def test_the_template_is_up_to_date_with_the_sources(
    catalogue_msgids: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every marked text of the sources is in the committed template: run `make i18n`."""
    monkeypatch.chdir(ROOT)
    extract(tmp_path / "coopfood.pot")
    with (tmp_path / "coopfood.pot").open("rb") as file:
        extracted = {i for m in read_po(file) if m.id
                     for i in (m.id if isinstance(m.id, tuple) else (m.id,))}
    missing = sorted(extracted - set(catalogue_msgids))
    assert not missing, "Lancez « make i18n » ; textes à extraire :\n" + "\n".join(missing)


def test_every_visible_text_of_the_dialogs_is_in_the_catalogue(
    window: MainWindow, demo_db: Database, catalogue_msgids: list[str],
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    """The « Nouveau… » dialog of every list, and the co-op's settings, opened and cancelled."""
    catalogue = Catalogue(catalogue_msgids, _database_texts(demo_db))
    missing: list[tuple[str, str, str]] = []

    def look(dialog: QDialog) -> None:
        missing.extend((dialog.windowTitle(), where, text)
                       for where, text in untranslatable(dialog, catalogue))

    opened: list[list[QDialog]] = []
    for section in SECTIONS:
        window.show_section(section.key)
        page = window.page(section.key)
        if isinstance(page, ListPage) and page.new_action.isEnabled():
            opened.append(play_dialogs(monkeypatch, qtbot, look))
            page.new_action.trigger()
    opened.append(play_dialogs(monkeypatch, qtbot, look))
    window.coop_settings_action.trigger()

    assert sum(map(len, opened)) >= 5
    assert not missing, "Textes hors du catalogue :\n" + "\n".join(map(repr, missing))


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_up_to_date_with_the_po(
    language: str, tmp_path: Path
) -> None:
    """The committed .mo says what its .po says (compiled again here, compared by content)."""
    compile_catalogues(tmp_path)

    def messages(path: Path) -> dict[object, object]:
        def hashable(value: object) -> object:
            return tuple(value) if isinstance(value, list | tuple) else value

        with path.open("rb") as file:
            return {hashable(m.id): hashable(m.string) for m in read_mo(file) if m.id}

    relative = Path(language) / "LC_MESSAGES" / "coopfood.mo"
    assert messages(LOCALE_DIR / relative) == messages(tmp_path / relative)
