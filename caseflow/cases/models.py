"""The case (ticket): its codes, priorities, timeline events, attachments and supplies."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Team
from caseflow.catalog.models import Product, SalesOrder, Unit
from caseflow.core.models import Channel, ChoiceLabels
from caseflow.core.money import cents
from caseflow.customers.models import Contact, Customer


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    WAITING_CUSTOMER = "waiting_customer", _("Waiting on customer")
    WAITING_VENDOR = "waiting_vendor", _("Waiting on vendor")
    WAITING_PARTS = "waiting_parts", _("Waiting on parts")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


WAITING = (CaseStatus.WAITING_CUSTOMER, CaseStatus.WAITING_VENDOR, CaseStatus.WAITING_PARTS)
ACTIVE = (CaseStatus.NEW, CaseStatus.OPEN, *WAITING)
DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)

# Which status may follow which, and what each allows: `caseflow.cases.status`.


class CaseType(models.TextChoices):
    WARRANTY = "warranty", _("Warranty")
    COURTESY = "courtesy", _("Courtesy")
    BILLABLE = "billable", _("Billable")


CASE_CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.WEB, Channel.COUNTER, Channel.SMS)


class Priority(models.Model):
    """A priority code with its response and resolution targets (configuration data)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 = most urgent"))
    response_minutes = models.PositiveIntegerField(_("response target (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution target (minutes)"))
    is_default = models.BooleanField(_("default"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("priority")
        ordering = ("rank",)
        verbose_name_plural = _("priorities")
        constraints = (
            models.UniqueConstraint(
                fields=("is_default",),
                condition=Q(is_default=True),
                name="cases_priority_one_default",
            ),
        )

    def __str__(self) -> str:
        return self.name


class CodeKind(models.TextChoices):
    REASON = "reason", _("Reason")
    RESOLUTION = "resolution", _("Resolution")


class Code(ChoiceLabels, models.Model):
    """A reason or resolution code. General codes have no parent; a specific code belongs to
    exactly one general code of the same kind (source 001)."""

    kind = models.CharField(_("kind"), max_length=10, choices=CodeKind)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ("kind", "code")
        constraints = (
            models.UniqueConstraint(fields=("kind", "code"), name="cases_code_kind_code"),
            models.CheckConstraint(
                name="cases_code_kind_valid", condition=Q(kind__in=CodeKind.values)
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_general(self) -> bool:
        return self.parent_id is None


class EventCategory(models.TextChoices):
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    NOTE = "note", _("Note")
    SCHEDULING = "scheduling", _("Scheduling")
    SYSTEM = "system", _("System")


class EventType(models.Model):
    """A kind of timeline event: user-definable ones (call in, note …) and system ones."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=12, choices=EventCategory)
    is_system = models.BooleanField(
        _("system"), default=False, help_text=_("written by Caseflow, not chosen by users")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        ordering = ("is_system", "name")

    def __str__(self) -> str:
        return self.name


class Case(ChoiceLabels, models.Model):
    # Foreign keys carry no index of their own (db_index=False) where a composite index below
    # leads with them, or where no query filters by them: each index costs every insert of
    # the busiest table. Codes, priorities, contacts and orders are archived, never deleted,
    # so PROTECT never has to search cases by them. See docs/performance.md, finding 6.
    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        Contact,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("contact"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("unit"),
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("product"),
    )
    sales_order = models.ForeignKey(
        SalesOrder,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("sales order"),
    )
    subject = models.CharField(_("subject"), max_length=200)
    symptom = models.TextField(_("symptom"), blank=True, max_length=20000)
    case_type = models.CharField(_("case type"), max_length=10, choices=CaseType)
    suggested_case_type = models.CharField(
        _("suggested case type"), max_length=10, choices=CaseType, editable=False
    )
    case_type_reason = models.CharField(
        _("reason for the case type"), max_length=500, blank=True,
        help_text=_("required when the case type differs from the suggested one"),
    )  # fmt: skip
    priority = models.ForeignKey(
        Priority,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("priority"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus, default=CaseStatus.NEW
    )
    reason_general = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("reason (general)"),
    )
    reason_specific = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("reason (specific)"),
    )
    resolution_general = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("resolution (general)"),
    )
    resolution_specific = models.ForeignKey(
        Code,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("resolution (specific)"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        db_index=False,
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
        verbose_name=_("team"),
    )
    received_at = models.DateTimeField(_("received at"))
    promised_by = models.DateField(_("promised by"), null=True, blank=True)
    diagnosis = models.TextField(_("diagnosis"), blank=True, max_length=20000)
    solution = models.TextField(_("solution"), blank=True, max_length=20000)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ("-received_at", "-id")
        constraints = (
            models.CheckConstraint(
                name="cases_case_status_valid", condition=Q(status__in=CaseStatus.values)
            ),
            models.CheckConstraint(
                name="cases_case_type_valid",
                condition=Q(case_type__in=CaseType.values)
                & Q(suggested_case_type__in=CaseType.values),
            ),
            models.CheckConstraint(
                name="cases_case_channel_valid", condition=Q(channel__in=CASE_CHANNELS)
            ),
            models.CheckConstraint(
                name="cases_case_resolved_at_iff_done",
                condition=Q(status__in=DONE, resolved_at__isnull=False)
                | (~Q(status__in=DONE) & Q(resolved_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="cases_case_closed_at_iff_closed",
                condition=Q(status=CaseStatus.CLOSED, closed_at__isnull=False)
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_at__isnull=True)),
            ),
            models.CheckConstraint(
                name="cases_case_done_has_resolution",
                condition=~Q(status__in=DONE) | Q(resolution_general__isnull=False),
            ),
            models.CheckConstraint(
                name="cases_case_type_override_reason",
                condition=Q(case_type=F("suggested_case_type")) | ~Q(case_type_reason=""),
            ),
        )
        indexes = (
            # the case list, newest first, optionally by status
            models.Index(
                fields=("status", "-received_at", "-id"), name="cases_status_received_idx"
            ),
            models.Index(fields=("-received_at", "-id"), name="cases_received_idx"),
            # "my open cases"; partial, so years of closed cases stay out of it
            models.Index(
                fields=("owner", "-received_at"),
                name="cases_active_owner_idx",
                condition=Q(status__in=ACTIVE),
            ),
            # "all cases of an owner", whatever their status
            models.Index(fields=("owner", "-received_at", "-id"), name="cases_owner_idx"),
            models.Index(fields=("customer", "-received_at"), name="cases_customer_idx"),
            models.Index(fields=("unit", "-received_at"), name="cases_unit_idx"),
            models.Index(fields=("team", "status"), name="cases_team_status_idx"),
            # the case list's reason and resolution filters; partial: a new case has no codes
            *(
                models.Index(
                    fields=(field, "-received_at", "-id"),
                    name=f"cases_{field}_idx",
                    condition=Q(**{f"{field}__isnull": False}),
                )
                for field in (
                    "reason_general",
                    "reason_specific",
                    "resolution_general",
                    "resolution_specific",
                )
            ),
        )

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NOT_REACHED = "not_reached", _("Not reached")
    CALL_BACK = "call_back", _("Call-back arranged")


class TimelineEvent(ChoiceLabels, models.Model):
    """One entry on a case's timeline. Append-only: services create, nothing updates."""

    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        verbose_name=_("case"),
    )
    event_type = models.ForeignKey(
        EventType,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
        verbose_name=_("event type"),
    )
    occurred_at = models.DateTimeField(_("when"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("actor"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    text = models.TextField(_("text"), blank=True, max_length=100000)
    is_internal = models.BooleanField(_("internal"), default=True)
    call_duration = models.PositiveIntegerField(_("call duration (s)"), null=True, blank=True)
    call_outcome = models.CharField(
        _("call outcome"), max_length=12, choices=CallOutcome, blank=True
    )
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ("-occurred_at", "-id")
        indexes = (
            models.Index(fields=("case", "-occurred_at", "-id"), name="cases_event_case_idx"),
        )

    def __str__(self) -> str:
        return f"{self.case_id} {self.event_type_id} {self.occurred_at:%Y-%m-%d %H:%M}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.sha256[:2]}/{instance.sha256}/{filename}"


class Attachment(models.Model):
    """A file on a timeline event. The name is sanitised and the type sniffed from the bytes."""

    event = models.ForeignKey(
        TimelineEvent, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("event")
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ("id",)

    def __str__(self) -> str:
        return self.filename


class SupplyLine(models.Model):
    """A product, part, consumable or labour used on a case (source 004, "suministros")."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="supplies", verbose_name=_("case")
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("supply line")
        verbose_name_plural = _("supply lines")
        ordering = ("id",)
        constraints = (
            models.CheckConstraint(
                name="cases_supply_amounts_valid",
                condition=Q(quantity__gt=0, unit_price__gte=0, tax_rate__gte=0),
            ),
        )

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"

    @property
    def net_amount(self) -> Decimal:
        return cents(self.quantity * self.unit_price)
