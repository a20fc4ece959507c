"""Importing households from the spreadsheets co-ops keep: every bad row told, nothing half-done."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from coopfood.imports import ImportFileError, ImportReport, import_file
from coopfood.persistence.db import Database
from coopfood.persistence.models import Member, MembershipFee
from coopfood.services import LOCAL_ADMIN, Actor, Cancelled, Role
from coopfood.services.members import MemberInput, save_member
from tests.imports.support import FORMULA, TRICKY, add_point, dump, write_csv, write_xlsx

HEADER = ["Nom", "Prénom", "E-mail", "Téléphone", "Code postal", "Ville", "Point", "Adhésion"]
TODAY = dt.date(2026, 3, 15)


def _row(n: int, **changes: str) -> list[str]:
    row = {
        "nom": f"Lefèvre{n}",
        "prenom": "Hélène",
        "email": f"helene{n}@example.org",
        "tel": "06 12 34 56 78",
        "cp": "26400",
        "ville": "Crest",
        "point": "Salle des fêtes",
        "adhesion": "2026",
    }
    row.update(changes)
    return list(row.values())


def _import(db: Database, path: Path, **options: object) -> ImportReport:
    return import_file(db=db, actor=LOCAL_ADMIN, kind="members", path=path, today=TODAY, **options)  # type: ignore[arg-type]


def _members(db: Database) -> list[Member]:
    with db.reading() as session:
        return list(session.scalars(select(Member).order_by(Member.id)))


@pytest.fixture
def point(db: Database) -> int:
    return add_point(db, "Salle des fêtes")


def test_a_windows_1252_file_creates_households_with_references_and_fees(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "adhérents.csv", [HEADER, _row(1), _row(2, email="")], encoding="cp1252"
    )
    report = _import(db, path)
    assert (report.created, report.updated, report.unchanged, report.rejected) == (2, 0, 0, 0)
    assert report.written and report.complete and not report.errors
    first, second = _members(db)
    assert (first.last_name, first.first_name, first.email) == (
        "Lefèvre1",
        "Hélène",
        "helene1@example.org",
    )
    assert first.point_id == point and first.city == "Crest"
    assert [first.payment_reference, second.payment_reference] == ["ADH-0001", "ADH-0002"]
    assert second.email is None
    with db.reading() as session:
        fees = session.execute(select(MembershipFee.year, MembershipFee.amount)).all()
    assert sorted(fees) == [(2026, Decimal("0.00")), (2026, Decimal("0.00"))]


def test_references_follow_those_already_given(db: Database, point: int, tmp_path: Path) -> None:
    save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Ancien"))
    _import(db, write_csv(tmp_path / "a.csv", [HEADER, _row(1), _row(2)]))
    save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Nouveau"))
    assert [m.payment_reference for m in _members(db)] == [
        "ADH-0001",
        "ADH-0002",
        "ADH-0003",
        "ADH-0004",
    ]


BAD_ROWS = [
    pytest.param(
        _row(2, point="Gymnase"),
        "Point",
        "Point de distribution « Gymnase » inconnu ; points existants : « Salle des fêtes ».",
        id="unknown point",
    ),
    pytest.param(
        _row(2, email="helene1@example.org"),
        "E-mail",
        "L'adresse e-mail helene1@example.org figure déjà ligne 2 du fichier.",
        id="duplicate e-mail in the file",
    ),
    pytest.param(
        _row(2, email="HELENE1@example.org"),
        "E-mail",
        "L'adresse e-mail HELENE1@example.org figure déjà ligne 2 du fichier.",
        id="duplicate e-mail in another case",
    ),
    pytest.param(
        _row(2, email="helene@@example"),
        "E-mail",
        "Adresse e-mail « helene@@example » invalide.",
        id="bad e-mail",
    ),
    pytest.param(
        _row(2, tel="06 12"), "Téléphone", "Numéro de téléphone « 06 12 » invalide.", id="bad phone"
    ),
    pytest.param(
        _row(2, cp="2640"),
        "Code postal",
        "Code postal « 2640 » invalide : 5 chiffres.",
        id="bad postal code",
    ),
    pytest.param(_row(2, nom=""), "Nom", "Le nom est obligatoire.", id="no name"),
    pytest.param(
        _row(2, nom="x" * 201),
        "Nom",
        "Le nom est trop long (201 caractères, 200 au plus).",
        id="name too long",
    ),
    pytest.param(
        _row(2, adhesion="2O26"),
        "Adhésion",
        "Année d'adhésion « 2O26 » invalide : une année comme 2026, ou plusieurs "
        "séparées par des virgules.",
        id="bad year",
    ),
]


@pytest.mark.parametrize(("bad", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_told_by_line_and_column_and_nothing_is_written(
    db: Database, point: int, tmp_path: Path, bad: list[str], column: str, message: str
) -> None:
    save_member(db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Déjà", first_name="Là"))
    before = dump(db)
    path = write_csv(tmp_path / "a.csv", [HEADER, _row(1), [""] * 8, bad, _row(3)])
    report = _import(db, path)
    assert [str(e) for e in report.errors] == [f"ligne 4, colonne « {column} » : {message}"]
    assert (report.created, report.rejected, report.written) == (2, 1, False)
    assert dump(db) == before


def test_every_bad_cell_of_a_row_is_told_at_once(db: Database, point: int, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [[*HEADER, "Adhérent depuis"], [*_row(1, adhesion="vingt"), "32/01/2026"]],
    )
    report = _import(db, path)
    assert [(e.line, e.column) for e in report.errors] == [(2, "Adhésion"), (2, "Adhérent depuis")]
    assert report.rejected == 1


def test_an_unknown_point_and_a_bad_email_on_one_row_are_both_told(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv",
                     [HEADER, _row(1, email="helene@", point="Nulle part")])
    report = _import(db, path)
    assert sorted((e.line, e.column) for e in report.errors) == [(2, "E-mail"), (2, "Point")]
    assert _members(db) == []


def test_a_missing_required_column_refuses_the_file_and_changes_nothing(
    db: Database, point: int, tmp_path: Path
) -> None:
    before = dump(db)
    path = write_csv(tmp_path / "liste.csv", [["Prénom", "Email"], ["Hélène", "h@example.org"]])
    with pytest.raises(ImportFileError, match="colonne obligatoire absente : « nom »"):
        _import(db, path)
    assert dump(db) == before


def test_odd_text_is_stored_literally(db: Database, point: int, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [HEADER, _row(1, nom=FORMULA, prenom=TRICKY), _row(2, nom="+33 c'est moi", prenom="@lice")],
    )
    report = _import(db, path)
    assert report.created == 2, report.errors
    first, second = _members(db)
    assert (first.last_name, first.first_name) == (FORMULA, TRICKY)
    assert (second.last_name, second.first_name) == ("+33 c'est moi", "@lice")


def test_a_dry_run_says_what_would_happen_and_writes_nothing(
    db: Database, point: int, tmp_path: Path
) -> None:
    before = dump(db)
    report = _import(db, write_csv(tmp_path / "a.csv", [HEADER, _row(1), _row(2)]), dry_run=True)
    assert (report.created, report.dry_run, report.written) == (2, True, False)
    assert dump(db) == before


def test_keep_valid_writes_the_valid_rows_only(db: Database, point: int, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, _row(1), _row(2, point="Gymnase"), _row(3)])
    report = _import(db, path, keep_valid=True)
    assert (report.created, report.rejected, report.written) == (2, 1, True)
    assert report.errors[0].line == 3
    assert [m.last_name for m in _members(db)] == ["Lefèvre1", "Lefèvre3"]


def test_the_same_file_twice_changes_nothing_the_second_time(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "a.csv", [HEADER, _row(1), _row(2, email=""), _row(3, adhesion="2025, 2026")]
    )
    assert _import(db, path).created == 3
    before = dump(db)
    again = _import(db, path)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 0)
    assert dump(db) == before


def test_households_are_matched_by_email_else_by_name(
    db: Database, point: int, tmp_path: Path
) -> None:
    by_email = save_member(
        db=db,
        actor=LOCAL_ADMIN,
        data=MemberInput(
            last_name="Martin", first_name="Jo", email="jo@example.org", phone="06 11 11 11 11"
        ),
    )
    by_name = save_member(
        db=db, actor=LOCAL_ADMIN, data=MemberInput(last_name="Éluard-Lévy", first_name="Anne")
    )
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["nom", "prénom", "email"],
            ["Martin-Durand", "Jo", "JO@example.org"],
            ["ELUARD LEVY", "anne", "anne@example.org"],
        ],
    )
    report = _import(db, path)
    assert (report.created, report.updated) == (0, 2), report.errors
    members = {m.id: m for m in _members(db)}
    assert members[by_email.id].last_name == "Martin-Durand"
    # A column the file does not have keeps what the base holds.
    assert members[by_email.id].phone == "06 11 11 11 11"
    assert members[by_name.id].email == "anne@example.org"
    assert members[by_name.id].last_name == "ELUARD LEVY"


def test_a_namesake_with_another_email_is_another_household(
    db: Database, point: int, tmp_path: Path
) -> None:
    save_member(
        db=db,
        actor=LOCAL_ADMIN,
        data=MemberInput(last_name="Martin", first_name="Jo", email="jo@example.org"),
    )
    path = write_csv(
        tmp_path / "a.csv", [["nom", "prénom", "email"], ["Martin", "Jo", "autre@example.org"]]
    )
    report = _import(db, path)
    assert report.created == 1
    assert "un foyer MARTIN Jo existe déjà avec une autre adresse e-mail" in str(report.warnings[0])


def test_namesakes_without_email_are_not_guessed(db: Database, point: int, tmp_path: Path) -> None:
    for email in ("a@example.org", "b@example.org"):
        save_member(
            db=db,
            actor=LOCAL_ADMIN,
            data=MemberInput(last_name="Martin", first_name="Jo", email=email),
        )
    path = write_csv(tmp_path / "a.csv", [["nom", "prénom", "ville"], ["Martin", "Jo", "Die"]])
    report = _import(db, path)
    assert str(report.errors[0]) == (
        "ligne 2, colonne « nom » : Plusieurs foyers s'appellent MARTIN Jo : donnez leur e-mail "
        "pour dire lequel."
    )


def test_fee_years_and_amount(db: Database, point: int, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv",
        [
            ["nom", "email", "cotisation", "montant adhésion"],
            ["Un", "un@example.org", "2025, 2026", "15,00"],
        ],
    )
    assert _import(db, path).created == 1
    corrected = write_csv(
        tmp_path / "b.csv",
        [
            ["nom", "email", "cotisation", "montant adhésion"],
            ["Un", "un@example.org", "2026", "20"],
        ],
    )
    assert _import(db, corrected).updated == 1
    with db.reading() as session:
        fees = session.execute(
            select(MembershipFee.year, MembershipFee.amount).order_by(MembershipFee.year)
        ).all()
    assert fees == [(2025, Decimal("15.00")), (2026, Decimal("20.00"))]


def test_a_workbook_with_numbers_where_text_was_meant(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "a.xlsx",
        [
            ["Nom", "Prénom", "Mail", "Portable", "CP", "Lieu", "Adhésion", "Adhérent depuis"],
            [
                "Dupont",
                "Zoé",
                "zoe@example.org",
                612345678,
                1000,
                "SALLE DES FETES",
                2026,
                dt.datetime(2025, 9, 1),
            ],
        ],
    )
    report = _import(db, path)
    assert report.created == 1, report.errors
    (member,) = _members(db)
    assert (member.phone, member.postal_code, member.point_id, member.joined_on) == (
        "06 12 34 56 78",
        "01000",
        point,
        dt.date(2025, 9, 1),
    )


def test_a_coordinator_imports_only_into_its_own_points(
    db: Database, point: int, tmp_path: Path
) -> None:
    other = add_point(db, "Gymnase")
    coordinator = Actor(name="Coordinatrice", role=Role.COORDINATOR, point_ids=frozenset({other}))
    path = write_csv(tmp_path / "a.csv", [HEADER, _row(1), _row(2, point="Gymnase")])
    report = import_file(db=db, actor=coordinator, kind="members", path=path, today=TODAY)
    assert [(e.line, e.column) for e in report.errors] == [(2, "Point")]
    assert report.created == 1 and not report.written


def test_cancelling_while_writing_leaves_the_base_as_it_was(
    db: Database, point: int, tmp_path: Path
) -> None:
    before = dump(db)

    def cancel_when_writing(done: int, total: int, what: str) -> None:
        if what.startswith("Enregistrement") and done > 0:
            raise Cancelled()

    rows = [HEADER, *(_row(n) for n in range(250))]
    with pytest.raises(Cancelled):
        _import(db, write_csv(tmp_path / "a.csv", rows), progress=cancel_when_writing)
    assert dump(db) == before


def test_two_thousand_households_import_in_one_go(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, *(_row(n) for n in range(2000))])
    start = time.perf_counter()
    report = _import(db, path)
    seconds = time.perf_counter() - start
    print(f"2 000 adhérents importés en {seconds:.2f} s")  # timed by hand, not asserted
    assert report.created == 2000 and not report.errors


def test_a_ten_thousand_row_file(db: Database, point: int, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "a.csv", [HEADER, *(_row(n) for n in range(10_000))], separator="\t", bom=True
    )
    start = time.perf_counter()
    report = _import(db, path)
    print(f"10 000 adhérents importés en {time.perf_counter() - start:.2f} s")
    assert report.created == 10_000
    with db.reading() as session:
        assert session.scalar(select(func.count(Member.id))) == 10_000
        assert session.scalar(select(func.count(func.distinct(Member.payment_reference)))) == 10_000
        assert session.scalar(select(Member.id).where(Member.payment_reference == "ADH-10000"))


def test_a_blank_cell_never_erases_what_the_base_holds(
    db: Database, point: int, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "a.csv", [HEADER, _row(1)])
    _import(db, path)
    partial = write_csv(tmp_path / "b.csv", [HEADER, _row(1, tel="", point="", ville="Die")])
    report = _import(db, partial)
    assert report.updated == 1
    (member,) = _members(db)
    assert (member.phone, member.point_id, member.city) == ("06 12 34 56 78", point, "Die")
