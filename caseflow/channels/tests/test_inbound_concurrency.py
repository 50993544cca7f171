"""Concurrent deliveries on PostgreSQL: workers delivering the same bytes at the same moment
make one case and one event; the rest wait for the first and become duplicates."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from caseflow.accounts.models import Team
from caseflow.cases.models import Case, TimelineEvent
from caseflow.channels.inbound import services
from caseflow.channels.models import InboundMessage, InboundStatus, Mailbox
from caseflow.channels.tests.inbound_fixtures import message
from caseflow.customers.models import ContactPointKind
from caseflow.customers.tests.factories import ContactPointFactory

WORKERS = 6


def _deliver_at_once(mailbox: Mailbox, raws: list[bytes]) -> list[BaseException]:
    start = threading.Barrier(len(raws))
    errors: list[BaseException] = []

    def worker(raw: bytes) -> None:
        try:
            start.wait(timeout=30)
            services.receive(mailbox, raw, source="imap")
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(raw,)) for raw in raws]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.fixture
def shared_inbox(transactional_db) -> Mailbox:
    team = Team.objects.create(name="Race desk")
    ContactPointFactory(
        contact__name="Erika Muster", kind=ContactPointKind.EMAIL, value="erika@example.org"
    )
    return Mailbox.objects.create(name="race", address="race@desk.test", team=team)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_bytes_delivered_by_several_workers_at_once_make_one_case(shared_inbox):
    raw = message(subject="Delivered twice at once")
    assert _deliver_at_once(shared_inbox, [raw] * WORKERS) == []

    rows = list(InboundMessage.objects.order_by("pk"))
    assert len(rows) == WORKERS  # every delivery kept
    statuses = sorted(r.status for r in rows)
    assert statuses == [InboundStatus.DUPLICATE] * (WORKERS - 1) + [InboundStatus.PROCESSED]
    original = next(r for r in rows if r.status == InboundStatus.PROCESSED)
    assert all(r.duplicate_of_id == original.pk for r in rows if r is not original)
    assert Case.objects.count() == 1
    assert TimelineEvent.objects.filter(event_type__code="email_in").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_different_messages_at_once_each_make_their_case(shared_inbox):
    raws = [message(subject=f"Message {n}", body=f"Text {n}") for n in range(WORKERS)]
    assert _deliver_at_once(shared_inbox, raws) == []
    assert InboundMessage.objects.filter(status=InboundStatus.PROCESSED).count() == WORKERS
    assert Case.objects.count() == WORKERS
    assert len(set(Case.objects.values_list("number", flat=True))) == WORKERS
