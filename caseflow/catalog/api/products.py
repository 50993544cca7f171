"""Product types and products: `/product-types`, `/products`."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from caseflow.catalog import selectors, services
from caseflow.catalog.api.common import PageQuery, page_of
from caseflow.catalog.models import ProductType
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers.api import ref

router = Router()


ProductKindIn = Literal["device", "spare_part", "consumable", "labour"]


class ProductTypeOut(Schema):
    id: int
    code: str
    name: str = Field(description="in the language of the request (Accept-Language), else English")
    names: dict[str, str] = Field(description="the name in each language that has one")

    @staticmethod
    def resolve_names(obj: Any) -> dict[str, str]:
        return {
            language: value
            for language in settings.MODELTRANSLATION_LANGUAGES
            if (value := getattr(obj, f"name_{language}", None))
        }


class ProductTypeIn(Schema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=100, description="the English name")
    names: dict[Literal["de", "es"], Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict, description='the other languages\' names: {"de": …, "es": …}'
    )


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


@router.get("/product-types", response={200: list[ProductTypeOut], **ERRORS})
def list_product_types(request: HttpRequest) -> Any:
    return list(selectors.product_types(viewer=request.user))


@router.post("/product-types", response={201: ProductTypeOut, **WRITE_ERRORS})
def create_product_type(request: HttpRequest, payload: ProductTypeIn) -> Any:
    product_type = services.create_product_type(
        actor=request.user,
        channel=Channel.API,
        code=payload.code,
        name=payload.name,
        names=payload.names,
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
    return page_of(products, ("sku", "id"), filters.cursor, filters.limit)


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
