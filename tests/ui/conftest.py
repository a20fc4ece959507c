"""Fixtures of the window tests: the demo co-op, a small co-op of known rows, a fixed today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from coopfood.domain.enums import CycleState, Unit
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    Coop,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Member,
    MembershipFee,
    Order,
    OrderLine,
    Producer,
    Product,
    ProductPrice,
)
from coopfood.services import LOCAL_ADMIN
from tests.conftest import DEMO_AS_OF
from ui.main_window import MainWindow

#: The day the window tests live on: the day the shared demo co-op is built as of.
TODAY = dt.date(*DEMO_AS_OF)


def _small_co_op(db: Database) -> None:
    """A few rows of every kind, accents and all, with distributions around TODAY."""
    with db.transaction() as s:
        s.add(Coop(name="AMAP des Coteaux"))
        north = DistributionPoint(name="Croix-Rousse", city="Lyon", weekday=3,
                                  start_time=dt.time(17), end_time=dt.time(19, 30))
        south = DistributionPoint(name="Écully", city="Écully", weekday=4,
                                  start_time=dt.time(18), end_time=dt.time(20))
        farm = Producer(name="Ferme de l'Étang", vat_regime=VatRegime.FLAT_RATE_FARMER,
                        invoice_prefix="ETANG", city="Brignais")
        dairy = Producer(name="Fromagerie Gay", vat_regime=VatRegime.NORMAL,
                         invoice_prefix="GAY", city="Vaugneray", siret="73282932000074")
        s.add_all([north, south, farm, dairy])
        s.flush()
        products = [
            Product(producer_id=farm.id, name="Œufs", unit=Unit.DOZEN, vat_rate=Decimal("5.50"),
                    category="Épicerie"),
            Product(producer_id=farm.id, name="Carottes", unit=Unit.KG, vat_rate=Decimal("5.50"),
                    variable_weight=True, category="Légumes"),
            Product(producer_id=dairy.id, name="Tomme", unit=Unit.KG, vat_rate=Decimal("5.50"),
                    variable_weight=True, category="Crèmerie", label="AB"),
        ]
        s.add_all(products)
        s.flush()
        for product, price in zip(products, ("3.20", "2.10", "18.00"), strict=True):
            s.add(ProductPrice(product_id=product.id, valid_from=dt.date(2026, 1, 1),
                               price_ht=Decimal(price)))
        people = [("Éluard", "Anna"), ("Roux", "Bruno"), ("Dupré", "Élodie"), ("Martin", "Zoé"),
                  ("Lefèvre", "Noël"), ("Garnier", "Inès")]
        members = []
        for number, (last, first) in enumerate(people):
            member = Member(last_name=last, first_name=first,
                            point_id=(north, south)[number % 2].id,
                            payment_reference=f"ADH{number:04d}", email=f"m{number}@exemple.fr")
            s.add(member)
            members.append(member)
        s.flush()
        s.add(MembershipFee(member_id=members[0].id, year=2026, amount=Decimal("10.00")))
        for days, state in ((-7, CycleState.DISTRIBUTED), (-1, CycleState.OPEN),
                            (7, CycleState.OPEN), (14, CycleState.DRAFT)):
            cycle = Cycle(distribution_date=TODAY + dt.timedelta(days=days), state=state)
            s.add(cycle)
            s.flush()
            s.add_all([CyclePoint(cycle_id=cycle.id, point_id=north.id),
                       CyclePoint(cycle_id=cycle.id, point_id=south.id)])
            if state is CycleState.DRAFT:
                continue
            for member in members[:3]:
                order = Order(cycle_id=cycle.id, member_id=member.id, point_id=member.point_id)
                s.add(order)
                s.flush()
                s.add(OrderLine(order_id=order.id, product_id=products[2].id,
                                quantity_ordered=Decimal("1.000"), unit_price_ht=Decimal("18.00"),
                                vat_rate=Decimal("5.50"), member_unit_price=Decimal("18.99")))


@pytest.fixture
def small_co_op_db(db: Database) -> Database:
    """Always the small co-op, for tests that check its known rows."""
    _small_co_op(db)
    return db


@pytest.fixture
def window(qtbot: QtBot, demo_db: Database) -> Iterator[MainWindow]:
    """The main window on the demo co-op (which it only reads: the demo is shared)."""
    main = MainWindow(demo_db, LOCAL_ADMIN, today=lambda: TODAY)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main


# --- playing the user: message boxes and file choosers answered, the queue emptied ---------

from tests.ui.drive import answers, idle_worker  # noqa: E402, F401 — fixtures for every test


@pytest.fixture(autouse=True)
def fresh_settings(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no remembered window size, base, text size or contrast."""
    from ui import settings

    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setattr(settings, "location", lambda: folder / "coopfood.ini")
