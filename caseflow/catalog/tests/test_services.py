from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from caseflow.catalog import services
from caseflow.catalog.models import Registration, SalesOrder, Unit
from caseflow.catalog.selectors import warranty_status
from caseflow.catalog.services import add_months
from caseflow.catalog.tests.factories import (
    ProductFactory,
    ProductTypeFactory,
    RegistrationFactory,
    SparePartFactory,
    UnitFactory,
)
from caseflow.core.audit import first_broken_link
from caseflow.core.errors import Conflict, DomainError, NotAllowed
from caseflow.core.models import AuditEntry, Channel
from caseflow.customers.tests.factories import CustomerFactory, DealerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 11, 15), 2, date(2026, 1, 15)),
        (date(2025, 12, 31), 24, date(2027, 12, 31)),
        (date(2025, 5, 10), 0, date(2025, 5, 10)),
    ],
)
def test_add_months_is_calendar_correct(start, months, end):
    assert add_months(start, months) == end


# --- products ---------------------------------------------------------------------------------


def test_create_and_update_product(back_office):
    family = services.create_product_type(
        actor=back_office, channel=Channel.UI, code="ESP", name="Espresso machines"
    )
    product = services.create_product(
        actor=back_office,
        channel=Channel.UI,
        sku=" EM-100 ",
        name="Barista Pro",
        kind="device",
        product_type=family,
        is_serialised=True,
        warranty_months=24,
        price="899.00",
    )
    assert product.sku == "EM-100"
    assert product.price == Decimal("899.00")
    assert product.currency == "EUR"

    updated = services.update_product(
        actor=back_office, channel=Channel.UI, product=product, version=1, price=Decimal("849")
    )
    assert updated.version == 2
    entry = AuditEntry.objects.get(action="catalog.product_updated")
    assert entry.before == {"price": "899.00"}
    assert entry.after == {"price": "849"}

    with pytest.raises(Conflict):
        services.update_product(
            actor=back_office, channel=Channel.UI, product=product, version=1, name="Nope"
        )
    product.refresh_from_db()
    assert product.name == "Barista Pro"
    assert first_broken_link() is None


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"sku": ""}, "sku"),
        ({"kind": "gadget"}, "kind"),
        ({"price": "-1"}, "price"),
        ({"price": "abc"}, "price"),
        ({"tax_rate": "120"}, "tax_rate"),
        ({"currency": "EURO"}, "currency"),
    ],
)
def test_create_product_refuses_bad_input(back_office, kwargs, field):
    values = {"sku": "EM-1", "name": "X", "kind": "device"}
    values.update(kwargs)
    with pytest.raises(DomainError) as exc:
        services.create_product(actor=back_office, channel=Channel.UI, **values)
    assert exc.value.field == field


def test_create_product_refuses_duplicate_sku_and_wrong_role(back_office, agent):
    ProductFactory(sku="EM-1")
    with pytest.raises(DomainError) as exc:
        services.create_product(
            actor=back_office, channel=Channel.UI, sku="EM-1", name="X", kind="device"
        )
    assert (exc.value.field, exc.value.code) == ("sku", "duplicate")
    with pytest.raises(NotAllowed):
        services.create_product(
            actor=agent, channel=Channel.UI, sku="EM-2", name="X", kind="device"
        )
    with pytest.raises(NotAllowed):
        services.create_product_type(actor=agent, channel=Channel.UI, code="X", name="X")
    ProductTypeFactory(code="ESP")
    with pytest.raises(DomainError) as exc:
        services.create_product_type(actor=back_office, channel=Channel.UI, code="ESP", name="Y")
    assert exc.value.field == "code"


def test_product_with_units_stays_serialised(back_office):
    unit = UnitFactory()
    with pytest.raises(DomainError) as exc:
        services.update_product(
            actor=back_office,
            channel=Channel.UI,
            product=unit.product,
            version=1,
            is_serialised=False,
        )
    assert exc.value.field == "is_serialised"


# --- units --------------------------------------------------------------------------------------


def test_create_unit(agent):
    product = ProductFactory()
    unit = services.create_unit(actor=agent, channel=Channel.PHONE, product=product, serial="A-1")
    assert unit.serial == "A-1"
    assert AuditEntry.objects.get(chain=f"catalog.unit:{unit.pk}").action == "catalog.unit_created"


def test_create_unit_refuses_bad_serial_duplicates_and_unserialised(agent):
    product = ProductFactory()
    UnitFactory(product=product, serial="A-1")

    with pytest.raises(DomainError) as exc:
        services.create_unit(actor=agent, channel=Channel.UI, product=product, serial="bad serial!")
    assert (exc.value.field, exc.value.code) == ("serial", "invalid_serial")
    with pytest.raises(DomainError) as exc:
        services.create_unit(actor=agent, channel=Channel.UI, product=product, serial="A-1")
    assert (exc.value.field, exc.value.code) == ("serial", "duplicate_serial")
    with pytest.raises(DomainError) as exc:
        services.create_unit(
            actor=agent, channel=Channel.UI, product=SparePartFactory(), serial="A-2"
        )
    assert exc.value.field == "product_id"
    # the same serial on another product is a different unit
    other = services.create_unit(
        actor=agent, channel=Channel.UI, product=ProductFactory(), serial="A-1"
    )
    assert Unit.objects.filter(serial="A-1").count() == 2
    assert other.pk


