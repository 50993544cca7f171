"""What the security work costs per request (issue 11), in process with Django's test client on
the test database: failed and successful log-ins (django-axes), API token checks (the brake on
unknown tokens), a bare response (the CSP header), a web form submission (the reservation).

    python -m pytest bench/security_overhead.py -s -p no:cacheprovider

Prints the median and p95 milliseconds and the median query count of 60 requests each. Runs
on whatever code is checked out (copy it into another checkout to compare)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

N = 60
PASSWORD = "pw-for-tests-only"  # noqa: S105 (the root conftest's users)


def measure(label: str, request: Callable[[int], object]) -> None:
    times, queries = [], []
    for i in range(N):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            request(i)
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured.captured_queries))
    times.sort()
    median, p95 = statistics.median(times), times[int(N * 0.95) - 1]
    print(f"BENCH {label}: median {median:.2f} ms, p95 {p95:.2f} ms, "
          f"queries {statistics.median(queries):.0f}")  # fmt: skip


def address(block: int, i: int) -> str:
    """A distinct client address per request, so no lockout or brake kicks in."""
    return f"10.{block}.{i // 250}.{i % 250 + 1}"


def test_security_overhead(agent):
    from caseflow.accounts.services import create_api_token

    _token, key = create_api_token(actor=None, user=agent, name="bench")
    client = Client()
    client.get("/healthz")

    def failed_log_in(i: int) -> None:
        wrong = {"username": "agent", "password": "wrong"}
        assert Client(REMOTE_ADDR=address(0, i)).post("/login/", wrong).status_code == 200

    def log_in(i: int) -> None:
        right = {"username": "agent", "password": PASSWORD}
        assert Client(REMOTE_ADDR="10.9.9.9").post("/login/", right).status_code == 302

    def valid_token(i: int) -> None:
        headers = {"Authorization": f"Bearer {key}"}
        assert client.get("/api/auth/me", headers=headers).status_code == 200

    def unknown_token(i: int) -> None:
        headers = {"Authorization": "Bearer cf_unknown"}
        response = Client(REMOTE_ADDR=address(1, i)).get("/api/auth/me", headers=headers)
        assert response.status_code == 401

    def web_form(i: int) -> None:
        data = {"name": "Erika", "email": f"e{i}@example.com", "subject": "Pump",
                "description": "Loud", "website": ""}  # fmt: skip
        assert Client(REMOTE_ADDR=address(2, i)).post("/support/", data).status_code == 302

    measure("failed log-in (distinct address each)", failed_log_in)
    measure("successful log-in", log_in)
    measure("GET /api/auth/me with a valid token", valid_token)
    measure("GET /api/auth/me with an unknown token (distinct address each)", unknown_token)
    measure("GET /healthz", lambda i: client.get("/healthz"))
    measure("web form submission", web_form)
