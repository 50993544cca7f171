"""The case list: filters, saved views with their counts, sortable headers, the rows."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
)
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from caseflow.accounts.models import User
from caseflow.accounts.roles import can
from caseflow.cases import config, selectors
from caseflow.cases.models import (
    CaseStatus,
)
from caseflow.core.errors import DomainError
from caseflow.desk.forms.cases import (
    SAVED_VIEWS,
    CaseFilterForm,
    Choices,
)
from caseflow.desk.rows import case_rows
from caseflow.desk.views.cases.common import (
    ROW_RELATED,
    attach_choices,
    with_params,
)
from caseflow.desk.views.cases.paging import Listing, list_cases, search_module
from caseflow.ui.registry import registry

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


def _headers(query: Any, sort: str) -> list[dict[str, Any]]:
    """The registered columns' headers; a sortable one links to the list sorted by it (the
    other direction when it is the current sort) and carries its `aria-sort`."""
    headers = []
    for column in registry.list_columns():
        header = {"name": column.name, "label": column.label, "query": "", "aria_sort": ""}
        if column.sort is not None:
            first, second = column.sort
            target = second if sort == first and first != second else first
            header["query"] = with_params(query, sort=target)
            if sort in column.sort:
                descending = sort in ("-number", "newest")
                header["aria_sort"] = "descending" if descending else "ascending"
        headers.append(header)
    return headers


# Filters under "more filters": the details element starts open when one is used.
MORE_FILTERS = ("product", "customer", "received_from", "received_to", "reason", "resolution")


def _listing(
    request: HttpRequest, form: CaseFilterForm, choices: Choices
) -> tuple[Listing, dict[int, str]]:
    """The page of cases the filters ask for, with the search's snippets (by case id)."""
    if not form.is_valid():
        return Listing(), {}
    kwargs = form.selector_kwargs(request.user)
    cases = selectors.case_list(viewer=request.user, related=ROW_RELATED, **kwargs)
    narrowed = form.narrow(cases)
    listing = Listing()
    try:
        every = not kwargs and narrowed is cases and selectors.sees_every_case(request.user)
        listing = list_cases(narrowed, form.cleaned_data, choices.priorities, every=every)
    except DomainError as exc:
        form.add_error(None, exc.message)
    attach_choices(listing.page.items, choices)
    snippets: dict[int, str] = {}
    if listing.words and listing.page.items:
        snippets = search_module().snippets(
            [c.pk for c in listing.page.items], listing.words, whole_words=listing.whole_words
        )
    return listing, snippets


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The case list; for htmx (a filter change, the next page) only its rows."""
    if not can(request.user, "case.view"):
        return HttpResponseForbidden(_("Your role does not allow this."))
    choices = Choices(
        priorities=config.priorities(),
        owners=config.owners(),
        teams=config.teams(),
        product_types=config.product_types() if can(request.user, "catalog.view") else [],
    )
    form = CaseFilterForm(request.GET, choices=choices, codes=config.codes())
    listing, snippets = _listing(request, form, choices)
    query = request.GET.copy()
    query.pop("cursor", None)
    next_cursor = listing.page.next_cursor
    context = {
        "form": form,
        "listing": listing,
        "page": listing.page,
        "rows": case_rows(listing.page.items, viewer=request.user, snippets=snippets),
        "searchable": listing.searchable,
        "first_query": query.urlencode(),
        "next_query": with_params(query, cursor=next_cursor) if next_cursor else "",
        "has_cursor": bool(request.GET.get("cursor")),
        "headers": _headers(query, listing.sort),
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "desk/cases/_rows.html", context)
    context["views"] = _saved_view_counts(request.user)
    for view in context["views"]:
        view["active"] = _matches_view(form, view["params"])
    context["statuses"] = CaseStatus.choices
    context["can_create"] = can(request.user, "case.create")
    more = (*MORE_FILTERS, *(f.name for f in registry.list_filters()))
    context["more_filters"] = any(request.GET.get(name) for name in more)
    return render(request, "desk/cases/list.html", context)
