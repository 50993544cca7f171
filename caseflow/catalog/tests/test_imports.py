from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from caseflow.catalog.imports import parse_date, parse_decimal
from caseflow.catalog.models import Product, Registration, SalesOrder, Unit
from caseflow.catalog.tests.factories import ProductFactory, ProductTypeFactory, UnitFactory
from caseflow.core.audit import first_broken_link
from caseflow.core.models import AuditEntry
from caseflow.customers.tests.factories import CustomerFactory, DealerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def write(tmp_path):
    def write(text: str | bytes, name: str = "data.csv"):
        path = tmp_path / name
        if isinstance(text, str):
            text = text.encode()
        path.write_bytes(text)
        return path

    return write


def run(kind, path, *args):
    call_command("import_csv", kind, str(path), *args)


# --- values -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("12.50", "12.50"), ("12,50", "12.50"), ("1.234,50", "1234.50"), ("1,234.50", "1234.50")],
)
def test_decimals_in_both_notations(text, value):
    assert parse_decimal(text) == Decimal(value)


def test_dates_in_both_notations():
    assert parse_date("2025-01-31") == date(2025, 1, 31)
    assert parse_date("31.01.2025") == date(2025, 1, 31)
    for bad in ("31/01/2025", "2025-02-30", "20250101", "x"):
        with pytest.raises(ValueError):
            parse_date(bad)


# --- happy paths --------------------------------------------------------------------------------


def test_import_products(write, capsys):
    ProductTypeFactory(code="ESP")
    path = write(
        "\ufeffsku;name;kind;product_type;is_serialised;warranty_months;price;tax_rate\n"
        "EM-1;Barista Pro;device;ESP;ja;24;899,00;19\n"
        "SP-1;Dichtung;spare_part;;nein;0;2,50;7\n"
    )
    run("products", path)

    assert "imported 2 products" in capsys.readouterr().out
    barista = Product.objects.get(sku="EM-1")
    assert barista.is_serialised
    assert barista.price == Decimal("899.00")
    assert barista.product_type.code == "ESP"
    assert Product.objects.get(sku="SP-1").tax_rate == Decimal("7")
    assert AuditEntry.objects.filter(channel="import", actor_label="system").count() == 2
    assert first_broken_link() is None


def test_import_units(write, capsys):
    ProductFactory(sku="EM-1")
    path = write("sku,serial,manufactured_on\nEM-1,SN-1,2024-05-01\nEM-1,SN-2,\n")
    run("units", path)
    assert "imported 2 units" in capsys.readouterr().out
    assert Unit.objects.get(serial="SN-1").manufactured_on == date(2024, 5, 1)


def test_import_registrations(write, capsys):
    ProductFactory(sku="EM-1", warranty_months=24)
    UnitFactory(product__sku="EM-2", serial="OLD-1")
    customer = CustomerFactory(number="CU-000100")
    DealerFactory(number="CU-000200")
    path = write(
        "sku;serial;customer_number;purchased_on;registered_on;dealer_number\n"
        "EM-1;NEW-1;CU-000100;31.01.2024;01.02.2024;CU-000200\n"
        "EM-2;OLD-1;cu-000100;2024-03-01;;\n"
    )
    run("registrations", path)

    assert "imported 2 registrations" in capsys.readouterr().out
    first = Registration.objects.get(unit__serial="NEW-1")
    assert first.warranty_ends_on == date(2026, 1, 31)
    assert first.dealer.number == "CU-000200"
    assert first.channel == "import"
    assert Registration.objects.filter(customer=customer).count() == 2
    assert first_broken_link() is None


def test_import_orders_groups_rows_by_number(write, capsys):
    ProductFactory(sku="EM-1")
    ProductFactory(sku="SP-1", is_serialised=False)
    CustomerFactory(number="CU-000100")
    path = write(
        "order_number,customer_number,ordered_on,sku,quantity,unit_price,serials\n"
        "A-1,CU-000100,2025-03-01,EM-1,2,499.00,S1 | S2\n"
        "A-1,CU-000100,2025-03-01,SP-1,5,2.50,\n"
        "A-2,CU-000100,2025-03-02,EM-1,1,499.00,S3\n"
    )
    run("orders", path)

    assert "imported 2 orders (3 rows)" in capsys.readouterr().out
    order = SalesOrder.objects.get(number="A-1")
    assert order.lines.count() == 2
    assert {u.serial for u in order.lines.get(position=1).units.all()} == {"S1", "S2"}
    assert Unit.objects.count() == 3


