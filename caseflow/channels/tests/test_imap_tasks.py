"""The worker polls: the periodic Huey task fans out one poll per IMAP mailbox (run here in
Huey's immediate mode), and a mailbox already being polled is not polled a second time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from caseflow.channels.inbound import imap, imap_tasks
from caseflow.channels.models import InboundMessage, Mailbox
from caseflow.channels.tests.imap_helpers import imap_mailbox, make_message, store_inbound

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivered(monkeypatch) -> list[str]:
    """The tasks deliver through the pipeline's entry point: here, the storing stand-in."""
    names: list[str] = []

    def deliver(mailbox: Mailbox, raw: bytes) -> InboundMessage:
        names.append(mailbox.name)
        return store_inbound(mailbox, raw)

    monkeypatch.setattr(imap, "deliver_to_pipeline", deliver)
    return names


def test_the_periodic_task_polls_every_active_imap_mailbox(dovecot, agent, delivered):
    first, second, idle = dovecot.add_user(), dovecot.add_user(), dovecot.add_user()
    imap_mailbox(dovecot, first, agent, name="support")
    imap_mailbox(dovecot, second, agent, name="repairs")
    imap_mailbox(dovecot, idle, agent, name="old", active=False)
    Mailbox.objects.create(name="web", address="web@desk.test", owner=agent)  # MTA only
    dovecot.append(first, [make_message(1), make_message(2)])
    dovecot.append(second, make_message(3))
    dovecot.append(idle, make_message(4))

    imap_tasks.poll_mailboxes()

    assert sorted(delivered) == ["repairs", "support", "support"]
    assert Mailbox.objects.get(name="old").last_polled_at is None
    assert Mailbox.objects.get(name="web").last_polled_at is None


def test_a_task_for_a_mailbox_being_polled_changes_nothing(dovecot, imap_user, agent, monkeypatch):
    mailbox = imap_mailbox(dovecot, imap_user, agent)
    dovecot.append(imap_user, [make_message(1), make_message(2)])
    calls = []

    def deliver(box: Mailbox, raw: bytes) -> InboundMessage:
        calls.append(raw)
        if len(calls) == 1:
            # a second consumer runs the task while this poll is still delivering
            imap_tasks.poll_mailbox(box.pk)
        return store_inbound(box, raw)

    monkeypatch.setattr(imap, "deliver_to_pipeline", deliver)

    imap_tasks.poll_mailbox(mailbox.pk)

    assert len(calls) == 2  # not 3 or 4: the inner task skipped
    assert InboundMessage.objects.count() == 2


def test_a_task_for_a_deactivated_mailbox_does_nothing(dovecot, imap_user, agent, delivered):
    mailbox = imap_mailbox(dovecot, imap_user, agent, active=False)
    dovecot.append(imap_user, make_message(1))

    imap_tasks.poll_mailbox(mailbox.pk)

    assert delivered == []


def test_the_schedule_follows_the_setting():
    # IMAP_POLL_MINUTES is 1 by default: every minute
    schedule = imap_tasks.poll_mailboxes.s()
    minutes = [datetime(2026, 1, 1, 9, m, tzinfo=UTC) for m in (0, 1, 7, 59)]
    assert all(schedule.validate_datetime(minute) for minute in minutes)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_at_once_poll_a_mailbox_once(dovecot, imap_user, agent):
    """Two threads with their own connections claim the same mailbox at the same moment.

    (serialized_rollback: the rows migrations made are restored afterwards, as the other
    transactional tests expect.)"""
    mailbox = imap_mailbox(dovecot, imap_user, agent)
    dovecot.append(imap_user, [make_message(n) for n in range(5)])
    start, finished = threading.Barrier(2), threading.Event()
    results: list[imap.PollResult] = []

    def deliver(box: Mailbox, raw: bytes) -> InboundMessage:
        finished.wait(timeout=10)  # hold the lease until the other worker has tried
        return store_inbound(box, raw)

    def worker() -> None:
        try:
            box = Mailbox.objects.get(pk=mailbox.pk)
            start.wait(timeout=5)
            results.append(imap.poll_mailbox(box, deliver=deliver))
        finally:
            finished.set()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(result.busy for result in results) == [False, True]
    assert sum(result.delivered for result in results) == 5
    assert InboundMessage.objects.count() == 5
