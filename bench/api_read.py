#!/usr/bin/env python
"""Read latency of the API's lists and lookups, one request at a time (or C clients).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/api_read.py --requests 300

Starts `gunicorn caseflow.wsgi -w 4` on a free 127.0.0.1 port unless `--url` names a running
one (`--inprocess` goes through Django's test client instead: the same view code, no HTTP),
picks real customers, owners, phone numbers and serials from the database, and times:

- GET /api/cases                      first page, newest first
- GET /api/cases?status=open          first page, and the second page through its cursor
- GET /api/cases?customer_id=…        random customers, and the customers with most cases
- GET /api/cases?owner_id=…           random owners, all their cases
- GET /api/cases?owner_id=…&status=…  "my active cases"
- GET /api/cases?number=C-…           one case by its number
- GET /api/customers?q=…              name search (part of a surname or company name)
- GET /api/customers/lookup?phone=…   a known number in another notation (0171 …, 0034 …)
- GET /api/catalog/units?serial=…     a known serial

Each line prints count, median, p95, p99, max and errors (non-200 answers; a lookup that finds
nothing counts as an error too). Targets at 1,000,000 cases: filtered case lists p95 <= 50 ms,
lookups p95 <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    Gunicorn,
    HttpClient,
    create_bench_token,
    format_line,
    load_note,
    require_migrated,
    setup_django,
    summary,
)

ACTIVE = "status=new&status=open&status=waiting_customer&status=waiting_vendor&status=waiting_parts"
LIST_TARGET_MS = 50.0
LOOKUP_TARGET_MS = 20.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start gunicorn)")
    parser.add_argument("--inprocess", action="store_true", help="Django test client, no HTTP")
    parser.add_argument("--requests", type=int, default=200, help="per scenario (200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed, per scenario (10)")
    parser.add_argument("--clients", type=int, default=1, help="concurrent clients (1)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--only", help="run only scenarios whose name contains this")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if not 0 < args.requests <= 100_000 or not 0 < args.clients <= 32:
        parser.error("--requests must be in (0, 100000] and --clients in (0, 32]")
    return args


# --- what to ask for --------------------------------------------------------------------------


def other_notation(e164: str, rng: random.Random) -> str:
    """The way a caller's number arrives from a phone system or is typed by an agent."""
    import phonenumbers

    number = phonenumbers.parse(e164, None)
    if number.country_code == 49:  # our default region: national notation
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return rng.choice((national, national.replace(" ", ""), national.replace(" ", "/")))
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return rng.choice((international, "00" + international[1:].replace(" ", "")))


def random_ids(model: Any, count: int, rng: random.Random, **filters: Any) -> list[int]:
    """Up to `count` existing primary keys, drawn uniformly (no ORDER BY random())."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wanted = {rng.randint(1, max(last, 1)) for _ in range(count * 3)}
    found = list(model.objects.filter(pk__in=wanted, **filters).values_list("pk", flat=True))
    rng.shuffle(found)
    return found[:count]


def sample(rng: random.Random) -> dict[str, list[Any]]:
    from django.db.models import Count

    from caseflow.cases.models import Case
    from caseflow.catalog.models import Unit
    from caseflow.customers.models import PHONE_KINDS, ContactPoint

    case_ids = random_ids(Case, 300, rng)
    customers = list(Case.objects.filter(pk__in=case_ids).values_list("customer_id", flat=True))
    heavy = list(
        Case.objects.values("customer_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("customer_id", flat=True)[:10]
    )
    owners = sorted(
        set(Case.objects.filter(owner__isnull=False).values_list("owner_id", flat=True)[:5000])
    )
    from caseflow.core.phones import to_e164

    # numbers of live contacts (an archived contact's number rightly finds nobody)
    point_ids = random_ids(
        ContactPoint, 600, rng, kind__in=PHONE_KINDS, contact__archived_at__isnull=True
    )
    phones = []
    for value in ContactPoint.objects.filter(pk__in=point_ids).values_list("value", flat=True):
        asked = other_notation(value, rng)
        if to_e164(asked) != value:
            raise SystemExit(f"{asked!r} does not read back as {value}: fix other_notation")
        phones.append(asked)
    from caseflow.customers.models import Customer

    names = list(
        Customer.objects.filter(pk__in=random_ids(Customer, 100, rng)).values_list(
            "name", flat=True
        )
    )
    # what an agent types: a surname, or the start of a company name
    searches = [name.split(" ")[1 if " " in name else 0][:6].lower() for name in names]
    numbers = list(Case.objects.filter(pk__in=case_ids).values_list("number", flat=True))
    unit_ids = random_ids(Unit, 300, rng)
    serials = list(Unit.objects.filter(pk__in=unit_ids).values_list("serial", flat=True))
    if not (customers and owners and phones and serials):
        raise SystemExit("the database holds too little: run bench/generate.py first")
    return {
        "customers": customers,
        "heavy": heavy,
        "owners": owners,
        "phones": phones,
        "serials": serials,
        "searches": searches,
        "numbers": numbers,
    }


def scenarios(data: dict[str, list[Any]]) -> list[tuple[str, Any, Any, bool]]:
    """(name, target p95 in ms or None, rng -> path, must find something)."""
    pick = random.Random.choice
    return [
        ("cases first page", LIST_TARGET_MS, lambda r: "/api/cases?limit=50", True),
        ("cases status=open", LIST_TARGET_MS, lambda r: "/api/cases?status=open&limit=50", True),
        ("cases status=open page 2", LIST_TARGET_MS, None, True),  # filled in by `run`
        (
            "cases customer_id (random)",
            LIST_TARGET_MS,
            lambda r: f"/api/cases?customer_id={pick(r, data['customers'])}&limit=50",
            True,
        ),
        (
            "cases customer_id (top 10)",
            LIST_TARGET_MS,
            lambda r: f"/api/cases?customer_id={pick(r, data['heavy'])}&limit=50",
            True,
        ),
        (
            "cases owner_id (all statuses)",
            LIST_TARGET_MS,
            lambda r: f"/api/cases?owner_id={pick(r, data['owners'])}&limit=50",
            True,
        ),
        (
            "cases owner_id + active statuses",
            LIST_TARGET_MS,
            lambda r: f"/api/cases?owner_id={pick(r, data['owners'])}&{ACTIVE}&limit=50",
            False,
        ),
        (
            "cases number=C-… (exact)",
            LOOKUP_TARGET_MS,
            lambda r: f"/api/cases?number={pick(r, data['numbers'])}",
            True,
        ),
        (
            "customers search q=<name part>",
            None,
            lambda r: "/api/customers?" + urlencode({"q": pick(r, data["searches"])}),
            True,
        ),
        (
            "customers lookup phone",
            LOOKUP_TARGET_MS,
            lambda r: "/api/customers/lookup?" + urlencode({"phone": pick(r, data["phones"])}),
            True,
        ),
        (
            "catalog units serial",
            LOOKUP_TARGET_MS,
            lambda r: "/api/catalog/units?" + urlencode({"serial": pick(r, data["serials"])}),
            True,
        ),
    ]


# --- running ----------------------------------------------------------------------------------


class InProcess:
    """The HttpClient interface over Django's test client (no sockets, same views)."""

    def __init__(self, token: str) -> None:
        from django.test import Client

        self.client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        response = self.client.get(path)
        return response.status_code, response.content, (time.perf_counter() - started) * 1000

    def close(self) -> None:
        pass


