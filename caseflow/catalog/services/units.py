"""Serialised units and their registrations to end customers (the warranty).

Registrations are audited in their unit's chain.
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caseflow.accounts.models import User
from caseflow.accounts.roles import require
from caseflow.catalog.models import Product, Registration, RegistrationChannel, Unit
from caseflow.catalog.services.rules import (
    add_months,
    check_choice,
    check_dealer,
    check_live_customer,
    clean_serial,
    today,
)
from caseflow.core.audit import audit
from caseflow.core.errors import DomainError
from caseflow.core.validation import validate
from caseflow.customers.models import Customer


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    channel: str,
    product: Product,
    serial: str,
    manufactured_on: date | None = None,
    notes: str = "",
    serial_field: str = "serial",
) -> Unit:
    """Record one serialised unit of `product`."""
    require(actor, "unit.create")
    serial = clean_serial(serial, field=serial_field)
    if not product.is_serialised:
        raise DomainError(
            _("%(product)s is not a serialised product.") % {"product": product.sku},
            field="product_id",
            code="not_serialised",
        )
    if product.archived_at is not None:
        raise DomainError(
            _("%(product)s is archived.") % {"product": product.sku},
            field="product_id",
            code="archived",
        )
    duplicate = DomainError(
        _("%(product)s already has a unit with serial number %(serial)s.")
        % {"product": product.sku, "serial": serial},
        field=serial_field,
        code="duplicate_serial",
    )
    if Unit.objects.filter(product=product, serial=serial).exists():
        raise duplicate
    unit = Unit(product=product, serial=serial, manufactured_on=manufactured_on, notes=notes)
    validate(unit, exclude=("product",))
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:  # a concurrent writer recorded the same serial
        raise duplicate from exc
    audit(
        actor=actor,
        channel=channel,
        action="catalog.unit_created",
        target=unit,
        new_chain=True,
        after={"product": product.pk, "serial": serial, "manufactured_on": manufactured_on},
    )
    return unit


@transaction.atomic
def register_unit(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    purchased_on: date,
    unit: Unit | None = None,
    product: Product | None = None,
    serial: str = "",
    registered_on: date | None = None,
    dealer: Customer | None = None,
    channel_of_registration: str = RegistrationChannel.PHONE,
) -> Registration:
    """Register a unit (given, or found/created by product and serial) to its end customer.

    The warranty ends `product.warranty_months` calendar months after the purchase. A unit
    registered to a new customer ends its previous registration in the same transaction.
    """
    require(actor, "registration.create")
    check_choice(channel_of_registration, RegistrationChannel.values, field="channel")
    check_live_customer(customer, field="customer_id")
    check_dealer(dealer)
    registered_on = _check_dates(purchased_on, registered_on)
    if unit is None:
        unit = _find_or_create_unit(actor=actor, channel=channel, product=product, serial=serial)
    unit = _lock_live_unit(unit)
    _end_previous_registration(actor=actor, channel=channel, unit=unit, customer=customer)
    registration = Registration(
        unit=unit,
        customer=customer,
        dealer=dealer,
        purchased_on=purchased_on,
        registered_on=registered_on,
        warranty_ends_on=add_months(purchased_on, unit.product.warranty_months),
        channel=channel_of_registration,
    )
    validate(registration, exclude=("unit", "customer", "dealer"))
    registration.save()
    audit(
        actor=actor,
        channel=channel,
        action="catalog.unit_registered",
        target=registration,
        aggregate=unit,
        after={
            "customer": customer.pk,
            "dealer": dealer.pk if dealer else None,
            "purchased_on": purchased_on,
            "registered_on": registered_on,
            "warranty_ends_on": registration.warranty_ends_on,
            "channel": channel_of_registration,
        },
    )
    return registration


def _check_dates(purchased_on: date, registered_on: date | None) -> date:
    """The registration day (today unless given), after refusing days in the future and a
    registration before the purchase."""
    now = today()
    registered_on = registered_on or now
    if purchased_on > now:
        raise DomainError(
            _("The purchase date lies in the future."), field="purchased_on", code="future_date"
        )
    if registered_on > now:
        raise DomainError(
            _("The registration date lies in the future."),
            field="registered_on",
            code="future_date",
        )
    if registered_on < purchased_on:
        raise DomainError(
            _("A unit cannot be registered before it was bought."), field="registered_on"
        )
    return registered_on


def _find_or_create_unit(
    *, actor: User | None, channel: str, product: Product | None, serial: str
) -> Unit:
    """The unit named by product and serial number, recorded now if it is new."""
    if product is None or not serial:
        raise DomainError(_("Name the unit, or its product and serial number."), field="unit_id")
    serial = clean_serial(serial)
    return Unit.objects.filter(product=product, serial=serial).first() or create_unit(
        actor=actor, channel=channel, product=product, serial=serial
    )


def _lock_live_unit(unit: Unit) -> Unit:
    """`unit` under its row lock, which serialises two registrations of the same unit."""
    unit = Unit.objects.select_for_update().select_related("product").get(pk=unit.pk)
    if unit.archived_at is not None:
        raise DomainError(_("This unit is archived."), field="unit_id", code="archived")
    return unit


def _end_previous_registration(
    *, actor: User | None, channel: str, unit: Unit, customer: Customer
) -> None:
    """End the unit's active registration (sold on); refuse registering it twice to the
    same customer."""
    previous = Registration.objects.filter(unit=unit, ended_at__isnull=True).first()
    if previous is None:
        return
    if previous.customer_id == customer.pk:
        raise DomainError(
            _("Unit %(serial)s is already registered to this customer.") % {"serial": unit.serial},
            field="unit_id",
            code="already_registered",
        )
    previous.ended_at = timezone.now()
    previous.save(update_fields=("ended_at",))
    audit(
        actor=actor,
        channel=channel,
        action="catalog.registration_ended",
        target=previous,
        aggregate=unit,
        after={"ended_at": previous.ended_at, "customer": previous.customer_id},
    )
