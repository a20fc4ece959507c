"""Banking: bank statements read from the files banks give (CSV, OFX, camt.053).

Matching, persistence and the SEPA export build on these parsers; nothing here
touches the database.
"""

from __future__ import annotations

from coopfood.banking.csv_formats import ColumnMapping
from coopfood.banking.statements import (
    BankLine,
    ParsedStatement,
    StatementError,
    parse_statement,
    read_statement,
)

__all__ = [
    "BankLine",
    "ColumnMapping",
    "ParsedStatement",
    "StatementError",
    "parse_statement",
    "read_statement",
]
