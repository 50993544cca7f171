"""The case list, opening a case, and the case detail with every action on it.

Reads go through `caseflow.cases.selectors`, every change through one service of
`caseflow.cases.services`. An action answers htmx with out-of-band swaps of every part of
the page the change touches (header, details, supplies, workflow, timeline), so all forms
carry the case's new version; on bad input it answers the form again with the message (422),
on a stale version the service's "changed by … at …" with a reload button (409), and a role
that may not act gets 403. Without htmx the same URLs redirect (PRG) or render the full page.
"""

from __future__ import annotations

import base64
import binascii
import importlib
import importlib.util
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet, Subquery, prefetch_related_objects
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import can
from caseflow.cases import config, selectors, services
from caseflow.cases.downloads import attachment_response
from caseflow.cases.models import (
    TRANSITIONS,
    Attachment,
    Case,
    CaseStatus,
    CaseType,
    Code,
    CodeKind,
    EventCategory,
    Priority,
    SupplyLine,
    TimelineEvent,
)
from caseflow.catalog.models import Registration, Unit
from caseflow.catalog.selectors import warranty_status
from caseflow.channels.calls import selectors as call_selectors
from caseflow.channels.calls import services as call_services
from caseflow.channels.outbound.selectors import attach_outbound
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import Channel
from caseflow.core.pagination import Page, cursor_after, cursor_values, keyset_page
from caseflow.customers.models import Contact, Customer
from caseflow.desk.forms.cases import (
    SAVED_VIEWS,
    AssignForm,
    CallForm,
    CaseFilterForm,
    CaseOpenForm,
    Choices,
    CloseForm,
    DetailsForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
    StatusForm,
    SupplyForm,
    allowed_statuses,
    code_options,
    looks_like_case_number,
    specific_codes,
)
from caseflow.desk.rows import case_rows, duration_text, short_datetime

PAGE_SIZE = 50
TIMELINE_PAGE = 50
NEWEST = ("-received_at", "-id")
OLDEST = ("received_at", "id")
EVENT_ORDER = ("-occurred_at", "-id")
# Timeline filter chips: label and the event categories each one shows.
CHIPS = (
    ("call", gettext_lazy("Calls"), (EventCategory.CALL,)),
    ("email", gettext_lazy("E-mails"), (EventCategory.EMAIL, EventCategory.SMS)),
    ("note", gettext_lazy("Notes"), (EventCategory.NOTE, EventCategory.SCHEDULING)),
    ("system", gettext_lazy("System"), (EventCategory.SYSTEM,)),
)
SEARCH_MODULE = "caseflow.cases.search"


def _owners() -> list[User]:
    return config.owners()


def _teams() -> list[Team]:
    return config.teams()


def _priorities() -> list[Priority]:
    return config.priorities()


def _codes() -> tuple[list[Code], list[Code]]:
    """The active reason and resolution codes (cached per process)."""
    codes = config.codes()
    return (
        [c for c in codes if c.kind == CodeKind.REASON],
        [c for c in codes if c.kind == CodeKind.RESOLUTION],
    )


# --- the list -----------------------------------------------------------------------------

# Sorts whose index the filters' indexes cannot serve: for a few filtered cases, sorted.
UNWALKED = frozenset({"number", "-number", "customer"})
CUSTOMER_ORDER = ("customer__name", "customer_id", "-received_at", "-id")
GROUP_CURSOR = re.compile(r"^(\d{1,3})\.([A-Za-z0-9_-]{0,480})$")
RANKED_CURSOR = re.compile(r"^r(\d{1,6})$")


@dataclass
class Listing:
    """One page of the case list and what the page says about it."""

    page: Page[Case] = field(default_factory=lambda: Page(items=[], next_cursor=None))
    sort: str = "newest"
    total: int | None = 0  # counted up to `total_limit` + 1; None: counting took too long
    total_limit: int = selectors.COUNT_LIMIT
    words: str = ""  # the words searched (for the snippets), "" when none
    whole_words: bool = False  # matched as whole words: word beginnings took too long
    searchable: bool = True  # False: words typed, but only a case number can be searched
    notice: str = ""  # why the cases are not in the order asked for

    @property
    def more(self) -> bool:
        return self.total is not None and self.total > self.total_limit


def _search_module() -> Any:
    if importlib.util.find_spec(SEARCH_MODULE) is None:
        return None
    return importlib.import_module(SEARCH_MODULE)


