"""End to end: a message waiting on the IMAP server becomes a case through the real mail
pipeline (`inbound.services.receive`), and the same bytes polled again make no second case.

Skipped until the pipeline (branch ch-inbound) is in the tree."""

from __future__ import annotations

import pytest

from caseflow.cases.models import Case
from caseflow.channels.inbound.imap import DONE_KEYWORD, poll_mailbox
from caseflow.channels.models import InboundMessage, InboundSource, InboundStatus
from caseflow.channels.tests.imap_helpers import imap_mailbox, make_message

pytest.importorskip("caseflow.channels.inbound.services", reason="the mail pipeline is not here")

pytestmark = pytest.mark.django_db


def test_polled_mail_opens_a_case_once(
    dovecot, imap_user, agent, django_capture_on_commit_callbacks
):
    mailbox = imap_mailbox(dovecot, imap_user, agent)
    raw = make_message(1, subject="Espresso machine leaks water")
    dovecot.append(imap_user, raw)

    with django_capture_on_commit_callbacks(execute=True):
        first = poll_mailbox(mailbox)  # the default delivery: the pipeline

    assert (first.error, first.delivered, first.failed) == ("", 1, 0)
    inbound = InboundMessage.objects.get()
    assert inbound.source == InboundSource.IMAP
    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.case is not None
    assert inbound.case.subject == "Espresso machine leaks water"
    assert dovecot.flags(imap_user)[1] - {"\\Recent"} == {"\\Seen", DONE_KEYWORD}

    # the flag got lost (or a colleague copied the mail back): the same bytes again
    dovecot.append(imap_user, raw)
    with django_capture_on_commit_callbacks(execute=True):
        again = poll_mailbox(mailbox)

    assert again.statuses == {InboundStatus.DUPLICATE: 1}
    assert Case.objects.count() == 1
    assert InboundMessage.objects.count() == 2  # every delivery is kept
