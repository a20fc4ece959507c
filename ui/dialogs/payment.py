"""The ledger's dialogs: a household's payment, a correction by hand, an entry cancelled.

Each collects what the ledger service needs (`ledger.record_payment`,
`ledger.record_adjustment`, `ledger.reverse_entry`) and saves it off the GUI
thread; a refusal shows under the field it is about. Amounts are typed as
text (« 12,50 », « -3 ») and parsed exactly by the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QRadioButton, QWidget

from coopfood.domain.treasury import PaymentMeans
from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.ledger import EntryRow
from ui.dialogs.fields import SearchCombo, ValueCombo, date_edit, from_qdate, line_edit
from ui.dialogs.form import FormDialog, new_form
from ui.display import date_text, for_screen, money_text

#: The means a household pays with, in the order a volunteer meets them.
MEANS_ORDER = (PaymentMeans.CASH, PaymentMeans.CHEQUE, PaymentMeans.TRANSFER,
               PaymentMeans.CARD, PaymentMeans.LOCAL_CURRENCY, PaymentMeans.DIRECT_DEBIT)


@dataclass(frozen=True)
class Account:
    """A household or a producer to choose in a list: « DUPONT Marie (ADH-0007) »."""

    member_id: int | None
    producer_id: int | None
    text: str


@dataclass(frozen=True)
class PaymentInput:
    member_id: int
    amount: str
    means: PaymentMeans
    entry_date: dt.date
    reference: str


@dataclass(frozen=True)
class AdjustmentInput:
    member_id: int | None
    producer_id: int | None
    amount: str
    label: str
    entry_date: dt.date


@dataclass(frozen=True)
class ReversalInput:
    entry_id: int
    reason: str
    entry_date: dt.date


def _choose(accounts: Sequence[Account], current: Account | None) -> SearchCombo[Account]:
    combo: SearchCombo[Account] = SearchCombo([(a.text, a) for a in accounts], current=current)
    if current is None:
        combo.setCurrentIndex(-1)
    combo.setAccessibleName(_("Compte"))
    return combo


class PaymentDialog(FormDialog[PaymentInput]):
    """« Enregistrer un règlement » : a household, an amount, how, when, its reference."""

    def __init__(self, parent: QWidget | None, *, households: Sequence[Account],
                 today: dt.date, save: Callable[[PaymentInput], object] | None,
                 household: Account | None = None, amount: Decimal | None = None) -> None:
        super().__init__(parent, title=_("Enregistrer un règlement"), save=save)
        form = new_form()
        self.household = _choose(households, household)
        self.add_field(form, "member_id", _("Foyer"), self.household,
                       hint=_("Tapez une partie du nom ou la référence (ADH-…)."))
        self.amount = line_edit("" if amount is None or amount <= 0 else
                                f"{amount:.2f}".replace(".", ","),
                                placeholder=_("12,50"), width_chars=12)
        self.add_field(form, "amount", _("Montant (€)"), self.amount)
        self.means: ValueCombo[PaymentMeans] = ValueCombo(
            [(m.label, m) for m in MEANS_ORDER], current=PaymentMeans.CASH)
        self.add_field(form, "means", _("Moyen de paiement"), self.means)
        self.entry_date = date_edit(today)
        self.add_field(form, "entry_date", _("Date"), self.entry_date)
        self.reference = line_edit(placeholder=_("n° de chèque, libellé du virement…"),
                                   max_length=80)
        self.add_field(form, "reference", _("Référence"), self.reference)
        self.body.addLayout(form)
        self.resize(520, self.sizeHint().height())

    def collect(self) -> PaymentInput:
        account = self.household.value()
        if account is None or account.member_id is None:
            raise ValidationError(_("Choisissez le foyer qui paie dans la liste."),
                                  field="member_id")
        if not self.amount.text().strip():
            raise ValidationError(_("Tapez le montant payé, par exemple 12,50."), field="amount")
        return PaymentInput(member_id=account.member_id, amount=self.amount.text().strip(),
                            means=self.means.value() or PaymentMeans.CASH,
                            entry_date=from_qdate(self.entry_date.date()),
                            reference=self.reference.text().strip())


class AdjustmentDialog(FormDialog[AdjustmentInput]):
    """« Correction… » : an amount added to (or taken from) an account, with its reason."""

    def __init__(self, parent: QWidget | None, *, households: Sequence[Account],
                 producers: Sequence[Account], today: dt.date,
                 save: Callable[[AdjustmentInput], object] | None,
                 account: Account | None = None) -> None:
        super().__init__(parent, title=_("Correction d'un compte"), save=save)
        self.field_aliases = {"member_id": "account", "producer_id": "account"}
        form = new_form()
        self.households, self.producers = list(households), list(producers)
        self.of_household = QRadioButton(_("Un foyer"))
        self.of_producer = QRadioButton(_("Un producteur"))
        group = QButtonGroup(self)
        for button in (self.of_household, self.of_producer):
            group.addButton(button)
        on_producer = account is not None and account.producer_id is not None
        (self.of_producer if on_producer else self.of_household).setChecked(True)
        self.of_producer.setEnabled(bool(self.producers))
        kinds = QWidget()
        row = QHBoxLayout(kinds)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.of_household)
        row.addWidget(self.of_producer)
        row.addStretch(1)
        form.addRow(_("Compte de"), kinds)
        self.account = _choose(self.producers if on_producer else self.households, account)
        self.add_field(form, "account", _("Compte"), self.account)
        self.of_household.toggled.connect(self._switch)
        self.amount = line_edit(placeholder=_("3,00 ou -3,00"), width_chars=12)
        self.add_field(form, "amount", _("Montant (€)"), self.amount, hint=_(
            "Positif : s'ajoute à ce que le compte doit à la coopérative ; négatif : "
            "s'en déduit (un geste, une erreur en sa faveur)."))
        self.reason = line_edit(placeholder=_("Par exemple : sac isotherme non rendu"),
                                max_length=250)
        self.add_field(form, "label", _("Motif"), self.reason,
                       hint=_("Imprimé sur le relevé du foyer."))
        self.entry_date = date_edit(today)
        self.add_field(form, "entry_date", _("Date"), self.entry_date)
        self.body.addLayout(form)
        self.resize(560, self.sizeHint().height())

    def _switch(self, household: bool) -> None:
        accounts = self.households if household else self.producers
        self.account.set_items([(a.text, a) for a in accounts])
        self.account.setCurrentIndex(-1)
        self.clear_error("account")

    def collect(self) -> AdjustmentInput:
        account = self.account.value()
        if account is None:
            raise ValidationError(_("Choisissez le compte à corriger dans la liste."),
                                  field="account")
        if not self.amount.text().strip():
            raise ValidationError(_("Tapez le montant de la correction, par exemple -3,00."),
                                  field="amount")
        return AdjustmentInput(member_id=account.member_id, producer_id=account.producer_id,
                               amount=self.amount.text().strip(),
                               label=self.reason.text().strip(),
                               entry_date=from_qdate(self.entry_date.date()))


class ReversalDialog(FormDialog[ReversalInput]):
    """« Annuler l'écriture… » : an entry cancelled by its exact opposite, with why."""

    def __init__(self, parent: QWidget | None, *, entry: EntryRow, today: dt.date,
                 save: Callable[[ReversalInput], object] | None) -> None:
        super().__init__(parent, title=_("Annuler une écriture"), save=save,
                         ok_text=_("Annuler l'écriture"))
        self.entry = entry
        self.cancel_button.setText(_("Fermer"))
        form = new_form()
        what = QLabel(for_screen(_("{date} — {account} — {label} : {amount}").format(
            date=date_text(entry.entry_date, style="short"), account=entry.account_name,
            label=entry.label, amount=money_text(entry.amount))))
        what.setWordWrap(True)
        what.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow(_("Écriture"), what)
        form.addRow("", QLabel(_("Une écriture opposée l'annule : rien n'est effacé, les "
                                 "deux restent au grand livre.")))
        self.reason = line_edit(placeholder=_("Par exemple : chèque rejeté par la banque"),
                                max_length=200)
        self.add_field(form, "reason", _("Motif"), self.reason)
        self.entry_date = date_edit(max(today, entry.entry_date))
        self.add_field(form, "entry_date", _("Date"), self.entry_date)
        self.body.addLayout(form)
        self.resize(600, self.sizeHint().height())

    def collect(self) -> ReversalInput:
        if not self.reason.text().strip():
            raise ValidationError(_("Dites pourquoi vous annulez cette écriture."),
                                  field="reason")
        return ReversalInput(entry_id=self.entry.id, reason=self.reason.text().strip(),
                             entry_date=from_qdate(self.entry_date.date()))


__all__ = [
    "Account",
    "AdjustmentDialog",
    "AdjustmentInput",
    "PaymentDialog",
    "PaymentInput",
    "ReversalDialog",
    "ReversalInput",
]
