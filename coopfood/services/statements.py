"""Households' statements (relevés de compte) as PDF: one household, or all of them at once.

The window, the command line (`python main.py print statement`) and the
sending of statements by e-mail call the same functions. A statement is read
from the ledger (`ledger.statement_in`) over a period — from the beginning
when no start is given, up to today when no end is — and drawn by
`coopfood.documents.statement`.

`write_statements` with no household named writes one for every household
with a movement in the period or a balance at its end, by name; a
coordinator gets those of its own points. Files are written under a
temporary name and renamed when complete; when the work is cancelled or
fails, the files of this run are removed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coopfood.documents.common import slug
from coopfood.documents.statement import (
    StatementData,
    StatementLine,
    draw_statement,
    epc_payment,
)
from coopfood.i18n import _, ngettext
from coopfood.persistence.db import Database
from coopfood.persistence.models import Coop, DistributionPoint, LedgerEntry, Member
from coopfood.persistence.sql import raw, sum_cents
from coopfood.services import (
    Actor,
    Cancelled,
    NotFound,
    ProgressCallback,
    Role,
    ServiceError,
    ValidationError,
    no_progress,
)
from coopfood.services.access import require, require_point
from coopfood.services.ledger import PAYMENT_TAKERS, statement_in


def now() -> dt.datetime:
    """The printing date in the footer: the computer's local time (a test may fix it)."""
    return dt.datetime.now().replace(microsecond=0)


def today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class WrittenStatement:
    member_id: int
    #: The household's name: « DUPONT Marie ».
    name: str
    path: Path
    #: The balance at the end of the period: > 0 the household owes it.
    balance: Decimal


# --- gathering --------------------------------------------------------------------------------


def _coop(session: Session) -> Coop:
    coop = session.scalar(select(Coop).order_by(Coop.id).limit(1))
    if coop is None:
        raise ServiceError(_("La coopérative n'est pas encore renseignée (Paramètres → "
                             "Coopérative) : son nom et son IBAN sont imprimés sur les "
                             "relevés."))
    return coop


def _coop_lines(coop: Coop) -> tuple[str, ...]:
    lines = [coop.legal_form, coop.address, f"{coop.postal_code} {coop.city}".strip(),
             " · ".join(part for part in (coop.email, coop.phone) if part)]
    if coop.siret:
        lines.append(_("SIRET {number}").format(number=coop.siret))
    elif coop.siren:
        lines.append(_("SIREN {number}").format(number=coop.siren))
    if coop.rna:
        lines.append(_("RNA {number}").format(number=coop.rna))
    return tuple(line for line in lines if line.strip())


def _period(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date | None,
                                                                         dt.date]:
    end = date_to or today()
    if date_from is not None and date_from > end:
        raise ValidationError(_("La période des relevés commence le {start}, après sa fin le "
                                "{end} : corrigez les dates.").format(
            start=date_from.strftime("%d/%m/%Y"), end=end.strftime("%d/%m/%Y")),
            field="date_from")
    return date_from, end


def gather_statement(session: Session, actor: Actor, *, member_id: int,
                     date_from: dt.date | None, date_to: dt.date,
                     printed_at: dt.datetime) -> StatementData:
    """Everything a household's statement prints, in the caller's session."""
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(_("Foyer n° {id} introuvable.").format(id=member_id))
    coop = _coop(session)
    account = statement_in(session, actor, member_id=member_id, producer_id=None,
                           date_from=date_from, date_to=date_to)
    point = (session.get(DistributionPoint, member.point_id)
             if member.point_id is not None else None)
    lines = tuple(StatementLine(
        day=m.entry.entry_date, label=m.entry.label,
        debit=m.entry.amount if m.entry.amount > 0 else None,
        credit=-m.entry.amount if m.entry.amount < 0 else None,
        balance=m.balance) for m in account.movements)
    closing = account.closing_balance
    return StatementData(
        coop_name=coop.name, coop_lines=_coop_lines(coop), coop_iban=coop.iban or None,
        coop_bic=coop.bic or None, household=member.display_name,
        co_member=member.co_member_name,
        address_lines=tuple(line for line in (
            member.address, f"{member.postal_code} {member.city}".strip()) if line.strip()),
        payment_reference=member.payment_reference,
        point_name=point.name if point is not None else "",
        date_from=date_from, date_to=date_to, opening_balance=account.opening_balance,
        lines=lines, closing_balance=closing,
        epc=epc_payment(name=coop.name, iban=coop.iban, bic=coop.bic, amount=closing,
                        reference=member.payment_reference),
        printed_at=printed_at)


def households_with_statement(session: Session, actor: Actor, *, date_from: dt.date | None,
                              date_to: dt.date, point_ids: Collection[int] | None = None
                              ) -> list[int]:
    """The households with a movement in the period or a balance at its end, by name;
    a coordinator's are those of its points."""
    moved = select(LedgerEntry.member_id).where(LedgerEntry.member_id.is_not(None),
                                                LedgerEntry.entry_date <= date_to)
    if date_from is not None:
        moved = moved.where(LedgerEntry.entry_date >= date_from)
    owing = (select(LedgerEntry.member_id)
             .where(LedgerEntry.member_id.is_not(None), LedgerEntry.entry_date <= date_to)
             .group_by(LedgerEntry.member_id)
             .having(sum_cents(raw(LedgerEntry.amount)) != 0))
    query = (select(Member.id).where(Member.id.in_(moved.union(owing)))
             .order_by(func.lower(Member.last_name), func.lower(Member.first_name), Member.id))
    wanted = None if point_ids is None else set(point_ids)
    if actor.role is Role.COORDINATOR:
        wanted = set(actor.point_ids) if wanted is None else wanted & set(actor.point_ids)
    if wanted is not None:
        query = query.where(Member.point_id.in_(sorted(wanted)))
    return list(session.scalars(query))


