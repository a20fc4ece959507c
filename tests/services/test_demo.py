"""The demonstration co-op: what a user exploring it finds, built the same way every time."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections import defaultdict
from decimal import Decimal

import pytest
from schwifty import IBAN
from sqlalchemy import func, select
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from coopfood.domain.enums import (
    CaseRule,
    CycleState,
    InvoiceBuyer,
    LineSource,
    ShareMode,
    Unit,
)
from coopfood.domain.vat import VatRegime, member_price
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
    LOCAL_ADMIN,
    Actor,
    Cancelled,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
)
from coopfood.services.coop import get_coop
from coopfood.services.demo import DemoSize, build_demo, demo_size_counts
from coopfood.services.lists import (
    list_cycles,
    list_members,
    list_points,
    list_producers,
    list_products,
)

AS_OF = dt.date(2026, 11, 26)  # the day tests/conftest.py's demo_db is anchored on
OPEN_DAY = dt.date(2026, 12, 3)  # the Thursday after


def _build(db: Database, seed: int = 1) -> None:
    build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=seed, as_of=AS_OF)


def _snapshot(db: Database) -> tuple[object, ...]:
    """What the window's lists show of a database."""
    return (
        list_points(db=db, actor=LOCAL_ADMIN),
        list_producers(db=db, actor=LOCAL_ADMIN),
        list_products(db=db, actor=LOCAL_ADMIN, on=AS_OF),
        list_members(db=db, actor=LOCAL_ADMIN),
        list_cycles(db=db, actor=LOCAL_ADMIN),
    )


