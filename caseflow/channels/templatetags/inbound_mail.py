"""Template filters for inbound e-mail on the timeline: quoted history folded, HTML clean."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from caseflow.channels.inbound.parse import sanitise_html
from caseflow.channels.inbound.quoting import segments

register = template.Library()


@register.filter
def mail_segments(text: str) -> list[tuple[bool, str]]:
    """The text as (is_quoted, chunk) pairs, so the template folds the quoted ones."""
    return segments(text or "")


@register.filter
def clean_html(html: str) -> SafeString:
    """HTML from an e-mail, sanitised (again: it was at intake) right before it is shown."""
    return mark_safe(sanitise_html(html or ""))  # noqa: S308 (nh3 just cleaned it)
