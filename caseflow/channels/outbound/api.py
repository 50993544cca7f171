"""E-mail out in the API (under /api/channels): reply to the customer from a case (JSON, or
multipart with files), the case's outgoing messages, the message templates, sending a
failed message again. Thin: parse, look up, call one service or selector, answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from caseflow.accounts.roles import require
from caseflow.cases import selectors as case_selectors
from caseflow.cases.models import Case
from caseflow.cases.services import Upload
from caseflow.channels.models import MessageTemplate, OutboundMessage
from caseflow.channels.outbound import selectors, services, templating
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.pagination import keyset_page
from caseflow.core.schemas import ERRORS, WRITE_ERRORS, Id

router = Router(tags=["channels"])

OUTBOUND_ORDER = ("-created_at", "-id")
Address = str
PurposeIn = Literal["reply", "solution", "ack", "web_ack", "sms"]
LanguageIn = Literal["en", "de", "es"]


class ReplyIn(Schema):
    """A reply. With `template_id` and no `body`, subject and text come from the template,
    in the customer's language."""

    to: list[Address] = Field(min_length=1, max_length=services.MAX_RECIPIENTS)
    cc: list[Address] = Field(default_factory=list, max_length=services.MAX_RECIPIENTS)
    subject: str = Field("", max_length=services.SUBJECT_LIMIT)
    body: str = Field("", max_length=services.BODY_LIMIT)
    template_id: Id | None = None
    version: int | None = Field(None, ge=1, le=2**31 - 1, description="the case version read")


class OutboundOut(Schema):
    id: int
    case_id: int
    event_id: int
    kind: str
    status: str
    to: list[str]
    cc: list[str]
    sender: str
    subject: str
    body: str
    message_id: str
    in_reply_to: str
    references: list[str]
    is_acknowledgement: bool
    attempts: int
    last_error: str
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None

    @staticmethod
    def resolve_to(obj: OutboundMessage) -> list[str]:
        return obj.to.split()

    @staticmethod
    def resolve_cc(obj: OutboundMessage) -> list[str]:
        return obj.cc.split()

    @staticmethod
    def resolve_references(obj: OutboundMessage) -> list[str]:
        return obj.references.split()


class OutboundPageOut(Schema):
    items: list[OutboundOut]
    next_cursor: str | None = None


class TemplateOut(Schema):
    """One template in one language: a template with texts in three languages is listed three
    times, with the same `id` (send it as `template_id`: the customer's language is used)."""

    id: int
    code: str
    language: str
    purpose: str
    name: str
    subject: str
    body: str


def _case(request: HttpRequest, case_id: int) -> Case:
    return case_selectors.cases_visible_to(request.user).get(pk=case_id)


def _template(template_id: int | None) -> MessageTemplate | None:
    if template_id is None:
        return None
    found = MessageTemplate.objects.filter(pk=template_id, active=True).first()
    if found is None:
        raise DomainError(
            _("There is no active template with id %(id)s.") % {"id": template_id},
            field="template_id",
            code="unknown_reference",
        )
    return found


def _reply(request: HttpRequest, case_id: int, payload: ReplyIn, uploads: list[Upload]) -> Any:
    outbound = services.send_reply(
        actor=request.user,
        case=_case(request, case_id),
        to=payload.to,
        cc=payload.cc,
        subject=payload.subject,
        body=payload.body,
        template=_template(payload.template_id),
        attachments=uploads,
        version=payload.version,
        channel=Channel.API,
    )
    return Status(201, outbound)


@router.post("/cases/{case_id}/replies", response={201: OutboundOut, **WRITE_ERRORS})
def create_reply(request: HttpRequest, case_id: int, payload: ReplyIn) -> Any:
    """Reply to the customer by e-mail (JSON; files: use /replies/upload). The mail is
    queued (status `queued`) and sent by the worker; the case tag, threading headers and
    the mailbox's signature are added."""
    return _reply(request, case_id, payload, [])


@router.post("/cases/{case_id}/replies/upload", response={201: OutboundOut, **WRITE_ERRORS})
def create_reply_with_files(
    request: HttpRequest,
    case_id: int,
    payload: Form[ReplyIn],
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """The same as /replies, as multipart/form-data with up to 10 files in `files`."""
    files = files or []
    if len(files) > services.MAX_FILES:
        raise DomainError(
            _("At most %(n)s files per e-mail.") % {"n": services.MAX_FILES},
            field="files",
            code="too_many",
        )
    uploads = []
    for upload in files:
        if upload.size is not None and upload.size > settings.ATTACHMENT_MAX_BYTES:
            raise DomainError(
                _("The file %(name)s is too large.") % {"name": upload.name},
                field="files",
                code="file_too_large",
            )
        uploads.append(Upload(name=upload.name, content=upload.read()))
    return _reply(request, case_id, payload, uploads)


@router.get("/cases/{case_id}/outbound", response={200: OutboundPageOut, **ERRORS})
def list_outbound(
    request: HttpRequest,
    case_id: int,
    cursor: str | None = Query(None, max_length=500),  # type: ignore[assignment]
    limit: int = Query(50, ge=1, le=200),  # type: ignore[assignment]
) -> Any:
    """The case's outgoing e-mails and SMS with their status, newest first."""
    require(request.user, "case.view")
    messages = selectors.outbound_of_case(_case(request, case_id))
    page = keyset_page(messages, ordering=OUTBOUND_ORDER, cursor=cursor, limit=limit)
    return {"items": page.items, "next_cursor": page.next_cursor}


@router.post("/outbound/{outbound_id}/retry", response={200: OutboundOut, **WRITE_ERRORS})
def retry_outbound(request: HttpRequest, outbound_id: int) -> Any:
    """Send a failed e-mail again."""
    require(request.user, "case.view")
    outbound = OutboundMessage.objects.get(
        pk=outbound_id, case__in=case_selectors.cases_visible_to(request.user)
    )
    return services.retry_outbound(actor=request.user, outbound=outbound, channel=Channel.API)


@router.get("/templates", response={200: list[TemplateOut], **ERRORS})
def list_templates(
    request: HttpRequest,
    purpose: PurposeIn | None = None,
    language: LanguageIn | None = None,
) -> Any:
    """The active message templates (placeholders: {case_number}, {customer_name},
    {contact_name}, {subject}, {solution}, {product}, {serial}, {agent_name}, {signature})."""
    require(request.user, "case.view")
    rows = MessageTemplate.objects.filter(active=True)
    if purpose:
        rows = rows.filter(purpose=purpose)
    listed = []
    for template in rows.order_by("purpose", "code"):
        for code in templating.languages_of(template):
            if language and code != language:
                continue
            listed.append(
                {
                    "id": template.pk,
                    "code": template.code,
                    "language": code,
                    "purpose": template.purpose,
                    "name": getattr(template, f"name_{code}") or template.name_en,
                    "subject": getattr(template, f"subject_{code}") or "",
                    "body": getattr(template, f"body_{code}"),
                }
            )
    return listed
