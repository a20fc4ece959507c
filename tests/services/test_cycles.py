"""Distributions: their offer, their states, case packs at closing, reopening on the record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from sqlalchemy import select

from coopfood.domain.enums import CaseRule, CycleState, ShortfallRule, Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import Order, OrderLine
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    PermissionDenied,
    Role,
    ServiceError,
    ValidationError,
)
from coopfood.services.coop import CoopInput, save_coop
from coopfood.services.cycles import (
    copy_offer_from_previous,
    create_cycle,
    get_cycle,
    list_cycle_history,
    remove_offer,
    set_offer,
    shortfall_report,
    transition,
    update_cycle,
)
from coopfood.services.members import MemberInput, save_member
from coopfood.services.orders import set_quantity
from coopfood.services.products import archive_product
from tests.services.test_points import new_point
from tests.services.test_producers import new_producer
from tests.services.test_products import new_product

THURSDAY = dt.date(2026, 3, 5)


@dataclass(frozen=True)
class Shop:
    """A small co-op: two points, two producers, products of every kind, five households."""

    nord: int
    sud: int
    ferme: int
    cave: int
    oeufs: int
    tomme: int
    jus: int
    yaourt: int
    #: Households at Nord: DUPONT Marie, ÉLUARD Anna, BERNARD Luc; at Sud: ROUX Bruno.
    marie: int
    anna: int
    luc: int
    bruno: int


def member(db: Database, last: str, first: str, point: int) -> int:
    return save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name=last, first_name=first, point_id=point)).id


def build_shop(db: Database) -> Shop:
    save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP des Trois Rivières",
                                                       fee_percent="5"))
    nord, sud = new_point(db, "Nord"), new_point(db, "Sud")
    ferme = new_producer(db, "Ferme des Combes")
    cave = new_producer(db, "Cave du Diois", vat_regime=VatRegime.NORMAL,
                        invoice_prefix="CAVE")
    return Shop(
        nord=nord, sud=sud, ferme=ferme, cave=cave,
        oeufs=new_product(db, ferme, "Œufs", unit=Unit.DOZEN, price_ht="3,60"),
        tomme=new_product(db, ferme, "Tomme", unit=Unit.KG, variable_weight=True,
                          price_ht="18,00"),
        jus=new_product(db, cave, "Jus de pomme", unit=Unit.BOTTLE, price_ht="3,20",
                        case_pack="6", case_rule=CaseRule.CUT),
        yaourt=new_product(db, ferme, "Yaourt", unit=Unit.JAR, price_ht="0,80",
                           case_pack="12", case_rule=CaseRule.COMPLETE),
        marie=member(db, "Dupont", "Marie", nord),
        anna=member(db, "Éluard", "Anna", nord),
        luc=member(db, "Bernard", "Luc", nord),
        bruno=member(db, "Roux", "Bruno", sud),
    )


@pytest.fixture
def shop(db: Database) -> Shop:
    return build_shop(db)


def open_cycle(db: Database, shop: Shop, *, day: dt.date = THURSDAY,
               rule: ShortfallRule = ShortfallRule.PRO_RATA,
               caps: dict[int, str | None] | None = None) -> int:
    """An open distribution at both points offering every product (with the caps given)."""
    cycle = create_cycle(db=db, actor=LOCAL_ADMIN, date=day, point_ids=[shop.nord, shop.sud],
                         shortfall_rule=rule)
    for product in (shop.oeufs, shop.tomme, shop.jus, shop.yaourt):
        set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, product_id=product,
                  cap=(caps or {}).get(product))
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle.id, to_state=CycleState.OPEN)
    return cycle.id


def order(db: Database, cycle_id: int, member_id: int, product_id: int, qty: str) -> None:
    set_quantity(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, member_id=member_id,
                 product_id=product_id, quantity=qty)


def allocations(db: Database, cycle_id: int, product_id: int) -> dict[int, Decimal | None]:
    with db.reading() as s:
        return dict(s.execute(
            select(Order.member_id, OrderLine.quantity_allocated)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(Order.cycle_id == cycle_id, OrderLine.product_id == product_id)).all())


# --- setting a distribution up -----------------------------------------------------------------


def test_a_new_distribution_is_a_draft_with_its_points(db: Database, shop: Shop) -> None:
    cycle = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.sud, shop.nord],
                         order_deadline=dt.datetime(2026, 3, 3, 19, tzinfo=dt.UTC),
                         name="Semaine 10")
    assert cycle.state is CycleState.DRAFT
    assert [p.name for p in cycle.points] == ["Nord", "Sud"]
    assert cycle.label == f"Distribution n° {cycle.id} du jeudi 5 mars 2026"
    assert cycle.order_deadline == dt.datetime(2026, 3, 3, 19, tzinfo=dt.UTC)


def test_a_deadline_after_the_distribution_is_refused(db: Database, shop: Shop) -> None:
    with pytest.raises(ValidationError, match="tombe après la distribution") as error:
        create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.nord],
                     order_deadline=dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC))
    assert error.value.field == "order_deadline"


def test_opening_needs_a_point_and_something_to_hand_out(db: Database, shop: Shop) -> None:
    empty = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[])
    with pytest.raises(ServiceError, match="aucun point de distribution"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=empty.id, to_state=CycleState.OPEN)
    bare = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.nord])
    with pytest.raises(ServiceError, match="aucun produit n'est proposé"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=bare.id, to_state=CycleState.OPEN)
    set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=bare.id, product_id=shop.oeufs)
    result = transition(db=db, actor=LOCAL_ADMIN, cycle_id=bare.id, to_state=CycleState.OPEN)
    assert result.summary == (f"Distribution n° {bare.id} du jeudi 5 mars 2026 : ouverte, "
                              "0 panier d'abonnement généré")


def test_the_offer_shows_member_prices_caps_and_case_packs(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, caps={shop.oeufs: "10"})
    order(db, cycle_id, shop.marie, shop.yaourt, "8")
    order(db, cycle_id, shop.bruno, shop.oeufs, "4")
    offers = {o.product: o for o in get_cycle(db=db, actor=LOCAL_ADMIN,
                                                  cycle_id=cycle_id).offers}
    assert list(offers) == ["Jus de pomme", "Œufs", "Tomme", "Yaourt"]
    # Franchise producer: no VAT; 5 % fee: 3,60 + 0,18.
    assert (offers["Œufs"].member_price, offers["Œufs"].ordered, offers["Œufs"].remaining) == (
        Decimal("3.78"), Decimal("4.000"), Decimal("6.000"))
    # VAT-registered producer: 3,20 + 5,5 % = 3,38; + 5 % = 3,55.
    assert offers["Jus de pomme"].member_price == Decimal("3.55")
    assert offers["Yaourt"].case_status == "4 manquent pour compléter le colis de 12"
    assert offers["Yaourt"].case_missing == Decimal("4.000")
    assert offers["Tomme"].case_status == ""


def test_a_cap_below_what_is_ordered_is_refused(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.oeufs, "3")
    with pytest.raises(ValidationError, match=r"déjà commandé \(3 douzaines\)"):
        set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, product_id=shop.oeufs, cap="2")


def test_an_ordered_product_cannot_leave_the_offer(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.oeufs, "1")
    with pytest.raises(ValidationError, match="« Œufs » a déjà 1 commande"):
        remove_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, product_id=shop.oeufs)
    remove_offer(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, product_id=shop.tomme)
    assert "Tomme" not in [o.product for o in get_cycle(db=db, actor=LOCAL_ADMIN,
                                                         cycle_id=cycle_id).offers]


def test_copy_last_weeks_offer_with_its_caps(db: Database, shop: Shop) -> None:
    last_week = open_cycle(db, shop, caps={shop.oeufs: "30"})
    elsewhere = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY + dt.timedelta(days=5),
                             point_ids=[new_point(db, "Ailleurs")])
    set_offer(db=db, actor=LOCAL_ADMIN, cycle_id=elsewhere.id, product_id=shop.tomme)
    archive_product(db=db, actor=LOCAL_ADMIN, product_id=shop.yaourt)
    week = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY + dt.timedelta(days=7),
                        point_ids=[shop.nord])
    copied = copy_offer_from_previous(db=db, actor=LOCAL_ADMIN, cycle_id=week.id)
    assert copied.source_cycle_id == last_week
    assert copied.added == ("Jus de pomme", "Tomme", "Œufs")
    assert copied.skipped == ("« Yaourt » est archivé ou inactif",)
    offers = {o.product: o.cap for o in get_cycle(db=db, actor=LOCAL_ADMIN,
                                                      cycle_id=week.id).offers}
    assert offers == {"Jus de pomme": None, "Œufs": Decimal("30.000"), "Tomme": None}
    again = copy_offer_from_previous(db=db, actor=LOCAL_ADMIN, cycle_id=week.id)
    assert again.added == ()


def test_nothing_to_copy_before_the_first_distribution(db: Database, shop: Shop) -> None:
    first = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.nord])
    with pytest.raises(ServiceError, match="Aucune distribution avant le 5 mars 2026"):
        copy_offer_from_previous(db=db, actor=LOCAL_ADMIN, cycle_id=first.id)


def test_a_point_with_orders_stays_on_the_distribution(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.bruno, shop.oeufs, "1")
    with pytest.raises(ValidationError, match="« Sud » a déjà 1 commande"):
        update_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, date=THURSDAY,
                     point_ids=[shop.nord])
    moved = update_cycle(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id,
                         date=THURSDAY + dt.timedelta(days=1), point_ids=[shop.nord, shop.sud],
                         shortfall_rule=ShortfallRule.ORDER_OF_ARRIVAL)
    assert (moved.date, moved.shortfall_rule) == (dt.date(2026, 3, 6),
                                                  ShortfallRule.ORDER_OF_ARRIVAL)


# --- states --------------------------------------------------------------------------------------


def test_the_states_follow_their_order(db: Database, shop: Shop) -> None:
    draft = create_cycle(db=db, actor=LOCAL_ADMIN, date=THURSDAY, point_ids=[shop.nord])
    with pytest.raises(ServiceError) as error:
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=draft.id, to_state=CycleState.CLOSED)
    assert str(error.value) == (
        f"La distribution n° {draft.id} du jeudi 5 mars 2026 est « Brouillon » : elle ne peut "
        "pas passer à « Clôturée » : ouvrez-la d'abord.")
    cycle_id = open_cycle(db, shop)
    with pytest.raises(ServiceError, match="est déjà ouverte"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.OPEN)
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.DISTRIBUTED)
    with pytest.raises(ServiceError, match="passez par la facturation"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.INVOICED)
    with pytest.raises(ServiceError, match="corrigez plutôt les quantités livrées"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.OPEN,
                   reason="oubli")


def test_orders_refused_after_closing_accepted_after_a_recorded_reopening(
        db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.anna, shop.jus, "3")
    order(db, cycle_id, shop.luc, shop.jus, "2")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    with pytest.raises(ValidationError) as refused:
        order(db, cycle_id, shop.marie, shop.oeufs, "1")
    assert str(refused.value) == (
        "La distribution est clôturée : rouvrez-la pour modifier les commandes.")
    with pytest.raises(ValidationError, match="demande un motif"):
        transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.OPEN)
    coordinator = Actor(name="Camille (coordination)", role=Role.COORDINATOR,
                        point_ids=frozenset({shop.nord, shop.sud}))
    reopened = transition(db=db, actor=coordinator, cycle_id=cycle_id,
                          to_state=CycleState.OPEN, reason="Oubli de la commande de Luc")
    assert reopened.summary.endswith(": rouverte (motif : Oubli de la commande de Luc)")
    assert set(allocations(db, cycle_id, shop.jus).values()) == {None}
    order(db, cycle_id, shop.luc, shop.oeufs, "1")
    history = list_cycle_history(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    reopen = next(h for h in history if h.action == "reopen")
    assert reopen.actor_name == "Camille (coordination)"
    assert reopen.after is not None and reopen.after["reason"] == "Oubli de la commande de Luc"
    assert reopen.at.tzinfo is not None
    assert [h.action for h in history if h.entity == "cycle"][:3] == ["reopen", "closed", "open"]


def test_pro_rata_at_closing_five_three_two_cut_to_six(db: Database, shop: Shop) -> None:
    # Jus de pomme comes in cases of 6 cut to full cases: 10 ordered, 1 case of 6.
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.anna, shop.jus, "3")
    order(db, cycle_id, shop.bruno, shop.jus, "2")
    order(db, cycle_id, shop.luc, shop.oeufs, "2")
    forecast = shortfall_report(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    assert forecast[0].forecast and forecast[0].allocated == 6
    closed = transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert closed.cut_products == 1
    assert allocations(db, cycle_id, shop.jus) == {shop.marie: 3, shop.anna: 2, shop.bruno: 1}
    assert allocations(db, cycle_id, shop.oeufs) == {shop.luc: 2}
    [report] = shortfall_report(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    assert (report.product, report.ordered, report.to_order, report.allocated) == (
        "Jus de pomme", Decimal(10), Decimal(6), Decimal(6))
    assert report.summary == "Colis de 6 : 10 commandées, 6 livrées, réparties au prorata"
    assert [(line.member, line.point, int(line.ordered), int(line.allocated))
            for line in report.lines] == [
        ("DUPONT Marie", "Nord", 5, 3), ("ÉLUARD Anna", "Nord", 3, 2),
        ("ROUX Bruno", "Sud", 2, 1)]
    history = list_cycle_history(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    assert ("Jus de pomme — Colis de 6 : 10 commandées, 6 livrées, réparties au prorata"
            in [h.summary for h in history])


def test_order_of_arrival_serves_the_first_orders(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, rule=ShortfallRule.ORDER_OF_ARRIVAL)
    order(db, cycle_id, shop.anna, shop.jus, "3")
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.bruno, shop.jus, "2")
    order(db, cycle_id, shop.anna, shop.jus, "4")  # raising it keeps her place
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert allocations(db, cycle_id, shop.jus) == {shop.anna: 4, shop.marie: 2, shop.bruno: 0}


def test_rule_none_cuts_nobody_but_reports_the_shortage(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop, rule=ShortfallRule.NONE)
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.anna, shop.jus, "3")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert allocations(db, cycle_id, shop.jus) == {shop.marie: 5, shop.anna: 3}
    [report] = shortfall_report(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id)
    assert (report.to_order, report.shortage) == (Decimal(6), Decimal(2))
    assert report.summary == ("Colis de 6 : 8 commandées, 6 livrées, non réparties : chacun "
                              "garde sa commande, il en manque 2")


def test_complete_rule_orders_a_full_case_for_the_coop(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.yaourt, "12")
    order(db, cycle_id, shop.anna, shop.yaourt, "8")
    closed = transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    assert (closed.completed_products, closed.cut_products) == (1, 0)
    assert closed.summary.endswith(": clôturée, 1 colis complété par la coopérative")
    assert allocations(db, cycle_id, shop.yaourt) == {shop.marie: 12, shop.anna: 8}
    assert shortfall_report(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id) == []
    history = [h.summary for h in list_cycle_history(db=db, actor=LOCAL_ADMIN,
                                                     cycle_id=cycle_id)]
    assert ("Yaourt — Colis de 12 : 20 commandées, 2 colis commandés (24), 4 pour la "
            "coopérative") in history


def test_distributing_delivers_what_was_allocated_but_weights(db: Database, shop: Shop) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.anna, shop.jus, "3")
    order(db, cycle_id, shop.marie, shop.tomme, "0.4")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    result = transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id,
                        to_state=CycleState.DISTRIBUTED)
    assert (result.lines_delivered, result.lines_to_weigh) == (2, 1)
    with db.reading() as s:
        delivered = dict(s.execute(
            select(OrderLine.product_id, OrderLine.quantity_delivered)
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.cycle_id == cycle_id, Order.member_id == shop.marie)).all())
    assert delivered == {shop.jus: Decimal(4), shop.tomme: None}


def test_a_coordinator_manages_only_distributions_of_its_points(db: Database,
                                                                 shop: Shop) -> None:
    nord_only = Actor(name="Coordinatrice Nord", role=Role.COORDINATOR,
                      point_ids=frozenset({shop.nord}))
    both = open_cycle(db, shop)
    with pytest.raises(PermissionDenied, match="Coordinatrice Nord coordonne d'autres points"):
        transition(db=db, actor=nord_only, cycle_id=both, to_state=CycleState.CLOSED)
    with pytest.raises(PermissionDenied):
        create_cycle(db=db, actor=nord_only, date=THURSDAY, point_ids=[shop.sud])
    mine = create_cycle(db=db, actor=nord_only, date=THURSDAY, point_ids=[shop.nord])
    set_offer(db=db, actor=nord_only, cycle_id=mine.id, product_id=shop.oeufs)
    transition(db=db, actor=nord_only, cycle_id=mine.id, to_state=CycleState.OPEN)
    treasurer = Actor(name="Trésorier", role=Role.TREASURER)
    with pytest.raises(PermissionDenied):
        transition(db=db, actor=treasurer, cycle_id=mine.id, to_state=CycleState.CLOSED)


def test_a_coordinator_sees_the_whole_sharing_but_only_its_households(
    db: Database, shop: Shop
) -> None:
    cycle_id = open_cycle(db, shop)
    order(db, cycle_id, shop.marie, shop.jus, "5")
    order(db, cycle_id, shop.bruno, shop.jus, "2")
    transition(db=db, actor=LOCAL_ADMIN, cycle_id=cycle_id, to_state=CycleState.CLOSED)
    sud = Actor(name="Coord Sud", role=Role.COORDINATOR, point_ids=frozenset({shop.sud}))
    [report] = shortfall_report(db=db, actor=sud, cycle_id=cycle_id)
    assert (report.ordered, report.allocated) == (Decimal(7), Decimal(6))
    assert [line.member for line in report.lines] == ["ROUX Bruno"]
