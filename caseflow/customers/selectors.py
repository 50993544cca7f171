"""Read-side queries for customers: lists, the incoming-call lookup, details."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.db.models.functions import Collate, Lower

from caseflow.accounts.roles import require
from caseflow.core.phones import to_e164
from caseflow.core.search import clean_text
from caseflow.customers.models import (
    PHONE_KINDS,
    Contact,
    ContactPoint,
    ContactPointKind,
    Customer,
    Region,
)


def customers_visible_to(viewer: Any) -> QuerySet[Customer]:
    """Every customer `viewer` may see (everyone with customer.view). Reads start here."""
    require(viewer, "customer.view")
    return Customer.objects.all()


def customer_list(
    *,
    viewer: Any,
    q: str = "",
    region: Region | int | None = None,
    is_dealer: bool | None = None,
    include_archived: bool = False,
) -> QuerySet[Customer]:
    """The customer list: by name, optionally searched by number or name, with its region."""
    customers = customers_visible_to(viewer).select_related("region", "account_manager")
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    if region is not None:
        customers = customers.filter(region=region)
    if is_dealer is not None:
        customers = customers.filter(is_dealer=is_dealer)
    q = (q or "").strip()
    if q:
        customers = customers.filter(Q(number=q.upper()) | Q(name__icontains=q))
    return customers.order_by("name", "id")


def contacts_prefetch() -> Prefetch:
    """Live contacts with their contact points, for detail and lookup answers (2 queries)."""
    return Prefetch(
        "contacts",
        queryset=Contact.objects.filter(archived_at__isnull=True).prefetch_related("points"),
        to_attr="live_contacts",
    )


def customers_by_phone(raw: str, *, include_archived: bool = False) -> QuerySet[Customer]:
    """Customers with a live contact reachable at `raw`, in any notation (one indexed match)."""
    e164 = to_e164(raw)
    if e164 is None:
        return Customer.objects.none()
    points = ContactPoint.objects.filter(
        value=e164, kind__in=PHONE_KINDS, contact__archived_at__isnull=True
    )
    customers = Customer.objects.filter(pk__in=points.values("customer_id"))
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    return customers.order_by("name", "id")


def customers_by_email(addr: str, *, include_archived: bool = False) -> QuerySet[Customer]:
    """Customers with a live contact at e-mail address `addr` (case-insensitive)."""
    value = (addr or "").strip().lower()
    if not value or "@" not in value:
        return Customer.objects.none()
    points = ContactPoint.objects.filter(
        value=value, kind=ContactPointKind.EMAIL, contact__archived_at__isnull=True
    )
    customers = Customer.objects.filter(pk__in=points.values("customer_id"))
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    return customers.order_by("name", "id")


def _successor(prefix: str) -> str | None:
    """The smallest string after every string starting with `prefix` (code-point order)."""
    while prefix:
        code = ord(prefix[-1]) + 1
        if 0xD800 <= code <= 0xDFFF:  # surrogates are not characters
            code = 0xE000
        if code <= 0x10FFFF:
            return prefix[:-1] + chr(code)
        prefix = prefix[:-1]
    return None


def customers_by_name_prefix(
    prefix: str, *, limit: int = 20, include_archived: bool = False
) -> QuerySet[Customer]:
    """Customers whose name starts with `prefix`, case-insensitively, in name order: the
    incoming-call search as the agent types (an index range scan, at any table size).

    The prefix is compared as a range of lower-cased names in code-point order, not with
    LIKE, so `%`, `_` and backslashes are plain characters.
    """
    value = clean_text(prefix, 200).strip().lower()
    upper = _successor(value)
    if not value or upper is None:
        return Customer.objects.none()
    # PostgreSQL: customers_name_prefix_idx is on lower(name) COLLATE "C" (code-point order
    # whatever the database collation); SQLite compares bytes: customers_name_lower_idx.
    key = Lower("name")
    if connection.vendor == "postgresql":
        key = Collate(key, "C")
    customers = Customer.objects.alias(name_key=key).filter(name_key__gte=value, name_key__lt=upper)
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    limit = max(1, min(limit, 100))
    return customers.order_by("name_key", "id")[:limit]


def customer_by_number(number: str) -> Customer | None:
    """The customer numbered `number` (`CU-000123`, any case), or None."""
    value = (number or "").strip().upper()
    if not value:
        return None
    return Customer.objects.filter(number=value).first()


def customer_detail(*, viewer: Any, customer_id: int) -> Customer:
    """One customer with region, account manager, live contacts and their points."""
    return (
        customers_visible_to(viewer)
        .select_related("region", "account_manager")
        .prefetch_related(contacts_prefetch())
        .get(pk=customer_id)
    )


def contacts_of(*, viewer: Any, customer: Customer, include_archived: bool = False):
    """A customer's contacts (primary first) with their points."""
    require(viewer, "customer.view")
    contacts = Contact.objects.filter(customer=customer).prefetch_related("points")
    if not include_archived:
        contacts = contacts.filter(archived_at__isnull=True)
    return contacts.order_by("-is_primary", "name", "id")


def caller_lookup(
    *, viewer: Any, phone: str = "", email: str = "", number: str = ""
) -> list[Customer]:
    """Who is calling or writing: customers by phone, e-mail or number, with their contacts,
    points and active registered units (constant number of queries).

    Archived customers are found too (an archived customer may call); the answer says so.
    """
    from caseflow.catalog.models import Registration  # catalog depends on customers

    require(viewer, "customer.view")
    if phone:
        customers = customers_by_phone(phone, include_archived=True)
    elif email:
        customers = customers_by_email(email, include_archived=True)
    elif number:
        customers = Customer.objects.filter(number=number.strip().upper())
    else:
        return []
    registrations = Registration.objects.filter(ended_at__isnull=True).select_related(
        "unit__product", "dealer"
    )
    return list(
        customers.select_related("region", "account_manager")
        .prefetch_related(
            contacts_prefetch(),
            Prefetch("registrations", queryset=registrations, to_attr="active_registrations"),
        )
        .order_by(F("archived_at").asc(nulls_first=True), "name", "id")[:50]
    )
