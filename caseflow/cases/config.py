"""Configuration rows the services read on every case (event types, the default priority),
cached per process. They change rarely, in the admin; saving or deleting one clears the
cache of the process that saved it, and every process re-reads after CONFIG_TTL seconds."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from caseflow.cases.models import EventType, Priority

CONFIG_TTL = 60.0
_cache: dict[str, Any] = {}
_loaded_at = 0.0


def _fresh() -> dict[str, Any]:
    global _loaded_at
    if time.monotonic() - _loaded_at > CONFIG_TTL:
        _cache.clear()
        _loaded_at = time.monotonic()
    return _cache


def event_type_id(code: str) -> int:
    """The id of the event type `code` (system types are seeded by migration 0002)."""
    cache = _fresh()
    key = f"event_type:{code}"
    if key not in cache:
        cache[key] = EventType.objects.values_list("pk", flat=True).get(code=code)
    return int(cache[key])


def event_type(code: str) -> EventType:
    """The event type `code` itself, for services that record one on every message (mail
    intake); cached like `event_type_id`."""
    cache = _fresh()
    key = f"event_type_row:{code}"
    if key not in cache:
        cache[key] = EventType.objects.get(code=code)
    return cache[key]  # type: ignore[no-any-return]


def default_priority() -> Priority | None:
    """The active default priority, or None when none is configured."""
    cache = _fresh()
    if "default_priority" not in cache:
        cache["default_priority"] = Priority.objects.filter(is_default=True, active=True).first()
    return cache["default_priority"]  # type: ignore[no-any-return]


def priority(code: str) -> Priority | None:
    """The priority with code `code` (active or not: the services refuse an inactive one),
    or None; all priorities are read at once and cached like the rest."""
    cache = _fresh()
    if "priorities" not in cache:
        cache["priorities"] = {row.code: row for row in Priority.objects.all()}
    return cache["priorities"].get(code)  # type: ignore[no-any-return]


def forget() -> None:
    """Forget the cached rows (tests; the signal handlers below for saves)."""
    _cache.clear()


def clear(**_kwargs: Any) -> None:
    """Forget everything now, and again after the saving transaction ends (a value read
    inside it may be rolled back)."""
    _cache.clear()
    transaction.on_commit(_cache.clear)


for _model in (EventType, Priority):
    post_save.connect(clear, sender=_model, dispatch_uid=f"cases.config.{_model.__name__}.save")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"cases.config.{_model.__name__}.del")
