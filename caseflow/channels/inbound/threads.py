"""Which case a message belongs to: the case tag in the subject, else the messages it
answers (In-Reply-To/References against stored inbound and outbound Message-IDs)."""

from __future__ import annotations

from django.db.models import Value

from caseflow.cases.models import Case
from caseflow.cases.numbers import CASE_TAG
from caseflow.channels.inbound.parse import ParsedMail
from caseflow.channels.models import InboundMessage, OutboundMessage

MAX_TAGS = 5
MAX_IDS = 50


def tagged_numbers(subject: str) -> list[str]:
    return [n.upper() for n in CASE_TAG.findall(subject)[:MAX_TAGS]]


def case_for(mail: ParsedMail) -> Case | None:
    """The case this message continues, or None for a new one.

    A tag naming no case (mistyped, or forged) is no error: the message is new. A Message-ID
    only threads, it never proves a message was received before (broken mailers reuse them).
    """
    numbers = tagged_numbers(mail.subject)
    if numbers:
        found = {c.number: c for c in Case.objects.filter(number__in=numbers)}
        for number in numbers:
            if number in found:
                return found[number]
    ids = mail.thread_ids[:MAX_IDS]
    if not ids:
        return None
    # One query for both: our own Message-IDs (unique) win over customers' (which may repeat;
    # then the newest delivery wins).
    ours = (
        OutboundMessage.objects.filter(message_id__in=ids)
        .order_by()
        .values_list("message_id", "case_id", Value(0), "id")
    )
    theirs = (
        InboundMessage.objects.filter(message_id__in=ids, case__isnull=False)
        .order_by()
        .values_list("message_id", "case_id", Value(1), "id")
    )
    best: dict[str, tuple[int, int, int]] = {}
    for mid, case_id, rank, row in ours.union(theirs, all=True):
        key = (rank, -row)
        if mid not in best or key < best[mid][:2]:
            best[mid] = (rank, -row, case_id)
    for mid in ids:  # nearest first
        if mid in best:
            return Case.objects.get(pk=best[mid][2])
    return None
