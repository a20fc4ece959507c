"""The French material the demonstration database is made of.

Names, places, producers' catalogues with their units and VAT rates, basket
types: plain constants, read by `coopfood.services.demo`, which draws from them
with a seeded random generator. Everything here is fictitious; e-mail domains
are the reserved `example.*` ones and phone numbers are drawn from the
04 65 71 block the ARCEP keeps for works of fiction (its mobile block, 06 39 98,
is refused by the phone number check of the forms), so a demo never reaches a
real person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from coopfood.domain.enums import Frequency, Unit
from coopfood.domain.vat import VatRegime

# --- calendar ----------------------------------------------------------------------------

FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)
FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")

#: The co-op's distribution day (0 = Monday): every point distributes on it, as a
#: cycle has one distribution date for all its points.
DISTRIBUTION_WEEKDAY = 3


def months(first: int, last: int) -> tuple[int, ...]:
    """The months from `first` to `last` included, wrapping over the new year."""
    if first <= last:
        return tuple(range(first, last + 1))
    return tuple(range(first, 13)) + tuple(range(1, last + 1))


# --- the co-op ---------------------------------------------------------------------------

COOP_NAME = "AMAP Les Paniers du Plateau"
COOP_LEGAL_FORM = "Association loi 1901"
COOP_ADDRESS = "Maison des associations, 28 rue Denfert-Rochereau"
COOP_POSTAL_CODE = "69004"
COOP_CITY = "Lyon"
COOP_EMAIL = "contact@paniers-du-plateau.example.org"
COOP_PHONE = "04 65 71 00 01"
#: The fiction block phone numbers are drawn from (four digits follow).
PHONE_BLOCK = "04 65 71"
#: The RNA number of a Rhône association (prefecture code 691).
COOP_RNA_PREFIX = "W691"
COOP_FEE_PERCENT = "5.00"
COOP_PAYMENT_TERMS_DAYS = 30

#: (bank code, branch code) of French banks; the account numbers are made up.
BANKS: tuple[tuple[str, str], ...] = (
    ("42559", "10000"),  # Crédit Coopératif
    ("10278", "07300"),  # Crédit Mutuel
    ("30004", "00819"),  # BNP Paribas
    ("20041", "01007"),  # La Banque Postale
    ("13906", "00050"),  # Crédit Agricole Sud Rhône Alpes
    ("17806", "00410"),  # Crédit Agricole Centre-Est
    ("30002", "00721"),  # LCL
    ("10107", "00118"),  # BRED
)
COOP_BANK = ("42559", "10000")

MEMBERSHIP_FEES = ("10.00", "15.00", "15.00", "20.00")
SHIFT_ROLES = ("Installation", "Distribution", "Distribution", "Caisse")


# --- distribution points -----------------------------------------------------------------


@dataclass(frozen=True)
class PointTemplate:
    name: str
    address: str
    postal_code: str
    city: str
    start: dt.time
    end: dt.time
    #: Where its members live: (postal code, city).
    towns: tuple[tuple[str, str], ...]


def _t(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


_PLATEAU = (("69004", "Lyon"), ("69001", "Lyon"), ("69300", "Caluire-et-Cuire"))

POINTS: tuple[PointTemplate, ...] = (
    PointTemplate("Salle des fêtes de Caluire", "2 place Jules Ferry", "69300",
                  "Caluire-et-Cuire", _t("18:00"), _t("19:30"),
                  (("69300", "Caluire-et-Cuire"), ("69300", "Caluire-et-Cuire"),
                   ("69140", "Rillieux-la-Pape"), ("69004", "Lyon"))),
    PointTemplate("Marché couvert de la Croix-Rousse", "8 place de la Croix-Rousse", "69004",
                  "Lyon", _t("17:30"), _t("19:30"), _PLATEAU),
    PointTemplate("Biocoop du Plateau", "34 grande rue de la Croix-Rousse", "69004", "Lyon",
                  _t("18:30"), _t("20:00"), _PLATEAU),
    PointTemplate("Maison des associations de Villeurbanne", "17 rue Francis de Pressensé",
                  "69100", "Villeurbanne", _t("18:00"), _t("20:00"),
                  (("69100", "Villeurbanne"), ("69120", "Vaulx-en-Velin"))),
    PointTemplate("Centre social de Vaise", "12 rue de la Pépinière royale", "69009", "Lyon",
                  _t("17:00"), _t("19:00"), (("69009", "Lyon"), ("69130", "Écully"),
                                             ("69160", "Tassin-la-Demi-Lune"))),
    PointTemplate("Grange de la ferme de Montcelet", "Chemin de Montcelet", "69270",
                  "Fontaines-sur-Saône", _t("17:30"), _t("19:30"),
                  (("69270", "Fontaines-sur-Saône"), ("69270", "Rochetaillée-sur-Saône"),
                   ("69250", "Neuville-sur-Saône"))),
    PointTemplate("Épicerie coopérative de la Guillotière", "41 rue de Marseille", "69007",
                  "Lyon", _t("18:00"), _t("20:00"), (("69007", "Lyon"), ("69003", "Lyon"))),
    PointTemplate("MJC de Sathonay-Camp", "5 avenue Paul Delorme", "69580", "Sathonay-Camp",
                  _t("18:30"), _t("20:00"), (("69580", "Sathonay-Camp"),
                                             ("69580", "Sathonay-Village"))),
    PointTemplate("Salle polyvalente de Rillieux-la-Pape", "Place Maréchal Lyautey", "69140",
                  "Rillieux-la-Pape", _t("18:00"), _t("19:30"), (("69140", "Rillieux-la-Pape"),)),
    PointTemplate("Préau de l'école Jean Macé", "21 rue Jaboulay", "69007", "Lyon",
                  _t("16:30"), _t("18:30"), (("69007", "Lyon"), ("69008", "Lyon"))),
    PointTemplate("Halle de Villefranche", "Place des Arts", "69400",
                  "Villefranche-sur-Saône", _t("17:00"), _t("19:00"),
                  (("69400", "Villefranche-sur-Saône"), ("69400", "Gleizé"))),
    PointTemplate("Salle des fêtes de Décines", "9 rue Émile Zola", "69150",
                  "Décines-Charpieu", _t("18:00"), _t("19:30"), (("69150", "Décines-Charpieu"),)),
)

STREETS = (
    "rue de la République", "rue Victor Hugo", "rue Jean Jaurès", "avenue de la Libération",
    "rue des Tilleuls", "rue du Bon Pasteur", "montée de la Grande Côte", "rue d'Austerlitz",
    "rue Dumenge", "rue Hénon", "boulevard des Canuts", "rue Jacquard", "rue Pierre Dupont",
    "chemin des Vignes", "rue de l'Église", "impasse des Lilas", "allée des Peupliers",
    "rue Pasteur", "rue Voltaire", "place Bellevue", "rue du Mail", "rue Chariot d'Or",
    "rue Belfort", "rue Philippe de Lassalle", "rue Jeanne d'Arc", "avenue Général Leclerc",
    "rue des Écoles", "chemin du Moulin", "rue de la Gare", "rue Émile Zola",
)

# --- people ------------------------------------------------------------------------------

FIRST_NAMES_F = (
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Pauline",
    "Claire", "Anne", "Sophie", "Isabelle", "Nathalie", "Céline", "Élodie", "Aurélie",
    "Mathilde", "Lucie", "Juliette", "Charlotte", "Alice", "Louise", "Jeanne", "Agathe",
    "Margaux", "Clémence", "Hélène", "Sandrine", "Valérie", "Christine", "Françoise",
    "Monique", "Catherine", "Brigitte", "Martine", "Sylvie", "Véronique", "Laurence",
    "Amandine", "Émilie", "Audrey", "Caroline", "Estelle", "Noémie", "Zoé", "Anaïs",
    "Océane", "Laura", "Fatima", "Yasmine", "Aïcha", "Leïla", "Nadia", "Mélanie",
    "Gaëlle", "Solène", "Maëlle", "Éloïse", "Bérénice", "Capucine", "Apolline", "Héloïse",
    "Josiane", "Geneviève", "Odile", "Danielle", "Colette", "Marion",
)
FIRST_NAMES_M = (
    "Thomas", "Nicolas", "Julien", "Maxime", "Alexandre", "Antoine", "Pierre", "Louis",
    "Hugo", "Lucas", "Paul", "Arthur", "Jules", "Gabriel", "Raphaël", "Mathieu", "Sébastien",
    "Olivier", "Laurent", "Philippe", "Michel", "Jean", "Jacques", "Alain", "Bernard",
    "François", "Christophe", "Stéphane", "Frédéric", "Éric", "David", "Guillaume",
    "Benoît", "Damien", "Romain", "Vincent", "Yann", "Loïc", "Gaël", "Cédric", "Jérôme",
    "Xavier", "Baptiste", "Théo", "Clément", "Quentin", "Florian", "Adrien", "Bastien",
    "Mehdi", "Karim", "Rachid", "Youssef", "Samir", "Hervé", "Gérard", "Daniel", "René",
    "Emmanuel", "Fabien", "Grégoire", "Étienne", "Noé", "Timothée", "Joël", "Patrice",
)
LAST_NAMES = (
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois",
    "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand",
    "Morel", "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau",
    "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc", "Guérin",
    "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
    "Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer",
    "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
    "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre",
    "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois",
    "Pierre", "Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
    "Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger", "Carpentier",
    "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet", "Vasseur", "Perez",
    "Boucher", "Fleury", "Royer", "Klein", "Jacquet", "Adam", "Paris", "Poirier", "Marty",
    "Aubry", "Guyot", "Carré", "Charles", "Renault", "Charpentier", "Ménard", "Maillard",
    "Baron", "Bertin", "Bailly", "Hervé", "Schneider", "Fernandez", "Le Gall", "Collet",
    "Léger", "Bouvier", "Julien", "Prévost", "Millet", "Perrot", "Daniel", "Le Roux",
    "Cousin", "Germain", "Breton", "Besson", "Langlois", "Rémy", "Le Goff", "Pelletier",
    "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun", "Marchal", "Weber", "Mallet",
    "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud", "Rodriguez", "Guichard", "Gillet",
    "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier", "Collin", "Chauvin", "Da Silva",
    "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal", "Humbert", "Reynaud", "Antoine",
    "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon", "Lejeune", "Gilbert", "Lamy",
    "Delaunay", "Pasquier", "Carlier", "Laporte", "Nguyen", "Benali", "Haddad", "N'Diaye",
    "Traoré", "Mansouri", "Ferreira", "Bertholon", "Chapuis", "Jacquemet", "Rivoire",
)
EMAIL_DOMAINS = ("example.org", "example.net", "example.com")

#: Places a farm is named after.
FARM_PLACES = (
    "la Combe", "Montcelet", "la Source", "Bel-Air", "la Dombes", "Pré Vert", "la Roche",
    "Bois Joli", "la Croix", "Saint-Bonnet", "la Vernée", "Grange Neuve", "la Tuilière",
    "Fontfroide", "la Garenne", "Chantemerle", "Beauregard", "la Brosse", "Mont Brouilly",
    "la Chapelle", "les Granges", "la Thuilerie", "Champ Fleuri", "la Bruyère", "l'Étang",
    "Vernay", "la Pierre Bleue", "la Côte", "Charbonnières", "les Trois Chênes",
    "la Doye", "Grand Champ", "la Motte", "Montrond", "la Fougère", "la Clairière",
    "Sous-la-Roche", "la Ravoire", "Bellevue", "la Ferrière", "Chaponost", "Vaugneray",
    "Yzeron", "la Bâtie", "Saint-Romain", "les Monts d'Or", "la Valette", "Marcy",
)

# --- producers' catalogues ---------------------------------------------------------------


@dataclass(frozen=True)
class ProductTemplate:
    name: str
    unit: Unit
    #: Producer's price excluding VAT, in euros.
    price: str
    vat: str = "5.50"
    #: Priced per kg, weighed at delivery.
    variable: bool = False
    #: Typical quantity ordered (an estimated weight for a variable-weight item).
    typical: str = "1"
    #: Units per case the producer delivers in (colisage).
    pack: int | None = None
    #: Incomplete cases are cut rather than completed.
    cut: bool = False
    #: Months the product is on offer; empty: all year.
    season: tuple[int, ...] = ()
    #: Category, when not the producer's usual one.
    category: str = ""


P = ProductTemplate
KG, PIECE, BUNCH, TRAY = Unit.KG, Unit.PIECE, Unit.BUNCH, Unit.TRAY
JAR, BOTTLE, LITRE, DOZEN = Unit.JAR, Unit.BOTTLE, Unit.LITRE, Unit.DOZEN

VEGETABLES = (
    P("Carottes", KG, "2.40"),
    P("Carottes fanes", BUNCH, "2.20", season=months(4, 7)),
    P("Pommes de terre", KG, "1.80"),
    P("Pommes de terre nouvelles", KG, "2.90", season=months(5, 8)),
    P("Oignons jaunes", KG, "2.50"),
    P("Oignons rouges", KG, "3.20"),
    P("Échalotes", KG, "6.50"),
    P("Ail (tête)", PIECE, "1.00"),
    P("Poireaux", KG, "3.20", season=months(9, 4)),
    P("Céleri-rave", PIECE, "2.50", season=months(10, 3)),
    P("Céleri branche", PIECE, "2.20", season=months(7, 11)),
    P("Betteraves rouges", KG, "2.80"),
    P("Navets", BUNCH, "2.40", season=months(10, 5)),
    P("Radis roses", BUNCH, "1.60", season=months(3, 10)),
    P("Radis noir", PIECE, "1.50", season=months(10, 3)),
    P("Panais", KG, "3.80", season=months(10, 3)),
    P("Topinambours", KG, "3.50", season=months(10, 3)),
    P("Rutabaga", KG, "2.50", season=months(11, 2)),
    P("Chou vert", PIECE, "2.50", season=months(10, 3)),
    P("Chou rouge", PIECE, "2.50", season=months(10, 3)),
    P("Chou-fleur", PIECE, "2.90", season=months(9, 4)),
    P("Chou kale", BUNCH, "2.50", season=months(10, 3)),
    P("Brocoli", PIECE, "2.40", season=months(6, 11)),
    P("Choux de Bruxelles", KG, "4.50", season=months(11, 2)),
    P("Potimarron", KG, "2.90", season=months(9, 2)),
    P("Courge butternut", KG, "2.90", season=months(9, 2)),
    P("Courge musquée de Provence", KG, "2.50", season=months(9, 2)),
    P("Mâche (barquette 150 g)", TRAY, "2.20", season=months(10, 3)),
    P("Épinards", KG, "5.50", season=(3, 4, 5, 9, 10, 11)),
    P("Salade batavia", PIECE, "1.30", season=months(4, 11)),
    P("Laitue", PIECE, "1.20", season=months(4, 10)),
    P("Scarole", PIECE, "1.80", season=months(9, 12)),
    P("Frisée", PIECE, "1.80", season=months(9, 12)),
    P("Endives", KG, "4.80", season=months(11, 3)),
    P("Tomates", KG, "4.20", season=months(7, 9)),
    P("Tomates cerises (barquette 250 g)", TRAY, "3.20", season=months(7, 9)),
    P("Tomates cœur de bœuf", KG, "5.50", season=months(7, 9)),
    P("Courgettes", KG, "2.90", season=months(6, 9)),
    P("Aubergines", KG, "4.20", season=months(7, 9)),
    P("Poivrons", KG, "5.50", season=months(7, 9)),
    P("Concombre", PIECE, "1.50", season=months(6, 9)),
    P("Haricots verts", KG, "7.50", season=months(6, 9)),
    P("Petits pois", KG, "6.50", season=(5, 6)),
    P("Fèves", KG, "4.50", season=(5, 6)),
    P("Fenouil", KG, "3.90", season=months(6, 10)),
    P("Blettes", BUNCH, "2.50", season=months(5, 11)),
    P("Persil", BUNCH, "1.20"),
    P("Ciboulette", BUNCH, "1.20", season=months(3, 10)),
    P("Basilic", BUNCH, "1.80", season=months(6, 9)),
    P("Coriandre", BUNCH, "1.30", season=months(4, 10)),
    P("Asperges vertes (botte 500 g)", BUNCH, "6.50", season=(4, 5)),
    P("Artichauts", PIECE, "1.60", season=months(5, 9)),
    P("Maïs doux", PIECE, "1.00", season=(8, 9)),
    P("Patates douces", KG, "4.50", season=months(9, 12)),
    P("Cresson", BUNCH, "1.90", season=months(10, 4)),
)

FRUITS = (
    P("Pommes Golden", KG, "2.60", season=months(9, 5)),
    P("Pommes Reinette grise du Canada", KG, "2.90", season=months(10, 4)),
    P("Pommes Gala", KG, "2.60", season=months(9, 4)),
    P("Pommes Chantecler", KG, "2.70", season=months(10, 4)),
    P("Pommes Jonagold", KG, "2.60", season=months(10, 4)),
    P("Poires Conférence", KG, "3.20", season=months(9, 2)),
    P("Poires Williams", KG, "3.40", season=months(8, 10)),
    P("Poires Doyenné du Comice", KG, "3.50", season=months(10, 1)),
    P("Cerises", KG, "8.50", season=(6, 7)),
    P("Abricots", KG, "5.50", season=months(6, 8)),
    P("Pêches jaunes", KG, "4.50", season=(7, 8)),
    P("Pêches de vigne", KG, "6.00", season=(8, 9)),
    P("Nectarines", KG, "4.50", season=(7, 8)),
    P("Prunes Reine-Claude", KG, "4.20", season=(8, 9)),
    P("Mirabelles", KG, "5.00", season=(8, 9)),
    P("Quetsches", KG, "3.90", season=(8, 9)),
    P("Fraises (barquette 500 g)", TRAY, "3.90", season=months(5, 7)),
    P("Framboises (barquette 250 g)", TRAY, "4.50", season=months(6, 9)),
    P("Groseilles (barquette 250 g)", TRAY, "3.50", season=(6, 7)),
    P("Cassis (barquette 250 g)", TRAY, "3.80", season=(7,)),
    P("Myrtilles (barquette 250 g)", TRAY, "4.90", season=(7, 8)),
    P("Melon", PIECE, "2.90", season=months(7, 9)),
    P("Raisin chasselas", KG, "4.50", season=(9, 10)),
    P("Noix", KG, "9.00", season=months(10, 4)),
    P("Châtaignes", KG, "6.50", season=months(10, 12)),
    P("Kiwis", KG, "4.00", season=months(11, 3)),
    P("Coings", KG, "3.50", season=(10, 11)),
    P("Jus de pomme (1 L)", BOTTLE, "3.20", pack=6, category="Boissons"),
    P("Jus de pomme-poire (1 L)", BOTTLE, "3.50", pack=6, category="Boissons"),
    P("Nectar d'abricot (75 cl)", BOTTLE, "4.20", pack=6, category="Boissons"),
    P("Cidre brut (75 cl)", BOTTLE, "4.50", vat="20.00", pack=6, category="Boissons"),
    P("Compote de pommes (pot 700 g)", JAR, "3.80", pack=12, category="Épicerie"),
    P("Vinaigre de cidre (50 cl)", BOTTLE, "3.90", category="Épicerie"),
)

GOAT_CHEESES = (
    P("Crottin de chèvre frais", PIECE, "1.60", typical="2"),
    P("Crottin de chèvre affiné", PIECE, "1.80", typical="2"),
    P("Bûche de chèvre cendrée", PIECE, "5.50"),
    P("Pyramide de chèvre", PIECE, "5.20"),
    P("Tomme de chèvre", KG, "24.00", variable=True, typical="0.300"),
    P("Faisselle de chèvre", JAR, "2.20"),
    P("Chèvre frais ail et fines herbes", PIECE, "2.20"),
    P("Chèvre à l'huile (bocal)", JAR, "8.50"),
    P("Yaourt au lait de chèvre", JAR, "0.95", typical="4", pack=12,
      category="Produits laitiers"),
    P("Lait de chèvre", LITRE, "2.20", category="Produits laitiers"),
    P("Picodon", PIECE, "2.10", typical="2"),
    P("Rigotte de Condrieu", PIECE, "1.90", typical="2"),
    P("Brique de chèvre", PIECE, "4.20"),
    P("Chèvre demi-sec", PIECE, "1.90", typical="2"),
    P("Cabécou", PIECE, "1.40", typical="3"),
    P("Savon au lait de chèvre", PIECE, "5.50", vat="20.00", category="Hygiène"),
)

DAIRY = (
    P("Lait cru entier", LITRE, "1.40", typical="2", category="Produits laitiers"),
    P("Lait demi-écrémé", LITRE, "1.30", typical="2", category="Produits laitiers"),
    P("Yaourt nature", JAR, "0.80", typical="4", pack=12, category="Produits laitiers"),
    P("Yaourt à la vanille", JAR, "0.95", typical="4", pack=12, category="Produits laitiers"),
    P("Yaourt aux fruits rouges", JAR, "0.95", typical="4", pack=12,
      category="Produits laitiers"),
    P("Fromage blanc (pot 500 g)", JAR, "3.20", category="Produits laitiers"),
    P("Crème fraîche épaisse (25 cl)", JAR, "2.90", category="Produits laitiers"),
    P("Beurre doux (250 g)", PIECE, "3.50", category="Produits laitiers"),
    P("Beurre demi-sel (250 g)", PIECE, "3.60", category="Produits laitiers"),
    P("Tomme de Savoie", KG, "18.00", variable=True, typical="0.400"),
    P("Saint-Marcellin", PIECE, "2.20", typical="2"),
    P("Reblochon fermier", PIECE, "8.50"),
    P("Comté 18 mois", KG, "26.00", variable=True, typical="0.300"),
    P("Raclette fermière", KG, "19.00", variable=True, typical="0.500", season=months(10, 3)),
    P("Bleu fermier", KG, "22.00", variable=True, typical="0.250"),
    P("Raclette fumée", KG, "21.00", variable=True, typical="0.400", season=months(10, 3)),
    P("Riz au lait (pot 150 g)", JAR, "2.20", typical="2", category="Produits laitiers"),
    P("Crème dessert au chocolat", JAR, "1.30", typical="2", category="Produits laitiers"),
    P("Tome fraîche", KG, "14.00", variable=True, typical="0.500"),
    P("Petits-suisses (lot de 6)", PIECE, "2.40", category="Produits laitiers"),
    P("Faisselle (pot 500 g)", JAR, "2.80", category="Produits laitiers"),
)

WINES = (
    P("Côtes-du-Rhône rouge (75 cl)", BOTTLE, "9.50", vat="20.00", pack=6),
    P("Côtes-du-Rhône blanc (75 cl)", BOTTLE, "10.50", vat="20.00", pack=6),
    P("Beaujolais-Villages rouge (75 cl)", BOTTLE, "8.90", vat="20.00", pack=6),
    P("Brouilly (75 cl)", BOTTLE, "11.50", vat="20.00", pack=6),
    P("Morgon Côte du Py (75 cl)", BOTTLE, "13.00", vat="20.00", pack=6),
    P("Saint-Joseph rouge (75 cl)", BOTTLE, "18.00", vat="20.00", pack=6),
    P("Crozes-Hermitage rouge (75 cl)", BOTTLE, "15.50", vat="20.00", pack=6),
    P("Condrieu (75 cl)", BOTTLE, "32.00", vat="20.00", pack=6, cut=True),
    P("Viognier IGP (75 cl)", BOTTLE, "11.00", vat="20.00", pack=6),
    P("Rosé IGP Collines rhodaniennes (75 cl)", BOTTLE, "8.50", vat="20.00", pack=6,
      season=months(4, 9)),
    P("Crémant de Die (75 cl)", BOTTLE, "11.50", vat="20.00", pack=6),
    P("Clairette de Die tradition (75 cl)", BOTTLE, "10.50", vat="20.00", pack=6),
    P("Vin rouge de pays (cubi 5 L)", PIECE, "22.00", vat="20.00"),
    P("Gamay sans sulfites ajoutés (75 cl)", BOTTLE, "12.00", vat="20.00", pack=6),
    P("Jus de raisin (1 L)", BOTTLE, "4.20", pack=6),
)

MEATS = (
    P("Entrecôte", KG, "28.00", variable=True, typical="0.400"),
    P("Faux-filet", KG, "27.00", variable=True, typical="0.400"),
    P("Rumsteck", KG, "24.00", variable=True, typical="0.500"),
    P("Bavette", KG, "22.00", variable=True, typical="0.400"),
    P("Rôti de bœuf", KG, "26.00", variable=True, typical="1.000"),
    P("Bœuf bourguignon", KG, "14.50", variable=True, typical="1.000"),
    P("Pot-au-feu", KG, "12.50", variable=True, typical="1.500", season=months(10, 3)),
    P("Steaks hachés (4 × 125 g)", TRAY, "8.90"),
    P("Viande hachée", KG, "15.50", variable=True, typical="0.500"),
    P("Côte de bœuf", KG, "29.00", variable=True, typical="1.100"),
    P("Blanquette de veau", KG, "17.50", variable=True, typical="0.800"),
    P("Escalopes de veau", KG, "32.00", variable=True, typical="0.400"),
    P("Rôti de veau", KG, "30.00", variable=True, typical="0.900"),
    P("Côtes de porc", KG, "13.50", variable=True, typical="0.600"),
    P("Rôti de porc", KG, "14.50", variable=True, typical="1.000"),
    P("Filet mignon de porc", KG, "22.00", variable=True, typical="0.500"),
    P("Saucisses de Toulouse", KG, "13.00", variable=True, typical="0.500"),
    P("Chipolatas", KG, "13.50", variable=True, typical="0.500", season=months(4, 9)),
    P("Poitrine fumée", KG, "14.00", variable=True, typical="0.300"),
    P("Jambon blanc (tranches)", KG, "24.00", variable=True, typical="0.250"),
    P("Saucisson sec", PIECE, "7.50"),
    P("Rosette de Lyon", KG, "25.00", variable=True, typical="0.350"),
    P("Pâté de campagne (bocal)", JAR, "5.50", pack=12, category="Épicerie"),
    P("Rillettes (bocal)", JAR, "6.00", pack=12, category="Épicerie"),
    P("Terrine de campagne (bocal)", JAR, "5.80", pack=12, category="Épicerie"),
    P("Merguez", KG, "14.00", variable=True, typical="0.500", season=months(4, 9)),
    P("Boudin noir", KG, "12.00", variable=True, typical="0.400", season=months(10, 3)),
    P("Gigot d'agneau", KG, "26.00", variable=True, typical="1.500"),
    P("Côtelettes d'agneau", KG, "28.00", variable=True, typical="0.500"),
    P("Navarin d'agneau", KG, "18.00", variable=True, typical="1.000"),
)

POULTRY = (
    P("Œufs plein air", DOZEN, "4.20", category="Œufs"),
    P("Œufs plein air (boîte de 6)", PIECE, "2.20", category="Œufs"),
    P("Œufs extra-frais", DOZEN, "4.60", category="Œufs"),
    P("Œufs de cane (boîte de 6)", PIECE, "3.50", category="Œufs"),
    P("Poulet fermier entier", KG, "11.50", variable=True, typical="1.800"),
    P("Pintade", KG, "13.50", variable=True, typical="1.400"),
    P("Cuisses de poulet", KG, "12.50", variable=True, typical="0.800"),
    P("Filets de poulet", KG, "22.00", variable=True, typical="0.500"),
    P("Ailes de poulet", KG, "9.50", variable=True, typical="0.600"),
    P("Canette", KG, "14.00", variable=True, typical="1.500"),
    P("Chapon", KG, "18.50", variable=True, typical="3.000", season=(12,)),
    P("Foies de volaille (barquette)", TRAY, "3.50"),
    P("Terrine de volaille (bocal)", JAR, "5.50", category="Épicerie"),
    P("Poule à bouillir", PIECE, "9.00"),
)

BREADS = (
    P("Pain de campagne (1 kg)", PIECE, "5.20"),
    P("Pain complet (750 g)", PIECE, "4.50"),
    P("Pain de seigle (500 g)", PIECE, "3.80"),
    P("Pain au petit épeautre (500 g)", PIECE, "5.50"),
    P("Pain aux noix (500 g)", PIECE, "5.20"),
    P("Pain aux graines (500 g)", PIECE, "4.40"),
    P("Pain de mie (500 g)", PIECE, "4.20"),
    P("Baguette de tradition", PIECE, "1.30", typical="2"),
    P("Miche au levain (au poids)", KG, "5.40", variable=True, typical="0.500"),
    P("Brioche (400 g)", PIECE, "6.50"),
    P("Fougasse aux olives", PIECE, "3.90"),
    P("Pain d'épices", PIECE, "6.50", category="Épicerie"),
    P("Sablés au beurre (sachet 200 g)", PIECE, "4.50", category="Épicerie"),
    P("Croissant", PIECE, "1.30", typical="3"),
    P("Pain au chocolat", PIECE, "1.40", typical="3"),
    P("Galette des rois (6 parts)", PIECE, "14.00", season=(1,)),
    P("Farine de blé T80 (1 kg)", PIECE, "2.60", category="Épicerie"),
)

HONEYS = (
    P("Miel de fleurs (500 g)", JAR, "7.50", pack=12),
    P("Miel d'acacia (500 g)", JAR, "9.50", pack=12),
    P("Miel de châtaignier (500 g)", JAR, "8.50", pack=12),
    P("Miel de lavande (500 g)", JAR, "10.00", pack=12, cut=True),
    P("Miel de montagne (1 kg)", JAR, "15.00"),
    P("Miel crémeux de printemps (250 g)", JAR, "4.80", pack=12),
    P("Pollen (250 g)", JAR, "9.00"),
    P("Pain d'épices au miel", PIECE, "7.00", category="Épicerie"),
    P("Bonbons au miel (sachet 100 g)", PIECE, "3.50", vat="20.00", category="Confiserie"),
    P("Nougat au miel (100 g)", PIECE, "4.20", vat="20.00", category="Confiserie"),
    P("Bougie en cire d'abeille", PIECE, "8.00", vat="20.00", category="Maison"),
)

BEERS = (
    P("Bière blonde (33 cl)", BOTTLE, "2.60", vat="20.00", typical="2", pack=12, cut=True),
    P("Bière blanche (33 cl)", BOTTLE, "2.70", vat="20.00", typical="2", pack=12, cut=True),
    P("Bière ambrée (33 cl)", BOTTLE, "2.80", vat="20.00", typical="2", pack=12),
    P("Bière brune (33 cl)", BOTTLE, "2.90", vat="20.00", typical="2", pack=12),
    P("IPA (33 cl)", BOTTLE, "3.10", vat="20.00", typical="2", pack=12),
    P("Bière de Noël (75 cl)", BOTTLE, "6.50", vat="20.00", season=(11, 12)),
    P("Bière blonde (75 cl)", BOTTLE, "5.50", vat="20.00", pack=6),
    P("Limonade artisanale (33 cl)", BOTTLE, "2.20", typical="2", pack=12),
    P("Sirop de sureau (50 cl)", BOTTLE, "6.50"),
    P("Kombucha (33 cl)", BOTTLE, "3.20", pack=12),
)

MILL = (
    P("Farine de blé T65 (1 kg)", PIECE, "2.40"),
    P("Farine de blé T110 (1 kg)", PIECE, "2.60"),
    P("Farine de petit épeautre (1 kg)", PIECE, "5.50"),
    P("Farine de sarrasin (1 kg)", PIECE, "4.20"),
    P("Farine de seigle (1 kg)", PIECE, "2.90"),
    P("Lentilles vertes (500 g)", PIECE, "3.20"),
    P("Pois chiches (500 g)", PIECE, "3.00"),
    P("Haricots blancs lingots (500 g)", PIECE, "3.90"),
    P("Pois cassés (500 g)", PIECE, "2.80"),
    P("Flocons d'avoine (500 g)", PIECE, "2.50"),
    P("Huile de tournesol (1 L)", BOTTLE, "6.50", pack=6),
    P("Huile de colza (1 L)", BOTTLE, "5.90", pack=6),
    P("Huile de noix (50 cl)", BOTTLE, "14.00"),
    P("Pâtes artisanales (500 g)", PIECE, "3.80"),
    P("Quinoa (500 g)", PIECE, "5.50"),
    P("Sarrasin décortiqué (500 g)", PIECE, "3.50"),
    P("Huile de cameline (25 cl)", BOTTLE, "6.50"),
    P("Graines de tournesol (250 g)", PIECE, "2.50"),
)

PRESERVES = (
    P("Confiture de fraises (350 g)", JAR, "5.20", pack=12),
    P("Confiture d'abricots (350 g)", JAR, "5.20", pack=12),
    P("Confiture de framboises (350 g)", JAR, "5.80", pack=12),
    P("Gelée de groseilles (350 g)", JAR, "5.00", pack=12),
    P("Confiture de figues (350 g)", JAR, "5.50", pack=12),
    P("Confiture de cerises noires (350 g)", JAR, "5.50", pack=12),
    P("Crème de marrons (350 g)", JAR, "5.80", pack=12),
    P("Coulis de tomates (720 ml)", JAR, "4.80", pack=12),
    P("Ratatouille (bocal 720 ml)", JAR, "6.50"),
    P("Soupe de potiron (1 L)", BOTTLE, "5.50", season=months(10, 3)),
    P("Jus de tomate (1 L)", BOTTLE, "4.20", pack=6, category="Boissons"),
    P("Pesto d'ail des ours (90 g)", JAR, "5.50"),
    P("Pickles de légumes (pot 350 g)", JAR, "5.00"),
    P("Sirop de menthe (50 cl)", BOTTLE, "5.50", category="Boissons"),
    P("Chutney d'oignons (pot 200 g)", JAR, "4.90"),
)

#: Plants and flowers are taxed at 10 %.
PLANTS = tuple(replace(p, vat="10.00") for p in (
    P("Plants de tomates (godet)", PIECE, "2.20", typical="3", season=months(4, 6)),
    P("Plants de courgettes (godet)", PIECE, "2.20", typical="2", season=months(4, 6)),
    P("Plants de salades (barquette de 6)", TRAY, "3.50", season=months(3, 9)),
    P("Plants d'aromatiques (pot)", JAR, "3.50", season=months(3, 10)),
    P("Plants de fraisiers (barquette de 6)", TRAY, "7.50", season=(3, 4, 5, 8, 9)),
    P("Bouquet de saison", PIECE, "12.00"),
    P("Bouquet de tulipes", BUNCH, "8.00", season=months(3, 5)),
    P("Bouquet de pivoines", BUNCH, "12.00", season=(5, 6)),
    P("Dahlias (botte)", BUNCH, "9.00", season=months(7, 10)),
    P("Chrysanthèmes (pot)", JAR, "9.50", season=(10, 11)),
    P("Couronne de l'Avent", PIECE, "25.00", season=(11, 12)),
    P("Houx (botte)", BUNCH, "6.00", season=(12,)),
    P("Sapin de Noël (1,50 m)", PIECE, "35.00", season=(12,)),
    P("Bulbes de tulipes (sachet de 10)", PIECE, "5.50", season=months(9, 11)),
    P("Plants de poireaux (botte de 50)", BUNCH, "6.00", season=months(5, 7)),
    P("Plants de choux (barquette de 6)", TRAY, "3.80", season=months(5, 7)),
    P("Lavande (pot)", JAR, "6.50", season=months(4, 9)),
))

SOAPS = (
    P("Savon à l'huile d'olive", PIECE, "5.50", vat="20.00"),
    P("Savon au miel", PIECE, "5.50", vat="20.00"),
    P("Savon à la lavande", PIECE, "5.50", vat="20.00"),
    P("Shampoing solide", PIECE, "8.50", vat="20.00"),
    P("Savon au lait d'ânesse", PIECE, "6.50", vat="20.00"),
    P("Liquide vaisselle (500 ml)", BOTTLE, "4.50", vat="20.00", category="Maison"),
    P("Lessive au savon de Marseille (1 L)", BOTTLE, "7.50", vat="20.00", category="Maison"),
    P("Baume à lèvres", PIECE, "4.50", vat="20.00"),
    P("Déodorant solide", PIECE, "8.00", vat="20.00"),
    P("Savon noir (1 L)", BOTTLE, "8.50", vat="20.00", category="Maison"),
)


# --- basket types ------------------------------------------------------------------------


@dataclass(frozen=True)
class BasketTemplate:
    name: str
    #: What the member pays per basket, VAT included, in euros.
    price: str
    #: How the weekly composition is drawn (see `demo._basket_contents`).
    composition: str
    #: Share of the co-op's households subscribing.
    take_up: float
    #: Chance a subscriber takes it every other week only.
    fortnightly: float
    #: Households subscribe to one basket of the group at most (small or large).
    group: str


#: Basket compositions drawn from a producer's own catalogue, in season.
VEG_SMALL, VEG_LARGE = "veg_small", "veg_large"

# --- producers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProducerKind:
    """A trade; its catalogue lists the staples first."""

    key: str
    category: str
    catalogue: tuple[ProductTemplate, ...]
    baskets: tuple[BasketTemplate, ...]
    #: A farm (may be under the flat-rate farmers' scheme).
    farmer: bool
    #: AMAP direct sale: the invoices are made out to each household.
    sells_to_households: bool
    trade: str
    name_patterns: tuple[str, ...]
    legal_forms: tuple[str, ...]
    #: How many of the large demo's 80 producers are of this kind.
    large_count: int


VEGETABLE_KIND = ProducerKind(
    "maraicher", "Légumes", VEGETABLES,
    (BasketTemplate("Panier légumes — petit", "12.00", VEG_SMALL, 0.38, 0.25, "veg"),
     BasketTemplate("Panier légumes — grand", "20.00", VEG_LARGE, 0.27, 0.15, "veg")),
    True, True, "maraîchage",
    ("Les Jardins de {place}", "Le Potager de {place}", "Ferme maraîchère de {place}",
     "Les Légumes de {place}"),
    ("GAEC", "EARL", "SCEA", "EI"), 16,
)
FRUIT_KIND = ProducerKind(
    "arboriculteur", "Fruits", FRUITS,
    (BasketTemplate("Panier fruits", "9.00", "fruits", 0.25, 0.4, "fruits"),),
    True, False, "arboriculture",
    ("Les Vergers de {place}", "Vergers et Pressoir de {place}", "Domaine fruitier de {place}"),
    ("EARL", "GAEC", "SCEA", "EI"), 7,
)
GOAT_KIND = ProducerKind(
    "chevrier", "Fromages", GOAT_CHEESES,
    (BasketTemplate("Panier fromages de chèvre", "8.00", "goat", 0.14, 0.6, "goat"),),
    True, False, "élevage caprin et fromagerie",
    ("Chèvrerie de {place}", "La Ferme des Chèvres de {place}", "Fromagerie de {place}"),
    ("GAEC", "EARL", "EI"), 5,
)
DAIRY_KIND = ProducerKind(
    "laitier", "Fromages", DAIRY, (), True, False, "élevage laitier et fromagerie",
    ("Laiterie de {place}", "La Ferme laitière de {place}", "Fromagerie fermière de {place}"),
    ("GAEC", "EARL", "SCEA"), 6,
)
WINE_KIND = ProducerKind(
    "vigneron", "Boissons", WINES, (), True, False, "viticulture",
    ("Domaine de {place}", "Domaine des Coteaux de {place}", "Château de {place}",
     "Cave de {place}"),
    ("SCEA", "EARL", "GAEC", "SARL"), 6,
)
MEAT_KIND = ProducerKind(
    "eleveur", "Viandes", MEATS,
    (BasketTemplate("Colis viande — mixte", "32.00", "meat", 0.2, 0.85, "meat"),),
    True, True, "élevage bovin, porcin et ovin",
    ("Élevage de {place}", "La Ferme de {place}", "Les Prés de {place}"),
    ("EARL", "GAEC", "SCEA", "EI"), 8,
)
POULTRY_KIND = ProducerKind(
    "aviculteur", "Volailles", POULTRY,
    (BasketTemplate("Panier œufs — 6 œufs", "2.40", "eggs6", 0.2, 0.1, "eggs"),
     BasketTemplate("Panier œufs — 12 œufs", "4.60", "eggs12", 0.16, 0.1, "eggs")),
    True, False, "aviculture",
    ("La Ferme des Poules de {place}", "Volailles de {place}", "La Basse-cour de {place}"),
    ("EI", "EARL", "GAEC"), 6,
)
BREAD_KIND = ProducerKind(
    "boulanger", "Pain", BREADS,
    (BasketTemplate("Pain de la semaine", "5.20", "bread", 0.18, 0.0, "bread"),),
    False, False, "boulangerie paysanne",
    ("Le Fournil de {place}", "Boulangerie paysanne de {place}", "Les Pains de {place}"),
    ("EI", "SARL", "SCOP"), 6,
)
HONEY_KIND = ProducerKind(
    "apiculteur", "Miel", HONEYS, (), True, False, "apiculture",
    ("Les Ruchers de {place}", "Miellerie de {place}", "Le Rucher de {place}"),
    ("EI",), 4,
)
BEER_KIND = ProducerKind(
    "brasseur", "Boissons", BEERS, (), False, False, "brasserie artisanale",
    ("Brasserie de {place}", "La Brasserie artisanale de {place}"),
    ("SARL", "SAS", "SCOP"), 3,
)
MILL_KIND = ProducerKind(
    "meunier", "Épicerie", MILL, (), True, False, "grandes cultures et meunerie",
    ("Moulin de {place}", "Les Champs de {place}", "Huilerie de {place}"),
    ("EARL", "SCEA", "GAEC"), 4,
)
PRESERVES_KIND = ProducerKind(
    "conserverie", "Épicerie", PRESERVES, (), False, False, "conserverie artisanale",
    ("Les Bocaux de {place}", "Conserverie de {place}", "Les Délices de {place}"),
    ("EI", "SARL"), 4,
)
PLANTS_KIND = ProducerKind(
    "horticulteur", "Plants et fleurs", PLANTS, (), True, False, "horticulture",
    ("Les Jardins fleuris de {place}", "Pépinière de {place}", "Les Fleurs de {place}"),
    ("EI", "EARL"), 3,
)
SOAP_KIND = ProducerKind(
    "savonnier", "Hygiène", SOAPS, (), False, False, "savonnerie artisanale",
    ("Savonnerie de {place}", "Les Savons de {place}"),
    ("EI", "SARL"), 2,
)

KINDS: tuple[ProducerKind, ...] = (
    VEGETABLE_KIND, FRUIT_KIND, GOAT_KIND, DAIRY_KIND, WINE_KIND, MEAT_KIND, POULTRY_KIND,
    BREAD_KIND, HONEY_KIND, BEER_KIND, MILL_KIND, PRESERVES_KIND, PLANTS_KIND, SOAP_KIND,
)

LABELS = ("AB", "Nature & Progrès", "")


@dataclass(frozen=True)
class ProducerTemplate:
    """One of the small demo's twelve producers, written out by hand."""

    kind: ProducerKind
    name: str
    legal_form: str
    regime: VatRegime
    product_count: int
    contact: str
    address: str
    postal_code: str
    city: str
    label: str
    has_mandate: bool = True


