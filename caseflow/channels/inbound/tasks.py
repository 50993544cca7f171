"""Huey tasks of the mail intake (imported by caseflow/channels/tasks.py)."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

STUCK_AFTER = timedelta(minutes=10)


@db_periodic_task(crontab(minute="*/10"))
def process_stuck_mail() -> int:
    """Process deliveries that were stored but never processed (a worker died between the
    two steps). Safe with several consumers: each row is processed under its row lock."""
    from django.utils import timezone

    from caseflow.channels.inbound.services import process
    from caseflow.channels.models import InboundMessage, InboundStatus

    before = timezone.now() - STUCK_AFTER
    stuck = InboundMessage.objects.filter(status=InboundStatus.RECEIVED, received_at__lt=before)
    count = 0
    for inbound in stuck.order_by("pk")[:500]:
        process(inbound)
        count += 1
    return count
