"""Message templates: pick one by code and language, fill its placeholders.

Placeholders are `{name}` from a small fixed set. Filling is a plain substitution, never
`str.format` or a template engine: a template edited in the admin can reach no attribute,
index or format spec, and an unknown `{placeholder}` stays visible as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import QuerySet

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
    """(subject, body) of `template` filled for `case`. With `language`, the template of the
    same code in that language is used when there is one (else English, else `template`).
    With `only`, the other placeholders are left empty (e.g. NEUTRAL_PLACEHOLDERS)."""
    if language and language != template.language:
        template = pick_template(template.code, language) or template
    values = values_for(case, agent_name=agent_name, signature=signature, contact_name=contact_name)
    if only is not None:
        values = {name: (value if name in only else "") for name, value in values.items()}
    subject = " ".join(fill(template.subject, values).split())
    body = fill(template.body, values).strip()
    return subject, body


def pick_template(code: str, language: str) -> MessageTemplate | None:
    """The active template `code` in `language`, else in English, else in any language."""
    rows = {t.language: t for t in MessageTemplate.objects.filter(code=code, active=True)}
    for wanted in (language, FALLBACK_LANGUAGE):
        if wanted in rows:
            return rows[wanted]
    return next(iter(sorted(rows.values(), key=lambda t: t.language)), None)


def pick_for_purpose(purpose: str, language: str) -> MessageTemplate | None:
    """The template for `purpose` (acknowledgement, web confirmation …) in `language`, else
    in English: the first by code when several serve the purpose."""
    rows = list(MessageTemplate.objects.filter(purpose=purpose, active=True).order_by("code", "id"))
    for wanted in (language, FALLBACK_LANGUAGE):
        for row in rows:
            if row.language == wanted:
                return row
    return rows[0] if rows else None


def choosable(language: str, purposes: tuple[str, ...]) -> list[MessageTemplate]:
    """One template per code for the picker: in `language` where there is one, else English,
    else any; ordered by purpose and name."""
    rows: QuerySet[MessageTemplate] = MessageTemplate.objects.filter(
        purpose__in=purposes, active=True
    ).order_by("code", "language")
    best: dict[str, MessageTemplate] = {}
    rank = {language: 0, FALLBACK_LANGUAGE: 1}
    for row in rows:
        current = best.get(row.code)
        if current is None or rank.get(row.language, 2) < rank.get(current.language, 2):
            best[row.code] = row
    return sorted(best.values(), key=lambda t: (purposes.index(t.purpose), t.name.lower()))
