"""Read-side queries for products, units, registrations and contracts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Upper
from django.utils import timezone

from caseflow.accounts.roles import require
from caseflow.catalog.models import (
    Product,
    ProductType,
    Registration,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
)
from caseflow.customers.models import Customer


@dataclass(frozen=True)
class WarrantyStatus:
    """What covers a unit on a given day: its registration's warranty and/or a contract."""

    on: date
    registration: Registration | None
    warranty_ends_on: date | None
    contract: ServiceContract | None

    @property
    def in_warranty(self) -> bool:
        return self.warranty_ends_on is not None and self.on <= self.warranty_ends_on

    @property
    def under_contract(self) -> bool:
        return self.contract is not None

    @property
    def covered(self) -> bool:
        return self.in_warranty or self.under_contract


def active_registration(unit: Unit) -> Registration | None:
    return (
        Registration.objects.filter(unit=unit, ended_at__isnull=True)
        .select_related("customer", "dealer")
        .first()
    )


def covering_contract(unit: Unit, on: date) -> ServiceContract | None:
    """The live contract covering `unit` on `on` that ends last, if any."""
    return (
        ServiceContract.objects.filter(
            units=unit, starts_on__lte=on, ends_on__gte=on, archived_at__isnull=True
        )
        .order_by("-ends_on", "-id")
        .first()
    )


def warranty_status(unit: Unit, on: date) -> WarrantyStatus:
    """The unit's warranty and contract cover on day `on` (2 queries)."""
    registration = active_registration(unit)
    return WarrantyStatus(
        on=on,
        registration=registration,
        warranty_ends_on=registration.warranty_ends_on if registration else None,
        contract=covering_contract(unit, on),
    )


# Whether a unit is covered on a day (`warranty_status(...).covered` without reading the
# rows): its active registration's warranty, or a live service contract naming it. One
# statement through the registrations' unit index and the contracts' unit index; opening a
# case asks it every time a unit is named.
COVERED = """
SELECT EXISTS (
    SELECT 1 FROM catalog_registration
    WHERE unit_id = %s AND ended_at IS NULL AND warranty_ends_on >= %s
) OR EXISTS (
    SELECT 1 FROM catalog_servicecontract_units cu
    JOIN catalog_servicecontract c ON c.id = cu.servicecontract_id
    WHERE cu.unit_id = %s AND c.archived_at IS NULL AND c.starts_on <= %s AND c.ends_on >= %s
)
"""


def is_covered(unit: Unit, on: date) -> bool:
    """The unit is in warranty or under a live service contract on day `on` (1 query)."""
    with connection.cursor() as cursor:
        cursor.execute(COVERED, [unit.pk, on, unit.pk, on, on])
        return bool(cursor.fetchone()[0])


# --- lists and lookups ----------------------------------------------------------------------


def catalog_visible_to(viewer: Any) -> QuerySet[Product]:
    """Every product `viewer` may see (everyone with catalog.view). Product reads start here."""
    require(viewer, "catalog.view")
    return Product.objects.all()


def units_visible_to(viewer: Any) -> QuerySet[Unit]:
    """Every unit `viewer` may see. Unit reads start here."""
    require(viewer, "catalog.view")
    return Unit.objects.all()


def orders_visible_to(viewer: Any) -> QuerySet[SalesOrder]:
    """Every sales order `viewer` may see (order.view)."""
    require(viewer, "order.view")
    return SalesOrder.objects.all()


def product_types(*, viewer: Any) -> QuerySet[ProductType]:
    require(viewer, "catalog.view")
    return ProductType.objects.order_by("name", "id")


def product_list(
    *,
    viewer: Any,
    q: str = "",
    kind: str = "",
    product_type: ProductType | int | None = None,
    is_serialised: bool | None = None,
    include_archived: bool = False,
) -> QuerySet[Product]:
    """The catalogue by article number, searched by article number or name."""
    products = catalog_visible_to(viewer).select_related("product_type")
    if not include_archived:
        products = products.filter(archived_at__isnull=True)
    if kind:
        products = products.filter(kind=kind)
    if product_type is not None:
        products = products.filter(product_type=product_type)
    if is_serialised is not None:
        products = products.filter(is_serialised=is_serialised)
    q = (q or "").strip()
    if q:
        products = products.filter(Q(sku=q) | Q(name__icontains=q))
    return products.order_by("sku", "id")


def serial_key(serial: str) -> str:
    """A serial number as the index compares it: trimmed, in upper case (people read labels
    in any case; `catalog_unit_serial_upper_idx` is on UPPER(serial))."""
    return (serial or "").strip().upper()


def units_with_serial(units: QuerySet[Unit], serial: str) -> QuerySet[Unit]:
    """`units` restricted to this serial number in any letter case (indexed equality)."""
    return units.alias(serial_upper=Upper("serial")).filter(serial_upper=serial_key(serial))


def unit_by_serial(serial: str) -> QuerySet[Unit]:
    """Units with this serial number, in any letter case: one per product at most, but
    products may share serial formats, so this can be several (indexed equality)."""
    if not serial_key(serial):
        return Unit.objects.none()
    return (
        units_with_serial(Unit.objects.all(), serial)
        .select_related("product")
        .order_by("serial", "id")
    )


