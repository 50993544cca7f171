"""Several workers on one queued e-mail at the same moment (PostgreSQL, real threads): one
claim wins, one mail leaves."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection

from caseflow.channels.models import OutboundMessage, OutboundStatus
from caseflow.channels.outbound import sending, services

WORKERS = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_racing_for_one_message_send_it_once(agent, out_case, smtp_sink, monkeypatch):
    monkeypatch.setattr(services, "enqueue_send", lambda outbound_id: None)
    outbound = services.send_reply(
        actor=agent, case=out_case, to="erika@example.com", subject="s", body="x"
    )
    start = threading.Barrier(WORKERS)
    outcomes: list[str] = []

    def worker() -> None:
        try:
            start.wait(timeout=30)
            outcomes.append(sending.deliver(outbound.pk))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["sent"] + ["skipped"] * (WORKERS - 1)
    assert len(smtp_sink.wait_for(1)) == 1
    row = OutboundMessage.objects.get(pk=outbound.pk)
    assert (row.status, row.attempts) == (OutboundStatus.SENT, 1)
