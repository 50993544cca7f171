from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The agents' HTML desk: every screen a support agent works in. It sits above the
    domain apps and the shared screens layer (`caseflow.ui`), beside the feature apps, and
    changes nothing itself: it calls services. The case page and the case list show what the
    apps registered (`caseflow.ui.registry`), the desk's own pieces among them."""

    name = "caseflow.desk"
    label = "desk"
    verbose_name = _("Agent desk")

    def ready(self) -> None:
        from caseflow.desk.registrations import register
        from caseflow.ui.registry import registry

        register(registry)
