#!/usr/bin/env python
"""Phone and SMS: signed CTI events per second, the incoming-call notice's poll with many
calls in the table, and SMS sent per second (console backend).

    python bench/phone.py                          # a throwaway SQLite file
    python bench/phone.py --database-url postgres://postgres@127.0.0.1:5432/caseflow_bench_phone

In-process through Django's test client (the application's cost, no network): migrates the
database (a PostgreSQL one must exist and should be throwaway: the script adds customers,
calls and cases), makes --customers customers with a phone number through the services,
then
1. POSTs --calls calls as signed started/answered/ended events (half from known numbers,
   half unknown; every 10th event replayed) to /api/channels/cti/events;
2. adds --history old ended calls in bulk and times the notice poll of a logged-in agent
   with nothing ringing (the 204 path every open desk page takes every 3 s), counting its
   queries;
3. sends --sms SMS from one case through `send_sms` with the task run inline.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_line, load_note, setup_django

SECRET = "bench-cti-secret"  # noqa: S105 (a throwaway database's)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--polls", type=int, default=500)
    parser.add_argument("--sms", type=int, default=200)
    args = parser.parse_args()
    for name in ("customers", "calls", "polls", "sms"):
        if not 0 < getattr(args, name) <= 100_000:
            parser.error(f"--{name} must be in (0, 100000]")
    if not 0 <= args.history <= 5_000_000:
        parser.error("--history must be in [0, 5000000]")
    return args


def signed(body: dict) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body).encode()
    stamp = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), f"{stamp}.".encode() + raw, hashlib.sha256).hexdigest()
    return raw, {"X-Caseflow-Timestamp": stamp, "X-Caseflow-Signature": f"sha256={mac}"}


def main() -> None:
    args = parse_args()
    folder = tempfile.mkdtemp(prefix="caseflow-bench-phone-")
    os.environ.update(
        {
            "CTI_SECRET": SECRET,
            "HUEY_IMMEDIATE": "true",  # the SMS task runs inline
            "LOG_LEVEL": "WARNING",
            "CASEFLOW_VAR_DIR": folder,
            "MEDIA_ROOT": folder,
        }
    )
    setup_django(args.database_url or f"sqlite:///{folder}/bench.sqlite3")

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from caseflow.accounts.models import Role, User
    from caseflow.cases.services import open_case
    from caseflow.channels.models import Call, CallState
    from caseflow.channels.sms.services import send_sms
    from caseflow.core.models import Channel
    from caseflow.customers.services import create_customer

    print(f"{connection.vendor}, {load_note()}", flush=True)
    call_command("migrate", verbosity=0)
    agent, _ = User.objects.get_or_create(username="bench-agent", defaults={"role": Role.AGENT})
    started = time.perf_counter()
    base = User.objects.count() * 1_000_000  # numbers of earlier runs never collide
    for n in range(args.customers):
        create_customer(
            actor=None,
            channel=Channel.IMPORT,
            kind="person",
            name=f"Bench Customer {n}",
            phones=[f"+49 30 {base + n:08d}"],
        )
    print(f"{args.customers} customers in {time.perf_counter() - started:.1f} s", flush=True)

    # 1. CTI events
    client = Client(HTTP_HOST="127.0.0.1")
    url = "/api/channels/cti/events"
    timings: list[float] = []
    errors = 0
    now = timezone.now()
    run = f"{time.time_ns()}"
    began = time.perf_counter()
    for n in range(args.calls):
        number = f"+49 30 {base + n % args.customers:08d}" if n % 2 else f"+49 89 {n:07d}"
        for step, event in enumerate(("started", "answered", "ended")):
            body = {
                "event": event,
                "call_id": f"bench-{run}-{n}",
                "from": number,
                "to": "+49 40 999000",
                "agent": agent.username,
                "at": (now + timedelta(seconds=step * 30)).isoformat(),
            }
            for _replay in range(2 if (n * 3 + step) % 10 == 0 else 1):
                raw, headers = signed(body)
                t0 = time.perf_counter()
                response = client.post(url, raw, content_type="application/json", headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
                errors += response.status_code != 200
    elapsed = time.perf_counter() - began
    print(format_line("CTI event (signed POST)", timings, errors, None))
    print(f"  {len(timings) / elapsed:.0f} events/s", flush=True)

    # 2. the notice poll with a big call history
    old = timezone.now() - timedelta(days=30)
    batch = []
    for n in range(args.history):
        batch.append(
            Call(
                call_id=f"hist-{run}-{n}",
                state=CallState.ENDED,
                number=f"+4930{n:08d}",
                agent=agent if n % 3 == 0 else None,
                started_at=old,
                ended_at=old + timedelta(minutes=3),
                duration=180,
            )
        )
        if len(batch) == 5000:
            Call.objects.bulk_create(batch)
            batch = []
    Call.objects.bulk_create(batch)
    Call.objects.filter(call_id__startswith=f"bench-{run}-").update(
        started_at=old, ended_at=old
    )  # the bench's own calls are history too
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(agent)
    notice = reverse("channels:call_notice")
    timings, errors = [], 0
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(notice, {"seen": ""})
    for _ in range(args.polls):
        t0 = time.perf_counter()
        response = client.get(notice, {"seen": ""})
        timings.append((time.perf_counter() - t0) * 1000)
        errors += response.status_code != 204
    print(format_line(f"notice poll, {Call.objects.count()} calls", timings, errors, None))
    print(f"  queries per poll: {len(queries)} (session, user, the call check)")

    # 3. SMS
    customer = create_customer(
        actor=None, channel=Channel.IMPORT, kind="person", name="SMS", phones=["0171 2345678"]
    )
    case = open_case(actor=agent, channel=Channel.PHONE, customer=customer, subject="Bench")
    timings = []
    began = time.perf_counter()
    for n in range(args.sms):
        t0 = time.perf_counter()
        send_sms(actor=agent, case=case, to="0171 2345678", text=f"Bench message {n}")
        timings.append((time.perf_counter() - t0) * 1000)
    elapsed = time.perf_counter() - began
    print(format_line("SMS send + deliver (console)", timings, 0, None))
    print(f"  {args.sms / elapsed:.0f} SMS/s", flush=True)


if __name__ == "__main__":
    main()
