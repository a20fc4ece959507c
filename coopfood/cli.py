"""The command line: the same services as the window, a one-line French message on error.

`python main.py [--db URL]` with no command opens the window (see main.py);
every command below works without Qt.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import enum
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from coopfood.i18n import _, ngettext
from coopfood.persistence.db import Database, data_dir, default_database_path, default_url
from coopfood.persistence.migrations import SchemaError, open_database
from coopfood.services import LOCAL_ADMIN, Actor, ServiceError

if TYPE_CHECKING:
    from coopfood.imports import ImportReport

log = logging.getLogger(__name__)

LIST_KINDS = ("producers", "products", "members", "points", "cycles", "invoices")
#: `cycle ACTION ID`: the state each action moves a distribution to.
CYCLE_ACTIONS = ("open", "close", "distribute", "reopen")
#: `print KIND`: the distribution-day documents (coopfood.services.printing.DocumentKind).
PRINT_KINDS = ("sheets", "pickup", "grid", "labels")
#: The lists that can be imported from and exported to a spreadsheet.
FILE_KINDS = ("producers", "products", "members")
#: What can be imported: the lists, and the orders of a distribution (with --cycle).
IMPORT_KINDS = (*FILE_KINDS, "orders")
#: What can be exported: the lists, and a household's or a point's calendar (.ics).
EXPORT_KINDS = (*FILE_KINDS, "calendar")
#: `report KIND`: the co-op's reports (value: the open sharing of what members paid).
REPORT_KINDS = ("value",)


class CliError(Exception):
    """A failure reported as one French line and a non-zero exit status."""


class FrenchArgumentParser(argparse.ArgumentParser):
    """argparse speaks English; the users of coopfood read French."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        kwargs.setdefault("formatter_class", _FrenchHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = _("arguments")
        self._optionals.title = _("options")
        self.add_argument(
            "-h",
            "--help",
            action="help",
            default=argparse.SUPPRESS,
            help=_("afficher cette aide et quitter"),
        )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(
            2,
            _("{prog} : erreur : {message}\n").format(
                prog=self.prog, message=_translate_argparse(message)
            ),
        )


class _FrenchHelpFormatter(argparse.HelpFormatter):
    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        super().add_usage(
            usage, actions, groups, prefix=prefix if prefix is not None else _("utilisation : ")
        )


_ARGPARSE_MESSAGES = (
    ("the following arguments are required: ", "arguments obligatoires manquants : "),
    ("argument ", "argument "),
    ("invalid choice: ", "choix invalide : "),
    ("choose from ", "choisissez parmi "),
    ("unrecognized arguments: ", "arguments inconnus : "),
    ("expected one argument", "une valeur est attendue"),
    ("invalid int value: ", "nombre entier invalide : "),
)


def _translate_argparse(message: str) -> str:
    for english, french in _ARGPARSE_MESSAGES:
        message = message.replace(english, _(french))
    return message


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("« {text} » n'est pas une date AAAA-MM-JJ").format(text=text)
        ) from None


