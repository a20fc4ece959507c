"""The data model of DESIGN.md as SQLAlchemy 2 typed models.

Money, quantities and rates use `ScaledDecimal` columns (exact on SQLite too).
Enumerations are stored as their short English value. Rows that others refer
to are archived (`archived_at`), never deleted. Tables edited by several
people at once carry a `version` column: SQLAlchemy refuses an update made on
stale data (StaleDataError), which the services turn into a French message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from coopfood.domain.enums import (
    CaseRule,
    CycleState,
    Frequency,
    InvoiceBuyer,
    LineSource,
    Role,
    ShareMode,
    ShortfallRule,
    Unit,
)
from coopfood.domain.invoicing import InvoiceKind
from coopfood.domain.treasury import (
    CashCurrency,
    ChequeStatus,
    EntryKind,
    MailStatus,
    PaymentMeans,
    RemittanceKind,
)
from coopfood.domain.vat import VatRegime
from coopfood.persistence.types import Money, Percent, Quantity, UtcDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _enum(cls: type[Any], name: str) -> Enum:
    """An enumeration stored as its value in a VARCHAR with a CHECK constraint."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), server_default=func.now()
    )
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), server_default=func.now(), onupdate=func.now()
    )


class Versioned:
    """Optimistic locking: an update on stale data is refused."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


# --- the co-op and its settings -------------------------------------------------------


class Coop(Versioned, Timestamped, Base):
    """The co-op's identity, printed on every document; one row."""

    __tablename__ = "coop"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[str] = mapped_column(String(60), default="Association loi 1901")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    siren: Mapped[str | None] = mapped_column(String(9))
    siret: Mapped[str | None] = mapped_column(String(14))
    rna: Mapped[str | None] = mapped_column(String(10))
    vat_number: Mapped[str | None] = mapped_column(String(20))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    logo_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The co-op's fee for its running costs, on top of the producer's price with VAT.
    fee_percent: Mapped[Decimal] = mapped_column(Percent(), default=Decimal("0.00"))
    #: Legal wording printed on invoices: kept here, not in code, as the law's
    #: article numbers change (recodification of VAT law).
    legal_texts: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    payment_terms_days: Mapped[int] = mapped_column(Integer, default=30)


