"""A call in a real browser: the agent has the desk open → the PBX posts a signed "started"
event (real HTTP to the live server) → the notice pops up with the caller, the unit and the
open case → click through to the caller on the incoming-call screen; the call ends → the
notice offers to log it → the case's call form comes prefilled → the call is on the timeline
with the number as a tel: link."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseflow.cases.services import open_case
from caseflow.channels.tests.phone_helpers import CTI_SECRET, sign
from caseflow.core.models import Channel
from caseflow.desk.tests.browser.steps import log_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POLL = 8000  # ms: the notice polls every 3 s


def pbx(base: str, **event) -> dict:
    """POST one call event to the live server as a PBX does: signed, over real HTTP."""
    body = json.dumps({"call_id": "pbx-4711", "to": "+49 40 999000", **event}).encode()
    stamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 (the live server, http)
        base + "/api/channels/cti/events",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Caseflow-Timestamp": str(stamp),
            "X-Caseflow-Signature": sign(CTI_SECRET, stamp, body),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
        return json.loads(response.read())


@pytest.fixture
def caller(agent, registered_caller):
    customer = registered_caller["customer"]
    case = open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=customer,
        unit=registered_caller["unit"],
        subject="Pump is loud",
    )
    return {"customer": customer, "case": case}


def test_a_signed_call_event_pops_up_the_caller_on_the_open_desk(
    page, live_server, agent, caller, desk_shots
):
    from playwright.sync_api import expect

    base = live_server.url
    customer, case = caller["customer"], caller["case"]
    log_in(page, base, agent.username)
    page.goto(base + reverse("desk:cases"))
    notice = page.get_by_test_id("call-notice")
    expect(notice).to_be_attached()
    expect(page.get_by_test_id("call-notice-title")).to_have_count(0)

    # The PBX: a call from the customer's number, in another notation than stored.
    assert pbx(base, event="started", **{"from": "0049 30 1234567"}, at=timezone.now().isoformat())[
        "matched"
    ]
    expect(page.get_by_test_id("call-notice-title")).to_contain_text("Incoming call", timeout=POLL)
    expect(page.get_by_test_id("call-notice-customer")).to_have_text("Erika Mustermann")
    expect(page.get_by_test_id("call-notice-units")).to_contain_text("EM2000-0001")
    expect(page.get_by_test_id("call-notice-units")).to_contain_text("in warranty until")
    expect(page.get_by_test_id("call-notice-cases")).to_contain_text(case.number)
    expect(notice.locator('a[href="tel:+49301234567"]')).to_be_visible()
    desk_shots(page, "call-notice-ringing")

    # Click through to the caller: the incoming-call screen with the number and the caller.
    page.get_by_test_id("call-notice-open").click()
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(page.get_by_label("Who is calling?")).to_have_value("+49301234567")
    expect(page).to_have_url(
        f"{base}{reverse('desk:incoming')}?q=%2B49301234567&customer={customer.pk}"
    )

    # The agent answers, talks 3:05, hangs up: the notice offers to log the call.
    now = timezone.now()
    pbx(base, event="answered", agent=agent.username, at=(now - timedelta(seconds=185)).isoformat())
    pbx(base, event="ended", agent=agent.username, at=now.isoformat())
    expect(page.get_by_test_id("call-notice-title")).to_contain_text(
        "Call ended (3:05)", timeout=POLL
    )
    page.get_by_test_id("call-notice-add").first.click()

    # The case opens with the call form prefilled: number, direction, duration.
    form = page.locator("#form-call")
    expect(form.get_by_label("Number")).to_have_value("+49 30 1234567")
    expect(form.get_by_label("Duration (mm:ss)")).to_have_value("3:05")
    expect(form.get_by_label("Incoming")).to_be_checked()
    form.get_by_label("What was agreed").fill("Sends the machine in on Monday")
    desk_shots(page, "call-log-prefilled", top=False)
    form.get_by_role("button", name="Log call").click()
    timeline = page.locator("#case-timeline")
    expect(timeline).to_contain_text("Sends the machine in on Monday")
    expect(timeline.locator('a[href="tel:+49301234567"]')).to_be_visible()
    # logged: the notice has nothing more to offer
    expect(page.get_by_test_id("call-notice-title")).to_have_count(0, timeout=POLL)
