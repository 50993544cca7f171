"""The case's timeline: filter chips, each entry as its app registered it, pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy

from caseflow.cases import config, selectors
from caseflow.cases.models import (
    Case,
    EventCategory,
    TimelineEvent,
)
from caseflow.core.pagination import keyset_page
from caseflow.ui.registry import registry
from caseflow.ui.text import duration_text, short_datetime

TIMELINE_PAGE = 50
EVENT_ORDER = ("-occurred_at", "-id")
# Timeline filter chips: label and the event categories each one shows.
CHIPS = (
    ("call", gettext_lazy("Calls"), (EventCategory.CALL,)),
    ("email", gettext_lazy("E-mails"), (EventCategory.EMAIL, EventCategory.SMS)),
    ("note", gettext_lazy("Notes"), (EventCategory.NOTE, EventCategory.SCHEDULING)),
    ("system", gettext_lazy("System"), (EventCategory.SYSTEM,)),
)


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


def describe(events: list[TimelineEvent]) -> None:
    """Give each event what the timeline shows of it: the registered entry's summary and
    body partial (`caseflow.ui.registry.TimelineEntry`: each type's summaries and data read
    once for the page; entries that share a `prepare` read it in one go), its time and
    call duration as people read them."""
    when = short_datetime()
    groups: dict[str, list[TimelineEvent]] = {}
    for event in events:
        event.summary = ""  # type: ignore[attr-defined]
        event.body_template = None  # type: ignore[attr-defined]
        event.duration_text = duration_text(event.call_duration)  # type: ignore[attr-defined]
        event.when = when(event.occurred_at)  # type: ignore[attr-defined]
        event.when_iso = event.occurred_at.isoformat()  # type: ignore[attr-defined]
        groups.setdefault(event.event_type.code, []).append(event)
    entries = registry.timeline_entries()
    prepared: dict[Any, list[TimelineEvent]] = {}
    for code, group in groups.items():
        entry = entries.get(code)
        if entry is None:
            continue
        if entry.prepare is not None:
            prepared.setdefault(entry.prepare, []).extend(group)
        if entry.summarize is not None:
            for event, summary in zip(group, entry.summarize(group), strict=True):
                event.summary = summary  # type: ignore[attr-defined]
        if entry.template is not None:
            for event in group:
                event.body_template = entry.template  # type: ignore[attr-defined]
    for prepare, group in prepared.items():
        prepare(group)


def timeline_context(case: Case, show: list[str], cursor: str | None) -> dict[str, Any]:
    show = [key for key, _label, _c in CHIPS if key in show]
    categories = [str(c) for key, _label, cats in CHIPS if key in show for c in cats]
    events = selectors.timeline(case=case, categories=categories or None, join_types=False)
    page = keyset_page(events, ordering=EVENT_ORDER, cursor=cursor, limit=TIMELINE_PAGE)
    config.attach_event_types(page.items)
    describe(page.items)
    older = ""
    if page.next_cursor:
        older = urlencode({"show": show, "cursor": page.next_cursor}, doseq=True)
    return {
        "events": page.items,
        "older_url": f"{reverse('desk:case_timeline', args=[case.pk])}?{older}" if older else "",
        "chips": _chips(case, show),
        "show": show,
    }
