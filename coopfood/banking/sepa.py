"""SEPA credit transfer files (ISO 20022 pain.001.001.03) paying producers.

pain.001.001.03 is the version French banks take for a file of transfers
uploaded to their web banking (the later .09 is not everywhere yet). The
file is built by the `sepaxml` library, then its message id, creation time
and payment-information id are set from what the caller gives (so that the
stored batch and the file agree, and the same input gives the same file),
and it is validated against the schema `sepaxml` ships before anyone sees it.

One payment-information block with batch booking: the bank shows one debit
for the whole file, which the bank matching finds by its total.

Names and remittance texts are written in the SEPA Latin character set the
French banks require: accents are transliterated (« Chèvrerie » →
« Chevrerie »); XML's own special characters (& < >) are kept and escaped,
so « Vergers & <Fils> » reads the same at the bank. Nothing here touches the
database.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources

from lxml import etree

from coopfood.domain.money import ZERO, round_cents
from coopfood.i18n import _, format_date
from coopfood.services import ServiceError

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
#: Limits of the schema's text types (Max35Text, Max70Text, Max140Text).
ID_MAX = 35
NAME_MAX = 70
REMITTANCE_MAX = 140
#: The largest amount a pain.001 amount may hold (18 digits, 2 decimals: far above need).
AMOUNT_MAX = Decimal("999999999.99")


class SepaError(ServiceError):
    """A transfer file that cannot be made, in French, naming what to put right."""


@dataclass(frozen=True)
class Debtor:
    """The co-op's account the transfers are paid from."""

    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class CreditTransfer:
    """One transfer to a producer."""

    #: The reference the producer's bank shows with the credit: the invoice number.
    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_iban: str
    #: Optional within SEPA (IBAN only since 2016); written when known.
    creditor_bic: str | None
    #: The text the producer reads on its statement, at most 140 characters.
    remittance: str


# --- business days -----------------------------------------------------------------------------


