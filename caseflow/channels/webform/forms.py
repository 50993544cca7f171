"""The web form's fields, in the customer's language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from caseflow.cases.services import Upload
from caseflow.catalog.models import Product
from caseflow.channels.webform.services import (
    DESCRIPTION_LIMIT,
    NAME_LIMIT,
    SUBJECT_LIMIT,
    WebRequest,
)
from caseflow.core.phones import to_e164
from caseflow.ui.forms import MultipleFileField

HONEYPOT = "website"
OTHER = "other"


class SupportForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=NAME_LIMIT,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("We send the confirmation with your case number here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    order_number = forms.CharField(
        label=_("Order number"),
        required=False,
        max_length=30,
        help_text=_("From your order confirmation or invoice, if you have it."),
    )
    serial = forms.CharField(
        label=_("Serial number"),
        required=False,
        max_length=64,
        help_text=_("On the type label of the device."),
    )
    product = forms.ChoiceField(label=_("Product"), required=False)
    product_other = forms.CharField(
        label=_("Product, if it is not in the list"), required=False, max_length=200
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_LIMIT)
    description = forms.CharField(
        label=_("What is the problem?"),
        max_length=DESCRIPTION_LIMIT,
        help_text=_("What happens, since when, and what you have tried already."),
        widget=forms.Textarea(attrs={"rows": 7}),
    )
    files = MultipleFileField(label=_("Photos or documents"), required=False)
    # A field people never see: bots fill every field they find.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)

    def __init__(self, *args: Any, products: list[Product], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "support-%s")
        super().__init__(*args, **kwargs)
        self.products = {str(p.pk): p for p in products}
        self.fields["product"].choices = [  # type: ignore[attr-defined]
            ("", _("— please choose —")),
            *((str(p.pk), p.name) for p in products),
            (OTHER, _("Another product / not listed")),
        ]
        limit = min(settings.WEBFORM_MAX_FILE_BYTES, settings.ATTACHMENT_MAX_BYTES)
        self.fields["files"].help_text = _("Up to %(count)s files, each at most %(mb)s MB.") % {
            "count": settings.WEBFORM_MAX_FILES,
            "mb": round(limit / 1024 / 1024, 1),
        }
        for name, bound in self.fields.items():
            widget = bound.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if bound.required:
                widget.attrs["aria-required"] = "true"
            if bound.help_text:
                widget.attrs["aria-describedby"] = f"support-{name}-help"
        self.fields[HONEYPOT].widget.attrs |= {"tabindex": "-1", "autocomplete": "off"}

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid"
                widget.attrs["aria-invalid"] = "true"
                widget.attrs["aria-describedby"] = f"support-{name}-error"

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and to_e164(phone) is None:
            raise forms.ValidationError(_("This is not a phone number we can call back."))
        return phone

    def clean_files(self) -> list[Any]:
        files = self.cleaned_data["files"]
        if len(files) > settings.WEBFORM_MAX_FILES:
            raise forms.ValidationError(
                _("At most %(n)s files, please.") % {"n": settings.WEBFORM_MAX_FILES}
            )
        limit = min(settings.WEBFORM_MAX_FILE_BYTES, settings.ATTACHMENT_MAX_BYTES)
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(mb)s MB.")
                    % {"name": upload.name[:80], "mb": round(limit / 1024 / 1024, 1)}
                )
            if upload.size == 0:
                raise forms.ValidationError(_("%(name)s is empty.") % {"name": upload.name[:80]})
        return files

    def web_request(self, language: str) -> WebRequest:
        data = self.cleaned_data
        return WebRequest(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            order_number=data["order_number"],
            serial=data["serial"],
            product=self.products.get(data["product"]),
            product_text=data["product_other"] if data["product"] in ("", OTHER) else "",
            subject=data["subject"],
            description=data["description"],
            language=language,
            files=tuple(Upload(name=f.name, content=f.read()) for f in data["files"]),
        )
