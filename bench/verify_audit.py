#!/usr/bin/env python
"""How long `manage.py verify_audit` takes on the benchmark database, with and without the
drift check, and what the timeline part of the drift check costs per entry. Reads only.

    python bench/verify_audit.py                           # with and without drift
    python bench/verify_audit.py --timeline-cases 100000   # and the timeline hashes

The passes run in this process exactly as the command does (`core.audit.walk` with and
without a `core.drift.DriftCheck`). The generated cases' chains record no timeline entries
(bench/generate.py writes them without the hashes), so the drift pass compares their fields
only; `--timeline-cases N` then hashes the timelines of N cases as a fully recorded database
would (`cases.integrity.timeline_digests`, in the checker's batches) and gives the cost per
timeline entry, to scale to the whole table.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DEFAULT_DATABASE_URL, load_note, setup_django


def _timed(label: str, run) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<46} {wall:8.1f} s wall {cpu:8.1f} s CPU (this process), "
        f"peak memory so far {peak:.0f} MB  {result}"
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--skip-chain", action="store_true", help="no pass without drift")
    parser.add_argument("--skip-drift", action="store_true", help="no pass with drift")
    parser.add_argument("--timeline-cases", type=int, default=0, help="hash N cases' timelines")
    args = parser.parse_args()
    setup_django(args.database_url)

    from caseflow.cases.integrity import timeline_digests
    from caseflow.cases.models import Case, TimelineEvent
    from caseflow.core.audit import walk
    from caseflow.core.drift import BATCH, DriftCheck
    from caseflow.core.models import AuditEntry

    print(load_note())
    print(
        f"{AuditEntry.objects.count()} audit entries, {Case.objects.count()} cases, "
        f"{TimelineEvent.objects.count()} timeline entries"
    )
    if not args.skip_chain:
        _timed(
            "verify_audit --no-drift (hash chains)", lambda: f"{sum(1 for _ in walk())} problems"
        )
    if not args.skip_drift:
        check = DriftCheck()

        def both() -> str:
            problems = sum(1 for _ in walk(observer=check))
            return f"{problems} problems, {check.rows} rows, {check.parts} recorded parts"

        _timed("verify_audit (hash chains and drift)", both)
    if args.timeline_cases:
        ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[: args.timeline_cases])
        counted: list[int] = []

        def hashes() -> str:
            for start in range(0, len(ids), BATCH):
                found = timeline_digests(ids[start : start + BATCH])
                counted.append(sum(len(events) for events in found.values()))
            return f"{sum(counted)} timeline entries of {len(ids)} cases"

        wall, cpu = _timed("timeline hashes (drift, per batch of cases)", hashes)
        total = max(sum(counted), 1)
        print(
            f"per timeline entry: {wall / total * 1e6:.1f} µs wall, {cpu / total * 1e6:.1f} µs CPU"
        )
    print(load_note())


if __name__ == "__main__":
    main()
