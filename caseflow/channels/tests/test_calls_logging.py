"""Logging a call on a case with its number (source 002), and phone numbers as tel: links."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from caseflow.cases import services as case_services
from caseflow.cases.models import TimelineEvent
from caseflow.channels.calls import services
from caseflow.channels.models import Call
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def phone_case(agent, phone_caller):
    return case_services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=phone_caller,
        contact=phone_caller.contacts.get(),
        subject="Pump is loud",
    )


def log(client, case, **data):
    data.setdefault("direction", "in")
    data.setdefault("outcome", "reached")
    return client.post(reverse("desk:case_call", args=[case.pk]), data, headers=HTMX)


def test_the_number_is_stored_in_e164_and_shown_as_a_tel_link(client, agent, phone_case):
    client.force_login(agent)

    response = log(client, phone_case, number="0171 / 234 56 78", duration="2:10", text="Ok")

    assert response.status_code == 200
    event = TimelineEvent.objects.get(case=phone_case, event_type__code="call_in")
    assert event.data == {"number": "+491712345678"}
    assert event.call_duration == 130
    html = client.get(reverse("desk:case_detail", args=[phone_case.pk])).content.decode()
    assert '<a href="tel:+491712345678" class="tel">+49 171 2345678</a>' in html


def test_an_outgoing_call_without_a_number_is_logged_as_before(client, agent, phone_case):
    client.force_login(agent)

    log(client, phone_case, direction="out", outcome="not_reached")

    event = TimelineEvent.objects.get(case=phone_case, event_type__code="call_out")
    assert event.data == {}
    assert event.call_outcome == "not_reached"


@pytest.mark.parametrize("number", ["12", "call me", "+49" + "1" * 30])
def test_a_number_that_is_no_phone_number_is_refused_on_its_field(
    client, agent, phone_case, number
):
    client.force_login(agent)
    before = TimelineEvent.objects.filter(case=phone_case).count()

    response = log(client, phone_case, number=number)

    assert response.status_code == 422
    html = response.content.decode()
    assert "is not a valid phone number" in html or "at most 40 characters" in html
    assert TimelineEvent.objects.filter(case=phone_case).count() == before


def test_logging_the_pbx_call_links_it_once(client, agent, phone_case):
    call = services.record_cti_event(
        event="ended", call_id="pbx-9", caller="030 1234567", at=timezone.now(), duration=61
    ).call
    client.force_login(agent)

    log(client, phone_case, number="+49 30 1234567", duration="1:01", call=str(call.pk))

    call.refresh_from_db()
    assert call.event is not None
    assert call.case == phone_case
    assert call.event.data == {"number": "+49301234567", "call": "pbx-9"}
    with pytest.raises(DomainError):
        services.log_call(actor=agent, case=phone_case, direction="in", call=call)
    # the form's hidden call of a logged call is ignored: the call is logged, once linked
    log(client, phone_case, call=str(call.pk))
    assert Call.objects.get().event_id == call.event_id
    assert TimelineEvent.objects.filter(case=phone_case, event_type__code="call_in").count() == 2


def test_log_call_checks_the_role_and_the_direction(quality_manager, agent, phone_case):
    with pytest.raises(NotAllowed):
        services.log_call(actor=quality_manager, case=phone_case, direction="in")
    with pytest.raises(DomainError):
        services.log_call(actor=agent, case=phone_case, direction="sideways")
    assert not TimelineEvent.objects.filter(event_type__category="call").exists()


def test_the_case_header_shows_the_contacts_numbers_as_tel_links(client, agent, phone_case):
    client.force_login(agent)

    html = client.get(reverse("desk:case_detail", args=[phone_case.pk])).content.decode()
    header = html.split('id="case-header"', 1)[1].split("</section>", 1)[0]

    assert 'href="tel:+49301234567"' in header
    assert 'href="tel:+491712345678"' in header


def test_the_customer_page_and_the_caller_panel_link_numbers(client, agent, phone_caller):
    client.force_login(agent)

    page = client.get(reverse("desk:customer_detail", args=[phone_caller.pk])).content.decode()
    panel = client.get(
        reverse("desk:incoming"), {"q": "030 1234567", "customer": phone_caller.pk}
    ).content.decode()

    for html in (page, panel):
        assert '<a href="tel:+49301234567" class="tel">+49 30 1234567</a>' in html
        assert 'href="mailto:erika@example.com"' in html


# --- the tel filter ---------------------------------------------------------------------------


def render(value) -> str:
    return Template("{% load phones %}{{ value|tel }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+491712345678", '<a href="tel:+491712345678" class="tel">+49 171 2345678</a>'),
        ("030 1234567", '<a href="tel:+49301234567" class="tel">+49 30 1234567</a>'),
        ("+1 (415) 555-0100", '<a href="tel:+14155550100" class="tel">+1 415-555-0100</a>'),
    ],
)
def test_tel_links_any_notation(value, expected):
    assert render(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('<script>alert("x")</script>', "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"),
        ('0171" onclick="x', "0171&quot; onclick=&quot;x"),
        ("anonymous", "anonymous"),
        (None, ""),
        ("", ""),
    ],
)
def test_tel_escapes_what_is_no_number_and_links_nothing(value, expected):
    assert render(value) == expected


def test_tel_takes_css_classes_escaped():
    html = Template('{% load phones %}{{ "030 1234567"|tel:"link-light x\\"y" }}').render(Context())

    assert html == '<a href="tel:+49301234567" class="tel link-light x&quot;y">+49 30 1234567</a>'


def test_tel_never_puts_markup_in_the_link():
    html = render("+49 171 2345678<b>")

    assert "<b>" not in html