def _list_cases(
    cases: QuerySet[Case], data: dict[str, Any], priorities: list[Priority], *, every: bool
) -> Listing:
    """Count the filtered cases and read the page asked for, in the order asked for when an
    index can serve it at any depth; otherwise newest first, with a notice saying why.
    `every`: `cases` are all the cases there are (no filter, and the viewer sees all).

    - No words: counted up to COUNT_LIMIT; every sort walks an index (newest, oldest, per
      status, per priority, by number, by customer name), the filters checked on the way
      — or, when the filters leave at most COUNT_LIMIT cases, those are sorted (bounded).
    - Words: the matching ids are collected up to the search's RANK_LIMIT (`every`: on the
      search table alone). Up to that many they come best first (pages by offset) or in any
      order asked for, sorted from those ids alone; more (or when collecting them took
      longer than the search's time budget) are shown newest or oldest first, read in date
      order within a time budget of their own.
    - A case number matches that case exactly; without the search module, other words
      find nothing (never `icontains` over text columns)."""
    text = (data.get("q") or "").strip()
    asked = data.get("sort") or ""
    cursor = data.get("cursor") or None
    search = _search_module()
    listing = Listing()
    if text and (looks_like_case_number(text) or search is None):
        listing.searchable = looks_like_case_number(text)
        cases = cases.filter(number=text.upper())
        text = ""
    if not text:
        listing.total_limit = selectors.COUNT_LIMIT
        listing.total = selectors.count_up_to(cases)
        listing.sort = asked or "newest"
        # few cases and a sort no index of the filters serves: sort those cases alone (the
        # LIMIT keeps PostgreSQL from merging the subquery into a walk of the sort's index)
        lean = listing.total is not None and not listing.more and listing.sort in UNWALKED
        if lean:
            few = cases.order_by().values("pk")[: selectors.COUNT_LIMIT + 1]
            cases = cases.filter(pk__in=Subquery(few))
        listing.page = _sorted_page(cases, listing.sort, cursor, priorities, lean=lean)
        return listing

    listing.words = text
    listing.total_limit = search.RANK_LIMIT
    matches = search.collect_matches(text, None if every else cases)
    listing.whole_words = matches.whole_words
    listing.total = matches.count
    listing.sort = asked or ("relevance" if matches.few else "newest")
    if not matches.few and listing.sort not in ("newest", "oldest"):
        listing.notice = _(
            "More than %(limit)s cases match these words: the newest are shown first. "
            "Add words or filters to sort them otherwise."
        ) % {"limit": number_format(search.RANK_LIMIT, force_grouping=True)}
        listing.sort = "newest"
    if listing.sort == "relevance":
        listing.page = _ranked_page(cases, matches.ids or [], listing, search, cursor)
    elif matches.few:  # sorted from the matches alone, by primary key
        matched = cases.filter(pk__in=matches.ids)
        listing.page = _sorted_page(matched, listing.sort, cursor, priorities, lean=True)
    else:  # every match, in date order
        try:
            with selectors.time_budget(search.SEARCH_BUDGET_MS):
                listing.page = _newest_matches(cases, listing, search, cursor)
        except selectors.OverBudget:
            listing.notice = _(
                "This search takes too long with these filters: add words, or narrow the "
                "filters (a customer, an owner, a status, dates)."
            )
    return listing


def _newest_matches(
    cases: QuerySet[Case], listing: Listing, search: Any, cursor: str | None
) -> Page[Case]:
    """A page of every match of the listing's words in date order (`search.newest_cases`);
    its cursors are those of `keyset_page` in the same order."""
    sort = listing.sort
    ordering = OLDEST if sort == "oldest" else NEWEST
    after = None
    if cursor:
        received_at, pk = cursor_values(cursor, ordering=ordering, model=Case)
        after = (received_at, pk)
    rows = search.newest_cases(
        cases,
        listing.words,
        after=after,
        limit=PAGE_SIZE + 1,
        oldest=sort == "oldest",
        whole_words=listing.whole_words,
    )
    if len(rows) <= PAGE_SIZE:
        return Page(items=rows, next_cursor=None)
    return Page(
        items=rows[:PAGE_SIZE], next_cursor=cursor_after(rows[PAGE_SIZE - 1], ordering=ordering)
    )


def _sorted_page(
    cases: QuerySet[Case], sort: str, cursor: str | None, priorities: list[Priority], *, lean: bool
) -> Page[Case]:
    """One keyset page of `cases` in `sort`.

    `lean`: the cases are few (at most COUNT_LIMIT, or the ids of a search) and are sorted,
    not walked: without the rows' joins, which PostgreSQL would make for every one of them
    before sorting; those come for the page's cases, by key, afterwards."""
    if lean:
        cases = (
            cases.select_related("customer") if sort == "customer" else cases.select_related(None)
        )
    if sort == "oldest":
        page = keyset_page(cases, ordering=OLDEST, cursor=cursor, limit=PAGE_SIZE)
    elif sort == "status":
        page = _grouped_page(cases, [Q(status=status) for status in CaseStatus.values], cursor)
    elif sort == "priority":
        page = _grouped_page(cases, [Q(priority_id=p.pk) for p in priorities], cursor)
    elif sort in ("number", "-number"):
        page = keyset_page(cases, ordering=(sort,), cursor=cursor, limit=PAGE_SIZE)
    elif sort == "customer":
        page = _customer_page(cases, cursor)
    else:
        page = keyset_page(cases, ordering=NEWEST, cursor=cursor, limit=PAGE_SIZE)
    if lean:
        missing = [name for name in ROW_RELATED if not (sort == "customer" and name == "customer")]
        prefetch_related_objects(page.items, *missing)
    return page


def _bad_cursor() -> DomainError:
    return DomainError(
        _("The cursor is not valid; start again from the first page."), field="cursor"
    )


def _ranked_page(
    cases: QuerySet[Case], ids: list[int], listing: Listing, search: Any, cursor: str | None
) -> Page[Case]:
    """A page of the best matches: `ids` are all of them (at most the search's RANK_LIMIT),
    ranked by primary key, so pages go by offset at a bounded cost. Then the page's cases,
    by primary key, with what the rows show."""
    offset = 0
    if cursor:
        match = RANKED_CURSOR.match(cursor)
        if match is None:
            raise _bad_cursor()
        offset = int(match.group(1))
    ranked = search.rank_ids(
        ids, listing.words, offset=offset, limit=PAGE_SIZE + 1, whole_words=listing.whole_words
    )
    rows = {case.pk: case for case in cases.filter(pk__in=ranked[:PAGE_SIZE])} if ranked else {}
    items = [rows[pk] for pk in ranked[:PAGE_SIZE] if pk in rows]
    more = len(ranked) > PAGE_SIZE
    return Page(items=items, next_cursor=f"r{offset + PAGE_SIZE}" if more else None)


