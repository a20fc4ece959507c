"""Use cases: the only door to the data.

Every service function takes keyword-only arguments, among them the `Database`
and the `Actor` who acts; it runs in one transaction and returns plain frozen
dataclasses, never ORM objects. Errors a user can meet are `ServiceError`s
whose message is French and says what is wrong.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from coopfood.domain.enums import Role as Role  # re-exported: services name who acts
from coopfood.i18n import _


@dataclass(frozen=True)
class Actor:
    """Who is acting: every service call knows it, the access rules attach here."""

    name: str
    role: Role
    user_id: int | None = None
    #: For a coordinator, the distribution points it looks after.
    point_ids: frozenset[int] = field(default_factory=frozenset)
    #: For a producer account, which producer it is.
    producer_id: int | None = None


#: The single user of a laptop with no login: the co-op's local administrator.
LOCAL_ADMIN = Actor(name="Administrateur local", role=Role.ADMIN)


class ServiceError(Exception):
    """An error a user can act on; `str(error)` is a French sentence."""


class NotFound(ServiceError):
    pass


class PermissionDenied(ServiceError):
    pass


class Referenced(ServiceError):
    """A deletion refused because other records refer to this one: archive it instead."""


class StaleData(ServiceError):
    def __init__(self, what: str) -> None:
        super().__init__(
            _(
                "{what} a été modifié par quelqu'un d'autre entre-temps : rechargez et recommencez."
            ).format(what=what)
        )


class ValidationError(ServiceError):
    """Bad input; `field` names the input at fault so the window can show it there."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class Cancelled(ServiceError):
    def __init__(self) -> None:
        super().__init__(_("Opération annulée : rien n'a été enregistré."))


#: Progress of long work: called with (done, total, what); raising `Cancelled`
#: from it stops the work, whose transaction is then rolled back.
ProgressCallback = Callable[[int, int, str], None]


def no_progress(done: int, total: int, what: str) -> None:
    """The progress callback that reports nowhere."""
