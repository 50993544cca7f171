"""Sales orders from the ERP, with their lines and sold serial numbers.

Order lines are audited in their order's chain.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.catalog.models import Product, SalesOrder, SalesOrderLine, Unit
from caseflow.catalog.services.rules import (
    check_dealer,
    check_live_customer,
    clean_serial,
    to_decimal,
    today,
)
from caseflow.catalog.services.units import create_unit
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate
from caseflow.customers.models import Customer


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


@dataclass(frozen=True)
class _CheckedLine:
    """A line that passed the checks: its numbers as Decimals, its serials cleaned."""

    product: Product
    quantity: Decimal
    unit_price: Decimal
    serials: list[str]


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
    number = _check_head(number, customer=customer, dealer=dealer, ordered_on=ordered_on)
    checked = _check_lines([_line(raw) for raw in lines])
    order = _save_order(number, customer=customer, dealer=dealer, ordered_on=ordered_on)
    summary = [
        _write_line(actor=actor, channel=channel, order=order, position=position, line=line)
        for position, line in enumerate(checked, start=1)
    ]
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


def _duplicate(number: str) -> DomainError:
    return DomainError(
        _("Order %(number)s exists already.") % {"number": number},
        field="number",
        code="duplicate",
    )


def _check_head(
    number: str, *, customer: Customer, dealer: Customer | None, ordered_on: date
) -> str:
    """The order's number, trimmed, once number, customer, dealer and date passed."""
    number = (number or "").strip()
    if not number:
        raise DomainError(_("The order needs its number."), field="number")
    if SalesOrder.objects.filter(number=number).exists():
        raise _duplicate(number)
    check_live_customer(customer, field="customer_id")
    check_dealer(dealer)
    if ordered_on > today():
        raise DomainError(
            _("The order date lies in the future."), field="ordered_on", code="future_date"
        )
    return number


def _check_lines(lines: list[OrderLineIn]) -> list[_CheckedLine]:
    """Every line checked before anything is written; a serial number sold twice in the
    order is refused where it appears the second time."""
    if not lines:
        raise DomainError(_("An order has at least one line."), field="lines")
    seen: set[tuple[int, str]] = set()
    checked = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        quantity = to_decimal(line.quantity, field=f"{where}.quantity")
        unit_price = to_decimal(line.unit_price, field=f"{where}.unit_price")
        if quantity <= 0:
            raise DomainError(_("The quantity must be positive."), field=f"{where}.quantity")
        if unit_price < 0:
            raise DomainError(_("The price cannot be negative."), field=f"{where}.unit_price")
        serials = _check_serials(line, quantity, where=where, seen=seen)
        checked.append(_CheckedLine(line.product, quantity, unit_price, serials))
    return checked


def _check_serials(
    line: OrderLineIn, quantity: Decimal, *, where: str, seen: set[tuple[int, str]]
) -> list[str]:
    serials = [
        clean_serial(serial, field=f"{where}.serials[{i}]") for i, serial in enumerate(line.serials)
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
    return serials


def _save_order(
    number: str, *, customer: Customer, dealer: Customer | None, ordered_on: date
) -> SalesOrder:
    order = SalesOrder(number=number, customer=customer, dealer=dealer, ordered_on=ordered_on)
    validate(order, exclude=("customer", "dealer"))
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:  # a concurrent import of the same order
        raise _duplicate(number) from exc
    return order


def _write_line(
    *, actor: User | None, channel: str, order: SalesOrder, position: int, line: _CheckedLine
) -> dict[str, Any]:
    """Write one order line with its units (serials not seen before become units); what the
    audit entry says of it."""
    order_line = SalesOrderLine.objects.create(
        order=order,
        position=position,
        product=line.product,
        quantity=line.quantity,
        unit_price=line.unit_price,
    )
    if line.serials:
        existing = {
            u.serial: u for u in Unit.objects.filter(product=line.product, serial__in=line.serials)
        }
        units = [
            existing.get(serial)
            or create_unit(
                actor=actor,
                channel=channel,
                product=line.product,
                serial=serial,
                serial_field=f"lines[{position - 1}].serials[{i}]",
            )
            for i, serial in enumerate(line.serials)
        ]
        order_line.units.set(units)
    return {
        "position": position,
        "product": line.product.pk,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "serials": line.serials,
    }
