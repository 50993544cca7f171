"""The audit trail: append an entry inside the caller's transaction; verify the chains.

Each aggregate (a case, a customer, a product …) has its own hash chain, named
`<app_label>.<model>:<pk>`. Appending locks only that chain's head row, so writers of
unrelated aggregates never wait for each other. Entry *n* stores the hash of entry *n-1*
and a SHA-256 over its own content and that hash: an edited entry no longer matches its
hash, a deleted one leaves a gap in `seq`, and a deleted newest entry no longer matches the
head. See docs/audit-trail.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.core import rows
from caseflow.core.errors import Conflict
from caseflow.core.models import AuditChainHead, AuditEntry, Channel

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """`value` as plain JSON types (Decimal, dates and UUIDs become strings), so the stored
    JSON reads back exactly as it was hashed."""
    if value is None:
        return None
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def chain_name(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def snapshot(obj: models.Model, fields: Sequence[str]) -> dict[str, Any]:
    """The audited values of `fields`: relations as their primary keys."""
    values: dict[str, Any] = {}
    for name in fields:
        attname = getattr(obj._meta.get_field(name), "attname", name)
        values[name] = getattr(obj, attname)
    return values


def stale_conflict(obj: Any, *, label: str, aggregate: models.Model | None = None) -> Conflict:
    """The answer to a writer who read an older version of `obj`: who changed it since,
    when and how, as far as the audit trail says (one indexed query)."""
    last = (
        AuditEntry.objects.filter(chain=chain_name(aggregate or obj))
        .order_by("-seq")
        .only("actor_label", "created_at", "action")
        .first()
    )
    details: dict[str, Any] = {"current_version": obj.version}
    if last is None:
        message = _(
            "%(label)s was changed by someone else after you loaded it. "
            "Reload it and apply your change again."
        ) % {"label": label}
    else:
        when = timezone.localtime(last.created_at).strftime("%Y-%m-%d %H:%M")
        message = _(
            "%(label)s was changed by %(who)s at %(when)s (%(action)s) after you loaded it. "
            "Reload it and apply your change again."
        ) % {"label": label, "who": last.actor_label, "when": when, "action": last.action}
        details.update(changed_by=last.actor_label, changed_action=last.action)
    return Conflict(message, field="version", **details)


def _digest(
    *,
    chain: str,
    seq: int,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    channel: str,
    action: str,
    target_type: str,
    target_id: str,
    before: Any,
    after: Any,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [
            chain,
            seq,
            created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            actor_id,
            actor_label,
            channel,
            action,
            target_type,
            target_id,
            before,
            after,
            prev_hash,
        ],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _lock_head(chain: str) -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            return AuditChainHead.objects.create(chain=chain, last_seq=0, last_hash=GENESIS)
    except IntegrityError:
        # A concurrent first writer created it; queue on its lock instead.
        return AuditChainHead.objects.select_for_update().get(chain=chain)


def audit(
    *,
    actor: Any,
    channel: str,
    action: str,
    target: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    aggregate: models.Model | None = None,
    new_chain: bool = False,
) -> AuditEntry:
    """Append one entry to the chain of `aggregate` (default: `target`) in this transaction.

    `new_chain=True` says the aggregate was created in this transaction, so its chain starts
    here: the head row is inserted rather than looked up and locked (a concurrent writer
    cannot know the new primary key yet).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit() must run inside the service's transaction")
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    chain = chain_name(aggregate or target)
    head = (
        AuditChainHead(chain=chain, last_seq=0, last_hash=GENESIS)
        if new_chain
        else _lock_head(chain)
    )
    actor_id = getattr(actor, "pk", None)
    entry = AuditEntry(
        chain=chain,
        seq=head.last_seq + 1,
        created_at=timezone.now(),
        actor_id=actor_id,
        actor_label=actor.get_username() if actor_id else "system",
        channel=channel,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        before=jsonable(before),
        after=jsonable(after),
        prev_hash=head.last_hash,
    )
    entry.hash = _entry_digest(entry)
    head.last_seq, head.last_hash = entry.seq, entry.hash
    _append(entry, head, new_chain=new_chain)
    return entry


def _append(entry: AuditEntry, head: AuditChainHead, *, new_chain: bool) -> None:
    """Write `entry` and move (or start) the chain's `head` to it: one statement where the
    database can write two tables at once (PostgreSQL), two elsewhere."""
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    if connection.vendor != "postgresql":
        rows.insert(entry)
        if new_chain:
            rows.insert(head)
        else:
            head.save(update_fields=("last_seq", "last_hash"))
        return
    entry_sql, entry_params = rows.insert_statement(entry, using=using)
    if new_chain:
        head_sql, head_params = rows.insert_statement(head, using=using)
    else:
        head_sql = _MOVE_HEAD
        head_params = [head.last_seq, head.last_hash, head.chain]
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH e AS ({entry_sql}), h AS ({head_sql}) SELECT id FROM e",  # noqa: S608
            [*entry_params, *head_params],
        )
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = using


