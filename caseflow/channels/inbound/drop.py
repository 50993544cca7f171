"""The drop folder: mail delivered as files, `<MAIL_DROP_DIR>/<mailbox name>/*.eml`.

For sites whose mail server delivers to a spool directory, and for the demo (drop a file,
watch it become a case). The worker takes the folders every minute (`take_drop_folders`);
`manage.py ingest_drop` does it now.

A writer must not let a half-written file be taken: write to a temporary name (anything not
ending in `.eml`, e.g. `x.tmp`), then rename it to `*.eml` (a rename is atomic). As a second
guard, a file is only taken once it is MIN_AGE seconds old.

Each file goes through these steps, so nothing is lost and two workers never take the same
file:

1. claim: the file is renamed into `.claimed/` under a unique name (`os.rename` is atomic:
   of two workers, one wins, the other's rename fails and it moves on);
2. read (no symlink followed, regular files only) and `receive` it: the raw bytes are stored
   and committed, then processed (a case, an event, a duplicate, ignored or quarantined);
3. only then is the file moved to `done/`. A file whose delivery could not be stored (the
   database or the storage is down) is renamed back into the folder and taken again next
   time; one that can never be stored (empty, over MAIL_MAX_MESSAGE_BYTES, not a regular
   file) goes to `rejected/` with a `.reason` file beside it. Nothing is ever deleted.

A worker that died between 1 and 3 leaves its file in `.claimed/`; after STALE_CLAIM it is
renamed back into the folder and taken again (the pipeline recognises bytes it has already
processed, so that makes no second case).

Only regular files named `*.eml` directly in the mailbox's folder are looked at: hidden
files, other names, sub-folders and symbolic links are left alone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from caseflow.channels.inbound.store import is_blank
from caseflow.channels.models import InboundMessage, InboundSource, Mailbox
from caseflow.core.errors import DomainError

logger = logging.getLogger(__name__)

MIN_AGE = 2.0  # seconds a file must be unchanged before it is taken
STALE_CLAIM = 15 * 60.0  # seconds after which a claimed, unfinished file is taken again
LIMIT = 200  # files per mailbox and run; the rest wait for the next run
CLAIMED, DONE, REJECTED = ".claimed", "done", "rejected"
SUFFIX = ".eml"


class Rejected(Exception):
    """A file that can never be stored (the reason is the message)."""


@dataclass
class DropResult:
    mailbox: str
    stored: int = 0  # delivered to the pipeline and moved to done/
    rejected: int = 0  # moved to rejected/ (never storable)
    failed: int = 0  # could not be stored now: back in the folder for the next run
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        return f"{self.stored} stored, {self.rejected} rejected, {self.failed} failed"


def drop_root() -> Path | None:
    """The drop folder, or None when the drop folder intake is off (MAIL_DROP_DIR empty)."""
    value = str(getattr(settings, "MAIL_DROP_DIR", "") or "").strip()
    return Path(value) if value else None


def folder_of(mailbox: Mailbox, root: Path) -> Path | None:
    """`<root>/<mailbox name>`, or None for a name that is no plain folder name."""
    name = mailbox.name
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        return None
    return root / name


def take_all(*, limit: int = LIMIT, min_age: float = MIN_AGE) -> list[DropResult]:
    """Take the drop folder of every active mailbox whose folder exists."""
    root = drop_root()
    if root is None:
        return []
    results = []
    for mailbox in Mailbox.objects.filter(active=True).order_by("name"):
        folder = folder_of(mailbox, root)
        if folder is not None and folder.is_dir() and not folder.is_symlink():
            results.append(take(mailbox, folder, limit=limit, min_age=min_age))
    return results


def take(
    mailbox: Mailbox, folder: Path, *, limit: int = LIMIT, min_age: float = MIN_AGE
) -> DropResult:
    """Deliver up to `limit` waiting files of `folder` to `mailbox`."""
    result = DropResult(mailbox.name)
    _return_stale_claims(folder)
    for name in _waiting(folder, limit=limit, min_age=min_age):
        claimed = _claim(folder, name)
        if claimed is None:
            continue  # another worker took it
        try:
            raw = _read(claimed)
            inbound = _receive(mailbox, raw)
        except Rejected as exc:
            result.rejected += 1
            result.problems.append(f"{name}: {exc}")
            _move(claimed, folder / REJECTED, name, reason=str(exc))
            logger.warning("drop folder %s: %s rejected: %s", mailbox.name, name, exc)
            continue
        except Exception as exc:  # database or storage down: try again next run
            result.failed += 1
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:300]
            result.problems.append(f"{name}: {detail}")
            _move(claimed, folder, name)
            logger.warning("drop folder %s: %s not stored: %s", mailbox.name, name, detail)
            continue
        result.stored += 1
        _move(claimed, folder / DONE, name)
        logger.info("drop folder %s: %s stored as message %s", mailbox.name, name, inbound.pk)
    return result


# --- the steps ----------------------------------------------------------------------------


def _waiting(folder: Path, *, limit: int, min_age: float) -> list[str]:
    """Names of up to `limit` regular `*.eml` files old enough, oldest first."""
    found: list[tuple[float, str]] = []
    now = time.time()
    try:
        entries = os.scandir(folder)
    except OSError as exc:
        logger.warning("drop folder %s cannot be read: %s", folder.name, exc)
        return []
    with entries:
        for entry in entries:
            name = entry.name
            if name.startswith(".") or not name.endswith(SUFFIX) or len(name) <= len(SUFFIX):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                mtime = entry.stat(follow_symlinks=False).st_mtime
            except OSError:
                continue  # gone meanwhile
            if now - mtime < min_age:
                continue  # possibly still being written
            found.append((mtime, name))
            if len(found) >= limit * 4:  # bounded, however many files wait
                break
    found.sort()
    return [name for _mtime, name in found[:limit]]


def _claim(folder: Path, name: str) -> Path | None:
    """Rename `name` into `.claimed/` under a unique name; None if another worker won."""
    claims = folder / CLAIMED
    claims.mkdir(exist_ok=True)
    target = claims / f"{secrets.token_hex(8)}-{name}"
    try:
        os.rename(folder / name, target)
    except FileNotFoundError:
        return None
    # The claim's age counts from now (a rename keeps the old modification time).
    os.utime(target, follow_symlinks=False)
    return target


def _read(path: Path) -> bytes:
    limit = settings.MAIL_MAX_MESSAGE_BYTES
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
    except OSError as exc:  # ELOOP: a symbolic link slipped in between listing and claim
        raise Rejected(f"cannot be opened as a regular file ({exc.strerror})") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Rejected("not a regular file")
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise Rejected(f"larger than MAIL_MAX_MESSAGE_BYTES ({limit} bytes)")
    if is_blank(raw):
        raise Rejected("empty file")
    return raw


def _receive(mailbox: Mailbox, raw: bytes) -> InboundMessage:
    from caseflow.channels.inbound.services import receive

    try:
        return receive(mailbox, raw, source=InboundSource.DROP)
    except DomainError as exc:  # empty, or the like: storing it again would not help
        raise Rejected(str(exc.message)) from exc


def _move(path: Path, folder: Path, name: str, *, reason: str = "") -> None:
    """Move a claimed file to `folder` as `name` (or a free variant: never overwrite)."""
    folder.mkdir(exist_ok=True)
    target = folder / name
    stem = name[: -len(SUFFIX)]
    while target.exists() or target.is_symlink():
        target = folder / f"{stem}.{secrets.token_hex(4)}{SUFFIX}"
    try:
        os.rename(path, target)
    except OSError as exc:  # the file stays claimed; it is taken again after STALE_CLAIM
        logger.error("drop folder: cannot move %s to %s: %s", path.name, folder, exc)
        return
    if reason:
        with contextlib.suppress(OSError):
            target.with_name(target.name + ".reason").write_text(reason + "\n", encoding="utf-8")


def _return_stale_claims(folder: Path) -> None:
    """Put files claimed by a worker that died back into the folder."""
    claims = folder / CLAIMED
    if not claims.is_dir() or claims.is_symlink():
        return
    now = time.time()
    with os.scandir(claims) as entries:
        for entry in entries:
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                if now - entry.stat(follow_symlinks=False).st_mtime < STALE_CLAIM:
                    continue
            except OSError:
                continue
            name = entry.name.partition("-")[2] or entry.name
            target = folder / name
            if target.exists() or target.is_symlink():
                target = folder / entry.name
            try:
                os.rename(entry.path, target)
            except FileNotFoundError:
                continue  # another worker returned it
            logger.warning("drop folder %s: %s was left claimed; taken again", folder.name, name)


# --- the worker ---------------------------------------------------------------------------


@db_periodic_task(crontab(minute="*"))
def take_drop_folders() -> None:
    """Every minute: take the drop folders (nothing when MAIL_DROP_DIR is empty)."""
    if drop_root() is None:
        return
    for result in take_all():
        if result.stored or result.rejected or result.failed:
            logger.info("drop folder %s: %s", result.mailbox, result.summary())
