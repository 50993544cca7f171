"""The form renderer (`FORM_RENDERER`): Django's, with its plainest widget templates in Python.

Django renders every widget through the template engine: `text.html` includes `input.html`,
which includes `attrs.html`, and a select includes one template per option. That costs
~0.2 ms per field and ~90 µs per option, 6 to 8 ms on a case page with 23 fields and 5 ms on
the case list's filters (56 owners), on every request. The widgets below print the same
markup as Django's templates (the tests compare them) from the context the widget built, so
everything else — values, attributes, choices, validation — stays Django's. Widgets whose
templates are not listed here (radio buttons, file inputs with a current file, …) are
rendered by their templates as before; a project template overriding one of the listed
names would be ignored, which is why none exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDGETS = "django/forms/widgets/"


def attributes(attrs: dict[str, Any]) -> SafeString:
    """`attrs.html`: ` name="value"` each, a bare name for True, nothing for False."""
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, str(value))
        for name, value in attrs.items()
        if value is not False
    )


def _joined(parts: Iterable[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def render_input(widget: dict[str, Any]) -> SafeString:
    """`input.html`."""
    value = widget["value"]
    shown = "" if value is None else format_html(' value="{}"', str(value))
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        shown,
        attributes(widget["attrs"]),
    )


def render_textarea(widget: dict[str, Any]) -> SafeString:
    """`textarea.html` (the newline after the opening tag is Django's: browsers drop it)."""
    return format_html(
        '<textarea name="{}"{}>\n{}</textarea>',
        widget["name"],
        attributes(widget["attrs"]),
        widget["value"] or "",
    )


def render_select(widget: dict[str, Any]) -> SafeString:
    """`select.html` with `select_option.html` for each option, from the widget's optgroups."""
    parts = [format_html('<select name="{}"{}>', widget["name"], attributes(widget["attrs"]))]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in options:
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>',
                    str(option["value"]),
                    attributes(option["attrs"]),
                    option["label"],
                )
            )
        if group_name:
            parts.append(SafeString("\n  </optgroup>"))
    parts.append(SafeString("\n</select>"))
    return _joined(parts)


INPUT_TYPES = (
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "search",
    "tel",
    "color",
    "checkbox",
    "file",
)
PYTHON_WIDGETS: dict[str, Callable[[dict[str, Any]], SafeString]] = {
    **{f"{WIDGETS}{name}.html": render_input for name in INPUT_TYPES},
    f"{WIDGETS}textarea.html": render_textarea,
    f"{WIDGETS}select.html": render_select,
}


class Renderer(DjangoTemplates):
    """`DjangoTemplates`, but the widgets in `PYTHON_WIDGETS` are written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = PYTHON_WIDGETS.get(template_name)
        widget = context.get("widget")
        if (
            write is not None
            and isinstance(widget, dict)
            and widget.get("template_name") == template_name
        ):
            return write(widget)
        return super().render(template_name, context, request)
