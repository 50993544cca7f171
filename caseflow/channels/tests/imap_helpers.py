"""Helpers of the IMAP tests and bench: generated messages, a mailbox pointing at the test
Dovecot, and a delivery that only stores the raw message (the pipeline's first step)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

from django.core.files.base import ContentFile
from django.utils import timezone

from caseflow.accounts.models import User
from caseflow.channels.models import ImapSecurity, InboundMessage, InboundSource, Mailbox
from caseflow.channels.tests.dovecot import Dovecot, ImapUser


def make_message(number: int, *, subject: str | None = None, attachment_bytes: int = 0) -> bytes:
    """A customer's e-mail as the bytes an MTA would store (CRLF line ends)."""
    message = EmailMessage()
    message["From"] = f"Customer {number} <customer{number}@example.com>"
    message["To"] = "support@desk.test"
    message["Subject"] = subject or f"Espresso machine {number} leaks water"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(f"m{number}", domain="example.com")
    message.set_content(f"Hello,\n\nmy machine (message {number}) leaks water.\n\nRegards\n")
    if attachment_bytes:
        blob = (f"photo {number} " * (attachment_bytes // 8 + 1)).encode()[:attachment_bytes]
        message.add_attachment(blob, maintype="image", subtype="jpeg", filename=f"leak{number}.jpg")
    return message.as_bytes(policy=SMTP)


def imap_mailbox(
    server: Dovecot,
    user: ImapUser,
    owner: User,
    *,
    name: str = "support",
    security: str = ImapSecurity.NONE,
    **fields: object,
) -> Mailbox:
    values = {
        "address": "support@desk.test",
        "owner": owner,
        "imap_host": server.host,
        "imap_port": server.ssl_port if security == ImapSecurity.SSL else server.port,
        "imap_security": security,
        "imap_user": user.name,
        "imap_password": user.password,
    }
    return Mailbox.objects.create(name=name, **(values | fields))


def store_inbound(mailbox: Mailbox, raw: bytes) -> InboundMessage:
    """Deliver by storing the raw bytes only: one InboundMessage row per delivery."""
    sha256 = hashlib.sha256(raw).hexdigest()
    message = InboundMessage(
        mailbox=mailbox, source=InboundSource.IMAP, sha256=sha256, size=len(raw)
    )
    message.raw.save(f"{sha256}.eml", ContentFile(raw), save=False)
    message.save()
    return message
