"""Acknowledgements: a new customer case gets one confirmation with its number, threaded to
the customer's message, where the mailbox (or the web form setting) wants one — never to
automatic senders, never twice."""

from __future__ import annotations

import pytest

from caseflow.cases.models import CaseStatus
from caseflow.channels.models import OutboundMessage
from caseflow.channels.signals import case_opened_by_customer
from caseflow.core.errors import DomainError

pytestmark = pytest.mark.django_db


def opened(case, **kwargs) -> None:
    """What the intake does after its transaction committed."""
    fields = {
        "case": case,
        "channel": "email",
        "address": "erika@example.com",
        "language": "de",
        "mailbox": None,
        "message_id": "",
    }
    fields.update(kwargs)
    case_opened_by_customer.send(sender=None, **fields)


def test_a_new_mail_case_is_acknowledged_once_threaded_and_marked_automatic(
    out_case, out_mailbox, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, mailbox=out_mailbox, message_id="<abc@customer.example>")
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, mailbox=out_mailbox, message_id="<abc@customer.example>")

    (mail,) = smtp_sink.wait_for(1)
    assert mail["To"] == "erika@example.com"
    assert mail["From"] == "ACME Support <support@desk.test>"
    assert mail["Subject"] == (
        f"Ihre Nachricht ist bei uns eingegangen: Pump is loud [{out_case.number}]"
    )
    assert mail["In-Reply-To"] == "<abc@customer.example>"
    assert mail["References"] == "<abc@customer.example>"
    assert mail["Auto-Submitted"] == "auto-replied"
    assert out_case.number in mail.get_content()
    row = OutboundMessage.objects.get(case=out_case)
    assert row.is_acknowledgement and row.status == "sent"
    assert row.event.actor is None and row.event.channel == "system"
    # the system's confirmation is no agent's answer: the case still waits for one
    out_case.refresh_from_db()
    assert out_case.status == CaseStatus.NEW


@pytest.mark.parametrize(
    ("language", "subject", "greeting", "ignore"),
    [
        ("en", "Your request", "Hello,", "If you did not send this request, please ignore"),
        ("de", "Ihre Anfrage", "Guten Tag,", "Falls Sie diese Anfrage nicht gestellt haben"),
        ("es", "Su solicitud", "Hola:", "Si usted no ha enviado esta solicitud"),
    ],
)
def test_a_web_case_gets_a_neutral_confirmation_with_only_its_number(
    out_case, mailoutbox, django_capture_on_commit_callbacks, language, subject, greeting, ignore
):
    # Anyone can type anyone's address into the web form: what they typed (name, subject)
    # must not reach that address in our name.
    out_case.subject = "Buy cheap watches at spam.example"
    out_case.save(update_fields=["subject"])
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, channel="web", language=language, name="Visit spam.example")
    (mail,) = mailoutbox
    assert mail.subject == f"{subject} [{out_case.number}]"
    assert mail.body.startswith(greeting)
    assert out_case.number in mail.body and ignore in mail.body
    assert "spam.example" not in mail.subject + mail.body
    assert "Erika" not in mail.body  # not even the real customer's name
    assert "In-Reply-To" not in mail.extra_headers


def test_an_edited_web_confirmation_still_says_nothing_the_sender_chose(
    out_case, mailoutbox, django_capture_on_commit_callbacks
):
    from caseflow.channels.models import MessageTemplate

    MessageTemplate.objects.filter(code="web_ack").update(
        subject_en="{subject}",
        body_en="Dear {contact_name} of {customer_name}: {subject} {case_number}",
    )
    out_case.subject = "Buy cheap watches at spam.example"
    out_case.save(update_fields=["subject"])
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, channel="web", language="en", name="Visit spam.example")
    (mail,) = mailoutbox
    assert mail.subject == f"Your request [{out_case.number}]"
    assert mail.body.startswith(f"Dear  of :  {out_case.number}\n\n-- \n")  # then the signature


@pytest.mark.parametrize(
    "address",
    [
        "MAILER-DAEMON@mx.example.com",
        "postmaster@example.com",
        "noreply@shop.example",
        "no-reply+bounce@shop.example",
        "Do-Not-Reply@shop.example",
        "bounces+123@lists.example",
    ],
)
def test_automatic_addresses_are_never_acknowledged(
    out_case, out_mailbox, address, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, mailbox=out_mailbox, address=address)
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()


def test_no_acknowledgement_where_it_is_switched_off(
    out_case, out_mailbox, settings, mailoutbox, django_capture_on_commit_callbacks
):
    out_mailbox.acknowledge = False
    out_mailbox.save()
    settings.WEBFORM_ACKNOWLEDGE = False
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, mailbox=out_mailbox)
        opened(out_case, channel="web")
        opened(out_case, mailbox=None)  # no mailbox: nobody asked for it
        opened(out_case, channel="sms", address="+491711234567")  # the SMS side's
    assert mailoutbox == []


def test_a_bad_address_is_only_logged(out_case, out_mailbox, mailoutbox, caplog):
    opened(out_case, mailbox=out_mailbox, address="not-an-address")
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()


def test_without_a_template_nothing_is_sent(out_case, out_mailbox):
    from caseflow.channels.models import MessageTemplate

    MessageTemplate.objects.filter(purpose="ack").update(active=False)
    opened(out_case, mailbox=out_mailbox)
    assert not OutboundMessage.objects.exists()


def test_the_service_refuses_a_bad_address(out_case):
    from caseflow.channels.outbound.services import send_acknowledgement

    with pytest.raises(DomainError):
        send_acknowledgement(case=out_case, address="x", language="en")


@pytest.mark.parametrize(("language", "subject"), [("de", "Ihre Anfrage"), ("es", "Su solicitud")])
def test_a_web_confirmation_without_a_subject_gets_a_neutral_one(
    out_case, mailoutbox, django_capture_on_commit_callbacks, language, subject
):
    from caseflow.channels.models import MessageTemplate

    MessageTemplate.objects.filter(code="web_ack").update(
        subject_en="", subject_de="", subject_es=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, channel="web", language=language)
    (mail,) = mailoutbox
    assert mail.subject == f"{subject} [{out_case.number}]"
