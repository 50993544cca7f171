"""The SMS gateway's webhook: `POST /api/channels/sms/inbound`, signed like the PBX's
(`caseflow.channels.webhooks`) with its own secret, no user authentication."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import ConfigDict, Field

from caseflow.channels import webhooks
from caseflow.channels.api import router
from caseflow.channels.sms import services


class InboundSmsIn(Schema):
    """One SMS a customer sent, as the gateway forwards it."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(min_length=1, max_length=200, description="the provider's message id")
    sender: str = Field(alias="from", min_length=1, max_length=100, description="the sender")
    to: str | None = Field(None, max_length=100, description="our number it was sent to")
    text: str = Field(max_length=5000)
    at: datetime = Field(description="when it was sent (ISO 8601; without offset: UTC)")


class InboundSmsOut(Schema):
    id: str
    status: str = Field(description="processed, or quarantined (kept with a reason)")
    case: str | None = Field(description="the case's number")
    duplicate: bool = Field(description="received before: nothing changed")


@router.post(
    "/sms/inbound",
    auth=None,
    response=webhooks.answers(InboundSmsOut),
    openapi_extra=webhooks.openapi(InboundSmsIn),
    summary="An SMS from a customer, forwarded by the gateway (signed)",
)
def sms_inbound(request: HttpRequest) -> Status[Any]:
    """Link the SMS by the sender's number like e-mail: the contact's latest open case (or
    the case its text names) gets an `sms_in` entry, else a new case is opened. Signed like
    the CTI webhook with SMS_INBOUND_SECRET; a re-delivery of the same id changes nothing."""
    body = webhooks.verified_body(request, secrets=settings.SMS_INBOUND_SECRETS)
    data = webhooks.parse(body, InboundSmsIn)
    received = services.receive_sms(
        provider_id=data.id,
        sender=data.sender,
        to=data.to or "",
        text=data.text,
        sent_at=data.at,
    )
    sms = received.sms
    return Status(
        200,
        {
            "id": sms.provider_id,
            "status": sms.status,
            "case": sms.case.number if sms.case is not None else None,
            "duplicate": received.duplicate,
        },
    )
