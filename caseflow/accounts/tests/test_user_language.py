"""Which language and time zone a request gets (caseflow.accounts.middleware): the user's
choice, else the browser's; the API follows Accept-Language; API error messages in it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from caseflow.accounts.models import User

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
SPANISH_BROWSER = {"Accept-Language": "es-ES,es;q=0.9"}


def test_new_users_have_no_language_of_their_own(agent):
    assert User._meta.get_field("language").default == ""
    assert agent.language == ""


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "en"),
        (GERMAN_BROWSER, "de"),
        (SPANISH_BROWSER, "es"),
        ({"Accept-Language": "fr"}, "en"),
    ],
)
def test_the_login_page_speaks_the_browsers_language(client, headers, language):
    response = client.get(reverse("desk:login"), headers=headers)
    assert f'<html lang="{language}">' in response.content.decode()
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_a_user_without_a_language_gets_the_browsers(client, agent):
    client.force_login(agent)
    html = client.get(reverse("desk:cases"), headers=SPANISH_BROWSER).content.decode()
    assert '<html lang="es">' in html


def test_the_users_language_wins_over_the_browser_and_the_cookie(client, agent):
    agent.language = "de"
    agent.save()
    client.force_login(agent)
    client.cookies["django_language"] = "es"
    html = client.get(reverse("desk:cases"), headers=SPANISH_BROWSER).content.decode()
    assert '<html lang="de">' in html


def test_the_users_time_zone_shows_every_time(client, agent, settings):
    from datetime import UTC, datetime

    from caseflow.cases import services
    from caseflow.core.models import Channel
    from caseflow.customers.tests.factories import CustomerFactory

    agent.time_zone = "Asia/Tokyo"
    agent.save()
    case = services.open_case(
        actor=agent,
        channel=Channel.PHONE,
        customer=CustomerFactory(),
        subject="Pump",
        received_at=datetime(2026, 12, 7, 13, 5, tzinfo=UTC),
    )
    client.force_login(agent)
    html = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "07/12/2026 22:05" in html  # 13:05 UTC is 22:05 in Tokyo
    agent.time_zone = "America/New_York"
    agent.save()
    html = client.get(reverse("desk:case_detail", args=[case.pk])).content.decode()
    assert "07/12/2026 08:05" in html


def test_the_api_follows_accept_language_not_the_session_users_choice(api_as, agent):
    agent.language = "de"
    agent.save()
    api = api_as(agent)
    me = api.client.get("/api/auth/me", headers={**api.headers, **SPANISH_BROWSER}).json()
    assert (me["language"], me["language_chosen"]) == ("de", True)
    agent.language = ""
    agent.save()
    me = api.client.get("/api/auth/me", headers={**api.headers, **SPANISH_BROWSER}).json()
    assert (me["language"], me["language_chosen"]) == ("es", False)


@pytest.mark.parametrize(
    ("accept", "not_found", "required"),
    [
        ("en", "Not found.", "This field is required."),
        ("de-DE,de;q=0.9", "Nicht gefunden.", "Dieses Feld ist zwingend erforderlich."),
        ("es", "No encontrado.", "Este campo es obligatorio."),
    ],
)
def test_api_error_messages_follow_accept_language(api_as, agent, accept, not_found, required):
    api = api_as(agent)
    headers = {**api.headers, "Accept-Language": accept}
    missing = api.client.get("/api/cases/999999", headers=headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"  # stable, English, for programs
    assert missing["Content-Language"] == accept[:2]
    if accept == "en":  # the catalogues are built by the catalogue owners
        assert missing.json()["message"] == not_found
    invalid = api.client.post(
        "/api/catalog/product-types", {}, content_type="application/json", headers=headers
    )
    assert invalid.status_code == 422
    body = invalid.json()
    assert (body["code"], body["field"]) == ("validation_error", "code")
    assert body["message"] == required  # Django's own catalogues have this one


def test_api_messages_are_translated_in_the_active_language(api_as, agent):
    """Whatever the catalogues hold: the message is looked up in the requested language."""
    from django.utils import translation

    api = api_as(agent)
    seen = {}
    for language in ("en", "de", "es"):
        response = api.client.get(
            "/api/cases/999999", headers={**api.headers, "Accept-Language": language}
        )
        with translation.override(language):
            seen[language] = (response.json()["message"], translation.gettext("Not found."))
    assert all(shown == expected for shown, expected in seen.values())
