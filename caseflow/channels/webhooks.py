"""Signed webhooks: the PBX's call events and the SMS gateway's inbound messages.

The sender signs the exact bytes it sends, with a secret it shares with us:

    X-Caseflow-Timestamp: 1767225600                      (Unix seconds, when it signed)
    X-Caseflow-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">

A request is accepted only when one of the configured secrets (several during a rotation)
gives the same signature, compared in constant time, and the timestamp is within
WEBHOOK_TIMESTAMP_WINDOW seconds of our clock, so a captured request cannot be replayed
later. Nothing of the body is parsed before the signature holds.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from caseflow.core.errors import Refused
from caseflow.core.schemas import ErrorOut

TIMESTAMP_HEADER = "X-Caseflow-Timestamp"
SIGNATURE_HEADER = "X-Caseflow-Signature"
# An event or an SMS is a few hundred bytes; anything this big is not one.
MAX_BODY_BYTES = 64 * 1024
_DIGITS = re.compile(r"[0-9]{1,12}")


def answers(ok: Any) -> dict[int, Any]:
    """The `response` of a signed webhook: `ok` for 200, the API's error body for every
    refusal (`Refused` and the services' `DomainError`s are answered by caseflow.api)."""
    return {200: ok, **{status: ErrorOut for status in (400, 401, 403, 404, 409, 413, 422, 503)}}


def openapi(schema: type[BaseModel]) -> dict[str, Any]:
    """The `openapi_extra` of a signed webhook: its headers, and the body the signature covers
    (the view reads the raw bytes itself, so ninja does not know the body)."""
    headers = [
        {"in": "header", "name": TIMESTAMP_HEADER, "required": True,
         "description": "when the sender signed, in Unix seconds", "schema": {"type": "string"}},
        {"in": "header", "name": SIGNATURE_HEADER, "required": True,
         "description": 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">',
         "schema": {"type": "string"}},
    ]  # fmt: skip
    body = {"schema": schema.model_json_schema(by_alias=True)}
    return {
        "parameters": headers,
        "requestBody": {"required": True, "content": {"application/json": body}},
    }


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The `X-Caseflow-Signature` value for `body` signed at `timestamp` with `secret`."""
    signed = str(timestamp).encode("ascii") + b"." + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers a sender adds (what a PBX does; used by tests and the docs)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {TIMESTAMP_HEADER: str(stamp), SIGNATURE_HEADER: signature(secret, stamp, body)}


def verified_body(request: HttpRequest, *, secrets: Sequence[str]) -> bytes:
    """The request's raw body once its signature and timestamp hold; else `Refused`.

    503 when no secret is configured (the feature is off), 413 for an oversize body, 401 for
    a missing, stale or wrong signature."""
    if not secrets:
        raise Refused(
            503, "not_configured", _("This webhook is switched off: no shared secret is set.")
        )
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if not _DIGITS.fullmatch(declared) or int(declared) > MAX_BODY_BYTES:
        raise Refused(
            413,
            "too_large",
            _("The body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES},
        )
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise Refused(
            413,
            "too_large",
            _("The body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES},
        )
    stamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    if not _DIGITS.fullmatch(stamp):
        raise Refused(
            401,
            "bad_timestamp",
            _("%(header)s must be the signing time in Unix seconds.")
            % {"header": TIMESTAMP_HEADER},
            field=TIMESTAMP_HEADER,
        )
    window = settings.WEBHOOK_TIMESTAMP_WINDOW
    if abs(time.time() - int(stamp)) > window:
        raise Refused(
            401,
            "stale_timestamp",
            _(
                "The timestamp is more than %(window)s seconds away from our clock: a replay, "
                "or a clock that needs NTP. Sign the request afresh."
            )
            % {"window": window},
            field=TIMESTAMP_HEADER,
        )
    given = request.headers.get(SIGNATURE_HEADER, "").strip().encode("utf-8", "replace")
    # Every secret is tried (no early exit), each comparison in constant time.
    matched = False
    for secret in secrets:
        expected = signature(secret, stamp, body).encode("ascii")
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise Refused(
            401,
            "bad_signature",
            _('The signature does not match: expected "sha256=" and the hex HMAC-SHA256 of '
              '"<timestamp>.<body>" with the shared secret.'),
            field=SIGNATURE_HEADER,
        )  # fmt: skip
    return body


def parse(body: bytes, schema: type[BaseModel]) -> Any:
    """The body as `schema`: 400 for anything but a JSON object, 422 naming the bad field
    (a time outside what an event can have: `check_times`)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        # RecursionError: nesting too deep for the parser ("[[[[…" within the size limit)
        raise Refused(400, "malformed_json", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise Refused(400, "malformed_json", _("The body must be a JSON object.")) from None
    try:
        parsed = schema.model_validate(data)
    except PydanticValidationError as exc:
        errors: list[dict[str, Any]] = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ())) or None,
                "message": str(e.get("msg", "invalid")),
            }
            for e in exc.errors()
        ]
        first = errors[0]
        raise Refused(
            422, "validation_error", str(first["message"]), first["field"], errors=errors
        ) from None
    check_times(parsed)
    return parsed


def check_times(parsed: BaseModel) -> None:
    """Refuse (422, naming the field) any time in `parsed` that no event can have: older
    than WEBHOOK_EVENT_MAX_AGE_DAYS, or later than now plus WEBHOOK_TIMESTAMP_WINDOW (the
    clock skew a signature is allowed). A time without offset is UTC."""
    now = datetime.now(UTC)
    earliest = now - timedelta(days=settings.WEBHOOK_EVENT_MAX_AGE_DAYS)
    latest = now + timedelta(seconds=settings.WEBHOOK_TIMESTAMP_WINDOW)
    for name, info in type(parsed).model_fields.items():
        value = getattr(parsed, name)
        if not isinstance(value, datetime):
            continue
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        try:
            fits = earliest <= moment <= latest
        except OverflowError:  # 9999-12-31T23:59-05:00 is after the last moment Python has
            fits = False
        if not fits:
            raise Refused(
                422,
                "out_of_range",
                _(
                    "%(field)s is no time an event can have: it must lie within the last "
                    "%(days)s days and not in the future."
                )
                % {"field": info.alias or name, "days": settings.WEBHOOK_EVENT_MAX_AGE_DAYS},
                field=info.alias or name,
            )
