from django.contrib import admin

from caseflow.core.models import AuditEntry, Sequence


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records nobody may change by hand: browse and search here; changes go through
    the services (audited)."""

    show_full_result_count = False  # no COUNT(*) over millions of rows on every page

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "chain", "seq", "actor_label", "channel", "action")
    list_filter = ("channel", "action")
    search_fields = ("=chain", "=target_id", "actor_label")
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdmin):
    list_display = ("name", "period", "last_value")
