"""Huey tasks of IMAP polling: every IMAP_POLL_MINUTES minutes, one task per mailbox.

The periodic task only fans out; each mailbox is polled by its own task, so a slow server
delays no other mailbox and several consumers poll different mailboxes side by side. The
mailbox's lease (see `imap.claim_lease`) makes a second poll of the same mailbox, from
another consumer or from `manage.py poll_mailboxes`, skip instead of running twice.
"""

from __future__ import annotations

import logging

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

logger = logging.getLogger(__name__)

_EVERY = "*" if settings.IMAP_POLL_MINUTES == 1 else f"*/{settings.IMAP_POLL_MINUTES}"


@db_periodic_task(crontab(minute=_EVERY))
def poll_mailboxes() -> None:
    """Queue a poll of every active mailbox that has an IMAP host."""
    from caseflow.channels.inbound import imap

    for mailbox_id in imap.pollable_mailboxes().values_list("pk", flat=True):
        poll_mailbox(mailbox_id)


# A poll still queued when the next round is due is dropped: the next one does its work.
@db_task(expires=settings.IMAP_POLL_MINUTES * 60)
def poll_mailbox(mailbox_id: int) -> None:
    """Poll one mailbox (returns nothing: Huey keeps no result nobody reads)."""
    from caseflow.channels.inbound import imap

    mailbox = imap.pollable_mailboxes().filter(pk=mailbox_id).first()
    if mailbox is not None:
        imap.poll_mailbox(mailbox)