def _grouped_page(cases: QuerySet[Case], groups: list[Q], cursor: str | None) -> Page[Case]:
    """Group by group (each status in workflow order, each priority most urgent first),
    newest first within one. The keyset walks one group at a time (`keyset_page` sorts on
    the case's own columns, and neither the workflow order nor a priority's rank is one),
    so a page costs at most one query per group, at any depth."""
    start, inner = 0, None
    if cursor:
        match = GROUP_CURSOR.match(cursor)
        if match is None or int(match.group(1)) >= len(groups):
            raise _bad_cursor()
        start, inner = int(match.group(1)), match.group(2) or None
    items: list[Case] = []
    for index in range(start, len(groups)):
        page = keyset_page(
            cases.filter(groups[index]),
            ordering=NEWEST,
            cursor=inner if index == start else None,
            limit=PAGE_SIZE - len(items),
        )
        items.extend(page.items)
        if page.next_cursor:
            return Page(items=items, next_cursor=f"{index}.{page.next_cursor}")
        if len(items) >= PAGE_SIZE:
            more = index + 1 < len(groups)
            return Page(items=items, next_cursor=f"{index + 1}." if more else None)
    return Page(items=items, next_cursor=None)


def _customer_page(cases: QuerySet[Case], cursor: str | None) -> Page[Case]:
    """By customer name (A to Z), each customer's cases newest first: PostgreSQL walks the
    customers' name index and each one's cases through `cases_customer_idx`. The cursor
    holds the last row's customer name, customer, received time and id; `name >= last`
    bounds the name index, so a deep page starts where the last one ended."""
    cases = cases.order_by(*CUSTOMER_ORDER)
    if cursor:
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            name, customer_id, received, pk = json.loads(raw)
            received_at = datetime.fromisoformat(received)
            if not (isinstance(name, str) and isinstance(customer_id, int)):
                raise ValueError
            if not isinstance(pk, int) or received_at.tzinfo is None:
                raise ValueError
        except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
            raise _bad_cursor() from exc
        cases = cases.filter(customer__name__gte=name).filter(
            Q(customer__name__gt=name)
            | Q(customer__name=name, customer_id__gt=customer_id)
            | Q(customer_id=customer_id, received_at__lt=received_at)
            | Q(customer_id=customer_id, received_at=received_at, id__lt=pk)
        )
    rows = list(cases[: PAGE_SIZE + 1])
    if len(rows) <= PAGE_SIZE:
        return Page(items=rows, next_cursor=None)
    last = rows[PAGE_SIZE - 1]
    values = [last.customer.name, last.customer_id, last.received_at.isoformat(), last.pk]
    token = base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")
    return Page(items=rows[:PAGE_SIZE], next_cursor=token)


# The list joins only the tables of the rows' own columns; the priority, owner and team of each
# row come from the filter pickers' rows, which the page loads anyway (`_attach_choices`).
# Fewer joins plan faster on PostgreSQL (docs/performance.md).
ROW_RELATED = ("customer", "product", "unit")


def _attach_choices(cases: list[Case], choices: Choices) -> None:
    """Set each case's priority, owner and team from `choices`; the few not among them (an
    inactive owner, an archived team) come in one query each."""
    for attr, model, rows in (
        ("priority", Priority, choices.priorities),
        ("owner", User, choices.owners),
        ("team", Team, choices.teams),
    ):
        known = {row.pk: row for row in rows}
        missing = {getattr(c, f"{attr}_id") for c in cases} - known.keys() - {None}
        if missing:
            known |= model.objects.in_bulk(missing)
        for case in cases:
            pk = getattr(case, f"{attr}_id")
            setattr(case, attr, known.get(pk) if pk is not None else None)


# A saved view's badge counts up to this many cases, then says "999+".
VIEW_COUNT_LIMIT = 999


def _saved_view_counts(viewer: User) -> list[dict[str, Any]]:
    """The saved views with their counts, in one statement of capped COUNTs. Each is served
    by an index: "mine" and "unassigned" by the partial index of active cases per owner
    (cases_active_owner_idx, NULL owners included), "waiting" by (status, received_at) — and
    stops after VIEW_COUNT_LIMIT + 1 rows, so a queue of 40,000 unassigned cases costs what
    one of 1,000 does."""
    querysets = []
    for _key, _label, params in SAVED_VIEWS:
        owner = params.get("owner")
        querysets.append(
            selectors.case_list(
                viewer=viewer,
                status=params["status"],
                owner_id=viewer.pk if owner == "me" else None,
                unassigned=owner == "none",
            )
        )
    counts = selectors.counts_up_to(querysets, VIEW_COUNT_LIMIT)
    return [
        {
            "key": key,
            "label": label,
            "params": params,
            "query": urlencode(params, doseq=True),
            "count": number_format(count, force_grouping=True)
            if count <= VIEW_COUNT_LIMIT
            else f"{VIEW_COUNT_LIMIT}+",
        }
        for (key, label, params), count in zip(SAVED_VIEWS, counts, strict=True)
    ]


def _matches_view(form: CaseFilterForm, params: dict[str, Any]) -> bool:
    if not form.is_valid():
        return False
    data = form.cleaned_data
    meaningful = {
        name: value
        for name, value in data.items()
        if value not in (None, "", []) and name not in ("sort", "cursor")
    }
    wanted = {name: value for name, value in params.items()}
    return {k: sorted(v) if isinstance(v, list) else v for k, v in meaningful.items()} == {
        k: sorted(v) if isinstance(v, list) else v for k, v in wanted.items()
    }


# Column headers that sort: (column, sort when clicked, sort when clicked again)
SORT_HEADERS = (
    ("number", "number", "-number"),
    ("customer", "customer", "customer"),
    ("status", "status", "status"),
    ("priority", "priority", "priority"),
    ("received", "newest", "oldest"),
)


