from django.apps import AppConfig


class DeskConfig(AppConfig):
    """The agents' HTML desk: every screen a support agent works in. It sits above all
    domain apps (like the customer portal) and changes nothing itself: it calls services."""

    name = "caseflow.desk"
    label = "desk"
    verbose_name = "Agent desk"
