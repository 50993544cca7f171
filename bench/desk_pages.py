#!/usr/bin/env python
"""Latency of the desk's HTML screens at bench scale, one logged-in agent, one request at a time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench \\
        python bench/desk_pages.py --requests 200

Starts `gunicorn caseflow.wsgi -w 4` on a free 127.0.0.1 port (after `collectstatic` into a
temporary directory: the production storage needs its manifest to render a page) unless
`--url` names a running one, logs in the agent `bench-agent` through the login form (created
or updated with a fresh random password; a CSRF cookie from GET /login/, then the POST, then
the session cookie on every request), picks real owners, cases, phone numbers, serials,
customer numbers and names from the database, and times GET requests for:

- /cases/                               the case list, first page
- /cases/?status=open                   a filtered page
- /cases/?owner=<owner with most cases> a filtered page
- /cases/?cursor=…                      page 21: the "next" link followed 20 times
- /cases/ with HX-Request: true         the rows partial htmx asks for
- /cases/<pk>/                          case detail of cases with 45 to 55 timeline events
                                        and no "resolved" event (one with one is probed once:
                                        the generator's resolved events hold code ids)
- /incoming/results/?q=…                the incoming-call search: a phone number in national
                                        notation, a serial, a customer number, a 3-letter
                                        name prefix
- /cases/?q=<word>                      a keyword search matching about 1 % of the cases, and
                                        broad words (Pumpe ~5 %, Fehler ~40 %): newest first
- /cases/?sort=customer|number|status   the sortable columns; ?resolution=<code> a code filter
- /search/?q=…                          the header search: a word (~1 %), a broad word, a
                                        case number, a serial typed in lower case

Each line prints count, median, p95, p99, max and errors (non-200 answers, or a page without
the rows or results it should show). Times are client wall time over loopback (the server is
started with SERVER_TIMING=true, and a second line per screen, "server", gives the time
Django spent on the request as its Server-Timing header reports it: without the client's own
CPU time and gunicorn's queueing, which count on a loaded 2-core machine). Targets at
1,000,000 cases (issues 4 and 11): list first, filtered, sorted and deep page p95 <= 50 ms;
incoming-call search p95 <= 20 ms; case detail with 50 events p95 <= 50 ms; keyword search
(1 % and broad words) p95 <= 100 ms; header search p95 <= 100 ms for a word, <= 20 ms for a
case number or a serial.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    DEFAULT_DATABASE_URL,
    ROOT,
    Gunicorn,
    format_line,
    load_note,
    require_migrated,
    setup_django,
    summary,
)

AGENT = "bench-agent"
LIST_TARGET_MS = 50.0
INCOMING_TARGET_MS = 20.0
DETAIL_TARGET_MS = 50.0
SEARCH_TARGET_MS = 100.0
EXACT_SEARCH_TARGET_MS = 20.0
DEEP_PAGES = 20
# Keywords of bench/search.py that match about 1 % of the cases (0.5 to 2 %) at 1,000,000.
ONE_PERCENT_WORDS = ["Mahlscheiben", "Einstellring", "Heizplatte", "drip tray", "limescale"]
BROAD_WORDS = ["Pumpe", "Fehler"]  # ~5 % and ~40 % of the cases
CASE_LINK = re.compile(rb'href="/cases/\d+/"')  # a case found by the header search
NEXT_LINK = re.compile(r'<a\b[^>]*\brel="next"[^>]*\bhref="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')
APP_DURATION = re.compile(r"\bapp;dur=([0-9.]+)")
CPU_DURATION = re.compile(r"\bcpu;dur=([0-9.]+)")
ROW = b"data-case-row="
RESULT = (b'data-testid="caller-result"', b'data-testid="unit-result"')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a running server (default: start gunicorn)")
    parser.add_argument("--requests", type=int, default=200, help="per item (200)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed, per item (5)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument("--only", help="run only items whose name contains this")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    parser.add_argument(
        "--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    )
    args = parser.parse_args()
    if not 0 < args.requests <= 100_000 or not 0 <= args.warmup <= 1000:
        parser.error("--requests must be in (0, 100000] and --warmup in [0, 1000]")
    return args


# --- a browser, as far as the desk needs one ---------------------------------------------------


class Browser:
    """A keep-alive HTTP/1.1 client with a cookie jar (name=value only), 127.0.0.1 only."""

    def __init__(self, base_url: str, timeout: float = 30) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("bench scripts only talk to this machine (127.0.0.1)")
        self.host, self.port = parts.hostname, parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.server_timing: str | None = None
        self.server_ms: float | None = None  # the last answer's Server-Timing "app" duration
        self.cpu_ms: float | None = None  # … and its "cpu" duration

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, float, http.client.HTTPResponse | None]:
        """(status, body, milliseconds, response); status 0 for a connection error."""
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, self.prefix + path, body=data, headers=sent)
                response = self.conn.getresponse()
                payload = response.read()
                ms = (time.perf_counter() - started) * 1000
                for header in response.headers.get_all("Set-Cookie") or []:
                    name, _, rest = header.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
                timing = response.getheader("Server-Timing")
                self.server_ms = self.cpu_ms = None
                if timing:
                    self.server_timing = timing
                    app, cpu = APP_DURATION.search(timing), CPU_DURATION.search(timing)
                    self.server_ms = float(app[1]) if app else None
                    self.cpu_ms = float(cpu[1]) if cpu else None
                if response.will_close:
                    self.close()
                return response.status, payload, ms, response
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.close()  # an idle keep-alive connection closed: retry a GET once
                if attempt or method != "GET":
                    break
            except OSError:
                self.close()
                break
        return 0, b"", (time.perf_counter() - started) * 1000, None

    def login(self, username: str, password: str) -> None:
        status, body, _ms, _r = self.request("GET", "/login/")
        match = CSRF_FIELD.search(body.decode("utf-8", "replace"))
        if status != 200 or match is None or "csrftoken" not in self.cookies:
            raise SystemExit(f"GET /login/ answered {status} without a CSRF token")
        status, body, _ms, _r = self.request(
            "POST",
            "/login/",
            form={
                "csrfmiddlewaretoken": html.unescape(match.group(1)),
                "username": username,
                "password": password,
                "next": "/cases/",
            },
            headers={"Referer": f"http://{self.host}:{self.port}/login/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"logging in answered {status}: {body[:300]!r}")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# --- what to ask for ---------------------------------------------------------------------------


def agent_password() -> str:
    """The agent `bench-agent` (created if missing) with a fresh random password."""
    import secrets

    from caseflow.accounts.models import Role, User

    password = secrets.token_urlsafe(24)
    user, _created = User.objects.get_or_create(
        username=AGENT,
        defaults={"role": Role.AGENT, "first_name": "Bench", "last_name": "Agent"},
    )
    user.role = Role.AGENT
    user.is_active = True
    user.set_password(password)
    user.save(update_fields=["role", "is_active", "password"])
    return password


def random_ids(model: Any, count: int, rng: random.Random, **filters: Any) -> list[int]:
    """Up to `count` existing primary keys, drawn uniformly (no ORDER BY random())."""
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    wanted = {rng.randint(1, max(last, 1)) for _ in range(count * 3)}
    found = list(model.objects.filter(pk__in=wanted, **filters).values_list("pk", flat=True))
    rng.shuffle(found)
    return found[:count]


def sample(rng: random.Random) -> dict[str, Any]:
    import phonenumbers
    from django.db.models import Count

    from caseflow.accounts.models import User
    from caseflow.cases.models import Case, Code, TimelineEvent
    from caseflow.cases.services import OWNER_ROLES
    from caseflow.catalog.models import Unit
    from caseflow.core.phones import to_e164
    from caseflow.customers.models import PHONE_KINDS, ContactPoint, Customer

    owners = User.objects.filter(is_active=True, role__in=OWNER_ROLES).values("pk")
    busiest = (
        Case.objects.filter(owner__in=owners)
        .values("owner_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    # cases with about 50 timeline events (45 to 55; the timeline shows 50 at a time)
    # Generated "resolved" events carry resolution code ids where the service writes codes,
    # which the detail view cannot describe: time cases without one, probe one with one.
    candidates = dict(
        TimelineEvent.objects.values("case_id")
        .annotate(n=Count("id"))
        .filter(n__gte=45, n__lte=55)
        .values_list("case_id", "n")
    )
    resolved = set(
        TimelineEvent.objects.filter(
            case_id__in=list(candidates), event_type__code="resolved"
        ).values_list("case_id", flat=True)
    )
    long_cases = [(pk, n) for pk, n in candidates.items() if pk not in resolved][:20]
    resolved_case = min(resolved) if resolved else None
    # numbers of live contacts of live customers in Germany (the default region), typed in
    # national notation
    point_ids = random_ids(
        ContactPoint,
        300,
        rng,
        kind__in=PHONE_KINDS,
        value__startswith="+49",
        contact__archived_at__isnull=True,
        contact__customer__archived_at__isnull=True,
    )
    phones = []
    for value in ContactPoint.objects.filter(pk__in=point_ids).values_list("value", flat=True):
        number = phonenumbers.parse(value, None)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        if to_e164(national) != value:
            raise SystemExit(f"{national!r} does not read back as {value}")
        phones.append(national)
    serials = list(
        Unit.objects.filter(pk__in=random_ids(Unit, 300, rng)).values_list("serial", flat=True)
    )
    customers = list(
        Customer.objects.filter(pk__in=random_ids(Customer, 300, rng)).values_list("number", "name")
    )
    numbers = list(
        Case.objects.filter(pk__in=random_ids(Case, 300, rng)).values_list("number", flat=True)
    )
    # serials of units that have cases, for the header search (the incoming-call search
    # above finds units whether or not they have cases)
    case_serials = list(
        Case.objects.filter(pk__in=random_ids(Case, 300, rng), unit__isnull=False).values_list(
            "unit__serial", flat=True
        )
    )
    resolution = (
        Code.objects.filter(kind="resolution", parent__isnull=False).order_by("code").first()
    )
    prefixes = sorted(
        {name[:3] for _number, name in customers if len(name) >= 3 and name[:3].isalpha()}
    )
    if not (busiest and long_cases and phones and serials and customers and prefixes):
        raise SystemExit("the database holds too little: run bench/generate.py first")
    return {
        "owner": busiest["owner_id"],
        "owner_cases": busiest["n"],
        "long_cases": long_cases,
        "resolved_case": resolved_case,
        "phones": phones,
        "serials": serials,
        "customer_numbers": [number for number, _name in customers],
        "prefixes": prefixes,
        "case_numbers": numbers,
        "case_serials": case_serials,
        "resolution": resolution.pk if resolution else None,
    }


def deep_page(browser: Browser, pages: int) -> str | None:
    """The address of the case list's page `pages + 1`, following its "next" links."""
    path = "/cases/"
    for _ in range(pages):
        status, body, _ms, _r = browser.request("GET", path)
        match = NEXT_LINK.search(body.decode("utf-8", "replace")) if status == 200 else None
        if match is None:
            return None
        path = html.unescape(match.group(1))
    return path


