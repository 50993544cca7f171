"""A revoked API token never comes back: not through the admin, not through the ORM, not in
SQL (accounts migration 0002). Revoking is audited, in the owner's chain."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from caseflow.accounts.models import ApiToken
from caseflow.accounts.services import create_api_token, revoke_api_token
from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def revoked(agent) -> ApiToken:
    token, _key = create_api_token(actor=agent, user=agent, name="laptop")
    revoke_api_token(actor=agent, token=token)
    token.refresh_from_db()
    return token


def _refused(**changes) -> None:
    with pytest.raises(IntegrityError, match="accounts_apitoken_guard"), transaction.atomic():
        ApiToken.objects.filter(pk=changes.pop("pk")).update(**changes)


def test_a_revoked_token_cannot_be_revived(revoked):
    _refused(pk=revoked.pk, revoked_at=None)
    _refused(pk=revoked.pk, revoked_at=timezone.now() + timedelta(days=1))
    _refused(pk=revoked.pk, expires_at=timezone.now() + timedelta(days=1))
    revoked.revoked_at = None
    with pytest.raises(IntegrityError), transaction.atomic():
        revoked.save()  # a save of the whole row too
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_apitoken SET revoked_at = NULL WHERE id = %s", [revoked.pk])
    assert ApiToken.objects.get(pk=revoked.pk).revoked_at is not None


def test_an_expiry_only_comes_forward(agent):
    later = timezone.now() + timedelta(days=30)
    token, _key = create_api_token(actor=agent, user=agent, name="ci", expires_at=later)

    _refused(pk=token.pk, expires_at=None)
    _refused(pk=token.pk, expires_at=later + timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=later - timedelta(days=29))
    never, _key = create_api_token(actor=agent, user=agent, name="forever")
    ApiToken.objects.filter(pk=never.pk).update(expires_at=timezone.now())  # ended now: fine


def test_key_and_owner_are_fixed_and_use_is_free(revoked, technician):
    _refused(pk=revoked.pk, key_hash="0" * 64)
    _refused(pk=revoked.pk, user=technician)
    ApiToken.objects.filter(pk=revoked.pk).update(last_used_at=timezone.now(), name="old laptop")
    revoke_api_token(actor=None, token=revoked)  # again: nothing happens, nothing is refused


def test_revoking_is_audited_with_the_moment(revoked, agent):
    entries = AuditEntry.objects.filter(chain=f"accounts.user:{agent.pk}", action="token.revoked")
    entry = entries.get()
    assert entry.target_id == str(revoked.pk)
    assert entry.before == {"revoked_at": None}
    assert entry.after["revoked_at"].startswith(f"{revoked.revoked_at:%Y-%m-%dT%H:%M:%S}")
    call_command("verify_audit")


def test_the_admin_revokes_through_the_service_and_edits_nothing(client, agent):
    from caseflow.accounts.models import User

    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)
    token, _key = create_api_token(actor=agent, user=agent, name="laptop")
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])

    page = client.get(change).content.decode()
    assert 'name="revoked_at' not in page and 'name="expires_at' not in page
    assert client.post(change, {"revoked_at_0": "", "expires_at_0": ""}).status_code == 403

    changelist = reverse("admin:accounts_apitoken_changelist")
    data = {"action": "revoke", ACTION_CHECKBOX_NAME: [token.pk], "index": 0}
    assert client.post(changelist, data).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    entry = AuditEntry.objects.get(action="token.revoked")
    assert (entry.actor_id, entry.channel) == (root.pk, "admin")
    assert client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk])).status_code == (
        403
    )
