"""Running an import: all or nothing, in one transaction."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from caseflow.accounts.roles import require
from caseflow.catalog.imports.orders import plan_orders
from caseflow.catalog.imports.products import plan_products
from caseflow.catalog.imports.reading import KINDS, ImportInvalid, Row, RowError, decode, read_rows
from caseflow.catalog.imports.units import plan_registrations, plan_units
from caseflow.catalog.imports.values import Step
from caseflow.core.errors import DomainError


@dataclass
class ImportResult:
    kind: str
    imported: int
    dry_run: bool
    rows: int


class _Rollback(Exception):
    """Control flow: roll the import back (errors or dry run); never leaves this module."""


PLANS: dict[str, Callable[[list[Row], list[RowError]], list[Step]]] = {
    "products": plan_products,
    "units": plan_units,
    "registrations": plan_registrations,
    "orders": plan_orders,
}
CAPABILITIES: dict[str, tuple[str, ...]] = {
    "products": ("catalog.manage",),
    "units": ("unit.create",),
    "registrations": ("registration.create", "unit.create"),
    "orders": ("order.manage", "unit.create"),
}
_LINE_FIELD = re.compile(r"^lines\[(\d+)\]\.(\w+)")


def _where(step: Step, exc: DomainError) -> RowError:
    """The line and column a service's complaint is about."""
    line, name = step.lines[0], exc.field
    if name:
        match = _LINE_FIELD.match(name)
        if match:
            index = int(match[1])
            line = step.lines[index] if index < len(step.lines) else line
            name = match[2]
        name = re.sub(r"\[\d+\]$", "", name)
        name = step.field_map.get(name, name)
        name = {"unit_id": "serial", "product_id": "sku"}.get(name, name)
    return RowError(line, name, exc.message)


def run_import(
    *, kind: str, data: bytes, actor: Any, channel: str, dry_run: bool = False
) -> ImportResult:
    """Import `data` (CSV bytes) of `kind`: everything, or nothing and ImportInvalid."""
    if kind not in KINDS:
        raise DomainError(
            _("Unknown import kind %(kind)s; use one of %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(KINDS)},
            field="kind",
        )
    for capability in CAPABILITIES[kind]:
        require(actor, capability)
    text = decode(data)
    rows, errors = read_rows(text, KINDS[kind])
    if errors and not rows:
        raise ImportInvalid(_("The file cannot be imported."), errors=errors)
    steps = PLANS[kind](rows, errors)
    done = 0
    try:
        with transaction.atomic():
            for step in steps:
                try:
                    with transaction.atomic():
                        step.call(actor=actor, channel=channel, **step.kwargs)
                    done += 1
                except DomainError as exc:
                    errors.append(_where(step, exc))
            if errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if errors:
        errors.sort(key=lambda e: e.line or 0)
        raise ImportInvalid(
            _("%(n)s problem(s) found; nothing was imported.") % {"n": len(errors)},
            errors=errors,
        )
    return ImportResult(kind=kind, imported=done, dry_run=dry_run, rows=len(rows))
