"""The SMS send task: thin, calls `deliver_sms`; a temporary failure comes back later with
a doubling delay until SMS_MAX_ATTEMPTS (the service counts the attempts)."""

from __future__ import annotations

from huey import RetryTask
from huey.contrib.djhuey import db_task


@db_task()
def send_sms_task(message_id: int) -> str:
    from caseflow.channels.sms.services import deliver_sms

    delivery = deliver_sms(message_id)
    if delivery.outcome == "retry":
        raise RetryTask(delay=delivery.retry_in)
    return delivery.outcome
