"""seed_demo's mail: a mailbox and messages delivered through the real intake pipeline — a new
case with its acknowledgement, a tagged reply, an unknown sender, an ignored auto-reply and
one SMS — once, however often the command runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from caseflow.accounts.models import User
from caseflow.cases.models import Case, TimelineEvent
from caseflow.channels import senders
from caseflow.channels.models import (
    InboundMessage,
    InboundSms,
    InboundStatus,
    Mailbox,
    OutboundMessage,
)
from caseflow.demo.mail import (
    ADDRESS,
    NEW_PROBLEM_SUBJECT,
    SMS_FIRST_LINE,
    UNKNOWN,
    UNKNOWN_SUBJECT,
)

pytestmark = pytest.mark.django_db

SMALL = {"customers": 12, "units": 20, "cases": 14}


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def seeded(django_capture_on_commit_callbacks) -> str:
    # The pipeline announces a new case after COMMIT: run those callbacks as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        return seed(**SMALL)


def test_the_demo_mailbox_receives_its_mail_through_the_pipeline(seeded):
    assert "demo mail: mailbox 'support'" in seeded
    mailbox = Mailbox.objects.get(name="support")
    assert mailbox.address == ADDRESS and mailbox.acknowledge and mailbox.active
    assert mailbox.team is not None and mailbox.owner.username == "agent1"
    statuses = sorted(InboundMessage.objects.values_list("status", flat=True))
    assert statuses == sorted([InboundStatus.PROCESSED] * 3 + [InboundStatus.IGNORED])
    assert all(m.raw.name for m in InboundMessage.objects.all())  # raw bytes stored first


def test_a_known_customer_opens_a_case_linked_to_the_unit_and_is_acknowledged(seeded):
    case = Case.objects.get(subject=NEW_PROBLEM_SUBJECT)
    assert not senders.is_unknown(case)
    assert case.unit is not None and case.unit.serial in case.symptom
    assert case.events.filter(event_type__code="email_in").count() == 1
    ack = OutboundMessage.objects.get(case=case, is_acknowledgement=True)
    sender = InboundMessage.objects.get(case=case).sender
    assert sender.lower() in ack.to.lower()


def test_a_customer_answers_an_open_demo_case_by_its_tag(seeded):
    reply = InboundMessage.objects.get(subject__startswith="Re: [C-")
    case = reply.case
    assert reply.status == InboundStatus.PROCESSED and f"[{case.number}]" in reply.subject
    assert case.subject in reply.subject  # an existing company case, not a new one
    assert case.events.filter(event_type__code="email_in").count() == 1
    assert case.events.filter(event_type__code="created").get().occurred_at < reply.received_at
    assert not OutboundMessage.objects.filter(case=case, is_acknowledgement=True).exists()


def test_an_unknown_sender_shows_the_banner_on_the_desk(seeded, client):
    case = Case.objects.get(subject=UNKNOWN_SUBJECT)
    assert senders.is_unknown(case)
    assert senders.sender_of(case).email == UNKNOWN[1]
    agent = User.objects.get(username="agent1")
    client.force_login(agent)
    page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    with translation.override(agent.language):  # the desk speaks the agent's language
        banner = translation.gettext("Unknown contact")
    assert banner in page and UNKNOWN[1] in page


def test_the_auto_reply_is_kept_and_never_answered(seeded):
    ignored = InboundMessage.objects.get(status=InboundStatus.IGNORED)
    assert ignored.is_automatic and ignored.case is None
    address = ignored.sender.lower()
    assert not any(address in m.to.lower() for m in OutboundMessage.objects.all())


def test_an_sms_opens_a_case(seeded):
    sms = InboundSms.objects.get()
    assert sms.status == InboundStatus.PROCESSED
    assert sms.case.subject == SMS_FIRST_LINE and sms.case.channel == "sms"
    assert TimelineEvent.objects.filter(case=sms.case, event_type__code="sms_in").exists()


def test_a_second_run_delivers_nothing_again_and_the_audit_trail_verifies(seeded):
    counts = (InboundMessage.objects.count(), Case.objects.count(), InboundSms.objects.count())
    output = seed(**SMALL)
    assert "nothing to do" in output and "demo mail" not in output
    assert (
        InboundMessage.objects.count(),
        Case.objects.count(),
        InboundSms.objects.count(),
    ) == counts
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "audit chain intact" in out.getvalue()


def test_a_demo_database_without_mail_gets_it_on_the_next_run(seeded):
    """An earlier version's demo database (no mailbox yet) gets the mail on the next run."""
    InboundSms.objects.all().delete()
    InboundMessage.objects.all().delete()
    assert "demo mail: mailbox 'support'" in seed(**SMALL)
    assert InboundMessage.objects.count() == 4
