"""Cases API: thin endpoints that parse, look up, call one service or selector, answer."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime
from functools import cache
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from caseflow.accounts.models import Team, User
from caseflow.accounts.roles import require
from caseflow.cases import config, selectors, services
from caseflow.cases.downloads import attachment_response
from caseflow.cases.models import Attachment, Case, Code, EventType, Priority, SupplyLine
from caseflow.cases.schemas import (
    AssignIn,
    CaseIn,
    CaseOut,
    CasePageOut,
    CaseUpdateIn,
    CloseIn,
    CodeOut,
    EventIn,
    EventOut,
    EventPageOut,
    EventTypeOut,
    PriorityOut,
    ReopenIn,
    ResolveIn,
    StatusChangeIn,
    StatusIn,
    SuggestionOut,
    SupplyIn,
    SupplyOut,
)
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.catalog.selectors import warranty_status
from caseflow.core import rows
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.pagination import keyset_page
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id
from caseflow.customers.models import Contact, Customer

router = Router(tags=["cases"])

M = TypeVar("M", bound=models.Model)
EventCategoryIn = Literal["call", "email", "sms", "note", "scheduling", "system"]
CASE_ORDER = ("-received_at", "-id")
EVENT_ORDER = ("-occurred_at", "-id")
MAX_FILES = 10


def _ref(model: type[M], pk: int | None, field: str) -> M | None:
    """The row `pk` names in the request body, or a 422 that names the field."""
    if pk is None:
        return None
    found = _reader(model).get(pk)
    if found is None:
        raise DomainError(
            _("There is no %(what)s with id %(id)s.")
            % {"what": model._meta.verbose_name, "id": pk},
            field=field,
            code="unknown_reference",
        )
    return found


@cache
def _reader(model: type[M]) -> rows.Reader[M]:
    # One plain statement by key (a case creation reads two or three of these); a unit comes
    # with its product, which the case takes over.
    return rows.Reader(model, related="product" if model is Unit else None)


def _priority(code: str | None) -> Priority | None:
    if not code:
        return None
    found = config.priority(code)  # per-process cache: asked on most creations
    if found is None:
        raise DomainError(_("Unknown priority %(code)s.") % {"code": code}, field="priority")
    return found


def _case(request: HttpRequest, case_id: int) -> Case:
    return selectors.cases_visible_to(request.user).get(pk=case_id)


def _detail(request: HttpRequest, case_id: int) -> Case:
    return selectors.case_answer(viewer=request.user, case_id=case_id)


# --- lists and reads ----------------------------------------------------------------------


class CaseFilters(Schema):
    status: list[StatusIn] = Field(default_factory=list, description="repeat for several")
    owner_id: Id | None = None
    unassigned: bool = False
    team_id: Id | None = None
    customer_id: Id | None = None
    unit_id: Id | None = None
    product_id: Id | None = None
    product_type_id: Id | None = None
    priority: str | None = Field(None, max_length=20)
    case_type: Literal["warranty", "courtesy", "billable"] | None = None
    channel: Literal["phone", "email", "web", "counter", "sms"] | None = None
    received_from: datetime | None = None
    received_to: datetime | None = None
    number: str | None = Field(None, max_length=20)
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(50, ge=1, le=200)


@router.get("", response={200: CasePageOut, **ERRORS})
def list_cases(request: HttpRequest, filters: Query[CaseFilters]) -> Any:
    """Cases, newest first, filtered; keyset-paginated with `cursor`."""
    require(request.user, "case.view")
    params = filters.dict(exclude={"cursor", "limit"})
    cases = selectors.case_list(viewer=request.user, related=selectors.API_RELATED, **params)
    page = keyset_page(cases, ordering=CASE_ORDER, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/codes", response={200: list[CodeOut], **ERRORS})
def list_codes(
    request: HttpRequest,
    kind: Literal["reason", "resolution"] | None = None,
    parent_id: Id | None = None,
) -> Any:
    """Reason and resolution codes; general ones, or the specific ones under `parent_id`."""
    require(request.user, "case.view")
    return list(selectors.codes(kind=kind, parent_id=parent_id))


@router.get("/priorities", response={200: list[PriorityOut], **ERRORS})
def list_priorities(request: HttpRequest) -> Any:
    require(request.user, "case.view")
    return list(Priority.objects.filter(active=True))


@router.get("/event-types", response={200: list[EventTypeOut], **ERRORS})
def list_event_types(request: HttpRequest) -> Any:
    require(request.user, "case.view")
    return list(EventType.objects.filter(active=True))


@router.get("/suggest-type", response={200: SuggestionOut, **ERRORS})
def suggest_type(request: HttpRequest, unit_id: Id, on: date | None = None) -> Any:
    """The case type Caseflow would suggest for `unit_id` on day `on` (default today)."""
    require(request.user, "case.view")
    unit = _ref(Unit, unit_id, "unit_id")
    assert unit is not None  # noqa: S101 - _ref raises for a missing id
    day = on or timezone.localdate()
    cover = warranty_status(unit, day)
    return {
        "suggested_case_type": services.suggest_case_type(unit, day),
        "in_warranty": cover.in_warranty,
        "warranty_ends_on": cover.warranty_ends_on,
        "contract_number": cover.contract.number if cover.contract else None,
        "contract_level": cover.contract.level if cover.contract else None,
    }


@router.get("/{case_id}", response={200: CaseOut, **ERRORS})
def get_case(request: HttpRequest, case_id: int) -> Any:
    require(request.user, "case.view")
    return _detail(request, case_id)


@router.get("/{case_id}/events", response={200: EventPageOut, **ERRORS})
def list_events(
    request: HttpRequest,
    case_id: int,
    category: list[EventCategoryIn] = Query([]),  # noqa: B008 - ninja declares query lists so
    cursor: str | None = None,
    limit: int = 50,
) -> Any:
    """The case's timeline, newest first; `category` filters (call, email, note, system …)."""
    require(request.user, "case.view")
    events = selectors.timeline(case=_case(request, case_id), categories=category)
    page = keyset_page(events, ordering=EVENT_ORDER, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.get("/{case_id}/attachments/{attachment_id}", response={200: None, **ERRORS})
def download_attachment(request: HttpRequest, case_id: int, attachment_id: int) -> Any:
    """The file, always as a download: never rendered by the browser in our origin."""
    require(request.user, "case.view")
    case = _case(request, case_id)
    attachment = Attachment.objects.get(pk=attachment_id, event__case=case)
    return attachment_response(attachment)


# --- writes -------------------------------------------------------------------------------


@router.post("", response={201: CaseOut, **WRITE_ERRORS})
def create_case(request: HttpRequest, payload: CaseIn) -> Any:
    """Open a case; with `new_customer` instead of `customer_id`, create the caller first."""
    from caseflow.customers import services as customer_services

    user = request.user
    if (payload.customer_id is None) == (payload.new_customer is None):
        raise DomainError(_("Give either customer_id or new_customer."), field="customer_id")
    # One transaction for "new caller + case"; a known caller needs only open_case's own
    # (no savepoints on the busiest write path).
    with transaction.atomic() if payload.new_customer is not None else nullcontext():
        if payload.new_customer is not None:
            new = payload.new_customer
            customer = customer_services.create_customer(
                actor=user, channel=payload.channel, contact_name=new.name, **new.dict()
            )
        else:
            customer = _ref(Customer, payload.customer_id, "customer_id")
        assert customer is not None  # noqa: S101
        case = services.open_case(
            actor=user,
            channel=payload.channel,
            customer=customer,
            subject=payload.subject,
            symptom=payload.symptom,
            contact=_ref(Contact, payload.contact_id, "contact_id"),
            unit=_ref(Unit, payload.unit_id, "unit_id"),
            product=_ref(Product, payload.product_id, "product_id"),
            sales_order=_ref(SalesOrder, payload.sales_order_id, "sales_order_id"),
            case_type=payload.case_type,
            case_type_reason=payload.case_type_reason,
            priority=_priority(payload.priority),
            reason_general=_ref(Code, payload.reason_general_id, "reason_general_id"),
            reason_specific=_ref(Code, payload.reason_specific_id, "reason_specific_id"),
            owner=_ref(User, payload.owner_id, "owner_id"),
            team=_ref(Team, payload.team_id, "team_id"),
            received_at=payload.received_at,
            promised_by=payload.promised_by,
        )
    # Answer from the objects in hand: a new case has no supplies, and its customer, owner
    # and priority were loaded to open it (no re-read, no 6-way join to plan).
    case.active_supplies = []  # type: ignore[attr-defined]
    return Status(201, case)


RELATION_FIELDS = {
    "contact_id": ("contact", Contact),
    "unit_id": ("unit", Unit),
    "product_id": ("product", Product),
    "sales_order_id": ("sales_order", SalesOrder),
    "reason_general_id": ("reason_general", Code),
    "reason_specific_id": ("reason_specific", Code),
}


@router.patch("/{case_id}", response={200: CaseOut, **WRITE_ERRORS})
def update_case(request: HttpRequest, case_id: int, payload: CaseUpdateIn) -> Any:
    """Change the fields sent; `version` must be the one read (409 if someone was faster)."""
    case = _case(request, case_id)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version")
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name in RELATION_FIELDS:
            attr, model = RELATION_FIELDS[name]
            changes[attr] = _ref(model, value, name)
        elif name == "priority":
            if value is None:
                raise DomainError(_("A case always has a priority."), field="priority")
            changes["priority"] = _priority(value)
        elif (value is None and name in ("subject", "symptom", "diagnosis", "solution")) or (
            name == "case_type_reason" and value is None
        ):
            changes[name] = ""
        elif name == "case_type" and value is None:
            raise DomainError(_("A case always has a type."), field="case_type")
        else:
            changes[name] = value
    services.update_case(
        actor=request.user, channel=Channel.API, case=case, version=version, **changes
    )
    return _detail(request, case_id)


@router.post("/{case_id}/status", response={200: CaseOut, **WRITE_ERRORS})
def change_status(request: HttpRequest, case_id: int, payload: StatusChangeIn) -> Any:
    services.change_status(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        status=payload.status,
        version=payload.version,
        note=payload.note,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/assign", response={200: CaseOut, **WRITE_ERRORS})
def assign_case(request: HttpRequest, case_id: int, payload: AssignIn) -> Any:
    services.assign_case(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        owner=_ref(User, payload.owner_id, "owner_id"),
        team=_ref(Team, payload.team_id, "team_id"),
        version=payload.version,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/events", response={201: EventOut, **WRITE_ERRORS})
def add_event(request: HttpRequest, case_id: int, payload: EventIn) -> Any:
    """Add a call, e-mail, SMS, note or scheduling entry (JSON; files: use /events/upload)."""
    event = services.record_event(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        **payload.dict(),
    )
    return Status(201, selectors.timeline(case=event.case).get(pk=event.pk))


@router.post("/{case_id}/events/upload", response={201: EventOut, **WRITE_ERRORS})
def add_event_with_files(
    request: HttpRequest,
    case_id: int,
    payload: Form[EventIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """The same as /events, as multipart/form-data with up to 10 files in `files`."""
    case = _case(request, case_id)
    files = files or []
    if len(files) > MAX_FILES:
        raise DomainError(
            _("At most %(n)s files per entry.") % {"n": MAX_FILES}, field="files", code="too_many"
        )
    uploads = []
    for upload in files:
        if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise DomainError(
                _("The file %(name)s is too large.") % {"name": upload.name},
                field="files",
                code="file_too_large",
            )
        uploads.append(services.Upload(name=upload.name, content=upload.read()))
    event = services.record_event(
        actor=request.user, channel=Channel.API, case=case, uploads=uploads, **payload.dict()
    )
    return Status(201, selectors.timeline(case=event.case).get(pk=event.pk))


@router.post("/{case_id}/supplies", response={201: SupplyOut, **WRITE_ERRORS})
def add_supply(request: HttpRequest, case_id: int, payload: SupplyIn) -> Any:
    product = _ref(Product, payload.product_id, "product_id")
    assert product is not None  # noqa: S101
    line = services.add_supply(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        product=product,
        quantity=payload.quantity,
        unit_price=payload.unit_price,
        description=payload.description,
    )
    return Status(201, line)


@router.delete("/{case_id}/supplies/{line_id}", response={204: None, **WRITE_ERRORS})
def remove_supply(request: HttpRequest, case_id: int, line_id: int) -> Any:
    case = _case(request, case_id)
    line = SupplyLine.objects.get(pk=line_id, case=case)
    services.remove_supply(actor=request.user, channel=Channel.API, case=case, line=line)
    return Status(204, None)


@router.post("/{case_id}/resolve", response={200: CaseOut, **WRITE_ERRORS})
def resolve_case(request: HttpRequest, case_id: int, payload: ResolveIn) -> Any:
    services.resolve_case(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        resolution_general=_ref(Code, payload.resolution_general_id, "resolution_general_id"),
        resolution_specific=_ref(Code, payload.resolution_specific_id, "resolution_specific_id"),
        solution=payload.solution,
        version=payload.version,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/close", response={200: CaseOut, **WRITE_ERRORS})
def close_case(request: HttpRequest, case_id: int, payload: CloseIn) -> Any:
    services.close_case(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        version=payload.version,
    )
    return _detail(request, case_id)


@router.post("/{case_id}/reopen", response={200: CaseOut, **WRITE_ERRORS})
def reopen_case(request: HttpRequest, case_id: int, payload: ReopenIn) -> Any:
    services.reopen_case(
        actor=request.user,
        channel=Channel.API,
        case=_case(request, case_id),
        reason=payload.reason,
        version=payload.version,
    )
    return _detail(request, case_id)
