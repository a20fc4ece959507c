"""Trésorerie › Banque: importing a statement and reconciling it, driven like a user."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from coopfood.banking.matching import TargetKind
from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN, bank
from coopfood.services.bank import LineState
from tests.banking.conftest import BANQUE_POSTALE, CREDIT_AGRICOLE, SampleReader
from tests.services.test_bank import (
    CoOp,
    balance,
    deposit_slip,
    make_co_op,
    owe,
    sample_reader,
)
from tests.ui.drive import (
    Answers,
    check_model,
    click,
    play_dialogs,
    type_into,
    type_into_combo,
    wait_idle,
)
from ui.dialogs.bank_mapping import MappingDialog
from ui.views.context import PageContext
from ui.views.treasury_bank import BankTab, IgnoreDialog

TODAY = dt.date(2026, 12, 2)
D = Decimal


@pytest.fixture
def statements() -> SampleReader:
    return sample_reader()


@pytest.fixture
def co_op(db: Database) -> CoOp:
    co_op = make_co_op(db)
    owe(db, co_op.members["lefebvre"], "50.00")
    owe(db, co_op.members["dupont"], "150.00")
    deposit_slip(db, "REM-2026-0007", dt.date(2026, 11, 20), ["1000.00", "254.50"])
    return co_op


@pytest.fixture
def tab(qtbot: QtBot, db: Database, co_op: CoOp) -> BankTab:
    widget = BankTab(PageContext(db=db, actor=LOCAL_ADMIN, today=lambda: TODAY))
    qtbot.addWidget(widget)
    widget.resize(1280, 820)
    widget.show()
    return widget


def imported(qtbot: QtBot, tab: BankTab, answers: Answers, path: Path) -> None:
    answers.open_file = path
    click(tab.import_button)
    wait_idle(qtbot)


def row_of(tab: BankTab, words: str) -> int:
    rows = [r.id for r in tab.visible_lines() if words in r.label]
    assert len(rows) == 1, words
    return rows[0]


def test_import_a_statement_and_see_its_lines(
        qtbot: QtBot, tab: BankTab, answers: Answers, statements: SampleReader,
        qtmodeltester: object) -> None:
    assert tab.lines_model.rowCount() == 0
    assert tab.to_do_label.text() == "Aucune ligne à traiter"
    imported(qtbot, tab, answers, statements.path(CREDIT_AGRICOLE))
    assert answers.infos == [
        "Relevé « credit-agricole-2026-11.csv » (CSV Crédit Agricole), compte 00012345678.\n"
        "8 lignes lues, 8 nouvelles, 0 déjà connue, 0 rejetée.\n"
        "3 lignes rapprochées automatiquement."]
    assert tab.lines_model.rowCount() == 8
    check_model(qtmodeltester, tab.lines_proxy)  # type: ignore[arg-type]
    assert tab.to_do_label.text() == "5 lignes à traiter"
    states = {r.label[:20]: r.state_text for r in tab.visible_lines()}
    assert states["VIREMENT EN VOTRE FA"] in ("À traiter", "Rapprochée automatiquement")
    lefebvre = next(r for r in tab.visible_lines() if "ADH-0007" in r.label)
    assert (lefebvre.state_text, lefebvre.targets) == ("Rapprochée automatiquement",
                                                      "LEFEBVRE Camille (ADH-0007)")
    # The state filter and the search.
    tab.state_filter.setCurrentIndex(1)  # à traiter
    assert tab.lines_model.rowCount() == 5
    type_into(tab.search, "espèces")
    assert tab.lines_proxy.rowCount() == 1
    tab.search.clear()
    tab.state_filter.setCurrentIndex(0)

    # Importing it again adds nothing.
    imported(qtbot, tab, answers, statements.path(CREDIT_AGRICOLE))
    assert "8 lignes lues, 0 nouvelle, 8 déjà connues, 0 rejetée." in answers.infos[-1]
    assert tab.lines_model.rowCount() == 8


def test_reconcile_by_suggestion_by_hand_undo_and_ignore(
        qtbot: QtBot, tab: BankTab, answers: Answers, statements: SampleReader, db: Database,
        co_op: CoOp, monkeypatch: pytest.MonkeyPatch, qtmodeltester: object) -> None:
    imported(qtbot, tab, answers, statements.path(CREDIT_AGRICOLE))
    assert balance(db, co_op.members["lefebvre"]) == D("-14.00")

    # The couple's transfer: suggested by name, confirmed in one click.
    tab.select_line(row_of(tab, "MARTIN-NGUYEN"))
    assert [p.title for p in tab.suggestions_model.rows()] == [
        "MARTIN Zoé (ADH-0012)", "NGUYEN Paul (ADH-0013)"]
    check_model(qtmodeltester, tab.suggestions_proxy)  # type: ignore[arg-type]
    assert tab.suggest_button.isEnabled() and not tab.undo_button.isEnabled()
    click(tab.suggest_button)
    wait_idle(qtbot)
    assert tab.status.text() == "Ligne rapprochée avec MARTIN Zoé (ADH-0012)."
    assert tab.detail is not None and tab.detail.line.state is LineState.CONFIRMED
    assert balance(db, co_op.members["martin"]) == D("-37.85")
    assert tab.to_do_label.text() == "4 lignes à traiter"

    # The cash paid in: 150,00 of it for Marie Dupont, chosen by typing part of her name.
    tab.select_line(row_of(tab, "VERSEMENT ESPECES"))
    assert tab.kind_combo.value() is TargetKind.HOUSEHOLD
    assert tab.amount_edit.text() == "210,00"
    type_into_combo(tab.target_combo, "DUPONT Marie (ADH-0040) — doit 150,00\xa0€")
    assert tab.target_combo.value() == co_op.members["dupont"]
    type_into(tab.amount_edit, "150")
    click(tab.hand_button)
    wait_idle(qtbot)
    assert tab.detail is not None
    assert tab.detail.line.state_text == "À traiter (reste 60,00\xa0€)"
    assert balance(db, co_op.members["dupont"]) == D("0.00")
    check_model(qtmodeltester, tab.matches_proxy)  # type: ignore[arg-type]
    # More than is left is refused, in French, beside the fields.
    type_into_combo(tab.target_combo, "DUBOIS Jean (ADH-0031) — à jour")
    type_into(tab.amount_edit, "61")
    click(tab.hand_button)
    wait_idle(qtbot)
    assert tab.hand_error.text().startswith("Le rapprochement (61,00\xa0€) dépasse ce qui "
                                            "reste à rapprocher de la ligne (60,00\xa0€).")

    # Undo the automatic match of Camille Lefebvre: her balance is back.
    tab.select_line(row_of(tab, "ADH-0007"))
    assert tab.confirm_button.isEnabled() and tab.undo_button.isEnabled()
    click(tab.undo_button)
    wait_idle(qtbot)
    assert "Le règlement qu'il a enregistré sera annulé" in answers.asked[-1]
    assert balance(db, co_op.members["lefebvre"]) == D("50.00")
    assert tab.detail is not None and tab.detail.line.state is LineState.TO_DO
    # …and the suggestion puts it back.
    assert tab.suggestions_model.row(0).title == "LEFEBVRE Camille (ADH-0007)"
    click(tab.suggest_button)
    wait_idle(qtbot)
    assert balance(db, co_op.members["lefebvre"]) == D("-14.00")

    # Bank fees need no match.
    def reason(dialog: QDialog) -> None:
        assert isinstance(dialog, IgnoreDialog)
        click(dialog.ok_button)
        assert dialog.error.text() == "Dites pourquoi cette ligne n'a pas à être rapprochée."
        dialog.reason.setCurrentText("Frais bancaires")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, reason)
    tab.select_line(row_of(tab, "FRAIS BANCAIRES"))
    click(tab.ignore_button)
    wait_idle(qtbot)
    assert tab.detail is not None and tab.detail.line.state_text == "Ignorée"
    assert tab.unignore_button.isEnabled() and not tab.ignore_button.isEnabled()
    assert tab.to_do_label.text() == "3 lignes à traiter"

    # What is left on both sides.
    tab.inner.setCurrentIndex(1)
    assert tab.left_label.text() == "Relevé : 3 lignes, 140,10\xa0€ à expliquer"
    assert [r.label[:17] for r in tab.left_model.rows()] == [
        "VERSEMENT ESPECES", "REMISE CARTE CART", "PRELEVEMENT Cotis"]
    assert tab.expected_label.text() == "Grand livre : 0 opération, 0,00\xa0€ attendus en banque"
    check_model(qtmodeltester, tab.left_proxy)  # type: ignore[arg-type]


def test_an_unknown_bank_is_mapped_once_then_read(
        qtbot: QtBot, tab: BankTab, answers: Answers, db: Database, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "banque-du-coin.csv"
    path.write_text("Banque du Coin\nCompte 1234\n\nJour;Opération;Débit;Crédit\n"
                    "30/11/2026;VIR ADH 7 LEFEBVRE;;64,00\n29/11/2026;FRAIS;1,50;\n",
                    encoding="utf-8")

    def define(dialog: QDialog) -> None:
        assert isinstance(dialog, MappingDialog)
        assert dialog.header.value() == 4
        assert (dialog.date_column.value(), dialog.label_column.value()) == ("Jour", "Opération")
        assert dialog.split.isChecked()
        click(dialog.ok_button)
        assert dialog.shown_errors() == {"name": "Donnez un nom à la correspondance."}
        type_into(dialog.name, "Banque du Coin")
        click(dialog.ok_button)
        wait_idle(qtbot)

    play_dialogs(monkeypatch, qtbot, define)
    imported(qtbot, tab, answers, path)
    assert "définissez une correspondance de colonnes" in answers.asked[0]
    assert [m.name for m in bank.list_mappings(db=db, actor=LOCAL_ADMIN)] == ["Banque du Coin"]
    assert answers.infos[-1].startswith("Relevé « banque-du-coin.csv » (CSV Banque du Coin)")
    assert tab.lines_model.rowCount() == 2


def test_a_refused_file_is_told_and_nothing_shows(
        qtbot: QtBot, tab: BankTab, answers: Answers, statements: SampleReader,
        tmp_path: Path) -> None:
    path = tmp_path / "bp.csv"
    path.write_bytes(statements.bytes(BANQUE_POSTALE).replace(b";58,50", b";58,5O"))
    imported(qtbot, tab, answers, path)
    assert answers.errors == [
        "« bp.csv » : une ligne est illisible, rien n'a été lu :\n"
        "– ligne 8, colonne « Montant(EUROS) » : « 58,5O » n'est pas un montant"]
    assert tab.status.text().startswith("Relevé refusé, rien n'a été enregistré")
    assert tab.lines_model.rowCount() == 0 and tab.import_button.isEnabled()


def test_the_tab_reads_whole(qtbot: QtBot, tab: BankTab, answers: Answers,
                             statements: SampleReader, tmp_path: Path) -> None:
    """Rendered offscreen: the widest texts of the screen are not cut."""
    imported(qtbot, tab, answers, statements.path(CREDIT_AGRICOLE))
    tab.select_line(row_of(tab, "MARTIN-NGUYEN"))
    qtbot.wait(20)
    header = tab.lines_table.horizontalHeader()
    label_width = header.sectionSize(1)
    assert label_width > 300  # the label is what the treasurer reads first
    assert tab.grab().save(str(tmp_path / "banque.png"))


def test_every_text_of_the_tab_and_its_dialogs_is_in_the_catalogue(
        qtbot: QtBot, tab: BankTab, answers: Answers, statements: SampleReader, db: Database,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.ui.test_i18n_catalogue import Catalogue, _database_texts, _msgids, untranslatable

    imported(qtbot, tab, answers, statements.path(CREDIT_AGRICOLE))
    tab.select_line(row_of(tab, "MARTIN-NGUYEN"))
    catalogue = Catalogue(_msgids(), _database_texts(db))
    assert untranslatable(tab, catalogue) == []
    tab.inner.setCurrentIndex(1)
    assert untranslatable(tab, catalogue) == []
    tab.inner.setCurrentIndex(0)

    seen: list[tuple[str, str]] = []

    def look(dialog: QDialog) -> None:
        seen.extend(untranslatable(dialog, catalogue))

    opened = play_dialogs(monkeypatch, qtbot, look, look)
    click(tab.ignore_button)
    # A file's name is the user's data (the catalogue test knows codes only).
    path = tmp_path / "RELEVE2026"
    path.write_text("Jour;Opération;Somme\n30/11/2026;VIR;64,00\n", encoding="utf-8")
    imported(qtbot, tab, answers, path)
    assert [type(d).__name__ for d in opened] == ["IgnoreDialog", "MappingDialog"]
    assert seen == []

