"""Sales orders: `/orders`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from caseflow.catalog import selectors, services
from caseflow.catalog.api.common import CustomerRefOut, PageQuery, ProductRefOut, page_of
from caseflow.catalog.models import Product, SalesOrder, SalesOrderLine
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers.api import ref
from caseflow.customers.models import Customer

router = Router()


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


@router.get("/orders", response={200: OrderPageOut, **ERRORS})
def list_orders(request: HttpRequest, filters: Query[OrderFilters]) -> Any:
    """Sales orders, newest first; `number` finds one by its ERP number."""
    orders = selectors.order_list(
        viewer=request.user, customer=filters.customer_id, number=filters.number
    )
    return page_of(orders, ("-ordered_on", "-id"), filters.cursor, filters.limit)


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
