"""`python main.py cheque list|deposit|handover`: the register on a terminal, slips as PDFs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services import cheques as service
from coopfood.services.cheques import ChequeInput
from main import entry
from tests.documents.support import pages_text
from tests.services.test_cheques import treasury_co_op

DAY = dt.date(2026, 11, 26)


def test_list_deposit_and_hand_over(db: Database, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    co_op = treasury_co_op(db)
    first = service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount="12,34", number="1234567", bank="LCL", member_id=co_op.anna,
        planned_month="2026-12"), received_on=DAY)
    second = service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount="0,66", number="7654321", bank="CIC", member_id=co_op.bruno,
        planned_month="2026-12"), received_on=DAY)
    service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount="30", number="1111111", member_id=co_op.anna, producer_id=co_op.farm,
        contract_id=co_op.contract, planned_month="2026-05"), received_on=DAY)
    service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount="30", member_id=co_op.anna, producer_id=co_op.farm, contract_id=co_op.contract,
        planned_month="2026-05"))
    url = db.url

    assert entry(["--db", url, "cheque", "list", "--month", "2026-12"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        [str(first.id), "Reçu", "1234567"], [str(second.id), "Reçu", "7654321"]]
    assert lines[0].split("\t")[6:8] == ["ÉLUARD Anna & <b>Zoé</b>", "AMAP des Coteaux & <Amis>"]
    assert entry(["--db", url, "cheque", "list", "--status", "promised"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1

    assert entry(["--db", url, "cheque", "deposit", "--cheque", str(first.id), str(second.id),
                  "--date", "2026-11-27", "--out", str(tmp_path / "remises")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Bordereau REM-2026-0001 du 27 novembre 2026 : 2 chèques, 13,00\u00a0€, "
                      "à déposer à la banque.")
    pdf = Path(out[1])
    assert pdf == tmp_path / "remises" / "REM-2026-0001.pdf"
    assert "Total : 2 chèques 13,00 €" in pages_text(pdf)[0]

    assert entry(["--db", url, "cheque", "handover", "--producer", str(co_op.farm), "--month",
                  "2026-05", "--date", "2026-05-02", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("Remise RP-2026-0001 à Ferme des Combes & <Fils> des chèques de mai "
                      "2026 : 1 chèque, 30,00\u00a0€.")
    assert out[1] == ("Avertissement — 1 chèque de ce mois n'est encore que promis : il n'est "
                      "pas remis.")
    assert Path(out[2]).name == "RP-2026-0001.pdf"

    assert entry(["--db", url, "cheque", "list", "--status", "deposited"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[-1] for line in listed] == ["REM-2026-0001", "REM-2026-0001"]


def test_errors_are_one_french_line(db: Database, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    co_op = treasury_co_op(db, iban=None)
    received = service.record_cheque(db=db, actor=LOCAL_ADMIN, data=ChequeInput(
        amount="5", number="1", member_id=co_op.anna), received_on=DAY)
    url = db.url
    assert entry(["--db", url, "cheque", "deposit", "--cheque", str(received.id),
                  "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Erreur : La coopérative n'a pas d'IBAN")
    assert entry(["--db", url, "cheque", "handover", "--producer", str(co_op.farm),
                  "--month", "mai", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "Erreur : Mois « mai » invalide : écrivez-le AAAA-MM (par exemple 2027-03).")
    with pytest.raises(SystemExit) as exit_status:
        entry(["--db", url, "cheque", "list", "--status", "perdu"])
    assert exit_status.value.code == 2
    assert "choix invalide" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pdf"))
