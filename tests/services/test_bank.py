"""Bank statements imported and matched with the ledger: coopfood.services.bank.

The co-op of these tests is the one of the sample statements (../shared/data/bank):
its households' references and its producers' invoices are the ones the
statements name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coopfood.banking import ColumnMapping
from coopfood.banking.matching import TargetKind
from coopfood.domain.enums import InvoiceBuyer
from coopfood.domain.invoicing import InvoiceKind
from coopfood.domain.treasury import ChequeStatus, EntryKind, PaymentMeans, RemittanceKind
from coopfood.domain.vat import VatRegime
from coopfood.persistence.db import Database
from coopfood.persistence.models import (
    AuditEntry,
    BankLine,
    BankMatch,
    BankStatement,
    Cheque,
    ChequeRemittance,
    Coop,
    DistributionPoint,
    Invoice,
    LedgerEntry,
    Member,
    Producer,
)
from coopfood.services import (
    LOCAL_ADMIN,
    Actor,
    NotFound,
    PermissionDenied,
    Role,
    ValidationError,
    bank,
    ledger,
)
from coopfood.services.bank import LineState
from tests.banking.conftest import (
    BANK_DATA,
    BANQUE_POSTALE,
    CAMT,
    CREDIT_AGRICOLE,
    CREDIT_MUTUEL,
    OFX,
    SampleReader,
)

D = Decimal
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
COOP_IBAN = "FR7630006000011234567890189"


@dataclass(frozen=True)
class CoOp:
    """The ids of the sample co-op's rows, by what the statements call them."""

    members: dict[str, int]
    producers: dict[str, int]
    invoices: dict[str, int]


def sample_reader() -> SampleReader:
    """The sample statements of ../shared/data/bank (the test is skipped without them)."""
    if not BANK_DATA.is_dir():
        pytest.skip(f"sample bank statements not found at {BANK_DATA.resolve()}")
    return SampleReader(BANK_DATA)


@pytest.fixture
def sample() -> SampleReader:
    return sample_reader()


def _invoice(producer: Producer, number: str, total: str, issued: dt.date) -> Invoice:
    series, year, sequence = number.rsplit("-", 2)
    return Invoice(
        kind=InvoiceKind.INVOICE, number=number, series=series, year=int(year),
        sequence=int(sequence), type_code="389", producer_id=producer.id,
        buyer=InvoiceBuyer.COOP, period_start=issued.replace(day=1), period_end=issued,
        issue_date=issued, first_delivery=issued, last_delivery=issued,
        due_date=issued + dt.timedelta(days=30), self_billed=False,
        vat_regime=VatRegime.FLAT_RATE_FARMER, total_ht=D(total), total_vat=D("0.00"),
        total_ttc=D(total), parties={}, pdf=b"%PDF", facturx_xml=b"<x/>",
        issued_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), issued_by="test")


def make_co_op(db: Database, *, iban: str | None = COOP_IBAN) -> CoOp:
    """The households, producers and unpaid invoices the sample statements name."""
    with db.transaction() as s:
        s.add(Coop(name="Les Paniers du Plateau", iban=iban))
        point = DistributionPoint(name="Le Puy", weekday=3, start_time=dt.time(17),
                                  end_time=dt.time(19))
        s.add(point)
        s.flush()
        members = {}
        for key, last, first, reference in (
                ("lefebvre", "Lefebvre", "Camille", "ADH-0007"),
                ("martin", "Martin", "Zoé", "ADH-0012"),
                ("nguyen", "Nguyen", "Paul", "ADH-0013"),
                ("dubois", "Dubois", "Jean", "ADH-0031"),
                ("dupont", "Dupont", "Marie", "ADH-0040"),
                ("garnier", "Garnier", "Élodie", "ADH-0102")):
            member = Member(last_name=last, first_name=first, payment_reference=reference,
                            point_id=point.id)
            s.add(member)
            s.flush()
            members[key] = member.id
        producers, invoices = {}, {}
        for key, name, prefix, producer_iban, number, total in (
                ("gaec", "GAEC du Pré Vert", "GAECDUPRE", "FR7630006000011234567890189",
                 "GAECDUPRE-2026-0011", "812.40"),
                ("ruchers", "EARL Les Ruchers", "EARLRUCH", None, "EARLRUCH-2026-0004",
                 "145.20"),
                ("chenes", "Ferme des Trois Chênes", "TROISCHENES", None,
                 "TROISCHENES-2026-0009", "530.80")):
            producer = Producer(name=name, vat_regime=VatRegime.FLAT_RATE_FARMER,
                                invoice_prefix=prefix, iban=producer_iban)
            s.add(producer)
            s.flush()
            invoice = _invoice(producer, number, total, dt.date(2026, 11, 5))
            s.add(invoice)
            s.flush()
            ledger.sync_invoice(s, LOCAL_ADMIN, invoice.id)
            producers[key], invoices[number] = producer.id, invoice.id
    return CoOp(members, producers, invoices)


def owe(db: Database, member_id: int, amount: str, day: dt.date = dt.date(2026, 11, 19)) -> None:
    """The household's delivered order of `day`, on its account."""
    with db.transaction() as s:
        ledger.post(s, LOCAL_ADMIN, kind=EntryKind.ORDER, amount=D(amount),
                    label=f"Commande du {day:%d/%m/%Y}", entry_date=day, member_id=member_id)


