"""The unit page: product, serial, registration and warranty, contracts, and the full
service history (source 004's "bitácora"), in a constant number of queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.accounts.models import Role
from caseflow.catalog.tests.factories import ServiceContractFactory
from caseflow.customers.tests.factories import CustomerFactory, DealerFactory
from caseflow.desk.selectors import HISTORY_PAGE

pytestmark = pytest.mark.django_db


def page(client, unit) -> str:
    response = client.get(reverse("desk:unit_detail", args=[unit.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_shows_registration_warranty_contracts_and_history(
    client, agent, call_customer, call_register, call_open_case
):
    from caseflow.catalog.services import register_unit

    first_owner = CustomerFactory(name="Erster Besitzer")
    old = call_register(first_owner, "EM2000-0001", days_ago=400)
    old_case = call_open_case(first_owner, unit=old.unit, subject="Descaling")
    registration = register_unit(
        actor=agent,
        channel="phone",
        customer=call_customer,
        unit=old.unit,
        purchased_on=old.purchased_on,
        dealer=DealerFactory(name="Kaffee-Handel KG"),
    )
    ServiceContractFactory(customer=call_customer, number="SC-T-1", units=[old.unit])
    new_case = call_open_case(call_customer, unit=old.unit, subject="Pump is loud")
    client.force_login(agent)

    html = page(client, old.unit)

    assert "EM2000-0001" in html and old.unit.product.name in html
    header = re.search(r'data-testid="registration".*?</dl>', html, re.S).group(0)
    assert "Erika Mustermann" in header and "Kaffee-Handel KG" in header
    assert registration.warranty_ends_on.strftime("%d/%m/%Y") in header
    assert 'data-testid="in-warranty"' in html
    assert "SC-T-1" in html
    history = re.search(r'data-testid="service-history".*?</table>', html, re.S).group(0)
    assert history.index(new_case.number) < history.index(old_case.number)  # newest first
    assert "Erster Besitzer" in html  # the earlier registration and its case


def test_history_pages_with_older(client, agent, call_customer, call_register, call_open_case):
    unit = call_register(call_customer, "EM2000-0001").unit
    cases = [call_open_case(call_customer, unit=unit) for _ in range(HISTORY_PAGE + 2)]
    client.force_login(agent)
    html = page(client, unit)
    assert html.count('data-testid="history-case"') == HISTORY_PAGE
    more = re.search(r'hx-get="([^"]+cursor=[^"]+)"', html).group(1)
    rest = client.get(more, headers={"HX-Request": "true"}).content.decode()
    assert rest.count('data-testid="history-case"') == 2
    assert cases[0].number in rest


def test_the_page_costs_the_same_for_3_and_30_cases(
    client, agent, call_customer, call_register, call_open_case, django_assert_max_num_queries
):
    few = call_register(call_customer, "FEW-1").unit
    many = call_register(call_customer, "MANY-1").unit
    for unit, count in ((few, 3), (many, 30)):
        for _ in range(count):
            call_open_case(call_customer, unit=unit)
        ServiceContractFactory(customer=call_customer, units=[unit])
    client.force_login(agent)
    # session, user, unit, active registration, covering contract, registrations,
    # contracts, history
    with django_assert_max_num_queries(8):
        small = page(client, few)
    with django_assert_max_num_queries(8):
        large = page(client, many)
    assert small.count('data-testid="history-case"') == 3
    assert large.count('data-testid="history-case"') == 30


def test_an_unregistered_unit_and_roles(client, agent, call_customer, call_register):
    from caseflow.catalog.tests.factories import UnitFactory

    unit = UnitFactory(serial="LOOSE-1")
    client.force_login(agent)
    html = page(client, unit)
    assert "Not registered" in html and "Never registered" in html

    registered = call_register(call_customer, "EM2000-0001").unit
    assert "New case on this unit" in page(client, registered)
    back_office = type(agent).objects.create_user("bo", role=Role.BACK_OFFICE)
    client.force_login(back_office)
    assert "New case on this unit" not in page(client, registered)


def test_unknown_unit_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("desk:unit_detail", args=[999999])).status_code == 404