# --- writing ----------------------------------------------------------------------------------


def statement_file_name(data: StatementData) -> str:
    """« releve-2026-11-30-adh-0007-dupont-marie.pdf »: ASCII, no slash, sortable."""
    parts = [slug(data.payment_reference, 20), slug(data.household, 40)]
    return "-".join(["releve", data.date_to.isoformat(), *(p for p in parts if p)]) + ".pdf"


def statement_pdf(*, db: Database, actor: Actor, member_id: int,
                  date_from: dt.date | None = None, date_to: dt.date | None = None,
                  printed_at: dt.datetime | None = None) -> bytes:
    """One household's statement as PDF bytes (the window saves it where asked)."""
    import io

    require(actor, PAYMENT_TAKERS, _("imprimer un relevé de compte"))
    start, end = _period(date_from, date_to)
    with db.reading() as session:
        data = gather_statement(session, actor, member_id=member_id, date_from=start,
                                date_to=end, printed_at=printed_at or now())
    buffer = io.BytesIO()
    draw_statement(data, buffer)
    return buffer.getvalue()


def _make_dir(out_dir: Path) -> None:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ServiceError(_("Impossible de créer le dossier « {folder} » : {reason}").format(
            folder=out_dir, reason=error.strerror or error)) from error


def _write(data: StatementData, member_id: int, path: Path, written: list[Path]
           ) -> WrittenStatement:
    part = path.with_name(path.name + ".part")
    written.append(path)
    try:
        draw_statement(data, part)
        os.replace(part, path)
    except OSError as error:
        part.unlink(missing_ok=True)
        raise ServiceError(_("Impossible d'écrire « {file} » : {reason}").format(
            file=path, reason=error.strerror or error)) from error
    return WrittenStatement(member_id=member_id, name=data.household, path=path,
                            balance=data.closing_balance)


def write_statements(*, db: Database, actor: Actor, member_ids: Sequence[int] | None = None,
                     date_from: dt.date | None = None, date_to: dt.date | None = None,
                     out_dir: Path, progress: ProgressCallback | None = None,
                     point_ids: Collection[int] | None = None,
                     printed_at: dt.datetime | None = None) -> list[WrittenStatement]:
    """Write one PDF statement per household into `out_dir`; `member_ids` None means
    every household with a movement in the period or a balance at its end (of
    `point_ids` only, when given). Raising `Cancelled` from `progress` stops and removes
    the files of this run."""
    require(actor, PAYMENT_TAKERS, _("imprimer des relevés de compte"))
    report = progress or no_progress
    start, end = _period(date_from, date_to)
    moment = printed_at or now()
    report(0, 1, _("Lecture des comptes…"))
    gathered: list[tuple[int, StatementData]] = []
    with db.reading() as session:
        if member_ids is None:
            ids = households_with_statement(session, actor, date_from=start, date_to=end,
                                            point_ids=point_ids)
        else:
            ids = list(dict.fromkeys(member_ids))
            for member_id in ids:
                member = session.get(Member, member_id)
                if member is None:
                    raise NotFound(_("Foyer n° {id} introuvable.").format(id=member_id))
                require_point(actor, member.point_id, _("imprimer le relevé de ce foyer"))
        for done, member_id in enumerate(ids):
            report(done, 2 * len(ids), _("Lecture des comptes…"))
            gathered.append((member_id, gather_statement(
                session, actor, member_id=member_id, date_from=start, date_to=end,
                printed_at=moment)))
    if not gathered:
        raise ValidationError(_("Aucun foyer n'a de mouvement ni de solde sur cette période : "
                                "il n'y a pas de relevé à imprimer."), field="member_ids")
    _make_dir(out_dir)
    names: set[str] = set()
    written: list[Path] = []
    results: list[WrittenStatement] = []
    try:
        for done, (member_id, data) in enumerate(gathered):
            report(len(gathered) + done, 2 * len(gathered), data.household)
            name = statement_file_name(data)
            if name in names:
                name = name.removesuffix(".pdf") + f"-{member_id}.pdf"
            names.add(name)
            results.append(_write(data, member_id, out_dir / name, written))
    except BaseException:
        for path in written:
            for leftover in (path, path.with_name(path.name + ".part")):
                leftover.unlink(missing_ok=True)
        raise
    report(2 * len(gathered), 2 * len(gathered), _("Terminé"))
    return results


def write_statement(*, db: Database, actor: Actor, member_id: int, out_dir: Path,
                    date_from: dt.date | None = None, date_to: dt.date | None = None,
                    printed_at: dt.datetime | None = None) -> WrittenStatement:
    """One household's statement, written into `out_dir`."""
    return write_statements(db=db, actor=actor, member_ids=[member_id], date_from=date_from,
                            date_to=date_to, out_dir=out_dir, printed_at=printed_at)[0]


def summary(statements: Sequence[WrittenStatement]) -> str:
    """« 12 relevés écrits : 9 foyers doivent 312,40 € au total. »"""
    from coopfood.i18n import format_money

    owing = [s for s in statements if s.balance > 0]
    text = ngettext("{n} relevé écrit", "{n} relevés écrits", len(statements)).format(
        n=len(statements))
    if owing:
        text += " : " + ngettext("{n} foyer doit {total}", "{n} foyers doivent {total} au total",
                                 len(owing)).format(
            n=len(owing), total=format_money(sum((s.balance for s in owing), Decimal("0.00"))))
    return text + "."


__all__ = [
    "Cancelled",
    "WrittenStatement",
    "gather_statement",
    "households_with_statement",
    "statement_file_name",
    "statement_pdf",
    "summary",
    "write_statement",
    "write_statements",
]
