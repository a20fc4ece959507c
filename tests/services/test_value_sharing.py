"""Partage de la valeur: each euro paid splits, to the cent, into producer, VAT and co-op."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime, member_price_for
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    Order,
    OrderLine,
    Producer,
    Product,
)
from coopfood.services import LOCAL_ADMIN, Actor, PermissionDenied, Role, ValidationError
from coopfood.services.value_sharing import (
    Period,
    Split,
    household_value_summary,
    hundred_sentence,
    parse_period,
    split_line,
    value_sharing,
    write_value_report,
)

CENT = Decimal("0.01")


def _paid_in_sql(db: Database, period: Period) -> Decimal:
    """What members paid for delivered lines, straight from SQL (cents × thousandths)."""
    with db.engine.connect() as conn:
        cents = conn.execute(text(
            "SELECT COALESCE(SUM((l.member_unit_price * l.quantity_delivered + 500) / 1000), 0) "
            "FROM order_line l JOIN member_order o ON o.id = l.order_id "
            "JOIN cycle c ON c.id = o.cycle_id "
            "WHERE c.state IN ('distributed', 'invoiced') AND l.quantity_delivered IS NOT NULL "
            "AND c.distribution_date BETWEEN :start AND :end"),
            {"start": period.date_from, "end": period.date_to}).scalar()
    return (Decimal(int(cents or 0)) / 100).quantize(CENT)


def _adds_up(split: Split) -> bool:
    return split.producer + split.vat + split.fee == split.paid


@pytest.mark.parametrize("code", ["2026-10", "2026-11", "2026"])
def test_shares_add_up_to_what_was_paid_to_the_cent(demo_db: Database, code: str) -> None:
    period = parse_period(code)
    sharing = value_sharing(db=demo_db, actor=LOCAL_ADMIN, period=period)
    assert sharing.total.paid == _paid_in_sql(demo_db, period) > 0
    assert _adds_up(sharing.total)
    assert all(_adds_up(p.split) for p in sharing.producers)
    assert all(_adds_up(p.split) for p in sharing.products)
    # Products add up to their producer, producers to the co-op.
    for producer in sharing.producers:
        assert sum((p.split for p in sharing.products if p.producer_id == producer.producer_id),
                   Split()) == producer.split
    assert sum((p.split for p in sharing.producers), Split()) == sharing.total
    # Every share is in cents, the fee follows the co-op's rule within roundings.
    for value in (sharing.total.producer, sharing.total.vat, sharing.total.fee):
        assert value == value.quantize(CENT)
    assert sharing.total.follows_rule
    assert abs(sharing.total.rule_gap) < Decimal("5.00")
    splits = [p.split for p in sharing.producers] + [p.split for p in sharing.products]
    for split in splits:
        assert sum(split.per_hundred()) == Decimal("100.00")


def test_vat_only_where_the_producer_charges_it(demo_db: Database) -> None:
    sharing = value_sharing(db=demo_db, actor=LOCAL_ADMIN, period=parse_period("2026"))
    regimes = {p.regime for p in sharing.producers}
    assert regimes == {VatRegime.NORMAL, VatRegime.FRANCHISE, VatRegime.FLAT_RATE_FARMER}
    for producer in sharing.producers:
        if producer.regime is VatRegime.NORMAL:
            assert producer.split.vat > 0
        else:
            assert producer.split.vat == 0
    assert sharing.distributions == 7
    assert sharing.pending_lines == 0


def test_a_line_splits_as_the_member_price_rule_built_it() -> None:
    fee = Decimal("5.00")
    price_ht, rate, qty = Decimal("2.37"), Decimal("5.50"), Decimal("1.235")
    paid_unit = member_price_for(price_ht, rate, VatRegime.NORMAL, fee)
    line = split_line(unit_price_ht=price_ht, vat_rate=rate, member_unit_price=paid_unit,
                      quantity=qty, regime=VatRegime.NORMAL, fee_percent=fee,
                      subscription=False)
    assert paid_unit == Decimal("2.63")  # 2,50 € TTC + 0,13 € of fee
    assert line.paid == Decimal("3.25")  # 2,63 € × 1,235 kg
    assert line.producer == Decimal("2.93")
    assert line.vat == Decimal("0.16")
    assert line.fee == Decimal("0.16")
    assert line.rule_fee == Decimal("0.16")  # 0,13 € per kg × 1,235
    assert line.follows_rule
    flat = split_line(unit_price_ht=Decimal("10.00"), vat_rate=rate,
                      member_unit_price=Decimal("10.50"), quantity=Decimal("1.000"),
                      regime=VatRegime.FLAT_RATE_FARMER, fee_percent=fee, subscription=False)
    assert (flat.producer, flat.vat, flat.fee, flat.rule_fee) == (
        Decimal("10.00"), Decimal("0.00"), Decimal("0.50"), Decimal("0.50"))


def test_per_hundred_and_the_sentence() -> None:
    split = Split(paid=Decimal("300.00"), producer=Decimal("262.20"), vat=Decimal("15.30"),
                  fee=Decimal("22.50"))
    assert split.per_hundred() == (Decimal("87.40"), Decimal("5.10"), Decimal("7.50"))
    assert hundred_sentence(split).replace("\u202f", " ").replace("\u00a0", " ") == (
        "Sur 100 € payés : 87,40 € aux producteurs, 5,10 € de TVA, 7,50 € pour la "
        "coopérative.")
    thirds = Split(paid=Decimal("3.00"), producer=Decimal("1.00"), vat=Decimal("1.00"),
                   fee=Decimal("1.00"))
    assert sum(thirds.per_hundred()) == Decimal("100.00")
    no_vat = Split(paid=Decimal("10.00"), producer=Decimal("9.50"), fee=Decimal("0.50"))
    assert "TVA" not in hundred_sentence(no_vat)
    assert hundred_sentence(Split()) == "Aucun achat livré sur la période."


def test_periods() -> None:
    november = parse_period("2026-11")
    assert (november.date_from, november.date_to, november.label) == (
        dt.date(2026, 11, 1), dt.date(2026, 11, 30), "novembre 2026")
    assert parse_period("2024-02").date_to == dt.date(2024, 2, 29)
    assert parse_period(" 2026 ").date_to == dt.date(2026, 12, 31)
    for wrong in ("2026-13", "nov", "26-11", ""):
        with pytest.raises(ValidationError, match="AAAA-MM"):
            parse_period(wrong)
    with pytest.raises(ValidationError):
        Period.between(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_household_summary_for_its_statement(demo_db: Database) -> None:
    period = parse_period("2026")
    with demo_db.engine.connect() as conn:
        member_id = conn.execute(text(
            "SELECT o.member_id FROM member_order o JOIN cycle c ON c.id = o.cycle_id "
            "WHERE c.state = 'distributed' GROUP BY o.member_id "
            "ORDER BY COUNT(*) DESC, o.member_id LIMIT 1")).scalar()
    assert isinstance(member_id, int)
    summary = household_value_summary(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id,
                                      period=period)
    assert summary.split.paid > 0 and _adds_up(summary.split)
    assert summary.sentence.startswith("Sur 100\u00a0€ payés : ")
    assert "aux producteurs" in summary.sentence
    coordinator = Actor("Claire", Role.COORDINATOR, point_ids=frozenset({999}))
    with pytest.raises(PermissionDenied):
        household_value_summary(db=demo_db, actor=coordinator, member_id=member_id,
                                period=period)
    producer = Actor("Ferme", Role.PRODUCER, producer_id=1)
    with pytest.raises(PermissionDenied):
        value_sharing(db=demo_db, actor=producer, period=period)


@pytest.fixture
def tricky_co_op(db: Database) -> None:
    """A producer whose name a spreadsheet would run, a line not weighed yet."""
    with db.transaction() as s:
        s.add(Coop(name="AMAP =1+1", fee_percent=Decimal("10.00")))
        point = DistributionPoint(name="Salle", weekday=3, start_time=dt.time(18),
                                  end_time=dt.time(19))
        farm = Producer(name="=HYPERLINK(\"http://x\")", vat_regime=VatRegime.NORMAL,
                        invoice_prefix="X")
        s.add_all([point, farm])
        s.flush()
        product = Product(producer_id=farm.id, name="+Carottes; « bio » & co", unit=Unit.KG,
                          vat_rate=Decimal("5.50"), variable_weight=True)
        member = Member(last_name="Test", payment_reference="T1", point_id=point.id)
        cycle = Cycle(distribution_date=dt.date(2026, 11, 5), state=CycleState.DISTRIBUTED)
        s.add_all([product, member, cycle])
        s.flush()
        s.add(CyclePoint(cycle_id=cycle.id, point_id=point.id))
        order = Order(cycle_id=cycle.id, member_id=member.id, point_id=point.id)
        s.add(order)
        s.flush()
        paid = member_price_for(Decimal("2.00"), Decimal("5.50"), VatRegime.NORMAL,
                                Decimal("10.00"))
        for delivered in (Decimal("1.500"), None):
            s.add(OrderLine(order_id=order.id, product_id=product.id,
                            quantity_ordered=Decimal("1.500"), quantity_delivered=delivered,
                            unit_price_ht=Decimal("2.00"), vat_rate=Decimal("5.50"),
                            member_unit_price=paid))


def test_reports_in_three_formats(db: Database, tricky_co_op: None, tmp_path: Path) -> None:
    period = parse_period("2026-11")
    sharing = value_sharing(db=db, actor=LOCAL_ADMIN, period=period)
    assert sharing.pending_lines == 1
    assert any("pas encore de quantité livrée" in note for note in sharing.notes())
    assert sharing.total.paid == Decimal("3.48")  # 2,32 € × 1,5 kg

    csv_file = write_value_report(db=db, actor=LOCAL_ADMIN, period=period,
                                  path=tmp_path / "valeur.csv").path
    rows = list(csv.reader(io.StringIO(csv_file.read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[1] == ["AMAP =1+1"]
    table = {tuple(r[:3]): r[5:9] for r in rows[4:] if len(r) > 8}
    assert table[("Coopérative", "", "")] == ["3,48", "3,00", "0,17", "0,31"]
    assert ("Produit", "'=HYPERLINK(\"http://x\")", "'+Carottes; « bio » & co") in table

    from openpyxl import load_workbook

    xlsx = write_value_report(db=db, actor=LOCAL_ADMIN, period=period,
                              path=tmp_path / "valeur.xlsx").path
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    cells = {(c.row, c.column): c for row in sheet.iter_rows() for c in row}
    producer_cell = next(c for c in cells.values() if c.value == "=HYPERLINK(\"http://x\")")
    assert producer_cell.data_type == "s" and producer_cell.quotePrefix
    assert cells[(5, 6)].value == pytest.approx(3.48)
    assert cells[(5, 6)].number_format == "#,##0.00"

    pdf = write_value_report(db=db, actor=LOCAL_ADMIN, period=period,
                             path=tmp_path / "valeur.pdf")
    assert pdf.pages >= 1 and pdf.path.read_bytes().startswith(b"%PDF")
    with pytest.raises(ValidationError, match=r"\.pdf, \.csv ou \.xlsx"):
        write_value_report(db=db, actor=LOCAL_ADMIN, period=period, path=tmp_path / "x.ods")
