"""A write killed at any moment (power cut, SIGKILL) leaves all of it or none of it.

A child process imports 10,000 households; the test kills it with SIGKILL at a
random moment, then checks that the database passes its integrity check and
holds either every household or none. The number of kills is COOPFOOD_KILLS
(10 by default, to keep the suite short; the acceptance run uses 100+).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from coopfood.persistence.db import Database, connect, sqlite_integrity_ok, sqlite_path
from coopfood.persistence.models import Member, MembershipFee
from tests.conftest import backend
from tests.imports.support import add_point, write_csv

ROWS = 10_000
KILLS = int(os.environ.get("COOPFOOD_KILLS", "10"))
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import sys
from pathlib import Path
from coopfood.imports import import_file
from coopfood.persistence.db import connect
from coopfood.services import LOCAL_ADMIN
db = connect(sys.argv[1])
print("start", flush=True)
report = import_file(db=db, actor=LOCAL_ADMIN, kind="members", path=Path(sys.argv[2]))
print("done", report.created, flush=True)
"""


def _members_file(tmp_path: Path) -> Path:
    header = ["Nom", "Prénom", "E-mail", "Point", "Adhésion"]
    rows = [[f"Martin{n}", "Lou", f"lou{n}@example.org", "Halle", "2026"] for n in range(ROWS)]
    return write_csv(tmp_path / "adherents.csv", [header, *rows])


def _counts(db: Database) -> tuple[int, int]:
    with db.reading() as session:
        return (session.scalar(select(func.count(Member.id))) or 0,
                session.scalar(select(func.count(MembershipFee.id))) or 0)


def _reset(db: Database) -> None:
    with db.transaction() as session:
        session.execute(text("DELETE FROM membership_fee"))
        session.execute(text("DELETE FROM member"))


def _integrity_ok(db_url: str) -> bool:
    path = sqlite_path(db_url)
    if path is not None:
        return sqlite_integrity_ok(path)
    engine = create_engine(db_url)
    with engine.connect() as conn:  # a live server recovers by itself; it must answer
        ok = conn.execute(text("SELECT count(*) FROM member")).scalar() is not None
    engine.dispose()
    return ok


