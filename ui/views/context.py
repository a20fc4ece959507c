"""What every page is built from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from coopfood.persistence.db import Database
from coopfood.services import Actor


def _no_navigation(section: str) -> None:
    """Navigation callback of a page shown outside the main window."""


@dataclass(frozen=True)
class PageContext:
    db: Database
    actor: Actor
    #: Asks the main window to show another section, by its key ("members"…).
    navigate: Callable[[str], None] = _no_navigation
    #: The day the pages count from ("next distribution"); a test may fix it.
    today: Callable[[], dt.date] = field(default=dt.date.today)