def test_dry_run_writes_nothing(write, capsys):
    ProductFactory(sku="EM-1")
    run("units", write("sku,serial\nEM-1,SN-1\n"), "--dry-run")
    assert "dry run: 1 units would be imported" in capsys.readouterr().out
    assert Unit.objects.count() == 0
    assert AuditEntry.objects.count() == 0


# --- malformed files ----------------------------------------------------------------------------


def _problems(kind, path) -> str:
    with pytest.raises(CommandError) as exc:
        run(kind, path)
    return str(exc.value)


def test_one_bad_row_imports_nothing_and_names_every_line(write):
    ProductFactory(sku="EM-1")
    ProductFactory(sku="SP-1", is_serialised=False)
    path = write(
        "sku,serial\nEM-1,SN-1\nEM-1,bad serial!\nXX-9,SN-3\nEM-1,SN-1\nSP-1,SN-5\nEM-1,SN-6\n"
    )
    message = _problems("units", path)

    assert "line 3: serial:" in message
    assert "line 4: sku: unknown article number XX-9" in message
    assert "line 5: serial: duplicate serial number; first in line 2" in message
    assert "line 6: sku: SP-1 is not a serialised product" in message
    assert "line 2:" not in message
    assert Unit.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_registration_problems(write):
    ProductFactory(sku="EM-1")
    CustomerFactory(number="CU-000100")
    CustomerFactory(number="CU-000300")  # not a dealer
    UnitFactory(product=Product.objects.get(sku="EM-1"), serial="TAKEN")
    future = (timezone.localdate() + timedelta(days=5)).isoformat()
    path = write(
        "sku,serial,customer_number,purchased_on,registered_on,dealer_number\n"
        f"EM-1,SN-1,CU-000100,{future},,\n"
        "EM-1,SN-2,CU-999999,2024-01-01,,\n"
        "EM-1,SN-3,CU-000100,2024-01-01,,CU-000300\n"
        "EM-1,SN-4,CU-000100,2024-13-01,,\n"
        "EM-1,SN-5,CU-000100,2024-02-01,2024-01-01,\n"
        "EM-1,SN-6,CU-000100,2024-01-01,,\n"
        "EM-1,SN-6,CU-000100,2024-01-01,,\n"
    )
    message = _problems("registrations", path)

    assert "line 2: purchased_on:" in message
    assert "line 3: customer_number: unknown customer number CU-999999" in message
    assert "line 4: dealer_number: CU-000300 is not a dealer" in message
    assert "line 5: purchased_on:" in message
    assert "line 6: registered_on:" in message
    assert "line 8: serial: duplicate" in message
    assert Registration.objects.count() == 0
    assert Unit.objects.count() == 1


def test_service_refusals_are_reported_by_line(write):
    """Problems only the service sees (already registered) still name the line."""
    product = ProductFactory(sku="EM-1")
    customer = CustomerFactory(number="CU-000100")
    from caseflow.catalog.tests.factories import RegistrationFactory

    RegistrationFactory(unit=UnitFactory(product=product, serial="SN-1"), customer=customer)
    path = write(
        "sku,serial,customer_number,purchased_on\n"
        "EM-1,SN-9,CU-000100,2024-01-01\n"
        "EM-1,SN-1,CU-000100,2024-01-01\n"
    )
    message = _problems("registrations", path)
    assert "line 3: serial: Unit SN-1 is already registered to this customer." in message
    assert not Unit.objects.filter(serial="SN-9").exists()


def test_order_problems(write):
    ProductFactory(sku="EM-1")
    CustomerFactory(number="CU-000100")
    CustomerFactory(number="CU-000101")
    from caseflow.catalog.tests.factories import SalesOrderFactory

    SalesOrderFactory(number="OLD")
    path = write(
        "order_number;customer_number;ordered_on;sku;quantity;unit_price;serials\n"
        "A-1;CU-000100;2025-03-01;EM-1;1;499,00;S1\n"
        "A-1;CU-000101;2025-03-01;EM-1;1;499,00;S2\n"
        "A-2;CU-000100;2025-03-01;EM-1;abc;1;\n"
        "A-3;CU-000100;2025-03-01;EM-1;1;1;S1 S1\n"
        "OLD;CU-000100;2025-03-01;EM-1;1;1;\n"
        "A-4;CU-000100;2025-03-01;EM-1;1;-1;\n"
    )
    message = _problems("orders", path)
    assert "line 3: customer_number: differs from line 2 of the same order" in message
    assert "line 4: quantity: abc is not a number" in message
    assert "line 5: serials: duplicate serial number S1" in message
    assert "line 6: order_number: order OLD exists already" in message
    assert "line 7: unit_price: cannot be negative" in message
    assert SalesOrder.objects.count() == 1