class Setting(Base):
    """A key/value application setting stored with the data (shared between points)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- producers and their products ------------------------------------------------------


class Producer(Versioned, Timestamped, Base):
    __tablename__ = "producer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_form: Mapped[str] = mapped_column(String(60), default="")
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    vat_number: Mapped[str | None] = mapped_column(String(20))
    vat_regime: Mapped[VatRegime] = mapped_column(_enum(VatRegime, "vat_regime"))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    #: Date of the billing mandate (mandat d'autofacturation); None: the producer invoices.
    billing_mandate_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Prefix of the producer's self-billed invoice series, e.g. "GAECDUPRE".
    invoice_prefix: Mapped[str] = mapped_column(String(20), unique=True)
    invoice_buyer: Mapped[InvoiceBuyer] = mapped_column(
        _enum(InvoiceBuyer, "invoice_buyer"), default=InvoiceBuyer.COOP
    )
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    products: Mapped[list[Product]] = relationship(back_populates="producer")


class Product(Versioned, Timestamped, Base):
    __tablename__ = "product"
    __table_args__ = (
        UniqueConstraint("producer_id", "name"),
        CheckConstraint("case_pack IS NULL OR case_pack > 0", name="case_pack_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[Unit] = mapped_column(_enum(Unit, "unit"))
    vat_rate: Mapped[Decimal] = mapped_column(Percent())
    #: Priced per kg and weighed at delivery; the ordered quantity is an estimate.
    variable_weight: Mapped[bool] = mapped_column(Boolean, default=False)
    case_pack: Mapped[Decimal | None] = mapped_column(Quantity())
    case_rule: Mapped[CaseRule] = mapped_column(
        _enum(CaseRule, "case_rule"), default=CaseRule.COMPLETE
    )
    category: Mapped[str] = mapped_column(String(100), default="")
    label: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    producer: Mapped[Producer] = relationship(back_populates="products")
    prices: Mapped[list[ProductPrice]] = relationship(
        back_populates="product", order_by="ProductPrice.valid_from"
    )


class ProductPrice(Timestamped, Base):
    """A producer's price excluding VAT, from a date on; prices are never overwritten."""

    __tablename__ = "product_price"
    __table_args__ = (
        UniqueConstraint("product_id", "valid_from"),
        CheckConstraint("price_ht >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    price_ht: Mapped[Decimal] = mapped_column(Money())

    product: Mapped[Product] = relationship(back_populates="prices")


# --- places and people -----------------------------------------------------------------


class DistributionPoint(Versioned, Timestamped, Base):
    __tablename__ = "distribution_point"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    #: 0 = Monday, as `datetime.date.weekday()`.
    weekday: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[dt.time] = mapped_column(Time)
    end_time: Mapped[dt.time] = mapped_column(Time)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class Member(Versioned, Timestamped, Base):
    """A household (foyer adhérent)."""

    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("payment_reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(200), index=True)
    first_name: Mapped[str] = mapped_column(String(200), default="")
    #: A second adult of the household, printed beside the name.
    co_member_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    postal_code: Mapped[str] = mapped_column(String(10), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    point_id: Mapped[int | None] = mapped_column(ForeignKey("distribution_point.id"), index=True)
    #: The household sharing baskets with this one (binôme), if any.
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    #: Stable reference printed on statements and sheets, matched on bank lines.
    payment_reference: Mapped[str] = mapped_column(String(20))
    print_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    print_email: Mapped[bool] = mapped_column(Boolean, default=False)
    joined_on: Mapped[dt.date | None] = mapped_column(Date)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: When the household's personal data was erased (RGPD); its accounts stay.
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    point: Mapped[DistributionPoint | None] = relationship()
    partner: Mapped[Member | None] = relationship(remote_side=[id])
    fees: Mapped[list[MembershipFee]] = relationship(back_populates="member")

    @property
    def display_name(self) -> str:
        return household_name(self.last_name, self.first_name)


def household_name(last_name: str, first_name: str) -> str:
    """How a household is named everywhere: 'DUPONT Marie'."""
    return f"{last_name.upper()} {first_name}".strip()


class MembershipFee(Timestamped, Base):
    """The yearly membership fee (cotisation) a household paid."""

    __tablename__ = "membership_fee"
    __table_args__ = (
        UniqueConstraint("member_id", "year"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(Money())
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship(back_populates="fees")


# --- AMAP baskets and contracts ---------------------------------------------------------


class BasketType(Versioned, Timestamped, Base):
    """A producer's subscription basket, e.g. 'Panier légumes — petit'."""

    __tablename__ = "basket_type"
    __table_args__ = (
        UniqueConstraint("producer_id", "name"),
        CheckConstraint("price_ht >= 0", name="price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    price_ht: Mapped[Decimal] = mapped_column(Money())
    vat_rate: Mapped[Decimal] = mapped_column(Percent())
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    producer: Mapped[Producer] = relationship()


class BasketContent(Base):
    """One item of a basket type's composition for the week of a distribution."""

    __tablename__ = "basket_content"
    __table_args__ = (UniqueConstraint("basket_type_id", "week_start", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    basket_type_id: Mapped[int] = mapped_column(ForeignKey("basket_type.id"), index=True)
    #: Monday of the week the composition applies to.
    week_start: Mapped[dt.date] = mapped_column(Date)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal | None] = mapped_column(Quantity())
    unit: Mapped[Unit | None] = mapped_column(_enum(Unit, "unit"))


class Contract(Versioned, Timestamped, Base):
    """An AMAP season contract: a household × a basket type × a season × a frequency."""

    __tablename__ = "contract"
    __table_args__ = (
        CheckConstraint("season_end >= season_start", name="season_in_order"),
        CheckConstraint("allowed_absences >= 0", name="absences_not_negative"),
        CheckConstraint("cheque_count >= 0", name="cheques_not_negative"),
        CheckConstraint("price_per_basket >= 0", name="price_not_negative"),
        CheckConstraint("fortnight_offset IN (0, 1)", name="fortnight_offset_0_or_1"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    basket_type_id: Mapped[int] = mapped_column(ForeignKey("basket_type.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"))
    season_start: Mapped[dt.date] = mapped_column(Date)
    season_end: Mapped[dt.date] = mapped_column(Date)
    frequency: Mapped[Frequency] = mapped_column(_enum(Frequency, "frequency"))
    #: For a fortnightly contract, which week it delivers: 0 from the season's first
    #: distribution at its point, 1 from the second (AMAP "semaines A / B").
    fortnight_offset: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    allowed_absences: Mapped[int] = mapped_column(Integer, default=0)
    #: What the member pays per basket, with VAT (snapshotted on each order line).
    price_per_basket: Mapped[Decimal] = mapped_column(Money())
    #: The second household of a shared basket, if any.
    co_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    share_mode: Mapped[ShareMode | None] = mapped_column(_enum(ShareMode, "share_mode"))
    cheque_count: Mapped[int] = mapped_column(Integer, default=1)
    #: Months the cheques are cashed in, as "YYYY-MM" strings.
    cheque_months: Mapped[list[str]] = mapped_column(JSON, default=list)
    archived_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    member: Mapped[Member] = relationship(foreign_keys=[member_id])
    co_member: Mapped[Member | None] = relationship(foreign_keys=[co_member_id])
    basket_type: Mapped[BasketType] = relationship()
    point: Mapped[DistributionPoint] = relationship()


# --- distributions and orders -----------------------------------------------------------


class Cycle(Versioned, Timestamped, Base):
    """A distribution (cycle de commande): a date, its points, its offer."""

    __tablename__ = "cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    distribution_date: Mapped[dt.date] = mapped_column(Date, index=True)
    order_deadline: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[CycleState] = mapped_column(
        _enum(CycleState, "cycle_state"), default=CycleState.DRAFT, index=True
    )
    shortfall_rule: Mapped[ShortfallRule] = mapped_column(
        _enum(ShortfallRule, "shortfall_rule"), default=ShortfallRule.PRO_RATA
    )

    points: Mapped[list[CyclePoint]] = relationship(back_populates="cycle")
    offers: Mapped[list[CycleOffer]] = relationship(back_populates="cycle")


class CyclePoint(Base):
    __tablename__ = "cycle_point"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"), primary_key=True)

    cycle: Mapped[Cycle] = relationship(back_populates="points")
    point: Mapped[DistributionPoint] = relationship()


class CycleOffer(Base):
    """A product offered in a cycle, with an optional cap on the total ordered."""

    __tablename__ = "cycle_offer"
    __table_args__ = (
        UniqueConstraint("cycle_id", "product_id"),
        CheckConstraint("cap IS NULL OR cap >= 0", name="cap_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    cap: Mapped[Decimal | None] = mapped_column(Quantity())

    cycle: Mapped[Cycle] = relationship(back_populates="offers")
    product: Mapped[Product] = relationship()


class Order(Versioned, Timestamped, Base):
    """A household's order for one cycle at one point."""

    __tablename__ = "member_order"
    __table_args__ = (UniqueConstraint("cycle_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"), index=True)
    #: The number printed on the sign-in sheet and keyed back after distribution.
    row_number: Mapped[int | None] = mapped_column(Integer)
    #: The household did not come to collect.
    absent: Mapped[bool] = mapped_column(Boolean, default=False)

    lines: Mapped[list[OrderLine]] = relationship(back_populates="order")
    member: Mapped[Member] = relationship()


class OrderLine(Timestamped, Base):
    """One item of an order: a product à la carte, or a subscription basket.

    Ordered and delivered quantities are kept apart; prices are snapshots taken
    when the line was made, so a later price change never alters it.
    """

    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint(
            "(product_id IS NULL) <> (basket_type_id IS NULL)", name="product_or_basket"
        ),
        CheckConstraint("quantity_ordered >= 0", name="ordered_not_negative"),
        CheckConstraint(
            "quantity_delivered IS NULL OR quantity_delivered >= 0", name="delivered_not_negative"
        ),
        CheckConstraint(
            "quantity_allocated IS NULL OR quantity_allocated >= 0", name="allocated_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("member_order.id"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"), index=True)
    basket_type_id: Mapped[int | None] = mapped_column(ForeignKey("basket_type.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    source: Mapped[LineSource] = mapped_column(
        _enum(LineSource, "line_source"), default=LineSource.A_LA_CARTE
    )
    quantity_ordered: Mapped[Decimal] = mapped_column(Quantity())
    #: None until keyed back after the distribution.
    quantity_delivered: Mapped[Decimal | None] = mapped_column(Quantity())
    #: The producer's price excluding VAT, per unit, when the line was made.
    unit_price_ht: Mapped[Decimal] = mapped_column(Money())
    vat_rate: Mapped[Decimal] = mapped_column(Percent())
    #: What the member pays per unit (VAT and the co-op's fee included), snapshotted.
    member_unit_price: Mapped[Decimal] = mapped_column(Money())
    #: What the member is to receive once case packs and shortfalls are shared out at
    #: closing; None while the cycle is open (the ordered quantity stands).
    quantity_allocated: Mapped[Decimal | None] = mapped_column(Quantity())

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product | None] = relationship()
    basket_type: Mapped[BasketType | None] = relationship()


class Shift(Timestamped, Base):
    """A volunteer role at a distribution (permanence), and who took it."""

    __tablename__ = "shift"

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"))
    role: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))

    member: Mapped[Member | None] = relationship()


class ContractSkip(Timestamped, Base):
    """A contract's basket not taken on a date: an absence (joker) or a postponement."""

    __tablename__ = "contract_skip"
    __table_args__ = (UniqueConstraint("contract_id", "member_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contract.id"), index=True)
    #: Which household of a shared basket is away (the contract's member or co-member).
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    #: None: an absence (counts against the allowed jokers); else the later distribution
    #: the basket moves to.
    postponed_to_cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"))


class AuditEntry(Base):
    """Who changed what, when, with the values before and after; never edited."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), index=True)
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_user_id: Mapped[int | None] = mapped_column(Integer)
    #: The kind of record: "order_line", "cycle", "member", "payment", "invoice"…
    entity: Mapped[str] = mapped_column(String(40), index=True)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: What was done: "update", "reopen", "deliver", "anonymise"…
    action: Mapped[str] = mapped_column(String(40))
    #: A French sentence for the list ("Carottes : 2 kg → 1,8 kg").
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Context to search by: the distribution and the household concerned, if any.
    cycle_id: Mapped[int | None] = mapped_column(Integer, index=True)
    member_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: The distribution point concerned, so a coordinator sees only its points' entries.
    point_id: Mapped[int | None] = mapped_column(Integer, index=True)


# --- invoices -----------------------------------------------------------------------------


class InvoiceCounter(Base):
    """The last number given in a series and a year; its row is locked while issuing, so
    that numbers are gapless and never given twice."""

    __tablename__ = "invoice_counter"
    __table_args__ = (CheckConstraint("last_number >= 0", name="last_number_not_negative"),)

    #: A producer's invoice prefix (self-billed invoices), or the co-op's series.
    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Invoice(Base):
    """An issued invoice or credit note (avoir): never updated nor deleted (triggers
    refuse it). Drafts are not stored: they are computed until issued.

    Who sells and who buys, with the legal wording printed, are kept as they were
    on the day of issue (`parties`), as are the PDF and its Factur-X XML: a
    reprint gives the very same document whatever changed since.
    """

    __tablename__ = "invoice"
    __table_args__ = (
        UniqueConstraint("series", "year", "sequence"),
        CheckConstraint("sequence > 0", name="sequence_positive"),
        CheckConstraint("(kind = 'credit_note') = (corrected_invoice_id IS NOT NULL)",
                        name="credit_note_cites_invoice"),
        CheckConstraint("(buyer = 'household') = (member_id IS NOT NULL)",
                        name="household_buyer_named"),
        CheckConstraint("NOT self_billed OR mandate_date IS NOT NULL",
                        name="self_billed_has_mandate"),
        CheckConstraint("period_end >= period_start", name="period_in_order"),
        CheckConstraint("due_date >= issue_date", name="due_after_issue"),
        CheckConstraint("total_ht >= 0 AND total_vat >= 0", name="totals_not_negative"),
        CheckConstraint("total_ttc = total_ht + total_vat", name="ttc_is_ht_plus_vat"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "invoice_kind"))
    #: « GAECDUPRE-2026-0001 »: series, year and sequence.
    number: Mapped[str] = mapped_column(String(40), unique=True)
    series: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer)
    #: UNTDID 1001: 380 invoice, 381 credit note, 389 self-billed invoice.
    type_code: Mapped[str] = mapped_column(String(3))
    producer_id: Mapped[int] = mapped_column(ForeignKey("producer.id"), index=True)
    buyer: Mapped[InvoiceBuyer] = mapped_column(_enum(InvoiceBuyer, "invoice_buyer"))
    #: The household invoiced (AMAP direct sale); None when the co-op is the buyer.
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    issue_date: Mapped[dt.date] = mapped_column(Date, index=True)
    first_delivery: Mapped[dt.date] = mapped_column(Date)
    last_delivery: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    #: Issued by the co-op on the producer's behalf under a billing mandate.
    self_billed: Mapped[bool] = mapped_column(Boolean)
    mandate_date: Mapped[dt.date | None] = mapped_column(Date)
    vat_regime: Mapped[VatRegime] = mapped_column(_enum(VatRegime, "vat_regime"))
    #: For a credit note: the invoice it corrects, and why.
    corrected_invoice_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    total_ht: Mapped[Decimal] = mapped_column(Money())
    total_vat: Mapped[Decimal] = mapped_column(Money())
    total_ttc: Mapped[Decimal] = mapped_column(Money())
    #: Seller, buyer and issuer identities and the legal mentions, as printed.
    parties: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    facturx_xml: Mapped[bytes] = mapped_column(LargeBinary)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    issued_by: Mapped[str] = mapped_column(String(200))

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position")
    producer: Mapped[Producer] = relationship()
    member: Mapped[Member | None] = relationship()


class InvoiceLine(Base):
    """A line of an invoice (delivered order lines of one item, price and day grouped) or
    of a credit note (the quantity credited of a line of the corrected invoice)."""

    __tablename__ = "invoice_line"
    __table_args__ = (
        UniqueConstraint("invoice_id", "position"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_ht >= 0 AND total_ht >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    #: The line's number on the printed invoice, from 1.
    position: Mapped[int] = mapped_column(Integer)
    designation: Mapped[str] = mapped_column(String(400))
    quantity: Mapped[Decimal] = mapped_column(Quantity())
    unit: Mapped[Unit] = mapped_column(_enum(Unit, "unit"))
    unit_price_ht: Mapped[Decimal] = mapped_column(Money())
    #: The rate applied: 0 for a producer that charges no VAT.
    vat_rate: Mapped[Decimal] = mapped_column(Percent())
    total_ht: Mapped[Decimal] = mapped_column(Money())
    delivery_date: Mapped[dt.date] = mapped_column(Date)
    #: For a credit note's line: the line of the corrected invoice it credits.
    corrected_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("invoice_line.id"), index=True)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class InvoicedOrderLine(Base):
    """Which invoice line invoiced a delivered order line: its primary key makes an order
    line invoiced once and only once."""

    __tablename__ = "invoiced_order_line"

    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"), primary_key=True)
    invoice_line_id: Mapped[int] = mapped_column(ForeignKey("invoice_line.id"), index=True)


# --- treasury -------------------------------------------------------------------------------


class LedgerEntry(Base):
    """One amount due or paid on a household's or a producer's account; never edited
    nor deleted (triggers refuse it): a correction is a new entry, a cancellation an
    entry of the opposite amount that names the one it reverses.

    `amount` is signed from the co-op's side (coopfood.domain.treasury): > 0 is owed
    to the co-op, < 0 is owed by it; a balance is the sum of an account's entries.
    """

    __tablename__ = "ledger_entry"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (producer_id IS NULL)", name="one_account"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)",
                        name="reversal_names_entry"),
        UniqueConstraint("reverses_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_date: Mapped[dt.date] = mapped_column(Date, index=True)
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind, "entry_kind"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money())
    #: The line of the statement, in French: « Commande du 12/11/2026 — Centre ».
    label: Mapped[str] = mapped_column(String(300))
    #: For a payment or a payout: how it was paid.
    means: Mapped[PaymentMeans | None] = mapped_column(_enum(PaymentMeans, "payment_means"))
    #: The piece it rests on: an invoice or cheque number, a transfer's reference…
    reference: Mapped[str] = mapped_column(String(80), default="")
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    point_id: Mapped[int | None] = mapped_column(ForeignKey("distribution_point.id"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    fee_id: Mapped[int | None] = mapped_column(ForeignKey("membership_fee.id"))
    cheque_id: Mapped[int | None] = mapped_column(ForeignKey("cheque.id"), index=True)
    payout_batch_id: Mapped[int | None] = mapped_column(ForeignKey("payout_batch.id"))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class Cheque(Versioned, Timestamped, Base):
    """A cheque in the register, from the promise to the bank (its status moves on)."""

    __tablename__ = "cheque"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), default="")
    bank: Mapped[str] = mapped_column(String(100), default="")
    #: Who signed it (the account holder), as written on the cheque.
    drawer: Mapped[str] = mapped_column(String(200), default="")
    amount: Mapped[Decimal] = mapped_column(Money())
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contract.id"), index=True)
    #: The producer it is made out to; None: made out to the co-op.
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"), index=True)
    issue_date: Mapped[dt.date | None] = mapped_column(Date)
    #: The month it is to be cashed in, "YYYY-MM".
    planned_month: Mapped[str | None] = mapped_column(String(7), index=True)
    status: Mapped[ChequeStatus] = mapped_column(
        _enum(ChequeStatus, "cheque_status"), default=ChequeStatus.PROMISED, index=True)
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    remittance_id: Mapped[int | None] = mapped_column(
        ForeignKey("cheque_remittance.id"), index=True)
    note: Mapped[str] = mapped_column(String(300), default="")

    member: Mapped[Member | None] = relationship()
    producer: Mapped[Producer | None] = relationship()


class ChequeRemittance(Base):
    """A deposit slip (bordereau de remise) or a month's hand-over to a producer; what
    it holds is kept as printed."""

    __tablename__ = "cheque_remittance"
    __table_args__ = (
        CheckConstraint("cheque_count > 0", name="count_positive"),
        CheckConstraint("total > 0", name="total_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[RemittanceKind] = mapped_column(_enum(RemittanceKind, "remittance_kind"))
    #: « REM-2026-0003 »
    number: Mapped[str] = mapped_column(String(30), unique=True)
    remittance_date: Mapped[dt.date] = mapped_column(Date, index=True)
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"))
    month: Mapped[str | None] = mapped_column(String(7))
    cheque_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money())
    #: The account credited (the co-op's IBAN on the day of a deposit).
    iban: Mapped[str | None] = mapped_column(String(34))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class CashSession(Base):
    """The cash box of a distribution at a point, in euros or in local currency."""

    __tablename__ = "cash_session"
    __table_args__ = (
        UniqueConstraint("cycle_id", "point_id", "currency"),
        CheckConstraint("opening_float >= 0", name="float_not_negative"),
        CheckConstraint("counted IS NULL OR counted >= 0", name="counted_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"))
    currency: Mapped[CashCurrency] = mapped_column(_enum(CashCurrency, "cash_currency"))
    opening_float: Mapped[Decimal] = mapped_column(Money())
    #: Set when the box is counted at the end: what the payments say should be there…
    expected: Mapped[Decimal | None] = mapped_column(Money())
    #: …what was counted, and the difference (counted − expected), kept as recorded.
    counted: Mapped[Decimal | None] = mapped_column(Money())
    difference: Mapped[Decimal | None] = mapped_column(Money())
    note: Mapped[str] = mapped_column(String(300), default="")
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str] = mapped_column(String(200), default="")


class BankStatement(Base):
    """One import of a bank statement file."""

    __tablename__ = "bank_statement"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account it is for (IBAN or account number); fingerprints are per account.
    account: Mapped[str] = mapped_column(String(40), index=True)
    format: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(300))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    opening_balance: Mapped[Decimal | None] = mapped_column(Money())
    closing_balance: Mapped[Decimal | None] = mapped_column(Money())
    lines_read: Mapped[int] = mapped_column(Integer)
    lines_new: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    imported_by: Mapped[str] = mapped_column(String(200))


class BankLine(Base):
    """An operation of the bank account; an overlapping re-import finds it by its
    fingerprint and never adds it twice."""

    __tablename__ = "bank_line"
    __table_args__ = (UniqueConstraint("account", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statement.id"), index=True)
    account: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(32))
    booking_date: Mapped[dt.date] = mapped_column(Date, index=True)
    value_date: Mapped[dt.date | None] = mapped_column(Date)
    #: Signed: a credit > 0, a debit < 0.
    amount: Mapped[Decimal] = mapped_column(Money())
    label: Mapped[str] = mapped_column(Text)
    counterparty_name: Mapped[str | None] = mapped_column(String(200))
    counterparty_iban: Mapped[str | None] = mapped_column(String(34))
    reference: Mapped[str | None] = mapped_column(String(300))
    bank_id: Mapped[str | None] = mapped_column(String(100))
    #: Set by the treasurer for a line that needs no match (bank fees…), with why.
    ignored_reason: Mapped[str | None] = mapped_column(String(300))


class BankMatch(Base):
    """A bank line explained, in part or whole, by a ledger entry, a cheque deposit or
    a batch of transfers to producers."""

    __tablename__ = "bank_match"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN entry_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN remittance_id IS NULL THEN 0 ELSE 1 END"
            " + CASE WHEN payout_batch_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target"),
        UniqueConstraint("bank_line_id", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_line_id: Mapped[int] = mapped_column(ForeignKey("bank_line.id"), index=True)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), index=True)
    remittance_id: Mapped[int | None] = mapped_column(
        ForeignKey("cheque_remittance.id"), index=True)
    payout_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("payout_batch.id"), index=True)
    #: The part of the bank line's amount this match explains (signed like the line).
    amount: Mapped[Decimal] = mapped_column(Money())
    #: Made by the automatic matching (True) or confirmed by the treasurer.
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    matched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    matched_by: Mapped[str] = mapped_column(String(200))


class PayoutBatch(Base):
    """A SEPA credit transfer file (pain.001) paying producers' invoices, kept as sent."""

    __tablename__ = "payout_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    execution_date: Mapped[dt.date] = mapped_column(Date)
    transfer_count: Mapped[int] = mapped_column(Integer)
    total: Mapped[Decimal] = mapped_column(Money())
    debtor_iban: Mapped[str] = mapped_column(String(34))
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


# --- users and e-mail -------------------------------------------------------------------------


class User(Timestamped, Base):
    """A person who logs in (multi-user mode); the role says what it may do."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    #: A slow salted hash (hashlib.scrypt), with its parameters: never the password.
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role] = mapped_column(_enum(Role, "user_role"))
    #: For a producer's account: which producer it is.
    producer_id: Mapped[int | None] = mapped_column(ForeignKey("producer.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class UserPoint(Base):
    """A distribution point a coordinator looks after."""

    __tablename__ = "app_user_point"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), primary_key=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("distribution_point.id"), primary_key=True)


class MailMessage(Base):
    """Every e-mail sent or tried: who, what, with which files, and how it went. A retry
    skips a message whose `dedup_key` was already sent."""

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "pickup", "sheets", "statements", "order-forms"
    kind: Mapped[str] = mapped_column(String(30), index=True)
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    attachments: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What makes the message the same one on a retry (kind, cycle, recipient, files).
    dedup_key: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[MailStatus] = mapped_column(_enum(MailStatus, "mail_status"))
    error: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_by: Mapped[str] = mapped_column(String(200))
