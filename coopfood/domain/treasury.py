"""The treasurer's vocabularies: payment means, ledger entry kinds, cheque states.

Stored as their short English value; a user reads the French label.

Sign of a ledger amount: from the co-op's side of each account, an amount > 0
is owed *to* the co-op (a household's delivered order, a payment made to a
producer) and an amount < 0 is owed *by* the co-op (a household's payment, a
producer's invoice). A household's balance > 0 is what it still has to pay; a
producer's balance < 0 is what the co-op still has to pay it.
"""

from __future__ import annotations

import enum

from coopfood.i18n import _


class PaymentMeans(enum.StrEnum):
    CASH = "cash"
    CHEQUE = "cheque"
    TRANSFER = "transfer"
    CARD = "card"
    DIRECT_DEBIT = "direct_debit"
    #: A local currency (monnaie locale), kept as a cash account of its own.
    LOCAL_CURRENCY = "local_currency"

    @property
    def label(self) -> str:
        return {
            PaymentMeans.CASH: _("Espèces"),
            PaymentMeans.CHEQUE: _("Chèque"),
            PaymentMeans.TRANSFER: _("Virement"),
            PaymentMeans.CARD: _("Carte"),
            PaymentMeans.DIRECT_DEBIT: _("Prélèvement"),
            PaymentMeans.LOCAL_CURRENCY: _("Monnaie locale"),
        }[self]


class EntryKind(enum.StrEnum):
    #: A household's delivered order of one distribution (+).
    ORDER = "order"
    #: An instalment of an AMAP contract (+).
    CONTRACT = "contract"
    #: A yearly membership fee (+).
    FEE = "fee"
    #: A household's payment (−).
    PAYMENT = "payment"
    #: Money the co-op paid back to a household (+).
    REFUND = "refund"
    #: A producer's invoice to the co-op (−).
    INVOICE = "invoice"
    #: A producer's credit note (+).
    CREDIT_NOTE = "credit_note"
    #: A payment the co-op made to a producer (+).
    PAYOUT = "payout"
    #: A correction by hand, with its reason (±).
    ADJUSTMENT = "adjustment"
    #: The cancellation of an earlier entry: its exact opposite.
    REVERSAL = "reversal"

    @property
    def label(self) -> str:
        return {
            EntryKind.ORDER: _("Commande"),
            EntryKind.CONTRACT: _("Échéance de contrat"),
            EntryKind.FEE: _("Cotisation"),
            EntryKind.PAYMENT: _("Règlement"),
            EntryKind.REFUND: _("Remboursement"),
            EntryKind.INVOICE: _("Facture"),
            EntryKind.CREDIT_NOTE: _("Avoir"),
            EntryKind.PAYOUT: _("Paiement au producteur"),
            EntryKind.ADJUSTMENT: _("Correction"),
            EntryKind.REVERSAL: _("Annulation"),
        }[self]


class ChequeStatus(enum.StrEnum):
    PROMISED = "promised"
    RECEIVED = "received"
    #: Handed over to the producer it is made out to (AMAP contracts).
    HANDED_OVER = "handed_over"
    DEPOSITED = "deposited"
    CASHED = "cashed"
    REJECTED = "rejected"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {
            ChequeStatus.PROMISED: _("Promis"),
            ChequeStatus.RECEIVED: _("Reçu"),
            ChequeStatus.HANDED_OVER: _("Remis au producteur"),
            ChequeStatus.DEPOSITED: _("Déposé en banque"),
            ChequeStatus.CASHED: _("Encaissé"),
            ChequeStatus.REJECTED: _("Rejeté"),
            ChequeStatus.RETURNED: _("Rendu"),
        }[self]


#: Where a cheque may go from each state.
CHEQUE_TRANSITIONS: dict[ChequeStatus, frozenset[ChequeStatus]] = {
    ChequeStatus.PROMISED: frozenset({ChequeStatus.RECEIVED, ChequeStatus.RETURNED}),
    ChequeStatus.RECEIVED: frozenset(
        {ChequeStatus.HANDED_OVER, ChequeStatus.DEPOSITED, ChequeStatus.RETURNED}),
    ChequeStatus.HANDED_OVER: frozenset({ChequeStatus.CASHED, ChequeStatus.REJECTED}),
    ChequeStatus.DEPOSITED: frozenset({ChequeStatus.CASHED, ChequeStatus.REJECTED}),
    ChequeStatus.CASHED: frozenset({ChequeStatus.REJECTED}),
    ChequeStatus.REJECTED: frozenset({ChequeStatus.RETURNED}),
    ChequeStatus.RETURNED: frozenset(),
}


class RemittanceKind(enum.StrEnum):
    #: Bordereau de remise de chèques à la banque.
    DEPOSIT = "deposit"
    #: Cheques of a month handed over to the producer they are made out to.
    HANDOVER = "handover"

    @property
    def label(self) -> str:
        return {RemittanceKind.DEPOSIT: _("Remise en banque"),
                RemittanceKind.HANDOVER: _("Remise au producteur")}[self]


class CashCurrency(enum.StrEnum):
    EURO = "eur"
    LOCAL = "local"

    @property
    def label(self) -> str:
        return {CashCurrency.EURO: _("Espèces (euros)"),
                CashCurrency.LOCAL: _("Monnaie locale")}[self]


class MailStatus(enum.StrEnum):
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {MailStatus.SENT: _("Envoyé"), MailStatus.FAILED: _("Échec")}[self]
