"""Journal des modifications: who changed what, when, before and after, searchable.

The filters (period, who, kind of record, household, words) go to
`coopfood.services.audit.search` on « Rechercher »; the newest entries come
first, `SHOWN` at most. The entry chosen shows its values before and after
below the list. « Exporter… » writes every entry the filters find (not only
those shown) to CSV or XLSX. A coordinator sees the entries of its own points
only: the service filters them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from coopfood.domain.enums import CycleState
from coopfood.domain.treasury import PaymentMeans
from coopfood.i18n import N_, _, format_date, format_datetime, format_number, sort_key
from coopfood.services import Role, ServiceError, audit
from coopfood.services.audit import ENTITY_LABELS, AuditRow
from coopfood.services.lists import list_members
from coopfood.services.members import AUDITED_FIELDS
from coopfood.services.users import Mode
from ui.dialogs import messages
from ui.dialogs.fields import OptionalDateEdit, SearchCombo, ValueCombo, line_edit
from ui.display import counted, for_screen
from ui.table_model import Column, RowTableModel, SearchProxyModel
from ui.views.context import PageContext
from ui.views.list_page import (
    EXPORT_FILTERS,
    ColumnFitter,
    make_table_view,
    note_label,
    title_label,
)
from ui.worker import run_task

#: The most entries the list shows; an export takes them all.
SHOWN = 1000

#: What was done, in French (an action the list does not know reads as stored).
ACTION_LABELS: dict[str, str] = {
    "create": N_("Création"), "update": N_("Modification"), "delete": N_("Suppression"),
    "archive": N_("Archivage"), "unarchive": N_("Désarchivage"),
    "anonymise": N_("Anonymisation"), "export": N_("Export des données"),
    "deliver": N_("Quantité livrée"), "absent": N_("Absence"), "present": N_("Présence"),
    "reopen": N_("Réouverture"), "close": N_("Clôture"), "invoiced": N_("Facturation"),
    "refund": N_("Remboursement"), "payout": N_("Paiement producteur"),
    "reverse": N_("Annulation"), "password": N_("Mot de passe"), "mode": N_("Mode"),
    "activate": N_("Réactivation"), "deactivate": N_("Désactivation"),
    "adjust": N_("Correction"), "allocate": N_("Répartition"),
    "auto_match": N_("Rapprochement automatique"), "match": N_("Rapprochement"),
    "confirm": N_("Confirmation"), "undo": N_("Retour en arrière"),
    "ignore": N_("Mise de côté"), "unignore": N_("Reprise"), "import": N_("Import"),
    "cancel": N_("Annulation"), "issue": N_("Émission"), "credit_note": N_("Avoir"),
    "status": N_("Changement d'état"), "plan": N_("Prévision"),
    "sign_up": N_("Inscription"), "withdraw": N_("Désinscription"),
    "draft": N_("Brouillon"), "open": N_("Ouverture"), "closed": N_("Clôture"),
    "distributed": N_("Distribution"), "receive": N_("Réception"),
    "float": N_("Fond de caisse"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return _(label) if label is not None else action


def audit_columns() -> list[Column[AuditRow]]:
    return [
        Column(_("Date et heure"), lambda r: for_screen(format_datetime(r.at)),
               sort_key=lambda r: r.at),
        Column(_("Qui"), lambda r: r.actor_name, elide=True),
        Column(_("Type"), lambda r: r.entity_label),
        Column(_("Action"), lambda r: action_label(r.action)),
        Column(_("Résumé"), lambda r: r.summary, elide=True),
    ]


#: The values the trail keeps, named in French (a household's fields come from `members`).
KEY_LABELS: dict[str, str] = {
    "amount": N_("montant"), "means": N_("moyen de paiement"), "date": N_("date"),
    "reference": N_("référence"), "quantity_delivered": N_("quantité livrée"),
    "absent": N_("absent"), "archived": N_("archivé"), "active": N_("actif"),
    "mode": N_("mode"), "role": N_("rôle"), "login": N_("identifiant"),
    "display_name": N_("nom affiché"), "point_ids": N_("points"),
    "producer_id": N_("producteur"), "paid_on": N_("payée le"), "state": N_("état"),
    "status": N_("état"), "reason": N_("motif"), "total": N_("total"),
    "label": N_("libellé"), "number": N_("numéro"),
}
#: Stored codes shown by their French label.
_CODES: dict[str, Callable[[str], str]] = {
    "means": lambda code: PaymentMeans(code).label,
    "role": lambda code: Role(code).label,
    "mode": lambda code: Mode(code).label,
    "state": lambda code: CycleState(code).label,
}


def key_label(key: str) -> str:
    name = AUDITED_FIELDS.get(key) or KEY_LABELS.get(key)
    return _(name) if name is not None else key


def value_text(key: str, value: Any) -> str:
    """A value of the trail as a user reads it: « Espèces », « 25,00 », « 26/11/2026 »."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and key in _CODES:
        try:
            return _CODES[key](value)
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_date(dt.date.fromisoformat(value), style="short")
    if isinstance(value, str) and _DECIMAL.fullmatch(value):
        # As many decimals as stored: 25,00 (an amount), 1,235 (a weight).
        return for_screen(format_number(Decimal(value), decimals=len(value.partition(".")[2])))
    return str(value)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?\d+\.\d+")


