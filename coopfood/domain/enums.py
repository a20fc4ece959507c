"""The closed vocabularies of the domain, with their French labels.

Values are stored in the database as these short English strings; the
French labels are what a user reads.
"""

from __future__ import annotations

import enum

from coopfood.i18n import _


class CycleState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    DISTRIBUTED = "distributed"
    INVOICED = "invoiced"

    @property
    def label(self) -> str:
        return {
            CycleState.DRAFT: _("Brouillon"),
            CycleState.OPEN: _("Ouverte"),
            CycleState.CLOSED: _("Clôturée"),
            CycleState.DISTRIBUTED: _("Distribuée"),
            CycleState.INVOICED: _("Facturée"),
        }[self]


#: The state a cycle may move to from each state (reopening is a coordinator's act).
CYCLE_TRANSITIONS: dict[CycleState, frozenset[CycleState]] = {
    CycleState.DRAFT: frozenset({CycleState.OPEN}),
    CycleState.OPEN: frozenset({CycleState.CLOSED, CycleState.DRAFT}),
    CycleState.CLOSED: frozenset({CycleState.DISTRIBUTED, CycleState.OPEN}),
    CycleState.DISTRIBUTED: frozenset({CycleState.INVOICED}),
    CycleState.INVOICED: frozenset(),
}


class Unit(enum.StrEnum):
    PIECE = "piece"
    KG = "kg"
    G = "g"
    BUNCH = "botte"
    LITRE = "litre"
    DOZEN = "douzaine"
    TRAY = "barquette"
    JAR = "pot"
    BOTTLE = "bouteille"
    BASKET = "panier"

    @property
    def label(self) -> str:
        return {
            Unit.PIECE: _("pièce"),
            Unit.KG: _("kg"),
            Unit.G: _("g"),
            Unit.BUNCH: _("botte"),
            Unit.LITRE: _("litre"),
            Unit.DOZEN: _("douzaine"),
            Unit.TRAY: _("barquette"),
            Unit.JAR: _("pot"),
            Unit.BOTTLE: _("bouteille"),
            Unit.BASKET: _("panier"),
        }[self]


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"

    @property
    def label(self) -> str:
        return {Frequency.WEEKLY: _("Hebdomadaire"), Frequency.FORTNIGHTLY: _("Quinzaine")}[self]


class ShareMode(enum.StrEnum):
    """How a basket shared by two households is given out."""

    ALTERNATE = "alternate"  # one week each
    BOTH = "both"  # each household takes half, every week

    @property
    def label(self) -> str:
        return {
            ShareMode.ALTERNATE: _("En alternance"),
            ShareMode.BOTH: _("Partagé chaque semaine"),
        }[self]


class CaseRule(enum.StrEnum):
    """What closing a cycle does with an incomplete case pack."""

    COMPLETE = "complete"  # order one more case, the co-op takes the rest
    CUT = "cut"  # order full cases only, the last orders are cut

    @property
    def label(self) -> str:
        return {CaseRule.COMPLETE: _("Compléter le colis"), CaseRule.CUT: _("Couper au colis")}[
            self
        ]


class ShortfallRule(enum.StrEnum):
    """How fewer delivered units than ordered are shared between members."""

    PRO_RATA = "pro_rata"
    ORDER_OF_ARRIVAL = "order_of_arrival"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            ShortfallRule.PRO_RATA: _("Au prorata"),
            ShortfallRule.ORDER_OF_ARRIVAL: _("Par ordre d'arrivée"),
            ShortfallRule.NONE: _("Aucune répartition"),
        }[self]


class LineSource(enum.StrEnum):
    """Where an order line came from."""

    SUBSCRIPTION = "subscription"
    A_LA_CARTE = "a_la_carte"
    IMPORT = "import"


class InvoiceBuyer(enum.StrEnum):
    """Who a producer's invoices are made out to."""

    COOP = "coop"  # group purchase: the co-op buys and resells
    HOUSEHOLD = "household"  # AMAP direct sale: one invoice per household

    @property
    def label(self) -> str:
        return {InvoiceBuyer.COOP: _("La coopérative"), InvoiceBuyer.HOUSEHOLD: _("Chaque foyer")}[
            self
        ]


class Role(enum.StrEnum):
    """What a user of the co-op does, hence what it may see and change."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    TREASURER = "treasurer"
    PRODUCER = "producer"

    @property
    def label(self) -> str:
        return {
            Role.ADMIN: _("Administrateur"),
            Role.COORDINATOR: _("Coordinateur"),
            Role.TREASURER: _("Trésorier"),
            Role.PRODUCER: _("Producteur"),
        }[self]
