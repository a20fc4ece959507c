"""Partage de la valeur: where each euro paid by the members goes, openly.

For a period, per product, per producer and for the whole co-op, what the
members paid splits into the producer's price excluding VAT, the VAT the
producer charges, and the co-op's fee for its running costs.

What is counted — the decisions behind the figures:

- Lines of distributions that took place (distributed or invoiced) whose
  date falls in the period, at their delivered quantity: what changed
  hands. Ordered or allocated quantities are promises, not sales; a line
  whose delivered quantity is not keyed yet (a product still to weigh) is
  left out and counted apart (`pending_lines`), so the report can say so.
- Per line, as an invoice would: paid = price paid per unit × quantity,
  producer = price HT per unit × quantity, each rounded half-up to the cent;
  VAT = the product's rate × the producer's amount, rounded, when the
  producer charges VAT (normal regime, as it is now: the regime is not
  snapshotted on lines), else 0.
- The co-op's fee is what remains: paid − producer − VAT. The three shares
  therefore add up to what was paid, to the cent, for every line and every
  sum of lines, by construction.
- The fee is checked against the co-op's published rule (its fee percent on
  the price with VAT, per unit, for products à la carte; none on
  subscription baskets, paid at the contract's price): `rule_fee`. The two
  differ by roundings only (at most about 2 cents plus half a cent per unit
  of each line: `rounding_bound`) unless the fee percent changed during the
  period, or a contract's price differs from its basket's price with VAT;
  the report then says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.money import ZERO, line_total, round_cents
from coopfood.domain.vat import VatRegime, charges_vat, price_with_vat
from coopfood.i18n import _, format_date, format_money, format_number, sort_key
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    BasketType,
    Coop,
    Cycle,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
    household_name,
)
from coopfood.services import Actor, NotFound, Role, ServiceError, ValidationError
from coopfood.services.access import require, require_point

#: Who reads the shares: they are the co-op's open figures (no personal data).
SHARING_READERS = frozenset({Role.ADMIN, Role.COORDINATOR, Role.TREASURER})
TAKEN_PLACE = (CycleState.DISTRIBUTED, CycleState.INVOICED)
HUNDRED = Decimal("100.00")
#: Most a line's derived fee and its rule's fee differ by, besides half a cent per unit.
LINE_ROUNDING = Decimal("0.03")
HALF_CENT = Decimal("0.005")

REPORT_EXTENSIONS = (".pdf", ".csv", ".xlsx")


# --- the period ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date
    #: « novembre 2026 », « année 2026 », « du 1 septembre 2025 au 31 août 2026 »
    label: str
    #: For file names: « 2026-11 », « 2026 », « 2025-09-01_2026-08-31 ».
    code: str

    @staticmethod
    def between(date_from: dt.date, date_to: dt.date) -> Period:
        if date_to < date_from:
            raise ValidationError(_("La date de fin ({end}) précède la date de début "
                                    "({start}).").format(end=format_date(date_to),
                                                         start=format_date(date_from)),
                                  field="date_to")
        return Period(date_from, date_to,
                      _("du {start} au {end}").format(start=format_date(date_from),
                                                      end=format_date(date_to)),
                      f"{date_from.isoformat()}_{date_to.isoformat()}")

    @staticmethod
    def month(year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return Period(first, last, format_date(first, style="LLLL yyyy"), f"{year}-{month:02d}")

    @staticmethod
    def year(year: int) -> Period:
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31),
                      _("année {year}").format(year=year), str(year))


def parse_period(text: str) -> Period:
    """« 2026-11 » (a month) or « 2026 » (a year)."""
    cleaned = text.strip()
    match = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", cleaned)
    if match is not None:
        year = int(match.group(1))
        if match.group(2) is None:
            if 1900 <= year <= 2999:
                return Period.year(year)
        elif 1 <= int(match.group(2)) <= 12 and 1900 <= year <= 2999:
            return Period.month(year, int(match.group(2)))
    raise ValidationError(_("Période « {text} » invalide : attendu AAAA-MM (un mois, par "
                            "exemple 2026-11) ou AAAA (une année).").format(text=text),
                          field="period")


# --- the shares -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """What members paid and where it goes; paid = producer + vat + fee, to the cent."""

    paid: Decimal = ZERO
    producer: Decimal = ZERO
    vat: Decimal = ZERO
    fee: Decimal = ZERO
    #: The fee by the co-op's rule (see the module's docstring).
    rule_fee: Decimal = ZERO
    #: How far `fee` and `rule_fee` may differ by roundings alone.
    rounding_bound: Decimal = ZERO
    lines: int = 0

    def __add__(self, other: Split) -> Split:
        return Split(self.paid + other.paid, self.producer + other.producer,
                     self.vat + other.vat, self.fee + other.fee,
                     self.rule_fee + other.rule_fee,
                     self.rounding_bound + other.rounding_bound, self.lines + other.lines)

    @property
    def rule_gap(self) -> Decimal:
        return self.fee - self.rule_fee

    @property
    def follows_rule(self) -> bool:
        """Whether the fee differs from the rule's by roundings alone."""
        return abs(self.rule_gap) <= self.rounding_bound

    def per_hundred(self) -> tuple[Decimal, Decimal, Decimal]:
        """Of 100 € paid, (to producers, VAT, to the co-op), adding up to 100,00 €.

        Each share is rounded to the cent; the one with the largest rounding
        remainder takes the cent the roundings lose or gain.
        """
        if not self.paid:
            return ZERO, ZERO, ZERO
        exact = [part * HUNDRED / self.paid for part in (self.producer, self.vat, self.fee)]
        rounded = [round_cents(value) for value in exact]
        gap = HUNDRED - sum(rounded)
        if gap:
            step = Decimal("0.01") if gap > 0 else Decimal("-0.01")
            order = sorted(range(3), key=lambda i: (exact[i] - rounded[i]) * step, reverse=True)
            for index in order:
                if not gap:
                    break
                rounded[index] += step
                gap -= step
        return rounded[0], rounded[1], rounded[2]


