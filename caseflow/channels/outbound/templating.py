"""Message templates: pick one by code or purpose, fill its placeholders in a language.

A template keeps its name, subject and text per language (caseflow/channels/translation.py);
`render_template(…, language=…)` reads the customer's language, else English, else any.

Placeholders are `{name}` from a small fixed set. Filling is a plain substitution, never
`str.format` or a template engine: a template edited in the admin can reach no attribute,
index or format spec, and an unknown `{placeholder}` stays visible as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation

from caseflow.accounts.models import Language
from caseflow.cases.models import Case
from caseflow.channels import senders
from caseflow.channels.models import MessageTemplate, UnknownSender

PLACEHOLDERS = (
    "case_number", "customer_name", "contact_name", "subject", "solution", "product", "serial",
    "agent_name", "signature",
)  # fmt: skip
# What a message to an address nobody has confirmed may say (the web form's confirmation:
# anyone can type anyone's address there). Everything else the sender typed (name, subject)
# stays out, or the form would send chosen text to chosen people in our name.
NEUTRAL_PLACEHOLDERS = ("case_number", "agent_name", "signature")
FALLBACK_LANGUAGE = Language.EN
SIGNATURE_SEPARATOR = "-- \n"  # RFC 3676: mail programs recognise (and fold) what follows
_PLACEHOLDER = re.compile(r"\{([a-z_]{1,30})\}")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known `{placeholder}` replaced; anything else left as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, text)


def signature_block(signature: str) -> str:
    """The signature as it is appended to a mail: after the conventional separator."""
    signature = signature.strip()
    return f"{SIGNATURE_SEPARATOR}{signature}" if signature else ""


def with_signature(body: str, signature: str) -> str:
    """`body` with the signature appended, unless it already carries it (a template put it
    in with `{signature}`, or the agent pasted it)."""
    body = body.rstrip()
    block = signature_block(signature)
    if not block or signature.strip() in body:
        return body
    return f"{body}\n\n{block}"


# What `values_for` reads of a case: load them with it.
CASE_RELATED = ("customer", "contact", "product", "unit")


def values_for(
    case: Case, *, agent_name: str = "", signature: str = "", contact_name: str = ""
) -> dict[str, str]:
    """What each placeholder stands for on `case` (expects customer, contact, product and
    unit loaded, as the case detail selector does)."""
    customer_name = case.customer.name if case.customer_id else ""
    if case.customer_id and senders.is_unknown(case):
        # The placeholder customer's name is no greeting: the sender's own name is.
        sender = UnknownSender.objects.filter(case=case).only("name", "email").first()
        customer_name = (sender.name or sender.email) if sender else ""
    contact = contact_name or (case.contact.name if case.contact else "") or customer_name
    return {
        "case_number": case.number,
        "customer_name": customer_name,
        "contact_name": contact,
        "subject": case.subject,
        "solution": case.solution.strip(),
        "product": case.product.name if case.product else "",
        "serial": case.unit.serial if case.unit else "",
        "agent_name": agent_name,
        "signature": signature_block(signature),
    }


def render_template(
    template: MessageTemplate,
    case: Case,
    *,
    language: str | None = None,
    agent_name: str = "",
    signature: str = "",
    contact_name: str = "",
    only: tuple[str, ...] | None = None,
) -> tuple[str, str]:
    """(subject, body) of `template` filled for `case`, in `language` (the customer's: else
    English, else any language the template has), or the active language without one. With
    `only`, the other placeholders are left empty (e.g. NEUTRAL_PLACEHOLDERS)."""
    with translation.override(language or translation.get_language()):
        subject_text, body_text = template.subject, template.body
    values = values_for(case, agent_name=agent_name, signature=signature, contact_name=contact_name)
    if only is not None:
        values = {name: (value if name in only else "") for name, value in values.items()}
    subject = " ".join(fill(subject_text, values).split())
    body = fill(body_text, values).strip()
    return subject, body


def languages_of(template: MessageTemplate) -> list[str]:
    """The languages `template` has its own text in."""
    return [code for code, _name in Language.choices if getattr(template, f"body_{code}", "")]


def pick_template(code: str, language: str = "") -> MessageTemplate | None:
    """The active template `code` (its texts in every language: render it in `language`)."""
    return MessageTemplate.objects.filter(code=code, active=True).first()


def pick_for_purpose(purpose: str, language: str = "") -> MessageTemplate | None:
    """The active template for `purpose` (acknowledgement, web confirmation …) that has a
    text in `language`, else in English, else the first by code."""
    rows = list(MessageTemplate.objects.filter(purpose=purpose, active=True).order_by("code", "id"))
    for wanted in (language, FALLBACK_LANGUAGE):
        for row in rows:
            if wanted and getattr(row, f"body_{wanted}", ""):
                return row
    return rows[0] if rows else None


def choosable(language: str, purposes: tuple[str, ...]) -> list[MessageTemplate]:
    """The active templates for the picker, ordered by purpose and by name in the reader's
    language (each is filled in `language`, the customer's, when picked)."""
    rows = list(MessageTemplate.objects.filter(purpose__in=purposes, active=True))
    return sorted(rows, key=lambda t: (purposes.index(t.purpose), t.name.lower(), t.pk))
