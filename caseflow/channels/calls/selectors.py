"""Reads of the calls: what the agent's incoming-call notice shows, and the call form's
prefill when a call is logged on a case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from caseflow.cases.models import CallOutcome
from caseflow.channels.models import CALL_LIVE, Call, CallState
from caseflow.core.phones import display
from caseflow.ui.text import duration_text

# A call the PBX never reported as ended stops ringing on the desk after this long.
LIVE_FOR = timedelta(hours=2)
# How long an ended, unlogged call keeps offering "log it on a case".
ENDED_FOR = timedelta(minutes=15)


def notice_calls(
    *, user_id: int, dismissed: Sequence[tuple[int, str]] = (), now: datetime | None = None
) -> QuerySet[Call]:
    """The calls the agent's notice may show, the one to show first: ringing or answered
    calls that are his or nobody's, then his ended calls not yet logged on a case; without
    the (call, state) pairs he dismissed, so a call he put away comes back only when its
    state changes. The (state, started) and (agent, ended) indexes keep it cheap with any
    number of past calls (one index range each, on SQLite and PostgreSQL)."""
    now = now or timezone.now()
    live = Q(state__in=CALL_LIVE, started_at__gte=now - LIVE_FOR) & (
        Q(agent_id=user_id) | Q(agent__isnull=True)
    )
    ended = Q(
        agent_id=user_id,
        state=CallState.ENDED,
        ended_at__gte=now - ENDED_FOR,
        event__isnull=True,
    )
    first = models.Case(
        models.When(state__in=CALL_LIVE, then=models.Value(0)), default=models.Value(1)
    )
    calls = Call.objects.filter(live | ended)
    if dismissed:
        hidden = Q()
        for pk, state in dismissed:
            hidden |= Q(pk=pk, state=state)
        calls = calls.exclude(hidden)
    return calls.order_by(first, "-started_at", "-id")


def notice_key(*, user_id: int, dismissed: Sequence[tuple[int, str]] = ()) -> str:
    """What the notice shows, in a few characters ("" for nothing): the poll answers "no
    change" while it stays the same. One query."""
    top = notice_calls(user_id=user_id, dismissed=dismissed).values_list("pk", "state", "case_id")[
        :1
    ]
    for pk, state, case_id in top:
        return f"{pk}.{state}.{case_id or ''}"
    return ""


def call_for_notice(pk: int) -> Call:
    """One call with what the notice shows of it (Call.DoesNotExist if there is none)."""
    return Call.objects.select_related("customer", "contact", "case", "agent").get(pk=pk)


def call_form_initial(call: Call) -> dict[str, Any]:
    """The call form's prefill for logging `call` on a case: direction, number, duration,
    outcome (not reached when nobody answered)."""
    answered = call.answered_at is not None or (call.duration or 0) > 0
    return {
        "call": call.pk,
        "direction": call.direction,
        "number": display(call.number) if call.number else call.raw_number,
        "duration": duration_text(call.duration),
        "outcome": CallOutcome.REACHED if answered else CallOutcome.NOT_REACHED,
    }


def unlogged_call(pk: int | None) -> Call | None:
    """The PBX's call `pk` while it is not logged on a case yet (else None)."""
    if not pk:
        return None
    return Call.objects.filter(pk=pk, event__isnull=True).first()


def call_form_prefill(value: str | None) -> dict[str, Any] | None:
    """The call form's prefill for `?call=<pk>` on a case page; None for anything else."""
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 18:
        return None
    call = unlogged_call(int(value))
    return call_form_initial(call) if call is not None else None
