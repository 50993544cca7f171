"""The acknowledgement: a new case opened by a customer's e-mail or web form gets a
confirmation with its case number, where the mailbox (or, for the web form, the setting)
wants one. The intake never sends the signal for automatic mail; the service refuses
automatic addresses as a second guard."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from caseflow.cases.models import Case
from caseflow.channels.models import Mailbox, TemplatePurpose
from caseflow.channels.signals import case_opened_by_customer
from caseflow.core.errors import DomainError

logger = logging.getLogger(__name__)


@receiver(case_opened_by_customer, dispatch_uid="channels.outbound.acknowledge")
def acknowledge_new_case(
    sender: Any,
    *,
    case: Case,
    channel: str,
    address: str,
    language: str = "",
    mailbox: Mailbox | None = None,
    message_id: str = "",
    **kwargs: Any,
) -> None:
    from caseflow.channels.outbound.services import case_language, send_acknowledgement

    if channel == "email":
        if mailbox is None or not mailbox.acknowledge:
            return
        purpose = TemplatePurpose.ACKNOWLEDGEMENT
    elif channel == "web":
        if not settings.WEBFORM_ACKNOWLEDGE:
            return
        purpose = TemplatePurpose.WEB_CONFIRMATION
    else:
        return  # SMS confirmations belong to the SMS side
    try:
        send_acknowledgement(
            case=case,
            address=address,
            language=language or case_language(case),
            purpose=purpose,
            mailbox=mailbox,
            message_id=message_id,
            contact_name=kwargs.get("name", ""),
        )
    except DomainError as exc:
        # The case is committed and stays; a confirmation that cannot go is only logged.
        logger.info("case %s not acknowledged: %s", case.number, exc.message)