def _sort_headers(query: Any, sort: str) -> dict[str, dict[str, Any]]:
    """For each sortable column: the list's address sorted by it (the other direction when
    it is the current sort) and the `aria-sort` of its header."""
    headers = {}
    for column, first, second in SORT_HEADERS:
        current = sort in (first, second)
        target = second if sort == first and first != second else first
        direction = "descending" if sort in ("-number", "newest") else "ascending"
        headers[column] = {
            "query": _with(query, sort=target),
            "aria_sort": direction if current else "",
        }
    return headers


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The case list; for htmx (a filter change, the next page) only its rows."""
    if not can(request.user, "case.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    priorities = _priorities()
    choices = Choices(
        priorities=priorities,
        owners=_owners(),
        teams=_teams(),
        product_types=config.product_types() if can(request.user, "catalog.view") else [],
    )
    form = CaseFilterForm(request.GET, choices=choices, codes=config.codes())
    listing = Listing()
    snippets: dict[int, str] = {}
    if form.is_valid():
        kwargs = form.selector_kwargs(request.user)
        cases = selectors.case_list(viewer=request.user, related=ROW_RELATED, **kwargs)
        try:
            every = not kwargs and selectors.sees_every_case(request.user)
            listing = _list_cases(cases, form.cleaned_data, priorities, every=every)
        except DomainError as exc:
            form.add_error(None, exc.message)
        _attach_choices(listing.page.items, choices)
        if listing.words and listing.page.items:
            search = _search_module()
            snippets = search.snippets(
                [c.pk for c in listing.page.items],
                listing.words,
                whole_words=listing.whole_words,
            )
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "listing": listing,
        "page": listing.page,
        "rows": case_rows(listing.page.items, snippets=snippets),
        "searchable": listing.searchable,
        "first_query": query.urlencode(),
        "next_query": (
            _with(query, cursor=listing.page.next_cursor) if listing.page.next_cursor else ""
        ),
        "has_cursor": bool(request.GET.get("cursor")),
        "sort_headers": _sort_headers(query, listing.sort),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "desk/cases/_rows.html", context)
    context["views"] = _saved_view_counts(request.user)
    for view in context["views"]:
        view["active"] = _matches_view(form, view["params"])
    context["statuses"] = CaseStatus.choices
    context["can_create"] = can(request.user, "case.create")
    context["more_filters"] = any(
        request.GET.get(name)
        for name in ("product", "customer", "received_from", "received_to", "reason", "resolution")
    )
    return render(request, "desk/cases/list.html", context)


def _with(query: Any, **params: Any) -> str:
    query = query.copy()
    for name, value in params.items():
        query[name] = value
    return query.urlencode()


# --- opening a case -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    """Open a case; from the incoming-call screen with customer, unit and product prefilled
    (and the case type Caseflow suggests for the unit)."""
    if not can(request.user, "case.create"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    source = request.POST if request.method == "POST" else request.GET
    customer = _customer_from(source.get("customer", ""))
    contacts: list[Contact] = []
    units: list[Unit] = []
    if customer is not None:
        contacts = list(Contact.objects.filter(customer=customer).order_by("-is_primary", "name"))
        units = _units_of(customer, source.get("unit", ""))
    reason_codes, _resolution_codes = _codes()
    choices = Choices(priorities=_priorities(), reason_codes=reason_codes)
    context_extra: dict[str, Any] = {}
    if request.method == "POST":
        form = CaseOpenForm(
            request.POST, choices=choices, customer=customer, contacts=contacts, units=units
        )
        status = 422
        if form.is_valid():
            kwargs = form.service_kwargs()
            try:
                case = services.open_case(
                    actor=request.user,
                    owner=request.user if form.cleaned_data["take"] else None,
                    **kwargs,
                )
            except NotAllowed:
                return HttpResponseForbidden(_("Your role does not allow this."))
            except DomainError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                target = reverse("desk:case_detail", args=[case.pk])
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
    else:
        status = 200
        unit = units[0] if units and source.get("unit") else None
        product = unit.product if unit else _product_from(source.get("product", ""))
        suggested = services.suggest_case_type(unit, timezone.localdate())
        default = next((p for p in choices.priorities if p.is_default and p.active), None)
        form = CaseOpenForm(
            initial={
                "customer": customer.number if customer else "",
                "unit": str(unit.pk) if unit else "",
                "product": product.sku if product else "",
                "contact": next((str(c.pk) for c in contacts if c.is_primary), ""),
                "channel": Channel.PHONE,
                "case_type": suggested,
                "priority": default.code if default else "",
                "take": True,
            },
            choices=choices,
            customer=customer,
            contacts=contacts,
            units=units,
        )
        context_extra["suggested"] = CaseType(suggested).label
        if unit is not None:
            context_extra["cover"] = warranty_status(unit, timezone.localdate())
            context_extra["unit"] = unit
    return render(
        request,
        "desk/cases/new.html",
        {"form": form, "customer": customer, **context_extra},
        status=status,
    )


def _customer_from(value: str) -> Customer | None:
    value = value.strip()
    if not value:
        return None
    if value.isdigit() and len(value) <= 12:
        return Customer.objects.filter(pk=int(value)).first()
    return Customer.objects.filter(number__iexact=value[:20]).first()


def _product_from(value: str) -> Any:
    from caseflow.catalog.models import Product

    value = value.strip()
    if value.isdigit() and len(value) <= 12:
        return Product.objects.filter(pk=int(value)).first()
    return Product.objects.filter(sku__iexact=value[:40]).first() if value else None


def _units_of(customer: Customer, wanted: str) -> list[Unit]:
    """The customer's registered units, and the unit asked for (first) even if unregistered."""
    registered = Registration.objects.filter(customer=customer, ended_at__isnull=True).values(
        "unit_id"
    )
    units = list(
        Unit.objects.filter(pk__in=registered, archived_at__isnull=True)
        .select_related("product")
        .order_by("serial")[:200]
    )
    if wanted.isdigit() and len(wanted) <= 12:
        first = next((u for u in units if u.pk == int(wanted)), None)
        if first is None:
            first = Unit.objects.select_related("product").filter(pk=int(wanted)).first()
        if first is not None:
            units = [first, *(u for u in units if u.pk != first.pk)]
    return units