def deposit_slip(db: Database, number: str, day: dt.date, amounts: list[str],
                 kind: RemittanceKind = RemittanceKind.DEPOSIT) -> int:
    """A deposit slip of cheques, as the cheques service leaves it: cheques deposited."""
    with db.transaction() as s:
        remittance = ChequeRemittance(
            kind=kind, number=number, remittance_date=day, cheque_count=len(amounts),
            total=sum((D(a) for a in amounts), D("0")), created_at=ledger.now(),
            created_by="test")
        s.add(remittance)
        s.flush()
        for index, amount in enumerate(amounts):
            s.add(Cheque(number=f"{index + 1:07d}", amount=D(amount), status=ChequeStatus.DEPOSITED,
                         remittance_id=remittance.id, status_date=day))
        return remittance.id


def balance(db: Database, member_id: int) -> Decimal:
    return ledger.account_statement(db=db, actor=LOCAL_ADMIN, member_id=member_id,
                                    date_to=dt.date(2027, 12, 31)).closing_balance


def producer_balance(db: Database, producer_id: int) -> Decimal:
    return ledger.account_statement(db=db, actor=LOCAL_ADMIN, producer_id=producer_id,
                                    date_to=dt.date(2027, 12, 31)).closing_balance


def count(db: Database, model: type) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def line_by_label(db: Database, words: str) -> bank.BankLineRow:
    rows = [r for r in bank.list_lines(db=db, actor=LOCAL_ADMIN) if words in r.label]
    assert len(rows) == 1, [r.label for r in rows]
    return rows[0]


# --- importing every format -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "fmt", "account", "lines"), [
    (CREDIT_AGRICOLE, "CSV Crédit Agricole", "00012345678", 8),
    (CREDIT_MUTUEL, "CSV Crédit Mutuel / CIC", COOP_IBAN, 4),
    (BANQUE_POSTALE, "CSV La Banque Postale", "0123456K021", 5),
    (OFX, "OFX", "04012345678", 4),
    (CAMT, "camt.053.001.02", "FR7642559100000401234567890", 4),
])
def test_every_format_imports_and_a_second_import_adds_nothing(
        db: Database, sample: SampleReader, name: str, fmt: str, account: str,
        lines: int) -> None:
    make_co_op(db)
    first = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(name))
    assert not first.refused, first.error
    assert (first.format, first.account) == (fmt, account)
    assert (first.lines_read, first.lines_new, first.lines_known, first.rejected) == (
        lines, lines, 0, 0)
    assert count(db, BankLine) == lines
    entries = count(db, LedgerEntry)

    again = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(name))
    assert (again.lines_read, again.lines_new, again.lines_known, again.rejected) == (
        lines, 0, lines, 0)
    assert again.matched == 0
    assert count(db, BankLine) == lines
    assert count(db, LedgerEntry) == entries
    assert again.summary.startswith(f"{lines} lignes lues, 0 nouvelle, {lines} déjà connues, "
                                    "0 rejetée")


def test_an_overlapping_export_adds_only_its_new_lines(
        db: Database, sample: SampleReader, tmp_path: Path) -> None:
    make_co_op(db)
    text = sample.text(BANQUE_POSTALE, "cp1252")
    head, body = text.split("Date;Libellé;Montant(EUROS)\r\n")
    older = tmp_path / "bp-1.csv"
    older.write_bytes((head + "Date;Libellé;Montant(EUROS)\r\n" + "".join(
        body.splitlines(keepends=True)[2:])).encode("cp1252"))
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=older)
    assert (report.lines_read, report.lines_new) == (3, 3)
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(BANQUE_POSTALE))
    assert (report.lines_read, report.lines_new, report.lines_known) == (5, 2, 3)
    assert count(db, BankLine) == 5
    assert count(db, BankStatement) == 2


def test_the_account_is_the_files_else_the_one_given_else_the_co_ops(
        db: Database, sample: SampleReader) -> None:
    make_co_op(db, iban=None)
    with pytest.raises(ValidationError) as caught:
        bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_MUTUEL))
    assert str(caught.value) == (
        "« credit-mutuel-2026-11.csv » ne dit pas de quel compte il est le relevé : indiquez "
        "le compte (son IBAN), ou enregistrez l'IBAN de la coopérative dans ses paramètres.")
    assert count(db, BankStatement) == 0
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_MUTUEL),
                                   account="fr76 3000 6000 0112 3456 7890 189")
    assert report.account == COOP_IBAN
    with pytest.raises(ValidationError, match="IBAN « FR76 0000 » invalide"):
        bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_MUTUEL),
                              account="FR76 0000")
    # The file's own account wins over the one given.
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(OFX),
                                   account=COOP_IBAN)
    assert report.account == "04012345678"


def test_only_a_treasurer_imports(db: Database, sample: SampleReader) -> None:
    make_co_op(db)
    coordinator = Actor(name="Paul", role=Role.COORDINATOR)
    with pytest.raises(PermissionDenied, match="Paul n'a pas le droit d'importer un relevé"):
        bank.import_statement(db=db, actor=coordinator, path=sample.path(OFX))


# --- malformed files: refused whole, in French, nothing stored ------------------------------------


