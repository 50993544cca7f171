"""What the channels put on the case page and the page shell, through the screens' registry
(`caseflow.ui.registry`, docs/architecture.md "Extension points"): the actions "log a call",
"send an SMS" and "reply by e-mail", the unknown sender's banner, how mail and SMS entries
show on the timeline, and the incoming-call notice on every page. Registered from
`ChannelsConfig.ready()`."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caseflow.accounts.roles import can
from caseflow.cases.models import Case, CaseStatus
from caseflow.cases.services import Upload
from caseflow.channels import senders
from caseflow.channels.calls import selectors as call_selectors
from caseflow.channels.calls import services as call_services
from caseflow.channels.calls.forms import CallForm
from caseflow.channels.outbound import selectors as outbound_selectors
from caseflow.channels.outbound import services as outbound_services
from caseflow.channels.outbound import templating
from caseflow.channels.outbound.forms import ReplyForm
from caseflow.channels.sms import selectors as sms_selectors
from caseflow.channels.sms import services as sms_services
from caseflow.channels.sms.length import SmsLength, measure
from caseflow.core.errors import NotAllowed
from caseflow.core.models import Channel
from caseflow.core.phones import display
from caseflow.ui.registry import Action, Panel, Registry, ShellPart, TimelineEntry

SMS_TEXT_LIMIT = 2000  # characters the form takes; the segment limit is the real one


def may_add_entries(user: Any, case: Case) -> bool:
    """Calls, SMS and mail go on a case that is not closed, by a role that adds entries."""
    return can(user, "case.event") and case.status != CaseStatus.CLOSED


# --- log a call ---------------------------------------------------------------------------


def call_form(request: HttpRequest, case: Case, bound: bool) -> CallForm:
    """The call form; "log the call" from the incoming-call notice (`?call=<id>`) prefills it
    with the PBX's call and opens it."""
    if bound:
        return CallForm(request.POST)
    prefill = call_selectors.call_form_prefill(request.GET.get("call"))
    form = CallForm(initial=prefill or {})
    form.opened = prefill is not None  # type: ignore[attr-defined]
    return form


def logs_a_call(request: HttpRequest) -> bool:
    """The case page opened from the notice's "log the call" (`?call=<id>`)."""
    return bool(request.GET.get("call"))


def log_call(request: HttpRequest, case: Case, form: CallForm) -> str:
    data = form.cleaned_data
    call_services.log_call(
        actor=request.user,
        case=case,
        direction=data["direction"],
        number=data["number"],
        text=data["text"],
        duration=data["duration"],
        outcome=data["outcome"],
        call=call_selectors.unlogged_call(data["call"]),
    )
    return ""


# --- send an SMS --------------------------------------------------------------------------


