"""ISO 20022 camt.053 bank-to-customer statements, read with lxml.

Versions camt.053.001.02 to camt.053.001.13 are read: the parts coopfood uses
(account, balances, entries, references, related parties, remittance text)
kept their names across them; the two changes met on the way are handled —
a status as text (``<Sts>BOOK</Sts>``, up to .001.05) or as a code
(``<Sts><Cd>BOOK</Cd></Sts>``), and a related party's name directly under
``Dbtr``/``Cdtr`` (up to .001.06) or under ``Pty``. Other camt messages
(camt.052 intraday reports, camt.054 debit/credit notifications) are refused
with a message saying what to download instead.

Per entry (``Ntry``): the amount is signed by ``CdtDbtInd``; only booked
entries count (``BOOK``; pending and informational ones are left out, as the
balances leave them out); ``AcctSvcrRef`` is the bank's unique id and makes
the fingerprint (``NtryRef``, unique only within its statement, is kept as
`bank_id` when there is no ``AcctSvcrRef``); an entry with one transaction
gives its counterparty (the debtor of a credit, the creditor of a debit),
EndToEndId and remittance text; a batch entry (several transactions, e.g. a
collection) stays one line of its total, as the bank booked it.

The statement must add up: opening booked balance (``OPBD``, or ``PRCD``)
plus the booked entries equals the closing booked balance (``CLBD``), else it
is an error. Several ``Stmt`` of one account (daily statements sent together)
are read as one, each checked, and each must start where the previous ended.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from typing import Any

from lxml import etree  # type: ignore[import-untyped, unused-ignore]

from coopfood.banking.statements import (
    LineDraft,
    ParsedStatement,
    decode_text,
    finish_lines,
    join_label,
    line_problem,
    money_text,
    parse_date_prefix,
    problems_error,
    statement_error,
)
from coopfood.domain.money import AmountError, money
from coopfood.i18n import _

SUPPORTED_VERSIONS = range(2, 14)
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(\d{3})\.001\.(\d{2})")
_AMOUNT = re.compile(r"\d{1,18}(?:\.\d{1,5})?")
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")
#: An lxml element (typed `Any`: lxml ships no type hints of its own).
Element = Any


def supported_versions_text() -> str:
    first, last = SUPPORTED_VERSIONS[0], SUPPORTED_VERSIONS[-1]
    return f"camt.053.001.{first:02d} à camt.053.001.{last:02d}"


@dataclass(frozen=True)
class _Statement:
    account: str | None
    currency: str | None
    period_start: dt.date | None
    period_end: dt.date | None
    opening: Decimal | None
    closing: Decimal | None
    drafts: tuple[LineDraft, ...]
    line: int | None


class _Reader:
    """Finds elements in the file's namespace; `problems` gathers every bad entry."""

    def __init__(self, namespace: str, name: str) -> None:
        self.namespace = namespace
        self.name = name
        self.problems: list[str] = []
        self._paths: dict[str, str] = {}

    def find(self, element: Element, *paths: str) -> Element | None:
        for path in paths:
            found = element.find(self._qualify(path))
            if found is not None:
                return found
        return None

    def text(self, element: Element, *paths: str) -> str | None:
        """The text of the first of `paths` found, spaces collapsed; None when empty."""
        found = self.find(element, *paths)
        if found is None or found.text is None:
            return None
        text = " ".join(str(found.text).split())
        return text or None

    def texts(self, element: Element, path: str) -> list[str]:
        found = element.findall(self._qualify(path))
        return [" ".join(str(e.text).split()) for e in found if e.text and e.text.strip()]

    def all(self, element: Element, path: str) -> list[Element]:
        return list(element.findall(self._qualify(path)))

    def _qualify(self, path: str) -> str:
        """'Acct/Id/IBAN' → '{urn:…}Acct/{urn:…}Id/{urn:…}IBAN', once per path."""
        qualified = self._paths.get(path)
        if qualified is None:
            qualified = self._paths[path] = "/".join(
                f"{{{self.namespace}}}{part}" for part in path.split("/")
            )
        return qualified


