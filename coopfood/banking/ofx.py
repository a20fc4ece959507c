"""OFX statements (1.x SGML as French banks export them, and 2.x XML), read with ofxtools.

ofxtools tokenises the SGML (optional end tags, entities) and checks the
statement against the OFX specification; coopfood decodes the text itself
(the CHARSET header is often wrong: a file declared 1252 that is really UTF-8
is read right) and reads each operation's values from the parsed tree, so
that a bad amount or date is reported with its line, and dates are the
calendar dates the bank wrote (ofxtools turns them into UTC moments, which
would move 20261130000000[+1:CET] to the 29th).

What is kept: FITID as the bank's unique id (it makes the fingerprint), NAME
and MEMO as the label, REFNUM or CHECKNUM as the reference, DTAVAIL as the
value date, PAYEE/NAME as the counterparty when the bank gives one, the
LEDGERBAL amount as the closing balance, DTSTART/DTEND as the period. OFX has
no opening balance. Amounts keep the file's sign (credit > 0, debit < 0).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import warnings
import xml.etree.ElementTree as ET
from decimal import Decimal

from ofxtools.models.base import Aggregate
from ofxtools.Parser import ParseError, TreeBuilder

from coopfood.banking.statements import (
    LineDraft,
    ParsedStatement,
    clean_text,
    decode_text,
    finish_lines,
    join_label,
    line_problem,
    parse_date_prefix,
    problems_error,
    statement_error,
)
from coopfood.domain.money import AmountError, money
from coopfood.i18n import _

_CHARSETS = {"1252": "cp1252", "ISO-8859-1": "latin-1", "NONE": "utf-8", "UTF-8": "utf-8"}
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")


def parse_ofx(data: bytes, *, name: str) -> ParsedStatement:
    """Read an OFX statement of one account; a French `StatementError` else."""
    text = decode_text(data, file=name, legacy=_declared_charset(data))
    body_start = text.find("<OFX>")
    if body_start < 0:
        raise statement_error(name, _("en-tête OFX sans balise <OFX> : fichier abîmé."))
    _check_complete(text, name)
    root = _tree(text, body_start, name)

    statements = [e for e in root.iter() if e.tag in ("STMTRS", "CCSTMTRS")]
    if not statements:
        raise statement_error(name, _("le fichier OFX ne contient aucun relevé de compte."))
    if len(statements) > 1:
        accounts = ", ".join(sorted({_leaf(s, ".//ACCTID") or "?" for s in statements}))
        raise statement_error(
            name,
            _(
                "le fichier contient {count} relevés (comptes {accounts}) : téléchargez un "
                "fichier par compte."
            ).format(count=len(statements), accounts=accounts),
        )
    statement = statements[0]
    transactions = list(statement.iter("STMTTRN"))
    starts: list[int | None] = [m.start() for m in re.finditer("<STMTTRN>", text)]
    if len(starts) != len(transactions):
        starts = [None] * len(transactions)
    drafts = []
    problems = []
    for element, start in zip(transactions, starts, strict=True):
        try:
            drafts.append(_draft(element, _line_of(text, start)))
        except _FieldError as error:
            # The line of the faulty element, which follows its <STMTTRN>.
            at = text.find(f"<{error.tag}>", start) if start is not None else -1
            problems.append(line_problem(_line_of(text, at if at >= 0 else start), error.reason))
    if problems:
        raise problems_error(name, problems)
    _check_specification(statement, name)

    account = _leaf(statement, "BANKACCTFROM/ACCTID") or _leaf(statement, "CCACCTFROM/ACCTID")
    closing = _leaf(statement, "LEDGERBAL/BALAMT")
    return ParsedStatement(
        source=name,
        format="OFX",
        account=account,
        currency=(_leaf(statement, "CURDEF") or "EUR").upper(),
        period_start=_optional_date(statement, "BANKTRANLIST/DTSTART"),
        period_end=_optional_date(statement, "BANKTRANLIST/DTEND"),
        opening_balance=None,
        closing_balance=money(closing) if closing else None,
        lines=finish_lines(account, drafts),
    )


class _FieldError(ValueError):
    def __init__(self, tag: str, reason: str) -> None:
        super().__init__(reason)
        self.tag = tag
        self.reason = reason


def _line_of(text: str, offset: int | None) -> int | None:
    return None if offset is None else text.count("\n", 0, offset) + 1


def _declared_charset(data: bytes) -> str:
    head = data[:1024].decode("latin-1")
    xml = re.search(r"<\?xml[^>]*encoding=[\"']([\w.-]+)", head)
    if xml:
        return xml[1]
    charset = re.search(r"CHARSET:\s*([\w-]+)", head)
    return _CHARSETS.get(charset[1].upper(), "cp1252") if charset else "cp1252"


def _check_complete(text: str, name: str) -> None:
    """A file cut short: an operation left open, or no closing </OFX>."""
    opened = [m.start() for m in re.finditer("<STMTTRN>", text)]
    closed = [m.start() for m in re.finditer("</STMTTRN>", text)]
    if len(closed) > len(opened):
        raise statement_error(
            name, _("OFX mal formé (une balise </STMTTRN> de trop) : fichier abîmé.")
        )
    if len(opened) != len(closed) or any(c < o for o, c in zip(opened, closed, strict=False)):
        unclosed = next(
            (o for i, o in enumerate(opened) if i >= len(closed) or closed[i] < o), opened[-1]
        )
        raise statement_error(
            name,
            _(
                "l'opération commencée ici n'est pas terminée (pas de </STMTTRN>) : le fichier "
                "est tronqué, téléchargez-le de nouveau."
            ),
            line=text.count("\n", 0, unclosed) + 1,
        )
    if not text.rstrip().upper().endswith("</OFX>"):
        raise statement_error(
            name,
            _(
                "le fichier est tronqué (la balise de fin </OFX> manque) : téléchargez-le de "
                "nouveau."
            ),
        )


class _NestingTreeBuilder(TreeBuilder):
    """ofxtools' tokeniser, refusing an end tag that closes another aggregate than the open one."""

    def end(self, tag: str) -> ET.Element:
        element = super().end(tag)
        if element.tag != tag:
            raise ParseError(
                _("balise </{tag}> à la place de </{open}>").format(tag=tag, open=element.tag)
            )
        return element


