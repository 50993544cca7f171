"""Reading a message's headers: guarded against the stdlib's parser raising on real mail;
addresses, subject, date, Message-IDs and the signs of automatic mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from caseflow.channels.inbound.parse.text import (
    charset_hint,
    clean_text,
    decode_words,
    fix_encoded_words,
    unfold,
)

MESSAGE_ID = re.compile(r"<([^<>\s]{1,990})>")
EMAIL_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
ADJACENT_WORDS = re.compile(r"(?<=\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?)")

COMMENT = re.compile(r"\(([^()]{1,200})\)\s*$")

MAX_ADDRESSES = 5000
TEXT_HEADER_CHARS = 8192
ADDRESS_HEADER_CHARS = 65536
AUTOMATIC_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon"}


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "email": self.email}


class Headers:
    """Guarded reads of one message's headers. Raw values are read without the stdlib's
    header parsing (which raises on some real mail), then parsed here with fallbacks."""

    def __init__(self, msg: Message) -> None:
        self.msg = msg
        self._hint: str | None = None
        try:
            self.items = [
                (str(k).lower(), v if isinstance(v, str) else str(v))
                for k, v in msg.raw_items()  # type: ignore[attr-defined]
            ]
        except Exception:
            self.items = []

    def raw(self, name: str) -> str | None:
        return next(self.all(name), None)

    def all(self, name: str):  # type: ignore[no-untyped-def]
        lname = name.lower()
        return (value for key, value in self.items if key == lname)

    def has(self, name: str) -> bool:
        return self.raw(name) is not None

    @property
    def hint(self) -> str:
        """The message's declared charsets, read only when a header has 8-bit bytes."""
        if self._hint is None:
            self._hint = charset_hint(self.msg)
        return self._hint

    def _value(self, raw: str) -> str:
        if any("\udc80" <= ch <= "\udcff" for ch in raw):
            raw = clean_text(raw, self.hint)
        return fix_encoded_words(clean_text(unfold(raw)))

    def text(self, name: str) -> str:
        """An unstructured header (Subject …) as text: encoded words and 8-bit bytes decoded."""
        raw = self.raw(name)
        if raw is None:
            return ""
        # Nobody reads past a few lines of a subject; the stdlib's parser is slow on 100 KB.
        value = self._value(raw[:TEXT_HEADER_CHARS])
        try:
            decoded = str(policy.default.header_factory(name, value))
        except Exception:
            decoded = decode_words(value)
        return clean_text(decoded).strip()

    def addresses(self, name: str) -> list[Address]:
        """Every address of every `name` header, best effort."""
        found: list[Address] = []
        for raw in self.all(name):
            found.extend(self._parse_addresses(name, self._value(raw)))
        return found

    def _parse_addresses(self, name: str, value: str) -> list[Address]:
        found: list[Address] = []
        if len(value) > ADDRESS_HEADER_CHARS:  # thousands of recipients: addresses only
            return [Address("", m) for m in EMAIL_IN_TEXT.findall(value)[:MAX_ADDRESSES]]
        try:
            # whitespace between adjacent encoded words is not text (RFC 2047, 6.2)
            header = policy.default.header_factory(name, ADJACENT_WORDS.sub("", value))
            found = [
                Address(clean_text(a.display_name or "").strip(), clean_text(a.addr_spec or ""))
                for a in header.addresses
            ]
        except Exception:  # noqa: S110 (the cruder readers below take over)
            pass
        found = [a for a in found if a.email.strip() not in ("", "<>") or a.name]
        if len(found) == 1 and not found[0].name and (comment := COMMENT.search(value)):
            found = [Address(decode_words(comment.group(1)), found[0].email)]
        if any("@" in a.email for a in found) or "@" not in value:
            return found
        # The structured parser gave up (a group without addresses, a trailing dot …).
        if len(value) < 2000:
            try:
                display, addr = parseaddr(value)
            except Exception:
                display, addr = "", ""
            if "@" in addr:
                return [Address(decode_words(display), addr.strip())]
        return [Address("", m) for m in EMAIL_IN_TEXT.findall(value)[:MAX_ADDRESSES]]

    def sender(self) -> Address | None:
        """Who wrote: the first From address with a domain; else Sender, Reply-To,
        Return-Path; else whatever From said."""
        from_ = self.addresses("From")
        for name in ("From", "Sender", "Reply-To"):
            for address in from_ if name == "From" else self.addresses(name):
                if "@" in address.email:
                    return address
        return_path = self.raw("Return-Path")
        if return_path:
            found = EMAIL_IN_TEXT.search(clean_text(return_path))
            if found:
                return Address("", found.group(0))
        return from_[0] if from_ else None

    def message_ids(self, name: str, limit: int) -> list[str]:
        raw = self.raw(name)
        if not raw:
            return []
        value = clean_text(raw)
        ids = MESSAGE_ID.findall(value)
        if not ids:
            bare = value.strip()
            ids = [bare] if bare and " " not in bare and len(bare) <= 990 else []
        return [f"<{i}>" for i in ids][-limit:]

    def date(self) -> datetime | None:
        raw = self.raw("Date")
        if not raw:
            return None
        try:
            when = parsedate_to_datetime(clean_text(unfold(raw)).strip())
        except Exception:
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        if not 1990 <= when.year <= 2200:
            return None
        return when

    def automatic(self, sender: Address | None, content_type: str) -> str:
        """Why this message is automatic (never answered, never opens a loop), or ""."""
        auto_submitted = self.text("Auto-Submitted").lower()
        if auto_submitted and auto_submitted != "no":
            return f"Auto-Submitted: {auto_submitted[:50]}"
        precedence = self.text("Precedence").lower()
        if precedence in ("bulk", "junk", "list", "auto_reply", "auto-reply"):
            return f"Precedence: {precedence}"
        for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
            if self.has(name):
                return name
        if self.has("List-Id"):
            return "List-Id"
        if content_type == "multipart/report":
            return "multipart/report"
        if sender is not None:
            local = sender.email.split("@", 1)[0].lower()
            if local in AUTOMATIC_SENDERS:
                return f"sender {local}"
        return_path = self.raw("Return-Path")
        if return_path is not None and return_path.strip() == "<>":
            return "Return-Path: <>"
        return ""