def build_parser() -> FrenchArgumentParser:
    parser = FrenchArgumentParser(
        prog="coopfood",
        description=_(
            "Gestion d'une coopérative alimentaire en circuit court. "
            "Sans commande : ouvre la fenêtre."
        ),
    )
    parser.add_argument(
        "--db",
        metavar="URL",
        help=_(
            "base de données à ouvrir (URL SQLAlchemy, par exemple sqlite:///chemin.sqlite "
            "ou postgresql+psycopg://utilisateur@hôte/base) ; par défaut {path}"
        ).format(path=default_database_path()),
    )
    commands = parser.add_subparsers(
        dest="command",
        title=_("commandes"),
        metavar=_("COMMANDE"),
        parser_class=FrenchArgumentParser,
    )

    demo = commands.add_parser(
        "demo",
        help=_("installer une coopérative de démonstration"),
        description=_("Remplit une base vide avec une coopérative de démonstration réaliste."),
    )
    demo.add_argument(
        "--size",
        choices=("small", "large"),
        default="small",
        help=_(
            "small : 3 points, 150 foyers ; large : 10 points, 2 000 foyers, "
            "52 semaines d'historique (par défaut : small)"
        ),
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        help=_("graine du tirage aléatoire : même graine, même démo (par défaut : 1)"),
    )
    demo.add_argument(
        "--as-of",
        type=_iso_date,
        metavar=_("AAAA-MM-JJ"),
        help=_("date du jour de la démo (par défaut : aujourd'hui)"),
    )

    listing = commands.add_parser(
        "list",
        help=_("lister des enregistrements"),
        description=_("Affiche un enregistrement par ligne, ou un tableau JSON avec --json."),
    )
    listing.add_argument(
        "kind",
        choices=LIST_KINDS,
        metavar=_("TYPE"),
        help=_("producers, products, members, points, cycles ou invoices"),
    )
    listing.add_argument("--json", action="store_true", help=_("sortie JSON pour les scripts"))

    importing = commands.add_parser(
        "import",
        help=_("importer une liste depuis un fichier CSV ou XLSX"),
        description=_(
            "Importe des producteurs, des produits ou des adhérents depuis un fichier CSV "
            "(séparateur ; , ou tabulation, UTF-8 ou Windows-1252) ou XLSX. Chaque ligne est "
            "vérifiée ; si une seule est rejetée, rien n'est enregistré (sauf avec "
            "--keep-valid). Réimporter le même fichier ne change rien. Code de sortie 0 si "
            "tout a été importé. Les commandes (orders) d'une distribution ouverte, --cycle ID, "
            "se lisent d'un tableau à une ligne par foyer et une colonne par produit (un export "
            "de formulaire, par exemple) ou à une ligne par produit commandé (colonnes foyer, "
            "produit, quantité)."
        ),
    )
    importing.add_argument(
        "kind",
        choices=IMPORT_KINDS,
        metavar=_("TYPE"),
        help=_("producers, products, members ou orders"),
    )
    importing.add_argument(
        "file", type=Path, metavar=_("FICHIER"), help=_("le fichier .csv ou .xlsx à importer")
    )
    importing.add_argument(
        "--dry-run",
        action="store_true",
        help=_("tout vérifier et dire ce qui serait fait, sans rien enregistrer"),
    )
    importing.add_argument(
        "--keep-valid",
        action="store_true",
        help=_("enregistrer les lignes valides même si d'autres sont rejetées"),
    )
    importing.add_argument(
        "--cycle",
        type=int,
        metavar="ID",
        help=_("numéro de la distribution des commandes importées (obligatoire pour orders)"),
    )

    exporting = commands.add_parser(
        "export",
        help=_("exporter une liste (CSV, XLSX) ou un calendrier (ICS)"),
        description=_(
            "Écrit la liste dans un fichier CSV (UTF-8, séparateur ;) ou XLSX selon "
            "l'extension, avec les noms de colonnes que l'import reconnaît. Une cellule qui "
            "commence par =, +, - ou @ est écrite comme du texte, jamais comme une formule. "
            "calendar écrit un calendrier .ics (iCalendar) qu'ouvre toute application "
            "d'agenda : celui d'un foyer (--member ID : les distributions à son point et ses "
            "permanences) ou celui d'un point (--point ID : ses distributions, avec les "
            "permanences dans la description), à l'heure de Paris."
        ),
    )
    exporting.add_argument(
        "kind",
        choices=EXPORT_KINDS,
        metavar=_("TYPE"),
        help=_("members, producers, products ou calendar"),
    )
    exporting.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar=_("FICHIER"),
        help=_("le fichier à écrire, en .csv ou en .xlsx (en .ics pour calendar)"),
    )
    exporting.add_argument("--member", type=int, metavar="ID",
                           help=_("calendar : le calendrier de ce foyer"))
    exporting.add_argument("--point", type=int, metavar="ID",
                           help=_("calendar : le calendrier de ce point de distribution"))

    cycle = commands.add_parser(
        "cycle",
        help=_("ouvrir, clôturer, distribuer ou rouvrir une distribution"),
        description=_(
            "Fait passer une distribution à l'état suivant. open : ouvre les commandes et "
            "génère les paniers d'abonnement dus ; close : clôture les commandes et applique "
            "le colisage ; distribute : la marque distribuée (les quantités livrées prennent "
            "les quantités prévues, sauf les produits à peser) ; reopen : rouvre une "
            "distribution clôturée, avec un motif gardé dans l'historique. Code de sortie 1 "
            "si le changement est refusé."
        ),
    )
    cycle.add_argument(
        "action",
        choices=CYCLE_ACTIONS,
        metavar=_("ACTION"),
        help=_("open, close, distribute ou reopen"),
    )
    cycle.add_argument("cycle_id", type=int, metavar="ID", help=_("numéro de la distribution"))
    cycle.add_argument(
        "--reason", metavar=_("TEXTE"), help=_("motif de la réouverture (obligatoire pour reopen)")
    )
    saving = commands.add_parser(
        "backup",
        help=_("sauvegarder la base dans un fichier"),
        description=_(
            "Copie cohérente de la base, même pendant son utilisation (SQLite : copie en "
            "ligne ; PostgreSQL : pg_dump)."
        ),
    )
    saving.add_argument("--out", type=Path, required=True, metavar=_("FICHIER"),
                        help=_("le fichier de sauvegarde à écrire"))
    restoring = commands.add_parser(
        "restore",
        help=_("remplacer la base par une sauvegarde"),
        description=_(
            "Vérifie la sauvegarde (intégrité, version, coopérative), garde une copie de la "
            "base actuelle dans le dossier des sauvegardes, puis la remplace."
        ),
    )
    restoring.add_argument("file", type=Path, metavar=_("FICHIER"),
                           help=_("la sauvegarde à restaurer"))

    printing = commands.add_parser(
        "print",
        help=_("imprimer les documents d'une distribution, ou le planning des permanences"),
        description=_(
            "Écrit les documents d'une distribution en PDF dans un dossier : un fichier par "
            "point de distribution (par producteur pour les listes de préparation). sheets : "
            "feuilles d'émargement ; pickup : listes de préparation producteur ; grid : "
            "grilles produits × adhérents ; labels : étiquettes (planches A4 3 × 8). "
            "roster : le planning des permanences des distributions entre --from et --to "
            "(un seul PDF, les places à pourvoir bien visibles)."
        ),
    )
    printing.add_argument(
        "kind",
        choices=(*PRINT_KINDS, "roster"),
        metavar=_("DOCUMENT"),
        help=_("sheets, pickup, grid, labels ou roster"),
    )
    printing.add_argument("--cycle", type=int, metavar="ID",
                          help=_("numéro de la distribution (obligatoire, sauf pour roster)"))
    printing.add_argument("--from", dest="date_from", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                          help=_("roster : première date de la période"))
    printing.add_argument("--to", dest="date_to", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                          help=_("roster : dernière date de la période (incluse)"))
    printing.add_argument("--point", type=int, action="append", metavar="ID",
                          help=_("numéro d'un point de distribution (à répéter ; par défaut : "
                                 "tous les points de la distribution)"))
    printing.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                          help=_("le dossier où écrire les PDF (créé s'il n'existe pas)"))

    reporting = commands.add_parser(
        "report",
        help=_("écrire un rapport (partage de la valeur) en PDF, CSV ou XLSX"),
        description=_(
            "value : le partage de la valeur sur une période — ce que les adhérents ont payé, "
            "réparti entre le prix des producteurs (HT), la TVA et les frais de la "
            "coopérative, par produit, par producteur et pour toute la coopérative. Format "
            "selon l'extension du fichier : .pdf (pour l'assemblée générale), .csv ou .xlsx."
        ),
    )
    reporting.add_argument("kind", choices=REPORT_KINDS, metavar=_("RAPPORT"),
                           help=_("value"))
    reporting.add_argument("--period", required=True, metavar=_("AAAA-MM"),
                           help=_("le mois (AAAA-MM) ou l'année (AAAA) du rapport"))
    reporting.add_argument("--out", type=Path, required=True, metavar=_("FICHIER"),
                           help=_("le fichier à écrire, en .pdf, .csv ou .xlsx"))
    _add_invoice_parser(commands)
    return parser


