"""Trésorerie › Chèques: the register, its slips, the cheques about to expire.

At the top, the cheques still in hand that expire within 30 days (a French
cheque is paid for a year and eight days after its date), and those that
have. Below, the register, filtered by state, month to cash in and payee,
searchable, each state in its colour. The actions follow the cheque's life:
« Nouveau chèque… » (received today, or only promised), « Reçu », « Modifier… »
while it is in hand; « Remettre en banque… » makes the deposit slip of the
selected cheques and « Remettre au producteur… » the hand-over of a month's
cheques, each printed to a PDF the user may open at once; « Encaissé »,
« Rejeté / rendu… » with the reason. Everything goes through
coopfood.services.cheques, the services of `python main.py cheque`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QUrl
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.money import ZERO
from coopfood.domain.treasury import CHEQUE_TRANSITIONS, ChequeStatus
from coopfood.i18n import N_, _
from coopfood.services import ServiceError
from coopfood.services import cheques as service
from coopfood.services.cheques import (
    CHEQUE_REMITTERS,
    EDITABLE_STATUSES,
    ChequeRow,
    ExpiryWarning,
    RemittanceDetail,
)
from coopfood.services.contracts import list_contracts
from coopfood.services.coop import get_coop
from ui.dialogs import messages
from ui.dialogs.cheque import (
    ContractChequesDialog,
    HandOverDialog,
    ReprintDialog,
    VoidDialog,
    ask_cheque,
)
from ui.display import counted, date_text, money_text
from ui.table_model import Align, Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import ColumnFitter, make_table_view, note_label
from ui.worker import Operation, run_task

Index = QModelIndex | QPersistentModelIndex

#: Soft backgrounds, readable in light and high-contrast themes: what is still to do in
#: yellow, what is at the bank or the producer's in blue, paid in green, unpaid in red.
STATUS_BACKGROUNDS: dict[ChequeStatus, QColor] = {
    ChequeStatus.RECEIVED: QColor(255, 244, 204),
    ChequeStatus.HANDED_OVER: QColor(223, 234, 250),
    ChequeStatus.DEPOSITED: QColor(223, 234, 250),
    ChequeStatus.CASHED: QColor(222, 241, 222),
    ChequeStatus.REJECTED: QColor(255, 222, 222),
}
STATUS_FOREGROUNDS: dict[ChequeStatus, QColor] = {
    ChequeStatus.PROMISED: QColor(100, 100, 100),
    ChequeStatus.REJECTED: QColor(130, 0, 0),
    ChequeStatus.RETURNED: QColor(110, 110, 110),
}
WARNING_STYLE = ("QLabel#chequeWarnings { background: #fff1e0; color: #5c2b00; "
                 "border: 1px solid #e0a060; border-radius: 3px; padding: 6px; }")
#: Expiry warnings listed in full; the others are counted.
WARNINGS_SHOWN = 6

#: The status filter: None is every cheque.
STATUS_FILTERS: tuple[tuple[str, frozenset[ChequeStatus] | None], ...] = (
    (N_("Tous les états"), None),
    (N_("À remettre (reçus)"), frozenset({ChequeStatus.RECEIVED})),
    (N_("En main (promis ou reçus)"), frozenset({ChequeStatus.PROMISED,
                                                  ChequeStatus.RECEIVED})),
)


def open_path(path: Path) -> None:
    """Open a file with the application the system gives it (a test replaces this)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def cheque_columns() -> list[Column[ChequeRow]]:
    return [
        Column(_("N° du chèque"), lambda r: r.number),
        Column(_("Foyer"), lambda r: r.member, elide=True,
               tooltip=lambda r: _("Tireur : {drawer}").format(drawer=r.drawer)
               if r.drawer and r.drawer != r.member else ""),
        Column(_("Montant"), lambda r: money_text(r.amount), sort_key=lambda r: r.amount,
               align=Align.RIGHT),
        Column(_("À l'ordre de"), lambda r: r.payee, elide=True,
               tooltip=lambda r: _("Contrat « {basket} »").format(basket=r.contract)
               if r.contract else ""),
        Column(_("À encaisser en"), lambda r: r.month_label,
               sort_key=lambda r: r.planned_month or ""),
        Column(_("État"), lambda r: r.status_label,
               tooltip=lambda r: (_("{status} le {date}").format(
                   status=r.status_label, date=date_text(r.status_date))
                   if r.status_date else "")),
        Column(_("Date du chèque"), lambda r: date_text(r.issue_date, style="short"),
               sort_key=lambda r: r.issue_date,
               tooltip=lambda r: (_("Se présente jusqu'au {date}").format(
                   date=date_text(r.expires_on)) if r.expires_on else "")),
        Column(_("Bordereau"), lambda r: r.remittance_number),
        Column(_("Banque"), lambda r: r.bank, elide=True),
        Column(_("Note"), lambda r: r.note, elide=True),
    ]


