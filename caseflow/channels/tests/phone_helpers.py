"""What the phone and SMS tests share: signed requests as a PBX or an SMS gateway sends them,
and a caller made through the services. Import the fixtures into a test module to use them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from caseflow.core.models import Channel
from caseflow.customers.models import Customer

# The moment the test calls happen: two hours ago (on the hour), since an event's time must
# be recent (WEBHOOK_EVENT_MAX_AGE_DAYS) and not in the future.
T0 = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)


def at(seconds: int = 0, *, offset: bool = True) -> str:
    """`T0` plus `seconds` as a PBX writes it (ISO 8601; `offset=False`: without offset)."""
    moment = T0 + timedelta(seconds=seconds)
    return moment.isoformat() if offset else moment.replace(tzinfo=None).isoformat()


CTI_URL = "/api/channels/cti/events"
SMS_INBOUND_URL = "/api/channels/sms/inbound"
CTI_SECRET = "test-cti-secret"  # settings_test.CTI_SECRETS
SMS_SECRET = "test-sms-secret"  # settings_test.SMS_INBOUND_SECRETS


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature as a PBX computes it: computed here, independently of the app's code."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def post_signed(
    client,
    url: str,
    payload: Any,
    *,
    secret: str,
    timestamp: int | None = None,
    signature: str | None = None,
    **headers: str,
):
    """POST `payload` (a dict as JSON, or raw bytes) signed with `secret`, through Django's
    test client with the raw body, as the PBX would."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    sent = {
        "X-Caseflow-Timestamp": str(stamp),
        "X-Caseflow-Signature": signature or sign(secret, stamp, body),
        **headers,
    }
    return client.post(url, body, content_type="application/json", headers=sent)


def cti(client, payload: Any, **kwargs: Any):
    return post_signed(client, CTI_URL, payload, secret=CTI_SECRET, **kwargs)


def call_event(event: str, call_id: str = "pbx-1", **fields: Any) -> dict[str, Any]:
    """A CTI event body with sensible defaults (an incoming call to the hotline)."""
    body: dict[str, Any] = {
        "event": event,
        "call_id": call_id,
        "from": "+49 30 1234567",
        "to": "+49 40 999000",
        "at": at(),
    }
    body.update(fields)
    return body


@pytest.fixture
def phone_caller(agent, call_customer) -> Customer:
    """The root conftest's `call_customer` (landline 030 1234567, +49301234567) with a mobile
    0171 2345678 (+491712345678) added through the service, as the desk does."""
    from caseflow.customers.services import add_contact_point

    add_contact_point(
        actor=agent,
        channel=Channel.PHONE,
        contact=call_customer.contacts.get(),
        kind="mobile",
        value="0171 2345678",
    )
    return call_customer