def hundred_sentence(split: Split) -> str:
    """« Sur 100 € payés : 87,40 € aux producteurs, 5,10 € de TVA, 7,50 € pour la
    coopérative. » (a share of nothing is left out, bar the producers')"""
    if not split.paid:
        return _("Aucun achat livré sur la période.")
    producer, vat, fee = split.per_hundred()
    parts = [_("{amount} aux producteurs").format(amount=format_money(producer))]
    if vat:
        parts.append(_("{amount} de TVA").format(amount=format_money(vat)))
    if fee:
        parts.append(_("{amount} pour la coopérative").format(amount=format_money(fee)))
    return _("Sur 100\u00a0€ payés : {parts}.").format(parts=", ".join(parts))


@dataclass(frozen=True)
class ProducerShare:
    producer_id: int
    name: str
    regime: VatRegime
    split: Split


@dataclass(frozen=True)
class ProductShare:
    #: "product" or "basket" (a subscription basket type).
    kind: str
    id: int
    name: str
    producer_id: int
    producer: str
    unit: Unit
    quantity: Decimal
    split: Split


@dataclass(frozen=True)
class ValueSharing:
    coop_name: str
    period: Period
    #: The co-op's fee percent now (the rule the fee is checked against).
    fee_percent: Decimal
    distributions: int
    total: Split
    producers: tuple[ProducerShare, ...]
    products: tuple[ProductShare, ...]
    #: Lines of distributions that took place whose delivered quantity is not keyed yet.
    pending_lines: int

    @property
    def sentence(self) -> str:
        return hundred_sentence(self.total)

    def notes(self) -> list[str]:
        """What a reader should know about the figures, in French."""
        notes = [_("Montants des lignes livrées des distributions de la période ; la part de "
                   "la coopérative est ce qui reste une fois payés le producteur (prix hors "
                   "taxes) et la TVA qu'il facture.")]
        notes.append(_("La TVA est celle que facturent les producteurs au régime normal ; "
                       "ceux en franchise en base ou au forfait agricole n'en facturent pas."))
        if self.fee_percent:
            # The rate comes with its « % »: a « % d » in a message reads as a printf
            # placeholder to gettext, which then refuses the translation.
            notes.append(_("Règle de la coopérative : des frais de {rate} du prix TTC "
                           "sur les produits à la carte ; les paniers d'abonnement sont payés "
                           "au prix du contrat, sans frais.").format(
                               rate=f"{format_number(self.fee_percent)}\u00a0%"))
        if self.pending_lines:
            notes.append(_("{n} ligne(s) à peser n'ont pas encore de quantité livrée : elles "
                           "ne sont pas comptées.").format(n=self.pending_lines))
        if self.total.lines and not self.total.follows_rule:
            notes.append(_("La part de la coopérative ({fee}) s'écarte de sa règle de frais "
                           "({rate} du prix TTC, soit {rule}) de plus que les arrondis : "
                           "le taux a pu changer pendant la période, ou un contrat a un prix "
                           "différent de celui de son panier.").format(
                               fee=format_money(self.total.fee),
                               rate=f"{format_number(self.fee_percent)}\u00a0%",
                               rule=format_money(self.total.rule_fee)))
        return notes


