from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from caseflow.catalog.models import Registration, SalesOrder, Unit
from caseflow.catalog.tests.factories import (
    ProductFactory,
    ProductTypeFactory,
    RegistrationFactory,
    SalesOrderFactory,
    ServiceContractFactory,
    SparePartFactory,
    UnitFactory,
)
from caseflow.core.audit import first_broken_link
from caseflow.customers.tests.factories import CustomerFactory, DealerFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- products ---------------------------------------------------------------------------------


def test_product_types_and_products(api_as, back_office, agent):
    api = api_as(back_office)
    family = api.post("/api/catalog/product-types", {"code": "ESP", "name": "Espresso"})
    assert family.status_code == 201
    assert api.post("/api/catalog/product-types", {"code": "ESP", "name": "X"}).status_code == 422

    created = api.post(
        "/api/catalog/products",
        {
            "sku": "EM-100",
            "name": "Barista Pro",
            "kind": "device",
            "product_type_id": family.json()["id"],
            "is_serialised": True,
            "warranty_months": 24,
            "price": "899.00",
        },
    )
    assert created.status_code == 201, created.json()
    product = created.json()
    assert product["product_type"]["code"] == "ESP"
    assert product["price"] == "899.00"

    url = f"/api/catalog/products/{product['id']}"
    assert api.patch(url, {"version": 1, "name": "Barista Pro 2"}).json()["version"] == 2
    stale = api.patch(url, {"version": 1, "name": "Nope"})
    assert stale.status_code == 409
    assert api.get(url).json()["name"] == "Barista Pro 2"

    reader = api_as(agent)
    assert reader.get(url).status_code == 200
    new = {"sku": "X", "name": "X", "kind": "device"}
    assert reader.post("/api/catalog/products", new).status_code == 403
    assert [t["code"] for t in reader.get("/api/catalog/product-types").json()] == ["ESP"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "gadget"}, "kind"),
        ({"price": "-1"}, "price"),
        ({"product_type_id": 99999}, "product_type_id"),
        ({"sku": ""}, "sku"),
    ],
)
def test_create_product_bad_input(api_as, back_office, change, field):
    body = {"sku": "EM-1", "name": "X", "kind": "device", **change}
    response = api_as(back_office).post("/api/catalog/products", body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_products_list_paginates_and_filters(api_as, agent):
    for sku in ("C-1", "A-1", "B-1"):
        ProductFactory(sku=sku)
    SparePartFactory(sku="D-1")
    api = api_as(agent)
    first = api.get("/api/catalog/products?limit=2").json()
    assert [p["sku"] for p in first["items"]] == ["A-1", "B-1"]
    rest = api.get(f"/api/catalog/products?limit=2&cursor={first['next_cursor']}").json()
    assert [p["sku"] for p in rest["items"]] == ["C-1", "D-1"]
    parts = api.get("/api/catalog/products?kind=spare_part").json()
    assert [p["sku"] for p in parts["items"]] == ["D-1"]
    assert api.get("/api/catalog/products?kind=gadget").status_code == 422


def test_anonymous_and_unknown(client, api_as, agent):
    assert client.get("/api/catalog/products").status_code == 401
    assert client.get("/api/catalog/units/1").status_code == 401
    api = api_as(agent)
    for path in (
        "/api/catalog/products/999",
        "/api/catalog/units/999",
        "/api/catalog/units/999/history",
        "/api/catalog/contracts/999",
        "/api/catalog/orders/999",
    ):
        assert api.get(path).status_code == 404, path


# --- units --------------------------------------------------------------------------------------


def test_create_unit_and_find_it_by_serial(api_as, agent):
    product = ProductFactory()
    other = UnitFactory(serial="SN-1")  # the same serial on another product
    api = api_as(agent)

    created = api.post("/api/catalog/units", {"product_id": product.pk, "serial": "SN-1"})
    assert created.status_code == 201
    assert created.json()["registration"] is None
    assert created.json()["warranty"]["covered"] is False

    found = api.get("/api/catalog/units?serial=SN-1").json()["items"]
    assert {u["product"]["id"] for u in found} == {product.pk, other.product_id}
    assert api.get("/api/catalog/units?serial=SN-2").json()["items"] == []


def test_units_are_found_by_serial_in_any_letter_case(api_as, agent):
    unit = UnitFactory(serial="BE2-2512-00264")
    UnitFactory(serial="BE2-2512-00265")
    api = api_as(agent)

    for typed in ("be2-2512-00264", "Be2-2512-00264", " BE2-2512-00264 "):
        response = api.get("/api/catalog/units?" + urlencode({"serial": typed}))
        assert response.status_code == 200
        assert [u["id"] for u in response.json()["items"]] == [unit.pk], typed
        assert response.json()["items"][0]["serial"] == "BE2-2512-00264"


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"serial": "bad serial!"}, 422, "serial"),
        ({"serial": "DUP"}, 422, "serial"),
        ({"product_id": 99999}, 422, "product_id"),
        ({"product": "part"}, 422, "product_id"),
    ],
)
def test_create_unit_bad_input(api_as, agent, body, status, field):
    product = ProductFactory()
    UnitFactory(product=product, serial="DUP")
    payload = {"product_id": product.pk, "serial": "NEW", **body}
    if payload.pop("product", None) == "part":
        payload["product_id"] = SparePartFactory().pk
    response = api_as(agent).post("/api/catalog/units", payload)
    assert response.status_code == status
    assert response.json()["field"] == field


