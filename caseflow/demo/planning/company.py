"""The demo company's history before its cases: catalogue, customers, sales orders,
registrations (and units sold on), service contracts.

`CompanyPlanner.plan` decides everything up front with the world's dice and adds one step
per business action; the steps call the services when the world replays them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from caseflow.catalog import services as catalog_services
from caseflow.catalog.models import Product, ProductKind, Unit
from caseflow.core.models import Channel
from caseflow.customers import services as customer_services
from caseflow.customers.models import Customer, CustomerKind
from caseflow.demo.data import CONTACT_TITLES, FIRST, HOME, LAST, PRO, PRODUCT_TYPES, PRODUCTS
from caseflow.demo.history import ascii_slug, weighted
from caseflow.demo.planning.people import customer_plan
from caseflow.demo.planning.world import World

Plan = dict[str, Any]  # one customer as customer_plan drew it
Sold = tuple[str, str, date, str]  # unit key (its serial), sku, order day, buyer key
Registered = tuple[str, str, date]  # unit key, customer key, registered on


class CompanyPlanner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng
        self.products: dict[str, Product] = {}
        self.customers: dict[str, Customer] = {}
        self.units: dict[str, Unit] = {}

    def plan(self, *, customers: int, units: int) -> None:
        """Three years of the company, as steps in the world."""
        self._plan_catalogue()
        dealers, organisations, people = self._plan_customers(customers)
        sold = self._plan_orders(units, dealers=dealers, organisations=organisations)
        registered, first_day = self._plan_registrations(
            sold, dealers=dealers, organisations=organisations, people=people
        )
        self._plan_resales(registered, people=people, first_day=first_day)
        for plan in people:  # people first heard of when they register, or any time
            world = self.world
            day = first_day.get(plan["key"]) or world.day(-self.rng.randrange(30, 3 * 365 - 60))
            world.add(world.at(day, 8), self._creator(plan))
        self._plan_contracts(registered, organisations=organisations)

    # --- the plan, step by step -----------------------------------------------------------

    def _plan_catalogue(self) -> None:
        world = self.world
        back = world.staff["backoffice1"]

        def catalogue() -> None:
            types = {
                code: catalog_services.create_product_type(
                    actor=back, channel=Channel.UI, code=code, name=name, names=names
                )
                for code, name, names in PRODUCT_TYPES
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

        world.add(world.at(world.day(-3 * 365 - 20), 9), catalogue)

    def _plan_customers(self, customers: int) -> tuple[list[Plan], list[Plan], list[Plan]]:
        """Who the customers are (dealers, organisations, people); dealers and organisations
        are there from the start, people join as they buy."""
        rng, world = self.rng, self.world
        dealers = max(2, customers * 6 // 100)
        organisations = max(2, customers * 24 // 100)
        people = max(2, customers - dealers - organisations)
        plans: list[Plan] = []
        for index in range(dealers + organisations + people):
            country = "DE" if rng.random() < 0.55 else "ES"
            kind = (
                "dealer"
                if index < dealers
                else "org"
                if index < dealers + organisations
                else "person"
            )
            plans.append(customer_plan(rng, f"c{index}", kind, country))
        for plan in plans[: dealers + organisations]:
            world.add(world.at(world.day(-3 * 365 - rng.randrange(-10, 15))), self._creator(plan))
        return (
            plans[:dealers],
            plans[dealers : dealers + organisations],
            plans[dealers + organisations :],
        )

    def _plan_orders(
        self, units: int, *, dealers: list[Plan], organisations: list[Plan]
    ) -> list[Sold]:
        """Dealers buy batches of home devices; organisations buy pro machines."""
        rng, world = self.rng, self.world
        serial_no: dict[str, int] = {}
        order_no = 10230
        sold: list[Sold] = []
        while len(sold) < units:
            order_no += rng.randrange(3, 40)
            to_org = rng.random() < 0.3
            buyer = rng.choice(organisations if to_org else dealers)
            day = world.day(-rng.randrange(45, 3 * 365 - 30))
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
            world.add(world.at(day, 11), self._order(number, buyer["key"], day, lines, keys))
        return sold

    def _plan_registrations(
        self,
        sold: list[Sold],
        *,
        dealers: list[Plan],
        organisations: list[Plan],
        people: list[Plan],
    ) -> tuple[list[Registered], dict[str, date]]:
        """Dealers' units go to people (and a few organisations) who bought them later;
        organisations register their own machines. One in ten stays unsold. Also the day
        each buyer first registered (a person becomes a customer with their first unit)."""
        rng, world = self.rng, self.world
        dealer_keys = {p["key"] for p in dealers}
        registered: list[Registered] = []
        first_day: dict[str, date] = {}
        people_queue = list(people)
        rng.shuffle(people_queue)
        sold.sort(key=lambda item: item[2])
        for index, (unit_key, _sku, day, buyer_key) in enumerate(sold):
            from_dealer = buyer_key in dealer_keys
            if from_dealer and rng.random() < 0.1:
                continue
            purchased = day + timedelta(days=rng.randrange(0, 120) if from_dealer else 0)
            purchased = min(purchased, world.day(-20))
            registered_on = min(purchased + timedelta(days=rng.randrange(0, 30)), world.day(-15))
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
                    owner = rng.choice(organisations)["key"]
            first_day[owner] = min(first_day.get(owner, registered_on), registered_on)
            world.add(
                world.at(registered_on, 15),
                self._registration(unit_key, owner, dealer_key, purchased, registered_on, how),
            )
            registered.append((unit_key, owner, registered_on))
        return registered, first_day

    def _plan_resales(
        self, registered: list[Registered], *, people: list[Plan], first_day: dict[str, date]
    ) -> None:
        """A few units change hands (sold on second-hand): the old registration ends."""
        rng, world = self.rng, self.world
        for unit_key, previous_owner, registered_on in rng.sample(
            registered, k=len(registered) // 40
        ):
            later = registered_on + timedelta(days=rng.randrange(120, 400))
            new_owner = rng.choice(people)["key"]
            if later < world.day(-30) and new_owner != previous_owner:
                first_day[new_owner] = min(first_day.get(new_owner, later), later)
                world.add(
                    world.at(later, 16),
                    self._registration(unit_key, new_owner, None, later, later, "phone"),
                )

    def _plan_contracts(self, registered: list[Registered], *, organisations: list[Plan]) -> None:
        """Organisations insure their machines after the warranty."""
        rng, world = self.rng, self.world
        by_owner: dict[str, list[tuple[str, date]]] = {}  # an organisation's own units
        for unit_key, owner_key, registered_on in registered:
            by_owner.setdefault(owner_key, []).append((unit_key, registered_on))
        for plan in organisations:
            owned = by_owner.get(plan["key"], [])
            if not owned or rng.random() < 0.35:
                continue
            starts = max(day for _k, day in owned) + timedelta(days=rng.randrange(300, 500))
            if starts > world.day(-5):
                starts = world.day(-rng.randrange(5, 60))
            ends = starts + timedelta(days=365 * rng.randrange(1, 4) - 1)
            level = weighted(rng, [("basic", 3), ("standard", 5), ("premium", 2)])
            keys = [k for k, _day in owned]
            world.add(world.at(starts, 10), self._contract(plan["key"], keys, level, starts, ends))

    # --- the steps: each calls the services when the world replays it ------------------------

    def _creator(self, plan: Plan) -> Callable[[], None]:
        staff = self.world.staff

        def create() -> None:
            person = plan["kind"] == "person"
            actor = staff["agent1" if plan["country"] == "DE" else "agent2"]
            if not person:
                actor = staff["backoffice1"]
            customer = customer_services.create_customer(
                actor=actor,
                channel=Channel.PHONE if person else Channel.UI,
                kind=CustomerKind.PERSON if person else CustomerKind.ORGANISATION,
                name=plan["name"],
                language=plan["language"],
                is_dealer=plan["kind"] == "dealer",
                region=self.world.regions[plan["region"]],
                vat_id=plan["vat_id"],
                account_manager=None if person else staff["lead1"],
                street=plan["street"],
                postal_code=plan["postal_code"],
                city=plan["city"],
                country=plan["country"],
                contact_name=plan["contact"],
                emails=plan["emails"],
                phones=plan["phones"],
            )
            if not person and self.rng.random() < 0.4:
                self._second_contact(actor, customer, plan)
            self.customers[plan["key"]] = customer

        return create

    def _second_contact(self, actor: Any, customer: Customer, plan: Plan) -> None:
        country = plan["country"]
        name = f"{self.rng.choice(FIRST[country])} {self.rng.choice(LAST[country])}"
        customer_services.add_contact(
            actor=actor,
            channel=Channel.UI,
            customer=customer,
            name=name,
            title=self.rng.choice(CONTACT_TITLES[country]),
            emails=[f"{ascii_slug(name).replace('-', '.')}@{plan['emails'][0].split('@')[1]}"]
            if plan["emails"]
            else [],
        )

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
        staff = self.world.staff

        def create() -> None:
            web = how == "web"
            catalog_services.register_unit(
                actor=None if web else staff["backoffice1" if how == "dealer" else "agent1"],
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
                actor=self.world.staff["backoffice1"],
                channel=Channel.UI,
                customer=self.customers[owner],
                units=[self.units[k] for k in units],
                level=level,
                starts_on=starts,
                ends_on=ends,
            )

        return create
