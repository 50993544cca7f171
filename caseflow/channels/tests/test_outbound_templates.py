"""Message templates: placeholders filled safely, the customer's language with English as
the fallback, the solution message from the case's solution, the seeded defaults."""

from __future__ import annotations

import pytest
from django.utils import translation

from caseflow.accounts.models import Language
from caseflow.cases import services as case_services
from caseflow.catalog.tests.factories import UnitFactory
from caseflow.channels.models import MessageTemplate, TemplatePurpose
from caseflow.channels.outbound import services, templating
from caseflow.channels.tests.outbound_fixtures import SIGNATURE
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db


def template(code: str) -> MessageTemplate:
    return MessageTemplate.objects.get(code=code)


def test_every_default_template_is_seeded_in_three_languages():
    for code in ("reply", "solution", "ack", "web_ack", "sms"):
        row = template(code)
        assert row.active and templating.languages_of(row) == ["en", "de", "es"], code
        assert len({row.name_en, row.name_de, row.name_es}) == 3, code
    for row in MessageTemplate.objects.all():
        for language in ("en", "de", "es"):
            text = (getattr(row, f"subject_{language}") or "") + getattr(row, f"body_{language}")
            # every placeholder a seeded text uses is a known one
            assert (
                templating.fill(text, dict.fromkeys(templating.PLACEHOLDERS, "")).count("{") == 0
            ), (row, language)


def test_placeholders_are_filled_and_unknown_ones_stay_visible(agent, out_case):
    out_case.unit = UnitFactory(serial="EM2000-0001")
    out_case.product = out_case.unit.product
    row = MessageTemplate(
        code="t",
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
    subject, body = templating.render_template(template("ack"), out_case, language="de")
    assert subject == "Ihre Nachricht ist bei uns eingegangen: Pump is loud"
    assert body.startswith("Guten Tag Erika Mustermann,")

    MessageTemplate.objects.filter(code="ack").update(name_es=None, subject_es="", body_es="")
    subject, _body = templating.render_template(template("ack"), out_case, language="es")
    assert subject == "We have received your message: Pump is loud"
    assert templating.pick_for_purpose(TemplatePurpose.ACKNOWLEDGEMENT, "es") == template("ack")


def test_a_template_only_written_in_german_is_used_for_everyone(out_case):
    only_german = MessageTemplate.objects.create(
        code="teile", purpose="reply", name_de="Teile bestellt", body_de="Die Teile kommen."
    )
    assert only_german.body_en is None and templating.languages_of(only_german) == ["de"]
    for language in ("en", "es"):
        _subject, body = templating.render_template(only_german, out_case, language=language)
        assert body == "Die Teile kommen."


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
        template=template("solution"),  # the customer's language (German) is used
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
        template=template("reply"),
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
            template=template("ack"),
        )
    assert exc.value.field == "template"


def test_the_picker_offers_each_reply_template_once_by_the_readers_name():
    MessageTemplate.objects.create(code="parts", purpose="reply", name="Parts on order", body="…")
    # replies first (by name in the reader's language), then solution messages
    rows = templating.choosable("de", services.REPLY_PURPOSES)
    assert [t.code for t in rows] == ["parts", "reply", "solution"]  # "Parts …", "Reply"
    with translation.override("de"):
        rows = templating.choosable("es", services.REPLY_PURPOSES)
        assert [(t.code, t.name) for t in rows] == [
            ("reply", "Antwort"),
            ("parts", "Parts on order"),  # no German name: the English one
            ("solution", "Lösungsnachricht"),
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
