"""Read-side queries for cases: every read of cases starts from `cases_visible_to`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Prefetch, Q, QuerySet

from caseflow.accounts.roles import can
from caseflow.cases.models import ACTIVE, Attachment, Case, Code, SupplyLine, TimelineEvent
from caseflow.catalog.models import Unit
from caseflow.catalog.selectors import UnitCover, registered_units
from caseflow.core.money import tax_on
from caseflow.customers.models import Customer
from caseflow.customers.selectors import customer_detail

LIST_RELATED = ("customer", "owner", "team", "priority", "product", "unit")
# Counting a list: exactly up to COUNT_LIMIT ("more than 10,000" past it), and on PostgreSQL
# within COUNT_BUDGET_MS of database time: a filter no index serves would otherwise read the
# whole table to count a few rows.
COUNT_LIMIT = 10_000
COUNT_BUDGET_MS = 25
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement ended by statement_timeout
# What the API's case rows and case answers show: no more joins than that.
API_RELATED = ("customer", "owner", "priority")
# What `case_detail` joins (see there why not more).
DETAIL_RELATED = ("customer", "contact", "unit", "product__product_type", "sales_order")


def _active_supplies() -> Prefetch:
    """The supply lines still on the case, with their product, as `case.active_supplies`."""
    return Prefetch(
        "supplies",
        queryset=SupplyLine.objects.filter(removed_at__isnull=True).select_related("product"),
        to_attr="active_supplies",
    )


def cases_visible_to(viewer: Any) -> QuerySet[Case]:
    """Every case `viewer` may see."""
    if can(viewer, "case.view"):
        return Case.objects.all()
    return Case.objects.none()


def sees_every_case(viewer: Any) -> bool:
    """Whether `cases_visible_to(viewer)` is every case (a search may then read its index
    alone, without joining the cases)."""
    return can(viewer, "case.view")


def case_list(
    *,
    viewer: Any,
    status: list[str] | None = None,
    owner_id: int | None = None,
    unassigned: bool = False,
    team_id: int | None = None,
    customer_id: int | None = None,
    unit_id: int | None = None,
    product_id: int | None = None,
    product_type_id: int | None = None,
    priority: str | None = None,
    case_type: str | None = None,
    channel: str | None = None,
    received_from: datetime | None = None,
    received_to: datetime | None = None,
    number: str | None = None,
    reason_general_id: int | None = None,
    reason_specific_id: int | None = None,
    resolution_general_id: int | None = None,
    resolution_specific_id: int | None = None,
    related: tuple[str, ...] = LIST_RELATED,
) -> QuerySet[Case]:
    """The case list: filtered, with what each row shows joined in (`related`; fewer joins
    plan faster on PostgreSQL, see docs/performance.md finding 1). Newest first."""
    cases = cases_visible_to(viewer).select_related(*related)
    filters = Q()
    if status:
        filters &= Q(status__in=status)
    if owner_id is not None:
        filters &= Q(owner_id=owner_id)
    if unassigned:
        filters &= Q(owner__isnull=True)
    if team_id is not None:
        filters &= Q(team_id=team_id)
    if customer_id is not None:
        filters &= Q(customer_id=customer_id)
    if unit_id is not None:
        filters &= Q(unit_id=unit_id)
    if product_id is not None:
        filters &= Q(product_id=product_id)
    if product_type_id is not None:
        filters &= Q(product__product_type_id=product_type_id)
    if priority:
        filters &= Q(priority__code=priority)
    if case_type:
        filters &= Q(case_type=case_type)
    if channel:
        filters &= Q(channel=channel)
    if received_from is not None:
        filters &= Q(received_at__gte=received_from)
    if received_to is not None:
        filters &= Q(received_at__lt=received_to)
    if number:
        filters &= Q(number=number.strip().upper())
    for field, value in (
        ("reason_general_id", reason_general_id),
        ("reason_specific_id", reason_specific_id),
        ("resolution_general_id", resolution_general_id),
        ("resolution_specific_id", resolution_specific_id),
    ):
        if value is not None:  # each served by its partial index (cases_<code>_idx)
            filters &= Q(**{field: value})
    return cases.filter(filters)


def case_detail(*, viewer: Any, case_id: int) -> Case:
    """One case with the customer, contact, unit, product and order its header shows
    (raises Case.DoesNotExist if not visible).

    The four reason and resolution codes come in a second, by-key query instead of four
    more joins; priority, owner and team are left to the caller, who usually has them
    loaded for its pickers (the desk: `_attach_choices`), else they load by key when read.
    PostgreSQL's planning time grows steeply with the number of joins: at 1M cases the
    7-table join plans in 0.2 ms, the same with priority, owner and team in 1.9 ms, and a
    14-table join took ~5 ms, longer than the queries take to run.
    """
    case = (
        cases_visible_to(viewer)
        .select_related(*DETAIL_RELATED)
        .prefetch_related(_active_supplies(), "contact__points")
        .get(pk=case_id)
    )
    _attach_codes(case)
    return case


CODE_FIELDS = ("reason_general", "reason_specific", "resolution_general", "resolution_specific")


def _attach_codes(case: Case) -> None:
    """Fill the case's code relations from one query (none when it has no codes)."""
    ids = {getattr(case, f"{name}_id") for name in CODE_FIELDS} - {None}
    found = Code.objects.in_bulk(ids) if ids else {}
    for name in CODE_FIELDS:
        code_id = getattr(case, f"{name}_id")
        if code_id is not None and code_id in found:
            setattr(case, name, found[code_id])


