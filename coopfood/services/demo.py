"""A demonstration co-op: a French AMAP with producers, households and a season of orders.

`build_demo` fills an empty database in one transaction. The content is drawn
from `demo_data` with `random.Random(seed)` and anchored on `as_of`, so the same
(seed, as_of) always gives the same database, row for row. The large size (a
year of weekly distributions for 2,000 households, about a million order
lines) is written with Core `INSERT`s of plain dicts carrying their own
primary keys, chunk by chunk, cycle by cycle, so memory stays flat and no
RETURNING round-trip is needed.
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import random
import re
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from schwifty import IBAN
from sqlalchemy import Table, bindparam, exists, insert, select, text, update
from sqlalchemy.orm import Session

from coopfood.domain.enums import (
    CaseRule,
    CycleState,
    Frequency,
    InvoiceBuyer,
    LineSource,
    ShareMode,
    ShortfallRule,
    Unit,
)
from coopfood.domain.money import MILLI, round_cents
from coopfood.domain.vat import VatRegime, charges_vat, member_price, price_with_vat
from coopfood.i18n import _
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Base,
    BasketContent,
    BasketType,
    Contract,
    ContractSkip,
    Coop,
    Cycle,
    CycleOffer,
    CyclePoint,
    DistributionPoint,
    Member,
    MembershipFee,
    Order,
    OrderLine,
    Producer,
    Product,
    ProductPrice,
    Shift,
)
from coopfood.services import (
    Actor,
    PermissionDenied,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services import demo_data as data
from coopfood.services.demo_treasury import build_treasury

Row = dict[str, Any]

#: Rows per INSERT statement.
CHUNK = 10_000

ZERO_QTY = Decimal("0.000")
HALF_BASKET = Decimal("0.500")
ONE = Decimal("1.000")
NO_VAT = Decimal("0.00")


class DemoSize(enum.StrEnum):
    SMALL = "small"
    LARGE = "large"

    @property
    def label(self) -> str:
        return {DemoSize.SMALL: _("Petite"), DemoSize.LARGE: _("Grande")}[self]


@dataclass(frozen=True)
class DemoCounts:
    """What a demo of a size holds (orders and lines vary with the seed)."""

    points: int
    producers: int
    products: int
    members: int
    cycles: int
    #: Pairs of households sharing their vegetable basket.
    shared_pairs: int


DEMO_SIZES: dict[DemoSize, DemoCounts] = {
    DemoSize.SMALL: DemoCounts(points=3, producers=12, products=150, members=150, cycles=8,
                               shared_pairs=10),
    DemoSize.LARGE: DemoCounts(points=10, producers=80, products=1200, members=2000, cycles=52,
                               shared_pairs=130),
}


def demo_size_counts(size: DemoSize | str) -> DemoCounts:
    """The counts of points, producers, products, households and cycles of a demo size."""
    return DEMO_SIZES[DemoSize(size)]


@dataclass(frozen=True)
class DemoSummary:
    points: int
    producers: int
    products: int
    members: int
    contracts: int
    cycles: int
    orders: int
    order_lines: int
    seconds: float


@dataclass(frozen=True)
class _Behaviour:
    """How the households of a demo size order, per week."""

    #: Range of the chance a household orders à la carte in a given week.
    participation: tuple[float, float]
    #: Range of the number of à la carte lines of an order.
    lines: tuple[int, int]
    #: Range of the number of products a household habitually buys.
    favourites: tuple[int, int]
    #: Products missing from a past delivery, per cycle.
    missing: tuple[int, int]
    #: Share of past orders nobody came to collect.
    absent_rate: float
    #: Share of products whose price changed during the period.
    price_changes: float


_BEHAVIOUR = {
    DemoSize.SMALL: _Behaviour(participation=(0.55, 1.0), lines=(1, 7), favourites=(10, 25),
                               missing=(0, 1), absent_rate=0.02, price_changes=0.1),
    DemoSize.LARGE: _Behaviour(participation=(0.85, 1.0), lines=(5, 14), favourites=(30, 60),
                               missing=(1, 3), absent_rate=0.015, price_changes=0.15),
}

#: How often a category ends up in a basket (relative weights).
_POPULARITY = {
    "Légumes": 3.0, "Fruits": 2.5, "Pain": 2.5, "Œufs": 3.0, "Produits laitiers": 2.0,
    "Fromages": 1.5, "Viandes": 1.0, "Volailles": 1.0, "Boissons": 0.8, "Miel": 0.6,
    "Épicerie": 0.8, "Confiserie": 0.4, "Plants et fleurs": 0.3, "Hygiène": 0.3, "Maison": 0.3,
}


_COMPANY_FORMS = ("GAEC", "EARL", "SCEA", "SARL", "SAS", "SCOP")
_STOPWORDS = ("LE", "LA", "LES", "L", "DE", "DU", "DES", "D", "ET", "AU", "AUX", "EN")

# --- identifiers ------------------------------------------------------------------------


def _luhn_digit(body: str) -> str:
    """The digit that makes `body` + digit pass the Luhn check."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def _siren(rng: random.Random, used: set[str]) -> str:
    while True:
        body = rng.choice("34589") + "".join(rng.choice("0123456789") for _ in range(7))
        siren = body + _luhn_digit(body)
        if siren not in used:
            used.add(siren)
            return siren


def _siret(siren: str, rng: random.Random) -> str:
    """A SIRET of the SIREN: an establishment number (NIC) whose last digit is a key."""
    body = siren + f"{rng.randint(1, 5):04d}"
    return body + _luhn_digit(body)


def _vat_number(siren: str) -> str:
    """The French intra-community VAT number of a SIREN (key computed modulo 97)."""
    key = (12 + 3 * (int(siren) % 97)) % 97
    return f"FR{key:02d}{siren}"


def _bank_account(
    rng: random.Random, bank: tuple[str, str] | None = None
) -> tuple[str, str | None]:
    """A valid French IBAN (RIB key and IBAN check digits) and the bank's BIC."""
    bank_code, branch_code = bank or rng.choice(data.BANKS)
    account = f"{rng.randint(0, 10**11 - 1):011d}"
    iban = IBAN.generate("FR", bank_code=bank_code, branch_code=branch_code, account_code=account)
    bic = iban.bic
    return str(iban.compact), (str(bic) if bic is not None else None)


