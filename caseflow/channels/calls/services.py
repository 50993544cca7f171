"""Telephone calls: the PBX's CTI events, and calls logged on a case.

A `Call` row follows one call through its events (started → answered → ended); events may
arrive late, twice or out of order, and a replayed event changes nothing. The agent then logs
the call on a case (`log_call`): a `call_in`/`call_out` timeline event with number, duration,
outcome and what was agreed, which the PBX's call row points to from then on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.cases import services as case_services
from caseflow.cases.models import Case, TimelineEvent
from caseflow.channels import senders
from caseflow.channels.models import (
    AgentExtension,
    Call,
    CallDirection,
    CallEvent,
    CallState,
    CtiEvent,
)
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.phones import to_e164
from caseflow.customers.services import normalise_phone

# How far each event moves a call; a late event never moves it back.
_RANK: dict[str, int] = {CallState.RINGING: 0, CallState.ANSWERED: 1, CallState.ENDED: 2}
_STATE_OF: dict[str, CallState] = {
    CtiEvent.STARTED: CallState.RINGING,
    CtiEvent.ANSWERED: CallState.ANSWERED,
    CtiEvent.ENDED: CallState.ENDED,
}
_DIRECTIONS = {"in": CallDirection.INBOUND, "inbound": CallDirection.INBOUND,
               "out": CallDirection.OUTBOUND, "outbound": CallDirection.OUTBOUND}  # fmt: skip
MAX_CALL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class CtiResult:
    call: Call
    duplicate: bool


def agent_for(ref: str) -> User | None:
    """The active agent the PBX means by `ref`: an extension listed in the admin, else a
    user name; None when it names nobody."""
    ref = (ref or "").strip()
    if not ref:
        return None
    extension = (
        AgentExtension.objects.select_related("user")
        .filter(extension=ref, user__is_active=True)
        .first()
    )
    if extension is not None:
        return extension.user
    return User.objects.filter(username=ref, is_active=True).first()


def _utc(moment: datetime) -> datetime:
    # A PBX that sends local times without an offset is read as UTC (documented).
    return moment.replace(tzinfo=UTC) if timezone.is_naive(moment) else moment


@transaction.atomic
def record_cti_event(
    *,
    event: str,
    call_id: str,
    caller: str = "",
    callee: str = "",
    direction: str = "in",
    agent: str = "",
    at: datetime,
    duration: int | None = None,
    payload: dict[str, Any] | None = None,
) -> CtiResult:
    """Apply one PBX event to its call. The caller's number is normalised and matched to a
    contact when the call is first seen; replaying an event (same call, same event) changes
    nothing and says so."""
    call_id = _check_event(event, call_id=call_id, direction=direction, duration=duration)
    at = _utc(at)
    side = _Side.of(direction=_DIRECTIONS[direction], caller=caller, callee=callee, agent=agent)
    call = _find_or_open_call(call_id, event=event, at=at, side=side)
    if CallEvent.objects.filter(call=call, event=event).exists():
        return CtiResult(call=call, duplicate=True)
    CallEvent.objects.create(call=call, event=event, at=at, payload=payload or {})
    changed = _advance(call, event=event, at=at, duration=duration)
    changed |= _attribute(call, event=event, side=side)
    if changed:
        call.save(update_fields=[*sorted(changed), "updated_at"])
    return CtiResult(call=call, duplicate=False)


@dataclass(frozen=True)
class _Side:
    """Who is on the call: the customer's number (as dialled, and in E.164), our line, and
    the agent the PBX named."""

    direction: CallDirection
    theirs: str
    ours: str
    number: str
    user: User | None
    agent_ref: str

    @classmethod
    def of(cls, *, direction: CallDirection, caller: str, callee: str, agent: str) -> _Side:
        # The customer's side of the call: who called us, or whom we called.
        theirs, ours = (caller, callee) if direction == CallDirection.INBOUND else (callee, caller)
        theirs, ours = (theirs or "").strip()[:100], (ours or "").strip()[:100]
        return cls(
            direction=direction,
            theirs=theirs,
            ours=ours,
            number=to_e164(theirs) or "",
            user=agent_for(agent),
            agent_ref=(agent or "").strip()[:150],
        )


def _check_event(event: str, *, call_id: str, direction: str, duration: int | None) -> str:
    """The call ID, trimmed, once the event, direction and duration make sense."""
    if event not in CtiEvent.values:
        raise DomainError(_("Unknown call event."), field="event", code="unknown_event")
    call_id = call_id.strip()
    if not call_id:
        raise DomainError(_("The call ID is missing."), field="call_id")
    if direction not in _DIRECTIONS:
        raise DomainError(_("The direction is in or out."), field="direction")
    if duration is not None and not 0 <= duration <= MAX_CALL_SECONDS:
        raise DomainError(_("A call lasts between 0 seconds and a day."), field="duration")
    return call_id


def _find_or_open_call(call_id: str, *, event: str, at: datetime, side: _Side) -> Call:
    """The call under its row lock; a call first seen is matched to a customer by number."""
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is not None:
        return call
    found = senders.match(phone=side.number) if side.number else senders.NO_MATCH
    call, _created = Call.objects.select_for_update().get_or_create(
        call_id=call_id,
        defaults={
            "direction": side.direction,
            "state": _STATE_OF[event],
            "number": side.number,
            "raw_number": side.theirs,
            "line": side.ours,
            "agent": side.user,
            "agent_ref": side.agent_ref,
            "customer": found.customer,
            "contact": found.contact,
            "started_at": at,
        },
    )
    return call


def _advance(call: Call, *, event: str, at: datetime, duration: int | None) -> set[str]:
    """Move the call's state and times on (a late event never moves it back); the fields
    changed."""
    changed: set[str] = set()
    state = _STATE_OF[event]
    if _RANK[state] > _RANK[CallState(call.state)]:
        call.state = state
        changed.add("state")
    if at < call.started_at:  # "started" arriving after a later event
        call.started_at = at
        changed.add("started_at")
    if event == CtiEvent.ANSWERED and call.answered_at is None:
        call.answered_at = at
        changed.add("answered_at")
    if event == CtiEvent.ENDED:
        call.ended_at = at
        if duration is None and call.answered_at is not None:
            duration = max(0, min(MAX_CALL_SECONDS, int((at - call.answered_at).total_seconds())))
        call.duration = duration if duration is not None else 0
        changed |= {"ended_at", "duration"}
    return changed


def _attribute(call: Call, *, event: str, side: _Side) -> set[str]:
    """Give the call to the agent who answered or ended it (not the ring group it started
    in) and to the customer its number names, once known; the fields changed."""
    changed: set[str] = set()
    takes = call.agent_id is None or event != CtiEvent.STARTED
    if side.user is not None and call.agent_id != side.user.pk and takes:
        call.agent, call.agent_ref = side.user, side.agent_ref
        changed |= {"agent", "agent_ref"}
    if side.number and not call.number:
        found = senders.match(phone=side.number)
        call.number, call.raw_number = side.number, side.theirs
        call.customer, call.contact = found.customer, found.contact
        changed |= {"number", "raw_number", "customer", "contact"}
    return changed


@transaction.atomic
def link_call(*, actor: User | None, call: Call, case: Case, channel: str = Channel.UI) -> Call:
    """The agent says which case a call is about (from the incoming-call notice); the call is
    then logged there. An agent who links a call nobody took makes it his. Audited in the
    case's chain (the case it was linked to before, if any, is named in `before`)."""
    require(actor, "case.event")
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.event_id is not None:
        raise DomainError(_("This call is already logged on a case."), field="call")
    before = {"case": call.case_id, "agent": call.agent_id}
    fields = ["case", "updated_at"]
    call.case = case
    if call.agent_id is None and actor is not None:
        call.agent = actor
        fields.append("agent")
    call.save(update_fields=fields)
    after = {"case": case.pk, "agent": call.agent_id, "call": call.call_id}
    audit(
        actor=actor,
        channel=channel,
        action="call.linked",
        target=call,
        aggregate=case,
        before=before,
        after=after,
    )
    return call