def unit_list(
    *, viewer: Any, serial: str = "", product: Product | int | None = None
) -> QuerySet[Unit]:
    """Units by serial number, optionally of one product, with product and registration."""
    units = units_visible_to(viewer).select_related("product")
    if serial_key(serial):
        units = units_with_serial(units, serial)
    if product is not None:
        units = units.filter(product=product)
    return units.prefetch_related(active_registration_prefetch()).order_by("serial", "id")


def active_registration_prefetch() -> Prefetch:
    """The active registration of each unit as `unit.active_registrations` (0 or 1 rows)."""
    return Prefetch(
        "registrations",
        queryset=Registration.objects.filter(ended_at__isnull=True).select_related(
            "customer", "dealer"
        ),
        to_attr="active_registrations",
    )


@dataclass(frozen=True)
class UnitDetail:
    unit: Unit
    warranty: WarrantyStatus


def unit_detail(*, viewer: Any, unit_id: int, on: date | None = None) -> UnitDetail:
    """One unit with its product, active registration and warranty/contract cover today."""
    unit = units_visible_to(viewer).select_related("product__product_type").get(pk=unit_id)
    return UnitDetail(unit=unit, warranty=warranty_status(unit, on or timezone.localdate()))


def contracts_for_unit(unit: Unit, *, include_archived: bool = False) -> QuerySet[ServiceContract]:
    """The service contracts naming `unit`, the one ending last first."""
    contracts = ServiceContract.objects.filter(units=unit).select_related("customer")
    if not include_archived:
        contracts = contracts.filter(archived_at__isnull=True)
    return contracts.order_by("-ends_on", "-id")


def contract_list(
    *,
    viewer: Any,
    customer: Customer | int | None = None,
    unit: Unit | int | None = None,
    include_archived: bool = False,
) -> QuerySet[ServiceContract]:
    """Service contracts, the one ending last first, with customer and covered units."""
    require(viewer, "catalog.view")
    contracts = ServiceContract.objects.select_related("customer").prefetch_related("units")
    if customer is not None:
        contracts = contracts.filter(customer=customer)
    if unit is not None:
        contracts = contracts.filter(units=unit)
    if not include_archived:
        contracts = contracts.filter(archived_at__isnull=True)
    return contracts.order_by("-ends_on", "-id")


def registration_list(
    *,
    viewer: Any,
    customer: Customer | int | None = None,
    unit: Unit | int | None = None,
    active_only: bool = False,
) -> QuerySet[Registration]:
    """Registrations, newest first, with unit, product, customer and dealer."""
    require(viewer, "catalog.view")
    registrations = Registration.objects.select_related("unit__product", "customer", "dealer")
    if customer is not None:
        registrations = registrations.filter(customer=customer)
    if unit is not None:
        registrations = registrations.filter(unit=unit)
    if active_only:
        registrations = registrations.filter(ended_at__isnull=True)
    return registrations.order_by("-registered_on", "-id")


def order_list(
    *, viewer: Any, customer: Customer | int | None = None, number: str = ""
) -> QuerySet[SalesOrder]:
    """Sales orders, newest first, with customer, dealer, lines and their units."""
    orders = (
        orders_visible_to(viewer)
        .select_related("customer", "dealer")
        .prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.select_related("product")),
            "lines__units",
        )
    )
    if customer is not None:
        orders = orders.filter(customer=customer)
    if number:
        orders = orders.filter(number=number.strip())
    return orders.order_by("-ordered_on", "-id")


def order_by_number(number: str) -> SalesOrder | None:
    """The sales order numbered `number` (from the ERP), or None."""
    number = (number or "").strip()
    if not number:
        return None
    return SalesOrder.objects.filter(number=number).select_related("customer", "dealer").first()


# --- a customer's registered units ------------------------------------------------------------

MAX_REGISTERED_UNITS = 200


@dataclass
class UnitCover:
    """A registered unit with what covers it on `on`."""

    registration: Registration
    on: date

    @property
    def unit(self) -> Unit:
        return self.registration.unit

    @property
    def contract(self) -> ServiceContract | None:
        contracts = self.registration.unit.live_contracts  # type: ignore[attr-defined]
        live = [c for c in contracts if c.starts_on <= self.on <= c.ends_on]
        return live[0] if live else None

    @property
    def in_warranty(self) -> bool:
        return self.on <= self.registration.warranty_ends_on

    @property
    def covered(self) -> bool:
        return self.in_warranty or self.contract is not None


def registered_units(customer: Customer, on: date) -> list[UnitCover]:
    """The customer's active registrations, newest first, with unit, product, dealer and the
    contracts live on `on` (2 queries)."""
    contracts = ServiceContract.objects.filter(archived_at__isnull=True, ends_on__gte=on).order_by(
        "-ends_on", "-id"
    )
    registrations = (
        Registration.objects.filter(customer=customer, ended_at__isnull=True)
        .select_related("unit__product", "dealer")
        .prefetch_related(Prefetch("unit__contracts", queryset=contracts, to_attr="live_contracts"))
        .order_by("-registered_on", "-id")[:MAX_REGISTERED_UNITS]
    )
    return [UnitCover(registration=r, on=on) for r in registrations]
