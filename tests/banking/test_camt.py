"""ISO 20022 camt.053 statements: the sample, other versions and messages, broken files."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.banking.statements import StatementError, read_statement
from tests.banking.conftest import CAMT, SampleReader

D = Decimal
IBAN = "FR7642559100000401234567890"


def write(tmp_path: Path, text: str, *, encoding: str = "utf-8", name: str = "c.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def camt_text(sample: SampleReader) -> str:
    return sample.text(CAMT, "utf-8")


def as_version_08(text: str) -> str:
    """The sample as camt.053.001.08 writes it: party names under Pty, the status as a code."""
    text = text.replace("camt.053.001.02", "camt.053.001.08")
    text = re.sub(r"<(Dbtr|Cdtr)><Nm>(.*?)</Nm></\1>", r"<\1><Pty><Nm>\2</Nm></Pty></\1>", text)
    return text.replace("<Sts>BOOK</Sts>", "<Sts><Cd>BOOK</Cd></Sts>")


# --- a small camt.053 writer for the cases the sample does not hold -------------------------------

#: One entry: date, signed amount, AcctSvcrRef, text.
Entry = tuple[str, str, str | None, str]


def statement_xml(
    entries: Sequence[Entry], *, opening: str, closing: str, start: str, end: str,
    account: str = IBAN,
) -> str:
    def balance(code: str, amount: str, day: str) -> str:
        sign = "DBIT" if amount.startswith("-") else "CRDT"
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                f'<Amt Ccy="EUR">{amount.lstrip("-")}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
                f"<Dt><Dt>{day}</Dt></Dt></Bal>")

    rows = []
    for day, amount, service_ref, text in entries:
        sign = "DBIT" if amount.startswith("-") else "CRDT"
        ref = f"<AcctSvcrRef>{service_ref}</AcctSvcrRef>" if service_ref else ""
        rows.append(
            f'<Ntry><Amt Ccy="EUR">{amount.lstrip("-")}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>"
            f"{ref}<AddtlNtryInf>{text}</AddtlNtryInf></Ntry>"
        )
    return (
        f"<Stmt><Id>S-{start}</Id><CreDtTm>{end}T23:00:00</CreDtTm>"
        f"<FrToDt><FrDtTm>{start}T00:00:00</FrDtTm><ToDtTm>{end}T23:59:59</ToDtTm></FrToDt>"
        f"<Acct><Id><IBAN>{account}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + balance("OPBD", opening, start) + balance("CLBD", closing, end)
        + "\n".join(rows) + "</Stmt>"
    )


def document(*statements: str, version: str = "053.001.02") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>\n"
        + "\n".join(statements) + "\n</BkToCstmrStmt></Document>\n"
    )


# --- the sample ---------------------------------------------------------------------------------


def test_the_sample_is_read_whole(sample: SampleReader) -> None:
    statement = read_statement(sample.path(CAMT))
    assert statement.format == "camt.053.001.02"
    assert statement.account == IBAN
    assert statement.currency == "EUR"
    assert (statement.period_start, statement.period_end) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )
    assert (statement.opening_balance, statement.closing_balance) == (D("3987.62"), D("4486.22"))
    assert D("3987.62") + statement.total == D("4486.22")
    assert [
        (ln.booking_date, ln.value_date, ln.amount, ln.label, ln.bank_id, ln.source_line)
        for ln in statement.lines
    ] == [
        (dt.date(2026, 11, 30), dt.date(2026, 11, 30), D("64.00"),
         "Camille Lefebvre PANIERS NOVEMBRE REF ADH-0007", "2026113000001", 28),
        (dt.date(2026, 11, 28), dt.date(2026, 11, 29), D("1254.50"),
         "REMISE DE CHEQUES 3446335", "2026112800001", 40),
        (dt.date(2026, 11, 27), dt.date(2026, 11, 27), D("-812.40"),
         "GAEC du Pré Vert FACTURE GAECDUPRE-2026-0011", "2026112700001", 48),
        (dt.date(2026, 11, 3), dt.date(2026, 11, 3), D("-7.50"),
         "FRAIS BANCAIRES COTISATION OFFRE ASSOCIATION", "2026110300001", 60),
    ]
    first, cheques, producer, fees = statement.lines
    # The counterparty of a credit is its debtor, of a debit its creditor.
    assert (first.counterparty_name, first.counterparty_iban) == (
        "Camille Lefebvre", "FR1420041010050500013M02606")
    assert (producer.counterparty_name, producer.counterparty_iban) == (
        "GAEC du Pré Vert", "FR7630006000011234567890189")
    # EndToEndId when the payer gave one, else the remittance text.
    assert producer.reference == "GAECDUPRE-2026-0011"
    assert first.reference == "PANIERS NOVEMBRE REF ADH-0007"
    assert cheques.reference is None and cheques.counterparty_name is None
    assert fees.reference is None


def test_a_statement_that_does_not_add_up_is_refused(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample).replace(">4486.22<", ">4486.32<")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert str(caught.value) == (
        "« c.xml », ligne 8 : le relevé ne s'équilibre pas : solde d'ouverture 3\u202f987,62\xa0€ "
        "+ opérations 498,60\xa0€ = 4\u202f486,22\xa0€, mais le solde de clôture indiqué est "
        "4\u202f486,32\xa0€. Le fichier est incomplet ou a été modifié : téléchargez-le de "
        "nouveau."
    )


def test_an_entry_left_out_breaks_the_balance(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample)
    start = text.index("<Ntry>", text.index("<NtryRef>N2") - 40)
    end = text.index("</Ntry>", start) + len("</Ntry>")
    with pytest.raises(StatementError, match="ne s'équilibre pas"):
        read_statement(write(tmp_path, text[:start] + text[end:]))


# --- versions and other messages ----------------------------------------------------------------


def test_version_08_is_read_like_version_02(sample: SampleReader, tmp_path: Path) -> None:
    original = read_statement(sample.path(CAMT))
    newer = read_statement(write(tmp_path, as_version_08(camt_text(sample))))
    assert newer.format == "camt.053.001.08"
    assert newer.lines == original.lines
    assert (newer.opening_balance, newer.closing_balance) == (
        original.opening_balance, original.closing_balance)


@pytest.mark.parametrize("version", ["01", "14"])
def test_a_version_not_supported_says_which_are(
    sample: SampleReader, tmp_path: Path, version: str
) -> None:
    text = camt_text(sample).replace("camt.053.001.02", f"camt.053.001.{version}")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert str(caught.value) == (
        f"« c.xml » : relevé camt.053.001.{version} : cette version n'est pas prise en charge "
        "(versions lues : camt.053.001.02 à camt.053.001.13)."
    )


def test_a_camt_054_notification_is_not_a_statement(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample).replace("camt.053.001.02", "camt.054.001.08")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert str(caught.value) == (
        "« c.xml » : c'est un avis d'opérations (camt.054.001.08), pas un relevé de compte : "
        "téléchargez le relevé au format camt.053."
    )
    text = camt_text(sample).replace("camt.053.001.02", "camt.052.001.02")
    with pytest.raises(StatementError, match=r"relevé intrajournalier \(camt\.052\.001\.02\)"):
        read_statement(write(tmp_path, text))


# --- broken files ---------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["<NtryRef>N3", "</Stmt>", "</Document>"])
def test_a_truncated_file_is_refused_whole(
    sample: SampleReader, tmp_path: Path, marker: str
) -> None:
    text = camt_text(sample)
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text[: text.index(marker)]))
    message = str(caught.value)
    assert re.fullmatch(
        r"« c\.xml », ligne \d+ : le fichier XML est tronqué \(il s'arrête avant la fin du "
        r"relevé\) : téléchargez-le de nouveau\.",
        message,
    ), message


def test_a_non_numeric_amount_names_its_line(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample).replace(">812.40<", ">812,40<").replace(
        "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>\n        <BookgDt><Dt>2026-11-28",
        "<CdtDbtInd>CREDIT</CdtDbtInd><Sts>BOOK</Sts>\n        <BookgDt><Dt>2026-11-28",
    )
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert caught.value.problems == (
        "ligne 40 : sens « CREDIT » inconnu (CdtDbtInd : CRDT ou DBIT attendu)",
        "ligne 50 : montant « 812,40 » illisible",
    )


def test_a_bad_booking_date_names_its_line(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample).replace("<BookgDt><Dt>2026-11-03", "<BookgDt><Dt>2026-11-31")
    with pytest.raises(StatementError) as caught:
        read_statement(write(tmp_path, text))
    assert caught.value.problems == (
        "ligne 63 : date de comptabilisation « 2026-11-31 » illisible",
    )


def test_utf8_declared_but_windows_1252_saved_is_still_read(
    sample: SampleReader, tmp_path: Path
) -> None:
    statement = read_statement(write(tmp_path, camt_text(sample), encoding="cp1252"))
    assert statement.lines[2].counterparty_name == "GAEC du Pré Vert"


def test_entities_are_never_expanded(sample: SampleReader, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT DE PASSE", encoding="utf-8")
    text = camt_text(sample).replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE Document '
        f'[<!ENTITY xxe SYSTEM "file://{secret}">]>',
    ).replace("<AddtlNtryInf>REMISE DE CHEQUES 3446335", "<AddtlNtryInf>&xxe;")
    statement = read_statement(write(tmp_path, text))
    assert all("MOT DE PASSE" not in line.label for line in statement.lines)


# --- entries ------------------------------------------------------------------------------------


def test_pending_entries_are_left_out(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample)
    pending = (
        '<Ntry><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>PDNG</Sts>'
        "<AddtlNtryInf>EN ATTENTE</AddtlNtryInf></Ntry>\n    </Stmt>"
    )
    statement = read_statement(write(tmp_path, text.replace("</Stmt>", pending)))
    assert len(statement.lines) == 4
    assert all(line.label != "EN ATTENTE" for line in statement.lines)


def test_a_batch_entry_stays_one_line_of_its_total(sample: SampleReader, tmp_path: Path) -> None:
    text = camt_text(sample)
    batch = (
        "<AddtlNtryInf>REMISE DE CHEQUES 3446335</AddtlNtryInf>"
        "<NtryDtls><Btch><NbOfTxs>2</NbOfTxs></Btch>"
        "<TxDtls><RltdPties><Dbtr><Nm>A</Nm></Dbtr></RltdPties></TxDtls>"
        "<TxDtls><RltdPties><Dbtr><Nm>B</Nm></Dbtr></RltdPties></TxDtls></NtryDtls>"
    )
    text = text.replace("<AddtlNtryInf>REMISE DE CHEQUES 3446335</AddtlNtryInf>", batch)
    line = read_statement(write(tmp_path, text)).lines[1]
    assert (line.amount, line.label, line.counterparty_name) == (
        D("1254.50"), "REMISE DE CHEQUES 3446335", None)


def test_daily_statements_of_one_account_are_read_as_one(tmp_path: Path) -> None:
    monday = statement_xml(
        [("2026-11-02", "64.00", "R1", "VIR ADH-0007"), ("2026-11-02", "-5.00", None, "FRAIS"),
         ("2026-11-02", "-5.00", None, "FRAIS")],
        opening="100.00", closing="154.00", start="2026-11-02", end="2026-11-02",
    )
    tuesday = statement_xml(
        [("2026-11-03", "-54.00", "R2", "VIR GAEC")],
        opening="154.00", closing="100.00", start="2026-11-03", end="2026-11-03",
    )
    # Sent in any order, read in the order of their periods.
    statement = read_statement(write(tmp_path, document(tuesday, monday)))
    assert (statement.opening_balance, statement.closing_balance) == (D("100.00"), D("100.00"))
    assert (statement.period_start, statement.period_end) == (
        dt.date(2026, 11, 2), dt.date(2026, 11, 3))
    assert [(ln.amount, ln.label) for ln in statement.lines] == [
        (D("64.00"), "VIR ADH-0007"), (D("-5.00"), "FRAIS"), (D("-5.00"), "FRAIS"),
        (D("-54.00"), "VIR GAEC")]
    assert len({ln.fingerprint for ln in statement.lines}) == 4

    gap = statement_xml([], opening="90.00", closing="90.00", start="2026-11-05", end="2026-11-05")
    with pytest.raises(StatementError, match="s'ouvre à 90,00\xa0€ alors que le précédent se clôt "
                       "à 100,00\xa0€ : des relevés manquent"):
        read_statement(write(tmp_path, document(monday, tuesday, gap)))

    other = statement_xml([], opening="1.00", closing="1.00", start="2026-11-02",
                          end="2026-11-02", account="FR1420041010050500013M02606")
    with pytest.raises(StatementError, match="plusieurs comptes"):
        read_statement(write(tmp_path, document(monday, other)))


def test_five_thousand_entries_are_read_quickly(tmp_path: Path) -> None:
    entries: list[Entry] = []
    total = Decimal("0.00")
    for n in range(5000):
        amount = D(n % 250 + 1) + D(n % 100) / 100
        if n % 3 == 0:
            amount = -amount
        total += amount
        day = (dt.date(2026, 1, 1) + dt.timedelta(days=n // 20)).isoformat()
        entries.append((day, f"{amount:.2f}", f"SVC{n:07d}", f"VIR REF ADH-{n % 300:04d}"))
    closing = D("10000.00") + total
    text = document(statement_xml(entries, opening="10000.00", closing=f"{closing:.2f}",
                                  start="2026-01-01", end="2026-09-30"))
    path = write(tmp_path, text)
    started = time.perf_counter()
    statement = read_statement(path)
    elapsed = time.perf_counter() - started
    print(f"\n5 000-entry camt.053 read in {elapsed * 1000:.0f} ms")
    assert len(statement.lines) == 5000
    assert statement.closing_balance == closing
