"""Read-side queries of the desk's caller, customer, unit and search screens.

Each screen's reads are one function here, built from the apps' selectors, with a number of
queries that does not grow with the rows shown. Every lookup is an indexed equality or
prefix match: a phone number (E.164), an e-mail address, a customer, case or serial number,
the start of a name. Never `icontains` over a big column.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Lower

from caseflow.accounts.roles import require
from caseflow.cases.models import ACTIVE, Case
from caseflow.cases.selectors import LIST_RELATED, cases_visible_to
from caseflow.catalog.models import (
    SERIAL_PATTERN,
    Registration,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
)
from caseflow.catalog.selectors import (
    WarrantyStatus,
    active_registration_prefetch,
    contracts_for_unit,
    orders_visible_to,
    service_history,
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
    customer_by_number,
    customers_by_email,
    customers_by_phone,
    customers_visible_to,
)

CASE_NUMBER = re.compile(r"^C-\d{4}-\d{1,10}$", re.IGNORECASE)
CUSTOMER_NUMBER = re.compile(r"^CU-[A-Z0-9]{1,17}$", re.IGNORECASE)
# What a phone number looks like as people write it: digits, blanks, + ( ) / . -
PHONE_LIKE = re.compile(r"^\+?[\d\s()./-]+$")
SERIAL = re.compile(SERIAL_PATTERN)
SEARCH_MODULE = "caseflow.cases.search"
NEWEST = ("-received_at", "-id")
MAX_TEXT = 200
MAX_REGISTERED_UNITS = 200
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


def customers_by_name_prefix(prefix: str, *, limit: int = 20) -> QuerySet[Customer]:
    """Live customers whose name starts with `prefix` (case-insensitive), by name.

    The customers app's range-scan selector when it is there; else a prefix match on the
    lower-cased name (customers_name_lower_idx)."""
    selector = getattr(customer_selectors, "customers_by_name_prefix", None)
    if selector is not None:
        return selector(prefix, limit=limit)
    value = (prefix or "").strip().lower()[:MAX_TEXT]
    if not value:
        return Customer.objects.none()
    return (
        Customer.objects.alias(name_key=Lower("name"))
        .filter(name_key__startswith=value, archived_at__isnull=True)
        .order_by("name_key", "id")[: max(1, min(limit, 100))]
    )


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
    if CASE_NUMBER.match(text):
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
    """Who may be calling: customers (each with `matched_by`), units and cases."""

    text: str
    readings: list[str] = field(default_factory=list)
    customers: list[Customer] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.customers or self.units or self.cases)


def caller_candidates(text: str, *, viewer: Any, limit: int = 10) -> Candidates:
    """Who is on the phone, from whatever the agent typed: a phone number in any notation,
    an e-mail address, a customer number, a case number, a serial number or the start of a
    name. Each reading is one indexed lookup; the customers found are read once, with their
    contacts (a constant number of queries)."""
    require(viewer, "customer.view")
    text = (text or "").strip()[:MAX_TEXT]
    result = Candidates(text=text, readings=read_as(text))
    matched: dict[int, str] = {}

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
            customer = customer_by_number(text)
            add([customer.pk] if customer else [], reading)
        elif reading == ReadAs.EMAIL:
            add(customers_by_email(text).values_list("pk", flat=True)[:limit], reading)
        elif reading == ReadAs.PHONE:
            add(customers_by_phone(text).values_list("pk", flat=True)[:limit], reading)
        elif reading == ReadAs.SERIAL:
            result.units = list(
                unit_by_serial(text).prefetch_related(active_registration_prefetch())[:limit]
            )
            add(
                (r.customer_id for unit in result.units for r in unit.active_registrations),
                reading,
            )
        elif reading == ReadAs.NAME:
            add(customers_by_name_prefix(text, limit=limit).values_list("pk", flat=True), reading)
    if matched:
        found = {
            c.pk: c
            for c in customers_visible_to(viewer)
            .filter(pk__in=list(matched))
            .select_related("region")
            .prefetch_related(contacts_prefetch())
        }
        for pk, reading in matched.items():
            if pk in found:
                found[pk].matched_by = reading
                result.customers.append(found[pk])
        show_points(result.customers)
    return result


# --- a customer, as the caller panel and the customer page show it -------------------------


@dataclass
class UnitCover:
    """A registered unit with what covers it today."""

    registration: Registration
    on: date

    @property
    def unit(self) -> Unit:
        return self.registration.unit

    @property
    def contract(self) -> ServiceContract | None:
        live = [
            c for c in self.registration.unit.live_contracts if c.starts_on <= self.on <= c.ends_on
        ]
        return live[0] if live else None

    @property
    def in_warranty(self) -> bool:
        return self.on <= self.registration.warranty_ends_on

    @property
    def covered(self) -> bool:
        return self.in_warranty or self.contract is not None


def _registrations(customer: Customer, on: date) -> list[UnitCover]:
    """The customer's active registrations with unit, product, dealer and live contracts
    (2 queries)."""
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


@dataclass
class CallerCard:
    customer: Customer
    units: list[UnitCover]
    open_cases: list[Case]


def caller_card(*, viewer: Any, customer_id: int, on: date) -> CallerCard:
    """The picked caller: contacts, registered units with warranty and contract cover on
    `on`, and the open cases (a constant number of queries)."""
    customer = customer_selectors.customer_detail(viewer=viewer, customer_id=customer_id)
    show_points([customer])
    open_cases = list(
        cases_visible_to(viewer)
        .filter(customer=customer, status__in=ACTIVE)
        .select_related("unit", "product", "owner", "priority")
        .order_by(*NEWEST)[:50]
    )
    return CallerCard(customer=customer, units=_registrations(customer, on), open_cases=open_cases)


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
        units=_registrations(customer, on),
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
    if CASE_NUMBER.match(text):
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