def _easter(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day = divmod(h + m - 7 * n + 114, 31)
    return dt.date(year, month, day + 1)


def is_business_day(day: dt.date) -> bool:
    """Whether SEPA transfers are settled that day: the TARGET2 calendar (no weekend, nor
    1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December)."""
    if day.weekday() >= 5:
        return False
    easter = _easter(day.year)
    closed = {dt.date(day.year, 1, 1), easter - dt.timedelta(days=2),
              easter + dt.timedelta(days=1), dt.date(day.year, 5, 1),
              dt.date(day.year, 12, 25), dt.date(day.year, 12, 26)}
    return day not in closed


def next_business_day(day: dt.date) -> dt.date:
    """The first business day after `day`: the default requested execution date."""
    following = day + dt.timedelta(days=1)
    while not is_business_day(following):
        following += dt.timedelta(days=1)
    return following


# --- texts ---------------------------------------------------------------------------------------


def message_id(moment: dt.datetime, sequence: int) -> str:
    """« COOPFOOD-20261201-091500-0007 »: unique per batch (the bank refuses a file whose
    message id it has already seen)."""
    return f"COOPFOOD-{moment:%Y%m%d-%H%M%S}-{sequence:04d}"[:ID_MAX]


def invoice_remittance(number: str, issue_date: dt.date, *, partial: bool = False) -> str:
    """« Facture GAECDUPRE-2026-0001 du 30/11/2026 », and « (paiement partiel) »."""
    text = _("Facture {number} du {date}").format(
        number=number, date=format_date(issue_date, style="short"))
    if partial:
        text = _("{text} (paiement partiel)").format(text=text)
    return text[:REMITTANCE_MAX]


def invoices_remittance(numbers: Sequence[str]) -> str:
    """« Factures A, B, C » cut to 140 characters, ending in « … » when some are left off."""
    text = _("Factures {numbers}").format(numbers=", ".join(numbers))
    if len(text) <= REMITTANCE_MAX:
        return text
    return text[:REMITTANCE_MAX - 3].rstrip(", ") + "..."


# --- the file ------------------------------------------------------------------------------------


def _cents(amount: Decimal) -> int:
    return int(round_cents(amount) * 100)


def _check(debtor: Debtor, transfers: Sequence[CreditTransfer]) -> None:
    if not transfers:
        raise SepaError(_("Aucun virement à mettre dans le fichier."))
    if not sepa_text(debtor.name):
        raise SepaError(_("Le nom de la coopérative manque : saisissez-le dans Fichier › "
                          "Paramètres de la coopérative…"))
    seen: set[str] = set()
    for transfer in transfers:
        if not 0 < transfer.amount <= AMOUNT_MAX or round_cents(transfer.amount) != \
                transfer.amount:
            raise SepaError(_("Montant invalide pour {name} ({reference}) : {amount}.").format(
                name=transfer.creditor_name, reference=transfer.end_to_end_id,
                amount=transfer.amount))
        reference = transfer.end_to_end_id
        if not reference or len(reference) > ID_MAX or reference.startswith("/") \
                or reference.endswith("/") or "//" in reference:
            raise SepaError(_("La référence « {reference} » ne peut pas servir de référence "
                              "de bout en bout d'un virement SEPA (35 caractères au plus, "
                              "sans « / » au début, à la fin ni doublé).").format(
                reference=reference))
        if not sepa_text(transfer.creditor_name):
            raise SepaError(_("Le nom « {name} » ne s'écrit pas en caractères latins : "
                              "corrigez-le dans la fiche du producteur.").format(
                name=transfer.creditor_name))
        if reference in seen:
            raise SepaError(_("La référence « {reference} » est donnée à deux virements du "
                              "même fichier.").format(reference=reference))
        seen.add(reference)


def build_transfer_file(*, debtor: Debtor, transfers: Sequence[CreditTransfer],
                        execution_date: dt.date, message_id: str,
                        created_at: dt.datetime) -> bytes:
    """The pain.001.001.03 file of these transfers, checked against the schema."""
    from sepaxml import SepaTransfer  # type: ignore[import-untyped]

    _check(debtor, transfers)
    if len(message_id) > ID_MAX:
        raise SepaError(_("Identifiant de message trop long : {id}.").format(id=message_id))
    config = {"name": sepa_text(debtor.name), "IBAN": debtor.iban, "BIC": debtor.bic,
              "batch": True, "currency": "EUR"}
    document = SepaTransfer(config, schema=SCHEMA, clean=True)
    for transfer in transfers:
        payment: dict[str, object] = {
            "name": sepa_text(transfer.creditor_name), "IBAN": transfer.creditor_iban,
            "amount": _cents(transfer.amount), "execution_date": execution_date,
            "description": sepa_text(transfer.remittance),
            "endtoend_id": transfer.end_to_end_id}
        if transfer.creditor_bic:
            payment["BIC"] = transfer.creditor_bic
        document.add_payment(payment)
    raw: bytes = document.export(validate=False)
    return _finish(raw, message_id=message_id, created_at=created_at)


def _finish(raw: bytes, *, message_id: str, created_at: dt.datetime) -> bytes:
    """Set the ids and the moment `sepaxml` draws at random or from the clock, and
    validate the result."""
    root = etree.fromstring(raw, parser=_parser())
    ns = {"p": NAMESPACE}
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", ns)
    assert header is not None
    _set(header, "p:MsgId", message_id)
    moment = created_at.astimezone().replace(tzinfo=None, microsecond=0)
    _set(header, "p:CreDtTm", moment.isoformat())
    for number, block in enumerate(root.iterfind("p:CstmrCdtTrfInitn/p:PmtInf", ns), start=1):
        _set(block, "p:PmtInfId", f"{message_id[:ID_MAX - 4]}-{number:03d}")
    # The declaration written the way bank portals' own samples write it.
    xml: bytes = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    validate(xml)
    return xml


def _set(parent: etree._Element, path: str, text: str) -> None:
    node = parent.find(path, {"p": NAMESPACE})
    assert node is not None, path
    node.text = text


def _parser() -> etree.XMLParser:
    # A file of ours, but parsed like any other: never a network fetch nor an entity.
    return etree.XMLParser(resolve_entities=False, no_network=True)


@functools.cache
def _schema() -> etree.XMLSchema:
    source = resources.files("sepaxml").joinpath("schemas", f"{SCHEMA}.xsd")
    with resources.as_file(source) as path:
        return etree.XMLSchema(etree.parse(str(path), parser=_parser()))


def validate(xml: bytes) -> None:
    """Refuse, in French, a file the pain.001.001.03 schema does not accept."""
    try:
        document = etree.fromstring(xml, parser=_parser())
    except etree.XMLSyntaxError as error:
        raise SepaError(_("Le fichier de virements n'est pas du XML valide : {error}").format(
            error=error)) from None
    schema = _schema()
    if not schema.validate(document):
        # « <string>:12:0:ERROR:SCHEMASV:SCHEMAV_…: Element '…': … »
        first = (str(schema.error_log).splitlines() or ["?"])[0]
        raise SepaError(_("Le fichier de virements ne respecte pas le schéma {schema} : "
                          "{error}").format(schema=SCHEMA, error=first.split(": ", 1)[-1]))


@dataclass(frozen=True)
class ReadTransfer:
    """A transfer as read back from a file (for the tests and the checks)."""

    end_to_end_id: str
    amount: Decimal
    creditor_name: str
    creditor_iban: str
    creditor_bic: str | None
    remittance: str


@dataclass(frozen=True)
class ReadFile:
    message_id: str
    execution_date: dt.date
    debtor_name: str
    debtor_iban: str
    count: int
    control_sum: Decimal
    transfers: tuple[ReadTransfer, ...]


def read_transfer_file(xml: bytes) -> ReadFile:
    """What a pain.001.001.03 file says: its header and each transfer."""
    validate(xml)
    root = etree.fromstring(xml, parser=_parser())
    ns = {"p": NAMESPACE}

    def text(node: etree._Element, path: str) -> str:
        found = node.find(path, ns)
        return (found.text or "") if found is not None else ""

    initiation = root.find("p:CstmrCdtTrfInitn", ns)
    assert initiation is not None
    transfers = []
    blocks = initiation.findall("p:PmtInf", ns)
    for block in blocks:
        for tx in block.iterfind("p:CdtTrfTxInf", ns):
            transfers.append(ReadTransfer(
                end_to_end_id=text(tx, "p:PmtId/p:EndToEndId"),
                amount=Decimal(text(tx, "p:Amt/p:InstdAmt")),
                creditor_name=text(tx, "p:Cdtr/p:Nm"),
                creditor_iban=text(tx, "p:CdtrAcct/p:Id/p:IBAN"),
                creditor_bic=text(tx, "p:CdtrAgt/p:FinInstnId/p:BIC") or None,
                remittance=text(tx, "p:RmtInf/p:Ustrd")))
    first = blocks[0]
    return ReadFile(
        message_id=text(initiation, "p:GrpHdr/p:MsgId"),
        execution_date=dt.date.fromisoformat(text(first, "p:ReqdExctnDt")),
        debtor_name=text(first, "p:Dbtr/p:Nm"),
        debtor_iban=text(first, "p:DbtrAcct/p:Id/p:IBAN"),
        count=int(text(initiation, "p:GrpHdr/p:NbOfTxs")),
        control_sum=Decimal(text(initiation, "p:GrpHdr/p:CtrlSum")),
        transfers=tuple(transfers))


def total_of(transfers: Sequence[CreditTransfer]) -> Decimal:
    return sum((t.amount for t in transfers), ZERO)


_SPACES = re.compile(r"\s+")


def sepa_text(text: str) -> str:
    """A name or a text in the Latin letters banks read, on one line (a line break has no
    place in a transfer); & < > stay, escaped in the XML."""
    from text_unidecode import unidecode  # type: ignore[import-untyped]

    return _SPACES.sub(" ", unidecode(text)).strip()