# --- the detail ---------------------------------------------------------------------------


def load_case(request: HttpRequest, pk: int) -> Case:
    """The case as the viewer may see it, or 404 (shared with the channels' case actions)."""
    try:
        return selectors.case_detail(viewer=request.user, case_id=pk)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


@dataclass
class Allowed:
    """Which controls the viewer sees on this case (the services refuse the rest anyway)."""

    event: bool
    status: bool
    take: bool
    assign: bool
    update: bool
    supply: bool
    resolve: bool
    close: bool
    reopen: bool

    @classmethod
    def on(cls, user: User, case: Case) -> Allowed:
        closed = case.status == CaseStatus.CLOSED
        return cls(
            event=can(user, "case.event") and not closed,
            status=can(user, "case.status") and bool(allowed_statuses(case)),
            take=can(user, "case.update") and not closed and case.owner_id != user.pk,
            assign=can(user, "case.assign") and not closed,
            update=can(user, "case.update") and not closed,
            supply=can(user, "case.supply") and not closed,
            resolve=can(user, "case.resolve") and CaseStatus.RESOLVED in TRANSITIONS[case.status],
            close=can(user, "case.close") and case.status == CaseStatus.RESOLVED,
            reopen=can(user, "case.reopen")
            and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED),
        )

    @property
    def workflow(self) -> bool:
        return any((self.status, self.take, self.assign, self.resolve, self.close, self.reopen))


# The action forms a case page loads only when the agent opens them (htmx, on the <details>
# toggle): their selects and widgets are most of a page's rendering, and most visits open
# none. The note (the commonest action) and the one-button forms stay on the page.
LAZY_ACTIONS = ("call", "status", "assign", "edit", "supply", "resolve")
# Which choice lists each form needs.
NEEDS = {
    "assign": ("owners", "teams"),
    "edit": ("priorities", "codes"),
    "resolve": ("codes",),
}


@dataclass
class LazyForm:
    """Stands in for an action form on the case page until the agent opens it."""

    url: str  # the form alone (htmx)
    page_url: str  # the case page with the form open (no JavaScript)
    lazy: bool = True
    is_bound: bool = False
    opened: bool = False


def _choices_for(names: set[str]) -> Choices:
    """Only the select lists the built forms need (cached configuration rows)."""
    needs = {need for name in names for need in NEEDS.get(name, ())}
    choices = Choices()
    if "priorities" in needs:
        choices.priorities = _priorities()
    if "owners" in needs:
        choices.owners = _owners()
        choices.teams = _teams()
    if "codes" in needs:
        choices.reason_codes, choices.resolution_codes = _codes()
    return choices


def _allowed_forms(allowed: Allowed) -> list[str]:
    """The action forms the viewer may use on this case, in page order."""
    shown = {
        "note": allowed.event,
        "call": allowed.event,
        "status": allowed.status,
        "assign": allowed.assign,
        "edit": allowed.update,
        "supply": allowed.supply,
        "resolve": allowed.resolve,
        "close": allowed.close,
        "reopen": allowed.reopen,
    }
    return [name for name, ok in shown.items() if ok]


def _build_form(name: str, case: Case, choices: Choices) -> forms.Form:
    """The unbound form `name` for the case as it is now."""
    version = {"version": case.version}
    if name == "note":
        return NoteForm()
    if name == "call":
        return CallForm()
    if name == "status":
        return StatusForm(initial=version, case=case)
    if name == "assign":
        initial = {**version, "owner": str(case.owner_id or ""), "team": str(case.team_id or "")}
        return AssignForm(initial=initial, choices=choices)
    if name == "edit":
        return DetailsForm(initial=DetailsForm.initial_for(case), choices=choices, case=case)
    if name == "supply":
        return SupplyForm()
    if name == "resolve":
        return ResolveForm(initial=ResolveForm.initial_for(case), choices=choices, case=case)
    if name == "close":
        return CloseForm(initial=version)
    if name == "reopen":
        return ReopenForm(initial=version)
    raise ValueError(name)


def _forms(
    case: Case, allowed: Allowed, bound: dict[str, forms.Form], opened: str = ""
) -> dict[str, Any]:
    """Every action form the viewer may use: bound ones as they were posted, the lazy ones
    as placeholders (unless `opened` names one: the page without JavaScript), the rest
    built."""
    names = _allowed_forms(allowed)
    eager = {n for n in names if n not in bound and (n not in LAZY_ACTIONS or n == opened)}
    choices = _choices_for(eager)
    built: dict[str, Any] = dict.fromkeys(
        ("note", "call", "status", "assign", "edit", "supply", "resolve", "close", "reopen")
    )
    base = reverse("desk:case_detail", args=[case.pk])
    for name in names:
        if name in bound:
            built[name] = bound[name]
        elif name in eager:
            built[name] = _build_form(name, case, choices)
            built[name].opened = name == opened
        else:
            query = urlencode({"version": case.version})
            built[name] = LazyForm(
                url=f"{base}forms/{name}/?{query}", page_url=f"{base}?{urlencode({'open': name})}"
            )
    return built


