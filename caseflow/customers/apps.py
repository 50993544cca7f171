from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "caseflow.customers"
    label = "customers"
    verbose_name = "Customers"
