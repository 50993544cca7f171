"""The language switch in the header and the user's own settings page: saved on the account
through accounts.services.set_preferences (audited), redirects only to this site."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_header_has_a_switch_that_works_without_script(client, agent):
    client.force_login(agent)
    html = client.get(reverse("desk:cases")).content.decode()
    switch = html[html.index('data-testid="language-switch"') :].split("</form>")[0]
    assert 'method="post"' in html and "csrfmiddlewaretoken" in switch
    assert '<option value="de" lang="de" title="Deutsch">DE</option>' in switch
    assert "<noscript><button" in switch  # no script: a button sends it
    assert f'href="{reverse("desk:profile")}"' in html


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/cases/?status=open", "/cases/?status=open"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_switching_saves_audits_and_returns_only_to_this_site(client, agent, target, expected):
    client.force_login(agent)
    response = client.post(reverse("desk:set_language"), {"language": "es", "next": target})
    assert response.status_code == 302 and response["Location"] == expected
    agent.refresh_from_db()
    assert agent.language == "es"
    entry = AuditEntry.objects.filter(action="user.preferences").latest("id")
    assert (entry.before, entry.after) == ({"language": ""}, {"language": "es"})
    html = client.get(reverse("desk:cases")).content.decode()
    assert '<html lang="es">' in html


def test_the_switch_needs_a_post_and_a_login(client, agent):
    assert client.get(reverse("desk:set_language")).status_code == 405
    response = client.post(reverse("desk:set_language"), {"language": "de"})
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_settings_page_saves_language_and_time_zone(client, agent):
    client.force_login(agent)
    page = client.get(reverse("desk:profile"))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<optgroup label="Common">' in html and "Europe/Madrid" in html
    assert "Pacific/Auckland" in html  # and every other zone

    response = client.post(
        reverse("desk:profile"), {"language": "de", "time_zone": "America/Mexico_City"}
    )
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "de"
    agent.refresh_from_db()
    assert (agent.language, agent.time_zone) == ("de", "America/Mexico_City")
    entry = AuditEntry.objects.filter(action="user.preferences").latest("id")
    assert entry.after == {"language": "de", "time_zone": "America/Mexico_City"}

    # no language of one's own: the browser's again
    client.post(reverse("desk:profile"), {"language": "", "time_zone": "America/Mexico_City"})
    agent.refresh_from_db()
    assert agent.language == ""
    html = client.get(reverse("desk:cases"), headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es">' in html


def test_an_unknown_time_zone_is_refused(client, agent):
    client.force_login(agent)
    response = client.post(reverse("desk:profile"), {"language": "", "time_zone": "Mars/Base"})
    assert response.status_code == 422
    agent.refresh_from_db()
    assert agent.time_zone == "Europe/Berlin"
    assert not AuditEntry.objects.filter(action="user.preferences").exists()
