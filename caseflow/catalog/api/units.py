"""Units and their registrations: `/units`, `/registrations`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from caseflow.catalog import selectors, services
from caseflow.catalog.api.common import CustomerRefOut, PageQuery, ProductRefOut, page_of
from caseflow.catalog.models import Product, Registration, Unit
from caseflow.core.models import Channel
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers.api import ref
from caseflow.customers.models import Customer

router = Router()


RegistrationChannelIn = Literal["card", "phone", "web", "dealer", "import"]


class RegistrationOut(Schema):
    id: int
    unit_id: Id
    customer: CustomerRefOut
    dealer: CustomerRefOut | None
    purchased_on: date
    registered_on: date
    warranty_ends_on: date
    channel: str
    ended_at: datetime | None


class RegistrationListOut(RegistrationOut):
    serial: str
    product: ProductRefOut

    @staticmethod
    def resolve_serial(obj: Registration) -> str:
        return obj.unit.serial

    @staticmethod
    def resolve_product(obj: Registration) -> Product:
        return obj.unit.product


class RegistrationPageOut(Schema):
    items: list[RegistrationListOut]
    next_cursor: str | None


class UnitOut(Schema):
    id: int
    serial: str
    product: ProductRefOut
    manufactured_on: date | None
    archived_at: datetime | None
    registration: RegistrationOut | None

    @staticmethod
    def resolve_registration(obj: Unit | dict[str, Any]) -> Registration | None:
        if isinstance(obj, dict):
            return obj["registration"]
        active = getattr(obj, "active_registrations", None)
        if active is None:
            return selectors.active_registration(obj)
        return active[0] if active else None


class UnitPageOut(Schema):
    items: list[UnitOut]
    next_cursor: str | None


class WarrantyOut(Schema):
    on: date
    in_warranty: bool
    warranty_ends_on: date | None
    under_contract: bool
    contract_id: int | None
    contract_number: str | None
    contract_level: str | None
    contract_ends_on: date | None
    covered: bool


class UnitDetailOut(UnitOut):
    notes: str
    warranty: WarrantyOut


class UnitIn(Schema):
    product_id: Id
    serial: str = Field(min_length=1, max_length=64)
    manufactured_on: date | None = None
    notes: str = Field("", max_length=5000)


class UnitFilters(PageQuery):
    serial: str = Field("", max_length=64)
    product_id: Id | None = None


class RegistrationIn(Schema):
    unit_id: Id | None = Field(None, description="the unit; or give product_id and serial")
    product_id: Id | None = None
    serial: str = Field("", max_length=64)
    customer_id: Id
    dealer_id: Id | None = None
    purchased_on: date
    registered_on: date | None = None
    channel: RegistrationChannelIn = "phone"


class RegistrationFilters(PageQuery):
    customer_id: Id | None = None
    unit_id: Id | None = None
    active_only: bool = False


@router.get("/units", response={200: UnitPageOut, **ERRORS})
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    """Units by serial number (exact: several products may share one), with registration."""
    units = selectors.unit_list(
        viewer=request.user, serial=filters.serial, product=filters.product_id
    )
    return page_of(units, ("serial", "id"), filters.cursor, filters.limit)


@router.post("/units", response={201: UnitDetailOut, **WRITE_ERRORS})
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    product = ref(Product, payload.product_id, "product_id")
    unit = services.create_unit(
        actor=request.user,
        channel=Channel.API,
        product=product,
        serial=payload.serial,
        manufactured_on=payload.manufactured_on,
        notes=payload.notes,
    )
    return Status(201, _unit_detail(request, unit.pk))


def _unit_detail(request: HttpRequest, unit_id: Id) -> dict[str, Any]:
    detail = selectors.unit_detail(viewer=request.user, unit_id=unit_id)
    unit, warranty = detail.unit, detail.warranty
    contract = warranty.contract
    return {
        "id": unit.pk,
        "serial": unit.serial,
        "product": unit.product,
        "manufactured_on": unit.manufactured_on,
        "archived_at": unit.archived_at,
        "notes": unit.notes,
        "registration": warranty.registration,
        "warranty": {
            "on": warranty.on,
            "in_warranty": warranty.in_warranty,
            "warranty_ends_on": warranty.warranty_ends_on,
            "under_contract": warranty.under_contract,
            "contract_id": contract.pk if contract else None,
            "contract_number": contract.number if contract else None,
            "contract_level": contract.level if contract else None,
            "contract_ends_on": contract.ends_on if contract else None,
            "covered": warranty.covered,
        },
    }


@router.get("/units/{unit_id}", response={200: UnitDetailOut, **ERRORS})
def get_unit(request: HttpRequest, unit_id: Id) -> Any:
    """A unit with its active registration and today's warranty and contract cover."""
    return _unit_detail(request, unit_id)


@router.get("/registrations", response={200: RegistrationPageOut, **ERRORS})
def list_registrations(request: HttpRequest, filters: Query[RegistrationFilters]) -> Any:
    registrations = selectors.registration_list(
        viewer=request.user,
        customer=filters.customer_id,
        unit=filters.unit_id,
        active_only=filters.active_only,
    )
    return page_of(registrations, ("-registered_on", "-id"), filters.cursor, filters.limit)


@router.post("/registrations", response={201: RegistrationListOut, **WRITE_ERRORS})
def register_unit(request: HttpRequest, payload: RegistrationIn) -> Any:
    """Register a unit to its end customer; the warranty end follows from the product."""
    registration = services.register_unit(
        actor=request.user,
        channel=Channel.API,
        unit=ref(Unit, payload.unit_id, "unit_id"),
        product=ref(Product, payload.product_id, "product_id"),
        serial=payload.serial,
        customer=ref(Customer, payload.customer_id, "customer_id"),
        dealer=ref(Customer, payload.dealer_id, "dealer_id"),
        purchased_on=payload.purchased_on,
        registered_on=payload.registered_on,
        channel_of_registration=payload.channel,
    )
    return Status(
        201,
        Registration.objects.select_related("unit__product", "customer", "dealer").get(
            pk=registration.pk
        ),
    )
