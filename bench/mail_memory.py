#!/usr/bin/env python
"""Peak memory of the mail intake for one large or hostile message, per way in.

    python bench/mail_memory.py                        # MTA pipe and drop folder, SQLite
    python bench/mail_memory.py --paths mta,drop,imap,trace --messages b64-one-line-30m

Each message (built here, nothing read from the repository) is delivered by a fresh process
of the real command, as a mail server would run it:

- `mta`: `manage.py ingest_email --mailbox bench` with the message on standard input;
- `drop`: the message as a file in the drop folder, then `manage.py ingest_drop`;
- `imap`: the message APPENDed to a private Dovecot (as the tests start one), then
  `manage.py poll_mailboxes` (skipped when Dovecot is not installed);
- `trace`: `receive()` in a fresh process under tracemalloc: Python's own allocations while
  the pipeline runs, the message's bytes (read before) not counted;
- `time`: `receive()` in a fresh process, untraced: its CPU and wall time, then the case
  page the message made, fetched 5 times by an agent (median wall time and the server's
  CPU from the Server-Timing header).

For the commands the process's peak resident set (VmHWM, read at exit) is reported, and the
same for a 2 kB message: the difference is what the message costs, shown as a multiple of
its size. Every delivery gets a unique first header, so none is a duplicate of another. A
SQLite database, the stored files and the drop folder live in a temporary directory that is
removed afterwards.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, load_note, use_project

use_project()

CRLF = b"\r\n"
MIB = 1024 * 1024
# Runs the real manage.py and writes the process's peak RSS (VmHWM, KiB) at exit.
WRAPPER = """
import atexit, os, runpy, sys
def _peak():
    with open("/proc/self/status") as status:
        hwm = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["BENCH_HWM_FILE"], "w") as out:
        out.write(hwm)
atexit.register(_peak)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


# --- the messages ---------------------------------------------------------------------------


def _head(subject: str, content_type: str) -> bytes:
    return CRLF.join(
        [
            b"From: Erika Muster <erika@example.org>",
            b"To: support@desk.test",
            b"Subject: " + subject.encode(),
            b"Date: Mon, 02 Mar 2026 10:00:00 +0100",
            b"MIME-Version: 1.0",
            b"Content-Type: " + content_type.encode(),
        ]
    )


def _mixed(subject: str, parts: list[bytes]) -> bytes:
    body = b"".join(b"--b1" + CRLF + part + CRLF for part in parts) + b"--b1--" + CRLF
    return _head(subject, 'multipart/mixed; boundary="b1"') + CRLF + CRLF + body


def _text(text: bytes) -> bytes:
    return b"Content-Type: text/plain; charset=utf-8" + CRLF + CRLF + text


