"""« Journal des modifications »: searched by period, who, kind, household and words, each
change shown before and after, exported; a coordinator sees its points' entries only. And
a household's data exported and erased from the members page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QAbstractButton
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coopfood.domain.treasury import PaymentMeans
from coopfood.persistence.db import Database
from coopfood.persistence.models import Member
from coopfood.services import LOCAL_ADMIN, Actor, Role, ledger, members, users
from coopfood.services.audit import AuditRow
from coopfood.services.lists import MemberRow
from coopfood.services.members import MemberInput
from coopfood.services.users import UserInput
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, check_model, click, type_into, wait_idle, wait_until
from ui.main_window import MainWindow
from ui.table_model import RowTableModel
from ui.views import members as members_view
from ui.views.audit import AuditPage, audit_columns, change_lines
from ui.views.context import PageContext
from ui.views.list_page import ListPage

POINT_A, POINT_B = 1, 2
COORDINATOR_A = Actor(name="Marie", role=Role.COORDINATOR, user_id=7,
                      point_ids=frozenset({POINT_A}))


def _household(db: Database, point_id: int) -> int:
    with db.reading() as session:
        found = session.scalars(select(Member.id).where(Member.point_id == point_id)
                                .order_by(Member.id)).first()
    assert found is not None
    return found


def _new_phone(db: Database, member_id: int, phone: str) -> str:
    d = members.get_member(db=db, actor=LOCAL_ADMIN, member_id=member_id)
    members.save_member(db=db, actor=LOCAL_ADMIN, member_id=member_id, data=MemberInput(
        last_name=d.last_name, first_name=d.first_name, co_member_name=d.co_member_name,
        email=d.email or "", phone=phone, address=d.address, postal_code=d.postal_code,
        city=d.city, point_id=d.point_id, partner_id=d.partner_id, print_phone=d.print_phone,
        print_email=d.print_email, joined_on=d.joined_on))
    return d.name


@pytest.fixture
def changed(demo_db_copy: Database) -> dict[str, object]:
    """A few changes of every kind: households of points A and B, a payment, an account."""
    db = demo_db_copy
    a, b = _household(db, POINT_A), _household(db, POINT_B)
    name_a = _new_phone(db, a, "06 11 22 33 44")
    name_b = _new_phone(db, b, "06 55 66 77 88")
    ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=b, amount="25",
                          means=PaymentMeans.CASH, entry_date=TODAY)
    users.create_user(db=db, actor=LOCAL_ADMIN, password="une phrase de passe", data=UserInput(
        login="marie", display_name="Marie", role=Role.COORDINATOR, point_ids=[POINT_A]))
    return {"a": a, "b": b, "name_a": name_a, "name_b": name_b}


def _page(qtbot: QtBot, db: Database, actor: Actor = LOCAL_ADMIN) -> AuditPage:
    page = AuditPage(PageContext(db=db, actor=actor, today=lambda: TODAY))
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    return page


def test_the_trail_is_searched_and_each_change_shows_before_and_after(
        qtbot: QtBot, demo_db_copy: Database, changed: dict[str, object],
        qtmodeltester: ModelTester) -> None:
    page = _page(qtbot, demo_db_copy)
    rows = page.visible_rows()
    assert [r.entity for r in rows] == ["user", "payment", "member", "member"]
    assert page.count_label.text() == "4 modifications"
    assert page.model.cell_text(0, 2) == "Utilisateur" and page.model.cell_text(2, 3) == \
        "Modification"
    model: RowTableModel[AuditRow] = RowTableModel(audit_columns())  # outlives the page
    model.set_rows(rows)
    check_model(qtmodeltester, model)

    page.kind.set_value("member")
    click(page.search_button)
    assert [r.member_id for r in page.visible_rows()] == [changed["b"], changed["a"]]
    page.household.set_value(changed["a"])  # type: ignore[arg-type]
    click(page.search_button)
    [row] = page.visible_rows()
    page.table.selectRow(0)
    details = page.details.toPlainText()
    assert f"{changed['name_a']} : téléphone modifié(s)" in details
    assert "téléphone : " in details and "→ 06 11 22 33 44" in details
    assert change_lines(row)[0].endswith("→ 06 11 22 33 44")

    page.kind.set_value(None)
    page.household.set_value(None)
    type_into(page.text, "règlement")
    click(page.search_button)
    assert [r.entity for r in page.visible_rows()] == ["payment"]
    page.text.clear()
    type_into(page.who, "personne d'autre")
    click(page.search_button)
    assert page.visible_rows() == [] and page.count_label.text() == "0 modification"
    page.who.clear()
    page.date_from.set_date(TODAY + dt.timedelta(days=400))
    click(page.search_button)
    assert page.visible_rows() == []
    page.date_from.set_date(None)
    page.date_to.set_date(TODAY - dt.timedelta(days=400))
    click(page.search_button)
    assert page.visible_rows() == []
    page.date_to.set_date(dt.date(2099, 1, 1))
    page.date_from.set_date(dt.date(2099, 2, 1))
    click(page.search_button)
    assert page.error_label.text() == "La fin de la période est avant son début."
    page.date_from.set_date(None)
    page.date_to.set_date(None)
    click(page.search_button)
    page.table.selectRow(1)
    wait_until(lambda: page.count_label.width() >= page.count_label.sizeHint().width())


def test_the_trail_is_exported_whole(qtbot: QtBot, demo_db_copy: Database,
                                     changed: dict[str, object], answers: Answers,
                                     tmp_path: Path) -> None:
    page = _page(qtbot, demo_db_copy)
    answers.save_file = tmp_path / "journal.xlsx"
    page.kind.set_value("member")
    click(page.export_button)
    wait_idle()
    assert answers.infos == ["2 modifications exportées dans « journal.xlsx »."]
    sheet = load_workbook(answers.save_file).active
    assert sheet is not None
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:6] == ["Date et heure", "Qui", "Type", "N°", "Action", "Résumé"]
    assert [v[2] for v in values[1:]] == ["Foyer", "Foyer"]
    assert '"phone": "06 55 66 77 88"' in str(values[1][7])


def test_a_coordinator_reads_only_its_points_entries(
        qtbot: QtBot, demo_db_copy: Database, changed: dict[str, object]) -> None:
    page = _page(qtbot, demo_db_copy, COORDINATOR_A)
    assert [r.member_id for r in page.visible_rows()] == [changed["a"]]
    households = {value for value in page.household.values() if value is not None}
    with demo_db_copy.reading() as session:
        assert {session.get(Member, m).point_id for m in households} == {  # type: ignore[union-attr]
            POINT_A}


def _members_page(qtbot: QtBot, db: Database) -> tuple[MainWindow, ListPage[MemberRow]]:
    window = MainWindow(db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    window.show_section("members")
    page: ListPage[MemberRow] = window.page("members")  # type: ignore[assignment]
    assert isinstance(page, ListPage)
    return window, page


def _action(page: ListPage[MemberRow], text: str) -> QAbstractButton:
    [action] = [a for a in page.extra_actions if a.text() == text]
    button = page.toolbar.widgetForAction(action)  # type: ignore[union-attr]
    assert isinstance(button, QAbstractButton)
    return button


def test_a_households_data_is_exported_then_erased_from_the_members_page(
        qtbot: QtBot, demo_db_copy: Database, answers: Answers, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    db = demo_db_copy
    _window, page = _members_page(qtbot, db)
    target = page.visible_rows()[3]
    assert page.select(target.id)
    monkeypatch.setattr(members_view, "choose_export_folder", lambda parent: tmp_path / "rgpd")
    click(_action(page, "Exporter ses données…"))
    wait_idle()
    written = sorted(p.name for p in (tmp_path / "rgpd").iterdir())
    assert len(written) == 2 and {Path(name).suffix for name in written} == {".json", ".zip"}
    assert answers.infos and "Tout ce que la base contient sur ce foyer" in answers.infos[0]

    answers.confirm = False
    click(_action(page, "Anonymiser…"))
    assert "Cela ne peut pas être annulé" in answers.asked[-1]
    assert target.name in answers.asked[-1]
    assert target.id in {r.id for r in page.visible_rows()}
    answers.confirm = True
    click(_action(page, "Anonymiser…"))
    wait_until(lambda: target.id not in {r.id for r in page.visible_rows()})
    detail = members.get_member(db=db, actor=LOCAL_ADMIN, member_id=target.id)
    assert detail.name == f"FOYER ANONYMISÉ N° {target.id}" and detail.archived
    page.show_archived.setChecked(True)
    assert page.select(target.id)


def test_only_an_administrator_is_offered_to_anonymise(qtbot: QtBot, demo_db: Database) -> None:
    treasurer = Actor(name="Paul", role=Role.TREASURER, user_id=3)
    window = MainWindow(demo_db, treasurer, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show_section("members")
    page = window.page("members")
    assert isinstance(page, ListPage)
    assert [a.text() for a in page.extra_actions] == ["Exporter ses données…"]
