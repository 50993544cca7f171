"""Factories for customers; other apps' tests import them too (CustomerFactory …)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from caseflow.customers.services import _index_names


def _name_index(customer_of: Callable[[Any], Customer]) -> factory.PostGeneration:
    """Factories bypass the services: keep the name index as the services would."""

    def index(obj: Any, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            _index_names(customer_of(obj))

    return factory.PostGeneration(index)


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
        skip_postgeneration_save = True

    # "CU-T…" never collides with the numbers create_customer hands out ("CU-000001").
    number = factory.Sequence(lambda n: f"CU-T{n:06d}")
    kind = CustomerKind.ORGANISATION
    name = factory.Sequence(lambda n: f"Kaffeehaus {n} GmbH")
    language = "de"
    city = "Berlin"
    country = "DE"
    name_index = _name_index(lambda customer: customer)


class DealerFactory(CustomerFactory):
    name = factory.Sequence(lambda n: f"Händler {n} KG")
    is_dealer = True


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Erika Muster {n}")
    is_primary = False
    name_index = _name_index(lambda contact: contact.customer)


class ContactPointFactory(DjangoModelFactory):
    class Meta:
        model = ContactPoint

    contact = factory.SubFactory(ContactFactory)
    customer = factory.SelfAttribute("contact.customer")
    kind = ContactPointKind.EMAIL
    value = factory.Sequence(lambda n: f"person{n}@example.com")
