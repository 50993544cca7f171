"""Arrangement for the desk's tests. Fixtures are prefixed by screen (`desk_case_` …) because
several screens' tests share this file. Business states are reached through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from caseflow.cases import services
from caseflow.cases.models import Case, Code
from caseflow.catalog.models import Product, Unit
from caseflow.catalog.tests.factories import (
    ProductFactory,
    ProductTypeFactory,
    RegistrationFactory,
    SparePartFactory,
)
from caseflow.core.models import Channel
from caseflow.customers.models import Customer
from caseflow.customers.tests.factories import ContactFactory, CustomerFactory

# --- case screens -------------------------------------------------------------------------


@pytest.fixture
def desk_case_customer(db) -> Customer:
    customer = CustomerFactory(name="Kaffeehaus Sonne GmbH")
    ContactFactory(customer=customer, name="Erika Mustermann", is_primary=True)
    return customer


@pytest.fixture
def desk_case_device(db) -> Product:
    return ProductFactory(
        sku="EM-2000", name="Espresso machine EM-2000", product_type=ProductTypeFactory()
    )


@pytest.fixture
def desk_case_unit(desk_case_customer, desk_case_device) -> Unit:
    """A unit registered to the customer 100 days ago: in warranty."""
    registration = RegistrationFactory(
        customer=desk_case_customer,
        unit__product=desk_case_device,
        unit__serial="EM2000-0001",
        purchased_on=timezone.localdate() - timedelta(days=100),
    )
    return registration.unit


@pytest.fixture
def desk_case_spare_part(db) -> Product:
    return SparePartFactory(sku="SP-PUMP", name="Pump")


@pytest.fixture
def desk_case_codes(db) -> dict[str, Code]:
    """The seeded starter codes (reason and resolution), by code."""
    return {c.code: c for c in Code.objects.all()}


@pytest.fixture
def desk_case_open(agent, desk_case_customer):
    """`desk_case_open(**overrides)` → a case opened through the service by `agent`."""

    def make(**overrides) -> Case:
        fields = {
            "actor": agent,
            "channel": Channel.PHONE,
            "customer": desk_case_customer,
            "subject": "Pump is loud",
            "symptom": "Loud rattling when brewing",
        }
        fields.update(overrides)
        return services.open_case(**fields)

    return make


@pytest.fixture
def desk_case(desk_case_open, desk_case_unit) -> Case:
    """A new case on the registered unit, not yet assigned."""
    return desk_case_open(unit=desk_case_unit)


# --- incoming call, customer and unit screens ---------------------------------------------


@pytest.fixture
def call_register(agent):
    """`call_register(customer, serial, days_ago=100, product=None)` → a registration made
    through the service (warranty: 24 months from the purchase)."""
    from caseflow.catalog.services import register_unit

    def register(customer, serial, *, days_ago=100, product=None):
        return register_unit(
            actor=agent,
            channel=Channel.PHONE,
            customer=customer,
            product=product or ProductFactory(warranty_months=24),
            serial=serial,
            purchased_on=timezone.localdate() - timedelta(days=days_ago),
        )

    return register


@pytest.fixture
def call_open_case(agent):
    """`call_open_case(customer, **fields)` → a case opened through the service."""

    def make(customer, **fields) -> Case:
        fields.setdefault("subject", "Pump is loud")
        return services.open_case(actor=agent, channel=Channel.PHONE, customer=customer, **fields)

    return make
