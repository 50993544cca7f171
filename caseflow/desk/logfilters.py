"""Log filters for the development server's request log (`django.server`)."""

from __future__ import annotations

import logging

# Requests every open desk tab repeats every few seconds (the incoming-call notice's poll).
# Logged each time, they bury what people watch the demo's terminal for (the e-mails out).
QUIET_PATHS = ("/calls/notice/",)


class QuietPolls(logging.Filter):
    """Drop the request log line of a successful poll; failed polls (4xx, 5xx) stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or status >= 400:
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        line = str(args[0]) if args else ""
        method, _space, rest = line.partition(" ")
        path = rest.split("?", 1)[0].split(" ", 1)[0]
        return not (method in ("GET", "HEAD") and path.startswith(QUIET_PATHS))
