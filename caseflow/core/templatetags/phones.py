"""Phone numbers in templates: `{% load phones %}` then `{{ number|tel }}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from caseflow.core.phones import display, to_e164

register = template.Library()


@register.filter
def tel(value: Any, css: str = "") -> SafeString:
    """A number people can click to call: `<a href="tel:+49301234567">+49 30 1234567</a>`;
    `{{ number|tel:"link-light" }}` adds CSS classes to the link.

    Any notation is accepted (read as PHONE_DEFAULT_REGION without a country code); what is
    no phone number is shown as it is, escaped, without a link."""
    text = "" if value is None else str(value)
    e164 = to_e164(text)
    if e164 is None:
        return conditional_escape(text)
    classes = " ".join(["tel", *str(css).split()])
    return format_html('<a href="tel:{}" class="{}">{}</a>', e164, classes, display(e164))