#: The column of the cheque's date, shown in bold orange when it is about to expire.
DATE_COLUMN = 6
EXPIRING_COLOUR = QColor(170, 70, 0)


class ChequeTableModel(RowTableModel[ChequeRow]):
    """The register's rows, each in the colour of its state; the date of a cheque about to
    expire in bold orange."""

    def __init__(self, columns: list[Column[ChequeRow]], parent: QWidget | None = None) -> None:
        super().__init__(columns, parent)
        self.expiring: set[int] = set()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.column() == DATE_COLUMN \
                and self.row(index.row()).id in self.expiring:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(EXPIRING_COLOUR)
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole,
                                        Qt.ItemDataRole.ForegroundRole):
            status = self.row(index.row()).status
            colours = (STATUS_BACKGROUNDS if role == Qt.ItemDataRole.BackgroundRole
                       else STATUS_FOREGROUNDS)
            colour = colours.get(status)
            return QBrush(colour) if colour is not None else None
        return super().data(index, role)


def warnings_text(warnings: list[ExpiryWarning]) -> str:
    head = counted("{n} chèque en main expire dans moins de 30 jours ou a expiré :",
                   "{n} chèques en main expirent dans moins de 30 jours ou ont expiré :",
                   len(warnings))
    lines = [_("• {warning}").format(warning=w.message) for w in warnings[:WARNINGS_SHOWN]]
    if len(warnings) > WARNINGS_SHOWN:
        lines.append(counted("… et {n} autre.", "… et {n} autres.",
                             len(warnings) - WARNINGS_SHOWN))
    return "\n".join([head, *lines])


