#!/usr/bin/env python
"""Case creation through the API: C concurrent clients POST /api/cases for D seconds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/api_create.py --duration 30

Starts `gunicorn caseflow.wsgi -w 4` on a free 127.0.0.1 port (DEBUG off, production
settings) unless `--url` names a running server, creates an API token for the `bench`
administrator through the ORM, and lets 4 client threads (stdlib http.client, keep-alive
where the server allows it) open cases for random existing customers, half of them with one
of the customer's registered units (so the warranty check runs), until the time is up.
Prints cases/s, latency median/p95/max and errors, then checks that the numbers handed out are
unique and consecutive. Target: >= 200 cases/s, 0 errors, at 1,000,000 cases on PostgreSQL.

CPU per created case is printed twice: the whole machine's (everyone's work counts) and the
server's own, from /proc: the gunicorn master and workers, the PostgreSQL backends connected
to the bench database and this client. The second stays comparable on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from contextlib import nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    Gunicorn,
    HttpClient,
    cpu_busy_seconds,
    create_bench_token,
    format_line,
    load_note,
    require_migrated,
    setup_django,
    summary,
)

SUBJECTS = (
    "Machine does not heat up",
    "Pumpe sehr laut, wenig Wasser",
    "La máquina pierde agua",
    "Display shows error E05",
    "Grinder blocks after a few seconds",
)
CHANNELS = ("phone", "email", "web", "counter", "sms")
PRIORITIES = (None, None, None, "P1", "P2", "P3", "P4")
MAX_REQUESTS_PER_CLIENT = 200_000  # a bound, far above what D seconds allow


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start gunicorn)")
    parser.add_argument("--duration", type=float, default=30, help="seconds (30)")
    parser.add_argument("--clients", type=int, default=4, help="client threads (4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--gunicorn-arg", action="append", default=[], help="extra gunicorn argument"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if not 0 < args.duration <= 600 or not 0 < args.clients <= 64:
        parser.error("--duration must be in (0, 600] and --clients in (0, 64]")
    return args


def sample_payloads(count: int, seed: int) -> list[dict]:
    """Request bodies for existing, live customers; half with a unit registered to them."""
    from caseflow.catalog.models import Registration
    from caseflow.customers.models import Customer

    rng = random.Random(seed)
    last = Customer.objects.order_by("-id").values_list("id", flat=True).first()
    if last is None:
        raise SystemExit("no customers: run bench/generate.py first")
    wanted = {rng.randint(1, last) for _ in range(count * 2)}
    customers = list(
        Customer.objects.filter(pk__in=wanted, archived_at__isnull=True).values_list(
            "id", flat=True
        )
    )
    units: dict[int, list[int]] = {}
    for customer_id, unit_id in Registration.objects.filter(
        customer_id__in=customers, ended_at__isnull=True
    ).values_list("customer_id", "unit_id"):
        units.setdefault(customer_id, []).append(unit_id)
    payloads = []
    for customer_id in customers[:count]:
        unit_id = None
        if units.get(customer_id) and rng.random() < 0.5:
            unit_id = rng.choice(units[customer_id])
        payloads.append(
            {
                "customer_id": customer_id,
                "subject": rng.choice(SUBJECTS),
                "channel": rng.choice(CHANNELS),
                "symptom": "Bench: the customer describes the problem in a few sentences. " * 3,
                "unit_id": unit_id,
                "priority": rng.choice(PRIORITIES),
            }
        )
    return payloads


# --- CPU of the server's own processes ------------------------------------------------------


def _proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` (Linux /proc), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return [int(child) for child in children.read().split()]
    except OSError:
        return []


class ServerCPU:
    """CPU seconds spent by the gunicorn master and workers (`gunicorn_pid` and its
    children) and by the PostgreSQL backends connected to the bench database during a run:
    what the server spent per request, whatever else the machine runs (the machine-wide
    figure counts everyone's work). Sampled twice a second, because a backend whose
    connection reached its CONN_MAX_AGE ends during the run and a new one starts."""

    INTERVAL = 0.5

    def __init__(self, gunicorn_pid: int | None) -> None:
        self.gunicorn_pid = gunicorn_pid
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def pids(self, cursor: Any) -> list[tuple[str, int]]:
        found = []
        if self.gunicorn_pid is not None:
            found += [
                ("gunicorn", pid) for pid in (self.gunicorn_pid, *_children(self.gunicorn_pid))
            ]
        if cursor is not None:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            found += [("postgresql", pid) for (pid,) in cursor.fetchall()]
        return found

    def sample(self, cursor: Any, *, started: bool) -> None:
        for key in self.pids(cursor):
            seconds = _proc_cpu_seconds(key[1])
            # a process that appears during the run started during it: all its CPU counts
            self.first.setdefault(key, seconds if not started else 0.0)
            self.last[key] = max(seconds, self.last.get(key, 0.0))

    def __enter__(self) -> ServerCPU:
        ready = threading.Event()

        def loop() -> None:
            from django.db import connection  # this thread's own connection

            cursor = connection.cursor() if connection.vendor == "postgresql" else None
            try:
                self.sample(cursor, started=False)
                ready.set()
                while not self.stop.wait(self.INTERVAL):
                    self.sample(cursor, started=True)
                self.sample(cursor, started=True)
            finally:
                ready.set()
                connection.close()

        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()
        ready.wait(timeout=30)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=10)

    def spent(self) -> dict[str, float]:
        """CPU seconds per kind of process during the run."""
        totals = {"gunicorn": 0.0, "postgresql": 0.0}
        for key, first in self.first.items():
            totals[key[0]] += max(0.0, self.last[key] - first)
        return totals


def run(
    base_url: str,
    token: str,
    args: argparse.Namespace,
    payloads: list[dict],
    server_cpu: ServerCPU | None = None,
) -> dict:
    latencies: list[list[float]] = [[] for _ in range(args.clients)]
    statuses: list[Counter] = [Counter() for _ in range(args.clients)]
    numbers: list[list[str]] = [[] for _ in range(args.clients)]
    samples: list[str] = []
    start_gate = threading.Barrier(args.clients + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        http = HttpClient(base_url, token)
        rng = random.Random(args.seed * 100 + index)
        start_gate.wait()
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.perf_counter() >= deadline[0]:
                break
            status, body, ms = http.request("POST", "/api/cases", rng.choice(payloads))
            statuses[index][status] += 1
            if status == 201:
                latencies[index].append(ms)
                numbers[index].append(json.loads(body)["number"])
            elif len(samples) < 5:
                samples.append(f"{status}: {body[:300]!r}")
        http.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    for thread in threads:
        thread.start()
    busy_before = cpu_busy_seconds()
    sampling = server_cpu if server_cpu is not None else nullcontext()
    with sampling:
        client_before = time.process_time()
        started = time.perf_counter()
        deadline[0] = started + args.duration
        start_gate.wait()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
    busy_after = cpu_busy_seconds()
    all_ms = [ms for chunk in latencies for ms in chunk]
    total = sum((c for c in statuses), Counter())
    created = total.get(201, 0)
    errors = sum(n for status, n in total.items() if status != 201)
    all_numbers = [n for chunk in numbers for n in chunk]
    print(f"elapsed {elapsed:.1f} s, {args.clients} clients, status counts {dict(total)}")
    for line in samples:
        print("  error sample", line)
    print(format_line("POST /api/cases (latency)", all_ms, errors, None))
    rate = created / elapsed
    verdict = "OK" if rate >= 200 and errors == 0 else "MISSED"
    print(f"created {created} cases: {rate:.1f} cases/s, errors={errors}")
    print(f"target >= 200 cases/s with 0 errors: {verdict}")
    cpu_ms = None
    if busy_before is not None and busy_after is not None and created:
        busy = busy_after - busy_before
        cpu_ms = round(busy / created * 1000, 1)
        print(
            f"machine CPU busy {busy / elapsed / (os.cpu_count() or 1):.0%} of "
            f"{os.cpu_count()} CPUs: {cpu_ms} CPU-ms per created case (everything on the "
            "machine: gunicorn, PostgreSQL, this client and anyone else's work)"
        )
    per_process = None
    if server_cpu is not None and created:
        spent = server_cpu.spent()
        per_process = {kind: round(seconds / created * 1000, 2) for kind, seconds in spent.items()}
        per_process["client"] = round(client_cpu / created * 1000, 2)
        print(
            f"CPU-ms per created case: gunicorn {per_process['gunicorn']}, PostgreSQL backends "
            f"{per_process['postgresql']}, this client {per_process['client']} "
            f"(sum {sum(per_process.values()):.1f}; /proc of these processes only)"
        )
    gaps = check_numbers(all_numbers)
    return {
        "cpu_ms_per_case_by_process": per_process,
        "cases_per_s": round(rate, 1),
        "created": created,
        "errors": errors,
        "elapsed_s": round(elapsed, 1),
        "latency_ms": {k: round(v, 2) for k, v in summary(all_ms).items()},
        "number_gaps": gaps,
        "cpu_ms_per_case": cpu_ms,
    }


def check_numbers(numbers: list[str]) -> int:
    """Numbers must be unique; within this run's year they should be consecutive."""
    per_year: dict[str, list[int]] = {}
    for number in numbers:
        match = re.fullmatch(r"C-(\d{4})-(\d+)", number)
        if not match:
            print(f"  unexpected number format: {number}")
            continue
        per_year.setdefault(match[1], []).append(int(match[2]))
    gaps = 0
    for year, values in per_year.items():
        values.sort()
        duplicates = len(values) - len(set(values))
        span = values[-1] - values[0] + 1
        gaps += span - len(set(values))
        print(
            f"  numbers {year}: {values[0]}..{values[-1]}, {len(values)} handed out, "
            f"{duplicates} duplicates, {span - len(set(values))} gaps"
        )
    return gaps


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    print("before:", load_note(), flush=True)
    token = create_bench_token()
    payloads = sample_payloads(2000, args.seed)
    print(f"{len(payloads)} request bodies, {sum(1 for p in payloads if p['unit_id'])} with a unit")
    if args.url:
        result = run(args.url, token, args, payloads)
    else:
        from django.db import connections

        connections.close_all()
        with Gunicorn(args.database_url, workers=args.workers, extra=args.gunicorn_arg) as server:
            warm = HttpClient(server.url, token)
            for _ in range(4 * args.workers):
                warm.request("GET", "/api/cases/priorities")
            warm.close()
            server_cpu = ServerCPU(server.process.pid if server.process else None)
            result = run(server.url, token, args, payloads, server_cpu)
    print("after:", load_note())
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
