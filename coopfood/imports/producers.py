"""Importing producers: matched by SIRET, else by name; checked by `checked_producer`."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from coopfood.i18n import _
from coopfood.imports import values
from coopfood.imports.columns import Kind
from coopfood.imports.engine import UNCHANGED, Change, Importer, Outcome, Row, filled
from coopfood.imports.reader import Cell, normalize_name
from coopfood.persistence.models import Producer
from coopfood.services.producers import ProducerInput, checked_producer, suggest_invoice_prefix

_TEXT_COLUMNS = (
    "name",
    "legal_form",
    "vat_number",
    "iban",
    "bic",
    "address",
    "city",
    "email",
    "contact_name",
)


def _siret_key(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def _input_of(p: Producer) -> ProducerInput:
    return ProducerInput(
        name=p.name,
        vat_regime=p.vat_regime,
        legal_form=p.legal_form,
        siret=p.siret or "",
        vat_number=p.vat_number or "",
        iban=p.iban or "",
        bic=p.bic or "",
        address=p.address,
        postal_code=p.postal_code,
        city=p.city,
        email=p.email,
        phone=p.phone,
        contact_name=p.contact_name,
        billing_mandate_date=p.billing_mandate_date,
        invoice_buyer=p.invoice_buyer,
        invoice_prefix=p.invoice_prefix,
    )


def changes_of(record: object, checked: dict[str, Any]) -> dict[str, Any]:
    """The columns whose checked value differs from what the record holds."""
    return {key: value for key, value in checked.items() if getattr(record, key) != value}


def update(record: object, changed: dict[str, Any]) -> Callable[[Session], None]:
    def apply(session: Session) -> None:
        for key, value in changed.items():
            setattr(record, key, value)

    return apply


class ProducerImporter(Importer):
    kind: ClassVar[Kind] = "producers"

    def preload(self) -> None:
        self.by_siret: dict[str, Producer] = {}
        self.by_name: dict[str, list[Producer]] = {}
        self.prefixes: set[str] = set()
        for producer in self.session.scalars(select(Producer).order_by(Producer.id)):
            if producer.siret:
                self.by_siret[producer.siret] = producer
            self.by_name.setdefault(normalize_name(producer.name), []).append(producer)
            self.prefixes.add(producer.invoice_prefix)
        # What the file already gave, → its line: to refuse a producer given twice.
        self.seen_records: dict[int, int] = {}
        self.seen_sirets: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.names_without_siret: dict[str, int] = {}

    def plan(self, row: Row) -> Change:
        overrides: dict[str, Any] = {}
        for key in _TEXT_COLUMNS:
            if row.has(key):
                overrides[key] = row.read(key, values.text)
        parsers: dict[str, Callable[[Cell], Any]] = {
            "siret": lambda c: values.digits_text(c, length=14),
            "postal_code": lambda c: values.digits_text(c, length=5),
            "phone": values.phone_text,
            "billing_mandate_date": values.date,
        }
        for key, parse in parsers.items():
            if row.has(key):
                overrides[key] = row.read(key, parse)
        regime = row.read("vat_regime", values.vat_regime) if row.has("vat_regime") else None
        prefix = row.read("invoice_prefix", values.text) if row.has("invoice_prefix") else ""
        row.check_cells()

        existing = self._match(row, overrides.get("name") or "", overrides.get("siret") or "")
        if existing is not None:
            base = _input_of(existing)
        elif regime is not None:
            base = ProducerInput(name="", vat_regime=regime)
        else:
            raise row.reject(
                "vat_regime",
                _(
                    "Le régime de TVA d'un nouveau producteur est obligatoire : normal, franchise "
                    "ou forfait."
                ),
            )
        if regime is not None:
            overrides["vat_regime"] = regime
        overrides["invoice_prefix"] = (prefix or "").upper() or base.invoice_prefix
        data = dataclasses.replace(base, **filled(overrides, existing=existing is not None))
        if not data.invoice_prefix:
            data = dataclasses.replace(data, invoice_prefix=self._free_prefix(data.name))
        with self.validating(row, existing=existing is not None):
            checked = checked_producer(data)
        new_prefix = checked["invoice_prefix"]
        if (existing is None or new_prefix != existing.invoice_prefix) and (
            new_prefix in self.prefixes
        ):
            raise row.reject(
                "invoice_prefix",
                _(
                    "Le préfixe de facturation {value} est déjà pris par un autre producteur."
                ).format(value=new_prefix),
            )
        assert isinstance(new_prefix, str)
        self.prefixes.add(new_prefix)

        if existing is None:
            return Change(Outcome.CREATED, lambda session: session.add(Producer(**checked)))
        if existing.archived_at is not None:
            self.warn(
                row,
                None,
                _("« {name} » est archivé : il reste archivé.").format(name=existing.name),
            )
        changed = changes_of(existing, checked)
        if not changed:
            return UNCHANGED
        return Change(Outcome.UPDATED, update(existing, changed))

    def _match(self, row: Row, name: str, siret: str) -> Producer | None:
        """The producer of this SIRET, else of this name (one without another SIRET)."""
        siret = _siret_key(siret)
        name_key = normalize_name(name)
        found = self.by_siret.get(siret) if siret else None
        if found is None and name_key:
            candidates = [p for p in self.by_name.get(name_key, []) if not siret or not p.siret]
            if len(candidates) > 1:
                raise row.reject(
                    "name",
                    _(
                        "Plusieurs producteurs s'appellent « {name} » : ajoutez leur SIRET pour "
                        "dire lequel."
                    ).format(name=name),
                )
            found = candidates[0] if candidates else None
        self._register(row, found, siret, name_key)
        return found

    def _register(self, row: Row, found: Producer | None, siret: str, name_key: str) -> None:
        """Refuse a producer the file already gave; remember this one."""
        earlier: tuple[int, str] | None = None
        if found is not None and found.id in self.seen_records:
            earlier = (self.seen_records[found.id], "siret" if siret else "name")
        elif siret and siret in self.seen_sirets:
            earlier = (self.seen_sirets[siret], "siret")
        elif name_key and name_key in (self.names_without_siret if siret else self.names):
            lines = self.names_without_siret if siret else self.names
            earlier = (lines[name_key], "name")
        if earlier is not None:
            raise row.reject(
                earlier[1],
                _("Ce producteur figure déjà ligne {line} du fichier.").format(line=earlier[0]),
            )
        if found is not None:
            self.seen_records[found.id] = row.line
        if siret:
            self.seen_sirets[siret] = row.line
        elif name_key:
            self.names_without_siret.setdefault(name_key, row.line)
        if name_key:
            self.names.setdefault(name_key, row.line)

    def _free_prefix(self, name: str) -> str:
        """The suggested invoice prefix, made unique with a number if it is taken."""
        prefix = suggest_invoice_prefix(name)
        candidate, n = prefix, 1
        while candidate in self.prefixes:
            n += 1
            candidate = f"{prefix}{n}"
        return candidate
