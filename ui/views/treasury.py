"""Trésorerie: the treasurer's tabs — balances, ledger, cheques, cash box, bank, payouts.

Each tab lives in its own module and is built the first time it is shown (a
volunteer opening the section to check one balance does not pay for the bank
screen); a tab is refreshed each time it comes to the front, so what one tab
changed (a cheque received) shows on the others (the household's balance).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol, cast

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from coopfood.i18n import N_, _
from coopfood.services import Role
from ui.views.context import PageContext


class TreasuryTab(Protocol):
    def refresh(self) -> None: ...


@dataclass(frozen=True)
class TabSpec:
    key: str
    label: str
    #: "module:Class", the class taking the page context.
    target: str
    #: Who sees the tab (the services refuse the others anyway).
    roles: frozenset[Role]


_MONEY = frozenset({Role.ADMIN, Role.TREASURER})
_TAKERS = frozenset({Role.ADMIN, Role.TREASURER, Role.COORDINATOR})

TABS: tuple[TabSpec, ...] = (
    TabSpec("balances", N_("Soldes"), "ui.views.treasury_balances:TreasuryBalancesTab", _TAKERS),
    TabSpec("ledger", N_("Grand livre"), "ui.views.treasury_ledger:LedgerTab", _MONEY),
    TabSpec("cheques", N_("Chèques"), "ui.views.treasury_cheques:ChequesTab", _TAKERS),
    TabSpec("cash", N_("Caisse"), "ui.views.treasury_cash:CashTab", _TAKERS),
    TabSpec("bank", N_("Banque"), "ui.views.treasury_bank:BankTab", _MONEY),
    TabSpec("payouts", N_("Paiements producteurs"), "ui.views.treasury_payouts:PayoutsTab",
            _MONEY),
)


class TreasuryPage(QWidget):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self.context = context
        self.setObjectName("treasury")
        layout = QVBoxLayout(self)
        title = QLabel(_("Trésorerie"))
        title.setObjectName("pageTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_("Onglets de la trésorerie"))
        layout.addWidget(self.tabs, 1)
        self.specs = [spec for spec in TABS if context.actor.role in spec.roles]
        self.built: dict[str, QWidget] = {}
        for spec in self.specs:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, _(spec.label))
        self.tabs.currentChanged.connect(self._shown)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._shown(self.tabs.currentIndex())

    def tab(self, key: str) -> QWidget:
        """The tab of that key, built if need be (tests and the dashboard's links use it)."""
        index = next(i for i, spec in enumerate(self.specs) if spec.key == key)
        return self._build(index)

    def show_tab(self, key: str) -> QWidget:
        widget = self.tab(key)
        self.tabs.setCurrentIndex(next(i for i, s in enumerate(self.specs) if s.key == key))
        return widget

    def _build(self, index: int) -> QWidget:
        spec = self.specs[index]
        if spec.key not in self.built:
            module_name, class_name = spec.target.split(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            widget = cast(QWidget, cls(self.context))
            holder = self.tabs.widget(index)
            assert holder is not None
            layout = holder.layout()
            assert layout is not None
            layout.addWidget(widget)
            self.built[spec.key] = widget
        return self.built[spec.key]

    def _shown(self, index: int) -> None:
        if index < 0:
            return
        widget = self._build(index)
        cast(TreasuryTab, widget).refresh()


def build_treasury_page(context: PageContext) -> QWidget:
    return TreasuryPage(context)