@transaction.atomic
def log_call(
    *,
    actor: User | None,
    case: Case,
    direction: str,
    number: str = "",
    duration: int | None = None,
    outcome: str = "",
    text: str = "",
    call: Call | None = None,
) -> TimelineEvent:
    """Log a call on the case (source 002): direction, number, duration, outcome and what
    was agreed. The number is stored in E.164; the PBX's call, when given, points to the
    entry from then on, so it is logged once."""
    require(actor, "case.event")
    if direction not in (CallDirection.INBOUND, CallDirection.OUTBOUND):
        raise DomainError(_("The direction is in or out."), field="direction")
    data: dict[str, Any] = {}
    if number.strip():
        data["number"] = normalise_phone(number, field="number")
    if call is not None:
        call = Call.objects.select_for_update().get(pk=call.pk)
        if call.event_id is not None:
            raise DomainError(_("This call is already logged on a case."), code="logged")
        data["call"] = call.call_id
    event = case_services.record_event(
        actor=actor,
        channel=Channel.PHONE,
        case=case,
        event_type="call_in" if direction == CallDirection.INBOUND else "call_out",
        text=text,
        call_duration=duration,
        call_outcome=outcome,
        data=data,
    )
    if call is not None:
        call.case, call.event = case, event
        call.save(update_fields=["case", "event", "updated_at"])
    return event
