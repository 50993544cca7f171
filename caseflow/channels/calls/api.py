"""The PBX's webhook: `POST /api/channels/cti/events`, signed with the shared secret
(`caseflow.channels.webhooks`), no user authentication. See docs/phone-and-sms.md."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import ConfigDict, Field

from caseflow.channels import webhooks
from caseflow.channels.api import router
from caseflow.channels.calls import services


class CtiEventIn(Schema):
    """One call event, as the PBX sends it."""

    model_config = ConfigDict(populate_by_name=True)

    event: Literal["started", "answered", "ended"]
    call_id: str = Field(min_length=1, max_length=200, description="the PBX's id of the call")
    caller: str | None = Field(
        None, alias="from", max_length=100, description="calling number, any notation"
    )
    to: str | None = Field(None, max_length=100, description="called number")
    direction: Literal["in", "out", "inbound", "outbound"] = "in"
    agent: str | None = Field(
        None, max_length=150, description="the agent's extension or user name"
    )
    at: datetime = Field(description="when it happened (ISO 8601; without offset: UTC)")
    duration: int | None = Field(None, ge=0, le=86400, description="talk time in seconds")


class CtiEventOut(Schema):
    call_id: str
    state: str
    matched: bool = Field(description="the number belongs to a known contact")
    duplicate: bool = Field(description="this event had been received before: nothing changed")


@router.post(
    "/cti/events",
    auth=None,
    response=webhooks.answers(CtiEventOut),
    openapi_extra=webhooks.openapi(CtiEventIn),
    summary="A call event from the PBX (signed)",
)
def cti_event(request: HttpRequest) -> Status[Any]:
    """Record a call started / answered / ended event. Signed with HMAC-SHA256 of
    `<X-Caseflow-Timestamp>.<raw body>` in `X-Caseflow-Signature: sha256=<hex>`; replays of
    the same (call_id, event) change nothing."""
    body = webhooks.verified_body(request, secrets=settings.CTI_SECRETS)
    data = webhooks.parse(body, CtiEventIn)
    result = services.record_cti_event(
        event=data.event,
        call_id=data.call_id,
        caller=data.caller or "",
        callee=data.to or "",
        direction=data.direction,
        agent=data.agent or "",
        at=data.at,
        duration=data.duration,
        payload=data.model_dump(mode="json", by_alias=True),
    )
    call = result.call
    return Status(
        200,
        {
            "call_id": call.call_id,
            "state": call.state,
            "matched": call.customer_id is not None,
            "duplicate": result.duplicate,
        },
    )
