"""The case's timeline: calls, e-mails, SMS, notes and files (`record_event`), and the
system entries other apps write (`record_system_event`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import events, search
from caseflow.cases import status as rules
from caseflow.cases.integrity import recorded
from caseflow.cases.models import (
    Attachment,
    CallOutcome,
    Case,
    EventCategory,
    EventType,
    TimelineEvent,
)
from caseflow.cases.services._checks import (
    CLOCK_SKEW,
    _active_event_type,
    _check_channel,
    _validate_text,
)
from caseflow.cases.services._steps import _lock, _system_event
from caseflow.cases.services.status import _transition
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.files import StoredFile, store_upload


@dataclass(frozen=True)
class Upload:
    """A file as it arrived (API, form or e-mail), before it is checked and stored."""

    name: str | None
    content: bytes


def record_system_event(
    *, case: Case, event_type: str, actor: User | None, channel: str, text: str = "", **data: Any
) -> TimelineEvent:
    """Write a system entry of another app on the case's timeline (e.g. workflow's "response
    target missed"), inside the caller's transaction.

    `event_type` is a system type the app registered (a row with `is_system`, shipped by
    its migration; its summary for readers through the ui registry). The case is locked,
    so entries and other changes of one case are written one after the other; the entry is
    recorded in the case's audit chain. Subscribers hear of it as EVENT_RECORDED."""
    _check_channel(channel)
    if not _active_event_type(event_type).is_system:
        raise DomainError(_("Unknown event type."), field="event_type", code="unknown")
    with transaction.atomic():
        case = _lock(case, None)
        event = _system_event(case, event_type, actor=actor, channel=channel, text=text, **data)
        audit(  # the chain records every timeline entry (verify_audit's drift check)
            actor=actor,
            channel=channel,
            action="case.system_event",
            target=event,
            aggregate=case,
            after={"event_type": event_type, **recorded(event)},
        )
        events.publish(
            events.EVENT_RECORDED, case, actor=actor, channel=channel, event=event.pk,
            type=event_type, internal=True,
        )  # fmt: skip
    return event


def record_event(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    event_type: EventType | str,
    text: str = "",
    occurred_at: datetime | None = None,
    is_internal: bool = True,
    call_duration: int | None = None,
    call_outcome: str = "",
    data: dict[str, Any] | None = None,
    uploads: Sequence[Upload] = (),
) -> TimelineEvent:
    """Add a call, e-mail, SMS, note or scheduling entry (with files) to the timeline.

    Files are checked and stored before the transaction (content-addressed, so a rollback
    leaves no row without its file); the event and its attachment rows are written atomically.
    """
    require(actor, "case.event")
    _check_channel(channel)
    if isinstance(event_type, str):
        event_type = _active_event_type(event_type)
    if event_type.is_system or not event_type.active:
        raise DomainError(
            _("%(type)s entries are written by Caseflow itself.") % {"type": event_type.name},
            field="event_type",
        )
    text = _validate_text(text.strip(), "text", 100000)
    is_call = event_type.category == EventCategory.CALL
    if not is_call and (call_duration is not None or call_outcome):
        raise DomainError(_("Only calls have a duration and an outcome."), field="call_duration")
    if call_duration is not None and not 0 <= call_duration <= 24 * 3600:
        raise DomainError(_("A call lasts between 0 seconds and a day."), field="call_duration")
    if call_outcome and call_outcome not in CallOutcome.values:
        raise DomainError(_("Unknown call outcome."), field="call_outcome")
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + CLOCK_SKEW:
        raise DomainError(_("An event cannot happen in the future."), field="occurred_at")
    if not text and not uploads and not is_call:
        raise DomainError(_("Write something or attach a file."), field="text")
    stored = [store_upload(u.content, u.name, field="files") for u in uploads]
    return _write_event(
        actor=actor,
        channel=channel,
        case=case,
        event_type=event_type,
        text=text,
        occurred_at=occurred_at,
        is_internal=is_internal,
        call_duration=call_duration,
        call_outcome=call_outcome,
        data=data or {},
        stored=stored,
    )


@transaction.atomic
def _write_event(
    *,
    actor: User | None,
    channel: str,
    case: Case,
    event_type: EventType,
    text: str,
    occurred_at: datetime,
    is_internal: bool,
    call_duration: int | None,
    call_outcome: str,
    data: dict[str, Any],
    stored: Sequence[StoredFile],
) -> TimelineEvent:
    case = _lock(case, None)
    rules.refuse_closed(case)
    event = TimelineEvent.objects.create(
        case=case,
        event_type=event_type,
        occurred_at=occurred_at,
        actor=actor,
        channel=channel,
        text=text,
        is_internal=is_internal,
        call_duration=call_duration,
        call_outcome=call_outcome,
        data=data,
    )
    search.index_event_text(case, text)
    for item in stored:
        attachment = Attachment(
            event=event,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        attachment.file.name = item.path
        attachment.save()
    target = rules.after_entry(case, event_type.code, by_system=actor is None)
    if target is not None:
        _transition(case, target, actor=actor, channel=channel, note="")
    audit(
        actor=actor,
        channel=channel,
        action="case.event_recorded",
        target=event,
        aggregate=case,
        after={
            "event_type": event_type.code,
            "internal": is_internal,
            "text_chars": len(text),
            "call_duration": call_duration,
            "call_outcome": call_outcome,
            "attachments": [{"name": s.filename, "sha256": s.sha256} for s in stored],
            **recorded(event, [(s.filename, s.sha256) for s in stored]),
        },
    )
    events.publish(
        events.EVENT_RECORDED,
        case,
        actor=actor,
        channel=channel,
        event=event.pk,
        type=event_type.code,
        internal=is_internal,
    )
    return event
