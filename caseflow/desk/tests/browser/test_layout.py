"""Every desk page at the laptop sizes agents work at (1280 x 720 and 1366 x 768): the page
never scrolls sideways, and no button, link-button or field is cut off — neither by the
window nor by a box that scrolls or clips its content (a `table-responsive`).

The caller is a busy one on purpose: a long organisation name, long product and dealer
names, a service contract, open cases with long subjects, a resolved case with its codes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from caseflow.core.models import Channel
from caseflow.desk.tests.browser.steps import log_in, settled

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SIZES = [(1280, 720), (1366, 768)]

# What is cut off, or sticks out of the window, on this page. Every visible control counts:
# buttons, link-buttons, action summaries and form fields.
CUT_OFF = """
() => {
  const controls = document.querySelectorAll(
    "main .btn, main button, main summary, main input:not([type=hidden]), main select,"
    + " main textarea"
  );
  const problems = [];
  for (const el of controls) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;  // not shown (closed details, visually hidden)
    const name = (el.innerText || el.name || el.id || el.tagName).trim().slice(0, 40);
    if (r.left < -0.5 || r.right > window.innerWidth + 0.5) {
      problems.push(`${name}: outside the window (${Math.round(r.left)}–${Math.round(r.right)})`);
      continue;
    }
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX === "visible") continue;
      const b = box.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5) {
        problems.push(`${name}: cut off by .${box.className.split(" ").join(".")}`);
        break;
      }
    }
  }
  return problems;
}
"""
# Boxes meant to scroll inside themselves only on a tablet: at laptop sizes they must fit.
SCROLLING_BOXES = """
() => Array.from(document.querySelectorAll("main .table-responsive"))
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .map(box => (box.querySelector("[data-testid]") || box).getAttribute("data-testid") || "table")
"""


@pytest.fixture
def busy_caller(agent, desk_case_codes):
    """An organisation with four registered units (one under contract, two out of
    warranty), three open cases and a resolved one. {"customer", "units", "open", "resolved"}."""
    from caseflow.customers.services import create_customer

    def customer(name: str, **fields):
        return create_customer(
            actor=agent, channel=Channel.PHONE, kind="organisation", name=name, **fields
        )

    caller = customer(
        "Bäckerei und Konditorei Zimmermann-Schäfer GmbH & Co. KG",
        city="Frankfurt am Main",
        country="DE",
        phones=["069 90421193"],
        emails=["kundendienst.bestellungen@baeckerei-zimmermann-schaefer.example"],
    )
    dealers = [
        customer("Espresso-Welt Weber GmbH", is_dealer=True),
        customer("Hostelería y Cafetería Romero Navarro S.L.", is_dealer=True),
    ]
    units = _registered_units(agent, caller, dealers)
    open_cases, resolved = _cases(agent, caller, units, desk_case_codes)
    return {"customer": caller, "units": units, "open": open_cases, "resolved": resolved}


def _registered_units(agent, caller, dealers):
    """Four devices with long names registered to `caller` (two bought through a dealer,
    two out of warranty), the last one under a service contract."""
    from caseflow.catalog.services import create_product, register_unit
    from caseflow.catalog.tests.factories import ServiceContractFactory

    today = timezone.localdate()
    units = []
    for n, (name, days, dealer) in enumerate(
        [
            ("Baristo Casa E200 Duo espresso machine with milk system", 100, dealers[0]),
            ("Baristo G10 conical burr grinder", 300, None),
            ("Baristo F3 induction milk frother", 1000, dealers[1]),
            ("Baristo Pro 3000 dual boiler espresso machine", 900, dealers[0]),
        ]
    ):
        product = create_product(
            actor=None,
            channel=Channel.IMPORT,
            sku=f"BA-PRO-{n}000X",
            name=name,
            kind="device",
            is_serialised=True,
            warranty_months=24,
        )
        units.append(
            register_unit(
                actor=agent,
                channel=Channel.PHONE,
                customer=caller,
                product=product,
                serial=f"BE{n}-2512-000{n}9",
                purchased_on=today - timedelta(days=days),
                dealer=dealer,
            ).unit
        )
    ServiceContractFactory(
        customer=caller, number="SC-2026-00014", level="premium", units=[units[3]]
    )
    return units


def _cases(agent, caller, units, codes):
    """Three open cases with long subjects on the first units, and a resolved one on the
    last, with its codes."""
    from caseflow.cases import services as cases

    subjects = [
        "Maschine heizt nicht mehr auf, Kontrolllampe blinkt dauerhaft rot und Display zeigt E05",
        "Mahlwerk blockiert nach dem Wechsel der Bohnensorte",
        "Milchaufschäumer schaltet sofort ab",
    ]
    open_cases = [
        cases.open_case(
            actor=agent, channel=Channel.PHONE, customer=caller, unit=unit, subject=subject
        )
        for unit, subject in zip(units, subjects, strict=False)
    ]
    resolved = cases.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=caller,
        unit=units[3],
        subject="Dampflanze tropft",
    )
    cases.resolve_case(
        actor=agent,
        channel=Channel.UI,
        case=resolved,
        resolution_general=codes["RMA"],
        resolution_specific=codes["RMA-EXCH"],
        reason_general=codes["HARD"],
        reason_specific=codes["HARD-TRANS"],
        solution="Exchanged",
    )
    return open_cases, resolved


def desk_pages(busy_caller) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(name, address, main controls as (role, name)) of every desk page."""
    customer, unit = busy_caller["customer"], busy_caller["units"][0]
    open_case, resolved = busy_caller["open"][0], busy_caller["resolved"]
    new_case = f"{reverse('desk:case_new')}?customer={customer.pk}&unit={unit.pk}"
    return [
        ("incoming", reverse("desk:incoming"), []),
        (
            "caller",
            f"{reverse('desk:incoming')}?customer={customer.pk}",
            [
                ("link", "Existing case (3 open)"),
                ("link", "New problem"),
                ("link", "New case on this unit"),
                ("link", "New case without a unit"),
            ],
        ),
        ("case list", reverse("desk:cases"), [("link", "New case"), ("button", "Filter")]),
        (
            "case page",
            reverse("desk:case_detail", args=[open_case.pk]),
            [
                ("button", "Add note"),
                ("button", "Log call"),
                ("button", "Save details"),
                ("button", "Resolve"),
                ("button", "Assign"),
            ],
        ),
        (
            "resolved case page",
            reverse("desk:case_detail", args=[resolved.pk]),
            [("button", "Close the case"), ("button", "Reopen")],
        ),
        ("new case", new_case, [("button", "Open case")]),
        (
            "customer page",
            reverse("desk:customer_detail", args=[customer.pk]),
            [
                ("link", "Take a call from this customer"),
                ("link", "New case"),
                ("link", "New case on this unit"),
            ],
        ),
        (
            "unit page",
            reverse("desk:unit_detail", args=[unit.pk]),
            [("link", "New case on this unit")],
        ),
        ("search results", f"{reverse('desk:search')}?q={customer.number}", []),
    ]


