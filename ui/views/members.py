"""Adhérents: the households, from `list_members`."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from coopfood.i18n import _
from coopfood.services import privacy
from coopfood.services.access import ERASERS
from coopfood.services.lists import MemberRow, list_members
from coopfood.services.members import archive_member, delete_member
from ui.dialogs import messages
from ui.dialogs.member import ask_member
from ui.display import MISSING, counted
from ui.table_model import Column
from ui.views.context import PageContext
from ui.views.list_page import ListActions, ListPage, RowAction, data_changed, saved_id
from ui.worker import run_task


def count_members(n: int) -> str:
    return counted("{n} adhérent", "{n} adhérents", n)


def fee_years_text(row: MemberRow) -> str:
    return ", ".join(str(year) for year in row.fee_years) or MISSING


def _last_fee_year(row: MemberRow) -> int | None:
    return row.fee_years[-1] if row.fee_years else None


def member_columns() -> list[Column[MemberRow]]:
    return [
        Column(_("Nom"), lambda r: r.name),
        Column(_("Co-adhérent"), lambda r: r.co_member_name, elide=True),
        Column(_("Point"), lambda r: r.point, elide=True),
        Column(_("E-mail"), lambda r: r.email or "", elide=True),
        Column(_("Téléphone"), lambda r: r.phone),
        Column(_("Ville"), lambda r: r.city, elide=True),
        Column(_("Référence"), lambda r: r.payment_reference,
               header_tooltip=_("Référence de paiement, à rappeler sur les virements")),
        Column(_("Cotisations"), fee_years_text, sort_key=_last_fee_year,
               header_tooltip=_("Années de cotisation payées")),
    ]


def choose_export_folder(parent: QWidget) -> Path | None:
    """The folder a household's data is written to (a test stands in for the user here)."""
    folder = QFileDialog.getExistingDirectory(parent, _("Enregistrer les données du foyer "
                                                        "dans…"))
    return Path(folder) if folder else None


def export_household_data(context: PageContext, parent: QWidget, row: MemberRow) -> bool:
    """« Exporter ses données… »: everything held on the household, JSON and CSV (RGPD)."""
    folder = choose_export_folder(parent)
    if folder is None:
        return False
    title = _("Données de {name}").format(name=row.name)
    run_task(parent, lambda _progress: privacy.export_household(
        db=context.db, actor=context.actor, member_id=row.id, out_dir=folder),
        on_success=lambda done: messages.show_info(parent, _(
            "Tout ce que la base contient sur ce foyer est dans « {json} » et, en tableaux "
            "CSV, dans « {zip} » (dossier {folder}).").format(
                json=done.json_path.name, zip=done.csv_zip_path.name, folder=folder),
            title=title),
        title=title, label=_("Export en cours…"), cancellable=False)
    return False


def anonymise_household(context: PageContext, parent: QWidget, row: MemberRow) -> bool:
    """« Anonymiser… »: erase the household's personal data, after a warning."""
    if not messages.confirm(parent, title=_("Anonymiser un foyer"), action=_("Anonymiser"),
                            text=_(
            "Effacer les données personnelles de {name} (nom, prénom, second adulte, e-mail, "
            "téléphone, adresse) ? Cela ne peut pas être annulé. Ses commandes, ses écritures "
            "et ses factures restent, sous le nom « Foyer anonymisé n° {id} » ; exportez "
            "d'abord ses données s'il les demande.").format(name=row.name, id=row.id)):
        return False

    def done(_result: object) -> None:
        data_changed()
        if isinstance(parent, ListPage):
            parent.reload()

    run_task(parent, lambda _progress: privacy.anonymise_household(
        db=context.db, actor=context.actor, member_id=row.id), on_success=done,
        title=_("Anonymiser un foyer"), label=_("Anonymisation…"), cancellable=False)
    return False


def member_actions(context: PageContext) -> ListActions[MemberRow]:
    db, actor = context.db, context.actor
    extra: list[RowAction[MemberRow]] = [
        RowAction(_("Exporter ses données…"),
                  lambda parent, row: export_household_data(context, parent, row),
                  on_archived=True)]
    if actor.role in ERASERS:
        extra.append(RowAction(_("Anonymiser…"),
                               lambda parent, row: anonymise_household(context, parent, row),
                               on_archived=True))
    return ListActions(
        extra=extra,
        new=lambda parent: saved_id(ask_member(parent, context)),
        edit=lambda parent, row: saved_id(ask_member(parent, context, row.id)),
        archive=lambda row, archived: archive_member(db=db, actor=actor, member_id=row.id,
                                                     archived=archived),
        delete=lambda row: delete_member(db=db, actor=actor, member_id=row.id),
        describe=lambda row: row.name,
        is_archived=lambda row: row.archived,
        load_all=lambda: list_members(db=db, actor=actor, include_archived=True),
        import_kind="members",
        export_kind="members",
    )


def build_members_page(context: PageContext) -> QWidget:
    return ListPage(
        title=_("Adhérents"),
        sort_column=0,
        columns=member_columns(),
        load=lambda: list_members(db=context.db, actor=context.actor),
        count=count_members,
        actions=member_actions(context),
        context=context,
    )
