"""Text from mail: bytes in declared (or lying) charsets decoded, encoded words read,
nothing a database or a page could choke on.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header, make_header
from email.message import Message

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
GB_LABEL = re.compile(r"=\?(?:gb2312|iso-gb2312|gbk|x-gbk)\?", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Text read from the bodies: twice what a timeline entry keeps (services.TEXT_LIMIT), so the
# pipeline still sees that it was cut; at most 4 bytes a character are decoded for it.
TEXT_CHARS = 200_000


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


def codec_name(charset: str | None) -> str | None:
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
    codec = codec_name(charset)
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
        codec = codec_name(charset)
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


def unfold(value: str) -> str:
    return re.sub(r"\r?\n[ \t]*", " ", value)


def decode_words(value: str) -> str:
    """Encoded words (`=?utf-8?q?…?=`) in a plain string decoded, never raising."""
    try:
        return clean_text(str(make_header(decode_header(fix_encoded_words(value))))).strip()
    except Exception:
        return clean_text(value).strip()


def charset_of(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:
        return None


SINGLE_BYTE = re.compile(r"^(?:iso-?8859|latin|cp125|windows-125|us-ascii|ascii)")


def charset_hint(msg: Message) -> str:
    """The declared body charsets, multi-byte ones first: how an old mailer likely encoded
    8-bit bytes in its headers (a single-byte charset decodes anything, so it goes last)."""
    found: list[str] = []
    try:
        for index, part in enumerate(msg.walk()):
            if index > 50:
                break
            charset = charset_of(part)
            if charset and charset not in found:
                found.append(charset)
    except Exception:  # noqa: S110 (what was found so far will do)
        pass
    found.sort(key=lambda c: bool(SINGLE_BYTE.match(c)))
    return ",".join(found)