def _refused(db: Database, path: Path) -> bank.ImportReport:
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    assert report.refused
    assert report.statement_id is None and report.lines_new == 0
    assert count(db, BankStatement) == 0 and count(db, BankLine) == 0
    assert count(db, BankMatch) == 0
    assert report.summary.startswith("Relevé refusé, rien n'a été enregistré : ")
    return report


def test_a_file_in_an_encoding_no_one_reads_is_refused(
        db: Database, sample: SampleReader, tmp_path: Path) -> None:
    make_co_op(db)
    path = tmp_path / "bp.csv"
    path.write_bytes(sample.bytes(BANQUE_POSTALE).replace(b"AMAP VOISINE", b"AMAP \x81VOISINE"))
    report = _refused(db, path)
    assert report.error == (
        "« bp.csv », ligne 11 : octet 0x81 illisible : le fichier n'est ni en UTF-8 ni en "
        "Windows-1252 (fichier abîmé ?).")


def test_a_truncated_file_is_refused(db: Database, sample: SampleReader, tmp_path: Path) -> None:
    make_co_op(db)
    data = sample.bytes(CREDIT_AGRICOLE)
    path = tmp_path / "ca.csv"
    path.write_bytes(data[: data.index(b"WEB GAEC DU PRE VERT")])
    report = _refused(db, path)
    assert report.error == (
        "« ca.csv », ligne 21 : le fichier s'arrête au milieu d'un libellé entre guillemets : "
        "il est tronqué, téléchargez-le de nouveau")


def test_bad_lines_are_all_listed_and_counted_as_rejected(
        db: Database, sample: SampleReader, tmp_path: Path) -> None:
    make_co_op(db)
    text = sample.text(BANQUE_POSTALE, "cp1252").replace(";58,50", ";58,5O").replace(
        ";-4,90", ";N/A")
    path = tmp_path / "bp.csv"
    path.write_bytes(text.encode("cp1252"))
    report = _refused(db, path)
    assert report.rejected == 2
    assert report.problems == (
        "ligne 8, colonne « Montant(EUROS) » : « 58,5O » n'est pas un montant",
        "ligne 12, colonne « Montant(EUROS) » : « N/A » n'est pas un montant",
    )


def test_a_camt_file_of_another_version_is_refused(
        db: Database, sample: SampleReader, tmp_path: Path) -> None:
    make_co_op(db)
    path = tmp_path / "c.xml"
    path.write_text(sample.text(CAMT, "utf-8").replace("camt.053.001.02", "camt.053.001.14"),
                    encoding="utf-8")
    report = _refused(db, path)
    assert report.error == (
        "« c.xml » : relevé camt.053.001.14 : cette version n'est pas prise en charge "
        "(versions lues : camt.053.001.02 à camt.053.001.13).")


def test_an_unknown_csv_layout_asks_for_a_column_mapping(db: Database, tmp_path: Path) -> None:
    make_co_op(db)
    path = tmp_path / "autre-banque.csv"
    path.write_text("Jour;Opération;Somme\n30/11/2026;VIR ADH-0007;64,00\n", encoding="utf-8")
    report = _refused(db, path)
    assert report.unknown_layout
    assert "définissez une correspondance de colonnes" in report.error
    pdf = tmp_path / "releve.pdf"
    pdf.write_bytes(b"%PDF-1.4 ...")
    assert not _refused(db, pdf).unknown_layout


def test_awkward_but_valid_files_are_read_right(db: Database, tmp_path: Path) -> None:
    """A label over five quoted lines, thousands grouped by a narrow no-break space."""
    make_co_op(db)
    label = "VIREMENT EN VOTRE FAVEUR\r\nMME LEFEBVRE CAMILLE\r\nPANIERS\r\nREF ADH-0007\r\nMERCI"
    path = tmp_path / "ca.csv"
    path.write_bytes(("Compte Courant Association n° 00012345678;\r\n"
                      "Date;Libellé;Débit Euros;Crédit Euros;\r\n"
                      f'30/11/2026;"{label}";;64,00;\r\n'
                      '28/11/2026;"REMISE CHEQUES";;1\u202f620,00;\r\n').encode())
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    assert (report.lines_new, report.matched) == (2, 1)
    rows = bank.list_lines(db=db, actor=LOCAL_ADMIN)
    assert [(r.amount, r.label) for r in rows] == [
        (D("1620.00"), "REMISE CHEQUES"),
        (D("64.00"), "VIREMENT EN VOTRE FAVEUR MME LEFEBVRE CAMILLE PANIERS REF ADH-0007 MERCI")]


def test_a_statement_in_another_currency_is_refused(db: Database, tmp_path: Path) -> None:
    make_co_op(db)
    path = tmp_path / "chf.csv"
    path.write_text("Date;Libellé;Montant(EUROS);Devise\n30/11/2026;VIR;64,00;CHF\n",
                    encoding="utf-8")
    mapping = ColumnMapping(name="Suisse", header=("Date", "Libellé", "Montant(EUROS)", "Devise"),
                            date_column="Date", label_columns=("Libellé",),
                            amount_column="Montant(EUROS)", currency_column="Devise")
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path, mapping=mapping)
    assert report.error == ("« chf.csv » est un relevé en CHF : coopfood tient les comptes de "
                            "la coopérative en euros.")
    assert count(db, BankLine) == 0


# --- saved column mappings ------------------------------------------------------------------------


