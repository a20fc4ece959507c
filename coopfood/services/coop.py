"""The co-op's identity and settings, printed on every document (one row)."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from coopfood.domain.money import AmountError, money
from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.persistence.models import Coop, Cycle, DistributionPoint, Member, Producer, Product
from coopfood.services import Actor, Role, ValidationError
from coopfood.services import validation as check
from coopfood.services.access import require

#: Who may change the co-op's identity, bank details and legal wording.
COOP_EDITORS = frozenset({Role.ADMIN, Role.TREASURER})

#: The legal wording printed on invoices, used until the co-op changes it. It
#: lives in the database, not in code: VAT law is being recodified (CIBS) and
#: article numbers will change.
DEFAULT_LEGAL_TEXTS: Mapping[str, str] = {
    "autofacturation": "Autofacturation — facture établie par {coop} au nom et pour le "
                       "compte de {producteur}, en vertu du mandat du {date}",
    "franchise": "TVA non applicable, art. 293 B du CGI",
    "late_penalty": "En cas de retard de paiement : pénalités au taux de trois fois le taux "
                    "d'intérêt légal",
    "recovery_indemnity": "Indemnité forfaitaire pour frais de recouvrement : 40 €",
    "flat_rate_farmer": "Producteur au régime du remboursement forfaitaire agricole : TVA non "
                        "facturée",
}

#: The placeholders each text may use, replaced when a document is drawn.
LEGAL_TEXT_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "autofacturation": frozenset({"coop", "producteur", "date"}),
}

LEGAL_TEXT_MAX_LENGTH = 1000
LOGO_MAX_BYTES = 1024 * 1024
PAYMENT_TERMS_MAX_DAYS = 60
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True, kw_only=True)
class CoopInput:
    """What a user types for the co-op; checked and normalised by `save_coop`."""

    name: str
    legal_form: str = "Association loi 1901"
    address: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    phone: str = ""
    siren: str = ""
    siret: str = ""
    rna: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    logo_png: bytes | None = None
    fee_percent: Decimal | str = Decimal("0")
    #: Only the texts the co-op changed; the others keep `DEFAULT_LEGAL_TEXTS`.
    legal_texts: Mapping[str, str] = field(default_factory=dict)
    payment_terms_days: int = 30


@dataclass(frozen=True)
class CoopDetail:
    id: int
    name: str
    legal_form: str
    address: str
    postal_code: str
    city: str
    email: str
    phone: str
    siren: str | None
    siret: str | None
    rna: str | None
    vat_number: str | None
    iban: str | None
    bic: str | None
    #: PNG or JPEG bytes (the column keeps its historical name).
    logo_png: bytes | None
    fee_percent: Decimal
    #: Every known text: the co-op's own wording, else the default one.
    legal_texts: Mapping[str, str]
    payment_terms_days: int

    def legal_text(self, key: str, **values: str) -> str:
        """A legal mention ready to print, its placeholders ({coop}, …) replaced."""
        return self.legal_texts[key].format(**values)


def _detail(c: Coop) -> CoopDetail:
    return CoopDetail(
        id=c.id, name=c.name, legal_form=c.legal_form, address=c.address,
        postal_code=c.postal_code, city=c.city, email=c.email, phone=c.phone, siren=c.siren,
        siret=c.siret, rna=c.rna, vat_number=c.vat_number, iban=c.iban, bic=c.bic,
        logo_png=c.logo_png, fee_percent=c.fee_percent,
        legal_texts={**DEFAULT_LEGAL_TEXTS, **(c.legal_texts or {})},
        payment_terms_days=c.payment_terms_days,
    )


def checked_coop(data: CoopInput) -> dict[str, object]:
    """The columns of the co-op from what was typed, or a ValidationError naming the field."""
    siret = check.siret(data.siret)
    siren = check.siren(data.siren)
    if siret is not None and siren is not None and check.siren_of_siret(siret) != siren:
        raise ValidationError(
            _("Le SIRET {siret} ne correspond pas au SIREN {siren} : ses 9 premiers chiffres "
              "doivent être le SIREN.").format(siret=siret, siren=siren), field="siret")
    if siren is None and siret is not None:
        siren = check.siren_of_siret(siret)
    return {
        "name": check.text(data.name, field="name", label=_("Le nom de la coopérative")),
        "legal_form": check.text(data.legal_form, field="legal_form",
                                 label=_("La forme juridique"), required=False, max_length=60),
        "address": check.text(data.address, field="address", label=_("L'adresse"),
                              required=False, max_length=300),
        "postal_code": check.postal_code(data.postal_code),
        "city": check.text(data.city, field="city", label=_("La ville"), required=False,
                           max_length=100),
        "email": check.email(data.email) or "",
        "phone": check.phone(data.phone),
        "siren": siren,
        "siret": siret,
        "rna": check.rna(data.rna),
        "vat_number": check.vat_number(data.vat_number, siren_number=siren),
        "iban": check.iban(data.iban),
        "bic": check.bic(data.bic),
        "logo_png": _logo(data.logo_png),
        "fee_percent": _fee_percent(data.fee_percent),
        "legal_texts": _legal_texts(data.legal_texts),
        "payment_terms_days": _payment_terms(data.payment_terms_days),
    }


def _logo(content: bytes | None) -> bytes | None:
    if not content:
        return None
    if not (content.startswith(_PNG_MAGIC) or content.startswith(_JPEG_MAGIC)):
        raise ValidationError(
            _("Le logo doit être une image PNG ou JPEG."), field="logo_png")
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationError(
            _("Le logo est trop lourd ({size} Ko) : 1 Mo au plus.").format(
                size=len(content) // 1024), field="logo_png")
    return bytes(content)


def _fee_percent(value: Decimal | str) -> Decimal:
    label = _("La participation aux frais de la coopérative")
    if isinstance(value, str):
        value = value.replace("%", "").strip() or "0"
    try:
        rate = money(value)
    except AmountError as error:
        raise ValidationError(f"{label} : {error}.", field="fee_percent") from None
    if not Decimal(0) <= rate <= Decimal(100):
        raise ValidationError(
            _("{label} doit être comprise entre 0 et 100 % (« {value} »).").format(
                label=label, value=value), field="fee_percent")
    return rate


def _payment_terms(days: int) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or not (
            1 <= days <= PAYMENT_TERMS_MAX_DAYS):
        raise ValidationError(
            _("Le délai de paiement doit être de 1 à {max} jours (« {value} ») ; pour des "
              "denrées périssables la loi le limite à 30 jours après la livraison.").format(
                max=PAYMENT_TERMS_MAX_DAYS, value=days), field="payment_terms_days")
    return days


def _legal_texts(texts: Mapping[str, str]) -> dict[str, str]:
    """The texts that differ from the defaults; an emptied text falls back to its default."""
    own: dict[str, str] = {}
    for key, value in texts.items():
        if key not in DEFAULT_LEGAL_TEXTS:
            raise ValidationError(
                _("Texte légal « {key} » inconnu : les textes sont {known}.").format(
                    key=key, known=", ".join(DEFAULT_LEGAL_TEXTS)), field="legal_texts")
        cleaned = check.text(value, field=f"legal_texts.{key}",
                             label=_("Le texte « {key} »").format(key=key), required=False,
                             max_length=LEGAL_TEXT_MAX_LENGTH)
        if not cleaned or cleaned == DEFAULT_LEGAL_TEXTS[key]:
            continue
        _check_placeholders(key, cleaned)
        own[key] = cleaned
    return own


def _check_placeholders(key: str, value: str) -> None:
    allowed = LEGAL_TEXT_PLACEHOLDERS.get(key, frozenset())
    hint = (_("seuls {names} y sont remplacés").format(
                names=", ".join("{" + name + "}" for name in sorted(allowed)))
            if allowed else _("ce texte n'a aucun champ à remplacer"))
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(value)
                 if name is not None}
    except ValueError:
        raise ValidationError(
            _("Le texte « {key} » contient une accolade isolée : {hint}.").format(
                key=key, hint=hint), field=f"legal_texts.{key}") from None
    unknown = sorted(names - allowed)
    if unknown:
        raise ValidationError(
            _("Le texte « {key} » contient un champ inconnu {found} : {hint}.").format(
                key=key, found=", ".join("{" + name + "}" for name in unknown), hint=hint),
            field=f"legal_texts.{key}")


def _the_coop(session: Session) -> Coop | None:
    return session.scalars(select(Coop).order_by(Coop.id).limit(1)).first()


def get_coop(*, db: Database, actor: Actor) -> CoopDetail | None:
    """The co-op's identity, or None while none has been entered."""
    with db.reading() as session:
        coop = _the_coop(session)
        return None if coop is None else _detail(coop)


def save_coop(*, db: Database, actor: Actor, data: CoopInput) -> CoopDetail:
    """Enter or change the co-op's identity (there is one co-op per database)."""
    require(actor, COOP_EDITORS, _("modifier la fiche de la coopérative"))
    values = checked_coop(data)
    with db.transaction() as session:
        coop = _the_coop(session)
        if coop is None:
            coop = Coop(**values)
            session.add(coop)
        else:
            for key, value in values.items():
                setattr(coop, key, value)
        session.flush()
        return _detail(coop)


def database_is_empty(*, db: Database) -> bool:
    """No co-op and nothing entered yet: a base the first-start assistant may fill.

    Here rather than beside the demo generator, so that opening the window does
    not import it.
    """
    with db.reading() as session:
        return not any(session.scalar(select(exists().select_from(model)))
                       for model in (Coop, DistributionPoint, Producer, Product, Member, Cycle))
