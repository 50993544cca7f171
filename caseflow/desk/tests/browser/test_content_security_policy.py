"""The Content-Security-Policy in a real browser: the desk's main pages, the admin, the web form
and the API docs load and work in Chromium without a single violation (no inline script, no
inline handler, no eval) — and what inline handlers used to do still works: the language
switch, closing a message, the case list's filters, the keyboard in the caller search."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.desk.tests.browser.steps import PASSWORD, log_in, settled

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Collects every violation the page reports, from the first script on.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


class Violations:
    """What the browser said about the policy: console messages and reported violations."""

    def __init__(self, page) -> None:
        self.page = page
        self.console: list[str] = []
        self.pages: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(f"{self.page.url}: {text}")

    def visit(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.ok, (url, response and response.status)
        policy = response.headers.get("content-security-policy", "")
        assert (
            "script-src 'self'" in policy
            and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        ), policy
        self.pages.append(url)
        return response

    def check(self) -> None:
        reported = self.page.evaluate("window.__cspViolations || []")
        assert self.console == [] and reported == [], (self.console, reported)


@pytest.fixture
def csp(page):
    return Violations(page)


def test_the_desk_runs_without_a_policy_violation(page, live_server, agent, registered_caller, csp):
    from playwright.sync_api import expect

    base = live_server.url
    customer, unit = registered_caller["customer"], registered_caller["unit"]

    csp.visit(base + reverse("desk:login"))
    log_in(page, base, agent.username)
    expect(page.get_by_role("heading", name="Incoming call")).to_be_visible()
    csp.check()

    # The caller search's keyboard (was an inline <script>): arrow down, then Enter picks.
    search = page.get_by_label("Who is calling?")
    search.press_sequentially("030 1234567", delay=20)
    first = page.get_by_test_id("caller-result").first
    expect(first).to_contain_text("Erika Mustermann")
    search.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(search).to_be_focused()
    search.press("Enter")
    caller = page.get_by_test_id("caller")
    expect(caller.get_by_role("heading", name="Erika Mustermann")).to_be_visible()
    csp.check()

    # Open a case through the form: the case page greets with a message; its close button
    # (was onclick=) removes it.
    csp.visit(f"{base}{reverse('desk:case_new')}?customer={customer.pk}&unit={unit.pk}")
    page.get_by_label("Subject", exact=True).fill("Pump is loud")
    page.get_by_role("button", name="Open case").click()
    message = page.locator("#messages .alert")
    expect(message).to_contain_text("opened")
    message.get_by_role("button", name="Close").click()
    expect(message).to_have_count(0)
    settled(page)
    csp.check()

    # The case list's filters (was hx-on, which needs eval): empty fields stay out of the URL.
    csp.visit(base + reverse("desk:cases"))
    page.locator("#filter-q").fill("Pump")
    expect(page).to_have_url(re.compile(r"/cases/\?q=Pump$"))
    expect(page.locator("[data-case-row]").first).to_contain_text("Pump is loud")
    csp.check()

    for url in (
        reverse("desk:customer_detail", args=[customer.pk]),
        reverse("desk:unit_detail", args=[unit.pk]),
        reverse("desk:search") + "?q=EM2000-0001",
        reverse("desk:incoming") + f"?customer={customer.pk}",
    ):
        csp.visit(base + url)
        settled(page)
    csp.check()

    # The language switch (was onchange=): choosing sends the form.
    page.locator("#language").select_option("de")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    csp.check()


def test_the_admin_runs_without_a_policy_violation(page, live_server, db, csp):
    from playwright.sync_api import expect

    from caseflow.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    base = live_server.url
    csp.visit(base + reverse("admin:login"))
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    for url in (
        reverse("admin:accounts_user_changelist"),
        reverse("admin:accounts_user_change", args=[root.pk]),  # filter widgets, date pickers
        reverse("admin:accounts_team_add"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:cases_case_changelist"),
    ):
        csp.visit(base + url)
    # the change form's JavaScript works: the permission filter lists what it filters
    csp.visit(base + reverse("admin:accounts_user_change", args=[root.pk]))
    expect(page.locator("#id_user_permissions_filter")).to_be_visible()
    csp.check()


def test_the_web_form_and_the_api_docs_run_without_a_policy_violation(page, live_server, db, csp):
    from playwright.sync_api import expect

    base = live_server.url
    csp.visit(base + "/support/")
    page.get_by_label("Your name").fill("Erika Mustermann")
    page.get_by_label("E-mail address").fill("erika@example.com")
    page.get_by_label("Subject").fill("Pump is loud")
    page.get_by_label("What is the problem?").fill("Loud rattling when brewing.")
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_test_id("case-number")).to_be_visible()
    csp.check()

    csp.visit(base + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Caseflow API")
    page.locator(".opblock-tag", has_text="cases").first.click()
    expect(page.locator(".opblock").first).to_be_visible()
    csp.check()
