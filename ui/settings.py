"""The window's own preferences (last database, geometry, text size, contrast) in a
QSettings file beside the default database, so tests stay in their own data folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from coopfood.persistence.db import data_dir

LAST_DATABASE = "database/last_url"
GEOMETRY = "window/geometry"
WINDOW_STATE = "window/state"
LARGER_TEXT = "display/larger_text"
HIGH_CONTRAST = "display/high_contrast"


def location() -> Path:
    return data_dir() / "coopfood.ini"


def settings() -> QSettings:
    return QSettings(str(location()), QSettings.Format.IniFormat)


def read_bool(key: str) -> bool:
    value = settings().value(key, False)
    return value is True or str(value).lower() in ("true", "1")


def write(key: str, value: object) -> None:
    store = settings()
    store.setValue(key, value)
    store.sync()


def last_database_url() -> str | None:
    value = settings().value(LAST_DATABASE)
    return str(value) if value else None
