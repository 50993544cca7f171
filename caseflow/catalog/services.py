"""Every change to the catalogue: products, units, registrations, contracts and orders.

Each function checks the actor's role, validates before it writes, and appends the audit
entry in the same transaction. Registrations are audited in their unit's chain, order
lines in their order's.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.catalog.models import (
    ContractLevel,
    Product,
    ProductKind,
    ProductType,
    Registration,
    RegistrationChannel,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
    serial_validator,
)
from caseflow.core.audit import audit, snapshot
from caseflow.core.editing import Edit, archive, lock, refuse_unknown
from caseflow.core.errors import DomainError
from caseflow.core.numbering import next_number
from caseflow.core.validation import validate
from caseflow.customers.models import Customer

PRODUCT_FIELDS = (
    "sku",
    "name",
    "kind",
    "product_type",
    "is_serialised",
    "warranty_months",
    "price",
    "cost",
    "tax_rate",
    "currency",
)
CONTRACT_FIELDS = ("customer", "level", "starts_on", "ends_on")


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months; the day is clamped to the month's last day
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def clean_serial(raw: str, *, field: str = "serial") -> str:
    """`raw` trimmed, or DomainError when it is not a valid serial number."""
    serial = (raw or "").strip()
    try:
        serial_validator(serial)
    except ValidationError as exc:
        raise DomainError(exc.messages[0], field=field, code="invalid_serial") from exc
    return serial


def _today() -> date:
    return timezone.localdate()


def _choice(value: str, choices: Sequence[str], *, field: str) -> None:
    if value not in choices:
        raise DomainError(
            _("%(value)s is not one of %(choices)s.")
            % {"value": value or '""', "choices": ", ".join(choices)},
            field=field,
        )


def _decimal(value: Any, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("%(value)s is not a number.") % {"value": value}, field=field) from exc
    if not number.is_finite():
        raise DomainError(_("%(value)s is not a number.") % {"value": value}, field=field)
    return number


def _live_customer(customer: Customer, *, field: str) -> None:
    if customer.archived_at is not None:
        raise DomainError(
            _("Customer %(number)s is archived; restore it first.") % {"number": customer.number},
            field=field,
            code="archived",
        )


def _dealer(dealer: Customer | None, *, field: str = "dealer_id") -> None:
    if dealer is None:
        return
    if not dealer.is_dealer:
        raise DomainError(
            _("%(customer)s is not a dealer.") % {"customer": dealer},
            field=field,
            code="not_a_dealer",
        )
    _live_customer(dealer, field=field)


# --- product types and products -------------------------------------------------------------


@transaction.atomic
def create_product_type(*, actor: User | None, channel: str, code: str, name: str) -> ProductType:
    """Add a product family (routing and statistics group by it)."""
    require(actor, "catalog.manage")
    product_type = ProductType(code=(code or "").strip(), name=(name or "").strip())
    if ProductType.objects.filter(code=product_type.code).exists():
        raise DomainError(
            _("A product type with code %(code)s exists already.") % {"code": product_type.code},
            field="code",
            code="duplicate",
        )
    validate(product_type)
    product_type.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.product_type_created",
        target=product_type,
        new_chain=True,
        after={"code": product_type.code, "name": product_type.name},
    )
    return product_type


def _check_product(product: Product) -> None:
    _choice(product.kind, ProductKind.values, field="kind")
    for name in ("price", "cost", "tax_rate"):
        setattr(product, name, _decimal(getattr(product, name), field=name))
    if product.tax_rate > 100:
        raise DomainError(_("The tax rate is a percentage up to 100."), field="tax_rate")
    product.currency = (product.currency or "").strip().upper()
    if len(product.currency) != 3 or not product.currency.isalpha():
        raise DomainError(_("The currency is a three-letter ISO code."), field="currency")


@transaction.atomic
def create_product(
    *,
    actor: User | None,
    channel: str,
    sku: str,
    name: str,
    kind: str,
    product_type: ProductType | None = None,
    is_serialised: bool = False,
    warranty_months: int = 0,
    price: Decimal | str = Decimal("0.00"),
    cost: Decimal | str = Decimal("0.00"),
    tax_rate: Decimal | str = Decimal("19.00"),
    currency: str = "",
) -> Product:
    """Add an article to the catalogue: device, spare part, consumable or labour."""
    require(actor, "catalog.manage")
    product = Product(
        sku=(sku or "").strip(),
        name=(name or "").strip(),
        kind=kind,
        product_type=product_type,
        is_serialised=is_serialised,
        warranty_months=warranty_months,
        price=price,
        cost=cost,
        tax_rate=tax_rate,
        currency=currency or settings.DEFAULT_CURRENCY,
    )
    _check_product(product)
    if product.sku and Product.objects.filter(sku=product.sku).exists():
        raise DomainError(
            _("A product with article number %(sku)s exists already.") % {"sku": product.sku},
            field="sku",
            code="duplicate",
        )
    validate(product)
    product.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.product_created",
        target=product,
        new_chain=True,
        after=snapshot(product, PRODUCT_FIELDS),
    )
    return product


@transaction.atomic
def update_product(
    *, actor: User | None, channel: str, product: Product, version: int, **changes: Any
) -> Product:
    """Change a product, unless someone else changed it since `version`.

    A new warranty period applies to registrations from now on, not to earlier ones.
    """
    require(actor, "catalog.manage")
    refuse_unknown(changes, PRODUCT_FIELDS)
    locked = lock(product, version=version)
    edit = Edit(locked, PRODUCT_FIELDS)
    edit.set({k: v.strip() if k in ("sku", "name") else v for k, v in changes.items()})
    _check_product(locked)
    changed = edit.diff()
    if not changed:
        return locked
    if "sku" in changed and Product.objects.filter(sku=locked.sku).exclude(pk=locked.pk).exists():
        raise DomainError(
            _("A product with article number %(sku)s exists already.") % {"sku": locked.sku},
            field="sku",
            code="duplicate",
        )
    if "is_serialised" in changed and not locked.is_serialised and locked.units.exists():
        raise DomainError(
            _("This product has serialised units; it cannot stop being serialised."),
            field="is_serialised",
        )
    edit.save(actor=actor, channel=channel, action="catalog.product_updated")
    return locked


@transaction.atomic
def archive_product(*, actor: User | None, channel: str, product: Product) -> Product:
    """Take a product out of the catalogue; its units, orders and cases keep it."""
    require(actor, "catalog.manage")
    locked, _changed = archive(
        product, actor=actor, channel=channel, action="catalog.product_archived"
    )
    return locked


# --- units and registrations ----------------------------------------------------------------


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    channel: str,
    product: Product,
    serial: str,
    manufactured_on: date | None = None,
    notes: str = "",
    serial_field: str = "serial",
) -> Unit:
    """Record one serialised unit of `product`."""
    require(actor, "unit.create")
    serial = clean_serial(serial, field=serial_field)
    if not product.is_serialised:
        raise DomainError(
            _("%(product)s is not a serialised product.") % {"product": product.sku},
            field="product_id",
            code="not_serialised",
        )
    if product.archived_at is not None:
        raise DomainError(
            _("%(product)s is archived.") % {"product": product.sku},
            field="product_id",
            code="archived",
        )
    duplicate = DomainError(
        _("%(product)s already has a unit with serial number %(serial)s.")
        % {"product": product.sku, "serial": serial},
        field=serial_field,
        code="duplicate_serial",
    )
    if Unit.objects.filter(product=product, serial=serial).exists():
        raise duplicate
    unit = Unit(product=product, serial=serial, manufactured_on=manufactured_on, notes=notes)
    validate(unit, exclude=("product",))
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:  # a concurrent writer recorded the same serial
        raise duplicate from exc
    audit(
        actor=actor,
        channel=channel,
        action="catalog.unit_created",
        target=unit,
        new_chain=True,
        after={"product": product.pk, "serial": serial, "manufactured_on": manufactured_on},
    )
    return unit


@transaction.atomic
def register_unit(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    purchased_on: date,
    unit: Unit | None = None,
    product: Product | None = None,
    serial: str = "",
    registered_on: date | None = None,
    dealer: Customer | None = None,
    channel_of_registration: str = RegistrationChannel.PHONE,
) -> Registration:
    """Register a unit (given, or found/created by product and serial) to its end customer.

    The warranty ends `product.warranty_months` calendar months after the purchase. A unit
    registered to a new customer ends its previous registration in the same transaction.
    """
    require(actor, "registration.create")
    _choice(channel_of_registration, RegistrationChannel.values, field="channel")
    _live_customer(customer, field="customer_id")
    _dealer(dealer)
    today = _today()
    registered_on = registered_on or today
    if purchased_on > today:
        raise DomainError(
            _("The purchase date lies in the future."), field="purchased_on", code="future_date"
        )
    if registered_on > today:
        raise DomainError(
            _("The registration date lies in the future."),
            field="registered_on",
            code="future_date",
        )
    if registered_on < purchased_on:
        raise DomainError(
            _("A unit cannot be registered before it was bought."), field="registered_on"
        )
    if unit is None:
        if product is None or not serial:
            raise DomainError(
                _("Name the unit, or its product and serial number."), field="unit_id"
            )
        serial = clean_serial(serial)
        unit = Unit.objects.filter(product=product, serial=serial).first() or create_unit(
            actor=actor, channel=channel, product=product, serial=serial
        )
    # The row lock serialises two registrations of the same unit.
    unit = Unit.objects.select_for_update().select_related("product").get(pk=unit.pk)
    if unit.archived_at is not None:
        raise DomainError(_("This unit is archived."), field="unit_id", code="archived")
    previous = Registration.objects.filter(unit=unit, ended_at__isnull=True).first()
    if previous is not None:
        if previous.customer_id == customer.pk:
            raise DomainError(
                _("Unit %(serial)s is already registered to this customer.")
                % {"serial": unit.serial},
                field="unit_id",
                code="already_registered",
            )
        previous.ended_at = timezone.now()
        previous.save(update_fields=("ended_at",))
        audit(
            actor=actor,
            channel=channel,
            action="catalog.registration_ended",
            target=previous,
            aggregate=unit,
            after={"ended_at": previous.ended_at, "customer": previous.customer_id},
        )
    registration = Registration(
        unit=unit,
        customer=customer,
        dealer=dealer,
        purchased_on=purchased_on,
        registered_on=registered_on,
        warranty_ends_on=add_months(purchased_on, unit.product.warranty_months),
        channel=channel_of_registration,
    )
    validate(registration, exclude=("unit", "customer", "dealer"))
    registration.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.unit_registered",
        target=registration,
        aggregate=unit,
        after={
            "customer": customer.pk,
            "dealer": dealer.pk if dealer else None,
            "purchased_on": purchased_on,
            "registered_on": registered_on,
            "warranty_ends_on": registration.warranty_ends_on,
            "channel": channel_of_registration,
        },
    )
    return registration


# --- service contracts ----------------------------------------------------------------------


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
    _live_customer(customer, field="customer_id")
    _choice(level, ContractLevel.values, field="level")
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
        _choice(level, ContractLevel.values, field="level")
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


# --- sales orders ---------------------------------------------------------------------------


@dataclass
class OrderLineIn:
    """One line of a new sales order."""

    product: Product
    quantity: Decimal | str | int
    unit_price: Decimal | str | int = Decimal("0.00")
    serials: Sequence[str] = field(default_factory=tuple)


def _line(raw: OrderLineIn | Mapping[str, Any]) -> OrderLineIn:
    if isinstance(raw, OrderLineIn):
        return raw
    return OrderLineIn(
        product=raw["product"],
        quantity=raw.get("quantity", 1),
        unit_price=raw.get("unit_price", Decimal("0.00")),
        serials=tuple(raw.get("serials") or ()),
    )


@transaction.atomic
def create_sales_order(
    *,
    actor: User | None,
    channel: str,
    number: str,
    customer: Customer,
    ordered_on: date,
    lines: Sequence[OrderLineIn | Mapping[str, Any]],
    dealer: Customer | None = None,
) -> SalesOrder:
    """Record a sales order (number from the ERP) with its lines and sold serial numbers.

    Serial numbers unknown for a serialised product are recorded as new units.
    """
    require(actor, "order.manage")
    number = (number or "").strip()
    if not number:
        raise DomainError(_("The order needs its number."), field="number")
    if SalesOrder.objects.filter(number=number).exists():
        raise DomainError(
            _("Order %(number)s exists already.") % {"number": number},
            field="number",
            code="duplicate",
        )
    _live_customer(customer, field="customer_id")
    _dealer(dealer)
    if ordered_on > _today():
        raise DomainError(
            _("The order date lies in the future."), field="ordered_on", code="future_date"
        )
    parsed = [_line(raw) for raw in lines]
    if not parsed:
        raise DomainError(_("An order has at least one line."), field="lines")
    seen: set[tuple[int, str]] = set()
    checked: list[tuple[OrderLineIn, Decimal, Decimal, list[str]]] = []
    for index, line in enumerate(parsed):
        where = f"lines[{index}]"
        quantity = _decimal(line.quantity, field=f"{where}.quantity")
        unit_price = _decimal(line.unit_price, field=f"{where}.unit_price")
        if quantity <= 0:
            raise DomainError(_("The quantity must be positive."), field=f"{where}.quantity")
        if unit_price < 0:
            raise DomainError(_("The price cannot be negative."), field=f"{where}.unit_price")
        serials = [
            clean_serial(serial, field=f"{where}.serials[{i}]")
            for i, serial in enumerate(line.serials)
        ]
        if serials and not line.product.is_serialised:
            raise DomainError(
                _("%(product)s is not a serialised product.") % {"product": line.product.sku},
                field=f"{where}.serials",
                code="not_serialised",
            )
        if len(serials) > quantity:
            raise DomainError(
                _("The line has more serial numbers than its quantity."),
                field=f"{where}.serials",
            )
        for i, serial in enumerate(serials):
            if (line.product.pk, serial) in seen:
                raise DomainError(
                    _("Serial number %(serial)s appears twice in this order.") % {"serial": serial},
                    field=f"{where}.serials[{i}]",
                    code="duplicate_serial",
                )
            seen.add((line.product.pk, serial))
        checked.append((line, quantity, unit_price, serials))

    order = SalesOrder(number=number, customer=customer, dealer=dealer, ordered_on=ordered_on)
    validate(order, exclude=("customer", "dealer"))
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:
        raise DomainError(
            _("Order %(number)s exists already.") % {"number": number},
            field="number",
            code="duplicate",
        ) from exc
    summary = []
    for position, (line, quantity, unit_price, serials) in enumerate(checked, start=1):
        order_line = SalesOrderLine.objects.create(
            order=order,
            position=position,
            product=line.product,
            quantity=quantity,
            unit_price=unit_price,
        )
        units = []
        if serials:
            existing = {
                u.serial: u for u in Unit.objects.filter(product=line.product, serial__in=serials)
            }
            for i, serial in enumerate(serials):
                unit = existing.get(serial) or create_unit(
                    actor=actor,
                    channel=channel,
                    product=line.product,
                    serial=serial,
                    serial_field=f"lines[{position - 1}].serials[{i}]",
                )
                units.append(unit)
            order_line.units.set(units)
        summary.append(
            {
                "position": position,
                "product": line.product.pk,
                "quantity": quantity,
                "unit_price": unit_price,
                "serials": serials,
            }
        )
    audit(
        actor=actor,
        channel=channel,
        action="catalog.order_created",
        target=order,
        new_chain=True,
        after={
            "number": number,
            "customer": customer.pk,
            "dealer": dealer.pk if dealer else None,
            "ordered_on": ordered_on,
            "lines": summary,
        },
    )
    return order
