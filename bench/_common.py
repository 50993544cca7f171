"""Shared helpers for the bench scripts: find the project, set up Django, time things."""

from __future__ import annotations

import http.client
import json
import math
import os
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/caseflow_bench"
BENCH_USER = "bench"


def use_project() -> None:
    """Make `import caseflow` work from anywhere, without installing the project."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def setup_django(database_url: str | None = None, *, debug: bool = True) -> None:
    """Configure Django for a bench run (env as in docs/performance.md) and set it up."""
    use_project()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caseflow.settings")
    os.environ.setdefault("DEBUG", "true" if debug else "false")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    import django

    django.setup()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of `values`; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "count": len(values_ms),
        "median": statistics.median(values_ms) if values_ms else math.nan,
        "p95": percentile(values_ms, 95),
        "p99": percentile(values_ms, 99),
        "max": max(values_ms) if values_ms else math.nan,
    }


def format_line(label: str, values_ms: list[float], errors: int, target: float | None) -> str:
    s = summary(values_ms)
    verdict = ""
    if target is not None:
        ok = s["count"] > 0 and s["p95"] <= target and errors == 0
        verdict = f"  target p95<={target:g}ms {'OK' if ok else 'MISSED'}"
    return (
        f"{label:<38} n={s['count']:<5} median={s['median']:7.2f}ms p95={s['p95']:7.2f}ms "
        f"p99={s['p99']:7.2f}ms max={s['max']:7.2f}ms errors={errors}{verdict}"
    )


def create_bench_token(username: str = BENCH_USER) -> str:
    """A fresh API token for the bench administrator (created if missing). Django must be set up.

    Goes through `accounts.services.create_api_token` (audited, like any token); the secret is
    only printed by the caller if asked to.
    """
    from caseflow.accounts.models import Role, User
    from caseflow.accounts.services import create_api_token
    from caseflow.core.models import Channel

    user, created = User.objects.get_or_create(
        username=username,
        defaults={"role": Role.ADMINISTRATOR, "first_name": "Bench", "last_name": "Runner"},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    elif user.role != Role.ADMINISTRATOR or not user.is_active:
        User.objects.filter(pk=user.pk).update(role=Role.ADMINISTRATOR, is_active=True)
        user.refresh_from_db()
    _token, key = create_api_token(actor=None, user=user, name="bench", channel=Channel.SYSTEM)
    return key


# --- a gunicorn to measure ----------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn caseflow.wsgi` on 127.0.0.1 with production settings, stopped on exit."""

    def __init__(self, database_url: str, *, workers: int = 4, extra: list[str] | None = None):
        self.database_url = database_url
        self.workers = workers
        self.extra = extra or []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "caseflow.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "LOG_LEVEL": "WARNING",
            # API only: an empty static root keeps whitenoise quiet without collectstatic
            "STATIC_ROOT": tempfile.mkdtemp(prefix="caseflow-bench-static-"),
            "PYTHONPATH": str(ROOT),
        }
        command = [
            sys.executable, "-m", "gunicorn", "caseflow.wsgi",
            "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
            "--log-level", "warning", *self.extra,
        ]  # fmt: skip
        print("starting:", " ".join(command[1:]), flush=True)
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit("gunicorn did not answer /healthz within 60 s")

    def __exit__(self, *exc: object) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def warm_up(base_url: str, token: str, path: str, count: int) -> None:
    """A few requests so every worker has imported everything and opened its connection."""
    client = HttpClient(base_url, token)
    for _ in range(count):
        client.request("GET", path)
    client.close()


class HttpClient:
    """A keep-alive HTTP/1.1 client (stdlib) that reconnects when the server closes."""

    def __init__(self, base_url: str, token: str, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("bench scripts only talk to this machine (127.0.0.1)")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, float]:
        """(status, body, milliseconds); status 0 for a connection error."""
        headers = dict(self.headers)
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=headers)
                response = self.conn.getresponse()
                payload = response.read()
                if response.will_close:
                    self.close()
                return response.status, payload, (time.perf_counter() - started) * 1000
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # the server closed an idle keep-alive connection: retry a GET once
                self.close()
                if attempt or method != "GET":
                    return 0, b"", (time.perf_counter() - started) * 1000
            except OSError:
                self.close()
                return 0, b"", (time.perf_counter() - started) * 1000
        return 0, b"", (time.perf_counter() - started) * 1000

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def load_note() -> str:
    """The machine's load average and its CPU calibration: other work on the machine, and the
    machine itself, skew every number here; printed beside every table."""
    one, five, _fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs; "
        f"{calibration_note()}"
    )


CALIBRATION_ROUNDS = 5


def _calibration_work() -> int:
    """A fixed piece of pure-Python work shaped like a web request's: dict and attribute
    look-ups, string formatting and joining, small-integer arithmetic, function calls.
    Its result is checked so that no future interpreter can skip it."""
    rows = [{"id": i, "name": f"case {i}", "status": ("open", "closed")[i % 2]} for i in range(200)]
    total = 0
    for _round in range(2000):
        parts = []
        for row in rows:
            if row["status"] == "open":
                parts.append("<td>%s</td><td>%d</td>" % (row["name"].upper(), row["id"]))  # noqa: UP031 - fixed work
            total += len(row["name"]) * 3 // 2
        total += len("".join(parts))
    return total


CALIBRATION_RESULT = 9_960_000


def calibration_ms() -> tuple[float, float]:
    """(best, median) milliseconds of the fixed calibration work over a few rounds, in this
    process. The best round says how fast the machine is when it is ours; a median far
    above it says something else was running."""
    times = []
    for _ in range(CALIBRATION_ROUNDS):
        started = time.process_time()
        result = _calibration_work()
        times.append((time.process_time() - started) * 1000)
        if result != CALIBRATION_RESULT:
            raise SystemExit(f"calibration work gave {result}, expected {CALIBRATION_RESULT}")
    return min(times), statistics.median(times)


def calibration_note() -> str:
    best, median = calibration_ms()
    return f"CPU calibration {best:.0f} ms (median {median:.0f}; bench/_common.py, lower is faster)"


def cpu_busy_seconds() -> float | None:
    """CPU seconds the whole machine spent busy since boot (Linux /proc/stat), else None."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = [int(v) for v in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def require_migrated() -> None:
    """Refuse to measure a database that lacks migrations the code expects (every request
    would fail with a 500 instead). Django must be set up."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        missing = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan)
        raise SystemExit(
            f"the database lacks migrations {missing}: run `python manage.py migrate` on it "
            "(and `python manage.py reindex_search` if the search index is new)"
        )
