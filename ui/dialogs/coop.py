"""Paramètres de la coopérative: identity, numbers, bank, logo, invoicing, legal texts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.i18n import N_, _
from coopfood.services import ValidationError
from coopfood.services.coop import (
    DEFAULT_LEGAL_TEXTS,
    LEGAL_TEXT_PLACEHOLDERS,
    PAYMENT_TERMS_MAX_DAYS,
    CoopDetail,
    CoopInput,
)
from ui.dialogs import messages
from ui.dialogs.fields import ValueCombo, decimal_input_text, line_edit
from ui.dialogs.form import FormDialog, new_form

#: What each legal text is for, as the treasurer knows it.
LEGAL_TEXT_TITLES: Mapping[str, str] = {
    "autofacturation": N_("Autofacturation (factures établies au nom du producteur)"),
    "franchise": N_("Producteur en franchise en base de TVA"),
    "late_penalty": N_("Pénalités de retard"),
    "recovery_indemnity": N_("Indemnité forfaitaire de recouvrement"),
    "flat_rate_farmer": N_("Producteur au forfait agricole"),
}

LEGAL_FORMS = ("Association loi 1901", "SCIC", "SCOP", "SAS coopérative",
               "Coopérative de consommateurs", "SARL")

LOGO_FILTERS = N_("Images PNG ou JPEG (*.png *.jpg *.jpeg)")
LOGO_PREVIEW_WIDTH = 220
LOGO_PREVIEW_HEIGHT = 120


class CoopDialog(FormDialog[CoopInput]):
    """The co-op's record; `coop` is None while none was ever entered."""

    def __init__(self, parent: QWidget | None, *, coop: CoopDetail | None,
                 save: Callable[[CoopInput], object] | None) -> None:
        super().__init__(parent, title=_("Paramètres de la coopérative"), save=save)
        self.field_aliases = {"logo_png": "logo"}
        self.logo: bytes | None = coop.logo_png if coop is not None else None

        self.tabs = QTabWidget()
        self.tabs.addTab(self._identity_tab(coop), _("Identité"))
        self.tabs.addTab(self._numbers_tab(coop), _("Numéros et banque"))
        self.tabs.addTab(self._invoicing_tab(coop), _("Facturation"))
        self.tabs.addTab(self._legal_tab(coop), _("Mentions légales"))
        if coop is None:
            intro = QLabel(_("Saisissez l'identité de votre coopérative : elle figure sur les "
                             "feuilles de distribution, les factures et les relevés."))
            intro.setWordWrap(True)
            self.body.addWidget(intro)
        self.body.addWidget(self.tabs)
        self._show_logo()
        self.resize(820, 600)

    # --- tabs --------------------------------------------------------------------------

    def _identity_tab(self, coop: CoopDetail | None) -> QWidget:
        form = new_form()
        self.name = line_edit(coop.name if coop else "", max_length=200)
        self.add_field(form, "name", _("Nom"), self.name)
        self.legal_form: ValueCombo[str] = ValueCombo((f, f) for f in LEGAL_FORMS)
        self.legal_form.setEditable(True)
        self.legal_form.setCurrentText(coop.legal_form if coop else LEGAL_FORMS[0])
        self.add_field(form, "legal_form", _("Forme juridique"), self.legal_form)
        self.address = line_edit(coop.address if coop else "", max_length=300)
        self.add_field(form, "address", _("Adresse"), self.address)
        self.postal_code = line_edit(coop.postal_code if coop else "", width_chars=8)
        self.add_field(form, "postal_code", _("Code postal"), self.postal_code)
        self.city = line_edit(coop.city if coop else "")
        self.add_field(form, "city", _("Ville"), self.city)
        self.email = line_edit(coop.email if coop else "", placeholder=_("contact@exemple.fr"))
        self.add_field(form, "email", _("E-mail"), self.email)
        self.phone = line_edit(coop.phone if coop else "", width_chars=18)
        self.add_field(form, "phone", _("Téléphone"), self.phone)

        logo_box = QGroupBox(_("Logo"))
        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(LOGO_PREVIEW_WIDTH, LOGO_PREVIEW_HEIGHT)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.logo_preview.setWordWrap(True)
        self.choose_logo_button = QPushButton(_("Choisir une image…"))
        self.choose_logo_button.clicked.connect(self.choose_logo)
        self.remove_logo_button = QPushButton(_("Retirer le logo"))
        self.remove_logo_button.clicked.connect(self.remove_logo)
        logo_hint = QLabel(_("PNG ou JPEG, 1 Mo au plus. Imprimé en tête des documents."))
        logo_hint.setObjectName("fieldHint")
        logo_hint.setWordWrap(True)
        logo_layout = QVBoxLayout(logo_box)
        logo_layout.addWidget(self.logo_preview, 0, Qt.AlignmentFlag.AlignHCenter)
        logo_layout.addWidget(logo_hint)
        logo_layout.addWidget(self.error_slot("logo", self.logo_preview))
        logo_layout.addWidget(self.choose_logo_button)
        logo_layout.addWidget(self.remove_logo_button)
        logo_layout.addStretch(1)

        page = QWidget()
        layout = QHBoxLayout(page)
        layout.addLayout(form, 1)
        layout.addWidget(logo_box, 0, Qt.AlignmentFlag.AlignTop)
        return page

    def _numbers_tab(self, coop: CoopDetail | None) -> QWidget:
        form = new_form()
        self.siren = line_edit(coop.siren if coop else "", width_chars=14)
        self.add_field(form, "siren", _("SIREN"), self.siren,
                       hint=_("9 chiffres ; déduit du SIRET s'il est laissé vide."))
        self.siret = line_edit(coop.siret if coop else "", width_chars=20)
        self.add_field(form, "siret", _("SIRET"), self.siret, hint=_("14 chiffres."))
        self.rna = line_edit(coop.rna if coop else "", placeholder="W691234567", width_chars=14)
        self.add_field(form, "rna", _("N° RNA"), self.rna,
                       hint=_("Numéro d'association : W suivi de 9 chiffres."))
        self.vat_number = line_edit(coop.vat_number if coop else "", width_chars=18)
        self.add_field(form, "vat_number", _("N° de TVA intracommunautaire"), self.vat_number,
                       hint=_("Seulement si la coopérative est assujettie à la TVA."))
        self.iban = line_edit(coop.iban if coop else "", width_chars=38)
        self.add_field(form, "iban", _("IBAN"), self.iban,
                       hint=_("Imprimé sur les relevés des adhérents pour leurs virements."))
        self.bic = line_edit(coop.bic if coop else "", width_chars=14)
        self.add_field(form, "bic", _("BIC"), self.bic)
        page = QWidget()
        QVBoxLayout(page).addLayout(form)
        return page

    def _invoicing_tab(self, coop: CoopDetail | None) -> QWidget:
        form = new_form()
        self.fee_percent = line_edit(decimal_input_text(coop.fee_percent) if coop else "0",
                                     width_chars=8)
        fee = QWidget()
        fee_row = QHBoxLayout(fee)
        fee_row.setContentsMargins(0, 0, 0, 0)
        fee_row.addWidget(self.fee_percent)
        fee_row.addWidget(QLabel("%"))
        fee_row.addStretch(1)
        self.add_field(form, "fee_percent", _("Participation aux frais"), fee,
                       hint=_("Part ajoutée au prix TTC des produits pour le fonctionnement de "
                              "la coopérative, montrée aux adhérents. 0 si aucune."),
                       target=self.fee_percent)
        self.payment_terms = QSpinBox()
        self.payment_terms.setRange(1, PAYMENT_TERMS_MAX_DAYS)
        self.payment_terms.setValue(coop.payment_terms_days if coop else 30)
        self.payment_terms.setSuffix(" " + _("jours"))
        self.payment_terms.setMaximumWidth(140)
        self.add_field(form, "payment_terms_days", _("Délai de paiement des factures"),
                       self.payment_terms,
                       hint=_("Pour des denrées périssables, 30 jours au plus après la livraison."))
        page = QWidget()
        QVBoxLayout(page).addLayout(form)
        return page

    def _legal_tab(self, coop: CoopDetail | None) -> QWidget:
        texts = coop.legal_texts if coop is not None else DEFAULT_LEGAL_TEXTS
        self.legal_edits: dict[str, QPlainTextEdit] = {}
        content = QWidget()
        layout = QVBoxLayout(content)
        note = QLabel(_("Ces mentions sont imprimées sur les factures. Le droit de la TVA est "
                        "en cours de recodification : mettez-les à jour ici quand les articles "
                        "changent, sans attendre une nouvelle version du logiciel."))
        note.setWordWrap(True)
        layout.addWidget(note)
        for key, default in DEFAULT_LEGAL_TEXTS.items():
            box = QGroupBox(_(LEGAL_TEXT_TITLES.get(key, key)))
            grid = QGridLayout(box)
            edit = QPlainTextEdit(texts.get(key, default))
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 3 + 14)
            edit.setAccessibleName(_(LEGAL_TEXT_TITLES.get(key, key)))
            self.legal_edits[key] = edit
            reset = QPushButton(_("Rétablir le texte par défaut"))
            reset.setObjectName(f"reset_{key}")
            reset.clicked.connect(lambda _checked=False, key=key: self.reset_legal_text(key))
            grid.addWidget(edit, 0, 0, 1, 2)
            placeholders = LEGAL_TEXT_PLACEHOLDERS.get(key, frozenset())
            hint = QLabel(_("Champs remplacés à l'impression : {names}").format(
                names=", ".join("{" + name + "}" for name in sorted(placeholders)))
                if placeholders else "")
            hint.setObjectName("fieldHint")
            hint.setWordWrap(True)
            grid.addWidget(hint, 1, 0)
            grid.addWidget(reset, 1, 1, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(self.error_slot(f"legal_texts.{key}", edit), 2, 0, 1, 2)
            grid.setColumnStretch(0, 1)
            layout.addWidget(box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        return scroll

    # --- logo and legal texts ------------------------------------------------------------

    def choose_logo(self) -> None:
        path = messages.choose_open_file(self, title=_("Choisir le logo de la coopérative"),
                                         filters=_(LOGO_FILTERS))
        if path is None:
            return
        self.load_logo(path)

    def load_logo(self, path: Path) -> None:
        self.clear_error("logo")
        try:
            content = path.read_bytes()
        except OSError as error:
            self.show_error(ValidationError(messages.error_text(error), field="logo_png"))
            return
        self.logo = content
        self._show_logo()

    def remove_logo(self) -> None:
        self.clear_error("logo")
        self.logo = None
        self._show_logo()

    def _show_logo(self) -> None:
        self.remove_logo_button.setEnabled(self.logo is not None)
        if self.logo is None:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(_("Aucun logo"))
            return
        pixmap = QPixmap()
        if not pixmap.loadFromData(QByteArray(self.logo)):
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText(_("Aperçu impossible : ce fichier n'est pas une image "
                                        "lisible."))
            return
        self.logo_preview.setPixmap(pixmap.scaled(
            LOGO_PREVIEW_WIDTH - 8, LOGO_PREVIEW_HEIGHT - 8, Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    def reset_legal_text(self, key: str) -> None:
        self.legal_edits[key].setPlainText(DEFAULT_LEGAL_TEXTS[key])

    # --- saving -------------------------------------------------------------------------

    def collect(self) -> CoopInput:
        return CoopInput(
            name=self.name.text(),
            legal_form=self.legal_form.currentText(),
            address=self.address.text(),
            postal_code=self.postal_code.text(),
            city=self.city.text(),
            email=self.email.text(),
            phone=self.phone.text(),
            siren=self.siren.text(),
            siret=self.siret.text(),
            rna=self.rna.text(),
            vat_number=self.vat_number.text(),
            iban=self.iban.text(),
            bic=self.bic.text(),
            logo_png=self.logo,
            fee_percent=self.fee_percent.text(),
            legal_texts={key: edit.toPlainText() for key, edit in self.legal_edits.items()},
            payment_terms_days=self.payment_terms.value(),
        )
