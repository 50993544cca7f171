from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "caseflow.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        # What the customer services record in the audit trail; `verify_audit` compares it.
        from caseflow.core.drift import watch
        from caseflow.customers.models import Contact, ContactPoint, Customer
        from caseflow.customers.services import CONTACT_FIELDS, CUSTOMER_FIELDS

        watch(Customer, ("number", *CUSTOMER_FIELDS, "archived_at"))
        watch(Contact, (*CONTACT_FIELDS, "archived_at"))
        watch(ContactPoint, ("contact", "kind", "value", "label"))
