#!/usr/bin/env python
"""E-mail out and the web form, in-process: how fast replies are written, delivered and web
form cases opened.

    python bench/outbound.py --count 500                       # a fresh SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/caseflow_bench_outbound \\
        python bench/outbound.py --count 500 --migrate          # an empty PostgreSQL database

Three phases, each timed per call (median, p95, max) and as a rate:

1. `send_reply` on N cases (signature, tag, threading headers, the timeline event, the
   OutboundMessage row, the audit entry; the enqueue after COMMIT is left out);
2. `sending.deliver` of those N messages to a real SMTP server (aiosmtpd on a loopback
   port, one connection per message, as the worker does);
3. `webform.services.submit_request` N times (half of them known customers, half unknown
   senders; each with its acknowledgement written).

Not run by CI; the numbers go to docs/email-out-and-web-form.md.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import format_line, setup_django, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=300, help="replies and web form cases")
    parser.add_argument("--migrate", action="store_true", help="migrate the database first")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL")
    if not url:
        path = Path(tempfile.mkdtemp(prefix="caseflow-outbound-")) / "bench.sqlite3"
        url = f"sqlite:///{path}"
        args.migrate = True
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("HUEY_IMMEDIATE", "false")
    setup_django(url, debug=not os.environ.get("SECRET_KEY"))

    from django.conf import settings
    from django.core.management import call_command

    if args.migrate:
        call_command("migrate", verbosity=0)

    from aiosmtpd.controller import Controller

    from caseflow.accounts.models import Role, User
    from caseflow.cases.services import open_case
    from caseflow.channels.models import Mailbox
    from caseflow.channels.outbound import sending, services
    from caseflow.channels.tests.smtp_server import SmtpSink, free_port
    from caseflow.channels.webform.services import WebRequest, submit_request
    from caseflow.customers.services import create_customer

    services.enqueue_send = lambda outbound_id: None  # phase 2 delivers them itself
    agent, _created = User.objects.get_or_create(
        username="bench-outbound", defaults={"role": Role.AGENT, "first_name": "Bench"}
    )
    if not Mailbox.objects.filter(name="bench").exists():
        Mailbox.objects.create(
            name="bench", address="support@bench.test", owner=agent, signature="Bench support"
        )
    stamp = int(time.time())
    customers = [
        create_customer(
            actor=None,
            channel="import",
            kind="person",
            name=f"Bench customer {n}",
            language=("de", "en", "es")[n % 3],
            emails=[f"bench{stamp}-{n}@example.com"],
        )
        for n in range(args.count)
    ]
    cases = [
        open_case(actor=agent, channel="phone", customer=c, subject="Pump is loud")
        for c in customers
    ]

    replies, timings = [], []
    for case in cases:
        started = time.perf_counter()
        replies.append(
            services.send_reply(
                actor=agent,
                case=case,
                to=f"bench{stamp}-x@example.com",
                subject="",
                body="Please descale the machine.",
            )
        )
        timings.append((time.perf_counter() - started) * 1000)
    report("1. send_reply (queue the mail)", timings)

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    sink = SmtpSink(host="127.0.0.1", port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = sink.host, sink.port, False
    timings, outcomes = [], []
    try:
        for outbound in replies:
            started = time.perf_counter()
            outcomes.append(sending.deliver(outbound.pk))
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        controller.stop()
    report("2. deliver over SMTP (aiosmtpd)", timings, errors=outcomes.count("sent") - len(replies))
    print(f"   mails received by the sink: {len(sink.envelopes)}")

    timings = []
    for n in range(args.count):
        known = n % 2 == 0
        started = time.perf_counter()
        submit_request(
            WebRequest(
                name=f"Web sender {n}",
                email=f"bench{stamp}-{n}@example.com" if known else f"new{stamp}-{n}@example.org",
                subject="Grinder is blocked",
                description="Nothing comes out of the grinder since this morning.",
                language="de",
            )
        )
        timings.append((time.perf_counter() - started) * 1000)
    report("3. web form submission (with ack)", timings)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")


def report(label: str, timings: list[float], errors: int = 0) -> None:
    total = sum(timings) / 1000
    print(format_line(label, timings, abs(errors), None))
    print(f"   {summary(timings)['count'] / total:8.1f} per second (one process, serial)")


if __name__ == "__main__":
    main()
