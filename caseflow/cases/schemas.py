"""Input and output schemas of the cases API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from caseflow.core.schemas import Id

ChannelIn = Literal["phone", "email", "web", "counter", "sms"]
CaseTypeIn = Literal["warranty", "courtesy", "billable"]
StatusIn = Literal[
    "new", "open", "waiting_customer", "waiting_vendor", "waiting_parts", "resolved", "closed"
]


class NewCustomerIn(Schema):
    """A caller who is not in Caseflow yet, created with the case (source 004)."""

    kind: Literal["organisation", "person"] = "person"
    name: str = Field(min_length=1, max_length=200)
    language: Literal["de", "es", "en"] = "de"
    emails: list[str] = Field(default_factory=list, max_length=10)
    phones: list[str] = Field(default_factory=list, max_length=10)
    street: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)


class CaseIn(Schema):
    customer_id: Id | None = None
    new_customer: NewCustomerIn | None = None
    subject: str = Field(min_length=1, max_length=200)
    channel: ChannelIn = "phone"
    symptom: str = Field("", max_length=20000)
    contact_id: Id | None = None
    unit_id: Id | None = None
    product_id: Id | None = None
    sales_order_id: Id | None = None
    case_type: CaseTypeIn | None = None
    case_type_reason: str = Field("", max_length=500)
    priority: str | None = Field(None, max_length=20, description="priority code, e.g. P2")
    reason_general_id: Id | None = None
    reason_specific_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    received_at: datetime | None = None
    promised_by: date | None = None


class CaseUpdateIn(Schema):
    """Only the fields sent are changed; `version` is the one the client read."""

    version: int
    subject: str | None = Field(None, min_length=1, max_length=200)
    symptom: str | None = Field(None, max_length=20000)
    diagnosis: str | None = Field(None, max_length=20000)
    solution: str | None = Field(None, max_length=20000)
    promised_by: date | None = None
    priority: str | None = Field(None, max_length=20)
    case_type: CaseTypeIn | None = None
    case_type_reason: str | None = Field(None, max_length=500)
    contact_id: Id | None = None
    unit_id: Id | None = None
    product_id: Id | None = None
    sales_order_id: Id | None = None
    reason_general_id: Id | None = None
    reason_specific_id: Id | None = None


class StatusChangeIn(Schema):
    status: StatusIn
    version: int | None = None
    note: str = Field("", max_length=2000)


class AssignIn(Schema):
    owner_id: Id | None = None
    team_id: Id | None = None
    version: int | None = None


class EventIn(Schema):
    event_type: str = Field(max_length=30, description="event type code, e.g. call_in, note")
    text: str = Field("", max_length=100000)
    occurred_at: datetime | None = None
    is_internal: bool = True
    call_duration: int | None = Field(None, ge=0, le=86400, description="seconds")
    call_outcome: Literal["reached", "not_reached", "call_back", ""] = ""


class SupplyIn(Schema):
    product_id: Id
    quantity: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    description: str = Field("", max_length=200)


class ResolveIn(Schema):
    resolution_general_id: Id
    resolution_specific_id: Id | None = None
    solution: str | None = Field(None, max_length=20000)
    version: int | None = None


class CloseIn(Schema):
    version: int | None = None


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = None


class RefOut(Schema):
    id: int
    name: str


class CodeOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    parent_id: int | None


class PriorityOut(Schema):
    code: str
    name: str
    rank: int
    response_minutes: int
    resolution_minutes: int
    is_default: bool


class EventTypeOut(Schema):
    code: str
    name: str
    category: str
    is_system: bool


class CaseListItemOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    case_type: str
    channel: str
    priority: str
    customer_id: int
    customer_name: str
    owner_id: int | None
    owner_name: str | None
    team_id: int | None
    product_id: int | None
    unit_id: int | None
    received_at: datetime
    promised_by: date | None
    version: int

    @staticmethod
    def resolve_priority(obj: object) -> str:
        return obj.priority.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_customer_name(obj: object) -> str:
        return obj.customer.name  # type: ignore[attr-defined]

    @staticmethod
    def resolve_owner_name(obj: object) -> str | None:
        owner = obj.owner  # type: ignore[attr-defined]
        return str(owner) if owner else None


class SupplyOut(Schema):
    id: int
    product_id: Id
    sku: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    currency: str
    net_amount: Decimal

    @staticmethod
    def resolve_sku(obj: object) -> str:
        return obj.product.sku  # type: ignore[attr-defined]


class CaseOut(CaseListItemOut):
    contact_id: int | None
    sales_order_id: int | None
    symptom: str
    diagnosis: str
    solution: str
    suggested_case_type: str
    case_type_reason: str
    reason_general_id: int | None
    reason_specific_id: int | None
    resolution_general_id: int | None
    resolution_specific_id: int | None
    resolved_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime
    supplies: list[SupplyOut] = []

    @staticmethod
    def resolve_supplies(obj: object) -> list[object]:
        supplies = getattr(obj, "active_supplies", None)
        if supplies is None:
            supplies = list(obj.supplies.filter(removed_at__isnull=True))  # type: ignore[attr-defined]
        return supplies


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class EventOut(Schema):
    id: int
    event_type: str
    category: str
    occurred_at: datetime
    actor: str | None
    channel: str
    text: str
    is_internal: bool
    call_duration: int | None
    call_outcome: str
    data: dict[str, object]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_event_type(obj: object) -> str:
        return obj.event_type.code  # type: ignore[attr-defined]

    @staticmethod
    def resolve_category(obj: object) -> str:
        return obj.event_type.category  # type: ignore[attr-defined]

    @staticmethod
    def resolve_actor(obj: object) -> str | None:
        actor = obj.actor  # type: ignore[attr-defined]
        return str(actor) if actor else None

    @staticmethod
    def resolve_attachments(obj: object) -> list[object]:
        files = getattr(obj, "files", None)  # prefetched by `selectors.timeline`
        return files if files is not None else list(obj.attachments.all())  # type: ignore[attr-defined]


class SuggestionOut(Schema):
    suggested_case_type: str
    in_warranty: bool
    warranty_ends_on: date | None
    contract_number: str | None
    contract_level: str | None


class CasePageOut(Schema):
    items: list[CaseListItemOut]
    next_cursor: str | None


class EventPageOut(Schema):
    items: list[EventOut]
    next_cursor: str | None
