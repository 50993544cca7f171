"""Admin: product types are configuration (audited, capability `catalog.manage`); the rest
is read here and changed through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from caseflow.catalog.models import (
    Product,
    ProductType,
    Registration,
    SalesOrder,
    SalesOrderLine,
    ServiceContract,
    Unit,
)
from caseflow.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(ProductType)
class ProductTypeAdmin(AuditedAdmin, TranslationAdmin):
    """Names in every language side by side."""

    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("sku", "name", "kind", "product_type", "is_serialised", "warranty_months",
                    "price", "archived_at")  # fmt: skip
    list_filter = ("kind", "product_type", "is_serialised")
    search_fields = ("=sku", "name")
    list_select_related = ("product_type",)
    readonly_fields = ("version", "created_at")


class ExactSerialSearch:
    """Search by the exact serial: the indexed equality, not a scan of a million units."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(**{self.serial_lookup: term}), False

    serial_lookup = "serial"


@admin.register(Unit)
class UnitAdmin(ExactSerialSearch, ReadOnlyAdmin):
    list_display = ("serial", "product", "manufactured_on", "archived_at")
    list_filter = ("product__kind",)
    search_fields = ("serial",)
    search_help_text = _("exact serial number")
    list_select_related = ("product",)
    raw_id_fields = ("product",)


@admin.register(Registration)
class RegistrationAdmin(ExactSerialSearch, ReadOnlyAdmin):
    list_display = ("unit", "customer", "dealer", "purchased_on", "warranty_ends_on",
                    "channel", "ended_at")  # fmt: skip
    list_filter = ("channel",)
    search_fields = ("unit__serial",)
    search_help_text = _("exact serial number")
    serial_lookup = "unit__serial"
    list_select_related = ("unit__product", "customer", "dealer")
    raw_id_fields = ("unit", "customer", "dealer")
    date_hierarchy = "registered_on"


@admin.register(ServiceContract)
class ServiceContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "level", "starts_on", "ends_on", "archived_at")
    list_filter = ("level",)
    search_fields = ("=number", "=customer__number")
    list_select_related = ("customer",)
    raw_id_fields = ("customer", "units")
    readonly_fields = ("number", "version")


class SalesOrderLineInline(admin.TabularInline):
    model = SalesOrderLine
    fields = ("position", "product", "quantity", "unit_price")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(SalesOrder)
class SalesOrderAdmin(ReadOnlyAdmin):
    list_display = ("number", "customer", "dealer", "ordered_on")
    search_fields = ("=number", "=customer__number")
    list_select_related = ("customer", "dealer")
    raw_id_fields = ("customer", "dealer")
    readonly_fields = ("number",)
    date_hierarchy = "ordered_on"
    inlines = (SalesOrderLineInline,)
