"""Read-side queries for customers: lists, the incoming-call lookup, details."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet

from caseflow.accounts.roles import require
from caseflow.core.phones import to_e164
from caseflow.core.search import clean_text
from caseflow.customers.models import (
    PHONE_KINDS,
    Contact,
    ContactPoint,
    ContactPointKind,
    Customer,
    NameWord,
    Region,
)
from caseflow.customers.names import query_terms

MAX_NAME_QUERY = 200


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
    """The customer list: by name, with its region; searched by customer number or by the
    start of words of the name (any order, case and accents ignored: "mueller anna")."""
    customers = customers_visible_to(viewer).select_related("region", "account_manager")
    if not include_archived:
        customers = customers.filter(archived_at__isnull=True)
    if region is not None:
        customers = customers.filter(region=region)
    if is_dealer is not None:
        customers = customers.filter(is_dealer=is_dealer)
    q = (q or "").strip()
    if CUSTOMER_NUMBER.match(q):
        customers = customers.filter(number=q.upper())
    elif q:
        customers = customers.filter(named(q))
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


# Live customers reachable at a normalised contact point, by name: one equality on
# customers_point_value_idx, then primary keys (the ORM's version of the same statement
# costs four times the CPU to build, on the incoming-call screen's every keystroke).
REACHABLE_AT = """
SELECT DISTINCT c.name, c.id FROM customers_contactpoint p
JOIN customers_contact k ON k.id = p.contact_id AND k.archived_at IS NULL
JOIN customers_customer c ON c.id = p.customer_id AND c.archived_at IS NULL
WHERE p.value = %s AND p.kind IN ({kinds})
ORDER BY c.name, c.id
LIMIT %s
"""


def customer_ids_reachable_at(*, phone: str = "", email: str = "", limit: int = 10) -> list[int]:
    """Ids of live customers with a live contact at phone number `phone` (any notation) or
    e-mail address `email` (any case), in name order: `customers_by_phone` and
    `customers_by_email` as one plain indexed statement."""
    if phone:
        value, kinds = to_e164(phone), [str(kind) for kind in PHONE_KINDS]
    else:
        value, kinds = (email or "").strip().lower(), [str(ContactPointKind.EMAIL)]
    if not value or (email and "@" not in value):
        return []
    sql = REACHABLE_AT.format(kinds=", ".join(["%s"] * len(kinds)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, *kinds, max(1, min(limit, 100))])
        return [pk for _name, pk in cursor.fetchall()]


# The largest code point: no stored word contains it, so the words starting with p are those
# from p to p + TOP in code-point order. Written `<= p + TOP` (the same rows as `<`): with
# `<`, PostgreSQL estimates a prefix range between two histogram bounds at one row and may
# then scan a second word's whole range once per row of the first; `<=` adds the estimate of
# an equality and keeps the plans on their indexes.
TOP = "\U0010ffff"
CUSTOMER_NUMBER = re.compile(r"^CU-[A-Z0-9]{1,17}$", re.IGNORECASE)


@dataclass(frozen=True)
class NameMatch:
    """A customer found by name: through its own name, or through `contact_id`'s."""

    customer_id: int
    contact_id: int | None = None


def _ranges(column: str, prefixes: tuple[str, ...]) -> tuple[str, list[str]]:
    sql = " OR ".join(f"({column} >= %s AND {column} <= %s)" for _ in prefixes)
    return f"({sql})", [bound for p in prefixes for bound in (p, p + TOP)]


def name_matches(
    text: str, *, limit: int = 20, include_archived: bool = False, contacts: bool = True
) -> list[NameMatch]:
    """Customers with a word starting with each word of `text`, ignoring case and accents
    (`caseflow.customers.names`): their own name's words and, with `contacts`, their live
    contacts' too. The first `limit` in the order of the matched word.

    One statement: the index range of the longest typed word, read in word order until
    `limit` customers are found, each checked for the other typed words through
    `customers_nameword_cust_idx` (a bounded index walk at any table size).
    """
    terms = query_terms(clean_text(text, MAX_NAME_QUERY))
    if not terms:
        return []
    limit = max(1, min(limit, 100))
    driver = max(reversed(terms), key=lambda term: max(len(p) for p in term))
    others = [term for term in terms if term is not driver]
    words = NameWord._meta.db_table
    live = "" if include_archived else " AND NOT w.archived"
    own = "" if contacts else " AND {alias}.contact_id IS NULL"
    conditions, condition_params = [], []
    for term in others:
        ranges, term_params = _ranges("o.word", term)
        conditions.append(
            f"AND EXISTS (SELECT 1 FROM {words} o WHERE o.customer_id = w.customer_id "  # noqa: S608 (names and placeholders only)
            f"AND {ranges}{own.format(alias='o')})"
        )
        condition_params.extend(term_params)
    selects: list[str] = []
    params: list[str | int] = []
    for index, prefix in enumerate(driver):
        selects.append(
            f"SELECT * FROM (SELECT w.word, w.customer_id, w.contact_id FROM {words} w "  # noqa: S608 (table names)
            f"WHERE w.word >= %s AND w.word <= %s{live}{own.format(alias='w')} "
            f"{' '.join(conditions)} "
            f"ORDER BY w.word, w.customer_id LIMIT %s) d{index}"
        )
        # a customer may match with several words or spellings: read a few more rows
        params.extend([prefix, prefix + TOP, *condition_params, limit * 3 + 10])
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects), params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[1]))
    found: dict[int, NameMatch] = {}
    for _word, customer_id, contact_id in rows:
        if customer_id not in found:
            found[customer_id] = NameMatch(customer_id, contact_id)
            if len(found) == limit:
                break
    return list(found.values())