# --- running -----------------------------------------------------------------------------------


HTMX = {"HX-Request": "true"}


def items(data: dict[str, Any], deep: str | None) -> list[tuple[str, Any, Any, dict, Any]]:
    """(name, target p95 in ms, rng -> path, headers, marker the answer must contain)."""
    pick = random.Random.choice

    def incoming(key: str) -> Callable[[random.Random], str]:
        return lambda r: "/incoming/results/?" + urlencode({"q": pick(r, data[key])})

    def header(words: list[str], lower: bool = False) -> Callable[[random.Random], str]:
        return lambda r: (
            "/search/?" + urlencode({"q": pick(r, words).lower() if lower else pick(r, words)})
        )

    return [
        ("list first page", LIST_TARGET_MS, lambda r: "/cases/", {}, ROW),
        ("list ?status=open", LIST_TARGET_MS, lambda r: "/cases/?status=open", {}, ROW),
        (
            f"list ?owner= ({data['owner_cases']} cases)",
            LIST_TARGET_MS,
            lambda r: f"/cases/?owner={data['owner']}",
            {},
            ROW,
        ),
        (
            f"list page {DEEP_PAGES + 1} (cursor)",
            LIST_TARGET_MS,
            (lambda r: deep) if deep else None,
            {},
            ROW,
        ),
        ("list rows partial (HX-Request)", LIST_TARGET_MS, lambda r: "/cases/", HTMX, ROW),
        (
            "case detail (45-55 events)",
            DETAIL_TARGET_MS,
            lambda r: f"/cases/{pick(r, data['long_cases'])[0]}/",
            {},
            b"",
        ),
        ("incoming: phone (national)", INCOMING_TARGET_MS, incoming("phones"), HTMX, RESULT),
        ("incoming: serial", INCOMING_TARGET_MS, incoming("serials"), HTMX, RESULT),
        (
            "incoming: customer number",
            INCOMING_TARGET_MS,
            incoming("customer_numbers"),
            HTMX,
            RESULT,
        ),
        ("incoming: 3-letter name prefix", INCOMING_TARGET_MS, incoming("prefixes"), HTMX, RESULT),
        (
            "keyword search ~1 % (?q=)",
            SEARCH_TARGET_MS,
            lambda r: "/cases/?" + urlencode({"q": pick(r, ONE_PERCENT_WORDS)}),
            {},
            ROW,
        ),
        (
            "keyword search, broad words (?q=)",
            SEARCH_TARGET_MS,
            lambda r: "/cases/?" + urlencode({"q": pick(r, BROAD_WORDS)}),
            {},
            ROW,
        ),
        ("list sorted by customer", LIST_TARGET_MS, lambda r: "/cases/?sort=customer", {}, ROW),
        ("list sorted by number", LIST_TARGET_MS, lambda r: "/cases/?sort=number", {}, ROW),
        ("list sorted by status", LIST_TARGET_MS, lambda r: "/cases/?sort=status", {}, ROW),
        (
            "list ?resolution=<code>",
            LIST_TARGET_MS,
            (lambda r: f"/cases/?resolution={data['resolution']}") if data["resolution"] else None,
            {},
            ROW,
        ),
        ("header search: word ~1 %", SEARCH_TARGET_MS, header(ONE_PERCENT_WORDS), {}, CASE_LINK),
        ("header search: broad word", SEARCH_TARGET_MS, header(BROAD_WORDS), {}, CASE_LINK),
        (
            "header search: case number",
            EXACT_SEARCH_TARGET_MS,
            header(data["case_numbers"]),
            {},
            CASE_LINK,
        ),
        (
            "header search: serial, lower case",
            EXACT_SEARCH_TARGET_MS,
            header(data["case_serials"], lower=True),
            {},
            CASE_LINK,
        ),
    ]


