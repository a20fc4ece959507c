"""Benchmark: importing and matching a month's bank statement of 5,000 lines, large demo.

    python bench/bank.py [DATABASE_FILE]      (default bench/out/large.sqlite)

Builds the large demo co-op in DATABASE_FILE if the file is missing (about a
minute), then prepares once a base for the bank, bench/out/bank-base.sqlite:
the ledger brought up to date (`sync_ledger`), the October invoices of the
producers who sell to the co-op issued, and 20 deposit slips of cheques.

It writes a statement of November 2026 with 5,000 operations, as a Crédit
Agricole CSV (labels over several quoted lines, Windows-1252) and as a
camt.053.001.02 with the same operations:

* 4,400 transfers from households: nine in ten carry the household's payment
  reference, written as people write it (« ADH-0007 », « adh 7 »,
  « REF ADH0007 », « Adh-007 »), the others only a name;
* the 20 deposit slips, each credited a few days after its date;
* the October invoices paid by transfer, each debit naming its number;
* card takings, cash paid in and bank fees, which nothing explains.

On a fresh copy of the base for each run, it times `import_statement` — the
very service of the window and of `python main.py bank import` — from reading
the file to the last line stored and matched, for the CSV and for the
camt.053; then the same CSV imported again (every line already known). It
prints the figures and writes them to bench/out/bank.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from coopfood.domain.enums import InvoiceBuyer  # noqa: E402
from coopfood.domain.treasury import ChequeStatus, RemittanceKind  # noqa: E402
from coopfood.persistence.db import connect  # noqa: E402
from coopfood.persistence.migrations import open_database  # noqa: E402
from coopfood.persistence.models import (  # noqa: E402
    BankMatch,
    Cheque,
    ChequeRemittance,
    Coop,
    Member,
    Producer,
)
from coopfood.services import LOCAL_ADMIN, bank, invoicing, ledger  # noqa: E402

OUT = ROOT / "bench" / "out"
DEMO_AS_OF = "2026-11-26"
LINES = 5000
HOUSEHOLD_TRANSFERS = 4400
SLIPS = 20
TARGET_SECONDS = 3.0
#: Each import is timed this many times, each on a fresh copy; the median is kept.
REPEATS = 3
NOVEMBER = [dt.date(2026, 11, day) for day in range(1, 31)]


def build_large_demo(path: Path) -> None:
    print(f"Construction de la démo « large » dans {path} (environ une minute)…")
    subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{path}",
                    "demo", "--size", "large", "--as-of", DEMO_AS_OF], check=True)


def copy_database(source: Path, target: Path) -> str:
    """A copy (the online backup API copies what is still in the WAL too)."""
    for leftover in (target, target.with_name(target.name + "-wal"),
                     target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)
    return f"sqlite:///{target}"


def prepare_base(demo: Path, base: Path) -> None:
    """The demo with what a bank statement meets: a ledger, invoices, deposit slips."""
    print(f"Préparation de {base} : grand livre, factures d'octobre, remises de chèques…")
    url = copy_database(demo, base)
    db = open_database(url)
    try:
        started = time.perf_counter()
        report = ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=dt.date(2026, 11, 26))
        seconds = time.perf_counter() - started
        print(f"  grand livre : {report.entries} écritures en {seconds:.0f} s")
        with db.reading() as session:
            sellers = list(session.scalars(select(Producer.id).where(
                Producer.invoice_buyer == InvoiceBuyer.COOP)))
        issued = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN,
                                          period=invoicing.month_period("2026-10"),
                                          producer_ids=sellers,
                                          issue_date=dt.date(2026, 11, 2))
        print(f"  {len(issued.invoices)} factures d'octobre émises")
        rng = random.Random(7)
        with db.transaction() as session:
            members = list(session.scalars(select(Member.id)))
            for number in range(1, SLIPS + 1):
                amounts = [Decimal(rng.randrange(1000, 15000)) / 100 for _n in range(6)]
                day = NOVEMBER[min(number, 25)]
                slip = ChequeRemittance(
                    kind=RemittanceKind.DEPOSIT, number=f"REM-2026-9{number:03d}",
                    remittance_date=day, cheque_count=len(amounts), total=sum(amounts),
                    created_at=ledger.now(), created_by="bench")
                session.add(slip)
                session.flush()
                for amount in amounts:
                    session.add(Cheque(number=f"{rng.randrange(10**6, 10**7)}", amount=amount,
                                       member_id=rng.choice(members),
                                       status=ChequeStatus.DEPOSITED, remittance_id=slip.id,
                                       status_date=day))
    finally:
        db.dispose()


# --- the statement --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    day: dt.date
    amount: Decimal
    #: The label as the bank prints it, line by line.
    label: tuple[str, ...]
    name: str


def operations(url: str) -> list[Operation]:
    """The month's 5,000 operations, the same at every run (a fixed seed)."""
    rng = random.Random(2026)
    db = connect(url)
    try:
        with db.reading() as session:
            households = list(session.execute(
                select(Member.last_name, Member.first_name, Member.payment_reference)
                .order_by(Member.id)))
            slips = list(session.execute(select(ChequeRemittance.remittance_date,
                                                ChequeRemittance.total)
                                         .order_by(ChequeRemittance.id)))
        invoices = ledger.invoices_due(db=db, actor=LOCAL_ADMIN)
    finally:
        db.dispose()
    ops: list[Operation] = []
    for n in range(HOUSEHOLD_TRANSFERS):
        last, first, reference = households[n % len(households)]
        number = int(reference.split("-")[-1])
        written = rng.choice([reference, f"adh {number}", f"REF ADH{number:04d}",
                              f"Adh-{number:03d}", f"ADH {number:04d}"])
        amount = Decimal(rng.randrange(800, 12000)) / 100
        name = f"{first} {last}".upper()
        text = ("PANIERS NOVEMBRE" if n % 10 == 9
                else rng.choice(["PANIERS", "COMMANDE", "COTISATION", ""]) + f" {written}")
        ops.append(Operation(rng.choice(NOVEMBER), amount,
                             ("VIREMENT EN VOTRE FAVEUR", f"M OU MME {name}", text.strip()),
                             name))
    for day, total in slips:
        ops.append(Operation(day + dt.timedelta(days=rng.randrange(1, 6)), total,
                             (f"{rng.randrange(10**6, 10**7)}", "REMISE DE CHEQUES"), ""))
    for invoice in invoices:
        ops.append(Operation(rng.choice(NOVEMBER[5:]), -invoice.remaining,
                             ("VIREMENT EMIS", f"WEB {invoice.producer_name.upper()}",
                              f"FACTURE {invoice.number}"), invoice.producer_name))
    while len(ops) < LINES:
        kind = rng.randrange(3)
        if kind == 0:
            ops.append(Operation(rng.choice(NOVEMBER), Decimal(rng.randrange(1000, 40000)) / 100,
                                 ("REMISE CARTE", f"CARTE 8004701 {rng.randrange(10**5, 10**6)}"),
                                 ""))
        elif kind == 1:
            ops.append(Operation(rng.choice(NOVEMBER), Decimal(rng.randrange(2000, 50000)) / 100,
                                 ("VERSEMENT ESPECES", "AGENCE LE PUY"), ""))
        else:
            ops.append(Operation(rng.choice(NOVEMBER), -Decimal(rng.randrange(100, 2000)) / 100,
                                 ("FRAIS BANCAIRES", "COMMISSION"), ""))
    ops.sort(key=lambda op: op.day, reverse=True)  # banks list the latest first
    return ops


