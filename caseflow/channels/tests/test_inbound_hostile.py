"""Hostile mail (issue 11): HTML nested 200,000 deep, multiparts nested 50,000 deep, thousands
of parts and a 30 MB base64 line are stored and filed like any message, in bounded time and
memory; the sanitised HTML is stored once and shown without being parsed again."""

from __future__ import annotations

import base64
import importlib
import time
import tracemalloc

import nh3
import pytest
from django.apps import apps
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from caseflow.cases.models import Case, TimelineEvent
from caseflow.cases.services import record_event
from caseflow.channels.inbound import html, mime, services
from caseflow.channels.inbound.parse import parse
from caseflow.channels.models import InboundStatus
from caseflow.channels.tests import mailgen
from caseflow.channels.tests.inbound_fixtures import message
from caseflow.core.models import Channel

pytestmark = pytest.mark.django_db

MAX_CHARS = 1_000_000  # MAIL_HTML_MAX_CHARS


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("desk:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- deeply nested HTML -----------------------------------------------------------------


def test_200000_unclosed_divs_are_filed_with_their_text_and_no_html(client, agent, inbox):
    raw = mailgen.deep_html(mailgen.HTML_DEEP)
    assert len(raw) < 1_100_000

    inbound = services.receive(inbox, raw, source="mta")

    assert inbound.status == InboundStatus.PROCESSED
    event = inbound.event
    assert event.text == "Help, it leaks."
    assert "html" not in event.data  # too deep to keep: the text part stands
    assert any("nested deeper than" in note for note in event.data["notes"])
    page = _page(client, agent, inbound.case)
    assert "Help, it leaks." in page and "Formatted version" not in page


def test_deep_html_without_a_text_part_gives_its_text(inbox):
    inbound = services.receive(
        inbox, mailgen.deep_html(50_000, "<blockquote>", text_part=False), source="mta"
    )

    assert inbound.status == InboundStatus.PROCESSED
    assert "Help, it leaks." in inbound.event.text
    assert inbound.event.text.startswith("> " * html.MAX_QUOTE_PREFIX + "Help")  # bounded quoting
    assert "html" not in inbound.event.data


@pytest.mark.parametrize(
    "opening",
    [
        "<div>",
        "<blockquote>",
        "<ul><li>",
        "<table><tr><td>",
        "<span>",
        '<b title="{n}">',  # formatting elements, each different: no two alike
        "<div><p><b><i><u><span>",
    ],
)
def test_html_nested_past_the_depth_limit_keeps_only_its_text(opening):
    source = opening * 30_000 + "Help"

    cleaned = html.clean(source, want_text=True, max_chars=len(source))

    assert cleaned.html == ""
    assert "nested deeper than 200 elements" in cleaned.problem
    assert cleaned.text.endswith("Help")


@pytest.mark.parametrize("opening", ["<div>", "<blockquote>", "<ul><li>", '<b title="{n}">'])
def test_html_nested_within_the_limit_is_kept_balanced_and_sanitised(opening):
    depth = html.MAX_DEPTH // opening.count("<")
    source = "".join(opening.replace("{n}", str(n)) for n in range(depth)) + "Help"

    cleaned = html.clean(source, want_text=False, max_chars=MAX_CHARS)

    assert cleaned.problem == ""
    assert "Help" in cleaned.html
    assert cleaned.html.count("<") == 2 * cleaned.html.count("</") or "<li>" in opening


def test_tags_the_sanitiser_drops_do_not_count_against_the_depth():
    source = "".join(f'<font size="{n}">' for n in range(20_000)) + "<p>Help</p>"

    cleaned = html.clean(source, want_text=False, max_chars=MAX_CHARS)

    assert cleaned.html == "<p>Help</p>"


def test_thousands_of_attributes_on_one_tag_keep_only_those_the_sanitiser_keeps():
    names = " ".join(f"a{n}=1" for n in range(100_000))
    source = f'<div {names} title="first" title="second" lang="de">Help</div>'

    cleaned = html.clean(source, want_text=False, max_chars=MAX_CHARS)

    assert cleaned.html == '<div title="first" lang="de">Help</div>'


@pytest.mark.parametrize(
    "source",
    [
        "<!-- --!>" + "<div>" * 10_000 + "-->",  # a comment end html.parser does not know
        "<!-->" + "<div>" * 10_000,
        '<div title="</div>">' * 10_000,  # an end tag inside an attribute value
        "<div></span>" * 10_000,  # end tags of elements that are not open
        "<div/>" * 10_000,  # a self-closing div is an open div
        "<textarea></textarea>" + "<div>" * 10_000,
    ],
)
def test_depth_cannot_be_hidden_from_the_limit(source):
    cleaned = html.clean(source, want_text=False, max_chars=MAX_CHARS)

    assert cleaned.html == "" and "nested deeper" in cleaned.problem


@pytest.mark.parametrize(
    "source",
    [
        "<a" * 300_000,  # html.parser (3.11) is quadratic on these
        "<!--" * 250_000,
        "</a" * 300_000,
        "<![" * 300_000,
        "<a x='" * 150_000,
        "&#" * 400_000,
        "<p>x" * 200_000,
    ],
)
def test_malformed_html_is_read_in_linear_time(source):
    started = time.perf_counter()
    html.clean(source, want_text=True, max_chars=MAX_CHARS)
    html.html_to_text(source)
    assert time.perf_counter() - started < 20  # seconds; quadratic readers take many minutes


def test_the_rewritten_html_is_still_sanitised():
    hostile = (
        '<p onclick="steal()">Hello <b>there</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"><a href="javascript:evil()">x</a>'
        '<a href="jav&#x61;script:evil()">y</a><style>p{}</style><svg><g onload="x()"/></svg>'
        '<iframe src="https://e.example"></iframe><a href="https://ok.example/">ok</a>'
        "<table><tr><td>cell<td>next</table><p>one<p>two"
    )

    cleaned = html.clean(hostile, want_text=False, max_chars=MAX_CHARS).html

    for bad in ("script", "onclick", "javascript", "<img", "tracker", "style", "onload", "iframe"):
        assert bad not in cleaned
    assert "<b>there</b>" in cleaned
    assert '<a href="https://ok.example/" rel="noopener noreferrer nofollow">ok</a>' in cleaned
    assert "<td>cell</td><td>next</td>" in cleaned
    assert "<p>one</p><p>two</p>" in cleaned  # unclosed paragraphs end where browsers end them


def test_stored_html_is_shown_as_it_is_without_sanitising_again(
    client, agent, inbox, known_sender, monkeypatch
):
    inbound = services.receive(
        inbox, message(body="Hello", html="<p>Hello <b>there</b></p>"), source="mta"
    )
    data = inbound.event.data
    assert data["html_sanitiser"] == html.SANITISER

    def no_sanitiser(*args, **kwargs):
        raise AssertionError("sanitised again on a page view")

    monkeypatch.setattr(nh3, "clean", no_sanitiser)
    page = _page(client, agent, inbound.case)
    assert "<p>Hello <b>there</b></p>" in page


def _old_event(case: Case, stored_html: str) -> TimelineEvent:
    """An e-mail event as the intake stored it before issue 11: HTML without the mark."""
    return record_event(
        actor=None,
        channel=Channel.EMAIL,
        case=case,
        event_type="email_in",
        text="Hello",
        is_internal=False,
        data={"html": stored_html, "subject": "old"},
    )


def test_html_stored_before_the_mark_is_sanitised_when_shown(client, agent, inbox, known_sender):
    inbound = services.receive(inbox, message(body="Hello"), source="mta")
    _old_event(inbound.case, '<p onclick="x()">Old <b>mail</b></p><script>alert(1)</script>')
    _old_event(inbound.case, "<div>" * 40_000 + "deep")  # 5 s a view when nh3 saw it

    started = time.perf_counter()
    page = _page(client, agent, inbound.case)
    elapsed = time.perf_counter() - started

    assert "<p>Old <b>mail</b></p>" in page
    assert "alert(1)" not in page and "onclick" not in page
    assert "deep" not in page.split("Formatted version")[-1]  # too deep: no formatted version
    assert elapsed < 5


def test_the_migration_marks_earlier_html_once_and_drops_what_is_too_deep(inbox, known_sender):
    inbound = services.receive(inbox, message(body="Hello"), source="mta")
    fine = _old_event(inbound.case, '<p onclick="x()">Old <b>mail</b></p>')
    deep = _old_event(inbound.case, "<div>" * 40_000 + "deep")
    migration = importlib.import_module("caseflow.channels.migrations.0009_mail_html_sanitised")

    migration.sanitise_stored_html(apps, None)

    fine.refresh_from_db()
    deep.refresh_from_db()
    assert fine.data["html"] == "<p>Old <b>mail</b></p>"
    assert fine.data["html_sanitiser"] == html.SANITISER
    assert "html" not in deep.data
    assert "nested deeper than" in deep.data["notes"][-1]
    migration.sanitise_stored_html(apps, None)  # a second run changes nothing
    fine.refresh_from_db()
    assert fine.data["html"] == "<p>Old <b>mail</b></p>"


def test_the_case_page_costs_the_same_queries_with_formatted_mail(
    client, agent, inbox, known_sender, django_assert_max_num_queries
):
    first = services.receive(inbox, message(body="Hello", html="<p>Hi</p>"), source="mta")
    client.force_login(agent)
    url = reverse("desk:case_detail", args=[first.case.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as one:
        client.get(url)
    for n in range(5):
        services.receive(
            inbox,
            message(body="More", html=f"<p>More {n}</p>", subject=f"Re: [{first.case.number}]"),
            source="mta",
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("Formatted version") == 6


# --- nested and numerous MIME parts ------------------------------------------------------


@pytest.mark.parametrize("depth", [5_000, 50_000])
def test_multiparts_nested_thousands_deep_are_filed_and_the_deep_parts_named(
    client, agent, inbox, depth
):
    inbound = services.receive(inbox, mailgen._nested(depth), source="mta")

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.case is not None
    data = inbound.event.data
    assert data["parts_too_deep"] >= depth - 21
    page = _page(client, agent, inbound.case)
    assert f"{data['parts_too_deep']} parts nested too deeply were not read" in page


def test_a_deeply_nested_reply_lands_on_its_case(inbox, known_sender):
    first = services.receive(inbox, message(body="It leaks."), source="mta")
    raw = mailgen._nested(5_000).replace(
        b"Subject: Nested 5000 deep", f"Subject: Re: [{first.case.number}]".encode(), 1
    )

    reply = services.receive(inbox, raw, source="mta")

    assert reply.status == InboundStatus.PROCESSED
    assert reply.case_id == first.case_id
    assert reply.event.data["parts_too_deep"] > 4_900


def test_messages_attached_in_messages_thousands_deep_are_filed(inbox):
    inbound = services.receive(inbox, mailgen.nested_messages(5_000), source="mta")

    assert inbound.status == InboundStatus.PROCESSED
    assert inbound.event.text == "See the attached message."
    attached = inbound.event.attachments.get()
    assert attached.filename.endswith(".eml")
    # the attached message is kept as it came, all 5,000 levels of it
    assert attached.file.read().count(b"message/rfc822") == 5_000 - 1


def test_parts_past_the_first_thousand_are_counted_not_built(client, agent, inbox):
    inbound = services.receive(inbox, mailgen.many_parts(20_000), source="mta")

    assert inbound.status == InboundStatus.PROCESSED
    assert "part 998" in inbound.event.text and "part 999" not in inbound.event.text
    assert inbound.event.data["parts_too_many"] == 20_000 - 999
    assert "19001 more parts were not read" in _page(client, agent, inbound.case)


def test_the_reader_reads_what_the_stdlib_reads():
    """Bodies left in the raw bytes decode to what email.message_from_bytes decodes."""
    from email import message_from_bytes, policy

    raw = message(
        body="Grüße\r\n-- \r\nErika",
        html="<p>Grüße</p>",
        attachments=[
            ("a.bin", "application/octet-stream", bytes(range(256)) * 40),
            ("b.txt", "text/plain", b"--not a boundary\n" * 10),
        ],
    )
    expected = message_from_bytes(raw, policy=policy.default)
    reading = mime.read(raw, max_depth=20)

    theirs, ours = list(expected.walk()), list(reading.message.walk())
    assert [p.get_content_type() for p in ours] == [p.get_content_type() for p in theirs]
    for mine, stdlib in zip(ours, theirs, strict=True):
        if not stdlib.is_multipart():
            assert reading.content(mine, limit=10**6).data == stdlib.get_payload(decode=True)


# --- memory -------------------------------------------------------------------------------


def _peak(function, *args):
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_an_attachment_over_the_limit_is_measured_not_decoded(settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    raw = mailgen.one_line_attachment(30 * 1024 * 1024)

    mail, peak = _peak(parse, raw)

    assert mail.skipped == [{"name": "log.bin", "size": 30 * 1024 * 1024, "reason": "too_large"}]
    assert peak < len(raw) // 10  # nothing the size of the message was copied


def test_an_attachment_within_the_limit_costs_its_own_size_once(settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    size = 15 * 1024 * 1024
    raw = mailgen.one_line_attachment(size)

    mail, peak = _peak(parse, raw)

    assert [len(f.content) for f in mail.files] == [size]
    assert peak < 1.5 * size


def test_a_30_mb_message_goes_through_the_pipeline_within_four_times_its_size(inbox):
    raw = mailgen.one_line_attachment(30 * 1024 * 1024)

    inbound, peak = _peak(lambda: services.receive(inbox, raw, source="mta"))

    assert inbound.status == InboundStatus.PROCESSED
    assert peak < 4 * len(raw)


def test_a_long_base64_text_part_is_read_only_as_far_as_the_text_goes():
    text = ("Zeile mit Text. " * 200_000).encode()  # 3.2 MB of text on base64 lines
    raw = mailgen._multipart(
        "mixed",
        [mailgen._part(base64.encodebytes(text), "text/plain; charset=utf-8", cte="base64")],
    )

    mail, peak = _peak(parse, raw)

    assert len(mail.text) == 200_000
    assert peak < len(raw)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "4980 zu tief verschachtelte Teile wurden nicht gelesen"),
        ("es", "No se han leído 4980 partes anidadas a demasiada profundidad"),
    ],
)
def test_the_parts_not_read_are_named_in_the_readers_language(language, expected):
    event = {"text": "x", "event_type": None, "data": {"parts_too_deep": 4980, "parts_too_many": 1}}

    with translation.override(language):
        rendered = render_to_string("channels/_email_in.html", {"event": event})

    assert expected in rendered
    assert ("1 weiterer Teil" if language == "de" else "1 parte adicional") in rendered


HEAD = b"From: Erika Muster <erika@example.org>\r\nSubject: Bomb\r\n"
MULTIPART = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (HEAD + b"X-A: b\r\n" * 500_000 + b"\r\nbody\r\n", "body"),  # 500,000 header fields
        (HEAD + b"X-A: b\r\n" + b" c\r\n" * 5_000_000 + b"\r\nbody\r\n", "body"),  # one, folded
        (HEAD + b"X-A: " + b"b" * 20_000_000 + b"\r\n\r\nbody\r\n", "body"),  # one 20 MB line
        (HEAD + MULTIPART + b"x\r\n" * 2_000_000 + b"--b\r\n\r\nhello\r\n--b--\r\n", "hello"),
        (HEAD + MULTIPART + b"--b\r\n\r\n" + b"--x\r\n" * 1_000_000 + b"--b--\r\n", "--x"),
        (HEAD + MULTIPART + b"--b\r\n" * 1_000_000 + b"\r\nhello\r\n--b--\r\n", ""),
    ],
    ids=["fields", "folded", "long-header", "preamble", "dash-lines", "boundary-lines"],
)
def test_structure_that_bloats_the_stdlib_parser_is_read_in_bounded_time_and_memory(raw, text):
    started = time.perf_counter()
    mail, peak = _peak(parse, raw)

    assert text in mail.text
    assert peak < 8 * 1024 * 1024  # the stdlib's lines of these: hundreds of MB
    assert time.perf_counter() - started < 30  # loosely: it was minutes for some
