"""Customers (organisations and persons), their contacts and how to reach them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from caseflow.accounts.models import Language
from caseflow.core.models import AddressFields, ChoiceLabels


class CustomerKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")


class Region(models.Model):
    """A sales/service region (configuration data: routing uses it later)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ("code",)

    def __str__(self) -> str:
        return self.name


class Customer(ChoiceLabels, AddressFields):
    number = models.CharField(_("customer number"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=CustomerKind)
    name = models.CharField(_("name"), max_length=200)
    is_dealer = models.BooleanField(_("dealer"), default=False)
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("region"),
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_customers",
        verbose_name=_("account manager"),
    )
    language = models.CharField(_("language"), max_length=2, choices=Language, default="de")
    vat_id = models.CharField(_("VAT ID"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    # Not columns: what selectors attach to the rows they return for one page.
    live_contacts: list[Contact]  # customers.selectors.attach_live_contacts
    registered_units: list[dict[str, Any]]  # customers.selectors.caller_lookup
    matched_by: str  # the caller search: which reading of the text found it
    matched_contact: str  # … the contact whose name matched
    shown_points: list[str]  # … up to two contact points in people's notation

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ("name", "id")
        constraints = (
            models.CheckConstraint(
                name="customers_customer_kind_valid", condition=Q(kind__in=CustomerKind.values)
            ),
            models.CheckConstraint(
                name="customers_customer_language_valid", condition=Q(language__in=Language.values)
            ),
        )
        indexes = (
            # the customer list, keyset-paged in (name, id) order
            models.Index(fields=("name", "id"), name="customers_name_idx"),
        )

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Contact(AddressFields):
    """A person at a customer (for a person customer: usually the customer themself)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("customer")
    )
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("position"), max_length=100, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language, blank=True, help_text=_("blank: customer's")
    )
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    # Not a column: attached by customers.selectors.attach_live_contacts.
    live_points: list[ContactPoint]

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ("-is_primary", "name", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("customer",),
                condition=Q(is_primary=True, archived_at__isnull=True),
                name="customers_contact_one_primary",
            ),
        )

    def __str__(self) -> str:
        return self.name


class ContactPointKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    MOBILE = "mobile", _("Mobile")
    FAX = "fax", _("Fax")


PHONE_KINDS = (ContactPointKind.PHONE, ContactPointKind.MOBILE, ContactPointKind.FAX)


class ContactPoint(ChoiceLabels, models.Model):
    """An e-mail address or phone number of a contact.

    `value` is normalised: e-mail addresses lower-cased, phone numbers in E.164, so a
    lookup is one equality match on the (kind-independent) `value` index.
    """

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="points", verbose_name=_("contact")
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="contact_points",
        editable=False,
        verbose_name=_("customer"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactPointKind)
    value = models.CharField(_("value"), max_length=254)
    label = models.CharField(_("label"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ("kind", "id")
        constraints = (
            models.CheckConstraint(
                name="customers_contactpoint_kind_valid",
                condition=Q(kind__in=ContactPointKind.values),
            ),
            models.UniqueConstraint(
                fields=("contact", "kind", "value"), name="customers_contactpoint_unique"
            ),
        )
        indexes = (
            # who is calling / who wrote: phone in E.164 or lower-cased e-mail
            models.Index(fields=("value",), name="customers_point_value_idx"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class NameWordField(models.CharField):
    """A folded word, compared in code-point order on every database: the "C" collation on
    PostgreSQL (whatever the database's), SQLite's own byte order. So a prefix is the range
    [prefix, prefix + U+10FFFF) of one index."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class NameWord(models.Model):
    """One word of a customer's name or of a live contact's name, folded (lower case, no
    accents; `caseflow.customers.names`): the index behind the name lookups. The customer
    services keep it current in their transactions; `manage.py rebuild_name_index` rebuilds
    it after a bulk load."""

    word = NameWordField(_("word"), max_length=40)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        verbose_name=_("customer"),
    )
    # None: a word of the customer's own name
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        verbose_name=_("contact"),
    )
    # the customer's: lookups leave archived customers out without reading the customers
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        verbose_name = _("name word")
        verbose_name_plural = _("name words")
        indexes = (
            # a lookup: the words starting with what was typed, in word order (index only)
            models.Index(
                fields=("word", "customer", "contact"),
                include=("archived",),
                name="customers_nameword_idx",
            ),
            # a second typed word of the same customer; re-indexing a customer
            models.Index(fields=("customer", "word"), name="customers_nameword_cust_idx"),
        )

    def __str__(self) -> str:
        return self.word
