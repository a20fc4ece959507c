"""The background queue: progress, errors and cancels come back to the GUI thread, and
the work is serialised on one thread."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import shiboken6
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from coopfood.persistence.db import Database
from coopfood.persistence.models import Member
from coopfood.services import Cancelled, ProgressCallback, ValidationError
from tests.ui.drive import Answers, click, wait_idle, wait_until
from ui import worker
from ui.worker import run_task


def _count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count(Member.id))) or 0


def test_work_reports_progress_and_its_result_on_the_gui_thread(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[tuple[int, int, str]] = []
    results: list[tuple[int, bool]] = []
    work_threads: list[threading.Thread] = []

    def work(progress: ProgressCallback) -> int:
        work_threads.append(threading.current_thread())
        for done in range(5):
            progress(done, 4, "Calcul…")
        return 42

    operation = run_task(parent, work, on_success=lambda result: results.append(
        (result, QThread.currentThread() is QApplication.instance().thread())))  # type: ignore[union-attr]
    operation.progressed.connect(lambda done, total, what: seen.append((done, total, what)))
    wait_idle(qtbot)

    assert results == [(42, True)]
    assert work_threads[0] is not threading.main_thread()
    assert seen[-1] == (4, 4, "Calcul…")
    assert operation.done


def test_a_failure_shows_the_service_s_french_message(qtbot: QtBot, answers: Answers) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)

    def work(progress: ProgressCallback) -> None:
        raise ValidationError("Le prix HT : « 12,5O » n'est pas un nombre.", field="price_ht")

    run_task(parent, work)
    wait_idle(qtbot)
    assert answers.errors == ["Le prix HT : « 12,5O » n'est pas un nombre."]


def test_a_bug_is_told_in_french_without_its_english_details(
    qtbot: QtBot, answers: Answers
) -> None:
    run_task(None, lambda progress: 1 / 0)
    wait_idle(qtbot)
    [message] = answers.errors
    assert message.startswith("Une erreur inattendue s'est produite (ZeroDivisionError)")
    assert "division" not in message


def test_a_cancelled_write_is_rolled_back_and_told_as_cancelled(
    qtbot: QtBot, db: Database, answers: Answers
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    before = _count(db)
    started = threading.Event()

    def work(progress: ProgressCallback) -> None:
        with db.transaction() as session:  # as a service does: one transaction per call
            session.add(Member(last_name="Annulé", payment_reference="X-1"))
            session.flush()
            started.set()
            for done in range(1000):
                progress(done, 1000, "Enregistrement…")
                time.sleep(0.005)

    failures: list[Exception] = []
    operation = run_task(parent, work, on_failure=failures.append, progress_delay_ms=0)
    assert started.wait(5)
    wait_until(lambda: operation.dialog is not None
                    and operation.dialog.labelText() == "Enregistrement…")
    dialog = operation.dialog
    assert isinstance(dialog, QProgressDialog)
    assert dialog.isVisible()
    assert operation.cancel_button is not None
    assert operation.cancel_button.text() == "Annuler"
    click(operation.cancel_button)
    wait_idle(qtbot)

    [failure] = failures
    assert isinstance(failure, Cancelled)
    assert str(failure) == "Opération annulée : rien n'a été enregistré."
    assert operation.dialog is None
    assert _count(db) == before


def test_without_a_handler_a_cancel_is_told_as_information(
    qtbot: QtBot, answers: Answers
) -> None:
    gate = threading.Event()

    def work(progress: ProgressCallback) -> None:
        gate.wait(5)
        progress(1, 2, "")

    operation = run_task(None, work, progress_delay_ms=None)
    operation.cancel()
    gate.set()
    wait_idle(qtbot)
    assert answers.infos == ["Opération annulée : rien n'a été enregistré."]
    assert answers.errors == []


def test_the_progress_dialog_is_french_and_waits_before_showing(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    quick = run_task(parent, lambda progress: None)
    wait_idle(qtbot)
    assert quick.dialog is None  # a save of a few milliseconds shows nothing

    gate = threading.Event()
    slow = run_task(parent, lambda progress: gate.wait(5), title="Import",
                    label="Lecture du fichier…", progress_delay_ms=50)
    wait_until(lambda: slow.dialog is not None)
    assert slow.dialog is not None
    assert slow.dialog.windowTitle() == "Import"
    assert slow.dialog.labelText() == "Lecture du fichier…"
    assert slow.cancel_button is not None and slow.cancel_button.text() == "Annuler"
    gate.set()
    wait_idle(qtbot)


def test_work_is_serialised_on_a_single_thread(qtbot: QtBot) -> None:
    running = 0
    overlaps: list[int] = []
    threads: set[int] = set()
    lock = threading.Lock()

    def work(progress: ProgressCallback) -> Decimal:
        nonlocal running
        with lock:
            running += 1
            overlaps.append(running)
            threads.add(threading.get_ident())
        time.sleep(0.01)
        with lock:
            running -= 1
        return Decimal(1)

    results: list[Decimal] = []
    for _ in range(5):
        run_task(None, work, on_success=results.append)
    assert worker.busy()
    wait_idle(qtbot)
    assert results == [Decimal(1)] * 5
    assert max(overlaps) == 1
    assert len(threads) == 1


def test_callbacks_are_skipped_once_their_widget_is_gone(qtbot: QtBot) -> None:
    parent = QWidget()
    gate = threading.Event()
    called: list[object] = []
    run_task(parent, lambda progress: gate.wait(5), on_success=called.append,
             progress_delay_ms=None)
    shiboken6.delete(parent)  # the dialog the work was started from was closed
    assert not shiboken6.isValid(parent)
    gate.set()
    wait_idle(qtbot)
    assert called == []

