"""Inbound and outbound messages: mailboxes, raw inbound mail, outgoing mail and SMS, templates.

Every delivery of an inbound message is one `InboundMessage` row whose raw bytes were stored
before anything was parsed; it ends processed (a case or an event), a duplicate of an earlier
delivery of the same bytes, ignored (auto-replies with nowhere to go), or quarantined with a
reason. Outgoing mail and SMS are `OutboundMessage` rows, sent by a Huey task, whose status
the case's timeline shows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Language, Team
from caseflow.cases.models import Case, TimelineEvent


class ImapSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (loopback and tests only)")


class Mailbox(models.Model):
    """A support address: where mail comes in (IMAP polling or MTA delivery) and goes out from.

    The owner or team is the channel owner: who gets new cases that no rule routes elsewhere.
    """

    name = models.SlugField(_("name"), max_length=50, unique=True)
    address = models.EmailField(_("address"), help_text=_("the From address of replies"))
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language,
        default=Language.EN,
        help_text=_("for unknown senders"),
    )
    signature = models.TextField(_("signature"), blank=True, max_length=2000)
    acknowledge = models.BooleanField(
        _("acknowledge new cases"),
        default=True,
        help_text=_("send the sender a confirmation with the case number (never to auto-replies)"),
    )
    # IMAP polling (leave the host empty for MTA delivery only)
    imap_host = models.CharField(_("IMAP host"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_security = models.CharField(
        _("IMAP security"), max_length=10, choices=ImapSecurity, default=ImapSecurity.SSL
    )
    imap_user = models.CharField(_("IMAP user"), max_length=200, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=200, blank=True)
    imap_folder = models.CharField(_("IMAP folder"), max_length=200, default="INBOX")
    imap_done_folder = models.CharField(
        _("IMAP folder for processed mail"),
        max_length=200,
        blank=True,
        help_text=_("empty: processed mail is flagged and stays in the folder"),
    )
    active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("mailbox")
        ordering = ("name",)
        verbose_name_plural = _("mailboxes")
        constraints = (
            models.CheckConstraint(
                name="channels_mailbox_has_owner",
                condition=Q(owner__isnull=False) | Q(team__isnull=False),
                violation_error_message=_("A mailbox needs an owner or a team."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    DUPLICATE = "duplicate", _("Duplicate delivery")
    IGNORED = "ignored", _("Ignored")
    QUARANTINED = "quarantined", _("Quarantined")


class InboundSource(models.TextChoices):
    IMAP = "imap", _("IMAP")
    MTA = "mta", _("MTA delivery")
    UPLOAD = "upload", _("Upload")
    DROP = "drop", _("Drop folder")  # drop folder (caseflow/channels/inbound/drop.py)


class InboundMessage(models.Model):
    """One delivery of one e-mail: raw bytes first, then what became of it."""

    mailbox = models.ForeignKey(
        Mailbox,
        on_delete=models.PROTECT,
        related_name="messages",
        db_index=False,
        verbose_name=_("mailbox"),
    )
    source = models.CharField(_("source"), max_length=10, choices=InboundSource)
    raw = models.FileField(_("raw message"), upload_to="mail/raw/", max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InboundStatus, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    # copies of a few headers, for lists and the quarantine (empty until parsed)
    sender = models.CharField(_("sender"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    is_automatic = models.BooleanField(
        _("automatic"), default=False, help_text=_("auto-reply, bounce or list mail")
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        TimelineEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_message",
        verbose_name=_("event"),
    )
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("duplicate of"),
    )
    # Mail intake: the delivery whose processing stands for its bytes (set in the processing
    # transaction; the unique constraint makes a second worker with the same bytes wait, then
    # see it and become a duplicate). Quarantine rolls it back, so a re-delivery or a retry
    # can try again.
    is_original = models.BooleanField(_("original"), default=False, editable=False)

    class Meta:
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        ordering = ("-received_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("sha256",),
                condition=Q(is_original=True),
                name="channels_inbound_one_original",
            ),
        )
        indexes = (
            models.Index(fields=("sha256",), name="channels_inbound_sha_idx"),
            models.Index(fields=("message_id",), name="channels_inbound_msgid_idx"),
            models.Index(fields=("case",), name="channels_inbound_case_idx"),
            models.Index(
                fields=("status", "-received_at"),
                name="channels_inbound_status_idx",
            ),
            models.Index(fields=("mailbox", "-received_at"), name="channels_inbound_mbox_idx"),
        )

    def __str__(self) -> str:
        return f"{self.message_id or self.sha256[:12]} ({self.get_status_display()})"


class MessageKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboundMessage(models.Model):
    """An e-mail or SMS to a customer, written to the timeline and sent by a background task."""

    kind = models.CharField(_("kind"), max_length=5, choices=MessageKind)
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="+", db_index=False, verbose_name=_("case")
    )
    event = models.OneToOneField(
        TimelineEvent,
        on_delete=models.PROTECT,
        related_name="outbound_message",
        verbose_name=_("event"),
    )
    mailbox = models.ForeignKey(
        Mailbox,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("mailbox"),
    )
    to = models.TextField(_("to"), help_text=_("addresses or phone numbers, one per line"))
    cc = models.TextField(_("cc"), blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), max_length=100000)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=998, blank=True)
    references = models.TextField(_("References"), blank=True)
    is_acknowledgement = models.BooleanField(_("acknowledgement"), default=False)
    status = models.CharField(
        _("status"), max_length=8, choices=OutboundStatus, default=OutboundStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # --- sending (e-mail out) ---
    # The From header as sent (mailbox or DEFAULT_FROM_EMAIL), for the record.
    sender = models.CharField(_("from"), max_length=300, blank=True)
    # When the next attempt is due; the sweeper re-enqueues messages overdue by this.
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker's claim while it sends: no other worker takes the message before it runs out.
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)
    # --- end of sending ---

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("message_id",), name="channels_outbound_msgid_idx"),
            models.Index(fields=("case", "-created_at"), name="channels_outbound_case_idx"),
            models.Index(fields=("status", "created_at"), name="channels_outbound_status_idx"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to.splitlines()[0] if self.to else '?'}"


class TemplatePurpose(models.TextChoices):
    REPLY = "reply", _("Reply")
    SOLUTION = "solution", _("Solution message")
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement of a new case")
    WEB_CONFIRMATION = "web_ack", _("Web form confirmation")
    SMS = "sms", _("SMS")


class MessageTemplate(models.Model):
    """A reply template with placeholders, in one language (configuration data)."""

    code = models.SlugField(_("code"), max_length=50)
    language = models.CharField(_("language"), max_length=2, choices=Language)
    purpose = models.CharField(_("purpose"), max_length=10, choices=TemplatePurpose)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("text"), max_length=20000)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ("purpose", "name", "language")
        constraints = (
            models.UniqueConstraint(
                fields=("code", "language"), name="channels_template_code_language"
            ),
        )

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class UnknownSender(models.Model):
    """Who wrote a case's first message when no customer matched (the case belongs to the
    placeholder customer "Unknown senders" until an agent adopts the sender)."""

    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="unknown_sender", verbose_name=_("case")
    )
    channel = models.CharField(_("channel"), max_length=10)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("adopted by"),
    )

    class Meta:
        verbose_name = _("unknown sender")
        verbose_name_plural = _("unknown senders")
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(
                fields=("-created_at",),
                name="channels_unknown_open_idx",
                condition=Q(adopted_at__isnull=True),
            ),
        )

    def __str__(self) -> str:
        return self.name or self.email or self.phone or str(self.pk)


# --- Phone and SMS ----------------------------------------------------------------------------
# Calls reported by the PBX (CTI webhook), agents' extensions, and SMS received by webhook.
# Outgoing SMS are `OutboundMessage` rows of kind "sms" (the provider's id in `message_id`).


class CallDirection(models.TextChoices):
    INBOUND = "in", _("Incoming")
    OUTBOUND = "out", _("Outgoing")


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


# A call rings or is being talked on: the desk's incoming-call notice shows it.
CALL_LIVE = (CallState.RINGING, CallState.ANSWERED)


class CtiEvent(models.TextChoices):
    STARTED = "started", _("Started")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", _("Ended")


class AgentExtension(models.Model):
    """An agent's telephone extension as the PBX names it in its events (configuration).

    Events naming neither an extension listed here nor a user name reach every agent."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        related_name="phone_extension",
    )
    extension = models.CharField(_("extension"), max_length=50, unique=True)

    class Meta:
        verbose_name = _("agent extension")
        verbose_name_plural = _("agent extensions")
        ordering = ("extension",)

    def __str__(self) -> str:
        return f"{self.extension} → {self.user}"


