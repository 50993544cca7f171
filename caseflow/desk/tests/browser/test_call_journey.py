"""The whole call in a real browser (issue 4): log in → type the caller's phone number in
another notation than stored → pick the caller → see the registered unit and its warranty
end → open a case on it → log the call → resolve with general and specific codes → find
the case among the resolved ones. Screenshots of the main screens go to the test output."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import formats, translation

from caseflow.core.models import Channel
from caseflow.desk.tests.browser.steps import log_in, settled

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def short_date(day) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def test_an_agent_takes_a_call_end_to_end(page, live_server, agent, registered_caller, desk_shots):
    base = live_server.url
    customer, unit = registered_caller["customer"], registered_caller["unit"]
    warranty_end = short_date(registered_caller["registration"].warranty_ends_on)

    _find_the_caller(page, base, agent, customer, desk_shots)
    row = _pick_the_caller(page, customer, unit, warranty_end, desk_shots)
    number = _open_a_case_on_the_unit(page, row, unit, warranty_end, desk_shots)
    _log_the_call(page)
    _resolve_with_codes(page, desk_shots)
    _find_it_among_the_resolved(page, base, number, desk_shots)

    assert [shot.name for shot in desk_shots.taken] == [
        "incoming-results.png",
        "incoming-caller.png",
        "case-new.png",
        "case-resolved.png",
        "case-list-resolved.png",
    ]


def _find_the_caller(page, base, agent, customer, desk_shots):
    """1-2. Log in on the incoming-call screen (the search box focused), and search for the
    caller's number as they say it, not as it is stored (+49301234567)."""
    from playwright.sync_api import expect

    log_in(page, base, agent.username)
    expect(page.get_by_role("heading", name="Incoming call")).to_be_visible()
    search = page.get_by_label("Who is calling?")
    expect(search).to_be_focused()

    search.press_sequentially("+49 (30) 123 45 67", delay=20)
    first = page.get_by_test_id("caller-result").first
    expect(first).to_contain_text("Erika Mustermann")
    expect(first).to_contain_text(customer.number)
    expect(first).to_contain_text("+49 30 1234567")
    desk_shots(page, "incoming-results")


def _pick_the_caller(page, customer, unit, warranty_end, desk_shots):
    """3-4. Enter picks the caller: contacts, units, open cases; the address remembers it.
    The registered unit shows its purchase date and warranty end, in warranty. Returns the
    unit's row."""
    from playwright.sync_api import expect

    page.get_by_label("Who is calling?").press("Enter")
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"[?&]customer={customer.pk}\b"))
    expect(panel.get_by_role("heading", name="Erika Mustermann")).to_be_focused()
    expect(panel.locator('a[href="tel:+49301234567"]')).to_be_visible()
    expect(panel.get_by_test_id("decide")).to_contain_text("open case, or a new problem")

    row = panel.locator(f'[data-testid="unit-row"][data-unit="{unit.pk}"]')
    expect(row).to_contain_text("EM2000-0001")
    expect(row).to_contain_text(warranty_end)
    expect(row.get_by_test_id("in-warranty")).to_be_visible()
    desk_shots(page, "incoming-caller")
    return row


def _open_a_case_on_the_unit(page, row, unit, warranty_end, desk_shots) -> str:
    """5. A new problem: open a case on this unit; customer, unit and type come prefilled.
    Returns the new case's number."""
    from playwright.sync_api import expect

    row.get_by_role("link", name="New case on this unit").click()
    expect(page.get_by_role("heading", name="New case")).to_be_visible()
    expect(page.get_by_label("Unit", exact=True)).to_have_value(str(unit.pk))
    expect(page.get_by_label("Case type", exact=True)).to_have_value("warranty")
    expect(page.locator('[data-field="warranty"]')).to_contain_text(warranty_end)
    page.get_by_label("Subject", exact=True).fill("Pump is loud")
    page.get_by_label("Symptom", exact=True).fill("Loud rattling when brewing, since yesterday")
    desk_shots(page, "case-new")
    page.get_by_role("button", name="Open case").click()

    title = page.locator("#case-title")
    expect(title).to_contain_text("Pump is loud")
    number = re.search(r"C-\d{4}-\d+", title.inner_text()).group(0)
    expect(page.locator('[data-field="case_type"]')).to_have_text("Warranty")
    expect(page.locator('[data-field="warranty"]')).to_contain_text(warranty_end)
    return number


def _log_the_call(page):
    """6. The call note: `c` opens the form (keyboard first); the case is open then."""
    from playwright.sync_api import expect

    settled(page)
    page.locator("body").press("c")
    # the form is fetched when its action opens; its first field gets the focus
    expect(page.locator("#form-call input:not([type=hidden])").first).to_be_focused()
    page.get_by_label("Duration (mm:ss)", exact=True).fill("4:30")
    page.get_by_label("Outcome", exact=True).select_option(label="Reached")
    agreed = "Customer descales tonight and calls back"
    page.get_by_label("What was agreed", exact=True).fill(agreed)
    page.locator("#form-call").get_by_role("button", name="Log call").click()
    expect(page.locator("#case-timeline")).to_contain_text(agreed)
    expect(page.locator('[data-field="status"]')).to_have_text("Open")


