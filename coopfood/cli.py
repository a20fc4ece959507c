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
EXPORT_KINDS = (*FILE_KINDS, "calendar", "journal")
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
    parser.add_argument(
        "--user",
        metavar=_("IDENTIFIANT"),
        help=_(
            "en mode multi-utilisateur, l'identifiant de qui agit ; le mot de passe est lu "
            "dans COOPFOOD_PASSWORD, sinon demandé"
        ),
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
    demo.add_argument("--weeks", type=int, metavar="N",
                      help=_("nombre de semaines de distributions (pour les mesures)"))
    demo.add_argument("--households", type=int, metavar="N",
                      help=_("nombre de foyers (pour les mesures)"))

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
        "file",
        type=Path,
        metavar=_("FICHIER"),
        help=_(
            "le fichier .csv ou .xlsx à importer (pour orders, aussi un dossier : tous ses "
            "classeurs .xlsx, des bons de commande remplis par exemple)"
        ),
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
            "permanences dans la description), à l'heure de Paris. journal écrit le journal "
            "comptable d'une période (--period AAAA-MM ou AAAA) pour le comptable, en "
            "partie double."
        ),
    )
    exporting.add_argument(
        "kind",
        choices=EXPORT_KINDS,
        metavar=_("TYPE"),
        help=_("members, producers, products, calendar ou journal"),
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
    exporting.add_argument("--period", metavar=_("AAAA-MM"),
                           help=_("journal : le mois (AAAA-MM) ou l'année (AAAA) du journal"))

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
            "(un seul PDF, les places à pourvoir bien visibles). order-form : les bons de "
            "commande à remplir, un PDF par point ; avec --xlsx, un classeur par foyer dans un "
            "dossier par point, et le classeur commun du point (une ligne par foyer). Remplis, "
            "ils se réimportent par « import orders --cycle ID FICHIER » (ou DOSSIER). "
            "statement : les relevés de compte des foyers, un PDF par foyer (--member ID, à "
            "répéter ; par défaut chaque foyer qui a un mouvement sur la période --from/--to "
            "ou un solde à sa fin), avec le QR code de virement pour ce qui reste dû."
        ),
    )
    printing.add_argument(
        "kind",
        choices=(*PRINT_KINDS, "roster", "order-form", "statement"),
        metavar=_("DOCUMENT"),
        help=_("sheets, pickup, grid, labels, roster, order-form ou statement"),
    )
    printing.add_argument("--cycle", type=int, metavar="ID",
                          help=_("numéro de la distribution (obligatoire, sauf pour roster)"))
    printing.add_argument("--from", dest="date_from", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                          help=_("roster, statement : première date de la période"))
    printing.add_argument("--to", dest="date_to", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                          help=_("roster, statement : dernière date de la période (incluse)"))
    printing.add_argument("--point", type=int, action="append", metavar="ID",
                          help=_("numéro d'un point de distribution (à répéter ; par défaut : "
                                 "tous les points de la distribution)"))
    printing.add_argument("--member", type=int, action="append", metavar="ID",
                          help=_("statement : le relevé de ce foyer (à répéter)"))
    printing.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                          help=_("le dossier où écrire les PDF (créé s'il n'existe pas)"))
    printing.add_argument("--xlsx", action="store_true",
                          help=_("order-form : des classeurs XLSX à remplir plutôt que des PDF"))

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
    _add_mail_parsers(commands)
    _add_pay_parser(commands)
    _add_cheque_parser(commands)
    _add_bank_parser(commands)
    _add_people_parsers(commands)
    _add_treasury_parsers(commands)
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


def _actor(args: argparse.Namespace, db: Database) -> Actor:
    """Who acts: the local administrator of a single-user base; in multi-user mode the
    account of `--user`, once its password (COOPFOOD_PASSWORD, else asked) is checked.
    Asked once per command."""
    actor = getattr(args, "_acting", None)
    if isinstance(actor, Actor):
        return actor
    from coopfood.services.users import Mode, acting_user, get_mode

    login = getattr(args, "user", None)
    password = None
    if login and get_mode(db=db) is Mode.MULTI:
        password = os.environ.get("COOPFOOD_PASSWORD")
        if password is None:
            import getpass

            password = getpass.getpass(_("Mot de passe de {login} : ").format(login=login))
    actor = acting_user(db=db, login=login, password=password)
    args._acting = actor
    return actor


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
        rows = _list_rows(args.kind, db, _actor(args, db))
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
            actor=_actor(args, db),
            size=DemoSize(args.size),
            seed=args.seed,
            as_of=args.as_of,
            progress=TextProgress(sys.stderr),
            weeks=args.weeks,
            members=args.households,
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
            actor=_actor(args, db),
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
    if args.kind == "journal":
        return _export_journal(args, out)
    if args.period is not None:
        raise CliError(_("L'option --period ne sert qu'au journal comptable (journal)."))
    if args.member is not None or args.point is not None:
        raise CliError(_("Les options --member et --point ne servent qu'à exporter un "
                         "calendrier (calendar)."))
    db = open_db(args.db)
    try:
        summary = export_list(db=db, actor=_actor(args, db), kind=args.kind, path=args.out)
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
        state = get_cycle(db=db, actor=_actor(args, db), cycle_id=args.cycle_id).state
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
            db=db, actor=_actor(args, db), cycle_id=args.cycle_id, to_state=target,
            reason=args.reason
        )
    finally:
        db.dispose()
    out.write(result.summary + "\n")
    return 0


