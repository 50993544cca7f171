"""An agent answers a web form case in a real browser: open the case, `m` opens the reply
form with the customer's address and the signature, pick the solution template (subject
and text fill in the customer's language), send — the timeline shows the mail and its status,
and the mail leaves with the case tag."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from caseflow.channels.models import Mailbox, OutboundMessage
from caseflow.channels.webform.services import WebRequest, submit_request
from caseflow.desk.tests.browser.steps import log_in, settled

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_agent_replies_with_the_solution_template(
    page, live_server, agent, mailoutbox, desk_shots
):
    from playwright.sync_api import expect

    Mailbox.objects.create(
        name="support", address="support@desk.test", display_name="ACME Support", owner=agent,
        signature="ACME Service · +49 30 1234567",
    )  # fmt: skip
    case = submit_request(
        WebRequest(
            name="Juan García",
            email="juan@example.es",
            subject="La bomba hace ruido",
            description="Desde ayer la bomba hace mucho ruido.",
            language="es",
        )
    )
    case.solution = "Descalcifique la máquina y cambie la junta de la bomba."
    case.save()
    mailoutbox.clear()

    log_in(page, live_server.url, agent.username)
    page.goto(live_server.url + reverse("desk:case_detail", args=[case.pk]))
    expect(page.locator("#case-timeline")).to_contain_text("Desde ayer la bomba hace mucho ruido.")

    settled(page)
    page.locator("body").press("m")
    form = page.locator("#form-reply")
    expect(form.get_by_label("To", exact=True)).to_have_value("juan@example.es")
    expect(form.get_by_label("To", exact=True)).to_be_focused()
    expect(form.locator('[data-field="signature"]')).to_contain_text("ACME Service")

    # the picker names templates in the agent's language; the text is the customer's
    form.get_by_label("Template").select_option(label="Solution message")
    expect(page.locator("#form-reply").get_by_label("Subject", exact=True)).to_have_value(
        f"Solución para su caso [{case.number}]: La bomba hace ruido"
    )
    body = page.locator("#form-reply").get_by_label("Text", exact=True)
    expect(body).to_have_value(re.compile("Hola, Juan García:"))
    expect(body).to_have_value(re.compile("cambie la junta de la bomba"))
    desk_shots(page, "case-reply", top=False)
    page.locator("#form-reply").get_by_role("button", name="Send e-mail").click()

    expect(page.locator("#messages")).to_contain_text("E-mail to juan@example.es queued.")
    outbound = OutboundMessage.objects.get(case=case, is_acknowledgement=False)
    expect(page.locator(f'#case-timeline [data-outbound="{outbound.pk}"]')).to_be_visible()
    page.reload()
    expect(page.locator(f'[data-outbound="{outbound.pk}"][data-status="sent"]')).to_be_visible()
    (mail,) = mailoutbox
    assert mail.subject == f"Solución para su caso [{case.number}]: La bomba hace ruido"
    assert mail.body.count("ACME Service") == 1
