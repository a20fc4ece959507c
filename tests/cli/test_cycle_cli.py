"""`cycle open|close|distribute|reopen ID`: one French line, exit 1 when refused."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from coopfood.domain.enums import CycleState
from coopfood.persistence.db import Database
from coopfood.persistence.models import Cycle
from coopfood.services import LOCAL_ADMIN
from coopfood.services.cycles import create_cycle, get_cycle, list_cycle_history, set_offer
from main import entry
from tests.services.test_cycles import build_shop, order

ROOT = Path(__file__).resolve().parents[2]


def _draft(db: Database) -> int:
    shop = build_shop(db)
    cycle = create_cycle(db=db, actor=LOCAL_ADMIN, date=dt.date(2026, 12, 3),
                         point_ids=[shop.nord])
    set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, product_id=shop.oeufs)
    return cycle.id


def test_a_distribution_through_its_states(db: Database, db_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    cycle_id = _draft(db)
    label = f"Distribution n° {cycle_id} du jeudi 3 décembre 2026"
    assert entry(["--db", db_url, "cycle", "open", str(cycle_id)]) == 0
    assert capsys.readouterr().out == f"{label} : ouverte, 0 panier d'abonnement généré\n"
    order(db, cycle_id, 1, 1, "2")
    assert entry(["--db", db_url, "cycle", "close", str(cycle_id)]) == 0
    assert capsys.readouterr().out == f"{label} : clôturée\n"
    assert entry(["--db", db_url, "cycle", "reopen", str(cycle_id), "--reason",
                  "Commande oubliée"]) == 0
    assert capsys.readouterr().out == f"{label} : rouverte (motif : Commande oubliée)\n"
    assert entry(["--db", db_url, "cycle", "close", str(cycle_id)]) == 0
    assert entry(["--db", db_url, "cycle", "distribute", str(cycle_id)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"{label} : distribuée, 1 ligne livrée comme prévu, 0 à peser")
    assert get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id).state is \
        CycleState.DISTRIBUTED
    reopen = next(h for h in list_cycle_history(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
                  if h.action == "reopen")
    assert reopen.summary.endswith("(motif : Commande oubliée)")


def test_a_refused_change_exits_1_with_the_french_reason(
        db: Database, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cycle_id = _draft(db)
    assert entry(["--db", db_url, "cycle", "distribute", str(cycle_id)]) == 1
    err = capsys.readouterr().err
    assert err == (f"Erreur : La distribution n° {cycle_id} du jeudi 3 décembre 2026 est "
                   "« Brouillon » : elle ne peut pas passer à « Distribuée » : ouvrez-la puis "
                   "clôturez-la d'abord.\n")
    assert entry(["--db", db_url, "cycle", "reopen", str(cycle_id), "--reason", "x"]) == 1
    assert "seule une distribution clôturée se rouvre" in capsys.readouterr().err
    entry(["--db", db_url, "cycle", "open", str(cycle_id)])
    entry(["--db", db_url, "cycle", "close", str(cycle_id)])
    capsys.readouterr()
    assert entry(["--db", db_url, "cycle", "reopen", str(cycle_id)]) == 1
    assert "demande un motif" in capsys.readouterr().err
    assert entry(["--db", db_url, "cycle", "open", str(cycle_id)]) == 1
    assert f"cycle reopen {cycle_id} --reason MOTIF" in capsys.readouterr().err
    assert entry(["--db", db_url, "cycle", "close", "999"]) == 1
    assert capsys.readouterr().err == "Erreur : Distribution n° 999 introuvable.\n"


def test_closing_the_demos_open_distribution(demo_db_copy: Database,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    with demo_db_copy.reading() as s:
        cycle_id = s.scalar(select(Cycle.id).where(Cycle.state == CycleState.OPEN))
    assert entry(["--db", demo_db_copy.url, "cycle", "close", str(cycle_id)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith(f"Distribution n° {cycle_id} du jeudi 3 décembre 2026 : clôturée")


def test_cycle_help_is_french() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "main.py"), "cycle", "--help"],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    assert "utilisation : " in result.stdout
    assert "motif de la réouverture" in result.stdout
