"""Delivering queued e-mail: claim, send over SMTP, record; retry with backoff. The claim
and the sweep's query serve the SMS sender too (`claim`, `overdue`).

A worker claims a message with a conditional UPDATE (queued, and nobody's claim running),
so two consumers never send the same message; a sent message is never sent again. The
claim runs out after LEASE: a worker that died mid-send leaves the message to the sweep.
Delivery is therefore at-least-once: only a crash between the server's "250 OK" and the
status update can send a mail twice.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.utils import timezone

from caseflow.channels.models import MessageKind, OutboundMessage, OutboundStatus

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)
MAX_DELAY = 6 * 3600
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th failed attempt: the base times 1, 4, 16, 64 …."""
    return int(min(settings.OUTBOUND_RETRY_DELAY * 4 ** max(attempts - 1, 0), MAX_DELAY))


def build_email(message: OutboundMessage) -> EmailMessage:
    """The mail as it leaves: headers for threading, the text, the event's attachments."""
    headers = {"Message-ID": message.message_id}
    if message.in_reply_to:
        headers["In-Reply-To"] = message.in_reply_to
    if message.references:
        headers["References"] = message.references
    if message.is_acknowledgement:
        # RFC 3834: other responders must not answer an automatic answer (no mail loops).
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.sender or settings.DEFAULT_FROM_EMAIL,
        to=message.to.split(),
        cc=message.cc.split(),
        headers=headers,
    )
    for attachment in message.event.attachments.order_by("id"):
        with attachment.file.open("rb") as stored:
            content = stored.read()
        email.attach(attachment.filename, content, attachment.content_type)
    return email


def is_permanent(exc: BaseException) -> bool:
    """The server refused for good (5xx to the message or to every recipient): retrying
    cannot help. A refused login is the operator's to fix, so it is retried."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def claim(outbound_id: int, kind: str) -> bool:
    """Lease the queued message `outbound_id` of `kind` (e-mail or SMS) for one attempt,
    counting it; False when it is not queued or another worker's lease still runs."""
    now = timezone.now()
    claimed = (
        OutboundMessage.objects.filter(pk=outbound_id, kind=kind, status=OutboundStatus.QUEUED)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + LEASE, attempts=F("attempts") + 1)
    )
    return claimed == 1


def overdue(kind: str, *, now: datetime | None = None) -> list[int]:
    """Queued messages of `kind` whose attempt is overdue (the enqueue after COMMIT was lost,
    a worker died mid-send, the queue was down) and nobody holds: oldest due first."""
    now = now or timezone.now()
    cut = now - SWEEP_GRACE
    return list(
        OutboundMessage.objects.filter(kind=kind, status=OutboundStatus.QUEUED)
        .filter(Q(next_attempt_at__lte=cut) | Q(next_attempt_at__isnull=True, created_at__lte=cut))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def deliver(outbound_id: int) -> str:
    """Send one queued e-mail. Returns what happened: sent, retry, failed or skipped (not
    queued, not an e-mail, or another worker has it)."""
    if not claim(outbound_id, MessageKind.EMAIL):
        return "skipped"
    message = OutboundMessage.objects.select_related("event").get(pk=outbound_id)
    try:
        build_email(message).send(fail_silently=False)
    except Exception as exc:
        return _not_sent(message, exc)
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.SENT,
        sent_at=timezone.now(),
        locked_until=None,
        next_attempt_at=None,
        last_error="",
    )
    return "sent"


def _not_sent(message: OutboundMessage, exc: BaseException) -> str:
    error = describe(exc)
    if message.attempts >= settings.OUTBOUND_MAX_ATTEMPTS or is_permanent(exc):
        logger.warning("outgoing message %s failed for good: %s", message.pk, error)
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.FAILED, last_error=error, locked_until=None, next_attempt_at=None
        )
        return "failed"
    delay = retry_delay(message.attempts)
    logger.info("outgoing message %s not sent (%s); retry in %s s", message.pk, error, delay)
    OutboundMessage.objects.filter(pk=message.pk).update(
        last_error=error,
        locked_until=None,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    from caseflow.channels.outbound import tasks

    try:
        tasks.send_outbound.schedule((message.pk,), delay=delay)
    except Exception:
        logger.exception("could not schedule the retry of %s; the sweep will", message.pk)
    return "retry"


def sweep() -> int:
    """Enqueue queued e-mails whose attempt is overdue (the enqueue after COMMIT was lost,
    a worker died mid-send, the queue was down). Returns how many were enqueued."""
    from caseflow.channels.outbound import tasks

    ids = overdue(MessageKind.EMAIL)
    for pk in ids:
        tasks.send_outbound(pk)
    return len(ids)
