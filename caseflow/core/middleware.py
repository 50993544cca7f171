"""Server-Timing: how long Caseflow worked on a request, and how much of it in the database.

With `SERVER_TIMING=true` every response carries

    Server-Timing: app;dur=12.4, cpu;dur=9.0, db;dur=3.1;desc="7 queries"

(milliseconds, measured inside Django: from the first middleware to the response, so the
WSGI server's queueing and the network are not in it; `cpu` is the CPU time of the thread
that served it, so `app` well above `cpu + db` means the process waited for a CPU). Browsers
show it in their developer tools; `bench/desk_pages.py` reports its percentiles beside the
wall time. Off by default: the timings say a little about the data behind a page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest, HttpResponse


class _QueryClock:
    """A database execute wrapper that adds up the time and count of the queries it sees."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not getattr(settings, "SERVER_TIMING", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clock = _QueryClock()
        started = time.perf_counter()
        cpu_started = time.thread_time()
        wrappers = [connections[alias].execute_wrapper(clock) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        app_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.thread_time() - cpu_started) * 1000
        db_ms = clock.seconds * 1000
        response["Server-Timing"] = (
            f"app;dur={app_ms:.1f}, cpu;dur={cpu_ms:.1f}, "
            f'db;dur={db_ms:.1f};desc="{clock.count} queries"'
        )
        return response