def _row_counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {
            table.name: s.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


# --- what the small demo holds -----------------------------------------------------------


def test_small_demo_has_points_producers_products_and_households(demo_db: Database) -> None:
    expected = demo_size_counts(DemoSize.SMALL)
    points = list_points(db=demo_db, actor=LOCAL_ADMIN)
    producers = list_producers(db=demo_db, actor=LOCAL_ADMIN)
    products = list_products(db=demo_db, actor=LOCAL_ADMIN, on=AS_OF)
    members = list_members(db=demo_db, actor=LOCAL_ADMIN)

    assert len(points) == expected.points == 3
    assert len(producers) == expected.producers == 12
    assert len(products) == expected.products == 150
    assert len(members) == expected.members == 150
    assert sum(p.member_count for p in points) == 150
    assert all(p.price_ht is not None and p.price_ht > 0 for p in products)
    assert {"Légumes", "Fruits", "Fromages", "Viandes", "Œufs", "Pain", "Miel",
            "Boissons"} <= {p.category for p in products}
    assert {p.label for p in products} == {"AB", "Nature & Progrès", ""}
    assert any(p.variable_weight for p in products)
    assert any(p.case_pack == Decimal("6.000") for p in products)
    assert any(p.case_pack == Decimal("12.000") for p in products)


def test_small_demo_has_seven_distributed_weeks_and_one_open(demo_db: Database) -> None:
    cycles = list_cycles(db=demo_db, actor=LOCAL_ADMIN)

    assert len(cycles) == demo_size_counts(DemoSize.SMALL).cycles == 8
    open_cycle, *past = cycles  # newest first
    assert open_cycle.state is CycleState.OPEN
    assert open_cycle.date == OPEN_DAY
    assert open_cycle.order_deadline is not None
    assert open_cycle.order_deadline.date() == OPEN_DAY - dt.timedelta(days=2)
    assert [c.state for c in past] == [CycleState.DISTRIBUTED] * 7
    assert [c.date for c in past] == [OPEN_DAY - dt.timedelta(weeks=w) for w in range(1, 8)]
    assert past[0].date == AS_OF
    for cycle in cycles:
        assert len(cycle.points) == 3
        assert cycle.order_count > 30
        assert cycle.amount > Decimal("500")
        assert cycle.name == cycle.name.strip() and cycle.name.startswith("Distribution du jeudi")


def test_every_point_distributes_on_the_cycles_day(demo_db: Database) -> None:
    days = {c.date.weekday() for c in list_cycles(db=demo_db, actor=LOCAL_ADMIN)}
    points = list_points(db=demo_db, actor=LOCAL_ADMIN)
    assert days == {p.weekday for p in points} == {3}
    assert all(p.start_time < p.end_time for p in points)


def test_summary_counts_what_was_written(db: Database) -> None:
    summary = build_demo(db=db, actor=LOCAL_ADMIN, size="small", seed=7, as_of=AS_OF)

    counts = _row_counts(db)
    assert (summary.points, summary.producers, summary.products, summary.members) == (
        3, 12, 150, 150)
    assert summary.cycles == counts["cycle"] == 8
    assert summary.contracts == counts["contract"] > 150
    assert summary.orders == counts["member_order"]
    assert summary.order_lines == counts["order_line"] > 8 * 400
    assert summary.seconds > 0


# --- the same seed gives the same co-op ------------------------------------------------------


def test_same_seed_and_day_give_the_same_lists(demo_db: Database, db: Database) -> None:
    _build(db, seed=1)
    assert _snapshot(db) == _snapshot(demo_db)
    assert _row_counts(db) == _row_counts(demo_db)


def test_another_seed_gives_other_households(demo_db: Database, db: Database) -> None:
    _build(db, seed=2)
    names = [m.name for m in list_members(db=db, actor=LOCAL_ADMIN)]
    assert names != [m.name for m in list_members(db=demo_db, actor=LOCAL_ADMIN)]
    assert _snapshot(db) != _snapshot(demo_db)


# --- identities printed on invoices and transfers ---------------------------------------------


def test_producers_and_coop_have_valid_siret_iban_and_vat_numbers(demo_db: Database) -> None:
    with demo_db.reading() as s:
        coop = s.scalars(select(Coop)).one()
        producers = s.scalars(select(Producer).order_by(Producer.id)).all()

    assert coop.name == "AMAP Les Paniers du Plateau"
    assert coop.legal_form == "Association loi 1901"
    assert coop.siret is not None and stdnum_siret.is_valid(coop.siret)
    assert coop.siren == coop.siret[:9]
    assert coop.rna is not None and re.fullmatch(r"W\d{9}", coop.rna)
    assert coop.vat_number is None
    assert coop.iban is not None
    IBAN(coop.iban).validate()
    assert coop.fee_percent == Decimal("5.00")
    assert coop.payment_terms_days == 30
    # The demo keeps the default legal wording, which the co-op's settings serve.
    settings = get_coop(db=demo_db, actor=LOCAL_ADMIN)
    assert settings is not None
    assert settings.legal_texts["franchise"] == "TVA non applicable, art. 293 B du CGI"
    assert "{date}" in settings.legal_texts["autofacturation"]
    assert "40 €" in settings.legal_texts["recovery_indemnity"]
    assert {"late_penalty", "flat_rate_farmer"} <= settings.legal_texts.keys()

    for p in producers:
        assert p.siret is not None and stdnum_siret.is_valid(p.siret), p.name
        assert p.iban is not None and IBAN(p.iban).country_code == "FR", p.name
        IBAN(p.iban).validate()
        if p.vat_regime is VatRegime.NORMAL:
            assert p.vat_number is not None and stdnum_tva.is_valid(p.vat_number), p.name
            assert p.vat_number.endswith(p.siret[:9])
        else:
            assert p.vat_number is None, p.name
        assert re.fullmatch(r"[A-Z0-9]{1,20}", p.invoice_prefix), p.invoice_prefix
    assert len({p.invoice_prefix for p in producers}) == len(producers)
    assert len({p.siret for p in producers}) == len(producers)
    assert sum(p.billing_mandate_date is not None for p in producers) >= 8


def test_vat_rates_and_regimes_are_french_ones(demo_db: Database) -> None:
    products = list_products(db=demo_db, actor=LOCAL_ADMIN, on=AS_OF)
    producers = list_producers(db=demo_db, actor=LOCAL_ADMIN)

    assert {p.vat_rate for p in products} == {Decimal("5.50"), Decimal("10.00"),
                                               Decimal("20.00")}
    for product in products:
        if product.category in ("Légumes", "Fruits", "Œufs", "Pain", "Miel", "Viandes"):
            assert product.vat_rate == Decimal("5.50"), product.name
        if re.match(r"(Bière|Côtes|Brouilly|Morgon|Cidre|Crémant)", product.name):
            assert product.vat_rate == Decimal("20.00"), product.name
        if product.category == "Plants et fleurs":
            assert product.vat_rate == Decimal("10.00"), product.name
    assert {p.vat_regime for p in producers} == set(VatRegime)
    assert {p.legal_form.split()[0] for p in producers} >= {"GAEC", "EARL", "SCEA", "EI"}


def test_vegetable_and_meat_producers_invoice_each_household(demo_db: Database) -> None:
    with demo_db.reading() as s:
        rows = s.execute(select(Producer.name, Producer.invoice_buyer)).all()
    household = sorted(name for name, buyer in rows if buyer is InvoiceBuyer.HOUSEHOLD)
    assert household == ["EARL Élevage du Bois Joli", "GAEC du Pré Vert"]


# --- households, baskets and contracts ---------------------------------------------------------


def test_households_look_real(demo_db: Database) -> None:
    members = list_members(db=demo_db, actor=LOCAL_ADMIN)

    assert [m.payment_reference for m in sorted(members, key=lambda m: m.id)] == [
        f"ADH-{i:04d}" for i in range(1, 151)]
    emails = [m.email for m in members if m.email]
    assert 100 < len(emails) < 150 and len(set(emails)) == len(emails)
    assert all(re.fullmatch(r"0\d( \d\d){4}", m.phone) for m in members if m.phone)
    assert sum(bool(m.co_member_name) for m in members) > 20
    assert all(m.point for m in members)
    this_year = sum(AS_OF.year in m.fee_years for m in members)
    last_year = sum(AS_OF.year - 1 in m.fee_years for m in members)
    assert this_year > 120 and 50 < last_year < this_year


def test_shared_baskets_go_to_both_households(demo_db: Database) -> None:
    members = list_members(db=demo_db, actor=LOCAL_ADMIN)
    by_name = {m.name: m for m in members}
    partnered = [m for m in members if m.partner]
    assert len(partnered) == 2 * demo_size_counts(DemoSize.SMALL).shared_pairs
    for m in partnered:  # the pairs name each other and collect at the same point
        assert by_name[m.partner].partner == m.name
        assert by_name[m.partner].point_id == m.point_id

    with demo_db.reading() as s:
        shared = s.scalars(select(Contract).where(Contract.co_member_id.is_not(None))).all()
        skipped = s.execute(select(ContractSkip.contract_id, ContractSkip.cycle_id,
                                   ContractSkip.postponed_to_cycle_id)).all()
        assert {c.share_mode for c in shared} == {ShareMode.ALTERNATE, ShareMode.BOTH}
        for contract in shared:
            # weeks an absence or a postponement changed are left aside
            changed = {cycle for c, skip, moved in skipped if c == contract.id
                       for cycle in (skip, moved) if cycle is not None}
            takers = s.execute(
                select(Cycle.distribution_date, Order.member_id, OrderLine.quantity_ordered)
                .join(Order, Order.id == OrderLine.order_id)
                .join(Cycle, Cycle.id == Order.cycle_id)
                .where(OrderLine.contract_id == contract.id, Cycle.id.not_in(changed))
                .order_by(Cycle.distribution_date, Order.member_id)
            ).all()
            households = {contract.member_id, contract.co_member_id}
            assert {member for _, member, _ in takers} == households
            if contract.share_mode is ShareMode.BOTH:
                assert {qty for _, _, qty in takers} == {Decimal("0.500")}
            else:
                assert {qty for _, _, qty in takers} == {Decimal("1.000")}
                # one week each: two distributions in a row never go to the same household
                for (day, member, _), (next_day, next_member, _) in itertools.pairwise(takers):
                    if next_day - day == dt.timedelta(weeks=1):
                        assert member != next_member


def test_absences_stay_within_the_jokers_and_postponed_baskets_come_later(
    demo_db: Database,
) -> None:
    with demo_db.reading() as s:
        skips = s.scalars(select(ContractSkip)).all()
        allowed = dict(s.execute(select(Contract.id, Contract.allowed_absences)).all())
        taken = {
            (contract_id, member_id, cycle_id): qty
            for contract_id, member_id, cycle_id, qty in s.execute(
                select(OrderLine.contract_id, Order.member_id, Order.cycle_id,
                       OrderLine.quantity_ordered)
                .join(Order, Order.id == OrderLine.order_id)
                .where(OrderLine.contract_id.is_not(None)))
        }
    absences = [k for k in skips if k.postponed_to_cycle_id is None]
    postponed = [k for k in skips if k.postponed_to_cycle_id is not None]
    assert len(absences) > 30 and len(postponed) > 5
    per_contract: dict[int, int] = defaultdict(int)
    for skip in absences:
        per_contract[skip.contract_id] += 1
    assert all(count <= allowed[contract] for contract, count in per_contract.items())
    for skip in skips:
        assert (skip.contract_id, skip.member_id, skip.cycle_id) not in taken
    for skip in postponed:
        assert skip.postponed_to_cycle_id is not None
        assert skip.postponed_to_cycle_id > skip.cycle_id
        assert (skip.contract_id, skip.member_id, skip.postponed_to_cycle_id) in taken
    assert Decimal("2.000") in taken.values()  # a week with the postponed basket too


def test_contracts_are_amap_contracts(demo_db: Database) -> None:
    with demo_db.reading() as s:
        contracts = s.scalars(select(Contract)).all()
        baskets = {b.id: b for b in s.scalars(select(BasketType))}
        weeks = s.execute(select(BasketContent.basket_type_id, BasketContent.week_start)).all()
    assert {c.frequency.value for c in contracts} == {"weekly", "fortnightly"}
    for c in contracts:
        assert 2 <= c.allowed_absences <= 4
        assert c.season_start <= AS_OF <= c.season_end
        assert len(c.cheque_months) == c.cheque_count
        assert all(c.season_start.strftime("%Y-%m") <= m <= c.season_end.strftime("%Y-%m")
                   for m in c.cheque_months)
        assert c.price_per_basket >= baskets[c.basket_type_id].price_ht
    names = {b.name for b in baskets.values()}
    assert {"Panier légumes — petit", "Panier légumes — grand", "Colis viande — mixte",
            "Panier œufs — 6 œufs"} <= names
    mondays = {OPEN_DAY - dt.timedelta(weeks=w, days=3) for w in range(8)}
    for basket_id in baskets:  # a composition for the week of every distribution
        assert {week for b, week in weeks if b == basket_id} == mondays


# --- orders of the distributions -----------------------------------------------------------


def _ascii_key(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c)).casefold()


