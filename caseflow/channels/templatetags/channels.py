"""Template tags of the channels: what the desk shows of a case's messages."""

from django import template

from caseflow.channels import senders

register = template.Library()


@register.simple_tag
def unknown_sender(case):
    """The case's unadopted sender, or None: a query only for the placeholder's cases."""
    return senders.sender_of(case)
