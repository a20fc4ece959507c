"""Comfort of the main window: remembered sizes, the list of keyboard shortcuts, icons,
larger text and high contrast.

`decorate(window)` adds the « Affichage » menu and « Aide → Raccourcis clavier », puts
Qt's standard icons on the main actions (not on the navigation: an icon widens it by
25 pixels, which the member list does not have in a 1200-pixel window), and restores
what the settings remember; `save_layout(window)` remembers the window's geometry and the
splitters and columns of the pages that were shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QMainWindow,
    QMenu,
    QSplitter,
    QStyle,
    QTableView,
    QWidget,
)

from coopfood.i18n import N_, _
from ui import settings

#: « Texte plus grand » makes every font this much larger.
LARGER_TEXT_FACTOR = 1.25
_BASE_POINT_SIZE = "coopfood_base_point_size"

SP = QStyle.StandardPixmap

#: Keys the pages document (in their tooltips and hints) besides the menus' shortcuts.
PAGE_KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+F", N_("Listes : aller à la recherche")),
    ("Ctrl+N", N_("Listes : nouvelle fiche")),
    ("Entrée", N_("Listes : modifier la fiche choisie")),
    ("Entrée", N_("Grille des commandes : case suivante (Maj+Entrée : précédente)")),
    ("Tab", N_("Grille des commandes : colonne suivante")),
    ("Suppr", N_("Grille des commandes : vider la case")),
    ("Ctrl+Z", N_("Grille des commandes : annuler la saisie")),
    ("Ctrl+Y", N_("Grille des commandes : rétablir la saisie annulée")),
    ("F5", N_("Grille des commandes : relire la grille")),
)


@dataclass
class Comfort:
    view_menu: QMenu
    larger_text_action: QAction
    high_contrast_action: QAction
    shortcuts_action: QAction


def decorate(window: QMainWindow) -> Comfort:
    """Icons, accessible names, the « Affichage » menu, the shortcut list, remembered sizes."""
    style = window.style()
    for name, pixmap in (("quit_action", SP.SP_DialogCloseButton),
                         ("backup_action", SP.SP_DialogSaveButton),
                         ("restore_action", SP.SP_DialogOpenButton),
                         ("coop_settings_action", SP.SP_FileDialogDetailedView),
                         ("about_action", SP.SP_MessageBoxInformation)):
        action = getattr(window, name, None)
        if isinstance(action, QAction) and action.icon().isNull():
            action.setIcon(style.standardIcon(pixmap))
    stack = getattr(window, "stack", None)
    if isinstance(stack, QWidget) and not stack.accessibleName():
        stack.setAccessibleName(_("Section affichée"))
    for name, accessible in (("database_label", _("Base de données ouverte")),
                             ("coop_label", _("Coopérative"))):
        label = getattr(window, name, None)
        if isinstance(label, QWidget) and not label.accessibleName():
            label.setAccessibleName(accessible)

    view_menu = QMenu(_("Affic&hage"), window)
    larger = view_menu.addAction(_("Texte plus &grand"))
    larger.setCheckable(True)
    larger.setShortcut(QKeySequence("Ctrl++"))
    larger.setChecked(settings.read_bool(settings.LARGER_TEXT))
    def larger_toggled(on: bool) -> None:
        set_larger_text(on, remember=True)
        _refit(window)

    larger.toggled.connect(larger_toggled)
    contrast = view_menu.addAction(_("Contraste &élevé"))
    contrast.setCheckable(True)
    contrast.setChecked(settings.read_bool(settings.HIGH_CONTRAST))
    contrast.toggled.connect(lambda on: set_high_contrast(on, remember=True))

    help_menu = _menu_holding(window, getattr(window, "about_action", None))
    shortcuts = QAction(_("&Raccourcis clavier"), window)
    shortcuts.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
    shortcuts.setIcon(style.standardIcon(SP.SP_DialogHelpButton))
    shortcuts.triggered.connect(lambda: show_shortcuts(window))
    if help_menu is not None:
        existing = help_menu.actions()
        if existing:
            help_menu.insertAction(existing[0], shortcuts)
            help_menu.insertSeparator(existing[0])
        else:
            help_menu.addAction(shortcuts)
        window.menuBar().insertMenu(help_menu.menuAction(), view_menu)
    else:
        window.menuBar().addMenu(view_menu)
        window.addAction(shortcuts)

    if larger.isChecked():
        set_larger_text(True)
    if contrast.isChecked():
        set_high_contrast(True)
    restore_window(window)
    return Comfort(view_menu, larger, contrast, shortcuts)


def _refit(window: QMainWindow) -> None:
    """After a change of text size: the navigation as wide as its longest section, and
    the pages built anew so that their columns fit the new text."""
    nav = window.findChild(QListWidget, "navigation")
    if nav is not None:
        nav.setFixedWidth(nav.sizeHintForColumn(0) + 2 * nav.frameWidth() + 16)
    reload_all = getattr(window, "reload_all", None)
    if callable(reload_all):
        reload_all()


def _menu_holding(window: QMainWindow, action: object) -> QMenu | None:
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu) and action in menu.actions():
            return menu
    return None


# --- shortcuts --------------------------------------------------------------------------

def _menu_shortcuts(menu: QMenu, path: str) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for action in menu.actions():
        label = action.text().replace("&", "").rstrip("…").strip()
        sub = action.menu()
        if isinstance(sub, QMenu):
            rows.extend(_menu_shortcuts(sub, f"{path} → {label}"))
        for key in action.shortcuts():
            rows.append((key.toString(QKeySequence.SequenceFormat.NativeText),
                         f"{path} → {label}"))
    return rows


def shortcut_list(window: QMainWindow) -> list[tuple[str, str]]:
    """Every shortcut of the window: (keys, what they do), the menus' first."""
    rows: list[tuple[str, str]] = []
    for top in window.menuBar().actions():
        menu = top.menu()
        if isinstance(menu, QMenu):
            rows.extend(_menu_shortcuts(menu, top.text().replace("&", "")))
    rows.extend((key, _(what)) for key, what in PAGE_KEYS)
    return rows