_MOVE_HEAD = "UPDATE core_auditchainhead SET last_seq = %s, last_hash = %s WHERE chain = %s"


def _entry_digest(entry: AuditEntry) -> str:
    return _digest(
        chain=entry.chain,
        seq=entry.seq,
        created_at=entry.created_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        channel=entry.channel,
        action=entry.action,
        target_type=entry.target_type,
        target_id=entry.target_id,
        before=entry.before,
        after=entry.after,
        prev_hash=entry.prev_hash,
    )


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    entry_id: int | None
    seq: int
    created_at: datetime | None
    reason: str

    def __str__(self) -> str:
        where = f"entry {self.entry_id}" if self.entry_id else "chain head"
        when = f" ({self.created_at:%Y-%m-%d %H:%M:%S} UTC)" if self.created_at else ""
        return f"{self.chain} seq {self.seq}: {where}{when}: {self.reason}"


class Observer(Protocol):
    """Something else checked on the same pass over the entries (see core.drift)."""

    def feed(self, entry: AuditEntry) -> None: ...

    def chain_done(self) -> Iterator[Any]: ...

    def finish(self) -> Iterator[Any]: ...


def broken_links(
    *, since: datetime | None = None, chain: str | None = None
) -> Iterator[BrokenLink]:
    """Every broken link, chain by chain. With `since`, each chain is checked from its first
    entry at or after that moment, trusting the link to the entry before it."""
    return walk(since=since, chain=chain)  # type: ignore[return-value]


def walk(
    *, since: datetime | None = None, chain: str | None = None, observer: Observer | None = None
) -> Iterator[Any]:
    """`broken_links`, feeding every entry to `observer` too and yielding what it reports
    after each chain (whole chains only: it sees a chain's entries in `seq` order)."""
    entries = AuditEntry.objects.order_by("chain", "seq")
    heads = AuditChainHead.objects.all()
    if chain:
        entries = entries.filter(chain=chain)
        heads = heads.filter(chain=chain)
    if since:
        entries = entries.filter(created_at__gte=since)
    head_of = {name: (seq, digest) for name, seq, digest in heads.values_list(
        "chain", "last_seq", "last_hash"
    )}  # fmt: skip
    seen: set[str] = set()
    current: str | None = None
    prev_seq, prev_hash = 0, GENESIS
    last: AuditEntry | None = None

    def check_end(entry: AuditEntry) -> Iterator[BrokenLink]:
        head = head_of.get(entry.chain)
        if head is None:
            yield BrokenLink(entry.chain, None, entry.seq, None, "the chain head is missing")
            return
        expected, head_hash = head
        if expected == entry.seq and head_hash != entry.hash:
            yield BrokenLink(
                entry.chain,
                entry.pk,
                entry.seq,
                entry.created_at,
                "the newest entry does not match the chain head: it was rewritten",
            )
        elif expected != entry.seq:
            yield BrokenLink(
                entry.chain,
                None,
                expected,
                None,
                f"the chain ends at seq {entry.seq} but its head says {expected}: "
                "newest entries were deleted",
            )

    for entry in entries.iterator(chunk_size=5000):
        if entry.chain != current:
            if last is not None:
                yield from check_end(last)
                if observer is not None:
                    yield from observer.chain_done()
            current = entry.chain
            seen.add(current)
            if since is None:
                prev_seq, prev_hash = 0, GENESIS
            else:
                prev_seq, prev_hash = entry.seq - 1, entry.prev_hash
        if entry.seq != prev_seq + 1:
            yield BrokenLink(
                entry.chain,
                entry.pk,
                entry.seq,
                entry.created_at,
                f"entries {prev_seq + 1}–{entry.seq - 1} are missing",
            )
        elif entry.prev_hash != prev_hash:
            yield BrokenLink(
                entry.chain,
                entry.pk,
                entry.seq,
                entry.created_at,
                "does not link to the entry before it",
            )
        if _entry_digest(entry) != entry.hash:
            yield BrokenLink(
                entry.chain, entry.pk, entry.seq, entry.created_at, "its content was changed"
            )
        prev_seq, prev_hash = entry.seq, entry.hash
        last = entry
        if observer is not None:
            observer.feed(entry)
    if last is not None:
        yield from check_end(last)
    if observer is not None:
        yield from observer.finish()
    if since is None:
        for name, (last_seq, _digest) in head_of.items():
            if name not in seen and last_seq:
                yield BrokenLink(name, None, last_seq, None, "all entries of the chain are missing")


def first_broken_link(*, since: datetime | None = None) -> BrokenLink | None:
    return next(broken_links(since=since), None)
