"""Signals between the channel areas, so intake and answering stay apart.

`case_opened_by_customer` is sent (after the transaction committed) when an e-mail, the web
form or an SMS opened a new case for a customer's message. The outbound side answers it with
an acknowledgement where the mailbox or form wants one; it is never sent for automatic mail
(auto-replies, bounces, list traffic), so an acknowledgement can never start a mail loop.

Keyword arguments:
- `case`: the new Case;
- `channel`: "email", "web" or "sms";
- `address`: where to answer (an e-mail address, or a phone number in E.164 for SMS);
- `language`: the language to answer in ("en", "de", "es");
- `mailbox`: the Mailbox it came in through (None for the web form and SMS);
- `message_id`: the customer's Message-ID, to thread the answer ("" if none).
"""

import logging
from typing import Any

from django.dispatch import Signal

logger = logging.getLogger(__name__)

case_opened_by_customer = Signal()


def announce_new_case(sender: Any, **kwargs: Any) -> None:
    """Send `case_opened_by_customer` (call it after COMMIT). A receiver's failure is logged,
    never raised: the customer's message is stored and its case stays."""
    for receiver, result in case_opened_by_customer.send_robust(sender=sender, **kwargs):
        if isinstance(result, Exception):
            logger.error("case_opened_by_customer receiver %r failed: %s", receiver, result)