def test_create_unit_needs_the_role(quality_manager):
    with pytest.raises(NotAllowed):
        services.create_unit(
            actor=quality_manager, channel=Channel.UI, product=ProductFactory(), serial="A"
        )


# --- registrations ------------------------------------------------------------------------------


def test_register_unit_derives_warranty_end(agent):
    unit = UnitFactory(product__warranty_months=1)
    customer = CustomerFactory()
    dealer = DealerFactory()

    registration = services.register_unit(
        actor=agent,
        channel=Channel.PHONE,
        unit=unit,
        customer=customer,
        dealer=dealer,
        purchased_on=date(2024, 1, 31),
        registered_on=date(2024, 2, 3),
        channel_of_registration="card",
    )

    assert registration.warranty_ends_on == date(2024, 2, 29)
    assert registration.dealer == dealer
    entry = AuditEntry.objects.get(action="catalog.unit_registered")
    assert entry.chain == f"catalog.unit:{unit.pk}"
    assert entry.after["warranty_ends_on"] == "2024-02-29"


def test_register_unit_by_product_and_serial_creates_the_unit(agent):
    product = ProductFactory(warranty_months=24)
    today = timezone.localdate()
    registration = services.register_unit(
        actor=agent,
        channel=Channel.PHONE,
        product=product,
        serial="NEW-1",
        customer=CustomerFactory(),
        purchased_on=today,
    )
    assert registration.unit.serial == "NEW-1"
    assert registration.registered_on == today
    assert registration.warranty_ends_on == add_months(today, 24)
    assert first_broken_link() is None


def test_reregistering_ends_the_previous_registration(agent):
    first = RegistrationFactory()
    new_owner = CustomerFactory()

    second = services.register_unit(
        actor=agent,
        channel=Channel.PHONE,
        unit=first.unit,
        customer=new_owner,
        purchased_on=timezone.localdate() - timedelta(days=1),
    )

    first.refresh_from_db()
    assert first.ended_at is not None
    assert second.ended_at is None
    assert Registration.objects.filter(unit=first.unit, ended_at__isnull=True).get() == second
    with pytest.raises(DomainError) as exc:
        services.register_unit(
            actor=agent,
            channel=Channel.PHONE,
            unit=first.unit,
            customer=new_owner,
            purchased_on=timezone.localdate(),
        )
    assert exc.value.code == "already_registered"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"purchased_on": timezone.localdate() + timedelta(days=3)}, "purchased_on"),
        (
            {
                "purchased_on": timezone.localdate() - timedelta(days=3),
                "registered_on": timezone.localdate() - timedelta(days=5),
            },
            "registered_on",
        ),
        ({"dealer": "not-a-dealer"}, "dealer_id"),
        ({"unit": None}, "unit_id"),
        ({"unit": None, "product": "p", "serial": "bad serial!"}, "serial"),
        ({"channel_of_registration": "fax"}, "channel"),
    ],
)
def test_register_unit_refuses_bad_input_and_writes_nothing(agent, kwargs, field):
    unit = UnitFactory()
    values = {
        "unit": unit,
        "customer": CustomerFactory(),
        "purchased_on": timezone.localdate() - timedelta(days=10),
    }
    values.update(kwargs)
    if values.get("dealer") == "not-a-dealer":
        values["dealer"] = CustomerFactory()
    if values.get("product") == "p":
        values["product"] = unit.product

    with pytest.raises(DomainError) as exc:
        services.register_unit(actor=agent, channel=Channel.PHONE, **values)

    assert exc.value.field == field
    assert Registration.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_register_unit_needs_the_role(quality_manager):
    with pytest.raises(NotAllowed):
        services.register_unit(
            actor=quality_manager,
            channel=Channel.UI,
            unit=UnitFactory(),
            customer=CustomerFactory(),
            purchased_on=timezone.localdate(),
        )


# --- contracts ----------------------------------------------------------------------------------