@dataclass(frozen=True)
class _Group:
    """Identical lines, counted once: they split identically."""

    product_id: int | None
    basket_id: int | None
    unit_price_ht: Decimal
    vat_rate: Decimal
    member_unit_price: Decimal
    quantity: Decimal
    count: int


def split_line(*, unit_price_ht: Decimal, vat_rate: Decimal, member_unit_price: Decimal,
               quantity: Decimal, regime: VatRegime, fee_percent: Decimal,
               subscription: bool) -> Split:
    """How one line's payment splits (see the module's docstring)."""
    paid = line_total(member_unit_price, quantity)
    producer = line_total(unit_price_ht, quantity)
    applied = vat_rate if charges_vat(regime) else ZERO
    vat = round_cents(producer * applied / Decimal(100))
    if subscription:
        rule_fee = ZERO
    else:
        ttc = price_with_vat(unit_price_ht, applied)
        rule_fee = line_total(round_cents(ttc * fee_percent / Decimal(100)), quantity)
    return Split(paid=paid, producer=producer, vat=vat, fee=paid - producer - vat,
                 rule_fee=rule_fee, rounding_bound=LINE_ROUNDING + HALF_CENT * quantity,
                 lines=1)


def _times(split: Split, count: int) -> Split:
    return Split(split.paid * count, split.producer * count, split.vat * count,
                 split.fee * count, split.rule_fee * count, split.rounding_bound * count,
                 split.lines * count)


def _line_filters(period: Period) -> list[ColumnElement[bool]]:
    return [Cycle.state.in_(TAKEN_PLACE), Cycle.distribution_date >= period.date_from,
            Cycle.distribution_date <= period.date_to]


def _groups(session: Session, period: Period, member_id: int | None = None) -> list[_Group]:
    query = (
        select(OrderLine.product_id, OrderLine.basket_type_id, OrderLine.unit_price_ht,
               OrderLine.vat_rate, OrderLine.member_unit_price, OrderLine.quantity_delivered,
               func.count(OrderLine.id))
        .join(Order, Order.id == OrderLine.order_id)
        .join(Cycle, Cycle.id == Order.cycle_id)
        .where(*_line_filters(period), OrderLine.quantity_delivered > 0)
        .group_by(OrderLine.product_id, OrderLine.basket_type_id, OrderLine.unit_price_ht,
                  OrderLine.vat_rate, OrderLine.member_unit_price, OrderLine.quantity_delivered)
    )
    if member_id is not None:
        query = query.where(Order.member_id == member_id)
    return [_Group(product_id, basket_id, ht, rate, paid, qty or Decimal("0.000"), count)
            for product_id, basket_id, ht, rate, paid, qty, count in session.execute(query)]


def _fee_percent(session: Session) -> Decimal:
    fee = session.scalar(select(Coop.fee_percent).order_by(Coop.id).limit(1))
    return fee if fee is not None else ZERO


@dataclass(frozen=True)
class _Item:
    kind: str
    id: int
    name: str
    producer_id: int
    unit: Unit


def _items(session: Session) -> tuple[dict[tuple[str, int], _Item],
                                        dict[int, tuple[str, VatRegime]]]:
    producers = {pid: (name, regime) for pid, name, regime in session.execute(
        select(Producer.id, Producer.name, Producer.vat_regime))}
    items: dict[tuple[str, int], _Item] = {}
    for pid, name, producer_id, unit in session.execute(
            select(Product.id, Product.name, Product.producer_id, Product.unit)):
        items[("product", pid)] = _Item("product", pid, name, producer_id, unit)
    for bid, name, producer_id in session.execute(
            select(BasketType.id, BasketType.name, BasketType.producer_id)):
        items[("basket", bid)] = _Item("basket", bid, name, producer_id, Unit.BASKET)
    return items, producers


