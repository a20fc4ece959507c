"""The cheque register's dialogs: a cheque, a rejection or a return, a month's hand-over to a
producer, a contract's promised cheques, a slip to print again.

Each collects what its service needs and, through `ask()`, hands it back or
saves it off the GUI thread (`FormDialog`): a service's refusal shows under
the field it names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QRadioButton, QWidget

from coopfood.domain.treasury import CHEQUE_TRANSITIONS, ChequeStatus
from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.cheques import (
    BANK_MAX,
    DRAWER_MAX,
    NOTE_MAX,
    NUMBER_MAX,
    ChequeInput,
    ChequeRow,
    RemittanceRow,
    month_label,
    record_cheque,
    update_cheque,
)
from coopfood.services.contracts import ContractRow, list_contracts
from coopfood.services.lists import (
    MemberRow,
    ProducerRow,
    list_basket_types,
    list_members,
    list_producers,
)
from ui.dialogs.fields import (
    OptionalDateEdit,
    SearchCombo,
    ValueCombo,
    line_edit,
    money_input_text,
)
from ui.dialogs.form import FormDialog, new_form
from ui.dialogs.member import NO_CHOICE, member_choice_text
from ui.display import counted, date_text, money_text
from ui.views.context import PageContext

#: Months offered to cash a cheque in: a year back, a year and a half ahead.
MONTHS_BACK = 12
MONTHS_AHEAD = 18


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def month_choices(today: dt.date, *, keep: Sequence[str] = ()) -> list[tuple[str, str]]:
    """(« mars 2027 », "2027-03") around today, and the months in `keep` whatever they are."""
    first = today.replace(day=1)
    year, month = first.year, first.month - MONTHS_BACK
    while month < 1:
        year, month = year - 1, month + 12
    keys = set(keep)
    for _n in range(MONTHS_BACK + MONTHS_AHEAD + 1):
        keys.add(f"{year:04d}-{month:02d}")
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)
    return [(month_label(key), key) for key in sorted(k for k in keys if k)]


def contract_choice_text(row: ContractRow) -> str:
    return _("{basket} — {producer}, du {start} au {end}").format(
        basket=row.basket_type, producer=row.producer,
        start=date_text(row.season_start, style="short"),
        end=date_text(row.season_end, style="short"))


# --- a cheque ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChequeForm:
    data: ChequeInput
    #: A new cheque in hand: received today (its payment is posted).
    received: bool


class ChequeDialog(FormDialog[ChequeForm]):
    """« Nouveau chèque… », « Modifier… »: the cheque as written, whom it is made out to,
    the month to cash it in."""

    def __init__(self, parent: QWidget | None, *, cheque: ChequeRow | None,
                 households: Sequence[MemberRow], producers: Sequence[ProducerRow],
                 coop_name: str, today: dt.date,
                 contracts_of: Callable[[int], Sequence[ContractRow]],
                 producer_of_basket: dict[int, int],
                 save: Callable[[ChequeForm], object] | None) -> None:
        title = (_("Chèque n° {number} — {member}").format(number=cheque.number or "—",
                                                           member=cheque.member or cheque.drawer)
                 if cheque else _("Nouveau chèque"))
        super().__init__(parent, title=title, save=save)
        self.setMinimumWidth(560)
        c = cheque
        self._contracts_of = contracts_of
        self._producer_of_basket = producer_of_basket
        self._contract_rows: dict[int, ContractRow] = {}
        self.field_aliases = {"member_id": "member", "contract_id": "contract",
                              "producer_id": "payee", "planned_month": "month",
                              "issue_date": "issue_date"}
        form = new_form()
        members: list[tuple[str, int | None]] = [(member_choice_text(r), r.id)
                                                 for r in households]
        if c is not None and c.member_id is not None and c.member_id not in {
                r.id for r in households}:
            members.append((c.member, c.member_id))
        self.member: SearchCombo[int | None] = SearchCombo(
            members, current=c.member_id if c else None)
        if c is None or c.member_id is None:
            self.member.setCurrentIndex(-1)
        self.add_field(form, "member", _("Foyer"), self.member,
                       hint=_("Le foyer qui donne le chèque : son règlement est enregistré "
                              "quand le chèque est reçu."))
        self.amount = line_edit(money_input_text(c.amount) if c else "", width_chars=12)
        amount = QWidget()
        amount_row = QHBoxLayout(amount)
        amount_row.setContentsMargins(0, 0, 0, 0)
        amount_row.addWidget(self.amount)
        amount_row.addWidget(QLabel("€"))
        amount_row.addStretch(1)
        self.add_field(form, "amount", _("Montant"), amount, target=self.amount)
        self.number = line_edit(c.number if c else "", max_length=NUMBER_MAX, width_chars=14,
                                placeholder="1234567")
        self.add_field(form, "number", _("N° du chèque"), self.number,
                       hint=_("Les 7 chiffres en bas à gauche du chèque ; peut attendre tant "
                              "que le chèque n'est que promis."))
        self.bank = line_edit(c.bank if c else "", max_length=BANK_MAX,
                              placeholder=_("Crédit Agricole, La Banque Postale…"))
        self.add_field(form, "bank", _("Banque"), self.bank)
        self.drawer = line_edit(c.drawer if c else "", max_length=DRAWER_MAX,
                                placeholder=_("le nom du foyer, s'il est laissé vide"))
        self.add_field(form, "drawer", _("Tireur"), self.drawer,
                       hint=_("Le titulaire du compte, tel qu'écrit sur le chèque."))
        self.issue_date = OptionalDateEdit(c.issue_date if c else today,
                                           none_text=_("non indiquée"), default=today)
        self.add_field(form, "issue_date", _("Date du chèque"), self.issue_date,
                       hint=_("Un chèque se présente au plus tard un an et huit jours après "
                              "sa date."))
        payees: list[tuple[str, int | None]] = [
            (_("{coop} (la coopérative)").format(coop=coop_name), None)]
        payees += [(r.name, r.id) for r in producers]
        if c is not None and c.producer_id is not None and c.producer_id not in {
                r.id for r in producers}:
            payees.append((c.payee, c.producer_id))
        self.payee: ValueCombo[int | None] = ValueCombo(
            payees, current=c.producer_id if c else None)
        self.add_field(form, "payee", _("À l'ordre de"), self.payee)
        self.contract: ValueCombo[int | None] = ValueCombo([(NO_CHOICE, None)])
        self.add_field(form, "contract", _("Contrat"), self.contract,
                       hint=_("Pour un chèque d'un contrat AMAP : il règle ses échéances."))
        self.month: ValueCombo[str | None] = ValueCombo(
            [(NO_CHOICE, None), *month_choices(today, keep=[c.planned_month] if c and
                                               c.planned_month else [])],
            current=c.planned_month if c else None)
        self.add_field(form, "month", _("À encaisser en"), self.month)
        self.note = line_edit(c.note if c else "", max_length=NOTE_MAX)
        self.add_field(form, "note", _("Note"), self.note)
        self.received = QCheckBox(_("Reçu aujourd'hui (le règlement du foyer est enregistré)"))
        self.received.setChecked(True)
        if c is None:
            form.addRow("", self.received)
        else:
            self.received.hide()
        self.body.addLayout(form)
        self._load_contracts(c.contract_id if c else None)
        self.member.value_changed.connect(lambda: self._load_contracts(None))
        self.contract.currentIndexChanged.connect(self._contract_chosen)

    def _load_contracts(self, current: int | None) -> None:
        member_id = self.member.value()
        rows = list(self._contracts_of(member_id)) if member_id is not None else []
        self._contract_rows = {r.id: r for r in rows}
        self.contract.set_items([(NO_CHOICE, None),
                                 *((contract_choice_text(r), r.id) for r in rows)],
                                current=current)
        self.contract.setEnabled(bool(rows) or current is not None)

    def _contract_chosen(self, *_args: object) -> None:
        row = self._contract_rows.get(self.contract.value() or 0)
        if row is None:
            return
        producer = self._producer_of_basket.get(row.basket_type_id)
        if producer is not None:
            # A contract's cheques are made out to its producer, as AMAPs do.
            self.payee.set_value(producer)

    def collect(self) -> ChequeForm:
        if self.member.typed_unknown():
            raise ValidationError(_("« {name} » n'est pas un foyer de la liste : choisissez-le "
                                    "dans la liste.").format(name=self.member.currentText()),
                                  field="member_id")
        if not self.amount.text().strip():
            raise ValidationError(_("Indiquez le montant du chèque."), field="amount")
        return ChequeForm(data=ChequeInput(
            amount=self.amount.text(), number=self.number.text(), bank=self.bank.text(),
            drawer=self.drawer.text(), member_id=self.member.value(),
            contract_id=self.contract.value(), producer_id=self.payee.value(),
            issue_date=self.issue_date.date(), planned_month=self.month.value() or "",
            note=self.note.text()), received=self.received.isChecked() and
            self.received.isVisibleTo(self))


def ask_cheque(parent: QWidget | None, context: PageContext, cheque: ChequeRow | None,
               coop_name: str) -> ChequeRow | None:
    """Record a new cheque (None) or correct one in its dialog; the saved row, or None."""
    db, actor, today = context.db, context.actor, context.today()

    def save(form: ChequeForm) -> ChequeRow:
        if cheque is None:
            return record_cheque(db=db, actor=actor, data=form.data,
                                 received_on=today if form.received else None)
        return update_cheque(db=db, actor=actor, cheque_id=cheque.id, data=form.data,
                             expected_version=cheque.version)

    baskets = {b.id: b.producer_id for b in list_basket_types(db=db, actor=actor,
                                                              include_archived=True)}
    dialog = ChequeDialog(
        parent, cheque=cheque, households=list_members(db=db, actor=actor),
        producers=list_producers(db=db, actor=actor), coop_name=coop_name, today=today,
        contracts_of=lambda member_id: list_contracts(db=db, actor=actor,
                                                      member_id=member_id,
                                                      include_archived=True),
        producer_of_basket=baskets, save=save)
    dialog.ask()
    saved = dialog.saved
    dialog.deleteLater()
    return saved if isinstance(saved, ChequeRow) else None


# --- a rejection or a return --------------------------------------------------------------------


@dataclass(frozen=True)
class VoidInput:
    status: ChequeStatus
    reason: str


class VoidDialog(FormDialog[VoidInput]):
    """« Rejeté / rendu… »: which, and why (kept, and printed on the household's statement)."""

    def __init__(self, parent: QWidget | None, cheque: ChequeRow) -> None:
        super().__init__(parent, title=_("{cheque} de {member}").format(
            cheque=cheque.name, member=cheque.member or cheque.drawer), save=None,
            ok_text=_("Enregistrer"))
        self.setMinimumWidth(520)
        allowed = CHEQUE_TRANSITIONS[cheque.status]
        intro = QLabel(_("{amount}, « {status} ». Un chèque rejeté (impayé) ou rendu au foyer "
                         "ne compte plus comme règlement : le foyer le doit de nouveau.").format(
            amount=money_text(cheque.amount), status=cheque.status_label))
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(intro)
        form = new_form()
        self.rejected_button = QRadioButton(_("Rejeté par la banque (impayé)"))
        self.returned_button = QRadioButton(_("Rendu au foyer"))
        self.rejected_button.setEnabled(ChequeStatus.REJECTED in allowed)
        self.returned_button.setEnabled(ChequeStatus.RETURNED in allowed)
        first = self.rejected_button if self.rejected_button.isEnabled() \
            else self.returned_button
        first.setChecked(True)
        choice = QWidget()
        choice_row = QHBoxLayout(choice)
        choice_row.setContentsMargins(0, 0, 0, 0)
        choice_row.addWidget(self.rejected_button)
        choice_row.addWidget(self.returned_button)
        choice_row.addStretch(1)
        self.add_field(form, "status", _("Le chèque est"), choice, target=self.rejected_button)
        self.reason = line_edit("", max_length=200,
                                placeholder=_("Par exemple : sans provision, erreur de montant"))
        self.add_field(form, "reason", _("Motif"), self.reason)
        self.body.addLayout(form)

    def collect(self) -> VoidInput:
        if not self.reason.text().strip():
            raise ValidationError(_("Dites pourquoi : le motif est gardé et imprimé sur le "
                                    "relevé du foyer."), field="reason")
        status = (ChequeStatus.REJECTED if self.rejected_button.isChecked()
                  else ChequeStatus.RETURNED)
        return VoidInput(status=status, reason=self.reason.text().strip())


# --- a month's hand-over --------------------------------------------------------------------------


@dataclass(frozen=True)
class HandOverInput:
    producer_id: int
    month: str


class HandOverDialog(FormDialog[HandOverInput]):
    """« Remettre au producteur… »: a producer and a month; what would be handed over shows
    as they are chosen."""

    def __init__(self, parent: QWidget | None, *, producers: Sequence[tuple[int, str]],
                 cheques: Sequence[ChequeRow], today: dt.date) -> None:
        super().__init__(parent, title=_("Remettre des chèques au producteur"), save=None,
                         ok_text=_("Remettre et imprimer le bordereau"))
        self.setMinimumWidth(560)
        self._cheques = cheques
        form = new_form()
        self.producer: ValueCombo[int] = ValueCombo([(name, pid) for pid, name in producers])
        self.add_field(form, "producer", _("Producteur"), self.producer)
        months = sorted({c.planned_month for c in cheques if c.planned_month})
        this_month = month_key(today)
        self.month: ValueCombo[str] = ValueCombo(
            month_choices(today, keep=months),
            current=this_month)
        self.add_field(form, "month", _("Chèques du mois"), self.month)
        self.body.addLayout(form)
        self.preview = QLabel()
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.body.addWidget(self.preview)
        self.producer.currentIndexChanged.connect(self._show_preview)
        self.month.currentIndexChanged.connect(self._show_preview)
        self._pick_first_with_cheques()
        self._show_preview()

    def _matching(self, status: ChequeStatus) -> list[ChequeRow]:
        return [c for c in self._cheques if c.producer_id == self.producer.value()
                and c.planned_month == self.month.value() and c.status is status]

    def _pick_first_with_cheques(self) -> None:
        """Open on a producer and month that have cheques to hand over, the earliest."""
        ready = sorted((c.planned_month or "", c.producer_id or 0) for c in self._cheques
                       if c.status is ChequeStatus.RECEIVED and c.producer_id is not None
                       and c.planned_month)
        if ready:
            month, producer = ready[0]
            self.producer.set_value(producer)
            self.month.set_value(month)

    def _show_preview(self, *_args: object) -> None:
        ready = self._matching(ChequeStatus.RECEIVED)
        promised = self._matching(ChequeStatus.PROMISED)
        if ready:
            text = _("{count} à remettre, {total} au total.").format(
                count=counted("{n} chèque reçu", "{n} chèques reçus", len(ready)),
                total=money_text(sum((c.amount for c in ready), Decimal("0.00"))))
        else:
            text = _("Aucun chèque reçu pour ce producteur et ce mois.")
        if promised:
            text += " " + counted("({n} chèque seulement promis ne sera pas remis.)",
                                  "({n} chèques seulement promis ne seront pas remis.)",
                                  len(promised))
        self.preview.setText(text)
        self.ok_button.setEnabled(bool(ready))

    def collect(self) -> HandOverInput:
        producer, month = self.producer.value(), self.month.value()
        if producer is None:
            raise ValidationError(_("Choisissez le producteur."), field="producer")
        if month is None:
            raise ValidationError(_("Choisissez le mois."), field="month")
        return HandOverInput(producer_id=producer, month=month)


# --- a contract's promised cheques --------------------------------------------------------------


@dataclass(frozen=True)
class ContractChequesInput:
    contract_id: int
    bank: str
    first_number: str
    issue_date: dt.date | None


class ContractChequesDialog(FormDialog[ContractChequesInput]):
    """« Chèques d'un contrat… »: the promised cheques of an AMAP contract, one per month."""

    def __init__(self, parent: QWidget | None, *, contracts: Sequence[ContractRow],
                 today: dt.date) -> None:
        super().__init__(parent, title=_("Chèques d'un contrat"), save=None,
                         ok_text=_("Créer les chèques promis"))
        self.setMinimumWidth(600)
        intro = QLabel(_("Un chèque promis par mois d'encaissement du contrat, du montant de "
                         "son échéance, à l'ordre du producteur du panier. Passez-les à "
                         "« Reçu » quand le foyer les donne."))
        intro.setWordWrap(True)
        self.body.addWidget(intro)
        form = new_form()
        self.contract: SearchCombo[int] = SearchCombo(
            [(f"{r.member} — {contract_choice_text(r)}", r.id) for r in contracts])
        self.contract.setCurrentIndex(-1)
        self.add_field(form, "contract", _("Contrat"), self.contract)
        self.bank = line_edit("", max_length=BANK_MAX)
        self.add_field(form, "bank", _("Banque"), self.bank)
        self.first_number = line_edit("", max_length=NUMBER_MAX, width_chars=14)
        self.add_field(form, "first_number", _("N° du premier chèque"), self.first_number,
                       hint=_("Les suivants sont numérotés à la suite ; vide : à saisir "
                              "plus tard."))
        self.issue_date = OptionalDateEdit(None, none_text=_("non indiquée"), default=today)
        self.add_field(form, "issue_date", _("Date des chèques"), self.issue_date)
        self.body.addLayout(form)
        self.field_aliases = {"contract_id": "contract", "cheque_count": "contract"}

    def collect(self) -> ContractChequesInput:
        contract = self.contract.value()
        if contract is None:
            raise ValidationError(_("Choisissez le contrat dans la liste."), field="contract")
        return ContractChequesInput(contract_id=contract, bank=self.bank.text(),
                                    first_number=self.first_number.text(),
                                    issue_date=self.issue_date.date())


# --- a slip to print again ------------------------------------------------------------------------


class ReprintDialog(FormDialog[int]):
    """« Réimprimer un bordereau… »: slips are kept as made, and print again alike."""

    def __init__(self, parent: QWidget | None, remittances: Sequence[RemittanceRow]) -> None:
        super().__init__(parent, title=_("Réimprimer un bordereau"), save=None,
                         ok_text=_("Enregistrer le PDF…"))
        self.setMinimumWidth(560)
        form = new_form()
        self.remittance: ValueCombo[int] = ValueCombo(
            [(_("{number} — {date}, {what}, {total}").format(
                number=r.number, date=date_text(r.date, style="short"),
                what=(r.producer if r.producer else r.kind.label),
                total=money_text(r.total)), r.id) for r in remittances])
        self.add_field(form, "remittance", _("Bordereau"), self.remittance)
        self.body.addLayout(form)
        self.ok_button.setEnabled(bool(remittances))

    def collect(self) -> int:
        remittance = self.remittance.value()
        if remittance is None:
            raise ValidationError(_("Choisissez le bordereau."), field="remittance")
        return remittance
