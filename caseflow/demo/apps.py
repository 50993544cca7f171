from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for laptops and screenshots (`manage.py seed_demo`). It sits above every
    domain app and writes only through their services."""

    name = "caseflow.demo"
    label = "demo"
    verbose_name = _("Demo data")