def _split_groups(groups: Iterable[_Group], items: dict[tuple[str, int], _Item],
                  producers: dict[int, tuple[str, VatRegime]], fee_percent: Decimal
                  ) -> dict[tuple[str, int], tuple[Split, Decimal]]:
    """Per product or basket: its split and the quantity delivered."""
    result: dict[tuple[str, int], tuple[Split, Decimal]] = {}
    for group in groups:
        key = (("product", group.product_id) if group.product_id is not None
               else ("basket", group.basket_id or 0))
        item = items[key]
        regime = producers[item.producer_id][1]
        one = split_line(unit_price_ht=group.unit_price_ht, vat_rate=group.vat_rate,
                         member_unit_price=group.member_unit_price, quantity=group.quantity,
                         regime=regime, fee_percent=fee_percent,
                         subscription=key[0] == "basket")
        split, quantity = result.get(key, (Split(), Decimal("0.000")))
        result[key] = (split + _times(one, group.count), quantity + group.quantity * group.count)
    return result


def value_sharing(*, db: Database, actor: Actor, period: Period) -> ValueSharing:
    """The split of what members paid over a period: per product, per producer, in all."""
    require(actor, SHARING_READERS, _("consulter le partage de la valeur"))
    with db.reading() as session:
        coop_name = session.scalar(select(Coop.name).order_by(Coop.id).limit(1)) or ""
        fee_percent = _fee_percent(session)
        items, producers = _items(session)
        splits = _split_groups(_groups(session, period), items, producers, fee_percent)
        distributions = session.scalar(
            select(func.count(Cycle.id)).where(*_line_filters(period))) or 0
        pending = session.scalar(
            select(func.count(OrderLine.id))
            .join(Order, Order.id == OrderLine.order_id)
            .join(Cycle, Cycle.id == Order.cycle_id)
            .where(*_line_filters(period), OrderLine.quantity_delivered.is_(None))
        ) or 0
    products = []
    by_producer: dict[int, Split] = {}
    for key, (split, quantity) in splits.items():
        item = items[key]
        producer_name = producers[item.producer_id][0]
        products.append(ProductShare(item.kind, item.id, item.name, item.producer_id,
                                     producer_name, item.unit, quantity, split))
        by_producer[item.producer_id] = by_producer.get(item.producer_id, Split()) + split
    products.sort(key=lambda p: (sort_key(p.producer), p.kind != "basket", sort_key(p.name),
                                 p.id))
    producer_rows = sorted(
        (ProducerShare(pid, producers[pid][0], producers[pid][1], split)
         for pid, split in by_producer.items()),
        key=lambda p: (sort_key(p.name), p.producer_id))
    total = sum((p.split for p in producer_rows), Split())
    return ValueSharing(coop_name=coop_name, period=period, fee_percent=fee_percent,
                        distributions=int(distributions), total=total,
                        producers=tuple(producer_rows), products=tuple(products),
                        pending_lines=int(pending))


@dataclass(frozen=True)
class HouseholdValue:
    member_id: int
    name: str
    period: Period
    split: Split

    @property
    def sentence(self) -> str:
        return hundred_sentence(self.split)


def household_value_summary(*, db: Database, actor: Actor, member_id: int,
                            period: Period) -> HouseholdValue:
    """How what one household paid over a period split, for its statement."""
    require(actor, SHARING_READERS, _("consulter le partage de la valeur"))
    with db.reading() as session:
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(_("Le foyer n° {id} n'existe pas.").format(id=member_id))
        require_point(actor, member.point_id, _("consulter les achats de ce foyer"))
        fee_percent = _fee_percent(session)
        items, producers = _items(session)
        splits = _split_groups(_groups(session, period, member_id), items, producers,
                               fee_percent)
        name = household_name(member.last_name, member.first_name)
    total = sum((split for split, _qty in splits.values()), Split())
    return HouseholdValue(member_id=member_id, name=name, period=period, split=total)


# --- writing the report: PDF, CSV or XLSX ------------------------------------------------------


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    pages: int
    sharing: ValueSharing


def _table_rows(sharing: ValueSharing) -> list[tuple[str, str, str, str, Decimal | str,
                                                    Split]]:
    """(level, producer, product, unit, quantity, split) for every row of an export."""
    rows: list[tuple[str, str, str, str, Decimal | str, Split]] = [
        (_("Coopérative"), "", "", "", "", sharing.total)]
    for producer in sharing.producers:
        rows.append((_("Producteur"), producer.name, "", "", "", producer.split))
    for product in sharing.products:
        rows.append((_("Produit") if product.kind == "product" else _("Panier"),
                     product.producer, product.name, product.unit.label, product.quantity,
                     product.split))
    return rows