def my_bank() -> ColumnMapping:
    return ColumnMapping(name="Banque du Coin", header=("Jour", "Opération", "Somme"),
                         date_column="Jour", label_columns=("Opération",), amount_column="Somme",
                         encoding="utf-8")


def test_a_saved_mapping_is_remembered_and_used(db: Database, tmp_path: Path) -> None:
    make_co_op(db)
    path = tmp_path / "coin.csv"
    path.write_text("Jour;Opération;Somme\n30/11/2026;VIR ADH 7 LEFEBVRE;64,00\n"
                    "29/11/2026;FRAIS;-1,50\n", encoding="utf-8")
    bank.save_mapping(db=db, actor=LOCAL_ADMIN, mapping=my_bank())
    assert [m.name for m in bank.list_mappings(db=db, actor=LOCAL_ADMIN)] == ["Banque du Coin"]
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    assert (report.format, report.lines_new, report.matched) == ("CSV Banque du Coin", 2, 1)
    # By its name too, whatever its case.
    again = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path, mapping="banque du coin")
    assert again.lines_known == 2
    with pytest.raises(NotFound, match="« Autre » introuvable"):
        bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path, mapping="Autre")

    replaced = ColumnMapping(**{**my_bank().__dict__, "decimal_separator": "."})
    bank.save_mapping(db=db, actor=LOCAL_ADMIN, mapping=replaced)
    saved = bank.list_mappings(db=db, actor=LOCAL_ADMIN)
    assert [(m.name, m.decimal_separator) for m in saved] == [("Banque du Coin", ".")]
    bank.delete_mapping(db=db, actor=LOCAL_ADMIN, name="Banque du Coin")
    assert bank.list_mappings(db=db, actor=LOCAL_ADMIN) == []


def test_sniffing_a_csv_guesses_its_delimiter_and_header(tmp_path: Path,
                                                         sample: SampleReader) -> None:
    sniffed = bank.sniff_csv(sample.path(BANQUE_POSTALE))
    assert sniffed.delimiter == ";" and sniffed.header_row == 6
    assert sniffed.rows[6] == ("Date", "Libellé", "Montant(EUROS)")
    path = tmp_path / "x.csv"
    path.write_text("Jour,Opération,Somme\n30/11/2026,VIR,\"64.00\"\n", encoding="utf-8")
    sniffed = bank.sniff_csv(path)
    assert (sniffed.delimiter, sniffed.encoding, sniffed.header_row) == (",", "utf-8", 0)


# --- a worked month -------------------------------------------------------------------------------


