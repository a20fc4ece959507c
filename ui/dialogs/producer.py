"""Producteur: identity, VAT and bank, invoicing (self-billing mandate)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtWidgets import QGridLayout, QGroupBox, QWidget

from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.vat import VatRegime
from coopfood.i18n import N_, _
from coopfood.services.producers import (
    ProducerDetail,
    ProducerInput,
    get_producer,
    save_producer,
    suggest_invoice_prefix,
)
from ui.dialogs.fields import OptionalDateEdit, ValueCombo, line_edit
from ui.dialogs.form import FormDialog, new_form
from ui.views.context import PageContext

LEGAL_FORMS = ("EARL", "GAEC", "SCEA", "EI", "Micro-entreprise", "SARL", "SAS", "SCOP",
               "Association")

REGIME_HINTS = {
    VatRegime.NORMAL: N_("Facture la TVA ; numéro de TVA intracommunautaire obligatoire."),
    VatRegime.FRANCHISE: N_("Franchise en base (art. 293 B du CGI) : aucune TVA facturée."),
    VatRegime.FLAT_RATE_FARMER: N_("Remboursement forfaitaire agricole : pas de TVA sur les "
                                   "factures."),
}


class ProducerDialog(FormDialog[ProducerInput]):
    def __init__(self, parent: QWidget | None, *, producer: ProducerDetail | None,
                 save: Callable[[ProducerInput], object] | None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        title = (_("Producteur — {name}").format(name=producer.name) if producer
                 else _("Nouveau producteur"))
        super().__init__(parent, title=title, save=save)
        p = producer

        identity = new_form()
        self.name = line_edit(p.name if p else "", max_length=200)
        self.add_field(identity, "name", _("Raison sociale"), self.name)
        self.legal_form: ValueCombo[str] = ValueCombo((f, f) for f in LEGAL_FORMS)
        self.legal_form.setEditable(True)
        self.legal_form.setCurrentText(p.legal_form if p else "")
        self.add_field(identity, "legal_form", _("Forme juridique"), self.legal_form)
        self.siret = line_edit(p.siret if p else "", width_chars=20)
        self.add_field(identity, "siret", _("SIRET"), self.siret,
                       hint=_("14 chiffres (les espaces sont permis)."))
        self.contact_name = line_edit(p.contact_name if p else "")
        self.add_field(identity, "contact_name", _("Contact"), self.contact_name)

        contact = new_form()
        self.address = line_edit(p.address if p else "", max_length=300)
        self.add_field(contact, "address", _("Adresse"), self.address)
        self.postal_code = line_edit(p.postal_code if p else "", width_chars=8)
        self.add_field(contact, "postal_code", _("Code postal"), self.postal_code)
        self.city = line_edit(p.city if p else "")
        self.add_field(contact, "city", _("Ville"), self.city)
        self.email = line_edit(p.email if p else "")
        self.add_field(contact, "email", _("E-mail"), self.email)
        self.phone = line_edit(p.phone if p else "", width_chars=18)
        self.add_field(contact, "phone", _("Téléphone"), self.phone)

        vat = new_form()
        self.vat_regime: ValueCombo[VatRegime] = ValueCombo(
            ((regime.label, regime) for regime in VatRegime),
            current=p.vat_regime if p else VatRegime.FLAT_RATE_FARMER)
        self.add_field(vat, "vat_regime", _("Régime de TVA"), self.vat_regime,
                       hint=" ")
        self._show_regime_hint()
        self.vat_regime.currentIndexChanged.connect(self._show_regime_hint)
        self.vat_number = line_edit(p.vat_number if p else "", placeholder="FR…",
                                    width_chars=18)
        self.add_field(vat, "vat_number", _("N° de TVA"), self.vat_number)
        self.iban = line_edit(p.iban if p else "", width_chars=38)
        self.add_field(vat, "iban", _("IBAN"), self.iban,
                       hint=_("Pour payer le producteur par virement."))
        self.bic = line_edit(p.bic if p else "", width_chars=14)
        self.add_field(vat, "bic", _("BIC"), self.bic)

        billing = new_form()
        self.billing_mandate = OptionalDateEdit(
            p.billing_mandate_date if p else None, none_text=_("pas de mandat"),
            default=today(), clear_text=_("Aucun"))
        self.add_field(billing, "billing_mandate_date", _("Mandat d'autofacturation"),
                       self.billing_mandate,
                       hint=_("Date du mandat par lequel la coopérative établit les factures "
                              "au nom du producteur."))
        self.invoice_buyer: ValueCombo[InvoiceBuyer] = ValueCombo(
            ((buyer.label, buyer) for buyer in InvoiceBuyer),
            current=p.invoice_buyer if p else InvoiceBuyer.COOP)
        self.add_field(billing, "invoice_buyer", _("Factures adressées à"), self.invoice_buyer)
        self.invoice_prefix = line_edit(p.invoice_prefix if p else "", width_chars=24)
        self.add_field(billing, "invoice_prefix", _("Préfixe des factures"),
                       self.invoice_prefix,
                       hint=_("Lettres capitales ou chiffres ; proposé d'après le nom si "
                              "laissé vide."))
        self.name.textEdited.connect(self._suggest_prefix)
        self._suggest_prefix()

        grid = QGridLayout()
        boxes = ((_("Identité"), identity, 0, 0), (_("Coordonnées"), contact, 1, 0),
                 (_("TVA et banque"), vat, 0, 1), (_("Facturation"), billing, 1, 1))
        for box_title, form, row, column in boxes:
            box = QGroupBox(box_title)
            box.setLayout(form)
            grid.addWidget(box, row, column)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.resize(960, 560)

    def _show_regime_hint(self) -> None:
        regime = self.vat_regime.value()
        if regime is not None:
            self.hint_label("vat_regime").setText(_(REGIME_HINTS[regime]))

    def _suggest_prefix(self) -> None:
        self.invoice_prefix.setPlaceholderText(
            suggest_invoice_prefix(self.name.text()) if self.name.text().strip() else "")

    def collect(self) -> ProducerInput:
        return ProducerInput(
            name=self.name.text(),
            vat_regime=self.vat_regime.value() or VatRegime.NORMAL,
            legal_form=self.legal_form.currentText(),
            siret=self.siret.text(),
            vat_number=self.vat_number.text(),
            iban=self.iban.text(),
            bic=self.bic.text(),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            contact_name=self.contact_name.text(),
            billing_mandate_date=self.billing_mandate.date(),
            invoice_buyer=self.invoice_buyer.value() or InvoiceBuyer.COOP,
            invoice_prefix=self.invoice_prefix.text(),
        )


def ask_producer(parent: QWidget | None, context: PageContext,
                 producer_id: int | None = None) -> ProducerDetail | None:
    """Create (no id) or edit a producer in its dialog; the saved producer, or None."""
    db, actor = context.db, context.actor
    producer = get_producer(db=db, actor=actor, producer_id=producer_id) if producer_id else None

    def save(data: ProducerInput) -> ProducerDetail:
        return save_producer(db=db, actor=actor, data=data, producer_id=producer_id,
                             expected_version=producer.version if producer else None)

    dialog = ProducerDialog(parent, producer=producer, save=save, today=context.today)
    dialog.ask()
    saved = dialog.saved
    return saved if isinstance(saved, ProducerDetail) else None