def test_sign_in_sheet_rows_are_numbered_alphabetically_per_point(demo_db: Database) -> None:
    with demo_db.reading() as s:
        rows = s.execute(
            select(Order.cycle_id, Order.point_id, Order.row_number, Member.last_name,
                   Member.first_name, Member.point_id)
            .join(Member, Member.id == Order.member_id)
        ).all()
    sheets: dict[tuple[int, int], list[tuple[int, str, str]]] = defaultdict(list)
    for cycle_id, point_id, number, last, first, home_point in rows:
        assert point_id == home_point and number is not None
        sheets[cycle_id, point_id].append((number, _ascii_key(last), _ascii_key(first)))
    assert len(sheets) == 8 * 3
    for sheet in sheets.values():
        sheet.sort()
        assert [number for number, _, _ in sheet] == list(range(1, len(sheet) + 1))
        names = [(last, first) for _, last, first in sheet]
        assert names == sorted(names)


def test_past_orders_are_delivered_and_the_open_one_is_not(demo_db: Database) -> None:
    with demo_db.reading() as s:
        lines = s.execute(
            select(Cycle.state, Order.absent, OrderLine.quantity_ordered,
                   OrderLine.quantity_delivered, Product.variable_weight, OrderLine.source)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Cycle, Cycle.id == Order.cycle_id)
            .outerjoin(Product, Product.id == OrderLine.product_id)
        ).all()
    open_lines = [line for line in lines if line.state is CycleState.OPEN]
    past = [line for line in lines if line.state is CycleState.DISTRIBUTED]
    assert open_lines and all(line.quantity_delivered is None for line in open_lines)
    assert not any(line.absent for line in open_lines)
    assert all(line.quantity_delivered is not None for line in past)
    absent = [line for line in past if line.absent]
    assert absent and all(line.quantity_delivered == 0 for line in absent)
    weighed = [line for line in past if line.variable_weight and not line.absent
               and line.quantity_delivered]
    assert sum(line.quantity_delivered != line.quantity_ordered for line in weighed) > (
        len(weighed) // 2)
    for line in weighed:  # an actual weight near the estimate
        assert abs(line.quantity_delivered - line.quantity_ordered) <= (
            line.quantity_ordered * Decimal("0.13"))
    assert any(line.quantity_delivered == 0 and not line.absent for line in past)
    sources = {line.source for line in lines}
    assert sources == {LineSource.SUBSCRIPTION, LineSource.A_LA_CARTE}


def test_closed_cycles_allocate_full_cases_only_under_the_cut_rule(demo_db: Database) -> None:
    with demo_db.reading() as s:
        lines = s.execute(
            select(Cycle.id, Cycle.state, Product.id, Product.case_pack, Product.case_rule,
                   Product.variable_weight, OrderLine.quantity_ordered,
                   OrderLine.quantity_allocated, OrderLine.quantity_delivered)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Cycle, Cycle.id == Order.cycle_id)
            .outerjoin(Product, Product.id == OrderLine.product_id)
        ).all()
    allocated_per_case: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    cut_lines = 0
    for line in lines:
        if line.state is CycleState.OPEN:
            assert line.quantity_allocated is None
            continue
        assert line.quantity_allocated is not None
        assert line.quantity_allocated <= line.quantity_ordered
        if line.case_rule is CaseRule.CUT and line.case_pack:
            allocated_per_case[line[0], line[2]] += line.quantity_allocated
            cut_lines += line.quantity_allocated < line.quantity_ordered
        else:
            assert line.quantity_allocated == line.quantity_ordered
        if not line.variable_weight:
            assert line.quantity_delivered is not None
            assert line.quantity_delivered <= line.quantity_allocated
    assert allocated_per_case and cut_lines
    packs = {line[2]: line.case_pack for line in lines if line.case_pack}
    for (_cycle, product), total in allocated_per_case.items():
        assert total % packs[product] == 0


