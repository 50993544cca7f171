from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "caseflow.channels"
    label = "channels"
    verbose_name = _("Channels")

    def ready(self) -> None:
        # The acknowledgements: subscribers of the cases' `opened` events, in every process
        # that may open a case. The channels' pieces of the case page and the page shell.
        from caseflow.channels import acknowledgements
        from caseflow.channels.case_page import register
        from caseflow.ui.registry import registry

        acknowledgements.register()
        register(registry)
