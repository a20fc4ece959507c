"""Produit: producer, unit, VAT, price from a date (with the member price shown live),
case pack, and the price history with « Nouveau prix à partir du… »."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CaseRule, Unit
from coopfood.domain.money import AmountError, money
from coopfood.domain.vat import VAT_RATES, charges_vat, member_price, price_with_vat
from coopfood.i18n import _
from coopfood.services import ValidationError
from coopfood.services.coop import get_coop
from coopfood.services.lists import ProducerRow, list_producers, list_products
from coopfood.services.products import (
    PriceRow,
    ProductDetail,
    ProductInput,
    get_product,
    price_history,
    save_product,
    set_price,
)
from ui.dialogs.fields import (
    SearchCombo,
    ValueCombo,
    date_edit,
    decimal_input_text,
    from_qdate,
    line_edit,
    money_input_text,
    vat_rate_combo,
)
from ui.dialogs.form import FormDialog, new_form
from ui.display import date_text, money_text, percent_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, fit_columns, make_table_view

LABELS = ("AB", "Nature & Progrès", "Demeter", "HVE", "Label Rouge", "AOP", "IGP")


@dataclass(frozen=True)
class NewPrice:
    """« Nouveau prix à partir du… »: what `set_price` needs."""

    price_ht: str
    valid_from: dt.date


class PriceDialog(FormDialog[NewPrice]):
    """A new price HT and the day it starts; saved by `set_price`."""

    def __init__(self, parent: QWidget | None, *, product: str, current: Decimal | None,
                 start: dt.date, save: Callable[[NewPrice], object] | None) -> None:
        super().__init__(parent, title=_("Nouveau prix — {product}").format(product=product),
                         save=save)
        form = new_form()
        self.price = line_edit(money_input_text(current), width_chars=12)
        self.add_field(form, "price_ht", _("Prix HT (€)"), self.price)
        self.valid_from = date_edit(start)
        self.add_field(form, "price_from", _("À partir du"), self.valid_from,
                       hint=_("Les commandes passées gardent le prix de leur date."))
        self.field_aliases = {"valid_from": "price_from"}
        self.body.addLayout(form)
        self.setMinimumWidth(420)

    def collect(self) -> NewPrice:
        return NewPrice(price_ht=self.price.text(), valid_from=from_qdate(self.valid_from.date()))


def price_columns(vat_rate: Callable[[], Decimal], today: dt.date,
                  in_force: Callable[[], dt.date | None]) -> list[Column[PriceRow]]:
    return [
        Column(_("À partir du"), lambda r: date_text(r.valid_from),
               sort_key=lambda r: r.valid_from),
        Column(_("Prix HT"), lambda r: money_text(r.price_ht), sort_key=lambda r: r.price_ht,
               align=Align.RIGHT),
        Column(_("Prix TTC"), lambda r: money_text(price_with_vat(r.price_ht, vat_rate())),
               sort_key=lambda r: r.price_ht, align=Align.RIGHT),
        Column("", lambda r: (_("en vigueur") if r.valid_from == in_force()
                              else _("à venir") if r.valid_from > today else "")),
    ]


class ProductDialog(FormDialog[ProductInput]):
    def __init__(
        self,
        parent: QWidget | None,
        *,
        product: ProductDetail | None,
        producers: Sequence[ProducerRow],
        categories: Sequence[str],
        fee_percent: Decimal,
        today: dt.date,
        save: Callable[[ProductInput], object] | None,
        history: Callable[[], list[PriceRow]] | None = None,
        new_price: Callable[[NewPrice], object] | None = None,
    ) -> None:
        title = (_("Produit — {name}").format(name=product.name) if product
                 else _("Nouveau produit"))
        super().__init__(parent, title=title, save=save)
        p = product
        self._product = product
        self._today = today
        self._fee = fee_percent
        self._regimes = {row.id: row.vat_regime for row in producers}
        self._history = history
        self._new_price = new_price
        #: A price was started from « Nouveau prix… »: saved at once, even if the form is not.
        self.prices_changed = False
        self.field_aliases = {"producer_id": "producer"}

        form = new_form()
        self.producer: SearchCombo[int] = SearchCombo(
            ((row.name, row.id) for row in producers
             if not row.archived or (p is not None and row.id == p.producer_id)),
            current=p.producer_id if p else None)
        if p is None:
            self.producer.setCurrentIndex(-1)
        self.add_field(form, "producer", _("Producteur"), self.producer)
        self.name = line_edit(p.name if p else "", max_length=200)
        self.add_field(form, "name", _("Nom du produit"), self.name)
        self.unit: ValueCombo[Unit] = ValueCombo(((u.label, u) for u in Unit),
                                                 current=p.unit if p else Unit.PIECE)
        self.add_field(form, "unit", _("Unité"), self.unit)
        self.vat_rate = vat_rate_combo(p.vat_rate if p else VAT_RATES[0])
        self.add_field(form, "vat_rate", _("Taux de TVA"), self.vat_rate,
                       hint=_("5,5 % : alimentation ; 10 % : consommation immédiate, fleurs ; "
                              "20 % : alcools, confiserie, non alimentaire."))

        self._initial_price = money_input_text(self._price_today()) if p else ""
        self.price = line_edit(self._initial_price, width_chars=10)
        self.price_from = date_edit(today)
        self.price_from.setToolTip(_("Le nouveau prix s'applique à partir de ce jour ; les "
                                     "commandes passées gardent le leur."))
        price_row = QWidget()
        price_layout = QHBoxLayout(price_row)
        price_layout.setContentsMargins(0, 0, 0, 0)
        price_layout.addWidget(self.price)
        price_layout.addWidget(QLabel(_("€ HT, à partir du")))
        price_layout.addWidget(self.price_from)
        price_layout.addStretch(1)
        self.add_field(form, "price_ht", _("Prix producteur"), price_row, target=self.price)
        # The date has its own error line (a price already ordered on that day).
        date_error = self.error_slot("price_from", self.price_from)
        self.member_price = QLabel()
        self.member_price.setObjectName("memberPrice")
        self.member_price.setWordWrap(True)
        info = QWidget()
        info_layout = QVBoxLayout(info)
        info_layout.setContentsMargins(0, 0, 0, 0)
        info_layout.addWidget(date_error)
        info_layout.addWidget(self.member_price)
        form.addRow("", info)

        self.variable_weight = QCheckBox(_("Poids variable : vendu au kilo, pesé à la "
                                           "livraison"))
        self.variable_weight.setChecked(p.variable_weight if p else False)
        self.add_field(form, "variable_weight", "", self.variable_weight)
        self.case_pack = line_edit(decimal_input_text(p.case_pack) if p else "", width_chars=8)
        self.case_rule: ValueCombo[CaseRule] = ValueCombo(
            ((rule.label, rule) for rule in CaseRule),
            current=p.case_rule if p else CaseRule.COMPLETE)
        case_row = QWidget()
        case_layout = QHBoxLayout(case_row)
        case_layout.setContentsMargins(0, 0, 0, 0)
        case_layout.addWidget(self.case_pack)
        case_layout.addWidget(QLabel(_("par colis ; s'il est incomplet :")))
        case_layout.addWidget(self.case_rule, 1)
        self.add_field(form, "case_pack", _("Colisage"), case_row, target=self.case_pack,
                       hint=_("Vide si le produit ne se commande pas par colis."))
        self.category: ValueCombo[str] = ValueCombo((c, c) for c in categories)
        self.category.setEditable(True)
        self.category.setCurrentText(p.category if p else "")
        self.add_field(form, "category", _("Catégorie"), self.category)
        self.label: ValueCombo[str] = ValueCombo((lab, lab) for lab in LABELS)
        self.label.setEditable(True)
        self.label.setCurrentText(p.label if p else "")
        self.add_field(form, "label", _("Label"), self.label)
        self.active = QCheckBox(_("Proposé à la commande"))
        self.active.setChecked(p.active if p else True)
        self.add_field(form, "active", "", self.active)

        columns = QHBoxLayout()
        columns.addLayout(form, 3)
        if p is not None:
            columns.addWidget(self._history_box(), 2)
        self.body.addLayout(columns)

        for signal in (self.price.textChanged, self.vat_rate.currentIndexChanged,
                       self.producer.value_changed):
            signal.connect(self._show_member_price)
        self._show_member_price()
        self.resize(1020, 560) if p is not None else self.resize(640, self.sizeHint().height())

    # --- price history -----------------------------------------------------------------

    def _history_box(self) -> QGroupBox:
        box = QGroupBox(_("Historique des prix"))
        columns = price_columns(lambda: self.vat_rate.value() or VAT_RATES[0], self._today,
                                self._price_in_force)
        self.history_model: RowTableModel[PriceRow] = RowTableModel(columns, self)
        proxy = SearchProxyModel(self)
        proxy.setSourceModel(self.history_model)
        self.history_table: QTableView = make_table_view(proxy, box)
        self.history_fitter = ColumnFitter(self.history_table, columns)
        self.new_price_button = QPushButton(_("Nouveau prix à partir du…"))
        self.new_price_button.clicked.connect(self.ask_new_price)
        layout = QVBoxLayout(box)
        layout.addWidget(self.history_table, 1)
        layout.addWidget(self.new_price_button)
        self.refresh_history()
        return box

    def _price_today(self) -> Decimal | None:
        """The price in force on the window's today (the history knows it)."""
        if self._history is None:
            return self._product.price_ht if self._product is not None else None
        rows = [row for row in self._history() if row.valid_from <= self._today]
        return max(rows, key=lambda r: r.valid_from).price_ht if rows else None

    def _price_in_force(self) -> dt.date | None:
        started = [row.valid_from for row in self.history_model.rows()
                   if row.valid_from <= self._today]
        return max(started, default=None)

    def refresh_history(self) -> None:
        if self._history is None:
            return
        rows = self._history()
        self.history_model.set_rows(sorted(rows, key=lambda r: r.valid_from, reverse=True))
        if self.history_fitter.done:
            fit_columns(self.history_table, self.history_model.columns())

    def ask_new_price(self) -> None:
        if self._product is None:
            return
        dialog = PriceDialog(self, product=self._product.name, current=self._price_today(),
                             start=self._today, save=self._new_price)
        if dialog.ask() is None:
            return
        self.prices_changed = True
        self.refresh_history()
        in_force = next((row for row in self.history_model.rows()
                         if row.valid_from == self._price_in_force()), None)
        if in_force is not None:
            # The form shows the price in force: saving it again changes nothing.
            self._initial_price = money_input_text(in_force.price_ht)
            self.price.setText(self._initial_price)

    # --- member price ------------------------------------------------------------------

    def _show_member_price(self) -> None:
        self.member_price.setText(self.member_price_text())

    def member_price_text(self) -> str:
        """« Prix adhérent : 2,22 € (2,11 € TTC + 0,11 € de participation à 5 %) »."""
        try:
            price = money(self.price.text()) if self.price.text().strip() else None
        except AmountError:
            price = None
        if price is None or price < 0:
            return _("Prix adhérent : —")
        producer_id = self.producer.value()
        regime = self._regimes.get(producer_id) if producer_id is not None else None
        rate = self.vat_rate.value() or VAT_RATES[0]
        with_vat = regime is None or charges_vat(regime)
        applied = rate if with_vat else Decimal(0)
        paid = member_price(price, applied, self._fee)
        base = price_with_vat(price, applied)
        base_text = (_("{amount} TTC") if with_vat else _("{amount} sans TVA")).format(
            amount=money_text(base))
        if not self._fee:
            detail = base_text
        else:
            detail = _("{base} + {amount} de participation à {rate}").format(
                base=base_text, amount=money_text(paid - base), rate=percent_text(self._fee))
        return _("Prix adhérent : {amount} ({detail})").format(
            amount=money_text(paid), detail=detail)

    # --- saving ------------------------------------------------------------------------

    def collect(self) -> ProductInput:
        producer_id = self.producer.value()
        if producer_id is None:
            raise ValidationError(
                _("Choisissez le producteur dans la liste.") if not self.producer.typed_unknown()
                else _("« {name} » n'est pas un producteur enregistré : choisissez-le dans la "
                       "liste.").format(name=self.producer.currentText()), field="producer_id")
        price_text = self.price.text()
        changed = self._product is None or price_text.strip() != self._initial_price
        return ProductInput(
            producer_id=producer_id,
            name=self.name.text(),
            unit=self.unit.value() or Unit.PIECE,
            vat_rate=self.vat_rate.value() or VAT_RATES[0],
            price_ht=price_text if changed else None,
            price_from=from_qdate(self.price_from.date()),
            variable_weight=self.variable_weight.isChecked(),
            case_pack=self.case_pack.text(),
            case_rule=self.case_rule.value() or CaseRule.COMPLETE,
            category=self.category.currentText(),
            label=self.label.currentText(),
            active=self.active.isChecked(),
        )


