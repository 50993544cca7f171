"""The SMS tasks: sending (thin, calls `deliver_sms`; a temporary failure comes back later
with a doubling delay until SMS_MAX_ATTEMPTS, the service counts the attempts) and a sweep
for what a lost enqueue or a dead worker left queued."""

from __future__ import annotations

from huey import RetryTask, crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def send_sms_task(message_id: int) -> str:
    from caseflow.channels.sms.services import deliver_sms

    delivery = deliver_sms(message_id)
    if delivery.outcome == "retry":
        raise RetryTask(delay=delivery.retry_in)
    return delivery.outcome


@db_periodic_task(crontab(minute="*/5"))
def sweep_sms() -> int:
    """Every five minutes: send the SMS that should have gone already."""
    from caseflow.channels.sms.services import overdue_sms

    overdue = overdue_sms()
    for pk in overdue:
        send_sms_task(pk)
    return len(overdue)
