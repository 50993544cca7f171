"""Browser tests of the channels: the same Playwright set-up as the desk's (Debian's Chromium,
no downloaded browser, pytest-django's live server), reused from the desk's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

from caseflow.desk.tests.browser.conftest import (
    HAVE_CHROMIUM,
    HAVE_PLAYWRIGHT,
    SKIP_REASON,
    desk_shots,  # noqa: F401 (a fixture)
)

if HAVE_PLAYWRIGHT:
    from caseflow.desk.tests.browser.conftest import (  # noqa: F401 (fixtures)
        browser_context_args,
        browser_type_launch_args,
        desk_db_connections,
        page,
        playwright,
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_PLAYWRIGHT and HAVE_CHROMIUM:
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)
