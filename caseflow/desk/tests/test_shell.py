import pytest
from django.urls import reverse

from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(reverse("desk:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("desk:login"))


def test_login_page_and_a_wrong_password(client, agent):
    page = client.get(reverse("desk:login"))
    assert page.status_code == 200
    assert b'autocomplete="current-password"' in page.content
    wrong = client.post(reverse("desk:login"), {"username": "agent", "password": "nope"})
    assert wrong.status_code == 200
    assert b"alert-danger" in wrong.content


def test_login_lands_on_the_desk_and_logout_leaves(client, agent):
    response = client.post(
        reverse("desk:login"), {"username": "agent", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:home")
    response = client.post(reverse("desk:logout"))
    assert response.status_code == 302
    assert client.get(reverse("desk:home")).status_code == 302


def test_language_is_kept_on_the_account(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("desk:set_language"), {"language": "de", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"  # never an open redirect
    agent.refresh_from_db()
    assert agent.language == "de"
    assert AuditEntry.objects.filter(action="user.preferences").exists()
    client.post(reverse("desk:set_language"), {"language": "klingon"})
    agent.refresh_from_db()
    assert agent.language == "de"


def test_the_shell_loads_its_assets_from_installed_packages(client):
    page = client.get(reverse("desk:login"))
    html = page.content.decode()
    assert "bootstrap/css/bootstrap.min.css" in html
    assert "htmx" in html
    assert "//cdn" not in html and "https://" not in html.split("<body")[0]
