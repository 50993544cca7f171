"""Phone numbers: stored in E.164, looked up from any common notation."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


def to_e164(raw: str, region: str | None = None) -> str | None:
    """`raw` in E.164 (`+491711234567`), or None when it is not a possible phone number.

    Accepts `0171 1234567`, `+49 (171) 123-4567`, `0049 171 1234567`; a number without a
    country code is read as one of `region` (default: PHONE_DEFAULT_REGION).
    """
    text = (raw or "").strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, (region or settings.PHONE_DEFAULT_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    # IS_POSSIBLE only: "112" or "12" are at best local short codes, never a customer's line.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """An E.164 number in international notation for people: `+49 171 1234567`."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