def test_a_worked_month(db: Database, sample: SampleReader) -> None:
    """November at the Crédit Agricole: references, a deposit slip, an invoice paid by
    transfer, a partial payment, an overpayment, strangers left unmatched, undo."""
    co_op = make_co_op(db)
    m = co_op.members
    owe(db, m["lefebvre"], "50.00")  # will pay 64,00: 14,00 in credit
    owe(db, m["martin"], "57.85")  # pays 30,00 of it, with her partner's 7,85
    owe(db, m["nguyen"], "7.85")
    owe(db, m["dupont"], "20.00")
    slip = deposit_slip(db, "REM-2026-0007", dt.date(2026, 11, 20),
                        ["500.00", "454.50", "300.00"])
    other_slip = deposit_slip(db, "REM-2026-0008", dt.date(2026, 11, 27), ["80.00"])
    keyed = ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=m["dupont"],
                                  amount="20.00", means=PaymentMeans.TRANSFER,
                                  entry_date=dt.date(2026, 11, 15))

    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_AGRICOLE))
    assert report.summary == ("8 lignes lues, 8 nouvelles, 0 déjà connue, 0 rejetée ; "
                              "3 rapprochées automatiquement.")
    assert bank.count_to_do(db=db, actor=LOCAL_ADMIN) == 5

    # The reference ADH-0007: Camille Lefebvre paid 64,00 for 50,00: 14,00 in credit.
    lefebvre = line_by_label(db, "ADH-0007")
    assert lefebvre.state is LineState.AUTOMATIC
    assert lefebvre.targets == "LEFEBVRE Camille (ADH-0007)"
    assert balance(db, m["lefebvre"]) == D("-14.00")
    with db.reading() as s:
        payment = s.scalars(select(LedgerEntry).where(
            LedgerEntry.member_id == m["lefebvre"], LedgerEntry.kind == EntryKind.PAYMENT)).one()
    assert (payment.means, payment.entry_date, payment.amount) == (
        PaymentMeans.TRANSFER, dt.date(2026, 11, 30), D("-64.00"))
    assert payment.reference.startswith("VIREMENT EN VOTRE FAVEUR MME LEFEBVRE CAMILLE")

    # The deposit slip of 1 254,50: its cheques are cashed on the day of the statement.
    cheques = line_by_label(db, "REMISE DE CHEQUE")
    assert cheques.targets == "Remise REM-2026-0007 du 20/11/2026"
    with db.reading() as s:
        assert set(s.scalars(select(Cheque.status).where(Cheque.remittance_id == slip))) == {
            ChequeStatus.CASHED}
        assert set(s.scalars(select(Cheque.status_date).where(
            Cheque.remittance_id == slip))) == {dt.date(2026, 11, 28)}

    # The invoice GAECDUPRE-2026-0011 paid by transfer: the producer is owed nothing more.
    gaec = line_by_label(db, "GAEC DU PRE VERT")
    assert gaec.targets == "Facture GAECDUPRE-2026-0011 — GAEC du Pré Vert"
    assert producer_balance(db, co_op.producers["gaec"]) == D("0.00")
    assert ledger.invoices_due(db=db, actor=LOCAL_ADMIN, producer_id=co_op.producers["gaec"]) \
        == []

    # M. ou Mme Martin-Nguyen: a suggestion by name; 30,00 for Zoé Martin, 7,85 for Paul.
    couple = line_by_label(db, "MARTIN-NGUYEN")
    suggested = bank.suggestions(db=db, actor=LOCAL_ADMIN, line_id=couple.id)
    assert [(s.title, s.score, s.reasons) for s in suggested] == [
        ("MARTIN Zoé (ADH-0012)", 35, ("nom proche : MARTIN Zoé",)),
        ("NGUYEN Paul (ADH-0013)", 35, ("nom proche : NGUYEN Paul",))]
    detail = bank.match_household(db=db, actor=LOCAL_ADMIN, line_id=couple.id,
                                  member_id=m["martin"], amount="30,00")
    assert detail.line.state is LineState.TO_DO and detail.line.remaining == D("7.85")
    assert detail.line.state_text == "À traiter (reste 7,85\xa0€)"
    # What is left now equals Paul's balance: the best suggestion says so.
    best = bank.suggestions(db=db, actor=LOCAL_ADMIN, line_id=couple.id)[0]
    assert best.title == "NGUYEN Paul (ADH-0013)"
    assert best.reasons == ("montant = solde dû", "montant = commande du 19/11/2026",
                            "nom proche : NGUYEN Paul")
    assert best.amount == D("7.85")
    detail = bank.confirm_suggestion(db=db, actor=LOCAL_ADMIN, suggestion=best)
    assert detail.line.state is LineState.CONFIRMED
    assert [match.title for match in detail.matches] == [
        "MARTIN Zoé (ADH-0012)", "NGUYEN Paul (ADH-0013)"]
    assert balance(db, m["martin"]) == D("27.85")
    assert balance(db, m["nguyen"]) == D("0.00")
    with pytest.raises(ValidationError, match="déjà entièrement rapprochée"):
        bank.match_household(db=db, actor=LOCAL_ADMIN, line_id=couple.id,
                             member_id=m["dupont"])

    # Bank fees and an insurance debit need no match.
    fees = line_by_label(db, "FRAIS BANCAIRES")
    bank.ignore_line(db=db, actor=LOCAL_ADMIN, line_id=fees.id, reason="Frais bancaires")
    insurance = line_by_label(db, "MAIF")
    detail = bank.ignore_line(db=db, actor=LOCAL_ADMIN, line_id=insurance.id,
                              reason="Assurance de l'association")
    assert detail.line.state is LineState.IGNORED
    assert detail.line.state_text == "Ignorée"
    with pytest.raises(ValidationError, match="Le motif est obligatoire"):
        bank.ignore_line(db=db, actor=LOCAL_ADMIN, line_id=insurance.id, reason="  ")

    # Left on both sides: the card takings and the cash paid in, from no one we know;
    # Marie Dupont's transfer keyed in by hand and the second deposit slip, not yet seen.
    left = bank.unmatched(db=db, actor=LOCAL_ADMIN, date_from=NOVEMBER[0], date_to=NOVEMBER[1])
    assert [(r.booking_date.day, r.remaining) for r in left.lines] == [
        (7, D("210.00")), (14, D("126.30"))]
    assert [(r.kind, r.target_id, r.name, r.amount) for r in left.expected] == [
        (TargetKind.ENTRY, keyed.id, "DUPONT Marie", D("20.00")),
        (TargetKind.REMITTANCE, other_slip, "REM-2026-0008", D("80.00"))]
    assert left.lines_total == D("336.30") and left.expected_total == D("100.00")
    assert bank.count_to_do(db=db, actor=LOCAL_ADMIN) == 2

    # Undo the reference match: the payment is cancelled, the balance is back.
    match = bank.line_detail(db=db, actor=LOCAL_ADMIN, line_id=lefebvre.id).matches[0]
    detail = bank.undo_match(db=db, actor=LOCAL_ADMIN, match_id=match.id,
                             reason="Mauvais foyer")
    assert detail.line.state is LineState.TO_DO and detail.matches == ()
    assert balance(db, m["lefebvre"]) == D("50.00")
    with db.reading() as s:
        reversal = s.scalars(select(LedgerEntry).where(
            LedgerEntry.reverses_id == payment.id)).one()
    assert reversal.amount == D("64.00") and "Mauvais foyer" in reversal.label
    # Undo the deposit slip: its cheques are deposited again, and it is expected again.
    match = bank.line_detail(db=db, actor=LOCAL_ADMIN, line_id=cheques.id).matches[0]
    bank.undo_match(db=db, actor=LOCAL_ADMIN, match_id=match.id)
    with db.reading() as s:
        assert set(s.scalars(select(Cheque.status).where(Cheque.remittance_id == slip))) == {
            ChequeStatus.DEPOSITED}
    assert TargetKind.REMITTANCE in {r.kind for r in bank.unmatched(
        db=db, actor=LOCAL_ADMIN).expected if r.target_id == slip}
    # Matching again by hand works, and so does the automatic matching.
    again = bank.auto_match(db=db, actor=LOCAL_ADMIN)
    assert (again.lines, again.matched) == (4, 2)
    assert balance(db, m["lefebvre"]) == D("-14.00")
    assert line_by_label(db, "REMISE DE CHEQUE").state is LineState.AUTOMATIC

    # Confirming automatic matches; every change left a trace.
    detail = bank.confirm_matches(db=db, actor=LOCAL_ADMIN, line_id=lefebvre.id)
    assert detail.line.state is LineState.CONFIRMED
    with db.reading() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "bank_line")))
    assert {"match", "ignore", "undo", "confirm"} <= set(actions)


