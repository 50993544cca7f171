"""Walking a message's MIME tree: text and HTML bodies, attachments and inline images,
within the size limits (a part over them is measured, never decoded whole).
"""

from __future__ import annotations

import mimetypes
import re
from email.message import Message

from django.conf import settings

from caseflow.channels.inbound import html as mail_html
from caseflow.channels.inbound import mime
from caseflow.channels.inbound.parse.headers import Headers
from caseflow.channels.inbound.parse.mail import MailFile, ParsedMail
from caseflow.channels.inbound.parse.text import (
    TEXT_CHARS,
    charset_of,
    clean_text,
    codec_name,
    decode_bytes,
    decode_words,
)

EXTENSIONS = {"image/jpg": ".jpg", "image/pjpeg": ".jpg", "application/ms-tnef": ".dat"}
CONTENT_ID_NAME = re.compile(r"^<?([^@<>\s]{1,100}\.[A-Za-z0-9]{2,4})@")


def html_to_text(html: str) -> str:
    """The plain text of an HTML body (for mail that has no text part)."""
    return mail_html.html_to_text(html, max_text=TEXT_CHARS)


def sanitise_html(html: str) -> str:
    """HTML fit to show an agent, in bounded time ("" when it is too deep or too large)."""
    return mail_html.clean(html, want_text=False, max_chars=settings.MAIL_HTML_MAX_CHARS).html


