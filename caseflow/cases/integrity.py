"""What the audit trail records about a case so that `verify_audit` can find drift: the
case's audited fields, and each timeline entry by id and content hash.

Every service that writes a timeline entry lists it in the audit entry it writes in the
same transaction (`recorded(event)` → `{"timeline": [{"id": …, "sha256": …}]}`), so the
case's chain knows how many entries its timeline has and what each said. An entry deleted
or edited in SQL, or one inserted behind Caseflow's back, then shows as drift. Timeline
entries are never changed after they are written, so their hash holds for good.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from caseflow.cases.models import Attachment, Case, SupplyLine, TimelineEvent
from caseflow.core import drift

TIMELINE_KEY = "timeline"
# The case's fields as the audit trail records them: all of them in the opening entry, then
# each change (update, move, status, assignment, resolution). `verify_audit` compares them.
OPENED_FIELDS = (
    "number", "channel", "customer", "contact", "unit", "product", "sales_order", "subject",
    "symptom", "case_type", "suggested_case_type", "case_type_reason", "priority",
    "reason_general", "reason_specific", "status", "owner", "team", "received_at",
    "promised_by",
)  # fmt: skip
WATCHED_FIELDS = (
    *OPENED_FIELDS, "diagnosis", "solution", "resolution_general", "resolution_specific",
)  # fmt: skip
SUPPLY_FIELDS = ("product", "quantity", "unit_price", "tax_rate", "removed_at")
EVENT_COLUMNS = (
    "id", "case_id", "event_type_id", "occurred_at", "actor_id", "channel", "text",
    "is_internal", "call_duration", "call_outcome", "data",
)  # fmt: skip


def digest(values: Sequence[Any], attachments: Iterable[tuple[str, str]] = ()) -> str:
    """SHA-256 of one timeline entry: its EVENT_COLUMNS in that order and its attachments'
    (file name, SHA-256) in the order they were stored."""
    when: datetime = values[3]
    body = json.dumps(
        [
            *values[:3],
            when.astimezone(UTC).isoformat(timespec="microseconds"),
            *values[4:],
            [list(pair) for pair in attachments],
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def event_digest(event: TimelineEvent, attachments: Iterable[tuple[str, str]] = ()) -> str:
    return digest([getattr(event, name) for name in EVENT_COLUMNS], attachments)


def recorded(
    event: TimelineEvent, attachments: Iterable[tuple[str, str]] = ()
) -> dict[str, list[dict[str, Any]]]:
    """What an audit entry's `after` carries for the timeline entry it wrote."""
    return {TIMELINE_KEY: drift.part_refs([(event.pk, event_digest(event, attachments))])}


def timeline_digests(case_ids: Sequence[int]) -> dict[int, dict[int, str]]:
    """For each case, {timeline entry id: its hash now} (two queries per batch of cases)."""
    files: dict[int, list[tuple[str, str]]] = {}
    for event_id, filename, sha256 in (
        Attachment.objects.filter(event__case_id__in=case_ids)
        .order_by("id")
        .values_list("event_id", "filename", "sha256")
    ):
        files.setdefault(event_id, []).append((filename, sha256))
    found: dict[int, dict[int, str]] = {}
    rows = TimelineEvent.objects.filter(case_id__in=case_ids).values_list(*EVENT_COLUMNS)
    for values in rows.iterator(chunk_size=2000):
        found.setdefault(values[1], {})[values[0]] = digest(values, files.get(values[0], ()))
    return found


def register() -> None:
    """Tell `verify_audit` what the case services record (CasesConfig.ready)."""
    drift.watch(Case, WATCHED_FIELDS)
    drift.watch(SupplyLine, SUPPLY_FIELDS)
    drift.watch_parts(Case, key=TIMELINE_KEY, noun=_("timeline entry"), digests=timeline_digests)
