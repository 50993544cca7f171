"""Spam brakes of the web form: submissions per e-mail address and per client address
within a window, counted in Django's cache (no third-party service)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address: the last entry of WEBFORM_IP_HEADER (what our proxy added),
    else the connection's."""
    header = settings.WEBFORM_IP_HEADER
    if header:
        raw = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        last = raw.split(",")[-1].strip()
        if last:
            return last[:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _keys(email: str, ip: str) -> list[tuple[str, int]]:
    def key(kind: str, value: str) -> str:
        return f"webform:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"

    keys = [(key("address", email.strip().lower()), settings.WEBFORM_LIMIT_PER_ADDRESS)]
    if ip:
        keys.append((key("ip", ip), settings.WEBFORM_LIMIT_PER_IP))
    return keys


def exceeded(email: str, ip: str) -> bool:
    """Whether the address or the client already sent as many requests as the window allows."""
    return any(limit > 0 and (cache.get(key) or 0) >= limit for key, limit in _keys(email, ip))


def count(email: str, ip: str) -> None:
    """Count one accepted submission for the address and the client."""
    for key, _limit in _keys(email, ip):
        if cache.add(key, 1, settings.WEBFORM_LIMIT_WINDOW):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, settings.WEBFORM_LIMIT_WINDOW)
