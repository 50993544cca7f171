from __future__ import annotations

from urllib.parse import urlencode

import pytest

from caseflow.catalog.tests.factories import RegistrationFactory
from caseflow.core.audit import first_broken_link
from caseflow.core.models import Channel
from caseflow.customers import services
from caseflow.customers.models import Customer
from caseflow.customers.tests.factories import (
    ContactFactory,
    ContactPointFactory,
    CustomerFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

NEW = {
    "kind": "organisation",
    "name": "Café Central GmbH",
    "city": "Wien",
    "country": "AT",
    "emails": ["Info@Cafe-Central.at"],
    "phones": ["+43 1 5333763"],
}


def test_create_and_read_customer(api_as, agent):
    region = RegionFactory()
    api = api_as(agent)

    response = api.post("/api/customers", {**NEW, "region_id": region.pk})

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "CU-000001"
    assert body["region"]["code"] == region.code
    assert body["version"] == 1
    [contact] = body["contacts"]
    assert contact["is_primary"]
    assert {p["value"] for p in contact["points"]} == {"info@cafe-central.at", "+4315333763"}

    detail = api.get(f"/api/customers/{body['id']}")
    assert detail.status_code == 200
    assert detail.json()["contacts"] == body["contacts"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"phones": ["12"]}, "phones[0]"),
        ({"emails": ["x@"]}, "emails[0]"),
        ({"kind": "company"}, "kind"),
        ({"name": ""}, "name"),
        ({"region_id": 999999}, "region_id"),
        ({"account_manager_id": 999999}, "account_manager_id"),
    ],
)
def test_create_customer_bad_input_is_422_naming_the_field(api_as, agent, change, field):
    response = api_as(agent).post("/api/customers", {**NEW, **change})

    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Customer.objects.count() == 0


def test_anonymous_is_401(client):
    assert client.get("/api/customers").status_code == 401
    assert client.get("/api/customers/lookup?phone=0171").status_code == 401
    response = client.post("/api/customers", NEW, content_type="application/json")
    assert response.status_code == 401


def test_wrong_role_is_403(api_as, technician):
    response = api_as(technician).post("/api/customers", NEW)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_unknown_customer_is_404(api_as, agent):
    api = api_as(agent)
    assert api.get("/api/customers/999999").status_code == 404
    assert api.patch("/api/customers/999999", {"version": 1, "city": "X"}).status_code == 404
    assert api.get("/api/customers/999999/contacts").status_code == 404


