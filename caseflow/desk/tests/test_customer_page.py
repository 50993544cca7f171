"""The customer page: header, contacts, units with warranty, cases (keyset "more"), orders,
contracts — in a constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.accounts.models import Role
from caseflow.catalog.tests.factories import SalesOrderFactory, ServiceContractFactory
from caseflow.customers.tests.factories import RegionFactory
from caseflow.desk.selectors import CASES_PAGE

pytestmark = pytest.mark.django_db


def page(client, customer) -> str:
    response = client.get(reverse("desk:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_header_contacts_units_cases_orders_and_contracts(
    client, agent, call_customer, call_register, call_open_case
):
    from caseflow.customers.services import update_customer

    call_customer = update_customer(
        actor=agent,
        channel="ui",
        customer=call_customer,
        version=call_customer.version,
        region=RegionFactory(name="Berlin-Brandenburg"),
        account_manager=agent,
    )
    registration = call_register(call_customer, "EM2000-0001")
    ServiceContractFactory(
        customer=call_customer, number="SC-T-77", level="premium", units=[registration.unit]
    )
    SalesOrderFactory(customer=call_customer, number="SO-4711")
    case = call_open_case(call_customer, unit=registration.unit, subject="Milk frother leaks")
    client.force_login(agent)

    html = page(client, call_customer)

    assert call_customer.number in html and "Erika Mustermann" in html
    assert "Berlin-Brandenburg" in html and "Person" in html and "German" in html
    assert str(agent) in html  # account manager
    assert 'href="tel:+49301234567"' in html and 'href="mailto:erika@example.com"' in html
    assert "EM2000-0001" in html and 'data-testid="in-warranty"' in html
    assert "SC-T-77" in html and "Premium" in html
    assert "SO-4711" in html
    assert case.number in html and "Milk frother leaks" in html
    assert reverse("desk:unit_detail", args=[registration.unit.pk]) in html


def test_cases_page_through_newest_first_with_more(client, agent, call_customer, call_open_case):
    cases = [call_open_case(call_customer, subject=f"Case {n}") for n in range(CASES_PAGE + 5)]
    client.force_login(agent)
    html = page(client, call_customer)
    assert html.count('data-testid="customer-case"') == CASES_PAGE
    assert cases[-1].number in html and cases[0].number not in html
    more = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html).group(1).replace("&amp;", "&")

    response = client.get(more, headers={"HX-Request": "true"})
    rest = response.content.decode()
    assert rest.count('data-testid="customer-case"') == 5
    assert cases[0].number in rest
    assert "customer-cases-more" not in rest

    bad = client.get(
        reverse("desk:customer_cases", args=[call_customer.pk]),
        {"cursor": "garbage!"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 400


def test_the_page_costs_the_same_for_3_and_30_units_and_cases(
    client, agent, call_register, call_open_case, django_assert_max_num_queries
):
    from caseflow.customers.tests.factories import (
        ContactFactory,
        ContactPointFactory,
        CustomerFactory,
    )

    def customer_with(count: int, prefix: str):
        customer = CustomerFactory()
        ContactPointFactory(contact=ContactFactory(customer=customer, is_primary=True))
        for n in range(count):
            registration = call_register(customer, f"{prefix}{n:04d}")
            ServiceContractFactory(customer=customer, units=[registration.unit])
            call_open_case(customer, unit=registration.unit)
            SalesOrderFactory(customer=customer)
        return customer

    few, many = customer_with(3, "FEW"), customer_with(30, "MANY")
    client.force_login(agent)
    # session, user, customer, contacts, points, orders, order lines, contracts, contract
    # units, registrations, unit contracts, cases
    with django_assert_max_num_queries(12):
        small = page(client, few)
    with django_assert_max_num_queries(12):
        large = page(client, many)
    assert small.count('data-testid="unit-row"') == 3
    assert large.count('data-testid="unit-row"') == 30
    assert large.count('data-testid="customer-case"') == CASES_PAGE


def test_roles_see_what_they_may_do(client, call_customer, call_register, django_user_model):
    call_register(call_customer, "EM2000-0001")
    quality = django_user_model.objects.create_user("q", role=Role.QUALITY_MANAGER)
    client.force_login(quality)
    html = page(client, call_customer)
    assert "EM2000-0001" in html
    assert 'data-testid="new-case-on-unit"' not in html
    assert reverse("desk:case_new") not in html


def test_unknown_customer_and_anonymous(client, agent):
    assert client.get(reverse("desk:customer_detail", args=[1])).status_code == 302
    client.force_login(agent)
    assert client.get(reverse("desk:customer_detail", args=[999999])).status_code == 404
