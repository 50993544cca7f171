from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from caseflow.accounts.models import ApiToken
from caseflow.accounts.services import create_api_token, revoke_api_token
from caseflow.core.errors import DomainError, NotAllowed
from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_only_the_hash_is_stored_and_the_key_works(client, agent):
    token, key = create_api_token(actor=agent, user=agent, name="laptop")
    assert key not in (token.key_hash, token.prefix)
    assert key.startswith(token.prefix)
    response = client.get("/api/auth/me", headers=_bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"]) == ("agent", "agent")
    assert "case.create" in body["capabilities"]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert AuditEntry.objects.filter(action="token.created", chain=f"accounts.user:{agent.pk}")


def test_revoked_expired_and_deactivated_tokens_are_refused(client, agent):
    token, key = create_api_token(actor=agent, user=agent, name="t")
    revoke_api_token(actor=agent, token=token)
    assert client.get("/api/auth/me", headers=_bearer(key)).status_code == 401

    token, key = create_api_token(actor=agent, user=agent, name="t2")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/auth/me", headers=_bearer(key)).status_code == 401

    _token, key = create_api_token(actor=agent, user=agent, name="t3")
    agent.is_active = False
    agent.save()
    assert client.get("/api/auth/me", headers=_bearer(key)).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer", "Bearer ", "Bearer cf_", "Basic abc", "Bearer " + "x" * 5000]
)
def test_malformed_authorization_is_401(client, db, header):
    assert client.get("/api/auth/me", headers={"Authorization": header}).status_code == 401


def test_tokens_through_the_api(api_as, agent):
    api = api_as(agent)
    response = api.post("/api/auth/tokens", {"name": "PBX bridge"})
    assert response.status_code == 201
    created = response.json()
    assert created["key"].startswith("cf_")
    listed = api.get("/api/auth/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "PBX bridge"}
    assert all("key" not in t for t in listed)
    assert api.delete(f"/api/auth/tokens/{created['id']}").status_code == 204
    assert api.post("/api/auth/tokens", {"name": ""}).status_code == 422
    past = (timezone.now() - timedelta(days=1)).isoformat()
    assert api.post("/api/auth/tokens", {"name": "x", "expires_at": past}).status_code == 422


def test_someone_elses_token_is_not_found(api_as, agent, technician):
    token, _key = create_api_token(actor=technician, user=technician, name="theirs")
    assert api_as(agent).delete(f"/api/auth/tokens/{token.pk}").status_code == 404
    with pytest.raises(NotAllowed):
        revoke_api_token(actor=agent, token=token)
    with pytest.raises(NotAllowed):
        create_api_token(actor=agent, user=technician, name="for them")


def test_administrators_manage_anyones_tokens(administrator, agent):
    token, _key = create_api_token(actor=administrator, user=agent, name="provisioned")
    revoke_api_token(actor=administrator, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_session_auth_needs_csrf_for_writes(client, agent):
    client.force_login(agent)
    assert client.get("/api/auth/me").status_code == 200
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(agent)
    response = strict.post("/api/auth/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code in (401, 403)


def test_create_api_token_command(agent, capsys):
    call_command("create_api_token", "agent", "PBX")
    key = capsys.readouterr().out.strip()
    assert key.startswith("cf_")
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody", "PBX")
    with pytest.raises(CommandError):
        call_command("create_api_token", "agent", "   ")


def test_inactive_users_get_no_tokens(agent):
    agent.is_active = False
    agent.save()
    with pytest.raises(DomainError):
        create_api_token(actor=None, user=agent, name="x")