def _line_quantity(text: str) -> tuple[int, str]:
    """« 3:1,5 » → (3, "1,5"): a line number of the invoice and the quantity to credit."""
    number, colon, qty = text.partition(":")
    if not colon or not number.strip().isdigit() or not qty.strip():
        raise argparse.ArgumentTypeError(
            _("« {text} » : attendu N°LIGNE:QUANTITÉ, par exemple 3:1,5").format(text=text))
    return int(number), qty.strip()


def _add_invoice_parser(commands: Any) -> None:
    invoicing = commands.add_parser(
        "invoice",
        help=_("émettre les factures des producteurs, établir un avoir"),
        description=_(
            "issue : émet les factures d'un mois pour ce qui a été livré et pas encore "
            "facturé (une par producteur, ou par foyer pour la vente directe), avec leur "
            "Factur-X, et écrit leurs PDF dans un dossier ; relancée, elle n'émet que ce qui "
            "est nouveau. credit-note : établit un avoir sur une facture, entier ou pour "
            "certaines lignes (--line N°:QUANTITÉ, le numéro de la ligne sur la facture)."),
    )
    actions = invoicing.add_subparsers(dest="invoice_action", title=_("actions"),
                                       metavar=_("ACTION"), parser_class=FrenchArgumentParser,
                                       required=True)
    issue = actions.add_parser("issue", help=_("émettre les factures d'un mois"),
                               description=_("Émet les factures du mois et écrit leurs PDF."))
    issue.add_argument("--period", required=True, metavar=_("AAAA-MM"),
                       help=_("le mois des livraisons à facturer"))
    issue.add_argument("--producer", type=int, action="append", metavar="ID",
                       help=_("numéro d'un producteur (à répéter ; par défaut : tous)"))
    issue.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                       help=_("le dossier où écrire les PDF (créé s'il n'existe pas)"))
    credit = actions.add_parser("credit-note", help=_("établir un avoir sur une facture"),
                                description=_("Établit un avoir citant la facture corrigée, "
                                              "numéroté dans la même série, et écrit son PDF."))
    credit.add_argument("number", metavar=_("NUMÉRO"), help=_("le numéro de la facture"))
    credit.add_argument("--reason", required=True, metavar=_("TEXTE"),
                        help=_("le motif de l'avoir, imprimé"))
    credit.add_argument("--line", type=_line_quantity, action="append", metavar=_("N°:QTÉ"),
                        help=_("une ligne de la facture et la quantité à créditer (à répéter ; "
                               "par défaut : toute la facture)"))
    credit.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                        help=_("le dossier où écrire le PDF (créé s'il n'existe pas)"))


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    return build_parser().parse_args(argv)


