#!/usr/bin/env python
"""Case creation in process: what one POST /api/cases costs, without HTTP and gunicorn.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/create_profile.py --cases 400

Sends the request bodies of bench/api_create.py (random live customers, some with one of
their units, some with a priority) through Django's WSGI handler in this process, one at a
time, with production settings (DEBUG off) and an API token of the `bench` administrator,
and prints per created case:

- the CPU time of this process (the request's Python) and of its PostgreSQL backend,
- the statements sent and the Python function calls (cProfile, a separate pass; a count
  that stays the same however busy the machine is, unlike times),
- how long the case-number row lock was held, from the numbering UPDATE until its COMMIT
  had finished (every case creation queues on that lock), with each statement inside it.

A profile, not a load test: it may run beside other work, which shows in the times, not in
the counts.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import secrets
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATABASE_URL, load_note, percentile, require_migrated


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=400, help="timed creations (400)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if not 0 < args.cases <= 20_000:
        parser.error("--cases must be in (0, 20000]")
    return args


def setup(database_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="caseflow.settings",
        DEBUG="false",
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        DATABASE_URL=database_url,
    )
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    import django

    django.setup()


def poster(token: str) -> Callable[[dict], None]:
    """POST one body to /api/cases through the WSGI handler; refuse anything but 201."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.client import FakePayload

    app = WSGIHandler()

    def post(body: dict) -> None:
        data = json.dumps(body).encode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/cases",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": FakePayload(data),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "HTTP_ACCEPT": "application/json",
        }
        status: list[str] = []
        answer = app(environ, lambda line, headers: status.append(line))
        content = b"".join(answer)
        answer.close()
        if not status[0].startswith("201"):
            raise SystemExit(f"POST /api/cases answered {status[0]}: {content[:300]!r}")

    return post


def backend_cpu_seconds() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend (same machine only), else None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LockClock:
    """A database execute wrapper that counts statements and times the case-number lock:
    from the numbering UPDATE until its transaction's COMMIT has finished (an on_commit
    callback), with the statements sent meanwhile."""

    def __init__(self) -> None:
        self.statements = 0
        self.holds: list[float] = []
        self.inside: dict[str, list[float]] = defaultdict(list)
        self._started: float | None = None

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any):
        from django.db import transaction

        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements += 1
            if "core_sequence" in sql and self._started is None:
                self._started = started
                transaction.on_commit(self._committed)
            if self._started is not None:
                label = " ".join(sql.split())[:48]
                self.inside[label].append(time.perf_counter() - started)

    def _committed(self) -> None:
        if self._started is not None:
            self.holds.append(time.perf_counter() - self._started)
        self._started = None


def main() -> None:
    args = parse_args()
    setup(args.database_url)
    require_migrated()
    from _common import create_bench_token
    from api_create import sample_payloads
    from django.db import connection

    print("before:", load_note(), flush=True)
    post = poster(create_bench_token())
    payloads = sample_payloads(2000, args.seed)
    rng = random.Random(args.seed)
    for _ in range(30):  # imports, caches, prepared statements
        post(rng.choice(payloads))

    backend_before = backend_cpu_seconds()
    cpu_before = time.process_time()
    for _ in range(args.cases):
        post(rng.choice(payloads))
    python_ms = (time.process_time() - cpu_before) / args.cases * 1000
    backend_after = backend_cpu_seconds()
    line = f"per created case: Python {python_ms:.2f} CPU-ms"
    if backend_before is not None and backend_after is not None:
        backend_ms = (backend_after - backend_before) / args.cases * 1000
        line += f", its PostgreSQL backend {backend_ms:.2f} CPU-ms"
    print(line + f" ({args.cases} cases)")

    clock = LockClock()
    with connection.execute_wrapper(clock):
        for _ in range(args.cases):
            post(rng.choice(payloads))
    holds = [s * 1000 for s in clock.holds]
    print(
        f"statements per case {clock.statements / args.cases:.1f} (without BEGIN, COMMIT and "
        f"the connection health check); number lock held median {statistics.median(holds):.2f} "
        f"ms, p95 {percentile(holds, 95):.2f} ms, from the UPDATE to the end of COMMIT"
    )
    for label, seconds in clock.inside.items():
        print(f"  inside: {label:<50} median {statistics.median(seconds) * 1000:.3f} ms")

    profile = cProfile.Profile()
    calls_for = min(args.cases, 200)
    profile.enable()
    for _ in range(calls_for):
        post(rng.choice(payloads))
    profile.disable()
    calls = sum(entry[1] for entry in pstats.Stats(profile).stats.values())  # type: ignore[attr-defined]
    print(f"Python function calls per case {calls / calls_for:,.0f}")
    print("after:", load_note())


if __name__ == "__main__":
    main()
