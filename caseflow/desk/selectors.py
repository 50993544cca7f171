"""Read-side queries of the desk's caller, customer, unit and search screens.

Each screen's reads are one function here, built from the apps' selectors, with a number of
queries that does not grow with the rows shown. Every lookup is an indexed equality or
prefix match: a phone number (E.164), an e-mail address, a customer, case or serial number,
the start of a word of a name (`customers_nameword`). Never `icontains` over a big column.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import Prefetch

from caseflow.accounts.roles import require
from caseflow.cases.models import Case
from caseflow.cases.numbers import looks_like_case_number
from caseflow.cases.selectors import LIST_RELATED, cases_visible_to, service_history
from caseflow.catalog.models import (
    SERIAL_PATTERN,
    Registration,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
)
from caseflow.catalog.selectors import (
    UnitCover,
    WarrantyStatus,
    contracts_for_unit,
    orders_visible_to,
    registered_units,
    unit_by_serial,
    unit_detail,
    units_with_serial,
)
from caseflow.core.pagination import Page, keyset_page
from caseflow.core.phones import display, to_e164
from caseflow.customers import selectors as customer_selectors
from caseflow.customers.models import ContactPointKind, Customer
from caseflow.customers.selectors import (
    contacts_prefetch,
    customer_ids_reachable_at,
    customers_visible_to,
    name_matches,
)

CUSTOMER_NUMBER = re.compile(r"^CU-[A-Z0-9]{1,17}$", re.IGNORECASE)
# What a phone number looks like as people write it: digits, blanks, + ( ) / . -
PHONE_LIKE = re.compile(r"^\+?[\d\s()./-]+$")
SERIAL = re.compile(SERIAL_PATTERN)
SEARCH_MODULE = "caseflow.cases.search"
NEWEST = ("-received_at", "-id")
MAX_TEXT = 200
CASES_PAGE = 20
HISTORY_PAGE = 50


class ReadAs:
    """How the caller search read the text (several readings can apply at once)."""

    PHONE = "phone"
    EMAIL = "email"
    CUSTOMER_NUMBER = "customer_number"
    CASE_NUMBER = "case_number"
    SERIAL = "serial"
    NAME = "name"


def customers_by_name_prefix(prefix: str, *, limit: int = 20) -> list[Customer]:
    """Live customers with a name word starting with each word of `prefix` (case- and
    accent-insensitive: "zimm", "heike z", "panaderia", "baeckerei"), in name order."""
    return customer_selectors.customers_by_name_prefix(prefix, limit=limit)


def show_points(customers: Any) -> None:
    """Give each prefetched contact point of `customers` a `shown` form for people
    (`+49 30 1234567`); `value` stays E.164 for tel: links."""
    for customer in customers:
        for contact in customer.live_contacts:
            for point in contact.points.all():
                is_email = point.kind == ContactPointKind.EMAIL
                point.shown = point.value if is_email else display(point.value)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def read_as(text: str) -> list[str]:
    """The readings of what the agent typed: `+49 30 1234567` is a phone number,
    `CU-000042` a customer number, `EM2000-0001` a serial number, `Müller` a name …"""
    text = text.strip()
    if not text:
        return []
    if looks_like_case_number(text):
        return [ReadAs.CASE_NUMBER]
    if CUSTOMER_NUMBER.match(text):
        return [ReadAs.CUSTOMER_NUMBER]
    if "@" in text:
        return [ReadAs.EMAIL]
    readings = []
    if PHONE_LIKE.match(text) and _digits(text) >= 5 and to_e164(text) is not None:
        readings.append(ReadAs.PHONE)
    if SERIAL.match(text) and _digits(text) > 0:
        readings.append(ReadAs.SERIAL)
    if any(ch.isalpha() for ch in text) and len(text) >= 2:
        readings.append(ReadAs.NAME)
    return readings


@dataclass
class Candidates:
    """Who may be calling: customers (each with `matched_by`, `matched_contact` and
    `shown_points`), units (each with `active_registrations`) and cases."""

    text: str
    readings: list[str] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.customers or self.units or self.cases)


MATCHED_BY_CONTACT = "contact"  # a name reading that matched a contact's name


ACTIVE_REGISTRATIONS = """
SELECT * FROM catalog_registration WHERE unit_id IN ({ids}) AND ended_at IS NULL ORDER BY id
"""


def _units_with_serial(text: str, limit: int) -> list[Unit]:
    """Units with serial `text` (any letter case), each with its active registrations as
    `active_registrations` (2 queries; the registrations' customers are set by the caller)."""
    units = list(unit_by_serial(text)[:limit])
    registrations: dict[int, list[Registration]] = {unit.pk: [] for unit in units}
    if units:
        # plain SQL through catalog_registration's unit index: the ORM would spend more
        # CPU building this statement than PostgreSQL spends running it
        sql = ACTIVE_REGISTRATIONS.format(ids=", ".join(["%s"] * len(units)))
        for registration in Registration.objects.raw(sql, list(registrations)):
            registrations[registration.unit_id].append(registration)
    for unit in units:
        unit.active_registrations = registrations[unit.pk]
    return units


@lru_cache(maxsize=4096)
def _shown(kind: str, value: str) -> str:
    """A contact point as people read it (parsing a phone number costs ~50 µs: cached)."""
    return value if kind == ContactPointKind.EMAIL else display(value)


# Every live contact of the customers found, primary first, with its points (or NULLs):
# one statement through the contacts' customer index and the points' contact index.
CONTACTS_AND_POINTS = """
SELECT k.customer_id, k.id, k.name, p.kind, p.value
FROM customers_contact k LEFT JOIN customers_contactpoint p ON p.contact_id = k.id
WHERE k.customer_id IN ({ids}) AND k.archived_at IS NULL
ORDER BY k.customer_id, k.is_primary DESC, k.name, k.id, p.kind, p.id
"""


def _describe(customers: list[Customer], contact_ids: dict[int, int]) -> None:
    """Give each customer what a result line shows: `shown_points`, up to two of its first
    live contact's contact points in people's notation, and `matched_contact`, the name of
    the contact whose name matched (one query for every customer's contacts and points)."""
    if not customers:
        return
    points: dict[int, list[str]] = {customer.pk: [] for customer in customers}
    first: dict[int, int] = {}
    names: dict[int, str] = {}
    sql = CONTACTS_AND_POINTS.format(ids=", ".join(["%s"] * len(points)))
    with connection.cursor() as cursor:
        cursor.execute(sql, list(points))
        for customer_id, contact_id, name, kind, value in cursor.fetchall():
            names[contact_id] = name
            is_first = first.setdefault(customer_id, contact_id) == contact_id
            if is_first and value and len(points[customer_id]) < 2:
                points[customer_id].append(_shown(kind, value))
    for customer in customers:
        customer.shown_points = points[customer.pk]
        customer.matched_contact = names.get(contact_ids.get(customer.pk, 0), "")


def caller_candidates(text: str, *, viewer: Any, limit: int = 10) -> Candidates:
    """Who is on the phone, from whatever the agent typed: a phone number in any notation,
    an e-mail address, a customer number, a case number, a serial number in any letter case
    or the start of any word of a customer's or contact's name, ignoring case and accents.
    Each reading is one indexed lookup; the customers found are read once, with their
    contacts and points (a constant number of queries)."""
    require(viewer, "customer.view")
    text = (text or "").strip()[:MAX_TEXT]
    result = Candidates(text=text, readings=read_as(text))
    matched: dict[int, str] = {}
    by_contact: dict[int, int] = {}
    number = ""

    def add(ids: Any, reading: str) -> None:
        for pk in ids:
            matched.setdefault(pk, reading)

    for reading in result.readings:
        if reading == ReadAs.CASE_NUMBER:
            result.cases = list(
                cases_visible_to(viewer)
                .filter(number=text.upper())
                .select_related("customer", "unit", "product")
            )
            add((case.customer_id for case in result.cases), reading)
        elif reading == ReadAs.CUSTOMER_NUMBER:
            number = text.upper()  # read with the customers below
        elif reading == ReadAs.EMAIL:
            add(customer_ids_reachable_at(email=text, limit=limit), reading)
        elif reading == ReadAs.PHONE:
            add(customer_ids_reachable_at(phone=text, limit=limit), reading)
        elif reading == ReadAs.SERIAL:
            result.units = _units_with_serial(text, limit)
            add(
                (r.customer_id for unit in result.units for r in unit.active_registrations),
                reading,
            )
        elif reading == ReadAs.NAME and not result.units:
            # (a serial number that found its unit is not also a name: one query less)
            for match in name_matches(text, limit=limit):
                if match.contact_id is not None and match.customer_id not in matched:
                    by_contact[match.customer_id] = match.contact_id
                add([match.customer_id], reading)
    if not (matched or number):
        return result
    customers = customers_visible_to(viewer)
    customers = customers.filter(number=number) if number else customers.filter(pk__in=matched)
    found = {customer.pk: customer for customer in customers}
    if number:
        add(found, ReadAs.CUSTOMER_NUMBER)
    for pk, reading in matched.items():
        if pk in found:
            customer = found[pk]
            customer.matched_by = MATCHED_BY_CONTACT if pk in by_contact else reading
            result.customers.append(customer)
    _describe(result.customers, by_contact)
    for unit in result.units:
        for registration in unit.active_registrations:
            if registration.customer_id in found:
                registration.customer = found[registration.customer_id]
    return result


# --- a customer, as the caller panel and the customer page show it -------------------------


def customer_cases(*, viewer: Any, customer: Customer, cursor: str | None) -> Page[Case]:
    """One page of the customer's cases, newest first (keyset: any depth costs the same)."""
    cases = cases_visible_to(viewer).filter(customer=customer).select_related(*LIST_RELATED)
    return keyset_page(cases, ordering=NEWEST, cursor=cursor, limit=CASES_PAGE)


@dataclass
class CustomerPage:
    customer: Customer
    units: list[UnitCover]
    cases: Page[Case]
    orders: list[SalesOrder]
    contracts: list[ServiceContract]


def customer_page(*, viewer: Any, customer_id: int, on: date) -> CustomerPage:
    """Everything the customer page shows (a constant number of queries)."""
    customer = (
        customers_visible_to(viewer)
        .select_related("region", "account_manager")
        .prefetch_related(contacts_prefetch())
        .get(pk=customer_id)
    )
    show_points([customer])
    orders = list(
        orders_visible_to(viewer)
        .filter(customer=customer)
        .select_related("dealer")
        .prefetch_related(
            Prefetch("lines", queryset=SalesOrderLine.objects.select_related("product"))
        )
        .order_by("-ordered_on", "-id")[:20]
    )
    contracts = list(
        ServiceContract.objects.filter(customer=customer, archived_at__isnull=True)
        .prefetch_related("units")
        .order_by("-ends_on", "-id")[:50]
    )
    return CustomerPage(
        customer=customer,
        units=registered_units(customer, on),
        cases=customer_cases(viewer=viewer, customer=customer, cursor=None),
        orders=orders,
        contracts=contracts,
    )


# --- a unit -----------------------------------------------------------------------------------


def unit_history(*, viewer: Any, unit: Unit, cursor: str | None) -> Page[Case]:
    """One page of the unit's service history (every case on it), newest first."""
    require(viewer, "case.view")
    cases = service_history(unit).select_related("customer", "owner", "priority")
    return keyset_page(cases, ordering=NEWEST, cursor=cursor, limit=HISTORY_PAGE)


@dataclass
class UnitPage:
    unit: Unit
    warranty: WarrantyStatus
    registrations: list[Registration]
    contracts: list[ServiceContract]
    history: Page[Case]


def unit_page(*, viewer: Any, unit_id: int, on: date) -> UnitPage:
    """Product, serial, registrations (the active one first), contracts and the service
    history of a unit (source 004's "bitácora"), in a constant number of queries."""
    detail = unit_detail(viewer=viewer, unit_id=unit_id, on=on)
    registrations = list(
        Registration.objects.filter(unit=detail.unit)
        .select_related("customer", "dealer")
        .order_by("ended_at", "-registered_on", "-id")[:50]
    )
    return UnitPage(
        unit=detail.unit,
        warranty=detail.warranty,
        registrations=registrations,
        contracts=list(contracts_for_unit(detail.unit)[:50]),
        history=unit_history(viewer=viewer, unit=detail.unit, cursor=None),
    )


# --- the header search ------------------------------------------------------------------------


def search_available() -> bool:
    """Whether the full-text search module of cases is installed."""
    return importlib.util.find_spec(SEARCH_MODULE) is not None


@dataclass
class CasesFound:
    """The header search's cases: best first, or newest first when the words match more
    cases than the search ranks (`many`, for the page to say so)."""

    cases: list[Case] = field(default_factory=list)
    ranked: bool = True
    count: int | None = 0  # matches counted up to the search's rank limit + 1; None: unknown
    whole_words: bool = False  # matched whole: word beginnings took too long
    too_slow: bool = False  # the search took longer than its time budget: nothing shown

    @property
    def many(self) -> bool:
        """More matches than the search ranks: shown newest first."""
        return not self.ranked


def cases_found(*, viewer: Any, text: str, limit: int = 20) -> CasesFound:
    """Cases matching `text`: a case number typed is that case; a serial number typed (any
    letter case) the cases on those units, newest first; anything else (or a number that
    finds nothing) the full-text search. Without the search module, case numbers only.

    Numbers are one indexed query each (the number's unique index; the serial's
    `UPPER(serial)` index, then `cases_unit_idx`). The full-text search runs on the search
    table alone and yields ids (`find_case_ids`); the `limit` cases are then read by
    primary key with the customer and unit the results show. Joining the list's tables
    before the search filtered made PostgreSQL scan four big tables (5-7 s at 1M cases)."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return CasesFound()
    cases = cases_visible_to(viewer).select_related("customer", "unit")
    if looks_like_case_number(text):
        exact = list(cases.filter(number=text.upper())[:limit])
        if exact or not search_available():
            return CasesFound(cases=exact)
    elif SERIAL.match(text) and _digits(text) > 0:
        units = units_with_serial(Unit.objects.all(), text).values("pk")
        on_units = list(cases.filter(unit__in=units).order_by(*NEWEST)[:limit])
        if on_units or not search_available():
            return CasesFound(cases=on_units)
    if not search_available():
        return CasesFound()
    search = importlib.import_module(SEARCH_MODULE)
    found = search.find_case_ids(text, limit=limit)
    rows = {case.pk: case for case in cases.filter(pk__in=found.ids)} if found.ids else {}
    return CasesFound(
        cases=[rows[pk] for pk in found.ids if pk in rows],
        ranked=found.ranked,
        count=found.count,
        whole_words=found.whole_words,
        too_slow=found.too_slow,
    )
