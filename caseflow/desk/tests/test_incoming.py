"""The incoming-call screen: find the caller by anything they say, pick them, add the call
to an open case or create them on the spot."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from caseflow.cases.models import CaseStatus, TimelineEvent
from caseflow.catalog.tests.factories import ServiceContractFactory
from caseflow.customers.models import Customer
from caseflow.customers.tests.factories import ContactFactory, ContactPointFactory, CustomerFactory
from caseflow.desk.selectors import ReadAs, read_as

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def results(client, q: str) -> str:
    response = client.get(reverse("desk:incoming_results"), {"q": q}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def caller(client, customer, **params) -> str:
    url = reverse("desk:incoming_caller", args=[customer.pk])
    response = client.get(url, params, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("+49 (30) 123-4567", [ReadAs.PHONE]),
        ("0049 30 1234567", [ReadAs.PHONE]),
        ("erika@example.com", [ReadAs.EMAIL]),
        ("cu-000001", [ReadAs.CUSTOMER_NUMBER]),
        ("C-2026-000123", [ReadAs.CASE_NUMBER]),
        ("EM2000-0001", [ReadAs.SERIAL, ReadAs.NAME]),
        ("030123456", [ReadAs.PHONE, ReadAs.SERIAL]),
        ("Müller", [ReadAs.NAME]),
        ("x", []),
        ("  ", []),
    ],
)
def test_the_search_reads_what_the_agent_typed(text, readings):
    assert read_as(text) == readings


def test_the_screen_needs_a_login(client):
    response = client.get(reverse("desk:incoming"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


def test_the_screen_has_one_search_box_that_searches_as_you_type(client, agent):
    client.force_login(agent)
    html = client.get(reverse("desk:incoming")).content.decode()
    box = re.search(r'<input id="caller-search"[^>]*>', html, re.S).group(0)
    assert f'hx-get="{reverse("desk:incoming_results")}"' in box
    assert 'hx-trigger="input changed delay:250ms, search"' in box
    assert 'hx-sync="this:replace"' in box
    assert "autofocus" in box


@pytest.mark.parametrize(
    "typed", ["+49 30 1234567", "0049 (30) 123 45 67", "030/1234567", "+49-30-1234567"]
)
def test_a_phone_number_in_any_notation_finds_the_caller(client, agent, call_customer, typed):
    client.force_login(agent)
    html = results(client, typed)
    assert "Erika Mustermann" in html
    assert call_customer.number in html
    assert "+49 30 1234567" in html  # shown in international notation


def test_email_customer_number_and_name_prefix_find_the_caller(client, agent, call_customer):
    client.force_login(agent)
    for typed in ("ERIKA@example.com", call_customer.number.lower(), "erika must", "Erik"):
        assert "Erika Mustermann" in results(client, typed), typed


def test_a_serial_number_finds_the_unit_and_its_registered_customer(
    client, agent, call_customer, call_register
):
    registration = call_register(call_customer, "EM2000-0001")
    client.force_login(agent)
    html = results(client, "EM2000-0001")
    assert 'data-testid="unit-result"' in html
    assert reverse("desk:unit_detail", args=[registration.unit.pk]) in html
    assert "Erika Mustermann" in html
    assert f"unit={registration.unit.pk}" in html


def test_a_serial_number_in_lower_case_finds_the_unit(client, agent, call_customer, call_register):
    registration = call_register(call_customer, "BE2-2512-00264")
    client.force_login(agent)
    for typed in ("be2-2512-00264", " Be2-2512-00264 "):
        html = results(client, typed)
        assert reverse("desk:unit_detail", args=[registration.unit.pk]) in html, typed
        assert "BE2-2512-00264" in html
        assert "Erika Mustermann" in html


def test_a_serial_that_finds_no_unit_is_looked_up_as_a_name(client, agent):
    CustomerFactory(name="Werkstatt EM2000 GmbH")
    client.force_login(agent)
    html = results(client, "em2000")
    assert 'data-testid="unit-result"' not in html
    assert "Werkstatt EM2000 GmbH" in html


def test_a_serial_search_costs_the_same_for_1_and_20_registered_units(
    client, agent, call_register, django_assert_max_num_queries
):
    from caseflow.catalog.tests.factories import ProductFactory

    for n in range(20):
        customer = CustomerFactory(name=f"Owner {n}")
        call_register(customer, "SHARED-1", product=ProductFactory())
    client.force_login(agent)
    # session, user, units, registrations, customers, contacts with points (a serial that
    # found its units is not looked up as a name too)
    with django_assert_max_num_queries(6):
        html = results(client, "shared-1")
    assert html.count('data-testid="unit-result"') == 10
    assert html.count('data-testid="caller-result"') == 10


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Zimmermann", "Heike Zimmermann"),  # a surname
        ("zimmermann heike", "Heike Zimmermann"),
        ("panaderia", "Panadería La Espiga S.L."),  # without the accent
        ("Baeckerei", "Bäckerei Schmidt GmbH"),  # ä typed as ae
        ("backerei schm", "Bäckerei Schmidt GmbH"),  # … or as a
        ("mueller", "Anna Müller"),
    ],
)
def test_any_word_of_a_name_finds_the_caller_without_accents(client, agent, typed, found):
    for name in ("Heike Zimmermann", "Panadería La Espiga S.L.", "Bäckerei Schmidt GmbH",
                 "Anna Müller"):  # fmt: skip
        CustomerFactory(name=name)
    client.force_login(agent)
    html = results(client, typed)
    assert html.count('data-testid="caller-result"') == 1, html
    assert escape(found) in html


def test_a_contacts_name_finds_the_customer_and_says_so(client, agent, call_customer):
    bakery = CustomerFactory(name="Bäckerei Schmidt GmbH")
    ContactFactory(customer=bakery, name="Jürgen Köhler", is_primary=True)
    client.force_login(agent)
    html = results(client, "koehler")
    assert html.count('data-testid="caller-result"') == 1
    assert escape("Bäckerei Schmidt GmbH") in html
    assert escape("contact Jürgen Köhler") in html
    # a customer's own name says "name"
    assert ">name</span>" in results(client, "mustermann")


def test_a_case_number_finds_the_case_and_its_customer(
    client, agent, call_customer, call_open_case
):
    case = call_open_case(call_customer)
    client.force_login(agent)
    html = results(client, case.number.lower())
    assert reverse("desk:case_detail", args=[case.pk]) in html
    assert "Erika Mustermann" in html


def test_nobody_found_offers_to_create_the_customer(client, agent):
    client.force_login(agent)
    html = results(client, "0170 9999999")
    assert 'data-testid="caller-none"' in html
    assert 'data-testid="create-customer"' in html
    assert "q=0170%209999999" in html


def test_search_text_is_escaped_and_wildcards_are_plain(client, agent, call_customer):
    client.force_login(agent)
    html = results(client, "<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert 'data-testid="caller-result"' not in results(client, "%")
    assert 'data-testid="caller-result"' not in results(client, "Er_ka")


def test_results_follow_into_the_address_for_reload(client, agent, call_customer):
    client.force_login(agent)
    response = client.get(reverse("desk:incoming_results"), {"q": "Erika"}, headers=HTMX)
    assert response["HX-Replace-Url"] == reverse("desk:incoming") + "?q=Erika"
    shown = f"http://testserver{reverse('desk:incoming')}?q=Er&customer={call_customer.pk}"
    response = client.get(
        reverse("desk:incoming_results"),
        {"q": "Erika"},
        headers={**HTMX, "HX-Current-URL": shown},
    )
    expected = f"{reverse('desk:incoming')}?q=Erika&customer={call_customer.pk}"
    assert response["HX-Replace-Url"] == expected  # the caller on screen stays
    page = client.get(reverse("desk:incoming"), {"q": "Erika", "customer": call_customer.pk})
    html = page.content.decode()
    assert 'data-testid="caller-result"' in html  # the results, again
    assert 'data-testid="caller"' in html  # and the picked caller


def test_results_cost_the_same_for_3_and_30_customers(client, agent, django_assert_max_num_queries):
    def make(count: int, prefix: str) -> None:
        for n in range(count):
            customer = CustomerFactory(name=f"{prefix} {n:02d}")
            contact = ContactFactory(customer=customer, is_primary=True)
            ContactPointFactory(contact=contact)

    make(3, "Alpha")
    make(30, "Beta")
    client.force_login(agent)
    # session, user, name words, customers, contacts with their points
    with django_assert_max_num_queries(5):
        few = results(client, "Alpha")
    with django_assert_max_num_queries(5):
        many = results(client, "Beta")
    assert few.count('data-testid="caller-result"') == 3
    assert many.count('data-testid="caller-result"') == 10  # the best ten


def test_picking_the_caller_shows_contacts_units_warranty_contract_and_open_cases(
    client, agent, call_customer, call_register, call_open_case
):
    in_warranty = call_register(call_customer, "EM2000-0001", days_ago=100)
    expired = call_register(call_customer, "EM2000-0002", days_ago=1000)
    ServiceContractFactory(customer=call_customer, level="premium", units=[expired.unit])
    open_case = call_open_case(call_customer, unit=in_warranty.unit)
    client.force_login(agent)

    html = caller(client, call_customer)

    assert 'href="tel:+49301234567"' in html
    assert 'href="mailto:erika@example.com"' in html
    rows = re.findall(r'<tr data-testid="unit-row".*?</tr>', html, re.S)
    assert len(rows) == 2
    row = next(r for r in rows if "EM2000-0001" in r)
    assert in_warranty.warranty_ends_on.strftime("%d/%m/%Y") in row
    assert 'data-testid="in-warranty"' in row
    assert in_warranty.purchased_on.strftime("%d/%m/%Y") in row
    expired_row = next(r for r in rows if "EM2000-0002" in r)
    assert 'data-testid="out-of-warranty"' in expired_row
    assert 'data-testid="contract-level"' in expired_row and "Premium" in expired_row
    new_case = (
        f"{reverse('desk:case_new')}?customer={call_customer.pk}&amp;unit={in_warranty.unit.pk}"
        f"&amp;product={in_warranty.unit.product_id}"
    )
    assert new_case in html
    assert open_case.number in html
    assert reverse("desk:incoming_call", args=[open_case.pk]) in html
    assert 'data-testid="decide"' in html


def test_the_caller_panel_is_a_page_of_its_own_without_htmx(client, agent, call_customer):
    client.force_login(agent)
    response = client.get(reverse("desk:incoming_caller", args=[call_customer.pk]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('desk:incoming')}?customer={call_customer.pk}"
    page = client.get(response["Location"])
    assert "Erika Mustermann" in page.content.decode()


def test_an_unknown_customer_is_404(client, agent):
    client.force_login(agent)
    assert client.get(reverse("desk:incoming"), {"customer": 999999}).status_code == 404
    url = reverse("desk:incoming_caller", args=[999999])
    assert client.get(url, headers=HTMX).status_code == 404


def test_the_caller_panel_costs_the_same_for_3_and_30_units_and_cases(
    client, agent, call_register, call_open_case, django_assert_max_num_queries
):
    def customer_with(count: int, prefix: str) -> Customer:
        customer = CustomerFactory()
        contact = ContactFactory(customer=customer, is_primary=True)
        ContactPointFactory(contact=contact)
        for n in range(count):
            registration = call_register(customer, f"{prefix}{n:04d}")
            ServiceContractFactory(customer=customer, units=[registration.unit])
            call_open_case(customer, unit=registration.unit)
        return customer

    few, many = customer_with(3, "FEW"), customer_with(30, "MANY")
    client.force_login(agent)
    # session, user, customer, contacts, points, open cases, registrations, contracts
    with django_assert_max_num_queries(8):
        small = caller(client, few)
    with django_assert_max_num_queries(8):
        large = caller(client, many)
    assert small.count('data-testid="unit-row"') == 3
    assert large.count('data-testid="unit-row"') == 30
    assert large.count('data-testid="open-case"') == 30


def test_adding_the_call_to_an_open_case_logs_a_call_in_event(
    client, agent, call_customer, call_open_case
):
    case = call_open_case(call_customer)
    client.force_login(agent)
    response = client.post(
        reverse("desk:incoming_call", args=[case.pk]),
        {"duration": "4:30", "outcome": "call_back", "text": "Calls back tomorrow at 9"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'data-testid="call-logged"' in response.content.decode()
    event = TimelineEvent.objects.get(case=case, event_type__code="call_in")
    assert (event.call_duration, event.call_outcome) == (270, "call_back")
    assert event.text == "Calls back tomorrow at 9"
    assert event.actor == agent and event.channel == "phone"
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN  # a contact moves a new case to open


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"duration": "four minutes", "outcome": "reached"}, "mm:ss"),
        ({"duration": "", "outcome": "maybe"}, "Select a valid choice"),
        ({"duration": "1", "outcome": "reached", "text": "x" * 5001}, "at most 5000"),
        ({"duration": "99:00:00", "outcome": "reached"}, "between 0 seconds and a day"),
    ],
)
def test_a_bad_call_note_shows_the_message_and_writes_nothing(
    client, agent, call_customer, call_open_case, data, message
):
    case = call_open_case(call_customer)
    client.force_login(agent)
    response = client.post(reverse("desk:incoming_call", args=[case.pk]), data, headers=HTMX)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not TimelineEvent.objects.filter(case=case, event_type__code="call_in").exists()


def test_a_call_cannot_be_added_to_a_resolved_case(client, agent, call_customer, call_open_case):
    from caseflow.cases import services
    from caseflow.cases.models import Code

    case = call_open_case(call_customer)
    general = Code.objects.filter(kind="resolution", parent=None, children=None).first()
    if general is None:
        general = Code.objects.filter(kind="resolution", parent=None).first()
    specific = general.children.first()
    services.resolve_case(
        actor=agent,
        channel="ui",
        case=case,
        resolution_general=general,
        resolution_specific=specific,
    )
    client.force_login(agent)
    response = client.post(
        reverse("desk:incoming_call", args=[case.pk]), {"outcome": "reached"}, headers=HTMX
    )
    assert response.status_code == 404


def test_quality_manager_sees_the_caller_but_no_actions_and_a_forged_post_is_refused(
    client, quality_manager, call_customer, call_register, call_open_case
):
    call_register(call_customer, "EM2000-0001")
    case = call_open_case(call_customer)
    client.force_login(quality_manager)
    assert 'data-testid="create-customer"' not in results(client, "Erika")
    html = caller(client, call_customer)
    assert "Erika Mustermann" in html
    assert reverse("desk:incoming_call", args=[case.pk]) not in html
    assert 'data-testid="new-case-on-unit"' not in html

    response = client.post(
        reverse("desk:incoming_call", args=[case.pk]),
        {"duration": "1:00", "outcome": "reached", "text": "forged"},
        headers=HTMX,
    )
    assert response.status_code == 403
    assert not TimelineEvent.objects.filter(case=case, event_type__code="call_in").exists()


def test_create_the_unknown_caller_on_the_spot(client, agent):
    client.force_login(agent)
    form = client.get(reverse("desk:customer_new"), {"q": "0170 1234567"}, headers=HTMX)
    assert form.status_code == 200
    assert 'value="0170 1234567"' in form.content.decode()  # prefilled from the search

    response = client.post(
        reverse("desk:customer_new"),
        {
            "name": "Juan García",
            "kind": "person",
            "language": "es",
            "phone": "612 34 56 78",  # read as a Spanish number: the address is in ES
            "email": "juan@example.es",
            "street": "Calle Mayor 1",
            "postal_code": "28013",
            "city": "Madrid",
            "country": "ES",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    customer = Customer.objects.get(name="Juan García")
    assert response["HX-Push-Url"] == f"{reverse('desk:incoming')}?customer={customer.pk}"
    html = response.content.decode()
    assert 'data-testid="caller"' in html and customer.number in html
    assert customer.language == "es" and customer.city == "Madrid"
    points = {p.value for p in customer.contact_points.all()}
    assert points == {"+34612345678", "juan@example.es"}
    # and the new customer is found by phone from now on
    assert "Juan García" in results(client, "0034 612 345 678")


def test_a_bad_new_customer_shows_the_message_and_writes_nothing(client, agent):
    client.force_login(agent)
    before = Customer.objects.count()
    response = client.post(
        reverse("desk:customer_new"),
        {"name": "Someone", "kind": "person", "language": "de", "phone": "12", "country": "DE"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "is not a valid phone number" in response.content.decode()
    response = client.post(
        reverse("desk:customer_new"),
        {"name": "", "kind": "alien", "language": "de", "country": "DE"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert Customer.objects.count() == before


def test_without_htmx_a_new_customer_is_a_page_and_a_redirect(client, agent):
    client.force_login(agent)
    assert client.get(reverse("desk:customer_new")).status_code == 200
    response = client.post(
        reverse("desk:customer_new"),
        {"name": "Hans Meier", "kind": "person", "language": "de", "country": "DE"},
    )
    customer = Customer.objects.get(name="Hans Meier")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('desk:incoming')}?customer={customer.pk}"


@pytest.mark.parametrize("role", ["quality_manager", "technician"])
def test_roles_without_customer_create_may_not_create_customers(client, request, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    assert client.get(reverse("desk:customer_new"), headers=HTMX).status_code == 403
    response = client.post(
        reverse("desk:customer_new"),
        {"name": "Forged", "kind": "person", "language": "de"},
        headers=HTMX,
    )
    assert response.status_code == 403
    assert not Customer.objects.filter(name="Forged").exists()


def test_warranty_end_is_the_registrations(client, agent, call_customer, call_register):
    registration = call_register(call_customer, "EM2000-0009", days_ago=800)
    assert registration.warranty_ends_on < timezone.localdate() + timedelta(days=1)
    client.force_login(agent)
    html = caller(client, call_customer)
    assert 'data-testid="out-of-warranty"' in html
