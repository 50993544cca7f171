#!/usr/bin/env python
"""CPU per request of the case page and the case list, in process (no server, no network).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/desk_cpu.py --rounds 200

Sets Django up with production settings (DEBUG off, static files collected into a temporary
directory as `bench/desk_pages.py` does), logs the agent `bench-agent` in with Django's test
client and asks, in turn, for:

- /cases/<pk>/      the case page of ten cases with 45 to 55 timeline events and no
                    "resolved" event (the same cases every run: the lowest ids)
- /cases/           the case list, first page
- /cases/ (htmx)    the rows partial

Each line gives the process CPU time per request (`time.process_time`: Django, the template
engine, psycopg's side of the queries; PostgreSQL's own time is not in it), minimum, 10th
percentile, median, mean and p95 over `--rounds` requests after `--warmup` ones, and the
queries per request. On a busy machine the minimum and the 10th percentile move least. Used to
compare two versions of the code on the same machine, one after the other: run it from each
tree. Prints the load average and the CPU calibration figure of bench/_common.py. A timed
run: never beside another benchmark (take the machine's benchmark lock, if it has one).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATABASE_URL, load_note, percentile, setup_django


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="timed requests per screen")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per screen")
    parser.add_argument("--cases", type=int, default=10, help="case pages to cycle through")
    return parser.parse_args()


def long_cases(count: int) -> list[int]:
    """Cases with 45 to 55 timeline events and no "resolved" event, lowest ids first."""
    from django.db.models import Count

    from caseflow.cases.models import TimelineEvent

    ids = list(
        TimelineEvent.objects.values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gte=45, n__lte=55)
        .order_by("case_id")
        .values_list("case_id", flat=True)
    )
    resolved = set(
        TimelineEvent.objects.filter(case_id__in=ids, event_type__code="resolved").values_list(
            "case_id", flat=True
        )
    )
    picked = [pk for pk in ids if pk not in resolved][:count]
    if not picked:
        raise SystemExit("no case has 45 to 55 events: run bench/generate.py first")
    return picked


def agent() -> object:
    from caseflow.accounts.models import Role, User

    user, _created = User.objects.get_or_create(
        username="bench-agent",
        defaults={"role": Role.AGENT, "first_name": "Bench", "last_name": "Agent"},
    )
    if user.role != Role.AGENT or not user.is_active:
        User.objects.filter(pk=user.pk).update(role=Role.AGENT, is_active=True)
        user.refresh_from_db()
    return user


def measure(client: object, paths: list[str], rounds: int, warmup: int, **extra: object) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for n in range(warmup):
        response = client.get(paths[n % len(paths)], **extra)  # type: ignore[attr-defined]
        if response.status_code != 200:
            raise SystemExit(f"{paths[n % len(paths)]} answered {response.status_code}")
    times = []
    for n in range(rounds):
        started = time.process_time()
        client.get(paths[n % len(paths)], **extra)  # type: ignore[attr-defined]
        times.append((time.process_time() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(paths[0], **extra)  # type: ignore[attr-defined]
    return {
        "min": min(times),
        "p10": percentile(times, 10),
        "median": statistics.median(times),
        "mean": statistics.fmean(times),
        "p95": percentile(times, 95),
        "queries": len(queries.captured_queries),
    }


def main() -> None:
    args = parse_args()
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-desk-cpu")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from desk_pages import collected_static

    os.environ["STATIC_ROOT"] = collected_static()
    setup_django(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), debug=False)

    from django.test import Client

    print(load_note())
    cases = long_cases(args.cases)
    client = Client()
    client.force_login(agent())
    screens = [
        ("case page (45-55 events)", [f"/cases/{pk}/" for pk in cases], {}),
        ("case list, first page", ["/cases/"], {}),
        ("case list rows (htmx)", ["/cases/"], {"headers": {"HX-Request": "true"}}),
    ]
    for label, paths, extra in screens:
        result = measure(client, paths, args.rounds, args.warmup, **extra)
        print(
            f"{label:<28} CPU ms per request: min={result['min']:6.2f} p10={result['p10']:6.2f} "
            f"median={result['median']:6.2f} mean={result['mean']:6.2f} p95={result['p95']:6.2f}"
            f"  queries={result['queries']}"
        )
    print(load_note())


if __name__ == "__main__":
    main()
