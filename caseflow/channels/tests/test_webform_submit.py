"""The public web form: a case linked to customer, order and unit, the customer's words and
files on the timeline, a confirmation with the case number — and for bad input, bots and
floods the form again (or a silent thank-you), with nothing written."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from caseflow.cases import events
from caseflow.cases.models import Attachment, Case, CaseStatus, TimelineEvent
from caseflow.catalog.tests.factories import ProductFactory, SalesOrderFactory, UnitFactory
from caseflow.channels import senders
from caseflow.channels.models import OutboundMessage, UnknownSender
from caseflow.core.models import AuditEntry
from caseflow.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FORM = "/support/"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def fields(**overrides) -> dict:
    data = {
        "name": "Erika Mustermann",
        "email": "erika@example.com",
        "phone": "",
        "order_number": "",
        "serial": "",
        "product": "",
        "product_other": "",
        "subject": "Pump is loud",
        "description": "Loud rattling when brewing, since yesterday.",
        "website": "",
    }
    data.update(overrides)
    return data


def register(unit, customer, **kwargs):
    """`unit` registered to `customer` 100 days ago, through the service."""
    from datetime import timedelta

    from django.utils import timezone

    from caseflow.catalog.services import register_unit

    return register_unit(
        actor=None,
        channel="import",
        customer=customer,
        unit=unit,
        purchased_on=timezone.localdate() - timedelta(days=100),
        **kwargs,
    )


def written() -> tuple[int, int, int, int, int]:
    return (
        Case.objects.count(),
        TimelineEvent.objects.count(),
        OutboundMessage.objects.count(),
        Attachment.objects.count(),
        AuditEntry.objects.count(),
    )


def submit(client, data: dict, url: str = FORM, **kwargs):
    return client.post(url, data, **kwargs)


def case_number_on(response) -> str:
    return re.search(r'data-testid="case-number">(C-\d{4}-\d+)<', response.content.decode())[1]


# --- the page -----------------------------------------------------------------------------------


def test_the_page_speaks_the_browsers_language(client):
    german = client.get(FORM, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert german.status_code == 200
    html = german.content.decode()
    assert '<html lang="de">' in html
    assert german["Content-Language"] == "de"
    assert "Accept-Language" in german["Vary"]
    assert 'name="csrfmiddlewaretoken"' in html
    spanish = client.get("/support/es/", headers={"Accept-Language": "de"})
    assert '<html lang="es">' in spanish.content.decode()
    english = client.get(FORM, headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in english.content.decode()
    assert 'aria-current="page"' in english.content.decode()


def test_the_product_list_holds_active_devices_and_costs_the_same_for_many(
    client, django_assert_max_num_queries
):
    ProductFactory(name="Espresso EM-2000")
    ProductFactory(name="Old model", archived_at="2020-01-01T00:00:00Z")
    from caseflow.catalog.tests.factories import SparePartFactory

    SparePartFactory(name="Pump seal")
    with django_assert_max_num_queries(1):
        html = client.get(FORM).content.decode()
    assert ">Espresso EM-2000<" in html
    assert "Old model" not in html and "Pump seal" not in html
    ProductFactory.create_batch(30)
    with django_assert_max_num_queries(1):
        client.get(FORM)


# --- a submission -------------------------------------------------------------------------------


def test_a_known_customer_gets_a_linked_case_and_a_confirmation(
    client, agent, mailoutbox, django_capture_on_commit_callbacks
):
    from caseflow.customers.services import create_customer

    customer = create_customer(
        actor=agent,
        channel="phone",
        kind="person",
        name="Erika Mustermann",
        language="de",
        emails=["erika@example.com"],
    )
    photo = SimpleUploadedFile("../../etc/<b>label</b>.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40)

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client,
            fields(email="Erika@Example.COM", phone="030 1234567", files=[photo]),
            url="/support/de/",
        )

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.channel, case.customer, case.contact) == ("web", customer, customer.contacts.get())
    assert case.subject == "Pump is loud"
    assert case.status == CaseStatus.NEW  # nobody has looked at it yet
    event = TimelineEvent.objects.get(case=case, event_type__code="web_in")
    assert not event.is_internal and event.actor is None and event.channel == "web"
    assert event.text.startswith("Loud rattling when brewing, since yesterday.")
    assert "Phone: +49301234567" in event.text
    (attachment,) = event.attachments.all()
    assert "/" not in attachment.filename and "<" not in attachment.filename
    assert attachment.content_type == "image/png"

    # the description is the case's symptom too
    assert case.symptom == "Loud rattling when brewing, since yesterday."

    thanks = client.get(response["Location"])
    assert case_number_on(thanks) == case.number
    (mail,) = mailoutbox
    assert mail.to == ["erika@example.com"]
    assert mail.subject == f"Ihre Anfrage [{case.number}]"
    assert case.number in mail.body
    assert "Pump is loud" not in mail.body and "Erika" not in mail.body
    assert OutboundMessage.objects.get().is_acknowledgement


def test_order_and_serial_link_the_order_its_customer_and_the_unit(client):
    owner = CustomerFactory(name="Kaffeehaus Sonne GmbH")
    order = SalesOrderFactory(number="SO-4711", customer=owner)
    unit = UnitFactory(serial="EM2000-0042")
    register(unit, owner)

    response = submit(
        client,
        fields(
            email="barista@kaffeehaus.example",
            order_number="so-4711",
            serial="em2000-0042",
            product="other",
            product_other="something else",
        ),
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.customer, case.sales_order, case.unit) == (owner, order, unit)
    assert case.product == unit.product
    assert not senders.is_unknown(case)
    text = TimelineEvent.objects.get(case=case, event_type__code="web_in").text
    assert "Order number: so-4711\n" in text and "not found" not in text


NOT_LINKED = "(not linked: registered to another customer or unknown)"


def test_a_strangers_serial_is_kept_for_an_agent_but_not_linked(client, agent, registered_caller):
    """Someone else's serial number links nothing (no unit, no warranty suggestion, no word
    of its owner); the serial stays on the case for an agent to confirm."""
    from caseflow.customers.services import create_customer

    stranger = create_customer(
        actor=agent, channel="phone", kind="person", name="Max Fremd",
        emails=["max@example.net"],
    )  # fmt: skip
    response = submit(client, fields(name="Max Fremd", email="max@example.net",
                                     serial="em2000-0001"))  # fmt: skip

    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.customer, case.unit, case.product) == (stranger, None, None)
    assert case.suggested_case_type != "warranty"
    assert case.symptom == (
        "Loud rattling when brewing, since yesterday.\n\n"
        f"Serial number given: em2000-0001 {NOT_LINKED}"
    )
    text = TimelineEvent.objects.get(case=case, event_type__code="web_in").text
    assert f"Serial number: em2000-0001 {NOT_LINKED}" in text
    assert "Erika" not in case.symptom + text
    # an agent sees it on the case page (no new desk code: it is the symptom)
    client.force_login(agent)
    page = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert f"Serial number given: em2000-0001 {NOT_LINKED}" in page


def test_an_unknown_sender_gets_no_registered_unit(client, registered_caller):
    submit(client, fields(email="nobody@example.org", serial="EM2000-0001"))
    case = Case.objects.get()
    assert senders.is_unknown(case)
    assert case.unit is None
    assert "Serial number given: EM2000-0001" in case.symptom


def test_the_senders_own_unit_is_linked_with_its_warranty(client, registered_caller):
    response = submit(client, fields(serial="em2000-0001"))  # erika@example.com: the owner
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.customer == registered_caller["customer"]
    assert case.unit == registered_caller["unit"]
    assert case.product == registered_caller["unit"].product
    assert case.suggested_case_type == "warranty"
    assert case.symptom == "Loud rattling when brewing, since yesterday."


def test_the_dealer_on_a_registration_gets_the_unit_linked(client, registered_caller):
    dealer = CustomerFactory(name="Kaffee & Co")
    from caseflow.customers.services import add_contact

    add_contact(actor=None, channel="import", customer=dealer, name="Shop",
                emails=["shop@kaffee.example"])  # fmt: skip
    from caseflow.catalog.models import Registration

    Registration.objects.filter(unit=registered_caller["unit"]).update(dealer=dealer)
    submit(client, fields(email="shop@kaffee.example", serial="EM2000-0001"))
    case = Case.objects.get()
    assert (case.customer, case.unit) == (dealer, registered_caller["unit"])


def test_a_unit_registered_to_someone_else_since_is_not_linked(client, agent, registered_caller):
    unit = registered_caller["unit"]
    register(unit, CustomerFactory(name="New owner"))  # ends Erika's registration
    submit(client, fields(serial=unit.serial))
    case = Case.objects.get()
    assert case.customer == registered_caller["customer"] and case.unit is None


def test_a_long_description_with_an_unlinked_serial_still_fits_the_symptom(client):
    response = submit(client, fields(description="x" * 20000, serial="XX-404"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert len(case.symptom) <= 20000
    assert case.symptom.endswith(f"Serial number given: XX-404 {NOT_LINKED}")
    text = TimelineEvent.objects.get(case=case, event_type__code="web_in").text
    assert text.startswith("x" * 20000)  # the whole text is on the timeline


def test_an_unknown_sender_is_remembered_and_confirmed_neutrally(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            client,
            fields(name="Juan García", email="juan@example.es", order_number="NOPE-1",
                   serial="XX-404", phone="+34 612 345 678"),
            url="/support/es/",
        )  # fmt: skip

    assert response.status_code == 302
    case = Case.objects.get()
    assert senders.is_unknown(case)
    sender = UnknownSender.objects.get(case=case)
    assert (sender.name, sender.email, sender.phone, sender.language) == (
        "Juan García", "juan@example.es", "+34612345678", "es",
    )  # fmt: skip
    text = TimelineEvent.objects.get(case=case, event_type__code="web_in").text
    assert "Order number: NOPE-1 (not found)" in text
    assert "Serial number: XX-404 (not linked: registered to another customer or unknown)" in text
    (mail,) = mailoutbox
    assert mail.body.startswith("Hola:")
    assert "Juan" not in mail.body


def test_no_confirmation_when_switched_off(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.WEBFORM_ACKNOWLEDGE = False
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(client, fields()).status_code == 302
    assert mailoutbox == []


def test_a_failing_confirmation_never_costs_the_customer_their_case(
    client, mailoutbox, django_capture_on_commit_callbacks, caplog
):
    def broken(event):
        raise RuntimeError("mail server on fire")

    events.subscribe(events.OPENED, broken, name="test.broken")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(client, fields())
    finally:
        events.unsubscribe("test.broken")
    assert response.status_code == 302  # the thank-you page, not a 500
    assert Case.objects.count() == 1
    assert "mail server on fire" in caplog.text
    assert len(mailoutbox) == 1  # the other subscriber (the confirmation) still ran


# --- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"email": ""}, "email", "This field is required."),
        ({"email": "erika(at)example.com"}, "email", "Enter a valid email address."),
        ({"phone": "call me"}, "phone", "This is not a phone number we can call back."),
        ({"subject": "   "}, "subject", "This field is required."),
        ({"description": ""}, "description", "This field is required."),
        ({"description": "x" * 20001}, "description", "Ensure this value has at most 20000"),
        ({"product": "999999"}, "product", "Select a valid choice."),
    ],
)
def test_bad_input_shows_the_form_again_and_writes_nothing(
    client, overrides, field, message, mailoutbox
):
    before = written()
    response = submit(client, fields(**overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-testid="form-errors"' in html
    assert message in html
    assert f'id="support-{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert written() == before
    assert mailoutbox == []
    # what the customer typed is kept
    if field != "name":
        assert 'value="Erika Mustermann"' in html


def test_german_messages_in_the_german_form(client):
    response = submit(client, fields(name=""), url="/support/de/")
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_oversize_and_too_many_files_are_refused(client, settings):
    settings.WEBFORM_MAX_FILE_BYTES = 100
    settings.WEBFORM_MAX_FILES = 2
    before = written()
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * 100)
    response = submit(client, fields(files=[big]))
    assert response.status_code == 422
    assert "big.pdf is larger than 0.0 MB." in response.content.decode()
    many = [SimpleUploadedFile(f"{n}.txt", b"hello") for n in range(3)]
    response = submit(client, fields(files=many))
    assert response.status_code == 422
    assert "At most 2 files, please." in response.content.decode()
    empty = SimpleUploadedFile("empty.txt", b"")
    assert submit(client, fields(files=[empty])).status_code == 422
    assert written() == before


def test_a_filled_honeypot_is_thanked_and_nothing_is_written(client, mailoutbox):
    before = written()
    response = submit(client, fields(website="http://spam.example"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="support-thanks"' in html
    assert 'data-testid="case-number"' not in html
    assert written() == before
    assert mailoutbox == []


def test_too_many_requests_from_one_address(client, settings):
    settings.WEBFORM_LIMIT_PER_ADDRESS = 2
    assert submit(client, fields(subject="one")).status_code == 302
    assert submit(client, fields(subject="two", email="ERIKA@example.com")).status_code == 302
    before = written()
    response = submit(client, fields(subject="three"))
    assert response.status_code == 429
    assert "several requests from you in a short time" in response.content.decode()
    assert written() == before
    # another address is still welcome
    assert submit(client, fields(email="someone@example.com")).status_code == 302


def test_too_many_requests_from_one_client(client, settings):
    settings.WEBFORM_LIMIT_PER_IP = 2
    settings.WEBFORM_IP_HEADER = "X-Forwarded-For"
    proxy = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    for n in range(2):
        response = submit(client, fields(email=f"u{n}@example.com"), headers=proxy)
        assert response.status_code == 302
    before = written()
    assert submit(client, fields(email="u3@example.com"), headers=proxy).status_code == 429
    assert written() == before
    # the proxy's own entry (the last) counts, not what the client claims before it
    other = {"X-Forwarded-For": "198.51.100.7, 203.0.113.10"}
    assert submit(client, fields(email="u4@example.com"), headers=other).status_code == 302


def test_refused_submissions_do_not_count_against_the_limit(client, settings):
    settings.WEBFORM_LIMIT_PER_ADDRESS = 1
    for _ in range(3):
        assert submit(client, fields(description="")).status_code == 422
    assert submit(client, fields()).status_code == 302


def test_csrf_is_enforced():
    before = written()
    response = Client(enforce_csrf_checks=True).post(FORM, fields())
    assert response.status_code == 403
    assert written() == before


def test_the_thank_you_page_shows_only_a_genuine_number(client):
    url = reverse("channels:webform_thanks", kwargs={"lang": "en"})
    forged = client.get(url, {"t": "C-2026-000001:forged"})
    assert forged.status_code == 200
    assert 'data-testid="case-number"' not in forged.content.decode()
    assert client.get("/support/fr/thanks/").status_code == 404