@pytest.mark.parametrize(("width", "height"), SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_every_desk_page_fits_a_laptop_screen(
    page, live_server, agent, busy_caller, desk_shots, width, height
):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": width, "height": height})
    log_in(page, live_server.url, agent.username)
    problems = []
    for name, address, controls in desk_pages(busy_caller):
        page.goto(live_server.url + address)
        settled(page)
        # Every action form open: the widest the page gets.
        page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = true)")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            problems.append(f"{name}: the page scrolls sideways ({scroll_width} > {width})")
        problems += [f"{name}: {box} scrolls sideways" for box in page.evaluate(SCROLLING_BOXES)]
        problems += [f"{name}: {problem}" for problem in page.evaluate(CUT_OFF)]
        for role, label in controls:
            # (a name may end in its shortcut key: "New problem n")
            wanted = re.compile(rf"^{re.escape(label)}( \w)?$")
            control = page.locator("main").get_by_role(role, name=wanted).first
            expect(control).to_be_visible()
            control.scroll_into_view_if_needed()
            box = control.bounding_box()
            if box["x"] < 0 or box["x"] + box["width"] > width:
                problems.append(f"{name}: {label!r} is not inside the window: {box}")
        if width == 1280 and name in ("customer page", "unit page"):
            page.evaluate("document.querySelectorAll('main details').forEach(d => d.open = false)")
            desk_shots(page, name.replace(" ", "-"))

    assert problems == []


def test_the_caller_search_results_fit_too(page, live_server, agent, busy_caller):
    from playwright.sync_api import expect

    log_in(page, live_server.url, agent.username)
    search = page.get_by_label("Who is calling?")
    search.press_sequentially("069 90421193", delay=20)
    expect(page.get_by_test_id("caller-result").first).to_be_visible()
    settled(page)

    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(CUT_OFF) == []


def test_d_closes_a_resolved_case_after_one_confirmation(page, live_server, agent, busy_caller):
    from playwright.sync_api import expect

    resolved = busy_caller["resolved"]
    log_in(page, live_server.url, agent.username)
    page.goto(live_server.url + reverse("desk:case_detail", args=[resolved.pk]))
    settled(page)

    page.locator("body").press("?")
    expect(page.locator("#shortcuts")).to_contain_text("Close the case")
    page.keyboard.press("Escape")
    page.locator("body").press("d")
    close = page.locator("#form-close").get_by_role("button", name="Close the case")
    expect(close).to_be_focused()
    expect(page.locator('[data-field="status"]')).to_have_text("Resolved")  # not yet
    page.keyboard.press("Enter")

    expect(page.locator('[data-field="status"]')).to_have_text("Closed")
    resolved.refresh_from_db()
    assert resolved.status == "closed"