def found(body: bytes, marker: bytes | tuple[bytes, ...] | re.Pattern[bytes]) -> bool:
    if isinstance(marker, re.Pattern):
        return marker.search(body) is not None
    markers = marker if isinstance(marker, tuple) else (marker,)
    return any(m in body for m in markers)


def run(base_url: str, password: str, args: argparse.Namespace, data: dict) -> dict:
    rng = random.Random(args.seed)
    browser = Browser(base_url)
    browser.login(AGENT, password)
    print(f"logged in as {AGENT} through /login/", flush=True)
    deep = deep_page(browser, DEEP_PAGES)
    if data["resolved_case"]:
        status, _body, ms, _r = browser.request("GET", f"/cases/{data['resolved_case']}/")
        print(
            f"probe: detail of resolved case {data['resolved_case']} (45-55 events) "
            f"answered {status} in {ms:.1f} ms{'' if status == 200 else ' (not timed below)'}",
            flush=True,
        )
    results = {}
    for name, target, make_path, headers, marker in items(data, deep):
        if args.only and args.only not in name:
            continue
        if make_path is None:
            print(f"{name:<38} skipped: nothing to ask for (fewer pages, no codes)")
            continue
        for _ in range(args.warmup):
            browser.request("GET", make_path(rng), headers=headers)
        timings: list[float] = []
        server: list[float] = []
        cpu: list[float] = []
        errors = 0
        samples: list[str] = []
        for _ in range(args.requests):
            path = make_path(rng)
            status, body, ms, _r = browser.request("GET", path, headers=headers)
            if status == 200 and found(body, marker):
                timings.append(ms)
                if browser.server_ms is not None:
                    server.append(browser.server_ms)
                if browser.cpu_ms is not None:
                    cpu.append(browser.cpu_ms)
            else:
                errors += 1
                if len(samples) < 3:
                    samples.append(f"{status} {path} {body[:160]!r}")
        print(format_line(name, timings, errors, target), flush=True)
        if server:
            print(format_line("  server (Server-Timing)", server, errors, target), flush=True)
        if cpu:
            print(format_line("  server CPU (Server-Timing)", cpu, errors, None), flush=True)
        for line in samples:
            print("    error sample:", line)
        results[name] = {
            **{k: round(v, 2) for k, v in summary(timings).items()},
            "errors": errors,
            "target_p95_ms": target,
            "server": {k: round(v, 2) for k, v in summary(server).items()} if server else None,
            "server_cpu": {k: round(v, 2) for k, v in summary(cpu).items()} if cpu else None,
        }
    print("Server-Timing:", browser.server_timing or "not sent (times above are wall time)")
    browser.close()
    return results


