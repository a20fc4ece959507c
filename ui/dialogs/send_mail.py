"""« Envoyer par e-mail… »: who receives what, then sending, then how each message went;
and « Journal des envois », every message sent or failed.

The preview (`plan_mail`) writes the documents into the dialog's own temporary
folder and fills the table: recipient, address, subject, attached files and
« à envoyer », « déjà envoyé le … », « pas d'adresse »… « Envoyer » sends
what is to send (`send_mail`) off the GUI thread, with a progress dialog and
« Annuler »; the table then tells each message's outcome, with the server's
reason for a failure. A retry sends only what failed or did not leave: the
service skips what was sent.
"""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.treasury import MailStatus
from coopfood.i18n import _, ngettext
from coopfood.services import Cancelled, ServiceError
from coopfood.services.lists import CycleRow, list_cycles
from coopfood.services.mail import (
    AuthenticationRefused,
    LoggedMessage,
    MailKind,
    MailPlan,
    Outcome,
    PasswordNeeded,
    PlannedMessage,
    SendReport,
    get_mail_settings,
    mail_log,
    plan_mail,
    send_mail,
    statements_available,
)
from ui.dialogs import form, messages
from ui.dialogs.fields import OptionalDateEdit, ValueCombo
from ui.dialogs.mail_settings import (
    ask_password,
    forget_remembered_password,
    open_mail_settings,
    remember_password,
    remembered_password,
)
from ui.display import MISSING, date_text
from ui.table_model import Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task


@dataclass(frozen=True)
class PreviewRow:
    """A planned message and what the table says of it: its plan, then its outcome."""

    message: PlannedMessage
    state: str


def preview_columns() -> list[Column[PreviewRow]]:
    return [
        Column(_("Destinataire"), lambda r: r.message.name, elide=True),
        Column(_("Adresse"), lambda r: r.message.recipient or MISSING, elide=True),
        Column(_("État"), lambda r: r.state, tooltip=lambda r: r.state),
        Column(_("Objet"), lambda r: r.message.subject or MISSING, elide=True,
               tooltip=lambda r: r.message.subject),
        Column(_("Pièces jointes"), lambda r: ", ".join(r.message.attachment_names) or MISSING,
               elide=True, tooltip=lambda r: "\n".join(r.message.attachment_names)),
    ]


def log_columns() -> list[Column[LoggedMessage]]:
    return [
        Column(_("Date"), lambda r: _moment(r.at), sort_key=lambda r: r.at.timestamp()),
        Column(_("Envoi"), lambda r: r.kind_label),
        Column(_("Distribution"), lambda r: date_text(r.cycle_date, style="short")
               if r.cycle_date else MISSING, sort_key=lambda r: r.cycle_date),
        Column(_("Destinataire"), lambda r: r.recipient, elide=True),
        Column(_("État"), lambda r: r.status.label),
        Column(_("Motif de l'échec"), lambda r: r.error or MISSING, elide=True,
               tooltip=lambda r: r.error),
        Column(_("Objet"), lambda r: r.subject, elide=True, tooltip=lambda r: r.subject),
        Column(_("Pièces jointes"), lambda r: ", ".join(r.attachments) or MISSING, elide=True,
               tooltip=lambda r: "\n".join(r.attachments)),
    ]


def _moment(at: dt.datetime) -> str:
    local = at.astimezone()
    return _("{date} à {time}").format(date=date_text(local.date(), style="short"),
                                       time=f"{local:%H:%M}")


def _state(message: PlannedMessage) -> str:
    text = message.status_text
    return text[:1].upper() + text[1:]


