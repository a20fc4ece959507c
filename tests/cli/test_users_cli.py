"""`user`, `mode`, `--user`, `member export|anonymise|inactive` and `audit search` from the
command line: in multi-user mode each command acts as the user who logged in."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from coopfood.persistence.db import Database
from coopfood.persistence.models import Member
from main import entry

PASSWORD = "une phrase de passe"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = entry(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def multi_user(demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
               capsys: pytest.CaptureFixture[str]) -> str:
    """The demo in multi-user mode: claire administers, marie coordinates point 1."""
    url = demo_db_copy.url
    monkeypatch.setenv("COOPFOOD_NEW_PASSWORD", PASSWORD)
    assert _run(capsys, "--db", url, "mode", "multi")[0] == 1  # no administrator yet
    assert _run(capsys, "--db", url, "user", "add", "claire", "--role", "admin",
                "--name", "Claire Martin")[0] == 0
    status, out, _err = _run(capsys, "--db", url, "mode", "multi")
    assert status == 0 and out.startswith("Mode : multi")
    monkeypatch.setenv("COOPFOOD_PASSWORD", PASSWORD)
    status, out, err = _run(capsys, "--db", url, "--user", "claire", "user", "add", "marie",
                            "--role", "coordinator", "--point", "1", "--name", "Marie")
    assert (status, out, err) == (0, "Compte « marie » créé : Coordinateur.\n", "")
    return url


def test_a_coordinator_lists_only_its_points_households(
        multi_user: str, demo_db_copy: Database, capsys: pytest.CaptureFixture[str]) -> None:
    url = multi_user
    status, _out, err = _run(capsys, "--db", url, "list", "members")
    assert status == 1 and "mode multi-utilisateur : identifiez-vous (--user" in err

    status, out, _err = _run(capsys, "--db", url, "--user", "marie", "list", "members",
                             "--json")
    assert status == 0
    listed = json.loads(out)
    with demo_db_copy.reading() as session:
        at_point_1 = set(session.scalars(select(Member.id).where(
            Member.point_id == 1, Member.archived_at.is_(None))))
    assert listed and {row["id"] for row in listed} == at_point_1
    assert {row["point_id"] for row in listed} == {1}
    status, out, _err = _run(capsys, "--db", url, "--user", "claire", "list", "members",
                             "--json")
    assert len(json.loads(out)) > len(listed)

    # The coordinator may not print another point's sheets, nor manage users.
    status, _out, err = _run(capsys, "--db", url, "--user", "marie", "print", "sheets",
                             "--cycle", "8", "--point", "2", "--out", "/tmp/nulle-part")
    assert status == 1 and "Marie coordonne d'autres points" in err
    status, _out, err = _run(capsys, "--db", url, "--user", "marie", "user", "list")
    assert status == 1 and "Marie n'a pas le droit de consulter les utilisateurs" in err


def test_a_wrong_password_is_refused_then_the_account_waits(
        multi_user: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COOPFOOD_PASSWORD", "pas le bon mot de passe")
    for _attempt in range(5):
        status, _out, err = _run(capsys, "--db", multi_user, "--user", "marie", "list",
                                 "points")
        assert status == 1 and "Identifiant ou mot de passe incorrect." in err
    assert "attendez 30 secondes" in err
    monkeypatch.setenv("COOPFOOD_PASSWORD", PASSWORD)
    status, _out, err = _run(capsys, "--db", multi_user, "--user", "marie", "list", "points")
    assert status == 1 and "réessayez dans" in err
    # The administrator's reset ends the wait.
    monkeypatch.setenv("COOPFOOD_NEW_PASSWORD", "une autre phrase")
    assert _run(capsys, "--db", multi_user, "--user", "claire", "user", "passwd",
                "marie")[0] == 0
    monkeypatch.setenv("COOPFOOD_PASSWORD", "une autre phrase")
    status, out, _err = _run(capsys, "--db", multi_user, "--user", "marie", "list", "points")
    assert status == 0 and len(out.splitlines()) == 1


def test_users_are_listed_disabled_and_the_mode_switched_back(
        multi_user: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = multi_user
    status, out, _err = _run(capsys, "--db", url, "--user", "claire", "user", "list")
    assert status == 0
    lines = [line.split("\t") for line in out.splitlines()]
    assert [(cells[1], cells[3]) for cells in lines] == [("claire", "Administrateur"),
                                                          ("marie", "Coordinateur")]
    assert lines[1][4] == "Salle des fêtes de Caluire"  # point 1, the one she looks after
    assert _run(capsys, "--db", url, "--user", "claire", "user", "disable", "marie")[0] == 0
    status, _out, err = _run(capsys, "--db", url, "--user", "marie", "list", "points")
    assert status == 1 and "désactivé" in err
    status, out, _err = _run(capsys, "--db", url, "--user", "claire", "mode", "single")
    assert status == 0 and out.startswith("Mode : single")
    assert _run(capsys, "--db", url, "list", "points")[0] == 0


def test_a_households_data_exported_anonymised_and_the_trail_searched(
        demo_db_copy: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = demo_db_copy.url
    with demo_db_copy.reading() as session:
        member = session.scalars(select(Member).order_by(Member.id)).first()
        assert member is not None
        member_id, name = member.id, member.display_name
    status, out, _err = _run(capsys, "--db", url, "member", "export", str(member_id),
                             "--out", str(tmp_path / "rgpd"))
    assert status == 0
    json_file, zip_file = (Path(line) for line in out.splitlines())
    assert json.loads(json_file.read_text("utf-8"))["foyer"][0]["numero"] == member_id
    assert zip_file.exists()

    status, _out, err = _run(capsys, "--db", url, "member", "anonymise", str(member_id))
    assert status == 1 and "confirmez avec --yes" in err
    status, out, _err = _run(capsys, "--db", url, "member", "anonymise", str(member_id),
                             "--yes")
    assert status == 0 and f"FOYER ANONYMISÉ N° {member_id}" in out

    status, out, _err = _run(capsys, "--db", url, "audit", "search", "--member",
                             str(member_id))
    assert status == 0
    actions = [line.split("\t")[3] for line in out.splitlines()]
    assert actions == ["anonymise", "export"]
    assert name not in out
    target = tmp_path / "journal.csv"
    status, out, _err = _run(capsys, "--db", url, "audit", "search", "--kind", "member",
                             "--out", str(target))
    assert status == 0 and out == f"2 modifications écrites dans {target}.\n"
    rows = list(csv.reader(io.StringIO(target.read_text("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Date et heure", "Qui", "Type"] and len(rows) == 3

    status, out, _err = _run(capsys, "--db", url, "member", "inactive", "--years", "2")
    assert status == 0 and out == ""  # the demo's households are all recent