def show_shortcuts(window: QMainWindow) -> None:
    from ui.dialogs import messages

    messages.show_shortcuts(window, shortcut_list(window))


# --- larger text and high contrast ---------------------------------------------------------

def _app() -> QApplication | None:
    app = QApplication.instance()
    return app if isinstance(app, QApplication) else None


def set_larger_text(on: bool, *, remember: bool = False) -> None:
    app = _app()
    if app is None:
        return
    base = app.property(_BASE_POINT_SIZE)
    if not base:
        base = app.font().pointSizeF()
        app.setProperty(_BASE_POINT_SIZE, base)
    font = app.font()
    before = font.pointSizeF()
    font.setPointSizeF(float(base) * (LARGER_TEXT_FACTOR if on else 1.0))
    app.setFont(font)
    ratio = font.pointSizeF() / before if before > 0 else 1.0
    if abs(ratio - 1.0) > 1e-6:
        # Titles, the navigation, the dashboard's figures set their own font: scale them too.
        for widget in app.allWidgets():
            own = widget.font()
            if widget.testAttribute(Qt.WidgetAttribute.WA_SetFont) and own.pointSizeF() > 0:
                own.setPointSizeF(own.pointSizeF() * ratio)
                widget.setFont(own)
    if remember:
        settings.write(settings.LARGER_TEXT, on)


