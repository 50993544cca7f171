"""The header search: cases (full text, best or newest first; or an exact case number),
customers and units, each section from an indexed lookup."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from caseflow.accounts.roles import can
from caseflow.cases.numbers import looks_like_case_number
from caseflow.desk import selectors
from caseflow.desk.forms.incoming import CallerSearchForm


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = CallerSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context = {
        "q": q,
        "searchable": selectors.search_available() or looks_like_case_number(q),
        "found": selectors.CasesFound(),
        "candidates": None,
    }
    if q:
        if can(request.user, "case.view"):
            context["found"] = selectors.cases_found(viewer=request.user, text=q)
        if can(request.user, "customer.view"):
            context["candidates"] = selectors.caller_candidates(q, viewer=request.user, limit=20)
    return render(request, "desk/search/results.html", context)


urlpatterns = [
    path("search/", search, name="search"),
]
