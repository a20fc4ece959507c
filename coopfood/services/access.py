"""Who may do what: every service checks the actor before it reads or writes.

The single user of a laptop is the local administrator and may do
everything; in multi-user mode (coopfood.services.users) each person logs in
and acts with the role of its account:

- administrator: everything, and alone the users and the mode, restoring a
  backup, erasing a household's personal data (RGPD);
- coordinator: the households, contracts, orders, distributions, sign-in
  sheets, shifts and payments taken at a distribution, of its own points only
  (`require_point`); the catalogue (producers, products, prices, baskets); no
  invoice, no refund, no ledger;
- treasurer: money — payments, refunds, the ledger, cheques, bank, invoices
  and credit notes, backups; reads every household and order (bank lines are
  matched against them), keeps households' fees and contacts and producers'
  billing identity (IBAN, SIRET, mandate); does not change products, prices,
  baskets or points, nor orders and deliveries;
- producer: reads only its own pickup lists, products, invoices and account.

The window hides what a role may not use, but the services refuse it anyway:
a refusal is a `PermissionDenied` whose French message names who and what.
"""

from __future__ import annotations

from coopfood.i18n import _
from coopfood.services import Actor, PermissionDenied, Role

#: Roles that keep the co-op's catalogue: products, prices, basket types, points. Not the
#: treasurer: what is sold and at which price is settled by those who run distributions.
CATALOGUE_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR})
#: Roles that keep producers' records: the treasurer too, for their billing identity
#: (IBAN, SIRET, VAT regime, billing mandate) that invoices and transfers rest on.
PRODUCER_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})
#: Roles that keep households and their contracts.
MEMBER_EDITORS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})
#: Who erases a household's personal data (RGPD): it cannot be undone.
ERASERS = frozenset({Role.ADMIN})
#: Who manages the users and switches between single- and multi-user mode.
USER_ADMINS = frozenset({Role.ADMIN})


#: Before these, French elides « de » into « d' » (« d'émettre », « d'archiver »).
_VOWELS = frozenset("aàâäeéèêëiîïoôöuùûüy")


def require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    """Refuse, with a French message naming the action, an actor outside `roles`."""
    if actor.role not in roles:
        sentence = (_("{who} n'a pas le droit d'{what}.") if what[:1].lower() in _VOWELS
                    else _("{who} n'a pas le droit de {what}."))
        raise PermissionDenied(sentence.format(who=actor.name, what=what))


def require_point(actor: Actor, point_id: int | None, what: str) -> None:
    """A coordinator acts only on the households and orders of its own points."""
    if actor.role is Role.COORDINATOR and point_id not in actor.point_ids:
        raise PermissionDenied(
            _("{who} coordonne d'autres points de distribution et ne peut pas {what}.").format(
                who=actor.name, what=what))


def visible_points(actor: Actor) -> frozenset[int] | None:
    """The points whose households the actor sees: a coordinator's own, None for all."""
    return actor.point_ids if actor.role is Role.COORDINATOR else None