class _EntryError(ValueError):
    def __init__(self, element: Element, reason: str) -> None:
        super().__init__(reason)
        self.line: int | None = getattr(element, "sourceline", None)
        self.reason = reason


def parse_camt(data: bytes, *, name: str) -> ParsedStatement:
    """Read a camt.053 file of one account; a French `StatementError` else."""
    root = _parse_xml(data, name)
    namespace = etree.QName(root).namespace or ""
    match = _NAMESPACE.fullmatch(namespace)
    if match is None:
        raise statement_error(
            name,
            _(
                "format de relevé non reconnu : ce fichier XML n'est pas un message ISO 20022 "
                "camt (espace de noms « {namespace} »)."
            ).format(namespace=namespace or "aucun"),
        )
    message, version = match[1], int(match[2])
    if message != "053":
        raise statement_error(name, _other_message(message, version))
    if version not in SUPPORTED_VERSIONS:
        raise statement_error(
            name,
            _(
                "relevé camt.053.001.{version:02d} : cette version n'est pas prise en charge "
                "(versions lues : {supported})."
            ).format(version=version, supported=supported_versions_text()),
        )

    reader = _Reader(namespace, name)
    statements = [
        _statement(reader, element) for element in reader.all(root, "BkToCstmrStmt/Stmt")
    ]
    if reader.problems:
        raise problems_error(name, reader.problems)
    if not statements:
        raise statement_error(name, _("le fichier ne contient aucun relevé (élément Stmt)."))
    accounts = {s.account for s in statements}
    if len(accounts) > 1:
        raise statement_error(
            name,
            _(
                "le fichier contient les relevés de plusieurs comptes ({accounts}) : "
                "téléchargez un fichier par compte."
            ).format(accounts=", ".join(sorted(a or "?" for a in accounts))),
        )
    for statement in statements:
        _check_balances(name, statement)
    statements.sort(key=lambda s: (s.period_start or dt.date.min, s.period_end or dt.date.min))
    _check_sequence(name, statements)

    account = statements[0].account
    currencies = {s.currency for s in statements if s.currency}
    if len(currencies) > 1:
        raise statement_error(
            name,
            _("le relevé mêle plusieurs devises ({currencies}).").format(
                currencies=", ".join(sorted(currencies))
            ),
        )
    starts = [s.period_start for s in statements if s.period_start]
    ends = [s.period_end for s in statements if s.period_end]
    return ParsedStatement(
        source=name,
        format=f"camt.053.001.{version:02d}",
        account=account,
        currency=currencies.pop() if currencies else "EUR",
        period_start=min(starts) if starts else None,
        period_end=max(ends) if ends else None,
        opening_balance=statements[0].opening,
        closing_balance=statements[-1].closing,
        lines=finish_lines(account, (d for s in statements for d in s.drafts)),
    )


def _parse_xml(data: bytes, name: str) -> Element:
    """The document's root; a truncated or broken file is an error naming its line.

    The text is decoded first (a file declared UTF-8 but saved in Windows-1252,
    or the reverse, is read right) and its declaration dropped. Entities are
    not expanded and nothing is fetched from the network.
    """
    declared = re.search(rb"<\?xml[^>]*encoding=[\"']([\w.-]+)", data[:200])
    text = decode_text(data, file=name, legacy=declared[1].decode() if declared else "utf-8")
    text = _XML_DECLARATION.sub("", text, count=1)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    try:
        return etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as error:
        reason = str(error.msg or error)
        if "Premature end of data" in reason or "EndTag" in reason or "end of data" in reason:
            explanation = _(
                "le fichier XML est tronqué (il s'arrête avant la fin du relevé) : "
                "téléchargez-le de nouveau."
            )
        else:
            explanation = _("XML mal formé ({reason}).").format(reason=reason)
        raise statement_error(name, explanation, line=error.lineno or None) from None


