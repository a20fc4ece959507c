"""The command line: French help, one record per line or JSON, French one-line errors."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Producer,
    Product,
    ProductPrice,
)
from main import entry

ROOT = Path(__file__).resolve().parents[2]


def _fill(db: Database) -> None:
    with db.transaction() as session:
        point = DistributionPoint(
            name="Salle des fêtes & <école>",
            city="Crest",
            weekday=3,
            start_time=dt.time(17),
            end_time=dt.time(19, 30),
        )
        producer = Producer(
            name="GAEC du Pré Vert",
            vat_regime=VatRegime.NORMAL,
            invoice_prefix="GAECDUPRE",
            siret="73282932000074",
        )
        session.add_all([point, producer])
        session.flush()
        product = Product(
            producer_id=producer.id, name="Carottes", unit=Unit.KG, vat_rate=Decimal("5.50")
        )
        session.add(product)
        session.flush()
        session.add(
            ProductPrice(
                product_id=product.id, valid_from=dt.date(2026, 1, 1), price_ht=Decimal("2.40")
            )
        )
        session.add(
            Member(
                last_name="Lefebvre",
                first_name="Camille",
                point_id=point.id,
                payment_reference="ADH-0007",
                email="camille@example.org",
            )
        )
        cycle = Cycle(distribution_date=dt.date(2026, 12, 3), state=CycleState.OPEN)
        session.add(cycle)
        session.flush()
        session.add(CyclePoint(cycle_id=cycle.id, point_id=point.id))


def test_list_members_as_json_gives_id_and_household_name(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db)
    assert entry(["--db", db_url, "list", "members", "--json"]) == 0
    members = json.loads(capsys.readouterr().out)
    assert members[0]["name"] == "LEFEBVRE Camille"
    assert members[0]["payment_reference"] == "ADH-0007"
    assert isinstance(members[0]["id"], int)


def test_list_cycles_as_json_gives_date_points_and_state(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db)
    assert entry(["--db", db_url, "list", "cycles", "--json"]) == 0
    [cycle] = json.loads(capsys.readouterr().out)
    assert cycle["date"] == "2026-12-03"
    assert cycle["points"] == ["Salle des fêtes & <école>"]
    assert cycle["state"] == "open"


def test_list_products_one_per_line_with_the_french_price(
    db: Database, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(db)
    assert entry(["--db", db_url, "list", "products"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.split("\t")[1:] == ["Carottes", "GAEC du Pré Vert", "kg", "2,40\u00a0€ HT"]


def test_an_unknown_kind_is_refused_in_french(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        entry(["list", "bananes"])
    assert exit_info.value.code == 2
    assert "choix invalide" in capsys.readouterr().err


def test_an_unreachable_database_gives_one_french_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'absent' / 'dossier' / 'x.sqlite'}"
    (tmp_path / "absent").write_text("un fichier, pas un dossier")
    assert entry(["--db", url, "list", "members"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Erreur : ")
    assert len(err.strip().splitlines()) == 1


def test_a_malformed_url_gives_a_french_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert entry(["--db", "pas une url", "list", "members"]) == 1
    assert "Adresse de base de données invalide" in capsys.readouterr().err


def test_help_is_french_everywhere() -> None:
    for args in ([], ["list"], ["demo"]):
        result = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args, "--help"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        assert "utilisation : " in result.stdout
        assert "afficher cette aide et quitter" in result.stdout
        assert "show this help" not in result.stdout