# --- opening the database -------------------------------------------------------------------


def open_db(url: str | None) -> Database:
    """Open (and migrate) the database named on the command line, or the default one."""
    target = url or default_url()
    try:
        make_url(target)
    except ArgumentError as error:
        raise CliError(
            _(
                "Adresse de base de données invalide « {url} » : attendu par exemple "
                "sqlite:///chemin/fichier.sqlite ou "
                "postgresql+psycopg://utilisateur@hôte/base"
            ).format(url=target)
        ) from error
    try:
        return open_database(target)
    except ImportError as error:
        raise CliError(
            _(
                "Aucun pilote installé pour la base « {url} » ({module}) : coopfood "
                "fonctionne avec SQLite et PostgreSQL (postgresql+psycopg://…)"
            ).format(url=target, module=error.name)
        ) from error
    except OSError as error:
        raise CliError(
            _("Impossible de créer ou d'ouvrir le fichier de la base « {url} » : {reason}").format(
                url=target, reason=error.strerror or error
            )
        ) from error
    except SchemaError as error:
        raise CliError(str(error)) from error
    except (OperationalError, SQLAlchemyError) as error:
        raise CliError(
            _("Impossible d'ouvrir la base de données « {url} » : {reason}").format(
                url=target,
                reason=str(error.orig if hasattr(error, "orig") else error).strip().splitlines()[0],
            )
        ) from error