class ChequesTab(QWidget):
    """« Chèques »."""

    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.operation: Operation | None = None
        self.last_remittance: RemittanceDetail | None = None
        self.last_slip: Path | None = None
        self.treasurer = context.actor.role in CHEQUE_REMITTERS
        self.coop_name = _("La coopérative")
        self.expiry: list[ExpiryWarning] = []
        self.setStyleSheet(WARNING_STYLE)

        self.note = note_label(_(
            "Le registre des chèques des foyers, promis ou reçus, jusqu'à la banque ou au "
            "producteur. Un chèque reçu compte comme règlement du foyer ; rejeté ou rendu, il "
            "ne compte plus. Sélectionnez plusieurs chèques (Ctrl ou Maj) pour les remettre "
            "ensemble."))
        self.warnings = QLabel()
        self.warnings.setObjectName("chequeWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        self.warnings.hide()

        self.new_button = QPushButton(_("Nouveau chèque…"))
        self.edit_button = QPushButton(_("Modifier…"))
        self.receive_button = QPushButton(_("Reçu"))
        self.receive_button.setToolTip(_("Le foyer a donné le chèque promis : son règlement "
                                         "est enregistré aujourd'hui."))
        self.contract_button = QPushButton(_("Chèques d'un contrat…"))
        self.cashed_button = QPushButton(_("Encaissé"))
        self.void_button = QPushButton(_("Rejeté / rendu…"))
        self.deposit_button = QPushButton(_("Remettre en banque…"))
        self.deposit_button.setToolTip(_("Fait le bordereau de remise des chèques reçus "
                                         "sélectionnés, à l'ordre de la coopérative."))
        self.handover_button = QPushButton(_("Remettre au producteur…"))
        self.handover_button.setToolTip(_("Remet à un producteur ses chèques reçus d'un mois, "
                                          "avec le bordereau qu'il signe."))
        self.reprint_button = QPushButton(_("Réimprimer un bordereau…"))
        for button, slot in ((self.new_button, self.new_cheque), (self.edit_button, self.edit),
                             (self.receive_button, self.receive),
                             (self.contract_button, self.contract_cheques),
                             (self.cashed_button, self.cashed), (self.void_button, self.void),
                             (self.deposit_button, self.deposit),
                             (self.handover_button, self.hand_over),
                             (self.reprint_button, self.reprint)):
            button.clicked.connect(slot)
        for button in (self.deposit_button, self.handover_button, self.reprint_button,
                       self.cashed_button, self.void_button):
            button.setVisible(self.treasurer)
        register_bar = QHBoxLayout()
        for button in (self.new_button, self.edit_button, self.receive_button,
                       self.contract_button, self.cashed_button, self.void_button):
            register_bar.addWidget(button)
        register_bar.addStretch(1)
        slips_bar = QHBoxLayout()
        for button in (self.deposit_button, self.handover_button, self.reprint_button):
            slips_bar.addWidget(button)
        slips_bar.addStretch(1)
        self.selection_label = QLabel()
        slips_bar.addWidget(self.selection_label)

        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName(_("État des chèques montrés"))
        for label, statuses in STATUS_FILTERS:
            self.status_filter.addItem(_(label), statuses)
        for status in ChequeStatus:
            self.status_filter.addItem(status.label, frozenset({status}))
        self.month_filter = QComboBox()
        self.month_filter.setAccessibleName(_("Mois d'encaissement des chèques montrés"))
        self.payee_filter = QComboBox()
        self.payee_filter.setAccessibleName(_("Bénéficiaire des chèques montrés"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(300)
        self.count_label = QLabel()
        filters = QHBoxLayout()
        filters.addWidget(QLabel(_("État :")))
        filters.addWidget(self.status_filter)
        filters.addWidget(QLabel(_("Mois :")))
        filters.addWidget(self.month_filter)
        filters.addWidget(QLabel(_("À l'ordre de :")))
        filters.addWidget(self.payee_filter)
        filters.addWidget(self.search)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        columns = cheque_columns()
        self.model = ChequeTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.table.setAccessibleName(_("Registre des chèques"))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.column_fitter = ColumnFitter(self.table, columns)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        self.table.activated.connect(lambda _index: self.edit())
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        for combo in (self.status_filter, self.month_filter, self.payee_filter):
            combo.currentIndexChanged.connect(lambda *_a: self.reload())
        self.search.textChanged.connect(self._on_search)

        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.warnings)
        layout.addLayout(register_bar)
        layout.addLayout(slips_bar)
        layout.addLayout(filters)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        self.refresh()

    # --- the register ------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the filters' choices, the warnings and the register (the tab is shown)."""
        db, actor = self._context.db, self._context.actor
        try:
            months = service.cheque_months(db=db, actor=actor)
            payees = service.payees(db=db, actor=actor)
            warnings = service.expiry_warnings(db=db, actor=actor, on=self._context.today())
        except ServiceError as error:
            self.status.setText(str(error))
            return
        self._refill(self.month_filter, [(_("Tous les mois"), None)]
                     + [(service.month_label(m), m) for m in months])
        coop = get_coop(db=db, actor=actor)
        self.coop_name = coop.name if coop is not None else _("La coopérative")
        self._refill(self.payee_filter, [(_("Tous"), None), (self.coop_name, 0)]
                     + [(name, pid) for pid, name in payees])
        if warnings:
            self.warnings.setText(warnings_text(warnings))
        self.warnings.setVisible(bool(warnings))
        self.expiry = warnings
        self.model.expiring = {w.cheque.id for w in warnings}
        self.reload()

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, Any]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, value in items:
            combo.addItem(text, value)
        index = combo.findData(current)
        combo.setCurrentIndex(index if index >= 0 else 0)
        combo.blockSignals(False)

    def reload(self, select_ids: set[int] | None = None) -> None:
        payee = self.payee_filter.currentData()
        try:
            rows = service.list_cheques(
                db=self._context.db, actor=self._context.actor,
                status=self.status_filter.currentData(), month=self.month_filter.currentData(),
                producer_id=payee if payee else None,
                made_out_to_coop=True if payee == 0 else None)
        except ServiceError as error:
            self.status.setText(str(error))
            rows = []
        self.model.set_rows(rows)
        self._show_count()
        if select_ids:
            selection = self.table.selectionModel()
            for number in range(self.proxy.rowCount()):
                if self.proxy.row_at(number).id in select_ids:
                    selection.select(self.proxy.index(number, 0),
                                     selection.SelectionFlag.Select
                                     | selection.SelectionFlag.Rows)
        self._update_actions()

    def _on_search(self, text: str) -> None:
        self.proxy.set_search(text)
        self._show_count()

    def _show_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = (counted("{n} chèque", "{n} chèques", total) if total
                else _("Aucun chèque"))
        if shown != total:
            text = _("{shown} sur {text}").format(shown=shown, text=text)
        self.count_label.setText(text)

    def visible_rows(self) -> list[ChequeRow]:
        return [self.proxy.row_at(i) for i in range(self.proxy.rowCount())]

    def selected_rows(self) -> list[ChequeRow]:
        rows = [self.proxy.row_at(index.row())
                for index in self.table.selectionModel().selectedRows()]
        return sorted((r for r in rows if isinstance(r, ChequeRow)), key=lambda r: r.id)

    def select_ids(self, ids: set[int]) -> None:
        self.table.clearSelection()
        self.reload(select_ids=ids)

    def _update_actions(self, *_args: object) -> None:
        rows = self.selected_rows()
        one = rows[0] if len(rows) == 1 else None
        self.edit_button.setEnabled(one is not None and one.status in EDITABLE_STATUSES)
        self.receive_button.setEnabled(bool(rows) and all(
            r.status is ChequeStatus.PROMISED for r in rows))
        self.deposit_button.setEnabled(bool(rows) and all(
            r.status is ChequeStatus.RECEIVED and r.made_out_to_coop for r in rows))
        self.cashed_button.setEnabled(bool(rows) and all(
            ChequeStatus.CASHED in CHEQUE_TRANSITIONS[r.status] for r in rows))
        self.void_button.setEnabled(one is not None and bool(
            CHEQUE_TRANSITIONS[one.status] & {ChequeStatus.REJECTED, ChequeStatus.RETURNED}))
        if rows:
            self.selection_label.setText(_("Sélection : {count}, {total}").format(
                count=counted("{n} chèque", "{n} chèques", len(rows)),
                total=money_text(sum((r.amount for r in rows), ZERO))))
        else:
            self.selection_label.setText("")

    # --- recording and moving on --------------------------------------------------------------

    def _run(self, work: Any, done: Any, title: str) -> None:
        self.operation = run_task(self, work, on_success=done, title=title, cancellable=False)

    def new_cheque(self) -> None:
        saved = ask_cheque(self, self._context, None, self.coop_name)
        if saved is not None:
            self._after_change({saved.id}, _("{cheque} de {who} enregistré : {amount}, "
                                             "{status}.").format(
                cheque=saved.name, who=saved.member or saved.drawer,
                amount=money_text(saved.amount), status=saved.status_label.lower()))

    def edit(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1 or rows[0].status not in EDITABLE_STATUSES:
            return
        saved = ask_cheque(self, self._context, rows[0], self.coop_name)
        if saved is not None:
            self._after_change({saved.id}, _("{cheque} corrigé.").format(cheque=saved.name))

    def receive(self) -> None:
        rows = [r for r in self.selected_rows() if r.status is ChequeStatus.PROMISED]
        if not rows:
            return
        db, actor, day = self._context.db, self._context.actor, self._context.today()
        ids = [r.id for r in rows]
        self._run(lambda _progress: [service.receive_cheque(db=db, actor=actor, cheque_id=i,
                                                            on=day) for i in ids],
                  lambda received: self._after_change(
                      set(ids), counted("{n} chèque reçu : le règlement du foyer est "
                                        "enregistré.",
                                        "{n} chèques reçus : les règlements des foyers sont "
                                        "enregistrés.", len(received))),
                  _("Chèques reçus"))

    def cashed(self) -> None:
        rows = [r for r in self.selected_rows()
                if ChequeStatus.CASHED in CHEQUE_TRANSITIONS[r.status]]
        if not rows:
            return
        db, actor, day = self._context.db, self._context.actor, self._context.today()
        ids = [r.id for r in rows]
        self._run(lambda _progress: [service.move_cheque(
            db=db, actor=actor, cheque_id=i, to=ChequeStatus.CASHED, on=day) for i in ids],
            lambda done: self._after_change(set(ids), counted(
                "{n} chèque encaissé.", "{n} chèques encaissés.", len(done))),
            _("Chèques encaissés"))

    def void(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            return
        row = rows[0]
        dialog = VoidDialog(self, row)
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        db, actor, day = self._context.db, self._context.actor, self._context.today()
        self._run(lambda _progress: service.move_cheque(
            db=db, actor=actor, cheque_id=row.id, to=answer.status, reason=answer.reason,
            on=day),
            lambda moved: self._after_change({moved.id}, _(
                "{cheque} de {who} : {status} ({reason}). S'il comptait comme règlement, il "
                "est annulé sur le compte du foyer.").format(
                cheque=moved.name, who=moved.member or moved.drawer,
                status=moved.status_label.lower(), reason=answer.reason)),
            _("Chèque rejeté ou rendu"))

    def contract_cheques(self) -> None:
        db, actor = self._context.db, self._context.actor
        try:
            contracts = list_contracts(db=db, actor=actor)
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        dialog = ContractChequesDialog(self, contracts=contracts, today=self._context.today())
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        self._run(lambda _progress: service.create_contract_cheques(
            db=db, actor=actor, contract_id=answer.contract_id, issue_date=answer.issue_date,
            bank=answer.bank, first_number=answer.first_number),
            lambda created: self._after_change({c.id for c in created}, counted(
                "{n} chèque promis créé pour ce contrat.",
                "{n} chèques promis créés pour ce contrat, un par mois d'encaissement.",
                len(created))),
            _("Chèques d'un contrat"))

    def _after_change(self, ids: set[int], message: str) -> None:
        self.refresh()
        self.select_ids(ids)
        self.status.setText(message)

    # --- slips ---------------------------------------------------------------------------------

    def deposit(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        total = sum((r.amount for r in rows), ZERO)
        if not messages.confirm(
                self, title=_("Remettre en banque"),
                text=_("Faire le bordereau de remise en banque de {count}, {total} au total ? "
                       "Il reçoit son numéro et ne se modifie plus : une erreur se corrige en "
                       "passant un chèque à « Rendu ».").format(
                    count=counted("{n} chèque", "{n} chèques", len(rows)),
                    total=money_text(total)),
                action=_("Faire le bordereau")):
            return
        db, actor, day = self._context.db, self._context.actor, self._context.today()
        ids = [r.id for r in rows]
        self._run(lambda _progress: service.deposit_cheques(db=db, actor=actor,
                                                            cheque_ids=ids, on=day),
                  self._remitted, _("Remise en banque"))

    def hand_over(self) -> None:
        db, actor = self._context.db, self._context.actor
        try:
            cheques = service.list_cheques(db=db, actor=actor, made_out_to_coop=False)
            producers = service.payees(db=db, actor=actor)
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        dialog = HandOverDialog(self, producers=producers, cheques=cheques,
                                today=self._context.today())
        answer = dialog.ask()
        dialog.deleteLater()
        if answer is None:
            return
        day = self._context.today()
        self._run(lambda _progress: service.hand_over_cheques(
            db=db, actor=actor, producer_id=answer.producer_id, month=answer.month, on=day),
            self._remitted, _("Remise au producteur"))

    def _remitted(self, detail: RemittanceDetail) -> None:
        self.last_remittance = detail
        text = detail.row.summary
        if detail.still_promised:
            text += " " + counted("{n} chèque de ce mois n'est encore que promis : il n'est "
                                  "pas remis.", "{n} chèques de ce mois ne sont encore que "
                                  "promis : ils ne sont pas remis.", len(detail.still_promised))
        self._after_change({c.id for c in detail.cheques}, text)
        self._print_slip(detail.row.id, detail.row.number, text)

    def reprint(self) -> None:
        try:
            remittances = service.list_remittances(db=self._context.db,
                                                   actor=self._context.actor)
        except ServiceError as error:
            messages.show_failure(self, error)
            return
        dialog = ReprintDialog(self, remittances)
        chosen = dialog.ask()
        dialog.deleteLater()
        if chosen is None:
            return
        number = next(r.number for r in remittances if r.id == chosen)
        self._print_slip(chosen, number, "")

    def _print_slip(self, remittance_id: int, number: str, done_text: str) -> None:
        """Ask where to write the slip's PDF, write it, offer to open it."""
        path = messages.choose_save_file(
            self, title=_("Enregistrer le bordereau {number}").format(number=number),
            suggested=f"{number}.pdf", filters=_("PDF (*.pdf)"))
        if path is None:
            if done_text:
                self.status.setText(done_text + " " + _(
                    "Le PDF n'est pas enregistré : « Réimprimer un bordereau… » le refait à "
                    "l'identique."))
            return
        db, actor = self._context.db, self._context.actor

        def written(result: Path) -> None:
            self.last_slip = result
            self.status.setText(" ".join(t for t in (done_text, _(
                "Bordereau {number} enregistré dans {file}.").format(
                number=number, file=result)) if t))
            if messages.confirm(self, title=_("Bordereau {number}").format(number=number),
                                text=_("Le bordereau est enregistré dans {file}. L'ouvrir "
                                       "pour l'imprimer ?").format(file=result),
                                action=_("Ouvrir")):
                open_path(result)

        self._run(lambda _progress: service.write_remittance_pdf(
            db=db, actor=actor, remittance_id=remittance_id, path=path),
            written, _("Bordereau"))
