"""What Caseflow reads from a message: `ParsedMail`, its attachments (`MailFile`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from caseflow.channels.inbound.parse.headers import Address

MAX_LIST = 100  # recipients and references kept in the event's details


@dataclass
class MailFile:
    """An attachment or inline image as the sender named it (cleaned later, when stored)."""

    filename: str
    content_type: str  # as claimed; the stored type is sniffed from the bytes
    content: bytes
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedMail:
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    sender: Address | None = None
    reply_to: Address | None = None
    to: list[Address] = field(default_factory=list)
    cc: list[Address] = field(default_factory=list)
    subject: str = ""
    date: datetime | None = None
    text: str = ""
    html: str = ""  # sanitised (html.clean) at intake: stored and shown as it is
    files: list[MailFile] = field(default_factory=list)
    skipped: list[dict[str, object]] = field(default_factory=list)
    automatic: str = ""  # why this is automatic mail (auto-reply, bounce, list), or ""
    notes: list[str] = field(default_factory=list)  # what could not be read as declared
    parts_too_deep: int = 0  # MIME parts not read: nested deeper than MAIL_MAX_MIME_DEPTH
    parts_too_many: int = 0  # MIME parts not read: past mime.MAX_PARTS

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this message answers, nearest first (In-Reply-To, then References
        from the newest), without its own."""
        seen: dict[str, None] = {}
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid and mid != self.message_id:
                seen.setdefault(mid, None)
        return list(seen)
