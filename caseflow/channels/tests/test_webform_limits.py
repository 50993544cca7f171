"""The web form's rate limits hold under parallel submissions: with a limit of 5, exactly 5
of 30 simultaneous submissions from one address get through, on the local-memory cache and
on Redis (REDIS_URL), through the view and with real case creation on PostgreSQL."""

from __future__ import annotations

import os
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import close_old_connections, connection
from django.test import Client

from caseflow.cases.models import Case
from caseflow.channels.webform import limits, views
from caseflow.core import ratelimit

PARALLEL = 30
LIMIT = 5
REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture(params=["locmem", "redis"])
def shared_cache(request, settings):
    """The cache the limits count in: each process's memory, or Redis (REDIS_URL); the
    Redis keys get a prefix of their own and expire with their window."""
    if request.param == "redis":
        if not REDIS_URL:
            pytest.skip("needs Redis (set REDIS_URL, e.g. redis://127.0.0.1:6379/14)")
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": f"caseflow-test-{uuid.uuid4().hex}",
            }
        }
    settings.WEBFORM_LIMIT_PER_ADDRESS = LIMIT
    settings.WEBFORM_LIMIT_PER_IP = 100
    return request.param


def in_parallel(work, count: int = PARALLEL) -> list:
    """Run `work()` in `count` threads released at the same moment; their results."""
    start = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def run() -> None:
        try:
            start.wait(timeout=30)
            outcome = work()
            with lock:
                results.append(outcome)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def fields(**overrides) -> dict:
    return {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "subject": "Pump is loud",
        "description": "Loud rattling when brewing.",
        "website": "",
        **overrides,
    }


def test_reservations_are_atomic(shared_cache):
    results = in_parallel(lambda: limits.reserve("erika@example.com", "198.51.100.7"))
    assert sum(r is not None for r in results) == LIMIT
    assert limits.reserve("ERIKA@example.com", "198.51.100.8") is None
    # a released place is free again, once
    next(r for r in results if r is not None).release()
    assert limits.reserve("erika@example.com", "198.51.100.7") is not None
    assert limits.reserve("erika@example.com", "198.51.100.7") is None


def test_a_refused_reservation_takes_nothing_from_the_other_limit(shared_cache, settings):
    settings.WEBFORM_LIMIT_PER_IP = 2
    assert limits.reserve("a@example.com", "198.51.100.7") is not None
    assert limits.reserve("b@example.com", "198.51.100.7") is not None
    assert limits.reserve("c@example.com", "198.51.100.7") is None  # the client's limit
    key = ratelimit.key_for("webform-address", "c@example.com")
    assert ratelimit.count(key) == 0  # its address place was given back


def test_every_counter_expires_with_its_window(shared_cache):
    if shared_cache != "redis":
        pytest.skip("Redis only: the local-memory cache keeps the expiry beside the value")
    key = ratelimit.key_for("test", "x")
    assert ratelimit.increment(key, window=60) == 1
    assert ratelimit.increment(key, window=60) == 2
    client = cache._cache.get_client(key)  # the raw redis-py client
    assert 0 < client.ttl(cache.make_and_validate_key(key)) <= 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_thirty_parallel_submissions_through_the_view_open_exactly_the_limit(
    shared_cache, monkeypatch
):
    # The case itself is not the point here (and SQLite's shared in-memory test database
    # refuses parallel writers): a slow stand-in keeps every submission between the check
    # and the count, where the old code let them all through.
    opened: list[int] = []

    def slow_submit(request):
        time.sleep(0.2)
        opened.append(1)
        return SimpleNamespace(number=f"C-2026-{len(opened):06d}")

    monkeypatch.setattr(views, "submit_request", slow_submit)

    statuses = in_parallel(lambda: Client().post("/support/", fields()).status_code)

    assert sorted(statuses) == [302] * LIMIT + [429] * (PARALLEL - LIMIT)
    assert len(opened) == LIMIT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_thirty_parallel_submissions_open_exactly_the_limits_cases(shared_cache):
    statuses = in_parallel(lambda: Client().post("/support/", fields()).status_code)
    assert sorted(statuses) == [302] * LIMIT + [429] * (PARALLEL - LIMIT)
    assert Case.objects.count() == LIMIT


@pytest.mark.django_db
def test_a_refused_submission_gives_its_place_back(shared_cache, client):
    for _ in range(LIMIT + 2):
        assert client.post("/support/", fields(phone="not a phone")).status_code == 422
    for _ in range(LIMIT):
        assert client.post("/support/", fields()).status_code == 302
    assert client.post("/support/", fields()).status_code == 429
