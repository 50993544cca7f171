"""Spam brakes of the web form: submissions per e-mail address and per client address
within a window, counted in Django's cache (no third-party service).

A submission reserves its place under both limits before the case is opened, with one atomic
cache increment each (`caseflow.core.ratelimit`), so parallel submissions cannot all pass a
check before any of them is counted; a submission that is then refused gives its places
back, so only accepted ones count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from caseflow.core import ratelimit
from caseflow.core.clients import client_ip as _client_ip


def client_ip(request: HttpRequest) -> str:
    """The client's address: the last entry of WEBFORM_IP_HEADER (what our proxy added),
    else the connection's."""
    return _client_ip(request, settings.WEBFORM_IP_HEADER)


@dataclass(frozen=True)
class Reservation:
    """The places one submission took; `release()` gives them back."""

    keys: tuple[str, ...]

    def release(self) -> None:
        for key in self.keys:
            ratelimit.decrement(key)


def _limits(email: str, ip: str) -> list[tuple[str, int]]:
    limits = [
        (ratelimit.key_for("webform-address", email.strip().lower()),
         settings.WEBFORM_LIMIT_PER_ADDRESS),
    ]  # fmt: skip
    if ip:
        limits.append((ratelimit.key_for("webform-ip", ip), settings.WEBFORM_LIMIT_PER_IP))
    return limits


def reserve(email: str, ip: str) -> Reservation | None:
    """Take a place for one submission from the address and the client; None (and nothing
    taken) when either has used all its places in the window."""
    taken: list[str] = []
    for key, limit in _limits(email, ip):
        if limit <= 0:
            continue
        if not ratelimit.take(key, limit=limit, window=settings.WEBFORM_LIMIT_WINDOW):
            Reservation(tuple(taken)).release()
            return None
        taken.append(key)
    return Reservation(tuple(taken))
