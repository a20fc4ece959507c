"""`python main.py import orders FILE --cycle ID`: a French report, an exit status to trust."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopfood.domain.enums import CycleState
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.cycles import transition
from coopfood.services.members import MemberInput, save_member
from main import entry
from tests.imports.support import dump, write_csv
from tests.services.test_cycles import build_shop, open_cycle


@pytest.fixture
def cycle_id(db: Database) -> int:
    """An open distribution offering Œufs (capped at 3 dozen), Tomme, Jus de pomme, Yaourt."""
    shop = build_shop(db)
    save_member(
        db=db,
        actor=LOCAL_ADMIN,
        data=MemberInput(
            last_name="Lefèvre", first_name="Hélène", email="helene@example.org", point_id=shop.nord
        ),
    )
    return open_cycle(db, shop, caps={shop.oeufs: "3"})


@pytest.fixture
def orders_file(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "commandes.csv",
        [
            ["Horodateur", "Courriel", "Nom", "Prénom", "Œufs", "Tomme"],
            ["01/03/2026 10:02", "helene@example.org", "", "", "2", "0,5"],
            ["01/03/2026 11:15", "", "Dupont", "Marie", "1", ""],
        ],
    )


def _import(db_url: str, path: Path, *options: str) -> int:
    return entry(["--db", db_url, "import", "orders", str(path), *options])


def test_orders_import_with_a_french_report_and_exit_0_then_change_nothing(
    db_url: str, cycle_id: int, orders_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db_url, orders_file, "--cycle", str(cycle_id)) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 créés, 0 mis à jour, 0 inchangé, 0 rejeté",
        "Avertissement — ligne 1, colonne « Horodateur » : colonne inconnue, ignorée.",
    ]
    assert _import(db_url, orders_file, "--cycle", str(cycle_id)) == 0
    assert capsys.readouterr().out.splitlines()[0] == "0 créé, 0 mis à jour, 2 inchangés, 0 rejeté"


def test_a_rejected_line_is_told_nothing_is_written_and_the_exit_status_says_so(
    db: Database,
    db_url: str,
    cycle_id: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_csv(
        tmp_path / "commandes.csv",
        [
            ["email", "Nom", "Prénom", "Œufs", "Yaourt"],
            ["helene@example.org", "", "", "2", "6"],
            ["", "Dupont", "Marie", "2", ""],
            ["", "Durand", "Zoé", "", "12,5O"],
        ],
    )
    before = dump(db)
    assert _import(db_url, path, "--cycle", str(cycle_id), "--dry-run") == 1
    assert capsys.readouterr().out.splitlines() == [
        "1 créé, 0 mis à jour, 0 inchangé, 2 rejetés",
        "ligne 3, colonne « Œufs » : Plafond atteint pour Œufs : il reste 1 douzaine. Ce reste "
        "compte les commandes déjà enregistrées et les lignes précédentes du fichier.",
        "ligne 4, colonne « Nom » : Foyer inconnu : aucun adhérent ne s'appelle « Durand Zoé ».",
        "ligne 4, colonne « Yaourt » : La quantité : « 12,5O » n'est pas un nombre.",
        "Simulation (--dry-run) : rien n'a été enregistré.",
    ]
    assert _import(db_url, path, "--cycle", str(cycle_id)) == 1
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Rien n'a été enregistré : corrigez les lignes rejetées, ou relancez avec --keep-valid "
        "pour enregistrer les lignes valides."
    )
    assert dump(db) == before

    assert _import(db_url, path, "--cycle", str(cycle_id), "--keep-valid") == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "1 créé, 0 mis à jour, 0 inchangé, 2 rejetés"
    assert out[-1] == "Les lignes valides ont été enregistrées, pas les lignes rejetées."
    assert dump(db) != before
    assert _import(db_url, path, "--cycle", str(cycle_id), "--keep-valid") == 1
    assert capsys.readouterr().out.splitlines()[0] == "0 créé, 0 mis à jour, 1 inchangé, 2 rejetés"


def test_orders_without_cycle_get_a_french_error(
    db_url: str, cycle_id: int, orders_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _import(db_url, orders_file) == 1
    assert capsys.readouterr().err == (
        "Erreur : Indiquez la distribution des commandes à importer : --cycle ID (les numéros "
        "sont donnés par « list cycles »).\n"
    )
    members = write_csv(orders_file.with_name("adhérents.csv"), [["Nom"], ["Durand"]])
    assert entry(["--db", db_url, "import", "members", str(members), "--cycle", "1"]) == 1
    assert capsys.readouterr().err == (
        "Erreur : L'option --cycle ne sert qu'à importer des commandes (orders).\n"
    )
    with pytest.raises(SystemExit) as exited:
        _import(db_url, orders_file, "--cycle", "douze")
    assert exited.value.code == 2
    assert "argument --cycle: nombre entier invalide : 'douze'" in capsys.readouterr().err


def test_a_closed_distribution_is_refused_in_one_line(
    db: Database,
    db_url: str,
    cycle_id: int,
    orders_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert _import(db_url, orders_file, "--cycle", str(cycle_id)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines()[-1] == (
        f"Erreur : La distribution n° {cycle_id} du jeudi 5 mars 2026 est clôturée : "
        "rouvrez-la pour y importer des commandes."
    )


def test_the_help_tells_about_orders(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        entry(["import", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "producers, products, members ou orders" in text
    assert "--cycle ID numéro de la distribution des commandes importées" in text
