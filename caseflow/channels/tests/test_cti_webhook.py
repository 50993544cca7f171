"""The PBX's webhook: signed call events become a `Call` matched to the caller; anything
unsigned, stale, malformed or too big is refused with a 4xx and writes nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import override_settings

from caseflow.accounts.models import Role, User
from caseflow.channels.models import AgentExtension, Call, CallEvent, CallState
from caseflow.channels.tests.phone_helpers import (
    CTI_SECRET,
    CTI_URL,
    T0,
    at,
    call_event,
    cti,
    post_signed,
    sign,
)

pytestmark = pytest.mark.django_db


def nothing_written() -> bool:
    return not Call.objects.exists() and not CallEvent.objects.exists()


# --- events -------------------------------------------------------------------------------


def test_a_started_call_is_matched_to_the_caller_in_any_notation(client, phone_caller):
    response = cti(client, call_event("started", **{"from": "0049 (30) 123 45 67"}))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "call_id": "pbx-1",
        "state": "ringing",
        "matched": True,
        "duplicate": False,
    }
    call = Call.objects.get()
    assert call.number == "+49301234567"
    assert call.raw_number == "0049 (30) 123 45 67"
    assert call.line == "+49 40 999000"
    assert call.customer == phone_caller
    assert call.contact == phone_caller.contacts.get()
    assert call.direction == "in"
    assert call.started_at == T0


def test_answered_and_ended_follow_the_call_and_name_the_agent(client, agent, phone_caller):
    AgentExtension.objects.create(user=agent, extension="201")
    cti(client, call_event("started"))
    answered = cti(client, call_event("answered", agent="201", at=at(12)))
    ended = cti(client, call_event("ended", agent="201", at=at(222)))

    assert answered.json()["state"] == "answered"
    assert ended.json()["state"] == "ended"
    call = Call.objects.get()
    assert call.agent == agent
    assert call.answered_at == T0 + timedelta(seconds=12)
    assert call.ended_at == T0 + timedelta(seconds=222)
    assert call.duration == 210  # from answered to ended
    assert list(call.events.values_list("event", flat=True)) == ["started", "answered", "ended"]


def test_the_pbx_duration_wins_and_a_user_name_names_the_agent(client, agent):
    cti(client, call_event("answered", agent="agent"))
    cti(client, call_event("ended", duration=95))

    call = Call.objects.get()
    assert call.agent == agent
    assert call.duration == 95


def test_an_unknown_agent_is_kept_as_sent_and_the_call_rings_for_everyone(client):
    cti(client, call_event("started", agent="999"))

    call = Call.objects.get()
    assert call.agent is None
    assert call.agent_ref == "999"


def test_an_inactive_agent_is_nobody(client):
    User.objects.create_user("gone", role=Role.AGENT, is_active=False)
    cti(client, call_event("answered", agent="gone"))

    assert Call.objects.get().agent is None


def test_a_replayed_event_changes_nothing(client, agent):
    first = cti(client, call_event("ended", duration=30, agent="agent"))
    again = cti(client, call_event("ended", duration=999, at=at(3600)))

    assert first.json()["duplicate"] is False
    assert again.status_code == 200
    assert again.json()["duplicate"] is True
    call = Call.objects.get()
    assert call.duration == 30
    assert CallEvent.objects.count() == 1


def test_late_events_never_move_a_call_back(client):
    cti(client, call_event("ended", at=at(300), duration=60))
    cti(client, call_event("answered", at=at(60)))
    cti(client, call_event("started", at=at()))

    call = Call.objects.get()
    assert call.state == CallState.ENDED
    assert call.started_at == T0
    assert call.answered_at == T0 + timedelta(seconds=60)
    assert call.duration == 60


def test_an_unknown_or_withheld_number_is_an_unmatched_call(client, phone_caller):
    cti(client, call_event("started", "a", **{"from": "+49 89 5555555"}))
    cti(client, call_event("started", "b", **{"from": "anonymous"}))
    cti(client, call_event("started", "c", **{"from": None}))

    calls = {c.call_id: c for c in Call.objects.all()}
    assert calls["a"].number == "+49895555555"
    assert calls["a"].customer is None
    assert calls["b"].number == ""
    assert calls["b"].raw_number == "anonymous"
    assert calls["c"].number == ""


def test_an_outgoing_call_matches_the_number_called(client, phone_caller):
    payload = call_event("started", direction="outbound", to="0171 2345678", **{"from": "201"})
    response = cti(client, payload)

    assert response.json()["matched"] is True
    call = Call.objects.get()
    assert call.direction == "out"
    assert call.number == "+491712345678"
    assert call.line == "201"


def test_a_time_without_offset_is_utc(client):
    cti(client, call_event("started", at=at(offset=False)))

    assert Call.objects.get().started_at == T0


def test_extra_fields_of_a_pbx_are_ignored(client):
    response = cti(client, call_event("started", queue="hotline", vendor={"x": 1}))

    assert response.status_code == 200


@override_settings(CTI_SECRETS=["new-secret", CTI_SECRET])
def test_every_configured_secret_is_accepted_during_a_rotation(client):
    old = cti(client, call_event("started", "a"))
    new = post_signed(client, CTI_URL, call_event("started", "b"), secret="new-secret")

    assert (old.status_code, new.status_code) == (200, 200)
    assert Call.objects.count() == 2


# --- refused: 4xx, nothing written -----------------------------------------------------------


def test_a_wrong_signature_is_refused(client):
    response = post_signed(client, CTI_URL, call_event("started"), secret="guessed")

    assert response.status_code == 401
    assert response.json()["code"] == "bad_signature"
    assert nothing_written()


def test_a_body_changed_after_signing_is_refused(client):
    stamp = int(time.time())
    signed = json.dumps(call_event("started")).encode()
    tampered = json.dumps(call_event("started", **{"from": "+49 89 1"})).encode()
    response = cti(client, tampered, timestamp=stamp, signature=sign(CTI_SECRET, stamp, signed))

    assert response.status_code == 401
    assert nothing_written()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Caseflow-Timestamp": "1700000000"},
        {"X-Caseflow-Signature": "sha256=00"},
    ],
    ids=["none", "timestamp only", "signature only"],
)
def test_missing_headers_are_refused(client, headers):
    body = json.dumps(call_event("started")).encode()
    response = client.post(CTI_URL, body, content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert response.json()["field"] in ("X-Caseflow-Timestamp", "X-Caseflow-Signature")
    assert nothing_written()


@pytest.mark.parametrize("skew", [-301, 301, -86400 * 365])
def test_a_timestamp_outside_the_window_is_refused(client, skew):
    # correctly signed, but signed too long ago (a replay) or in the future
    response = cti(client, call_event("started"), timestamp=int(time.time()) + skew)

    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"
    assert nothing_written()


@pytest.mark.parametrize("stamp", ["soon", "-5", "1.7e9", "١٧٠٠٠٠٠٠٠٠"])
def test_a_timestamp_that_is_no_number_is_refused(client, stamp):
    body = json.dumps(call_event("started")).encode()
    headers = {"X-Caseflow-Timestamp": stamp, "X-Caseflow-Signature": sign(CTI_SECRET, 0, body)}
    response = client.post(CTI_URL, body, content_type="application/json", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "bad_timestamp"
    assert nothing_written()


@override_settings(WEBHOOK_TIMESTAMP_WINDOW=3600)
def test_the_window_is_a_setting(client):
    response = cti(client, call_event("started"), timestamp=int(time.time()) - 1800)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"", b"\xff\xfe", b"[1, 2]", b'"started"', b"null"],
    ids=["broken", "empty", "not utf-8", "array", "string", "null"],
)
def test_malformed_json_is_refused_even_when_signed(client, body):
    response = cti(client, body)

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert nothing_written()


@pytest.mark.parametrize("depth", [30_000, 60_000])
def test_deeply_nested_json_is_malformed_json_not_a_server_error(client, depth):
    response = cti(client, b"[" * depth)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json() == {
        "code": "malformed_json",
        "message": "The body is not valid JSON.",
        "field": None,
    }
    assert nothing_written()


def test_deep_nesting_inside_an_object_is_refused_too(client):
    body = b'{"event": "started", "call_id": "x", "at": "' + at().encode() + b'", "extra": '
    response = cti(client, body + b"[" * 20_000 + b"]" * 20_000 + b"}")

    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert nothing_written()


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+14:00",  # before the first moment Python has, in UTC
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-05:00",  # after the last one
        "1970-01-01T00:00:00",
        at(-8 * 86400),  # older than WEBHOOK_EVENT_MAX_AGE_DAYS
        at(2 * 3600 + 3600),  # an hour ahead of our clock
    ],
)
@pytest.mark.parametrize("event", ["started", "answered", "ended"])
def test_an_event_time_no_call_can_have_is_refused(client, event, when):
    response = cti(client, call_event(event, at=when))

    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("out_of_range", "at")
    assert "within the last 7 days" in body["message"]
    assert nothing_written()


@override_settings(WEBHOOK_EVENT_MAX_AGE_DAYS=30)
def test_how_old_an_event_may_be_is_a_setting(client):
    assert cti(client, call_event("ended", at=at(-20 * 86400))).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (call_event("rang"), "event"),
        ({"call_id": "x", "at": at()}, "event"),
        (call_event("started", call_id=""), "call_id"),
        (call_event("started", at="yesterday"), "at"),
        (call_event("ended", duration=-1), "duration"),
        (call_event("ended", duration=10**9), "duration"),
        (call_event("started", direction="sideways"), "direction"),
        (call_event("started", call_id="x" * 201), "call_id"),
    ],
    ids=["unknown event", "no event", "empty id", "bad time", "negative", "too long", "dir", "id"],
)
def test_an_invalid_event_is_refused_naming_the_field(client, payload, field):
    response = cti(client, payload)

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert nothing_written()


def test_an_oversize_body_is_refused_before_reading_it(client):
    huge = json.dumps(call_event("started", note="x" * 70_000)).encode()
    response = cti(client, huge)

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert nothing_written()


@override_settings(CTI_SECRETS=[])
def test_without_a_secret_the_webhook_is_off(client):
    response = cti(client, call_event("started"))

    assert response.status_code == 503
    assert response.json()["code"] == "not_configured"
    assert nothing_written()


def test_only_post_is_answered(client):
    assert client.get(CTI_URL).status_code == 405
    assert nothing_written()
