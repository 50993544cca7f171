"""Configuration tables are edited here, audited (core.admin.AuditedAdmin); cases
themselves change only through services, so their admin is read-only (the agent desk and
the API are where cases are worked), and shows each user the cases the desk would. Names
are edited in every language side by side (`name [en]`, `name [de]`, `name [es]`:
django-modeltranslation's TranslationAdmin)."""

from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from caseflow.cases.models import Case, Code, EventType, Priority, TimelineEvent
from caseflow.cases.selectors import cases_visible_to
from caseflow.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(Priority)
class PriorityAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ("code", "name", "rank", "response_minutes", "resolution_minutes", "is_default",
                    "active")  # fmt: skip
    list_editable = ("active",)


class SpecificCodeInline(TranslationTabularInline):
    model = Code
    fk_name = "parent"
    fields = ("code", "name", "active")
    extra = 0


@admin.register(Code)
class CodeAdmin(AuditedAdmin, TranslationAdmin):
    """Reason and resolution codes (capability `code.manage`)."""

    list_display = ("code", "name", "kind", "parent", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name")
    inlines = (SpecificCodeInline,)

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).select_related("parent")

    def save_formset(self, request, form, formset, change):  # type: ignore[no-untyped-def]
        # A specific code is of its general code's kind (the inline does not ask for it).
        for inline_form in formset.forms:
            inline_form.instance.kind = form.instance.kind
        super().save_formset(request, form, formset, change)


@admin.register(EventType)
class EventTypeAdmin(AuditedAdmin, TranslationAdmin):
    list_display = ("code", "name", "category", "is_system", "active")
    list_filter = ("category", "is_system", "active")

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Caseflow writes system events by code: their code and kind stay fixed.
        if obj is not None and obj.is_system:
            return ("code", "category", "is_system")
        return ()


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    fields = ("occurred_at", "event_type", "actor", "channel", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    ordering = ("-occurred_at",)

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    """Read-only, for those whose role may read cases (`case.view`, accounts.permissions),
    and only the cases the desk shows them (`cases_visible_to`)."""

    list_display = ("number", "subject", "status", "case_type", "priority", "owner", "received_at")
    list_filter = ("status", "case_type", "channel", "priority")
    search_fields = ("=number",)
    list_select_related = ("priority", "owner")
    raw_id_fields = ("customer", "contact", "unit", "product", "sales_order", "owner")
    inlines = (TimelineInline,)
    show_full_result_count = False

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        cases = cases_visible_to(request.user)
        ordering = self.get_ordering(request)
        return cases.order_by(*ordering) if ordering else cases
