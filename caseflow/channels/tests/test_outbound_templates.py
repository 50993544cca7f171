"""Message templates: placeholders filled safely, the customer's language with English as
the fallback, the solution message from the case's solution, the seeded defaults."""

from __future__ import annotations

import pytest

from caseflow.accounts.models import Language
from caseflow.cases import services as case_services
from caseflow.catalog.tests.factories import UnitFactory
from caseflow.channels.models import MessageTemplate, TemplatePurpose
from caseflow.channels.outbound import services, templating
from caseflow.channels.tests.outbound_fixtures import SIGNATURE
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db


def template(code: str, language: str) -> MessageTemplate:
    return MessageTemplate.objects.get(code=code, language=language)


def test_every_default_template_is_seeded_in_three_languages():
    for code in ("reply", "solution", "ack", "web_ack", "sms"):
        languages = set(
            MessageTemplate.objects.filter(code=code, active=True).values_list(
                "language", flat=True
            )
        )
        assert languages == {"en", "de", "es"}, code
    for row in MessageTemplate.objects.all():
        # every placeholder a seeded text uses is a known one
        assert (
            templating.fill(
                row.subject + row.body, dict.fromkeys(templating.PLACEHOLDERS, "")
            ).count("{")
            == 0
        ), row


def test_placeholders_are_filled_and_unknown_ones_stay_visible(agent, out_case):
    out_case.unit = UnitFactory(serial="EM2000-0001")
    out_case.product = out_case.unit.product
    row = MessageTemplate(
        code="t",
        language="en",
        purpose=TemplatePurpose.REPLY,
        name="t",
        subject="{case_number}: {subject}",
        body="{contact_name} / {customer_name} / {product} / {serial} / {agent_name}\n"
        "{nonsense} {subject.__class__} {case_number!r} {{case_number}} {SUBJECT}\n{signature}",
    )
    subject, body = templating.render_template(
        row, out_case, agent_name="Anna Agent", signature=SIGNATURE
    )
    assert subject == f"{out_case.number}: Pump is loud"
    first, second, third = body.split("\n", 2)
    assert first == (
        f"Erika Mustermann / Erika Mustermann / {out_case.product.name} / EM2000-0001 / Anna Agent"
    )
    # nothing reaches attributes, conversions or format specs; unknown names are left alone
    assert second == (
        "{nonsense} {subject.__class__} {case_number!r} " + "{" + out_case.number + "} {SUBJECT}"
    )
    assert third == f"-- \n{SIGNATURE}"


def test_the_customers_language_else_english(out_case):
    assert services.case_language(out_case) == "de"
    subject, body = templating.render_template(template("ack", "en"), out_case, language="de")
    assert subject == "Ihre Nachricht ist bei uns eingegangen: Pump is loud"
    assert body.startswith("Guten Tag Erika Mustermann,")

    template("ack", "es").delete()
    subject, _body = templating.render_template(template("ack", "de"), out_case, language="es")
    assert subject == "We have received your message: Pump is loud"
    assert templating.pick_for_purpose(TemplatePurpose.ACKNOWLEDGEMENT, "es").language == "en"


def test_the_contacts_language_wins_over_the_customers(out_case):
    contact = out_case.contact
    contact.language = Language.ES
    contact.save()
    assert services.case_language(out_case) == "es"


def test_the_solution_message_is_filled_from_the_case(agent, out_case, mailoutbox):
    out_case.solution = "Descale the boiler, then replace the pump seal."
    out_case.save()

    outbound = services.send_reply(
        actor=agent,
        case=out_case,
        to="erika@example.com",
        subject="",
        body="",
        template=template("solution", "en"),  # the customer's language (German) is used
    )

    assert outbound.subject == (f"Lösung zu Ihrem Vorgang [{out_case.number}]: Pump is loud")
    assert "Descale the boiler, then replace the pump seal." in outbound.body
    assert "Mit freundlichen Grüßen\nAgent\n" in outbound.body  # {agent_name}
    assert outbound.body.startswith("Guten Tag Erika Mustermann,")
    assert outbound.body.count(SIGNATURE) == 1  # put in by {signature}, not appended again
    assert outbound.event.data["template"] == "solution"


def test_an_edited_template_text_is_sent_as_written(agent, out_case):
    outbound = services.send_reply(
        actor=agent,
        case=out_case,
        to="erika@example.com",
        subject="Re: pump",
        body="My own words",
        template=template("reply", "de"),
    )
    assert outbound.body.startswith("My own words")
    assert outbound.event.data["template"] == "reply"


def test_an_acknowledgement_template_is_no_reply_template(agent, out_case):
    with pytest.raises(DomainError) as exc:
        services.send_reply(
            actor=agent,
            case=out_case,
            to="erika@example.com",
            subject="",
            body="",
            template=template("ack", "en"),
        )
    assert exc.value.field == "template"


def test_the_picker_offers_each_reply_template_once_in_the_best_language():
    MessageTemplate.objects.create(
        code="parts", language="en", purpose="reply", name="Parts on order", body="…"
    )
    rows = templating.choosable("de", services.REPLY_PURPOSES)
    # replies first (by name: "Antwort", "Parts on order"), then solution messages
    assert [(t.code, t.language) for t in rows] == [
        ("reply", "de"),
        ("parts", "en"),
        ("solution", "de"),
    ]


def test_with_signature_does_not_sign_twice():
    signed = templating.with_signature("Hi", SIGNATURE)
    assert signed == f"Hi\n\n-- \n{SIGNATURE}"
    assert templating.with_signature(signed, SIGNATURE) == signed
    assert templating.with_signature("Hi", "  ") == "Hi"


def test_a_case_without_contact_greets_the_customer(agent, out_customer):
    case = case_services.open_case(
        actor=agent, channel=Channel.PHONE, customer=out_customer, subject="Grinder"
    )
    values = templating.values_for(case)
    assert values["contact_name"] == "Erika Mustermann"
    assert values["product"] == values["serial"] == values["solution"] == ""
