from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "caseflow.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from caseflow.cases import integrity

        integrity.register()
