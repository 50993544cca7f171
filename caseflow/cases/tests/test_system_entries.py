"""Another app's system entry on the timeline (`services.record_system_event`): what the
entry, its audit entry and its announcement carry, and what is refused. Written after the
mutation run (docs/testing.md) found all of it untested but the happy path."""

from __future__ import annotations

import pytest

from caseflow.cases import config, events, services
from caseflow.cases.models import EventType
from caseflow.core.errors import DomainError
from caseflow.core.models import AuditEntry, Channel

UI = Channel.UI


def test_the_entry_its_audit_and_its_announcement_name_the_actor_and_the_type(
    open_case, agent, received, django_capture_on_commit_callbacks
):
    case = open_case()
    with django_capture_on_commit_callbacks(execute=True):
        event = services.record_system_event(
            case=case, event_type="field_changed", actor=agent, channel=UI, text="Target missed"
        )
    assert (event.actor, event.channel, event.text, event.is_internal) == (
        agent,
        UI,
        "Target missed",
        True,
    )
    entry = AuditEntry.objects.get(action="case.system_event", target_id=str(event.pk))
    opened = AuditEntry.objects.get(action="case.opened", target_id=str(case.pk))
    assert (entry.actor_id, entry.channel, entry.chain) == (agent.pk, UI, opened.chain)
    assert entry.after["event_type"] == "field_changed"
    assert entry.after["timeline"]  # the chain records the entry (verify_audit's drift check)
    (announced,) = [e for e in received if e.kind == events.EVENT_RECORDED]
    assert (announced.actor_id, announced.channel, announced.case_id) == (agent.pk, UI, case.pk)
    assert announced.data == {"event": event.pk, "type": "field_changed", "internal": True}


def test_an_entry_without_text_has_none(open_case):
    event = services.record_system_event(
        case=open_case(), event_type="field_changed", actor=None, channel="system"
    )
    assert event.text == "" and event.actor is None


@pytest.mark.parametrize("event_type", ["no_such_type", "note"])
def test_an_unknown_or_a_peoples_event_type_is_refused(open_case, event_type):
    case = open_case()
    count = case.events.count()
    with pytest.raises(DomainError) as exc:
        services.record_system_event(case=case, event_type=event_type, actor=None, channel="system")
    assert (exc.value.field, exc.value.code) == ("event_type", "unknown")
    assert case.events.count() == count


def test_an_inactive_system_type_is_refused(open_case):
    case = open_case()
    EventType.objects.filter(code="field_changed").update(active=False)
    config.forget()  # as saving the type in the admin does
    with pytest.raises(DomainError) as exc:
        services.record_system_event(
            case=case, event_type="field_changed", actor=None, channel="system"
        )
    assert (exc.value.field, exc.value.code) == ("event_type", "unknown")


def test_an_unknown_channel_is_refused(open_case):
    with pytest.raises(DomainError) as exc:
        services.record_system_event(
            case=open_case(), event_type="field_changed", actor=None, channel="pigeon"
        )
    assert exc.value.field == "channel"
