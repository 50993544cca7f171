"""Reading an e-mail: the stdlib `email` package (`policy.default`), hardened for hostile mail.

`parse(raw)` never trusts what a header says about itself. Every header read and every body
decode is guarded: a charset Python does not know, 8-bit bytes in headers, a broken boundary,
a `To:` group without addresses or a 135 KB header degrade to the best text we can get, never
to an exception. What cannot be read at all is left to the raw message (always kept) and
noted in `ParsedMail.notes`.

Time and memory are bounded whatever the message (`mime.read`): bodies are decoded from the
raw bytes only when wanted and only within their limits (an attachment over the limit is
measured, not decoded), parts nested deeper than `MAIL_MAX_MIME_DEPTH` or past
`mime.MAX_PARTS` are counted and skipped, text is read up to `TEXT_CHARS`, and HTML is
sanitised here, once, in linear time (`html.clean`).
"""

from __future__ import annotations

import codecs
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from django.conf import settings

from caseflow.channels.inbound import html as mail_html
from caseflow.channels.inbound import mime

# Charsets mailers declare that Python does not know, or knows only as a smaller subset.
CHARSET_ALIASES = {
    "iso-gb2312": "gb18030",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949",
    "iso-8859-8-i": "iso-8859-8",
    "x-mac-roman": "mac-roman",
    "iso-8859-1": "cp1252",  # what Windows mailers mean when they say latin-1
    "latin1": "cp1252",
    "us-ascii": "ascii",
    "ansi_x3.4-1968": "ascii",
}
# A declared charset that says nothing: guess (UTF-8, else Windows-1252).
MEANINGLESS_CHARSETS = {"", "none", "x-unknown", "unknown", "unknown-8bit", "8bit", "default"}
MESSAGE_ID = re.compile(r"<([^<>\s]{1,990})>")
EMAIL_IN_TEXT = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*", re.UNICODE)
ADJACENT_WORDS = re.compile(r"(?<=\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?)")
GB_LABEL = re.compile(r"=\?(?:gb2312|iso-gb2312|gbk|x-gbk)\?", re.IGNORECASE)
COMMENT = re.compile(r"\(([^()]{1,200})\)\s*$")
EXTENSIONS = {"image/jpg": ".jpg", "image/pjpeg": ".jpg", "application/ms-tnef": ".dat"}
CONTENT_ID_NAME = re.compile(r"^<?([^@<>\s]{1,100}\.[A-Za-z0-9]{2,4})@")
HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text read from the bodies: twice what a timeline entry keeps (services.TEXT_LIMIT), so the
# pipeline still sees that it was cut; at most 4 bytes a character are decoded for it.
TEXT_CHARS = 200_000
MAX_LIST = 100  # recipients and references kept in the event's details
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


# --- text helpers -------------------------------------------------------------------------


def clean_text(value: str, hint: str | None = None) -> str:
    """Text safe for any database: no surrogates (8-bit bytes read as ASCII: decoded as
    UTF-8, else as the `hint` charset, else Windows-1252), no NUL or other control
    characters, Unix line ends."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        value = decode_raw_header(value.encode("utf-8", "surrogateescape"), hint)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = CONTROL.sub("", value)
    # lone surrogates that did not come from surrogateescape
    return value.encode("utf-8", "replace").decode("utf-8")


def _codec(charset: str | None) -> str | None:
    name = (charset or "").strip().strip("\"'").lower()
    if name in MEANINGLESS_CHARSETS:
        return None
    name = CHARSET_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text by the declared charset; an unknown or lying charset never raises:
    UTF-8 is tried, then Windows-1252, and undecodable bytes are replaced."""
    codec = _codec(charset)
    if codec == "ascii" or codec is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec != "utf-8":
            try:
                return data.decode("utf-8")
            except UnicodeDecodeError:
                pass
        return data.decode(codec, "replace")
    except Exception:  # a codec that fails in its own way (e.g. utf-7 on odd input)
        return data.decode("utf-8", "replace")


def decode_raw_header(data: bytes, hint: str | None) -> str:
    """8-bit bytes in a header: RFC 6532 says UTF-8; old mailers used their body's charset
    (`hint`: the charsets the message declares, comma-separated, multi-byte ones first)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for charset in (hint or "").split(","):
        codec = _codec(charset)
        if codec is None or codec in ("ascii", "utf-8"):
            continue
        try:
            return data.decode(codec)
        except Exception:  # noqa: S112 (the next candidate, then Windows-1252)
            continue
    return data.decode("cp1252", "replace")


def fix_encoded_words(value: str) -> str:
    """GB2312 labels usually carry GB18030 (its superset) bytes."""
    return GB_LABEL.sub("=?gb18030?", value)


def html_to_text(html: str) -> str:
    """The plain text of an HTML body (for mail that has no text part)."""
    return mail_html.html_to_text(html, max_text=TEXT_CHARS)


def sanitise_html(html: str) -> str:
    """HTML fit to show an agent, in bounded time ("" when it is too deep or too large)."""
    return mail_html.clean(html, want_text=False, max_chars=settings.MAIL_HTML_MAX_CHARS).html


# --- headers ------------------------------------------------------------------------------


def _unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value)


def decode_words(value: str) -> str:
    """Encoded words (`=?utf-8?q?…?=`) in a plain string decoded, never raising."""
    try:
        return clean_text(str(make_header(decode_header(fix_encoded_words(value))))).strip()
    except Exception:
        return clean_text(value).strip()


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
            self._hint = _charset_hint(self.msg)
        return self._hint

    def _value(self, raw: str) -> str:
        if any("\udc80" <= ch <= "\udcff" for ch in raw):
            raw = clean_text(raw, self.hint)
        return fix_encoded_words(clean_text(_unfold(raw)))

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
            when = parsedate_to_datetime(clean_text(_unfold(raw)).strip())
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


# --- bodies and files ---------------------------------------------------------------------


def _content_type(part: Message) -> str:
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


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


SINGLE_BYTE = re.compile(r"^(?:iso-?8859|latin|cp125|windows-125|us-ascii|ascii)")


def _charset_hint(msg: Message) -> str:
    """The declared body charsets, multi-byte ones first: how an old mailer likely encoded
    8-bit bytes in its headers (a single-byte charset decodes anything, so it goes last)."""
    found: list[str] = []
    try:
        for index, part in enumerate(msg.walk()):
            if index > 50:
                break
            charset = _charset(part)
            if charset and charset not in found:
                found.append(charset)
    except Exception:  # noqa: S110 (what was found so far will do)
        pass
    found.sort(key=lambda c: bool(SINGLE_BYTE.match(c)))
    return ",".join(found)


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


class _Walker:
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
        content_type = _content_type(part)
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
        charset = _charset(part)
        if content.cut and _codec(charset) in (None, "ascii", "utf-8"):
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


# --- the message --------------------------------------------------------------------------


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
    content_type = _content_type(msg)
    mail.automatic = headers.automatic(mail.sender, content_type)

    walker = _Walker(mail, reading)
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