def test_a_transfer_keyed_in_by_hand_is_matched_not_paid_twice(
        db: Database, sample: SampleReader) -> None:
    co_op = make_co_op(db)
    garnier = co_op.members["garnier"]
    owe(db, garnier, "72.00")
    keyed = ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=garnier, amount="72.00",
                                  means=PaymentMeans.TRANSFER, entry_date=dt.date(2026, 11, 27))
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_MUTUEL))
    assert report.matched == 2  # Élodie Garnier's transfer, the invoice TROISCHENES-2026-0009
    assert balance(db, garnier) == D("0.00")
    line = line_by_label(db, "GARNIER")
    detail = bank.line_detail(db=db, actor=LOCAL_ADMIN, line_id=line.id)
    assert [(m.kind, m.entry_id) for m in detail.matches] == [(TargetKind.ENTRY, keyed.id)]
    # Undoing it unlinks the payment and leaves it: it was keyed in, not made by the bank.
    bank.undo_match(db=db, actor=LOCAL_ADMIN, match_id=detail.matches[0].id)
    assert balance(db, garnier) == D("0.00")
    left = bank.unmatched(db=db, actor=LOCAL_ADMIN)
    assert [r.target_id for r in left.expected] == [keyed.id]
    bank.match_entry(db=db, actor=LOCAL_ADMIN, line_id=line.id, entry_id=keyed.id)
    assert bank.unmatched(db=db, actor=LOCAL_ADMIN).expected == ()


def test_a_line_naming_two_households_is_left_to_the_treasurer(
        db: Database, tmp_path: Path) -> None:
    co_op = make_co_op(db)
    path = tmp_path / "bp.csv"
    path.write_bytes(("Numéro Compte   ;0123456K021\r\n\r\nDate;Libellé;Montant(EUROS)\r\n"
                      '30/11/2026;"VIR M NGUYEN ADH 13 ET ADH-0012";40,00\r\n').encode("cp1252"))
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    assert report.matched == 0
    line = bank.list_lines(db=db, actor=LOCAL_ADMIN)[0]
    suggested = bank.suggestions(db=db, actor=LOCAL_ADMIN, line_id=line.id)
    assert {s.target_id for s in suggested[:2]} == {co_op.members["nguyen"],
                                                    co_op.members["martin"]}
    assert suggested[0].reasons[0].startswith("référence ADH-001")


def test_refunding_a_household_by_transfer(db: Database, tmp_path: Path) -> None:
    co_op = make_co_op(db)
    dupont = co_op.members["dupont"]
    ledger.record_payment(db=db, actor=LOCAL_ADMIN, member_id=dupont, amount="30.00",
                          means=PaymentMeans.CASH, entry_date=dt.date(2026, 11, 2))
    path = tmp_path / "bp.csv"
    path.write_bytes(("Numéro Compte   ;0123456K021\r\n\r\nDate;Libellé;Montant(EUROS)\r\n"
                      '30/11/2026;"VIR EMIS MME DUPONT MARIE TROP PERCU";-30,00\r\n')
                     .encode("cp1252"))
    bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    line = bank.list_lines(db=db, actor=LOCAL_ADMIN)[0]
    best = bank.suggestions(db=db, actor=LOCAL_ADMIN, line_id=line.id)[0]
    assert best.title == "DUPONT Marie (ADH-0040)"
    assert best.reasons == ("montant = crédit du foyer", "nom proche : DUPONT Marie")
    bank.confirm_suggestion(db=db, actor=LOCAL_ADMIN, suggestion=best)
    assert balance(db, dupont) == D("0.00")


