"""Staff users with one role each, teams, and personal API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caseflow.core.models import ChoiceLabels


class Role(models.TextChoices):
    AGENT = "agent", _("Support agent")
    TECHNICIAN = "technician", _("Technician")
    TEAM_LEAD = "team_lead", _("Team lead")
    BACK_OFFICE = "back_office", _("Back office")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    ADMINISTRATOR = "administrator", _("Administrator")


class Language(models.TextChoices):
    EN = "en", _("English")
    DE = "de", _("German")
    ES = "es", _("Spanish")


class User(ChoiceLabels, AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.AGENT)
    language = models.CharField(_("language"), max_length=2, choices=Language, default=Language.EN)
    time_zone = models.CharField(_("time zone"), max_length=50, default="Europe/Berlin")

    class Meta:
        constraints = (
            models.CheckConstraint(
                name="accounts_user_role_valid", condition=Q(role__in=Role.values)
            ),
        )

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="teams_led"
    )
    members = models.ManyToManyField(User, blank=True, related_name="teams")
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text=_("first characters, to recognise it"))
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
