from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UiConfig(AppConfig):
    """What the HTML screens of several apps share, below all of them: the page shell, form
    helpers and partials, the formats of times and durations, and the registry through which
    apps put panels, actions, timeline entries, list columns and filters on the case screens
    (docs/architecture.md, "Extension points")."""

    name = "caseflow.ui"
    label = "ui"
    verbose_name = _("Screens")

    def ready(self) -> None:
        # The cases' own timeline entries: what each system entry changed, in words.
        from caseflow.cases.summaries import SUMMARIES
        from caseflow.ui.registry import TimelineEntry, registry

        for event_type, summarize in SUMMARIES.items():
            registry.timeline_entry(TimelineEntry(event_type, summarize=summarize))
