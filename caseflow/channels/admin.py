"""Mailboxes, message templates and agents' extensions are configuration, edited here
(audited, core.admin.AuditedAdmin). Messages themselves change only through the channel
services: their admin is read-only (the quarantine has its own actions)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from caseflow.channels.models import InboundMessage, Mailbox, MessageTemplate, OutboundMessage
from caseflow.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(Mailbox)
class MailboxAdmin(AuditedAdmin):
    audit_secret_fields = ("imap_password",)
    audit_transient_models = ("channels.imappolllease",)

    list_display = ("name", "address", "owner", "team", "imap_host", "active", "last_polled_at")
    list_filter = ("active",)
    search_fields = ("name", "address")
    readonly_fields = ("last_polled_at", "last_error")
    fieldsets = (
        (None, {"fields": ("name", "address", "display_name", "owner", "team", "language",
                           "signature", "acknowledge", "active")}),
        (_("IMAP"), {"fields": ("imap_host", "imap_port", "imap_security", "imap_user",
                             "imap_password", "imap_folder", "imap_done_folder",
                             "last_polled_at", "last_error")}),
    )  # fmt: skip


@admin.register(MessageTemplate)
class MessageTemplateAdmin(AuditedAdmin):
    list_display = ("name", "code", "language", "purpose", "active")
    list_filter = ("purpose", "language", "active")
    search_fields = ("code", "name", "subject")


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "mailbox", "sender", "subject", "status", "reason", "case")
    list_filter = ("status", "mailbox", "is_automatic")
    search_fields = ("message_id", "sender", "subject", "sha256")
    list_select_related = ("mailbox", "case")
    # Mail intake: the quarantine is this list filtered by status; "retry" runs the pipeline
    # again for the selected messages (after the cause was fixed).
    actions = ("retry_messages",)

    def has_retry_permission(self, request):  # type: ignore[no-untyped-def]
        return request.user.has_perm("channels.change_inboundmessage")

    @admin.action(description=_("Retry the selected quarantined messages"), permissions=["retry"])
    def retry_messages(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.channels.inbound.services import RETRYABLE, retry

        outcomes: dict[str, int] = {}
        for inbound in queryset.filter(status__in=RETRYABLE).order_by("pk"):
            status = retry(inbound, actor=request.user, channel="admin").get_status_display()
            outcomes[status] = outcomes.get(status, 0) + 1
        if not outcomes:
            self.message_user(request, _("None of the selected messages is quarantined."))
            return
        summary = ", ".join(f"{status}: {count}" for status, count in sorted(outcomes.items()))
        self.message_user(request, _("Retried. %(summary)s") % {"summary": summary})


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "to", "subject", "status", "attempts", "case")
    list_filter = ("kind", "status")
    search_fields = ("message_id", "to", "subject")
    list_select_related = ("case",)


# --- e-mail out: failed mail is sent again from the admin, through the service -------------

from django.utils.translation import gettext_lazy as _  # noqa: E402


@admin.action(description=_("Send the selected failed e-mails again"))
def retry_failed_outbound(modeladmin, request, queryset):  # type: ignore[no-untyped-def]
    from caseflow.channels.outbound.services import retry_outbound
    from caseflow.core.errors import DomainError

    sent_again = 0
    for message in queryset.filter(status="failed", kind="email").order_by("pk")[:500]:
        try:
            retry_outbound(actor=request.user, outbound=message, channel="admin")
        except DomainError:
            continue
        else:
            sent_again += 1
    modeladmin.message_user(
        request,
        _("%(n)s e-mails queued again; %(skipped)s skipped (not failed or not allowed).")
        % {"n": sent_again, "skipped": queryset.count() - sent_again},
    )


OutboundMessageAdmin.actions = (retry_failed_outbound,)

# --- Phone and SMS ---
from caseflow.channels.models import AgentExtension, Call, InboundSms  # noqa: E402


@admin.register(AgentExtension)
class AgentExtensionAdmin(AuditedAdmin):
    list_display = ("extension", "user")
    search_fields = ("extension", "user__username", "user__first_name", "user__last_name")
    autocomplete_fields = ("user",)


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "direction", "number", "customer", "agent", "state", "case")
    list_filter = ("state", "direction")
    search_fields = ("=call_id", "=number", "raw_number")
    list_select_related = ("customer", "agent", "case")
    date_hierarchy = "started_at"


@admin.register(InboundSms)
class InboundSmsAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "number", "text", "status", "reason", "case")
    list_filter = ("status",)
    search_fields = ("=provider_id", "=number", "sender")
    list_select_related = ("case",)
