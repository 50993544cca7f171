from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "caseflow.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        # Signal receivers: connected in every process that may send the signals.
        # The channels' pieces of the case page and the page shell.
        from caseflow.channels.case_page import register
        from caseflow.channels.outbound import receivers  # noqa: F401
        from caseflow.channels.sms import receivers as sms_receivers  # noqa: F401
        from caseflow.ui.registry import registry

        register(registry)
