"""Guessing passwords: after a few failures per account and address (more per address) the
log-in is blocked for the cool-off, even with the right password; the block and an
administrator's unblock are audited; the desk and the admin answer with a proper page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from caseflow.accounts.models import Role, User
from caseflow.accounts.services import unlock_login
from caseflow.core.errors import NotAllowed
from caseflow.core.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(client: Client, username: str, password: str, url: str = LOGIN, **kwargs):
    return client.post(url, {"username": username, "password": password}, **kwargs)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def lockout_entries(**filters) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="login.locked_out", **filters).order_by("id"))


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser(
        "root", "root@example.com", PASSWORD, role=Role.ADMINISTRATOR
    )


# --- the attack of the issue ----------------------------------------------------------------


@pytest.mark.parametrize(("url", "who"), [(LOGIN, "agent"), (ADMIN_LOGIN, "root")])
def test_sixty_wrong_passwords_then_the_right_one_is_refused(client, agent, root, url, who):
    for n in range(60):
        attempt(client, who, f"guess-{n}", url)
    response = attempt(client, who, PASSWORD, url)

    assert response.status_code == 429
    assert not logged_in(client)
    assert int(response["Retry-After"]) == 15 * 60
    html = response.content.decode()
    # a page in the desk's look, not a bare string
    assert html.lstrip().startswith("<!doctype html>")
    assert 'data-testid="locked-out"' in html
    assert "bootstrap.min.css" in html and "ui/shell.css" in html
    assert "Please try again in 15 minutes." in html
    assert f'href="{reverse("desk:login")}"' in html
    # it does not say whether the account exists
    assert who not in html


def test_the_fifth_failure_locks_and_the_lockout_is_audited_once(client, agent):
    for n in range(4):
        assert attempt(client, "agent", f"guess-{n}").status_code == 200  # the form again
    assert lockout_entries() == []

    assert attempt(client, "agent", "guess-4").status_code == 429
    for n in range(5, 20):
        assert attempt(client, "agent", f"guess-{n}").status_code == 429

    (entry,) = lockout_entries()
    assert (entry.chain, entry.actor_id, entry.channel) == (f"accounts.user:{agent.pk}", None, "ui")
    assert entry.after["account"] == "agent"
    assert entry.after["ip_address"] == "127.0.0.1"
    assert entry.after["limits"] == {"account_address": 5}
    # refused attempts during the lockout are not counted: the lockout ends on time
    assert sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)) == 5


def test_the_admin_login_is_audited_on_the_admin_channel(client, root):
    for n in range(5):
        attempt(client, "root", f"guess-{n}", ADMIN_LOGIN)
    (entry,) = lockout_entries()
    assert entry.channel == "admin"


def test_a_success_before_the_limit_forgives_that_accounts_failures(client, agent):
    for n in range(4):
        attempt(client, "agent", f"guess-{n}")
    assert attempt(client, "agent", PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        assert attempt(client, "agent", f"again-{n}").status_code == 200
    assert attempt(client, "agent", PASSWORD).status_code == 302


def test_an_insiders_own_log_in_does_not_wipe_the_failures_against_a_colleague(
    client, agent, technician
):
    for n in range(4):
        attempt(client, "technician", f"guess-{n}")
    assert attempt(client, "agent", PASSWORD).status_code == 302  # the insider's own account
    client.logout()
    assert attempt(client, "technician", "guess-4").status_code == 429
    assert attempt(client, "technician", PASSWORD).status_code == 429


def test_the_lockout_covers_the_account_from_that_address_only(agent):
    attacker, colleague = Client(REMOTE_ADDR="198.51.100.7"), Client(REMOTE_ADDR="203.0.113.5")
    for n in range(10):
        attempt(attacker, "agent", f"guess-{n}")
    assert attempt(attacker, "agent", PASSWORD).status_code == 429
    assert attempt(colleague, "agent", PASSWORD).status_code == 302


def test_many_accounts_from_one_address_lock_the_address(settings, agent, technician):
    settings.LOGIN_LOCKOUTS = [(["username", "ip_address"], 5), (["ip_address"], 8)]
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["ip_address"]]
    spray = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(8):
        assert attempt(spray, f"user{n}", "Winter2026!").status_code in (200, 429)
    # a correct password of an account never tried from there is refused too
    assert attempt(spray, "technician", PASSWORD).status_code == 429
    (entry,) = lockout_entries()
    # user7 is nobody: the name is not kept in the trail, the entry is the failure row's
    assert entry.after["account"] is None
    assert entry.after["limits"] == {"address": 8}
    assert entry.target_type == "axes.accessattempt"
    assert attempt(Client(REMOTE_ADDR="203.0.113.5"), "technician", PASSWORD).status_code == 302


def test_an_optional_limit_per_account_stops_a_spread_out_attack(settings, agent):
    settings.LOGIN_LOCKOUTS = [(["username", "ip_address"], 5), (["username"], 6)]
    settings.AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], ["username"]]
    for n in range(6):
        attempt(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"), "agent", "guess")
    assert attempt(Client(REMOTE_ADDR="203.0.113.5"), "agent", PASSWORD).status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, agent):
    for n in range(5):
        attempt(client, "agent", f"guess-{n}")
    assert attempt(client, "agent", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert attempt(client, "agent", PASSWORD).status_code == 302


# --- the client's address ---------------------------------------------------------------------


def test_the_address_is_the_connections_unless_a_proxy_header_is_configured(settings, agent):
    forged = {"X-Forwarded-For": "10.9.8.7"}
    for n in range(5):
        attempt(Client(REMOTE_ADDR="198.51.100.7"), "agent", f"guess-{n}", headers=forged)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}

    AccessAttempt.objects.all().delete()
    settings.CLIENT_IP_HEADER = "X-Forwarded-For"
    proxy = Client(REMOTE_ADDR="10.0.0.2")  # every request comes through our proxy
    for n in range(5):
        # what the client claims comes first; the last entry is what our proxy saw
        headers = {"X-Forwarded-For": f"1.2.3.{n}, 198.51.100.7"}
        attempt(proxy, "agent", f"guess-{n}", headers=headers)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    other = {"X-Forwarded-For": "203.0.113.5"}
    assert attempt(proxy, "agent", PASSWORD, headers=other).status_code == 302
    # garbage in the header: the connection's address counts
    client = Client(REMOTE_ADDR="10.0.0.3")
    attempt(client, "agent", "x", headers={"X-Forwarded-For": "<script>"})
    assert AccessAttempt.objects.filter(ip_address="10.0.0.3").exists()


def test_an_absurd_user_name_is_counted_not_a_server_error(client, db):
    response = attempt(client, "x" * 10_000, "guess")
    assert response.status_code == 200
    (row,) = AccessAttempt.objects.all()
    assert len(row.username) == 150


def test_authenticate_without_a_request_is_not_counted(agent):
    for _ in range(10):
        assert authenticate(username="agent", password="wrong") is None
    assert authenticate(username="agent", password=PASSWORD) == agent
    assert not AccessAttempt.objects.exists()


# --- unblocking -------------------------------------------------------------------------------


def lock(username: str, remote: str = "127.0.0.1") -> None:
    client = Client(REMOTE_ADDR=remote)
    for n in range(5):
        attempt(client, username, f"guess-{n}")


def test_an_administrator_unblocks_a_user_in_the_admin_and_it_is_audited(client, agent, root):
    lock("agent")
    client.force_login(root)
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "unlock_login", "_selected_action": [agent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "5 failed log-ins forgotten" in response.content.decode()
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action="login.unlocked")
    assert (entry.chain, entry.actor_id, entry.channel) == (f"accounts.user:{agent.pk}", root.pk,
                                                            "admin")  # fmt: skip
    assert entry.before == {"failures": 5}
    assert attempt(Client(), "agent", PASSWORD).status_code == 302


def test_failed_log_ins_are_unblocked_with_audited_actions_not_deleted(client, agent, root):
    lock("agent", "198.51.100.7")
    lock("nobody", "198.51.100.7")
    client.force_login(root)
    url = reverse("admin:axes_accessattempt_changelist")
    page = client.get(url).content.decode()
    assert "unlock_attempts" in page and "unlock_addresses" in page
    assert 'value="delete_selected"' not in page
    row = AccessAttempt.objects.get(username="agent")
    client.post(url, {"action": "unlock_addresses", "_selected_action": [row.pk]})
    assert not AccessAttempt.objects.exists()
    entries = AuditEntry.objects.filter(action="login.unlocked").order_by("id")
    assert [e.after["account"] for e in entries] == ["agent", None]


def test_unblocking_needs_the_user_managers_role(agent, technician):
    lock("technician")
    with pytest.raises(NotAllowed):
        unlock_login(actor=agent, username="technician")
    assert AccessAttempt.objects.exists()
    assert not AuditEntry.objects.filter(action="login.unlocked").exists()
