"""The demo's cases: each planned whole up front (status, scenario, course), then replayed
step by step through the case services: opened, first contact, assigned, diagnosed, waiting
and back, supplies, resolved, reopened, closed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from caseflow.accounts.models import User
from caseflow.cases import services as case_services
from caseflow.cases.models import Case, CaseStatus, CaseType
from caseflow.catalog.models import Product, Registration, Unit
from caseflow.core.models import Channel
from caseflow.customers.models import Customer
from caseflow.demo.data import (
    CHANNEL_WEIGHTS,
    PRIORITY_WEIGHTS,
    SAY,
    SCENARIOS,
    SOLUTIONS,
    STATUS_WEIGHTS,
)
from caseflow.demo.history import CasePlan, fits, tiny_png, weighted
from caseflow.demo.planning.world import World


class CasePlanner:
    def __init__(self, world: World) -> None:
        self.world = world
        self.rng = world.rng

    def plan(self, count: int) -> None:
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
            received = self.world.at(self.world.day(-age))
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
            wanted = self.world.office(at + timedelta(hours=rng.uniform(hours_low, hours_high)))
            at = max(at + timedelta(seconds=1), min(wanted, cap))
            return at

        cap = self.world.real_now - timedelta(minutes=30)

        self.world.add(at, lambda: self._open(plan, state))
        if status == CaseStatus.NEW:
            return
        self.world.add(later(0.1, 3), lambda: self._first_contact(plan, state))
        self.world.add(later(0.5, 6), lambda: self._assign(plan, state))
        self.world.add(later(2, 48), lambda: self._diagnose(plan, state))
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
            self.world.add(later(0.5, 8), lambda: self._wait(plan, state, waiting))
            if status == waiting:
                return
            self.world.add(later(24, 120), lambda: self._unwait(plan, state, waiting))
        sold_or_repaired = plan.resolution in ("FIX-PART", "RMA-REP", "RMA-EXCH") or (
            scenario.parts and scenario.parts[0][0].startswith(("CS-", "LB-"))
        )
        if sold_or_repaired:
            self.world.add(later(2, 30), lambda: self._supplies(plan, state))
        self.world.add(later(1, 24), lambda: self._resolve(plan, state))
        if status == CaseStatus.RESOLVED:
            return
        if rng.random() < 0.08:  # the problem came back
            self.world.add(later(48, 200), lambda: self._reopen(plan, state))
            self.world.add(later(4, 48), lambda: self._resolve(plan, state))
        self.world.add(later(24, 240), lambda: self._close(plan, state))

    # --- one case's steps -----------------------------------------------------------------

    def _lang(self, customer: Customer) -> str:
        return customer.language if customer.language in ("de", "es") else "en"

    def _people(self, customer: Customer) -> tuple[User, User]:
        """The agent and the technician of the customer's country."""
        if customer.country == "ES":
            return self.world.staff["agent2"], self.world.staff["tech2"]
        return self.world.staff["agent1"], self.world.staff["tech1"]

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
                self.world.staff["lead1"],
            )
        elif (
            suggested == CaseType.WARRANTY
            and plan.scenario.reason[0] == "USER"
            and rng.random() < 0.3
        ):
            case_type, reason = CaseType.BILLABLE, SAY["not_covered"][language]
        team = self.world.teams[
            "Soporte España" if customer.country == "ES" else "Support Deutschland"
        ]
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
            priority=self.world.priorities[plan.priority],
            reason_general=self.world.reasons[general],
            reason_specific=self.world.reasons[specific] if specific else None,
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
        actor = self.world.staff["lead1"] if hardware else state["agent"]
        team = self.world.teams["Werkstatt / Taller"] if plan.resolution.startswith("RMA") else None
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
        specific = self.world.resolutions[plan.resolution]
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
        actor = self.world.staff["backoffice1"] if self.rng.random() < 0.3 else state["agent"]
        state["case"] = case_services.close_case(
            actor=actor, channel=Channel.UI, case=self._fresh(state)
        )
