"""Admin: regions are configuration (audited, core.admin.AuditedAdmin); customers are read
here and changed through services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from caseflow.core.admin import AuditedAdmin, ReadOnlyAdmin
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.customers import services
from caseflow.customers.models import Contact, ContactPoint, Customer, Region


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ("code", "name", "country")
    search_fields = ("code", "name")
    list_filter = ("country",)


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "title", "language", "is_primary", "archived_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyAdmin):
    list_display = ("number", "name", "kind", "is_dealer", "region", "city", "archived_at")
    list_filter = ("kind", "is_dealer", "region", "language")
    search_fields = ("=number", "name")
    list_select_related = ("region",)
    raw_id_fields = ("region", "account_manager")
    readonly_fields = ("number", "created_at", "updated_at", "archived_at", "version")
    inlines = (ContactInline,)
    actions = ("archive", "restore")

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # The list's archive and restore actions (services) need it; a customer's page is
        # read-only, so nothing can be saved there unaudited.
        if obj is not None:
            return False
        return super(ReadOnlyAdmin, self).has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: object = None) -> list[str]:
        return [f.name for f in Customer._meta.concrete_fields]

    @admin.action(description=_("Archive the selected customers"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._each(request, queryset, services.archive_customer)

    @admin.action(description=_("Restore the selected customers"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Customer]) -> None:
        self._each(request, queryset, services.restore_customer)

    def _each(self, request: HttpRequest, queryset: QuerySet[Customer], service) -> None:
        done = 0
        for customer in queryset[:500]:
            try:
                service(actor=request.user, channel=Channel.ADMIN, customer=customer)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{customer}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(n)s customers changed.") % {"n": done})


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("name", "customer", "title", "is_primary", "archived_at")
    list_filter = ("is_primary",)
    search_fields = ("name", "=customer__number")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdmin):
    list_display = ("value", "kind", "label", "contact", "customer")
    list_filter = ("kind",)
    search_fields = ("=value",)
    list_select_related = ("contact", "customer")
    raw_id_fields = ("contact", "customer")