def test_lines_carry_the_price_in_force_on_the_distribution_day(demo_db: Database) -> None:
    with demo_db.reading() as s:
        fee = s.scalars(select(Coop.fee_percent)).one()
        prices: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
        for product_id, valid_from, price in s.execute(
            select(ProductPrice.product_id, ProductPrice.valid_from, ProductPrice.price_ht)
            .order_by(ProductPrice.valid_from)
        ):
            prices[product_id].append((valid_from, price))
        lines = s.execute(
            select(OrderLine, Cycle.distribution_date, Product.vat_rate, Producer.vat_regime)
            .join(Order, Order.id == OrderLine.order_id)
            .join(Cycle, Cycle.id == Order.cycle_id)
            .join(Product, Product.id == OrderLine.product_id)
            .join(Producer, Producer.id == Product.producer_id)
        ).all()
        subscriptions = s.execute(
            select(OrderLine, Contract.price_per_basket, BasketType.price_ht)
            .join(Contract, Contract.id == OrderLine.contract_id)
            .join(BasketType, BasketType.id == OrderLine.basket_type_id)
        ).all()

    assert sum(len(history) > 1 for history in prices.values()) >= 5  # prices changed
    for line, day, rate, regime in lines:
        assert line.product_id is not None
        in_force = [price for valid_from, price in prices[line.product_id] if valid_from <= day]
        assert line.unit_price_ht == in_force[-1]
        assert line.vat_rate == rate
        charged = rate if regime is VatRegime.NORMAL else Decimal("0")
        assert line.member_unit_price == member_price(line.unit_price_ht, charged, fee)
    assert subscriptions
    for line, per_basket, price_ht in subscriptions:
        assert line.member_unit_price == per_basket
        assert line.unit_price_ht == price_ht