def case_answer(*, viewer: Any, case_id: int) -> Case:
    """One case as the API answers it: the few joins its schema shows, supplies prefetched."""
    return (
        cases_visible_to(viewer)
        .select_related(*API_RELATED)
        .prefetch_related(_active_supplies())
        .get(pk=case_id)
    )


def timeline(
    *, case: Case, categories: list[str] | None = None, join_types: bool = True
) -> QuerySet[TimelineEvent]:
    """The case's events, newest first, with type, actor and attachments (as the list
    `event.files`: a prefetched list, where `event.attachments.all()` builds a queryset per
    event). `join_types=False` leaves the types to `config.attach_event_types` (the cached
    rows; a page of 50 events then builds 50 fewer model instances)."""
    related = ("event_type", "actor") if join_types else ("actor",)
    events = (
        TimelineEvent.objects.filter(case=case)
        .select_related(*related)
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("id"), to_attr="files")
        )
    )
    if categories:
        events = events.filter(event_type__category__in=categories)
    return events.order_by("-occurred_at", "-id")


def service_history(unit: Unit) -> QuerySet[Case]:
    """The unit's cases, newest first: its service log."""
    return Case.objects.filter(unit=unit).order_by("-received_at", "-id")


@dataclass
class CallerCard:
    """A customer as a caller: contacts, registered units with their cover, open cases."""

    customer: Customer
    units: list[UnitCover]
    open_cases: list[Case]


def caller_card(*, viewer: Any, customer_id: int, on: date) -> CallerCard:
    """The customer on the phone: contacts, registered units with warranty and contract cover
    on `on`, and the open cases (a constant number of queries; Customer.DoesNotExist for a
    customer the viewer may not see)."""
    customer = customer_detail(viewer=viewer, customer_id=customer_id)
    open_cases = list(
        cases_visible_to(viewer)
        .filter(customer=customer, status__in=ACTIVE)
        .select_related("unit", "product", "owner", "priority")
        .order_by("-received_at", "-id")[:50]
    )
    return CallerCard(
        customer=customer, units=registered_units(customer, on), open_cases=open_cases
    )


def codes(*, kind: str | None = None, parent_id: int | None = None) -> QuerySet[Code]:
    """Active codes; general ones (no parent) unless `parent_id` asks for its specific ones."""
    result = Code.objects.filter(active=True)
    if kind:
        result = result.filter(kind=kind)
    if parent_id is not None:
        return result.filter(parent_id=parent_id)
    return result.order_by("kind", "parent_id", "code")


def cases_matching(*, viewer: Any, text: str) -> QuerySet[Case]:
    """The cases `viewer` may see that match the words (or the case or serial number) in
    `text`, best first, with what a list row shows; none for an empty query."""
    from caseflow.cases.search import filter_cases

    return filter_cases(cases_visible_to(viewer).select_related(*LIST_RELATED), text)


class OverBudget(Exception):
    """A read took longer than its time budget, and PostgreSQL cancelled it."""


