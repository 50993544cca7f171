#!/usr/bin/env python
"""Full-text case search and the incoming-call name-prefix lookup at bench scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/search.py --repeat 60

Rebuilds the search index first (`manage.py reindex_search`, timed; `--no-reindex` skips it),
then, in-process (the selectors themselves, no HTTP):

- counts the matches of each keyword query (part names and other words from
  bench/generate.py's texts) and sorts them into "about 1 %" (0.5 to 2 % of the cases) and
  "broad" (more);
- times `search_case_ids(q)` (the 200 best ids) and `filter_cases(cases_visible_to(…), q)`
  (the first page of 50 rows, best first) for each, an exact case number, and
  `customers_by_name_prefix(p)` for 1- to 4-letter prefixes of real customer names;
- prints count, median, p95, p99 and max per scenario, and EXPLAIN (ANALYZE, BUFFERS) of one
  query of each kind (`--no-explain` skips that).

Targets at 1,000,000 cases (issue 4): keyword search matching 1 % p95 <= 100 ms; name prefix
p95 <= 20 ms. Rounds go through the queries of a scenario in turn, after one warm-up round.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    format_line,
    load_note,
    require_migrated,
    setup_django,
    summary,
)

SEARCH_TARGET_MS = 100.0
PREFIX_TARGET_MS = 20.0
# Part names and words from bench/generate.py's texts (each case is about one part, written
# in the customer's language), some inflected differently from the texts ("Pumpen", "bombas").
KEYWORD_QUERIES = [
    "Dampflanze", "Siebträger", "Magnetventil", "Brühgruppe", "Temperaturfühler",
    "Abtropfschale", "Heizelement", "Mahlscheiben", "Einstellring", "Heizplatte",
    "steam wand", "portafilter", "solenoid valve", "drip tray", "pressure gauge",
    "termobloque", "caldera", "electroválvula", "manómetro", "muelas", "tolva",
    "Pumpen", "bombas", "limescale", "verkalkt", "Rückruf", "Garantie",
]  # fmt: skip
ONE_PERCENT = (0.5, 2.0)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40, help="rounds per scenario (40)")
    parser.add_argument("--no-reindex", action="store_true", help="use the index as it is")
    parser.add_argument("--no-explain", action="store_true", help="skip EXPLAIN ANALYZE")
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    return parser.parse_args()


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def measure(label: str, calls: list[Callable[[], Any]], repeat: int, target: float | None) -> dict:
    """Each call once to warm up, then `repeat` rounds through all of them; one line out."""
    from django.db import reset_queries

    for call in calls:
        call()
    values = []
    for _ in range(repeat):
        for call in calls:
            values.append(timed(call))
        reset_queries()  # DEBUG keeps every statement otherwise
    print(format_line(label, values, 0, target), flush=True)
    return {k: round(v, 2) for k, v in summary(values).items()} | {"target_p95_ms": target}


def explain(label: str, run: Callable[[], Any]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the last statement `run` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    sql = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
    print(f"\n--- {label}\n    {sql[:300]}{' …' if len(sql) > 300 else ''}\n{plan}\n")


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    from django.core.management import call_command
    from django.db import connection

    from caseflow.accounts.models import User
    from caseflow.cases.models import Case
    from caseflow.cases.search import filter_cases, search_case_ids
    from caseflow.cases.selectors import cases_visible_to
    from caseflow.customers.models import Customer
    from caseflow.customers.selectors import customers_by_name_prefix

    print("before:", load_note(), flush=True)
    if connection.vendor != "postgresql":
        print("note: the targets are for PostgreSQL; this is", connection.vendor)
    if not args.no_reindex:
        started = time.perf_counter()
        call_command("reindex_search")
        print(f"reindex_search: {time.perf_counter() - started:.1f} s", flush=True)

    rng = random.Random(args.seed)
    total = Case.objects.count()
    viewer = User.objects.filter(is_active=True, role="administrator").first() or (
        User.objects.filter(is_active=True).first()
    )
    visible = cases_visible_to(viewer)

    one_percent, broad = [], []
    print(f"\n{total:,} cases; matches per query:")
    for query in KEYWORD_QUERIES:
        count = filter_cases(Case.objects.all(), query).order_by().count()
        share = 100 * count / total if total else 0
        print(f"    {query!r:<24} {count:>9,} ({share:.2f} %)")
        if ONE_PERCENT[0] <= share <= ONE_PERCENT[1]:
            one_percent.append(query)
        elif share > ONE_PERCENT[1]:
            broad.append(query)

    # Prefixes as an agent types them: the first 1 to 4 letters of real names.
    ids = list(Customer.objects.order_by("?").values_list("name", flat=True)[:200])
    prefixes = {n: [name[:n] for name in ids] for n in (1, 2, 3, 4)}
    numbers = list(Case.objects.order_by("?").values_list("number", flat=True)[:50])

    results: dict[str, Any] = {}
    print(f"\n{args.repeat} rounds per scenario:")

    def ids_of(query: str) -> Callable[[], Any]:
        return lambda: search_case_ids(query)

    def page_of(query: str) -> Callable[[], Any]:
        return lambda: list(filter_cases(visible, query)[:50])

    def prefix_of(prefix: str) -> Callable[[], Any]:
        return lambda: list(customers_by_name_prefix(prefix))

    scenarios = [
        ("search ids, ~1 % (200 best)", [ids_of(q) for q in one_percent], SEARCH_TARGET_MS),
        ("search page, ~1 % (50 best rows)", [page_of(q) for q in one_percent], SEARCH_TARGET_MS),
        ("search ids, broad (over 2 %)", [ids_of(q) for q in broad], None),
        ("search page, broad (over 2 %)", [page_of(q) for q in broad], None),
        ("search ids, exact case number", [ids_of(n) for n in rng.sample(numbers, 20)], None),
    ]
    for n, values in prefixes.items():
        calls = [prefix_of(p) for p in rng.sample(values, 50)]
        scenarios.append((f"name prefix, {n} letter(s)", calls, PREFIX_TARGET_MS))
    for label, calls, target in scenarios:
        if calls:
            results[label] = measure(label, calls, args.repeat, target)

    if not args.no_explain and connection.vendor == "postgresql":
        sample = one_percent[0] if one_percent else KEYWORD_QUERIES[0]
        explain(f"search_case_ids({sample!r})", ids_of(sample))
        explain(f"filter_cases(…, {sample!r})[:50]", page_of(sample))
        explain(f"customers_by_name_prefix({prefixes[1][0]!r})", prefix_of(prefixes[1][0]))
        explain(f"customers_by_name_prefix({prefixes[3][0]!r})", prefix_of(prefixes[3][0]))
    print("after:", load_note())
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
