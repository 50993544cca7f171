"""Replying from the case detail (htmx): the form with its defaults, a template filling it,
sending, bad input shown in place, roles, and each mail's status on the timeline."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caseflow.cases.models import TimelineEvent
from caseflow.channels.models import MessageTemplate, OutboundMessage, OutboundStatus
from caseflow.channels.outbound import services
from caseflow.channels.tests.outbound_fixtures import SIGNATURE
from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def reply_url(case) -> str:
    """Where the reply form posts (an action of the case page)."""
    return reverse("desk:case_reply", args=[case.pk])


def form_url(case) -> str:
    """The reply form alone, as the case page loads it when the agent opens it."""
    return reverse("desk:case_action_form", args=[case.pk, "reply"])


def detail(case) -> str:
    return reverse("desk:case_detail", args=[case.pk])


def written() -> tuple[int, int, int]:
    return (
        OutboundMessage.objects.count(),
        TimelineEvent.objects.count(),
        AuditEntry.objects.count(),
    )


def test_the_case_page_offers_the_reply_and_its_shortcut(client, agent, out_case):
    client.force_login(agent)
    html = client.get(detail(out_case)).content.decode()
    assert 'id="case-reply"' in html
    assert 'data-key="m"' in html
    assert form_url(out_case) in html
    assert "<kbd>m</kbd></dt>" in html  # in the shortcut help


def test_the_form_starts_with_the_contacts_address_and_the_signature(
    client, agent, out_case, django_assert_max_num_queries
):
    client.force_login(agent)
    # session, user, case, mailbox (2: inbound, active), contact address, language, templates
    with django_assert_max_num_queries(12):
        response = client.get(form_url(out_case), headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="erika@example.com"' in html
    assert SIGNATURE in html
    assert "ACME Support &lt;support@desk.test&gt;" in html
    # the picker: each template once, named in the agent's language (filled in the
    # customer's, German, when picked)
    assert ">Reply<" in html and ">Solution message<" in html
    assert ">Acknowledgement<" not in html  # acknowledgements are not picked by hand
    assert 'value="Re: Pump is loud"' in html


def test_picking_a_template_fills_subject_and_text_and_keeps_the_recipients(
    client, agent, out_case
):
    out_case.solution = "Replace the pump seal."
    out_case.save()
    solution = MessageTemplate.objects.get(code="solution")
    client.force_login(agent)

    response = client.get(
        form_url(out_case),
        {"template": solution.pk, "to": "other@example.com", "cc": "boss@example.com"},
        headers=HTMX,
    )

    html = response.content.decode()
    assert f'<option value="{solution.pk}" selected>' in html
    assert 'value="other@example.com"' in html and 'value="boss@example.com"' in html
    assert f"Lösung zu Ihrem Vorgang [{out_case.number}]: Pump is loud" in html
    assert "Replace the pump seal." in html


def test_sending_swaps_the_page_parts_and_the_mail_leaves(
    client, agent, out_case, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reply_url(out_case),
            {
                "to": "erika@example.com",
                "cc": "",
                "subject": "Your pump",
                "body": "Please descale it.",
                "files": [SimpleUploadedFile("notes.txt", b"step 1: descale")],
            },
            headers=HTMX,
        )

    assert response.status_code == 200
    assert response["HX-Reswap"] == "none"
    html = response.content.decode()
    assert 'id="case-timeline"' in html and 'id="case-reply"' in html
    assert "E-mail to erika@example.com queued." in html
    (mail,) = mailoutbox
    assert mail.subject == f"Your pump [{out_case.number}]"
    assert mail.attachments[0][0] == "notes.txt"
    outbound = OutboundMessage.objects.get()
    # the page is answered before COMMIT, the mail leaves after it
    assert f'data-outbound="{outbound.pk}" data-status="queued"' in html
    assert outbound.status == OutboundStatus.SENT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to": "erika@", "body": "x"}, "erika@ is not a valid e-mail address."),
        ({"to": "", "body": "x"}, "This field is required."),
        ({"to": "erika@example.com", "body": ""}, "This field is required."),
        ({"to": "erika@example.com", "cc": "a@b.test; nope", "body": "x"}, "nope is not a valid"),
    ],
)
def test_bad_input_comes_back_in_the_form_and_nothing_is_written(
    client, agent, out_case, data, message
):
    client.force_login(agent)
    before = written()
    response = client.post(reply_url(out_case), {"subject": "s", **data}, headers=HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="form-reply"' in html
    assert message in html
    assert "is-invalid" in html
    assert written() == before


def test_an_oversize_file_is_refused_in_the_form(client, agent, out_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    client.force_login(agent)
    before = written()
    response = client.post(
        reply_url(out_case),
        {"to": "erika@example.com", "body": "x", "files": [SimpleUploadedFile("a.bin", b"x" * 11)]},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "the limit is 10 bytes" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("role", ["back_office", "quality_manager"])
def test_roles_without_timeline_rights_neither_see_nor_send(client, request, out_case, role):
    user = request.getfixturevalue(role)
    client.force_login(user)
    before = written()
    assert 'id="case-reply"' not in client.get(detail(out_case)).content.decode()
    assert client.get(form_url(out_case), headers=HTMX).status_code == 403
    response = client.post(
        reply_url(out_case), {"to": "erika@example.com", "body": "x"}, headers=HTMX
    )
    assert response.status_code == 403
    assert written() == before


def test_without_htmx_the_form_opens_on_the_case_page_and_sending_redirects(
    client, agent, out_case
):
    client.force_login(agent)
    page = client.get(form_url(out_case), follow=True)
    assert page.redirect_chain == [(f"{detail(out_case)}?open=reply", 302)]
    html = page.content.decode()
    assert "<html" in html and 'id="form-reply"' in html
    assert re.search(r'<details[^>]*id="action-reply"[^>]*\sopen>', html)
    bad = client.post(reply_url(out_case), {"to": "x", "body": "y"})
    assert bad.status_code == 422 and "<html" in bad.content.decode()
    good = client.post(reply_url(out_case), {"to": "erika@example.com", "body": "y"})
    assert good.status_code == 302 and good["Location"] == detail(out_case)


def test_the_timeline_shows_each_mails_status_and_retries_a_failed_one(
    client, agent, out_case, mailoutbox, django_capture_on_commit_callbacks
):
    queued = services.send_reply(
        actor=agent, case=out_case, to="a@example.com", subject="1", body="x"
    )
    failed = services.send_reply(
        actor=agent, case=out_case, to="b@example.com", subject="2", body="y"
    )
    OutboundMessage.objects.filter(pk=failed.pk).update(
        status=OutboundStatus.FAILED, attempts=6, last_error="SMTPDataError: (451, b'later')"
    )
    client.force_login(agent)

    html = client.get(detail(out_case)).content.decode()
    assert f'data-outbound="{queued.pk}" data-status="queued"' in html
    assert f'data-outbound="{failed.pk}" data-status="failed"' in html
    assert "SMTPDataError" in html
    retry = reverse("channels:outbound_retry", args=[out_case.pk, failed.pk])
    assert html.count("Send again") == 1 and retry in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry, headers=HTMX)
    assert response.status_code == 200
    assert 'data-status="queued"' in response.content.decode()
    assert [m.to for m in mailoutbox] == [["b@example.com"]]
    assert OutboundMessage.objects.get(pk=failed.pk).status == OutboundStatus.SENT

    # a second retry of a message no longer failed is refused in place
    again = client.post(retry, headers=HTMX)
    assert again.status_code == 422
    assert "Only a failed message can be sent again" in again.content.decode()


def test_a_viewer_sees_the_status_but_no_retry_button(client, agent, quality_manager, out_case):
    failed = services.send_reply(
        actor=agent, case=out_case, to="b@example.com", subject="2", body="y"
    )
    OutboundMessage.objects.filter(pk=failed.pk).update(status=OutboundStatus.FAILED)
    client.force_login(quality_manager)
    html = client.get(detail(out_case)).content.decode()
    assert 'data-status="failed"' in html and "Send again" not in html
    retry = reverse("channels:outbound_retry", args=[out_case.pk, failed.pk])
    assert client.post(retry, headers=HTMX).status_code == 403


def test_the_case_page_costs_the_same_for_3_and_30_mails(client, agent, out_case):
    client.force_login(agent)

    def measure() -> int:
        client.get(detail(out_case))  # warm the per-process config cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(detail(out_case))
        assert response.status_code == 200
        return len(queries)

    for n in range(3):
        services.send_reply(
            actor=agent, case=out_case, to="a@example.com", subject=f"{n}", body="x"
        )
    few = measure()
    for n in range(27):
        services.send_reply(
            actor=agent, case=out_case, to="a@example.com", subject=f"{n}", body="x"
        )
    assert measure() == few
    html = client.get(detail(out_case)).content.decode()
    assert len(re.findall(r'data-status="queued"', html)) == 30
