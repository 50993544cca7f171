"""Service contracts: cover for units beyond (or instead of) the warranty."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.catalog.models import ContractLevel, ServiceContract, Unit
from caseflow.catalog.services.rules import check_choice, check_live_customer
from caseflow.core.audit import audit, snapshot
from caseflow.core.editing import Edit, archive, lock
from caseflow.core.errors import DomainError
from caseflow.core.numbering import next_number
from caseflow.core.validation import validate
from caseflow.customers.models import Customer

CONTRACT_FIELDS = ("customer", "level", "starts_on", "ends_on")


def _check_contract_dates(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise DomainError(_("A contract cannot end before it starts."), field="ends_on")


@transaction.atomic
def create_service_contract(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    units: Sequence[Unit],
    level: str,
    starts_on: date,
    ends_on: date,
) -> ServiceContract:
    """Sign a service contract: it covers `units` from `starts_on` to `ends_on`."""
    require(actor, "contract.manage")
    check_live_customer(customer, field="customer_id")
    check_choice(level, ContractLevel.values, field="level")
    _check_contract_dates(starts_on, ends_on)
    contract = ServiceContract(customer=customer, level=level, starts_on=starts_on, ends_on=ends_on)
    contract.number = next_number("contract", prefix="SC", width=5)
    validate(contract, exclude=("customer",))
    contract.save()
    unit_ids = sorted({unit.pk for unit in units})
    contract.units.set(unit_ids)
    audit(
        actor=actor,
        channel=channel,
        action="catalog.contract_created",
        target=contract,
        new_chain=True,
        after={"number": contract.number, **snapshot(contract, CONTRACT_FIELDS), "units": unit_ids},
    )
    return contract


@transaction.atomic
def update_service_contract(
    *,
    actor: User | None,
    channel: str,
    contract: ServiceContract,
    version: int,
    level: str | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    units: Sequence[Unit] | None = None,
) -> ServiceContract:
    """Change a contract's level, dates or units, unless someone else changed it since."""
    require(actor, "contract.manage")
    locked = lock(contract, version=version, label=lambda row: row.number)
    if locked.archived_at is not None:
        raise DomainError(_("This contract is archived."), field="contract_id", code="archived")
    edit = Edit(locked, CONTRACT_FIELDS)
    if level is not None:
        check_choice(level, ContractLevel.values, field="level")
        locked.level = level
    locked.starts_on = starts_on or locked.starts_on
    locked.ends_on = ends_on or locked.ends_on
    _check_contract_dates(locked.starts_on, locked.ends_on)
    changed = edit.diff()
    old_units = sorted(locked.units.values_list("pk", flat=True))
    new_units = sorted({unit.pk for unit in units}) if units is not None else old_units
    if not changed and new_units == old_units:
        return locked
    units_changed = new_units != old_units
    if units_changed:
        locked.units.set(new_units)
    edit.save(
        actor=actor,
        channel=channel,
        action="catalog.contract_updated",
        exclude=("customer",),
        extra={"units": (old_units, new_units)} if units_changed else None,
    )
    return locked


@transaction.atomic
def archive_service_contract(
    *, actor: User | None, channel: str, contract: ServiceContract
) -> ServiceContract:
    """Cancel a contract: it no longer covers its units."""
    require(actor, "contract.manage")
    locked, _changed = archive(
        contract, actor=actor, channel=channel, action="catalog.contract_archived"
    )
    return locked