def _chips(case: Case, active: list[str]) -> list[dict[str, Any]]:
    base = reverse("desk:case_timeline", args=[case.pk])
    chips = []
    for key, label, _categories in CHIPS:
        toggled = [k for k in active if k != key] if key in active else [*active, key]
        query = urlencode({"show": toggled}, doseq=True)
        chips.append(
            {
                "key": key,
                "label": label,
                "active": key in active,
                "url": f"{base}?{query}" if query else base,
            }
        )
    return chips


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


# Field names for "details changed" where the model has none of its own for a reader.
FIELD_LABELS = {
    "reason_general": gettext_lazy("Reason (general)"),
    "reason_specific": gettext_lazy("Reason (specific)"),
    "resolution_general": gettext_lazy("Resolution (general)"),
    "resolution_specific": gettext_lazy("Resolution (specific)"),
}
# What a "resolved" event keeps of its codes: the data key and the kind of code.
RESOLVED_CODES: tuple[tuple[str, str], ...] = (
    ("general", CodeKind.RESOLUTION),
    ("specific", CodeKind.RESOLUTION),
    ("reason_general", CodeKind.REASON),
    ("reason_specific", CodeKind.REASON),
)


def _code_names(events: list[TimelineEvent]) -> dict[tuple[str, str], str]:
    """The codes the page's "resolved" events name, with their names (archived ones too):
    one query, none when the page has no such event."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.event_type.code == "resolved" and isinstance(event.data, dict):
            for key, kind in RESOLVED_CODES:
                if isinstance(event.data.get(key), str):
                    wanted.setdefault(kind, set()).add(event.data[key])
    if not wanted:
        return {}
    query = Q()
    for wanted_kind, values in wanted.items():
        query |= Q(kind=wanted_kind, code__in=values)
    return {(c.kind, c.code): str(c) for c in Code.objects.filter(query)}


def _resolved_summary(data: dict[str, Any], names: dict[tuple[str, str], str]) -> str:
    def named(key: str, kind: str) -> str:
        value = data.get(key)
        return names.get((kind, value), str(value)) if value else ""

    resolution = " / ".join(filter(None, (named(k, kind) for k, kind in RESOLVED_CODES[:2])))
    reason = " / ".join(filter(None, (named(k, kind) for k, kind in RESOLVED_CODES[2:])))
    if reason:
        return _("%(resolution)s · reason: %(reason)s") % {
            "resolution": resolution,
            "reason": reason,
        }
    return resolution


def _describe(events: list[TimelineEvent]) -> None:
    """What a system event changed, in words (owner, team and code names: three queries at
    most)."""
    owner_ids = {e.data.get("owner") for e in events if e.event_type.code == "assigned"}
    team_ids = {e.data.get("team") for e in events if e.event_type.code == "assigned"}
    owner_ids.discard(None)
    team_ids.discard(None)
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)} if owner_ids else {}
    teams = {t.pk: t.name for t in Team.objects.filter(pk__in=team_ids)} if team_ids else {}
    code_names = _code_names(events)
    fields: dict[str, str] = {}
    when = short_datetime()
    for event in events:
        data, code = event.data or {}, event.event_type.code
        summary = ""
        if code == "status_changed":
            before, after = data.get("before"), data.get("after")
            summary = f"{_label(CaseStatus, before)} → {_label(CaseStatus, after)}"
        elif code == "reopened":
            summary = _("was %(status)s") % {"status": _label(CaseStatus, data.get("before"))}
        elif code == "assigned":
            summary = _("owner: %(owner)s · team: %(team)s") % {
                "owner": users.get(data.get("owner"), _("nobody")),
                "team": teams.get(data.get("team"), "—"),
            }
        elif code == "field_changed":
            fields = fields or {
                f.name: str(FIELD_LABELS.get(f.name, f.verbose_name)) for f in Case._meta.fields
            }
            summary = ", ".join(fields.get(str(name), str(name)) for name in data.get("fields", []))
        elif code == "resolved":
            summary = _resolved_summary(data, code_names)
        elif code == "created" and data.get("case_type"):
            summary = _label(CaseType, data["case_type"])
        event.summary = summary  # type: ignore[attr-defined]
        event.duration_text = duration_text(event.call_duration)  # type: ignore[attr-defined]
        event.when = when(event.occurred_at)  # type: ignore[attr-defined]
        event.when_iso = event.occurred_at.isoformat()  # type: ignore[attr-defined]


def _timeline_context(case: Case, show: list[str], cursor: str | None) -> dict[str, Any]:
    show = [key for key, _label, _c in CHIPS if key in show]
    categories = [str(c) for key, _label, cats in CHIPS if key in show for c in cats]
    events = selectors.timeline(case=case, categories=categories or None, join_types=False)
    page = keyset_page(events, ordering=EVENT_ORDER, cursor=cursor, limit=TIMELINE_PAGE)
    config.attach_event_types(page.items)
    _describe(page.items)
    attach_outbound(page.items)  # each outgoing mail's status (queued / sent / failed)
    older = ""
    if page.next_cursor:
        older = urlencode({"show": show, "cursor": page.next_cursor}, doseq=True)
    return {
        "events": page.items,
        "older_url": f"{reverse('desk:case_timeline', args=[case.pk])}?{older}" if older else "",
        "chips": _chips(case, show),
        "show": show,
    }


def _detail_context(
    request: HttpRequest,
    case: Case,
    bound: dict[str, forms.Form] | None = None,
    opened: str = "",
) -> dict[str, Any]:
    user = request.user
    allowed = Allowed.on(user, case)
    # priority, owner and team: not joined by the selector, taken from the cached rows
    _attach_choices([case], Choices(priorities=_priorities(), owners=_owners(), teams=_teams()))
    lines = case.active_supplies  # type: ignore[attr-defined]
    context: dict[str, Any] = {
        "case": case,
        "allowed": allowed,
        "forms": _forms(case, allowed, bound or {}, opened),
        "lines": lines,
        "totals": selectors.supply_totals(lines),
        "cover": warranty_status(case.unit, timezone.localdate()) if case.unit else None,
        "case_type_overridden": case.case_type != case.suggested_case_type,
        **_timeline_context(case, [], None),
    }
    return context


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The case: header, details, supplies, timeline, and the actions the viewer may take."""
    case = load_case(request, pk)
    opened = request.GET.get("open", "")
    context = _detail_context(request, case, opened=opened if opened in LAZY_ACTIONS else "")
    # "Log the call" from the incoming-call notice: the PBX's call prefills the call form.
    prefill = call_selectors.call_form_prefill(request.GET.get("call"))
    if prefill and context["forms"]["call"] is not None:
        context["forms"]["call"] = CallForm(initial=prefill)
        context["forms"]["call"].opened = True
    return render(request, "desk/cases/detail.html", context)


