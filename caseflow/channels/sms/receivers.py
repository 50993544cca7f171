"""The SMS acknowledgement: a case opened by a customer's SMS gets a confirmation with its
number by SMS, when SMS_ACKNOWLEDGE is on (e-mail and web form cases are e-mail out's)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from caseflow.cases.models import Case
from caseflow.channels.signals import case_opened_by_customer
from caseflow.core.errors import DomainError

logger = logging.getLogger("caseflow.sms")


@receiver(case_opened_by_customer, dispatch_uid="channels.sms.acknowledge")
def acknowledge_sms_case(
    sender: Any, *, case: Case, channel: str, address: str, language: str = "", **kwargs: Any
) -> None:
    if channel != "sms" or not settings.SMS_ACKNOWLEDGE or not address:
        return
    from caseflow.channels.sms.services import send_sms_acknowledgement

    try:
        send_sms_acknowledgement(case=case, to=address, language=language)
    except DomainError as exc:
        # The case is committed and stays; a confirmation that cannot go is only logged.
        logger.info("case %s not acknowledged by SMS: %s", case.number, exc.message)
