#!/usr/bin/env python
"""EXPLAIN (ANALYZE, BUFFERS) for every query behind the API's lists and lookups.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench python bench/explain.py

For each scenario it sends one request through Django's test client (the real view, auth and
serialisation code, in-process), captures every SQL statement the request ran, and prints the
PostgreSQL plan of each SELECT with its execution time. Then the same for the selectors named
in docs/performance.md, as bare querysets; then the case search's functions and every
statement of the desk's header search and case list pages (words of every breadth, each
sort, deep pages, the code filters; `--only search`, `--only list`). A plan that scans a
table of more than 20,000 rows sequentially, sorts more than a page of rows, throws away
many rows or takes more than 5 ms to plan is flagged with "!!", and the summary at the end
lists the flagged queries; `--brief` prints only flags and timings.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    create_bench_token,
    load_note,
    require_migrated,
    setup_django,
)

LARGE_TABLES = {
    "cases_case",
    "cases_casesearch",
    "cases_timelineevent",
    "core_auditentry",
    "core_auditchainhead",
    "customers_customer",
    "customers_contact",
    "customers_contactpoint",
    "catalog_unit",
    "catalog_registration",
}
PLANNING_LIMIT_MS = 5.0  # planning is paid on every call: Django doesn't prepare statements
ACTIVE = ["new", "open", "waiting_customer", "waiting_vendor", "waiting_parts"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brief", action="store_true", help="flags and timings only")
    parser.add_argument("--only", help="scenarios whose name contains this")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    return parser.parse_args()


SMALL_TABLE_ROWS = 20_000  # below this a sequential scan is what the planner should pick
_table_rows: dict[str, int] = {}


def table_rows() -> dict[str, int]:
    """The planner's row estimate of each large table (pg_class.reltuples), read once."""
    if not _table_rows:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
                [sorted(LARGE_TABLES)],
            )
            _table_rows.update(cursor.fetchall())
    return _table_rows


def flags_of(plan: str) -> list[str]:
    """What looks wrong at scale: seq scans of large tables, big sorts."""
    flags = []
    for match in re.finditer(r"Seq Scan on (\w+)", plan):
        if table_rows().get(match[1], 0) > SMALL_TABLE_ROWS:
            flags.append(f"sequential scan of {match[1]}")
    # a full Sort reads all its input first (an Incremental Sort on a presorted key doesn't)
    for match in re.finditer(r"(?<!Incremental )Sort  \(cost=[\d.]+ rows=(\d+)", plan):
        if int(match[1]) > 1000:
            flags.append(f"sort of ~{match[1]} rows")
    for match in re.finditer(r"Rows Removed by Filter: (\d+)", plan):
        if int(match[1]) > 10_000:
            flags.append(f"{match[1]} rows read and thrown away")
    return flags


def explain(sql: str) -> tuple[str, float, float]:
    """The plan, its execution time and its planning time (ms; the second run's, so the
    catalogue caches are warm, as in a long-running worker)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(2):
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
    executed = re.search(r"Execution Time: ([\d.]+) ms", plan)
    planned = re.search(r"Planning Time: ([\d.]+) ms", plan)
    nan = float("nan")
    return plan, float(executed[1]) if executed else nan, float(planned[1]) if planned else nan


def report(name: str, statements: list[str], brief: bool, flagged: list[str]) -> None:
    print(f"\n=== {name} ({len(statements)} statements)")
    for index, sql in enumerate(statements, start=1):
        head = sql.lstrip().split(" ", 1)[0].upper()
        if head not in ("SELECT", "WITH"):
            print(f"--- [{index}] {head} … (not explained)")
            continue
        plan, ms, planning_ms = explain(sql)
        flags = flags_of(plan)
        if planning_ms > PLANNING_LIMIT_MS:
            flags.append(f"planning takes {planning_ms:.1f} ms ({sql.count(' JOIN ')} joins)")
        mark = "!!" if flags else "ok"
        short = re.sub(r"\s+", " ", sql)[:140]
        print(f"--- [{index}] {mark} execution {ms:.2f} ms, planning {planning_ms:.2f} ms  {short}")
        if flags:
            flagged.append(f"{name} [{index}]: {', '.join(flags)} (execution {ms:.1f} ms)")
            for flag in flags:
                print(f"    !! {flag}")
        if not brief:
            print(sql)
            print(plan)


def api_statements(client: Any, path: str) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: token touch, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        print(f"!! {path} answered {response.status_code}: {response.content[:300]!r}")
    return [q["sql"] for q in captured.captured_queries]


def random_pk(model: Any, rng: random.Random) -> int:
    """A random primary key at most the largest one (half-way at most, so rows follow it)."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    return rng.randint(1, max(1, last // 2))


