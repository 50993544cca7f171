"""Steps the browser journeys share (desk and channels)."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "pw-for-tests-only"  # the root conftest's users


def log_in(page, base: str, username: str) -> None:
    """Through the real log-in form, as a person does."""
    page.goto(base + reverse("desk:login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def settled(page) -> None:
    """Wait until htmx has swapped, settled and wired up what a response brought.

    A function, not an expression: Playwright evaluates the text once and then calls the
    function on each poll; an expression would be evaluated again on each poll, and the
    Content-Security-Policy (no eval) refuses that outside the first, DevTools-driven one."""
    page.wait_for_function(
        "() => !document.querySelector("
        "'.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