@contextmanager
def time_budget(ms: int) -> Iterator[None]:
    """Statements inside run with `statement_timeout` = `ms` on PostgreSQL: set for them
    and undone after, inside a savepoint, so a cancelled statement leaves a surrounding
    transaction usable. A cancelled statement raises OverBudget. For reads whose cost
    depends on what was typed or filtered (a count, a search): bounded work, whatever the
    input. SQLite has no statement timeout: its databases are laptop-sized."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('statement_timeout'), "
                "set_config('statement_timeout', %s, true)",
                [f"{ms}ms"],
            )
            before = cursor.fetchone()[0]
            yield
            if nested:  # SET LOCAL lasts until the surrounding transaction ends: undo it
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [before])
    except OperationalError as exc:
        if getattr(exc.__cause__, "sqlstate", None) != QUERY_CANCELED:
            raise
        raise OverBudget from exc


def bounded_rows(
    sql: str, params: list[Any], *, budget_ms: int = COUNT_BUDGET_MS
) -> list[tuple[Any, ...]] | None:
    """The rows of `sql`, or None when they take longer than `budget_ms` (PostgreSQL, see
    `time_budget`). For counts, and for collecting the ids a count would count."""
    try:
        with time_budget(budget_ms), connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    except OverBudget:
        return None


def count_up_to(queryset: QuerySet[Any], limit: int | None = None) -> int | None:
    """How many rows `queryset` has, counted up to `limit` + 1 (more than `limit` means
    "more"), within the count's time budget (None past it, see `bounded_rows`). One
    `SELECT count(*) FROM (… LIMIT limit + 1)`: it stops at the first rows past `limit`
    (COUNT_LIMIT unless given)."""
    limit = COUNT_LIMIT if limit is None else limit
    rows = queryset.order_by().values("pk")[: limit + 1]
    sql, params = rows.query.sql_with_params()
    # Django compiled `sql`; its values are parameters
    found = bounded_rows(f"SELECT count(*) FROM ({sql}) counted", list(params))  # noqa: S608
    return None if found is None else found[0][0]


def counts_up_to(querysets: list[QuerySet[Any]], limit: int) -> list[int]:
    """How many rows each queryset has, each counted up to `limit` + 1 (more than `limit`
    means "more"), in one statement of scalar subqueries: the LIMIT bounds each count, so no
    time budget is needed (badges such as the case list's saved views: "999+")."""
    if not querysets:
        return []
    parts: list[str] = []
    params: list[Any] = []
    for queryset in querysets:
        sql, part_params = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
        # Django compiled `sql`; its values are parameters
        parts.append(f"(SELECT count(*) FROM ({sql}) counted)")  # noqa: S608
        params.extend(part_params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return [int(value) for value in row]


def ids_up_to(
    queryset: QuerySet[Any], limit: int, *, budget_ms: int = COUNT_BUDGET_MS
) -> list[int] | None:
    """The primary keys of up to `limit` + 1 rows of `queryset`, in no particular order,
    within `budget_ms` (None past it): what `count_up_to` would count, for a caller who
    goes on with those rows alone."""
    sql, params = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
    found = bounded_rows(sql, list(params), budget_ms=budget_ms)
    return None if found is None else [row[0] for row in found]


@dataclass(frozen=True)
class TaxLine:
    """The supplies of one currency at one tax rate: what an invoice's VAT breakdown shows."""

    rate: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class SupplyTotal:
    """Net, tax and gross of a case's supplies in one currency."""

    currency: str
    net: Decimal
    tax: Decimal
    gross: Decimal
    by_rate: tuple[TaxLine, ...]


def supply_totals(lines: Iterable[SupplyLine]) -> list[SupplyTotal]:
    """The totals of supply lines per currency (in the order the currencies first appear),
    as an invoice computes them (EN 16931): each line's net rounded to the cent, the nets of
    one rate summed, the tax on each rate's sum rounded half up, the gross their sum. The
    tax is not summed from per-line taxes, which drift by a cent per few lines."""
    nets: dict[str, dict[Decimal, Decimal]] = {}
    for line in lines:
        if line.removed_at is not None:
            continue
        by_rate = nets.setdefault(line.currency, {})
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, Decimal(0)) + line.net_amount
    totals = []
    for currency, by_rate in nets.items():
        breakdown = tuple(
            TaxLine(rate=rate, net=net, tax=tax_on(net, rate))
            for rate, net in sorted(by_rate.items())
        )
        net = sum((t.net for t in breakdown), Decimal(0))
        tax = sum((t.tax for t in breakdown), Decimal(0))
        totals.append(
            SupplyTotal(currency=currency, net=net, tax=tax, gross=net + tax, by_rate=breakdown)
        )
    return totals
