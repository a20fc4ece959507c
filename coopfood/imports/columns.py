"""The columns of each list, as the importer recognises them and the exporter names them.

One table per kind of list: the French name an export writes (`header`) and
the other names co-ops give the same column in their own spreadsheets. An
export therefore re-imports as it is. Orders are imported only; besides the
columns below, a file of orders has one column per product (see
`coopfood.imports.orders`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from coopfood.i18n import _
from coopfood.imports.reader import ImportFileError, normalize_header

#: The lists that are imported and exported.
Kind = Literal["producers", "products", "members"]
KINDS: tuple[Kind, ...] = ("producers", "products", "members")
#: What can be imported: the lists, and the orders of a distribution.
ImportKind = Literal["producers", "products", "members", "orders"]
IMPORT_KINDS: tuple[ImportKind, ...] = (*KINDS, "orders")


@dataclass(frozen=True)
class Column:
    """A column of an imported or exported list."""

    key: str
    #: Its name in an export, and in messages when the file does not name it.
    header: str
    synonyms: tuple[str, ...] = ()
    #: A file without it is refused as a whole.
    required: bool = False
    #: Written by exports for information, never imported (assigned by the application).
    read_only: bool = False

    @property
    def names(self) -> frozenset[str]:
        return frozenset(normalize_header(n) for n in (self.header, *self.synonyms))


_EMAIL = (
    "courriel",
    "e-mail",
    "mail",
    "mél",
    "adresse e-mail",
    "adresse mail",
    "adresse électronique",
)
_PHONE = (
    "tél",
    "tél.",
    "tel",
    "portable",
    "mobile",
    "téléphone portable",
    "numéro de téléphone",
    "n° de téléphone",
    "n° tél",
)
_ADDRESS = ("adresse postale", "rue")
_POSTAL_CODE = ("cp", "code_postal")
_CITY = ("commune", "localité")

MEMBER_COLUMNS: tuple[Column, ...] = (
    Column("last_name", "nom", ("nom de famille", "famille", "nom du foyer"), required=True),
    Column("first_name", "prénom", ("prenoms", "prénoms")),
    Column(
        "co_member_name",
        "co-adhérent",
        ("co-adhérente", "binôme", "coadhérent(e)", "second adhérent"),
    ),
    Column("email", "email", _EMAIL),
    Column("phone", "téléphone", _PHONE),
    Column("address", "adresse", _ADDRESS),
    Column("postal_code", "code postal", _POSTAL_CODE),
    Column("city", "ville", _CITY),
    Column(
        "point",
        "point de distribution",
        ("point", "lieu", "lieu de distribution", "point de retrait", "lieu de retrait"),
    ),
    Column(
        "fee_years",
        "adhésion",
        (
            "cotisation",
            "année adhésion",
            "année d'adhésion",
            "année de cotisation",
            "adhésion payée",
            "cotisation payée",
            "adhésions",
        ),
    ),
    Column(
        "fee_amount",
        "montant adhésion",
        ("montant cotisation", "montant de l'adhésion", "montant de la cotisation"),
    ),
    Column(
        "joined_on",
        "adhérent depuis",
        ("date d'inscription", "inscription", "date d'adhésion", "date adhésion", "inscrit le"),
    ),
    Column("print_phone", "téléphone imprimé", ("afficher téléphone", "imprimer téléphone")),
    Column("print_email", "email imprimé", ("afficher email", "imprimer email")),
    Column(
        "payment_reference", "référence", ("référence de paiement", "réf", "réf."), read_only=True
    ),
)

PRODUCER_COLUMNS: tuple[Column, ...] = (
    Column(
        "name",
        "raison sociale",
        ("nom", "producteur", "nom du producteur", "dénomination", "exploitation", "entreprise"),
        required=True,
    ),
    Column("legal_form", "forme juridique", ("statut juridique", "forme")),
    Column("siret", "siret", ("n° siret", "numéro siret", "numéro de siret")),
    Column(
        "vat_number",
        "n° tva",
        (
            "tva",
            "numéro de tva",
            "numéro tva",
            "tva intracommunautaire",
            "n° tva intracommunautaire",
            "n° de tva",
        ),
    ),
    Column("vat_regime", "régime tva", ("régime de tva", "régime", "régime fiscal")),
    Column("iban", "iban", ("rib",)),
    Column("bic", "bic", ("swift", "code bic")),
    Column("address", "adresse", _ADDRESS),
    Column("postal_code", "code postal", _POSTAL_CODE),
    Column("city", "ville", _CITY),
    Column("email", "email", _EMAIL),
    Column("phone", "téléphone", _PHONE),
    Column("contact_name", "contact", ("nom du contact", "interlocuteur", "personne à contacter")),
    Column(
        "billing_mandate_date",
        "mandat autofacturation",
        ("mandat d'autofacturation", "autofacturation", "date du mandat", "date mandat", "mandat"),
    ),
    Column("invoice_prefix", "préfixe facture", ("préfixe de facturation", "préfixe")),
)

PRODUCT_COLUMNS: tuple[Column, ...] = (
    Column(
        "producer",
        "producteur",
        ("nom du producteur", "fournisseur", "raison sociale"),
        required=True,
    ),
    Column(
        "name",
        "produit",
        ("nom", "nom du produit", "désignation", "article", "libellé"),
        required=True,
    ),
    Column("unit", "unité", ("unité de vente", "u")),
    Column("price_ht", "prix ht", ("prix unitaire ht", "prix producteur ht", "pu ht", "tarif ht")),
    Column("price_ttc", "prix ttc", ("prix unitaire ttc", "pu ttc", "tarif ttc")),
    Column("vat_rate", "tva", ("taux", "taux tva", "taux de tva", "tva %")),
    Column("variable_weight", "poids variable", ("au poids", "pesée", "à peser")),
    Column("case_pack", "colisage", ("colis", "par colis", "quantité par colis", "carton")),
    Column("category", "catégorie", ("rayon", "famille")),
    Column("label", "label", ("labels", "certification")),
    Column("active", "actif", ("en vente", "disponible")),
)

#: The household, the point, and for a file with one line per product ordered (the "long"
#: layout), the product and its quantity; in the "wide" layout each product has a column.
ORDER_COLUMNS: tuple[Column, ...] = (
    Column("email", "email", _EMAIL),
    Column("last_name", "nom", ("nom de famille",)),
    Column("first_name", "prénom", ("prenoms", "prénoms")),
    #: The whole name of the household in one column: « DUPONT Marie » or « Marie Dupont ».
    Column(
        "household",
        "foyer",
        (
            "adhérent",
            "adhérente",
            "adhérent(e)",
            "membre",
            "nom du foyer",
            "nom et prénom",
            "nom prénom",
            "prénom et nom",
            "prénom nom",
            "nom complet",
            "votre nom",
            "nom de l'adhérent",
        ),
    ),
    Column(
        "point",
        "point de distribution",
        ("point", "lieu", "lieu de distribution", "point de retrait", "lieu de retrait"),
    ),
    Column("product", "produit", ("nom du produit", "désignation", "article", "libellé")),
    Column("producer", "producteur", ("nom du producteur", "fournisseur")),
    Column(
        "quantity",
        "quantité",
        ("qté", "qte", "quantité commandée", "qté commandée"),
    ),
)

COLUMNS: dict[ImportKind, tuple[Column, ...]] = {
    "members": MEMBER_COLUMNS,
    "producers": PRODUCER_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "orders": ORDER_COLUMNS,
}

#: Columns of which at least one must be there.
ONE_OF: dict[ImportKind, tuple[str, ...]] = {
    "members": (),
    "producers": (),
    "products": ("price_ht", "price_ttc"),
    "orders": ("email", "last_name", "household"),
}


def column(kind: ImportKind, key: str) -> Column:
    return next(c for c in COLUMNS[kind] if c.key == key)


def known_headers(kind: ImportKind) -> frozenset[str]:
    return frozenset().union(*(c.names for c in COLUMNS[kind]))


@dataclass(frozen=True)
class HeaderMatch:
    """Where each known column is in a file, under the name the file gives it."""

    #: column key → position in the row
    positions: dict[str, int]
    #: column key → the header as written in the file
    headers: dict[str, str]
    #: headers of the file that name no known column
    ignored: tuple[str, ...]

    def header(self, kind: ImportKind, key: str) -> str | None:
        """How the user named a column, else its name in our exports (None: no such column)."""
        if key in self.headers:
            return self.headers[key]
        known = next((c for c in COLUMNS[kind] if c.key == key), None)
        return known.header if known else None


def match_headers(kind: ImportKind, headers: tuple[str, ...], file_name: str) -> HeaderMatch:
    """Find the known columns among `headers`; a missing required column refuses the file."""
    by_name = {name: c for c in COLUMNS[kind] for name in c.names}
    positions: dict[str, int] = {}
    found: dict[str, str] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        if not header:
            continue
        col = by_name.get(normalize_header(header))
        if col is None:
            ignored.append(header)
            continue
        if col.key in positions:
            raise ImportFileError(
                _(
                    "« {file} » : les colonnes « {first} » et « {second} » désignent la même "
                    "information ; gardez-en une seule."
                ).format(file=file_name, first=found[col.key], second=header)
            )
        positions[col.key] = position
        found[col.key] = header
    missing = [c.header for c in COLUMNS[kind] if c.required and c.key not in positions]
    if missing:
        raise ImportFileError(
            _(
                "« {file} » : colonne obligatoire absente : « {column} » (colonnes lues : {read})."
            ).format(
                file=file_name,
                column=missing[0],
                read=", ".join(f"« {h} »" for h in headers if h) or _("aucune"),
            )
        )
    one_of = ONE_OF[kind]
    if one_of and not any(key in positions for key in one_of):
        names = _(" ou ").join(f"« {column(kind, key).header} »" for key in one_of)
        raise ImportFileError(
            _("« {file} » : colonne obligatoire absente : {columns}.").format(
                file=file_name, columns=names
            )
        )
    return HeaderMatch(positions=positions, headers=found, ignored=tuple(ignored))
