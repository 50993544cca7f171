"""Reading one raw message into a `ParsedMail` (see the package's docstring)."""

from __future__ import annotations

import re

from django.conf import settings

from caseflow.channels.inbound import html as mail_html
from caseflow.channels.inbound import mime
from caseflow.channels.inbound.parse.bodies import Walker, content_type_of
from caseflow.channels.inbound.parse.headers import Headers
from caseflow.channels.inbound.parse.mail import ParsedMail
from caseflow.channels.inbound.parse.text import TEXT_CHARS, clean_text

HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


def read_message_id(raw: bytes) -> str:
    """The Message-ID from the header block only, cheaply (before anything is parsed)."""
    head = raw[:65536]
    end = re.search(rb"\r?\n\r?\n", head)
    block = head[: end.start()] if end else head
    found = re.search(rb"(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]{1,990}>)", block)
    if not found:
        return ""
    return clean_text(found.group(1).decode("ascii", "replace"))


def repair_header_block(raw: bytes, start: int = 0) -> bytes:
    """The message with its header block mended: lines before the first header dropped and
    lines that are neither a header nor a continuation folded into the header above (a
    pasted "---- Original message ----", a wrapped base64 header). The body is copied once."""
    match = re.compile(rb"\r?\n\r?\n").search(raw, start)
    head_end = match.start() if match else len(raw)
    lines: list[bytes] = []
    for line in re.split(rb"\r?\n", raw[start:head_end]):
        if HEADER_LINE.match(line):
            lines.append(line)
        elif lines:
            lines.append(line if line[:1] in (b" ", b"\t") else b"\t" + line)
    return b"".join([b"\r\n".join(lines), memoryview(raw)[head_end:]])


def _read(raw: bytes, start: int) -> mime.Reading:
    max_depth = settings.MAIL_MAX_MIME_DEPTH
    reading = mime.read(raw, start=start, max_depth=max_depth)
    msg = reading.message
    broken = any(type(d).__name__ == "MissingHeaderBodySeparatorDefect" for d in msg.defects)
    if broken or not msg.keys():
        repaired = mime.read(repair_header_block(raw, start), max_depth=max_depth)
        if len(repaired.message.keys()) > len(msg.keys()):
            repaired.message.defects.append(type("RepairedHeaderBlock", (Exception,), {})())  # type: ignore[arg-type]
            return repaired
    return reading


def _unread_notes(unread: mime.Unread) -> list[str]:
    notes = []
    if unread.too_deep:
        notes.append(
            f"{unread.too_deep} MIME parts nested deeper than {settings.MAIL_MAX_MIME_DEPTH} "
            "levels were not read (they are in the raw message)"
        )
    if unread.too_many:
        notes.append(
            f"{unread.too_many} MIME parts past the first {mime.MAX_PARTS} were not read "
            "(they are in the raw message)"
        )
    if unread.headers:
        notes.append(f"{unread.headers} header fields past the limits were not read")
    if unread.rest:
        notes.append("the rest of the message was too complex to read (it is in the raw message)")
    return notes


def parse(raw: bytes) -> ParsedMail:
    """Everything Caseflow reads from one raw message (see the module's docstring)."""
    start = (
        3 if raw.startswith(b"\xef\xbb\xbf") else 0
    )  # a UTF-8 byte-order mark hides every header
    if (
        raw.startswith(b"From ", start) and b"\n" in raw[start : start + 1000]
    ):  # an mbox "From " line
        start = raw.index(b"\n", start) + 1
    reading = _read(raw, start)
    msg = reading.message
    headers = Headers(msg)
    mail = ParsedMail()
    ids = headers.message_ids("Message-ID", 1)
    mail.message_id = ids[0] if ids else ""
    mail.in_reply_to = headers.message_ids("In-Reply-To", 5)
    mail.references = headers.message_ids("References", 50)
    mail.sender = headers.sender()
    reply_to = [a for a in headers.addresses("Reply-To") if "@" in a.email]
    mail.reply_to = reply_to[0] if reply_to else None
    mail.to = headers.addresses("To")
    mail.cc = headers.addresses("Cc")
    mail.subject = re.sub(r"\s+", " ", headers.text("Subject")).strip()
    mail.date = headers.date()
    content_type = content_type_of(msg)
    mail.automatic = headers.automatic(mail.sender, content_type)

    walker = Walker(mail, reading)
    walker.walk(msg)
    mail.notes.extend(_unread_notes(reading.unread))
    mail.parts_too_deep = reading.unread.too_deep
    mail.parts_too_many = reading.unread.too_many
    plain = "\n\n".join(t.strip("\n") for t in walker.plain if t.strip())
    html = "\n".join(h for h in walker.html if h.strip())
    html_text = ""
    if html:
        cleaned = mail_html.clean(
            html,
            want_text=not plain.strip(),
            max_chars=settings.MAIL_HTML_MAX_CHARS,
            max_text=TEXT_CHARS,
        )
        mail.html, html_text = cleaned.html, cleaned.text
        if cleaned.problem:
            mail.notes.append(cleaned.problem)
    mail.text = plain if plain.strip() else html_text
    for defect in getattr(msg, "defects", [])[:5]:
        mail.notes.append(type(defect).__name__)
    return mail