def _resolve_with_codes(page, desk_shots):
    """7. Resolve with a general and a specific code (the specific list follows the
    general), and what caused it: the reason codes, the specific ones following too."""
    from playwright.sync_api import expect

    settled(page)
    page.locator("body").press("r")
    # the form arrives when its action opens; then htmx wires up its code selects
    expect(page.locator("#form-resolve")).to_be_visible()
    settled(page)
    page.get_by_label("Resolution (general)", exact=True).select_option(label="FIX Fixed")
    specific = page.get_by_label("Resolution (specific)", exact=True)
    expect(specific.locator("option", has_text="FIX-PART")).to_have_count(1)
    specific.select_option(label="FIX-PART Part replaced")
    resolve = page.locator("#form-resolve")
    resolve.get_by_label("Solution", exact=True).fill("Pump replaced under warranty")
    resolve.get_by_label("Reason (general)", exact=True).select_option(label="HARD Hardware")
    reason = resolve.get_by_label("Reason (specific)", exact=True)
    expect(reason.locator("option", has_text="HARD-WEAR")).to_have_count(1)
    reason.select_option(label="HARD-WEAR Wear and tear")
    resolve.get_by_role("button", name="Resolve").click()
    expect(page.locator('[data-field="status"]')).to_have_text("Resolved")
    expect(page.locator('[data-field="resolution"]')).to_have_text(
        "FIX Fixed / FIX-PART Part replaced"
    )
    expect(page.locator('[data-field="reason"]')).to_have_text(
        "HARD Hardware / HARD-WEAR Wear and tear"
    )
    desk_shots(page, "case-resolved")


def _find_it_among_the_resolved(page, base, number, desk_shots):
    """8. The case is among the resolved ones in the case list."""
    from playwright.sync_api import expect

    page.goto(f"{base}{reverse('desk:cases')}?status=resolved")
    expect(page.locator("[data-case-row]", has_text=number)).to_be_visible()
    desk_shots(page, "case-list-resolved")


def test_an_unknown_caller_is_created_and_a_repeat_call_joins_the_open_case(
    page, live_server, agent, registered_caller, desk_shots
):
    from playwright.sync_api import expect

    from caseflow.cases.models import TimelineEvent
    from caseflow.cases.services import open_case

    base = live_server.url
    customer, unit = registered_caller["customer"], registered_caller["unit"]
    case = open_case(
        actor=agent, channel=Channel.PHONE, customer=customer, unit=unit, subject="Pump is loud"
    )
    log_in(page, base, agent.username)
    search = page.get_by_label("Who is calling?")

    # Nobody has this number: create the caller without leaving the screen (Esc, then k).
    search.press_sequentially("0171 5550123", delay=20)
    expect(page.get_by_test_id("caller-none")).to_be_visible()
    search.press("Escape")
    page.locator("body").press("k")
    form = page.get_by_test_id("customer-new")
    expect(form.get_by_label("Phone")).to_have_value("0171 5550123")
    expect(form.get_by_label("Name")).to_be_focused()
    form.get_by_label("Name").fill("Juan García")
    form.get_by_label("Language").select_option("es")
    form.get_by_label("City").fill("Hamburg")
    desk_shots(page, "incoming-new-customer")
    form.get_by_role("button", name="Create customer").click()
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_role("heading", name="Juan García")).to_be_focused()  # settled
    expect(panel.locator('a[href="tel:+491715550123"]')).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]customer=\d+"))

    # A known caller about an open case: customer number, arrow down, Enter, add the call.
    search.fill("")
    search.press_sequentially(customer.number.lower(), delay=20)
    expect(page.get_by_test_id("caller-result").first).to_contain_text("Erika Mustermann")
    search.press("ArrowDown")
    expect(page.get_by_test_id("caller-result").first).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("caller")
    expect(panel.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    open_row = panel.locator(f'[data-testid="open-case"][data-case="{case.pk}"]')
    expect(open_row).to_contain_text(case.number)
    open_row.get_by_text("Add this call to the case").click()
    open_row.get_by_label("Duration (mm:ss)").fill("2:15")
    open_row.get_by_label("Outcome").select_option("call_back")
    open_row.get_by_label("What was agreed").fill("Technician calls back on Monday")
    desk_shots(page, "incoming-existing-case", top=False)
    open_row.get_by_role("button", name="Log call").click()
    expect(open_row.get_by_test_id("call-logged")).to_contain_text(case.number)

    event = TimelineEvent.objects.get(case=case, event_type__code="call_in")
    assert (event.call_duration, event.call_outcome) == (135, "call_back")
    assert event.text == "Technician calls back on Monday"

    # Back goes to the previous caller, reload keeps the current one.
    page.reload()
    expect(page.locator("#caller-name")).to_have_text("Erika Mustermann")
    page.go_back()
    expect(page.get_by_test_id("caller").get_by_role("heading", name="Juan García")).to_be_visible()
