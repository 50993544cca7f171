"""Service contracts: `/contracts`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from caseflow.catalog import selectors, services
from caseflow.catalog.api.common import CustomerRefOut, PageQuery, page_of
from caseflow.catalog.models import ServiceContract, Unit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers.api import ref
from caseflow.customers.models import Customer

router = Router()


LevelIn = Literal["basic", "standard", "premium"]


class ContractOut(Schema):
    id: int
    number: str
    customer: CustomerRefOut
    level: str
    starts_on: date
    ends_on: date
    unit_ids: list[Id]
    archived_at: datetime | None
    version: int

    @staticmethod
    def resolve_unit_ids(obj: ServiceContract) -> list[int]:
        return sorted(unit.pk for unit in obj.units.all())


class ContractPageOut(Schema):
    items: list[ContractOut]
    next_cursor: str | None


class ContractIn(Schema):
    customer_id: Id
    unit_ids: list[Id] = Field(default_factory=list, max_length=1000)
    level: LevelIn
    starts_on: date
    ends_on: date


class ContractPatch(Schema):
    version: int
    unit_ids: list[Id] | None = Field(None, max_length=1000)
    level: LevelIn | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class ContractFilters(PageQuery):
    customer_id: Id | None = None
    unit_id: Id | None = None
    include_archived: bool = False


def _units(ids: list[int], field: str = "unit_ids") -> list[Unit]:
    wanted = set(ids)
    units = list(Unit.objects.filter(pk__in=wanted))
    missing = sorted(wanted - {unit.pk for unit in units})
    if missing:
        raise DomainError(
            _("There is no unit with id %(id)s.") % {"id": missing[0]},
            field=f"{field}[{ids.index(missing[0])}]",
            code="unknown_reference",
        )
    return units


def _contract(request: HttpRequest, contract_id: Id) -> ServiceContract:
    return (
        selectors.contract_list(viewer=request.user, include_archived=True)
        .filter(pk=contract_id)
        .get()
    )


@router.get("/contracts", response={200: ContractPageOut, **ERRORS})
def list_contracts(request: HttpRequest, filters: Query[ContractFilters]) -> Any:
    contracts = selectors.contract_list(
        viewer=request.user,
        customer=filters.customer_id,
        unit=filters.unit_id,
        include_archived=filters.include_archived,
    )
    return page_of(contracts, ("-ends_on", "-id"), filters.cursor, filters.limit)


@router.post("/contracts", response={201: ContractOut, **WRITE_ERRORS})
def create_contract(request: HttpRequest, payload: ContractIn) -> Any:
    contract = services.create_service_contract(
        actor=request.user,
        channel=Channel.API,
        customer=ref(Customer, payload.customer_id, "customer_id"),
        units=_units(payload.unit_ids),
        level=payload.level,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
    )
    return Status(201, _contract(request, contract.pk))


@router.get("/contracts/{contract_id}", response={200: ContractOut, **ERRORS})
def get_contract(request: HttpRequest, contract_id: Id) -> Any:
    return _contract(request, contract_id)


@router.patch("/contracts/{contract_id}", response={200: ContractOut, **WRITE_ERRORS})
def update_contract(request: HttpRequest, contract_id: Id, payload: ContractPatch) -> Any:
    """Change level, dates or units; send the `version` you read (409 when stale)."""
    contract = _contract(request, contract_id)
    services.update_service_contract(
        actor=request.user,
        channel=Channel.API,
        contract=contract,
        version=payload.version,
        level=payload.level,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        units=_units(payload.unit_ids) if payload.unit_ids is not None else None,
    )
    return _contract(request, contract_id)


@router.post("/contracts/{contract_id}/archive", response={200: ContractOut, **WRITE_ERRORS})
def archive_contract(request: HttpRequest, contract_id: Id) -> Any:
    contract = _contract(request, contract_id)
    services.archive_service_contract(actor=request.user, channel=Channel.API, contract=contract)
    return _contract(request, contract_id)