@login_required
@require_GET
def case_action_form(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """One action form, loaded when the agent opens it on the case page (htmx). It carries
    the version the page showed, so a change by someone else in between still answers
    "changed by … at …" on saving. Without htmx: the case page with the form open."""
    if name not in LAZY_ACTIONS:
        raise Http404(_("No such form."))
    if not request.htmx:
        return redirect(f"{reverse('desk:case_detail', args=[pk])}?{urlencode({'open': name})}")
    case = load_case(request, pk)
    if name not in _allowed_forms(Allowed.on(request.user, case)):
        return HttpResponseForbidden(_("You cannot do this on this case now."))
    form = _build_form(name, case, _choices_for({name}))
    shown = request.GET.get("version", "")
    if "version" in form.fields and shown.isdigit():
        form.initial["version"] = int(shown)
    return render(request, f"desk/cases/_form_{name}.html", {"case": case, "form": form})


@login_required
@require_GET
def case_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The timeline filtered by the chips; with a cursor, only the next older events."""
    case = load_case(request, pk)
    cursor = request.GET.get("cursor") or None
    try:
        context = _timeline_context(case, request.GET.getlist("show"), cursor)
    except DomainError:
        context = _timeline_context(case, request.GET.getlist("show"), None)
        cursor = None
    context["case"] = case
    template = "desk/cases/_events.html" if cursor else "desk/cases/_timeline.html"
    if not request.htmx:
        return redirect("desk:case_detail", pk=pk)
    return render(request, template, context)


@login_required
@require_GET
def case_attachment(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A file of the timeline, always as a download: never rendered in our origin."""
    if not selectors.cases_visible_to(request.user).filter(pk=pk).exists():
        raise Http404(_("No such case."))
    attachment = Attachment.objects.filter(pk=attachment_id, event__case_id=pk).first()
    if attachment is None:
        raise Http404(_("No such file."))
    return attachment_response(attachment)


@login_required
@require_GET
def specific_code_options(request: HttpRequest) -> HttpResponse:
    """The <option>s of the specific reason or resolution codes under the chosen general one
    (`?reason_general=` or `?resolution_general=`, as the general select sends itself)."""
    if not can(request.user, "case.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    kind = CodeKind.REASON if "reason_general" in request.GET else CodeKind.RESOLUTION
    general = request.GET.get(f"{kind}_general", "")
    options = []
    if general.isdigit() and len(general) <= 12:
        codes = list(selectors.codes(kind=kind, parent_id=int(general)))
        options = specific_codes(codes, general)
    return HttpResponse(code_options(options, None, specific=True))


# --- actions ------------------------------------------------------------------------------

# Service fields that a form calls differently.
FIELD_ALIASES = {"call_duration": "duration", "call_outcome": "outcome"}


def add_service_error(form: forms.Form, exc: DomainError) -> None:
    """Put the service's message on the field it names, or above the form."""
    name = exc.field or ""
    name = FIELD_ALIASES.get(name, name)
    if name not in form.fields and name.endswith("_id"):
        name = name[: -len("_id")]
    form.add_error(name if name in form.fields else None, exc.message)


def _act(
    request: HttpRequest,
    pk: int,
    name: str,
    build: Callable[[Case], forms.Form],
    perform: Callable[[Case, Any], Any],
    done: str,
) -> HttpResponse:
    """Validate the form, call one service, answer the changed page parts or the form."""
    case = load_case(request, pk)
    form = build(case)
    status = 422
    conflict = False
    if form.is_valid():
        try:
            perform(case, form)
        except NotAllowed as exc:
            if exc.field is None:  # the role lacks the capability: nothing to correct here
                return HttpResponseForbidden(exc.message)
            add_service_error(form, exc)  # allowed in general, not this choice (an owner)
        except Conflict as exc:
            form.add_error(None, exc.message)
            status, conflict = 409, True
        except DomainError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done % {"number": case.number})
            return case_changed(request, pk, name)
    if request.htmx:
        context = {"case": case, "form": form, "conflict": conflict}
        return render(request, f"desk/cases/_form_{name}.html", context, status=status)
    context = _detail_context(request, case, bound={name: form})
    context["conflict"] = conflict
    return render(request, "desk/cases/detail.html", context, status=status)


def case_changed(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The answer to a successful case action: every page part out of band (shared with the
    channels' case actions, so a reply refreshes the page like a note)."""
    if not request.htmx:
        return redirect("desk:case_detail", pk=pk)
    case = load_case(request, pk)
    context = _detail_context(request, case)
    context["acted"] = name
    response = render(request, "desk/cases/_changed.html", context)
    # Everything arrives out of band; the acting form's own target is left alone.
    response["HX-Reswap"] = "none"
    response["HX-Trigger"] = json.dumps(
        {"caseChanged": {"id": case.pk, "version": case.version, "action": name}}
    )
    return response


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: NoteForm) -> None:
        uploads = [
            services.Upload(name=f.name, content=f.read()) for f in form.cleaned_data["files"]
        ]
        services.record_event(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            event_type="note",
            text=form.cleaned_data["text"],
            uploads=uploads,
        )

    return _act(
        request,
        pk,
        "note",
        lambda case: NoteForm(request.POST, request.FILES),
        perform,
        _("Note added to %(number)s."),
    )


@login_required
@require_POST
def case_call(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: CallForm) -> None:
        call_services.log_call(
            actor=request.user,
            case=case,
            direction=form.cleaned_data["direction"],
            number=form.cleaned_data["number"],
            text=form.cleaned_data["text"],
            duration=form.cleaned_data["duration"],
            outcome=form.cleaned_data["outcome"],
            call=call_selectors.unlogged_call(form.cleaned_data["call"]),
        )

    return _act(
        request, pk, "call", lambda case: CallForm(request.POST), perform, _("Call logged.")
    )


@login_required
@require_POST
def case_status(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: StatusForm) -> None:
        services.change_status(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            status=form.cleaned_data["status"],
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )

    return _act(
        request,
        pk,
        "status",
        lambda case: StatusForm(request.POST, case=case),
        perform,
        _("Status of %(number)s changed."),
    )


@login_required
@require_POST
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: AssignForm) -> None:
        services.assign_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )

    def build(case: Case) -> AssignForm:
        owners = _owners()
        if request.POST.get("take") and request.user not in owners:
            owners.append(request.user)
        data = request.POST.copy()
        if data.get("take"):
            data["owner"] = str(request.user.pk)
            data["team"] = ""
        return AssignForm(data, choices=Choices(owners=owners, teams=_teams()))

    name = "take" if request.POST.get("take") else "assign"
    return _act(request, pk, name, build, perform, _("%(number)s assigned."))


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: DetailsForm) -> None:
        services.update_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.changes(),
        )

    return _act(
        request,
        pk,
        "edit",
        lambda case: DetailsForm(
            request.POST,
            choices=Choices(priorities=_priorities(), reason_codes=_codes()[0]),
            case=case,
        ),
        perform,
        _("Details of %(number)s saved."),
    )


