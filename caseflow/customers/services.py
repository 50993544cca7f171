"""Every change to customers, their contacts and contact points: one function per action.

Each function checks the actor's role, validates before it writes, and appends the audit
entry in the same transaction. Contacts and contact points are audited in their
customer's chain, so one chain tells the customer's whole story.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from caseflow.accounts.models import Language, User
from caseflow.accounts.roles import require
from caseflow.core.audit import audit, snapshot
from caseflow.core.editing import Edit, archive, lock, refuse_unknown, restore
from caseflow.core.errors import DomainError
from caseflow.core.numbering import next_plain_number
from caseflow.core.phones import to_e164
from caseflow.core.validation import validate
from caseflow.customers.models import (
    Contact,
    ContactPoint,
    ContactPointKind,
    Customer,
    CustomerKind,
    NameWord,
    Region,
)
from caseflow.customers.names import build_index, index_rows

CUSTOMER_FIELDS = (
    "kind",
    "name",
    "language",
    "is_dealer",
    "region",
    "account_manager",
    "vat_id",
    "street",
    "postal_code",
    "city",
    "country",
    "notes",
)
CONTACT_FIELDS = (
    "name", "title", "language", "is_primary", "street", "postal_code", "city", "country",
)  # fmt: skip


# --- helpers --------------------------------------------------------------------------------


def normalise_email(raw: str, *, field: str) -> str:
    """`raw` as stored and looked up: trimmed and lower-cased; DomainError when not valid."""
    value = (raw or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError as exc:
        raise DomainError(
            _("%(value)s is not a valid e-mail address.") % {"value": raw or '""'},
            field=field,
            code="invalid_email",
        ) from exc
    return value


def normalise_phone(raw: str, *, field: str, region: str | None = None) -> str:
    """`raw` in E.164; DomainError when it is not a possible phone number."""
    value = to_e164(raw, region or None)
    if value is None:
        raise DomainError(
            _("%(value)s is not a valid phone number.") % {"value": raw or '""'},
            field=field,
            code="invalid_phone",
        )
    return value


def phone_kind(e164: str) -> str:
    """`mobile` for mobile numbers, else `phone`."""
    number = phonenumbers.parse(e164, None)
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE:
        return ContactPointKind.MOBILE
    return ContactPointKind.PHONE


def normalise_point(kind: str, raw: str, *, field: str, region: str | None = None) -> str:
    if kind not in ContactPointKind.values:
        raise DomainError(
            _("Unknown kind of contact point: %(kind)s.") % {"kind": kind}, field="kind"
        )
    if kind == ContactPointKind.EMAIL:
        return normalise_email(raw, field=field)
    return normalise_phone(raw, field=field, region=region)


def _region_of(customer: Customer) -> str | None:
    return customer.country or None


def _check_choice(value: str, choices: Sequence[str], *, field: str) -> None:
    if value not in choices:
        raise DomainError(
            _("%(value)s is not one of %(choices)s.")
            % {"value": value or '""', "choices": ", ".join(choices)},
            field=field,
        )


def _clean_country(value: str) -> str:
    value = (value or "").strip().upper()
    if value and (len(value) != 2 or not value.isalpha()):
        raise DomainError(_("The country is a two-letter ISO code such as DE."), field="country")
    return value


def _index_names(customer: Customer) -> None:
    """Write the customer's rows of the name index again: its name's words and its live
    contacts' (a handful of rows; the caller holds the customer's lock or created it)."""
    NameWord.objects.filter(customer=customer).delete()
    contacts = Contact.objects.filter(customer=customer, archived_at__isnull=True).order_by("id")
    rows = index_rows(
        [(customer.pk, customer.name, customer.archived_at is not None)],
        [(contact.pk, customer.pk, contact.name) for contact in contacts.only("id", "name")],
    )
    NameWord.objects.bulk_create(
        [
            NameWord(word=word, customer=customer, contact_id=contact, archived=archived)
            for word, _, contact, archived in rows
        ]
    )


def _add_point(
    *,
    actor: User | None,
    channel: str,
    contact: Contact,
    kind: str,
    value: str,
    label: str = "",
    field: str,
) -> ContactPoint:
    normalised = normalise_point(kind, value, field=field, region=_region_of(contact.customer))
    if ContactPoint.objects.filter(contact=contact, kind=kind, value=normalised).exists():
        raise DomainError(
            _("%(value)s is already recorded for this contact.") % {"value": normalised},
            field=field,
            code="duplicate",
        )
    point = ContactPoint(
        contact=contact, customer=contact.customer, kind=kind, value=normalised, label=label
    )
    validate(point, exclude=("contact", "customer"))
    point.save()
    audit(
        actor=actor,
        channel=channel,
        action="customer.contact_point_added",
        target=point,
        aggregate=contact.customer,
        after={"contact": contact.pk, "kind": kind, "value": normalised, "label": label},
    )
    return point


def _demote_primary(
    *, actor: User | None, channel: str, customer: Customer, keep: Contact | None = None
) -> None:
    """The customer's other primary contact (one, by the rule) stops being primary, with
    its own audit entry."""
    others = Contact.objects.filter(customer=customer, is_primary=True, archived_at__isnull=True)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    for other in others.only("id"):
        audit(
            actor=actor,
            channel=channel,
            action="customer.contact_updated",
            target=other,
            aggregate=customer,
            before={"is_primary": True},
            after={"is_primary": False},
        )
        Contact.objects.filter(pk=other.pk).update(is_primary=False)


def _new_contact(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    name: str,
    title: str = "",
    language: str = "",
    is_primary: bool = False,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
) -> Contact:
    if language:
        _check_choice(language, Language.values, field="language")
    # Normalise everything first: a bad address refuses the whole contact.
    clean_emails = [normalise_email(e, field=f"emails[{i}]") for i, e in enumerate(emails)]
    clean_phones = [
        normalise_phone(p, field=f"phones[{i}]", region=_region_of(customer))
        for i, p in enumerate(phones)
    ]
    has_primary = customer.contacts.filter(is_primary=True, archived_at__isnull=True).exists()
    if is_primary and has_primary:
        _demote_primary(actor=actor, channel=channel, customer=customer)
    contact = Contact(
        customer=customer,
        name=(name or "").strip(),
        title=title.strip(),
        language=language,
        is_primary=is_primary or not has_primary,  # a customer's first contact is its primary
    )
    validate(contact, exclude=("customer",))
    contact.save()
    audit(
        actor=actor,
        channel=channel,
        action="customer.contact_added",
        target=contact,
        aggregate=customer,
        after=snapshot(contact, CONTACT_FIELDS),
    )
    for index, value in enumerate(dict.fromkeys(clean_emails)):
        _add_point(
            actor=actor,
            channel=channel,
            contact=contact,
            kind=ContactPointKind.EMAIL,
            value=value,
            field=f"emails[{index}]",
        )
    for index, value in enumerate(dict.fromkeys(clean_phones)):
        _add_point(
            actor=actor,
            channel=channel,
            contact=contact,
            kind=phone_kind(value),
            value=value,
            field=f"phones[{index}]",
        )
    return contact


# --- customers ------------------------------------------------------------------------------


@transaction.atomic
def create_customer(
    *,
    actor: User | None,
    channel: str,
    kind: str,
    name: str,
    language: str = "de",
    is_dealer: bool = False,
    region: Region | None = None,
    account_manager: User | None = None,
    vat_id: str = "",
    street: str = "",
    postal_code: str = "",
    city: str = "",
    country: str = "",
    notes: str = "",
    contact_name: str = "",
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
) -> Customer:
    """Create a customer with its number and, given contact details, a primary contact."""
    require(actor, "customer.create")
    _check_choice(kind, CustomerKind.values, field="kind")
    _check_choice(language, Language.values, field="language")
    if not (name or "").strip():
        raise DomainError(_("The customer needs a name."), field="name")
    country = _clean_country(country)
    # Validate the contact details before taking a number.
    for index, email in enumerate(emails):
        normalise_email(email, field=f"emails[{index}]")
    for index, phone in enumerate(phones):
        normalise_phone(phone, field=f"phones[{index}]", region=country or None)
    customer = Customer(
        kind=kind,
        name=name.strip(),
        language=language,
        is_dealer=is_dealer,
        region=region,
        account_manager=account_manager,
        vat_id=vat_id.strip(),
        street=street.strip(),
        postal_code=postal_code.strip(),
        city=city.strip(),
        country=country,
        notes=notes,
    )
    validate(customer, exclude=("number",))
    customer.number = next_plain_number("customer", prefix="CU", width=6)
    _insert(customer, actor=actor, channel=channel)
    if contact_name.strip() or emails or phones:
        _new_contact(
            actor=actor,
            channel=channel,
            customer=customer,
            name=contact_name.strip() or customer.name,
            is_primary=True,
            emails=emails,
            phones=phones,
        )
    _index_names(customer)
    return customer


def _insert(customer: Customer, *, actor: User | None, channel: str) -> None:
    customer.save()
    audit(
        actor=actor,
        channel=channel,
        action="customer.created",
        target=customer,
        new_chain=True,
        after={"number": customer.number, **snapshot(customer, CUSTOMER_FIELDS)},
    )


def placeholder_customer(
    *, number: str, name: str, notes: str = "", language: str = "en", channel: str
) -> Customer:
    """The system's customer with the reserved `number` (outside the CU-… series), created
    by the first caller that needs it like every customer: audited (actor: the system) and
    in the name index. E.g. "Unknown senders", who holds the cases of unrecognised senders.
    Finding it is one query and no transaction of its own (mail intake asks for it)."""
    found = Customer.objects.filter(number=number).first()
    if found is not None:
        return found
    customer = Customer(
        number=number,
        kind=CustomerKind.ORGANISATION,
        name=name.strip(),
        language=language,
        notes=notes,
    )
    validate(customer, exclude=("number",))
    try:
        with transaction.atomic():
            _insert(customer, actor=None, channel=channel)
            _index_names(customer)
    except IntegrityError:  # a concurrent caller created it first
        return Customer.objects.get(number=number)
    return customer


@transaction.atomic
def update_customer(
    *, actor: User | None, channel: str, customer: Customer, version: int, **changes: Any
) -> Customer:
    """Change a customer's master data, unless someone else changed it since `version`."""
    require(actor, "customer.update")
    refuse_unknown(changes, CUSTOMER_FIELDS)
    locked = lock(customer, version=version)
    if "kind" in changes:
        _check_choice(changes["kind"], CustomerKind.values, field="kind")
    if "language" in changes:
        _check_choice(changes["language"], Language.values, field="language")
    if "country" in changes:
        changes["country"] = _clean_country(changes["country"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError(_("The customer needs a name."), field="name")
    edit = Edit(locked, CUSTOMER_FIELDS)
    edit.set(changes)
    if not edit.diff():
        return locked
    edit.save(actor=actor, channel=channel, action="customer.updated")
    if "name" in edit.changed:
        _index_names(locked)
    return locked


@transaction.atomic
def archive_customer(*, actor: User | None, channel: str, customer: Customer) -> Customer:
    """Archive (soft-delete) a customer; its history stays."""
    require(actor, "customer.update")
    locked, changed = archive(customer, actor=actor, channel=channel, action="customer.archived")
    if changed:
        NameWord.objects.filter(customer=locked).update(archived=True)
    return locked


@transaction.atomic
def restore_customer(*, actor: User | None, channel: str, customer: Customer) -> Customer:
    """Bring an archived customer back."""
    require(actor, "customer.update")
    locked, changed = restore(customer, actor=actor, channel=channel, action="customer.restored")
    if changed:
        NameWord.objects.filter(customer=locked).update(archived=False)
    return locked


# --- contacts and contact points ------------------------------------------------------------


def _refuse_archived(customer: Customer) -> None:
    if customer.archived_at is not None:
        raise DomainError(
            _("This customer is archived; restore it first."),
            field="customer_id",
            code="archived",
        )


@transaction.atomic
def add_contact(
    *,
    actor: User | None,
    channel: str,
    customer: Customer,
    name: str,
    title: str = "",
    language: str = "",
    is_primary: bool = False,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
) -> Contact:
    """Add a person at a customer, with e-mail addresses and phone numbers."""
    require(actor, "customer.update")
    locked = lock(customer)  # serialises the "one primary contact" rule
    _refuse_archived(locked)
    if not (name or "").strip():
        raise DomainError(_("The contact needs a name."), field="name")
    contact = _new_contact(
        actor=actor,
        channel=channel,
        customer=locked,
        name=name,
        title=title,
        language=language,
        is_primary=is_primary,
        emails=emails,
        phones=phones,
    )
    _index_names(locked)
    return contact


@transaction.atomic
def update_contact(
    *, actor: User | None, channel: str, contact: Contact, **changes: Any
) -> Contact:
    """Change a contact's name, position, language, address or primary flag."""
    require(actor, "customer.update")
    refuse_unknown(changes, CONTACT_FIELDS)
    customer = lock(contact.customer)
    _refuse_archived(customer)
    locked = lock(contact)
    if locked.archived_at is not None:
        raise DomainError(_("This contact is archived."), field="contact_id", code="archived")
    if changes.get("language"):
        _check_choice(changes["language"], Language.values, field="language")
    if "country" in changes:
        changes["country"] = _clean_country(changes["country"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if not changes["name"]:
            raise DomainError(_("The contact needs a name."), field="name")
    edit = Edit(locked, CONTACT_FIELDS)
    edit.set(changes)
    if not edit.diff():
        return locked
    if "is_primary" in edit.changed and locked.is_primary:
        _demote_primary(actor=actor, channel=channel, customer=customer, keep=locked)
    edit.save(
        actor=actor,
        channel=channel,
        action="customer.contact_updated",
        aggregate=customer,
        exclude=("customer",),
        bump=False,  # contacts carry no version: their customer's lock serialises writers
    )
    if "name" in edit.changed:
        _index_names(customer)
    return locked


@transaction.atomic
def archive_contact(*, actor: User | None, channel: str, contact: Contact) -> Contact:
    """Archive a contact (left the company, wrong person); its cases keep pointing to it."""
    require(actor, "customer.update")
    customer = lock(contact.customer)
    locked, changed = archive(
        contact,
        actor=actor,
        channel=channel,
        action="customer.contact_archived",
        aggregate=customer,
        also={"is_primary": False},
    )
    if changed:
        _index_names(customer)
    return locked


@transaction.atomic
def add_contact_point(
    *,
    actor: User | None,
    channel: str,
    contact: Contact,
    kind: str,
    value: str,
    label: str = "",
) -> ContactPoint:
    """Add an e-mail address, phone, mobile or fax number (normalised) to a contact."""
    require(actor, "customer.update")
    customer = lock(contact.customer)
    _refuse_archived(customer)
    if contact.archived_at is not None:
        raise DomainError(_("This contact is archived."), field="contact_id", code="archived")
    contact.customer = customer
    return _add_point(
        actor=actor,
        channel=channel,
        contact=contact,
        kind=kind,
        value=value,
        label=label.strip(),
        field="value",
    )


@transaction.atomic
def remove_contact_point(*, actor: User | None, channel: str, point: ContactPoint) -> None:
    """Remove an e-mail address or phone number that is no longer valid."""
    require(actor, "customer.update")
    customer = lock(point.customer)
    before = {"contact": point.contact_id, "kind": point.kind, "value": point.value}
    audit(
        actor=actor,
        channel=channel,
        action="customer.contact_point_removed",
        target=point,
        aggregate=customer,
        before=before,
    )
    point.delete()


# --- the name index -------------------------------------------------------------------------


@transaction.atomic
def rebuild_name_index(*, batch: int = 5000) -> int:
    """Build the name index again from every customer and live contact (after a bulk load
    that bypassed the services); the number of words written. Writers of customers wait."""
    if batch < 1:
        raise DomainError(_("The batch size must be at least 1."), field="batch")
    NameWord.objects.all().delete()
    return build_index(
        customer_model=Customer,
        contact_model=Contact,
        word_model=NameWord,
        using=NameWord.objects.db,
        batch=batch,
    )
