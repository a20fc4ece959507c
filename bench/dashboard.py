"""Benchmark: the « Tableau de bord » of the large demo co-op.

    python bench/dashboard.py [DATABASE_FILE]   (default bench/out/large.sqlite)

Builds the large demo co-op in DATABASE_FILE if the file is missing (about 30 s),
then prepares once, beside it, `bench/out/dashboard-base.sqlite`: a copy with the
ledger caught up (`sync_ledger`, one or two minutes), 3,000 cheques in the register
(received, planned month after month, some a year old) and 900 bank lines, a third
of them matched, a few set aside. On that base it measures, as medians of 5 runs:

* the service, `dashboard()`, as the administrator and as the coordinator of one
  point: every figure of the page, read in one transaction;
* the page: built offscreen at 1280 × 800, the figures read on the background queue,
  shown and painted — what the user waits for before the charts appear.

Target: well under one second. Writes bench/out/dashboard.txt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from coopfood.domain.treasury import ChequeStatus  # noqa: E402
from coopfood.persistence.db import Database, connect  # noqa: E402
from coopfood.persistence.models import (  # noqa: E402
    BankLine,
    BankMatch,
    BankStatement,
    Cheque,
    LedgerEntry,
    Member,
)
from coopfood.services import LOCAL_ADMIN, Actor, Role  # noqa: E402
from coopfood.services.dashboard import dashboard  # noqa: E402
from coopfood.services.ledger import sync_ledger  # noqa: E402
from ui import worker  # noqa: E402
from ui.views.context import PageContext  # noqa: E402
from ui.views.dashboard import DashboardPage  # noqa: E402

OUT = ROOT / "bench" / "out"
TODAY = dt.date(2026, 11, 26)
RUNS = 5
SIZE = (1280, 800)


def build_large_demo(path: Path) -> None:
    print(f"Construction de la démo « large » dans {path} (une trentaine de secondes)…")
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(ROOT / "main.py"), "--db", f"sqlite:///{path}",
                    "demo", "--size", "large", "--as-of", TODAY.isoformat()], check=True)


def copy_database(source: Path, target: Path) -> None:
    """A copy to write into (the online backup API copies what is still in the WAL too)."""
    with closing(sqlite3.connect(str(source))) as src, closing(sqlite3.connect(target)) as dest:
        src.backup(dest)


def prepare(source: Path, target: Path) -> None:
    """The large demo with a treasury: ledger, cheques, bank lines."""
    print(f"Préparation de {target} : grand livre à jour, chèques, relevés "
          "(une ou deux minutes)…")
    partial = target.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    copy_database(source, partial)
    db = connect(f"sqlite:///{partial}")
    try:
        sync_ledger(db=db, actor=LOCAL_ADMIN, today=TODAY)
        rng = random.Random(7)
        now = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
        with db.transaction() as session:
            members = session.scalars(select(Member.id).order_by(Member.id)).all()
            months = [f"2026-{m:02d}" for m in range(9, 13)] + ["2027-01", "2027-02"]
            session.execute(insert(Cheque), [{
                "number": f"{8000000 + n}", "bank": "Crédit Mutuel", "drawer": f"Foyer {n}",
                "amount": Decimal(rng.randrange(1500, 9000)) / 100,
                "member_id": rng.choice(members), "planned_month": rng.choice(months),
                "issue_date": TODAY - dt.timedelta(days=rng.randrange(10, 420)),
                "status": rng.choice([ChequeStatus.RECEIVED] * 3 + [ChequeStatus.DEPOSITED]),
                "version": 1, "created_at": now, "updated_at": now,
            } for n in range(3000)])
            entries = session.scalars(select(LedgerEntry.id).order_by(LedgerEntry.id)
                                      .limit(300)).all()
            for month in (9, 10, 11):
                statement = BankStatement(
                    account="FR7630006000011234567890189", format="csv",
                    source=f"releve-2026-{month:02d}.csv", lines_read=300, lines_new=300,
                    imported_at=now, imported_by="bench")
                session.add(statement)
                session.flush()
                lines = [BankLine(
                    statement_id=statement.id, account=statement.account,
                    fingerprint=f"{month}-{n}", booking_date=dt.date(2026, month, 1 + n % 28),
                    amount=Decimal(rng.randrange(-20000, 20000) or 1) / 100,
                    label=f"VIR {n}", ignored_reason="frais" if n % 50 == 0 else None)
                    for n in range(300)]
                session.add_all(lines)
                session.flush()
                session.add_all([BankMatch(bank_line_id=line.id, entry_id=entry,
                                           amount=line.amount, matched_at=now,
                                           matched_by="bench")
                                 for line, entry in zip(lines[::3], entries[(month - 9) * 100:],
                                                        strict=False)])
    finally:
        db.dispose()
    partial.rename(target)


def median_seconds(action: Callable[[], object]) -> float:
    times = []
    for _run in range(RUNS):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def page_display(app: QApplication, context: PageContext) -> float:
    """From building the page to its figures shown and painted."""
    started = time.perf_counter()
    page = DashboardPage(context)
    page.resize(*SIZE)
    page.show()
    while page.loading:
        app.processEvents()
        time.sleep(0.001)
    page.grab()
    elapsed = time.perf_counter() - started
    page.close()
    page.deleteLater()
    app.processEvents()
    return elapsed


def run(app: QApplication, db: Database) -> list[str]:
    with db.reading() as session:
        lines = session.scalar(select(func.count()).select_from(LedgerEntry))
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR, point_ids=frozenset({6}))
    figures = dashboard(db=db, actor=LOCAL_ADMIN, today=TODAY)
    rows = [
        "Tableau de bord — démo « large », {n} écritures au grand livre".format(
            n=f"{lines:,}".replace(",", " ")),
        f"  prochaine distribution : {figures.next_distributions[0].order_count} commandes ; "
        f"{len(figures.sales_by_producer)} producteurs, {len(figures.sales_by_week)} semaines",
    ]
    for label, actor in (("service, administrateur", LOCAL_ADMIN),
                         ("service, coordinatrice d'un point", coordinator)):

        def read(actor: Actor = actor) -> object:
            return dashboard(db=db, actor=actor, today=TODAY)

        seconds = median_seconds(read)
        rows.append(f"  {label:<40} {seconds * 1000:7.0f} ms")
    context = PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY)
    page_display(app, context)  # Qt's first polish of every widget kind, once
    displays = [page_display(app, context) for _run in range(RUNS)]
    rows.append(f"  {'page affichée et peinte, administrateur':<40} "
                f"{statistics.median(displays) * 1000:7.0f} ms")
    rows.append("  objectif : bien moins d'une seconde")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("database", nargs="?", type=Path, default=OUT / "large.sqlite")
    args = parser.parse_args()
    source: Path = args.database.resolve()
    if not source.exists():
        build_large_demo(source)
    base = OUT / "dashboard-base.sqlite"
    if not base.exists():
        prepare(source, base)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    db = connect(f"sqlite:///{base}")
    try:
        lines = run(app, db)
    finally:
        worker.wait_until_idle()
        db.dispose()
    text = "\n".join(lines) + "\n"
    print(text, end="")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "dashboard.txt").write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
