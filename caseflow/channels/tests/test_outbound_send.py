"""Replies from the case reach a real SMTP server (aiosmtpd) with everything a mail program
needs to thread them; refused sends are retried with backoff, sent ones never again."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from caseflow.cases import services as case_services
from caseflow.cases.models import CaseStatus, Code, TimelineEvent
from caseflow.cases.services import Upload
from caseflow.channels.models import (
    InboundMessage,
    InboundSource,
    InboundStatus,
    Mailbox,
    OutboundMessage,
    OutboundStatus,
)
from caseflow.channels.outbound import sending, services
from caseflow.channels.tests.outbound_fixtures import SIGNATURE
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def inbound(case, mailbox, message_id: str, minutes_ago: int = 10) -> InboundMessage:
    """The customer's message on `case`, as the intake stores it."""
    raw = f"Message-ID: {message_id}\r\n\r\nhello".encode()
    row = InboundMessage.objects.create(
        mailbox=mailbox,
        source=InboundSource.MTA,
        raw=f"mail/raw/{hashlib.sha256(raw).hexdigest()}.eml",
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        message_id=message_id,
        status=InboundStatus.PROCESSED,
        sender="erika@example.com",
        case=case,
    )
    InboundMessage.objects.filter(pk=row.pk).update(
        received_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return row


def reply(agent, case, **overrides) -> OutboundMessage:
    fields = {
        "actor": agent,
        "case": case,
        "to": "erika@example.com",
        "subject": "Your pump",
        "body": "Please descale the machine.",
    }
    fields.update(overrides)
    return services.send_reply(**fields)


def test_a_reply_arrives_threaded_signed_and_with_its_files(
    agent, out_case, out_mailbox, smtp_sink, django_capture_on_commit_callbacks
):
    inbound(out_case, out_mailbox, "<first@customer.example>", minutes_ago=30)
    inbound(out_case, out_mailbox, "<second@customer.example>", minutes_ago=5)

    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(
            agent,
            out_case,
            cc="Boss <Boss@Example.com>",
            attachments=[case_services.Upload(name="../../etc/photo.png", content=PNG)],
        )

    (mail,) = smtp_sink.wait_for(1)
    assert mail["From"] == "ACME Support <support@desk.test>"
    assert mail["To"] == "erika@example.com"
    assert mail["Cc"] == "boss@example.com"
    assert mail["Subject"] == f"Your pump [{out_case.number}]"
    assert mail["Message-ID"] == outbound.message_id
    assert outbound.message_id.endswith("@desk.test>")
    assert mail["In-Reply-To"] == "<second@customer.example>"
    assert mail["References"].split() == ["<first@customer.example>", "<second@customer.example>"]
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "Please descale the machine." in text
    assert text.count(SIGNATURE) == 1
    assert "\n-- \n" in text
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "photo.png"
    assert attachment.get_content() == PNG
    envelope_from, recipients, _raw = smtp_sink.envelopes[0]
    assert envelope_from == "support@desk.test"
    assert sorted(recipients) == ["boss@example.com", "erika@example.com"]

    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts, outbound.last_error) == ("sent", 1, "")
    assert outbound.sent_at is not None
    event = outbound.event
    assert event.event_type.code == "email_out"
    assert event.is_internal is False
    assert event.actor == agent
    assert event.data["subject"] == mail["Subject"]
    assert [a.filename for a in event.attachments.all()] == ["photo.png"]
    assert AuditEntry.objects.filter(action="case.event_recorded", target_id=str(event.pk)).exists()


def test_our_earlier_mail_is_the_parent_when_the_customer_never_wrote(
    agent, out_case, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(agent, out_case)
    with django_capture_on_commit_callbacks(execute=True):
        second = reply(agent, out_case, subject=f"Re: Your pump [{out_case.number}]")

    assert second.in_reply_to == first.message_id
    assert second.references == first.message_id
    mails = smtp_sink.wait_for(2)
    # the tag is not added twice
    assert mails[1]["Subject"] == f"Re: Your pump [{out_case.number}]"


def test_an_empty_subject_answers_the_case_subject(agent, out_case):
    outbound = reply(agent, out_case, subject="  ")
    assert outbound.subject == f"Re: Pump is loud [{out_case.number}]"


def test_without_a_mailbox_mail_comes_from_the_default_address(
    agent, out_case, out_mailbox, settings, mailoutbox, django_capture_on_commit_callbacks
):
    out_mailbox.active = False
    out_mailbox.save()
    settings.DEFAULT_FROM_EMAIL = "Caseflow <help@fallback.test>"

    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)

    assert outbound.mailbox is None
    (mail,) = mailoutbox
    assert mail.from_email == "Caseflow <help@fallback.test>"
    assert outbound.message_id.endswith("@fallback.test>")
    assert SIGNATURE not in mail.body


