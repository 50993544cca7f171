"""The whole conversation over real SMTP: a customer's mail opens a case and is acknowledged
(threaded to it), the agent's reply carries the case's thread, and the customer's answer to
our mail — subject without the tag — lands on the same case. Auto-replies get nothing."""

from __future__ import annotations

import pytest

from caseflow.cases.models import Case
from caseflow.channels.inbound.services import receive
from caseflow.channels.models import InboundSource, OutboundMessage
from caseflow.channels.outbound import services
from caseflow.channels.tests.inbound_fixtures import message

pytestmark = pytest.mark.django_db


def test_mail_in_acknowledged_replied_and_answered_on_one_case(
    inbox, known_sender, agent, smtp_sink, django_capture_on_commit_callbacks
):
    first_id = "<question-1@example.org>"
    with django_capture_on_commit_callbacks(execute=True):
        first = receive(inbox, message(message_id=first_id), source=InboundSource.MTA)
    case = first.case

    (ack,) = smtp_sink.wait_for(1)
    assert ack["To"] == "erika@example.org"
    assert ack["In-Reply-To"] == first_id
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Subject"].endswith(f"[{case.number}]")
    assert "Guten Tag Erika Muster," in ack.get_content()

    with django_capture_on_commit_callbacks(execute=True):
        reply = services.send_reply(
            actor=agent, case=case, to="erika@example.org", subject="", body="Descale it."
        )
    mails = smtp_sink.wait_for(2)
    assert mails[1]["In-Reply-To"] == first_id
    assert mails[1]["References"].split() == [first_id, ack["Message-ID"]]

    # the customer answers our reply from a mail program that dropped the tag
    answer = message(
        subject="Re: descaling",
        body="Done, it is quiet now.",
        headers={"In-Reply-To": reply.message_id, "References": f"{first_id} {reply.message_id}"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        second = receive(inbox, answer, source=InboundSource.MTA)
    assert second.case_id == case.pk
    assert Case.objects.count() == 1
    assert len(smtp_sink.wait_for(2)) == 2  # no acknowledgement for a follow-up


def test_an_auto_reply_opens_nothing_and_is_never_answered(
    inbox, smtp_sink, django_capture_on_commit_callbacks
):
    auto = message(
        sender="Urlaub <erika@example.org>",
        subject="Abwesenheitsnotiz",
        headers={"Auto-Submitted": "auto-replied"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        receive(inbox, auto, source=InboundSource.MTA)
    assert not OutboundMessage.objects.exists()
    assert smtp_sink.envelopes == []


def test_an_unknown_sender_is_greeted_by_their_name(
    inbox, smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        receive(
            inbox,
            message(sender="Juan García <juan@example.es>", subject="La bomba"),
            source=InboundSource.MTA,
        )
    (ack,) = smtp_sink.wait_for(1)
    # the mailbox speaks German to strangers (its language); the name is the sender's own
    assert ack.get_content().startswith("Guten Tag Juan García,")
    # and a reply from the desk starts in that language too
    assert services.case_language(Case.objects.get()) == "de"