HEADERS = ("Niveau", "Producteur", "Produit", "Unité", "Quantité livrée", "Payé par les "
           "adhérents", "Aux producteurs (HT)", "TVA", "Pour la coopérative",
           "Sur 100 € : producteurs", "Sur 100 € : TVA", "Sur 100 € : coopérative")


def _values(split: Split) -> list[Decimal]:
    return [split.paid, split.producer, split.vat, split.fee, *split.per_hundred()]


def report_csv(sharing: ValueSharing) -> bytes:
    """`;`-separated, UTF-8 with a BOM, decimal commas; text cells neutralised."""
    from coopfood.exports import csv_text

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Partage de la valeur — {period}").format(period=sharing.period.label)])
    writer.writerow([csv_text(sharing.coop_name)])
    writer.writerow([])
    writer.writerow([_(h) for h in HEADERS])
    for level, producer, product, unit, quantity, split in _table_rows(sharing):
        qty = (format(quantity.normalize(), "f").replace(".", ",")
               if isinstance(quantity, Decimal) else quantity)
        writer.writerow([level, csv_text(producer), csv_text(product), unit, qty,
                         *(f"{v:.2f}".replace(".", ",") for v in _values(split))])
    writer.writerow([])
    writer.writerow([sharing.sentence])
    for note in sharing.notes():
        writer.writerow([note])
    return buffer.getvalue().encode("utf-8-sig")


def report_xlsx(sharing: ValueSharing) -> bytes:
    """One sheet: a title, the table (numbers as numbers), the sentence and the notes."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from coopfood.exports import looks_like_formula

    def text_cell(row: int, column: int, value: str, bold: bool = False) -> None:
        cell = sheet.cell(row=row, column=column)
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"  # never a formula, whatever the member typed
        if looks_like_formula(value):
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Partage de la valeur")
    text_cell(1, 1, _("Partage de la valeur — {period}").format(period=sharing.period.label),
              bold=True)
    text_cell(2, 1, sharing.coop_name)
    for column, header in enumerate(HEADERS, start=1):
        text_cell(4, column, _(header), bold=True)
    row = 5
    for level, producer, product, unit, quantity, split in _table_rows(sharing):
        text_cell(row, 1, level, bold=level == _("Coopérative"))
        text_cell(row, 2, producer)
        text_cell(row, 3, product)
        text_cell(row, 4, unit)
        if isinstance(quantity, Decimal):
            sheet.cell(row=row, column=5, value=quantity.normalize()).number_format = "0.###"
        for column, value in enumerate(_values(split), start=6):
            sheet.cell(row=row, column=column, value=value).number_format = "#,##0.00"
        row += 1
    row += 1
    text_cell(row, 1, sharing.sentence, bold=True)
    for note in sharing.notes():
        row += 1
        text_cell(row, 1, note)
    for column, width in enumerate((14, 30, 34, 10, 12, 14, 14, 10, 14, 12, 12, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A5"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_value_report(*, db: Database, actor: Actor, period: Period, path: Path | str,
                       printed_at: dt.datetime | None = None) -> WrittenReport:
    """Write the report of a period to `path`: PDF, CSV or XLSX by its extension."""
    from coopfood.exports import _write_atomically

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in REPORT_EXTENSIONS:
        raise ValidationError(
            _("Format de fichier « {suffix} » non pris en charge pour « {file} » : choisissez "
              "un nom en .pdf, .csv ou .xlsx.").format(
                  suffix=path.suffix or _("sans extension"), file=path.name), field="path")
    sharing = value_sharing(db=db, actor=actor, period=period)
    pages = 0
    if suffix == ".pdf":
        from coopfood.documents.common import Stamp
        from coopfood.documents.value_report import draw_value_report

        stamp = Stamp(sharing.coop_name, printed_at or dt.datetime.now().replace(microsecond=0))
        buffer = io.BytesIO()
        pages = draw_value_report(sharing, buffer, stamp).pages
        content = buffer.getvalue()
    elif suffix == ".csv":
        content = report_csv(sharing)
    else:
        content = report_xlsx(sharing)
    if not path.parent.exists():
        raise ServiceError(_("Le dossier « {folder} » n'existe pas.").format(folder=path.parent))
    _write_atomically(path, content)
    return WrittenReport(path=path, pages=pages, sharing=sharing)


__all__ = [
    "HouseholdValue",
    "Period",
    "ProducerShare",
    "ProductShare",
    "Split",
    "ValueSharing",
    "household_value_summary",
    "hundred_sentence",
    "parse_period",
    "split_line",
    "value_sharing",
    "write_value_report",
]