def open_db_for_window(url: str | None) -> Database:
    """The database the window opens, created if need be.

    An empty one (the very first start) is left empty: the window's first-start
    assistant creates the co-op or installs the demo in it.
    """
    return open_db(url)


def take_daily_backup(db: Database) -> None:
    """The copy of the day of use; a failure is logged and never stops the co-op's work."""
    from coopfood.services.backup import daily_backup

    try:
        daily_backup(db=db, actor=LOCAL_ADMIN)
    except (ServiceError, OSError, sqlite3.Error) as error:
        log.warning("sauvegarde du jour impossible : %s", error)


class TextProgress:
    """A text progress bar on a terminal, a line per step elsewhere."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out = out
        self.width = width
        self.tty = out.isatty()
        self._last = ""

    def __call__(self, done: int, total: int, what: str) -> None:
        ratio = done / total if total else 1
        if self.tty:
            filled = int(ratio * self.width)
            bar = "█" * filled + "·" * (self.width - filled)
            self.out.write(f"\r{bar} {int(ratio * 100):3d} %  {what[:40]:<40}")
            if done >= total:
                self.out.write("\n")
            self.out.flush()
        elif what != self._last:
            self.out.write(f"{int(ratio * 100):3d} % {what}\n")
            self._last = what


# --- commands ---------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | frozenset | set):
        return list(value)
    raise TypeError(type(value).__name__)


def _list_rows(kind: str, db: Database, actor: Actor) -> list[Any]:
    from coopfood.services import lists

    functions: dict[str, Callable[..., list[Any]]] = {
        "producers": lists.list_producers,
        "products": lists.list_products,
        "members": lists.list_members,
        "points": lists.list_points,
        "cycles": lists.list_cycles,
    }
    if kind == "invoices":
        from coopfood.services.invoicing import list_invoices

        return list(list_invoices(db=db, actor=actor))
    return functions[kind](db=db, actor=actor)


def _as_json(kind: str, row: Any) -> dict[str, Any]:
    data = dataclasses.asdict(row)
    if kind == "cycles":
        data["date"] = row.date.isoformat()
        data["points"] = list(row.points)
        data["state"] = row.state.value
    if kind == "invoices":
        data["date"] = row.date.isoformat()
        data["kind"] = row.kind.value
    return data


def _as_line(kind: str, row: Any) -> str:
    from coopfood.i18n import format_date, format_money

    if kind == "producers":
        fields = [row.name, row.legal_form, row.siret or "", row.vat_regime.label, row.city]
    elif kind == "products":
        price = format_money(row.price_ht) if row.price_ht is not None else "—"
        fields = [row.name, row.producer, row.unit.label, price + " HT"]
    elif kind == "members":
        fields = [row.name, row.point, row.email or "", row.payment_reference]
    elif kind == "points":
        fields = [row.name, row.city, f"{row.start_time:%H:%M}–{row.end_time:%H:%M}"]
    elif kind == "invoices":
        fields = [row.number, format_date(row.date, style="short"), row.producer, row.buyer,
                  format_money(row.total), row.status_label]
    else:
        fields = [
            format_date(row.date),
            ", ".join(row.points),
            row.state.label,
            _("{n} commandes").format(n=row.order_count),
            format_money(row.amount),
        ]
    return "\t".join([str(row.id), *fields])


def command_list(args: argparse.Namespace, out: TextIO) -> int:
    db = open_db(args.db)
    try:
        rows = _list_rows(args.kind, db, LOCAL_ADMIN)
    finally:
        db.dispose()
    if args.json:
        json.dump(
            [_as_json(args.kind, row) for row in rows],
            out,
            default=_json_default,
            ensure_ascii=False,
            indent=1,
        )
        out.write("\n")
    else:
        for row in rows:
            out.write(_as_line(args.kind, row) + "\n")
    return 0


def command_demo(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.demo import DemoSize, build_demo

    db = open_db(args.db)
    try:
        summary = build_demo(
            db=db,
            actor=LOCAL_ADMIN,
            size=DemoSize(args.size),
            seed=args.seed,
            as_of=args.as_of,
            progress=TextProgress(sys.stderr),
        )
    finally:
        db.dispose()
    out.write(
        _(
            "Démo installée en {seconds:.1f} s : {points} points, {producers} producteurs, "
            "{products} produits, {members} foyers, {cycles} distributions, "
            "{lines} lignes de commande.\n"
        ).format(
            seconds=summary.seconds,
            points=summary.points,
            producers=summary.producers,
            products=summary.products,
            members=summary.members,
            cycles=summary.cycles,
            lines=summary.order_lines,
        )
    )
    return 0


def import_summary(report: ImportReport) -> str:
    """« 148 créés, 2 mis à jour, 0 inchangés, 3 rejetés »"""
    return ", ".join(
        (
            ngettext("{n} créé", "{n} créés", report.created).format(n=report.created),
            _("{n} mis à jour").format(n=report.updated),
            ngettext("{n} inchangé", "{n} inchangés", report.unchanged).format(n=report.unchanged),
            ngettext("{n} rejeté", "{n} rejetés", report.rejected).format(n=report.rejected),
        )
    )


def command_import(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.imports import import_file

    if args.kind == "orders" and args.cycle is None:
        raise CliError(
            _(
                "Indiquez la distribution des commandes à importer : --cycle ID (les numéros "
                "sont donnés par « list cycles »)."
            )
        )
    if args.kind != "orders" and args.cycle is not None:
        raise CliError(_("L'option --cycle ne sert qu'à importer des commandes (orders)."))
    db = open_db(args.db)
    try:
        report = import_file(
            db=db,
            actor=LOCAL_ADMIN,
            kind=args.kind,
            path=args.file,
            dry_run=args.dry_run,
            keep_valid=args.keep_valid,
            progress=TextProgress(sys.stderr),
            cycle_id=args.cycle,
        )
    finally:
        db.dispose()
    out.write(import_summary(report) + "\n")
    for error in report.errors:
        out.write(f"{error}\n")
    for warning in report.warnings:
        out.write(_("Avertissement — {warning}\n").format(warning=warning))
    if report.dry_run:
        out.write(_("Simulation (--dry-run) : rien n'a été enregistré.\n"))
    elif not report.written:
        out.write(
            _(
                "Rien n'a été enregistré : corrigez les lignes rejetées, ou relancez avec "
                "--keep-valid pour enregistrer les lignes valides.\n"
            )
        )
    elif report.rejected:
        out.write(_("Les lignes valides ont été enregistrées, pas les lignes rejetées.\n"))
    return 0 if report.complete else 1


def command_export(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.exports import export_list

    if args.kind == "calendar":
        return _export_calendar(args, out)
    if args.member is not None or args.point is not None:
        raise CliError(_("Les options --member et --point ne servent qu'à exporter un "
                         "calendrier (calendar)."))
    db = open_db(args.db)
    try:
        summary = export_list(db=db, actor=LOCAL_ADMIN, kind=args.kind, path=args.out)
    finally:
        db.dispose()
    out.write(
        ngettext(
            "{n} ligne écrite dans {file}.\n", "{n} lignes écrites dans {file}.\n", summary.rows
        ).format(n=summary.rows, file=summary.path)
    )
    return 0


def command_cycle(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.domain.enums import CycleState
    from coopfood.services.cycles import get_cycle, transition

    target = {
        "open": CycleState.OPEN,
        "close": CycleState.CLOSED,
        "distribute": CycleState.DISTRIBUTED,
        "reopen": CycleState.OPEN,
    }[args.action]
    db = open_db(args.db)
    try:
        # Opening and reopening both lead to "open"; reopening is its own, recorded act.
        state = get_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=args.cycle_id).state
        if args.action == "open" and state is CycleState.CLOSED:
            raise CliError(
                _(
                    "La distribution n° {id} est clôturée : pour la rouvrir, utilisez "
                    "« cycle reopen {id} --reason MOTIF »."
                ).format(id=args.cycle_id)
            )
        if args.action == "reopen" and state is not CycleState.CLOSED:
            raise CliError(
                _(
                    "La distribution n° {id} est « {state} » : seule une distribution "
                    "clôturée se rouvre."
                ).format(id=args.cycle_id, state=state.label)
            )
        result = transition(
            db=db, actor=LOCAL_ADMIN, cycle_id=args.cycle_id, to_state=target, reason=args.reason
        )
    finally:
        db.dispose()
    out.write(result.summary + "\n")
    return 0


def command_backup(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.backup import backup

    db = open_db(args.db)
    try:
        info = backup(db=db, actor=LOCAL_ADMIN, target=args.out,
                      progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    out.write(_("Sauvegarde écrite : {path} ({size} Ko)\n").format(
        path=info.path, size=max(1, info.size // 1024)))
    return 0


def command_restore(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.backup import backups_dir, restore

    db = open_db(args.db)
    try:
        info = restore(db=db, actor=LOCAL_ADMIN, source=args.file,
                       progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    out.write(_("Sauvegarde restaurée depuis {path}. L'ancienne base est conservée dans "
                "{folder}.\n").format(path=info.path, folder=backups_dir()))
    return 0


def _export_calendar(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.calendar_export import export_calendar

    if (args.member is None) == (args.point is None):
        raise CliError(_("Indiquez le calendrier à exporter : --member ID (un foyer) ou "
                         "--point ID (un point de distribution), l'un des deux."))
    if args.out.suffix.lower() != ".ics":
        raise CliError(_("Un calendrier s'écrit dans un fichier .ics : « {file} ».").format(
            file=args.out.name))
    db = open_db(args.db)
    try:
        written = export_calendar(db=db, actor=LOCAL_ADMIN, path=args.out,
                                  member_id=args.member, point_id=args.point)
    finally:
        db.dispose()
    out.write(ngettext("{n} événement écrit dans {file}.\n",
                       "{n} événements écrits dans {file}.\n", written.events).format(
        n=written.events, file=args.out))
    return 0


def _print_roster(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.shifts import print_roster

    if args.date_from is None or args.date_to is None:
        raise CliError(_("Indiquez la période du planning : --from AAAA-MM-JJ --to AAAA-MM-JJ."))
    if args.cycle is not None:
        raise CliError(_("Le planning des permanences couvre une période (--from, --to), pas "
                         "une distribution : retirez --cycle."))
    if args.point is not None and len(args.point) > 1:
        raise CliError(_("Le planning se fait pour un point (--point ID) ou pour tous."))
    db = open_db(args.db)
    try:
        printed = print_roster(db=db, actor=LOCAL_ADMIN, date_from=args.date_from,
                               date_to=args.date_to, out_dir=args.out,
                               point_id=args.point[0] if args.point else None)
    finally:
        db.dispose()
    out.write(_("Planning écrit ({pages}, {open}) :\n").format(
        pages=ngettext("{n} page", "{n} pages", printed.pages).format(n=printed.pages),
        open=ngettext("{n} place à pourvoir", "{n} places à pourvoir",
                      printed.open_places).format(n=printed.open_places)))
    out.write(f"{printed.path}\n")
    return 0


def command_print(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.printing import print_documents

    if args.kind == "roster":
        return _print_roster(args, out)
    if args.cycle is None:
        raise CliError(_("Indiquez la distribution à imprimer : --cycle ID (les numéros sont "
                         "donnés par « list cycles »)."))
    if args.date_from is not None or args.date_to is not None:
        raise CliError(_("Les options --from et --to ne servent qu'au planning des "
                         "permanences (roster)."))
    db = open_db(args.db)
    try:
        report = print_documents(db=db, actor=LOCAL_ADMIN, cycle_id=args.cycle,
                                 kinds=[args.kind], point_ids=args.point, out_dir=args.out,
                                 progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    out.write(ngettext("{n} fichier écrit ({pages} pages) :\n",
                       "{n} fichiers écrits ({pages} pages) :\n", len(report.files)).format(
        n=len(report.files), pages=report.pages))
    for printed in report.files:
        out.write(f"{printed.path}\n")
    return 0


def command_invoice(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services import invoicing

    db = open_db(args.db)
    try:
        if args.invoice_action == "issue":
            period = invoicing.month_period(args.period)
            report = invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=period,
                                              producer_ids=args.producer,
                                              progress=TextProgress(sys.stderr))
            for warning in report.warnings:
                out.write(_("Avertissement — {warning}\n").format(warning=warning))
            out.write(report.summary + "\n")
            paths = invoicing.write_invoice_pdfs(db=db, actor=LOCAL_ADMIN,
                                                 invoice_ids=[r.id for r in report.invoices],
                                                 out_dir=args.out)
        else:
            lines = None if not args.line else dict(args.line)
            result = invoicing.issue_credit_note(db=db, actor=LOCAL_ADMIN, number=args.number,
                                                 reason=args.reason, lines=lines)
            from coopfood.i18n import format_money

            out.write(_("Avoir {number} sur la facture {invoice} : {amount}.\n").format(
                number=result.row.number, invoice=result.row.corrected_number,
                amount=format_money(result.row.total)))
            paths = invoicing.write_invoice_pdfs(db=db, actor=LOCAL_ADMIN,
                                                 invoice_ids=[result.row.id], out_dir=args.out)
    finally:
        db.dispose()
    for path in paths:
        out.write(f"{path}\n")
    return 0


def command_report(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.value_sharing import parse_period, write_value_report

    period = parse_period(args.period)
    db = open_db(args.db)
    try:
        written = write_value_report(db=db, actor=LOCAL_ADMIN, period=period, path=args.out)
    finally:
        db.dispose()
    out.write(_("Partage de la valeur — {period} : {file}\n").format(
        period=period.label, file=written.path))
    out.write(written.sharing.sentence + "\n")
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "backup": command_backup,
    "restore": command_restore,
    "list": command_list,
    "demo": command_demo,
    "import": command_import,
    "export": command_export,
    "cycle": command_cycle,
    "print": command_print,
    "report": command_report,
    "invoice": command_invoice,
}


def _setup_logging() -> Path:
    log_file = data_dir() / "coopfood.log"
    logging.basicConfig(
        filename=log_file,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return log_file


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run one command; errors become one French line on standard error."""
    log_file = _setup_logging()
    try:
        return COMMANDS[args.command](args, out or sys.stdout)
    except (CliError, ServiceError) as error:
        sys.stderr.write(_("Erreur : {message}\n").format(message=error))
        return 1
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours, and nothing to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(_("Interrompu : rien n'a été enregistré.\n"))
        return 130
    except Exception as error:
        log.exception("commande %s", args.command)
        sys.stderr.write(
            _("Erreur inattendue ({kind}) : {message}. Détails dans {log}\n").format(
                kind=type(error).__name__, message=error, log=log_file
            )
        )
        return 2
