"""What the system entries of a case's timeline changed, in the reader's language.

One function per event type of `cases` (opened, status changed, assigned, details changed,
resolved, reopened). Each gets every event of its type on a timeline page at once and returns
one line per event: the names they need (owners, teams, codes) are read in one query for the
page, none when the page holds no such event. `SUMMARIES` maps the event types to them; the
screens show them through the timeline registry (`caseflow.ui.registry.TimelineEntry`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseflow.accounts.models import Team, User
from caseflow.cases.models import Case, CaseStatus, CaseType, Code, CodeKind, TimelineEvent

Summaries = Callable[[Sequence[TimelineEvent]], list[str]]

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


def _data(event: TimelineEvent) -> dict[str, Any]:
    return event.data if isinstance(event.data, dict) else {}


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def created(events: Sequence[TimelineEvent]) -> list[str]:
    """The case type the case was opened with."""
    return [
        _label(CaseType, _data(e)["case_type"]) if _data(e).get("case_type") else "" for e in events
    ]


def status_changed(events: Sequence[TimelineEvent]) -> list[str]:
    """ "Open → Waiting for customer"."""
    pairs = [(_data(e).get("before"), _data(e).get("after")) for e in events]
    return [f"{_label(CaseStatus, old)} → {_label(CaseStatus, new)}" for old, new in pairs]


def reopened(events: Sequence[TimelineEvent]) -> list[str]:
    """ "was Closed"."""
    return [
        _("was %(status)s") % {"status": _label(CaseStatus, _data(e).get("before"))} for e in events
    ]


def assigned(events: Sequence[TimelineEvent]) -> list[str]:
    """ "owner: Anna Berg · team: Espresso" (the names in two queries at most)."""
    owner_ids = {_data(e).get("owner") for e in events} - {None}
    team_ids = {_data(e).get("team") for e in events} - {None}
    users: dict[Any, str] = {}
    teams: dict[Any, str] = {}
    if owner_ids:
        users = {u.pk: str(u) for u in User.objects.filter(pk__in=owner_ids)}
    if team_ids:
        teams = {t.pk: t.name for t in Team.objects.filter(pk__in=team_ids)}
    return [
        _("owner: %(owner)s · team: %(team)s")
        % {
            "owner": users.get(_data(e).get("owner"), _("nobody")),
            "team": teams.get(_data(e).get("team"), "—"),
        }
        for e in events
    ]


def field_changed(events: Sequence[TimelineEvent]) -> list[str]:
    """The names of the fields that changed, as the case's form calls them."""
    names = {f.name: str(FIELD_LABELS.get(f.name, f.verbose_name)) for f in Case._meta.fields}
    return [
        ", ".join(names.get(str(name), str(name)) for name in _data(e).get("fields", []))
        for e in events
    ]


def _code_names(events: Sequence[TimelineEvent]) -> dict[tuple[str, str], str]:
    """The codes the events name, with their names (archived ones too): one query."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        for key, kind in RESOLVED_CODES:
            if isinstance(_data(event).get(key), str):
                wanted.setdefault(kind, set()).add(_data(event)[key])
    if not wanted:
        return {}
    query = Q()
    for wanted_kind, values in wanted.items():
        query |= Q(kind=wanted_kind, code__in=values)
    return {(c.kind, c.code): str(c) for c in Code.objects.filter(query)}


def _resolved(data: dict[str, Any], names: dict[tuple[str, str], str]) -> str:
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


def resolved(events: Sequence[TimelineEvent]) -> list[str]:
    """The resolution codes, and the reason codes when given (their names in one query)."""
    names = _code_names(events)
    return [_resolved(_data(e), names) for e in events]


SUMMARIES: dict[str, Summaries] = {
    "created": created,
    "status_changed": status_changed,
    "reopened": reopened,
    "assigned": assigned,
    "field_changed": field_changed,
    "resolved": resolved,
}