class SmsForm(forms.Form):
    to = forms.CharField(
        label=gettext_lazy("To (mobile number)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    text = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=SMS_TEXT_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    @property
    def length(self) -> SmsLength:
        """Characters, encoding and SMS segments of the text (the counter under it)."""
        return measure(str(self["text"].value() or ""))

    @property
    def limit(self) -> int:
        return settings.SMS_MAX_SEGMENTS


def sms_form(request: HttpRequest, case: Case, bound: bool) -> SmsForm:
    """The SMS form, the number prefilled with the contact's mobile; `key` against a double
    click."""
    if bound:
        return SmsForm(request.POST)
    mobile = sms_selectors.mobile_for(case)
    return SmsForm(initial={"to": display(mobile) if mobile else "", "key": uuid.uuid4().hex})


def send_sms(request: HttpRequest, case: Case, form: SmsForm) -> str:
    if case.status == CaseStatus.CLOSED:
        raise NotAllowed(_("Case %(number)s is closed.") % {"number": case.number})
    sms_services.send_sms(
        actor=request.user,
        case=case,
        to=form.cleaned_data["to"],
        text=form.cleaned_data["text"],
        key=form.cleaned_data["key"],
    )
    return ""


# --- reply by e-mail ----------------------------------------------------------------------


def _reply_initial(
    request: HttpRequest, case: Case, defaults: dict[str, Any], templates: list[Any]
) -> dict[str, Any]:
    """The form's start: the default address, or what the agent typed before picking a
    template (`?to=&cc=&template=`); subject and text from the picked template."""
    initial = {
        "to": request.GET.get("to", "")[:2000] or defaults["to"],
        "cc": request.GET.get("cc", "")[:2000],
        "subject": f"Re: {case.subject}",
    }
    chosen = next((t for t in templates if str(t.pk) == request.GET.get("template")), None)
    if chosen is not None:
        subject, body = templating.render_template(
            chosen,
            case,
            language=defaults["language"],
            agent_name=outbound_services.agent_name(request.user),
            signature=defaults["signature"],
        )
        initial |= {"template": str(chosen.pk), "subject": subject, "body": body}
    return initial


def reply_form(request: HttpRequest, case: Case, bound: bool) -> ReplyForm:
    """The reply form with its template picker; `form.defaults`: the sender and signature
    the template shows."""
    defaults = outbound_selectors.reply_defaults(case)
    templates = templating.choosable(defaults["language"], outbound_services.REPLY_PURPOSES)
    if bound:
        form = ReplyForm(request.POST, request.FILES, templates=templates)
    else:
        initial = _reply_initial(request, case, defaults, templates)
        form = ReplyForm(initial=initial, templates=templates)
    form.defaults = defaults  # type: ignore[attr-defined]
    return form


def send_reply(request: HttpRequest, case: Case, form: ReplyForm) -> str:
    data = form.cleaned_data
    outbound = outbound_services.send_reply(
        actor=request.user,
        case=case,
        to=data["to"],
        cc=data["cc"],
        subject=data["subject"],
        body=data["body"],
        template=form.chosen_template,
        attachments=[Upload(name=f.name, content=f.read()) for f in data["files"]],
        channel=Channel.UI,
    )
    return _("E-mail to %(to)s queued.") % {"to": ", ".join(outbound.to.split())}


# --- the unknown sender's banner ----------------------------------------------------------


def unknown_sender(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The case's unadopted sender (a query only for the placeholder customer's cases), and
    whether the viewer may give the case to a customer."""
    sender = senders.sender_of(case)
    return {
        "sender": sender,
        "may_adopt": sender is not None
        and can(request.user, "case.update")
        and case.status != CaseStatus.CLOSED,
    }


def register(registry: Registry) -> None:
    registry.panel(
        Panel(
            name="unknown-sender",
            template="channels/_unknown_sender.html",
            placement="banner",
            order=10,
            context=unknown_sender,
        )
    )
    registry.panel(Panel(name="reply", template="channels/_reply.html", placement="side", order=20))
    registry.action(
        Action(
            name="call",
            label=gettext_lazy("Log a call"),
            panel="log",
            order=20,
            key="c",
            style="btn-outline-primary",
            template="channels/calls/_form_call.html",
            form=call_form,
            perform=log_call,
            done=gettext_lazy("Call logged."),
            allowed=may_add_entries,
            opens=logs_a_call,
            field_aliases={"call_duration": "duration", "call_outcome": "outcome"},
        )
    )
    registry.action(
        Action(
            name="sms",
            label=gettext_lazy("Send an SMS"),
            panel="log",
            order=30,
            key="x",
            style="btn-outline-primary",
            css="mt-2",
            template="channels/sms/_form.html",
            form=sms_form,
            perform=send_sms,
            done=gettext_lazy("SMS to the customer queued."),
            allowed=may_add_entries,
        )
    )
    registry.action(
        Action(
            name="reply",
            label=gettext_lazy("Reply by e-mail"),
            panel="reply",
            key="m",
            style="btn-outline-primary",
            template="channels/_form_reply.html",
            form=reply_form,
            perform=send_reply,
            allowed=may_add_entries,
            field_aliases={"attachments": "files"},
        )
    )
    registry.timeline_entry(TimelineEntry("email_in", template="channels/_email_in.html"))
    for event_type in ("email_out", "sms_out"):
        # each outgoing message's status (queued, sent, failed): one query for the page
        registry.timeline_entry(
            TimelineEntry(
                event_type,
                prepare=outbound_selectors.attach_outbound,
                template="channels/_outbound_event.html",
            )
        )
    registry.shell_part(ShellPart(name="call-notice", template="channels/calls/_notice_shell.html"))
