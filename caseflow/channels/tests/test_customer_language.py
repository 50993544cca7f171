"""Customers are written to in their own language (the contact's, else the customer's),
whatever language the agent, the browser or the worker runs in: acknowledgements of e-mail,
web form and SMS, and replies from templates on the desk and through the API."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from caseflow.cases import services as case_services
from caseflow.cases.models import Case
from caseflow.channels.inbound import services as inbound
from caseflow.channels.models import Mailbox, MessageTemplate, OutboundMessage
from caseflow.channels.tests.inbound_fixtures import message
from caseflow.channels.tests.phone_helpers import SMS_INBOUND_URL, SMS_SECRET, post_signed
from caseflow.core.models import Channel
from caseflow.customers.services import create_customer

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}


@pytest.fixture
def german_agent(agent):
    agent.language = "de"
    agent.save(update_fields=["language"])
    return agent


@pytest.fixture
def lucia(agent):
    """A Spanish customer: e-mail, mobile, and a contact with no language of its own."""
    return create_customer(
        actor=agent,
        channel=Channel.PHONE,
        kind="person",
        name="Lucía García",
        language="es",
        country="ES",
        phones=["+34 612 345 678"],
        emails=["lucia@example.es"],
    )


@pytest.fixture
def mailbox(agent) -> Mailbox:
    """A German mailbox that acknowledges new cases."""
    return Mailbox.objects.create(
        name="support", address="support@desk.test", owner=agent, language="de", acknowledge=True
    )


@pytest.fixture
def lucias_case(agent, lucia, mailbox) -> Case:
    return case_services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=lucia,
        contact=lucia.contacts.get(),
        subject="La cafetera gotea",
    )


def test_a_spanish_customers_mail_is_acknowledged_in_spanish(
    lucia, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    # written in German, to a German mailbox: still her language, not the one of the text
    raw = message(
        sender="Lucía García <lucia@example.es>",
        subject="Cafetera",
        body="Die Kaffeemaschine tropft seit gestern, bitte helfen Sie mir.",
    )
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        inbound.receive(mailbox, raw, source="mta")

    (mail,) = mailoutbox
    assert mail.to == ["lucia@example.es"]
    assert mail.subject.startswith("Hemos recibido su mensaje: Cafetera")
    assert mail.body.startswith("Hola, Lucía García:")


def test_the_contacts_language_wins_over_the_customers(
    lucia, mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    contact = lucia.contacts.get()
    contact.language = "en"
    contact.save(update_fields=["language"])
    raw = message(sender="lucia@example.es", subject="Cafetera", body="La cafetera gotea.")
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        inbound.receive(mailbox, raw, source="mta")

    (mail,) = mailoutbox
    assert mail.subject.startswith("We have received your message: Cafetera")


def test_a_spanish_customers_sms_is_confirmed_in_spanish(
    client, lucia, django_capture_on_commit_callbacks
):
    body = {"id": "sms-es-1", "from": "+34612345678", "to": "+49 40 999000",
            "text": "Die Maschine tropft", "at": timezone.now().isoformat()}  # fmt: skip
    with translation.override("de"), django_capture_on_commit_callbacks(execute=True):
        response = post_signed(
            client, SMS_INBOUND_URL, body, secret=SMS_SECRET, **{"Accept-Language": "de"}
        )

    assert response.status_code == 200, response.content
    ack = OutboundMessage.objects.get(is_acknowledgement=True)
    assert ack.kind == "sms" and ack.to == "+34612345678"
    assert ack.body.startswith(f"Su caso {ack.case.number}:")


def test_the_spanish_web_form_confirms_in_spanish_in_a_german_browser(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    cache.clear()  # the web form's flood limits
    data = {"name": "Lucía García", "email": "lucia@example.es", "phone": "", "order_number": "",
            "serial": "", "product": "", "product_other": "", "subject": "Gotea",
            "description": "La cafetera gotea desde ayer.", "website": ""}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/support/es/", data, **GERMAN)

    assert response.status_code == 302, response.content.decode()
    (mail,) = mailoutbox
    assert mail.subject.startswith("Su solicitud [")
    cache.clear()


def test_a_german_agent_picks_a_template_and_gets_the_customers_language(
    client, german_agent, lucias_case
):
    lucias_case.solution = "Cambiar la junta."
    lucias_case.save(update_fields=["solution"])
    solution = MessageTemplate.objects.get(code="solution", language="es")
    client.force_login(german_agent)

    response = client.get(
        reverse("desk:case_action_form", args=[lucias_case.pk, "reply"]),
        {"template": solution.pk},
        headers={"HX-Request": "true"},
        **GERMAN,
    )

    html = response.content.decode()
    assert "E-Mail senden" in html  # the agent's screen is German, the mail Spanish
    assert f"Solución para su caso [{lucias_case.number}]: La cafetera gotea" in html
    assert "Cambiar la junta." in html


def test_a_german_template_sent_through_the_api_goes_out_in_spanish(
    api_as, german_agent, lucias_case, mailoutbox, django_capture_on_commit_callbacks
):
    german = MessageTemplate.objects.get(code="solution", language="de")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(german_agent).post(
            f"/api/channels/cases/{lucias_case.pk}/replies",
            {"to": ["lucia@example.es"], "template_id": german.pk},
            **GERMAN,
        )

    assert response.status_code == 201, response.content
    (mail,) = mailoutbox
    assert mail.subject.startswith(f"Solución para su caso [{lucias_case.number}]")
    assert mail.body.startswith("Hola, Lucía García:")
