"""IMAP polling: fetch what waits in a mailbox's folder, hand each message to the mail
pipeline, and mark it done on the server only after the pipeline has committed it.

One poll of one mailbox:

1. Claim the mailbox's lease (a conditional UPDATE): a second worker finds it taken and
   skips, so two consumers never poll the same mailbox at once.
2. Connect (SSL/TLS, STARTTLS, or plain to a loopback address only), log in, SELECT the
   folder and search for the messages not yet done: those without the keyword
   `$CaseflowDone` (or, on a server that allows no keywords, the unseen ones).
3. Fetch them oldest first in batches (at most `IMAP_FETCH_BATCH` messages and
   `IMAP_FETCH_BATCH_BYTES` bytes per batch, sizes asked first), with `BODY.PEEK[]` so that
   nothing is marked read before it is processed. Memory follows the batch, not the backlog.
4. Per message: `deliver(mailbox, raw)`; only after it returned, `STORE +FLAGS (\\Seen
   $CaseflowDone)`, and with a done folder, `UID MOVE` there (COPY + \\Deleted + EXPUNGE on
   servers without MOVE). A delivery that raises leaves the message untouched for the next
   poll; one that returned but could not be flagged is delivered again later and the
   pipeline recognises the same bytes as a duplicate. At least once, never lost.
5. Record `last_polled_at` and `last_error` on the mailbox (empty when all went well).

Nothing here raises for a server's failure (refused connection, bad password, missing
folder, timeout, TLS): the poll ends with `PollResult.error`, and the same words land in
`Mailbox.last_error` for the admin.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import ipaddress
import logging
import re
import secrets
import socket
import ssl
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.channels.models import ImapPollLease, ImapSecurity, InboundSource, Mailbox

logger = logging.getLogger(__name__)

DONE_KEYWORD = "$CaseflowDone"
# A poll renews its lease after every batch; a worker killed mid-poll blocks the mailbox
# for at most this long.
LEASE = timedelta(minutes=10)
# UIDs per SEARCH/FETCH command line for sizes: keeps command lines short on huge backlogs.
_SIZE_CHUNK = 200
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")

Deliver = Callable[[Mailbox, bytes], object]


class ImapError(Exception):
    """A poll cannot go on; the message is for the admin (it lands in `last_error`)."""


@dataclass
class PollResult:
    """What one poll of one mailbox did."""

    mailbox: str
    waiting: int = 0  # messages found not yet done (before the limit)
    fetched: int = 0
    delivered: int = 0
    failed: int = 0
    moved: int = 0
    busy: bool = False  # another worker held the mailbox: nothing done
    error: str = ""
    statuses: Counter[str] = field(default_factory=Counter)  # what the pipeline made of them
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.error and not self.failed

    def problem(self) -> str:
        """The words for `Mailbox.last_error`: empty when the poll went well."""
        lines = [self.error] if self.error else []
        if self.failed:
            lines.append(
                _("%(count)d message(s) not delivered; they stay in the folder for the next poll:")
                % {"count": self.failed}
            )
            lines.extend(self.failures[:5])
        return "\n".join(lines)

    def summary(self) -> str:
        if self.busy:
            return _("skipped: another poll of this mailbox is running")
        parts = [
            _("%(n)d waiting") % {"n": self.waiting},
            _("%(n)d fetched") % {"n": self.fetched},
            _("%(n)d delivered") % {"n": self.delivered},
            _("%(n)d failed") % {"n": self.failed},
        ]
        if self.statuses:
            parts[2] += " (" + ", ".join(f"{n} {s}" for s, n in sorted(self.statuses.items())) + ")"
        if self.moved:
            parts.append(_("%(n)d moved") % {"n": self.moved})
        return ", ".join(parts)


def deliver_to_pipeline(mailbox: Mailbox, raw: bytes) -> object:
    """The default delivery: the mail pipeline stores the raw bytes, then processes them."""
    from caseflow.channels.inbound.services import receive  # the pipeline, a higher layer

    return receive(mailbox, raw, source=InboundSource.IMAP)


def pollable_mailboxes() -> QuerySet[Mailbox]:
    """Active mailboxes with an IMAP server to poll."""
    return Mailbox.objects.filter(active=True).exclude(imap_host="").order_by("name")


def poll_mailbox(
    mailbox: Mailbox, *, deliver: Deliver | None = None, limit: int | None = None
) -> PollResult:
    """Poll one mailbox once: at most `limit` messages (default `IMAP_POLL_LIMIT`)."""
    result = PollResult(mailbox=mailbox.name)
    holder = claim_lease(mailbox)
    if holder is None:
        result.busy = True
        return result
    try:
        deliver = deliver or deliver_to_pipeline
        _poll(mailbox, result, deliver, limit or settings.IMAP_POLL_LIMIT, holder)
    finally:
        release_lease(mailbox, holder)
        mailbox.last_polled_at, mailbox.last_error = timezone.now(), result.problem()
        Mailbox.objects.filter(pk=mailbox.pk).update(
            last_polled_at=mailbox.last_polled_at, last_error=mailbox.last_error
        )
    log = logger.warning if result.problem() else logger.info
    log("IMAP poll of %s: %s%s", mailbox.name, result.summary(), _tail(result.problem()))
    return result


def _tail(problem: str) -> str:
    return f" — {problem}" if problem else ""


# --- the lease ----------------------------------------------------------------------------------


def claim_lease(mailbox: Mailbox) -> str | None:
    """Take the mailbox for one poll; None when another poll holds it (and its lease runs)."""
    now = timezone.now()
    ImapPollLease.objects.get_or_create(mailbox=mailbox, defaults={"expires_at": now})
    holder = secrets.token_hex(16)
    claimed = (
        ImapPollLease.objects.filter(mailbox=mailbox)
        .filter(Q(holder="") | Q(expires_at__lte=now))
        .update(holder=holder, expires_at=now + LEASE)
    )
    return holder if claimed else None


def renew_lease(mailbox: Mailbox, holder: str) -> bool:
    """Extend our lease; False when it expired and another poll took the mailbox."""
    return bool(
        ImapPollLease.objects.filter(mailbox=mailbox, holder=holder).update(
            expires_at=timezone.now() + LEASE
        )
    )


def release_lease(mailbox: Mailbox, holder: str) -> None:
    ImapPollLease.objects.filter(mailbox=mailbox, holder=holder).update(
        holder="", expires_at=timezone.now()
    )


# --- one poll -----------------------------------------------------------------------------------


def _poll(mailbox: Mailbox, result: PollResult, deliver: Deliver, limit: int, holder: str) -> None:
    client: imaplib.IMAP4 | None = None
    where = f"{mailbox.imap_host}:{mailbox.imap_port}"
    try:
        client = _connect(mailbox)
        _login(client, mailbox)
        capabilities = _capabilities(client)
        keywords = _select(client, mailbox.imap_folder, where)
        done_flags = rf"(\Seen {DONE_KEYWORD})" if keywords else r"(\Seen)"
        done_folder = mailbox.imap_done_folder.strip()
        if done_folder:
            _ensure_folder(client, done_folder, where)
            if keywords:
                # delivered and flagged by an earlier poll that ended before its move
                leftover = _search(client, "KEYWORD", DONE_KEYWORD, "NOT", "DELETED")
                result.moved += _move(client, leftover, done_folder, capabilities)
        criteria = ("UNKEYWORD", DONE_KEYWORD) if keywords else ("UNSEEN",)
        uids = _search(client, *criteria, "NOT", "DELETED")
        result.waiting = len(uids)
        for batch in _batches(client, uids[:limit], result):
            if not renew_lease(mailbox, holder):
                raise ImapError(_("the poll took too long and lost its lease; stopped"))
            done = []
            for uid, raw in _fetch(client, batch):
                result.fetched += 1
                if _deliver_one(mailbox, deliver, uid, raw, result):
                    _store(client, uid, done_flags)
                    done.append(uid)
            if done_folder:
                result.moved += _move(client, done, done_folder, capabilities)
            _forget_untagged(client)
    except ImapError as exc:
        result.error = str(exc)
    except (imaplib.IMAP4.error, OSError, ValueError) as exc:
        # a dropped connection, a timeout or a protocol error in the middle of the poll
        result.error = _("IMAP error with %(where)s: %(reason)s") % {
            "where": where,
            "reason": _reason(exc),
        }
    finally:
        if client is not None:
            _logout(client)


def _deliver_one(
    mailbox: Mailbox, deliver: Deliver, uid: int, raw: bytes, result: PollResult
) -> bool:
    try:
        outcome = deliver(mailbox, raw)
    except Exception as exc:  # whatever the pipeline raised: leave the message for later
        logger.exception("IMAP %s: delivering UID %s failed", mailbox.name, uid)
        result.failed += 1
        result.failures.append(f"UID {uid}: {type(exc).__name__}: {str(exc)[:200]}")
        return False
    result.delivered += 1
    status = getattr(outcome, "status", None)
    if status:
        result.statuses[str(status)] += 1
    return True


# --- IMAP commands ------------------------------------------------------------------------------


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    host, port = mailbox.imap_host.strip(), mailbox.imap_port
    where = f"{host}:{port}"
    timeout = settings.IMAP_TIMEOUT
    security = mailbox.imap_security
    if not host:
        raise ImapError(_("the mailbox has no IMAP host"))
    if security == ImapSecurity.NONE and not _is_loopback(host):
        raise ImapError(
            _(
                "refusing to send the password to %(where)s unencrypted: choose SSL/TLS or "
                "STARTTLS (no security is for loopback addresses only)"
            )
            % {"where": where}
        )
    client: imaplib.IMAP4 | None = None
    try:
        if security == ImapSecurity.SSL:
            return imaplib.IMAP4_SSL(host, port, ssl_context=_tls_context(), timeout=timeout)
        client = imaplib.IMAP4(host, port, timeout=timeout)
        if security == ImapSecurity.STARTTLS:
            client.starttls(_tls_context())
        return client
    except ssl.SSLCertVerificationError as exc:
        error = _("the certificate of %(where)s is not trusted: %(reason)s") % {
            "where": where,
            "reason": exc.verify_message or _reason(exc),
        }
    except ssl.SSLError as exc:
        error = _("TLS with %(where)s failed: %(reason)s") % {
            "where": where,
            "reason": _reason(exc),
        }
    except TimeoutError:
        error = _("no answer from %(where)s within %(seconds)d s") % {
            "where": where,
            "seconds": timeout,
        }
    except ConnectionRefusedError:
        error = _("%(where)s refused the connection (is the IMAP server running on that port?)") % {
            "where": where
        }
    except socket.gaierror as exc:
        error = _("unknown host %(host)s: %(reason)s") % {"host": host, "reason": _reason(exc)}
    except (OSError, imaplib.IMAP4.error) as exc:
        error = _("cannot connect to %(where)s: %(reason)s") % {
            "where": where,
            "reason": _reason(exc),
        }
    if client is not None:
        _logout(client)
    raise ImapError(error)


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.IMAP_CA_FILE:
        # in addition to the system's CAs: an in-house CA or a self-signed server
        context.load_verify_locations(cafile=settings.IMAP_CA_FILE)
    return context


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _login(client: imaplib.IMAP4, mailbox: Mailbox) -> None:
    user, password = mailbox.imap_user, mailbox.imap_password
    try:
        if "AUTH=PLAIN" in client.capabilities:
            # SASL PLAIN sends UTF-8, so a password with umlauts works (LOGIN is ASCII only)
            plain = f"\0{user}\0{password}".encode()
            client.authenticate("PLAIN", lambda _challenge: plain)
        else:
            client.login(user, password)
    except (imaplib.IMAP4.error, UnicodeError) as exc:
        raise ImapError(
            _("login as %(user)s on %(where)s failed: %(reason)s")
            % {
                "user": user,
                "where": f"{mailbox.imap_host}:{mailbox.imap_port}",
                "reason": _reason(exc),
            }
        ) from None


def _capabilities(client: imaplib.IMAP4) -> set[str]:
    # imaplib keeps the pre-login list; servers add MOVE and others after login.
    typ, data = client.capability()
    words = data[-1].decode("ascii", "replace").upper().split() if typ == "OK" and data else []
    return set(words) | set(client.capabilities)


def _select(client: imaplib.IMAP4, folder: str, where: str) -> bool:
    """Open the folder; whether it takes our keyword (else we fall back to \\Seen)."""
    try:
        typ, data = client.select(_folder_arg(folder))
    except imaplib.IMAP4.readonly:
        raise ImapError(
            _("folder %(folder)s on %(where)s is read-only: processed mail cannot be flagged")
            % {"folder": folder, "where": where}
        ) from None
    if typ != "OK":
        raise ImapError(
            _("folder %(folder)s on %(where)s cannot be opened: %(reason)s")
            % {"folder": folder, "where": where, "reason": _text(data)}
        )
    permanent = client.untagged_responses.get("PERMANENTFLAGS")
    if not permanent:
        return True  # RFC 3501: no PERMANENTFLAGS means every flag can be kept
    flags = b" ".join(item for item in permanent if isinstance(item, bytes))
    return b"\\*" in flags or DONE_KEYWORD.encode() in flags


def _ensure_folder(client: imaplib.IMAP4, folder: str, where: str) -> None:
    typ, _data = client.status(_folder_arg(folder), "(MESSAGES)")
    if typ == "OK":
        return
    typ, data = client.create(_folder_arg(folder))
    if typ != "OK":
        raise ImapError(
            _("the folder for processed mail %(folder)s on %(where)s cannot be created: %(reason)s")
            % {"folder": folder, "where": where, "reason": _text(data)}
        )


def _search(client: imaplib.IMAP4, *criteria: str) -> list[int]:
    typ, data = client.uid("SEARCH", *criteria)
    _check(typ, data, "SEARCH")
    uids = {int(word) for line in data if line for word in line.split()}
    return sorted(uids)


def _batches(client: imaplib.IMAP4, uids: Sequence[int], result: PollResult) -> Iterator[list[int]]:
    """The UIDs in fetch batches bounded by count and bytes; skips (and reports) messages
    over `MAIL_MAX_MESSAGE_BYTES`, which stay in the folder."""
    max_count = max(1, settings.IMAP_FETCH_BATCH)
    max_bytes = settings.IMAP_FETCH_BATCH_BYTES
    too_large = settings.MAIL_MAX_MESSAGE_BYTES
    for start in range(0, len(uids), _SIZE_CHUNK):
        sizes = _sizes(client, uids[start : start + _SIZE_CHUNK])
        batch: list[int] = []
        batch_bytes = 0
        for uid, size in sizes:
            if size > too_large:
                result.failed += 1
                result.failures.append(
                    _("UID %(uid)d: %(size)d bytes, over MAIL_MAX_MESSAGE_BYTES (%(max)d)")
                    % {"uid": uid, "size": size, "max": too_large}
                )
                continue
            if batch and (len(batch) >= max_count or batch_bytes + size > max_bytes):
                yield batch
                batch, batch_bytes = [], 0
            batch.append(uid)
            batch_bytes += size
        if batch:
            yield batch


def _sizes(client: imaplib.IMAP4, uids: Sequence[int]) -> list[tuple[int, int]]:
    if not uids:
        return []
    typ, data = client.uid("FETCH", _uid_set(uids), "(UID RFC822.SIZE)")
    _check(typ, data, "FETCH")
    sizes = {}
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes) and (uid := _UID.search(line)) and (size := _SIZE.search(line)):
            sizes[int(uid.group(1))] = int(size.group(1))
    return sorted(sizes.items())  # a message expunged meanwhile is simply gone


def _fetch(client: imaplib.IMAP4, uids: Sequence[int]) -> Iterator[tuple[int, bytes]]:
    """(UID, raw bytes) of each message, without setting \\Seen (BODY.PEEK)."""
    typ, data = client.uid("FETCH", _uid_set(uids), "(UID BODY.PEEK[])")
    _check(typ, data, "FETCH")
    data.reverse()  # pop() from the end hands each message over and lets it go
    while data:
        item = data.pop()
        if not isinstance(item, tuple):
            continue
        head, raw = item
        found = _UID.search(head)
        if found is None and data and isinstance(data[-1], bytes):
            found = _UID.search(data[-1])  # some servers send UID after the literal
        if found is not None:
            yield int(found.group(1)), raw


def _store(client: imaplib.IMAP4, uid: int, flags: str) -> None:
    typ, data = client.uid("STORE", str(uid), "+FLAGS.SILENT", flags)
    _check(typ, data, "STORE")


def _move(client: imaplib.IMAP4, uids: Sequence[int], folder: str, capabilities: set[str]) -> int:
    if not uids:
        return 0
    uid_set, target = _uid_set(uids), _folder_arg(folder)
    if "MOVE" in capabilities:
        typ, data = client.uid("MOVE", uid_set, target)
        _check(typ, data, "MOVE")
        return len(uids)
    typ, data = client.uid("COPY", uid_set, target)
    _check(typ, data, "COPY")
    typ, data = client.uid("STORE", uid_set, "+FLAGS.SILENT", r"(\Deleted)")
    _check(typ, data, "STORE")
    if "UIDPLUS" in capabilities:
        typ, data = client.uid("EXPUNGE", uid_set)  # only ours, not others' \Deleted mail
    else:
        typ, data = client.expunge()
    _check(typ, data, "EXPUNGE")
    return len(uids)


def _forget_untagged(client: imaplib.IMAP4) -> None:
    # EXPUNGE/EXISTS/RECENT notices pile up in imaplib over a long poll; nobody reads them.
    for name in ("EXPUNGE", "EXISTS", "RECENT", "FETCH", "OK"):
        client.untagged_responses.pop(name, None)


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError):
        with contextlib.suppress(OSError):
            client.shutdown()


def _check(typ: str, data: list[Any], command: str) -> None:
    if typ != "OK":
        raise ImapError(
            _("the server refused %(command)s: %(reason)s")
            % {"command": command, "reason": _text(data)}
        )


# --- encoding -----------------------------------------------------------------------------------


def _uid_set(uids: Sequence[int]) -> str:
    return ",".join(str(uid) for uid in uids)


def _folder_arg(name: str) -> str:
    """A folder name as an IMAP argument: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded = _utf7_imap(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7_imap(name: str) -> str:
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(utf16).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def _text(data: object) -> str:
    """A server's answer as words: `[b'Mailbox doesn't exist: X']` → `Mailbox doesn't exist: X`."""
    if isinstance(data, list | tuple):
        return " ".join(_text(item) for item in data if item is not None).strip()
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace").strip()
    return str(data).strip()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    # imaplib formats server answers as a bytes repr: "b'[AUTHENTICATIONFAILED] ...'"
    if re.fullmatch(r"b'.*'|b\".*\"", text, re.DOTALL):
        text = text[2:-1]
    return text or type(exc).__name__
