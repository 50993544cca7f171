"""Acknowledgements: a new customer case gets one confirmation with its number, threaded to
the customer's message, where the mailbox (or the web form setting) wants one — never to
automatic senders, never twice."""

from __future__ import annotations

import pytest

from caseflow.cases import events
from caseflow.cases import services as case_services
from caseflow.cases.models import CaseStatus
from caseflow.channels import acknowledgements
from caseflow.channels.inbound import services as inbound_services
from caseflow.channels.inbound.services import receive
from caseflow.channels.models import OutboundMessage
from caseflow.channels.outbound import templating
from caseflow.channels.tests.inbound_fixtures import message
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db


def opened(case, *, channel="email", mailbox=None, acknowledge=None, **kwargs) -> None:
    """The case's `opened` event as a channel's intake announces it, delivered after COMMIT."""
    if acknowledge is None:
        acknowledge = mailbox.acknowledge if channel == "email" and mailbox else channel == "web"
    origin = acknowledgements.origin(
        address=kwargs.pop("address", "erika@example.com"),
        acknowledge=acknowledge,
        language=kwargs.pop("language", "de"),
        mailbox=mailbox.pk if mailbox else None,
        message_id=kwargs.pop("message_id", ""),
    )
    event = events.CaseEvent(
        kind=events.OPENED,
        case_id=case.pk,
        number=case.number,
        version=case.version,
        actor_id=None,
        channel=channel,
        at=case.received_at,
        data=origin,
    )
    events.deliver(event)


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
        opened(out_case, channel="web", language=language)
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
        subject="{subject}", body="Dear {contact_name} of {customer_name}: {subject} {case_number}"
    )
    out_case.subject = "Buy cheap watches at spam.example"
    out_case.save(update_fields=["subject"])
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, channel="web", language="en")
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


def test_nothing_is_answered_where_the_origin_wants_no_acknowledgement(
    out_case, out_mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, mailbox=out_mailbox, acknowledge=False)
        opened(out_case, channel="web", acknowledge=False)
        opened(out_case, mailbox=None)  # no mailbox: nobody asked for it
        opened(out_case, channel="sms", address="+491711234567")  # the SMS side's
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()


def test_a_mail_case_is_acknowledged_only_after_its_commit(
    inbox, known_sender, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inbound = receive(inbox, message(), source="mta")
    assert inbound.case is not None
    assert mailoutbox == [] and not OutboundMessage.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    (mail,) = mailoutbox
    assert mail.to == ["erika@example.org"] and inbound.case.number in mail.subject


def test_a_redelivered_mail_is_acknowledged_once_and_a_quarantined_one_never(
    inbox, known_sender, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    raw = message()
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(inbox, raw, source="mta")
        again = receive(inbox, raw, source="mta")
    assert again.status == "duplicate" and again.case_id == first.case_id
    assert len(mailoutbox) == 1

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbound_services, "_record", broken)
    with django_capture_on_commit_callbacks(execute=True):
        stuck = receive(inbox, message(sender="Hans <hans@new.example>"), source="mta")
    assert stuck.status == "quarantined" and stuck.case_id is None
    assert len(mailoutbox) == 1  # the rolled-back case announced nothing


def test_a_mailbox_that_does_not_acknowledge_sends_nothing(
    inbox, known_sender, mailoutbox, django_capture_on_commit_callbacks
):
    inbox.acknowledge = False
    inbox.save()
    with django_capture_on_commit_callbacks(execute=True):
        inbound = receive(inbox, message(), source="mta")
    assert inbound.case is not None
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()


def test_a_case_an_agent_opens_is_never_acknowledged(
    agent, known_sender, out_mailbox, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case_services.open_case(
            actor=agent, channel=Channel.EMAIL, customer=known_sender, subject="Pump is loud"
        )
    assert mailoutbox == []
    assert not OutboundMessage.objects.exists()


def test_a_failing_acknowledgement_is_retried_by_the_worker_and_sent_once(
    inbox, known_sender, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    scheduled: list[tuple] = []
    monkeypatch.setattr(
        "caseflow.cases.tasks.redeliver_case_event.schedule",
        lambda args, delay: scheduled.append(args),
    )
    real_pick = templating.pick_for_purpose
    failures = iter([RuntimeError("template store down")])

    def pick_once_broken(purpose, language):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_pick(purpose, language)

    monkeypatch.setattr(templating, "pick_for_purpose", pick_once_broken)
    with django_capture_on_commit_callbacks(execute=True):
        inbound = receive(inbox, message(), source="mta")
    assert inbound.status == "processed" and inbound.case is not None  # intake unharmed
    assert "template store down" in caplog.text
    assert mailoutbox == [] and not OutboundMessage.objects.exists()
    ((name, values, attempt),) = scheduled
    assert (name, attempt) == ("channels.acknowledge", 1)

    # The worker delivers it again: one acknowledgement; a second delivery (a retry racing
    # another, a worker that crashed after sending) finds it and sends nothing more.
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert events.deliver_to(name, values, attempt) == "delivered"
    (mail,) = mailoutbox
    assert mail.to == ["erika@example.org"] and inbound.case.number in mail.subject
    assert OutboundMessage.objects.filter(case=inbound.case, is_acknowledgement=True).count() == 1


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
        send_acknowledgement(case_id=out_case.pk, address="x", language="en")


@pytest.mark.parametrize(("language", "subject"), [("de", "Ihre Anfrage"), ("es", "Su solicitud")])
def test_a_web_confirmation_without_a_subject_gets_a_neutral_one(
    out_case, mailoutbox, django_capture_on_commit_callbacks, language, subject
):
    from caseflow.channels.models import MessageTemplate

    MessageTemplate.objects.filter(code="web_ack").update(subject="")
    with django_capture_on_commit_callbacks(execute=True):
        opened(out_case, channel="web", language=language)
    (mail,) = mailoutbox
    assert mail.subject == f"{subject} [{out_case.number}]"