def french_amount(amount: Decimal) -> str:
    units, cents = f"{abs(amount):.2f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return " ".join(groups) + "," + cents


def write_csv(path: Path, ops: list[Operation]) -> None:
    rows = [
        "Téléchargement du 02/12/2026;", "", "ASSOCIATION LES PANIERS",
        "Compte Courant Association n° 00012345678;",
        "Liste des opérations du compte entre le 01/11/2026 et le 30/11/2026;", "",
        "Date;Libellé;Débit Euros;Crédit Euros;",
    ]
    for op in ops:
        label = "\r\n".join(part.ljust(24) for part in op.label) + "\r\n"
        debit = french_amount(op.amount) if op.amount < 0 else ""
        credit = french_amount(op.amount) if op.amount > 0 else ""
        rows.append(f'{op.day:%d/%m/%Y};"{label}";{debit};{credit};')
    path.write_bytes("\r\n".join([*rows, ""]).encode("cp1252", errors="replace"))


def write_camt(path: Path, ops: list[Operation], iban: str) -> None:
    chronological = sorted(ops, key=lambda op: op.day)
    opening = Decimal("12000.00")
    closing_balance = opening + sum((op.amount for op in ops), Decimal("0.00"))

    def balance(code: str, amount: Decimal, day: str) -> str:
        sign = "DBIT" if amount < 0 else "CRDT"
        return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
                f'<Amt Ccy="EUR">{abs(amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
                f"<Dt><Dt>{day}</Dt></Dt></Bal>")

    def xml(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    entries = []
    for number, op in enumerate(chronological, 1):
        sign = "DBIT" if op.amount < 0 else "CRDT"
        party = ""
        if op.name:
            role = "Cdtr" if op.amount < 0 else "Dbtr"
            party = f"<RltdPties><{role}><Nm>{xml(op.name)}</Nm></{role}></RltdPties>"
        details = (f"<NtryDtls><TxDtls>{party}<RmtInf><Ustrd>{xml(op.label[-1])}</Ustrd>"
                   "</RmtInf></TxDtls></NtryDtls>")
        entries.append(
            f'<Ntry><Amt Ccy="EUR">{abs(op.amount):.2f}</Amt><CdtDbtInd>{sign}</CdtDbtInd>'
            f"<Sts>BOOK</Sts><BookgDt><Dt>{op.day}</Dt></BookgDt><ValDt><Dt>{op.day}</Dt>"
            f"</ValDt><AcctSvcrRef>2026{number:09d}</AcctSvcrRef>"
            f"<AddtlNtryInf>{xml(' '.join(op.label[:2]))}</AddtlNtryInf>{details}</Ntry>")
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>BENCH</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>\n"
        "<Stmt><Id>S-2026-11</Id><CreDtTm>2026-12-01T06:00:00</CreDtTm>"
        "<FrToDt><FrDtTm>2026-11-01T00:00:00</FrDtTm><ToDtTm>2026-11-30T23:59:59</ToDtTm>"
        f"</FrToDt><Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + balance("OPBD", opening, "2026-11-01") + balance("CLBD", closing_balance, "2026-11-30")
        + "\n".join(entries) + "</Stmt>\n</BkToCstmrStmt></Document>\n")
    path.write_text(text, encoding="utf-8")


