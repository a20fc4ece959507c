"""Importing households: matched by e-mail, else by name; checked by `checked_member`.

A household is matched by name only when the e-mail cannot tell (the file or
the base has none): two households of the same name with different e-mails are
two households. The "adhésion" column gives the years a fee was paid; a year
not yet recorded is recorded with the amount of "montant adhésion" if the file
has it, else 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.i18n import _
from coopfood.imports import values
from coopfood.imports.columns import Kind
from coopfood.imports.engine import (
    UNCHANGED,
    Change,
    Importer,
    Outcome,
    Row,
    RowRejected,
    filled,
)
from coopfood.imports.producers import changes_of
from coopfood.imports.reader import Cell, normalize_name
from coopfood.persistence.models import DistributionPoint, Member, MembershipFee, Setting
from coopfood.services import PermissionDenied, ValidationError, audit, ledger
from coopfood.services import validation as check
from coopfood.services.access import require_point
from coopfood.services.members import (
    REFERENCE_PREFIX,
    REFERENCE_SETTING,
    MemberInput,
    audited_values,
    checked_member,
    created_entry,
    name_key,
    next_payment_reference,
    record_member_change,
)

_TEXT_COLUMNS = ("last_name", "first_name", "co_member_name", "email", "address", "city")
#: The amount of a fee recorded from a year alone (the co-op keeps no default amount yet).
DEFAULT_FEE_AMOUNT = Decimal("0.00")


def _input_of(m: Member) -> MemberInput:
    return MemberInput(
        last_name=m.last_name,
        first_name=m.first_name,
        co_member_name=m.co_member_name,
        email=m.email or "",
        phone=m.phone,
        address=m.address,
        postal_code=m.postal_code,
        city=m.city,
        point_id=m.point_id,
        partner_id=m.partner_id,
        print_phone=m.print_phone,
        print_email=m.print_email,
        joined_on=m.joined_on,
    )


class MemberImporter(Importer):
    kind: ClassVar[Kind] = "members"

    def preload(self) -> None:
        self.by_email: dict[str, Member] = {}
        self.by_name: dict[str, list[Member]] = {}
        for member in self.session.scalars(select(Member).order_by(Member.id)):
            if member.email:
                self.by_email[member.email.lower()] = member
            self.by_name.setdefault(name_key(member.last_name, member.first_name), []).append(
                member
            )
        self.points: dict[str, DistributionPoint] = {
            normalize_name(p.name): p for p in self.session.scalars(select(DistributionPoint))
        }
        self.fees: dict[int, dict[int, MembershipFee]] = {}
        self._fees_changed: list[Member] = []
        for fee in self.session.scalars(select(MembershipFee)):
            self.fees.setdefault(fee.member_id, {})[fee.year] = fee
        # What the file already gave, → its line: to refuse a household given twice.
        self.seen_emails: dict[str, int] = {}
        self.seen_names: dict[str, int] = {}
        self.seen_records: dict[int, int] = {}
        self._references: list[Member] = []

    def plan(self, row: Row) -> Change:
        overrides: dict[str, Any] = {}
        for key in _TEXT_COLUMNS:
            if row.has(key):
                overrides[key] = row.read(key, values.text)
        parsers: dict[str, Callable[[Cell], Any]] = {
            "phone": values.phone_text,
            "postal_code": lambda c: values.digits_text(c, length=5),
            "joined_on": values.date,
        }
        for key, parse in parsers.items():
            if row.has(key):
                overrides[key] = row.read(key, parse)
        for key in ("print_phone", "print_email"):
            flag = row.read(key, values.boolean) if row.has(key) else None
            if flag is not None:
                overrides[key] = flag
        point_name = row.read("point", values.text) if row.has("point") else None
        years = row.read("fee_years", lambda c: values.years(c, this_year=self.today.year))
        amount_cell = row.read("fee_amount", values.number)
        row.check_cells()

        existing = self._match(
            row,
            overrides.get("last_name") or "",
            overrides.get("first_name") or "",
            overrides.get("email") or "",
        )
        if point_name is not None:
            try:
                overrides["point_id"] = self._point(row, point_name)
            except RowRejected as rejected:
                # Noted, and the rest of the row is still checked: every bad cell is told.
                row.errors[:] = rejected.errors
        base = _input_of(existing) if existing is not None else MemberInput(last_name="")
        data = dataclasses.replace(base, **filled(overrides, existing=existing is not None))
        with self.validating(row, existing=existing is not None, fields={"point_id": "point"}):
            checked = checked_member(data)
        row.check_cells()
        self._check_access(row, existing, data.point_id)
        amount = self._fee_amount(row, amount_cell)
        known = self.fees.get(existing.id, {}) if existing is not None else {}
        new_fees = [y for y in years or () if y not in known]
        corrected = [
            known[y]
            for y in years or ()
            if y in known and amount is not None and known[y].amount != amount
        ]
        fee_amount = amount if amount is not None else DEFAULT_FEE_AMOUNT

        if existing is None:
            return Change(Outcome.CREATED, self._create(checked, new_fees, fee_amount))
        if existing.archived_at is not None:
            self.warn(
                row,
                None,
                _("Le foyer {name} est archivé : il reste archivé.").format(
                    name=existing.display_name
                ),
            )
        changed = changes_of(existing, checked)
        if not (changed or new_fees or corrected):
            return UNCHANGED
        return Change(
            Outcome.UPDATED, self._update(existing, changed, new_fees, fee_amount, corrected)
        )

    def _match(self, row: Row, last_name: str, first_name: str, email: str) -> Member | None:
        """The household of this e-mail, else of this name when no e-mail tells them apart."""
        email_key = email.strip().lower()
        key = name_key(last_name, first_name)
        found = self.by_email.get(email_key) if email_key else None
        if found is None and key:
            same_name = self.by_name.get(key, [])
            candidates = [m for m in same_name if not email_key or not m.email]
            if len(candidates) > 1:
                raise row.reject(
                    "email" if row.has("email") else "last_name",
                    _(
                        "Plusieurs foyers s'appellent {name} : donnez leur e-mail pour dire lequel."
                    ).format(name=candidates[0].display_name),
                )
            found = candidates[0] if candidates else None
            if found is None and same_name:
                self.warn(
                    row,
                    "email",
                    _(
                        "un foyer {name} existe déjà avec une autre adresse e-mail ({email}) : un "
                        "nouveau foyer est créé."
                    ).format(name=same_name[0].display_name, email=same_name[0].email),
                )
        earlier: tuple[int, str] | None = None
        if found is not None and found.id in self.seen_records:
            earlier = (self.seen_records[found.id], "email" if email_key else "last_name")
        elif email_key and email_key in self.seen_emails:
            earlier = (self.seen_emails[email_key], "email")
        elif not email_key and key and key in self.seen_names:
            earlier = (self.seen_names[key], "last_name")
        if earlier is not None:
            line, column = earlier
            message = (
                _("L'adresse e-mail {email} figure déjà ligne {line} du fichier.").format(
                    email=email.strip(), line=line
                )
                if column == "email"
                else _("Ce foyer figure déjà ligne {line} du fichier.").format(line=line)
            )
            raise row.reject(column, message)
        if found is not None:
            self.seen_records[found.id] = row.line
        if email_key:
            self.seen_emails[email_key] = row.line
        if key:
            self.seen_names.setdefault(key, row.line)
        return found

    def _point(self, row: Row, name: str) -> int | None:
        if not name:
            return None
        point = self.points.get(normalize_name(name))
        if point is None:
            known = sorted(p.name for p in self.points.values() if p.archived_at is None)
            raise row.reject(
                "point",
                _("Point de distribution « {name} » inconnu ; points existants : {known}.").format(
                    name=name, known=", ".join(f"« {k} »" for k in known) or _("aucun")
                ),
            )
        if point.archived_at is not None:
            raise row.reject(
                "point",
                _(
                    "Le point de distribution « {name} » est archivé : choisissez-en un autre."
                ).format(name=point.name),
            )
        return point.id

    def _check_access(self, row: Row, existing: Member | None, point_id: int | None) -> None:
        try:
            if existing is not None:
                require_point(self.actor, existing.point_id, _("modifier ce foyer"))
            require_point(self.actor, point_id, _("inscrire un foyer à ce point de distribution"))
        except PermissionDenied as error:
            raise row.reject("point", str(error)) from None

    def _fee_amount(self, row: Row, cell: Decimal | str | None) -> Decimal | None:
        if cell is None:
            return None
        try:
            return check.price(
                cell, field="fee_amount", label=_("Le montant de la cotisation"), allow_zero=True
            )
        except ValidationError as error:
            raise row.reject("fee_amount", str(error)) from None

    def _create(
        self, checked: dict[str, Any], years: list[int], amount: Decimal
    ) -> Callable[[Session], None]:
        def apply(session: Session) -> None:
            member = Member(**checked, payment_reference="")
            member.fees.extend(MembershipFee(year=y, amount=amount) for y in years)
            self._references.append(member)
            self._fees_changed.append(member)
            session.add(member)

        return apply

    def _update(
        self,
        member: Member,
        changed: dict[str, Any],
        years: list[int],
        amount: Decimal,
        corrected: list[MembershipFee],
    ) -> Callable[[Session], None]:
        def apply(session: Session) -> None:
            before = audited_values(member)
            for key, value in changed.items():
                setattr(member, key, value)
            record_member_change(session, self.actor, member, before)
            for fee in corrected:
                fee.amount = amount
            session.add_all(
                MembershipFee(member_id=member.id, year=y, amount=amount) for y in years
            )
            if corrected or years:
                self._fees_changed.append(member)

        return apply

    def finish(self, session: Session) -> None:
        """Give the new households the next payment references, in the order of the file.

        `next_payment_reference` takes the first one (and locks the counter); the others
        follow it, and the counter keeps the last one given. The fees imported or
        corrected go on the households' accounts, as a fee typed in does.
        """
        self._give_references(session)
        session.flush()
        ledger.sync_fees(session, self.actor, [member.id for member in self._fees_changed])

    def _give_references(self, session: Session) -> None:
        if not self._references:
            return
        with session.no_autoflush:
            first = int(next_payment_reference(session).removeprefix(REFERENCE_PREFIX))
        for n, member in enumerate(self._references, start=first):
            member.payment_reference = f"{REFERENCE_PREFIX}{n:04d}"
        counter = session.get(Setting, REFERENCE_SETTING)
        assert counter is not None
        counter.value = str(first + len(self._references) - 1)
        session.flush()
        audit.record_many(session, [created_entry(self.actor, member)
                                    for member in self._references])
