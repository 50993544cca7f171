"""Configuration rows the services and the desk read on every case and every page (event
types, priorities, codes, teams, the people who may own cases, product types), cached per
process. They change rarely, in the admin. Saving or deleting one clears the cache of the
process that saved it and bumps a generation number in Django's cache; every process looks
at that number at most once a second (CHECK_EVERY) and re-reads when it moved. With Redis as
the cache (CACHE_URL) every worker sees a change within a second; with the per-process
memory cache of a laptop each other process re-reads after CONFIG_TTL seconds at the latest.

The rows handed out are shared by every request of the process: read them, never change
them (copy one first if a page must annotate it).

Names are per language (django-modeltranslation, caseflow/cases/translation.py): each cached
row carries all of them (`name_en`, `name_de`, `name_es`), and `row.name` picks the reader's
active language when it is read (English when that one is empty). So one cache serves every
language; only a list sorted by name is kept once per language.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import OWNER_ROLES
from caseflow.cases.models import Code, EventType, Priority, TimelineEvent
from caseflow.catalog.models import ProductType

CONFIG_TTL = 60.0
CHECK_EVERY = 1.0
GENERATION_KEY = "cases.config.generation"

T = TypeVar("T")
_cache: dict[str, Any] = {}
_loaded_at = 0.0
_checked_at = -CHECK_EVERY
_generation: int | None = None


def _fresh() -> dict[str, Any]:
    global _loaded_at, _checked_at, _generation
    now = time.monotonic()
    if now - _checked_at >= CHECK_EVERY:
        _checked_at = now
        generation = cache.get(GENERATION_KEY, 0)
        if generation != _generation or now - _loaded_at > CONFIG_TTL:
            _cache.clear()
            _generation = generation
            _loaded_at = now
    return _cache


def _cached(key: str, load: Callable[[], T]) -> T:
    """The cached value of `key`, loaded once per process and CONFIG_TTL. A local copy is
    returned, so a clear by another thread in between cannot lose it."""
    cache = _fresh()
    value = cache.get(key, _cache)  # _cache itself marks "not cached" (None is a value)
    if value is _cache:
        value = load()
        cache[key] = value
    return value  # type: ignore[no-any-return]


def event_types() -> dict[int, EventType]:
    """Every event type by id (one read for the three lookups here)."""
    return _cached("event_types", lambda: {t.pk: t for t in EventType.objects.all()})


def event_type(code: str) -> EventType:
    """The event type `code` (EventType.DoesNotExist when there is none)."""
    by_code = _cached("event_types_by_code", lambda: {t.code: t for t in event_types().values()})
    found = by_code.get(code)
    if found is None:
        raise EventType.DoesNotExist(code)
    return found


def event_type_id(code: str) -> int:
    """The id of the event type `code` (system types are seeded by migration 0002)."""
    return int(event_type(code).pk)


def attach_event_types(events: Iterable[TimelineEvent]) -> None:
    """Give each event its (cached, shared) type without a join or a query per event."""
    types = event_types()
    for event in events:
        found = types.get(event.event_type_id)
        if found is None:  # a type added since the cache was filled
            forget()
            types = event_types()
            found = types[event.event_type_id]
        event.event_type = found


def default_priority() -> Priority | None:
    """The active default priority, or None when none is configured."""
    return next((p for p in priorities() if p.is_default and p.active), None)


def priority(code: str) -> Priority | None:
    """The priority with code `code` (active or not: the services refuse an inactive one),
    or None."""
    return _cached("priorities_by_code", lambda: {p.code: p for p in priorities()}).get(code)


def priorities() -> list[Priority]:
    """Every priority (active or not), most urgent first."""
    return _cached("priorities", lambda: list(Priority.objects.order_by("rank", "id")))


def codes() -> list[Code]:
    """The active reason and resolution codes, general ones before their specific ones."""
    return _cached(
        "codes",
        lambda: list(Code.objects.filter(active=True).order_by("kind", "parent_id", "code")),
    )


def teams() -> list[Team]:
    """The live teams, by name."""
    return _cached(
        "teams", lambda: list(Team.objects.filter(archived_at__isnull=True).order_by("name"))
    )


def owners() -> list[User]:
    """The active people who may own cases, by name."""
    return _cached(
        "owners",
        lambda: list(
            User.objects.filter(is_active=True, role__in=OWNER_ROLES).order_by(
                "first_name", "last_name", "username"
            )
        ),
    )


def product_types() -> list[ProductType]:
    """Every product type, by its name in the reader's language."""
    every = _cached("product_types_all", lambda: list(ProductType.objects.order_by("id")))
    return _cached(
        f"product_types:{get_language()}",
        lambda: sorted(every, key=lambda t: (t.name.casefold(), t.pk)),
    )


def forget() -> None:
    """Forget the cached rows of this process (tests; `clear` for saves)."""
    global _checked_at
    _cache.clear()
    _checked_at = -CHECK_EVERY


def _announce() -> None:
    """Forget here and tell the other processes (they look within CHECK_EVERY)."""
    forget()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): any new value tells them
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def clear(**_kwargs: Any) -> None:
    """Forget everything now, and again after the saving transaction ends (a value read
    inside it may be rolled back); other processes re-read once it has committed."""
    forget()
    transaction.on_commit(_announce)


for _model in (EventType, Priority, Code, Team, User, ProductType):
    post_save.connect(clear, sender=_model, dispatch_uid=f"cases.config.{_model.__name__}.save")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"cases.config.{_model.__name__}.del")
