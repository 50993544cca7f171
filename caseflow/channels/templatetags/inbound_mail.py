"""Template filters for inbound e-mail on the timeline: quoted history folded, HTML shown."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

from caseflow.channels.inbound import html
from caseflow.channels.inbound.quoting import segments

register = template.Library()


@register.filter
def mail_segments(text: str) -> list[tuple[bool, str]]:
    """The text as (is_quoted, chunk) pairs, so the template folds the quoted ones."""
    return segments(text or "")


@register.filter
def mail_html(data: Any) -> SafeString:
    """The formatted version of an e-mail event (its `data`), or "" when it has none.

    The intake sanitised it (`html.clean`, bounded in time) and marked it with the sanitiser
    that did: such HTML is shown as it is, never parsed again on a page view. HTML without
    the mark (not written by the intake as it is now) is cleaned here with the same bounds.
    """
    if not isinstance(data, dict) or not isinstance(data.get("html"), str):
        return SafeString("")
    if data.get("html_sanitiser") == html.SANITISER:
        return mark_safe(data["html"])  # noqa: S308 (sanitised at intake, see above)
    cleaned = html.clean(data["html"], want_text=False, max_chars=settings.MAIL_HTML_MAX_CHARS)
    return mark_safe(cleaned.html)  # noqa: S308 (nh3 just cleaned it)
