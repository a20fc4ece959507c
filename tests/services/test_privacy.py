"""Members' data rights: everything held on a household exported, erased without touching
the accounts, households long gone listed, contacts printed only when chosen."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from coopfood.documents.distribution import gather_distribution
from coopfood.domain.enums import CycleState, Frequency
from coopfood.domain.treasury import PaymentMeans
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    AuditEntry,
    BasketType,
    Contract,
    Cycle,
    CyclePoint,
    DistributionPoint,
    Invoice,
    LedgerEntry,
    MailMessage,
    Member,
    MembershipFee,
    Order,
    Producer,
)
from coopfood.services import (
    LOCAL_ADMIN,
    ValidationError,
    audit,
    invoicing,
    ledger,
    lists,
    members,
    privacy,
)
from coopfood.services.members import MemberInput
from tests.services.invoicing_support import (
    ISSUE_DAY,
    NOVEMBER,
    fixed_moment,  # noqa: F401 — the moment of issue, fixed for every test here
)

#: The demo producer that invoices households directly (AMAP direct sale).
DIRECT_SALE_PRODUCER = 1
LATER = dt.date(2027, 12, 31)


def _statement(db: Database, member_id: int) -> list[tuple[Any, ...]]:
    statement = ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                                         date_to=LATER)
    return [(m.entry.id, m.entry.entry_date, m.entry.kind, m.entry.amount, m.entry.label,
             m.balance) for m in statement.movements] + [("solde", statement.closing_balance)]


def _invoices(db: Database) -> list[tuple[Any, ...]]:
    with db.reading() as session:
        return [(i.number, i.member_id, i.total_ht, i.total_vat, i.total_ttc, i.parties,
                 bytes(i.pdf), len(i.lines))
                for i in session.scalars(select(Invoice).order_by(Invoice.id))]


def _balances(db: Database) -> list[tuple[Any, ...]]:
    """Every account's balance, by account (lists are by name, and a name is what changes)."""
    return sorted([("foyer", b.member_id, b.due, b.paid, b.balance)
                   for b in ledger.member_balances(db=db, actor=LOCAL_ADMIN, as_of=LATER)]
                  + [("producteur", b.producer_id, b.due, b.paid, b.balance)
                     for b in ledger.producer_balances(db=db, actor=LOCAL_ADMIN, as_of=LATER)])


def test_anonymising_a_household_leaves_every_invoice_statement_and_balance_identical(
        demo_db_copy: Database) -> None:
    db = demo_db_copy
    invoicing.issue_invoices(db=db, actor=LOCAL_ADMIN, period=NOVEMBER, issue_date=ISSUE_DAY,
                             producer_ids=[DIRECT_SALE_PRODUCER, 2], processes=1)
    with db.reading() as session:
        member_id = session.scalars(select(Invoice.member_id).where(
            Invoice.member_id.is_not(None)).order_by(Invoice.id)).first()
    assert member_id is not None
    # Its personal data changed, a fee and a payment: all in the trail with its name.
    detail = members.get_member(db=db, actor=LOCAL_ADMIN, member_id=member_id)
    members.save_member(db=db, actor=LOCAL_ADMIN, member_id=member_id, data=MemberInput(
        last_name=detail.last_name, first_name=detail.first_name, email=detail.email or "",
        phone="06 98 76 54 32", address="3 rue des Lilas", postal_code="69004", city="Lyon",
        point_id=detail.point_id, print_phone=True))
    members.record_fee(db=db, actor=LOCAL_ADMIN, member_id=member_id, year=2026, amount="15",
                       replace=True)
    ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=dt.date(2026, 11, 30))
    ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=member_id, amount="40",
                          means=PaymentMeans.CHEQUE, entry_date=dt.date(2026, 11, 30))
    with db.transaction() as session:
        session.add(MailMessage(kind="statements", recipient=(detail.email or "").upper(),
                                subject="Votre relevé", dedup_key="k", status="sent",
                                at=dt.datetime.now(dt.UTC), sent_by="Claire"))
    name = detail.name
    statement, invoices, balances = _statement(db, member_id), _invoices(db), _balances(db)
    assert len(statement) > 3 and any(i[1] == member_id for i in invoices)
    assert any(b[1] == member_id and b[4] != 0 for b in balances)  # not settled: allowed

    done = privacy.anonymise_household(db=db, actor=LOCAL_ADMIN, member_id=member_id)

    assert done.name == f"FOYER ANONYMISÉ N° {member_id}"
    assert done.payment_reference == detail.payment_reference
    assert done.audit_entries_cleaned >= 3
    # Every amount stays: statement lines, invoices (as issued, byte for byte), balances.
    assert _statement(db, member_id) == statement
    assert _invoices(db) == invoices
    assert _balances(db) == balances
    # The person is gone from the household's record…
    after = members.get_member(db=db, actor=LOCAL_ADMIN, member_id=member_id)
    assert (after.name, after.first_name, after.co_member_name, after.email, after.phone,
            after.address, after.postal_code, after.city, after.print_phone, after.partner_id,
            after.archived) == (done.name, "", "", None, "", "", "", "", False, None, True)
    assert ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member_id).name == \
        done.name
    # …and from the trail, which still says who did what and when.
    rows = audit.search(db=db, actor=LOCAL_ADMIN, member_id=member_id, limit=None)
    assert rows and all(name not in row.summary for row in rows)
    assert rows[0].action == "anonymise"
    for row in rows:
        for values in (row.before, row.after):
            for key in ("phone", "email", "address", "last_name", "city"):
                assert not (values or {}).get(key), (row.summary, values)
    assert any("règlement de 40,00" in row.summary and done.name in row.summary for row in rows)
    with db.reading() as session:
        assert session.scalars(select(MailMessage.recipient)).one() == (
            f"Foyer anonymisé n° {member_id}")
    # What it does not erase is the legal record: an issued invoice names its buyer.
    assert any(i[1] == member_id and name in json.dumps(i[5], ensure_ascii=False)
               for i in _invoices(db))

    with pytest.raises(ValidationError, match="déjà été anonymisé"):
        privacy.anonymise_household(db=db, actor=LOCAL_ADMIN, member_id=member_id)
    with pytest.raises(ValidationError, match="effacées"):
        members.save_member(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                            data=MemberInput(last_name="Retour"))
    assert member_id not in {r.id for r in lists.list_members(db=db, actor=LOCAL_ADMIN)}