def found_something(body: bytes) -> bool:
    data = json.loads(body)
    items = data["items"] if isinstance(data, dict) else data
    return bool(items)


def run(make_client: Callable[[], Any], args: argparse.Namespace, data: dict) -> dict:
    rng = random.Random(args.seed)
    results = {}
    probe = make_client()
    status, body, _ms = probe.request("GET", "/api/cases?status=open&limit=50")
    cursor = json.loads(body).get("next_cursor") if status == 200 else None
    probe.close()
    for name, target, make_path, must_find in scenarios(data):
        if args.only and args.only not in name:
            continue
        if make_path is None:
            if not cursor:
                print(f"{name:<38} skipped: no second page")
                continue
            page2 = f"/api/cases?status=open&limit=50&cursor={cursor}"

            def make_path(r: random.Random, page2: str = page2) -> str:
                return page2

        timings: list[list[float]] = [[] for _ in range(args.clients)]
        errors = [0] * args.clients
        samples: list[str] = []

        def worker(
            index: int,
            make_path: Callable = make_path,
            must_find: bool = must_find,
            timings: list[list[float]] = timings,
            errors: list[int] = errors,
            samples: list[str] = samples,
        ) -> None:
            client = make_client()
            local = random.Random(rng.random() + index)
            for _ in range(args.warmup):
                client.request("GET", make_path(local))
            for _ in range(args.requests):
                status, body, ms = client.request("GET", make_path(local))
                ok = status == 200 and (not must_find or found_something(body))
                if ok:
                    timings[index].append(ms)
                else:
                    errors[index] += 1
                    if len(samples) < 3:
                        samples.append(f"{status} {body[:200]!r}")
            client.close()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        values = [ms for chunk in timings for ms in chunk]
        print(format_line(name, values, sum(errors), target), flush=True)
        for line in samples:
            print("    error sample:", line)
        results[name] = {
            **{k: round(v, 2) for k, v in summary(values).items()},
            "errors": sum(errors),
            "target_p95_ms": target,
        }
    return results


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    print("before:", load_note(), flush=True)
    token = create_bench_token()
    data = sample(random.Random(args.seed))
    print(
        f"sampled {len(data['customers'])} customers, {len(data['owners'])} owners, "
        f"{len(data['phones'])} phones, {len(data['serials'])} serials; "
        f"{args.requests} requests per scenario, {args.clients} client(s)",
        flush=True,
    )
    if args.inprocess:
        results = run(lambda: InProcess(token), args, data)
    elif args.url:
        results = run(lambda: HttpClient(args.url, token), args, data)
    else:
        from django.db import connections

        connections.close_all()
        with Gunicorn(args.database_url, workers=args.workers) as server:
            results = run(lambda: HttpClient(server.url, token), args, data)
    print("after:", load_note())
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
