"""The plan for a file of sales orders: one row per order line, the rows of one order
grouped by its number into one `create_sales_order` call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from caseflow.catalog import services
from caseflow.catalog.imports.reading import KINDS, Row, RowError
from caseflow.catalog.imports.values import (
    RowParser,
    Step,
    chunks,
    customer_of,
    customers_by_number,
    dealer_of,
    not_future,
    parse_decimal,
    product_of,
    products_by_sku,
    split_serials,
)
from caseflow.catalog.models import Product, SalesOrder
from caseflow.core.errors import DomainError
from caseflow.customers.models import Customer

# How a service's complaint about an order names the file's columns.
FIELD_MAP = {
    "customer_id": "customer_number",
    "dealer_id": "dealer_number",
    "number": "order_number",
    "product_id": "sku",
}

Head = tuple[Customer | None, Customer | None, date | None]  # customer, dealer, ordered on


@dataclass
class _Order:
    """The rows of one order number, as far as the file has been read."""

    head: Head
    first: int  # the line that named the order first
    lines: list[tuple[int, services.OrderLineIn]] = field(default_factory=list)
    bad: bool = False  # a row of it has a problem: the order is not imported


def plan_orders(rows: list[Row], errors: list[RowError]) -> list[Step]:
    products = products_by_sku(rows)
    customers = customers_by_number(rows, "customer_number", "dealer_number")
    existing = _existing_orders(rows)
    orders: dict[str, _Order] = {}
    seen_serials: dict[tuple[int, str], int] = {}
    for row in rows:
        p = RowParser(row, errors)
        p.required = KINDS["orders"].required
        number = p.value("order_number")
        head: Head = (
            p.value("customer_number", customer_of(customers)),
            p.value("dealer_number", dealer_of(customers), None),
            p.value("ordered_on", not_future("ordered_on")),
        )
        line = _order_line(p, products, seen_serials)
        if number in existing:
            p.fail("order_number", _("order %(v)s exists already") % {"v": number})
        if number is None:
            continue
        order = orders.get(number)
        if order is None:
            order = orders[number] = _Order(head=head, first=row.line)
        elif p.ok:
            _compare_heads(p, head, order)
        if not p.ok:
            order.bad = True
            continue
        order.lines.append((row.line, line))
    return [_step(number, order) for number, order in orders.items() if not order.bad]


def _existing_orders(rows: list[Row]) -> set[str]:
    numbers = {r.get("order_number") for r in rows if r.get("order_number")}
    existing: set[str] = set()
    for chunk in chunks(numbers):
        existing.update(
            SalesOrder.objects.filter(number__in=chunk).values_list("number", flat=True)
        )
    return existing


def _order_line(
    p: RowParser, products: dict[str, Product], seen_serials: dict[tuple[int, str], int]
) -> services.OrderLineIn:
    """The row's order line: article, quantity, price and the serial numbers sold."""
    product = p.value("sku", product_of(products))
    quantity = p.value("quantity", parse_decimal)
    unit_price = p.value("unit_price", parse_decimal, Decimal("0.00"))
    if quantity is not None and quantity <= 0:
        p.fail("quantity", _("must be positive"))
    if unit_price is not None and unit_price < 0:
        p.fail("unit_price", _("cannot be negative"))
    serials = _serials(p, product, quantity, seen_serials)
    return services.OrderLineIn(
        product=product, quantity=quantity, unit_price=unit_price, serials=serials
    )


def _serials(
    p: RowParser,
    product: Product | None,
    quantity: Decimal | None,
    seen_serials: dict[tuple[int, str], int],
) -> list[str]:
    """The row's serial numbers, each valid, serialised, once in the file, no more than
    the quantity."""
    serials = []
    for text in split_serials(p.row.get("serials")):
        try:
            serials.append(services.clean_serial(text))
        except DomainError as exc:
            p.fail("serials", f"{text}: {exc.message}")
    if not serials or product is None:
        return serials
    if not product.is_serialised:
        p.fail("serials", _("%(v)s is not a serialised product") % {"v": product.sku})
    for serial in serials:
        key = (product.pk, serial)
        if key in seen_serials:
            p.fail(
                "serials",
                _("duplicate serial number %(s)s; first in line %(n)s")
                % {"s": serial, "n": seen_serials[key]},
            )
        seen_serials.setdefault(key, p.row.line)
    if quantity is not None and len(serials) > quantity:
        p.fail("serials", _("more serial numbers than the quantity"))
    return serials


def _compare_heads(p: RowParser, head: Head, order: _Order) -> None:
    """Every row of an order names the same customer, dealer and day as its first."""
    customer, _dealer, ordered_on = head
    if order.head == head or None in (customer, ordered_on):
        return
    names = ("customer_number", "dealer_number", "ordered_on")
    for name, mine, theirs in zip(names, head, order.head, strict=True):
        if mine != theirs:
            p.fail(name, _("differs from line %(n)s of the same order") % {"n": order.first})


def _step(number: str, order: _Order) -> Step:
    customer, dealer, ordered_on = order.head
    kwargs: dict[str, Any] = {
        "number": number,
        "customer": customer,
        "dealer": dealer,
        "ordered_on": ordered_on,
        "lines": [line for _n, line in order.lines],
    }
    return Step([n for n, _line in order.lines], services.create_sales_order, kwargs, FIELD_MAP)
