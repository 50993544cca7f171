from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from caseflow.accounts.models import User
from caseflow.catalog.tests.factories import (
    ProductTypeFactory,
    RegistrationFactory,
    SalesOrderFactory,
    ServiceContractFactory,
)
from caseflow.customers.models import Customer
from caseflow.customers.tests.factories import ContactPointFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser(username="root", password="pw-for-tests-only")
    client.force_login(user)
    return client


def test_every_model_of_both_apps_is_registered():
    from django.apps import apps

    for label in ("customers", "catalog"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ == "SalesOrderLine":
                continue  # an inline of its order
            if model.__name__ == "NameWord":
                continue  # the name lookups' index, derived from the names
            assert admin.site.is_registered(model), model


def test_changelists_and_change_pages_load(superuser_client):
    registration = RegistrationFactory()
    point = ContactPointFactory()
    objects = [
        RegionFactory(),
        registration.customer,
        point.contact,
        point,
        ProductTypeFactory(),
        registration.unit.product,
        registration.unit,
        registration,
        ServiceContractFactory(units=[registration.unit]),
        SalesOrderFactory(),
    ]
    for obj in objects:
        meta = obj._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert superuser_client.get(changelist).status_code == 200, changelist
        assert superuser_client.get(changelist, {"q": "SN1"}).status_code == 200, changelist
        change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
        assert superuser_client.get(change).status_code == 200, change


def test_archive_action_goes_through_the_service(superuser_client):
    customer = RegistrationFactory().customer
    url = reverse("admin:customers_customer_changelist")
    response = superuser_client.post(
        url, {"action": "archive", "_selected_action": [customer.pk]}, follow=True
    )
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.archived_at is not None
    assert Customer.objects.get().version == 2