def change_lines(row: AuditRow) -> list[str]:
    """« téléphone : 06 11 22 33 44 → 06 99 88 77 66 », one line per value changed."""
    before: Mapping[str, Any] = row.before or {}
    after: Mapping[str, Any] = row.after or {}
    lines = []
    for key in list(before) + [k for k in after if k not in before]:
        label = key_label(key)
        if key in before and key in after:
            lines.append(f"{label} : {value_text(key, before[key])} → "
                         f"{value_text(key, after[key])}")
        elif key in after:
            lines.append(f"{label} : {value_text(key, after[key])}")
        else:
            lines.append(_("{label} (avant) : {value}").format(
                label=label, value=value_text(key, before[key])))
    return lines


def details_text(row: AuditRow) -> str:
    head = _("{when} — {who} — {kind} n° {id}").format(
        when=for_screen(format_datetime(row.at)), who=row.actor_name, kind=row.entity_label,
        id=row.entity_id if row.entity_id is not None else "—")
    return "\n".join([head, row.summary, "", *change_lines(row)]).rstrip()


class AuditPage(QWidget):
    def __init__(self, context: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._busy = False
        today = context.today()

        self.date_from = OptionalDateEdit(None, none_text=_("le début"),
                                          default=today - dt.timedelta(days=30),
                                          clear_text=_("Effacer"))
        self.date_to = OptionalDateEdit(None, none_text=_("aujourd'hui"), default=today,
                                        clear_text=_("Effacer"))
        self.who = line_edit(placeholder=_("une partie du nom"))
        self.who.setAccessibleName(_("Qui"))
        kinds = sorted(((_(label), entity) for entity, label in ENTITY_LABELS.items()),
                       key=lambda item: sort_key(item[0]))
        self.kind: ValueCombo[str | None] = ValueCombo([(_("Tous"), None), *kinds])
        self.kind.setAccessibleName(_("Type"))
        self.household: SearchCombo[int | None] = SearchCombo(self._households())
        self.household.setAccessibleName(_("Foyer"))
        self.text = line_edit(placeholder=_("des mots du résumé"))
        self.text.setAccessibleName(_("Mots"))
        self.search_button = QPushButton(_("Rechercher"))
        self.search_button.setDefault(True)
        self.export_button = QPushButton(_("Exporter…"))
        self.export_button.setToolTip(_("Enregistrer toutes les modifications trouvées en "
                                        "CSV ou Excel"))

        filters = QGridLayout()
        filters.addWidget(QLabel(_("Du")), 0, 0)
        period = QHBoxLayout()
        period.addWidget(self.date_from)
        period.addWidget(QLabel(_("au")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        filters.addLayout(period, 0, 1)
        filters.addWidget(QLabel(_("Qui")), 0, 2)
        filters.addWidget(self.who, 0, 3)
        filters.addWidget(QLabel(_("Type")), 1, 0)
        filters.addWidget(self.kind, 1, 1)
        filters.addWidget(QLabel(_("Foyer")), 1, 2)
        filters.addWidget(self.household, 1, 3)
        filters.addWidget(QLabel(_("Mots")), 2, 0)
        filters.addWidget(self.text, 2, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.export_button)
        filters.addLayout(buttons, 2, 2, 1, 2)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)

        self.count_label = QLabel()
        self.error_label = QLabel()
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.hide()
        columns = audit_columns()
        self.model: RowTableModel[AuditRow] = RowTableModel(columns, self)
        self.proxy = SearchProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = make_table_view(self.proxy, self)
        self.table.setAccessibleName(_("Modifications"))
        self.column_fitter = ColumnFitter(self.table, columns)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Avant et après"))
        self.details.setPlaceholderText(_("Choisissez une modification pour voir ses valeurs "
                                          "avant et après."))
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(title_label(_("Historique des modifications")))
        layout.addWidget(note_label(_(
            "Qui a changé quoi et quand, avec les valeurs avant et après : données des foyers, "
            "commandes après clôture et livraisons, règlements, factures, utilisateurs. "
            "Rien ne s'y efface.")))
        layout.addLayout(filters)
        bar = QHBoxLayout()
        bar.addWidget(self.error_label, 1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)

        self.search_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export_rows)
        for edit in (self.who, self.text):
            edit.returnPressed.connect(self.reload)
        self.table.selectionModel().currentRowChanged.connect(self._show_details)
        self.reload()

    def _households(self) -> list[tuple[str, int | None]]:
        try:
            rows = list_members(db=self._context.db, actor=self._context.actor,
                                include_archived=True)
        except ServiceError:
            rows = []
        return [(_("Tous les foyers"), None), *((row.name, row.id) for row in rows)]

    def filters(self) -> dict[str, Any]:
        """What the search asks the service for, from the fields."""
        return {"date_from": self.date_from.date(), "date_to": self.date_to.date(),
                "who": self.who.text().strip() or None, "entity": self.kind.value(),
                "member_id": self.household.value(),
                "text": self.text.text().strip() or None}

    def reload(self) -> None:
        try:
            rows = audit.search(db=self._context.db, actor=self._context.actor, limit=SHOWN,
                                **self.filters())
        except ServiceError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            rows = []
        else:
            self.error_label.hide()
        self.model.set_rows(rows)
        self.details.clear()
        text = counted("{n} modification", "{n} modifications", len(rows))
        if len(rows) >= SHOWN:
            text = _("les {text} les plus récentes").format(text=text)
        self.count_label.setText(text)

    def visible_rows(self) -> list[AuditRow]:
        return [self.proxy.row_at(i) for i in range(self.proxy.rowCount())]

    def _show_details(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            return
        self.details.setPlainText(details_text(self.proxy.row_at(current.row())))

    def export_rows(self) -> None:
        if self._busy:
            return
        title = _("Exporter le journal des modifications")
        suggested = f"{_('journal-des-modifications')}-{self._context.today():%Y-%m-%d}.xlsx"
        path = messages.choose_save_file(self, title=title, suggested=suggested,
                                         filters=_(EXPORT_FILTERS))
        if path is None:
            return
        filters = self.filters()
        context = self._context
        self._set_busy(True)

        def done(written: int) -> None:
            self._set_busy(False)
            messages.show_info(self, _("{rows} dans « {file} ».").format(
                rows=counted("{n} modification exportée", "{n} modifications exportées",
                             written), file=Path(path).name), title=title)

        def failed(error: Exception) -> None:
            self._set_busy(False)
            messages.show_failure(self, error)

        run_task(self, lambda _progress: audit.export_trail(
            db=context.db, actor=context.actor, path=path, **filters),
            on_success=done, on_failure=failed, title=title, label=_("Export en cours…"),
            cancellable=False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.export_button.setEnabled(not busy)
        self.search_button.setEnabled(not busy)


def build_audit_page(context: PageContext) -> QWidget:
    return AuditPage(context)
