"""Contrat AMAP: household × basket type × season × frequency, a shared basket, and the
payment schedule (number of cheques, the month each is cashed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import Frequency, ShareMode
from coopfood.domain.vat import price_with_vat
from coopfood.i18n import _, format_date
from coopfood.services import ValidationError
from coopfood.services.contracts import (
    ContractDetail,
    ContractInput,
    get_contract,
    save_contract,
)
from coopfood.services.lists import (
    BasketTypeRow,
    MemberRow,
    PointRow,
    list_basket_types,
    list_members,
    list_points,
)
from ui.dialogs.fields import (
    SearchCombo,
    ValueCombo,
    date_edit,
    from_qdate,
    line_edit,
    money_input_text,
)
from ui.dialogs.form import ERROR_COLOUR, FormDialog, new_form
from ui.dialogs.member import NO_CHOICE, member_choice_text
from ui.display import counted
from ui.views.context import PageContext

MAX_CHEQUES = 12
MONTH_COLUMNS = 4


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month of the season, `start`'s month to `end`'s."""
    months = []
    day = start.replace(day=1)
    while day <= end.replace(day=1):
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


def month_key(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def default_season(today: dt.date) -> tuple[dt.date, dt.date]:
    """From the first of next month, for six months."""
    start = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    end_month = start
    for _month in range(6):
        end_month = (end_month + dt.timedelta(days=32)).replace(day=1)
    return start, end_month - dt.timedelta(days=1)


def basket_choice_text(row: BasketTypeRow) -> str:
    return f"{row.name} — {row.producer}"


class ContractDialog(FormDialog[ContractInput]):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        contract: ContractDetail | None,
        households: Sequence[MemberRow],
        baskets: Sequence[BasketTypeRow],
        points: Sequence[PointRow],
        today: dt.date,
        save: Callable[[ContractInput], object] | None,
    ) -> None:
        title = (_("Contrat — {member}").format(member=contract.member) if contract
                 else _("Nouveau contrat"))
        super().__init__(parent, title=title, save=save)
        c = contract
        self._households = {row.id: row for row in households}
        self._baskets = {row.id: row for row in baskets}
        self._auto_price = ""
        self.field_aliases = {"member_id": "member", "basket_type_id": "basket_type",
                              "point_id": "point", "co_member_id": "co_member",
                              "season_start": "season_end"}

        form = new_form()
        members = [(member_choice_text(row), row.id) for row in households]
        if c is not None and c.member_id not in self._households:
            members.append((c.member, c.member_id))
        self.member: SearchCombo[int] = SearchCombo(members, current=c.member_id if c else None)
        if c is None:
            self.member.setCurrentIndex(-1)
        self.add_field(form, "member", _("Adhérent"), self.member)
        basket_items = [(basket_choice_text(row), row.id) for row in baskets]
        if c is not None and c.basket_type_id not in self._baskets:
            basket_items.append((f"{c.basket_type} — {c.producer}", c.basket_type_id))
        self.basket_type: ValueCombo[int] = ValueCombo(
            basket_items, current=c.basket_type_id if c else None)
        if c is None:
            self.basket_type.setCurrentIndex(-1)
        self.add_field(form, "basket_type", _("Type de panier"), self.basket_type)
        point_items = [(row.name, row.id) for row in points]
        if c is not None and c.point_id not in {row.id for row in points}:
            point_items.append((c.point, c.point_id))
        self.point: ValueCombo[int] = ValueCombo(point_items, current=c.point_id if c else None)
        self.add_field(form, "point", _("Point de distribution"), self.point)

        start, end = (c.season_start, c.season_end) if c else default_season(today)
        self.season_start = date_edit(start)
        self.season_end = date_edit(end)
        season = QWidget()
        season_row = QHBoxLayout(season)
        season_row.setContentsMargins(0, 0, 0, 0)
        season_row.addWidget(QLabel(_("du")))
        season_row.addWidget(self.season_start)
        season_row.addWidget(QLabel(_("au")))
        season_row.addWidget(self.season_end)
        season_row.addStretch(1)
        self.add_field(form, "season_end", _("Saison"), season, target=self.season_end)
        self.frequency: ValueCombo[Frequency] = ValueCombo(
            ((f.label, f) for f in Frequency), current=c.frequency if c else Frequency.WEEKLY)
        self.add_field(form, "frequency", _("Fréquence"), self.frequency)
        self.allowed_absences = QSpinBox()
        self.allowed_absences.setRange(0, 52)
        self.allowed_absences.setValue(c.allowed_absences if c else 0)
        self.allowed_absences.setMaximumWidth(90)
        self.add_field(form, "allowed_absences", _("Absences autorisées"),
                       self.allowed_absences,
                       hint=_("Semaines où le panier peut être suspendu (« jokers »)."))
        self.price = line_edit(money_input_text(c.price_per_basket) if c else "",
                               width_chars=10)
        price = QWidget()
        price_row = QHBoxLayout(price)
        price_row.setContentsMargins(0, 0, 0, 0)
        price_row.addWidget(self.price)
        price_row.addWidget(QLabel(_("€ TTC par panier")))
        price_row.addStretch(1)
        self.add_field(form, "price_per_basket", _("Prix du panier"), price, target=self.price)

        shared = new_form()
        partners: list[tuple[str, int | None]] = [(NO_CHOICE, None)]
        partners += [(member_choice_text(row), row.id) for row in households]
        if c is not None and c.co_member_id is not None and (
                c.co_member_id not in self._households):
            partners.append((c.co_member, c.co_member_id))
        self.co_member: SearchCombo[int | None] = SearchCombo(
            partners, current=c.co_member_id if c else None)
        self.add_field(shared, "co_member", _("Co-adhérent"), self.co_member,
                       hint=_("Le foyer qui partage ce panier, s'il y en a un."))
        self.share_mode: ValueCombo[ShareMode | None] = ValueCombo(
            [(NO_CHOICE, None), *((mode.label, mode) for mode in ShareMode)],
            current=c.share_mode if c else None)
        self.add_field(shared, "share_mode", _("Partage"), self.share_mode)

        payment = QVBoxLayout()
        payment_form = new_form()
        self.cheque_count = QSpinBox()
        self.cheque_count.setRange(0, MAX_CHEQUES)
        self.cheque_count.setValue(c.cheque_count if c else 0)
        self.cheque_count.setMaximumWidth(90)
        self.add_field(payment_form, "cheque_count", _("Nombre de chèques"), self.cheque_count)
        payment.addLayout(payment_form)
        payment.addWidget(QLabel(_("Mois d'encaissement :")))
        self.months_frame = QFrame()
        self.months_grid = QGridLayout(self.months_frame)
        self.months_grid.setContentsMargins(4, 4, 4, 4)
        payment.addWidget(self.months_frame)
        self.month_boxes: dict[str, QCheckBox] = {}
        self.months_status = QLabel()
        self.months_status.setWordWrap(True)
        payment.addWidget(self.months_status)
        payment.addWidget(self.error_slot("cheque_months", self.months_frame))
        self.first_months_button = QPushButton(_("Un chèque par mois dès le début"))
        self.first_months_button.clicked.connect(self.check_first_months)
        payment.addWidget(self.first_months_button)
        payment.addStretch(1)
        self._checked: set[str] = set(c.cheque_months) if c else set()

        left = QVBoxLayout()
        for box_title, layout in ((_("Contrat"), form), (_("Panier partagé"), shared)):
            box = QGroupBox(box_title)
            box.setLayout(layout)
            left.addWidget(box)
        left.addStretch(1)
        payment_box = QGroupBox(_("Paiement par chèques"))
        payment_box.setLayout(payment)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addWidget(payment_box, 2)
        self.body.addLayout(columns)

        self.member.value_changed.connect(self._member_chosen)
        self.basket_type.currentIndexChanged.connect(self._basket_chosen)
        self.co_member.value_changed.connect(self._co_member_chosen)
        self.season_start.dateChanged.connect(self._rebuild_months)
        self.season_end.dateChanged.connect(self._rebuild_months)
        self.cheque_count.valueChanged.connect(self._show_months_status)
        self._rebuild_months()
        self._co_member_chosen()
        self.resize(1040, 500)

    # --- reactions to choices ------------------------------------------------------------

    def _member_chosen(self) -> None:
        """A new contract is taken at the household's own point, unless changed."""
        row = self._households.get(self.member.value() or 0)
        if row is not None and row.point_id is not None:
            self.point.set_value(row.point_id)

    def _basket_chosen(self) -> None:
        """The price per basket starts from the basket's price with VAT."""
        row = self._baskets.get(self.basket_type.value() or 0)
        if row is None:
            return
        suggested = money_input_text(price_with_vat(row.price_ht, row.vat_rate))
        if not self.price.text().strip() or self.price.text() == self._auto_price:
            self.price.setText(suggested)
            self._auto_price = suggested

    def _co_member_chosen(self) -> None:
        shared = self.co_member.value() is not None
        self.share_mode.setEnabled(shared)
        if shared and self.share_mode.value() is None:
            self.share_mode.set_value(ShareMode.ALTERNATE)
        if not shared:
            self.share_mode.set_value(None)

    def _rebuild_months(self) -> None:
        for box in self.month_boxes.values():
            box.setParent(None)
            box.deleteLater()
        self.month_boxes = {}
        start, end = from_qdate(self.season_start.date()), from_qdate(self.season_end.date())
        for number, month in enumerate(months_between(start, end)):
            key = month_key(month)
            box = QCheckBox(format_date(month, style="MMM yyyy"))
            box.setObjectName(f"month_{key}")
            box.setChecked(key in self._checked)
            box.toggled.connect(lambda checked, key=key: self._month_toggled(key, checked))
            self.months_grid.addWidget(box, number // MONTH_COLUMNS, number % MONTH_COLUMNS)
            self.month_boxes[key] = box
        self._show_months_status()

    def _month_toggled(self, key: str, checked: bool) -> None:
        if checked:
            self._checked.add(key)
        else:
            self._checked.discard(key)
        self.clear_error("cheque_months")
        self._show_months_status()

    def checked_months(self) -> list[str]:
        return sorted(key for key, box in self.month_boxes.items() if box.isChecked())

    def check_first_months(self) -> None:
        count = self.cheque_count.value()
        for number, box in enumerate(self.month_boxes.values()):
            box.setChecked(number < count)

    def _show_months_status(self) -> None:
        count, checked = self.cheque_count.value(), len(self.checked_months())
        text = _("{cheques}, {months}").format(
            cheques=counted("{n} chèque", "{n} chèques", count),
            months=counted("{n} mois coché", "{n} mois cochés", checked))
        if count == checked:
            self.months_status.setStyleSheet("")
            self.months_status.setText(text + " : " + _("un mois par chèque."))
        else:
            self.months_status.setStyleSheet(f"color: {ERROR_COLOUR};")
            self.months_status.setText(text + " : " + _("cochez un mois par chèque."))
        self.first_months_button.setEnabled(0 < count <= len(self.month_boxes))

    # --- saving ------------------------------------------------------------------------

    def collect(self) -> ContractInput:
        member_id = self.member.value()
        if member_id is None:
            raise ValidationError(_("Choisissez l'adhérent titulaire du contrat dans la liste."),
                                  field="member_id")
        basket_type_id = self.basket_type.value()
        if basket_type_id is None:
            raise ValidationError(_("Choisissez le type de panier."), field="basket_type_id")
        point_id = self.point.value()
        if point_id is None:
            raise ValidationError(_("Choisissez le point de distribution."), field="point_id")
        if self.co_member.typed_unknown():
            raise ValidationError(
                _("« {name} » n'est pas un foyer de la liste : choisissez le co-adhérent dans "
                  "la liste.").format(name=self.co_member.currentText()), field="co_member_id")
        return ContractInput(
            member_id=member_id,
            basket_type_id=basket_type_id,
            point_id=point_id,
            season_start=from_qdate(self.season_start.date()),
            season_end=from_qdate(self.season_end.date()),
            frequency=self.frequency.value() or Frequency.WEEKLY,
            price_per_basket=self.price.text(),
            allowed_absences=self.allowed_absences.value(),
            co_member_id=self.co_member.value(),
            share_mode=self.share_mode.value(),
            cheque_count=self.cheque_count.value(),
            cheque_months=tuple(self.checked_months()),
        )


def ask_contract(parent: QWidget | None, context: PageContext,
                 contract_id: int | None = None) -> ContractDetail | None:
    """Create (no id) or edit a contract in its dialog; the saved contract, or None."""
    db, actor = context.db, context.actor
    contract = get_contract(db=db, actor=actor, contract_id=contract_id) if contract_id else None

    def save(data: ContractInput) -> ContractDetail:
        return save_contract(db=db, actor=actor, data=data, contract_id=contract_id,
                             expected_version=contract.version if contract else None)

    dialog = ContractDialog(
        parent, contract=contract, households=list_members(db=db, actor=actor),
        baskets=list_basket_types(db=db, actor=actor), points=list_points(db=db, actor=actor),
        today=context.today(), save=save)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, ContractDetail) else None