def test_patch_with_stale_version_is_409_and_changes_nothing(api_as, agent):
    api = api_as(agent)
    customer = api.post("/api/customers", NEW).json()
    url = f"/api/customers/{customer['id']}"

    first = api.patch(url, {"version": 1, "city": "Graz"})
    assert first.status_code == 200
    assert first.json()["version"] == 2

    stale = api.patch(url, {"version": 1, "city": "Linz"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert stale.json()["field"] == "version"
    assert api.get(url).json()["city"] == "Graz"


def test_patch_bad_input(api_as, agent):
    customer = CustomerFactory()
    api = api_as(agent)
    url = f"/api/customers/{customer.pk}"
    assert api.patch(url, {"city": "X"}).json()["field"] == "version"
    assert api.patch(url, {"version": 1, "name": None}).json()["field"] == "name"
    assert api.patch(url, {"version": 1, "region_id": 424242}).json()["field"] == "region_id"
    response = api.patch(url, {"version": 1, "region_id": None, "vat_id": None})
    assert response.status_code == 200


def test_list_is_keyset_paginated_and_filtered(api_as, agent):
    for name in ("Delta", "Alpha", "Charlie", "Bravo"):
        CustomerFactory(name=name)
    CustomerFactory(name="Echo", is_dealer=True)
    api = api_as(agent)

    first = api.get("/api/customers?limit=2").json()
    assert [c["name"] for c in first["items"]] == ["Alpha", "Bravo"]
    second = api.get(f"/api/customers?limit=2&cursor={first['next_cursor']}").json()
    assert [c["name"] for c in second["items"]] == ["Charlie", "Delta"]
    third = api.get(f"/api/customers?limit=2&cursor={second['next_cursor']}").json()
    assert [c["name"] for c in third["items"]] == ["Echo"]
    assert third["next_cursor"] is None

    dealers = api.get("/api/customers?is_dealer=true").json()
    assert [c["name"] for c in dealers["items"]] == ["Echo"]
    assert api.get("/api/customers?q=char").json()["items"][0]["name"] == "Charlie"
    assert api.get("/api/customers?cursor=garbage").status_code == 422
    assert api.get("/api/customers?limit=0").status_code == 422


def test_list_search_matches_any_word_of_the_name_without_accents(api_as, agent):
    for name in ("Heike Zimmermann", "Panadería Sol", "Bäckerei Schmidt GmbH", "Zimmerei Holz"):
        CustomerFactory(name=name)
    ContactFactory(customer=CustomerFactory(name="Kantine Nord"), name="Heike Zimmermann")
    api = api_as(agent)

    def found(q: str) -> list[str]:
        response = api.get("/api/customers?" + urlencode({"q": q}))
        assert response.status_code == 200, response.json()
        return [c["name"] for c in response.json()["items"]]

    assert found("Zimmermann") == ["Heike Zimmermann"]  # a surname; not the contact's
    assert found("zimmer") == ["Heike Zimmermann", "Zimmerei Holz"]
    assert found("panaderia") == ["Panadería Sol"]
    assert found("BAECKEREI schmidt") == ["Bäckerei Schmidt GmbH"]
    assert found("backerei") == ["Bäckerei Schmidt GmbH"]
    assert found("mmermann") == []  # words start where they start
    assert found("%") == []
    first = api.get("/api/customers?q=zimmer&limit=1").json()
    second = api.get(f"/api/customers?q=zimmer&limit=1&cursor={first['next_cursor']}").json()
    assert [c["name"] for c in first["items"] + second["items"]] == [
        "Heike Zimmermann",
        "Zimmerei Holz",
    ]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    region = RegionFactory()
    CustomerFactory.create_batch(rows, region=region)
    api = api_as(agent)
    api.get("/api/customers")  # token's last_used_at is touched once

    # token + user, customers with region
    with django_assert_max_num_queries(2):
        response = api.get("/api/customers?limit=50")
    assert len(response.json()["items"]) == rows


def _caller(agent):
    customer = services.create_customer(
        actor=agent,
        channel=Channel.PHONE,
        kind="person",
        name="Max Mustermann",
        phones=["0171 1234567"],
        emails=["max@example.de"],
    )
    RegistrationFactory(customer=customer)
    return customer


@pytest.mark.parametrize(
    "query",
    [
        "phone=0171%201234567",
        "phone=%2B49%20171%201234567",
        "phone=0049-171-1234567",
        "phone=(0171)%20123%2045%2067",
        "email=MAX@Example.DE",
        "number=cu-000001",
    ],
)
def test_lookup_finds_the_caller_with_units(api_as, agent, query):
    customer = _caller(agent)

    response = api_as(agent).get(f"/api/customers/lookup?{query}")

    assert response.status_code == 200
    [found] = response.json()
    assert found["id"] == customer.pk
    assert found["contacts"][0]["points"]
    [unit] = found["units"]
    assert unit["in_warranty"] is True
    assert unit["warranty_ends_on"]


def test_lookup_without_a_key_is_422_and_unknown_is_empty(api_as, agent):
    api = api_as(agent)
    assert api.get("/api/customers/lookup").status_code == 422
    assert api.get("/api/customers/lookup?phone=0171%209999999").json() == []


@pytest.mark.parametrize("rows", [3, 30])
def test_lookup_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    for _ in range(rows):
        contact = ContactFactory(is_primary=True)
        ContactPointFactory(contact=contact, kind="phone", value="+49301234567")
        RegistrationFactory(customer=contact.customer)
    api = api_as(agent)
    api.get("/api/customers/regions")

    # token, customers, contacts, points, registrations with unit and product
    with django_assert_max_num_queries(5):
        response = api.get("/api/customers/lookup?phone=030%201234567")
    assert len(response.json()) == rows
    assert all(len(c["units"]) == 1 for c in response.json())


def test_lookup_of_a_customer_without_live_contacts_answers_none_in_4_queries(
    api_as, agent, django_assert_max_num_queries
):
    customer = CustomerFactory()
    left = ContactFactory(customer=customer, is_primary=True, name="Left Company")
    services.archive_contact(actor=agent, channel=Channel.UI, contact=left)
    api = api_as(agent)
    api.get("/api/customers/regions")

    # token, customers, contacts (none: no points asked for), registrations
    with django_assert_max_num_queries(4):
        response = api.get(f"/api/customers/lookup?number={customer.number}")
    [found] = response.json()
    assert found["contacts"] == []
    assert found["units"] == []


def test_contacts_and_points(api_as, agent):
    customer = CustomerFactory()
    api = api_as(agent)
    base = f"/api/customers/{customer.pk}/contacts"

    created = api.post(base, {"name": "Anna", "phones": ["030 1234567"]})
    assert created.status_code == 201
    contact = created.json()
    assert contact["is_primary"]
    assert contact["points"][0]["value"] == "+49301234567"

    point = api.post(f"{base}/{contact['id']}/points", {"kind": "email", "value": "A@B.de"})
    assert point.status_code == 201
    assert point.json()["value"] == "a@b.de"
    bad = api.post(f"{base}/{contact['id']}/points", {"kind": "phone", "value": "nope"})
    assert (bad.status_code, bad.json()["field"]) == (422, "value")
    dup = api.post(f"{base}/{contact['id']}/points", {"kind": "email", "value": "a@b.de"})
    assert dup.status_code == 422

    renamed = api.patch(f"{base}/{contact['id']}", {"title": "Einkauf", "language": "es"})
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Einkauf"

    gone = api.delete(f"{base}/{contact['id']}/points/{point.json()['id']}")
    assert gone.status_code == 204
    assert api.delete(f"{base}/{contact['id']}/points/{point.json()['id']}").status_code == 404

    archived = api.post(f"{base}/{contact['id']}/archive")
    assert archived.json()["archived_at"]
    assert api.get(base).json() == []
    assert len(api.get(f"{base}?include_archived=true").json()) == 1

    other = CustomerFactory()
    assert api.patch(f"/api/customers/{other.pk}/contacts/{contact['id']}", {}).status_code == 404
    assert first_broken_link() is None


def test_archive_and_restore(api_as, agent, quality_manager):
    customer = CustomerFactory()
    api = api_as(agent)
    assert api.post(f"/api/customers/{customer.pk}/archive").json()["archived_at"]
    assert api.get("/api/customers").json()["items"] == []
    assert api.post(f"/api/customers/{customer.pk}/restore").json()["archived_at"] is None
    assert api_as(quality_manager).post(f"/api/customers/{customer.pk}/archive").status_code == 403
