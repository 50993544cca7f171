#!/usr/bin/env python
"""Latency of every lookup an agent or a client makes, one request at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/lookups.py --requests 300

Starts `gunicorn caseflow.wsgi -w 4` with SERVER_TIMING=true (after `collectstatic` into a
temporary directory) unless `--url` names a running one, logs the agent `bench-agent` in as
bench/desk_pages.py does, creates an API token for `bench`, picks real phone numbers, serial
numbers, customer numbers and names from the database, and times:

- /incoming/results/?q=…   the incoming-call search (htmx partial) for a phone number in
                           national notation, a serial as printed and in lower case, a
                           customer number, the first three letters of a name, a surname, a
                           surname typed without its accents or umlauts (Müller → mueller,
                           Martínez → martinez), and a first name with the start of the
                           surname ("heike zim")
- GET /api/customers/lookup?phone=…, /api/catalog/units?serial=<lower case>,
  /api/customers?q=<surname>

Each line prints count, median, p95, p99 and max of the client's wall time, then the
server's own time and CPU and the number of queries (from the Server-Timing header), and
errors (a non-200 answer, or an answer that found nothing). Target at 1,000,000 cases: p95
<= 20 ms for every lookup.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    Gunicorn,
    create_bench_token,
    format_line,
    load_note,
    require_migrated,
    setup_django,
    summary,
)
from desk_pages import AGENT, Browser, agent_password, collected_static, random_ids

TARGET_MS = 20.0
QUERIES = re.compile(r'db;dur=[0-9.]+;desc="(\d+) queries"')
HTMX = {"HX-Request": "true"}
FOUND_HTML = (b'data-testid="caller-result"', b'data-testid="unit-result"')
UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start gunicorn)")
    parser.add_argument("--requests", type=int, default=200, help="per line (200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed, per line (5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--only", help="run only lines whose name contains this")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if not 0 < args.requests <= 100_000 or not 0 <= args.warmup <= 1000:
        parser.error("--requests must be in (0, 100000] and --warmup in [0, 1000]")
    return args


def unaccented(text: str) -> str:
    """How people type a name without its accents: umlauts as ae/oe/ue, the rest bare."""
    decomposed = unicodedata.normalize("NFKD", text.translate(UMLAUTS).replace("ß", "ss"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def sample(rng: random.Random) -> dict[str, list[str]]:
    import phonenumbers

    from caseflow.catalog.models import Unit
    from caseflow.customers.models import PHONE_KINDS, ContactPoint, Customer

    point_ids = random_ids(
        ContactPoint, 300, rng, kind__in=PHONE_KINDS, value__startswith="+49",
        contact__archived_at__isnull=True, contact__customer__archived_at__isnull=True,
    )  # fmt: skip
    phones = [
        phonenumbers.format_number(
            phonenumbers.parse(value, None), phonenumbers.PhoneNumberFormat.NATIONAL
        )
        for value in ContactPoint.objects.filter(pk__in=point_ids).values_list("value", flat=True)
    ]
    serials = list(
        Unit.objects.filter(pk__in=random_ids(Unit, 300, rng)).values_list("serial", flat=True)
    )
    live = Customer.objects.filter(
        pk__in=random_ids(Customer, 600, rng), archived_at__isnull=True, kind="person"
    ).values_list("number", "name")
    customers = [(number, name.split()) for number, name in live if len(name.split()) >= 2]
    surnames = [words[-1] for _number, words in customers]
    return {
        "phones": phones,
        "serials": serials,
        "lower serials": [serial.lower() for serial in serials],
        "customer numbers": [number for number, _words in customers],
        "prefixes": [words[0][:3] for _number, words in customers if words[0][:3].isalpha()],
        "surnames": surnames,
        "unaccented": [unaccented(s) for s in surnames if unaccented(s) != s],
        "first + surname start": [f"{w[0]} {w[-1][:3]}" for _number, w in customers],
    }


def lines(data: dict[str, list[str]]) -> list[tuple[str, str, Callable, dict, Any]]:
    """(name, kind, rng -> path, headers, marker the answer must contain)."""

    def incoming(key: str) -> Callable[[random.Random], str]:
        return lambda r: "/incoming/results/?" + urlencode({"q": r.choice(data[key])})

    def api(path: str, param: str, key: str) -> Callable[[random.Random], str]:
        return lambda r: f"{path}?" + urlencode({param: r.choice(data[key])})

    typed = ("phones", "serials", "lower serials", "customer numbers", "prefixes", "surnames",
             "unaccented", "first + surname start")  # fmt: skip
    units = api("/api/catalog/units", "serial", "lower serials")
    return [
        *((f"incoming: {key}", "desk", incoming(key), HTMX, FOUND_HTML) for key in typed),
        ("API lookup?phone=", "api", api("/api/customers/lookup", "phone", "phones"), {}, "list"),
        ("API units?serial=<lower>", "api", units, {}, "items"),
        ("API customers?q=<surname>", "api", api("/api/customers", "q", "surnames"), {}, "items"),
    ]


def found(body: bytes, marker: Any) -> bool:
    if isinstance(marker, tuple):
        return any(m in body for m in marker)
    answer = json.loads(body)
    return bool(answer if marker == "list" else answer.get(marker))


def run(base_url: str, password: str, token: str, args: argparse.Namespace, data: dict) -> dict:
    rng = random.Random(args.seed)
    desk = Browser(base_url)
    desk.login(AGENT, password)
    api = Browser(base_url)
    results = {}
    for name, kind, make_path, headers, marker in lines(data):
        if args.only and args.only not in name:
            continue
        client = desk if kind == "desk" else api
        if kind == "api":
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        if not data.get(name.split(": ", 1)[-1], True):
            print(f"{name:<38} skipped: nothing to sample")
            continue
        wall: list[float] = []
        server: list[float] = []
        cpu: list[float] = []
        queries: list[int] = []
        errors = 0
        samples: list[str] = []
        for attempt in range(args.warmup + args.requests):
            path = make_path(rng)
            status, body, ms, _response = client.request("GET", path, headers=headers)
            if attempt < args.warmup:
                continue
            if status != 200 or not found(body, marker):
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{status} {path} {body[:160]!r}")
                continue
            wall.append(ms)
            if client.server_ms is not None:
                server.append(client.server_ms)
            if client.cpu_ms is not None:
                cpu.append(client.cpu_ms)
            counted = QUERIES.search(client.server_timing or "")
            if counted:
                queries.append(int(counted[1]))
        print(format_line(name, wall, errors, TARGET_MS), flush=True)
        if server:
            print(format_line("  server (Server-Timing)", server, errors, TARGET_MS))
        if cpu:
            print(format_line("  server CPU (Server-Timing)", cpu, errors, None))
        if queries:
            print(f"  queries per request: {min(queries)}-{max(queries)}")
        for line in samples:
            print("    error sample:", line)
        results[name] = {
            **{k: round(v, 2) for k, v in summary(wall).items()},
            "errors": errors,
            "server_cpu": {k: round(v, 2) for k, v in summary(cpu).items()} if cpu else None,
            "queries": max(queries) if queries else None,
        }
    desk.close()
    api.close()
    return results


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    print("before:", load_note(), flush=True)
    password = agent_password()
    token = create_bench_token()
    started = time.perf_counter()
    data = sample(random.Random(args.seed))
    counts = ", ".join(f"{len(values)} {key}" for key, values in data.items())
    print(f"sampled in {time.perf_counter() - started:.1f} s: {counts}", flush=True)
    if args.url:
        results = run(args.url, password, token, args, data)
    else:
        from django.db import connections

        connections.close_all()
        static_root = collected_static()
        extra = ["--env", f"STATIC_ROOT={static_root}", "--env", "SERVER_TIMING=true"]
        try:
            with Gunicorn(args.database_url, workers=args.workers, extra=extra) as server:
                results = run(server.url, password, token, args, data)
        finally:
            shutil.rmtree(static_root, ignore_errors=True)
    print("after:", load_note())
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
