"""Browser tests of the channels: the desk's recipe (Playwright driving Debian's Chromium
against pytest-django's live server; skipped, with the reason, where either is missing)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from caseflow.desk.tests.browser.conftest import (  # noqa: F401 (desk_shots: a fixture)
    HAVE_CHROMIUM,
    HAVE_PLAYWRIGHT,
    SKIP_REASON,
    desk_shots,
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_PLAYWRIGHT and HAVE_CHROMIUM:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


if HAVE_PLAYWRIGHT:
    # The same launch arguments, context and connections as the desk's browser tests.
    from caseflow.desk.tests.browser.conftest import (  # noqa: F401 (fixtures)
        browser_context_args,
        browser_type_launch_args,
        desk_db_connections,
        playwright,
    )

    @pytest.fixture
    def page(page):
        """pytest-playwright's page. Desk pages poll the call notice every 3 s: afterwards no
        new poll may reach the live server, and the one under way must have been answered,
        before the test's database goes (bounded wait)."""
        under_way: set = set()

        def started(request) -> None:
            if "/calls/notice/" in request.url:
                under_way.add(request)

        def done(request) -> None:
            under_way.discard(request)

        page.on("request", started)
        page.on("requestfinished", done)
        page.on("requestfailed", done)
        yield page
        page.route("**/calls/notice/**", lambda route: route.abort())
        for _ in range(100):
            if not under_way:
                break
            page.wait_for_timeout(50)
        page.goto("about:blank")
        # The browser has the answers; the live server's request threads may still be closing
        # them (which touches the database): let them end first.
        page.context.close()
        deadline = time.monotonic() + 5
        for thread in threading.enumerate():
            if "process_request_thread" in thread.name:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
