"""E-mail out through the API: replies (JSON and multipart), the case's outgoing messages,
templates, sending a failed message again — and every refusal in the API's error shape."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caseflow.cases.models import TimelineEvent
from caseflow.channels.models import MessageTemplate, OutboundMessage, OutboundStatus
from caseflow.channels.outbound import services
from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def written() -> tuple[int, int, int]:
    return (
        OutboundMessage.objects.count(),
        TimelineEvent.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def api(api_as, agent):
    return api_as(agent)


def test_a_reply_is_queued_and_sent(api, out_case, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/channels/cases/{out_case.pk}/replies",
            {"to": ["Erika@Example.com"], "cc": ["x@example.com"], "subject": "Pump", "body": "Hi"},
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued"  # answered before the worker ran
    assert body["to"] == ["erika@example.com"] and body["cc"] == ["x@example.com"]
    assert body["subject"] == f"Pump [{out_case.number}]"
    assert body["sender"] == "ACME Support <support@desk.test>"
    assert body["message_id"].startswith("<") and body["references"] == []
    (mail,) = mailoutbox
    assert mail.extra_headers["Message-ID"] == body["message_id"]
    event = TimelineEvent.objects.get(pk=body["event_id"])
    assert event.channel == "api" and not event.is_internal

    listed = api.get(f"/api/channels/cases/{out_case.pk}/outbound").json()
    assert [m["id"] for m in listed["items"]] == [body["id"]]
    assert listed["items"][0]["status"] == "sent"


def test_a_template_fills_an_empty_reply(api, out_case):
    template = MessageTemplate.objects.get(code="reply")
    response = api.post(
        f"/api/channels/cases/{out_case.pk}/replies",
        {"to": ["erika@example.com"], "template_id": template.pk},
    )
    assert response.status_code == 201, response.content
    assert response.json()["body"].startswith("Guten Tag Erika Mustermann,")  # her language


def test_files_come_as_multipart(api, out_case):
    response = api.client.post(
        f"/api/channels/cases/{out_case.pk}/replies/upload",
        {
            "to": ["erika@example.com"],
            "body": "The manual",
            "files": [SimpleUploadedFile("<script>manual.pdf", b"%PDF-1.4\n%...")],
        },
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    event = TimelineEvent.objects.get(pk=response.json()["event_id"])
    (attachment,) = event.attachments.all()
    assert attachment.filename == "script_manual.pdf"
    assert attachment.content_type == "application/pdf"


def test_too_many_or_too_large_files_are_refused(api, out_case, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    before = written()
    url = f"/api/channels/cases/{out_case.pk}/replies/upload"
    many = [SimpleUploadedFile(f"{n}.txt", b"x") for n in range(11)]
    response = api.client.post(
        url, {"to": ["a@example.com"], "body": "x", "files": many}, headers=api.headers
    )
    assert (response.status_code, response.json()["code"]) == (422, "too_many")
    big = [SimpleUploadedFile("big.bin", b"x" * 101)]
    response = api.client.post(
        url, {"to": ["a@example.com"], "body": "x", "files": big}, headers=api.headers
    )
    assert (response.status_code, response.json()["code"]) == (422, "file_too_large")
    assert written() == before


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"to": ["nope"], "body": "x"}, "invalid_email", "to"),
        ({"to": [], "body": "x"}, "validation_error", "to"),
        ({"to": ["a@example.com"], "body": " "}, "invalid", "body"),
        (
            {"to": ["a@example.com"], "body": "x", "template_id": 999999},
            "unknown_reference",
            "template_id",
        ),
        (
            {"to": ["a@example.com"], "body": "x", "subject": "s" * 301},
            "validation_error",
            "subject",
        ),
    ],
)
def test_bad_input_is_a_422_naming_the_field(api, out_case, payload, code, field):
    before = written()
    response = api.post(f"/api/channels/cases/{out_case.pk}/replies", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, field)
    assert body["message"]
    assert written() == before


def test_not_found_not_allowed_not_authenticated_and_stale(
    api, api_as, back_office, client, out_case
):
    url = f"/api/channels/cases/{out_case.pk}/replies"
    payload = {"to": ["a@example.com"], "body": "x"}
    office = api_as(back_office)
    before = written()
    assert api.post("/api/channels/cases/999999/replies", payload).status_code == 404
    refused = office.post(url, payload)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_allowed")
    assert client.post(url, payload, content_type="application/json").status_code == 401
    stale = api.post(url, {**payload, "version": out_case.version + 1})
    assert (stale.status_code, stale.json()["code"]) == (409, "conflict")
    assert written() == before


def test_a_failed_message_is_sent_again(
    api, agent, out_case, mailoutbox, django_capture_on_commit_callbacks
):
    outbound = services.send_reply(
        actor=agent, case=out_case, to="a@example.com", subject="s", body="x"
    )
    url = f"/api/channels/outbound/{outbound.pk}/retry"
    refused = api.post(url)
    assert (refused.status_code, refused.json()["code"]) == (422, "not_failed")

    OutboundMessage.objects.filter(pk=outbound.pk).update(status=OutboundStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(url)
    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert api.post("/api/channels/outbound/999999/retry").status_code == 404


def test_templates_are_listed_and_filtered(api, quality_manager, api_as):
    everything = api.get("/api/channels/templates").json()
    assert len(everything) == 15  # five templates in three languages
    assert len({t["id"] for t in everything}) == 5
    german_acks = api.get("/api/channels/templates?purpose=ack&language=de").json()
    assert [(t["code"], t["language"]) for t in german_acks] == [("ack", "de")]
    assert "{case_number}" in german_acks[0]["body"]
    # a read-only role may read them too
    assert api_as(quality_manager).get("/api/channels/templates").status_code == 200
    assert api.get("/api/channels/templates?purpose=nonsense").status_code == 422


def test_the_outbound_list_pages_and_costs_the_same_for_3_and_30(
    api, agent, out_case, django_assert_max_num_queries
):
    for n in range(3):
        services.send_reply(
            actor=agent, case=out_case, to="a@example.com", subject=f"{n}", body="x"
        )
    url = f"/api/channels/cases/{out_case.pk}/outbound"
    with django_assert_max_num_queries(6) as few:
        api.get(url)
    for n in range(27):
        services.send_reply(
            actor=agent, case=out_case, to="a@example.com", subject=f"{n}", body="x"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = api.get(f"{url}?limit=20").json()
    assert len(page["items"]) == 20 and page["next_cursor"]
    rest = api.get(f"{url}?limit=20&cursor={page['next_cursor']}").json()
    assert len(rest["items"]) == 10 and rest["next_cursor"] is None