@login_required
@require_POST
def case_supply_add(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: SupplyForm) -> None:
        data = form.cleaned_data
        services.add_supply(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            product=data["product"],
            quantity=data["quantity"],
            unit_price=data["unit_price"],
            description=data["description"],
        )

    return _act(
        request, pk, "supply", lambda case: SupplyForm(request.POST), perform, _("Supply added.")
    )


@login_required
@require_POST
def case_supply_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    """Take a supply line off; on refusal the supplies come back with the message."""
    case = load_case(request, pk)
    line = SupplyLine.objects.filter(pk=line_id, case_id=case.pk).first()
    if line is None:
        raise Http404(_("This supply line is not on the case."))
    try:
        services.remove_supply(actor=request.user, channel=Channel.UI, case=case, line=line)
    except NotAllowed as exc:
        return HttpResponseForbidden(exc.message)
    except DomainError as exc:
        if not request.htmx:
            messages.error(request, exc.message)
            return redirect("desk:case_detail", pk=pk)
        context = _detail_context(request, case)
        context["supply_error"] = exc.message
        return render(request, "desk/cases/_supplies.html", context, status=422)
    messages.success(request, _("Supply removed."))
    return case_changed(request, pk, "supply")


@login_required
@require_POST
def case_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: ResolveForm) -> None:
        services.resolve_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            **form.service_kwargs(),
        )

    def build(case: Case) -> ResolveForm:
        reason_codes, resolution_codes = _codes()
        choices = Choices(reason_codes=reason_codes, resolution_codes=resolution_codes)
        return ResolveForm(request.POST, choices=choices, case=case)

    return _act(request, pk, "resolve", build, perform, _("%(number)s resolved."))


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: CloseForm) -> None:
        services.close_case(
            actor=request.user, channel=Channel.UI, case=case, version=form.cleaned_data["version"]
        )

    return _act(
        request, pk, "close", lambda case: CloseForm(request.POST), perform, _("%(number)s closed.")
    )


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    def perform(case: Case, form: ReopenForm) -> None:
        services.reopen_case(
            actor=request.user,
            channel=Channel.UI,
            case=case,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )

    return _act(
        request,
        pk,
        "reopen",
        lambda case: ReopenForm(request.POST),
        perform,
        _("%(number)s reopened."),
    )


urlpatterns = [
    path("cases/", case_list, name="cases"),
    path("cases/new/", case_new, name="case_new"),
    path("cases/specific-codes/", specific_code_options, name="case_specific_codes"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/timeline/", case_timeline, name="case_timeline"),
    path("cases/<int:pk>/forms/<str:name>/", case_action_form, name="case_action_form"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        case_attachment,
        name="case_attachment",
    ),
    path("cases/<int:pk>/note/", case_note, name="case_note"),
    path("cases/<int:pk>/call/", case_call, name="case_call"),
    path("cases/<int:pk>/status/", case_status, name="case_status"),
    path("cases/<int:pk>/assign/", case_assign, name="case_assign"),
    path("cases/<int:pk>/details/", case_edit, name="case_edit"),
    path("cases/<int:pk>/supplies/", case_supply_add, name="case_supply_add"),
    path(
        "cases/<int:pk>/supplies/<int:line_id>/remove/",
        case_supply_remove,
        name="case_supply_remove",
    ),
    path("cases/<int:pk>/resolve/", case_resolve, name="case_resolve"),
    path("cases/<int:pk>/close/", case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", case_reopen, name="case_reopen"),
]
