"""RowTableModel and its search proxy: sound models, numeric sorting, accent-blind search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from coopfood.persistence.db import Database
from coopfood.services import LOCAL_ADMIN
from coopfood.services.lists import MemberRow, list_cycles, list_members
from tests.ui.drive import check_model
from ui.display import date_text, fold, money_text
from ui.table_model import ROW_ROLE, Align, Column, RowTableModel, SearchProxyModel
from ui.views.cycles import amount_column, date_column, orders_column, points_column
from ui.views.members import member_columns


@dataclass(frozen=True)
class Line:
    label: str
    amount: Decimal | None
    day: dt.date


LINES = [
    Line("Épicerie fine", Decimal("9.00"), dt.date(2026, 3, 1)),
    Line("Légumes", Decimal("100.00"), dt.date(2026, 12, 24)),
    Line("Crèmerie", Decimal("10.00"), dt.date(2026, 11, 5)),
    Line("Œufs frais", None, dt.date(2025, 12, 31)),
    Line("Pain", Decimal("1234.50"), dt.date(2026, 1, 15)),
]


def _columns() -> list[Column[Line]]:
    return [
        Column("Libellé", lambda r: r.label),
        Column("Montant", lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT),
        Column("Date", lambda r: date_text(r.day), sort_key=lambda r: r.day,
               tooltip=lambda r: date_text(r.day, style="full")),
    ]


def _proxy(rows: list[Line]) -> tuple[RowTableModel[Line], SearchProxyModel]:
    model: RowTableModel[Line] = RowTableModel(_columns())
    model.set_rows(rows)
    proxy = SearchProxyModel()
    proxy.setSourceModel(model)
    return model, proxy


def _column_texts(proxy: SearchProxyModel, column: int) -> list[str]:
    return [proxy.index(row, column).data() for row in range(proxy.rowCount())]


def test_models_pass_the_model_tester_with_real_members(
    qtmodeltester: ModelTester, demo_db: Database
) -> None:
    members = list_members(db=demo_db, actor=LOCAL_ADMIN)
    model: RowTableModel[MemberRow] = RowTableModel(member_columns())
    check_model(qtmodeltester, model)
    model.set_rows(members)
    check_model(qtmodeltester, model)
    assert model.rowCount() == len(members)
    assert model.index(0, 0).data() == members[0].name

    proxy = SearchProxyModel()
    proxy.setSourceModel(model)
    proxy.sort(0, Qt.SortOrder.DescendingOrder)
    proxy.set_search(members[0].name.split()[0])
    check_model(qtmodeltester, proxy)
    assert 0 < proxy.rowCount() <= len(members)


def test_cycle_columns_pass_the_model_tester(
    qtmodeltester: ModelTester, demo_db: Database
) -> None:
    model = RowTableModel([date_column(), points_column(), orders_column(), amount_column()])
    model.set_rows(list_cycles(db=demo_db, actor=LOCAL_ADMIN))
    check_model(qtmodeltester, model)


def test_money_sorts_by_amount_not_by_text_and_missing_amounts_go_last(qapp: object) -> None:
    _, proxy = _proxy(LINES)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert [r.amount for r in (proxy.row_at(i) for i in range(proxy.rowCount()))] == [
        Decimal("9.00"), Decimal("10.00"), Decimal("100.00"), Decimal("1234.50"), None]
    assert _column_texts(proxy, 1)[:2] == ["9,00\u00a0€", "10,00\u00a0€"]


def test_dates_sort_by_day_not_by_month_name(qapp: object) -> None:
    _, proxy = _proxy(LINES)
    proxy.sort(2, Qt.SortOrder.DescendingOrder)
    assert _column_texts(proxy, 2) == [
        "24 décembre 2026", "5 novembre 2026", "1 mars 2026", "15 janvier 2026",
        "31 décembre 2025"]


def test_text_sorts_ignoring_accents(qapp: object) -> None:
    _, proxy = _proxy(LINES)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert _column_texts(proxy, 0) == [
        "Crèmerie", "Épicerie fine", "Légumes", "Œufs frais", "Pain"]


def test_search_ignores_case_and_accents_in_every_column(qapp: object) -> None:
    _, proxy = _proxy(LINES)
    proxy.set_search("epicerie")
    assert _column_texts(proxy, 0) == ["Épicerie fine"]
    proxy.set_search("OEUFS")
    assert _column_texts(proxy, 0) == ["Œufs frais"]
    proxy.set_search("décembre")  # a date column
    assert sorted(_column_texts(proxy, 0)) == ["Légumes", "Œufs frais"]
    proxy.set_search("decembre 2025")  # every word, in any column
    assert _column_texts(proxy, 0) == ["Œufs frais"]
    proxy.set_search("1 234,50")  # the money text's no-break spaces match a plain space
    assert _column_texts(proxy, 0) == ["Pain"]
    proxy.set_search("  ")
    assert proxy.rowCount() == len(LINES)


def test_cells_give_alignment_tooltip_and_row(qapp: object) -> None:
    model, _ = _proxy(LINES)
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == Align.RIGHT.value
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == "dimanche 1 mars 2026"
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) is None
    assert model.index(4, 0).data(ROW_ROLE) is LINES[4]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Montant"


def test_set_rows_replaces_the_rows(qapp: object) -> None:
    model, proxy = _proxy(LINES)
    proxy.set_search("pain")
    model.set_rows(LINES[:2])
    assert model.rowCount() == 2
    assert proxy.rowCount() == 0
    model.set_rows([])
    assert model.rowCount() == 0


def test_searching_two_thousand_rows_narrows_as_one_types(qapp: object) -> None:
    rows = [Line(f"Foyer {n} Hélène Lefèvre", Decimal(n), dt.date(2026, 1, 1) +
                 dt.timedelta(days=n % 300)) for n in range(2000)]
    _, proxy = _proxy(rows)
    for text in ("h", "he", "hel", "hele", "helene", "helene lef", "foyer 1999"):
        proxy.set_search(text)
    assert proxy.rowCount() == 1


def test_fold_is_what_search_compares() -> None:
    assert fold("Épicerie") == "epicerie"
    assert fold("ŒUFS") == "oeufs"
    assert fold("1\u202f234,50\u00a0€") == "1 234,50 €"