class Call(models.Model):
    """One telephone call as the PBX reported it, matched to the caller's customer.

    Written only by `caseflow.channels.calls.services` from CTI events; the agent links it to
    a case when logging it there."""

    call_id = models.CharField(_("call ID"), max_length=200, unique=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=CallDirection, default=CallDirection.INBOUND
    )
    state = models.CharField(_("state"), max_length=10, choices=CallState)
    number = models.CharField(
        _("number"), max_length=20, blank=True, help_text=_("the customer's side, E.164")
    )
    raw_number = models.CharField(_("number as sent"), max_length=100, blank=True)
    line = models.CharField(_("our line"), max_length=100, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agent_ref = models.CharField(_("agent as sent"), max_length=150, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("customer"),
    )
    contact = models.ForeignKey(
        "customers.Contact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("contact"),
    )
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        TimelineEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="call",
        verbose_name=_("event"),
    )
    started_at = models.DateTimeField(_("started"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration = models.PositiveIntegerField(_("talk time (s)"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ("-started_at", "-id")
        constraints = (
            models.CheckConstraint(
                name="channels_call_state_valid", condition=Q(state__in=CallState.values)
            ),
            models.CheckConstraint(
                name="channels_call_direction_valid",
                condition=Q(direction__in=CallDirection.values),
            ),
        )
        indexes = (
            # the notice's poll: the few calls ringing or being talked on right now (not a
            # partial index: SQLite cannot use one for a condition with bound parameters)
            models.Index(fields=("state", "-started_at"), name="channels_call_state_idx"),
            # the notice's "call ended: log it" for one agent
            models.Index(fields=("agent", "-ended_at"), name="channels_call_agent_idx"),
            models.Index(fields=("number", "-started_at"), name="channels_call_number_idx"),
        )

    def __str__(self) -> str:
        return f"{self.call_id} {self.number or self.raw_number} ({self.get_state_display()})"


class CallEvent(models.Model):
    """One CTI event as the PBX sent it: the log that makes a replay change nothing."""

    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, related_name="events", verbose_name=_("call")
    )
    event = models.CharField(_("event"), max_length=10, choices=CtiEvent)
    at = models.DateTimeField(_("at"))
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        verbose_name = _("call event")
        verbose_name_plural = _("call events")
        ordering = ("at", "id")
        constraints = (
            models.UniqueConstraint(fields=("call", "event"), name="channels_callevent_once"),
        )

    def __str__(self) -> str:
        return f"{self.call_id} {self.event}"


class InboundSms(models.Model):
    """One SMS received by the gateway's webhook: stored first, then linked to a case.

    The provider's id makes a re-delivery change nothing; an SMS that could not be linked
    stays here, quarantined with the reason."""

    provider_id = models.CharField(_("provider's id"), max_length=200, unique=True)
    sender = models.CharField(_("from (as sent)"), max_length=100)
    number = models.CharField(_("from"), max_length=20, blank=True, help_text=_("E.164"))
    to = models.CharField(_("to"), max_length=100, blank=True)
    text = models.TextField(_("text"), blank=True, max_length=5000)
    sent_at = models.DateTimeField(_("sent"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InboundStatus, default=InboundStatus.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        verbose_name=_("case"),
    )
    event = models.OneToOneField(
        TimelineEvent,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_sms",
        verbose_name=_("event"),
    )

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        indexes = (
            models.Index(fields=("status", "-received_at"), name="channels_sms_in_status_idx"),
        )

    def __str__(self) -> str:
        return f"{self.number or self.sender}: {self.text[:40]}"


# --- IMAP polling -----------------------------------------------------------------------------


class ImapPollLease(models.Model):
    """Who is polling a mailbox right now: claimed with a conditional UPDATE, so two workers
    (Huey consumers on several machines, or `poll_mailboxes` beside them) never poll the same
    mailbox at once. A lease expires, so a worker killed mid-poll blocks nobody for long."""

    mailbox = models.OneToOneField(
        Mailbox,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="imap_lease",
        verbose_name=_("mailbox"),
    )
    holder = models.CharField(_("holder"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name_plural = _("IMAP poll leases")
        verbose_name = _("IMAP poll lease")

    def __str__(self) -> str:
        return f"{self.mailbox_id}: {self.holder or '-'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"
