"""Browser tests: Playwright (pytest-playwright's `page`) driving Debian's Chromium against
pytest-django's `live_server`. Never a downloaded browser: the launch arguments point at
/usr/bin/chromium. Without Playwright or that binary the tests are skipped, with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Headless, no background traffic; every host name except localhost (the live server's)
# resolves to nothing, so Chromium phones nobody.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
]
HAVE_PLAYWRIGHT = importlib.util.find_spec("playwright") is not None and (
    importlib.util.find_spec("pytest_playwright") is not None
)
HAVE_CHROMIUM = os.access(CHROMIUM, os.X_OK)
SKIP_REASON = (
    "browser tests need playwright and pytest-playwright (pip install -e '.[dev]') and "
    f"Debian's Chromium at {CHROMIUM} (apt-get install chromium); .ci/run installs both"
)

# pytest-playwright's sync API runs an event loop in the test's thread; the test still
# arranges data through the ORM in that thread, synchronously, which is safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_PLAYWRIGHT and HAVE_CHROMIUM:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


if HAVE_PLAYWRIGHT:

    @pytest.fixture(scope="session")
    def desk_db_connections(django_db_setup):
        """The database connections as the test database was set up (with its serialized
        contents, which `serialized_rollback` restores)."""
        from django.db import connections

        return {alias: connections[alias] for alias in connections}

    @pytest.fixture(scope="session")
    def playwright(desk_db_connections, playwright):
        """pytest-playwright's Playwright, and the same database connections after it started.

        The sync API leaves an event loop marked running in this thread; from then on Django
        keeps this thread's connections in context-local storage, where a fresh connection
        would lack the serialized contents (the seeded configuration would not come back
        after a transactional test). Hand Django the connections it set up with."""
        from django.db import connections

        for alias, connection in desk_db_connections.items():
            connections[alias] = connection
        return playwright

    @pytest.fixture(scope="session")
    def browser_type_launch_args(browser_type_launch_args):
        return {
            **browser_type_launch_args,
            "executable_path": CHROMIUM,
            "args": CHROMIUM_ARGS,
            "headless": True,
        }

    @pytest.fixture(scope="session")
    def browser_context_args(browser_context_args):
        return {
            **browser_context_args,
            "viewport": {"width": 1280, "height": 720},
            "locale": "en-GB",
            "timezone_id": "Europe/Berlin",
        }

    @pytest.fixture
    def page(page):
        """pytest-playwright's page; afterwards it waits until the live server has answered
        every request (a request still running when the test's database access ends would
        fail in the server's thread), then leaves the site."""
        yield page
        # Every desk page polls the incoming-call notice (every 3 s): no new poll may reach
        # the server once the test is over.
        page.route("**/calls/notice/**", lambda route: route.abort())
        page.wait_for_load_state("networkidle")
        page.goto("about:blank")
        # The browser has its answers; the server's request threads may still be closing
        # them (which touches the database), or wait on a kept-alive connection: close the
        # browser's connections and let the threads end (bounded).
        page.context.close()
        deadline = time.monotonic() + 5
        for thread in threading.enumerate():
            if "process_request_thread" in thread.name:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def desk_shots(request, tmp_path):
    """`desk_shots(page, name)` saves a screenshot of the page into the test's output: pytest's
    tmp_path, and `test-results/` (kept by CI); with CASEFLOW_SCREENSHOTS=<dir> also there
    (how docs/screenshots/ is made)."""
    copies = [Path("test-results") / "screenshots"]
    extra = os.environ.get("CASEFLOW_SCREENSHOTS")
    if extra:
        copies.append(Path(extra))
    taken: list[Path] = []

    def shoot(page, name: str, *, top: bool = True) -> Path:
        if top:
            page.evaluate("window.scrollTo(0, 0)")
        shot = tmp_path / f"{name}.png"
        page.screenshot(path=str(shot))
        for folder in copies:
            # Best effort: pytest-playwright empties test-results/ when a session (or an
            # xdist worker) starts, possibly while another one writes here.
            try:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / shot.name).write_bytes(shot.read_bytes())
            except OSError:
                pass
        taken.append(shot)
        return shot

    shoot.taken = taken
    return shoot
