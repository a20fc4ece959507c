"""The one helper for work that must not freeze the window (like Anki's CollectionOp).

`run_task(parent, work, on_success=…)` puts `work` on a queue served by a
single background thread, so that every write of the window is serialised
(two saves never race each other for the SQLite write lock). `work` gets a
progress callback with the services' signature, `(done, total, what)`; it
raises `Cancelled` once the user has pressed « Annuler », and the service
then rolls its transaction back.

The result or the error comes back on the GUI thread, through queued
signals, to `on_success` / `on_failure`. Work that lasts longer than a
moment shows a `QProgressDialog`.

The rule that keeps this safe: `work` never touches a widget, nor anything
Qt — it only calls services and returns plain data. Everything shown is
shown by the callbacks, which run on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QElapsedTimer, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from coopfood.i18n import _
from coopfood.services import Cancelled, ProgressCallback

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Work shorter than this shows no progress dialog at all (a save takes a few milliseconds).
PROGRESS_DELAY_MS = 400

_executor: ThreadPoolExecutor | None = None
#: Operations queued or running: kept alive until their result has been delivered.
_running: set[Operation] = set()


def _queue() -> ThreadPoolExecutor:
    """The single thread every piece of work runs on, one after the other."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coopfood-travail")
    return _executor


def busy() -> bool:
    """Whether some work is queued or running."""
    return bool(_running)


def wait_until_idle(timeout_ms: int = 30_000) -> bool:
    """Process events until every queued piece of work has reported; False on timeout.

    For closing the window and for tests: the window itself never waits.
    """
    timer = QElapsedTimer()
    timer.start()
    while _running:
        if timer.elapsed() > timeout_ms:
            return False
        QCoreApplication.processEvents()
        threading.Event().wait(0.002)
    return True


class Operation(QObject):
    """One piece of work on the queue. Its public signals arrive on the GUI thread."""

    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)
    #: After `succeeded` or `failed`, whatever the outcome.
    finished = Signal()

    # Emitted by the background thread; queued to the slots below.
    _report_progress = Signal(int, int, str)
    _report_result = Signal(object)
    _report_error = Signal(object)

    def __init__(
        self,
        parent: QWidget | None,
        *,
        title: str,
        label: str,
        progress_delay_ms: int | None,
        cancellable: bool,
    ) -> None:
        # No Qt parent: the operation must outlive a dialog closed while it runs.
        super().__init__(None)
        self._owner = parent
        self._title = title
        self._label = label
        self._cancellable = cancellable
        self._cancel = threading.Event()
        self._done = False
        self._last: tuple[int, int, str] = (0, 0, label)
        self.dialog: QProgressDialog | None = None
        self.cancel_button: QPushButton | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._report_progress.connect(self._on_progress, queued)
        self._report_result.connect(self._on_result, queued)
        self._report_error.connect(self._on_error, queued)
        if progress_delay_ms is not None:
            QTimer.singleShot(progress_delay_ms, self, self._show_dialog)

    # --- the background side (never touches Qt objects but these signals) --------------

    def progress_callback(self, done: int, total: int, what: str) -> None:
        """Given to the work: reports progress, and stops the work once cancelled."""
        if self._cancel.is_set():
            raise Cancelled()
        self._report_progress.emit(done, total, what)

    def _run(self, work: Callable[[ProgressCallback], Any]) -> None:
        try:
            if self._cancel.is_set():
                raise Cancelled()
            result = work(self.progress_callback)
        except BaseException as error:  # every failure is reported, none is lost
            self._report_error.emit(error)
        else:
            self._report_result.emit(result)

    # --- the GUI side -------------------------------------------------------------------

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report (« Annuler »)."""
        self._cancel.set()
        if self.dialog is not None:
            self.dialog.setLabelText(_("Annulation en cours…"))
            if self.cancel_button is not None:
                self.cancel_button.setEnabled(False)

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def done(self) -> bool:
        return self._done

    def _owner_alive(self) -> bool:
        return self._owner is None or shiboken6.isValid(self._owner)

    def _show_dialog(self) -> None:
        if self._done or self.dialog is not None or not self._owner_alive():
            return
        dialog = QProgressDialog(self._owner)
        dialog.setWindowTitle(self._title or _("Travail en cours"))
        dialog.setLabelText(self._last[2] or self._label)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(420)
        if self._cancellable:
            self.cancel_button = QPushButton(_("Annuler"), dialog)
            dialog.setCancelButton(self.cancel_button)
            dialog.canceled.connect(self.cancel)
            dialog.rejected.connect(self.cancel)  # Échap, or the window closed
        else:
            dialog.setCancelButton(None)
        self.dialog = dialog
        self._apply_progress(*self._last)
        dialog.show()

    def _apply_progress(self, done: int, total: int, what: str) -> None:
        if self.dialog is None or self._cancel.is_set():
            return
        if what:
            self.dialog.setLabelText(what)
        if total > 0:
            self.dialog.setRange(0, total)
            self.dialog.setValue(min(done, total))
        else:
            self.dialog.setRange(0, 0)  # a busy bar: how long is unknown

    @Slot(int, int, str)
    def _on_progress(self, done: int, total: int, what: str) -> None:
        self._last = (done, total, what)
        self._apply_progress(done, total, what)
        self.progressed.emit(done, total, what)

    @Slot(object)
    def _on_result(self, result: object) -> None:
        self._finish()
        try:
            self.succeeded.emit(result)
        finally:
            self.finished.emit()

    @Slot(object)
    def _on_error(self, error: BaseException) -> None:
        self._finish()
        if not isinstance(error, Exception):
            raise error  # KeyboardInterrupt, SystemExit: not ours to swallow
        try:
            self.failed.emit(error)
        finally:
            self.finished.emit()

    def _finish(self) -> None:
        # Off the list first: a callback that fails must not leave the queue "busy".
        _running.discard(self)
        self._done = True
        if self.dialog is not None:
            self.dialog.hide()
            self.dialog.deleteLater()
            self.dialog = None
            self.cancel_button = None


def run_task(
    parent: QWidget | None,
    work: Callable[[ProgressCallback], T],
    *,
    on_success: Callable[[T], None] | None = None,
    on_failure: Callable[[Exception], None] | None = None,
    title: str = "",
    label: str = "",
    progress_delay_ms: int | None = PROGRESS_DELAY_MS,
    cancellable: bool = True,
) -> Operation:
    """Queue `work` on the background thread; see the module's docstring.

    `on_failure` gets the exception (a `Cancelled` when the user stopped the
    work); without it, the error is shown to the user in French over
    `parent`. The callbacks are skipped if `parent` was destroyed meanwhile.
    `progress_delay_ms=None` never shows a progress dialog.
    """
    operation = Operation(parent, title=title, label=label,
                          progress_delay_ms=progress_delay_ms, cancellable=cancellable)

    def succeeded(result: Any) -> None:  # the work's own result, a T
        if on_success is not None and operation._owner_alive():
            on_success(result)

    def failed(error: Exception) -> None:
        if not isinstance(error, Cancelled) and not _is_user_error(error):
            log.error("Échec d'un travail en arrière-plan", exc_info=(
                type(error), error, error.__traceback__))
        if not operation._owner_alive():
            return
        if on_failure is not None:
            on_failure(error)
        else:
            from ui.dialogs import messages

            messages.show_failure(parent, error)

    operation.succeeded.connect(succeeded)
    operation.failed.connect(failed)
    _running.add(operation)
    _queue().submit(operation._run, work)
    return operation


def _is_user_error(error: Exception) -> bool:
    from coopfood.services import ServiceError

    return isinstance(error, ServiceError)
