"""Huey tasks of the cases (djhuey imports each app's `tasks` module): thin, they call the
module that owns the work."""

from __future__ import annotations

from typing import Any

from huey.contrib.djhuey import db_task


@db_task()
def redeliver_case_event(name: str, event: dict[str, Any], attempt: int) -> str:
    """Deliver a case event again to the one subscriber that failed on it (`cases.events`)."""
    from caseflow.cases.events import deliver_to

    return deliver_to(name, event, attempt)
