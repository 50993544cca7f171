"""Arrangement for case tests: a customer with a contact, a registered unit in warranty,
one out of warranty, codes. Business states are reached through the services."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from caseflow.accounts.models import Team
from caseflow.cases import events, services
from caseflow.cases.models import Case, Code
from caseflow.catalog.models import Product, ProductKind, Registration, Unit
from caseflow.core.models import Channel
from caseflow.customers.models import Contact, ContactPoint, Customer


@pytest.fixture
def customer(db) -> Customer:
    customer = Customer.objects.create(number="CU-900001", kind="person", name="Erika Mustermann")
    contact = Contact.objects.create(customer=customer, name="Erika Mustermann", is_primary=True)
    ContactPoint.objects.create(
        contact=contact, customer=customer, kind="mobile", value="+491711234567"
    )
    return customer


@pytest.fixture
def other_customer(db) -> Customer:
    return Customer.objects.create(number="CU-900002", kind="organisation", name="Café Sol S.L.")


@pytest.fixture
def device(db) -> Product:
    return Product.objects.create(
        sku="EM-200",
        name="Espresso machine EM-200",
        kind=ProductKind.DEVICE,
        is_serialised=True,
        warranty_months=24,
        price=Decimal("499.00"),
    )


@pytest.fixture
def spare_part(db) -> Product:
    return Product.objects.create(
        sku="SP-PUMP", name="Pump", kind=ProductKind.SPARE_PART, price=Decimal("39.90")
    )


def _registered(customer: Customer, product: Product, serial: str, purchased: date) -> Unit:
    unit = Unit.objects.create(product=product, serial=serial)
    Registration.objects.create(
        unit=unit,
        customer=customer,
        purchased_on=purchased,
        registered_on=purchased,
        warranty_ends_on=purchased + timedelta(days=730),
        channel="card",
    )
    return unit


@pytest.fixture
def unit_in_warranty(customer, device) -> Unit:
    return _registered(customer, device, "EM200-0001", timezone.localdate() - timedelta(days=100))


@pytest.fixture
def unit_out_of_warranty(customer, device) -> Unit:
    return _registered(customer, device, "EM200-0002", timezone.localdate() - timedelta(days=1000))


@pytest.fixture
def codes(db) -> dict[str, Code]:
    """The seeded starter codes, by code."""
    return {c.code: c for c in Code.objects.all()}


@pytest.fixture
def colleagues(agent, technician) -> Team:
    """`agent` and `technician` in one team: the agent may give cases to the technician."""
    team = Team.objects.create(name="Support")
    team.members.add(agent, technician)
    return team


@pytest.fixture
def open_case(agent, customer):
    """`open_case(**overrides)` → a case opened through the service by `agent`."""

    def make(**overrides) -> Case:
        fields = {
            "actor": agent,
            "channel": Channel.PHONE,
            "customer": customer,
            "subject": "Pump is loud",
            "symptom": "Loud rattling when brewing",
        }
        fields.update(overrides)
        return services.open_case(**fields)

    return make


@pytest.fixture
def received():
    """Subscribe a recorder to every kind; unsubscribed afterwards."""
    seen: list[events.CaseEvent] = []
    events.subscribe(events.ANY, seen.append, name="test.recorder")
    yield seen
    events.unsubscribe("test.recorder")
