"""Checking what a user typed or imported, with real libraries and French messages.

The checking libraries are imported by the function that needs them: the
window's start-up reads the co-op through this module and must not pay for
phone, IBAN and e-mail tables it does not use yet.

Each function returns the value in its canonical form (a SIRET without
spaces, an IBAN in capitals, a phone number formatted the French way) or
raises `ValidationError` naming the field and what is wrong with it.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from coopfood.domain.money import AmountError, money, quantity, to_decimal
from coopfood.domain.vat import VAT_RATES
from coopfood.i18n import _, format_number
from coopfood.services import ValidationError

#: La Poste's SIRETs are valid by a special rule (sum of digits multiple of 5).
_LA_POSTE_SIREN = "356000000"


def text(value: str | None, *, field: str, label: str, required: bool = True,
         max_length: int = 200) -> str:
    """A text typed by a user: trimmed; required or not; never longer than the column."""
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationError(_("{label} est obligatoire.").format(label=label), field=field)
    if len(cleaned) > max_length:
        raise ValidationError(
            _("{label} est trop long ({n} caractères, {max} au plus).").format(
                label=label, n=len(cleaned), max=max_length), field=field)
    return cleaned


def siret(value: str | None, *, field: str = "siret", required: bool = False) -> str | None:
    from stdnum.fr import siret as stdnum_siret
    compact = stdnum_siret.compact(value or "")
    if not compact:
        if required:
            raise ValidationError(_("Le SIRET est obligatoire."), field=field)
        return None
    if not compact.isdigit() or len(compact) != 14:
        raise ValidationError(
            _("SIRET « {value} » invalide : il faut 14 chiffres.").format(value=value),
            field=field)
    if not (stdnum_siret.is_valid(compact) or _la_poste_siret(compact)):
        raise ValidationError(
            _("SIRET « {value} » invalide : la clé de contrôle ne correspond pas "
              "(vérifiez une faute de frappe).").format(value=value), field=field)
    return compact


def _la_poste_siret(compact: str) -> bool:
    return compact.startswith(_LA_POSTE_SIREN) and sum(int(c) for c in compact) % 5 == 0


def siren(value: str | None, *, field: str = "siren") -> str | None:
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.fr import siren as stdnum_siren
    compact = stdnum_siren.compact(value or "")
    if not compact:
        return None
    try:
        return str(stdnum_siren.validate(compact))
    except StdnumError:
        raise ValidationError(
            _("SIREN « {value} » invalide : 9 chiffres avec une clé de contrôle exacte.").format(
                value=value), field=field) from None


def siren_of_siret(siret_number: str) -> str:
    return siret_number[:9]


def rna(value: str | None, *, field: str = "rna") -> str | None:
    compact = (value or "").strip().upper().replace(" ", "")
    if not compact:
        return None
    # The RNA number has no check digit (no library checks more than its form).
    if not (len(compact) == 10 and compact[0] == "W" and compact[1:].isdigit()):
        raise ValidationError(
            _("Numéro RNA « {value} » invalide : la lettre W suivie de 9 chiffres.").format(
                value=value), field=field)
    return compact


def vat_number(value: str | None, *, field: str = "vat_number",
               siren_number: str | None = None) -> str | None:
    """A French intra-community VAT number (FR + key + SIREN), consistent with the SIREN."""
    from stdnum.exceptions import ValidationError as StdnumError
    from stdnum.fr import tva as stdnum_tva

    compact = stdnum_tva.compact(value or "")
    if not compact:
        return None
    if not compact.startswith("FR"):
        compact = "FR" + compact
    try:
        stdnum_tva.validate(compact)
    except StdnumError:
        raise ValidationError(
            _("Numéro de TVA « {value} » invalide : FR, une clé de 2 caractères et le SIREN "
              "(13 caractères en tout).").format(value=value), field=field) from None
    if siren_number and compact[4:] != siren_number:
        raise ValidationError(
            _("Le numéro de TVA « {value} » ne correspond pas au SIREN {siren}.").format(
                value=value, siren=siren_number), field=field)
    return compact


def iban(value: str | None, *, field: str = "iban", required: bool = False) -> str | None:
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException
    compact = (value or "").replace(" ", "").replace("\u00a0", "").upper()
    if not compact:
        if required:
            raise ValidationError(_("L'IBAN est obligatoire."), field=field)
        return None
    try:
        return str(IBAN(compact).compact)
    except SchwiftyException as error:
        raise ValidationError(
            _("IBAN « {value} » invalide : {reason}").format(
                value=value, reason=_iban_reason(compact, error)), field=field) from None


def _iban_reason(compact: str, error: Exception) -> str:
    name = type(error).__name__
    if "Checksum" in name:
        return _("la clé de contrôle ne correspond pas (vérifiez une faute de frappe).")
    if "Length" in name:
        return _("longueur incorrecte ({n} caractères).").format(n=len(compact))
    if "CountryCode" in name:
        return _("code pays « {code} » inconnu.").format(code=compact[:2])
    return _("format incorrect.")


def bic(value: str | None, *, field: str = "bic") -> str | None:
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException
    compact = (value or "").replace(" ", "").upper()
    if not compact:
        return None
    try:
        return str(BIC(compact, allow_invalid=False).compact)
    except SchwiftyException:
        raise ValidationError(
            _("BIC « {value} » invalide : 8 ou 11 caractères (banque, pays, lieu).").format(
                value=value), field=field) from None


def email(value: str | None, *, field: str = "email", required: bool = False) -> str | None:
    from email_validator import EmailNotValidError, validate_email
    cleaned = (value or "").strip()
    if not cleaned:
        if required:
            raise ValidationError(_("L'adresse e-mail est obligatoire."), field=field)
        return None
    try:
        # Offline application: check the form only, never the domain over the network.
        result = validate_email(cleaned, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(
            _("Adresse e-mail « {value} » invalide.").format(value=cleaned), field=field
        ) from None
    return str(result.normalized)


def phone(value: str | None, *, field: str = "phone") -> str:
    """A phone number: French numbers as '06 12 34 56 78', others in international form."""
    import phonenumbers

    cleaned = (value or "").strip()
    if not cleaned:
        return ""
    try:
        number = phonenumbers.parse(cleaned, "FR")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("Numéro de téléphone « {value} » invalide.").format(value=cleaned), field=field)
    if number.country_code == 33:
        return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL))
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def price(value: Decimal | int | str, *, field: str = "price", label: str = "Le prix",
          allow_zero: bool = False) -> Decimal:
    """A price in euros: positive, at most two decimals, never rounded silently."""
    try:
        amount = money(value)
    except AmountError as error:
        raise ValidationError(f"{label} : {error}.", field=field) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            _("{label} doit être positif (« {value} »).").format(label=label, value=value),
            field=field)
    return amount


def signed_money(value: Decimal | int | str, *, field: str = "amount",
                 label: str = "Le montant") -> Decimal:
    """An amount in euros that may be negative (a correction), at most two decimals."""
    try:
        return money(value)
    except AmountError as error:
        raise ValidationError(f"{label} : {error}.", field=field) from None


def positive_quantity(value: Decimal | int | str, *, field: str = "quantity",
                      label: str = "La quantité", allow_zero: bool = True) -> Decimal:
    try:
        amount = quantity(value)
    except AmountError as error:
        raise ValidationError(f"{label} : {error}.", field=field) from None
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError(
            _("{label} ne peut pas être négative (« {value} »).").format(label=label, value=value)
            if amount < 0 else
            _("{label} doit être supérieure à zéro.").format(label=label), field=field)
    return amount


def vat_rate(value: Decimal | int | str, *, field: str = "vat_rate") -> Decimal:
    """One of the French rates a co-op's products carry: 5,5 %, 10 % or 20 %."""
    try:
        rate = to_decimal(str(value).replace("%", "")) if not isinstance(value, Decimal) else value
    except AmountError:
        rate = None
    if rate is not None and Decimal(0) < rate < 1:
        rate = rate * 100  # "0,055" written as a fraction
    allowed = ", ".join(f"{format_number(r)} %" for r in VAT_RATES)
    if rate is None or rate.quantize(Decimal("0.01")) not in VAT_RATES:
        raise ValidationError(
            _("Taux de TVA « {value} » non autorisé : {allowed}.").format(
                value=value, allowed=allowed), field=field)
    return rate.quantize(Decimal("0.01"))


def dates_in_order(start: dt.date, end: dt.date, *, field: str = "end",
                   start_label: str = "le début", end_label: str = "la fin") -> None:
    if end < start:
        raise ValidationError(
            _("Les dates sont inversées : {end_label} ({end}) précède {start_label} "
              "({start}).").format(end_label=end_label, start_label=start_label,
                                   end=end.strftime("%d/%m/%Y"), start=start.strftime("%d/%m/%Y")),
            field=field)


def postal_code(value: str, *, field: str = "postal_code") -> str:
    """A French postal code: five digits (spaces dropped), or nothing."""
    cleaned = value.strip().replace(" ", "")
    if cleaned and not re.fullmatch(r"\d{5}", cleaned):
        raise ValidationError(
            _("Code postal « {value} » invalide : 5 chiffres.").format(value=value),
            field=field)
    return cleaned


def luhn_digit(digits: str) -> str:
    """The Luhn check digit completing `digits` (for generating SIRETs in demos and tests)."""
    from stdnum import luhn

    return str(luhn.calc_check_digit(digits))
