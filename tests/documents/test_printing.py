"""The printing service: who may print what, cancel, parallel drawing, file names."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, Actor, Cancelled, PermissionDenied, Role
from coopfood.services.printing import print_documents
from tests.documents.support import PRINTED_AT, awkward_co_op


def test_a_producer_prints_only_its_own_pickup_list(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=5)
    farm = Actor(name="Ferme du Pré", role=Role.PRODUCER, producer_id=ids["farm"])
    report = print_documents(db=db, actor=farm, cycle_id=ids["cycle"], kinds=["pickup"],
                             out_dir=tmp_path / "own", printed_at=PRINTED_AT)
    assert [f.title for f in report.files] == ["Liste de préparation — Ferme <du> Pré & Fils"]
    with pytest.raises(PermissionDenied, match="d'un autre producteur"):
        print_documents(db=db, actor=farm, cycle_id=ids["cycle"], kinds=["pickup"],
                        producer_ids=[ids["other"]], out_dir=tmp_path / "other")
    with pytest.raises(PermissionDenied, match="sa propre liste"):
        print_documents(db=db, actor=farm, cycle_id=ids["cycle"], kinds=["sheets"],
                        out_dir=tmp_path / "sheets")
    assert not (tmp_path / "other").exists() and not (tmp_path / "sheets").exists()


def test_a_coordinator_prints_only_its_points(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=5)
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR,
                        point_ids=frozenset({ids["small"]}))
    report = print_documents(db=db, actor=coordinator, cycle_id=ids["cycle"], kinds=["grid"],
                             out_dir=tmp_path, printed_at=PRINTED_AT)
    assert [f.path.name for f in report.files] == ["grille-2026-12-03-salle-jean-lucie.pdf"]
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        print_documents(db=db, actor=coordinator, cycle_id=ids["cycle"], kinds=["grid"],
                        point_ids=[ids["big"]], out_dir=tmp_path)


def test_cancel_removes_the_files_of_the_run(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=5)
    calls = []

    def progress(done: int, total: int, what: str) -> None:
        calls.append(done)
        if done >= 1:
            raise Cancelled()

    with pytest.raises(Cancelled):
        print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["sheets"],
                        out_dir=tmp_path / "out", progress=progress, processes=1)
    assert calls[-1] == 1
    assert list((tmp_path / "out").iterdir()) == []


def test_worker_processes_draw_the_same_files(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=60)
    reports = [print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"],
                               kinds=["sheets", "labels"], out_dir=tmp_path / str(processes),
                               printed_at=PRINTED_AT, processes=processes)
               for processes in (1, 2)]
    assert reports[1].processes == 2
    here, there = ({f.path.name: f.path.read_bytes() for f in r.files} for r in reports)
    assert here == there and len(here) == 4
    assert not list((tmp_path / "2").glob("*.part"))


def test_unknown_distribution_or_point_is_a_french_error(db: Database, tmp_path: Path) -> None:
    ids = awkward_co_op(db, big_point_households=1)
    from coopfood.services import NotFound, ValidationError

    with pytest.raises(NotFound, match="La distribution n° 999 n'existe pas"):
        print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=999, kinds=["sheets"],
                        out_dir=tmp_path)
    with pytest.raises(ValidationError, match="ne fait pas partie de la distribution"):
        print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["sheets"],
                        point_ids=[999], out_dir=tmp_path)
    with pytest.raises(ValidationError, match="inconnu"):
        print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=ids["cycle"], kinds=["invoices"],
                        out_dir=tmp_path)
