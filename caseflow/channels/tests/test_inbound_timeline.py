"""Inbound e-mail on the case timeline: quoted history folded (kept whole), hostile HTML
sanitised, skipped attachments named, and no query per e-mail."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseflow.channels.inbound import services
from caseflow.channels.inbound.quoting import new_text, segments
from caseflow.channels.tests.inbound_fixtures import message

pytestmark = pytest.mark.django_db

REPLY = """Yes, I descaled it twice.

On Mon, 2 Mar 2026 at 10:00, Support <support@desk.test> wrote:
> Did you descale the machine?
> Kind regards"""


def _page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("desk:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_quoted_history_is_folded_in_the_view_but_kept_in_full(client, agent, inbox, known_sender):
    inbound = services.receive(inbox, message(body=REPLY), source="mta")
    assert inbound.event.text == REPLY  # stored whole

    page = _page(client, agent, inbound.case)
    assert "Yes, I descaled it twice." in page
    folded = page.split('<details class="quoted', 1)[1].split("</details>", 1)[0]
    assert "Did you descale the machine?" in folded and "wrote:" in folded


def test_html_is_sanitised_before_it_is_shown(client, agent, inbox, known_sender):
    hostile = (
        '<p onclick="steal()">Hello <b>there</b></p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif"><a href="javascript:evil()">x</a>'
    )
    inbound = services.receive(inbox, message(body="Hello there", html=hostile), source="mta")
    stored = inbound.event.data["html"]
    assert "<b>there</b>" in stored
    for bad in ("script", "onclick", "javascript:", "<img", "tracker.example"):
        assert bad not in stored
    page = _page(client, agent, inbound.case)
    assert "<b>there</b>" in page and "alert(1)" not in page and "steal()" not in page


def test_attachments_over_the_limit_are_named_not_stored(client, agent, inbox, settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 1000
    raw = message(
        attachments=[
            ("small.txt", "text/plain", b"fits"),
            ("big.bin", "application/octet-stream", b"\x00" * 5000),
        ]
    )
    inbound = services.receive(inbox, raw, source="mta")
    assert [a.filename for a in inbound.event.attachments.all()] == ["small.txt"]
    assert inbound.event.data["skipped"] == [
        {"name": "big.bin", "size": 5000, "reason": "too_large"}
    ]
    page = _page(client, agent, inbound.case)
    assert "big.bin (too large)" in page


def test_the_page_costs_the_same_for_3_and_30_emails(client, agent, inbox):
    first = services.receive(inbox, message(sender="new@example.net"), source="mta")
    case = first.case

    def measure() -> int:
        client.force_login(agent)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("desk:case_detail", args=[case.pk]))
        assert response.status_code == 200
        return len(queries)

    def add(count: int) -> None:
        for n in range(count):
            reply = message(subject=f"Re: [{case.number}]", body=f"{n}\n\n{REPLY}")
            assert services.receive(inbox, reply, source="mta").case == case

    add(2)
    few = measure()
    add(27)
    assert measure() == few


@pytest.mark.parametrize(
    ("text", "fresh"),
    [
        ("New.\n\n-----Original Message-----\nFrom: a\nSent: b\n\nold", "New."),
        ("Neu.\n\nAm 2. März 2026 um 10:00 schrieb Support <s@d.test>:\n> alt", "Neu."),
        ("Nuevo.\n\nEl lun, 2 mar 2026 a las 10:00, Soporte escribió:\n> viejo", "Nuevo."),
        ("Hi\n\nFrom: Support <s@d.test>\nSent: Monday\nTo: me\nSubject: x\n\nold", "Hi"),
        ("> quoted first\nanswer inline\n> more\nand more", "answer inline\n\nand more"),
        ("No quotes at all.\nSecond line.", "No quotes at all.\nSecond line."),
    ],
)
def test_quoted_history_is_recognised_in_common_forms(text, fresh):
    assert new_text(text) == fresh
    assert "".join(chunk for _, chunk in segments(text)).replace("\n", "") == text.replace("\n", "")
