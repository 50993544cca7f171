"""The steps every case service takes: lock the case (refusing a stale version), save
the changed fields with the next version, write a system entry on the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.cases import config, search
from caseflow.cases.models import Case, TimelineEvent
from caseflow.core import rows
from caseflow.core.editing import lock

# The case's relations: checked by the services as model instances, not again by `_bump`.
RELATIONS = tuple(f.name for f in Case._meta.fields if f.is_relation)


def _lock(case: Case, version: int | None) -> Case:
    """Re-read `case` under a row lock; refuse if the caller read an older version."""
    return lock(case, version=version, label=_label)


def _label(case: Case) -> str:
    return _("Case %(number)s") % {"number": case.number}


def _bump(case: Case, fields: Sequence[str]) -> None:
    """Save `fields` and the next version. Field rules are checked here (relations were
    checked by the caller, as model instances); the database holds the CHECK constraints."""
    case.version += 1
    case.clean_fields(exclude=RELATIONS)
    case.save(update_fields=[*fields, "version", "updated_at"])


def _system_event(
    case: Case, code: str, *, actor: User | None, channel: str, text: str = "", **data: Any
) -> TimelineEvent:
    event = TimelineEvent(
        case=case,
        event_type_id=config.event_type_id(code),
        occurred_at=timezone.now(),
        actor=actor,
        channel=channel,
        text=text,
        is_internal=True,
        data=data,
    )
    rows.insert(event)  # append-only, nobody listens for its save: one plain INSERT
    search.index_event_text(case, text)
    return event
