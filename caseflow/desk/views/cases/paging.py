"""The case list's counting, ordering and pages: which index serves which sort, keyset and
grouped pages, the keyword search's pages."""

from __future__ import annotations

import base64
import binascii
import importlib
import importlib.util
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet, Subquery, prefetch_related_objects
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from caseflow.cases import selectors
from caseflow.cases.models import (
    Case,
    CaseStatus,
    Priority,
)
from caseflow.cases.numbers import looks_like_case_number
from caseflow.core.errors import DomainError
from caseflow.core.pagination import Page, cursor_after, cursor_values, keyset_page
from caseflow.desk.views.cases.common import ROW_RELATED

PAGE_SIZE = 50
NEWEST = ("-received_at", "-id")
OLDEST = ("received_at", "id")
SEARCH_MODULE = "caseflow.cases.search"

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


def search_module() -> Any:
    if importlib.util.find_spec(SEARCH_MODULE) is None:
        return None
    return importlib.import_module(SEARCH_MODULE)


def list_cases(
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
    search = search_module()
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