def test_offers_follow_the_season_and_caps_hold(demo_db: Database) -> None:
    with demo_db.reading() as s:
        offered = s.execute(select(Product.name).join(CycleOffer).join(Cycle)
                            .where(Cycle.distribution_date == OPEN_DAY)).scalars().all()
        capped = s.execute(
            select(CycleOffer.cap, func.coalesce(func.sum(OrderLine.quantity_ordered), 0))
            .join(Order, Order.cycle_id == CycleOffer.cycle_id)
            .join(OrderLine, (OrderLine.order_id == Order.id)
                  & (OrderLine.product_id == CycleOffer.product_id))
            .where(CycleOffer.cap.is_not(None))
            .group_by(CycleOffer.id, CycleOffer.cap)
        ).all()
    assert "Poireaux" in offered or "Carottes" in offered
    assert "Tomates" not in offered and "Cerises" not in offered  # not in December
    assert capped
    assert all(cap is not None and total <= cap for cap, total in capped)


def test_volunteer_shifts_are_set_for_every_point(demo_db: Database) -> None:
    with demo_db.reading() as s:
        shifts = s.execute(select(Cycle.state, Shift.role, Shift.member_id)
                           .join(Cycle, Cycle.id == Shift.cycle_id)).all()
    assert {role for _, role, _ in shifts} == {"Installation", "Distribution", "Caisse"}
    open_shifts = [member for state, _, member in shifts if state is CycleState.OPEN]
    assert None in open_shifts and any(open_shifts)


# --- an empty database only, all or nothing, admin only ---------------------------------------


