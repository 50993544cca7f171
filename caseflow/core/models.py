"""Shared building blocks: channels, numbering sequences and the audit trail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (field, language) → {value: label}: the labels of a field's choices are code constants.
_CHOICE_LABELS: dict[tuple[models.Field, str | None], dict[Any, str]] = {}


class ChoiceLabels(models.Model):
    """`get_FOO_display()` from a per-language table instead of Django's default, which
    hashes every choice (and so translates every label) on each call: on a list of 50 cases
    that was two thirds of the gettext calls of the page."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field) -> Any:
        key = (field, get_language())
        labels = _CHOICE_LABELS.get(key)
        if labels is None:
            labels = {value: str(label) for value, label in field.flatchoices}
            _CHOICE_LABELS[key] = labels
        value = getattr(self, field.attname)
        try:
            return labels.get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)


class Channel(models.TextChoices):
    """Where a change or a contact came from."""

    PHONE = "phone", _("Phone")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    COUNTER = "counter", _("Counter")
    SMS = "sms", _("SMS")
    API = "api", _("API")
    UI = "ui", _("Agent desk")
    ADMIN = "admin", _("Admin")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class AddressFields(models.Model):
    """A postal address, embedded in the rows that have one."""

    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text="ISO 3166-1")

    class Meta:
        abstract = True


class Sequence(models.Model):
    """The last number handed out for one series (e.g. cases of 2026).

    `core.numbering.next_number` locks the row for the rest of the transaction, so
    numbers are consecutive and unique even with many writers.
    """

    name = models.CharField(max_length=50)
    period = models.CharField(max_length=10, blank=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("name", "period"), name="core_sequence_name_period"),
        )

    def __str__(self) -> str:
        return f"{self.name}/{self.period}: {self.last_value}"


class AuditChainHead(models.Model):
    """The newest link of one aggregate's audit chain; locked while a link is appended."""

    chain = models.CharField(max_length=80, primary_key=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}#{self.last_seq}"


class AuditEntry(models.Model):
    """Who changed what, when, from which channel. Append-only, hash-chained per aggregate."""

    chain = models.CharField(max_length=80)
    seq = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    actor_label = models.CharField(max_length=150, blank=True)
    channel = models.CharField(max_length=10, choices=Channel)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name_plural = _("audit entries")
        ordering = ("chain", "seq")
        constraints = (
            models.UniqueConstraint(fields=("chain", "seq"), name="core_auditentry_chain_seq"),
            models.CheckConstraint(name="core_auditentry_seq_positive", condition=Q(seq__gte=1)),
        )
        indexes = (
            # "what happened to this object", for the audit screens and exports
            models.Index(fields=("target_type", "target_id"), name="core_audit_target_idx"),
            models.Index(fields=("created_at",), name="core_audit_created_idx"),
        )

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"
