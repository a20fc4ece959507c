"""« Correspondance de colonnes » : how to read the CSV statement of a bank coopfood does
not know, defined once from the file itself and saved under a name.

The dialog shows the first lines of the file as cells; the user says which
line is the header (guessed), which columns hold the date, the label, the
amount (signed, or a debit and a credit column), and how the bank writes
dates and decimals. The separator and the encoding change the preview at
once. « Enregistrer » saves the mapping (coopfood.services.bank.save_mapping),
which every later import tries before the banks' own layouts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QHBoxLayout,
    QHeaderView,
    QRadioButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from coopfood.banking import ColumnMapping
from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.services import Actor, ValidationError, bank
from coopfood.services.bank import CsvSample
from ui.dialogs.fields import ValueCombo, line_edit
from ui.dialogs.form import FormDialog, new_form
from ui.views.list_page import note_label

Index = QModelIndex | QPersistentModelIndex

#: Rows of the file shown.
PREVIEW_ROWS = 14


def _delimiters() -> list[tuple[str, str]]:
    return [(_("point-virgule ( ; )"), ";"), (_("virgule ( , )"), ","),
            (_("tabulation"), "\t"), (_("barre verticale ( | )"), "|")]


def _encodings() -> list[tuple[str, str]]:
    return [(_("Windows-1252 (Excel, la plupart des banques)"), "cp1252"),
            (_("UTF-8"), "utf-8"), (_("ISO-8859-15 (Latin-9)"), "iso-8859-15")]


def _date_formats() -> list[tuple[str, str]]:
    return [(_("30/11/2026"), "%d/%m/%Y"), (_("30/11/26"), "%d/%m/%y"),
            (_("2026-11-30"), "%Y-%m-%d"), (_("30.11.2026"), "%d.%m.%Y"),
            (_("30-11-2026"), "%d-%m-%Y")]


def _decimals() -> list[tuple[str, str]]:
    return [(_("virgule : 1 234,50"), ","), (_("point : 1,234.50"), ".")]


class PreviewModel(QAbstractTableModel):
    """The first rows of the file, as cells; the header row in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: tuple[tuple[str, ...], ...] = ()
        self.header_row: int | None = None
        self._width = 0

    def set_sample(self, rows: tuple[tuple[str, ...], ...], header_row: int | None) -> None:
        self.beginResetModel()
        self.rows = rows[:PREVIEW_ROWS]
        self.header_row = header_row
        self._width = max((len(row) for row in self.rows), default=0)
        self.endResetModel()

    def set_header_row(self, row: int | None) -> None:
        self.header_row = row
        if self.rows and self._width:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.rows) - 1, self._width - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._width

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return row[index.column()] if index.column() < len(row) else ""
        if role == Qt.ItemDataRole.FontRole and index.row() == self.header_row:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return _("Colonne {n}").format(n=section + 1)


