"""What every page is built from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from coopfood.persistence.db import Database
from coopfood.services import Actor, Role


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


#: The sections a producer's account uses: it only reads its own figures, products,
#: baskets, contracts, pickup lists and invoices.
PRODUCER_SECTIONS = frozenset({"dashboard", "producers", "products", "baskets", "contracts",
                               "documents", "invoices"})
#: Sections hidden from a role (the services refuse what is in them anyway).
HIDDEN_SECTIONS: dict[Role, frozenset[str]] = {
    Role.COORDINATOR: frozenset({"invoices"}),
}


def may_see(actor: Actor, section: str) -> bool:
    """Whether the main window shows a section to this actor."""
    if actor.role is Role.PRODUCER:
        return section in PRODUCER_SECTIONS
    return section not in HIDDEN_SECTIONS.get(actor.role, frozenset())
