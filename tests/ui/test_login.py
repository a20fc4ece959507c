"""Logging in from the window, and what each role then sees: the acceptance of multi-user
mode is that a coordinator given one point sees only that point's households."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from coopfood.persistence.db import Database
from coopfood.persistence.models import Member
from coopfood.services import LOCAL_ADMIN, Actor, Role, users
from coopfood.services.users import Mode, UserInput
from tests.ui.conftest import TODAY
from tests.ui.drive import Answers, click, play_dialogs, type_into, wait_until
from ui.app import run_gui
from ui.dialogs.login import LoginDialog, actor_for_window
from ui.dialogs.users import PasswordDialog, UserDialog, UsersDialog
from ui.main_window import SECTIONS, MainWindow
from ui.views.list_page import ListPage

PASSWORD = "une phrase de passe"
POINT_A = 1


@pytest.fixture
def multi_user(demo_db_copy: Database) -> Database:
    """The demo in multi-user mode: claire administers, marie coordinates point 1, the
    « Vergers » log in as producer 2."""
    db = demo_db_copy
    users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="claire", display_name="Claire", role=Role.ADMIN))
    users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="marie", display_name="Marie", role=Role.COORDINATOR, point_ids=[POINT_A]))
    users.create_user(db=db, actor=LOCAL_ADMIN, password=PASSWORD, data=UserInput(
        login="vergers", display_name="Vergers", role=Role.PRODUCER, producer_id=2))
    users.set_mode(db=db, actor=LOCAL_ADMIN, mode=Mode.MULTI)
    return db


def _window(qtbot: QtBot, db: Database, actor: Actor) -> MainWindow:
    window = MainWindow(db, actor, today=lambda: TODAY)
    qtbot.addWidget(window)
    window.show()
    return window


def _visible_sections(window: MainWindow) -> list[str]:
    return [SECTIONS[i].key for i in range(window.nav.count())
            if not window.nav.item(i).isHidden()]


def test_a_single_user_base_opens_without_login(demo_db: Database) -> None:
    assert actor_for_window(demo_db) == LOCAL_ADMIN


def test_a_wrong_password_is_told_under_the_field_then_the_right_one_logs_in(
        qtbot: QtBot, multi_user: Database, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def user(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        assert dialog.windowTitle() == "coopfood — connexion"
        assert dialog.ok_button.text() == "Se connecter"
        click(dialog.ok_button)  # nothing typed
        seen.update(dialog.shown_errors())
        type_into(dialog.login, "Marie")
        type_into(dialog.password, "pas le bon")
        click(dialog.ok_button)
        wait_until(lambda: "password" in dialog.shown_errors())
        seen["wrong"] = dialog.shown_errors()["password"]
        dialog.grab().save(str(tmp_path / "login.png"))
        type_into(dialog.password, PASSWORD)
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, user)
    actor = actor_for_window(multi_user)
    assert seen["login"] == "Tapez votre identifiant."
    assert seen["wrong"] == "Identifiant ou mot de passe incorrect."
    assert actor is not None
    assert (actor.name, actor.role, actor.point_ids) == ("Marie", Role.COORDINATOR,
                                                         frozenset({POINT_A}))

    # The login is offered again at the next start, the password never.
    def again(dialog: QDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        assert (dialog.login.text(), dialog.password.text()) == ("marie", "")
        click(dialog.cancel_button)

    play_dialogs(monkeypatch, qtbot, again)
    assert actor_for_window(multi_user) is None


def test_giving_up_the_login_opens_no_window(
        qtbot: QtBot, multi_user: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    opened: list[object] = []
    monkeypatch.setattr(MainWindow, "show", lambda self: opened.append(self))
    play_dialogs(monkeypatch, qtbot, lambda dialog: click(dialog.cancel_button))  # type: ignore[attr-defined]
    assert run_gui(multi_user) == 0
    assert opened == []


def test_a_coordinator_sees_only_its_points_households_in_the_window(
        qtbot: QtBot, multi_user: Database) -> None:
    marie = users.authenticate(db=multi_user, login="marie", password=PASSWORD)
    window = _window(qtbot, multi_user, marie)
    window.show_section("members")
    page = window.page("members")
    assert isinstance(page, ListPage)
    with multi_user.reading() as session:
        at_point_a = set(session.scalars(select(Member.id).where(
            Member.point_id == POINT_A, Member.archived_at.is_(None))))
    rows = page.visible_rows()
    assert rows and {row.id for row in rows} == at_point_a
    assert page.count_label.text() == f"{len(at_point_a)} adhérents"
    # Invoices are not hers; the audit trail is (of her point).
    visible = _visible_sections(window)
    assert "invoices" not in visible and {"members", "orders", "audit"} <= set(visible)
    texts = [label.text() for label in window.statusBar().findChildren(QLabel)]
    assert "Connecté : Marie (Coordinateur)" in texts
    assert not window.users_action.isVisible()


def test_a_producer_sees_only_its_own_sections(qtbot: QtBot, multi_user: Database) -> None:
    vergers = users.authenticate(db=multi_user, login="vergers", password=PASSWORD)
    window = _window(qtbot, multi_user, vergers)
    assert _visible_sections(window) == ["dashboard", "producers", "products", "baskets",
                                         "contracts", "documents", "invoices"]
    window.show_section("producers")
    page = window.page("producers")
    assert isinstance(page, ListPage)
    assert [row.id for row in page.visible_rows()] == [2]


def test_the_administrator_manages_users_and_the_mode(
        qtbot: QtBot, demo_db_copy: Database, monkeypatch: pytest.MonkeyPatch,
        answers: Answers, tmp_path: Path) -> None:
    db = demo_db_copy
    window = _window(qtbot, db, LOCAL_ADMIN)
    assert window.users_action.isVisible()
    created: list[str] = []

    def manage(dialog: QDialog) -> None:
        assert isinstance(dialog, UsersDialog)
        assert dialog.mode_label.text() == "Mode : Poste unique, sans identification."
        assert dialog.mode_button.text() == "Passer en mode multi-utilisateur…"
        # No administrator yet: switching offers to create one first.
        dialog.mode_button.click()
        wait_until(lambda: dialog.mode is Mode.MULTI)
        assert dialog.mode_button.text() == "Revenir au poste unique…"
        dialog.new_button.click()
        assert [r.login for r in dialog.model.rows()] == ["claire", "marie"]
        dialog.grab().save(str(tmp_path / "users.png"))
        dialog.table.selectRow(1)
        dialog.password_button.click()
        dialog.active_button.click()
        wait_until(lambda: not dialog.model.rows()[1].active)
        assert dialog.active_button.text() == "Réactiver"

    def new_admin(dialog: QDialog) -> None:
        assert isinstance(dialog, UserDialog)
        assert dialog.role.value() is Role.ADMIN
        type_into(dialog.login, "claire")
        type_into(dialog.display_name, "Claire Martin")
        type_into(dialog.password, "court")
        type_into(dialog.confirm, "court")
        click(dialog.ok_button)
        created.append(dialog.shown_errors()["password"])
        type_into(dialog.password, PASSWORD)
        type_into(dialog.confirm, PASSWORD)
        click(dialog.ok_button)

    def new_coordinator(dialog: QDialog) -> None:
        assert isinstance(dialog, UserDialog)
        type_into(dialog.login, "marie")
        type_into(dialog.display_name, "Marie")
        dialog.role.set_value(Role.COORDINATOR)
        assert dialog.points.isEnabled() and not dialog.producer.isEnabled()
        type_into(dialog.password, PASSWORD)
        type_into(dialog.confirm, PASSWORD)
        click(dialog.ok_button)
        wait_until(lambda: "point_ids" in dialog.shown_errors())
        created.append(dialog.shown_errors()["point_ids"])
        dialog.points.item(0).setCheckState(Qt.CheckState.Checked)
        dialog.grab().save(str(tmp_path / "user.png"))
        click(dialog.ok_button)

    def new_password(dialog: QDialog) -> None:
        assert isinstance(dialog, PasswordDialog)
        type_into(dialog.password, "une autre phrase")
        type_into(dialog.confirm, "une autre phrase !")
        click(dialog.ok_button)
        created.append(dialog.shown_errors()["confirm"])
        type_into(dialog.confirm, "une autre phrase")
        click(dialog.ok_button)

    play_dialogs(monkeypatch, qtbot, manage, new_admin, new_coordinator, new_password)
    window.users_action.trigger()
    assert created[0].startswith("Le mot de passe doit compter au moins 10 caractères")
    assert created[1].startswith("Un coordinateur s'occupe d'au moins un point")
    assert created[2].startswith("Les deux mots de passe diffèrent")
    assert users.get_mode(db=db) is Mode.MULTI
    assert users.authenticate(db=db, login="claire", password=PASSWORD).role is Role.ADMIN
    with pytest.raises(users.LoginRefused, match="désactivé"):
        users.authenticate(db=db, login="marie", password="une autre phrase")
    assert any("Mot de passe" in text or "mot de passe" in text for text in answers.infos)
