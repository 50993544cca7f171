"""Customer-supplied files are hostile: clean their names, sniff their type from the bytes."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import puremagic
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from caseflow.core.errors import DomainError

_UNSAFE = re.compile(r"[^\w.\- ()+,]+", re.UNICODE)
_WINDOWS_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}  # fmt: skip
MAX_NAME = 150


def sanitize_filename(raw: str | None) -> str:
    """A file name safe to store and to offer for download.

    Drops any directory part (`../../etc/passwd` → `passwd`), control and bidi-override
    characters (`\u202e`), characters outside letters/digits/`.-_ ()+,`, leading dots and
    Windows device names; keeps the extension; never returns an empty name.
    """
    name = unicodedata.normalize("NFKC", raw or "")
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = _UNSAFE.sub("_", name).strip(" ._")
    name = re.sub(r"_{2,}", "_", name)
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if stem.upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    ext = ext[:15]
    stem = stem[: MAX_NAME - len(ext) - 1] if ext else stem[:MAX_NAME]
    name = f"{stem}.{ext}" if ext and stem else (stem or "")
    return name or "attachment"


def sniff_content_type(head: bytes, filename: str) -> str:
    """The content type the bytes say, not the one the sender claimed."""
    try:
        matches = puremagic.magic_string(head[:8192], filename=filename)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        # only what the bytes prove; a match on the file name alone is the sender's claim
        if match.byte_match and match.mime_type:
            return str(match.mime_type)
    if head and _looks_like_text(head):
        guessed, _enc = mimetypes.guess_type(filename)
        return guessed if guessed and guessed.startswith("text/") else "text/plain"
    return "application/octet-stream"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head[:4096]:
        return False
    try:
        head[:4096].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > 4090  # a multi-byte character cut at the sample's end
    return True


@dataclass(frozen=True)
class StoredFile:
    path: str
    filename: str
    content_type: str
    size: int
    sha256: str


def store_upload(content: bytes, raw_name: str | None, *, field: str = "files") -> StoredFile:
    """Check size, clean the name, sniff the type and store the bytes, content-addressed.

    Runs *before* the database transaction: the path is derived from the content hash, so a
    rolled-back caller leaves at most an unreferenced file (never a row without its file),
    and storing the same bytes twice writes once.
    """
    size = len(content)
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise DomainError(
            _("The file %(name)s is %(size)s bytes; the limit is %(limit)s bytes.")
            % {"name": sanitize_filename(raw_name), "size": size, "limit": limit},
            field=field,
            code="file_too_large",
        )
    if size == 0:
        raise DomainError(
            _("The file %(name)s is empty.") % {"name": sanitize_filename(raw_name)},
            field=field,
            code="file_empty",
        )
    filename = sanitize_filename(raw_name)
    digest = hashlib.sha256(content).hexdigest()
    path = f"attachments/{digest[:2]}/{digest}"
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(content))
    return StoredFile(
        path=path,
        filename=filename,
        content_type=sniff_content_type(content, filename),
        size=size,
        sha256=digest,
    )
