"""Acknowledging a case a customer opened: the confirmation with its case number.

The intake (e-mail, web form, SMS) passes `origin(...)` to `open_case`, which hands it to the
subscribers of the case's `opened` event as the event's data (`caseflow.cases.events`).
`register()` (from `ChannelsConfig.ready`) subscribes the two answers:

- `acknowledge_by_mail`: a case opened by a customer's e-mail or the web form gets an e-mail
  (`outbound.services.send_acknowledgement`);
- `acknowledge_by_sms`: a case opened by a customer's SMS gets an SMS
  (`sms.services.send_sms_acknowledgement`).

Both run after COMMIT (a rolled-back intake acknowledges nothing) and answer only where the
origin says the channel wants a confirmation: cases opened by agents, through the API or the
desk, carry no origin and are never acknowledged; automatic mail opens no case at all. A
subscriber that raises is retried by the worker (`events.deliver_to`); the services lock the
case and send at most one acknowledgement per case, so a retry never sends a second one. A
confirmation that cannot go at all (a bad address: `DomainError`) is only logged.
"""

from __future__ import annotations

import logging
from typing import Any

from caseflow.cases import events
from caseflow.channels.models import TemplatePurpose
from caseflow.channels.outbound.services import send_acknowledgement
from caseflow.channels.sms.services import send_sms_acknowledgement
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel

logger = logging.getLogger(__name__)

# Where a confirmation is answered by e-mail; SMS cases are answered by SMS.
BY_MAIL = (Channel.EMAIL, Channel.WEB)


def origin(
    *,
    address: str,
    acknowledge: bool,
    language: str = "",
    mailbox: int | None = None,
    message_id: str = "",
) -> dict[str, Any]:
    """What a channel's intake tells `open_case` about a customer's new case (plain values:
    the worker may carry them):

    - `address`: where to answer (an e-mail address, or a phone number in E.164 for SMS);
    - `acknowledge`: whether the channel wants a confirmation (the mailbox's setting,
      `WEBFORM_ACKNOWLEDGE`, `SMS_ACKNOWLEDGE`);
    - `language`: the language to answer in ("" : the case's customer's, when sent);
    - `mailbox`: the id of the mailbox the e-mail came in through (None for the others);
    - `message_id`: the customer's Message-ID, to thread the answer ("" if none).
    """
    return {
        "by_customer": True,
        "address": address,
        "acknowledge": acknowledge,
        "language": language,
        "mailbox": mailbox,
        "message_id": message_id,
    }


def _wanted(event: events.CaseEvent, channels: tuple[str, ...]) -> bool:
    data = event.data
    return (
        event.channel in channels
        and bool(data.get("by_customer"))
        and bool(data.get("acknowledge"))
        and bool(data.get("address"))
    )


def acknowledge_by_mail(event: events.CaseEvent) -> None:
    """Confirm a case opened by a customer's e-mail or web form submission by e-mail."""
    if not _wanted(event, BY_MAIL):
        return
    data = event.data
    web = event.channel == Channel.WEB
    try:
        send_acknowledgement(
            case_id=event.case_id,
            address=data["address"],
            language=data.get("language", ""),
            purpose=TemplatePurpose.WEB_CONFIRMATION if web else TemplatePurpose.ACKNOWLEDGEMENT,
            mailbox_id=None if web else data.get("mailbox"),
            message_id=data.get("message_id", ""),
        )
    except DomainError as exc:
        # The case is committed and stays; a confirmation that cannot go is only logged.
        logger.info("case %s not acknowledged: %s", event.number, exc.message)


def acknowledge_by_sms(event: events.CaseEvent) -> None:
    """Confirm a case opened by a customer's SMS by SMS."""
    if not _wanted(event, (Channel.SMS,)):
        return
    data = event.data
    try:
        send_sms_acknowledgement(
            case_id=event.case_id, to=data["address"], language=data.get("language", "")
        )
    except DomainError as exc:
        logger.info("case %s not acknowledged by SMS: %s", event.number, exc.message)


def register() -> None:
    """Subscribe the acknowledgements to the cases' `opened` events."""
    events.subscribe(events.OPENED, acknowledge_by_mail, name="channels.acknowledge")
    events.subscribe(events.OPENED, acknowledge_by_sms, name="channels.acknowledge_sms")
