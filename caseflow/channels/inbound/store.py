"""Keeping a delivery: the raw bytes in storage and one `InboundMessage` row, committed
before anything is parsed, so nothing that arrived can be lost by a later failure."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from caseflow.channels.inbound.parse import read_message_id
from caseflow.channels.models import InboundMessage, InboundSource, Mailbox
from caseflow.core.errors import DomainError


def is_blank(raw: bytes) -> bool:
    """Empty or only white space (without copying the message, as `strip` would)."""
    return not raw or raw.isspace()


def raw_path(digest: str) -> str:
    """Where the bytes with this SHA-256 live: content-addressed, so a re-delivery of the same
    bytes writes nothing and a rolled-back caller leaves no row without its file."""
    return f"mail/raw/{digest[:2]}/{digest}.eml"


def store_raw(mailbox: Mailbox, raw: bytes, *, source: str) -> InboundMessage:
    """Keep one delivery: its bytes, hash, size and Message-ID, in its own transaction.

    `durable`: the row must be committed when this returns, whatever the caller does next;
    calling it inside another transaction is a programming error and raises.
    """
    if source not in InboundSource.values:
        raise DomainError(_("Unknown mail source %(s)s.") % {"s": source}, field="source")
    if not raw:
        raise DomainError(_("The message is empty."), field="raw", code="empty")
    digest = hashlib.sha256(raw).hexdigest()
    path = raw_path(digest)
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(raw))
    with transaction.atomic(durable=True):
        inbound = InboundMessage(
            mailbox=mailbox,
            source=source,
            sha256=digest,
            size=len(raw),
            message_id=read_message_id(raw)[:998],
        )
        inbound.raw.name = path
        inbound.save()
    return inbound


def read_raw(inbound: InboundMessage) -> bytes:
    """The stored bytes of a delivery."""
    with default_storage.open(inbound.raw.name, "rb") as handle:
        return handle.read()
