"""The incoming-call notice the desk polls: cheap while nothing changes, the caller's
customer, units and open cases when a call rings, and "log it" once it ended."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseflow.accounts.models import Role, User
from caseflow.cases import services as case_services
from caseflow.catalog.services import register_unit
from caseflow.catalog.tests.factories import ProductFactory
from caseflow.channels.calls import services
from caseflow.channels.models import Call, CallState
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db

NOTICE = reverse("channels:call_notice")
HTMX = {"HX-Request": "true"}


def ring(call_id: str = "pbx-1", *, number: str = "030 1234567", **fields) -> Call:
    """A call event as the webhook records it (the webhook itself is tested elsewhere)."""
    fields.setdefault("at", timezone.now())
    return services.record_cti_event(
        event=fields.pop("event", "started"), call_id=call_id, caller=number, **fields
    ).call


def poll(client, seen: str = ""):
    return client.get(NOTICE, {"seen": seen}, headers=HTMX)


def key_of(response) -> str:
    html = response.content.decode()
    return html.split('data-notice="', 1)[1].split('"', 1)[0]


@pytest.fixture
def caller_with_unit_and_case(agent, phone_caller):
    product = ProductFactory(name="Espresso machine EM-2000", warranty_months=24)
    register_unit(
        actor=agent,
        channel=Channel.PHONE,
        customer=phone_caller,
        product=product,
        serial="EM2000-0001",
        purchased_on=timezone.localdate() - timedelta(days=100),
    )
    case = case_services.open_case(
        actor=agent, channel=Channel.PHONE, customer=phone_caller, subject="Pump is loud"
    )
    return phone_caller, case


# --- the poll -----------------------------------------------------------------------------


def test_nothing_ringing_costs_one_query_beyond_the_login(
    client, agent, django_assert_max_num_queries
):
    client.force_login(agent)
    # session and user (Django's authentication, on every request), the call check
    with django_assert_max_num_queries(3):
        response = poll(client)

    assert response.status_code == 204
    assert response.content == b""


def test_an_unchanged_notice_costs_one_query_too(
    client, agent, caller_with_unit_and_case, django_assert_max_num_queries
):
    ring()
    client.force_login(agent)
    key = key_of(poll(client))

    with django_assert_max_num_queries(3):
        response = poll(client, key)

    assert response.status_code == 204


def test_a_logged_out_browser_is_told_to_stop_polling(client):
    response = poll(client)

    assert response.status_code == 286


def test_a_ringing_call_shows_the_caller_units_and_open_cases(
    client, agent, caller_with_unit_and_case
):
    customer, case = caller_with_unit_and_case
    call = ring()
    client.force_login(agent)

    response = poll(client)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="call-notice-title"' in html
    assert "Incoming call" in html
    assert 'href="tel:+49301234567"' in html
    assert customer.name in html
    assert customer.number in html
    assert "EM2000-0001" in html
    assert "in warranty until" in html
    assert case.number in html
    assert reverse("channels:call_caller", args=[call.pk]) in html
    assert f"{reverse('desk:case_new')}?customer={customer.pk}" in html
    assert reverse("channels:call_link", args=[call.pk, case.pk]) in html
    assert key_of(response) == f"{call.pk}.ringing."


def test_the_notice_follows_the_call_and_clears_when_nothing_is_left(client, agent, phone_caller):
    ring()
    client.force_login(agent)
    ringing = key_of(poll(client))
    ring(event="answered", agent="agent")
    answered = poll(client, ringing)

    assert "Call in progress" in answered.content.decode()
    Call.objects.update(started_at=timezone.now() - timedelta(hours=3))  # never ended

    cleared = poll(client, key_of(answered))
    assert cleared.status_code == 200
    assert key_of(cleared) == ""
    assert 'data-testid="call-notice-title"' not in cleared.content.decode()
    assert poll(client, "").status_code == 204


def test_a_call_for_another_agent_is_not_shown_one_for_nobody_is(client, agent, phone_caller):
    other = User.objects.create_user("other", role=Role.AGENT)
    ring("mine-or-nobodys")
    ring("others", number="0171 2345678", event="answered", agent="other")
    client.force_login(agent)

    assert key_of(poll(client)).startswith(f"{Call.objects.get(call_id='mine-or-nobodys').pk}.")
    client.force_login(other)
    assert key_of(poll(client)).startswith(f"{Call.objects.get(call_id='others').pk}.")


def test_open_the_incoming_screen_for_the_caller_and_put_the_notice_away(
    client, agent, phone_caller
):
    call = ring()
    client.force_login(agent)

    response = client.get(reverse("channels:call_caller", args=[call.pk]))

    incoming = reverse("desk:incoming")
    assert response.url == f"{incoming}?q=%2B49301234567&customer={phone_caller.pk}"
    assert poll(client).status_code == 204  # acted on: away until the state changes
    ring(event="answered", agent="agent")
    assert "Call in progress" in poll(client).content.decode()


def test_an_unknown_caller_gets_the_incoming_screen_with_the_number(client, agent):
    call = ring(number="+49 89 5555555")
    client.force_login(agent)

    html = poll(client).content.decode()
    response = client.get(reverse("channels:call_caller", args=[call.pk]))

    assert "Unknown caller" in html
    assert response.url == f"{reverse('desk:incoming')}?q=%2B49895555555"


def test_an_ended_call_offers_to_log_it_until_it_is_logged(
    client, agent, caller_with_unit_and_case
):
    _customer, case = caller_with_unit_and_case
    now = timezone.now()
    ring(at=now - timedelta(minutes=4))
    ring(event="answered", agent="agent", at=now - timedelta(minutes=3, seconds=30))
    call = ring(event="ended", agent="agent", at=now)
    client.force_login(agent)

    html = poll(client).content.decode()
    assert "Call ended (3:30)" in html
    assert "Log it on this case" in html

    services.log_call(actor=agent, case=case, direction="in", call=call, outcome="reached")
    assert poll(client, f"{call.pk}.ended.").status_code == 200  # cleared
    assert poll(client).status_code == 204


def test_an_ended_call_is_offered_only_to_its_agent_and_only_for_a_while(
    client, agent, phone_caller
):
    ring(event="ended", agent="agent", at=timezone.now() - timedelta(minutes=20))
    ring("nobodys", event="ended", at=timezone.now())
    client.force_login(agent)

    assert poll(client).status_code == 204


def test_a_dismissed_call_stays_hidden_for_this_browser_only(client, agent, phone_caller):
    call = ring()
    client.force_login(agent)
    response = client.post(reverse("channels:call_dismiss", args=[call.pk]), headers=HTMX)

    assert response.status_code == 200
    assert key_of(response) == ""
    assert poll(client).status_code == 204
    client.logout()
    client.force_login(agent)
    assert poll(client).status_code == 200


def test_a_dismissed_call_comes_back_when_it_ends_to_be_logged(client, agent, phone_caller):
    call = ring(event="answered", agent="agent")
    client.force_login(agent)
    client.post(reverse("channels:call_dismiss", args=[call.pk]), headers=HTMX)
    assert poll(client).status_code == 204

    ring(event="ended", agent="agent")

    assert "Call ended" in poll(client).content.decode()


def test_the_desk_page_carries_the_polling_notice(client, agent):
    client.force_login(agent)

    html = client.get(reverse("desk:cases")).content.decode()

    assert 'id="call-notice"' in html
    assert 'hx-trigger="load, every 3s"' in html


# --- add to this open case ------------------------------------------------------------------


def test_add_to_this_case_links_the_call_and_opens_the_case_with_the_call_form(
    client, agent, caller_with_unit_and_case
):
    _customer, case = caller_with_unit_and_case
    call = ring()
    client.force_login(agent)

    response = client.post(reverse("channels:call_link", args=[call.pk, case.pk]), headers=HTMX)

    target = f"{reverse('desk:case_detail', args=[case.pk])}?call={call.pk}"
    assert response["HX-Redirect"] == target
    call.refresh_from_db()
    assert call.case == case
    assert call.agent == agent  # nobody had it: now the agent who took it
    entry = AuditEntry.objects.get(chain=f"cases.case:{case.pk}", action="call.linked")
    assert (entry.target_type, entry.target_id, entry.actor_id) == (
        "channels.call",
        str(call.pk),
        agent.pk,
    )
    assert entry.before == {"case": None, "agent": None}
    assert entry.after == {"case": case.pk, "agent": agent.pk, "call": call.call_id}
    assert poll(client).status_code == 204  # acted on: not over the case's forms
    page = client.get(target).content.decode()
    assert 'value="+49 30 1234567"' in page  # the number, prefilled
    assert f'name="call" value="{call.pk}"' in page
    assert 'data-key="c" open' in page


def test_the_call_form_prefill_after_the_end_has_the_duration(client, agent, phone_caller):
    case = case_services.open_case(
        actor=agent, channel=Channel.PHONE, customer=phone_caller, subject="Descaling"
    )
    call = ring(event="ended", agent="agent", duration=125, direction="out")
    client.force_login(agent)

    page = client.get(reverse("desk:case_detail", args=[case.pk]), {"call": call.pk})

    html = page.content.decode()
    assert 'value="2:05"' in html
    assert re.search(r'value="out"[^>]* checked', html)


def test_linking_needs_a_visible_case_and_a_call(client, agent, caller_with_unit_and_case):
    _customer, case = caller_with_unit_and_case
    call = ring()
    client.force_login(agent)

    assert client.post(reverse("channels:call_link", args=[call.pk, 999999])).status_code == 404
    assert client.post(reverse("channels:call_link", args=[999999, case.pk])).status_code == 404
    assert client.get(reverse("channels:call_link", args=[call.pk, case.pk])).status_code == 405
    assert Call.objects.get().case is None


def test_a_role_that_may_not_log_calls_cannot_link_them(
    client, quality_manager, caller_with_unit_and_case
):
    _customer, case = caller_with_unit_and_case
    call = ring()
    client.force_login(quality_manager)

    response = client.post(reverse("channels:call_link", args=[call.pk, case.pk]))

    assert response.status_code == 403
    assert Call.objects.get().case is None
    html = poll(client).content.decode()  # sees the call, without the buttons
    assert "Add to this case" not in html
    assert Call.objects.get().state == CallState.RINGING