def test_unit_detail_shows_warranty_and_contract(api_as, agent):
    registration = RegistrationFactory(
        purchased_on=date(2020, 1, 1),
        registered_on=date(2020, 1, 2),
        warranty_ends_on=date(2022, 1, 1),
    )
    unit = registration.unit
    api = api_as(agent)
    body = api.get(f"/api/catalog/units/{unit.pk}").json()
    assert body["registration"]["customer"]["id"] == registration.customer_id
    assert body["warranty"]["in_warranty"] is False
    assert body["warranty"]["covered"] is False

    contract = ServiceContractFactory(
        units=[unit], level="premium", starts_on=TODAY() - timedelta(days=10)
    )
    body = api.get(f"/api/catalog/units/{unit.pk}").json()
    assert body["warranty"]["under_contract"] is True
    assert body["warranty"]["contract_level"] == "premium"
    assert body["warranty"]["contract_number"] == contract.number
    assert body["warranty"]["covered"] is True


def test_unit_history_lists_its_cases_newest_first(api_as, agent):
    from caseflow.cases.models import Case, Priority

    unit = UnitFactory()
    customer = CustomerFactory()
    priority = Priority.objects.first() or Priority.objects.create(
        code="P3", name="Normal", rank=3, response_minutes=60, resolution_minutes=600
    )
    now = timezone.now()
    for days, number in ((3, "C-1"), (1, "C-2")):
        Case.objects.create(
            number=number,
            channel="phone",
            customer=customer,
            unit=unit,
            subject=f"Case {number}",
            case_type="warranty",
            suggested_case_type="warranty",
            priority=priority,
            received_at=now - timedelta(days=days),
        )
    body = api_as(agent).get(f"/api/catalog/units/{unit.pk}/history").json()
    assert [c["number"] for c in body["items"]] == ["C-2", "C-1"]
    assert set(body["items"][0]) == {"id", "number", "subject", "status", "received_at"}


@pytest.mark.parametrize("rows", [3, 30])
def test_units_list_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    for _ in range(rows):
        RegistrationFactory()
    api = api_as(agent)
    api.get("/api/catalog/product-types")

    # token + user, units with product, active registrations with customer and dealer
    with django_assert_max_num_queries(3):
        response = api.get("/api/catalog/units")
    assert len(response.json()["items"]) == rows
    assert all(u["registration"] for u in response.json()["items"])


@pytest.mark.parametrize("rows", [3, 30])
def test_products_list_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    ProductFactory.create_batch(rows, product_type=ProductTypeFactory())
    api = api_as(agent)
    api.get("/api/catalog/product-types")
    with django_assert_max_num_queries(2):
        response = api.get("/api/catalog/products")
    assert len(response.json()["items"]) == rows


# --- registrations ------------------------------------------------------------------------------