def test_a_payout_batch_and_one_of_its_transfers(db: Database, tmp_path: Path) -> None:
    from coopfood.persistence.models import PayoutBatch

    co_op = make_co_op(db)
    with db.transaction() as s:
        batch = PayoutBatch(message_id="COOP-20261125-01", execution_date=dt.date(2026, 11, 25),
                            transfer_count=2, total=D("957.60"), debtor_iban=COOP_IBAN,
                            xml=b"<x/>", created_at=ledger.now(), created_by="test")
        s.add(batch)
        s.flush()
        for number in ("GAECDUPRE-2026-0011", "EARLRUCH-2026-0004"):
            invoice = s.get(Invoice, co_op.invoices[number])
            assert invoice is not None
            ledger.record_payout_in(s, LOCAL_ADMIN, producer_id=invoice.producer_id,
                                    amount=invoice.total_ttc, means=PaymentMeans.TRANSFER,
                                    entry_date=batch.execution_date, reference=number,
                                    invoice_id=invoice.id, payout_batch_id=batch.id)
        batch_id = batch.id
    path = tmp_path / "bp.csv"
    path.write_bytes(("Numéro Compte   ;0123456K021\r\n\r\nDate;Libellé;Montant(EUROS)\r\n"
                      '26/11/2026;"PRLV SEPA COOP-20261125-01 2 VIREMENTS";-957,60\r\n'
                      '27/11/2026;"VIR EMIS EARL LES RUCHERS";-145,20\r\n').encode("cp1252"))
    report = bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path)
    assert report.matched == 1  # the whole batch; the second line is not a second payment
    rows = bank.list_lines(db=db, actor=LOCAL_ADMIN)
    assert rows[0].targets == "Virements du 25/11/2026 (COOP-20261125-01)"
    assert rows[1].state is LineState.TO_DO
    assert bank.unmatched(db=db, actor=LOCAL_ADMIN).expected == ()
    # Undone, the batch is expected again; one transfer named by its producer matches.
    bank.undo_match(db=db, actor=LOCAL_ADMIN,
                    match_id=bank.line_detail(db=db, actor=LOCAL_ADMIN,
                                              line_id=rows[0].id).matches[0].id)
    with db.transaction() as s:
        s.get(BankLine, rows[0].id).ignored_reason = "essai"  # type: ignore[union-attr]
    assert bank.auto_match(db=db, actor=LOCAL_ADMIN).matched == 1
    detail = bank.line_detail(db=db, actor=LOCAL_ADMIN, line_id=rows[1].id)
    assert [(m.kind, m.target_id, m.amount) for m in detail.matches] == [
        (TargetKind.PAYOUT_BATCH, batch_id, D("-145.20"))]
    expected = bank.unmatched(db=db, actor=LOCAL_ADMIN).expected
    assert [(r.kind, r.amount) for r in expected] == [(TargetKind.PAYOUT_BATCH, D("-812.40"))]


def test_matching_by_hand_refuses_what_does_not_fit(db: Database, sample: SampleReader) -> None:
    co_op = make_co_op(db)
    slip = deposit_slip(db, "REM-2026-0009", dt.date(2026, 11, 1), ["310.00"])
    handed = deposit_slip(db, "REM-2026-0010", dt.date(2026, 11, 1), ["12.00"],
                          kind=RemittanceKind.HANDOVER)
    bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_MUTUEL))
    fees = line_by_label(db, "FRAIS TENUE")
    cheques = line_by_label(db, "REMISE CHEQUES")
    assert cheques.state is LineState.TO_DO  # the slip is 19 days older than the credit
    assert [s.title for s in bank.suggestions(db=db, actor=LOCAL_ADMIN,
                                              line_id=cheques.id)][:1] == [
        "Remise REM-2026-0009 du 01/11/2026"]
    with pytest.raises(ValidationError, match="remise au producteur"):
        bank.match_remittance(db=db, actor=LOCAL_ADMIN, line_id=cheques.id,
                              remittance_id=handed)
    with pytest.raises(ValidationError, match="Une remise de chèques est un crédit"):
        bank.match_remittance(db=db, actor=LOCAL_ADMIN, line_id=fees.id, remittance_id=slip)
    with pytest.raises(ValidationError, match="dépasse ce qui reste à rapprocher"):
        bank.match_household(db=db, actor=LOCAL_ADMIN, line_id=cheques.id,
                             member_id=co_op.members["dupont"], amount="310,01")
    with pytest.raises(ValidationError, match="Le paiement d'une facture est un débit"):
        bank.match_invoice(db=db, actor=LOCAL_ADMIN, line_id=cheques.id,
                           invoice_id=co_op.invoices["GAECDUPRE-2026-0011"])
    with pytest.raises(ValidationError, match="La facture TROISCHENES-2026-0009 est déjà payée"):
        bank.match_invoice(db=db, actor=LOCAL_ADMIN, line_id=fees.id,
                           invoice_id=co_op.invoices["TROISCHENES-2026-0009"])
    bank.match_remittance(db=db, actor=LOCAL_ADMIN, line_id=cheques.id, remittance_id=slip)
    with pytest.raises(ValidationError, match="déjà entièrement rapprochée"):
        bank.match_remittance(db=db, actor=LOCAL_ADMIN, line_id=cheques.id, remittance_id=slip)
    with pytest.raises(ValidationError, match="est rapprochée : défaites d'abord"):
        bank.ignore_line(db=db, actor=LOCAL_ADMIN, line_id=cheques.id, reason="x")
    bank.ignore_line(db=db, actor=LOCAL_ADMIN, line_id=fees.id, reason="Frais")
    with pytest.raises(ValidationError, match=r"est ignorée \(Frais\)"):
        bank.match_invoice(db=db, actor=LOCAL_ADMIN, line_id=fees.id,
                           invoice_id=co_op.invoices["EARLRUCH-2026-0004"])
    detail = bank.unignore_line(db=db, actor=LOCAL_ADMIN, line_id=fees.id)
    assert detail.line.state is LineState.TO_DO


