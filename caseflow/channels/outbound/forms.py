"""The desk's reply form: template picker, recipients, subject, text, files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from caseflow.channels.models import MessageTemplate
from caseflow.channels.outbound import services
from caseflow.ui.forms import DeskForm, MultipleFileField


class ReplyForm(DeskForm):
    slug = "reply"

    template = forms.ChoiceField(label=_("Template"), required=False)
    to = forms.CharField(
        label=_("To"),
        max_length=2000,
        help_text=_("several addresses: separate them with commas"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )
    cc = forms.CharField(
        label=_("Cc"),
        max_length=2000,
        required=False,
        widget=forms.TextInput({"autocomplete": "off"}),
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=services.SUBJECT_LIMIT, required=False,
        help_text=_("the case number is added when it is missing"),
    )  # fmt: skip
    body = forms.CharField(
        label=_("Text"),
        max_length=services.BODY_LIMIT,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    files = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, templates: list[MessageTemplate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.templates = {str(t.pk): t for t in templates}
        field = self.fields["template"]
        field.choices = [("", _("— none —")), *((str(t.pk), t.name) for t in templates)]  # type: ignore[attr-defined]

    @property
    def chosen_template(self) -> MessageTemplate | None:
        return self.templates.get(self.cleaned_data.get("template") or "")

    def clean_files(self) -> list[Any]:
        files = self.cleaned_data["files"]
        if len(files) > services.MAX_FILES:
            raise forms.ValidationError(
                _("At most %(n)s files per e-mail.") % {"n": services.MAX_FILES}
            )
        return files