def _attachment(size: int, *, one_line: bool) -> bytes:
    payload = (b"0123456789abcdef" * (size // 16 + 1))[:size]
    encoded = base64.b64encode(payload) if one_line else base64.encodebytes(payload)
    headers = [
        b'Content-Type: application/octet-stream; name="log.bin"',
        b"Content-Transfer-Encoding: base64",
        b'Content-Disposition: attachment; filename="log.bin"',
    ]
    return CRLF.join(headers) + CRLF + CRLF + encoded.replace(b"\n", CRLF)


def _nested(depth: int) -> bytes:
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="n%d"' % level
        + CRLF
        + CRLF
        + b"--n%d" % level
        + CRLF
        for level in range(depth)
    )
    closing = b"".join(CRLF + b"--n%d--" % level for level in reversed(range(depth)))
    head = _head(f"Nested {depth} deep", "text/plain").rsplit(CRLF, 1)[0]
    return head + CRLF + opening + _text(b"bottom") + closing + CRLF


def _deep_html(count: int) -> bytes:
    html = b"<div>" * count + b"Help, it leaks."
    part = b"Content-Type: text/html; charset=utf-8" + CRLF + CRLF + html
    body = b"--b1" + CRLF + _text(b"Help, it leaks.") + CRLF + b"--b1" + CRLF + part
    return (
        _head("Deep HTML", 'multipart/alternative; boundary="b1"')
        + CRLF
        + CRLF
        + body
        + CRLF
        + b"--b1--"
        + CRLF
    )


MESSAGES: dict[str, Callable[[], bytes]] = {
    "small": lambda: _mixed("Small", [_text(b"The pump rattles. " * 100)]),
    "b64-one-line-30m": lambda: _mixed(
        "30 MiB on one base64 line", [_text(b"log"), _attachment(30 * MIB, one_line=True)]
    ),
    "b64-lines-30m": lambda: _mixed(
        "30 MiB in base64 lines", [_text(b"log"), _attachment(30 * MIB, one_line=False)]
    ),
    "b64-lines-15m": lambda: _mixed(
        "15 MiB, within the limit", [_text(b"log"), _attachment(15 * MIB, one_line=False)]
    ),
    "html-deep": lambda: _deep_html(199_990),
    "html-deep-40k": lambda: _deep_html(40_000),
    "nested-5000": lambda: _nested(5000),
}


# --- the ways in ------------------------------------------------------------------------------


def _environment(var: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "caseflow.settings",
            "DEBUG": "false",  # with DEBUG on Django keeps every query in memory
            "SECRET_KEY": "bench-" + "x" * 40,
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": f"sqlite:///{var}/bench.sqlite3",
            "CASEFLOW_VAR_DIR": str(var),
            "MEDIA_ROOT": str(var / "media"),
            "MAIL_DROP_DIR": str(var / "drop"),
            "STATIC_ROOT": str(var / "static"),  # the manifest the pages are rendered with
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _command(env: dict[str, str], var: Path, args: list[str], stdin: Path | None) -> dict:
    """Run manage.py `args` in a fresh process; its peak RSS (KiB), seconds and output."""
    hwm_file = var / f"hwm-{secrets.token_hex(4)}"
    started = time.perf_counter()
    with stdin.open("rb") if stdin else open(os.devnull, "rb") as handle:
        done = subprocess.run(
            [sys.executable, "-c", WRAPPER, *args],
            cwd=ROOT,
            env={**env, "BENCH_HWM_FILE": str(hwm_file)},
            stdin=handle,
            capture_output=True,
            text=True,
            check=False,
        )
    seconds = time.perf_counter() - started
    output = (done.stdout + done.stderr).strip().splitlines()
    return {
        "hwm_kib": int(hwm_file.read_text()) if hwm_file.exists() else 0,
        "seconds": seconds,
        "status": done.returncode,
        "output": output[-1] if output else "",
    }


def _unique(raw: bytes) -> bytes:
    return b"X-Bench-Run: " + secrets.token_hex(8).encode() + CRLF + raw


def run_mta(env: dict[str, str], var: Path, raw: bytes, _imap: object) -> dict:
    path = var / "in.eml"
    path.write_bytes(_unique(raw))
    try:
        return _command(env, var, ["ingest_email", "--mailbox", "bench"], path)
    finally:
        path.unlink()


def run_drop(env: dict[str, str], var: Path, raw: bytes, _imap: object) -> dict:
    path = var / "drop" / "bench" / f"{secrets.token_hex(6)}.eml"
    path.write_bytes(_unique(raw))
    old = time.time() - 60  # the folder takes files at least 2 seconds old
    os.utime(path, (old, old))
    return _command(env, var, ["ingest_drop", "--mailbox", "bench"], None)


def run_imap(env: dict[str, str], var: Path, raw: bytes, imap: tuple) -> dict:
    server, user = imap
    server.append(user, [_unique(raw)])
    return _command(env, var, ["poll_mailboxes", "--mailbox", "bench-imap"], None)


def run_trace(env: dict[str, str], var: Path, raw: bytes, _imap: object) -> dict:
    path = var / "in.eml"
    path.write_bytes(_unique(raw))
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-trace", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    path.unlink()
    if done.returncode != 0:
        return {"status": done.returncode, "output": done.stderr.strip()[-300:], "traced": 0}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    return result


def run_time(env: dict[str, str], var: Path, raw: bytes, _imap: object) -> dict:
    path = var / "in.eml"
    path.write_bytes(_unique(raw))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-time", str(path)],
        cwd=ROOT,
        env={**env, "SERVER_TIMING": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    path.unlink()
    if done.returncode != 0:
        return {"status": done.returncode, "output": done.stderr.strip()[-300:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_trace(path: str) -> None:
    import tracemalloc

    import django

    django.setup()
    from caseflow.channels.inbound.services import receive
    from caseflow.channels.models import Mailbox

    mailbox = Mailbox.objects.select_related("owner", "team").get(name="bench")
    raw = Path(path).read_bytes()
    tracemalloc.start()
    inbound = receive(mailbox, raw, source="mta")
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(json.dumps({"traced": traced, "status": 0, "output": str(inbound.status)}))


def child_time(path: str) -> None:
    import re
    import statistics

    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from caseflow.accounts.models import Role, User
    from caseflow.channels.inbound.services import receive
    from caseflow.channels.models import Mailbox

    mailbox = Mailbox.objects.select_related("owner", "team").get(name="bench")
    raw = Path(path).read_bytes()
    started, cpu = time.perf_counter(), time.process_time()
    inbound = receive(mailbox, raw, source="mta")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if inbound.case_id is None:
        output = f"{inbound.status}; receive {cpu:.2f} s CPU; no case page"
        print(json.dumps({"status": 0, "seconds": seconds, "output": output}))
        return
    agent, _created = User.objects.get_or_create(username="bench-agent", role=Role.AGENT)
    client = Client(SERVER_NAME="localhost")
    client.force_login(agent)
    url = reverse("desk:case_detail", args=[inbound.case_id])
    client.get(url)  # templates compiled, caches warm
    walls, cpus = [], []
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url)
        walls.append((time.perf_counter() - started) * 1000)
        found = re.search(r"cpu;dur=([\d.]+)", response.headers.get("Server-Timing", ""))
        cpus.append(float(found.group(1)) if found else 0.0)
    output = (
        f"{inbound.status}; receive {cpu:.2f} s CPU; case page {response.status_code} "
        f"median {statistics.median(walls):.0f} ms ({statistics.median(cpus):.0f} ms CPU)"
    )
    print(json.dumps({"status": 0, "seconds": seconds, "output": output}))


WAYS = {"mta": run_mta, "drop": run_drop, "imap": run_imap, "trace": run_trace, "time": run_time}


# --- the run ----------------------------------------------------------------------------------


def _setup(env: dict[str, str], var: Path, with_imap: bool) -> object:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from caseflow.accounts.models import Team
    from caseflow.channels.models import ImapSecurity, Mailbox

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    team = Team.objects.create(name="Mail bench")
    Mailbox.objects.create(name="bench", address="support@desk.test", team=team)
    (var / "drop" / "bench").mkdir(parents=True)
    if not with_imap:
        return None
    from caseflow.channels.tests.dovecot import Dovecot, is_available

    if not is_available():
        print("Dovecot is not installed: no imap runs")
        return None
    server = Dovecot.start()
    user = server.add_user()
    Mailbox.objects.create(
        name="bench-imap", address="imap@desk.test", team=team, imap_host=server.host,
        imap_port=server.port, imap_security=ImapSecurity.NONE, imap_user=user.name,
        imap_password=user.password,
    )  # fmt: skip
    return server, user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--paths", default="mta,drop,trace,time", help="mta,drop,imap,trace,time")
    parser.add_argument("--messages", default=",".join(MESSAGES), help=",".join(MESSAGES))
    parser.add_argument("--child-trace", help=argparse.SUPPRESS)
    parser.add_argument("--child-time", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_trace:
        child_trace(args.child_trace)
        return 0
    if args.child_time:
        child_time(args.child_time)
        return 0
    ways = [w for w in args.paths.split(",") if w]
    names = ["small"] + [n for n in args.messages.split(",") if n and n != "small"]
    var = Path(tempfile.mkdtemp(prefix="caseflow-mail-memory-"))
    env = _environment(var)
    imap = None
    try:
        imap = _setup(env, var, "imap" in ways)
        if imap is None:
            ways = [w for w in ways if w != "imap"]
        print(f"{load_note()}; {', '.join(ways)}")
        baseline: dict[str, int] = {}
        print(f"{'message':<18} {'MiB':>6} {'way':<6} {'peak RSS':>9} {'+ over 2 kB':>12} "
              f"{'× size':>7} {'seconds':>8}  outcome")  # fmt: skip
        for name in names:
            raw = MESSAGES[name]()
            size = len(raw)
            for way in ways:
                result = WAYS[way](env, var, raw, imap)
                if way == "time":
                    print(f"{name:<18} {size / MIB:6.1f} {way:<6} {'':>9} {'':>12} {'':>7} "
                          f"{result.get('seconds', 0):8.2f}  {result['output']}")  # fmt: skip
                    continue
                if way == "trace":
                    extra = result.get("traced", 0)
                    print(f"{name:<18} {size / MIB:6.1f} {way:<6} {'':>9} "
                          f"{extra / MIB:9.1f} MiB {(extra + size) / size:6.1f}× "
                          f"{result.get('seconds', 0):8.2f}  {result['output']}")  # fmt: skip
                    continue
                hwm = result["hwm_kib"] * 1024
                if name == "small":
                    baseline[way] = hwm
                extra = hwm - baseline.get(way, hwm)
                print(f"{name:<18} {size / MIB:6.1f} {way:<6} {hwm / MIB:5.0f} MiB "
                      f"{extra / MIB:8.1f} MiB {extra / size:6.1f}× {result['seconds']:8.2f}  "
                      f"{result['output'][:60]}")  # fmt: skip
        return 0
    finally:
        if imap is not None:
            imap[0].stop()
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
