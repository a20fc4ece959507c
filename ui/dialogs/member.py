"""Adhérent (foyer): names, contact, point, binôme, what may be printed, yearly fees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.lists import MemberRow, PointRow, list_members, list_points
from coopfood.services.members import (
    FeeRow,
    MemberDetail,
    MemberInput,
    fees_of,
    get_member,
    record_fee,
    save_member,
)
from ui.dialogs.fields import (
    OptionalDateEdit,
    SearchCombo,
    ValueCombo,
    line_edit,
    money_input_text,
)
from ui.dialogs.form import FormDialog, new_form
from ui.display import date_text, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label

NO_CHOICE = "—"


@dataclass(frozen=True)
class FeeInput:
    """« Enregistrer une cotisation… »: what `record_fee` needs."""

    year: int
    amount: str
    paid_on: dt.date | None
    replace: bool = False


class FeeDialog(FormDialog[FeeInput]):
    """A year's membership fee; saved by `record_fee`."""

    def __init__(self, parent: QWidget | None, *, member: str, year: int, amount: str,
                 today: dt.date, save: Callable[[FeeInput], object] | None) -> None:
        super().__init__(parent, title=_("Cotisation — {member}").format(member=member),
                         save=save)
        form = new_form()
        self.year = QSpinBox()
        self.year.setRange(1900, 2200)
        self.year.setValue(year)
        self.year.setGroupSeparatorShown(False)
        self.year.setMaximumWidth(110)
        self.add_field(form, "year", _("Année"), self.year)
        self.amount = line_edit(amount, width_chars=10)
        self.add_field(form, "amount", _("Montant (€)"), self.amount)
        self.paid_on = OptionalDateEdit(today, none_text=_("non renseignée"), default=today,
                                        clear_text=_("Effacer"))
        self.add_field(form, "paid_on", _("Payée le"), self.paid_on)
        self.replace = QCheckBox(_("Remplacer la cotisation déjà enregistrée pour cette année"))
        self.add_field(form, "replace", "", self.replace)
        self.body.addLayout(form)
        self.setMinimumWidth(460)

    def collect(self) -> FeeInput:
        return FeeInput(year=self.year.value(), amount=self.amount.text(),
                        paid_on=self.paid_on.date(), replace=self.replace.isChecked())


def fee_columns() -> list[Column[FeeRow]]:
    return [
        Column(_("Année"), lambda r: str(r.year), sort_key=lambda r: r.year),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT),
        Column(_("Payée le"), lambda r: date_text(r.paid_on, style="short"),
               sort_key=lambda r: r.paid_on),
    ]


def member_choice_text(row: MemberRow) -> str:
    """A household in a list to choose from: homonyms told apart by their reference."""
    return f"{row.name} ({row.payment_reference})"


