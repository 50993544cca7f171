"""SMS providers behind one small interface, chosen by SMS_BACKEND (a dotted path):

    backend.send(to_e164, text, ref=…) -> the provider's message id

A backend raises `TemporarySmsError` when trying again later may help (network down, a 5xx,
429 throttling) and `PermanentSmsError` when it never will (refused number, bad credentials,
a misconfiguration); the send task retries the first and marks the message failed on the
second. `ref` is our reference of the message, so a provider that deduplicates can.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("caseflow.sms")

PLACEHOLDER = re.compile(r"\{(to|text|from|ref)\}")
RESPONSE_LIMIT = 64 * 1024
# Answers that say "later": request timeout, too early, throttled, and every 5xx.
TEMPORARY_STATUS = frozenset({408, 425, 429})


class SmsError(Exception):
    """Sending failed; `str(exc)` says why, for the message's last error."""

    temporary = False


class TemporarySmsError(SmsError):
    """Trying again later may work."""

    temporary = True


class PermanentSmsError(SmsError):
    """Trying again will not help."""


class SmsBackend:
    def send(self, to_e164: str, text: str, *, ref: str = "") -> str:
        """Hand the SMS to the provider; its message id ("" if it gives none)."""
        raise NotImplementedError


def get_backend() -> SmsBackend:
    """The configured backend (SMS_BACKEND), a fresh instance."""
    try:
        backend_class = import_string(settings.SMS_BACKEND)
    except ImportError as exc:
        raise PermanentSmsError(f"SMS_BACKEND {settings.SMS_BACKEND!r}: {exc}") from None
    return backend_class()


class ConsoleBackend(SmsBackend):
    """Development: the SMS goes to the log (logger "caseflow.sms"), nowhere else."""

    def send(self, to_e164: str, text: str, *, ref: str = "") -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        logger.info("SMS to %s (%s, %s):\n%s", to_e164, ref or "-", message_id, text)
        return message_id


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A gateway that redirects a POST is misconfigured: say so instead of re-sending as GET.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpGatewayBackend(SmsBackend):
    """A generic HTTP gateway: most providers take a POST with the number and the text,
    authenticated by a header, and answer JSON with the message's id.

    Configured by SMS_HTTP_* (README): URL, method, auth header name and value, body template
    with {to} {text} {from} {ref} (JSON or form-encoded; values are escaped, never pasted into
    the template's text), timeout, and the JSON key of the id in the answer."""

    def __init__(self, **options: Any) -> None:
        def option(name: str) -> Any:
            return options.get(name, getattr(settings, f"SMS_HTTP_{name.upper()}"))

        self.url: str = option("url")
        self.method: str = str(option("method")).upper()
        self.auth_header: str = option("auth_header")
        self.auth_value: str = option("auth_value")
        self.body: str = option("body")
        self.format: str = str(option("format")).lower()
        self.id_key: str = option("id_key")
        self.timeout: float = float(option("timeout"))
        self.sender: str = options.get("sender", settings.SMS_FROM)

    # --- the request ---

    def _values(self, to_e164: str, text: str, ref: str) -> dict[str, str]:
        return {"to": to_e164, "text": text, "from": self.sender, "ref": ref}

    def _fill(self, template: str, values: dict[str, str]) -> str:
        # One pass: a customer's text containing "{to}" stays as it is.
        return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)

    def _json_body(self, values: dict[str, str]) -> bytes:
        try:
            template = json.loads(self.body)
        except ValueError as exc:
            raise PermanentSmsError(f"SMS_HTTP_BODY is not JSON: {exc}") from None

        def fill(node: Any) -> Any:
            if isinstance(node, str):
                return self._fill(node, values)
            if isinstance(node, list):
                return [fill(item) for item in node]
            if isinstance(node, dict):
                return {key: fill(item) for key, item in node.items()}
            return node

        return json.dumps(fill(template), ensure_ascii=False).encode("utf-8")

    def _form_body(self, values: dict[str, str]) -> bytes:
        pairs = parse_qsl(self.body, keep_blank_values=True)
        if not pairs:
            raise PermanentSmsError("SMS_HTTP_BODY is no form template (to={to}&text={text})")
        return urlencode([(key, self._fill(value, values)) for key, value in pairs]).encode()

    def request(self, to_e164: str, text: str, ref: str = "") -> urllib.request.Request:
        """The HTTP request this backend sends (no network)."""
        if urlsplit(self.url or "").scheme not in ("http", "https"):
            raise PermanentSmsError("SMS_HTTP_URL must be an http:// or https:// URL")
        values = self._values(to_e164, text, ref)
        if self.format == "form":
            body, content_type = self._form_body(values), "application/x-www-form-urlencoded"
        else:
            body, content_type = self._json_body(values), "application/json; charset=utf-8"
        headers = {
            "Content-Type": content_type,
            "Accept": "application/json",
            "User-Agent": "Caseflow-SMS/1",
        }
        if self.auth_header and self.auth_value:
            headers[self.auth_header] = self.auth_value
        return urllib.request.Request(  # noqa: S310 (the scheme is checked above)
            self.url, data=body, headers=headers, method=self.method
        )

    # --- sending ---

    def send(self, to_e164: str, text: str, *, ref: str = "") -> str:
        request = self.request(to_e164, text, ref)
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                answer = response.read(RESPONSE_LIMIT)
        except urllib.error.HTTPError as exc:
            detail = exc.read(500).decode("utf-8", "replace").strip()
            exc.close()
            reason = f"HTTP {exc.code} from the SMS gateway: {detail or exc.reason}"
            if exc.code in TEMPORARY_STATUS or exc.code >= 500:
                raise TemporarySmsError(reason) from None
            raise PermanentSmsError(reason) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            cause = exc.reason if isinstance(exc, urllib.error.URLError) else exc
            raise TemporarySmsError(f"SMS gateway unreachable: {cause}") from None
        return self._message_id(answer)

    def _message_id(self, answer: bytes) -> str:
        if not self.id_key:
            return ""
        try:
            node: Any = json.loads(answer)
        except ValueError:
            logger.warning("SMS gateway answered no JSON; no message id kept")
            return ""
        for part in self.id_key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                logger.warning("SMS gateway answer has no %r; no message id kept", self.id_key)
                return ""
        return "" if node is None or isinstance(node, dict | list) else str(node)[:200]
