"""Factories for customers; other apps' tests import them too (CustomerFactory …)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from caseflow.customers.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    Customer,
    CustomerKind,
    Region,
)


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"Region {n}")
    country = "DE"


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    # "CU-T…" never collides with the numbers create_customer hands out ("CU-000001").
    number = factory.Sequence(lambda n: f"CU-T{n:06d}")
    kind = CustomerKind.ORGANISATION
    name = factory.Sequence(lambda n: f"Kaffeehaus {n} GmbH")
    language = "de"
    city = "Berlin"
    country = "DE"


class DealerFactory(CustomerFactory):
    name = factory.Sequence(lambda n: f"Händler {n} KG")
    is_dealer = True


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Erika Muster {n}")
    is_primary = False


class ContactPointFactory(DjangoModelFactory):
    class Meta:
        model = ContactPoint

    contact = factory.SubFactory(ContactFactory)
    customer = factory.SelfAttribute("contact.customer")
    kind = ContactPointKind.EMAIL
    value = factory.Sequence(lambda n: f"person{n}@example.com")
