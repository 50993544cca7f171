"""Sending an SMS from the case: on the timeline at once, handed to the provider by the
Huey task after COMMIT (queued → sent / failed, retried with backoff), never twice."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from caseflow.cases import services as case_services
from caseflow.cases.models import CaseStatus, Code, TimelineEvent
from caseflow.channels.models import OutboundMessage, OutboundStatus
from caseflow.channels.sms import services
from caseflow.channels.sms.services import Delivery
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
GATEWAY = "caseflow.channels.sms.backends.HttpGatewayBackend"


@pytest.fixture
def sms_case(agent, phone_caller):
    return case_services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=phone_caller,
        contact=phone_caller.contacts.get(),
        subject="Pump is loud",
    )


def send(agent, case, text="Your machine is ready for pick-up.", **kwargs):
    kwargs.setdefault("to", "0171 2345678")
    return services.send_sms(actor=agent, case=case, text=text, **kwargs)


# --- the service --------------------------------------------------------------------------


def test_an_sms_is_on_the_timeline_and_sent_after_commit(
    agent, sms_case, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = send(agent, sms_case)

    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.kind == "sms"
    assert message.to == "+491712345678"
    assert message.status == OutboundStatus.SENT
    assert message.message_id.startswith("console-")  # the provider's id
    assert message.attempts == 1
    assert message.sent_at is not None
    event = message.event
    assert event.event_type.code == "sms_out"
    assert event.channel == Channel.SMS
    assert event.is_internal is False
    assert event.data == {"to": "+491712345678", "encoding": "GSM-7", "segments": 1}


def test_nothing_is_sent_when_the_transaction_rolls_back(agent, sms_case):
    # without the on-commit callbacks running, the message stays queued
    message = send(agent, sms_case)

    message.refresh_from_db()
    assert message.status == OutboundStatus.QUEUED
    assert message.attempts == 0


@override_settings(SMS_BACKEND=GATEWAY, SMS_HTTP_ID_KEY="id", SMS_HTTP_TIMEOUT=5)
def test_through_the_http_gateway(agent, sms_case, sms_gateway, django_capture_on_commit_callbacks):
    sms_gateway.answers = [(200, {"id": "gw-77"})]
    with (
        override_settings(SMS_HTTP_URL=sms_gateway.url),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = send(agent, sms_case, text="Grüße, Ihr Service")

    message.refresh_from_db()
    assert (message.status, message.message_id) == (OutboundStatus.SENT, "gw-77")
    assert sms_gateway.requests[0].json()["text"] == "Grüße, Ihr Service"


@override_settings(SMS_BACKEND=GATEWAY, SMS_MAX_ATTEMPTS=3, SMS_RETRY_DELAY=30)
def test_a_5xx_is_retried_with_backoff_then_sent(agent, sms_case, sms_gateway):
    sms_gateway.answers = [(503, {"error": "maintenance"}), (502, {}), (200, {"id": "late"})]
    with override_settings(SMS_HTTP_URL=sms_gateway.url):
        message = send(agent, sms_case)
        first = services.deliver_sms(message.pk)
        message.refresh_from_db()
        assert (message.status, message.attempts) == (OutboundStatus.QUEUED, 1)
        assert "503" in message.last_error
        second = services.deliver_sms(message.pk)
        third = services.deliver_sms(message.pk)

    assert (first.outcome, first.retry_in) == ("retry", 30)
    assert (second.outcome, second.retry_in) == ("retry", 60)
    assert third.outcome == "sent"
    message.refresh_from_db()
    assert (message.status, message.message_id, message.last_error) == ("sent", "late", "")
    assert len(sms_gateway.requests) == 3


@override_settings(SMS_BACKEND=GATEWAY, SMS_MAX_ATTEMPTS=2)
def test_temporary_failures_end_as_failed_after_the_last_attempt(agent, sms_case, sms_gateway):
    sms_gateway.answers = [(500, {"error": "down"})]
    with override_settings(SMS_HTTP_URL=sms_gateway.url):
        message = send(agent, sms_case)
        outcomes = [services.deliver_sms(message.pk).outcome for _ in range(3)]

    assert outcomes == ["retry", "failed", "skipped"]
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED
    assert len(sms_gateway.requests) == 2


@override_settings(SMS_BACKEND=GATEWAY)
def test_a_4xx_fails_at_once(agent, sms_case, sms_gateway):
    sms_gateway.answers = [(400, {"error": "number not reachable"})]
    with override_settings(SMS_HTTP_URL=sms_gateway.url):
        message = send(agent, sms_case)
        delivery = services.deliver_sms(message.pk)

    assert delivery.outcome == "failed"
    message.refresh_from_db()
    assert message.status == OutboundStatus.FAILED
    assert "number not reachable" in message.last_error


def test_a_sent_message_is_never_sent_again(agent, sms_case, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send(agent, sms_case)

    assert services.deliver_sms(message.pk) == Delivery("skipped")
    message.refresh_from_db()
    assert message.attempts == 1


def test_the_same_form_key_sends_once(agent, sms_case):
    first = send(agent, sms_case, key="k-1")
    again = send(agent, sms_case, key="k-1")
    other = send(agent, sms_case, key="k-2")

    assert again.pk == first.pk
    assert other.pk != first.pk
    assert OutboundMessage.objects.count() == 2


@override_settings(SMS_BACKEND=GATEWAY)
def test_a_retry_waits_and_holds_no_claim(agent, sms_case, sms_gateway):
    sms_gateway.answers = [(503, {})]
    with override_settings(SMS_HTTP_URL=sms_gateway.url):
        message = send(agent, sms_case)
        services.deliver_sms(message.pk)

    message.refresh_from_db()
    assert message.locked_until is None
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=25)


def test_the_sweep_finds_what_should_have_gone(agent, sms_case):
    lost = send(agent, sms_case, text="lost enqueue")
    claimed = send(agent, sms_case, text="a worker has it")
    fresh = send(agent, sms_case, text="just queued")
    long_ago = timezone.now() - timedelta(minutes=10)
    OutboundMessage.objects.filter(pk__in=[lost.pk, claimed.pk]).update(next_attempt_at=long_ago)
    OutboundMessage.objects.filter(pk=claimed.pk).update(
        locked_until=timezone.now() + timedelta(minutes=5)
    )

    assert services.overdue_sms() == [lost.pk]
    assert fresh.pk not in services.overdue_sms(now=timezone.now() + timedelta(minutes=1))

    from caseflow.channels.sms.tasks import sweep_sms

    assert sweep_sms.call_local() == 1
    lost.refresh_from_db()
    assert lost.status == OutboundStatus.SENT


def test_the_backoff_doubles_up_to_an_hour():
    assert [Delivery("retry", n).retry_in for n in (1, 2, 3, 10)] == [30, 60, 120, 3600]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"to": "12"}, "to"),
        ({"to": "not a number"}, "to"),
        ({"text": "   "}, "text"),
        ({"text": "x" * 919}, "text"),  # 7 segments of 153: over the limit of 6
        ({"text": "🙂" * 202}, "text"),  # 404 UCS-2 units: 7 segments
    ],
)
def test_bad_input_is_refused_and_nothing_written(agent, sms_case, fields, field):
    events = TimelineEvent.objects.count()

    with pytest.raises(DomainError) as refused:
        send(agent, sms_case, **fields)

    assert refused.value.field == field
    assert TimelineEvent.objects.count() == events
    assert not OutboundMessage.objects.exists()


def test_the_longest_message_allowed_is_six_segments(agent, sms_case):
    assert send(agent, sms_case, text="x" * 918).event.data["segments"] == 6


def test_a_role_without_events_is_refused(quality_manager, sms_case):
    with pytest.raises(NotAllowed):
        send(quality_manager, sms_case)
    assert not OutboundMessage.objects.exists()


def test_a_closed_case_gets_no_sms(agent, sms_case):
    general = Code.objects.filter(kind="resolution", parent=None, active=True).first()
    case = case_services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=sms_case,
        resolution_general=general,
        resolution_specific=general.children.filter(active=True).first(),
    )
    case = case_services.close_case(actor=agent, channel=Channel.UI, case=case)

    with pytest.raises(DomainError, match="closed"):
        send(agent, case)
    assert not OutboundMessage.objects.exists()


# --- the desk ------------------------------------------------------------------------------


def form_url(case) -> str:
    """The SMS form alone, as the case page loads it when the agent opens the action."""
    return reverse("desk:case_action_form", args=[case.pk, "sms"])


def test_the_form_is_prefilled_with_the_contacts_mobile(client, agent, sms_case):
    client.force_login(agent)

    html = client.get(form_url(sms_case), headers=HTMX).content

    page = html.decode()
    assert 'value="+49 171 2345678"' in page
    assert 'name="key" value="' in page
    assert 'data-testid="sms-counter"' in page


def test_the_case_page_offers_the_sms_action(client, agent, sms_case):
    client.force_login(agent)

    page = client.get(reverse("desk:case_detail", args=[sms_case.pk])).content.decode()

    assert 'id="action-sms"' in page and 'data-key="x"' in page
    assert form_url(sms_case) in page  # the form loads when the agent opens the action


def test_sending_from_the_desk_shows_the_status_on_the_timeline(
    client, agent, sms_case, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    url = reverse("desk:case_sms", args=[sms_case.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"to": "0171 2345678", "text": "Ready.", "key": "abc"}, headers=HTMX
        )

    # like every action: the changed panels out of band, the SMS form back empty
    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    html = response.content.decode()
    assert "SMS to the customer queued." in html
    assert 'id="case-timeline"' in html and 'id="case-log"' in html
    page = client.get(reverse("desk:case_detail", args=[sms_case.pk])).content.decode()
    assert re.search(r'class="outbound-status[^"]*"[^>]* data-status="sent"', page)
    sms_case.refresh_from_db()
    assert sms_case.status == CaseStatus.OPEN


def test_the_timeline_costs_one_query_for_any_number_of_sms(
    client, agent, sms_case, django_assert_max_num_queries
):
    client.force_login(agent)
    url = reverse("desk:case_timeline", args=[sms_case.pk])
    send(agent, sms_case, text="one")
    with django_assert_max_num_queries(20) as few:
        client.get(url, headers=HTMX)
    for n in range(5):
        send(agent, sms_case, text=f"more {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, headers=HTMX)

    assert response.content.decode().count('data-testid="outbound-status"') == 6


def test_a_bad_number_shows_the_form_again_with_the_message(client, agent, sms_case):
    client.force_login(agent)
    url = reverse("desk:case_sms", args=[sms_case.pk])

    response = client.post(url, {"to": "12", "text": "Ready.", "key": "k"}, headers=HTMX)

    assert response.status_code == 422
    assert "is not a valid phone number" in response.content.decode()
    assert not OutboundMessage.objects.exists()


def test_the_counter_counts_as_the_agent_types(client, agent):
    client.force_login(agent)

    response = client.post(reverse("channels:sms_length"), {"text": "x" * 161}, headers=HTMX)

    html = response.content.decode()
    assert 'data-segments="2"' in html
    assert 'data-encoding="GSM-7"' in html
    assert "161 characters" in html


def test_a_role_that_may_not_add_events_gets_no_form(client, quality_manager, sms_case):
    client.force_login(quality_manager)

    response = client.get(form_url(sms_case), headers=HTMX)

    assert response.status_code == 403