@pytest.mark.slow
def test_a_killed_import_leaves_all_or_nothing(db: Database, db_url: str, tmp_path: Path) -> None:
    add_point(db, "Halle")
    source = _members_file(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # How long a whole import takes here, to spread the kills over it.
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", CHILD, db_url, str(source)], check=True, env=env,
                   capture_output=True)
    whole = time.perf_counter() - started
    assert _counts(db) == (ROWS, ROWS)
    rng = random.Random(20261126)
    outcomes = {"nothing": 0, "everything": 0}
    for _kill in range(KILLS):
        _reset(db)
        child = subprocess.Popen([sys.executable, "-c", CHILD, db_url, str(source)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"start"
        time.sleep(rng.uniform(0.0, whole * 1.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _integrity_ok(db_url)
        members, fees = _counts(db)
        assert (members, fees) in {(0, 0), (ROWS, ROWS)}, (members, fees)
        outcomes["nothing" if members == 0 else "everything"] += 1
    # Most kills must land in the middle of the write, or the test proves little.
    assert outcomes["nothing"] >= KILLS // 3, outcomes
    print(f"\n{KILLS} kills on {backend()}: {outcomes}")


CLOSE_CHILD = """
import sys
from coopfood.domain.enums import CycleState
from coopfood.persistence.db import connect
from coopfood.services import LOCAL_ADMIN
from coopfood.services.cycles import transition
db = connect(sys.argv[1])
print("start", flush=True)
transition(db=db, actor=LOCAL_ADMIN, cycle_id=int(sys.argv[2]), to_state=CycleState.CLOSED)
print("done", flush=True)
"""


def _cycle_state(db: Database, cycle_id: int) -> tuple[str, int, int]:
    """(state, lines with an allocation, lines without) of a distribution."""
    with db.reading() as session:
        state = session.execute(text("SELECT state FROM cycle WHERE id = :id"),
                                {"id": cycle_id}).scalar_one()
        allocated, pending = session.execute(text(
            "SELECT sum(CASE WHEN l.quantity_allocated IS NULL THEN 0 ELSE 1 END), "
            "sum(CASE WHEN l.quantity_allocated IS NULL THEN 1 ELSE 0 END) "
            "FROM order_line l JOIN member_order o ON o.id = l.order_id "
            "WHERE o.cycle_id = :id"), {"id": cycle_id}).one()
    return str(state), int(allocated or 0), int(pending or 0)


@pytest.mark.slow
def test_a_killed_closing_leaves_the_distribution_open_or_wholly_closed(
    demo_db_copy: Database, tmp_path: Path
) -> None:
    from coopfood.domain.enums import CycleState
    from coopfood.services import LOCAL_ADMIN
    from coopfood.services.cycles import transition
    from coopfood.services.lists import list_cycles

    db = demo_db_copy
    db_url = db.url
    [cycle] = list_cycles(db=db, actor=LOCAL_ADMIN, state=CycleState.OPEN)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lines = sum(_cycle_state(db, cycle.id)[1:])
    # How long the closing itself takes (from "start" to "done", not the start-up).
    first = subprocess.Popen([sys.executable, "-c", CLOSE_CHILD, db_url, str(cycle.id)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert first.stdout is not None
    assert first.stdout.readline().strip() == b"start"
    started = time.perf_counter()
    assert first.stdout.readline().strip() == b"done"
    whole = time.perf_counter() - started
    first.wait()
    assert _cycle_state(db, cycle.id) == ("closed", lines, 0)
    rng = random.Random(3)
    outcomes = {"open": 0, "closed": 0}
    for _kill in range(KILLS):
        state = _cycle_state(db, cycle.id)[0]
        if state == "closed":
            transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, to_state=CycleState.OPEN,
                       reason="essai de coupure")
        child = subprocess.Popen([sys.executable, "-c", CLOSE_CHILD, db_url, str(cycle.id)],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"start"
        time.sleep(rng.uniform(0.0, whole * 1.1))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _integrity_ok(db_url)
        after = _cycle_state(db, cycle.id)
        assert after in {("open", 0, lines), ("closed", lines, 0)}, after
        outcomes[after[0]] += 1
    print(f"\n{KILLS} kills while closing on {backend()}: {outcomes}")


INVOICE_CHILD = """
import datetime as dt, sys
from coopfood.persistence.db import connect
from coopfood.services import LOCAL_ADMIN, invoicing
db = connect(sys.argv[1])
print("start", flush=True)
invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=invoicing.month_period("2026-11"),
                         issue_date=dt.date(2026, 11, 30), processes=1)
print("done", flush=True)
"""


def _invoicing_state(db: Database) -> tuple[int, int, int]:
    """(invoices, invoiced order lines, numbers given by the counters)."""
    with db.reading() as session:
        return tuple(int(session.execute(text(sql)).scalar() or 0) for sql in (  # type: ignore[return-value]
            "SELECT count(*) FROM invoice",
            "SELECT count(*) FROM invoiced_order_line",
            "SELECT coalesce(sum(last_number), 0) FROM invoice_counter",
        ))


@pytest.mark.slow
@pytest.mark.skipif(backend() != "sqlite", reason="issued invoices cannot be taken back: each "
                    "round needs a fresh copy of the base, a file copy on SQLite (a killed "
                    "PostgreSQL client's transaction is rolled back by the server)")
def test_a_killed_month_of_invoices_leaves_no_gap_and_no_half_issued_invoice(
    demo_db_copy: Database, tmp_path: Path
) -> None:
    import sqlite3

    source = sqlite_path(demo_db_copy.url)
    assert source is not None
    template = tmp_path / "avant-facturation.sqlite"
    with sqlite3.connect(source) as src, sqlite3.connect(template) as dest:
        src.backup(dest)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run(url: str) -> subprocess.Popen[bytes]:
        child = subprocess.Popen([sys.executable, "-c", INVOICE_CHILD, url], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == b"start"
        return child

    first = run(demo_db_copy.url)
    started = time.perf_counter()
    assert first.stdout is not None and first.stdout.readline().strip() == b"done"
    whole = time.perf_counter() - started
    first.wait()
    issued = _invoicing_state(demo_db_copy)
    assert issued[0] > 0 and issued[0] == issued[2]  # as many invoices as numbers given
    rng = random.Random(11)
    outcomes = {"nothing": 0, "everything": 0}
    for kill in range(KILLS):
        # Issued invoices are immutable: each round starts from a copy made before issuing.
        path = tmp_path / f"essai-{kill}.sqlite"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        child = run(url)
        time.sleep(rng.uniform(0.0, whole * 1.1))
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert _integrity_ok(url)
        copy = connect(url)
        state = _invoicing_state(copy)
        copy.dispose()
        assert state in {(0, 0, 0), issued}, state
        outcomes["nothing" if state[0] == 0 else "everything"] += 1
        path.unlink()
    print(f"\n{KILLS} kills while invoicing on {backend()}: {outcomes}")