def queryset_sql(queryset: Any) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql % params


# a part (~5 % of cases), two words, a very common word (~40 %), no match
SEARCH_TERMS = ("Pumpe", "Pumpe verkalkt", "Fehler", "xyzzy")
# Words from bench/generate.py's texts that match ~1 % of the cases, and pairs of them that
# match few (tried in turn; the first with 50 to 2,000 matches is the "few" scenario).
ONE_PERCENT_WORD = "Mahlscheiben"
FEW_CANDIDATES = (
    "Mahlscheiben Rückruf", "Heizplatte Rückruf", "Einstellring Rückruf", "termobloque garantía",
    "Mahlscheiben Garantie", "Heizplatte Garantie", "drip tray warranty",
)  # fmt: skip


def explain_search(viewer: Any, number: str, serial: str, args: Any, flagged: list[str]) -> None:
    """The cases' full-text search, where the project has one (`caseflow.cases.search`):
    the search functions themselves, then the desk pages that use them."""
    try:
        from caseflow.cases import search
    except ImportError:
        return
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for term in (*SEARCH_TERMS, number, serial):
        name = f"search {term!r}"
        if args.only and args.only not in name:
            continue
        with CaptureQueriesContext(connection) as ids:
            search.find_case_ids(term, limit=50)
        report(f"{name}: find_case_ids, limit 50", _selects(ids), args.brief, flagged)
    explain_desk_pages(viewer, number, serial, args, flagged)


