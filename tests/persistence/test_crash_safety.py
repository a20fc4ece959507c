"""A write killed at any moment (power cut, SIGKILL) leaves all of it or none of it.

A child process imports 10,000 households; the test kills it with SIGKILL at a
random moment, then checks that the database passes its integrity check and
holds either every household or none. The number of kills is COOPFOOD_KILLS
(10 by default, to keep the suite short; the acceptance run uses 100+).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from coopfood.persistence.db import Database, sqlite_integrity_ok, sqlite_path
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
