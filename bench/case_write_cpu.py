#!/usr/bin/env python
"""CPU per case written through the services, in this process: open a case, add a note, move
it to "open" (the audit entries and timeline entries of a mail or a phone call's case).

    DATABASE_URL=<scratch database> python manage.py migrate
    python bench/case_write_cpu.py --code <checkout A> --database-url <scratch database>
    python bench/case_write_cpu.py --code <checkout B> --database-url <scratch database>

Run it for two checkouts in turn (A B A B) on the same scratch database to compare two
versions of the services (`--code`: whose `caseflow` to import; default this one). It
writes cases there, so never point it at caseflow_bench.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import load_note, setup_django, use_project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--code", help="a checkout whose caseflow package to measure")
    args = parser.parse_args()
    use_project()
    if args.code:
        sys.path.insert(0, str(Path(args.code).resolve()))
    if "caseflow_bench" in args.database_url:
        raise SystemExit("this writes cases: give a scratch database, not caseflow_bench")
    setup_django(args.database_url)

    import caseflow
    from caseflow.accounts.models import Role, User
    from caseflow.cases import services
    from caseflow.core.models import Channel
    from caseflow.customers.models import Customer
    from caseflow.customers.services import create_customer

    agent, _created = User.objects.get_or_create(
        username="bench-writer", defaults={"role": Role.AGENT, "first_name": "Bench"}
    )
    customer = Customer.objects.filter(name="Bench writer customer").first() or create_customer(
        actor=None, channel=Channel.IMPORT, kind="person", name="Bench writer customer"
    )
    print(f"code: {Path(caseflow.__file__).parent.parent}")
    print(load_note())

    def one() -> None:
        case = services.open_case(
            actor=None,
            channel=Channel.EMAIL,
            customer=customer,
            subject="Pump is loud",
            symptom="The pump rattles when it brews; descaling did not help. " * 4,
        )
        services.record_event(
            actor=None, channel=Channel.EMAIL, case=case, event_type="email_in", text="Hello " * 50
        )
        services.change_status(actor=agent, channel=Channel.UI, case=case, status="open")

    for _ in range(20):  # warm caches and connections
        one()
    per_case = []
    for _round in range(args.rounds):
        started = time.process_time()
        for _ in range(args.cases):
            one()
        per_case.append((time.process_time() - started) / args.cases * 1000)
    print(
        f"CPU per case (open, e-mail entry, status): median {statistics.median(per_case):.2f} ms "
        f"over {args.rounds} rounds of {args.cases} ({', '.join(f'{v:.2f}' for v in per_case)})"
    )


if __name__ == "__main__":
    main()
