from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "caseflow.catalog"
    label = "catalog"
    verbose_name = "Catalog"