def command_backup(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.backup import backup

    db = open_db(args.db)
    try:
        info = backup(db=db, actor=_actor(args, db), target=args.out,
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
        info = restore(db=db, actor=_actor(args, db), source=args.file,
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
        written = export_calendar(db=db, actor=_actor(args, db), path=args.out,
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
        printed = print_roster(db=db, actor=_actor(args, db), date_from=args.date_from,
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


def _print_order_forms(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.order_forms import FormFormat, write_order_forms

    db = open_db(args.db)
    try:
        report = write_order_forms(db=db, actor=_actor(args, db), cycle_id=args.cycle,
                                   point_ids=args.point, out_dir=args.out,
                                   format=FormFormat.XLSX if args.xlsx else FormFormat.PDF,
                                   progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    for warning in report.warnings:
        out.write(_("Avertissement — {warning}\n").format(warning=warning))
    out.write(ngettext("{n} bon de commande écrit :\n", "{n} bons de commande écrits :\n",
                       len(report.files)).format(n=len(report.files)))
    for written in report.files:
        out.write(f"{written.path}\n")
    return 0


def command_print(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.printing import print_documents

    if args.xlsx and args.kind != "order-form":
        raise CliError(_("L'option --xlsx ne sert qu'aux bons de commande (order-form)."))
    if args.member and args.kind != "statement":
        raise CliError(_("L'option --member ne sert qu'aux relevés de compte (statement)."))
    if args.kind == "roster":
        return _print_roster(args, out)
    if args.kind == "statement":
        return _print_statements(args, out)
    if args.cycle is None:
        raise CliError(_("Indiquez la distribution à imprimer : --cycle ID (les numéros sont "
                         "donnés par « list cycles »)."))
    if args.date_from is not None or args.date_to is not None:
        raise CliError(_("Les options --from et --to ne servent qu'au planning des "
                         "permanences (roster)."))
    if args.kind == "order-form":
        return _print_order_forms(args, out)
    db = open_db(args.db)
    try:
        report = print_documents(db=db, actor=_actor(args, db), cycle_id=args.cycle,
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
            report = invoicing.issue_invoices(db=db, actor=_actor(args, db), period=period,
                                              producer_ids=args.producer,
                                              progress=TextProgress(sys.stderr))
            for warning in report.warnings:
                out.write(_("Avertissement — {warning}\n").format(warning=warning))
            out.write(report.summary + "\n")
            paths = invoicing.write_invoice_pdfs(db=db, actor=_actor(args, db),
                                                 invoice_ids=[r.id for r in report.invoices],
                                                 out_dir=args.out)
        else:
            lines = None if not args.line else dict(args.line)
            result = invoicing.issue_credit_note(db=db, actor=_actor(args, db), number=args.number,
                                                 reason=args.reason, lines=lines)
            from coopfood.i18n import format_money

            out.write(_("Avoir {number} sur la facture {invoice} : {amount}.\n").format(
                number=result.row.number, invoice=result.row.corrected_number,
                amount=format_money(result.row.total)))
            paths = invoicing.write_invoice_pdfs(db=db, actor=_actor(args, db),
                                                 invoice_ids=[result.row.id], out_dir=args.out)
    finally:
        db.dispose()
    for path in paths:
        out.write(f"{path}\n")
    return 0


def _add_pay_parser(commands: Any) -> None:
    paying = commands.add_parser(
        "pay",
        help=_("payer les factures des producteurs par virement SEPA"),
        description=_(
            "producers : écrit le fichier de virements SEPA (pain.001.001.03, à déposer sur le "
            "site de la banque) qui paie les factures choisies, un virement par facture avec "
            "son numéro pour référence, et les enregistre comme payées. NUMÉRO:MONTANT paie "
            "une partie seulement. --all-due paie toutes les factures échues à la date "
            "d'exécution (par défaut le prochain jour ouvré)."),
    )
    paying.add_argument("whom", choices=("producers",), metavar=_("QUI"), help=_("producers"))
    # Not an argparse exclusive group: its refusals are English sentences.
    paying.add_argument("--invoices", nargs="+", metavar=_("NUMÉRO"),
                        help=_("les numéros des factures à payer (NUMÉRO:MONTANT pour un "
                               "paiement partiel, par exemple COOP-2026-0004:150,00)"))
    paying.add_argument("--all-due", action="store_true",
                        help=_("toutes les factures échues à la date d'exécution"))
    paying.add_argument("--out", type=Path, required=True, metavar=_("FICHIER"),
                        help=_("le fichier XML de virements à écrire"))
    paying.add_argument("--date", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                        help=_("date d'exécution demandée (par défaut : le prochain jour "
                               "ouvré)"))


def command_pay(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.banking.sepa import next_business_day
    from coopfood.i18n import format_date, format_money
    from coopfood.services.payouts import PayoutItem, pay_invoices, payable_invoices

    if bool(args.invoices) == args.all_due:
        raise CliError(_("Indiquez les factures à payer : --invoices NUMÉRO… ou --all-due "
                         "(l'un ou l'autre)."))
    db = open_db(args.db)
    try:
        if args.all_due:
            day = args.date or next_business_day(dt.date.today())
            items = [PayoutItem(row.number) for row in
                     payable_invoices(db=db, actor=_actor(args, db), due_by=day)]
            if not items:
                out.write(_("Aucune facture échue au {date} : aucun fichier écrit.\n").format(
                    date=format_date(day)))
                return 0
        else:
            items = []
            for text in args.invoices:
                number, _colon, amount = text.partition(":")
                items.append(PayoutItem(number, amount or None))
        result = pay_invoices(db=db, actor=_actor(args, db), items=items,
                              execution_date=args.date, path=args.out,
                              progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    for paid in result.paid:
        out.write(f"{paid.number}\t{paid.producer_name}\t{format_money(paid.amount)}\n")
    out.write(result.summary + "\n")
    return 0


def _export_journal(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.journal import export_journal
    from coopfood.services.value_sharing import parse_period

    if args.period is None:
        raise CliError(_("Indiquez la période du journal : --period AAAA-MM (un mois) ou "
                         "AAAA (une année)."))
    if args.member is not None or args.point is not None:
        raise CliError(_("Les options --member et --point ne servent qu'à exporter un "
                         "calendrier (calendar)."))
    period = parse_period(args.period)
    db = open_db(args.db)
    try:
        written = export_journal(db=db, actor=_actor(args, db), period=period, path=args.out)
    finally:
        db.dispose()
    out.write(written.summary + "\n")
    return 0


def command_report(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.value_sharing import parse_period, write_value_report

    period = parse_period(args.period)
    db = open_db(args.db)
    try:
        written = write_value_report(db=db, actor=_actor(args, db), period=period, path=args.out)
    finally:
        db.dispose()
    out.write(_("Partage de la valeur — {period} : {file}\n").format(
        period=period.label, file=written.path))
    out.write(written.sharing.sentence + "\n")
    return 0


# --- cheques -------------------------------------------------------------------------------


CHEQUE_STATUSES = ("promised", "received", "handed_over", "deposited", "cashed", "rejected",
                   "returned")


def _add_cheque_parser(commands: Any) -> None:
    cheque = commands.add_parser(
        "cheque",
        help=_("le registre des chèques, les bordereaux de remise"),
        description=_(
            "list : le registre des chèques (numéro, état, montant, foyer, à l'ordre de…). "
            "deposit : fait le bordereau de remise en banque des chèques reçus à l'ordre de la "
            "coopérative (--cheque ID, à répéter) et écrit son PDF. handover : remet à un "
            "producteur ses chèques reçus d'un mois et écrit le bordereau à lui faire signer."),
    )
    actions = cheque.add_subparsers(dest="cheque_action", title=_("actions"),
                                    metavar=_("ACTION"), parser_class=FrenchArgumentParser,
                                    required=True)
    listing = actions.add_parser("list", help=_("lister les chèques"),
                                 description=_("Liste les chèques du registre, un par ligne."))
    listing.add_argument("--status", choices=CHEQUE_STATUSES, metavar=_("ÉTAT"),
                         help=_("seulement les chèques dans cet état : promised (promis), "
                                "received (reçu), handed_over (remis au producteur), "
                                "deposited (déposé), cashed (encaissé), rejected (rejeté), "
                                "returned (rendu)"))
    listing.add_argument("--month", metavar=_("AAAA-MM"),
                         help=_("seulement les chèques à encaisser ce mois-là"))
    deposit = actions.add_parser("deposit", help=_("remettre des chèques en banque"),
                                 description=_("Fait le bordereau de remise en banque (numéroté "
                                               "REM-AAAA-NNNN) et écrit son PDF."))
    deposit.add_argument("--cheque", type=int, nargs="+", action="extend", required=True,
                         metavar="ID", help=_("numéro d'un chèque du registre (« cheque "
                                              "list » les donne ; plusieurs possibles)"))
    deposit.add_argument("--date", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                         help=_("date de la remise (par défaut : aujourd'hui)"))
    deposit.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                         help=_("le dossier où écrire le PDF (créé s'il n'existe pas)"))
    handover = actions.add_parser("handover", help=_("remettre ses chèques d'un mois à un "
                                                     "producteur"),
                                  description=_("Remet au producteur ses chèques reçus du mois "
                                                "(numérotés RP-AAAA-NNNN) et écrit le "
                                                "bordereau à lui faire signer."))
    handover.add_argument("--producer", type=int, required=True, metavar="ID",
                          help=_("numéro du producteur (« list producers » les donne)"))
    handover.add_argument("--month", required=True, metavar=_("AAAA-MM"),
                          help=_("le mois d'encaissement des chèques à remettre"))
    handover.add_argument("--date", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                          help=_("date de la remise (par défaut : aujourd'hui)"))
    handover.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                          help=_("le dossier où écrire le PDF (créé s'il n'existe pas)"))


def command_cheque(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.domain.treasury import ChequeStatus
    from coopfood.i18n import format_date, format_money
    from coopfood.services import cheques

    db = open_db(args.db)
    try:
        if args.cheque_action == "list":
            rows = cheques.list_cheques(
                db=db, actor=_actor(args, db), month=args.month,
                status=ChequeStatus(args.status) if args.status else None)
            for row in rows:
                out.write("\t".join([
                    str(row.id), row.status_label, row.number, row.bank, row.drawer,
                    format_money(row.amount), row.member, row.payee, row.month_label,
                    format_date(row.issue_date, style="short") if row.issue_date else "",
                    row.remittance_number]) + "\n")
            return 0
        if args.cheque_action == "deposit":
            detail = cheques.deposit_cheques(db=db, actor=_actor(args, db), cheque_ids=args.cheque,
                                             on=args.date)
        else:
            detail = cheques.hand_over_cheques(db=db, actor=_actor(args, db),
                                               producer_id=args.producer, month=args.month,
                                               on=args.date)
        path = cheques.write_remittance_pdf_in(db=db, actor=_actor(args, db),
                                               remittance_id=detail.row.id, out_dir=args.out)
    finally:
        db.dispose()
    out.write(detail.row.summary + "\n")
    if detail.still_promised:
        out.write(ngettext(
            "Avertissement — {n} chèque de ce mois n'est encore que promis : il n'est pas "
            "remis.\n",
            "Avertissement — {n} chèques de ce mois ne sont encore que promis : ils ne sont "
            "pas remis.\n", len(detail.still_promised)).format(n=len(detail.still_promised)))
    out.write(f"{path}\n")
    return 0


# --- e-mail: send documents, the server's settings, the log -----------------------------------

#: `send KIND`: what can be sent (coopfood.services.mail.MailKind).
SEND_KINDS = ("pickup", "sheets", "statements", "order-forms")


def _point_addresses(text: str) -> tuple[int, str]:
    """« 3:nord@amap.fr,coord@amap.fr » → (3, "nord@amap.fr,coord@amap.fr")."""
    number, colon, addresses = text.partition(":")
    if not colon or not number.strip().isdigit():
        raise argparse.ArgumentTypeError(
            _("« {text} » : attendu ID:ADRESSES, par exemple 3:nord@exemple.fr,"
              "coord@exemple.fr").format(text=text))
    return int(number), addresses.strip()


def _add_mail_parsers(commands: Any) -> None:
    sending = commands.add_parser(
        "send", help=_("envoyer des documents par e-mail"),
        description=_(
            "Envoie par le serveur de la coopérative (voir « mail settings ») : pickup, la "
            "liste de préparation à chaque producteur ; sheets, la feuille d'émargement aux "
            "coordinateurs de chaque point (les foyers de permanence « Coordinateur » et les "
            "adresses du point) ; statements, son relevé de compte à chaque foyer ; "
            "order-forms, son bon de commande à chaque foyer. Un message déjà envoyé ne l'est "
            "jamais deux fois : relancée, la commande n'envoie que ce qui a échoué ou n'est pas "
            "parti. Mot de passe : variable COOPFOOD_SMTP_PASSWORD, trousseau du système, ou "
            "demandé au clavier. Code de sortie 1 si un message n'est pas parti."))
    sending.add_argument("kind", choices=SEND_KINDS, metavar=_("DOCUMENTS"),
                         help=_("pickup, sheets, statements ou order-forms"))
    sending.add_argument("--cycle", type=int, metavar="ID",
                         help=_("numéro de la distribution (sauf pour statements)"))
    sending.add_argument("--from", dest="date_from", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                         help=_("statements : première date des relevés"))
    sending.add_argument("--to", dest="date_to", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                         help=_("statements : dernière date des relevés (incluse)"))
    sending.add_argument("--dry-run", action="store_true",
                         help=_("dire qui recevrait quoi, sans rien envoyer"))
    mailing = commands.add_parser(
        "mail", help=_("régler le serveur d'envoi des e-mails, le tester, lire le journal"),
        description=_("settings : le serveur d'envoi (sans option : l'affiche) ; test : s'y "
                      "connecte sans rien envoyer ; log : les messages envoyés ou en échec."))
    actions = mailing.add_subparsers(dest="mail_action", title=_("actions"),
                                     metavar=_("ACTION"), parser_class=FrenchArgumentParser,
                                     required=True)
    settings = actions.add_parser(
        "settings", help=_("régler le serveur d'envoi"),
        description=_("Les options données changent le réglage, les autres le gardent. Le mot "
                      "de passe va au trousseau du système, jamais dans la base."))
    settings.add_argument("--host", metavar=_("SERVEUR"), help=_("par exemple smtp.exemple.fr"))
    settings.add_argument("--port", metavar=_("PORT"), help=_("587, 465 ou 25 en général"))
    settings.add_argument("--security", choices=("tls", "starttls", "none"),
                          help=_("tls (TLS direct), starttls ou none"))
    settings.add_argument("--login", metavar=_("IDENTIFIANT"),
                          help=_("l'identifiant du compte (vide : pas d'identification)"))
    settings.add_argument("--sender", metavar=_("ADRESSE"), help=_("l'adresse d'expédition"))
    settings.add_argument("--sender-name", metavar=_("NOM"),
                          help=_("le nom de l'expéditeur (par défaut : celui de la coopérative)"))
    settings.add_argument("--point", type=_point_addresses, action="append",
                          metavar=_("ID:ADRESSES"),
                          help=_("les adresses qui reçoivent la feuille d'émargement d'un point, "
                                 "séparées par des virgules (à répéter)"))
    settings.add_argument("--store-password", action="store_true",
                          help=_("garder le mot de passe dans le trousseau du système (lu dans "
                                 "COOPFOOD_SMTP_PASSWORD ou demandé)"))
    settings.add_argument("--forget-password", action="store_true",
                          help=_("retirer le mot de passe du trousseau"))
    actions.add_parser("test", help=_("tester la connexion au serveur"),
                       description=_("Se connecte, s'identifie et se déconnecte, sans rien "
                                     "envoyer."))
    logging_ = actions.add_parser("log", help=_("le journal des envois"),
                                  description=_("Les messages envoyés ou en échec, les plus "
                                                "récents d'abord."))
    logging_.add_argument("--cycle", type=int, metavar="ID",
                          help=_("seulement ceux de cette distribution"))


def _typed_password(account: str) -> str:
    """The password of COOPFOOD_SMTP_PASSWORD, or typed without echo on a terminal."""
    from coopfood.services.mail import PASSWORD_VARIABLE

    given = os.environ.get(PASSWORD_VARIABLE)
    if given:
        return given
    if not sys.stdin.isatty():
        raise CliError(_("Mot de passe du compte {account} introuvable : donnez-le par la "
                         "variable {variable}.").format(account=account,
                                                       variable=PASSWORD_VARIABLE))
    import getpass

    return getpass.getpass(_("Mot de passe de {account} : ").format(account=account))


def _with_password(work: Callable[[str | None], Any]) -> Any:
    """`work(password)`: from the environment, else the keyring, else typed on demand."""
    from coopfood.services.mail import PASSWORD_VARIABLE, PasswordNeeded

    try:
        return work(os.environ.get(PASSWORD_VARIABLE) or None)
    except PasswordNeeded as needed:
        return work(_typed_password(needed.account))


def _message_line(message: Any, label: str, reason: str) -> str:
    who = f"{message.name} <{message.recipient}>" if message.recipient else message.name
    return f"{label} — {who}" + (f" : {reason}" if reason else "")


def command_send(args: argparse.Namespace, out: TextIO) -> int:
    import tempfile

    from coopfood.services.mail import (
        PASSWORD_VARIABLE,
        MailKind,
        PlanStatus,
        password_missing,
        plan_mail,
        ready_settings,
        send_mail,
    )

    kind = MailKind(args.kind)
    if kind.needs_cycle and args.cycle is None:
        raise CliError(_("Indiquez la distribution : --cycle ID (les numéros sont donnés par "
                         "« list cycles »)."))
    if not kind.needs_cycle and args.cycle is not None:
        raise CliError(_("Les relevés couvrent une période (--from, --to), pas une "
                         "distribution : retirez --cycle."))
    if kind.needs_cycle and (args.date_from or args.date_to):
        raise CliError(_("Les options --from et --to ne servent qu'aux relevés (statements)."))
    db = open_db(args.db)
    try:
        password = None
        if not args.dry_run:  # asked before the documents are drawn, not after
            settings = ready_settings(db=db, actor=_actor(args, db))
            password = os.environ.get(PASSWORD_VARIABLE) or None
            if password is None and password_missing(settings):
                password = _typed_password(settings.account)
        with tempfile.TemporaryDirectory(prefix="coopfood-envoi-") as folder:
            plan = plan_mail(db=db, actor=_actor(args, db), kind=kind, cycle_id=args.cycle,
                             date_from=args.date_from, date_to=args.date_to,
                             out_dir=Path(folder), progress=TextProgress(sys.stderr))
            out.write(plan.title + "\n")
            if args.dry_run:
                for message in plan.messages:
                    if message.status is PlanStatus.TO_SEND:
                        out.write(_message_line(message, _("À envoyer"), "") + "\n")
                        out.write(_("    Objet : {subject}\n").format(subject=message.subject))
                        out.write(_("    Pièces jointes : {files}\n").format(
                            files=", ".join(message.attachment_names)))
                    else:
                        out.write(_message_line(message, _("Ignoré"), message.status_text)
                                  + "\n")
                out.write(plan.summary + "\n")
                out.write(_("Simulation (--dry-run) : rien n'a été envoyé.\n"))
                return 0
            report = send_mail(db=db, actor=_actor(args, db), plan=plan, password=password,
                               progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    for result in report.results:
        out.write(_message_line(result.message, result.outcome.label, result.reason) + "\n")
    out.write(report.summary + "\n")
    return 0 if report.complete else 1


def _mail_settings(args: argparse.Namespace, out: TextIO, db: Database) -> int:
    from coopfood.services.mail import (
        MailSettingsInput,
        PasswordPlace,
        get_mail_settings,
        point_recipients,
        save_mail_settings,
    )

    current = get_mail_settings(db=db, actor=_actor(args, db))
    changes = (args.host, args.port, args.security, args.login, args.sender, args.sender_name,
               args.point)
    if all(value is None for value in changes) and not (args.store_password
                                                        or args.forget_password):
        if not current.configured:
            out.write(_("Aucun serveur d'envoi réglé : « mail settings --host SERVEUR --port "
                        "PORT --security starttls --login IDENTIFIANT --sender ADRESSE ».\n"))
            return 0
        out.write(_("Serveur : {server} ({security})\n").format(
            server=current.server, security=current.security.short_label))
        out.write(_("Identifiant : {login}\n").format(login=current.login or "—"))
        out.write(_("Expéditeur : {name} <{sender}>\n").format(
            name=current.sender_name or _("nom de la coopérative"), sender=current.sender))
        for point_id, addresses in sorted(point_recipients(db=db, actor=_actor(args, db)).items()):
            out.write(_("Point n° {id} : {addresses}\n").format(id=point_id,
                                                               addresses=", ".join(addresses)))
        return 0
    if args.store_password and args.forget_password:
        raise CliError(_("--store-password et --forget-password s'excluent."))
    security = args.security or current.security.value
    port: int | str = current.port
    if args.port is not None:
        port = args.port
    elif args.security is not None and current.port == current.security.default_port:
        port = _default_port(security)  # the usual port goes with the security chosen
    login = current.login if args.login is None else args.login
    password = None
    if args.forget_password:
        password = ""
    elif args.store_password:
        password = _typed_password(f"{login}@{args.host or current.host}")
    saved = save_mail_settings(db=db, actor=_actor(args, db), data=MailSettingsInput(
        host=current.host if args.host is None else args.host,
        port=port,
        security=security, login=login,
        sender=current.sender if args.sender is None else args.sender,
        sender_name=current.sender_name if args.sender_name is None else args.sender_name,
        password=password, point_recipients=dict(args.point or ())))
    settings = saved.settings
    out.write(_("Réglage enregistré : {server} ({security}), expéditeur {sender}.\n").format(
        server=settings.server, security=settings.security.short_label,
        sender=settings.sender))
    if saved.password is PasswordPlace.KEYRING:
        out.write(_("Mot de passe gardé dans le trousseau du système.\n"))
    elif saved.password is PasswordPlace.FORGOTTEN:
        out.write(_("Mot de passe retiré du trousseau.\n"))
    elif saved.password is PasswordPlace.NOT_KEPT:
        out.write(_("Aucun trousseau système utilisable : le mot de passe n'est pas gardé ; "
                    "donnez-le à chaque envoi (variable COOPFOOD_SMTP_PASSWORD ou au "
                    "clavier).\n"))
        return 1
    return 0


def _default_port(security: str) -> int:
    from coopfood.services.mail import Security

    return Security(security).default_port


def command_mail(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.i18n import format_datetime
    from coopfood.services.mail import mail_log, try_connection

    db = open_db(args.db)
    try:
        if args.mail_action == "settings":
            return _mail_settings(args, out, db)
        if args.mail_action == "test":
            report = _with_password(lambda password: try_connection(
                db=db, actor=_actor(args, db), password=password))
            out.write(report.text + "\n")
            return 0
        rows = mail_log(db=db, actor=_actor(args, db), cycle_id=args.cycle)
    finally:
        db.dispose()
    for row in rows:
        out.write("\t".join([format_datetime(row.at), row.kind_label, row.status.label,
                             row.recipient, row.subject, ", ".join(row.attachments),
                             row.error]) + "\n")
    if not rows:
        out.write(_("Aucun message envoyé.\n"))
    return 0


def _add_bank_parser(commands: Any) -> None:
    banking = commands.add_parser(
        "bank", help=_("importer un relevé bancaire, voir ce qui reste à rapprocher"),
        description=_(
            "import : lit un relevé (CSV du Crédit Agricole, du Crédit Mutuel / CIC, de La "
            "Banque Postale ou d'une correspondance de colonnes enregistrée, OFX, CAMT.053), "
            "enregistre ses lignes nouvelles — une ligne déjà importée n'est jamais ajoutée "
            "deux fois — puis les rapproche automatiquement (références des foyers, remises "
            "de chèques, virements aux producteurs, factures). Un fichier illisible est "
            "refusé en entier. unmatched : ce qui reste à rapprocher des deux côtés."))
    actions = banking.add_subparsers(dest="bank_action", title=_("actions"),
                                     metavar=_("ACTION"), parser_class=FrenchArgumentParser,
                                     required=True)
    importing = actions.add_parser(
        "import", help=_("importer un relevé et le rapprocher"),
        description=_("Importe un relevé bancaire et rapproche automatiquement ses lignes. "
                      "Code de sortie 1 si le fichier est refusé (rien n'est enregistré)."))
    importing.add_argument("file", type=Path, metavar=_("FICHIER"),
                           help=_("le relevé (.csv, .ofx, .xml)"))
    importing.add_argument("--mapping", metavar=_("NOM"),
                           help=_("la correspondance de colonnes enregistrée à utiliser pour "
                                  "un CSV d'une autre banque"))
    importing.add_argument("--account", metavar="IBAN",
                           help=_("le compte du relevé quand le fichier ne le dit pas (par "
                                  "défaut : l'IBAN de la coopérative)"))
    left = actions.add_parser(
        "unmatched", help=_("ce qui reste à rapprocher"),
        description=_("Les lignes du relevé pas (entièrement) rapprochées ni ignorées, puis "
                      "ce que le grand livre attend en banque sans ligne de relevé : "
                      "règlements par virement, remises de chèques, virements aux producteurs."))
    left.add_argument("--from", dest="date_from", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                      help=_("première date de la période"))
    left.add_argument("--to", dest="date_to", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                      help=_("dernière date de la période (incluse)"))


def command_bank(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.i18n import format_date, format_money
    from coopfood.services import bank

    db = open_db(args.db)
    try:
        if args.bank_action == "unmatched":
            left = bank.unmatched(db=db, actor=_actor(args, db), date_from=args.date_from,
                                  date_to=args.date_to)
            out.write(_("Lignes du relevé à rapprocher ({n}, {total}) :\n").format(
                n=len(left.lines), total=format_money(left.lines_total)))
            for line in left.lines:
                out.write("\t".join([format_date(line.booking_date, style="short"),
                                     format_money(line.remaining), line.label]) + "\n")
            out.write(_("Attendu en banque, sans ligne du relevé ({n}, {total}) :\n").format(
                n=len(left.expected), total=format_money(left.expected_total)))
            for row in left.expected:
                out.write("\t".join([format_date(row.day, style="short"),
                                     format_money(row.amount), row.nature, row.name,
                                     row.label]) + "\n")
            return 0
        report = bank.import_statement(db=db, actor=_actor(args, db), path=args.file,
                                       mapping=args.mapping, account=args.account,
                                       progress=TextProgress(sys.stderr))
        to_do = 0 if report.refused else bank.count_to_do(db=db, actor=_actor(args, db))
    finally:
        db.dispose()
    if report.refused:
        out.write(report.counts + "\n" + report.error + "\n")
        out.write(_("Rien n'a été enregistré.\n"))
        if report.unknown_layout:
            out.write(_("Définissez une correspondance de colonnes (fenêtre, Trésorerie › "
                        "Banque), puis relancez avec --mapping NOM.\n"))
        return 1
    out.write(_("Relevé « {file} » ({format}, compte {account}) :\n").format(
        file=report.source, format=report.format, account=report.account))
    out.write(report.counts + "\n")
    out.write(ngettext("{n} rapprochée automatiquement", "{n} rapprochées automatiquement",
                       report.matched).format(n=report.matched) + " ; "
              + ngettext("{n} ligne à traiter en tout.\n", "{n} lignes à traiter en tout.\n",
                         to_do).format(n=to_do))
    return 0


# --- users, the mode, members' data rights, the audit trail ---------------------------------

USER_ROLES = ("admin", "coordinator", "treasurer", "producer")


def _add_people_parsers(commands: Any) -> None:
    user = commands.add_parser(
        "user", help=_("gérer les utilisateurs (mode multi-utilisateur)"),
        description=_("Crée, liste, désactive les comptes et change leurs mots de passe. Un "
                      "nouveau mot de passe est lu dans COOPFOOD_NEW_PASSWORD, sinon demandé "
                      "deux fois."))
    actions = user.add_subparsers(dest="user_action", title=_("actions"), metavar=_("ACTION"),
                                  parser_class=FrenchArgumentParser, required=True)
    add = actions.add_parser("add", help=_("créer un compte"),
                             description=_("Crée un compte avec son rôle et son mot de passe."))
    add.add_argument("login", metavar=_("IDENTIFIANT"))
    add.add_argument("--role", required=True, choices=USER_ROLES, metavar=_("RÔLE"),
                     help=_("admin, coordinator, treasurer ou producer"))
    add.add_argument("--name", metavar=_("NOM"), help=_("le nom affiché (par défaut : "
                                                        "l'identifiant)"))
    add.add_argument("--point", type=int, action="append", metavar="ID",
                     help=_("coordinator : un point de distribution dont il s'occupe (à "
                            "répéter)"))
    add.add_argument("--producer", type=int, metavar="ID",
                     help=_("producer : le producteur dont c'est le compte"))
    listing = actions.add_parser("list", help=_("lister les comptes"),
                                 description=_("Un compte par ligne."))
    listing.add_argument("--json", action="store_true", help=_("sortie JSON pour les scripts"))
    for action, text in (("passwd", _("changer le mot de passe d'un compte")),
                         ("disable", _("désactiver un compte")),
                         ("enable", _("réactiver un compte"))):
        sub = actions.add_parser(action, help=text, description=text[:1].upper() + text[1:] + ".")
        sub.add_argument("login", metavar=_("IDENTIFIANT"))

    mode = commands.add_parser(
        "mode", help=_("afficher ou changer le mode : single (poste unique) ou multi"),
        description=_("single : pas d'identification, qui ouvre la base l'administre ; multi : "
                      "chacun se connecte avec son compte (créez d'abord un administrateur "
                      "avec « user add IDENTIFIANT --role admin »)."))
    mode.add_argument("mode", nargs="?", choices=("single", "multi"), metavar=_("MODE"),
                      help=_("single ou multi ; sans valeur, affiche le mode actuel"))

    member = commands.add_parser(
        "member", help=_("droits des adhérents (RGPD) : export, anonymisation, inactifs"),
        description=_("export : écrit tout ce que la base contient sur un foyer (JSON et CSV) ; "
                      "anonymise : efface ses données personnelles, ses comptes restent "
                      "(irréversible) ; inactive : les foyers sans activité depuis N années."))
    member_actions = member.add_subparsers(dest="member_action", title=_("actions"),
                                           metavar=_("ACTION"), required=True,
                                           parser_class=FrenchArgumentParser)
    export = member_actions.add_parser("export", help=_("exporter les données d'un foyer"),
                                       description=_("Écrit un fichier JSON et un zip de CSV."))
    export.add_argument("member_id", type=int, metavar="ID")
    export.add_argument("--out", type=Path, required=True, metavar=_("DOSSIER"),
                        help=_("le dossier où écrire (créé s'il n'existe pas)"))
    erase = member_actions.add_parser(
        "anonymise", help=_("effacer les données personnelles d'un foyer"),
        description=_("Remplace le nom par « Foyer anonymisé n° ID » et efface les contacts ; "
                      "commandes, écritures et factures restent. Irréversible."))
    erase.add_argument("member_id", type=int, metavar="ID")
    erase.add_argument("--yes", action="store_true",
                       help=_("ne pas demander de confirmation"))
    inactive = member_actions.add_parser(
        "inactive", help=_("lister les foyers inactifs"),
        description=_("Les foyers sans commande, écriture, contrat ni cotisation depuis N "
                      "années."))
    inactive.add_argument("--years", type=int, required=True, metavar="N")
    inactive.add_argument("--json", action="store_true", help=_("sortie JSON pour les scripts"))

    trail = commands.add_parser(
        "audit", help=_("chercher dans le journal des modifications"),
        description=_("search : les modifications (qui, quand, quoi, avant, après), les plus "
                      "récentes d'abord ; --out écrit toutes celles trouvées en CSV ou XLSX."))
    trail_actions = trail.add_subparsers(dest="audit_action", title=_("actions"),
                                         metavar=_("ACTION"), required=True,
                                         parser_class=FrenchArgumentParser)
    search = trail_actions.add_parser("search", help=_("chercher des modifications"),
                                      description=_("Filtres cumulables."))
    search.add_argument("--from", dest="date_from", type=_iso_date, metavar=_("AAAA-MM-JJ"))
    search.add_argument("--to", dest="date_to", type=_iso_date, metavar=_("AAAA-MM-JJ"))
    search.add_argument("--who", metavar=_("NOM"), help=_("qui a agi (une partie du nom)"))
    search.add_argument("--kind", metavar=_("TYPE"),
                        help=_("member, order, order_line, payment, invoice, user…"))
    search.add_argument("--member", type=int, metavar="ID", help=_("un foyer"))
    search.add_argument("--text", metavar=_("TEXTE"), help=_("des mots du résumé"))
    search.add_argument("--limit", type=int, default=200, metavar="N",
                        help=_("combien en afficher (par défaut : 200)"))
    search.add_argument("--out", type=Path, metavar=_("FICHIER"),
                        help=_("écrire toutes les modifications trouvées en .csv ou .xlsx"))


def _new_password(login: str) -> str:
    password = os.environ.get("COOPFOOD_NEW_PASSWORD")
    if password is not None:
        return password
    import getpass

    first = getpass.getpass(_("Nouveau mot de passe de {login} : ").format(login=login))
    if getpass.getpass(_("Le même, une seconde fois : ")) != first:
        raise CliError(_("Les deux mots de passe diffèrent : rien n'a été changé."))
    return first


def command_user(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services import Role, users

    db = open_db(args.db)
    try:
        actor = _actor(args, db)
        if args.user_action == "list":
            rows = users.list_users(db=db, actor=actor)
            if args.json:
                json.dump([dataclasses.asdict(row) for row in rows], out,
                          default=_json_default, ensure_ascii=False, indent=1)
                out.write("\n")
            for row in rows if not args.json else ():
                what = ", ".join(row.points) or row.producer
                out.write("\t".join([str(row.id), row.login, row.display_name, row.role.label,
                                     what, _("actif") if row.active else _("désactivé")]) + "\n")
            return 0
        if args.user_action == "add":
            data = users.UserInput(login=args.login, display_name=args.name or args.login,
                                   role=Role(args.role), point_ids=args.point or (),
                                   producer_id=args.producer)
            row = users.create_user(db=db, actor=actor, data=data,
                                    password=_new_password(args.login))
            out.write(_("Compte « {login} » créé : {role}.\n").format(login=row.login,
                                                                       role=row.role.label))
            return 0
        row = users.find_user(db=db, actor=actor, login=args.login)
        if args.user_action == "passwd":
            users.set_password(db=db, actor=actor, user_id=row.id,
                               password=_new_password(row.login))
            out.write(_("Mot de passe de « {login} » changé.\n").format(login=row.login))
        else:
            active = args.user_action == "enable"
            users.set_active(db=db, actor=actor, user_id=row.id, active=active)
            out.write((_("Compte « {login} » réactivé.\n") if active
                       else _("Compte « {login} » désactivé.\n")).format(login=row.login))
    finally:
        db.dispose()
    return 0


def command_mode(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.users import Mode, get_mode, set_mode

    db = open_db(args.db)
    try:
        if args.mode is None:
            mode = get_mode(db=db)
        else:
            mode = set_mode(db=db, actor=_actor(args, db), mode=Mode(args.mode))
    finally:
        db.dispose()
    out.write(_("Mode : {mode} ({label}).\n").format(mode=mode.value, label=mode.label))
    return 0


def command_member(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.i18n import format_date, format_money
    from coopfood.services import privacy

    db = open_db(args.db)
    try:
        actor = _actor(args, db)
        if args.member_action == "export":
            result = privacy.export_household(db=db, actor=actor, member_id=args.member_id,
                                              out_dir=args.out)
            out.write(f"{result.json_path}\n{result.csv_zip_path}\n")
        elif args.member_action == "anonymise":
            if not args.yes:
                if not sys.stdin.isatty():
                    raise CliError(_("L'anonymisation est irréversible : confirmez avec --yes."))
                answer = input(_("Effacer pour toujours les données personnelles du foyer "
                                 "n° {id} ? Tapez OUI pour confirmer : ").format(
                                     id=args.member_id))
                if answer.strip().upper() != _("OUI"):
                    raise CliError(_("Anonymisation abandonnée : rien n'a été changé."))
            done = privacy.anonymise_household(db=db, actor=actor, member_id=args.member_id)
            out.write(_("Foyer n° {id} anonymisé : « {name} », référence {reference} ; ses "
                        "comptes sont conservés.\n").format(
                id=done.member_id, name=done.name, reference=done.payment_reference))
        else:
            rows = privacy.inactive_households(db=db, actor=actor, years=args.years)
            if args.json:
                json.dump([dataclasses.asdict(row) for row in rows], out,
                          default=_json_default, ensure_ascii=False, indent=1)
                out.write("\n")
            else:
                for row in rows:
                    out.write("\t".join([
                        str(row.id), row.name, row.point, row.payment_reference,
                        format_date(row.last_activity, style="short") if row.last_activity
                        else "—", format_money(row.balance)]) + "\n")
    finally:
        db.dispose()
    return 0


def command_audit(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.i18n import format_datetime
    from coopfood.services import audit

    db = open_db(args.db)
    try:
        actor = _actor(args, db)
        filters = {"entity": args.kind, "member_id": args.member, "text": args.text,
                   "date_from": args.date_from, "date_to": args.date_to, "who": args.who}
        if args.out is not None:
            written = audit.export_trail(db=db, actor=actor, path=args.out, **filters)
            out.write(ngettext("{n} modification écrite dans {file}.\n",
                               "{n} modifications écrites dans {file}.\n", written).format(
                n=written, file=args.out))
            return 0
        rows = audit.search(db=db, actor=actor, limit=args.limit, **filters)
    finally:
        db.dispose()
    for row in rows:
        out.write("\t".join([format_datetime(row.at), row.actor_name, row.entity_label,
                             row.action, row.summary]) + "\n")
    return 0


# --- treasury: statements, balances, the demo's bank statement ------------------------------


def _add_treasury_parsers(commands: Any) -> None:
    balance = commands.add_parser(
        "balance", help=_("les soldes des foyers (ou des producteurs)"),
        description=_(
            "Le solde de chaque foyer au grand livre (ce qui a été dû, ce qui a été payé, ce "
            "qui reste), par nom, avec une ligne de total. Un solde positif est ce que le foyer "
            "doit encore ; négatif, son avance. Avec --producers, le solde de chaque "
            "producteur : négatif, ce que la coopérative lui doit encore."))
    balance.add_argument("--point", type=int, metavar="ID",
                         help=_("les foyers de ce point de distribution seulement"))
    balance.add_argument("--open", action="store_true",
                         help=_("seulement les soldes non nuls"))
    balance.add_argument("--producers", action="store_true",
                         help=_("les soldes des producteurs plutôt que des foyers"))
    balance.add_argument("--date", type=_iso_date, metavar=_("AAAA-MM-JJ"),
                         help=_("le solde à cette date (par défaut : aujourd'hui)"))
    balance.add_argument("--json", action="store_true", help=_("sortie JSON pour les scripts"))

    statement = commands.add_parser(
        "demo-statement", help=_("écrire le relevé bancaire d'un mois de la démo"),
        description=_(
            "Écrit le relevé du compte bancaire de la coopérative de démonstration pour un "
            "mois, tel que la banque l'exporte : les virements des foyers (la plupart avec "
            "leur référence ADH-…), les remises de chèques, un virement à un producteur, les "
            "frais bancaires et le virement d'un inconnu. Les virements des foyers du dernier "
            "mois de la démo ne sont pas encore au grand livre : importer ce relevé "
            "(« bank import FICHIER ») les rapproche."))
    statement.add_argument("--month", required=True, metavar=_("AAAA-MM"),
                           help=_("le mois du relevé"))
    statement.add_argument("--out", type=Path, required=True, metavar=_("FICHIER"),
                           help=_("le fichier à écrire"))
    statement.add_argument("--format", choices=("csv", "ofx", "camt"), default="csv",
                           help=_("csv : export du Crédit Agricole (par défaut) ; ofx ; camt : "
                                  "CAMT.053"))


def _print_statements(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.statements import summary, write_statements

    if args.cycle is not None:
        raise CliError(_("Un relevé de compte couvre une période (--from, --to), pas une "
                         "distribution : retirez --cycle."))
    db = open_db(args.db)
    try:
        written = write_statements(db=db, actor=_actor(args, db), member_ids=args.member,
                                   date_from=args.date_from, date_to=args.date_to,
                                   out_dir=args.out, point_ids=args.point,
                                   progress=TextProgress(sys.stderr))
    finally:
        db.dispose()
    out.write(summary(written) + "\n")
    for statement in written:
        out.write(f"{statement.path}\n")
    return 0


def command_balance(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.i18n import format_date, format_money
    from coopfood.services import ledger

    if args.producers and (args.point is not None):
        raise CliError(_("L'option --point ne sert qu'aux soldes des foyers."))
    db = open_db(args.db)
    try:
        actor = _actor(args, db)
        if args.producers:
            rows = ledger.producer_balances(db=db, actor=actor, as_of=args.date)
            if args.open:
                rows = [row for row in rows if row.balance]
        else:
            rows = ledger.member_balances(db=db, actor=actor, as_of=args.date,
                                          point_id=args.point, only_open=args.open)
    finally:
        db.dispose()
    if args.json:
        json.dump([{"id": row.member_id if row.member_id is not None else row.producer_id,
                    "name": row.name, "reference": row.reference, "point": row.point_name,
                    "due": row.due, "paid": row.paid, "balance": row.balance,
                    "last_payment": row.last_payment} for row in rows],
                  out, default=_json_default, ensure_ascii=False, indent=1)
        out.write("\n")
        return 0
    for row in rows:
        state = (ledger.format_balance(row.balance) if not args.producers else
                 _("à payer {amount}").format(amount=format_money(-row.balance))
                 if row.balance < 0 else _("à jour") if not row.balance else
                 _("trop payé {amount}").format(amount=format_money(row.balance)))
        last = format_date(row.last_payment, style="short") if row.last_payment else "—"
        fields = [str(row.member_id if row.member_id is not None else row.producer_id),
                  row.name, row.reference]
        if not args.producers:
            fields.append(row.point_name)
        out.write("\t".join([*fields, format_money(row.due), format_money(row.paid),
                             format_money(row.balance), state, last]) + "\n")
    total = sum((row.balance for row in rows), Decimal("0.00"))
    due = sum((row.balance for row in rows if row.balance > 0), Decimal("0.00"))
    ahead = -sum((row.balance for row in rows if row.balance < 0), Decimal("0.00"))
    if args.producers:
        out.write(_("Total : {n} producteurs, la coopérative leur doit {owed}.\n").format(
            n=len(rows), owed=format_money(ahead)))
    else:
        out.write(_("Total : {n} foyers, {due} à recevoir, {ahead} d'avance, solde "
                    "{total}.\n").format(n=len(rows), due=format_money(due),
                                         ahead=format_money(ahead), total=format_money(total)))
    return 0


def command_demo_statement(args: argparse.Namespace, out: TextIO) -> int:
    from coopfood.services.demo_treasury import BankFormat, write_demo_bank_statement

    db = open_db(args.db)
    try:
        written = write_demo_bank_statement(db=db, actor=_actor(args, db), month=args.month,
                                            path=args.out, format=BankFormat(args.format))
    finally:
        db.dispose()
    out.write(written.summary + "\n")
    out.write(f"{written.path}\n")
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
    "send": command_send,
    "mail": command_mail,
    "pay": command_pay,
    "cheque": command_cheque,
    "bank": command_bank,
    "user": command_user,
    "mode": command_mode,
    "member": command_member,
    "audit": command_audit,
    "balance": command_balance,
    "demo-statement": command_demo_statement,
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