def explain_desk_pages(
    viewer: Any, number: str, serial: str, args: Any, flagged: list[str]
) -> None:
    """Every statement of the header search and the case list (words, sorts, filters, deep
    pages), requested through Django's test client as `viewer`."""
    import base64
    import json

    from django.db.models import Count
    from django.test import Client

    from caseflow.cases import search
    from caseflow.cases.models import Case, Code
    from caseflow.core.pagination import _encode

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(viewer)
    few = next(
        (w for w in FEW_CANDIDATES if 50 <= (search.count_matches(Case.objects.all(), w) or 0)
         <= search.RANK_LIMIT),
        FEW_CANDIDATES[0],
    )  # fmt: skip
    last = Case.objects.order_by("-id").values_list("id", flat=True).first() or 1
    middle = Case.objects.filter(pk__gte=last // 2).order_by("pk").select_related("customer")[0]
    deep = _encode([middle.received_at, middle.pk])
    customer_cursor = (
        base64.urlsafe_b64encode(
            json.dumps(
                [
                    middle.customer.name,
                    middle.customer_id,
                    middle.received_at.isoformat(),
                    middle.pk,
                ]
            ).encode()
        )
        .decode()
        .rstrip("=")
    )
    codes = {
        kind: Code.objects.filter(kind=kind, parent__isnull=False).annotate(n=Count("id"))
        .order_by("code").first()
        for kind in ("reason", "resolution")
    }  # fmt: skip
    pages = [
        ("header search: a word (~1 %)", "/search/", {"q": ONE_PERCENT_WORD}),
        ("header search: a broad word (~5 %)", "/search/", {"q": "Pumpe"}),
        ("header search: a very common word (~40 %)", "/search/", {"q": "Fehler"}),
        ("header search: few matches", "/search/", {"q": few}),
        ("header search: a case number", "/search/", {"q": number}),
        ("header search: a serial in lower case", "/search/", {"q": serial.lower()}),
        ("list: words (~1 %)", "/cases/", {"q": ONE_PERCENT_WORD}),
        ("list: a broad word", "/cases/", {"q": "Pumpe"}),
        ("list: a very common word", "/cases/", {"q": "Fehler"}),
        ("list: words, few matches, best first", "/cases/", {"q": few}),
        ("list: words, few matches, by customer", "/cases/", {"q": few, "sort": "customer"}),
        ("list: words (~1 %), oldest first", "/cases/", {"q": ONE_PERCENT_WORD, "sort": "oldest"}),
        ("list: words (~1 %), deep page", "/cases/", {"q": ONE_PERCENT_WORD, "cursor": deep}),
        ("list: by number", "/cases/", {"sort": "number"}),
        ("list: by number, descending", "/cases/", {"sort": "-number"}),
        ("list: by status", "/cases/", {"sort": "status"}),
        ("list: by priority", "/cases/", {"sort": "priority"}),
        ("list: by customer", "/cases/", {"sort": "customer"}),
        (
            "list: by customer, deep page",
            "/cases/",
            {"sort": "customer", "cursor": customer_cursor},
        ),
        ("list: oldest first", "/cases/", {"sort": "oldest"}),
        ("list: newest, deep page", "/cases/", {"cursor": deep}),
        ("list: status=open by customer", "/cases/", {"status": "open", "sort": "customer"}),
        ("list: status=open by number", "/cases/", {"status": "open", "sort": "number"}),
        ("list: reason code", "/cases/", {"reason": codes["reason"].pk if codes["reason"] else ""}),
        (
            "list: resolution code",
            "/cases/",
            {"resolution": codes["resolution"].pk if codes["resolution"] else ""},
        ),
    ]
    print(f"\n(few matches: {few!r}; deep pages from case {middle.number})")
    for name, path, params in pages:
        if args.only and args.only not in name:
            continue
        statements = desk_statements(client, path, params)
        report(f"{name}  [{path}?{urlencode(params)}]", statements, args.brief, flagged)


def desk_statements(client: Any, path: str, params: dict[str, Any]) -> list[str]:
    """The SELECTs of a desk page asked for as htmx does (the rows partial of the list)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = {"HX-Request": "true"} if path == "/cases/" else {}
    client.get(path, params, headers=headers)  # warm: session, caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params, headers=headers)
    if response.status_code != 200:
        print(f"!! {path} answered {response.status_code}: {response.content[:300]!r}")
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        and "set_config(" not in q["sql"]
        and "django_session" not in q["sql"]
    ]


def _selects(captured: Any) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "SELECT" in q["sql"].upper()]


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from caseflow.accounts.models import User
    from caseflow.cases.models import Case
    from caseflow.catalog.models import Unit
    from caseflow.customers.models import PHONE_KINDS, ContactPoint

    if connection.vendor != "postgresql":
        raise SystemExit("EXPLAIN (ANALYZE, BUFFERS) needs PostgreSQL")
    rng = random.Random(args.seed)
    token = create_bench_token()
    viewer = User.objects.get(username="bench")
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        n_cases = cursor.fetchone()[0]
    last_case = Case.objects.order_by("-id").values_list("id", flat=True).first() or 1
    customer = (
        Case.objects.filter(pk__gte=rng.randint(1, last_case))
        .order_by("pk")
        .values_list("customer_id", flat=True)
        .first()
    )
    heavy = (
        Case.objects.values("customer_id").annotate(n=Count("id")).order_by("-n").first() or {}
    ).get("customer_id")
    busiest_owner = (
        Case.objects.filter(owner__isnull=False)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
        or {}
    ).get("owner_id")
    point = (
        ContactPoint.objects.filter(kind__in=PHONE_KINDS, pk__gte=random_pk(ContactPoint, rng))
        .order_by("pk")
        .first()
    )
    unit = Unit.objects.filter(pk__gte=random_pk(Unit, rng)).order_by("pk").first()
    if not (customer and point and unit):
        raise SystemExit("the database holds too little: run bench/generate.py first")
    import phonenumbers

    national = phonenumbers.format_number(
        phonenumbers.parse(point.value, None), phonenumbers.PhoneNumberFormat.NATIONAL
    )
    if not point.value.startswith("+49"):
        national = point.value
    status_open = client.get("/api/cases?status=open&limit=50").json()
    cursor = status_open.get("next_cursor")
    print(
        f"{n_cases:,} cases; customer {customer}, busiest customer {heavy}, busiest owner "
        f"{busiest_owner}, phone {point.value} asked as {national!r}, serial {unit.serial}"
    )
    print(load_note())
    active = "&".join(f"status={s}" for s in ACTIVE)
    phone, serial = {"phone": national}, {"serial": unit.serial}
    number = Case.objects.filter(pk__gte=last_case // 2).order_by("pk").values("number")[:1]
    number = number[0]["number"] if number else "C-2026-000001"
    scenarios = [
        ("GET /api/cases", "/api/cases?limit=50"),
        ("GET /api/cases?status=open", "/api/cases?status=open&limit=50"),
        ("GET /api/cases?status=open (page 2)", f"/api/cases?status=open&limit=50&cursor={cursor}"),
        ("GET /api/cases?customer_id (random)", f"/api/cases?customer_id={customer}&limit=50"),
        ("GET /api/cases?customer_id (busiest)", f"/api/cases?customer_id={heavy}&limit=50"),
        ("GET /api/cases?owner_id (busiest)", f"/api/cases?owner_id={busiest_owner}&limit=50"),
        (
            "GET /api/cases?owner_id&active statuses",
            f"/api/cases?owner_id={busiest_owner}&{active}&limit=50",
        ),
        ("GET /api/cases?number", f"/api/cases?number={number}"),
        ("GET /api/customers?q (common name part)", "/api/customers?q=schmi"),
        ("GET /api/customers?q (no match: a typo)", "/api/customers?q=schmkdt"),
        ("GET /api/customers/lookup?phone", "/api/customers/lookup?" + urlencode(phone)),
        ("GET /api/catalog/units?serial", "/api/catalog/units?" + urlencode(serial)),
        ("GET /api/cases/{id}", f"/api/cases/{last_case}"),
        ("GET /api/cases/{id}/events", f"/api/cases/{last_case}/events"),
    ]  # fmt: skip
    flagged: list[str] = []
    for name, path in scenarios:
        if args.only and args.only not in name:
            continue
        report(f"{name}  [{path}]", api_statements(client, path), args.brief, flagged)

    # the selectors themselves, as the API pages them (ORDER BY received_at DESC, id DESC)
    from caseflow.cases.selectors import case_list
    from caseflow.catalog.selectors import unit_by_serial
    from caseflow.customers.selectors import customers_by_phone

    order = ("-received_at", "-id")
    selector_cases = [
        ("case_list(status=[open])", case_list(viewer=viewer, status=["open"])),
        ("case_list(customer_id)", case_list(viewer=viewer, customer_id=customer)),
        ("case_list(owner_id)", case_list(viewer=viewer, owner_id=busiest_owner)),
        ("case_list(owner_id, active)", case_list(viewer=viewer, owner_id=busiest_owner, status=ACTIVE)),  # noqa: E501
    ]  # fmt: skip
    for name, queryset in selector_cases:
        if args.only and args.only not in name:
            continue
        page = queryset.order_by(*order)[:51]
        report(f"selector {name}", [queryset_sql(page)], args.brief, flagged)
    for name, queryset in (
        (f"customers_by_phone({national!r})", customers_by_phone(national)),
        (f"unit_by_serial({unit.serial!r})", unit_by_serial(unit.serial)),
    ):
        if args.only and args.only not in name:
            continue
        report(f"selector {name}", [queryset_sql(queryset)], args.brief, flagged)

    explain_search(viewer, number, unit.serial, args, flagged)

    print("\n=== summary")
    if flagged:
        for line in flagged:
            print(f"!! {line}")
    else:
        print("every query reads the large tables through an index")


if __name__ == "__main__":
    main()