def _ascii(text: str) -> str:
    text = text.replace("Œ", "OE").replace("œ", "oe").replace("Æ", "AE").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")


def _alphabetical(last_name: str, first_name: str, member_id: int) -> tuple[str, str, int]:
    """French alphabetical order of households: accents and case do not count."""
    return (_ascii(last_name).casefold(), _ascii(first_name).casefold(), member_id)


def _french_date(day: dt.date) -> str:
    number = "1er" if day.day == 1 else str(day.day)
    return (f"{data.FRENCH_WEEKDAYS[day.weekday()]} {number} "
            f"{data.FRENCH_MONTHS[day.month - 1]} {day.year}")


def _ht_for_ttc(ttc: Decimal, rate: Decimal) -> Decimal:
    """A price excluding VAT whose price with VAT is `ttc` exactly, if there is one."""
    guess = round_cents(ttc * 100 / (100 + rate))
    for cents in (0, 1, -1, 2, -2):
        candidate = guess + Decimal(cents) / 100
        if price_with_vat(candidate, rate) == ttc:
            return candidate
    return guess


def _season(day: dt.date) -> tuple[dt.date, dt.date]:
    """The AMAP season a day falls in: winter from October to March, summer April to September."""
    if day.month >= 10:
        return dt.date(day.year, 10, 1), dt.date(day.year + 1, 3, 31)
    if day.month <= 3:
        return dt.date(day.year - 1, 10, 1), dt.date(day.year, 3, 31)
    return dt.date(day.year, 4, 1), dt.date(day.year, 9, 30)


