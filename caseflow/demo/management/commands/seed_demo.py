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
case count up to N. It refuses a database that holds other data than its own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from caseflow.accounts.models import Team, User
from caseflow.cases import services as case_services
from caseflow.cases.models import Case, CaseStatus, CaseType, Code, CodeKind, Priority
from caseflow.catalog import services as catalog_services
from caseflow.catalog.models import Product, ProductKind, Registration, Unit
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.customers import services as customer_services
from caseflow.customers.models import Customer, CustomerKind, Region
from caseflow.demo.data import (
    CHANNEL_WEIGHTS,
    CITIES,
    CONTACT_TITLES,
    DEALERS,
    FIRST,
    HOME,
    LAST,
    MARKER_SKU,
    ORG_NAMES,
    ORGANISATIONS,
    PASSWORD,
    PRIORITY_WEIGHTS,
    PRO,
    PRODUCT_TYPES,
    PRODUCTS,
    REGIONS,
    SAY,
    SCENARIOS,
    SOLUTIONS,
    STAFF,
    STATUS_WEIGHTS,
    STREETS,
    TEAMS,
)
from caseflow.demo.history import (
    CasePlan,
    Step,
    ascii_slug,
    fits,
    simulated_clock,
    tiny_png,
    weighted,
)
from caseflow.demo.mail import seed_mail


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
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.today = timezone.localdate()
        self.real_now = timezone.now()
        target_cases = 300 if cases is None and not loaded else (cases or 0)
        existing_cases = Case.objects.count()
        if loaded and target_cases <= existing_cases:
            self.stdout.write(
                f"demo data is loaded already ({existing_cases} cases); nothing to do "
                "(--cases N adds cases up to N)"
            )
            self._mail()  # a demo database of an earlier version gets its mail
            return
        # Demo data, not secrets: a seeded generator makes every run the same.
        self.rng = random.Random(options["seed"] * 1000003 + existing_cases)  # noqa: S311
        self.steps: list[Step] = []
        try:
            with transaction.atomic():
                self._configuration()
                if not loaded:
                    self._plan_company(customers=max(customers, 6), units=units)
                    self._run(start=self._day(-3 * 365 - 30))
                self._plan_cases(target_cases - existing_cases)
                self._run(start=self._day(-366))
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

    # --- time ---------------------------------------------------------------------------

    def _day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    def _at(self, day: date, hour: int | None = None) -> datetime:
        """A moment in office hours on `day` (moved to Monday from a weekend)."""
        while day.weekday() >= 5:
            day += timedelta(days=1)
        hour = self.rng.randrange(8, 18) if hour is None else hour
        moment = datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.tz)
        return min(moment, self.real_now - timedelta(minutes=5))

    def _office(self, moment: datetime) -> datetime:
        """`moment`, or the next working morning when it falls outside 8:00 to 18:00."""
        local = moment.astimezone(self.tz)
        if local.weekday() < 5 and 8 <= local.hour < 18:
            return moment
        day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
        return self._at(day, 8)

    def _add(self, at: datetime, run: Callable[[], None]) -> None:
        self.steps.append(Step(at, len(self.steps), run))

    def _run(self, *, start: datetime | date) -> None:
        if isinstance(start, date) and not isinstance(start, datetime):
            start = datetime.combine(start, time(7), tzinfo=self.tz)
        with simulated_clock(start) as clock:
            for step in sorted(self.steps):
                clock.set(step.at)
                step.run()
        self.steps = []

    # --- configuration: staff, teams, regions --------------------------------------------

    def _configuration(self) -> None:
        """Staff, teams and regions are configuration (the admin edits them), not business
        records, so they are written directly."""
        self.staff: dict[str, User] = {}
        for username, first, last, role, language, tz in STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, first_name=first, last_name=last, role=role)
                user.email = f"{username}@baristo.example"
                user.language, user.time_zone, user.is_staff = language, tz, True
                user.set_password(PASSWORD)
                user.save()
            self.staff[username] = user
        for name, lead, members in TEAMS:
            team, _created = Team.objects.get_or_create(
                name=name, defaults={"lead": self.staff[lead]}
            )
            team.members.add(*(self.staff[m] for m in members))
        self.teams = {t.name: t for t in Team.objects.filter(name__in=[t[0] for t in TEAMS])}
        for code, name, country in REGIONS:
            Region.objects.get_or_create(code=code, defaults={"name": name, "country": country})
        self.regions = {r.code: r for r in Region.objects.all()}
        self.priorities = {p.code: p for p in Priority.objects.all()}
        self.reasons = {c.code: c for c in Code.objects.filter(kind=CodeKind.REASON)}
        self.resolutions = {c.code: c for c in Code.objects.filter(kind=CodeKind.RESOLUTION)}

    # --- the company: catalogue, customers, orders, registrations, contracts --------------

    def _plan_company(self, *, customers: int, units: int) -> None:
        rng = self.rng
        back = self.staff["backoffice1"]
        self.products: dict[str, Product] = {}
        start = self._at(self._day(-3 * 365 - 20), 9)

        def catalogue() -> None:
            types = {
                code: catalog_services.create_product_type(
                    actor=back, channel=Channel.UI, code=code, name=name
                )
                for code, name in PRODUCT_TYPES
            }
            for sku, name, kind, ptype, months, price, cost, _prefix in PRODUCTS:
                self.products[sku] = catalog_services.create_product(
                    actor=back,
                    channel=Channel.UI,
                    sku=sku,
                    name=name,
                    kind=kind,
                    product_type=types[ptype],
                    is_serialised=kind == ProductKind.DEVICE,
                    warranty_months=months if kind == ProductKind.DEVICE else 0,
                    price=Decimal(price),
                    cost=Decimal(cost),
                )

        self._add(start, catalogue)

        # Who the customers are: dealers and organisations first, people as they buy.
        dealers = max(2, customers * 6 // 100)
        organisations = max(2, customers * 24 // 100)
        people = max(2, customers - dealers - organisations)
        self.customers: dict[str, Customer] = {}
        plans: list[dict[str, Any]] = []
        for index in range(dealers + organisations + people):
            country = "DE" if rng.random() < 0.55 else "ES"
            kind = (
                "dealer"
                if index < dealers
                else "org"
                if index < dealers + organisations
                else "person"
            )
            plans.append(self._customer_plan(f"c{index}", kind, country))
        for plan in plans[: dealers + organisations]:
            self._add(self._at(self._day(-3 * 365 - rng.randrange(-10, 15))), self._creator(plan))
        dealer_plans = plans[:dealers]
        org_plans = plans[dealers : dealers + organisations]
        person_plans = plans[dealers + organisations :]

        # Orders: dealers buy batches of home devices; organisations buy pro machines.
        self.units: dict[str, Unit] = {}
        serial_no: dict[str, int] = {}
        order_no = 10230
        sold: list[tuple[str, str, date, str]] = []  # unit key, sku, order day, buyer key
        while len(sold) < units:
            order_no += rng.randrange(3, 40)
            to_org = rng.random() < 0.3
            buyer = rng.choice(org_plans if to_org else dealer_plans)
            day = self._day(-rng.randrange(45, 3 * 365 - 30))
            lines, keys = [], []
            for sku in rng.sample(PRO if to_org else HOME, k=1 if to_org else rng.randrange(1, 4)):
                qty = min(units - len(sold), 1 if to_org else rng.randrange(2, 7))
                if qty <= 0:
                    break
                serials = []
                for _ in range(qty):
                    serial_no[sku] = serial_no.get(sku, 0) + rng.randrange(1, 9)
                    prefix = next(p[7] for p in PRODUCTS if p[0] == sku)
                    serial = f"{prefix}-{day:%y%m}-{serial_no[sku]:05d}"
                    serials.append(serial)
                    sold.append((serial, sku, day, buyer["key"]))
                    keys.append(serial)
                discount = Decimal("0.92") if to_org else Decimal("0.68")  # dealer price
                price = Decimal(next(p[5] for p in PRODUCTS if p[0] == sku)) * discount
                lines.append(
                    {
                        "sku": sku,
                        "quantity": qty,
                        "unit_price": price.quantize(Decimal("0.01")),
                        "serials": serials,
                    }
                )
            if not keys:
                break
            if to_org or rng.random() < 0.5:
                care = rng.choice(["CS-DESCALE", "CS-TABS", "CS-FILTER", "CS-MILKCLEAN"])
                lines.append({"sku": care, "quantity": rng.randrange(6, 48), "serials": []})
            number = f"SO-{day:%Y}-{order_no:06d}"
            self._add(self._at(day, 11), self._order(number, buyer["key"], day, lines, keys))

        # Registrations: dealers' units go to people (and a few organisations) who bought
        # them later; organisations register their own machines. One in ten stays unsold.
        dealer_keys = {p["key"] for p in dealer_plans}
        registered: list[tuple[str, str, date]] = []  # unit key, customer key, registered on
        first_day: dict[str, date] = {}  # a person becomes a customer with their first unit
        people_queue = list(person_plans)
        rng.shuffle(people_queue)
        sold.sort(key=lambda item: item[2])
        for index, (unit_key, _sku, day, buyer_key) in enumerate(sold):
            from_dealer = buyer_key in dealer_keys
            if from_dealer and rng.random() < 0.1:
                continue
            purchased = day + timedelta(days=rng.randrange(0, 120) if from_dealer else 0)
            purchased = min(purchased, self._day(-20))
            registered_on = min(purchased + timedelta(days=rng.randrange(0, 30)), self._day(-15))
            if not from_dealer:
                owner, dealer_key, how = (
                    buyer_key,
                    None,
                    "dealer" if rng.random() < 0.2 else "phone",
                )
            else:
                dealer_key, how = (
                    buyer_key,
                    weighted(rng, [("card", 30), ("phone", 25), ("web", 35), ("dealer", 10)]),
                )
                owner = people_queue[index % len(people_queue)]["key"]
                if rng.random() < 0.1:
                    owner = rng.choice(org_plans)["key"]
            first_day[owner] = min(first_day.get(owner, registered_on), registered_on)
            self._add(
                self._at(registered_on, 15),
                self._registration(unit_key, owner, dealer_key, purchased, registered_on, how),
            )
            registered.append((unit_key, owner, registered_on))

        # A few units change hands (sold on second-hand): the old registration ends.
        for unit_key, previous_owner, registered_on in rng.sample(
            registered, k=len(registered) // 40
        ):
            later = registered_on + timedelta(days=rng.randrange(120, 400))
            new_owner = rng.choice(person_plans)["key"]
            if later < self._day(-30) and new_owner != previous_owner:
                first_day[new_owner] = min(first_day.get(new_owner, later), later)
                self._add(
                    self._at(later, 16),
                    self._registration(unit_key, new_owner, None, later, later, "phone"),
                )
        for plan in person_plans:  # people first heard of when they register, or any time
            day = first_day.get(plan["key"]) or self._day(-rng.randrange(30, 3 * 365 - 60))
            self._add(self._at(day, 8), self._creator(plan))

        # Service contracts: organisations insure their machines after the warranty.
        by_owner: dict[str, list[tuple[str, date]]] = {}  # an organisation's own units
        for unit_key, owner_key, registered_on in registered:
            by_owner.setdefault(owner_key, []).append((unit_key, registered_on))
        for plan in org_plans:
            owned = by_owner.get(plan["key"], [])
            if not owned or rng.random() < 0.35:
                continue
            starts = max(day for _k, day in owned) + timedelta(days=rng.randrange(300, 500))
            if starts > self._day(-5):
                starts = self._day(-rng.randrange(5, 60))
            ends = starts + timedelta(days=365 * rng.randrange(1, 4) - 1)
            level = weighted(rng, [("basic", 3), ("standard", 5), ("premium", 2)])
            keys = [k for k, _day in owned]
            self._add(self._at(starts, 10), self._contract(plan["key"], keys, level, starts, ends))

    def _customer_plan(self, key: str, kind: str, country: str) -> dict[str, Any]:
        rng = self.rng
        city, postal, region, area = rng.choice(CITIES[country])
        first, last = rng.choice(FIRST[country]), rng.choice(LAST[country])
        if country == "ES":
            last = f"{last} {rng.choice(LAST['ES'])}"
        language = country.lower() if rng.random() > 0.04 else "en"
        person = f"{first} {last}"
        if kind == "dealer":
            name = rng.choice(DEALERS[country]).format(last=last.split()[0])
        elif kind == "org":
            _label, pattern = rng.choice(ORGANISATIONS[country])
            name = pattern.format(n=rng.choice(ORG_NAMES[country]), last=last.split()[0])
        else:
            name = person
        street = f"{rng.choice(STREETS[country])} {rng.randrange(1, 140)}"
        postal_code = f"{postal}{rng.randrange(10, 99)}"
        phones = [self._phone(country, area, mobile=kind == "person" and rng.random() < 0.6)]
        if rng.random() < 0.3:
            phones.append(self._phone(country, area, mobile=True))
        slug = ascii_slug(name)[:30].strip("-")
        domain = (
            f"{slug}.example"
            if kind != "person"
            else rng.choice(["example.com", "example.net", "example.org"])
        )
        local = "info" if kind != "person" else f"{ascii_slug(first)}.{ascii_slug(last.split()[0])}"
        emails = [f"{local}@{domain}"] if kind != "person" or rng.random() < 0.85 else []
        return {
            "key": key,
            "kind": kind,
            "country": country,
            "name": name,
            "language": language,
            "region": region,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "contact": person,
            "title": rng.choice(CONTACT_TITLES[country]),
            "emails": emails,
            "phones": phones,
            "vat_id": (
                f"DE{rng.randrange(10**8, 10**9)}"
                if country == "DE"
                else f"ESB{rng.randrange(10**7, 10**8)}"
            )
            if kind != "person"
            else "",
        }

    def _phone(self, country: str, area: str, *, mobile: bool) -> str:
        """A number in one of the notations people really type."""
        rng = self.rng
        if country == "DE":
            if mobile:
                prefix = rng.choice(["0151", "0160", "0170", "0171", "0176"])
                number = f"{rng.randrange(10**6, 10**7)}{rng.randrange(10)}"
                return rng.choice(
                    [f"{prefix} {number}", f"{prefix}-{number}", f"+49 {prefix[1:]} {number}"]
                )
            digits = 8 if len(area) == 3 else 7
            number = str(rng.randrange(2 * 10 ** (digits - 1), 10**digits))
            return rng.choice(
                [
                    f"{area} {number}",
                    f"({area}) {number}",
                    f"{area}/{number}",
                    f"+49 {area[1:]} {number}",
                ]
            )
        if mobile:
            number = f"6{rng.randrange(10**7, 10**8)}"
            return rng.choice(
                [
                    f"{number[:3]} {number[3:5]} {number[5:7]} {number[7:]}",
                    f"+34 {number[:3]} {number[3:6]} {number[6:]}",
                    number,
                ]
            )
        number = (area + str(rng.randrange(10**8)).zfill(8))[:9]
        return rng.choice(
            [
                f"{number[:3]} {number[3:6]} {number[6:]}",
                f"{number[:2]} {number[2:5]} {number[5:7]} {number[7:]}",
            ]
        )

    def _creator(self, plan: dict[str, Any]) -> Callable[[], None]:
        def create() -> None:
            person = plan["kind"] == "person"
            actor = self.staff["agent1" if plan["country"] == "DE" else "agent2"]
            if not person:
                actor = self.staff["backoffice1"]
            customer = customer_services.create_customer(
                actor=actor,
                channel=Channel.PHONE if person else Channel.UI,
                kind=CustomerKind.PERSON if person else CustomerKind.ORGANISATION,
                name=plan["name"],
                language=plan["language"],
                is_dealer=plan["kind"] == "dealer",
                region=self.regions[plan["region"]],
                vat_id=plan["vat_id"],
                account_manager=None if person else self.staff["lead1"],
                street=plan["street"],
                postal_code=plan["postal_code"],
                city=plan["city"],
                country=plan["country"],
                contact_name=plan["contact"],
                emails=plan["emails"],
                phones=plan["phones"],
            )
            if not person and self.rng.random() < 0.4:
                country = plan["country"]
                name = f"{self.rng.choice(FIRST[country])} {self.rng.choice(LAST[country])}"
                customer_services.add_contact(
                    actor=actor,
                    channel=Channel.UI,
                    customer=customer,
                    name=name,
                    title=self.rng.choice(CONTACT_TITLES[country]),
                    emails=[
                        f"{ascii_slug(name).replace('-', '.')}@{plan['emails'][0].split('@')[1]}"
                    ]
                    if plan["emails"]
                    else [],
                )
            self.customers[plan["key"]] = customer

        return create

    def _order(
        self, number: str, buyer: str, day: date, lines: list[dict[str, Any]], keys: list[str]
    ) -> Callable[[], None]:
        def create() -> None:
            order = catalog_services.create_sales_order(
                actor=None,
                channel=Channel.IMPORT,
                number=number,
                customer=self.customers[buyer],
                ordered_on=day,
                lines=[
                    {
                        "product": self.products[line["sku"]],
                        "quantity": line["quantity"],
                        "unit_price": line.get("unit_price", self.products[line["sku"]].price),
                        "serials": line["serials"],
                    }
                    for line in lines
                ],
            )
            found = Unit.objects.filter(order_lines__order=order, serial__in=keys)
            self.units.update({unit.serial: unit for unit in found})

        return create

    def _registration(
        self, unit: str, owner: str, dealer: str | None, purchased: date, on: date, how: str
    ) -> Callable[[], None]:
        def create() -> None:
            web = how == "web"
            catalog_services.register_unit(
                actor=None if web else self.staff["backoffice1" if how == "dealer" else "agent1"],
                channel=Channel.WEB if web else Channel.UI,
                customer=self.customers[owner],
                unit=self.units[unit],
                purchased_on=purchased,
                registered_on=on,
                dealer=self.customers[dealer] if dealer else None,
                channel_of_registration=how,
            )

        return create

    def _contract(
        self, owner: str, units: list[str], level: str, starts: date, ends: date
    ) -> Callable[[], None]:
        def create() -> None:
            catalog_services.create_service_contract(
                actor=self.staff["backoffice1"],
                channel=Channel.UI,
                customer=self.customers[owner],
                units=[self.units[k] for k in units],
                level=level,
                starts_on=starts,
                ends_on=ends,
            )

        return create

    # --- cases ---------------------------------------------------------------------------

    def _plan_cases(self, count: int) -> None:
        """Plan `count` cases: status first (every status at least once), then a received
        day that leaves room for its course, then a unit registered before that day. Done
        cases go through the scenarios in turn, so every reason and resolution code occurs."""
        rng = self.rng
        by_sku: dict[str, list[Registration]] = {}
        registrations = (
            Registration.objects.filter(ended_at__isnull=True)
            .select_related("unit__product", "customer")
            .order_by("id")
        )
        for registration in registrations:
            by_sku.setdefault(registration.unit.product.sku, []).append(registration)
        statuses = [s for s, _w in STATUS_WEIGHTS]
        done = 0
        for index in range(count):
            status = statuses[index] if index < len(statuses) else weighted(rng, STATUS_WEIGHTS)
            if status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
                scenario = SCENARIOS[done % len(SCENARIOS)]
                resolution = scenario.resolutions[
                    (done // len(SCENARIOS)) % len(scenario.resolutions)
                ]
                done += 1
                age = rng.randrange(12, 365)
            else:
                # a case waiting on parts is one that needs parts, and so on
                fitting = [s for s in SCENARIOS if fits(s, status)]
                scenario = fitting[index % len(fitting)] if index < 40 else rng.choice(fitting)
                resolution = rng.choice(scenario.resolutions)
                age = rng.randrange(1, 25)
            received = self._at(self._day(-age))
            candidates = [
                r
                for sku in scenario.products
                for r in by_sku.get(sku, [])
                if r.registered_on < received.date() - timedelta(days=2)
            ]
            priority = PRIORITY_WEIGHTS[index % 4][0] if index < 4 else None
            channel = weighted(rng, CHANNEL_WEIGHTS)
            if status == CaseStatus.NEW and rng.random() < 0.5:
                channel = Channel.WEB
            self._plan_case(
                CasePlan(
                    status=status,
                    scenario=scenario,
                    resolution=resolution,
                    received=received,
                    registration=rng.choice(candidates) if candidates else None,
                    priority=priority or weighted(rng, PRIORITY_WEIGHTS),
                    channel=channel,
                )
            )

    def _plan_case(self, plan: CasePlan) -> None:
        rng = self.rng
        state: dict[str, Any] = {}
        scenario, status = plan.scenario, plan.status
        at = plan.received

        def later(hours_low: float, hours_high: float) -> datetime:
            """The next step's moment: in office hours, after the last one, never ahead of
            the real now."""
            nonlocal at
            wanted = self._office(at + timedelta(hours=rng.uniform(hours_low, hours_high)))
            at = max(at + timedelta(seconds=1), min(wanted, cap))
            return at

        cap = self.real_now - timedelta(minutes=30)

        self._add(at, lambda: self._open(plan, state))
        if status == CaseStatus.NEW:
            return
        self._add(later(0.1, 3), lambda: self._first_contact(plan, state))
        self._add(later(0.5, 6), lambda: self._assign(plan, state))
        self._add(later(2, 48), lambda: self._diagnose(plan, state))
        if status == CaseStatus.OPEN:
            return
        waiting = scenario.waiting or (CaseStatus.WAITING_CUSTOMER if rng.random() < 0.3 else None)
        if status in (
            CaseStatus.WAITING_CUSTOMER,
            CaseStatus.WAITING_VENDOR,
            CaseStatus.WAITING_PARTS,
        ):
            waiting = status
        if waiting:
            self._add(later(0.5, 8), lambda: self._wait(plan, state, waiting))
            if status == waiting:
                return
            self._add(later(24, 120), lambda: self._unwait(plan, state, waiting))
        sold_or_repaired = plan.resolution in ("FIX-PART", "RMA-REP", "RMA-EXCH") or (
            scenario.parts and scenario.parts[0][0].startswith(("CS-", "LB-"))
        )
        if sold_or_repaired:
            self._add(later(2, 30), lambda: self._supplies(plan, state))
        self._add(later(1, 24), lambda: self._resolve(plan, state))
        if status == CaseStatus.RESOLVED:
            return
        if rng.random() < 0.08:  # the problem came back
            self._add(later(48, 200), lambda: self._reopen(plan, state))
            self._add(later(4, 48), lambda: self._resolve(plan, state))
        self._add(later(24, 240), lambda: self._close(plan, state))

    # --- one case's steps -----------------------------------------------------------------

    def _lang(self, customer: Customer) -> str:
        return customer.language if customer.language in ("de", "es") else "en"

    def _people(self, customer: Customer) -> tuple[User, User]:
        """The agent and the technician of the customer's country."""
        if customer.country == "ES":
            return self.staff["agent2"], self.staff["tech2"]
        return self.staff["agent1"], self.staff["tech1"]

    def _customer_for(self, plan: CasePlan) -> tuple[Customer, Unit | None]:
        registration = plan.registration
        if registration is None:
            customers = Customer.objects.filter(is_dealer=False, archived_at__isnull=True)
            return self.rng.choice(list(customers.order_by("id"))), None
        return registration.customer, registration.unit

    def _open(self, plan: CasePlan, state: dict[str, Any]) -> None:
        rng = self.rng
        customer, unit = self._customer_for(plan)
        language = self._lang(customer)
        subject, symptom, _diagnosis = plan.scenario.text[language]
        agent, _tech = self._people(customer)
        product = None
        if unit is None and plan.scenario.product:
            product = Product.objects.get(sku=plan.scenario.product)
        general, specific = plan.scenario.reason
        suggested = case_services.suggest_case_type(unit, timezone.localdate(plan.received))
        case_type, reason, actor = None, "", agent
        repair = plan.scenario.reason[0] == "HARD"
        if suggested == CaseType.BILLABLE and unit is not None and repair and rng.random() < 0.25:
            case_type, reason, actor = (
                CaseType.COURTESY,
                SAY["courtesy"][language],
                self.staff["lead1"],
            )
        elif (
            suggested == CaseType.WARRANTY
            and plan.scenario.reason[0] == "USER"
            and rng.random() < 0.3
        ):
            case_type, reason = CaseType.BILLABLE, SAY["not_covered"][language]
        team = self.teams["Soporte España" if customer.country == "ES" else "Support Deutschland"]
        contact = customer.contacts.filter(is_primary=True, archived_at__isnull=True).first()
        state["case"] = case_services.open_case(
            actor=None if plan.channel == Channel.WEB else actor,
            channel=plan.channel,
            customer=customer,
            contact=contact,
            unit=unit,
            product=product,
            subject=subject,
            symptom=symptom,
            case_type=case_type,
            case_type_reason=reason,
            priority=self.priorities[plan.priority],
            reason_general=self.reasons[general],
            reason_specific=self.reasons[specific] if specific else None,
            owner=None if plan.status == CaseStatus.NEW or plan.channel == Channel.WEB else agent,
            team=team,
            received_at=plan.received,
            promised_by=timezone.localdate(plan.received) + timedelta(days=rng.randrange(2, 10)),
        )
        state.update(language=language, agent=agent, tech=self._people(customer)[1])

    def _event(
        self,
        state: dict[str, Any],
        actor: User | None,
        kind: str,
        text: str,
        channel: str,
        **extra: Any,
    ) -> None:
        case_services.record_event(
            actor=actor,
            channel=channel,
            case=state["case"],
            event_type=kind,
            text=text,
            is_internal=kind == "note",
            **extra,
        )

    def _first_contact(self, plan: CasePlan, state: dict[str, Any]) -> None:
        language, agent = state["language"], state["agent"]
        if plan.channel in (Channel.PHONE, Channel.COUNTER):
            self._event(
                state,
                agent,
                "call_in",
                SAY["call"][language],
                Channel.PHONE,
                call_duration=self.rng.randrange(90, 900),
                call_outcome="reached",
            )
        elif plan.channel == Channel.SMS:
            self._event(state, agent, "sms_out", SAY["ack"][language], Channel.SMS)
            self._event(state, agent, "note", SAY["call"][language], Channel.UI)
        else:
            self._event(state, agent, "email_out", SAY["ack"][language], Channel.EMAIL)
            self._event(state, agent, "note", SAY["call"][language], Channel.UI)

    def _assign(self, plan: CasePlan, state: dict[str, Any]) -> None:
        hardware = plan.scenario.reason[0] == "HARD"
        owner = state["tech"] if hardware else state["agent"]
        actor = self.staff["lead1"] if hardware else state["agent"]
        team = self.teams["Werkstatt / Taller"] if plan.resolution.startswith("RMA") else None
        state["case"] = case_services.assign_case(
            actor=actor, channel=Channel.UI, case=state["case"], owner=owner, team=team
        )
        state["worker"] = owner

    def _fresh(self, state: dict[str, Any]) -> Case:
        state["case"] = Case.objects.get(pk=state["case"].pk)
        return state["case"]

    def _diagnose(self, plan: CasePlan, state: dict[str, Any]) -> None:
        case = self._fresh(state)
        diagnosis = plan.scenario.text[state["language"]][2]
        state["case"] = case_services.update_case(
            actor=state["worker"],
            channel=Channel.UI,
            case=case,
            version=case.version,
            diagnosis=diagnosis,
        )
        if case.product and case.product.sku in ("BA-P500", "BA-P700") and self.rng.random() < 0.5:
            day = timezone.localdate() + timedelta(days=2)
            self._event(
                state,
                state["agent"],
                "scheduling",
                SAY["visit"][state["language"]].format(day=f"{day:%d.%m.%Y}"),
                Channel.UI,
            )
        elif self.rng.random() < 0.3:
            self._event(
                state, state["worker"], "note", SAY["internal"][state["language"]], Channel.UI
            )

    def _wait(self, plan: CasePlan, state: dict[str, Any], waiting: str) -> None:
        language, worker = state["language"], state["worker"]
        note = (
            SAY["ask"][language]
            if waiting == CaseStatus.WAITING_CUSTOMER
            else SAY[waiting][language]
        )
        if waiting == CaseStatus.WAITING_CUSTOMER:
            if self.rng.random() < 0.3:
                self._event(
                    state,
                    state["agent"],
                    "call_out",
                    SAY["no_answer"][language],
                    Channel.PHONE,
                    call_duration=25,
                    call_outcome="not_reached",
                )
            self._event(state, state["agent"], "email_out", note, Channel.EMAIL)
        state["case"] = case_services.change_status(
            actor=worker, channel=Channel.UI, case=self._fresh(state), status=waiting, note=note
        )

    def _unwait(self, plan: CasePlan, state: dict[str, Any], waiting: str) -> None:
        language = state["language"]
        if waiting == CaseStatus.WAITING_CUSTOMER:
            uploads = []
            if plan.scenario.photo:
                uploads = [
                    case_services.Upload(name="foto_schaden.png", content=tiny_png(self.rng))
                ]
            # the customer's answer ends "waiting on customer" by itself
            case_services.record_event(
                actor=state["agent"],
                channel=Channel.EMAIL,
                case=self._fresh(state),
                event_type="email_in",
                text=SAY["reply"][language],
                is_internal=False,
                uploads=uploads,
            )
            return
        text = SAY["parts_in" if waiting == CaseStatus.WAITING_PARTS else "vendor_in"][language]
        state["case"] = case_services.change_status(
            actor=state["worker"],
            channel=Channel.UI,
            case=self._fresh(state),
            status=CaseStatus.OPEN,
            note=text,
        )

    def _supplies(self, plan: CasePlan, state: dict[str, Any]) -> None:
        case = self._fresh(state)
        for sku, quantity in plan.scenario.parts:
            if sku == "BURR":
                sku = (
                    "SP-BURR-G40"
                    if case.product and case.product.sku == "BA-G40"
                    else "SP-BURR-G10"
                )
            if sku == "LB-DIAG" and case.case_type != CaseType.BILLABLE:
                continue
            line = case_services.add_supply(
                actor=state["worker"],
                channel=Channel.UI,
                case=case,
                product=Product.objects.get(sku=sku),
                quantity=Decimal(quantity),
            )
            if self.rng.random() < 0.03:  # booked twice by mistake, taken off again
                case_services.remove_supply(
                    actor=state["worker"], channel=Channel.UI, case=case, line=line
                )

    def _resolve(self, plan: CasePlan, state: dict[str, Any]) -> None:
        language = state["language"]
        specific = self.resolutions[plan.resolution]
        solution = SOLUTIONS[plan.resolution][language]
        state["case"] = case_services.resolve_case(
            actor=state["worker"],
            channel=Channel.UI,
            case=self._fresh(state),
            resolution_general=specific.parent,
            resolution_specific=specific,
            solution=solution,
        )
        if plan.channel == Channel.EMAIL or self.rng.random() < 0.5:
            self._event(
                state,
                state["agent"],
                "email_out",
                SAY["done"][language].format(solution=solution),
                Channel.EMAIL,
            )
        else:
            self._event(
                state,
                state["agent"],
                "call_out",
                SAY["done"][language].format(solution=solution),
                Channel.PHONE,
                call_duration=self.rng.randrange(60, 300),
                call_outcome="reached",
            )

    def _reopen(self, plan: CasePlan, state: dict[str, Any]) -> None:
        state["case"] = case_services.reopen_case(
            actor=state["agent"],
            channel=Channel.PHONE,
            case=self._fresh(state),
            reason=SAY["reopen"][state["language"]],
        )

    def _close(self, plan: CasePlan, state: dict[str, Any]) -> None:
        actor = self.staff["backoffice1"] if self.rng.random() < 0.3 else state["agent"]
        state["case"] = case_services.close_case(
            actor=actor, channel=Channel.UI, case=self._fresh(state)
        )
