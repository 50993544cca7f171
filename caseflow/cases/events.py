"""Case events: how other apps learn that a case changed, and how they may veto a change.

Every service of `cases` that changes a case announces it with `publish(...)` inside its
transaction; the event is delivered **after COMMIT** (never for a rolled-back change) to
every subscriber of its kind:

    from caseflow.cases import events

    def recompute_due(event: events.CaseEvent) -> None:
        ...  # idempotent: it may run again for the same event

    events.subscribe(events.STATUS_CHANGED, recompute_due, name="workflow.due")

A subscriber runs in the request (or task) that made the change, right after the commit,
and must be quick and idempotent. When it raises, the error is logged and the event is
handed to the background worker (`deliver_later`, Huey), which calls that one subscriber
again with a growing delay, up to `RETRIES` times: a failing subscriber never breaks the
change, and never stops the other subscribers.

**Guards** let an app refuse a transition with a reason a person can act on:

    def complaint_approved(case, actor) -> str | None:
        return None if ... else _("A risk-relevant case needs an approved complaint record.")

    events.guard(events.RESOLVE, complaint_approved, name="quality.complaint")

`cases` asks every guard of the transition before it resolves or closes a case, inside the
transaction and after its own checks; the first refusal becomes a `DomainError`
(code "guarded") with the guard's message, and nothing is written.

Register subscribers and guards in your app's `AppConfig.ready()`; registering the same
`name` again replaces the earlier one (a module imported twice stays one subscriber).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from caseflow.core.errors import DomainError

if TYPE_CHECKING:
    from caseflow.accounts.models import User
    from caseflow.cases.models import Case

logger = logging.getLogger(__name__)

# What happened to the case.
OPENED = "opened"
CHANGED = "changed"  # details edited: `fields` names them
STATUS_CHANGED = "status_changed"  # data: before, after
ASSIGNED = "assigned"  # data: owner, team (ids, or None)
EVENT_RECORDED = "event_recorded"  # a note, call, message … on the timeline; data: event, type
SUPPLIES_CHANGED = "supplies_changed"  # data: line, removed
RESOLVED = "resolved"
CLOSED = "closed"
REOPENED = "reopened"
KINDS = (
    OPENED,
    CHANGED,
    STATUS_CHANGED,
    ASSIGNED,
    EVENT_RECORDED,
    SUPPLIES_CHANGED,
    RESOLVED,
    CLOSED,
    REOPENED,
)
ANY = "*"

# Transitions a guard may refuse.
RESOLVE = "resolve"
CLOSE = "close"
TRANSITIONS = (RESOLVE, CLOSE)

RETRIES = 5  # deliveries by the worker after the first, failing one
RETRY_DELAY = 30  # seconds before the first retry; doubled each time


@dataclass(frozen=True)
class CaseEvent:
    """One change of one case, as subscribers receive it (plain values only, so the worker
    can carry it: read the case itself from the database when you need more)."""

    kind: str
    case_id: int
    number: str
    version: int
    actor_id: int | None
    channel: str
    at: datetime
    fields: tuple[str, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["at"] = self.at.isoformat()
        values["fields"] = list(self.fields)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> CaseEvent:
        values = dict(values)
        values["at"] = datetime.fromisoformat(values["at"])
        values["fields"] = tuple(values.get("fields", ()))
        return cls(**values)


Subscriber = Callable[[CaseEvent], Any]
Guard = Callable[["Case", "User | None"], "str | None"]

_subscribers: dict[str, dict[str, Subscriber]] = {}  # kind (or ANY) → name → subscriber
_guards: dict[str, dict[str, Guard]] = {}  # transition → name → guard


def subscribe(kind: str, subscriber: Subscriber, *, name: str) -> None:
    """Call `subscriber(event)` after COMMIT of every change of `kind` (or ANY)."""
    if kind != ANY and kind not in KINDS:
        raise ValueError(f"unknown case event kind {kind!r}")
    _subscribers.setdefault(kind, {})[name] = subscriber


def unsubscribe(name: str) -> None:
    for by_name in _subscribers.values():
        by_name.pop(name, None)


def guard(transition: str, check: Guard, *, name: str) -> None:
    """Ask `check(case, actor)` before `transition`; a string it returns refuses it."""
    if transition not in TRANSITIONS:
        raise ValueError(f"unknown transition {transition!r}")
    _guards.setdefault(transition, {})[name] = check


def unguard(name: str) -> None:
    for by_name in _guards.values():
        by_name.pop(name, None)


def check_guards(transition: str, case: Case, actor: User | None) -> None:
    """Refuse `transition` with the first guard's reason (DomainError, code "guarded")."""
    for name, check in _guards.get(transition, {}).items():
        reason = check(case, actor)
        if reason:
            logger.info("case %s: %s refused by guard %s", case.number, transition, name)
            raise DomainError(str(reason), code="guarded")


def publish(
    kind: str,
    case: Case,
    *,
    actor: User | None,
    channel: str,
    fields: tuple[str, ...] | list[str] = (),
    **data: Any,
) -> CaseEvent:
    """Announce a change of `case` to the subscribers of `kind`, after the current
    transaction commits (at once outside one). Called by the services of `cases`."""
    if kind not in KINDS:
        raise ValueError(f"unknown case event kind {kind!r}")
    event = CaseEvent(
        kind=kind,
        case_id=case.pk,
        number=case.number,
        version=case.version,
        actor_id=actor.pk if actor is not None else None,
        channel=channel,
        at=timezone.now(),
        fields=tuple(fields),
        data=data,
    )
    if _subscribers.get(kind) or _subscribers.get(ANY):
        transaction.on_commit(lambda: deliver(event), robust=True)
    return event


def _subscribers_of(kind: str) -> dict[str, Subscriber]:
    return {**_subscribers.get(ANY, {}), **_subscribers.get(kind, {})}


def deliver(event: CaseEvent) -> None:
    """Call every subscriber of the event; each failure is logged and retried later."""
    for name, subscriber in _subscribers_of(event.kind).items():
        try:
            subscriber(event)
        except Exception:
            logger.exception(
                "case event %s of %s: subscriber %s failed", event.kind, event.number, name
            )
            _retry_later(name, event, attempt=1)


def deliver_to(name: str, values: dict[str, Any], attempt: int) -> str:
    """The worker's delivery of one event to one subscriber (`tasks.redeliver_case_event`)."""
    event = CaseEvent.from_dict(values)
    subscriber = _subscribers_of(event.kind).get(name)
    if subscriber is None:
        logger.warning("case event %s of %s: subscriber %s is gone", event.kind, event.number, name)
        return "gone"
    try:
        subscriber(event)
    except Exception:
        logger.exception(
            "case event %s of %s: subscriber %s failed again (attempt %d of %d)",
            event.kind,
            event.number,
            name,
            attempt + 1,
            RETRIES + 1,
        )
        if attempt >= RETRIES:
            logger.error(
                "case event %s of %s: subscriber %s gave up", event.kind, event.number, name
            )
            return "failed"
        _retry_later(name, event, attempt=attempt + 1)
        return "retry"
    return "delivered"


def _retry_later(name: str, event: CaseEvent, *, attempt: int) -> None:
    from caseflow.cases.tasks import redeliver_case_event

    delay = RETRY_DELAY * 2 ** (attempt - 1)
    try:
        redeliver_case_event.schedule((name, event.as_dict(), attempt), delay=delay)
    except Exception:  # the queue itself is down: the log line above is what remains
        logger.exception("case event %s of %s: could not queue a retry", event.kind, event.number)
