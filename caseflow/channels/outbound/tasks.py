"""Huey tasks of e-mail out: thin, each calls one function of `sending`."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def send_outbound(outbound_id: int) -> str:
    """Send one queued e-mail (idempotent: a sent or claimed message is skipped)."""
    from caseflow.channels.outbound.sending import deliver

    return deliver(outbound_id)


@db_periodic_task(crontab(minute="*/5"))
def sweep_outbound() -> int:
    """Every five minutes: send what should have gone already (a lost enqueue, a dead worker)."""
    from caseflow.channels.outbound.sending import sweep

    return sweep()