def content_type_of(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _filename(part: Message, *, described: bool = True) -> str:
    """The sender's name for a file: filename, else name, else (`described`) its
    description, else a Content-ID that is a file name (Outlook's `image001.jpg@01CD…`)."""
    name: object = None
    try:
        name = part.get_filename()
        if name is None:
            name = part.get_param("name")
            if isinstance(name, tuple):  # an RFC 2231 triple
                name = decode_bytes(name[2].encode("latin-1", "replace"), name[0])
    except Exception:
        name = None
    if name:
        text = clean_text(str(name))
        return (decode_words(text) if "=?" in text else text).strip()[:500]
    if not described:
        return ""
    for header, pattern in (("Content-Description", None), ("Content-ID", CONTENT_ID_NAME)):
        try:
            value = part.get(header)
        except Exception:
            value = None
        if not value:
            continue
        text = decode_words(str(value))
        if pattern is not None:
            found = pattern.match(text)
            text = found.group(1) if found else ""
        if text and len(text) <= 200:
            return text
    return ""


def _message_subject(part: Message) -> str:
    """The subject of an attached message (message/rfc822 and relatives)."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    return Headers(inner).text("Subject") if isinstance(inner, Message) else ""


def _utf8_whole(data: bytes) -> bytes:
    """`data` cut short of a UTF-8 character its end splits."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte < 0x80:
            return data
        if byte >= 0xC0:  # a lead byte: whole if its sequence fits
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return data if back >= needed else data[:-back]
    return data


def _guess_name(content_type: str, name: str = "") -> str:
    """A file name for a part that has none, or an extension for a name without one."""
    if content_type.startswith("message/"):
        if content_type == "message/rfc822":
            return f"{name or 'message'}.eml"
        return f"{name or content_type.split('/', 1)[1]}.txt"
    extension = EXTENSIONS.get(content_type) or mimetypes.guess_extension(content_type) or ".bin"
    if name:
        return name if "." in name else f"{name}{extension}"
    stem = "image" if content_type.startswith("image/") else "attachment"
    return f"{stem}{extension}"


class Walker:
    def __init__(self, mail: ParsedMail, reading: mime.Reading) -> None:
        self.mail = mail
        self.reading = reading
        self.plain: list[str] = []
        self.html: list[str] = []
        self.plain_chars = 0
        self.html_chars = 0
        self.max_depth = settings.MAIL_MAX_MIME_DEPTH
        self.html_limit = settings.MAIL_HTML_MAX_CHARS
        self.deep_noted = False

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > self.max_depth:  # mime.read leaves such parts out; a second guard
            if not self.deep_noted:
                self.deep_noted = True
                self.mail.notes.append(
                    f"MIME parts nested deeper than {self.max_depth} levels were not read "
                    "(they are in the raw message)"
                )
            return
        content_type = content_type_of(part)
        maintype = content_type.split("/", 1)[0]
        if maintype == "message":
            subject = _message_subject(part) if part.is_multipart() else ""
            name = _filename(part, described=False) or subject or _filename(part)
            if not name.lower().endswith((".eml", ".txt", ".msg")):
                name = _guess_name(content_type, name=name[:150])
            self.add_file(part, content_type, name=name, as_received=part.is_multipart())
            return
        if part.is_multipart():
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else []:
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1)
            return
        disposition = _disposition(part)
        if maintype == "multipart":
            # Declared multipart, but the boundary is missing or broken: its text as received.
            self.mail.notes.append(f"{content_type} without a usable boundary: read as text")
            self.add_plain(part)
            return
        # A text part is a file only when a file name says so (not a description).
        name = _filename(part, described=maintype != "text")
        is_body = disposition != "attachment" and not name
        if is_body and content_type in ("text/plain", ""):
            self.add_plain(part)
        elif is_body and content_type == "text/html":
            if self.html_chars <= self.html_limit:  # past it, only the text of the HTML is kept
                html = self.text_of(part, self.html_limit + 1 - self.html_chars)
                self.html.append(html)
                self.html_chars += len(html)
        else:
            if not name and maintype == "text":
                name = _filename(part)  # an attachment by disposition: its description
            self.add_file(part, content_type, name=name, disposition=disposition)

    def add_plain(self, part: Message) -> None:
        if self.plain_chars < TEXT_CHARS:  # the rest is cut on the timeline anyway
            text = self.text_of(part, TEXT_CHARS - self.plain_chars)
            self.plain.append(text)
            self.plain_chars += len(text)

    def text_of(self, part: Message, max_chars: int) -> str:
        """The part's text, at most `max_chars` of it (decoded from at most 4 bytes each)."""
        content = self.reading.content(part, limit=4 * max_chars + 4, prefix=True)
        data = content.data or b""
        charset = charset_of(part)
        if content.cut and codec_name(charset) in (None, "ascii", "utf-8"):
            data = _utf8_whole(data)
        return clean_text(decode_bytes(data, charset)[:max_chars])

    def add_file(
        self,
        part: Message,
        content_type: str,
        *,
        name: str = "",
        disposition: str | None = None,
        as_received: bool = False,
    ) -> None:
        """Keep a part as a file, or list it as skipped (empty, too large, one too many):
        a body over the limit is measured, never decoded whole."""
        if not name or "." not in name:
            name = _guess_name(content_type, name=name)
        filename = name
        try:
            content_id = clean_text(str(part.get("Content-ID", "") or "")).strip("<> ")[:200]
        except Exception:
            content_id = ""
        if disposition is None:
            disposition = _disposition(part)
        inline = disposition == "inline" or (bool(content_id) and content_type.startswith("image/"))
        limit = min(settings.MAIL_ATTACHMENT_MAX_BYTES, settings.ATTACHMENT_MAX_BYTES)
        if inline and content_type.startswith("image/"):
            limit = min(limit, settings.MAIL_INLINE_IMAGE_MAX_BYTES)
        if len(self.mail.files) >= settings.MAIL_MAX_ATTACHMENTS:
            limit = 0  # measured only, to be listed
        if as_received:  # an attached message: its bytes as they came
            content = self.reading.raw_body(part, limit=limit)
        else:
            content = self.reading.content(part, limit=limit)
        size = content.size
        reason = ""  # a code; the timeline says it in the reader's language
        if size == 0:
            reason = "empty"
        elif len(self.mail.files) >= settings.MAIL_MAX_ATTACHMENTS:
            reason = "too_many"
        elif content.data is None:
            reason = "too_large"
        if reason or content.data is None:
            self.mail.skipped.append({"name": filename, "size": size, "reason": reason})
            return
        self.mail.files.append(
            MailFile(
                filename=filename,
                content_type=content_type,
                content=content.data,
                inline=inline,
                content_id=content_id,
            )
        )