def ask_product(parent: QWidget | None, context: PageContext,
                product_id: int | None = None) -> ProductDetail | None:
    """Create (no id) or edit a product in its dialog; the saved product, or None."""
    db, actor = context.db, context.actor
    product = get_product(db=db, actor=actor, product_id=product_id) if product_id else None
    coop = get_coop(db=db, actor=actor)
    categories = sorted({row.category for row in list_products(db=db, actor=actor)
                         if row.category})

    def save(data: ProductInput) -> ProductDetail:
        return save_product(db=db, actor=actor, data=data, product_id=product_id,
                            expected_version=product.version if product else None)

    def history() -> list[PriceRow]:
        assert product_id is not None
        return price_history(db=db, actor=actor, product_id=product_id)

    def new_price(data: NewPrice) -> PriceRow:
        assert product_id is not None
        return set_price(db=db, actor=actor, product_id=product_id, price_ht=data.price_ht,
                         valid_from=data.valid_from)

    dialog = ProductDialog(
        parent, product=product,
        producers=list_producers(db=db, actor=actor, include_archived=product is not None),
        categories=categories, fee_percent=coop.fee_percent if coop else Decimal(0),
        today=context.today(), save=save,
        history=history if product_id else None, new_price=new_price if product_id else None)
    dialog.ask()
    saved = dialog.saved
    if saved is None and dialog.prices_changed and product_id is not None:
        return get_product(db=db, actor=actor, product_id=product_id)
    return saved if isinstance(saved, ProductDetail) else None
