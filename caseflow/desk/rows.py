"""The case list's rows as plain strings, prepared in Python.

The case list shows 50 rows of ten cells on every page and every filter change. Through the
template language those cells cost ~10 ms of CPU per page (a `reverse()` and two `date`
filters per row, `truncatechars`, the choice labels); printed here, column by column, from
the registered list columns (`caseflow.ui.registry.ListColumn`: the desk's own below, any
app's beside them), a row is one string the template prints as it is.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseflow.cases.models import Case
from caseflow.ui.registry import ListColumn, ListContext, registry
from caseflow.ui.text import short_datetime

# The marks the case search puts around a matched word in a snippet (caseflow.cases.search).
SNIPPET_START, SNIPPET_STOP = "\ue000", "\ue001"
SNIPPET_CHARS = 240  # of text shown, marks not counted
_MARKS = re.compile(f"({SNIPPET_START}|{SNIPPET_STOP})")
_BLANKS = re.compile(r"\s+")

# A primary key no row has: reversed once, then replaced by each row's key.
_PK_SLOT = 987654321


def pk_url(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[pk])` for many keys at the cost of one `reverse()`."""
    template = reverse(name, args=[_PK_SLOT])
    slot = str(_PK_SLOT)
    return lambda pk: template.replace(slot, str(pk))


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, the last one an ellipsis when it was longer."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def highlight(snippet: str, limit: int = SNIPPET_CHARS) -> SafeString:
    """A search snippet as HTML: the text escaped (it is the customer's), each matched word
    in `<mark>`, at most `limit` characters. Marks come from the search, but the text around
    them is the customer's and may hold the same characters: a mark is only taken where it
    opens or closes one, anything else is dropped, so every `<mark>` is closed. Runs of
    blanks and line breaks print as one blank."""
    parts: list[str] = []
    inside, shown = False, 0
    for piece in _MARKS.split(snippet):
        if piece == SNIPPET_START:
            if not inside:
                parts.append("<mark>")
                inside = True
            continue
        if piece == SNIPPET_STOP:
            if inside:
                parts.append("</mark>")
                inside = False
            continue
        text = _BLANKS.sub(" ", piece)[: max(0, limit - shown)]  # line breaks of a mail
        shown += len(text)
        parts.append(escape(text))
        if shown >= limit:
            parts.append("…")
            break
    if inside:
        parts.append("</mark>")
    return SafeString("".join(parts))  # every piece of text was escaped above


def case_rows(
    cases: Sequence[Case], *, viewer: Any = None, snippets: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """One dict per case: its `pk` and its `cells`, the row's <td>s of every registered list
    column (`caseflow.ui.registry.ListColumn`) as one piece of HTML. The cases come with their
    customer, product, unit, priority, owner and team loaded; `snippets` (a keyword search)
    say why a case matched, by case id."""
    context = ListContext(viewer=viewer, snippets=snippets or {})
    columns = [
        (f'<td class="{escape(c.css)}">' if c.css else "<td>", c.cells(cases, context))
        for c in registry.list_columns()
    ]
    return [
        {
            "pk": case.pk,
            "cells": SafeString(
                "".join(f"{td}{conditional_escape(cells[n])}</td>" for td, cells in columns)
            ),
        }
        for n, case in enumerate(cases)
    ]


# --- the desk's own columns ----------------------------------------------------------------


def _number(cases: Sequence[Case], context: ListContext) -> list[str]:
    url = pk_url("desk:case_detail")
    return [
        SafeString(f'<a class="fw-semibold" href="{url(c.pk)}">{html.escape(c.number)}</a>')
        for c in cases
    ]


def _subject(cases: Sequence[Case], context: ListContext) -> list[str]:
    cells = []
    for case in cases:
        cell = html.escape(clip(case.subject, 90))
        snippet = context.snippets.get(case.pk)
        if snippet:
            cell += (
                '<div class="case-snippet small text-body-secondary" data-testid="case-snippet">'
                f"{highlight(snippet)}</div>"
            )
        cells.append(SafeString(cell))
    return cells


def _customer(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [clip(case.customer.name, 40) for case in cases]


def _product(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [
        (case.product.sku if case.product else "") + (f" · {case.unit.serial}" if case.unit else "")
        for case in cases
    ]


def _status(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [
        SafeString(
            f'<span class="badge case-status status-{html.escape(case.status)}">'
            f"{html.escape(case.get_status_display())}</span>"
        )
        for case in cases
    ]


def _priority(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [
        SafeString(
            f'<span class="priority-rank-{case.priority.rank}">'
            f"{html.escape(case.priority.name)}</span>"
        )
        for case in cases
    ]


def _case_type(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [case.get_case_type_display() for case in cases]


def _owner(cases: Sequence[Case], context: ListContext) -> list[str]:
    unassigned = html.escape(_("unassigned"))
    nobody = SafeString(f'<span class="text-body-secondary">{unassigned}</span>')
    return [str(case.owner) if case.owner else nobody for case in cases]


def _team(cases: Sequence[Case], context: ListContext) -> list[str]:
    return [case.team.name if case.team else "" for case in cases]


def _received(cases: Sequence[Case], context: ListContext) -> list[str]:
    when = short_datetime()
    cells = []
    for case in cases:
        at = case.received_at
        cells.append(
            SafeString(f'<time datetime="{at.isoformat()}">{html.escape(when(at))}</time>')
        )
    return cells


COLUMNS = (
    ListColumn("number", gettext_lazy("Number"), _number, order=10, sort=("number", "-number")),
    ListColumn("subject", gettext_lazy("Subject"), _subject, order=20, css="subject"),
    ListColumn(
        "customer",
        gettext_lazy("Customer"),
        _customer,
        order=30,
        sort=("customer", "customer"),
        css="wrap",
    ),
    ListColumn("product", gettext_lazy("Product / unit"), _product, order=40),
    ListColumn("status", gettext_lazy("Status"), _status, order=50, sort=("status", "status")),
    ListColumn(
        "priority", gettext_lazy("Priority"), _priority, order=60, sort=("priority", "priority")
    ),
    ListColumn("type", gettext_lazy("Type"), _case_type, order=70),
    ListColumn("owner", gettext_lazy("Owner"), _owner, order=80, css="wrap"),
    ListColumn("team", gettext_lazy("Team"), _team, order=90, css="wrap"),
    ListColumn(
        "received", gettext_lazy("Received"), _received, order=100, sort=("newest", "oldest")
    ),
)