def test_the_mailbox_the_mail_came_in_through_answers(agent, out_case, out_mailbox, settings):
    sales = Mailbox.objects.create(name="sales", address="sales@desk.test", owner=agent)
    settings.OUTBOUND_DEFAULT_MAILBOX = "support"
    assert services.mailbox_for(out_case) == out_mailbox
    inbound(out_case, sales, "<x@customer.example>")
    assert services.mailbox_for(out_case) == sales


def test_the_default_mailbox_setting_picks_among_several(agent, out_case, out_mailbox, settings):
    zentrale = Mailbox.objects.create(name="zentrale", address="z@desk.test", owner=agent)
    assert services.mailbox_for(out_case) == out_mailbox  # the first by name
    settings.OUTBOUND_DEFAULT_MAILBOX = "zentrale"
    assert services.mailbox_for(out_case) == zentrale


# --- retries ----------------------------------------------------------------------------------


def test_a_refused_send_is_retried_later_and_then_arrives(
    agent, out_case, smtp_sink, django_capture_on_commit_callbacks, settings
):
    settings.OUTBOUND_RETRY_DELAY = 60
    smtp_sink.refuse = "451 4.3.0 Try again later"
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)

    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.QUEUED
    assert outbound.attempts == 1
    assert "451" in outbound.last_error
    assert outbound.next_attempt_at >= before + timedelta(seconds=60)
    assert outbound.locked_until is None
    assert smtp_sink.envelopes == []

    # the scheduled retry (Huey runs it when due; here: now)
    smtp_sink.refuse = ""
    assert sending.deliver(outbound.pk) == "sent"

    (mail,) = smtp_sink.wait_for(1)
    assert mail["Message-ID"] == outbound.message_id
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts, outbound.last_error) == ("sent", 2, "")


def test_backoff_grows_four_times_and_is_capped():
    assert [sending.retry_delay(n) for n in (1, 2, 3, 4)] == [60, 240, 960, 3840]
    assert sending.retry_delay(20) == sending.MAX_DELAY


def test_after_the_last_attempt_the_message_failed(
    agent, out_case, smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    smtp_sink.refuse = "421 4.7.0 Too busy"
    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)
    assert sending.deliver(outbound.pk) == "failed"

    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("failed", 2)
    assert "421" in outbound.last_error
    assert sending.deliver(outbound.pk) == "skipped"


def test_a_permanent_refusal_fails_at_once_and_can_be_sent_again(
    agent, out_case, smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.refuse = "550 5.1.1 No such user"
    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("failed", 1)

    smtp_sink.refuse = ""
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_outbound(actor=agent, outbound=outbound)

    smtp_sink.wait_for(1)
    outbound.refresh_from_db()
    assert (outbound.status, outbound.attempts) == ("sent", 1)
    assert AuditEntry.objects.filter(
        action="channels.outbound_retried", chain=f"cases.case:{out_case.pk}"
    ).exists()


def test_only_failed_messages_are_sent_again(agent, out_case, technician):
    outbound = reply(agent, out_case)
    with pytest.raises(DomainError) as exc:
        services.retry_outbound(actor=agent, outbound=outbound)
    assert exc.value.code == "not_failed"


def test_an_unreachable_server_is_a_temporary_failure(
    agent, out_case, settings, django_capture_on_commit_callbacks
):
    from caseflow.channels.tests.smtp_server import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.QUEUED
    assert "ConnectionRefusedError" in outbound.last_error


# --- idempotence --------------------------------------------------------------------------------


def test_running_the_task_twice_sends_one_mail(
    agent, out_case, smtp_sink, django_capture_on_commit_callbacks
):
    from caseflow.channels.outbound import tasks

    with django_capture_on_commit_callbacks(execute=True):
        outbound = reply(agent, out_case)
    tasks.send_outbound(outbound.pk)
    assert sending.deliver(outbound.pk) == "skipped"

    assert len(smtp_sink.wait_for(1)) == 1
    outbound.refresh_from_db()
    assert outbound.attempts == 1


def test_a_message_another_worker_claimed_is_left_alone(agent, out_case, smtp_sink):
    outbound = reply(agent, out_case)  # not committed: nothing enqueued
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        locked_until=timezone.now() + timedelta(minutes=5)
    )
    assert sending.deliver(outbound.pk) == "skipped"
    # the claim ran out (the worker died): the next one sends
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert sending.deliver(outbound.pk) == "sent"
    assert len(smtp_sink.wait_for(1)) == 1