class MemberDialog(FormDialog[MemberInput]):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        member: MemberDetail | None,
        points: Sequence[PointRow],
        households: Sequence[MemberRow],
        today: dt.date,
        save: Callable[[MemberInput], object] | None,
        fees: Callable[[], list[FeeRow]] | None = None,
        record: Callable[[FeeInput], object] | None = None,
    ) -> None:
        title = (_("Adhérent — {name}").format(name=member.name) if member
                 else _("Nouvel adhérent"))
        super().__init__(parent, title=title, save=save)
        m = member
        self._member = member
        self._today = today
        self._fees = fees
        self._record = record
        #: A fee was recorded: saved at once, whether or not the household is saved after.
        self.fees_recorded = False
        self.field_aliases = {"point_id": "point", "partner_id": "partner"}

        household = new_form()
        self.last_name = line_edit(m.last_name if m else "", max_length=200)
        self.add_field(household, "last_name", _("Nom"), self.last_name)
        self.first_name = line_edit(m.first_name if m else "", max_length=200)
        self.add_field(household, "first_name", _("Prénom"), self.first_name)
        self.co_member_name = line_edit(m.co_member_name if m else "", max_length=200)
        self.add_field(household, "co_member_name", _("Second adulte du foyer"),
                       self.co_member_name, hint=_("Imprimé à côté du nom, sur les feuilles."))
        point_items: list[tuple[str, int | None]] = [(NO_CHOICE, None)]
        point_items += [(row.name, row.id) for row in points]
        if m is not None and m.point_id is not None and m.point_id not in {r.id for r in points}:
            point_items.append((m.point, m.point_id))  # an archived point, kept as it is
        self.point: ValueCombo[int | None] = ValueCombo(point_items,
                                                        current=m.point_id if m else None)
        self.add_field(household, "point", _("Point de distribution"), self.point)
        partners: list[tuple[str, int | None]] = [(NO_CHOICE, None)]
        partners += [(member_choice_text(row), row.id) for row in households
                     if m is None or row.id != m.id]
        if m is not None and m.partner_id is not None and m.partner_id not in {
                r.id for r in households}:
            partners.append((m.partner, m.partner_id))
        self.partner: SearchCombo[int | None] = SearchCombo(
            partners, current=m.partner_id if m else None)
        self.add_field(household, "partner", _("Binôme"), self.partner,
                       hint=_("Le foyer avec lequel celui-ci partage ses paniers ; tapez une "
                              "partie du nom pour le trouver."))
        self.joined_on = OptionalDateEdit(m.joined_on if m else today,
                                          none_text=_("date inconnue"), default=today,
                                          clear_text=_("Effacer"))
        self.add_field(household, "joined_on", _("Adhérent depuis"), self.joined_on)
        if m is not None:
            reference = QLabel(m.payment_reference)
            reference.setToolTip(_("À rappeler sur les virements ; ne change jamais."))
            household.addRow(_("Référence de paiement"), reference)

        contact = new_form()
        self.email = line_edit(m.email if m else "")
        self.add_field(contact, "email", _("E-mail"), self.email)
        self.phone = line_edit(m.phone if m else "", width_chars=18)
        self.add_field(contact, "phone", _("Téléphone"), self.phone)
        self.address = line_edit(m.address if m else "", max_length=300)
        self.add_field(contact, "address", _("Adresse"), self.address)
        self.postal_code = line_edit(m.postal_code if m else "", width_chars=8)
        self.add_field(contact, "postal_code", _("Code postal"), self.postal_code)
        self.city = line_edit(m.city if m else "")
        self.add_field(contact, "city", _("Ville"), self.city)
        self.print_phone = QCheckBox(_("Imprimer le téléphone sur les feuilles"))
        self.print_phone.setChecked(m.print_phone if m else False)
        self.add_field(contact, "print_phone", "", self.print_phone)
        self.print_email = QCheckBox(_("Imprimer l'e-mail sur les feuilles"))
        self.print_email.setChecked(m.print_email if m else False)
        self.add_field(contact, "print_email", "", self.print_email)

        grid = QGridLayout()
        for title_text, form, row in ((_("Foyer"), household, 0), (_("Coordonnées"), contact, 1)):
            box = QGroupBox(title_text)
            box.setLayout(form)
            grid.addWidget(box, row, 0)
        grid.addWidget(self._fees_box(), 0, 1, 2, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        self.body.addLayout(grid)
        self.resize(1000, 620)

    # --- fees ----------------------------------------------------------------------------

    def _fees_box(self) -> QGroupBox:
        box = QGroupBox(_("Cotisations"))
        columns = fee_columns()
        self.fee_model: RowTableModel[FeeRow] = RowTableModel(columns, self)
        proxy = SearchProxyModel(self)
        proxy.setSourceModel(self.fee_model)
        self.fee_table: QTableView = make_table_view(proxy, box)
        self.fee_fitter = ColumnFitter(self.fee_table, columns)
        self.record_fee_button = QPushButton(_("Enregistrer une cotisation…"))
        self.record_fee_button.clicked.connect(self.ask_fee)
        layout = QVBoxLayout(box)
        if self._member is None:
            layout.addWidget(note_label(_("Enregistrez d'abord l'adhérent pour saisir ses "
                                          "cotisations.")))
            self.record_fee_button.setEnabled(False)
        layout.addWidget(self.fee_table, 1)
        layout.addWidget(self.record_fee_button)
        self.refresh_fees()
        return box

    def refresh_fees(self) -> None:
        if self._fees is not None:
            self.fee_model.set_rows(sorted(self._fees(), key=lambda r: r.year, reverse=True))

    def ask_fee(self) -> None:
        if self._member is None or self._record is None:
            return
        last = self.fee_model.rows()[0] if self.fee_model.rows() else None
        years = {row.year for row in self.fee_model.rows()}
        year = self._today.year
        while year in years:
            year += 1
        dialog = FeeDialog(self, member=self._member.name, year=year,
                           amount=money_input_text(last.amount) if last else "",
                           today=self._today, save=self._record)
        if dialog.ask() is not None:
            self.fees_recorded = True
            self.refresh_fees()

    # --- saving ------------------------------------------------------------------------

    def collect(self) -> MemberInput:
        if self.partner.typed_unknown():
            raise ValidationError(
                _("« {name} » n'est pas un foyer de la liste : choisissez le binôme dans la "
                  "liste, ou « {none} » s'il n'y en a pas.").format(
                    name=self.partner.currentText(), none=NO_CHOICE), field="partner_id")
        return MemberInput(
            last_name=self.last_name.text(),
            first_name=self.first_name.text(),
            co_member_name=self.co_member_name.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            point_id=self.point.value(),
            partner_id=self.partner.value(),
            print_phone=self.print_phone.isChecked(),
            print_email=self.print_email.isChecked(),
            joined_on=self.joined_on.date(),
        )


def ask_member(parent: QWidget | None, context: PageContext,
               member_id: int | None = None) -> MemberDetail | None:
    """Create (no id) or edit a household in its dialog; the saved household, or None."""
    db, actor = context.db, context.actor
    member = get_member(db=db, actor=actor, member_id=member_id) if member_id else None

    def save(data: MemberInput) -> MemberDetail:
        return save_member(db=db, actor=actor, data=data, member_id=member_id,
                           expected_version=member.version if member else None)

    def fees() -> list[FeeRow]:
        assert member_id is not None
        return fees_of(db=db, actor=actor, member_id=member_id)

    def record(data: FeeInput) -> FeeRow:
        assert member_id is not None
        return record_fee(db=db, actor=actor, member_id=member_id, year=data.year,
                          amount=data.amount, paid_on=data.paid_on, replace=data.replace)

    dialog = MemberDialog(
        parent, member=member, points=list_points(db=db, actor=actor),
        households=list_members(db=db, actor=actor), today=context.today(), save=save,
        fees=fees if member_id else None, record=record if member_id else None)
    dialog.ask()
    saved = dialog.saved
    if saved is None and dialog.fees_recorded and member_id is not None:
        # Closed with « Annuler » after recording a fee: the list must still show it.
        return get_member(db=db, actor=actor, member_id=member_id)
    return saved if isinstance(saved, MemberDetail) else None