def _zip_csv(path: Path, name: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as archive:
        text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def test_everything_held_on_a_household_is_exported_as_json_and_csv(
        demo_db_copy: Database, tmp_path: Path) -> None:
    db = demo_db_copy
    with db.reading() as session:
        member_id = session.scalars(
            select(Contract.member_id).join(Order, Order.member_id == Contract.member_id)
            .order_by(Contract.member_id)).first()
    assert member_id is not None
    detail = members.get_member(db=db, actor=LOCAL_ADMIN, member_id=member_id)
    members.save_member(db=db, actor=LOCAL_ADMIN, member_id=member_id, data=MemberInput(
        last_name="=Dupré & <Fils>", first_name="Zoé 🍅", email=detail.email or "",
        point_id=detail.point_id, phone="06 11 22 33 44"))
    members.record_fee(db=db, actor=LOCAL_ADMIN, member_id=member_id, year=2026, amount="12",
                       replace=True)
    ledger.sync_ledger(db=db, actor=LOCAL_ADMIN, today=dt.date(2026, 11, 30))

    result = privacy.export_household(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                                      out_dir=tmp_path, today=dt.date(2026, 11, 26))

    assert result.json_path.name == f"foyer-{detail.payment_reference}-2026-11-26.json"
    data = json.loads(result.json_path.read_text("utf-8"))
    identity = data["foyer"][0]
    assert (identity["nom"], identity["prenom"], identity["telephone"]) == (
        "=Dupré & <Fils>", "Zoé 🍅", "06 11 22 33 44")
    assert data["cotisations"][-1] == {"annee": 2026, "montant": "12.00", "paye_le": None}
    assert data["contrats"] and data["commandes"] and data["ecritures"]
    assert all(order["lignes"] for order in data["commandes"])
    assert {"commande", "livre", "prix_unitaire"} <= set(data["commandes"][0]["lignes"][0])
    assert sum(Decimal(e["montant"]) for e in data["ecritures"]) == ledger.account_statement(
        db=db, actor=LOCAL_ADMIN, member_id=member_id, date_to=LATER).closing_balance
    assert any("téléphone" in h["resume"] for h in data["historique"])
    assert result.counts["commandes"] == len(data["commandes"])

    with zipfile.ZipFile(result.csv_zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(f for _s, f in privacy.SECTIONS)
    [household] = _zip_csv(result.csv_zip_path, "foyer.csv")
    assert household["nom"] == "'=Dupré & <Fils>"  # never run as a formula
    lines = _zip_csv(result.csv_zip_path, "commandes.csv")
    assert len(lines) == sum(len(o["lignes"]) for o in data["commandes"])
    # The export itself is in the trail.
    assert audit.search(db=db, actor=LOCAL_ADMIN, member_id=member_id)[0].action == "export"


def test_households_with_nothing_for_years_are_listed_for_clean_up(db: Database) -> None:
    today = dt.date(2026, 11, 26)
    old = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    with db.transaction() as session:
        point = DistributionPoint(name="Centre", weekday=3, start_time=dt.time(18),
                                  end_time=dt.time(19))
        farm = Producer(name="Ferme", vat_regime=VatRegime.NORMAL, invoice_prefix="F")
        session.add_all([point, farm])
        session.flush()
        people = {}
        for ref, last in enumerate(("Parti", "Commande", "Contrat", "Cotisation", "Écriture",
                                    "Récent", "Jamais")):
            member = Member(last_name=last, point_id=point.id, payment_reference=f"R{ref}",
                            created_at=old if last != "Récent" else dt.datetime.now(dt.UTC),
                            joined_on=dt.date(2018, 5, 1) if last != "Jamais" else None)
            session.add(member)
            session.flush()
            people[last] = member.id
        cycle = Cycle(distribution_date=dt.date(2024, 6, 6), state=CycleState.DISTRIBUTED)
        old_cycle = Cycle(distribution_date=dt.date(2020, 6, 4), state=CycleState.DISTRIBUTED)
        session.add_all([cycle, old_cycle])
        session.flush()
        session.add_all([CyclePoint(cycle_id=c.id, point_id=point.id) for c in (cycle, old_cycle)])
        session.add(Order(cycle_id=cycle.id, member_id=people["Commande"], point_id=point.id))
        session.add(Order(cycle_id=old_cycle.id, member_id=people["Parti"], point_id=point.id))
        basket = BasketType(producer_id=farm.id, name="Panier", price_ht=Decimal("10"),
                            vat_rate=Decimal("5.5"))
        session.add(basket)
        session.flush()
        session.add(Contract(member_id=people["Contrat"], basket_type_id=basket.id,
                             point_id=point.id, season_start=dt.date(2024, 4, 1),
                             season_end=dt.date(2024, 10, 31), frequency=Frequency.WEEKLY,
                             price_per_basket=Decimal("10")))
        session.add(MembershipFee(member_id=people["Cotisation"], year=2025,
                                  amount=Decimal("10")))
        session.add(LedgerEntry(entry_date=dt.date(2024, 1, 5), kind="payment",
                                member_id=people["Écriture"], amount=Decimal("-5"),
                                label="Règlement", created_at=old, created_by="x"))
        session.add(LedgerEntry(entry_date=dt.date(2020, 1, 5), kind="payment",
                                member_id=people["Parti"], amount=Decimal("-7.50"),
                                label="Règlement", created_at=old, created_by="x"))

    gone = privacy.inactive_households(db=db, actor=LOCAL_ADMIN, years=3, today=today)
    assert [(row.name, row.last_activity) for row in gone] == [
        ("JAMAIS", dt.date(2019, 1, 1)), ("PARTI", dt.date(2020, 6, 4))]
    assert gone[1].balance == Decimal("-7.50")
    assert [row.name for row in privacy.inactive_households(
        db=db, actor=LOCAL_ADMIN, years=1, today=today)] == [
        "JAMAIS", "PARTI", "ÉCRITURE", "COMMANDE", "CONTRAT"]
    with pytest.raises(ValidationError, match="entre 1 et 50"):
        privacy.inactive_households(db=db, actor=LOCAL_ADMIN, years=0)
    privacy.anonymise_household(db=db, actor=LOCAL_ADMIN, member_id=people["Parti"])
    assert [row.name for row in privacy.inactive_households(
        db=db, actor=LOCAL_ADMIN, years=3, today=today)] == ["JAMAIS"]


def test_the_sign_in_sheet_prints_a_phone_or_email_only_when_the_household_chose_it(
        demo_db: Database) -> None:
    with demo_db.reading() as session:
        cycle_id = session.scalars(select(Cycle.id).where(
            Cycle.state == CycleState.OPEN)).one()
        distribution = gather_distribution(session, cycle_id=cycle_id)
        choices = {m.id: m for m in session.scalars(select(Member))}
    seen = {True: 0, False: 0}
    for households in distribution.households.values():
        for household in households:
            member = choices[household.member_id]
            assert household.phone == (member.phone if member.print_phone else "")
            assert household.email == ((member.email or "") if member.print_email else "")
            if member.phone:
                seen[member.print_phone] += 1
    assert seen[True] and seen[False]  # both choices are on the sheets


def test_the_audit_trail_keeps_a_households_changes_before_and_after(db: Database) -> None:
    saved = members.save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Martin", first_name="Zoé", phone="06 11 22 33 44"))
    members.save_member(db=db, actor=LOCAL_ADMIN, member_id=saved.id, data=MemberInput(
        last_name="Martin", first_name="Zoé", phone="06 99 88 77 66", city="Lyon"))
    members.save_member(db=db, actor=LOCAL_ADMIN, member_id=saved.id, data=MemberInput(
        last_name="Martin", first_name="Zoé", phone="06 99 88 77 66", city="Lyon"))
    members.archive_member(db=db, actor=LOCAL_ADMIN, member_id=saved.id)
    rows = audit.search(db=db, actor=LOCAL_ADMIN, member_id=saved.id)
    assert [row.action for row in rows] == ["archive", "update", "create"]
    update = rows[1]
    assert update.summary == "MARTIN Zoé : téléphone, ville modifié(s)"
    assert update.before == {"phone": "06 11 22 33 44", "city": ""}
    assert update.after == {"phone": "06 99 88 77 66", "city": "Lyon"}
    assert update.actor_name == LOCAL_ADMIN.name and update.entity_label == "Foyer"
    with db.reading() as session:
        assert session.scalar(select(AuditEntry.at).where(AuditEntry.id == update.id))