def test_duplicate_products_and_existing_sku(write):
    ProductFactory(sku="EM-1")
    path = write("sku,name,kind\nEM-1,X,device\nEM-2,Y,device\nEM-2,Z,device\nEM-3,W,gadget\n")
    message = _problems("products", path)
    assert "line 2: sku: a product with this article number exists already" in message
    assert "line 4: sku: appears already in line 3" in message
    assert "line 5: kind:" in message
    assert Product.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is empty."),
        (b"  \n\n", "The file is empty."),
        (b"sku,serial\n", "header but no rows"),
        (b"sku,serial_no\nEM-1,SN-1\n", "line 1: serial: required column is missing"),
        (b"sku,serial,colour\nEM-1,SN-1,red\n", "line 1: colour: unknown column"),
        (b"sku,serial\nEM-1,SN-1,extra\n", "line 2: 3 values, but the header has 2 columns"),
        (b"sku,serial\nEM-1,SN-\xe41\n", "not UTF-8"),
    ],
)
def test_malformed_files(write, content, expected):
    ProductFactory(sku="EM-1")
    assert expected in _problems("units", write(content))
    assert Unit.objects.count() == 0


def test_huge_file_is_refused(write, settings):
    settings.IMPORT_MAX_BYTES = 100
    path = write("sku,serial\n" + "EM-1,SN-1\n" * 20)
    assert "IMPORT_MAX_BYTES" in _problems("units", path)


def test_missing_file_and_unknown_kind(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("units", tmp_path / "nope.csv")
    with pytest.raises(CommandError):
        run("customers", tmp_path / "nope.csv")


def test_help_documents_the_columns(capsys):
    from caseflow.catalog.management.commands.import_csv import Command

    for column in ("customer_number", "purchased_on", "order_number", "serials", "warranty_months"):
        assert column in Command.help


# --- through the API ----------------------------------------------------------------------------


def _upload(api, kind, content: bytes, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.client.post(
        f"/api/catalog/imports/{kind}?{query}",
        {"file": SimpleUploadedFile("data.csv", content, content_type="text/csv")},
        headers=api.headers,
    )


def test_api_import(api_as, back_office):
    ProductFactory(sku="EM-1")
    api = api_as(back_office)
    response = _upload(api, "units", b"sku;serial\nEM-1;SN-1\nEM-1;SN-2\n")
    assert response.status_code == 200, response.json()
    assert response.json() == {"kind": "units", "imported": 2, "dry_run": False}
    assert AuditEntry.objects.filter(channel="import", actor_label="backoffice").count() == 2

    dry = _upload(api, "units", b"sku;serial\nEM-1;SN-3\n", dry_run="true")
    assert dry.json()["imported"] == 1
    assert not Unit.objects.filter(serial="SN-3").exists()


def test_api_import_invalid_rows(api_as, back_office):
    ProductFactory(sku="EM-1")
    response = _upload(api_as(back_office), "units", b"sku,serial\nEM-1,SN-1\nXX,bad serial!\n")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_invalid"
    assert body["field"] is None
    assert {(e["line"], e["field"]) for e in body["errors"]} == {(3, "sku"), (3, "serial")}
    assert Unit.objects.count() == 0


def test_api_import_refuses_bad_files(api_as, back_office, settings):
    api = api_as(back_office)
    not_utf8 = _upload(api, "units", b"sku,serial\n\xff\xfe,1\n")
    assert (not_utf8.status_code, not_utf8.json()["code"]) == (422, "import_invalid")
    assert "UTF-8" in not_utf8.json()["message"]
    settings.IMPORT_MAX_BYTES = 10
    huge = _upload(api, "units", b"sku,serial\nEM-1,SN-1\n")
    assert (huge.status_code, huge.json()["code"]) == (422, "import_too_large")
    assert _upload(api, "customers", b"a\n").status_code == 422


def test_api_import_needs_the_role(api_as, agent, client):
    assert _upload(api_as(agent), "units", b"sku,serial\n").status_code == 403
    response = client.post(
        "/api/catalog/imports/units",
        {"file": SimpleUploadedFile("d.csv", b"x", content_type="text/csv")},
    )
    assert response.status_code == 401