def test_a_second_demo_is_refused_and_changes_nothing(demo_db_copy: Database) -> None:
    before = _row_counts(demo_db_copy), _snapshot(demo_db_copy)

    with pytest.raises(ServiceError) as refused:
        _build(demo_db_copy, seed=3)

    assert str(refused.value) == ("La base contient déjà une coopérative : la démo ne "
                                  "s'installe que dans une base vide.")
    assert (_row_counts(demo_db_copy), _snapshot(demo_db_copy)) == before


def test_a_database_with_data_but_no_coop_is_refused(db: Database) -> None:
    with db.transaction() as s:
        s.add(DistributionPoint(name="Halle", weekday=2, start_time=dt.time(17),
                                end_time=dt.time(19)))
    with pytest.raises(ServiceError, match="base vide"):
        _build(db)
    assert _row_counts(db)["distribution_point"] == 1
    assert _row_counts(db)["producer"] == 0


def test_cancelling_from_the_progress_leaves_the_database_empty(db: Database) -> None:
    seen: list[tuple[int, int, str]] = []

    def progress(done: int, total: int, what: str) -> None:
        seen.append((done, total, what))
        if done == total - 3:  # in the middle of the distributions
            raise Cancelled()

    with pytest.raises(Cancelled):
        build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1, as_of=AS_OF,
                   progress=progress)

    assert set(_row_counts(db).values()) == {0}
    assert any(what.startswith("Distribution du") for _, _, what in seen)
    _build(db)  # and the demo can then be built
    assert _row_counts(db)["coop"] == 1


def test_progress_is_reported_in_french_up_to_the_end(db: Database) -> None:
    seen: list[tuple[int, int, str]] = []
    build_demo(db=db, actor=LOCAL_ADMIN, size=DemoSize.SMALL, seed=1, as_of=AS_OF,
               progress=lambda done, total, what: seen.append((done, total, what)))
    done = [d for d, _, _ in seen]
    assert done == sorted(done) and done[0] == 0
    assert seen[-1][0] == seen[-1][1]
    assert ("Distribution du jeudi 3 décembre 2026" in {what for _, _, what in seen})


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.TREASURER, Role.PRODUCER])
def test_only_an_administrator_builds_the_demo(db: Database, role: Role) -> None:
    with pytest.raises(PermissionDenied, match="administrateur"):
        build_demo(db=db, actor=Actor(name="Camille", role=role), size=DemoSize.SMALL,
                   seed=1, as_of=AS_OF)
    assert set(_row_counts(db).values()) == {0}


def test_new_rows_can_be_added_after_the_demo(demo_db_copy: Database) -> None:
    """The demo writes its own ids: on PostgreSQL the sequences must follow."""
    with demo_db_copy.transaction() as s:
        point = DistributionPoint(name="Nouveau point", weekday=3, start_time=dt.time(18),
                                  end_time=dt.time(19))
        producer = Producer(name="Nouvelle ferme", vat_regime=VatRegime.FRANCHISE,
                            invoice_prefix="NOUVELLE")
        s.add_all([point, producer])
        s.flush()
        member = Member(last_name="Nouveau", first_name="Foyer", point_id=point.id,
                        payment_reference="ADH-9999")
        product = Product(producer_id=producer.id, name="Confiture", unit=Unit.JAR,
                          vat_rate=Decimal("5.50"))
        cycle = Cycle(distribution_date=OPEN_DAY + dt.timedelta(weeks=1))
        s.add_all([member, product, cycle])
        s.flush()
        s.add(MembershipFee(member_id=member.id, year=2027, amount=Decimal("15.00")))
        order = Order(cycle_id=cycle.id, member_id=member.id, point_id=point.id)
        s.add(order)
        s.flush()
        s.add(OrderLine(order_id=order.id, product_id=product.id,
                        quantity_ordered=Decimal("1"), unit_price_ht=Decimal("4.00"),
                        vat_rate=Decimal("5.50"), member_unit_price=Decimal("4.43")))
        s.flush()
        ids = (point.id, producer.id, member.id, product.id, cycle.id, order.id)
    assert ids == (4, 13, 151, 151, 9, ids[5])
    assert ids[5] > 1000


def test_an_unknown_size_is_refused(db: Database) -> None:
    with pytest.raises(ValidationError, match="« medium » inconnue"):
        build_demo(db=db, actor=LOCAL_ADMIN, size="medium", seed=1, as_of=AS_OF)


def test_large_size_counts() -> None:
    large = demo_size_counts("large")
    assert (large.points, large.producers, large.products, large.members, large.cycles) == (
        10, 80, 1200, 2000, 52)
