"""« Fichier → Sauvegarder… » and « Fichier → Restaurer une sauvegarde… ».

Both run through the worker (the copy of a large base takes seconds) with the
same services as `python main.py backup|restore`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from PySide6.QtWidgets import QWidget

from coopfood.i18n import _, format_number
from coopfood.persistence.db import Database
from coopfood.services import Actor, ProgressCallback, ServiceError
from coopfood.services.backup import (
    MAX_KEEP,
    BackupInfo,
    backup,
    backups_dir,
    inspect_backup,
    keep_count,
    restore,
    set_keep_count,
)
from ui.dialogs import messages
from ui.worker import run_task

BACKUP_FILTERS = "Sauvegarde coopfood (*.sqlite *.dump);;Tous les fichiers (*)"


def _size_text(info: BackupInfo) -> str:
    return _("{size} Mo").format(
        size=format_number(Decimal(info.size) / (1024 * 1024), decimals=1))


def save_backup(parent: QWidget, *, db: Database, actor: Actor) -> None:
    """Ask where, then copy the open database there (consistent even while in use)."""
    suffix = "sqlite" if db.is_sqlite else "dump"
    suggested = f"coopfood-{dt.date.today().isoformat()}.{suffix}"
    target = messages.choose_save_file(parent, title=_("Sauvegarder la base"),
                                       suggested=suggested, filters=BACKUP_FILTERS)
    if target is None:
        return

    def work(progress: ProgressCallback) -> BackupInfo:
        return backup(db=db, actor=actor, target=target, progress=progress)

    run_task(parent, work, title=_("Sauvegarde"), label=_("Copie de la base…"),
             on_success=lambda info: messages.show_info(
                 parent, _("Sauvegarde écrite : {path} ({size}).").format(
                     path=info.path, size=_size_text(info)), title=_("Sauvegarde")))


def restore_backup(parent: QWidget, *, db: Database, actor: Actor,
                   on_restored: Callable[[], None]) -> None:
    """Ask for a backup, say what it holds, confirm, then replace the database by it."""
    source = messages.choose_open_file(parent, title=_("Restaurer une sauvegarde"),
                                       filters=BACKUP_FILTERS)
    if source is None:
        return
    try:
        info = inspect_backup(source)
    except ServiceError as error:
        messages.show_error(parent, str(error))
        return
    what = (_("la coopérative « {coop} »").format(coop=info.coop_name) if info.coop_name
            else _("une base coopfood"))
    if not messages.confirm(
        parent, title=_("Restaurer une sauvegarde"), action=_("Restaurer"),
        text=_("Remplacer toutes les données actuelles par la sauvegarde « {name} » "
               "({what}, {size}) ?\n\nUne copie de la base actuelle est gardée dans "
               "{folder}.").format(name=info.path.name, what=what, size=_size_text(info),
                                   folder=backups_dir())):
        return

    def work(progress: ProgressCallback) -> BackupInfo:
        return restore(db=db, actor=actor, source=info.path, progress=progress)

    def done(_info: BackupInfo) -> None:
        on_restored()
        messages.show_info(parent, _("La sauvegarde « {name} » a été restaurée.").format(
            name=info.path.name), title=_("Restauration"))

    run_task(parent, work, title=_("Restauration"), label=_("Restauration de la base…"),
             on_success=done, cancellable=False)


def set_daily_copies(parent: QWidget, *, db: Database, actor: Actor) -> None:
    """« Fichier → Sauvegardes automatiques… »: how many daily copies are kept."""
    count = messages.ask_number(
        parent, title=_("Sauvegardes automatiques"),
        label=_("coopfood copie la base chaque jour d'utilisation dans\n{folder}\n\n"
                "Nombre de copies quotidiennes à garder :").format(folder=backups_dir()),
        value=keep_count(db=db), minimum=1, maximum=MAX_KEEP)
    if count is None:
        return
    try:
        set_keep_count(db=db, actor=actor, count=count)
    except ServiceError as error:
        messages.show_error(parent, str(error))
