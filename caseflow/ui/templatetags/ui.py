"""The page shell's registered pieces (caseflow.ui.registry), for ui/base.html."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from caseflow.ui import text
from caseflow.ui.registry import registry

register = template.Library()


@register.simple_tag(takes_context=True)
def shell(context: template.Context) -> dict[str, Any]:
    """The header's links (with their addresses, the current one marked), the search box and
    its address, the header's own controls, and the parts shown on every page."""
    request = context.get("request")
    path = getattr(request, "path", None)
    links = []
    for link in registry.nav_links():
        try:
            url = reverse(link.url_name)
        except NoReverseMatch:  # the app that serves it is not installed
            continue
        links.append(
            {
                "url": url,
                "label": link.label,
                "key": link.key,
                "help": link.help or link.label,
                "active": path == url,
            }
        )
    search = registry.search
    search_url = ""
    if search is not None:
        try:
            search_url = reverse(search.url_name)
        except NoReverseMatch:
            search = None
    urls = registry.urls
    return {
        "home_url": reverse(urls.home) if urls else "/",
        "language_url": reverse(urls.language) if urls else "",
        "logout_url": reverse(urls.logout) if urls else "",
        "profile_url": reverse(urls.profile) if urls and urls.profile else "",
        "links": links,
        "search": search,
        "search_url": search_url,
        "parts": registry.shell_parts(),
    }


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """`{{ line.net_amount|money:line.currency }}`: the amount as the reader's language writes
    it (`1.234,50 €` de, `1234,50 €` es, `€1,234.50` en)."""
    return text.money(amount, currency)
