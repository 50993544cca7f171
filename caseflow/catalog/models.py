"""Products, serialised units, registrations, service contracts and sales orders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from caseflow.core.models import ChoiceLabels
from caseflow.customers.models import Customer

SERIAL_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$"
serial_validator = RegexValidator(
    SERIAL_PATTERN,
    _("A serial number has 1 to 64 letters, digits, dots, dashes, slashes or underscores."),
    code="invalid_serial",
)


class ProductKind(models.TextChoices):
    DEVICE = "device", _("Device")
    SPARE_PART = "spare_part", _("Spare part")
    CONSUMABLE = "consumable", _("Consumable")
    LABOUR = "labour", _("Labour / service")


class ProductType(models.Model):
    """A family of products (e.g. "Espresso machines"): routing and statistics group by it."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("product type")
        verbose_name_plural = _("product types")
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Product(ChoiceLabels, models.Model):
    sku = models.CharField(_("article number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ProductKind)
    product_type = models.ForeignKey(
        ProductType,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("product type"),
    )
    is_serialised = models.BooleanField(_("serialised"), default=False)
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=0)
    price = models.DecimalField(
        _("price"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    cost = models.DecimalField(
        _("cost"), max_digits=12, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("19.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    currency = models.CharField(_("currency"), max_length=3, default=settings.DEFAULT_CURRENCY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ("sku",)
        constraints = (
            models.CheckConstraint(
                name="catalog_product_kind_valid", condition=Q(kind__in=ProductKind.values)
            ),
            models.CheckConstraint(
                name="catalog_product_amounts_nonneg",
                condition=Q(price__gte=0, cost__gte=0, tax_rate__gte=0, tax_rate__lte=100),
            ),
        )

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Unit(models.Model):
    """One serialised instance of a product."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="units", verbose_name=_("product")
    )
    serial = models.CharField(_("serial number"), max_length=64, validators=[serial_validator])
    manufactured_on = models.DateField(_("manufactured on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    # Not a column: attached by the caller search (its registrations in force).
    active_registrations: list[Registration]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ("serial", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("product", "serial"), name="catalog_unit_serial_unique"
            ),
        )
        indexes = (
            # lookup by serial alone (the caller reads it off the label, not the product),
            # in any letter case: people type `be2-2512-00264` for BE2-2512-00264
            models.Index(Upper("serial"), name="catalog_unit_serial_upper_idx"),
        )

    def __str__(self) -> str:
        return f"{self.serial} ({self.product.sku})" if self.product_id else self.serial


class RegistrationChannel(models.TextChoices):
    CARD = "card", _("Registration card")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")
    DEALER = "dealer", _("Dealer")
    IMPORT = "import", _("Import")


class Registration(ChoiceLabels, models.Model):
    """A unit registered to its end customer: purchase and warranty dates (source 000)."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("unit")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("customer")
    )
    dealer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dealt_registrations",
        verbose_name=_("dealer"),
    )
    purchased_on = models.DateField(_("purchase date"))
    registered_on = models.DateField(_("registration date"))
    warranty_ends_on = models.DateField(_("warranty end"))
    channel = models.CharField(_("channel"), max_length=10, choices=RegistrationChannel)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ended_at = models.DateTimeField(
        _("ended at"),
        null=True,
        blank=True,
        help_text=_("set when the unit is registered to someone else"),
    )

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ("-registered_on", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("unit",), condition=Q(ended_at__isnull=True),
                name="catalog_registration_one_active",
            ),
            models.CheckConstraint(
                name="catalog_registration_dates_order",
                condition=Q(registered_on__gte=models.F("purchased_on"))
                & Q(warranty_ends_on__gte=models.F("purchased_on")),
            ),
            models.CheckConstraint(
                name="catalog_registration_channel_valid",
                condition=Q(channel__in=RegistrationChannel.values),
            ),
        )  # fmt: skip
        indexes = (models.Index(fields=("customer", "unit"), name="catalog_reg_customer_idx"),)

    def __str__(self) -> str:
        return f"{self.unit} → {self.customer}"


class ContractLevel(models.TextChoices):
    BASIC = "basic", _("Basic")
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")


class ServiceContract(ChoiceLabels, models.Model):
    """Extends the warranty of the units it covers between its start and end dates."""

    number = models.CharField(_("contract number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="contracts", verbose_name=_("units")
    )
    level = models.CharField(_("level"), max_length=10, choices=ContractLevel)
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ("-ends_on", "-id")
        constraints = (
            models.CheckConstraint(
                name="catalog_contract_dates_order", condition=Q(ends_on__gte=models.F("starts_on"))
            ),
            models.CheckConstraint(
                name="catalog_contract_level_valid", condition=Q(level__in=ContractLevel.values)
            ),
        )

    def __str__(self) -> str:
        return self.number


class SalesOrder(models.Model):
    number = models.CharField(_("order number"), max_length=30, unique=True)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    dealer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dealt_orders",
        verbose_name=_("dealer"),
    )
    ordered_on = models.DateField(_("order date"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        ordering = ("-ordered_on", "-id")
        indexes = (
            models.Index(fields=("customer", "ordered_on"), name="catalog_order_customer_idx"),
        )

    def __str__(self) -> str:
        return self.number


class SalesOrderLine(models.Model):
    order = models.ForeignKey(
        SalesOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("product")
    )
    quantity = models.DecimalField(
        _("quantity"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    units = models.ManyToManyField(
        Unit, blank=True, related_name="order_lines", verbose_name=_("units")
    )

    class Meta:
        verbose_name = _("sales order line")
        verbose_name_plural = _("sales order lines")
        ordering = ("order", "position")
        constraints = (
            models.UniqueConstraint(
                fields=("order", "position"), name="catalog_orderline_position"
            ),
            models.CheckConstraint(name="catalog_orderline_qty_pos", condition=Q(quantity__gt=0)),
        )

    def __str__(self) -> str:
        return f"{self.order.number}/{self.position}" if self.order_id else str(self.position)