# --- the runs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    label: str
    report: bank.ImportReport
    seconds: float
    to_do: int
    matches: int


def timed_import(url: str, path: Path, label: str) -> Run:
    db = connect(url)
    try:
        started = time.perf_counter()
        report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
        seconds = time.perf_counter() - started
        if report.refused:
            raise SystemExit(report.error)
        to_do = bank.count_to_do(db=db, actor=LOCAL_ADMIN)
        with db.reading() as session:
            matches = int(session.scalar(select(func.count()).select_from(BankMatch)) or 0)
        return Run(label, report, seconds, to_do, matches)
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("database", nargs="?", type=Path, default=OUT / "large.sqlite")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file too")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.database.exists():
        build_large_demo(args.database)
    base = OUT / "bank-base.sqlite"
    if not base.exists():
        prepare_base(args.database, base)
    work = OUT / "bank-run.sqlite"

    url = copy_database(base, work)
    ops = operations(url)
    db = connect(url)
    with db.reading() as session:
        iban = session.scalar(select(Coop.iban)) or "FR7630006000011234567890189"
    db.dispose()
    csv_path, camt_path = OUT / "releve-5000.csv", OUT / "releve-5000.xml"
    write_csv(csv_path, ops)
    write_camt(camt_path, ops, iban)

    runs = []
    for label, path in (("CSV Crédit Agricole", csv_path), ("camt.053.001.02", camt_path)):
        tries = []
        for _attempt in range(REPEATS):
            url = copy_database(base, work)
            tries.append(timed_import(url, path, label))
        runs.append(sorted(tries, key=lambda run: run.seconds)[REPEATS // 2])
        if path == csv_path:
            again = [timed_import(url, csv_path, "le même CSV importé de nouveau")
                     for _attempt in range(REPEATS)]
            known = sorted(again, key=lambda run: run.seconds)[REPEATS // 2]
    runs.insert(1, known)

    cores = os.cpu_count() or 1
    referenced = sum(1 for op in ops if op.name and op.amount > 0 and "ADH" in
                     " ".join(op.label).upper())
    text = [f"Relevé d'un mois — démo large, {len(ops)} opérations ({cores} cœurs, médianes de "
            f"{REPEATS} imports) : "
            f"{referenced} virements de foyers avec leur référence, "
            f"{HOUSEHOLD_TRANSFERS - referenced} sans, {SLIPS} remises de chèques, "
            f"{sum(1 for op in ops if op.label[-1].startswith('FACTURE'))} factures payées", ""]
    text.append(f"{'':34} {'lues':>6} {'nouvelles':>9} {'connues':>8} {'auto':>6} "
                f"{'à traiter':>9} {'secondes':>9}")
    for run in runs:
        r = run.report
        text.append(f"{run.label:34} {r.lines_read:>6} {r.lines_new:>9} {r.lines_known:>8} "
                    f"{r.matched:>6} {run.to_do:>9} {run.seconds:>9.2f}")
    text.append("")
    slowest = max(run.seconds for run in runs)
    text.append(f"Objectif : moins de {TARGET_SECONDS:.0f} s par import — "
                f"{'atteint' if slowest < TARGET_SECONDS else 'manqué'} "
                f"(le plus long : {slowest:.2f} s).")
    report = "\n".join(text) + "\n"
    print(report)
    (OUT / "bank.txt").write_text(report, encoding="utf-8")
    if args.json:
        first = runs[0]
        args.json.write_text(json.dumps({
            "lines": first.report.lines_read, "seconds": slowest,
            "csv_seconds": first.seconds, "camt_seconds": runs[-1].seconds,
            "matched_share": first.report.matched / max(first.report.lines_new, 1),
        }), encoding="utf-8")
    for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
