"""Counters in Django's cache for brakes (the web form's limits, the API's bad tokens).

Every change is one atomic cache operation: `add` creates the counter with its window, `incr`
counts (Redis INCR; the local-memory cache under its lock), so parallel requests can never
read the same count and all slip through. Which cache: `CACHE_URL` (Redis, shared by every
web process), else each process's own memory.
"""

from __future__ import annotations

import contextlib
import hashlib

from django.core.cache import cache

# How often a counter that expired between `add` and `incr` is created again.
_RETRIES = 3


def key_for(kind: str, value: str) -> str:
    """A cache key for counting `value` (an address, an e-mail) without storing it."""
    return f"brake:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def increment(key: str, *, window: int) -> int:
    """Count one at `key` and return the count; the counter lives `window` seconds from its
    first count."""
    for _ in range(_RETRIES):
        cache.add(key, 0, window)
        try:
            count = cache.incr(key)
        except ValueError:  # it expired between add and incr: start it again
            continue
        if count == 1:
            # The first count opens the window. (Had the counter expired between Redis's
            # EXISTS and INCR inside `incr`, INCR would have made one without an expiry.)
            cache.touch(key, window)
        return count
    cache.set(key, 1, window)
    return 1


def decrement(key: str) -> None:
    """Take one count back (a reserved use that did not happen after all)."""
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to give back
        cache.decr(key)


def count(key: str) -> int:
    return int(cache.get(key) or 0)


def take(key: str, *, limit: int, window: int) -> bool:
    """Reserve one of `limit` uses of `key` within `window` seconds: True when it was free
    (and is now counted), False when all were used (nothing counted). Exactly `limit`
    parallel callers get True. A limit of 0 or less means no limit."""
    if limit <= 0:
        return True
    if increment(key, window=window) > limit:
        decrement(key)
        return False
    return True
