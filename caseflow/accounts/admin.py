from axes.admin import AccessAttemptAdmin as BaseAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from caseflow.accounts.models import ApiToken, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead", "archived_at")
    filter_horizontal = ("members",)
    search_fields = ("name",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `manage.py create_api_token` or the API (the secret is shown
    once); here they are only listed and revoked."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    readonly_fields = ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")
    actions = ("revoke",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):  # type: ignore[no-untyped-def]
        from caseflow.accounts.services import revoke_api_token
        from caseflow.core.models import Channel

        for token in queryset:
            revoke_api_token(actor=request.user, token=token, channel=Channel.ADMIN)
