"""The generated corpus of odd and broken mail (tests/mailgen.py): every message ends as a
case, an event, an ignored automatic message or a quarantined item with a reason; nothing
crashes, nothing is lost, and delivering it all again changes nothing."""

from __future__ import annotations

import pytest

from caseflow.cases.models import Case, TimelineEvent
from caseflow.channels import senders
from caseflow.channels.inbound import services
from caseflow.channels.models import InboundMessage, InboundStatus
from caseflow.channels.tests import mailgen
from caseflow.core.files import sanitize_filename

pytestmark = pytest.mark.django_db

SAMPLES = list(mailgen.corpus())


def test_the_generator_brings_every_kind_the_issue_asks_for():
    names = {s.name for s in SAMPLES}
    assert len(SAMPLES) >= 50
    for wanted in (
        "charset-unknown", "header-8bit-latin1", "header-missing-from", "header-missing-date",
        "header-missing-message-id", "header-date-invalid", "mime-nested-deep",
        "mime-html-only", "mime-attachment-only", "attachment-tnef", "attachment-smime-signed",
        "attachment-30mb", "recipients-500", "case-tag-forged",
    ):  # fmt: skip
        assert wanted in names
    big = next(s for s in SAMPLES if s.name == "attachment-30mb")
    assert big.big  # built only when a test asks for it, never stored


def _check(sample: mailgen.Sample, inbound: InboundMessage) -> list[str]:
    """What is wrong with the outcome of one sample ([] if nothing)."""
    problems = []
    if inbound.status not in sample.outcome:
        problems.append(f"status {inbound.status} ({inbound.reason})")
    if inbound.status == InboundStatus.QUARANTINED and not inbound.reason:
        problems.append("quarantined without a reason")
    event = inbound.event
    checks = sample.checks
    if event is None:
        return problems + ([f"no event for checks {checks}"] if checks else [])
    files = [a.filename for a in event.attachments.all()]
    skipped = [f["name"] for f in event.data.get("skipped", [])]
    expected = {
        "subject": lambda v: inbound.subject == v,
        "sender_name": lambda v: event.data["from"]["name"] == v,
        "text_contains": lambda v: v in event.text,
        "unknown_sender": lambda v: senders.is_unknown(inbound.case) == v,
        "recipients": lambda v: event.data.get("recipients") == v,
        "new_case": lambda v: inbound.case.events.filter(event_type__code="created").exists(),
        "text_truncated": lambda v: event.data.get("text_truncated") == v,
        "html_safe": lambda v: all(
            bad not in event.data.get("html", "") for bad in ("script", "onmouseover", "<img")
        ),
        "files": lambda v: {sanitize_filename(n) for n in v} <= set(files),
        "skipped": lambda v: set(v) <= set(skipped),
        "file_count": lambda v: len(files) == v,
    }
    for key, value in checks.items():
        if not expected[key](value):
            problems.append(f"{key}: expected {value!r}; files {files}, skipped {skipped}")
    return problems


def test_every_generated_message_ends_somewhere_and_a_second_delivery_changes_nothing(inbox):
    problems: dict[str, list[str]] = {}
    for sample in SAMPLES:
        raw = sample.build()
        inbound = services.receive(inbox, raw, source="mta")  # never raises for the mail
        if found := _check(sample, inbound):
            problems[sample.name] = found
    assert not problems
    assert InboundMessage.objects.count() == len(SAMPLES)  # nothing lost
    cases, events = Case.objects.count(), TimelineEvent.objects.count()

    for sample in SAMPLES:
        again = services.receive(inbox, sample.build(), source="mta")
        if again.status != InboundStatus.DUPLICATE:
            assert again.status == InboundStatus.QUARANTINED, sample.name  # only retried ones
    assert (Case.objects.count(), TimelineEvent.objects.count()) == (cases, events)
    assert InboundMessage.objects.count() == 2 * len(SAMPLES)
