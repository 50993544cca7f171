"""How the API authenticates: a request without credentials is 401 (not a CSRF refusal), a
logged-in browser session still needs its CSRF token, and an address that keeps sending
unknown tokens is braked (429) like a log-in."""

from __future__ import annotations

import pytest
from django.test import Client

from caseflow.accounts.services import create_api_token
from caseflow.cases.models import Case
from caseflow.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

WRITES = [
    ("post", "/api/cases"),
    ("post", "/api/customers"),
    ("post", "/api/auth/tokens"),
    ("patch", "/api/cases/1"),
    ("delete", "/api/auth/tokens/1"),
]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("method", "path"), WRITES)
def test_writes_without_credentials_answer_401_with_the_error_body(db, method, path):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Log in or send a valid API token.",
        "field": None,
    }


def test_a_session_needs_its_csrf_token_for_writes(agent):
    customer = CustomerFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    body = {"customer_id": customer.pk, "subject": "Pump is loud", "channel": "phone"}

    refused = client.post("/api/cases", body, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    assert not Case.objects.exists()

    client.get("/incoming/")  # any desk page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/cases", body, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201, accepted.content
    # reads need no CSRF token
    assert client.get("/api/auth/me").status_code == 200


def test_a_token_needs_no_csrf_token(agent):
    _token, key = create_api_token(actor=None, user=agent, name="t")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/auth/tokens", {"name": "second"}, content_type="application/json",
        headers=bearer(key),
    )  # fmt: skip
    assert response.status_code == 201


def test_unknown_tokens_are_braked_per_address(settings, agent):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 30
    _token, key = create_api_token(actor=None, user=agent, name="t")
    guesser = Client(REMOTE_ADDR="198.51.100.7")
    answers = [
        guesser.get("/api/auth/me", headers=bearer(f"cf_guess{n}")).status_code for n in range(60)
    ]
    assert answers == [401] * 30 + [429] * 30

    refused = guesser.get("/api/auth/me", headers=bearer(key))  # even the right key
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(15 * 60)
    body = refused.json()
    assert (body["code"], body["field"]) == ("too_many_attempts", None)
    assert "Try again in 15 minutes" in body["message"]
    # another address is not affected
    other = Client(REMOTE_ADDR="203.0.113.5")
    assert other.get("/api/auth/me", headers=bearer(key)).status_code == 200


def test_good_tokens_do_not_count(settings, agent):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 3
    _token, key = create_api_token(actor=None, user=agent, name="t")
    client = Client()
    for _ in range(10):
        assert client.get("/api/auth/me", headers=bearer(key)).status_code == 200
    for n in range(3):
        assert client.get("/api/auth/me", headers=bearer(f"cf_{n}")).status_code == 401
    assert client.get("/api/auth/me", headers=bearer(key)).status_code == 429


def test_the_token_brake_honours_the_proxy_header(settings, agent):
    settings.LOGIN_FAILURE_LIMIT_PER_IP = 2
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    for n in range(2):
        headers = {**bearer(f"cf_{n}"), "X-Forwarded-For": f"9.9.9.{n}, 198.51.100.7"}
        assert proxy.get("/api/auth/me", headers=headers).status_code == 401
    stopped = {**bearer("cf_x"), "X-Forwarded-For": "198.51.100.7"}
    assert proxy.get("/api/auth/me", headers=stopped).status_code == 429
    fine = {**bearer("cf_x"), "X-Forwarded-For": "203.0.113.5"}
    assert proxy.get("/api/auth/me", headers=fine).status_code == 401