def high_contrast_palette() -> QPalette:
    """White on black, yellow selection: readable for weak eyes and on a dim screen."""
    palette = QPalette()
    black, white, yellow = QColor("#000000"), QColor("#ffffff"), QColor("#ffff00")
    role = QPalette.ColorRole
    for r, color in ((role.Window, black), (role.WindowText, white), (role.Base, black),
                     (role.AlternateBase, QColor("#202020")), (role.Text, white),
                     (role.Button, QColor("#101010")), (role.ButtonText, white),
                     (role.Highlight, yellow), (role.HighlightedText, black),
                     (role.ToolTipBase, black), (role.ToolTipText, white),
                     (role.PlaceholderText, QColor("#c8c8c8")), (role.Link, QColor("#00ffff")),
                     (role.BrightText, yellow), (role.Light, white), (role.Mid, white),
                     (role.Dark, QColor("#c8c8c8")), (role.Shadow, white)):
        palette.setColor(r, color)
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor("#9a9a9a"))
    return palette


def set_high_contrast(on: bool, *, remember: bool = False) -> None:
    app = _app()
    if app is None:
        return
    app.setPalette(high_contrast_palette() if on else app.style().standardPalette())
    # A widget with a style sheet keeps the palette it was polished with: polish it anew.
    for widget in app.allWidgets():
        sheet = widget.styleSheet()
        if sheet:
            widget.setStyleSheet(sheet)
    if remember:
        settings.write(settings.HIGH_CONTRAST, on)


# --- remembered sizes ---------------------------------------------------------------------

def _bytes(value: object) -> QByteArray | None:
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, bytes | bytearray) and value:
        return QByteArray(bytes(value))
    return None


def restore_window(window: QMainWindow) -> None:
    store = settings.settings()
    geometry = _bytes(store.value(settings.GEOMETRY))
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = _bytes(store.value(settings.WINDOW_STATE))
    if state is not None:
        window.restoreState(state)


_USER_WIDTHS = "coopfood_user_widths"


def _splitters(page: QWidget) -> list[tuple[str, QSplitter]]:
    return [(f"splitter{index}", splitter)
            for index, splitter in enumerate(page.findChildren(QSplitter))]


def _tables(page: QWidget) -> list[tuple[str, QTableView]]:
    return [(f"columns{index}", table)
            for index, table in enumerate(page.findChildren(QTableView))]


def user_column_widths(table: QTableView) -> dict[int, int]:
    """The widths the user dragged columns to (the page's own fitting gives way to them)."""
    raw = table.property(_USER_WIDTHS)
    try:
        loaded = json.loads(raw) if isinstance(raw, str) and raw else {}
        return {int(k): int(v) for k, v in loaded.items()}
    except (ValueError, TypeError, AttributeError):
        return {}


def apply_user_column_widths(table: QTableView) -> None:
    header = table.horizontalHeader()
    for section, width in user_column_widths(table).items():
        if 0 <= section < header.count() and width > 0:
            header.resizeSection(section, width)


def _remember_user_drags(table: QTableView) -> None:
    def resized(section: int, _old: int, new: int) -> None:
        # Only a drag with the mouse is the user's choice; the page's fitting is not.
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            widths = user_column_widths(table)
            widths[section] = new
            table.setProperty(_USER_WIDTHS, json.dumps(widths))

    table.horizontalHeader().sectionResized.connect(resized)


def restore_page_layout(key: str, page: QWidget) -> None:
    store = settings.settings()
    for name, splitter in _splitters(page):
        state = _bytes(store.value(f"layout/{key}/{name}"))
        if state is not None:
            splitter.restoreState(state)
    for name, table in _tables(page):
        saved = store.value(f"layout/{key}/{name}")
        if isinstance(saved, str) and saved:
            table.setProperty(_USER_WIDTHS, saved)
            apply_user_column_widths(table)
        _remember_user_drags(table)


def save_layout(window: QMainWindow, pages: dict[str, QWidget]) -> None:
    store = settings.settings()
    store.setValue(settings.GEOMETRY, window.saveGeometry())
    store.setValue(settings.WINDOW_STATE, window.saveState())
    for key, page in pages.items():
        for name, splitter in _splitters(page):
            store.setValue(f"layout/{key}/{name}", splitter.saveState())
        for name, table in _tables(page):
            widths = user_column_widths(table)
            if widths:
                store.setValue(f"layout/{key}/{name}", json.dumps(widths))
    store.sync()
