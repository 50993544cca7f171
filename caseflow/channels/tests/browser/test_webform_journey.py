"""A customer in a real browser: the web form in German, with a photo → the thank-you page
with the case number → the confirmation e-mail with the same number."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from caseflow.cases.models import Case
from caseflow.catalog.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_a_customer_reports_a_problem_and_gets_the_case_number(
    page, live_server, mailoutbox, desk_shots, tmp_path
):
    from playwright.sync_api import expect

    cache.clear()
    ProductFactory(name="Espresso machine EM-2000")
    photo = tmp_path / "typenschild.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)

    page.goto(f"{live_server.url}/support/de/")
    expect(page.get_by_role("heading", name="Problem melden")).to_be_visible()
    page.get_by_label("Ihr Name").fill("Erika Mustermann")
    page.get_by_label("E-Mail-Adresse").fill("erika@example.com")
    page.get_by_label("Produkt (optional)", exact=True).select_option(
        label="Espresso machine EM-2000"
    )
    page.get_by_label("Seriennummer").fill("EM2000-0042")
    page.get_by_label("Betreff").fill("Pumpe ist laut")
    page.get_by_label("Was ist das Problem?").fill("Seit gestern rattert die Pumpe beim Brühen.")
    page.get_by_label("Fotos oder Dokumente").set_input_files(str(photo))
    desk_shots(page, "webform-filled")
    page.get_by_role("button", name="Anfrage senden").click()

    thanks = page.get_by_test_id("support-thanks")
    expect(thanks).to_contain_text("Vielen Dank für Ihre Anfrage")
    number = page.get_by_test_id("case-number").inner_text()
    assert re.fullmatch(r"C-\d{4}-\d{6}", number)
    desk_shots(page, "webform-thanks")

    case = Case.objects.get(number=number)
    assert case.channel == "web"
    assert case.events.filter(event_type__code="web_in").get().attachments.count() == 1
    (mail,) = mailoutbox
    assert mail.to == ["erika@example.com"]
    assert number in mail.subject and number in mail.body


def test_bad_input_comes_back_with_the_messages(page, live_server):
    from playwright.sync_api import expect

    cache.clear()
    page.goto(f"{live_server.url}/support/en/")
    page.get_by_label("Your name").fill("Erika")
    page.get_by_label("E-mail address").fill("erika@example.com")
    page.get_by_label("Phone").fill("call me maybe")
    page.get_by_label("Subject").fill("Pump")
    page.get_by_label("What is the problem?").fill("Loud")
    page.get_by_role("button", name="Send request").click()

    errors = page.get_by_test_id("form-errors")
    expect(errors).to_contain_text("This is not a phone number we can call back.")
    expect(page.get_by_label("Your name")).to_have_value("Erika")
    expect(page.get_by_label("Phone")).to_have_attribute("aria-invalid", "true")
    assert Case.objects.count() == 0
