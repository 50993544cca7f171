"""Case events: delivered after COMMIT to every subscriber, a failing subscriber logged and
retried by the worker without breaking the change or the others; guards refuse a
transition with their reason."""

from __future__ import annotations

import pytest
from django.utils import timezone

from caseflow.cases import events, services
from caseflow.cases.models import Case
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

UI = Channel.UI


@pytest.fixture
def failing(monkeypatch):
    calls: list[events.CaseEvent] = []

    def subscriber(event: events.CaseEvent) -> None:
        calls.append(event)
        raise RuntimeError("boom")

    scheduled: list[tuple] = []
    monkeypatch.setattr(
        "caseflow.cases.tasks.redeliver_case_event.schedule",
        lambda args, delay: scheduled.append((args, delay)),
    )
    events.subscribe(events.OPENED, subscriber, name="test.failing")
    yield calls, scheduled
    events.unsubscribe("test.failing")


def test_nothing_is_delivered_before_commit(
    open_case, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = open_case()
    assert received == []
    for callback in callbacks:
        callback()
    (event,) = received
    assert (event.kind, event.case_id, event.number) == (events.OPENED, case.pk, case.number)
    assert event.channel == Channel.PHONE and event.version == case.version


def test_a_rolled_back_change_announces_nothing(open_case, received, agent):
    case = open_case()
    received.clear()
    with pytest.raises(DomainError):
        services.change_status(actor=agent, channel=UI, case=case, status="closed")
    assert received == []


def test_a_failing_subscriber_is_retried_and_breaks_nothing(
    open_case, received, failing, django_capture_on_commit_callbacks
):
    calls, scheduled = failing
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case()
    assert Case.objects.filter(pk=case.pk).exists()
    assert [e.kind for e in received] == [events.OPENED]  # the others still got it
    assert len(calls) == 1
    ((name, values, attempt), delay) = scheduled[0]
    assert (name, attempt, delay) == ("test.failing", 1, events.RETRY_DELAY)

    # the worker's retries: again failing, with a doubled delay, until RETRIES
    assert events.deliver_to(name, values, attempt) == "retry"
    assert scheduled[-1][1] == events.RETRY_DELAY * 2
    assert events.deliver_to(name, values, events.RETRIES) == "failed"
    assert events.CaseEvent.from_dict(values) == calls[0]


def test_the_worker_delivers_to_the_subscriber_that_failed(received):
    event = events.CaseEvent(
        kind=events.CLOSED, case_id=1, number="C-2026-000001", version=3, actor_id=None,
        channel="system", at=timezone.now(),
    )  # fmt: skip
    assert events.deliver_to("test.recorder", event.as_dict(), 1) == "delivered"
    assert received == [event]
    assert events.deliver_to("test.nobody", event.as_dict(), 1) == "gone"


def test_unknown_kinds_and_transitions_are_refused():
    with pytest.raises(ValueError):
        events.subscribe("exploded", print, name="x")
    with pytest.raises(ValueError):
        events.guard("explode", lambda case, actor: None, name="x")


def test_a_guard_refuses_resolving_with_its_reason(open_case, agent, codes):
    case = open_case()
    events.guard(
        events.RESOLVE,
        lambda case, actor: "A risk-relevant case needs an approved complaint record.",
        name="test.quality",
    )
    try:
        with pytest.raises(DomainError) as exc:
            services.resolve_case(
                actor=agent,
                channel=UI,
                case=case,
                resolution_general=codes["FIX"],
                resolution_specific=codes["FIX-PART"],
            )
    finally:
        events.unguard("test.quality")
    assert exc.value.code == "guarded"
    assert "approved complaint record" in exc.value.message
    case.refresh_from_db()
    assert case.status != "resolved"


def test_another_app_writes_its_own_system_entry(
    open_case, received, django_capture_on_commit_callbacks
):
    from caseflow.core.models import AuditEntry

    case = open_case()
    with pytest.raises(DomainError):  # notes are people's entries, not an app's
        services.record_system_event(case=case, event_type="note", actor=None, channel="system")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.record_system_event(
            case=case, event_type="field_changed", actor=None, channel="system", fields=["x"]
        )
    assert event.event_type.is_system and event.data == {"fields": ["x"]}
    assert AuditEntry.objects.filter(action="case.system_event", target_id=str(event.pk)).exists()
    assert received[-1].kind == events.EVENT_RECORDED and received[-1].data["event"] == event.pk
