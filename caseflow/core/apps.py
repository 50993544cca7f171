from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "caseflow.core"
    label = "core"
    verbose_name = "Core"
