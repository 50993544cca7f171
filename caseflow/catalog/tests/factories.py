"""Factories for the catalogue; other apps' tests import them too (ProductFactory …)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caseflow.catalog.models import (
    ContractLevel,
    Product,
    ProductKind,
    ProductType,
    Registration,
    RegistrationChannel,
    SalesOrder,
    ServiceContract,
    Unit,
)
from caseflow.catalog.services import add_months
from caseflow.customers.tests.factories import CustomerFactory


class ProductTypeFactory(DjangoModelFactory):
    class Meta:
        model = ProductType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"TYPE{n}")
    name = factory.Sequence(lambda n: f"Espresso machines {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"EM-{n:05d}")
    name = factory.Sequence(lambda n: f"Espresso machine model {n}")
    kind = ProductKind.DEVICE
    is_serialised = True
    warranty_months = 24
    price = Decimal("499.00")
    cost = Decimal("250.00")


class SparePartFactory(ProductFactory):
    sku = factory.Sequence(lambda n: f"SP-{n:05d}")
    name = factory.Sequence(lambda n: f"Brew group gasket {n}")
    kind = ProductKind.SPARE_PART
    is_serialised = False
    warranty_months = 0
    price = Decimal("12.50")
    cost = Decimal("3.10")


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    product = factory.SubFactory(ProductFactory)
    serial = factory.Sequence(lambda n: f"SN{n:08d}")


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    unit = factory.SubFactory(UnitFactory)
    customer = factory.SubFactory(CustomerFactory)
    purchased_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    registered_on = factory.SelfAttribute("purchased_on")
    warranty_ends_on = factory.LazyAttribute(
        lambda o: add_months(o.purchased_on, o.unit.product.warranty_months)
    )
    channel = RegistrationChannel.PHONE


class ServiceContractFactory(DjangoModelFactory):
    class Meta:
        model = ServiceContract
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"SC-T-{n:05d}")
    customer = factory.SubFactory(CustomerFactory)
    level = ContractLevel.STANDARD
    # A month back: "today" differs by a day between time zones around midnight, and a
    # contract starting "today" would not yet cover a unit for a viewer west of the server.
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=365))

    @factory.post_generation
    def units(self, create: bool, extracted, **kwargs) -> None:
        if create and extracted:
            self.units.set(extracted)


class SalesOrderFactory(DjangoModelFactory):
    class Meta:
        model = SalesOrder

    number = factory.Sequence(lambda n: f"SO-{n:06d}")
    customer = factory.SubFactory(CustomerFactory)
    ordered_on = factory.LazyFunction(timezone.localdate)
