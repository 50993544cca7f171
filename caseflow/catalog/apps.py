from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CatalogConfig(AppConfig):
    name = "caseflow.catalog"
    label = "catalog"
    verbose_name = _("Catalog")

    def ready(self) -> None:
        # What the catalogue services record in the audit trail; `verify_audit` compares it.
        from caseflow.catalog import models
        from caseflow.catalog.services import CONTRACT_FIELDS, PRODUCT_FIELDS
        from caseflow.core.drift import watch

        watch(models.ProductType, ("code", "name"))
        watch(models.Product, (*PRODUCT_FIELDS, "archived_at"))
        watch(models.Unit, ("product", "serial", "manufactured_on"))
        watch(
            models.Registration,
            ("customer", "dealer", "purchased_on", "registered_on", "warranty_ends_on",
             "channel", "ended_at"),
        )  # fmt: skip
        watch(models.ServiceContract, ("number", *CONTRACT_FIELDS, "units", "archived_at"))
        watch(models.SalesOrder, ("number", "customer", "dealer", "ordered_on"))