def test_the_sweep_sends_what_was_never_enqueued(agent, out_case, smtp_sink):
    outbound = reply(agent, out_case)  # its on-commit enqueue never ran
    fresh = reply(agent, out_case)
    OutboundMessage.objects.filter(pk=outbound.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=10)
    )

    assert sending.sweep() == 1

    (mail,) = smtp_sink.wait_for(1)
    assert mail["Message-ID"] == outbound.message_id
    assert OutboundMessage.objects.get(pk=fresh.pk).status == OutboundStatus.QUEUED


def test_sms_rows_are_left_to_the_sms_side(agent, out_case):
    outbound = reply(agent, out_case)
    OutboundMessage.objects.filter(pk=outbound.pk).update(kind="sms")
    assert sending.deliver(outbound.pk) == "skipped"


# --- refusals: nothing written ------------------------------------------------------------------


def counts(case) -> tuple[int, int, int]:
    return (
        OutboundMessage.objects.count(),
        TimelineEvent.objects.filter(case=case).count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"to": ""}, "to"),
        ({"to": "not an address"}, "to"),
        ({"to": "erika@example.com\r\nBcc: x@evil.test"}, "to"),
        ({"cc": "a@b.test, broken@"}, "cc"),
        ({"to": [f"u{n}@example.com" for n in range(21)]}, "to"),
        ({"body": "   "}, "body"),
        ({"subject": "x" * 301}, "subject"),
        (
            {
                "attachments": [
                    case_services.Upload(name=f"{n}.txt", content=b"x") for n in range(11)
                ]
            },
            "attachments",
        ),
        ({"attachments": [Upload(name="empty.txt", content=b"")]}, "files"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(agent, out_case, overrides, field):
    before = counts(out_case)
    with pytest.raises(DomainError) as exc:
        reply(agent, out_case, **overrides)
    assert exc.value.field == field
    assert counts(out_case) == before


def test_an_oversize_attachment_is_refused(agent, out_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    before = counts(out_case)
    with pytest.raises(DomainError) as exc:
        reply(
            agent, out_case, attachments=[case_services.Upload(name="big.bin", content=b"x" * 1001)]
        )
    assert exc.value.code == "file_too_large"
    assert counts(out_case) == before


def test_a_role_without_timeline_rights_may_not_reply(back_office, quality_manager, out_case):
    before = counts(out_case)
    for actor in (back_office, quality_manager):
        with pytest.raises(NotAllowed):
            reply(actor, out_case)
    assert counts(out_case) == before


def test_a_stale_version_is_a_conflict(agent, out_case):
    with pytest.raises(Conflict):
        reply(agent, out_case, version=out_case.version + 5)


def test_a_closed_case_gets_no_reply(agent, out_case):
    general = Code.objects.get(code="ADV")
    specific = Code.objects.get(code="ADV-PHONE")
    case_services.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=out_case,
        resolution_general=general,
        resolution_specific=specific,
    )
    case_services.close_case(actor=agent, channel=Channel.UI, case=out_case)
    before = counts(out_case)
    with pytest.raises(DomainError) as exc:
        reply(agent, out_case)
    assert exc.value.code == "case_closed"
    assert counts(out_case) == before


def test_a_reply_by_an_agent_opens_a_new_case(agent, out_case):
    assert out_case.status == CaseStatus.NEW
    reply(agent, out_case)
    out_case.refresh_from_db()
    assert out_case.status == CaseStatus.OPEN


def test_the_admin_sends_failed_mail_again(
    admin_client, agent, out_case, mailoutbox, django_capture_on_commit_callbacks
):
    failed = reply(agent, out_case)
    sent = reply(agent, out_case)
    OutboundMessage.objects.filter(pk=failed.pk).update(status=OutboundStatus.FAILED)
    OutboundMessage.objects.filter(pk=sent.pk).update(status=OutboundStatus.SENT)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/channels/outboundmessage/",
            {"action": "retry_failed_outbound", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert "1 e-mails queued again; 1 skipped" in response.content.decode()
    assert [m.subject for m in mailoutbox] == [failed.subject]
    assert (
        AuditEntry.objects.filter(action="channels.outbound_retried", channel="admin").count() == 1
    )
