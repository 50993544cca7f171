"""The real-mail corpus (../shared/corpus/mail, README there): 257 messages from a help desk,
a mail library and MimeKit, read where they are (CASEFLOW_MAIL_CORPUS) and never copied here.

Every delivery ends processed, ignored (automatic mail for no case), a duplicate (same bytes)
or quarantined with a reason; nothing crashes, nothing is lost; the 20 groups of different
messages sharing a Message-ID are all processed; a second delivery of everything changes
nothing. Zammad's expected results (sender, display name, subject, attachment names) are
checked where they are given, except the documented cases where Zammad's sidecar is wrong
or Zammad-specific.
"""

from __future__ import annotations

import base64
import csv
from collections import Counter
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from caseflow.cases.models import Case, TimelineEvent
from caseflow.channels.inbound import services
from caseflow.channels.inbound.parse import parse
from caseflow.channels.inbound.store import read_raw
from caseflow.channels.models import InboundMessage, InboundStatus

CORPUS = Path(settings.MAIL_CORPUS_DIR)
pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"mail corpus not found at {CORPUS} (CASEFLOW_MAIL_CORPUS)"
)

# Where our reading differs from Zammad's sidecar, and why ours stands.
SIDECAR_DIFFERENCES = {
    ("mail018", "subject"): "UTF-7 encoded word: we decode it, Zammad left it encoded",
    ("mail046", "name"): "8-bit GB2312 header: we decode it, Zammad's sidecar has mojibake",
    ("mail050", "from"): "From: <John.Smith@example.com> is there; the sidecar has none",
    ("mail077", "from"): "From: <John.Smith@example.com> is there; the sidecar has none",
    ("mail076", "from"): "a broken From; the sidecar keeps a stray '>'",
    ("mail076", "name"): "a broken From; the sidecar makes the address the name",
    ("mail087", "from"): "unquoted 'Test test@example.com': we quote the local part (RFC 5322)",
    ("mail087", "name"): "unquoted 'Test test@example.com': no display name in it",
    ("mail093", "name"): "Shift_JIS bytes under an ISO-2022-JP label: undecidable",
    ("mail093", "subject"): "raw Shift_JIS in a message declaring ISO-2022-JP",
    ("mail062", "files"): "names Zammad invents for unnamed parts (document.html, video.mov)",
    ("mail087", "files"): "'file': Zammad's name for a part it could not name",
    ("mail100", "files"): "a Content-ID without extension: Zammad uses it, we call it attachment",
    ("mail102", "files"): "Zammad renames a duplicate file name ('…091.00.38.png')",
    ("mail092", "files"): "the attached message is empty: listed on the timeline, not stored",
}
ZAMMAD_BODY_FILE = "message.html"  # Zammad stores the HTML body as a file; we do not


def _manifest() -> list[dict[str, str]]:
    """The corpus's messages: MANIFEST.tsv beside the folder, else every non-.yml file."""
    manifest = CORPUS.parent / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        for row in rows:
            row["file"] = str(CORPUS.parent / row["path"])
        return rows
    return [
        {"file": str(p), "path": str(p.relative_to(CORPUS.parent))}
        for p in sorted(CORPUS.rglob("*"))
        if p.is_file() and p.suffix != ".yml"
    ]


MESSAGES = _manifest() if CORPUS.is_dir() else []


class _RubyYaml(yaml.SafeLoader):
    """Zammad's sidecars: Ruby-flavoured YAML (see the corpus README)."""


_RubyYaml.add_multi_constructor("!ruby/", lambda ld, _s, n: ld.construct_mapping(n, deep=True))
_RubyYaml.add_constructor("!binary", lambda ld, n: base64.b64decode(ld.construct_scalar(n)))


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _sidecar_problems(sidecar: Path) -> list[str]:
    expected = yaml.load(sidecar.read_text(encoding="utf-8"), Loader=_RubyYaml)  # noqa: S506
    mail = parse(sidecar.with_suffix(".box").read_bytes())
    stem = sidecar.stem
    sender = mail.sender
    ours = {
        "from": (sender.email if sender else "").lower(),
        "name": sender.name if sender else "",
        "subject": mail.subject,
        "files": [f.filename for f in mail.files],
    }
    theirs = {
        "from": _text(expected.get("from_email")).lower(),
        "name": _text(expected.get("from_display_name")),
        "subject": " ".join(_text(expected.get("subject")).split()),
        "files": [
            _text(a.get("filename"))
            for a in expected.get("attachments") or []
            if _text(a.get("filename")) != ZAMMAD_BODY_FILE
        ],
    }
    problems = []
    for key in ("from", "name", "subject"):
        if (stem, key) not in SIDECAR_DIFFERENCES and ours[key] != theirs[key]:
            problems.append(f"{stem} {key}: {ours[key]!r} != expected {theirs[key]!r}")
    missing = [n for n in theirs["files"] if n not in ours["files"]]
    if missing and (stem, "files") not in SIDECAR_DIFFERENCES:
        problems.append(f"{stem} files: {missing} missing from {ours['files']}")
    return problems


def test_the_corpus_is_all_there():
    assert len(MESSAGES) == 257


def test_parsing_matches_zammads_expected_results_where_they_are_given():
    sidecars = sorted((CORPUS / "zammad").glob("*.yml"))
    assert len(sidecars) == 85
    problems = [p for sidecar in sidecars for p in _sidecar_problems(sidecar)]
    assert not problems
    assert len(SIDECAR_DIFFERENCES) <= 15  # a short, reviewed list; not a way to silence


@pytest.mark.django_db
def test_every_message_ends_somewhere_and_a_second_delivery_changes_nothing(inbox):
    raws = {row["path"]: Path(row["file"]).read_bytes() for row in MESSAGES}
    outcome: dict[str, InboundMessage] = {}
    for path, raw in raws.items():
        outcome[path] = services.receive(inbox, raw, source="mta")  # never raises for the mail

    assert InboundMessage.objects.count() == len(raws)  # nothing lost
    for path, inbound in outcome.items():
        assert inbound.status != InboundStatus.RECEIVED, path
        if inbound.status == InboundStatus.QUARANTINED:
            assert inbound.reason, path
        assert read_raw(inbound) == raws[path], path  # the bytes as delivered
    statuses = Counter(i.status for i in outcome.values())
    assert statuses[InboundStatus.QUARANTINED] == 0, [
        (p, i.reason) for p, i in outcome.items() if i.status == InboundStatus.QUARANTINED
    ]
    twins = [row for row in MESSAGES if row.get("same_bytes_as")]
    assert statuses[InboundStatus.DUPLICATE] == len(twins) // 2 == 4

    # 20 groups of *different* messages share a Message-ID: every one is processed (or, if
    # automatic and for no case, ignored), none is taken for a duplicate.
    shared = [
        row
        for row in MESSAGES
        if int(row.get("files_sharing_message_id") or 0) > 1 and not row.get("same_bytes_as")
    ]
    assert len(shared) >= 51
    for row in shared:
        assert outcome[row["path"]].status in (InboundStatus.PROCESSED, InboundStatus.IGNORED)

    cases, events = Case.objects.count(), TimelineEvent.objects.count()
    for path, raw in raws.items():
        again = services.receive(inbox, raw, source="mta")
        assert again.status == InboundStatus.DUPLICATE, path
    assert (Case.objects.count(), TimelineEvent.objects.count()) == (cases, events)
    assert InboundMessage.objects.count() == 2 * len(raws)
