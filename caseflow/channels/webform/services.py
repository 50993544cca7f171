"""Opening a case from the web form: validation, linking, the first timeline entry."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from caseflow.accounts.models import Language
from caseflow.cases.models import Case
from caseflow.cases.services import TEXT_LIMITS, Upload, record_event
from caseflow.catalog.models import Product, Registration, SalesOrder, Unit
from caseflow.catalog.selectors import units_with_serial
from caseflow.channels import acknowledgements, senders
from caseflow.core.errors import DomainError
from caseflow.core.models import Channel
from caseflow.core.phones import to_e164
from caseflow.customers.models import Customer
from caseflow.customers.services import normalise_email

EVENT_TYPE = "web_in"
NAME_LIMIT = 200
SUBJECT_LIMIT = 200
DESCRIPTION_LIMIT = 20000
NOT_LINKED = gettext_noop("not linked: registered to another customer or unknown")


@dataclass(frozen=True)
class WebRequest:
    """What a customer sent through the web form (already parsed, not yet trusted)."""

    name: str
    email: str
    subject: str
    description: str
    language: str = Language.EN
    phone: str = ""
    order_number: str = ""
    serial: str = ""
    product: Product | None = None
    product_text: str = ""
    files: tuple[Upload, ...] = field(default_factory=tuple)


def find_order(number: str) -> SalesOrder | None:
    """The sales order with this number, as typed or upper-cased (both use the unique index)."""
    number = number.strip()[:30]
    if not number:
        return None
    for candidate in dict.fromkeys((number, number.upper())):
        found = SalesOrder.objects.select_related("customer").filter(number=candidate).first()
        if found is not None:
            return found
    return None


def registered_to(unit: Unit, customer: Customer | None) -> bool:
    """Whether `unit` is registered (actively) to `customer`, or with it as the dealer."""
    if customer is None:
        return False
    return (
        Registration.objects.filter(unit=unit, ended_at__isnull=True)
        .filter(Q(customer=customer) | Q(dealer=customer))
        .exists()
    )


def find_unit(serial: str, product: Product | None) -> Unit | None:
    """The one live unit with this serial number (of `product`, when chosen); None when
    there is none or the serial is ambiguous across products."""
    serial = serial.strip()[:64]
    if not serial:
        return None
    units = units_with_serial(Unit.objects.filter(archived_at__isnull=True), serial).select_related(
        "product"
    )
    if product is not None:
        units = units.filter(product=product)
    found = list(units[:2])
    return found[0] if len(found) == 1 else None


def _check(request: WebRequest) -> tuple[str, str]:
    if not request.name.strip():
        raise DomainError(_("Please tell us your name."), field="name")
    if len(request.name) > NAME_LIMIT:
        raise DomainError(_("The name is too long."), field="name", code="too_long")
    email = normalise_email(request.email, field="email")
    phone = ""
    if request.phone.strip():
        phone = to_e164(request.phone) or ""
        if not phone:
            raise DomainError(
                _("%(value)s is not a valid phone number.") % {"value": request.phone},
                field="phone",
                code="invalid_phone",
            )
    if not request.subject.strip():
        raise DomainError(_("Say in a few words what it is about."), field="subject")
    if len(request.subject) > SUBJECT_LIMIT:
        raise DomainError(_("The subject is too long."), field="subject", code="too_long")
    if not request.description.strip():
        raise DomainError(_("Please describe the problem."), field="description")
    if len(request.description) > DESCRIPTION_LIMIT:
        raise DomainError(
            _("The description is too long (at most %(n)s characters).") % {"n": DESCRIPTION_LIMIT},
            field="description",
            code="too_long",
        )
    if len(request.files) > settings.WEBFORM_MAX_FILES:
        raise DomainError(
            _("At most %(n)s files.") % {"n": settings.WEBFORM_MAX_FILES},
            field="files",
            code="too_many",
        )
    limit = min(settings.WEBFORM_MAX_FILE_BYTES, settings.ATTACHMENT_MAX_BYTES)
    for upload in request.files:
        if len(upload.content) > limit:
            raise DomainError(
                _("A file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)},
                field="files",
                code="file_too_large",
            )
    return email, phone


def _serial_note(serial: str) -> str:
    """What an agent reads about a serial number that was not linked (in the desk's default
    language): it names somebody else's unit, or none. Which of the two stays unsaid: the
    customer may see what their case says."""
    with translation.override(settings.LANGUAGE_CODE):
        given, not_linked = _("Serial number given"), _(NOT_LINKED)
    return f"{given}: {serial} ({not_linked})"


def _symptom(request: WebRequest, unlinked_serial: str) -> str:
    """The case's symptom: the customer's description, and the serial number they gave when
    it was not linked, for an agent to confirm."""
    description = request.description.strip()
    if not unlinked_serial:
        return description
    note = _serial_note(unlinked_serial)
    room = TEXT_LIMITS["symptom"] - len(note) - 3
    if len(description) > room:
        description = description[: room - 1] + "…"
    return f"{description}\n\n{note}"


def _entry_text(request: WebRequest, email: str, phone: str, linked: dict[str, bool]) -> str:
    """The customer's description, then what they told us about themselves and the product
    (in the desk's default language), marking what matched nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        not_found = _("not found")
        not_linked = _(NOT_LINKED)
        name, e_mail, phone_label = _("Name"), _("E-mail"), _("Phone")
        order, serial, product = _("Order number"), _("Serial number"), _("Product")
    lines = [f"{name}: {request.name.strip()}", f"{e_mail}: {email}"]
    if phone:
        lines.append(f"{phone_label}: {phone}")
    if request.order_number.strip():
        mark = "" if linked["order"] else f" ({not_found})"
        lines.append(f"{order}: {request.order_number.strip()}{mark}")
    if request.serial.strip():
        mark = "" if linked["unit"] else f" ({not_linked})"
        lines.append(f"{serial}: {request.serial.strip()[:64]}{mark}")
    if request.product is not None:
        lines.append(f"{product}: {request.product.name}")
    elif request.product_text.strip():
        lines.append(f"{product}: {request.product_text.strip()[:200]}")
    return f"{request.description.strip()}\n\n—\n" + "\n".join(lines)


def submit_request(request: WebRequest) -> Case:
    """Open a case for a web form submission: for the customer (by e-mail address or phone;
    an order number named: the order's customer), linked to the order, and to the unit of
    the serial number only when that unit is registered to that customer (anybody can type
    anybody's serial number); the description as the symptom and, with the files, as the
    first visible timeline entry; the confirmation after COMMIT. Nothing is written when
    anything is refused."""
    email, phone = _check(request)
    language = request.language if request.language in Language.values else Language.EN
    order = find_order(request.order_number)
    found = senders.customer_for(email=email, phone=phone, sales_order=order)
    serial = request.serial.strip()[:64]
    unit = find_unit(serial, request.product)
    if unit is not None and not registered_to(unit, found.customer):
        unit = None
    product = unit.product if unit is not None else request.product
    with transaction.atomic():
        case = senders.open_case(
            channel=Channel.WEB,
            subject=" ".join(request.subject.split()),
            name=request.name.strip(),
            email=email,
            phone=phone,
            symptom=_symptom(request, serial if unit is None else ""),
            language=language,
            unit=unit,
            product=product,
            sales_order=order,
            found=found,
            # The confirmation goes to whatever address was typed, so it says nothing the
            # sender chose: see outbound.templating.NEUTRAL_PLACEHOLDERS.
            origin=acknowledgements.origin(
                address=email,
                acknowledge=settings.WEBFORM_ACKNOWLEDGE,
                language=language,
            ),
        )
        record_event(
            actor=None,
            channel=Channel.WEB,
            case=case,
            event_type=EVENT_TYPE,
            text=_entry_text(request, email, phone, {"order": bool(order), "unit": bool(unit)}),
            is_internal=False,
            data={
                "name": request.name.strip(),
                "email": email,
                "phone": phone,
                "order_number": request.order_number.strip()[:30],
                "serial": serial,
                "product": request.product.pk if request.product else None,
                "product_text": request.product_text.strip()[:200],
                "language": language,
            },
            uploads=request.files,
        )
    return case
