"""Catalogue API: products, units, registrations, contracts, orders and CSV imports."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from caseflow.accounts.roles import require
from caseflow.catalog import selectors, services
from caseflow.catalog.imports import ImportInvalid, run_import
from caseflow.catalog.models import (
    Product,
    ProductType,
    Registration,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
)
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.pagination import keyset_page
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, ErrorOut, Id
from caseflow.customers.api import ref
from caseflow.customers.models import Customer

router = Router(tags=["catalog"])


ProductKindIn = Literal["device", "spare_part", "consumable", "labour"]
LevelIn = Literal["basic", "standard", "premium"]
RegistrationChannelIn = Literal["card", "phone", "web", "dealer", "import"]
ImportKind = Literal["products", "units", "registrations", "orders"]


def _page(queryset: Any, ordering: tuple[str, ...], cursor: str | None, limit: int) -> Any:
    page = keyset_page(queryset, ordering=ordering, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


class PageQuery(Schema):
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


# --- schemas --------------------------------------------------------------------------------


class ProductTypeOut(Schema):
    id: int
    code: str
    name: str


class ProductTypeIn(Schema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    kind: str
    product_type: ProductTypeOut | None
    is_serialised: bool
    warranty_months: int
    price: Decimal
    cost: Decimal
    tax_rate: Decimal
    currency: str
    archived_at: datetime | None
    version: int


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None


class ProductIn(Schema):
    sku: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    kind: ProductKindIn
    product_type_id: Id | None = None
    is_serialised: bool = False
    warranty_months: int = Field(0, ge=0, le=600)
    price: Decimal = Field(Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    cost: Decimal = Field(Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    tax_rate: Decimal = Field(Decimal("19.00"), ge=0, le=100, max_digits=5, decimal_places=2)
    currency: str = Field("", max_length=3)


class ProductPatch(Schema):
    version: int = Field(description="the version you read; a stale one answers 409")
    sku: str | None = Field(None, min_length=1, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: ProductKindIn | None = None
    product_type_id: Id | None = None
    is_serialised: bool | None = None
    warranty_months: int | None = Field(None, ge=0, le=600)
    price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    cost: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    tax_rate: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)


class ProductFilters(PageQuery):
    q: str = Field("", max_length=200, description="article number or part of the name")
    kind: ProductKindIn | None = None
    product_type_id: Id | None = None
    is_serialised: bool | None = None
    include_archived: bool = False


class ProductRefOut(Schema):
    id: int
    sku: str
    name: str


class CustomerRefOut(Schema):
    id: int
    number: str
    name: str


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


class OrderLineOut(Schema):
    position: int
    product: ProductRefOut
    quantity: Decimal
    unit_price: Decimal
    serials: list[str]

    @staticmethod
    def resolve_serials(obj: SalesOrderLine) -> list[str]:
        return sorted(unit.serial for unit in obj.units.all())


class OrderOut(Schema):
    id: int
    number: str
    customer: CustomerRefOut
    dealer: CustomerRefOut | None
    ordered_on: date
    created_at: datetime
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: SalesOrder) -> list[SalesOrderLine]:
        return sorted(obj.lines.all(), key=lambda line: line.position)


class OrderPageOut(Schema):
    items: list[OrderOut]
    next_cursor: str | None


class OrderLineIn(Schema):
    product_id: Id
    quantity: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    unit_price: Decimal = Field(Decimal("0.00"), ge=0, max_digits=12, decimal_places=2)
    serials: list[str] = Field(default_factory=list, max_length=10000)


class OrderIn(Schema):
    number: str = Field(min_length=1, max_length=30)
    customer_id: Id
    dealer_id: Id | None = None
    ordered_on: date
    lines: list[OrderLineIn] = Field(min_length=1, max_length=1000)


class OrderFilters(PageQuery):
    customer_id: Id | None = None
    number: str = Field("", max_length=30)


class ImportedOut(Schema):
    kind: str
    imported: int
    dry_run: bool


class ImportErrorItem(Schema):
    line: int | None = None
    field: str | None = None
    message: str


class ImportErrorOut(ErrorOut):
    errors: list[ImportErrorItem] = Field(default_factory=list)


# --- product types and products -------------------------------------------------------------


@router.get("/product-types", response={200: list[ProductTypeOut], **ERRORS})
def list_product_types(request: HttpRequest) -> Any:
    return list(selectors.product_types(viewer=request.user))


@router.post("/product-types", response={201: ProductTypeOut, **WRITE_ERRORS})
def create_product_type(request: HttpRequest, payload: ProductTypeIn) -> Any:
    product_type = services.create_product_type(
        actor=request.user, channel=Channel.API, code=payload.code, name=payload.name
    )
    return Status(201, product_type)


@router.get("/products", response={200: ProductPageOut, **ERRORS})
def list_products(request: HttpRequest, filters: Query[ProductFilters]) -> Any:
    """The catalogue by article number; keyset-paginated with `cursor`."""
    products = selectors.product_list(
        viewer=request.user,
        q=filters.q,
        kind=filters.kind or "",
        product_type=filters.product_type_id,
        is_serialised=filters.is_serialised,
        include_archived=filters.include_archived,
    )
    return _page(products, ("sku", "id"), filters.cursor, filters.limit)


@router.post("/products", response={201: ProductOut, **WRITE_ERRORS})
def create_product(request: HttpRequest, payload: ProductIn) -> Any:
    data = payload.dict()
    data["product_type"] = ref(ProductType, data.pop("product_type_id"), "product_type_id")
    product = services.create_product(actor=request.user, channel=Channel.API, **data)
    return Status(201, product)


@router.get("/products/{product_id}", response={200: ProductOut, **ERRORS})
def get_product(request: HttpRequest, product_id: Id) -> Any:
    return (
        selectors.catalog_visible_to(request.user).select_related("product_type").get(pk=product_id)
    )


@router.patch("/products/{product_id}", response={200: ProductOut, **WRITE_ERRORS})
def update_product(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Any:
    """Change a product; send the `version` you read (409 when someone was faster)."""
    product = selectors.catalog_visible_to(request.user).get(pk=product_id)
    data = payload.dict(exclude_unset=True, exclude={"version"})
    if "product_type_id" in data:
        data["product_type"] = ref(ProductType, data.pop("product_type_id"), "product_type_id")
    for name, value in data.items():
        if value is None and name != "product_type":
            raise DomainError(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    return services.update_product(
        actor=request.user, channel=Channel.API, product=product, version=payload.version, **data
    )


# --- units ----------------------------------------------------------------------------------


@router.get("/units", response={200: UnitPageOut, **ERRORS})
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> Any:
    """Units by serial number (exact: several products may share one), with registration."""
    units = selectors.unit_list(
        viewer=request.user, serial=filters.serial, product=filters.product_id
    )
    return _page(units, ("serial", "id"), filters.cursor, filters.limit)


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


# --- registrations --------------------------------------------------------------------------


@router.get("/registrations", response={200: RegistrationPageOut, **ERRORS})
def list_registrations(request: HttpRequest, filters: Query[RegistrationFilters]) -> Any:
    registrations = selectors.registration_list(
        viewer=request.user,
        customer=filters.customer_id,
        unit=filters.unit_id,
        active_only=filters.active_only,
    )
    return _page(registrations, ("-registered_on", "-id"), filters.cursor, filters.limit)


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


# --- contracts ------------------------------------------------------------------------------


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
    return _page(contracts, ("-ends_on", "-id"), filters.cursor, filters.limit)


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


# --- sales orders ---------------------------------------------------------------------------


@router.get("/orders", response={200: OrderPageOut, **ERRORS})
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """Sales orders, newest first; `number` finds one by its ERP number."""
    orders = selectors.order_list(
        viewer=request.user, customer=filters.customer_id, number=filters.number
    )
    return _page(orders, ("-ordered_on", "-id"), filters.cursor, filters.limit)


@router.post("/orders", response={201: OrderOut, **WRITE_ERRORS})
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    products = {
        p.pk: p for p in Product.objects.filter(pk__in={li.product_id for li in payload.lines})
    }
    lines = []
    for index, line in enumerate(payload.lines):
        product = products.get(line.product_id)
        if product is None:
            raise DomainError(
                _("There is no product with id %(id)s.") % {"id": line.product_id},
                field=f"lines[{index}].product_id",
                code="unknown_reference",
            )
        lines.append(
            services.OrderLineIn(
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price,
                serials=line.serials,
            )
        )
    order = services.create_sales_order(
        actor=request.user,
        channel=Channel.API,
        number=payload.number,
        customer=ref(Customer, payload.customer_id, "customer_id"),
        dealer=ref(Customer, payload.dealer_id, "dealer_id"),
        ordered_on=payload.ordered_on,
        lines=lines,
    )
    return Status(201, selectors.order_list(viewer=request.user).get(pk=order.pk))


@router.get("/orders/{order_id}", response={200: OrderOut, **ERRORS})
def get_order(request: HttpRequest, order_id: Id) -> Any:
    return selectors.order_list(viewer=request.user).get(pk=order_id)


# --- CSV imports ----------------------------------------------------------------------------


@router.post(
    "/imports/{kind}",
    response={**ERRORS, 200: ImportedOut, 422: ImportErrorOut},
)
def import_csv(
    request: HttpRequest,
    kind: ImportKind,
    file: File[UploadedFile],
    dry_run: bool = False,
) -> Any:
    """Import a CSV file (see docs/imports.md): every row is checked first; one bad row
    imports nothing and answers 422 with every problem by line."""
    require(request.user, "import.run")
    if file.size is not None and file.size > settings.IMPORT_MAX_BYTES:
        raise ImportInvalid(
            _("The file is larger than %(limit)s bytes.") % {"limit": settings.IMPORT_MAX_BYTES},
            errors=[],
            code="import_too_large",
        )
    data = file.read(settings.IMPORT_MAX_BYTES + 1)
    result = run_import(
        kind=kind, data=data, actor=request.user, channel=Channel.IMPORT, dry_run=dry_run
    )
    return {"kind": kind, "imported": result.imported, "dry_run": dry_run}