def test_register_unit_through_the_api(api_as, agent):
    product = ProductFactory(warranty_months=12)
    customer = CustomerFactory()
    dealer = DealerFactory()
    api = api_as(agent)

    response = api.post(
        "/api/catalog/registrations",
        {
            "product_id": product.pk,
            "serial": "SN-77",
            "customer_id": customer.pk,
            "dealer_id": dealer.pk,
            "purchased_on": "2025-01-31",
            "registered_on": "2025-02-01",
            "channel": "card",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["warranty_ends_on"] == "2026-01-31"
    assert body["serial"] == "SN-77"
    assert body["dealer"]["id"] == dealer.pk

    listed = api.get(f"/api/catalog/registrations?customer_id={customer.pk}").json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert first_broken_link() is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dealer": "customer"}, "dealer_id"),
        ({"dealer_id": 99999}, "dealer_id"),
        ({"customer_id": 99999}, "customer_id"),
        ({"unit_id": 99999}, "unit_id"),
        ({"purchased_on": "future"}, "purchased_on"),
        ({"purchased_on": "not a date"}, "purchased_on"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_register_unit_bad_input(api_as, agent, change, field):
    unit = UnitFactory()
    body = {"unit_id": unit.pk, "customer_id": CustomerFactory().pk, "purchased_on": "2025-01-01"}
    body.update(change)
    if body.pop("dealer", None) == "customer":
        body["dealer_id"] = CustomerFactory().pk
    if body["purchased_on"] == "future":
        body["purchased_on"] = (TODAY() + timedelta(days=2)).isoformat()
    response = api_as(agent).post("/api/catalog/registrations", body)
    assert response.status_code == 422, response.json()
    assert response.json()["field"] == field
    assert Registration.objects.count() == 0


def test_register_needs_the_role(api_as, quality_manager):
    body = {
        "unit_id": UnitFactory().pk,
        "customer_id": CustomerFactory().pk,
        "purchased_on": "2025-01-01",
    }
    assert api_as(quality_manager).post("/api/catalog/registrations", body).status_code == 403


# --- contracts ----------------------------------------------------------------------------------


def test_contracts_create_update_archive(api_as, back_office, agent):
    unit = UnitFactory()
    customer = CustomerFactory()
    api = api_as(back_office)

    created = api.post(
        "/api/catalog/contracts",
        {
            "customer_id": customer.pk,
            "unit_ids": [unit.pk],
            "level": "standard",
            "starts_on": "2025-01-01",
            "ends_on": "2025-12-31",
        },
    )
    assert created.status_code == 201, created.json()
    contract = created.json()
    assert contract["unit_ids"] == [unit.pk]
    url = f"/api/catalog/contracts/{contract['id']}"

    patched = api.patch(url, {"version": 1, "level": "premium", "unit_ids": []})
    assert patched.status_code == 200
    assert (patched.json()["level"], patched.json()["unit_ids"]) == ("premium", [])
    assert api.patch(url, {"version": 1, "level": "basic"}).status_code == 409
    bad = api.patch(url, {"version": 2, "unit_ids": [unit.pk, 99999]})
    assert (bad.status_code, bad.json()["field"]) == (422, "unit_ids[1]")
    dates = api.patch(url, {"version": 2, "ends_on": "2024-01-01"})
    assert (dates.status_code, dates.json()["field"]) == (422, "ends_on")

    assert api.post(f"{url}/archive").json()["archived_at"]
    assert api.get("/api/catalog/contracts").json()["items"] == []
    assert len(api.get("/api/catalog/contracts?include_archived=true").json()["items"]) == 1
    assert api_as(agent).post("/api/catalog/contracts", {}).status_code == 422
    assert api_as(agent).post(f"{url}/archive").status_code == 403


@pytest.mark.parametrize("rows", [3, 30])
def test_contracts_list_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ServiceContractFactory(units=[UnitFactory(), UnitFactory()])
    api = api_as(agent)
    api.get("/api/catalog/product-types")
    with django_assert_max_num_queries(3):
        response = api.get("/api/catalog/contracts")
    assert len(response.json()["items"]) == rows


# --- orders -------------------------------------------------------------------------------------


def test_orders_create_list_get(api_as, back_office, agent):
    device = ProductFactory()
    part = SparePartFactory()
    customer = CustomerFactory()
    api = api_as(back_office)

    created = api.post(
        "/api/catalog/orders",
        {
            "number": "A-4711",
            "customer_id": customer.pk,
            "ordered_on": "2025-03-01",
            "lines": [
                {
                    "product_id": device.pk,
                    "quantity": "2",
                    "unit_price": "499",
                    "serials": ["S1", "S2"],
                },
                {"product_id": part.pk, "quantity": "5", "unit_price": "2.50"},
            ],
        },
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert [line["serials"] for line in order["lines"]] == [["S1", "S2"], []]
    assert Unit.objects.filter(product=device).count() == 2

    reader = api_as(agent)
    assert reader.get(f"/api/catalog/orders/{order['id']}").json()["number"] == "A-4711"
    assert reader.get("/api/catalog/orders?number=A-4711").json()["items"][0]["id"] == order["id"]
    assert reader.post("/api/catalog/orders", {}).status_code == 422

    again = {
        "number": "A-4711",
        "customer_id": customer.pk,
        "ordered_on": "2025-03-01",
        "lines": [{"product_id": part.pk, "quantity": 1}],
    }
    dup = api.post("/api/catalog/orders", again)
    assert (dup.status_code, dup.json()["code"], dup.json()["field"]) == (
        422,
        "duplicate",
        "number",
    )


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"product_id": 99999}, "lines[0].product_id"),
        ({"serials": ["bad serial!"]}, "lines[0].serials[0]"),
        ({"quantity": "0"}, "lines.0.quantity"),
    ],
)
def test_create_order_bad_lines(api_as, back_office, line, field):
    product = ProductFactory()
    body = {
        "number": "B-1",
        "customer_id": CustomerFactory().pk,
        "ordered_on": "2025-03-01",
        "lines": [{"product_id": product.pk, "quantity": "1", **line}],
    }
    response = api_as(back_office).post("/api/catalog/orders", body)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert SalesOrder.objects.count() == 0


@pytest.mark.parametrize("rows", [3, 30])
def test_orders_list_query_count_is_constant(api_as, agent, rows, django_assert_max_num_queries):
    from caseflow.catalog.models import SalesOrderLine

    product = ProductFactory()
    for _ in range(rows):
        order = SalesOrderFactory()
        line = SalesOrderLine.objects.create(order=order, position=1, product=product, quantity=1)
        line.units.set([UnitFactory(product=product)])
    api = api_as(agent)
    api.get("/api/catalog/product-types")
    # token + user, orders with customer and dealer, lines with product, line units
    with django_assert_max_num_queries(4):
        response = api.get("/api/catalog/orders")
    assert len(response.json()["items"]) == rows
