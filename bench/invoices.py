"""Benchmark: issuing a month of producer invoices, Factur-X included, on the large demo.

    python bench/invoices.py [DATABASE_FILE] [--period AAAA-MM]
        (default bench/out/large.sqlite, the last month the demo distributed)

Builds the large demo co-op in DATABASE_FILE if the file is missing (~30 s),
then works on a copy of it (bench/out/invoices-run.sqlite, made anew for each
run, so the benchmark repeats). It times `issue_invoices` — the very service
of the window and of `python main.py invoice issue` — from reading the
delivered lines to the last invoice stored, numbered, drawn, with its
Factur-X XML checked against the XSD and embedded:

* run A: the producers who sell to the co-op (group purchase), one invoice
  per producer for the month;
* run B: all 80 producers, which adds one invoice per household and per
  producer for those who sell directly to households (AMAP direct sale).

It prints the figures and writes them to bench/out/invoices.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from coopfood.domain.enums import InvoiceBuyer  # noqa: E402
from coopfood.persistence.db import connect  # noqa: E402
from coopfood.persistence.migrations import open_database  # noqa: E402
from coopfood.persistence.models import Invoice, InvoiceLine, Producer  # noqa: E402
from coopfood.services import LOCAL_ADMIN, invoicing  # noqa: E402

OUT = ROOT / "bench" / "out"
DEMO_AS_OF = "2026-11-26"


def build_large_demo(path: Path) -> None:
    print(f"Construction de la démo « large » dans {path} (une trentaine de secondes)…")
    subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{path}",
                    "demo", "--size", "large", "--as-of", DEMO_AS_OF], check=True)


def fresh_copy(source: Path, target: Path) -> str:
    """A copy of the demo (the online backup API copies what is still in the WAL too)."""
    for leftover in (target, target.with_name(target.name + "-wal"),
                     target.with_name(target.name + "-shm")):
        leftover.unlink(missing_ok=True)
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)
    url = f"sqlite:///{target}"
    open_database(url).dispose()  # brought to the current schema (invoices)
    return url


def producers(url: str, buyer: InvoiceBuyer | None) -> list[int]:
    db = connect(url)
    try:
        with db.reading() as session:
            query = select(Producer.id)
            if buyer is not None:
                query = query.where(Producer.invoice_buyer == buyer)
            return list(session.scalars(query))
    finally:
        db.dispose()


def run(url: str, period: invoicing.Period, producer_ids: list[int] | None
        ) -> tuple[float, invoicing.IssueReport, int, int]:
    db = connect(url)
    try:
        started = time.perf_counter()
        report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=period,
                                          producer_ids=producer_ids,
                                          issue_date=period.end + dt.timedelta(days=1))
        seconds = time.perf_counter() - started
        with db.reading() as session:
            lines = session.scalar(select(func.count()).select_from(InvoiceLine)) or 0
            size = session.scalar(select(func.sum(func.length(Invoice.pdf)))) or 0
        return seconds, report, int(lines), int(size)
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", nargs="?", type=Path, default=OUT / "large.sqlite")
    parser.add_argument("--period", default="2026-11")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file too")
    parser.add_argument("--coop-only", action="store_true",
                        help="only run A (the producers selling to the co-op)")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.database.exists():
        build_large_demo(args.database)
    period = invoicing.month_period(args.period)
    work = OUT / "invoices-run.sqlite"

    url = fresh_copy(args.database, work)
    coop_buyers = producers(url, InvoiceBuyer.COOP)
    a_seconds, a_report, a_lines, a_size = run(url, period, coop_buyers)

    if args.coop_only:
        report = (f"Factures d'un mois — {period.label} : {len(a_report.invoices)} factures "
                  f"de {len(coop_buyers)} producteurs en {a_seconds:.2f} s\n")
        print(report)
        if args.json:
            args.json.write_text(json.dumps({
                "coop_producers": len(coop_buyers), "coop_invoices": len(a_report.invoices),
                "coop_seconds": a_seconds}), encoding="utf-8")
        return
    url = fresh_copy(args.database, work)
    all_producers = producers(url, None)
    b_seconds, b_report, b_lines, b_size = run(url, period, None)
    households = sum(1 for r in b_report.invoices if r.member_id is not None)

    cores = os.cpu_count() or 1
    rows = [
        ("A — producteurs qui vendent à la coopérative", len(coop_buyers),
         len(a_report.invoices), a_lines, a_size, a_seconds),
        ("B — les 80 producteurs (avec la vente directe)", len(all_producers),
         len(b_report.invoices), b_lines, b_size, b_seconds),
    ]
    text = [f"Factures d'un mois — démo large, {period.label} ({cores} cœurs), Factur-X "
            "compris (XML vérifié par le XSD EN 16931 et joint au PDF)", ""]
    text.append(f"{'':50} {'producteurs':>11} {'factures':>9} {'lignes':>8} "
                f"{'PDF (Mo)':>9} {'secondes':>9} {'ms/facture':>10}")
    for label, producer_count, invoices, lines, size, seconds in rows:
        text.append(f"{label:50} {producer_count:>11} {invoices:>9} {lines:>8} "
                    f"{size / 1e6:>9.1f} {seconds:>9.2f} "
                    f"{1000 * seconds / max(invoices, 1):>10.1f}")
    text.append("")
    text.append(f"B : {households} factures de vente directe (une par foyer et par producteur), "
                f"{len(b_report.invoices) - households} à la coopérative.")
    text.append(f"Objectif : moins de 10 s — A : {'atteint' if a_seconds < 10 else 'manqué'}, "
                f"B : {'atteint' if b_seconds < 10 else 'manqué'}.")
    report = "\n".join(text) + "\n"
    print(report)
    (OUT / "invoices.txt").write_text(report, encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({
            "coop_producers": len(coop_buyers), "coop_invoices": len(a_report.invoices),
            "coop_seconds": a_seconds, "all_producers": len(all_producers),
            "all_invoices": len(b_report.invoices), "household_invoices": households,
            "all_seconds": b_seconds}), encoding="utf-8")
    for leftover in (work, work.with_name(work.name + "-wal"), work.with_name(work.name + "-shm")):
        leftover.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