def named(text: str) -> Q:
    """A filter for customers whose own name has a word starting with each word of `text`
    (case- and accent-insensitive), for querysets that page in their own order."""
    terms = query_terms(clean_text(text, MAX_NAME_QUERY))
    if not terms:
        return Q(pk__in=[])
    condition = Q()
    for term in terms:
        ranges = Q()
        for prefix in term:
            ranges |= Q(word__gte=prefix, word__lte=prefix + TOP)
        words = NameWord.objects.filter(ranges, contact__isnull=True).values("customer_id")
        condition &= Q(pk__in=words)
    return condition


def customers_by_name_prefix(
    prefix: str, *, limit: int = 20, include_archived: bool = False
) -> list[Customer]:
    """Customers with a name word starting with each word of `prefix` ("zimm", "heike z",
    "panaderia", "baeck"), case- and accent-insensitively, in name order (2 queries)."""
    matches = name_matches(prefix, limit=limit, include_archived=include_archived, contacts=False)
    if not matches:
        return []
    customers = Customer.objects.filter(pk__in=[m.customer_id for m in matches])
    return sorted(customers, key=lambda c: (c.name.casefold(), c.pk))


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


# Live contacts (primary first) and their points, for a page of customers: two plain
# statements through the customer indexes (prefetch_related costs three times the CPU).
LIVE_CONTACTS = """
SELECT * FROM customers_contact WHERE customer_id IN ({ids}) AND archived_at IS NULL
ORDER BY is_primary DESC, name, id
"""
LIVE_POINTS = """
SELECT p.* FROM customers_contactpoint p
JOIN customers_contact k ON k.id = p.contact_id AND k.archived_at IS NULL
WHERE p.customer_id IN ({ids}) ORDER BY p.kind, p.id
"""


def attach_live_contacts(customers: list[Customer]) -> None:
    """Give each of `customers` its `live_contacts` (primary first), each with its
    `live_points` (2 queries for any number of customers)."""
    for customer in customers:
        customer.live_contacts = []
    if not customers:
        return
    ids = {customer.pk: customer for customer in customers}
    marks = ", ".join(["%s"] * len(ids))
    contacts = {}
    for contact in Contact.objects.raw(LIVE_CONTACTS.format(ids=marks), list(ids)):
        contact.live_points = []
        contacts[contact.pk] = contact
        ids[contact.customer_id].live_contacts.append(contact)
    if not contacts:
        return
    for point in ContactPoint.objects.raw(LIVE_POINTS.format(ids=marks), list(ids)):
        if point.contact_id in contacts:
            contacts[point.contact_id].live_points.append(point)


# The units registered to callers now, with their products: one statement through
# catalog_reg_customer_idx (the ORM's three-table select_related costs 4x the CPU).
REGISTERED_UNITS = """
SELECT r.customer_id, r.unit_id, u.serial, u.product_id, p.sku, p.name, r.purchased_on,
       r.warranty_ends_on, r.dealer_id
FROM catalog_registration r
JOIN catalog_unit u ON u.id = r.unit_id
JOIN catalog_product p ON p.id = u.product_id
WHERE r.customer_id IN ({ids}) AND r.ended_at IS NULL
ORDER BY r.registered_on DESC, r.id DESC
"""
UNIT_COLUMNS = (
    "unit_id", "serial", "product_id", "sku", "product_name", "purchased_on",
    "warranty_ends_on", "dealer_id",
)  # fmt: skip


def caller_lookup(
    *, viewer: Any, phone: str = "", email: str = "", number: str = ""
) -> list[Customer]:
    """Who is calling or writing: customers by phone, e-mail or number, with their live
    contacts and points, and their registered units as `registered_units` (dicts of
    `UNIT_COLUMNS`), in 4 queries.

    Archived customers are found too (an archived customer may call); the answer says so.
    """
    require(viewer, "customer.view")
    if phone:
        customers = customers_by_phone(phone, include_archived=True)
    elif email:
        customers = customers_by_email(email, include_archived=True)
    elif number:
        customers = Customer.objects.filter(number=number.strip().upper())
    else:
        return []
    found = list(
        customers.select_related("region").order_by(
            F("archived_at").asc(nulls_first=True), "name", "id"
        )[:50]
    )
    if not found:
        return []
    attach_live_contacts(found)
    by_id = {customer.pk: customer for customer in found}
    for customer in found:
        customer.registered_units = []
    sql = REGISTERED_UNITS.format(ids=", ".join(["%s"] * len(by_id)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(by_id))
        for customer_id, *unit in cursor.fetchall():
            by_id[customer_id].registered_units.append(dict(zip(UNIT_COLUMNS, unit, strict=True)))
    return found
