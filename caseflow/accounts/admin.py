"""Users, groups, teams and API tokens in the admin: every change audited (core.admin)."""

from typing import Any

from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as BaseAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as BaseAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caseflow.accounts.models import ApiToken, Team, User
from caseflow.core.admin import MASK, AuditedAdmin


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    """Users and their roles. Deleting is switched off (their history points to them):
    deactivate instead. Only a superuser may hand out superuser status or Django
    permissions; a password change is audited without the password."""

    audit_secret_fields = ("password",)
    audit_volatile_fields = ("last_login",)  # every log-in moves it
    list_display = ("username", "first_name", "last_name", "email", "role", "is_active")
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Caseflow"), {"fields": ("role", "language", "time_zone")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        (_("Caseflow"), {"fields": ("role", "language", "time_zone")}),
    )
    actions = ("unlock_login",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        found = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            found += ("is_superuser", "groups", "user_permissions")
        return found

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic(using=router.db_for_write(self.model)):
            request._caseflow_password_page = True  # type: ignore[attr-defined]
            return super().user_change_password(request, id, form_url)

    def audit_fallback(
        self, request: HttpRequest, obj: Any, message: Any, verb: str
    ) -> tuple[str, dict[str, Any]]:
        if getattr(request, "_caseflow_password_page", False):
            return "password_changed", {"password": MASK if obj.has_usable_password() else ""}
        return super().audit_fallback(request, obj, message, verb)

    @admin.action(description=_("Unblock the log-in of the selected users"))
    def unlock_login(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.accounts.services import unlock_login
        from caseflow.core.models import Channel

        rows = sum(
            unlock_login(actor=request.user, username=user.get_username(), channel=Channel.ADMIN)
            for user in queryset
        )
        _report_unlocked(self, request, rows)


def _report_unlocked(model_admin, request, rows: int) -> None:  # type: ignore[no-untyped-def]
    text = ngettext(
        "%(n)s failed log-in forgotten: the lockout is over.",
        "%(n)s failed log-ins forgotten: the lockouts are over.",
        rows,
    ) % {"n": rows}
    model_admin.message_user(request, text, messages.SUCCESS if rows else messages.INFO)


# Failed log-ins (django-axes). Deleting rows would end a lockout unaudited: the admin offers
# audited unlock actions instead (caseflow.accounts.services.unlock_login).
admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(BaseAccessAttemptAdmin):
    actions = ("unlock_attempts", "unlock_addresses")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # every field is read-only; the actions need only the view permission

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Unblock: forget the selected failed log-ins"))
    def unlock_attempts(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.accounts.services import unlock_login
        from caseflow.core.models import Channel

        ids = list(queryset.values_list("pk", flat=True))
        rows = unlock_login(actor=request.user, attempt_ids=ids, channel=Channel.ADMIN)
        _report_unlocked(self, request, rows)

    @admin.action(description=_("Unblock the client addresses of the selected rows"))
    def unlock_addresses(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.accounts.services import unlock_login
        from caseflow.core.models import Channel

        addresses = set(queryset.values_list("ip_address", flat=True))
        rows = sum(
            unlock_login(actor=request.user, ip_address=address, channel=Channel.ADMIN)
            for address in sorted(a for a in addresses if a)
        )
        _report_unlocked(self, request, rows)


# Who logged in and who failed (django-axes): records of what happened, read-only. Deleting
# them would erase the evidence of an attack.
class _LogAdmin:
    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessLog)
class AccessLogAdmin(_LogAdmin, BaseAccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(_LogAdmin, BaseAccessFailureLogAdmin):
    pass


# Django's groups: unused by Caseflow's roles, kept for Django permissions on other models.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(AuditedAdmin, BaseGroupAdmin):
    pass


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    """Teams and their members (capability `team.manage`). Archive a team rather than
    deleting it; a deletion is refused while cases or mailboxes point to it."""

    list_display = ("name", "lead", "archived_at")
    filter_horizontal = ("members",)
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Tokens are created with `manage.py create_api_token` or the API (the secret is shown
    once); here they are only listed and revoked (audited, through the service). Nothing is
    editable: a revoked token never comes back, and an expiry never moves (the database
    refuses it too, accounts migration 0002)."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "expires_at",
                    "revoked_at")  # fmt: skip
    list_filter = ("revoked_at",)
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at",
                       "expires_at", "revoked_at")  # fmt: skip
    actions = ("revoke",)
    audit_volatile_fields = ("last_used_at",)  # the authentication touches it

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # nothing to edit; revoking is an action, which needs only the view

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # revoke instead: the row is the token's history

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.accounts.services import revoke_api_token
        from caseflow.core.models import Channel

        for token in queryset:
            revoke_api_token(actor=request.user, token=token, channel=Channel.ADMIN)
