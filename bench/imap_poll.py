#!/usr/bin/env python
"""One IMAP poll of many waiting messages: speed, and memory that must not grow with the count.

    python bench/imap_poll.py                       # 100 and 1,000 messages, SQLite in a temp dir
    python bench/imap_poll.py --counts 100,1000,3000 --deliver none   # the IMAP side alone
    python bench/imap_poll.py --database-url postgres://postgres@127.0.0.1:5432/caseflow_imap_bench

Starts a private Dovecot the way the tests do (caseflow/channels/tests/dovecot.py), APPENDs
N generated messages (mostly ~2 kB text, every tenth with a ~200 kB photo) to a fresh
account, then runs ONE poll of that mailbox (`limit=N`) in a fresh child process and
reports duration, messages/s, Python's traced peak (tracemalloc, in a second run, since
tracing slows everything down) and the process's resident and peak RSS (VmRSS/VmHWM)
before and after the poll. Delivery is the real pipeline
(`caseflow.channels.inbound.services.receive`) when it is in the tree, else a stand-in that
stores each raw message as an InboundMessage row (the pipeline's first step).

The database is migrated first; a PostgreSQL database must exist (`createdb
caseflow_imap_bench`) and keeps the bench's rows (their stored files are removed with the
temporary directory). A SQLite run leaves nothing behind.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, use_project

use_project()


def _environment(database_url: str, var_dir: str) -> None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "caseflow.settings",
            # DEBUG off: with it on, Django keeps every query in memory and the RSS would grow
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + secrets.token_urlsafe(32),
            "DATABASE_URL": database_url,
            "CASEFLOW_VAR_DIR": var_dir,
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def message(number: int) -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Customer {number} <customer{number}@example.com>"
    mail["To"] = "support@desk.test"
    mail["Subject"] = f"Espresso machine EM-{number % 40:03d} leaks water"
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(f"b{number}", domain="example.com")
    mail.set_content(
        f"Hello,\n\nsince yesterday my machine leaks water (message {number}).\n"
        + "The drip tray overflows after two cups. " * 40
        + "\n\nRegards\n"
    )
    if number % 10 == 0:
        photo = secrets.token_bytes(150_000)  # ~200 kB once base64-encoded
        mail.add_attachment(photo, maintype="image", subtype="jpeg", filename=f"leak{number}.jpg")
    return mail.as_bytes(policy=SMTP)


# --- the child: one poll ------------------------------------------------------------------------


def child(args: argparse.Namespace) -> None:
    _environment(args.database_url, args.var_dir)
    from caseflow.channels.inbound import imap
    from caseflow.channels.models import Mailbox

    deliver, delivery = _delivery(args.deliver)
    mailbox = Mailbox.objects.get(name=args.mailbox)
    rss_before, hwm_before = _memory_kib()
    if args.trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = imap.poll_mailbox(mailbox, deliver=deliver, limit=args.count)
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
    rss_after, hwm_after = _memory_kib()
    print(
        json.dumps(
            {
                "delivered": result.delivered,
                "failed": result.failed,
                "error": result.error,
                "seconds": seconds,
                "traced_peak": peak,
                "rss_before_kib": rss_before,
                "hwm_before_kib": hwm_before,
                "rss_after_kib": rss_after,
                "hwm_after_kib": hwm_after,
                "delivery": delivery,
            }
        )
    )


def _memory_kib() -> tuple[int, int]:
    """(current RSS, peak RSS) of this process in KiB, from Linux's /proc: VmHWM starts afresh
    at exec, while getrusage's ru_maxrss keeps the forking parent's peak."""
    status = Path("/proc/self/status").read_text()
    values = {
        line.split(":")[0]: int(line.split()[1])
        for line in status.splitlines()
        if line.startswith(("VmRSS:", "VmHWM:"))
    }
    return values["VmRSS"], values["VmHWM"]


def _delivery(kind: str):
    from caseflow.channels.inbound.imap import deliver_to_pipeline
    from caseflow.channels.tests.imap_helpers import store_inbound

    if kind == "none":
        return (lambda mailbox, raw: None), "none (the IMAP side alone)"
    if kind == "store":
        return store_inbound, "stand-in (stores the raw message)"
    try:
        from caseflow.channels.inbound.services import receive  # noqa: F401 (is it here?)
    except ImportError:
        return store_inbound, "stand-in (stores the raw message; no pipeline in the tree)"
    return deliver_to_pipeline, "the pipeline (inbound.services.receive)"


# --- the parent ---------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="100,1000", help="messages per run, comma-separated")
    parser.add_argument("--database-url", default="", help="default: SQLite in a temp dir")
    parser.add_argument(
        "--deliver", choices=("auto", "store", "none"), default="auto",
        help="auto: the pipeline if present, else store; store: only store the raw message; "
        "none: deliver nowhere (measures the IMAP side alone)",
    )  # fmt: skip
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mailbox", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--var-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    var_dir = tempfile.mkdtemp(prefix="caseflow-bench-imap-")
    database_url = args.database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    _environment(database_url, var_dir)
    from django.core.management import call_command

    from caseflow.channels.tests.dovecot import Dovecot

    call_command("migrate", verbosity=0)
    counts = [int(count) for count in args.counts.split(",")]
    server = Dovecot.start()
    try:
        print(f"Dovecot on 127.0.0.1:{server.port}; database {database_url.split('@')[-1]}")
        for count in counts:
            runs = {
                trace: _run(server, count, trace, database_url, var_dir, args.deliver)
                for trace in (0, 1)
            }
            _report(count, runs[0], runs[1])
    finally:
        server.stop()
        shutil.rmtree(var_dir, ignore_errors=True)  # the SQLite file, stored raw mail, queue


def _run(server, count: int, trace: int, database_url: str, var_dir: str, deliver: str) -> dict:
    from caseflow.accounts.models import User
    from caseflow.channels.models import ImapSecurity, Mailbox

    user = server.add_user()
    started = time.perf_counter()
    server.append(user, (message(n) for n in range(count)))
    appended = time.perf_counter() - started
    owner, _created = User.objects.get_or_create(username="bench-imap")
    name = f"bench-{count}-{trace}-{secrets.token_hex(3)}"
    Mailbox.objects.create(
        name=name, address="support@desk.test", owner=owner, imap_host=server.host,
        imap_port=server.port, imap_security=ImapSecurity.NONE, imap_user=user.name,
        imap_password=user.password,
    )  # fmt: skip
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", "--mailbox", name,
        "--count", str(count), "--database-url", database_url, "--var-dir", var_dir,
        "--deliver", deliver,
    ] + (["--trace"] if trace else [])  # fmt: skip
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        raise SystemExit(f"the poll failed:\n{output.stderr}")
    result = json.loads(output.stdout.strip().splitlines()[-1])
    result["append_seconds"] = appended
    return result


def _report(count: int, plain: dict, traced: dict) -> None:
    mib = 1024
    error = f", {plain['error']}" if plain["error"] else ""
    print(
        f"{count:>6} messages: one poll {plain['seconds']:6.2f} s = "
        f"{plain['delivered'] / plain['seconds']:5.0f} msg/s "
        f"(delivered {plain['delivered']}, failed {plain['failed']}{error})\n"
        f"        RSS {plain['rss_before_kib'] / mib:5.1f} -> {plain['rss_after_kib'] / mib:5.1f} "
        f"MiB, peak RSS (VmHWM) {plain['hwm_before_kib'] / mib:5.1f} -> "
        f"{plain['hwm_after_kib'] / mib:5.1f} MiB, tracemalloc peak "
        f"{traced['traced_peak'] / mib / mib:5.2f} MiB (traced run: {traced['seconds']:.2f} s)\n"
        f"        APPEND of the {count} messages: {plain['append_seconds']:.2f} s; "
        f"delivery: {plain['delivery']}",
        flush=True,
    )


if __name__ == "__main__":
    main()