SMALL_PRODUCERS: tuple[ProducerTemplate, ...] = (
    ProducerTemplate(VEGETABLE_KIND, "GAEC du Pré Vert", "GAEC", VatRegime.NORMAL, 30,
                     "Mathieu Dupré", "La Grange du Pré Vert", "01700", "Miribel", "AB"),
    ProducerTemplate(FRUIT_KIND, "EARL Les Vergers de la Dombes", "EARL", VatRegime.NORMAL, 16,
                     "Sandrine Giraud", "Route de Villars", "01330", "Ambérieux-en-Dombes",
                     "AB"),
    ProducerTemplate(GOAT_KIND, "GAEC Chèvrerie des Monts d'Or", "GAEC", VatRegime.NORMAL, 14,
                     "Élodie Perret", "Chemin du Mont Thou", "69450", "Saint-Cyr-au-Mont-d'Or",
                     "Nature & Progrès"),
    ProducerTemplate(WINE_KIND, "SCEA Domaine des Coteaux de Brouilly", "SCEA",
                     VatRegime.NORMAL, 10, "Bertrand Chapuis", "Le Bourg", "69460", "Odenas",
                     "AB", has_mandate=False),
    ProducerTemplate(MEAT_KIND, "EARL Élevage du Bois Joli", "EARL", VatRegime.NORMAL, 16,
                     "Jacques Rivoire", "Lieu-dit Bois Joli", "69590", "Saint-Symphorien-sur-Coise",
                     ""),
    ProducerTemplate(HONEY_KIND, "Les Ruchers de Julien Roux", "EI (micro-entreprise)",
                     VatRegime.FRANCHISE, 8, "Julien Roux", "12 chemin des Abeilles", "69630",
                     "Chaponost", "AB"),
    ProducerTemplate(BREAD_KIND, "Le Fournil de la Source", "EI (micro-entreprise)",
                     VatRegime.FRANCHISE, 10, "Claire Bertholon", "3 impasse de la Source",
                     "69290", "Craponne", "AB"),
    ProducerTemplate(POULTRY_KIND, "La Ferme des Poules de Montcelet", "EI",
                     VatRegime.FLAT_RATE_FARMER, 8, "René Jacquemet", "Ferme de Montcelet",
                     "69270", "Fontaines-sur-Saône", "Nature & Progrès"),
    ProducerTemplate(BEER_KIND, "Brasserie du Plateau", "SARL", VatRegime.NORMAL, 8,
                     "Karim Mansouri", "27 rue Dumenge", "69004", "Lyon", "AB"),
    ProducerTemplate(MILL_KIND, "SCEA Moulin de la Vallée d'Azergues", "SCEA", VatRegime.NORMAL,
                     10, "Hervé Guichard", "Le Moulin", "69620", "Le Bois-d'Oingt", "AB"),
    ProducerTemplate(PLANTS_KIND, "Les Jardins fleuris de Claire", "EI (micro-entreprise)",
                     VatRegime.FRANCHISE, 8, "Claire Lamy", "Chemin des Serres", "69280",
                     "Marcy-l'Étoile", "", has_mandate=False),
    ProducerTemplate(DAIRY_KIND, "GAEC de la Combe", "GAEC", VatRegime.NORMAL, 12,
                     "Benoît Carlier", "La Combe", "69850", "Saint-Martin-en-Haut", ""),
)

#: Towns producers of the large demo farm in: (postal code, city).
PRODUCER_TOWNS = (
    ("01700", "Miribel"), ("01330", "Ambérieux-en-Dombes"), ("69460", "Odenas"),
    ("69590", "Saint-Symphorien-sur-Coise"), ("69630", "Chaponost"), ("69290", "Craponne"),
    ("69620", "Le Bois-d'Oingt"), ("69280", "Marcy-l'Étoile"), ("69850", "Saint-Martin-en-Haut"),
    ("69440", "Mornant"), ("69610", "Sainte-Foy-l'Argentière"), ("01390", "Saint-André-de-Corcy"),
    ("38540", "Heyrieux"), ("42140", "Chazelles-sur-Lyon"), ("69220", "Belleville-en-Beaujolais"),
    ("69840", "Juliénas"), ("69170", "Tarare"), ("69700", "Givors"), ("38200", "Vienne"),
    ("01600", "Trévoux"), ("69510", "Thurins"), ("69490", "Pontcharra-sur-Turdine"),
)

FREQUENCIES = (Frequency.WEEKLY, Frequency.FORTNIGHTLY)