def collected_static() -> str:
    """A temporary STATIC_ROOT with the manifest the production storage renders pages from."""
    root = tempfile.mkdtemp(prefix="caseflow-bench-static-")
    env = {**os.environ, "DEBUG": "false", "STATIC_ROOT": root, "SECRET_KEY": "bench-static"}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    return root


def uptime() -> str:
    try:
        return subprocess.run(
            ["uptime"], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except OSError:
        return load_note()


def main() -> None:
    args = parse_args()
    setup_django(args.database_url)
    require_migrated()
    print("before:", uptime(), "|", load_note(), flush=True)
    password = agent_password()
    started = time.perf_counter()
    data = sample(random.Random(args.seed))
    print(
        f"sampled in {time.perf_counter() - started:.1f} s: owner {data['owner']} "
        f"({data['owner_cases']} cases), {len(data['long_cases'])} cases with 45-55 events, "
        f"{len(data['phones'])} phones, {len(data['serials'])} serials, "
        f"{len(data['customer_numbers'])} customer numbers, {len(data['prefixes'])} prefixes; "
        f"{args.requests} requests per item",
        flush=True,
    )
    if args.url:
        results = run(args.url, password, args, data)
    else:
        from django.db import connections

        connections.close_all()
        static_root = collected_static()
        extra = ["--env", f"STATIC_ROOT={static_root}", "--env", "SERVER_TIMING=true"]
        try:
            with Gunicorn(args.database_url, workers=args.workers, extra=extra) as server:
                results = run(server.url, password, args, data)
        finally:
            shutil.rmtree(static_root, ignore_errors=True)
    print("after:", uptime(), "|", load_note())
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
