"""The case's timeline: filter chips, what each system entry changed in words, pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseflow.accounts.models import Team, User
from caseflow.cases import config, selectors
from caseflow.cases.models import (
    Case,
    CaseStatus,
    CaseType,
    Code,
    CodeKind,
    EventCategory,
    TimelineEvent,
)
from caseflow.channels.outbound.selectors import attach_outbound
from caseflow.core.pagination import keyset_page
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


def timeline_context(case: Case, show: list[str], cursor: str | None) -> dict[str, Any]:
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
