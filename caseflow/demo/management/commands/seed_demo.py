"""Fill an empty database with a believable demo company: `manage.py seed_demo [--cases N]`.

Baristo, a maker of espresso machines, grinders and milk frothers, runs its after-sales
service for Germany and Spain in Caseflow: about 30 products, 200 customers (people, cafés,
hotels, offices and dealers) with contacts in local notation, 400 sold and registered units,
sales orders, service contracts and 300 cases in every status, type and priority, each with
its timeline of calls, e-mails, notes, supplies and decisions.

Everything is written through the services, as staff users of each role (agent1, agent2,
tech1, tech2, lead1, backoffice1, quality1; password "demo") or as the system (ERP orders),
so every row has its timeline and audit entries and `verify_audit` passes. The history is
replayed on a simulated clock, step by step in time order: a case received in March was
resolved in March, and its audit entries say so.

Deterministic (`--seed`), idempotent (a second run does nothing), and `--cases N` tops the
case count up to N. It refuses a database that holds other data than its own. The planning
lives in `caseflow.demo.planning` (the company, the cases, the world they share).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from caseflow.cases.models import Case
from caseflow.catalog.models import Product, Unit
from caseflow.core.errors import DomainError
from caseflow.customers.models import Customer
from caseflow.demo.data import MARKER_SKU, PASSWORD, STAFF
from caseflow.demo.mail import seed_mail
from caseflow.demo.planning.cases import CasePlanner
from caseflow.demo.planning.company import CompanyPlanner
from caseflow.demo.planning.world import World


class Command(BaseCommand):
    help = (
        "Load the demo company (Germany and Spain: products, customers, units, orders, "
        "contracts, cases) through the services. Does nothing when it is loaded already; "
        "--cases N tops the cases up to N."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cases", type=int, default=None, help="cases in total (300)")
        parser.add_argument("--customers", type=int, default=200, help="customers (200)")
        parser.add_argument("--units", type=int, default=400, help="registered units (400)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (2026)")

    def handle(self, *args: Any, **options: Any) -> None:
        cases, customers, units = options["cases"], options["customers"], options["units"]
        for name, value in (("cases", cases), ("customers", customers), ("units", units)):
            if value is not None and value < 0:
                raise CommandError(f"--{name} cannot be negative")
        loaded = Product.objects.filter(sku=MARKER_SKU).exists()
        if not loaded and (Customer.objects.exists() or Case.objects.exists()):
            raise CommandError(
                "this database holds customers or cases that are not the demo's; "
                "seed_demo only fills an empty database"
            )
        target_cases = 300 if cases is None and not loaded else (cases or 0)
        existing_cases = Case.objects.count()
        if loaded and target_cases <= existing_cases:
            self.stdout.write(
                f"demo data is loaded already ({existing_cases} cases); nothing to do "
                "(--cases N adds cases up to N)"
            )
            self._mail()  # a demo database of an earlier version gets its mail
            return
        world = World(seed=options["seed"] * 1000003 + existing_cases)
        try:
            with transaction.atomic():
                world.configure()
                if not loaded:
                    CompanyPlanner(world).plan(customers=max(customers, 6), units=units)
                    world.run(start=world.day(-3 * 365 - 30))
                CasePlanner(world).plan(target_cases - existing_cases)
                world.run(start=world.day(-366))
        except DomainError as exc:
            raise CommandError(f"a service refused demo data: {exc.message} ({exc.field})") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"demo data: {Customer.objects.count()} customers, {Unit.objects.count()} units, "
                f"{Case.objects.count()} cases; staff logins {', '.join(s[0] for s in STAFF)} "
                f"(password {PASSWORD!r})"
            )
        )
        self._mail()

    def _mail(self) -> None:
        """The demo mailbox and its e-mails, through the real pipeline (after the company is
        committed: each delivery is stored in its own transaction)."""
        summary = seed_mail()
        if summary.created:
            self.stdout.write(summary.line())