def test_contract_extends_coverage_after_the_warranty(back_office):
    registration = RegistrationFactory(
        purchased_on=date(2020, 1, 1),
        registered_on=date(2020, 1, 2),
        warranty_ends_on=date(2022, 1, 1),
    )
    unit = registration.unit
    on = date(2023, 6, 1)
    assert not warranty_status(unit, on).covered

    contract = services.create_service_contract(
        actor=back_office,
        channel=Channel.UI,
        customer=registration.customer,
        units=[unit],
        level="premium",
        starts_on=date(2023, 1, 1),
        ends_on=date(2024, 12, 31),
    )

    status = warranty_status(unit, on)
    assert contract.number == f"SC-{timezone.localdate().year}-00001"
    assert not status.in_warranty
    assert status.under_contract
    assert status.contract == contract
    assert status.covered
    assert not warranty_status(unit, date(2025, 1, 1)).covered

    updated = services.update_service_contract(
        actor=back_office,
        channel=Channel.UI,
        contract=contract,
        version=1,
        ends_on=date(2025, 6, 30),
    )
    assert updated.version == 2
    assert warranty_status(unit, date(2025, 1, 1)).covered
    with pytest.raises(Conflict):
        services.update_service_contract(
            actor=back_office, channel=Channel.UI, contract=contract, version=1, level="basic"
        )

    services.archive_service_contract(actor=back_office, channel=Channel.UI, contract=contract)
    assert not warranty_status(unit, on).covered
    assert first_broken_link() is None


def test_contract_refuses_bad_dates_and_wrong_role(back_office, agent):
    customer = CustomerFactory()
    with pytest.raises(DomainError) as exc:
        services.create_service_contract(
            actor=back_office,
            channel=Channel.UI,
            customer=customer,
            units=[],
            level="basic",
            starts_on=date(2025, 2, 1),
            ends_on=date(2025, 1, 1),
        )
    assert exc.value.field == "ends_on"
    with pytest.raises(NotAllowed):
        services.create_service_contract(
            actor=agent,
            channel=Channel.UI,
            customer=customer,
            units=[],
            level="basic",
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 2, 1),
        )


# --- sales orders -------------------------------------------------------------------------------


def test_create_sales_order_with_serials(back_office):
    device = ProductFactory()
    part = SparePartFactory()
    known = UnitFactory(product=device, serial="K-1")
    customer = CustomerFactory()
    dealer = DealerFactory()

    order = services.create_sales_order(
        actor=back_office,
        channel=Channel.IMPORT,
        number="4711",
        customer=customer,
        dealer=dealer,
        ordered_on=date(2025, 3, 1),
        lines=[
            {"product": device, "quantity": 2, "unit_price": "499.00", "serials": ["K-1", "N-2"]},
            services.OrderLineIn(product=part, quantity="3", unit_price=Decimal("12.50")),
        ],
    )

    lines = list(order.lines.order_by("position"))
    assert [line.position for line in lines] == [1, 2]
    assert {u.serial for u in lines[0].units.all()} == {"K-1", "N-2"}
    assert known in lines[0].units.all()
    assert Unit.objects.get(product=device, serial="N-2")
    assert lines[1].quantity == Decimal("3")
    assert AuditEntry.objects.get(action="catalog.order_created").chain == (
        f"catalog.salesorder:{order.pk}"
    )
    assert first_broken_link() is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": "4711"}, "number"),
        ({"number": " "}, "number"),
        ({"dealer": "not-a-dealer"}, "dealer_id"),
        ({"ordered_on": timezone.localdate() + timedelta(days=1)}, "ordered_on"),
        ({"lines": []}, "lines"),
        ({"line": {"quantity": 0}}, "lines[0].quantity"),
        ({"line": {"unit_price": "-1"}}, "lines[0].unit_price"),
        ({"line": {"serials": ["ok", "bad serial!"]}}, "lines[0].serials[1]"),
        ({"line": {"serials": ["A", "A"]}}, "lines[0].serials[1]"),
        ({"line": {"serials": ["A", "B", "C"]}}, "lines[0].serials"),
        ({"line": {"product": "part", "serials": ["A"]}}, "lines[0].serials"),
    ],
)
def test_create_sales_order_refuses_bad_input(back_office, change, field):
    from caseflow.catalog.tests.factories import SalesOrderFactory

    SalesOrderFactory(number="4711")
    line = {"product": ProductFactory(), "quantity": 2, "unit_price": "1.00", "serials": []}
    line.update(change.pop("line", {}))
    if line["product"] == "part":
        line["product"] = SparePartFactory()
    values = {
        "number": "4712",
        "customer": CustomerFactory(),
        "ordered_on": date(2025, 1, 1),
        "lines": [line],
    }
    values.update(change)
    if values.get("dealer") == "not-a-dealer":
        values["dealer"] = CustomerFactory()

    with pytest.raises(DomainError) as exc:
        services.create_sales_order(actor=back_office, channel=Channel.UI, **values)

    assert exc.value.field == field
    assert SalesOrder.objects.count() == 1
    assert Unit.objects.count() == 0


def test_create_sales_order_needs_the_role(agent):
    with pytest.raises(NotAllowed):
        services.create_sales_order(
            actor=agent,
            channel=Channel.UI,
            number="1",
            customer=CustomerFactory(),
            ordered_on=date(2025, 1, 1),
            lines=[{"product": ProductFactory(), "quantity": 1}],
        )