class MappingDialog(FormDialog[ColumnMapping]):
    """Define, from the file, how to read a bank's CSV export; saved under its name."""

    def __init__(self, db: Database, actor: Actor, path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, title=_("Correspondance de colonnes"),
                         save=lambda mapping: bank.save_mapping(db=db, actor=actor,
                                                                mapping=mapping))
        self.resize(900, 760)
        self.path = path
        self.sample = CsvSample(rows=(), delimiter=";", encoding="cp1252", header_row=None)
        form = new_form()
        self.name = line_edit(placeholder=_("Par exemple : Société Générale"), max_length=60)
        self.add_field(form, "name", _("Nom de la banque :"), self.name,
                       hint=_("Le nom sous lequel la correspondance est enregistrée : les "
                              "prochains relevés de cette banque seront reconnus seuls."))
        self.delimiter: ValueCombo[str] = ValueCombo(_delimiters())
        self.add_field(form, "delimiter", _("Séparateur de colonnes :"), self.delimiter)
        self.encoding: ValueCombo[str] = ValueCombo(_encodings())
        self.add_field(form, "encoding", _("Encodage :"), self.encoding,
                       hint=_("Un fichier en UTF-8 est reconnu de lui-même ; sinon, celui-ci."))
        self.header = QSpinBox()
        self.header.setMinimum(1)
        self.header.setMaximum(PREVIEW_ROWS)
        self.add_field(form, "header", _("Ligne d'en-tête :"), self.header,
                       hint=_("La ligne qui nomme les colonnes (en gras dans l'aperçu)."))
        self.preview_model = PreviewModel(self)
        self.preview = QTableView()
        self.preview.setModel(self.preview_model)
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.preview.setAccessibleName(_("Aperçu du fichier"))
        self.preview.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Interactive)
        self.preview.setMinimumHeight(200)
        self.preview.verticalHeader().setDefaultSectionSize(
            self.preview.fontMetrics().height() + 8)
        self.body.addWidget(note_label(_(
            "coopfood ne reconnaît pas les colonnes de « {file} ». Dites-lui une fois "
            "comment lire les relevés de cette banque : la correspondance sera enregistrée "
            "sous son nom.").format(file=path.name)))
        self.body.addLayout(form)
        self.body.addWidget(self.preview, 1)
        form = new_form()

        self.date_column: ValueCombo[str] = ValueCombo()
        self.add_field(form, "date_column", _("Date de l'opération :"), self.date_column)
        self.date_format: ValueCombo[str] = ValueCombo(_date_formats())
        self.add_field(form, "date_format", _("Les dates s'écrivent :"), self.date_format)
        self.label_column: ValueCombo[str] = ValueCombo()
        self.label_more: ValueCombo[str] = ValueCombo()
        labels = QWidget()
        row = QHBoxLayout(labels)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label_column, 1)
        row.addWidget(self.label_more, 1)
        self.add_field(form, "label_columns", _("Libellé (et sa suite) :"), labels,
                       target=self.label_column)
        self.signed = QRadioButton(_("un montant signé (négatif au débit)"))
        self.split = QRadioButton(_("une colonne de débit et une de crédit"))
        self.signed.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.signed)
        group.addButton(self.split)
        kinds = QWidget()
        row = QHBoxLayout(kinds)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.signed)
        row.addWidget(self.split)
        row.addStretch(1)
        self.add_field(form, "amount_kind", _("Les montants :"), kinds, target=self.signed)
        self.amount_column: ValueCombo[str] = ValueCombo()
        self.add_field(form, "amount_column", _("Montant :"), self.amount_column)
        self.debit_column: ValueCombo[str] = ValueCombo()
        self.add_field(form, "debit_column", _("Débit :"), self.debit_column)
        self.credit_column: ValueCombo[str] = ValueCombo()
        self.add_field(form, "credit_column", _("Crédit :"), self.credit_column)
        self.decimal: ValueCombo[str] = ValueCombo(_decimals())
        self.add_field(form, "decimal_separator", _("Séparateur décimal :"), self.decimal)
        self.body.addLayout(form)
        self.field_aliases.update({"currency": "name", "version": "name"})

        self.delimiter.currentIndexChanged.connect(lambda *_a: self.reload())
        self.encoding.currentIndexChanged.connect(lambda *_a: self.reload())
        self.header.valueChanged.connect(lambda *_a: self._header_changed())
        self.signed.toggled.connect(lambda *_a: self._amount_kind_changed())
        self.reload(first=True)
        self._amount_kind_changed()

    # --- the file ------------------------------------------------------------------------

    def reload(self, *, first: bool = False) -> None:
        """Read the file's first lines again (separator or encoding changed)."""
        self.sample = bank.sniff_csv(self.path, delimiter=None if first else
                                     self.delimiter.value(),
                                     encoding=self.encoding.value() or "cp1252")
        if first:
            self.delimiter.blockSignals(True)
            self.delimiter.set_value(self.sample.delimiter)
            self.delimiter.blockSignals(False)
        self.preview_model.set_sample(self.sample.rows, self.sample.header_row)
        self.header.blockSignals(True)
        self.header.setMaximum(max(1, min(PREVIEW_ROWS, len(self.sample.rows))))
        if self.sample.header_row is not None:
            self.header.setValue(self.sample.header_row + 1)
        self.header.blockSignals(False)
        self._header_changed()
        self.preview.resizeColumnsToContents()

    def header_cells(self) -> list[str]:
        """The header line's names, each once, in the file's order."""
        index = self.header.value() - 1
        if not 0 <= index < len(self.sample.rows):
            return []
        cells: list[str] = []
        for cell in self.sample.rows[index]:
            if cell and cell not in cells:
                cells.append(cell)
        return cells

    def _header_changed(self) -> None:
        self.preview_model.set_header_row(self.header.value() - 1)
        cells = self.header_cells()
        items = [(cell, cell) for cell in cells]

        def guess(*words: str, avoid: tuple[str, ...] = ()) -> str | None:
            for cell in cells:
                folded = cell.casefold()
                if any(w in folded for w in words) and not any(a in folded for a in avoid):
                    return cell
            return None

        self.date_column.set_items(items, current=guess("date", "jour", avoid=("valeur",)))
        self.label_column.set_items(items, current=guess("libell", "opération", "operation",
                                                         "descr"))
        self.label_more.set_items([(_("(pas de suite)"), ""), *items], current="")
        self.amount_column.set_items(items, current=guess("montant", "somme", "amount"))
        self.debit_column.set_items(items, current=guess("débit", "debit"))
        self.credit_column.set_items(items, current=guess("crédit", "credit"))
        if guess("débit", "debit") and guess("crédit", "credit"):
            self.split.setChecked(True)

    def _amount_kind_changed(self) -> None:
        signed = self.signed.isChecked()
        self.amount_column.setEnabled(signed)
        self.debit_column.setEnabled(not signed)
        self.credit_column.setEnabled(not signed)

    # --- the mapping ---------------------------------------------------------------------

    def collect(self) -> ColumnMapping:
        cells = self.header_cells()
        if len(cells) < 2:
            raise ValidationError(_("Choisissez la ligne qui nomme les colonnes (au moins "
                                    "deux colonnes nommées)."), field="header")
        labels = tuple(c for c in (self.label_column.value(), self.label_more.value()) if c)
        signed = self.signed.isChecked()
        return ColumnMapping(
            name=self.name.text().strip(), header=tuple(cells),
            date_column=self.date_column.value() or "", label_columns=labels,
            amount_column=self.amount_column.value() if signed else None,
            debit_column=None if signed else self.debit_column.value(),
            credit_column=None if signed else self.credit_column.value(),
            date_format=self.date_format.value() or "%d/%m/%Y",
            decimal_separator=self.decimal.value() or ",",
            encoding=self.encoding.value() or "cp1252",
            delimiter=self.delimiter.value() or ";")


def ask_mapping(db: Database, actor: Actor, path: Path,
                parent: QWidget | None = None) -> ColumnMapping | None:
    """The mapping the user defined and saved for this file, or None if they gave up."""
    return MappingDialog(db, actor, path, parent).ask()
