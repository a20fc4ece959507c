"""Households' statements as PDF: what a household reads on it, one or all of them at once."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from decimal import Decimal
from pathlib import Path

import pypdfium2  # type: ignore[import-untyped]
import pytest

from coopfood.domain.treasury import PaymentMeans
from coopfood.persistence.db import Database
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    Cancelled,
    PermissionDenied,
    Role,
    ValidationError,
    ledger,
    statements,
)
from coopfood.services.coop import CoopInput, save_coop
from coopfood.services.lists import list_points
from coopfood.services.members import MemberInput, save_member
from coopfood.services.statements import write_statement, write_statements
from tests.services.invoicing_support import pdf_text
from tests.services.test_points import new_point

AS_OF = dt.date(2026, 11, 26)
MOMENT = dt.datetime(2026, 11, 26, 18, 30)
IBAN = "FR7630006000011234567890189"


@pytest.fixture(autouse=True)
def fixed_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statements, "now", lambda: MOMENT)
    monkeypatch.setattr(statements, "today", lambda: AS_OF)


def qr_codes(path: Path) -> list[str] | None:
    """The QR codes a phone would read on the PDF's pages (empty when none is drawn); None
    without a decoder (zxing-cpp): `test_the_qr_code_payload_follows_the_epc_standard`
    checks what the code holds as it is built."""
    try:
        import zxingcpp  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    document = pypdfium2.PdfDocument(path)
    try:
        return [found.text for page in document
                for found in zxingcpp.read_barcodes(page.render(scale=3).to_pil())]
    finally:
        document.close()


def balances(db: Database) -> dict[int, Decimal]:
    return {row.member_id: row.balance for row in ledger.member_balances(
        db=db, actor=LOCAL_ADMIN, as_of=AS_OF) if row.member_id is not None}


def owing_member(db: Database) -> int:
    return next(mid for mid, balance in sorted(balances(db).items()) if balance > 0)


# --- one household on the demo ----------------------------------------------------------------


def test_a_household_that_owes_reads_how_much_and_how_to_pay(demo_db: Database,
                                                            tmp_path: Path) -> None:
    member_id = owing_member(demo_db)
    written = write_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id,
                              out_dir=tmp_path, date_to=AS_OF)
    account = ledger.account_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id,
                                       date_to=AS_OF)
    assert written.balance == account.closing_balance > 0
    assert written.name == account.name
    text = pdf_text(written.path.read_bytes())
    amount = f"{written.balance:.2f}".replace(".", ",")
    assert f"Vous devez {amount} €" in text
    assert "Relevé de compte" in text and "AMAP Les Paniers du Plateau" in text
    pages = text.count("Page ")
    assert f"Page {pages} / {pages}" in text and "Imprimé le 26 novembre 2026 à 18:30" in text
    for movement in account.movements:  # every movement, with its date
        assert movement.entry.entry_date.strftime("%d/%m/%Y") in text
        assert movement.entry.label[:25] in text
    reference = next(row.reference for row in ledger.member_balances(
        db=demo_db, actor=LOCAL_ADMIN, as_of=AS_OF) if row.member_id == member_id)
    assert f"Référence de paiement : {reference}" in text
    assert f"Libellé du virement : {reference}" in text
    assert "IBAN : FR76 4255 9100 0076 5065 7286 180" in text
    # The EPC QR code: the co-op's account, the amount due, the reference as the text.
    assert "Scannez avec l'application" in text
    codes = qr_codes(written.path)
    if codes is not None:
        [code] = codes
        assert code.split("\n") == [
            "BCD", "002", code.split("\n")[2], "SCT", "CCOPFRPPXXX",
            "AMAP Les Paniers du Plateau", "FR7642559100007650657286180",
            f"EUR{written.balance:.2f}".rstrip("0").rstrip("."), "", "", reference]


def test_the_qr_code_payload_follows_the_epc_standard(demo_db: Database) -> None:
    """Without a decoder, what the code holds is checked as it is built."""
    member_id = owing_member(demo_db)
    with demo_db.reading() as session:
        data = statements.gather_statement(session, LOCAL_ADMIN, member_id=member_id,
                                           date_from=None, date_to=AS_OF, printed_at=MOMENT)
    assert data.epc is not None
    assert data.epc.fields() == ["BCD", "002", "", "SCT", "CCOPFRPPXXX",
                                 "AMAP Les Paniers du Plateau", "FR7642559100007650657286180",
                                 f"EUR{data.closing_balance:.2f}".rstrip("0").rstrip("."), "",
                                 "", data.payment_reference]
    version = data.epc.qr_code().version
    assert isinstance(version, int) and version <= 13  # the standard's largest


def test_a_household_in_credit_or_up_to_date_gets_no_qr_code(demo_db: Database,
                                                             tmp_path: Path) -> None:
    rows = balances(demo_db)
    in_credit = next(mid for mid, balance in rows.items() if balance < 0)
    up_to_date = next(mid for mid, balance in rows.items() if balance == 0)
    credit = write_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=in_credit,
                             out_dir=tmp_path, date_to=AS_OF)
    amount = f"{-credit.balance:.2f}".replace(".", ",")
    text = pdf_text(credit.path.read_bytes())
    assert f"Votre compte est créditeur de {amount} €" in text
    assert "déduite de vos prochaines commandes" in text and "IBAN" not in text
    done = write_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=up_to_date,
                           out_dir=tmp_path, date_to=AS_OF)
    assert "Votre compte est à jour" in pdf_text(done.path.read_bytes())
    assert "Scannez" not in text and "Scannez" not in pdf_text(done.path.read_bytes())
    assert qr_codes(credit.path) in ([], None) and qr_codes(done.path) in ([], None)


def test_a_period_starts_from_the_balance_before_it(demo_db: Database, tmp_path: Path) -> None:
    member_id = owing_member(demo_db)
    start = dt.date(2026, 11, 1)
    before = ledger.account_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id,
                                      date_to=start - dt.timedelta(days=1)).closing_balance
    written = write_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id,
                              out_dir=tmp_path, date_from=start, date_to=AS_OF)
    text = pdf_text(written.path.read_bytes())
    assert "Du 1 novembre 2026 au 26 novembre 2026" in text
    opening = (f"{before:.2f}".replace(".", ",") + " € dû" if before > 0 else
               f"{-before:.2f}".replace(".", ",") + " € crédit" if before < 0 else "0,00 €")
    assert f"Solde au 31/10/2026 {opening}" in text
    assert "/10/2026 " not in text.split("Solde au 31/10/2026")[1]
    assert written.path.name.startswith("releve-2026-11-26-adh-")
    with pytest.raises(ValidationError, match=r"commence le .* après sa fin"):
        write_statement(db=demo_db, actor=LOCAL_ADMIN, member_id=member_id, out_dir=tmp_path,
                        date_from=AS_OF, date_to=start)


def test_every_household_with_a_movement_or_a_balance(demo_db: Database,
                                                      tmp_path: Path) -> None:
    seen: list[tuple[int, int, str]] = []
    written = write_statements(db=demo_db, actor=LOCAL_ADMIN, out_dir=tmp_path,
                               date_from=dt.date(2026, 11, 1), date_to=AS_OF,
                               progress=lambda done, total, what: seen.append(
                                   (done, total, what)))
    rows = balances(demo_db)
    assert {w.member_id for w in written} >= {mid for mid, b in rows.items() if b}
    assert len(written) == len({w.path for w in written}) == len(list(tmp_path.iterdir()))
    for statement in written:  # safe names: ASCII, no slash, no space
        name = statement.path.name
        assert name.isascii() and "/" not in name and " " not in name and name.endswith(".pdf")
        assert unicodedata.normalize("NFKD", name) == name
        assert statement.balance == rows[statement.member_id]
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == "Terminé"
    assert statements.summary(written).startswith(f"{len(written)} relevés écrits : ")


def test_a_coordinator_prints_the_households_of_its_points(demo_db: Database,
                                                           tmp_path: Path) -> None:
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR, point_ids=frozenset({1}))
    written = write_statements(db=demo_db, actor=coordinator, out_dir=tmp_path / "a",
                               date_from=dt.date(2026, 11, 1), date_to=AS_OF)
    points = {row.member_id: row.point_name for row in ledger.member_balances(
        db=demo_db, actor=LOCAL_ADMIN, as_of=AS_OF)}
    [first] = [p.name for p in list_points(db=demo_db, actor=LOCAL_ADMIN) if p.id == 1]
    assert written and {points[w.member_id] for w in written} == {first}
    other = next(mid for mid, point in points.items() if point != first and mid is not None)
    with pytest.raises(PermissionDenied, match="coordonne d'autres points"):
        write_statement(db=demo_db, actor=coordinator, member_id=other, out_dir=tmp_path)
    with pytest.raises(PermissionDenied):
        write_statements(db=demo_db, actor=Actor(name="Ferme", role=Role.PRODUCER),
                         out_dir=tmp_path)


def test_cancelling_leaves_no_file(demo_db: Database, tmp_path: Path) -> None:
    def progress(done: int, total: int, what: str) -> None:
        if done > total // 2 + 2:
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_statements(db=demo_db, actor=LOCAL_ADMIN, out_dir=tmp_path, date_to=AS_OF,
                         progress=progress)
    assert list(tmp_path.iterdir()) == []


# --- a small base: long histories, no IBAN, names as typed ------------------------------------


def test_a_long_history_runs_over_pages_with_the_balance_carried(db: Database,
                                                                 tmp_path: Path) -> None:
    save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="Épicerie & Co", iban=IBAN))
    member = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Dupont & <b>Fils</b>", first_name="Zoé 🥕", point_id=new_point(db),
        address="3 rue des Lilas", postal_code="26340", city="Saillans")).id
    for n in range(90):
        day = dt.date(2026, 1, 1) + dt.timedelta(days=3 * n)
        ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="12,50",
                                 label=f"Panier n° {n + 1}", entry_date=day, member_id=member)
        if n % 3:
            ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=member, amount="12,50",
                                  means=PaymentMeans.CASH, entry_date=day)
    written = write_statement(db=db, actor=LOCAL_ADMIN, member_id=member, out_dir=tmp_path,
                              date_to=dt.date(2026, 12, 31))
    assert written.balance == Decimal("375.00")  # 30 baskets of 12,50 € not paid
    text = pdf_text(written.path.read_bytes())
    pages = text.count("Page ")
    assert pages >= 3 and f"Page {pages} / {pages}" in text
    assert "DUPONT & <B>FILS</B> Zoé \ufffd" in text  # as typed (the emoji has no glyph)
    carried = text.count("À reporter")
    assert carried == pages - 1 == text.count("Report ")
    # What is carried at the foot of a page opens the next one.
    for part in text.split("À reporter")[1:]:
        carried_amount = part.split("\n")[0].strip()
        assert f"Report {carried_amount}" in part
    assert "Vous devez 375,00 €" in text and "Épicerie & Co" in text
    codes = qr_codes(written.path)
    if codes is not None:
        [code] = codes
        assert code.split("\n")[5:8] == ["Épicerie & Co", IBAN, "EUR375"]


def test_without_an_iban_the_household_is_told_to_pay_by_cheque(db: Database,
                                                                 tmp_path: Path) -> None:
    save_coop(db=db, actor=LOCAL_ADMIN, data=CoopInput(name="AMAP du Val"))
    member = save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(
        last_name="Roux", first_name="Bruno", point_id=new_point(db))).id
    ledger.record_adjustment(db=db, actor=LOCAL_ADMIN, amount="42,10", label="Panier",
                             entry_date=AS_OF, member_id=member)
    written = write_statement(db=db, actor=LOCAL_ADMIN, member_id=member, out_dir=tmp_path)
    text = pdf_text(written.path.read_bytes())
    assert "Vous devez 42,10 €" in text and "chèque à l'ordre de AMAP du Val" in text
    assert "IBAN" not in text and "Scannez" not in text
    assert qr_codes(written.path) in ([], None)
    with pytest.raises(ValidationError, match="Aucun foyer n'a de mouvement"):
        write_statements(db=db, actor=LOCAL_ADMIN, out_dir=tmp_path,
                         date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 31),
                         point_ids=[999])
    pdf = statements.statement_pdf(db=db, actor=LOCAL_ADMIN, member_id=member)
    assert pdf.startswith(b"%PDF") and "Vous devez 42,10 €" in pdf_text(pdf)
    assert io.BytesIO(pdf).getbuffer().nbytes > 1000
