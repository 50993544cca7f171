"""Template filters of e-mail out."""

from typing import Any

from django import template

from caseflow.accounts.roles import can

register = template.Library()


@register.filter
def may(user: Any, capability: str) -> bool:
    """`{% if request.user|may:"case.event" %}`: whether the user's role allows it."""
    return can(user, capability)


@register.filter
def address_list(value: str) -> str:
    """Addresses stored one per line, as people read them."""
    return ", ".join((value or "").split())
