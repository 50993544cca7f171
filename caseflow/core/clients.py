"""Who is asking: the client's network address, for the brakes that count per address
(log-in lockouts, the API's token brake, the web form's rate limits)."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def client_ip(request: HttpRequest, header: str = "") -> str:
    """The client's IP address, normalised: the last entry of `header` (what our own proxy
    added; what the client wrote before it is not trusted), else the connection's address.
    "" when neither is an IP address."""
    if header:
        raw = str(request.META.get("HTTP_" + header.upper().replace("-", "_"), ""))
        address = _address(raw.split(",")[-1])
        if address:
            return address
    return _address(str(request.META.get("REMOTE_ADDR", "")))


def _address(raw: str) -> str:
    raw = raw.strip()[:64]
    if raw.startswith("[") and "]" in raw:  # [2001:db8::1]:443
        raw = raw[1 : raw.index("]")]
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        pass
    host, _sep, port = raw.rpartition(":")  # 203.0.113.9:51234 from some proxies
    if host and port.isdigit():
        try:
            return str(ipaddress.IPv4Address(host))
        except ValueError:
            return ""
    return ""
