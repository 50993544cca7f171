from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for laptops and screenshots (`manage.py seed_demo`). It sits above every
    domain app and writes only through their services."""

    name = "caseflow.demo"
    label = "demo"
    verbose_name = "Demo data"