def test_match_targets_for_hand_matching(db: Database, sample: SampleReader) -> None:
    co_op = make_co_op(db)
    owe(db, co_op.members["dupont"], "20.00")
    bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(BANQUE_POSTALE))
    stranger = line_by_label(db, "AMAP VOISINE")
    households = bank.match_targets(db=db, actor=LOCAL_ADMIN, line_id=stranger.id,
                                    kind=TargetKind.HOUSEHOLD)
    assert [t.title for t in households][:2] == ["DUBOIS Jean (ADH-0031)",
                                                 "DUPONT Marie (ADH-0040)"]
    assert households[1].detail == "doit 20,00\xa0€"
    assert households[1].amount == D("25.00")
    assert bank.match_targets(db=db, actor=LOCAL_ADMIN, line_id=stranger.id,
                              kind=TargetKind.INVOICE) == []
    fees = line_by_label(db, "COMMISSION")
    invoices = bank.match_targets(db=db, actor=LOCAL_ADMIN, line_id=fees.id,
                                  kind=TargetKind.INVOICE)
    assert [(t.title, t.amount) for t in invoices] == [
        ("Facture GAECDUPRE-2026-0011 — GAEC du Pré Vert", D("-4.90")),
        ("Facture TROISCHENES-2026-0009 — Ferme des Trois Chênes", D("-4.90"))]


def test_list_lines_by_period_and_state(db: Database, sample: SampleReader) -> None:
    make_co_op(db)
    bank.import_statement(db=db, actor=LOCAL_ADMIN, path=sample.path(CREDIT_AGRICOLE))
    late = bank.list_lines(db=db, actor=LOCAL_ADMIN, date_from=dt.date(2026, 11, 25))
    assert [r.booking_date.day for r in late] == [25, 27, 28, 30]
    done = bank.list_lines(db=db, actor=LOCAL_ADMIN, states=[LineState.AUTOMATIC])
    assert [r.booking_date.day for r in done] == [27, 30]
    assert bank.count_to_do(db=db, actor=LOCAL_ADMIN, date_to=dt.date(2026, 11, 14)) == 3


def test_automatic_payments_are_the_ledgers_own(db: Database, tmp_path: Path) -> None:
    """Posted in bulk, an automatic payment is the entry and the audit record that
    `ledger.record_payment_in` makes for a payment matched by hand."""
    co_op = make_co_op(db)
    path = tmp_path / "bp.csv"
    path.write_bytes(("Numéro Compte   ;0123456K021\r\n\r\nDate;Libellé;Montant(EUROS)\r\n"
                      '30/11/2026;"VIR M DUBOIS JEAN ADH-0031";58,50\r\n'
                      '30/11/2026;"VIR M DUBOIS JEAN";58,50\r\n').encode("cp1252"))
    assert bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path).matched == 1
    by_hand = next(r for r in bank.list_lines(db=db, actor=LOCAL_ADMIN)
                   if r.state is LineState.TO_DO)
    bank.match_household(db=db, actor=LOCAL_ADMIN, line_id=by_hand.id,
                         member_id=co_op.members["dubois"])
    with db.reading() as s:
        entries = s.scalars(select(LedgerEntry).where(
            LedgerEntry.kind == EntryKind.PAYMENT).order_by(LedgerEntry.id)).all()
        audits = s.scalars(select(AuditEntry).where(
            AuditEntry.entity == "payment").order_by(AuditEntry.id)).all()

    def shape(entry: LedgerEntry) -> tuple[object, ...]:
        return (entry.amount, entry.member_id, entry.means, entry.point_id, entry.entry_date,
                entry.created_by, entry.label.split(" : ")[0])

    assert [shape(e) for e in entries] == [shape(entries[0])] * 2
    assert entries[0].label == "Virement reçu : VIR M DUBOIS JEAN ADH-0031"
    assert [(a.action, a.summary, a.member_id, a.point_id) for a in audits] == [
        ("create", "DUBOIS Jean : règlement de 58,50\xa0€ (Virement)", co_op.members["dubois"],
         entries[0].point_id)] * 2
    assert set(audits[0].after or {}) == set(audits[1].after or {})


def test_a_debit_paying_more_than_an_invoice_pays_what_remains_of_it(
        db: Database, tmp_path: Path) -> None:
    co_op = make_co_op(db)
    path = tmp_path / "bp.csv"
    path.write_bytes(("Numéro Compte   ;0123456K021\r\n\r\nDate;Libellé;Montant(EUROS)\r\n"
                      '30/11/2026;"VIR GAECDUPRE-2026-0011 ET ACOMPTE";-900,00\r\n')
                     .encode("cp1252"))
    assert bank.import_statement(db=db, actor=LOCAL_ADMIN, path=path).matched == 0
    line = bank.list_lines(db=db, actor=LOCAL_ADMIN)[0]
    best = bank.suggestions(db=db, actor=LOCAL_ADMIN, line_id=line.id)[0]
    assert (best.title, best.amount) == ("Facture GAECDUPRE-2026-0011 — GAEC du Pré Vert",
                                         D("-812.40"))
    invoice = co_op.invoices["GAECDUPRE-2026-0011"]
    with pytest.raises(ValidationError) as caught:
        bank.match_invoice(db=db, actor=LOCAL_ADMIN, line_id=line.id, invoice_id=invoice,
                           amount="850")
    assert str(caught.value) == (
        "Le rapprochement (850,00\xa0€) dépasse ce qui reste à payer de la facture "
        "GAECDUPRE-2026-0011 (812,40\xa0€).")
    detail = bank.match_invoice(db=db, actor=LOCAL_ADMIN, line_id=line.id, invoice_id=invoice)
    assert detail.line.remaining == D("-87.60")
    assert producer_balance(db, co_op.producers["gaec"]) == D("0.00")