def _quantity_options(template: data.ProductTemplate) -> tuple[Decimal, ...]:
    """The quantities a household orders of a product, to draw from."""
    typical = Decimal(template.typical)
    if template.variable:
        step = Decimal("0.050")
        return tuple(
            max(step, ((typical * factor / 100) / step).to_integral_value(ROUND_HALF_UP) * step)
            .quantize(MILLI)
            for factor in (80, 90, 100, 100, 110, 125, 150)
        )
    raw: tuple[str, ...]
    if template.unit is Unit.KG:
        raw = ("0.5", "1", "1", "1", "1.5", "2")
    elif typical > 1:
        n = int(typical)
        raw = tuple(str(x) for x in (max(1, n // 2), n, n, n + 1, 2 * n))
    elif template.unit is Unit.BOTTLE and template.pack:
        raw = ("1", "1", "2", "3", str(template.pack))
    else:
        raw = ("1", "1", "1", "1", "2", "2", "3")
    return tuple(Decimal(x).quantize(MILLI) for x in raw)


# --- what the builder keeps in memory -------------------------------------------------------


@dataclass(eq=False)
class _ProducerInfo:
    id: int
    kind: data.ProducerKind
    name: str
    charges_vat: bool
    label: str
    city: str


@dataclass(eq=False)
class _ProductInfo:
    id: int
    producer: _ProducerInfo
    template: data.ProductTemplate
    active: bool
    options: tuple[Decimal, ...]
    popularity: float
    #: (valid from, price excluding VAT), oldest first.
    prices: list[tuple[dt.date, Decimal]] = field(default_factory=list)

    def price_on(self, day: dt.date) -> Decimal:
        current = self.prices[0][1]
        for valid_from, price in self.prices:
            if valid_from <= day:
                current = price
        return current

    def in_season(self, month: int) -> bool:
        return not self.template.season or month in self.template.season


@dataclass(eq=False)
class _MemberInfo:
    id: int
    last_name: str
    first_name: str
    point_index: int
    joined_on: dt.date
    participation: float
    favourites: list[_ProductInfo]
    partner_id: int | None = None


@dataclass(eq=False)
class _BasketInfo:
    id: int
    producer: _ProducerInfo
    template: data.BasketTemplate
    price_ht: Decimal
    vat_rate: Decimal
    #: What the member pays per basket.
    price_per_basket: Decimal


@dataclass
class _Delivery:
    """A subscription basket a household collects at a distribution."""

    contract_id: int
    basket: _BasketInfo
    quantity: Decimal
    member_price: Decimal


@dataclass
class _Tally:
    points: int = 0
    producers: int = 0
    products: int = 0
    members: int = 0
    contracts: int = 0
    cycles: int = 0
    orders: int = 0
    order_lines: int = 0


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _cut_incomplete_cases(lines: list[Row], packs: dict[int, Decimal]) -> None:
    """Closing under the 'cut' rule: only full cases are ordered, the last orders are cut.

    `packs` gives the case size of the products sold by the case under that rule; the
    allocated (and so delivered) quantities of their latest lines are reduced.
    """
    by_product: dict[int, list[Row]] = {}
    for line in lines:
        if line["product_id"] in packs:
            by_product.setdefault(line["product_id"], []).append(line)
    for product_id, product_lines in by_product.items():
        total = sum((line["quantity_ordered"] for line in product_lines), ZERO_QTY)
        excess = total % packs[product_id]
        latest_first = sorted(product_lines, key=lambda line: (line["created_at"], line["id"]),
                              reverse=True)
        for line in latest_first:
            if not excess:
                break
            cut = min(excess, line["quantity_allocated"])
            line["quantity_allocated"] -= cut
            excess -= cut
            if line["quantity_delivered"] is not None:
                line["quantity_delivered"] = min(line["quantity_delivered"],
                                                 line["quantity_allocated"])


def _chunks(rows: Sequence[Row]) -> Iterator[Sequence[Row]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start:start + CHUNK]


class _Builder:
    """Draws the demo and writes it, in the caller's transaction."""

    def __init__(self, *, session: Session, size: DemoSize, seed: int, as_of: dt.date,
                 progress: ProgressCallback, counts: DemoCounts | None = None) -> None:
        self.session = session
        self.size = size
        self.counts = counts or DEMO_SIZES[size]
        self.behaviour = _BEHAVIOUR[size]
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.progress = progress
        self.tally = _Tally()
        self.ids: dict[str, Iterator[int]] = {}
        self.sirens: set[str] = set()
        # Numbers of the fiction block, never twice the same.
        self.phones = iter(self.rng.sample(range(2, 10_000), 9_990))
        self.dates = self._distribution_dates()
        self.stamp = dt.datetime.combine(self.dates[0] - dt.timedelta(days=120), dt.time(9, 0),
                                         tzinfo=dt.UTC)
        self.steps = 7 + len(self.dates)
        self.done = 0
        self.fee_percent = Decimal(data.COOP_FEE_PERCENT)
        self.producers: list[_ProducerInfo] = []
        self.products: list[_ProductInfo] = []
        self.members: list[_MemberInfo] = []
        #: Per point, its households in alphabetical order (the sign-in sheet's order).
        self.members_by_point: list[list[_MemberInfo]] = [[] for _ in range(self.counts.points)]
        self.product_counts: list[int] = []
        self.baskets: list[_BasketInfo] = []
        #: Per cycle index: member id → the baskets collected.
        self.deliveries: list[dict[int, list[_Delivery]]] = [{} for _ in self.dates]
        #: The cycles' ids, known before they are written: contracts' skips cite them.
        self.cycle_ids = [self.next_id("cycle") for _ in self.dates]
        #: Baskets of contracts not taken on a date (written once the cycles exist).
        self.skips: list[Row] = []

    # -- plumbing

    def next_id(self, table: str) -> int:
        counter = self.ids.setdefault(table, itertools.count(1))
        return next(counter)

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        for chunk in _chunks(rows):
            self.session.execute(insert(table), chunk)

    def step(self, what: str) -> None:
        self.done += 1
        self.progress(self.done, self.steps, what)

    def timestamps(self, when: dt.datetime | None = None) -> Row:
        moment = when or self.stamp
        return {"created_at": moment, "updated_at": moment}

    def phone(self) -> str:
        number = next(self.phones)
        return f"{data.PHONE_BLOCK} {number // 100:02d} {number % 100:02d}"

    def _distribution_dates(self) -> list[dt.date]:
        """The distribution days: the next one after `as_of` (open) and the weeks before it."""
        ahead = (data.DISTRIBUTION_WEEKDAY - self.as_of.weekday() - 1) % 7 + 1
        upcoming = self.as_of + dt.timedelta(days=ahead)
        n = self.counts.cycles
        return [upcoming - dt.timedelta(weeks=n - 1 - i) for i in range(n)]

    # -- the build

    def build(self) -> _Tally:
        self.progress(0, self.steps, _("Préparation de la démonstration…"))
        self.build_coop()
        self.step(_("Coopérative et points de distribution"))
        self.build_producers()
        self.step(_("Producteurs"))
        self.build_products()
        self.step(_("Produits et prix"))
        self.build_members()
        self.step(_("Adhérents et cotisations"))
        self.build_baskets_and_contracts()
        self.step(_("Paniers et contrats"))
        for index, day in enumerate(self.dates):
            self.build_cycle(index, day)
            self.step(_("Distribution du {date}").format(date=_french_date(day)))
        self.insert(_table(ContractSkip), self.skips)
        self.step(_("Enregistrement"))
        # Once everything due is written: the ledger, who paid it and how, the cheques.
        build_treasury(self.session, as_of=self.as_of)
        self.step(_("Trésorerie : grand livre, règlements et chèques"))
        return self.tally

    def build_coop(self) -> None:
        rng = self.rng
        siren = _siren(rng, self.sirens)
        iban, bic = _bank_account(rng, data.COOP_BANK)
        self.insert(_table(Coop), [{
            "id": self.next_id("coop"), "name": data.COOP_NAME,
            "legal_form": data.COOP_LEGAL_FORM, "address": data.COOP_ADDRESS,
            "postal_code": data.COOP_POSTAL_CODE, "city": data.COOP_CITY,
            "email": data.COOP_EMAIL, "phone": data.COOP_PHONE, "siren": siren,
            "siret": _siret(siren, rng),
            "rna": f"{data.COOP_RNA_PREFIX}{rng.randint(0, 999_999):06d}",
            "vat_number": None, "iban": iban, "bic": bic, "logo_png": None,
            "fee_percent": self.fee_percent, "legal_texts": {},
            "payment_terms_days": data.COOP_PAYMENT_TERMS_DAYS, "version": 1,
            **self.timestamps(),
        }])
        rows = []
        for template in data.POINTS[: self.counts.points]:
            rows.append({
                "id": self.next_id("point"), "name": template.name, "address": template.address,
                "postal_code": template.postal_code, "city": template.city,
                "weekday": data.DISTRIBUTION_WEEKDAY, "start_time": template.start,
                "end_time": template.end, "archived_at": None, "version": 1,
                **self.timestamps(),
            })
        self.insert(_table(DistributionPoint), rows)
        self.tally.points = len(rows)

    # -- producers

    def _producer_templates(self) -> list[data.ProducerTemplate]:
        if self.size is DemoSize.SMALL:
            return list(data.SMALL_PRODUCERS)
        rng = self.rng
        used_names: set[str] = set()
        templates: list[data.ProducerTemplate] = []
        for kind in data.KINDS:
            for _n in range(kind.large_count):
                form = rng.choice(kind.legal_forms)
                while True:
                    place = rng.choice(data.FARM_PLACES)
                    name = rng.choice(kind.name_patterns).format(place=place)
                    name = name.replace(" de les ", " des ")
                    if place[0] in "AEIOUYÉ":
                        name = name.replace(f" de {place}", f" d'{place}")
                    if form in ("GAEC", "EARL", "SCEA"):
                        name = f"{form} {name}"
                    if name not in used_names:
                        used_names.add(name)
                        break
                if form == "EI":
                    flat = kind.farmer and rng.random() < 0.45
                    regime = VatRegime.FLAT_RATE_FARMER if flat else VatRegime.FRANCHISE
                    legal_form = "EI" if flat else "EI (micro-entreprise)"
                else:
                    regime, legal_form = VatRegime.NORMAL, form
                postal_code, city = rng.choice(data.PRODUCER_TOWNS)
                contact = f"{self._first_name()} {rng.choice(data.LAST_NAMES)}"
                address = (f"Lieu-dit {place[0].upper()}{place[1:]}" if kind.farmer
                           else f"{rng.randint(1, 60)} {rng.choice(data.STREETS)}")
                label = rng.choices(data.LABELS, weights=(55, 10, 35))[0]
                templates.append(data.ProducerTemplate(
                    kind, name, legal_form, regime, 0, contact, address, postal_code, city,
                    label, has_mandate=rng.random() < 0.85,
                ))
        self._ensure_every_regime(templates)
        return templates

    @staticmethod
    def _ensure_every_regime(templates: list[data.ProducerTemplate]) -> None:
        """At least one producer under each VAT regime, so every invoice layout is shown."""
        regimes = [t.regime for t in templates]
        for regime, kind in ((VatRegime.FRANCHISE, data.HONEY_KIND),
                             (VatRegime.FLAT_RATE_FARMER, data.POULTRY_KIND)):
            if regime in regimes:
                continue
            index = next(i for i, t in enumerate(templates) if t.kind is kind)
            legal_form = "EI (micro-entreprise)" if regime is VatRegime.FRANCHISE else "EI"
            name = templates[index].name
            first_word, _space, rest = name.partition(" ")
            if first_word in _COMPANY_FORMS:
                name = rest  # a sole trader's name carries no company form
            templates[index] = replace(templates[index], name=name, legal_form=legal_form,
                                       regime=regime)

    def _first_name(self) -> str:
        names = data.FIRST_NAMES_F if self.rng.random() < 0.5 else data.FIRST_NAMES_M
        return self.rng.choice(names)

    @staticmethod
    def _invoice_prefix(name: str, used: set[str]) -> str:
        """A short series prefix from the name: its legal form and its last telling words.

        'GAEC du Pré Vert' gives 'GAECPREVERT', 'SCEA Domaine des Coteaux de Brouilly'
        gives 'SCEABROUILLY'.
        """
        words = [w for w in re.split(r"[^A-Z0-9]+", _ascii(name).upper()) if w]
        form = words.pop(0) if words and words[0] in _COMPANY_FORMS else ""
        telling = [w for w in words if w not in _STOPWORDS] or words or ["PRODUCTEUR"]
        kept: list[str] = []
        for word in reversed(telling):
            if kept and len(form) + len(word) + sum(map(len, kept)) > 16:
                break
            kept.insert(0, word)
        base = (form + "".join(kept))[:16]
        prefix, n = base, 1
        while prefix in used:
            n += 1
            prefix = f"{base[:14]}{n:02d}"
        used.add(prefix)
        return prefix

    def build_producers(self) -> None:
        rng = self.rng
        templates = self._producer_templates()
        prefixes: set[str] = set()
        rows = []
        for template in templates:
            producer_id = self.next_id("producer")
            siren = _siren(rng, self.sirens)
            iban, bic = _bank_account(rng)
            mandate = (self.dates[0] - dt.timedelta(days=rng.randint(60, 900))
                       if template.has_mandate else None)
            household = template.kind.sells_to_households
            rows.append({
                "id": producer_id, "name": template.name, "legal_form": template.legal_form,
                "siret": _siret(siren, rng),
                "vat_number": _vat_number(siren) if template.regime is VatRegime.NORMAL else None,
                "vat_regime": template.regime, "iban": iban, "bic": bic,
                "address": template.address, "postal_code": template.postal_code,
                "city": template.city, "email": f"{_slug(template.name)}@example.net",
                "phone": self.phone(), "contact_name": template.contact,
                "billing_mandate_date": mandate,
                "invoice_prefix": self._invoice_prefix(template.name, prefixes),
                "invoice_buyer": InvoiceBuyer.HOUSEHOLD if household else InvoiceBuyer.COOP,
                "archived_at": None, "version": 1, **self.timestamps(),
            })
            self.producers.append(_ProducerInfo(
                id=producer_id, kind=template.kind, name=template.name,
                charges_vat=charges_vat(template.regime), label=template.label,
                city=template.city,
            ))
        self.insert(_table(Producer), rows)
        self.tally.producers = len(rows)
        self.product_counts = self._allocate_products(templates)

    def _allocate_products(self, templates: list[data.ProducerTemplate]) -> list[int]:
        """How many products each producer sells, summing to the size's product count."""
        if self.size is DemoSize.SMALL:
            return [t.product_count for t in templates]
        capacity = [len(t.kind.catalogue) for t in templates]
        total = self.counts.products
        share = total / sum(capacity)
        counts = [min(c, max(3, int(c * share))) for c in capacity]
        index = 0
        while sum(counts) != total:
            i = index % len(counts)
            if sum(counts) < total and counts[i] < capacity[i]:
                counts[i] += 1
            elif sum(counts) > total and counts[i] > 3:
                counts[i] -= 1
            index += 1
        return counts

    # -- products and prices

    def build_products(self) -> None:
        rng = self.rng
        products: list[Row] = []
        prices: list[Row] = []
        first_day = self.dates[0]
        middle = self.dates[2:-2] or self.dates
        for producer, count in zip(self.producers, self.product_counts, strict=True):
            catalogue = producer.kind.catalogue
            # Catalogues list their staples first: every producer sells the first half
            # of what it offers from them (a market gardener has carrots and leeks).
            staples = count // 2
            chosen = list(range(staples)) + sorted(
                rng.sample(range(staples, len(catalogue)), count - staples))
            for position in chosen:
                template = catalogue[position]
                product_id = self.next_id("product")
                active = rng.random() > 0.02
                category = template.category or producer.kind.category
                label = producer.label if rng.random() < 0.92 else ""
                case_rule = CaseRule.CUT if template.cut else CaseRule.COMPLETE
                products.append({
                    "id": product_id, "producer_id": producer.id, "name": template.name,
                    "unit": template.unit, "vat_rate": Decimal(template.vat),
                    "variable_weight": template.variable,
                    "case_pack": Decimal(template.pack) if template.pack else None,
                    "case_rule": case_rule, "category": category, "label": label,
                    "active": active, "archived_at": None, "version": 1, **self.timestamps(),
                })
                info = _ProductInfo(
                    id=product_id, producer=producer, template=template, active=active,
                    options=_quantity_options(template),
                    popularity=_POPULARITY.get(category, 1.0) * rng.uniform(0.5, 1.5),
                )
                base = round_cents(Decimal(template.price) * rng.randint(90, 112) / 100)
                start = first_day - dt.timedelta(days=3 + rng.randint(0, 200))
                info.prices.append((start, base))
                if rng.random() < self.behaviour.price_changes:
                    day = rng.choice(middle)
                    monday = day - dt.timedelta(days=day.weekday())
                    raised = round_cents(base * (100 + rng.randint(3, 10)) / 100)
                    info.prices.append((monday, raised))
                for valid_from, price in info.prices:
                    prices.append({
                        "id": self.next_id("product_price"), "product_id": product_id,
                        "valid_from": valid_from, "price_ht": price,
                        **self.timestamps(dt.datetime.combine(
                            valid_from - dt.timedelta(days=7), dt.time(10, 0), tzinfo=dt.UTC)),
                    })
                self.products.append(info)
        self.insert(_table(Product), products)
        self.insert(_table(ProductPrice), prices)
        self.tally.products = len(products)

    # -- members

    def build_members(self) -> None:
        rng = self.rng
        n_points = self.counts.points
        weights = [rng.randint(2, 5) for _ in range(n_points)]
        emails: set[str] = set()
        choosable = [p for p in self.products if p.active]
        cumulative = list(itertools.accumulate(p.popularity for p in choosable))
        rows = []
        for index in range(self.counts.members):
            member_id = self.next_id("member")
            female = rng.random() < 0.5
            first = rng.choice(data.FIRST_NAMES_F if female else data.FIRST_NAMES_M)
            last = rng.choice(data.LAST_NAMES)
            co_member = ""
            if rng.random() < 0.35:
                co_first = rng.choice(data.FIRST_NAMES_M if female else data.FIRST_NAMES_F)
                co_last = last if rng.random() < 0.6 else rng.choice(data.LAST_NAMES)
                co_member = f"{co_first} {co_last}"
            email: str | None = None
            if rng.random() < 0.9:
                local = f"{_slug(first)}.{_slug(last)}"
                email = f"{local}@{rng.choice(data.EMAIL_DOMAINS)}"
                n = 1
                while email in emails:
                    n += 1
                    email = f"{local}{n}@{rng.choice(data.EMAIL_DOMAINS)}"
                emails.add(email)
            point_index = rng.choices(range(n_points), weights=weights)[0]
            postal_code, city = rng.choice(data.POINTS[point_index].towns)
            joined = self.dates[0] - dt.timedelta(days=rng.randint(14, 6 * 365))
            low, high = self.behaviour.favourites
            habits = rng.randint(low, high)
            drawn = rng.choices(choosable, cum_weights=cumulative, k=2 * habits)
            favourites = list(dict.fromkeys(drawn))[:habits]
            rows.append({
                "id": member_id, "last_name": last, "first_name": first,
                "co_member_name": co_member, "email": email,
                "phone": self.phone() if rng.random() < 0.95 else "",
                "address": f"{rng.randint(1, 120)} {rng.choice(data.STREETS)}",
                "postal_code": postal_code, "city": city, "point_id": point_index + 1,
                "partner_id": None, "payment_reference": f"ADH-{index + 1:04d}",
                "print_phone": rng.random() < 0.35, "print_email": rng.random() < 0.1,
                "joined_on": joined, "archived_at": None, "version": 1,
                **self.timestamps(dt.datetime.combine(joined, dt.time(19, 0), tzinfo=dt.UTC)),
            })
            low_p, high_p = self.behaviour.participation
            self.members.append(_MemberInfo(
                id=member_id, last_name=last, first_name=first, point_index=point_index,
                joined_on=joined, participation=rng.uniform(low_p, high_p), favourites=favourites,
            ))
        self.insert(_table(Member), rows)
        for member in self.members:
            self.members_by_point[member.point_index].append(member)
        for members in self.members_by_point:
            members.sort(key=lambda m: _alphabetical(m.last_name, m.first_name, m.id))
        self._pair_partners()
        self.insert(_table(MembershipFee), self._fees())
        self.tally.members = len(rows)

    def _pair_partners(self) -> None:
        """Households of the same point that share their baskets (binômes)."""
        rng = self.rng
        by_point = self.members_by_point
        pairs: list[tuple[_MemberInfo, _MemberInfo]] = []
        point_index = 0
        while len(pairs) < self.counts.shared_pairs:
            free = [m for m in by_point[point_index % len(by_point)] if m.partner_id is None]
            point_index += 1
            if len(free) < 2:
                continue
            first, second = rng.sample(free, 2)
            first.partner_id, second.partner_id = second.id, first.id
            pairs.append((first, second))
        # The pairs point at each other, so the link is made once both rows exist; the
        # update stamp is given, or the database would write the clock's time.
        table = _table(Member)
        self.session.execute(
            update(table).where(table.c.id == bindparam("member")).values(
                partner_id=bindparam("partner"), updated_at=bindparam("stamp")),
            [{"member": m.id, "partner": m.partner_id,
              "stamp": dt.datetime.combine(m.joined_on, dt.time(19, 0), tzinfo=dt.UTC)}
             for pair in pairs for m in pair],
        )

    def _fees(self) -> list[Row]:
        rng = self.rng
        rows: list[Row] = []
        year = self.as_of.year
        for member in self.members:
            for fee_year, chance in ((year - 1, 0.7), (year, 0.9)):
                if rng.random() >= chance or member.joined_on.year > fee_year:
                    continue
                first = max(dt.date(fee_year, 1, 1), member.joined_on)
                last = min(dt.date(fee_year, 12, 31), self.as_of)
                paid = first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))
                rows.append({
                    "id": self.next_id("fee"), "member_id": member.id, "year": fee_year,
                    "amount": Decimal(rng.choice(data.MEMBERSHIP_FEES)), "paid_on": paid,
                    **self.timestamps(dt.datetime.combine(paid, dt.time(18, 0), tzinfo=dt.UTC)),
                })
        return rows

    # -- baskets and contracts

    def build_baskets_and_contracts(self) -> None:
        basket_rows: list[Row] = []
        for producer in self.producers:
            for template in producer.kind.baskets:
                price = Decimal(template.price)
                rate = Decimal("5.50")
                price_ht = _ht_for_ttc(price, rate) if producer.charges_vat else price
                paid = price_with_vat(price_ht, rate if producer.charges_vat else NO_VAT)
                basket = _BasketInfo(
                    id=self.next_id("basket_type"), producer=producer, template=template,
                    price_ht=price_ht, vat_rate=rate, price_per_basket=paid,
                )
                self.baskets.append(basket)
                basket_rows.append({
                    "id": basket.id, "producer_id": producer.id, "name": template.name,
                    "price_ht": price_ht, "vat_rate": rate, "archived_at": None, "version": 1,
                    **self.timestamps(),
                })
        self.insert(_table(BasketType), basket_rows)
        self.insert(_table(BasketContent), self._basket_contents())
        self.insert(_table(Contract), self._contracts())

    def _baskets_at_point(self, point_index: int) -> list[list[_BasketInfo]]:
        """Per basket group (vegetables, eggs…), the producer's baskets a point offers."""
        groups: dict[str, list[_ProducerInfo]] = {}
        for producer in self.producers:
            for template in producer.kind.baskets:
                members = groups.setdefault(template.group, [])
                if producer not in members:
                    members.append(producer)
        result = []
        for producers in groups.values():
            producer = producers[point_index % len(producers)]
            result.append([b for b in self.baskets if b.producer is producer])
        return result

    def _basket_contents(self) -> list[Row]:
        rng = self.rng
        rows: list[Row] = []
        for basket in self.baskets:
            catalogue = basket.producer.kind.catalogue
            for day in self.dates:
                monday = day - dt.timedelta(days=day.weekday())
                items = self._composition(basket.template.composition, catalogue, day.month, rng)
                for position, (label, qty, unit) in enumerate(items, start=1):
                    rows.append({
                        "id": self.next_id("basket_content"), "basket_type_id": basket.id,
                        "week_start": monday, "position": position, "label": label,
                        "quantity": qty, "unit": unit,
                    })
        return rows

    @staticmethod
    def _composition(
        composition: str, catalogue: tuple[data.ProductTemplate, ...], month: int,
        rng: random.Random,
    ) -> list[tuple[str, Decimal, Unit]]:
        """One week's content of a basket, drawn from its producer's catalogue in season."""
        def fresh(t: data.ProductTemplate) -> bool:
            return ((not t.season or month in t.season) and not t.category
                    and t.unit in (Unit.KG, Unit.PIECE, Unit.BUNCH, Unit.TRAY))

        pool = [t for t in catalogue if fresh(t)]
        if composition in (data.VEG_SMALL, data.VEG_LARGE):
            large = composition == data.VEG_LARGE
            picked = rng.sample(pool, min(len(pool), 7 if large else 5))
            weights = ("1.000", "1.500") if large else ("0.500", "1.000")
            return [(t.name, Decimal(rng.choice(weights)) if t.unit is Unit.KG
                     else Decimal(2 if large and t.unit is Unit.PIECE else 1).quantize(MILLI),
                     t.unit) for t in picked]
        if composition == "fruits":
            picked = rng.sample(pool, min(len(pool), 2))
            return [(t.name, ONE, t.unit) for t in picked]
        if composition == "goat":
            pieces = [t for t in pool if t.unit is Unit.PIECE]
            return [(t.name, ONE, t.unit) for t in rng.sample(pieces, min(len(pieces), 3))]
        if composition == "meat":
            cuts = [t for t in pool if t.variable]
            return [(t.name, Decimal(rng.choice(("0.500", "0.800", "1.000", "1.200"))), Unit.KG)
                    for t in rng.sample(cuts, min(len(cuts), 4))]
        if composition in ("eggs6", "eggs12"):
            count = 6 if composition == "eggs6" else 12
            return [("Œufs plein air", Decimal(count).quantize(MILLI), Unit.PIECE)]
        if composition == "bread":
            loaves = [t for t in catalogue if t.unit is Unit.PIECE and not t.category
                      and not t.season and "(" in t.name]
            return [(rng.choice(loaves).name, ONE, Unit.PIECE)]
        return []

    def _contracts(self) -> list[Row]:
        """Season contracts of the households, and the baskets they collect each week."""
        rng = self.rng
        seasons: list[tuple[dt.date, dt.date]] = []
        for day in self.dates:
            season = _season(day)
            if season not in seasons:
                seasons.append(season)
        point_baskets = [self._baskets_at_point(i) for i in range(self.counts.points)]
        by_id = {m.id: m for m in self.members}
        rows: list[Row] = []
        for member in self.members:
            partner = by_id[member.partner_id] if member.partner_id is not None else None
            for group in point_baskets[member.point_index]:
                shared = (partner is not None and group[0].template.group == "veg")
                if shared and partner is not None and partner.id < member.id:
                    continue  # the pair's basket is on the other household's contract
                roll = rng.random()
                choice: _BasketInfo | None = None
                for basket in group:
                    if roll < basket.template.take_up or shared:
                        choice = basket
                        break
                    roll -= basket.template.take_up
                if choice is None:
                    continue
                fortnightly = not shared and rng.random() < choice.template.fortnightly
                share_mode = (None if not shared else
                              ShareMode.ALTERNATE if rng.random() < 0.65 else ShareMode.BOTH)
                parity = rng.randint(0, 1)
                for season_start, season_end in seasons:
                    if rng.random() > 0.92 and not shared:
                        continue  # did not renew this season
                    rows.append(self._contract(
                        member, partner if shared else None, choice, share_mode,
                        Frequency.FORTNIGHTLY if fortnightly else Frequency.WEEKLY, parity,
                        season_start, season_end,
                    ))
        self.tally.contracts = len(rows)
        return rows

    def _contract(
        self, member: _MemberInfo, partner: _MemberInfo | None, basket: _BasketInfo,
        share_mode: ShareMode | None, frequency: Frequency, parity: int,
        season_start: dt.date, season_end: dt.date,
    ) -> Row:
        rng = self.rng
        contract_id = self.next_id("contract")
        allowed = rng.randint(2, 4)
        cheques = rng.choice((1, 3, 3, 6, 6))
        season_months = [
            dt.date(season_start.year + (season_start.month - 1 + i) // 12,
                    (season_start.month - 1 + i) % 12 + 1, 1)
            for i in range(6)
        ]
        cashed = season_months[:: 6 // cheques][:cheques]
        # Which distributions of the period this contract delivers at.
        # (the same rule as coopfood.services.subscriptions: week A from the season's
        # first distribution, week B from its second)
        indices = [i for i, day in enumerate(self.dates) if season_start <= day <= season_end]
        if frequency is Frequency.FORTNIGHTLY:
            indices = indices[parity::2]
        # Who collects at each of them: one household, or each half of a shared basket.
        plan: dict[int, dict[int, Decimal]] = {}
        for position, i in enumerate(indices):
            if partner is None:
                plan[i] = {member.id: ONE}
            elif share_mode is ShareMode.BOTH:
                plan[i] = {member.id: HALF_BASKET, partner.id: HALF_BASKET}
            else:
                plan[i] = {(member.id if position % 2 == 0 else partner.id): ONE}
        # A few absences (jokers, within the allowed number) and a postponement, the
        # basket then being collected at the contract's next distribution.
        absences = rng.randint(0, min(allowed, round(len(indices) / 8)))
        postponements = 1 if rng.random() < 0.2 else 0
        skipped = rng.sample(indices, min(len(indices), absences + postponements))
        for n, i in enumerate(skipped):
            away = rng.choice(sorted(plan[i]))
            later = [j for j in indices if j > i and j not in skipped]
            postponing = n >= absences
            if postponing and not later:
                continue  # nothing left to postpone to: the basket is collected as usual
            moved_to = later[0] if postponing else None
            share = plan[i].pop(away)
            if moved_to is not None:
                plan[moved_to][away] = plan[moved_to].get(away, ZERO_QTY) + share
            self.skips.append({
                "id": self.next_id("contract_skip"), "contract_id": contract_id,
                "member_id": away, "cycle_id": self.cycle_ids[i],
                "postponed_to_cycle_id": None if moved_to is None else self.cycle_ids[moved_to],
                **self.timestamps(dt.datetime.combine(
                    self.dates[i] - dt.timedelta(days=rng.randint(3, 20)), dt.time(21, 0),
                    tzinfo=dt.UTC)),
            })
        for i in indices:
            for holder, qty in plan[i].items():
                self.deliveries[i].setdefault(holder, []).append(
                    _Delivery(contract_id, basket, qty, basket.price_per_basket))
        signed = season_start - dt.timedelta(days=rng.randint(5, 30))
        return {
            "id": contract_id, "member_id": member.id, "basket_type_id": basket.id,
            "point_id": member.point_index + 1, "season_start": season_start,
            "season_end": season_end, "frequency": frequency, "allowed_absences": allowed,
            "price_per_basket": basket.price_per_basket,
            "co_member_id": partner.id if partner is not None else None,
            "share_mode": share_mode, "cheque_count": cheques,
            "fortnight_offset": parity if frequency is Frequency.FORTNIGHTLY else 0,
            "cheque_months": [f"{d.year:04d}-{d.month:02d}" for d in cashed],
            "archived_at": None, "version": 1,
            **self.timestamps(dt.datetime.combine(signed, dt.time(20, 0), tzinfo=dt.UTC)),
        }

    # -- distributions

    def build_cycle(self, index: int, day: dt.date) -> None:
        rng = self.rng
        is_open = index == len(self.dates) - 1
        cycle_id = self.cycle_ids[index]
        deadline = dt.datetime.combine(day - dt.timedelta(days=2), dt.time(19, 0), tzinfo=dt.UTC)
        opened = deadline - dt.timedelta(days=6)
        self.insert(_table(Cycle), [{
            "id": cycle_id, "name": f"Distribution du {_french_date(day)}",
            "distribution_date": day, "order_deadline": deadline,
            "state": CycleState.OPEN if is_open else CycleState.DISTRIBUTED,
            "shortfall_rule": ShortfallRule.PRO_RATA, "version": 1, **self.timestamps(opened),
        }])
        self.insert(_table(CyclePoint), [
            {"cycle_id": cycle_id, "point_id": p + 1} for p in range(self.counts.points)])

        offered: list[_ProductInfo] = [
            p for p in self.products
            if p.active and p.in_season(day.month) and rng.random() < 0.93
        ]
        caps: dict[int, Decimal] = {}
        offer_rows = []
        for product in offered:
            cap = None
            if not product.template.variable and rng.random() < 0.05:
                cap = Decimal(max(4, round(len(self.members) * rng.choice((4, 6, 8, 10)) / 100)))
                caps[product.id] = cap
            offer_rows.append({"id": self.next_id("cycle_offer"), "cycle_id": cycle_id,
                               "product_id": product.id, "cap": cap})
        self.insert(_table(CycleOffer), offer_rows)
        missing: set[int] = set()
        if not is_open and offered:
            low, high = self.behaviour.missing
            missing = {p.id for p in rng.sample(offered, min(len(offered), rng.randint(low, high)))}

        unit_price = {p.id: p.price_on(day) for p in offered}
        paid_price = {
            p.id: member_price(unit_price[p.id],
                               Decimal(p.template.vat) if p.producer.charges_vat else NO_VAT,
                               self.fee_percent)
            for p in offered
        }
        self._orders(cycle_id, index, deadline, is_open, offered, caps, missing,
                     unit_price, paid_price)
        self._shifts(cycle_id, is_open, opened)
        self.tally.cycles += 1

    def _orders(
        self, cycle_id: int, index: int, deadline: dt.datetime, is_open: bool,
        offered: list[_ProductInfo], caps: dict[int, Decimal], missing: set[int],
        unit_price: dict[int, Decimal], paid_price: dict[int, Decimal],
    ) -> None:
        rng = self.rng
        low, high = self.behaviour.lines
        absent_rate = self.behaviour.absent_rate
        deliveries = self.deliveries[index]
        offered_ids = {p.id for p in offered}
        ordered: dict[int, Decimal] = {}
        orders: list[Row] = []
        lines: list[Row] = []
        subscription, a_la_carte = LineSource.SUBSCRIPTION, LineSource.A_LA_CARTE
        for point_index, members in enumerate(self.members_by_point):
            row_number = 0
            for member in members:
                baskets = deliveries.get(member.id, ())
                wants = rng.random() < member.participation * (0.6 if is_open else 1.0)
                if not baskets and not wants:
                    continue
                absent = not is_open and rng.random() < absent_rate
                stamp = deadline - dt.timedelta(minutes=rng.randint(30, 6 * 24 * 60))
                items: list[Row] = []
                for delivery in baskets:
                    items.append({
                        "product_id": None, "basket_type_id": delivery.basket.id,
                        "contract_id": delivery.contract_id, "source": subscription,
                        "quantity_ordered": delivery.quantity,
                        "quantity_delivered": (None if is_open else ZERO_QTY if absent
                                               else delivery.quantity),
                        "unit_price_ht": delivery.basket.price_ht,
                        "vat_rate": delivery.basket.vat_rate,
                        "member_unit_price": delivery.member_price,
                    })
                available = ([p for p in member.favourites if p.id in offered_ids]
                             if wants else [])
                for product in rng.sample(available, min(len(available), rng.randint(low, high))):
                    qty = rng.choice(product.options)
                    pid = product.id
                    if pid in caps:
                        total = ordered.get(pid, ZERO_QTY) + qty
                        if total > caps[pid]:
                            continue  # the cap is reached: the form refused more
                        ordered[pid] = total
                    if is_open:
                        delivered = None
                    elif absent or pid in missing:
                        delivered = ZERO_QTY
                    elif product.template.variable:
                        delivered = (qty * rng.randint(880, 1120) / 1000).quantize(MILLI)
                    else:
                        delivered = qty
                    items.append({
                        "product_id": pid, "basket_type_id": None, "contract_id": None,
                        "source": a_la_carte, "quantity_ordered": qty,
                        "quantity_delivered": delivered, "unit_price_ht": unit_price[pid],
                        "vat_rate": Decimal(product.template.vat),
                        "member_unit_price": paid_price[pid],
                    })
                if not items:
                    continue
                order_id = self.next_id("order")
                row_number += 1
                orders.append({
                    "id": order_id, "cycle_id": cycle_id, "member_id": member.id,
                    "point_id": point_index + 1, "row_number": row_number, "absent": absent,
                    "version": 1, "created_at": stamp, "updated_at": stamp,
                })
                for item in items:
                    item["id"] = self.next_id("order_line")
                    item["order_id"] = order_id
                    # Closing shares out case packs: until then nothing is allocated.
                    item["quantity_allocated"] = None if is_open else item["quantity_ordered"]
                    item["created_at"] = item["updated_at"] = stamp
                    lines.append(item)
        if not is_open:
            _cut_incomplete_cases(lines, {
                p.id: Decimal(p.template.pack) for p in offered
                if p.template.cut and p.template.pack
            })
        self.insert(_table(Order), orders)
        self.insert(_table(OrderLine), lines)
        self.tally.orders += len(orders)
        self.tally.order_lines += len(lines)

    def _shifts(self, cycle_id: int, is_open: bool, opened: dt.datetime) -> None:
        rng = self.rng
        rows = []
        for point_index, members in enumerate(self.members_by_point):
            volunteers = rng.sample(members, min(len(members), len(data.SHIFT_ROLES)))
            for role, volunteer in zip(data.SHIFT_ROLES, volunteers, strict=False):
                taken = rng.random() < (0.5 if is_open else 0.9)
                rows.append({
                    "id": self.next_id("shift"), "cycle_id": cycle_id,
                    "point_id": point_index + 1, "role": role,
                    "member_id": volunteer.id if taken else None, **self.timestamps(opened),
                })
        self.insert(_table(Shift), rows)


# --- the service ---------------------------------------------------------------------------

#: Tables the demo writes, with an integer `id` its rows carry.
_TABLES_WITH_IDS = (
    Coop, DistributionPoint, Producer, Product, ProductPrice, Member, MembershipFee, BasketType,
    BasketContent, Contract, Cycle, CycleOffer, Order, OrderLine, Shift, ContractSkip,
)


def _refuse_unless_empty(session: Session) -> None:
    if session.execute(select(exists().select_from(Coop))).scalar():
        raise ServiceError(_(
            "La base contient déjà une coopérative : la démo ne s'installe que dans une base vide."
        ))
    for model in _TABLES_WITH_IDS:
        if session.execute(select(exists().select_from(model))).scalar():
            raise ServiceError(_(
                "La base contient déjà des données (producteurs, adhérents, distributions…) : "
                "la démo ne s'installe que dans une base vide."
            ))


def _reset_sequences(session: Session) -> None:
    """PostgreSQL: move each id sequence past the ids the demo wrote itself."""
    for model in _TABLES_WITH_IDS:
        name = _table(model).name
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"COALESCE(MAX(id), 0) + 1, false) FROM {name}"
        ))