def _other_message(message: str, version: int) -> str:
    full = f"camt.{message}.001.{version:02d}"
    if message == "054":
        return _(
            "c'est un avis d'opérations ({message}), pas un relevé de compte : téléchargez le "
            "relevé au format camt.053."
        ).format(message=full)
    if message == "052":
        return _(
            "c'est un relevé intrajournalier ({message}), provisoire : téléchargez le relevé "
            "de fin de journée au format camt.053."
        ).format(message=full)
    return _(
        "c'est un message {message}, pas un relevé de compte : téléchargez le relevé au "
        "format camt.053."
    ).format(message=full)


def _statement(reader: _Reader, element: Element) -> _Statement:
    account = reader.text(element, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
    if account is not None:
        account = account.replace(" ", "").upper()
    currency = reader.text(element, "Acct/Ccy")
    period_start = _optional_date(reader, element, "FrToDt/FrDtTm")
    period_end = _optional_date(reader, element, "FrToDt/ToDtTm")

    opening = closing = previous_closing = None
    for balance in reader.all(element, "Bal"):
        code = reader.text(balance, "Tp/CdOrPrtry/Cd")
        if code not in ("OPBD", "PRCD", "CLBD"):
            continue
        try:
            amount = _signed_amount(reader, balance)
        except _EntryError as error:
            reader.problems.append(line_problem(error.line, error.reason))
            continue
        if code == "OPBD" and opening is None:
            opening = amount
        elif code == "PRCD" and previous_closing is None:
            previous_closing = amount
        elif code == "CLBD" and closing is None:
            closing = amount
        currency = currency or _currency(balance, reader)

    drafts = []
    for entry in reader.all(element, "Ntry"):
        try:
            draft = _entry(reader, entry)
        except _EntryError as error:
            reader.problems.append(line_problem(error.line, error.reason))
            continue
        if draft is not None:
            drafts.append(draft)
            currency = currency or _currency(entry, reader)
    return _Statement(
        account=account,
        currency=currency,
        period_start=period_start,
        period_end=period_end,
        opening=opening if opening is not None else previous_closing,
        closing=closing,
        drafts=tuple(drafts),
        line=getattr(element, "sourceline", None),
    )


def _currency(element: Element, reader: _Reader) -> str | None:
    amount = reader.find(element, "Amt")
    if amount is None:
        return None
    value = amount.get("Ccy")
    return str(value) if value else None


def _optional_date(reader: _Reader, element: Element, *paths: str) -> dt.date | None:
    text = reader.text(element, *paths)
    if text is None:
        return None
    try:
        return parse_date_prefix(text)
    except ValueError:
        return None


def _date(reader: _Reader, element: Element, path: str, what: str) -> dt.date | None:
    """A DateAndDateTimeChoice: `Dt` or `DtTm`, the calendar date as written."""
    holder = reader.find(element, path)
    if holder is None:
        return None
    text = reader.text(holder, "Dt", "DtTm")
    if text is None:
        raise _EntryError(holder, _("{what} vide").format(what=what))
    try:
        return parse_date_prefix(text)
    except ValueError:
        raise _EntryError(
            holder, _("{what} « {text} » illisible").format(what=what, text=text)
        ) from None


def _signed_amount(reader: _Reader, element: Element) -> Decimal:
    amount = reader.find(element, "Amt")
    text = reader.text(element, "Amt")
    if amount is None or text is None:
        raise _EntryError(element, _("le montant (Amt) manque"))
    if not _AMOUNT.fullmatch(text):
        raise _EntryError(amount, _("montant « {text} » illisible").format(text=text))
    try:
        value = money(text)
    except AmountError as error:
        raise _EntryError(amount, str(error)) from None
    indicator = reader.text(element, "CdtDbtInd")
    if indicator == "CRDT":
        return value
    if indicator == "DBIT":
        return -value
    raise _EntryError(
        element,
        _("sens « {text} » inconnu (CdtDbtInd : CRDT ou DBIT attendu)").format(
            text=indicator or ""
        ),
    )


def _entry(reader: _Reader, entry: Element) -> LineDraft | None:
    status = reader.text(entry, "Sts/Cd", "Sts/Prtry", "Sts")
    if status is not None and status != "BOOK":
        return None  # pending (PDNG) or informational: not on the account yet
    amount = _signed_amount(reader, entry)
    booking_date = _date(reader, entry, "BookgDt", _("date de comptabilisation"))
    if booking_date is None:
        raise _EntryError(entry, _("l'écriture n'a pas de date de comptabilisation (BookgDt)"))
    value_date = _date(reader, entry, "ValDt", _("date de valeur"))
    service_ref = reader.text(entry, "AcctSvcrRef")
    entry_ref = reader.text(entry, "NtryRef")
    additional = reader.text(entry, "AddtlNtryInf")

    transactions = reader.all(entry, "NtryDtls/TxDtls")
    name = iban = reference = None
    remittance: list[str] = []
    if len(transactions) == 1:
        tx = transactions[0]
        side = "Dbtr" if amount > 0 else "Cdtr"
        name = reader.text(
            tx,
            f"RltdPties/{side}/Nm",
            f"RltdPties/{side}/Pty/Nm",
            f"RltdPties/Ultmt{side}/Nm",
            f"RltdPties/Ultmt{side}/Pty/Nm",
        )
        iban = reader.text(tx, f"RltdPties/{side}Acct/Id/IBAN")
        if iban is not None:
            iban = iban.replace(" ", "").upper()
        remittance = reader.texts(tx, "RmtInf/Ustrd")
        end_to_end = reader.text(tx, "Refs/EndToEndId")
        if end_to_end is not None and end_to_end.upper() == "NOTPROVIDED":
            end_to_end = None
        reference = (
            end_to_end
            or reader.text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
            or (" ".join(remittance) or None)
        )
        service_ref = service_ref or reader.text(tx, "Refs/AcctSvcrRef")
    label = join_label([additional, name, *remittance])
    if not label:
        label = _("{count} opérations groupées").format(count=len(transactions)) if len(
            transactions) > 1 else _bank_code(reader, entry)
    return LineDraft(
        booking_date=booking_date,
        value_date=value_date,
        amount=amount,
        label=label,
        counterparty_name=name,
        counterparty_iban=iban,
        reference=reference,
        bank_id=service_ref or entry_ref,
        unique_id_kind="AcctSvcrRef" if service_ref else None,
        source_line=getattr(entry, "sourceline", None),
    )


def _bank_code(reader: _Reader, entry: Element) -> str:
    """The bank transaction code ('PMNT/RCDT/ESCT'), the label of last resort."""
    codes = [
        reader.text(entry, "BkTxCd/Domn/Cd"),
        reader.text(entry, "BkTxCd/Domn/Fmly/Cd"),
        reader.text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd"),
    ]
    return "/".join(c for c in codes if c) or reader.text(entry, "BkTxCd/Prtry/Cd") or ""


def _check_balances(name: str, statement: _Statement) -> None:
    if statement.opening is None or statement.closing is None:
        return
    total = sum((d.amount for d in statement.drafts), Decimal("0.00"))
    if statement.opening + total != statement.closing:
        raise statement_error(
            name,
            _(
                "le relevé ne s'équilibre pas : solde d'ouverture {opening} + opérations "
                "{total} = {expected}, mais le solde de clôture indiqué est {closing}. Le "
                "fichier est incomplet ou a été modifié : téléchargez-le de nouveau."
            ).format(
                opening=money_text(statement.opening),
                total=money_text(total),
                expected=money_text(statement.opening + total),
                closing=money_text(statement.closing),
            ),
            line=statement.line,
        )


def _check_sequence(name: str, statements: Sequence[_Statement]) -> None:
    """Daily statements sent together must follow each other without a gap."""
    for before, after in pairwise(statements):
        if before.closing is None or after.opening is None:
            continue
        if before.closing != after.opening:
            raise statement_error(
                name,
                _(
                    "ce relevé s'ouvre à {opening} alors que le précédent se clôt à {closing} : "
                    "des relevés manquent dans le fichier."
                ).format(opening=money_text(after.opening), closing=money_text(before.closing)),
                line=after.line,
            )