class SendMailDialog(QDialog):
    """Send one kind of documents by e-mail; `ask()` returns the last sending's report."""

    def __init__(self, parent: QWidget | None, context: PageContext, *,
                 kind: MailKind = MailKind.PICKUP, cycle_id: int | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.setWindowTitle(_("Envoyer par e-mail"))
        self._folder = Path(tempfile.mkdtemp(prefix="coopfood-envoi-"))
        self.destroyed.connect(lambda *_a, folder=self._folder: shutil.rmtree(
            folder, ignore_errors=True))
        self.plan: MailPlan | None = None
        self.report: SendReport | None = None
        self.operation: Operation | None = None
        self._cycles: list[CycleRow] = []

        self.tabs = QTabWidget()
        self.tabs.addTab(self._send_tab(kind, cycle_id), _("Envoi"))
        self.tabs.addTab(self._log_tab(), _("Journal des envois"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.buttons = QDialogButtonBox()
        self.settings_button = QPushButton(_("Régler l'envoi…"))
        self.send_button = QPushButton(_("Envoyer"))
        self.close_button = QPushButton(_("Fermer"))
        self.buttons.addButton(self.settings_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.send_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.send_button.setEnabled(False)
        self.settings_button.clicked.connect(self.edit_settings)
        self.send_button.clicked.connect(self.send)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.resize(980, 620)
        self._kind_changed()

    # --- building ---------------------------------------------------------------------------

    def _send_tab(self, kind: MailKind, cycle_id: int | None) -> QWidget:
        self.kind_combo: ValueCombo[MailKind] = ValueCombo(
            ((k.label, k) for k in MailKind), current=kind)
        self.kind_combo.setAccessibleName(_("Documents à envoyer"))
        self.kind_combo.setMinimumContentsLength(32)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        try:
            self._cycles = list_cycles(db=self._context.db, actor=self._context.actor)
        except ServiceError:
            self._cycles = []
        self.cycle_combo: ValueCombo[int] = ValueCombo(
            ((_("{date} — {state}").format(date=date_text(row.date, style="full"),
                                           state=row.state.label), row.id)
             for row in self._cycles), current=cycle_id)
        self.cycle_combo.setAccessibleName(_("Distribution"))
        self.cycle_combo.setMinimumContentsLength(32)
        self.cycle_combo.currentIndexChanged.connect(self._choice_changed)
        today = self._context.today()
        self.date_from = OptionalDateEdit(None, none_text=_("depuis le début"), default=today,
                                          clear_text=_("Effacer"))
        self.date_to = OptionalDateEdit(None, none_text=_("jusqu'à aujourd'hui"), default=today,
                                        clear_text=_("Effacer"))
        self.date_from.changed.connect(self._choice_changed)
        self.date_to.changed.connect(self._choice_changed)
        self.preview_button = QPushButton(_("Préparer l'aperçu"))
        self.preview_button.clicked.connect(self.preview)

        choice = QFormLayout()
        choice.addRow(_("Envoyer :"), self.kind_combo)
        self.cycle_label = QLabel(_("Distribution :"))
        choice.addRow(self.cycle_label, self.cycle_combo)
        self.period_label = QLabel(_("Période :"))
        period = QHBoxLayout()
        period.addWidget(self.date_from)
        period.addWidget(QLabel(_("au")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        self.period_row = QWidget()
        self.period_row.setLayout(period)
        period.setContentsMargins(0, 0, 0, 0)
        choice.addRow(self.period_label, self.period_row)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # names may hold "<"
        font = self.status.font()
        font.setBold(True)
        self.status.setFont(font)
        columns = preview_columns()
        self.preview_model: RowTableModel[PreviewRow] = RowTableModel(columns, self)
        preview_proxy = SearchProxyModel(self)
        preview_proxy.setSourceModel(self.preview_model)
        self.preview_table: QTableView = make_table_view(preview_proxy, self)
        self.preview_table.setAccessibleName(_("Messages"))
        self._preview_fitter = ColumnFitter(self.preview_table, columns)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(note_label(_(
            "Un aperçu d'abord : qui reçoit quoi, et qui ne reçoit rien, et pourquoi. Rien ne "
            "part avant « Envoyer » ; un message déjà envoyé ne l'est jamais deux fois.")))
        layout.addLayout(choice)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.status)
        layout.addWidget(self.preview_table, 1)
        return page

    def _log_tab(self) -> QWidget:
        columns = log_columns()
        self.log_model: RowTableModel[LoggedMessage] = RowTableModel(columns, self)
        self.log_proxy = SearchProxyModel(self)
        self.log_proxy.setSourceModel(self.log_model)
        self.log_table: QTableView = make_table_view(self.log_proxy, self)
        self.log_table.setAccessibleName(_("Journal des envois"))
        self._log_fitter = ColumnFitter(self.log_table, columns)
        self.log_search = QLineEdit()
        self.log_search.setPlaceholderText(_("Chercher (destinataire, objet, motif…)"))
        self.log_search.setClearButtonEnabled(True)
        self.log_search.textChanged.connect(self.log_proxy.set_search)
        self.log_count = QLabel()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(self.log_search)
        layout.addWidget(self.log_table, 1)
        layout.addWidget(self.log_count)
        return page

    # --- the choice ------------------------------------------------------------------------

    def chosen_kind(self) -> MailKind:
        return self.kind_combo.value() or MailKind.PICKUP

    def _kind_changed(self, *_args: object) -> None:
        needs_cycle = self.chosen_kind().needs_cycle
        widgets: tuple[QWidget, ...] = (self.cycle_label, self.cycle_combo)
        for widget in widgets:
            widget.setVisible(needs_cycle)
        for widget in (self.period_label, self.period_row):
            widget.setVisible(not needs_cycle)
        available = statements_available() or needs_cycle
        self.preview_button.setEnabled(available and (not needs_cycle or bool(self._cycles)))
        self._choice_changed()
        if needs_cycle and not self._cycles:
            self.status.setText(_("Aucune distribution : créez-en une pour envoyer ses "
                                  "documents."))
        elif not available:
            self.status.setText(_("Envoi des relevés impossible : relevés pas encore "
                                  "disponibles dans cette version de coopfood."))

    def _choice_changed(self, *_args: object) -> None:
        """Another choice: the preview no longer stands."""
        if self.operation is not None:
            return
        self.plan = None
        self.preview_model.set_rows([])
        self.send_button.setEnabled(False)
        self.status.setText(_("« Préparer l'aperçu » montre qui recevrait quoi."))

    # --- the preview ---------------------------------------------------------------------

    def preview(self) -> None:
        if self.operation is not None:
            return
        kind = self.chosen_kind()
        cycle_id = self.cycle_combo.value() if kind.needs_cycle else None
        if kind.needs_cycle and cycle_id is None:
            return
        date_from = None if kind.needs_cycle else self.date_from.date()
        date_to = None if kind.needs_cycle else self.date_to.date()
        folder = self._folder / f"apercu-{dt.datetime.now():%H%M%S%f}"
        for old in self._folder.iterdir():
            shutil.rmtree(old, ignore_errors=True)
        db, actor = self._context.db, self._context.actor
        self._set_busy(True)
        self.status.setText(_("Préparation des documents…"))
        self.operation = run_task(
            self,
            lambda progress: plan_mail(db=db, actor=actor, kind=kind, cycle_id=cycle_id,
                                       date_from=date_from, date_to=date_to, out_dir=folder,
                                       progress=progress),
            on_success=self._show_plan,
            on_failure=lambda error: self._failed(error, _("Aperçu annulé.")),
            title=_("Envoyer par e-mail"), label=_("Préparation des documents…"))

    def _show_plan(self, plan: MailPlan) -> None:
        self.operation = None
        self._set_busy(False)
        self.plan = plan
        self._show_rows(PreviewRow(m, _state(m)) for m in plan.messages)
        self.status.setText(f"{plan.title} : {plan.summary}")
        self.send_button.setEnabled(bool(plan.to_send))
        self.send_button.setDefault(bool(plan.to_send))

    def _show_rows(self, rows: Iterable[PreviewRow]) -> None:
        self.preview_model.set_rows(rows)
        self._preview_fitter.done = False  # the states changed: fit their column again
        self._preview_fitter.fit_if_ready()

    # --- sending ---------------------------------------------------------------------------

    def send(self) -> None:
        plan = self.plan
        if plan is None or not plan.to_send or self.operation is not None:
            return
        db, actor = self._context.db, self._context.actor
        try:
            settings = get_mail_settings(db=db, actor=actor)
        except ServiceError as error:
            messages.show_error(self, str(error))
            return
        if not settings.configured:
            messages.show_error(self, _(
                "L'envoi des e-mails n'est pas réglé : indiquez le serveur et l'adresse "
                "d'expédition avec « Régler l'envoi… »."))
            return
        count = len(plan.to_send)
        question = ngettext("Envoyer {n} message par {server} ?",
                            "Envoyer {n} messages par {server} ?", count)
        if not messages.confirm(self, title=_("Envoyer par e-mail"), action=_("Envoyer"),
                                text=question.format(n=count, server=settings.server)):
            return
        self._send(plan, remembered_password(settings.account))

    def _send(self, plan: MailPlan, password: str | None) -> None:
        db, actor = self._context.db, self._context.actor
        self._set_busy(True)
        self.status.setText(_("Envoi en cours…"))
        self.operation = run_task(
            self,
            lambda progress: send_mail(db=db, actor=actor, plan=plan, password=password,
                                       progress=progress),
            on_success=self._sent,
            on_failure=lambda error: self._send_failed(plan, password, error),
            title=_("Envoi par e-mail"), label=_("Connexion au serveur…"))

    def _send_failed(self, plan: MailPlan, password: str | None, error: Exception) -> None:
        self.operation = None
        self._set_busy(False)
        if isinstance(error, PasswordNeeded | AuthenticationRefused):
            account = error.account if isinstance(error, PasswordNeeded) else None
            if account is None:
                settings = get_mail_settings(db=self._context.db, actor=self._context.actor)
                account = settings.account
                forget_remembered_password(account)
            typed = ask_password(self, account, retry=isinstance(error, AuthenticationRefused))
            if typed is None:
                self.status.setText(_("Envoi abandonné : rien n'est parti."))
                return
            remember_password(account, typed)
            self._send(plan, typed)
            return
        self._failed(error, _("Envoi annulé : rien n'est parti."))

    def _sent(self, report: SendReport) -> None:
        self.operation = None
        self._set_busy(False)
        self.report = report
        self.plan = None  # sent: a new preview tells what is left
        self.send_button.setEnabled(False)
        self._show_rows(PreviewRow(r.message, r.text) for r in report.results)
        # Each failure whole, with the server's reason: the table's cell may cut it.
        failures = [f"{r.message.name} <{r.message.recipient}> : {r.reason}"
                    for r in report.results if r.outcome is Outcome.FAILED]
        self.status.setText("\n".join([report.summary, *failures]))
        self.refresh_log()

    def _failed(self, error: Exception, cancelled: str) -> None:
        self.operation = None
        self._set_busy(False)
        if isinstance(error, Cancelled):
            self.status.setText(cancelled)
            return
        self.status.setText(messages.error_text(error))
        messages.show_failure(self, error)

    def _set_busy(self, busy: bool) -> None:
        for widget in (self.preview_button, self.kind_combo, self.cycle_combo,
                       self.settings_button):
            widget.setEnabled(not busy)
        if busy:
            self.send_button.setEnabled(False)

    # --- settings and the log ----------------------------------------------------------------

    def edit_settings(self) -> None:
        open_mail_settings(self, self._context)

    def _tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.log_table.parentWidget():
            self.refresh_log()

    def refresh_log(self) -> None:
        try:
            rows = mail_log(db=self._context.db, actor=self._context.actor)
        except ServiceError as error:
            self.log_count.setText(str(error))
            return
        self.log_model.set_rows(rows)
        failed = sum(1 for r in rows if r.status is MailStatus.FAILED)
        self.log_count.setText(", ".join((
            ngettext("{n} message envoyé", "{n} messages envoyés", len(rows) - failed).format(
                n=len(rows) - failed),
            ngettext("{n} en échec", "{n} en échec", failed).format(n=failed))))

    # --- closing -----------------------------------------------------------------------------

    def reject(self) -> None:
        if self.operation is not None:
            self.operation.cancel()  # closes once the work has stopped
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.operation is not None:
            self.operation.cancel()
            event.ignore()
            return
        super().closeEvent(event)

    def ask(self) -> SendReport | None:
        form.run_modal(self)
        return self.report


def show_send_mail(parent: QWidget | None, context: PageContext, *,
                   kind: MailKind = MailKind.PICKUP,
                   cycle_id: int | None = None) -> SendReport | None:
    """The dialog, for the Documents page's « Envoyer par e-mail… »."""
    dialog = SendMailDialog(parent, context, kind=kind, cycle_id=cycle_id)
    try:
        return dialog.ask()
    finally:
        dialog.deleteLater()