def build_demo(
    *, db: Database, actor: Actor, size: DemoSize | str, seed: int,
    as_of: dt.date | None = None, progress: ProgressCallback = no_progress,
    weeks: int | None = None, members: int | None = None,
) -> DemoSummary:
    """Fill an empty database with a demonstration co-op, all or nothing.

    The same (size, seed, as_of) always gives the same data. Distributions are
    weekly up to the first distribution day after `as_of` (today by default),
    which is open for orders; the ones before are distributed. Raising
    `Cancelled` from `progress` rolls everything back. `weeks` and `members`
    change the size's number of distributions and households (the benchmarks
    compare a co-op's first week with its 52nd, and 1×, 2×, 4× the households).
    """
    if actor.role is not Role.ADMIN:
        raise PermissionDenied(_(
            "Seul un administrateur peut installer la coopérative de démonstration."))
    try:
        demo_size = DemoSize(size)
    except ValueError:
        raise ValidationError(
            _("Taille de démonstration « {size} » inconnue : « small » ou « large ».").format(
                size=size), field="size") from None
    day = as_of or dt.date.today()
    started = time.perf_counter()
    with db.transaction() as session:
        _refuse_unless_empty(session)
        sqlite = session.get_bind().dialect.name == "sqlite"
        if sqlite:
            # The indexes of a bulk load outgrow SQLite's 2 MB page cache many times over:
            # 256 MB for the build, given back after it.
            session.execute(text("PRAGMA cache_size=-262144"))
        counts = DEMO_SIZES[demo_size]
        if weeks is not None or members is not None:
            if (weeks is not None and not 1 <= weeks <= 520) or (
                    members is not None and not 10 <= members <= 9_000):
                raise ValidationError(_(
                    "Démo : de 1 à 520 semaines et de 10 à 9 000 foyers."), field="size")
            counts = replace(
                counts, cycles=weeks or counts.cycles, members=members or counts.members,
                shared_pairs=min(counts.shared_pairs, (members or counts.members) // 10))
        tally = _Builder(session=session, size=demo_size, seed=seed, as_of=day,
                         progress=progress, counts=counts).build()
        if sqlite:
            session.execute(text("PRAGMA cache_size=-2000"))
        if session.get_bind().dialect.name == "postgresql":
            _reset_sequences(session)
    return DemoSummary(
        points=tally.points, producers=tally.producers, products=tally.products,
        members=tally.members, contracts=tally.contracts, cycles=tally.cycles,
        orders=tally.orders, order_lines=tally.order_lines,
        seconds=round(time.perf_counter() - started, 2),
    )


__all__ = [
    "DEMO_SIZES",
    "DemoCounts",
    "DemoSize",
    "DemoSummary",
    "build_demo",
    "demo_size_counts",
]