def _tree(text: str, body_start: int, name: str) -> ET.Element:
    builder = _NestingTreeBuilder()
    try:
        builder.feed(text[body_start:])
        root = builder.close()
    except (SyntaxError, ValueError, IndexError, AssertionError) as error:
        reason = str(error.args[0] if error.args else error)
        # ofxtools tells where in the body: "… - position=[1001:1011]".
        where = re.search(r"\s*-\s*position=\[(\d+):\d+\]$", reason)
        line = None
        if where:
            reason = reason[: where.start()]
            line = _line_of(text, body_start + int(where[1]))
        raise statement_error(
            name, _("OFX mal formé ({reason}).").format(reason=reason), line=line
        ) from None
    if not isinstance(root, ET.Element) or root.tag != "OFX":
        raise statement_error(name, _("OFX mal formé (pas d'élément <OFX> racine)."))
    return root


def _check_specification(statement: ET.Element, name: str) -> None:
    """ofxtools checks the statement against the OFX specification (required parts, types).

    Only the statement is checked, not the sign-on block around it, whose
    oddities do not matter here. Warnings (a NAME over 32 characters, a tag
    unknown to the specification) are common in French banks' files and harmless.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            Aggregate.from_etree(statement)
        except (ValueError, TypeError, KeyError, IndexError, ArithmeticError) as error:
            raise statement_error(
                name,
                _("le relevé OFX n'est pas conforme à la norme ({reason}).").format(reason=error),
            ) from None


def _leaf(element: ET.Element, path: str) -> str | None:
    """The text of a leaf element, entities decoded and spaces collapsed; None when empty."""
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return clean_text(html.unescape(found.text)) or None


def _optional_date(element: ET.Element, path: str) -> dt.date | None:
    text = _leaf(element, path)
    if text is None:
        return None
    try:
        return parse_date_prefix(text)
    except ValueError:
        return None


def _draft(element: ET.Element, line: int | None) -> LineDraft:
    """One STMTTRN; a `_FieldError` with a French reason when its amount or a date is bad."""
    posted = _leaf(element, "DTPOSTED")
    if posted is None:
        raise _FieldError("STMTTRN", _("l'opération n'a pas de date (DTPOSTED)"))
    booking_date = _date(posted, "DTPOSTED")
    available = _leaf(element, "DTAVAIL")
    value_date = _date(available, "DTAVAIL") if available is not None else None
    amount_text = _leaf(element, "TRNAMT")
    if amount_text is None:
        raise _FieldError("STMTTRN", _("l'opération n'a pas de montant (TRNAMT)"))
    try:
        amount: Decimal = money(amount_text)
    except AmountError as error:
        raise _FieldError(
            "TRNAMT", _("montant illisible (TRNAMT) : {reason}").format(reason=error)
        ) from None

    payee = _leaf(element, "PAYEE/NAME")
    name = _leaf(element, "NAME") or payee
    memo = _leaf(element, "MEMO")
    account_to = _leaf(element, "BANKACCTTO/ACCTID")
    fitid = _leaf(element, "FITID")
    return LineDraft(
        booking_date=booking_date,
        value_date=value_date,
        amount=amount,
        label=join_label([name, memo]),
        counterparty_name=payee,
        counterparty_iban=account_to if account_to and _IBAN.fullmatch(account_to) else None,
        reference=_leaf(element, "REFNUM") or _leaf(element, "CHECKNUM"),
        bank_id=fitid,
        unique_id_kind="FITID" if fitid else None,
        source_line=line,
    )


def _date(text: str, tag: str) -> dt.date:
    try:
        return parse_date_prefix(text)
    except ValueError:
        raise _FieldError(
            tag, _("date « {text} » illisible ({tag})").format(text=text, tag=tag)
        ) from None
