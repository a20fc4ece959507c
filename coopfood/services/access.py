"""Who may do what: every service checks the actor before it reads or writes.

The single user of a laptop is the local administrator and may do
everything; the finer rules of a multi-user co-op attach here.
"""

from __future__ import annotations

from coopfood.i18n import _
from coopfood.services import Actor, PermissionDenied, Role

#: Roles that keep the co-op's catalogue: producers, products, points, baskets.
CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})
#: Roles that keep households and their contracts.
MEMBER_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})


def require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    """Refuse, with a French message naming the action, an actor outside `roles`."""
    if actor.role not in roles:
        raise PermissionDenied(
            _("{who} n'a pas le droit de {what}.").format(who=actor.name, what=what))


def require_point(actor: Actor, point_id: int | None, what: str) -> None:
    """A coordinator acts only on the households and orders of its own points."""
    if actor.role is Role.COORDINATOR and point_id not in actor.point_ids:
        raise PermissionDenied(
            _("{who} coordonne d'autres points de distribution et ne peut pas {what}.").format(
                who=actor.name, what=what))
