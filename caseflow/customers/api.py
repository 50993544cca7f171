"""Customers API: thin endpoints that parse, look up, call one service or selector, answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeVar

from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from caseflow.accounts.models import User
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.pagination import keyset_page
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers import selectors, services
from caseflow.customers.models import Contact, ContactPoint, Customer, Region

router = Router(tags=["customers"])

M = TypeVar("M", bound=models.Model)
CUSTOMER_ORDER = ("name", "id")

KindIn = Literal["organisation", "person"]
LanguageIn = Literal["en", "de", "es"]
PointKindIn = Literal["email", "phone", "mobile", "fax"]


def ref(model: type[M], pk: int | None, field: str) -> M | None:
    """The row `pk` names in the request body, or a 422 that names the field."""
    if pk is None:
        return None
    found = model._default_manager.filter(pk=pk).first()
    if found is None:
        raise DomainError(
            _("There is no %(what)s with id %(id)s.")
            % {"what": model._meta.verbose_name, "id": pk},
            field=field,
            code="unknown_reference",
        )
    return found


# --- schemas --------------------------------------------------------------------------------


class RegionOut(Schema):
    id: int
    code: str
    name: str
    country: str


class ContactPointOut(Schema):
    id: int
    kind: str
    value: str
    label: str


class ContactOut(Schema):
    id: int
    name: str
    title: str
    language: str
    is_primary: bool
    archived_at: datetime | None
    points: list[ContactPointOut]

    @staticmethod
    def resolve_points(obj: Contact) -> list[ContactPoint]:
        live = getattr(obj, "live_points", None)  # selectors.attach_live_contacts
        return live if live is not None else list(obj.points.all())


class CustomerListOut(Schema):
    id: int
    number: str
    kind: str
    name: str
    is_dealer: bool
    language: str
    region: RegionOut | None
    city: str
    country: str
    archived_at: datetime | None
    version: int


class CustomerOut(CustomerListOut):
    account_manager_id: int | None
    vat_id: str
    street: str
    postal_code: str
    notes: str
    created_at: datetime
    updated_at: datetime
    contacts: list[ContactOut]

    @staticmethod
    def resolve_contacts(obj: Customer) -> list[Contact]:
        live = getattr(obj, "live_contacts", None)  # prefetched; [] is an answer too
        if live is not None:
            return live
        return list(obj.contacts.filter(archived_at__isnull=True).prefetch_related("points"))


class RegisteredUnitOut(Schema):
    unit_id: Id
    serial: str
    product_id: Id
    sku: str
    product_name: str
    purchased_on: date
    warranty_ends_on: date
    in_warranty: bool
    dealer_id: int | None


class LookupOut(CustomerOut):
    units: list[RegisteredUnitOut]

    @staticmethod
    def resolve_units(obj: Customer) -> list[dict[str, Any]]:
        today = timezone.localdate()
        return [
            {**unit, "in_warranty": today <= unit["warranty_ends_on"]}
            for unit in getattr(obj, "registered_units", [])  # selectors.caller_lookup
        ]


class CustomerPageOut(Schema):
    items: list[CustomerListOut]
    next_cursor: str | None


class CustomerIn(Schema):
    kind: KindIn
    name: str = Field(min_length=1, max_length=200)
    language: LanguageIn = "de"
    is_dealer: bool = False
    region_id: Id | None = None
    account_manager_id: Id | None = None
    vat_id: str = Field("", max_length=30)
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    notes: str = Field("", max_length=20000)
    contact_name: str = Field("", max_length=200)
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)


class CustomerPatch(Schema):
    version: int = Field(description="the version you read; a stale one answers 409")
    kind: KindIn | None = None
    name: str | None = Field(None, min_length=1, max_length=200)
    language: LanguageIn | None = None
    is_dealer: bool | None = None
    region_id: Id | None = None
    account_manager_id: Id | None = None
    vat_id: str | None = Field(None, max_length=30)
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    notes: str | None = Field(None, max_length=20000)


class ContactIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    title: str = Field("", max_length=100)
    language: LanguageIn | Literal[""] = ""
    is_primary: bool = False
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=20)


class ContactPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    title: str | None = Field(None, max_length=100)
    language: LanguageIn | Literal[""] | None = None
    is_primary: bool | None = None
    street: str | None = Field(None, max_length=200)
    postal_code: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)


class ContactPointIn(Schema):
    kind: PointKindIn
    value: str = Field(min_length=1, max_length=254)
    label: str = Field("", max_length=50)


class CustomerFilters(Schema):
    q: str = Field("", max_length=200, description="customer number or part of the name")
    region_id: Id | None = None
    is_dealer: bool | None = None
    include_archived: bool = False
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


class LookupQuery(Schema):
    phone: str = Field("", max_length=40)
    email: str = Field("", max_length=254)
    number: str = Field("", max_length=20)


# --- helpers --------------------------------------------------------------------------------


def _customer(request: HttpRequest, customer_id: Id) -> Customer:
    return selectors.customer_detail(viewer=request.user, customer_id=customer_id)


def _contact(request: HttpRequest, customer_id: Id, contact_id: Id) -> Contact:
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    return Contact.objects.select_related("customer").get(pk=contact_id, customer=customer)


def _references(data: dict[str, Any]) -> dict[str, Any]:
    if "region_id" in data:
        data["region"] = ref(Region, data.pop("region_id"), "region_id")
    if "account_manager_id" in data:
        data["account_manager"] = ref(User, data.pop("account_manager_id"), "account_manager_id")
    return data


# --- customers ------------------------------------------------------------------------------


@router.get("", response={200: CustomerPageOut, **ERRORS})
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    """Customers by name; search by number or name; keyset-paginated with `cursor`."""
    customers = selectors.customer_list(
        viewer=request.user,
        q=filters.q,
        region=filters.region_id,
        is_dealer=filters.is_dealer,
        include_archived=filters.include_archived,
    )
    page = keyset_page(
        customers, ordering=CUSTOMER_ORDER, cursor=filters.cursor, limit=filters.limit
    )
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("", response={201: CustomerOut, **WRITE_ERRORS})
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    """Create a customer, with a primary contact when contact details are given."""
    data = _references(payload.dict())
    customer = services.create_customer(actor=request.user, channel=Channel.API, **data)
    return Status(201, _customer(request, customer.pk))


@router.get("/lookup", response={200: list[LookupOut], **ERRORS})
def lookup(request: HttpRequest, query: Query[LookupQuery]) -> Any:
    """Who is calling: customers by phone (any notation), e-mail or number, with contacts
    and their registered units and warranty ends."""
    if not (query.phone or query.email or query.number):
        raise DomainError(_("Give a phone number, an e-mail address or a customer number."),
                          field="phone")  # fmt: skip
    return selectors.caller_lookup(
        viewer=request.user, phone=query.phone, email=query.email, number=query.number
    )


@router.get("/regions", response={200: list[RegionOut], **ERRORS})
def list_regions(request: HttpRequest) -> Any:
    selectors.customers_visible_to(request.user)
    return list(Region.objects.order_by("code"))


@router.get("/{customer_id}", response={200: CustomerOut, **ERRORS})
def get_customer(request: HttpRequest, customer_id: Id) -> Any:
    return _customer(request, customer_id)


@router.patch("/{customer_id}", response={200: CustomerOut, **WRITE_ERRORS})
def update_customer(request: HttpRequest, customer_id: Id, payload: CustomerPatch) -> Any:
    """Change master data; send the `version` you read (409 when someone was faster)."""
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    data = _references(payload.dict(exclude_unset=True, exclude={"version"}))
    for name in ("kind", "name", "language", "is_dealer"):
        if name in data and data[name] is None:
            raise DomainError(_("%(field)s cannot be empty.") % {"field": name}, field=name)
    for name in ("vat_id", "street", "postal_code", "city", "country", "notes"):
        if name in data and data[name] is None:
            data[name] = ""
    services.update_customer(
        actor=request.user,
        channel=Channel.API,
        customer=customer,
        version=payload.version,
        **data,
    )
    return _customer(request, customer_id)


@router.post("/{customer_id}/archive", response={200: CustomerOut, **WRITE_ERRORS})
def archive_customer(request: HttpRequest, customer_id: Id) -> Any:
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    services.archive_customer(actor=request.user, channel=Channel.API, customer=customer)
    return _customer(request, customer_id)


@router.post("/{customer_id}/restore", response={200: CustomerOut, **WRITE_ERRORS})
def restore_customer(request: HttpRequest, customer_id: Id) -> Any:
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    services.restore_customer(actor=request.user, channel=Channel.API, customer=customer)
    return _customer(request, customer_id)


# --- contacts and contact points ------------------------------------------------------------


@router.get("/{customer_id}/contacts", response={200: list[ContactOut], **ERRORS})
def list_contacts(request: HttpRequest, customer_id: Id, include_archived: bool = False) -> Any:
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    return list(
        selectors.contacts_of(
            viewer=request.user, customer=customer, include_archived=include_archived
        )
    )


@router.post("/{customer_id}/contacts", response={201: ContactOut, **WRITE_ERRORS})
def add_contact(request: HttpRequest, customer_id: Id, payload: ContactIn) -> Any:
    customer = selectors.customers_visible_to(request.user).get(pk=customer_id)
    contact = services.add_contact(
        actor=request.user, channel=Channel.API, customer=customer, **payload.dict()
    )
    return Status(201, contact)


@router.patch("/{customer_id}/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS})
def update_contact(
    request: HttpRequest, customer_id: Id, contact_id: Id, payload: ContactPatch
) -> Any:
    contact = _contact(request, customer_id, contact_id)
    data = payload.dict(exclude_unset=True)
    for name, value in list(data.items()):
        if value is None:
            if name in ("name", "is_primary"):
                raise DomainError(_("%(field)s cannot be empty.") % {"field": name}, field=name)
            data[name] = ""
    return services.update_contact(actor=request.user, channel=Channel.API, contact=contact, **data)


@router.post(
    "/{customer_id}/contacts/{contact_id}/archive", response={200: ContactOut, **WRITE_ERRORS}
)
def archive_contact(request: HttpRequest, customer_id: Id, contact_id: Id) -> Any:
    contact = _contact(request, customer_id, contact_id)
    return services.archive_contact(actor=request.user, channel=Channel.API, contact=contact)


@router.post(
    "/{customer_id}/contacts/{contact_id}/points",
    response={201: ContactPointOut, **WRITE_ERRORS},
)
def add_contact_point(
    request: HttpRequest, customer_id: Id, contact_id: Id, payload: ContactPointIn
) -> Any:
    """Add an e-mail address or a phone/mobile/fax number (stored normalised)."""
    contact = _contact(request, customer_id, contact_id)
    point = services.add_contact_point(
        actor=request.user, channel=Channel.API, contact=contact, **payload.dict()
    )
    return Status(201, point)


@router.delete(
    "/{customer_id}/contacts/{contact_id}/points/{point_id}",
    response={204: None, **WRITE_ERRORS},
)
def remove_contact_point(
    request: HttpRequest, customer_id: Id, contact_id: Id, point_id: Id
) -> Any:
    contact = _contact(request, customer_id, contact_id)
    point = ContactPoint.objects.select_related("customer").get(pk=point_id, contact=contact)
    services.remove_contact_point(actor=request.user, channel=Channel.API, point=point)
    return Status(204, None)
